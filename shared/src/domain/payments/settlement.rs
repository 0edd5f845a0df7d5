//! What happens to a paid session's money once the session ends: the learner's refund by
//! notice, the mentor's earning held through the dispute window, then released and
//! transferred. Pure: the payouts job asks the provider for what these say is due, and the
//! store writes the ledger entries [`money_moved`] derives from each change, in the same
//! transaction as the change.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Cancellation, Cents, EarningStage, Movement, Split, refund_percent};
use crate::domain::{Booking, CancelledBy, Party, Policy, SessionPayment, SessionState};

/// What a paid session gives back to its learner, decided when it ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionRefund {
    /// The percent of the charge refunded (the notice rule).
    pub percent: u8,
    /// The amount refunded.
    #[serde(rename = "amount_cents")]
    #[schema(value_type = u64)]
    pub amount: Cents,
    /// The provider's refund, once it was issued (the payouts job issues it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
}

/// Where a dispute of a session's charge stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DisputeStatus {
    /// The bank has not decided: the mentor's earning is frozen.
    Open,
    /// Decided for the platform: the earning goes on where it was.
    Won,
    /// Decided for the learner: the bank took the money back.
    Lost,
}

/// The learner's bank disputing a session's charge.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionDispute {
    /// The provider's dispute.
    pub id: String,
    /// Where it stands.
    pub status: DisputeStatus,
    /// Where the mentor's earning was when the dispute opened.
    pub held_from: EarningStage,
}

/// The provider's steps a session's money waits for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyStep {
    /// Refund `amount` of `payment` (once, by the session's key).
    Refund {
        /// The provider's payment.
        payment: String,
        /// How much.
        amount: Cents,
    },
    /// The dispute window passed: the earning becomes available.
    Release,
    /// Transfer the available `earning` to the mentor, from `charge` when known.
    Transfer {
        /// The mentor's earning.
        earning: Cents,
        /// The charge the money came from.
        charge: Option<String>,
    },
    /// A dispute lost after the transfer: take `amount` of `transfer` back from the mentor.
    Reverse {
        /// The provider's transfer.
        transfer: String,
        /// How much.
        amount: Cents,
    },
}

impl SessionPayment {
    /// Whether a dispute of the charge is open: its money waits for the bank's decision.
    pub fn disputed(&self) -> bool {
        self.dispute.as_ref().is_some_and(|dispute| dispute.status == DisputeStatus::Open)
    }

    /// Whether a dispute was lost after the earning was transferred, and the transfer is
    /// not reversed yet.
    fn reversal_due(&self) -> bool {
        self.reversal.is_none()
            && self.transfer.is_some()
            && self.dispute.as_ref().is_some_and(|dispute| {
                dispute.status == DisputeStatus::Lost && dispute.held_from == EarningStage::PaidOut
            })
    }
}

impl Booking {
    /// The charge's split, as fixed when the money arrived; `None` for an unpaid session.
    pub fn paid_split(&self) -> Option<Split> {
        let payment = self.payment.as_ref().filter(|payment| payment.paid_at.is_some())?;
        let earning = self.charge.checked_sub(payment.fee)?;
        Some(Split { charged: self.charge, fee: payment.fee, earning })
    }

    /// What the mentor still earns after the learner's refund (nothing for an unpaid session).
    pub fn remaining_earning(&self) -> Cents {
        let Some(split) = self.paid_split() else { return Cents::ZERO };
        let refunded = self.refunded_split().map_or(Cents::ZERO, |refund| refund.earning);
        split.earning.checked_sub(refunded).unwrap_or(Cents::ZERO)
    }

    /// The part of the split the learner's refund gives back.
    fn refunded_split(&self) -> Option<Split> {
        let refund = self.payment.as_ref()?.refund.as_ref()?;
        self.paid_split()?.refund(refund.amount)
    }

    /// How the session ended, for the notice rule; `None` when it was held.
    fn ending(&self) -> Option<Cancellation> {
        match self.state {
            SessionState::Cancelled => {
                let cancellation = self.cancellation.as_ref()?;
                Some(match cancellation.by {
                    CancelledBy::Learner => Cancellation::ByLearner { notice: self.slot.start() - cancellation.at },
                    // The platform calling a session off is never the learner's loss.
                    CancelledBy::Mentor | CancelledBy::Admin => Cancellation::ByMentor,
                })
            }
            SessionState::NoShow => Some(match self.no_show? {
                Party::Mentor => Cancellation::MentorNoShow,
                Party::Learner => Cancellation::LearnerNoShow,
            }),
            _ => None,
        }
    }

    /// Settles the money of a paid session that just ended (completed, cancelled or a
    /// no-show) at `now`: the refund the notice rule gives the learner, and, when the mentor
    /// still earns something, the end of its dispute window. Once only.
    pub(crate) fn settle(&mut self, now: DateTime<Utc>, policy: &Policy) {
        let (Some(split), Some(ending)) = (self.paid_split(), self.state.is_final().then(|| self.ending())) else {
            return;
        };
        let percent = ending.map_or(0, |ending| refund_percent(ending, self.late_cancel));
        let refund = split.refund_percent(percent);
        let Some(payment) = self.payment.as_mut() else { return };
        if payment.refund.is_some() || payment.release_at.is_some() {
            return;
        }
        if refund.charged > Cents::ZERO {
            payment.refund = Some(SessionRefund { percent, amount: refund.charged, id: None });
        }
        if refund.earning < split.earning {
            payment.release_at = Some(now + policy.dispute_window);
        }
    }

    /// When the payouts job has something to do for this session: a refund to issue at
    /// once, an earning to release at the end of its window, or one to transfer.
    pub fn money_due(&self) -> Option<DateTime<Utc>> {
        let payment = self.payment.as_ref().filter(|payment| payment.paid_at.is_some() && !payment.disputed())?;
        if payment.refund.as_ref().is_some_and(|refund| refund.id.is_none()) || payment.reversal_due() {
            return Some(self.updated_at);
        }
        match payment.earning {
            EarningStage::Pending if self.remaining_earning() > Cents::ZERO => payment.release_at,
            EarningStage::Available => Some(payment.retry_at.unwrap_or(self.updated_at)),
            _ => None,
        }
    }

    /// The next step the provider must take for this session's money at `now`, if one is due.
    pub fn money_step(&self, now: DateTime<Utc>) -> Option<MoneyStep> {
        let payment = self.payment.as_ref().filter(|payment| payment.paid_at.is_some() && !payment.disputed())?;
        if let Some(refund) = payment.refund.as_ref().filter(|refund| refund.id.is_none()) {
            return Some(MoneyStep::Refund { payment: payment.id.clone(), amount: refund.amount });
        }
        if let Some(transfer) = payment.transfer.as_ref().filter(|_| payment.reversal_due()) {
            return Some(MoneyStep::Reverse { transfer: transfer.clone(), amount: self.remaining_earning() });
        }
        let earning = self.remaining_earning();
        match payment.earning {
            EarningStage::Pending if earning > Cents::ZERO && payment.release_at.is_some_and(|at| at <= now) => {
                Some(MoneyStep::Release)
            }
            EarningStage::Available if payment.retry_at.is_none_or(|at| at <= now) => {
                Some(MoneyStep::Transfer { earning, charge: payment.charge.clone() })
            }
            _ => None,
        }
    }

    /// The session once the learner's bank opened dispute `id` on its charge: the mentor's
    /// earning is frozen where it is (an earning already transferred stays with the
    /// mentor). Once per session.
    pub fn dispute_opened(&self, id: String, now: DateTime<Utc>) -> Option<Booking> {
        self.money_changed(now, |payment| {
            payment.dispute.is_none().then_some(())?;
            let held_from = payment.earning;
            if matches!(held_from, EarningStage::Pending | EarningStage::Available) {
                payment.earning = EarningStage::Held;
            }
            payment.dispute = Some(SessionDispute { id, status: DisputeStatus::Open, held_from });
            Some(())
        })
    }

    /// The session once dispute `id` closed, `won` or lost. Won, a frozen earning goes on
    /// where it was (its release no earlier than now, so the job still finds it); lost, it
    /// is forfeited.
    pub fn dispute_closed(&self, id: &str, won: bool, now: DateTime<Utc>) -> Option<Booking> {
        self.money_changed(now, |payment| {
            let dispute = payment.dispute.as_mut().filter(|d| d.id == id && d.status == DisputeStatus::Open)?;
            dispute.status = if won { DisputeStatus::Won } else { DisputeStatus::Lost };
            let held_from = dispute.held_from;
            if payment.earning == EarningStage::Held {
                payment.earning = if won { held_from } else { EarningStage::Forfeited };
                if won && held_from == EarningStage::Pending {
                    payment.release_at = payment.release_at.map(|at| at.max(now));
                }
            }
            Some(())
        })
    }

    /// The session once the provider issued its refund `id`.
    pub fn refund_issued(&self, id: String, now: DateTime<Utc>) -> Option<Booking> {
        self.money_changed(now, |payment| {
            let refund = payment.refund.as_mut().filter(|refund| refund.id.is_none())?;
            refund.id = Some(id);
            Some(())
        })
    }

    /// The session once the provider reversed its transfer by `reversal`.
    pub fn transfer_reversed(&self, reversal: String, now: DateTime<Utc>) -> Option<Booking> {
        self.money_changed(now, |payment| {
            payment.reversal_due().then_some(())?;
            payment.reversal = Some(reversal);
            Some(())
        })
    }

    /// The session once its earning left the dispute window.
    pub fn released(&self, now: DateTime<Utc>) -> Option<Booking> {
        if !matches!(self.money_step(now), Some(MoneyStep::Release)) {
            return None;
        }
        self.money_changed(now, |payment| {
            payment.earning = EarningStage::Available;
            Some(())
        })
    }

    /// The session once its earning was transferred to the mentor by `transfer`.
    pub fn paid_out(&self, transfer: String, now: DateTime<Utc>) -> Option<Booking> {
        self.money_changed(now, |payment| {
            (payment.earning == EarningStage::Available).then_some(())?;
            payment.earning = EarningStage::PaidOut;
            payment.transfer = Some(transfer);
            payment.retry_at = None;
            Some(())
        })
    }

    /// The session with its transfer put off until `until` (the mentor cannot be paid yet).
    pub fn transfer_deferred(&self, until: DateTime<Utc>, now: DateTime<Utc>) -> Option<Booking> {
        self.money_changed(now, |payment| {
            (payment.earning == EarningStage::Available).then_some(())?;
            payment.retry_at = Some(until);
            Some(())
        })
    }

    fn money_changed(
        &self,
        now: DateTime<Utc>,
        change: impl FnOnce(&mut SessionPayment) -> Option<()>,
    ) -> Option<Booking> {
        let mut next = self.clone();
        change(next.payment.as_mut().filter(|payment| payment.paid_at.is_some())?)?;
        next.updated_at = now;
        next.version = self.version.saturating_add(1);
        Some(next)
    }
}

/// The ledger movements the change from `before` to `after` made: the charge when the
/// money arrived, the refund when it was decided, the release and the transfer of the
/// earning. The store writes them with the change, each by its natural key (so a change
/// saved twice cannot move money twice).
pub fn money_moved(before: &Booking, after: &Booking) -> Vec<Movement> {
    let Some(split) = after.paid_split() else { return Vec::new() };
    let (session, learner, mentor) = (&after.id, &after.learner, &after.mentor);
    let was_paid = before.paid_split().is_some();
    let stage_before = before.payment.as_ref().filter(|_| was_paid).map_or(EarningStage::Pending, |p| p.earning);
    let mut moved = Vec::new();
    if !was_paid {
        moved.push(Movement::Charged {
            session: session.clone(),
            learner: learner.clone(),
            mentor: mentor.clone(),
            split,
        });
    }
    let refunded_before = was_paid && before.refunded_split().is_some();
    if let Some(refund) = after.refunded_split().filter(|refund| !refunded_before && refund.charged > Cents::ZERO) {
        moved.push(Movement::Refunded {
            refund: session.to_string(),
            learner: learner.clone(),
            mentor: mentor.clone(),
            split: refund,
            from: stage_before,
        });
    }
    let stage_after = after.payment.as_ref().map_or(EarningStage::Pending, |payment| payment.earning);
    let earning = after.remaining_earning();
    let dispute_before = before.payment.as_ref().filter(|_| was_paid).and_then(|p| p.dispute.as_ref());
    if let Some(dispute) = after.payment.as_ref().and_then(|p| p.dispute.as_ref()) {
        let (id, held) =
            (dispute.id.clone(), stage_after == EarningStage::Held || dispute.held_from != EarningStage::PaidOut);
        let frozen = if held { earning } else { Cents::ZERO };
        let status_before = dispute_before.map(|d| d.status);
        if status_before.is_none() {
            moved.push(Movement::DisputeOpened {
                dispute: id.clone(),
                mentor: mentor.clone(),
                earning: frozen,
                from: dispute.held_from,
            });
        }
        match (status_before.unwrap_or(DisputeStatus::Open), dispute.status) {
            (DisputeStatus::Open, DisputeStatus::Won) => moved.push(Movement::DisputeWon {
                dispute: id,
                mentor: mentor.clone(),
                earning: frozen,
                to: dispute.held_from,
            }),
            (DisputeStatus::Open, DisputeStatus::Lost) => {
                let refunded = after.refunded_split().unwrap_or(Split {
                    charged: Cents::ZERO,
                    fee: Cents::ZERO,
                    earning: Cents::ZERO,
                });
                let left = Split {
                    charged: split.charged.checked_sub(refunded.charged).unwrap_or(Cents::ZERO),
                    fee: split.fee.checked_sub(refunded.fee).unwrap_or(Cents::ZERO),
                    earning,
                };
                let from = if held { EarningStage::Held } else { EarningStage::PaidOut };
                moved.push(Movement::DisputeLost {
                    dispute: id,
                    learner: learner.clone(),
                    mentor: mentor.clone(),
                    split: left,
                    from,
                });
            }
            _ => {}
        }
    }
    let released = Movement::Released { session: session.clone(), mentor: mentor.clone(), earning };
    let transferred = Movement::TransferredOut { session: session.clone(), mentor: mentor.clone(), earning };
    match (stage_before, stage_after) {
        (EarningStage::Pending, EarningStage::Available) => moved.push(released),
        (EarningStage::Available, EarningStage::PaidOut) => moved.push(transferred),
        (EarningStage::Pending, EarningStage::PaidOut) => moved.extend([released, transferred]),
        _ => {}
    }
    moved
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;
    use ulid::Ulid;

    use super::*;
    use crate::domain::payments::{Balances, LateCancelPolicy, LedgerAccount, LedgerEntry};
    use crate::domain::{Actor, Move, SessionId, SessionLength, ShortText, Slot, SlotStart, UserId};

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 6, day, hour, 0, 0).unwrap()
    }

    const LEARNER: Actor = Actor::Participant(Party::Learner);
    const MENTOR: Actor = Actor::Participant(Party::Mentor);

    /// A 60.00 session on June 12th 15:00-16:00, paid on the 10th, under `late_cancel`.
    fn paid(late_cancel: LateCancelPolicy) -> Booking {
        let slot = Slot::new(SlotStart::new(at(12, 15)).unwrap(), SessionLength::Min60);
        let requested = Booking::request(
            SessionId::new(Ulid(7)),
            UserId::new(Ulid(1)),
            UserId::new(Ulid(2)),
            slot,
            ShortText::parse("Rust").unwrap(),
            None,
            at(10, 9),
        )
        .unwrap()
        .priced(Cents::new(6000), late_cancel);
        let policy = Policy::default();
        let (accepted, _) = requested.apply(MENTOR, Move::Accept, at(10, 9), &policy).unwrap();
        let paying = accepted.paying(LEARNER, "pi_1", at(10, 9)).unwrap();
        let (confirmed, _) = paying
            .apply(
                Actor::System,
                Move::Paid { payment: "pi_1".into(), charge: Some("ch_1".into()) },
                at(10, 9),
                &policy,
            )
            .unwrap();
        confirmed
    }

    fn ended(booking: &Booking, actor: Actor, mv: Move, now: DateTime<Utc>) -> Booking {
        booking.apply(actor, mv, now, &Policy::default()).unwrap().0
    }

    fn refund_of(booking: &Booking) -> Option<(u8, u64)> {
        booking.payment.as_ref().unwrap().refund.as_ref().map(|refund| (refund.percent, refund.amount.get()))
    }

    #[test]
    fn the_fee_is_fixed_when_the_money_arrives() {
        let booking = paid(LateCancelPolicy::NoRefund);
        assert_eq!(
            booking.paid_split().unwrap(),
            Split { charged: Cents::new(6000), fee: Cents::new(900), earning: Cents::new(5100) }
        );
        assert_eq!(money_moved(&booking, &booking), vec![]);
    }

    #[test]
    fn how_a_session_ends_decides_the_refund_and_the_release() {
        use LateCancelPolicy::*;
        let cancel = || Move::Cancel { reason: None };
        // (policy, who ends it, how, when) -> (refund percent and amount, the mentor's remaining earning)
        let cases = [
            (NoRefund, LEARNER, cancel(), at(11, 15), Some((100, 6000)), 0),
            (NoRefund, LEARNER, cancel(), at(11, 16), None, 5100),
            (HalfRefund, LEARNER, cancel(), at(12, 14), Some((50, 3000)), 2550),
            (FullRefund, LEARNER, cancel(), at(12, 14), Some((100, 6000)), 0),
            (NoRefund, MENTOR, cancel(), at(12, 14), Some((100, 6000)), 0),
            (NoRefund, Actor::Admin, cancel(), at(12, 14), Some((100, 6000)), 0),
            (FullRefund, MENTOR, Move::ReportNoShow, at(12, 16), None, 5100),
            (NoRefund, LEARNER, Move::ReportNoShow, at(12, 16), Some((100, 6000)), 0),
        ];
        for (policy, actor, mv, now, refund, remaining) in cases {
            let label = format!("{policy:?} {actor:?} {mv:?} at {now}");
            let done = ended(&paid(policy), actor, mv, now);
            assert_eq!(refund_of(&done), refund, "{label}");
            assert_eq!(done.remaining_earning().get(), remaining, "{label}");
            let payment = done.payment.as_ref().unwrap();
            assert_eq!(payment.release_at, (remaining > 0).then(|| now + Duration::hours(48)), "{label}");
        }
    }

    #[test]
    fn a_completed_session_pays_the_mentor_after_the_dispute_window() {
        let done = ended(&paid(LateCancelPolicy::NoRefund), LEARNER, Move::Complete, at(12, 17));
        assert_eq!(refund_of(&done), None);
        assert_eq!(done.money_due(), Some(at(14, 17)));
        assert_eq!(done.money_step(at(14, 16)), None);
        assert_eq!(done.released(at(14, 16)), None, "not before the window ends");
        let released = done.released(at(14, 17)).unwrap();
        assert_eq!(released.money_due(), Some(at(14, 17)));
        assert_eq!(
            released.money_step(at(14, 17)),
            Some(MoneyStep::Transfer { earning: Cents::new(5100), charge: Some("ch_1".into()) })
        );
        let deferred = released.transfer_deferred(at(15, 17), at(14, 17)).unwrap();
        assert_eq!((deferred.money_due(), deferred.money_step(at(15, 0))), (Some(at(15, 17)), None));
        let out = deferred.paid_out("tr_1".into(), at(15, 17)).unwrap();
        assert_eq!((out.money_due(), out.money_step(at(20, 0))), (None, None));
        assert_eq!(out.paid_out("tr_2".into(), at(15, 18)), None, "paid out once");
        assert_eq!(out.released(at(15, 18)), None);
        assert_eq!(out.version, done.version + 3);
    }

    #[test]
    fn a_refund_is_due_at_once_and_issued_once() {
        let cancelled = ended(&paid(LateCancelPolicy::HalfRefund), LEARNER, Move::Cancel { reason: None }, at(12, 14));
        assert_eq!(cancelled.money_due(), Some(at(12, 14)));
        assert_eq!(
            cancelled.money_step(at(12, 14)),
            Some(MoneyStep::Refund { payment: "pi_1".into(), amount: Cents::new(3000) })
        );
        let issued = cancelled.refund_issued("re_1".into(), at(12, 15)).unwrap();
        assert_eq!(issued.refund_issued("re_2".into(), at(12, 15)), None);
        // The half the mentor keeps is released after the window.
        assert_eq!(issued.money_due(), Some(at(14, 14)));
        assert_eq!(issued.money_step(at(14, 14)), Some(MoneyStep::Release));
    }

    #[test]
    fn an_unpaid_or_free_session_has_no_money_to_move() {
        let mut free = paid(LateCancelPolicy::NoRefund);
        free.payment = None;
        free.charge = Cents::ZERO;
        let cancelled = ended(&free, LEARNER, Move::Cancel { reason: None }, at(12, 14));
        assert_eq!((cancelled.money_due(), cancelled.money_step(at(20, 0))), (None, None));
        assert_eq!(money_moved(&free, &cancelled), vec![]);
        assert_eq!(cancelled.released(at(20, 0)), None);
    }

    /// Every path a paid session's money can take, applied change by change: the ledger
    /// balances after each, and the accounts end where the path says.
    #[test]
    fn the_ledger_follows_each_path_and_always_sums_to_zero() {
        let paths = [
            ("completed", LateCancelPolicy::NoRefund, LEARNER, Move::Complete, at(12, 17), -6000, 900, 5100),
            (
                "cancelled early",
                LateCancelPolicy::NoRefund,
                LEARNER,
                Move::Cancel { reason: None },
                at(10, 12),
                0,
                0,
                0,
            ),
            (
                "cancelled late, half back",
                LateCancelPolicy::HalfRefund,
                LEARNER,
                Move::Cancel { reason: None },
                at(12, 14),
                -3000,
                450,
                2550,
            ),
            ("learner absent", LateCancelPolicy::FullRefund, MENTOR, Move::ReportNoShow, at(12, 16), -6000, 900, 5100),
        ];
        for (label, policy, actor, mv, now, learner, fees, paid_out) in paths {
            let mut balances = Balances::default();
            let mut apply = |before: &Booking, after: &Booking| {
                for movement in money_moved(before, after) {
                    balances.apply(&LedgerEntry::of(movement).unwrap()).unwrap();
                }
                assert_eq!(balances.total(), 0, "{label}");
            };
            let accepted = {
                let mut unpaid = paid(policy);
                unpaid.payment.as_mut().unwrap().paid_at = None;
                unpaid
            };
            let mut current = paid(policy);
            apply(&accepted, &current);
            let done = ended(&current, actor, mv, now);
            apply(&current, &done);
            current = done;
            let later = now + Duration::days(3);
            while let Some(step) = current.money_step(later) {
                let next = match step {
                    MoneyStep::Refund { .. } => current.refund_issued("re_1".into(), later),
                    MoneyStep::Release => current.released(later),
                    MoneyStep::Transfer { .. } => current.paid_out("tr_1".into(), later),
                    MoneyStep::Reverse { .. } => current.transfer_reversed("trr_1".into(), later),
                }
                .unwrap();
                apply(&current, &next);
                current = next;
            }
            let (learner_id, mentor_id) = (current.learner.clone(), current.mentor.clone());
            assert_eq!(balances.of(&LedgerAccount::Learner(learner_id)), learner, "{label}");
            assert_eq!(balances.of(&LedgerAccount::PlatformFees), fees, "{label}");
            assert_eq!(balances.of(&LedgerAccount::MentorPaidOut(mentor_id.clone())), paid_out, "{label}");
            assert_eq!(balances.of(&LedgerAccount::MentorPending(mentor_id)), 0, "{label}");
        }
    }

    /// One change of a session's money.
    type Change<'a> = &'a dyn Fn(&Booking) -> Option<Booking>;

    /// Applies `changes` in turn from `start`, summing the ledger movements of each.
    fn ledger_of(start: &Booking, changes: &[Change]) -> (Booking, Balances) {
        let mut balances = Balances::default();
        let mut current = start.clone();
        for change in changes {
            let next = change(&current).unwrap();
            for movement in money_moved(&current, &next) {
                balances.apply(&LedgerEntry::of(movement).unwrap()).unwrap();
            }
            assert_eq!(balances.total(), 0);
            current = next;
        }
        (current, balances)
    }

    #[test]
    fn a_dispute_freezes_the_earning_until_the_bank_decides() {
        let done = ended(&paid(LateCancelPolicy::NoRefund), LEARNER, Move::Complete, at(12, 17));
        let (mentor, learner) = (done.mentor.clone(), done.learner.clone());
        let open = |b: &Booking| b.dispute_opened("dp_1".into(), at(13, 0));
        let won = |b: &Booking| b.dispute_closed("dp_1", true, at(20, 0));
        let lost = |b: &Booking| b.dispute_closed("dp_1", false, at(20, 0));
        let release = |b: &Booking| b.released(at(20, 0));
        let pay = |b: &Booking| b.paid_out("tr_1".into(), at(20, 0));

        let (held, balances) = ledger_of(&done, &[&open]);
        assert_eq!(balances.of(&LedgerAccount::MentorHeld(mentor.clone())), 5100);
        assert_eq!(balances.of(&LedgerAccount::MentorPending(mentor.clone())), -5100, "moved out of pending");
        assert_eq!((held.money_due(), held.money_step(at(20, 0))), (None, None), "nothing moves while open");
        assert_eq!(held.dispute_opened("dp_2".into(), at(13, 0)), None, "one dispute per charge");
        assert_eq!(held.dispute_closed("dp_9", true, at(20, 0)), None, "only the open dispute closes");

        // Won after the window ended: released at once, then paid out.
        let (after_won, balances) = ledger_of(&done, &[&open, &won]);
        assert_eq!(after_won.money_due(), Some(at(20, 0)));
        assert_eq!(balances.of(&LedgerAccount::MentorHeld(mentor.clone())), 0);
        let (_, balances) = ledger_of(&done, &[&open, &won, &release, &pay]);
        assert_eq!(balances.of(&LedgerAccount::MentorPaidOut(mentor.clone())), 5100);

        // Lost: the learner has everything back, the platform's fee and the earning go
        // (balances here are changes since the session was paid).
        let (forfeited, balances) = ledger_of(&done, &[&open, &lost]);
        assert_eq!(balances.of(&LedgerAccount::Learner(learner.clone())), 6000);
        assert_eq!(balances.of(&LedgerAccount::PlatformFees), -900);
        assert_eq!(balances.of(&LedgerAccount::MentorHeld(mentor.clone())), 0);
        assert_eq!((forfeited.money_due(), forfeited.money_step(at(30, 0))), (None, None));

        // Lost after the transfer: it comes out of what the mentor was paid, and the
        // transfer is taken back (once).
        let (reversing, balances) = ledger_of(&done, &[&release, &pay, &open, &lost]);
        assert_eq!(
            reversing.money_step(at(20, 0)),
            Some(MoneyStep::Reverse { transfer: "tr_1".into(), amount: Cents::new(5100) })
        );
        assert_eq!(reversing.money_due(), Some(at(20, 0)));
        let reversed = reversing.transfer_reversed("trr_1".into(), at(20, 1)).unwrap();
        assert_eq!((reversed.money_step(at(30, 0)), reversed.money_due()), (None, None));
        assert_eq!(reversed.transfer_reversed("trr_2".into(), at(20, 2)), None);
        assert_eq!(money_moved(&reversing, &reversed), vec![], "the ledger took it out when the dispute was lost");
        assert_eq!(balances.of(&LedgerAccount::MentorPaidOut(mentor)), 0);
        assert_eq!(balances.of(&LedgerAccount::Learner(learner)), 6000);
    }

    proptest! {
        /// Whatever the price, fee and policy: the refund and the mentor's remaining
        /// earning never exceed what was paid, and the ledger of the whole path balances.
        #[test]
        fn a_refund_never_exceeds_the_charge(cents in 1u64..10_000_000, fee in 0u8..=100, policy in 0usize..3, minutes in 0i64..6000) {
            let policy = [LateCancelPolicy::NoRefund, LateCancelPolicy::HalfRefund, LateCancelPolicy::FullRefund][policy];
            let mut booking = paid(policy);
            booking.charge = Cents::new(cents);
            booking.payment.as_mut().unwrap().fee = Split::of(Cents::new(cents), crate::domain::payments::FeePercent::new(fee).unwrap()).fee;
            let now = at(12, 15) - Duration::minutes(minutes.max(1));
            let done = ended(&booking, LEARNER, Move::Cancel { reason: None }, now);
            let split = done.paid_split().unwrap();
            let refunded = done.payment.as_ref().unwrap().refund.as_ref().map_or(0, |refund| refund.amount.get());
            prop_assert!(refunded <= cents);
            prop_assert!(done.remaining_earning() <= split.earning);
            let mut balances = Balances::default();
            for movement in money_moved(&booking, &done) {
                balances.apply(&LedgerEntry::of(movement).unwrap()).unwrap();
            }
            prop_assert_eq!(balances.total(), 0);
        }
    }
}
