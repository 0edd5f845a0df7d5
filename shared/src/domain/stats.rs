//! Platform stats, as pure rules: which committed change moves which counter, and the
//! figures an admin reads back.
//!
//! Counters are kept by the table's stream consumer (`award-points`), never by scanning:
//! totals (members by role and status, verifications pending) live in one item, activity
//! (sessions by what happened to them, messages) in one item per ISO week and one per
//! month, in UTC, the leaderboards' periods ([`LeaderboardPeriod`]).

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::gamification::LeaderboardPeriod;
use super::payments::{MoneyMoves, PaymentFigures};
use super::{AccountStatus, Committed, Role, Roles, SessionState};

/// What a member is counted as: their roles and whether they are active.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Membership {
    /// Every role held.
    pub roles: Roles,
    /// Active or suspended.
    pub status: AccountStatus,
}

/// A counter kept for all time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Total {
    /// Members holding a role (a member with two roles counts under both).
    Members(Role),
    /// Members in a status.
    MembersWith(AccountStatus),
    /// Verification requests waiting for an admin.
    VerificationsPending,
}

impl Total {
    /// Every total, in the order they are shown.
    pub const ALL: [Total; 6] = [
        Total::Members(Role::Learner),
        Total::Members(Role::Mentor),
        Total::Members(Role::Admin),
        Total::MembersWith(AccountStatus::Active),
        Total::MembersWith(AccountStatus::Suspended),
        Total::VerificationsPending,
    ];

    /// The counter's stable name (the counter item's attribute).
    pub const fn name(self) -> &'static str {
        match self {
            Total::Members(Role::Learner) => "members_learner",
            Total::Members(Role::Mentor) => "members_mentor",
            Total::Members(Role::Admin) => "members_admin",
            Total::MembersWith(AccountStatus::Active) => "members_active",
            Total::MembersWith(AccountStatus::Suspended) => "members_suspended",
            Total::VerificationsPending => "verifications_pending",
        }
    }
}

/// Something that happened, counted in the week and the month it happened in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activity {
    /// A learner asked for a session.
    SessionRequested,
    /// A session was confirmed.
    SessionConfirmed,
    /// A session took place.
    SessionCompleted,
    /// A request or a confirmed session was called off.
    SessionCancelled,
    /// A chat message was stored.
    MessageSent,
}

impl Activity {
    /// Every activity, in the order they are shown.
    pub const ALL: [Activity; 5] = [
        Activity::SessionRequested,
        Activity::SessionConfirmed,
        Activity::SessionCompleted,
        Activity::SessionCancelled,
        Activity::MessageSent,
    ];

    /// The counter's stable name (the period item's attribute).
    pub const fn name(self) -> &'static str {
        match self {
            Activity::SessionRequested => "sessions_requested",
            Activity::SessionConfirmed => "sessions_confirmed",
            Activity::SessionCompleted => "sessions_completed",
            Activity::SessionCancelled => "sessions_cancelled",
            Activity::MessageSent => "messages",
        }
    }

    /// The activity of a session entering `state`, if that is one the stats count.
    const fn of_session(state: SessionState) -> Option<Self> {
        match state {
            SessionState::Requested => Some(Activity::SessionRequested),
            SessionState::Confirmed => Some(Activity::SessionConfirmed),
            SessionState::Completed => Some(Activity::SessionCompleted),
            SessionState::Cancelled => Some(Activity::SessionCancelled),
            _ => None,
        }
    }
}

/// What one committed change does to the counters: totals moved either way, and at most
/// one activity at the instant it happened.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tally {
    /// Totals and how far each moves (never zero).
    pub totals: Vec<(Total, i64)>,
    /// What happened and when (the item's own time, stamped by the app's clock).
    pub activity: Option<(Activity, DateTime<Utc>)>,
    /// Payment figures a ledger entry moved, and when it was written.
    pub money: Option<MoneyMoves>,
}

impl Tally {
    /// Whether the change moves no counter.
    pub fn is_empty(&self) -> bool {
        self.totals.is_empty()
            && self.activity.is_none()
            && self.money.as_ref().is_none_or(|moves| moves.figures.is_empty())
    }

    /// What `change` counts. Changes that move nothing (a profile edit, a reschedule, a
    /// review) give an empty tally.
    pub fn of(change: &Committed) -> Self {
        match change {
            Committed::MemberJoined(member) => Self::totals(membership_moves(None, Some(*member))),
            Committed::MemberChanged { before, after } => Self::totals(membership_moves(Some(*before), Some(*after))),
            Committed::VerificationMoved { was_pending, is_pending } => {
                Self::totals(vec![(Total::VerificationsPending, i64::from(*is_pending) - i64::from(*was_pending))])
            }
            Committed::SessionRequested(booking) => {
                Self::happened(Activity::of_session(booking.state), booking.requested_at)
            }
            Committed::SessionMoved { before, after } if before.state != after.state => {
                Self::happened(Activity::of_session(after.state), after.updated_at)
            }
            Committed::MessageSent { at } => Self::happened(Some(Activity::MessageSent), *at),
            Committed::MoneyMoved(moves) => Self { money: Some(moves.clone()), ..Self::default() },
            _ => Self::default(),
        }
    }

    fn totals(moves: Vec<(Total, i64)>) -> Self {
        Self { totals: moves.into_iter().filter(|(_, by)| *by != 0).collect(), ..Self::default() }
    }

    fn happened(activity: Option<Activity>, at: DateTime<Utc>) -> Self {
        Self { activity: activity.map(|activity| (activity, at)), ..Self::default() }
    }
}

/// How each total moves when a member goes from `before` to `after` (`None`: not a member).
fn membership_moves(before: Option<Membership>, after: Option<Membership>) -> Vec<(Total, i64)> {
    let held = |member: Option<Membership>, total: Total| {
        i64::from(member.is_some_and(|m| match total {
            Total::Members(role) => m.roles.contains(role),
            Total::MembersWith(status) => m.status == status,
            Total::VerificationsPending => false,
        }))
    };
    Total::ALL.iter().map(|&total| (total, held(after, total) - held(before, total))).collect()
}

/// Which counter item a figure is read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StatsScope {
    /// The all-time totals.
    Totals,
    /// One week's or month's activity.
    Period(LeaderboardPeriod),
}

/// The values of one counter item, by counter name; a counter never moved reads 0.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counts(Vec<(String, i64)>);

impl Counts {
    /// The counts read from an item's attributes.
    pub fn from_pairs(pairs: impl IntoIterator<Item = (String, i64)>) -> Self {
        Self(pairs.into_iter().collect())
    }

    /// The value of the counter named `name`.
    pub fn get(&self, name: &str) -> i64 {
        self.0.iter().find(|(n, _)| n == name).map_or(0, |(_, value)| *value)
    }
}

/// Members by role.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MembersByRole {
    /// Members who learn.
    pub learner: i64,
    /// Members who mentor.
    pub mentor: i64,
    /// Admins.
    pub admin: i64,
}

/// Members by account status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MembersByStatus {
    /// Members who may use the platform.
    pub active: i64,
    /// Members an admin suspended.
    pub suspended: i64,
}

/// Members, counted by role (a member with two roles counts under both) and by status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MemberCounts {
    /// By role.
    pub by_role: MembersByRole,
    /// By status.
    pub by_status: MembersByStatus,
}

/// Sessions by what happened to them in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct SessionCounts {
    /// Requests made.
    pub requested: i64,
    /// Sessions confirmed.
    pub confirmed: i64,
    /// Sessions that took place.
    pub completed: i64,
    /// Requests and sessions called off.
    pub cancelled: i64,
}

/// What happened in one week or month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PeriodActivity {
    /// The period: an ISO week (`2026-W24`) or a month (`2026-06`), in UTC.
    #[schema(value_type = String, example = "2026-W24")]
    pub period: LeaderboardPeriod,
    /// Sessions.
    pub sessions: SessionCounts,
    /// Chat messages sent.
    pub messages: i64,
    /// Payments.
    pub payments: PaymentFigures,
}

impl PeriodActivity {
    /// The activity of `period` from its counter item.
    pub fn read(period: LeaderboardPeriod, counts: &Counts) -> Self {
        Self {
            period,
            sessions: SessionCounts {
                requested: counts.get(Activity::SessionRequested.name()),
                confirmed: counts.get(Activity::SessionConfirmed.name()),
                completed: counts.get(Activity::SessionCompleted.name()),
                cancelled: counts.get(Activity::SessionCancelled.name()),
            },
            messages: counts.get(Activity::MessageSent.name()),
            payments: PaymentFigures::read(period, counts),
        }
    }
}

/// The platform's figures as of an instant: GET /admin/stats.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PlatformStats {
    /// The instant the current week and month are taken from.
    pub as_of: DateTime<Utc>,
    /// Members.
    pub members: MemberCounts,
    /// Verification requests waiting for an admin.
    pub verifications_pending: i64,
    /// This ISO week (Monday 00:00 UTC on).
    pub week: PeriodActivity,
    /// This calendar month (the 1st 00:00 UTC on).
    pub month: PeriodActivity,
}

impl PlatformStats {
    /// The counter items to read for the figures as of `now`: totals, this week, this month.
    pub fn scopes(now: DateTime<Utc>) -> [StatsScope; 3] {
        [
            StatsScope::Totals,
            StatsScope::Period(LeaderboardPeriod::week_of(now)),
            StatsScope::Period(LeaderboardPeriod::month_of(now)),
        ]
    }

    /// The figures as of `now` from the items of [`PlatformStats::scopes`], in that order.
    pub fn read(now: DateTime<Utc>, [totals, week, month]: [&Counts; 3]) -> Self {
        let total = |t: Total| totals.get(t.name());
        Self {
            as_of: now,
            members: MemberCounts {
                by_role: MembersByRole {
                    learner: total(Total::Members(Role::Learner)),
                    mentor: total(Total::Members(Role::Mentor)),
                    admin: total(Total::Members(Role::Admin)),
                },
                by_status: MembersByStatus {
                    active: total(Total::MembersWith(AccountStatus::Active)),
                    suspended: total(Total::MembersWith(AccountStatus::Suspended)),
                },
            },
            verifications_pending: total(Total::VerificationsPending),
            week: PeriodActivity::read(LeaderboardPeriod::week_of(now), week),
            month: PeriodActivity::read(LeaderboardPeriod::month_of(now), month),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::domain::{Booking, SessionId, SessionLength, ShortText, Slot, SlotStart, UserId};

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn member(roles: Roles, status: AccountStatus) -> Membership {
        Membership { roles, status }
    }

    fn booking(state: SessionState, updated: &str) -> Booking {
        let start = SlotStart::new(at("2026-06-20T15:00:00Z")).unwrap();
        let slot = Slot::new(start, SessionLength::from_minutes(60).unwrap());
        let (learner, mentor) = (UserId::new(ulid::Ulid(1)), UserId::new(ulid::Ulid(2)));
        let topic = ShortText::parse("Lifetimes").unwrap();
        let requested_at = at("2026-06-14T23:59:00Z");
        let mut booking =
            Booking::request(SessionId::new(ulid::Ulid(42)), learner, mentor, slot, topic, None, requested_at).unwrap();
        booking.state = state;
        booking.updated_at = at(updated);
        booking
    }

    #[test]
    fn a_new_member_counts_under_each_role_and_their_status() {
        let both = Roles::only(Role::Learner).with(Role::Mentor);
        let tally = Tally::of(&Committed::MemberJoined(member(both, AccountStatus::Active)));
        assert_eq!(
            tally.totals,
            [
                (Total::Members(Role::Learner), 1),
                (Total::Members(Role::Mentor), 1),
                (Total::MembersWith(AccountStatus::Active), 1)
            ]
        );
        assert_eq!(tally.activity, None);
    }

    #[test]
    fn a_suspension_moves_a_member_between_statuses_and_an_edit_moves_nothing() {
        let learner = Roles::only(Role::Learner);
        let (active, suspended) = (member(learner, AccountStatus::Active), member(learner, AccountStatus::Suspended));
        let tally = Tally::of(&Committed::MemberChanged { before: active, after: suspended });
        assert_eq!(
            tally.totals,
            [(Total::MembersWith(AccountStatus::Active), -1), (Total::MembersWith(AccountStatus::Suspended), 1)]
        );
        assert!(Tally::of(&Committed::MemberChanged { before: active, after: active }).is_empty());
        let admin = member(learner.with(Role::Admin), AccountStatus::Active);
        assert_eq!(
            Tally::of(&Committed::MemberChanged { before: active, after: admin }).totals,
            [(Total::Members(Role::Admin), 1)]
        );
    }

    #[test]
    fn verifications_count_while_pending() {
        let moved = |was_pending, is_pending| Tally::of(&Committed::VerificationMoved { was_pending, is_pending });
        assert_eq!(moved(false, true).totals, [(Total::VerificationsPending, 1)]);
        assert_eq!(moved(true, false).totals, [(Total::VerificationsPending, -1)]);
        assert!(moved(true, true).is_empty());
        assert!(moved(false, false).is_empty());
    }

    #[test]
    fn sessions_count_what_they_entered_when_they_entered_it() {
        let requested = booking(SessionState::Requested, "2026-06-14T23:59:00Z");
        let tally = Tally::of(&Committed::SessionRequested(Box::new(requested.clone())));
        assert_eq!(tally.activity, Some((Activity::SessionRequested, requested.requested_at)));
        for (state, activity) in [
            (SessionState::Confirmed, Some(Activity::SessionConfirmed)),
            (SessionState::Completed, Some(Activity::SessionCompleted)),
            (SessionState::Cancelled, Some(Activity::SessionCancelled)),
            (SessionState::Rejected, None),
            (SessionState::Expired, None),
            (SessionState::NoShow, None),
        ] {
            let after = booking(state, "2026-06-15T00:00:00Z");
            let moved = Committed::SessionMoved { before: Box::new(requested.clone()), after: Box::new(after) };
            assert_eq!(Tally::of(&moved).activity, activity.map(|a| (a, at("2026-06-15T00:00:00Z"))), "{state:?}");
        }
        // A reschedule (same state) counts nothing.
        let confirmed = booking(SessionState::Confirmed, "2026-06-15T00:00:00Z");
        let same = Committed::SessionMoved { before: Box::new(confirmed.clone()), after: Box::new(confirmed) };
        assert!(Tally::of(&same).is_empty());
    }

    #[test]
    fn the_figures_read_the_current_week_and_month() {
        // Sunday night, the last of May: both the week and the month turn at midnight.
        let now = at("2026-05-31T23:59:59Z");
        assert_eq!(
            PlatformStats::scopes(now),
            [
                StatsScope::Totals,
                StatsScope::Period(LeaderboardPeriod::parse("2026-W22").unwrap()),
                StatsScope::Period(LeaderboardPeriod::parse("2026-05").unwrap()),
            ]
        );
        let next = at("2026-06-01T00:00:00Z");
        assert_eq!(PlatformStats::scopes(next)[1], StatsScope::Period(LeaderboardPeriod::parse("2026-W23").unwrap()));
        let totals = Counts::from_pairs([("members_mentor".to_owned(), 3), ("verifications_pending".to_owned(), 2)]);
        let week = Counts::from_pairs([("messages".to_owned(), 7), ("unknown".to_owned(), 9)]);
        let stats = PlatformStats::read(now, [&totals, &week, &Counts::default()]);
        assert_eq!((stats.members.by_role.mentor, stats.members.by_role.learner), (3, 0));
        assert_eq!(stats.verifications_pending, 2);
        assert_eq!((stats.week.messages, stats.month.messages), (7, 0));
        assert_eq!(stats.month.period.to_string(), "2026-05");
    }

    fn any_membership() -> impl Strategy<Value = Membership> {
        (1u8..8, any::<bool>()).prop_map(|(bits, suspended)| {
            let mut roles: Option<Roles> = None;
            for (bit, role) in [(1, Role::Learner), (2, Role::Mentor), (4, Role::Admin)] {
                if bits & bit != 0 {
                    roles = Some(roles.map_or(Roles::only(role), |r| r.with(role)));
                }
            }
            let status = if suspended { AccountStatus::Suspended } else { AccountStatus::Active };
            member(roles.unwrap_or(Roles::only(Role::Learner)), status)
        })
    }

    proptest! {
        #[test]
        fn member_changes_add_up_to_the_last_state(states in proptest::collection::vec(any_membership(), 1..8)) {
            // Joining, then every change in turn, leaves exactly the last state counted.
            let mut sums = std::collections::HashMap::new();
            let mut add = |tally: Tally| for (total, by) in tally.totals {
                *sums.entry(total.name()).or_insert(0) += by;
            };
            add(Tally::of(&Committed::MemberJoined(states[0])));
            for pair in states.windows(2) {
                add(Tally::of(&Committed::MemberChanged { before: pair[0], after: pair[1] }));
            }
            let last = states[states.len() - 1];
            for total in Total::ALL {
                let expected = i64::from(match total {
                    Total::Members(role) => last.roles.contains(role),
                    Total::MembersWith(status) => last.status == status,
                    Total::VerificationsPending => false,
                });
                prop_assert_eq!(sums.get(total.name()).copied().unwrap_or(0), expected);
            }
        }
    }
}
