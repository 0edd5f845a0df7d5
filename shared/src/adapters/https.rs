//! The HTTPS client every AWS SDK client shares.
//!
//! The default client reads the whole system trust store (a bundle and ~150 files) when
//! a function starts. AWS service endpoints all chain to Amazon Trust Services roots, so
//! trusting exactly those, compiled in, does no file I/O at cold start and narrows trust.

use aws_sdk_dynamodb::config::SharedHttpClient;
use aws_smithy_http_client::tls::{self, TlsContext, TrustStore, rustls_provider::CryptoMode};
use aws_smithy_http_client::{Builder, HttpClientError};

/// Amazon Root CA 1-4 and Starfield Services Root G2 (which cross-signs Amazon Root CA 1).
const AMAZON_TRUST_SERVICES: &[u8] = include_bytes!("../../certs/amazon-trust-services.pem");

/// A rustls (aws-lc) HTTPS client trusting only the Amazon Trust Services roots.
pub fn client() -> Result<SharedHttpClient, HttpClientError> {
    let trust = TrustStore::empty().with_native_roots(false).with_pem_certificate(AMAZON_TRUST_SERVICES);
    let context = TlsContext::builder().with_trust_store(trust).build()?;
    Ok(Builder::new().tls_provider(tls::Provider::Rustls(CryptoMode::AwsLc)).tls_context(context).build_https())
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
