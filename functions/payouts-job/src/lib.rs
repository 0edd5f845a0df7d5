//! `payouts-job`: on an EventBridge schedule (every 15 minutes), moves the money of ended
//! paid sessions: issues learners' refunds, completes paid sessions nobody closed within the
//! dispute window, releases mentors' earnings once that window passed, and transfers them
//! to their payout accounts. Each step is saved with its ledger entry, so reruns repeat
//! nothing; a step the provider refuses fails the run after the others were taken.

use aws_lambda_events::eventbridge::EventBridgeEvent;
use shared::App;
use shared::app::PayoutRun;

/// Lambda entry point for the scheduled event.
pub async fn handler(app: &App, event: EventBridgeEvent) -> Result<PayoutRun, lambda_runtime::Error> {
    let run = app.run_payouts().await?;
    tracing::info!(
        rule = ?event.resources,
        completed = run.completed,
        refunded = run.refunded,
        released = run.released,
        transferred = run.transferred,
        reversed = run.reversed,
        deferred = run.deferred,
        failed = run.failed,
        "payouts run"
    );
    // The other sessions were settled; failing the run makes the errors alarm fire and
    // Lambda retry it (which repeats nothing already done).
    if run.failed > 0 {
        return Err(format!("{} payout steps failed; see the warnings above", run.failed).into());
    }
    Ok(run)
}
