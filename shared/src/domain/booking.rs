//! Mentorship sessions: the booking life cycle as a pure state machine.
//!
//! [`Booking::apply`] decides whether a move is allowed and what the session looks like after
//! it, and returns an [`Effect`] telling the store which 15-minute time blocks to lock or free
//! in the same transaction. Nothing here reads the clock or touches storage: `now` is passed in.

use std::fmt;

use chrono::{DateTime, Datelike, SecondsFormat, Timelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::payments::{
    Cents, Currency, EarningStage, FeePercent, LateCancelPolicy, SessionDispute, SessionRefund, Split,
};
use super::{Interval, Invalid, RequestMessage, ShortText, UserId};

/// Time is locked in 15-minute blocks: every slot starts on one and covers whole blocks.
pub const BLOCK_MINUTES: i64 = 15;

ulid_id! {
    /// A session's id.
    SessionId
}

/// How long a session lasts: 30, 45, 60 or 90 minutes, serialised as the number of minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub enum SessionLength {
    /// Half an hour.
    Min30,
    /// Three quarters of an hour.
    Min45,
    /// An hour.
    Min60,
    /// An hour and a half.
    Min90,
}

impl SessionLength {
    /// Every length, shortest first.
    pub const ALL: [SessionLength; 4] =
        [SessionLength::Min30, SessionLength::Min45, SessionLength::Min60, SessionLength::Min90];

    /// The length lasting `minutes`, if it is one of the offered lengths.
    pub fn from_minutes(minutes: u16) -> Result<Self, Invalid> {
        Self::ALL.into_iter().find(|length| length.minutes() == minutes).ok_or(Invalid::new("must be 30, 45, 60 or 90"))
    }

    /// The length in minutes.
    pub const fn minutes(self) -> u16 {
        match self {
            SessionLength::Min30 => 30,
            SessionLength::Min45 => 45,
            SessionLength::Min60 => 60,
            SessionLength::Min90 => 90,
        }
    }

    /// The length as a duration.
    pub fn duration(self) -> chrono::Duration {
        chrono::Duration::minutes(i64::from(self.minutes()))
    }
}

impl TryFrom<u16> for SessionLength {
    type Error = Invalid;

    fn try_from(minutes: u16) -> Result<Self, Invalid> {
        Self::from_minutes(minutes)
    }
}

impl From<SessionLength> for u16 {
    fn from(length: SessionLength) -> u16 {
        length.minutes()
    }
}

impl utoipa::PartialSchema for SessionLength {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::Integer)
            .description(Some("Session length in minutes"))
            .enum_values(Some(SessionLength::ALL.map(SessionLength::minutes)))
            .into()
    }
}

impl utoipa::ToSchema for SessionLength {}

/// When a session starts: a UTC instant on a 15-minute boundary, serialised as RFC 3339.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, format = DateTime, example = "2026-05-04T15:30:00Z")]
pub struct SlotStart(DateTime<Utc>);

impl SlotStart {
    /// Checks that `start` is on a quarter hour in UTC, with no seconds or fractions.
    ///
    /// Only years 1 to 9999 are taken: RFC 3339 writes four-digit years, so later ones could not
    /// be stored and read back, and staying far from chrono's limits keeps slot ends computable.
    pub fn new(start: DateTime<Utc>) -> Result<Self, Invalid> {
        if !(1..=9999).contains(&start.year()) {
            return Err(Invalid::new("must be between the years 1 and 9999"));
        }
        if i64::from(start.minute()) % BLOCK_MINUTES != 0 || start.second() != 0 || start.nanosecond() != 0 {
            return Err(Invalid::new("must start on a quarter hour (:00, :15, :30, :45) in UTC"));
        }
        Ok(Self(start))
    }

    /// Parses an RFC 3339 date-time with any offset, converts it to UTC and checks it as [`SlotStart::new`].
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let parsed = DateTime::parse_from_rfc3339(raw)
            .map_err(|_| Invalid::new("must be an RFC 3339 date-time, e.g. 2026-05-04T15:30:00Z"))?;
        Self::new(parsed.with_timezone(&Utc))
    }

    /// The instant.
    pub const fn get(self) -> DateTime<Utc> {
        self.0
    }
}

impl fmt::Display for SlotStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Whole seconds and `Z`: the start has no fractions and is always UTC.
        f.write_str(&self.0.to_rfc3339_opts(SecondsFormat::Secs, true))
    }
}

impl std::str::FromStr for SlotStart {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl TryFrom<String> for SlotStart {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<SlotStart> for String {
    fn from(start: SlotStart) -> Self {
        start.to_string()
    }
}

/// A bookable span of time: a quarter-hour start and one of the offered lengths.
///
/// Serialised as `{"start": "2026-05-04T15:30:00Z", "duration_minutes": 60}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Slot {
    /// When the session starts.
    start: SlotStart,
    /// How long it lasts.
    #[serde(rename = "duration_minutes")]
    length: SessionLength,
}

impl Slot {
    /// A slot starting at `start` and lasting `length`.
    pub const fn new(start: SlotStart, length: SessionLength) -> Self {
        Self { start, length }
    }

    /// The first instant of the session.
    pub const fn start(&self) -> DateTime<Utc> {
        self.start.get()
    }

    /// The first instant after the session (exclusive).
    pub fn end(&self) -> DateTime<Utc> {
        // SlotStart keeps the year at most 9999, far from chrono's limit, so this cannot overflow.
        self.start() + self.length.duration()
    }

    /// How long the session lasts.
    pub const fn length(&self) -> SessionLength {
        self.length
    }

    /// The slot as a half-open interval [start, end).
    pub fn interval(&self) -> Interval {
        match Interval::new(self.start(), self.end()) {
            Ok(interval) => interval,
            // Every length is positive, so the end is always after the start.
            Err(_) => unreachable!("a slot always ends after it starts"),
        }
    }

    /// The start of every 15-minute block the slot occupies, in order (60 minutes: 4 blocks).
    pub fn blocks(&self) -> Vec<DateTime<Utc>> {
        let count = i64::from(self.length.minutes()) / BLOCK_MINUTES;
        (0..count).map(|i| self.start() + chrono::Duration::minutes(i * BLOCK_MINUTES)).collect()
    }

    /// Whether the two slots share any time; back-to-back slots do not overlap.
    pub fn overlaps(&self, other: &Slot) -> bool {
        self.start() < other.end() && other.start() < self.end()
    }
}

/// Where a session is in its life cycle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SessionState {
    /// The learner asked; the mentor has not answered.
    Requested,
    /// The mentor accepted and the session awaits payment; its time is held.
    Accepted,
    /// The session will happen; its time is held.
    Confirmed,
    /// The session took place.
    Completed,
    /// A participant or an admin called it off.
    Cancelled,
    /// One party did not turn up.
    NoShow,
    /// The mentor declined the request.
    Rejected,
    /// The mentor did not answer in time.
    Expired,
}

impl SessionState {
    /// The serialised form, e.g. `"no_show"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            SessionState::Requested => "requested",
            SessionState::Accepted => "accepted",
            SessionState::Confirmed => "confirmed",
            SessionState::Completed => "completed",
            SessionState::Cancelled => "cancelled",
            SessionState::NoShow => "no_show",
            SessionState::Rejected => "rejected",
            SessionState::Expired => "expired",
        }
    }

    /// Whether the session is closed: no move is accepted any more.
    pub const fn is_final(self) -> bool {
        matches!(
            self,
            SessionState::Completed
                | SessionState::Cancelled
                | SessionState::NoShow
                | SessionState::Rejected
                | SessionState::Expired
        )
    }

    /// Whether the session's time blocks are locked, so nobody else can book them.
    pub const fn holds_time(self) -> bool {
        matches!(self, SessionState::Accepted | SessionState::Confirmed)
    }
}

impl fmt::Display for SessionState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One of the two people in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Party {
    /// The one who booked.
    Learner,
    /// The one who was booked.
    Mentor,
}

impl Party {
    /// The other person in the session.
    pub const fn other(self) -> Party {
        match self {
            Party::Learner => Party::Mentor,
            Party::Mentor => Party::Learner,
        }
    }

    /// The serialised form, `"learner"` or `"mentor"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Party::Learner => "learner",
            Party::Mentor => "mentor",
        }
    }
}

/// Who is making a move on a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Actor {
    /// The learner or the mentor of this session.
    Participant(Party),
    /// A platform administrator.
    Admin,
    /// A scheduled job, e.g. expiring unanswered requests.
    System,
}

/// The timing rules applied to moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Cancelling or moving a held session closer than this to its start is recorded as late.
    pub min_notice: chrono::Duration,
    /// How long a request waits for the mentor before it expires.
    pub request_ttl: chrono::Duration,
    /// How long after the start a participant must wait before reporting the other absent.
    pub no_show_after: chrono::Duration,
    /// How long an accepted paid session holds its time for the learner's payment.
    pub payment_window: chrono::Duration,
    /// The platform's fee on a paid session; the mentor earns the rest.
    pub fee: FeePercent,
    /// The one currency every price and payment is in.
    pub currency: Currency,
    /// How long a paid session's earning is held after it ends, for the learner to dispute
    /// it; a confirmed session nobody completed or reported is completed by the platform
    /// this long after its end.
    pub dispute_window: chrono::Duration,
}

impl Default for Policy {
    /// 12 hours' notice, 48 hours to answer, 10 minutes' grace before a no-show, 30 minutes
    /// to pay.
    fn default() -> Self {
        Self {
            min_notice: chrono::Duration::hours(12),
            request_ttl: chrono::Duration::hours(48),
            no_show_after: chrono::Duration::minutes(10),
            payment_window: chrono::Duration::minutes(30),
            fee: FeePercent::DEFAULT,
            currency: Currency::USD,
            dispute_window: chrono::Duration::hours(48),
        }
    }
}

/// An open offer by one party to move the session to another slot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Proposal {
    /// Who proposed; only the other party can accept or decline.
    pub by: Party,
    /// The proposed slot.
    pub slot: Slot,
    /// When it was proposed.
    pub at: DateTime<Utc>,
    /// Whether it moves a confirmed session with less than the policy's notice.
    pub late: bool,
}

/// Who called a session off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CancelledBy {
    /// The learner.
    Learner,
    /// The mentor.
    Mentor,
    /// A platform administrator.
    Admin,
}

/// How and when a session was called off.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Cancellation {
    /// Who cancelled.
    pub by: CancelledBy,
    /// When.
    pub at: DateTime<Utc>,
    /// Whether a held session was cancelled with less than the policy's notice.
    pub late: bool,
    /// The reason given, if any.
    pub reason: Option<String>,
}

/// A mentorship session between a learner and a mentor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Booking {
    /// The session's id.
    pub id: SessionId,
    /// Who booked.
    pub learner: UserId,
    /// Who was booked.
    pub mentor: UserId,
    /// When the session takes place.
    pub slot: Slot,
    /// What the learner wants to cover.
    pub topic: ShortText,
    /// The learner's note to the mentor.
    pub message: Option<RequestMessage>,
    /// Where the session is in its life cycle.
    pub state: SessionState,
    /// When the learner asked.
    pub requested_at: DateTime<Utc>,
    /// When the session last changed.
    pub updated_at: DateTime<Utc>,
    /// When the request was first answered, for the mentor's response time.
    pub responded_at: Option<DateTime<Utc>>,
    /// An open offer to move the session, if any.
    pub proposal: Option<Proposal>,
    /// How the session was called off, once cancelled.
    pub cancellation: Option<Cancellation>,
    /// The party who did NOT show up, once reported.
    pub no_show: Option<Party>,
    /// Where the participants meet online.
    pub meeting_link: Option<String>,
    /// What the learner pays for the session, fixed when they asked (0: free).
    #[serde(default, rename = "price_cents")]
    #[schema(value_type = u64)]
    pub charge: Cents,
    /// Until when an accepted paid session waits for the learner's payment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pay_by: Option<DateTime<Utc>>,
    /// The payment of a paid session, once the learner started it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub payment: Option<SessionPayment>,
    /// The mentor's late-cancel refund when the learner asked (0, 50 or 100 percent): a
    /// later change of policy is not the learner's to bear.
    #[serde(default, rename = "late_cancel_refund_percent")]
    #[schema(value_type = u8)]
    pub late_cancel: LateCancelPolicy,
    /// Bumped on every change, for optimistic concurrency in the store.
    pub version: u64,
}

/// The payment of a paid session at the provider, and where its money went since.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SessionPayment {
    /// The provider's payment (a PaymentIntent id), one per session.
    pub id: String,
    /// When the money arrived, once it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paid_at: Option<DateTime<Utc>>,
    /// The charge that took the money, which the mentor's transfer is made from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub charge: Option<String>,
    /// The platform's fee on the charge, fixed when the money arrived.
    #[serde(default, rename = "fee_cents")]
    #[schema(value_type = u64)]
    pub fee: Cents,
    /// What the learner gets back, decided when the session ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund: Option<SessionRefund>,
    /// Where the mentor's earning stands.
    #[serde(default)]
    pub earning: EarningStage,
    /// When the mentor's earning leaves its dispute window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub release_at: Option<DateTime<Utc>>,
    /// The provider's transfer of the earning to the mentor, once made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<String>,
    /// When a transfer that could not be made yet (the mentor's payouts are not enabled) is
    /// tried again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_at: Option<DateTime<Utc>>,
    /// The provider's reversal of the transfer, once a dispute lost after it took the
    /// earning back from the mentor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reversal: Option<String>,
    /// The learner's bank disputing the charge, once it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dispute: Option<SessionDispute>,
}

/// A change someone asks for on a session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Move {
    /// The mentor takes the request.
    Accept,
    /// The mentor declines the request.
    Reject,
    /// Call the session off before it starts.
    Cancel {
        /// Why, if the canceller says.
        reason: Option<String>,
    },
    /// Mark the session as held, once it has ended.
    Complete,
    /// A participant reports that the other did not turn up.
    ReportNoShow,
    /// Offer to move the session to another slot (replaces any open proposal).
    Propose(Slot),
    /// Take the other party's open proposal.
    AcceptProposal,
    /// Turn down the other party's open proposal.
    DeclineProposal,
    /// Close a request the mentor did not answer in time, or an accepted paid session the
    /// learner did not pay in time.
    Expire,
    /// The provider reports the learner's payment went through.
    Paid {
        /// The provider's payment.
        payment: String,
        /// The provider's charge.
        charge: Option<String>,
    },
}

/// What the store must do with time-block locks, in the same transaction as the booking write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    /// Nothing to hold or free.
    None,
    /// Hold the slot for both participants; the move fails if either holds time overlapping it.
    TakeTime(Slot),
    /// Free the slot.
    ReleaseTime(Slot),
    /// Free `from` and hold `to` (time in both stays held throughout).
    MoveTime {
        /// The slot being left.
        from: Slot,
        /// The slot being taken.
        to: Slot,
    },
}

/// The time a move would take overlaps a session the member already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the time overlaps a session already booked")]
pub struct TimeTaken;

impl Effect {
    /// Applies the effect to one member's booked time (their sessions still to come, in
    /// start order; ended ones are dropped as `now` passes them). Taking time that overlaps
    /// another booked slot is refused: this list, written under its account's version, is
    /// what makes double booking impossible (see `SessionStore::save_session`). On a
    /// refusal `booked` is left part-way and must be thrown away.
    pub fn apply_to(&self, booked: &mut Vec<Slot>, now: DateTime<Utc>) -> Result<(), TimeTaken> {
        let taken = match self {
            Effect::None => None,
            Effect::TakeTime(slot) => Some(*slot),
            Effect::ReleaseTime(slot) => {
                booked.retain(|s| s != slot);
                None
            }
            Effect::MoveTime { from, to } => {
                booked.retain(|s| s != from);
                Some(*to)
            }
        };
        booked.retain(|slot| slot.end() > now);
        if let Some(slot) = taken {
            if booked.iter().any(|held| held.overlaps(&slot)) {
                return Err(TimeTaken);
            }
            booked.push(slot);
        }
        booked.sort_by_key(Slot::start);
        Ok(())
    }
}

/// Why a move on a session was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{reason} (session is {state})")]
pub struct MoveRefused {
    /// The state the session was in.
    pub state: SessionState,
    /// What stood in the way, in words the user can act on.
    pub reason: &'static str,
}

/// Why a new session request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RequestRefused {
    /// The learner and the mentor are the same person.
    #[error("you cannot book a session with yourself")]
    SelfBooking,
    /// The slot has already started.
    #[error("the requested time has already passed")]
    InThePast,
}

impl Booking {
    /// A new request from `learner` to `mentor` for `slot`, made at `now`.
    ///
    /// Nothing is locked yet: time is taken only when the mentor accepts.
    pub fn request(
        id: SessionId,
        learner: UserId,
        mentor: UserId,
        slot: Slot,
        topic: ShortText,
        message: Option<RequestMessage>,
        now: DateTime<Utc>,
    ) -> Result<Booking, RequestRefused> {
        if learner == mentor {
            return Err(RequestRefused::SelfBooking);
        }
        if slot.start() <= now {
            return Err(RequestRefused::InThePast);
        }
        Ok(Booking {
            id,
            learner,
            mentor,
            slot,
            topic,
            message,
            state: SessionState::Requested,
            requested_at: now,
            updated_at: now,
            responded_at: None,
            proposal: None,
            cancellation: None,
            no_show: None,
            meeting_link: None,
            charge: Cents::ZERO,
            pay_by: None,
            payment: None,
            late_cancel: LateCancelPolicy::NoRefund,
            version: 1,
        })
    }

    /// The same request at `charge` (the mentor's price for the slot's length), under the
    /// mentor's `late_cancel` refund.
    pub fn priced(self, charge: Cents, late_cancel: LateCancelPolicy) -> Booking {
        Booking { charge, late_cancel, ..self }
    }

    /// Whether the learner pays for this session.
    pub fn is_paid(&self) -> bool {
        self.charge > Cents::ZERO
    }

    /// The session once the learner started paying with the provider's payment `id`: only
    /// the learner, only while it is accepted and within its time to pay. Starting again
    /// keeps the first payment (one per session, so nothing is charged twice).
    pub fn paying(&self, actor: Actor, id: &str, now: DateTime<Utc>) -> Result<Booking, MoveRefused> {
        if actor != Actor::Participant(Party::Learner) {
            return Err(self.refuse("only the learner pays for a session"));
        }
        if self.state != SessionState::Accepted {
            return Err(self.refuse("only an accepted session awaits payment"));
        }
        if self.pay_by.is_some_and(|by| now >= by) {
            return Err(self.refuse("the time to pay has passed"));
        }
        if self.payment.is_some() {
            return Ok(self.clone());
        }
        let mut next = self.clone();
        next.payment = Some(SessionPayment { id: id.to_owned(), ..SessionPayment::default() });
        next.updated_at = now;
        next.version = self.version.saturating_add(1);
        Ok(next)
    }

    /// Which party `user` is in this session, if any.
    pub fn party_of(&self, user: &UserId) -> Option<Party> {
        if *user == self.learner {
            Some(Party::Learner)
        } else if *user == self.mentor {
            Some(Party::Mentor)
        } else {
            None
        }
    }

    /// When an unanswered request lapses: the slot's start or `request_ttl` after the request,
    /// whichever comes first.
    pub fn expiry(&self, policy: &Policy) -> DateTime<Utc> {
        if let (SessionState::Accepted, Some(pay_by)) = (self.state, self.pay_by) {
            return pay_by;
        }
        let by_ttl = self.requested_at.checked_add_signed(policy.request_ttl).unwrap_or(self.slot.start());
        by_ttl.min(self.slot.start())
    }

    /// The session after `actor` makes `mv` at `now`, and what it does to the participants' booked time.
    ///
    /// `self` is left as it was; the result has `updated_at = now` and `version + 1`. A refusal
    /// names the current state and what stood in the way.
    pub fn apply(
        &self,
        actor: Actor,
        mv: Move,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<(Booking, Effect), MoveRefused> {
        if self.state.is_final() {
            return Err(self.refuse("the session is already closed"));
        }
        let mut next = self.clone();
        let effect = match mv {
            Move::Accept => self.accept(&mut next, actor, now, policy)?,
            Move::Reject => self.reject(&mut next, actor, now)?,
            Move::Cancel { reason } => self.cancel(&mut next, actor, reason, now, policy)?,
            Move::Complete => self.complete(&mut next, actor, now, policy)?,
            Move::ReportNoShow => self.report_no_show(&mut next, actor, now, policy)?,
            Move::Propose(slot) => self.propose(&mut next, actor, slot, now, policy)?,
            Move::AcceptProposal => self.accept_proposal(&mut next, actor, now, policy)?,
            Move::DeclineProposal => self.decline_proposal(&mut next, actor)?,
            Move::Expire => self.expire(&mut next, actor, now, policy)?,
            Move::Paid { payment, charge } => self.paid(&mut next, actor, payment, charge, now, policy)?,
        };
        if next.state.is_final() {
            // A closed session has nothing left to move to.
            next.proposal = None;
            next.settle(now, policy);
        }
        next.updated_at = now;
        // Saturating: 2^64 changes to one session cannot happen, and a panic would be worse.
        next.version = self.version.saturating_add(1);
        Ok((next, effect))
    }

    /// A refusal in the current state.
    fn refuse(&self, reason: &'static str) -> MoveRefused {
        MoveRefused { state: self.state, reason }
    }

    /// The mentor takes the request as it stands: the session is confirmed and its time taken.
    fn accept(
        &self,
        next: &mut Booking,
        actor: Actor,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<Effect, MoveRefused> {
        if actor != Actor::Participant(Party::Mentor) {
            return Err(self.refuse("only the mentor can accept"));
        }
        if self.state != SessionState::Requested {
            return Err(self.refuse("only a requested session can be accepted"));
        }
        if now >= self.slot.start() {
            return Err(self.refuse("the requested time has passed"));
        }
        if now >= self.expiry(policy) {
            return Err(self.refuse("the request has expired"));
        }
        // A free session is confirmed at once; a paid one holds its time while the learner
        // pays, at most the payment window and never past the start.
        if self.is_paid() {
            next.state = SessionState::Accepted;
            next.pay_by = Some((now + policy.payment_window).min(self.slot.start()));
        } else {
            next.state = SessionState::Confirmed;
        }
        next.responded_at = self.responded_at.or(Some(now));
        // The original time was taken, so any offer to move it is moot.
        next.proposal = None;
        Ok(Effect::TakeTime(self.slot))
    }

    /// The mentor declines the request.
    fn reject(&self, next: &mut Booking, actor: Actor, now: DateTime<Utc>) -> Result<Effect, MoveRefused> {
        if actor != Actor::Participant(Party::Mentor) {
            return Err(self.refuse("only the mentor can reject"));
        }
        if self.state != SessionState::Requested {
            return Err(self.refuse("only a requested session can be rejected"));
        }
        next.state = SessionState::Rejected;
        next.responded_at = self.responded_at.or(Some(now));
        Ok(Effect::None)
    }

    /// A participant or an admin calls the session off before it starts.
    fn cancel(
        &self,
        next: &mut Booking,
        actor: Actor,
        reason: Option<String>,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<Effect, MoveRefused> {
        let by = match actor {
            Actor::Participant(Party::Learner) => CancelledBy::Learner,
            Actor::Participant(Party::Mentor) => CancelledBy::Mentor,
            Actor::Admin => CancelledBy::Admin,
            Actor::System => return Err(self.refuse("only the learner, the mentor or an admin can cancel")),
        };
        if !matches!(self.state, SessionState::Requested | SessionState::Accepted | SessionState::Confirmed) {
            return Err(self.refuse("only a requested, accepted or confirmed session can be cancelled"));
        }
        if now >= self.slot.start() {
            // Once it has started the outcome is a completion or a no-show, not a cancellation.
            return Err(self.refuse("the session has started"));
        }
        let holds = self.state.holds_time();
        // Only a held session costs the other party anything when cancelled at short notice.
        let late = holds && self.slot.start() - now < policy.min_notice;
        next.state = SessionState::Cancelled;
        next.cancellation = Some(Cancellation { by, at: now, late, reason });
        next.proposal = None;
        Ok(if holds { Effect::ReleaseTime(self.slot) } else { Effect::None })
    }

    /// A participant or an admin marks a confirmed session as held, once it has ended; the
    /// platform does so for a session nobody completed or reported within the dispute
    /// window after its end (so a mentor is paid without waiting on the learner).
    fn complete(
        &self,
        next: &mut Booking,
        actor: Actor,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<Effect, MoveRefused> {
        if self.state != SessionState::Confirmed {
            return Err(self.refuse("only a confirmed session can be completed"));
        }
        if now < self.slot.end() {
            return Err(self.refuse("the session has not ended yet"));
        }
        if actor == Actor::System && self.slot.end().checked_add_signed(policy.dispute_window).is_none_or(|at| now < at)
        {
            return Err(self.refuse("the participants may still complete or report the session"));
        }
        next.state = SessionState::Completed;
        Ok(Effect::None)
    }

    /// A participant reports that the other did not turn up.
    fn report_no_show(
        &self,
        next: &mut Booking,
        actor: Actor,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<Effect, MoveRefused> {
        let Actor::Participant(reporter) = actor else {
            return Err(self.refuse("only the learner or the mentor can report a no-show"));
        };
        if self.state != SessionState::Confirmed {
            return Err(self.refuse("only a confirmed session can have a no-show"));
        }
        // An unrepresentable grace period means the report can never be due.
        let due = self.slot.start().checked_add_signed(policy.no_show_after);
        if due.is_none_or(|due| now < due) {
            return Err(self.refuse("too early to report a no-show"));
        }
        next.state = SessionState::NoShow;
        next.no_show = Some(reporter.other());
        Ok(Effect::None)
    }

    /// A participant offers to move the session; a new offer replaces any open one.
    fn propose(
        &self,
        next: &mut Booking,
        actor: Actor,
        slot: Slot,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<Effect, MoveRefused> {
        let Actor::Participant(by) = actor else {
            return Err(self.refuse("only the learner or the mentor can propose a new time"));
        };
        self.check_movable(now, policy)?;
        if slot.start() <= now {
            return Err(self.refuse("the proposed time has passed"));
        }
        if slot == self.slot {
            return Err(self.refuse("the proposed time is the session's current time"));
        }
        let late = self.state == SessionState::Confirmed && self.slot.start() - now < policy.min_notice;
        next.proposal = Some(Proposal { by, slot, at: now, late });
        Ok(Effect::None)
    }

    /// The party who did not propose takes the open proposal: the session moves to its slot.
    fn accept_proposal(
        &self,
        next: &mut Booking,
        actor: Actor,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<Effect, MoveRefused> {
        let Some(proposal) = &self.proposal else {
            return Err(self.refuse("there is no proposal to accept"));
        };
        if actor != Actor::Participant(proposal.by.other()) {
            return Err(self.refuse(match proposal.by {
                Party::Learner => "only the mentor can accept the learner's proposal",
                Party::Mentor => "only the learner can accept the mentor's proposal",
            }));
        }
        self.check_movable(now, policy)?;
        if proposal.slot.start() <= now {
            return Err(self.refuse("the proposed time has passed"));
        }
        let to = proposal.slot;
        let effect = if self.state.holds_time() {
            Effect::MoveTime { from: self.slot, to }
        } else {
            // Agreeing on a time answers the request, whoever proposed it.
            next.responded_at = self.responded_at.or(Some(now));
            Effect::TakeTime(to)
        };
        next.state = SessionState::Confirmed;
        next.slot = to;
        next.proposal = None;
        Ok(effect)
    }

    /// The party who did not propose turns the open proposal down; the session stays as it was.
    fn decline_proposal(&self, next: &mut Booking, actor: Actor) -> Result<Effect, MoveRefused> {
        let Some(proposal) = &self.proposal else {
            return Err(self.refuse("there is no proposal to decline"));
        };
        if actor != Actor::Participant(proposal.by.other()) {
            return Err(self.refuse(match proposal.by {
                Party::Learner => "only the mentor can decline the learner's proposal",
                Party::Mentor => "only the learner can decline the mentor's proposal",
            }));
        }
        next.proposal = None;
        Ok(Effect::None)
    }

    /// The system closes a request the mentor did not answer in time.
    fn expire(
        &self,
        next: &mut Booking,
        actor: Actor,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<Effect, MoveRefused> {
        if actor != Actor::System {
            return Err(self.refuse("only the system can expire a request"));
        }
        if !matches!(self.state, SessionState::Requested | SessionState::Accepted) {
            return Err(self.refuse("only a requested session can expire"));
        }
        if now < self.expiry(policy) {
            return Err(self.refuse("the request has not expired yet"));
        }
        next.state = SessionState::Expired;
        // An unpaid accepted session gives its time back.
        Ok(if self.state.holds_time() { Effect::ReleaseTime(self.slot) } else { Effect::None })
    }

    /// The provider reports the learner paid: the accepted session is confirmed (its time is
    /// already held). A payment that arrives after the window but before the session expired
    /// is taken: the money is in and the time still held.
    ///
    /// The report may come before the platform recorded the payment it started (the
    /// provider's answer and its webhook race), so an accepted session without a payment
    /// takes this one; a session paying with another payment refuses it.
    fn paid(
        &self,
        next: &mut Booking,
        actor: Actor,
        payment: String,
        charge: Option<String>,
        now: DateTime<Utc>,
        policy: &Policy,
    ) -> Result<Effect, MoveRefused> {
        if actor != Actor::System {
            return Err(self.refuse("only the payment provider confirms a payment"));
        }
        if self.state != SessionState::Accepted {
            return Err(self.refuse("only an accepted session awaits payment"));
        }
        if self.payment.as_ref().is_some_and(|started| started.id != payment) {
            return Err(self.refuse("the session is paid with another payment"));
        }
        next.state = SessionState::Confirmed;
        let fee = Split::of(self.charge, policy.fee).fee;
        next.payment =
            Some(SessionPayment { id: payment, paid_at: Some(now), charge, fee, ..SessionPayment::default() });
        Ok(Effect::None)
    }

    /// Checks the session can still be moved: requested and not yet expired, or confirmed and
    /// not yet started.
    ///
    /// Past those points the request can only expire and the session can only be completed or
    /// reported, so a late move cannot revive a lapsed request or dodge a no-show.
    fn check_movable(&self, now: DateTime<Utc>, policy: &Policy) -> Result<(), MoveRefused> {
        match self.state {
            SessionState::Requested if now >= self.expiry(policy) => Err(self.refuse("the request has expired")),
            SessionState::Confirmed if now >= self.slot.start() => Err(self.refuse("the session has started")),
            SessionState::Requested | SessionState::Confirmed => Ok(()),
            _ => Err(self.refuse("only a requested or confirmed session can be moved")),
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};
    use proptest::prelude::*;
    use ulid::Ulid;

    const SAMPLE: &str = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 5, 4, h, m, 0).unwrap()
    }

    fn slot(start: DateTime<Utc>, minutes: u16) -> Slot {
        Slot::new(SlotStart::new(start).unwrap(), SessionLength::from_minutes(minutes).unwrap())
    }

    fn user(n: u128) -> UserId {
        UserId::new(Ulid(n))
    }

    /// The slot every test books unless it says otherwise: 15:00-16:00 on 2026-05-04.
    fn the_slot() -> Slot {
        slot(at(15, 0), 60)
    }

    /// Requested at 03:00, nine hours' notice is short of the 12 hours policy requires later on.
    fn requested() -> Booking {
        requested_at(at(3, 0))
    }

    fn requested_at(now: DateTime<Utc>) -> Booking {
        Booking::request(
            SessionId::new(Ulid(42)),
            user(1),
            user(2),
            the_slot(),
            ShortText::parse("Rust lifetimes").unwrap(),
            Some(RequestMessage::parse("Hi!\nI am stuck on borrowing.").unwrap()),
            now,
        )
        .unwrap()
    }

    const LEARNER: Actor = Actor::Participant(Party::Learner);
    const MENTOR: Actor = Actor::Participant(Party::Mentor);

    fn policy() -> Policy {
        Policy::default()
    }

    fn apply(b: &Booking, actor: Actor, mv: Move, now: DateTime<Utc>) -> Result<(Booking, Effect), MoveRefused> {
        b.apply(actor, mv, now, &policy())
    }

    fn ok(b: &Booking, actor: Actor, mv: Move, now: DateTime<Utc>) -> (Booking, Effect) {
        apply(b, actor, mv, now).unwrap()
    }

    fn refused(b: &Booking, actor: Actor, mv: Move, now: DateTime<Utc>) -> &'static str {
        let err = apply(b, actor, mv, now).unwrap_err();
        assert_eq!(err.state, b.state);
        err.reason
    }

    fn confirmed() -> Booking {
        ok(&requested(), MENTOR, Move::Accept, at(4, 0)).0
    }

    fn with_state(state: SessionState) -> Booking {
        Booking { state, ..requested() }
    }

    // --- SessionId ---

    #[test]
    fn session_id_parses_displays_and_serialises() {
        let id = SessionId::parse(SAMPLE).unwrap();
        assert_eq!(id.to_string(), SAMPLE);
        assert_eq!(SessionId::parse(&SAMPLE.to_lowercase()).unwrap(), id);
        assert_eq!(id.as_ulid(), Ulid::from_string(SAMPLE).unwrap());
        assert_eq!(SessionId::from(id.as_ulid()), id);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, format!("\"{SAMPLE}\""));
        assert_eq!(serde_json::from_str::<SessionId>(&json).unwrap(), id);
        for bad in
            ["", "nope", "81ARZ3NDEKTSV4RRFFQ69G5FAV", "01ARZ3NDEKTSV4RRFFQ69G5FAU", " 01ARZ3NDEKTSV4RRFFQ69G5FA"]
        {
            assert_eq!(SessionId::parse(bad).unwrap_err().reason(), "must be a 26-character ULID", "{bad:?}");
        }
        assert!(serde_json::from_str::<SessionId>("\"nope\"").is_err());
    }

    // --- SessionLength ---

    #[test]
    fn session_length_accepts_only_offered_lengths() {
        for (minutes, length) in [
            (30, SessionLength::Min30),
            (45, SessionLength::Min45),
            (60, SessionLength::Min60),
            (90, SessionLength::Min90),
        ] {
            assert_eq!(SessionLength::from_minutes(minutes).unwrap(), length);
            assert_eq!(length.minutes(), minutes);
            assert_eq!(length.duration(), Duration::minutes(i64::from(minutes)));
            assert_eq!(serde_json::to_string(&length).unwrap(), minutes.to_string());
            assert_eq!(serde_json::from_str::<SessionLength>(&minutes.to_string()).unwrap(), length);
        }
        for bad in [0, 15, 29, 31, 75, 120, u16::MAX] {
            assert_eq!(SessionLength::from_minutes(bad).unwrap_err().reason(), "must be 30, 45, 60 or 90");
        }
        assert!(serde_json::from_str::<SessionLength>("120").is_err());
        assert!(serde_json::from_str::<SessionLength>("\"60\"").is_err());
    }

    // --- SlotStart and Slot ---

    #[test]
    fn slot_start_must_be_on_a_quarter_hour() {
        for m in [0, 15, 30, 45] {
            assert_eq!(SlotStart::new(at(9, m)).unwrap().get(), at(9, m));
        }
        let reason = "must start on a quarter hour (:00, :15, :30, :45) in UTC";
        for bad in [
            at(9, 1),
            at(9, 14),
            at(9, 59),
            at(9, 0) + Duration::seconds(1),
            at(9, 0) + Duration::nanoseconds(1),
            at(9, 0) - Duration::milliseconds(1),
        ] {
            assert_eq!(SlotStart::new(bad).unwrap_err().reason(), reason, "{bad}");
        }
    }

    #[test]
    fn slot_start_parses_any_offset_into_utc() {
        assert_eq!(SlotStart::parse("2026-05-04T15:30:00Z").unwrap().get(), at(15, 30));
        assert_eq!(SlotStart::parse("2026-05-04T17:30:00+02:00").unwrap().get(), at(15, 30));
        assert_eq!(SlotStart::parse("2026-05-04T10:45:00-04:45").unwrap().get(), at(15, 30));
        assert_eq!(SlotStart::parse("2026-05-04t15:30:00.000z").unwrap().get(), at(15, 30));
        // On a local quarter hour but not a UTC one.
        assert_eq!(
            SlotStart::parse("2026-05-04T15:30:00+05:50").unwrap_err().reason(),
            "must start on a quarter hour (:00, :15, :30, :45) in UTC"
        );
        for bad in ["", "2026-05-04", "2026-05-04T15:30:00", "2026-05-04 15:30", "tomorrow"] {
            assert_eq!(
                SlotStart::parse(bad).unwrap_err().reason(),
                "must be an RFC 3339 date-time, e.g. 2026-05-04T15:30:00Z",
                "{bad:?}"
            );
        }
        // Outside years 1 to 9999.
        assert!(SlotStart::parse("0000-01-01T00:00:00Z").is_err());
        let far = Utc.with_ymd_and_hms(10_000, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(SlotStart::new(far).unwrap_err().reason(), "must be between the years 1 and 9999");
        assert!(SlotStart::new(DateTime::<Utc>::MAX_UTC).is_err());
        assert!(SlotStart::new(DateTime::<Utc>::MIN_UTC).is_err());
    }

    #[test]
    fn booked_time_refuses_overlaps_and_forgets_what_has_ended() {
        let now = at(9, 0);
        let mut booked = vec![slot(at(8, 0), 60), slot(at(10, 0), 60)];
        // Back to back is fine; the session that ended at 9:00 is dropped on the way.
        Effect::TakeTime(slot(at(11, 0), 30)).apply_to(&mut booked, now).unwrap();
        assert_eq!(booked, vec![slot(at(10, 0), 60), slot(at(11, 0), 30)]);
        // A quarter hour of overlap is enough to refuse.
        assert_eq!(Effect::TakeTime(slot(at(10, 45), 30)).apply_to(&mut booked.clone(), now), Err(TimeTaken));
        // Moving a session onto part of its own time is not an overlap with itself...
        Effect::MoveTime { from: slot(at(10, 0), 60), to: slot(at(9, 30), 90) }.apply_to(&mut booked, now).unwrap();
        assert_eq!(booked, vec![slot(at(9, 30), 90), slot(at(11, 0), 30)]);
        // ...but onto another session's time is.
        let onto_other = Effect::MoveTime { from: slot(at(9, 30), 90), to: slot(at(10, 30), 60) };
        assert_eq!(onto_other.apply_to(&mut booked.clone(), now), Err(TimeTaken));
        Effect::ReleaseTime(slot(at(11, 0), 30)).apply_to(&mut booked, now).unwrap();
        Effect::None.apply_to(&mut booked, now).unwrap();
        assert_eq!(booked, vec![slot(at(9, 30), 90)]);
        // Freed time can be taken again.
        Effect::TakeTime(slot(at(11, 0), 60)).apply_to(&mut booked, now).unwrap();
        assert_eq!(booked.len(), 2);
    }

    #[test]
    fn slot_start_serialises_as_rfc3339_utc() {
        let start = SlotStart::new(at(15, 30)).unwrap();
        assert_eq!(start.to_string(), "2026-05-04T15:30:00Z");
        assert_eq!(serde_json::to_string(&start).unwrap(), "\"2026-05-04T15:30:00Z\"");
        assert_eq!(serde_json::from_str::<SlotStart>("\"2026-05-04T17:30:00+02:00\"").unwrap(), start);
        assert!(serde_json::from_str::<SlotStart>("\"2026-05-04T15:31:00Z\"").is_err());
    }

    #[test]
    fn slot_accessors_and_serde() {
        let s = slot(at(15, 30), 90);
        assert_eq!(s.start(), at(15, 30));
        assert_eq!(s.end(), at(17, 0));
        assert_eq!(s.length(), SessionLength::Min90);
        assert_eq!(s.interval(), Interval::new(at(15, 30), at(17, 0)).unwrap());
        let json = serde_json::to_value(s).unwrap();
        assert_eq!(json, serde_json::json!({"start": "2026-05-04T15:30:00Z", "duration_minutes": 90}));
        assert_eq!(serde_json::from_value::<Slot>(json).unwrap(), s);
        assert!(serde_json::from_value::<Slot>(serde_json::json!({"start": "2026-05-04T15:30:00Z"})).is_err());
        assert!(
            serde_json::from_value::<Slot>(
                serde_json::json!({"start": "2026-05-04T15:30:00Z", "duration_minutes": 20})
            )
            .is_err()
        );
    }

    #[test]
    fn slot_blocks_cover_the_slot_in_quarter_hours() {
        assert_eq!(slot(at(15, 0), 60).blocks(), vec![at(15, 0), at(15, 15), at(15, 30), at(15, 45)]);
        assert_eq!(slot(at(23, 45), 30).blocks(), vec![at(23, 45), at(23, 45) + Duration::minutes(15)]);
        assert_eq!(slot(at(8, 0), 45).blocks().len(), 3);
        assert_eq!(slot(at(8, 0), 90).blocks().len(), 6);
    }

    #[test]
    fn slots_overlap_only_when_they_share_time() {
        let a = slot(at(15, 0), 60);
        assert!(a.overlaps(&a));
        assert!(a.overlaps(&slot(at(15, 45), 30)));
        assert!(a.overlaps(&slot(at(14, 30), 45)));
        assert!(a.overlaps(&slot(at(14, 30), 90)));
        assert!(!a.overlaps(&slot(at(16, 0), 30)));
        assert!(!a.overlaps(&slot(at(14, 30), 30)));
    }

    // --- enums ---

    #[test]
    fn states_serialise_in_snake_case_and_classify() {
        use SessionState::*;
        let all = [Requested, Accepted, Confirmed, Completed, Cancelled, NoShow, Rejected, Expired];
        for state in all {
            assert_eq!(serde_json::to_string(&state).unwrap(), format!("\"{}\"", state.as_str()));
            assert_eq!(serde_json::from_str::<SessionState>(&format!("\"{state}\"")).unwrap(), state);
        }
        assert_eq!(NoShow.as_str(), "no_show");
        let finals: Vec<_> = all.into_iter().filter(|s| s.is_final()).collect();
        assert_eq!(finals, [Completed, Cancelled, NoShow, Rejected, Expired]);
        let holding: Vec<_> = all.into_iter().filter(|s| s.holds_time()).collect();
        assert_eq!(holding, [Accepted, Confirmed]);
    }

    #[test]
    fn parties_and_policy() {
        assert_eq!(Party::Learner.other(), Party::Mentor);
        assert_eq!(Party::Mentor.other(), Party::Learner);
        assert_eq!(serde_json::to_string(&Party::Mentor).unwrap(), "\"mentor\"");
        assert_eq!(Party::Learner.as_str(), "learner");
        assert_eq!(serde_json::to_string(&CancelledBy::Admin).unwrap(), "\"admin\"");
        let p = Policy::default();
        assert_eq!(p.min_notice, Duration::hours(12));
        assert_eq!(p.request_ttl, Duration::hours(48));
        assert_eq!(p.no_show_after, Duration::minutes(10));
    }

    #[test]
    fn errors_read_well() {
        let err = MoveRefused { state: SessionState::NoShow, reason: "the session is already closed" };
        assert_eq!(err.to_string(), "the session is already closed (session is no_show)");
        assert_eq!(RequestRefused::SelfBooking.to_string(), "you cannot book a session with yourself");
        assert_eq!(RequestRefused::InThePast.to_string(), "the requested time has already passed");
    }

    // --- request ---

    #[test]
    fn request_starts_a_session() {
        let b = requested();
        assert_eq!(b.state, SessionState::Requested);
        assert_eq!(b.version, 1);
        assert_eq!((b.requested_at, b.updated_at), (at(3, 0), at(3, 0)));
        assert_eq!((b.responded_at, &b.proposal, &b.cancellation, b.no_show), (None, &None, &None, None));
        assert_eq!(b.meeting_link, None);
        assert_eq!(b.party_of(&user(1)), Some(Party::Learner));
        assert_eq!(b.party_of(&user(2)), Some(Party::Mentor));
        assert_eq!(b.party_of(&user(3)), None);
    }

    #[test]
    fn request_refuses_self_booking_and_the_past() {
        let make = |learner, mentor, now| {
            Booking::request(
                SessionId::new(Ulid(1)),
                learner,
                mentor,
                the_slot(),
                ShortText::parse("x").unwrap(),
                None,
                now,
            )
        };
        assert_eq!(make(user(1), user(1), at(3, 0)).unwrap_err(), RequestRefused::SelfBooking);
        assert_eq!(make(user(1), user(2), at(15, 0)).unwrap_err(), RequestRefused::InThePast);
        assert_eq!(make(user(1), user(2), at(16, 0)).unwrap_err(), RequestRefused::InThePast);
        assert!(make(user(1), user(2), at(14, 59)).is_ok());
    }

    #[test]
    fn booking_serde_round_trips() {
        let (b, _) = ok(&confirmed(), LEARNER, Move::Propose(slot(at(18, 0), 30)), at(5, 0));
        let json = serde_json::to_value(&b).unwrap();
        assert_eq!(json["state"], "confirmed");
        assert_eq!(json["slot"]["duration_minutes"], 60);
        assert_eq!(json["proposal"]["by"], "learner");
        assert_eq!(serde_json::from_value::<Booking>(json).unwrap(), b);
    }

    #[test]
    fn expiry_is_the_earlier_of_ttl_and_start() {
        assert_eq!(requested().expiry(&policy()), at(15, 0));
        let early = requested_at(at(15, 0) - Duration::days(3));
        assert_eq!(early.expiry(&policy()), at(15, 0) - Duration::days(1));
        let forever = Policy { request_ttl: Duration::MAX, ..policy() };
        assert_eq!(early.expiry(&forever), at(15, 0));
    }

    // --- apply: general ---

    #[test]
    fn apply_bumps_version_and_leaves_self_alone() {
        let before = requested();
        let (after, _) = ok(&before, MENTOR, Move::Accept, at(4, 0));
        assert_eq!(before, requested());
        assert_eq!(after.version, 2);
        assert_eq!(after.updated_at, at(4, 0));
        assert_eq!(after.requested_at, at(3, 0));
    }

    #[test]
    fn no_move_is_accepted_in_a_final_state() {
        use SessionState::*;
        let moves = [
            (MENTOR, Move::Accept),
            (MENTOR, Move::Reject),
            (LEARNER, Move::Cancel { reason: None }),
            (Actor::Admin, Move::Cancel { reason: None }),
            (LEARNER, Move::Complete),
            (MENTOR, Move::ReportNoShow),
            (LEARNER, Move::Propose(slot(at(20, 0), 30))),
            (MENTOR, Move::AcceptProposal),
            (MENTOR, Move::DeclineProposal),
            (Actor::System, Move::Expire),
        ];
        for state in [Completed, Cancelled, NoShow, Rejected, Expired] {
            let mut b = with_state(state);
            b.proposal = Some(Proposal { by: Party::Learner, slot: slot(at(20, 0), 30), at: at(3, 0), late: false });
            for (actor, mv) in moves.clone() {
                for now in [at(3, 30), at(20, 0), at(23, 0)] {
                    assert_eq!(refused(&b, actor, mv.clone(), now), "the session is already closed", "{state} {mv:?}");
                }
            }
        }
    }

    // --- Accept ---

    #[test]
    fn mentor_accept_confirms_and_takes_time() {
        let (b, effect) = ok(&requested(), MENTOR, Move::Accept, at(4, 0));
        assert_eq!(b.state, SessionState::Confirmed);
        assert_eq!(b.responded_at, Some(at(4, 0)));
        assert_eq!(effect, Effect::TakeTime(the_slot()));
    }

    #[test]
    fn accept_keeps_first_response_time_and_drops_open_proposal() {
        let mut b = requested();
        b.responded_at = Some(at(3, 30));
        b.proposal = Some(Proposal { by: Party::Learner, slot: slot(at(20, 0), 30), at: at(3, 15), late: false });
        let (b, _) = ok(&b, MENTOR, Move::Accept, at(4, 0));
        assert_eq!(b.responded_at, Some(at(3, 30)));
        assert_eq!(b.proposal, None);
        assert_eq!(b.slot, the_slot());
    }

    #[test]
    fn accept_refusals() {
        let b = requested();
        for actor in [LEARNER, Actor::Admin, Actor::System] {
            assert_eq!(refused(&b, actor, Move::Accept, at(4, 0)), "only the mentor can accept");
        }
        assert_eq!(refused(&confirmed(), MENTOR, Move::Accept, at(4, 0)), "only a requested session can be accepted");
        let accepted = with_state(SessionState::Accepted);
        assert_eq!(refused(&accepted, MENTOR, Move::Accept, at(4, 0)), "only a requested session can be accepted");
        assert_eq!(refused(&b, MENTOR, Move::Accept, at(15, 0)), "the requested time has passed");
        assert_eq!(refused(&b, MENTOR, Move::Accept, at(16, 0)), "the requested time has passed");
        let early = requested_at(at(15, 0) - Duration::days(3));
        let expiry = early.expiry(&policy());
        assert_eq!(refused(&early, MENTOR, Move::Accept, expiry), "the request has expired");
        assert!(apply(&early, MENTOR, Move::Accept, expiry - Duration::seconds(1)).is_ok());
    }

    // --- Reject ---

    #[test]
    fn mentor_reject_closes_the_request() {
        let (b, effect) = ok(&requested(), MENTOR, Move::Reject, at(4, 0));
        assert_eq!(b.state, SessionState::Rejected);
        assert_eq!(b.responded_at, Some(at(4, 0)));
        assert_eq!(effect, Effect::None);
    }

    #[test]
    fn reject_refusals() {
        for actor in [LEARNER, Actor::Admin, Actor::System] {
            assert_eq!(refused(&requested(), actor, Move::Reject, at(4, 0)), "only the mentor can reject");
        }
        assert_eq!(refused(&confirmed(), MENTOR, Move::Reject, at(4, 0)), "only a requested session can be rejected");
    }

    // --- Cancel ---

    #[test]
    fn cancelling_a_request_frees_nothing_and_is_never_late() {
        let reason = Some("exam moved".to_owned());
        let (b, effect) = ok(&requested(), LEARNER, Move::Cancel { reason: reason.clone() }, at(14, 0));
        assert_eq!(b.state, SessionState::Cancelled);
        assert_eq!(effect, Effect::None);
        assert_eq!(b.cancellation, Some(Cancellation { by: CancelledBy::Learner, at: at(14, 0), late: false, reason }));
        assert_eq!(b.no_show, None);
    }

    #[test]
    fn cancelling_a_held_session_releases_time_and_flags_short_notice() {
        let c = confirmed();
        let (b, effect) = ok(&c, MENTOR, Move::Cancel { reason: None }, at(4, 0));
        assert_eq!(effect, Effect::ReleaseTime(the_slot()));
        assert_eq!(b.cancellation.as_ref().unwrap().by, CancelledBy::Mentor);
        // 11 hours' notice against the 12 required.
        assert!(b.cancellation.unwrap().late);

        let relaxed = Policy { min_notice: Duration::hours(11), ..policy() };
        let (b, _) = c.apply(MENTOR, Move::Cancel { reason: None }, at(4, 0), &relaxed).unwrap();
        assert!(!b.cancellation.unwrap().late, "exactly the minimum notice is on time");

        let (b, effect) =
            ok(&with_state(SessionState::Accepted), Actor::Admin, Move::Cancel { reason: None }, at(14, 45));
        assert_eq!(effect, Effect::ReleaseTime(the_slot()));
        let cancellation = b.cancellation.unwrap();
        assert_eq!(cancellation.by, CancelledBy::Admin);
        assert!(cancellation.late);
    }

    #[test]
    fn cancel_clears_an_open_proposal() {
        let (b, _) = ok(&confirmed(), LEARNER, Move::Propose(slot(at(18, 0), 30)), at(5, 0));
        assert!(b.proposal.is_some());
        let (b, _) = ok(&b, MENTOR, Move::Cancel { reason: None }, at(6, 0));
        assert_eq!(b.proposal, None);
    }

    #[test]
    fn cancel_refusals() {
        let reason = "only the learner, the mentor or an admin can cancel";
        assert_eq!(refused(&requested(), Actor::System, Move::Cancel { reason: None }, at(4, 0)), reason);
        for b in [requested(), confirmed()] {
            for now in [at(15, 0), at(15, 30), at(17, 0)] {
                assert_eq!(refused(&b, LEARNER, Move::Cancel { reason: None }, now), "the session has started");
            }
        }
    }

    // --- Complete ---

    #[test]
    fn complete_after_the_end() {
        for actor in [LEARNER, MENTOR, Actor::Admin] {
            let (b, effect) = ok(&confirmed(), actor, Move::Complete, at(16, 0));
            assert_eq!(b.state, SessionState::Completed);
            assert_eq!(effect, Effect::None);
        }
    }

    #[test]
    fn complete_refusals() {
        let c = confirmed();
        assert_eq!(
            refused(&c, Actor::System, Move::Complete, at(17, 0)),
            "the participants may still complete or report the session"
        );
        let window_ends = c.slot.end() + chrono::Duration::hours(48);
        let just_before = window_ends - chrono::Duration::seconds(1);
        assert_eq!(
            refused(&c, Actor::System, Move::Complete, just_before),
            "the participants may still complete or report the session"
        );
        assert_eq!(ok(&c, Actor::System, Move::Complete, window_ends).0.state, SessionState::Completed);
        assert_eq!(refused(&c, LEARNER, Move::Complete, at(15, 59)), "the session has not ended yet");
        assert_eq!(refused(&c, LEARNER, Move::Complete, at(14, 0)), "the session has not ended yet");
        for b in [requested(), with_state(SessionState::Accepted)] {
            assert_eq!(refused(&b, MENTOR, Move::Complete, at(17, 0)), "only a confirmed session can be completed");
        }
    }

    // --- ReportNoShow ---

    #[test]
    fn a_participant_reports_the_other_absent() {
        let (b, effect) = ok(&confirmed(), MENTOR, Move::ReportNoShow, at(15, 10));
        assert_eq!(b.state, SessionState::NoShow);
        assert_eq!(b.no_show, Some(Party::Learner));
        assert_eq!(b.cancellation, None);
        assert_eq!(effect, Effect::None);
        let (b, _) = ok(&confirmed(), LEARNER, Move::ReportNoShow, at(18, 0));
        assert_eq!(b.no_show, Some(Party::Mentor));
    }

    #[test]
    fn report_no_show_refusals() {
        let c = confirmed();
        let reason = "only the learner or the mentor can report a no-show";
        assert_eq!(refused(&c, Actor::Admin, Move::ReportNoShow, at(16, 0)), reason);
        assert_eq!(refused(&c, Actor::System, Move::ReportNoShow, at(16, 0)), reason);
        assert_eq!(refused(&c, MENTOR, Move::ReportNoShow, at(15, 9)), "too early to report a no-show");
        assert_eq!(refused(&c, MENTOR, Move::ReportNoShow, at(14, 0)), "too early to report a no-show");
        for b in [requested(), with_state(SessionState::Accepted)] {
            assert_eq!(
                refused(&b, MENTOR, Move::ReportNoShow, at(16, 0)),
                "only a confirmed session can have a no-show"
            );
        }
        let never = Policy { no_show_after: Duration::MAX, ..policy() };
        let err = c.apply(MENTOR, Move::ReportNoShow, at(23, 0), &never).unwrap_err();
        assert_eq!(err.reason, "too early to report a no-show");
    }

    // --- Propose / AcceptProposal / DeclineProposal ---

    #[test]
    fn propose_on_a_request_then_accept_confirms_at_the_new_time() {
        let new = slot(at(12, 0), 45);
        let (b, effect) = ok(&requested(), MENTOR, Move::Propose(new), at(4, 0));
        assert_eq!(effect, Effect::None);
        assert_eq!(b.state, SessionState::Requested);
        assert_eq!(b.slot, the_slot());
        assert_eq!(b.proposal, Some(Proposal { by: Party::Mentor, slot: new, at: at(4, 0), late: false }));

        let (b, effect) = ok(&b, LEARNER, Move::AcceptProposal, at(5, 0));
        assert_eq!(b.state, SessionState::Confirmed);
        assert_eq!(b.slot, new);
        assert_eq!(b.proposal, None);
        assert_eq!(b.responded_at, Some(at(5, 0)));
        assert_eq!(effect, Effect::TakeTime(new));
        assert_eq!(b.version, 3);
    }

    #[test]
    fn moving_a_confirmed_session_moves_its_time() {
        let new = slot(at(20, 0), 90);
        let (b, _) = ok(&confirmed(), LEARNER, Move::Propose(new), at(5, 0));
        let proposal = b.proposal.clone().unwrap();
        assert!(proposal.late, "ten hours before a confirmed session is short notice");
        let (b, effect) = ok(&b, MENTOR, Move::AcceptProposal, at(6, 0));
        assert_eq!(b.state, SessionState::Confirmed);
        assert_eq!(b.slot, new);
        assert_eq!(b.responded_at, Some(at(4, 0)), "the first answer is kept");
        assert_eq!(effect, Effect::MoveTime { from: the_slot(), to: new });
    }

    #[test]
    fn proposals_on_time_and_on_requests_are_not_late() {
        let early = Booking { slot: slot(at(15, 0) + Duration::days(2), 60), ..confirmed() };
        let (b, _) = ok(&early, MENTOR, Move::Propose(slot(at(20, 0), 30)), at(5, 0));
        assert!(!b.proposal.unwrap().late);
        let (b, _) = ok(&requested(), LEARNER, Move::Propose(slot(at(14, 0), 30)), at(13, 0));
        assert!(!b.proposal.unwrap().late);
    }

    #[test]
    fn a_counter_proposal_replaces_the_open_one() {
        let (b, _) = ok(&confirmed(), LEARNER, Move::Propose(slot(at(20, 0), 60)), at(5, 0));
        let counter = slot(at(21, 0), 60);
        let (b, _) = ok(&b, MENTOR, Move::Propose(counter), at(6, 0));
        assert_eq!(b.proposal.as_ref().unwrap().by, Party::Mentor);
        assert_eq!(b.proposal.as_ref().unwrap().slot, counter);
        assert_eq!(
            refused(&b, MENTOR, Move::AcceptProposal, at(7, 0)),
            "only the learner can accept the mentor's proposal"
        );
        let (b, effect) = ok(&b, LEARNER, Move::AcceptProposal, at(7, 0));
        assert_eq!(effect, Effect::MoveTime { from: the_slot(), to: counter });
        assert_eq!(b.slot, counter);
    }

    #[test]
    fn declining_keeps_the_session_as_it_was() {
        let c = confirmed();
        let (b, _) = ok(&c, LEARNER, Move::Propose(slot(at(20, 0), 60)), at(5, 0));
        let (b, effect) = ok(&b, MENTOR, Move::DeclineProposal, at(6, 0));
        assert_eq!(effect, Effect::None);
        assert_eq!(b.proposal, None);
        assert_eq!(b.slot, c.slot);
        assert_eq!(b.state, SessionState::Confirmed);
    }

    #[test]
    fn propose_refusals() {
        let new = Move::Propose(slot(at(20, 0), 30));
        for actor in [Actor::Admin, Actor::System] {
            assert_eq!(
                refused(&requested(), actor, new.clone(), at(4, 0)),
                "only the learner or the mentor can propose a new time"
            );
        }
        let accepted = with_state(SessionState::Accepted);
        assert_eq!(
            refused(&accepted, LEARNER, new.clone(), at(4, 0)),
            "only a requested or confirmed session can be moved"
        );
        assert_eq!(
            refused(&requested(), LEARNER, Move::Propose(slot(at(4, 0), 30)), at(4, 0)),
            "the proposed time has passed"
        );
        assert_eq!(
            refused(&requested(), LEARNER, Move::Propose(slot(at(3, 45), 30)), at(4, 0)),
            "the proposed time has passed"
        );
        assert_eq!(
            refused(&confirmed(), MENTOR, Move::Propose(the_slot()), at(4, 0)),
            "the proposed time is the session's current time"
        );
        // Same start, different length is a different slot.
        assert!(apply(&confirmed(), MENTOR, Move::Propose(slot(at(15, 0), 90)), at(4, 0)).is_ok());
        assert_eq!(refused(&confirmed(), MENTOR, new.clone(), at(15, 0)), "the session has started");
        assert_eq!(refused(&requested(), MENTOR, new, at(15, 0)), "the request has expired");
    }

    #[test]
    fn accept_proposal_refusals() {
        assert_eq!(refused(&confirmed(), MENTOR, Move::AcceptProposal, at(5, 0)), "there is no proposal to accept");
        let (b, _) = ok(&confirmed(), LEARNER, Move::Propose(slot(at(20, 0), 30)), at(5, 0));
        for actor in [LEARNER, Actor::Admin, Actor::System] {
            assert_eq!(
                refused(&b, actor, Move::AcceptProposal, at(6, 0)),
                "only the mentor can accept the learner's proposal"
            );
        }
        assert_eq!(refused(&b, MENTOR, Move::AcceptProposal, at(15, 0)), "the session has started");

        let (r, _) = ok(&requested(), MENTOR, Move::Propose(slot(at(14, 0), 30)), at(5, 0));
        assert_eq!(refused(&r, LEARNER, Move::AcceptProposal, at(14, 0)), "the proposed time has passed");
        assert_eq!(refused(&r, LEARNER, Move::AcceptProposal, at(15, 0)), "the request has expired");
    }

    #[test]
    fn decline_proposal_refusals() {
        assert_eq!(refused(&confirmed(), MENTOR, Move::DeclineProposal, at(5, 0)), "there is no proposal to decline");
        let (b, _) = ok(&confirmed(), MENTOR, Move::Propose(slot(at(20, 0), 30)), at(5, 0));
        for actor in [MENTOR, Actor::Admin, Actor::System] {
            assert_eq!(
                refused(&b, actor, Move::DeclineProposal, at(6, 0)),
                "only the learner can decline the mentor's proposal"
            );
        }
    }

    // --- Expire ---

    #[test]
    fn system_expires_an_unanswered_request() {
        let b = requested();
        let (e, effect) = b.apply(Actor::System, Move::Expire, at(15, 0), &policy()).unwrap();
        assert_eq!(e.state, SessionState::Expired);
        assert_eq!(effect, Effect::None);
        let early = requested_at(at(15, 0) - Duration::days(3));
        assert!(apply(&early, Actor::System, Move::Expire, early.requested_at + Duration::hours(48)).is_ok());
    }

    fn paid_request() -> Booking {
        requested().priced(Cents::new(6000), LateCancelPolicy::NoRefund)
    }

    #[test]
    fn a_paid_session_holds_its_time_while_the_learner_pays_at_most_thirty_minutes() {
        let (accepted, effect) = ok(&paid_request(), MENTOR, Move::Accept, at(4, 0));
        assert_eq!(accepted.state, SessionState::Accepted);
        assert_eq!(effect, Effect::TakeTime(the_slot()));
        assert_eq!(accepted.pay_by, Some(at(4, 30)));
        assert_eq!(accepted.expiry(&policy()), at(4, 30));
        // Accepted close to the start: the time to pay ends at the start.
        let (late, _) = ok(&paid_request(), MENTOR, Move::Accept, at(14, 50));
        assert_eq!(late.pay_by, Some(at(15, 0)));
        // Free sessions are confirmed at once, as before.
        assert_eq!(ok(&requested(), MENTOR, Move::Accept, at(4, 0)).0.state, SessionState::Confirmed);
    }

    #[test]
    fn only_the_learner_starts_paying_and_only_while_it_waits() {
        let (accepted, _) = ok(&paid_request(), MENTOR, Move::Accept, at(4, 0));
        let paying = accepted.paying(LEARNER, "pi_1", at(4, 10)).unwrap();
        assert_eq!(paying.payment.as_ref().map(|p| p.id.as_str()), Some("pi_1"));
        assert_eq!(paying.version, accepted.version + 1);
        // Starting again keeps the one payment.
        assert_eq!(paying.paying(LEARNER, "pi_2", at(4, 11)).unwrap(), paying);
        assert_eq!(
            accepted.paying(MENTOR, "pi_1", at(4, 10)).unwrap_err().reason,
            "only the learner pays for a session"
        );
        assert_eq!(accepted.paying(LEARNER, "pi_1", at(4, 30)).unwrap_err().reason, "the time to pay has passed");
        assert_eq!(
            paid_request().paying(LEARNER, "pi_1", at(4, 0)).unwrap_err().reason,
            "only an accepted session awaits payment"
        );
    }

    #[test]
    fn the_payment_confirms_and_an_unpaid_session_expires_and_frees_its_time() {
        let (accepted, _) = ok(&paid_request(), MENTOR, Move::Accept, at(4, 0));
        let paying = accepted.paying(LEARNER, "pi_1", at(4, 10)).unwrap();
        let paid = Move::Paid { payment: "pi_1".into(), charge: Some("ch_1".into()) };
        for actor in [LEARNER, MENTOR, Actor::Admin] {
            assert_eq!(
                refused(&paying, actor, paid.clone(), at(4, 20)),
                "only the payment provider confirms a payment"
            );
        }
        let (confirmed, effect) = ok(&paying, Actor::System, paid.clone(), at(4, 20));
        assert_eq!((confirmed.state, effect), (SessionState::Confirmed, Effect::None));
        assert_eq!(confirmed.payment.as_ref().and_then(|p| p.paid_at), Some(at(4, 20)));
        // The webhook may beat the recording of the payment; another payment is refused.
        assert!(apply(&accepted, Actor::System, paid.clone(), at(4, 20)).is_ok());
        let other = Move::Paid { payment: "pi_2".into(), charge: None };
        assert_eq!(refused(&paying, Actor::System, other, at(4, 20)), "the session is paid with another payment");

        assert_eq!(refused(&paying, Actor::System, Move::Expire, at(4, 29)), "the request has not expired yet");
        let (expired, effect) = ok(&paying, Actor::System, Move::Expire, at(4, 30));
        assert_eq!((expired.state, effect), (SessionState::Expired, Effect::ReleaseTime(the_slot())));
        assert_eq!(refused(&expired, Actor::System, paid, at(4, 31)), "the session is already closed");
    }

    #[test]
    fn expire_refusals() {
        let b = requested();
        for actor in [LEARNER, MENTOR, Actor::Admin] {
            assert_eq!(refused(&b, actor, Move::Expire, at(16, 0)), "only the system can expire a request");
        }
        assert_eq!(refused(&b, Actor::System, Move::Expire, at(14, 59)), "the request has not expired yet");
        assert_eq!(
            refused(&confirmed(), Actor::System, Move::Expire, at(16, 0)),
            "only a requested session can expire"
        );
    }

    // --- properties ---

    fn any_actor() -> impl Strategy<Value = Actor> {
        prop_oneof![3 => Just(LEARNER), 3 => Just(MENTOR), 1 => Just(Actor::Admin), 1 => Just(Actor::System)]
    }

    /// A slot within a few days of the fixed test day, so proposals both land and miss.
    fn any_slot() -> impl Strategy<Value = Slot> {
        (0i64..(4 * 24 * 4), prop::sample::select(SessionLength::ALL.to_vec())).prop_map(|(quarters, length)| {
            Slot::new(SlotStart::new(at(0, 0) + Duration::minutes(quarters * 15)).unwrap(), length)
        })
    }

    /// Moves that close a session are rarer, so sequences live long enough to move time around.
    fn any_move() -> impl Strategy<Value = Move> {
        prop_oneof![
            3 => Just(Move::Accept),
            1 => Just(Move::Reject),
            1 => prop::option::of("[a-z]{1,8}").prop_map(|reason| Move::Cancel { reason }),
            1 => Just(Move::Complete),
            1 => Just(Move::ReportNoShow),
            4 => any_slot().prop_map(Move::Propose),
            4 => Just(Move::AcceptProposal),
            2 => Just(Move::DeclineProposal),
            1 => Just(Move::Expire),
        ]
    }

    /// Mostly small steps, so sequences dwell before the start, and a few big jumps past it.
    fn any_advance() -> impl Strategy<Value = Duration> {
        prop_oneof![4 => (0i64..180).prop_map(Duration::minutes), 1 => (0i64..48).prop_map(Duration::hours)]
    }

    proptest! {
        // More cases than the default: each sequence is cheap and the state space is wide.
        #![proptest_config(ProptestConfig::with_cases(1024))]

        #[test]
        fn random_move_sequences_keep_the_invariants(
            lead_quarters in 1i64..(3 * 24 * 4),
            length in prop::sample::select(SessionLength::ALL.to_vec()),
            steps in prop::collection::vec((any_actor(), any_move(), any_advance()), 1..40),
        ) {
            let policy = Policy::default();
            let start = at(12, 0);
            let first = Slot::new(SlotStart::new(start).unwrap(), length);
            let mut now = start - Duration::minutes(lead_quarters * 15);
            let topic = ShortText::parse("Rust").unwrap();
            let mut booking = Booking::request(SessionId::new(Ulid(7)), user(1), user(2), first, topic, None, now).unwrap();
            for (actor, mv, advance) in steps {
                now += advance;
                let before = booking.clone();
                match booking.apply(actor, mv.clone(), now, &policy) {
                    Err(refusal) => {
                        prop_assert_eq!(refusal.state, before.state);
                        prop_assert!(!refusal.reason.is_empty());
                    }
                    Ok((after, effect)) => {
                        prop_assert!(!before.state.is_final(), "{:?} accepted in {}", mv, before.state);
                        prop_assert_eq!(after.version, before.version + 1);
                        prop_assert_eq!(after.updated_at, now);
                        prop_assert_eq!(&after.id, &before.id);
                        let (held, holds) = (before.state.holds_time(), after.state.holds_time());
                        // A session that took place keeps its (now past) blocks as a record, so
                        // completing or reporting a no-show releases nothing.
                        let took_place = matches!(after.state, SessionState::Completed | SessionState::NoShow);
                        let expected = match (held, holds) {
                            (false, true) => Effect::TakeTime(after.slot),
                            (true, false) if took_place => Effect::None,
                            (true, false) => Effect::ReleaseTime(before.slot),
                            (true, true) if before.slot != after.slot => {
                                Effect::MoveTime { from: before.slot, to: after.slot }
                            }
                            _ => Effect::None,
                        };
                        prop_assert_eq!(effect, expected);
                        if !holds && !held {
                            prop_assert_eq!(after.slot, before.slot, "time moved without being held");
                        }
                        booking = after;
                    }
                }
                prop_assert!(!(booking.state == SessionState::NoShow && booking.cancellation.is_some()));
                prop_assert!(!(booking.state == SessionState::Cancelled && booking.no_show.is_some()));
                prop_assert_eq!(booking.no_show.is_some(), booking.state == SessionState::NoShow);
                prop_assert_eq!(booking.cancellation.is_some(), booking.state == SessionState::Cancelled);
                if booking.state.is_final() {
                    prop_assert!(booking.proposal.is_none());
                }
                if let Some(proposal) = &booking.proposal {
                    prop_assert_ne!(proposal.slot, booking.slot);
                }
            }
        }

        #[test]
        fn blocks_tile_the_slot(slot in any_slot()) {
            let blocks = slot.blocks();
            prop_assert_eq!(blocks.len(), usize::from(slot.length().minutes()) / 15);
            prop_assert_eq!(blocks.first().copied(), Some(slot.start()));
            for pair in blocks.windows(2) {
                prop_assert_eq!(pair[1] - pair[0], Duration::minutes(BLOCK_MINUTES));
            }
            for block in &blocks {
                prop_assert!(slot.start() <= *block && *block + Duration::minutes(BLOCK_MINUTES) <= slot.end());
                prop_assert!(SlotStart::new(*block).is_ok());
            }
            prop_assert_eq!(blocks.last().map(|b| *b + Duration::minutes(BLOCK_MINUTES)), Some(slot.end()));
        }

        #[test]
        fn overlap_agrees_with_shared_blocks(a in any_slot(), b in any_slot()) {
            let shared = a.blocks().iter().any(|block| b.blocks().contains(block));
            prop_assert_eq!(a.overlaps(&b), shared);
            prop_assert_eq!(a.overlaps(&b), b.overlaps(&a));
            prop_assert_eq!(a.overlaps(&b), a.interval().overlaps(&b.interval()));
        }

        #[test]
        fn booked_time_never_overlaps_whatever_is_taken_moved_or_freed(
            moves in proptest::collection::vec((0u8..3, any_slot(), any_slot()), 1..40)
        ) {
            let now = DateTime::<Utc>::UNIX_EPOCH;
            let mut booked: Vec<Slot> = Vec::new();
            for (kind, a, b) in moves {
                let effect = match kind {
                    0 => Effect::TakeTime(a),
                    1 => Effect::ReleaseTime(booked.first().copied().unwrap_or(a)),
                    _ => Effect::MoveTime { from: booked.last().copied().unwrap_or(a), to: b },
                };
                let before = booked.clone();
                let mut next = booked.clone();
                match effect.apply_to(&mut next, now) {
                    Ok(()) => booked = next,
                    // A refusal is only ever for an overlap with time held by another slot.
                    Err(TimeTaken) => {
                        let (kept, taken): (Vec<Slot>, Slot) = match effect {
                            Effect::TakeTime(slot) => (before.clone(), slot),
                            Effect::MoveTime { from, to } => (before.iter().copied().filter(|s| *s != from).collect(), to),
                            _ => unreachable!("freeing time is never refused"),
                        };
                        prop_assert!(kept.iter().any(|held| held.overlaps(&taken)));
                    }
                }
                for (i, a) in booked.iter().enumerate() {
                    for b in &booked[i + 1..] {
                        prop_assert!(!a.overlaps(b), "{:?} and {:?} both held", a, b);
                    }
                }
                prop_assert!(booked.windows(2).all(|pair| pair[0].start() <= pair[1].start()));
            }
        }

        #[test]
        fn slot_start_parse_never_panics_and_round_trips(raw in any::<String>()) {
            if let Ok(start) = SlotStart::parse(&raw) {
                prop_assert_eq!(SlotStart::parse(&start.to_string()), Ok(start));
            }
        }

        #[test]
        fn slot_serde_round_trips(slot in any_slot()) {
            let json = serde_json::to_string(&slot).unwrap();
            prop_assert_eq!(serde_json::from_str::<Slot>(&json).unwrap(), slot);
        }

        #[test]
        fn any_session_id_round_trips(n in any::<u128>()) {
            let id = SessionId::new(Ulid(n));
            prop_assert_eq!(SessionId::parse(&id.to_string()), Ok(id.clone()));
            let json = serde_json::to_string(&id).unwrap();
            prop_assert_eq!(serde_json::from_str::<SessionId>(&json).unwrap(), id);
        }
    }
}
