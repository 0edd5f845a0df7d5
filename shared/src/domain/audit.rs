//! The admin audit trail: who did what to whom, when and why. Entries are only ever
//! added, in the same transaction as the action they record.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Reason, UserId};

ulid_id! {
    /// An audit entry; minted from the entry's time, so ids sort as the trail does.
    AuditId
}

/// What an admin did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A mentor's verification request was approved: they are listed.
    VerificationApproved,
    /// A mentor's verification request was rejected, with a reason.
    VerificationRejected,
    /// A member was suspended.
    MemberSuspended,
    /// A suspended member was restored.
    MemberRestored,
    /// A member's points were corrected by hand.
    PointsCorrected,
    /// A member's report was resolved.
    ReportResolved,
    /// A member was made an admin.
    AdminGranted,
}

impl AuditAction {
    /// Every action, in declaration order.
    pub const ALL: [Self; 7] = [
        Self::VerificationApproved,
        Self::VerificationRejected,
        Self::MemberSuspended,
        Self::MemberRestored,
        Self::PointsCorrected,
        Self::ReportResolved,
        Self::AdminGranted,
    ];

    /// The stored and serialised name (`verification_approved`, ...).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::VerificationApproved => "verification_approved",
            Self::VerificationRejected => "verification_rejected",
            Self::MemberSuspended => "member_suspended",
            Self::MemberRestored => "member_restored",
            Self::PointsCorrected => "points_corrected",
            Self::ReportResolved => "report_resolved",
            Self::AdminGranted => "admin_granted",
        }
    }
}

/// One line of the audit trail.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AuditEntry {
    /// The entry (time-ordered).
    pub id: AuditId,
    /// When the action was taken.
    pub at: DateTime<Utc>,
    /// The admin who acted (for a bootstrap grant, the member themself).
    pub actor: UserId,
    /// What was done.
    pub action: AuditAction,
    /// The member it was done to.
    pub subject: UserId,
    /// Why, when the action takes a reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Reason>,
    /// What it concerned besides the member: a verification request or report id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

impl AuditEntry {
    /// A new entry for `action` by `actor` on `subject` at `at`, with a fresh id of that time.
    pub fn new(actor: &UserId, action: AuditAction, subject: &UserId, at: DateTime<Utc>) -> Self {
        Self {
            id: AuditId::new(ulid::Ulid::from_datetime(at.into())),
            at,
            actor: actor.clone(),
            action,
            subject: subject.clone(),
            reason: None,
            reference: None,
        }
    }

    /// With the reason given.
    pub fn because(mut self, reason: Reason) -> Self {
        self.reason = Some(reason);
        self
    }

    /// Concerning `reference` (a verification request or report id).
    pub fn concerning(mut self, reference: impl ToString) -> Self {
        self.reference = Some(reference.to_string());
        self
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().to_utc()
    }

    #[test]
    fn actions_serialise_as_their_names() {
        for action in AuditAction::ALL {
            assert_eq!(serde_json::to_value(action).unwrap(), action.as_str());
            assert_eq!(serde_json::from_value::<AuditAction>(action.as_str().into()).unwrap(), action);
        }
        assert!(serde_json::from_str::<AuditAction>("\"VerificationApproved\"").is_err());
    }

    #[test]
    fn an_entry_carries_who_what_when_why() {
        let (admin, mentor) = (UserId::new(ulid::Ulid::from(1)), UserId::new(ulid::Ulid::from(2)));
        let entry = AuditEntry::new(&admin, AuditAction::VerificationRejected, &mentor, at("2026-06-10T09:00:00Z"))
            .because(Reason::parse("unreadable").unwrap())
            .concerning("01ARZ3NDEKTSV4RRFFQ69G5FAV");
        let json = serde_json::to_value(&entry).unwrap();
        assert_eq!(json["action"], "verification_rejected");
        assert_eq!(json["reason"], "unreadable");
        assert_eq!(json["reference"], "01ARZ3NDEKTSV4RRFFQ69G5FAV");
        assert_eq!(serde_json::from_value::<AuditEntry>(json).unwrap(), entry);
        let bare = AuditEntry::new(&admin, AuditAction::MemberRestored, &mentor, at("2026-06-10T09:00:00Z"));
        let json = serde_json::to_value(&bare).unwrap();
        assert!(json.get("reason").is_none() && json.get("reference").is_none());
    }

    proptest! {
        #[test]
        fn later_entries_have_greater_ids(first in 0i64..4_000_000_000, gap in 1i64..1_000_000) {
            let who = UserId::new(ulid::Ulid::from(7));
            let earlier = DateTime::from_timestamp(first, 0).unwrap();
            let later = DateTime::from_timestamp(first + gap, 0).unwrap();
            let a = AuditEntry::new(&who, AuditAction::AdminGranted, &who, earlier);
            let b = AuditEntry::new(&who, AuditAction::AdminGranted, &who, later);
            prop_assert!(a.id < b.id);
        }
    }
}
