//! What a reporting member says happened: the text an admin reads in the report queue.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;
use super::text::parse_multi_line;

/// A report's account of what happened: 1 to 2000 characters, line breaks kept
/// (normalised to `\n`), no other control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Kept messaging me after I said no.")]
pub struct ReportDetails(String);

string_newtype_impls!(ReportDetails);

impl ReportDetails {
    /// Most characters allowed after normalisation.
    pub const MAX_CHARS: usize = 2000;

    /// Normalises line breaks, trims, and checks it is 1 to 2000 characters with no
    /// control characters other than `\n`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        parse_multi_line(raw, Self::MAX_CHARS).map(Self)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn keeps_lines_and_refuses_blank_or_control_characters() {
        assert_eq!(ReportDetails::parse(" First.\r\nThen this. ").unwrap().as_str(), "First.\nThen this.");
        assert_eq!(ReportDetails::parse(" \n ").unwrap_err().reason(), "must not be empty");
        assert!(ReportDetails::parse("a\u{7}b").is_err());
        assert!(ReportDetails::parse(&"é".repeat(2000)).is_ok(), "characters, not bytes");
        assert_eq!(ReportDetails::parse(&"x".repeat(2001)).unwrap_err().reason(), "must be at most 2000 characters");
        assert!(serde_json::from_str::<ReportDetails>("\"\"").is_err(), "serde goes through the rules");
    }

    proptest! {
        #[test]
        fn what_parses_holds_the_rules_and_parses_again(raw in any::<String>()) {
            if let Ok(details) = ReportDetails::parse(&raw) {
                let text = details.as_str();
                prop_assert!((1..=ReportDetails::MAX_CHARS).contains(&text.chars().count()));
                prop_assert_eq!(text, text.trim());
                prop_assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
                prop_assert_eq!(ReportDetails::parse(text), Ok(details.clone()));
            }
        }
    }
}
