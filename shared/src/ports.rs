//! The small traits the use cases need from the outside world. Adapters implement them.

use std::future::Future;

use chrono::{DateTime, Utc};

use std::collections::HashSet;

use crate::domain::{
    Booking, ConnectionId, ConversationId, ConversationSummary, Effect, Email, Exhausted, MentorCard, Message,
    MessageId, Notification, NotificationId, Policy, QuotaUse, Review, SessionId, SkillName, User, UserId,
};

/// Tells the time; tests inject a fixed one.
pub trait Clock: Send + Sync {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A storage failure, in terms the use cases can act on.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A uniqueness or state condition failed: someone else got there first.
    #[error("conflict: {0}")]
    Conflict(&'static str),
    /// Stored data could not be read back into domain types. The reason never carries
    /// the data (see [`StoreError::corrupt`]).
    #[error("stored item is malformed: {0}")]
    Corrupt(String),
    /// The store could not be reached or refused the request.
    #[error("store unavailable: {0}")]
    Unavailable(String),
}

impl StoreError {
    /// A malformed item, from a (de)serialisation error whose quoted values are removed:
    /// the reason is logged, and the item may hold message text or contact details.
    pub fn corrupt(error: impl std::fmt::Display) -> Self {
        Self::Corrupt(crate::observability::without_values(&error.to_string()))
    }
}

/// A password hash with the account it unlocks.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account.
    pub user_id: UserId,
    /// PHC-format argon2id hash.
    pub password_hash: String,
}

/// One refresh token as stored: only its hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshGrant {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// The account it signs in.
    pub user_id: UserId,
    /// The chain of rotations this token belongs to (one per sign-in).
    pub family_id: String,
    /// False once exchanged for a new pair or once its family is revoked; showing an
    /// inactive grant again means the token leaked.
    pub active: bool,
    /// End of the family's life: rotation never extends it.
    pub expires_at: DateTime<Utc>,
}

/// Why a rotation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    /// The old token was already rotated, or its family revoked, meanwhile.
    #[error("refresh token no longer valid")]
    Stale,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Accounts: users, their sign-in claims and credentials.
pub trait AccountStore: Send + Sync {
    /// Creates the user, claims the email and starts a refresh family, all or nothing.
    /// `Conflict` when the email is taken.
    fn create_account(
        &self,
        user: &User,
        password_hash: &str,
        first_grant: &RefreshGrant,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The credentials of an address, if it has an account (read strongly consistently).
    fn credentials(&self, email: &Email) -> impl Future<Output = Result<Option<Credentials>, StoreError>> + Send;

    /// Reads a user.
    fn user(&self, id: &UserId) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;

    /// Replaces a user if nobody changed it since `previous` was read (`Conflict`
    /// otherwise), keeping the mentor listings in step in the same transaction.
    fn save_user(&self, user: &User, previous: &User) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Why a write that uses a quota did not happen.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    /// A quota is used up for this window: nothing was written.
    #[error("{} exhausted", .0.kind.as_str())]
    Exhausted(Exhausted),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rate-limit counters, for uses that must be taken before the work they limit (a sign-in
/// guess is counted before the password hash runs). Writes that notify take their uses in
/// their own transaction instead.
pub trait QuotaStore: Send + Sync {
    /// Takes one use of each quota, in order, or none: a counter at its limit refuses
    /// (`Exhausted`) and the uses taken before it in `uses` are given back.
    fn take_quota(&self, uses: &[QuotaUse], now: DateTime<Utc>) -> impl Future<Output = Result<(), QuotaError>> + Send;

    /// Gives back uses taken by [`QuotaStore::take_quota`]; a counter given back to zero is
    /// removed, so the table holds what it held before the use.
    fn give_back(&self, uses: &[QuotaUse]) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Refresh tokens: families of rotating, single-use grants.
pub trait GrantStore: Send + Sync {
    /// Starts a new family with its first grant.
    fn start_family(&self, grant: &RefreshGrant) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Finds a grant (and whether its family still lives) in one round trip.
    fn grant(
        &self,
        family_id: &str,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<RefreshGrant>, StoreError>> + Send;

    /// Marks `old` used and stores `next`, only if `old` is still active and its family alive.
    fn rotate(&self, old: &RefreshGrant, next: &RefreshGrant) -> impl Future<Output = Result<(), RotateError>> + Send;

    /// Ends a family: none of its grants works any more.
    fn revoke_family(&self, family_id: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Which listing to read candidates from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listing {
    /// Mentors with this skill.
    Skill(SkillName),
    /// Every listed mentor.
    AllMentors,
}

/// The order a listing is read in; the first `cap` in this order are the candidates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListingOrder {
    /// Best Bayesian rating first.
    Rank,
    /// Cheapest first.
    PriceAsc,
    /// Most expensive first.
    PriceDesc,
}

/// Listed mentors and members' blocks: what matching and search read.
pub trait MentorDirectory: Send + Sync {
    /// Up to `cap` listed mentors in `listing`, in `order`.
    fn listed(
        &self,
        listing: &Listing,
        order: ListingOrder,
        cap: usize,
    ) -> impl Future<Output = Result<Vec<MentorCard>, StoreError>> + Send;

    /// The members on the other side of a block with `member`: those `member` blocked and
    /// those who blocked `member` (a block hides both ways).
    fn blocks_with(&self, member: &UserId) -> impl Future<Output = Result<HashSet<UserId>, StoreError>> + Send;

    /// Records that `blocker` blocked `blocked` (idempotent).
    fn block(
        &self,
        blocker: &UserId,
        blocked: &UserId,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Removes a block (idempotent).
    fn unblock(&self, blocker: &UserId, blocked: &UserId) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Whether either of `a` and `b` has blocked the other (a block works both ways).
    fn blocked_between(&self, a: &UserId, b: &UserId) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

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

    /// The notification that `user` earned `badge`.
    pub fn badge_earned(user: &UserId, badge: crate::domain::gamification::Badge, at: DateTime<Utc>) -> Self {
        let text = format!("You earned the {} badge: {}", badge.title(), badge.description());
        Self::to_member(user, "badge_earned", text, at)
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

/// A client's `Idempotency-Key` for one request, and what the request was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey {
    /// The caller (keys are per caller).
    pub user: UserId,
    /// The key the client sent.
    pub key: String,
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
    /// A time block of the mentor or the learner is already taken.
    #[error("time already booked")]
    TimeTaken,
    /// The session changed since it was read.
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
        idempotency: Option<(&IdempotencyKey, &StoredReply)>,
        notify: &[NewNotification],
        quota: &[QuotaUse],
    ) -> impl Future<Output = Result<(), SessionWriteError>> + Send;

    /// The stored answer for an idempotency key, if any.
    fn replay(&self, user: &UserId, key: &str) -> impl Future<Output = Result<Option<StoredReply>, StoreError>> + Send;

    /// Reads a session.
    fn session(&self, id: &SessionId) -> impl Future<Output = Result<Option<Booking>, StoreError>> + Send;

    /// Writes `next` if the session is still at `previous`'s version, applying the lock
    /// effect, the notifications and the participants' account changes in the same
    /// transaction: the mentor's (track record, booked time; listings follow) and the
    /// learner's (booked time; user item only, so the transaction stays under 100 items).
    /// `policy` sets when a request falls due in the session index (its expiry).
    fn save_session(
        &self,
        next: &Booking,
        previous: &Booking,
        policy: &Policy,
        effect: &Effect,
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

/// Why a review was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ReviewWriteError {
    /// This side already reviewed this session.
    #[error("already reviewed")]
    AlreadyReviewed,
    /// The subject's account changed meanwhile (retry).
    #[error("changed concurrently")]
    Stale,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A review as stored, and whether its rating still waits to be counted in the mentor's
/// aggregates (a learner's review before it is revealed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredReview {
    /// The review.
    pub review: Review,
    /// Not yet counted in the subject's rating.
    pub rating_pending: bool,
}

/// A page of reviews.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewPage {
    /// Newest first.
    pub reviews: Vec<Review>,
    /// Where the next page starts.
    pub next: Option<String>,
}

/// Reviews, and the subject's aggregate that moves with them.
pub trait ReviewStore: Send + Sync {
    /// Both sides' reviews of a session, as far as written.
    fn session_reviews(
        &self,
        session: &SessionId,
    ) -> impl Future<Output = Result<Vec<StoredReview>, StoreError>> + Send;

    /// Stores `review` once per side (listed as a pending rating when `rating_pending`);
    /// re-stores `revealed` (the other side's review, now readable: when its rating was
    /// pending it is counted now, so the write requires it to be pending still), replaces
    /// the mentor's account (`account`: next, previous) and writes the notifications, all
    /// in one transaction.
    fn post_review(
        &self,
        review: &StoredReview,
        revealed: Option<&StoredReview>,
        account: Option<(&User, &User)>,
        notify: &[NewNotification],
    ) -> impl Future<Output = Result<(), ReviewWriteError>> + Send;

    /// Up to `limit` reviews whose rating is still pending and that are revealed by
    /// `now`, the earliest first.
    fn pending_ratings(
        &self,
        now: DateTime<Utc>,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<Review>, StoreError>> + Send;

    /// Counts `review`'s pending rating: marks it counted and replaces the mentor's
    /// account (next, previous) in one transaction, only if it is still pending. False
    /// when it was counted already (a rerun, or a second review got there first).
    fn count_rating(
        &self,
        review: &Review,
        account: (&User, &User),
    ) -> impl Future<Output = Result<bool, ReviewWriteError>> + Send;

    /// Reviews about `subject`, newest first.
    fn reviews_about(
        &self,
        subject: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<ReviewPage, StoreError>> + Send;
}

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
}

/// Where a function has no connections endpoint configured: every push fails (and is
/// logged as such), as nothing can reach a connection.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoPush;

impl LivePush for NoPush {
    fn push<'a>(&'a self, _connection: &'a ConnectionId, _frame: &'a str) -> BoxFuture<'a, Result<(), PushError>> {
        Box::pin(async { Err(PushError::Failed("no connections endpoint configured".into())) })
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

/// Whether two members may talk, read in one round trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Acquaintance {
    /// They share a session or a session request.
    pub met: bool,
    /// Either has blocked the other.
    pub blocked: bool,
}

/// What storing a message did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    /// Stored now.
    Stored,
    /// The same send was stored before (a retry); here is that message.
    Replayed(Message),
}

/// A page of a member's conversations, latest activity first.
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationPage {
    /// The conversations on this page.
    pub conversations: Vec<ConversationSummary>,
    /// Where the next page starts.
    pub next: Option<String>,
}

/// A page of a conversation's messages, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct MessagePage {
    /// The messages on this page.
    pub messages: Vec<Message>,
    /// Where the next page starts.
    pub next: Option<String>,
}

/// Conversations and their messages.
pub trait ChatStore: Send + Sync {
    /// Whether `a` and `b` share a session and whether either blocked the other.
    fn acquaintance(&self, a: &UserId, b: &UserId) -> impl Future<Output = Result<Acquaintance, StoreError>> + Send;

    /// Stores `message` once per (sender, client message id) and moves both members'
    /// conversation summaries (last message; the recipient's unread count) with it, taking
    /// one use of each of `quota` in the same transaction. A retry (same client id) is
    /// `Replayed` and uses no quota; a used-up quota (`Exhausted`) writes nothing.
    fn store_message(
        &self,
        message: &Message,
        quota: &[QuotaUse],
    ) -> impl Future<Output = Result<Sent, QuotaError>> + Send;

    /// `user`'s summary of one conversation, if they have one.
    fn conversation(
        &self,
        user: &UserId,
        id: &ConversationId,
    ) -> impl Future<Output = Result<Option<ConversationSummary>, StoreError>> + Send;

    /// A page of `user`'s conversations, latest activity first.
    fn conversations(
        &self,
        user: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<ConversationPage, StoreError>> + Send;

    /// A page of a conversation's messages, newest first.
    fn messages(
        &self,
        id: &ConversationId,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<MessagePage, StoreError>> + Send;

    /// Marks `user`'s side of a conversation read up to `up_to` (never backwards) and
    /// recounts what is left unread; the summary as it is now.
    fn mark_read(
        &self,
        user: &UserId,
        id: &ConversationId,
        up_to: &MessageId,
    ) -> impl Future<Output = Result<Option<ConversationSummary>, StoreError>> + Send;
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
}

/// What recording an award did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored: ledger, account and boards moved together.
    Stored,
    /// The occurrence was counted before (a replayed event): nothing written.
    AlreadyCounted,
    /// The account changed since it was read: read again and retry.
    Stale,
}

/// A page of a member's points ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerPage {
    /// Newest first.
    pub entries: Vec<crate::domain::gamification::LedgerEntry>,
    /// Where the next page starts.
    pub next: Option<String>,
}

/// Points accounts, their ledgers and board entries.
pub trait PointsStore: Send + Sync {
    /// A member's account, read strongly consistently.
    fn points_account(
        &self,
        user: &UserId,
    ) -> impl Future<Output = Result<Option<crate::domain::gamification::PointsAccount>, StoreError>> + Send;

    /// Writes what one occurrence did, all or nothing: each ledger entry once (by key),
    /// the account over the version read (`None`: it did not exist), the changed board
    /// entries, and the notifications.
    fn record_points(
        &self,
        user: &UserId,
        account: &crate::domain::gamification::PointsAccount,
        previous_version: Option<u64>,
        applied: &crate::domain::gamification::Applied,
        notify: &[NewNotification],
    ) -> impl Future<Output = Result<Recorded, StoreError>> + Send;

    /// A page of a member's ledger, newest first.
    fn ledger(
        &self,
        user: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<LedgerPage, StoreError>> + Send;
}

/// One member's row on a board.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardRow {
    /// The member.
    pub user: UserId,
    /// Their score on the board.
    pub score: crate::domain::gamification::BoardScore,
}

/// Leaderboards: the top of a board, a member's entry and the board's score histogram.
pub trait LeaderboardStore: Send + Sync {
    /// The best `limit` entries of a board, best first, by query on its order key.
    fn board_top(
        &self,
        period: crate::domain::gamification::LeaderboardPeriod,
        role: crate::domain::Party,
        limit: usize,
    ) -> impl Future<Output = Result<Vec<BoardRow>, StoreError>> + Send;

    /// A member's entry on a board and the board's bucket counts, in one round trip.
    fn board_standing(
        &self,
        user: &UserId,
        period: crate::domain::gamification::LeaderboardPeriod,
        role: crate::domain::Party,
    ) -> impl Future<
        Output = Result<
            (Option<crate::domain::gamification::BoardScore>, std::collections::BTreeMap<u32, i64>),
            StoreError,
        >,
    > + Send;

    /// Display names of members (those that exist), in one round trip per 100.
    fn display_names(
        &self,
        users: &[UserId],
    ) -> impl Future<Output = Result<std::collections::HashMap<UserId, String>, StoreError>> + Send;
}

/// Finished boards: their frozen ranks and the mark that they were closed.
pub trait BoardArchive: Send + Sync {
    /// Stores `rows` as the board's ranks 1..N (idempotent: a rerun rewrites the same).
    fn freeze(
        &self,
        period: crate::domain::gamification::LeaderboardPeriod,
        role: crate::domain::Party,
        rows: &[BoardRow],
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Marks the board closed and writes the winners' notifications, all or nothing;
    /// false (and nothing written) when it was closed before.
    fn close_board(
        &self,
        period: crate::domain::gamification::LeaderboardPeriod,
        role: crate::domain::Party,
        at: DateTime<Utc>,
        notify: &[NewNotification],
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;

    /// A frozen board, rank 1 first.
    fn snapshot(
        &self,
        period: crate::domain::gamification::LeaderboardPeriod,
        role: crate::domain::Party,
    ) -> impl Future<Output = Result<Vec<BoardRow>, StoreError>> + Send;
}
