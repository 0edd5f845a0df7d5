//! A price filter as query parameters give it: optional lowest and highest hourly prices in
//! whole US cents (GET /mentors' `price_min`, `price_max`).

use super::{Invalid, Price};

/// Optional bounds, the lowest not above the highest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PriceRange {
    min: Option<Price>,
    max: Option<Price>,
}

impl PriceRange {
    /// One bound, as text: a whole number of US cents within [`Price::MAX_CENTS`].
    pub fn bound(raw: &str) -> Result<Price, Invalid> {
        raw.trim()
            .parse::<u32>()
            .map_err(|_| Invalid::new("must be a whole number of US cents"))
            .and_then(Price::from_cents)
    }

    /// The range between the bounds given; refused (as the lowest's fault) when the lowest
    /// exceeds the highest.
    pub fn new(min: Option<Price>, max: Option<Price>) -> Result<Self, Invalid> {
        if let (Some(min), Some(max)) = (min, max)
            && min > max
        {
            return Err(Invalid::new("must not exceed price_max"));
        }
        Ok(Self { min, max })
    }

    /// The lowest price asked for, if any.
    pub fn min(self) -> Option<Price> {
        self.min
    }

    /// The highest price asked for, if any.
    pub fn max(self) -> Option<Price> {
        self.max
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn bounds_are_whole_cents_up_to_the_price_cap() {
        assert_eq!(PriceRange::bound(" 2500 ").unwrap().cents(), 2500);
        assert_eq!(PriceRange::bound("0").unwrap().cents(), 0);
        for bad in ["", "12.5", "-1", "ten", "100001"] {
            assert!(PriceRange::bound(bad).is_err(), "{bad}");
        }
        assert_eq!(PriceRange::bound("12.5").unwrap_err().reason(), "must be a whole number of US cents");
    }

    #[test]
    fn either_bound_may_be_missing_but_they_may_not_cross() {
        let price = |c| Some(Price::from_cents(c).unwrap());
        assert_eq!(PriceRange::new(None, None).unwrap(), PriceRange::default());
        assert_eq!(PriceRange::new(price(500), None).unwrap().min(), price(500));
        assert_eq!(PriceRange::new(None, price(100)).unwrap().max(), price(100));
        assert!(PriceRange::new(price(100), price(100)).is_ok());
        assert_eq!(PriceRange::new(price(500), price(100)).unwrap_err().reason(), "must not exceed price_max");
    }

    proptest! {
        #[test]
        fn a_range_holds_exactly_when_its_bounds_do_not_cross(min in 0u32..=Price::MAX_CENTS, max in 0u32..=Price::MAX_CENTS) {
            let (low, high) = (PriceRange::bound(&min.to_string()).unwrap(), PriceRange::bound(&max.to_string()).unwrap());
            prop_assert_eq!(PriceRange::new(Some(low), Some(high)).is_ok(), min <= max);
        }
    }
}
