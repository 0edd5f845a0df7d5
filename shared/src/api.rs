//! Response shapes shared by several functions. Each is the wire form of a domain value.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::app::SignedIn;
use crate::domain::{
    AccountStatus, DisplayName, Email, MentorStats, PhoneNumber, Profile, Role, Roles, User, UserId, VerificationStatus,
};

/// A member's account with its private fields: for the member themself, and for admins.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccountView {
    /// User id.
    pub id: UserId,
    /// Sign-in address (only ever shown to its owner).
    pub email: Email,
    /// Whether the member confirmed the address with the mailed link; until then they
    /// cannot book paid sessions or ask to be verified as a mentor.
    pub email_verified: bool,
    /// The phone number the member verified with a texted code; absent without one.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, example = "+14155552671")]
    pub phone: Option<PhoneNumber>,
    /// Display name.
    pub name: DisplayName,
    /// Roles held.
    pub roles: Roles,
    /// Active or suspended.
    pub status: AccountStatus,
    /// Mentor verification.
    pub verification: VerificationStatus,
    /// Public profile.
    pub profile: Profile,
    /// Created at (RFC 3339, UTC).
    pub created_at: DateTime<Utc>,
    /// Last changed at (RFC 3339, UTC).
    pub updated_at: DateTime<Utc>,
    /// A link to the avatar, valid 15 minutes (fetch a fresh profile for a new one);
    /// absent without an avatar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

impl AccountView {
    /// The view with the avatar link.
    pub fn with_avatar(self, avatar_url: Option<String>) -> Self {
        Self { avatar_url, ..self }
    }
}

impl From<&User> for AccountView {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            email: user.email.clone(),
            email_verified: user.email_verified,
            phone: user.phone.clone(),
            name: user.name.clone(),
            roles: user.roles,
            status: user.status,
            verification: user.verification,
            profile: user.profile.clone(),
            created_at: user.created_at,
            updated_at: user.updated_at,
            avatar_url: None,
        }
    }
}

/// What any member may see of another: no email, no status, no admin role, no hashes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PublicUserView {
    /// User id.
    pub id: UserId,
    /// Display name.
    pub name: DisplayName,
    /// Whether the member learns, mentors, or both.
    pub roles: Vec<Role>,
    /// Whether an admin verified this mentor.
    pub verified_mentor: bool,
    /// Reviews received, response time and load (meaningful for mentors).
    pub mentor_stats: MentorStats,
    /// Public profile.
    pub profile: Profile,
    /// Member since (RFC 3339, UTC).
    pub member_since: DateTime<Utc>,
    /// A link to the avatar, valid 15 minutes; absent without an avatar.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub avatar_url: Option<String>,
}

impl PublicUserView {
    /// The view with the avatar link.
    pub fn with_avatar(self, avatar_url: Option<String>) -> Self {
        Self { avatar_url, ..self }
    }
}

impl From<&User> for PublicUserView {
    fn from(user: &User) -> Self {
        Self {
            id: user.id.clone(),
            name: user.name.clone(),
            roles: user.roles.iter().filter(|role| *role != Role::Admin).collect(),
            verified_mentor: user.roles.contains(Role::Mentor) && user.verification == VerificationStatus::Verified,
            mentor_stats: user.mentor,
            profile: user.profile.clone(),
            member_since: user.created_at,
            avatar_url: None,
        }
    }
}

/// A fresh token pair with the account it signs in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedInView {
    /// The account.
    pub user: AccountView,
    /// JWT for `Authorization: Bearer`.
    pub access_token: String,
    /// Always `Bearer`.
    pub token_type: &'static str,
    /// Seconds until `access_token` expires.
    pub expires_in: i64,
    /// Single-use token for POST /auth/refresh; keep it secret.
    pub refresh_token: String,
}

impl From<&SignedIn> for SignedInView {
    fn from(signed_in: &SignedIn) -> Self {
        Self {
            user: AccountView::from(&signed_in.user),
            access_token: signed_in.access_token.clone(),
            token_type: "Bearer",
            expires_in: signed_in.expires_in,
            refresh_token: signed_in.refresh_token.expose().to_owned(),
        }
    }
}

/// A mentor verification request as its mentor and admins see it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VerificationView {
    /// The request.
    pub id: crate::domain::VerificationId,
    /// The mentor who asked.
    pub mentor: UserId,
    /// `pending`, `approved` or `rejected`.
    pub state: crate::domain::VerificationState,
    /// The uploads named as evidence, in the order given.
    #[schema(value_type = Vec<String>)]
    pub uploads: Vec<crate::domain::UploadId>,
    /// The mentor's statement.
    pub statement: crate::domain::VerificationStatement,
    /// Why it was rejected.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<crate::domain::Reason>,
    /// When it was made.
    pub submitted_at: DateTime<Utc>,
    /// When an admin decided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<DateTime<Utc>>,
}

impl From<&crate::domain::VerificationRequest> for VerificationView {
    fn from(request: &crate::domain::VerificationRequest) -> Self {
        Self {
            id: request.id.clone(),
            mentor: request.mentor.clone(),
            state: request.state,
            uploads: request.uploads.ids().to_vec(),
            statement: request.statement.clone(),
            reason: request.reason.clone(),
            submitted_at: request.submitted_at,
            decided_at: request.decided_at,
        }
    }
}
