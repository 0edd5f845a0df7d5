//! Opaque refresh tokens: `<family id>.<256 random bits>`, stored only as a SHA-256 hash.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// A refresh token as handed to the client. Never stored; only its hash is.
#[derive(Clone, PartialEq, Eq)]
pub struct RefreshToken {
    token: String,
    family_len: usize,
}

impl std::fmt::Debug for RefreshToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "RefreshToken({}.***)", self.family_id())
    }
}

/// A presented refresh token is not in the platform's format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("malformed refresh token")]
pub struct RefreshTokenError;

/// 32 random bytes, base64url without padding.
const SECRET_CHARS: usize = 43;

impl RefreshToken {
    /// A new random token in `family_id`.
    pub fn generate(family_id: &str) -> Result<Self, getrandom::Error> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret)?;
        let token = format!("{family_id}.{}", URL_SAFE_NO_PAD.encode(secret));
        Ok(Self { token, family_len: family_id.len() })
    }

    /// Reads a token presented by a client, checking only its shape.
    pub fn parse(raw: &str) -> Result<Self, RefreshTokenError> {
        let (family, secret) = raw.split_once('.').ok_or(RefreshTokenError)?;
        let family_ok = family.len() == 26 && family.bytes().all(|b| b.is_ascii_alphanumeric());
        let secret_ok =
            secret.len() == SECRET_CHARS && secret.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if family_ok && secret_ok {
            Ok(Self { token: raw.to_owned(), family_len: family.len() })
        } else {
            Err(RefreshTokenError)
        }
    }

    /// The family (sign-in) this token belongs to.
    pub fn family_id(&self) -> &str {
        &self.token[..self.family_len]
    }

    /// The token itself, for the response body.
    pub fn expose(&self) -> &str {
        &self.token
    }

    /// SHA-256 of the token, lowercase hex: the only form that is stored. A fast hash is
    /// right here: the token carries 256 random bits, so there is nothing to brute-force.
    pub fn hash(&self) -> String {
        crate::hex::encode(&Sha256::digest(self.token.as_bytes()))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const FAMILY: &str = "01HZY0M0000000000000000000";

    #[test]
    fn generated_tokens_parse_and_differ() {
        let a = RefreshToken::generate(FAMILY).unwrap();
        let b = RefreshToken::generate(FAMILY).unwrap();
        assert_ne!(a, b);
        assert_ne!(a.hash(), b.hash());
        let parsed = RefreshToken::parse(a.expose()).unwrap();
        assert_eq!(parsed.family_id(), FAMILY);
        assert_eq!(parsed.hash(), a.hash());
        assert_eq!(a.hash().len(), 64);
    }

    #[test]
    fn debug_hides_the_secret() {
        let token = RefreshToken::generate(FAMILY).unwrap();
        let secret = token.expose().split_once('.').unwrap().1.to_owned();
        assert!(!format!("{token:?}").contains(&secret));
    }

    #[test]
    fn malformed_tokens_are_refused() {
        for raw in ["", "abc", "01HZY0M0000000000000000000.", ".x", "01HZY0M0000000000000000000.short"] {
            assert_eq!(RefreshToken::parse(raw), Err(RefreshTokenError), "{raw}");
        }
    }

    proptest! {
        #[test]
        fn parse_never_panics(raw in ".{0,120}") {
            let _ = RefreshToken::parse(&raw);
        }
    }
}
