//! The numbers of `grid: sobol`: Sobol points from the Joe–Kuo direction numbers
//! (`new-joe-kuo-6.21201`, its first 32 dimensions), in Gray-code order, each
//! coordinate scrambled with Burley's hash-based Owen scramble (2020).
//!
//! Specified in `docs/sampling.md` so that other tools can reproduce the draws.

use super::rng::{mix, GOLDEN};
use crate::config::SOBOL_MAX_DIMS;

/// `new-joe-kuo-6.21201`, lines d = 2..=32: (s, a, m_1..m_s). Dimension 1 is the
/// van der Corput sequence (every m_i = 1).
const JOE_KUO: [(u32, u32, &[u32]); SOBOL_MAX_DIMS - 1] = [
    (1, 0, &[1]),
    (2, 1, &[1, 3]),
    (3, 1, &[1, 3, 1]),
    (3, 2, &[1, 1, 1]),
    (4, 1, &[1, 1, 3, 3]),
    (4, 4, &[1, 3, 5, 13]),
    (5, 2, &[1, 1, 5, 5, 17]),
    (5, 4, &[1, 1, 5, 5, 5]),
    (5, 7, &[1, 1, 7, 11, 19]),
    (5, 11, &[1, 1, 5, 1, 1]),
    (5, 13, &[1, 1, 1, 3, 11]),
    (5, 14, &[1, 3, 5, 5, 31]),
    (6, 1, &[1, 3, 3, 9, 7, 49]),
    (6, 13, &[1, 1, 1, 15, 21, 21]),
    (6, 16, &[1, 3, 1, 13, 27, 49]),
    (6, 19, &[1, 1, 1, 15, 7, 5]),
    (6, 22, &[1, 3, 1, 15, 13, 25]),
    (6, 25, &[1, 1, 5, 5, 19, 61]),
    (7, 1, &[1, 3, 7, 11, 23, 15, 103]),
    (7, 4, &[1, 3, 7, 13, 13, 15, 69]),
    (7, 7, &[1, 1, 3, 13, 7, 35, 63]),
    (7, 8, &[1, 3, 5, 9, 1, 25, 53]),
    (7, 14, &[1, 3, 1, 13, 9, 35, 107]),
    (7, 19, &[1, 3, 1, 5, 27, 61, 31]),
    (7, 21, &[1, 1, 5, 11, 19, 41, 61]),
    (7, 28, &[1, 3, 5, 3, 3, 13, 69]),
    (7, 31, &[1, 1, 7, 13, 1, 19, 1]),
    (7, 32, &[1, 3, 7, 5, 13, 19, 59]),
    (7, 37, &[1, 1, 3, 9, 25, 29, 41]),
    (7, 41, &[1, 3, 5, 13, 23, 1, 55]),
    (7, 42, &[1, 3, 7, 3, 13, 59, 17]),
];

/// The 32 direction numbers V_1..V_32 of dimension `d` (0-based), as 32-bit
/// fractions: V_i = m_i << (32 - i) for i ≤ s, then Joe and Kuo's recurrence.
pub(crate) fn directions(d: usize) -> [u32; 32] {
    let mut v = [0u32; 32];
    if d == 0 {
        for (i, x) in v.iter_mut().enumerate() {
            *x = 1 << (31 - i);
        }
        return v;
    }
    let (s, a, m) = JOE_KUO[d - 1];
    let s = s as usize;
    for i in 0..32 {
        v[i] = if i < s {
            m[i] << (31 - i)
        } else {
            let mut x = v[i - s] ^ (v[i - s] >> s);
            for k in 1..s {
                x ^= ((a >> (s - 1 - k)) & 1) * v[i - k];
            }
            x
        };
    }
    v
}

/// The unscrambled coordinate of point `k` (Gray-code order: point k is the XOR of
/// the directions of the bits set in `k ^ (k >> 1)`), as a 32-bit fraction.
pub(crate) fn point(v: &[u32; 32], k: u32) -> u32 {
    let mut g = k ^ (k >> 1);
    let mut x = 0;
    // One step per set bit (a branch per bit mispredicted half the time).
    while g != 0 {
        x ^= v[g.trailing_zeros() as usize];
        g &= g - 1;
    }
    x
}

/// The scramble seed of dimension `d`: the high 32 bits of
/// `mix(mix(seed + G) + d + G)`.
pub(crate) fn scramble_seed(seed: u64, d: u64) -> u32 {
    let s = mix(seed.wrapping_add(GOLDEN));
    (mix(s.wrapping_add(d).wrapping_add(GOLDEN)) >> 32) as u32
}

/// Burley's nested uniform (Owen) scramble: reverse the bits, apply the
/// Laine–Karras style hash, reverse back. Each bit is flipped depending only on the
/// bits above it, so the scrambled points keep Sobol's stratification.
pub(crate) fn owen_scramble(x: u32, seed: u32) -> u32 {
    let mut x = x.reverse_bits();
    x = x.wrapping_add(seed);
    x ^= x.wrapping_mul(0x6c50_b47c);
    x ^= x.wrapping_mul(0xb82f_1e52);
    x ^= x.wrapping_mul(0xc7af_e638);
    x ^= x.wrapping_mul(0x8d22_f6e6);
    x.reverse_bits()
}

/// A 32-bit fraction as a double in [0, 1): x * 2^-32 (exact).
pub(crate) fn unit32(x: u32) -> f64 {
    f64::from(x) * (1.0 / 4_294_967_296.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unscrambled(d: usize, n: u32) -> Vec<f64> {
        let v = directions(d);
        (0..n).map(|k| unit32(point(&v, k))).collect()
    }

    #[test]
    fn first_points_match_joe_kuo() {
        // The first ten 3-d points of Joe and Kuo's generator (their sobol.cc).
        assert_eq!(
            unscrambled(0, 10),
            [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125, 0.1875, 0.6875]
        );
        assert_eq!(
            unscrambled(1, 10),
            [0.0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625, 0.3125, 0.8125]
        );
        assert_eq!(
            unscrambled(2, 10),
            [0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375, 0.9375, 0.4375]
        );
    }

    #[test]
    fn every_dimension_is_a_0_1_sequence_of_its_first_points() {
        // Any 2^m consecutive-from-0 points put one point in each interval of 2^-m.
        for d in 0..SOBOL_MAX_DIMS {
            let v = directions(d);
            let mut seen = [false; 64];
            for k in 0..64 {
                seen[(point(&v, k) >> 26) as usize] = true;
            }
            assert!(seen.iter().all(|&b| b), "dimension {d}");
        }
    }

    #[test]
    fn scramble_keeps_stratification() {
        let v = directions(3);
        let seed = scramble_seed(42, 3);
        let mut seen = [false; 256];
        for k in 0..256 {
            seen[(owen_scramble(point(&v, k), seed) >> 24) as usize] = true;
        }
        assert!(seen.iter().all(|&b| b));
        assert_ne!(owen_scramble(0, seed), 0);
    }
}
