//! [`NotificationStore`] over DynamoDB. Unread notifications are also in a sparse GSI1
//! partition, so counting and marking them reads only the unread ones.

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use futures_util::future::try_join_all;

use super::keys::{self, GSI1, GSI1PK};
use super::records::{NotificationRecord, from_item, to_item};
use super::{DynamoStore, TransactFailure, s};
use crate::domain::{Notification, NotificationId, UserId};
use crate::ports::{NewNotification, NotificationPage, NotificationStore, StoreError};

/// How many notifications "read all" marks at once.
const READ_ALL_CONCURRENCY: usize = 16;

impl DynamoStore {
    /// The put of a new notification, for any transaction that announces something.
    pub(crate) fn notification_put(&self, note: &NewNotification) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder().table_name(&self.table).set_item(Some(to_item(&NotificationRecord::new(note))?));
        Ok(TransactWriteItem::builder().put(put.build().map_err(|e| StoreError::Unavailable(e.to_string()))?).build())
    }

    /// A query of `user`'s unread notifications in GSI1.
    fn unread_query(&self, user: &UserId) -> aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", GSI1PK)
            .expression_attribute_values(":pk", s(keys::unread_notifications(user)))
    }
}

/// A notification from its item's image in a DynamoDB stream record.
pub fn notification_from_image(image: serde_dynamo::Item) -> Result<Notification, StoreError> {
    serde_dynamo::from_item::<_, NotificationRecord>(image)
        .map(NotificationRecord::into_notification)
        .map_err(StoreError::corrupt)
}

impl NotificationStore for DynamoStore {
    async fn notify(&self, notes: &[NewNotification]) -> Result<(), StoreError> {
        let puts = notes.iter().map(|note| self.notification_put(note)).collect::<Result<Vec<_>, _>>()?;
        match puts.len() {
            0 => Ok(()),
            _ => self.transact(puts).await.map_err(|failure| match failure {
                TransactFailure::Store(error) => error,
                TransactFailure::ConditionFailed(_) => StoreError::Conflict("notification"),
            }),
        }
    }

    async fn notifications(
        &self,
        user: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<NotificationPage, StoreError> {
        let pk = keys::user(user).pk;
        let query = self.prefix_query(pk.clone(), keys::NOTIFICATION_PREFIX).scan_index_forward(false);
        let (items, next) = self.query_page(query, &pk, after, limit).await?;
        let notifications = items
            .into_iter()
            .map(|item| from_item::<NotificationRecord>(item).map(NotificationRecord::into_notification))
            .collect::<Result<_, _>>()?;
        Ok(NotificationPage { notifications, next })
    }

    async fn unread_notifications(&self, user: &UserId) -> Result<u32, StoreError> {
        self.count_items(self.unread_query(user)).await
    }

    async fn mark_notification_read(&self, user: &UserId, id: &NotificationId) -> Result<bool, StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::notification(user, id).item()))
            .update_expression("SET #read = :true REMOVE GSI1PK, GSI1SK")
            // Never create a stub of a notification that does not exist (or expired).
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#read", "read")
            .expression_attribute_values(":true", AttributeValue::Bool(true));
        self.update_if(update).await
    }

    async fn claim_delivery(&self, user: &UserId, id: &NotificationId, at: DateTime<Utc>) -> Result<bool, StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::notification(user, id).item()))
            .update_expression("SET delivered_at = :at")
            // Never a stub for a notification that expired; never a second claim.
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(delivered_at)")
            .expression_attribute_values(":at", s(at.to_rfc3339()));
        self.update_if(update).await
    }

    async fn release_delivery(&self, user: &UserId, id: &NotificationId) -> Result<(), StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::notification(user, id).item()))
            .update_expression("REMOVE delivered_at")
            // An expired notification has nothing to give back.
            .condition_expression("attribute_exists(PK)");
        self.update_if(update).await.map(|_| ())
    }

    async fn mark_all_notifications_read(&self, user: &UserId) -> Result<u32, StoreError> {
        let unread = self.query_items(self.unread_query(user).projection_expression("id"), None).await?;
        let ids = unread
            .into_iter()
            .filter_map(|item| item.get("id").and_then(|v| v.as_s().ok()).and_then(|id| id.parse().ok()))
            .collect::<Vec<NotificationId>>();
        // Each mark is idempotent, so they go concurrently rather than as one transaction
        // (which a notification expiring meanwhile would cancel).
        let mut marked = 0usize;
        for chunk in ids.chunks(READ_ALL_CONCURRENCY) {
            let results = try_join_all(chunk.iter().map(|id| self.mark_notification_read(user, id))).await?;
            marked += results.into_iter().filter(|m| *m).count();
        }
        Ok(u32::try_from(marked).unwrap_or(u32::MAX))
    }
}
