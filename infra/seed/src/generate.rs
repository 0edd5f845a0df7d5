//! Demo users, built only through the domain constructors so each one is a user the API
//! could have written, and derived only from `(seed, index)` so reseeding overwrites the
//! same items instead of adding new ones.

use std::sync::LazyLock;

use chrono::{DateTime, TimeDelta, Utc};
use shared::domain::{
    AcademicDetails, AccountStatus, AvailabilityWindow, Bio, DisplayName, Email, Headline, Language, Languages,
    MentorStats, Price, Profile, Roles, ShortText, Skill, SkillLevel, SkillName, Skills, StudyYear, TimeOfDay,
    Timezone, User, UserId, VerificationStatus, Weekday, WeeklyAvailability,
};

use shared::domain::payments::LateCancelPolicy;

use crate::rng::Rng;

/// The late-cancel refunds demo mentors offer, in turn.
const LATE_CANCEL_POLICIES: [LateCancelPolicy; 3] =
    [LateCancelPolicy::NoRefund, LateCancelPolicy::HalfRefund, LateCancelPolicy::FullRefund];
use crate::vocabulary::{Field, SKILLS, ZONES, Zone};

/// Domain of every demo address; `.dev` is a real TLD, and this name is ours, so no mail
/// to a demo account can reach a stranger.
pub const DEMO_DOMAIN: &str = "demo.peerlearn.dev";

/// The password of every seeded account that gets credentials (policy: 8-128 characters,
/// not the address).
pub const DEMO_PASSWORD: &str = "peerlearn demo password";

/// Zipf exponent of skill popularity: 1 would give Python half of all mentors; 0.85 keeps a
/// long tail that still has listings.
const ZIPF_EXPONENT: f64 = 0.85;

/// Stream tags, so mentor 7 and learner 7 of one seed are unrelated people.
const MENTOR_STREAM: u64 = 1;
const LEARNER_STREAM: u64 = 2;

/// The demo address of mentor `index`.
pub fn mentor_email(index: usize) -> String {
    format!("mentor{index}@{DEMO_DOMAIN}")
}

/// The demo address of learner `index`.
pub fn learner_email(index: usize) -> String {
    format!("learner{index}@{DEMO_DOMAIN}")
}

/// The vocabulary parsed once into domain values, plus the weight tables drawn from.
struct Tables {
    skills: Vec<SkillName>,
    /// Global Zipf weights, cumulative, in [`SKILLS`] order.
    skill_cumulative: Vec<f64>,
    /// Per field: the skills in it (indexes into `skills`) and their cumulative weights.
    field_skills: Vec<(Vec<usize>, Vec<f64>)>,
    zones: Vec<Timezone>,
    zone_cumulative: Vec<f64>,
    /// Per zone: its languages with the chance of each.
    zone_languages: Vec<Vec<(Language, f64)>>,
    english: Language,
}

fn cumulative(weights: impl Iterator<Item = f64>) -> Vec<f64> {
    weights
        .scan(0.0, |sum, w| {
            *sum += w;
            Some(*sum)
        })
        .collect()
}

// The vocabulary is constant and a unit test parses every entry, so these `expect`s only
// fire if someone breaks vocabulary.rs, and then on first use in any test.
static TABLES: LazyLock<Tables> = LazyLock::new(|| {
    let zipf = |rank: usize| 1.0 / ((rank + 1) as f64).powf(ZIPF_EXPONENT);
    let skills = SKILLS.iter().map(|(name, _)| SkillName::parse(name).expect("vocabulary skill is valid")).collect();
    let field_skills = Field::ALL
        .iter()
        .map(|field| {
            let members: Vec<usize> = (0..SKILLS.len()).filter(|&i| SKILLS[i].1 == *field).collect();
            let weights = cumulative(members.iter().map(|&i| zipf(i)));
            (members, weights)
        })
        .collect();
    Tables {
        skills,
        skill_cumulative: cumulative((0..SKILLS.len()).map(zipf)),
        field_skills,
        zones: ZONES.iter().map(|z| Timezone::parse(z.name).expect("vocabulary zone is valid")).collect(),
        zone_cumulative: cumulative(ZONES.iter().map(|z| z.weight)),
        zone_languages: ZONES
            .iter()
            .map(|z| {
                z.languages
                    .iter()
                    .map(|(tag, p)| (Language::parse(tag).expect("vocabulary language is valid"), *p))
                    .collect()
            })
            .collect(),
        english: Language::parse("en").expect("en is a language"),
    }
});

/// 2026-01-01T00:00:00Z: a fixed creation time, so two runs write identical items.
fn epoch() -> DateTime<Utc> {
    DateTime::from_timestamp(1_767_225_600, 0).unwrap_or_default()
}

/// The id of a user created at `created_at`: a real ULID (time-ordered like every other id)
/// whose random part comes from the user's stream.
fn user_id(rng: &mut Rng, created_at: DateTime<Utc>) -> UserId {
    let random = (u128::from(rng.next_u64()) << 64) | u128::from(rng.next_u64());
    UserId::new(ulid::Ulid::from_parts(created_at.timestamp_millis().unsigned_abs(), random))
}

fn name(rng: &mut Rng, zone: &Zone) -> DisplayName {
    let first = rng.pick(zone.names.first);
    let last = rng.pick(zone.names.last);
    DisplayName::parse(&format!("{first} {last}")).expect("vocabulary names make a valid display name")
}

/// One to three languages a person in `zone` plausibly speaks, local first, then often English.
fn languages(rng: &mut Rng, zone_index: usize) -> Languages {
    let tables = &*TABLES;
    let local = &tables.zone_languages[zone_index];
    let mut chosen: Vec<Language> = Vec::with_capacity(3);
    for (language, p) in local {
        if chosen.len() < 3 && rng.chance(*p) {
            chosen.push(language.clone());
        }
    }
    if chosen.is_empty() {
        chosen.push(local[0].0.clone());
    }
    if chosen.len() < 3 && !chosen.contains(&tables.english) && rng.chance(ZONES[zone_index].english) {
        chosen.push(tables.english.clone());
    }
    Languages::new(chosen).expect("at most 3 distinct languages")
}

/// A skill index by global popularity.
fn popular_skill(rng: &mut Rng) -> usize {
    rng.cumulative(&TABLES.skill_cumulative)
}

/// A skill index from `field`, by popularity within it.
fn skill_in(rng: &mut Rng, field: Field) -> usize {
    let (members, weights) = &TABLES.field_skills[field.index()];
    members[rng.cumulative(weights)]
}

/// `count` distinct skills not in `taken`: the first by global popularity, the rest
/// mostly from the first one's field (people's skills cluster), else from anywhere.
fn distinct_skills(rng: &mut Rng, count: usize, same_field: f64, taken: &[usize]) -> Vec<usize> {
    let mut picked: Vec<usize> = Vec::with_capacity(count);
    // Bounded so a small field or a long `taken` list cannot loop forever; falling short by
    // one skill is harmless.
    for _ in 0..count * 20 {
        if picked.len() == count {
            break;
        }
        let candidate = match picked.first() {
            Some(&first) if rng.chance(same_field) => skill_in(rng, SKILLS[first].1),
            _ => popular_skill(rng),
        };
        if !picked.contains(&candidate) && !taken.contains(&candidate) {
            picked.push(candidate);
        }
    }
    picked
}

fn level(rng: &mut Rng, weights: &[(u8, f64)]) -> SkillLevel {
    let levels: Vec<f64> = weights.iter().map(|(_, w)| *w).collect();
    SkillLevel::new(weights[rng.weighted(&levels)].0).expect("levels in the tables are 1-5")
}

fn skills(pairs: impl Iterator<Item = (usize, SkillLevel)>) -> Skills {
    let list = pairs.map(|(index, level)| Skill::new(TABLES.skills[index].clone(), level)).collect();
    Skills::new(list).expect("at most 8 distinct skills")
}

/// Weekly patterns people actually keep, each in its own band of the local day so any
/// combination is free of overlaps by construction.
#[derive(Clone, Copy)]
enum Slot {
    EarlyMorning,
    Lunch,
    Afternoon,
    Evening,
    WeekendMorning,
    WeekendAfternoon,
}

const WEEKDAYS: [Weekday; 5] = [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri];

fn weekdays(rng: &mut Rng) -> Vec<Weekday> {
    use Weekday::*;
    match rng.weighted(&[40.0, 20.0, 15.0, 15.0, 10.0]) {
        0 => WEEKDAYS.to_vec(),
        1 => vec![Mon, Tue, Wed, Thu],
        2 => vec![Mon, Wed, Fri],
        3 => vec![Tue, Thu],
        _ => {
            let mut days: Vec<Weekday> = WEEKDAYS.iter().copied().filter(|_| rng.chance(0.5)).collect();
            if days.is_empty() {
                days.push(*rng.pick(&WEEKDAYS));
            }
            days
        }
    }
}

fn weekend(rng: &mut Rng) -> Vec<Weekday> {
    match rng.weighted(&[50.0, 30.0, 20.0]) {
        0 => vec![Weekday::Sat, Weekday::Sun],
        1 => vec![Weekday::Sat],
        _ => vec![Weekday::Sun],
    }
}

/// The slot's windows: the same local hours on each chosen day, as people keep them.
/// Times are quarter-hour counts; each band's latest end stays below the next band's start.
fn windows(rng: &mut Rng, slot: Slot) -> Vec<AvailabilityWindow> {
    // (earliest start, latest start, shortest, longest), all in quarter hours.
    let (first, last, shortest, longest, days) = match slot {
        Slot::EarlyMorning => (24, 30, 3, 6, weekdays(rng)), // 06:00-07:30 start, ends by 09:00
        Slot::Lunch => (48, 52, 2, 4, weekdays(rng)),        // 12:00-13:00, ends by 14:00
        Slot::Afternoon => (56, 62, 4, 6, weekdays(rng)),    // 14:00-15:30, ends by 17:00
        Slot::Evening => (70, 78, 6, 12, weekdays(rng)),     // 17:30-19:30, ends by 22:30
        Slot::WeekendMorning => (34, 42, 8, 12, weekend(rng)), // 08:30-10:30, ends by 13:30
        Slot::WeekendAfternoon => (56, 64, 8, 12, weekend(rng)), // 14:00-16:00, ends by 19:00
    };
    // Round hours are likelier than odd quarters: people say "18:00", not "18:15".
    let start = if rng.chance(0.6) { (rng.between(first, last) / 4) * 4 } else { rng.between(first, last) };
    let start = start.max(first);
    let length =
        if rng.chance(0.5) { (rng.between(shortest, longest) / 2) * 2 } else { rng.between(shortest, longest) };
    let length = length.max(shortest);
    let at = |quarters: u32| TimeOfDay::from_minutes((quarters * 15) as u16).expect("quarter hours within the day");
    days.into_iter()
        .map(|day| AvailabilityWindow::new(day, at(start), at(start + length)).expect("start before end"))
        .collect()
}

/// Who keeps which hours.
#[derive(Clone, Copy, PartialEq)]
enum Schedule {
    Worker,
    LunchBreaks,
    EarlyBird,
    Freelancer,
    Weekender,
    Student,
}

fn availability(rng: &mut Rng, schedule: Schedule) -> WeeklyAvailability {
    let mut slots = Vec::with_capacity(3);
    match schedule {
        Schedule::Worker => {
            slots.push(Slot::Evening);
            if rng.chance(0.6) {
                slots.push(Slot::WeekendMorning);
            }
        }
        Schedule::LunchBreaks => {
            slots.push(Slot::Lunch);
            if rng.chance(0.5) {
                slots.push(Slot::Evening);
            }
        }
        Schedule::EarlyBird => {
            slots.push(Slot::EarlyMorning);
            if rng.chance(0.6) {
                slots.push(Slot::WeekendMorning);
            }
        }
        Schedule::Freelancer => {
            slots.push(Slot::Afternoon);
            if rng.chance(0.5) {
                slots.push(Slot::Lunch);
            }
            if rng.chance(0.4) {
                slots.push(Slot::WeekendAfternoon);
            }
        }
        Schedule::Weekender => {
            slots.push(Slot::WeekendMorning);
            if rng.chance(0.6) {
                slots.push(Slot::WeekendAfternoon);
            }
        }
        Schedule::Student => {
            slots.push(Slot::Afternoon);
            if rng.chance(0.5) {
                slots.push(Slot::Evening);
            }
            if rng.chance(0.3) {
                slots.push(Slot::WeekendAfternoon);
            }
        }
    }
    let all = slots.into_iter().flat_map(|slot| windows(rng, slot)).collect();
    WeeklyAvailability::new(all).expect("slots occupy disjoint bands, at most 17 windows")
}

fn years_phrase(years: u32) -> String {
    if years == 1 { "1 year".into() } else { format!("{years} years") }
}

fn display(index: usize) -> &'static str {
    SKILLS[index].0
}

fn mentor_headline(rng: &mut Rng, top: &[usize], years: u32) -> Headline {
    let field = SKILLS[top[0]].1;
    let main = display(top[0]);
    let text = match (rng.below(4), top.get(1)) {
        (0, Some(&second)) => {
            format!("{main} & {} mentor · {} in {}", display(second), years_phrase(years), field.experience())
        }
        (1, _) => format!("{} who teaches {main} · {}", capitalise(field.role()), years_phrase(years)),
        (2, _) if years >= 8 => format!("Senior {} · {main} mentor", field.role()),
        _ => format!("{main} mentor · {} in {}", years_phrase(years), field.experience()),
    };
    Headline::parse(&text).expect("headline templates stay under 120 characters")
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

fn list_phrase(names: &[&str]) -> String {
    match names {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn mentor_bio(rng: &mut Rng, top: &[usize], years: u32) -> Bio {
    let names: Vec<&str> = top.iter().take(3).map(|&i| display(i)).collect();
    let opening = format!("I have worked with {} for {}.", list_phrase(&names), years_phrase(years));
    let offer = *rng.pick(&[
        "I enjoy helping beginners get past the first hard weeks.",
        "Bring a project you are stuck on and we will work through it together.",
        "Sessions are hands-on: we write, review and fix real work.",
        "I help people prepare for interviews and take the next step in their careers.",
        "Happy to review your code, your designs or your study plan.",
    ]);
    let style = *rng.pick(&[
        "Patient, practical, and honest about trade-offs.",
        "I like clear goals for every session.",
        "Homework is optional but recommended.",
        "",
    ]);
    let text = if style.is_empty() { format!("{opening} {offer}") } else { format!("{opening} {offer}\n\n{style}") };
    Bio::parse(&text).expect("bio templates stay under 2000 characters")
}

fn academic(rng: &mut Rng, zone: &Zone, field: Field, years: (u32, u32)) -> AcademicDetails {
    let Some(programme) = field.programme() else {
        return AcademicDetails::default();
    };
    let text = |raw: &str| ShortText::parse(raw).expect("vocabulary text is short");
    let year = StudyYear::new(rng.between(years.0, years.1) as u8).expect("years 1-10");
    AcademicDetails::new(Some(text(zone.university)), Some(text(programme)), Some(year))
}

/// Hourly price: some free, most between $10 and $150 in $5 steps, cheap ones likelier.
fn price(rng: &mut Rng) -> Option<Price> {
    let cents = match rng.weighted(&[12.0, 6.0, 82.0]) {
        0 => return None,
        1 => 0,
        _ => 500 * (2 + (28.0 * rng.unit().powf(1.8)).floor() as u32),
    };
    Some(Price::from_cents(cents).expect("at most 15000 cents"))
}

/// A listed mentor's track record: most have few reviews, averages lean high, and most
/// answer within the hour.
fn track_record(rng: &mut Rng) -> MentorStats {
    // Log-uniform over 0..=300: as many mentors with 1-16 reviews as with 17-300.
    let count = (301f64.powf(rng.unit()).floor() as u32).saturating_sub(1).min(300);
    let average = 5.0 - 1.5 * rng.unit().powi(2);
    let response = rng.chance(0.8).then(|| (5.0 * 400f64.powf(rng.unit().powf(1.4))).round() as u32);
    MentorStats {
        rating_sum: (average * f64::from(count)).round() as u32,
        rating_count: count,
        median_response_minutes: response,
        upcoming_sessions: (16.0 * rng.unit().powi(2)).floor() as u32,
        ..Default::default()
    }
}

fn zone(rng: &mut Rng) -> usize {
    rng.cumulative(&TABLES.zone_cumulative)
}

fn created_at(index: usize) -> DateTime<Utc> {
    epoch() + TimeDelta::seconds(index as i64)
}

/// Mentor `index` of the demo set for `seed`: always the same user for the same pair.
///
/// Mentor 0 is always verified, so the first demo login is a mentor learners can find.
pub fn demo_mentor(seed: u64, index: usize) -> User {
    let mut rng = Rng::for_user(seed, MENTOR_STREAM, index);
    let created_at = created_at(index);
    let id = user_id(&mut rng, created_at);
    let zone_index = zone(&mut rng);
    let zone = &ZONES[zone_index];
    let name = name(&mut rng, zone);

    let count = [2, 3, 4, 5, 6, 7, 8][rng.weighted(&[10.0, 20.0, 22.0, 18.0, 12.0, 10.0, 8.0])];
    let top = distinct_skills(&mut rng, count, 0.7, &[]);
    let field = SKILLS[top[0]].1;
    // The main skill is the one they are best at; the others are mostly solid.
    let main_level = [(3, 10.0), (4, 45.0), (5, 45.0)];
    let other_level = [(2, 10.0), (3, 35.0), (4, 35.0), (5, 20.0)];
    let levels: Vec<SkillLevel> = (0..top.len())
        .map(|i| if i == 0 { level(&mut rng, &main_level) } else { level(&mut rng, &other_level) })
        .collect();
    let years = 1 + (19.0 * rng.unit().powf(1.6)).floor() as u32;

    let both = rng.chance(0.1);
    let learning = if both {
        let count = 1 + rng.below(2);
        let wanted = distinct_skills(&mut rng, count, 0.3, &top);
        let levels: Vec<SkillLevel> =
            wanted.iter().map(|_| level(&mut rng, &[(2, 30.0), (3, 45.0), (4, 25.0)])).collect();
        skills(wanted.into_iter().zip(levels))
    } else {
        Skills::default()
    };

    let headline = mentor_headline(&mut rng, &top, years);
    let bio = rng.chance(0.7).then(|| mentor_bio(&mut rng, &top, years));
    let academic = if rng.chance(0.15) { academic(&mut rng, zone, field, (1, 5)) } else { AcademicDetails::default() };
    let languages = languages(&mut rng, zone_index);
    let schedule =
        [Schedule::Worker, Schedule::LunchBreaks, Schedule::EarlyBird, Schedule::Freelancer, Schedule::Weekender]
            [rng.weighted(&[45.0, 12.0, 10.0, 18.0, 15.0])];
    let availability = availability(&mut rng, schedule);
    let price = price(&mut rng);

    let verification = match rng.weighted(&[90.0, 6.0, 4.0]) {
        _ if index == 0 => VerificationStatus::Verified,
        0 => VerificationStatus::Verified,
        1 => VerificationStatus::Pending,
        _ => VerificationStatus::Unverified,
    };
    let record = track_record(&mut rng);
    // Only a verified mentor can have been booked or reviewed.
    let mentor = if verification == VerificationStatus::Verified { record } else { MentorStats::default() };

    User {
        id,
        email: Email::parse(&mentor_email(index)).expect("demo addresses are valid"),
        name,
        roles: Roles::from_requested(if both { "both" } else { "mentor" }).expect("self-service roles"),
        status: AccountStatus::Active,
        email_verified: true,
        phone: None,
        tokens_not_before: None,
        verification,
        mentor,
        booked: Vec::new(),
        profile: Profile {
            headline: Some(headline),
            bio,
            academic,
            skills: skills(top.into_iter().zip(levels)),
            learning,
            languages,
            timezone: Some(TABLES.zones[zone_index]),
            availability,
            price,
            // Spread over the three policies without drawing from the generator, so every
            // other generated value stays as it was.
            late_cancel: LATE_CANCEL_POLICIES[index % LATE_CANCEL_POLICIES.len()],
        },
        created_at,
        updated_at: created_at,
        version: 1,
    }
}

/// Learner `index` of the demo set for `seed`: always the same user for the same pair.
pub fn demo_learner(seed: u64, index: usize) -> User {
    let mut rng = Rng::for_user(seed, LEARNER_STREAM, index);
    let created_at = created_at(index);
    let id = user_id(&mut rng, created_at);
    let zone_index = zone(&mut rng);
    let zone = &ZONES[zone_index];
    let name = name(&mut rng, zone);

    let count = 1 + rng.weighted(&[30.0, 35.0, 22.0, 13.0]);
    let wanted = distinct_skills(&mut rng, count, 0.6, &[]);
    let field = SKILLS[wanted[0]].1;
    let wanted_levels: Vec<SkillLevel> =
        wanted.iter().map(|_| level(&mut rng, &[(2, 30.0), (3, 45.0), (4, 25.0)])).collect();
    let own_count = rng.weighted(&[40.0, 35.0, 25.0]);
    let own = distinct_skills(&mut rng, own_count, 0.0, &wanted);
    let own_levels: Vec<SkillLevel> = own.iter().map(|_| level(&mut rng, &[(1, 30.0), (2, 45.0), (3, 25.0)])).collect();

    let main = display(wanted[0]);
    let headline = match rng.weighted(&[25.0, 20.0, 10.0, 45.0]) {
        0 => Some(format!("Learning {main}")),
        1 => field.programme().map(|p| format!("{p} student learning {main}")),
        2 => Some(format!("Aspiring {}", field.role())),
        _ => None,
    }
    .map(|text| Headline::parse(&text).expect("headline templates stay under 120 characters"));
    let bio = rng.chance(0.3).then(|| {
        let reason = *rng.pick(&[
            "for a new job",
            "for my degree",
            "for a side project",
            "because I have always wanted to",
            "to pass an exam this year",
        ]);
        Bio::parse(&format!("I am learning {main} {reason}. Looking for a patient mentor and regular sessions."))
            .expect("bio template is short")
    });
    let academic = if rng.chance(0.65) { academic(&mut rng, zone, field, (1, 5)) } else { AcademicDetails::default() };
    let languages = languages(&mut rng, zone_index);
    let schedule =
        [Schedule::Student, Schedule::Worker, Schedule::Weekender, Schedule::LunchBreaks, Schedule::EarlyBird]
            [rng.weighted(&[35.0, 35.0, 15.0, 7.0, 8.0])];
    // Some learners have not filled in their hours yet.
    let availability = if rng.chance(0.85) { availability(&mut rng, schedule) } else { WeeklyAvailability::default() };

    User {
        id,
        email: Email::parse(&learner_email(index)).expect("demo addresses are valid"),
        name,
        roles: Roles::from_requested("learner").expect("self-service roles"),
        status: AccountStatus::Active,
        email_verified: true,
        phone: None,
        tokens_not_before: None,
        verification: VerificationStatus::Unverified,
        mentor: MentorStats::default(),
        booked: Vec::new(),
        profile: Profile {
            headline,
            bio,
            academic,
            skills: skills(own.into_iter().zip(own_levels)),
            learning: skills(wanted.into_iter().zip(wanted_levels)),
            languages,
            timezone: Some(TABLES.zones[zone_index]),
            availability,
            price: None,
            late_cancel: LateCancelPolicy::default(),
        },
        created_at,
        updated_at: created_at,
        version: 1,
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::collections::HashMap;

    use shared::domain::{MentorCard, Role};

    use super::*;

    #[test]
    fn every_vocabulary_entry_passes_the_domain_parsers() {
        for (name, _) in SKILLS {
            SkillName::parse(name).unwrap();
            assert!(!name.contains(['&', '\'', '(']), "{name}");
        }
        let unique: std::collections::HashSet<_> = TABLES.skills.iter().collect();
        assert_eq!(unique.len(), SKILLS.len(), "skill names repeat after normalisation");
        // The vocabulary docs state these counts.
        assert_eq!((SKILLS.len(), ZONES.len()), (225, 38));
        for zone in ZONES {
            Timezone::parse(zone.name).unwrap();
            ShortText::parse(zone.university).unwrap();
            for (tag, p) in zone.languages {
                Language::parse(tag).unwrap();
                assert!((0.0..=1.0).contains(p));
            }
            for first in zone.names.first {
                for last in zone.names.last {
                    DisplayName::parse(&format!("{first} {last}")).unwrap();
                }
            }
        }
        assert!(ZONES.iter().any(|z| z.name == "Europe/Madrid"));
        assert!(ZONES.iter().any(|z| z.name == "America/Mexico_City"));
        for field in Field::ALL {
            assert!(!TABLES.field_skills[field.index()].0.is_empty(), "{field:?} has no skills");
            assert_eq!(Field::ALL[field.index()], field);
        }
    }

    #[test]
    fn same_seed_and_index_give_the_same_user() {
        for index in [0, 1, 17, 99_999] {
            assert_eq!(demo_mentor(42, index), demo_mentor(42, index));
            assert_eq!(demo_learner(42, index), demo_learner(42, index));
        }
    }

    #[test]
    fn different_seeds_and_indexes_give_different_users() {
        assert_ne!(demo_mentor(42, 3).id, demo_mentor(43, 3).id);
        assert_ne!(demo_mentor(42, 3).profile, demo_mentor(43, 3).profile);
        assert_ne!(demo_mentor(42, 3).id, demo_mentor(42, 4).id);
        assert_ne!(demo_mentor(42, 3).id, demo_learner(42, 3).id);
        // Same index, same address: that is what makes reseeding overwrite instead of add.
        assert_eq!(demo_mentor(42, 3).email, demo_mentor(43, 3).email);
    }

    /// Re-parses every value through its constructor: a user the API would accept.
    fn assert_valid(user: &User) {
        Email::parse(user.email.as_str()).unwrap();
        DisplayName::parse(user.name.as_str()).unwrap();
        let p = &user.profile;
        if let Some(h) = &p.headline {
            assert_eq!(Headline::parse(h.as_str()).unwrap(), *h);
        }
        if let Some(b) = &p.bio {
            assert_eq!(Bio::parse(b.as_str()).unwrap(), *b);
        }
        for list in [&p.skills, &p.learning] {
            let rebuilt: Vec<Skill> = list
                .iter()
                .map(|s| {
                    Skill::new(SkillName::parse(s.name().as_str()).unwrap(), SkillLevel::new(s.level().get()).unwrap())
                })
                .collect();
            assert_eq!(Skills::new(rebuilt).unwrap(), *list);
        }
        let langs: Vec<Language> = p.languages.iter().map(|l| Language::parse(l.as_str()).unwrap()).collect();
        assert!((1..=3).contains(&langs.len()));
        assert_eq!(Languages::new(langs).unwrap(), p.languages);
        let zone = p.timezone.unwrap();
        Timezone::parse(zone.name()).unwrap();
        let windows: Vec<AvailabilityWindow> = p
            .availability
            .iter()
            .map(|w| {
                let start = TimeOfDay::parse(&w.start().to_string()).unwrap();
                let end = TimeOfDay::parse(&w.end().to_string()).unwrap();
                assert_eq!(start.minutes() % 15, 0);
                AvailabilityWindow::new(w.day(), start, end).unwrap()
            })
            .collect();
        assert_eq!(WeeklyAvailability::new(windows).unwrap(), p.availability);
        if let Some(price) = p.price {
            assert!(price.cents() <= 15_000);
            Price::from_cents(price.cents()).unwrap();
        }
        // The whole user survives the storage round trip the API uses.
        shared::adapters::dynamo::DynamoStore::user_items(user, Some("hash")).unwrap();
        assert_eq!(user.version, 1);
        assert_eq!(user.created_at, user.updated_at);
    }

    #[test]
    fn every_generated_user_is_valid_and_plausible() {
        for index in 0..2000 {
            let mentor = demo_mentor(7, index);
            assert_valid(&mentor);
            assert!(mentor.roles.contains(Role::Mentor));
            assert!((2..=8).contains(&mentor.profile.skills.len()));
            assert!(mentor.profile.headline.is_some());
            assert!(!mentor.profile.availability.is_empty());
            assert_eq!(mentor.email.as_str(), format!("mentor{index}@demo.peerlearn.dev"));
            let stats = mentor.mentor;
            assert!(stats.rating_count <= 300 && stats.upcoming_sessions <= 15);
            if stats.rating_count > 0 {
                let average = f64::from(stats.rating_sum) / f64::from(stats.rating_count);
                assert!((3.49..=5.0).contains(&average), "{average}");
            }
            if let Some(minutes) = stats.median_response_minutes {
                assert!((5..=2000).contains(&minutes));
            }
            let learner = demo_learner(7, index);
            assert_valid(&learner);
            assert!(learner.roles.contains(Role::Learner) && !learner.roles.contains(Role::Mentor));
            assert!((1..=4).contains(&learner.profile.learning.len()));
            assert!(learner.profile.skills.len() <= 2);
            assert!(learner.profile.learning.iter().all(|s| (2..=4).contains(&s.level().get())));
            assert!(MentorCard::of(&learner).is_none());
        }
    }

    #[test]
    fn most_mentors_are_verified_and_mentor_zero_always() {
        let verified = (0..1000).filter(|&i| demo_mentor(42, i).verification == VerificationStatus::Verified).count();
        assert!(verified >= 850, "{verified} of 1000 verified");
        assert!(verified < 1000);
        for seed in 0..20 {
            assert_eq!(demo_mentor(seed, 0).verification, VerificationStatus::Verified);
        }
    }

    #[test]
    fn skill_popularity_is_skewed() {
        let mut counts: HashMap<String, usize> = HashMap::new();
        for index in 0..2000 {
            for skill in demo_mentor(42, index).profile.skills.iter() {
                *counts.entry(skill.name().as_str().to_owned()).or_default() += 1;
            }
        }
        let mut sorted: Vec<usize> = counts.values().copied().collect();
        sorted.sort_unstable_by(|a, b| b.cmp(a));
        let total: usize = sorted.iter().sum();
        let top10: usize = sorted.iter().take(10).sum();
        // Zipf-like: a few skills take a big share, and the tail is long but present.
        assert!(top10 * 100 / total >= 25, "top 10 skills hold {top10} of {total}");
        assert!(sorted[0] >= 10 * sorted[sorted.len() / 2], "{} vs median {}", sorted[0], sorted[sorted.len() / 2]);
        assert!(counts.len() >= 150, "only {} distinct skills", counts.len());
        assert!(counts["python"] > counts["cobol"]);
    }

    #[test]
    fn levels_and_languages_look_like_people() {
        let mut high = 0;
        let mut total = 0;
        let mut english = 0;
        for index in 0..1000 {
            let mentor = demo_mentor(42, index);
            for skill in mentor.profile.skills.iter() {
                total += 1;
                high += usize::from(skill.level().get() >= 3);
            }
            english += usize::from(mentor.profile.languages.iter().any(|l| l.as_str() == "en"));
            let zone = mentor.profile.timezone.unwrap().name();
            let first = mentor.profile.languages.as_slice()[0].as_str().to_owned();
            match zone {
                "Europe/Madrid" | "America/Mexico_City" => assert_eq!(first, "es"),
                "America/Sao_Paulo" => assert_eq!(first, "pt-BR"),
                _ => {}
            }
        }
        assert!(high * 100 / total >= 85, "{high} of {total} levels are 3-5");
        assert!((500..950).contains(&english), "{english} of 1000 speak English");
    }
}
