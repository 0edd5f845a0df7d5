//! Short-lived access tokens: EdDSA (Ed25519) JWTs naming their key (`kid`), with issuer,
//! audience and expiry checked.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::PublicKeys;
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

/// Signs (where the function holds the private key) and checks (where it holds the
/// public keys) access tokens. Built once per cold start.
#[derive(Clone)]
pub struct TokenIssuer {
    /// Expiry is judged by the application's clock, not the library's: a test or the dev
    /// gateway that moves time moves token expiry with it.
    clock: Arc<dyn Clock>,
    /// Only register and login sign: everyone else can read their configuration without
    /// being able to mint a token.
    signer: Option<(EncodingKey, Header)>,
    /// Accepted keys by `kid`; several during a rotation.
    keys: Option<PublicKeys>,
    validation: Validation,
    issuer: String,
    audience: String,
    ttl: chrono::Duration,
}

impl TokenIssuer {
    /// An issuer for the given settings; `clock` judges expiry.
    pub fn new(config: &JwtConfig, clock: Arc<dyn Clock>) -> Self {
        // Pin the algorithm: a token's own header never chooses how it is checked, so an
        // HS256 token (keyed with the public key, say) or `alg: none` is refused.
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[&config.issuer]);
        validation.set_audience(&[&config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        // `exp` is checked in `verify` against `clock` (still required to be present).
        validation.validate_exp = false;
        let signer = config.signing_key.as_ref().map(|key| {
            let mut header = Header::new(Algorithm::EdDSA);
            header.kid = Some(key.kid().to_owned());
            (key.encoding_key(), header)
        });
        Self {
            clock,
            signer,
            keys: config.public_keys.clone(),
            validation,
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
        let (key, header) =
            self.signer.as_ref().ok_or_else(|| TokenError::Signing("this function holds no signing key".into()))?;
        let claims = AccessClaims {
            sub: user.clone(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now.timestamp(),
            exp: (now + self.ttl).timestamp(),
            roles,
        };
        jsonwebtoken::encode(header, &claims, key).map_err(|e| TokenError::Signing(e.to_string()))
    }

    /// Checks the key (by the header's `kid`), signature, algorithm, issuer, audience and
    /// expiry, and returns the claims.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, TokenError> {
        let keys = self.keys.as_ref().ok_or_else(|| TokenError::Rejected("no verification keys".into()))?;
        let header = jsonwebtoken::decode_header(token).map_err(|e| TokenError::Rejected(e.to_string()))?;
        let kid = header.kid.ok_or_else(|| TokenError::Rejected("no kid".into()))?;
        let key = keys.get(&kid).ok_or_else(|| TokenError::Rejected("unknown kid".into()))?;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, &key, &self.validation)
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
    use crate::auth::SigningKey;
    use crate::auth::keys::tests::{OPENSSL_PRIVATE, OPENSSL_PUBLIC};
    use base64::Engine as _;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use std::time::Duration;

    fn config(signing: Option<SigningKey>, public: Option<PublicKeys>, audience: &str) -> JwtConfig {
        JwtConfig {
            signing_key: signing,
            public_keys: public,
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

    fn pair(kid: &str) -> (SigningKey, PublicKeys) {
        SigningKey::generate(kid).unwrap()
    }

    fn issuer(signing: Option<SigningKey>, public: Option<PublicKeys>, audience: &str) -> TokenIssuer {
        TokenIssuer::new(&config(signing, public, audience), Arc::new(Fixed(at())))
    }

    /// Signs and verifies with one fresh key pair.
    fn both(kid: &str) -> TokenIssuer {
        let (signing, public) = pair(kid);
        issuer(Some(signing), Some(public), "peerlearn-api")
    }

    fn user() -> UserId {
        UserId::parse("01HZY0M0000000000000000000").unwrap()
    }

    fn learner() -> Roles {
        Roles::from_requested("learner").unwrap()
    }

    fn payload(token: &str) -> &str {
        token.split('.').nth(1).unwrap()
    }

    #[test]
    fn round_trip_names_the_key() {
        let issuer = both("k1");
        let roles = Roles::from_requested("both").unwrap();
        let token = issuer.issue(&user(), roles, at()).unwrap();
        assert_eq!(jsonwebtoken::decode_header(&token).unwrap().kid.as_deref(), Some("k1"));
        assert_eq!(jsonwebtoken::decode_header(&token).unwrap().alg, Algorithm::EdDSA);
        let claims = issuer.verify(&token).unwrap();
        assert_eq!(claims.sub, user());
        assert!(claims.has_role(Role::Mentor));
        assert!(!claims.has_role(Role::Admin));
    }

    #[test]
    fn an_openssl_key_pair_works() {
        let signing = SigningKey::from_json(&format!(r#"{{"kid":"ops","private_key":"{OPENSSL_PRIVATE}"}}"#)).unwrap();
        let jwks = format!(r#"{{"keys":[{{"kty":"OKP","crv":"Ed25519","kid":"ops","x":"{OPENSSL_PUBLIC}"}}]}}"#);
        let public = PublicKeys::from_jwks(&jwks).unwrap();
        let signer = issuer(Some(signing), None, "peerlearn-api");
        let checker = issuer(None, Some(public), "peerlearn-api");
        let token = signer.issue(&user(), learner(), at()).unwrap();
        assert_eq!(checker.verify(&token).unwrap().sub, user());
    }

    #[test]
    fn verification_accepts_any_key_of_the_set() {
        // A rotation: the old key still signs while the new one is already accepted, then
        // the new one signs while tokens of the old one live out their 15 minutes.
        let (old, old_public) = pair("old");
        let (new, new_public) = pair("new");
        let checker = issuer(None, Some(old_public.with(&new_public).unwrap()), "peerlearn-api");
        for signing in [old, new] {
            let token = issuer(Some(signing), None, "peerlearn-api").issue(&user(), learner(), at()).unwrap();
            assert!(checker.verify(&token).is_ok());
        }
    }

    #[test]
    fn a_checker_cannot_sign_and_a_signer_without_keys_cannot_check() {
        let (signing, public) = pair("k1");
        let checker = issuer(None, Some(public), "peerlearn-api");
        assert!(matches!(checker.issue(&user(), learner(), at()), Err(TokenError::Signing(_))));
        let signer = issuer(Some(signing), None, "peerlearn-api");
        let token = signer.issue(&user(), learner(), at()).unwrap();
        assert!(signer.verify(&token).is_err());
    }

    #[test]
    fn expired_token_is_rejected() {
        let issuer = both("k1");
        let long_ago = at() - chrono::Duration::hours(1);
        let token = issuer.issue(&user(), learner(), long_ago).unwrap();
        assert!(issuer.verify(&token).is_err());
    }

    #[test]
    fn other_key_or_audience_is_rejected() {
        let (signing, public) = pair("k1");
        let ours = issuer(Some(signing.clone()), Some(public.clone()), "peerlearn-api");
        // Another key pair under the same kid: the signature does not hold.
        let forged = both("k1");
        // Another kid altogether: not in the set.
        let unknown = both("k2");
        let elsewhere = issuer(Some(signing), Some(public), "some-other-api");
        assert!(ours.verify(&forged.issue(&user(), learner(), at()).unwrap()).is_err());
        assert!(ours.verify(&unknown.issue(&user(), learner(), at()).unwrap()).is_err());
        assert!(ours.verify(&elsewhere.issue(&user(), learner(), at()).unwrap()).is_err());
    }

    #[test]
    fn hs256_and_unsigned_tokens_are_rejected() {
        let issuer = both("k1");
        let token = issuer.issue(&user(), learner(), at()).unwrap();
        let claims = issuer.verify(&token).unwrap();
        // HS256 under the kid of a real key, keyed with anything an attacker may know.
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        let hs256 = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(b"k1")).unwrap();
        assert!(issuer.verify(&hs256).is_err());
        // {"alg":"none","kid":"k1"} and no signature.
        let none_header = URL_SAFE_NO_PAD.encode(r#"{"alg":"none","typ":"JWT","kid":"k1"}"#);
        assert!(issuer.verify(&format!("{none_header}.{}.", payload(&token))).is_err());
        // The real header and payload with the signature dropped.
        let (signed, _) = token.rsplit_once('.').unwrap();
        assert!(issuer.verify(&format!("{signed}.")).is_err());
    }
}
