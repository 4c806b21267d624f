//! The seeded stream and the few ways it is drawn from.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{Rng as _, SeedableRng};

use super::splitmix64;

/// The seeded stream and the few ways it is drawn from. The draws are our own
/// (Lemire's unbiased multiply), so the output depends only on ChaCha8, not on
/// how a `rand` release samples ranges; only strings for a `pattern` are drawn
/// by `rand_regex` through `rand` (its version pinned by the lock file).
pub(super) struct Rng(pub(super) ChaCha8Rng);

impl Rng {
    pub(super) fn new(seed: u64) -> Rng {
        // SplitMix64 expands the seed into the 32-byte key (rand_core's
        // `seed_from_u64` would tie the stream to its expansion algorithm).
        let mut key = [0u8; 32];
        let mut x = seed;
        for chunk in key.chunks_mut(8) {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            chunk.copy_from_slice(&splitmix64(x).to_le_bytes());
        }
        Rng(ChaCha8Rng::from_seed(key))
    }

    pub(super) fn next(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// Uniform in `0..n` (`0` when `n` is 0).
    pub(super) fn below(&mut self, n: u64) -> u64 {
        if n <= 1 {
            return 0;
        }
        let mut m = u128::from(self.next()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }

    pub(super) fn index(&mut self, len: usize) -> usize {
        self.below(len as u64) as usize
    }

    /// Uniform in `lo..=hi` (`lo` when the range is empty).
    pub(super) fn range_i128(&mut self, lo: i128, hi: i128) -> i128 {
        if hi <= lo {
            return lo;
        }
        let span = hi - lo;
        match u64::try_from(span) {
            Ok(s) if s < u64::MAX => lo + i128::from(self.below(s + 1)),
            _ => lo + i128::from(self.next() >> 1),
        }
    }

    /// True with probability `num/den`.
    pub(super) fn chance(&mut self, num: u64, den: u64) -> bool {
        self.below(den) < num
    }
}
