//! Badges: earned once each, from progress counters or from a weekly board's final ranks.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::period::PeriodKind;
use crate::domain::{Invalid, Party};

/// Fast responses (requests answered within the hour) for Fast Responder.
pub const FAST_RESPONDER_AT: u32 = 10;

/// Reviews written (that counted) for Top Reviewer.
pub const TOP_REVIEWER_AT: u32 = 25;

/// Final ranks on a weekly mentor board that earn Mentor of the Week (1-based, inclusive).
pub const MENTOR_OF_THE_WEEK_TOP: u32 = 3;

/// An achievement shown on a member's profile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Badge {
    /// Completed a first session.
    FirstSession,
    /// Finished in the top 3 of a weekly mentor board.
    MentorOfTheWeek,
    /// Answered 10 requests within the hour.
    FastResponder,
    /// Completed 10 sessions.
    #[serde(rename = "sessions_10")]
    Sessions10,
    /// Completed 50 sessions.
    #[serde(rename = "sessions_50")]
    Sessions50,
    /// Completed 100 sessions.
    #[serde(rename = "sessions_100")]
    Sessions100,
    /// Reached a 7-day streak.
    #[serde(rename = "streak_7")]
    Streak7,
    /// Reached a 30-day streak.
    #[serde(rename = "streak_30")]
    Streak30,
    /// Wrote 25 reviews.
    TopReviewer,
}

impl Badge {
    /// Every badge, in display order.
    pub const ALL: [Badge; 9] = [
        Badge::FirstSession,
        Badge::Sessions10,
        Badge::Sessions50,
        Badge::Sessions100,
        Badge::Streak7,
        Badge::Streak30,
        Badge::FastResponder,
        Badge::TopReviewer,
        Badge::MentorOfTheWeek,
    ];

    /// The stable id, stored and sent to clients, e.g. `"sessions_10"`; never rename one.
    pub const fn as_str(self) -> &'static str {
        match self {
            Badge::FirstSession => "first_session",
            Badge::MentorOfTheWeek => "mentor_of_the_week",
            Badge::FastResponder => "fast_responder",
            Badge::Sessions10 => "sessions_10",
            Badge::Sessions50 => "sessions_50",
            Badge::Sessions100 => "sessions_100",
            Badge::Streak7 => "streak_7",
            Badge::Streak30 => "streak_30",
            Badge::TopReviewer => "top_reviewer",
        }
    }

    /// Parses a stable id.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|badge| badge.as_str() == raw).ok_or(Invalid::new("must be a known badge"))
    }

    /// The name shown to members.
    pub const fn title(self) -> &'static str {
        match self {
            Badge::FirstSession => "First Session",
            Badge::MentorOfTheWeek => "Mentor of the Week",
            Badge::FastResponder => "Fast Responder",
            Badge::Sessions10 => "10 Sessions",
            Badge::Sessions50 => "50 Sessions",
            Badge::Sessions100 => "100 Sessions",
            Badge::Streak7 => "7-Day Streak",
            Badge::Streak30 => "30-Day Streak",
            Badge::TopReviewer => "Top Reviewer",
        }
    }

    /// What it takes, for members.
    pub const fn description(self) -> &'static str {
        match self {
            Badge::FirstSession => "Completed your first session.",
            Badge::MentorOfTheWeek => "Finished in the top 3 of a weekly mentor leaderboard.",
            Badge::FastResponder => "Answered 10 session requests within an hour.",
            Badge::Sessions10 => "Completed 10 sessions.",
            Badge::Sessions50 => "Completed 50 sessions.",
            Badge::Sessions100 => "Completed 100 sessions.",
            Badge::Streak7 => "Was active 7 days in a row.",
            Badge::Streak30 => "Was active 30 days in a row.",
            Badge::TopReviewer => "Wrote 25 reviews.",
        }
    }
}

impl fmt::Display for Badge {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The counters progress badges are decided from. Each counts only what earned points
/// (sessions that counted, reviews of real sessions), so the anti-gaming checks in
/// [`rules`](super::rules) guard badges too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Progress {
    /// Sessions completed, as mentor or learner.
    pub sessions_completed: u32,
    /// Requests answered within the fast-response window.
    pub fast_responses: u32,
    /// The longest streak ever reached (so a badge does not need the streak to still run).
    pub longest_streak: u32,
    /// Reviews written.
    pub reviews_written: u32,
}

/// The counter a progress badge reads.
#[derive(Debug, Clone, Copy)]
enum Counter {
    Sessions,
    FastResponses,
    LongestStreak,
    ReviewsWritten,
}

impl Counter {
    fn of(self, progress: &Progress) -> u32 {
        match self {
            Counter::Sessions => progress.sessions_completed,
            Counter::FastResponses => progress.fast_responses,
            Counter::LongestStreak => progress.longest_streak,
            Counter::ReviewsWritten => progress.reviews_written,
        }
    }
}

/// Every badge earned from progress, with its counter and threshold; Mentor of the Week is
/// missing on purpose, as it comes from a board's ranks ([`period_badge`]).
const PROGRESS_BADGES: &[(Badge, Counter, u32)] = &[
    (Badge::FirstSession, Counter::Sessions, 1),
    (Badge::Sessions10, Counter::Sessions, 10),
    (Badge::Sessions50, Counter::Sessions, 50),
    (Badge::Sessions100, Counter::Sessions, 100),
    (Badge::Streak7, Counter::LongestStreak, 7),
    (Badge::Streak30, Counter::LongestStreak, 30),
    (Badge::FastResponder, Counter::FastResponses, FAST_RESPONDER_AT),
    (Badge::TopReviewer, Counter::ReviewsWritten, TOP_REVIEWER_AT),
];

/// A badge a member holds, and when they earned it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct EarnedBadge {
    /// The badge.
    pub badge: Badge,
    /// When it was earned (the commit time of the event that earned it).
    pub earned_at: DateTime<Utc>,
}

/// Every progress badge `progress` qualifies for, in [`Badge::ALL`] order.
pub fn earned_badges(progress: &Progress) -> Vec<Badge> {
    PROGRESS_BADGES
        .iter()
        .filter(|(_, counter, threshold)| counter.of(progress) >= *threshold)
        .map(|(badge, _, _)| *badge)
        .collect()
}

/// The progress badges `after` qualifies for that `before` did not: what an event that
/// moved the counters from one to the other just earned.
pub fn newly_earned(before: &Progress, after: &Progress) -> Vec<Badge> {
    let had = earned_badges(before);
    earned_badges(after).into_iter().filter(|badge| !had.contains(badge)).collect()
}

/// The badge for finishing at 1-based `rank` on a closed board of `kind` for `board`'s
/// role: Mentor of the Week for the top 3 of a weekly mentor board, else none. Learner
/// boards earn no badge, as "Mentor of the Week" would misname it.
pub fn period_badge(rank: u32, kind: PeriodKind, board: Party) -> Option<Badge> {
    let top = (1..=MENTOR_OF_THE_WEEK_TOP).contains(&rank);
    (top && kind == PeriodKind::Weekly && board == Party::Mentor).then_some(Badge::MentorOfTheWeek)
}

/// The badges among `candidates` not already in `held`, stamped `at`: what to store, so
/// each badge is earned once with its first time kept. Duplicates in `candidates` count once.
pub fn to_award(held: &[EarnedBadge], candidates: &[Badge], at: DateTime<Utc>) -> Vec<EarnedBadge> {
    let mut awarded: Vec<EarnedBadge> = Vec::new();
    for &badge in candidates {
        let known = held.iter().chain(&awarded).any(|earned| earned.badge == badge);
        if !known {
            awarded.push(EarnedBadge { badge, earned_at: at });
        }
    }
    awarded
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::gamification::streak::MILESTONES;
    use proptest::prelude::*;

    fn progress(sessions: u32, fast: u32, streak: u32, reviews: u32) -> Progress {
        Progress {
            sessions_completed: sessions,
            fast_responses: fast,
            longest_streak: streak,
            reviews_written: reviews,
        }
    }

    #[test]
    fn ids_are_stable_and_match_serde() {
        let ids: Vec<&str> = Badge::ALL.iter().map(|badge| badge.as_str()).collect();
        assert_eq!(
            ids,
            [
                "first_session",
                "sessions_10",
                "sessions_50",
                "sessions_100",
                "streak_7",
                "streak_30",
                "fast_responder",
                "top_reviewer",
                "mentor_of_the_week"
            ]
        );
        for badge in Badge::ALL {
            assert_eq!(serde_json::to_string(&badge).unwrap(), format!("\"{badge}\""));
            assert_eq!(Badge::parse(badge.as_str()).unwrap(), badge);
            assert!(!badge.title().is_empty() && !badge.description().is_empty());
        }
        assert!(Badge::parse("sessions10").is_err());
    }

    #[test]
    fn every_badge_but_mentor_of_the_week_comes_from_progress() {
        for badge in Badge::ALL {
            let from_progress = PROGRESS_BADGES.iter().filter(|(b, _, _)| *b == badge).count();
            assert_eq!(from_progress, usize::from(badge != Badge::MentorOfTheWeek), "{badge}");
        }
        // earned_badges promises Badge::ALL order.
        let order: Vec<Badge> = PROGRESS_BADGES.iter().map(|(badge, _, _)| *badge).collect();
        assert_eq!(order, Badge::ALL[..8]);
    }

    #[test]
    fn streak_badges_match_the_streak_milestones() {
        let thresholds: Vec<u32> = PROGRESS_BADGES
            .iter()
            .filter(|(_, counter, _)| matches!(counter, Counter::LongestStreak))
            .map(|(_, _, threshold)| *threshold)
            .collect();
        assert_eq!(thresholds, MILESTONES);
    }

    #[test]
    fn thresholds() {
        assert!(earned_badges(&Progress::default()).is_empty());
        assert_eq!(earned_badges(&progress(1, 0, 0, 0)), vec![Badge::FirstSession]);
        assert_eq!(earned_badges(&progress(9, 9, 6, 24)), vec![Badge::FirstSession]);
        assert_eq!(
            earned_badges(&progress(10, 10, 7, 25)),
            vec![Badge::FirstSession, Badge::Sessions10, Badge::Streak7, Badge::FastResponder, Badge::TopReviewer]
        );
        assert_eq!(earned_badges(&progress(100, 0, 30, 0)).len(), 6);
    }

    #[test]
    fn newly_earned_is_the_difference() {
        assert_eq!(newly_earned(&progress(9, 0, 0, 0), &progress(10, 0, 0, 0)), vec![Badge::Sessions10]);
        assert_eq!(newly_earned(&progress(0, 0, 0, 0), &progress(1, 0, 0, 0)), vec![Badge::FirstSession]);
        assert!(newly_earned(&progress(10, 0, 0, 0), &progress(11, 0, 0, 0)).is_empty());
    }

    #[test]
    fn mentor_of_the_week_is_for_the_weekly_mentor_podium() {
        for rank in 1..=3 {
            assert_eq!(period_badge(rank, PeriodKind::Weekly, Party::Mentor), Some(Badge::MentorOfTheWeek));
        }
        assert_eq!(period_badge(0, PeriodKind::Weekly, Party::Mentor), None);
        assert_eq!(period_badge(4, PeriodKind::Weekly, Party::Mentor), None);
        assert_eq!(period_badge(1, PeriodKind::Monthly, Party::Mentor), None);
        assert_eq!(period_badge(1, PeriodKind::Weekly, Party::Learner), None);
    }

    #[test]
    fn each_badge_is_earned_once_and_keeps_its_first_time() {
        let first = DateTime::parse_from_rfc3339("2026-11-16T10:00:00Z").unwrap().to_utc();
        let later = first + chrono::TimeDelta::days(7);
        let held = to_award(&[], &[Badge::MentorOfTheWeek, Badge::MentorOfTheWeek], first);
        assert_eq!(held, vec![EarnedBadge { badge: Badge::MentorOfTheWeek, earned_at: first }]);
        let more = to_award(&held, &[Badge::MentorOfTheWeek, Badge::Streak7], later);
        assert_eq!(more, vec![EarnedBadge { badge: Badge::Streak7, earned_at: later }]);
    }

    fn any_progress() -> impl Strategy<Value = Progress> {
        (0u32..120, 0u32..20, 0u32..40, 0u32..40).prop_map(|(s, f, l, r)| progress(s, f, l, r))
    }

    proptest! {
        #[test]
        fn more_progress_never_loses_a_badge(before in any_progress(), more in any_progress()) {
            let after = progress(
                before.sessions_completed + more.sessions_completed,
                before.fast_responses + more.fast_responses,
                before.longest_streak + more.longest_streak,
                before.reviews_written + more.reviews_written,
            );
            let had = earned_badges(&before);
            let has = earned_badges(&after);
            prop_assert!(had.iter().all(|badge| has.contains(badge)));
            // What was had plus what is new is exactly what is held now, with nothing twice.
            let mut union = had.clone();
            union.extend(newly_earned(&before, &after));
            union.sort();
            let mut sorted = has.clone();
            sorted.sort();
            prop_assert_eq!(union, sorted);
        }

        #[test]
        fn progress_never_earns_mentor_of_the_week(p in any_progress()) {
            prop_assert!(!earned_badges(&p).contains(&Badge::MentorOfTheWeek));
        }

        #[test]
        fn awarding_never_duplicates(picks in proptest::collection::vec(0usize..Badge::ALL.len(), 0..20)) {
            let candidates: Vec<Badge> = picks.iter().map(|&i| Badge::ALL[i]).collect();
            let now = DateTime::<Utc>::UNIX_EPOCH;
            let first = to_award(&[], &candidates[..candidates.len() / 2], now);
            let second = to_award(&first, &candidates, now);
            let mut all: Vec<Badge> = first.iter().chain(&second).map(|earned| earned.badge).collect();
            let count = all.len();
            all.sort();
            all.dedup();
            prop_assert_eq!(all.len(), count);
            prop_assert!(candidates.iter().all(|badge| all.contains(badge)));
        }
    }
}
