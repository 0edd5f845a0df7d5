//! `reminders`: on an EventBridge schedule (every 5 minutes), reminds both sides of
//! sessions starting within 24 hours and within 15 minutes, once each, expires
//! requests nobody answered, and counts learners' ratings whose blind week ended.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use shared::App;
use shared::app::ReminderRun;

/// Lambda entry point for the scheduled event.
pub async fn handler(app: &App, event: EventBridgeEvent) -> Result<ReminderRun, lambda_runtime::Error> {
    let run = app.run_reminders().await?;
    tracing::info!(rule = ?event.resources, reminded_day = run.reminded_day, reminded_soon = run.reminded_soon, expired = run.expired, ratings_counted = run.ratings_counted, "reminders run");
    Ok(run)
}
