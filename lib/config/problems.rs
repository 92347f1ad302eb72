//! The problem collector, the mapping being read ([`Section`]) and "did you mean"
//! suggestions for unknown keys.

use super::{params::PARAM_KEYS, show::escape};
use crate::error::Error;
use crate::text::distance::edit_distance;
use crate::text::value::{Assoc, Value};
use std::path::Path;

/// Collects `path: message` lines; the config is valid when none were pushed.
#[derive(Default)]
pub(super) struct Problems {
    lines: Vec<String>,
    /// Put before every message (`Constraint 'x': ` while a condition is read).
    pub(super) prefix: String,
}

impl Problems {
    pub(super) fn push(&mut self, path: &str, msg: impl AsRef<str>) {
        self.lines
            .push(format!("{path}: {}{}", self.prefix, msg.as_ref()));
    }

    /// A problem with the file as a whole (no key path).
    pub(super) fn plain(&mut self, msg: String) {
        self.lines.push(msg);
    }

    pub(super) fn len(&self) -> usize {
        self.lines.len()
    }

    pub(super) fn into_error(self, path: &Path) -> Error {
        Error::Config {
            path: path.to_path_buf(),
            problems: self.lines,
        }
    }
}

/// `path.key`, with control characters in the key made visible.
pub(super) fn join(path: &str, key: &str) -> String {
    let key = escape(key);
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

/// `path[i]`.
pub(super) fn item(path: &str, i: usize) -> String {
    format!("{path}[{i}]")
}

/// A mapping being read: its key path and its entries.
pub(super) struct Section<'a> {
    pub(super) path: String,
    map: &'a Assoc,
}

impl<'a> Section<'a> {
    pub(super) fn new(path: impl Into<String>, map: &'a Assoc) -> Section<'a> {
        Section {
            path: path.into(),
            map,
        }
    }

    pub(super) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    pub(super) fn at(&self, key: &str) -> String {
        join(&self.path, key)
    }

    /// The value of a required key; a `missing` problem (with `fix`) when absent.
    pub(super) fn required(&self, p: &mut Problems, key: &str, fix: &str) -> Option<&'a Value> {
        let v = self.get(key);
        if v.is_none() {
            p.push(&self.at(key), format!("missing ({fix})"));
        }
        v
    }

    /// compat (B21): unknown keys are an error, with a suggestion.
    pub(super) fn check_keys(&self, p: &mut Problems, known: &[&str]) {
        for (k, _) in self.map.iter() {
            if !known.contains(&k) {
                p.push(&self.at(k), format!("unknown key ({})", suggest(k, known)));
            }
        }
    }

    /// Like `check_keys` for a parameter of type `kind`: a key of the other type is
    /// named as such.
    pub(super) fn check_param_keys(&self, p: &mut Problems, known: &[&str], kind: &str) {
        for (k, _) in self.map.iter() {
            if known.contains(&k) {
                continue;
            }
            let msg = if PARAM_KEYS.contains(&k) {
                format!(
                    "not a key of a {kind} parameter (valid keys: {})",
                    known.join(", ")
                )
            } else {
                format!("unknown key ({})", suggest(k, known))
            };
            p.push(&self.at(k), msg);
        }
    }
}

/// "did you mean 'mem'?" (edit distance ≤ 2, or a prefix), else the valid keys.
pub(super) fn suggest(key: &str, known: &[&str]) -> String {
    let near = known
        .iter()
        .map(|k| (edit_distance(key, k), *k))
        .filter(|(d, _)| *d <= 2)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    let prefix = || {
        known
            .iter()
            .copied()
            .find(|k| key.chars().count() >= 2 && (k.starts_with(key) || key.starts_with(k)))
    };
    match near.or_else(prefix) {
        Some(k) => format!("did you mean '{k}'?"),
        None => format!("valid keys: {}", known.join(", ")),
    }
}
