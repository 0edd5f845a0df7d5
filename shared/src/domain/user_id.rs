//! A user's identifier.

use std::fmt;

use serde::{Deserialize, Serialize};
use ulid::Ulid;
use utoipa::ToSchema;

use super::Invalid;

/// Length of a ULID's text form.
const ULID_CHARS: usize = 26;

/// A user's id: a ULID, so ids sort by creation time and need no coordination to mint.
///
/// Its text form is the canonical 26-character uppercase Crockford base32 string.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "01ARZ3NDEKTSV4RRFFQ69G5FAV")]
pub struct UserId(Ulid);

impl UserId {
    /// Wraps a ULID (e.g. a freshly generated `Ulid::new()`).
    pub const fn new(ulid: Ulid) -> Self {
        Self(ulid)
    }

    /// Parses the 26-character Crockford base32 form, in either case.
    ///
    /// Only the canonical form is accepted: no trimming, no `I`/`L`/`O`/`U` look-alikes, and a
    /// first character of at most `7`, since anything larger would not fit in 128 bits.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        const REASON: &str = "must be a 26-character ULID";
        // The ulid crate silently drops overflowing high bits, so check the first digit here
        // to keep parse and Display exact inverses.
        let canonical_first = raw.as_bytes().first().is_some_and(|b| (b'0'..=b'7').contains(b));
        if raw.len() != ULID_CHARS || !canonical_first {
            return Err(Invalid::new(REASON));
        }
        Ulid::from_string(raw).map(Self).map_err(|_| Invalid::new(REASON))
    }

    /// The underlying ULID.
    pub const fn as_ulid(&self) -> Ulid {
        self.0
    }
}

impl From<Ulid> for UserId {
    fn from(ulid: Ulid) -> Self {
        Self(ulid)
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Ulid's Display is the canonical uppercase 26-character form.
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::str::FromStr for UserId {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl TryFrom<String> for UserId {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl TryFrom<&str> for UserId {
    type Error = Invalid;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        Self::parse(raw)
    }
}

impl From<UserId> for String {
    fn from(id: UserId) -> Self {
        id.to_string()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const SAMPLE: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

    #[test]
    fn parses_and_displays_canonical_form() {
        let id = UserId::parse(SAMPLE).unwrap();
        assert_eq!(id.to_string(), SAMPLE);
        assert_eq!(id.as_ulid(), Ulid::from_string(SAMPLE).unwrap());
    }

    #[test]
    fn lowercase_is_normalised_to_uppercase() {
        let id = UserId::parse(&SAMPLE.to_lowercase()).unwrap();
        assert_eq!(id.to_string(), SAMPLE);
    }

    #[test]
    fn refuses_non_canonical_input() {
        for bad in [
            "",
            "01ARZ3NDEKTSV4RRFFQ69G5FA",   // 25
            "01ARZ3NDEKTSV4RRFFQ69G5FAVX", // 27
            " 01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "01ARZ3NDEKTSV4RRFFQ69G5FAI", // I is not Crockford
            "01ARZ3NDEKTSV4RRFFQ69G5FAU", // nor is U
            "01ARZ3NDEKTSV4RRFFQ69G5FA-",
            "81ARZ3NDEKTSV4RRFFQ69G5FAV", // overflows 128 bits
            "ZZZZZZZZZZZZZZZZZZZZZZZZZZ",
            "01ARZ3NDEKTSV4RRFFQ69G5FÀ", // 26 bytes, not 26 characters
        ] {
            assert_eq!(UserId::parse(bad).unwrap_err().reason(), "must be a 26-character ULID", "{bad:?}");
        }
    }

    #[test]
    fn extremes_round_trip() {
        let max = "7ZZZZZZZZZZZZZZZZZZZZZZZZZ";
        assert_eq!(UserId::parse(max).unwrap().as_ulid().0, u128::MAX);
        assert_eq!(UserId::parse(max).unwrap().to_string(), max);
        let min = "00000000000000000000000000";
        assert_eq!(UserId::parse(min).unwrap().as_ulid().0, 0);
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let id = UserId::parse(SAMPLE).unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{SAMPLE}\""));
        assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<UserId>("\"nope\"").is_err());
        assert!(serde_json::from_str::<UserId>("123").is_err());
    }

    proptest! {
        #[test]
        fn any_ulid_round_trips(n in any::<u128>()) {
            let id = UserId::new(Ulid(n));
            let text = id.to_string();
            prop_assert_eq!(text.len(), 26);
            prop_assert_eq!(UserId::parse(&text), Ok(id.clone()));
            prop_assert_eq!(UserId::parse(&text.to_lowercase()), Ok(id.clone()));
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
        }

        #[test]
        fn arbitrary_input_never_panics_and_parses_exactly(raw in any::<String>()) {
            if let Ok(id) = UserId::parse(&raw) {
                prop_assert_eq!(id.to_string(), raw.to_uppercase());
            }
        }

        #[test]
        fn crockford_like_input_parses_exactly(raw in "[0-9A-Za-z]{26}") {
            if let Ok(id) = UserId::parse(&raw) {
                prop_assert_eq!(id.to_string(), raw.to_uppercase());
            }
        }
    }
}
