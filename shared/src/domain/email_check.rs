//! Proving an address: what a mailed link is for, how long it lives, and the mails that
//! carry it. The link's secret is an [`crate::auth::EmailToken`]; this is the rule around it.

use chrono::{DateTime, Duration, Utc};

use super::{DisplayName, Email, UserId};

/// What a mailed link does when it is followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmailCheck {
    /// Confirms the member's current address.
    VerifyAddress,
    /// Moves the account to a new address, which the link proves the member holds.
    ChangeAddress,
    /// Lets the holder of the address set a new password.
    ResetPassword,
}

impl EmailCheck {
    /// How long a link stays good: a day to confirm an address, half an hour to reset a
    /// password (a reset link in a mailbox is a way into the account).
    pub fn lifetime(self) -> Duration {
        match self {
            Self::VerifyAddress | Self::ChangeAddress => Duration::hours(24),
            Self::ResetPassword => Duration::minutes(30),
        }
    }

    /// The web app's page that takes the token (`<origin>/<page>?token=`).
    pub fn page(self) -> &'static str {
        match self {
            Self::VerifyAddress | Self::ChangeAddress => "verify-email",
            Self::ResetPassword => "reset-password",
        }
    }
}

/// A link as issued: stored by its token's hash, with what it may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuedCheck {
    /// SHA-256 of the token, hex.
    pub token_hash: String,
    /// What following it does.
    pub check: EmailCheck,
    /// The member it acts for.
    pub member: UserId,
    /// The address it was mailed to (for a change, the new address).
    pub email: Email,
    /// When it was issued: a password set after it makes a reset link void.
    pub issued_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
}

impl IssuedCheck {
    /// A link for `check`, to `email`, issued at `now`.
    pub fn new(token_hash: String, check: EmailCheck, member: UserId, email: Email, now: DateTime<Utc>) -> Self {
        Self { token_hash, check, member, email, issued_at: now, expires_at: now + check.lifetime() }
    }

    /// Whether it still works at `now` (the end is exclusive).
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        now < self.expires_at
    }
}

/// A mail to one member, in plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Recipient.
    pub to: Email,
    /// Subject line.
    pub subject: String,
    /// Body, plain text.
    pub text: String,
}

impl Mail {
    /// The mail carrying a `check` link for `name` at `to`; `link` is the full URL.
    pub fn with_link(check: EmailCheck, to: Email, name: &DisplayName, link: &str) -> Self {
        let name = name.as_str();
        let (subject, text) = match check {
            EmailCheck::VerifyAddress => (
                "Confirm your email address",
                format!(
                    "Hi {name},\n\nPlease confirm this is your address on Peerlearn:\n\n{link}\n\nThe link works once, \
                     for 24 hours. If you did not sign up, ignore this mail.\n"
                ),
            ),
            EmailCheck::ChangeAddress => (
                "Confirm your new email address",
                format!(
                    "Hi {name},\n\nYou asked to sign in to Peerlearn with this address from now on. Confirm it:\n\n\
                     {link}\n\nThe link works once, for 24 hours. If you did not ask, ignore this mail.\n"
                ),
            ),
            EmailCheck::ResetPassword => (
                "Reset your password",
                format!(
                    "Hi {name},\n\nSomeone (hopefully you) asked to reset your Peerlearn password. Choose a new one:\n\n\
                     {link}\n\nThe link works once, for 30 minutes, and signs you out everywhere. If you did not ask, \
                     ignore this mail: your password stays as it is.\n"
                ),
            ),
        };
        Self { to, subject: subject.to_owned(), text }
    }

    /// Tells the holder of `to` that the account is moving to another address, so a
    /// change they did not ask for does not go unnoticed.
    pub fn change_requested(to: Email, name: &DisplayName) -> Self {
        Self {
            to,
            subject: "Your sign-in address is changing".to_owned(),
            text: format!(
                "Hi {},\n\nSomeone signed in to your Peerlearn account asked to move it to another email address. \
                 Nothing changes until the new address is confirmed. If this was not you, change your password now.\n",
                name.as_str()
            ),
        }
    }
}

/// The link for `check` with `token` on the web app at `origin`.
pub fn link(origin: &str, check: EmailCheck, token: &str) -> String {
    format!("{}/{}?token={token}", origin.trim_end_matches('/'), check.page())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    fn issued(check: EmailCheck) -> IssuedCheck {
        let member = UserId::parse("01HZY0M0000000000000000000").unwrap();
        let email = Email::parse("ana@example.com").unwrap();
        IssuedCheck::new("h".repeat(64), check, member, email, at("2026-03-29T00:45:00Z"))
    }

    #[test]
    fn a_reset_link_lives_half_an_hour_and_an_address_link_a_day_across_a_dst_night() {
        let reset = issued(EmailCheck::ResetPassword);
        assert!(reset.is_live(at("2026-03-29T01:14:59Z")));
        assert!(!reset.is_live(at("2026-03-29T01:15:00Z")));
        let verify = issued(EmailCheck::VerifyAddress);
        assert!(verify.is_live(at("2026-03-30T00:44:59Z")));
        assert!(!verify.is_live(at("2026-03-30T00:45:00Z")));
    }

    #[test]
    fn links_point_at_the_web_apps_page() {
        assert_eq!(
            link("http://localhost:5173/", EmailCheck::ResetPassword, "t"),
            "http://localhost:5173/reset-password?token=t"
        );
        assert_eq!(
            link("https://app.example", EmailCheck::ChangeAddress, "t"),
            "https://app.example/verify-email?token=t"
        );
    }

    #[test]
    fn each_mail_carries_its_link_and_lifetime() {
        let to = Email::parse("ana@example.com").unwrap();
        let name = DisplayName::parse("Ana").unwrap();
        for (check, lifetime) in [
            (EmailCheck::VerifyAddress, "24 hours"),
            (EmailCheck::ChangeAddress, "24 hours"),
            (EmailCheck::ResetPassword, "30 minutes"),
        ] {
            let mail = Mail::with_link(check, to.clone(), &name, "https://x/l?token=abc");
            assert!(mail.text.contains("https://x/l?token=abc") && mail.text.contains(lifetime), "{mail:?}");
            assert!(mail.text.starts_with("Hi Ana,"));
        }
        assert!(!Mail::change_requested(to, &name).text.contains("token"));
    }
}
