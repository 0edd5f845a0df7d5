//! Every key format of the single table, in one place.
//!
//! | item | PK | SK |
//! |---|---|---|
//! | user (profile, roles, status) | `USER#<user id>` | `PROFILE` |
//! | email claim + credentials | `EMAIL#<email>` | `CREDENTIALS` |
//! | sign-in failures for an address | `EMAIL#<email>` | `LOGIN_FAILURES` |
//! | refresh family (one per sign-in) | `FAMILY#<family id>` | `FAMILY` |
//! | refresh grant (one per token) | `GRANT#<sha256 of token>` | `GRANT` |

use aws_sdk_dynamodb::types::AttributeValue;

use super::{Item, s};
use crate::domain::{Email, UserId};

/// Partition key attribute name.
pub const PK: &str = "PK";
/// Sort key attribute name.
pub const SK: &str = "SK";
/// The TTL attribute (epoch seconds) that template.yaml enables.
pub const EXPIRES_AT: &str = "expires_at";

/// A primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    /// Partition key value.
    pub pk: String,
    /// Sort key value.
    pub sk: &'static str,
}

impl Key {
    /// The key as an SDK item.
    pub fn item(&self) -> Item {
        Item::from([(PK.to_owned(), s(self.pk.clone())), (SK.to_owned(), AttributeValue::S(self.sk.to_owned()))])
    }
}

/// A user's main item.
pub fn user(id: &UserId) -> Key {
    Key { pk: format!("USER#{id}"), sk: "PROFILE" }
}

/// The item that claims an email address and holds its password hash.
pub fn credentials(email: &Email) -> Key {
    Key { pk: format!("EMAIL#{}", email.as_str()), sk: "CREDENTIALS" }
}

/// The failed sign-in counter for an address (exists for unknown addresses too).
pub fn login_failures(email: &Email) -> Key {
    Key { pk: format!("EMAIL#{}", email.as_str()), sk: "LOGIN_FAILURES" }
}

/// A refresh-token family.
pub fn refresh_family(family_id: &str) -> Key {
    Key { pk: format!("FAMILY#{family_id}"), sk: "FAMILY" }
}

/// One refresh grant, by token hash.
pub fn refresh_grant(token_hash: &str) -> Key {
    Key { pk: format!("GRANT#{token_hash}"), sk: "GRANT" }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn email_items_share_a_partition() {
        let email = Email::parse("Ana@Example.com").unwrap();
        assert_eq!(credentials(&email).pk, "EMAIL#ana@example.com");
        assert_eq!(credentials(&email).pk, login_failures(&email).pk);
        assert_ne!(credentials(&email).sk, login_failures(&email).sk);
    }
}
