//! `deliver`: consumes the table's stream (filtered to new notifications) and delivers
//! each one live to the member's open WebSocket connections and to the SNS topic, whose
//! subscribers (email, SMS, mobile push) filter on the message attributes.
//!
//! Delivery is at least once: a failure is reported as a partial batch failure, and
//! Lambda retries from that record on. A record that can never be read is logged and
//! skipped, so one bad item cannot stall the stream.

use aws_lambda_events::event::dynamodb::{Event, EventRecord};
use aws_lambda_events::event::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use shared::App;
use shared::adapters::dynamo::notification_from_image;

/// Lambda entry point for a batch of stream records.
pub async fn handler(app: &App, event: Event) -> Result<DynamoDbEventResponse, lambda_runtime::Error> {
    let mut response = DynamoDbEventResponse::default();
    let mut delivered = 0usize;
    for record in event.records {
        match deliver(app, record).await {
            Ok(true) => delivered += 1,
            Ok(false) => {}
            Err(sequence) => {
                // Lambda resends from the first failure; what follows is resent with it.
                let mut failure = DynamoDbBatchItemFailure::default();
                failure.item_identifier = sequence;
                response.batch_item_failures.push(failure);
                break;
            }
        }
    }
    tracing::info!(delivered, failed = response.batch_item_failures.len(), "notifications delivered");
    Ok(response)
}

/// Delivers one record's notification; `Err` carries the record's sequence number.
async fn deliver(app: &App, record: EventRecord) -> Result<bool, Option<String>> {
    if record.event_name != "INSERT" {
        return Ok(false);
    }
    let sequence = record.change.sequence_number.clone();
    let notification = match notification_from_image(record.change.new_image) {
        Ok(notification) => notification,
        Err(error) => {
            // The error carries no values (StoreError::corrupt); the image, holding the
            // notification's text, is never logged.
            tracing::error!(%error, ?sequence, "skipping a notification that cannot be read");
            return Ok(false);
        }
    };
    match app.deliver_notification(&notification).await {
        Ok(_) => Ok(true),
        Err(error) => {
            tracing::warn!(%error, notification = %notification.id, "delivery failed; the batch resumes here");
            Err(sequence)
        }
    }
}
