//! Points: what earns them, how many, and the anti-gaming checks that come first.
//!
//! Every amount lives in [`RULES`], one row per source with a line saying why, so the whole
//! economy can be read (and changed) in one place. The functions here only decide amounts
//! and eligibility; awarding each occurrence exactly once, and only after the event's own
//! write committed, is the ledger's job (a conditional write keyed by member, source and
//! the occurrence, e.g. the session id), because only storage can make that atomic.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::{Party, UserId};

/// Most points a member can get from repeatable actions in one day (their local day, the
/// same day a streak counts): enough for a full day of real sessions, too little to make
/// farming worth it. One-off awards (first session, milestones) are not capped.
pub const DAILY_REPEATABLE_CAP: i64 = 200;

/// How soon a mentor must answer a session request for it to count as a fast response.
pub const FAST_RESPONSE_WINDOW: TimeDelta = TimeDelta::hours(1);

/// Something that earns (or, for a correction, removes) points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PointsSource {
    /// The member mentored a session that completed.
    SessionCompletedAsMentor,
    /// The member learned in a session that completed.
    SessionCompletedAsLearner,
    /// The member's first completed session, in either role.
    FirstSession,
    /// The member reviewed a completed session.
    ReviewWritten,
    /// The member was reviewed for a completed session.
    ReviewReceived,
    /// The member, as mentor, answered a session request within [`FAST_RESPONSE_WINDOW`].
    FastResponse,
    /// The member's streak reached `days` consecutive active days.
    StreakMilestone {
        /// The streak length reached.
        days: u32,
    },
    /// An admin added or removed points by hand; the amount is the admin's, not the table's.
    AdminCorrection,
}

impl PointsSource {
    /// A stable name for the kind of source (without the milestone's days), e.g.
    /// `"session_completed_as_mentor"`; matches the serialised `kind` tag.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::SessionCompletedAsMentor => "session_completed_as_mentor",
            Self::SessionCompletedAsLearner => "session_completed_as_learner",
            Self::FirstSession => "first_session",
            Self::ReviewWritten => "review_written",
            Self::ReviewReceived => "review_received",
            Self::FastResponse => "fast_response",
            Self::StreakMilestone { .. } => "streak_milestone",
            Self::AdminCorrection => "admin_correction",
        }
    }

    /// The source for completing a session on `side`.
    pub const fn session_completed(side: Party) -> Self {
        match side {
            Party::Mentor => Self::SessionCompletedAsMentor,
            Party::Learner => Self::SessionCompletedAsLearner,
        }
    }
}

/// One row of the points table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// What earns the points.
    pub source: PointsSource,
    /// How many points one occurrence earns before the daily cap.
    pub points: i64,
    /// Whether it can happen again and again, and so counts toward [`DAILY_REPEATABLE_CAP`].
    pub repeatable: bool,
    /// Why it earns this much, for people reading or tuning the table.
    pub doc: &'static str,
}

/// Every source of points and its amount. A source missing here earns nothing (a streak
/// day that is not a milestone, for instance).
pub const RULES: &[Rule] = &[
    Rule {
        source: PointsSource::SessionCompletedAsMentor,
        points: 50,
        repeatable: true,
        doc: "Mentoring is the scarce side of the platform, so it pays the most per session.",
    },
    Rule {
        source: PointsSource::SessionCompletedAsLearner,
        points: 30,
        repeatable: true,
        doc: "Turning up and finishing a session as a learner.",
    },
    Rule {
        source: PointsSource::FirstSession,
        points: 100,
        repeatable: false,
        doc: "A one-off welcome bonus for the first completed session in any role, on top of the session's own points.",
    },
    Rule {
        source: PointsSource::ReviewWritten,
        points: 10,
        repeatable: true,
        doc: "Reviews keep matching honest; small, so writing them is not a points farm.",
    },
    Rule {
        source: PointsSource::ReviewReceived,
        points: 5,
        repeatable: true,
        doc: "Flat whatever the rating: paying for stars would reward review-trading between friends.",
    },
    Rule {
        source: PointsSource::FastResponse,
        points: 15,
        repeatable: true,
        doc: "A mentor answering a request within an hour, so learners are not left waiting.",
    },
    Rule {
        source: PointsSource::StreakMilestone { days: 7 },
        points: 50,
        repeatable: false,
        doc: "A week of daily activity; earned again each time a new streak reaches it.",
    },
    Rule {
        source: PointsSource::StreakMilestone { days: 30 },
        points: 200,
        repeatable: false,
        doc: "A month of daily activity; earned again each time a new streak reaches it.",
    },
    Rule {
        source: PointsSource::AdminCorrection,
        points: 0,
        repeatable: false,
        doc: "The amount is whatever the admin sets (negative to take points back); never capped.",
    },
];

/// The table's row for `source`, if it has one.
pub fn rule(source: PointsSource) -> Option<&'static Rule> {
    RULES.iter().find(|rule| rule.source == source)
}

/// The points one occurrence of `source` earns, given the repeatable points the member
/// already got that day: the table's amount, capped for repeatable sources; zero for a
/// source without a row. Admin corrections carry their own amount and do not come here.
pub fn points_for(source: PointsSource, repeatable_today: i64) -> i64 {
    match rule(source) {
        Some(rule) if rule.repeatable => capped_award(rule.points, repeatable_today),
        Some(rule) => rule.points,
        None => 0,
    }
}

/// How much of a repeatable award of `points` still fits under [`DAILY_REPEATABLE_CAP`]
/// when the member already got `already_today` repeatable points that day: `0..=points`,
/// so the day's total lands exactly on the cap rather than losing the whole award.
///
/// A non-positive `points` is returned unchanged: a cap limits gains, never deductions.
pub fn capped_award(points: i64, already_today: i64) -> i64 {
    if points <= 0 {
        return points;
    }
    // Saturating, so absurd stored counters cannot overflow into a huge award.
    let room = DAILY_REPEATABLE_CAP.saturating_sub(already_today).max(0);
    points.min(room)
}

/// Whether a session earns points: it really completed, and between two different people
/// (booking oneself must never pay).
pub fn session_counts(mentor: &UserId, learner: &UserId, completed: bool) -> bool {
    completed && mentor != learner
}

/// Whether a review earns points (for its author and its subject): it is about a session
/// that counts, and written by one participant about the other.
pub fn review_counts(
    author: &UserId,
    subject: &UserId,
    mentor: &UserId,
    learner: &UserId,
    session_completed: bool,
) -> bool {
    let between_the_two = (author == mentor && subject == learner) || (author == learner && subject == mentor);
    session_counts(mentor, learner, session_completed) && between_the_two
}

/// Whether a mentor's answer to a request is a fast response: from someone else, and at
/// most [`FAST_RESPONSE_WINDOW`] after the request (an answer stamped before the request,
/// which only clock trouble could cause, does not count).
pub fn fast_response_counts(
    mentor: &UserId,
    learner: &UserId,
    requested_at: DateTime<Utc>,
    answered_at: DateTime<Utc>,
) -> bool {
    let waited = answered_at.signed_duration_since(requested_at);
    mentor != learner && waited >= TimeDelta::zero() && waited <= FAST_RESPONSE_WINDOW
}

/// What a member earns for a session that counts (see [`session_counts`]), given their
/// side and how many sessions they had completed before it, in either role.
pub fn session_sources(side: Party, completed_before: u32) -> Vec<PointsSource> {
    let mut sources = vec![PointsSource::session_completed(side)];
    if completed_before == 0 {
        sources.push(PointsSource::FirstSession);
    }
    sources
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::gamification::streak::MILESTONES;
    use proptest::prelude::*;
    use ulid::Ulid;

    fn user(n: u128) -> UserId {
        UserId::new(Ulid(n))
    }

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    #[test]
    fn every_source_has_exactly_one_row() {
        let fixed = [
            PointsSource::SessionCompletedAsMentor,
            PointsSource::SessionCompletedAsLearner,
            PointsSource::FirstSession,
            PointsSource::ReviewWritten,
            PointsSource::ReviewReceived,
            PointsSource::FastResponse,
            PointsSource::AdminCorrection,
        ];
        let milestones = MILESTONES.map(|days| PointsSource::StreakMilestone { days });
        for source in fixed.into_iter().chain(milestones) {
            assert_eq!(RULES.iter().filter(|rule| rule.source == source).count(), 1, "{source:?}");
        }
        assert_eq!(RULES.len(), fixed.len() + milestones.len(), "a row for a source nothing produces");
    }

    #[test]
    fn the_table_is_sane() {
        for rule in RULES {
            assert!(!rule.doc.trim().is_empty(), "{:?}", rule.source);
            assert!(rule.points >= 0, "{:?}", rule.source);
            if rule.repeatable {
                // A repeatable award bigger than the cap could never be paid in full.
                assert!(rule.points > 0 && rule.points <= DAILY_REPEATABLE_CAP, "{:?}", rule.source);
            }
        }
        assert_eq!(rule(PointsSource::SessionCompletedAsMentor).unwrap().points, 50);
        assert_eq!(rule(PointsSource::StreakMilestone { days: 30 }).unwrap().points, 200);
    }

    #[test]
    fn the_cap_fills_up_exactly() {
        assert_eq!(points_for(PointsSource::SessionCompletedAsMentor, 0), 50);
        assert_eq!(points_for(PointsSource::SessionCompletedAsMentor, 180), 20);
        assert_eq!(points_for(PointsSource::SessionCompletedAsMentor, 200), 0);
        assert_eq!(points_for(PointsSource::SessionCompletedAsMentor, 250), 0);
        assert_eq!(capped_award(50, i64::MIN), 50);
        assert_eq!(capped_award(50, i64::MAX), 0);
        assert_eq!(capped_award(-30, 500), -30);
    }

    #[test]
    fn one_off_awards_ignore_the_cap() {
        assert_eq!(points_for(PointsSource::FirstSession, 200), 100);
        assert_eq!(points_for(PointsSource::StreakMilestone { days: 7 }, 200), 50);
    }

    #[test]
    fn sources_without_a_row_earn_nothing() {
        assert_eq!(points_for(PointsSource::StreakMilestone { days: 8 }, 0), 0);
        assert_eq!(points_for(PointsSource::AdminCorrection, 0), 0);
    }

    #[test]
    fn only_real_sessions_between_two_people_count() {
        assert!(session_counts(&user(1), &user(2), true));
        assert!(!session_counts(&user(1), &user(2), false));
        assert!(!session_counts(&user(1), &user(1), true));
    }

    #[test]
    fn only_reviews_of_real_sessions_by_a_participant_count() {
        let (mentor, learner, stranger) = (user(1), user(2), user(3));
        assert!(review_counts(&learner, &mentor, &mentor, &learner, true));
        assert!(review_counts(&mentor, &learner, &mentor, &learner, true));
        // The session never happened (cancelled, no-show, still requested...).
        assert!(!review_counts(&learner, &mentor, &mentor, &learner, false));
        // Not by or about the participants, or about oneself.
        assert!(!review_counts(&stranger, &mentor, &mentor, &learner, true));
        assert!(!review_counts(&learner, &stranger, &mentor, &learner, true));
        assert!(!review_counts(&learner, &learner, &mentor, &learner, true));
        // A self-booked session counts for nothing, reviews included.
        assert!(!review_counts(&mentor, &mentor, &mentor, &mentor, true));
    }

    #[test]
    fn fast_means_within_the_hour() {
        let asked = at("2026-11-18T09:00:00Z");
        let (mentor, learner) = (user(1), user(2));
        assert!(fast_response_counts(&mentor, &learner, asked, asked + TimeDelta::minutes(5)));
        assert!(fast_response_counts(&mentor, &learner, asked, asked + TimeDelta::hours(1)));
        assert!(!fast_response_counts(&mentor, &learner, asked, asked + TimeDelta::minutes(61)));
        assert!(!fast_response_counts(&mentor, &learner, asked, asked - TimeDelta::seconds(1)));
        assert!(!fast_response_counts(&mentor, &mentor, asked, asked));
    }

    #[test]
    fn the_first_session_adds_a_bonus_once() {
        assert_eq!(
            session_sources(Party::Learner, 0),
            vec![PointsSource::SessionCompletedAsLearner, PointsSource::FirstSession]
        );
        assert_eq!(session_sources(Party::Mentor, 3), vec![PointsSource::SessionCompletedAsMentor]);
    }

    #[test]
    fn serialised_sources_are_tagged() {
        let json = serde_json::to_string(&PointsSource::StreakMilestone { days: 7 }).unwrap();
        assert_eq!(json, r#"{"kind":"streak_milestone","days":7}"#);
        assert_eq!(serde_json::from_str::<PointsSource>(&json).unwrap(), PointsSource::StreakMilestone { days: 7 });
        for rule in RULES {
            let value = serde_json::to_value(rule.source).unwrap();
            assert_eq!(value["kind"], rule.source.as_str());
        }
    }

    proptest! {
        #[test]
        fn a_day_never_passes_the_cap(awards in proptest::collection::vec(0usize..RULES.len(), 0..40)) {
            let mut repeatable_today = 0;
            for index in awards {
                let rule = &RULES[index];
                let points = points_for(rule.source, repeatable_today);
                prop_assert!((0..=rule.points).contains(&points));
                if rule.repeatable {
                    repeatable_today += points;
                }
                prop_assert!(repeatable_today <= DAILY_REPEATABLE_CAP);
            }
        }

        #[test]
        fn capped_award_is_within_bounds(points in 0i64..1_000, already in any::<i64>()) {
            let award = capped_award(points, already);
            prop_assert!((0..=points).contains(&award));
            if (0..=DAILY_REPEATABLE_CAP).contains(&already) {
                prop_assert!(already + award <= DAILY_REPEATABLE_CAP);
                // Nothing is withheld while there is room for it.
                prop_assert_eq!(award, points.min(DAILY_REPEATABLE_CAP - already));
            }
        }

        #[test]
        fn sessions_with_oneself_never_count(n in any::<u128>(), completed in any::<bool>()) {
            prop_assert!(!session_counts(&user(n), &user(n), completed));
        }
    }
}
