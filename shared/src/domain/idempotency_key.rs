//! The `Idempotency-Key` a client sends to retry a request safely.

use super::Invalid;

/// A client's key for one request: a retry with the same key gets the first answer.
///
/// 1 to 100 characters once surrounding whitespace is trimmed, each visible ASCII, a
/// space or a tab (what an HTTP header value can carry as text). Compared byte for byte.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct IdempotencyKey(String);

string_newtype_impls!(IdempotencyKey);

impl IdempotencyKey {
    /// Most characters allowed.
    pub const MAX_CHARS: usize = 100;

    /// Trims `raw` and checks it is 1 to [`Self::MAX_CHARS`] header-safe characters.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let key = raw.trim();
        let header_safe = |c: char| c == '\t' || (' '..='~').contains(&c);
        if key.is_empty() || key.len() > Self::MAX_CHARS || !key.chars().all(header_safe) {
            return Err(Invalid::new("must be 1 to 100 visible characters"));
        }
        Ok(Self(key.to_owned()))
    }

    /// As [`Self::parse`], from a header value's bytes (which need not be text).
    pub fn from_header(raw: &[u8]) -> Result<Self, Invalid> {
        std::str::from_utf8(raw).map_err(|_| Invalid::new("must be 1 to 100 visible characters")).and_then(Self::parse)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const REASON: &str = "must be 1 to 100 visible characters";

    #[test]
    fn surrounding_whitespace_is_trimmed_and_the_rest_kept() {
        assert_eq!(IdempotencyKey::parse("  req 1\t").unwrap().as_str(), "req 1");
        assert_eq!(IdempotencyKey::parse("a\tb").unwrap().as_str(), "a\tb");
        assert_ne!(IdempotencyKey::parse("Key").unwrap(), IdempotencyKey::parse("key").unwrap());
    }

    #[test]
    fn length_boundaries() {
        assert!(IdempotencyKey::parse(&"k".repeat(100)).is_ok());
        assert_eq!(IdempotencyKey::parse(&"k".repeat(101)).unwrap_err().reason(), REASON);
        assert_eq!(IdempotencyKey::parse(&format!(" {} ", "k".repeat(100))).unwrap().as_str().len(), 100);
        for empty in ["", "   ", "\t"] {
            assert_eq!(IdempotencyKey::parse(empty).unwrap_err().reason(), REASON);
        }
    }

    #[test]
    fn characters_a_header_cannot_carry_as_text_are_refused() {
        for bad in ["é", "a\u{7f}b", "a\nb", "key\u{0}", "ключ"] {
            assert_eq!(IdempotencyKey::parse(bad).unwrap_err().reason(), REASON, "{bad:?}");
        }
    }

    #[test]
    fn header_bytes_that_are_not_text_are_refused() {
        assert_eq!(IdempotencyKey::from_header(b" key-1 ").unwrap().as_str(), "key-1");
        assert_eq!(IdempotencyKey::from_header(&[0x6b, 0xff]).unwrap_err().reason(), REASON);
    }

    proptest! {
        #[test]
        fn visible_keys_parse_to_themselves(key in "[!-~]([ -~]{0,98}[!-~])?") {
            let parsed = IdempotencyKey::parse(&key).unwrap();
            prop_assert_eq!(parsed.as_str(), key.as_str());
        }

        #[test]
        fn parsing_is_trimming_then_checking(raw in "[ \t]{0,3}[ -~\t]{0,110}[ \t]{0,3}") {
            let trimmed = raw.trim();
            match IdempotencyKey::parse(&raw) {
                Ok(key) => {
                    prop_assert_eq!(key.as_str(), trimmed);
                    prop_assert!((1..=100).contains(&trimmed.len()));
                }
                Err(_) => prop_assert!(trimmed.is_empty() || trimmed.len() > 100),
            }
        }

        #[test]
        fn a_parsed_key_parses_again_to_itself(raw in "\\PC{0,120}") {
            if let Ok(key) = IdempotencyKey::parse(&raw) {
                prop_assert_eq!(IdempotencyKey::parse(key.as_str()).unwrap(), key);
            }
        }
    }
}
