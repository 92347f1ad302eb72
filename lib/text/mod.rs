//! Text and values as CPython prints them, knowing no sweep: the value model, Python
//! `repr`/`str`/`%g` and JSON text, the glibc libm port (bit-exact floats), SHA-1,
//! a fast hasher and an arena string set, and aligned, escaped terminal tables.

pub(crate) mod distance;
pub(crate) mod ftext;
pub(crate) mod fxhash;
pub(crate) mod glibm;
pub(crate) mod isotime;
pub(crate) mod pyfmt;
pub(crate) mod pyjson;
pub mod pystr;
pub(crate) mod sha1;
pub(crate) mod spark;
pub(crate) mod strset;
pub(crate) mod swar;
pub(crate) mod table;
pub mod value;
