//! [`SessionStore`] over DynamoDB: sessions, idempotency, notifications.

use aws_sdk_dynamodb::types::{AttributeValue, Delete, Put, TransactWriteItem};
use chrono::{DateTime, Duration, Utc};

use super::chat::ContactRecord;
use super::keys::{self, Key, PK, SK};
use super::records::{
    IdempotencyRecord, NotificationRecord, ParticipantSessionRecord, SessionRecord, from_item, to_item,
};
use super::{DynamoStore, Item, TransactFailure, n, s};
use crate::domain::payments::{LedgerEntry, money_moved};
use crate::domain::{Booking, Exhausted, IdempotencyKey, Policy, QuotaUse, SessionId, UserId};
use crate::ports::{
    AccountChanges, Agenda, Handled, IdempotentRequest, NewNotification, SessionAgenda, SessionPage, SessionStore,
    SessionWriteError, StoreError, StoredReply, Timeframe,
};

fn built<T, E: std::fmt::Display>(result: Result<T, E>) -> Result<T, StoreError> {
    result.map_err(|e| StoreError::Unavailable(e.to_string()))
}

/// What each item of a session transaction is, to read cancellation reasons by index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The mark that the event causing the change was handled.
    Mark,
    Session,
    Account,
    /// A ledger entry, written once by its natural key.
    Ledger,
    Idempotency,
    /// The quota at this index of the request's uses.
    Quota(usize),
    Other,
}

/// A transaction under construction.
struct Writes<'a> {
    store: &'a DynamoStore,
    items: Vec<TransactWriteItem>,
    parts: Vec<Part>,
}

impl<'a> Writes<'a> {
    fn new(store: &'a DynamoStore) -> Self {
        Self { store, items: Vec::new(), parts: Vec::new() }
    }

    fn put(
        &mut self,
        part: Part,
        item: Item,
        condition: Option<(&str, Vec<(&str, AttributeValue)>)>,
    ) -> Result<(), StoreError> {
        let mut put = Put::builder().table_name(&self.store.table).set_item(Some(item));
        if let Some((expression, values)) = condition {
            put = put.condition_expression(expression);
            for (name, value) in values {
                put = put.expression_attribute_values(name, value);
            }
        }
        self.items.push(TransactWriteItem::builder().put(built(put.build())?).build());
        self.parts.push(part);
        Ok(())
    }

    fn delete(&mut self, key: &Key) -> Result<(), StoreError> {
        let delete = Delete::builder().table_name(&self.store.table).set_key(Some(key.item()));
        self.items.push(TransactWriteItem::builder().delete(built(delete.build())?).build());
        self.parts.push(Part::Other);
        Ok(())
    }

    fn participants(&mut self, booking: &Booking) -> Result<(), StoreError> {
        for user in [&booking.learner, &booking.mentor] {
            let Key { pk, sk } = keys::participant_session(user, booking.slot.start(), &booking.id);
            let record =
                ParticipantSessionRecord { pk, sk, entity: "ParticipantSession".into(), booking: booking.clone() };
            self.put(Part::Other, to_item(&record)?, None)?;
        }
        Ok(())
    }

    fn notifications(&mut self, notify: &[NewNotification]) -> Result<(), StoreError> {
        for note in notify {
            self.put(Part::Other, to_item(&NotificationRecord::new(note))?, None)?;
        }
        Ok(())
    }
}

impl SessionStore for DynamoStore {
    async fn create_session(
        &self,
        booking: &Booking,
        policy: &Policy,
        idempotency: Option<(&IdempotentRequest, &StoredReply)>,
        notify: &[NewNotification],
        quota: &[QuotaUse],
    ) -> Result<(), SessionWriteError> {
        let mut writes = Writes::new(self);
        writes.put(
            Part::Session,
            to_item(&SessionRecord::new(booking, policy))?,
            Some(("attribute_not_exists(PK)", Vec::new())),
        )?;
        // The uses are counted by the request's own transaction: a refused or replayed
        // request writes nothing, counters included.
        for (index, quota) in quota.iter().enumerate() {
            writes.items.push(self.quota_take(quota)?);
            writes.parts.push(Part::Quota(index));
        }
        writes.participants(booking)?;
        // A request is what lets two members chat, from now on.
        for (user, other) in [(&booking.learner, &booking.mentor), (&booking.mentor, &booking.learner)] {
            writes.put(Part::Other, to_item(&ContactRecord::new(user, other, booking.requested_at))?, None)?;
        }
        writes.notifications(notify)?;
        if let Some((key, reply)) = idempotency {
            let Key { pk, sk } = keys::idempotency(&key.user, key.key.as_str());
            let record = IdempotencyRecord {
                pk,
                sk,
                entity: "Idempotency".into(),
                fingerprint: key.fingerprint.clone(),
                status: reply.status,
                body: reply.body.clone(),
                expires_at: (booking.requested_at + Duration::days(1)).timestamp(),
            };
            writes.put(Part::Idempotency, to_item(&record)?, Some(("attribute_not_exists(PK)", Vec::new())))?;
        }
        let parts = writes.parts.clone();
        match self.transact(writes.items).await {
            Ok(()) => Ok(()),
            Err(TransactFailure::ConditionFailed(failed)) => {
                // Another request with the same key committed first: answer as it did.
                if let (Some((key, _)), true) =
                    (idempotency, failed.iter().any(|i| parts.get(*i) == Some(&Part::Idempotency)))
                {
                    return match self.replay(&key.user, &key.key).await? {
                        Some(stored) => Err(SessionWriteError::Replay(stored)),
                        // Gone already (TTL): the client may simply retry.
                        None => Err(SessionWriteError::Stale),
                    };
                }
                let now = booking.requested_at;
                let exhausted = failed.iter().filter_map(|i| match parts.get(*i) {
                    Some(Part::Quota(q)) => quota.get(*q).map(|quota| quota.exhausted(now)),
                    _ => None,
                });
                if let Some(exhausted) = Exhausted::latest(exhausted) {
                    return Err(SessionWriteError::Exhausted(exhausted));
                }
                Err(SessionWriteError::Store(StoreError::Conflict("session id")))
            }
            Err(TransactFailure::Store(error)) => Err(error.into()),
        }
    }

    async fn replay(&self, user: &UserId, key: &IdempotencyKey) -> Result<Option<StoredReply>, StoreError> {
        let Some(item) = self.get_one(keys::idempotency(user, key.as_str())).await? else { return Ok(None) };
        let record: IdempotencyRecord = from_item(item)?;
        Ok(Some(StoredReply { fingerprint: record.fingerprint, status: record.status, body: record.body }))
    }

    async fn session(&self, id: &SessionId) -> Result<Option<Booking>, StoreError> {
        self.get_one(keys::session(id))
            .await?
            .map(|item| from_item::<SessionRecord>(item).map(|r| r.booking))
            .transpose()
    }

    async fn save_session(
        &self,
        next: &Booking,
        previous: &Booking,
        policy: &Policy,
        notify: &[NewNotification],
        accounts: &AccountChanges,
    ) -> Result<(), SessionWriteError> {
        self.save_session_marked(Vec::new(), next, previous, policy, notify, accounts).await.map(|_| ())
    }
    async fn sessions_of(
        &self,
        user: &UserId,
        timeframe: Timeframe,
        now: DateTime<Utc>,
        after: Option<&str>,
        limit: usize,
    ) -> Result<SessionPage, StoreError> {
        let pk = keys::user(user).pk;
        let split = format!("{}{}", keys::SESSION_PREFIX, keys::time(now));
        let (low, high, forward) = match timeframe {
            Timeframe::Upcoming => (split, format!("{}~", keys::SESSION_PREFIX), true),
            Timeframe::Past => (keys::SESSION_PREFIX.to_owned(), split, false),
        };
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :low AND :high")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(pk.clone()))
            .expression_attribute_values(":low", s(low))
            .expression_attribute_values(":high", s(high))
            .scan_index_forward(forward);
        let (items, next) = self.query_page(query, &pk, after, limit).await?;
        let sessions = items
            .into_iter()
            .map(|item| from_item::<ParticipantSessionRecord>(item).map(|r| r.booking))
            .collect::<Result<_, _>>()?;
        Ok(SessionPage { sessions, next })
    }
}

impl SessionAgenda for DynamoStore {
    async fn agenda(&self, agenda: Agenda, from: DateTime<Utc>, to: DateTime<Utc>) -> Result<Vec<Booking>, StoreError> {
        let prefix = match agenda {
            Agenda::Starts => "STARTS",
            Agenda::Due => "DUE",
            Agenda::Money => "MONEY",
        };
        let mut sessions = Vec::new();
        // One bucket a day: a window of a day or two is two or three queries.
        let mut day = from.date_naive();
        while day <= to.date_naive() {
            let query = self
                .client
                .query()
                .table_name(&self.table)
                .index_name(keys::GSI1)
                .key_condition_expression("#pk = :pk AND #sk BETWEEN :from AND :to")
                .expression_attribute_names("#pk", keys::GSI1PK)
                .expression_attribute_names("#sk", keys::GSI1SK)
                .expression_attribute_values(
                    ":pk",
                    s(keys::bucket(prefix, day.and_time(chrono::NaiveTime::MIN).and_utc())),
                )
                .expression_attribute_values(":from", s(keys::time(from)))
                .expression_attribute_values(":to", s(format!("{}~", keys::time(to))));
            for item in self.query_items(query, None).await? {
                sessions.push(from_item::<SessionRecord>(item)?.booking);
            }
            day = day.succ_opt().unwrap_or(day + chrono::Days::new(1));
        }
        Ok(sessions)
    }

    async fn remind(
        &self,
        booking: &Booking,
        kind: &'static str,
        notify: &[NewNotification],
    ) -> Result<bool, StoreError> {
        let mut writes = Writes::new(self);
        let mut marker = keys::reminder(&booking.id, kind, booking.slot.start()).item();
        marker.insert("entity".into(), s("Reminder"));
        marker.insert(keys::EXPIRES_AT.into(), n((booking.slot.end() + Duration::days(2)).timestamp()));
        writes.put(Part::Session, marker, Some(("attribute_not_exists(PK)", Vec::new())))?;
        writes.notifications(notify)?;
        match self.transact(writes.items).await {
            Ok(()) => Ok(true),
            Err(TransactFailure::ConditionFailed(_)) => Ok(false),
            Err(TransactFailure::Store(error)) => Err(error),
        }
    }
}

impl DynamoStore {
    /// A session change (`save_session`'s one transaction), with `marks` first when an event
    /// caused it (the event's mark, the ledger's writes): `AlreadyHandled` when one of them
    /// shows the event, or the movement, was handled before.
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn save_session_marked(
        &self,
        marks: Vec<TransactWriteItem>,
        next: &Booking,
        previous: &Booking,
        policy: &Policy,
        notify: &[NewNotification],
        accounts: &AccountChanges,
    ) -> Result<Handled, SessionWriteError> {
        let mut writes = Writes::new(self);
        for mark in marks {
            writes.items.push(mark);
            writes.parts.push(Part::Mark);
        }
        writes.put(
            Part::Session,
            to_item(&SessionRecord::new(next, policy))?,
            Some(("version = :expected", vec![(":expected", n(previous.version))])),
        )?;
        if previous.slot.start() != next.slot.start() {
            for user in [&previous.learner, &previous.mentor] {
                writes.delete(&keys::participant_session(user, previous.slot.start(), &previous.id))?;
            }
        }
        writes.participants(next)?;
        writes.notifications(notify)?;
        // The money the change moved, in the same transaction: a change is saved once (its
        // version condition), and each entry once (its key).
        let entries = money_moved(previous, next)
            .into_iter()
            .map(LedgerEntry::of)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|unbalanced| StoreError::Corrupt(format!("session {}: {unbalanced}", next.id)))?;
        for item in self.ledger_writes(&entries, &next.id, next.updated_at)? {
            writes.items.push(item);
            writes.parts.push(Part::Ledger);
        }
        // When the money arrives, which session it paid for: disputes name the payment.
        if previous.paid_split().is_none()
            && let Some(payment) = next.payment.as_ref().filter(|payment| payment.paid_at.is_some())
        {
            let mut item = keys::payment_session(&payment.id).item();
            item.insert("entity".into(), s("PaymentSession"));
            item.insert("session".into(), s(next.id.to_string()));
            writes.put(Part::Other, item, None)?;
        }
        if let Some((next, previous)) = &accounts.mentor {
            for item in self.user_writes(next, previous)? {
                writes.items.push(item);
                writes.parts.push(Part::Account);
            }
        }
        if let Some((next, previous)) = &accounts.learner {
            writes.items.push(self.user_put(next, previous)?);
            writes.parts.push(Part::Account);
        }
        let parts = writes.parts.clone();
        match self.transact(writes.items).await {
            Ok(()) => Ok(Handled::Applied),
            Err(TransactFailure::ConditionFailed(failed)) => {
                let failed_part = |part: Part| failed.iter().any(|i| parts.get(*i) == Some(&part));
                if failed_part(Part::Mark) {
                    return Ok(Handled::AlreadyHandled);
                }
                // A changed session or account (another booking took or freed time): read
                // them again and retry, which is where overlapping time is found taken.
                if failed_part(Part::Session) || failed_part(Part::Account) || failed_part(Part::Ledger) {
                    Err(SessionWriteError::Stale)
                } else {
                    Err(StoreError::Corrupt(format!("session {}: an unconditioned write was refused", next.id)).into())
                }
            }
            Err(TransactFailure::Store(error)) => Err(error.into()),
        }
    }
}
