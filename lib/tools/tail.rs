//! `herd-tail [WS] INDEX`: the last lines of a trial's logs, optionally following them.

use crate::cli::{self, OutputFlags, Standard};
use crate::error::Error;
use crate::store::logs;
use crate::store::workspace::Workspace;
use serde::Serialize;
use std::ffi::OsString;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
herd-tail: show the last lines of a trial's stdout and stderr logs

Usage: herd-tail [OPTIONS] [WS] INDEX

Arguments:
  [WS]                the workspace directory [default: the nearest of . and its
                      parents that holds hyperherd.yaml]
  INDEX               the trial index

Options:
  -n, --lines N       how many lines of each log (default 10; 0 shows none)
      --stdout        only the stdout log
      --stderr        only the stderr log
  -f, --follow        keep printing new lines until the trial's job script has
                      recorded its exit (Ctrl-C to stop earlier)
      --json          print one JSON object with the lines of each log (lines is
                      null for a log that does not exist)
  -h, --help          print this help
  -V, --version       print the version

Reads .hyperherd/logs/<INDEX>.out and .err; needs no SLURM.

Examples:
  herd-tail 3
  herd-tail ~/sweeps/lr 12 -n 50 --stderr
  herd-tail 3 -f

Exit status: 0 ok, 1 no log of the trial exists, 2 usage error.
";

#[derive(Debug, Default)]
struct Args {
    output: OutputFlags,
    positionals: Vec<PathBuf>,
    lines: usize,
    stdout_only: bool,
    stderr_only: bool,
    follow: bool,
}

fn parse_args(argv: Vec<OsString>) -> Result<Args, Error> {
    use lexopt::prelude::*;
    let mut args = Args {
        lines: 10,
        ..Args::default()
    };
    let mut p = lexopt::Parser::from_args(argv);
    while let Some(arg) = p.next()? {
        cli::shared_flags!(arg, p, [&mut Standard(USAGE), &mut args.output]);
        match arg {
            Short('n') | Long("lines") => args.lines = p.value()?.parse()?,
            Long("stdout") => args.stdout_only = true,
            Long("stderr") => args.stderr_only = true,
            Short('f') | Long("follow") => args.follow = true,
            Value(v) if args.positionals.len() < 2 => args.positionals.push(PathBuf::from(v)),
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(args)
}

#[derive(Serialize)]
struct Stream {
    path: String,
    lines: Option<Vec<String>>,
    requested: usize,
}

#[derive(Serialize)]
struct TailJson {
    index: u64,
    stdout: Option<Stream>,
    stderr: Option<Stream>,
}

/// Entry point of `herd-tail`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    let args = parse_args(argv)?;
    let (ws_arg, index_arg) = match args.positionals.as_slice() {
        [i] => (None, i.clone()),
        [w, i] => (Some(w.clone()), i.clone()),
        _ => return Err(Error::usage("missing INDEX (e.g. herd-tail 3)")),
    };
    let index: u64 = index_arg
        .to_str()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| {
            Error::usage(format!(
                "INDEX must be a trial index, got '{}'",
                index_arg.display()
            ))
        })?;
    let given = ws_arg.as_deref().unwrap_or(Path::new("."));
    let root = std::path::absolute(given).map_err(|e| Error::io("resolving the workspace", e))?;
    // As every tool: without WS, the nearest directory upward that holds hyperherd.yaml.
    let root = match ws_arg {
        Some(_) => root,
        None => crate::config::find_upward(&root).unwrap_or(root),
    };
    let root = if root.is_file() {
        root.parent().map(Path::to_path_buf).unwrap_or(root)
    } else {
        root
    };
    let ws = Workspace::new(&root);
    let both = !args.stdout_only && !args.stderr_only;
    let out_path = logs::stdout_path(&ws, index);
    let err_path = logs::stderr_path(&ws, index);
    let want_out = both || args.stdout_only;
    let want_err = both || args.stderr_only;
    let out_lines = if want_out {
        logs::last_lines(&out_path, args.lines)?
    } else {
        None
    };
    let err_lines = if want_err {
        logs::last_lines(&err_path, args.lines)?
    } else {
        None
    };
    let mut w = crate::cli::stdout();
    // Logs are text: JSON only when asked for.
    if args.output.forced() == Some(crate::cli::Output::Json) && !args.follow {
        let j = TailJson {
            index,
            stdout: want_out.then(|| Stream {
                path: out_path.display().to_string(),
                lines: out_lines,
                requested: args.lines,
            }),
            stderr: want_err.then(|| Stream {
                path: err_path.display().to_string(),
                lines: err_lines,
                requested: args.lines,
            }),
        };
        serde_json::to_writer(&mut w, &j).map_err(|e| Error::json("writing output", e))?;
        w.write_all(b"\n")?;
        w.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    if out_lines.is_none() && err_lines.is_none() && !args.follow {
        return Err(Error::failed(format!(
            "no logs for trial {index} in {}",
            ws.logs_dir().display()
        ))
        .hint("the trial has not started yet, or the index is wrong (herd-status lists them)"));
    }
    for (label, path, lines) in [
        ("stdout", &out_path, &out_lines),
        ("stderr", &err_path, &err_lines),
    ] {
        if let Some(lines) = lines {
            writeln!(w, "==> trial {index} {label}: {} <==", path.display())?;
            for l in lines {
                writeln!(w, "{l}")?;
            }
        }
    }
    w.flush()?;
    if args.follow {
        follow(
            &ws,
            index,
            want_out.then_some(&out_path),
            want_err.then_some(&err_path),
            &mut w,
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Print what is appended to the logs until the trial ends: its job script records
/// an exit for its latest submission, or the manifest says it is no longer live
/// (checked every 10 s, e.g. after herd-status saw it cancelled while queued).
fn follow(
    ws: &Workspace,
    index: u64,
    out: Option<&PathBuf>,
    err: Option<&PathBuf>,
    w: &mut impl Write,
) -> Result<(), Error> {
    let is_live = || -> Result<bool, Error> {
        Ok(ws
            .read_manifest()?
            .unwrap_or_default()
            .iter()
            .any(|r| r.index == index && r.status.is_live()))
    };
    let latest_job = || -> Result<Option<String>, Error> {
        Ok(crate::ops::sync::latest_jobs(&ws.read_job_ids()?)
            .get(&index)
            .map(|(j, t)| format!("{j}_{t}")))
    };
    let exited = |job: &Option<String>| {
        let text = crate::store::fs::read_optional(&ws.dir().join("exit").join(index.to_string()))
            .ok()
            .flatten()
            .unwrap_or_default();
        job.as_deref()
            .is_some_and(|j| text.split_whitespace().next() == Some(j))
    };
    if !is_live()? {
        return Ok(()); // nothing will be appended: the trial is not running
    }
    let job = latest_job()?;
    let mut pos: Vec<(PathBuf, u64)> = [out, err]
        .into_iter()
        .flatten()
        .map(|p| {
            (
                p.clone(),
                std::fs::metadata(p).map(|m| m.len()).unwrap_or(0),
            )
        })
        .collect();
    let mut ticks = 0u32;
    loop {
        let finished = exited(&job);
        for (p, at) in pos.iter_mut() {
            let Ok(mut f) = crate::store::fs::open_nofollow(p, File::options().read(true)) else {
                continue;
            };
            let len = f.metadata().map(|m| m.len()).unwrap_or(0);
            if len < *at {
                *at = 0; // truncated
            }
            if len > *at {
                let mut buf = Vec::new();
                f.seek(SeekFrom::Start(*at))
                    .and_then(|_| f.read_to_end(&mut buf))
                    .map_err(|e| Error::io(format!("reading {}", p.display()), e))?;
                *at += buf.len() as u64;
                w.write_all(&buf)?;
                w.flush()?;
            }
        }
        ticks += 1;
        if finished || (ticks % 20 == 0 && !is_live()?) {
            return Ok(());
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}
