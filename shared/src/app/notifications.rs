//! A member's in-app notifications, and what each kind says (the texts live here, in
//! one place, whichever area sends them).

use chrono::{DateTime, Utc};

use super::{App, AppError};
use crate::domain::gamification::{Badge, LeaderboardPeriod, PeriodKind};
use crate::domain::payments::Cents;
use crate::domain::{Bearer, Booking, Message, NotificationId, Party, Reason, SessionState, UserId};
use crate::ports::{AccountStore, NewNotification, NotificationPage, NotificationStore};

/// The texts of every notification kind.
impl NewNotification {
    /// `user` earned `badge`.
    pub fn badge_earned(user: &UserId, badge: Badge, at: DateTime<Utc>) -> Self {
        let text = format!("You earned the {} badge: {}", badge.title(), badge.description());
        Self::to_member(user, "badge_earned", text, at)
    }

    /// `user` finished `rank` on the `role` board of a closed period.
    pub fn leaderboard_result(
        user: &UserId,
        rank: u32,
        kind: PeriodKind,
        role: Party,
        period: LeaderboardPeriod,
        at: DateTime<Utc>,
    ) -> Self {
        let text = format!("You finished #{rank} on the {} {} board for {period}.", kind.as_str(), role.as_str());
        Self::to_member(user, "leaderboard_result", text, at)
    }

    /// A mentor is asked for a session by `learner_name`.
    pub fn session_requested(booking: &Booking, learner_name: &str) -> Self {
        let text = format!("{learner_name} asked for a session: {}", booking.topic);
        Self::about_session(&booking.mentor, "session_requested", &booking.id, text, booking.updated_at)
    }

    /// `to` learns what the other party's move did to a session; `None` when the move
    /// is not worth telling.
    pub fn session_moved(before: &Booking, after: &Booking, to: &UserId) -> Option<Self> {
        let (kind, text) = match (before.state, after.state) {
            (SessionState::Requested, SessionState::Confirmed) | (SessionState::Accepted, SessionState::Confirmed) => {
                ("session_confirmed", format!("Your session \"{}\" is confirmed.", after.topic))
            }
            (SessionState::Requested, SessionState::Accepted) => {
                ("session_accepted", format!("\"{}\" was accepted: pay within 30 minutes to confirm it.", after.topic))
            }
            (_, SessionState::Rejected) => {
                ("session_rejected", format!("Your request \"{}\" was declined.", after.topic))
            }
            (_, SessionState::Cancelled) => {
                let late =
                    if after.cancellation.as_ref().is_some_and(|c| c.late) { " (late cancellation)" } else { "" };
                ("session_cancelled", format!("The session \"{}\" was cancelled{late}.", after.topic))
            }
            (_, SessionState::NoShow) => {
                ("session_no_show", format!("The session \"{}\" was marked as a no-show.", after.topic))
            }
            (_, SessionState::Completed) => {
                ("session_completed", format!("The session \"{}\" is complete: leave a review.", after.topic))
            }
            _ if after.proposal.is_some() && after.proposal != before.proposal => {
                ("session_reschedule_proposed", format!("A new time was proposed for \"{}\".", after.topic))
            }
            _ if after.slot != before.slot => {
                ("session_rescheduled", format!("The session \"{}\" has a new time.", after.topic))
            }
            _ => return None,
        };
        Some(Self::about_session(to, kind, &after.id, text, after.updated_at))
    }

    /// A reminder of kind `reminder_soon` (minutes ahead) or `reminder_day` (within 24 hours).
    pub fn reminder(user: &UserId, booking: &Booking, kind: &'static str, at: DateTime<Utc>) -> Self {
        let text = if kind == "reminder_soon" {
            format!("\"{}\" starts in a few minutes.", booking.topic)
        } else {
            format!("Reminder: \"{}\" is within 24 hours.", booking.topic)
        };
        Self::about_session(user, kind, &booking.id, text, at)
    }

    /// `to` learns that a session or request with a member who was suspended is called off.
    /// It says the member is no longer available, never why: a suspension is not theirs to know.
    pub fn session_called_off(before: &Booking, after: &Booking, to: &UserId) -> Self {
        let text = if before.state == SessionState::Requested {
            format!("The request \"{}\" was cancelled: the other member is no longer available.", after.topic)
        } else {
            format!("The session \"{}\" was cancelled: the other member is no longer available.", after.topic)
        };
        Self::about_session(to, "session_cancelled", &after.id, text, after.updated_at)
    }

    /// A lapsed session: an unanswered request tells the learner; an accepted session that
    /// was not paid in time tells both (its time is free again).
    pub fn expired(before: &Booking, after: &Booking) -> Vec<Self> {
        if before.state != SessionState::Accepted {
            return vec![Self::request_expired(after)];
        }
        let text = format!("\"{}\" was not paid in time: its time is free again.", after.topic);
        [&after.learner, &after.mentor]
            .map(|to| Self::about_session(to, "session_expired", &after.id, text.clone(), after.updated_at))
            .into()
    }

    /// The learner's refund for an ended session was issued.
    pub fn refund_issued(booking: &Booking, amount: Cents, at: DateTime<Utc>) -> Self {
        let text = format!("Your refund of {} for \"{}\" is on its way to your card.", money(amount), booking.topic);
        Self::about_session(&booking.learner, "payment_refunded", &booking.id, text, at)
    }

    /// The mentor's earning for a session was transferred to their payout account.
    pub fn earning_paid_out(booking: &Booking, amount: Cents, at: DateTime<Utc>) -> Self {
        let text = format!("{} for \"{}\" was sent to your payout account.", money(amount), booking.topic);
        Self::about_session(&booking.mentor, "payment_paid_out", &booking.id, text, at)
    }

    /// The mentor learns the learner's bank disputed the payment for a session
    /// (`closed` = `None`), or how the bank decided.
    pub fn dispute_changed(booking: &Booking, closed: Option<bool>, at: DateTime<Utc>) -> Self {
        let (kind, text) = match closed {
            None => (
                "payment_disputed",
                format!(
                    "The payment for \"{}\" is disputed by the learner's bank: your earning is on hold until it decides.",
                    booking.topic
                ),
            ),
            Some(true) => (
                "payment_dispute_won",
                format!(
                    "The dispute about \"{}\" was decided in your favour: your earning is released.",
                    booking.topic
                ),
            ),
            Some(false) => (
                "payment_dispute_lost",
                format!(
                    "The learner's bank took back the payment for \"{}\": there is no earning for it.",
                    booking.topic
                ),
            ),
        };
        Self::about_session(&booking.mentor, kind, &booking.id, text, at)
    }

    /// The learner's request lapsed unanswered.
    pub fn request_expired(expired: &Booking) -> Self {
        let text = format!("Your request \"{}\" expired without an answer.", expired.topic);
        Self::about_session(&expired.learner, "session_expired", &expired.id, text, expired.updated_at)
    }

    /// `subject` received a review (not what it says: it may still be blind).
    pub fn review_received(subject: &UserId, booking: &Booking, at: DateTime<Utc>) -> Self {
        let text = format!("You received a review for \"{}\".", booking.topic);
        Self::about_session(subject, "review_received", &booking.id, text, at)
    }

    /// An admin approved `mentor`'s verification: they are listed.
    pub fn verification_approved(mentor: &UserId, at: DateTime<Utc>) -> Self {
        let text = "Your mentor verification was approved: learners can now find and book you.".to_owned();
        Self::to_member(mentor, "verification_approved", text, at)
    }

    /// An admin rejected `mentor`'s verification, for `reason`.
    pub fn verification_rejected(mentor: &UserId, reason: &Reason, at: DateTime<Utc>) -> Self {
        let text = format!("Your mentor verification was not approved: {reason} You may ask again.");
        Self::to_member(mentor, "verification_rejected", text, at)
    }

    /// `recipient` was sent `message` while offline; `sender_name` when the sender is known.
    pub fn message_received(recipient: &UserId, sender_name: Option<&str>, message: &Message) -> Self {
        Self {
            user: recipient.clone(),
            kind: "message_received",
            session: None,
            conversation: Some(message.conversation_id.clone()),
            text: format!("{}: {}", sender_name.unwrap_or("A member"), message.preview()),
            at: message.sent_at,
        }
    }
}

impl<S: NotificationStore + AccountStore> App<S> {
    /// A page of the caller's notifications, newest first, and how many are unread in all.
    pub async fn my_notifications(
        &self,
        caller: &Bearer,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(NotificationPage, u32), AppError> {
        let user = &caller.member;
        let (admitted, page, unread) = futures_util::join!(
            self.admit(caller),
            self.store.notifications(user, after, limit),
            self.store.unread_notifications(user)
        );
        admitted?;
        Ok((page?, unread?))
    }

    /// Marks one of the caller's notifications read (idempotent); not found when it is not theirs.
    pub async fn read_notification(&self, caller: &Bearer, id: &NotificationId) -> Result<(), AppError> {
        self.admit(caller).await?;
        match self.store.mark_notification_read(&caller.member, id).await? {
            true => Ok(()),
            false => Err(AppError::NotificationNotFound),
        }
    }

    /// Marks all of the caller's notifications read; how many were unread.
    pub async fn read_all_notifications(&self, caller: &Bearer) -> Result<u32, AppError> {
        self.admit(caller).await?;
        Ok(self.store.mark_all_notifications_read(&caller.member).await?)
    }
}

/// An amount for a person: "51.00" in the platform currency's main unit.
fn money(amount: Cents) -> String {
    format!("{}.{:02}", amount.get() / 100, amount.get() % 100)
}
