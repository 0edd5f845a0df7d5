//! Proving a phone number: what a texted code is for, how long it lives, how often it may
//! be sent and guessed. The code's secret is an [`crate::auth::PhoneCode`]; this is the rule
//! around it.

use chrono::{DateTime, Duration, Utc};

use super::{PhoneNumber, UserId};

/// A code lives 10 minutes.
pub const CODE_LIFETIME: Duration = Duration::minutes(10);
/// Five guesses per code, then a new code is needed.
pub const MAX_GUESSES: u8 = 5;
/// A new code no sooner than a minute after the last.
pub const RESEND_COOLDOWN: Duration = Duration::seconds(60);

/// What a texted code does when it is typed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CodePurpose {
    /// Proves the member holds the number: it becomes their verified phone.
    VerifyPhone,
    /// Signs the member in whose verified phone it is.
    SignIn,
}

impl CodePurpose {
    /// Where `member`'s code for `phone` with this purpose is kept.
    pub fn slot(self, member: &UserId, phone: &PhoneNumber) -> CodeSlot {
        match self {
            Self::VerifyPhone => CodeSlot::Member(member.clone()),
            Self::SignIn => CodeSlot::Number(phone.clone()),
        }
    }
}

/// Where a live code is kept, one at a time: a member's verification code, or a number's
/// sign-in code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSlot {
    /// The member's phone-verification code.
    Member(UserId),
    /// The number's sign-in code.
    Number(PhoneNumber),
}

/// A code as sent: only its seal is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCode {
    /// What it is for.
    pub purpose: CodePurpose,
    /// The member it acts for.
    pub member: UserId,
    /// The number it was texted to.
    pub phone: PhoneNumber,
    /// HMAC of the code under the code key, bound to [`IssuedCode::context`].
    pub sealed: String,
    /// When it was sent.
    pub sent_at: DateTime<Utc>,
    /// Guesses taken so far (each is taken before it is compared).
    pub guesses: u8,
}

impl IssuedCode {
    /// A code for `purpose`, `member` and `phone`, sealed as `sealed`, sent at `now`.
    pub fn new(purpose: CodePurpose, member: UserId, phone: PhoneNumber, sealed: String, now: DateTime<Utc>) -> Self {
        Self { purpose, member, phone, sealed, sent_at: now, guesses: 0 }
    }

    /// What a code is bound to: its purpose, member and number. A code for one never opens
    /// another.
    pub fn context(purpose: CodePurpose, member: &UserId, phone: &PhoneNumber) -> String {
        let purpose = match purpose {
            CodePurpose::VerifyPhone => "verify",
            CodePurpose::SignIn => "sign-in",
        };
        format!("{purpose}#{member}#{phone}")
    }

    /// Where it is kept.
    pub fn slot(&self) -> CodeSlot {
        self.purpose.slot(&self.member, &self.phone)
    }

    /// When it stops working.
    pub fn expires_at(&self) -> DateTime<Utc> {
        self.sent_at + CODE_LIFETIME
    }

    /// Whether it may still be guessed at `now`: not expired, guesses left.
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at() && self.guesses < MAX_GUESSES
    }

    /// Seconds until a new code may be sent, if the cooldown still runs at `now`.
    pub fn cooling_down(&self, now: DateTime<Utc>) -> Option<u64> {
        let ready = self.sent_at + RESEND_COOLDOWN;
        (now < ready).then(|| (ready - now).num_seconds().max(1).unsigned_abs())
    }

    /// The code after one more guess was taken.
    pub fn guessed(&self) -> Self {
        Self { guesses: self.guesses.saturating_add(1), ..self.clone() }
    }
}

/// The text that carries a code.
pub fn code_text(purpose: CodePurpose, code: &str) -> String {
    let what = match purpose {
        CodePurpose::VerifyPhone => "to verify this number",
        CodePurpose::SignIn => "to sign in",
    };
    format!("Your Peerlearn code {what} is {code}. It expires in 10 minutes. Never share it: we never ask for it.")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn code(sent: &str) -> IssuedCode {
        let member = UserId::parse("01HZY0M0000000000000000000").unwrap();
        let phone = PhoneNumber::parse("+14155552671").unwrap();
        IssuedCode::new(CodePurpose::VerifyPhone, member, phone, "s".into(), at(sent))
    }

    #[test]
    fn a_code_lives_ten_minutes_across_midnight_and_five_guesses() {
        let issued = code("2026-12-31T23:55:00Z");
        assert!(issued.is_live(at("2027-01-01T00:04:59Z")));
        assert!(!issued.is_live(at("2027-01-01T00:05:00Z")));
        let mut guessed = issued.clone();
        for _ in 0..4 {
            guessed = guessed.guessed();
        }
        assert!(guessed.is_live(at("2026-12-31T23:56:00Z")));
        assert!(!guessed.guessed().is_live(at("2026-12-31T23:56:00Z")));
    }

    #[test]
    fn a_new_code_waits_a_minute() {
        let issued = code("2028-02-29T12:00:00Z");
        assert_eq!(issued.cooling_down(at("2028-02-29T12:00:00Z")), Some(60));
        assert_eq!(issued.cooling_down(at("2028-02-29T12:00:59.500Z")), Some(1));
        assert_eq!(issued.cooling_down(at("2028-02-29T12:01:00Z")), None);
    }

    #[test]
    fn contexts_differ_by_purpose_member_and_number() {
        let member = UserId::parse("01HZY0M0000000000000000000").unwrap();
        let a = PhoneNumber::parse("+14155552671").unwrap();
        let b = PhoneNumber::parse("+14155552672").unwrap();
        let all = [
            IssuedCode::context(CodePurpose::VerifyPhone, &member, &a),
            IssuedCode::context(CodePurpose::SignIn, &member, &a),
            IssuedCode::context(CodePurpose::VerifyPhone, &member, &b),
        ];
        assert!(all[0] != all[1] && all[0] != all[2] && all[1] != all[2]);
        assert!(code_text(CodePurpose::SignIn, "123456").contains("123456"));
    }
}
