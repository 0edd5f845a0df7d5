//! BatchWriteItem with the retries it needs: DynamoDB may accept a batch yet leave part of
//! it unprocessed, or throttle the whole request; both are retried with backoff until every
//! item is in or the attempts run out.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::{PutRequest, WriteRequest};
use shared::adapters::dynamo::Item;

use crate::SeedError;
use crate::rng::Rng;

/// BatchWriteItem's limit.
pub const BATCH_SIZE: usize = 25;

/// Batches in flight at once. DynamoDB Local's throughput stops growing at about this many
/// on a two-core machine; real DynamoDB would take more, but demo data is for local use.
pub const IN_FLIGHT: usize = 8;

/// Attempts per batch before giving up: with the backoff below, about a minute of trying.
const MAX_ATTEMPTS: u32 = 12;

/// Error codes worth another try: DynamoDB's throttling family and transient faults.
const RETRYABLE: &[&str] = &[
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "ThrottlingException",
    "InternalServerError",
    "ServiceUnavailable",
];

/// Exponential backoff from 50 ms, capped at 5 s, with jitter so parallel batches that were
/// throttled together do not come back together.
fn backoff(attempt: u32, salt: u64) -> Duration {
    let cap_ms = (50u64 << attempt.min(7)).min(5_000);
    let jitter = Rng::new(salt ^ u64::from(attempt)).unit();
    Duration::from_millis(cap_ms / 2 + (jitter * (cap_ms / 2) as f64) as u64)
}

/// A readable error from an SDK failure; a missing table gets its own variant.
pub fn describe<E, R>(table: &str, error: SdkError<E, R>) -> SeedError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    if error.code() == Some("ResourceNotFoundException") {
        return SeedError::NoTable(table.to_owned());
    }
    match error.as_service_error() {
        Some(service) => SeedError::Dynamo(format!(
            "{}: {}",
            service.code().unwrap_or("error"),
            service.message().unwrap_or("no message")
        )),
        None => SeedError::Dynamo(format!("{error:?}")),
    }
}

/// Whether a failed request may succeed if sent again.
fn retryable<E: ProvideErrorMetadata, R>(error: &SdkError<E, R>) -> bool {
    match error {
        SdkError::TimeoutError(_) | SdkError::DispatchFailure(_) | SdkError::ResponseError(_) => true,
        SdkError::ServiceError(_) => error.code().is_some_and(|code| RETRYABLE.contains(&code)),
        _ => false,
    }
}

/// Writes `items` (at most 25) to `table`, counting every re-send in `retries`.
/// `salt` (the batch's number) decorrelates its backoff from other batches'.
pub async fn batch(
    client: &Client,
    table: &str,
    items: Vec<Item>,
    salt: u64,
    retries: &AtomicUsize,
) -> Result<(), SeedError> {
    let mut requests = items
        .into_iter()
        .map(|item| {
            let put =
                PutRequest::builder().set_item(Some(item)).build().map_err(|e| SeedError::Dynamo(e.to_string()))?;
            Ok(WriteRequest::builder().put_request(put).build())
        })
        .collect::<Result<Vec<_>, SeedError>>()?;
    let mut attempt = 0;
    loop {
        let result = client.batch_write_item().request_items(table, requests.clone()).send().await;
        let unprocessed = match result {
            Ok(output) => output.unprocessed_items().and_then(|tables| tables.get(table)).cloned().unwrap_or_default(),
            Err(error) if retryable(&error) && attempt + 1 < MAX_ATTEMPTS => requests,
            Err(error) => return Err(describe(table, error)),
        };
        if unprocessed.is_empty() {
            return Ok(());
        }
        attempt += 1;
        if attempt >= MAX_ATTEMPTS {
            return Err(SeedError::Dynamo(format!(
                "{} items still unprocessed after {MAX_ATTEMPTS} attempts",
                unprocessed.len()
            )));
        }
        retries.fetch_add(1, Ordering::Relaxed);
        tokio::time::sleep(backoff(attempt, salt)).await;
        requests = unprocessed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_is_capped() {
        assert!(backoff(1, 0) <= Duration::from_millis(100));
        assert!(backoff(3, 0) >= Duration::from_millis(200));
        for attempt in 0..20 {
            assert!(backoff(attempt, 9) <= Duration::from_millis(5_000));
        }
    }
}
