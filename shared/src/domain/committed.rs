//! Changes committed to the table, as the stream consumers see them.

use chrono::{DateTime, Utc};

use super::payments::MoneyMoves;
use super::{Booking, Membership, Notification, Review};

/// One committed change that a stream consumer acts on, read from a stream record by
/// `crate::stream`. Each consumer matches the variants it cares about.
#[derive(Debug, Clone, PartialEq)]
pub enum Committed {
    /// A session moved from `before` to `after` (an answer, a completion, a cancellation...).
    SessionMoved {
        /// The session as it was.
        before: Box<Booking>,
        /// The session as it is now.
        after: Box<Booking>,
    },
    /// A review was written.
    ReviewWritten(Review),
    /// An in-app notification was created.
    NotificationCreated(Notification),
    /// A learner asked for a session (the session item was created).
    SessionRequested(Box<Booking>),
    /// A member registered.
    MemberJoined(Membership),
    /// A member's item changed (their roles or status may have).
    MemberChanged {
        /// Roles and status before.
        before: Membership,
        /// Roles and status after.
        after: Membership,
    },
    /// A chat message was stored.
    MessageSent {
        /// When the platform stored it.
        at: DateTime<Utc>,
    },
    /// A money ledger entry was written: what it adds to the payment counters, and when.
    MoneyMoved(MoneyMoves),
    /// A mentor's verification request was made or moved (it waits while `pending`).
    VerificationMoved {
        /// Whether it was pending before (false for a new request).
        was_pending: bool,
        /// Whether it is pending now.
        is_pending: bool,
    },
}
