//! A clock the local stack can move, in the spirit of Stripe's test clocks: every function
//! the gateway hosts and every schedule it fires reads it, so a session can run to
//! completion, a review window close or a week end without waiting days. Tests start it at
//! an instant they name, so no expectation depends on the day the suite runs. Never part
//! of a deployment: in AWS the functions read the system clock.

use std::sync::Mutex;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use shared::ports::Clock;

/// Time that runs like the wall clock from a chosen start, and can be moved.
#[derive(Debug)]
pub struct LocalClock {
    /// `None`: real time. `Some((start, since))`: `start` plus the real time elapsed `since`.
    pinned: Mutex<Option<(DateTime<Utc>, Instant)>>,
}

/// What `GET /_local/clock` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClockReading {
    /// The instant the functions see now.
    pub now: DateTime<Utc>,
    /// False once moved or set, until reset.
    pub real_time: bool,
}

impl LocalClock {
    /// The wall clock, until moved.
    pub fn real() -> Self {
        Self { pinned: Mutex::new(None) }
    }

    /// Starts at `start` and runs from there.
    pub fn starting_at(start: DateTime<Utc>) -> Self {
        Self { pinned: Mutex::new(Some((start, Instant::now()))) }
    }

    /// Moves time by `by` (backwards too: the functions' own rules decide what a past
    /// instant means).
    pub fn advance(&self, by: Duration) {
        let now = self.now();
        self.set(now + by);
    }

    /// Jumps to `instant`, and runs from there.
    pub fn set(&self, instant: DateTime<Utc>) {
        *self.lock() = Some((instant, Instant::now()));
    }

    /// Back to the wall clock.
    pub fn reset(&self) {
        *self.lock() = None;
    }

    /// The current reading.
    pub fn reading(&self) -> ClockReading {
        let real_time = self.lock().is_none();
        ClockReading { now: self.now(), real_time }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Option<(DateTime<Utc>, Instant)>> {
        // The guarded value is always whole (one assignment), so a panic elsewhere while
        // holding it cannot leave it torn.
        self.pinned.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl Clock for LocalClock {
    fn now(&self) -> DateTime<Utc> {
        match *self.lock() {
            None => Utc::now(),
            Some((start, since)) => start + Duration::from_std(since.elapsed()).unwrap_or_else(|_| Duration::zero()),
        }
    }
}

/// Reads an ISO 8601 duration of days, weeks and time (`PT32H`, `P7D`, `P1DT2H30M`,
/// `-PT1H`), as `POST /_local/clock {"advance": ...}` takes it. Years and months are
/// refused: their length depends on where they start.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let (sign, rest) = match text.strip_prefix('-') {
        Some(rest) => (-1, rest),
        None => (1, text),
    };
    let rest = rest.strip_prefix('P')?;
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return None,
        None => (rest, None),
    };
    let mut total = Duration::zero();
    let mut any = false;
    for (part, units) in
        [(date, &[('W', 604_800), ('D', 86_400)][..]), (time.unwrap_or(""), &[('H', 3600), ('M', 60), ('S', 1)][..])]
    {
        let mut number = String::new();
        let mut allowed = units.iter();
        for c in part.chars() {
            if c.is_ascii_digit() {
                number.push(c);
                continue;
            }
            // Units in their order, each once.
            let (_, seconds) = allowed.by_ref().find(|(unit, _)| *unit == c)?;
            let count: i64 = number.parse().ok()?;
            total = total.checked_add(&Duration::try_seconds(count.checked_mul(*seconds)?)?)?;
            number.clear();
            any = true;
        }
        if !number.is_empty() {
            return None;
        }
    }
    any.then_some(total * sign)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_iso_8601() {
        assert_eq!(parse_duration("PT32H"), Some(Duration::hours(32)));
        assert_eq!(parse_duration("P7D"), Some(Duration::days(7)));
        assert_eq!(parse_duration("P1W"), Some(Duration::days(7)));
        assert_eq!(parse_duration("P1DT2H30M"), Some(Duration::minutes(26 * 60 + 30)));
        assert_eq!(parse_duration("PT90S"), Some(Duration::seconds(90)));
        assert_eq!(parse_duration("-PT1H"), Some(Duration::hours(-1)));
        for bad in ["", "P", "PT", "32H", "P1M", "P1Y", "PT1D", "P1H", "PT1H2", "PTH", "P1D1W", "PT99999999999999999H"]
        {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }

    fn instant(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn starts_where_told_and_runs() {
        let start = instant("2028-02-29T23:00:00Z");
        let clock = LocalClock::starting_at(start);
        let now = clock.now();
        assert!(now >= start && now < start + Duration::seconds(5), "{now}");
        assert!(!clock.reading().real_time);
    }

    #[test]
    fn moves_forward_backward_and_back_to_real_time() {
        let start = instant("2026-03-29T00:30:00Z");
        let clock = LocalClock::starting_at(start);
        clock.advance(Duration::hours(32));
        let moved = clock.now();
        assert!(moved >= start + Duration::hours(32) && moved < start + Duration::hours(32) + Duration::seconds(5));
        clock.advance(Duration::hours(-40));
        assert!(clock.now() < start);
        clock.set(instant("2030-01-01T00:00:00Z"));
        assert_eq!(clock.now().date_naive().to_string(), "2030-01-01");
        clock.reset();
        assert!(clock.reading().real_time);
        assert!((clock.now() - Utc::now()).num_seconds().abs() < 5);
    }
}
