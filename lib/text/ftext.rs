//! Memoised float text. A sweep has a handful of distinct floats but formats each of
//! them once per trial (hash, name, dedupe key, override), and Python-exact float
//! formatting is costly; a small per-thread table makes it a lookup.

use crate::text::fxhash::FxHashMap;
use crate::text::pyfmt::{fmt_g, json_f64, repr_f64};
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

thread_local! {
    static MEMO: RefCell<FxHashMap<(u64, Kind), Box<str>>> = RefCell::new(FxHashMap::default());
}

/// Append the text of `x` to `out`.
pub(crate) fn push(out: &mut String, x: f64, kind: Kind) {
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() > 65_536 {
            m.clear(); // a sweep with this many distinct floats gains nothing from it
        }
        let s = m.entry((x.to_bits(), kind)).or_insert_with(|| {
            match kind {
                Kind::Repr => repr_f64(x),
                Kind::Json => json_f64(x),
                Kind::G(p) => fmt_g(x, p as usize),
            }
            .into_boxed_str()
        });
        out.push_str(s);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memo_gives_the_formatters_text() {
        for x in [1e-5, 0.1, 5.623413251903491e-05, 12345.0, f64::NAN] {
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
