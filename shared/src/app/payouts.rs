//! The payouts job: what ended paid sessions wait for at the provider. It issues learners'
//! refunds, releases mentors' earnings once their dispute window passed, and transfers them,
//! each step saved on the session with the ledger entry it moves, so a rerun (or a retry
//! after a lost answer) repeats nothing: the provider dedupes by the session's idempotency
//! keys, the store by the session's version and each entry's key.

use chrono::{DateTime, Duration, Utc};

use super::{App, AppError};
use crate::domain::payments::{MoneyStep, PayoutStatus};
use crate::domain::{Actor, Booking, Move, Party, SessionState};
use crate::ports::{
    AccountChanges, AccountStore, Agenda, NewNotification, PaymentStore, SessionAgenda, SessionStore, SessionWriteError,
};

/// Money due this long ago is still picked up (the job may have been down, or a step kept
/// failing); the errors alarm says so long before.
const LOOKBACK: Duration = Duration::days(14);

/// A transfer to a mentor whose payouts are not enabled is tried again after this long.
pub const TRANSFER_RETRY: Duration = Duration::hours(12);

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct PayoutRun {
    /// Paid sessions nobody closed in the window after their end, completed by the platform.
    pub completed: usize,
    /// Refunds issued.
    pub refunded: usize,
    /// Earnings released from their dispute window.
    pub released: usize,
    /// Earnings transferred to mentors.
    pub transferred: usize,
    /// Transfers taken back after a dispute lost once the earning was transferred.
    pub reversed: usize,
    /// Transfers put off: the mentor's payouts are not enabled.
    pub deferred: usize,
    /// Sessions whose step failed at the provider (tried again next run).
    pub failed: usize,
}

impl<S: AccountStore + SessionStore + SessionAgenda + PaymentStore> App<S> {
    /// One run of the payouts job.
    pub async fn run_payouts(&self) -> Result<PayoutRun, AppError> {
        let now = self.clock.now();
        let mut run = PayoutRun::default();
        let window = self.policy.dispute_window;
        // By start, so from a little earlier than the window: the move itself checks the end.
        for booking in self.store.agenda(Agenda::Starts, now - window - LOOKBACK, now - window).await? {
            if booking.is_paid() && booking.state == SessionState::Confirmed && self.auto_complete(&booking).await? {
                run.completed += 1;
            }
        }
        for booking in self.store.agenda(Agenda::Money, now - LOOKBACK, now).await? {
            if let Err(error) = self.settle(booking, now, &mut run).await {
                // One session's failure (the provider down, a refused transfer) does not
                // hold up the others; it stays due and is tried again next run.
                tracing::warn!(%error, "a payout step failed");
                run.failed += 1;
            }
        }
        Ok(run)
    }

    /// Completes a paid session nobody completed or reported in time; false when it was
    /// not due or changed meanwhile.
    async fn auto_complete(&self, booking: &Booking) -> Result<bool, AppError> {
        let Ok((next, effect)) = booking.apply(Actor::System, Move::Complete, self.clock.now(), &self.policy) else {
            return Ok(false);
        };
        let notify: Vec<NewNotification> = [Party::Learner, Party::Mentor]
            .into_iter()
            .filter_map(|party| {
                let to = if party == Party::Learner { &next.learner } else { &next.mentor };
                NewNotification::session_moved(booking, &next, to)
            })
            .collect();
        let accounts = self.account_changes(booking, &next, &effect).await?;
        match self.store.save_session(&next, booking, &self.policy, &notify, &accounts).await {
            Ok(()) => Ok(true),
            Err(SessionWriteError::Stale) => Ok(false),
            Err(error) => Err(super::sessions::write_error(error)),
        }
    }

    /// Takes every step `booking`'s money is due for at `now`, in order.
    async fn settle(&self, mut current: Booking, now: DateTime<Utc>, run: &mut PayoutRun) -> Result<(), AppError> {
        while let Some(step) = current.money_step(now) {
            let (next, notify) = match step {
                MoneyStep::Refund { payment, amount } => {
                    let key = format!("session-refund-{}", current.id);
                    let refund = self.payments.refund(&payment, amount, &key).await?;
                    run.refunded += 1;
                    (current.refund_issued(refund, now), Some(NewNotification::refund_issued(&current, amount, now)))
                }
                MoneyStep::Reverse { transfer, amount } => {
                    let key = format!("session-reversal-{}", current.id);
                    let reversal = self.payments.reverse_transfer(&transfer, amount, &key).await?;
                    run.reversed += 1;
                    (current.transfer_reversed(reversal, now), None)
                }
                MoneyStep::Release => {
                    run.released += 1;
                    (current.released(now), None)
                }
                MoneyStep::Transfer { earning, charge } => match self.store.payouts(&current.mentor).await? {
                    Some(payouts) if payouts.status() == PayoutStatus::Enabled => {
                        let transfer =
                            self.payments.transfer(&current.id, &payouts.account, earning, charge.as_deref()).await?;
                        run.transferred += 1;
                        let told = NewNotification::earning_paid_out(&current, earning, now);
                        (current.paid_out(transfer, now), Some(told))
                    }
                    _ => {
                        run.deferred += 1;
                        (current.transfer_deferred(now + TRANSFER_RETRY, now), None)
                    }
                },
            };
            let Some(next) = next else { break };
            let notify: Vec<NewNotification> = notify.into_iter().collect();
            let nothing = AccountChanges::default();
            match self.store.save_session(&next, &current, &self.policy, &notify, &nothing).await {
                Ok(()) => current = next,
                // Changed meanwhile (a concurrent run): the next run reads it again, and the
                // provider answers its repeated request with the same refund or transfer.
                Err(SessionWriteError::Stale) => break,
                Err(error) => return Err(super::sessions::write_error(error)),
            }
        }
        Ok(())
    }
}
