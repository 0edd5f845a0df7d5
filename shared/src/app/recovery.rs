//! Proving an address and recovering a password: links mailed to the member, each used
//! once, in the transaction that acts on it.

use std::time::Duration;

use super::accounts::{hash_off_thread, new_family, verify_off_thread};
use super::{App, AppError, active, admitted};
use crate::auth::EmailToken;
use crate::domain::email_check::link;
use crate::domain::{
    Bearer, Email, EmailCheck, Invalid, IssuedCheck, Mail, Password, QuotaUse, Scope, SourceAddress, User, UserId,
};
use crate::ports::{AccountStore, Credentials, GrantStore, QuotaStore, RecoveryStore, StoreError};

use super::SignedIn;

/// A password reset or a phone sign-in answers no sooner than this after it arrived, sent
/// or not, so the time it takes does not tell whether the address or number has an
/// account. Above what a lookup and an SES or SNS send take together.
pub const ANSWER_FLOOR: Duration = Duration::from_millis(300);

impl<S: AccountStore + GrantStore + QuotaStore + RecoveryStore> App<S> {
    /// Issues a `check` link for `member`, to `to`, and mails it. The link is stored first:
    /// a mail that failed leaves a link nobody has, which expires by itself.
    async fn mail_link(&self, member: &User, check: EmailCheck, to: Email) -> Result<(), AppError> {
        let token = EmailToken::generate().map_err(|e| AppError::Crypto(e.to_string()))?;
        let issued = IssuedCheck::new(token.hash(), check, member.id.clone(), to.clone(), self.clock.now());
        self.store.issue_check(&issued).await?;
        let url = link(&self.web_app_url, check, token.expose());
        self.mail.send(&Mail::with_link(check, to, &member.name, &url)).await.map_err(AppError::Delivery)
    }

    /// Takes one of `email`'s link mails for the hour (and `more`), or refuses.
    async fn take_mail_quota(&self, email: &Email, more: Option<QuotaUse>) -> Result<(), AppError> {
        let now = self.clock.now();
        let mut uses = vec![QuotaUse::new(self.limits.link_mails_per_address, Scope::Address(email.clone()), now)];
        uses.extend(more);
        self.store.take_quota(&uses, now).await?;
        Ok(())
    }

    /// Mails a new member the link that confirms their address. Registration has
    /// succeeded either way: a failure is logged and the member can ask again.
    pub async fn welcome(&self, member: &User) {
        let sent = match self.take_mail_quota(&member.email, None).await {
            Ok(()) => self.mail_link(member, EmailCheck::VerifyAddress, member.email.clone()).await,
            Err(error) => Err(error),
        };
        if let Err(error) = sent {
            tracing::warn!(%error, member = %member.id, "the confirmation mail was not sent");
        }
    }

    /// Mails the caller a new link to confirm their address; `false` (and nothing sent)
    /// when it is confirmed already.
    pub async fn resend_confirmation(&self, caller: &Bearer) -> Result<bool, AppError> {
        let member = admitted(self.store.user(&caller.member).await?, caller)?;
        if member.email_verified {
            return Ok(false);
        }
        self.take_mail_quota(&member.email, None).await?;
        self.mail_link(&member, EmailCheck::VerifyAddress, member.email.clone()).await?;
        Ok(true)
    }

    /// Follows a confirmation link: the address is verified, or for an address change the
    /// account moves to the new, verified address. Returns the member as now stored.
    pub async fn confirm_email(&self, token: &EmailToken) -> Result<User, AppError> {
        let issued = self.live_check(token).await?;
        match issued.check {
            EmailCheck::VerifyAddress => match self.store.verify_address(&issued).await {
                Ok(()) => {}
                Err(StoreError::Conflict(_)) => return Err(AppError::LinkInvalid),
                Err(error) => return Err(error.into()),
            },
            EmailCheck::ChangeAddress => {
                let member = active(self.store.user(&issued.member).await?)?;
                let credentials = self.store.credentials(&member.email).await?.ok_or(AppError::LinkInvalid)?;
                match self.store.change_address(&issued, &member.email, &credentials).await {
                    Ok(()) => {}
                    Err(StoreError::Conflict("email")) => return Err(AppError::EmailTaken),
                    Err(StoreError::Conflict(_)) => return Err(AppError::LinkInvalid),
                    Err(error) => return Err(error.into()),
                }
            }
            // A reset link proves the mailbox too, but it is spent only by a new password.
            EmailCheck::ResetPassword => return Err(AppError::LinkInvalid),
        }
        self.store.user(&issued.member).await?.ok_or(AppError::UserNotFound)
    }

    /// Asks for a password-reset link for `email`, from `source`. The answer is the same,
    /// and comes no sooner than [`ANSWER_FLOOR`], whether or not the address has an
    /// account; a known address gets the link. Limited per address and per network.
    pub async fn forgot_password(&self, email: Email, source: SourceAddress) -> Result<(), AppError> {
        let answer_at = tokio::time::Instant::now() + ANSWER_FLOOR;
        let per_source = QuotaUse::new(self.limits.resets_per_source, Scope::Source(source), self.clock.now());
        self.take_mail_quota(&email, Some(per_source)).await?;
        let sent = async {
            let Some(credentials) = self.store.credentials(&email).await? else { return Ok(()) };
            let member = active(self.store.user(&credentials.user_id).await?)?;
            self.mail_link(&member, EmailCheck::ResetPassword, email.clone()).await
        };
        if let Err(error) = sent.await {
            // Never told: the answer must not differ.
            tracing::warn!(%error, "a password-reset link was not sent");
        }
        tokio::time::sleep_until(answer_at).await;
        Ok(())
    }

    /// Follows a reset link with a new password: every sign-in of the member ends, and every
    /// other reset link dies with the old password.
    pub async fn reset_password(&self, token: &EmailToken, password: &str) -> Result<(), AppError> {
        let issued = self.live_check(token).await?;
        if issued.check != EmailCheck::ResetPassword {
            return Err(AppError::LinkInvalid);
        }
        let password =
            Password::parse(password, &issued.email).map_err(|reason| AppError::Rule { field: "password", reason })?;
        let hash = hash_off_thread(&self.passwords, password).await?;
        match self.store.reset_password(&issued, &hash, self.clock.now()).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Err(AppError::LinkInvalid),
            Err(error) => return Err(error.into()),
        }
        self.end_sign_ins(&issued.member).await?;
        Ok(())
    }

    /// Changes the caller's password after checking the current one: every sign-in ends,
    /// reset links die, and the caller gets a fresh sign-in.
    pub async fn change_password(
        &self,
        caller: &Bearer,
        current: String,
        new: &str,
        source: SourceAddress,
    ) -> Result<SignedIn, AppError> {
        let member = admitted(self.store.user(&caller.member).await?, caller)?;
        let password =
            Password::parse(new, &member.email).map_err(|reason| AppError::Rule { field: "new_password", reason })?;
        let credentials = self.password_proved(&member, current, source, "current_password").await?;
        let hash = hash_off_thread(&self.passwords, password).await?;
        let now = self.clock.now();
        let stored = credentials.password_hash.as_deref();
        match self.store.change_password(&member.id, &member.email, stored, &hash, now).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Err(AppError::Contended),
            Err(error) => return Err(error.into()),
        }
        self.end_sign_ins(&member.id).await?;
        let (grant, token) = new_family(&member.id, now)?;
        self.store.start_family(&grant).await?;
        self.signed_in(member, token, now)
    }

    /// Starts moving the caller's account to `email`, after checking their password: the
    /// new address gets a link that makes the change, the old one a note that it was asked.
    pub async fn change_email(
        &self,
        caller: &Bearer,
        email: Email,
        password: String,
        source: SourceAddress,
    ) -> Result<(), AppError> {
        let member = admitted(self.store.user(&caller.member).await?, caller)?;
        if email == member.email {
            return Err(AppError::Rule { field: "email", reason: Invalid::new("is your address already") });
        }
        self.password_proved(&member, password, source, "password").await?;
        self.take_mail_quota(&email, None).await?;
        self.mail_link(&member, EmailCheck::ChangeAddress, email).await?;
        if let Err(error) = self.mail.send(&Mail::change_requested(member.email.clone(), &member.name)).await {
            tracing::warn!(%error, member = %member.id, "the note to the old address was not sent");
        }
        Ok(())
    }

    /// The member's credentials once `password` is proved theirs; each guess counts against
    /// the sign-in limits (a stolen access token must not become a password oracle) and a
    /// right one gives its uses back. A wrong one is a 400 naming `field`.
    async fn password_proved(
        &self,
        member: &User,
        password: String,
        source: SourceAddress,
        field: &'static str,
    ) -> Result<Credentials, AppError> {
        let now = self.clock.now();
        let guess = [
            QuotaUse::new(self.limits.login_per_address, Scope::Address(member.email.clone()), now),
            QuotaUse::new(self.limits.login_per_source, Scope::Source(source), now),
        ];
        self.store.take_quota(&guess, now).await?;
        let credentials = self.store.credentials(&member.email).await?.ok_or(AppError::UserNotFound)?;
        let Some(stored) = credentials.password_hash.clone() else {
            return Err(AppError::Rule {
                field,
                reason: Invalid::new(
                    "cannot be checked: the account has no password yet; ask for a reset link to set one",
                ),
            });
        };
        if !verify_off_thread(&self.passwords, password, Some(stored)).await? {
            return Err(AppError::Rule { field, reason: Invalid::new("is not the account's password") });
        }
        if let Err(error) = self.store.give_back(&guess).await {
            tracing::warn!(%error, "could not give back a proved password's quota");
        }
        Ok(credentials)
    }

    /// The link a token names, while it works.
    async fn live_check(&self, token: &EmailToken) -> Result<IssuedCheck, AppError> {
        let issued = self.store.check(&token.hash()).await?.ok_or(AppError::LinkInvalid)?;
        if !issued.is_live(self.clock.now()) {
            return Err(AppError::LinkInvalid);
        }
        Ok(issued)
    }
}

impl<S: GrantStore> App<S> {
    /// Ends every sign-in of `member` (refresh families of the last 30 days); access tokens
    /// already out run out within their 15 minutes. Returns how many were ended.
    pub(crate) async fn end_sign_ins(&self, member: &UserId) -> Result<usize, AppError> {
        let families = self.store.families(member).await?;
        let revoked = futures_util::future::join_all(families.iter().map(|family| self.store.revoke_family(family)));
        Ok(revoked.await.into_iter().collect::<Result<Vec<()>, StoreError>>()?.len())
    }
}
