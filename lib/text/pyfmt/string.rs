//! Python's text of a string: `repr`, `json.dumps` and `shlex.quote`.

use std::fmt::Write as _;

use super::printable::is_printable;

/// Appends Python `json.dumps(s)` (with the default `ensure_ascii=True`) to
/// `out`, quotes included: `"` and `\` backslash-escaped, `\n \r \t \b \f` as
/// short escapes, every other char outside 0x20..=0x7E as `\u00xx` (lowercase
/// hex), astral chars as a surrogate pair (`\ud83d\ude00`).
pub(crate) fn json_str(out: &mut String, s: &str) {
    use crate::text::swar::{needs_json_escape, outside_printable_ascii, plain_prefix};
    out.reserve(s.len() + 2);
    out.push('"');
    let mut rest = s;
    loop {
        // Runs of printable ASCII without quotes or backslashes, eight bytes at a time.
        let n = plain_prefix(
            rest.as_bytes(),
            |x| outside_printable_ascii(x) || needs_json_escape(x),
            |b| (b' '..=b'~').contains(&b) && b != b'"' && b != b'\\',
        );
        // The run is ASCII, so `n` is a char boundary.
        out.push_str(&rest[..n]);
        let Some(c) = rest[n..].chars().next() else {
            break;
        };
        rest = &rest[n + c.len_utf8()..];
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    // Writing to a String cannot fail.
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
}

/// Python `repr(str)`: single quotes unless the text contains `'` and no `"`;
/// `\\`, the chosen quote, `\t \n \r` escaped; other ASCII controls and DEL as
/// `\xNN`; non-ASCII kept when printable for Python 3.11 (Unicode 14.0),
/// otherwise `\xNN`, `\uNNNN` or `\UNNNNNNNN` (lowercase hex).
pub(crate) fn repr_str(s: &str) -> String {
    quoted(s, false)
}

/// Python `ascii(str)`: [`repr_str`] with every non-ASCII char escaped.
pub(crate) fn ascii_str(s: &str) -> String {
    quoted(s, true)
}

/// `repr(str)`, or with `ascii` `ascii(str)`.
fn quoted(s: &str, ascii: bool) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        let code = u32::from(c);
        if c == quote || c == '\\' {
            out.push('\\');
            out.push(c);
        } else if c == '\t' {
            out.push_str("\\t");
        } else if c == '\n' {
            out.push_str("\\n");
        } else if c == '\r' {
            out.push_str("\\r");
        } else if code < 0x20 || code == 0x7f {
            let _ = write!(out, "\\x{code:02x}");
        } else if code < 0x7f || (!ascii && is_printable(code)) {
            out.push(c);
        } else if code <= 0xff {
            let _ = write!(out, "\\x{code:02x}");
        } else if code <= 0xffff {
            let _ = write!(out, "\\u{code:04x}");
        } else {
            let _ = write!(out, "\\U{code:08x}");
        }
    }
    out.push(quote);
    out
}

/// Python `shlex.quote`: `''` for the empty string; unchanged if every char is
/// an ASCII letter, digit or one of `_@%+=:,./-`; otherwise wrapped in single
/// quotes with each `'` written as `'"'"'`.
pub(crate) fn shell_quote(s: &str) -> String {
    if s.is_empty() {
        return "''".to_owned();
    }
    let safe = |b: u8| b.is_ascii_alphanumeric() || b"_@%+=:,./-".contains(&b);
    if s.bytes().all(safe) {
        return s.to_owned();
    }
    format!("'{}'", s.replace('\'', "'\"'\"'"))
}
