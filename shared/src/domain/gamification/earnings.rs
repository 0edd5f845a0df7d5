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
/// completed between two different members; the mentor for a yes to a request within the
/// hour (accepting it, or proposing another time). A decline earns nothing, or declining
/// everything at once would farm points. Anything else (including a replayed move that did
/// not change state) earns nothing.
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
    if let Some(answered_at) = yes_to_request(before, after)
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

/// When the mentor said yes to a request in this move: accepted it (or a time was agreed
/// on), or proposed another time while it was still a request. The ledger key is the
/// session, so a proposal that later gets accepted pays once.
fn yes_to_request(before: &Booking, after: &Booking) -> Option<DateTime<Utc>> {
    if before.state != SessionState::Requested {
        return None;
    }
    match after.state {
        SessionState::Confirmed | SessionState::Accepted => after.responded_at,
        SessionState::Requested => after
            .proposal
            .as_ref()
            .filter(|proposal| proposal.by == Party::Mentor && before.proposal.as_ref() != Some(*proposal))
            .map(|proposal| proposal.at),
        _ => None,
    }
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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use chrono::{Duration, TimeZone};
    use ulid::Ulid;

    use super::*;
    use crate::domain::{Actor, Move, Policy, SessionId, SessionLength, ShortText, Slot, SlotStart};

    const MENTOR: Actor = Actor::Participant(Party::Mentor);
    const LEARNER: Actor = Actor::Participant(Party::Learner);

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0).unwrap()
    }

    fn slot(h: u32) -> Slot {
        Slot::new(SlotStart::new(at(h, 0)).unwrap(), SessionLength::from_minutes(60).unwrap())
    }

    /// A request made at 03:00 for 15:00.
    fn requested() -> Booking {
        let topic = ShortText::parse("Lifetimes").unwrap();
        Booking::request(
            SessionId::new(Ulid(42)),
            UserId::new(Ulid(1)),
            UserId::new(Ulid(2)),
            slot(15),
            topic,
            None,
            at(3, 0),
        )
        .unwrap()
    }

    fn after(b: &Booking, actor: Actor, mv: Move, now: DateTime<Utc>) -> Booking {
        b.apply(actor, mv, now, &Policy::default()).unwrap().0
    }

    fn fast(before: &Booking, after: &Booking) -> Vec<DateTime<Utc>> {
        from_session_move(before, after)
            .into_iter()
            .filter(|e| e.source == PointsSource::FastResponse)
            .map(|e| e.at)
            .collect()
    }

    #[test]
    fn a_fast_accept_earns_a_fast_response() {
        let before = requested();
        let accepted = after(&before, MENTOR, Move::Accept, at(3, 30));
        assert_eq!(fast(&before, &accepted), [at(3, 30)]);
    }

    #[test]
    fn a_fast_decline_earns_nothing() {
        let before = requested();
        let declined = after(&before, MENTOR, Move::Reject, at(3, 5));
        assert!(from_session_move(&before, &declined).is_empty());
    }

    #[test]
    fn a_fast_proposal_of_another_time_earns_once() {
        let before = requested();
        let proposed = after(&before, MENTOR, Move::Propose(slot(17)), at(3, 20));
        assert_eq!(fast(&before, &proposed), [at(3, 20)]);
        // The learner agreeing later is the same occurrence (same ledger key), and late.
        let agreed = after(&proposed, LEARNER, Move::AcceptProposal, at(9, 0));
        assert!(fast(&proposed, &agreed).is_empty());
        let keys: Vec<String> = from_session_move(&before, &proposed).into_iter().map(|e| e.key).collect();
        assert_eq!(keys, [before.id.to_string()]);
    }

    #[test]
    fn a_learners_proposal_or_a_late_answer_earns_nothing() {
        let before = requested();
        let theirs = after(&before, LEARNER, Move::Propose(slot(17)), at(3, 10));
        assert!(fast(&before, &theirs).is_empty());
        let late = after(&before, MENTOR, Move::Accept, at(3, 0) + Duration::minutes(61));
        assert!(fast(&before, &late).is_empty());
    }
}
