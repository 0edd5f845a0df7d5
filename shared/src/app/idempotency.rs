//! Idempotent requests: a client's `Idempotency-Key` and body become a request record;
//! the first answer is stored with the change it made, and a retry gets that answer back
//! as long as it sends the same body.

use sha2::{Digest, Sha256};

use super::AppError;
use crate::domain::{Booking, IdempotencyKey, UserId};
use crate::ports::{IdempotentRequest, StoredReply};

/// A request's `Idempotency-Key` and body, as sent.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// The key.
    pub key: IdempotencyKey,
    /// The raw body, fingerprinted so a reused key with another body is refused.
    pub body: Vec<u8>,
}

impl Idempotency {
    /// The record of this request by `user` (keys are per caller): the key and the body's
    /// SHA-256, hex.
    pub fn of(self, user: &UserId) -> IdempotentRequest {
        let fingerprint = crate::hex::encode(&Sha256::digest(&self.body));
        IdempotentRequest { user: user.clone(), key: self.key, fingerprint }
    }
}

/// The first answer to a request that created `booking`, as a retry replays it: 201 with
/// the booking as JSON.
pub fn created(request: &IdempotentRequest, booking: &Booking) -> Result<StoredReply, AppError> {
    let body = serde_json::to_string(booking).map_err(|e| AppError::Encoding(e.to_string()))?;
    Ok(StoredReply { fingerprint: request.fingerprint.clone(), status: 201, body })
}

/// The stored answer for a retry of `request`, or `IdempotencyMismatch` when the key was
/// first used with another body.
pub fn replay(request: &IdempotentRequest, stored: StoredReply) -> Result<StoredReply, AppError> {
    if stored.fingerprint != request.fingerprint {
        return Err(AppError::IdempotencyMismatch);
    }
    Ok(stored)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn request(body: &str) -> IdempotentRequest {
        let user = UserId::parse("01JDQ3Z5W4K8N2P6R9T1V3X5Z7").unwrap();
        Idempotency { key: IdempotencyKey::parse("retry-1").unwrap(), body: body.as_bytes().to_vec() }.of(&user)
    }

    #[test]
    fn the_fingerprint_is_the_bodys_sha256() {
        assert_eq!(request("").fingerprint, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(request("{\"a\":1}").fingerprint, request("{\"a\":1}").fingerprint);
        assert_ne!(request("{\"a\":1}").fingerprint, request("{\"a\": 1}").fingerprint, "byte for byte");
        assert_eq!(request("x").key.as_str(), "retry-1");
    }

    #[test]
    fn a_retry_with_the_same_body_gets_the_first_answer() {
        let first = StoredReply { fingerprint: request("same").fingerprint, status: 201, body: "{}".into() };
        assert_eq!(replay(&request("same"), first.clone()).unwrap(), first);
    }

    #[test]
    fn a_retry_with_another_body_is_refused() {
        let first = StoredReply { fingerprint: request("first").fingerprint, status: 201, body: "{}".into() };
        assert!(matches!(replay(&request("second"), first), Err(AppError::IdempotencyMismatch)));
    }
}
