//! What a mentor tells the admins about themself when asking to be verified.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// A mentor's statement for verification: trimmed, 1 to
/// [`VerificationStatement::MAX_CHARS`] characters, line breaks kept (as `\n`), no other
/// control characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Final-year CS student; I have tutored first-years in Rust for two years.")]
pub struct VerificationStatement(String);

string_newtype_impls!(VerificationStatement);

impl VerificationStatement {
    /// Most characters allowed after trimming: a short statement, not a CV.
    pub const MAX_CHARS: usize = 1000;

    /// Normalises line breaks, trims, and checks it is 1 to 1000 characters with no
    /// control characters other than `\n`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        super::text::parse_multi_line(raw, Self::MAX_CHARS).map(Self)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn trimmed_non_empty_and_bounded() {
        assert_eq!(
            VerificationStatement::parse("  I teach Rust.\r\nAsk me.  ").unwrap().as_str(),
            "I teach Rust.\nAsk me."
        );
        assert_eq!(VerificationStatement::parse(" \n ").unwrap_err().reason(), "must not be empty");
        assert!(VerificationStatement::parse(&"é".repeat(1000)).is_ok());
        assert_eq!(
            VerificationStatement::parse(&"x".repeat(1001)).unwrap_err().reason(),
            "must be at most 1000 characters"
        );
        assert!(VerificationStatement::parse("nul\u{0}").is_err());
        assert!(serde_json::from_str::<VerificationStatement>("\"\"").is_err());
    }

    proptest! {
        #[test]
        fn a_statement_is_stable_under_reparsing(raw in "\\PC{0,1100}") {
            if let Ok(statement) = VerificationStatement::parse(&raw) {
                prop_assert_eq!(statement.as_str(), statement.as_str().trim());
                prop_assert!(!statement.as_str().is_empty());
                prop_assert!(statement.as_str().chars().count() <= VerificationStatement::MAX_CHARS);
                prop_assert_eq!(VerificationStatement::parse(statement.as_str()).unwrap(), statement.clone());
            } else {
                let trimmed = raw.trim();
                prop_assert!(trimmed.is_empty() || trimmed.chars().count() > VerificationStatement::MAX_CHARS
                    || trimmed.chars().any(|c| c.is_control() && c != '\n' && c != '\r'));
            }
        }
    }
}
