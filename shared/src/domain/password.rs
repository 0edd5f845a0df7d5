//! A password that meets the platform's policy, kept out of logs.

use std::fmt;

use super::{Email, Invalid};

/// Fewest characters accepted (NIST SP 800-63B minimum for user-chosen secrets).
const MIN_CHARS: usize = 8;
/// Most characters accepted; bounds the hashing cost an attacker can make us pay.
const MAX_CHARS: usize = 128;

/// A plaintext password that satisfies the policy: 8 to 128 characters, not the email.
///
/// It is never trimmed (spaces are legitimate password characters), has no serde impls so it
/// cannot be echoed into a response or a stored record by accident, and its `Debug` hides it.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    /// Checks `raw` against the policy for the account whose address is `email`.
    pub fn parse(raw: &str, email: &Email) -> Result<Self, Invalid> {
        // Characters, not bytes: a passphrase in any script gets the same allowance.
        let chars = raw.chars().count();
        if chars < MIN_CHARS {
            return Err(Invalid::new("must be at least 8 characters"));
        }
        if chars > MAX_CHARS {
            return Err(Invalid::new("must be at most 128 characters"));
        }
        // The address is public, so a password equal to it is no secret at all.
        if raw.trim().to_lowercase() == email.as_str() {
            return Err(Invalid::new("must not be the same as the email address"));
        }
        Ok(Self(raw.to_owned()))
    }

    /// The secret itself, for hashing or verifying. Keep it out of logs and responses.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn email() -> Email {
        Email::parse("ada@example.com").unwrap()
    }

    #[test]
    fn accepts_a_reasonable_password_verbatim() {
        let password = Password::parse("  correct horse battery  ", &email()).unwrap();
        assert_eq!(password.expose(), "  correct horse battery  ");
    }

    #[test]
    fn length_boundaries_count_characters() {
        assert!(Password::parse(&"a".repeat(7), &email()).is_err());
        assert!(Password::parse(&"a".repeat(8), &email()).is_ok());
        assert!(Password::parse(&"a".repeat(128), &email()).is_ok());
        assert!(Password::parse(&"a".repeat(129), &email()).is_err());
        // Eight 3-byte characters: 24 bytes, but only 8 characters.
        assert!(Password::parse(&"€".repeat(8), &email()).is_ok());
        assert!(Password::parse(&"€".repeat(7), &email()).is_err());
        assert!(Password::parse(&"€".repeat(129), &email()).is_err());
    }

    #[test]
    fn reasons_are_specific() {
        assert_eq!(Password::parse("short", &email()).unwrap_err().reason(), "must be at least 8 characters");
        assert_eq!(Password::parse(&"x".repeat(200), &email()).unwrap_err().reason(), "must be at most 128 characters");
    }

    #[test]
    fn refuses_the_email_in_any_case_or_padding() {
        for same in ["ada@example.com", "ADA@Example.COM", "  ada@example.com "] {
            assert_eq!(
                Password::parse(same, &email()).unwrap_err().reason(),
                "must not be the same as the email address"
            );
        }
        assert!(Password::parse("ada@example.com1", &email()).is_ok());
    }

    #[test]
    fn spaces_only_password_of_valid_length_is_allowed() {
        // Policy is length-based; no composition rules (NIST advises against them).
        assert!(Password::parse(&" ".repeat(8), &email()).is_ok());
    }

    #[test]
    fn debug_never_shows_the_secret() {
        let password = Password::parse("hunter2hunter2", &email()).unwrap();
        assert_eq!(format!("{password:?}"), "Password(***)");
        assert_eq!(format!("{password:#?}"), "Password(***)");
    }

    proptest! {
        #[test]
        fn arbitrary_input_never_panics_and_accepted_values_hold_the_policy(raw in any::<String>()) {
            if let Ok(password) = Password::parse(&raw, &email()) {
                let chars = password.expose().chars().count();
                prop_assert!((MIN_CHARS..=MAX_CHARS).contains(&chars));
                prop_assert_eq!(password.expose(), raw.as_str());
                let email = email();
                prop_assert_ne!(password.expose().trim().to_lowercase(), email.as_str());
            }
        }

        #[test]
        fn any_length_in_range_is_accepted(raw in "[^\\x00]{8,128}") {
            let email = email();
            prop_assume!(raw.trim().to_lowercase() != email.as_str());
            prop_assert!(Password::parse(&raw, &email).is_ok());
        }

        #[test]
        fn debug_is_constant(raw in ".{8,40}") {
            if let Ok(password) = Password::parse(&raw, &email()) {
                prop_assert_eq!(format!("{password:?}"), "Password(***)");
            }
        }
    }
}
