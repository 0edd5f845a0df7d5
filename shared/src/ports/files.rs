//! File storage: objects put and fetched directly by clients through presigned links, and
//! inspected, moved and deleted by the server.

use std::time::Duration;

use chrono::{DateTime, Utc};

use super::BoxFuture;
use crate::domain::FileKind;

/// A presigned upload: the client sends exactly this method, URL and headers with the file
/// as the body. The content type, length and encryption are part of the signature, so a
/// different file is refused by storage (and checked again when the upload completes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadLink {
    /// `PUT`.
    pub method: String,
    /// The presigned URL.
    pub url: String,
    /// Headers the request must carry, as signed (`content-type`, `content-length`, ...).
    pub headers: Vec<(String, String)>,
    /// When the link stops working.
    pub expires_at: DateTime<Utc>,
}

/// What storage says about an object, without its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectHead {
    /// Length in bytes.
    pub size_bytes: u64,
    /// `Content-Type` as stored.
    pub content_type: Option<String>,
}

/// File storage failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    /// No bucket is configured for this function.
    #[error("no file storage configured")]
    NotConfigured,
    /// Storage could not be reached, refused the request or a link could not be signed.
    #[error("file storage unavailable: {0}")]
    Unavailable(String),
}

/// Presigned links into the bucket, through which clients put and read files directly.
/// Signing is computation over the function's credentials, no call to storage, so it is
/// its own port: a function that only hands out links needs no storage client.
pub trait FileLinks: Send + Sync {
    /// A link to put `size_bytes` of `kind` at `key`, signed at `at` and valid for `ttl`.
    fn presign_put<'a>(
        &'a self,
        key: &'a str,
        kind: FileKind,
        size_bytes: u64,
        at: DateTime<Utc>,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<UploadLink, FileError>>;

    /// A link to read the object at `key`, signed at `at` and valid for `ttl`.
    fn presign_get<'a>(
        &'a self,
        key: &'a str,
        at: DateTime<Utc>,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<String, FileError>>;
}

/// The bucket, as the upload use cases inspect, move and delete what clients put there.
/// Keys are always the server's (see [`crate::domain::Upload`]). Boxed futures so the App
/// holds it as a trait object.
pub trait FileStore: Send + Sync {
    /// The object at `key`, or `None` when there is none.
    fn head<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<ObjectHead>, FileError>>;

    /// The first `count` bytes of the object at `key` (a ranged read), or `None` when there
    /// is no object.
    fn first_bytes<'a>(&'a self, key: &'a str, count: usize) -> BoxFuture<'a, Result<Option<Vec<u8>>, FileError>>;

    /// Copies the object at `from` to `to` (server side).
    fn copy<'a>(&'a self, from: &'a str, to: &'a str) -> BoxFuture<'a, Result<(), FileError>>;

    /// Deletes the object at `key`; deleting nothing succeeds.
    fn delete<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<(), FileError>>;

    /// The bucket's name, where there is one (the local stack checks IAM against it).
    fn bucket(&self) -> Option<&str> {
        None
    }
}

/// Where no bucket is configured (functions that handle no files): every call fails with
/// [`FileError::NotConfigured`], so a missing setting shows at once rather than passing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFiles;

impl FileStore for NoFiles {
    fn head<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<Option<ObjectHead>, FileError>> {
        Box::pin(async { Err(FileError::NotConfigured) })
    }

    fn first_bytes<'a>(&'a self, _key: &'a str, _count: usize) -> BoxFuture<'a, Result<Option<Vec<u8>>, FileError>> {
        Box::pin(async { Err(FileError::NotConfigured) })
    }

    fn copy<'a>(&'a self, _from: &'a str, _to: &'a str) -> BoxFuture<'a, Result<(), FileError>> {
        Box::pin(async { Err(FileError::NotConfigured) })
    }

    fn delete<'a>(&'a self, _key: &'a str) -> BoxFuture<'a, Result<(), FileError>> {
        Box::pin(async { Err(FileError::NotConfigured) })
    }
}

impl FileLinks for NoFiles {
    fn presign_put<'a>(
        &'a self,
        _key: &'a str,
        _kind: FileKind,
        _size_bytes: u64,
        _at: DateTime<Utc>,
        _ttl: Duration,
    ) -> BoxFuture<'a, Result<UploadLink, FileError>> {
        Box::pin(async { Err(FileError::NotConfigured) })
    }

    fn presign_get<'a>(
        &'a self,
        _key: &'a str,
        _at: DateTime<Utc>,
        _ttl: Duration,
    ) -> BoxFuture<'a, Result<String, FileError>> {
        Box::pin(async { Err(FileError::NotConfigured) })
    }
}
