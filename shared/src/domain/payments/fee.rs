//! The platform's fee and how a charge splits between the platform and the mentor.

use super::Cents;
use crate::domain::{Invalid, Price};

/// The platform's fee, a whole percent of each charge (a template parameter, default 15).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FeePercent(u8);

impl FeePercent {
    /// The platform's fee unless configured otherwise: 15 %.
    pub const DEFAULT: FeePercent = FeePercent(15);

    /// A fee of `percent`, 0 to 100.
    pub fn new(percent: u8) -> Result<Self, Invalid> {
        if percent > 100 {
            return Err(Invalid::new("must be a whole percent from 0 to 100"));
        }
        Ok(Self(percent))
    }

    /// The fee in percent.
    pub fn percent(self) -> u8 {
        self.0
    }
}

/// A charge and its two parts: the platform's fee and the mentor's earning. The parts
/// always add up to the charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Split {
    /// What the learner pays.
    pub charged: Cents,
    /// The platform's part.
    pub fee: Cents,
    /// The mentor's part.
    pub earning: Cents,
}

impl Split {
    /// Splits `charged` by `fee`: the fee is rounded half up, the mentor gets the rest.
    pub fn of(charged: Cents, fee: FeePercent) -> Self {
        // A share of at most 100 % never exceeds the whole, so neither unwrap can fail.
        let fee = charged.share(u64::from(fee.percent()), 100).unwrap_or(charged);
        let earning = charged.checked_sub(fee).unwrap_or(Cents::ZERO);
        Self { charged, fee, earning }
    }

    /// The part of this split that a refund of `amount` gives back, in the same
    /// proportions (the fee part rounded half up): never more than either part, and the
    /// parts add up to `amount`. `None` when `amount` is more than was charged.
    pub fn refund(&self, amount: Cents) -> Option<Split> {
        if amount > self.charged {
            return None;
        }
        if amount == self.charged {
            return Some(*self);
        }
        let fee = self.fee.share(amount.get(), self.charged.get())?;
        let earning = amount.checked_sub(fee)?;
        Some(Split { charged: amount, fee, earning })
    }

    /// `percent` of this charge, refunded in proportion (see [`Split::refund`]).
    pub fn refund_percent(&self, percent: u8) -> Split {
        let amount = self.charged.share(u64::from(percent.min(100)), 100).unwrap_or(self.charged);
        self.refund(amount).unwrap_or(*self)
    }
}

/// What a session of `minutes` costs at `hourly`, rounded half up to the cent.
pub fn session_charge(hourly: Price, minutes: u32) -> Cents {
    Cents::new(u64::from(hourly.cents())).share(u64::from(minutes), 60).unwrap_or(Cents::ZERO)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn fee(percent: u8) -> FeePercent {
        FeePercent::new(percent).unwrap()
    }

    #[test]
    fn a_fee_is_a_whole_percent_up_to_a_hundred() {
        assert!(FeePercent::new(0).is_ok());
        assert!(FeePercent::new(100).is_ok());
        assert_eq!(FeePercent::new(101).unwrap_err().reason(), "must be a whole percent from 0 to 100");
    }

    #[test]
    fn a_charge_splits_into_fee_and_earning() {
        // (charged, fee %) -> (fee, earning)
        let table = [
            (5000, 15, 750, 4250),
            (3333, 15, 500, 2833),
            (1, 15, 0, 1),
            (10, 15, 2, 8),
            (5000, 0, 0, 5000),
            (5000, 100, 5000, 0),
            (0, 15, 0, 0),
        ];
        for (charged, percent, expected_fee, expected_earning) in table {
            let split = Split::of(Cents::new(charged), fee(percent));
            assert_eq!(
                (split.fee.get(), split.earning.get()),
                (expected_fee, expected_earning),
                "{charged} at {percent}%"
            );
        }
    }

    #[test]
    fn a_session_costs_its_share_of_the_hourly_price() {
        let hourly = Price::from_cents(5000).unwrap();
        assert_eq!(session_charge(hourly, 60), Cents::new(5000));
        assert_eq!(session_charge(hourly, 30), Cents::new(2500));
        assert_eq!(session_charge(hourly, 45), Cents::new(3750));
        assert_eq!(session_charge(Price::from_cents(1000).unwrap(), 20), Cents::new(333));
        assert_eq!(session_charge(Price::from_cents(0).unwrap(), 90), Cents::ZERO);
    }

    #[test]
    fn a_partial_refund_gives_back_both_parts_in_proportion() {
        let split = Split::of(Cents::new(5000), fee(15));
        let half = split.refund_percent(50);
        assert_eq!((half.charged.get(), half.fee.get(), half.earning.get()), (2500, 375, 2125));
        assert_eq!(split.refund_percent(100), split);
        assert_eq!(split.refund_percent(0).charged, Cents::ZERO);
        assert_eq!(split.refund(Cents::new(5001)), None);
    }

    proptest! {
        #[test]
        fn parts_add_up_and_no_refund_takes_more_than_a_part(
            charged in 0u64..=10_000_000, percent in 0u8..=100, refunded in 0u64..=10_000_000,
        ) {
            let split = Split::of(Cents::new(charged), fee(percent));
            prop_assert_eq!(split.fee.get() + split.earning.get(), charged);
            if let Some(refund) = split.refund(Cents::new(refunded)) {
                prop_assert_eq!(refund.fee.get() + refund.earning.get(), refunded);
                prop_assert!(refund.fee <= split.fee);
                prop_assert!(refund.earning <= split.earning);
            } else {
                prop_assert!(refunded > charged);
            }
        }
    }
}
