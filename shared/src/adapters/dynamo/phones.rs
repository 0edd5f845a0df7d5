//! [`PhoneStore`] over DynamoDB: texted codes (one live per member or number) and the
//! claims of verified numbers.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem, Update};
use chrono::{DateTime, Utc};

use super::keys;
use super::records::{PhoneCodeRecord, PhoneOwnerRecord, from_item, to_item};
use super::{DynamoStore, TransactFailure, n, s};
use crate::domain::{CodeSlot, IssuedCode, PhoneNumber, User, UserId};
use crate::ports::{PhoneStore, StoreError};

fn built(error: aws_sdk_dynamodb::error::BuildError) -> StoreError {
    StoreError::Unavailable(error.to_string())
}

fn failed(failure: TransactFailure) -> StoreError {
    match failure {
        TransactFailure::ConditionFailed(_) => StoreError::Conflict("changed"),
        TransactFailure::Store(error) => error,
    }
}

impl DynamoStore {
    /// Deletes `code`'s item, on condition it is still the code as guessed.
    fn use_code(&self, code: &IssuedCode) -> Result<TransactWriteItem, StoreError> {
        let delete = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::phone_code(&code.slot()).item()))
            .condition_expression("sealed = :sealed AND guesses = :guesses")
            .expression_attribute_values(":sealed", s(code.sealed.as_str()))
            .expression_attribute_values(":guesses", n(code.guesses))
            .build()
            .map_err(built)?;
        Ok(TransactWriteItem::builder().delete(delete).build())
    }
}

impl PhoneStore for DynamoStore {
    async fn put_code(&self, code: &IssuedCode, cooled_from: DateTime<Utc>) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(to_item(&PhoneCodeRecord::new(code))?))
            .condition_expression("attribute_not_exists(PK) OR sent_ms < :cooled")
            .expression_attribute_values(":cooled", n(cooled_from.timestamp_millis()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(()),
            Err(error) if super::accounts::is_condition_failure(&error) => Err(StoreError::Conflict("cooldown")),
            Err(error) => Err(super::unavailable(error)),
        }
    }

    async fn code(&self, slot: &CodeSlot) -> Result<Option<IssuedCode>, StoreError> {
        let found = self.get_many(&[keys::phone_code(slot)]).await?;
        let Some(item) = found.into_iter().next() else { return Ok(None) };
        from_item::<PhoneCodeRecord>(item)?.into_code().map(Some)
    }

    async fn take_guess(&self, code: &IssuedCode) -> Result<IssuedCode, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::phone_code(&code.slot()).item()))
            .update_expression("SET guesses = guesses + :one")
            .condition_expression("sealed = :sealed AND guesses = :guesses")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":sealed", s(code.sealed.as_str()))
            .expression_attribute_values(":guesses", n(code.guesses))
            .send()
            .await;
        match result {
            Ok(_) => Ok(code.guessed()),
            Err(error) if super::accounts::is_condition_failure(&error) => Err(StoreError::Conflict("guess")),
            Err(error) => Err(super::unavailable(error)),
        }
    }

    async fn phone_owner(&self, phone: &PhoneNumber) -> Result<Option<UserId>, StoreError> {
        let found = self.get_many(&[keys::phone_owner(phone)]).await?;
        let Some(item) = found.into_iter().next() else { return Ok(None) };
        Ok(Some(from_item::<PhoneOwnerRecord>(item)?.user_id))
    }

    async fn verify_phone(
        &self,
        code: &IssuedCode,
        member: &User,
        previous_owner: Option<&UserId>,
    ) -> Result<(), StoreError> {
        let phone = AttributeValue::S(code.phone.as_str().to_owned());
        let me = s(member.id.to_string());
        let claim = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(&PhoneOwnerRecord::new(&code.phone, &member.id))?))
            .build()
            .map_err(built)?;
        let mine = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::user(&member.id).item()))
            .update_expression("SET phone = :phone, version = version + :one")
            .condition_expression("version = :version")
            .expression_attribute_values(":phone", phone.clone())
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":version", n(member.version))
            .build()
            .map_err(built)?;
        let mut items = vec![
            self.use_code(code)?,
            TransactWriteItem::builder().put(claim).build(),
            TransactWriteItem::builder().update(mine).build(),
        ];
        if let Some(old) = member.phone.as_ref().filter(|old| **old != code.phone) {
            let release = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(keys::phone_owner(old).item()))
                .condition_expression("user_id = :me")
                .expression_attribute_values(":me", me)
                .build()
                .map_err(built)?;
            items.push(TransactWriteItem::builder().delete(release).build());
        }
        if let Some(other) = previous_owner.filter(|other| **other != member.id) {
            let taken = Update::builder()
                .table_name(&self.table)
                .set_key(Some(keys::user(other).item()))
                .update_expression("REMOVE phone SET version = version + :one")
                .condition_expression("phone = :phone")
                .expression_attribute_values(":phone", phone)
                .expression_attribute_values(":one", n(1))
                .build()
                .map_err(built)?;
            items.push(TransactWriteItem::builder().update(taken).build());
        }
        self.transact(items).await.map_err(failed)
    }

    async fn use_sign_in_code(&self, code: &IssuedCode) -> Result<(), StoreError> {
        self.transact(vec![self.use_code(code)?]).await.map_err(failed)
    }
}
