//! [`AccountStore`] over DynamoDB.

use aws_sdk_dynamodb::types::{ConditionCheck, Delete, Put, TransactWriteItem, Update};

use super::keys::{self, Key};
use super::records::{
    CredentialsRecord, FamilyRecord, GoogleIdentityRecord, GrantRecord, LinkedGoogleRecord, ListingRecord,
    MemberFamilyRecord, StandingRecord, UserRecord, from_item, to_item,
};
use super::{DynamoStore, Item, TransactFailure, n, unavailable};
use crate::domain::{Email, MentorCard, Standing, User, UserId};
use crate::ports::{AccountStore, Credentials, RefreshGrant, StoreError};

impl DynamoStore {
    /// The writes that replace `previous` with `user`: the user item (guarded by the
    /// version read) and every listing change, so search never shows a card that disagrees
    /// with the profile. At most 1 + 31 deletes + 31 puts, leaving room in a transaction.
    pub(crate) fn user_writes(&self, user: &User, previous: &User) -> Result<Vec<TransactWriteItem>, StoreError> {
        let built = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Unavailable(e.to_string());
        let mut items = vec![self.user_put(user, previous)?];
        items.extend(self.admin_count_change(user, previous)?);
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

    /// The change to the count of active admins when `previous -> user` makes or unmakes
    /// one, always at index 1 of the user's writes. Unmaking one is conditioned on another
    /// remaining, so concurrent suspensions can never leave the platform without an admin:
    /// DynamoDB serialises the updates of the one counter item and the last one fails.
    fn admin_count_change(&self, user: &User, previous: &User) -> Result<Option<TransactWriteItem>, StoreError> {
        let change: i64 = match (previous.is_active_admin(), user.is_active_admin()) {
            (false, true) => 1,
            (true, false) => -1,
            _ => return Ok(None),
        };
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::admin_count().item()))
            .update_expression("ADD active :change")
            .expression_attribute_values(":change", n(change));
        if change < 0 {
            update = update.condition_expression("active > :one").expression_attribute_values(":one", n(1));
        }
        let update = update.build().map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(Some(TransactWriteItem::builder().update(update).build()))
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
        password_hash: Option<&str>,
        google_subject: Option<&str>,
        first_grant: &RefreshGrant,
    ) -> Result<(), StoreError> {
        // The credentials item is first: a failed condition at index 0 means the email is
        // taken; the Google identity, when there is one, is last.
        let mut items = vec![
            self.put_new(to_item(&CredentialsRecord::new(&user.email, &user.id, password_hash))?)?,
            self.put_new(to_item(&UserRecord::from_user(user))?)?,
            self.put_new(to_item(&FamilyRecord::new(first_grant))?)?,
            self.put_new(to_item(&GrantRecord::new(first_grant))?)?,
            self.put_new(to_item(&MemberFamilyRecord::new(first_grant))?)?,
        ];
        if let Some(subject) = google_subject {
            items.push(self.put_new(to_item(&GoogleIdentityRecord::new(subject, &user.id))?)?);
            items.push(self.put_new(to_item(&LinkedGoogleRecord::new(&user.id, subject))?)?);
        }
        let google_index = 5;
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&0) => Err(StoreError::Conflict("email")),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&google_index) => {
                Err(StoreError::Conflict("google"))
            }
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("id")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn credentials(&self, email: &Email) -> Result<Option<Credentials>, StoreError> {
        let found = self.get_many(&[keys::credentials(email)]).await?;
        let Some(item) = found.into_iter().next() else { return Ok(None) };
        let record: CredentialsRecord = from_item(item)?;
        let password_set_at = record.password_set_ms.and_then(chrono::DateTime::from_timestamp_millis);
        Ok(Some(Credentials { user_id: record.user_id, password_hash: record.password_hash, password_set_at }))
    }

    async fn linked_google(&self, member: &UserId) -> Result<Option<String>, StoreError> {
        let found = self.get_many(&[keys::linked_google(member)]).await?;
        let Some(item) = found.into_iter().next() else { return Ok(None) };
        Ok(Some(from_item::<LinkedGoogleRecord>(item)?.subject))
    }

    async fn link_google(&self, member: &UserId, subject: &str) -> Result<(), StoreError> {
        let items = vec![
            self.put_new(to_item(&GoogleIdentityRecord::new(subject, member))?)?,
            self.put_new(to_item(&LinkedGoogleRecord::new(member, subject))?)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&0) => Err(StoreError::Conflict("google")),
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("linked")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn unlink_google(&self, member: &UserId, email: &Email, subject: &str) -> Result<(), StoreError> {
        let built = |e: aws_sdk_dynamodb::error::BuildError| StoreError::Unavailable(e.to_string());
        let me = aws_sdk_dynamodb::types::AttributeValue::S(member.to_string());
        // Never the last way in: the member's email item must hold a password.
        let has_password = ConditionCheck::builder()
            .table_name(&self.table)
            .set_key(Some(keys::credentials(email).item()))
            .condition_expression("attribute_exists(password_hash) AND user_id = :me")
            .expression_attribute_values(":me", me.clone())
            .build()
            .map_err(built)?;
        let identity = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::google_identity(subject).item()))
            .condition_expression("user_id = :me")
            .expression_attribute_values(":me", me)
            .build()
            .map_err(built)?;
        let link = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(keys::linked_google(member).item()))
            .condition_expression("subject = :subject")
            .expression_attribute_values(":subject", aws_sdk_dynamodb::types::AttributeValue::S(subject.to_owned()))
            .build()
            .map_err(built)?;
        let items = vec![
            TransactWriteItem::builder().condition_check(has_password).build(),
            TransactWriteItem::builder().delete(identity).build(),
            TransactWriteItem::builder().delete(link).build(),
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&0) => Err(StoreError::Conflict("last")),
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("linked")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn google_account(&self, subject: &str) -> Result<Option<UserId>, StoreError> {
        let found = self.get_many(&[keys::google_identity(subject)]).await?;
        let Some(item) = found.into_iter().next() else { return Ok(None) };
        Ok(Some(from_item::<GoogleIdentityRecord>(item)?.user_id))
    }

    async fn user(&self, id: &UserId) -> Result<Option<User>, StoreError> {
        let output = self.user_get(id).send().await.map_err(unavailable)?;
        output.item.map(|item| from_item::<UserRecord>(item).map(UserRecord::into_user)).transpose()
    }

    async fn save_user(&self, user: &User, previous: &User) -> Result<(), StoreError> {
        let user_item = to_item(&UserRecord::from_user(user))?;
        let (old_card, new_card) = (MentorCard::of(previous), MentorCard::of(user));
        if old_card == new_card && previous.is_active_admin() == user.is_active_admin() {
            // Nothing search or matching shows changed, nor who administers: one conditional put.
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
        self.commit_user(items, user, previous).await
    }

    async fn standing(&self, id: &UserId) -> Result<Option<Standing>, StoreError> {
        // Two small attributes of the user item, read strongly: a suspension must stop the
        // very next request. Billed by the item's size all the same (4 KB per unit).
        let output = self
            .user_get(id)
            .projection_expression("#status, tokens_not_before")
            .expression_attribute_names("#status", "status")
            .send()
            .await
            .map_err(unavailable)?;
        output.item.map(|item| from_item::<StandingRecord>(item).map(StandingRecord::into_standing)).transpose()
    }
}

impl DynamoStore {
    /// A strongly consistent read of a user item.
    fn user_get(&self, id: &UserId) -> aws_sdk_dynamodb::operation::get_item::builders::GetItemFluentBuilder {
        self.client.get_item().table_name(&self.table).set_key(Some(keys::user(id).item())).consistent_read(true)
    }

    /// Commits a user's writes (from [`DynamoStore::user_writes`], possibly with more after
    /// them): `Conflict("last admin")` when the admin count refused, else `Conflict("version")`
    /// for any failed condition.
    pub(crate) async fn commit_user(
        &self,
        items: Vec<TransactWriteItem>,
        user: &User,
        previous: &User,
    ) -> Result<(), StoreError> {
        let counts_admins = previous.is_active_admin() && !user.is_active_admin();
        match self.transact(items).await {
            Ok(()) => Ok(()),
            // The version is checked at 0; the counter, when it changes, at 1.
            Err(TransactFailure::ConditionFailed(failed)) if counts_admins && failed == [1] => {
                Err(StoreError::Conflict("last admin"))
            }
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
