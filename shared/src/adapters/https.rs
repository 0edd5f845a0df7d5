//! HTTPS for every adapter: the client the AWS SDK clients share, and the connectors and
//! one exchange for the adapters that make their own requests (S3's, Stripe's, Google's).
//!
//! The default client reads the whole system trust store (a bundle and ~150 files) when
//! a function starts. AWS service endpoints all chain to Amazon Trust Services roots, so
//! trusting exactly those, compiled in, does no file I/O at cold start and narrows trust.

use std::time::Duration;

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, Connector, HttpClientError};
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::http::Headers;
use aws_smithy_types::body::SdkBody;
use aws_smithy_types::byte_stream::ByteStream;

/// Amazon Root CA 1-4 and Starfield Services Root G2 (which cross-signs Amazon Root CA 1).
const AMAZON_TRUST_SERVICES: &[u8] = include_bytes!("../../certs/amazon-trust-services.pem");

/// A rustls (aws-lc) HTTPS client trusting only the Amazon Trust Services roots.
pub fn client() -> Result<SharedHttpClient, HttpClientError> {
    let context = TlsContext::builder().with_trust_store(amazon_roots()).build()?;
    Ok(Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc)).tls_context(context).build_https())
}

/// The Amazon Trust Services roots alone.
pub(crate) fn amazon_roots() -> TrustStore {
    TrustStore::empty().with_native_roots(false).with_pem_certificate(AMAZON_TRUST_SERVICES)
}

/// A rustls (aws-lc) connector trusting `trust`; it pools its connections, and building it
/// makes none.
pub(crate) fn connector(trust: TrustStore) -> Result<Connector, HttpClientError> {
    let context = TlsContext::builder().with_trust_store(trust).build()?;
    Ok(Connector::builder().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc)).tls_context(context).build())
}

/// What a server answered.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The status code.
    pub status: u16,
    /// The headers.
    pub headers: Headers,
    /// The body, at most the bytes asked for.
    pub body: Vec<u8>,
}

/// Sends `request` through `connector` and reads the answer, all within `timeout`. A body
/// longer than `most_bytes` is refused unless `cut` (then only its first `most_bytes` are
/// read: a ranged read whose server sent everything).
pub(crate) async fn exchange(
    connector: &dyn HttpConnector,
    request: HttpRequest,
    timeout: Duration,
    most_bytes: usize,
    cut: bool,
) -> Result<Answer, String> {
    let work = async {
        let response = connector.call(request).await.map_err(|error| error.to_string())?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let mut stream = ByteStream::new(response.into_body());
        let mut body = Vec::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|error| error.to_string())?;
            if body.len() + chunk.len() > most_bytes {
                if !cut {
                    return Err(format!("an answer over {most_bytes} bytes"));
                }
                body.extend_from_slice(&chunk[..most_bytes - body.len()]);
                break;
            }
            body.extend_from_slice(&chunk);
        }
        Ok(Answer { status, headers, body })
    };
    tokio::time::timeout(timeout, work).await.map_err(|_| format!("no answer within {timeout:?}"))?
}

/// A request with no body: `method` on `url`.
pub(crate) fn request(method: &str, url: &str) -> Result<HttpRequest, String> {
    let mut request = HttpRequest::new(SdkBody::empty());
    request.set_uri(url).map_err(|error| error.to_string())?;
    request.set_method(method).map_err(|error| error.to_string())?;
    Ok(request)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_pinned_roots_parse() {
        let text = std::str::from_utf8(super::AMAZON_TRUST_SERVICES).unwrap_or_default();
        assert_eq!(text.matches("-----BEGIN CERTIFICATE-----").count(), 5);
        assert!(super::client().is_ok());
    }
}
