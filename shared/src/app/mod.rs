//! Use cases. Each reads like the rule it enforces; storage is behind [`crate::ports`].

mod accounts;
mod chat;
mod leaderboards;
mod matching;
mod notifications;
mod points;
mod profiles;
mod reminders;
mod reviews;
mod sessions;

use std::sync::Arc;

use aws_config::BehaviorVersion;

use crate::adapters::dynamo::DynamoStore;
use crate::adapters::https;
use crate::adapters::meeting::JitsiRooms;
use crate::adapters::realtime::ConnectionsApi;
use crate::adapters::sns::NotificationTopic;
use crate::auth::{CursorSigner, PasswordHasher, TokenIssuer};
use crate::config::{Config, ConfigError, Keys};
use crate::domain::{Exhausted, Invalid, LimitKind, Limits, Policy, User};
use crate::observability::aws_calls::AwsCalls;
use crate::ports::{Clock, MeetingRooms, QuotaError, StoreError, SystemClock};

pub use accounts::{Registration, SignedIn};
pub use chat::{ChatTarget, Delivery, ServerFrame};
pub use leaderboards::{BoardClosed, Leaderboard, MAX_BOARD, PeriodClosed, RankedEntry, SNAPSHOT_SIZE, Standing};
pub use matching::{CANDIDATE_CAP, MAX_MATCH_SKILLS, MatchOutcome, MatchRequest, SearchPage};
pub use reminders::ReminderRun;
pub use sessions::{Idempotency, Requested, SessionRequest};

/// What a use case can fail with.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// The email address already has an account.
    #[error("email already registered")]
    EmailTaken,
    /// Wrong email or password (deliberately not saying which).
    #[error("invalid credentials")]
    InvalidCredentials,
    /// A rate limit is used up for now (sign-in guesses, session requests, messages).
    #[error("rate limit {} reached", .limit.as_str())]
    Throttled {
        /// Which limit.
        limit: LimitKind,
        /// Seconds until its window closes.
        retry_after: u64,
    },
    /// The WebSocket connection is not known (any more).
    #[error("connection closed")]
    ConnectionClosed,
    /// The access token a WebSocket connection opened with has expired.
    #[error("access token expired")]
    TokenExpired,
    /// The refresh token is unknown, expired, reused or revoked.
    #[error("refresh token not valid")]
    InvalidRefreshToken,
    /// The session does not exist, or the caller may not know it does.
    #[error("session not found")]
    SessionNotFound,
    /// The move is not allowed now; names the session's state.
    #[error("{reason} (session is {state})")]
    Refused {
        /// The session's current state.
        state: &'static str,
        /// Why.
        reason: &'static str,
    },
    /// The mentor or the learner is already booked for part of that time.
    #[error("time already booked")]
    TimeTaken,
    /// This side already reviewed this session.
    #[error("already reviewed")]
    AlreadyReviewed,
    /// The idempotency key was used before with a different request.
    #[error("idempotency key reused with a different request")]
    IdempotencyMismatch,
    /// The account is suspended.
    #[error("account suspended")]
    Suspended,
    /// No such user.
    #[error("user not found")]
    UserNotFound,
    /// No such notification for this member.
    #[error("notification not found")]
    NotificationNotFound,
    /// No such conversation, or the caller is not in it.
    #[error("conversation not found")]
    ConversationNotFound,
    /// The caller may not do this to this member (e.g. message someone they never met).
    #[error("not allowed: {0}")]
    NotAllowed(&'static str),
    /// A rule spanning fields was broken.
    #[error("{field}: {reason}")]
    Rule {
        /// The request field at fault.
        field: &'static str,
        /// Why.
        reason: Invalid,
    },
    /// Someone changed the same thing at the same time; the client may retry.
    #[error("concurrent modification")]
    Contended,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A value could not be encoded for the wire.
    #[error("encoding failed: {0}")]
    Encoding(String),
    /// Publishing to the notifications topic failed.
    #[error("fanout failed: {0}")]
    Fanout(String),
    /// Hashing, signing or randomness failed.
    #[error("crypto failure: {0}")]
    Crypto(String),
}

/// The application could not be built at cold start.
#[derive(Debug, thiserror::Error)]
pub enum AppInitError {
    /// A setting is missing or wrong.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The HTTPS client could not be built.
    #[error("https client: {0}")]
    Https(#[from] aws_smithy_http_client::HttpClientError),
}

/// The application: adapters and services, built once per cold start and shared by
/// every invocation of a function.
pub struct App<S = DynamoStore> {
    /// The table.
    pub store: S,
    /// Access-token signer and checker.
    pub tokens: TokenIssuer,
    /// Password hasher.
    pub passwords: PasswordHasher,
    /// Signs and checks pagination cursors.
    pub cursors: CursorSigner,
    /// Time source.
    pub clock: Arc<dyn Clock>,
    /// Notice, expiry and no-show rules for sessions.
    pub policy: Policy,
    /// Abuse limits (sign-in guesses, session requests, messages).
    pub limits: Limits,
    /// Meeting-room links for confirmed sessions.
    pub rooms: Arc<dyn MeetingRooms>,
    /// Frames to open WebSocket connections; `None` where the function pushes nothing.
    pub push: Option<ConnectionsApi>,
    /// Notifications out to email, SMS and mobile push; `None` where not configured.
    pub fanout: Option<NotificationTopic>,
}

impl App<DynamoStore> {
    /// Builds the application from the environment set by template.yaml. No network
    /// call happens here: the SDK resolves credentials lazily on first use.
    /// Reads only the `keys` the function holds.
    pub async fn from_env(keys: Keys) -> Result<Self, AppInitError> {
        let config = Config::from_env(keys)?;
        let sdk = aws_config::defaults(BehaviorVersion::latest()).http_client(https::client()?).load().await;
        let mut dynamodb = aws_sdk_dynamodb::config::Builder::from(&sdk).interceptor(AwsCalls::from_env());
        if let Some(endpoint) = &config.dynamodb_endpoint {
            dynamodb = dynamodb.endpoint_url(endpoint);
        }
        let client = aws_sdk_dynamodb::Client::from_conf(dynamodb.build());
        let mut app = Self::new(&config, client, Arc::new(SystemClock));
        // Building a client is configuration only: no connection is made until first use.
        app.push = config.connections_endpoint.as_deref().map(|endpoint| ConnectionsApi::from_sdk(&sdk, endpoint));
        app.fanout = config
            .notifications_topic
            .as_deref()
            .map(|arn| NotificationTopic::from_sdk(&sdk, arn, config.sns_endpoint.as_deref()));
        Ok(app)
    }

    /// Builds the application around an existing client (tests, dev gateway).
    pub fn new(config: &Config, client: aws_sdk_dynamodb::Client, clock: Arc<dyn Clock>) -> Self {
        Self {
            store: DynamoStore::new(client, config.table_name.clone()),
            tokens: TokenIssuer::new(&config.jwt, clock.clone()),
            cursors: config.cursor_key.as_ref().map_or_else(CursorSigner::without_key, CursorSigner::new),
            passwords: PasswordHasher::new(),
            clock,
            policy: Policy::default(),
            limits: Limits::default(),
            rooms: Arc::new(JitsiRooms),
            push: None,
            fanout: None,
        }
    }

    /// Pushes live frames through `push` (tests and the dev gateway).
    pub fn with_push(mut self, push: ConnectionsApi) -> Self {
        self.push = Some(push);
        self
    }

    /// Fans notifications out through `topic` (tests and the dev gateway).
    pub fn with_fanout(mut self, topic: NotificationTopic) -> Self {
        self.fanout = Some(topic);
        self
    }
}

impl From<Exhausted> for AppError {
    fn from(exhausted: Exhausted) -> Self {
        Self::Throttled { limit: exhausted.kind, retry_after: exhausted.retry_after }
    }
}

impl From<QuotaError> for AppError {
    fn from(error: QuotaError) -> Self {
        match error {
            QuotaError::Exhausted(exhausted) => exhausted.into(),
            QuotaError::Store(error) => error.into(),
        }
    }
}

/// A user who may act: exists and is not suspended.
fn active(user: Option<User>) -> Result<User, AppError> {
    let user = user.ok_or(AppError::UserNotFound)?;
    if user.status == crate::domain::AccountStatus::Suspended {
        return Err(AppError::Suspended);
    }
    Ok(user)
}
