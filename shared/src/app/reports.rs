//! Member reports: filing one (once per member and day), and the admins' queue.

use super::{ADMINS_ONLY, App, AppError, admitted};
use crate::domain::{
    AuditAction, AuditEntry, Bearer, QuotaUse, Reason, Report, ReportDetails, ReportId, ReportOutcome, ReportReason,
    ReportRefused, ReportState, Resolution, Scope, SessionId, ShortText, UserId,
};
use crate::ports::{AccountStore, ReportPage, ReportStore, ResolveError, SessionStore};

/// What a member says in a report.
#[derive(Debug, Clone)]
pub struct ReportFiling {
    /// The kind of abuse.
    pub reason: ReportReason,
    /// What happened.
    pub details: ReportDetails,
    /// The session it happened in, if any.
    pub session_id: Option<SessionId>,
}

impl<S: ReportStore + AccountStore + SessionStore> App<S> {
    /// Files `filing` by `reporter` about `reported`: not about oneself, about a member who
    /// exists, naming only a session both took part in, and once per pair and UTC day.
    pub async fn report_member(
        &self,
        caller: &Bearer,
        reported: &UserId,
        filing: ReportFiling,
    ) -> Result<Report, AppError> {
        let reporter = &caller.member;
        let now = self.clock.now();
        let id = ReportId::new(ulid::Ulid::from_datetime(now.into()));
        let report = Report::file(
            id,
            reporter.clone(),
            reported.clone(),
            filing.reason,
            filing.details,
            filing.session_id.clone(),
            now,
        )
        .map_err(|ReportRefused::Yourself| AppError::Rule {
            field: "id",
            reason: crate::domain::Invalid::new("must be another member, not yourself"),
        })?;
        let (me, them) = futures_util::join!(self.store.user(reporter), self.store.user(reported));
        admitted(me?, caller)?;
        them?.ok_or(AppError::UserNotFound)?;
        if let Some(session) = &filing.session_id {
            let booking = self.store.session(session).await?.ok_or(AppError::SessionNotFound)?;
            let parties = [&booking.learner, &booking.mentor];
            if !(parties.contains(&reporter) && parties.contains(&reported)) {
                return Err(AppError::SessionNotFound);
            }
        }
        let scope = Scope::Reporter { reporter: reporter.clone(), reported: reported.clone() };
        let quota = QuotaUse::new(self.limits.reports_per_pair, scope, now);
        self.store.file_report(&report, &quota).await?;
        Ok(report)
    }
}

impl<S: ReportStore + AccountStore> App<S> {
    /// A page of the reports in `state`: open ones oldest first, resolved ones newest
    /// first. Admins only.
    pub async fn report_queue(
        &self,
        admin: &Bearer,
        state: ReportState,
        after: Option<&str>,
        limit: usize,
    ) -> Result<ReportPage, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        let (admitted, page) = futures_util::join!(self.admit(admin), self.store.reports(state, after, limit));
        admitted?;
        Ok(page?)
    }

    /// Records `admin`'s `outcome` on an open report; a report is resolved once (a second
    /// resolve, also a concurrent one, is refused). Admins only.
    pub async fn resolve_report(
        &self,
        admin: &Bearer,
        id: &ReportId,
        outcome: ReportOutcome,
        note: Option<ShortText>,
    ) -> Result<Report, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        let (admitted, report) = futures_util::join!(self.admit(admin), self.store.report(id));
        admitted?;
        let report = report?.ok_or(AppError::ReportNotFound)?;
        let admin = &admin.member;
        let now = self.clock.now();
        let resolution = Resolution { outcome, note: note.clone(), by: admin.clone(), at: now };
        let resolved = report.resolve(resolution).map_err(|_| already_resolved())?;
        // The trail names the member reported and the report (whose resolution holds the outcome).
        let mut audit = AuditEntry::new(admin, AuditAction::ReportResolved, &report.reported, now).concerning(id);
        if let Some(note) = note {
            audit = audit.because(Reason::from(note));
        }
        match self.store.resolve_report(&resolved, &audit).await {
            Ok(()) => Ok(resolved),
            Err(ResolveError::AlreadyResolved) => Err(already_resolved()),
            Err(ResolveError::Store(error)) => Err(error.into()),
        }
    }
}

/// A report is decided once.
fn already_resolved() -> AppError {
    AppError::Refused { state: ReportState::Resolved.as_str(), reason: "The report is already resolved." }
}
