//! Every key format of the single table, in one place.
//!
//! | item | PK | SK |
//! |---|---|---|
//! | user (profile, roles, status) | `USER#<user id>` | `PROFILE` |
//! | email claim + credentials | `EMAIL#<email>` | `CREDENTIALS` |
//! | a rate-limit counter, one per window | `LIMIT#<limit>#<scope>` | `WINDOW#<window start>` |
//! | ... and in GSI1, every member by standing and name | GSI1 `MEMBERS#<active\|suspended>` | `<folded name>#<user id>` |
//! | the count of active admins | `ADMINS` | `COUNT` (attribute `active`) |
//! | refresh family (one per sign-in) | `FAMILY#<family id>` | `FAMILY` |
//! | a member's copy of their family | `USER#<user id>` | `FAMILY#<family id>` |
//! | refresh grant (one per token) | `GRANT#<sha256 of token>` | `GRANT` |
//! | mentor listing, per skill | `SKILL#<skill>` | `R#<rank>#<mentor id>` (GSI1: same PK, `P#<price>#<id>`) |
//! | mentor listing, all mentors | `MENTORS#<shard 0-7>` | `R#<rank>#<mentor id>` (GSI1: same PK, `P#<price>#<id>`) |
//! | a member's block of another | `USER#<blocker id>` | `BLOCK#<blocked id>` |
//! | ... and in GSI1, the blocks against a member | GSI1 `BLOCKED#<blocked id>` | `<blocker id>` |
//! | session | `SESSION#<session id>` | `SESSION` (GSI1: `DUE#<day>` / `STARTS#<day>` / `MONEY#<day>`, see below) |
//! | a participant's copy of a session | `USER#<user id>` | `SESSION#<start>#<session id>` |
//! | a reminder sent | `SESSION#<session id>` | `REMINDER#<kind>#<start>` |
//! | an idempotent request's first answer | `IDEMPOTENCY#<user id>#<key>` | `IDEMPOTENCY` |
//! | an in-app notification | `USER#<user id>` | `NOTIF#<notification id>` (GSI1 while unread: `UNREAD#<user id>` / `<notification id>`) |
//! | an open WebSocket connection | `CONN#<connection id>` | `CONNECTION` |
//! | a member's copy of their connection | `USER#<user id>` | `CONN#<connection id>` |
//! | two members share a session (may chat) | `USER#<user id>` | `CONTACT#<other id>` |
//! | a member's side of a conversation | `USER#<user id>` | `CONV#<conversation id>` (GSI1: `INBOX#<user id>` / `<last message id>`) |
//! | a chat message | `CONV#<conversation id>` | `MSG#<message id>` |
//! | a message send, once per client id | `CONV#<conversation id>` | `CLIENT#<sender id>#<client message id>` |
//! | a member's points account | `USER#<user id>` | `POINTS` |
//! | a points ledger line, once per occurrence | `USER#<user id>` | `LEDGER#<source>#<occurrence>` (GSI1: `LEDGER#<user id>` / `<at>#<source>#<occurrence>`) |
//! | a member's entry on a board | `USER#<user id>` | `BOARD#<period>#<role>` (GSI1: `BOARD#<period>#<role>` / order key: score desc, reached asc) |
//! | a board's score histogram, 8 shards | `BOARD#<period>#<role>` | `HISTOGRAM#<0-7>` (attributes `b<bucket>` = members) |
//! | a frozen board's rank | `SNAPSHOT#<period>#<role>` | `RANK#<0001>` |
//! | the mark that a finished board was closed | `SNAPSHOT#<period>#<role>` | `CLOSED` |
//! | a review (one per side, enforced by the key) | `SESSION#<session id>` | `REVIEW#<learner\|mentor>` (GSI1 while its rating is not counted: `PENDING_RATINGS` / `<reveal at>#<session id>`) |
//! | a review's copy under its subject | `USER#<subject id>` | `REVIEW#<written at>#<session id>` |
//! | platform counters (totals; a week's or month's activity) | `STATS#TOTAL`, `STATS#<period>` | `COUNTERS` |
//! | the mark that a stream record was counted | `COUNTED#<stream event id>` | `COUNTED` |
//! | a member's report (GSI1: `REPORTS#OPEN` / `<filed at>#<id>`, then `REPORTS#RESOLVED` / `<resolved at>#<id>`) | `REPORT#<report id>` | `REPORT` |
//! | an admin audit entry (append-only) | `AUDIT` | `ENTRY#<audit id>` |
//! | an upload (document or avatar) | `USER#<owner id>` | `UPLOAD#<upload id>` |
//! | a member's current avatar (a copy of its upload) | `USER#<user id>` | `AVATAR` |
//! | a mentor verification request | `VERIFICATION#<request id>` | `REQUEST` (GSI1 while pending: `VERIFY#PENDING` / `<submitted at>#<request id>`) |
//! | a mentor's newest verification request (pointer) | `USER#<mentor id>` | `VERIFICATION` |
//! | a mentor's payout account (Stripe Connect) | `USER#<mentor id>` | `PAYOUTS` |
//! | a payout account's owner | `PAYOUT_ACCOUNT#<account id>` | `OWNER` |
//! | the mark that a payment event was handled (kept 90 days) | `PAYMENT_EVENT#<event id>` | `HANDLED` |
//! | a money ledger entry (once per movement, by its natural key) | `MONEY#<CHARGE\|REFUND\|RELEASE\|TRANSFER>#<session>` (disputes: `MONEY#DISPUTE#<dispute>#...`) | `ENTRY` |
//! | a member's wallet (versioned totals of their accounts) | `USER#<user id>` | `WALLET` |
//! | a line of a member's money history, one per ledger entry that moved their wallet | `USER#<user id>` | `TXN#<at>#<entry key>` |
//! | which account a Google account signs in to | `GOOGLE#<sub>` | `IDENTITY` |
//! | a member's live phone-verification code (one at a time) | `USER#<user id>` | `PHONECODE` |
//! | a number's live sign-in code | `PHONE#<e164>` | `SIGNINCODE` |
//! | which member a verified number belongs to | `PHONE#<e164>` | `OWNER` |
//! | a mailed link (address check or password reset), single-use, by its token's hash | `CHECK#<sha256 of token>` | `CHECK` |
//! | which Google account a member linked | `USER#<user id>` | `IDENTITY#google` |
//! | which session a payment paid for (written when the money arrives) | `PAYMENT#<payment intent id>` | `SESSION` |
//! | the platform's fee account | `PLATFORM` | `FEES` |
//!
//! A session is in GSI1 only while a job must act on it: a request under
//! `DUE#<day of expiry>` / `<expiry>#<id>`, a confirmed session under
//! `STARTS#<day of start>` / `<start>#<id>`, an ended paid session whose money waits for a
//! step (refund, release, transfer) under `MONEY#<day it is due>` / `<due>#<id>`.
//!
//! A counter's `<scope>` is what its limit counts: an email address, a source network
//! (IPv4 address or IPv6 `<prefix>/64`), `<learner id>#<mentor id>`, or a member id.
//!
//! `<rank>` is the Bayesian rating inverted into five digits (`50000 - rating × 10000`),
//! so an ascending query returns the best rated first.

use aws_sdk_dynamodb::types::AttributeValue;

use super::{Item, s};
use crate::domain::gamification::LeaderboardPeriod;
use crate::domain::payments::{PaymentEventId, PayoutAccountId};
use crate::domain::{
    AccountStatus, AuditId, ClientMsgId, ConnectionId, ConversationId, Email, MentorCard, MessageId, NotificationId,
    Party, QuotaUse, Report, ReportId, ReportState, Scope, SessionId, SkillName, StatsScope, UploadId, User, UserId,
    VerificationId, fold_name,
};

/// Partition key attribute name.
pub const PK: &str = "PK";
/// Sort key attribute name.
pub const SK: &str = "SK";
/// The TTL attribute (epoch seconds) that template.yaml enables.
pub const EXPIRES_AT: &str = "expires_at";

/// GSI1's partition key attribute.
pub const GSI1PK: &str = "GSI1PK";
/// GSI1's sort key attribute.
pub const GSI1SK: &str = "GSI1SK";
/// The general-purpose index.
pub const GSI1: &str = "GSI1";

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key {
    /// Partition key value.
    pub pk: String,
    /// Sort key value.
    pub sk: String,
}

impl Key {
    /// The key as an SDK item.
    pub fn item(&self) -> Item {
        Item::from([(PK.to_owned(), s(self.pk.clone())), (SK.to_owned(), AttributeValue::S(self.sk.clone()))])
    }
}

/// Shards of the all-mentors listing: one partition would take every mentor write.
pub const MENTOR_SHARDS: u32 = 8;

/// A user's main item.
pub fn user(id: &UserId) -> Key {
    Key { pk: format!("USER#{id}"), sk: "PROFILE".into() }
}

/// GSI1 partition of the members in one standing, for the admins' member list.
pub fn member_index(status: AccountStatus) -> String {
    match status {
        AccountStatus::Active => "MEMBERS#active".into(),
        AccountStatus::Suspended => "MEMBERS#suspended".into(),
    }
}

/// A member's GSI1 sort key in the member index: by folded name, then id (unique).
pub fn member_order(user: &User) -> String {
    format!("{}#{}", fold_name(user.name.as_str()), user.id)
}

/// The counter of active admins, kept in step by every user save that changes it.
pub fn admin_count() -> Key {
    Key { pk: "ADMINS".into(), sk: "COUNT".into() }
}

/// A member's copy of one of their refresh families.
pub fn member_family(user: &UserId, family_id: &str) -> Key {
    Key { pk: format!("USER#{user}"), sk: format!("{FAMILY_PREFIX}{family_id}") }
}

/// Sort-key prefix of a member's copies of their refresh families.
pub const FAMILY_PREFIX: &str = "FAMILY#";

/// The item that claims an email address and holds its password hash.
pub fn credentials(email: &Email) -> Key {
    Key { pk: format!("EMAIL#{}", email.as_str()), sk: "CREDENTIALS".into() }
}

/// The counter of one rate limit's uses by one scope in one window (exists for unknown
/// sign-in addresses too, so a limit reveals nothing about which addresses have accounts).
pub fn rate_counter(counter: &QuotaUse) -> Key {
    let scope = match &counter.scope {
        Scope::Address(email) => email.as_str().to_owned(),
        Scope::Source(source) => source.to_string(),
        Scope::Pair { learner, mentor } => format!("{learner}#{mentor}"),
        Scope::Member(member) => member.to_string(),
        Scope::Reporter { reporter, reported } => format!("{reporter}#{reported}"),
        Scope::Phone(phone) => phone.as_str().to_owned(),
        Scope::Platform => "ALL".to_owned(),
    };
    Key {
        pk: format!("LIMIT#{}#{scope}", counter.limit.kind.as_str()),
        sk: format!("WINDOW#{}", time(counter.window.start)),
    }
}

/// A refresh-token family.
pub fn refresh_family(family_id: &str) -> Key {
    Key { pk: format!("FAMILY#{family_id}"), sk: "FAMILY".into() }
}

/// One refresh grant, by token hash.
pub fn refresh_grant(token_hash: &str) -> Key {
    Key { pk: format!("GRANT#{token_hash}"), sk: "GRANT".into() }
}

/// The partition listing every mentor with `skill`.
pub fn skill_partition(skill: &SkillName) -> String {
    format!("SKILL#{}", skill.as_str())
}

/// FNV-1a of a member id: spreads members over shards, the same way forever.
fn fnv1a(id: &UserId) -> u32 {
    id.to_string().bytes().fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193))
}

/// The all-mentors partition a mentor is listed in (FNV-1a of the id, stable forever).
pub fn mentor_shard(id: &UserId) -> String {
    format!("MENTORS#{}", fnv1a(id) % MENTOR_SHARDS)
}

/// Every all-mentors partition.
pub fn mentor_shards() -> impl Iterator<Item = String> {
    (0..MENTOR_SHARDS).map(|shard| format!("MENTORS#{shard}"))
}

/// A listing's sort key: best ranked first.
pub fn listing_rank(card: &MentorCard) -> String {
    let inverted = 50_000 - (card.stats.ranking_rating() * 10_000.0).round().clamp(0.0, 50_000.0) as u32;
    format!("R#{inverted:05}#{}", card.id)
}

/// A listing's GSI1 sort key: cheapest first.
pub fn listing_price(card: &MentorCard) -> String {
    format!("P#{:06}#{}", card.price_cents(), card.id)
}

/// Every key under which `card` is listed: one per skill and one shard of all mentors.
pub fn listings(card: &MentorCard) -> Vec<Key> {
    let sk = listing_rank(card);
    card.skills
        .iter()
        .map(|skill| skill_partition(skill.name()))
        .chain(std::iter::once(mentor_shard(&card.id)))
        .map(|pk| Key { pk, sk: sk.clone() })
        .collect()
}

/// `blocker` has blocked `blocked`.
pub fn block(blocker: &UserId, blocked: &UserId) -> Key {
    Key { pk: format!("USER#{blocker}"), sk: format!("{BLOCK_PREFIX}{blocked}") }
}

/// Sort-key prefix of a member's blocks.
pub const BLOCK_PREFIX: &str = "BLOCK#";

/// GSI1 partition of the blocks against `blocked` (sort key: the blocker's id), so a
/// member's searches can leave out whoever blocked them.
pub fn blocked_index(blocked: &UserId) -> String {
    format!("BLOCKED#{blocked}")
}

/// Times in keys: fixed-width RFC 3339 in UTC, so they sort as text.
pub fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// A session.
pub fn session(id: &SessionId) -> Key {
    Key { pk: format!("SESSION#{id}"), sk: "SESSION".into() }
}

/// Sort-key prefix of a member's copies of their sessions.
pub const SESSION_PREFIX: &str = "SESSION#";

/// A participant's copy of a session, sorted by start.
pub fn participant_session(user: &UserId, start: chrono::DateTime<chrono::Utc>, id: &SessionId) -> Key {
    Key { pk: format!("USER#{user}"), sk: format!("{SESSION_PREFIX}{}#{id}", time(start)) }
}

/// The marker that a reminder of `kind` went out for a session starting at `start`.
pub fn reminder(id: &SessionId, kind: &str, start: chrono::DateTime<chrono::Utc>) -> Key {
    Key { pk: format!("SESSION#{id}"), sk: format!("REMINDER#{kind}#{}", time(start)) }
}

/// An idempotent request's record.
pub fn idempotency(user: &UserId, key: &str) -> Key {
    Key { pk: format!("IDEMPOTENCY#{user}#{key}"), sk: "IDEMPOTENCY".into() }
}

/// A side's review of a session: the key itself allows one per side.
pub fn session_review(session: &SessionId, side: Party) -> Key {
    Key { pk: format!("SESSION#{session}"), sk: format!("{REVIEW_PREFIX}{}", side.as_str()) }
}

/// A review's copy under the member it is about, newest last in key order.
pub fn review_about(subject: &UserId, written: chrono::DateTime<chrono::Utc>, session: &SessionId) -> Key {
    Key { pk: format!("USER#{subject}"), sk: format!("{REVIEW_PREFIX}{}#{session}", time(written)) }
}

/// Sort-key prefix of reviews.
pub const REVIEW_PREFIX: &str = "REVIEW#";

/// An in-app notification.
pub fn notification(user: &UserId, id: &NotificationId) -> Key {
    Key { pk: format!("USER#{user}"), sk: format!("{NOTIFICATION_PREFIX}{id}") }
}

/// Sort-key prefix of a member's notifications.
pub const NOTIFICATION_PREFIX: &str = "NOTIF#";

/// GSI1 partition of a member's unread notifications (sparse: reading removes the item).
pub fn unread_notifications(user: &UserId) -> String {
    format!("UNREAD#{user}")
}

/// An open connection, by its id (what `$disconnect` knows).
pub fn connection(id: &ConnectionId) -> Key {
    Key { pk: format!("CONN#{id}"), sk: "CONNECTION".into() }
}

/// A member's copy of an open connection (what a push reads).
pub fn user_connection(user: &UserId, id: &ConnectionId) -> Key {
    Key { pk: format!("USER#{user}"), sk: format!("{CONNECTION_PREFIX}{id}") }
}

/// Sort-key prefix of a member's connections.
pub const CONNECTION_PREFIX: &str = "CONN#";

/// `user` shares a session or request with `other`, so they may chat.
pub fn contact(user: &UserId, other: &UserId) -> Key {
    Key { pk: format!("USER#{user}"), sk: format!("CONTACT#{other}") }
}

/// A member's side of a conversation.
pub fn conversation_member(user: &UserId, id: &ConversationId) -> Key {
    Key { pk: format!("USER#{user}"), sk: format!("CONV#{id}") }
}

/// GSI1 partition of a member's conversations, sorted by last message.
pub fn inbox(user: &UserId) -> String {
    format!("INBOX#{user}")
}

/// The partition of a conversation's messages.
pub fn conversation(id: &ConversationId) -> String {
    format!("CONV#{id}")
}

/// A chat message.
pub fn message(conversation: &ConversationId, id: &MessageId) -> Key {
    Key { pk: self::conversation(conversation), sk: format!("{MESSAGE_PREFIX}{id}") }
}

/// Sort-key prefix of a conversation's messages.
pub const MESSAGE_PREFIX: &str = "MSG#";

/// The record that a sender's client message id was used, which makes a retried send
/// store nothing new.
pub fn client_message(conversation: &ConversationId, sender: &UserId, client_msg_id: &ClientMsgId) -> Key {
    Key { pk: self::conversation(conversation), sk: format!("CLIENT#{sender}#{client_msg_id}") }
}

/// A member's points account.
pub fn points_account(user: &UserId) -> Key {
    Key { pk: format!("USER#{user}"), sk: "POINTS".into() }
}

/// The ledger line for one occurrence of `source`: its key is what makes it count once.
pub fn ledger_entry(user: &UserId, source: &str, occurrence: &str) -> Key {
    Key { pk: format!("USER#{user}"), sk: format!("LEDGER#{source}#{occurrence}") }
}

/// GSI1 partition of a member's ledger, newest first by time.
pub fn ledger(user: &UserId) -> String {
    format!("LEDGER#{user}")
}

/// A member's entry on the board of `period` for `role`.
pub fn board_entry(user: &UserId, period: LeaderboardPeriod, role: Party) -> Key {
    Key { pk: format!("USER#{user}"), sk: board(period, role) }
}

/// Shards of a board's score histogram: one item would take every award on the board.
pub const HISTOGRAM_SHARDS: u32 = 8;

/// The shard of a board's histogram that counts `user` (FNV-1a of the id, stable forever).
pub fn board_histogram(period: LeaderboardPeriod, role: Party, user: &UserId) -> Key {
    Key { pk: board(period, role), sk: format!("HISTOGRAM#{}", fnv1a(user) % HISTOGRAM_SHARDS) }
}

/// Every shard of a board's histogram.
pub fn board_histograms(period: LeaderboardPeriod, role: Party) -> Vec<Key> {
    (0..HISTOGRAM_SHARDS).map(|shard| Key { pk: board(period, role), sk: format!("HISTOGRAM#{shard}") }).collect()
}

/// Rank `rank` of the frozen board of `period` for `role` (four digits sort up to 9999).
pub fn snapshot_rank(period: LeaderboardPeriod, role: Party, rank: u64) -> Key {
    Key { pk: format!("SNAPSHOT#{period}#{}", role.as_str()), sk: format!("{SNAPSHOT_RANK_PREFIX}{rank:04}") }
}

/// Sort-key prefix of a frozen board's ranks.
pub const SNAPSHOT_RANK_PREFIX: &str = "RANK#";

/// The mark that the board of `period` for `role` was closed (ranks frozen, winners told).
pub fn snapshot_marker(period: LeaderboardPeriod, role: Party) -> Key {
    Key { pk: format!("SNAPSHOT#{period}#{}", role.as_str()), sk: "CLOSED".into() }
}

/// GSI1 partition of one board (`BOARD#2026-W47#mentor`), ordered best first.
pub fn board(period: LeaderboardPeriod, role: Party) -> String {
    format!("BOARD#{period}#{}", role.as_str())
}

/// GSI1 partition of learners' reviews whose rating is not yet in the mentor's
/// aggregates (sparse: the keys are removed when it is counted).
pub const PENDING_RATINGS: &str = "PENDING_RATINGS";

/// GSI1 sort key of a pending rating: when its review is revealed, then the session, so
/// the reviews due by now are one range.
pub fn pending_rating(reveal_at: chrono::DateTime<chrono::Utc>, session: &SessionId) -> String {
    format!("{}#{session}", time(reveal_at))
}

/// The upper bound of pending-rating sort keys revealed by `now` (inclusive).
pub fn pending_ratings_until(now: chrono::DateTime<chrono::Utc>) -> String {
    format!("{}#~", time(now))
}

/// The counter item of a stats scope: `STATS#TOTAL`, `STATS#2026-W24` or `STATS#2026-06`.
pub fn stats(scope: StatsScope) -> Key {
    let pk = match scope {
        StatsScope::Totals => "STATS#TOTAL".to_owned(),
        StatsScope::Period(period) => format!("STATS#{period}"),
    };
    Key { pk, sk: "COUNTERS".into() }
}

/// The mark that the stream record `change_id` was counted (so a redelivery is not).
pub fn counted_change(change_id: &str) -> Key {
    Key { pk: format!("COUNTED#{change_id}"), sk: "COUNTED".into() }
}

/// A member's report about another.
pub fn report(id: &ReportId) -> Key {
    Key { pk: format!("REPORT#{id}"), sk: "REPORT".into() }
}

/// GSI1 partition of the reports in `state`: the admins' queue.
pub fn report_queue(state: ReportState) -> String {
    match state {
        ReportState::Open => "REPORTS#OPEN".into(),
        ReportState::Resolved => "REPORTS#RESOLVED".into(),
    }
}

/// GSI1 sort key of a report in its queue: open ones by when they were filed, resolved
/// ones by when they were resolved, then the id.
pub fn report_position(report: &Report) -> String {
    let at = report.resolution.as_ref().map_or(report.created_at, |r| r.at);
    format!("{}#{}", time(at), report.id)
}

/// The one partition of the admin audit trail: admin actions come at a human pace, far
/// below a partition's write limit, and one partition reads newest first in one Query.
pub const AUDIT_TRAIL: &str = "AUDIT";

/// Sort-key prefix of audit entries.
pub const AUDIT_PREFIX: &str = "ENTRY#";

/// An audit entry: its time-ordered id makes the key order the trail's order.
pub fn audit_entry(id: &AuditId) -> Key {
    Key { pk: AUDIT_TRAIL.into(), sk: format!("{AUDIT_PREFIX}{id}") }
}

/// A mentor verification request.
pub fn verification(id: &VerificationId) -> Key {
    Key { pk: format!("VERIFICATION#{id}"), sk: "REQUEST".into() }
}

/// The pointer from a mentor to their newest verification request.
pub fn latest_verification(mentor: &UserId) -> Key {
    Key { pk: format!("USER#{mentor}"), sk: "VERIFICATION".into() }
}

/// GSI1 partition of pending verification requests (sparse: a decision removes the keys).
pub const PENDING_VERIFICATIONS: &str = "VERIFY#PENDING";

/// GSI1 sort key of a pending request: submission time, then id, so the queue is oldest
/// first.
pub fn pending_verification(submitted_at: chrono::DateTime<chrono::Utc>, id: &VerificationId) -> String {
    format!("{}#{id}", time(submitted_at))
}

/// The table key of the request at queue position `gsi1sk` (to resume a page after it).
pub fn pending_verification_key(gsi1sk: &str) -> Option<Key> {
    let (_, id) = gsi1sk.rsplit_once('#')?;
    VerificationId::parse(id).ok().map(|id| verification(&id))
}

/// The time-bucket partition of a day.
pub fn bucket(prefix: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    format!("{prefix}#{}", at.format("%Y-%m-%d"))
}

/// `owner`'s upload `id`: under the owner, so nobody else's key can reach it.
pub fn upload(owner: &UserId, id: &UploadId) -> Key {
    Key { pk: format!("USER#{owner}"), sk: format!("{UPLOAD_PREFIX}{id}") }
}

/// Sort-key prefix of a member's uploads (ULIDs: newest last).
pub const UPLOAD_PREFIX: &str = "UPLOAD#";

/// A mentor's payout account.
pub fn payouts(member: &UserId) -> Key {
    Key { pk: format!("USER#{member}"), sk: "PAYOUTS".into() }
}

/// Whose payout account `account` is.
pub fn payout_owner(account: &PayoutAccountId) -> Key {
    Key { pk: format!("PAYOUT_ACCOUNT#{account}"), sk: "OWNER".into() }
}

/// A money ledger entry, by its movement's natural key (the points ledger is another).
pub fn money_entry(key: &str) -> Key {
    Key { pk: format!("MONEY#{key}"), sk: "ENTRY".into() }
}

/// A member's wallet totals.
pub fn wallet(member: &UserId) -> Key {
    Key { pk: format!("USER#{member}"), sk: "WALLET".into() }
}

/// Sort-key prefix of a member's money history (newest last by time).
pub const TRANSACTION_PREFIX: &str = "TXN#";

/// A line of `member`'s money history: the ledger entry `entry_key` at `at`.
pub fn transaction(member: &UserId, at: chrono::DateTime<chrono::Utc>, entry_key: &str) -> Key {
    Key { pk: format!("USER#{member}"), sk: format!("{TRANSACTION_PREFIX}{}#{entry_key}", time(at)) }
}

/// Which account a Google account (its `sub`) signs in to.
pub fn google_identity(subject: &str) -> Key {
    Key { pk: format!("GOOGLE#{subject}"), sk: "IDENTITY".into() }
}

/// Which Google account a member linked (the way back from the member to its identity).
pub fn linked_google(member: &UserId) -> Key {
    Key { pk: format!("USER#{member}"), sk: "IDENTITY#google".into() }
}

/// The live code of a slot: a member's verification code, or a number's sign-in code.
pub fn phone_code(slot: &crate::domain::CodeSlot) -> Key {
    match slot {
        crate::domain::CodeSlot::Member(member) => Key { pk: format!("USER#{member}"), sk: "PHONECODE".into() },
        crate::domain::CodeSlot::Number(phone) => Key { pk: format!("PHONE#{phone}"), sk: "SIGNINCODE".into() },
    }
}

/// Which member a verified number belongs to.
pub fn phone_owner(phone: &crate::domain::PhoneNumber) -> Key {
    Key { pk: format!("PHONE#{phone}"), sk: "OWNER".into() }
}

/// A mailed link (verify or change an address, reset a password), by its token's hash.
pub fn email_check(token_hash: &str) -> Key {
    Key { pk: format!("CHECK#{token_hash}"), sk: "CHECK".into() }
}

/// Which session a provider's payment paid for (disputes name the payment, not the session).
pub fn payment_session(payment: &str) -> Key {
    Key { pk: format!("PAYMENT#{payment}"), sk: "SESSION".into() }
}

/// The platform's fee account.
pub fn platform_fees() -> Key {
    Key { pk: "PLATFORM".into(), sk: "FEES".into() }
}

/// The mark that a payment event was handled.
pub fn payment_event(event: &PaymentEventId) -> Key {
    Key { pk: format!("PAYMENT_EVENT#{event}"), sk: "HANDLED".into() }
}

/// A member's current avatar.
pub fn avatar(member: &UserId) -> Key {
    Key { pk: format!("USER#{member}"), sk: "AVATAR".into() }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn email_items_are_normalised() {
        let email = Email::parse("Ana@Example.com").unwrap();
        assert_eq!(credentials(&email).pk, "EMAIL#ana@example.com");
    }

    #[test]
    fn rate_counters_are_per_limit_scope_and_window() {
        use crate::domain::{Limits, SourceAddress};
        let limits = Limits::default();
        let at = chrono::DateTime::parse_from_rfc3339("2026-11-30T14:07:31Z").unwrap().with_timezone(&chrono::Utc);
        let email = Email::parse("Ana@Example.com").unwrap();
        let address = rate_counter(&QuotaUse::new(limits.login_per_address, Scope::Address(email), at));
        assert_eq!(address.pk, "LIMIT#login_per_address#ana@example.com");
        assert_eq!(address.sk, "WINDOW#2026-11-30T14:00:00Z");
        let source = SourceAddress::parse("2001:db8::7").unwrap();
        let network = rate_counter(&QuotaUse::new(limits.login_per_source, Scope::Source(source), at));
        assert_eq!(network.pk, "LIMIT#login_per_source#2001:db8::/64");
        let (a, b) = (UserId::new(ulid::Ulid::from(1)), UserId::new(ulid::Ulid::from(2)));
        let pair = |learner: &UserId, mentor: &UserId| {
            let scope = Scope::Pair { learner: learner.clone(), mentor: mentor.clone() };
            rate_counter(&QuotaUse::new(limits.session_requests_per_pair, scope, at))
        };
        assert_ne!(pair(&a, &b), pair(&b, &a), "a pair is directed: learner, then mentor");
        let later = at + chrono::Duration::minutes(1);
        let messages = |at| rate_counter(&QuotaUse::new(limits.messages_per_member, Scope::Member(a.clone()), at));
        assert_ne!(messages(at).sk, messages(later).sk, "a new minute is a new counter");
    }

    #[test]
    fn the_verification_queue_is_oldest_first_and_resumable() {
        let at = chrono::DateTime::parse_from_rfc3339("2026-06-10T09:00:00Z").unwrap().to_utc();
        let (a, b) = (VerificationId::new(ulid::Ulid::from(1)), VerificationId::new(ulid::Ulid::from(2)));
        let earlier = pending_verification(at, &b);
        let later = pending_verification(at + chrono::Duration::seconds(1), &a);
        assert!(earlier < later, "time first, then id");
        assert_eq!(pending_verification_key(&later), Some(verification(&a)));
        assert_eq!(pending_verification_key("garbage"), None);
    }

    #[test]
    fn pending_ratings_due_by_now_are_one_range() {
        let now = chrono::DateTime::parse_from_rfc3339("2026-11-30T12:00:00Z").unwrap().to_utc();
        let session = SessionId::new(ulid::Ulid::new());
        let until = pending_ratings_until(now);
        assert!(pending_rating(now, &session) <= until, "revealed exactly now is due");
        assert!(pending_rating(now - chrono::Duration::days(30), &session) <= until);
        assert!(pending_rating(now + chrono::Duration::seconds(1), &session) > until);
    }
}
