//! Post-session reviews: a rating and words from each side, once, double-blind.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::{Invalid, Party, SessionId, UserId};

/// Reviews stay hidden until both sides have written one, or this long after the
/// session ended, so neither side can retaliate against what the other wrote.
pub const BLIND_PERIOD: Duration = Duration::days(7);

/// A rating from 1 to 5 stars.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "u8", into = "u8")]
#[schema(value_type = u8)]
pub struct Rating(u8);

impl Rating {
    /// A rating, 1 to 5.
    pub fn new(stars: u8) -> Result<Self, Invalid> {
        if (1..=5).contains(&stars) { Ok(Self(stars)) } else { Err(Invalid::new("must be a whole number from 1 to 5")) }
    }

    /// The stars.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for Rating {
    type Error = Invalid;

    fn try_from(stars: u8) -> Result<Self, Invalid> {
        Self::new(stars)
    }
}

impl From<Rating> for u8 {
    fn from(rating: Rating) -> u8 {
        rating.0
    }
}

/// The words of a review: trimmed, at most 2000 characters, may be empty.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String)]
pub struct ReviewText(String);

impl ReviewText {
    /// Longest text accepted.
    pub const MAX_CHARS: usize = 2000;

    /// Trims and checks the length; control characters other than newlines are refused.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = raw.trim().replace("\r\n", "\n");
        if text.chars().count() > Self::MAX_CHARS {
            return Err(Invalid::new("must be at most 2000 characters"));
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(Invalid::new("must not contain control characters"));
        }
        Ok(Self(text))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for ReviewText {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Invalid> {
        Self::parse(&raw)
    }
}

impl From<ReviewText> for String {
    fn from(text: ReviewText) -> String {
        text.0
    }
}

/// One side's review of a session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Review {
    /// The session reviewed.
    pub session: SessionId,
    /// Who wrote it.
    pub author: UserId,
    /// Which side the author was on.
    pub author_side: Party,
    /// Who it is about.
    pub subject: UserId,
    /// Stars.
    pub rating: Rating,
    /// Words.
    pub text: ReviewText,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// From when others may read it.
    pub reveal_at: DateTime<Utc>,
}

impl Review {
    /// True when others may read it at `now`.
    pub fn visible(&self, now: DateTime<Utc>) -> bool {
        now >= self.reveal_at
    }

    /// True when its rating counts in the subject's aggregates: learners rate mentors;
    /// a mentor's review of a learner is feedback only.
    pub fn rates_subject(&self) -> bool {
        self.author_side == Party::Learner
    }

    /// True when, written at `now`, its rating must wait for the reveal before it is
    /// counted: a blind rating that moved the average at once could be read off it.
    pub fn rating_waits(&self, now: DateTime<Utc>) -> bool {
        self.rates_subject() && !self.visible(now)
    }
}

/// When a review written at `now` becomes readable: at once if the other side already
/// wrote theirs (which is then revealed too), else when the blind period ends.
pub fn reveal_at(session_end: DateTime<Utc>, now: DateTime<Utc>, other_side_wrote: bool) -> DateTime<Utc> {
    if other_side_wrote { now } else { (session_end + BLIND_PERIOD).max(now) }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn rating_bounds() {
        assert!(Rating::new(0).is_err() && Rating::new(6).is_err());
        assert_eq!(Rating::new(5).unwrap().get(), 5);
        assert!(serde_json::from_str::<Rating>("7").is_err());
    }

    #[test]
    fn text_rules() {
        assert_eq!(ReviewText::parse("  Great session \r\n").unwrap().as_str(), "Great session");
        assert!(ReviewText::parse(&"x".repeat(2001)).is_err());
        assert!(ReviewText::parse(&"é".repeat(2000)).is_ok());
        assert!(ReviewText::parse("bell\u{7}").is_err());
        assert_eq!(ReviewText::parse("").unwrap().as_str(), "");
    }

    #[test]
    fn blind_until_both_or_a_week() {
        let end = DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z").unwrap().to_utc();
        let now = end + Duration::hours(2);
        assert_eq!(reveal_at(end, now, true), now);
        assert_eq!(reveal_at(end, now, false), end + BLIND_PERIOD);
        // Written after the blind period: readable at once.
        let late = end + Duration::days(9);
        assert_eq!(reveal_at(end, late, false), late);
    }

    fn review(side: Party, reveal_at: DateTime<Utc>) -> Review {
        Review {
            session: SessionId::new(ulid::Ulid::nil()),
            author: UserId::new(ulid::Ulid::nil()),
            author_side: side,
            subject: UserId::new(ulid::Ulid::nil()),
            rating: Rating::new(4).unwrap(),
            text: ReviewText::default(),
            created_at: reveal_at - Duration::days(7),
            reveal_at,
        }
    }

    #[test]
    fn only_a_blind_learners_rating_waits() {
        let reveal = DateTime::parse_from_rfc3339("2026-11-27T10:00:00Z").unwrap().to_utc();
        let before = reveal - Duration::seconds(1);
        assert!(review(Party::Learner, reveal).rating_waits(before));
        assert!(!review(Party::Learner, reveal).rating_waits(reveal), "revealed: counted at once");
        assert!(!review(Party::Mentor, reveal).rating_waits(before), "a mentor's review rates nobody");
    }

    proptest! {
        #[test]
        fn a_review_is_never_revealed_before_it_is_written(end_offset in -100i64..100, written_after in 0i64..400, other in any::<bool>()) {
            let end = DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z").unwrap().to_utc() + Duration::hours(end_offset);
            let now = end + Duration::hours(written_after);
            let reveal = reveal_at(end, now, other);
            prop_assert!(reveal >= now);
            prop_assert!(reveal <= (end + BLIND_PERIOD).max(now));
        }
    }
}
