//! Which committed changes earn whom points: the bridge from domain events (a session's
//! move, a review) to [`Occurrence`](super::Occurrence)s, with the anti-gaming checks.

use chrono::{DateTime, Utc};

use super::rules::{PointsSource, fast_response_counts, review_counts, session_counts};
use crate::domain::{Booking, Party, Review, SessionState, UserId};

/// A member earns from something that happened; the day it counts for is decided by the
/// caller from the member's timezone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Earning {
    /// Who earns.
    pub user: UserId,
    /// What for.
    pub source: PointsSource,
    /// Unique per member and source: the ledger key.
    pub key: String,
    /// The board it counts on.
    pub role: Party,
    /// When it happened.
    pub at: DateTime<Utc>,
}

/// What a session's move from `before` to `after` earns: both sides for a session that
/// completed between two different members; the mentor for answering a request within
/// the hour. Anything else (including a replayed move that did not change state) earns
/// nothing.
pub fn from_session_move(before: &Booking, after: &Booking) -> Vec<Earning> {
    let mut earnings = Vec::new();
    let completed = before.state != SessionState::Completed && after.state == SessionState::Completed;
    if session_counts(&after.mentor, &after.learner, completed) {
        for (user, role) in [(&after.mentor, Party::Mentor), (&after.learner, Party::Learner)] {
            earnings.push(Earning {
                user: user.clone(),
                source: PointsSource::session_completed(role),
                key: after.id.to_string(),
                role,
                at: after.updated_at,
            });
        }
    }
    let answered = before.state == SessionState::Requested && after.state != SessionState::Requested;
    if let (true, Some(answered_at)) = (answered, after.responded_at)
        && after.state != SessionState::Cancelled
        && after.state != SessionState::Expired
        && fast_response_counts(&after.mentor, &after.learner, after.requested_at, answered_at)
    {
        earnings.push(Earning {
            user: after.mentor.clone(),
            source: PointsSource::FastResponse,
            key: after.id.to_string(),
            role: Party::Mentor,
            at: answered_at,
        });
    }
    earnings
}

/// What a new review earns its author and its subject, if it is about `session`, the
/// session completed, and it was written by one participant about the other.
pub fn from_review(review: &Review, session: &Booking) -> Vec<Earning> {
    let counts = review.session == session.id
        && review_counts(
            &review.author,
            &review.subject,
            &session.mentor,
            &session.learner,
            session.state == SessionState::Completed,
        );
    if !counts {
        return Vec::new();
    }
    let subject_side = review.author_side.other();
    let key = format!("{}#{}", review.session, review.author_side.as_str());
    vec![
        Earning {
            user: review.author.clone(),
            source: PointsSource::ReviewWritten,
            key: key.clone(),
            role: review.author_side,
            at: review.created_at,
        },
        Earning {
            user: review.subject.clone(),
            source: PointsSource::ReviewReceived,
            key,
            role: subject_side,
            at: review.created_at,
        },
    ]
}
