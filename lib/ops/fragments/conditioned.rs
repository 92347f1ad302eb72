//! A fresh `grid: all` sweep with conditions, written from per-value fragments.
//!
//! Conditions that force no parameter only drop rows of the product and add extras
//! (see `model::rows`), so a trial is still a row of indices into [`Fresh`]'s tables,
//! plus the few extras the conditions give it. [`Conditioned::new`] makes every row
//! once to learn what the general path could answer differently (an expression that
//! fails, no trial left, an override string that may be too long) and declines then,
//! before anything is written; [`Conditioned::write`] makes them again and writes
//! them. A property test holds the records to the general path's, byte for byte.

use super::{Fresh, Rows, HASH_LEN};
use crate::config::Config;
use crate::model::expand::{values_of, words_bound};
use crate::model::naming::{push_override_string, MAX_OVERRIDE_BYTES};
use crate::model::ndjson;
use crate::model::record::Status;
use crate::model::rows::RowConditions;
use crate::text::fxhash::FxHashSet;
use crate::text::value::{Assoc, Value};
use std::io::Write;

/// A fresh `grid: all` sweep whose conditions force nothing, ready to be written.
pub struct Conditioned {
    fresh: Fresh,
    /// Each parameter's values, in declaration order (what the conditions read).
    lists: Vec<Vec<Value>>,
    /// How many rows the conditions keep.
    count: u64,
}

impl Conditioned {
    /// The tables of `cfg` with every row checked, or `None` when the general path
    /// must run (it then gives the records, or the error, itself).
    pub fn new(cfg: &Config) -> Option<Conditioned> {
        if cfg.conditions.is_empty() {
            return None;
        }
        // Rows are the trials only with distinct parameter names (`Assoc::get` finds
        // the first of a name).
        let mut names = FxHashSet::default();
        if !cfg.parameters.iter().all(|p| names.insert(p.name.as_str())) {
            return None;
        }
        let fresh = Fresh::tables(cfg)?;
        let lists: Vec<Vec<Value>> = cfg.parameters.iter().map(values_of).collect();
        let mut conds = RowConditions::new(cfg, &lists)?;
        let mut rows = Rows::new(&fresh);
        let mut count = 0u64;
        for _ in 0..fresh.total {
            rows.advance(&fresh);
            match conds.apply(&rows.row, cfg.conditions.len()) {
                Ok(Some(extras)) => {
                    if fresh.longest.saturating_add(words_bound(&extras)) > MAX_OVERRIDE_BYTES {
                        return None;
                    }
                    count += 1;
                }
                Ok(None) => {}
                Err(_) => return None,
            }
        }
        if count == 0 {
            return None;
        }
        Some(Conditioned {
            fresh,
            lists,
            count,
        })
    }

    /// How many trials the sweep has.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Write every trial's record as an NDJSON line, indices from `first_index`, in
    /// the general path's order (the last parameter varies fastest). A trial whose
    /// hash an earlier one has is left out, as reconciliation leaves it out.
    pub fn write(
        &self,
        cfg: &Config,
        first_index: u64,
        out: &mut impl Write,
    ) -> std::io::Result<()> {
        let fresh = &self.fresh;
        let Some(mut conds) = RowConditions::new(cfg, &self.lists) else {
            return Err(std::io::Error::other("the conditions changed"));
        };
        let mut rows = Rows::new(fresh);
        let mut line: Vec<u8> = Vec::with_capacity(1024);
        let mut over = String::new();
        let mut params: Vec<&[u8]> = Vec::with_capacity(fresh.axes.len());
        let mut seen: FxHashSet<u64> =
            FxHashSet::with_capacity_and_hasher(self.count as usize, Default::default());
        let none = Assoc::new();
        let mut index = first_index;
        for _ in 0..fresh.total {
            rows.advance(fresh);
            let extras = match conds.apply(&rows.row, cfg.conditions.len()) {
                Ok(Some(extras)) => extras,
                Ok(None) => continue,
                // `new` made this row without an error.
                Err((_, msg)) => return Err(std::io::Error::other(msg)),
            };
            let hash = rows.hash(fresh, &extras);
            let Ok(key) = u64::from_str_radix(hash, 16) else {
                return Err(std::io::Error::other("a trial hash that is not hex"));
            };
            if !seen.insert(key) {
                continue;
            }
            rows.override_start(fresh, &mut over);
            push_override_string(&mut over, "", &none, &[], &extras);
            params.clear();
            params.extend(rows.frags.iter().map(|f| f.json.as_slice()));
            line.clear();
            ndjson::write_planned_line(
                &mut line,
                &ndjson::Head {
                    sweep: &fresh.sweep,
                    workspace: &fresh.workspace,
                    index,
                    hash: &rows.digest[..HASH_LEN],
                    experiment_name: Some(&rows.name),
                    params: ndjson::Entries::Written(&params),
                    extras: &extras,
                    overrides: &over,
                    status: &Status::Ready,
                },
            );
            out.write_all(&line)?;
            index += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testrng::XorShift;

    /// Random conditions over `cfg`'s parameters: matchers, expressions that may fail
    /// (a type error, a division by zero), literal and computed sets, excludes, and
    /// sometimes a name no parameter has or a `force`.
    fn random_conditions(rng: &mut XorShift, cfg: &Config) -> String {
        let names: Vec<(&str, &str)> = cfg
            .parameters
            .iter()
            .map(|p| (p.name.as_str(), p.expr_name()))
            .collect();
        let mut y = String::from("conditions:\n");
        for _ in 0..1 + rng.below(3) {
            let (p, pe) = names[rng.below(names.len())];
            let (q, qe) = names[rng.below(names.len())];
            let when = match rng.below(6) {
                0 => format!("{{{p}: [1, abc, 0.5]}}"),
                1 => format!("{{expr: \"{pe}\"}}"),
                2 => format!("{{expr: \"{pe} != {qe}\"}}"),
                3 => "{nope: 1}".to_string(),
                4 => format!("{{expr: \"1 // ({qe} - 1) > 0\"}}"),
                _ => format!("{{{p}: {{ne: 2}}}}"),
            };
            let what = match rng.below(6) {
                0 => format!("exclude: {{{q}: [1, 2, abc, '1.0']}}"),
                1 => "set: {m: 0.9, tag: 'x y'}".to_string(),
                2 => format!("set: {{d: {{expr: \"{pe} * 2\"}}, m: 1}}"),
                3 => format!("set: {{r: {{expr: \"max(100, {qe} * 3)\"}}}}"),
                4 if rng.below(3) == 0 => format!("force: {{{q}: 1}}"),
                _ => format!("set: {{s: {{expr: \"str({pe}) + '-'\"}}}}"),
            };
            y.push_str(&format!("  - when: {when}\n    {what}\n"));
        }
        y
    }

    #[test]
    fn conditioned_fragments_write_what_the_general_path_writes_or_decline() {
        let dir = std::env::temp_dir().join(format!("herd-fragcond-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("launch.sh"), "#!/bin/bash\n").unwrap();
        let env = |k: &str| std::env::var(k).ok().and_then(|s| s.parse::<u64>().ok());
        let mut rng = XorShift(env("HERD_PROP_SEED").unwrap_or(2027).max(1));
        let n = env("HERD_PROP_SWEEPS").unwrap_or(if cfg!(target_arch = "x86_64") {
            1500
        } else {
            300
        }) as usize;
        let (mut fast, mut declined, mut failing) = (0, 0, 0);
        for _ in 0..n {
            let base = super::super::tests::random_yaml(&mut rng);
            std::fs::write(dir.join("hyperherd.yaml"), &base).unwrap();
            let Ok(cfg) = crate::config::load(Some(&dir)) else {
                continue;
            };
            let yaml = format!("{base}{}", random_conditions(&mut rng, &cfg));
            std::fs::write(dir.join("hyperherd.yaml"), &yaml).unwrap();
            let Ok(cfg) = crate::config::load(Some(&dir)) else {
                continue;
            };
            let general = crate::ops::plan::load(&cfg);
            let Some(c) = Conditioned::new(&cfg) else {
                declined += 1;
                if general.is_err() {
                    failing += 1;
                }
                continue;
            };
            fast += 1;
            let sweep = general.unwrap_or_else(|e| {
                panic!("the general path refused what fragments took: {e}\n{yaml}")
            });
            assert_eq!(sweep.plan.records.len() as u64, c.count(), "{yaml}");
            let mut ours = Vec::new();
            c.write(&cfg, 0, &mut ours).unwrap();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                super::super::general_lines(&cfg, sweep.plan.records),
                "{yaml}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
        // Both outcomes, and failing sweeps among the declined, must be common (of the
        // sweeps the loader took: it refuses many of these conditions).
        let took = fast + declined;
        assert!(
            took > n / 10 && fast > took / 6 && declined > took / 10 && failing > took / 50,
            "fast {fast}, declined {declined} (failing {failing})"
        );
    }
}
