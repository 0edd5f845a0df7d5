//! The body of a chat message.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// A chat message body: 1 to 4000 characters, kept as typed apart from the edges.
///
/// Leading and trailing whitespace is trimmed, but inner line breaks, tabs and runs of spaces
/// stay, since people format code and lists in chat. Line breaks are normalised to `\n`; every
/// other control character is refused because it renders unpredictably.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Hi! Are you free on Thursday to go over lifetimes?")]
pub struct MessageText(String);

string_newtype_impls!(MessageText);

impl MessageText {
    /// Most characters allowed after normalisation, counted as Unicode scalar values.
    pub const MAX_CHARS: usize = 4000;

    /// Normalises `\r\n` (and a lone `\r`) to `\n`, trims, and checks it is 1 to `MAX_CHARS`
    /// characters with no control characters other than `\n` and `\t`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        // A lone \r is an old Mac line break; treating it as one keeps pasted text intact.
        let text = raw.replace("\r\n", "\n").replace('\r', "\n");
        let text = text.trim();
        if text.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if text.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
            return Err(Invalid::new("must not contain control characters other than line breaks and tabs"));
        }
        // Characters, not bytes, so every script gets the same room.
        if text.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new("must be at most 4000 characters"));
        }
        Ok(Self(text.to_owned()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trims_edges_but_keeps_inner_spacing() {
        let text = MessageText::parse("  \n\thello   there\n\n\tfn main() {}\t \n ").unwrap();
        assert_eq!(text.as_str(), "hello   there\n\n\tfn main() {}");
        assert_eq!(text.to_string(), "hello   there\n\n\tfn main() {}");
    }

    #[test]
    fn normalises_carriage_returns() {
        let text = MessageText::parse("one\r\ntwo\rthree\r\n\r\nfour").unwrap();
        assert_eq!(text.as_str(), "one\ntwo\nthree\n\nfour");
        // \r\n\r is two breaks, not three.
        assert_eq!(MessageText::parse("a\r\n\rb").unwrap().as_str(), "a\n\nb");
    }

    #[test]
    fn empty_after_trim_is_refused() {
        for blank in ["", " ", "\n\t \r\n", "\r", "\u{00A0}\u{2003}"] {
            assert_eq!(MessageText::parse(blank).unwrap_err().reason(), "must not be empty", "{blank:?}");
        }
    }

    #[test]
    fn refuses_other_control_characters() {
        for bad in ["nul\u{0}", "bell\u{7}", "esc\u{1b}[31m", "del\u{7f}", "a\u{0b}b", "a\u{0c}b", "a\u{85}b"] {
            assert_eq!(
                MessageText::parse(bad).unwrap_err().reason(),
                "must not contain control characters other than line breaks and tabs",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn length_boundaries_count_characters_not_bytes() {
        assert!(MessageText::parse("a").is_ok());
        assert!(MessageText::parse(&"a".repeat(4000)).is_ok());
        assert_eq!(MessageText::parse(&"a".repeat(4001)).unwrap_err().reason(), "must be at most 4000 characters");
        // Four bytes each, still one character each.
        assert!(MessageText::parse(&"😀".repeat(4000)).is_ok());
        assert!(MessageText::parse(&"😀".repeat(4001)).is_err());
        // Padding does not count against the limit, and \r\n counts as one character.
        assert!(MessageText::parse(&format!("  \n{}\r\n ", "a".repeat(4000))).is_ok());
        let lines = format!("{}ab", "a\r\n".repeat(1999));
        assert_eq!(lines.chars().count(), 5999);
        assert_eq!(MessageText::parse(&lines).unwrap().as_str().chars().count(), 4000);
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let text = MessageText::parse("Line one\nLine two").unwrap();
        let json = serde_json::to_string(&text).unwrap();
        assert_eq!(json, "\"Line one\\nLine two\"");
        assert_eq!(serde_json::from_str::<MessageText>(&json).unwrap(), text);
        let normalised: MessageText = serde_json::from_str("\" Line one\\r\\nLine two \"").unwrap();
        assert_eq!(normalised, text);
        assert!(serde_json::from_str::<MessageText>("\"  \"").is_err());
        assert!(serde_json::from_str::<MessageText>("\"\\u0000\"").is_err());
        assert!(serde_json::from_str::<MessageText>(&format!("\"{}\"", "a".repeat(4001))).is_err());
        assert!(serde_json::from_str::<MessageText>("42").is_err());
    }

    proptest! {
        #[test]
        fn clean_text_round_trips_unchanged(
            // Control-free, not whitespace at either end, 1 to 4000 characters.
            raw in "[^\\p{Cc}\\s]([^\\p{Cc}]{0,3998}[^\\p{Cc}\\s])?"
        ) {
            let text = MessageText::parse(&raw).unwrap();
            prop_assert_eq!(text.as_str(), raw.as_str());
        }

        #[test]
        fn arbitrary_input_never_panics_and_holds_invariant(raw in any::<String>()) {
            if let Ok(text) = MessageText::parse(&raw) {
                let text = text.as_str();
                prop_assert!((1..=MessageText::MAX_CHARS).contains(&text.chars().count()));
                prop_assert_eq!(text, text.trim());
                prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n' && c != '\t'));
            }
        }

        #[test]
        fn parse_is_idempotent(raw in any::<String>()) {
            if let Ok(text) = MessageText::parse(&raw) {
                prop_assert_eq!(MessageText::parse(text.as_str()), Ok(text.clone()));
            }
        }

        #[test]
        fn line_break_normalisation_is_idempotent(raw in "[ \t\r\n]{0,3}[a-z]{1,20}[a-z \t\r\n]{0,300}") {
            let text = MessageText::parse(&raw).unwrap();
            prop_assert!(!text.as_str().contains('\r'));
            prop_assert_eq!(MessageText::parse(text.as_str()), Ok(text.clone()));
            let expected = raw.replace("\r\n", "\n").replace('\r', "\n");
            prop_assert_eq!(text.as_str(), expected.trim());
        }

        #[test]
        fn length_never_exceeds_max(n in 0usize..5000, pad in "[ \r\n\t]{0,4}") {
            let raw = format!("{pad}{}{pad}", "é".repeat(n));
            match MessageText::parse(&raw) {
                Ok(text) => {
                    prop_assert!((1..=MessageText::MAX_CHARS).contains(&n));
                    prop_assert_eq!(text.as_str().chars().count(), n);
                }
                Err(_) => prop_assert!(n == 0 || n > MessageText::MAX_CHARS),
            }
        }

        #[test]
        fn serde_round_trip(raw in "[^\\p{Cc}\\s]([^\\p{Cc}]{0,200}[^\\p{Cc}\\s])?") {
            let text = MessageText::parse(&raw).unwrap();
            let json = serde_json::to_string(&text).unwrap();
            prop_assert_eq!(serde_json::from_str::<MessageText>(&json).unwrap(), text);
        }
    }
}
