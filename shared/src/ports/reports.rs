//! Member reports and the admins' queue of them.

use std::future::Future;

use super::{QuotaError, StoreError};
use crate::domain::{AuditEntry, QuotaUse, Report, ReportId, ReportState};

/// A page of the report queue.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportPage {
    /// Open reports oldest first; resolved ones newest first.
    pub reports: Vec<Report>,
    /// Where the next page starts.
    pub next: Option<String>,
}

/// Why a resolution was not stored.
#[derive(Debug, thiserror::Error)]
pub enum ResolveError {
    /// The report was resolved meanwhile: nothing written.
    #[error("report already resolved")]
    AlreadyResolved,
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Reports, by id and by queue.
pub trait ReportStore: Send + Sync {
    /// Stores a new report and takes `quota` in the same transaction: a refused quota
    /// (`Exhausted`) writes nothing.
    fn file_report(&self, report: &Report, quota: &QuotaUse) -> impl Future<Output = Result<(), QuotaError>> + Send;

    /// A report, read strongly consistently.
    fn report(&self, id: &ReportId) -> impl Future<Output = Result<Option<Report>, StoreError>> + Send;

    /// A page of the reports in `state`.
    fn reports(
        &self,
        state: ReportState,
        after: Option<&str>,
        limit: usize,
    ) -> impl Future<Output = Result<ReportPage, StoreError>> + Send;

    /// Stores `resolved` over a report that is still open with its `audit` entry, all or
    /// nothing.
    fn resolve_report(
        &self,
        resolved: &Report,
        audit: &AuditEntry,
    ) -> impl Future<Output = Result<(), ResolveError>> + Send;
}
