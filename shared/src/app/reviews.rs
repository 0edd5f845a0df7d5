//! Reviewing a held session, and reading a mentor's reviews.

use super::{App, AppError};
use crate::domain::review::reveal_at;
use crate::domain::{Party, Rating, Review, ReviewText, SessionId, SessionState, UserId};
use crate::ports::{AccountStore, NewNotification, ReviewPage, ReviewStore, ReviewWriteError, SessionStore};

/// Concurrent changes to the subject's account retry this often.
const SAVE_ATTEMPTS: usize = 3;

impl<S: AccountStore + SessionStore + ReviewStore> App<S> {
    /// Reviews a completed session, once per side. A learner's review moves the mentor's
    /// rating (and their rank in search) in the same transaction.
    pub async fn review_session(
        &self,
        author: &UserId,
        session: &SessionId,
        rating: Rating,
        text: ReviewText,
    ) -> Result<Review, AppError> {
        for _ in 0..SAVE_ATTEMPTS {
            let booking = self.visible_session(author, false, session).await?;
            let side = booking.party_of(author).ok_or(AppError::SessionNotFound)?;
            if booking.state != SessionState::Completed {
                return Err(AppError::Refused {
                    state: booking.state.as_str(),
                    reason: "only a completed session can be reviewed",
                });
            }
            let existing = self.store.session_reviews(session).await?;
            if existing.iter().any(|r| r.author_side == side) {
                return Err(AppError::AlreadyReviewed);
            }
            let now = self.clock.now();
            let other = existing.into_iter().find(|r| r.author_side != side);
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
            // The other side's review becomes readable now too.
            let revealed = other.filter(|o| !o.visible(now)).map(|o| Review { reveal_at: now, ..o });
            let subject_change = if side == Party::Learner {
                let previous = self.store.user(&subject).await?.ok_or(AppError::UserNotFound)?;
                let mut next = previous.clone();
                next.mentor.rating_sum += u32::from(rating.get());
                next.mentor.rating_count += 1;
                next.version += 1;
                Some((next, previous))
            } else {
                None
            };
            let subject_ref = subject_change.as_ref().map(|(next, previous)| (next, previous));
            // The subject learns a review arrived, not what it says: it may still be blind.
            let notify = [NewNotification::about_session(
                &subject,
                "review_received",
                session,
                format!("You received a review for \"{}\".", booking.topic),
                now,
            )];
            match self.store.post_review(&review, revealed.as_ref(), subject_ref, &notify).await {
                Ok(()) => return Ok(review),
                Err(ReviewWriteError::Stale) => continue,
                Err(ReviewWriteError::AlreadyReviewed) => return Err(AppError::AlreadyReviewed),
                Err(ReviewWriteError::Store(error)) => return Err(error.into()),
            }
        }
        Err(AppError::Contended)
    }

    /// Learners' reviews of a mentor that are no longer blind, newest first.
    pub async fn mentor_reviews(
        &self,
        mentor: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ReviewPage, AppError> {
        let now = self.clock.now();
        let page = self.store.reviews_about(mentor, after, limit).await?;
        let reviews = page.reviews.into_iter().filter(|r| r.author_side == Party::Learner && r.visible(now)).collect();
        Ok(ReviewPage { reviews, next: page.next })
    }
}
