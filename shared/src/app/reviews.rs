//! Reviewing a held session, and reading a mentor's reviews.

use super::{App, AppError};
use crate::domain::review::reveal_at;
use crate::domain::{Bearer, Party, Rating, Review, ReviewText, SessionId, SessionState, User, UserId};
use crate::ports::{
    AccountStore, NewNotification, ReviewPage, ReviewStore, ReviewWriteError, SessionStore, StoredReview,
};

/// Concurrent changes to the subject's account retry this often.
const SAVE_ATTEMPTS: usize = 3;

/// One run of the job counts at most this many revealed ratings; the rest wait for the next
/// run (every 5 minutes), which keeps a run well inside its timeout.
pub const RATINGS_PER_RUN: usize = 200;

impl<S: AccountStore + SessionStore + ReviewStore> App<S> {
    /// Reviews a completed session, once per side. A learner's rating moves the mentor's
    /// aggregates (and their rank in search) only once the review is revealed: in this
    /// transaction when the other side already wrote (or the blind week is over), else
    /// when the mentor writes theirs or the job finds the week over.
    pub async fn review_session(
        &self,
        caller: &Bearer,
        session: &SessionId,
        rating: Rating,
        text: ReviewText,
    ) -> Result<Review, AppError> {
        self.admit(caller).await?;
        let author = &caller.member;
        for _ in 0..SAVE_ATTEMPTS {
            let booking = self.session_visible_to(author, false, session).await?;
            let side = booking.party_of(author).ok_or(AppError::SessionNotFound)?;
            if booking.state != SessionState::Completed {
                return Err(AppError::Refused {
                    state: booking.state.as_str(),
                    reason: "only a completed session can be reviewed",
                });
            }
            let existing = self.store.session_reviews(session).await?;
            if existing.iter().any(|r| r.review.author_side == side) {
                return Err(AppError::AlreadyReviewed);
            }
            let now = self.clock.now();
            let other = existing.into_iter().find(|r| r.review.author_side != side);
            let subject = if side == Party::Learner { booking.mentor.clone() } else { booking.learner.clone() };
            let review = Review {
                session: session.clone(),
                author: author.clone(),
                author_side: side,
                subject: subject.clone(),
                rating,
                text: text.clone(),
                created_at: now,
                reveal_at: reveal_at(booking.slot.end(), now, other.is_some()),
            };
            // The other side's review becomes readable now too, and a rating of theirs
            // still waiting is counted by this write.
            let revealed = other.filter(|o| !o.review.visible(now) || o.rating_pending).map(|o| StoredReview {
                review: Review { reveal_at: o.review.reveal_at.min(now), ..o.review },
                rating_pending: o.rating_pending,
            });
            let counted = match &revealed {
                Some(other) if other.rating_pending => Some(other.review.rating),
                _ if review.rates_subject() && review.visible(now) => Some(rating),
                _ => None,
            };
            let account = match counted {
                Some(stars) => Some(self.rated(&booking.mentor, stars).await?),
                None => None,
            };
            let account_ref = account.as_ref().map(|(next, previous)| (next, previous));
            // The subject learns a review arrived, not what it says: it may still be blind.
            let notify = [NewNotification::review_received(&subject, &booking, now)];
            let stored = StoredReview { rating_pending: review.rating_waits(now), review };
            match self.store.post_review(&stored, revealed.as_ref(), account_ref, &notify).await {
                Ok(()) => return Ok(stored.review),
                Err(ReviewWriteError::Stale) => continue,
                Err(ReviewWriteError::AlreadyReviewed) => return Err(AppError::AlreadyReviewed),
                Err(ReviewWriteError::Store(error)) => return Err(error.into()),
            }
        }
        Err(AppError::Contended)
    }

    /// The job's part: counts the ratings of learners' reviews revealed because their
    /// blind week ended without the mentor's review. Each is counted in one transaction
    /// with the mentor's account, only while still pending, so a rerun (or a race with the
    /// mentor's late review) counts nothing twice. How many were counted now.
    pub async fn count_revealed_ratings(&self) -> Result<usize, AppError> {
        let now = self.clock.now();
        let mut counted = 0;
        for review in self.store.pending_ratings(now, RATINGS_PER_RUN).await? {
            if self.count_rating(&review).await? {
                counted += 1;
            }
        }
        Ok(counted)
    }

    async fn count_rating(&self, review: &Review) -> Result<bool, AppError> {
        for _ in 0..SAVE_ATTEMPTS {
            let (next, previous) = self.rated(&review.subject, review.rating).await?;
            match self.store.count_rating(review, (&next, &previous)).await {
                Ok(counted) => return Ok(counted),
                Err(ReviewWriteError::Stale) => continue,
                Err(ReviewWriteError::AlreadyReviewed) => return Ok(false),
                Err(ReviewWriteError::Store(error)) => return Err(error.into()),
            }
        }
        Err(AppError::Contended)
    }

    /// The mentor's account with one more rating of `stars` (next, previous).
    async fn rated(&self, mentor: &UserId, stars: Rating) -> Result<(User, User), AppError> {
        let previous = self.store.user(mentor).await?.ok_or(AppError::UserNotFound)?;
        let mut next = previous.clone();
        next.mentor.rating_sum += u32::from(stars.get());
        next.mentor.rating_count += 1;
        next.version += 1;
        Ok((next, previous))
    }

    /// Learners' reviews of a mentor that are no longer blind, newest first.
    pub async fn mentor_reviews(
        &self,
        viewer: &Bearer,
        mentor: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ReviewPage, AppError> {
        let now = self.clock.now();
        let (admitted, page) = futures_util::join!(self.admit(viewer), self.store.reviews_about(mentor, after, limit));
        admitted?;
        let page = page?;
        let reviews = page.reviews.into_iter().filter(|r| r.author_side == Party::Learner && r.visible(now)).collect();
        Ok(ReviewPage { reviews, next: page.next })
    }
}
