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
}

impl MentorStats {
    /// The plain average, for display; `None` without reviews.
    pub fn average_rating(&self) -> Option<f64> {
        (self.rating_count > 0).then(|| f64::from(self.rating_sum) / f64::from(self.rating_count))
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

    proptest! {
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
