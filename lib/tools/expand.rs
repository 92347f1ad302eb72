//! `herd-expand [WS|FILE]`: print every trial of the sweep. Read-only.

use crate::cli::{self, Common, Output};
use crate::config::{self, Config, Grid};
use crate::error::Error;
use crate::fragments::Fresh;
use crate::ndjson;
use crate::pin::Pins;
use crate::plan;
use crate::table::{Align, Table};
use crate::workspace::Workspace;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "\
herd-expand: print every trial of a sweep

Usage: herd-expand [OPTIONS] [WS|FILE]

Arguments:
  [WS|FILE]             the workspace directory (holding hyperherd.yaml) or a config
                        file [default: .]

Options:
  -c, --check           validate the config and print a one-line summary
  -p, --pin NAME=VALUE  only trials whose parameter NAME equals VALUE (repeatable)
      --json            print NDJSON trial records (the default when piped)
      --table           print a table (the default on a terminal)
  -h, --help            print this help
  -V, --version         print the version

Read-only: when .hyperherd/manifest.json exists, indices, statuses and frozen names
come from it, and trials the config adds show as they would be appended.

Examples:
  herd-expand --check
  herd-expand ~/sweeps/lr | jq -c 'select(.params.lr < 0.01)' | herd-submit
  herd-expand -p opt=adam --table

Exit status: 0 ok, 1 a workspace file is unreadable or corrupt, 2 usage or config error.
";

#[derive(Debug, Default)]
struct Args {
    common: Common,
    ws: Option<PathBuf>,
    check: bool,
    pins: Vec<(String, String)>,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        if args.common.parse(&arg, USAGE)? {
            continue;
        }
        match arg {
            Short('c') | Long("check") => args.check = true,
            Short('p') | Long("pin") => args.pins.push(cli::split_pin(&p.value()?.string()?)?),
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
    let pins = Pins::parse(&cfg, &args.pins)?;
    let mut out = cli::stdout();
    let mode = args.common.output();
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
                writeln!(out, "{}", summary(&cfg, fresh.count() as usize))?;
            } else if mode == Output::Json {
                let first = ws.next_index(&[], &ws.read_job_ids()?)?;
                crate::workspace::check_new_indices(first.saturating_add(fresh.count()))?;
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
    let sweep = plan::load_with(&cfg, manifest)?;
    if args.check {
        writeln!(out, "{}", summary(&cfg, sweep.generated))?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let total = sweep.plan.records.len();
    let orphans = sweep.plan.orphans.len();
    let mut shown = 0usize;
    let mut table = Table::new(&[
        ("INDEX", Align::Right),
        ("STATUS", Align::Left),
        ("HASH", Align::Left),
        ("NAME", Align::Left),
    ]);
    // Records are written as they are made, from the plan's own fields, through one
    // reused line buffer.
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
        match mode {
            Output::Json => {
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
            Output::Table => table.push(vec![
                r.index.to_string(),
                r.status.to_string(),
                r.hash.clone(),
                r.experiment_name.clone().unwrap_or_default(),
            ]),
        }
    }
    if shown == 0 && !pins.is_empty() {
        return Err(Error::invalid(format!(
            "no trials match --pin {} (of {total} total)",
            pins.describe()
        )));
    }
    if mode == Output::Table {
        out.write_all(table.render().as_bytes())?;
        writeln!(out, "\n{}", summary(&cfg, sweep.generated))?;
        if orphans > 0 {
            writeln!(
                out,
                "{orphans} active trial(s) are no longer generated by the config (herd-submit keeps them only with --keep-orphans)"
            )?;
        }
    }
    out.flush()?;
    // The process ends here; the OS takes back a large plan faster than freeing it
    // record by record would.
    std::mem::forget(sweep);
    Ok(ExitCode::SUCCESS)
}

/// `12 trials, 3 parameters (grid: lr, wd)`.
fn summary(cfg: &Config, trials: usize) -> String {
    let grid = match &cfg.grid {
        Grid::All => "grid: all".to_string(),
        Grid::List(names) if names.is_empty() => "grid: [] (defaults only)".to_string(),
        Grid::List(names) => format!("grid: {}", names.join(", ")),
        Grid::OneAtATime => "one at a time".to_string(),
    };
    let np = cfg.parameters.len();
    format!(
        "{trials} trial{}, {np} parameter{} ({grid})",
        if trials == 1 { "" } else { "s" },
        if np == 1 { "" } else { "s" }
    )
}
