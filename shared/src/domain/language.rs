//! Languages a user speaks, as simple BCP 47 tags.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// Most languages one profile may list.
const MAX_LANGUAGES: usize = 10;

/// A language tag: a 2-3 letter language, optionally `-` and a 2-letter region.
///
/// Normalised to the conventional BCP 47 casing, so `"PT-br"` becomes `"pt-BR"`. Only this
/// simple subset of BCP 47 is accepted (no scripts, variants or numeric regions), which is all
/// matching mentors to learners needs.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "pt-BR")]
pub struct Language(String);

string_newtype_impls!(Language);

impl Language {
    /// Parses a tag such as `en`, `es` or `pt-BR` (any case; surrounding whitespace trimmed).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        const REASON: &str = "must be a language code such as en or pt-BR";
        let raw = raw.trim();
        let (language, region) = match raw.split_once('-') {
            Some((language, region)) => (language, Some(region)),
            None => (raw, None),
        };
        if !(2..=3).contains(&language.len()) || !language.chars().all(|c| c.is_ascii_alphabetic()) {
            return Err(Invalid::new(REASON));
        }
        let mut tag = language.to_ascii_lowercase();
        if let Some(region) = region {
            if region.len() != 2 || !region.chars().all(|c| c.is_ascii_alphabetic()) {
                return Err(Invalid::new(REASON));
            }
            tag.push('-');
            tag.push_str(&region.to_ascii_uppercase());
        }
        Ok(Self(tag))
    }
}

/// The languages a user speaks: at most 10, each once, in the order the user gave.
///
/// Order is kept because users list their strongest language first. Serialised as an array.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "Vec<Language>", into = "Vec<Language>")]
pub struct Languages(Vec<Language>);

impl Languages {
    /// Most languages a profile may list.
    pub const MAX: usize = MAX_LANGUAGES;

    /// Checks the count and that no language repeats.
    pub fn new(languages: Vec<Language>) -> Result<Self, Invalid> {
        if languages.len() > MAX_LANGUAGES {
            return Err(Invalid::new("must list at most 10 languages"));
        }
        // At most 10 items, so a quadratic scan is cheaper than hashing.
        for (i, language) in languages.iter().enumerate() {
            if languages[..i].contains(language) {
                return Err(Invalid::because(format!("language {language} is listed more than once")));
            }
        }
        Ok(Self(languages))
    }

    /// The languages in the order given.
    pub fn iter(&self) -> std::slice::Iter<'_, Language> {
        self.0.iter()
    }

    /// The languages in the order given, as a slice.
    pub fn as_slice(&self) -> &[Language] {
        &self.0
    }

    /// Whether no languages are listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many languages are listed.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl TryFrom<Vec<Language>> for Languages {
    type Error = Invalid;

    fn try_from(languages: Vec<Language>) -> Result<Self, Self::Error> {
        Self::new(languages)
    }
}

impl From<Languages> for Vec<Language> {
    fn from(languages: Languages) -> Self {
        languages.0
    }
}

impl<'a> IntoIterator for &'a Languages {
    type Item = &'a Language;
    type IntoIter = std::slice::Iter<'a, Language>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn lang(raw: &str) -> Language {
        Language::parse(raw).unwrap()
    }

    #[test]
    fn normalises_case() {
        for (raw, norm) in
            [("en", "en"), ("ES", "es"), ("pt-BR", "pt-BR"), ("PT-br", "pt-BR"), (" fil ", "fil"), ("Yue-hk", "yue-HK")]
        {
            assert_eq!(lang(raw).as_str(), norm);
        }
    }

    #[test]
    fn refuses_other_shapes() {
        for bad in [
            "", "e", "engl", "en-", "-US", "en-U", "en-USA", "en-419", "en_US", "en-US-x", "zh-Hans", "e1", "ñu",
            "en US",
        ] {
            assert_eq!(
                Language::parse(bad).unwrap_err().reason(),
                "must be a language code such as en or pt-BR",
                "{bad:?}"
            );
        }
    }

    #[test]
    fn languages_keep_order_and_refuse_duplicates() {
        let list = Languages::new(vec![lang("es"), lang("en"), lang("pt-BR")]).unwrap();
        let tags: Vec<&str> = list.iter().map(Language::as_str).collect();
        assert_eq!(tags, ["es", "en", "pt-BR"]);
        assert_eq!(list.len(), 3);
        assert_eq!(list.as_slice().len(), 3);
        assert_eq!(
            Languages::new(vec![lang("pt-br"), lang("en"), lang("PT-BR")]).unwrap_err().reason(),
            "language pt-BR is listed more than once"
        );
        // A region makes it a different tag.
        assert!(Languages::new(vec![lang("pt"), lang("pt-BR")]).is_ok());
    }

    #[test]
    fn languages_count_boundaries() {
        let tags = ["aa", "bb", "cc", "dd", "ee", "ff", "gg", "hh", "ii", "jj", "kk"];
        let many = |n: usize| tags[..n].iter().map(|t| lang(t)).collect::<Vec<_>>();
        assert!(Languages::new(many(9)).is_ok());
        assert!(Languages::new(many(10)).is_ok());
        assert_eq!(Languages::new(many(11)).unwrap_err().reason(), "must list at most 10 languages");
    }

    #[test]
    fn default_is_empty() {
        assert!(Languages::default().is_empty());
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let list: Languages = serde_json::from_str(r#"["EN","pt-br"]"#).unwrap();
        assert_eq!(serde_json::to_string(&list).unwrap(), r#"["en","pt-BR"]"#);
        assert!(serde_json::from_str::<Languages>(r#"["en","EN"]"#).is_err());
        assert!(serde_json::from_str::<Languages>(r#"["english"]"#).is_err());
        assert!(serde_json::from_str::<Language>("\"en-gb\"").is_ok());
    }

    fn valid_tag() -> impl Strategy<Value = String> {
        "[a-zA-Z]{2,3}(-[a-zA-Z]{2})?"
    }

    proptest! {
        #[test]
        fn normalisation_is_idempotent(raw in valid_tag()) {
            let language = Language::parse(&raw).unwrap();
            prop_assert_eq!(Language::parse(language.as_str()), Ok(language.clone()));
            prop_assert!(language.as_str().eq_ignore_ascii_case(&raw));
        }

        #[test]
        fn arbitrary_input_never_panics_and_holds_invariant(raw in any::<String>()) {
            if let Ok(language) = Language::parse(&raw) {
                let s = language.as_str();
                let (primary, region) = s.split_once('-').unwrap_or((s, ""));
                prop_assert!((2..=3).contains(&primary.len()));
                prop_assert!(primary.chars().all(|c| c.is_ascii_lowercase()));
                prop_assert!(region.is_empty() || region.len() == 2);
                prop_assert!(region.chars().all(|c| c.is_ascii_uppercase()));
            }
        }

        #[test]
        fn accepted_lists_are_unique_bounded_and_ordered(raw in prop::collection::vec(valid_tag(), 0..14)) {
            let list: Vec<Language> = raw.iter().map(|t| lang(t)).collect();
            match Languages::new(list.clone()) {
                Ok(languages) => {
                    prop_assert!(languages.len() <= 10);
                    prop_assert_eq!(languages.as_slice(), list.as_slice());
                    for (i, l) in languages.iter().enumerate() {
                        prop_assert!(!languages.as_slice()[i + 1..].contains(l));
                    }
                }
                Err(_) => {
                    let mut unique = list.clone();
                    unique.sort_by(|a, b| a.as_str().cmp(b.as_str()));
                    unique.dedup();
                    prop_assert!(list.len() > 10 || unique.len() < list.len());
                }
            }
        }
    }
}
