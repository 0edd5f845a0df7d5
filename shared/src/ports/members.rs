//! What admins do to members: the member index, and audited changes.

use std::future::Future;

use super::StoreError;
use crate::domain::{AuditEntry, MemberSearch, User};

/// A page of members, in name order.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberPage {
    /// The members on this page.
    pub members: Vec<User>,
    /// Where the next page starts, when there may be more.
    pub next: Option<String>,
}

/// What admins do to members: find them, and change them with an audit entry.
pub trait MemberAdmin: Send + Sync {
    /// Saves an admin's change of a member as [`super::AccountStore::save_user`] does
    /// (version guard, listings, admin count; `Conflict("last admin")`) with `audit` in the
    /// same transaction: the change and its record commit together or not at all.
    fn save_member(
        &self,
        user: &User,
        previous: &User,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A page of at most `limit` members matching `search` by name prefix, role and status
    /// (an email search is a credentials lookup, not this), in folded-name order, resuming
    /// after `after`. Reads are bounded per page, so a page with a rare role filter may come
    /// back short with a `next` position: follow it.
    fn members(
        &self,
        search: &MemberSearch,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<MemberPage, StoreError>> + Send;
}
