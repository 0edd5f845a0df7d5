//! Reviews and the ratings that move with them.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::{NewNotification, StoreError};
use crate::domain::{Review, SessionId, User, UserId};

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
