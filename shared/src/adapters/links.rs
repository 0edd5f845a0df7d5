//! [`FileLinks`] for the uploads bucket: presigned S3 URLs computed here with SigV4 over the
//! function's credentials, the computation the S3 client's presigner makes, without the
//! client. A link is a hash of the request it allows; no call is made. The functions that
//! only hand out links (profile, admin-verifications) so link no S3 SDK: the client and the
//! checksum tables it carries were about a fifth of each binary.

use std::time::Duration;

use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SignatureLocation, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use aws_smithy_runtime_api::client::identity::Identity;
use chrono::{DateTime, Utc};

use crate::domain::FileKind;
use crate::ports::{BoxFuture, FileError, FileLinks, UploadLink};

/// S3's name in signatures.
const SERVICE: &str = "s3";

/// Presigned links to objects in one bucket.
#[derive(Debug, Clone)]
pub struct SignedLinks {
    credentials: SharedCredentialsProvider,
    region: String,
    /// Everything before the key: `https://{bucket}.s3.{region}.amazonaws.com/`, or
    /// `{endpoint}/{bucket}/` where an emulator is addressed path-style.
    base: String,
}

impl SignedLinks {
    /// Links into `bucket` in `region`, signed with what `credentials` provides; at
    /// `endpoint` path-style when one is given (an emulator), else at S3's regional
    /// endpoint, virtual-hosted as the SDK addresses it.
    pub fn new(
        credentials: SharedCredentialsProvider,
        region: impl Into<String>,
        bucket: &str,
        endpoint: Option<&str>,
    ) -> Self {
        let region = region.into();
        let base = match endpoint {
            Some(endpoint) => format!("{}/{bucket}/", endpoint.trim_end_matches('/')),
            // A name with dots is no single DNS label and breaks the TLS wildcard: path-style,
            // as the SDK's endpoint rules do.
            None if bucket.contains('.') => format!("https://s3.{region}.amazonaws.com/{bucket}/"),
            None => format!("https://{bucket}.s3.{region}.amazonaws.com/"),
        };
        Self { credentials, region, base }
    }

    /// Links from shared SDK settings (their credentials and region).
    pub fn from_sdk(sdk: &aws_config::SdkConfig, bucket: &str, endpoint: Option<&str>) -> Result<Self, FileError> {
        let credentials = sdk.credentials_provider().ok_or(FileError::NotConfigured)?;
        let region = sdk.region().ok_or(FileError::NotConfigured)?;
        Ok(Self::new(credentials, region.as_ref(), bucket, endpoint))
    }

    /// `method` on `key` (the operation named by `operation` in `x-id`, as the SDK names
    /// those that share a method and path) with `headers`, which the link's user must send
    /// as they are, signed at `at` for `ttl`: the URL with its signature in the query.
    pub(crate) async fn presigned(
        &self,
        method: &str,
        key: &str,
        operation: Option<&str>,
        headers: &[(&str, &str)],
        at: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<String, FileError> {
        let credentials = self.credentials.provide_credentials().await.map_err(unavailable)?;
        let identity = Identity::from(credentials);
        let mut settings = SigningSettings::default();
        // As S3 signs: the path is encoded once and never normalised, the payload unsigned
        // (the link's user sends it later) and named by no header.
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::NoHeader;
        settings.signature_location = SignatureLocation::QueryParams;
        settings.expires_in = Some(ttl);
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region(&self.region)
            .name(SERVICE)
            .time(at.into())
            .settings(settings)
            .build()
            .map_err(unavailable)?
            .into();
        let mut url = format!("{}{}", self.base, crate::percent::encode_path(key));
        if let Some(operation) = operation {
            url.push_str("?x-id=");
            url.push_str(operation);
        }
        let signable =
            SignableRequest::new(method, url.as_str(), headers.iter().copied(), SignableBody::UnsignedPayload)
                .map_err(unavailable)?;
        let (instructions, _signature) = sign(signable, &params).map_err(unavailable)?.into_parts();
        let mut request = http::Request::builder().method(method).uri(url).body(()).map_err(unavailable)?;
        instructions.apply_to_request_http1x(&mut request);
        Ok(request.uri().to_string())
    }
}

impl FileLinks for SignedLinks {
    fn presign_put<'a>(
        &'a self,
        key: &'a str,
        kind: FileKind,
        size_bytes: u64,
        at: DateTime<Utc>,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<UploadLink, FileError>> {
        Box::pin(async move {
            let length = size_bytes.to_string();
            // Both are signed: storage refuses a PUT with another type or length.
            let headers = [("content-type", kind.content_type()), ("content-length", length.as_str())];
            let url = self.presigned("PUT", key, Some("PutObject"), &headers, at, ttl).await?;
            Ok(UploadLink {
                method: "PUT".to_owned(),
                url,
                headers: headers.iter().map(|(name, value)| ((*name).to_owned(), (*value).to_owned())).collect(),
                expires_at: at + chrono::Duration::from_std(ttl).unwrap_or(chrono::Duration::zero()),
            })
        })
    }

    fn presign_get<'a>(
        &'a self,
        key: &'a str,
        at: DateTime<Utc>,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<String, FileError>> {
        Box::pin(self.presigned("GET", key, Some("GetObject"), &[], at, ttl))
    }
}

fn unavailable(error: impl std::fmt::Display) -> FileError {
    FileError::Unavailable(error.to_string())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
pub(crate) mod tests {
    use std::time::{Duration, SystemTime};

    use aws_credential_types::Credentials;
    use aws_credential_types::provider::SharedCredentialsProvider;
    use chrono::{DateTime, TimeZone as _, Utc};

    use super::SignedLinks;
    use crate::domain::FileKind;
    use crate::ports::FileLinks as _;

    pub(crate) fn credentials() -> Credentials {
        Credentials::new(
            "AKIDEXAMPLE",
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            Some("session/token+x=".into()),
            None,
            "test",
        )
    }

    /// The SDK's own presigner, the oracle: same credentials, region, bucket and instant.
    pub(crate) fn sdk(endpoint: Option<&str>) -> aws_sdk_s3::Client {
        let mut config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .region(aws_sdk_s3::config::Region::new("eu-west-2"))
            .credentials_provider(credentials());
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint).force_path_style(true);
        }
        aws_sdk_s3::Client::from_conf(config.build())
    }

    pub(crate) fn ours(bucket: &str, endpoint: Option<&str>) -> SignedLinks {
        SignedLinks::new(SharedCredentialsProvider::new(credentials()), "eu-west-2", bucket, endpoint)
    }

    pub(crate) fn presigning(at: DateTime<Utc>, ttl: Duration) -> aws_sdk_s3::presigning::PresigningConfig {
        aws_sdk_s3::presigning::PresigningConfig::builder()
            .start_time(SystemTime::from(at))
            .expires_in(ttl)
            .build()
            .unwrap()
    }

    fn instant() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 2, 28, 23, 59, 30).unwrap()
    }

    #[tokio::test]
    async fn a_read_link_is_the_one_the_sdk_signs() {
        let ttl = Duration::from_secs(300);
        for (bucket, endpoint) in [
            ("peerlearn-uploads-000000000000", None),
            ("peerlearn-uploads", Some("http://127.0.0.1:5000")),
            ("with.dots", None),
        ] {
            for key in ["uploads/01J0000000000000000000000A/01J0000000000000000000000B", "odd key/é+?#%"] {
                let expected = sdk(endpoint)
                    .get_object()
                    .bucket(bucket)
                    .key(key)
                    .presigned(presigning(instant(), ttl))
                    .await
                    .unwrap();
                let link = ours(bucket, endpoint).presign_get(key, instant(), ttl).await.unwrap();
                assert_eq!(link, expected.uri(), "{bucket} {endpoint:?} {key}");
            }
        }
    }

    #[tokio::test]
    async fn an_upload_link_is_the_one_the_sdk_signs_with_its_type_and_length() {
        let ttl = Duration::from_secs(900);
        for endpoint in [None, Some("http://127.0.0.1:5000/")] {
            let expected = sdk(endpoint.map(|e| e.trim_end_matches('/')))
                .put_object()
                .bucket("peerlearn-uploads")
                .key("pending/01J0000000000000000000000A/01J0000000000000000000000B")
                .content_type("application/pdf")
                .content_length(2_000_000)
                .presigned(presigning(instant(), ttl))
                .await
                .unwrap();
            let link = ours("peerlearn-uploads", endpoint)
                .presign_put(
                    "pending/01J0000000000000000000000A/01J0000000000000000000000B",
                    FileKind::Pdf,
                    2_000_000,
                    instant(),
                    ttl,
                )
                .await
                .unwrap();
            assert_eq!(link.url, expected.uri());
            assert_eq!(link.method, expected.method());
            let mut theirs: Vec<(String, String)> =
                expected.headers().map(|(name, value)| (name.to_owned(), value.to_owned())).collect();
            let mut headers = link.headers.clone();
            theirs.sort();
            headers.sort();
            assert_eq!(headers, theirs);
            assert_eq!(link.expires_at, instant() + chrono::Duration::seconds(900));
        }
    }

    #[tokio::test]
    async fn another_instant_key_or_secret_gives_another_signature() {
        let ttl = Duration::from_secs(300);
        let links = ours("b", None);
        let first = links.presign_get("k", instant(), ttl).await.unwrap();
        assert_ne!(first, links.presign_get("k", instant() + chrono::Duration::seconds(1), ttl).await.unwrap());
        assert_ne!(first, links.presign_get("k2", instant(), ttl).await.unwrap());
        let other = SignedLinks::new(
            SharedCredentialsProvider::new(Credentials::new("AKIDEXAMPLE", "another", None, None, "test")),
            "eu-west-2",
            "b",
            None,
        );
        assert_ne!(first, other.presign_get("k", instant(), ttl).await.unwrap());
        assert!(first.contains("X-Amz-Expires=300"), "{first}");
    }
}
