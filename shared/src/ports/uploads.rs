//! Upload records: what was offered to whom, and what was checked and kept.

use std::future::Future;

use super::StoreError;
use crate::domain::{Upload, UploadId, UserId};

/// Upload records in the table.
pub trait UploadStore: Send + Sync {
    /// Stores a new pending upload (never over an existing one).
    fn offer_upload(&self, upload: &Upload) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// `owner`'s upload `id` (consistent read), or `None`: someone else's upload is not
    /// found under another owner's key.
    fn upload(&self, owner: &UserId, id: &UploadId) -> impl Future<Output = Result<Option<Upload>, StoreError>> + Send;

    /// Those of `owner`'s uploads among `ids` that exist, in one consistent BatchGetItem
    /// per 100 ids; in no particular order.
    fn uploads(&self, owner: &UserId, ids: &[UploadId])
    -> impl Future<Output = Result<Vec<Upload>, StoreError>> + Send;

    /// `owner`'s uploads, newest first, at most `limit`.
    fn uploads_of(&self, owner: &UserId, limit: usize) -> impl Future<Output = Result<Vec<Upload>, StoreError>> + Send;

    /// Records `completed` (which must be pending in the table, else
    /// [`StoreError::Conflict`]); when `avatar` is true, makes it the owner's avatar in the
    /// same transaction.
    fn complete_upload(&self, completed: &Upload, avatar: bool) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Deletes a pending upload's record (a completed one stays).
    fn discard_upload(&self, upload: &Upload) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The member's current avatar, if they have one.
    fn avatar(&self, member: &UserId) -> impl Future<Output = Result<Option<Upload>, StoreError>> + Send;
}
