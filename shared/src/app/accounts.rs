//! Registration, sign-in, token refresh and sign-out.

use chrono::{DateTime, Utc};

use super::{App, AppError, active};
use crate::auth::{PasswordHasher, RefreshToken};
use crate::domain::{
    AccountStatus, DisplayName, Email, MentorStats, Password, Profile, Roles, User, UserId, VerificationStatus,
};
use crate::ports::{AccountStore, GrantStore, RefreshGrant, RotateError, StoreError};

/// A sign-in lives 30 days from the moment of signing in; rotation never extends it.
const SESSION_DAYS: i64 = 30;
/// Failures allowed per address inside one window before sign-in is refused.
pub const MAX_LOGIN_FAILURES: u32 = 5;
/// The failure window.
const FAILURE_WINDOW_MINUTES: i64 = 15;

/// A validated registration.
#[derive(Debug)]
pub struct Registration {
    /// Sign-in address.
    pub email: Email,
    /// The chosen password (already checked against the policy).
    pub password: Password,
    /// Name shown to others.
    pub name: DisplayName,
    /// Learner, mentor, or both.
    pub roles: Roles,
}

/// The result of any successful sign-in: the user and a fresh token pair.
#[derive(Debug)]
pub struct SignedIn {
    /// Who signed in.
    pub user: User,
    /// Short-lived JWT.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Single-use, rotating refresh token.
    pub refresh_token: RefreshToken,
}

impl<S: AccountStore + GrantStore> App<S> {
    /// Creates an account and signs it in. The email is claimed by the database in the
    /// same transaction that creates the user, so two racing registrations cannot both win.
    pub async fn register(&self, registration: Registration) -> Result<SignedIn, AppError> {
        let password_hash = hash_off_thread(&self.passwords, registration.password).await?;
        let now = self.clock.now();
        let user = User {
            id: UserId::new(ulid::Ulid::new()),
            email: registration.email,
            name: registration.name,
            roles: registration.roles,
            status: AccountStatus::Active,
            verification: VerificationStatus::Unverified,
            mentor: MentorStats::default(),
            booked: Vec::new(),
            profile: Profile::default(),
            created_at: now,
            updated_at: now,
            version: 1,
        };
        let (grant, token) = new_family(&user.id, now)?;
        match self.store.create_account(&user, &password_hash, &grant).await {
            Ok(()) => {}
            Err(StoreError::Conflict("email")) => return Err(AppError::EmailTaken),
            Err(error) => return Err(error.into()),
        }
        self.signed_in(user, token, now)
    }

    /// Signs in with email and password. Unknown addresses cost the same hash check as
    /// known ones and fail the same way; failures are counted per address.
    pub async fn login(&self, email: Email, password: String) -> Result<SignedIn, AppError> {
        let now = self.clock.now();
        let (credentials, failures) = self.store.sign_in_facts(&email).await?;
        if let Some(failures) = failures.filter(|f| f.window_ends > now && f.count >= MAX_LOGIN_FAILURES) {
            let retry_after = (failures.window_ends - now).num_seconds().max(1);
            return Err(AppError::Throttled { retry_after: retry_after.unsigned_abs() });
        }
        let stored_hash = credentials.as_ref().map(|c| c.password_hash.clone());
        let matches = verify_off_thread(&self.passwords, password, stored_hash).await?;
        let Some(credentials) = credentials.filter(|_| matches) else {
            let window = chrono::Duration::minutes(FAILURE_WINDOW_MINUTES);
            self.store.record_login_failure(&email, now, window).await?;
            return Err(AppError::InvalidCredentials);
        };
        let user = active(self.store.user(&credentials.user_id).await?)?;
        let (grant, token) = new_family(&user.id, now)?;
        let had_failures = failures.is_some();
        self.store.start_family(&grant, had_failures.then_some(&email)).await?;
        self.signed_in(user, token, now)
    }

    /// Exchanges a refresh token for a new pair. A token shown a second time means it
    /// leaked: the whole family is revoked, so the thief and the owner both sign in again.
    pub async fn refresh(&self, presented: RefreshToken) -> Result<SignedIn, AppError> {
        let now = self.clock.now();
        let family_id = presented.family_id().to_owned();
        let grant = self.store.grant(&family_id, &presented.hash()).await?.ok_or(AppError::InvalidRefreshToken)?;
        if !grant.active {
            self.store.revoke_family(&family_id).await?;
            return Err(AppError::InvalidRefreshToken);
        }
        if grant.expires_at <= now {
            return Err(AppError::InvalidRefreshToken);
        }
        let user = active(self.store.user(&grant.user_id).await?)?;
        let token = RefreshToken::generate(&family_id).map_err(|e| AppError::Crypto(e.to_string()))?;
        let next = RefreshGrant {
            token_hash: token.hash(),
            user_id: user.id.clone(),
            family_id: family_id.clone(),
            active: true,
            expires_at: grant.expires_at,
        };
        match self.store.rotate(&grant, &next).await {
            Ok(()) => self.signed_in(user, token, now),
            // Someone rotated it in between: the same token was used twice.
            Err(RotateError::Stale) => {
                self.store.revoke_family(&family_id).await?;
                Err(AppError::InvalidRefreshToken)
            }
            Err(RotateError::Store(error)) => Err(error.into()),
        }
    }

    /// Ends the sign-in the token belongs to. Unknown tokens are already signed out.
    pub async fn logout(&self, presented: RefreshToken) -> Result<(), AppError> {
        let family_id = presented.family_id();
        if self.store.grant(family_id, &presented.hash()).await?.is_some() {
            self.store.revoke_family(family_id).await?;
        }
        Ok(())
    }

    fn signed_in(&self, user: User, refresh_token: RefreshToken, now: DateTime<Utc>) -> Result<SignedIn, AppError> {
        let access_token = self.tokens.issue(&user.id, user.roles, now).map_err(|e| AppError::Crypto(e.to_string()))?;
        Ok(SignedIn { user, access_token, expires_in: self.tokens.ttl_seconds(), refresh_token })
    }
}

fn new_family(user: &UserId, now: DateTime<Utc>) -> Result<(RefreshGrant, RefreshToken), AppError> {
    let family_id = ulid::Ulid::new().to_string();
    let token = RefreshToken::generate(&family_id).map_err(|e| AppError::Crypto(e.to_string()))?;
    let grant = RefreshGrant {
        token_hash: token.hash(),
        user_id: user.clone(),
        family_id,
        active: true,
        expires_at: now + chrono::Duration::days(SESSION_DAYS),
    };
    Ok((grant, token))
}

/// argon2 is deliberately slow CPU work: keep it off the async workers.
async fn hash_off_thread(hasher: &PasswordHasher, password: Password) -> Result<String, AppError> {
    let hasher = hasher.clone();
    tokio::task::spawn_blocking(move || hasher.hash(&password))
        .await
        .map_err(|e| AppError::Crypto(e.to_string()))?
        .map_err(|e| AppError::Crypto(e.to_string()))
}

async fn verify_off_thread(
    hasher: &PasswordHasher,
    candidate: String,
    stored: Option<String>,
) -> Result<bool, AppError> {
    let hasher = hasher.clone();
    tokio::task::spawn_blocking(move || hasher.verify(&candidate, stored.as_deref()))
        .await
        .map_err(|e| AppError::Crypto(e.to_string()))?
        .map_err(|e| AppError::Crypto(e.to_string()))
}
