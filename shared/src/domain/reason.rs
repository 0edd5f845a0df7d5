//! Why an admin decided something (a rejected verification, a suspension, a points
//! correction): what the member and the audit trail read.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Invalid, ShortText};

/// An admin's reason: trimmed, 1 to [`Reason::MAX_CHARS`] characters, line breaks kept
/// (normalised to `\n`), no other control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "The ID document is unreadable: please upload a sharper photo.")]
pub struct Reason(String);

string_newtype_impls!(Reason);

impl Reason {
    /// Most characters allowed after trimming.
    pub const MAX_CHARS: usize = 500;

    /// Normalises line breaks, trims, and checks it is 1 to 500 characters with no control
    /// characters other than `\n`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        super::text::parse_multi_line(raw, Self::MAX_CHARS).map(Self)
    }
}

/// Every short one-line text is a valid reason (120 characters, no control characters),
/// so the admin areas that take a `ShortText` reason can write it to the audit trail.
impl From<ShortText> for Reason {
    fn from(text: ShortText) -> Self {
        Self(text.into())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn trimmed_and_non_empty() {
        assert_eq!(Reason::parse("  blurry photo \n").unwrap().as_str(), "blurry photo");
        for blank in ["", "  ", "\n\t"] {
            assert_eq!(Reason::parse(blank).unwrap_err().reason(), "must not be empty");
        }
    }

    #[test]
    fn keeps_line_breaks_and_refuses_other_control_characters() {
        assert_eq!(Reason::parse("one\r\ntwo").unwrap().as_str(), "one\ntwo");
        assert!(Reason::parse("bell\u{7}").is_err());
        assert!(Reason::parse("tab\there").is_err());
    }

    #[test]
    fn at_most_five_hundred_characters() {
        assert!(Reason::parse(&"é".repeat(500)).is_ok(), "characters, not bytes");
        assert_eq!(Reason::parse(&"x".repeat(501)).unwrap_err().reason(), "must be at most 500 characters");
    }

    #[test]
    fn short_texts_are_reasons_and_serde_parses() {
        let text = ShortText::parse("Duplicate award").unwrap();
        assert_eq!(Reason::from(text).as_str(), "Duplicate award");
        assert!(serde_json::from_str::<Reason>("\"   \"").is_err());
        assert_eq!(serde_json::to_string(&Reason::parse("ok").unwrap()).unwrap(), "\"ok\"");
    }

    proptest! {
        #[test]
        fn a_reason_is_its_trimmed_text_when_valid(raw in "\\PC{0,600}") {
            match Reason::parse(&raw) {
                Ok(reason) => {
                    prop_assert_eq!(reason.as_str(), reason.as_str().trim());
                    prop_assert!(!reason.as_str().is_empty());
                    prop_assert!(reason.as_str().chars().count() <= Reason::MAX_CHARS);
                    prop_assert_eq!(Reason::parse(reason.as_str()).unwrap(), reason.clone());
                }
                Err(_) => {
                    let trimmed = raw.trim();
                    prop_assert!(trimmed.is_empty() || trimmed.chars().count() > Reason::MAX_CHARS
                        || trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r'));
                }
            }
        }
    }
}
