//! Streaks: consecutive active days, counted in the member's own time zone.
//!
//! The day an activity counts for is fixed when it happens ([`local_day`], with the zone the
//! member had then) and stored as a plain date, so changing time zone later never rewrites
//! past days, and [`Streak::record`] works on dates only.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::Timezone;

/// Most streak freezes a member can hold: enough to survive a weekend away, not enough to
/// make a streak mean nothing.
pub const MAX_FREEZES: u8 = 2;

/// A freeze is earned each time the streak reaches a multiple of this many days.
pub const FREEZE_EVERY: u32 = 7;

/// Streak lengths worth celebrating; each has a points rule and a badge.
pub const MILESTONES: [u32; 2] = [7, 30];

/// The local date of `instant` in `timezone`: the day an activity at `instant` counts for.
///
/// Call it once, when the activity happens, with the member's zone at that moment, and
/// store the date; never recompute it later from the instant.
pub fn local_day(instant: DateTime<Utc>, timezone: Timezone) -> NaiveDate {
    instant.with_timezone(&timezone).date_naive()
}

/// A member's streak of consecutive active days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Streak {
    /// Length of the running streak, in active days (days bridged by a freeze do not count).
    pub current: u32,
    /// Longest streak ever reached; never goes down.
    pub longest: u32,
    /// The last active day recorded, in the member's local dates.
    pub last_day: Option<NaiveDate>,
    /// Freezes held, at most [`MAX_FREEZES`]; each covers one missed day.
    pub freezes: u8,
}

/// What recording a day did to the streak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreakStep {
    /// Nothing: the day was already counted, or is before the last one counted.
    Unchanged,
    /// The member's first active day: a streak of 1.
    Started,
    /// The streak went on to the next day, spending `freezes_used` freezes on missed days.
    Continued {
        /// Freezes spent, one per missed day (0 when the day followed directly).
        freezes_used: u8,
    },
    /// Too many days were missed: the streak starts again at 1.
    Reset {
        /// The length of the streak that was lost.
        lost: u32,
    },
}

/// The outcome of [`Streak::record`], for points, badges and notifications to follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StreakChange {
    /// What happened to the streak.
    pub step: StreakStep,
    /// Whether a freeze was earned with this day.
    pub freeze_earned: bool,
    /// The milestone (one of [`MILESTONES`]) the streak reached with this day, if any.
    pub milestone: Option<u32>,
}

impl StreakChange {
    /// A day that changed nothing.
    const UNCHANGED: Self = Self { step: StreakStep::Unchanged, freeze_earned: false, milestone: None };

    /// Whether the streak changed, i.e. whether it must be saved.
    pub fn changed(&self) -> bool {
        self.step != StreakStep::Unchanged
    }
}

impl Streak {
    /// Counts `day`, the member's local date of an activity (see [`local_day`]).
    ///
    /// The same day again, or an earlier one (an event delivered late, or a zone change that
    /// moved the clock back), changes nothing, so redelivered events are harmless. The next
    /// day extends the streak. After missed days, one freeze per missed day keeps it going
    /// if enough are held; otherwise it restarts at 1 and the freezes are kept, since
    /// spending them would save nothing.
    pub fn record(&mut self, day: NaiveDate) -> StreakChange {
        let step = match self.last_day {
            None => {
                self.current = 1;
                StreakStep::Started
            }
            Some(last) => {
                let gap = day.signed_duration_since(last).num_days();
                if gap <= 0 {
                    return StreakChange::UNCHANGED;
                }
                match u8::try_from(gap - 1) {
                    Ok(missed) if missed <= self.freezes => {
                        self.freezes -= missed;
                        self.current = self.current.saturating_add(1);
                        StreakStep::Continued { freezes_used: missed }
                    }
                    _ => {
                        let lost = self.current;
                        self.current = 1;
                        StreakStep::Reset { lost }
                    }
                }
            }
        };
        self.last_day = Some(day);
        self.longest = self.longest.max(self.current);

        let freeze_earned = self.current.is_multiple_of(FREEZE_EVERY) && self.freezes < MAX_FREEZES;
        if freeze_earned {
            self.freezes += 1;
        }
        // The streak grows by exactly one per counted day, so reaching a milestone means
        // being equal to it; a later streak that reaches it again reports it again.
        let milestone = MILESTONES.contains(&self.current).then_some(self.current);
        StreakChange { step, freeze_earned, milestone }
    }

    /// The streak as it stands on `today` (the member's local date), for display: the
    /// running length while it can still go on (the missed days so far, not counting today,
    /// are covered by freezes), else 0. Nothing is stored until the next activity.
    pub fn current_on(&self, today: NaiveDate) -> u32 {
        let Some(last) = self.last_day else { return 0 };
        let missed = today.signed_duration_since(last).num_days() - 1;
        if missed <= i64::from(self.freezes) { self.current } else { 0 }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::Days;
    use proptest::prelude::*;

    fn day(n: u64) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap().checked_add_days(Days::new(n)).unwrap()
    }

    fn after(days: &[u64]) -> Streak {
        let mut streak = Streak::default();
        for &n in days {
            streak.record(day(n));
        }
        streak
    }

    #[test]
    fn consecutive_days_build_a_streak() {
        let mut streak = Streak::default();
        assert_eq!(streak.record(day(0)).step, StreakStep::Started);
        assert_eq!(streak.record(day(1)).step, StreakStep::Continued { freezes_used: 0 });
        assert_eq!(streak, Streak { current: 2, longest: 2, last_day: Some(day(1)), freezes: 0 });
    }

    #[test]
    fn the_same_or_an_earlier_day_changes_nothing() {
        let mut streak = after(&[0, 1, 2]);
        let before = streak;
        assert!(!streak.record(day(2)).changed());
        assert!(!streak.record(day(0)).changed());
        assert_eq!(streak, before);
    }

    #[test]
    fn a_missed_day_without_a_freeze_resets() {
        let mut streak = after(&[0, 1, 2]);
        let change = streak.record(day(4));
        assert_eq!(change.step, StreakStep::Reset { lost: 3 });
        assert_eq!((streak.current, streak.longest), (1, 3));
    }

    #[test]
    fn freezes_are_earned_every_seven_days_up_to_two() {
        let mut streak = after(&(0..6).collect::<Vec<_>>());
        assert_eq!(streak.freezes, 0);
        let change = streak.record(day(6));
        assert!(change.freeze_earned);
        assert_eq!(change.milestone, Some(7));
        assert_eq!(streak.freezes, 1);
        let streak = after(&(0..21).collect::<Vec<_>>());
        assert_eq!(streak.freezes, MAX_FREEZES);
    }

    #[test]
    fn freezes_cover_missed_days_one_each() {
        let mut streak = after(&(0..14).collect::<Vec<_>>());
        assert_eq!(streak.freezes, 2);
        // One missed day (day 14).
        assert_eq!(streak.record(day(15)).step, StreakStep::Continued { freezes_used: 1 });
        assert_eq!((streak.current, streak.freezes), (15, 1));

        let mut streak = after(&(0..14).collect::<Vec<_>>());
        // Two missed days (14 and 15), two freezes.
        assert_eq!(streak.record(day(16)).step, StreakStep::Continued { freezes_used: 2 });
        assert_eq!((streak.current, streak.freezes), (15, 0));

        let mut streak = after(&(0..14).collect::<Vec<_>>());
        // Three missed days, two freezes: reset, freezes kept.
        assert_eq!(streak.record(day(17)).step, StreakStep::Reset { lost: 14 });
        assert_eq!((streak.current, streak.longest, streak.freezes), (1, 14, 2));
    }

    #[test]
    fn milestones_are_reported_each_time_a_streak_reaches_them() {
        let mut streak = Streak::default();
        let milestones: Vec<u32> = (0..30).filter_map(|n| streak.record(day(n)).milestone).collect();
        assert_eq!(milestones, vec![7, 30]);
        // Wait out the freezes, then build again.
        let reached_again = (40..47).filter_map(|n| streak.record(day(n)).milestone).collect::<Vec<_>>();
        assert_eq!(reached_again, vec![7]);
        assert_eq!(streak.longest, 30);
    }

    #[test]
    fn the_day_is_fixed_in_the_members_zone() {
        let instant = DateTime::parse_from_rfc3339("2026-11-22T23:30:00Z").unwrap().to_utc();
        let madrid = Timezone::parse("Europe/Madrid").unwrap();
        let mexico = Timezone::parse("America/Mexico_City").unwrap();
        assert_eq!(local_day(instant, madrid), NaiveDate::from_ymd_opt(2026, 11, 23).unwrap());
        assert_eq!(local_day(instant, mexico), NaiveDate::from_ymd_opt(2026, 11, 22).unwrap());
    }

    #[test]
    fn moving_zones_never_rewrites_a_counted_day() {
        // 23:30 in Madrid counts for the 22nd; the member then moves to Mexico City, where
        // their next activity is on the 22nd local: already counted, so nothing changes.
        let madrid = Timezone::parse("Europe/Madrid").unwrap();
        let mexico = Timezone::parse("America/Mexico_City").unwrap();
        let first = DateTime::parse_from_rfc3339("2026-11-22T22:30:00Z").unwrap().to_utc();
        let mut streak = Streak::default();
        streak.record(local_day(first, madrid));
        let before = streak;
        let later = first + chrono::TimeDelta::hours(3);
        assert!(!streak.record(local_day(later, mexico)).changed());
        assert_eq!(streak, before);
    }

    #[test]
    fn current_on_shows_a_broken_streak_as_zero() {
        let streak = after(&[0, 1, 2]);
        assert_eq!(streak.current_on(day(2)), 3);
        assert_eq!(streak.current_on(day(3)), 3, "still alive until today ends");
        assert_eq!(streak.current_on(day(4)), 0);
        let held = Streak { freezes: 1, ..streak };
        assert_eq!(held.current_on(day(4)), 3);
        assert_eq!(Streak::default().current_on(day(0)), 0);
    }

    #[test]
    fn huge_gaps_and_counts_do_not_overflow() {
        let mut streak = Streak { current: u32::MAX, longest: u32::MAX, last_day: Some(day(0)), freezes: 2 };
        streak.record(day(1));
        assert_eq!(streak.current, u32::MAX);
        let mut streak = after(&[0]);
        assert_eq!(streak.record(NaiveDate::MAX).step, StreakStep::Reset { lost: 1 });
    }

    /// A consistent stored state: longest >= current, freezes within bounds, and no streak
    /// without a last day.
    fn state() -> impl Strategy<Value = Streak> {
        (0u32..60, 0u32..60, proptest::option::of(0u64..30), 0..=MAX_FREEZES).prop_map(
            |(current, extra, last, freezes)| match last {
                Some(n) => {
                    Streak { current: current.max(1), longest: current.max(1) + extra, last_day: Some(day(n)), freezes }
                }
                None => Streak { current: 0, longest: extra, last_day: None, freezes },
            },
        )
    }

    /// Days around the state's last day, so repeats, gaps and late days all occur.
    fn days() -> impl Strategy<Value = Vec<u64>> {
        proptest::collection::vec(0u64..60, 0..80)
    }

    proptest! {
        #[test]
        fn invariants_hold_after_any_days(start in state(), days in days()) {
            let mut streak = start;
            for n in days {
                let before = streak;
                let change = streak.record(day(n));
                prop_assert!(streak.longest >= streak.current);
                prop_assert!(streak.freezes <= MAX_FREEZES);
                prop_assert!(streak.longest >= before.longest);
                prop_assert!(streak.last_day >= before.last_day);
                prop_assert_eq!(change.changed(), streak != before);
            }
        }

        #[test]
        fn recording_is_deterministic(start in state(), days in days()) {
            let (mut a, mut b) = (start, start);
            let changes_a: Vec<_> = days.iter().map(|&n| a.record(day(n))).collect();
            let changes_b: Vec<_> = days.iter().map(|&n| b.record(day(n))).collect();
            prop_assert_eq!(a, b);
            prop_assert_eq!(changes_a, changes_b);
        }

        #[test]
        fn consecutive_days_count_one_each(first in 0u64..1000, count in 1u64..100) {
            let streak = after(&(first..first + count).collect::<Vec<_>>());
            prop_assert_eq!(u64::from(streak.current), count);
            prop_assert_eq!(streak.longest, streak.current);
            prop_assert_eq!(u64::from(streak.freezes), (count / u64::from(FREEZE_EVERY)).min(u64::from(MAX_FREEZES)));
        }

        #[test]
        fn recording_a_day_twice_is_the_same_as_once(start in state(), n in 0u64..60) {
            let mut once = start;
            once.record(day(n));
            let mut twice = once;
            prop_assert!(!twice.record(day(n)).changed());
            prop_assert_eq!(once, twice);
        }
    }
}
