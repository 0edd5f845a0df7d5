//! An admin's points correction: a bounded, non-zero amount, so no arithmetic on it can
//! overflow (`i64::MIN.abs()` panics in debug builds and wraps in release).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::Invalid;

/// Points one correction adds (or, negative, takes back): non-zero, at most
/// [`PointsCorrection::MAX`] either way.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "i64", into = "i64")]
#[schema(value_type = i64, example = 250)]
pub struct PointsCorrection(i64);

impl PointsCorrection {
    /// The largest correction one admin action may make, either way.
    pub const MAX: i64 = 10_000;

    /// Checks `points` is non-zero and within ±[`Self::MAX`].
    pub fn new(points: i64) -> Result<Self, Invalid> {
        // A range check, not `abs()`: `i64::MIN` has no absolute value in an i64.
        if points == 0 || !(-Self::MAX..=Self::MAX).contains(&points) {
            return Err(Invalid::new("must be non-zero and between -10000 and 10000"));
        }
        Ok(Self(points))
    }

    /// The amount.
    pub fn points(self) -> i64 {
        self.0
    }
}

impl TryFrom<i64> for PointsCorrection {
    type Error = Invalid;

    fn try_from(points: i64) -> Result<Self, Invalid> {
        Self::new(points)
    }
}

impl From<PointsCorrection> for i64 {
    fn from(correction: PointsCorrection) -> Self {
        correction.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    #[test]
    fn bounds_are_inclusive_and_zero_is_refused() {
        for fine in [1, -1, 10_000, -10_000, 250] {
            assert_eq!(PointsCorrection::new(fine).unwrap().points(), fine);
        }
        for bad in [0, 10_001, -10_001, i64::MAX, i64::MIN, i64::MIN + 1] {
            assert!(PointsCorrection::new(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn deserialises_through_the_check() {
        assert_eq!(serde_json::from_str::<PointsCorrection>("-40").unwrap().points(), -40);
        for bad in ["0", "10001", "-9223372036854775808", "9223372036854775807", "1e30", "1.5", "\"5\""] {
            assert!(serde_json::from_str::<PointsCorrection>(bad).is_err(), "{bad}");
        }
    }

    proptest! {
        #[test]
        fn accepts_exactly_the_bounded_non_zero_amounts(points in any::<i64>()) {
            // Stated another way than the implementation: by magnitude, which cannot overflow.
            let expected = points != 0 && points.unsigned_abs() <= PointsCorrection::MAX.unsigned_abs();
            prop_assert_eq!(PointsCorrection::new(points).is_ok(), expected);
        }

        #[test]
        fn round_trips(points in -PointsCorrection::MAX..=PointsCorrection::MAX) {
            prop_assume!(points != 0);
            let correction = PointsCorrection::new(points).unwrap();
            let text = serde_json::to_string(&correction).unwrap();
            prop_assert_eq!(serde_json::from_str::<PointsCorrection>(&text).unwrap(), correction);
        }
    }
}
