//! The results of a sweep as `herd-res` shows them: which trials (the manifest's, or
//! the planned ones before the first submission; those named by trial records on
//! stdin; pins and statuses), each with its summary metrics and, on request, the
//! latest value of each stream (`NAME@last`), the metric columns in first-seen order,
//! and the sorting of rows. The tool only parses its arguments and renders.

use crate::cli;
use crate::config::Config;
use crate::error::Error;
use crate::model::aggregate::{Group, Grouper};
use crate::model::pin::Pins;
use crate::model::record::Status;
use crate::ops::plan;
use crate::store::manifest::ManifestRecord;
use crate::store::results::{Point, TrialResults};
use crate::store::streams::{parse_stream_raw, RawPoint};
use crate::store::workspace::Workspace;
use crate::text::distance::edit_distance;
use crate::text::pystr::pystr;
use crate::text::value::{Assoc, Value};
use serde::Deserialize;
use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::io;
use std::path::Path;

/// Which trials to show.
#[derive(Debug, Default)]
pub struct Selection {
    /// Only trials whose parameters match these pins.
    pub pins: Pins,
    /// Only trials with one of these statuses (empty: any).
    pub statuses: Vec<Status>,
    /// Show every trial: do not read trial records from stdin even when it is a pipe.
    pub all: bool,
}

/// The trials of `cfg`'s sweep that `sel` selects, in index order. Says on stderr
/// when `results/` holds results of trials the manifest does not have, and when
/// stdin held no trial records.
pub fn select(cfg: &Config, ws: &Workspace, sel: &Selection) -> Result<Vec<ManifestRecord>, Error> {
    // The trials that exist: the manifest's. Before the first submission, the trials
    // the config plans (all ready, no results), so the table still shows the grid.
    let all: Vec<ManifestRecord> = match ws.read_manifest()? {
        Some(m) => {
            note_stray_results(ws, &m);
            m
        }
        None => plan::load(cfg)?.plan.records,
    };
    let wanted = if !sel.all && stdin_has_input() {
        let w = stdin_indices(cfg, &all)?;
        if w.is_empty() {
            warn(
                "warning",
                &"no trial records on stdin, so no rows (use --all to show every trial)",
            );
        }
        Some(w)
    } else {
        None
    };
    let mut records: Vec<ManifestRecord> = all
        .into_iter()
        .filter(|r| {
            sel.pins.matches(&r.params)
                && (sel.statuses.is_empty() || sel.statuses.contains(&r.status))
                && wanted.as_ref().is_none_or(|w| w.contains(&r.index))
        })
        .collect();
    records.sort_by_key(|r| r.index);
    Ok(records)
}

/// One trial with what was read of its results.
#[derive(Debug)]
pub struct Row {
    /// The trial.
    pub rec: ManifestRecord,
    /// Summary metrics, then `NAME@last` entries; `None` when a file was unreadable.
    pub metrics: Option<Assoc>,
    /// How many of `metrics` are summary metrics.
    pub n_summary: usize,
    /// The streams asked for with [`gather`]'s `series`, each as (step, number)
    /// points in step order (None: a value that is not a number); empty when a
    /// stream is missing or the trial's files were unreadable.
    pub series: Vec<Series>,
}

/// A stream as (step, number) points in step order (None: a value that is not a
/// number).
pub type Series = Vec<(i64, Option<f64>)>;

impl Row {
    /// The value of column `key`: a metric when `is_metric`, else a parameter.
    pub fn value(&self, key: &str, is_metric: bool) -> Option<&Value> {
        if is_metric {
            self.metrics.as_ref().and_then(|m| m.get(key))
        } else {
            self.rec.params.get(key)
        }
    }
}

/// The trials with their metrics, and the metric columns.
#[derive(Debug)]
pub struct Results {
    /// One row per trial, in index order until [`Results::sort`].
    pub rows: Vec<Row>,
    /// Summary metrics first seen scanning the rows in index order, then the
    /// `NAME@last` columns in the same way.
    pub metric_names: Vec<String>,
    /// The parameter names, in config order.
    pub param_names: Vec<String>,
    /// How many trials' results could not be read (each reported on stderr).
    pub failures: usize,
}

/// Read the results of `trials` (with `last`, also each stream's latest value; the
/// whole streams named in `series`). A trial whose results cannot be read is
/// reported on stderr and counted; warns when nothing is logged yet.
pub fn gather(
    cfg: &Config,
    ws: &Workspace,
    trials: Vec<ManifestRecord>,
    last: bool,
    series: &[String],
) -> Results {
    let mut failures = 0usize;
    let mut rows: Vec<Row> = Vec::with_capacity(trials.len());
    for rec in trials {
        let read = read_metrics(ws, rec.index, last, series);
        let (metrics, n_summary, series) = match read {
            Ok((m, n, s)) => (Some(m), n, s),
            Err(e) => {
                failures += 1;
                warn("error", &e);
                (None, 0, vec![Vec::new(); series.len()])
            }
        };
        rows.push(Row {
            rec,
            metrics,
            n_summary,
            series,
        });
    }
    let mut metric_names: Vec<String> = Vec::new();
    let mut seen = BTreeSet::new();
    for streams in [false, true] {
        for row in &rows {
            let Some(m) = &row.metrics else { continue };
            let part = if streams {
                &m.0[row.n_summary..]
            } else {
                &m.0[..row.n_summary]
            };
            for (k, _) in part {
                if seen.insert(k.clone()) {
                    metric_names.push(k.clone());
                }
            }
        }
    }
    if metric_names.is_empty() && !rows.is_empty() && failures == 0 {
        let streamed = rows
            .iter()
            .any(|r| TrialResults::new(ws, r.rec.index).has_streams());
        let msg = if streamed {
            "no summary metrics logged yet; --last shows the streamed ones"
        } else {
            "no results logged yet (trials log them with herd-log or hyperherd.log_result)"
        };
        warn("warning", &msg);
    }
    let param_names = cfg.parameters.iter().map(|p| p.name.clone()).collect();
    Results {
        rows,
        metric_names,
        param_names,
        failures,
    }
}

impl Results {
    /// True when `key` names a metric column (else it may be a parameter).
    pub fn is_metric(&self, key: &str) -> bool {
        self.metric_names.iter().any(|m| m == key)
    }

    /// Check that `key` names a metric column or a parameter: a usage error naming
    /// the metrics otherwise (`flag` is the option that named it).
    pub fn check_key(&self, flag: &str, key: &str) -> Result<(), Error> {
        if self.is_metric(key) || self.param_names.iter().any(|p| p == key) {
            return Ok(());
        }
        let avail = if self.metric_names.is_empty() {
            "no metrics are logged yet".to_string()
        } else {
            format!("metrics: {}", self.metric_names.join(", "))
        };
        Err(Error::usage(format!(
            "{flag}: unknown metric '{key}' ({avail})"
        )))
    }

    /// Sort the rows by a metric (or parameter) `key`, descending with `desc`;
    /// missing values and NaN go last both ways (see [`sort_cmp`]).
    pub fn sort(&mut self, key: &str, desc: bool) -> Result<(), Error> {
        self.check_key("--sort", key)?;
        let is_metric = self.is_metric(key);
        self.rows
            .sort_by(|a, b| sort_cmp(a.value(key, is_metric), b.value(key, is_metric), desc));
        Ok(())
    }
}

/// The rows grouped by the values of the parameters `by` (`herd-res --by`), with
/// every metric column's statistics, groups in the order of their first row; a usage
/// error names an unknown parameter.
pub fn group(res: &Results, by: &[String]) -> Result<Vec<Group>, Error> {
    for name in by {
        if !res.param_names.iter().any(|p| p == name) {
            let near = res
                .param_names
                .iter()
                .map(|p| (edit_distance(name, p), p))
                .filter(|(d, _)| *d <= 2)
                .min_by_key(|(d, _)| *d)
                .map(|(_, p)| format!("did you mean '{p}'? "))
                .unwrap_or_default();
            return Err(Error::usage(format!(
                "--by: unknown parameter '{name}' ({near}parameters: {})",
                res.param_names.join(", ")
            )));
        }
    }
    let mut g = Grouper::default();
    for row in &res.rows {
        let key = by.iter().map(|p| row.rec.params.get(p).cloned()).collect();
        let metrics: Vec<Option<&Value>> = res
            .metric_names
            .iter()
            .map(|m| row.metrics.as_ref().and_then(|ms| ms.get(m)))
            .collect();
        g.add(row.rec.index, key, &metrics);
    }
    Ok(g.finish())
}

/// Sort groups by a metric's mean or by one of the grouping parameters `by`,
/// descending with `desc`; groups without a mean (or with a NaN one) go last.
pub fn sort_groups(
    res: &Results,
    by: &[String],
    groups: &mut [Group],
    key: &str,
    desc: bool,
) -> Result<(), Error> {
    if let Some(m) = res.metric_names.iter().position(|m| m == key) {
        let mean = |g: &Group| g.stats[m].mean().map(Value::Float);
        groups.sort_by(|a, b| sort_cmp(mean(a).as_ref(), mean(b).as_ref(), desc));
        return Ok(());
    }
    if let Some(p) = by.iter().position(|p| p == key) {
        groups.sort_by(|a, b| sort_cmp(a.key[p].as_ref(), b.key[p].as_ref(), desc));
        return Ok(());
    }
    let metrics = if res.metric_names.is_empty() {
        "no metrics are logged yet".to_string()
    } else {
        format!("metrics: {}", res.metric_names.join(", "))
    };
    Err(Error::usage(format!(
        "--sort: unknown metric '{key}' ({metrics}; or a --by parameter: {})",
        by.join(", ")
    )))
}

/// A trial's streams as [`render_streams`] hands them over: each name (`/` kept,
/// name order) with its records deduplicated per step and sorted by step as
/// [`TrialResults::read_stream`] reads them, kept as written where they can be
/// ([`RawPoint`]).
pub type TrialStreams<'a> = [(String, Vec<RawPoint<'a>>)];

/// Render the streams of every trial of `trials` with `render` (index, streams), and
/// hand each result to `take` in the order of `trials`. A trial whose streams cannot
/// be read is reported on stderr and skipped; returns how many were.
///
/// Reading, parsing and rendering are most of the work, so with two or more cores
/// they run on worker threads that take trials in turn; this thread only puts the
/// results back in order and hands them on. When `take` fails (a closed pipe), the
/// workers stop at their next trial.
pub fn render_streams<T: Send>(
    ws: &Workspace,
    trials: &[ManifestRecord],
    render: impl Fn(u64, &TrialStreams<'_>) -> T + Sync,
    mut take: impl FnMut(T) -> Result<(), Error>,
) -> Result<usize, Error> {
    let one = |index: u64| -> Result<T, Error> {
        let t = TrialResults::new(ws, index);
        let bytes: Vec<(String, Vec<u8>)> = t
            .stream_names()?
            .into_iter()
            .map(|n| t.read_stream_bytes(&n).map(|b| (n, b)))
            .collect::<Result<_, _>>()?;
        let streams: Vec<(String, Vec<RawPoint<'_>>)> = bytes
            .iter()
            .map(|(n, b)| (n.clone(), parse_stream_raw(b)))
            .collect();
        Ok(render(index, &streams))
    };
    let mut failures = 0;
    let deliver = |done: Result<T, Error>| -> Result<(), Error> {
        match done {
            Ok(t) => take(t),
            Err(e) => {
                failures += 1;
                warn("error", &e);
                Ok(())
            }
        }
    };
    crate::runtime::par::ordered(trials, 4, 64, |rec| one(rec.index), deliver)?;
    Ok(failures)
}

/// How a sort value ranks: numbers, then other values by their text, then missing
/// values and NaN (always last, in index order).
pub fn sort_cmp(a: Option<&Value>, b: Option<&Value>, desc: bool) -> Ordering {
    fn class(v: Option<&Value>) -> (u8, f64, String) {
        match v {
            None | Some(Value::Null) => (2, 0.0, String::new()),
            Some(v) => match v.as_number() {
                Some(x) if x.is_nan() => (2, 0.0, String::new()),
                Some(x) => (0, x, String::new()),
                None => (1, 0.0, pystr(v)),
            },
        }
    }
    let (ca, xa, sa) = class(a);
    let (cb, xb, sb) = class(b);
    let ord = match ca.cmp(&cb) {
        Ordering::Equal => match ca {
            0 => xa.partial_cmp(&xb).unwrap_or(Ordering::Equal),
            1 => sa.cmp(&sb),
            _ => return Ordering::Equal,
        },
        other => return other,
    };
    if desc {
        ord.reverse()
    } else {
        ord
    }
}

/// The part of a trial record `herd-res` needs from stdin.
#[derive(Debug, Deserialize)]
struct StdinRecord {
    index: u64,
    #[serde(default)]
    hash: Option<String>,
    #[serde(default)]
    workspace: Option<String>,
}

/// True when stdin is a pipe or a regular file (not a terminal, not /dev/null).
fn stdin_has_input() -> bool {
    use std::os::fd::AsFd;
    use std::os::unix::fs::FileTypeExt;
    let Ok(fd) = io::stdin().as_fd().try_clone_to_owned() else {
        return false;
    };
    let Ok(md) = std::fs::File::from(fd).metadata() else {
        return false;
    };
    let t = md.file_type();
    t.is_fifo() || t.is_file()
}

fn same_dir(a: &str, b: &Path) -> bool {
    if Path::new(a) == b {
        return true;
    }
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Read trial records from stdin and return the indices they name, checked against
/// the sweep (same workspace, same hash).
fn stdin_indices(cfg: &Config, records: &[ManifestRecord]) -> Result<BTreeSet<u64>, Error> {
    let mut out = BTreeSet::new();
    let stream =
        serde_json::Deserializer::from_reader(io::stdin().lock()).into_iter::<StdinRecord>();
    for (n, rec) in stream.enumerate() {
        let rec = rec.map_err(|e| {
            if e.is_io() {
                Error::json("reading stdin", e)
            } else {
                Error::invalid(format!("stdin record {}: not a trial record: {e}", n + 1))
            }
        })?;
        if let Some(ws) = &rec.workspace {
            if !same_dir(ws, &cfg.workspace) {
                return Err(Error::invalid(format!(
                    "stdin: trial {} is from workspace {ws}, not {}",
                    rec.index,
                    cfg.workspace.display()
                )));
            }
        }
        let Some(r) = records.iter().find(|r| r.index == rec.index) else {
            return Err(Error::invalid(format!(
                "stdin: trial {} is not in the sweep",
                rec.index
            )));
        };
        if let Some(h) = &rec.hash {
            if *h != r.hash {
                return Err(Error::invalid(format!(
                    "stdin: trial {} has hash {h}, but the sweep's trial {} is {}",
                    rec.index, r.index, r.hash
                ))
                .hint("the records are stale; produce them again (herd-status, herd-expand)"));
            }
        }
        out.insert(rec.index);
    }
    Ok(out)
}

/// A stream's points as (step, number): ints and floats are numbers, other values
/// (bools, strings, null) are not.
fn numbers(points: &[Point]) -> Series {
    points
        .iter()
        .map(|p| (p.step, p.value.as_measurement()))
        .collect()
}

/// Report a problem on stderr without stopping.
pub fn warn(kind: &str, msg: &dyn std::fmt::Display) {
    cli::note(&format!("{kind}: {msg}"));
}

/// Say on stderr when `results/` holds results of trials the manifest does not have
/// (`results/99.json`, `results/99/`): they are not shown, and silence would hide them.
fn note_stray_results(ws: &Workspace, manifest: &[ManifestRecord]) {
    let Ok(entries) = std::fs::read_dir(ws.results_dir()) else {
        return;
    };
    let known: BTreeSet<u64> = manifest.iter().map(|r| r.index).collect();
    let stray: BTreeSet<u64> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name();
            let name = name.to_str()?;
            let stem = name.strip_suffix(".json").unwrap_or(name);
            let is_trial = stem.len() < name.len() || e.file_type().ok()?.is_dir();
            let i: u64 = stem.parse().ok().filter(|_| is_trial)?;
            (!known.contains(&i)).then_some(i)
        })
        .collect();
    if stray.is_empty() {
        return;
    }
    const SHOWN: usize = 10;
    let mut list: Vec<String> = stray.iter().take(SHOWN).map(u64::to_string).collect();
    if stray.len() > SHOWN {
        list.push("...".into());
    }
    warn(
        "note",
        &format!(
            "results of {} trial(s) not in the manifest are not shown: {}",
            stray.len(),
            list.join(", ")
        ),
    );
}

/// A trial's summary metrics (with each stream's last value as `name@last` when
/// `last`), how many of them are summary ones, and the points of each of `series`.
/// Each stream is read once, also when it is both a `--last` value and a series.
fn read_metrics(
    ws: &Workspace,
    index: u64,
    last: bool,
    series: &[String],
) -> Result<(Assoc, usize, Vec<Series>), Error> {
    let t = TrialResults::new(ws, index);
    let mut m = t.read_summary()?.unwrap_or_default();
    let n = m.len();
    let mut drawn: Vec<Option<Series>> = vec![None; series.len()];
    if last {
        for name in t.stream_names()? {
            let points = t.read_stream(&name)?;
            if let Some(at) = series.iter().position(|s| *s == name) {
                drawn[at] = Some(numbers(&points));
            }
            if let Some(p) = points.into_iter().last() {
                m.0.push((format!("{name}@last"), p.value));
            }
        }
    }
    let drawn = series
        .iter()
        .zip(drawn)
        .map(|(name, d)| match d {
            Some(points) => Ok(points),
            None => t.read_stream(name).map(|p| numbers(&p)),
        })
        .collect::<Result<Vec<_>, Error>>()?;
    Ok((m, n, drawn))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorting_puts_missing_and_nan_last_both_ways() {
        let vals = [
            Some(Value::Float(0.5)),
            None,
            Some(Value::Float(f64::NAN)),
            Some(Value::Int(2)),
            Some(Value::Str("x".into())),
            Some(Value::Float(-1.0)),
        ];
        let order = |desc: bool| {
            let mut idx: Vec<usize> = (0..vals.len()).collect();
            idx.sort_by(|&a, &b| sort_cmp(vals[a].as_ref(), vals[b].as_ref(), desc));
            idx
        };
        assert_eq!(order(false), vec![5, 0, 3, 4, 1, 2]);
        assert_eq!(order(true), vec![3, 0, 5, 4, 1, 2]);
    }

    /// Enough trials for the worker threads (64 or more): results come back in the
    /// order of `trials` (not index order, not the order workers finish), a trial
    /// whose streams cannot be read is counted and skipped, and a failing `take`
    /// stops the run with its error.
    #[test]
    fn render_streams_keeps_the_order_given_and_stops_when_take_fails() {
        let d = std::env::temp_dir().join(format!("herd-render-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(d.join(".hyperherd")).unwrap();
        let ws = Workspace::new(&d);
        let rec = |index: u64| ManifestRecord {
            index,
            hash: String::new(),
            params: Assoc::default(),
            extras: Assoc::default(),
            experiment_name: None,
            status: Status::Completed,
        };
        // Uneven work (trial i logs i % 7 * 50 steps), shuffled order.
        let order: Vec<u64> = (0..200u64).map(|i| (i * 37) % 200).collect();
        for &i in &order {
            let t = TrialResults::new(&ws, i);
            for step in 0..(i % 7) * 50 {
                t.append_stream("loss", step as i64, &Value::Int(i as i64), 1.0)
                    .unwrap();
            }
        }
        // Trial 13's stream is a symbolic link, which is never followed: unreadable.
        let bad = TrialResults::new(&ws, 13).stream_path("loss");
        std::fs::remove_file(&bad).unwrap();
        std::os::unix::fs::symlink("/etc/hostname", &bad).unwrap();
        let trials: Vec<ManifestRecord> = order.iter().map(|&i| rec(i)).collect();
        let mut seen = Vec::new();
        let failures = render_streams(
            &ws,
            &trials,
            |index, streams| {
                let n: usize = streams.iter().map(|(_, p)| p.len()).sum();
                (index, n)
            },
            |got| {
                seen.push(got);
                Ok(())
            },
        )
        .unwrap();
        let want: Vec<(u64, usize)> = order
            .iter()
            .map(|&i| (i, ((i % 7) * 50) as usize))
            .filter(|(i, _)| *i != 13)
            .collect();
        assert_eq!(failures, 1);
        assert_eq!(seen, want);

        let mut taken = 0;
        let e = render_streams(
            &ws,
            &trials,
            |index, _| index,
            |_| {
                taken += 1;
                if taken == 10 {
                    return Err(Error::failed("closed pipe"));
                }
                Ok(())
            },
        )
        .unwrap_err();
        assert!(e.to_string().contains("closed pipe"));
        assert_eq!(taken, 10);
        let _ = std::fs::remove_dir_all(&d);
    }
}
