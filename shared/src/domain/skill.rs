//! Skills a user offers or wants to learn, with a self-assessed level.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// Most characters in a skill name.
const MAX_NAME_CHARS: usize = 40;
/// Most skills one profile may list; keeps profiles focused and items small.
const MAX_SKILLS: usize = 30;

/// A skill's name, normalised so `"  Rust "`, `"rust"` and `"RUST"` are one skill.
///
/// Trimmed, lowercased, whitespace runs collapsed to one space; 1 to 40 characters of Unicode
/// letters and digits, spaces and `+ # . - /` (for `c++`, `c#`, `node.js`, `ci/cd`), starting
/// with a letter or digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "rust")]
pub struct SkillName(String);

string_newtype_impls!(SkillName);

impl SkillName {
    /// Normalises and checks a skill name; see the type docs for the rules.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
        let Some(first) = name.chars().next() else {
            return Err(Invalid::new("must not be empty"));
        };
        if !name.chars().all(|c| c.is_alphanumeric() || " +#.-/".contains(c)) {
            return Err(Invalid::new("must use only letters, digits, spaces and + # . - /"));
        }
        if !first.is_alphanumeric() {
            return Err(Invalid::new("must start with a letter or digit"));
        }
        if name.chars().count() > MAX_NAME_CHARS {
            return Err(Invalid::new("must be at most 40 characters"));
        }
        Ok(Self(name))
    }
}

/// A self-assessed proficiency from 1 (beginner) to 5 (expert).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "u8", into = "u8")]
#[schema(value_type = u8, example = 3)]
pub struct SkillLevel(u8);

impl SkillLevel {
    /// Lowest level.
    pub const MIN: u8 = 1;
    /// Highest level.
    pub const MAX: u8 = 5;

    /// Checks the level is within 1..=5.
    pub fn new(level: u8) -> Result<Self, Invalid> {
        if (Self::MIN..=Self::MAX).contains(&level) {
            Ok(Self(level))
        } else {
            Err(Invalid::new("must be a level from 1 to 5"))
        }
    }

    /// The level as a number from 1 to 5.
    pub fn get(&self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for SkillLevel {
    type Error = Invalid;

    fn try_from(level: u8) -> Result<Self, Self::Error> {
        Self::new(level)
    }
}

impl From<SkillLevel> for u8 {
    fn from(level: SkillLevel) -> Self {
        level.0
    }
}

/// One skill and its level; serialised as `{"name": "rust", "level": 3}`.
///
/// Both parts are already valid, so any pair is a valid skill.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
pub struct Skill {
    name: SkillName,
    level: SkillLevel,
}

impl Skill {
    /// Pairs a name with a level.
    pub fn new(name: SkillName, level: SkillLevel) -> Self {
        Self { name, level }
    }

    /// The skill's name.
    pub fn name(&self) -> &SkillName {
        &self.name
    }

    /// The self-assessed level.
    pub fn level(&self) -> SkillLevel {
        self.level
    }
}

/// A profile's skills: at most 30, each name once, sorted by name.
///
/// Sorting makes the stored form deterministic, so equal sets compare and serialise equal.
/// Serialised as a JSON array of [`Skill`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "Vec<Skill>", into = "Vec<Skill>")]
pub struct Skills(Vec<Skill>);

impl Skills {
    /// Most skills a profile may list.
    pub const MAX: usize = MAX_SKILLS;

    /// Checks the count and uniqueness of names, then sorts by name.
    pub fn new(mut skills: Vec<Skill>) -> Result<Self, Invalid> {
        if skills.len() > MAX_SKILLS {
            return Err(Invalid::new("must list at most 30 skills"));
        }
        skills.sort_by(|a, b| a.name.cmp(&b.name));
        // Sorted, so any duplicates are neighbours.
        if let Some(pair) = skills.windows(2).find(|w| w[0].name == w[1].name) {
            return Err(Invalid::because(format!("skill \"{}\" is listed more than once", pair[0].name)));
        }
        Ok(Self(skills))
    }

    /// The skills in name order.
    pub fn iter(&self) -> std::slice::Iter<'_, Skill> {
        self.0.iter()
    }

    /// The skills in name order, as a slice.
    pub fn as_slice(&self) -> &[Skill] {
        &self.0
    }

    /// Whether no skills are listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many skills are listed.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl TryFrom<Vec<Skill>> for Skills {
    type Error = Invalid;

    fn try_from(skills: Vec<Skill>) -> Result<Self, Self::Error> {
        Self::new(skills)
    }
}

impl From<Skills> for Vec<Skill> {
    fn from(skills: Skills) -> Self {
        skills.0
    }
}

impl<'a> IntoIterator for &'a Skills {
    type Item = &'a Skill;
    type IntoIter = std::slice::Iter<'a, Skill>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn skill(name: &str, level: u8) -> Skill {
        Skill::new(SkillName::parse(name).unwrap(), SkillLevel::new(level).unwrap())
    }

    #[test]
    fn name_normalises_case_and_whitespace() {
        for raw in ["  Rust ", "rust", "RUST"] {
            assert_eq!(SkillName::parse(raw).unwrap().as_str(), "rust");
        }
        assert_eq!(SkillName::parse(" Machine \t Learning ").unwrap().as_str(), "machine learning");
    }

    #[test]
    fn name_accepts_punctuated_and_unicode_skills() {
        for (raw, norm) in [
            ("C++", "c++"),
            ("c#", "c#"),
            ("Node.js", "node.js"),
            ("CI/CD", "ci/cd"),
            ("x86-64", "x86-64"),
            ("3D modelling", "3d modelling"),
            ("Álgebra", "álgebra"),
            ("日本語", "日本語"),
        ] {
            assert_eq!(SkillName::parse(raw).unwrap().as_str(), norm);
        }
    }

    #[test]
    fn name_refuses_bad_input() {
        assert_eq!(SkillName::parse("   ").unwrap_err().reason(), "must not be empty");
        assert_eq!(SkillName::parse(".net").unwrap_err().reason(), "must start with a letter or digit");
        assert_eq!(SkillName::parse("#rust").unwrap_err().reason(), "must start with a letter or digit");
        for bad in ["rust!", "a_b", "a,b", "a\u{0}b", "emoji 🦀"] {
            assert_eq!(
                SkillName::parse(bad).unwrap_err().reason(),
                "must use only letters, digits, spaces and + # . - /"
            );
        }
    }

    #[test]
    fn name_length_boundaries() {
        assert!(SkillName::parse("a").is_ok());
        assert!(SkillName::parse(&"a".repeat(39)).is_ok());
        assert!(SkillName::parse(&"a".repeat(40)).is_ok());
        assert_eq!(SkillName::parse(&"a".repeat(41)).unwrap_err().reason(), "must be at most 40 characters");
        assert!(SkillName::parse(&"ñ".repeat(40)).is_ok());
    }

    #[test]
    fn level_boundaries() {
        assert!(SkillLevel::new(0).is_err());
        assert_eq!(SkillLevel::new(1).unwrap().get(), 1);
        assert_eq!(SkillLevel::new(5).unwrap().get(), 5);
        assert_eq!(SkillLevel::new(6).unwrap_err().reason(), "must be a level from 1 to 5");
    }

    #[test]
    fn skill_getters_and_serde_shape() {
        let s = skill("Rust", 4);
        assert_eq!(s.name().as_str(), "rust");
        assert_eq!(s.level().get(), 4);
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json, serde_json::json!({"name": "rust", "level": 4}));
        assert_eq!(serde_json::from_value::<Skill>(json).unwrap(), s);
        assert!(serde_json::from_str::<Skill>(r#"{"name":"rust","level":0}"#).is_err());
        assert!(serde_json::from_str::<Skill>(r#"{"name":"rust","level":6}"#).is_err());
        assert!(serde_json::from_str::<Skill>(r#"{"name":"","level":3}"#).is_err());
        assert!(serde_json::from_str::<Skill>(r#"{"name":"rust"}"#).is_err());
        assert!(serde_json::from_str::<Skill>(r#"{"name":"rust","level":-1}"#).is_err());
        assert!(serde_json::from_str::<Skill>(r#"{"name":"rust","level":300}"#).is_err());
    }

    #[test]
    fn skills_sorted_by_name() {
        let skills = Skills::new(vec![skill("sql", 2), skill("Rust", 5), skill("c++", 3)]).unwrap();
        let names: Vec<&str> = skills.iter().map(|s| s.name().as_str()).collect();
        assert_eq!(names, ["c++", "rust", "sql"]);
        assert_eq!(skills.len(), 3);
        assert!(!skills.is_empty());
        assert_eq!(skills.as_slice().len(), 3);
    }

    #[test]
    fn skills_refuse_duplicates_after_normalisation() {
        let err = Skills::new(vec![skill("Rust", 2), skill("sql", 1), skill(" RUST ", 5)]).unwrap_err();
        assert_eq!(err.reason(), "skill \"rust\" is listed more than once");
    }

    #[test]
    fn skills_count_boundaries() {
        let many = |n: usize| (0..n).map(|i| skill(&format!("skill {i}"), 3)).collect();
        assert!(Skills::new(many(29)).is_ok());
        assert!(Skills::new(many(30)).is_ok());
        assert_eq!(Skills::new(many(31)).unwrap_err().reason(), "must list at most 30 skills");
    }

    #[test]
    fn skills_default_is_empty() {
        let skills = Skills::default();
        assert!(skills.is_empty());
        assert_eq!(skills.len(), 0);
        assert_eq!(serde_json::to_string(&skills).unwrap(), "[]");
    }

    #[test]
    fn skills_serde_is_an_array_and_validates() {
        let json = r#"[{"name":"SQL","level":2},{"name":"rust","level":5}]"#;
        let skills: Skills = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&skills).unwrap(), r#"[{"name":"rust","level":5},{"name":"sql","level":2}]"#);
        assert!(serde_json::from_str::<Skills>(r#"[{"name":"rust","level":5},{"name":"Rust","level":1}]"#).is_err());
    }

    fn valid_name() -> impl Strategy<Value = String> {
        "[A-Za-z0-9][A-Za-z0-9+#./ -]{0,38}"
    }

    fn valid_skill() -> impl Strategy<Value = Skill> {
        (valid_name(), 1u8..=5).prop_map(|(n, l)| skill(&n, l))
    }

    proptest! {
        #[test]
        fn name_normalisation_is_idempotent(raw in valid_name(), pad in "[ \t]{0,3}") {
            let name = SkillName::parse(&format!("{pad}{raw}{pad}")).unwrap();
            prop_assert_eq!(SkillName::parse(name.as_str()), Ok(name.clone()));
            prop_assert_eq!(SkillName::parse(&raw.to_uppercase()), Ok(name));
        }

        #[test]
        fn name_arbitrary_input_never_panics_and_holds_invariant(raw in any::<String>()) {
            if let Ok(name) = SkillName::parse(&raw) {
                let s = name.as_str();
                prop_assert!((1..=40).contains(&s.chars().count()));
                prop_assert!(s.chars().next().unwrap().is_alphanumeric());
                prop_assert!(s.chars().all(|c| c.is_alphanumeric() || " +#.-/".contains(c)));
                prop_assert!(!s.contains("  ") && s == s.trim());
                prop_assert_eq!(s, s.to_lowercase());
                prop_assert_eq!(SkillName::parse(s), Ok(name.clone()));
            }
        }

        #[test]
        fn level_accepts_exactly_one_to_five(n in any::<u8>()) {
            prop_assert_eq!(SkillLevel::new(n).is_ok(), (1..=5).contains(&n));
            if let Ok(level) = SkillLevel::new(n) {
                prop_assert_eq!(level.get(), n);
            }
        }

        #[test]
        fn accepted_skills_are_sorted_unique_and_bounded(list in prop::collection::vec(valid_skill(), 0..40)) {
            if let Ok(skills) = Skills::new(list.clone()) {
                prop_assert!(skills.len() <= 30);
                prop_assert_eq!(skills.len(), list.len());
                prop_assert!(skills.as_slice().windows(2).all(|w| w[0].name() < w[1].name()));
                let json = serde_json::to_string(&skills).unwrap();
                prop_assert_eq!(serde_json::from_str::<Skills>(&json).unwrap(), skills);
            } else {
                let mut names: Vec<_> = list.iter().map(|s| s.name().clone()).collect();
                names.sort();
                names.dedup();
                prop_assert!(list.len() > 30 || names.len() < list.len());
            }
        }

        #[test]
        fn order_of_input_does_not_matter(list in prop::collection::vec(valid_skill(), 0..10)) {
            let mut reversed = list.clone();
            reversed.reverse();
            prop_assert_eq!(Skills::new(list), Skills::new(reversed));
        }
    }
}
