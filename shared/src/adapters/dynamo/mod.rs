//! DynamoDB adapter over the single table. Item shapes are in [`records`], key formats
//! in [`keys`]; this module holds the client and the transaction helper.

mod accounts;
pub mod audit;
pub(crate) mod chat;
mod connections;
mod directory;
mod grants;
pub mod keys;
mod ledger;
mod limits;
mod members;
mod notifications;
mod payments;
mod phones;
mod points;

pub use notifications::notification_from_image;
pub use points::{booking_from_image, entity_of, key_of, review_from_image};
mod records;
mod recovery;
mod reports;
mod reviews;
mod sessions;
mod stats;
mod uploads;
mod verifications;

pub use stats::{
    membership_from_image, message_time_from_image, money_figures_from_image, verification_pending_in_image,
};

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::operation::update_item::builders::UpdateItemFluentBuilder;
use aws_sdk_dynamodb::types::{
    AttributeValue, KeysAndAttributes, PutRequest, ReturnConsumedCapacity, TransactWriteItem, WriteRequest,
};

use crate::domain::{MentorCard, User, UserId};
use crate::ports::StoreError;

/// An item as the SDK sees it.
pub type Item = HashMap<String, AttributeValue>;

/// The platform's table, through one client built per cold start.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
    reads: Arc<ReadCounter>,
}

/// Read requests and items read, so benchmarks can show what a call costs.
#[derive(Debug, Default)]
pub struct ReadCounter {
    requests: AtomicU64,
    items: AtomicU64,
    /// Read capacity units DynamoDB reported, in thousandths.
    milli_units: AtomicU64,
}

impl ReadCounter {
    /// (requests, items) read so far.
    pub fn totals(&self) -> (u64, u64) {
        (self.requests.load(Ordering::Relaxed), self.items.load(Ordering::Relaxed))
    }

    /// Read capacity units consumed so far, as DynamoDB reported them (queries and batch reads).
    pub fn read_units(&self) -> f64 {
        self.milli_units.load(Ordering::Relaxed) as f64 / 1000.0
    }

    fn add_units(&self, units: f64) {
        self.milli_units.fetch_add((units * 1000.0).round() as u64, Ordering::Relaxed);
    }
}

/// Why a transaction did not commit.
#[derive(Debug)]
pub(crate) enum TransactFailure {
    /// A condition failed; the index of each failed item in the request.
    ConditionFailed(Vec<usize>),
    /// Anything else.
    Store(StoreError),
}

/// Concurrent transactions on one item cancel each other (`TransactionConflict`); a short,
/// jittered retry lets one of them win instead of failing both.
const CONFLICT_RETRIES: u32 = 6;

impl DynamoStore {
    /// A store over `table` using `client`.
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into(), reads: Arc::default() }
    }

    /// The underlying client (for the local stack's table set-up).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Reads made through this store so far.
    pub fn reads(&self) -> &ReadCounter {
        &self.reads
    }

    /// A query of partition `pk` for sort keys starting with `prefix`.
    pub(crate) fn prefix_query(&self, pk: String, prefix: &str) -> QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", keys::PK)
            .expression_attribute_names("#sk", keys::SK)
            .expression_attribute_values(":pk", s(pk))
            .expression_attribute_values(":prefix", s(prefix))
    }

    /// A query of GSI1 partition `gsi1pk`.
    pub(crate) fn index_query(&self, gsi1pk: String) -> QueryFluentBuilder {
        self.client
            .query()
            .table_name(&self.table)
            .index_name(keys::GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", keys::GSI1PK)
            .expression_attribute_values(":pk", s(gsi1pk))
    }

    /// Runs `query` page by page until `cap` items (all when `None`) or the end.
    pub(crate) async fn query_items(
        &self,
        query: QueryFluentBuilder,
        cap: Option<usize>,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut page = query.clone().set_exclusive_start_key(start.take());
            if let Some(cap) = cap {
                page = page.limit(i32::try_from(cap.saturating_sub(items.len())).unwrap_or(i32::MAX));
            }
            let output =
                page.return_consumed_capacity(ReturnConsumedCapacity::Total).send().await.map_err(unavailable)?;
            self.count_read(output.items().len());
            self.reads.add_units(output.consumed_capacity().and_then(|c| c.capacity_units()).unwrap_or(0.0));
            items.extend(output.items.unwrap_or_default());
            let more = cap.is_none_or(|cap| items.len() < cap);
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() && more => start = Some(key),
                _ => return Ok(items),
            }
        }
    }

    /// One page of a member's items in GSI1 partition `gsi1pk`, newest (highest sort key)
    /// first, resuming after `after`; also the position to resume from, when there is more.
    /// Positions are `<GSI1SK>|<SK>`: both are needed to resume in an index, and the table
    /// partition is the member's.
    pub(crate) async fn member_index_page(
        &self,
        member_pk: String,
        gsi1pk: String,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        let start = after.and_then(|position| position.split_once('|')).map(|(gsi1sk, sk)| {
            Item::from([
                (keys::PK.to_owned(), s(member_pk.clone())),
                (keys::SK.to_owned(), s(sk)),
                (keys::GSI1PK.to_owned(), s(gsi1pk.clone())),
                (keys::GSI1SK.to_owned(), s(gsi1sk)),
            ])
        });
        let (items, last) = self.index_page(gsi1pk, false, start, limit).await?;
        let next = last.as_ref().and_then(|key| {
            let gsi1sk = key.get(keys::GSI1SK)?.as_s().ok()?;
            let sk = key.get(keys::SK)?.as_s().ok()?;
            Some(format!("{gsi1sk}|{sk}"))
        });
        Ok((items, next))
    }

    /// One page of GSI1 partition `gsi1pk` in sort-key order (`forward`) or reverse,
    /// starting after the key `start`; also the last key read, when there is more.
    pub(crate) async fn index_page(
        &self,
        gsi1pk: String,
        forward: bool,
        start: Option<Item>,
        limit: usize,
    ) -> Result<(Vec<Item>, Option<Item>), StoreError> {
        let output = self
            .index_query(gsi1pk)
            .scan_index_forward(forward)
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(unavailable)?;
        self.count_read(output.items().len());
        Ok((output.items.unwrap_or_default(), output.last_evaluated_key.filter(|key| !key.is_empty())))
    }

    /// How many items `query` matches (after its filter), counted by DynamoDB page by page
    /// without returning them.
    pub(crate) async fn count_items(&self, query: QueryFluentBuilder) -> Result<u32, StoreError> {
        let mut count = 0u32;
        let mut start = None;
        loop {
            let output = query
                .clone()
                .select(aws_sdk_dynamodb::types::Select::Count)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(unavailable)?;
            self.count_read(0);
            count = count.saturating_add(u32::try_from(output.count()).unwrap_or(0));
            match output.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(count),
            }
        }
    }

    /// One page of `query` over partition `pk`, resuming after sort key `after`; also
    /// returns the sort key to resume from, when there is more.
    pub(crate) async fn query_page(
        &self,
        query: QueryFluentBuilder,
        pk: &str,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(Vec<Item>, Option<String>), StoreError> {
        let start = after.map(|sk| Item::from([(keys::PK.to_owned(), s(pk)), (keys::SK.to_owned(), s(sk))]));
        let output = query
            .limit(i32::try_from(limit).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(unavailable)?;
        self.count_read(output.items().len());
        let next =
            output.last_evaluated_key.as_ref().and_then(|key| key.get(keys::SK)).and_then(|v| v.as_s().ok()).cloned();
        Ok((output.items.unwrap_or_default(), next))
    }

    /// Sends a conditional UpdateItem: true when it applied, false when its condition failed.
    pub(crate) async fn update_if(&self, update: UpdateItemFluentBuilder) -> Result<bool, StoreError> {
        match update.send().await {
            Ok(_) => Ok(true),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Ok(false)
            }
            Err(error) => Err(unavailable(error)),
        }
    }

    /// Reads the item at `key` strongly consistently (one GetItem), counting the read.
    pub(crate) async fn get_one(&self, key: keys::Key) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.item()))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        self.count_read(usize::from(output.item.is_some()));
        Ok(output.item)
    }

    /// Reads `keys` (at most 100) strongly consistently in one BatchGetItem, asking again
    /// only for keys left unprocessed under throttling. Absent items are simply not returned.
    pub(crate) async fn get_many(&self, keys: &[keys::Key]) -> Result<Vec<Item>, StoreError> {
        let mut request = KeysAndAttributes::builder()
            .set_keys(Some(keys.iter().map(keys::Key::item).collect()))
            .consistent_read(true)
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        let mut found: Vec<Item> = Vec::with_capacity(keys.len());
        for _ in 0..5 {
            let output = self
                .client
                .batch_get_item()
                .request_items(&self.table, request.clone())
                .return_consumed_capacity(ReturnConsumedCapacity::Total)
                .send()
                .await
                .map_err(unavailable)?;
            self.reads.add_units(output.consumed_capacity().iter().filter_map(|c| c.capacity_units()).sum());
            let items = output.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default();
            self.count_read(items.len());
            found.extend(items);
            match output.unprocessed_keys.and_then(|mut keys| keys.remove(&self.table)) {
                Some(rest) if !rest.keys().is_empty() => request = rest,
                _ => return Ok(found),
            }
        }
        Err(StoreError::Unavailable("BatchGetItem left keys unprocessed".into()))
    }

    /// Puts `items` with BatchWriteItem, 25 at a time, asking again for what DynamoDB
    /// leaves unprocessed. Not atomic: only for puts that may be repeated.
    pub(crate) async fn write_all(&self, items: Vec<Item>) -> Result<(), StoreError> {
        for chunk in items.chunks(25) {
            let mut requests = chunk
                .iter()
                .map(|item| {
                    let put = PutRequest::builder().set_item(Some(item.clone())).build();
                    put.map(|put| WriteRequest::builder().put_request(put).build())
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| StoreError::Unavailable(e.to_string()))?;
            for attempt in 0..8 {
                if requests.is_empty() {
                    break;
                }
                if attempt > 0 {
                    tokio::time::sleep(backoff(attempt)).await;
                }
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, requests)
                    .send()
                    .await
                    .map_err(unavailable)?;
                requests = output.unprocessed_items.and_then(|mut left| left.remove(&self.table)).unwrap_or_default();
            }
            if !requests.is_empty() {
                return Err(StoreError::Unavailable("BatchWriteItem left items unprocessed".into()));
            }
        }
        Ok(())
    }

    pub(crate) fn count_read(&self, items: usize) {
        self.reads.requests.fetch_add(1, Ordering::Relaxed);
        self.reads.items.fetch_add(items as u64, Ordering::Relaxed);
    }

    /// Every item that stores `user`: the user, its email claim when a password hash is
    /// given, and its mentor listings. For bulk loading (seeding) with BatchWriteItem.
    pub fn user_items(user: &User, password_hash: Option<&str>) -> Result<Vec<Item>, StoreError> {
        let mut items = vec![records::to_item(&records::UserRecord::from_user(user))?];
        if let Some(hash) = password_hash {
            items.push(records::to_item(&records::CredentialsRecord::new(&user.email, &user.id, Some(hash)))?);
        }
        if let Some(card) = MentorCard::of(user) {
            for key in keys::listings(&card) {
                items.push(records::to_item(&records::ListingRecord::new(key, &card)?)?);
            }
        }
        Ok(items)
    }

    /// The items that let `a` and `b` chat, as a session request writes them. For bulk
    /// loading (benchmarks) with BatchWriteItem.
    pub fn contact_items(
        a: &UserId,
        b: &UserId,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Item>, StoreError> {
        [(a, b), (b, a)]
            .into_iter()
            .map(|(user, other)| records::to_item(&chat::ContactRecord::new(user, other, since)))
            .collect()
    }

    /// Runs a TransactWriteItems, retrying only transaction conflicts.
    /// A transaction's put of `item`, under `condition` when given.
    pub(crate) fn put(&self, item: Item, condition: Option<&str>) -> Result<TransactWriteItem, StoreError> {
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .set_condition_expression(condition.map(str::to_owned))
            .build()
            .map_err(|e| StoreError::Unavailable(e.to_string()))?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    pub(crate) async fn transact(&self, items: Vec<TransactWriteItem>) -> Result<(), TransactFailure> {
        let mut attempt = 0;
        loop {
            let result = self.client.transact_write_items().set_transact_items(Some(items.clone())).send().await;
            let error = match result {
                Ok(_) => return Ok(()),
                Err(error) => error,
            };
            let reasons = match &error {
                SdkError::ServiceError(service) => match service.err() {
                    TransactWriteItemsError::TransactionCanceledException(cancelled) => Some(
                        cancelled
                            .cancellation_reasons()
                            .iter()
                            .map(|r| r.code().unwrap_or("None").to_owned())
                            .collect::<Vec<_>>(),
                    ),
                    _ => None,
                },
                _ => None,
            };
            let Some(reasons) = reasons else {
                return Err(TransactFailure::Store(unavailable(error)));
            };
            let failed: Vec<usize> = reasons
                .iter()
                .enumerate()
                .filter(|(_, code)| code.as_str() == "ConditionalCheckFailed")
                .map(|(index, _)| index)
                .collect();
            if !failed.is_empty() {
                return Err(TransactFailure::ConditionFailed(failed));
            }
            let conflicted = reasons.iter().any(|code| code == "TransactionConflict");
            if !conflicted || attempt >= CONFLICT_RETRIES {
                return Err(TransactFailure::Store(StoreError::Unavailable(format!(
                    "transaction cancelled: {reasons:?}"
                ))));
            }
            attempt += 1;
            tokio::time::sleep(backoff(attempt)).await;
        }
    }
}

/// Exponential backoff with full jitter, from 10 ms.
fn backoff(attempt: u32) -> Duration {
    let cap_ms = 10u64 << attempt.min(6);
    let mut byte = [0u8; 2];
    let jitter = match getrandom::fill(&mut byte) {
        Ok(()) => u64::from(u16::from_le_bytes(byte)) % cap_ms,
        Err(_) => cap_ms / 2,
    };
    Duration::from_millis(jitter + 1)
}

/// Any SDK failure as a store failure, keeping the service's own message.
pub(crate) fn unavailable<E, R>(error: SdkError<E, R>) -> StoreError
where
    E: std::fmt::Display,
    R: std::fmt::Debug,
{
    StoreError::Unavailable(super::sdk_failure(error))
}

/// A string attribute.
pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute.
pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}
