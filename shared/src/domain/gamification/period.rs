//! Leaderboard periods: ISO weeks and calendar months, in UTC.
//!
//! The server decides which period a point belongs to, from the instant it was awarded; a
//! client only ever names a period to read. UTC (not the member's zone) because a board is
//! shared: every member's points must fall into the same windows.

use std::fmt;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};
use serde::{Deserialize, Serialize};

use crate::domain::Invalid;

/// Earliest year a period may fall in: the text form has a four-digit year.
pub const MIN_YEAR: i32 = 1;

/// Latest year a period may fall in: the text form has a four-digit year.
pub const MAX_YEAR: i32 = 9999;

/// How long a leaderboard period lasts; the `{weekly|monthly}` path segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum PeriodKind {
    /// An ISO week, Monday 00:00 UTC to the next Monday.
    Weekly,
    /// A calendar month, the 1st 00:00 UTC to the next month's 1st.
    Monthly,
}

impl PeriodKind {
    /// Both kinds.
    pub const ALL: [PeriodKind; 2] = [PeriodKind::Weekly, PeriodKind::Monthly];

    /// The serialised form, `"weekly"` or `"monthly"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            PeriodKind::Weekly => "weekly",
            PeriodKind::Monthly => "monthly",
        }
    }

    /// Parses the path segment, exactly `weekly` or `monthly`.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        match raw {
            "weekly" => Ok(PeriodKind::Weekly),
            "monthly" => Ok(PeriodKind::Monthly),
            _ => Err(Invalid::new("must be weekly or monthly")),
        }
    }

    /// The period of this kind that holds `instant`.
    pub fn period_of(self, instant: DateTime<Utc>) -> LeaderboardPeriod {
        match self {
            PeriodKind::Weekly => LeaderboardPeriod::week_of(instant),
            PeriodKind::Monthly => LeaderboardPeriod::month_of(instant),
        }
    }
}

impl fmt::Display for PeriodKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One leaderboard window: an ISO week (`2026-W47`) or a calendar month (`2026-11`), in UTC.
///
/// Build one with [`week_of`](Self::week_of), [`month_of`](Self::month_of), [`parse`](Self::parse)
/// or the checked [`week`](Self::week) / [`month`](Self::month); the fields are public so
/// callers can match on them. A value built by hand outside those ranges (week 54, month 13)
/// is not a period: [`start`](Self::start) and [`end`](Self::end) then give those of the
/// nearest valid period, so nothing panics, and it prints as written (so will not parse back).
///
/// Serialised as its canonical text, and deserialised through [`parse`](Self::parse).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum LeaderboardPeriod {
    /// An ISO 8601 week: weeks start on Monday, and week 1 is the one holding the year's
    /// first Thursday, so `iso_year` can differ from the calendar year near 1 January.
    Week {
        /// The ISO week-numbering year.
        iso_year: i32,
        /// 1 to 52, or 53 in years that have one.
        week: u32,
    },
    /// A calendar month.
    Month {
        /// The year.
        year: i32,
        /// 1 to 12.
        month: u32,
    },
}

impl LeaderboardPeriod {
    /// The ISO week, in UTC, that holds `instant`.
    pub fn week_of(instant: DateTime<Utc>) -> Self {
        let iso = instant.date_naive().iso_week();
        Self::Week { iso_year: iso.year(), week: iso.week() }.normalised()
    }

    /// The calendar month, in UTC, that holds `instant`.
    pub fn month_of(instant: DateTime<Utc>) -> Self {
        let day = instant.date_naive();
        Self::Month { year: day.year(), month: day.month() }.normalised()
    }

    /// ISO week `week` of `iso_year`, if it exists (week 53 only in long years).
    pub fn week(iso_year: i32, week: u32) -> Result<Self, Invalid> {
        check_year(iso_year)?;
        let last = weeks_in(iso_year);
        if !(1..=last).contains(&week) {
            return Err(Invalid::because(format!("week must be 01 to {last} in {iso_year:04}")));
        }
        Ok(Self::Week { iso_year, week })
    }

    /// Month `month` (1 to 12) of `year`.
    pub fn month(year: i32, month: u32) -> Result<Self, Invalid> {
        check_year(year)?;
        if !(1..=12).contains(&month) {
            return Err(Invalid::new("month must be 01 to 12"));
        }
        Ok(Self::Month { year, month })
    }

    /// Parses the canonical text only: `2026-W47` (ISO week) or `2026-11` (month), with a
    /// four-digit year and two-digit week or month. No signs, spaces or lowercase `w`, so each
    /// period has exactly one spelling (it ends up in table keys).
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        const FORMAT: &str = "must be an ISO week such as 2026-W47 or a month such as 2026-11";
        let bytes = raw.as_bytes();
        let year = match bytes.get(..5) {
            // Four digits always fit an i32; the conversion only avoids a cast.
            Some([y1, y2, y3, y4, b'-']) => digits(&[*y1, *y2, *y3, *y4]).and_then(|year| i32::try_from(year).ok()),
            _ => None,
        };
        let Some(year) = year else { return Err(Invalid::new(FORMAT)) };
        match bytes.get(5..) {
            Some([b'W', w1, w2]) => match digits(&[*w1, *w2]) {
                Some(week) => Self::week(year, week),
                None => Err(Invalid::new(FORMAT)),
            },
            Some([m1, m2]) => match digits(&[*m1, *m2]) {
                Some(month) => Self::month(year, month),
                None => Err(Invalid::new(FORMAT)),
            },
            _ => Err(Invalid::new(FORMAT)),
        }
    }

    /// The period a `GET /leaderboards/{kind}?period=` request reads: the current one (by the
    /// server's `now`) when `raw` is absent, else the named one, which must be of `kind` and
    /// must already have started (a future board is always empty, so asking is a mistake).
    pub fn requested(kind: PeriodKind, raw: Option<&str>, now: DateTime<Utc>) -> Result<Self, Invalid> {
        let Some(raw) = raw else { return Ok(kind.period_of(now)) };
        let period = Self::parse(raw)?;
        if period.kind() != kind {
            return Err(Invalid::new(match kind {
                PeriodKind::Weekly => "must be an ISO week such as 2026-W47",
                PeriodKind::Monthly => "must be a month such as 2026-11",
            }));
        }
        if period.start() > now {
            return Err(Invalid::new("must not be in the future"));
        }
        Ok(period)
    }

    /// Whether this is a week or a month.
    pub const fn kind(self) -> PeriodKind {
        match self {
            Self::Week { .. } => PeriodKind::Weekly,
            Self::Month { .. } => PeriodKind::Monthly,
        }
    }

    /// The first instant in the period: Monday 00:00 UTC, or the 1st 00:00 UTC.
    pub fn start(self) -> DateTime<Utc> {
        midnight(match self.normalised() {
            Self::Week { iso_year, week } => NaiveDate::from_isoywd_opt(iso_year, week, Weekday::Mon),
            Self::Month { year, month } => NaiveDate::from_ymd_opt(year, month, 1),
        })
    }

    /// The first instant after the period (exclusive end), which is the next period's start.
    pub fn end(self) -> DateTime<Utc> {
        match self.normalised() {
            // Computed from the start rather than as the next period's start, so the last
            // supported week still gets its true end instead of a saturated one.
            week @ Self::Week { .. } => {
                week.start().checked_add_signed(TimeDelta::days(7)).unwrap_or(DateTime::<Utc>::MAX_UTC)
            }
            Self::Month { year, month: 12 } => midnight(NaiveDate::from_ymd_opt(year + 1, 1, 1)),
            Self::Month { year, month } => midnight(NaiveDate::from_ymd_opt(year, month + 1, 1)),
        }
    }

    /// The period just before, of the same kind; the earliest supported period (0001-W01,
    /// 0001-01) is its own previous, so this never leaves the supported range.
    #[must_use]
    pub fn previous(self) -> Self {
        match self.normalised() {
            Self::Week { iso_year, week } if week > 1 => Self::Week { iso_year, week: week - 1 },
            Self::Week { iso_year, .. } if iso_year > MIN_YEAR => {
                Self::Week { iso_year: iso_year - 1, week: weeks_in(iso_year - 1) }
            }
            Self::Month { year, month } if month > 1 => Self::Month { year, month: month - 1 },
            Self::Month { year, .. } if year > MIN_YEAR => Self::Month { year: year - 1, month: 12 },
            first => first,
        }
    }

    /// True when `instant` falls in the period (start inclusive, end exclusive).
    pub fn contains(self, instant: DateTime<Utc>) -> bool {
        self.start() <= instant && instant < self.end()
    }

    /// The nearest valid period: the year clamped to the supported range, then the week or
    /// month clamped to that year's. Only hand-built values ever change here.
    fn normalised(self) -> Self {
        match self {
            Self::Week { iso_year, .. } if iso_year < MIN_YEAR => Self::Week { iso_year: MIN_YEAR, week: 1 },
            Self::Week { iso_year, .. } if iso_year > MAX_YEAR => {
                Self::Week { iso_year: MAX_YEAR, week: weeks_in(MAX_YEAR) }
            }
            Self::Week { iso_year, week } => Self::Week { iso_year, week: week.clamp(1, weeks_in(iso_year)) },
            Self::Month { year, .. } if year < MIN_YEAR => Self::Month { year: MIN_YEAR, month: 1 },
            Self::Month { year, .. } if year > MAX_YEAR => Self::Month { year: MAX_YEAR, month: 12 },
            Self::Month { year, month } => Self::Month { year, month: month.clamp(1, 12) },
        }
    }
}

/// Refuses years the four-digit text form cannot hold.
fn check_year(year: i32) -> Result<(), Invalid> {
    if (MIN_YEAR..=MAX_YEAR).contains(&year) { Ok(()) } else { Err(Invalid::new("year must be 0001 to 9999")) }
}

/// The number of ISO weeks (52 or 53) in `iso_year`.
///
/// Plain arithmetic (so it is total): a year is long when it starts on a Thursday, or is a
/// leap year starting on a Wednesday; equivalently, when `p(year) == 4` or `p(year - 1) == 3`,
/// where `p` is the weekday of 31 December, 0 = Sunday.
pub fn weeks_in(iso_year: i32) -> u32 {
    fn p(year: i64) -> i64 {
        (year + year.div_euclid(4) - year.div_euclid(100) + year.div_euclid(400)).rem_euclid(7)
    }
    let year = i64::from(iso_year);
    if p(year) == 4 || p(year - 1) == 3 { 53 } else { 52 }
}

/// The value of ASCII decimal digits, or `None` if any byte is not one. Used instead of
/// `str::parse`, which would also accept a leading `+`.
fn digits(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, b| b.is_ascii_digit().then(|| acc * 10 + u32::from(b - b'0')))
}

/// 00:00 UTC on `day`. Every normalised period's days lie in years 1 to 10000, well inside
/// chrono's range, so `None` cannot happen; mapping it to the latest instant only keeps this
/// total without a panic path.
fn midnight(day: Option<NaiveDate>) -> DateTime<Utc> {
    day.map_or(DateTime::<Utc>::MAX_UTC, |day| day.and_time(NaiveTime::MIN).and_utc())
}

impl fmt::Display for LeaderboardPeriod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Week { iso_year, week } => write!(f, "{iso_year:04}-W{week:02}"),
            Self::Month { year, month } => write!(f, "{year:04}-{month:02}"),
        }
    }
}

impl std::str::FromStr for LeaderboardPeriod {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl TryFrom<String> for LeaderboardPeriod {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl TryFrom<&str> for LeaderboardPeriod {
    type Error = Invalid;

    fn try_from(raw: &str) -> Result<Self, Self::Error> {
        Self::parse(raw)
    }
}

impl From<LeaderboardPeriod> for String {
    fn from(period: LeaderboardPeriod) -> Self {
        period.to_string()
    }
}

impl utoipa::PartialSchema for LeaderboardPeriod {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .description(Some("An ISO week (2026-W47) or a calendar month (2026-11), in UTC"))
            .pattern(Some(r"^[0-9]{4}-(W[0-9]{2}|[0-9]{2})$"))
            .into()
    }
}

impl utoipa::ToSchema for LeaderboardPeriod {}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    fn week(iso_year: i32, week: u32) -> LeaderboardPeriod {
        LeaderboardPeriod::Week { iso_year, week }
    }

    fn month(year: i32, month: u32) -> LeaderboardPeriod {
        LeaderboardPeriod::Month { year, month }
    }

    #[test]
    fn parses_and_prints_the_canonical_forms() {
        assert_eq!(LeaderboardPeriod::parse("2026-W47").unwrap(), week(2026, 47));
        assert_eq!(LeaderboardPeriod::parse("2026-11").unwrap(), month(2026, 11));
        assert_eq!(week(2026, 5).to_string(), "2026-W05");
        assert_eq!(month(2026, 1).to_string(), "2026-01");
        assert_eq!(month(7, 3).to_string(), "0007-03");
    }

    #[test]
    fn refuses_periods_that_do_not_exist() {
        // 2026 starts on a Thursday, so it has a week 53; 2027 does not.
        assert!(LeaderboardPeriod::parse("2026-W53").is_ok());
        assert_eq!(LeaderboardPeriod::parse("2027-W53").unwrap_err().reason(), "week must be 01 to 52 in 2027");
        assert_eq!(LeaderboardPeriod::parse("2026-W00").unwrap_err().reason(), "week must be 01 to 53 in 2026");
        assert_eq!(LeaderboardPeriod::parse("2026-13").unwrap_err().reason(), "month must be 01 to 12");
        assert_eq!(LeaderboardPeriod::parse("2026-00").unwrap_err().reason(), "month must be 01 to 12");
        assert_eq!(LeaderboardPeriod::parse("0000-01").unwrap_err().reason(), "year must be 0001 to 9999");
    }

    #[test]
    fn refuses_other_spellings() {
        for bad in [
            "",
            "2026",
            "2026-",
            "2026-W",
            "2026-W5",
            "2026-W047",
            "2026-w47",
            "2026-1",
            "2026-011",
            "26-11",
            "+026-11",
            "2026-+1",
            "2026-W+5",
            " 2026-11",
            "2026-11 ",
            "2026/11",
            "2026-M11",
            "2026W47",
            "20261-01",
            "２０２６-11",
            "2026-W4é",
        ] {
            assert!(LeaderboardPeriod::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn iso_weeks_cross_the_new_year() {
        // 2027-01-01 is a Friday: it belongs to the last week of ISO year 2026.
        assert_eq!(LeaderboardPeriod::week_of(at("2027-01-01T12:00:00Z")), week(2026, 53));
        // 2024-12-30 is a Monday: ISO week 1 of 2025.
        assert_eq!(LeaderboardPeriod::week_of(at("2024-12-30T00:00:00Z")), week(2025, 1));
        assert_eq!(LeaderboardPeriod::month_of(at("2024-12-30T00:00:00Z")), month(2024, 12));
    }

    #[test]
    fn weeks_start_monday_midnight_utc_and_end_exclusively() {
        let w47 = week(2026, 47);
        assert_eq!(w47.start(), at("2026-11-16T00:00:00Z"));
        assert_eq!(w47.end(), at("2026-11-23T00:00:00Z"));
        assert!(w47.contains(at("2026-11-22T23:59:59.999999999Z")));
        assert!(!w47.contains(at("2026-11-23T00:00:00Z")));
        assert!(!w47.contains(at("2026-11-15T23:59:59Z")));
        // A Sunday evening in Mexico City is already Monday in UTC: the board is UTC.
        assert_eq!(LeaderboardPeriod::week_of(at("2026-11-22T20:00:00-06:00")), week(2026, 48));
    }

    #[test]
    fn months_end_at_the_next_first() {
        assert_eq!(month(2026, 2).end(), at("2026-03-01T00:00:00Z"));
        assert_eq!(month(2028, 2).end() - month(2028, 2).start(), TimeDelta::days(29));
        assert_eq!(month(2026, 12).end(), at("2027-01-01T00:00:00Z"));
    }

    #[test]
    fn previous_crosses_years() {
        assert_eq!(week(2027, 1).previous(), week(2026, 53));
        assert_eq!(week(2026, 1).previous(), week(2025, 52));
        assert_eq!(month(2027, 1).previous(), month(2026, 12));
        // The earliest period saturates instead of leaving the range.
        assert_eq!(week(1, 1).previous(), week(1, 1));
        assert_eq!(month(1, 1).previous(), month(1, 1));
    }

    #[test]
    fn kinds() {
        assert_eq!(week(2026, 47).kind(), PeriodKind::Weekly);
        assert_eq!(month(2026, 11).kind(), PeriodKind::Monthly);
        for kind in PeriodKind::ALL {
            assert_eq!(PeriodKind::parse(kind.as_str()).unwrap(), kind);
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{kind}\""));
        }
        assert!(PeriodKind::parse("Weekly").is_err() && PeriodKind::parse("daily").is_err());
    }

    #[test]
    fn the_server_decides_the_period() {
        let now = at("2026-11-18T09:00:00Z");
        assert_eq!(LeaderboardPeriod::requested(PeriodKind::Weekly, None, now).unwrap(), week(2026, 47));
        assert_eq!(LeaderboardPeriod::requested(PeriodKind::Monthly, None, now).unwrap(), month(2026, 11));
        assert_eq!(LeaderboardPeriod::requested(PeriodKind::Weekly, Some("2026-W47"), now).unwrap(), week(2026, 47));
        assert_eq!(LeaderboardPeriod::requested(PeriodKind::Monthly, Some("2025-01"), now).unwrap(), month(2025, 1));
        assert_eq!(
            LeaderboardPeriod::requested(PeriodKind::Weekly, Some("2026-11"), now).unwrap_err().reason(),
            "must be an ISO week such as 2026-W47"
        );
        assert_eq!(
            LeaderboardPeriod::requested(PeriodKind::Monthly, Some("2026-W47"), now).unwrap_err().reason(),
            "must be a month such as 2026-11"
        );
        assert_eq!(
            LeaderboardPeriod::requested(PeriodKind::Weekly, Some("2026-W48"), now).unwrap_err().reason(),
            "must not be in the future"
        );
        assert!(LeaderboardPeriod::requested(PeriodKind::Weekly, Some("2026-W99"), now).is_err());
    }

    #[test]
    fn serde_is_the_canonical_text() {
        let json = serde_json::to_string(&week(2026, 5)).unwrap();
        assert_eq!(json, "\"2026-W05\"");
        assert_eq!(serde_json::from_str::<LeaderboardPeriod>(&json).unwrap(), week(2026, 5));
        assert!(serde_json::from_str::<LeaderboardPeriod>("\"2027-W53\"").is_err());
        assert!(serde_json::from_str::<LeaderboardPeriod>("{\"Week\":{\"iso_year\":2026,\"week\":5}}").is_err());
    }

    #[test]
    fn hand_built_values_never_panic() {
        for period in [week(2027, 53), week(2026, 0), week(i32::MIN, 9), week(i32::MAX, u32::MAX), month(2026, 13)] {
            assert!(period.start() < period.end(), "{period:?}");
            let _ = period.previous();
        }
        assert_eq!(week(2027, 53).start(), week(2027, 52).start());
        assert_eq!(month(2026, 13).start(), month(2026, 12).start());
        assert_eq!(month(i32::MAX, 0).start(), month(MAX_YEAR, 12).start());
    }

    #[test]
    fn week_counts_match_chrono_for_every_supported_year() {
        for year in MIN_YEAR..=MAX_YEAR {
            // 28 December always lies in its year's last ISO week.
            let last = NaiveDate::from_ymd_opt(year, 12, 28).unwrap().iso_week().week();
            assert_eq!(weeks_in(year), last, "{year}");
        }
    }

    #[test]
    fn every_supported_week_and_month_tiles_time_without_gaps() {
        // Exhaustive, so `midnight`'s fallback is shown unreachable for every valid period.
        let mut expected = at("0001-01-01T00:00:00Z");
        for year in MIN_YEAR..=MAX_YEAR {
            for w in 1..=weeks_in(year) {
                let period = week(year, w);
                assert_eq!(period.start(), expected, "{period}");
                assert_eq!(period.start().weekday(), Weekday::Mon);
                expected = period.end();
            }
        }
        let mut expected = at("0001-01-01T00:00:00Z");
        for year in MIN_YEAR..=MAX_YEAR {
            for m in 1..=12 {
                let period = month(year, m);
                assert_eq!(period.start(), expected, "{period}");
                expected = period.end();
            }
        }
        assert_eq!(expected, first_instant_after_9999());
    }

    /// 10000-01-01T00:00:00Z, which RFC 3339's four-digit years cannot spell.
    fn first_instant_after_9999() -> DateTime<Utc> {
        NaiveDate::from_ymd_opt(10000, 1, 1).unwrap().and_time(NaiveTime::MIN).and_utc()
    }

    /// Any instant from 0001-01-01 to 9999-12-31, at nanosecond precision.
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        (at("0001-01-01T00:00:00Z").timestamp()..first_instant_after_9999().timestamp(), 0u32..1_000_000_000)
            .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap())
    }

    /// Instants in the years a board will really see, where the property tests concentrate.
    fn recent_instant() -> impl Strategy<Value = DateTime<Utc>> {
        (at("1970-01-01T00:00:00Z").timestamp()..at("2200-01-01T00:00:00Z").timestamp(), 0u32..1_000_000_000)
            .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap())
    }

    fn any_instant() -> impl Strategy<Value = DateTime<Utc>> {
        prop_oneof![instant(), recent_instant()]
    }

    fn any_kind() -> impl Strategy<Value = PeriodKind> {
        prop_oneof![Just(PeriodKind::Weekly), Just(PeriodKind::Monthly)]
    }

    proptest! {
        #[test]
        fn display_then_parse_is_identity(instant in any_instant(), kind in any_kind()) {
            let period = kind.period_of(instant);
            prop_assert_eq!(LeaderboardPeriod::parse(&period.to_string()), Ok(period));
            let json = serde_json::to_string(&period).unwrap();
            prop_assert_eq!(serde_json::from_str::<LeaderboardPeriod>(&json).unwrap(), period);
        }

        #[test]
        fn every_instant_is_in_its_week_and_month(instant in any_instant()) {
            let week = LeaderboardPeriod::week_of(instant);
            let month = LeaderboardPeriod::month_of(instant);
            prop_assert!(week.contains(instant), "{} does not hold {}", week, instant);
            prop_assert!(month.contains(instant), "{} does not hold {}", month, instant);
            prop_assert_eq!(week.end() - week.start(), TimeDelta::days(7));
        }

        #[test]
        fn previous_ends_where_this_starts(instant in any_instant(), kind in any_kind()) {
            let period = kind.period_of(instant);
            // The earliest period saturates (documented), so it has no true predecessor.
            prop_assume!(period.previous() != period);
            prop_assert_eq!(period.previous().end(), period.start());
            prop_assert_eq!(period.previous().kind(), kind);
        }

        #[test]
        fn parse_never_panics_and_is_exact(raw in "[0-9W+-]{0,9}|\\PC{0,12}") {
            if let Ok(period) = LeaderboardPeriod::parse(&raw) {
                prop_assert_eq!(period.to_string(), raw);
            }
        }
    }
}
