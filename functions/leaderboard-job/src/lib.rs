//! `leaderboard-job`: on EventBridge cron schedules (weekly, Monday 00:05 UTC; monthly, the
//! 1st at 00:10 UTC) closes the period that just finished: freezes each board's top 100,
//! gives Mentor of the Week to the weekly mentor board's top 3 and tells each board's
//! winners. A rerun for the same period changes nothing.

use serde::Deserialize;
use shared::App;
use shared::app::PeriodClosed;
use shared::domain::gamification::{LeaderboardPeriod, PeriodKind};

/// The schedule's input (template.yaml `Input`): which kind of period to close, and, to
/// rerun by hand, which period (by default the one that just finished).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Close {
    /// `weekly` or `monthly`.
    pub kind: PeriodKind,
    /// A finished period of that kind, e.g. `2026-W47`.
    #[serde(default)]
    pub period: Option<LeaderboardPeriod>,
}

/// Lambda entry point for the scheduled event.
pub async fn handler(app: &App, input: Close) -> Result<PeriodClosed, lambda_runtime::Error> {
    let closed = app.close_period(input.kind, input.period).await?;
    for board in &closed.boards {
        tracing::info!(period = %closed.period, role = board.role.as_str(), ranks = board.ranks, badges = board.badges_awarded, closed_now = board.closed_now, "board closed");
    }
    Ok(closed)
}
