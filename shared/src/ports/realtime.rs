//! Open WebSocket connections and the live push to them.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{ConnectionId, UserId};

/// A member's open WebSocket connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// The id API Gateway assigned.
    pub id: ConnectionId,
    /// Who opened it.
    pub user: UserId,
    /// When.
    pub connected_at: DateTime<Utc>,
    /// When the access token it opened with expires: frames after that are refused and
    /// nothing more is pushed to it, though API Gateway keeps it open for up to 2 hours.
    pub token_expires_at: DateTime<Utc>,
}

/// Open connections: which member each belongs to, and each member's connections.
pub trait ConnectionStore: Send + Sync {
    /// Records a new connection; it expires on its own at `expires_at`, since API Gateway's
    /// disconnect call is best-effort.
    fn connect(
        &self,
        connection: &Connection,
        expires_at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Connection `id`, if it is known and not expired at `now` (its token may be).
    fn owner(
        &self,
        id: &ConnectionId,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Option<Connection>, StoreError>> + Send;

    /// Removes a closed connection; whose it was, if it was known.
    fn disconnect(&self, id: &ConnectionId) -> impl Future<Output = Result<Option<UserId>, StoreError>> + Send;

    /// Removes a connection found gone when pushing to it.
    fn forget(&self, user: &UserId, id: &ConnectionId) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The connections of each of `users` still open at `now`, in one round trip per
    /// user, concurrently.
    fn connections_of(
        &self,
        users: &[&UserId],
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<Vec<Connection>, StoreError>> + Send;
}

/// Why a frame did not reach a connection.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The connection is closed (410 Gone): forget it.
    #[error("connection gone")]
    Gone,
    /// Anything else; the connection may still be open.
    #[error("push failed: {0}")]
    Failed(String),
}

/// A boxed future, so that [`LivePush`] and [`NotificationFanout`] can be held as trait
/// objects (`Arc<dyn ...>`), chosen at cold start like the clock.
pub type BoxFuture<'a, T> = std::pin::Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Sends frames to open WebSocket connections (API Gateway's `@connections` endpoint).
pub trait LivePush: Send + Sync {
    /// Sends `frame` (JSON text) to `connection`.
    fn push<'a>(&'a self, connection: &'a ConnectionId, frame: &'a str) -> BoxFuture<'a, Result<(), PushError>>;

    /// Closes `connection` (`DELETE @connections/{id}`); one already gone is closed.
    fn close<'a>(&'a self, connection: &'a ConnectionId) -> BoxFuture<'a, Result<(), PushError>>;
}

/// Where a function has no connections endpoint configured: every push fails (and is
/// logged as such), as nothing can reach a connection.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPush;

impl LivePush for NoPush {
    fn push<'a>(&'a self, _connection: &'a ConnectionId, _frame: &'a str) -> BoxFuture<'a, Result<(), PushError>> {
        Box::pin(async { Err(PushError::Failed("no connections endpoint configured".into())) })
    }

    fn close<'a>(&'a self, _connection: &'a ConnectionId) -> BoxFuture<'a, Result<(), PushError>> {
        Box::pin(async { Err(PushError::Failed("no connections endpoint configured".into())) })
    }
}
