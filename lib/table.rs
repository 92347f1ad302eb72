//! Aligned text tables for terminals: columns padded to their widest cell, and the
//! text of a value in a cell (one function, so every tool shows a value alike).

use crate::naming::pystr;
use crate::pyfmt::fmt_g;
use crate::value::Value;
use std::borrow::Cow;

/// The text of a value in a cell: floats as `%.6g`, everything else as Python `str()`.
pub fn cell(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Str(s) => Cow::Borrowed(s),
        Value::Float(f) => Cow::Owned(fmt_g(*f, 6)),
        Value::Int(i) => Cow::Owned(i.to_string()),
        other => Cow::Owned(pystr(other)),
    }
}

/// A field's text with backslash, tab, newline and carriage return escaped, so that
/// it keeps to its column (TSV fields, table cells).
pub fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => o.push_str("\\\\"),
            '\t' => o.push_str("\\t"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            c => o.push(c),
        }
    }
    o
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
            headers: headers.iter().map(|(h, a)| (h.to_string(), *a)).collect(),
            rows: Vec::new(),
        }
    }

    /// Append a row (missing cells are blank).
    pub fn push(&mut self, row: Vec<String>) {
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
