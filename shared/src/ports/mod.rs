//! The small traits the use cases need from the outside world, by area. Adapters
//! implement them; everything is re-exported here, so `crate::ports::X` names any of them.

mod accounts;
mod audit;
mod chat;
mod clock;
mod files;
mod leaderboards;
mod mail;
mod matching;
mod members;
mod notifications;
mod payments;
mod points;
mod realtime;
mod reports;
mod reviews;
mod sessions;
mod stats;
mod texts;
mod uploads;
mod verifications;

pub use accounts::{
    AccountStore, Credentials, GrantStore, PhoneStore, QuotaError, QuotaStore, RecoveryStore, RefreshGrant, RotateError,
};
pub use audit::{AuditPage, AuditStore};
pub use chat::{Acquaintance, ChatStore, ConversationPage, MessagePage, Sent};
pub use clock::{Clock, SystemClock};
pub use files::{FileError, FileLinks, FileStore, NoFiles, ObjectHead, UploadLink};
pub use leaderboards::{BoardArchive, BoardRow, LeaderboardStore};
pub use mail::{Mailer, NoMail};
pub use matching::{Listing, ListingOrder, MentorDirectory};
pub use members::{MemberAdmin, MemberPage};
pub use notifications::{NewNotification, NoFanout, NotificationFanout, NotificationPage, NotificationStore};
pub use payments::{
    EventRefusal, Handled, NoPayments, OnboardingLink, PaymentError, PaymentProvider, PaymentStore, StartedPayment,
    TransactionPage,
};
pub use points::{LedgerPage, PointsStore, Recorded};
pub use realtime::{BoxFuture, Connection, ConnectionStore, LivePush, NoPush, PushError};
pub use reports::{ReportPage, ReportStore, ResolveError};
pub use reviews::{ReviewPage, ReviewStore, ReviewWriteError, StoredReview};
pub use sessions::{
    AccountChanges, Agenda, IdempotentRequest, MeetingRooms, SessionAgenda, SessionPage, SessionStore,
    SessionWriteError, StoredReply, Timeframe,
};
pub use stats::StatsStore;
pub use texts::{NoTexts, TextMessages};
pub use uploads::UploadStore;
pub use verifications::{VerificationPage, VerificationStore};

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
