//! Accounts, sign-in credentials, refresh-token families and rate-limit counters.

use std::future::Future;

use chrono::{DateTime, Utc};

use super::StoreError;
use crate::domain::{
    CodeSlot, Email, Exhausted, IssuedCheck, IssuedCode, PhoneNumber, QuotaUse, Standing, User, UserId,
};

/// A password hash with the account it unlocks.
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The account.
    pub user_id: UserId,
    /// PHC-format argon2id hash; none for an account that signs in with Google only.
    pub password_hash: Option<String>,
    /// When the password was last reset or changed (none: as registered).
    pub password_set_at: Option<DateTime<Utc>>,
}

/// One refresh token as stored: only its hash, never the token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshGrant {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// The account it signs in.
    pub user_id: UserId,
    /// The chain of rotations this token belongs to (one per sign-in).
    pub family_id: String,
    /// False once exchanged for a new pair or once its family is revoked; showing an
    /// inactive grant again means the token leaked.
    pub active: bool,
    /// End of the family's life: rotation never extends it.
    pub expires_at: DateTime<Utc>,
}

/// Why a rotation did not happen.
#[derive(Debug, thiserror::Error)]
pub enum RotateError {
    /// The old token was already rotated, or its family revoked, meanwhile.
    #[error("refresh token no longer valid")]
    Stale,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Accounts: users, their sign-in claims and credentials.
pub trait AccountStore: Send + Sync {
    /// Creates the user, claims the email (with its password hash, if it has a password),
    /// records its Google identity (if it signs in with Google) and starts a refresh family,
    /// all or nothing. `Conflict("email")` when the email is taken, `Conflict("google")` when
    /// the Google account already has an account.
    fn create_account(
        &self,
        user: &User,
        password_hash: Option<&str>,
        google_subject: Option<&str>,
        first_grant: &RefreshGrant,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The Google account (its `sub`) `member` linked, if any.
    fn linked_google(&self, member: &UserId) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;

    /// Links the Google account `subject` to `member`. `Conflict("google")` when it signs
    /// in to an account already, `Conflict("linked")` when `member` linked another.
    fn link_google(&self, member: &UserId, subject: &str) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Unlinks `member`'s Google account `subject`, only while the member (`email`) has a
    /// password to sign in with: `Conflict("last")` otherwise, `Conflict("linked")` when the
    /// link changed meanwhile.
    fn unlink_google(
        &self,
        member: &UserId,
        email: &Email,
        subject: &str,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The account a Google account (its `sub`) signs in to, if any.
    fn google_account(&self, subject: &str) -> impl Future<Output = Result<Option<UserId>, StoreError>> + Send;

    /// The credentials of an address, if it has an account (read strongly consistently).
    fn credentials(&self, email: &Email) -> impl Future<Output = Result<Option<Credentials>, StoreError>> + Send;

    /// Reads a user.
    fn user(&self, id: &UserId) -> impl Future<Output = Result<Option<User>, StoreError>> + Send;

    /// Replaces a user if nobody changed it since `previous` was read (`Conflict`
    /// otherwise), keeping the mentor listings and the count of active admins in step in
    /// the same transaction; `Conflict("last admin")` when it would leave no active admin.
    fn save_user(&self, user: &User, previous: &User) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A member's standing alone (status, tokens revoked before), read strongly
    /// consistently: what a request that loads nothing else of the caller checks.
    fn standing(&self, id: &UserId) -> impl Future<Output = Result<Option<Standing>, StoreError>> + Send;
}

/// Why a write that uses a quota did not happen.
#[derive(Debug, thiserror::Error)]
pub enum QuotaError {
    /// A quota is used up for this window: nothing was written.
    #[error("{} exhausted", .0.kind.as_str())]
    Exhausted(Exhausted),
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Rate-limit counters, for uses that must be taken before the work they limit (a sign-in
/// guess is counted before the password hash runs). Writes that notify take their uses in
/// their own transaction instead.
pub trait QuotaStore: Send + Sync {
    /// Takes one use of each quota, in order, or none: a counter at its limit refuses
    /// (`Exhausted`) and the uses taken before it in `uses` are given back.
    fn take_quota(&self, uses: &[QuotaUse], now: DateTime<Utc>) -> impl Future<Output = Result<(), QuotaError>> + Send;

    /// Gives back uses taken by [`QuotaStore::take_quota`]; a counter given back to zero is
    /// removed, so the table holds what it held before the use.
    fn give_back(&self, uses: &[QuotaUse]) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Refresh tokens: families of rotating, single-use grants.
pub trait GrantStore: Send + Sync {
    /// Starts a new family with its first grant.
    fn start_family(&self, grant: &RefreshGrant) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Finds a grant (and whether its family still lives) in one round trip.
    fn grant(
        &self,
        family_id: &str,
        token_hash: &str,
    ) -> impl Future<Output = Result<Option<RefreshGrant>, StoreError>> + Send;

    /// Marks `old` used and stores `next`, only if `old` is still active and its family alive.
    fn rotate(&self, old: &RefreshGrant, next: &RefreshGrant) -> impl Future<Output = Result<(), RotateError>> + Send;

    /// The ids of `user`'s families of the last 30 days, revoked ones included (revoking
    /// again is harmless), through the member's copies.
    fn families(&self, user: &UserId) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// Ends a family: none of its grants works any more.
    fn revoke_family(&self, family_id: &str) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Mailed links: addresses proved, passwords reset and changed. Each link is single-use:
/// the write that acts on it deletes it in the same transaction, on condition it is there.
pub trait RecoveryStore: Send + Sync {
    /// Stores a link (by its token's hash); it expires by itself after its lifetime.
    fn issue_check(&self, issued: &IssuedCheck) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The link a token's hash names, if it was issued and not used (expired ones may
    /// still be returned: the caller checks the time).
    fn check(&self, token_hash: &str) -> impl Future<Output = Result<Option<IssuedCheck>, StoreError>> + Send;

    /// Uses a [`crate::domain::EmailCheck::VerifyAddress`] link: the member's address is verified, if it is
    /// still the one the link was mailed to. `Conflict("used")` when the link was used
    /// meanwhile, `Conflict("email")` when the address changed since.
    fn verify_address(&self, issued: &IssuedCheck) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Uses a [`crate::domain::EmailCheck::ChangeAddress`] link: the member's sign-in address moves from
    /// `from` (whose credentials are `credentials`) to the link's, verified. `Conflict("email")`
    /// when the new address has an account, `Conflict("used")` when the link was used or
    /// anything changed meanwhile.
    fn change_address(
        &self,
        issued: &IssuedCheck,
        from: &Email,
        credentials: &Credentials,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Uses a [`crate::domain::EmailCheck::ResetPassword`] link: the password of the link's address becomes
    /// `password_hash`, set at `now`. `Conflict("used")` when the link was used, or a password
    /// was set after it was issued (every older reset link dies with a reset or a change).
    fn reset_password(
        &self,
        issued: &IssuedCheck,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Replaces the password of `email` (belonging to `member`) with `password_hash`, set at
    /// `now`, if it is still `current` (`Conflict("password")` otherwise).
    fn change_password(
        &self,
        member: &UserId,
        email: &Email,
        current: Option<&str>,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Texted codes and verified numbers. A code is guessed by first taking a guess (so
/// concurrent guesses cannot share one), then used in the transaction that acts on it.
pub trait PhoneStore: Send + Sync {
    /// Stores `code` as the one live code of its purpose (a member's verification code, a
    /// number's sign-in code), replacing an older one, unless one was sent after
    /// `cooled_from`: `Conflict("cooldown")`.
    fn put_code(
        &self,
        code: &IssuedCode,
        cooled_from: DateTime<Utc>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// The code kept in `slot`, if any; expired ones may be returned: the caller checks.
    fn code(&self, slot: &CodeSlot) -> impl Future<Output = Result<Option<IssuedCode>, StoreError>> + Send;

    /// Takes one guess of `code`, if it is still as read: `Conflict("guess")` otherwise.
    fn take_guess(&self, code: &IssuedCode) -> impl Future<Output = Result<IssuedCode, StoreError>> + Send;

    /// The member whose verified number `phone` is, if any.
    fn phone_owner(&self, phone: &PhoneNumber) -> impl Future<Output = Result<Option<UserId>, StoreError>> + Send;

    /// Uses a verification `code` (as guessed): its number becomes `member`'s verified phone,
    /// their previous number is released, and a `previous_owner` of the number loses it
    /// (holding the phone proves it). `Conflict` when anything changed meanwhile.
    fn verify_phone(
        &self,
        code: &IssuedCode,
        member: &User,
        previous_owner: Option<&UserId>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Uses a sign-in `code` (as guessed): `Conflict` when it was used or guessed meanwhile.
    fn use_sign_in_code(&self, code: &IssuedCode) -> impl Future<Output = Result<(), StoreError>> + Send;
}
