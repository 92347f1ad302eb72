//! `herd-status [WS]`: sync statuses from SLURM, write them, print the trials.

use crate::cli::{self, Output, OutputFlags, Standard};
use crate::config;
use crate::error::Error;
use crate::model::ndjson;
use crate::model::pin::Pins;
use crate::model::record::{tally, Status, TrialRecord};
use crate::ops::session::{Mode, Session};
use crate::ops::view::{Logs, View};
use crate::text::table::{Align, Table};
use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
herd-status: sync trial statuses from SLURM and print them

Usage: herd-status [OPTIONS] [WS]

Arguments:
  [WS]                  the workspace directory [default: the nearest of . and its
                        parents that holds hyperherd.yaml]

Options:
  -s, --status LIST     only trials with these statuses, e.g. failed,cancelled
  -p, --pin NAME=VALUE  only trials whose parameter NAME equals VALUE (repeatable)
  -w, --watch [SECS]    refresh every SECS seconds until no trial is live; in place
                        on a terminal (default 30, minimum 10; for a local sweep
                        default 2, minimum 1)
      --wait [SECS]     sync every SECS seconds (defaults as --watch) until no trial
                        is live, with a progress line on stderr; then print
      --json            print NDJSON trial records (the default when piped)
      --table           print a table with totals (the default on a terminal)
  -h, --help            print this help
  -V, --version         print the version

One sync asks SLURM once: one sacct call over the jobs that can still change, one
squeue call for live detail (and one scontrol call when accounting is off). If SLURM
cannot be asked, nothing is changed: the previous statuses are printed, stderr says
why they are stale, and the exit status is 1.

Examples:
  herd-status
  herd-status -s failed | herd-submit
  herd-status --watch 60
  herd-submit --local -i 0-3 && herd-status --wait --table

Exit status: 0 ok, 1 statuses are stale (SLURM did not answer) or a workspace file is
corrupt, 2 usage or config error.
";

#[derive(Debug, Default)]
struct Args {
    output: OutputFlags,
    ws: Option<PathBuf>,
    statuses: Vec<Status>,
    pins: cli::Pins,
    watch: cli::Watch,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args {
        watch: cli::Watch {
            waits: true,
            ..cli::Watch::default()
        },
        ..Args::default()
    };
    let mut statuses = Status::flag_group();
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(
            arg,
            p,
            [
                &mut Standard(USAGE),
                &mut args.output,
                &mut statuses,
                &mut args.pins,
                &mut args.watch,
            ]
        );
        match arg {
            Value(v) if args.ws.is_none() => args.ws = Some(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    args.statuses = statuses.words.iter().map(|s| Status::parse(s)).collect();
    Ok(args)
}

/// Open the workspace, settle any interrupted submission, sync, build the records.
fn synced_view(ws_arg: Option<&Path>, pins: &[(String, String)]) -> Result<(View, Pins), Error> {
    let cfg = config::load(ws_arg)?;
    let pins = Pins::parse(&cfg, pins)?;
    let session = Session::open(cfg, Mode::Read)?;
    Ok((View::of(session), pins))
}

/// Entry point of `herd-status`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    let mode = args.output.output();
    let mut progress = Progress::new();
    loop {
        let (view, pins) = synced_view(args.ws.as_deref(), &args.pins.0)?;
        let live = view.records.iter().any(|r| r.status.is_live());
        let interval = args.watch.interval(view.local_only)?;
        let wait = args.watch.wait;
        if wait && live && view.stale.is_none() {
            progress.show(&view.records);
            std::thread::sleep(Duration::from_secs(interval.unwrap_or(cli::MIN_WATCH)));
            continue;
        }
        progress.finish(&view.records);
        let shown: Vec<&TrialRecord> = view
            .records
            .iter()
            .filter(|r| args.statuses.is_empty() || args.statuses.contains(&r.status))
            .filter(|r| pins.matches(&r.params))
            .collect();
        let mut out = cli::stdout();
        match mode {
            Output::Json => {
                let mut lines = ndjson::Lines::default();
                for r in &shown {
                    lines.write(&mut out, r)?;
                }
            }
            Output::Table => {
                if args.watch.every.is_some() && !wait {
                    // Home the cursor and clear the screen: the table updates in place.
                    out.write_all(b"\x1b[H\x1b[2J")?;
                }
                out.write_all(render_table(&shown, &view.records, &view.logs).as_bytes())?;
            }
        }
        out.flush()?;
        if let Some(why) = &view.stale {
            cli::note(&format!("statuses are stale (nothing was changed): {why}"));
            return Ok(ExitCode::from(1));
        }
        match interval {
            Some(secs) if live && !wait => std::thread::sleep(Duration::from_secs(secs)),
            _ => {
                // The process ends here: freeing 10,000 records one by one would cost
                // a tenth of the run, and the OS takes the memory back at once.
                drop(shown);
                std::mem::forget(view);
                return Ok(ExitCode::SUCCESS);
            }
        }
    }
}

/// `--wait`'s progress line on stderr: rewritten in place on a terminal, else one
/// line whenever the counts change.
struct Progress {
    tty: bool,
    last: String,
}

impl Progress {
    fn new() -> Progress {
        use std::io::IsTerminal;
        Progress {
            tty: std::io::stderr().is_terminal(),
            last: String::new(),
        }
    }

    fn line(records: &[TrialRecord]) -> String {
        let done = records.iter().filter(|r| is_finished(&r.status)).count();
        format!(
            "herd-status: {done}/{} finished ({})",
            records.len(),
            counts(records).join(", ")
        )
    }

    fn show(&mut self, records: &[TrialRecord]) {
        let line = Self::line(records);
        if line == self.last {
            return;
        }
        let mut err = std::io::stderr().lock();
        let _ = if self.tty {
            write!(err, "\r\x1b[K{line}")
        } else {
            writeln!(err, "{line}")
        };
        let _ = err.flush();
        self.last = line;
    }

    fn finish(&mut self, records: &[TrialRecord]) {
        if self.last.is_empty() {
            return;
        }
        self.show(records);
        if self.tty {
            let _ = writeln!(std::io::stderr());
        }
    }
}

fn is_finished(s: &Status) -> bool {
    matches!(
        s,
        Status::Completed | Status::Failed | Status::Cancelled | Status::Pruned
    )
}

/// "12 completed, 2 running", in the order of [`Status::KNOWN`], unknown ones last.
fn counts(all: &[TrialRecord]) -> Vec<String> {
    tally(all.iter().map(|r| &r.status))
        .into_iter()
        .map(|(k, n)| format!("{n} {}", crate::text::table::escape(&k)))
        .collect()
}

fn human_bytes(b: u64) -> String {
    let g = b as f64 / (1u64 << 30) as f64;
    if g >= 1.0 {
        format!("{g:.2}G")
    } else {
        format!("{:.0}M", b as f64 / (1u64 << 20) as f64)
    }
}

fn human_secs(s: u64) -> String {
    if s >= 86400 {
        format!(
            "{}-{:02}:{:02}:{:02}",
            s / 86400,
            s % 86400 / 3600,
            s % 3600 / 60,
            s % 60
        )
    } else {
        format!("{:02}:{:02}:{:02}", s / 3600, s % 3600 / 60, s % 60)
    }
}

/// Strip ANSI escape sequences and cut to `max` characters.
fn clean(s: &str, max: usize) -> String {
    let mut out = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            if chars.peek() == Some(&'[') {
                chars.next();
                for d in chars.by_ref() {
                    if d.is_ascii_alphabetic() {
                        break;
                    }
                }
            }
            continue;
        }
        if !c.is_control() {
            out.push(c);
        }
    }
    if out.chars().count() > max {
        out = out.chars().take(max - 3).collect::<String>() + "...";
    }
    out
}

/// A step with `,` between thousands, as the reference prints it (`12,345`).
fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (k, d) in digits.chars().enumerate() {
        if k > 0 && (digits.len() - k) % 3 == 0 {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Steps per minute as the reference prints them: fewer decimals the faster.
fn rate(r: f64) -> String {
    if r >= 100.0 {
        // Below 2^63 the rounded rate is exact as an integer; beyond, nothing runs.
        format!("{}/m", thousands(r.round_ties_even() as i64))
    } else if r >= 10.0 {
        format!("{r:.0}/m")
    } else if r >= 1.0 {
        format!("{r:.1}/m")
    } else {
        format!("{r:.2}/m")
    }
}

fn render_table(shown: &[&TrialRecord], all: &[TrialRecord], logs: &Logs) -> String {
    // The progress columns only when some shown trial has progress to show.
    let steps = shown.iter().any(|r| r.step.is_some());
    let rates = shown.iter().any(|r| r.steps_per_min.is_some());
    // The attempt column only when some shown trial was retried by herd-watch.
    let tries = shown.iter().any(|r| r.attempts.is_some());
    let mut headers = vec![
        ("INDEX", Align::Right),
        ("STATUS", Align::Left),
        ("STATE", Align::Left),
        ("ELAPSED", Align::Right),
        ("MAXRSS", Align::Right),
    ];
    if steps {
        headers.push(("STEP", Align::Right));
    }
    if rates {
        headers.push(("STEPS/MIN", Align::Right));
    }
    if tries {
        headers.push(("ATTEMPT", Align::Left));
    }
    headers.extend([("NAME", Align::Left), ("LAST LOG", Align::Left)]);
    let mut t = Table::new(&headers);
    for r in shown {
        let mut row = vec![
            r.index.to_string(),
            r.status.to_string(),
            r.slurm_state.clone().unwrap_or_default(),
            r.elapsed_seconds.map(human_secs).unwrap_or_default(),
            r.max_rss_bytes.map(human_bytes).unwrap_or_default(),
        ];
        if steps {
            row.push(r.step.map(thousands).unwrap_or_default());
        }
        if rates {
            row.push(r.steps_per_min.map(rate).unwrap_or_default());
        }
        if tries {
            // "2: 300M 00:02:00": the latest attempt and its resources.
            row.push(r.attempts.as_ref().map_or_else(String::new, |a| {
                a.last().map_or_else(String::new, |l| {
                    clean(&format!("{}: {} {}", a.len(), l.mem, l.time), 40)
                })
            }));
        }
        row.push(clean(r.experiment_name.as_deref().unwrap_or(""), 60));
        row.push(clean(logs.table_line(r).as_deref().unwrap_or(""), 60));
        t.push(row);
    }
    let mut s = if shown.is_empty() {
        "no trials\n".to_string()
    } else {
        t.render()
    };
    let parts = counts(all);
    let done = all.iter().filter(|r| is_finished(&r.status)).count();
    let width = 30;
    let filled = if all.is_empty() {
        0
    } else {
        done * width / all.len()
    };
    s.push_str(&format!(
        "\n{} trials: {}\n[{}{}] {done}/{} finished\n",
        all.len(),
        parts.join(", "),
        "#".repeat(filled),
        "-".repeat(width - filled),
        all.len()
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ansi_is_stripped_and_long_lines_cut() {
        assert_eq!(
            clean("\x1b[33mView run \x1b[1;34mx\x1b[0m", 60),
            "View run x"
        );
        assert_eq!(clean(&"a".repeat(70), 60).len(), 60);
    }

    #[test]
    fn steps_and_rates_print_as_the_reference_does() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1234), "1,234");
        assert_eq!(thousands(-1234567), "-1,234,567");
        assert_eq!(rate(12345.5), "12,346/m");
        assert_eq!(rate(100.0), "100/m");
        assert_eq!(rate(99.6), "100/m");
        assert_eq!(rate(10.4), "10/m");
        assert_eq!(rate(10.5), "10/m");
        assert_eq!(rate(9.96), "10.0/m");
        assert_eq!(rate(1.25), "1.2/m");
        assert_eq!(rate(0.125), "0.12/m");
    }

    #[test]
    fn durations_and_sizes() {
        assert_eq!(human_secs(3723), "01:02:03");
        assert_eq!(human_secs(176400), "2-01:00:00");
        assert_eq!(human_bytes(4680 * 1024), "5M");
        assert_eq!(human_bytes(3 << 30), "3.00G");
    }
}
