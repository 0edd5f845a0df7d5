//! Mentor search: filters, sort orders and relevance. Pure: it judges cards it is given.

use std::cmp::Ordering;

use super::matching::rating_factor;
use super::{Interval, Invalid, Language, MentorCard, Price, SkillName};

/// At most this many skills in one search.
pub const MAX_SEARCH_SKILLS: usize = 5;
/// The longest "available at" range: one long session.
pub const MAX_AVAILABLE_RANGE_HOURS: i64 = 8;

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SortOrder {
    /// Best fit for the query first: skill level, rating, text.
    #[default]
    Relevance,
    /// Highest (Bayesian) rating first.
    Rating,
    /// Cheapest first.
    PriceAsc,
    /// Most expensive first.
    PriceDesc,
}

impl SortOrder {
    /// Parses `relevance`, `rating`, `price_asc` or `price_desc`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "relevance" => Ok(Self::Relevance),
            "rating" => Ok(Self::Rating),
            "price_asc" => Ok(Self::PriceAsc),
            "price_desc" => Ok(Self::PriceDesc),
            _ => Err(Invalid::new("must be one of relevance, rating, price_asc, price_desc")),
        }
    }

    /// The name it is parsed from.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Relevance => "relevance",
            Self::Rating => "rating",
            Self::PriceAsc => "price_asc",
            Self::PriceDesc => "price_desc",
        }
    }
}

/// Free text matched against name and headline: lower-cased words, 1 to 5 of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchText(Vec<String>);

impl SearchText {
    /// Splits and lower-cases `raw`; 1..=5 words of at most 40 characters.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let words: Vec<String> = raw.split_whitespace().map(str::to_lowercase).collect();
        if words.is_empty() {
            return Err(Invalid::new("must contain a word"));
        }
        if words.len() > 5 || words.iter().any(|w| w.chars().count() > 40) {
            return Err(Invalid::new("must be at most 5 words of at most 40 characters"));
        }
        Ok(Self(words))
    }

    /// 1 when every word is in the name, 0.5 when every word is found in name or headline,
    /// 0 when some word is in neither.
    fn score(&self, card: &MentorCard) -> f64 {
        let name = card.name.as_str().to_lowercase();
        let headline = card.headline.as_ref().map(|h| h.as_str().to_lowercase()).unwrap_or_default();
        if self.0.iter().all(|w| name.contains(w.as_str())) {
            1.0
        } else if self.0.iter().all(|w| name.contains(w.as_str()) || headline.contains(w.as_str())) {
            0.5
        } else {
            0.0
        }
    }
}

/// A validated search.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct MentorQuery {
    /// The mentor must have every one of these skills.
    pub skills: Vec<SkillName>,
    /// Minimum average rating shown to users (1 to 5); mentors without reviews fail it.
    pub min_rating: Option<f64>,
    /// The mentor must speak this language (primary subtag match: "pt" finds "pt-BR").
    pub language: Option<Language>,
    /// Lowest price, inclusive.
    pub price_min: Option<Price>,
    /// Highest price, inclusive.
    pub price_max: Option<Price>,
    /// The mentor's weekly availability must cover this whole range.
    pub available: Option<Interval>,
    /// Words that must appear in name or headline.
    pub text: Option<SearchText>,
    /// Result order.
    pub sort: SortOrder,
}

impl MentorQuery {
    /// True when `card` passes every filter.
    pub fn accepts(&self, card: &MentorCard) -> bool {
        let has_skills = self.skills.iter().all(|wanted| card.skills.iter().any(|s| s.name() == wanted));
        let rated = self.min_rating.is_none_or(|min| card.stats.average_rating().is_some_and(|avg| avg >= min));
        let speaks = self.language.as_ref().is_none_or(|wanted| {
            let primary = wanted.as_str().split('-').next().unwrap_or_default();
            card.languages.iter().any(|l| {
                l == wanted || (!wanted.as_str().contains('-') && l.as_str().split('-').next() == Some(primary))
            })
        });
        let price = card.price_cents();
        let priced = self.price_min.is_none_or(|min| price >= min.cents())
            && self.price_max.is_none_or(|max| price <= max.cents());
        let texted = self.text.as_ref().is_none_or(|text| text.score(card) > 0.0);
        has_skills && rated && speaks && priced && texted && self.available_for(card)
    }

    fn available_for(&self, card: &MentorCard) -> bool {
        let Some(range) = self.available else { return true };
        card.free_time(&range).covers(&range)
    }

    /// How well `card` fits, 0 to 1: requested skills' levels, rating, and text.
    pub fn relevance(&self, card: &MentorCard) -> f64 {
        let skill = if self.skills.is_empty() {
            0.5
        } else {
            let levels: f64 = self
                .skills
                .iter()
                .map(|wanted| {
                    card.skills.iter().find(|s| s.name() == wanted).map_or(0.0, |s| f64::from(s.level().get()) / 5.0)
                })
                .sum();
            levels / self.skills.len() as f64
        };
        let text = self.text.as_ref().map_or(0.0, |t| t.score(card));
        0.5 * skill + 0.35 * rating_factor(&card.stats) + 0.15 * text
    }

    /// Orders accepted cards for this query; ties go to the lower mentor id.
    pub fn order(&self, cards: &mut [MentorCard]) {
        let by_id = |a: &MentorCard, b: &MentorCard| a.id.cmp(&b.id);
        match self.sort {
            SortOrder::Relevance => {
                let mut scored: Vec<(f64, MentorCard)> = cards.iter().map(|c| (self.relevance(c), c.clone())).collect();
                scored.sort_by(|(sa, a), (sb, b)| {
                    sb.partial_cmp(sa).unwrap_or(Ordering::Equal).then_with(|| by_id(a, b))
                });
                for (slot, (_, card)) in cards.iter_mut().zip(scored) {
                    *slot = card;
                }
            }
            SortOrder::Rating => cards.sort_by(|a, b| {
                b.stats
                    .ranking_rating()
                    .partial_cmp(&a.stats.ranking_rating())
                    .unwrap_or(Ordering::Equal)
                    .then_with(|| by_id(a, b))
            }),
            SortOrder::PriceAsc => {
                cards.sort_by(|a, b| a.price_cents().cmp(&b.price_cents()).then_with(|| by_id(a, b)))
            }
            SortOrder::PriceDesc => {
                cards.sort_by(|a, b| b.price_cents().cmp(&a.price_cents()).then_with(|| by_id(a, b)))
            }
        }
    }

    /// A canonical text of the query, so a cursor can be bound to the query it came from.
    pub fn fingerprint(&self) -> String {
        let skills: Vec<&str> = self.skills.iter().map(SkillName::as_str).collect();
        format!(
            "skills={};min_rating={:?};language={};price={:?}-{:?};available={:?};text={:?};sort={}",
            skills.join(","),
            self.min_rating,
            self.language.as_ref().map_or("", Language::as_str),
            self.price_min.map(Price::cents),
            self.price_max.map(Price::cents),
            self.available.map(|r| (r.start().timestamp(), r.end().timestamp())),
            self.text.as_ref().map(|t| t.0.join(" ")),
            self.sort.as_str(),
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::{
        AvailabilityWindow, DisplayName, Headline, Languages, MentorStats, Skill, SkillLevel, Skills, TimeOfDay,
        Timezone, UserId, Weekday, WeeklyAvailability,
    };
    use chrono::{TimeZone as _, Utc};
    use proptest::prelude::*;

    fn card(id: u128, skills: &[(&str, u8)], languages: &[&str], price: u32, rating: (u32, u32)) -> MentorCard {
        MentorCard {
            id: UserId::new(ulid::Ulid(id)),
            name: DisplayName::parse(&format!("Mentor {id}")).unwrap(),
            headline: Some(Headline::parse("Systems programming coach").unwrap()),
            skills: Skills::new(
                skills
                    .iter()
                    .map(|(n, l)| Skill::new(SkillName::parse(n).unwrap(), SkillLevel::new(*l).unwrap()))
                    .collect(),
            )
            .unwrap(),
            languages: Languages::new(languages.iter().map(|l| Language::parse(l).unwrap()).collect()).unwrap(),
            timezone: Some(Timezone::parse("Europe/Madrid").unwrap()),
            availability: WeeklyAvailability::new(vec![
                AvailabilityWindow::new(
                    Weekday::Mon,
                    TimeOfDay::parse("18:00").unwrap(),
                    TimeOfDay::parse("21:00").unwrap(),
                )
                .unwrap(),
            ])
            .unwrap(),
            price: Some(Price::from_cents(price).unwrap()),
            stats: MentorStats { rating_sum: rating.0, rating_count: rating.1, ..Default::default() },
            booked: Vec::new(),
        }
    }

    #[test]
    fn filters_combine() {
        let rust_es = card(1, &[("rust", 4)], &["es"], 3000, (48, 10));
        let rust_en = card(2, &[("rust", 5)], &["en"], 3000, (50, 10));
        let go_es = card(3, &[("go", 4)], &["es"], 1000, (40, 10));
        let query = MentorQuery {
            skills: vec![SkillName::parse("rust").unwrap()],
            language: Some(Language::parse("es").unwrap()),
            min_rating: Some(4.5),
            price_max: Some(Price::from_cents(5000).unwrap()),
            ..Default::default()
        };
        assert!(query.accepts(&rust_es));
        assert!(!query.accepts(&rust_en));
        assert!(!query.accepts(&go_es));
        let pricier = MentorQuery { price_max: Some(Price::from_cents(2000).unwrap()), ..query.clone() };
        assert!(!pricier.accepts(&rust_es));
        let pickier = MentorQuery { min_rating: Some(4.9), ..query };
        assert!(!pickier.accepts(&rust_es));
    }

    #[test]
    fn available_at_uses_the_mentors_zone() {
        let mentor = card(1, &[], &[], 0, (0, 0));
        // Monday 2026-11-23, 18:00-21:00 in Madrid is 17:00-20:00 UTC.
        let inside = Interval::new(
            Utc.with_ymd_and_hms(2026, 11, 23, 17, 0, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 23, 18, 0, 0).unwrap(),
        )
        .unwrap();
        let outside = Interval::new(
            Utc.with_ymd_and_hms(2026, 11, 23, 19, 30, 0).unwrap(),
            Utc.with_ymd_and_hms(2026, 11, 23, 20, 30, 0).unwrap(),
        )
        .unwrap();
        assert!(MentorQuery { available: Some(inside), ..Default::default() }.accepts(&mentor));
        assert!(!MentorQuery { available: Some(outside), ..Default::default() }.accepts(&mentor));
    }

    #[test]
    fn text_matches_name_or_headline() {
        let mentor = card(7, &[], &[], 0, (0, 0));
        let by_name = MentorQuery { text: Some(SearchText::parse("mentor 7").unwrap()), ..Default::default() };
        let by_headline = MentorQuery { text: Some(SearchText::parse("SYSTEMS coach").unwrap()), ..Default::default() };
        let missing = MentorQuery { text: Some(SearchText::parse("haskell").unwrap()), ..Default::default() };
        assert!(by_name.accepts(&mentor) && by_headline.accepts(&mentor) && !missing.accepts(&mentor));
        assert!(by_name.relevance(&mentor) > by_headline.relevance(&mentor));
    }

    #[test]
    fn sort_orders() {
        let mut cards = vec![
            card(1, &[], &[], 3000, (40, 10)),
            card(2, &[], &[], 1000, (50, 10)),
            card(3, &[], &[], 2000, (45, 10)),
        ];
        let ids = |cards: &[MentorCard]| cards.iter().map(|c| c.id.clone()).collect::<Vec<_>>();
        let id = |n| UserId::new(ulid::Ulid(n));
        MentorQuery { sort: SortOrder::PriceAsc, ..Default::default() }.order(&mut cards);
        assert_eq!(ids(&cards), [id(2), id(3), id(1)]);
        MentorQuery { sort: SortOrder::PriceDesc, ..Default::default() }.order(&mut cards);
        assert_eq!(ids(&cards), [id(1), id(3), id(2)]);
        MentorQuery { sort: SortOrder::Rating, ..Default::default() }.order(&mut cards);
        assert_eq!(ids(&cards), [id(2), id(3), id(1)]);
    }

    #[test]
    fn unknown_sort_is_refused() {
        assert!(SortOrder::parse("stars").is_err());
        for order in [SortOrder::Relevance, SortOrder::Rating, SortOrder::PriceAsc, SortOrder::PriceDesc] {
            assert_eq!(SortOrder::parse(order.as_str()).unwrap(), order);
        }
    }

    proptest! {
        #[test]
        fn ordering_is_a_permutation_and_deterministic(prices in proptest::collection::vec(0u32..10_000, 1..20), rotate in 0usize..20) {
            let cards: Vec<MentorCard> = prices.iter().enumerate().map(|(i, p)| card(i as u128 + 1, &[("rust", 3)], &["en"], *p, (4 * i as u32, i as u32))).collect();
            for sort in [SortOrder::Relevance, SortOrder::Rating, SortOrder::PriceAsc, SortOrder::PriceDesc] {
                let query = MentorQuery { sort, ..Default::default() };
                let mut a = cards.clone();
                let mut b = cards.clone();
                let n = b.len();
                b.rotate_left(rotate % n);
                query.order(&mut a);
                query.order(&mut b);
                prop_assert_eq!(&a, &b);
                prop_assert_eq!(a.len(), cards.len());
            }
        }

        #[test]
        fn search_text_parse_never_panics(raw in ".{0,300}") {
            let _ = SearchText::parse(&raw);
        }
    }
}
