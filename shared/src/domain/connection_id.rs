//! An API Gateway WebSocket connection id.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// The id API Gateway gives one open WebSocket connection, used to push messages back to it.
///
/// The gateway assigns it, so this type only checks it: 1 to 128 characters from
/// `A-Z a-z 0-9 + / = _ -` (base64 in either alphabet), taken exactly as given since it is
/// case-sensitive and goes into the `@connections` URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "L0SM9cOFvHcCIhw=")]
pub struct ConnectionId(String);

string_newtype_impls!(ConnectionId);

impl ConnectionId {
    /// Most characters allowed; real ids are far shorter, this only bounds stored keys.
    pub const MAX_CHARS: usize = 128;

    /// Checks it is 1 to `MAX_CHARS` characters from `A-Z a-z 0-9 + / = _ -`, unchanged.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new("must be at most 128 characters"));
        }
        if !raw.chars().all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c)) {
            return Err(Invalid::new("may only contain letters, digits and + / = _ -"));
        }
        Ok(Self(raw.to_owned()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CHARSET: &str = "may only contain letters, digits and + / = _ -";

    #[test]
    fn accepts_real_looking_ids() {
        for good in ["L0SM9cOFvHcCIhw=", "JbSjMdjWIAMCKNQ=", "a+b/c==", "url_safe-id", "x"] {
            assert_eq!(ConnectionId::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn case_is_kept() {
        assert_ne!(ConnectionId::parse("abc=").unwrap(), ConnectionId::parse("ABC=").unwrap());
    }

    #[test]
    fn refuses_empty() {
        assert_eq!(ConnectionId::parse("").unwrap_err().reason(), "must not be empty");
    }

    #[test]
    fn length_boundaries() {
        assert!(ConnectionId::parse(&"a".repeat(127)).is_ok());
        assert!(ConnectionId::parse(&"a".repeat(128)).is_ok());
        assert_eq!(ConnectionId::parse(&"a".repeat(129)).unwrap_err().reason(), "must be at most 128 characters");
    }

    #[test]
    fn refuses_other_characters_and_does_not_trim() {
        for bad in [" abc", "abc ", "a b", "abc\n", "a.b", "a:b", "a%2F", "a?b", "a#b", "é", "a\u{0}"] {
            assert_eq!(ConnectionId::parse(bad).unwrap_err().reason(), CHARSET, "{bad:?}");
        }
    }

    #[test]
    fn conversions_go_through_parse() {
        let id = ConnectionId::parse("L0SM9cOFvHcCIhw=").unwrap();
        assert_eq!("L0SM9cOFvHcCIhw=".parse::<ConnectionId>().unwrap(), id);
        assert_eq!(ConnectionId::try_from("L0SM9cOFvHcCIhw=").unwrap(), id);
        assert_eq!(ConnectionId::try_from("L0SM9cOFvHcCIhw=".to_owned()).unwrap(), id);
        assert_eq!(id.to_string(), "L0SM9cOFvHcCIhw=");
        assert_eq!(String::from(id), "L0SM9cOFvHcCIhw=");
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let id = ConnectionId::parse("L0SM9cOFvHcCIhw=").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"L0SM9cOFvHcCIhw=\"");
        assert_eq!(serde_json::from_str::<ConnectionId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ConnectionId>("\"\"").is_err());
        assert!(serde_json::from_str::<ConnectionId>("\"a b\"").is_err());
        assert!(serde_json::from_str::<ConnectionId>("null").is_err());
    }

    proptest! {
        #[test]
        fn valid_ids_round_trip_unchanged(raw in "[A-Za-z0-9+/=_-]{1,128}") {
            let id = ConnectionId::parse(&raw).unwrap();
            prop_assert_eq!(id.as_str(), raw.as_str());
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<ConnectionId>(&json).unwrap(), id);
        }

        #[test]
        fn arbitrary_input_never_panics_and_is_kept_exactly(raw in any::<String>()) {
            if let Ok(id) = ConnectionId::parse(&raw) {
                prop_assert_eq!(id.as_str(), raw.as_str());
                prop_assert!((1..=ConnectionId::MAX_CHARS).contains(&raw.len()));
                prop_assert!(raw.chars().all(|c| c.is_ascii_alphanumeric() || "+/=_-".contains(c)));
            }
        }

        #[test]
        fn too_long_is_refused(raw in "[A-Za-z0-9+/=_-]{129,200}") {
            let err = ConnectionId::parse(&raw).unwrap_err();
            prop_assert_eq!(err.reason(), "must be at most 128 characters");
        }
    }
}
