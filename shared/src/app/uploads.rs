//! Uploads: documents and avatars go straight from the client to the bucket through a
//! presigned link; the server checks what arrived before it counts.

use std::time::Duration;

use super::{App, AppError, admitted};
use crate::domain::file_kind::SNIFF_BYTES;
use crate::domain::{
    Bearer, FileKind, StoredObject, UPLOAD_LINK_TTL, Upload, UploadId, UploadPurpose, UploadState, UserId,
};
use crate::ports::{AccountStore, FileError, StoreError, UploadLink, UploadStore};

/// How long an avatar link in a profile lives: long enough to render a page, short
/// enough that a copied link soon stops working.
pub const AVATAR_LINK_TTL: Duration = Duration::from_secs(15 * 60);

/// The most uploads `GET /me/uploads` lists.
pub const MAX_LISTED_UPLOADS: usize = 100;

/// A pending upload and the link to put its file with.
#[derive(Debug, Clone)]
pub struct StartedUpload {
    /// The upload, pending.
    pub upload: Upload,
    /// Where and how to put the file.
    pub link: UploadLink,
}

impl From<FileError> for AppError {
    fn from(error: FileError) -> Self {
        Self::Files(error.to_string())
    }
}

impl<S: AccountStore + UploadStore> App<S> {
    /// Offers the caller an upload of `size_bytes` of `kind` for `purpose`: the record
    /// (pending) and a link to put the file under a key the server chose. The declaration
    /// is checked first (a 400 naming the field); nothing is written when it fails.
    pub async fn start_upload(
        &self,
        caller: &Bearer,
        purpose: UploadPurpose,
        kind: FileKind,
        size_bytes: u64,
    ) -> Result<StartedUpload, AppError> {
        let owner = &caller.member;
        let now = self.clock.now();
        let id = UploadId::new(ulid::Ulid::from_datetime(now.into()));
        let upload = Upload::offer(id, owner.clone(), purpose, kind, size_bytes, now)
            .map_err(|(field, reason)| AppError::Rule { field, reason })?;
        admitted(self.store.user(owner).await?, caller)?;
        // Sign before storing: a failed signature leaves no record behind.
        let link = self.links.presign_put(&upload.pending_key(), kind, upload.size_bytes, now, UPLOAD_LINK_TTL).await?;
        self.store.offer_upload(&upload).await?;
        Ok(StartedUpload { upload, link })
    }

    /// Completes the caller's upload `id`: checks that the object put under its link is
    /// exactly what was declared (size and content type from its metadata, kind from its
    /// first bytes), moves it to its final key and records it; an avatar becomes the
    /// member's avatar. A file that is not what was declared is deleted with its record
    /// ([`AppError::UploadMismatch`]); a completed upload is answered as it is, so a
    /// retried request succeeds.
    pub async fn complete_upload(&self, caller: &Bearer, id: &UploadId) -> Result<Upload, AppError> {
        let owner = &caller.member;
        let (user, upload) = futures_util::join!(self.store.user(owner), self.store.upload(owner, id));
        admitted(user?, caller)?;
        let upload = upload?.ok_or(AppError::UploadNotFound)?;
        if upload.state == UploadState::Complete {
            return Ok(upload);
        }
        let pending = upload.pending_key();
        let Some(head) = self.files.head(&pending).await? else {
            return self.completed_meanwhile(owner, id).await?.ok_or(AppError::UploadMissing);
        };
        // A wrong size is known from the metadata: no need to read a byte of it.
        let first_bytes = if head.size_bytes == upload.size_bytes {
            match self.files.first_bytes(&pending, SNIFF_BYTES).await? {
                Some(bytes) => bytes,
                None => return self.completed_meanwhile(owner, id).await?.ok_or(AppError::UploadMissing),
            }
        } else {
            Vec::new()
        };
        let object = StoredObject { size_bytes: head.size_bytes, content_type: head.content_type, first_bytes };
        if let Err(mismatch) = upload.check(&object) {
            self.files.delete(&pending).await?;
            self.store.discard_upload(&upload).await?;
            return Err(AppError::UploadMismatch(mismatch));
        }
        let completed = upload.completed(self.clock.now());
        // Stale evidence (verifications.rs): before the new ID document counts.
        self.new_identity_document(owner, completed.purpose).await?;
        if let Err(error) = self.files.copy(&pending, &completed.final_key()).await {
            // A concurrent completion may have moved the file already.
            return self.completed_meanwhile(owner, id).await?.ok_or(error.into());
        }
        match self.store.complete_upload(&completed, completed.purpose == UploadPurpose::Avatar).await {
            Ok(()) => {}
            // A concurrent completion won: answer with what it recorded.
            Err(StoreError::Conflict(_)) => {
                return self.completed_meanwhile(owner, id).await?.ok_or(AppError::Contended);
            }
            Err(error) => return Err(error.into()),
        }
        // The pending copy is garbage now; if this fails the bucket's lifecycle removes it
        // within a day, so the completion stands.
        if let Err(error) = self.files.delete(&pending).await {
            tracing::warn!(upload = %completed.id, error = %error, "pending upload not deleted");
        }
        Ok(completed)
    }

    /// The upload, if a concurrent request completed it (and moved its pending file away).
    async fn completed_meanwhile(&self, owner: &UserId, id: &UploadId) -> Result<Option<Upload>, AppError> {
        Ok(self.store.upload(owner, id).await?.filter(|upload| upload.state == UploadState::Complete))
    }

    /// The caller's uploads, newest first (at most [`MAX_LISTED_UPLOADS`]).
    pub async fn my_uploads(&self, caller: &Bearer) -> Result<Vec<Upload>, AppError> {
        let (admitted, uploads) =
            futures_util::join!(self.admit(caller), self.store.uploads_of(&caller.member, MAX_LISTED_UPLOADS));
        admitted?;
        Ok(uploads?)
    }

    /// The owner's uploads among `ids` that exist and are complete, in the order asked
    /// (each once): one consistent BatchGetItem per 100 ids. Someone else's upload is
    /// simply not among them.
    pub async fn completed_uploads(&self, owner: &UserId, ids: &[UploadId]) -> Result<Vec<Upload>, AppError> {
        let mut unique: Vec<UploadId> = Vec::with_capacity(ids.len());
        for id in ids {
            if !unique.contains(id) {
                unique.push(id.clone());
            }
        }
        let found = self.store.uploads(owner, &unique).await?;
        Ok(unique
            .iter()
            .filter_map(|id| {
                found
                    .iter()
                    .find(|upload| &upload.id == id && &upload.owner == owner && upload.state == UploadState::Complete)
            })
            .cloned()
            .collect())
    }

    /// A presigned link to read a completed upload, valid for `ttl` from the app's clock.
    /// A pending upload has nothing to read: [`AppError::UploadNotFound`].
    pub async fn download_link(&self, upload: &Upload, ttl: Duration) -> Result<String, AppError> {
        if upload.state != UploadState::Complete {
            return Err(AppError::UploadNotFound);
        }
        Ok(self.links.presign_get(&upload.final_key(), self.clock.now(), ttl).await?)
    }

    /// A short-lived link to `member`'s avatar, or `None` when they have none.
    pub async fn avatar_url(&self, member: &UserId) -> Result<Option<String>, AppError> {
        match self.store.avatar(member).await? {
            Some(avatar) => Ok(Some(self.download_link(&avatar, AVATAR_LINK_TTL).await?)),
            None => Ok(None),
        }
    }
}
