//! `herd-expand [WS|FILE]`: print every trial of the sweep. Read-only.

use crate::cli::{self, Output, OutputFlags, Standard};
use crate::config::{self, Config, Grid};
use crate::error::Error;
use crate::model::ndjson;
use crate::model::pin::Pins;
use crate::model::sample::describe_plan;
use crate::ops::fragments::{Conditioned, Fresh};
use crate::ops::plan;
use crate::ops::sampled;
use crate::ops::submit;
use crate::store::manifest::ManifestRecord;
use crate::store::workspace::Workspace;
use crate::text::fxhash::FxHashSet as HashSet;
use crate::text::table::{cell, Align, Table};
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
herd-expand: print every trial of a sweep

Usage: herd-expand [OPTIONS] [WS|FILE]

Arguments:
  [WS|FILE]             the workspace directory (holding hyperherd.yaml) or a config
                        file [default: the nearest of . and its parents that holds
                        hyperherd.yaml]

Options:
  -c, --check           validate the config, print a one-line summary (and the
                        sampling plan of grid: random or sobol), and fail as
                        herd-submit would (launcher, orphaned trials)
  -p, --pin NAME=VALUE  only trials whose parameter NAME equals VALUE (repeatable)
      --json            print NDJSON trial records (the default when piped)
      --table           print a table (the default on a terminal)
  -h, --help            print this help
  -V, --version         print the version

Read-only: when .hyperherd/manifest.json exists, indices, statuses and frozen names
come from it, and trials the config adds show as they would be appended. The table
shows one column per parameter and marks what a config edit does: new, drop
(removed from the manifest on submission), orphan (herd-submit refuses the edit
unless --keep-orphans).

Examples:
  herd-expand --check
  herd-expand ~/sweeps/lr | jq -c 'select(.params.lr < 0.01)' | herd-submit
  herd-expand -p opt=adam --table

Exit status: 0 ok, 1 a workspace file is unreadable or corrupt (--check: the edit
orphans trials), 2 usage or config error (--check: the launcher is missing).
";

#[derive(Debug, Default)]
struct Args {
    output: OutputFlags,
    ws: Option<PathBuf>,
    check: bool,
    pins: cli::Pins,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(
            arg,
            p,
            [&mut Standard(USAGE), &mut args.output, &mut args.pins]
        );
        match arg {
            Short('c') | Long("check") => args.check = true,
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(args)
}

/// Entry point of `herd-expand`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    let cfg = config::load(args.ws.as_deref())?;
    let pins = Pins::parse(&cfg, &args.pins.0)?;
    let mut out = cli::stdout();
    let mode = args.output.output();
    // A product sweep (no conditions) needs no value tree per trial: its records are
    // written from per-value fragments when it was never submitted, or when its
    // manifest holds exactly its trials (a submitted sweep whose config is unchanged).
    let ws = Workspace::new(&cfg.workspace);
    let exists = ws.exists();
    // The manifest's text once read (Some(None): there is none), for either path.
    let mut manifest: Option<Option<String>> = None;
    if let Some(fresh) = (pins.is_empty() && (!exists || (mode == Output::Json && !args.check)))
        .then(|| Fresh::new(&cfg))
        .flatten()
    {
        if !exists {
            if args.check {
                check(&cfg, &[])?;
                writeln!(out, "{}", summary(&cfg, fresh.count() as usize))?;
            } else if mode == Output::Json {
                let first = ws.next_index(&[], &ws.read_job_ids()?)?;
                crate::store::job_ids::check_new_indices(first.saturating_add(fresh.count()))?;
                fresh.write(first, &mut out)?;
            }
            if args.check || mode == Output::Json {
                out.flush()?;
                return Ok(ExitCode::SUCCESS);
            }
        } else {
            manifest = Some(ws.read_manifest_text()?);
            if let Some(stored) = manifest.as_ref().and_then(|t| fresh.stored(t.as_deref()?)) {
                // What the general path reads besides the manifest, so that a
                // corrupt file is reported the same way.
                ws.next_index_after(stored.next_index(), &ws.read_job_ids()?)?;
                fresh.write_stored(&stored, &mut out)?;
                out.flush()?;
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    // A sampled sweep, never submitted: written straight from the sampler. A sweep
    // with conditions, never submitted: from fragments as above, with the conditions
    // applied row by row (when it declines, the general path answers).
    if !exists && pins.is_empty() && mode == Output::Json && !args.check {
        if let Grid::Sample(_) = cfg.grid {
            let first = ws.next_index(&[], &ws.read_job_ids()?)?;
            sampled::write_fresh(&cfg, first, &mut out)?;
            out.flush()?;
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(rows) = Conditioned::new(&cfg) {
            let first = ws.next_index(&[], &ws.read_job_ids()?)?;
            // Too many indices: the general path says so (it knows the exact count).
            if crate::store::job_ids::check_new_indices(first.saturating_add(rows.count())).is_ok()
            {
                rows.write(&cfg, first, &mut out)?;
                out.flush()?;
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
    let sweep = plan::load_with(&cfg, manifest)?;
    if args.check {
        check(&cfg, &sweep.plan.orphans)?;
        writeln!(out, "{}", summary(&cfg, sweep.generated))?;
        for line in describe_plan(&cfg) {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let total = sweep.plan.records.len();
    if mode == Output::Table {
        let rows = rows(&sweep, &pins);
        if rows.is_empty() && !pins.is_empty() {
            return Err(no_match(&pins, total));
        }
        out.write_all(table(&cfg, &rows).as_bytes())?;
        writeln!(out, "\n{}", summary(&cfg, sweep.generated))?;
        for line in legend(&rows) {
            writeln!(out, "{line}")?;
        }
        out.flush()?;
        std::mem::forget(sweep);
        return Ok(ExitCode::SUCCESS);
    }
    let mut shown = 0usize;
    // Records are written as they are made, from the plan's own fields, through one
    // reused line buffer. Trials the edit drops are not records of the sweep: they
    // are left out (herd-submit would skip them).
    let workspace = cfg.workspace.display().to_string();
    let mut line = Vec::with_capacity(1024);
    let mut overrides = String::new();
    for r in sweep
        .plan
        .records
        .iter()
        .filter(|r| pins.matches(&r.params))
    {
        shown += 1;
        overrides.clear();
        plan::push_overrides(&mut overrides, &cfg, r);
        line.clear();
        ndjson::write_planned_line(
            &mut line,
            &ndjson::Head {
                sweep: &cfg.name,
                workspace: &workspace,
                index: r.index,
                hash: &r.hash,
                experiment_name: r.experiment_name.as_deref(),
                params: ndjson::Entries::Map(&r.params),
                extras: &r.extras,
                overrides: &overrides,
                status: &r.status,
            },
        );
        out.write_all(&line)?;
    }
    if shown == 0 && !pins.is_empty() {
        return Err(no_match(&pins, total));
    }
    out.flush()?;
    // The process ends here; the OS takes back a large plan faster than freeing it
    // record by record would.
    std::mem::forget(sweep);
    Ok(ExitCode::SUCCESS)
}

/// `--check` after the config: what herd-submit would refuse. The launcher (exit 2)
/// and an edit that removes running, queued or completed trials (exit 1, judged by
/// the stored statuses: nothing is synced) are errors; a workspace path SLURM cannot
/// hold is a warning, as `herd-submit --local` accepts it.
fn check(cfg: &Config, orphans: &[ManifestRecord]) -> Result<(), Error> {
    submit::preflight(cfg, true)?;
    if let Err(e) = submit::check_slurm_path(cfg) {
        cli::warn(&e, " (herd-submit --local accepts it)");
    }
    if !orphans.is_empty() {
        return Err(submit::orphan_refusal(orphans));
    }
    Ok(())
}

fn no_match(pins: &Pins, total: usize) -> Error {
    Error::invalid(format!(
        "no trials match --pin {} (of {total} total)",
        pins.describe()
    ))
}

/// What the config edit does to a trial, as herd-submit would apply it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Change {
    /// Stored and still generated, or listed from the config alone (no manifest).
    Same,
    /// Generated, not stored: herd-submit appends it.
    New,
    /// Stored, not active, no longer generated: herd-submit removes it.
    Drop,
    /// Stored, active, no longer generated: herd-submit refuses without --keep-orphans.
    Orphan,
}

impl Change {
    fn mark(self) -> &'static str {
        match self {
            Change::Same => "",
            Change::New => "new",
            Change::Drop => "drop",
            Change::Orphan => "orphan",
        }
    }
}

/// The table's rows, by index: the plan's records and (with a manifest) the trials the
/// edit drops, each with what the edit does to it; only those the pins match.
fn rows<'a>(sweep: &'a plan::Sweep, pins: &Pins) -> Vec<(&'a ManifestRecord, Change)> {
    let plan = &sweep.plan;
    let first_new = plan.records.len() - plan.added;
    let orphans: HashSet<(u64, &str)> = plan
        .orphans
        .iter()
        .map(|r| (r.index, r.hash.as_str()))
        .collect();
    let mut rows: Vec<(&ManifestRecord, Change)> = plan
        .records
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let change = if !sweep.had_manifest {
                Change::Same
            } else if k >= first_new {
                Change::New
            } else if orphans.contains(&(r.index, r.hash.as_str())) {
                Change::Orphan
            } else {
                Change::Same
            };
            (r, change)
        })
        .chain(plan.dropped.iter().map(|r| (r, Change::Drop)))
        .filter(|(r, _)| pins.matches(&r.params))
        .collect();
    rows.sort_by_key(|(r, _)| r.index);
    rows
}

/// The table: the CHANGE column only when a row has a mark, then one column per
/// parameter (values as herd-res shows them; numbers right-aligned).
fn table(cfg: &Config, rows: &[(&ManifestRecord, Change)]) -> String {
    let marks = rows.iter().any(|(_, c)| *c != Change::Same);
    let mut heads = vec![("INDEX", Align::Right), ("STATUS", Align::Left)];
    if marks {
        heads.push(("CHANGE", Align::Left));
    }
    heads.extend([("HASH", Align::Left), ("NAME", Align::Left)]);
    for p in &cfg.parameters {
        let numeric = rows
            .iter()
            .filter_map(|(r, _)| r.params.get(&p.name))
            .all(|v| v.as_number().is_some());
        heads.push((&p.name, if numeric { Align::Right } else { Align::Left }));
    }
    let mut table = Table::new(&heads);
    for (r, change) in rows {
        let mut row = vec![r.index.to_string(), r.status.to_string()];
        if marks {
            row.push(change.mark().to_string());
        }
        row.push(r.hash.clone());
        row.push(r.experiment_name.clone().unwrap_or_default());
        for p in &cfg.parameters {
            row.push(
                r.params
                    .get(&p.name)
                    .map_or_else(String::new, |v| cell(v).into_owned()),
            );
        }
        table.push(row);
    }
    table.render()
}

/// One line per kind of mark the rows hold, saying what herd-submit does with them.
fn legend(rows: &[(&ManifestRecord, Change)]) -> Vec<String> {
    let count = |c: Change| rows.iter().filter(|(_, x)| *x == c).count();
    [
        (Change::New, "trial(s) the config edit adds (herd-submit appends them to the manifest)"),
        (Change::Drop, "trial(s) the config no longer generates (herd-submit removes them from the manifest)"),
        (Change::Orphan, "running, queued or completed trial(s) the config no longer generates (herd-submit refuses the edit unless --keep-orphans)"),
    ]
    .into_iter()
    .filter_map(|(c, what)| {
        let n = count(c);
        (n > 0).then(|| format!("{:<8}{n} {what}", format!("{}:", c.mark())))
    })
    .collect()
}

/// `12 trials, 3 parameters (grid: lr, wd)`.
fn summary(cfg: &Config, trials: usize) -> String {
    let grid = match &cfg.grid {
        Grid::All => "grid: all".to_string(),
        Grid::List(names) if names.is_empty() => "grid: [] (defaults only)".to_string(),
        Grid::List(names) => format!("grid: {}", names.join(", ")),
        Grid::OneAtATime => "one at a time".to_string(),
        Grid::Sample(plan) => format!("grid: {}", plan.method.word()),
    };
    let np = cfg.parameters.len();
    format!(
        "{trials} trial{}, {np} parameter{} ({grid})",
        if trials == 1 { "" } else { "s" },
        if np == 1 { "" } else { "s" }
    )
}
