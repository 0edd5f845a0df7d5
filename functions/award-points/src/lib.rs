//! `award-points`: consumes the table's stream, filtered to session moves and new reviews,
//! and awards what each committed change earned (see
//! `shared::domain::gamification::earnings`). Each occurrence has its own ledger key, so
//! a redelivered or replayed batch awards nothing twice; a failure is reported as a
//! partial batch failure and Lambda resumes from that record.

use shared::App;
use shared::stream::{StreamEvent, StreamResponse, consume};

/// Lambda entry point for a batch of stream records.
pub async fn handler(app: &App, event: StreamEvent) -> Result<StreamResponse, lambda_runtime::Error> {
    let batch = consume(event, "awarding", |change| async move { app.award_change(&change).await }).await;
    let awarded = batch.handled.iter().map(|a| a.stored).sum::<usize>();
    let replayed = batch.handled.iter().map(|a| a.replayed).sum::<usize>();
    tracing::info!(awarded, replayed, failed = batch.response.batch_item_failures.len(), "points awarded");
    Ok(batch.response)
}
