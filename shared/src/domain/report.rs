//! Member reports: one member tells the admins about another, and an admin resolves it once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Invalid, ReportDetails, ReportOutcome, ReportReason, SessionId, ShortText, UserId};

ulid_id!(
    /// A report's id.
    ReportId
);

/// Where a report is in the admins' queue, serialised lowercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportState {
    /// Waiting for an admin.
    Open,
    /// An admin recorded an outcome.
    Resolved,
}

impl ReportState {
    /// The serialised form.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportState::Open => "open",
            ReportState::Resolved => "resolved",
        }
    }

    /// Exactly `open` or `resolved` (the `state` query parameter).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "open" => Ok(ReportState::Open),
            "resolved" => Ok(ReportState::Resolved),
            _ => Err(Invalid::new("must be open or resolved")),
        }
    }
}

/// An admin's decision on a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Resolution {
    /// What was decided.
    pub outcome: ReportOutcome,
    /// The admin's note, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<ShortText>,
    /// The admin who decided.
    pub by: UserId,
    /// When.
    pub at: DateTime<Utc>,
}

/// A member's report about another member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// The report.
    pub id: ReportId,
    /// Who reported.
    pub reporter: UserId,
    /// Who is reported.
    pub reported: UserId,
    /// The kind of abuse.
    pub reason: ReportReason,
    /// What happened, in the reporter's words.
    pub details: ReportDetails,
    /// The session it happened in, if the reporter named one (both took part in it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_id: Option<SessionId>,
    /// Open or resolved.
    pub state: ReportState,
    /// When it was filed.
    pub created_at: DateTime<Utc>,
    /// The decision, once resolved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolution: Option<Resolution>,
}

/// Why a report cannot be filed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReportRefused {
    /// A member cannot report themself.
    #[error("a member cannot report themself")]
    Yourself,
}

/// Why a report cannot be resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResolveRefused {
    /// It was resolved before: a report is decided once.
    #[error("the report is already resolved")]
    AlreadyResolved,
}

impl Report {
    /// A new, open report by `reporter` about `reported`.
    pub fn file(
        id: ReportId,
        reporter: UserId,
        reported: UserId,
        reason: ReportReason,
        details: ReportDetails,
        session_id: Option<SessionId>,
        now: DateTime<Utc>,
    ) -> Result<Self, ReportRefused> {
        if reporter == reported {
            return Err(ReportRefused::Yourself);
        }
        Ok(Self {
            id,
            reporter,
            reported,
            reason,
            details,
            session_id,
            state: ReportState::Open,
            created_at: now,
            resolution: None,
        })
    }

    /// The report resolved by `resolution`; only an open report can be.
    pub fn resolve(&self, resolution: Resolution) -> Result<Self, ResolveRefused> {
        if self.state != ReportState::Open {
            return Err(ResolveRefused::AlreadyResolved);
        }
        Ok(Self { state: ReportState::Resolved, resolution: Some(resolution), ..self.clone() })
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

    fn report(reporter: u128, reported: u128) -> Result<Report, ReportRefused> {
        Report::file(
            ReportId::new(ulid::Ulid(9)),
            UserId::new(ulid::Ulid(reporter)),
            UserId::new(ulid::Ulid(reported)),
            ReportReason::Spam,
            ReportDetails::parse("Sends links").unwrap(),
            None,
            at("2026-06-10T09:00:00Z"),
        )
    }

    #[test]
    fn a_report_is_about_someone_else_and_starts_open() {
        assert_eq!(report(1, 1).unwrap_err(), ReportRefused::Yourself);
        let open = report(1, 2).unwrap();
        assert_eq!((open.state, open.resolution.as_ref()), (ReportState::Open, None));
    }

    #[test]
    fn a_report_is_resolved_once() {
        let open = report(1, 2).unwrap();
        let decision = Resolution {
            outcome: ReportOutcome::Warned,
            note: Some(ShortText::parse("Told them to stop").unwrap()),
            by: UserId::new(ulid::Ulid(3)),
            at: at("2026-06-11T09:00:00Z"),
        };
        let resolved = open.resolve(decision.clone()).unwrap();
        assert_eq!((resolved.state, resolved.resolution.as_ref()), (ReportState::Resolved, Some(&decision)));
        assert_eq!(resolved.resolve(decision).unwrap_err(), ResolveRefused::AlreadyResolved);
    }

    #[test]
    fn states_parse_exactly() {
        for state in [ReportState::Open, ReportState::Resolved] {
            assert_eq!(ReportState::parse(state.as_str()).unwrap(), state);
        }
        assert!(ReportState::parse("closed").is_err());
        assert!(ReportState::parse("Open").is_err());
    }

    proptest! {
        #[test]
        fn ids_print_and_parse_back(n in any::<u128>()) {
            let id = ReportId::new(ulid::Ulid(n));
            prop_assert_eq!(ReportId::parse(&id.to_string()).unwrap(), id);
        }

        #[test]
        fn only_two_members_make_a_report(a in 0u128..4, b in 0u128..4) {
            prop_assert_eq!(report(a, b).is_ok(), a != b);
        }
    }
}
