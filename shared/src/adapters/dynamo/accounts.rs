//! [`AccountStore`] over DynamoDB.

use aws_sdk_dynamodb::types::{Delete, Put, TransactWriteItem};

use super::keys::{self, Key};
use super::records::{CredentialsRecord, FamilyRecord, GrantRecord, ListingRecord, UserRecord, from_item, to_item};
use super::{DynamoStore, Item, TransactFailure, n, unavailable};
use crate::domain::{Email, MentorCard, User, UserId};
use crate::ports::{AccountStore, Credentials, RefreshGrant, StoreError};

impl DynamoStore {
    /// The writes that replace `previous` with `user`: the user item (guarded by the
    /// version read) and every listing change, so search never shows a card that disagrees
    /// with the profile. At most 1 + 31 deletes + 31 puts, leaving room in a transaction.
    pub(crate) fn user_writes(&self, user: &User, previous: &User) -> Result<Vec<TransactWriteItem>, StoreError> {
        let built = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Unavailable(e.to_string());
        let mut items = vec![self.user_put(user, previous)?];
        let (old_card, new_card) = (MentorCard::of(previous), MentorCard::of(user));
        if old_card == new_card {
            return Ok(items);
        }
        let new_keys: Vec<Key> = new_card.as_ref().map(keys::listings).unwrap_or_default();
        for stale in old_card.as_ref().map(keys::listings).unwrap_or_default() {
            if !new_keys.contains(&stale) {
                let delete =
                    Delete::builder().table_name(&self.table).set_key(Some(stale.item())).build().map_err(built)?;
                items.push(TransactWriteItem::builder().delete(delete).build());
            }
        }
        if let Some(card) = &new_card {
            for key in new_keys {
                let item = to_item(&ListingRecord::new(key, card)?)?;
                let put = Put::builder().table_name(&self.table).set_item(Some(item)).build().map_err(built)?;
                items.push(TransactWriteItem::builder().put(put).build());
            }
        }
        Ok(items)
    }

    /// The user item alone, guarded by the version read (listings untouched).
    pub(crate) fn user_put(&self, user: &User, previous: &User) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(to_item(&UserRecord::from_user(user))?))
            .condition_expression("version = :expected")
            .expression_attribute_values(":expected", n(previous.version))
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    pub(crate) fn put_new(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }
}

impl AccountStore for DynamoStore {
    async fn create_account(
        &self,
        user: &User,
        password_hash: &str,
        first_grant: &RefreshGrant,
    ) -> Result<(), StoreError> {
        // The credentials item is first: a failed condition at index 0 means the email is taken.
        let items = vec![
            self.put_new(to_item(&CredentialsRecord::new(&user.email, &user.id, password_hash))?)?,
            self.put_new(to_item(&UserRecord::from_user(user))?)?,
            self.put_new(to_item(&FamilyRecord::new(first_grant))?)?,
            self.put_new(to_item(&GrantRecord::new(first_grant))?)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&0) => Err(StoreError::Conflict("email")),
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("id")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn credentials(&self, email: &Email) -> Result<Option<Credentials>, StoreError> {
        let found = self.get_many(&[keys::credentials(email)]).await?;
        let Some(item) = found.into_iter().next() else { return Ok(None) };
        let record: CredentialsRecord = from_item(item)?;
        Ok(Some(Credentials { user_id: record.user_id, password_hash: record.password_hash }))
    }

    async fn user(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(keys::user(id).item()))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        output.item.map(|item| from_item::<UserRecord>(item).map(UserRecord::into_user)).transpose()
    }

    async fn save_user(&self, user: &User, previous: &User) -> Result<(), StoreError> {
        let user_item = to_item(&UserRecord::from_user(user))?;
        let (old_card, new_card) = (MentorCard::of(previous), MentorCard::of(user));
        if old_card == new_card {
            // Nothing search or matching shows changed: one conditional put.
            let result = self
                .client
                .put_item()
                .table_name(&self.table)
                .set_item(Some(user_item))
                .condition_expression("version = :expected")
                .expression_attribute_values(":expected", n(previous.version))
                .send()
                .await;
            return match result {
                Ok(_) => Ok(()),
                Err(error) if is_condition_failure(&error) => Err(StoreError::Conflict("version")),
                Err(error) => Err(unavailable(error)),
            };
        }
        let items = self.user_writes(user, previous)?;
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("version")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }
}

/// True when a single-item write failed its condition expression.
pub(crate) fn is_condition_failure<E, R>(error: &aws_sdk_dynamodb::error::SdkError<E, R>) -> bool
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata,
{
    matches!(error, aws_sdk_dynamodb::error::SdkError::ServiceError(service) if service.err().code() == Some("ConditionalCheckFailedException"))
}
