//! An amount of money in the platform currency's smallest unit (cents for USD).

use serde::{Deserialize, Serialize};

/// A non-negative amount in the platform currency's smallest unit. Every sum is checked:
/// money never wraps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Cents(u64);

impl Cents {
    /// Nothing.
    pub const ZERO: Cents = Cents(0);

    /// An amount of `cents`.
    pub const fn new(cents: u64) -> Self {
        Self(cents)
    }

    /// The amount in cents.
    pub const fn get(self) -> u64 {
        self.0
    }

    /// `self + other`, or `None` past `u64::MAX`.
    pub fn checked_add(self, other: Cents) -> Option<Cents> {
        self.0.checked_add(other.0).map(Cents)
    }

    /// `self - other`, or `None` below zero.
    pub fn checked_sub(self, other: Cents) -> Option<Cents> {
        self.0.checked_sub(other.0).map(Cents)
    }

    /// `numerator / denominator` of this amount, rounded half up (half a cent goes up).
    /// `None` for a zero denominator. Exact in u128, so no amount overflows.
    pub fn share(self, numerator: u64, denominator: u64) -> Option<Cents> {
        if denominator == 0 {
            return None;
        }
        let scaled = u128::from(self.0) * u128::from(numerator);
        let rounded = (scaled * 2 + u128::from(denominator)) / (u128::from(denominator) * 2);
        u64::try_from(rounded).ok().map(Cents)
    }

    /// The amount as a signed ledger amount, or `None` past `i64::MAX`.
    pub fn signed(self) -> Option<i64> {
        i64::try_from(self.0).ok()
    }
}

impl std::fmt::Display for Cents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn a_share_rounds_half_a_cent_up() {
        assert_eq!(Cents::new(1000).share(15, 100), Some(Cents::new(150)));
        assert_eq!(Cents::new(1).share(1, 2), Some(Cents::new(1)));
        assert_eq!(Cents::new(3).share(1, 2), Some(Cents::new(2)));
        assert_eq!(Cents::new(333).share(15, 100), Some(Cents::new(50)));
        assert_eq!(Cents::new(10).share(1, 3), Some(Cents::new(3)));
        assert_eq!(Cents::new(10).share(1, 0), None);
        assert_eq!(Cents::new(u64::MAX).share(1, 1), Some(Cents::new(u64::MAX)));
        assert_eq!(Cents::new(u64::MAX).share(2, 1), None);
    }

    #[test]
    fn sums_never_wrap() {
        assert_eq!(Cents::new(u64::MAX).checked_add(Cents::new(1)), None);
        assert_eq!(Cents::new(1).checked_sub(Cents::new(2)), None);
        assert_eq!(Cents::new(u64::MAX).signed(), None);
        assert_eq!(Cents::new(5).signed(), Some(5));
    }

    proptest! {
        #[test]
        fn a_share_is_never_more_than_the_whole(amount in 0u64..=1_000_000_000, n in 0u64..=100) {
            let share = Cents::new(amount).share(n, 100).unwrap();
            prop_assert!(share <= Cents::new(amount));
            // Within half a cent of the exact value.
            let exact = amount as f64 * n as f64 / 100.0;
            prop_assert!((share.get() as f64 - exact).abs() <= 0.5 + 1e-9);
        }
    }
}
