//! Key material for access tokens (Ed25519, by key id) and for cursors (an HMAC key), as
//! the operator stores it and the functions receive it in their environment.
//!
//! Formats (docs/ARCHITECTURE.md, "Keys"):
//! - signing key: `{"kid": "<id>", "private_key": "<base64 PKCS#8 DER>"}`, which is what
//!   `openssl genpkey -algorithm ed25519 -outform DER | base64 -w0` gives for the key;
//! - public keys: a JWKS, `{"keys": [{"kty": "OKP", "crv": "Ed25519", "kid": "<id>",
//!   "x": "<base64url raw key>"}]}`, several during a rotation;
//! - cursor key: at least 32 bytes of text.

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair as _};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use jsonwebtoken::{DecodingKey, EncodingKey};
use serde::{Deserialize, Serialize};

/// The longest key id accepted: ids are short labels (`2026-11`), and a token's header
/// is looked up by it.
const MAX_KID_LEN: usize = 64;

/// A key could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    /// The value is not in the documented format; says what is wrong (never the key).
    #[error("{0}")]
    Format(&'static str),
    /// Generating a key pair failed (randomness).
    #[error("key generation failed")]
    Generation,
}

impl KeyError {
    /// What is wrong, for a configuration error (it never quotes the value).
    pub fn reason(&self) -> &'static str {
        match self {
            Self::Format(reason) => reason,
            Self::Generation => "key generation failed",
        }
    }
}

/// The private half of the Ed25519 key pair that signs access tokens, with its key id.
/// Only functions that issue tokens hold one.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    pkcs8: Vec<u8>,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey").field("kid", &self.kid).field("private_key", &"***").finish()
    }
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SigningKeyJson {
    kid: String,
    private_key: String,
}

impl SigningKey {
    /// Reads `{"kid": ..., "private_key": "<base64 PKCS#8 DER>"}`; the key must be Ed25519.
    pub fn from_json(text: &str) -> Result<Self, KeyError> {
        let parsed: SigningKeyJson = serde_json::from_str(text)
            .map_err(|_| KeyError::Format("expected {\"kid\": ..., \"private_key\": ...}"))?;
        let kid = checked_kid(parsed.kid)?;
        let pkcs8 = STANDARD
            .decode(parsed.private_key.trim())
            .map_err(|_| KeyError::Format("private_key is not base64 (of the PKCS#8 DER)"))?;
        // Refuse at cold start what would fail at the first sign-in.
        Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| KeyError::Format("private_key is not an Ed25519 PKCS#8 key"))?;
        Ok(Self { kid, pkcs8 })
    }

    /// A new key pair named `kid`: the signing key and the one-key set that verifies it.
    /// For the local stack and tests; in AWS the operator makes keys (`infra/keys.sh`).
    pub fn generate(kid: &str) -> Result<(Self, PublicKeys), KeyError> {
        let kid = checked_kid(kid.to_owned())?;
        let document = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new()).map_err(|_| KeyError::Generation)?;
        let pkcs8 = document.as_ref().to_vec();
        let pair = Ed25519KeyPair::from_pkcs8(&pkcs8).map_err(|_| KeyError::Generation)?;
        let public = PublicKeys::from_raw(vec![(kid.clone(), pair.public_key().as_ref().to_vec())])?;
        Ok((Self { kid, pkcs8 }, public))
    }

    /// The key id put in every token's header.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The stored form ([`Self::from_json`] reads it back).
    pub fn to_json(&self) -> String {
        let json = SigningKeyJson { kid: self.kid.clone(), private_key: STANDARD.encode(&self.pkcs8) };
        serde_json::to_string(&json).unwrap_or_default()
    }

    pub(crate) fn encoding_key(&self) -> EncodingKey {
        EncodingKey::from_ed_der(&self.pkcs8)
    }
}

/// The public keys access tokens are accepted under, by key id: the current key, and
/// during a rotation the next or the previous one.
#[derive(Clone)]
pub struct PublicKeys {
    keys: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for PublicKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.keys.iter().map(|(kid, _)| kid)).finish()
    }
}

#[derive(Serialize, Deserialize)]
struct Jwks {
    keys: Vec<Jwk>,
}

/// One JWK; other members (`alg`, `use`) are allowed and ignored.
#[derive(Serialize, Deserialize)]
struct Jwk {
    kty: String,
    crv: String,
    kid: String,
    x: String,
    #[serde(skip_deserializing, skip_serializing_if = "Option::is_none")]
    alg: Option<&'static str>,
    #[serde(rename = "use", skip_deserializing, skip_serializing_if = "Option::is_none")]
    usage: Option<&'static str>,
}

/// At most this many keys are accepted at once: a rotation needs two, a slow one three.
const MAX_PUBLIC_KEYS: usize = 4;

impl PublicKeys {
    /// Reads a JWKS of Ed25519 keys (`kty` `OKP`, `crv` `Ed25519`), each with a distinct `kid`.
    pub fn from_jwks(text: &str) -> Result<Self, KeyError> {
        let jwks: Jwks =
            serde_json::from_str(text).map_err(|_| KeyError::Format("expected a JWKS: {\"keys\": [...]}"))?;
        let keys = jwks
            .keys
            .into_iter()
            .map(|jwk| {
                if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
                    return Err(KeyError::Format("every key must be kty OKP, crv Ed25519"));
                }
                let raw = URL_SAFE_NO_PAD
                    .decode(jwk.x.trim_end_matches('='))
                    .map_err(|_| KeyError::Format("x is not base64url"))?;
                Ok((jwk.kid, raw))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Self::from_raw(keys)
    }

    fn from_raw(keys: Vec<(String, Vec<u8>)>) -> Result<Self, KeyError> {
        if keys.is_empty() || keys.len() > MAX_PUBLIC_KEYS {
            return Err(KeyError::Format("the set must hold 1 to 4 keys"));
        }
        let mut checked: Vec<(String, Vec<u8>)> = Vec::with_capacity(keys.len());
        for (kid, raw) in keys {
            let kid = checked_kid(kid)?;
            if raw.len() != 32 {
                return Err(KeyError::Format("an Ed25519 public key is 32 bytes"));
            }
            if checked.iter().any(|(seen, _)| *seen == kid) {
                return Err(KeyError::Format("key ids must be distinct"));
            }
            checked.push((kid, raw));
        }
        Ok(Self { keys: checked })
    }

    /// Both sets' keys, for a rotation (the other set's ids must not repeat ours).
    pub fn with(mut self, other: &Self) -> Result<Self, KeyError> {
        self.keys.extend(other.keys.iter().cloned());
        Self::from_raw(self.keys)
    }

    /// The set as a JWKS ([`Self::from_jwks`] reads it back).
    pub fn to_jwks(&self) -> String {
        let keys = self
            .keys
            .iter()
            .map(|(kid, raw)| Jwk {
                kty: "OKP".into(),
                crv: "Ed25519".into(),
                kid: kid.clone(),
                x: URL_SAFE_NO_PAD.encode(raw),
                alg: Some("EdDSA"),
                usage: Some("sig"),
            })
            .collect();
        serde_json::to_string(&Jwks { keys }).unwrap_or_default()
    }

    /// The key with id `kid`, if the set has it.
    pub(crate) fn get(&self, kid: &str) -> Option<DecodingKey> {
        self.keys.iter().find(|(id, _)| id == kid).map(|(_, raw)| DecodingKey::from_ed_der(raw))
    }
}

fn checked_kid(kid: String) -> Result<String, KeyError> {
    let fine = !kid.is_empty()
        && kid.len() <= MAX_KID_LEN
        && kid.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if fine { Ok(kid) } else { Err(KeyError::Format("kid must be 1-64 of A-Z a-z 0-9 - _ .")) }
}

/// The HMAC key that signs pagination cursors; only functions that page hold it.
#[derive(Clone)]
pub struct CursorKey(Vec<u8>);

impl std::fmt::Debug for CursorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CursorKey(***)")
    }
}

impl CursorKey {
    /// At least 32 bytes of secret text.
    pub fn new(secret: &str) -> Result<Self, KeyError> {
        if secret.len() < 32 {
            return Err(KeyError::Format("must be at least 32 bytes"));
        }
        Ok(Self(secret.as_bytes().to_vec()))
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.0
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use super::*;

    /// Made with the documented commands:
    /// `openssl genpkey -algorithm ed25519 -outform DER | base64 -w0`, and for its public
    /// half `openssl pkey -inform DER -pubout -outform DER | tail -c 32 | basenc --base64url`.
    pub(crate) const OPENSSL_PRIVATE: &str = "MC4CAQAwBQYDK2VwBCIEIP6wo8dTRsl/pBvhgjafH3g5Ng0T93paRAhO3ZYIBmoT";
    /// The public half of [`OPENSSL_PRIVATE`], base64url (openssl pads it with `=`).
    pub(crate) const OPENSSL_PUBLIC: &str = "xJw0Y322zbZ7qMIco1pF2TmqXSqz04bDSoBPnpYqW58=";

    #[test]
    fn reads_an_openssl_key() {
        let json = format!(r#"{{"kid":"2026-11","private_key":"{OPENSSL_PRIVATE}"}}"#);
        let key = SigningKey::from_json(&json).unwrap();
        assert_eq!(key.kid(), "2026-11");
        assert!(!format!("{key:?}").contains(OPENSSL_PRIVATE), "Debug never shows the key");
        assert_eq!(SigningKey::from_json(&key.to_json()).unwrap().kid(), "2026-11");
    }

    #[test]
    fn refuses_malformed_signing_keys() {
        for bad in [
            "",
            "not json",
            r#"{"kid":"a"}"#,
            r#"{"kid":"a","private_key":"!!"}"#,
            r#"{"kid":"a","private_key":"AAAA"}"#,
            r#"{"kid":"","private_key":"MC4CAQAwBQYDK2VwBCIEIP6wo8dTRsl/pBvhgjafH3g5Ng0T93paRAhO3ZYIBmoT"}"#,
            r#"{"kid":"a b","private_key":"MC4CAQAwBQYDK2VwBCIEIP6wo8dTRsl/pBvhgjafH3g5Ng0T93paRAhO3ZYIBmoT"}"#,
        ] {
            assert!(SigningKey::from_json(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn public_keys_round_trip_and_merge() {
        let (_, first) = SigningKey::generate("one").unwrap();
        let (_, second) = SigningKey::generate("two").unwrap();
        let both = first.clone().with(&second).unwrap();
        let read = PublicKeys::from_jwks(&both.to_jwks()).unwrap();
        assert!(read.get("one").is_some() && read.get("two").is_some() && read.get("three").is_none());
        assert!(first.clone().with(&first).is_err(), "ids must be distinct");
    }

    #[test]
    fn refuses_malformed_public_keys() {
        for bad in [
            "",
            r#"{"keys":[]}"#,
            r#"{"keys":[{"kty":"oct","crv":"Ed25519","kid":"a","x":"AAAA"}]}"#,
            r#"{"keys":[{"kty":"OKP","crv":"X25519","kid":"a","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#,
            r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","x":"AAAA"}]}"#,
        ] {
            assert!(PublicKeys::from_jwks(bad).is_err(), "{bad}");
        }
        let ok = r#"{"keys":[{"kty":"OKP","crv":"Ed25519","kid":"a","alg":"EdDSA","use":"sig","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}]}"#;
        assert!(PublicKeys::from_jwks(ok).is_ok());
    }

    #[test]
    fn cursor_keys_are_long_enough() {
        assert!(CursorKey::new("short").is_err());
        let key = CursorKey::new(&"k".repeat(32)).unwrap();
        assert!(!format!("{key:?}").contains('k'), "Debug never shows the key");
    }
}
