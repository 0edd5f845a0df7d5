//! The platform's payment figures: what each ledger movement adds to the week's and the
//! month's counters (kept by the stream consumer from the ledger entries it sees, like the
//! other platform stats), and the figures admins read back.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{LedgerAccount, LedgerEntry, Movement};
use crate::domain::gamification::LeaderboardPeriod;
use crate::domain::stats::Counts;

/// A payment counter, kept per ISO week and per month (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MoneyFigure {
    /// Learners' payments for sessions.
    Charged,
    /// The platform's fees, net of what refunds and lost disputes gave back.
    Fees,
    /// Refunds to learners.
    Refunded,
    /// Earnings transferred to mentors.
    PaidOut,
    /// Disputes opened by learners' banks.
    DisputesOpened,
    /// What lost disputes gave back to learners' banks.
    DisputesLost,
}

impl MoneyFigure {
    /// Every figure, in the order they are shown.
    pub const ALL: [MoneyFigure; 6] = [
        MoneyFigure::Charged,
        MoneyFigure::Fees,
        MoneyFigure::Refunded,
        MoneyFigure::PaidOut,
        MoneyFigure::DisputesOpened,
        MoneyFigure::DisputesLost,
    ];

    /// The counter's stable name (the period item's attribute, and the ledger entry's).
    pub const fn name(self) -> &'static str {
        match self {
            MoneyFigure::Charged => "payments_charged_cents",
            MoneyFigure::Fees => "payments_fees_cents",
            MoneyFigure::Refunded => "payments_refunded_cents",
            MoneyFigure::PaidOut => "payments_paid_out_cents",
            MoneyFigure::DisputesOpened => "payments_disputes_opened",
            MoneyFigure::DisputesLost => "payments_disputes_lost_cents",
        }
    }

    /// The figure called `name`, if it is one.
    pub fn named(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|figure| figure.name() == name)
    }
}

/// What one ledger entry moved on the payment counters, and when it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MoneyMoves {
    /// Each figure and how far it moves.
    pub figures: Vec<(MoneyFigure, i64)>,
    /// When the entry was written.
    pub at: DateTime<Utc>,
}

impl LedgerEntry {
    /// What this entry adds to the payment counters (zeros left out).
    pub fn figures(&self) -> Vec<(MoneyFigure, i64)> {
        let on = |wanted: fn(&LedgerAccount) -> bool| -> i64 {
            self.postings.iter().filter(|posting| wanted(&posting.account)).map(|posting| posting.amount).sum()
        };
        let learner = on(|account| matches!(account, LedgerAccount::Learner(_)));
        let fees = on(|account| matches!(account, LedgerAccount::PlatformFees));
        let paid_out = on(|account| matches!(account, LedgerAccount::MentorPaidOut(_)));
        let mut figures = vec![(MoneyFigure::Fees, fees)];
        match self.movement {
            // The learner's account goes down by what they pay, up by what they get back.
            Movement::Charged { .. } => figures.push((MoneyFigure::Charged, -learner)),
            Movement::Refunded { .. } => figures.push((MoneyFigure::Refunded, learner)),
            Movement::TransferredOut { .. } => figures.push((MoneyFigure::PaidOut, paid_out)),
            Movement::DisputeOpened { .. } => figures.push((MoneyFigure::DisputesOpened, 1)),
            Movement::DisputeLost { .. } => figures.push((MoneyFigure::DisputesLost, learner)),
            Movement::Released { .. } | Movement::DisputeWon { .. } => {}
        }
        figures.retain(|(_, by)| *by != 0);
        figures
    }
}

/// One week's or month's payments, as admins read them (cents in the platform currency).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct PaymentFigures {
    /// The period: an ISO week (`2026-W24`) or a month (`2026-06`), in UTC.
    #[schema(value_type = String, example = "2026-W24")]
    pub period: LeaderboardPeriod,
    /// Learners' payments for sessions.
    pub charged_cents: i64,
    /// The platform's fees, net of what refunds and lost disputes gave back.
    pub fees_cents: i64,
    /// Refunded to learners.
    pub refunded_cents: i64,
    /// Transferred to mentors.
    pub paid_out_cents: i64,
    /// Disputes opened by learners' banks.
    pub disputes_opened: i64,
    /// Given back to learners' banks by lost disputes.
    pub disputes_lost_cents: i64,
}

impl PaymentFigures {
    /// The figures of `period` from its counter item.
    pub fn read(period: LeaderboardPeriod, counts: &Counts) -> Self {
        let get = |figure: MoneyFigure| counts.get(figure.name());
        Self {
            period,
            charged_cents: get(MoneyFigure::Charged),
            fees_cents: get(MoneyFigure::Fees),
            refunded_cents: get(MoneyFigure::Refunded),
            paid_out_cents: get(MoneyFigure::PaidOut),
            disputes_opened: get(MoneyFigure::DisputesOpened),
            disputes_lost_cents: get(MoneyFigure::DisputesLost),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use ulid::Ulid;

    use super::*;
    use crate::domain::payments::{Cents, EarningStage, FeePercent, Split};
    use crate::domain::{SessionId, UserId};

    fn figures(movement: Movement) -> Vec<(MoneyFigure, i64)> {
        LedgerEntry::of(movement).unwrap().figures()
    }

    #[test]
    fn each_movement_counts_what_it_moved() {
        let (learner, mentor, session) = (UserId::new(Ulid(1)), UserId::new(Ulid(2)), SessionId::new(Ulid(3)));
        let split = Split::of(Cents::new(6000), FeePercent::DEFAULT);
        let half = split.refund_percent(50);
        use MoneyFigure::*;
        let charged =
            Movement::Charged { session: session.clone(), learner: learner.clone(), mentor: mentor.clone(), split };
        assert_eq!(figures(charged), vec![(Fees, 900), (Charged, 6000)]);
        let refunded = Movement::Refunded {
            refund: session.to_string(),
            learner: learner.clone(),
            mentor: mentor.clone(),
            split: half,
            from: EarningStage::Pending,
        };
        assert_eq!(figures(refunded), vec![(Fees, -450), (Refunded, 3000)]);
        let released = Movement::Released { session: session.clone(), mentor: mentor.clone(), earning: half.earning };
        assert_eq!(figures(released), vec![]);
        let paid = Movement::TransferredOut { session, mentor: mentor.clone(), earning: half.earning };
        assert_eq!(figures(paid), vec![(PaidOut, 2550)]);
        let opened = Movement::DisputeOpened {
            dispute: "dp_1".into(),
            mentor: mentor.clone(),
            earning: half.earning,
            from: EarningStage::Pending,
        };
        assert_eq!(figures(opened), vec![(DisputesOpened, 1)]);
        let lost =
            Movement::DisputeLost { dispute: "dp_1".into(), learner, mentor, split: half, from: EarningStage::Held };
        assert_eq!(figures(lost), vec![(Fees, -450), (DisputesLost, 3000)]);
    }

    #[test]
    fn names_are_stable_and_read_back() {
        for figure in MoneyFigure::ALL {
            assert_eq!(MoneyFigure::named(figure.name()), Some(figure));
        }
        assert_eq!(MoneyFigure::named("messages"), None);
        let counts = Counts::from_pairs([
            ("payments_charged_cents".to_owned(), 12000),
            ("payments_fees_cents".to_owned(), 1800),
        ]);
        let week = LeaderboardPeriod::week_of(chrono::DateTime::UNIX_EPOCH);
        let read = PaymentFigures::read(week, &counts);
        assert_eq!((read.charged_cents, read.fees_cents, read.refunded_cents), (12000, 1800, 0));
    }
}
