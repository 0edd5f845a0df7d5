//! The admin audit trail. Entries are written by the adapters inside the transaction of
//! the action they record (never on their own), so this port only reads.

use std::future::Future;

use super::StoreError;
use crate::domain::AuditEntry;

/// One page of the audit trail, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditPage {
    /// Entries, newest first.
    pub entries: Vec<AuditEntry>,
    /// Where the next page starts, when there is one.
    pub next: Option<String>,
}

/// Reading the audit trail.
pub trait AuditStore: Send + Sync {
    /// Up to `limit` entries, newest first, after position `after` (from a previous page).
    fn audit_trail(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<AuditPage, StoreError>> + Send;
}
