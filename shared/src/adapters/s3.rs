//! [`FileStore`] over S3: the uploads bucket, through one client per cold start. Only the
//! uploads function needs it; links are signed without a client ([`super::links`]).

use aws_sdk_s3::error::SdkError;

use crate::ports::{BoxFuture, FileError, FileStore, ObjectHead};

/// The uploads bucket.
#[derive(Debug, Clone)]
pub struct UploadsBucket {
    client: aws_sdk_s3::Client,
    bucket: String,
}

impl UploadsBucket {
    /// The bucket `bucket` through `client`.
    pub fn new(client: aws_sdk_s3::Client, bucket: impl Into<String>) -> Self {
        Self { client, bucket: bucket.into() }
    }

    /// The bucket's name.
    pub fn name(&self) -> &str {
        &self.bucket
    }

    /// The client (for the local stack's and the tests' set-up).
    pub fn client(&self) -> &aws_sdk_s3::Client {
        &self.client
    }

    /// A client built from shared SDK settings, optionally at another endpoint (an
    /// emulator, addressed path-style as emulators expect).
    pub fn from_sdk(sdk: &aws_config::SdkConfig, bucket: &str, endpoint: Option<&str>) -> Self {
        let mut config =
            aws_sdk_s3::config::Builder::from(sdk).interceptor(crate::observability::aws_calls::AwsCalls::from_env());
        if let Some(endpoint) = endpoint {
            config = config.endpoint_url(endpoint).force_path_style(true);
        }
        Self::new(aws_sdk_s3::Client::from_conf(config.build()), bucket)
    }

    async fn head_object(&self, key: &str) -> Result<Option<ObjectHead>, FileError> {
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(head) => Ok(Some(ObjectHead {
                size_bytes: head.content_length().and_then(|n| u64::try_from(n).ok()).unwrap_or(0),
                content_type: head.content_type().map(str::to_owned),
            })),
            Err(SdkError::ServiceError(service)) if service.err().is_not_found() => Ok(None),
            Err(error) => Err(failed(error)),
        }
    }

    async fn read_first(&self, key: &str, count: usize) -> Result<Option<Vec<u8>>, FileError> {
        let range = format!("bytes=0-{}", count.saturating_sub(1));
        let output = match self.client.get_object().bucket(&self.bucket).key(key).range(range).send().await {
            Ok(output) => output,
            Err(SdkError::ServiceError(service)) if service.err().is_no_such_key() => return Ok(None),
            Err(error) => return Err(failed(error)),
        };
        let bytes = output.body.collect().await.map_err(|e| FileError::Unavailable(e.to_string()))?.into_bytes();
        // A server that ignores the range sends everything; keep only what was asked.
        Ok(Some(bytes.iter().take(count).copied().collect()))
    }

    async fn copy_object(&self, from: &str, to: &str) -> Result<(), FileError> {
        self.client
            .copy_object()
            .bucket(&self.bucket)
            .copy_source(format!("{}/{from}", self.bucket))
            .key(to)
            .send()
            .await
            .map_err(failed)?;
        Ok(())
    }

    async fn delete_object(&self, key: &str) -> Result<(), FileError> {
        self.client.delete_object().bucket(&self.bucket).key(key).send().await.map_err(failed)?;
        Ok(())
    }
}

/// Any SDK failure, keeping the service's own message.
fn failed<E, R>(error: SdkError<E, R>) -> FileError
where
    E: std::fmt::Display + std::fmt::Debug,
    R: std::fmt::Debug,
{
    FileError::Unavailable(super::sdk_failure(error))
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
