//! The admin audit trail: one append-only partition, newest first.
//!
//! Other adapters add an entry to their own transaction with [`put`], so an admin action
//! and its record commit together or not at all.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key};
use super::records::{from_item, to_item};
use super::{DynamoStore, Item};
use crate::domain::{AuditAction, AuditEntry, AuditId, Reason, UserId};
use crate::ports::{AuditPage, AuditStore, StoreError};

/// An audit entry as stored (`entity = "AuditEntry"`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct AuditRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    id: AuditId,
    at: DateTime<Utc>,
    actor: UserId,
    action: AuditAction,
    subject: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<Reason>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reference: Option<String>,
}

impl AuditRecord {
    fn new(entry: &AuditEntry) -> Self {
        let Key { pk, sk } = keys::audit_entry(&entry.id);
        Self {
            pk,
            sk,
            entity: "AuditEntry".into(),
            id: entry.id.clone(),
            at: entry.at,
            actor: entry.actor.clone(),
            action: entry.action,
            subject: entry.subject.clone(),
            reason: entry.reason.clone(),
            reference: entry.reference.clone(),
        }
    }

    fn into_entry(self) -> AuditEntry {
        AuditEntry {
            id: self.id,
            at: self.at,
            actor: self.actor,
            action: self.action,
            subject: self.subject,
            reason: self.reason,
            reference: self.reference,
        }
    }
}

/// The item of `entry`.
pub fn item(entry: &AuditEntry) -> Result<Item, StoreError> {
    to_item(&AuditRecord::new(entry))
}

/// The put that appends `entry` to the trail in `table`, for the caller's own
/// TransactWriteItems. Conditioned on the key being new: an entry is never overwritten.
pub fn put(table: &str, entry: &AuditEntry) -> Result<TransactWriteItem, StoreError> {
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item(entry)?))
        .condition_expression("attribute_not_exists(PK)")
        .build()
        .map_err(|e| StoreError::Unavailable(e.to_string()))?;
    Ok(TransactWriteItem::builder().put(put).build())
}

impl DynamoStore {
    /// [`put`] into this store's table.
    pub fn audit_put(&self, entry: &AuditEntry) -> Result<TransactWriteItem, StoreError> {
        put(&self.table, entry)
    }
}

impl AuditStore for DynamoStore {
    async fn audit_trail(&self, after: Option<&str>, limit: usize) -> Result<AuditPage, StoreError> {
        let pk = keys::AUDIT_TRAIL.to_owned();
        let query = self.prefix_query(pk.clone(), keys::AUDIT_PREFIX).scan_index_forward(false);
        let (items, next) = self.query_page(query, &pk, after, limit).await?;
        let entries = items
            .into_iter()
            .map(|item| from_item::<AuditRecord>(item).map(AuditRecord::into_entry))
            .collect::<Result<_, _>>()?;
        Ok(AuditPage { entries, next })
    }
}
