//! An upload: a file a member puts into storage directly, and the checks that make it
//! count. The server names every object: a client never chooses a key.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{FileKind, Invalid, UploadId, UploadPurpose, UserId};

/// Where an upload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UploadState {
    /// Offered: the member may put the file under its pending key until the link expires.
    Pending,
    /// Checked and moved to its final key: the file is what was declared.
    Complete,
}

/// A file a member uploads (a verification document or an avatar).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Upload {
    /// The upload.
    pub id: UploadId,
    /// The member who uploads it; nobody else may complete or see it.
    pub owner: UserId,
    /// What it is for.
    pub purpose: UploadPurpose,
    /// Its declared (and, once complete, checked) kind.
    #[schema(value_type = String, example = "application/pdf")]
    pub kind: FileKind,
    /// Its declared (and, once complete, checked) size.
    pub size_bytes: u64,
    /// Pending or complete.
    pub state: UploadState,
    /// When it was offered.
    pub created_at: DateTime<Utc>,
    /// When it was checked and kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
}

/// What storage says about an uploaded object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredObject {
    /// Its length in bytes.
    pub size_bytes: u64,
    /// Its `Content-Type` as stored.
    pub content_type: Option<String>,
    /// Its first bytes (up to [`super::file_kind::SNIFF_BYTES`]).
    pub first_bytes: Vec<u8>,
}

/// Why an uploaded object is not what was declared; each names the request field it
/// contradicts.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    /// Its size is not the declared one.
    #[error("the file is {found} bytes, {declared} were declared")]
    Size {
        /// Declared.
        declared: u64,
        /// Found.
        found: u64,
    },
    /// It was stored under another content type.
    #[error("the file was sent as another content type than declared")]
    ContentType,
    /// Its content is not a file of the declared kind.
    #[error("the file's content is not {declared}")]
    Content {
        /// Declared.
        declared: FileKind,
    },
}

impl Mismatch {
    /// The request field the mismatch contradicts.
    pub const fn field(&self) -> &'static str {
        match self {
            Self::Size { .. } => "size_bytes",
            Self::ContentType | Self::Content { .. } => "content_type",
        }
    }
}

/// How long an upload link lives: long enough for 10 MB on a slow line, short enough
/// that a leaked link is soon useless.
pub const UPLOAD_LINK_TTL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

impl Upload {
    /// A new pending upload after checking the declaration: the size against the
    /// purpose's limit (`size_bytes`) and an avatar being an image (`content_type`).
    pub fn offer(
        id: UploadId,
        owner: UserId,
        purpose: UploadPurpose,
        kind: FileKind,
        size_bytes: u64,
        at: DateTime<Utc>,
    ) -> Result<Self, (&'static str, Invalid)> {
        if purpose == UploadPurpose::Avatar && !kind.is_image() {
            return Err(("content_type", Invalid::new("an avatar must be image/jpeg or image/png")));
        }
        let size_bytes = purpose.check_size(size_bytes).map_err(|reason| ("size_bytes", reason))?;
        Ok(Self {
            id,
            owner,
            purpose,
            kind,
            size_bytes,
            state: UploadState::Pending,
            created_at: at,
            completed_at: None,
        })
    }

    /// Where the member puts the file: `pending/<owner>/<upload id>`. Pending objects
    /// expire after a day by the bucket's lifecycle.
    pub fn pending_key(&self) -> String {
        format!("pending/{}/{}", self.owner, self.id)
    }

    /// Where a checked file is kept: `uploads/<owner>/<upload id>`.
    pub fn final_key(&self) -> String {
        format!("uploads/{}/{}", self.owner, self.id)
    }

    /// Whether `object` is exactly what was declared: the size, the content type it was
    /// put with and, by its magic bytes, the kind of its content.
    pub fn check(&self, object: &StoredObject) -> Result<(), Mismatch> {
        if object.size_bytes != self.size_bytes {
            return Err(Mismatch::Size { declared: self.size_bytes, found: object.size_bytes });
        }
        let stored_kind = object.content_type.as_deref().and_then(|raw| FileKind::from_content_type(raw).ok());
        if stored_kind != Some(self.kind) {
            return Err(Mismatch::ContentType);
        }
        if FileKind::sniff(&object.first_bytes) != Some(self.kind) {
            return Err(Mismatch::Content { declared: self.kind });
        }
        Ok(())
    }

    /// The upload, checked and kept at `at`.
    pub fn completed(self, at: DateTime<Utc>) -> Self {
        Self { state: UploadState::Complete, completed_at: Some(at), ..self }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use ulid::Ulid;

    const PNG: &[u8] = &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];

    fn at() -> DateTime<Utc> {
        "2026-06-10T09:00:00Z".parse().unwrap()
    }

    fn offer(purpose: UploadPurpose, kind: FileKind, size: u64) -> Result<Upload, (&'static str, Invalid)> {
        Upload::offer(UploadId::new(Ulid(7)), UserId::new(Ulid(9)), purpose, kind, size, at())
    }

    fn object(size: u64, content_type: &str, first: &[u8]) -> StoredObject {
        StoredObject { size_bytes: size, content_type: Some(content_type.into()), first_bytes: first.to_vec() }
    }

    #[test]
    fn keys_are_the_servers_choice_under_the_owner() {
        let upload = offer(UploadPurpose::Transcript, FileKind::Pdf, 100).unwrap();
        assert_eq!(upload.pending_key(), format!("pending/{}/{}", upload.owner, upload.id));
        assert_eq!(upload.final_key(), format!("uploads/{}/{}", upload.owner, upload.id));
        assert_eq!(upload.state, UploadState::Pending);
    }

    #[test]
    fn an_avatar_is_an_image_of_at_most_2_mb() {
        assert_eq!(offer(UploadPurpose::Avatar, FileKind::Pdf, 10).unwrap_err().0, "content_type");
        assert_eq!(offer(UploadPurpose::Avatar, FileKind::Png, 2_097_153).unwrap_err().0, "size_bytes");
        assert!(offer(UploadPurpose::Avatar, FileKind::Jpeg, 2_097_152).is_ok());
        assert_eq!(offer(UploadPurpose::Certificate, FileKind::Png, 0).unwrap_err().0, "size_bytes");
    }

    #[test]
    fn the_object_must_be_what_was_declared() {
        let upload = offer(UploadPurpose::Avatar, FileKind::Png, 8).unwrap();
        assert_eq!(upload.check(&object(8, "image/png", PNG)), Ok(()));
        assert_eq!(upload.check(&object(9, "image/png", PNG)), Err(Mismatch::Size { declared: 8, found: 9 }));
        assert_eq!(upload.check(&object(8, "image/jpeg", PNG)), Err(Mismatch::ContentType));
        let untyped = StoredObject { content_type: None, ..object(8, "", PNG) };
        assert_eq!(upload.check(&untyped), Err(Mismatch::ContentType));
        // A PDF renamed .png: declared and stored as a PNG, but its bytes say otherwise.
        assert_eq!(
            upload.check(&object(8, "image/png", b"%PDF-1.7")),
            Err(Mismatch::Content { declared: FileKind::Png })
        );
        assert_eq!(Mismatch::Size { declared: 1, found: 2 }.field(), "size_bytes");
        assert_eq!(Mismatch::ContentType.field(), "content_type");
    }

    #[test]
    fn completing_keeps_everything_but_the_state() {
        let upload = offer(UploadPurpose::IdDocument, FileKind::Pdf, 5).unwrap();
        let later = at() + chrono::Duration::minutes(3);
        let done = upload.clone().completed(later);
        assert_eq!(done.state, UploadState::Complete);
        assert_eq!(done.completed_at, Some(later));
        assert_eq!(Upload { state: UploadState::Pending, completed_at: None, ..done }, upload);
    }

    proptest! {
        #[test]
        fn only_the_declared_size_passes(declared in 1u64..=2_097_152, found in any::<u64>()) {
            let upload = offer(UploadPurpose::Avatar, FileKind::Png, declared).unwrap();
            let result = upload.check(&object(found, "image/png", PNG));
            prop_assert_eq!(result.is_ok(), found == declared);
        }

        #[test]
        fn content_that_is_not_the_declared_kind_never_passes(first in prop::collection::vec(any::<u8>(), 0..12)) {
            let upload = offer(UploadPurpose::Transcript, FileKind::Pdf, 12).unwrap();
            let passed = upload.check(&object(12, "application/pdf", &first)).is_ok();
            prop_assert_eq!(passed, first.starts_with(b"%PDF-"));
        }
    }
}
