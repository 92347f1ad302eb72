//! What `herd-report` draws, gathered from a workspace: the statuses as herd-res
//! reads them (the manifest, with the last sync's SLURM detail; SLURM is not asked),
//! every trial's parameters and summary metrics, its metric streams downsampled for
//! drawing, the objective the trials are ranked by, and the failed trials' log tails.
//! A plain record: the drawing (`report/`) reads no sweep file.

use crate::config::{Config, ParamKind, Scale};
use crate::error::Error;
use crate::model::pin::Pins;
use crate::model::record::Status;
use crate::ops::{plan, sync};
use crate::store::logs;
use crate::store::manifest::ManifestRecord;
use crate::store::results::TrialResults;
use crate::store::workspace::Workspace;
use crate::text::value::Value;
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// At most this many points of one trial's curve are drawn.
pub const MAX_POINTS: usize = 120;
/// At most this many failed trials get their logs' tails in the report.
pub const MAX_FAILURES: usize = 50;

/// What to gather.
#[derive(Debug, Default)]
pub struct Options {
    /// `--sort [-]METRIC`: the objective's metric, and true for descending.
    pub sort: Option<(String, bool)>,
    /// `--top K`: how many of the best trials are highlighted.
    pub top: usize,
    /// Lines of each log of a failed trial.
    pub log_lines: usize,
    /// `-s`: only trials with these statuses (empty: all).
    pub statuses: Vec<Status>,
}

/// Where the objective came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `--sort`.
    Flag,
    /// The `successive_halving:` block.
    Halving,
    /// The first summary metric (ascending).
    FirstSummary,
    /// No summary metric: the first streamed one's last value (ascending).
    FirstStream,
}

/// The metric the trials are ranked by.
#[derive(Clone, Debug)]
pub struct Objective {
    /// The metric's name.
    pub metric: String,
    /// Higher is better.
    pub maximize: bool,
    /// The value is the stream's last value (no summary metric of that name).
    pub from_stream: bool,
    /// Where the choice came from.
    pub source: Source,
}

/// A parameter as the axes need it.
#[derive(Clone, Debug)]
pub struct Param {
    /// Its name.
    pub name: String,
    /// `scale: log`.
    pub log: bool,
    /// A discrete parameter's values, in config order (a categorical axis).
    pub categories: Option<Vec<Value>>,
}

/// One trial's row.
#[derive(Clone, Debug)]
pub struct Row {
    /// The trial index.
    pub index: u64,
    /// Its herd status word.
    pub status: String,
    /// Its experiment name.
    pub name: String,
    /// Parameter values, in [`Report::params`] order.
    pub params: Vec<Option<Value>>,
    /// Summary metric values, in [`Report::metrics`] order.
    pub metrics: Vec<Option<Value>>,
    /// The objective's value (None when missing or not a number).
    pub objective: Option<f64>,
}

/// One trial's curve of one stream: (step, value), finite values only, downsampled.
#[derive(Clone, Debug)]
pub struct Curve {
    /// The trial index.
    pub index: u64,
    /// The points, by step.
    pub points: Vec<(f64, f64)>,
}

/// Every trial's curve of one streamed metric.
#[derive(Clone, Debug)]
pub struct Stream {
    /// The metric's name.
    pub name: String,
    /// One curve per trial that logged it, in row order.
    pub curves: Vec<Curve>,
}

/// A failed trial and the end of its logs.
#[derive(Clone, Debug)]
pub struct Failure {
    /// The trial index.
    pub index: u64,
    /// Its experiment name.
    pub name: String,
    /// SLURM's state at the last sync (`TIMEOUT`, `OUT_OF_MEMORY`, …), if known.
    pub slurm_state: Option<String>,
    /// The exit code, if known.
    pub exit_code: Option<i64>,
    /// Each log that exists: its path and last lines.
    pub logs: Vec<(String, Vec<String>)>,
}

/// Everything the report shows.
#[derive(Clone, Debug)]
pub struct Report {
    /// The sweep's name.
    pub sweep: String,
    /// The workspace directory.
    pub workspace: String,
    /// Trials per status word, in herd-status's order, then unknown words.
    pub counts: Vec<(String, usize)>,
    /// The parameters, in config order.
    pub params: Vec<Param>,
    /// The summary metrics, first seen scanning the trials in index order.
    pub metrics: Vec<String>,
    /// The streamed metrics, by name.
    pub streams: Vec<Stream>,
    /// The objective, if any metric is logged.
    pub objective: Option<Objective>,
    /// Every shown trial, best first (missing and NaN objectives last, by index).
    pub rows: Vec<Row>,
    /// The indices of the `--top` best trials, best first.
    pub top: Vec<u64>,
    /// Failed trials (at most [`MAX_FAILURES`]), by index.
    pub failures: Vec<Failure>,
    /// How many failed trials are not in `failures`.
    pub failures_omitted: usize,
    /// Results that could not be read (each is also left out of the report).
    pub problems: Vec<String>,
}

/// Reduce a curve to at most `max` points: per bucket of consecutive points, its
/// lowest and highest value in step order, so spikes stay visible.
pub fn downsample(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max || max < 4 {
        return points.to_vec();
    }
    let buckets = max / 2;
    let mut out = Vec::with_capacity(max);
    for b in 0..buckets {
        let lo = b * points.len() / buckets;
        let hi = ((b + 1) * points.len() / buckets).max(lo + 1);
        let part = &points[lo..hi];
        let (mut imin, mut imax) = (0, 0);
        for (k, p) in part.iter().enumerate() {
            if p.1 < part[imin].1 {
                imin = k;
            }
            if p.1 > part[imax].1 {
                imax = k;
            }
        }
        let (a, z) = if imin <= imax {
            (imin, imax)
        } else {
            (imax, imin)
        };
        out.push(part[a]);
        if z != a {
            out.push(part[z]);
        }
    }
    out
}

/// Rank two objective values: better first, missing last.
fn rank(a: Option<f64>, b: Option<f64>, maximize: bool) -> Ordering {
    match (a, b) {
        (Some(x), Some(y)) => {
            let o = x.partial_cmp(&y).unwrap_or(Ordering::Equal);
            if maximize {
                o.reverse()
            } else {
                o
            }
        }
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// A finite number, else None.
fn finite(v: Option<&Value>) -> Option<f64> {
    v.and_then(Value::as_number).filter(|x| x.is_finite())
}

/// One stream of a trial as read: its name, its finite points, its last value.
type ReadStream = (String, Vec<(f64, f64)>, Option<Value>);

/// What one trial's results gave.
struct Read {
    summary: crate::text::value::Assoc,
    streams: Vec<ReadStream>,
}

fn read_trial(ws: &Workspace, index: u64) -> Result<Read, Error> {
    let t = TrialResults::new(ws, index);
    let summary = t.read_summary()?.unwrap_or_default();
    let mut streams = Vec::new();
    if t.has_streams() {
        for name in t.stream_names()? {
            let pts = t.read_stream(&name)?;
            let last = pts.last().map(|p| p.value.clone());
            let finite: Vec<(f64, f64)> = pts
                .iter()
                .filter_map(|p| {
                    let v = p.value.as_number().filter(|x| x.is_finite())?;
                    Some((p.step as f64, v))
                })
                .collect();
            streams.push((name, finite, last));
        }
    }
    Ok(Read { summary, streams })
}

/// Gather the report of the sweep `cfg`.
pub fn gather(cfg: &Config, pins: &Pins, opts: &Options) -> Result<Report, Error> {
    let ws = Workspace::new(&cfg.workspace);
    let all: Vec<ManifestRecord> = match ws.read_manifest()? {
        Some(m) => m,
        None => plan::load(cfg)?.plan.records,
    };
    let mut records: Vec<&ManifestRecord> = all
        .iter()
        .filter(|r| pins.matches(&r.params))
        .filter(|r| opts.statuses.is_empty() || opts.statuses.contains(&r.status))
        .collect();
    records.sort_by_key(|r| r.index);

    let mut counts: Vec<(String, usize)> = Vec::new();
    for r in &records {
        let w = r.status.as_str();
        match counts.iter_mut().find(|(s, _)| s == w) {
            Some(c) => c.1 += 1,
            None => counts.push((w.to_string(), 1)),
        }
    }
    let order = |s: &str| Status::KNOWN.iter().position(|k| *k == s).unwrap_or(99);
    counts.sort_by(|a, b| order(&a.0).cmp(&order(&b.0)).then(a.0.cmp(&b.0)));

    let params: Vec<Param> = cfg
        .parameters
        .iter()
        .map(|p| match &p.kind {
            ParamKind::Discrete { values, .. } => Param {
                name: p.name.clone(),
                log: false,
                categories: Some(values.clone()),
            },
            ParamKind::Continuous { scale, .. } => Param {
                name: p.name.clone(),
                log: *scale == Scale::Log,
                categories: None,
            },
        })
        .collect();

    let mut problems = Vec::new();
    let mut reads: Vec<Option<Read>> = Vec::with_capacity(records.len());
    for r in &records {
        match read_trial(&ws, r.index) {
            Ok(x) => reads.push(Some(x)),
            Err(e) => {
                problems.push(e.to_string());
                reads.push(None);
            }
        }
    }
    let mut metrics: Vec<String> = Vec::new();
    let mut stream_names = BTreeSet::new();
    for x in reads.iter().flatten() {
        for (k, _) in x.summary.iter() {
            if !metrics.iter().any(|m| m == k) {
                metrics.push(k.to_string());
            }
        }
        for (n, _, _) in &x.streams {
            stream_names.insert(n.clone());
        }
    }

    let objective = choose_objective(cfg, opts, &metrics, &stream_names)?;
    let mut rows: Vec<Row> = records
        .iter()
        .zip(&reads)
        .map(|(r, x)| {
            let value = |name: &str, stream: bool| -> Option<f64> {
                let x = x.as_ref()?;
                if stream {
                    let s = x.streams.iter().find(|s| s.0 == name)?;
                    finite(s.2.as_ref())
                } else {
                    finite(x.summary.get(name))
                }
            };
            Row {
                index: r.index,
                status: r.status.as_str().to_string(),
                name: r.experiment_name.clone().unwrap_or_default(),
                params: params
                    .iter()
                    .map(|p| r.params.get(&p.name).cloned())
                    .collect(),
                metrics: metrics
                    .iter()
                    .map(|m| x.as_ref().and_then(|x| x.summary.get(m)).cloned())
                    .collect(),
                objective: objective
                    .as_ref()
                    .and_then(|o| value(&o.metric, o.from_stream)),
            }
        })
        .collect();
    if let Some(o) = &objective {
        rows.sort_by(|a, b| rank(a.objective, b.objective, o.maximize).then(a.index.cmp(&b.index)));
    }
    let top: Vec<u64> = rows
        .iter()
        .filter(|r| r.objective.is_some())
        .take(opts.top)
        .map(|r| r.index)
        .collect();

    // Curves in row order, so the best are drawn last (on top).
    let position: std::collections::BTreeMap<u64, usize> =
        rows.iter().enumerate().map(|(k, r)| (r.index, k)).collect();
    let mut streams: Vec<Stream> = stream_names
        .iter()
        .map(|n| Stream {
            name: n.clone(),
            curves: Vec::new(),
        })
        .collect();
    for (r, x) in records.iter().zip(reads) {
        for (name, pts, _) in x.map(|x| x.streams).unwrap_or_default() {
            if let Some(s) = streams.iter_mut().find(|s| s.name == name) {
                if !pts.is_empty() {
                    s.curves.push(Curve {
                        index: r.index,
                        points: downsample(&pts, MAX_POINTS),
                    });
                }
            }
        }
    }
    for s in &mut streams {
        s.curves
            .sort_by_key(|c| std::cmp::Reverse(position[&c.index]));
    }

    let failed: Vec<&&ManifestRecord> = records
        .iter()
        .filter(|r| r.status == Status::Failed)
        .collect();
    let jobs = if failed.is_empty() {
        Vec::new()
    } else {
        ws.read_job_ids().unwrap_or_else(|e| {
            problems.push(e.to_string());
            Vec::new()
        })
    };
    let latest = sync::latest_jobs(&jobs);
    let details = crate::store::cache::read_cache(&ws);
    let mut failures = Vec::new();
    for r in failed.iter().take(MAX_FAILURES) {
        let mut rec = plan::record(cfg, r);
        sync::apply_detail(&mut rec, &details, &latest);
        let mut tails = Vec::new();
        for path in [
            logs::stdout_path(&ws, r.index),
            logs::stderr_path(&ws, r.index),
        ] {
            match logs::last_lines(&path, opts.log_lines) {
                Ok(Some(lines)) => tails.push((path.display().to_string(), lines)),
                Ok(None) => {}
                Err(e) => problems.push(e.to_string()),
            }
        }
        failures.push(Failure {
            index: r.index,
            name: r.experiment_name.clone().unwrap_or_default(),
            slurm_state: rec.slurm_state,
            exit_code: rec.exit_code,
            logs: tails,
        });
    }

    Ok(Report {
        sweep: cfg.name.clone(),
        workspace: cfg.workspace.display().to_string(),
        counts,
        params,
        metrics,
        streams,
        objective,
        rows,
        top,
        failures_omitted: failed.len().saturating_sub(MAX_FAILURES),
        failures,
        problems,
    })
}

/// The objective: `--sort`, else the halving block's, else the first summary metric,
/// else the first streamed one. An unknown `--sort` metric is a usage error.
fn choose_objective(
    cfg: &Config,
    opts: &Options,
    metrics: &[String],
    streams: &BTreeSet<String>,
) -> Result<Option<Objective>, Error> {
    let summary = |m: &str| metrics.iter().any(|x| x == m);
    if let Some((m, desc)) = &opts.sort {
        if !summary(m) && !streams.contains(m) {
            let mut known: Vec<&str> = metrics.iter().map(String::as_str).collect();
            known.extend(streams.iter().filter(|s| !summary(s)).map(String::as_str));
            let avail = if known.is_empty() {
                "no metrics are logged yet".to_string()
            } else {
                format!("metrics: {}", known.join(", "))
            };
            return Err(Error::usage(format!(
                "--sort: unknown metric '{m}' ({avail})"
            )));
        }
        return Ok(Some(Objective {
            metric: m.clone(),
            maximize: *desc,
            from_stream: !summary(m),
            source: Source::Flag,
        }));
    }
    if let Some(h) = &cfg.successive_halving {
        if summary(&h.metric) || streams.contains(&h.metric) {
            return Ok(Some(Objective {
                metric: h.metric.clone(),
                maximize: h.maximize,
                from_stream: !summary(&h.metric),
                source: Source::Halving,
            }));
        }
    }
    Ok(if let Some(m) = metrics.first() {
        Some(Objective {
            metric: m.clone(),
            maximize: false,
            from_stream: false,
            source: Source::FirstSummary,
        })
    } else {
        streams.iter().next().map(|m| Objective {
            metric: m.clone(),
            maximize: false,
            from_stream: true,
            source: Source::FirstStream,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn downsampling_keeps_extremes_and_order() {
        let pts: Vec<(f64, f64)> = (0..1000)
            .map(|i| (i as f64, if i == 537 { 100.0 } else { (i % 7) as f64 }))
            .collect();
        let d = downsample(&pts, 120);
        assert!(d.len() <= 120, "{}", d.len());
        assert!(d.contains(&(537.0, 100.0)), "the spike survives");
        assert!(d.windows(2).all(|w| w[0].0 < w[1].0), "steps stay ordered");
        assert_eq!(downsample(&pts[..50], 120).len(), 50);
    }

    #[test]
    fn ranking_puts_missing_last_both_ways() {
        let mut v = [Some(2.0), None, Some(1.0), Some(3.0)];
        v.sort_by(|a, b| rank(*a, *b, false));
        assert_eq!(v, [Some(1.0), Some(2.0), Some(3.0), None]);
        v.sort_by(|a, b| rank(*a, *b, true));
        assert_eq!(v, [Some(3.0), Some(2.0), Some(1.0), None]);
    }
}
