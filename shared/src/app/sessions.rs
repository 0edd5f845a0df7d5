//! Booking sessions: request, answer, reschedule, cancel, complete, report no-shows.

use super::idempotency::{self, Idempotency};
use super::{App, AppError, admitted};
use crate::domain::payments::{Cents, session_charge};
use crate::domain::{
    Actor, Bearer, Booking, Effect, Invalid, MentorCard, Move, QuotaUse, RequestMessage, RequestRefused, Scope,
    SessionId, SessionState, ShortText, Slot, User, UserId,
};
use crate::ports::{
    AccountChanges, AccountStore, MentorDirectory, NewNotification, SessionPage, SessionStore, SessionWriteError,
    StoreError, StoredReply, Timeframe,
};

/// A session a learner asks for.
#[derive(Debug, Clone)]
pub struct SessionRequest {
    /// The mentor.
    pub mentor: UserId,
    /// When, and how long.
    pub slot: Slot,
    /// What to cover.
    pub topic: ShortText,
    /// A note to the mentor.
    pub message: Option<RequestMessage>,
}

/// The outcome of a session request.
#[derive(Debug)]
pub enum Requested {
    /// Created now.
    Created(Box<Booking>),
    /// A retry: the first answer, as it was given.
    Replayed(StoredReply),
}

/// Concurrent edits of one session retry this often.
const SAVE_ATTEMPTS: usize = 3;

/// The answer to a request between members where either blocked the other: it does not
/// say who blocked whom.
pub const CANNOT_BOOK: &str = "You cannot book a session with this member.";

// Asking needs the blocks; answering an existing session does not (a block never traps
// anyone in a session: either side can still cancel it).
impl<S: AccountStore + SessionStore + MentorDirectory> App<S> {
    /// Asks a verified mentor for a session inside their availability. With an
    /// idempotency key, a retried request returns the first answer and creates nothing.
    /// Requests are limited per learner-mentor pair and per learner (`Throttled`).
    pub async fn request_session(
        &self,
        caller: &Bearer,
        request: SessionRequest,
        idempotency: Option<Idempotency>,
    ) -> Result<Requested, AppError> {
        let learner = &caller.member;
        let key = idempotency.map(|i| i.of(learner));
        // The caller's standing comes with their account, read beside the replay: a
        // suspended member's retry is refused too.
        let (me, replayed) = futures_util::join!(self.store.user(learner), async {
            match &key {
                Some(key) => self.store.replay(&key.user, &key.key).await,
                None => Ok(None),
            }
        });
        let me = admitted(me?, caller)?;
        if let Some(key) = &key
            && let Some(stored) = replayed?
        {
            return idempotency::replay(key, stored).map(Requested::Replayed);
        }
        let (mentor, blocked) =
            futures_util::join!(self.store.user(&request.mentor), self.store.blocked_between(learner, &request.mentor));
        let mentor = mentor?.ok_or(AppError::Rule { field: "mentor_id", reason: Invalid::new("is not a member") })?;
        // A block works both ways, and the answer is the same whoever blocked whom.
        if blocked? {
            return Err(AppError::NotAllowed(CANNOT_BOOK));
        }
        let card = MentorCard::of(&mentor)
            .ok_or(AppError::Rule { field: "mentor_id", reason: Invalid::new("is not a verified mentor") })?;
        let within = request.slot.interval();
        if !card.free_time(&within).covers(&within) {
            return Err(AppError::Rule {
                field: "start",
                reason: Invalid::new("is outside the mentor's availability or already booked"),
            });
        }
        let now = self.clock.now();
        let id = SessionId::new(ulid::Ulid::new());
        let booking =
            Booking::request(id, me.id.clone(), mentor.id.clone(), request.slot, request.topic, request.message, now)
                .map_err(|refused| match refused {
                    RequestRefused::SelfBooking => {
                        AppError::Rule { field: "mentor_id", reason: Invalid::new("you cannot book yourself") }
                    }
                    RequestRefused::InThePast => {
                        AppError::Rule { field: "start", reason: Invalid::new("must be in the future") }
                    }
                })?
                // The price and the refund policy are fixed when the learner asks: a later
                // change is not theirs to bear.
                .priced(
                    mentor
                        .profile
                        .price
                        .map_or(Cents::ZERO, |price| session_charge(price, u32::from(request.slot.length().minutes()))),
                    mentor.profile.late_cancel,
                );
        // Money needs an address that answers: receipts and refunds go there.
        if booking.is_paid() && !me.email_verified {
            return Err(AppError::EmailNotVerified("Confirm your email address before booking a paid session."));
        }
        let notify = [NewNotification::session_requested(&booking, me.name.as_str())];
        // The answer is stored with the session, so a retry gets exactly this answer.
        let reply = key.as_ref().map(|key| idempotency::created(key, &booking)).transpose()?;
        // Each request notifies the mentor (by email or SMS in production), hence the limits;
        // they are counted in the request's own transaction, so a refused request or a
        // concurrent retry with the same key counts nothing.
        let quota = [
            QuotaUse::new(
                self.limits.session_requests_per_pair,
                Scope::Pair { learner: me.id.clone(), mentor: mentor.id.clone() },
                now,
            ),
            QuotaUse::new(self.limits.session_requests_per_learner, Scope::Member(me.id.clone()), now),
        ];
        match self.store.create_session(&booking, &self.policy, key.as_ref().zip(reply.as_ref()), &notify, &quota).await
        {
            Ok(()) => {
                crate::observability::metrics::session_moved(now, None, booking.state);
                Ok(Requested::Created(Box::new(booking)))
            }
            Err(SessionWriteError::Replay(stored)) => match &key {
                Some(key) => idempotency::replay(key, stored).map(Requested::Replayed),
                None => Err(AppError::Contended),
            },
            Err(error) => Err(write_error(error)),
        }
    }
}

impl<S: AccountStore + SessionStore> App<S> {
    /// Applies `mv` for `user` to a session: who may make which move is the domain's
    /// rule; non-participants (other than admins) are told the session does not exist.
    pub async fn move_session(&self, caller: &Bearer, id: &SessionId, mv: Move) -> Result<Booking, AppError> {
        self.admit(caller).await?;
        let (user, is_admin) = (&caller.member, caller.is_admin());
        for _ in 0..SAVE_ATTEMPTS {
            let current = self.session_visible_to(user, is_admin, id).await?;
            let actor = current.party_of(user).map_or(Actor::Admin, Actor::Participant);
            let (mut next, effect) = current
                .apply(actor, mv.clone(), self.clock.now(), &self.policy)
                .map_err(|refused| AppError::Refused { state: refused.state.as_str(), reason: refused.reason })?;
            if next.state == SessionState::Confirmed && next.meeting_link.is_none() {
                next.meeting_link = Some(self.rooms.room_for(&next).map_err(AppError::Crypto)?);
            }
            let notify = self.announce(&current, &next, user);
            let accounts = self.account_changes(&current, &next, &effect).await?;
            match self.store.save_session(&next, &current, &self.policy, &notify, &accounts).await {
                Ok(()) => {
                    crate::observability::metrics::session_moved(self.clock.now(), Some(current.state), next.state);
                    return Ok(next);
                }
                Err(SessionWriteError::Stale) => continue,
                Err(error) => return Err(write_error(error)),
            }
        }
        Err(AppError::Contended)
    }

    /// A session the caller may see: a participant's or, for admins, any.
    pub async fn visible_session(&self, caller: &Bearer, id: &SessionId) -> Result<Booking, AppError> {
        let (admitted, booking) =
            futures_util::join!(self.admit(caller), self.session_visible_to(&caller.member, caller.is_admin(), id));
        admitted?;
        booking
    }

    /// A session `user` may see: theirs or, for admins, any.
    pub(crate) async fn session_visible_to(
        &self,
        user: &UserId,
        is_admin: bool,
        id: &SessionId,
    ) -> Result<Booking, AppError> {
        let booking = self.store.session(id).await?.ok_or(AppError::SessionNotFound)?;
        // 404, not 403, so session ids cannot be probed.
        if booking.party_of(user).is_none() && !is_admin {
            return Err(AppError::SessionNotFound);
        }
        Ok(booking)
    }

    /// A page of the caller's sessions.
    pub async fn my_sessions(
        &self,
        caller: &Bearer,
        timeframe: Timeframe,
        after: Option<&str>,
        limit: usize,
    ) -> Result<SessionPage, AppError> {
        let (admitted, page) = futures_util::join!(
            self.admit(caller),
            self.store.sessions_of(&caller.member, timeframe, self.clock.now(), after, limit)
        );
        admitted?;
        Ok(page?)
    }

    /// The session as an iCalendar file.
    pub async fn session_calendar(&self, caller: &Bearer, id: &SessionId) -> Result<String, AppError> {
        let booking = self.visible_session(caller, id).await?;
        let (mentor, learner) =
            futures_util::future::join(self.store.user(&booking.mentor), self.store.user(&booking.learner)).await;
        let name = |u: Option<User>| u.map_or_else(|| "a Peerlearn member".to_owned(), |u| u.name.to_string());
        Ok(crate::domain::calendar::ics_event(
            &booking,
            &name(mentor?),
            &name(learner?),
            "sessions@peerlearn.app",
            self.clock.now(),
        ))
    }

    /// The participants' accounts after `before -> after`. The mentor's track record
    /// moves with answers (the first answer, or the expiry, feeds the response time) and
    /// with taking or freeing time (load); both participants' booked time follows the
    /// effect, and time that overlaps what either already holds is `TimeTaken`. Saved under
    /// each account's version, that booked time is the guard against double booking.
    /// Matching and search read all of it.
    pub(crate) async fn account_changes(
        &self,
        before: &Booking,
        after: &Booking,
        effect: &Effect,
    ) -> Result<AccountChanges, AppError> {
        let answered = match (before.responded_at, after.responded_at) {
            (None, Some(at)) => {
                Some(Some(u32::try_from((at - after.requested_at).num_minutes().max(0)).unwrap_or(u32::MAX)))
            }
            _ if before.state == SessionState::Requested && after.state == SessionState::Expired => Some(None),
            _ => None,
        };
        let load = match (before.state.holds_time(), after.state.holds_time()) {
            (false, true) => 1,
            // Cancelled, completed or no-show: either way no longer upcoming.
            (true, false) => -1,
            _ => 0,
        };
        let time_moved = *effect != Effect::None;
        let mut changes = AccountChanges::default();
        if answered.is_none() && load == 0 && !time_moved {
            return Ok(changes);
        }
        let now = self.clock.now();
        let (mentor, learner) = futures_util::future::join(self.store.user(&after.mentor), async {
            if time_moved { self.store.user(&after.learner).await } else { Ok(None) }
        })
        .await;
        let (mentor, learner) = (mentor?, learner?);
        // Without both accounts nothing would stand between this time and another booking.
        if time_moved && (mentor.is_none() || learner.is_none()) {
            return Err(StoreError::Corrupt(format!("session {}: a participant's account is missing", after.id)).into());
        }
        if let Some(previous) = mentor {
            let mut next = previous.clone();
            if let Some(minutes) = answered {
                next.mentor.record_response(minutes);
            }
            next.mentor.upcoming_sessions = next.mentor.upcoming_sessions.saturating_add_signed(load);
            effect.apply_to(&mut next.booked, now).map_err(|_| AppError::TimeTaken)?;
            next.version += 1;
            changes.mentor = Some((next, previous));
        }
        if let Some(previous) = learner {
            let mut next = previous.clone();
            effect.apply_to(&mut next.booked, now).map_err(|_| AppError::TimeTaken)?;
            next.version += 1;
            changes.learner = Some((next, previous));
        }
        Ok(changes)
    }

    /// The notifications a change sends: to the other party, about what changed.
    fn announce(&self, before: &Booking, after: &Booking, actor: &UserId) -> Vec<NewNotification> {
        let other = if actor == &after.learner { &after.mentor } else { &after.learner };
        NewNotification::session_moved(before, after, other).into_iter().collect()
    }
}

pub(super) fn write_error(error: SessionWriteError) -> AppError {
    match error {
        SessionWriteError::Exhausted(exhausted) => exhausted.into(),
        SessionWriteError::Stale | SessionWriteError::Replay(_) => AppError::Contended,
        SessionWriteError::Store(error) => AppError::Store(error),
    }
}
