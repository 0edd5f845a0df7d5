//! A member's standing: whether their account may act, and which access tokens still
//! speak for it. Access tokens are stateless, so every authenticated request holds the
//! token's issue time against the account's standing (see docs/ARCHITECTURE.md,
//! "Suspension and token revocation").

use chrono::{DateTime, Duration, DurationRound, Utc};

use super::{AccountStatus, Role, Roles, UserId};

/// Who a verified access token speaks for: the member, the roles it was issued with and
/// when it was issued. Use cases acting for a signed-in member take one and admit it
/// against the member's [`Standing`] before acting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bearer {
    /// The member.
    pub member: UserId,
    /// The member's roles when the token was issued.
    pub roles: Roles,
    /// The token's `iat`, in whole seconds.
    pub issued_at: DateTime<Utc>,
}

impl Bearer {
    /// True when the token grants admin rights.
    pub fn is_admin(&self) -> bool {
        self.roles.contains(Role::Admin)
    }
}

/// What decides whether a member's token is still honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// Active or suspended.
    pub status: AccountStatus,
    /// Tokens issued before this instant are refused (set when the member is suspended).
    pub tokens_not_before: Option<DateTime<Utc>>,
}

/// Why a token is not honoured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The account is suspended.
    #[error("account suspended")]
    Suspended,
    /// The token was issued before the account's tokens were revoked.
    #[error("access token revoked")]
    Revoked,
}

impl Standing {
    /// Whether a token issued at `issued_at` may act for the member now.
    pub fn admits(&self, issued_at: DateTime<Utc>) -> Result<(), Refusal> {
        if self.status == AccountStatus::Suspended {
            return Err(Refusal::Suspended);
        }
        if self.tokens_not_before.is_some_and(|not_before| issued_at < not_before) {
            return Err(Refusal::Revoked);
        }
        Ok(())
    }
}

/// The instant from which a member's tokens are honoured again when they are revoked at
/// `at`: the next whole second, because `iat` counts whole seconds, so a token issued in
/// the very second of the revocation (possibly just before it) is refused too.
pub fn tokens_not_before(at: DateTime<Utc>) -> DateTime<Utc> {
    let second = at.duration_trunc(Duration::seconds(1)).unwrap_or(at);
    second + Duration::seconds(1)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn an_active_member_without_revocation_admits_any_token() {
        assert_eq!(Standing::default().admits(at("2020-01-01T00:00:00Z")), Ok(()));
    }

    #[test]
    fn a_suspended_member_admits_no_token() {
        let standing = Standing { status: AccountStatus::Suspended, tokens_not_before: None };
        assert_eq!(standing.admits(at("2030-01-01T00:00:00Z")), Err(Refusal::Suspended));
    }

    #[test]
    fn tokens_from_before_the_revocation_second_are_refused_and_later_ones_admitted() {
        let not_before = tokens_not_before(at("2026-06-10T09:00:00.400Z"));
        assert_eq!(not_before, at("2026-06-10T09:00:01Z"));
        let standing = Standing { status: AccountStatus::Active, tokens_not_before: Some(not_before) };
        assert_eq!(standing.admits(at("2026-06-10T09:00:00Z")), Err(Refusal::Revoked), "same second");
        assert_eq!(standing.admits(at("2026-06-10T08:59:59Z")), Err(Refusal::Revoked));
        assert_eq!(standing.admits(at("2026-06-10T09:00:01Z")), Ok(()));
    }

    proptest! {
        #[test]
        fn a_token_is_admitted_exactly_when_issued_in_a_later_second(
            revoked_ms in 0i64..4_000_000_000_000, issued_s in 0i64..4_000_000_000,
        ) {
            let revoked = DateTime::from_timestamp_millis(revoked_ms).unwrap();
            let issued = DateTime::from_timestamp(issued_s, 0).unwrap();
            let standing = Standing { status: AccountStatus::Active, tokens_not_before: Some(tokens_not_before(revoked)) };
            prop_assert_eq!(standing.admits(issued).is_ok(), issued_s > revoked_ms.div_euclid(1000));
        }
    }
}
