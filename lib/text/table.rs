//! Aligned text tables for terminals: columns padded to their widest cell.
//!
//! Every cell and header goes through [`escape`], so text from the config (names)
//! or from results (metric names, string values) cannot move the cursor, clear the
//! screen or reorder a line: control characters become visible escapes. The same
//! escaper writes TSV fields ([`write_tsv_field`]). JSON output stays exact.

use crate::text::pyfmt::fmt_g;
use crate::text::pystr::pystr;
use crate::text::value::Value;
use std::borrow::Cow;
use std::io::{self, Write};

/// The text of a value in a cell (one function, so every tool shows a value alike):
/// floats as `%.6g`, everything else as Python `str()`.
pub fn cell(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Str(s) => Cow::Borrowed(s),
        Value::Float(f) => Cow::Owned(fmt_g(*f, 6)),
        Value::Int(i) => Cow::Owned(i.to_string()),
        other => Cow::Owned(pystr(other)),
    }
}

/// True for characters a terminal would act on instead of showing, and the
/// separators of a TSV line: C0 controls, DEL, C1 controls, backslash (the escape
/// character itself), the Unicode line/paragraph separators and bidi controls.
fn needs_escape(c: char) -> bool {
    matches!(c,
        '\0'..='\x1f' | '\x7f'..='\u{9f}' | '\\'
        | '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text made safe to print: `\\`, `\t`, `\n`, `\r`, other controls below U+0100 as
/// `\xHH`, separators and bidi controls as `\u{HHHH}`. Borrowed when nothing changes.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_escape) {
        return Cow::Borrowed(s);
    }
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            c if needs_escape(c) && (c as u32) < 0x100 => {
                o.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if needs_escape(c) => o.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => o.push(c),
        }
    }
    Cow::Owned(o)
}

/// Write a TSV field, escaped as [`escape`] does (tab and newline cannot split it).
pub fn write_tsv_field(out: &mut dyn Write, s: &str) -> io::Result<()> {
    out.write_all(escape(s).as_bytes())
}

/// Column alignment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Align {
    /// Pad on the right.
    Left,
    /// Pad on the left (numbers).
    Right,
}

/// A table: a header row and data rows, rendered with two spaces between columns.
#[derive(Debug, Default)]
pub struct Table {
    headers: Vec<(String, Align)>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(headers: &[(&str, Align)]) -> Table {
        Table {
            headers: headers
                .iter()
                .map(|(h, a)| (escape(h).into_owned(), *a))
                .collect(),
            rows: Vec::new(),
        }
    }

    /// Append a row (missing cells are blank); cells are escaped.
    pub fn push(&mut self, row: Vec<String>) {
        let row = row
            .into_iter()
            .map(|c| match escape(&c) {
                Cow::Borrowed(_) => c,
                Cow::Owned(e) => e,
            })
            .collect();
        self.rows.push(row);
    }

    /// Render: header, rows; no trailing spaces on any line.
    pub fn render(&self) -> String {
        let n = self.headers.len();
        let mut widths: Vec<usize> = self
            .headers
            .iter()
            .map(|(h, _)| h.chars().count())
            .collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                widths[i] = widths[i].max(c.chars().count());
            }
        }
        let mut out = String::new();
        let mut line = |cells: Vec<&str>| {
            let mut l = String::new();
            for (i, c) in cells.iter().enumerate() {
                let pad = widths[i].saturating_sub(c.chars().count());
                if i > 0 {
                    l.push_str("  ");
                }
                match self.headers[i].1 {
                    Align::Right => {
                        l.push_str(&" ".repeat(pad));
                        l.push_str(c);
                    }
                    Align::Left => {
                        l.push_str(c);
                        l.push_str(&" ".repeat(pad));
                    }
                }
            }
            out.push_str(l.trim_end());
            out.push('\n');
        };
        line(self.headers.iter().map(|(h, _)| h.as_str()).collect());
        for r in &self.rows {
            line(
                (0..n)
                    .map(|i| r.get(i).map_or("", String::as_str))
                    .collect(),
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_and_aligns() {
        let mut t = Table::new(&[("idx", Align::Right), ("name", Align::Left)]);
        t.push(vec!["1".into(), "a".into()]);
        t.push(vec!["10".into(), "bbbb".into()]);
        assert_eq!(t.render(), "idx  name\n  1  a\n 10  bbbb\n");
    }

    #[test]
    fn controls_become_visible_escapes() {
        assert_eq!(escape("plain ü"), "plain ü");
        assert!(matches!(escape("plain"), Cow::Borrowed(_)));
        assert_eq!(
            escape("a\tb\nc\rd\\e\x1b[2J\x7f\u{9b}\u{202e}\u{2028}"),
            "a\\tb\\nc\\rd\\\\e\\x1b[2J\\x7f\\x9b\\u{202e}\\u{2028}"
        );
        let mut t = Table::new(&[("n\x1b", Align::Left), ("v", Align::Left)]);
        t.push(vec!["\x1b[31mred".into(), "ok".into()]);
        assert_eq!(t.render(), "n\\x1b        v\n\\x1b[31mred  ok\n");
        let mut w = Vec::new();
        write_tsv_field(&mut w, "a\tb\x1b").unwrap();
        assert_eq!(w, b"a\\tb\\x1b");
    }

    #[test]
    fn cells_follow_the_reference() {
        assert_eq!(cell(&Value::Float(0.912345678)), "0.912346");
        assert_eq!(cell(&Value::Float(1e-5)), "1e-05");
        assert_eq!(cell(&Value::Float(f64::NAN)), "nan");
        assert_eq!(cell(&Value::Int(10)), "10");
        assert_eq!(cell(&Value::Bool(true)), "True");
        assert_eq!(cell(&Value::Null), "None");
        assert_eq!(
            cell(&Value::List(vec![Value::Int(1), Value::Float(2.5)])),
            "[1, 2.5]"
        );
    }
}
