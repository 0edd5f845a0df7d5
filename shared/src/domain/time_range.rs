//! A span of time as a query parameter gives it: `start/end`, both RFC 3339 (GET /mentors'
//! `available_at`).

use chrono::{DateTime, Utc};

use super::search::MAX_AVAILABLE_RANGE_HOURS;
use super::{Interval, Invalid};

/// An [`Interval`] of at most [`MAX_AVAILABLE_RANGE_HOURS`], the longest span a search asks
/// availability to cover (one long session).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange(Interval);

impl TimeRange {
    /// Parses `start/end` (offsets allowed, turned into UTC); the end must follow the start.
    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        const SHAPE: Invalid =
            Invalid::new("must be start/end in RFC 3339, e.g. 2026-11-23T18:00:00Z/2026-11-23T19:00:00Z");
        let (start, end) = raw.split_once('/').ok_or(SHAPE)?;
        let parse = |t: &str| DateTime::parse_from_rfc3339(t.trim()).map(|t| t.with_timezone(&Utc)).map_err(|_| SHAPE);
        let range = Interval::new(parse(start)?, parse(end)?)?;
        if range.duration() > chrono::Duration::hours(MAX_AVAILABLE_RANGE_HOURS) {
            return Err(Invalid::new("must span at most 8 hours"));
        }
        Ok(Self(range))
    }

    /// The span.
    pub fn interval(self) -> Interval {
        self.0
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use chrono::{Duration, TimeZone as _};
    use proptest::prelude::*;

    use super::*;

    fn refusal(raw: &str) -> String {
        TimeRange::parse(raw).unwrap_err().reason().to_owned()
    }

    #[test]
    fn start_and_end_become_a_utc_interval() {
        let range = TimeRange::parse(" 2026-11-23T18:00:00Z / 2026-11-23T20:30:00+01:00 ").unwrap().interval();
        assert_eq!(range.start(), Utc.with_ymd_and_hms(2026, 11, 23, 18, 0, 0).unwrap());
        assert_eq!(range.end(), Utc.with_ymd_and_hms(2026, 11, 23, 19, 30, 0).unwrap());
        assert!(TimeRange::parse("2026-11-23T10:00:00Z/2026-11-23T18:00:00Z").is_ok(), "8 hours exactly");
    }

    #[test]
    fn malformed_backwards_and_long_ranges_are_refused() {
        let shape = "must be start/end in RFC 3339, e.g. 2026-11-23T18:00:00Z/2026-11-23T19:00:00Z";
        assert_eq!(refusal("tomorrow"), shape);
        assert_eq!(refusal("2026-11-23T18:00:00Z"), shape);
        assert_eq!(refusal("2026-11-23T18:00:00Z/soon"), shape);
        assert_eq!(refusal("2026-11-23T18:00:00Z/2026-11-23T17:00:00Z"), "must end after it starts");
        assert_eq!(refusal("2026-11-23T18:00:00Z/2026-11-23T18:00:00Z"), "must end after it starts");
        assert_eq!(refusal("2026-11-23T10:00:00Z/2026-11-23T18:00:01Z"), "must span at most 8 hours");
    }

    proptest! {
        #[test]
        fn a_range_parses_exactly_when_it_is_positive_and_at_most_eight_hours(start in 0i64..4_000_000_000, minutes in -600i64..600) {
            let start = Utc.timestamp_opt(start, 0).unwrap();
            let end = start + Duration::minutes(minutes);
            let parsed = TimeRange::parse(&format!("{}/{}", start.to_rfc3339(), end.to_rfc3339()));
            prop_assert_eq!(parsed.is_ok(), minutes > 0 && minutes <= 8 * 60);
            if let Ok(range) = parsed {
                prop_assert_eq!((range.interval().start(), range.interval().end()), (start, end));
            }
        }
    }
}
