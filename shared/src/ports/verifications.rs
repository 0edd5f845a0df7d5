//! Mentor verification requests.

use std::future::Future;

use super::{NewNotification, StoreError};
use crate::domain::{AuditEntry, User, UserId, VerificationId, VerificationRequest};

/// One page of the admins' queue, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerificationPage {
    /// Pending requests, oldest first.
    pub requests: Vec<VerificationRequest>,
    /// Where the next page starts, when there is one.
    pub next: Option<String>,
}

/// Verification requests and the mentor status that goes with them.
pub trait VerificationStore: Send + Sync {
    /// Stores a new pending `request` with `mentor` (now pending) replacing `previous`, all
    /// or nothing; `Conflict` when the mentor changed since read (a concurrent request).
    fn submit_verification(
        &self,
        request: &VerificationRequest,
        mentor: &User,
        previous: &User,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// A request by id (read strongly consistently).
    fn verification(
        &self,
        id: &VerificationId,
    ) -> impl Future<Output = Result<Option<VerificationRequest>, StoreError>> + Send;

    /// The mentor's newest request, if they ever made one.
    fn latest_verification(
        &self,
        mentor: &UserId,
    ) -> impl Future<Output = Result<Option<VerificationRequest>, StoreError>> + Send;

    /// Stores the decision: the request (only if still pending), the mentor replacing
    /// `previous` with their listings, the audit entry and the notification, all or
    /// nothing; `Conflict` when the request or the mentor changed meanwhile.
    fn decide_verification(
        &self,
        decided: &VerificationRequest,
        mentor: &User,
        previous: &User,
        audit: &AuditEntry,
        note: &NewNotification,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;

    /// Pending requests, oldest first, after position `after`.
    fn pending_verifications(
        &self,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<VerificationPage, StoreError>> + Send;
}
