//! Reading and editing profiles.

use super::{App, AppError, active, admitted};
use crate::domain::Invalid;
use crate::domain::{Bearer, ProfileChanges, User, UserId};
use crate::ports::{AccountStore, MentorDirectory, PaymentStore, StoreError};

/// Optimistic writes retry this often before telling the client to try again.
const SAVE_ATTEMPTS: usize = 3;

impl<S: AccountStore> App<S> {
    /// The caller's own account.
    pub async fn me(&self, caller: &Bearer) -> Result<User, AppError> {
        admitted(self.store.user(&caller.member).await?, caller)
    }
}

impl<S: AccountStore + PaymentStore> App<S> {
    /// Applies profile changes to the caller's own profile, guarded by the version read,
    /// so two devices editing at once never lose each other's changes silently.
    pub async fn update_profile(&self, caller: &Bearer, changes: ProfileChanges) -> Result<User, AppError> {
        for _ in 0..SAVE_ATTEMPTS {
            let current = admitted(self.store.user(&caller.member).await?, caller)?;
            if changes.is_empty() {
                return Ok(current);
            }
            let next = changes
                .clone()
                .apply(&current, self.clock.now())
                .map_err(|broken| AppError::Rule { field: broken.field, reason: broken.reason })?;
            let asks_more = next.profile.price.is_some_and(|price| price.cents() > 0)
                && next.profile.price.map(|p| p.cents()) > current.profile.price.map(|p| p.cents());
            // Money must be able to reach a mentor before they may ask for it; lowering a
            // price (or going free) is always allowed.
            if asks_more && !self.store.payouts(&caller.member).await?.is_some_and(|payouts| payouts.can_charge()) {
                return Err(AppError::PayoutsNotEnabled);
            }
            match self.store.save_user(&next, &current).await {
                Ok(()) => return Ok(next),
                Err(StoreError::Conflict(_)) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Contended)
    }
}

impl<S: AccountStore + MentorDirectory> App<S> {
    /// Another member's account, for `viewer`'s public view. Suspended members, and
    /// members where either blocked the other, are not shown: a blocked member sees the
    /// same 404 as for a member who does not exist, so nothing tells them who blocked them.
    pub async fn member(&self, viewer: &Bearer, id: &UserId) -> Result<User, AppError> {
        let (admitted, user, blocked) = futures_util::join!(
            self.admit(viewer),
            self.store.user(id),
            self.store.blocked_between(&viewer.member, id)
        );
        admitted?;
        let user = active(user?).map_err(|_| AppError::UserNotFound)?;
        if blocked? {
            return Err(AppError::UserNotFound);
        }
        Ok(user)
    }

    /// Blocks `blocked` for `blocker`: they drop out of the blocker's matches and searches.
    pub async fn block_member(&self, blocker: &Bearer, blocked: &UserId) -> Result<(), AppError> {
        if &blocker.member == blocked {
            return Err(AppError::Rule { field: "id", reason: Invalid::new("you cannot block yourself") });
        }
        let (admitted, user) = futures_util::join!(self.admit(blocker), self.store.user(blocked));
        admitted?;
        if user?.is_none() {
            return Err(AppError::UserNotFound);
        }
        self.store.block(&blocker.member, blocked, self.clock.now()).await?;
        Ok(())
    }

    /// Lifts a block; lifting one that does not exist is already done.
    pub async fn unblock_member(&self, blocker: &Bearer, blocked: &UserId) -> Result<(), AppError> {
        self.admit(blocker).await?;
        self.store.unblock(&blocker.member, blocked).await?;
        Ok(())
    }
}
