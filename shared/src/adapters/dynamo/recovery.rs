//! [`RecoveryStore`] over DynamoDB: single-use mailed links, each used in the transaction
//! that acts on it.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};

use super::keys;
use super::records::{CredentialsRecord, EmailCheckRecord, from_item, to_item};
use super::{DynamoStore, TransactFailure, n, s};
use crate::domain::{Email, IssuedCheck, UserId};
use crate::ports::{Credentials, RecoveryStore, StoreError};

fn built(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

impl DynamoStore {
    /// Deletes the link, on condition it is still there: the use that makes it single-use.
    fn use_check(&self, issued: &IssuedCheck) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::email_check(&issued.token_hash).item()))
            .condition_expression("attribute_exists(PK)")
            .build()
            .map_err(built)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }

    /// Marks the member's address verified (and bumps the version, so a save from an older
    /// read fails rather than undo it), if the address is still `email`.
    fn address_verified(
        &self,
        member: &UserId,
        set_email: Option<&Email>,
        expected: &Email,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::user(member).item()))
            .condition_expression("email = :expected")
            .expression_attribute_values(":expected", s(expected.as_str()))
            .expression_attribute_values(":yes", aws_sdk_dynamodb::types::AttributeValue::Bool(true))
            .expression_attribute_values(":one", n(1));
        update = match set_email {
            Some(email) => update
                .update_expression("SET email_verified = :yes, email = :email, version = version + :one")
                .expression_attribute_values(":email", s(email.as_str())),
            None => update.update_expression("SET email_verified = :yes, version = version + :one"),
        };
        Ok(TransactWriteItem::builder().update(update.build().map_err(built)?).build())
    }
}

impl RecoveryStore for DynamoStore {
    async fn issue_check(&self, issued: &IssuedCheck) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&EmailCheckRecord::new(issued))?))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await
            .map_err(super::unavailable)?;
        Ok(())
    }

    async fn check(&self, token_hash: &str) -> Result<Option<IssuedCheck>, StoreError> {
        let found = self.get_many(&[keys::email_check(token_hash)]).await?;
        let Some(item) = found.into_iter().next() else { return Ok(None) };
        Ok(Some(from_item::<EmailCheckRecord>(item)?.into_issued(token_hash)))
    }

    async fn verify_address(&self, issued: &IssuedCheck) -> Result<(), StoreError> {
        let items = vec![self.use_check(issued)?, self.address_verified(&issued.member, None, &issued.email)?];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&0) => Err(StoreError::Conflict("used")),
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("email")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn change_address(
        &self,
        issued: &IssuedCheck,
        from: &Email,
        credentials: &Credentials,
    ) -> Result<(), StoreError> {
        let me = s(issued.member.to_string());
        // The old claim goes only as it was read, so the hash carried over is the current one.
        let mut old = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::credentials(from).item()))
            .expression_attribute_values(":me", me);
        old = match &credentials.password_hash {
            Some(hash) => old
                .condition_expression("user_id = :me AND password_hash = :hash")
                .expression_attribute_values(":hash", s(hash.as_str())),
            None => old.condition_expression("user_id = :me AND attribute_not_exists(password_hash)"),
        };
        let mut claim = CredentialsRecord::new(&issued.email, &issued.member, credentials.password_hash.as_deref());
        claim.password_set_ms = credentials.password_set_at.map(|at| at.timestamp_millis());
        let new = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(&claim)?))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(built)?;
        let items = vec![
            self.use_check(issued)?,
            TransactWriteItem::builder().delete(old.build().map_err(built)?).build(),
            TransactWriteItem::builder().put(new).build(),
            self.address_verified(&issued.member, Some(&issued.email), from)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&2) => Err(StoreError::Conflict("email")),
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("used")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn reset_password(
        &self,
        issued: &IssuedCheck,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::credentials(&issued.email).item()))
            .update_expression("SET password_hash = :hash, password_set_ms = :now")
            .condition_expression(
                "user_id = :me AND (attribute_not_exists(password_set_ms) OR password_set_ms < :issued)",
            )
            .expression_attribute_values(":hash", s(password_hash))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":me", s(issued.member.to_string()))
            .expression_attribute_values(":issued", n(issued.issued_at.timestamp_millis()))
            .build()
            .map_err(built)?;
        let items = vec![self.use_check(issued)?, TransactWriteItem::builder().update(update).build()];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            // A password set after the link was issued voids it, as a use would.
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("used")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn change_password(
        &self,
        member: &UserId,
        email: &Email,
        current: Option<&str>,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::credentials(email).item()))
            .update_expression("SET password_hash = :hash, password_set_ms = :now")
            .expression_attribute_values(":hash", s(password_hash))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .expression_attribute_values(":me", s(member.to_string()));
        update = match current {
            Some(current) => update
                .condition_expression("user_id = :me AND password_hash = :current")
                .expression_attribute_values(":current", s(current)),
            None => update.condition_expression("user_id = :me AND attribute_not_exists(password_hash)"),
        };
        match update.send().await {
            Ok(_) => Ok(()),
            Err(error) if super::accounts::is_condition_failure(&error) => Err(StoreError::Conflict("password")),
            Err(error) => Err(super::unavailable(error)),
        }
    }
}
