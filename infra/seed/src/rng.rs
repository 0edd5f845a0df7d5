//! A tiny deterministic PRNG (SplitMix64): demo data must be identical on every machine and
//! every run, which rules out OS randomness, and it is too little code to justify a crate.

/// SplitMix64's output function: a good 64-bit mixer on its own.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// SplitMix64 generator.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator whose stream depends only on `seed`.
    pub fn new(seed: u64) -> Self {
        Self(mix(seed))
    }

    /// The stream for one generated user: independent of every other user's, so user `i`
    /// is the same whether 10 or 100,000 users are seeded, and users can be made in any order.
    pub fn for_user(seed: u64, kind: u64, index: usize) -> Self {
        Self::new(mix(seed) ^ mix(kind.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ mix(index as u64)))
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        mix(self.0)
    }

    /// Uniform in [0, 1).
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `0..n` (`n` > 0), by multiply-shift, which has no modulo bias worth noting.
    pub fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }

    /// Uniform in `low..=high`.
    pub fn between(&mut self, low: u32, high: u32) -> u32 {
        low + self.below((high - low) as usize + 1) as u32
    }

    /// True with probability `p`.
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// A uniformly chosen element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// An index drawn by `weights`.
    pub fn weighted(&mut self, weights: &[f64]) -> usize {
        let total: f64 = weights.iter().sum();
        let mut target = self.unit() * total;
        for (index, weight) in weights.iter().enumerate() {
            if target < *weight {
                return index;
            }
            target -= weight;
        }
        weights.len() - 1
    }

    /// An index drawn from a cumulative weight table (ascending, last = total), in O(log n).
    pub fn cumulative(&mut self, cumulative: &[f64]) -> usize {
        let total = cumulative.last().copied().unwrap_or(0.0);
        let target = self.unit() * total;
        cumulative.partition_point(|&c| c <= target).min(cumulative.len().saturating_sub(1))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream_and_users_are_independent() {
        let a: Vec<u64> = (0..5).map(|_| Rng::new(7).next_u64()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let mut x = Rng::for_user(42, 1, 3);
        let mut y = Rng::for_user(42, 1, 3);
        assert_eq!(x.next_u64(), y.next_u64());
        assert_ne!(Rng::for_user(42, 1, 3).next_u64(), Rng::for_user(42, 1, 4).next_u64());
        assert_ne!(Rng::for_user(42, 1, 3).next_u64(), Rng::for_user(42, 2, 3).next_u64());
        assert_ne!(Rng::for_user(42, 1, 3).next_u64(), Rng::for_user(43, 1, 3).next_u64());
    }

    #[test]
    fn ranges_hold() {
        let mut rng = Rng::new(1);
        for _ in 0..10_000 {
            let u = rng.unit();
            assert!((0.0..1.0).contains(&u));
            assert!(rng.below(7) < 7);
            assert!((3..=5).contains(&rng.between(3, 5)));
            assert!(rng.cumulative(&[1.0, 3.0, 6.0]) < 3);
            assert!(rng.weighted(&[1.0, 0.0, 2.0]) != 1);
        }
    }
}
