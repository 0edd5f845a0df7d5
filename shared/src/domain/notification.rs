//! In-app notifications, and where each kind goes beyond the app.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ConversationId, SessionId, UserId};

ulid_id! {
    /// A notification; ULIDs sort by time, so newest-first is a reverse key order.
    NotificationId
}

/// Something a member is told about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Notification {
    /// The notification.
    pub id: NotificationId,
    /// Who is told.
    pub user: UserId,
    /// What happened, machine-readable (`session_requested`, `message_received`, ...).
    pub kind: String,
    /// What happened, for a person.
    pub text: String,
    /// The session concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionId>,
    /// The conversation concerned, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationId>,
    /// Whether the member has read it.
    pub read: bool,
    /// When it happened.
    pub created_at: DateTime<Utc>,
}

/// A way a notification reaches a member outside the app; SNS subscribers filter on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Channel {
    /// Email.
    Email,
    /// Text message: only for what cannot wait.
    Sms,
    /// Mobile push.
    Push,
}

impl Channel {
    /// The name SNS filter policies match.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email",
            Self::Sms => "sms",
            Self::Push => "push",
        }
    }
}

/// Where each kind of notification goes besides the in-app list, by kind prefix; the first
/// matching row wins. Push is dropped when the member already saw it live (see [`channels`]).
const CHANNELS: &[(&str, &[Channel])] = &[
    // A session about to start: the member may be away from email.
    ("reminder_soon", &[Channel::Sms, Channel::Push]),
    // Bookings and day-ahead reminders are worth an email trail.
    ("reminder_", &[Channel::Email, Channel::Push]),
    ("session_", &[Channel::Email, Channel::Push]),
    // A verification decision changes what the mentor can do: worth an email.
    ("verification_", &[Channel::Email, Channel::Push]),
    // Money moved: members keep a written record of it.
    ("payment_", &[Channel::Email, Channel::Push]),
    // Chat and achievements are conversational: a push, no email.
    ("message_", &[Channel::Push]),
    ("review_", &[Channel::Push]),
    ("badge_", &[Channel::Push]),
];

/// The channels a notification of `kind` goes to, given whether it was already shown live
/// on one of the member's open connections.
pub fn channels(kind: &str, delivered_live: bool) -> Vec<Channel> {
    let row = CHANNELS.iter().find(|(prefix, _)| kind.starts_with(prefix)).map_or(&[Channel::Push][..], |(_, c)| c);
    row.iter().copied().filter(|channel| !(delivered_live && *channel == Channel::Push)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bookings_go_by_email_and_push() {
        assert_eq!(channels("session_confirmed", false), vec![Channel::Email, Channel::Push]);
        assert_eq!(channels("payment_refunded", true), vec![Channel::Email]);
    }

    #[test]
    fn imminent_reminders_go_by_sms() {
        assert_eq!(channels("reminder_soon", false), vec![Channel::Sms, Channel::Push]);
        assert_eq!(channels("reminder_day", false), vec![Channel::Email, Channel::Push]);
    }

    #[test]
    fn no_push_for_what_was_seen_live() {
        assert_eq!(channels("session_confirmed", true), vec![Channel::Email]);
        assert!(channels("message_received", true).is_empty());
    }

    #[test]
    fn verification_decisions_go_by_email_and_push() {
        assert_eq!(channels("verification_rejected", false), vec![Channel::Email, Channel::Push]);
    }

    #[test]
    fn unknown_kinds_still_reach_the_member() {
        assert_eq!(channels("something_new", false), vec![Channel::Push]);
    }
}
