//! A fresh product sweep's records, assembled from per-value text fragments.
//!
//! `herd-expand` on a sweep that has never been submitted (`grid: all`, no
//! conditions) does not need a value tree per trial: every piece of every record
//! (the name token, the override word, the hash's JSON entry, the record's params
//! entry) depends on one parameter's value only, so each is made once per value and
//! a trial is a row of indices into those tables. A record is then a few copies and
//! one SHA-1. [`Fresh::new`] declines (returns `None`) whenever the general path
//! could answer differently (dedupe could drop a row, two rows could share a name,
//! the sweep is empty or too big); a property test holds the two paths to the same
//! bytes. A sweep with conditions that force nothing is written from the same
//! tables by [`Conditioned`].

use crate::config::{Config, Grid};
use crate::model::expand::{check_size, distinct_axes, values_of, MAX_TRIALS};
use crate::model::naming::{override_string, Namer, MAX_OVERRIDE_BYTES};
use crate::model::ndjson;
use crate::model::record::Status;
use crate::store::workspace::MAX_INDEX;
use crate::text::fxhash::FxHashSet;
use crate::text::pyjson;
use crate::text::sha1::sha1_hex;
use crate::text::value::{Assoc, Value};
use std::io::Write;

mod conditioned;
pub use conditioned::Conditioned;

/// The text of one value of one parameter, in each place a record uses it.
struct Frags {
    /// `abbrev-token` (a piece of `experiment_name`).
    name: String,
    /// `name=value` (a word of the override string).
    over: String,
    /// `"name": value` (an entry of the trial hash's Python JSON).
    hash: String,
    /// `"name":value` (an entry of the record's `params`).
    json: Vec<u8>,
    /// `\n      "name": value` (an entry of `params` in `manifest.json`).
    manifest: String,
}

/// A fresh `grid: all` sweep, ready to be written.
pub struct Fresh {
    /// Per parameter (config order), the fragments of each of its values.
    axes: Vec<Vec<Frags>>,
    /// Axis positions in the hash's (sorted-key) order.
    hash_order: Vec<usize>,
    statics: Vec<String>,
    sweep: String,
    workspace: String,
    total: u64,
    /// The longest override string of a trial, extras aside.
    longest: usize,
}

/// `text` without its first and last character (a one-entry map's braces).
fn inner(text: &str) -> &str {
    &text[1..text.len() - 1]
}

impl Fresh {
    /// The fragment tables of `cfg`, or `None` when the general path must run.
    pub fn new(cfg: &Config) -> Option<Fresh> {
        if !cfg.conditions.is_empty() {
            return None;
        }
        Fresh::tables(cfg)
    }

    /// The fragment tables of `cfg`'s `grid: all` product, conditions aside (see
    /// [`conditioned`] for a sweep that has some).
    fn tables(cfg: &Config) -> Option<Fresh> {
        if !matches!(cfg.grid, Grid::All) || cfg.parameters.is_empty() {
            return None;
        }
        // A sweep too big is refused by the general path, before any value is built.
        check_size(cfg).ok()?;
        let lists: Vec<Vec<Value>> = cfg.parameters.iter().map(values_of).collect();
        let mut total: u64 = 1;
        for l in &lists {
            total = total.saturating_mul(l.len() as u64);
        }
        if total == 0 || total > MAX_TRIALS || !distinct_axes(&lists) {
            return None;
        }
        let namer = Namer::new(cfg);
        let mut axes = Vec::with_capacity(lists.len());
        // The longest override string any trial gets: the longest piece of each axis.
        let mut longest = "experiment_name=".len() - 1;
        for s in &cfg.static_overrides {
            longest += 1 + s.len();
        }
        for (p, list) in cfg.parameters.iter().zip(&lists) {
            let mut frags: Vec<Frags> = Vec::with_capacity(list.len());
            let mut names: FxHashSet<String> = FxHashSet::default();
            for v in list {
                let one = Assoc(vec![(p.name.clone(), v.clone())]);
                let name = namer.name(&one);
                // Names are unique only if each value has its own token and no token
                // holds the separator '_' (then a name spells its tokens one way).
                let token = &name[p.token().len() + 1..];
                if token.contains('_') || !names.insert(name.clone()) {
                    return None;
                }
                let mut hash = String::new();
                pyjson::write_compact_map(&mut hash, &one, true);
                let mut json = Vec::new();
                ndjson::write_value(&mut json, &Value::Map(one.clone()));
                // As the manifest writer lays it out: `{` ENTRY `\n    }`.
                let mut laid = String::new();
                pyjson::write_indented_map(&mut laid, &one, MANIFEST_PARAMS_LEVEL);
                let close = laid.rfind('\n').unwrap_or(1);
                frags.push(Frags {
                    over: override_string("", &one, &[], &Assoc::new()),
                    hash: inner(&hash).to_string(),
                    json: json[1..json.len() - 1].to_vec(),
                    manifest: laid[1..close].to_string(),
                    name,
                });
            }
            longest += frags
                .iter()
                .map(|f| 2 + f.name.len() + f.over.len())
                .max()
                .unwrap_or(0);
            axes.push(frags);
        }
        // The general path names the trial whose override string is too long.
        if longest > MAX_OVERRIDE_BYTES {
            return None;
        }
        let mut hash_order: Vec<usize> = (0..cfg.parameters.len()).collect();
        hash_order.sort_by(|&a, &b| cfg.parameters[a].name.cmp(&cfg.parameters[b].name));
        Some(Fresh {
            axes,
            hash_order,
            statics: cfg.static_overrides.clone(),
            sweep: cfg.name.clone(),
            workspace: cfg.workspace.display().to_string(),
            total,
            longest,
        })
    }

    /// How many trials the sweep has.
    pub fn count(&self) -> u64 {
        self.total
    }

    /// Write every trial's record as an NDJSON line, indices from `first_index`, in
    /// the general path's order (the last parameter varies fastest).
    pub fn write(&self, first_index: u64, out: &mut impl Write) -> std::io::Result<()> {
        self.write_rows(out, |n| (first_index + n, &Status::Ready, None))
    }

    /// Write the records of a submitted sweep whose manifest holds exactly these
    /// trials (see [`Fresh::stored`]): stored index and status, everything else as a
    /// fresh record has it (which is what the manifest says, byte for byte; the hashes
    /// were computed and compared while reading it, so they are not computed again).
    pub fn write_stored(&self, stored: &Stored, out: &mut impl Write) -> std::io::Result<()> {
        self.write_rows(out, |n| {
            let (index, status) = &stored.trials[n as usize];
            let at = n as usize * HASH_LEN;
            (*index, status, Some(&stored.hashes[at..at + HASH_LEN]))
        })
    }

    /// Write every trial, `row_of` giving its index, status and (when known) hash.
    fn write_rows<'s>(
        &self,
        out: &mut impl Write,
        row_of: impl Fn(u64) -> (u64, &'s Status, Option<&'s str>),
    ) -> std::io::Result<()> {
        let mut rows = Rows::new(self);
        let mut line: Vec<u8> = Vec::with_capacity(1024);
        let mut over = String::new();
        let mut params: Vec<&[u8]> = Vec::with_capacity(self.axes.len());
        let no_extras = Assoc::new();
        for n in 0..self.total {
            rows.advance(self);
            let (index, status, known) = row_of(n);
            let hash = match known {
                Some(h) => h,
                None => {
                    rows.hash(self, &no_extras);
                    &rows.digest[..HASH_LEN]
                }
            };
            rows.override_start(self, &mut over);
            params.clear();
            params.extend(rows.frags.iter().map(|f| f.json.as_slice()));
            line.clear();
            ndjson::write_planned_line(
                &mut line,
                &ndjson::Head {
                    sweep: &self.sweep,
                    workspace: &self.workspace,
                    index,
                    hash,
                    experiment_name: Some(&rows.name),
                    params: ndjson::Entries::Written(&params),
                    extras: &no_extras,
                    overrides: &over,
                    status,
                },
            );
            out.write_all(&line)?;
        }
        Ok(())
    }

    /// The stored trials of a submitted sweep (index, status, hash of each), when the
    /// manifest (`text`) holds exactly this sweep's trials in its order, each with the
    /// hash, frozen name, `params` (same keys, order and values, laid out as herd and
    /// the reference write them) and empty `extras` the fresh trial has. Then the
    /// general path (reconcile: every stored trial kept, none added) prints just what
    /// [`Fresh::write_stored`] prints. `None` on any difference or anything unusual
    /// (legacy records, other fields' shapes, a parse error): the general path decides.
    pub fn stored(&self, text: &str) -> Option<Stored> {
        // Read record by record, stopping at the first that differs: an edited sweep
        // costs this path little before the general one takes over.
        let mut de = serde_json::Deserializer::from_str(text);
        let rows = serde::Deserializer::deserialize_seq(&mut de, Matcher(self)).ok()?;
        de.end().ok()?;
        Some(rows)
    }
}

/// A submitted sweep's trials as its manifest holds them (see [`Fresh::stored`]).
pub struct Stored {
    /// Index and status of each trial, in order.
    trials: Vec<(u64, Status)>,
    /// Their hashes, [`HASH_LEN`] characters each, one after the other.
    hashes: String,
}

impl Stored {
    /// One past the highest stored index (what the manifest adds to the workspace's
    /// index high-water mark).
    pub fn next_index(&self) -> u64 {
        self.trials.iter().map(|(i, _)| i + 1).max().unwrap_or(0)
    }
}

/// A trial hash: 12 hex digits.
const HASH_LEN: usize = 12;

/// Reads a manifest's records against a [`Fresh`] sweep's trials (see
/// [`Fresh::stored`]); any difference is an error, which ends the read.
struct Matcher<'f>(&'f Fresh);

impl<'de> serde::de::Visitor<'de> for Matcher<'_> {
    type Value = Stored;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("the sweep's trials")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        use serde::de::Error;
        let fresh = self.0;
        let mut rows = Rows::new(fresh);
        let mut params = String::new();
        let n = fresh.total.min(MAX_TRIALS) as usize;
        let mut seen: FxHashSet<u64> = FxHashSet::default();
        seen.reserve(n);
        let mut stored = Stored {
            trials: Vec::with_capacity(n),
            hashes: String::with_capacity(n * HASH_LEN),
        };
        while let Some(r) = seq.next_element::<StoredRow<'de>>()? {
            if stored.trials.len() as u64 == fresh.total {
                return Err(A::Error::custom("more trials than the sweep"));
            }
            rows.advance(fresh);
            params.clear();
            params.push('{');
            for (k, f) in rows.frags.iter().enumerate() {
                if k > 0 {
                    params.push(',');
                }
                params.push_str(&f.manifest);
            }
            params.push_str(MANIFEST_PARAMS_CLOSE);
            if r.experiment_name != rows.name
                || r.params.get() != params
                || r.extras.get() != "{}"
                || r.hash != rows.hash(fresh, &Assoc::new())
            {
                return Err(A::Error::custom("a trial differs"));
            }
            // A null status, an index past the largest or a repeated one: the general
            // path refuses the manifest, naming the record.
            let status = match &r.status {
                None => Status::Ready,
                Some(Some(s)) => Status::parse(s),
                Some(None) => return Err(A::Error::custom("a status that is not a string")),
            };
            if r.index > MAX_INDEX || !seen.insert(r.index) {
                return Err(A::Error::custom("an index past the largest, or repeated"));
            }
            stored.hashes.push_str(&r.hash);
            stored.trials.push((r.index, status));
        }
        if stored.trials.len() as u64 != fresh.total {
            return Err(A::Error::custom("fewer trials than the sweep"));
        }
        Ok(stored)
    }
}

/// Where `params` sits in `manifest.json` (a list of records at level 1): its entries
/// are indented for level 3, its closing brace for level 2.
const MANIFEST_PARAMS_LEVEL: usize = 2;
const MANIFEST_PARAMS_CLOSE: &str = "\n    }";

/// A manifest record read without building values: `params` and `extras` stay text.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct StoredRow<'a> {
    index: u64,
    #[serde(borrow)]
    hash: std::borrow::Cow<'a, str>,
    #[serde(borrow)]
    params: &'a serde_json::value::RawValue,
    #[serde(borrow)]
    extras: &'a serde_json::value::RawValue,
    #[serde(borrow)]
    experiment_name: std::borrow::Cow<'a, str>,
    #[serde(borrow, default, deserialize_with = "crate::store::manifest::present")]
    status: Option<Option<std::borrow::Cow<'a, str>>>,
}

/// The trials of a [`Fresh`] sweep in order: an odometer over the axes (the last
/// parameter varies fastest), the current trial's fragments and name, and its hash
/// when asked for.
struct Rows<'f> {
    row: Vec<usize>,
    started: bool,
    frags: Vec<&'f Frags>,
    name: String,
    hash_input: String,
    digest: String,
}

impl<'f> Rows<'f> {
    fn new(fresh: &Fresh) -> Rows<'f> {
        Rows {
            row: vec![0; fresh.axes.len()],
            started: false,
            frags: Vec::with_capacity(fresh.axes.len()),
            name: String::new(),
            hash_input: String::new(),
            digest: String::new(),
        }
    }

    /// Move to the next trial (at most `fresh.count()` times): its fragments and name.
    fn advance(&mut self, fresh: &'f Fresh) {
        if self.started {
            // Advance the odometer from the last parameter.
            for k in (0..self.row.len()).rev() {
                self.row[k] += 1;
                if self.row[k] < fresh.axes[k].len() {
                    break;
                }
                self.row[k] = 0;
            }
        }
        self.started = true;
        self.frags.clear();
        self.frags
            .extend(fresh.axes.iter().zip(&self.row).map(|(a, &i)| &a[i]));
        self.name.clear();
        for (k, f) in self.frags.iter().enumerate() {
            if k > 0 {
                self.name.push('_');
            }
            self.name.push_str(&f.name);
        }
    }

    /// Start the current trial's override string in `over` (cleared): its name, each
    /// value's `name=value`, the static overrides.
    fn override_start(&self, fresh: &Fresh, over: &mut String) {
        over.clear();
        over.push_str("experiment_name=");
        over.push_str(&self.name);
        for f in &self.frags {
            over.push(' ');
            over.push_str(&f.over);
        }
        for s in &fresh.statics {
            over.push(' ');
            over.push_str(s);
        }
    }

    /// The current trial's hash ([`HASH_LEN`] hex digits) with `extras`: one SHA-1.
    fn hash(&mut self, fresh: &Fresh, extras: &Assoc) -> &str {
        self.hash_input.clear();
        self.hash_input.push_str("{\"extras\": ");
        pyjson::write_compact_map(&mut self.hash_input, extras, true);
        self.hash_input.push_str(", \"params\": {");
        for (k, &a) in fresh.hash_order.iter().enumerate() {
            if k > 0 {
                self.hash_input.push_str(", ");
            }
            self.hash_input.push_str(&self.frags[a].hash);
        }
        self.hash_input.push_str("}}");
        self.digest = sha1_hex(self.hash_input.as_bytes());
        &self.digest[..HASH_LEN]
    }
}

/// The records of `records` as the general path prints them (NDJSON lines): what
/// each fragment writer's tests compare against.
#[cfg(test)]
pub(crate) fn general_lines(
    cfg: &Config,
    records: Vec<crate::model::record::ManifestRecord>,
) -> String {
    let mut out = Vec::new();
    for r in records {
        crate::model::ndjson::write_record(&mut out, &crate::ops::plan::into_record(cfg, r));
        out.push(b'\n');
    }
    String::from_utf8(out).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testrng::XorShift;

    /// A random small sweep: 1-4 parameters of every kind, values chosen to collide
    /// (1 and 1.0, labels, 4-digit names), to hold separators and characters JSON and
    /// shells escape, with abbrevs, static overrides and sometimes another grid mode.
    pub(super) fn random_yaml(rng: &mut XorShift) -> String {
        const POOL: &[&str] = &[
            "1",
            "2",
            "1.0",
            "0.5",
            "-3",
            "1e-05",
            "1.00001",
            "1.00002",
            "abc",
            "'a_b'",
            "'x|y'",
            "'k=v'",
            "'a-b'",
            "'quote\"d'",
            "'ü'",
            "true",
            "false",
            "0.1",
            "9007199254740993",
            "'007'",
            "7",
            "'$(id)'",
        ];
        let mut y = String::from("name: prop\nlauncher: ./launch.sh\nslurm: {partition: p}\n");
        y.push_str("grid: all\n");
        if rng.below(3) == 0 {
            y.push_str("static_overrides: [data.root=/d, 'x=a b']\n");
        }
        y.push_str("parameters:\n");
        // Names out of sorted order, so the hash's key order differs from the record's.
        let mut names = vec!["zeta", "lr", "b", "m_n", "a"];
        for _ in 0..1 + rng.below(4) {
            let name = names.remove(rng.below(names.len()));
            let abbrev = match rng.below(4) {
                0 => ", abbrev: a_b",
                1 => ", abbrev: x.y",
                _ => "",
            };
            let default = "";
            match rng.below(3) {
                0 => {
                    let (lo, hi) =
                        [("1.0e-4", "1.0e-1"), ("0.5", "1.0"), ("1", "1000")][rng.below(3)];
                    let scale = if rng.below(2) == 0 { "log" } else { "linear" };
                    let steps = 1 + rng.below(5);
                    y.push_str(&format!(
                        "  {name}: {{type: continuous, low: {lo}, high: {hi}, scale: {scale}, steps: {steps}{abbrev}{default}}}\n"
                    ));
                }
                _ => {
                    let n = 1 + rng.below(4);
                    let vals: Vec<&str> = (0..n).map(|_| POOL[rng.below(POOL.len())]).collect();
                    let labels = if rng.below(4) == 0 {
                        let l: Vec<String> = (0..n).map(|k| format!("l{k}")).collect();
                        format!(", labels: [{}]", l.join(", "))
                    } else {
                        String::new()
                    };
                    y.push_str(&format!(
                        "  {name}: {{type: discrete, values: [{}]{labels}{abbrev}{default}}}\n",
                        vals.join(", ")
                    ));
                }
            }
        }
        y
    }

    #[test]
    fn a_sweep_whose_names_could_collide_is_left_to_the_general_path() {
        let dir = std::env::temp_dir().join(format!("herd-fragcol-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("launch.sh"), "#!/bin/bash\n").unwrap();
        // p=1_q-2,q=3 and p=1,q=2_q-3 are both named p-1_q-2_q-3.
        std::fs::write(
            dir.join("hyperherd.yaml"),
            "name: c\nlauncher: ./launch.sh\nslurm: {partition: p}\ngrid: all\nparameters:\n  p: {type: discrete, values: ['1_q-2', '1']}\n  q: {type: discrete, values: ['3', '2_q-3']}\n",
        )
        .unwrap();
        let cfg = crate::config::load(Some(&dir)).unwrap();
        assert!(Fresh::new(&cfg).is_none());
        let err = crate::ops::plan::load(&cfg).unwrap_err().to_string();
        assert!(
            err.contains("share the experiment name 'p-1_q-2_q-3'"),
            "{err}"
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn fragments_write_exactly_what_the_general_path_writes() {
        let dir = std::env::temp_dir().join(format!("herd-fragments-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("launch.sh"), "#!/bin/bash\n").unwrap();
        // HERD_PROP_SWEEPS=N HERD_PROP_SEED=S searches longer; fewer by default under
        // emulation (make test-aarch64 runs this under qemu, ~15x slower).
        let env = |k: &str| std::env::var(k).ok().and_then(|s| s.parse::<u64>().ok());
        let mut rng = XorShift(env("HERD_PROP_SEED").unwrap_or(2026).max(1));
        let (mut fast, mut declined) = (0, 0);
        let (mut submitted_fast, mut submitted_declined) = (0, 0);
        let n = env("HERD_PROP_SWEEPS").unwrap_or(if cfg!(target_arch = "x86_64") {
            3000
        } else {
            600
        }) as usize;
        for _ in 0..n {
            let yaml = random_yaml(&mut rng);
            std::fs::write(dir.join("hyperherd.yaml"), &yaml).unwrap();
            // The generator writes valid configs; one the loader refuses is skipped.
            let Ok(cfg) = crate::config::load(Some(&dir)) else {
                continue;
            };
            let Some(f) = Fresh::new(&cfg) else {
                declined += 1;
                continue;
            };
            fast += 1;
            let mut ours = Vec::new();
            f.write(0, &mut ours).unwrap();
            let sweep = crate::ops::plan::load(&cfg).unwrap_or_else(|e| {
                panic!("the general path refused what fragments took: {e}\n{yaml}")
            });
            assert_eq!(sweep.generated as u64, f.count(), "{yaml}");
            let stored = sweep.plan.records.clone();
            assert_eq!(
                String::from_utf8(ours).unwrap(),
                general_lines(&cfg, sweep.plan.records),
                "{yaml}"
            );
            // The same sweep submitted: its manifest as herd writes it, sometimes
            // edited the way later runs or hands do.
            let edit = rng.below(12);
            let (took, want) = submitted_agrees(&dir, &cfg, &f, stored, edit, &mut rng);
            if took {
                submitted_fast += 1;
            } else {
                submitted_declined += 1;
            }
            if let Some(want) = want {
                assert_eq!(took, want, "edit {edit} of\n{yaml}");
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        // Both outcomes must be common, or the test proves little.
        assert!(
            fast > n / 6 && declined > n / 10,
            "fast {fast}, declined {declined}"
        );
        assert!(
            submitted_fast > fast / 4 && submitted_declined > fast / 4,
            "submitted: fast {submitted_fast}, declined {submitted_declined}"
        );
    }

    /// Write `stored` (after `edit`) as the manifest of the sweep in `dir`, then hold
    /// [`Fresh::stored`] + [`Fresh::write_stored`] to the general path's records.
    /// Returns whether fragments took it, and whether they must (None: either way).
    fn submitted_agrees(
        dir: &std::path::Path,
        cfg: &Config,
        f: &Fresh,
        mut stored: Vec<crate::store::manifest::ManifestRecord>,
        edit: usize,
        rng: &mut XorShift,
    ) -> (bool, Option<bool>) {
        let k = rng.below(stored.len());
        let must = match edit {
            // Statuses and indices are the manifest's own: still exactly this sweep.
            0..=3 => {
                for r in stored.iter_mut() {
                    // Every known status, and one herd does not know.
                    let pick = rng.below(Status::KNOWN.len() + 1);
                    r.status = Status::parse(Status::KNOWN.get(pick).unwrap_or(&"weird"));
                }
                Some(true)
            }
            4 => {
                for r in stored.iter_mut() {
                    r.index = r.index * 3 + 7;
                }
                Some(true)
            }
            // A frozen name from an older config.
            5 => {
                stored[k].experiment_name = Some(format!("old-{k}"));
                Some(false)
            }
            6 => {
                stored[k].hash = "0123456789ab".into();
                Some(false)
            }
            7 if stored.len() > 1 => {
                stored.swap(0, k.max(1));
                Some(false)
            }
            8 => {
                stored.pop();
                Some(false)
            }
            9 => {
                stored[k].extras.insert("note", Value::Int(1));
                Some(false)
            }
            10 if stored[k].params.len() > 1 => {
                stored[k].params.0.reverse();
                Some(false)
            }
            _ => None,
        };
        let ws = crate::store::workspace::Workspace::new(dir);
        ws.create_dirs().unwrap();
        ws.write_manifest(&stored).unwrap();
        let text = ws.read_manifest_text().unwrap().unwrap();
        let took = match f.stored(&text) {
            Some(rows) => {
                let mut ours = Vec::new();
                f.write_stored(&rows, &mut ours).unwrap();
                let mut theirs = Vec::new();
                for r in crate::ops::plan::load(cfg).unwrap().plan.records {
                    ndjson::write_record(&mut theirs, &crate::ops::plan::into_record(cfg, r));
                    theirs.push(b'\n');
                }
                assert_eq!(
                    String::from_utf8(ours).unwrap(),
                    String::from_utf8(theirs).unwrap(),
                    "edit {edit}, manifest:\n{text}"
                );
                true
            }
            None => false,
        };
        std::fs::remove_dir_all(ws.dir()).unwrap();
        (took, must)
    }

    #[test]
    fn a_manifest_that_lies_is_left_to_the_general_path_which_refuses_it() {
        let dir = std::env::temp_dir().join(format!("herd-fraglie-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("launch.sh"), "#!/bin/bash\n").unwrap();
        std::fs::write(
            dir.join("hyperherd.yaml"),
            "name: l\nlauncher: ./launch.sh\nslurm: {partition: p}\ngrid: all\nparameters:\n  p: {type: discrete, values: [1, 2, 3]}\n",
        )
        .unwrap();
        let cfg = crate::config::load(Some(&dir)).unwrap();
        let f = Fresh::new(&cfg).unwrap();
        let good = crate::ops::plan::load(&cfg).unwrap().plan.records;
        let ws = crate::store::workspace::Workspace::new(&dir);
        ws.create_dirs().unwrap();
        ws.write_manifest(&good).unwrap();
        let text = ws.read_manifest_text().unwrap().unwrap();
        assert!(f.stored(&text).is_some());
        let lies = [
            // Two records of index 0.
            text.replacen("\"index\": 1,", "\"index\": 0,", 1),
            // A status that is not a string.
            text.replacen("\"status\": \"ready\"", "\"status\": 5", 1),
            text.replacen("\"status\": \"ready\"", "\"status\": null", 1),
            // An index no reader holds.
            text.replacen("\"index\": 1,", "\"index\": 18446744073709551615,", 1),
        ];
        for lie in lies {
            assert_ne!(lie, text);
            assert!(f.stored(&lie).is_none(), "{lie}");
            let e = crate::ops::plan::load_with(&cfg, Some(Some(lie.clone()))).unwrap_err();
            assert_eq!(e.exit_code(), 1, "{e}");
            assert!(
                e.to_string().contains("manifest.json is corrupt: record"),
                "{e}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
