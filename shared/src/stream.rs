//! The stream edge: DynamoDB stream records into [`Committed`] changes, and the one
//! partial-batch-failure loop every stream consumer runs.
//!
//! A record that cannot be read is logged with its key and stream position only (images
//! hold topics, messages, cancellation reasons, meeting links and notification texts) and
//! skipped, so one bad item cannot stall the stream. A failure to act on a change is
//! reported as the batch item failure: Lambda resends from that record on.

use std::fmt::Display;
use std::future::Future;

use aws_lambda_events::event::dynamodb::EventRecord;
use aws_lambda_events::event::streams::DynamoDbBatchItemFailure;

use crate::adapters::dynamo::{
    booking_from_image, entity_of, key_of, membership_from_image, message_time_from_image, money_figures_from_image,
    notification_from_image, review_from_image, verification_pending_in_image,
};
use crate::domain::Committed;
use crate::ports::StoreError;

/// A batch of the table's stream records, as Lambda delivers it.
pub use aws_lambda_events::event::dynamodb::Event as StreamEvent;
/// The answer to a batch: the record to resume from, if one failed.
pub use aws_lambda_events::event::streams::DynamoDbEventResponse as StreamResponse;

/// What a consumer did with a batch.
#[derive(Debug)]
pub struct Consumed<T> {
    /// What the consumer returned for each change it handled, in order.
    pub handled: Vec<T>,
    /// The answer for Lambda (the failed record, if any).
    pub response: StreamResponse,
}

/// Runs `handle` over the batch's changes in order. Records that are no change a consumer
/// acts on are passed over; unreadable ones are logged and skipped. At the first failure
/// the record's sequence number is reported and the rest of the batch is left for the
/// resend (`what` names the work in the log line).
pub async fn consume<T, E, F, Fut>(event: StreamEvent, what: &'static str, mut handle: F) -> Consumed<T>
where
    E: Display,
    F: FnMut(Committed) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    consume_identified(event, what, |_, change| handle(change)).await
}

/// As [`consume`], also giving `handle` the record's `eventID`: the same on every
/// delivery of the record (a retried batch, a replay), so a consumer can act once per record.
pub async fn consume_identified<T, E, F, Fut>(event: StreamEvent, what: &'static str, mut handle: F) -> Consumed<T>
where
    E: Display,
    F: FnMut(String, Committed) -> Fut,
    Fut: Future<Output = Result<T, E>>,
{
    let mut consumed = Consumed { handled: Vec::new(), response: StreamResponse::default() };
    for record in event.records {
        let sequence = record.change.sequence_number.clone();
        let id = record.event_id.clone();
        let Some(change) = committed(record) else { continue };
        match handle(id, change).await {
            Ok(done) => consumed.handled.push(done),
            Err(error) => {
                tracing::warn!(%error, ?sequence, "{what} failed; the batch resumes here");
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = sequence;
                consumed.response.batch_item_failures.push(failure);
                break;
            }
        }
    }
    consumed
}

/// The change a record carries, if it is one a consumer acts on and can be read.
pub fn committed(record: EventRecord) -> Option<Committed> {
    let change = record.change;
    let entity = entity_of(&change.new_image).map(str::to_owned);
    // Only the item's key and the stream position identify a record in the logs.
    let at = Position { key: key_of(&change.keys), sequence: change.sequence_number };
    let (old, new) = (change.old_image, change.new_image);
    match (record.event_name.as_str(), entity.as_deref()) {
        ("MODIFY", Some("Session")) => at
            .read_both("a session change", booking_from_image(old), booking_from_image(new))
            .map(|(before, after)| Committed::SessionMoved { before: Box::new(before), after: Box::new(after) }),
        ("INSERT", Some("Review")) => at.read("a review", review_from_image(new)).map(Committed::ReviewWritten),
        ("INSERT", Some("Notification")) => {
            at.read("a notification", notification_from_image(new)).map(Committed::NotificationCreated)
        }
        ("INSERT", Some("Session")) => at
            .read("a new session", booking_from_image(new))
            .map(|booking| Committed::SessionRequested(Box::new(booking))),
        ("INSERT", Some("User")) => at.read("a new member", membership_from_image(new)).map(Committed::MemberJoined),
        ("MODIFY", Some("User")) => at
            .read_both("a member change", membership_from_image(old), membership_from_image(new))
            .map(|(before, after)| Committed::MemberChanged { before, after }),
        ("INSERT", Some("Message")) => {
            at.read("a message", message_time_from_image(new)).map(|at| Committed::MessageSent { at })
        }
        ("INSERT", Some("LedgerEntry")) => {
            at.read("a ledger entry", money_figures_from_image(new)).map(Committed::MoneyMoved)
        }
        ("INSERT" | "MODIFY", Some("Verification")) => at
            .read_both("a verification", verification_pending_in_image(old), verification_pending_in_image(new))
            .map(|(was_pending, is_pending)| Committed::VerificationMoved { was_pending, is_pending }),
        _ => None,
    }
}

/// Where a record is: its item's key and its stream position, all a log line may name.
struct Position {
    key: String,
    sequence: Option<String>,
}

impl Position {
    /// The image read, or `None` with the failure logged (its error carries no values:
    /// `StoreError::corrupt`).
    fn read<T>(&self, what: &str, image: Result<T, StoreError>) -> Option<T> {
        let (key, sequence) = (&self.key, &self.sequence);
        image.map_err(|error| tracing::error!(%key, ?sequence, %error, "skipping {what} that cannot be read")).ok()
    }

    /// Both images read, or `None` with what failed logged.
    fn read_both<T>(&self, what: &str, before: Result<T, StoreError>, after: Result<T, StoreError>) -> Option<(T, T)> {
        match (before, after) {
            (Ok(before), Ok(after)) => Some((before, after)),
            (before, after) => {
                let (key, sequence) = (&self.key, &self.sequence);
                let (before, after) = (before.err().map(|e| e.to_string()), after.err().map(|e| e.to_string()));
                tracing::error!(%key, ?sequence, ?before, ?after, "skipping {what} that cannot be read");
                None
            }
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const SESSION: &str = include_str!("../../events/award-points/session-completed.json");
    const NOTIFICATION: &str = include_str!("../../events/deliver/new-notification.json");

    fn event(samples: &[&str]) -> StreamEvent {
        let records: Vec<serde_json::Value> = samples
            .iter()
            .flat_map(|sample| {
                serde_json::from_str::<serde_json::Value>(sample).unwrap()["Records"].as_array().unwrap().clone()
            })
            .collect();
        serde_json::from_value(serde_json::json!({ "Records": records })).unwrap()
    }

    fn sequence(sample: &str) -> Option<String> {
        event(&[sample]).records[0].change.sequence_number.clone()
    }

    fn broken(sample: &str, image: &str) -> String {
        let mut value: serde_json::Value = serde_json::from_str(sample).unwrap();
        value["Records"][0]["dynamodb"][image]["SK"] = serde_json::json!({"N": "1"});
        value["Records"][0]["dynamodb"][image]["version"] = serde_json::json!({"S": "not a number"});
        value["Records"][0]["dynamodb"][image]["read"] = serde_json::json!({"S": "not a flag"});
        value.to_string()
    }

    #[test]
    fn records_become_the_changes_they_carry() {
        let records = event(&[SESSION, NOTIFICATION]).records;
        let changes: Vec<_> = records.into_iter().filter_map(committed).collect();
        assert!(matches!(&changes[0], Committed::SessionMoved { before, after } if before.id == after.id));
        assert!(matches!(&changes[1], Committed::NotificationCreated(_)));
    }

    #[test]
    fn unreadable_records_and_other_items_are_passed_over() {
        let unreadable = event(&[&broken(SESSION, "NewImage"), &broken(NOTIFICATION, "NewImage")]);
        assert_eq!(unreadable.records.into_iter().filter_map(committed).count(), 0);
        let mut removed: serde_json::Value = serde_json::from_str(NOTIFICATION).unwrap();
        removed["Records"][0]["eventName"] = serde_json::json!("REMOVE");
        assert_eq!(event(&[&removed.to_string()]).records.into_iter().filter_map(committed).count(), 0);
    }

    #[tokio::test]
    async fn the_first_failure_is_reported_and_ends_the_batch() {
        let mut seen = 0;
        let batch = consume(event(&[NOTIFICATION, SESSION, NOTIFICATION]), "testing", |change| {
            seen += 1;
            async move {
                match change {
                    Committed::SessionMoved { .. } => Err("refused"),
                    _ => Ok(()),
                }
            }
        })
        .await;
        assert_eq!((seen, batch.handled.len()), (2, 1), "nothing after the failure is tried");
        let failed: Vec<_> = batch.response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect();
        assert_eq!(failed, vec![sequence(SESSION)]);
    }

    #[tokio::test]
    async fn a_batch_without_failures_reports_none() {
        let batch = consume(event(&[NOTIFICATION, broken(SESSION, "OldImage").as_str()]), "testing", |_| async {
            Ok::<_, String>(())
        })
        .await;
        assert_eq!(batch.handled.len(), 1, "the unreadable record is skipped");
        assert!(batch.response.batch_item_failures.is_empty());
    }
}
