//! What a user may do on the platform.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// One role a user holds, serialised lowercase: `"learner"`, `"mentor"` or `"admin"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    /// Looks for mentors and books sessions.
    Learner,
    /// Offers skills and accepts bookings.
    Mentor,
    /// Operates the platform; granted by an operator, never self-registered.
    Admin,
}

impl Role {
    /// Every role, in canonical order.
    pub const ALL: [Role; 3] = [Role::Learner, Role::Mentor, Role::Admin];

    /// The serialised form, e.g. `"mentor"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Mentor => "mentor",
            Role::Admin => "admin",
        }
    }

    /// This role's bit in [`Roles`].
    const fn bit(self) -> u8 {
        match self {
            Role::Learner => 1,
            Role::Mentor => 1 << 1,
            Role::Admin => 1 << 2,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The non-empty set of roles a user holds, serialised as an array such as
/// `["learner", "mentor"]` in canonical order.
///
/// A bitset, so it is `Copy` and duplicates cannot exist. There is no way to build an empty
/// set: every user is at least a learner, a mentor or an admin.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "Vec<Role>", into = "Vec<Role>")]
#[schema(value_type = Vec<Role>, example = json!(["learner", "mentor"]))]
pub struct Roles(u8);

impl Roles {
    /// The roles a user may choose at sign-up: exactly `"learner"`, `"mentor"` or `"both"`.
    ///
    /// Never admin: admins are made by an operator.
    pub fn from_requested(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "learner" => Ok(Self::only(Role::Learner)),
            "mentor" => Ok(Self::only(Role::Mentor)),
            "both" => Ok(Self::only(Role::Learner).with(Role::Mentor)),
            _ => Err(Invalid::new("must be learner, mentor or both")),
        }
    }

    /// A set holding just `role` (for operator tooling and stored data).
    pub const fn only(role: Role) -> Self {
        Self(role.bit())
    }

    /// This set plus `role`.
    #[must_use]
    pub const fn with(self, role: Role) -> Self {
        Self(self.0 | role.bit())
    }

    /// Whether the set holds `role`.
    pub const fn contains(&self, role: Role) -> bool {
        self.0 & role.bit() != 0
    }

    /// The roles held, in canonical order (learner, mentor, admin).
    pub fn iter(&self) -> impl Iterator<Item = Role> + use<> {
        let set = *self;
        Role::ALL.into_iter().filter(move |role| set.contains(*role))
    }
}

impl fmt::Debug for Roles {
    /// Shows the roles, not the bits: `Roles{Learner, Mentor}`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Roles")?;
        f.debug_set().entries(self.iter()).finish()
    }
}

impl TryFrom<Vec<Role>> for Roles {
    type Error = Invalid;

    /// Reads stored roles (admin included); repeats are harmless, an empty list is refused.
    fn try_from(roles: Vec<Role>) -> Result<Self, Self::Error> {
        let mut iter = roles.into_iter();
        let first = iter.next().ok_or(Invalid::new("must include at least one role"))?;
        Ok(iter.fold(Self::only(first), Roles::with))
    }
}

impl From<Roles> for Vec<Role> {
    fn from(roles: Roles) -> Self {
        roles.iter().collect()
    }
}

impl From<Role> for Roles {
    fn from(role: Role) -> Self {
        Self::only(role)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn role_serialises_lowercase() {
        assert_eq!(serde_json::to_string(&Role::Learner).unwrap(), "\"learner\"");
        assert_eq!(serde_json::to_string(&Role::Mentor).unwrap(), "\"mentor\"");
        assert_eq!(serde_json::to_string(&Role::Admin).unwrap(), "\"admin\"");
        assert_eq!(serde_json::from_str::<Role>("\"admin\"").unwrap(), Role::Admin);
        assert!(serde_json::from_str::<Role>("\"Admin\"").is_err());
        assert!(serde_json::from_str::<Role>("\"owner\"").is_err());
        for role in Role::ALL {
            assert_eq!(serde_json::to_string(&role).unwrap(), format!("\"{role}\""));
        }
    }

    #[test]
    fn from_requested_accepts_exactly_the_self_service_choices() {
        let learner = Roles::from_requested("learner").unwrap();
        assert!(learner.contains(Role::Learner));
        assert!(!learner.contains(Role::Mentor));
        assert!(!learner.contains(Role::Admin));

        let mentor = Roles::from_requested("mentor").unwrap();
        assert_eq!(mentor.iter().collect::<Vec<_>>(), [Role::Mentor]);

        let both = Roles::from_requested("both").unwrap();
        assert_eq!(both.iter().collect::<Vec<_>>(), [Role::Learner, Role::Mentor]);
        assert!(!both.contains(Role::Admin));

        for bad in ["admin", "", "Learner", " both", "learner,mentor", "all"] {
            assert_eq!(Roles::from_requested(bad).unwrap_err().reason(), "must be learner, mentor or both");
        }
    }

    #[test]
    fn with_adds_roles_idempotently() {
        let roles = Roles::only(Role::Mentor).with(Role::Admin).with(Role::Admin);
        assert_eq!(roles.iter().collect::<Vec<_>>(), [Role::Mentor, Role::Admin]);
        assert_eq!(Roles::from(Role::Admin), Roles::only(Role::Admin));
    }

    #[test]
    fn debug_lists_roles() {
        let both = Roles::from_requested("both").unwrap();
        assert_eq!(format!("{both:?}"), "Roles{Learner, Mentor}");
    }

    #[test]
    fn serde_is_a_non_empty_array() {
        let both = Roles::from_requested("both").unwrap();
        assert_eq!(serde_json::to_string(&both).unwrap(), r#"["learner","mentor"]"#);
        let stored: Roles = serde_json::from_str(r#"["admin","learner","admin"]"#).unwrap();
        assert_eq!(stored, Roles::only(Role::Learner).with(Role::Admin));
        assert_eq!(serde_json::to_string(&stored).unwrap(), r#"["learner","admin"]"#);
        assert!(serde_json::from_str::<Roles>("[]").is_err());
        assert!(serde_json::from_str::<Roles>(r#"["root"]"#).is_err());
        assert!(serde_json::from_str::<Roles>(r#""learner""#).is_err());
    }

    fn any_role() -> impl Strategy<Value = Role> {
        prop::sample::select(Role::ALL.to_vec())
    }

    proptest! {
        #[test]
        fn any_non_empty_list_round_trips_as_a_set(list in prop::collection::vec(any_role(), 1..6)) {
            let roles = Roles::try_from(list.clone()).unwrap();
            for role in Role::ALL {
                prop_assert_eq!(roles.contains(role), list.contains(&role));
            }
            prop_assert!(roles.iter().next().is_some());
            let iterated: Vec<Role> = roles.iter().collect();
            prop_assert!(iterated.windows(2).all(|w| w[0] < w[1]));
            let json = serde_json::to_string(&roles).unwrap();
            prop_assert_eq!(serde_json::from_str::<Roles>(&json).unwrap(), roles);
        }

        #[test]
        fn requested_roles_never_include_admin(raw in any::<String>()) {
            if let Ok(roles) = Roles::from_requested(&raw) {
                prop_assert!(!roles.contains(Role::Admin));
                prop_assert!(roles.iter().next().is_some());
            }
        }
    }
}
