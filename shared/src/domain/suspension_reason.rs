//! Why an admin suspends a member (POST /admin/users/{id}/suspend), kept in the audit trail.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// A trimmed, one-line reason of 1 to [`SuspensionReason::MAX_CHARS`] characters: whitespace
/// runs become one space, control characters are refused. A suspension always says why.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Repeated harassment reported by three members")]
pub struct SuspensionReason(String);

string_newtype_impls!(SuspensionReason);

impl SuspensionReason {
    /// Most characters allowed after normalisation.
    pub const MAX_CHARS: usize = 500;

    /// Trims, collapses whitespace runs, and checks it is 1 to 500 characters with no
    /// control characters.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if text.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if text.chars().any(char::is_control) {
            return Err(Invalid::new("must not contain control characters"));
        }
        if text.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new("must be at most 500 characters"));
        }
        Ok(Self(text))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_reason_is_required_and_normalised() {
        assert_eq!(SuspensionReason::parse(" \n ").unwrap_err().reason(), "must not be empty");
        assert_eq!(SuspensionReason::parse("  spam\n\tand  abuse ").unwrap().as_str(), "spam and abuse");
        assert!(SuspensionReason::parse("a\u{7}b").is_err());
    }

    #[test]
    fn at_most_five_hundred_characters() {
        assert!(SuspensionReason::parse(&"é".repeat(500)).is_ok(), "characters, not bytes");
        assert_eq!(SuspensionReason::parse(&"x".repeat(501)).unwrap_err().reason(), "must be at most 500 characters");
    }

    #[test]
    fn serde_goes_through_parse() {
        assert!(serde_json::from_str::<SuspensionReason>("\"  \"").is_err());
        let reason: SuspensionReason = serde_json::from_str("\" spam \"").unwrap();
        assert_eq!(serde_json::to_string(&reason).unwrap(), "\"spam\"");
    }

    proptest! {
        #[test]
        fn a_parsed_reason_is_one_trimmed_line_within_bounds(raw in "\\PC{0,600}") {
            if let Ok(reason) = SuspensionReason::parse(&raw) {
                let text = reason.as_str();
                prop_assert!(!text.is_empty() && text.chars().count() <= SuspensionReason::MAX_CHARS);
                prop_assert_eq!(text.trim(), text);
                prop_assert!(!text.contains("  ") && !text.chars().any(char::is_control));
                prop_assert_eq!(SuspensionReason::parse(text).unwrap(), reason.clone());
            }
        }
    }
}
