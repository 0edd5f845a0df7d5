//! DynamoDB adapter over the single table. Item shapes are in [`records`], key formats
//! in [`keys`]; this module holds the client and the transaction helper.

mod accounts;
mod grants;
pub mod keys;
mod records;

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::SdkError;
use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem};

use crate::ports::StoreError;

/// An item as the SDK sees it.
pub type Item = HashMap<String, AttributeValue>;

/// The platform's table, through one client built per cold start.
#[derive(Clone, Debug)]
pub struct DynamoStore {
    client: Client,
    table: String,
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
        Self { client, table: table.into() }
    }

    /// The underlying client (for the local stack's table set-up).
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The table name.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// Runs a TransactWriteItems, retrying only transaction conflicts.
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
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let detail = match &error {
        SdkError::ServiceError(service) => service.err().to_string(),
        other => format!("{other:?}"),
    };
    StoreError::Unavailable(detail)
}

/// A string attribute.
pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

/// A number attribute.
pub(crate) fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}
