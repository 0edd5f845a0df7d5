//! Email tokens: the single-use secret in a verification or password-reset link, 256
//! random bits, stored only as a SHA-256 hash.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A token as mailed to the member. Never stored; only its hash is.
#[derive(Clone, PartialEq, Eq)]
pub struct EmailToken(String);

impl std::fmt::Debug for EmailToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EmailToken(***)")
    }
}

/// A presented token is not in the platform's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed email token")]
pub struct EmailTokenError;

/// 32 random bytes, base64url without padding.
const CHARS: usize = 43;

impl EmailToken {
    /// A new random token.
    pub fn generate() -> Result<Self, getrandom::Error> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)?;
        Ok(Self(URL_SAFE_NO_PAD.encode(secret)))
    }

    /// Reads a token presented by a client, checking only its shape.
    pub fn parse(raw: &str) -> Result<Self, EmailTokenError> {
        let raw = raw.trim();
        let shaped = raw.len() == CHARS && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if shaped { Ok(Self(raw.to_owned())) } else { Err(EmailTokenError) }
    }

    /// The token itself, for the link in the mail.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// SHA-256 of the token, lowercase hex: the only form that is stored (256 random bits
    /// leave nothing to brute-force, so a fast hash is right).
    pub fn hash(&self) -> String {
        crate::hex::encode(&Sha256::digest(self.0.as_bytes()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_generated_token_parses_back_and_hashes_the_same() {
        let token = EmailToken::generate().unwrap();
        let parsed = EmailToken::parse(token.expose()).unwrap();
        assert_eq!(parsed.hash(), token.hash());
        assert_eq!(token.hash().len(), 64);
        assert_ne!(EmailToken::generate().unwrap(), token);
    }

    #[test]
    fn the_debug_form_never_shows_the_secret() {
        let token = EmailToken::generate().unwrap();
        assert!(!format!("{token:?}").contains(token.expose()));
    }

    #[test]
    fn wrong_shapes_are_refused() {
        for raw in ["", "short", &"a".repeat(42), &"a".repeat(44), &format!("{}=", "a".repeat(42)), &"é".repeat(43)] {
            assert_eq!(EmailToken::parse(raw), Err(EmailTokenError), "{raw:?}");
        }
    }

    proptest! {
        #[test]
        fn only_43_base64url_characters_parse(raw in "[A-Za-z0-9_=.+/-]{40,46}") {
            let shaped = raw.len() == 43 && raw.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
            prop_assert_eq!(EmailToken::parse(&raw).is_ok(), shaped);
        }
    }
}
