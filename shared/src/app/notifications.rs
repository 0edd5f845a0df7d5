//! A member's in-app notifications.

use super::{App, AppError};
use crate::domain::{NotificationId, UserId};
use crate::ports::{NotificationPage, NotificationStore};

impl<S: NotificationStore> App<S> {
    /// A page of `user`'s notifications, newest first, and how many are unread in all.
    pub async fn my_notifications(
        &self,
        user: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<(NotificationPage, u32), AppError> {
        let (page, unread) =
            futures_util::join!(self.store.notifications(user, after, limit), self.store.unread_notifications(user));
        Ok((page?, unread?))
    }

    /// Marks one of `user`'s notifications read (idempotent); not found when it is not theirs.
    pub async fn read_notification(&self, user: &UserId, id: &NotificationId) -> Result<(), AppError> {
        match self.store.mark_notification_read(user, id).await? {
            true => Ok(()),
            false => Err(AppError::NotificationNotFound),
        }
    }

    /// Marks all of `user`'s notifications read; how many were unread.
    pub async fn read_all_notifications(&self, user: &UserId) -> Result<u32, AppError> {
        Ok(self.store.mark_all_notifications_read(user).await?)
    }
}
