//! [`QuotaStore`] over DynamoDB: one counter item per (limit, scope, window), moved only by
//! conditional writes, so concurrent requests can never take more uses than the limit.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Utc};

use super::accounts::is_condition_failure;
use super::keys::{self, EXPIRES_AT};
use super::{DynamoStore, n, s, unavailable};
use crate::domain::QuotaUse;
use crate::ports::{QuotaError, QuotaStore, StoreError};

/// Counts one use unless the counter is at its limit. A failed condition writes nothing, so
/// a refused request does not even touch the counter that refused it.
const TAKE: &str = "SET entity = :entity, #ttl = :ttl ADD used :one";
const HAS_ROOM: &str = "attribute_not_exists(used) OR used < :max";

/// Attempts at giving one use back while other requests move the same counter.
const GIVE_BACK_ATTEMPTS: usize = 3;

impl DynamoStore {
    /// The transaction item that takes one use of `quota` (for writes that count themselves).
    pub(crate) fn quota_take(&self, quota: &QuotaUse) -> Result<TransactWriteItem, StoreError> {
        Ok(TransactWriteItem::builder().update(self.quota_update(quota)?).build())
    }

    /// The update that takes one use of `quota` if it has room, in a transaction or alone.
    fn quota_update(&self, quota: &QuotaUse) -> Result<Update, StoreError> {
        Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::rate_counter(quota).item()))
            .update_expression(TAKE)
            .condition_expression(HAS_ROOM)
            .expression_attribute_names("#ttl", EXPIRES_AT)
            .expression_attribute_values(":entity", s("RateCounter"))
            .expression_attribute_values(":ttl", n(quota.window.expires_at().timestamp()))
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(quota.limit.max))
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))
    }

    /// Takes one use of `quota`; false when it is at its limit.
    async fn take_one(&self, quota: &QuotaUse) -> Result<bool, StoreError> {
        let update = self.quota_update(quota)?;
        let taken = self
            .client
            .update_item()
            .table_name(update.table_name)
            .set_key(Some(update.key))
            .update_expression(update.update_expression)
            .set_condition_expression(update.condition_expression)
            .set_expression_attribute_names(update.expression_attribute_names)
            .set_expression_attribute_values(update.expression_attribute_values)
            .send()
            .await;
        match taken {
            Ok(_) => Ok(true),
            Err(error) if is_condition_failure(&error) => Ok(false),
            Err(error) => Err(unavailable(error)),
        }
    }

    /// Gives one use of `quota` back: decrements a counter above one, deletes a counter at
    /// one. Each step is conditional, so a counter moved by others in between is read again
    /// by retrying, and a counter already gone is left alone.
    async fn give_back_one(&self, quota: &QuotaUse) -> Result<(), StoreError> {
        let key = keys::rate_counter(quota);
        for _ in 0..GIVE_BACK_ATTEMPTS {
            let decremented = self
                .client
                .update_item()
                .table_name(&self.table)
                .set_key(Some(key.item()))
                .update_expression("ADD used :minus_one")
                .condition_expression("used > :one")
                .expression_attribute_values(":minus_one", n(-1))
                .expression_attribute_values(":one", n(1))
                .send()
                .await;
            match decremented {
                Ok(_) => return Ok(()),
                Err(error) if is_condition_failure(&error) => {}
                Err(error) => return Err(unavailable(error)),
            }
            let deleted = self
                .client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key.item()))
                .condition_expression("used = :one")
                .expression_attribute_values(":one", n(1))
                .send()
                .await;
            match deleted {
                Ok(_) => return Ok(()),
                Err(error) if is_condition_failure(&error) => {}
                Err(error) => return Err(unavailable(error)),
            }
        }
        // Neither above one nor at one, three times over: nothing left to give back.
        Ok(())
    }
}

impl QuotaStore for DynamoStore {
    async fn take_quota(&self, uses: &[QuotaUse], now: DateTime<Utc>) -> Result<(), QuotaError> {
        // One conditional update per counter, not a transaction: concurrent single-item
        // updates are serialised by DynamoDB, where concurrent transactions on one hot
        // counter would cancel each other (TransactionConflict) and fail under exactly
        // the load a limit exists for.
        for (index, quota) in uses.iter().enumerate() {
            if !self.take_one(quota).await? {
                if let Err(error) = self.give_back(&uses[..index]).await {
                    // The earlier uses stay counted (stricter, never looser); the answer is
                    // still the refusal, not a failure.
                    tracing::warn!(%error, "could not give back the uses taken before a refusal");
                }
                return Err(QuotaError::Exhausted(quota.exhausted(now)));
            }
        }
        Ok(())
    }

    async fn give_back(&self, uses: &[QuotaUse]) -> Result<(), StoreError> {
        for quota in uses {
            self.give_back_one(quota).await?;
        }
        Ok(())
    }
}
