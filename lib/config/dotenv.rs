//! `<workspace>/.env`: variables for the trials a tool starts (spec §11.9).
//!
//! One `KEY=value` per line; blank lines and `#` lines are skipped, a leading
//! `export ` is dropped, key and value are trimmed and one pair of matching quotes
//! around the value is removed. A `#` later in a line is part of the value. Keys
//! already in the environment are left alone: the environment wins.

use crate::error::Error;
use std::path::Path;

/// The variables of `path` that the environment does not set, in file order (a key
/// given twice: the later line). `None` when there is no such file.
pub fn load(path: &Path) -> Result<Option<Vec<(String, String)>>, Error> {
    let text = match std::fs::read(path) {
        Ok(b) => String::from_utf8_lossy(&b).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) if e.kind() == std::io::ErrorKind::IsADirectory => return Ok(None),
        Err(e) => return Err(Error::io(format!("reading {}", path.display()), e)),
    };
    let mut vars: Vec<(String, String)> = Vec::new();
    for (k, v) in parse(&text) {
        if std::env::var_os(&k).is_some() {
            continue;
        }
        vars.retain(|(old, _)| *old != k);
        vars.push((k, v));
    }
    Ok(Some(vars))
}

/// Every `KEY=value` pair of `.env` text, in order.
pub fn parse(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for line in text.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let line = line.strip_prefix("export ").unwrap_or(line);
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let k = k.trim();
        if k.is_empty() || k.contains('\0') {
            continue;
        }
        let v = v.trim();
        let v = ['"', '\'']
            .iter()
            .find_map(|q| {
                v.strip_prefix(*q)
                    .and_then(|r| r.strip_suffix(*q))
                    .filter(|_| v.len() >= 2)
            })
            .unwrap_or(v);
        if v.contains('\0') {
            continue;
        }
        out.push((k.to_string(), v.to_string()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_as_the_reference_reads_them() {
        let text = "\n# comment\nexport A=1\nB = \"two words\" \nC='x'\nD=a # not a comment\nnoequals\nE=\"\nF=\"\"\n=v\n";
        let got = parse(text);
        let want = [
            ("A", "1"),
            ("B", "two words"),
            ("C", "x"),
            ("D", "a # not a comment"),
            ("E", "\""),
            ("F", ""),
        ];
        assert_eq!(
            got,
            want.iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<Vec<_>>()
        );
    }
}
