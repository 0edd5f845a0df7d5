//! The skills a learner asks the matcher for, as GET /match's `skills` parameter gives them:
//! `rust:4,sql`, each `name` or `name:level`.

use super::{Invalid, Skill, SkillLevel, SkillName};

/// At most this many wanted skills drive one match.
pub const MAX_WANTED_SKILLS: usize = 5;

/// The level wanted when a skill is named without one: intermediate.
const DEFAULT_LEVEL: u8 = 3;

/// 1 to [`MAX_WANTED_SKILLS`] skills, each named once, with the level wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WantedSkills(Vec<Skill>);

impl WantedSkills {
    /// Parses a comma-separated list (blank entries ignored); a level is 1-5, default 3.
    /// Every fault is reported, not just the first.
    pub fn parse(raw: &str) -> Result<Self, Vec<Invalid>> {
        let entries: Vec<&str> = raw.split(',').map(str::trim).filter(|e| !e.is_empty()).collect();
        if entries.is_empty() || entries.len() > MAX_WANTED_SKILLS {
            return Err(vec![Invalid::new("must name 1 to 5 skills, e.g. rust:3,sql")]);
        }
        let mut wanted: Vec<Skill> = Vec::with_capacity(entries.len());
        let mut faults = Vec::new();
        for entry in entries {
            let (name, level) = entry.rsplit_once(':').map_or((entry, None), |(n, l)| (n, Some(l)));
            let level = match level {
                None => SkillLevel::new(DEFAULT_LEVEL),
                Some(raw) => {
                    raw.parse::<u8>().map_err(|_| Invalid::new("level must be 1 to 5")).and_then(SkillLevel::new)
                }
            };
            match (SkillName::parse(name), level) {
                (Ok(name), Ok(_)) if wanted.iter().any(|w| w.name() == &name) => {
                    faults.push(Invalid::because(format!("skill \"{name}\" is named twice")));
                }
                (Ok(name), Ok(level)) => wanted.push(Skill::new(name, level)),
                (name, level) => faults.extend(name.err().into_iter().chain(level.err())),
            }
        }
        if faults.is_empty() { Ok(Self(wanted)) } else { Err(faults) }
    }

    /// The skills, in the order named.
    pub fn into_skills(self) -> Vec<Skill> {
        self.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use proptest::prelude::*;

    use super::*;

    fn reasons(raw: &str) -> Vec<String> {
        WantedSkills::parse(raw).unwrap_err().iter().map(|r| r.reason().to_owned()).collect()
    }

    #[test]
    fn names_take_the_given_level_or_intermediate() {
        let skills = WantedSkills::parse(" rust:5 , sql,, go:1").unwrap().into_skills();
        let levels: Vec<(String, u8)> = skills.iter().map(|s| (s.name().to_string(), s.level().get())).collect();
        assert_eq!(levels.len(), 3);
        assert_eq!(levels[0].1, 5);
        assert_eq!(levels[1].1, 3);
        assert_eq!(levels[2].1, 1);
    }

    #[test]
    fn every_fault_is_reported() {
        assert_eq!(reasons(""), ["must name 1 to 5 skills, e.g. rust:3,sql"]);
        assert_eq!(reasons(" , ,"), ["must name 1 to 5 skills, e.g. rust:3,sql"]);
        assert_eq!(reasons("a,b,c,d,e,f"), ["must name 1 to 5 skills, e.g. rust:3,sql"]);
        assert_eq!(reasons("rust:9,sql:x"), ["must be a level from 1 to 5", "level must be 1 to 5"]);
        assert_eq!(reasons("rust,rust:2"), ["skill \"rust\" is named twice"]);
    }

    proptest! {
        #[test]
        fn up_to_five_distinct_names_always_parse(names in proptest::collection::btree_set("[a-z]{2,12}", 1..=5), level in 1u8..=5) {
            let raw: Vec<String> = names.iter().map(|n| format!("{n}:{level}")).collect();
            let skills = WantedSkills::parse(&raw.join(",")).unwrap().into_skills();
            prop_assert_eq!(skills.len(), names.len());
            prop_assert!(skills.iter().all(|s| s.level().get() == level));
        }

        #[test]
        fn any_text_parses_or_is_refused_without_panicking(raw in ".{0,80}") {
            match WantedSkills::parse(&raw) {
                Ok(skills) => prop_assert!((1..=MAX_WANTED_SKILLS).contains(&skills.into_skills().len())),
                Err(faults) => prop_assert!(!faults.is_empty()),
            }
        }
    }
}
