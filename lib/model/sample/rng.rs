//! The numbers of `grid: random`: a counter-based SplitMix64 hash of (seed, candidate,
//! dimension), and the mapping of 64 random bits to a double in [0, 1).
//!
//! Specified in `docs/sampling.md` so that other tools can reproduce the draws.

/// SplitMix64's increment (the golden ratio, 2^64 / φ).
pub(crate) const GOLDEN: u64 = 0x9e37_79b9_7f4a_7c15;

/// SplitMix64's output function (Stafford's variant 13).
pub(crate) fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// 64 random bits of candidate `k`, dimension `d`, for `seed`:
/// `mix(mix(mix(seed + G) + k + G) + d + G)` (wrapping), `G` = [`GOLDEN`]. The
/// innermost term is SplitMix64's first output for state `seed`.
pub(crate) fn bits(seed: u64, k: u64, d: u64) -> u64 {
    let s = mix(seed.wrapping_add(GOLDEN));
    let s = mix(s.wrapping_add(k).wrapping_add(GOLDEN));
    mix(s.wrapping_add(d).wrapping_add(GOLDEN))
}

/// A double in [0, 1): the top 53 bits times 2^-53.
pub(crate) fn unit(x: u64) -> f64 {
    (x >> 11) as f64 * (1.0 / 9_007_199_254_740_992.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64 as a stream: state += G, output mix(state).
    struct SplitMix64(u64);
    impl SplitMix64 {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(GOLDEN);
            mix(self.0)
        }
    }

    #[test]
    fn splitmix64_reference_outputs() {
        // Vigna's splitmix64.c seeded with 1234567 (the vectors other ports test).
        let mut g = SplitMix64(1_234_567);
        let got: Vec<u64> = (0..5).map(|_| g.next()).collect();
        assert_eq!(
            got,
            [
                6_457_827_717_110_365_317,
                3_203_168_211_198_807_973,
                9_817_491_932_198_370_423,
                4_593_380_528_125_082_431,
                16_408_922_859_458_223_821,
            ]
        );
    }

    #[test]
    fn bits_is_the_nested_hash() {
        let first = SplitMix64(7).next();
        let step = |s: u64, n: u64| mix(s.wrapping_add(n).wrapping_add(GOLDEN));
        assert_eq!(bits(7, 3, 2), step(step(first, 3), 2));
        assert_ne!(bits(7, 3, 2), bits(7, 2, 3));
        assert_ne!(bits(7, 3, 2), bits(8, 3, 2));
    }

    #[test]
    fn unit_spans_zero_to_below_one() {
        assert_eq!(unit(0), 0.0);
        assert_eq!(unit(u64::MAX), 1.0 - 2f64.powi(-53));
        assert_eq!(unit(1 << 63), 0.5);
    }
}
