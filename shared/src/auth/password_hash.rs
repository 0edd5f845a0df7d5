//! argon2id password hashing, sized for a 256 MB Lambda.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::Password;

/// OWASP's argon2id baseline: 19 MiB, 2 passes, 1 lane. It fits a 256 MB function with
/// room to spare and costs tens of milliseconds there; raising it buys little against
/// a per-account throttle and costs every sign-in.
const MEMORY_KIB: u32 = 19 * 1024;
const ITERATIONS: u32 = 2;
const LANES: u32 = 1;

/// A hash of an unguessable password made with the parameters above. Checking a
/// password against it costs what checking a real account costs, so an unknown email
/// answers in the same time as a wrong password.
const DECOY_HASH: &str =
    "$argon2id$v=19$m=19456,t=2,p=1$cGVlcmxlYXJuLWRlY295$Ld1i8j2Ms6Q9mPzs5RvU1MFh4k6PpbmS3Qz3HgF0Eq0";

/// Hashing or checking a password failed for a reason other than a wrong password.
#[derive(Debug, thiserror::Error)]
#[error("password hashing failed: {0}")]
pub struct HashError(String);

/// Hashes and checks passwords with argon2id.
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

impl PasswordHasher {
    /// The platform's hasher.
    pub fn new() -> Self {
        // The constants are valid argon2 parameters; a test checks it.
        let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None).unwrap_or_default();
        Self { argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params) }
    }

    /// Hashes a new password with a fresh random salt, to PHC string format.
    pub fn hash(&self, password: &Password) -> Result<String, HashError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| HashError(e.to_string()))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
        self.argon
            .hash_password(password.expose().as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(|e| HashError(e.to_string()))
    }

    /// True when `candidate` matches `stored`. With `None` it checks against a decoy
    /// hash and answers false, taking as long as a real check.
    pub fn verify(&self, candidate: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let (hash, real) = match stored {
            Some(hash) => (hash, true),
            None => (DECOY_HASH, false),
        };
        let parsed = PasswordHash::new(hash).map_err(|e| HashError(e.to_string()))?;
        let matches = self.argon.verify_password(candidate.as_bytes(), &parsed).is_ok();
        Ok(matches && real)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::Email;

    fn password(raw: &str) -> Password {
        Password::parse(raw, &Email::parse("a@example.com").unwrap()).unwrap()
    }

    #[test]
    fn parameters_are_valid_and_match_the_decoy() {
        assert!(Params::new(MEMORY_KIB, ITERATIONS, LANES, None).is_ok());
        let decoy = PasswordHash::new(DECOY_HASH).unwrap();
        let params = Params::try_from(&decoy).unwrap();
        assert_eq!((params.m_cost(), params.t_cost(), params.p_cost()), (MEMORY_KIB, ITERATIONS, LANES));
        assert_eq!(decoy.algorithm.as_str(), "argon2id");
    }

    #[test]
    fn hash_then_verify() {
        let hasher = PasswordHasher::new();
        let hash = hasher.hash(&password("correct horse")).unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(hasher.verify("correct horse", Some(&hash)).unwrap());
        assert!(!hasher.verify("wrong horse!", Some(&hash)).unwrap());
    }

    #[test]
    fn salts_differ() {
        let hasher = PasswordHasher::new();
        let p = password("correct horse");
        assert_ne!(hasher.hash(&p).unwrap(), hasher.hash(&p).unwrap());
    }

    #[test]
    fn unknown_account_never_verifies() {
        let hasher = PasswordHasher::new();
        assert!(!hasher.verify("anything at all", None).unwrap());
    }
}
