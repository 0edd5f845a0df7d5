//! In-app notifications and their fan-out beyond the app.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{BoxFuture, StoreError};
use crate::domain::{ConversationId, Notification, NotificationId, SessionId, UserId};

/// An in-app notification written together with the change it announces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewNotification {
    /// Who is told.
    pub user: UserId,
    /// What happened, machine-readable (`session_requested`, `session_confirmed`, ...).
    pub kind: &'static str,
    /// The session concerned, if any.
    pub session: Option<SessionId>,
    /// The conversation concerned, if any.
    pub conversation: Option<ConversationId>,
    /// What happened, for a person.
    pub text: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl NewNotification {
    /// A notification about the member themselves (a badge, a board result).
    pub fn to_member(user: &UserId, kind: &'static str, text: String, at: DateTime<Utc>) -> Self {
        Self { user: user.clone(), kind, session: None, conversation: None, text, at }
    }

    /// A notification about a session.
    pub fn about_session(
        user: &UserId,
        kind: &'static str,
        session: &SessionId,
        text: String,
        at: DateTime<Utc>,
    ) -> Self {
        Self { user: user.clone(), kind, session: Some(session.clone()), conversation: None, text, at }
    }
}

/// Publishes notifications for subscribers outside the app (email, SMS, mobile push).
pub trait NotificationFanout: Send + Sync {
    /// Publishes `notification` with its recipient, kind and channels as message attributes.
    fn publish<'a>(
        &'a self,
        notification: &'a Notification,
        channels: &'a [crate::domain::Channel],
    ) -> BoxFuture<'a, Result<(), String>>;

    /// The topic published to, where there is one (the local stack checks IAM against it).
    fn topic_arn(&self) -> Option<&str> {
        None
    }
}

/// Where no notifications topic is configured: notifications stay in-app, and publishing
/// succeeds without doing anything.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoFanout;

impl NotificationFanout for NoFanout {
    fn publish<'a>(
        &'a self,
        _notification: &'a Notification,
        _channels: &'a [crate::domain::Channel],
    ) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async { Ok(()) })
    }
}

/// A page of notifications.
#[derive(Debug, Clone, PartialEq)]
pub struct NotificationPage {
    /// Newest first.
    pub notifications: Vec<Notification>,
    /// Where the next page starts.
    pub next: Option<String>,
}

/// In-app notifications.
pub trait NotificationStore: Send + Sync {
    /// Stores notifications on their own (most are written inside the change they announce).
    fn notify(&self, notes: &[NewNotification]) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A page of `user`'s notifications, newest first.
    fn notifications(
        &self,
        user: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<NotificationPage, StoreError>> + Send;

    /// How many of `user`'s notifications are unread.
    fn unread_notifications(&self, user: &UserId) -> impl Future<Output = Result<u32, StoreError>> + Send;

    /// Marks one read; false when `user` has no such notification.
    fn mark_notification_read(
        &self,
        user: &UserId,
        id: &NotificationId,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Marks all of `user`'s notifications read; how many were unread.
    fn mark_all_notifications_read(&self, user: &UserId) -> impl Future<Output = Result<u32, StoreError>> + Send;

    /// Claims the delivery of notification `id` (pushed live, published): true for the
    /// first claim only, false when it was claimed before or no longer exists. The stream
    /// delivers at least once; the claim makes a retried batch deliver each once.
    fn claim_delivery(
        &self,
        user: &UserId,
        id: &NotificationId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// Gives a claim back after a failed delivery, so the stream's retry delivers it.
    fn release_delivery(
        &self,
        user: &UserId,
        id: &NotificationId,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}
