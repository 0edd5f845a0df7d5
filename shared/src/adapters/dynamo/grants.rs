//! [`GrantStore`] over DynamoDB: rotating refresh tokens with family revocation.

use aws_sdk_dynamodb::types::{ConditionCheck, TransactWriteItem, Update};

use super::accounts::is_condition_failure;
use super::keys;
use super::records::{FamilyRecord, GrantRecord, MemberFamilyRecord, from_item, to_item};
use super::{DynamoStore, TransactFailure, unavailable};
use crate::domain::UserId;
use crate::ports::{GrantStore, RefreshGrant, RotateError, StoreError};

fn built<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Unavailable(e.to_string()))
}

impl GrantStore for DynamoStore {
    async fn families(&self, user: &UserId) -> Result<Vec<String>, StoreError> {
        let query = self.prefix_query(keys::user(user).pk, keys::FAMILY_PREFIX).projection_expression("family_id");
        let items = self.query_items(query, None).await?;
        Ok(items.iter().filter_map(|item| item.get("family_id")?.as_s().ok().cloned()).collect())
    }

    async fn start_family(&self, grant: &RefreshGrant) -> Result<(), StoreError> {
        let items = vec![
            self.put_new(to_item(&FamilyRecord::new(grant))?)?,
            self.put_new(to_item(&GrantRecord::new(grant))?)?,
            self.put_new(to_item(&MemberFamilyRecord::new(grant))?)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("refresh family")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn grant(&self, family_id: &str, token_hash: &str) -> Result<Option<RefreshGrant>, StoreError> {
        let grant_key = keys::refresh_grant(token_hash);
        let family_key = keys::refresh_family(family_id);
        // Both strongly consistent, unprocessed keys asked again: a family left unread must
        // never pass for a revoked one (the refresh would revoke a live sign-in).
        let found = self.get_many(&[grant_key.clone(), family_key.clone()]).await?;
        let mut grant = None;
        let mut family = None;
        for item in found {
            let pk = item.get(keys::PK).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default();
            if pk == grant_key.pk {
                grant = Some(from_item::<GrantRecord>(item)?);
            } else if pk == family_key.pk {
                family = Some(from_item::<FamilyRecord>(item)?);
            }
        }
        let Some(grant) = grant else { return Ok(None) };
        if grant.family_id != family_id {
            return Ok(None);
        }
        let family_alive = family.is_some_and(|f| !f.revoked);
        Ok(Some(RefreshGrant {
            token_hash: token_hash.to_owned(),
            user_id: grant.user_id,
            family_id: grant.family_id,
            active: family_alive && !grant.used,
            expires_at: chrono::DateTime::from_timestamp(grant.expires_at, 0).unwrap_or_default(),
        }))
    }

    async fn rotate(&self, old: &RefreshGrant, next: &RefreshGrant) -> Result<(), RotateError> {
        let use_old = built(
            Update::builder()
                .table_name(&self.table)
                .set_key(Some(keys::refresh_grant(&old.token_hash).item()))
                .update_expression("SET used = :true")
                .condition_expression("used = :false")
                .expression_attribute_values(":true", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
                .expression_attribute_values(":false", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
                .build(),
        )?;
        let family_alive = built(
            ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(keys::refresh_family(&old.family_id).item()))
                .condition_expression("revoked = :false")
                .expression_attribute_values(":false", aws_sdk_dynamodb::types::AttributeValue::Bool(false))
                .build(),
        )?;
        let items = vec![
            TransactWriteItem::builder().update(use_old).build(),
            TransactWriteItem::builder().condition_check(family_alive).build(),
            self.put_new(to_item(&GrantRecord::new(next))?)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(_)) => Err(RotateError::Stale),
            Err(TransactFailure::Store(error)) => Err(RotateError::Store(error)),
        }
    }

    async fn revoke_family(&self, family_id: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::refresh_family(family_id).item()))
            .update_expression("SET revoked = :true")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_values(":true", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
            .send()
            .await;
        match result {
            // Revoking a family that does not exist (expired, or never was) is already done.
            Ok(_) => Ok(()),
            Err(error) if is_condition_failure(&error) => Ok(()),
            Err(error) => Err(unavailable(error)),
        }
    }
}
