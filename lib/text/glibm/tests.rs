//! `log10` and `pow` checked bit for bit against glibc.

use super::*;

/// Vectors produced by `tests/data/gen_glibm_vectors.py` from CPython 3.11
/// on glibc 2.36 x86_64 (FMA): `math.log10(x)` and `x ** y`.
const VECTORS: &str = include_str!("../../../tests/data/glibm_vectors.txt");

fn hex(s: &str) -> u64 {
    u64::from_str_radix(s, 16).unwrap()
}

/// Same bits, or both NaN (glibc's NaN sign/payload is not part of the contract).
fn same(got: f64, want: u64) -> bool {
    got.to_bits() == want || (got.is_nan() && f64::from_bits(want).is_nan())
}

#[test]
fn vectors_match_glibc_bit_for_bit() {
    let (mut checked, mut bad) = (0usize, Vec::new());
    for line in VECTORS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let w: Vec<&str> = line.split_whitespace().collect();
        let (got, want) = match w[0] {
            "L" => (log10(f64::from_bits(hex(w[1]))), hex(w[2])),
            "P" => (
                pow(f64::from_bits(hex(w[1])), f64::from_bits(hex(w[2]))),
                hex(w[3]),
            ),
            other => panic!("bad vector line kind {other:?}"),
        };
        checked += 1;
        if !same(got, want) {
            bad.push(format!("{line} -> got {:016x}", got.to_bits()));
        }
    }
    assert!(checked > 3000, "only {checked} vectors");
    assert!(
        bad.is_empty(),
        "{} of {checked} differ:\n{}",
        bad.len(),
        bad[..bad.len().min(20)].join("\n")
    );
}

#[test]
fn spec_grid_examples() {
    // Spec 2.1: log 1e-5..1e-2 in 5 steps, and the 3e-5 endpoint.
    let (a, b) = (log10(1e-5), log10(1e-2));
    let got: Vec<f64> = (0..5)
        .map(|i| pow(10.0, a + ((f64::from(i) * (b - a)) / 4.0)))
        .collect();
    assert_eq!(
        got,
        [
            1e-05,
            5.623413251903491e-05,
            0.00031622776601683794,
            0.0017782794100389228,
            0.01
        ]
    );
    assert_eq!(pow(10.0, log10(3e-5)), 3.000000000000001e-05);
}

#[test]
fn special_cases() {
    assert_eq!(log10(0.0), f64::NEG_INFINITY);
    assert_eq!(log10(-0.0), f64::NEG_INFINITY);
    assert!(log10(-1.0).is_nan());
    assert!(log10(f64::NAN).is_nan());
    assert_eq!(log10(f64::INFINITY), f64::INFINITY);
    assert_eq!(log10(1.0).to_bits(), 0.0f64.to_bits());
    assert_eq!(log10(5e-324), -323.3062153431158);
    assert_eq!(pow(10.0, 0.0), 1.0);
    assert!(pow(10.0, f64::NAN).is_nan());
    assert_eq!(pow(f64::NAN, 0.0), 1.0);
    assert_eq!(pow(10.0, 400.0), f64::INFINITY);
    assert_eq!(pow(10.0, -400.0), 0.0);
    assert_eq!(pow(0.0, -1.0), f64::INFINITY);
    assert_eq!(pow(-0.0, -1.0), f64::NEG_INFINITY);
    assert!(pow(-2.0, 0.5).is_nan());
    assert_eq!(pow(-2.0, 3.0), -8.0);
}

/// The FMA-instruction build of `pow` and the portable one (software `fma` in the
/// static build) give the same bits, on random bases and exponents near the grids'.
#[test]
fn pow_builds_agree() {
    let mut rng = crate::testrng::XorShift(0x0123_4567_89ab_cdef);
    let mut next = || rng.next();
    for _ in 0..20_000 {
        let y = (next() >> 11) as f64 / (1u64 << 53) as f64 * 40.0 - 20.0;
        let x = f64::from_bits(next() >> 2);
        for (b, e) in [(10.0, y), (x, y), (x, 0.5)] {
            let (a, p) = (super::pow(b, e), super::pow_body(b, e));
            assert!(
                a.to_bits() == p.to_bits() || (a.is_nan() && p.is_nan()),
                "pow({b:e}, {e:e})"
            );
        }
    }
}
