//! Abuse limits: fixed-window quotas on sign-in guesses and on writes that notify others.
//!
//! Every number is in [`Limits::default`]; docs/ARCHITECTURE.md lists them with their
//! reasons. A quota is counted per scope (an address, a source network, a learner-mentor
//! pair, a member) in fixed windows aligned to the Unix epoch, so every writer computes the
//! same window for the same instant and a counter is one item per (kind, scope, window).

use chrono::{DateTime, Duration, Utc};

use super::{Email, PhoneNumber, SourceAddress, UserId};

/// Which limit a quota is; its name appears in 429 answers and in counter keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LimitKind {
    /// Sign-in guesses per email address (known or not).
    LoginPerAddress,
    /// Sign-in guesses per source network, across addresses.
    LoginPerSource,
    /// Session requests from one learner to one mentor.
    SessionRequestsPerPair,
    /// Session requests from one learner, to anyone.
    SessionRequestsPerLearner,
    /// Chat messages sent by one member.
    MessagesPerMember,
    /// Reports by one member about one other member.
    ReportsPerPair,
    /// Mails with a link (confirmation, reset, address change) to one member or address.
    LinkMailsPerAddress,
    /// Password-reset requests from one source network, across addresses.
    ResetsPerSource,
    /// Texted codes to one member, per UTC day.
    TextsPerMember,
    /// Texted codes to one number, per UTC day (counted for unknown numbers too).
    TextsPerNumber,
    /// Texted codes by the whole platform, per UTC day: the SMS-pumping fuse.
    TextsPerPlatform,
    /// A new code within a minute of the last one.
    TextResend,
    /// Phone sign-in codes asked for from one source network.
    PhoneSignInsPerSource,
}

impl LimitKind {
    /// The stable, machine-readable name (`login_per_address`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::LoginPerAddress => "login_per_address",
            Self::LoginPerSource => "login_per_source",
            Self::SessionRequestsPerPair => "session_requests_per_pair",
            Self::SessionRequestsPerLearner => "session_requests_per_learner",
            Self::MessagesPerMember => "messages_per_member",
            Self::ReportsPerPair => "reports_per_pair",
            Self::LinkMailsPerAddress => "link_mails_per_address",
            Self::ResetsPerSource => "resets_per_source",
            Self::TextsPerMember => "texts_per_member",
            Self::TextsPerNumber => "texts_per_number",
            Self::TextsPerPlatform => "texts_per_platform",
            Self::TextResend => "text_resend",
            Self::PhoneSignInsPerSource => "phone_sign_ins_per_source",
        }
    }
}

/// At most `max` uses per fixed window of `window`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    /// Which limit this is.
    pub kind: LimitKind,
    /// Uses allowed per window (at least 1).
    pub max: u32,
    /// The window's length (at least one second).
    pub window: Duration,
}

impl RateLimit {
    /// A limit; `max` below 1 and windows under a second are raised to those minimums, so
    /// window arithmetic never divides by zero and every limit lets something through.
    pub fn new(kind: LimitKind, max: u32, window: Duration) -> Self {
        Self { kind, max: max.max(1), window: window.max(Duration::seconds(1)) }
    }

    /// The window that contains `at`.
    pub fn window_at(&self, at: DateTime<Utc>) -> Window {
        let length = self.window.num_seconds().max(1);
        let start = at.timestamp().div_euclid(length) * length;
        // Instants come from a clock, so their window is always representable.
        let start = DateTime::from_timestamp(start, 0).unwrap_or(at);
        Window { start, end: start + Duration::seconds(length) }
    }
}

/// One fixed window: [`start`, `end`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First instant in the window.
    pub start: DateTime<Utc>,
    /// First instant after it.
    pub end: DateTime<Utc>,
}

impl Window {
    /// Whole seconds from `now` until the window ends (at least 1): what `Retry-After` says.
    pub fn retry_after(&self, now: DateTime<Utc>) -> u64 {
        let seconds = (self.end - now).num_seconds() + i64::from((self.end - now).subsec_nanos() > 0);
        seconds.max(1).unsigned_abs()
    }

    /// When a counter of this window may be deleted (TTL). Past the end, with a margin so a
    /// use taken just before the end can still be given back after it.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.end + Duration::hours(1)
    }
}

/// Every limit of the platform, in one place. `App` holds one; the defaults are the
/// production numbers (benchmarks widen them to measure throughput, not refusals).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// 5 sign-in guesses per address per 15 minutes: what the failure lock always allowed.
    pub login_per_address: RateLimit,
    /// 30 sign-in guesses per source network per 15 minutes: six addresses' worth, so one
    /// source cannot spray guesses over many accounts, while a shared NAT (an office, a
    /// campus) still has room for its members' typos. Successful sign-ins do not count.
    pub login_per_source: RateLimit,
    /// 3 session requests per learner-mentor pair per hour: a retry or two, not a flood of
    /// notifications to one mentor.
    pub session_requests_per_pair: RateLimit,
    /// 10 session requests per learner per hour, to anyone: enough to shop around.
    pub session_requests_per_learner: RateLimit,
    /// 30 chat messages per member per minute: brisk typing, not a script.
    pub messages_per_member: RateLimit,
    /// 1 report per member about another per UTC day: one report says it, repeats only
    /// flood the admins' queue.
    pub reports_per_pair: RateLimit,
    /// 3 mails with a link per address per hour: a resend or two, never a mail bomb
    /// (counted for unknown addresses too, so the limit tells nothing).
    pub link_mails_per_address: RateLimit,
    /// 20 password-reset requests per source network per hour, across addresses.
    pub resets_per_source: RateLimit,
    /// 5 texted codes per member per UTC day: a few tries at typing a number.
    pub texts_per_member: RateLimit,
    /// 5 texted codes per number per UTC day, whoever asks: no one is texted all day.
    pub texts_per_number: RateLimit,
    /// Texted codes per UTC day for the whole platform (`SmsDailyCap`, default 1,000): SMS
    /// pumping costs money by the text, so a fuse caps the worst day.
    pub texts_per_platform: RateLimit,
    /// 20 phone sign-in codes asked for per source network per hour.
    pub phone_sign_ins_per_source: RateLimit,
}

impl Limits {
    /// The platform's daily text cap at `per_day` (the `SmsDailyCap` template parameter).
    pub fn platform_texts(per_day: u32) -> RateLimit {
        RateLimit::new(LimitKind::TextsPerPlatform, per_day, Duration::days(1))
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            login_per_address: RateLimit::new(LimitKind::LoginPerAddress, 5, Duration::minutes(15)),
            login_per_source: RateLimit::new(LimitKind::LoginPerSource, 30, Duration::minutes(15)),
            session_requests_per_pair: RateLimit::new(LimitKind::SessionRequestsPerPair, 3, Duration::hours(1)),
            session_requests_per_learner: RateLimit::new(LimitKind::SessionRequestsPerLearner, 10, Duration::hours(1)),
            messages_per_member: RateLimit::new(LimitKind::MessagesPerMember, 30, Duration::minutes(1)),
            reports_per_pair: RateLimit::new(LimitKind::ReportsPerPair, 1, Duration::days(1)),
            link_mails_per_address: RateLimit::new(LimitKind::LinkMailsPerAddress, 3, Duration::hours(1)),
            resets_per_source: RateLimit::new(LimitKind::ResetsPerSource, 20, Duration::hours(1)),
            texts_per_member: RateLimit::new(LimitKind::TextsPerMember, 5, Duration::days(1)),
            texts_per_number: RateLimit::new(LimitKind::TextsPerNumber, 5, Duration::days(1)),
            texts_per_platform: Self::platform_texts(1000),
            phone_sign_ins_per_source: RateLimit::new(LimitKind::PhoneSignInsPerSource, 20, Duration::hours(1)),
        }
    }
}

/// Whose uses a counter counts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Scope {
    /// An email address (counted whether or not it has an account).
    Address(Email),
    /// A source network.
    Source(SourceAddress),
    /// A learner asking a mentor.
    Pair {
        /// Who asks.
        learner: UserId,
        /// Who is asked.
        mentor: UserId,
    },
    /// One member.
    Member(UserId),
    /// A member reporting another.
    Reporter {
        /// Who reports.
        reporter: UserId,
        /// Who is reported.
        reported: UserId,
    },
    /// A phone number (counted whether or not a member holds it).
    Phone(PhoneNumber),
    /// The whole platform.
    Platform,
}

/// One use of a quota: the counter of `scope` for `limit` in the window of an instant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QuotaUse {
    /// The limit.
    pub limit: RateLimit,
    /// Whose counter.
    pub scope: Scope,
    /// Which window's counter.
    pub window: Window,
}

impl QuotaUse {
    /// A use of `limit` by `scope` at `at`.
    pub fn new(limit: RateLimit, scope: Scope, at: DateTime<Utc>) -> Self {
        Self { window: limit.window_at(at), limit, scope }
    }

    /// The refusal when this counter is already at its limit.
    pub fn exhausted(&self, now: DateTime<Utc>) -> Exhausted {
        Exhausted { kind: self.limit.kind, retry_after: self.window.retry_after(now) }
    }
}

/// A quota is used up for now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exhausted {
    /// Which limit.
    pub kind: LimitKind,
    /// Seconds until its window ends.
    pub retry_after: u64,
}

impl Exhausted {
    /// The refusal to report when several quotas are used up: the one that frees last, since
    /// the request can only pass once all of them have room.
    pub fn latest(refusals: impl IntoIterator<Item = Self>) -> Option<Self> {
        refusals.into_iter().max_by_key(|e| e.retry_after)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn windows_are_aligned_to_the_epoch() {
        let limit = RateLimit::new(LimitKind::LoginPerAddress, 5, Duration::minutes(15));
        let window = limit.window_at(at("2026-11-30T14:07:31Z"));
        assert_eq!((window.start, window.end), (at("2026-11-30T14:00:00Z"), at("2026-11-30T14:15:00Z")));
        let edge = limit.window_at(at("2026-11-30T14:15:00Z"));
        assert_eq!(edge.start, at("2026-11-30T14:15:00Z"), "the end belongs to the next window");
    }

    #[test]
    fn retry_after_rounds_up_and_is_never_zero() {
        let limit = RateLimit::new(LimitKind::MessagesPerMember, 30, Duration::minutes(1));
        let now = at("2026-11-30T14:07:31.250Z");
        let window = limit.window_at(now);
        assert_eq!(window.retry_after(now), 29, "28.75 s rounds up");
        assert_eq!(window.retry_after(window.end), 1);
        assert_eq!(window.retry_after(window.end + Duration::minutes(5)), 1);
    }

    #[test]
    fn degenerate_limits_are_raised_to_sane_minimums() {
        let limit = RateLimit::new(LimitKind::MessagesPerMember, 0, Duration::zero());
        assert_eq!((limit.max, limit.window), (1, Duration::seconds(1)));
        let now = at("2026-11-30T14:07:31Z");
        assert_eq!(limit.window_at(now).start, now);
    }

    #[test]
    fn the_defaults_are_the_documented_numbers() {
        let limits = Limits::default();
        let pairs = [
            (limits.login_per_address, 5, 15 * 60),
            (limits.login_per_source, 30, 15 * 60),
            (limits.session_requests_per_pair, 3, 3600),
            (limits.session_requests_per_learner, 10, 3600),
            (limits.messages_per_member, 30, 60),
            (limits.reports_per_pair, 1, 86_400),
        ];
        for (limit, max, seconds) in pairs {
            assert_eq!((limit.max, limit.window.num_seconds()), (max, seconds), "{:?}", limit.kind);
        }
        // Per pair is tighter than per learner, or the pair limit would never bite.
        assert!(limits.session_requests_per_pair.max < limits.session_requests_per_learner.max);
    }

    #[test]
    fn the_refusal_reported_is_the_one_that_frees_last() {
        let short = Exhausted { kind: LimitKind::SessionRequestsPerPair, retry_after: 10 };
        let long = Exhausted { kind: LimitKind::SessionRequestsPerLearner, retry_after: 3000 };
        assert_eq!(Exhausted::latest([short, long]), Some(long));
        assert_eq!(Exhausted::latest([]), None);
    }

    #[test]
    fn names_are_distinct() {
        let kinds = [
            LimitKind::LoginPerAddress,
            LimitKind::LoginPerSource,
            LimitKind::SessionRequestsPerPair,
            LimitKind::SessionRequestsPerLearner,
            LimitKind::MessagesPerMember,
            LimitKind::ReportsPerPair,
        ];
        let names: std::collections::HashSet<_> = kinds.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), kinds.len());
    }

    proptest! {
        #[test]
        fn an_instant_lies_in_its_window(seconds in 0i64..4_000_000_000, window in 1i64..100_000) {
            let limit = RateLimit::new(LimitKind::LoginPerSource, 1, Duration::seconds(window));
            let now = DateTime::from_timestamp(seconds, 0).unwrap();
            let w = limit.window_at(now);
            prop_assert!(w.start <= now && now < w.end);
            prop_assert_eq!((w.end - w.start).num_seconds(), window);
            prop_assert_eq!(w.start.timestamp() % window, 0);
            let retry = w.retry_after(now);
            prop_assert!(retry >= 1 && retry <= window.unsigned_abs());
        }

        #[test]
        fn every_instant_of_a_window_maps_to_it(seconds in 0i64..4_000_000_000, window in 1i64..100_000, k in 0i64..100_000) {
            let limit = RateLimit::new(LimitKind::LoginPerSource, 1, Duration::seconds(window));
            let w = limit.window_at(DateTime::from_timestamp(seconds, 0).unwrap());
            let inside = w.start + Duration::seconds(k % window);
            prop_assert_eq!(limit.window_at(inside), w);
            // The next window starts exactly where this one ends.
            prop_assert_eq!(limit.window_at(w.end).start, w.end);
            prop_assert!(limit.window_at(w.start - Duration::seconds(1)).end == w.start);
        }
    }
}
