//! A sampled sweep that was never submitted, written straight from the sampler.
//!
//! `herd-expand` on a fresh `grid: random` / `grid: sobol` sweep needs no
//! reconciliation: with no manifest every trial is new and takes the next index,
//! except that a trial whose hash an earlier one has is left out, as reconciliation
//! leaves it out. Nor does it keep a value tree per trial: the sampler hands on each
//! trial it accepts, and what is kept is its candidate number and name (and, when a
//! condition forced or set something, the trial itself). The records are then made
//! in chunks on worker threads (the candidate drawn again) and written in order. A
//! test holds the lines to the general path's, byte for byte.

use crate::config::{Config, Grid};
use crate::error::Error;
use crate::model::expand::{OverrideCheck, Trial};
use crate::model::naming::{push_override_string, trial_hash_with, Namer};
use crate::model::ndjson;
use crate::model::record::Status;
use crate::model::sample::{sample_each, Drawer};
use crate::runtime::par;
use crate::store::job_ids::check_new_indices;
use crate::text::fxhash::FxHashSet;
use crate::text::value::Assoc;
use std::io::Write;
use std::sync::Mutex;

/// Trials per chunk of work handed to a worker.
const CHUNK: usize = 2048;

/// An accepted trial as kept between sampling and writing.
struct Kept {
    /// Its candidate number.
    k: u64,
    /// Where its name ends in the names' text.
    name_end: usize,
    /// The trial, when a condition made it differ from candidate `k` as drawn.
    trial: Option<Box<Trial>>,
}

/// Writes the records of `cfg`, a sampled sweep with no manifest, as NDJSON lines with
/// indices from `first_index`; false (nothing written) when `cfg` does not sample.
pub fn write_fresh(cfg: &Config, first_index: u64, out: &mut impl Write) -> Result<bool, Error> {
    write_fresh_with(cfg, first_index, out, trial_hash_with)
}

/// [`write_fresh`], with the trial hash made by `hash`.
fn write_fresh_with(
    cfg: &Config,
    first_index: u64,
    out: &mut impl Write,
    hash: HashFn,
) -> Result<bool, Error> {
    let Grid::Sample(plan) = &cfg.grid else {
        return Ok(false);
    };
    let drawer = Drawer::new(cfg, plan);
    let mut kept: Vec<Kept> = Vec::with_capacity((plan.samples as usize).min(1 << 20));
    let mut names = String::new();
    let mut lengths = OverrideCheck::new(cfg);
    // As the general path: a sweep that cannot be sampled is reported before a trial
    // whose override string is too long.
    let mut too_long: Option<Error> = None;
    let mut scratch = Trial::default();
    sample_each(cfg, plan, &Namer::new(cfg), &drawer, |a| {
        if too_long.is_none() && !lengths.fits(a.name, a.words) {
            let t = drawer.trial(a.k, a.conditioned.as_deref(), &mut scratch);
            too_long = lengths.trial(kept.len(), a.name, t).err();
        }
        names.push_str(a.name);
        kept.push(Kept {
            k: a.k,
            name_end: names.len(),
            trial: a.conditioned,
        });
        Ok(())
    })?;
    if let Some(e) = too_long {
        return Err(e);
    }
    // Past the largest index even if no hash repeats: refused before anything is
    // written (a repeat only lowers the last index).
    check_new_indices(first_index.saturating_add(kept.len() as u64))?;
    let chunks: Vec<usize> = (0..kept.len()).step_by(CHUNK).collect();
    let w = Writer {
        cfg,
        drawer: &drawer,
        kept: &kept,
        names: &names,
        workspace: cfg.workspace.display().to_string(),
        hash,
    };
    // One pass on the cores: each chunk's hashes and lines, numbered as if no hash
    // repeated (the first 48 bits of SHA-1 of distinct trials: it does not happen in
    // practice). Line buffers go back to a pool once written: a fresh megabyte per
    // chunk would be mapped and unmapped by the allocator each time.
    let pool: Mutex<Vec<Vec<u8>>> = Mutex::new(Vec::new());
    let mut seen: FxHashSet<[u8; 12]> =
        FxHashSet::with_capacity_and_hasher(kept.len(), Default::default());
    let mut repeat_at: Option<usize> = None;
    let speculate = |&start: &usize| {
        let mut lines = pool
            .lock()
            .ok()
            .and_then(|mut p| p.pop())
            .unwrap_or_default();
        lines.clear();
        let end = (start + CHUNK).min(kept.len());
        let hashes = w.render(start..end, |i, _| Some(first_index + i as u64), &mut lines);
        (start, hashes, lines)
    };
    let done = par::ordered(&chunks, 2, 2, speculate, |(start, hashes, lines)| {
        for (j, h) in hashes.iter().enumerate() {
            if !seen.insert(*h) {
                // Numbered wrongly from here: this chunk and the rest are made again.
                for earlier in &hashes[..j] {
                    seen.remove(earlier);
                }
                repeat_at = Some(start);
                return Err(None);
            }
        }
        out.write_all(&lines).map_err(|e| Some(Error::from(e)))?;
        if let Ok(mut p) = pool.lock() {
            p.push(lines);
        }
        Ok(())
    });
    match (done, repeat_at) {
        (Ok(()), _) => {}
        (Err(None), Some(start)) => {
            // A trial whose hash an earlier one has is left out, as reconciliation
            // leaves it out, and the indices after it close up.
            let mut next = first_index + start as u64;
            let mut lines = Vec::new();
            for from in (start..kept.len()).step_by(CHUNK) {
                lines.clear();
                let end = (from + CHUNK).min(kept.len());
                w.render(
                    from..end,
                    |_, h| {
                        seen.insert(h).then(|| {
                            next += 1;
                            next - 1
                        })
                    },
                    &mut lines,
                );
                out.write_all(&lines)?;
            }
        }
        (Err(Some(e)), _) => return Err(e),
        (Err(None), None) => return Err(Error::failed("writing the trials stopped")),
    }
    // The process ends here; the OS takes back what was kept faster than freeing it.
    std::mem::forget(kept);
    Ok(true)
}

/// What making a record of a kept trial needs.
struct Writer<'a> {
    cfg: &'a Config,
    drawer: &'a Drawer<'a>,
    kept: &'a [Kept],
    names: &'a str,
    workspace: String,
    hash: HashFn,
}

/// How a trial hash is made (tests give one that repeats a hash).
type HashFn = fn(&mut String, &Assoc, &Assoc) -> [u8; 12];

impl Writer<'_> {
    /// Appends to `lines` the records of kept trials `range`, each numbered by
    /// `index` (trial, hash), or left out when it gives None; returns their hashes.
    fn render(
        &self,
        range: std::ops::Range<usize>,
        mut index: impl FnMut(usize, [u8; 12]) -> Option<u64>,
        lines: &mut Vec<u8>,
    ) -> Vec<[u8; 12]> {
        let cfg = self.cfg;
        let mut hashes = Vec::with_capacity(range.len());
        let (mut text, mut overrides) = (String::new(), String::new());
        let mut scratch = Trial::default();
        for i in range {
            let kept = &self.kept[i];
            let t = self
                .drawer
                .trial(kept.k, kept.trial.as_deref(), &mut scratch);
            let h = (self.hash)(&mut text, &t.params, &t.extras);
            hashes.push(h);
            let Some(at) = index(i, h) else {
                continue;
            };
            let from = if i == 0 { 0 } else { self.kept[i - 1].name_end };
            let name = &self.names[from..kept.name_end];
            overrides.clear();
            push_override_string(
                &mut overrides,
                name,
                &t.params,
                &cfg.static_overrides,
                &t.extras,
            );
            ndjson::write_planned_line(
                lines,
                &ndjson::Head {
                    sweep: &cfg.name,
                    workspace: &self.workspace,
                    index: at,
                    // Hex digits: always UTF-8.
                    hash: std::str::from_utf8(&h).unwrap_or(""),
                    experiment_name: Some(name),
                    params: ndjson::Entries::Map(&t.params),
                    extras: &t.extras,
                    overrides: &overrides,
                    status: &Status::Ready,
                },
            );
        }
        hashes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::expand::expand;

    /// A new, empty workspace directory with a launcher, named for the test.
    fn workspace(test: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("herd-sampled-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("launch.sh"), "#!/bin/bash\n").unwrap();
        dir
    }

    /// The lines are the general path's (expand, reconcile with no manifest, render
    /// each record) for sampled sweeps with conditions, extras, static overrides and
    /// a first index past 0, across chunk boundaries.
    #[test]
    fn writes_what_the_general_path_writes() {
        let dir = workspace("lines");
        for (method, n, first) in [("random", 5000, 0), ("sobol", 2100, 7), ("random", 3, 2)] {
            let yaml = format!(
                "name: s\ngrid: {method}\nsamples: {n}\nseed: 3\nlauncher: ./launch.sh\nslurm: {{partition: p}}\n\
                 static_overrides: [data.root=/d]\n\
                 parameters:\n  lr: {{type: continuous, low: 1.0e-5, high: 1.0, scale: log}}\n\
                 \x20 wd: {{type: continuous, low: 0, high: 0.1, round: 0.001}}\n\
                 \x20 opt: {{type: discrete, values: [adam, 'x\"y\"', sgd], weights: [2, 1, 1]}}\n\
                 conditions:\n  - name: c\n    when: {{opt: sgd, expr: \"wd > 0.05\"}}\n    exclude: {{opt: [sgd]}}\n\
                 \x20 - name: w\n    when: {{expr: \"lr > 0.1\"}}\n    set: {{warmup: 500, half: {{expr: \"lr / 2\"}}}}\n\
                 \x20 - name: f\n    when: {{opt: adam, expr: \"lr < 0.0001\"}}\n    force: {{wd: 0.05}}\n"
            );
            std::fs::write(dir.join("hyperherd.yaml"), &yaml).unwrap();
            let cfg = crate::config::load(Some(&dir)).unwrap();
            let mut fast = Vec::new();
            assert!(write_fresh(&cfg, first, &mut fast).unwrap());
            let plan =
                crate::model::reconcile::reconcile(vec![], expand(&cfg).unwrap(), first, true)
                    .unwrap();
            let general = crate::ops::fragments::general_lines(&cfg, plan.records);
            assert_eq!(String::from_utf8(fast).unwrap(), general, "{method} {n}");
        }
        std::fs::write(
            dir.join("hyperherd.yaml"),
            "name: s\ngrid: all\nlauncher: ./launch.sh\nslurm: {partition: p}\nparameters:\n  a: {type: discrete, values: [1]}\n",
        )
        .unwrap();
        let cfg = crate::config::load(Some(&dir)).unwrap();
        assert!(!write_fresh(&cfg, 0, &mut Vec::new()).unwrap());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Trial `from`'s parameters hash as the given hash (the tests' stand-in for two
    /// trials whose SHA-1 shares its first 48 bits, which no test could find).
    static ALIAS: Mutex<Option<(Assoc, [u8; 12])>> = Mutex::new(None);

    fn aliasing(text: &mut String, params: &Assoc, extras: &Assoc) -> [u8; 12] {
        if let Ok(alias) = ALIAS.lock() {
            if let Some((from, to)) = alias.as_ref().filter(|(from, _)| from == params) {
                let _ = from;
                return *to;
            }
        }
        trial_hash_with(text, params, extras)
    }

    /// A hash that repeats an earlier trial's leaves the later trial out and closes up
    /// the indices after it, as reconciliation does, whether the repeat is in the
    /// first chunk or a later one (the chunks before it are written as made).
    #[test]
    fn a_repeated_hash_leaves_the_trial_out_and_closes_up_the_indices() {
        let dir = workspace("repeat");
        std::fs::write(
            dir.join("hyperherd.yaml"),
            "name: s\ngrid: random\nsamples: 5000\nseed: 9\nlauncher: ./launch.sh\nslurm: {partition: p}\n\
             parameters:\n  lr: {type: continuous, low: 1.0e-5, high: 1.0, scale: log}\n\
             \x20 opt: {type: discrete, values: [adam, sgd]}\n\
             conditions:\n  - name: w\n    when: {expr: \"lr > 0.1\"}\n    set: {warmup: 500}\n",
        )
        .unwrap();
        let cfg = crate::config::load(Some(&dir)).unwrap();
        let trials = expand(&cfg).unwrap();
        for (from, to) in [(3000, 10), (7, 2), (4096, 4095)] {
            let mut text = String::new();
            let target = trial_hash_with(
                &mut text,
                &trials[to].trial.params,
                &trials[to].trial.extras,
            );
            *ALIAS.lock().unwrap() = Some((trials[from].trial.params.clone(), target));
            let mut fast = Vec::new();
            let wrote = write_fresh_with(&cfg, 5, &mut fast, aliasing);
            *ALIAS.lock().unwrap() = None;
            assert!(wrote.unwrap());
            let plan = crate::model::reconcile::reconcile(vec![], trials.clone(), 5, true).unwrap();
            let mut records = plan.records;
            records.remove(from);
            for (i, r) in records.iter_mut().enumerate() {
                r.index = 5 + i as u64;
            }
            let want = crate::ops::fragments::general_lines(&cfg, records);
            let got = String::from_utf8(fast).unwrap();
            assert_eq!(got.lines().count(), 4999, "{from}");
            assert!(
                got == want,
                "{from} -> {to}: the lines differ from the general path's"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Config errors are the general path's: an override string too long (found by
    /// its bound, then measured), and before it a sweep that cannot give `samples`.
    #[test]
    fn fails_as_the_general_path_fails() {
        let dir = workspace("errors");
        let long = "x".repeat(crate::model::naming::MAX_OVERRIDE_BYTES);
        // The second sweep has 9 combinations and excludes 3, leaving fewer than
        // samples: it fails after drawing, with too-long trials already accepted.
        for (round, cond, word) in [
            ("", "set: {tag: t}", "override string"),
            (", round: 0.5", "exclude: {o: [b, c]}", "found in"),
        ] {
            std::fs::write(
                dir.join("hyperherd.yaml"),
                format!(
                    "name: s\ngrid: random\nsamples: 8\nlauncher: ./launch.sh\nslurm: {{partition: p}}\n\
                     static_overrides: [data={long}]\n\
                     parameters:\n  lr: {{type: continuous, low: 0, high: 1{round}}}\n  o: {{type: discrete, values: [a, b, c]}}\n\
                     conditions:\n  - when: {{o: b}}\n    {cond}\n"
                ),
            )
            .unwrap();
            let cfg = crate::config::load(Some(&dir)).unwrap();
            let general = expand(&cfg).unwrap_err().to_string();
            let fast = write_fresh(&cfg, 0, &mut Vec::new())
                .unwrap_err()
                .to_string();
            assert!(general.contains(word), "{general}");
            assert_eq!(fast, general);
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
