//! argon2id password hashing, sized for a 256 MB Lambda.

use std::sync::{Arc, Mutex};

use argon2::password_hash::{Output, ParamsString, PasswordHash, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};

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

fn fail(error: impl std::fmt::Display) -> HashError {
    HashError(error.to_string())
}

/// Hashes and checks passwords with argon2id.
///
/// argon2 needs 19 MiB of working memory per hash. Allocating it per call let glibc
/// keep every freed buffer (RSS grew 19 MiB a request up to ~200 MiB), so the hasher
/// owns one buffer, allocated on first use and reused; a Lambda process hashes one
/// password at a time anyway.
#[derive(Clone)]
pub struct PasswordHasher {
    argon: Argon2<'static>,
    params: Params,
    memory: Arc<Mutex<Vec<Block>>>,
}

impl Default for PasswordHasher {
    fn default() -> Self {
        Self::new()
    }
}

/// Output length of a new hash, bytes.
const OUTPUT_LEN: usize = 32;

impl PasswordHasher {
    /// The platform's hasher.
    pub fn new() -> Self {
        // The constants are valid argon2 parameters; a test checks it.
        let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, Some(OUTPUT_LEN)).unwrap_or_default();
        Self {
            argon: Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone()),
            params,
            memory: Arc::new(Mutex::new(Vec::new())),
        }
    }

    /// Runs argon2id into `out` with the shared working memory.
    fn compute(&self, password: &[u8], salt: &[u8], out: &mut [u8]) -> Result<(), HashError> {
        let mut memory = self.memory.lock().map_err(|_| HashError("hasher memory poisoned".into()))?;
        if memory.len() != self.params.block_count() {
            *memory = vec![Block::default(); self.params.block_count()];
        }
        self.argon.hash_password_into_with_memory(password, salt, out, memory.as_mut_slice()).map_err(fail)
    }

    /// Hashes a new password with a fresh random salt, to PHC string format.
    pub fn hash(&self, password: &Password) -> Result<String, HashError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(fail)?;
        let mut out = [0u8; OUTPUT_LEN];
        self.compute(password.expose().as_bytes(), &salt, &mut out)?;
        let salt = SaltString::encode_b64(&salt).map_err(fail)?;
        let hash = PasswordHash {
            algorithm: argon2::ARGON2ID_IDENT,
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&self.params).map_err(fail)?,
            salt: Some(salt.as_salt()),
            hash: Some(Output::new(&out).map_err(fail)?),
        };
        Ok(hash.to_string())
    }

    /// True when `candidate` matches `stored`. With `None` it checks against a decoy
    /// hash and answers false, taking as long as a real check.
    pub fn verify(&self, candidate: &str, stored: Option<&str>) -> Result<bool, HashError> {
        let (hash, real) = match stored {
            Some(hash) => (hash, true),
            None => (DECOY_HASH, false),
        };
        let parsed = PasswordHash::new(hash).map_err(fail)?;
        let matches = match (Params::try_from(&parsed), parsed.salt, parsed.hash) {
            // Our own format: reuse the shared memory.
            (Ok(params), Some(salt), Some(expected))
                if parsed.algorithm == argon2::ARGON2ID_IDENT && params == self.params =>
            {
                let mut salt_bytes = [0u8; 64];
                let salt_bytes = salt.decode_b64(&mut salt_bytes).map_err(fail)?;
                let mut out = vec![0u8; expected.len()];
                self.compute(candidate.as_bytes(), salt_bytes, &mut out)?;
                // Output's equality is constant-time.
                Output::new(&out).map_err(fail)? == expected
            }
            // Hashes made with other parameters (after a future upgrade) still verify.
            _ => self.argon.verify_password(candidate.as_bytes(), &parsed).is_ok(),
        };
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
        // Equal parameters (output length included) send the decoy down the same path.
        assert_eq!(params, PasswordHasher::new().params);
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
    fn hashes_from_the_library_path_still_verify() {
        use argon2::password_hash::PasswordHasher as _;
        let hasher = PasswordHasher::new();
        let salt = SaltString::encode_b64(b"sixteen byte slt").unwrap();
        let other = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::new(8 * 1024, 1, 1, None).unwrap());
        let hash = other.hash_password(b"correct horse", &salt).unwrap().to_string();
        assert!(hasher.verify("correct horse", Some(&hash)).unwrap());
        assert!(!hasher.verify("wrong horse", Some(&hash)).unwrap());
        // And ours verifies through the library too: the format is standard PHC.
        let ours = hasher.hash(&password("correct horse")).unwrap();
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(Argon2::default().verify_password(b"correct horse", &parsed).is_ok());
    }

    #[test]
    fn unknown_account_never_verifies() {
        let hasher = PasswordHasher::new();
        assert!(!hasher.verify("anything at all", None).unwrap());
    }
}
