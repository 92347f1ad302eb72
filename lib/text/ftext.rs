//! Memoised float text. A grid sweep has a handful of distinct floats but formats
//! each of them once per trial (hash, name, dedupe key, override); a small
//! direct-mapped table per thread makes that a lookup. A sampled sweep's floats
//! never repeat across trials, so the table holds no allocations and costs a miss
//! little more than the formatting itself.

use crate::text::pyfmt::{fmt_g_into, json_f64, push_repr};
use std::cell::RefCell;

/// Which text of a float.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Kind {
    /// Python `repr()`.
    Repr,
    /// Python `json.dumps()` (repr, with `NaN`/`Infinity`).
    Json,
    /// Python `'%.{p}g'`.
    G(u8),
}

/// Slots in the table (a power of two).
const SLOTS: usize = 4096;
/// The longest text a slot holds (`-2.2250738585072014e-308` is 24 bytes).
const TEXT: usize = 30;

/// One remembered text: the float's bits, its kind's tag (0: empty), the text.
#[derive(Clone, Copy)]
struct Slot {
    bits: u64,
    tag: u8,
    len: u8,
    text: [u8; TEXT],
}

const EMPTY: Slot = Slot {
    bits: 0,
    tag: 0,
    len: 0,
    text: [0; TEXT],
};

thread_local! {
    static MEMO: RefCell<Vec<Slot>> = const { RefCell::new(Vec::new()) };
}

/// Append the text of `x` to `out`.
pub(crate) fn push(out: &mut String, x: f64, kind: Kind) {
    let tag = match kind {
        // json.dumps and repr agree on every finite float.
        Kind::Json if x.is_finite() => 1,
        Kind::Repr => 1,
        Kind::Json => 2,
        Kind::G(p) => 3u8.saturating_add(p),
    };
    let bits = x.to_bits();
    let at = ((bits ^ (u64::from(tag) << 56)).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 52) as usize
        % SLOTS;
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.is_empty() {
            m.resize(SLOTS, EMPTY);
        }
        let slot = &mut m[at];
        if slot.tag == tag && slot.bits == bits {
            // The slot holds what this function wrote into it: whole UTF-8 text.
            if let Ok(t) = std::str::from_utf8(&slot.text[..usize::from(slot.len)]) {
                out.push_str(t);
                return;
            }
        }
        let start = out.len();
        match kind {
            Kind::Json if !x.is_finite() => out.push_str(&json_f64(x)),
            Kind::Repr | Kind::Json => push_repr(out, x),
            Kind::G(p) => fmt_g_into(out, x, usize::from(p)),
        }
        let text = &out.as_bytes()[start..];
        if text.len() <= TEXT {
            slot.text[..text.len()].copy_from_slice(text);
            slot.len = text.len() as u8;
            slot.bits = bits;
            slot.tag = tag;
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::pyfmt::{fmt_g, repr_f64};

    #[test]
    fn memo_gives_the_formatters_text() {
        for x in [
            1e-5,
            0.1,
            5.623413251903491e-05,
            12345.0,
            f64::NAN,
            f64::INFINITY,
            -0.0,
        ] {
            for (k, want) in [
                (Kind::Repr, repr_f64(x)),
                (Kind::Json, json_f64(x)),
                (Kind::G(4), fmt_g(x, 4)),
            ] {
                let mut s = String::from(">");
                push(&mut s, x, k);
                push(&mut s, x, k);
                assert_eq!(s, format!(">{want}{want}"));
            }
        }
    }
}
