//! Reading and editing profiles.

use super::{App, AppError, active};
use crate::domain::{ProfileChanges, User, UserId};
use crate::ports::{AccountStore, StoreError};

/// Optimistic writes retry this often before telling the client to try again.
const SAVE_ATTEMPTS: usize = 3;

impl<S: AccountStore> App<S> {
    /// The caller's own account.
    pub async fn me(&self, id: &UserId) -> Result<User, AppError> {
        active(self.store.user(id).await?)
    }

    /// Any member's account, for the public view. Suspended members are not shown.
    pub async fn member(&self, id: &UserId) -> Result<User, AppError> {
        active(self.store.user(id).await?).map_err(|_| AppError::UserNotFound)
    }

    /// Applies profile changes to the caller's own profile, guarded by the version read,
    /// so two devices editing at once never lose each other's changes silently.
    pub async fn update_profile(&self, id: &UserId, changes: ProfileChanges) -> Result<User, AppError> {
        for _ in 0..SAVE_ATTEMPTS {
            let current = active(self.store.user(id).await?)?;
            if changes.is_empty() {
                return Ok(current);
            }
            let next = changes
                .clone()
                .apply(&current, self.clock.now())
                .map_err(|broken| AppError::Rule { field: broken.field, reason: broken.reason })?;
            match self.store.save_user(&next, current.version).await {
                Ok(()) => return Ok(next),
                Err(StoreError::Conflict(_)) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Contended)
    }
}
