//! Short-lived access tokens: HS256 JWTs with issuer, audience and expiry checked.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::config::JwtConfig;
use crate::domain::{Role, Roles, UserId};
use crate::ports::Clock;

/// Seconds of clock skew tolerated on `exp`.
const LEEWAY_SECONDS: i64 = 30;

/// The claims Peerlearn puts in an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// The user.
    pub sub: UserId,
    /// Who issued it.
    pub iss: String,
    /// Who it is for.
    pub aud: String,
    /// Issued at, seconds since the epoch.
    pub iat: i64,
    /// Expires at, seconds since the epoch.
    pub exp: i64,
    /// The user's roles when the token was issued.
    pub roles: Roles,
}

impl AccessClaims {
    /// True when the token grants `role`.
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.contains(role)
    }
}

/// An access token could not be made or is not acceptable.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Expired, forged, for another audience, or not a JWT at all.
    #[error("access token rejected: {0}")]
    Rejected(String),
    /// Signing failed.
    #[error("access token could not be signed: {0}")]
    Signing(String),
}

/// Signs and checks access tokens. Built once per cold start.
#[derive(Clone)]
pub struct TokenIssuer {
    /// Expiry is judged by the application's clock, not the library's: a test or the dev
    /// gateway that moves time moves token expiry with it.
    clock: Arc<dyn Clock>,
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    header: Header,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
}

impl TokenIssuer {
    /// An issuer for the given settings; `clock` judges expiry.
    pub fn new(config: &JwtConfig, clock: Arc<dyn Clock>) -> Self {
        let secret = config.secret.as_bytes();
        // Pin the algorithm: a token's own header never chooses how it is checked.
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // `exp` is checked in `verify` against `clock` (still required to be present).
        validation.validate_exp = false;
        Self {
            clock,
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            header: Header::new(Algorithm::HS256),
            issuer: config.issuer.clone(),
            audience: config.audience.clone(),
            ttl: chrono::Duration::from_std(config.access_ttl).unwrap_or(chrono::Duration::minutes(15)),
        }
    }

    /// How long a new token lives, in seconds.
    pub fn ttl_seconds(&self) -> i64 {
        self.ttl.num_seconds()
    }

    /// Signs a token for `user` with `roles`, valid from `now`.
    pub fn issue(&self, user: &UserId, roles: Roles, now: DateTime<Utc>) -> Result<String, TokenError> {
        let claims = AccessClaims {
            sub: user.clone(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
            roles,
        };
        jsonwebtoken::encode(&self.header, &claims, &self.encoding).map_err(|e| TokenError::Signing(e.to_string()))
    }

    /// Checks signature, algorithm, issuer, audience and expiry, and returns the claims.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| TokenError::Rejected(e.to_string()))?;
        if claims.exp + LEEWAY_SECONDS <= self.clock.now().timestamp() {
            return Err(TokenError::Rejected("expired".into()));
        }
        Ok(claims)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn config(secret: &str, audience: &str) -> JwtConfig {
        JwtConfig {
            secret: secret.into(),
            issuer: "peerlearn".into(),
            audience: audience.into(),
            access_ttl: Duration::from_secs(900),
        }
    }

    /// 2026-03-04T09:00:00Z: tests name their instant.
    fn at() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-04T09:00:00Z").unwrap().with_timezone(&Utc)
    }

    #[derive(Debug)]
    struct Fixed(DateTime<Utc>);
    impl Clock for Fixed {
        fn now(&self) -> DateTime<Utc> {
            self.0
        }
    }

    fn issuer(secret: &str, audience: &str) -> TokenIssuer {
        TokenIssuer::new(&config(secret, audience), Arc::new(Fixed(at())))
    }

    fn user() -> UserId {
        UserId::parse("01HZY0M0000000000000000000").unwrap()
    }

    const SECRET: &str = "0123456789abcdef0123456789abcdef";

    #[test]
    fn round_trip() {
        let issuer = issuer(SECRET, "peerlearn-api");
        let roles = Roles::from_requested("both").unwrap();
        let token = issuer.issue(&user(), roles, at()).unwrap();
        let claims = issuer.verify(&token).unwrap();
        assert_eq!(claims.sub, user());
        assert!(claims.has_role(Role::Mentor));
        assert!(!claims.has_role(Role::Admin));
    }

    #[test]
    fn expired_token_is_rejected() {
        let issuer = issuer(SECRET, "peerlearn-api");
        let long_ago = at() - chrono::Duration::hours(1);
        let token = issuer.issue(&user(), Roles::from_requested("learner").unwrap(), long_ago).unwrap();
        assert!(issuer.verify(&token).is_err());
    }

    #[test]
    fn other_key_or_audience_is_rejected() {
        let ours = issuer(SECRET, "peerlearn-api");
        let forged = issuer("another-secret-another-secret-xx", "peerlearn-api");
        let elsewhere = issuer(SECRET, "some-other-api");
        let roles = Roles::from_requested("learner").unwrap();
        assert!(ours.verify(&forged.issue(&user(), roles, at()).unwrap()).is_err());
        assert!(ours.verify(&elsewhere.issue(&user(), roles, at()).unwrap()).is_err());
    }

    #[test]
    fn unsigned_token_is_rejected() {
        let issuer = issuer(SECRET, "peerlearn-api");
        let token = issuer.issue(&user(), Roles::from_requested("learner").unwrap(), at()).unwrap();
        // Swap the header for {"alg":"none"} and drop the signature.
        let payload = token.split('.').nth(1).unwrap();
        let none = format!("eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{payload}.");
        assert!(issuer.verify(&none).is_err());
    }
}
