//! The client's id for one message send.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// The client's own id for one message send, so a retried send is stored once.
///
/// 1 to 64 characters from `A-Z a-z 0-9 _ . : -`, which covers UUIDs and ULIDs. Taken exactly
/// as sent (no trimming, no case folding): it is compared byte for byte to spot a retry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "5f0c8a2e-9d4b-4c1a-8e3f-2b7d6a1c9e04")]
pub struct ClientMsgId(String);

string_newtype_impls!(ClientMsgId);

impl ClientMsgId {
    /// Most characters allowed.
    pub const MAX_CHARS: usize = 64;

    /// Checks it is 1 to `MAX_CHARS` characters from `A-Z a-z 0-9 _ . : -`, unchanged.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if raw.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new("must be at most 64 characters"));
        }
        if !raw.chars().all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c)) {
            return Err(Invalid::new("may only contain letters, digits and _ . : -"));
        }
        Ok(Self(raw.to_owned()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const CHARSET: &str = "may only contain letters, digits and _ . : -";

    #[test]
    fn accepts_uuids_ulids_and_the_whole_charset() {
        for good in [
            "5f0c8a2e-9d4b-4c1a-8e3f-2b7d6a1c9e04",
            "5F0C8A2E-9D4B-4C1A-8E3F-2B7D6A1C9E04",
            "01ARZ3NDEKTSV4RRFFQ69G5FAV",
            "a",
            "web:tab-3.msg_17",
            "-",
            "...",
        ] {
            assert_eq!(ClientMsgId::parse(good).unwrap().as_str(), good);
        }
    }

    #[test]
    fn case_is_kept_so_ids_differing_in_case_differ() {
        let lower = ClientMsgId::parse("abc").unwrap();
        let upper = ClientMsgId::parse("ABC").unwrap();
        assert_ne!(lower, upper);
        assert_eq!(upper.to_string(), "ABC");
    }

    #[test]
    fn refuses_empty() {
        assert_eq!(ClientMsgId::parse("").unwrap_err().reason(), "must not be empty");
    }

    #[test]
    fn length_boundaries() {
        assert!(ClientMsgId::parse(&"a".repeat(63)).is_ok());
        assert!(ClientMsgId::parse(&"a".repeat(64)).is_ok());
        assert_eq!(ClientMsgId::parse(&"a".repeat(65)).unwrap_err().reason(), "must be at most 64 characters");
    }

    #[test]
    fn refuses_other_characters_and_does_not_trim() {
        for bad in [" abc", "abc ", "a b", "abc\n", "a/b", "a+b", "a=b", "a@b", "é", "a\u{0}", "{abc}", "ａ"] {
            assert_eq!(ClientMsgId::parse(bad).unwrap_err().reason(), CHARSET, "{bad:?}");
        }
        // Too long is reported before the character set, whatever the characters.
        assert_eq!(ClientMsgId::parse(&"é".repeat(65)).unwrap_err().reason(), "must be at most 64 characters");
    }

    #[test]
    fn conversions_go_through_parse() {
        let id = ClientMsgId::parse("msg-1").unwrap();
        assert_eq!("msg-1".parse::<ClientMsgId>().unwrap(), id);
        assert_eq!(ClientMsgId::try_from("msg-1").unwrap(), id);
        assert_eq!(ClientMsgId::try_from("msg-1".to_owned()).unwrap(), id);
        assert_eq!(String::from(id), "msg-1");
        assert!(ClientMsgId::try_from(" msg-1").is_err());
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let id = ClientMsgId::parse("01ARZ3NDEKTSV4RRFFQ69G5FAV").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"01ARZ3NDEKTSV4RRFFQ69G5FAV\"");
        assert_eq!(serde_json::from_str::<ClientMsgId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<ClientMsgId>("\"\"").is_err());
        assert!(serde_json::from_str::<ClientMsgId>("\" x\"").is_err());
        assert!(serde_json::from_str::<ClientMsgId>("7").is_err());
    }

    proptest! {
        #[test]
        fn valid_ids_round_trip_unchanged(raw in "[A-Za-z0-9_.:-]{1,64}") {
            let id = ClientMsgId::parse(&raw).unwrap();
            prop_assert_eq!(id.as_str(), raw.as_str());
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<ClientMsgId>(&json).unwrap(), id);
        }

        #[test]
        fn arbitrary_input_never_panics_and_is_kept_exactly(raw in any::<String>()) {
            if let Ok(id) = ClientMsgId::parse(&raw) {
                prop_assert_eq!(id.as_str(), raw.as_str());
                prop_assert!((1..=ClientMsgId::MAX_CHARS).contains(&raw.len()));
                prop_assert!(raw.chars().all(|c| c.is_ascii_alphanumeric() || "_.:-".contains(c)));
            }
        }

        #[test]
        fn too_long_is_refused(raw in "[A-Za-z0-9_.:-]{65,100}") {
            let err = ClientMsgId::parse(&raw).unwrap_err();
            prop_assert_eq!(err.reason(), "must be at most 64 characters");
        }
    }
}
