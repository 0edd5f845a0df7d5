//! [`UploadStore`] over DynamoDB: one item per upload under its owner, and a copy of the
//! current avatar's upload under the member.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key};
use super::records::{from_item, to_item};
use super::{DynamoStore, TransactFailure, s, unavailable};
use crate::domain::{FileKind, Upload, UploadId, UploadPurpose, UploadState, UserId};
use crate::ports::{StoreError, UploadStore};

/// A pending upload's record goes with its pending object, which the bucket's lifecycle
/// removes after a day.
const PENDING_LIFETIME: chrono::Duration = chrono::Duration::days(1);

/// An upload (entity `Upload`), or a member's avatar (entity `Avatar`, the same fields).
#[derive(Debug, Serialize, Deserialize)]
struct UploadRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    id: UploadId,
    owner: UserId,
    purpose: UploadPurpose,
    kind: FileKind,
    size_bytes: u64,
    state: UploadState,
    created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    completed_at: Option<DateTime<Utc>>,
    /// TTL while pending only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    expires_at: Option<i64>,
}

impl UploadRecord {
    fn new(Key { pk, sk }: Key, entity: &str, upload: &Upload) -> Self {
        let expires_at =
            (upload.state == UploadState::Pending).then(|| (upload.created_at + PENDING_LIFETIME).timestamp());
        Self {
            pk,
            sk,
            entity: entity.into(),
            id: upload.id.clone(),
            owner: upload.owner.clone(),
            purpose: upload.purpose,
            kind: upload.kind,
            size_bytes: upload.size_bytes,
            state: upload.state,
            created_at: upload.created_at,
            completed_at: upload.completed_at,
            expires_at,
        }
    }

    fn into_upload(self) -> Upload {
        Upload {
            id: self.id,
            owner: self.owner,
            purpose: self.purpose,
            kind: self.kind,
            size_bytes: self.size_bytes,
            state: self.state,
            created_at: self.created_at,
            completed_at: self.completed_at,
        }
    }
}

fn upload_item(upload: &Upload) -> Result<crate::adapters::dynamo::Item, StoreError> {
    to_item(&UploadRecord::new(keys::upload(&upload.owner, &upload.id), "Upload", upload))
}

fn built<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Unavailable(e.to_string()))
}

const PENDING: &str = "pending";

impl DynamoStore {
    /// The upload (or avatar copy) at `key`, read consistently.
    async fn upload_at(&self, key: Key) -> Result<Option<Upload>, StoreError> {
        self.get_one(key).await?.map(|item| from_item::<UploadRecord>(item).map(UploadRecord::into_upload)).transpose()
    }
}

impl UploadStore for DynamoStore {
    async fn offer_upload(&self, upload: &Upload) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(upload_item(upload)?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Err(StoreError::Conflict("upload exists"))
            }
            Err(error) => Err(unavailable(error)),
        }
    }

    async fn upload(&self, owner: &UserId, id: &UploadId) -> Result<Option<Upload>, StoreError> {
        self.upload_at(keys::upload(owner, id)).await
    }

    async fn uploads(&self, owner: &UserId, ids: &[UploadId]) -> Result<Vec<Upload>, StoreError> {
        let mut found = Vec::with_capacity(ids.len());
        // BatchGetItem takes 100 keys, each at most once.
        for chunk in ids.chunks(100) {
            let keys: Vec<Key> = chunk.iter().map(|id| keys::upload(owner, id)).collect();
            for item in self.get_many(&keys).await? {
                found.push(from_item::<UploadRecord>(item)?.into_upload());
            }
        }
        Ok(found)
    }

    async fn uploads_of(&self, owner: &UserId, limit: usize) -> Result<Vec<Upload>, StoreError> {
        let query = self.prefix_query(keys::user(owner).pk, keys::UPLOAD_PREFIX).scan_index_forward(false);
        let items = self.query_items(query, Some(limit)).await?;
        items.into_iter().map(|item| from_item::<UploadRecord>(item).map(UploadRecord::into_upload)).collect()
    }

    async fn complete_upload(&self, completed: &Upload, avatar: bool) -> Result<(), StoreError> {
        let record = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(upload_item(completed)?))
                .condition_expression("#state = :pending")
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":pending", s(PENDING))
                .build(),
        )?;
        let mut items = vec![TransactWriteItem::builder().put(record).build()];
        if avatar {
            let copy = to_item(&UploadRecord::new(keys::avatar(&completed.owner), "Avatar", completed))?;
            let put = built(Put::builder().table_name(&self.table).set_item(Some(copy)).build())?;
            items.push(TransactWriteItem::builder().put(put).build());
        }
        self.transact(items).await.map_err(|failure| match failure {
            TransactFailure::ConditionFailed(_) => StoreError::Conflict("upload not pending"),
            TransactFailure::Store(error) => error,
        })
    }

    async fn discard_upload(&self, upload: &Upload) -> Result<(), StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(keys::upload(&upload.owner, &upload.id).item()))
            .condition_expression("#state = :pending")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":pending", AttributeValue::S(PENDING.into()))
            .send()
            .await;
        match result {
            // Already gone, or completed meanwhile: either way nothing pending is left.
            Err(error) if error.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => Ok(()),
            Err(error) => Err(unavailable(error)),
            Ok(_) => Ok(()),
        }
    }

    async fn avatar(&self, member: &UserId) -> Result<Option<Upload>, StoreError> {
        self.upload_at(keys::avatar(member)).await
    }
}
