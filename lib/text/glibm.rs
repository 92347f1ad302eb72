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
//! Table entries are stored as the bit patterns of the C99 hex-float literals
//! of the original tables.

/// Fused multiply-add `a * b + c` with a single rounding.
#[inline]
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
pub(crate) fn pow(x: f64, y: f64) -> f64 {
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

// ---------------------------------------------------------------------------
// Tables

/// `__log_data.tab`: `[invc, logc]` per subinterval (log.c / e_log_data.c, N = 128).
const LOG_TAB: [[u64; 2]; 128] = [
    [0x3ff734f0c3e0de9f, 0xbfd7cc7f79e69000],
    [0x3ff713786a2ce91f, 0xbfd76feec20d0000],
    [0x3ff6f26008fab5a0, 0xbfd713e31351e000],
    [0x3ff6d1a61f138c7d, 0xbfd6b85b38287800],
    [0x3ff6b1490bc5b4d1, 0xbfd65d5590807800],
    [0x3ff69147332f0cba, 0xbfd602d076180000],
    [0x3ff6719f18224223, 0xbfd5a8ca86909000],
    [0x3ff6524f99a51ed9, 0xbfd54f4356035000],
    [0x3ff63356aa8f24c4, 0xbfd4f637c36b4000],
    [0x3ff614b36b9ddc14, 0xbfd49da7fda85000],
    [0x3ff5f66452c65c4c, 0xbfd445923989a800],
    [0x3ff5d867b5912c4f, 0xbfd3edf439b0b800],
    [0x3ff5babccb5b90de, 0xbfd396ce448f7000],
    [0x3ff59d61f2d91a78, 0xbfd3401e17bda000],
    [0x3ff5805612465687, 0xbfd2e9e2ef468000],
    [0x3ff56397cee76bd3, 0xbfd2941b3830e000],
    [0x3ff54725e2a77f93, 0xbfd23ec58cda8800],
    [0x3ff52aff42064583, 0xbfd1e9e129279000],
    [0x3ff50f22dbb2bddf, 0xbfd1956d2b48f800],
    [0x3ff4f38f4734ded7, 0xbfd141679ab9f800],
    [0x3ff4d843cfde2840, 0xbfd0edd094ef9800],
    [0x3ff4bd3ec078a3c8, 0xbfd09aa518db1000],
    [0x3ff4a27fc3e0258a, 0xbfd047e65263b800],
    [0x3ff4880524d48434, 0xbfcfeb224586f000],
    [0x3ff46dce1b192d0b, 0xbfcf474a7517b000],
    [0x3ff453d9d3391854, 0xbfcea4443d103000],
    [0x3ff43a2744b4845a, 0xbfce020d44e9b000],
    [0x3ff420b54115f8fb, 0xbfcd60a22977f000],
    [0x3ff40782da3ef4b1, 0xbfccc00104959000],
    [0x3ff3ee8f5d57fe8f, 0xbfcc202956891000],
    [0x3ff3d5d9a00b4ce9, 0xbfcb81178d811000],
    [0x3ff3bd60c010c12b, 0xbfcae2c9ccd3d000],
    [0x3ff3a5242b75dab8, 0xbfca45402e129000],
    [0x3ff38d22cd9fd002, 0xbfc9a877681df000],
    [0x3ff3755bc5847a1c, 0xbfc90c6d69483000],
    [0x3ff35dce49ad36e2, 0xbfc87120a645c000],
    [0x3ff34679984dd440, 0xbfc7d68fb4143000],
    [0x3ff32f5cceffcb24, 0xbfc73cb83c627000],
    [0x3ff3187775a10d49, 0xbfc6a39a9b376000],
    [0x3ff301c8373e3990, 0xbfc60b3154b7a000],
    [0x3ff2eb4ebb95f841, 0xbfc5737d76243000],
    [0x3ff2d50a0219a9d1, 0xbfc4dc7b8fc23000],
    [0x3ff2bef9a8b7fd2a, 0xbfc4462c51d20000],
    [0x3ff2a91c7a0c1bab, 0xbfc3b08abc830000],
    [0x3ff293726014b530, 0xbfc31b996b490000],
    [0x3ff27dfa5757a1f5, 0xbfc2875490a44000],
    [0x3ff268b39b1d3bbf, 0xbfc1f3b9f879a000],
    [0x3ff2539d838ff5bd, 0xbfc160c8252ca000],
    [0x3ff23eb7aac9083b, 0xbfc0ce7f57f72000],
    [0x3ff22a012ba940b6, 0xbfc03cdc49fea000],
    [0x3ff2157996cc4132, 0xbfbf57bdbc4b8000],
    [0x3ff201201dd2fc9b, 0xbfbe370896404000],
    [0x3ff1ecf4494d480b, 0xbfbd17983ef94000],
    [0x3ff1d8f5528f6569, 0xbfbbf9674ed8a000],
    [0x3ff1c52311577e7c, 0xbfbadc79202f6000],
    [0x3ff1b17c74cb26e9, 0xbfb9c0c3e7288000],
    [0x3ff19e010c2c1ab6, 0xbfb8a646b372c000],
    [0x3ff18ab07bb670bd, 0xbfb78d01b3ac0000],
    [0x3ff1778a25efbcb6, 0xbfb674f145380000],
    [0x3ff1648d354c31da, 0xbfb55e0e6d878000],
    [0x3ff151b990275fdd, 0xbfb4485cdea1e000],
    [0x3ff13f0ea432d24c, 0xbfb333d94d6aa000],
    [0x3ff12c8b7210f9da, 0xbfb22079f8c56000],
    [0x3ff11a3028ecb531, 0xbfb10e4698622000],
    [0x3ff107fbda8434af, 0xbfaffa6c6ad20000],
    [0x3ff0f5ee0f4e6bb3, 0xbfadda8d4a774000],
    [0x3ff0e4065d2a9fce, 0xbfabbcece4850000],
    [0x3ff0d244632ca521, 0xbfa9a1894012c000],
    [0x3ff0c0a77ce2981a, 0xbfa788583302c000],
    [0x3ff0af2f83c636d1, 0xbfa5715e67d68000],
    [0x3ff09ddb98a01339, 0xbfa35c8a49658000],
    [0x3ff08cabaf52e7df, 0xbfa149e364154000],
    [0x3ff07b9f2f4e28fb, 0xbf9e72c082eb8000],
    [0x3ff06ab58c358f19, 0xbf9a55f152528000],
    [0x3ff059eea5ecf92c, 0xbf963d62cf818000],
    [0x3ff04949cdd12c90, 0xbf9228fb8caa0000],
    [0x3ff038c6c6f0ada9, 0xbf8c317b20f90000],
    [0x3ff02865137932a9, 0xbf8419355daa0000],
    [0x3ff0182427ea7348, 0xbf781203c2ec0000],
    [0x3ff008040614b195, 0xbf60040979240000],
    [0x3fefe01ff726fa1a, 0x3f6feff384900000],
    [0x3fefa11cc261ea74, 0x3f87dc41353d0000],
    [0x3fef6310b081992e, 0x3f93cea3c4c28000],
    [0x3fef25f63ceeadcd, 0x3f9b9fc114890000],
    [0x3feee9c8039113e7, 0x3fa1b0d8ce110000],
    [0x3feeae8078cbb1ab, 0x3fa58a5bd001c000],
    [0x3fee741aa29d0c9b, 0x3fa95c8340d88000],
    [0x3fee3a91830a99b5, 0x3fad276aef578000],
    [0x3fee01e009609a56, 0x3fb07598e598c000],
    [0x3fedca01e577bb98, 0x3fb253f5e30d2000],
    [0x3fed92f20b7c9103, 0x3fb42edd8b380000],
    [0x3fed5cac66fb5cce, 0x3fb606598757c000],
    [0x3fed272caa5ede9d, 0x3fb7da76356a0000],
    [0x3fecf26e3e6b2ccd, 0x3fb9ab434e1c6000],
    [0x3fecbe6da2a77902, 0x3fbb78c7bb0d6000],
    [0x3fec8b266d37086d, 0x3fbd431332e72000],
    [0x3fec5894bd5d5804, 0x3fbf0a3171de6000],
    [0x3fec26b533bb9f8c, 0x3fc067152b914000],
    [0x3febf583eeece73f, 0x3fc147858292b000],
    [0x3febc4fd75db96c1, 0x3fc2266ecdca3000],
    [0x3feb951e0c864a28, 0x3fc303d7a6c55000],
    [0x3feb65e2c5ef3e2c, 0x3fc3dfc33c331000],
    [0x3feb374867c9888b, 0x3fc4ba366b7a8000],
    [0x3feb094b211d304a, 0x3fc5933928d1f000],
    [0x3feadbe885f2ef7e, 0x3fc66acd2418f000],
    [0x3feaaf1d31603da2, 0x3fc740f8ec669000],
    [0x3fea82e63fd358a7, 0x3fc815c0f51af000],
    [0x3fea5740ef09738b, 0x3fc8e92954f68000],
    [0x3fea2c2a90ab4b27, 0x3fc9bb3602f84000],
    [0x3fea01a01393f2d1, 0x3fca8bed1c2c0000],
    [0x3fe9d79f24db3c1b, 0x3fcb5b515c01d000],
    [0x3fe9ae2505c7b190, 0x3fcc2967ccbcc000],
    [0x3fe9852ef297ce2f, 0x3fccf635d5486000],
    [0x3fe95cbaeea44b75, 0x3fcdc1bd3446c000],
    [0x3fe934c69de74838, 0x3fce8c01b8cfe000],
    [0x3fe90d4f2f6752e6, 0x3fcf5509c0179000],
    [0x3fe8e6528effd79d, 0x3fd00e6c121fb800],
    [0x3fe8bfce9fcc007c, 0x3fd071b80e93d000],
    [0x3fe899c0dabec30e, 0x3fd0d46b9e867000],
    [0x3fe87427aa2317fb, 0x3fd13687334bd000],
    [0x3fe84f00acb39a08, 0x3fd1980d67234800],
    [0x3fe82a49e8653e55, 0x3fd1f8ffe0cc8000],
    [0x3fe8060195f40260, 0x3fd2595fd7636800],
    [0x3fe7e22563e0a329, 0x3fd2b9300914a800],
    [0x3fe7beb377dcb5ad, 0x3fd3187210436000],
    [0x3fe79baa679725c2, 0x3fd377266dec1800],
    [0x3fe77907f2170657, 0x3fd3d54ffbaf3000],
    [0x3fe756cadbd6130c, 0x3fd432eee32fe000],
];

/// `__pow_log_data.tab`: `[invc, logc, logctail]` per subinterval (pow_log_data.c, N = 128).
const POW_LOG_TAB: [[u64; 3]; 128] = [
    [0x3ff6a00000000000, 0xbfd62c82f2b9c800, 0x3cfab42428375680],
    [0x3ff6800000000000, 0xbfd5d1bdbf580800, 0xbd1ca508d8e0f720],
    [0x3ff6600000000000, 0xbfd5767717455800, 0xbd2362a4d5b6506d],
    [0x3ff6400000000000, 0xbfd51aad872df800, 0xbce684e49eb067d5],
    [0x3ff6200000000000, 0xbfd4be5f95777800, 0xbd041b6993293ee0],
    [0x3ff6000000000000, 0xbfd4618bc21c6000, 0x3d13d82f484c84cc],
    [0x3ff5e00000000000, 0xbfd404308686a800, 0x3cdc42f3ed820b3a],
    [0x3ff5c00000000000, 0xbfd3a64c55694800, 0x3d20b1c686519460],
    [0x3ff5a00000000000, 0xbfd347dd9a988000, 0x3d25594dd4c58092],
    [0x3ff5800000000000, 0xbfd2e8e2bae12000, 0x3d267b1e99b72bd8],
    [0x3ff5600000000000, 0xbfd2895a13de8800, 0x3d15ca14b6cfb03f],
    [0x3ff5600000000000, 0xbfd2895a13de8800, 0x3d15ca14b6cfb03f],
    [0x3ff5400000000000, 0xbfd22941fbcf7800, 0xbd165a242853da76],
    [0x3ff5200000000000, 0xbfd1c898c1699800, 0xbd1fafbc68e75404],
    [0x3ff5000000000000, 0xbfd1675cababa800, 0x3d1f1fc63382a8f0],
    [0x3ff4e00000000000, 0xbfd1058bf9ae4800, 0xbd26a8c4fd055a66],
    [0x3ff4c00000000000, 0xbfd0a324e2739000, 0xbd0c6bee7ef4030e],
    [0x3ff4a00000000000, 0xbfd0402594b4d000, 0xbcf036b89ef42d7f],
    [0x3ff4a00000000000, 0xbfd0402594b4d000, 0xbcf036b89ef42d7f],
    [0x3ff4800000000000, 0xbfcfb9186d5e4000, 0x3d0d572aab993c87],
    [0x3ff4600000000000, 0xbfcef0adcbdc6000, 0x3d2b26b79c86af24],
    [0x3ff4400000000000, 0xbfce27076e2af000, 0xbd172f4f543fff10],
    [0x3ff4200000000000, 0xbfcd5c216b4fc000, 0x3d21ba91bbca681b],
    [0x3ff4000000000000, 0xbfcc8ff7c79aa000, 0x3d27794f689f8434],
    [0x3ff4000000000000, 0xbfcc8ff7c79aa000, 0x3d27794f689f8434],
    [0x3ff3e00000000000, 0xbfcbc286742d9000, 0x3d194eb0318bb78f],
    [0x3ff3c00000000000, 0xbfcaf3c94e80c000, 0x3cba4e633fcd9066],
    [0x3ff3a00000000000, 0xbfca23bc1fe2b000, 0xbd258c64dc46c1ea],
    [0x3ff3a00000000000, 0xbfca23bc1fe2b000, 0xbd258c64dc46c1ea],
    [0x3ff3800000000000, 0xbfc9525a9cf45000, 0xbd2ad1d904c1d4e3],
    [0x3ff3600000000000, 0xbfc87fa06520d000, 0x3d2bbdbf7fdbfa09],
    [0x3ff3400000000000, 0xbfc7ab890210e000, 0x3d2bdb9072534a58],
    [0x3ff3400000000000, 0xbfc7ab890210e000, 0x3d2bdb9072534a58],
    [0x3ff3200000000000, 0xbfc6d60fe719d000, 0xbd10e46aa3b2e266],
    [0x3ff3000000000000, 0xbfc5ff3070a79000, 0xbd1e9e439f105039],
    [0x3ff3000000000000, 0xbfc5ff3070a79000, 0xbd1e9e439f105039],
    [0x3ff2e00000000000, 0xbfc526e5e3a1b000, 0xbd20de8b90075b8f],
    [0x3ff2c00000000000, 0xbfc44d2b6ccb8000, 0x3d170cc16135783c],
    [0x3ff2c00000000000, 0xbfc44d2b6ccb8000, 0x3d170cc16135783c],
    [0x3ff2a00000000000, 0xbfc371fc201e9000, 0x3cf178864d27543a],
    [0x3ff2800000000000, 0xbfc29552f81ff000, 0xbd248d301771c408],
    [0x3ff2600000000000, 0xbfc1b72ad52f6000, 0xbd2e80a41811a396],
    [0x3ff2600000000000, 0xbfc1b72ad52f6000, 0xbd2e80a41811a396],
    [0x3ff2400000000000, 0xbfc0d77e7cd09000, 0x3d0a699688e85bf4],
    [0x3ff2400000000000, 0xbfc0d77e7cd09000, 0x3d0a699688e85bf4],
    [0x3ff2200000000000, 0xbfbfec9131dbe000, 0xbd2575545ca333f2],
    [0x3ff2000000000000, 0xbfbe27076e2b0000, 0x3d2a342c2af0003c],
    [0x3ff2000000000000, 0xbfbe27076e2b0000, 0x3d2a342c2af0003c],
    [0x3ff1e00000000000, 0xbfbc5e548f5bc000, 0xbd1d0c57585fbe06],
    [0x3ff1c00000000000, 0xbfba926d3a4ae000, 0x3d253935e85baac8],
    [0x3ff1c00000000000, 0xbfba926d3a4ae000, 0x3d253935e85baac8],
    [0x3ff1a00000000000, 0xbfb8c345d631a000, 0x3d137c294d2f5668],
    [0x3ff1a00000000000, 0xbfb8c345d631a000, 0x3d137c294d2f5668],
    [0x3ff1800000000000, 0xbfb6f0d28ae56000, 0xbd269737c93373da],
    [0x3ff1600000000000, 0xbfb51b073f062000, 0x3d1f025b61c65e57],
    [0x3ff1600000000000, 0xbfb51b073f062000, 0x3d1f025b61c65e57],
    [0x3ff1400000000000, 0xbfb341d7961be000, 0x3d2c5edaccf913df],
    [0x3ff1400000000000, 0xbfb341d7961be000, 0x3d2c5edaccf913df],
    [0x3ff1200000000000, 0xbfb16536eea38000, 0x3d147c5e768fa309],
    [0x3ff1000000000000, 0xbfaf0a30c0118000, 0x3d2d599e83368e91],
    [0x3ff1000000000000, 0xbfaf0a30c0118000, 0x3d2d599e83368e91],
    [0x3ff0e00000000000, 0xbfab42dd71198000, 0x3d1c827ae5d6704c],
    [0x3ff0e00000000000, 0xbfab42dd71198000, 0x3d1c827ae5d6704c],
    [0x3ff0c00000000000, 0xbfa77458f632c000, 0xbd2cfc4634f2a1ee],
    [0x3ff0c00000000000, 0xbfa77458f632c000, 0xbd2cfc4634f2a1ee],
    [0x3ff0a00000000000, 0xbfa39e87b9fec000, 0x3cf502b7f526feaa],
    [0x3ff0a00000000000, 0xbfa39e87b9fec000, 0x3cf502b7f526feaa],
    [0x3ff0800000000000, 0xbf9f829b0e780000, 0xbd2980267c7e09e4],
    [0x3ff0800000000000, 0xbf9f829b0e780000, 0xbd2980267c7e09e4],
    [0x3ff0600000000000, 0xbf97b91b07d58000, 0xbd288d5493faa639],
    [0x3ff0400000000000, 0xbf8fc0a8b0fc0000, 0xbcdf1e7cf6d3a69c],
    [0x3ff0400000000000, 0xbf8fc0a8b0fc0000, 0xbcdf1e7cf6d3a69c],
    [0x3ff0200000000000, 0xbf7fe02a6b100000, 0xbd19e23f0dda40e4],
    [0x3ff0200000000000, 0xbf7fe02a6b100000, 0xbd19e23f0dda40e4],
    [0x3ff0000000000000, 0x0000000000000000, 0x0000000000000000],
    [0x3ff0000000000000, 0x0000000000000000, 0x0000000000000000],
    [0x3fefc00000000000, 0x3f80101575890000, 0xbd10c76b999d2be8],
    [0x3fef800000000000, 0x3f90205658938000, 0xbd23dc5b06e2f7d2],
    [0x3fef400000000000, 0x3f98492528c90000, 0xbd2aa0ba325a0c34],
    [0x3fef000000000000, 0x3fa0415d89e74000, 0x3d0111c05cf1d753],
    [0x3feec00000000000, 0x3fa466aed42e0000, 0xbd2c167375bdfd28],
    [0x3fee800000000000, 0x3fa894aa149fc000, 0xbd197995d05a267d],
    [0x3fee400000000000, 0x3faccb73cdddc000, 0xbd1a68f247d82807],
    [0x3fee200000000000, 0x3faeea31c006c000, 0xbd0e113e4fc93b7b],
    [0x3fede00000000000, 0x3fb1973bd1466000, 0xbd25325d560d9e9b],
    [0x3feda00000000000, 0x3fb3bdf5a7d1e000, 0x3d2cc85ea5db4ed7],
    [0x3fed600000000000, 0x3fb5e95a4d97a000, 0xbd2c69063c5d1d1e],
    [0x3fed400000000000, 0x3fb700d30aeac000, 0x3cec1e8da99ded32],
    [0x3fed000000000000, 0x3fb9335e5d594000, 0x3d23115c3abd47da],
    [0x3fecc00000000000, 0x3fbb6ac88dad6000, 0xbd1390802bf768e5],
    [0x3feca00000000000, 0x3fbc885801bc4000, 0x3d2646d1c65aacd3],
    [0x3fec600000000000, 0x3fbec739830a2000, 0xbd2dc068afe645e0],
    [0x3fec400000000000, 0x3fbfe89139dbe000, 0xbd2534d64fa10afd],
    [0x3fec000000000000, 0x3fc1178e8227e000, 0x3d21ef78ce2d07f2],
    [0x3febe00000000000, 0x3fc1aa2b7e23f000, 0x3d2ca78e44389934],
    [0x3feba00000000000, 0x3fc2d1610c868000, 0x3d039d6ccb81b4a1],
    [0x3feb800000000000, 0x3fc365fcb0159000, 0x3cc62fa8234b7289],
    [0x3feb400000000000, 0x3fc4913d8333b000, 0x3d25837954fdb678],
    [0x3feb200000000000, 0x3fc527e5e4a1b000, 0x3d2633e8e5697dc7],
    [0x3feae00000000000, 0x3fc6574ebe8c1000, 0x3d19cf8b2c3c2e78],
    [0x3feac00000000000, 0x3fc6f0128b757000, 0xbd25118de59c21e1],
    [0x3feaa00000000000, 0x3fc7898d85445000, 0xbd1c661070914305],
    [0x3fea600000000000, 0x3fc8beafeb390000, 0xbd073d54aae92cd1],
    [0x3fea400000000000, 0x3fc95a5adcf70000, 0x3d07f22858a0ff6f],
    [0x3fea000000000000, 0x3fca93ed3c8ae000, 0xbd28724350562169],
    [0x3fe9e00000000000, 0x3fcb31d8575bd000, 0xbd0c358d4eace1aa],
    [0x3fe9c00000000000, 0x3fcbd087383be000, 0xbd2d4bc4595412b6],
    [0x3fe9a00000000000, 0x3fcc6ffbc6f01000, 0xbcf1ec72c5962bd2],
    [0x3fe9600000000000, 0x3fcdb13db0d49000, 0xbd2aff2af715b035],
    [0x3fe9400000000000, 0x3fce530effe71000, 0x3cc212276041f430],
    [0x3fe9200000000000, 0x3fcef5ade4dd0000, 0xbcca211565bb8e11],
    [0x3fe9000000000000, 0x3fcf991c6cb3b000, 0x3d1bcbecca0cdf30],
    [0x3fe8c00000000000, 0x3fd07138604d5800, 0x3cf89cdb16ed4e91],
    [0x3fe8a00000000000, 0x3fd0c42d67616000, 0x3d27188b163ceae9],
    [0x3fe8800000000000, 0x3fd1178e8227e800, 0xbd2c210e63a5f01c],
    [0x3fe8600000000000, 0x3fd16b5ccbacf800, 0x3d2b9acdf7a51681],
    [0x3fe8400000000000, 0x3fd1bf99635a6800, 0x3d2ca6ed5147bdb7],
    [0x3fe8200000000000, 0x3fd214456d0eb800, 0x3d0a87deba46baea],
    [0x3fe7e00000000000, 0x3fd2bef07cdc9000, 0x3d2a9cfa4a5004f4],
    [0x3fe7c00000000000, 0x3fd314f1e1d36000, 0xbd28e27ad3213cb8],
    [0x3fe7a00000000000, 0x3fd36b6776be1000, 0x3d116ecdb0f177c8],
    [0x3fe7800000000000, 0x3fd3c25277333000, 0x3d183b54b606bd5c],
    [0x3fe7600000000000, 0x3fd419b423d5e800, 0x3d08e436ec90e09d],
    [0x3fe7400000000000, 0x3fd4718dc271c800, 0xbd2f27ce0967d675],
    [0x3fe7200000000000, 0x3fd4c9e09e173000, 0xbd2e20891b0ad8a4],
    [0x3fe7000000000000, 0x3fd522ae0738a000, 0x3d2ebe708164c759],
    [0x3fe6e00000000000, 0x3fd57bf753c8d000, 0x3d1fadedee5d40ef],
    [0x3fe6c00000000000, 0x3fd5d5bddf596000, 0xbd0a0b2a08a465dc],
];

/// `__exp_data.tab`: `2^(k/N) ~= H[k]*(1 + T[k])`; `tab[2k] = bits(T[k])`,
/// `tab[2k+1] = bits(H[k]) - (k << 52)/N` (exp_data.c, N = 128).
#[rustfmt::skip]
const EXP_TAB: [u64; 256] = [
    0x0000000000000000, 0x3ff0000000000000,
    0x3c9b3b4f1a88bf6e, 0x3feff63da9fb3335,
    0xbc7160139cd8dc5d, 0x3fefec9a3e778061,
    0xbc905e7a108766d1, 0x3fefe315e86e7f85,
    0x3c8cd2523567f613, 0x3fefd9b0d3158574,
    0xbc8bce8023f98efa, 0x3fefd06b29ddf6de,
    0x3c60f74e61e6c861, 0x3fefc74518759bc8,
    0x3c90a3e45b33d399, 0x3fefbe3ecac6f383,
    0x3c979aa65d837b6d, 0x3fefb5586cf9890f,
    0x3c8eb51a92fdeffc, 0x3fefac922b7247f7,
    0x3c3ebe3d702f9cd1, 0x3fefa3ec32d3d1a2,
    0xbc6a033489906e0b, 0x3fef9b66affed31b,
    0xbc9556522a2fbd0e, 0x3fef9301d0125b51,
    0xbc5080ef8c4eea55, 0x3fef8abdc06c31cc,
    0xbc91c923b9d5f416, 0x3fef829aaea92de0,
    0x3c80d3e3e95c55af, 0x3fef7a98c8a58e51,
    0xbc801b15eaa59348, 0x3fef72b83c7d517b,
    0xbc8f1ff055de323d, 0x3fef6af9388c8dea,
    0x3c8b898c3f1353bf, 0x3fef635beb6fcb75,
    0xbc96d99c7611eb26, 0x3fef5be084045cd4,
    0x3c9aecf73e3a2f60, 0x3fef54873168b9aa,
    0xbc8fe782cb86389d, 0x3fef4d5022fcd91d,
    0x3c8a6f4144a6c38d, 0x3fef463b88628cd6,
    0x3c807a05b0e4047d, 0x3fef3f49917ddc96,
    0x3c968efde3a8a894, 0x3fef387a6e756238,
    0x3c875e18f274487d, 0x3fef31ce4fb2a63f,
    0x3c80472b981fe7f2, 0x3fef2b4565e27cdd,
    0xbc96b87b3f71085e, 0x3fef24dfe1f56381,
    0x3c82f7e16d09ab31, 0x3fef1e9df51fdee1,
    0xbc3d219b1a6fbffa, 0x3fef187fd0dad990,
    0x3c8b3782720c0ab4, 0x3fef1285a6e4030b,
    0x3c6e149289cecb8f, 0x3fef0cafa93e2f56,
    0x3c834d754db0abb6, 0x3fef06fe0a31b715,
    0x3c864201e2ac744c, 0x3fef0170fc4cd831,
    0x3c8fdd395dd3f84a, 0x3feefc08b26416ff,
    0xbc86a3803b8e5b04, 0x3feef6c55f929ff1,
    0xbc924aedcc4b5068, 0x3feef1a7373aa9cb,
    0xbc9907f81b512d8e, 0x3feeecae6d05d866,
    0xbc71d1e83e9436d2, 0x3feee7db34e59ff7,
    0xbc991919b3ce1b15, 0x3feee32dc313a8e5,
    0x3c859f48a72a4c6d, 0x3feedea64c123422,
    0xbc9312607a28698a, 0x3feeda4504ac801c,
    0xbc58a78f4817895b, 0x3feed60a21f72e2a,
    0xbc7c2c9b67499a1b, 0x3feed1f5d950a897,
    0x3c4363ed60c2ac11, 0x3feece086061892d,
    0x3c9666093b0664ef, 0x3feeca41ed1d0057,
    0x3c6ecce1daa10379, 0x3feec6a2b5c13cd0,
    0x3c93ff8e3f0f1230, 0x3feec32af0d7d3de,
    0x3c7690cebb7aafb0, 0x3feebfdad5362a27,
    0x3c931dbdeb54e077, 0x3feebcb299fddd0d,
    0xbc8f94340071a38e, 0x3feeb9b2769d2ca7,
    0xbc87deccdc93a349, 0x3feeb6daa2cf6642,
    0xbc78dec6bd0f385f, 0x3feeb42b569d4f82,
    0xbc861246ec7b5cf6, 0x3feeb1a4ca5d920f,
    0x3c93350518fdd78e, 0x3feeaf4736b527da,
    0x3c7b98b72f8a9b05, 0x3feead12d497c7fd,
    0x3c9063e1e21c5409, 0x3feeab07dd485429,
    0x3c34c7855019c6ea, 0x3feea9268a5946b7,
    0x3c9432e62b64c035, 0x3feea76f15ad2148,
    0xbc8ce44a6199769f, 0x3feea5e1b976dc09,
    0xbc8c33c53bef4da8, 0x3feea47eb03a5585,
    0xbc845378892be9ae, 0x3feea34634ccc320,
    0xbc93cedd78565858, 0x3feea23882552225,
    0x3c5710aa807e1964, 0x3feea155d44ca973,
    0xbc93b3efbf5e2228, 0x3feea09e667f3bcd,
    0xbc6a12ad8734b982, 0x3feea012750bdabf,
    0xbc6367efb86da9ee, 0x3fee9fb23c651a2f,
    0xbc80dc3d54e08851, 0x3fee9f7df9519484,
    0xbc781f647e5a3ecf, 0x3fee9f75e8ec5f74,
    0xbc86ee4ac08b7db0, 0x3fee9f9a48a58174,
    0xbc8619321e55e68a, 0x3fee9feb564267c9,
    0x3c909ccb5e09d4d3, 0x3feea0694fde5d3f,
    0xbc7b32dcb94da51d, 0x3feea11473eb0187,
    0x3c94ecfd5467c06b, 0x3feea1ed0130c132,
    0x3c65ebe1abd66c55, 0x3feea2f336cf4e62,
    0xbc88a1c52fb3cf42, 0x3feea427543e1a12,
    0xbc9369b6f13b3734, 0x3feea589994cce13,
    0xbc805e843a19ff1e, 0x3feea71a4623c7ad,
    0xbc94d450d872576e, 0x3feea8d99b4492ed,
    0x3c90ad675b0e8a00, 0x3feeaac7d98a6699,
    0x3c8db72fc1f0eab4, 0x3feeace5422aa0db,
    0xbc65b6609cc5e7ff, 0x3feeaf3216b5448c,
    0x3c7bf68359f35f44, 0x3feeb1ae99157736,
    0xbc93091fa71e3d83, 0x3feeb45b0b91ffc6,
    0xbc5da9b88b6c1e29, 0x3feeb737b0cdc5e5,
    0xbc6c23f97c90b959, 0x3feeba44cbc8520f,
    0xbc92434322f4f9aa, 0x3feebd829fde4e50,
    0xbc85ca6cd7668e4b, 0x3feec0f170ca07ba,
    0x3c71affc2b91ce27, 0x3feec49182a3f090,
    0x3c6dd235e10a73bb, 0x3feec86319e32323,
    0xbc87c50422622263, 0x3feecc667b5de565,
    0x3c8b1c86e3e231d5, 0x3feed09bec4a2d33,
    0xbc91bbd1d3bcbb15, 0x3feed503b23e255d,
    0x3c90cc319cee31d2, 0x3feed99e1330b358,
    0x3c8469846e735ab3, 0x3feede6b5579fdbf,
    0xbc82dfcd978e9db4, 0x3feee36bbfd3f37a,
    0x3c8c1a7792cb3387, 0x3feee89f995ad3ad,
    0xbc907b8f4ad1d9fa, 0x3feeee07298db666,
    0xbc55c3d956dcaeba, 0x3feef3a2b84f15fb,
    0xbc90a40e3da6f640, 0x3feef9728de5593a,
    0xbc68d6f438ad9334, 0x3feeff76f2fb5e47,
    0xbc91eee26b588a35, 0x3fef05b030a1064a,
    0x3c74ffd70a5fddcd, 0x3fef0c1e904bc1d2,
    0xbc91bdfbfa9298ac, 0x3fef12c25bd71e09,
    0x3c736eae30af0cb3, 0x3fef199bdd85529c,
    0x3c8ee3325c9ffd94, 0x3fef20ab5fffd07a,
    0x3c84e08fd10959ac, 0x3fef27f12e57d14b,
    0x3c63cdaf384e1a67, 0x3fef2f6d9406e7b5,
    0x3c676b2c6c921968, 0x3fef3720dcef9069,
    0xbc808a1883ccb5d2, 0x3fef3f0b555dc3fa,
    0xbc8fad5d3ffffa6f, 0x3fef472d4a07897c,
    0xbc900dae3875a949, 0x3fef4f87080d89f2,
    0x3c74a385a63d07a7, 0x3fef5818dcfba487,
    0xbc82919e2040220f, 0x3fef60e316c98398,
    0x3c8e5a50d5c192ac, 0x3fef69e603db3285,
    0x3c843a59ac016b4b, 0x3fef7321f301b460,
    0xbc82d52107b43e1f, 0x3fef7c97337b9b5f,
    0xbc892ab93b470dc9, 0x3fef864614f5a129,
    0x3c74b604603a88d3, 0x3fef902ee78b3ff6,
    0x3c83c5ec519d7271, 0x3fef9a51fbc74c83,
    0xbc8ff7128fd391f0, 0x3fefa4afa2a490da,
    0xbc8dae98e223747d, 0x3fefaf482d8e67f1,
    0x3c8ec3bc41aa2008, 0x3fefba1bee615a27,
    0x3c842b94c3a9eb32, 0x3fefc52b376bba97,
    0x3c8a64a931d185ee, 0x3fefd0765b6e4540,
    0xbc8e37bae43be3ed, 0x3fefdbfdad9cbe14,
    0x3c77893b4d91cd9d, 0x3fefe7c1819e90d8,
    0x3c5305c14160cc89, 0x3feff3c22b8f71f1,
];

#[cfg(test)]
mod tests {
    use super::*;

    /// Vectors produced by `tests/data/gen_glibm_vectors.py` from CPython 3.11
    /// on glibc 2.36 x86_64 (FMA): `math.log10(x)` and `x ** y`.
    const VECTORS: &str = include_str!("../../tests/data/glibm_vectors.txt");

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
}
