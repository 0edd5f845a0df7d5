//! Why a member reports another (POST /users/{id}/report): one of a fixed set, so the
//! admin queue can be sorted and counted by kind.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// The kind of abuse a report names, serialised lowercase (`"harassment"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportReason {
    /// Unwanted, hostile or threatening contact.
    Harassment,
    /// Advertising or repeated unwanted messages.
    Spam,
    /// Content unsuitable for the platform.
    Inappropriate,
    /// Cheating, scams or impersonation.
    Fraud,
    /// Someone may be in danger.
    Safety,
    /// Anything else (the details say what).
    Other,
}

impl ReportReason {
    /// Every reason.
    pub const ALL: [ReportReason; 6] = [
        ReportReason::Harassment,
        ReportReason::Spam,
        ReportReason::Inappropriate,
        ReportReason::Fraud,
        ReportReason::Safety,
        ReportReason::Other,
    ];

    /// The serialised form.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportReason::Harassment => "harassment",
            ReportReason::Spam => "spam",
            ReportReason::Inappropriate => "inappropriate",
            ReportReason::Fraud => "fraud",
            ReportReason::Safety => "safety",
            ReportReason::Other => "other",
        }
    }

    /// Exactly one of the serialised forms.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|reason| reason.as_str() == raw)
            .ok_or_else(|| Invalid::new("must be harassment, spam, inappropriate, fraud, safety or other"))
    }
}

impl fmt::Display for ReportReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn each_reason_has_one_spelling() {
        for reason in ReportReason::ALL {
            assert_eq!(ReportReason::parse(reason.as_str()).unwrap(), reason);
            assert_eq!(serde_json::to_string(&reason).unwrap(), format!("\"{reason}\""));
            assert_eq!(serde_json::from_str::<ReportReason>(&format!("\"{reason}\"")).unwrap(), reason);
        }
        for wrong in ["Spam", " spam", "", "abuse"] {
            assert!(ReportReason::parse(wrong).is_err(), "{wrong:?}");
            assert!(serde_json::from_value::<ReportReason>(serde_json::json!(wrong)).is_err());
        }
    }

    proptest! {
        #[test]
        fn only_the_listed_words_parse(raw in "\\PC{0,16}") {
            match ReportReason::parse(&raw) {
                Ok(reason) => prop_assert_eq!(reason.as_str(), raw.as_str()),
                Err(_) => prop_assert!(ReportReason::ALL.iter().all(|r| r.as_str() != raw)),
            }
        }
    }
}
