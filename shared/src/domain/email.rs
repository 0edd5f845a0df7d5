//! An email address, normalised so one mailbox has one spelling.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// Longest address SMTP can carry (RFC 5321 path limit minus the angle brackets).
const MAX_LEN: usize = 254;
/// Longest local part (before the `@`) RFC 5321 allows.
const MAX_LOCAL_LEN: usize = 64;
/// Longest DNS label.
const MAX_LABEL_LEN: usize = 63;

/// A syntactically valid email address, trimmed and lowercased.
///
/// The whole address is lowercased because the platform treats addresses case-insensitively:
/// `Ada@Example.com` and `ada@example.com` must be one account. Only plain ASCII addresses
/// are accepted (no quoted local parts, no IP-literal or internationalised domains).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, format = "email", example = "ada@example.com")]
pub struct Email(String);

string_newtype_impls!(Email);

impl Email {
    /// Parses and normalises an address; see the type docs for the rules.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let address = raw.trim().to_lowercase();
        if address.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if address.chars().count() > MAX_LEN {
            return Err(Invalid::new("must be at most 254 characters"));
        }
        let mut parts = address.split('@');
        let (Some(local), Some(domain), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(Invalid::new("must contain exactly one @"));
        };
        check_local(local)?;
        check_domain(domain)?;
        Ok(Self(address))
    }
}

/// Characters RFC 5322 allows in an unquoted local part (dot handled separately).
fn is_local_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-".contains(c)
}

/// The part before `@`: a dot-atom of 1 to 64 characters.
fn check_local(local: &str) -> Result<(), Invalid> {
    if local.is_empty() {
        return Err(Invalid::new("must have a name before the @"));
    }
    if !local.chars().all(|c| c == '.' || is_local_char(c)) {
        return Err(Invalid::new("must use only letters, digits and !#$%&'*+/=?^_`{|}~.- before the @"));
    }
    // All ASCII by now, so bytes are characters.
    if local.len() > MAX_LOCAL_LEN {
        return Err(Invalid::new("must have at most 64 characters before the @"));
    }
    if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Err(Invalid::new("must not start or end with a dot, or have two dots in a row, before the @"));
    }
    Ok(())
}

/// The part after `@`: a DNS name with at least two labels and an alphabetic top-level domain.
fn check_domain(domain: &str) -> Result<(), Invalid> {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 {
        return Err(Invalid::new("must have a domain such as example.com after the @"));
    }
    for label in &labels {
        let valid = !label.is_empty()
            && label.len() <= MAX_LABEL_LEN
            && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-');
        if !valid {
            return Err(Invalid::new(
                "must have a valid domain after the @ (letters, digits and inner hyphens between dots)",
            ));
        }
    }
    let tld = labels.last().copied().unwrap_or_default();
    if tld.len() < 2 || !tld.chars().all(|c| c.is_ascii_alphabetic()) {
        return Err(Invalid::new("must end in a top-level domain of at least two letters, such as .com"));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Independent statement of the invariant, to check every accepted value against.
    fn satisfies_invariant(address: &str) -> bool {
        let Some((local, domain)) = address.split_once('@') else {
            return false;
        };
        let labels: Vec<&str> = domain.split('.').collect();
        let tld = labels.last().unwrap();
        address.len() <= 254
            && address == address.trim()
            && address == address.to_lowercase()
            && !domain.contains('@')
            && (1..=64).contains(&local.len())
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local.chars().all(|c| c == '.' || is_local_char(c))
            && labels.len() >= 2
            && labels.iter().all(|l| {
                (1..=63).contains(&l.len())
                    && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !l.starts_with('-')
                    && !l.ends_with('-')
            })
            && tld.len() >= 2
            && tld.chars().all(|c| c.is_ascii_alphabetic())
    }

    #[test]
    fn accepts_and_normalises_a_typical_address() {
        let email = Email::parse("  Ada.Lovelace@Example.COM \n").unwrap();
        assert_eq!(email.as_str(), "ada.lovelace@example.com");
        assert_eq!(email.to_string(), "ada.lovelace@example.com");
        assert_eq!(email.as_ref(), "ada.lovelace@example.com");
    }

    #[test]
    fn accepts_special_characters_and_subdomains() {
        for ok in [
            "a@b.co",
            "o'brien+tag@mail.example.org",
            "x!#$%&'*+/=?^_`{|}~-y@a-b.example.io",
            "first.last@sub.domain.example.com",
            "1@123.com",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok} should be valid");
        }
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in [
            "",
            "   ",
            "plainaddress",
            "@example.com",
            "ada@",
            "ada@@example.com",
            "ada@b@example.com",
            ".ada@example.com",
            "ada.@example.com",
            "a..da@example.com",
            "ada@localhost",
            "ada@example.c",
            "ada@example.c0m",
            "ada@example.123",
            "ada@-example.com",
            "ada@example-.com",
            "ada@example..com",
            "ada@.example.com",
            "ada@example.com.",
            "ada lovelace@example.com",
            "\"ada\"@example.com",
            "ada@exa_mple.com",
            "adá@example.com",
            "ada@exámple.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn empty_input_says_so() {
        assert_eq!(Email::parse("  ").unwrap_err().reason(), "must not be empty");
    }

    #[test]
    fn local_part_length_boundaries() {
        let local = |n: usize| format!("{}@example.com", "a".repeat(n));
        assert!(Email::parse(&local(0)).is_err());
        assert!(Email::parse(&local(1)).is_ok());
        assert!(Email::parse(&local(64)).is_ok());
        assert!(Email::parse(&local(65)).is_err());
    }

    #[test]
    fn label_length_boundaries() {
        let domain = |n: usize| format!("a@{}.com", "b".repeat(n));
        assert!(Email::parse(&domain(63)).is_ok());
        assert!(Email::parse(&domain(64)).is_err());
    }

    #[test]
    fn total_length_boundaries() {
        // A 64-char local part, then a domain of up-to-63-char labels padded to the exact total.
        let address = |total: usize| {
            let local = "a".repeat(64);
            let mut domain = String::new();
            let remaining = total - local.len() - 1 - ".com".len();
            let mut left = remaining;
            while left > 0 {
                if !domain.is_empty() {
                    domain.push('.');
                    left -= 1;
                }
                let take = left.min(63);
                domain.push_str(&"d".repeat(take));
                left -= take;
            }
            let a = format!("{local}@{domain}.com");
            assert_eq!(a.len(), total);
            a
        };
        assert!(Email::parse(&address(253)).is_ok());
        assert!(Email::parse(&address(254)).is_ok());
        assert!(Email::parse(&address(255)).is_err());
    }

    #[test]
    fn tld_boundaries() {
        assert!(Email::parse("a@b.c").is_err());
        assert!(Email::parse("a@b.co").is_ok());
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let email = Email::parse("Ada@Example.com").unwrap();
        let json = serde_json::to_string(&email).unwrap();
        assert_eq!(json, "\"ada@example.com\"");
        assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), email);
        assert_eq!(serde_json::from_str::<Email>("\"ADA@EXAMPLE.COM\"").unwrap(), email);
        assert!(serde_json::from_str::<Email>("\"not-an-email\"").is_err());
        assert!(serde_json::from_str::<Email>("42").is_err());
    }

    fn valid_email() -> impl Strategy<Value = String> {
        "[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]{1,20}(\\.[A-Za-z0-9_+-]{1,10}){0,2}@([A-Za-z0-9]([A-Za-z0-9-]{0,10}[A-Za-z0-9])?\\.){1,3}[A-Za-z]{2,6}"
    }

    proptest! {
        #[test]
        fn generated_valid_addresses_are_accepted(raw in valid_email()) {
            let email = Email::parse(&raw).unwrap();
            prop_assert_eq!(email.as_str(), raw.to_lowercase());
        }

        #[test]
        fn normalisation_is_idempotent(raw in valid_email(), pad in "[ \t]{0,3}") {
            let email = Email::parse(&format!("{pad}{raw}{pad}")).unwrap();
            prop_assert_eq!(Email::parse(email.as_str()), Ok(email));
        }

        #[test]
        fn arbitrary_input_never_panics_and_accepted_values_hold_the_invariant(raw in any::<String>()) {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert!(satisfies_invariant(email.as_str()));
            }
        }

        #[test]
        fn email_like_input_accepted_values_hold_the_invariant(raw in "[a-zA-Z.@-]{0,12}@[a-zA-Z0-9.-]{0,12}") {
            if let Ok(email) = Email::parse(&raw) {
                prop_assert!(satisfies_invariant(email.as_str()));
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email.clone()));
            }
        }

        #[test]
        fn serde_round_trip(raw in valid_email()) {
            let email = Email::parse(&raw).unwrap();
            let json = serde_json::to_string(&email).unwrap();
            prop_assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), email);
        }
    }
}
