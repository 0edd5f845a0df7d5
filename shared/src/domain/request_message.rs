//! What a learner writes to the mentor with a session request. Its own type (not the
//! profile's `Bio`) so the two can change apart; today it keeps the limits it always had.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;
use super::text::parse_multi_line;

/// A note to the mentor on a session request: 1 to 2000 characters, line breaks kept.
///
/// Line breaks are normalised to `\n`; other control characters are refused since they
/// render unpredictably in the mentor's inbox.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Hi! I am stuck on borrowing.")]
pub struct RequestMessage(String);

string_newtype_impls!(RequestMessage);

impl RequestMessage {
    /// Most characters allowed after normalisation.
    pub const MAX_CHARS: usize = 2000;

    /// Normalises `\r\n` (and a lone `\r`) to `\n`, trims, and checks it is 1 to 2000
    /// characters with no control characters other than `\n`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        parse_multi_line(raw, Self::MAX_CHARS).map(Self)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn keeps_paragraphs_and_normalises_line_breaks() {
        let message = RequestMessage::parse("\r\n  Hi!\r\nI am stuck\ron borrowing.  \n").unwrap();
        assert_eq!(message.as_str(), "Hi!\nI am stuck\non borrowing.");
    }

    #[test]
    fn refuses_blank_and_control_characters() {
        for blank in ["", "   ", "\r\n\n"] {
            assert_eq!(RequestMessage::parse(blank).unwrap_err().reason(), "must not be empty");
        }
        for bad in ["a\tb", "a\u{0}b", "a\u{1b}[31mb"] {
            assert_eq!(
                RequestMessage::parse(bad).unwrap_err().reason(),
                "must not contain control characters other than line breaks",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn counts_characters_up_to_2000() {
        assert!(RequestMessage::parse(&"é".repeat(2000)).is_ok());
        assert_eq!(RequestMessage::parse(&"a".repeat(2001)).unwrap_err().reason(), "must be at most 2000 characters");
    }

    #[test]
    fn serde_parses_through_the_rules() {
        let message: RequestMessage = serde_json::from_str("\"Line one\\r\\nLine two\"").unwrap();
        assert_eq!(message.as_str(), "Line one\nLine two");
        assert_eq!(serde_json::to_string(&message).unwrap(), "\"Line one\\nLine two\"");
        assert!(serde_json::from_str::<RequestMessage>("\"\\u0000\"").is_err());
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics_and_holds_invariant(raw in any::<String>()) {
            if let Ok(message) = RequestMessage::parse(&raw) {
                let text = message.as_str();
                prop_assert!((1..=RequestMessage::MAX_CHARS).contains(&text.chars().count()));
                prop_assert_eq!(text, text.trim());
                prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
                prop_assert_eq!(RequestMessage::parse(text), Ok(message.clone()));
            }
        }

        #[test]
        fn accepts_what_a_bio_accepts(raw in "[a-z \r\n\t]{0,3}[a-z]{1,20}[a-z \r\n]{0,300}") {
            // Same limits as before it had its own type: nothing that used to pass is refused.
            let as_bio = super::super::Bio::parse(&raw).map(|b| b.as_str().to_owned());
            let as_message = RequestMessage::parse(&raw).map(|m| m.as_str().to_owned());
            prop_assert_eq!(as_bio, as_message);
        }
    }
}
