//! Google's published signing keys over HTTPS, for [`GoogleKeyCache`]. Google's endpoints
//! chain to Google Trust Services roots (not Amazon's, which the AWS client pins), so this
//! connector trusts exactly those, compiled in: no trust-store reads at cold start, and
//! nothing is fetched until the first Google sign-in. Locally the URL is the dev gateway's
//! test JWKS (plain HTTP on loopback).
//!
//! [`GoogleKeyCache`]: crate::auth::GoogleKeyCache

use std::time::Duration;

use aws_smithy_http_client::tls::TrustStore;
use aws_smithy_http_client::{Connector, HttpClientError};

use super::https;

use crate::auth::google_id_token::{FetchedKeys, GoogleTokenError, KeyFetch, max_age};
use crate::ports::BoxFuture;

/// GTS Root R1-R4, GlobalSign Root CA (which cross-signs R1) and GlobalSign ECC Root CA R4
/// (which cross-signs R4), from Debian's ca-certificates.
const GOOGLE_TRUST_SERVICES: &[u8] = include_bytes!("../../certs/google-trust-services.pem");

/// A JWKS is a few kB; anything far larger is not one.
const MOST_BYTES: usize = 64 * 1024;
/// A sign-in waits at most this long for Google's keys.
const TIMEOUT: Duration = Duration::from_secs(5);

/// Fetches the JWKS at one URL.
pub struct JwksOverHttps {
    url: String,
    connector: Connector,
}

impl std::fmt::Debug for JwksOverHttps {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JwksOverHttps").field("url", &self.url).finish_non_exhaustive()
    }
}

impl JwksOverHttps {
    /// A fetcher of `url`; building it makes no connection.
    pub fn new(url: &str) -> Result<Self, HttpClientError> {
        let trust = TrustStore::empty().with_native_roots(false).with_pem_certificate(GOOGLE_TRUST_SERVICES);
        Ok(Self { url: url.to_owned(), connector: https::connector(trust)? })
    }

    async fn get(&self) -> Result<FetchedKeys, String> {
        let mut request = https::request("GET", &self.url)?;
        request.headers_mut().insert("accept", "application/json");
        let answer = https::exchange(&self.connector, request, TIMEOUT, MOST_BYTES, false).await?;
        if answer.status != 200 {
            return Err(format!("status {}", answer.status));
        }
        let max_age = answer.headers.get("cache-control").and_then(max_age);
        Ok(FetchedKeys { document: answer.body, max_age })
    }
}

impl KeyFetch for JwksOverHttps {
    fn fetch(&self) -> BoxFuture<'_, Result<FetchedKeys, GoogleTokenError>> {
        Box::pin(async move { self.get().await.map_err(GoogleTokenError::KeysUnavailable) })
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_pinned_roots_parse() {
        let text = std::str::from_utf8(GOOGLE_TRUST_SERVICES).unwrap_or_default();
        assert_eq!(text.matches("-----BEGIN CERTIFICATE-----").count(), 6);
        assert!(JwksOverHttps::new("https://www.googleapis.com/oauth2/v3/certs").is_ok());
    }

    #[tokio::test]
    async fn keys_are_read_with_how_long_to_keep_them() {
        // A one-shot HTTP server on loopback, as the dev gateway serves the local JWKS.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        tokio::spawn(async move {
            use tokio::io::{AsyncReadExt, AsyncWriteExt};
            let (mut socket, _) = listener.accept().await.unwrap();
            let mut request = [0u8; 1024];
            let _ = socket.read(&mut request).await.unwrap();
            let body = r#"{"keys":[]}"#;
            let response = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncache-control: public, max-age=120\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            socket.write_all(response.as_bytes()).await.unwrap();
        });
        let fetched = JwksOverHttps::new(&format!("http://{address}/certs")).unwrap().get().await.unwrap();
        assert_eq!(
            (fetched.document.as_slice(), fetched.max_age),
            (br#"{"keys":[]}"#.as_slice(), Some(Duration::from_secs(120)))
        );
    }

    #[tokio::test]
    async fn an_unreachable_source_says_so() {
        let fetcher = JwksOverHttps::new("http://127.0.0.1:9/certs").unwrap();
        assert!(matches!(fetcher.fetch().await, Err(GoogleTokenError::KeysUnavailable(_))));
    }
}
