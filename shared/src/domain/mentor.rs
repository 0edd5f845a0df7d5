//! What makes a member a listed mentor: verification, price, and track record.

use serde::{Deserialize, Serialize};

use super::Invalid;

/// Where a mentor stands in verification by an admin.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum VerificationStatus {
    /// Nothing submitted yet.
    #[default]
    Unverified,
    /// Documents submitted, waiting for an admin.
    Pending,
    /// An admin approved the documents: the mentor can be matched and found.
    Verified,
    /// An admin refused the documents.
    Rejected,
}

/// A price per hour of mentoring, in US cents. Zero means free.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct Price(u32);

impl Price {
    /// The highest hourly price a mentor may ask: $1,000.
    pub const MAX_CENTS: u32 = 100_000;

    /// A price from cents.
    pub fn from_cents(cents: u32) -> Result<Self, Invalid> {
        if cents > Self::MAX_CENTS {
            return Err(Invalid::new("must be at most 100000 cents ($1,000) per hour"));
        }
        Ok(Self(cents))
    }

    /// The price in cents.
    pub fn cents(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Price {
    type Error = Invalid;

    fn try_from(cents: u32) -> Result<Self, Invalid> {
        Self::from_cents(cents)
    }
}

impl From<Price> for u32 {
    fn from(price: Price) -> u32 {
        price.0
    }
}

impl utoipa::PartialSchema for Price {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        u32::schema()
    }
}

impl utoipa::ToSchema for Price {}

/// A new mentor's rating is pulled towards this until reviews say otherwise.
pub const RATING_PRIOR_MEAN: f64 = 4.0;
/// How many reviews' worth of weight the prior has: one 5-star review must not beat
/// fifty 4.8s.
pub const RATING_PRIOR_WEIGHT: f64 = 10.0;

/// A mentor's track record, kept up to date by reviews and sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, utoipa::ToSchema)]
pub struct MentorStats {
    /// Sum of all review ratings received (1-5 each).
    pub rating_sum: u32,
    /// Number of reviews received.
    pub rating_count: u32,
    /// Median minutes to answer a session request, once there is data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_response_minutes: Option<u32>,
    /// Sessions booked and not yet held.
    #[serde(default)]
    pub upcoming_sessions: u32,
    /// How many requests were answered within each of [`RESPONSE_BUCKETS`] (the last
    /// counts requests left to expire): enough to keep a median without keeping history.
    #[serde(default)]
    pub response_histogram: [u32; RESPONSE_BUCKETS.len()],
}

/// Upper bounds (minutes) of the response-time buckets, with the value that stands for
/// each bucket in the median. The last bucket holds requests that expired unanswered and
/// counts as 48 hours: silence counts against a mentor.
pub const RESPONSE_BUCKETS: [(u32, u32); 7] =
    [(15, 8), (60, 38), (240, 150), (720, 480), (1440, 1080), (2880, 2160), (u32::MAX, 2880)];

impl MentorStats {
    /// The plain average, for display; `None` without reviews.
    pub fn average_rating(&self) -> Option<f64> {
        (self.rating_count > 0).then(|| f64::from(self.rating_sum) / f64::from(self.rating_count))
    }

    /// Records one answer to a request, `minutes` after it was made, or `None` for a
    /// request left to expire, and recomputes the median response time.
    pub fn record_response(&mut self, minutes: Option<u32>) {
        let bucket = match minutes {
            Some(m) => RESPONSE_BUCKETS.iter().position(|(bound, _)| m <= *bound).unwrap_or(RESPONSE_BUCKETS.len() - 1),
            None => RESPONSE_BUCKETS.len() - 1,
        };
        self.response_histogram[bucket] = self.response_histogram[bucket].saturating_add(1);
        let total: u64 = self.response_histogram.iter().map(|c| u64::from(*c)).sum();
        let mut seen = 0u64;
        self.median_response_minutes =
            self.response_histogram.iter().zip(RESPONSE_BUCKETS).find_map(|(count, (_, value))| {
                seen += u64::from(*count);
                (2 * seen >= total).then_some(value)
            });
    }

    /// The Bayesian average used for ranking: the prior counts as
    /// [`RATING_PRIOR_WEIGHT`] reviews of [`RATING_PRIOR_MEAN`].
    pub fn ranking_rating(&self) -> f64 {
        (RATING_PRIOR_WEIGHT * RATING_PRIOR_MEAN + f64::from(self.rating_sum))
            / (RATING_PRIOR_WEIGHT + f64::from(self.rating_count))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn stats(sum: u32, count: u32) -> MentorStats {
        MentorStats { rating_sum: sum, rating_count: count, ..Default::default() }
    }

    #[test]
    fn one_five_star_does_not_beat_fifty_four_point_eights() {
        assert!(stats(5, 1).ranking_rating() < stats(240, 50).ranking_rating());
        assert_eq!(stats(0, 0).average_rating(), None);
        assert!((stats(240, 50).average_rating().unwrap() - 4.8).abs() < 1e-9);
    }

    #[test]
    fn price_bounds() {
        assert_eq!(Price::from_cents(0).unwrap().cents(), 0);
        assert!(Price::from_cents(Price::MAX_CENTS).is_ok());
        assert!(Price::from_cents(Price::MAX_CENTS + 1).is_err());
        assert!(serde_json::from_str::<Price>("100001").is_err());
    }

    #[test]
    fn median_response_follows_the_answers() {
        let mut stats = MentorStats::default();
        stats.record_response(Some(5));
        assert_eq!(stats.median_response_minutes, Some(8));
        stats.record_response(None);
        stats.record_response(None);
        assert_eq!(stats.median_response_minutes, Some(2880), "two of three requests left to expire");
        stats.record_response(Some(30));
        stats.record_response(Some(45));
        assert_eq!(stats.median_response_minutes, Some(38));
        assert_eq!(stats.response_histogram.iter().sum::<u32>(), 5);
    }

    proptest! {
        #[test]
        fn a_faster_answer_never_raises_the_median(answers in proptest::collection::vec(proptest::option::of(0u32..5000), 0..40), fast in 0u32..15) {
            let mut stats = MentorStats::default();
            for answer in &answers {
                stats.record_response(*answer);
            }
            let before = stats.median_response_minutes.unwrap_or(u32::MAX);
            stats.record_response(Some(fast));
            prop_assert!(stats.median_response_minutes.unwrap_or(u32::MAX) <= before);
        }

        #[test]
        fn ranking_rating_stays_within_the_scale(count in 0u32..10_000, average in 1.0f64..=5.0) {
            let sum = (average * f64::from(count)).round() as u32;
            let rating = stats(sum, count).ranking_rating();
            prop_assert!((1.0..=5.0).contains(&rating));
        }

        #[test]
        fn more_good_reviews_never_lower_the_ranking(count in 0u32..1000, extra in 1u32..100) {
            // Adding 5-star reviews can only raise the Bayesian rating.
            let before = stats(4 * count, count).ranking_rating();
            let after = stats(4 * count + 5 * extra, count + extra).ranking_rating();
            prop_assert!(after >= before);
        }
    }
}
