//! What members do, and how often: the one table of the load's mix.

/// One thing a member does in the browser or app (a few API calls each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Journey {
    /// GET /match with the member's learning list.
    Match,
    /// GET /mentors with filters, then the next page by cursor.
    Search,
    /// A mentor's page: GET /users/{id} and their reviews.
    MentorPage,
    /// Read a mentor's availability and request a free slot (Idempotency-Key).
    Book,
    /// Cancel one of the learner's open or upcoming sessions.
    Cancel,
    /// A mentor answers the oldest request: accept (three in four) or reject.
    Answer,
    /// A mentor proposes a new time for an upcoming session.
    Reschedule,
    /// Send a chat message over the WebSocket to someone the member shares a session with.
    Chat,
    /// Read the conversation list and one history page.
    History,
    /// The bell: GET /notifications, then mark all read.
    Notifications,
    /// GET /me/points and /me/badges.
    Points,
    /// GET /leaderboards/weekly and /monthly.
    Leaderboard,
    /// Rotate the refresh token (POST /auth/refresh).
    Refresh,
}

impl Journey {
    /// The name in the report.
    pub fn name(self) -> &'static str {
        match self {
            Journey::Match => "match",
            Journey::Search => "search",
            Journey::MentorPage => "mentor_page",
            Journey::Book => "book",
            Journey::Cancel => "cancel",
            Journey::Answer => "answer",
            Journey::Reschedule => "reschedule",
            Journey::Chat => "chat",
            Journey::History => "history",
            Journey::Notifications => "notifications",
            Journey::Points => "points",
            Journey::Leaderboard => "leaderboard",
            Journey::Refresh => "refresh",
        }
    }
}

/// Learners' journeys and their weights (relative frequency).
pub const LEARNER_MIX: &[(Journey, u32)] = &[
    (Journey::Match, 12),
    (Journey::Search, 18),
    (Journey::MentorPage, 10),
    (Journey::Book, 12),
    (Journey::Cancel, 3),
    (Journey::Chat, 14),
    (Journey::History, 8),
    (Journey::Notifications, 10),
    (Journey::Points, 6),
    (Journey::Leaderboard, 5),
    (Journey::Refresh, 2),
];

/// Mentors' journeys and their weights.
pub const MENTOR_MIX: &[(Journey, u32)] = &[
    (Journey::Answer, 30),
    (Journey::Reschedule, 4),
    (Journey::Chat, 22),
    (Journey::History, 10),
    (Journey::Notifications, 18),
    (Journey::Points, 6),
    (Journey::Leaderboard, 8),
    (Journey::Refresh, 2),
];

/// A member's pause between journeys, in ms (uniform): people read before they click.
pub const THINK_MS: (u64, u64) = (400, 1600);

/// One mentor member in this many is a mentor; the rest are learners.
pub const MENTOR_SHARE: usize = 4;

/// Extra mentors in the table (not signed in) so search and match read a real catalogue
/// (`CATALOGUE` overrides it).
pub const CATALOGUE_MENTORS: usize = 1000;

/// Picks a journey from `mix` with a number in `0..total weight`.
pub fn pick(mix: &[(Journey, u32)], draw: u64) -> Journey {
    let total: u64 = mix.iter().map(|(_, w)| u64::from(*w)).sum();
    let mut at = draw % total.max(1);
    for (journey, weight) in mix {
        if at < u64::from(*weight) {
            return *journey;
        }
        at -= u64::from(*weight);
    }
    mix[0].0
}

/// A small deterministic generator (xorshift64*): runs with the same seed draw the same mix.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (any value; zero is moved off).
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    /// The next number.
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `low..=high`.
    pub fn between(&mut self, low: u64, high: u64) -> u64 {
        low + self.next() % (high - low + 1)
    }

    /// True with probability `n / d`.
    pub fn chance(&mut self, n: u64, d: u64) -> bool {
        self.next() % d < n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_follow_the_weights() {
        let mut counts = std::collections::HashMap::new();
        let mut rng = Rng::new(1);
        for _ in 0..100_000 {
            *counts.entry(pick(LEARNER_MIX, rng.next())).or_insert(0u32) += 1;
        }
        let total: u32 = LEARNER_MIX.iter().map(|(_, w)| w).sum();
        for (journey, weight) in LEARNER_MIX {
            let expected = 100_000.0 * f64::from(*weight) / f64::from(total);
            let got = f64::from(counts[journey]);
            assert!((got - expected).abs() < expected * 0.1, "{journey:?}: {got} vs {expected}");
        }
    }

    #[test]
    fn the_same_seed_draws_the_same_numbers() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!((0..5).map(|_| a.next()).collect::<Vec<_>>(), (0..5).map(|_| b.next()).collect::<Vec<_>>());
        assert!((0..1000).map(|_| Rng::new(3).between(2, 4)).all(|n| (2..=4).contains(&n)));
    }
}
