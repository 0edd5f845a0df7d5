//! Reading the admin audit trail (entries are written by each admin action's own
//! transaction).

use super::{ADMINS_ONLY, App, AppError};
use crate::domain::Bearer;
use crate::ports::{AccountStore, AuditPage, AuditStore};

impl<S: AuditStore + AccountStore> App<S> {
    /// A page of the audit trail, newest first. Admins only.
    pub async fn audit_trail(&self, admin: &Bearer, after: Option<&str>, limit: usize) -> Result<AuditPage, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        let (admitted, page) = futures_util::join!(self.admit(admin), self.store.audit_trail(after, limit));
        admitted?;
        Ok(page?)
    }
}
