//! The scheduled job: remind both sides before sessions, expire unanswered requests.

use chrono::Duration;

use super::{App, AppError};
use crate::domain::{Actor, Booking, Move, SessionState};
use crate::ports::{
    AccountStore, Agenda, NewNotification, ReviewStore, SessionAgenda, SessionStore, SessionWriteError,
};

/// The early reminder goes out within this long before the start.
pub const DAY_AHEAD: Duration = Duration::hours(24);
/// The last reminder goes out within this long before the start.
pub const SOON: Duration = Duration::minutes(15);
/// Requests that expired this long ago are still swept up (the job may have been down).
const LOOKBACK: Duration = Duration::days(3);

/// What one run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ReminderRun {
    /// Sessions reminded a day ahead.
    pub reminded_day: usize,
    /// Sessions reminded minutes ahead.
    pub reminded_soon: usize,
    /// Requests expired.
    pub expired: usize,
    /// Learners' ratings counted because their blind week ended unanswered.
    pub ratings_counted: usize,
}

impl<S: AccountStore + SessionStore + SessionAgenda + ReviewStore> App<S> {
    /// One run of the reminder job. Reruns are harmless: each reminder is recorded with
    /// its notifications in one transaction, an expired request cannot expire again, and
    /// a rating is counted only while still pending.
    pub async fn run_reminders(&self) -> Result<ReminderRun, AppError> {
        let now = self.clock.now();
        let mut run = ReminderRun::default();
        for booking in self.store.agenda(Agenda::Starts, now, now + DAY_AHEAD).await? {
            if booking.state != SessionState::Confirmed || booking.slot.start() < now {
                continue;
            }
            let (kind, counter) = if booking.slot.start() - now <= SOON {
                ("reminder_soon", &mut run.reminded_soon)
            } else {
                ("reminder_day", &mut run.reminded_day)
            };
            let notify =
                [&booking.learner, &booking.mentor].map(|user| NewNotification::reminder(user, &booking, kind, now));
            if self.store.remind(&booking, kind, &notify).await? {
                *counter += 1;
            }
        }
        for booking in self.store.agenda(Agenda::Due, now - LOOKBACK, now).await? {
            if self.expire(&booking).await? {
                run.expired += 1;
            }
        }
        run.ratings_counted = self.count_revealed_ratings().await?;
        Ok(run)
    }

    async fn expire(&self, booking: &Booking) -> Result<bool, AppError> {
        let Ok((next, effect)) = booking.apply(Actor::System, Move::Expire, self.clock.now(), &self.policy) else {
            // Answered, or not due after all: nothing to do.
            return Ok(false);
        };
        let notify = NewNotification::expired(booking, &next);
        let accounts = self.account_changes(booking, &next, &effect).await?;
        match self.store.save_session(&next, booking, &self.policy, &notify, &accounts).await {
            Ok(()) => {
                crate::observability::metrics::session_moved(self.clock.now(), Some(booking.state), next.state);
                Ok(true)
            }
            // The mentor answered meanwhile: their answer stands.
            Err(SessionWriteError::Stale) => Ok(false),
            Err(SessionWriteError::Store(error)) => Err(error.into()),
            Err(_) => Ok(false),
        }
    }
}
