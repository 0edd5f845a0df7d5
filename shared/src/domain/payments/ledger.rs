//! The double-entry ledger: every money movement is one entry whose postings sum to zero,
//! so the sum over all accounts is zero whatever happened, and a balance is the sum of its
//! account's postings.

use std::collections::BTreeMap;

use super::{Cents, Split};
use crate::domain::{SessionId, UserId};

/// An account of the ledger, in the platform's words.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LedgerAccount {
    /// Money from (negative) and back to (positive) a learner's card.
    Learner(UserId),
    /// The platform's fees.
    PlatformFees,
    /// A mentor's earnings for sessions still inside their dispute window.
    MentorPending(UserId),
    /// A mentor's earnings past the window, waiting to be transferred.
    MentorAvailable(UserId),
    /// A mentor's earnings transferred to their connected account.
    MentorPaidOut(UserId),
    /// A mentor's earnings frozen by a dispute.
    MentorHeld(UserId),
}

/// One line of an entry: an amount (positive in, negative out) on an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Posting {
    /// The account moved.
    pub account: LedgerAccount,
    /// Cents in (positive) or out (negative).
    pub amount: i64,
}

/// What moved money, with what it needs to say where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Movement {
    /// The learner paid for a session: fee to the platform, the rest pending for the mentor.
    Charged {
        /// The session paid for.
        session: SessionId,
        /// Who paid.
        learner: UserId,
        /// Who earns.
        mentor: UserId,
        /// The charge and its parts.
        split: Split,
    },
    /// The dispute window passed: the mentor's earning is available.
    Released {
        /// The session.
        session: SessionId,
        /// Whose earning.
        mentor: UserId,
        /// The earning.
        earning: Cents,
    },
    /// The earning was transferred to the mentor's connected account.
    TransferredOut {
        /// The session.
        session: SessionId,
        /// To whom.
        mentor: UserId,
        /// How much.
        earning: Cents,
    },
    /// Part or all of a charge went back to the learner; the fee and the earning give back
    /// their shares, the earning from wherever it has got to.
    Refunded {
        /// What the refund is for (the session: one refund each): one entry per refund.
        refund: String,
        /// Who is refunded.
        learner: UserId,
        /// Whose earning shrinks.
        mentor: UserId,
        /// The refund and its parts.
        split: Split,
        /// Where the mentor's part is taken from (a transferred one is reversed).
        from: EarningStage,
    },
    /// A dispute froze the mentor's earning where it was (nothing, once transferred).
    DisputeOpened {
        /// The provider's dispute id.
        dispute: String,
        /// Whose earning.
        mentor: UserId,
        /// How much is frozen.
        earning: Cents,
        /// Where it is frozen from.
        from: EarningStage,
    },
    /// A dispute closed in the platform's favour: the earning goes back where it was.
    DisputeWon {
        /// The provider's dispute id.
        dispute: String,
        /// Whose earning.
        mentor: UserId,
        /// How much is unfrozen.
        earning: Cents,
        /// Where it goes back to.
        to: EarningStage,
    },
    /// A dispute was lost: the learner's bank took back what was left of the charge; the
    /// fee and the frozen earning give back their parts.
    DisputeLost {
        /// The provider's dispute id.
        dispute: String,
        /// Who got the money back.
        learner: UserId,
        /// Whose earning goes.
        mentor: UserId,
        /// What was left of the charge, and its parts.
        split: Split,
        /// Where the earning is taken from (frozen, or already transferred).
        from: EarningStage,
    },
}

/// Where a mentor's earning stands.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EarningStage {
    /// Inside the dispute window.
    #[default]
    Pending,
    /// Past it, not yet transferred.
    Available,
    /// Transferred.
    PaidOut,
    /// Frozen by an open dispute.
    Held,
    /// Lost to a dispute.
    Forfeited,
}

impl EarningStage {
    /// The mentor's account holding an earning at this stage (a forfeited one was last held).
    pub fn account(self, mentor: &UserId) -> LedgerAccount {
        let mentor = mentor.clone();
        match self {
            Self::Pending => LedgerAccount::MentorPending(mentor),
            Self::Available => LedgerAccount::MentorAvailable(mentor),
            Self::PaidOut => LedgerAccount::MentorPaidOut(mentor),
            Self::Held | Self::Forfeited => LedgerAccount::MentorHeld(mentor),
        }
    }
}

/// An entry would not balance, or an amount does not fit a ledger amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a ledger entry must balance, in amounts that fit")]
pub struct Unbalanced;

/// One balanced entry: its key (the same movement always has the same key, so the store
/// writes it once) and its postings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerEntry {
    /// The natural key of the movement: a second write of the same movement is refused.
    pub key: String,
    /// What happened.
    pub movement: Movement,
    /// Lines summing to zero.
    pub postings: Vec<Posting>,
}

impl LedgerEntry {
    /// The entry for `movement`: its postings, checked to balance.
    pub fn of(movement: Movement) -> Result<Self, Unbalanced> {
        let postings = movement.postings()?;
        let sum = postings.iter().try_fold(0i64, |sum, posting| sum.checked_add(posting.amount)).ok_or(Unbalanced)?;
        if sum != 0 {
            return Err(Unbalanced);
        }
        Ok(Self { key: movement.key(), movement, postings })
    }
}

impl Movement {
    /// The natural key: one entry per session stage, refund or dispute step.
    pub fn key(&self) -> String {
        match self {
            Self::Charged { session, .. } => format!("CHARGE#{session}"),
            Self::Released { session, .. } => format!("RELEASE#{session}"),
            Self::TransferredOut { session, .. } => format!("TRANSFER#{session}"),
            Self::Refunded { refund, .. } => format!("REFUND#{refund}"),
            Self::DisputeOpened { dispute, .. } => format!("DISPUTE#{dispute}#OPENED"),
            Self::DisputeWon { dispute, .. } => format!("DISPUTE#{dispute}#WON"),
            Self::DisputeLost { dispute, .. } => format!("DISPUTE#{dispute}#LOST"),
        }
    }

    fn postings(&self) -> Result<Vec<Posting>, Unbalanced> {
        use LedgerAccount::*;
        let line = |account: LedgerAccount, amount: Cents, sign: i64| -> Result<Posting, Unbalanced> {
            Ok(Posting { account, amount: amount.signed().ok_or(Unbalanced)? * sign })
        };
        let transfer = |from: LedgerAccount, to: LedgerAccount, amount: Cents| -> Result<Vec<Posting>, Unbalanced> {
            Ok(vec![line(from, amount, -1)?, line(to, amount, 1)?])
        };
        match self {
            Self::Charged { learner, mentor, split, .. } => Ok(vec![
                line(Learner(learner.clone()), split.charged, -1)?,
                line(PlatformFees, split.fee, 1)?,
                line(MentorPending(mentor.clone()), split.earning, 1)?,
            ]),
            Self::Released { mentor, earning, .. } => {
                transfer(MentorPending(mentor.clone()), MentorAvailable(mentor.clone()), *earning)
            }
            Self::TransferredOut { mentor, earning, .. } => {
                transfer(MentorAvailable(mentor.clone()), MentorPaidOut(mentor.clone()), *earning)
            }
            Self::Refunded { learner, mentor, split, from, .. }
            | Self::DisputeLost { learner, mentor, split, from, .. } => Ok(vec![
                line(Learner(learner.clone()), split.charged, 1)?,
                line(PlatformFees, split.fee, -1)?,
                line(from.account(mentor), split.earning, -1)?,
            ]),
            Self::DisputeOpened { mentor, earning, from, .. } => {
                transfer(from.account(mentor), MentorHeld(mentor.clone()), *earning)
            }
            Self::DisputeWon { mentor, earning, to, .. } => {
                transfer(MentorHeld(mentor.clone()), to.account(mentor), *earning)
            }
        }
    }
}

/// A member's money, as their wallet shows it: each a sum of their accounts' postings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Wallet {
    /// What they paid for sessions, net of refunds (a learner's side).
    pub spent: i64,
    /// Earnings inside the dispute window.
    pub pending: i64,
    /// Earnings past it, waiting to be transferred.
    pub available: i64,
    /// Earnings transferred to their payout account.
    pub paid_out: i64,
    /// Earnings frozen by a dispute.
    pub held: i64,
}

impl LedgerAccount {
    /// The member whose wallet shows this account, and which line of it (with the sign
    /// the wallet shows: a learner's outflow is spending); `None` for the platform's.
    pub fn wallet_line(&self) -> Option<(&UserId, &'static str, i64)> {
        match self {
            Self::Learner(member) => Some((member, "spent", -1)),
            Self::MentorPending(member) => Some((member, "pending", 1)),
            Self::MentorAvailable(member) => Some((member, "available", 1)),
            Self::MentorPaidOut(member) => Some((member, "paid_out", 1)),
            Self::MentorHeld(member) => Some((member, "held", 1)),
            Self::PlatformFees => None,
        }
    }

    /// The account's name in storage and reports: `learner:<id>`, `platform_fees`, ...
    pub fn name(&self) -> String {
        match self {
            Self::Learner(member) => format!("learner:{member}"),
            Self::PlatformFees => "platform_fees".into(),
            Self::MentorPending(member) => format!("mentor_pending:{member}"),
            Self::MentorAvailable(member) => format!("mentor_available:{member}"),
            Self::MentorPaidOut(member) => format!("mentor_paid_out:{member}"),
            Self::MentorHeld(member) => format!("mentor_held:{member}"),
        }
    }
}

/// Balances by account, the sum of their postings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Balances(BTreeMap<LedgerAccount, i64>);

impl Balances {
    /// Adds `entry`'s postings.
    pub fn apply(&mut self, entry: &LedgerEntry) -> Result<(), Unbalanced> {
        for posting in &entry.postings {
            let balance = self.0.entry(posting.account.clone()).or_default();
            *balance = balance.checked_add(posting.amount).ok_or(Unbalanced)?;
        }
        Ok(())
    }

    /// The balance of `account` (zero if never moved).
    pub fn of(&self, account: &LedgerAccount) -> i64 {
        self.0.get(account).copied().unwrap_or(0)
    }

    /// The sum over every account: zero, always (the ledger's invariant).
    pub fn total(&self) -> i128 {
        self.0.values().map(|&amount| i128::from(amount)).sum()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;
    use ulid::Ulid;

    use super::*;
    use crate::domain::payments::FeePercent;

    fn user(n: u128) -> UserId {
        UserId::new(Ulid(n))
    }

    fn session(n: u128) -> SessionId {
        SessionId::new(Ulid(n))
    }

    #[test]
    fn a_paid_session_moves_through_the_mentors_accounts() {
        let (learner, mentor) = (user(1), user(2));
        let split = Split::of(Cents::new(5000), FeePercent::new(15).unwrap());
        let movements = [
            Movement::Charged { session: session(9), learner: learner.clone(), mentor: mentor.clone(), split },
            Movement::Released { session: session(9), mentor: mentor.clone(), earning: split.earning },
            Movement::TransferredOut { session: session(9), mentor: mentor.clone(), earning: split.earning },
        ];
        let mut balances = Balances::default();
        for movement in movements {
            balances.apply(&LedgerEntry::of(movement).unwrap()).unwrap();
            assert_eq!(balances.total(), 0);
        }
        assert_eq!(balances.of(&LedgerAccount::Learner(learner.clone())), -5000);
        assert_eq!(balances.of(&LedgerAccount::PlatformFees), 750);
        assert_eq!(balances.of(&LedgerAccount::MentorPending(mentor.clone())), 0);
        assert_eq!(balances.of(&LedgerAccount::MentorPaidOut(mentor.clone())), 4250);

        // A half refund after the transfer reverses half the transfer and half the fee.
        let refund = Movement::Refunded {
            refund: "re_1".into(),
            learner: learner.clone(),
            mentor: mentor.clone(),
            split: split.refund_percent(50),
            from: EarningStage::PaidOut,
        };
        let entry = LedgerEntry::of(refund).unwrap();
        assert_eq!(entry.key, "REFUND#re_1");
        balances.apply(&entry).unwrap();
        assert_eq!(balances.of(&LedgerAccount::Learner(learner)), -2500);
        assert_eq!(balances.of(&LedgerAccount::PlatformFees), 375);
        assert_eq!(balances.of(&LedgerAccount::MentorPaidOut(mentor)), 2125);
        assert_eq!(balances.total(), 0);
    }

    #[test]
    fn each_movement_has_one_key() {
        let split = Split::of(Cents::new(100), FeePercent::new(15).unwrap());
        let charged = Movement::Charged { session: session(3), learner: user(1), mentor: user(2), split };
        assert_eq!(charged.key(), format!("CHARGE#{}", session(3)));
        let opened = Movement::DisputeOpened {
            dispute: "dp_1".into(),
            mentor: user(2),
            earning: split.earning,
            from: EarningStage::Pending,
        };
        let won = Movement::DisputeWon {
            dispute: "dp_1".into(),
            mentor: user(2),
            earning: split.earning,
            to: EarningStage::Pending,
        };
        assert_ne!(opened.key(), won.key());
    }

    #[test]
    fn an_amount_beyond_a_ledger_amount_is_refused() {
        let split = Split { charged: Cents::new(u64::MAX), fee: Cents::ZERO, earning: Cents::new(u64::MAX) };
        let charged = Movement::Charged { session: session(3), learner: user(1), mentor: user(2), split };
        assert_eq!(LedgerEntry::of(charged), Err(Unbalanced));
    }

    fn movement() -> impl Strategy<Value = Movement> {
        let split = (0u64..1_000_000, 0u8..=100, 0u8..=100).prop_map(|(charged, fee, refunded)| {
            let split = Split::of(Cents::new(charged), FeePercent::new(fee).unwrap());
            (split, split.refund_percent(refunded))
        });
        let stage = prop::sample::select(vec![
            EarningStage::Pending,
            EarningStage::Available,
            EarningStage::PaidOut,
            EarningStage::Held,
            EarningStage::Forfeited,
        ]);
        (0u128..4, 0u128..4, 0u128..8, split, stage, 0usize..7).prop_map(
            |(learner, mentor, id, (split, refund), from, kind)| {
                let (learner, mentor, earning) = (user(learner), user(10 + mentor), split.earning);
                match kind {
                    0 => Movement::Charged { session: session(id), learner, mentor, split },
                    1 => Movement::Released { session: session(id), mentor, earning },
                    2 => Movement::TransferredOut { session: session(id), mentor, earning },
                    3 => Movement::Refunded { refund: format!("re_{id}"), learner, mentor, split: refund, from },
                    4 => Movement::DisputeOpened { dispute: format!("dp_{id}"), mentor, earning, from },
                    5 => Movement::DisputeWon { dispute: format!("dp_{id}"), mentor, earning, to: from },
                    _ => Movement::DisputeLost { dispute: format!("dp_{id}"), learner, mentor, split, from },
                }
            },
        )
    }

    proptest! {
        #[test]
        fn the_sum_of_all_accounts_is_always_zero(movements in prop::collection::vec(movement(), 0..60)) {
            let mut balances = Balances::default();
            for movement in movements {
                let entry = LedgerEntry::of(movement).unwrap();
                prop_assert_eq!(entry.postings.iter().map(|p| p.amount).sum::<i64>(), 0);
                balances.apply(&entry).unwrap();
                prop_assert_eq!(balances.total(), 0);
            }
        }
    }
}
