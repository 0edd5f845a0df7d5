//! The WebSocket API's open connections, and what its `@connections` management endpoint
//! shares with the signature check in front of it (size limits, error shape). Its own
//! module so the gateway, the WebSocket side and the signature check each depend on it
//! rather than on each other.

use std::collections::HashMap;
use std::sync::Mutex;

use axum::body::{Body, Bytes};
use axum::response::Response;
use chrono::{DateTime, Utc};
use http::{HeaderValue, StatusCode, header};
use tokio::sync::mpsc;

/// API Gateway's limits: 32 KB per frame, 128 KB per message (and per posted payload).
pub const MAX_FRAME_BYTES: usize = 32 * 1024;
/// See [`MAX_FRAME_BYTES`].
pub const MAX_MESSAGE_BYTES: usize = 128 * 1024;

/// What the gateway sends down a socket.
#[derive(Debug)]
pub(crate) enum Outbound {
    /// A text frame.
    Text(String),
    /// A binary frame.
    Binary(Bytes),
    /// A close frame.
    Close,
}

/// One open connection.
#[derive(Debug)]
pub(crate) struct Socket {
    /// Where frames for it go.
    pub(crate) tx: mpsc::UnboundedSender<Outbound>,
    /// When the handshake completed.
    pub(crate) connected_at: DateTime<Utc>,
    /// When a frame last went to it.
    pub(crate) last_active: DateTime<Utc>,
    /// The client's address.
    pub(crate) source_ip: String,
    /// The client's `User-Agent`.
    pub(crate) user_agent: String,
}

/// The open connections, by id.
#[derive(Debug, Default)]
pub struct Hub {
    sockets: Mutex<HashMap<String, Socket>>,
}

impl Hub {
    /// Runs `f` on the open connections, by id.
    pub(crate) fn with<T>(&self, f: impl FnOnce(&mut HashMap<String, Socket>) -> T) -> T {
        // A poisoned lock only means a panic elsewhere; the map itself is still sound.
        let mut sockets = self.sockets.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut sockets)
    }

    /// How many sockets are open.
    pub fn len(&self) -> usize {
        self.with(|s| s.len())
    }

    /// True when no socket is open.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops a connection without telling anyone, as when a client vanishes and API
    /// Gateway's `$disconnect` never comes; for tests of stale-connection clean-up.
    pub fn drop_silently(&self, id: &str) -> bool {
        self.with(|s| s.remove(id)).is_some()
    }

    /// The ids of the open connections.
    pub fn ids(&self) -> Vec<String> {
        self.with(|s| s.keys().cloned().collect())
    }

    /// Queues `message` for connection `id`; false when it is not open.
    pub(crate) fn send(&self, id: &str, message: Outbound) -> bool {
        self.with(|sockets| match sockets.get_mut(id) {
            Some(socket) if socket.tx.send(message).is_ok() => {
                socket.last_active = Utc::now();
                true
            }
            _ => false,
        })
    }
}

/// A management API error, as API Gateway's REST-JSON protocol sends it.
pub(crate) fn management_error(status: StatusCode, kind: &'static str) -> Response {
    let mut response = Response::new(Body::from(r#"{"message":null}"#));
    *response.status_mut() = status;
    response.headers_mut().insert("x-amzn-errortype", HeaderValue::from_static(kind));
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    response
}
