//! Smart match: how well a mentor fits what a learner wants, factor by factor.
//!
//! Pure: the caller supplies the candidates and the hours of overlap it computed.

use std::cmp::Ordering;
use std::fmt::Write as _;

use serde::Serialize;

use super::{MentorCard, MentorStats, Skill};

/// How much each factor weighs in the final score (they sum to 1).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Weights {
    /// Skills the learner wants, against the mentor's skills and levels.
    pub skill: f64,
    /// Hours both are free in the matching window.
    pub availability: f64,
    /// Bayesian rating (so few reviews do not beat many good ones).
    pub rating: f64,
    /// How fast the mentor answers requests.
    pub responsiveness: f64,
    /// How much room the mentor has (fewer upcoming sessions is better).
    pub load: f64,
}

/// The platform's weights. Skills come first: a mentor who cannot teach the thing is no
/// match however free or well rated; time overlap next, since a session needs both free.
pub const WEIGHTS: Weights =
    Weights { skill: 0.40, availability: 0.30, rating: 0.20, responsiveness: 0.05, load: 0.05 };

/// Overlap beyond this many hours adds nothing: enough for a few sessions.
pub const ENOUGH_OVERLAP_HOURS: f64 = 6.0;
/// A median answer time of this many minutes scores one half.
pub const HALF_RESPONSIVENESS_MINUTES: f64 = 120.0;
/// This many upcoming sessions scores one half.
pub const HALF_LOAD_SESSIONS: f64 = 5.0;
/// Responsiveness when there is no data yet: neutral.
pub const UNKNOWN_RESPONSIVENESS: f64 = 0.5;

/// Each factor, from 0 (worst) to 1 (best).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Factors {
    /// Skill fit.
    pub skill: f64,
    /// Availability overlap.
    pub availability: f64,
    /// Rating.
    pub rating: f64,
    /// Responsiveness.
    pub responsiveness: f64,
    /// Load.
    pub load: f64,
}

impl Factors {
    /// The weighted sum, from 0 to 1.
    pub fn score(&self) -> f64 {
        let w = WEIGHTS;
        w.skill * self.skill
            + w.availability * self.availability
            + w.rating * self.rating
            + w.responsiveness * self.responsiveness
            + w.load * self.load
    }
}

/// How well one mentor skill meets one wanted skill: full when the mentor's level reaches
/// the wanted level, partial below it, nothing without the skill.
fn skill_fit(wanted: &Skill, card: &MentorCard) -> f64 {
    card.skills
        .iter()
        .find(|s| s.name() == wanted.name())
        .map_or(0.0, |s| (f64::from(s.level().get()) / f64::from(wanted.level().get())).min(1.0))
}

/// The rating factor: the Bayesian average mapped from 1..5 to 0..1.
pub fn rating_factor(stats: &MentorStats) -> f64 {
    ((stats.ranking_rating() - 1.0) / 4.0).clamp(0.0, 1.0)
}

/// The factors for one mentor.
pub fn factors(wanted: &[Skill], card: &MentorCard, overlap_hours: f64) -> Factors {
    let skill = if wanted.is_empty() {
        0.0
    } else {
        wanted.iter().map(|w| skill_fit(w, card)).sum::<f64>() / wanted.len() as f64
    };
    let responsiveness = card
        .stats
        .median_response_minutes
        .map_or(UNKNOWN_RESPONSIVENESS, |m| 1.0 / (1.0 + f64::from(m) / HALF_RESPONSIVENESS_MINUTES));
    Factors {
        skill,
        availability: (overlap_hours.max(0.0) / ENOUGH_OVERLAP_HOURS).min(1.0),
        rating: rating_factor(&card.stats),
        responsiveness,
        load: 1.0 / (1.0 + f64::from(card.stats.upcoming_sessions) / HALF_LOAD_SESSIONS),
    }
}

/// One line saying why a mentor was suggested:
/// "rust 4/5 matches your wanted 3; 6 h overlap in the next 14 days; 4.8 from 37 reviews".
pub fn reason(wanted: &[Skill], card: &MentorCard, overlap_hours: f64, window_days: u32) -> String {
    let mut parts: Vec<String> = Vec::with_capacity(4);
    for want in wanted {
        if let Some(have) = card.skills.iter().find(|s| s.name() == want.name()) {
            let (level, wanted_level) = (have.level().get(), want.level().get());
            let verdict = if level >= wanted_level { "matches" } else { "is below" };
            parts.push(format!("{} {level}/5 {verdict} your wanted {wanted_level}", want.name()));
        }
    }
    if parts.is_empty() {
        parts.push("none of your wanted skills".into());
    }
    let hours = (overlap_hours * 2.0).round() / 2.0;
    parts.push(if hours > 0.0 {
        let mut text = String::new();
        let _ = write!(text, "{hours} h overlap in the next {window_days} days");
        text
    } else {
        format!("no overlap in the next {window_days} days")
    });
    parts.push(match card.stats.average_rating() {
        Some(average) => format!("{average:.1} from {} reviews", card.stats.rating_count),
        None => "no reviews yet".into(),
    });
    parts.join("; ")
}

/// A mentor with their score and its explanation.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Match {
    /// The mentor.
    pub mentor: MentorCard,
    /// Weighted score, 0 to 1.
    pub score: f64,
    /// Each factor, 0 to 1.
    pub factors: Factors,
    /// Hours both are free in the window.
    pub overlap_hours: f64,
    /// Why, in one line.
    pub reason: String,
}

/// Scores and orders candidates: best score first, then by mentor id so equal scores
/// always come out in the same order.
pub fn rank(wanted: &[Skill], candidates: Vec<(MentorCard, f64)>, window_days: u32) -> Vec<Match> {
    let mut matches: Vec<Match> = candidates
        .into_iter()
        .map(|(mentor, overlap_hours)| {
            let factors = factors(wanted, &mentor, overlap_hours);
            let reason = reason(wanted, &mentor, overlap_hours, window_days);
            Match { score: factors.score(), factors, overlap_hours, reason, mentor }
        })
        .collect();
    matches.sort_by(|a, b| {
        b.score.partial_cmp(&a.score).unwrap_or(Ordering::Equal).then_with(|| a.mentor.id.cmp(&b.mentor.id))
    });
    matches
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::{DisplayName, Languages, SkillLevel, SkillName, Skills, UserId, WeeklyAvailability};
    use proptest::prelude::*;

    fn skill(name: &str, level: u8) -> Skill {
        Skill::new(SkillName::parse(name).unwrap(), SkillLevel::new(level).unwrap())
    }

    fn card(id: u128, skills: Vec<Skill>, stats: MentorStats) -> MentorCard {
        MentorCard {
            id: UserId::new(ulid::Ulid(id)),
            name: DisplayName::parse("Mentor").unwrap(),
            headline: None,
            skills: Skills::new(skills).unwrap(),
            languages: Languages::default(),
            timezone: None,
            availability: WeeklyAvailability::default(),
            price: None,
            stats,
            booked: Vec::new(),
        }
    }

    const NAMES: [&str; 6] = ["rust", "go", "python", "sql", "spanish", "math"];

    fn arb_skills() -> impl Strategy<Value = Vec<Skill>> {
        proptest::sample::subsequence(NAMES.to_vec(), 0..=NAMES.len())
            .prop_flat_map(|names| {
                let n = names.len();
                (Just(names), proptest::collection::vec(1u8..=5, n))
            })
            .prop_map(|(names, levels)| names.iter().zip(levels).map(|(n, l)| skill(n, l)).collect())
    }

    fn arb_stats() -> impl Strategy<Value = MentorStats> {
        (0u32..200, 1.0f64..=5.0, proptest::option::of(0u32..2000), 0u32..30).prop_map(
            |(count, avg, response, upcoming)| MentorStats {
                rating_sum: (avg * f64::from(count)).round() as u32,
                rating_count: count,
                median_response_minutes: response,
                upcoming_sessions: upcoming,
                ..Default::default()
            },
        )
    }

    #[test]
    fn reason_reads_like_the_example() {
        let mentor =
            card(1, vec![skill("rust", 4)], MentorStats { rating_sum: 178, rating_count: 37, ..Default::default() });
        let line = reason(&[skill("rust", 3)], &mentor, 6.0, 14);
        assert_eq!(line, "rust 4/5 matches your wanted 3; 6 h overlap in the next 14 days; 4.8 from 37 reviews");
    }

    #[test]
    fn weights_sum_to_one() {
        let w = WEIGHTS;
        assert!((w.skill + w.availability + w.rating + w.responsiveness + w.load - 1.0).abs() < 1e-12);
    }

    #[test]
    fn ties_are_broken_by_id() {
        let stats = MentorStats::default();
        let ranked = rank(&[skill("rust", 3)], vec![(card(9, vec![], stats), 0.0), (card(2, vec![], stats), 0.0)], 14);
        assert_eq!(ranked[0].mentor.id, UserId::new(ulid::Ulid(2)));
    }

    proptest! {
        #[test]
        fn score_is_between_zero_and_one(wanted in arb_skills(), have in arb_skills(), stats in arb_stats(), hours in 0.0f64..100.0) {
            let f = factors(&wanted, &card(1, have, stats), hours);
            prop_assert!((0.0..=1.0).contains(&f.score()));
        }

        #[test]
        fn adding_a_matching_skill_never_lowers_a_score(wanted in arb_skills(), have in arb_skills(), stats in arb_stats(), hours in 0.0f64..20.0, level in 1u8..=5) {
            let before = factors(&wanted, &card(1, have.clone(), stats), hours).score();
            for want in &wanted {
                let mut more = have.clone();
                more.retain(|s| s.name() != want.name());
                let existing = have.iter().find(|s| s.name() == want.name()).map_or(0, |s| s.level().get());
                more.push(skill(want.name().as_str(), level.max(existing)));
                let after = factors(&wanted, &card(1, more, stats), hours).score();
                prop_assert!(after >= before - 1e-12, "{after} < {before}");
            }
        }

        #[test]
        fn no_overlap_ranks_below_an_equal_mentor_with_overlap(wanted in arb_skills(), have in arb_skills(), stats in arb_stats(), hours in 0.5f64..50.0) {
            // The mentor without overlap gets the smaller id, so only the score can put it last.
            let without = card(1, have.clone(), stats);
            let with = card(2, have, stats);
            let ranked = rank(&wanted, vec![(without, 0.0), (with, hours)], 14);
            prop_assert_eq!(ranked[0].mentor.id.clone(), UserId::new(ulid::Ulid(2)));
        }

        #[test]
        fn ranking_is_independent_of_input_order(have in proptest::collection::vec(arb_skills(), 1..8), stats in arb_stats(), seed in any::<u64>()) {
            let wanted = vec![skill("rust", 3), skill("sql", 2)];
            let cards: Vec<(MentorCard, f64)> = have.into_iter().enumerate().map(|(i, s)| (card(i as u128 + 1, s, stats), (i % 3) as f64)).collect();
            let mut shuffled = cards.clone();
            let n = shuffled.len();
            shuffled.rotate_left((seed as usize) % n);
            let a: Vec<_> = rank(&wanted, cards, 14).into_iter().map(|m| m.mentor.id).collect();
            let b: Vec<_> = rank(&wanted, shuffled, 14).into_iter().map(|m| m.mentor.id).collect();
            prop_assert_eq!(a, b);
        }
    }
}
