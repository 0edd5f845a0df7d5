//! Gamification, as pure rules: points, streaks, badges and leaderboard periods and order.
//!
//! Nothing here reads a clock, a table or a zone database on its own: callers pass the
//! instant, the member's local day and the counters, so every rule is testable alone. The
//! event-driven part (a stream consumer awarding points once per committed event) lives in
//! the app and adapter layers and calls into these modules.

pub mod account;
pub mod badges;
pub mod correction;
pub mod earnings;
pub mod period;
pub mod ranking;
pub mod rules;
pub mod standing;
pub mod streak;

pub use account::{Applied, BoardMove, BoardScore, LedgerEntry, Occurrence, PointsAccount};
pub use badges::{Badge, EarnedBadge, Progress, earned_badges, newly_earned, period_badge, to_award};
pub use correction::PointsCorrection;
pub use period::{LeaderboardPeriod, PeriodKind};
pub use ranking::order_key;
pub use rules::{
    DAILY_REPEATABLE_CAP, PointsSource, RULES, Rule, capped_award, fast_response_counts, points_for, review_counts,
    session_counts, session_sources,
};
pub use standing::{Estimate, bucket, estimate};
pub use streak::{MAX_FREEZES, Streak, StreakChange, StreakStep, local_day};
