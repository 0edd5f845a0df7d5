//! Why a session was called off, as the canceller types it (POST /sessions/{id}/cancel).

use super::Invalid;

/// The most characters a cancel reason may have.
pub const MAX_CANCEL_REASON_CHARS: usize = 500;

/// A trimmed, non-empty reason of at most [`MAX_CANCEL_REASON_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CancelReason(String);

impl CancelReason {
    /// The reason in `raw`, or `None` when it is blank (saying nothing is allowed).
    pub fn parse(raw: &str) -> Result<Option<Self>, Invalid> {
        let trimmed = raw.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        if trimmed.chars().count() > MAX_CANCEL_REASON_CHARS {
            return Err(Invalid::new("must be at most 500 characters"));
        }
        Ok(Some(Self(trimmed.to_owned())))
    }

    /// The text.
    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn blank_is_no_reason_and_text_is_trimmed() {
        assert_eq!(CancelReason::parse("").unwrap(), None);
        assert_eq!(CancelReason::parse(" \n\t ").unwrap(), None);
        assert_eq!(CancelReason::parse("  ill today ").unwrap().unwrap().into_string(), "ill today");
    }

    #[test]
    fn at_most_five_hundred_characters_after_trimming() {
        assert!(CancelReason::parse(&"é".repeat(500)).unwrap().is_some(), "characters, not bytes");
        assert!(CancelReason::parse(&format!("  {}  ", "x".repeat(500))).unwrap().is_some());
        assert_eq!(CancelReason::parse(&"x".repeat(501)).unwrap_err().reason(), "must be at most 500 characters");
    }

    proptest! {
        #[test]
        fn a_reason_is_the_trimmed_text_when_short_enough(raw in "\\PC{0,600}") {
            let trimmed = raw.trim();
            match CancelReason::parse(&raw) {
                Ok(Some(reason)) => prop_assert_eq!(reason.into_string(), trimmed),
                Ok(None) => prop_assert!(trimmed.is_empty()),
                Err(_) => prop_assert!(trimmed.chars().count() > MAX_CANCEL_REASON_CHARS),
            }
        }
    }
}
