//! Weekly availability, in the user's own time zone.
//!
//! Times are wall-clock times in the profile's [`Timezone`](super::Timezone); converting to
//! instants happens when a concrete week is booked, so DST shifts follow the user's clock.

use std::fmt;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::Invalid;

/// Most windows one profile may list; enough for several slots every day.
const MAX_WINDOWS: usize = 50;
/// Bookings use 15-minute blocks, so availability edges fall on them too.
const BLOCK_MINUTES: u16 = 15;
/// Minutes in a day; `24:00` is the end of the day.
const DAY_MINUTES: u16 = 24 * 60;

/// A day of the week, serialised as `"mon"` … `"sun"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase", try_from = "String")]
pub enum Weekday {
    /// Monday.
    Mon,
    /// Tuesday.
    Tue,
    /// Wednesday.
    Wed,
    /// Thursday.
    Thu,
    /// Friday.
    Fri,
    /// Saturday.
    Sat,
    /// Sunday.
    Sun,
}

impl Weekday {
    /// Every day, Monday first.
    pub const ALL: [Weekday; 7] =
        [Weekday::Mon, Weekday::Tue, Weekday::Wed, Weekday::Thu, Weekday::Fri, Weekday::Sat, Weekday::Sun];

    /// Parses `"mon"` … `"sun"`, ignoring case and surrounding whitespace.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        let raw = raw.trim();
        Self::ALL
            .into_iter()
            .find(|day| day.as_str().eq_ignore_ascii_case(raw))
            .ok_or(Invalid::new("must be a day: mon, tue, wed, thu, fri, sat or sun"))
    }

    /// The serialised form, `"mon"` … `"sun"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }

    /// The matching chrono weekday.
    pub fn to_chrono(self) -> chrono::Weekday {
        match self {
            Weekday::Mon => chrono::Weekday::Mon,
            Weekday::Tue => chrono::Weekday::Tue,
            Weekday::Wed => chrono::Weekday::Wed,
            Weekday::Thu => chrono::Weekday::Thu,
            Weekday::Fri => chrono::Weekday::Fri,
            Weekday::Sat => chrono::Weekday::Sat,
            Weekday::Sun => chrono::Weekday::Sun,
        }
    }
}

impl From<chrono::Weekday> for Weekday {
    fn from(day: chrono::Weekday) -> Self {
        match day {
            chrono::Weekday::Mon => Weekday::Mon,
            chrono::Weekday::Tue => Weekday::Tue,
            chrono::Weekday::Wed => Weekday::Wed,
            chrono::Weekday::Thu => Weekday::Thu,
            chrono::Weekday::Fri => Weekday::Fri,
            chrono::Weekday::Sat => Weekday::Sat,
            chrono::Weekday::Sun => Weekday::Sun,
        }
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for Weekday {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl std::str::FromStr for Weekday {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

/// A local wall-clock time on a 15-minute boundary, from `00:00` to `24:00` inclusive.
///
/// `24:00` exists so a window can run to the end of the day. Serialised as `"HH:MM"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "String", into = "String")]
#[schema(value_type = String, example = "18:30")]
pub struct TimeOfDay(u16);

impl TimeOfDay {
    /// Parses `"HH:MM"` (two digits each) between `00:00` and `24:00`, minutes a multiple of 15.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        const SHAPE: &str = "must be a time HH:MM such as 18:30";
        let raw = raw.trim();
        let (hours, minutes) = raw.split_once(':').ok_or(Invalid::new(SHAPE))?;
        let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        if !two_digits(hours) || !two_digits(minutes) {
            return Err(Invalid::new(SHAPE));
        }
        let hours: u16 = hours.parse().map_err(|_| Invalid::new(SHAPE))?;
        let minutes: u16 = minutes.parse().map_err(|_| Invalid::new(SHAPE))?;
        if minutes >= 60 {
            return Err(Invalid::new(SHAPE));
        }
        Self::from_minutes(hours * 60 + minutes)
    }

    /// Builds a time from minutes since local midnight (0..=1440, a multiple of 15).
    pub fn from_minutes(minutes: u16) -> Result<Self, Invalid> {
        if minutes > DAY_MINUTES {
            return Err(Invalid::new("must be between 00:00 and 24:00"));
        }
        if !minutes.is_multiple_of(BLOCK_MINUTES) {
            return Err(Invalid::new("must be on a quarter hour (:00, :15, :30 or :45)"));
        }
        Ok(Self(minutes))
    }

    /// Minutes since local midnight, 0 to 1440.
    pub fn minutes(&self) -> u16 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02}:{:02}", self.0 / 60, self.0 % 60)
    }
}

impl std::str::FromStr for TimeOfDay {
    type Err = Invalid;

    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        Self::parse(raw)
    }
}

impl TryFrom<String> for TimeOfDay {
    type Error = Invalid;

    fn try_from(raw: String) -> Result<Self, Self::Error> {
        Self::parse(&raw)
    }
}

impl From<TimeOfDay> for String {
    fn from(time: TimeOfDay) -> Self {
        time.to_string()
    }
}

/// One available stretch within a single day, e.g. Monday 18:00 to 21:00.
///
/// Serialised as `{"day": "mon", "start": "18:00", "end": "21:00"}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "WindowFields")]
pub struct AvailabilityWindow {
    day: Weekday,
    start: TimeOfDay,
    end: TimeOfDay,
}

/// The unchecked wire shape, so deserialising goes through [`AvailabilityWindow::new`].
#[derive(Deserialize)]
struct WindowFields {
    day: Weekday,
    start: TimeOfDay,
    end: TimeOfDay,
}

impl TryFrom<WindowFields> for AvailabilityWindow {
    type Error = Invalid;

    fn try_from(fields: WindowFields) -> Result<Self, Self::Error> {
        Self::new(fields.day, fields.start, fields.end)
    }
}

impl AvailabilityWindow {
    /// Checks that `start` is before `end`; as `end` is at most `24:00`, the window stays in one day.
    pub fn new(day: Weekday, start: TimeOfDay, end: TimeOfDay) -> Result<Self, Invalid> {
        if start >= end {
            return Err(Invalid::because(format!("window {day} {start}-{end} must end after it starts")));
        }
        Ok(Self { day, start, end })
    }

    /// The day the window is on.
    pub fn day(&self) -> Weekday {
        self.day
    }

    /// When the window opens (inclusive).
    pub fn start(&self) -> TimeOfDay {
        self.start
    }

    /// When the window closes (exclusive).
    pub fn end(&self) -> TimeOfDay {
        self.end
    }

    /// Whether the two windows share any time; touching ends do not count.
    fn overlaps(&self, other: &Self) -> bool {
        self.day == other.day && self.start < other.end && other.start < self.end
    }
}

impl fmt::Display for AvailabilityWindow {
    /// E.g. `mon 09:00-12:00`, as used in error reasons.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}-{}", self.day, self.start, self.end)
    }
}

/// A user's recurring weekly availability: at most 50 non-overlapping windows.
///
/// Stored sorted by day then start time so equal schedules compare and serialise equal.
/// Serialised as an array of [`AvailabilityWindow`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(try_from = "Vec<AvailabilityWindow>", into = "Vec<AvailabilityWindow>")]
pub struct WeeklyAvailability(Vec<AvailabilityWindow>);

impl WeeklyAvailability {
    /// Most windows a profile may list.
    pub const MAX: usize = MAX_WINDOWS;

    /// Checks the count and that no two windows on a day overlap, then sorts by (day, start).
    pub fn new(mut windows: Vec<AvailabilityWindow>) -> Result<Self, Invalid> {
        if windows.len() > MAX_WINDOWS {
            return Err(Invalid::new("must list at most 50 windows"));
        }
        windows.sort_by_key(|w| (w.day, w.start, w.end));
        // Sorted by start: if any window overlaps a later one, it overlaps its next neighbour.
        if let Some(pair) = windows.windows(2).find(|p| p[0].overlaps(&p[1])) {
            return Err(Invalid::because(format!("windows {} and {} overlap", pair[0], pair[1])));
        }
        Ok(Self(windows))
    }

    /// The windows in (day, start) order.
    pub fn iter(&self) -> std::slice::Iter<'_, AvailabilityWindow> {
        self.0.iter()
    }

    /// The windows in (day, start) order, as a slice.
    pub fn as_slice(&self) -> &[AvailabilityWindow] {
        &self.0
    }

    /// Whether no windows are listed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// How many windows are listed.
    pub fn len(&self) -> usize {
        self.0.len()
    }
}

impl TryFrom<Vec<AvailabilityWindow>> for WeeklyAvailability {
    type Error = Invalid;

    fn try_from(windows: Vec<AvailabilityWindow>) -> Result<Self, Self::Error> {
        Self::new(windows)
    }
}

impl From<WeeklyAvailability> for Vec<AvailabilityWindow> {
    fn from(availability: WeeklyAvailability) -> Self {
        availability.0
    }
}

impl<'a> IntoIterator for &'a WeeklyAvailability {
    type Item = &'a AvailabilityWindow;
    type IntoIter = std::slice::Iter<'a, AvailabilityWindow>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(raw: &str) -> TimeOfDay {
        TimeOfDay::parse(raw).unwrap()
    }

    fn w(day: Weekday, start: &str, end: &str) -> AvailabilityWindow {
        AvailabilityWindow::new(day, t(start), t(end)).unwrap()
    }

    #[test]
    fn weekday_parses_and_serialises_lowercase() {
        assert_eq!(Weekday::parse("mon").unwrap(), Weekday::Mon);
        assert_eq!(Weekday::parse(" SUN ").unwrap(), Weekday::Sun);
        assert!(Weekday::parse("monday").is_err());
        assert!(Weekday::parse("").is_err());
        assert_eq!(serde_json::to_string(&Weekday::Wed).unwrap(), "\"wed\"");
        assert_eq!(serde_json::from_str::<Weekday>("\"fri\"").unwrap(), Weekday::Fri);
        assert!(serde_json::from_str::<Weekday>("\"funday\"").is_err());
        for day in Weekday::ALL {
            assert_eq!(Weekday::parse(day.as_str()).unwrap(), day);
            assert_eq!(Weekday::from(day.to_chrono()), day);
            assert_eq!(day.to_string(), day.as_str());
        }
        assert_eq!(Weekday::Sat.to_chrono(), chrono::Weekday::Sat);
    }

    #[test]
    fn time_of_day_parses_quarter_hours() {
        assert_eq!(t("00:00").minutes(), 0);
        assert_eq!(t("09:15").minutes(), 555);
        assert_eq!(t("23:45").minutes(), 1425);
        assert_eq!(t("24:00").minutes(), 1440);
        assert_eq!(t("18:30").to_string(), "18:30");
        assert_eq!(t("07:45").to_string(), "07:45");
    }

    #[test]
    fn time_of_day_refuses_bad_input() {
        for bad in [
            "",
            "9:00",
            "09:0",
            "0900",
            "09-00",
            "09:00:00",
            "+9:00",
            "24:15",
            "25:00",
            "99:00",
            "09:60",
            "-1:00",
            "١٢:٠٠",
            " : ",
        ] {
            assert!(TimeOfDay::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert_eq!(TimeOfDay::parse("09:10").unwrap_err().reason(), "must be on a quarter hour (:00, :15, :30 or :45)");
        assert_eq!(TimeOfDay::parse("24:15").unwrap_err().reason(), "must be between 00:00 and 24:00");
    }

    #[test]
    fn time_of_day_minute_boundaries() {
        assert!(TimeOfDay::from_minutes(0).is_ok());
        assert!(TimeOfDay::from_minutes(1).is_err());
        assert!(TimeOfDay::from_minutes(14).is_err());
        assert!(TimeOfDay::from_minutes(15).is_ok());
        assert!(TimeOfDay::from_minutes(1440).is_ok());
        assert!(TimeOfDay::from_minutes(1455).is_err());
        assert!(TimeOfDay::from_minutes(u16::MAX).is_err());
    }

    #[test]
    fn window_must_end_after_start() {
        assert!(AvailabilityWindow::new(Weekday::Mon, t("09:00"), t("09:15")).is_ok());
        assert!(AvailabilityWindow::new(Weekday::Mon, t("00:00"), t("24:00")).is_ok());
        assert_eq!(
            AvailabilityWindow::new(Weekday::Mon, t("09:00"), t("09:00")).unwrap_err().reason(),
            "window mon 09:00-09:00 must end after it starts"
        );
        assert!(AvailabilityWindow::new(Weekday::Mon, t("09:00"), t("08:45")).is_err());
        // Midnight as an end would wrap into the next day.
        assert!(AvailabilityWindow::new(Weekday::Mon, t("22:00"), t("00:00")).is_err());
        // 24:00 only works as an end.
        assert!(AvailabilityWindow::new(Weekday::Mon, t("24:00"), t("24:00")).is_err());
    }

    #[test]
    fn window_getters_and_serde() {
        let window = w(Weekday::Mon, "18:00", "21:00");
        assert_eq!(window.day(), Weekday::Mon);
        assert_eq!(window.start(), t("18:00"));
        assert_eq!(window.end(), t("21:00"));
        let json = serde_json::to_value(window).unwrap();
        assert_eq!(json, serde_json::json!({"day": "mon", "start": "18:00", "end": "21:00"}));
        assert_eq!(serde_json::from_value::<AvailabilityWindow>(json).unwrap(), window);
        for bad in [
            r#"{"day":"mon","start":"21:00","end":"18:00"}"#,
            r#"{"day":"mon","start":"18:00","end":"18:00"}"#,
            r#"{"day":"mon","start":"18:05","end":"19:00"}"#,
            r#"{"day":"xyz","start":"18:00","end":"19:00"}"#,
            r#"{"day":"mon","start":"18:00"}"#,
        ] {
            assert!(serde_json::from_str::<AvailabilityWindow>(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weekly_sorts_and_allows_touching_windows() {
        let weekly = WeeklyAvailability::new(vec![
            w(Weekday::Tue, "09:00", "10:00"),
            w(Weekday::Mon, "12:00", "14:00"),
            w(Weekday::Mon, "09:00", "12:00"),
            // Same times on another day do not overlap.
            w(Weekday::Sun, "09:00", "12:00"),
        ])
        .unwrap();
        let shown: Vec<String> = weekly.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["mon 09:00-12:00", "mon 12:00-14:00", "tue 09:00-10:00", "sun 09:00-12:00"]);
        assert_eq!(weekly.len(), 4);
        assert_eq!(weekly.as_slice().len(), 4);
    }

    #[test]
    fn weekly_refuses_overlap_naming_both_windows() {
        let err = WeeklyAvailability::new(vec![w(Weekday::Mon, "11:00", "13:00"), w(Weekday::Mon, "09:00", "12:00")])
            .unwrap_err();
        assert_eq!(err.reason(), "windows mon 09:00-12:00 and mon 11:00-13:00 overlap");
        // Containment and identical windows are overlaps too.
        assert!(
            WeeklyAvailability::new(vec![w(Weekday::Fri, "08:00", "20:00"), w(Weekday::Fri, "10:00", "11:00"),])
                .is_err()
        );
        assert!(
            WeeklyAvailability::new(vec![w(Weekday::Fri, "08:00", "09:00"), w(Weekday::Fri, "08:00", "09:00"),])
                .is_err()
        );
    }

    #[test]
    fn weekly_count_boundaries() {
        // 7 days x 8 one-hour windows = 56 distinct, non-overlapping windows to draw from.
        let all: Vec<AvailabilityWindow> = Weekday::ALL
            .into_iter()
            .flat_map(|day| {
                (0..8u16).map(move |h| {
                    AvailabilityWindow::new(
                        day,
                        TimeOfDay::from_minutes(h * 60).unwrap(),
                        TimeOfDay::from_minutes(h * 60 + 60).unwrap(),
                    )
                    .unwrap()
                })
            })
            .collect();
        assert!(WeeklyAvailability::new(all[..49].to_vec()).is_ok());
        assert!(WeeklyAvailability::new(all[..50].to_vec()).is_ok());
        assert_eq!(WeeklyAvailability::new(all[..51].to_vec()).unwrap_err().reason(), "must list at most 50 windows");
    }

    #[test]
    fn weekly_default_and_serde() {
        assert!(WeeklyAvailability::default().is_empty());
        let json = r#"[{"day":"tue","start":"09:00","end":"10:00"},{"day":"mon","start":"18:00","end":"21:00"}]"#;
        let weekly: WeeklyAvailability = serde_json::from_str(json).unwrap();
        assert_eq!(
            serde_json::to_string(&weekly).unwrap(),
            r#"[{"day":"mon","start":"18:00","end":"21:00"},{"day":"tue","start":"09:00","end":"10:00"}]"#
        );
        let overlapping =
            r#"[{"day":"mon","start":"09:00","end":"12:00"},{"day":"mon","start":"11:00","end":"13:00"}]"#;
        assert!(serde_json::from_str::<WeeklyAvailability>(overlapping).is_err());
    }

    fn any_day() -> impl Strategy<Value = Weekday> {
        prop::sample::select(Weekday::ALL.to_vec())
    }

    /// Any valid window: start block in 0..96, end block after it up to 96 (24:00).
    fn any_window() -> impl Strategy<Value = AvailabilityWindow> {
        (any_day(), 0u16..96).prop_flat_map(|(day, start)| (Just(day), Just(start), (start + 1)..=96)).prop_map(
            |(day, start, end)| {
                AvailabilityWindow::new(
                    day,
                    TimeOfDay::from_minutes(start * 15).unwrap(),
                    TimeOfDay::from_minutes(end * 15).unwrap(),
                )
                .unwrap()
            },
        )
    }

    proptest! {
        #[test]
        fn time_round_trips_through_text(block in 0u16..=96) {
            let time = TimeOfDay::from_minutes(block * 15).unwrap();
            prop_assert_eq!(TimeOfDay::parse(&time.to_string()), Ok(time));
            let json = serde_json::to_string(&time).unwrap();
            prop_assert_eq!(serde_json::from_str::<TimeOfDay>(&json).unwrap(), time);
        }

        #[test]
        fn time_accepts_exactly_quarter_hours_in_range(minutes in any::<u16>()) {
            let ok = minutes <= 1440 && minutes % 15 == 0;
            prop_assert_eq!(TimeOfDay::from_minutes(minutes).is_ok(), ok);
        }

        #[test]
        fn time_arbitrary_input_never_panics(raw in any::<String>()) {
            if let Ok(time) = TimeOfDay::parse(&raw) {
                prop_assert!(time.minutes() <= 1440 && time.minutes() % 15 == 0);
            }
        }

        #[test]
        fn time_hh_mm_input_never_panics(raw in "[0-9]{2}:[0-9]{2}") {
            if let Ok(time) = TimeOfDay::parse(&raw) {
                prop_assert_eq!(time.to_string(), raw);
            }
        }

        #[test]
        fn weekday_arbitrary_input_never_panics(raw in any::<String>()) {
            let _ = Weekday::parse(&raw);
        }

        #[test]
        fn any_single_valid_window_is_accepted(window in any_window()) {
            let weekly = WeeklyAvailability::new(vec![window]).unwrap();
            prop_assert_eq!(weekly.as_slice(), &[window]);
            let json = serde_json::to_string(&window).unwrap();
            prop_assert_eq!(serde_json::from_str::<AvailabilityWindow>(&json).unwrap(), window);
        }

        #[test]
        fn window_new_accepts_exactly_start_before_end(day in any_day(), a in 0u16..=96, b in 0u16..=96) {
            let start = TimeOfDay::from_minutes(a * 15).unwrap();
            let end = TimeOfDay::from_minutes(b * 15).unwrap();
            prop_assert_eq!(AvailabilityWindow::new(day, start, end).is_ok(), a < b);
        }

        #[test]
        fn accepted_sets_are_sorted_and_overlap_free(windows in prop::collection::vec(any_window(), 0..8)) {
            match WeeklyAvailability::new(windows.clone()) {
                Ok(weekly) => {
                    prop_assert_eq!(weekly.len(), windows.len());
                    let list = weekly.as_slice();
                    prop_assert!(list.windows(2).all(|p| (p[0].day, p[0].start) <= (p[1].day, p[1].start)));
                    for (i, a) in list.iter().enumerate() {
                        for b in &list[i + 1..] {
                            prop_assert!(!a.overlaps(b), "{} overlaps {}", a, b);
                        }
                    }
                    let json = serde_json::to_string(&weekly).unwrap();
                    prop_assert_eq!(serde_json::from_str::<WeeklyAvailability>(&json).unwrap(), weekly);
                }
                Err(_) => {
                    // Refused with at most 8 windows means some pair really overlaps.
                    let clash = windows.iter().enumerate().any(|(i, a)| {
                        windows[i + 1..].iter().any(|b| a.overlaps(b))
                    });
                    prop_assert!(clash);
                }
            }
        }

        #[test]
        fn order_of_input_does_not_matter(windows in prop::collection::vec(any_window(), 0..8)) {
            let mut reversed = windows.clone();
            reversed.reverse();
            prop_assert_eq!(WeeklyAvailability::new(windows), WeeklyAvailability::new(reversed));
        }
    }
}
