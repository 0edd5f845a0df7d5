//! Free text users type into their profile, normalised and bounded. (Display names have
//! stricter rules of their own: `display_name.rs`.)

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// Trims, turns every run of whitespace (tabs and newlines too) into one space, and refuses
/// other control characters, then bounds the length in characters.
fn parse_single_line(raw: &str, max_chars: usize) -> Result<String, Invalid> {
    let text = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if text.is_empty() {
        return Err(Invalid::new("must not be empty"));
    }
    if text.chars().any(char::is_control) {
        return Err(Invalid::new("must not contain control characters"));
    }
    check_max_chars(&text, max_chars)?;
    Ok(text)
}

/// Refuses text longer than `max_chars` characters (not bytes, so every script gets the same room).
fn check_max_chars(text: &str, max_chars: usize) -> Result<(), Invalid> {
    if text.chars().count() > max_chars {
        return Err(Invalid::because(format!("must be at most {max_chars} characters")));
    }
    Ok(())
}

/// Declares a single-line text newtype with its own length limit.
macro_rules! single_line_text {
    ($(#[$doc:meta])* $ty:ident, max = $max:literal, example = $example:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(try_from = "String", into = "String")]
        #[schema(value_type = String, example = $example)]
        pub struct $ty(String);

        string_newtype_impls!($ty);

        impl $ty {
            /// Most characters allowed after normalisation.
            pub const MAX_CHARS: usize = $max;

            /// Trims, collapses whitespace runs to one space, and checks it is 1 to `MAX_CHARS`
            /// characters with no control characters.
            pub fn parse(raw: &str) -> Result<Self, Invalid> {
                parse_single_line(raw, Self::MAX_CHARS).map(Self)
            }
        }
    };
}

single_line_text!(
    /// A one-line summary under the name: 1 to 120 characters.
    Headline,
    max = 120,
    example = "Maths student who loves teaching Rust"
);

single_line_text!(
    /// Short one-line text such as an institution or programme: 1 to 120 characters.
    ShortText,
    max = 120,
    example = "University of Edinburgh"
);

/// A longer, multi-line self-description: 1 to 2000 characters.
///
/// Line breaks are kept (normalised to `\n`) because paragraphs matter here; other control
/// characters, tabs included, are refused since they render unpredictably.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "I study maths and mentor first-years in Rust.")]
pub struct Bio(String);

string_newtype_impls!(Bio);

impl Bio {
    /// Most characters allowed after normalisation.
    pub const MAX_CHARS: usize = 2000;

    /// Normalises `\r\n` (and a lone `\r`) to `\n`, trims, and checks it is 1 to 2000
    /// characters with no control characters other than `\n`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        parse_multi_line(raw, Self::MAX_CHARS).map(Self)
    }
}

/// Normalises `\r\n` (and a lone `\r`) to `\n`, trims, refuses control characters other
/// than `\n`, then bounds the length in characters.
pub(super) fn parse_multi_line(raw: &str, max_chars: usize) -> Result<String, Invalid> {
    // A lone \r is an old Mac line break; treating it as one keeps pasted text intact.
    let text = raw.replace("\r\n", "\n").replace('\r', "\n");
    let text = text.trim();
    if text.is_empty() {
        return Err(Invalid::new("must not be empty"));
    }
    if text.chars().any(|c| c.is_control() && c != '\n') {
        return Err(Invalid::new("must not contain control characters other than line breaks"));
    }
    check_max_chars(text, max_chars)?;
    Ok(text.to_owned())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    // The display name shares these single-line rules (and adds its own, in display_name.rs).
    use crate::domain::DisplayName;
    use proptest::prelude::*;

    #[test]
    fn display_name_trims_and_collapses_whitespace() {
        let name = DisplayName::parse("  Ada \t  King\n Lovelace  ").unwrap();
        assert_eq!(name.as_str(), "Ada King Lovelace");
        assert_eq!(name.to_string(), "Ada King Lovelace");
    }

    #[test]
    fn empty_after_trim_is_refused() {
        for blank in ["", "   ", "\t\n ", "\u{00A0}"] {
            assert_eq!(DisplayName::parse(blank).unwrap_err().reason(), "must not be empty");
            assert_eq!(Headline::parse(blank).unwrap_err().reason(), "must not be empty");
            assert_eq!(ShortText::parse(blank).unwrap_err().reason(), "must not be empty");
            assert_eq!(Bio::parse(blank).unwrap_err().reason(), "must not be empty");
        }
    }

    #[test]
    fn single_line_refuses_non_whitespace_control_characters() {
        for bad in ["Ada\u{0}", "A\u{7}da", "Ada\u{1b}[31m", "Ada\u{7f}"] {
            assert_eq!(DisplayName::parse(bad).unwrap_err().reason(), "must not contain control characters");
        }
    }

    #[test]
    fn single_line_length_boundaries() {
        fn check(parse: fn(&str) -> Result<(), Invalid>, max: usize) {
            assert!(parse("a").is_ok());
            assert!(parse(&"a".repeat(max - 1)).is_ok());
            assert!(parse(&"a".repeat(max)).is_ok());
            assert_eq!(parse(&"a".repeat(max + 1)).unwrap_err().reason(), format!("must be at most {max} characters"));
            // Characters, not bytes.
            assert!(parse(&"é".repeat(max)).is_ok());
            assert!(parse(&"é".repeat(max + 1)).is_err());
            // Padding does not count against the limit.
            assert!(parse(&format!("  {}  ", "a".repeat(max))).is_ok());
        }
        check(|s| DisplayName::parse(s).map(drop), 80);
        check(|s| Headline::parse(s).map(drop), 120);
        check(|s| ShortText::parse(s).map(drop), 120);
    }

    #[test]
    fn bio_keeps_line_breaks_and_normalises_crlf() {
        let bio = Bio::parse("\r\n  Hello  there.\r\n\r\nSecond\rparagraph.  \n").unwrap();
        assert_eq!(bio.as_str(), "Hello  there.\n\nSecond\nparagraph.");
    }

    #[test]
    fn bio_refuses_other_control_characters() {
        for bad in ["tab\there", "bell\u{7}", "nul\u{0}", "esc\u{1b}"] {
            assert!(Bio::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn bio_length_boundaries() {
        assert!(Bio::parse("a").is_ok());
        assert!(Bio::parse(&"a".repeat(1999)).is_ok());
        assert!(Bio::parse(&"a".repeat(2000)).is_ok());
        assert_eq!(Bio::parse(&"a".repeat(2001)).unwrap_err().reason(), "must be at most 2000 characters");
        // \r\n counts as one character once normalised.
        let lines = "a\r\n".repeat(1000);
        assert_eq!(Bio::parse(&lines).unwrap().as_str().chars().count(), 1999);
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let name = DisplayName::parse("Ada  Lovelace").unwrap();
        let json = serde_json::to_string(&name).unwrap();
        assert_eq!(json, "\"Ada Lovelace\"");
        assert_eq!(serde_json::from_str::<DisplayName>(&json).unwrap(), name);
        assert!(serde_json::from_str::<DisplayName>("\"  \"").is_err());
        assert!(serde_json::from_str::<Headline>(&format!("\"{}\"", "a".repeat(121))).is_err());
        assert!(serde_json::from_str::<ShortText>("\"MIT\"").is_ok());
        let bio: Bio = serde_json::from_str("\"Line one\\r\\nLine two\"").unwrap();
        assert_eq!(bio.as_str(), "Line one\nLine two");
        assert!(serde_json::from_str::<Bio>("\"\\u0000\"").is_err());
    }

    /// Accepted single-line text is trimmed, collapsed, control-free and in bounds.
    fn single_line_invariant(text: &str, max: usize) -> bool {
        let count = text.chars().count();
        (1..=max).contains(&count)
            && text == text.trim()
            && !text.contains("  ")
            && text.chars().all(|c| c == ' ' || !c.is_whitespace())
            && !text.chars().any(char::is_control)
    }

    proptest! {
        #[test]
        fn single_line_arbitrary_input_never_panics_and_holds_invariant(raw in any::<String>()) {
            if let Ok(name) = DisplayName::parse(&raw) {
                prop_assert!(single_line_invariant(name.as_str(), 80));
                prop_assert_eq!(DisplayName::parse(name.as_str()), Ok(name.clone()));
            }
            if let Ok(headline) = Headline::parse(&raw) {
                prop_assert!(single_line_invariant(headline.as_str(), 120));
                prop_assert_eq!(Headline::parse(headline.as_str()), Ok(headline.clone()));
            }
            if let Ok(short) = ShortText::parse(&raw) {
                prop_assert!(single_line_invariant(short.as_str(), 120));
                prop_assert_eq!(ShortText::parse(short.as_str()), Ok(short.clone()));
            }
        }

        #[test]
        fn single_line_normalisation_is_idempotent(raw in "[ \t\n]{0,3}[a-zA-Zé ]{1,60}[ \t\r\n]{0,3}") {
            prop_assume!(!raw.trim().is_empty());
            let name = DisplayName::parse(&raw).unwrap();
            prop_assert_eq!(DisplayName::parse(name.as_str()), Ok(name.clone()));
            prop_assert_eq!(
                name.as_str(),
                raw.split_whitespace().collect::<Vec<_>>().join(" ")
            );
        }

        #[test]
        fn bio_arbitrary_input_never_panics_and_holds_invariant(raw in any::<String>()) {
            if let Ok(bio) = Bio::parse(&raw) {
                let text = bio.as_str();
                prop_assert!((1..=2000).contains(&text.chars().count()));
                prop_assert_eq!(text, text.trim());
                prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
                prop_assert_eq!(Bio::parse(text), Ok(bio.clone()));
            }
        }

        #[test]
        fn bio_normalisation_is_idempotent(raw in "[a-z \r\n]{0,3}[a-z]{1,20}[a-z \r\n]{0,300}") {
            let bio = Bio::parse(&raw).unwrap();
            prop_assert!(!bio.as_str().contains('\r'));
            prop_assert_eq!(Bio::parse(bio.as_str()), Ok(bio.clone()));
        }

        #[test]
        fn serde_round_trip(raw in "[a-zA-Z ]{1,80}") {
            prop_assume!(!raw.trim().is_empty());
            let name = DisplayName::parse(&raw).unwrap();
            let json = serde_json::to_string(&name).unwrap();
            prop_assert_eq!(serde_json::from_str::<DisplayName>(&json).unwrap(), name);
        }
    }
}
