//! Concrete time: UTC intervals and sets of them, for matching people's availability.
//!
//! [`WeeklyAvailability`] is wall-clock time in a user's zone; [`TimeSet::weekly`] turns it into
//! real instants for a given span, so sets from people in different zones can be intersected.

use chrono::{DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, TimeZone, Utc};

use super::{Invalid, Timezone, WeeklyAvailability};

/// Seconds in a day; the search for a DST gap's end looks one day either side of it.
const DAY_SECONDS: i64 = 24 * 60 * 60;

/// A half-open span of UTC time, [start, end).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Interval {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Interval {
    /// Checks that `start` is before `end`; empty spans are not intervals.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Result<Interval, Invalid> {
        if start >= end {
            return Err(Invalid::new("must end after it starts"));
        }
        Ok(Interval { start, end })
    }

    /// The first instant inside the interval.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after the interval (exclusive).
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    /// How long the interval lasts; always positive.
    pub fn duration(&self) -> chrono::Duration {
        self.end - self.start
    }

    /// Whether `other` lies entirely inside this interval.
    pub fn contains(&self, other: &Interval) -> bool {
        self.start <= other.start && other.end <= self.end
    }

    /// Whether the two share a span of positive length; touching ends do not count.
    pub fn overlaps(&self, other: &Interval) -> bool {
        self.start < other.end && other.start < self.end
    }
}

/// A set of instants: disjoint, sorted intervals (touching intervals are merged).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TimeSet(Vec<Interval>);

impl TimeSet {
    /// Builds a set from intervals in any order, merging those that overlap or touch.
    pub fn from_intervals(intervals: Vec<Interval>) -> TimeSet {
        TimeSet(normalise(intervals))
    }

    /// The instants inside `within` covered by `availability`, whose times are wall-clock in `tz`.
    ///
    /// Each local date from the day before `within` starts to the day after it ends (local dates
    /// in `tz`) gets that weekday's windows, each edge converted with that date's own offset, so
    /// the result follows DST: Madrid 18:00-21:00 is 17:00-20:00Z in winter, 16:00-19:00Z in summer.
    /// The results are clipped to `within` and merged. DST edge rules:
    /// - a local time that does not exist (spring-forward gap, e.g. 02:30 on 2026-03-29 in
    ///   Europe/Madrid) maps to the first instant after the gap, when local clocks jump
    ///   (2026-03-29T01:00:00Z there);
    /// - an ambiguous local time (fall-back) maps to its earliest instant as a window start and
    ///   its latest instant as a window end, so a window keeps its full local length or more;
    /// - an end of `24:00` is the next local date's `00:00`;
    /// - a window whose converted end is not after its converted start (only possible when it
    ///   lies inside a gap) is dropped.
    pub fn weekly(availability: &WeeklyAvailability, tz: Timezone, within: &Interval) -> TimeSet {
        let windows = availability.as_slice();
        if windows.is_empty() {
            return TimeSet::default();
        }
        let local_date = |instant: DateTime<Utc>| instant.with_timezone(&tz).date_naive();
        let first = local_date(within.start);
        let first = first.pred_opt().unwrap_or(first);
        let last = local_date(within.end);
        let last = last.succ_opt().unwrap_or(last);

        // Roughly one interval per window per week; sized up front so the loop never reallocates.
        let days = usize::try_from((last - first).num_days() + 1).unwrap_or(0);
        let mut intervals = Vec::with_capacity(windows.len() * days.div_ceil(7));
        let mut date = first;
        loop {
            let weekday = date.weekday();
            // Scanning all windows (at most 50) per date is simple and cheap next to the zone lookups.
            for window in windows.iter().filter(|w| w.day().to_chrono() == weekday) {
                let start = local_edge(date, window.start().minutes()).and_then(|local| to_utc(tz, local, Edge::Start));
                let end = local_edge(date, window.end().minutes()).and_then(|local| to_utc(tz, local, Edge::End));
                if let (Some(start), Some(end)) = (start, end) {
                    let (start, end) = (start.max(within.start), end.min(within.end));
                    if start < end {
                        intervals.push(Interval { start, end });
                    }
                }
            }
            match date.succ_opt() {
                Some(next) if date < last => date = next,
                _ => break,
            }
        }
        // Already nearly sorted (dates ascend, windows are sorted by start), so sorting is cheap.
        TimeSet(normalise(intervals))
    }

    /// The instants in both sets.
    pub fn intersect(&self, other: &TimeSet) -> TimeSet {
        let (a, b) = (&self.0, &other.0);
        let mut out = Vec::with_capacity(a.len() + b.len());
        let (mut i, mut j) = (0, 0);
        while i < a.len() && j < b.len() {
            let start = a[i].start.max(b[j].start);
            let end = a[i].end.min(b[j].end);
            if start < end {
                out.push(Interval { start, end });
            }
            // Drop whichever ends first: it cannot meet anything later in the other set.
            if a[i].end < b[j].end {
                i += 1;
            } else {
                j += 1;
            }
        }
        // Pieces of two merged sets never touch, so the result is already normalised.
        TimeSet(out)
    }

    /// The instants in this set but not in `other`.
    pub fn subtract(&self, other: &TimeSet) -> TimeSet {
        let b = &other.0;
        let mut out = Vec::with_capacity(self.0.len() + b.len());
        let mut j = 0;
        for interval in &self.0 {
            let mut cursor = interval.start;
            // Both sets ascend, so anything ending before this interval ends before later ones too.
            while j < b.len() && b[j].end <= cursor {
                j += 1;
            }
            while j < b.len() && b[j].start < interval.end {
                if b[j].start > cursor {
                    out.push(Interval { start: cursor, end: b[j].start });
                }
                if b[j].end >= interval.end {
                    // It may also cut the next interval, so keep `j` on it.
                    cursor = interval.end;
                    break;
                }
                cursor = b[j].end;
                j += 1;
            }
            if cursor < interval.end {
                out.push(Interval { start: cursor, end: interval.end });
            }
        }
        TimeSet(out)
    }

    /// The total length of the set.
    pub fn total(&self) -> chrono::Duration {
        self.0.iter().map(Interval::duration).fold(chrono::Duration::zero(), |sum, d| sum + d)
    }

    /// Whether one member contains `interval` entirely, i.e. every instant of it is in the set.
    pub fn covers(&self, interval: &Interval) -> bool {
        // Members are disjoint and sorted, so only the last one starting at or before it can.
        let after = self.0.partition_point(|member| member.start <= interval.start);
        after > 0 && self.0[after - 1].contains(interval)
    }

    /// The members, sorted, disjoint and not touching.
    pub fn intervals(&self) -> &[Interval] {
        &self.0
    }

    /// Whether the set holds no instant.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Sorts and merges overlapping or touching intervals, in place.
fn normalise(mut intervals: Vec<Interval>) -> Vec<Interval> {
    // The standard unstable sort detects already-sorted input in linear time.
    intervals.sort_unstable();
    intervals.dedup_by(|next, kept| {
        if next.start <= kept.end {
            kept.end = kept.end.max(next.end);
            true
        } else {
            false
        }
    });
    intervals
}

/// Which edge of a window a local time is, deciding how an ambiguous time resolves.
#[derive(Clone, Copy)]
enum Edge {
    Start,
    End,
}

/// The local date-time `minutes` after midnight on `date`; 1440 is the next date's midnight.
fn local_edge(date: NaiveDate, minutes: u16) -> Option<NaiveDateTime> {
    let (date, minutes) = if minutes >= 24 * 60 { (date.succ_opt()?, 0) } else { (date, u32::from(minutes)) };
    date.and_hms_opt(minutes / 60, minutes % 60, 0)
}

/// Converts a wall-clock time in `tz` to UTC by the DST rules of [`TimeSet::weekly`].
fn to_utc(tz: Timezone, local: NaiveDateTime, edge: Edge) -> Option<DateTime<Utc>> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(instant) => Some(instant.with_timezone(&Utc)),
        LocalResult::Ambiguous(earliest, latest) => Some(match edge {
            Edge::Start => earliest.with_timezone(&Utc),
            Edge::End => latest.with_timezone(&Utc),
        }),
        LocalResult::None => gap_end(tz, local),
    }
}

/// The instant local clocks jump over `local`, a time that does not exist in `tz`.
///
/// chrono's `TimeZone` does not expose transitions, so this bisects on UTC seconds for the first instant
/// whose local time is after `local`. UTC offsets are under a day, so that instant lies within a
/// day of `local` read as UTC; and as `local` never occurs, local time is below it before that
/// instant and above it after, which makes the bisection exact. Gaps are rare; ~18 lookups each.
fn gap_end(tz: Timezone, local: NaiveDateTime) -> Option<DateTime<Utc>> {
    let naive_seconds = local.and_utc().timestamp();
    let is_after = |seconds: i64| {
        DateTime::from_timestamp(seconds, 0).map(|instant| instant.with_timezone(&tz).naive_local() > local)
    };
    // Invariant: `low` is before the jump, `high` is at or after it.
    let (mut low, mut high) = (naive_seconds - DAY_SECONDS, naive_seconds + DAY_SECONDS);
    while high - low > 1 {
        let middle = low + (high - low) / 2;
        if is_after(middle)? {
            high = middle;
        } else {
            low = middle;
        }
    }
    DateTime::from_timestamp(high, 0)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::domain::{AvailabilityWindow, TimeOfDay, Weekday};
    use chrono::{Duration, NaiveDate, Offset};
    use proptest::prelude::*;

    fn at(raw: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(raw).unwrap().with_timezone(&Utc)
    }

    fn iv(start: &str, end: &str) -> Interval {
        Interval::new(at(start), at(end)).unwrap()
    }

    fn w(day: Weekday, start: &str, end: &str) -> AvailabilityWindow {
        AvailabilityWindow::new(day, TimeOfDay::parse(start).unwrap(), TimeOfDay::parse(end).unwrap()).unwrap()
    }

    fn weekly(windows: Vec<AvailabilityWindow>) -> WeeklyAvailability {
        WeeklyAvailability::new(windows).unwrap()
    }

    fn tz(name: &str) -> Timezone {
        Timezone::parse(name).unwrap()
    }

    /// One whole UTC day, padded 12 h either side so any zone's local day falls inside.
    fn around(date: &str) -> Interval {
        let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap().and_hms_opt(0, 0, 0).unwrap().and_utc();
        Interval::new(day - Duration::hours(12), day + Duration::hours(36)).unwrap()
    }

    #[test]
    fn interval_requires_positive_length() {
        assert_eq!(
            Interval::new(at("2026-01-01T10:00:00Z"), at("2026-01-01T10:00:00Z")).unwrap_err().reason(),
            "must end after it starts"
        );
        assert!(Interval::new(at("2026-01-01T11:00:00Z"), at("2026-01-01T10:00:00Z")).is_err());
        let one = iv("2026-01-01T10:00:00Z", "2026-01-01T11:30:00Z");
        assert_eq!(one.start(), at("2026-01-01T10:00:00Z"));
        assert_eq!(one.end(), at("2026-01-01T11:30:00Z"));
        assert_eq!(one.duration(), Duration::minutes(90));
    }

    #[test]
    fn interval_contains_and_overlaps() {
        let outer = iv("2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z");
        let inner = iv("2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z");
        let touching = iv("2026-01-01T12:00:00Z", "2026-01-01T13:00:00Z");
        let straddling = iv("2026-01-01T11:30:00Z", "2026-01-01T12:30:00Z");
        assert!(outer.contains(&outer));
        assert!(outer.contains(&inner));
        assert!(!inner.contains(&outer));
        assert!(!outer.contains(&straddling));
        assert!(outer.overlaps(&straddling) && straddling.overlaps(&outer));
        assert!(!outer.overlaps(&touching) && !touching.overlaps(&outer));
    }

    #[test]
    fn from_intervals_sorts_and_merges_touching() {
        let set = TimeSet::from_intervals(vec![
            iv("2026-01-01T14:00:00Z", "2026-01-01T15:00:00Z"),
            iv("2026-01-01T10:00:00Z", "2026-01-01T11:00:00Z"),
            iv("2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z"),
            iv("2026-01-01T10:30:00Z", "2026-01-01T10:45:00Z"),
        ]);
        assert_eq!(
            set.intervals(),
            [iv("2026-01-01T10:00:00Z", "2026-01-01T12:00:00Z"), iv("2026-01-01T14:00:00Z", "2026-01-01T15:00:00Z")]
        );
        assert_eq!(set.total(), Duration::hours(3));
        assert!(set.covers(&iv("2026-01-01T10:30:00Z", "2026-01-01T12:00:00Z")));
        assert!(!set.covers(&iv("2026-01-01T11:30:00Z", "2026-01-01T14:30:00Z")));
        assert!(!set.covers(&iv("2026-01-01T09:00:00Z", "2026-01-01T10:30:00Z")));
        assert!(TimeSet::from_intervals(vec![]).is_empty());
        assert_eq!(TimeSet::default().total(), Duration::zero());
    }

    #[test]
    fn subtract_cuts_holes_and_edges() {
        let a = TimeSet::from_intervals(vec![
            iv("2026-01-01T10:00:00Z", "2026-01-01T14:00:00Z"),
            iv("2026-01-01T16:00:00Z", "2026-01-01T18:00:00Z"),
        ]);
        let b = TimeSet::from_intervals(vec![
            iv("2026-01-01T09:00:00Z", "2026-01-01T10:30:00Z"),
            iv("2026-01-01T11:00:00Z", "2026-01-01T12:00:00Z"),
            iv("2026-01-01T13:30:00Z", "2026-01-01T16:30:00Z"),
        ]);
        assert_eq!(
            a.subtract(&b).intervals(),
            [
                iv("2026-01-01T10:30:00Z", "2026-01-01T11:00:00Z"),
                iv("2026-01-01T12:00:00Z", "2026-01-01T13:30:00Z"),
                iv("2026-01-01T16:30:00Z", "2026-01-01T18:00:00Z"),
            ]
        );
        assert!(a.subtract(&a).is_empty());
        assert_eq!(a.subtract(&TimeSet::default()), a);
    }

    #[test]
    fn madrid_follows_winter_and_summer_offsets() {
        let availability = weekly(vec![w(Weekday::Mon, "18:00", "21:00")]);
        let madrid = tz("Europe/Madrid");
        // 2026-01-12 and 2026-07-13 are Mondays.
        let winter = TimeSet::weekly(&availability, madrid, &around("2026-01-12"));
        assert_eq!(winter.intervals(), [iv("2026-01-12T17:00:00Z", "2026-01-12T20:00:00Z")]);
        let summer = TimeSet::weekly(&availability, madrid, &around("2026-07-13"));
        assert_eq!(summer.intervals(), [iv("2026-07-13T16:00:00Z", "2026-07-13T19:00:00Z")]);
    }

    #[test]
    fn each_day_uses_its_own_offset_across_a_change() {
        // Madrid moves to summer time on Sunday 2026-03-29: Saturday is UTC+1, Monday UTC+2.
        let availability = weekly(vec![w(Weekday::Sat, "18:00", "21:00"), w(Weekday::Mon, "18:00", "21:00")]);
        let within = iv("2026-03-28T00:00:00Z", "2026-03-31T00:00:00Z");
        let set = TimeSet::weekly(&availability, tz("Europe/Madrid"), &within);
        assert_eq!(
            set.intervals(),
            [iv("2026-03-28T17:00:00Z", "2026-03-28T20:00:00Z"), iv("2026-03-30T16:00:00Z", "2026-03-30T19:00:00Z")]
        );
    }

    #[test]
    fn spring_forward_gap_maps_to_the_jump() {
        let madrid = tz("Europe/Madrid");
        let within = around("2026-03-29");
        // 01:30 CET is 00:30Z; 03:30 CEST is 01:30Z: one real hour.
        let set = TimeSet::weekly(&weekly(vec![w(Weekday::Sun, "01:30", "03:30")]), madrid, &within);
        assert_eq!(set.intervals(), [iv("2026-03-29T00:30:00Z", "2026-03-29T01:30:00Z")]);
        assert_eq!(set.total(), Duration::hours(1));
        // 02:30 does not exist; it starts at the jump, 01:00Z.
        let set = TimeSet::weekly(&weekly(vec![w(Weekday::Sun, "02:30", "04:00")]), madrid, &within);
        assert_eq!(set.intervals(), [iv("2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z")]);
        // An end in the gap maps to the jump too.
        let set = TimeSet::weekly(&weekly(vec![w(Weekday::Sun, "01:00", "02:30")]), madrid, &within);
        assert_eq!(set.intervals(), [iv("2026-03-29T00:00:00Z", "2026-03-29T01:00:00Z")]);
        // A window entirely inside the gap is dropped.
        let set = TimeSet::weekly(&weekly(vec![w(Weekday::Sun, "02:00", "02:45")]), madrid, &within);
        assert!(set.is_empty());
    }

    #[test]
    fn fall_back_keeps_full_local_length_or_more() {
        let madrid = tz("Europe/Madrid");
        let within = around("2026-10-25");
        // 01:30 CEST is 23:30Z the day before; 03:30 CET is 02:30Z: three real hours.
        let set = TimeSet::weekly(&weekly(vec![w(Weekday::Sun, "01:30", "03:30")]), madrid, &within);
        assert_eq!(set.intervals(), [iv("2026-10-24T23:30:00Z", "2026-10-25T02:30:00Z")]);
        assert_eq!(set.total(), Duration::hours(3));
        // 02:15 and 02:45 happen twice: start at the first 02:15, end at the second 02:45.
        let set = TimeSet::weekly(&weekly(vec![w(Weekday::Sun, "02:15", "02:45")]), madrid, &within);
        assert_eq!(set.intervals(), [iv("2026-10-25T00:15:00Z", "2026-10-25T01:45:00Z")]);
    }

    #[test]
    fn window_ending_at_midnight_reaches_the_next_day() {
        let availability = weekly(vec![w(Weekday::Mon, "22:00", "24:00"), w(Weekday::Tue, "00:00", "01:00")]);
        let set = TimeSet::weekly(&availability, tz("Europe/Madrid"), &around("2026-01-12"));
        // Monday 22:00 to Tuesday 01:00 local is one merged stretch.
        assert_eq!(set.intervals(), [iv("2026-01-12T21:00:00Z", "2026-01-13T00:00:00Z")]);
        let alone = weekly(vec![w(Weekday::Sat, "23:00", "24:00")]);
        // Madrid's 2026-03-29 midnight is still winter time (UTC+1).
        let set = TimeSet::weekly(&alone, tz("Europe/Madrid"), &around("2026-03-28"));
        assert_eq!(set.intervals(), [iv("2026-03-28T22:00:00Z", "2026-03-28T23:00:00Z")]);
    }

    #[test]
    fn results_are_clipped_to_within() {
        let availability = weekly(vec![w(Weekday::Mon, "18:00", "21:00")]);
        let within = iv("2026-01-12T18:00:00Z", "2026-01-12T19:15:00Z");
        let set = TimeSet::weekly(&availability, tz("Europe/Madrid"), &within);
        assert_eq!(set.intervals(), [within]);
        let before = iv("2026-01-12T10:00:00Z", "2026-01-12T17:00:00Z");
        assert!(TimeSet::weekly(&availability, tz("Europe/Madrid"), &before).is_empty());
        assert!(TimeSet::weekly(&WeeklyAvailability::default(), tz("Europe/Madrid"), &within).is_empty());
    }

    #[test]
    fn madrid_and_mexico_city_overlap() {
        // 2026-11-02 is a Monday; Madrid is UTC+1, Mexico City UTC-6 all year since 2022.
        let within = around("2026-11-02");
        let madrid = TimeSet::weekly(&weekly(vec![w(Weekday::Mon, "18:00", "21:00")]), tz("Europe/Madrid"), &within);
        let mexico =
            TimeSet::weekly(&weekly(vec![w(Weekday::Mon, "10:00", "14:00")]), tz("America/Mexico_City"), &within);
        assert_eq!(madrid.intervals(), [iv("2026-11-02T17:00:00Z", "2026-11-02T20:00:00Z")]);
        assert_eq!(mexico.intervals(), [iv("2026-11-02T16:00:00Z", "2026-11-02T20:00:00Z")]);
        let both = madrid.intersect(&mexico);
        assert_eq!(both, mexico.intersect(&madrid));
        assert_eq!(both.intervals(), [iv("2026-11-02T17:00:00Z", "2026-11-02T20:00:00Z")]);
        assert_eq!(both.total(), Duration::hours(3));
        // Mexico City no longer moves in summer: the same window is 16:00-20:00Z in July.
        let july = TimeSet::weekly(
            &weekly(vec![w(Weekday::Mon, "10:00", "14:00")]),
            tz("America/Mexico_City"),
            &around("2026-07-13"),
        );
        assert_eq!(july.intervals(), [iv("2026-07-13T16:00:00Z", "2026-07-13T20:00:00Z")]);
    }

    #[test]
    fn utc_zone_is_identity() {
        let availability = weekly(vec![w(Weekday::Thu, "00:00", "24:00"), w(Weekday::Fri, "09:00", "10:00")]);
        // 2026-01-01 is a Thursday.
        let within = iv("2026-01-01T00:00:00Z", "2026-01-08T00:00:00Z");
        let set = TimeSet::weekly(&availability, tz("UTC"), &within);
        assert_eq!(
            set.intervals(),
            [iv("2026-01-01T00:00:00Z", "2026-01-02T00:00:00Z"), iv("2026-01-02T09:00:00Z", "2026-01-02T10:00:00Z")]
        );
    }

    const BASE: i64 = 1_767_225_600; // 2026-01-01T00:00:00Z

    fn minutes(offset: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(BASE + offset * 60, 0).unwrap()
    }

    fn any_interval() -> impl Strategy<Value = Interval> {
        (0i64..5_000, 1i64..600).prop_map(|(start, len)| Interval::new(minutes(start), minutes(start + len)).unwrap())
    }

    fn any_set() -> impl Strategy<Value = TimeSet> {
        prop::collection::vec(any_interval(), 0..12).prop_map(TimeSet::from_intervals)
    }

    /// Any weekly availability: per day, some of the stretches between sorted quarter-hour marks.
    fn any_weekly() -> impl Strategy<Value = WeeklyAvailability> {
        let day = (prop::collection::btree_set(0u16..=96, 0..10), prop::collection::vec(any::<bool>(), 10));
        prop::collection::vec(day, 7).prop_map(|days| {
            let mut windows = Vec::new();
            for (day, (marks, keep)) in Weekday::ALL.into_iter().zip(days) {
                let marks: Vec<u16> = marks.into_iter().collect();
                for (pair, keep) in marks.windows(2).zip(keep) {
                    if keep {
                        windows.push(
                            AvailabilityWindow::new(
                                day,
                                TimeOfDay::from_minutes(pair[0] * 15).unwrap(),
                                TimeOfDay::from_minutes(pair[1] * 15).unwrap(),
                            )
                            .unwrap(),
                        );
                    }
                }
            }
            WeeklyAvailability::new(windows).unwrap()
        })
    }

    fn any_zone() -> impl Strategy<Value = Timezone> {
        prop::sample::select(
            [
                "Europe/Madrid",
                "America/Mexico_City",
                "America/New_York",
                "America/Santiago",
                "Australia/Lord_Howe",
                "Asia/Tokyo",
                "Pacific/Chatham",
                "UTC",
            ]
            .map(tz)
            .to_vec(),
        )
    }

    /// Minutes after `BASE` to start a range: anywhere in 2026, or within days of a DST change.
    fn any_offset() -> impl Strategy<Value = i64> {
        // 2026 changes: US Mar 8 / Nov 1, EU Mar 29 / Oct 25, Santiago, Lord Howe and Chatham
        // Apr 5 / Sep 6, Oct 4, Sep 27 (days after 2026-01-01).
        let changes = vec![66i64, 87, 94, 248, 269, 276, 297, 304];
        prop_oneof![
            0i64..530_000,
            (prop::sample::select(changes), -4_320i64..1_440).prop_map(|(day, minute)| day * 1_440 + minute),
        ]
    }

    fn is_normalised(set: &TimeSet) -> bool {
        set.intervals().windows(2).all(|pair| pair[0].end < pair[1].start)
    }

    /// Whether `instant`'s wall-clock time in `zone` falls in one of that weekday's windows.
    fn on_local_clock(availability: &WeeklyAvailability, zone: Timezone, instant: DateTime<Utc>) -> bool {
        use chrono::Timelike;
        let local = instant.with_timezone(&zone).naive_local();
        let day = Weekday::from(local.weekday());
        let seconds = local.num_seconds_from_midnight();
        availability.iter().any(|w| {
            w.day() == day
                && u32::from(w.start().minutes()) * 60 <= seconds
                && seconds < u32::from(w.end().minutes()) * 60
        })
    }

    proptest! {
        #[test]
        fn from_intervals_is_sorted_disjoint_and_no_longer(intervals in prop::collection::vec(any_interval(), 0..20)) {
            let sum = intervals.iter().map(Interval::duration).fold(Duration::zero(), |a, b| a + b);
            let set = TimeSet::from_intervals(intervals.clone());
            prop_assert!(is_normalised(&set));
            prop_assert!(set.total() <= sum);
            for interval in &intervals {
                prop_assert!(set.covers(interval));
            }
        }

        #[test]
        fn intersect_is_commutative_and_no_larger(a in any_set(), b in any_set()) {
            let both = a.intersect(&b);
            prop_assert_eq!(&both, &b.intersect(&a));
            prop_assert!(is_normalised(&both));
            prop_assert!(both.total() <= a.total().min(b.total()));
        }

        #[test]
        fn subtract_and_intersect_partition(a in any_set(), b in any_set()) {
            let rest = a.subtract(&b);
            prop_assert!(is_normalised(&rest));
            prop_assert_eq!(rest.total() + a.intersect(&b).total(), a.total());
            prop_assert!(rest.intersect(&b).is_empty());
        }

        #[test]
        fn intersection_lies_inside_both(a in any_set(), b in any_set()) {
            for interval in a.intersect(&b).intervals() {
                prop_assert!(a.covers(interval));
                prop_assert!(b.covers(interval));
            }
        }

        #[test]
        fn fourteen_days_without_dst_is_twice_a_week(availability in any_weekly(), offset in 0i64..20_160) {
            let local: i64 = availability.iter().map(|w| i64::from(w.end().minutes() - w.start().minutes())).sum();
            let start = minutes(offset);
            let within = Interval::new(start, start + Duration::days(14)).unwrap();
            let set = TimeSet::weekly(&availability, tz("Asia/Tokyo"), &within);
            prop_assert_eq!(set.total(), Duration::minutes(2 * local));
        }

        #[test]
        fn weekly_agrees_with_the_local_clock(
            availability in any_weekly(),
            zone in any_zone(),
            offset in any_offset(),
            len in 1i64..20_000,
        ) {
            let within = Interval::new(minutes(offset), minutes(offset + len)).unwrap();
            let set = TimeSet::weekly(&availability, zone, &within);
            // Every 7.5 minutes, so quarter-hour edges and the spans between them are both probed.
            let mut instant = within.start();
            while instant < within.end() {
                let second = Interval::new(instant, instant + Duration::seconds(1)).unwrap();
                let offset_at = |t: DateTime<Utc>| t.with_timezone(&zone).offset().fix();
                let steady = offset_at(instant - Duration::days(1)) == offset_at(instant + Duration::days(1));
                if on_local_clock(&availability, zone, instant) {
                    // Edge rules only ever widen a window, so the local clock being inside is enough.
                    prop_assert!(set.covers(&second), "{} should be covered", instant);
                } else if steady {
                    // Away from any offset change, conversion is exact.
                    prop_assert!(!set.covers(&second), "{} should not be covered", instant);
                }
                instant += Duration::seconds(450);
            }
        }

        #[test]
        fn weekly_stays_within(
            availability in any_weekly(),
            zone in any_zone(),
            offset in any_offset(),
            len in 1i64..30_000,
        ) {
            let within = Interval::new(minutes(offset), minutes(offset + len)).unwrap();
            let set = TimeSet::weekly(&availability, zone, &within);
            prop_assert!(is_normalised(&set));
            for interval in set.intervals() {
                prop_assert!(within.contains(interval));
            }
        }
    }
}
