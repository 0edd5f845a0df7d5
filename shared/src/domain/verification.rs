//! Mentor verification: a mentor asks, naming their evidence; an admin approves or
//! rejects with a reason. The rules here are pure; the use case stores the request and
//! the mentor's new status in one transaction.
//!
//! **Stale evidence.** Verification vouches for a name and an identity document. A
//! verified mentor who changes their name ([`super::ProfileChanges::apply`]) or completes
//! a new identity document upload goes back to `unverified`
//! ([`VerificationStatus::after_evidence_changed`]), and their listings go with that save;
//! they ask again (their completed uploads may be named again) and an admin decides again.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    EvidenceUploads, Invalid, Reason, Role, Upload, UploadPurpose, User, UserId, VerificationId, VerificationStatement,
    VerificationStatus,
};

/// Where a request stands, stored as the item's `state`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum VerificationState {
    /// Waiting for an admin (at most one per mentor).
    Pending,
    /// An admin approved it: the mentor is verified.
    Approved,
    /// An admin rejected it, with a reason.
    Rejected,
}

impl VerificationState {
    /// The stored and serialised name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Approved => "approved",
            Self::Rejected => "rejected",
        }
    }
}

/// A mentor's request to be verified.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRequest {
    /// The request.
    pub id: VerificationId,
    /// The mentor asking.
    pub mentor: UserId,
    /// Their evidence, in the order given (an identity document among them).
    pub uploads: EvidenceUploads,
    /// What they say about themself.
    pub statement: VerificationStatement,
    /// Pending, approved or rejected.
    pub state: VerificationState,
    /// Why it was rejected.
    pub reason: Option<Reason>,
    /// When it was made.
    pub submitted_at: DateTime<Utc>,
    /// When an admin decided.
    pub decided_at: Option<DateTime<Utc>>,
    /// The admin who decided.
    pub decided_by: Option<UserId>,
}

/// An admin's decision on a pending request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The evidence holds: list the mentor.
    Approve,
    /// The evidence does not hold, and why.
    Reject(Reason),
}

/// Why a request cannot be made or decided.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerificationRefused {
    /// Only mentors are verified.
    #[error("only mentors ask for verification")]
    NotAMentor,
    /// The mentor has a request waiting (one open request at a time).
    #[error("a verification request is already pending")]
    AlreadyPending,
    /// The mentor is verified already.
    #[error("already verified")]
    AlreadyVerified,
    /// Named uploads that cannot be evidence, each with the request field (`uploads[i]`)
    /// or `uploads` for the set as a whole.
    #[error("the uploads are not valid evidence")]
    Evidence(Vec<(String, Invalid)>),
    /// The request was decided already.
    #[error("the request is already {}", .0.as_str())]
    Decided(VerificationState),
    /// The mentor's own status is no longer pending (nothing to decide).
    #[error("the mentor is not waiting for verification")]
    MentorNotPending,
}

impl VerificationRequest {
    /// `mentor`'s new request, naming `uploads` of which `completed` are the mentor's
    /// completed ones (found by id); and the mentor, now pending.
    pub fn submit(
        id: VerificationId,
        mentor: &User,
        uploads: EvidenceUploads,
        completed: &[Upload],
        statement: VerificationStatement,
        now: DateTime<Utc>,
    ) -> Result<(Self, User), VerificationRefused> {
        if !mentor.roles.contains(Role::Mentor) {
            return Err(VerificationRefused::NotAMentor);
        }
        match mentor.verification {
            VerificationStatus::Pending => return Err(VerificationRefused::AlreadyPending),
            VerificationStatus::Verified => return Err(VerificationRefused::AlreadyVerified),
            VerificationStatus::Unverified | VerificationStatus::Rejected => {}
        }
        check_evidence(mentor, &uploads, completed)?;
        let request = Self {
            id,
            mentor: mentor.id.clone(),
            uploads,
            statement,
            state: VerificationState::Pending,
            reason: None,
            submitted_at: now,
            decided_at: None,
            decided_by: None,
        };
        Ok((request, with_status(mentor, VerificationStatus::Pending, now)))
    }

    /// The request decided by `admin`, and `mentor` (whose request it is) verified or
    /// rejected accordingly.
    pub fn decide(
        &self,
        decision: Decision,
        admin: &UserId,
        mentor: &User,
        now: DateTime<Utc>,
    ) -> Result<(Self, User), VerificationRefused> {
        if self.state != VerificationState::Pending {
            return Err(VerificationRefused::Decided(self.state));
        }
        if mentor.verification != VerificationStatus::Pending || mentor.id != self.mentor {
            return Err(VerificationRefused::MentorNotPending);
        }
        let (state, reason, status) = match decision {
            Decision::Approve => (VerificationState::Approved, None, VerificationStatus::Verified),
            Decision::Reject(reason) => (VerificationState::Rejected, Some(reason), VerificationStatus::Rejected),
        };
        let decided = Self { state, reason, decided_at: Some(now), decided_by: Some(admin.clone()), ..self.clone() };
        Ok((decided, with_status(mentor, status, now)))
    }
}

/// Every named upload must be one of the mentor's completed documents, and one of them an
/// identity document. Lists every problem, each under its field.
fn check_evidence(mentor: &User, uploads: &EvidenceUploads, completed: &[Upload]) -> Result<(), VerificationRefused> {
    let mut problems = Vec::new();
    let mut has_id = false;
    for (index, id) in uploads.ids().iter().enumerate() {
        let found = completed.iter().find(|upload| &upload.id == id && upload.owner == mentor.id);
        match found {
            None => problems.push((format!("uploads[{index}]"), Invalid::new("is not a completed upload of yours"))),
            Some(upload) if upload.purpose == UploadPurpose::Avatar => {
                problems.push((format!("uploads[{index}]"), Invalid::new("is an avatar, not evidence")));
            }
            Some(upload) => has_id |= upload.purpose == UploadPurpose::IdDocument,
        }
    }
    if problems.is_empty() && !has_id {
        problems.push(("uploads".into(), Invalid::new("must include an identity document (id_document)")));
    }
    if problems.is_empty() { Ok(()) } else { Err(VerificationRefused::Evidence(problems)) }
}

/// `user` with verification `status` as of `now` (a new version of them).
fn with_status(user: &User, status: VerificationStatus, now: DateTime<Utc>) -> User {
    User { verification: status, updated_at: now, version: user.version + 1, ..user.clone() }
}

impl VerificationStatus {
    /// The status once the evidence behind it changed (a new name, a new identity
    /// document): a verified mentor is unverified until an admin checks again; any other
    /// status stays (a pending request is judged on the name the admin sees).
    pub const fn after_evidence_changed(self) -> Self {
        match self {
            Self::Verified => Self::Unverified,
            other => other,
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;
    use ulid::Ulid;

    use super::*;
    use crate::domain::{AccountStatus, DisplayName, Email, FileKind, Roles, UploadId, UploadState};

    fn at(minute: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-06-10T09:00:00Z").unwrap().to_utc() + chrono::Duration::minutes(minute)
    }

    fn mentor(status: VerificationStatus) -> User {
        User {
            id: UserId::new(Ulid(1)),
            email: Email::parse("m@example.com").unwrap(),
            name: DisplayName::parse("Mentor").unwrap(),
            roles: Roles::only(Role::Mentor),
            status: AccountStatus::Active,
            verification: status,
            mentor: Default::default(),
            booked: Vec::new(),
            profile: Default::default(),
            created_at: at(0),
            updated_at: at(0),
            email_verified: true,
            phone: None,
            tokens_not_before: None,
            version: 3,
        }
    }

    fn upload(n: u128, purpose: UploadPurpose) -> Upload {
        Upload {
            id: UploadId::new(Ulid(n)),
            owner: UserId::new(Ulid(1)),
            purpose,
            kind: FileKind::Pdf,
            size_bytes: 10,
            state: UploadState::Complete,
            created_at: at(0),
            completed_at: Some(at(1)),
        }
    }

    fn evidence(ns: &[u128]) -> EvidenceUploads {
        EvidenceUploads::new(ns.iter().map(|n| UploadId::new(Ulid(*n))).collect()).unwrap()
    }

    fn statement() -> VerificationStatement {
        VerificationStatement::parse("I tutor Rust.").unwrap()
    }

    fn submit(
        user: &User,
        ns: &[u128],
        completed: &[Upload],
    ) -> Result<(VerificationRequest, User), VerificationRefused> {
        VerificationRequest::submit(VerificationId::new(Ulid(9)), user, evidence(ns), completed, statement(), at(5))
    }

    #[test]
    fn a_mentor_with_an_id_document_asks_and_is_pending() {
        let completed = [upload(10, UploadPurpose::IdDocument), upload(11, UploadPurpose::Transcript)];
        let (request, user) = submit(&mentor(VerificationStatus::Unverified), &[10, 11], &completed).unwrap();
        assert_eq!(request.state, VerificationState::Pending);
        assert_eq!(request.submitted_at, at(5));
        assert_eq!((user.verification, user.version, user.updated_at), (VerificationStatus::Pending, 4, at(5)));
        let rejected = mentor(VerificationStatus::Rejected);
        assert!(submit(&rejected, &[10], &completed).is_ok(), "asking again after a rejection");
    }

    #[test]
    fn one_open_request_and_only_mentors() {
        let completed = [upload(10, UploadPurpose::IdDocument)];
        assert_eq!(
            submit(&mentor(VerificationStatus::Pending), &[10], &completed).unwrap_err(),
            VerificationRefused::AlreadyPending
        );
        assert_eq!(
            submit(&mentor(VerificationStatus::Verified), &[10], &completed).unwrap_err(),
            VerificationRefused::AlreadyVerified
        );
        let learner = User { roles: Roles::only(Role::Learner), ..mentor(VerificationStatus::Unverified) };
        assert_eq!(submit(&learner, &[10], &completed).unwrap_err(), VerificationRefused::NotAMentor);
    }

    #[test]
    fn evidence_problems_are_listed_by_field() {
        let user = mentor(VerificationStatus::Unverified);
        let completed = [upload(10, UploadPurpose::Transcript), upload(11, UploadPurpose::Avatar)];
        let VerificationRefused::Evidence(problems) = submit(&user, &[10, 11, 12], &completed).unwrap_err() else {
            panic!("evidence refused")
        };
        let fields: Vec<&str> = problems.iter().map(|(field, _)| field.as_str()).collect();
        assert_eq!(fields, ["uploads[1]", "uploads[2]"]);
        let VerificationRefused::Evidence(problems) = submit(&user, &[10], &completed).unwrap_err() else {
            panic!("no identity document")
        };
        assert_eq!(problems[0].0, "uploads");
        // Someone else's upload is not evidence, even when found.
        let theirs = Upload { owner: UserId::new(Ulid(2)), ..upload(10, UploadPurpose::IdDocument) };
        assert!(submit(&user, &[10], &[theirs]).is_err());
    }

    #[test]
    fn a_pending_request_is_decided_once() {
        let completed = [upload(10, UploadPurpose::IdDocument)];
        let (request, pending) = submit(&mentor(VerificationStatus::Unverified), &[10], &completed).unwrap();
        let admin = UserId::new(Ulid(5));
        let (approved, verified) = request.decide(Decision::Approve, &admin, &pending, at(9)).unwrap();
        assert_eq!(
            (approved.state, approved.decided_by.as_ref(), approved.decided_at),
            (VerificationState::Approved, Some(&admin), Some(at(9)))
        );
        assert_eq!((verified.verification, verified.version), (VerificationStatus::Verified, pending.version + 1));
        assert_eq!(
            approved.decide(Decision::Approve, &admin, &verified, at(10)).unwrap_err(),
            VerificationRefused::Decided(VerificationState::Approved)
        );
        let reason = Reason::parse("The document is unreadable.").unwrap();
        let (rejected, mentor_after) =
            request.decide(Decision::Reject(reason.clone()), &admin, &pending, at(9)).unwrap();
        assert_eq!((rejected.state, rejected.reason), (VerificationState::Rejected, Some(reason)));
        assert_eq!(mentor_after.verification, VerificationStatus::Rejected);
        let unverified = mentor(VerificationStatus::Unverified);
        assert_eq!(
            request.decide(Decision::Approve, &admin, &unverified, at(9)).unwrap_err(),
            VerificationRefused::MentorNotPending
        );
    }

    #[test]
    fn changed_evidence_unverifies_only_the_verified() {
        assert_eq!(VerificationStatus::Verified.after_evidence_changed(), VerificationStatus::Unverified);
        for other in [VerificationStatus::Unverified, VerificationStatus::Pending, VerificationStatus::Rejected] {
            assert_eq!(other.after_evidence_changed(), other);
        }
    }

    proptest! {
        #[test]
        fn a_request_passes_exactly_when_every_upload_is_a_completed_document_with_an_id(
            purposes in prop::collection::vec(prop::option::of(0usize..4), 1..=5)
        ) {
            // None: not found; Some(p): a completed upload of purpose p.
            let completed: Vec<Upload> = purposes.iter().enumerate()
                .filter_map(|(i, p)| p.map(|p| upload(100 + i as u128, UploadPurpose::ALL[p])))
                .collect();
            let ns: Vec<u128> = (0..purposes.len()).map(|i| 100 + i as u128).collect();
            let ok = submit(&mentor(VerificationStatus::Unverified), &ns, &completed).is_ok();
            let all_documents = purposes.iter().all(|p| matches!(p, Some(p) if UploadPurpose::ALL[*p] != UploadPurpose::Avatar));
            let has_id = purposes.contains(&Some(0));
            prop_assert_eq!(ok, all_documents && has_id);
        }
    }
}
