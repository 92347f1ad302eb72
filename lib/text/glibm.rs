//! Bit-exact ports of glibc's `log10` and `pow` for x86_64 with FMA.
//!
//! HyperHerd computes log-spaced parameter grids in Python as
//! `10.0 ** (a + i * (b - a) / (n - 1))` with `a = math.log10(low)`, and the
//! resulting doubles end up in experiment names, overrides and trial hashes.
//! CPython takes both functions from the platform libm; the reference runs on
//! glibc, where x86_64 CPUs with FMA dispatch to the `__*_fma` variants. The
//! static musl build of herd must not use musl's libm (it differs by one ulp on
//! a few percent of grid points), so the glibc algorithms are reproduced here.
//!
//! Origin and licences:
//! - `log` and `pow` (with their tables) are the Arm optimized-routines
//!   implementations (`math/log.c`, `math/log_data.c`, `math/pow.c`,
//!   `math/pow_log_data.c`, `math/exp_data.c`), Copyright (c) 2018 Arm Ltd,
//!   MIT OR Apache-2.0 WITH LLVM-exception, as shipped in glibc's
//!   `sysdeps/ieee754/dbl-64/{e_log,e_pow}.c`.
//! - `log10` is fdlibm's `__ieee754_log10` (`sysdeps/ieee754/dbl-64/e_log10.c`),
//!   Copyright (C) 1993 Sun Microsystems: "Permission to use, copy, modify, and
//!   distribute this software is freely granted, provided that this notice is
//!   preserved."
//!
//! glibc builds the FMA variants from the same C with `-mfma -mavx2` and GCC's
//! default `-ffp-contract=fast`, so besides the explicit `__builtin_fma` calls
//! the compiler fused many `a * b + c` patterns. Which ones were fused decides
//! the last bit, so every fused multiply-add below was transcribed from the
//! disassembly of glibc 2.36 (Debian 12) `__ieee754_log_fma` and
//! `__ieee754_pow_fma`; `log10` itself is built without FMA and has no fusion.
//! `f64::mul_add` is a correctly rounded fused multiply-add on every target
//! (hardware instruction or libm `fma`), so results are the same everywhere.
//!
//! Table entries (in `tables`) are stored as the bit patterns of the C99
//! hex-float literals of the original tables; the glibc vectors are in `tests`.

mod tables;
#[cfg(test)]
mod tests;

use tables::{EXP_TAB, LOG_TAB, POW_LOG_TAB};

/// Fused multiply-add `a * b + c` with a single rounding.
#[inline(always)]
fn fma(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}

/// `f64::from_bits` spelled short for the constant tables.
const fn f(bits: u64) -> f64 {
    f64::from_bits(bits)
}

const ONE_BITS: u64 = 0x3ff0000000000000;
const INF_BITS: u64 = 0x7ff0000000000000;
const SIGN_MASK: u64 = 0x8000000000000000;

// ---------------------------------------------------------------------------
// log10 (fdlibm e_log10.c)

/// 2^54, scales subnormal inputs into the normal range.
const TWO54: f64 = f(0x4350000000000000);
/// 1/ln(10) rounded (0x1.bcb7b1526e50ep-2).
const IVLN10: f64 = f(0x3fdbcb7b1526e50e);
/// Leading bits of log10(2) (0x1.34413509f6p-2), so `k * LOG10_2HI` is exact.
const LOG10_2HI: f64 = f(0x3fd34413509f6000);
/// log10(2) - LOG10_2HI (0x1.9fef311f12b36p-42).
const LOG10_2LO: f64 = f(0x3d59fef311f12b36);

/// Base-10 logarithm, bit-identical to glibc 2.36 `log10` on x86_64 with FMA.
///
/// `x = 2^n * m` is split so that `log10(x) = n*log10(2) + log(m)/ln(10)`, with
/// `m` in [1, 2) for `n >= 0` and in [0.5, 1) for `n < 0` (fdlibm's choice, which
/// keeps `log10(10^k) == k` exact).
pub(crate) fn log10(x: f64) -> f64 {
    let mut bits = x.to_bits() as i64;
    let mut k: i64 = 0;
    let mut x = x;
    if bits < 0x0010000000000000 {
        // Zero, subnormal or negative (the sign makes `bits` negative).
        if bits & 0x7fffffffffffffff == 0 {
            return -TWO54 / 0.0;
        }
        if bits < 0 {
            return invalid(x);
        }
        k -= 54;
        x *= TWO54;
        bits = x.to_bits() as i64;
    }
    if bits as u64 > 0x7fefffffffffffff {
        // +inf or NaN.
        return x + x;
    }
    // glibc keeps k in an `int`; the range of k makes that irrelevant here.
    k += (bits >> 52) - 1023;
    let i = ((k as u64) >> 63) as i64;
    let m_bits = (bits as u64 & 0x000fffffffffffff) | (((0x3ff - i) as u64) << 52);
    let y = (k + i) as f64;
    let z = y * LOG10_2LO + IVLN10 * log(f(m_bits));
    z + y * LOG10_2HI
}

// ---------------------------------------------------------------------------
// log (optimized-routines log.c, FMA build)

const LOG_LN2HI: f64 = f(0x3fe62e42fefa3800); // 0x1.62e42fefa3800p-1
const LOG_LN2LO: f64 = f(0x3d2ef35793c76730); // 0x1.ef35793c76730p-45

/// `__log_data.poly`: log1p(r) - r ~= r^2 * (A0 + r*A1 + ...), |r| < 1/256.
const LOG_A: [f64; 5] = [
    f(0xbfe0000000000001), // -0x1.0000000000001p-1
    f(0x3fd555555551305b), //  0x1.555555551305bp-2
    f(0xbfcfffffffeb4590), // -0x1.fffffffeb459p-3
    f(0x3fc999b324f10111), //  0x1.999b324f10111p-3
    f(0xbfc55575e506c89f), // -0x1.55575e506c89fp-3
];

/// `__log_data.poly1`: log(1+r) for |r| < ~1/16, the close-to-1 path.
const LOG_B: [f64; 11] = [
    f(0xbfe0000000000000), // -0x1p-1
    f(0x3fd5555555555577), //  0x1.5555555555577p-2
    f(0xbfcffffffffffdcb), // -0x1.ffffffffffdcbp-3
    f(0x3fc999999995dd0c), //  0x1.999999995dd0cp-3
    f(0xbfc55555556745a7), // -0x1.55555556745a7p-3
    f(0x3fc24924a344de30), //  0x1.24924a344de3p-3
    f(0xbfbfffffa4423d65), // -0x1.fffffa4423d65p-4
    f(0x3fbc7184282ad6ca), //  0x1.c7184282ad6cap-4
    f(0xbfb999eb43b068ff), // -0x1.999eb43b068ffp-4
    f(0x3fb78182f7afd085), //  0x1.78182f7afd085p-4
    f(0xbfb5521375d145cd), // -0x1.5521375d145cdp-4
];

/// Natural logarithm as glibc's `__ieee754_log_fma` computes it.
fn log(x: f64) -> f64 {
    const LO: u64 = 0x3fee000000000000; // bits of 1.0 - 0x1p-4
    const HI: u64 = 0x3ff1090000000000; // bits of 1.0 + 0x1.09p-4
    const OFF: u64 = 0x3fe6000000000000;
    let b = &LOG_B;
    let a = &LOG_A;

    let mut ix = x.to_bits();
    let top = (ix >> 48) as u32;

    if ix.wrapping_sub(LO) < HI - LO {
        // Close to 1: the table-based reduction would lose too much to
        // cancellation, so log1p(r) is evaluated directly with r = x - 1.
        if ix == ONE_BITS {
            return 0.0;
        }
        let r = x - 1.0;
        let r2 = r * r;
        let r3 = r * r2;
        let q1 = fma(r2, b[3], fma(r, b[2], b[1]));
        let q2 = fma(r2, b[6], fma(r, b[5], b[4]));
        let q3 = fma(r3, b[10], fma(r2, b[9], fma(r, b[8], b[7])));
        let p = fma(fma(q3, r3, q2), r3, q1);
        // rhi = r + w - w with w = r * 2^27: both steps were fused by GCC.
        let two27 = f(0x41a0000000000000);
        let rhi = fma(-two27, r, fma(r, two27, r));
        let rlo = r - rhi;
        // B[0] == -0.5: hi + lo = r - r^2/2 with the square split exactly.
        let rr = rhi * rhi;
        let hi = fma(rr, b[0], r);
        let lo = fma(rr, b[0], r - hi);
        let lo = fma(b[0] * rlo, rhi + r, lo);
        let y = fma(p, r3, lo);
        return hi + y;
    }
    if top.wrapping_sub(0x0010) >= 0x7ff0 - 0x0010 {
        // x < 0x1p-1022, or inf, or nan.
        if ix << 1 == 0 {
            return -1.0 / 0.0;
        }
        if ix == INF_BITS {
            return x;
        }
        if (top & 0x8000) != 0 || (top & 0x7ff0) == 0x7ff0 {
            return invalid(x);
        }
        // Subnormal: normalise, the exponent goes below the normal range.
        ix = (x * f(0x4330000000000000)).to_bits().wrapping_sub(52 << 52);
    }

    // x = 2^k z with z in [OFF, 2*OFF); c is near the centre of z's subinterval.
    let tmp = ix.wrapping_sub(OFF);
    let i = ((tmp >> 45) % 128) as usize;
    let k = ((tmp as i64) >> 52) as i32;
    let iz = ix.wrapping_sub(tmp & (0xfff << 52));
    let invc = f(LOG_TAB[i][0]);
    let logc = f(LOG_TAB[i][1]);
    let z = f(iz);

    // log(x) = log1p(z/c - 1) + log(c) + k*ln2, r = z/c - 1 with one rounding.
    let r = fma(z, invc, -1.0);
    let kd = f64::from(k);
    let w = fma(kd, LOG_LN2HI, logc);
    let hi = w + r;
    let lo = fma(kd, LOG_LN2LO, (w - hi) + r);
    let r2 = r * r;
    let poly = fma(r2, fma(r, a[4], a[3]), fma(r, a[2], a[1]));
    fma(r * r2, poly, fma(r2, a[0], lo)) + hi
}

// ---------------------------------------------------------------------------
// pow (optimized-routines pow.c, FMA build)

const POW_LN2HI: f64 = f(0x3fe62e42fefa3800); // 0x1.62e42fefa3800p-1
const POW_LN2LO: f64 = f(0x3d2ef35793c76730); // 0x1.ef35793c76730p-45

/// `__pow_log_data.poly`, pre-scaled as in the source (`A[0] = -0.5`).
const POW_A: [f64; 7] = [
    f(0xbfe0000000000000), // -0x1p-1
    f(0xbfe5555555555560), //  0x1.555555555556p-2 * -2
    f(0x3fe0000000000006), // -0x1.0000000000006p-2 * -2
    f(0x3fe999999959554e), //  0x1.999999959554ep-3 * 4
    f(0xbfe555555529a47a), // -0x1.555555529a47ap-3 * 4
    f(0xbff2495b9b4845e9), //  0x1.2495b9b4845e9p-3 * -8
    f(0x3ff0002b8b263fc3), // -0x1.0002b8b263fc3p-3 * -8
];

const EXP_INVLN2N: f64 = f(0x40671547652b82fe); // 0x1.71547652b82fep0 * 128
const EXP_NEGLN2HIN: f64 = f(0xbf762e42fefa0000); // -0x1.62e42fefa0000p-8
const EXP_NEGLN2LON: f64 = f(0xbd0cf79abc9e3b3a); // -0x1.cf79abc9e3b3ap-47
const EXP_SHIFT: f64 = f(0x4338000000000000); // 0x1.8p52
/// `__exp_data.poly` (C2..C5).
const EXP_C: [f64; 4] = [
    f(0x3fdffffffffffdbd), // 0x1.ffffffffffdbdp-2
    f(0x3fc555555555543c), // 0x1.555555555543cp-3
    f(0x3fa55555cf172b91), // 0x1.55555cf172b91p-5
    f(0x3f81111167a4d017), // 0x1.1111167a4d017p-7
];

/// Sign request passed to `exp_inline` for a negative result (`0x800 << 7`).
const SIGN_BIAS: u64 = 0x800 << 7;

/// `x` raised to `y`, bit-identical to glibc 2.36 `pow` on x86_64 with FMA.
///
/// The static build targets baseline x86_64, where `mul_add` is musl's software
/// `fma` (a fifth of a sampled sweep's time went there); on a CPU with FMA the same
/// code runs compiled with the instruction. Both are the correctly rounded fused
/// multiply-add, so the bits are the same either way.
pub(crate) fn pow(x: f64, y: f64) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has FMA, checked just above.
        return unsafe { pow_with_fma(x, y) };
    }
    pow_body(x, y)
}

/// [`pow_body`] compiled with the FMA instruction.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "fma")]
unsafe fn pow_with_fma(x: f64, y: f64) -> f64 {
    pow_body(x, y)
}

/// The body of [`pow`], inlined into each of its builds.
#[inline(always)]
fn pow_body(x: f64, y: f64) -> f64 {
    let mut sign_bias: u64 = 0;
    let mut ix = x.to_bits();
    let iy = y.to_bits();
    let mut topx = (ix >> 52) as u32;
    let topy = (iy >> 52) as u32;

    if topx.wrapping_sub(0x001) >= 0x7ff - 0x001
        || (topy & 0x7ff).wrapping_sub(0x3be) >= 0x43e - 0x3be
    {
        // x is zero/subnormal/negative/inf/nan, or |y| is tiny, huge or nan.
        if zeroinfnan(iy) {
            if iy << 1 == 0 {
                return if is_signaling(x) { x + y } else { 1.0 };
            }
            if ix == ONE_BITS {
                return if is_signaling(y) { x + y } else { 1.0 };
            }
            if ix << 1 > INF_BITS << 1 || iy << 1 > INF_BITS << 1 {
                return x + y;
            }
            if ix << 1 == ONE_BITS << 1 {
                return 1.0;
            }
            if ((ix << 1) < (ONE_BITS << 1)) == (iy >> 63 == 0) {
                return 0.0; // |x| < 1 && y == inf, or |x| > 1 && y == -inf.
            }
            return y * y;
        }
        if zeroinfnan(ix) {
            let mut x2 = x * x;
            if ix >> 63 != 0 && checkint(iy) == 1 {
                x2 = -x2;
                sign_bias = 1;
            }
            if ix << 1 == 0 && iy >> 63 != 0 {
                return divzero(sign_bias != 0);
            }
            return if iy >> 63 != 0 { 1.0 / x2 } else { x2 };
        }
        // Here x and y are non-zero finite.
        if ix >> 63 != 0 {
            match checkint(iy) {
                0 => return invalid(x),
                1 => sign_bias = SIGN_BIAS,
                _ => {}
            }
            ix &= !SIGN_MASK;
            topx &= 0x7ff;
        }
        if (topy & 0x7ff).wrapping_sub(0x3be) >= 0x43e - 0x3be {
            // sign_bias == 0 here because y is not odd.
            if ix == ONE_BITS {
                return 1.0;
            }
            if (topy & 0x7ff) < 0x3be {
                // |y| < 2^-65, x^y ~= 1 + y*log(x).
                return if ix > ONE_BITS { 1.0 + y } else { 1.0 - y };
            }
            return if (ix > ONE_BITS) == (topy < 0x800) {
                overflow(false)
            } else {
                underflow(false)
            };
        }
        if topx == 0 {
            // Subnormal x: normalise so that the exponent becomes negative.
            ix = (x * f(0x4330000000000000)).to_bits() & !SIGN_MASK;
            ix = ix.wrapping_sub(52 << 52);
        }
    }

    let (hi, lo) = pow_log_inline(ix);
    // y * (hi + lo) as a double-double ehi + elo.
    let ehi = y * hi;
    let elo = fma(y, lo, fma(hi, y, -ehi));
    exp_inline(ehi, elo, sign_bias)
}

/// log(x) as `hi + lo` with about 15 extra bits; `ix` is the (normalised) bit
/// pattern of a positive x.
#[inline(always)]
fn pow_log_inline(ix: u64) -> (f64, f64) {
    const OFF: u64 = 0x3fe6955500000000;
    let a = &POW_A;

    let tmp = ix.wrapping_sub(OFF);
    let i = ((tmp >> 45) % 128) as usize;
    let k = ((tmp as i64) >> 52) as i32;
    let iz = ix.wrapping_sub(tmp & (0xfff << 52));
    let z = f(iz);
    let kd = f64::from(k);

    let invc = f(POW_LOG_TAB[i][0]);
    let logc = f(POW_LOG_TAB[i][1]);
    let logctail = f(POW_LOG_TAB[i][2]);

    // 1/c has few significant bits, so r = z/c - 1 is exact.
    let r = fma(z, invc, -1.0);

    // k*Ln2 + log(c) + r.
    let t1 = fma(kd, POW_LN2HI, logc);
    let t2 = t1 + r;
    let lo1 = fma(kd, POW_LN2LO, logctail);
    let lo2 = (t1 - t2) + r;

    // k*Ln2 + log(c) + r + A[0]*r*r.
    let ar = a[0] * r;
    let ar2 = r * ar;
    let ar3 = r * ar2;
    let hi = t2 + ar2;
    let lo3 = fma(ar, r, -ar2);
    let lo4 = (t2 - hi) + ar2;

    // p = log1p(r) - r - A[0]*r*r, fused into the final sum.
    let q = fma(
        ar2,
        fma(fma(r, a[6], a[5]), ar2, fma(r, a[4], a[3])),
        fma(r, a[2], a[1]),
    );
    let lo = fma(ar3, q, ((lo1 + lo2) + lo3) + lo4);
    let y = hi + lo;
    let tail = (hi - y) + lo;
    (y, tail)
}

/// `sign * exp(x + xtail)`; `sign_bias` is 0 or `SIGN_BIAS` (negative result).
#[inline(always)]
fn exp_inline(x: f64, xtail: f64, sign_bias: u64) -> f64 {
    const TOP_TINY: u32 = 0x3c9; // top12(0x1p-54)
    const TOP_512: u32 = 0x408; // top12(512.0)
    const TOP_1024: u32 = 0x409; // top12(1024.0)
    let c = &EXP_C;

    let mut abstop = (x.to_bits() >> 52) as u32 & 0x7ff;
    if abstop.wrapping_sub(TOP_TINY) >= TOP_512 - TOP_TINY {
        if abstop.wrapping_sub(TOP_TINY) >= 0x80000000 {
            // Tiny x: exp(x) rounds to 1 (+x keeps the rounding right).
            let one = 1.0 + x;
            return if sign_bias != 0 { -one } else { one };
        }
        if abstop >= TOP_1024 {
            return if x.to_bits() >> 63 != 0 {
                underflow(sign_bias != 0)
            } else {
                overflow(sign_bias != 0)
            };
        }
        // Large |x| may over- or underflow: handled in `exp_specialcase`.
        abstop = 0;
    }

    // exp(x) = 2^(k/N) * exp(r), x = k*ln2/N + r, |r| <= ln2/2N.
    let kd_shifted = fma(x, EXP_INVLN2N, EXP_SHIFT);
    let ki = kd_shifted.to_bits();
    let kd = kd_shifted - EXP_SHIFT;
    let r = fma(kd, EXP_NEGLN2LON, fma(kd, EXP_NEGLN2HIN, x));
    let r = xtail + r;
    // 2^(k/N) ~= scale * (1 + tail).
    let idx = 2 * (ki % 128) as usize;
    let top = ki.wrapping_add(sign_bias) << 45;
    let tail = f(EXP_TAB[idx]);
    // Only a valid scale when -1023*N < k < 1024*N.
    let sbits = EXP_TAB[idx + 1].wrapping_add(top);
    let r2 = r * r;
    let tmp = fma(
        fma(r, c[3], c[2]),
        r2 * r2,
        fma(fma(r, c[1], c[0]), r2, tail + r),
    );
    if abstop == 0 {
        return exp_specialcase(tmp, sbits, ki);
    }
    let scale = f(sbits);
    fma(tmp, scale, scale)
}

/// `scale * (1 + tmp)` when the exponent in `sbits` may have over- or
/// underflowed; `ki`'s sign tells which.
fn exp_specialcase(tmp: f64, sbits: u64, ki: u64) -> f64 {
    if ki & 0x80000000 == 0 {
        // k > 0: the exponent of scale might have overflowed by <= 460.
        let scale = f(sbits.wrapping_sub(1009 << 52));
        let y = fma(scale, tmp, scale);
        return y * f(0x7f00000000000000); // 0x1p1009
    }
    // k < 0: take care in the subnormal range.
    let sbits = sbits.wrapping_add(1022 << 52);
    let scale = f(sbits);
    let st = tmp * scale;
    let mut y = scale + st;
    if y.abs() < 1.0 {
        // Round y to double precision before scaling into the subnormal range,
        // avoiding a double rounding.
        let one = if y < 0.0 { -1.0 } else { 1.0 };
        let lo = (scale - y) + st;
        let hi = one + y;
        let lo = ((one - hi) + y) + lo;
        y = (hi + lo) - one;
        if y == 0.0 {
            y = f(sbits & SIGN_MASK);
        }
    }
    y * f(0x0010000000000000) // 0x1p-1022
}

/// 0 if `iy` (a non-zero finite double) is not an integer, 1 if odd, 2 if even.
fn checkint(iy: u64) -> u32 {
    let e = (iy >> 52 & 0x7ff) as i32;
    if e < 0x3ff {
        return 0;
    }
    if e > 0x3ff + 52 {
        return 2;
    }
    let unit = 1u64 << (0x3ff + 52 - e);
    if iy & (unit - 1) != 0 {
        return 0;
    }
    if iy & unit != 0 {
        return 1;
    }
    2
}

/// True for the bit patterns of ±0, ±inf and NaN.
fn zeroinfnan(i: u64) -> bool {
    (i << 1).wrapping_sub(1) >= (INF_BITS << 1) - 1
}

/// True for a signaling NaN (glibc then returns `x + y` to raise invalid).
fn is_signaling(x: f64) -> bool {
    x.is_nan() && x.to_bits() & 0x0008000000000000 == 0
}

/// `__math_invalid` / fdlibm's `(x - x) / (x - x)`: NaN (x itself if it is one).
fn invalid(x: f64) -> f64 {
    if x.is_nan() {
        x
    } else {
        f64::NAN
    }
}

/// `__math_oflow`: ±inf, produced by an overflowing multiplication as in glibc.
fn overflow(negative: bool) -> f64 {
    let big = f(0x7000000000000000); // 0x1p769
    (if negative { -big } else { big }) * big
}

/// `__math_uflow`: ±0, produced by an underflowing multiplication as in glibc.
fn underflow(negative: bool) -> f64 {
    let tiny = f(0x1000000000000000); // 0x1p-767
    (if negative { -tiny } else { tiny }) * tiny
}

/// `__math_divzero`: ±inf from a division by zero.
fn divzero(negative: bool) -> f64 {
    (if negative { -1.0 } else { 1.0 }) / 0.0
}
