//! Mentor verification: a mentor asks with their evidence, an admin decides. A decision
//! writes the request, the mentor (and, on approval, their listings), the audit entry and
//! the mentor's notification in one transaction.

use std::time::Duration;

use super::{ADMINS_ONLY, App, AppError, admitted};
use crate::domain::{
    AuditAction, AuditEntry, Bearer, Decision, EvidenceUploads, Upload, UploadPurpose, User, UserId, VerificationId,
    VerificationRefused, VerificationRequest, VerificationStatement, VerificationStatus,
};
use crate::ports::{AccountStore, NewNotification, StoreError, UploadStore, VerificationPage, VerificationStore};

/// How long an admin's link to a verification document works.
pub const DOCUMENT_LINK_TTL: Duration = Duration::from_secs(5 * 60);

/// Attempts at a write that lost a race (a profile edit, another admin) before a 409.
const ATTEMPTS: usize = 3;

/// A request as an admin reviews it: the mentor as they are now, and a short-lived link
/// to each document.
#[derive(Debug, Clone)]
pub struct VerificationReview {
    /// The request.
    pub request: VerificationRequest,
    /// The mentor, as now (the name to check the documents against).
    pub mentor: User,
    /// Each named upload that is still there, with a GET link valid for
    /// [`DOCUMENT_LINK_TTL`].
    pub documents: Vec<(Upload, String)>,
    /// When the links stop working.
    pub links_expire_at: chrono::DateTime<chrono::Utc>,
}

impl From<VerificationRefused> for AppError {
    fn from(refused: VerificationRefused) -> Self {
        match refused {
            VerificationRefused::NotAMentor => Self::NotAllowed("Only mentors ask for verification."),
            VerificationRefused::AlreadyPending => {
                Self::Refused { state: "pending", reason: "A verification request is already waiting for an admin." }
            }
            VerificationRefused::AlreadyVerified => {
                Self::Refused { state: "verified", reason: "You are verified already." }
            }
            VerificationRefused::Evidence(problems) => Self::Fields(problems),
            VerificationRefused::Decided(state) => {
                Self::Refused { state: state.as_str(), reason: "The request was decided already." }
            }
            VerificationRefused::MentorNotPending => {
                Self::Refused { state: "pending", reason: "The mentor is no longer waiting for verification." }
            }
        }
    }
}

impl<S: AccountStore> App<S> {
    /// Applies the stale-evidence rule when `owner` completes an upload for `purpose`: a
    /// new identity document unverifies a verified mentor (their listings go in the same
    /// save). Runs before the upload is recorded, so a failure between the two leaves the
    /// mentor unverified, never verified on a document nobody checked.
    pub(super) async fn new_identity_document(&self, owner: &UserId, purpose: UploadPurpose) -> Result<(), AppError> {
        if purpose != UploadPurpose::IdDocument {
            return Ok(());
        }
        for _ in 0..ATTEMPTS {
            let previous = self.store.user(owner).await?.ok_or(AppError::UserNotFound)?;
            let status = previous.verification.after_evidence_changed();
            if status == previous.verification {
                return Ok(());
            }
            let now = self.clock.now();
            let next =
                User { verification: status, updated_at: now, version: previous.version + 1, ..previous.clone() };
            match self.store.save_user(&next, &previous).await {
                Ok(()) => return Ok(()),
                Err(StoreError::Conflict(_)) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Contended)
    }
}

impl<S: AccountStore + UploadStore + VerificationStore> App<S> {
    /// `mentor` asks to be verified, naming completed uploads as evidence.
    pub async fn request_verification(
        &self,
        caller: &Bearer,
        uploads: EvidenceUploads,
        statement: VerificationStatement,
    ) -> Result<VerificationRequest, AppError> {
        let mentor = &caller.member;
        let completed = self.completed_uploads(mentor, uploads.ids()).await?;
        for _ in 0..ATTEMPTS {
            let previous = admitted(self.store.user(mentor).await?, caller)?;
            // Admins write to a verified mentor by mail; an address nobody answers is no contact.
            if !previous.email_verified {
                return Err(AppError::EmailNotVerified("Confirm your email address before asking to be verified."));
            }
            let now = self.clock.now();
            let id = VerificationId::new(ulid::Ulid::from_datetime(now.into()));
            let (request, next) =
                VerificationRequest::submit(id, &previous, uploads.clone(), &completed, statement.clone(), now)?;
            match self.store.submit_verification(&request, &next, &previous).await {
                Ok(()) => return Ok(request),
                // The mentor changed meanwhile (maybe a concurrent request): read again.
                Err(StoreError::Conflict(_)) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Contended)
    }

    /// `mentor`'s verification status and their newest request, if any.
    pub async fn my_verification(
        &self,
        caller: &Bearer,
    ) -> Result<(VerificationStatus, Option<VerificationRequest>), AppError> {
        let mentor = &caller.member;
        let (user, latest) = futures_util::join!(self.store.user(mentor), self.store.latest_verification(mentor));
        Ok((admitted(user?, caller)?.verification, latest?))
    }

    /// Pending requests, oldest first. Admins only.
    pub async fn pending_verifications(
        &self,
        admin: &Bearer,
        after: Option<&str>,
        limit: usize,
    ) -> Result<VerificationPage, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        let (admitted, page) = futures_util::join!(self.admit(admin), self.store.pending_verifications(after, limit));
        admitted?;
        Ok(page?)
    }

    /// A request with the mentor and links to the documents. Admins only: nobody else may
    /// see these documents.
    pub async fn verification_review(
        &self,
        admin: &Bearer,
        id: &VerificationId,
    ) -> Result<VerificationReview, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        let (admitted, request) = futures_util::join!(self.admit(admin), self.store.verification(id));
        admitted?;
        let request = request?.ok_or(AppError::VerificationNotFound)?;
        let mentor = self.store.user(&request.mentor).await?.ok_or(AppError::UserNotFound)?;
        let uploads = self.completed_uploads(&request.mentor, request.uploads.ids()).await?;
        let ttl = chrono::Duration::from_std(DOCUMENT_LINK_TTL).map_err(|e| AppError::Encoding(e.to_string()))?;
        // Stamped before signing: the admin is never told a link works longer than it does.
        let links_expire_at = self.clock.now() + ttl;
        let mut documents = Vec::with_capacity(uploads.len());
        for upload in uploads {
            let link = self.download_link(&upload, DOCUMENT_LINK_TTL).await?;
            documents.push((upload, link));
        }
        Ok(VerificationReview { request, mentor, documents, links_expire_at })
    }

    /// `admin` approves or rejects a pending request. Admins only.
    pub async fn decide_verification(
        &self,
        admin: &Bearer,
        id: &VerificationId,
        decision: Decision,
    ) -> Result<VerificationRequest, AppError> {
        if !admin.is_admin() {
            return Err(AppError::NotAllowed(ADMINS_ONLY));
        }
        self.admit(admin).await?;
        let admin = &admin.member;
        for _ in 0..ATTEMPTS {
            let request = self.store.verification(id).await?.ok_or(AppError::VerificationNotFound)?;
            let previous = self.store.user(&request.mentor).await?.ok_or(AppError::UserNotFound)?;
            let now = self.clock.now();
            let (decided, mentor) = request.decide(decision.clone(), admin, &previous, now)?;
            let (action, note) = match &decided.reason {
                None => (AuditAction::VerificationApproved, NewNotification::verification_approved(&mentor.id, now)),
                Some(reason) => {
                    (AuditAction::VerificationRejected, NewNotification::verification_rejected(&mentor.id, reason, now))
                }
            };
            let mut audit = AuditEntry::new(admin, action, &mentor.id, now).concerning(&decided.id);
            audit.reason = decided.reason.clone();
            match self.store.decide_verification(&decided, &mentor, &previous, &audit, &note).await {
                Ok(()) => return Ok(decided),
                // Another admin or a profile edit got there first: read again, which may
                // now say the request is decided.
                Err(StoreError::Conflict(_)) => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(AppError::Contended)
    }
}
