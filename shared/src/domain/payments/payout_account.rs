//! A mentor's payout account with the payment provider (a Stripe Connect Express account).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::domain::Invalid;

/// The provider's id of a connected account: `acct_` and 1 to 250 letters or digits.
/// Parsed, because it arrives in webhooks and is used as part of a key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PayoutAccountId(String);

string_newtype_impls!(PayoutAccountId);

impl PayoutAccountId {
    /// Checks `raw` is an account id.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let rest = raw.strip_prefix("acct_").ok_or(Invalid::new("must be a connected account id (acct_...)"))?;
        if rest.is_empty() || rest.len() > 250 || !rest.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(Invalid::new("must be a connected account id (acct_...)"));
        }
        Ok(Self(raw.to_owned()))
    }
}

/// Where a mentor's payouts stand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PayoutStatus {
    /// No account yet: onboarding has not started.
    NotStarted,
    /// The account exists; the provider still needs details before it pays out.
    Onboarding,
    /// The provider accepts charges for and pays out to the account: the mentor may charge.
    Enabled,
    /// The provider stopped payouts (details due or under review) after enabling them.
    Restricted,
}

/// A mentor's payout account and what the provider last said about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Payouts {
    /// The connected account.
    pub account: PayoutAccountId,
    /// The provider accepts charges destined for the account.
    pub charges_enabled: bool,
    /// The provider pays the account's balance out to the mentor's bank.
    pub payouts_enabled: bool,
    /// Payouts were enabled at least once (so a stop now is a restriction).
    #[serde(default)]
    pub ever_enabled: bool,
    /// When the provider created the newest report applied: events may arrive out of
    /// order, and an older one must not undo a newer one.
    #[serde(default)]
    pub reported_at: Option<DateTime<Utc>>,
}

impl Payouts {
    /// A new account, before the provider has said anything about it.
    pub fn opened(account: PayoutAccountId) -> Self {
        Self { account, charges_enabled: false, payouts_enabled: false, ever_enabled: false, reported_at: None }
    }

    /// The account after the provider reported, at `at`, `charges_enabled` and
    /// `payouts_enabled`; `None` when a newer report was applied already.
    pub fn updated(&self, charges_enabled: bool, payouts_enabled: bool, at: DateTime<Utc>) -> Option<Self> {
        if self.reported_at.is_some_and(|newest| at < newest) {
            return None;
        }
        Some(Self {
            account: self.account.clone(),
            charges_enabled,
            payouts_enabled,
            ever_enabled: self.ever_enabled || (charges_enabled && payouts_enabled),
            reported_at: Some(at),
        })
    }

    /// Whether the mentor may ask a price: money can reach them.
    pub fn can_charge(&self) -> bool {
        self.charges_enabled && self.payouts_enabled
    }

    /// The status members see.
    pub fn status(&self) -> PayoutStatus {
        match (self.can_charge(), self.ever_enabled) {
            (true, _) => PayoutStatus::Enabled,
            (false, true) => PayoutStatus::Restricted,
            (false, false) => PayoutStatus::Onboarding,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn account_ids_are_checked() {
        assert_eq!(PayoutAccountId::parse("acct_1Ab2").unwrap().as_str(), "acct_1Ab2");
        for bad in ["", "acct_", "acct_a-b", "cus_123", " acct_1", &format!("acct_{}", "a".repeat(251))] {
            assert!(PayoutAccountId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_mentor_can_charge_only_with_charges_and_payouts_enabled() {
        let at = |minute: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 1, 12, minute, 0).unwrap();
        let opened = Payouts::opened(PayoutAccountId::parse("acct_1").unwrap());
        assert_eq!(opened.status(), PayoutStatus::Onboarding);
        assert!(!opened.updated(true, false, at(1)).unwrap().can_charge());
        assert!(!opened.updated(false, true, at(1)).unwrap().can_charge());
        let enabled = opened.updated(true, true, at(1)).unwrap();
        assert!(enabled.can_charge());
        assert_eq!(enabled.status(), PayoutStatus::Enabled);
        let restricted = enabled.updated(true, false, at(2)).unwrap();
        assert_eq!(restricted.status(), PayoutStatus::Restricted);
        assert_eq!(restricted.updated(true, true, at(3)).unwrap().status(), PayoutStatus::Enabled);
    }

    #[test]
    fn an_older_report_never_undoes_a_newer_one() {
        let at = |minute: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 3, 1, 12, minute, 0).unwrap();
        let enabled = Payouts::opened(PayoutAccountId::parse("acct_1").unwrap()).updated(true, true, at(5)).unwrap();
        assert_eq!(enabled.updated(false, false, at(4)), None);
        // The same instant is applied again (replays are stopped by the event's id instead).
        assert!(enabled.updated(true, false, at(5)).is_some());
    }

    proptest! {
        #[test]
        fn ids_round_trip(rest in "[A-Za-z0-9]{1,40}") {
            let raw = format!("acct_{rest}");
            let parsed = PayoutAccountId::parse(&raw).unwrap();
            prop_assert_eq!(parsed.as_str(), raw.as_str());
        }
    }
}
