//! [`VerificationStore`] over DynamoDB. A request is its own item; while pending it is in
//! GSI1's `VERIFY#PENDING` partition, oldest first, which is the admins' queue. The
//! mentor's newest request is found through a pointer item under the mentor.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key};
use super::records::{from_item, to_item};
use super::{DynamoStore, TransactFailure, s};
use crate::domain::{
    AuditEntry, EvidenceUploads, Reason, User, UserId, VerificationId, VerificationRequest, VerificationState,
    VerificationStatement,
};
use crate::ports::{NewNotification, StoreError, VerificationPage, VerificationStore};

/// A verification request as stored (`entity = "Verification"`, top-level `state`).
#[derive(Debug, Serialize, Deserialize)]
struct VerificationRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    id: VerificationId,
    mentor: UserId,
    uploads: EvidenceUploads,
    statement: VerificationStatement,
    state: VerificationState,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<Reason>,
    submitted_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decided_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    decided_by: Option<UserId>,
    /// Present only while pending: the admins' queue.
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    gsi1sk: Option<String>,
}

impl VerificationRecord {
    fn new(request: &VerificationRequest) -> Self {
        let Key { pk, sk } = keys::verification(&request.id);
        let pending = request.state == VerificationState::Pending;
        Self {
            pk,
            sk,
            entity: "Verification".into(),
            id: request.id.clone(),
            mentor: request.mentor.clone(),
            uploads: request.uploads.clone(),
            statement: request.statement.clone(),
            state: request.state,
            reason: request.reason.clone(),
            submitted_at: request.submitted_at,
            decided_at: request.decided_at,
            decided_by: request.decided_by.clone(),
            gsi1pk: pending.then(|| keys::PENDING_VERIFICATIONS.to_owned()),
            gsi1sk: pending.then(|| keys::pending_verification(request.submitted_at, &request.id)),
        }
    }

    fn into_request(self) -> VerificationRequest {
        VerificationRequest {
            id: self.id,
            mentor: self.mentor,
            uploads: self.uploads,
            statement: self.statement,
            state: self.state,
            reason: self.reason,
            submitted_at: self.submitted_at,
            decided_at: self.decided_at,
            decided_by: self.decided_by,
        }
    }
}

/// The pointer from a mentor to their newest request (`entity = "LatestVerification"`).
#[derive(Debug, Serialize, Deserialize)]
struct LatestRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    request: VerificationId,
}

impl DynamoStore {
    fn built(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
        StoreError::Unavailable(error.to_string())
    }

    /// The put of `request`; `condition` guards what it replaces.
    fn verification_put(
        &self,
        request: &VerificationRequest,
        condition: &str,
        pending: bool,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(&VerificationRecord::new(request))?))
            .condition_expression(condition);
        if pending {
            put = put
                .expression_attribute_names("#state", "state")
                .expression_attribute_values(":pending", s(VerificationState::Pending.as_str()));
        }
        Ok(TransactWriteItem::builder().put(put.build().map_err(Self::built)?).build())
    }
}

impl VerificationStore for DynamoStore {
    async fn submit_verification(
        &self,
        request: &VerificationRequest,
        mentor: &User,
        previous: &User,
    ) -> Result<(), StoreError> {
        let Key { pk, sk } = keys::latest_verification(&request.mentor);
        let latest = LatestRecord { pk, sk, entity: "LatestVerification".into(), request: request.id.clone() };
        let pointer = Put::builder().table_name(&self.table).set_item(Some(to_item(&latest)?)).build();
        // The user item's version condition is the one-open-request rule: the mentor was
        // read as not pending, and a concurrent request changes the version.
        let mut items = vec![self.verification_put(request, "attribute_not_exists(PK)", false)?];
        items.extend(self.user_writes(mentor, previous)?);
        items.push(TransactWriteItem::builder().put(pointer.map_err(Self::built)?).build());
        self.transact(items).await.map_err(|failure| match failure {
            TransactFailure::ConditionFailed(_) => StoreError::Conflict("version"),
            TransactFailure::Store(error) => error,
        })
    }

    async fn verification(&self, id: &VerificationId) -> Result<Option<VerificationRequest>, StoreError> {
        let item = self.get_one(keys::verification(id)).await?;
        item.map(|item| from_item::<VerificationRecord>(item).map(VerificationRecord::into_request)).transpose()
    }

    async fn latest_verification(&self, mentor: &UserId) -> Result<Option<VerificationRequest>, StoreError> {
        let Some(item) = self.get_one(keys::latest_verification(mentor)).await? else { return Ok(None) };
        let latest: LatestRecord = from_item(item)?;
        self.verification(&latest.request).await
    }

    async fn decide_verification(
        &self,
        decided: &VerificationRequest,
        mentor: &User,
        previous: &User,
        audit: &AuditEntry,
        note: &NewNotification,
    ) -> Result<(), StoreError> {
        // Re-put without the queue keys, only if still pending: one decision per request.
        let mut items = vec![self.verification_put(decided, "#state = :pending", true)?];
        items.extend(self.user_writes(mentor, previous)?);
        items.push(self.audit_put(audit)?);
        items.push(self.notification_put(note)?);
        self.transact(items).await.map_err(|failure| match failure {
            TransactFailure::ConditionFailed(_) => StoreError::Conflict("verification"),
            TransactFailure::Store(error) => error,
        })
    }

    async fn pending_verifications(&self, after: Option<&str>, limit: usize) -> Result<VerificationPage, StoreError> {
        let start = match after {
            Some(position) => {
                let key = keys::pending_verification_key(position)
                    .ok_or_else(|| StoreError::Corrupt("queue position".into()))?;
                let mut start = key.item();
                start.insert(keys::GSI1PK.to_owned(), s(keys::PENDING_VERIFICATIONS));
                start.insert(keys::GSI1SK.to_owned(), s(position));
                Some(start)
            }
            None => None,
        };
        let (items, last) = self.index_page(keys::PENDING_VERIFICATIONS.to_owned(), true, start, limit).await?;
        let next = last.as_ref().and_then(|key| key.get(keys::GSI1SK)).and_then(|value| value.as_s().ok()).cloned();
        let requests = items
            .into_iter()
            .map(|item| from_item::<VerificationRecord>(item).map(VerificationRecord::into_request))
            .collect::<Result<_, _>>()?;
        Ok(VerificationPage { requests, next })
    }
}
