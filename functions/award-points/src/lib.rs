//! `award-points`: consumes the table's stream and keeps what is counted from committed
//! changes: each member's points (see `shared::domain::gamification::earnings`) and the
//! platform's counters for admins (see `shared::domain::stats`). Each points occurrence has
//! its own ledger key and each counted record its own marker, so a redelivered or replayed
//! batch counts nothing twice; a failure is reported as a partial batch failure and Lambda
//! resumes from that record.
//!
//! One consumer for both, not a third one on the stream: DynamoDB advises at most two
//! readers per stream shard, and `deliver` is the other (docs/ARCHITECTURE.md).

use shared::App;
use shared::app::{AppError, Counted};
use shared::stream::{StreamEvent, StreamResponse, consume_identified};

/// Lambda entry point for a batch of stream records.
pub async fn handler(app: &App, event: StreamEvent) -> Result<StreamResponse, lambda_runtime::Error> {
    let batch = consume_identified(event, "awarding and counting", |id, change| async move {
        let awarded = app.award_change(&change).await?;
        let counted = app.count_change(&id, &change).await?;
        Ok::<_, AppError>((awarded, counted))
    })
    .await;
    let awarded = batch.handled.iter().map(|(a, _)| a.stored).sum::<usize>();
    let replayed = batch.handled.iter().map(|(a, _)| a.replayed).sum::<usize>();
    let recounted = batch.handled.iter().filter(|(_, c)| *c == Counted::Replayed).count();
    tracing::info!(
        awarded,
        replayed,
        recounted,
        failed = batch.response.batch_item_failures.len(),
        "points awarded and changes counted"
    );
    Ok(batch.response)
}
