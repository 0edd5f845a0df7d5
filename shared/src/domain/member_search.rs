//! What an admin looks members up by (GET /admin/users?q=&role=&status=).

use super::{AccountStatus, Email, Invalid, Role};

/// The most characters a name prefix may have.
pub const MAX_NAME_PREFIX_CHARS: usize = 64;

/// The text an admin searches with: an exact email address (anything with an `@`) or the
/// start of a display name, compared case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberText {
    /// Exactly this address.
    Email(Email),
    /// Names starting with this, folded by [`fold_name`].
    NamePrefix(String),
}

impl MemberText {
    /// Parses `q`: trimmed, an email address if it has an `@`, else 1 to 64 characters of a
    /// name with no control characters.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let text = raw.trim();
        if text.contains('@') {
            return Email::parse(text).map(Self::Email);
        }
        if text.is_empty() {
            return Err(Invalid::new("must not be empty"));
        }
        if text.chars().any(char::is_control) {
            return Err(Invalid::new("must not contain control characters"));
        }
        if text.chars().count() > MAX_NAME_PREFIX_CHARS {
            return Err(Invalid::new("must be at most 64 characters"));
        }
        Ok(Self::NamePrefix(fold_name(text)))
    }
}

/// A name as the member index sorts and matches it: lower case, character by character
/// (no context-dependent forms such as a final sigma), so the fold of a name's start is
/// always the start of the name's fold.
pub fn fold_name(name: &str) -> String {
    name.chars().flat_map(char::to_lowercase).collect()
}

/// An admin's member search: the text, and the role and status filters.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MemberSearch {
    /// Name prefix or email, if given.
    pub text: Option<MemberText>,
    /// Only members holding this role.
    pub role: Option<Role>,
    /// Only members in this standing.
    pub status: Option<AccountStatus>,
}

impl MemberSearch {
    /// A role filter: `learner`, `mentor` or `admin`.
    pub fn role(raw: &str) -> Result<Role, Invalid> {
        Role::ALL
            .into_iter()
            .find(|role| role.as_str() == raw.trim())
            .ok_or(Invalid::new("must be learner, mentor or admin"))
    }

    /// A status filter: `active` or `suspended`.
    pub fn status(raw: &str) -> Result<AccountStatus, Invalid> {
        match raw.trim() {
            "active" => Ok(AccountStatus::Active),
            "suspended" => Ok(AccountStatus::Suspended),
            _ => Err(Invalid::new("must be active or suspended")),
        }
    }

    /// A stable text naming the search, which cursors are bound to: a cursor of one search
    /// is refused by another.
    pub fn fingerprint(&self) -> String {
        let text = match &self.text {
            None => String::new(),
            Some(MemberText::Email(email)) => format!("e:{}", email.as_str()),
            Some(MemberText::NamePrefix(prefix)) => format!("n:{prefix}"),
        };
        let role = self.role.map_or("", Role::as_str);
        let status = match self.status {
            None => "",
            Some(AccountStatus::Active) => "active",
            Some(AccountStatus::Suspended) => "suspended",
        };
        format!("members:{role}:{status}:{text}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn an_at_sign_means_an_exact_email() {
        let MemberText::Email(email) = MemberText::parse(" Ana@Example.com ").unwrap() else { panic!("email") };
        assert_eq!(email, Email::parse("ana@example.com").unwrap());
        assert!(MemberText::parse("ana@").is_err());
    }

    #[test]
    fn anything_else_is_a_folded_name_prefix() {
        assert_eq!(MemberText::parse("  ÁNa ").unwrap(), MemberText::NamePrefix("ána".into()));
        assert_eq!(MemberText::parse(" ").unwrap_err().reason(), "must not be empty");
        assert!(MemberText::parse("a\u{0}").is_err());
        assert!(MemberText::parse(&"x".repeat(64)).is_ok());
        assert_eq!(MemberText::parse(&"x".repeat(65)).unwrap_err().reason(), "must be at most 64 characters");
    }

    #[test]
    fn filters_take_the_platform_words_only() {
        assert_eq!(MemberSearch::role("admin").unwrap(), Role::Admin);
        assert!(MemberSearch::role("both").is_err());
        assert_eq!(MemberSearch::status("suspended").unwrap(), AccountStatus::Suspended);
        assert!(MemberSearch::status("banned").is_err());
    }

    #[test]
    fn fingerprints_tell_searches_apart() {
        let a = MemberSearch { text: Some(MemberText::parse("ana").unwrap()), ..Default::default() };
        let b = MemberSearch { status: Some(AccountStatus::Suspended), ..a.clone() };
        assert_ne!(a.fingerprint(), b.fingerprint());
        assert_ne!(a.fingerprint(), MemberSearch::default().fingerprint());
    }

    proptest! {
        #[test]
        fn the_fold_of_a_start_is_the_start_of_the_fold(name in "\\PC{1,40}", cut in 0usize..40) {
            let start: String = name.chars().take(cut).collect();
            prop_assert!(fold_name(&name).starts_with(&fold_name(&start)));
        }

        #[test]
        fn a_name_prefix_is_folded_trimmed_and_bounded(raw in "\\PC{0,80}") {
            if let Ok(MemberText::NamePrefix(prefix)) = MemberText::parse(&raw) {
                prop_assert_eq!(&prefix, &fold_name(raw.trim()));
                prop_assert!(!prefix.is_empty());
            }
        }
    }
}
