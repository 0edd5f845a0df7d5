//! [`FileStore`] over S3's REST API: HeadObject, a ranged GetObject, CopyObject and
//! DeleteObject, each a request signed by [`SignedLinks`] (SigV4 in the query, signed when
//! sent) through one pooled HTTPS connector.
//!
//! Four requests whose answers are a status, two headers and a few bytes do not need the
//! S3 client: it and the checksum tables it carries (every CRC it can compute) were about a
//! fifth of the uploads function. Each request is held byte for byte to the SDK's own
//! presigner in the tests below; a 5xx or a failed connection is tried again, twice.

use std::time::Duration;

use aws_smithy_runtime_api::client::http::SharedHttpConnector;
use chrono::Utc;

use super::https::{self, Answer};
use super::links::SignedLinks;
use crate::ports::{BoxFuture, FileError, FileStore, ObjectHead};

/// Each attempt waits at most this long for its whole answer.
const TIMEOUT: Duration = Duration::from_secs(5);
/// A request's signature is good for this long (it is sent at once).
const SIGNED_FOR: Duration = Duration::from_secs(60);
/// Attempts per request: one and two retries, as the SDK's standard retry mode.
const ATTEMPTS: u32 = 3;
/// An error document or a copy's result is a few hundred bytes.
const MOST_BYTES: usize = 64 * 1024;

/// The uploads bucket.
#[derive(Debug, Clone)]
pub struct UploadsBucket {
    bucket: String,
    links: SignedLinks,
    connector: SharedHttpConnector,
}

/// One request to the bucket.
#[derive(Clone)]
struct Call<'a> {
    method: &'a str,
    key: &'a str,
    /// The operation's name in `x-id`, where the SDK names one.
    operation: Option<&'a str>,
    /// Headers in the signature.
    signed: &'a [(&'a str, &'a str)],
    /// A `Range` header, sent unsigned.
    range: Option<String>,
    /// Keep only the first bytes of the body (a ranged read) rather than refuse a long one.
    most_bytes: usize,
    cut: bool,
}

impl<'a> Call<'a> {
    fn new(method: &'a str, key: &'a str, operation: Option<&'a str>) -> Self {
        Self { method, key, operation, signed: &[], range: None, most_bytes: MOST_BYTES, cut: false }
    }
}

impl UploadsBucket {
    /// The bucket `bucket`, its requests signed by `links` (which address the same bucket)
    /// and sent through `connector`.
    pub fn new(bucket: impl Into<String>, links: SignedLinks, connector: SharedHttpConnector) -> Self {
        Self { bucket: bucket.into(), links, connector }
    }

    /// The bucket's name.
    pub fn name(&self) -> &str {
        &self.bucket
    }

    /// Sends `call`, signed now; a 5xx or a failed exchange is tried again.
    async fn send(&self, call: Call<'_>) -> Result<Answer, FileError> {
        let mut failure = String::new();
        for attempt in 0..ATTEMPTS {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_millis(50 << attempt)).await;
            }
            let url = self
                .links
                .presigned(call.method, call.key, call.operation, call.signed, Utc::now(), SIGNED_FOR)
                .await?;
            let mut request = https::request(call.method, &url).map_err(FileError::Unavailable)?;
            for (name, value) in call.signed {
                request.headers_mut().insert((*name).to_owned(), (*value).to_owned());
            }
            if let Some(range) = &call.range {
                request.headers_mut().insert("range", range.clone());
            }
            match https::exchange(&self.connector, request, TIMEOUT, call.most_bytes, call.cut).await {
                Ok(answer) if answer.status >= 500 => failure = refusal(&call, &answer),
                Ok(answer) => return Ok(answer),
                Err(error) => failure = format!("{} {}: {error}", call.method, call.key),
            }
        }
        Err(FileError::Unavailable(failure))
    }

    async fn head_object(&self, key: &str) -> Result<Option<ObjectHead>, FileError> {
        let call = Call::new("HEAD", key, None);
        let answer = self.send(call.clone()).await?;
        match answer.status {
            200 => Ok(Some(ObjectHead {
                size_bytes: answer.headers.get("content-length").and_then(|n| n.parse().ok()).unwrap_or(0),
                content_type: answer.headers.get("content-type").map(str::to_owned),
            })),
            404 => Ok(None),
            _ => Err(FileError::Unavailable(refusal(&call, &answer))),
        }
    }

    async fn read_first(&self, key: &str, count: usize) -> Result<Option<Vec<u8>>, FileError> {
        let call = Call {
            range: Some(format!("bytes=0-{}", count.saturating_sub(1))),
            most_bytes: count,
            // A server that ignores the range sends everything; keep only what was asked.
            cut: true,
            ..Call::new("GET", key, Some("GetObject"))
        };
        let answer = self.send(call.clone()).await?;
        match answer.status {
            200 | 206 => Ok(Some(answer.body)),
            404 => Ok(None),
            _ => Err(FileError::Unavailable(refusal(&call, &answer))),
        }
    }

    async fn copy_object(&self, from: &str, to: &str) -> Result<(), FileError> {
        let source = format!("{}/{}", self.bucket, crate::percent::encode_path(from));
        let signed = [("x-amz-copy-source", source.as_str())];
        let call = Call { signed: &signed, ..Call::new("PUT", to, Some("CopyObject")) };
        let answer = self.send(call.clone()).await?;
        // A copy can fail after S3 has answered 200: the error is then the body.
        if answer.status == 200 && !answer.body.windows(7).any(|window| window == b"<Error>") {
            return Ok(());
        }
        Err(FileError::Unavailable(refusal(&call, &answer)))
    }

    async fn delete_object(&self, key: &str) -> Result<(), FileError> {
        let call = Call::new("DELETE", key, Some("DeleteObject"));
        let answer = self.send(call.clone()).await?;
        // Deleting what is not there succeeds, as S3 itself answers 204.
        if (200..300).contains(&answer.status) || answer.status == 404 {
            return Ok(());
        }
        Err(FileError::Unavailable(refusal(&call, &answer)))
    }
}

/// S3's answer to `call` as text: the status and the error document's code and message.
fn refusal(call: &Call<'_>, answer: &Answer) -> String {
    let text = String::from_utf8_lossy(&answer.body);
    let element = |name: &str| {
        let open = format!("<{name}>");
        let start = text.find(&open)? + open.len();
        let end = text[start..].find('<')? + start;
        Some(text[start..end].to_owned())
    };
    let mut refusal = format!("{} {}: status {}", call.method, call.key, answer.status);
    for detail in [element("Code"), element("Message")].into_iter().flatten() {
        refusal.push_str(": ");
        refusal.push_str(&detail);
    }
    refusal
}

impl FileStore for UploadsBucket {
    fn head<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<ObjectHead>, FileError>> {
        Box::pin(self.head_object(key))
    }

    fn first_bytes<'a>(&'a self, key: &'a str, count: usize) -> BoxFuture<'a, Result<Option<Vec<u8>>, FileError>> {
        Box::pin(self.read_first(key, count))
    }

    fn copy<'a>(&'a self, from: &'a str, to: &'a str) -> BoxFuture<'a, Result<(), FileError>> {
        Box::pin(self.copy_object(from, to))
    }

    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), FileError>> {
        Box::pin(self.delete_object(key))
    }

    fn bucket(&self) -> Option<&str> {
        Some(&self.bucket)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use aws_smithy_runtime_api::http::Headers;
    use chrono::{TimeZone as _, Utc};

    use super::{Answer, Call, refusal};
    use crate::adapters::links::tests::{ours, presigning, sdk};

    /// Each request the bucket sends, signed as the SDK's presigner signs the operation.
    #[tokio::test]
    async fn every_request_is_the_one_the_sdk_signs() {
        let at = Utc.with_ymd_and_hms(2026, 3, 29, 1, 30, 0).unwrap();
        let presigning = || presigning(at, super::SIGNED_FOR);
        for endpoint in [None, Some("http://127.0.0.1:5000")] {
            let sdk = sdk(endpoint);
            let links = ours("uploads", endpoint);
            let (bucket, key, to) =
                ("uploads", "pending/01J0000000000000000000000A/01J0000000000000000000000B", "uploads/x");
            let sign = |method, key, operation, headers: &'static [(&'static str, &'static str)]| {
                let links = links.clone();
                async move { links.presigned(method, key, operation, headers, at, super::SIGNED_FOR).await.unwrap() }
            };

            let head = sdk.head_object().bucket(bucket).key(key).presigned(presigning()).await.unwrap();
            assert_eq!(sign("HEAD", key, None, &[]).await, head.uri());
            assert_eq!(head.method(), "HEAD");
            let get = sdk.get_object().bucket(bucket).key(key).presigned(presigning()).await.unwrap();
            assert_eq!(sign("GET", key, Some("GetObject"), &[]).await, get.uri());
            let delete = sdk.delete_object().bucket(bucket).key(key).presigned(presigning()).await.unwrap();
            assert_eq!(sign("DELETE", key, Some("DeleteObject"), &[]).await, delete.uri());
            // The SDK presigns no CopyObject: it is the PUT above (held to the SDK with its
            // signed headers in links.rs) with the source named in a signed header.
            let copy = sign("PUT", to, Some("CopyObject"), &[("x-amz-copy-source", "uploads/pending/a/b")]).await;
            let put = sdk.put_object().bucket(bucket).key(to).presigned(presigning()).await.unwrap();
            let prefix = put.uri().split("?x-id=").next().unwrap();
            assert!(copy.starts_with(&format!("{prefix}?x-id=CopyObject&")), "{copy}");
            assert!(copy.contains("X-Amz-SignedHeaders=host%3Bx-amz-copy-source&"), "{copy}");
        }
    }

    #[test]
    fn a_refusal_names_the_request_and_what_s3_said() {
        let answer = |status, body: &str| Answer { status, headers: Headers::new(), body: body.as_bytes().to_vec() };
        let call = Call::new("PUT", "uploads/x", Some("CopyObject"));
        let body = "<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>";
        assert_eq!(refusal(&call, &answer(403, body)), "PUT uploads/x: status 403: AccessDenied: Access Denied");
        assert_eq!(refusal(&call, &answer(503, "")), "PUT uploads/x: status 503");
    }
}
