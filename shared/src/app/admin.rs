//! Admins and members: granting the admin role (an operator's act), suspending and
//! restoring members, and the member list.
//!
//! A suspension is one transaction (the member saved suspended: listings removed, every
//! token so far revoked, the admin count in step) followed by effects that are each
//! idempotent: refresh families revoked (again), open requests and upcoming sessions called off,
//! connections closed. A rerun (the same POST after a failure halfway) finds the member
//! already suspended, writes nothing new and redoes only what is left.

use super::{ADMINS_ONLY, App, AppError};
use crate::domain::{
    Actor, AuditAction, AuditEntry, Bearer, Email, MemberSearch, MemberText, Move, Reason, Role, SessionId,
    SessionState, User, UserId,
};
use crate::ports::{
    AccountStore, ConnectionStore, GrantStore, MemberAdmin, MemberPage, NewNotification, SessionStore,
    SessionWriteError, StoreError, Timeframe,
};

/// Optimistic saves of a member retry this often.
const SAVE_ATTEMPTS: usize = 3;

/// The answer to an admin suspending themself.
pub const NOT_YOURSELF: &str = "Admins cannot suspend themselves.";

/// The answer when the member is the last active admin.
pub const LAST_ADMIN: &str = "The last active admin cannot be suspended.";

/// The reason recorded on sessions called off by a suspension (both participants read it).
const CALLED_OFF: &str = "A participant is no longer available.";

/// What a suspension did.
#[derive(Debug, Clone, PartialEq)]
pub struct Suspension {
    /// The member as now stored.
    pub member: User,
    /// The member's sign-ins (refresh families of the last 30 days) revoked; a rerun
    /// revokes, and counts, them again.
    pub families_revoked: usize,
    /// Open requests and upcoming sessions cancelled now, the other party told.
    pub sessions_cancelled: usize,
    /// WebSocket connections closed now.
    pub connections_closed: usize,
}

impl<S: AccountStore + GrantStore + SessionStore + ConnectionStore + MemberAdmin> App<S> {
    /// Suspends `id` for `reason` on `admin`'s word: from the commit on, every token of the
    /// member is refused and they are out of search and match; then their sign-ins end, their
    /// open requests and upcoming sessions are cancelled with notice to the other party, and
    /// their connections close. Not oneself, not the last active admin.
    pub async fn suspend_member(&self, admin: &Bearer, id: &UserId, reason: &Reason) -> Result<Suspension, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        if &admin.member == id {
            return Err(AppError::NotAllowed(NOT_YOURSELF));
        }
        self.admit(admin).await?;
        let suspended = Audited { actor: &admin.member, action: AuditAction::MemberSuspended, reason: Some(reason) };
        let member = self.save_member(id, suspended, |user| user.suspended(self.clock.now())).await?;
        let families_revoked = self.end_sign_ins(id).await?;
        let sessions_cancelled = self.call_off_sessions(id).await?;
        let connections_closed = self.close_connections(id).await?;
        tracing::info!(
            member = %id, families_revoked, sessions_cancelled, connections_closed, "member suspended"
        );
        Ok(Suspension { member, families_revoked, sessions_cancelled, connections_closed })
    }

    /// Restores a suspended member: they may sign in again and are listed again (their
    /// listings come back with the save). Cancelled sessions stay cancelled, and tokens
    /// issued before the suspension stay refused.
    pub async fn restore_member(&self, admin: &Bearer, id: &UserId) -> Result<User, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        self.admit(admin).await?;
        let restored = Audited { actor: &admin.member, action: AuditAction::MemberRestored, reason: None };
        self.save_member(id, restored, |user| user.restored(self.clock.now())).await
    }

    /// A page of members for an admin: by exact email, or by name prefix, role and status.
    pub async fn members(
        &self,
        admin: &Bearer,
        search: &MemberSearch,
        after: Option<&str>,
        limit: usize,
    ) -> Result<MemberPage, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        match &search.text {
            Some(MemberText::Email(email)) => {
                let (admitted, found) = futures_util::join!(self.admit(admin), self.member_by_email(email));
                admitted?;
                let members = found?
                    .filter(|user| search.role.is_none_or(|role| user.roles.contains(role)))
                    .filter(|user| search.status.is_none_or(|status| user.status == status))
                    .into_iter()
                    .collect();
                Ok(MemberPage { members, next: None })
            }
            _ => {
                let (admitted, page) = futures_util::join!(self.admit(admin), self.store.members(search, after, limit));
                admitted?;
                Ok(page?)
            }
        }
    }

    /// Makes the member with `email` an admin: an operator's act (the `grant-admin`
    /// function, `make admin`), never an endpoint. Granting an admin again changes nothing.
    /// The audit entry names the member as the actor: no admin acted.
    pub async fn grant_admin(&self, email: &Email) -> Result<User, AppError> {
        let user = self.member_by_email(email).await?.ok_or(AppError::UserNotFound)?;
        let now = self.clock.now();
        let granted = Audited { actor: &user.id, action: AuditAction::AdminGranted, reason: None };
        self.save_member(&user.id, granted, |user| {
            (!user.roles.contains(Role::Admin)).then(|| User {
                roles: user.roles.with(Role::Admin),
                updated_at: now,
                version: user.version + 1,
                ..user.clone()
            })
        })
        .await
    }

    async fn member_by_email(&self, email: &Email) -> Result<Option<User>, AppError> {
        match self.store.credentials(email).await? {
            Some(credentials) => Ok(self.store.user(&credentials.user_id).await?),
            None => Ok(None),
        }
    }

    /// Saves `change` of member `id` with its audit entry (nothing when the change is already
    /// done: the member as stored, and no second entry), retrying lost races. The store keeps
    /// listings and the admin count in step and refuses to leave no active admin.
    async fn save_member(
        &self,
        id: &UserId,
        audited: Audited<'_>,
        change: impl Fn(&User) -> Option<User>,
    ) -> Result<User, AppError> {
        for _ in 0..SAVE_ATTEMPTS {
            let current = self.store.user(id).await?.ok_or(AppError::UserNotFound)?;
            let Some(next) = change(&current) else { return Ok(current) };
            let mut entry = AuditEntry::new(audited.actor, audited.action, id, next.updated_at);
            if let Some(reason) = audited.reason {
                entry = entry.because(reason.clone());
            }
            match self.store.save_member(&next, &current, &entry).await {
                Ok(()) => return Ok(next),
                Err(StoreError::Conflict("last admin")) => return Err(AppError::NotAllowed(LAST_ADMIN)),
                Err(StoreError::Conflict(_)) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Contended)
    }

    /// Cancels, as the platform, every open request and upcoming session of `member`, each
    /// through the session move (locks released, accounts and listings in step) with a
    /// notice to the other party. How many were cancelled now.
    async fn call_off_sessions(&self, member: &UserId) -> Result<usize, AppError> {
        let mut open: Vec<SessionId> = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let page =
                self.store.sessions_of(member, Timeframe::Upcoming, self.clock.now(), after.as_deref(), 50).await?;
            open.extend(page.sessions.iter().filter(|b| is_open(b.state)).map(|b| b.id.clone()));
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        let mut cancelled = 0;
        for id in open {
            if self.call_off(&id, member).await? {
                cancelled += 1;
            }
        }
        Ok(cancelled)
    }

    /// Cancels one session of a suspended `member` as an admin would; false when it is no
    /// longer open (cancelled by a rerun, answered, or started meanwhile).
    async fn call_off(&self, id: &SessionId, member: &UserId) -> Result<bool, AppError> {
        for _ in 0..SAVE_ATTEMPTS {
            let Some(current) = self.store.session(id).await? else { return Ok(false) };
            if !is_open(current.state) {
                return Ok(false);
            }
            let cancel = Move::Cancel { reason: Some(CALLED_OFF.to_owned()) };
            let Ok((next, effect)) = current.apply(Actor::Admin, cancel, self.clock.now(), &self.policy) else {
                return Ok(false);
            };
            let other = if &current.learner == member { &current.mentor } else { &current.learner };
            let notify = [NewNotification::session_called_off(&current, &next, other)];
            let accounts = self.account_changes(&current, &next, &effect).await?;
            match self.store.save_session(&next, &current, &self.policy, &notify, &accounts).await {
                Ok(()) => {
                    crate::observability::metrics::session_moved(self.clock.now(), Some(current.state), next.state);
                    return Ok(true);
                }
                Err(SessionWriteError::Stale) => continue,
                Err(SessionWriteError::Store(error)) => return Err(error.into()),
                Err(_) => return Err(AppError::Contended),
            }
        }
        Err(AppError::Contended)
    }

    /// Closes the member's WebSocket connections and forgets them. Forgetting is what stops
    /// them (every frame looks its connection up); closing the socket tells the client.
    async fn close_connections(&self, member: &UserId) -> Result<usize, AppError> {
        let connections = self.store.connections_of(&[member], self.clock.now()).await?;
        for connection in &connections {
            if let Err(error) = self.push.close(&connection.id).await {
                tracing::warn!(%error, connection = %connection.id, "could not close a suspended member's connection");
            }
            self.store.forget(member, &connection.id).await?;
        }
        Ok(connections.len())
    }
}

/// Who did what, for the audit entry of a member change.
struct Audited<'a> {
    actor: &'a UserId,
    action: AuditAction,
    reason: Option<&'a Reason>,
}

/// Requests not yet answered, and sessions still to be held.
fn is_open(state: SessionState) -> bool {
    matches!(state, SessionState::Requested | SessionState::Accepted | SessionState::Confirmed)
}
