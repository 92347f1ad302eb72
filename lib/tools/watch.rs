//! `herd-watch [WS]`: supervise a sweep until it is over: each tick syncs once, runs
//! successive halving when configured, retries failed trials by the `retries:` rules
//! and submits the next wave of deferred trials; in the foreground, once (`--once`,
//! for cron), or as a small SLURM job that resubmits itself (`--slurm`).

use crate::cli::{self, Output, OutputFlags, Standard};
use crate::config::{self, Config};
use crate::error::Error;
use crate::ops::supervise::{self, watcher, Tick};
use crate::store::watch::Event;
use crate::text::table::escape;
use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
herd-watch: supervise a sweep until it is over: retries, waves, successive halving

Usage: herd-watch [OPTIONS] [WS]

Arguments:
  [WS]             the workspace directory [default: the nearest of . and its parents
                   that holds hyperherd.yaml]

Options:
      --every SECS one tick every SECS seconds (default 60 on SLURM, minimum 10;
                   local sweeps: default 2, minimum 1)
      --once       one tick, then exit (for cron)
      --slurm      run as a small SLURM job that resubmits itself every SECS
                   (default 60, minimum 30), so nothing stays on the login node
      --rules      print what herd-watch does on each way a job can end, and the
                   queue limit it found, then exit
      --json       print each event as an NDJSON record (the default when piped)
      --table      print each event as a line (the default on a terminal)
  -h, --help       print this help
  -V, --version    print the version

A tick: sync statuses (one sacct, at most one squeue), run successive halving when
hyperherd.yaml has a successive_halving: section (as herd-sh), retry failed trials by
the retries: rules (OUT_OF_MEMORY with more memory, TIMEOUT with more time, NODE_FAIL,
PREEMPTED and BOOT_FAIL as they were; FAILED not, unless the rules say so), and submit
deferred trials as the queue has room. Every action is appended to
.hyperherd/events.jsonl with its reason; notify: runs a command on chosen events. In
the foreground herd-watch exits when the sweep is over; herd-stop --all stops it (and
the --slurm job).

Examples:
  herd-watch --rules
  herd-watch                        # in tmux/screen, until the sweep is over
  herd-watch --slurm --every 120    # nothing left running on the login node
  */5 * * * * herd-watch --once ~/sweeps/lr >/dev/null   # from cron
  jq -c 'select(.event==\"retried\")' .hyperherd/events.jsonl

Exit status: 0 ok (the sweep is over, or --once/--slurm did its part), 1 SLURM could
not be asked (--once: nothing was changed) or a workspace file is corrupt, 2 usage or
config error.
";

#[derive(Debug, Default)]
struct Args {
    output: OutputFlags,
    ws: Option<PathBuf>,
    every: Option<u64>,
    once: bool,
    slurm: bool,
    rules: bool,
    /// Inside the watcher job: tick, then submit the next job.
    resubmit: bool,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args::default();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(arg, p, [&mut Standard(USAGE), &mut args.output]);
        match arg {
            Long("every") => args.every = Some(p.value()?.parse()?),
            Long("once") => args.once = true,
            Long("slurm") => args.slurm = true,
            Long("rules") => args.rules = true,
            Long("resubmit") => args.resubmit = true,
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    if args.slurm && args.once {
        return Err(Error::usage("--slurm and --once: choose one"));
    }
    Ok(args)
}

/// Entry point of `herd-watch`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    // A retried local trial's runner is this program re-executed.
    if crate::local::runner_call(&argv)? {
        return Ok(ExitCode::SUCCESS);
    }
    let args = parse_args(argv)?;
    let cfg = config::load(args.ws.as_deref())?;
    if args.rules {
        return rules(&cfg);
    }
    if args.slurm {
        let every = interval(args.every, 60, 30)?;
        return start_job(&cfg, every);
    }
    if args.resubmit {
        return in_job(&args, cfg);
    }
    if args.once {
        let t = supervise::tick(cfg)?;
        print(&args, &t.events)?;
        if t.stopped {
            cli::note("stopped by herd-stop --all: nothing done (herd-watch without --once, or --slurm, starts it again)");
        }
        return Ok(if t.stale.is_some() {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        });
    }
    // The interval is checked before anything is done.
    let every = if supervise::sweep_is_local(&cfg)? {
        interval(args.every, 2, 1)?
    } else {
        interval(args.every, 60, 10)?
    };
    watcher::resume(&cfg)?;
    foreground(&args, cfg, every)
}

/// The interval: as given (at least `min`), else `default`.
fn interval(given: Option<u64>, default: u64, min: u64) -> Result<u64, Error> {
    match given {
        Some(s) if s < min => Err(Error::usage(format!(
            "--every {s}: the minimum interval is {min} seconds here"
        ))
        .hint("one tick is one sacct and at most one squeue call; the controller serves everyone")),
        Some(s) => Ok(s),
        None => Ok(default),
    }
}

/// Tick until the sweep is over; a tick that cannot ask SLURM waits twice as long
/// before the next (up to 10 minutes).
fn foreground(args: &Args, cfg: Config, every: u64) -> Result<ExitCode, Error> {
    let mut backoff = 1u64;
    loop {
        let t = match supervise::tick(cfg.clone()) {
            Ok(t) => t,
            // A usage or config error will not go away; anything else may.
            Err(e) if e.exit_code() == 2 => return Err(e),
            Err(e) => {
                cli::warn(&e, "");
                Tick {
                    stale: Some(e.to_string()),
                    ..Tick::default()
                }
            }
        };
        print(args, &t.events)?;
        if t.stopped {
            cli::note("stopped by herd-stop --all");
            return Ok(ExitCode::SUCCESS);
        }
        if t.finished {
            return Ok(ExitCode::SUCCESS);
        }
        backoff = if t.stale.is_some() {
            (backoff * 2).min(600 / every.max(1)).max(1)
        } else {
            1
        };
        std::thread::sleep(Duration::from_secs(every * backoff));
    }
}

/// `--slurm`: submit the first watcher job.
fn start_job(cfg: &Config, every: u64) -> Result<ExitCode, Error> {
    match watcher::submit(cfg, every, 0, None)? {
        Some(id) => {
            let mut out = cli::stdout();
            writeln!(
                out,
                "watcher job {id}: one tick every {every}s on partition {}",
                escape(&cfg.slurm.partition)
            )?;
            writeln!(
                out,
                "  log:  {}",
                cfg.workspace.join(".hyperherd/logs/watch.out").display()
            )?;
            writeln!(
                out,
                "  what it did: {}",
                cfg.workspace.join(".hyperherd/events.jsonl").display()
            )?;
            writeln!(out, "  stop: herd-stop --all {}", cfg.workspace.display())?;
            out.flush()?;
        }
        None => {
            cli::note("a watcher job for this workspace is already queued (.hyperherd/watch.json)")
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Inside the watcher job: one tick, then the next job unless the sweep is over or
/// the watcher was stopped. The resubmission is tried five times over ~2.5 minutes
/// (a controller restarting), since a watcher that fails to resubmit is gone.
fn in_job(args: &Args, cfg: Config) -> Result<ExitCode, Error> {
    let own = std::env::var("SLURM_JOB_ID").unwrap_or_default();
    let every = interval(args.every, 60, 30)?;
    let t = supervise::tick(cfg.clone());
    let t = match t {
        Ok(t) => t,
        Err(e) if e.exit_code() == 2 => return Err(e),
        Err(e) => {
            cli::warn(&e, "");
            Tick::default()
        }
    };
    print(args, &t.events)?;
    if t.stopped {
        return Ok(ExitCode::SUCCESS);
    }
    if t.finished {
        watcher::forget(&cfg, &own)?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut wait = 10;
    for attempt in 1..=5 {
        match watcher::submit(&cfg, every, every, Some(&own)) {
            Ok(Some(id)) => {
                cli::note(&format!("next watcher job: {id}"));
                return Ok(ExitCode::SUCCESS);
            }
            Ok(None) => return Ok(ExitCode::SUCCESS),
            Err(e) if attempt == 5 => return Err(e),
            Err(e) => {
                cli::warn(&e, "");
                std::thread::sleep(Duration::from_secs(wait));
                wait *= 2;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Print events: NDJSON as in events.jsonl, or one line each.
fn print(args: &Args, events: &[Event]) -> Result<(), Error> {
    let mut out = cli::stdout();
    for e in events {
        match args.output.output() {
            Output::Json => out.write_all(e.line().as_bytes())?,
            Output::Table => {
                let who = e.index.map(|i| format!("#{i} ")).unwrap_or_default();
                let job = e
                    .slurm_job_id
                    .as_ref()
                    .map(|j| format!(" (job {})", escape(j)))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{}  {:<15} {who}{}{job}",
                    &e.time[11..19.min(e.time.len())],
                    e.event,
                    escape(&e.reason)
                )?;
            }
        }
    }
    out.flush()?;
    Ok(())
}

/// `--rules`: what each ending leads to, the queue's room, and notify.
fn rules(cfg: &Config) -> Result<ExitCode, Error> {
    let caps = supervise::caps(cfg);
    let mut out = cli::stdout();
    writeln!(out, "retries (hyperherd.yaml retries:, or the defaults):")?;
    for line in crate::model::retry::describe(&cfg.retries, &caps) {
        writeln!(out, "  {}", escape(&line))?;
    }
    match crate::ops::room::room(cfg) {
        Ok(r) => writeln!(
            out,
            "queue: {} jobs free now, {}",
            r.free,
            escape(&r.describe())
        )?,
        Err(e) => writeln!(out, "queue: unknown ({})", escape(&e.to_string()))?,
    }
    match &cfg.notify {
        Some(n) => writeln!(
            out,
            "notify: {} on {}",
            escape(&n.command.join(" ")),
            n.on.join(", ")
        )?,
        None => writeln!(out, "notify: none")?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
