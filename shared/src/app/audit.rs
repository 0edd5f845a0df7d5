//! Reading the admin audit trail (entries are written by each admin action's own
//! transaction).

use super::{App, AppError};
use crate::ports::{AuditPage, AuditStore};

impl<S: AuditStore> App<S> {
    /// A page of the audit trail, newest first. The caller checks the admin.
    pub async fn audit_trail(&self, after: Option<&str>, limit: usize) -> Result<AuditPage, AppError> {
        Ok(self.store.audit_trail(after, limit).await?)
    }
}
