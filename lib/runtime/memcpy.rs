//! `memcpy` and `memmove` for the static x86-64 musl build.
//!
//! musl's x86-64 `memcpy` copies with `movsb`/`rep movsq`, whose start-up costs tens
//! of cycles on every call; herd's tools make millions of small copies (strings,
//! record fragments), and `perf` put a third of `herd-expand`'s time in that one
//! function. These replace it: copies up to 128 bytes are a few overlapping unaligned
//! loads and stores (all loads first, so the same code is a correct `memmove`),
//! longer ones `rep movsb`, which CPUs with ERMS run at full speed. Defining both
//! symbols keeps musl's versions (which share one object file) out of the link.
//!
//! No loops: the compiler could turn a copy loop back into a call to `memcpy`.

use core::arch::asm;
use core::ptr::{read_unaligned as ld, write_unaligned as st};

/// Copy `n <= 128` bytes with every load before any store (overlap-safe).
#[inline(always)]
unsafe fn small(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY (all arms): the caller guarantees `n` readable bytes at `src` and `n`
    // writable bytes at `dst`; every access below lies within those ranges.
    unsafe {
        if n >= 64 {
            let s = src.cast::<u128>();
            let (a, b, c, d) = (ld(s), ld(s.add(1)), ld(s.add(2)), ld(s.add(3)));
            let e = src.add(n - 64).cast::<u128>();
            let (f, g, h, i) = (ld(e), ld(e.add(1)), ld(e.add(2)), ld(e.add(3)));
            let t = dst.cast::<u128>();
            st(t, a);
            st(t.add(1), b);
            st(t.add(2), c);
            st(t.add(3), d);
            let u = dst.add(n - 64).cast::<u128>();
            st(u, f);
            st(u.add(1), g);
            st(u.add(2), h);
            st(u.add(3), i);
        } else if n >= 32 {
            let s = src.cast::<u128>();
            let (a, b) = (ld(s), ld(s.add(1)));
            let e = src.add(n - 32).cast::<u128>();
            let (c, d) = (ld(e), ld(e.add(1)));
            let t = dst.cast::<u128>();
            st(t, a);
            st(t.add(1), b);
            let u = dst.add(n - 32).cast::<u128>();
            st(u, c);
            st(u.add(1), d);
        } else if n >= 16 {
            let (a, b) = (ld(src.cast::<u128>()), ld(src.add(n - 16).cast::<u128>()));
            st(dst.cast::<u128>(), a);
            st(dst.add(n - 16).cast::<u128>(), b);
        } else if n >= 8 {
            let (a, b) = (ld(src.cast::<u64>()), ld(src.add(n - 8).cast::<u64>()));
            st(dst.cast::<u64>(), a);
            st(dst.add(n - 8).cast::<u64>(), b);
        } else if n >= 4 {
            let (a, b) = (ld(src.cast::<u32>()), ld(src.add(n - 4).cast::<u32>()));
            st(dst.cast::<u32>(), a);
            st(dst.add(n - 4).cast::<u32>(), b);
        } else if n > 0 {
            let (a, b, c) = (*src, *src.add(n / 2), *src.add(n - 1));
            *dst = a;
            *dst.add(n / 2) = b;
            *dst.add(n - 1) = c;
        }
    }
}

/// `rep movsb` forwards: correct for any `dst` at or below `src`, or no overlap.
#[inline(always)]
unsafe fn forward(dst: *mut u8, src: *const u8, n: usize) {
    // SAFETY: the caller guarantees the ranges; the direction flag is clear (ABI).
    unsafe {
        asm!(
            "rep movsb",
            inout("rcx") n => _,
            inout("rdi") dst => _,
            inout("rsi") src => _,
            options(nostack, preserves_flags)
        );
    }
}

/// C `memcpy`.
///
/// # Safety
/// As C's: `n` readable bytes at `src`, `n` writable bytes at `dst`, no overlap.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: forwarded from the caller.
    unsafe {
        if n <= 128 {
            small(dst, src, n);
        } else {
            forward(dst, src, n);
        }
    }
    dst
}

/// C `memmove`.
///
/// # Safety
/// As C's: `n` readable bytes at `src`, `n` writable bytes at `dst`.
#[no_mangle]
pub unsafe extern "C" fn memmove(dst: *mut u8, src: *const u8, n: usize) -> *mut u8 {
    // SAFETY: forwarded from the caller; `small` loads everything before it stores.
    unsafe {
        if n <= 128 {
            small(dst, src, n);
        } else if (dst as usize).wrapping_sub(src as usize) >= n {
            // `dst` below `src`, or the ranges do not overlap: forwards is correct.
            forward(dst, src, n);
        } else {
            // `dst` inside `src..src+n`: copy backwards, from the last byte down.
            asm!(
                "std",
                "rep movsb",
                "cld",
                inout("rcx") n => _,
                inout("rdi") dst.add(n - 1) => _,
                inout("rsi") src.add(n - 1) => _,
                options(nostack)
            );
        }
    }
    dst
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length to 300, several alignments, copies and overlapping moves in both
    /// directions, checked against a byte-by-byte model (a debug build keeps its
    /// loops as loops).
    #[test]
    #[allow(clippy::manual_memcpy)] // the model must not call the code under test
    fn copies_and_moves_match_a_byte_model() {
        let mut rng = crate::testrng::XorShift(5);
        let pattern: Vec<u8> = (0..1024).map(|_| rng.next() as u8).collect();
        for n in 0..300usize {
            for (sa, da) in [(0, 0), (1, 3), (7, 0), (0, 9), (15, 15), (3, 11)] {
                let mut buf = pattern.clone();
                let want = {
                    let mut m = pattern.clone();
                    for k in 0..n {
                        m[500 + da + k] = pattern[sa + k];
                    }
                    m
                };
                unsafe { memcpy(buf.as_mut_ptr().add(500 + da), buf.as_ptr().add(sa), n) };
                assert_eq!(buf, want, "memcpy n={n} sa={sa} da={da}");
                for shift in [1usize, 7, 16, 33, 64, 129] {
                    for up in [true, false] {
                        let (s, d) = if up {
                            (200 + sa, 200 + sa + shift)
                        } else {
                            (200 + da + shift, 200 + da)
                        };
                        let mut buf = pattern.clone();
                        let mut want = pattern.clone();
                        for k in 0..n {
                            want[d + k] = pattern[s + k];
                        }
                        unsafe { memmove(buf.as_mut_ptr().add(d), buf.as_ptr().add(s), n) };
                        assert_eq!(buf, want, "memmove n={n} s={s} d={d}");
                    }
                }
            }
        }
    }
}
