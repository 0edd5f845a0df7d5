//! Registration, sign-in, token refresh and sign-out.

use chrono::{DateTime, Utc};

use super::{App, AppError, active, admitted};
use crate::auth::GoogleTokenError;
use crate::auth::{PasswordHasher, RefreshToken};
use crate::domain::{
    AccountStatus, Bearer, DisplayName, Email, Invalid, MentorStats, Password, Profile, QuotaUse, Roles, Scope,
    SourceAddress, User, UserId, VerificationStatus,
};
use crate::ports::{AccountStore, GrantStore, QuotaStore, RecoveryStore, RefreshGrant, RotateError, StoreError};

/// A sign-in lives 30 days from the moment of signing in; rotation never extends it.
const SESSION_DAYS: i64 = 30;

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

/// A sign-in with Google: the ID token Google gave the client, and for a first sign-in
/// (a new account) the roles and, when the token carries none, the name.
#[derive(Debug)]
pub struct GoogleSignIn {
    /// The ID token, as Google issued it.
    pub id_token: String,
    /// Learner, mentor, or both: required when the Google account has no account yet.
    pub roles: Option<Roles>,
    /// Name shown to others; the Google account's name when absent.
    pub name: Option<DisplayName>,
}

/// A new member's account as it starts.
fn new_member(email: Email, email_verified: bool, name: DisplayName, roles: Roles, now: DateTime<Utc>) -> User {
    User {
        id: UserId::new(ulid::Ulid::new()),
        email,
        name,
        roles,
        status: AccountStatus::Active,
        email_verified,
        phone: None,
        tokens_not_before: None,
        verification: VerificationStatus::Unverified,
        mentor: MentorStats::default(),
        booked: Vec::new(),
        profile: Profile::default(),
        created_at: now,
        updated_at: now,
        version: 1,
    }
}

impl<S: AccountStore + GrantStore + QuotaStore + RecoveryStore> App<S> {
    /// Creates an account and signs it in. The email is claimed by the database in the
    /// same transaction that creates the user, so two racing registrations cannot both win.
    pub async fn register(&self, registration: Registration) -> Result<SignedIn, AppError> {
        let password_hash = hash_off_thread(&self.passwords, registration.password).await?;
        let now = self.clock.now();
        let user = new_member(registration.email, false, registration.name, registration.roles, now);
        let (grant, token) = new_family(&user.id, now)?;
        match self.store.create_account(&user, Some(&password_hash), None, &grant).await {
            Ok(()) => {}
            Err(StoreError::Conflict("email")) => return Err(AppError::EmailTaken),
            Err(error) => return Err(error.into()),
        }
        crate::observability::metrics::count(now, crate::observability::metrics::REGISTRATIONS);
        self.welcome(&user).await;
        self.signed_in(user, token, now)
    }

    /// Signs in with email and password from `source`. Unknown addresses cost the same
    /// hash check as known ones and fail, and are throttled, the same way.
    ///
    /// Every guess is reserved before the hash runs: one use of the address's quota and one
    /// of the source network's, each a conditional counter update, so however many guesses
    /// arrive at once, at most the limit of them reach the password check in a window; the
    /// rest are refused (`Throttled`) without hashing. A right password gives its uses back,
    /// so only failed guesses count.
    pub async fn login(&self, email: Email, password: String, source: SourceAddress) -> Result<SignedIn, AppError> {
        let now = self.clock.now();
        let guess = [
            QuotaUse::new(self.limits.login_per_address, Scope::Address(email.clone()), now),
            QuotaUse::new(self.limits.login_per_source, Scope::Source(source), now),
        ];
        // Concurrently, and the same calls for any address: known, unknown, refused or not.
        let (reserved, credentials) =
            futures_util::future::join(self.store.take_quota(&guess, now), self.store.credentials(&email)).await;
        reserved?;
        let credentials = credentials?;
        // An account without a password (Google only) fails like an unknown address.
        let stored_hash = credentials.as_ref().and_then(|c| c.password_hash.clone());
        let matches = verify_off_thread(&self.passwords, password, stored_hash).await?;
        // A wrong guess keeps its uses: that is what the limits count.
        let credentials = credentials.filter(|_| matches).ok_or(AppError::InvalidCredentials)?;
        if let Err(error) = self.store.give_back(&guess).await {
            // The guess stays counted: stricter, never looser. Not worth failing a sign-in over.
            tracing::warn!(%error, "could not give back a successful sign-in's quota");
        }
        let user = active(self.store.user(&credentials.user_id).await?)?;
        let (grant, token) = new_family(&user.id, now)?;
        self.store.start_family(&grant).await?;
        self.signed_in(user, token, now)
    }

    /// Signs in with a Google ID token: the account the Google account (its `sub`) signs in
    /// to, or on a first sign-in a new one (`true`). An address that already has a password
    /// account is never merged on its own (whoever controls the Google account would take
    /// the account over): `GoogleNotLinked`, and the member links Google while signed in.
    pub async fn sign_in_with_google(&self, request: GoogleSignIn) -> Result<(SignedIn, bool), AppError> {
        let google = self
            .google
            .as_ref()
            .ok_or(AppError::GoogleToken(crate::auth::GoogleTokenError::Rejected("no client id".into())))?;
        let now = self.clock.now();
        let identity = google.verify(&request.id_token, now).await.map_err(AppError::GoogleToken)?;
        if let Some(id) = self.store.google_account(&identity.subject).await? {
            let user = active(self.store.user(&id).await?)?;
            let (grant, token) = new_family(&user.id, now)?;
            self.store.start_family(&grant).await?;
            return Ok((self.signed_in(user, token, now)?, false));
        }
        let email = Email::parse(&identity.email)
            .map_err(|_| AppError::GoogleToken(crate::auth::GoogleTokenError::Rejected("email".into())))?;
        if self.store.credentials(&email).await?.is_some() {
            return Err(AppError::GoogleNotLinked);
        }
        let roles = request
            .roles
            .ok_or(AppError::Rule { field: "roles", reason: Invalid::new("is required for a new account") })?;
        let name =
            request.name.or_else(|| identity.name.as_deref().and_then(|name| DisplayName::parse(name).ok())).ok_or(
                AppError::Rule { field: "name", reason: Invalid::new("is required: the Google account has none") },
            )?;
        let user = new_member(email, true, name, roles, now);
        let (grant, token) = new_family(&user.id, now)?;
        match self.store.create_account(&user, None, Some(&identity.subject), &grant).await {
            Ok(()) => {}
            Err(StoreError::Conflict("email")) => return Err(AppError::GoogleNotLinked),
            // A first sign-in racing this one created the account: signing in again finds it.
            Err(StoreError::Conflict(_)) => return Err(AppError::Contended),
            Err(error) => return Err(error.into()),
        }
        crate::observability::metrics::count(now, crate::observability::metrics::REGISTRATIONS);
        Ok((self.signed_in(user, token, now)?, true))
    }

    /// Links the Google account of `id_token` to the signed-in caller, so it signs in to
    /// their account. Linking the one already linked is a no-op.
    pub async fn link_google(&self, caller: &Bearer, id_token: &str) -> Result<(), AppError> {
        let google = self.google.as_ref().ok_or(AppError::GoogleToken(GoogleTokenError::Rejected("off".into())))?;
        let member = admitted(self.store.user(&caller.member).await?, caller)?;
        let identity = google.verify(id_token, self.clock.now()).await.map_err(AppError::GoogleToken)?;
        match self.store.link_google(&member.id, &identity.subject).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict(_)) => match self.store.linked_google(&member.id).await? {
                Some(linked) if linked == identity.subject => Ok(()),
                Some(_) => {
                    Err(AppError::IdentityConflict("Another Google account is linked already: unlink it first."))
                }
                None => Err(AppError::IdentityConflict("This Google account signs in to another member's account.")),
            },
            Err(error) => Err(error.into()),
        }
    }

    /// Unlinks the caller's Google account, unless it is their only way to sign in.
    pub async fn unlink_google(&self, caller: &Bearer) -> Result<(), AppError> {
        let member = admitted(self.store.user(&caller.member).await?, caller)?;
        let Some(subject) = self.store.linked_google(&member.id).await? else { return Ok(()) };
        match self.store.unlink_google(&member.id, &member.email, &subject).await {
            Ok(()) => Ok(()),
            Err(StoreError::Conflict("last")) => Err(AppError::IdentityConflict(
                "Google is your only way to sign in: set a password before unlinking it.",
            )),
            Err(StoreError::Conflict(_)) => Err(AppError::Contended),
            Err(error) => Err(error.into()),
        }
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
        // A sign-in from before a suspension stays ended after the restore, even one the
        // suspension's revocation did not reach.
        let started = grant.expires_at - chrono::Duration::days(SESSION_DAYS);
        if user.standing().admits(started).is_err() {
            self.store.revoke_family(&family_id).await?;
            return Err(AppError::InvalidRefreshToken);
        }
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

    pub(super) fn signed_in(
        &self,
        user: User,
        refresh_token: RefreshToken,
        now: DateTime<Utc>,
    ) -> Result<SignedIn, AppError> {
        let access_token = self.tokens.issue(&user.id, user.roles, now).map_err(|e| AppError::Crypto(e.to_string()))?;
        Ok(SignedIn { user, access_token, expires_in: self.tokens.ttl_seconds(), refresh_token })
    }
}

pub(super) fn new_family(user: &UserId, now: DateTime<Utc>) -> Result<(RefreshGrant, RefreshToken), AppError> {
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
pub(super) async fn hash_off_thread(hasher: &PasswordHasher, password: Password) -> Result<String, AppError> {
    let hasher = hasher.clone();
    tokio::task::spawn_blocking(move || hasher.hash(&password))
        .await
        .map_err(|e| AppError::Crypto(e.to_string()))?
        .map_err(|e| AppError::Crypto(e.to_string()))
}

pub(super) async fn verify_off_thread(
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
