//! `deliver`: consumes the table's stream (filtered to new notifications) and delivers
//! each one live to the member's open WebSocket connections and to the SNS topic, whose
//! subscribers (email, SMS, mobile push) filter on the message attributes.
//!
//! Delivery is at least once: a failure is reported as a partial batch failure, and
//! Lambda retries from that record on. A record that can never be read is logged and
//! skipped, so one bad item cannot stall the stream.

use shared::App;
use shared::domain::Committed;
use shared::stream::{StreamEvent, StreamResponse, consume};

/// Lambda entry point for a batch of stream records.
pub async fn handler(app: &App, event: StreamEvent) -> Result<StreamResponse, lambda_runtime::Error> {
    let batch = consume(event, "delivery", |change| async move {
        match change {
            Committed::NotificationCreated(notification) => app.deliver_notification(&notification).await.map(|_| 1),
            _ => Ok(0),
        }
    })
    .await;
    let delivered = batch.handled.iter().sum::<usize>();
    tracing::info!(delivered, failed = batch.response.batch_item_failures.len(), "notifications delivered");
    Ok(batch.response)
}
