#!/usr/bin/env python3
"""Generate bit-exact test vectors for herd's lib/glibm.rs (log10 and pow).

The expected values come from CPython 3.11 on x86_64 glibc (FMA-capable CPU),
i.e. the runtime of the reference HyperHerd: `math.log10(x)` and `10.0 ** t`,
where t follows the log-grid formula `a + ((i * (b - a)) / (n - 1))` of the
spec (section 2.1). Inputs Python refuses (log10 of x <= 0, pow special cases
that raise) are taken from the same glibc through ctypes.

Output lines (all numbers are 16-digit hex bit patterns of doubles):
    L <x> <log10(x)>
    P <x> <y> <pow(x, y)>

Usage: gen_glibm_vectors.py [--seed S] [--scale K] > glibm_vectors.txt
The committed file is generated with the defaults; --scale multiplies the
number of random points (the 200k-point check used --scale 150).
"""
import argparse
import ctypes
import ctypes.util
import math
import random
import struct

libm = ctypes.CDLL(ctypes.util.find_library("m"))
libm.pow.restype = ctypes.c_double
libm.pow.argtypes = [ctypes.c_double, ctypes.c_double]
libm.log10.restype = ctypes.c_double
libm.log10.argtypes = [ctypes.c_double]


def bits(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(u):
    return struct.unpack("<d", struct.pack("<Q", u))[0]


def hx(x):
    return "%016x" % bits(x)


def py_log10(x):
    if x > 0 and not math.isnan(x):
        r = math.log10(x)  # the path HyperHerd takes
        assert bits(r) == bits(libm.log10(x))
        return r
    return libm.log10(x)


def py_pow(x, y):
    try:
        r = x ** y  # the path HyperHerd takes for 10.0 ** t
        if isinstance(r, float):
            assert bits(r) == bits(libm.pow(x, y)) or math.isnan(r)
            return r
    except (OverflowError, ZeroDivisionError):
        pass
    return libm.pow(x, y)


def nice(rng):
    """A value as a user would write it in hyperherd.yaml: 3e-05, 0.0025, 250."""
    digits = rng.choice([1, 1, 1, 2, 2, 3, 4])
    mant = rng.randrange(10 ** (digits - 1), 10 ** digits)
    return float("%de%d" % (mant, rng.randrange(-14, 8) - digits + 1))


def log10_inputs(rng, k):
    xs = [1e-5, 3e-5, 0.1, 7.0, 1e300, 1.0, 2.0, 0.5, 10.0, 1e-3, 1e-2, 3e-4,
          5e-324, 1e-320, 2.2250738585072014e-308, 2.225073858507201e-308,
          1.7976931348623157e308, 4.9e-324 * 3, 0.9999999999999999,
          1.0000000000000002, 0.9375, 1.064697265625, 0.93749999999999989,
          1.0646972656249998]
    xs += [10.0 ** e for e in range(-323, 309)]
    xs += [float("1e%d" % e) for e in range(-323, 309)]
    xs += [2.0 ** e for e in range(-1074, 1024, 7)]
    for _ in range(150 * k):  # around powers of two: the close-to-1 path of log
        e = rng.randrange(-1022, 1024)
        xs.append(math.ldexp(1.0 + rng.uniform(-0.07, 0.07), e))
    for _ in range(150 * k):  # arbitrary positive doubles, subnormals included
        xs.append(from_bits(rng.randrange(1, 0x7FF0000000000000)))
    for _ in range(150 * k):
        xs.append(nice(rng))
    for _ in range(150 * k):  # random mantissa, herd-like magnitudes
        xs.append(rng.uniform(1.0, 10.0) * 10.0 ** rng.randrange(-15, 10))
    return xs


def grid_points(rng, k):
    """(10.0, t) pairs for log-spaced grids as HyperHerd expands them."""
    out = []
    for g in range(40 * k):
        if g % 2 == 0:
            a, b = sorted((rng.uniform(-12, 6), rng.uniform(-12, 6)))
        else:
            lo, hi = sorted((nice(rng), nice(rng)))
            a, b = math.log10(lo), math.log10(hi)
        if not a < b:
            continue
        n = rng.randrange(2, 60)
        for i in range(n):
            out.append((10.0, a + ((i * (b - a)) / (n - 1))))
    for t in range(-12, 7):
        out.append((10.0, float(t)))
    return out


def general_pow(rng, k):
    out = []
    special = [0.0, -0.0, 1.0, -1.0, 2.0, 0.5, 10.0, float("inf"), float("-inf"),
               float("nan"), 5e-324, -5e-324, 1e-310, 1e308, -2.0, -10.0, 3.0,
               1e-20, 1e20, 1.5, -1.5, 2.0 ** -65, 2.0 ** 63, 1075.0]
    for x in special:
        for y in special:
            out.append((x, y))
    for _ in range(10 * k):
        x = from_bits(rng.randrange(1, 0x7FF0000000000000))
        y = rng.uniform(-2, 2) * 10.0 ** rng.randrange(-3, 3)
        out.append((x, y))
    for _ in range(10 * k):
        x = rng.uniform(0.01, 100.0)
        y = rng.uniform(-300, 300)
        out.append((x, y))
    for _ in range(5 * k):  # negative base, integer exponent
        out.append((-rng.uniform(0.1, 20.0), float(rng.randrange(-200, 200))))
    for _ in range(5 * k):  # results near the overflow / underflow edges
        out.append((10.0, rng.uniform(-330, -300)))
        out.append((10.0, rng.uniform(300, 310)))
        out.append((2.0, rng.uniform(-1080, -1020)))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seed", type=int, default=20260701)
    ap.add_argument("--scale", type=int, default=1)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    k = args.scale
    print("# generated by gen_glibm_vectors.py --seed %d --scale %d" % (args.seed, k))
    print("# CPython 3.11, glibc log10/pow (x86_64 FMA variants); hex bit patterns")
    for x in log10_inputs(rng, k):
        print("L", hx(x), hx(py_log10(x)))
    for x, y in grid_points(rng, k) + general_pow(rng, k):
        print("P", hx(x), hx(y), hx(py_pow(x, y)))


if __name__ == "__main__":
    main()
