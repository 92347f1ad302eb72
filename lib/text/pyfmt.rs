//! Python-compatible text for floats and strings.
//!
//! HyperHerd is Python, so its names, manifests and messages contain Python's own
//! renderings of values: `repr(float)`, `'%g' % x` and `'%e' % x`, `json.dumps`
//! strings and floats, `repr(str)`, `ascii(str)` and `shlex.quote`. The functions
//! here reproduce those byte for byte (spec section 0, CPython 3.11).
//!
//! `float` holds the float texts, `string` the string texts, `printable` the
//! Unicode table behind `repr(str)`; the CPython vectors are in `tests`.

mod float;
mod printable;
mod string;
#[cfg(test)]
mod tests;

pub(crate) use float::{
    fmt_g, fmt_g_into, g_of_token, json_f64, printf_e, printf_g, push_repr, repr_f64,
};
pub(crate) use string::{ascii_str, json_str, repr_str, shell_quote};
