//! Leaderboard order as one sortable string, so a table's sort key ranks members by itself.
//!
//! DynamoDB compares sort keys as UTF-8 bytes, so every field is fixed-width ASCII digits
//! (or the fixed 26-character user id) and the whole key sorts ascending best first.

use chrono::{DateTime, Utc};

use crate::domain::UserId;

/// Lowest score [`order_key`] orders exactly; anything lower sorts as this.
pub const MIN_SCORE: i64 = -1_000_000_000_000;

/// Highest score [`order_key`] orders exactly; anything higher sorts as this.
pub const MAX_SCORE: i64 = 1_000_000_000_000;

/// Last whole second [`order_key`] orders exactly (9999-12-31T23:59:59Z, in Unix seconds);
/// the first is 1970-01-01T00:00:00Z. Outside that, instants sort as the nearest end.
const LAST_SECOND: i64 = 253_402_300_799;

/// The length of every key [`order_key`] returns.
pub const ORDER_KEY_LEN: usize = 64;

/// A key that sorts ascending best first: higher `score` first; for equal scores, whoever
/// reached it earlier (`reached_at`, the commit time of the award that last changed the
/// score); then by user id, so no two members ever tie and ranks are stable.
///
/// Scores are ordered exactly from [`MIN_SCORE`] to [`MAX_SCORE`] (negative ones come from
/// admin corrections); `reached_at` from 1970 to the end of 9999, to the nanosecond. Values
/// outside are clamped, so they still sort, just level with the bound.
///
/// Shape: `<13-digit inverted score>#<12-digit seconds>.<10-digit nanoseconds>#<user id>`.
pub fn order_key(score: i64, reached_at: DateTime<Utc>, user: &UserId) -> String {
    // Inverting makes higher scores smaller; the offset keeps the result in
    // 0..=2*10^12, so 13 zero-padded digits sort like the numbers.
    let inverted = MAX_SCORE - score.clamp(MIN_SCORE, MAX_SCORE);
    let (seconds, nanos) = match reached_at.timestamp() {
        seconds if seconds < 0 => (0, 0),
        seconds if seconds > LAST_SECOND => (LAST_SECOND, 1_999_999_999),
        // Ten digits, not nine: chrono marks a leap second with 1e9..2e9 nanoseconds, which
        // sort after the second's other instants and before the next second, as they should.
        seconds => (seconds, reached_at.timestamp_subsec_nanos()),
    };
    format!("{inverted:013}#{seconds:012}.{nanos:010}#{user}")
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, NaiveTime};
    use proptest::prelude::*;
    use std::cmp::Ordering;
    use ulid::Ulid;

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    fn user(n: u128) -> UserId {
        UserId::new(Ulid(n))
    }

    /// The order a board means, stated directly.
    fn board_order(a: &(i64, DateTime<Utc>, UserId), b: &(i64, DateTime<Utc>, UserId)) -> Ordering {
        b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
    }

    #[test]
    fn shape() {
        let key = order_key(150, at("2026-11-18T09:00:00.5Z"), &user(1));
        assert_eq!(key, "0999999999850#001794992400.0500000000#00000000000000000000000001");
        assert_eq!(key.len(), ORDER_KEY_LEN);
    }

    #[test]
    fn higher_scores_first_then_earlier_then_user() {
        let t = at("2026-11-18T09:00:00Z");
        let later = at("2026-11-18T09:00:01Z");
        assert!(order_key(100, t, &user(9)) < order_key(99, t, &user(1)));
        assert!(order_key(100, t, &user(9)) < order_key(100, later, &user(1)));
        assert!(order_key(100, t, &user(1)) < order_key(100, t, &user(2)));
        assert!(order_key(0, t, &user(1)) < order_key(-1, t, &user(1)));
    }

    #[test]
    fn extremes_clamp_and_keep_the_width() {
        let t = at("2026-11-18T09:00:00Z");
        for score in [i64::MIN, MIN_SCORE, 0, MAX_SCORE, i64::MAX] {
            for instant in [DateTime::<Utc>::MIN_UTC, DateTime::<Utc>::UNIX_EPOCH, t, DateTime::<Utc>::MAX_UTC] {
                assert_eq!(order_key(score, instant, &user(u128::MAX)).len(), ORDER_KEY_LEN);
            }
        }
        assert_eq!(order_key(i64::MAX, t, &user(1)), order_key(MAX_SCORE, t, &user(1)));
        assert_eq!(order_key(i64::MIN, t, &user(1)), order_key(MIN_SCORE, t, &user(1)));
        let last = at("9999-12-31T23:59:59.999999999Z");
        assert!(order_key(1, last, &user(1)) < order_key(1, DateTime::<Utc>::MAX_UTC, &user(1)));
    }

    #[test]
    fn a_leap_second_sorts_between_its_neighbours() {
        let day = NaiveDate::from_ymd_opt(2016, 12, 31).unwrap();
        let leap = day.and_time(NaiveTime::from_hms_nano_opt(23, 59, 59, 1_500_000_000).unwrap()).and_utc();
        let before = at("2016-12-31T23:59:59.999999999Z");
        let after = at("2017-01-01T00:00:00Z");
        let key = |instant| order_key(7, instant, &user(1));
        assert!(key(before) < key(leap) && key(leap) < key(after));
    }

    /// Scores over the whole supported range, and a narrow band so ties are common.
    fn score() -> impl Strategy<Value = i64> {
        prop_oneof![MIN_SCORE..=MAX_SCORE, -2i64..=2]
    }

    /// Instants over the whole supported range, and a few seconds so ties are common.
    fn instant() -> impl Strategy<Value = DateTime<Utc>> {
        let wide = (0..=LAST_SECOND, 0u32..1_000_000_000);
        let narrow = (1_794_992_400i64..1_794_992_402, 0u32..3);
        prop_oneof![wide, narrow].prop_map(|(seconds, nanos)| DateTime::from_timestamp(seconds, nanos).unwrap())
    }

    fn any_user() -> impl Strategy<Value = UserId> {
        prop_oneof![any::<u128>(), 0u128..3].prop_map(user)
    }

    fn entry() -> impl Strategy<Value = (i64, DateTime<Utc>, UserId)> {
        (score(), instant(), any_user())
    }

    proptest! {
        #[test]
        fn key_order_is_board_order(a in entry(), b in entry()) {
            let key_a = order_key(a.0, a.1, &a.2);
            let key_b = order_key(b.0, b.1, &b.2);
            prop_assert_eq!(key_a.cmp(&key_b), board_order(&a, &b), "{} vs {}", key_a, key_b);
            prop_assert_eq!(key_a.len(), ORDER_KEY_LEN);
            prop_assert!(key_a.is_ascii());
        }

        #[test]
        fn sorting_keys_sorts_the_board(mut entries in proptest::collection::vec(entry(), 0..30)) {
            let mut keys: Vec<String> = entries.iter().map(|(s, t, u)| order_key(*s, *t, u)).collect();
            keys.sort();
            entries.sort_by(board_order);
            let expected: Vec<String> = entries.iter().map(|(s, t, u)| order_key(*s, *t, u)).collect();
            prop_assert_eq!(keys, expected);
        }
    }
}
