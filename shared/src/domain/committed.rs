//! Changes committed to the table, as the stream consumers see them.

use super::{Booking, Notification, Review};

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
}
