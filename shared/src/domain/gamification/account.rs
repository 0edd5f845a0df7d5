//! A member's points account: totals, the scores on the current boards, the daily cap,
//! the streak, progress counters and badges, and how one occurrence moves all of them.
//!
//! Pure: the caller reads the account, applies occurrences here, and stores the result
//! with the ledger entries in one transaction (the ledger key makes each occurrence count
//! once; the account version makes concurrent awards retry instead of overwriting).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::badges::{EarnedBadge, Progress, newly_earned, to_award};
use super::period::{LeaderboardPeriod, PeriodKind};
use super::rules::{PointsSource, points_for, rule};
use super::streak::Streak;
use crate::domain::{Party, UserId};

/// Something that happened that may earn a member points, as the points engine learns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Occurrence {
    /// Who may earn.
    pub user: UserId,
    /// What happened.
    pub source: PointsSource,
    /// What makes this occurrence unique for this member and source (a session id, a
    /// review's session and side): the ledger key, so a replay earns nothing.
    pub key: String,
    /// The board the points count on: the role the member acted in.
    pub role: Party,
    /// When it happened (the commit time of the change), which decides day and periods.
    pub at: DateTime<Utc>,
    /// The member's local date at `at`, fixed now so a later timezone change never moves it.
    pub local_day: NaiveDate,
}

/// One line of a member's points ledger.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LedgerEntry {
    /// What earned (or took) the points.
    #[schema(value_type = Object)]
    pub source: PointsSource,
    /// The occurrence, unique per member and source.
    pub key: String,
    /// Points (negative for a correction that takes some back).
    pub points: i64,
    /// The board they count on.
    pub role: Party,
    /// When.
    pub at: DateTime<Utc>,
    /// Why, for admin corrections.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A member's score on one board of one period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct BoardScore {
    /// The period.
    pub period: LeaderboardPeriod,
    /// The board's role.
    pub role: Party,
    /// Points in the period on this board.
    pub score: i64,
    /// When the score was reached (ties: earlier ranks first).
    pub reached_at: DateTime<Utc>,
}

/// A member's score on a board, before and after an award.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BoardMove {
    /// The score before, if the member was on the board.
    pub before: Option<i64>,
    /// The score now.
    pub after: BoardScore,
}

/// A member's points account.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct PointsAccount {
    /// Points ever.
    pub all_time: i64,
    /// Scores on the boards of the periods the member last earned in (one per kind and role).
    pub boards: Vec<BoardScore>,
    /// The local day `repeatable_today` counts for.
    pub day: Option<NaiveDate>,
    /// Repeatable points earned on `day`, for the daily cap.
    pub repeatable_today: i64,
    /// The activity streak.
    pub streak: Streak,
    /// Counters badges are decided from.
    pub progress: Progress,
    /// Badges held, each once, with when it was earned.
    pub badges: Vec<EarnedBadge>,
    /// Bumped on every change; stores write only over the version they read.
    pub version: u64,
}

/// What applying one occurrence did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applied {
    /// Ledger entries to write once each (the occurrence's own first).
    pub entries: Vec<LedgerEntry>,
    /// The board scores that changed (to write to the boards), with the score before
    /// (`None`: the member was not on that board yet).
    pub boards: Vec<BoardMove>,
    /// Badges earned now.
    pub badges: Vec<EarnedBadge>,
}

impl PointsAccount {
    /// The account's score on `period`'s board for `role` (0 when it earned nothing there).
    pub fn score(&self, period: LeaderboardPeriod, role: Party) -> i64 {
        self.boards.iter().find(|b| b.period == period && b.role == role).map_or(0, |b| b.score)
    }

    /// Applies `occurrence`: its points (capped if repeatable), a first-session bonus, the
    /// streak (and a milestone bonus), progress, badges, totals and board scores.
    pub fn apply(&mut self, occurrence: &Occurrence) -> Applied {
        let mut applied = Applied::default();
        // A new day restarts the cap; a late event for an earlier day counts against today's.
        if self.day.is_none_or(|day| day < occurrence.local_day) {
            self.day = Some(occurrence.local_day);
            self.repeatable_today = 0;
        }
        let before = self.progress;
        let mut sources = vec![(occurrence.source, occurrence.key.clone())];
        match occurrence.source {
            PointsSource::SessionCompletedAsMentor | PointsSource::SessionCompletedAsLearner => {
                if self.progress.sessions_completed == 0 {
                    // Once ever, whatever the role: the key says so.
                    sources.push((PointsSource::FirstSession, "first".into()));
                }
                self.progress.sessions_completed += 1;
            }
            PointsSource::ReviewWritten => self.progress.reviews_written += 1,
            PointsSource::FastResponse => self.progress.fast_responses += 1,
            _ => {}
        }
        let change = self.streak.record(occurrence.local_day);
        self.progress.longest_streak = self.progress.longest_streak.max(self.streak.longest);
        if let Some(days) = change.milestone {
            sources.push((PointsSource::StreakMilestone { days }, format!("{days}#{}", occurrence.local_day)));
        }
        for (source, key) in sources {
            let repeatable = rule(source).is_some_and(|r| r.repeatable);
            let points = points_for(source, self.repeatable_today);
            if repeatable {
                self.repeatable_today += points;
            }
            applied.entries.push(LedgerEntry {
                source,
                key,
                points,
                role: occurrence.role,
                at: occurrence.at,
                reason: None,
            });
        }
        let earned: i64 = applied.entries.iter().map(|e| e.points).sum();
        applied.boards = self.add(earned, occurrence.role, occurrence.at);
        applied.badges = to_award(&self.badges, &newly_earned(&before, &self.progress), occurrence.at);
        self.badges.extend(applied.badges.iter().copied());
        self.version += 1;
        applied
    }

    /// Applies an admin's correction of `points` (any sign) on `role`'s boards.
    pub fn correct(&mut self, points: i64, role: Party, at: DateTime<Utc>, key: String, reason: String) -> Applied {
        let entry = LedgerEntry { source: PointsSource::AdminCorrection, key, points, role, at, reason: Some(reason) };
        let boards = self.add(points, role, at);
        self.version += 1;
        Applied { entries: vec![entry], boards, badges: Vec::new() }
    }

    /// Adds `points` to the totals and to the current week's and month's board for `role`;
    /// the board scores as they are now. Boards of older periods are dropped: their scores
    /// stay on the board items the store wrote.
    fn add(&mut self, points: i64, role: Party, at: DateTime<Utc>) -> Vec<BoardMove> {
        self.all_time += points;
        PeriodKind::ALL
            .iter()
            .map(|kind| {
                let period = kind.period_of(at);
                self.boards.retain(|b| b.period.kind() != *kind || b.role != role || b.period == period);
                let before = self.boards.iter().find(|b| b.period == period && b.role == role).map(|b| b.score);
                let entry = BoardScore { period, role, score: before.unwrap_or(0) + points, reached_at: at };
                self.boards.retain(|b| !(b.period == period && b.role == role));
                self.boards.push(entry);
                BoardMove { before, after: entry }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::TimeZone as _;
    use proptest::prelude::*;

    use super::*;
    use crate::domain::gamification::Badge;
    use crate::domain::gamification::rules::DAILY_REPEATABLE_CAP;

    fn user() -> UserId {
        UserId::parse("01JDQ3Z5W4K8N2P6R9T1V3X5Z7").unwrap()
    }

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0).unwrap()
    }

    fn occurrence(source: PointsSource, key: &str, role: Party, when: DateTime<Utc>) -> Occurrence {
        Occurrence { user: user(), source, key: key.into(), role, at: when, local_day: when.date_naive() }
    }

    #[test]
    fn a_first_session_pays_the_bonus_once_and_earns_the_badge() {
        let mut account = PointsAccount::default();
        let first = account.apply(&occurrence(PointsSource::SessionCompletedAsMentor, "s1", Party::Mentor, at(16, 10)));
        assert_eq!(first.entries.iter().map(|e| e.points).collect::<Vec<_>>(), [50, 100]);
        assert_eq!(first.badges.iter().map(|b| b.badge).collect::<Vec<_>>(), [Badge::FirstSession]);
        let second =
            account.apply(&occurrence(PointsSource::SessionCompletedAsLearner, "s2", Party::Learner, at(17, 10)));
        assert_eq!(second.entries.len(), 1);
        assert!(second.badges.is_empty());
        assert_eq!(account.all_time, 180);
        assert_eq!(account.progress.sessions_completed, 2);
    }

    #[test]
    fn boards_follow_role_and_period() {
        let mut account = PointsAccount::default();
        let monday = at(16, 10);
        account.apply(&occurrence(PointsSource::ReviewWritten, "r1", Party::Learner, monday));
        let week = LeaderboardPeriod::week_of(monday);
        let month = LeaderboardPeriod::month_of(monday);
        assert_eq!(account.score(week, Party::Learner), 10);
        assert_eq!(account.score(month, Party::Learner), 10);
        assert_eq!(account.score(week, Party::Mentor), 0);
        // Next week: the weekly board starts again, the monthly one goes on.
        let next = at(23, 10);
        let applied = account.apply(&occurrence(PointsSource::ReviewWritten, "r2", Party::Learner, next));
        assert_eq!(account.score(LeaderboardPeriod::week_of(next), Party::Learner), 10);
        assert_eq!(account.score(month, Party::Learner), 20);
        assert!(applied.boards.iter().all(|b| b.after.reached_at == next));
        let weekly = applied.boards.iter().find(|b| b.after.period.kind() == PeriodKind::Weekly).unwrap();
        assert_eq!(weekly.before, None, "a new week's board");
        let monthly = applied.boards.iter().find(|b| b.after.period.kind() == PeriodKind::Monthly).unwrap();
        assert_eq!(monthly.before, Some(10));
    }

    #[test]
    fn repeatable_points_stop_at_the_daily_cap_and_start_again_the_next_day() {
        let mut account = PointsAccount::default();
        for n in 0..20 {
            account.apply(&occurrence(PointsSource::FastResponse, &format!("f{n}"), Party::Mentor, at(16, 9)));
        }
        assert_eq!(account.repeatable_today, DAILY_REPEATABLE_CAP);
        assert_eq!(account.all_time, DAILY_REPEATABLE_CAP);
        account.apply(&occurrence(PointsSource::FastResponse, "next-day", Party::Mentor, at(17, 9)));
        assert_eq!(account.all_time, DAILY_REPEATABLE_CAP + 15);
    }

    #[test]
    fn a_seven_day_streak_pays_its_milestone() {
        let mut account = PointsAccount::default();
        let mut milestone = Vec::new();
        for day in 1..=7 {
            let applied = account.apply(&occurrence(
                PointsSource::ReviewWritten,
                &format!("r{day}"),
                Party::Learner,
                at(day, 12),
            ));
            milestone.extend(
                applied.entries.into_iter().filter(|e| matches!(e.source, PointsSource::StreakMilestone { .. })),
            );
        }
        assert_eq!(milestone.len(), 1);
        assert_eq!(milestone[0].points, 50);
        assert_eq!(account.streak.current, 7);
        assert!(account.badges.iter().any(|b| b.badge == Badge::Streak7));
    }

    #[test]
    fn corrections_move_totals_and_boards_either_way() {
        let mut account = PointsAccount::default();
        account.correct(-30, Party::Mentor, at(16, 9), "c1".into(), "duplicate session".into());
        assert_eq!(account.all_time, -30);
        assert_eq!(account.score(LeaderboardPeriod::week_of(at(16, 9)), Party::Mentor), -30);
    }

    proptest! {
        /// Totals equal the sum of the ledger; the current boards never exceed the total of
        /// what was earned in their role; the version counts every application.
        #[test]
        fn totals_are_the_sum_of_the_ledger(events in proptest::collection::vec((0usize..4, 1u32..28, 0u32..24), 1..60)) {
            let sources = [
                (PointsSource::SessionCompletedAsMentor, Party::Mentor),
                (PointsSource::SessionCompletedAsLearner, Party::Learner),
                (PointsSource::ReviewWritten, Party::Learner),
                (PointsSource::FastResponse, Party::Mentor),
            ];
            let mut sorted = events.clone();
            sorted.sort_by_key(|(_, day, hour)| (*day, *hour));
            let mut account = PointsAccount::default();
            let mut ledger = 0i64;
            for (n, (which, day, hour)) in sorted.iter().enumerate() {
                let (source, role) = sources[*which];
                let applied = account.apply(&occurrence(source, &format!("k{n}"), role, at(*day, *hour)));
                ledger += applied.entries.iter().map(|e| e.points).sum::<i64>();
                prop_assert!(account.repeatable_today <= DAILY_REPEATABLE_CAP);
            }
            prop_assert_eq!(account.all_time, ledger);
            prop_assert_eq!(account.version, sorted.len() as u64);
            prop_assert!(account.boards.iter().all(|b| b.score <= ledger));
        }
    }
}
