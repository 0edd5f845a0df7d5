//! [`PaymentStore`] over DynamoDB: a mentor's payout account under the mentor, its owner
//! under the account id (webhooks name the account, not the member), and one mark per
//! payment event handled, written in the same transaction as the event's effects.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::keys::{self, Key};
use super::points::built;
use super::records::{from_item, to_item};
use super::{DynamoStore, TransactFailure, n};
use crate::domain::payments::{PaymentEventId, PayoutAccountId, Payouts, Wallet};
use crate::domain::{Booking, Policy, SessionId, UserId};
use crate::ports::{
    AccountChanges, Handled, NewNotification, PaymentStore, SessionWriteError, StoreError, TransactionPage,
};

/// The condition of a put that must not overwrite.
const NEW: &str = "attribute_not_exists(PK)";

/// How long the mark that an event was handled is kept: Stripe retries a delivery for
/// three days, and a replay older than its 300-second signature tolerance is refused anyway.
const EVENT_MARK_LIFETIME: chrono::Duration = chrono::Duration::days(90);

/// A mentor's payout account (entity `Payouts`), versioned for optimistic updates.
#[derive(Debug, Serialize, Deserialize)]
struct PayoutsRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    #[serde(flatten)]
    payouts: Payouts,
    version: u64,
}

/// Whose payout account this is (entity `PayoutOwner`).
#[derive(Debug, Serialize, Deserialize)]
struct OwnerRecord {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: String,
    member: UserId,
}

/// A handled payment event (entity `PaymentEvent`).
#[derive(Debug, Serialize)]
struct EventMark<'a> {
    #[serde(rename = "PK")]
    pk: String,
    #[serde(rename = "SK")]
    sk: String,
    entity: &'static str,
    kind: &'a str,
    handled_at: DateTime<Utc>,
    expires_at: i64,
}

impl DynamoStore {
    /// The put that marks `event` handled, refused when it was handled before.
    fn event_mark(
        &self,
        event: &PaymentEventId,
        kind: &str,
        at: DateTime<Utc>,
    ) -> Result<TransactWriteItem, StoreError> {
        let Key { pk, sk } = keys::payment_event(event);
        let mark = EventMark {
            pk,
            sk,
            entity: "PaymentEvent",
            kind,
            handled_at: at,
            expires_at: (at + EVENT_MARK_LIFETIME).timestamp(),
        };
        self.put(to_item(&mark)?, Some(NEW))
    }

    async fn payouts_record(&self, member: &UserId) -> Result<Option<PayoutsRecord>, StoreError> {
        self.get_one(keys::payouts(member)).await?.map(from_item::<PayoutsRecord>).transpose()
    }
}

impl PaymentStore for DynamoStore {
    async fn payouts(&self, member: &UserId) -> Result<Option<Payouts>, StoreError> {
        Ok(self.payouts_record(member).await?.map(|record| record.payouts))
    }

    async fn open_payouts(&self, member: &UserId, payouts: &Payouts) -> Result<(), StoreError> {
        let Key { pk, sk } = keys::payouts(member);
        let record = PayoutsRecord { pk, sk, entity: "Payouts".into(), payouts: payouts.clone(), version: 1 };
        let Key { pk, sk } = keys::payout_owner(&payouts.account);
        let owner = OwnerRecord { pk, sk, entity: "PayoutOwner".into(), member: member.clone() };
        let items = vec![self.put(to_item(&record)?, Some(NEW))?, self.put(to_item(&owner)?, Some(NEW))?];
        self.transact(items).await.map_err(|failure| match failure {
            TransactFailure::ConditionFailed(_) => StoreError::Conflict("payouts"),
            TransactFailure::Store(error) => error,
        })
    }

    async fn payout_owner(&self, account: &PayoutAccountId) -> Result<Option<UserId>, StoreError> {
        let item = self.get_one(keys::payout_owner(account)).await?;
        Ok(item.map(from_item::<OwnerRecord>).transpose()?.map(|owner| owner.member))
    }

    async fn update_payouts(
        &self,
        event: &PaymentEventId,
        member: &UserId,
        next: &Payouts,
        previous: &Payouts,
        at: DateTime<Utc>,
    ) -> Result<Handled, StoreError> {
        let current = self.payouts_record(member).await?.ok_or(StoreError::Conflict("version"))?;
        if &current.payouts != previous {
            return Err(StoreError::Conflict("version"));
        }
        let Key { pk, sk } = keys::payouts(member);
        let record =
            PayoutsRecord { pk, sk, entity: "Payouts".into(), payouts: next.clone(), version: current.version + 1 };
        let replace = built(
            Put::builder()
                .table_name(&self.table)
                .set_item(Some(to_item(&record)?))
                .condition_expression("version = :seen")
                .expression_attribute_values(":seen", n(current.version))
                .build(),
        )?;
        let items =
            vec![self.event_mark(event, "account.updated", at)?, TransactWriteItem::builder().put(replace).build()];
        match self.transact(items).await {
            Ok(()) => Ok(Handled::Applied),
            Err(TransactFailure::ConditionFailed(failed)) if failed.contains(&0) => Ok(Handled::AlreadyHandled),
            Err(TransactFailure::ConditionFailed(_)) => Err(StoreError::Conflict("version")),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }

    async fn save_session_on_event(
        &self,
        event: &PaymentEventId,
        kind: &str,
        at: DateTime<Utc>,
        next: &Booking,
        previous: &Booking,
        policy: &Policy,
        notify: &[NewNotification],
        accounts: &AccountChanges,
    ) -> Result<Handled, SessionWriteError> {
        let marks = vec![self.event_mark(event, kind, at)?];
        self.save_session_marked(marks, next, previous, policy, notify, accounts).await
    }

    async fn session_of_payment(&self, payment: &str) -> Result<Option<SessionId>, StoreError> {
        let Some(item) = self.get_one(keys::payment_session(payment)).await? else { return Ok(None) };
        let session = item.get("session").and_then(|value| value.as_s().ok()).map(String::as_str).unwrap_or_default();
        SessionId::parse(session)
            .map(Some)
            .map_err(|invalid| StoreError::Corrupt(format!("payment {payment}: session {}", invalid.reason())))
    }

    async fn transactions(
        &self,
        member: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<TransactionPage, StoreError> {
        let (transactions, next) = self.transactions_of(member, after, limit).await?;
        Ok(TransactionPage { transactions, next })
    }

    async fn wallet(&self, member: &UserId) -> Result<Wallet, StoreError> {
        self.wallet_of(member).await
    }

    async fn mark_handled(&self, event: &PaymentEventId, kind: &str, at: DateTime<Utc>) -> Result<Handled, StoreError> {
        match self.transact(vec![self.event_mark(event, kind, at)?]).await {
            Ok(()) => Ok(Handled::Applied),
            Err(TransactFailure::ConditionFailed(_)) => Ok(Handled::AlreadyHandled),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }
}
