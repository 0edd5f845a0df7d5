//! AWS Signature Version 4 checks for the local `@connections` endpoint: as in AWS, only a
//! caller holding the credentials may push to, inspect or close a connection. Locally the
//! credentials are `local`/`local` (what `local::connections_api` signs with), so the
//! check keeps stray local processes and pages out, and proves the SDK really signs.
//!
//! The signature is recomputed from the request as received (the canonical request of
//! the SigV4 specification, with the double URI encoding of services other than S3) and
//! compared in constant time; anything unsigned, signed with another secret, for another
//! scope or more than 15 minutes from now is a 403 in API Gateway's error shape.

use axum::body::{Body, to_bytes};
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;
use hmac::{Hmac, Mac};
use http::{HeaderMap, StatusCode};
use sha2::{Digest, Sha256};

/// The access key id the local stack signs with.
pub const LOCAL_ACCESS_KEY: &str = "local";
/// The secret key the local stack signs with.
pub const LOCAL_SECRET_KEY: &str = "local";
/// The region the local clients name.
pub const LOCAL_REGION: &str = "us-east-1";
/// The signing name of API Gateway's management API.
pub const SERVICE: &str = "execute-api";

/// How far a signature's time may be from now, either way (AWS allows 15 minutes).
const MAX_SKEW_SECONDS: i64 = 15 * 60;

/// Why a request's signature was refused (for the gateway's log; the caller only sees 403).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `Authorization` header, or not SigV4.
    #[error("request is not signed with SigV4")]
    Unsigned,
    /// The header or `x-amz-date` is malformed.
    #[error("malformed signature: {0}")]
    Malformed(&'static str),
    /// Another access key, date, region or service.
    #[error("credential scope does not match")]
    Scope,
    /// The signature time is too far from now.
    #[error("signature expired or not yet valid")]
    Skewed,
    /// The signature does not match the request.
    #[error("signature does not match")]
    Mismatch,
}

/// The credentials and scope a request must be signed for.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    /// Access key id.
    pub access_key: &'a str,
    /// Secret access key.
    pub secret_key: &'a str,
    /// Region.
    pub region: &'a str,
    /// Service signing name.
    pub service: &'a str,
}

/// The local stack's credentials for the management API.
pub const LOCAL: Expected<'static> =
    Expected { access_key: LOCAL_ACCESS_KEY, secret_key: LOCAL_SECRET_KEY, region: LOCAL_REGION, service: SERVICE };

struct Authorization<'a> {
    access_key: &'a str,
    date: &'a str,
    region: &'a str,
    service: &'a str,
    signed_headers: Vec<&'a str>,
    signature: &'a str,
}

fn parse_authorization(value: &str) -> Result<Authorization<'_>, SignatureError> {
    let rest = value.strip_prefix("AWS4-HMAC-SHA256 ").ok_or(SignatureError::Unsigned)?;
    let (mut credential, mut signed, mut signature) = (None, None, None);
    for part in rest.split(',').map(str::trim) {
        if let Some(v) = part.strip_prefix("Credential=") {
            credential = Some(v);
        } else if let Some(v) = part.strip_prefix("SignedHeaders=") {
            signed = Some(v);
        } else if let Some(v) = part.strip_prefix("Signature=") {
            signature = Some(v);
        }
    }
    let credential = credential.ok_or(SignatureError::Malformed("no Credential"))?;
    let mut scope = credential.split('/');
    let mut next = || scope.next().ok_or(SignatureError::Malformed("short credential scope"));
    let (access_key, date, region, service, terminal) = (next()?, next()?, next()?, next()?, next()?);
    if terminal != "aws4_request" || scope.next().is_some() {
        return Err(SignatureError::Malformed("credential scope"));
    }
    let signed_headers: Vec<&str> = signed.ok_or(SignatureError::Malformed("no SignedHeaders"))?.split(';').collect();
    if !signed_headers.contains(&"host") {
        return Err(SignatureError::Malformed("host is not signed"));
    }
    let signature = signature.ok_or(SignatureError::Malformed("no Signature"))?;
    Ok(Authorization { access_key, date, region, service, signed_headers, signature })
}

/// Checks the SigV4 signature of a request made of `method`, the path and query exactly
/// as received, `headers` and `body`, for `expected`'s credentials, at `now`.
pub fn verify(
    method: &str,
    raw_path: &str,
    raw_query: &str,
    headers: &HeaderMap,
    body: &[u8],
    expected: Expected<'_>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), SignatureError> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let auth = parse_authorization(header("authorization").ok_or(SignatureError::Unsigned)?)?;
    if auth.access_key != expected.access_key || auth.region != expected.region || auth.service != expected.service {
        return Err(SignatureError::Scope);
    }
    let amz_date = header("x-amz-date").ok_or(SignatureError::Malformed("no x-amz-date"))?;
    let signed_at = chrono::NaiveDateTime::parse_from_str(amz_date, "%Y%m%dT%H%M%SZ")
        .map_err(|_| SignatureError::Malformed("x-amz-date"))?
        .and_utc();
    if !amz_date.starts_with(auth.date) || auth.date.len() != 8 {
        return Err(SignatureError::Scope);
    }
    if (now - signed_at).num_seconds().abs() > MAX_SKEW_SECONDS {
        return Err(SignatureError::Skewed);
    }

    let canonical_headers: String = auth
        .signed_headers
        .iter()
        .map(|name| {
            let values: Vec<String> = headers
                .get_all(*name)
                .iter()
                .map(|v| String::from_utf8_lossy(v.as_bytes()).split_whitespace().collect::<Vec<_>>().join(" "))
                .collect();
            format!("{name}:{}\n", values.join(","))
        })
        .collect();
    let canonical_request = format!(
        "{method}\n{}\n{}\n{canonical_headers}\n{}\n{}",
        canonical_uri(raw_path),
        canonical_query(raw_query),
        auth.signed_headers.join(";"),
        hex(&Sha256::digest(body)),
    );
    let scope = format!("{}/{}/{}/aws4_request", auth.date, auth.region, auth.service);
    let string_to_sign =
        format!("AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}", hex(&Sha256::digest(canonical_request.as_bytes())));
    let mut key = hmac(format!("AWS4{}", expected.secret_key).as_bytes(), auth.date.as_bytes())?;
    for part in [auth.region, auth.service, "aws4_request"] {
        key = hmac(&key, part.as_bytes())?;
    }
    let presented = unhex(auth.signature).ok_or(SignatureError::Malformed("signature is not hex"))?;
    let mut mac = keyed(&key)?;
    mac.update(string_to_sign.as_bytes());
    // verify_slice compares in constant time.
    mac.verify_slice(&presented).map_err(|_| SignatureError::Mismatch)
}

/// Services other than S3 sign the path URI-encoded twice: the path as sent (already
/// encoded once) is encoded again, keeping `/`.
fn canonical_uri(raw_path: &str) -> String {
    if raw_path.is_empty() { "/".to_owned() } else { encode(raw_path, true) }
}

fn canonical_query(raw_query: &str) -> String {
    let mut pairs: Vec<(String, String)> =
        form_urlencoded::parse(raw_query.as_bytes()).map(|(k, v)| (encode(&k, false), encode(&v, false))).collect();
    pairs.sort();
    pairs.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&")
}

/// RFC 3986 encoding of everything but the unreserved characters (and `/` in paths).
fn encode(text: &str, keep_slash: bool) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => (b as char).to_string(),
            b'/' if keep_slash => "/".to_owned(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn keyed(key: &[u8]) -> Result<Hmac<Sha256>, SignatureError> {
    // HMAC takes keys of any length, so this never fails in practice.
    <Hmac<Sha256> as Mac>::new_from_slice(key).map_err(|_| SignatureError::Malformed("key"))
}

fn hmac(key: &[u8], data: &[u8]) -> Result<Vec<u8>, SignatureError> {
    let mut mac = keyed(key)?;
    mac.update(data);
    Ok(mac.finalize().into_bytes().to_vec())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok()).collect()
}

/// Axum middleware for the `@connections` routes: 403 (`ForbiddenException`, API
/// Gateway's shape) unless the request is signed for the local credentials.
pub async fn require_local_signature(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    // The management API takes at most 128 KB; a larger body is refused like API Gateway.
    let Ok(bytes) = to_bytes(body, crate::connections::MAX_MESSAGE_BYTES + 1).await else {
        return crate::connections::management_error(StatusCode::PAYLOAD_TOO_LARGE, "PayloadTooLargeException");
    };
    let checked = verify(
        parts.method.as_str(),
        parts.uri.path(),
        parts.uri.query().unwrap_or(""),
        &parts.headers,
        &bytes,
        LOCAL,
        // The signer's clock is the real one, whatever the gateway's local clock says.
        chrono::Utc::now(),
    );
    match checked {
        Ok(()) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Err(error) => {
            tracing::warn!(%error, path = parts.uri.path(), "@connections request refused");
            crate::connections::management_error(StatusCode::FORBIDDEN, "ForbiddenException")
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// The example of the SigV4 documentation ("GET ?Action=ListUsers" to IAM), whose
    /// signature AWS publishes: the canonicalisation here matches AWS's.
    #[test]
    fn the_documented_example_verifies() {
        let mut headers = HeaderMap::new();
        headers.insert("host", "iam.amazonaws.com".parse().unwrap());
        headers.insert("content-type", "application/x-www-form-urlencoded; charset=utf-8".parse().unwrap());
        headers.insert("x-amz-date", "20150830T123600Z".parse().unwrap());
        headers.insert(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, \
             SignedHeaders=content-type;host;x-amz-date, \
             Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7"
                .parse()
                .unwrap(),
        );
        let expected = Expected {
            access_key: "AKIDEXAMPLE",
            secret_key: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            region: "us-east-1",
            service: "iam",
        };
        let at = chrono::DateTime::parse_from_rfc3339("2015-08-30T12:36:00Z").unwrap().to_utc();
        let check = |headers: &HeaderMap, expected: Expected<'_>| {
            verify("GET", "/", "Action=ListUsers&Version=2010-05-08", headers, b"", expected, at)
        };
        assert_eq!(check(&headers, expected), Ok(()));
        assert_eq!(check(&headers, Expected { secret_key: "wrong", ..expected }), Err(SignatureError::Mismatch));
        assert_eq!(check(&headers, Expected { access_key: "other", ..expected }), Err(SignatureError::Scope));
        let late = at + chrono::Duration::minutes(16);
        assert_eq!(
            verify("GET", "/", "Action=ListUsers&Version=2010-05-08", &headers, b"", expected, late),
            Err(SignatureError::Skewed)
        );
        assert_eq!(
            verify("POST", "/", "Action=ListUsers&Version=2010-05-08", &headers, b"", expected, at),
            Err(SignatureError::Mismatch),
            "the method is signed"
        );
        let mut unsigned = headers.clone();
        unsigned.remove("authorization");
        assert_eq!(check(&unsigned, expected), Err(SignatureError::Unsigned));
    }

    #[test]
    fn paths_are_encoded_twice() {
        assert_eq!(canonical_uri("/dev/@connections/abc%3D"), "/dev/%40connections/abc%253D");
        assert_eq!(canonical_uri(""), "/");
    }
}
