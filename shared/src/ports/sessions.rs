//! Sessions: their store, the scheduled jobs' agenda, meeting rooms and idempotent requests.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{NewNotification, StoreError};
use crate::domain::{Booking, Exhausted, IdempotencyKey, Policy, QuotaUse, SessionId, User, UserId};

/// A client's `Idempotency-Key` for one request, and what the request was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotentRequest {
    /// The caller (keys are per caller).
    pub user: UserId,
    /// The key the client sent.
    pub key: IdempotencyKey,
    /// SHA-256 of the request body, so a reused key with another body is caught.
    pub fingerprint: String,
}

/// The first answer to an idempotent request, replayed for retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReply {
    /// The request it answered.
    pub fingerprint: String,
    /// HTTP status.
    pub status: u16,
    /// Response body.
    pub body: String,
}

/// Why a session write did not commit.
#[derive(Debug, thiserror::Error)]
pub enum SessionWriteError {
    /// The session, or a participant's account, changed since it was read.
    #[error("session changed concurrently")]
    Stale,
    /// The idempotency key was used before; here is the first answer.
    #[error("idempotent replay")]
    Replay(StoredReply),
    /// A request quota is used up: nothing was written.
    #[error("{} exhausted", .0.kind.as_str())]
    Exhausted(Exhausted),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Participants' accounts as a session move leaves them: (next, previous) pairs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccountChanges {
    /// The mentor's, when their track record or booked time changed.
    pub mentor: Option<(User, User)>,
    /// The learner's, when their booked time changed.
    pub learner: Option<(User, User)>,
}

/// Past or upcoming, relative to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeframe {
    /// Starting now or later, soonest first.
    Upcoming,
    /// Started before now, latest first.
    Past,
}

/// A page of a member's sessions.
#[derive(Debug, Clone, PartialEq)]
pub struct SessionPage {
    /// The sessions on this page.
    pub sessions: Vec<Booking>,
    /// Where the next page starts, if there is one.
    pub next: Option<String>,
}

/// Sessions, their time-block locks, idempotency records and notifications.
pub trait SessionStore: Send + Sync {
    /// Stores a new request, its idempotency record and notifications and takes one use
    /// of each of `quota`, all or nothing: a used-up quota (`Exhausted`) or a replayed
    /// idempotency key (`Replay`) writes nothing, so a retry never counts twice.
    /// `policy` sets when a request falls due in the session index (its expiry).
    fn create_session(
        &self,
        booking: &Booking,
        policy: &Policy,
        idempotency: Option<(&IdempotentRequest, &StoredReply)>,
        notify: &[NewNotification],
        quota: &[QuotaUse],
    ) -> impl Future<Output = Result<(), SessionWriteError>> + Send;

    /// The stored answer for an idempotency key, if any.
    fn replay(
        &self,
        user: &UserId,
        key: &IdempotencyKey,
    ) -> impl Future<Output = Result<Option<StoredReply>, StoreError>> + Send;

    /// Reads a session.
    fn session(&self, id: &SessionId) -> impl Future<Output = Result<Option<Booking>, StoreError>> + Send;

    /// Writes `next` if the session is still at `previous`'s version, with the
    /// notifications and the participants' account changes in the same transaction: the
    /// mentor's (track record, booked time; listings follow) and the learner's (booked
    /// time; user item only). Each account is written only if it is still at the version
    /// its change was computed from, so two sessions can never take overlapping time of
    /// one member: the second fails here (`Stale`), reads again, and finds the time taken.
    /// `policy` sets when a request falls due in the session index (its expiry).
    fn save_session(
        &self,
        next: &Booking,
        previous: &Booking,
        policy: &Policy,
        notify: &[NewNotification],
        accounts: &AccountChanges,
    ) -> impl Future<Output = Result<(), SessionWriteError>> + Send;

    /// A page of `user`'s sessions (as learner or mentor) in `timeframe`.
    fn sessions_of(
        &self,
        user: &UserId,
        timeframe: Timeframe,
        now: DateTime<Utc>,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<SessionPage, StoreError>> + Send;
}

/// Makes the online room where a confirmed session meets (Jitsi by default; Zoom could
/// sit behind the same trait).
pub trait MeetingRooms: Send + Sync {
    /// A new, unguessable room link for `booking`.
    fn room_for(&self, booking: &Booking) -> Result<String, String>;
}

/// Which time bucket of the session index to read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Agenda {
    /// Confirmed sessions, by start.
    Starts,
    /// Unanswered requests, by expiry.
    Due,
    /// Ended paid sessions whose money waits for a step (refund, release, transfer), by
    /// when it is due.
    Money,
}

/// What scheduled jobs read and mark on sessions.
pub trait SessionAgenda: Send + Sync {
    /// Sessions in `agenda` whose time falls in [`from`, `to`], by query on the day buckets.
    fn agenda(
        &self,
        agenda: Agenda,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Booking>, StoreError>> + Send;

    /// Records that reminder `kind` went out for `booking` and writes its notifications, all
    /// or nothing; false (and nothing written) when that reminder was sent before.
    fn remind(
        &self,
        booking: &Booking,
        kind: &'static str,
        notify: &[NewNotification],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}
