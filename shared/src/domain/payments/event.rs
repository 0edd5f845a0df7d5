//! What the payment provider tells the platform through its signed webhooks, in the
//! platform's words. The adapter verifies and translates; the use cases act on these.

use chrono::{DateTime, Utc};

use super::{Cents, PayoutAccountId};
use crate::domain::Invalid;

/// The provider's id of one event (`evt_...`): a delivery, and every retry or replay of it,
/// carries the same id, so the platform acts on each id once.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PaymentEventId(String);

string_newtype_impls!(PaymentEventId);

impl PaymentEventId {
    /// Checks `raw` is an event id: `evt_` and 1 to 250 letters, digits or underscores.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let rest = raw.strip_prefix("evt_").ok_or(Invalid::new("must be an event id (evt_...)"))?;
        if rest.is_empty() || rest.len() > 250 || !rest.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(Invalid::new("must be an event id (evt_...)"));
        }
        Ok(Self(raw.to_owned()))
    }
}

/// One verified event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentEvent {
    /// The event's id, the same on every delivery of it.
    pub id: PaymentEventId,
    /// When the provider created it.
    pub created: DateTime<Utc>,
    /// What happened.
    pub happening: Happening,
}

/// What an event says happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Happening {
    /// A payout account changed (`account.updated`): what the provider now allows.
    PayoutAccountUpdated {
        /// The account.
        account: PayoutAccountId,
        /// Charges for the account are accepted.
        charges_enabled: bool,
        /// The account's balance is paid out.
        payouts_enabled: bool,
    },
    /// A payment went through (`payment_intent.succeeded`).
    PaymentSucceeded {
        /// The provider's payment id.
        payment: String,
        /// The charge that took the money, which transfers are made from.
        charge: Option<String>,
        /// The amount received.
        amount: Cents,
        /// The session the payment is for (from its metadata), when it names one.
        session: Option<String>,
    },
    /// A payment attempt failed (`payment_intent.payment_failed`); the learner may retry.
    PaymentFailed {
        /// The provider's payment id.
        payment: String,
        /// The session the payment is for, when it names one.
        session: Option<String>,
    },
    /// The learner's bank disputed a charge (`charge.dispute.created`).
    DisputeOpened {
        /// The provider's dispute id.
        dispute: String,
        /// The disputed charge's payment, when the dispute names one.
        payment: Option<String>,
    },
    /// The bank decided a dispute (`charge.dispute.closed`).
    DisputeClosed {
        /// The provider's dispute id.
        dispute: String,
        /// The disputed charge's payment, when the dispute names one.
        payment: Option<String>,
        /// Decided for the platform (anything else counts as lost).
        won: bool,
    },
    /// Anything the platform does not act on (acknowledged, so the provider stops sending it).
    Other {
        /// The provider's event type.
        kind: String,
    },
}

impl Happening {
    /// The provider's name for this kind of event, for logs and the event record.
    pub fn kind(&self) -> &str {
        match self {
            Happening::PayoutAccountUpdated { .. } => "account.updated",
            Happening::PaymentSucceeded { .. } => "payment_intent.succeeded",
            Happening::PaymentFailed { .. } => "payment_intent.payment_failed",
            Happening::DisputeOpened { .. } => "charge.dispute.created",
            Happening::DisputeClosed { .. } => "charge.dispute.closed",
            Happening::Other { kind } => kind,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn event_ids_are_checked() {
        assert_eq!(PaymentEventId::parse("evt_1Ab_2").unwrap().as_str(), "evt_1Ab_2");
        for bad in ["", "evt_", "evt_a-b", "acct_1", "evt_ 1", &format!("evt_{}", "a".repeat(251))] {
            assert!(PaymentEventId::parse(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        #[test]
        fn ids_round_trip(rest in "[A-Za-z0-9_]{1,60}") {
            let raw = format!("evt_{rest}");
            let parsed = PaymentEventId::parse(&raw).unwrap();
            prop_assert_eq!(parsed.as_str(), raw.as_str());
        }
    }
}
