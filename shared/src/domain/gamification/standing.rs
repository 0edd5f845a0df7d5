//! Where a member stands on a board they are not near the top of, from a histogram of
//! scores rather than by reading everyone above them.
//!
//! Each board keeps counts of members per score bucket (sharded items the award
//! transaction moves by one). A member's rank is estimated as everyone in higher buckets,
//! plus half of the others in their own bucket; buckets are a quarter of a doubling wide,
//! so the estimate is off by at most the members within about 19% of the member's score.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::ToSchema;

/// Buckets per doubling of the score: finer is more exact, coarser is fewer counters.
const BUCKETS_PER_DOUBLING: f64 = 4.0;

/// The histogram bucket of `score`: 0 for nothing (or less), then a quarter of a doubling
/// each (1, 2, 3, 4-5, 5-6, ...), so a bucket's scores are within about 19% of each other.
pub fn bucket(score: i64) -> u32 {
    if score <= 0 {
        return 0;
    }
    // Scores up to 10^12 give buckets below 200: no overflow, and the float is exact enough.
    1 + ((score as f64).log2() * BUCKETS_PER_DOUBLING).floor() as u32
}

/// A member's estimated place on a board.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, ToSchema)]
pub struct Estimate {
    /// Estimated rank, 1-based.
    pub rank: u64,
    /// Share of the board the member is ahead of or level with, 0 to 100.
    pub percentile: f64,
    /// Members on the board.
    pub of: u64,
}

/// The estimate for a member in bucket `mine`, from the board's bucket counts (which
/// include the member).
pub fn estimate(counts: &BTreeMap<u32, i64>, mine: u32) -> Estimate {
    let count = |c: &i64| u64::try_from(*c).unwrap_or(0);
    let above: u64 = counts.range(mine + 1..).map(|(_, c)| count(c)).sum();
    let level = counts.get(&mine).map_or(1, count).max(1);
    let total: u64 = counts.values().map(count).sum::<u64>().max(above + level);
    let rank = above + 1 + (level - 1) / 2;
    let behind = total - rank;
    let percentile = (behind as f64 + 1.0) / total as f64 * 100.0;
    Estimate { rank, percentile: (percentile * 10.0).round() / 10.0, of: total }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn buckets_grow_with_the_score() {
        assert_eq!(bucket(-5), 0);
        assert_eq!(bucket(0), 0);
        assert_eq!(bucket(1), 1);
        assert!(bucket(100) < bucket(200));
        assert_eq!(bucket(100), bucket(105), "within a quarter doubling");
    }

    #[test]
    fn the_best_bucket_ranks_first_and_the_last_is_at_the_bottom() {
        let counts = BTreeMap::from([(bucket(10), 10), (bucket(100), 5), (bucket(1000), 1)]);
        let top = estimate(&counts, bucket(1000));
        assert_eq!((top.rank, top.of), (1, 16));
        assert_eq!(top.percentile, 100.0);
        let bottom = estimate(&counts, bucket(10));
        assert_eq!(bottom.rank, 7 + 4, "6 above, then the middle of ten");
        assert!(bottom.percentile < 50.0);
    }

    proptest! {
        /// Scores share a bucket only when within a quarter of a doubling (~19%) of each other.
        #[test]
        fn a_bucket_spans_less_than_a_quarter_doubling(a in 1i64..1_000_000_000, b in 1i64..1_000_000_000) {
            if bucket(a) == bucket(b) {
                let (low, high) = (a.min(b) as f64, a.max(b) as f64);
                prop_assert!(high / low < 2f64.powf(0.25) + 1e-9);
            }
            // Monotonic: a higher score is never in a lower bucket.
            prop_assert!(a > b || bucket(a) <= bucket(b));
        }

        /// The estimate is always a rank on the board, and a higher bucket never ranks worse.
        #[test]
        fn estimates_are_ranks_and_monotonic(counts in proptest::collection::btree_map(0u32..40, 1i64..50, 1..20)) {
            let buckets: Vec<u32> = counts.keys().copied().collect();
            let mut previous_rank = u64::MAX;
            for mine in buckets {
                let e = estimate(&counts, mine);
                prop_assert!(e.rank >= 1 && e.rank <= e.of);
                prop_assert!(e.percentile > 0.0 && e.percentile <= 100.0);
                prop_assert!(e.rank <= previous_rank);
                previous_rank = e.rank;
            }
        }
    }
}
