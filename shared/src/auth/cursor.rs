//! Pagination cursors: opaque to clients, tamper-evident, and bound to their query.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use super::CursorKey;

type HmacSha256 = Hmac<Sha256>;

/// A presented cursor was not issued by us for this query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cursor is not valid for this query")]
pub struct CursorError;

/// Signs and checks cursors, under a key of their own (`CURSOR_KEY`, only in functions
/// that page), derived with a fixed label so the raw secret is never the MAC key itself.
#[derive(Clone)]
pub struct CursorSigner {
    /// `None` in functions that do not page: their cursors carry no valid tag, and none
    /// verifies. Functions that page must have a key to start (`config::Keys`).
    key: Option<[u8; 32]>,
}

impl CursorSigner {
    /// A signer keyed from `key`.
    pub fn new(key: &CursorKey) -> Self {
        Self::from_secret(key.bytes())
    }

    /// A signer without a key, for functions that do not page.
    pub fn without_key() -> Self {
        Self { key: None }
    }

    fn from_secret(secret: &[u8]) -> Self {
        let root: [u8; 32] = Sha256::digest(secret).into();
        let mut mac = keyed(&root);
        mac.update(b"peerlearn/cursor/v1");
        Self { key: Some(mac.finalize().into_bytes().into()) }
    }

    fn tag(&self, scope: &str, payload: &str) -> Option<HmacSha256> {
        let mut mac = keyed(self.key.as_ref()?);
        mac.update(scope.as_bytes());
        mac.update(b"\0");
        mac.update(payload.as_bytes());
        Some(mac)
    }

    /// A cursor for `offset` within the query whose fingerprint is `scope`.
    pub fn sign(&self, scope: &str, offset: usize) -> String {
        self.sign_position(scope, &offset.to_string())
    }

    /// The offset in a cursor issued by [`Self::sign`] for the same `scope`.
    pub fn verify(&self, scope: &str, cursor: &str) -> Result<usize, CursorError> {
        self.verify_position(scope, cursor)?.parse().map_err(|_| CursorError)
    }

    /// A cursor carrying an arbitrary position (e.g. the last key read) within `scope`.
    pub fn sign_position(&self, scope: &str, position: &str) -> String {
        let tag = self.tag(scope, position).map(|mac| URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()));
        format!("{}.{}", URL_SAFE_NO_PAD.encode(position), tag.unwrap_or_default())
    }

    /// The position in a cursor issued by [`Self::sign_position`] for the same `scope`.
    pub fn verify_position(&self, scope: &str, cursor: &str) -> Result<String, CursorError> {
        let (payload, tag) = cursor.split_once('.').ok_or(CursorError)?;
        let payload =
            String::from_utf8(URL_SAFE_NO_PAD.decode(payload).map_err(|_| CursorError)?).map_err(|_| CursorError)?;
        let tag = URL_SAFE_NO_PAD.decode(tag).map_err(|_| CursorError)?;
        // verify_slice compares in constant time.
        self.tag(scope, &payload).ok_or(CursorError)?.verify_slice(&tag).map_err(|_| CursorError)?;
        Ok(payload)
    }
}

/// HMAC-SHA256 under a 32-byte key. HMAC zero-pads keys shorter than its 64-byte block,
/// so padding here is the standard construction, and the fixed-size constructor cannot fail.
fn keyed(key: &[u8; 32]) -> HmacSha256 {
    let mut block = [0u8; 64];
    block[..32].copy_from_slice(key);
    <HmacSha256 as KeyInit>::new(&block.into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn round_trip_and_binding() {
        let signer = CursorSigner::from_secret(b"a deployment secret of some length");
        let cursor = signer.sign("skills=rust;sort=rating", 40);
        assert_eq!(signer.verify("skills=rust;sort=rating", &cursor), Ok(40));
        assert_eq!(signer.verify("skills=go;sort=rating", &cursor), Err(CursorError), "bound to its query");
        let other = CursorSigner::from_secret(b"another deployment secret entirely");
        assert_eq!(other.verify("skills=rust;sort=rating", &cursor), Err(CursorError), "bound to its key");
    }

    #[test]
    fn tampering_is_detected() {
        let signer = CursorSigner::from_secret(b"secret");
        let cursor = signer.sign("q", 20);
        let (_, tag) = cursor.split_once('.').unwrap();
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode("2000"));
        assert_eq!(signer.verify("q", &forged), Err(CursorError));
        for junk in ["", ".", "abc", "MjA.", "MjA.!!!"] {
            assert_eq!(signer.verify("q", junk), Err(CursorError));
        }
    }

    #[test]
    fn without_a_key_nothing_verifies() {
        let signer = CursorSigner::without_key();
        assert_eq!(signer.verify("q", &signer.sign("q", 20)), Err(CursorError));
        let keyed = CursorSigner::from_secret(b"secret");
        assert_eq!(signer.verify("q", &keyed.sign("q", 20)), Err(CursorError));
    }

    proptest! {
        #[test]
        fn verify_never_panics(raw in ".{0,200}") {
            let _ = CursorSigner::from_secret(b"secret").verify("q", &raw);
        }
    }
}
