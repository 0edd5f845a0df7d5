//! The platform's one currency, as Stripe names it: an ISO 4217 code in lower case, one
//! whose smallest unit is a hundredth (every amount on the platform is in cents).

use std::fmt;

use crate::domain::Invalid;

/// The currencies the platform can run in: two-decimal ones Stripe charges and pays out in
/// across Connect's main regions. A zero-decimal currency (JPY) would break "cents".
const SUPPORTED: [&str; 11] = ["usd", "eur", "gbp", "cad", "aud", "nzd", "chf", "sek", "nok", "dkk", "sgd"];

/// A supported currency code, lower case (`usd`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(&'static str);

impl Currency {
    /// The platform's currency unless configured otherwise.
    pub const USD: Currency = Currency("usd");

    /// Reads `raw` (`usd` or `USD`): one of the supported two-decimal currencies.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let lower = raw.trim().to_ascii_lowercase();
        SUPPORTED
            .iter()
            .find(|code| **code == lower)
            .map(|code| Self(code))
            .ok_or(Invalid::new("must be one of usd, eur, gbp, cad, aud, nzd, chf, sek, nok, dkk, sgd"))
    }

    /// The code, lower case, as Stripe's API and the platform's answers write it.
    pub const fn as_str(self) -> &'static str {
        self.0
    }
}

impl Default for Currency {
    fn default() -> Self {
        Self::USD
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn supported_codes_are_read_in_either_case() {
        assert_eq!(Currency::parse("EUR").unwrap().as_str(), "eur");
        assert_eq!(Currency::parse("usd").unwrap(), Currency::USD);
        for bad in ["", "jpy", "us", "usdd", "€", "krw"] {
            assert!(Currency::parse(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn whatever_is_read_is_a_supported_lower_case_code(raw in "[A-Za-z]{0,4}") {
            if let Ok(currency) = Currency::parse(&raw) {
                prop_assert!(SUPPORTED.contains(&currency.as_str()));
                prop_assert_eq!(currency.as_str(), raw.to_ascii_lowercase());
            }
        }
    }
}
