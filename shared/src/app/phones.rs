//! Phones: a number proved with a texted code, and signing in with one.
//!
//! A code is sealed (HMAC under the code key) before it is stored, is bound to its purpose,
//! member and number, lives 10 minutes, and takes five guesses, each taken in the table
//! before it is compared. Texts are limited per member, per number, per network and for
//! the whole platform a day (the SMS-pumping fuse), with a minute between two codes.

use super::accounts::new_family;
use super::recovery::ANSWER_FLOOR;
use super::{App, AppError, SignedIn, active, admitted};
use crate::auth::{CodeKey, PhoneCode};
use crate::domain::phone_check::{RESEND_COOLDOWN, code_text};
use crate::domain::{
    Bearer, CodePurpose, CodeSlot, Invalid, IssuedCode, LimitKind, PhoneCountries, PhoneNumber, QuotaUse, Scope,
    SourceAddress, User, UserId,
};
use crate::ports::{AccountStore, GrantStore, PhoneStore, QuotaStore, RecoveryStore, StoreError};

/// What the phone use cases need from the configuration.
#[derive(Debug, Clone, Default)]
pub struct Phones {
    /// The countries texted; none: texting is off.
    pub countries: PhoneCountries,
    /// The key codes are sealed with (in the function that texts them).
    pub key: Option<CodeKey>,
}

impl<S: AccountStore + GrantStore + QuotaStore + RecoveryStore + PhoneStore> App<S> {
    /// Texts the caller a code that proves they hold `phone`. The answer is the same
    /// whoever holds the number: proving it is what settles that.
    pub async fn send_phone_code(&self, caller: &Bearer, phone: PhoneNumber) -> Result<(), AppError> {
        let member = admitted(self.store.user(&caller.member).await?, caller)?;
        self.texted_country(&phone)?;
        if member.phone.as_ref() == Some(&phone) {
            return Err(AppError::Rule { field: "phone", reason: Invalid::new("is your verified number already") });
        }
        let now = self.clock.now();
        let per_number = QuotaUse::new(self.limits.texts_per_number, Scope::Phone(phone.clone()), now);
        self.text_code(CodePurpose::VerifyPhone, &member.id, &phone, Some(per_number)).await
    }

    /// Checks the code the caller typed: right, their number is verified (and no longer
    /// anyone else's); wrong, expired or used up, a 400 naming `code`.
    pub async fn verify_phone(&self, caller: &Bearer, code: &PhoneCode) -> Result<User, AppError> {
        let member = admitted(self.store.user(&caller.member).await?, caller)?;
        let wrong = |reason: &'static str| AppError::Rule { field: "code", reason: Invalid::new(reason) };
        let no_code = "has expired, was typed wrong five times, or was never sent: ask for a new one";
        let issued = self
            .store
            .code(&CodeSlot::Member(member.id.clone()))
            .await?
            .filter(|issued| issued.is_live(self.clock.now()))
            .ok_or_else(|| wrong(no_code))?;
        let guessed = self.guess(&issued, code).await?.ok_or_else(|| wrong("is not the code we sent"))?;
        let owner = self.store.phone_owner(&guessed.phone).await?;
        match self.store.verify_phone(&guessed, &member, owner.as_ref()).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Err(AppError::Contended),
            Err(error) => return Err(error.into()),
        }
        self.store.user(&member.id).await?.ok_or(AppError::UserNotFound)
    }

    /// Asks for a sign-in code for `phone`, from `source`. The answer is the same, no sooner
    /// than [`ANSWER_FLOOR`], whether or not a member holds the number; the member whose
    /// verified number it is gets the code.
    pub async fn start_phone_sign_in(&self, phone: PhoneNumber, source: SourceAddress) -> Result<(), AppError> {
        let answer_at = tokio::time::Instant::now() + ANSWER_FLOOR;
        self.texted_country(&phone)?;
        let now = self.clock.now();
        // Counted for every number, known or not: these refusals tell nothing.
        let uses = [
            QuotaUse::new(self.limits.phone_sign_ins_per_source, Scope::Source(source), now),
            QuotaUse::new(self.limits.texts_per_number, Scope::Phone(phone.clone()), now),
        ];
        self.store.take_quota(&uses, now).await?;
        let sent = async {
            let Some(owner) = self.store.phone_owner(&phone).await? else { return Ok(()) };
            let member = active(self.store.user(&owner).await?)?;
            if member.phone.as_ref() != Some(&phone) {
                return Ok(());
            }
            self.text_code(CodePurpose::SignIn, &member.id, &phone, None).await
        };
        if let Err(error) = sent.await {
            // Never told (a cooldown, a cap, a failed send): the answer must not differ.
            tracing::warn!(%error, phone = %phone.masked(), "a sign-in code was not sent");
        }
        tokio::time::sleep_until(answer_at).await;
        Ok(())
    }

    /// Signs in with a texted code. Any failure (no code, a wrong one, five wrong ones, an
    /// expired one) is the same 401 as a wrong password; guesses count against the
    /// network's sign-in limit too.
    pub async fn finish_phone_sign_in(
        &self,
        phone: PhoneNumber,
        code: &PhoneCode,
        source: SourceAddress,
    ) -> Result<SignedIn, AppError> {
        let now = self.clock.now();
        let guess = [QuotaUse::new(self.limits.login_per_source, Scope::Source(source), now)];
        self.store.take_quota(&guess, now).await?;
        let issued = self
            .store
            .code(&CodeSlot::Number(phone.clone()))
            .await?
            .filter(|issued| issued.is_live(now))
            .ok_or(AppError::InvalidCredentials)?;
        let guessed = self.guess(&issued, code).await?.ok_or(AppError::InvalidCredentials)?;
        match self.store.use_sign_in_code(&guessed).await {
            Ok(()) => {}
            Err(StoreError::Conflict(_)) => return Err(AppError::InvalidCredentials),
            Err(error) => return Err(error.into()),
        }
        let member = active(self.store.user(&guessed.member).await?)?;
        if member.phone.as_ref() != Some(&phone) {
            return Err(AppError::InvalidCredentials);
        }
        if let Err(error) = self.store.give_back(&guess).await {
            tracing::warn!(%error, "could not give back a phone sign-in's quota");
        }
        let (grant, token) = new_family(&member.id, now)?;
        self.store.start_family(&grant).await?;
        self.signed_in(member, token, now)
    }

    /// Refuses numbers outside the countries the platform texts.
    fn texted_country(&self, phone: &PhoneNumber) -> Result<(), AppError> {
        if self.phones.countries.allow(phone) {
            Ok(())
        } else {
            Err(AppError::Rule { field: "phone", reason: Invalid::new("is in a country Peerlearn does not text") })
        }
    }

    /// Texts a new `purpose` code for `member` to `phone`: not within a minute of the last,
    /// within the member's, `more` and the platform's daily caps.
    async fn text_code(
        &self,
        purpose: CodePurpose,
        member: &UserId,
        phone: &PhoneNumber,
        more: Option<QuotaUse>,
    ) -> Result<(), AppError> {
        let now = self.clock.now();
        let cooling = |retry_after| AppError::Throttled { limit: LimitKind::TextResend, retry_after };
        // A resend inside the minute takes no quota.
        if let Some(wait) = self.store.code(&purpose.slot(member, phone)).await?.and_then(|live| live.cooling_down(now))
        {
            return Err(cooling(wait));
        }
        let mut uses = vec![QuotaUse::new(self.limits.texts_per_member, Scope::Member(member.clone()), now)];
        uses.extend(more);
        uses.push(QuotaUse::new(self.limits.texts_per_platform, Scope::Platform, now));
        self.store.take_quota(&uses, now).await?;
        let key = self.code_key()?;
        let code = PhoneCode::generate().map_err(|e| AppError::Crypto(e.to_string()))?;
        let sealed = key
            .seal(&IssuedCode::context(purpose, member, phone), &code)
            .map_err(|e| AppError::Crypto(e.to_string()))?;
        let issued = IssuedCode::new(purpose, member.clone(), phone.clone(), sealed, now);
        match self.store.put_code(&issued, now - RESEND_COOLDOWN).await {
            Ok(()) => {}
            // Another request sent one meanwhile.
            Err(StoreError::Conflict(_)) => return Err(cooling(RESEND_COOLDOWN.num_seconds().unsigned_abs())),
            Err(error) => return Err(error.into()),
        }
        self.texts.send(phone, &code_text(purpose, code.expose())).await.map_err(AppError::Delivery)
    }

    /// Takes a guess of `issued` and compares: the code as guessed when `code` opens it,
    /// `None` when it does not (or a concurrent guess took this one).
    async fn guess(&self, issued: &IssuedCode, code: &PhoneCode) -> Result<Option<IssuedCode>, AppError> {
        let guessed = match self.store.take_guess(issued).await {
            Ok(guessed) => guessed,
            Err(StoreError::Conflict(_)) => return Ok(None),
            Err(error) => return Err(error.into()),
        };
        let context = IssuedCode::context(issued.purpose, &issued.member, &issued.phone);
        Ok(self.code_key()?.opens(&context, code, &issued.sealed).then_some(guessed))
    }

    fn code_key(&self) -> Result<&CodeKey, AppError> {
        self.phones.key.as_ref().ok_or_else(|| AppError::Crypto("no CODE_KEY in this function".into()))
    }
}
