//! What an admin decided about a report (POST /admin/reports/{id}/resolve).

use super::report_reason::word_enum;

word_enum!(
    /// The outcome recorded on a resolved report, serialised lowercase. `suspended` records
    /// the decision only: the suspension itself is its own admin action.
    ReportOutcome,
    refusal = "must be dismissed, warned or suspended",
    {
        /// Nothing to act on.
        Dismissed => "dismissed",
        /// The reported member was warned.
        Warned => "warned",
        /// The reported member was suspended.
        Suspended => "suspended",
    }
);

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn each_outcome_has_one_spelling() {
        for &outcome in ReportOutcome::ALL {
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
