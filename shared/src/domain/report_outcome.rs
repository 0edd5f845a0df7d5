//! What an admin decided about a report (POST /admin/reports/{id}/resolve).

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// The outcome recorded on a resolved report, serialised lowercase. `suspended` records the
/// decision only: the suspension itself is its own admin action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ReportOutcome {
    /// Nothing to act on.
    Dismissed,
    /// The reported member was warned.
    Warned,
    /// The reported member was suspended.
    Suspended,
}

impl ReportOutcome {
    /// Every outcome.
    pub const ALL: [ReportOutcome; 3] = [ReportOutcome::Dismissed, ReportOutcome::Warned, ReportOutcome::Suspended];

    /// The serialised form.
    pub const fn as_str(self) -> &'static str {
        match self {
            ReportOutcome::Dismissed => "dismissed",
            ReportOutcome::Warned => "warned",
            ReportOutcome::Suspended => "suspended",
        }
    }

    /// Exactly one of the serialised forms.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        Self::ALL
            .into_iter()
            .find(|outcome| outcome.as_str() == raw)
            .ok_or_else(|| Invalid::new("must be dismissed, warned or suspended"))
    }
}

impl fmt::Display for ReportOutcome {
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
    fn each_outcome_has_one_spelling() {
        for outcome in ReportOutcome::ALL {
            assert_eq!(ReportOutcome::parse(outcome.as_str()).unwrap(), outcome);
            assert_eq!(serde_json::to_string(&outcome).unwrap(), format!("\"{outcome}\""));
        }
        assert!(serde_json::from_str::<ReportOutcome>("\"banned\"").is_err());
        assert!(ReportOutcome::parse("Warned").is_err());
    }

    proptest! {
        #[test]
        fn only_the_listed_words_parse(raw in "\\PC{0,12}") {
            match ReportOutcome::parse(&raw) {
                Ok(outcome) => prop_assert_eq!(outcome.as_str(), raw.as_str()),
                Err(_) => prop_assert!(ReportOutcome::ALL.iter().all(|o| o.as_str() != raw)),
            }
        }
    }
}
