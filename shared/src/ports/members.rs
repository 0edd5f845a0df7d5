//! The admins' view of members: the member index.

use std::future::Future;

use super::StoreError;
use crate::domain::{MemberSearch, User};

/// A page of members, in name order.
#[derive(Debug, Clone, PartialEq)]
pub struct MemberPage {
    /// The members on this page.
    pub members: Vec<User>,
    /// Where the next page starts, when there may be more.
    pub next: Option<String>,
}

/// Members by standing and name, for admins.
pub trait MemberIndex: Send + Sync {
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
