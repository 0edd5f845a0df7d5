//! Where and what a user studies; every part is optional.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{Invalid, ShortText};

/// Year of study, 1 to 10 (long enough for doctorates and part-time study).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "u8", into = "u8")]
#[schema(value_type = u8, example = 2)]
pub struct StudyYear(u8);

impl StudyYear {
    /// Lowest year.
    pub const MIN: u8 = 1;
    /// Highest year.
    pub const MAX: u8 = 10;

    /// Checks the year is within 1..=10.
    pub fn new(year: u8) -> Result<Self, Invalid> {
        if (Self::MIN..=Self::MAX).contains(&year) {
            Ok(Self(year))
        } else {
            Err(Invalid::new("must be a year from 1 to 10"))
        }
    }

    /// The year as a number from 1 to 10.
    pub fn get(&self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for StudyYear {
    type Error = Invalid;

    fn try_from(year: u8) -> Result<Self, Self::Error> {
        Self::new(year)
    }
}

impl From<StudyYear> for u8 {
    fn from(year: StudyYear) -> Self {
        year.0
    }
}

/// A user's institution, programme and year of study, any of which may be absent.
///
/// Each part is already valid, so any combination is. Serialised as an object that omits
/// absent parts: `{"institution": "MIT", "year": 2}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct AcademicDetails {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    institution: Option<ShortText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    programme: Option<ShortText>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    year: Option<StudyYear>,
}

impl AcademicDetails {
    /// Combines the parts.
    pub fn new(institution: Option<ShortText>, programme: Option<ShortText>, year: Option<StudyYear>) -> Self {
        Self { institution, programme, year }
    }

    /// The institution, e.g. a university.
    pub fn institution(&self) -> Option<&ShortText> {
        self.institution.as_ref()
    }

    /// The programme or course of study.
    pub fn programme(&self) -> Option<&ShortText> {
        self.programme.as_ref()
    }

    /// The year of study.
    pub fn year(&self) -> Option<StudyYear> {
        self.year
    }

    /// Whether no part is given.
    pub fn is_empty(&self) -> bool {
        self.institution.is_none() && self.programme.is_none() && self.year.is_none()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text(raw: &str) -> ShortText {
        ShortText::parse(raw).unwrap()
    }

    #[test]
    fn study_year_boundaries() {
        assert!(StudyYear::new(0).is_err());
        assert_eq!(StudyYear::new(1).unwrap().get(), 1);
        assert_eq!(StudyYear::new(10).unwrap().get(), 10);
        assert_eq!(StudyYear::new(11).unwrap_err().reason(), "must be a year from 1 to 10");
    }

    #[test]
    fn study_year_serde_validates() {
        assert_eq!(serde_json::to_string(&StudyYear::new(3).unwrap()).unwrap(), "3");
        assert_eq!(serde_json::from_str::<StudyYear>("3").unwrap(), StudyYear::new(3).unwrap());
        for bad in ["0", "11", "-1", "256", "\"3\"", "2.5"] {
            assert!(serde_json::from_str::<StudyYear>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn getters_and_emptiness() {
        let details = AcademicDetails::new(
            Some(text("University of Edinburgh")),
            Some(text("Mathematics")),
            Some(StudyYear::new(2).unwrap()),
        );
        assert_eq!(details.institution().map(ShortText::as_str), Some("University of Edinburgh"));
        assert_eq!(details.programme().map(ShortText::as_str), Some("Mathematics"));
        assert_eq!(details.year().map(|y| y.get()), Some(2));
        assert!(!details.is_empty());
        assert!(AcademicDetails::default().is_empty());
        assert!(AcademicDetails::new(None, None, None).is_empty());
        assert!(!AcademicDetails::new(None, None, StudyYear::new(1).ok()).is_empty());
    }

    #[test]
    fn serde_omits_absent_parts() {
        let details = AcademicDetails::new(Some(text("MIT")), None, StudyYear::new(2).ok());
        let json = serde_json::to_value(&details).unwrap();
        assert_eq!(json, serde_json::json!({"institution": "MIT", "year": 2}));
        assert_eq!(serde_json::from_value::<AcademicDetails>(json).unwrap(), details);
        assert_eq!(serde_json::to_string(&AcademicDetails::default()).unwrap(), "{}");
        assert_eq!(serde_json::from_str::<AcademicDetails>("{}").unwrap(), AcademicDetails::default());
        assert_eq!(
            serde_json::from_str::<AcademicDetails>(r#"{"programme":null}"#).unwrap(),
            AcademicDetails::default()
        );
    }

    #[test]
    fn serde_validates_parts() {
        for bad in [r#"{"institution":"   "}"#, r#"{"programme":""}"#, r#"{"year":0}"#, r#"{"year":11}"#] {
            assert!(serde_json::from_str::<AcademicDetails>(bad).is_err(), "{bad}");
        }
        let long = format!(r#"{{"institution":"{}"}}"#, "a".repeat(121));
        assert!(serde_json::from_str::<AcademicDetails>(&long).is_err());
    }

    proptest! {
        #[test]
        fn study_year_accepts_exactly_one_to_ten(n in any::<u8>()) {
            prop_assert_eq!(StudyYear::new(n).is_ok(), (1..=10).contains(&n));
            if let Ok(year) = StudyYear::new(n) {
                prop_assert_eq!(year.get(), n);
            }
        }

        #[test]
        fn serde_round_trip(
            institution in proptest::option::of("[A-Za-z][A-Za-z ]{0,40}"),
            programme in proptest::option::of("[A-Za-z][A-Za-z ]{0,40}"),
            year in proptest::option::of(1u8..=10),
        ) {
            let details = AcademicDetails::new(
                institution.as_deref().map(text),
                programme.as_deref().map(text),
                year.map(|y| StudyYear::new(y).unwrap()),
            );
            prop_assert_eq!(
                details.is_empty(),
                institution.is_none() && programme.is_none() && year.is_none()
            );
            let json = serde_json::to_string(&details).unwrap();
            prop_assert_eq!(serde_json::from_str::<AcademicDetails>(&json).unwrap(), details);
        }
    }
}
