//! Item shapes: how domain values are laid out as attributes.
//!
//! Every item carries `entity`, so stream consumers and operators can tell kinds apart
//! without parsing keys.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Item;
use super::keys::{self, Key};
use crate::domain::{
    AccountStatus, Booking, ConversationId, DisplayName, Email, MentorCard, MentorStats, Notification, NotificationId,
    Policy, Profile, Roles, SessionId, SessionState, Slot, Standing, User, UserId, VerificationStatus,
};
use crate::ports::{NewNotification, RefreshGrant, StoreError};

/// A user's main item.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct UserRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub id: UserId,
    pub email: Email,
    pub name: DisplayName,
    pub roles: Roles,
    pub status: AccountStatus,
    /// The member followed a link mailed to `email` (absent: not yet).
    #[serde(default)]
    pub email_verified: bool,
    /// The verified phone (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<crate::domain::PhoneNumber>,
    /// Tokens issued before it are refused (absent until a first suspension).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens_not_before: Option<DateTime<Utc>>,
    /// The member index admins list and search (`MEMBERS#<status>` / `<folded name>#<id>`);
    /// absent on users stored before it existed, until their next save.
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
    #[serde(default)]
    pub verification: VerificationStatus,
    #[serde(default)]
    pub mentor: MentorStats,
    #[serde(default)]
    pub booked: Vec<Slot>,
    pub profile: Profile,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub version: u64,
}

impl UserRecord {
    pub fn from_user(user: &User) -> Self {
        let Key { pk, sk } = keys::user(&user.id);
        Self {
            pk,
            sk,
            entity: "User".into(),
            id: user.id.clone(),
            email: user.email.clone(),
            name: user.name.clone(),
            roles: user.roles,
            status: user.status,
            email_verified: user.email_verified,
            phone: user.phone.clone(),
            tokens_not_before: user.tokens_not_before,
            gsi1pk: Some(keys::member_index(user.status)),
            gsi1sk: Some(keys::member_order(user)),
            verification: user.verification,
            mentor: user.mentor,
            booked: user.booked.clone(),
            profile: user.profile.clone(),
            created_at: user.created_at,
            updated_at: user.updated_at,
            version: user.version,
        }
    }

    pub fn into_user(self) -> User {
        User {
            id: self.id,
            email: self.email,
            name: self.name,
            roles: self.roles,
            status: self.status,
            email_verified: self.email_verified,
            phone: self.phone,
            tokens_not_before: self.tokens_not_before,
            verification: self.verification,
            mentor: self.mentor,
            booked: self.booked,
            profile: self.profile,
            created_at: self.created_at,
            updated_at: self.updated_at,
            version: self.version,
        }
    }
}

/// The two attributes of a user item that decide whether their tokens are honoured.
#[derive(Debug, Deserialize)]
pub(crate) struct StandingRecord {
    pub status: AccountStatus,
    #[serde(default)]
    pub tokens_not_before: Option<DateTime<Utc>>,
}

impl StandingRecord {
    pub fn into_standing(self) -> Standing {
        Standing { status: self.status, tokens_not_before: self.tokens_not_before }
    }
}

/// The email claim; holding the hash here makes sign-in one read.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct CredentialsRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub user_id: UserId,
    /// Absent for an account that signs in with Google only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    /// When the password was last set by a reset or a change, epoch milliseconds (absent:
    /// at registration): reset links issued before it are void. A number, so a condition
    /// compares instants, not strings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_set_ms: Option<i64>,
}

impl CredentialsRecord {
    pub fn new(email: &Email, user_id: &UserId, password_hash: Option<&str>) -> Self {
        let Key { pk, sk } = keys::credentials(email);
        let password_hash = password_hash.map(str::to_owned);
        Self { pk, sk, entity: "Credentials".into(), user_id: user_id.clone(), password_hash, password_set_ms: None }
    }
}

/// A mailed link, by its token's hash (entity `EmailCheck`); gone by TTL after it expires.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct EmailCheckRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub check: crate::domain::EmailCheck,
    pub user_id: UserId,
    pub email: Email,
    pub issued_at: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    /// TTL, epoch seconds: a day after the link dies (DynamoDB deletes within days anyway).
    pub expires_at: i64,
}

impl EmailCheckRecord {
    pub fn new(issued: &crate::domain::IssuedCheck) -> Self {
        let Key { pk, sk } = keys::email_check(&issued.token_hash);
        Self {
            pk,
            sk,
            entity: "EmailCheck".into(),
            check: issued.check,
            user_id: issued.member.clone(),
            email: issued.email.clone(),
            issued_at: issued.issued_at,
            valid_until: issued.expires_at,
            expires_at: (issued.expires_at + chrono::Duration::days(1)).timestamp(),
        }
    }

    pub fn into_issued(self, token_hash: &str) -> crate::domain::IssuedCheck {
        crate::domain::IssuedCheck {
            token_hash: token_hash.to_owned(),
            check: self.check,
            member: self.user_id,
            email: self.email,
            issued_at: self.issued_at,
            expires_at: self.valid_until,
        }
    }
}

/// Which account a Google account signs in to (entity `GoogleIdentity`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct GoogleIdentityRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub user_id: UserId,
}

impl GoogleIdentityRecord {
    pub fn new(subject: &str, user_id: &UserId) -> Self {
        let Key { pk, sk } = keys::google_identity(subject);
        Self { pk, sk, entity: "GoogleIdentity".into(), user_id: user_id.clone() }
    }
}

/// The Google account a member linked (entity `LinkedGoogle`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct LinkedGoogleRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub subject: String,
}

impl LinkedGoogleRecord {
    pub fn new(member: &UserId, subject: &str) -> Self {
        let Key { pk, sk } = keys::linked_google(member);
        Self { pk, sk, entity: "LinkedGoogle".into(), subject: subject.to_owned() }
    }
}

/// A refresh family: revoking it kills every grant in it at once.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct FamilyRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub user_id: UserId,
    pub revoked: bool,
    /// TTL, epoch seconds.
    pub expires_at: i64,
}

impl FamilyRecord {
    pub fn new(grant: &RefreshGrant) -> Self {
        let Key { pk, sk } = keys::refresh_family(&grant.family_id);
        Self {
            pk,
            sk,
            entity: "RefreshFamily".into(),
            user_id: grant.user_id.clone(),
            revoked: false,
            expires_at: grant.expires_at.timestamp(),
        }
    }
}

/// A member's copy of one of their families, so a suspension finds every sign-in; it
/// lives as long as the family.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct MemberFamilyRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub family_id: String,
    /// TTL, epoch seconds.
    pub expires_at: i64,
}

impl MemberFamilyRecord {
    pub fn new(grant: &RefreshGrant) -> Self {
        let Key { pk, sk } = keys::member_family(&grant.user_id, &grant.family_id);
        Self {
            pk,
            sk,
            entity: "MemberFamily".into(),
            family_id: grant.family_id.clone(),
            expires_at: grant.expires_at.timestamp(),
        }
    }
}

/// One refresh token, by hash.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct GrantRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub user_id: UserId,
    pub family_id: String,
    pub used: bool,
    /// TTL, epoch seconds.
    pub expires_at: i64,
}

impl GrantRecord {
    pub fn new(grant: &RefreshGrant) -> Self {
        let Key { pk, sk } = keys::refresh_grant(&grant.token_hash);
        Self {
            pk,
            sk,
            entity: "RefreshGrant".into(),
            user_id: grant.user_id.clone(),
            family_id: grant.family_id.clone(),
            used: !grant.active,
            expires_at: grant.expires_at.timestamp(),
        }
    }
}

/// A mentor's card in one listing partition.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ListingRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK")]
    pub gsi1pk: String,
    #[serde(rename = "GSI1SK")]
    pub gsi1sk: String,
    pub entity: String,
    /// The card as one JSON string: a few hundred bytes instead of kilobytes of nested
    /// attribute maps, and one parse instead of hundreds of attribute conversions, on the
    /// hot path of every match and search (measured: see docs/ARCHITECTURE.md).
    pub card: String,
}

impl ListingRecord {
    /// The listing of `card` under `key`.
    pub fn new(key: Key, card: &MentorCard) -> Result<Self, StoreError> {
        Ok(Self {
            gsi1pk: key.pk.clone(),
            gsi1sk: keys::listing_price(card),
            pk: key.pk,
            sk: key.sk,
            entity: "MentorListing".into(),
            card: serde_json::to_string(card).map_err(StoreError::corrupt)?,
        })
    }
}

/// Only the card of a listing, as queries project it.
#[derive(Debug, Deserialize)]
pub(crate) struct ListedCard {
    pub card: String,
}

impl ListedCard {
    /// The card, parsed (and so validated) back into domain types.
    pub fn parse(&self) -> Result<MentorCard, StoreError> {
        serde_json::from_str(&self.card).map_err(StoreError::corrupt)
    }
}

/// A member's block of another.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct BlockRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub blocked: UserId,
    pub created_at: DateTime<Utc>,
    /// `BLOCKED#<blocked>`; absent on blocks stored before the reverse index existed.
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    /// The blocker's id.
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
}

/// Serialises a record to an item.
pub(crate) fn to_item<T: Serialize>(record: &T) -> Result<Item, StoreError> {
    serde_dynamo::to_item(record).map_err(StoreError::corrupt)
}

/// Reads an item back into a record.
pub(crate) fn from_item<T: for<'de> Deserialize<'de>>(item: Item) -> Result<T, StoreError> {
    serde_dynamo::from_item(item).map_err(StoreError::corrupt)
}

/// A session, with its time-bucket index keys while a job must act on it.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct SessionRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
    pub entity: String,
    /// Top-level copies for conditions and stream filters.
    pub version: u64,
    pub state: SessionState,
    pub learner: UserId,
    pub mentor: UserId,
    pub booking: Booking,
}

impl SessionRecord {
    /// The item for `booking`, listed in the session index when `policy` makes it due.
    pub fn new(booking: &Booking, policy: &Policy) -> Self {
        let Key { pk, sk } = keys::session(&booking.id);
        // Requests (and accepted sessions awaiting payment) are due at their expiry,
        // confirmed sessions at their start, ended paid sessions when their money's next
        // step is (refund, release, transfer); nothing else needs a job, so nothing else is
        // in the index (sparse).
        let due = match booking.state {
            SessionState::Requested | SessionState::Accepted => Some(("DUE", booking.expiry(policy))),
            SessionState::Confirmed => Some(("STARTS", booking.slot.start())),
            _ => booking.money_due().map(|at| ("MONEY", at)),
        };
        Self {
            pk,
            sk,
            gsi1pk: due.map(|(prefix, at)| keys::bucket(prefix, at)),
            gsi1sk: due.map(|(_, at)| format!("{}#{}", keys::time(at), booking.id)),
            entity: "Session".into(),
            version: booking.version,
            state: booking.state,
            learner: booking.learner.clone(),
            mentor: booking.mentor.clone(),
            booking: booking.clone(),
        }
    }
}

/// A participant's copy of a session, for "my sessions" by start time.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct ParticipantSessionRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub booking: Booking,
}

/// The first answer to an idempotent request.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct IdempotencyRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub fingerprint: String,
    pub status: u16,
    pub body: String,
    /// TTL: clients retry within minutes; a day is generous.
    pub expires_at: i64,
}

/// An in-app notification.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct NotificationRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub id: NotificationId,
    pub user: UserId,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session: Option<SessionId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<ConversationId>,
    pub text: String,
    pub read: bool,
    pub created_at: DateTime<Utc>,
    /// TTL: notifications older than 90 days are of no use.
    pub expires_at: i64,
    /// Present while unread: the sparse index that counts and lists unread notifications.
    #[serde(rename = "GSI1PK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1pk: Option<String>,
    #[serde(rename = "GSI1SK", default, skip_serializing_if = "Option::is_none")]
    pub gsi1sk: Option<String>,
}

/// How long notifications are kept.
const NOTIFICATION_DAYS: i64 = 90;

impl NotificationRecord {
    /// A new, unread notification.
    pub fn new(note: &NewNotification) -> Self {
        let id = NotificationId::new(ulid::Ulid::from_datetime(note.at.into()));
        let Key { pk, sk } = keys::notification(&note.user, &id);
        Self {
            pk,
            sk,
            entity: "Notification".into(),
            gsi1pk: Some(keys::unread_notifications(&note.user)),
            gsi1sk: Some(id.to_string()),
            id,
            user: note.user.clone(),
            kind: note.kind.into(),
            session: note.session.clone(),
            conversation: note.conversation.clone(),
            text: note.text.clone(),
            read: false,
            created_at: note.at,
            expires_at: (note.at + chrono::Duration::days(NOTIFICATION_DAYS)).timestamp(),
        }
    }

    /// The notification as members see it.
    pub fn into_notification(self) -> Notification {
        Notification {
            id: self.id,
            user: self.user,
            kind: self.kind,
            text: self.text,
            session: self.session,
            conversation: self.conversation,
            read: self.read,
            created_at: self.created_at,
        }
    }
}

/// A live texted code (entity `PhoneCode`): its seal, never the code; gone by TTL.
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PhoneCodeRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub purpose: crate::domain::CodePurpose,
    pub user_id: UserId,
    pub phone: crate::domain::PhoneNumber,
    pub sealed: String,
    /// Epoch milliseconds, a number so the cooldown condition compares instants.
    pub sent_ms: i64,
    pub guesses: u8,
    /// TTL, epoch seconds: an hour after the code dies.
    pub expires_at: i64,
}

impl PhoneCodeRecord {
    pub fn new(code: &crate::domain::IssuedCode) -> Self {
        let Key { pk, sk } = keys::phone_code(&code.slot());
        Self {
            pk,
            sk,
            entity: "PhoneCode".into(),
            purpose: code.purpose,
            user_id: code.member.clone(),
            phone: code.phone.clone(),
            sealed: code.sealed.clone(),
            sent_ms: code.sent_at.timestamp_millis(),
            guesses: code.guesses,
            expires_at: (code.expires_at() + chrono::Duration::hours(1)).timestamp(),
        }
    }

    pub fn into_code(self) -> Result<crate::domain::IssuedCode, StoreError> {
        let sent_at = DateTime::from_timestamp_millis(self.sent_ms).ok_or_else(|| StoreError::corrupt("sent_ms"))?;
        Ok(crate::domain::IssuedCode {
            purpose: self.purpose,
            member: self.user_id,
            phone: self.phone,
            sealed: self.sealed,
            sent_at,
            guesses: self.guesses,
        })
    }
}

/// Which member a verified number belongs to (entity `PhoneOwner`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct PhoneOwnerRecord {
    #[serde(rename = "PK")]
    pub pk: String,
    #[serde(rename = "SK")]
    pub sk: String,
    pub entity: String,
    pub user_id: UserId,
}

impl PhoneOwnerRecord {
    pub fn new(phone: &crate::domain::PhoneNumber, user_id: &UserId) -> Self {
        let Key { pk, sk } = keys::phone_owner(phone);
        Self { pk, sk, entity: "PhoneOwner".into(), user_id: user_id.clone() }
    }
}
