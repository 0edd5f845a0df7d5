//! Google ID tokens (Sign in with Google): RS256 JWTs checked against the keys Google
//! publishes (a JWKS), for issuer, audience, expiry and a verified email. The identity is
//! Google's `sub`, never the email (an address can change hands; a subject cannot).
//!
//! Pure: the keys are given. [`GoogleKeyCache`] holds them per cold start, fetching through
//! a [`KeyFetch`] only when a token names a key it does not have or the keys went stale.

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tokio::sync::RwLock;

use crate::ports::BoxFuture;

/// The issuers Google signs ID tokens as.
pub const GOOGLE_ISSUERS: [&str; 2] = ["accounts.google.com", "https://accounts.google.com"];
/// Where Google publishes its signing keys.
pub const GOOGLE_JWKS_URL: &str = "https://www.googleapis.com/oauth2/v3/certs";

/// Seconds of clock skew tolerated on `exp` (as for the platform's own tokens).
const LEEWAY_SECONDS: i64 = 30;
/// Keys are kept this long when the answer says nothing (Google's own say about 6 hours).
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(3600);
/// ... and never longer than this, whatever it says.
const LONGEST_MAX_AGE: Duration = Duration::from_secs(24 * 3600);
/// A token naming an unknown key refetches at most this often: tokens with made-up key
/// ids must not make every sign-in a call to Google.
const REFETCH_AT_MOST_EVERY: chrono::Duration = chrono::Duration::seconds(60);

/// Why a Google ID token is not accepted. Nothing says which part of a forged token was
/// wrong beyond what a client needs to act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GoogleTokenError {
    /// Not a JWT, or not an RS256 one naming its key.
    #[error("not a Google ID token")]
    Malformed,
    /// Signed with a key Google does not publish (forged, or far too old).
    #[error("signed with a key Google does not publish")]
    UnknownKey,
    /// Bad signature, another issuer or another audience.
    #[error("Google ID token rejected: {0}")]
    Rejected(String),
    /// Past its expiry.
    #[error("the Google ID token has expired")]
    Expired,
    /// Google has not verified the account's email address.
    #[error("the Google account's email is not verified")]
    EmailNotVerified,
    /// Google's keys could not be fetched or read.
    #[error("Google's signing keys are unavailable: {0}")]
    KeysUnavailable(String),
}

/// Who a valid token speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoogleIdentity {
    /// Google's stable id of the account (`sub`).
    pub subject: String,
    /// The account's email, verified by Google.
    pub email: String,
    /// The name on the account, when the token carries one.
    pub name: Option<String>,
}

/// The claims read from a Google ID token.
#[derive(Debug, Deserialize)]
struct GoogleClaims {
    sub: String,
    exp: i64,
    #[serde(default)]
    email: Option<String>,
    #[serde(default, deserialize_with = "flag")]
    email_verified: bool,
    #[serde(default)]
    name: Option<String>,
}

/// Google writes `email_verified` as a boolean; older tokens wrote the string `"true"`.
fn flag<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Text(String),
    }
    Ok(match Flag::deserialize(deserializer)? {
        Flag::Bool(value) => value,
        Flag::Text(text) => text == "true",
    })
}

/// Google's published keys, by key id: RSA keys for RS256 signatures only.
#[derive(Clone, Default)]
pub struct GoogleKeys(HashMap<String, DecodingKey>);

impl std::fmt::Debug for GoogleKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set().entries(self.0.keys()).finish()
    }
}

impl GoogleKeys {
    /// Reads a JWKS document. Keys of another type or use are skipped, so one key of an
    /// unexpected shape never makes the others unusable.
    pub fn parse(document: &[u8]) -> Result<Self, GoogleTokenError> {
        #[derive(Deserialize)]
        struct Document {
            keys: Vec<serde_json::Value>,
        }
        let document: Document = serde_json::from_slice(document)
            .map_err(|error| GoogleTokenError::KeysUnavailable(format!("not a JWKS: {error}")))?;
        let text = |key: &serde_json::Value, name: &str| key.get(name).and_then(|v| v.as_str()).map(str::to_owned);
        let keys = document
            .keys
            .iter()
            .filter(|key| text(key, "kty").as_deref() == Some("RSA"))
            .filter(|key| text(key, "alg").is_none_or(|alg| alg == "RS256"))
            .filter(|key| text(key, "use").is_none_or(|usage| usage == "sig"))
            .filter_map(|key| {
                let (kid, n, e) = (text(key, "kid")?, text(key, "n")?, text(key, "e")?);
                DecodingKey::from_rsa_components(&n, &e).ok().map(|decoding| (kid, decoding))
            })
            .collect();
        Ok(Self(keys))
    }

    /// The key `kid`, if published.
    fn get(&self, kid: &str) -> Option<&DecodingKey> {
        self.0.get(kid)
    }
}

/// The key id a token names (its header's `kid`), read without trusting anything else.
pub fn key_id(token: &str) -> Result<String, GoogleTokenError> {
    let header = jsonwebtoken::decode_header(token).map_err(|_| GoogleTokenError::Malformed)?;
    if header.alg != Algorithm::RS256 {
        return Err(GoogleTokenError::Malformed);
    }
    header.kid.ok_or(GoogleTokenError::Malformed)
}

/// Checks `token` against `keys` at `now`: signed by one of them with RS256, issued by
/// Google, for one of `audiences` (the platform's client ids: none means nothing is
/// accepted), not expired, and with an email Google verified.
pub fn verify(
    token: &str,
    keys: &GoogleKeys,
    audiences: &[String],
    now: DateTime<Utc>,
) -> Result<GoogleIdentity, GoogleTokenError> {
    let kid = key_id(token)?;
    let key = keys.get(&kid).ok_or(GoogleTokenError::UnknownKey)?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.set_issuer(&GOOGLE_ISSUERS);
    validation.set_audience(audiences);
    validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
    // Expiry is judged by the platform's clock (movable locally, pinned in tests).
    validation.validate_exp = false;
    let claims = jsonwebtoken::decode::<GoogleClaims>(token, key, &validation)
        .map_err(|error| GoogleTokenError::Rejected(error.kind_name()))?
        .claims;
    if claims.exp + LEEWAY_SECONDS <= now.timestamp() {
        return Err(GoogleTokenError::Expired);
    }
    let email = claims.email.filter(|_| claims.email_verified).ok_or(GoogleTokenError::EmailNotVerified)?;
    if claims.sub.is_empty() || claims.sub.len() > 255 {
        return Err(GoogleTokenError::Rejected("subject".into()));
    }
    Ok(GoogleIdentity { subject: claims.sub, email, name: claims.name })
}

/// A short name for why jsonwebtoken refused a token, for logs and the problem detail.
trait KindName {
    fn kind_name(&self) -> String;
}

impl KindName for jsonwebtoken::errors::Error {
    fn kind_name(&self) -> String {
        use jsonwebtoken::errors::ErrorKind;
        match self.kind() {
            ErrorKind::InvalidSignature => "signature".into(),
            ErrorKind::InvalidIssuer => "issuer".into(),
            ErrorKind::InvalidAudience => "audience".into(),
            ErrorKind::MissingRequiredClaim(claim) => format!("missing {claim}"),
            ErrorKind::InvalidAlgorithm => "algorithm".into(),
            _ => "malformed".into(),
        }
    }
}

/// One fetch of the published keys: the document and how long it may be kept (from its
/// `Cache-Control: max-age`, when it says).
#[derive(Debug, Clone)]
pub struct FetchedKeys {
    /// The JWKS document.
    pub document: Vec<u8>,
    /// The answer's `max-age`.
    pub max_age: Option<Duration>,
}

/// Fetches Google's published keys (HTTPS in production, the dev gateway locally).
pub trait KeyFetch: Send + Sync {
    /// The current JWKS.
    fn fetch(&self) -> BoxFuture<'_, Result<FetchedKeys, GoogleTokenError>>;
}

/// The keys of one process: nothing is fetched at cold start; the first Google sign-in
/// fetches them, and they are kept as long as Google says, refetched early only for a
/// token naming a key not in them (Google rotates keys), at most once a minute.
pub struct GoogleKeyCache {
    fetch: Box<dyn KeyFetch>,
    audiences: Vec<String>,
    held: RwLock<Held>,
}

#[derive(Default)]
struct Held {
    keys: GoogleKeys,
    fresh_until: Option<DateTime<Utc>>,
    /// When a token naming an unknown key last made the keys be fetched early.
    forced_at: Option<DateTime<Utc>>,
}

impl std::fmt::Debug for GoogleKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GoogleKeyCache").field("audiences", &self.audiences).finish_non_exhaustive()
    }
}

impl GoogleKeyCache {
    /// A cache fetching through `fetch`, accepting tokens for `audiences`.
    pub fn new(fetch: Box<dyn KeyFetch>, audiences: Vec<String>) -> Self {
        Self { fetch, audiences, held: RwLock::new(Held::default()) }
    }

    /// Checks `token` at `now` (see [`verify`]), fetching the keys when needed.
    pub async fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<GoogleIdentity, GoogleTokenError> {
        let kid = key_id(token)?;
        {
            let held = self.held.read().await;
            let fresh = held.fresh_until.is_some_and(|until| now < until);
            if fresh && held.keys.get(&kid).is_some() {
                return verify(token, &held.keys, &self.audiences, now);
            }
        }
        let mut held = self.held.write().await;
        // Checked again: another request may have fetched while this one waited.
        let fresh = held.fresh_until.is_some_and(|until| now < until);
        let known = held.keys.get(&kid).is_some();
        let forced_recently = held.forced_at.is_some_and(|at| now - at < REFETCH_AT_MOST_EVERY);
        let fetch = !fresh || (!known && !forced_recently);
        if fetch {
            if fresh {
                held.forced_at = Some(now);
            }
            match self.fetch.fetch().await {
                Ok(fetched) => {
                    let max_age = fetched.max_age.unwrap_or(DEFAULT_MAX_AGE).min(LONGEST_MAX_AGE);
                    held.keys = GoogleKeys::parse(&fetched.document)?;
                    held.fresh_until = chrono::Duration::from_std(max_age).ok().map(|age| now + age);
                }
                // Google unreachable: stale keys still verify what they can.
                Err(error) if held.keys.0.is_empty() => return Err(error),
                Err(error) => tracing::warn!(%error, "Google's keys could not be refetched; using the last ones"),
            }
        }
        verify(token, &held.keys, &self.audiences, now)
    }
}

/// The `max-age` of a `Cache-Control` header, if it gives one.
pub fn max_age(cache_control: &str) -> Option<Duration> {
    cache_control
        .split(',')
        .filter_map(|directive| directive.trim().strip_prefix("max-age="))
        .find_map(|seconds| seconds.trim().parse::<u64>().ok())
        .map(Duration::from_secs)
}

/// Test helpers: an RSA key that signs ID tokens the way Google does, and its JWKS. Used
/// by the unit tests here, the dev gateway (which serves a local JWKS) and the tests.
pub mod testing {
    use aws_lc_rs::rand::SystemRandom;
    use aws_lc_rs::rsa::{KeyPair, KeySize, PublicKeyComponents};
    use aws_lc_rs::signature::{KeyPair as _, RSA_PKCS1_SHA256};
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    /// An RS256 signing key with its key id.
    pub struct TestGoogleKey {
        kid: String,
        pair: KeyPair,
    }

    impl std::fmt::Debug for TestGoogleKey {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.debug_struct("TestGoogleKey").field("kid", &self.kid).finish_non_exhaustive()
        }
    }

    impl TestGoogleKey {
        /// A fresh 2048-bit key named `kid`; `None` if the platform cannot make one.
        pub fn generate(kid: &str) -> Option<Self> {
            KeyPair::generate(KeySize::Rsa2048).ok().map(|pair| Self { kid: kid.to_owned(), pair })
        }

        /// The key's public half as a JWK.
        pub fn jwk(&self) -> serde_json::Value {
            let public = PublicKeyComponents::<Vec<u8>>::from(self.pair.public_key());
            serde_json::json!({
                "kty": "RSA", "alg": "RS256", "use": "sig", "kid": self.kid,
                "n": URL_SAFE_NO_PAD.encode(&public.n), "e": URL_SAFE_NO_PAD.encode(&public.e),
            })
        }

        /// A JWKS document holding `keys`.
        pub fn jwks(keys: &[&TestGoogleKey]) -> serde_json::Value {
            serde_json::json!({"keys": keys.iter().map(|key| key.jwk()).collect::<Vec<_>>()})
        }

        /// `claims` signed with RS256 under this key's id.
        pub fn sign(&self, claims: &serde_json::Value) -> Option<String> {
            let header = serde_json::json!({"alg": "RS256", "typ": "JWT", "kid": self.kid});
            let message = format!(
                "{}.{}",
                URL_SAFE_NO_PAD.encode(header.to_string()),
                URL_SAFE_NO_PAD.encode(claims.to_string())
            );
            let mut signature = vec![0; self.pair.public_modulus_len()];
            self.pair.sign(&RSA_PKCS1_SHA256, &SystemRandom::new(), message.as_bytes(), &mut signature).ok()?;
            Some(format!("{message}.{}", URL_SAFE_NO_PAD.encode(signature)))
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use chrono::TimeZone;
    use serde_json::json;

    use super::testing::TestGoogleKey;
    use super::*;

    const CLIENT: &str = "client-1.apps.googleusercontent.com";

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, 10, 9, 0, 0).unwrap()
    }

    fn claims(change: impl FnOnce(&mut serde_json::Value)) -> serde_json::Value {
        let mut claims = json!({
            "iss": "https://accounts.google.com", "aud": CLIENT, "azp": CLIENT, "sub": "1098765",
            "email": "ana@example.com", "email_verified": true, "name": "Ana",
            "iat": now().timestamp() - 60, "exp": now().timestamp() + 3540,
        });
        change(&mut claims);
        claims
    }

    fn keys_of(keys: &[&TestGoogleKey]) -> GoogleKeys {
        GoogleKeys::parse(TestGoogleKey::jwks(keys).to_string().as_bytes()).unwrap()
    }

    #[test]
    fn a_genuine_token_names_its_google_account() {
        let key = TestGoogleKey::generate("k1").unwrap();
        let token = key.sign(&claims(|_| {})).unwrap();
        let identity = verify(&token, &keys_of(&[&key]), &[CLIENT.into()], now()).unwrap();
        assert_eq!(
            identity,
            GoogleIdentity { subject: "1098765".into(), email: "ana@example.com".into(), name: Some("Ana".into()) }
        );
        // The other issuer spelling, and the old string flag.
        let old = key.sign(&claims(|c| {
            c["iss"] = json!("accounts.google.com");
            c["email_verified"] = json!("true");
        }));
        assert!(verify(&old.unwrap(), &keys_of(&[&key]), &[CLIENT.into()], now()).is_ok());
    }

    #[test]
    fn forged_foreign_expired_and_unverified_tokens_are_refused() {
        let key = TestGoogleKey::generate("k1").unwrap();
        let other = TestGoogleKey::generate("k1").unwrap();
        let keys = keys_of(&[&key]);
        let audiences = [CLIENT.to_owned()];
        let check = |token: Option<String>| verify(&token.unwrap(), &keys, &audiences, now());
        assert_eq!(check(other.sign(&claims(|_| {}))), Err(GoogleTokenError::Rejected("signature".into())));
        let unknown = TestGoogleKey::generate("k9").unwrap();
        assert_eq!(check(unknown.sign(&claims(|_| {}))), Err(GoogleTokenError::UnknownKey));
        let wrong_audience = key.sign(&claims(|c| c["aud"] = json!("someone-else")));
        assert_eq!(check(wrong_audience), Err(GoogleTokenError::Rejected("audience".into())));
        let wrong_issuer = key.sign(&claims(|c| c["iss"] = json!("https://evil.example")));
        assert_eq!(check(wrong_issuer), Err(GoogleTokenError::Rejected("issuer".into())));
        let expired = key.sign(&claims(|c| c["exp"] = json!(now().timestamp() - 31)));
        assert_eq!(check(expired), Err(GoogleTokenError::Expired));
        let within_leeway = key.sign(&claims(|c| c["exp"] = json!(now().timestamp() - 29)));
        assert!(check(within_leeway).is_ok());
        let unverified = key.sign(&claims(|c| c["email_verified"] = json!(false)));
        assert_eq!(check(unverified), Err(GoogleTokenError::EmailNotVerified));
        let no_email = key.sign(&claims(|c| {
            c.as_object_mut().unwrap().remove("email");
        }));
        assert_eq!(check(no_email), Err(GoogleTokenError::EmailNotVerified));
        assert_eq!(verify("not.a.jwt", &keys, &audiences, now()), Err(GoogleTokenError::Malformed));
        // No configured client id: nothing is accepted.
        let token = key.sign(&claims(|_| {})).unwrap();
        assert!(verify(&token, &keys, &[], now()).is_err());
    }

    #[test]
    fn a_jwks_keeps_its_usable_keys_only() {
        let key = TestGoogleKey::generate("k1").unwrap();
        let mut document = TestGoogleKey::jwks(&[&key]);
        let keys = document["keys"].as_array_mut().unwrap();
        keys.push(json!({"kty": "EC", "kid": "ec", "crv": "P-256", "x": "a", "y": "b"}));
        keys.push(json!({"kty": "RSA", "kid": "enc", "use": "enc", "n": "AQAB", "e": "AQAB"}));
        keys.push(json!({"kty": "RSA", "kid": "broken"}));
        let parsed = GoogleKeys::parse(document.to_string().as_bytes()).unwrap();
        assert_eq!(format!("{parsed:?}"), "{\"k1\"}");
        assert!(GoogleKeys::parse(b"<html>").is_err());
    }

    #[test]
    fn cache_control_says_how_long_keys_are_kept() {
        assert_eq!(max_age("public, max-age=20731, must-revalidate, no-transform"), Some(Duration::from_secs(20731)));
        assert_eq!(max_age("no-cache"), None);
        assert_eq!(max_age("max-age=abc"), None);
    }

    /// Serves a JWKS that the test can change, counting fetches.
    struct Published {
        document: Arc<std::sync::Mutex<serde_json::Value>>,
        fetches: Arc<AtomicUsize>,
    }

    impl KeyFetch for Published {
        fn fetch(&self) -> BoxFuture<'_, Result<FetchedKeys, GoogleTokenError>> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            let document = self.document.lock().unwrap().to_string().into_bytes();
            Box::pin(async move { Ok(FetchedKeys { document, max_age: Some(Duration::from_secs(3600)) }) })
        }
    }

    #[tokio::test]
    async fn keys_are_fetched_lazily_kept_and_refetched_for_a_new_key() {
        let (first, second) = (TestGoogleKey::generate("k1").unwrap(), TestGoogleKey::generate("k2").unwrap());
        let fetches = Arc::new(AtomicUsize::new(0));
        let document = Arc::new(std::sync::Mutex::new(TestGoogleKey::jwks(&[&first])));
        let published = Published { document: document.clone(), fetches: fetches.clone() };
        let cache = GoogleKeyCache::new(Box::new(published), vec![CLIENT.into()]);
        assert_eq!(fetches.load(Ordering::SeqCst), 0, "nothing at cold start");
        let token = first.sign(&claims(|_| {})).unwrap();
        for _ in 0..3 {
            assert!(cache.verify(&token, now()).await.is_ok());
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 1, "kept while fresh");

        // Google rotates: a token under the new key refetches once.
        *document.lock().unwrap() = TestGoogleKey::jwks(&[&first, &second]);
        let new = second.sign(&claims(|_| {})).unwrap();
        assert!(cache.verify(&new, now()).await.is_ok());
        assert_eq!(fetches.load(Ordering::SeqCst), 2);

        // Made-up key ids do not make each sign-in a fetch.
        let stranger = TestGoogleKey::generate("k9").unwrap().sign(&claims(|_| {})).unwrap();
        for _ in 0..5 {
            assert_eq!(cache.verify(&stranger, now()).await, Err(GoogleTokenError::UnknownKey));
        }
        assert_eq!(fetches.load(Ordering::SeqCst), 2, "at most one refetch a minute");

        // Stale after max-age: the next sign-in fetches again.
        let later = now() + chrono::Duration::seconds(3601);
        let fresh_token = first.sign(&claims(|c| c["exp"] = json!(later.timestamp() + 600))).unwrap();
        assert!(cache.verify(&fresh_token, later).await.is_ok());
        assert_eq!(fetches.load(Ordering::SeqCst), 3);
    }
}
