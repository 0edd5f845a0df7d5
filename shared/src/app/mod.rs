//! Use cases. Each reads like the rule it enforces; storage is behind [`crate::ports`].

mod accounts;
mod admin;
mod audit;
mod chat;
mod idempotency;
mod leaderboards;
mod matching;
mod notifications;
mod payments;
mod payouts;
mod phones;
mod points;
mod profiles;
mod recovery;
mod reminders;
mod reports;
mod reviews;
mod sessions;
mod stats;
mod uploads;
mod verifications;

use std::sync::Arc;

use crate::auth::{CursorSigner, PasswordHasher, TokenIssuer};
use crate::domain::{Bearer, Exhausted, Invalid, LimitKind, Limits, Mismatch, Policy, Refusal, User};
use crate::ports::{
    AccountStore, Clock, EventRefusal, FileLinks, FileStore, LivePush, Mailer, MeetingRooms, NotificationFanout,
    PaymentError, PaymentProvider, QuotaError, StoreError,
};

pub use accounts::{GoogleSignIn, Registration, SignedIn};
pub use admin::{LAST_ADMIN, NOT_YOURSELF, Suspension};
pub use chat::{ChatTarget, Delivery, ServerFrame};
pub use idempotency::Idempotency;
pub use leaderboards::{BoardClosed, Leaderboard, MAX_BOARD, PeriodClosed, RankedEntry, SNAPSHOT_SIZE, Standing};
pub use matching::{CANDIDATE_CAP, MatchOutcome, MatchRequest, SearchPage};
pub use payouts::{PayoutRun, TRANSFER_RETRY};
pub use phones::Phones;
pub use points::Awarded;
pub use recovery::ANSWER_FLOOR;
pub use reminders::ReminderRun;
pub use reports::ReportFiling;
pub use sessions::{Requested, SessionRequest};
pub use stats::{Counted, PaymentStats};
pub use uploads::{AVATAR_LINK_TTL, MAX_LISTED_UPLOADS, StartedUpload};
pub use verifications::{DOCUMENT_LINK_TTL, VerificationReview};

/// What handlers name besides the use cases: a refresh token as presented, and which of
/// a member's sessions to list.
pub use crate::auth::RefreshToken;
pub use crate::ports::{Handled, Timeframe};

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
    /// The access token was issued before the member's tokens were revoked (a suspension).
    #[error("access token revoked")]
    TokenRevoked,
    /// No such user.
    #[error("user not found")]
    UserNotFound,
    /// No such notification for this member.
    #[error("notification not found")]
    NotificationNotFound,
    /// No such conversation, or the caller is not in it.
    #[error("conversation not found")]
    ConversationNotFound,
    /// No such member report.
    #[error("report not found")]
    ReportNotFound,
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
    /// No such verification request.
    #[error("verification request not found")]
    VerificationNotFound,
    /// Several request fields are invalid in the light of stored data, each with why.
    #[error("invalid fields: {}", .0.len())]
    Fields(Vec<(String, Invalid)>),
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
    /// No such upload for this member.
    #[error("upload not found")]
    UploadNotFound,
    /// Nothing was put under the upload's link (yet).
    #[error("nothing uploaded yet")]
    UploadMissing,
    /// The uploaded file is not what was declared; it and its record were deleted.
    #[error("upload mismatch: {0}")]
    UploadMismatch(Mismatch),
    /// File storage failed.
    #[error("file storage: {0}")]
    Files(String),
    /// A price above zero before the mentor's payouts are enabled.
    #[error("payouts not enabled")]
    PayoutsNotEnabled,
    /// The payment provider failed.
    #[error(transparent)]
    Payments(PaymentError),
    /// A webhook delivery was not believed; nothing was written.
    #[error("webhook refused: {0}")]
    EventRefused(EventRefusal),
    /// An event names something not recorded yet; the provider will deliver it again.
    #[error("payment event arrived before its account was recorded")]
    PaymentsNotReady,
    /// A Google ID token was not accepted, or Google's keys were unavailable.
    #[error(transparent)]
    GoogleToken(crate::auth::GoogleTokenError),
    /// A Google sign-in for an address whose password account is not linked to Google.
    #[error("the address has a password account not linked to Google")]
    GoogleNotLinked,
    /// Linking or unlinking a sign-in identity is refused; the reason is for the member.
    #[error("identity conflict: {0}")]
    IdentityConflict(&'static str),
    /// The caller must confirm their email address first; the reason says for what.
    #[error("email not verified: {0}")]
    EmailNotVerified(&'static str),
    /// A mailed link is unknown, used, expired or void.
    #[error("link not valid")]
    LinkInvalid,
    /// The mail or text service did not take a message.
    #[error("delivery failed: {0}")]
    Delivery(String),
}

/// The application: the store and services, built once per cold start by
/// [`crate::startup`] and shared by every invocation of a function. Generic over the
/// store so the use cases name only the ports they need.
pub struct App<S> {
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
    /// Frames to open WebSocket connections ([`crate::ports::NoPush`] where the function
    /// has no connections endpoint).
    pub push: Arc<dyn LivePush>,
    /// Notifications out to email, SMS and mobile push ([`crate::ports::NoFanout`] where
    /// no topic is configured).
    pub fanout: Arc<dyn NotificationFanout>,
    /// The uploads bucket ([`crate::ports::NoFiles`] where the function handles no files).
    pub files: Arc<dyn FileStore>,
    /// Presigned links into the uploads bucket ([`crate::ports::NoFiles`] where the
    /// function hands out none).
    pub links: Arc<dyn FileLinks>,
    /// The payment provider ([`crate::ports::NoPayments`] where the function takes no payments).
    pub payments: Arc<dyn PaymentProvider>,
    /// Mail to members ([`crate::ports::NoMail`] where the function sends none).
    pub mail: Arc<dyn Mailer>,
    /// Texts to members ([`crate::ports::NoTexts`] where the function texts no one).
    pub texts: Arc<dyn crate::ports::TextMessages>,
    /// Which countries are texted, and the key codes are sealed with.
    pub phones: Phones,
    /// The web app's origin, where mailed links point.
    pub web_app_url: String,
    /// Google's keys, for Sign in with Google (none where no client id is configured).
    pub google: Option<Arc<crate::auth::GoogleKeyCache>>,
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

/// What a non-admin hears on an admin's use case.
const ADMINS_ONLY: &str = "Only admins may do this.";

/// A user who may act: exists and is not suspended.
fn active(user: Option<User>) -> Result<User, AppError> {
    let user = user.ok_or(AppError::UserNotFound)?;
    if user.status == crate::domain::AccountStatus::Suspended {
        return Err(AppError::Suspended);
    }
    Ok(user)
}

/// The caller's user item, when `bearer`'s token still speaks for it: the check of use
/// cases that load the caller anyway (no second read).
fn admitted(user: Option<User>, bearer: &Bearer) -> Result<User, AppError> {
    let user = user.ok_or(AppError::UserNotFound)?;
    user.standing().admits(bearer.issued_at)?;
    Ok(user)
}

impl From<Refusal> for AppError {
    fn from(refusal: Refusal) -> Self {
        match refusal {
            Refusal::Suspended => Self::Suspended,
            Refusal::Revoked => Self::TokenRevoked,
        }
    }
}

impl<S: AccountStore> App<S> {
    /// Checks that `bearer`'s token still speaks for its member: one strongly consistent
    /// read of their standing, for use cases that load nothing else of the caller. Read
    /// use cases run it alongside their own reads; writes run it before writing.
    pub async fn admit(&self, bearer: &Bearer) -> Result<(), AppError> {
        let standing = self.store.standing(&bearer.member).await?.ok_or(AppError::UserNotFound)?;
        Ok(standing.admits(bearer.issued_at)?)
    }
}
