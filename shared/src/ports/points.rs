//! Points accounts and their ledgers.

use std::future::Future;

use super::{NewNotification, StoreError};
use crate::domain::UserId;

/// What recording an award did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recorded {
    /// Stored: ledger, account and boards moved together.
    Stored,
    /// The occurrence was counted before (a replayed event): nothing written.
    AlreadyCounted,
    /// The account changed since it was read: read again and retry.
    Stale,
}

/// A page of a member's points ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerPage {
    /// Newest first.
    pub entries: Vec<crate::domain::gamification::LedgerEntry>,
    /// Where the next page starts.
    pub next: Option<String>,
}

/// Points accounts, their ledgers and board entries.
pub trait PointsStore: Send + Sync {
    /// A member's account, read strongly consistently.
    fn points_account(
        &self,
        user: &UserId,
    ) -> impl Future<Output = Result<Option<crate::domain::gamification::PointsAccount>, StoreError>> + Send;

    /// Writes what one occurrence did, all or nothing: each ledger entry once (by key),
    /// the account over the version read (`None`: it did not exist), the changed board
    /// entries, the notifications, and the audit entry of an admin's correction.
    fn record_points(
        &self,
        user: &UserId,
        account: &crate::domain::gamification::PointsAccount,
        previous_version: Option<u64>,
        applied: &crate::domain::gamification::Applied,
        notify: &[NewNotification],
        audit: Option<&crate::domain::AuditEntry>,
    ) -> impl Future<Output = Result<Recorded, StoreError>> + Send;

    /// A page of a member's ledger, newest first.
    fn ledger(
        &self,
        user: &UserId,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<LedgerPage, StoreError>> + Send;
}
