//! `herd COMMAND ARGS…`: the front door. Runs `herd-COMMAND` (found next to `herd`,
//! else on PATH) in place of itself; `herd run` is `herd-expand | herd-submit`.

use crate::cli;
use crate::error::Error;
use crate::text::distance::edit_distance;
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

const USAGE: &str = "\
herd: hyperparameter sweeps on SLURM, from the shell

Usage: herd COMMAND [ARGS...]

Commands:
  init      create a sweep: a commented hyperherd.yaml and launch.sh
  ls        list the trials of the sweep (herd-expand)
  test      run one trial here, in the foreground, exactly as its job would
  run       plan and submit the sweep (herd-expand | herd-submit); --local here
  status    sync trial statuses from SLURM and show them
  stats     the same (state, elapsed time, peak memory per trial)
  tail      show the last lines of a trial's logs
  stop      cancel running or queued trials
  sh        successive halving: prune, pause or resume trials by a metric
  watch     supervise the sweep until it is over: retries, waves, halving
  res       show one row per trial with its parameters and metrics
  report    write the results as one HTML page: tables, curves, charts
  log       log a metric from inside a trial
  expand    print every trial as a record (the first half of a pipeline)
  submit    submit the trials named on stdin (the second half)

Options:
  -h, --help     print this help
  -V, --version  print the version

'herd COMMAND ARGS' runs the program herd-COMMAND with ARGS, taken from the
directory that holds herd, else from PATH; 'herd COMMAND --help' shows its options
and 'man herd-COMMAND' its manual. Any other herd-NAME program found the same way
runs as 'herd NAME'.

Examples:
  herd init ~/sweeps/lr && cd ~/sweeps/lr
  herd ls                 # the trials, as a table
  herd test               # run the first trial here
  herd run                # submit every trial that has not run
  herd run --local        # no SLURM: run them on this machine, in the background
  herd status --wait      # wait until the sweep is done
  herd res

Exit status: that of the command; 2 for an unknown command or a usage error, 1
when the command's program cannot be found or started.
";

const RUN_USAGE: &str = "\
herd run: plan and submit a sweep (herd-expand WS | herd-submit WS OPTIONS)

Usage: herd run [OPTIONS] [WS]

Arguments:
  [WS]        the workspace directory (holding hyperherd.yaml) or its config file
              [default: the nearest of . and its parents with hyperherd.yaml]

Options:
  OPTIONS are herd-submit's (see 'herd-submit --help'), for example
  -n, --dry-run             print the job script, submit nothing
  -p, --pin NAME=VALUE      only trials whose parameter NAME equals VALUE
  -j, --max-concurrent N    run at most N trials at once
  -l, --local               run the trials on this machine, not on SLURM
      --keep-orphans        keep trials the config edit removes while they are
                            running, queued or completed (resubmits nothing)
      --rerun               with -i: run those completed trials again
  -h, --help                print this help

herd-expand runs first; only when it succeeds are its trial records passed to
herd-submit, which submits every one that is ready, failed or cancelled and skips
those that are queued, running or completed.

Examples:
  herd run
  herd run ~/sweeps/lr --dry-run
  herd run -p opt=adam -j 4
  herd run --local          # no SLURM here: run the sweep on this machine

Exit status: herd-expand's if it failed, else herd-submit's.
";

/// The commands `herd --help` lists: name, program (empty: built in).
const COMMANDS: &[(&str, &str)] = &[
    ("init", "herd-init"),
    ("ls", "herd-expand"),
    ("test", "herd-test"),
    ("run", ""),
    ("status", "herd-status"),
    ("stats", "herd-status"),
    ("tail", "herd-tail"),
    ("stop", "herd-stop"),
    ("sh", "herd-sh"),
    ("watch", "herd-watch"),
    ("res", "herd-res"),
    ("report", "herd-report"),
    ("log", "herd-log"),
    ("expand", "herd-expand"),
    ("submit", "herd-submit"),
];

/// The reference's commands that herd covers another way: name, what to run instead.
const REPLACED: &[(&str, &str)] = &[
    (
        "clean",
        "herd has no 'clean': to cancel every live trial and start over, run 'herd stop --all' then 'rm -r .hyperherd' in the workspace ('rm -r .hyperherd/logs' removes the logs only)",
    ),
    (
        "snapshot",
        "herd has no 'snapshot': 'herd status --json' prints every trial with its status, SLURM fields and last log line, 'herd res --json' with its metrics, as NDJSON for jq",
    ),
];

/// Entry point of `herd`.
pub fn run(argv: Vec<OsString>) -> Result<ExitCode, Error> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(argv);
    let cmd = match p.next()? {
        None => {
            // No command: the help is the error message.
            let _ = io::stderr().write_all(USAGE.as_bytes());
            return Ok(ExitCode::from(crate::error::EXIT_USAGE));
        }
        Some(Value(v)) => v,
        Some(arg) => {
            cli::flag_of(&arg, &[&mut cli::Standard(USAGE)])?;
            return Err(arg.unexpected().into());
        }
    };
    let rest: Vec<OsString> = p.raw_args()?.collect();
    let name = cmd.to_string_lossy().into_owned();
    match name.as_str() {
        "run" => return run_pipeline(rest),
        "help" => return help(&rest),
        _ => {}
    }
    if let Some((_, instead)) = REPLACED.iter().find(|(n, _)| *n == name) {
        return Err(Error::invalid(format!("unknown command '{name}'")).hint(*instead));
    }
    let program = match COMMANDS.iter().find(|(n, _)| *n == name) {
        Some((_, prog)) => (*prog).to_string(),
        None => {
            // Not a known command: an extension program herd-NAME, or a typo.
            let prog = format!("herd-{name}");
            if !is_plain_name(&name) || find(&prog).is_err() {
                return Err(unknown(&name));
            }
            prog
        }
    };
    exec(&program, &rest)
}

/// `herd help [COMMAND]`: this help, or the command's.
fn help(rest: &[OsString]) -> Result<ExitCode, Error> {
    let Some(cmd) = rest.first() else {
        return Err(Error::Help(USAGE));
    };
    let name = cmd.to_string_lossy();
    if name == "run" {
        return Err(Error::Help(RUN_USAGE));
    }
    match COMMANDS.iter().find(|(n, _)| *n == name) {
        Some((_, prog)) => exec(prog, &[OsString::from("--help")]),
        None => Err(unknown(&name)),
    }
}

/// A command name that can be part of a program name: no path, no option.
fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

fn unknown(name: &str) -> Error {
    let near = COMMANDS
        .iter()
        .map(|(n, _)| (edit_distance(name, n), *n))
        .filter(|(d, n)| *d <= 2.min(n.len() - 1) || (name.len() >= 2 && n.starts_with(name)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n);
    let hint = match near {
        Some(n) => format!("did you mean '{n}'?"),
        None => "'herd --help' lists the commands".to_string(),
    };
    Error::invalid(format!("unknown command '{name}'")).hint(hint)
}

/// Where `program` is: next to this executable, else on PATH. On failure, the
/// places looked in (for the message).
fn find(program: &str) -> Result<PathBuf, String> {
    let here = std::env::current_exe()
        .ok()
        .and_then(|p| p.parent().map(Path::to_path_buf));
    if let Some(dir) = &here {
        let p = dir.join(program);
        if is_executable(&p) {
            return Ok(p);
        }
    }
    if let Some(path) = std::env::var_os("PATH") {
        for dir in std::env::split_paths(&path) {
            let p = dir.join(program);
            if !dir.as_os_str().is_empty() && is_executable(&p) {
                return Ok(p);
            }
        }
    }
    Err(match here {
        Some(d) => format!("{} (next to herd) or on PATH", d.display()),
        None => "on PATH".to_string(),
    })
}

fn is_executable(p: &Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

fn not_found(program: &str, looked: &str) -> Error {
    Error::failed(format!("{program} not found in {looked}"))
        .hint("install all the herd-* programs in one directory, as 'make install' does")
}

/// Replace this process with `program ARGS`: its exit status and signals are ours.
fn exec(program: &str, args: &[OsString]) -> Result<ExitCode, Error> {
    let path = find(program).map_err(|looked| not_found(program, &looked))?;
    let err = Command::new(&path).args(args).exec();
    Err(Error::io(format!("running {}", path.display()), err))
}

/// The options of herd-submit that take a value (the next argument, or attached).
const SUBMIT_VALUE_LONG: &[&str] = &["--indices", "--pin", "--max-concurrent"];
const SUBMIT_VALUE_SHORT: &[u8] = b"ipj";

/// What `herd run` needs to know of its arguments (the rest are herd-submit's).
#[derive(Debug, Default, PartialEq)]
struct RunArgs {
    /// The workspace positional, if any.
    ws: Option<OsString>,
    /// `-h`/`--help`.
    help: bool,
    /// `--rerun`.
    rerun: bool,
    /// `-i`/`--indices`.
    indices: bool,
}

/// Split `herd run` arguments: the workspace positional (if any), and whether help,
/// `--rerun` or `--indices` were given. Options are herd-submit's; those taking a
/// value are skipped whole.
fn run_args(args: &[OsString]) -> RunArgs {
    let mut r = RunArgs::default();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let s = a.as_encoded_bytes();
        if s == b"--" {
            if r.ws.is_none() {
                r.ws = it.next().cloned();
            }
            break;
        } else if s.starts_with(b"--") {
            match s {
                b"--help" => r.help = true,
                b"--rerun" => r.rerun = true,
                _ => {}
            }
            if s == b"--indices" || s.starts_with(b"--indices=") {
                r.indices = true;
            }
            if SUBMIT_VALUE_LONG.iter().any(|o| s == o.as_bytes()) {
                it.next();
            }
        } else if s.len() > 1 && s[0] == b'-' {
            for (k, c) in s[1..].iter().enumerate() {
                match c {
                    b'h' => r.help = true,
                    b'i' => r.indices = true,
                    _ => {}
                }
                if SUBMIT_VALUE_SHORT.contains(c) {
                    if k + 2 == s.len() {
                        it.next();
                    }
                    break;
                }
            }
        } else if r.ws.is_none() {
            r.ws = Some(a.clone());
        }
    }
    r
}

/// `herd run`: `herd-expand [WS]`, and once it has produced records, `herd-submit
/// ARGS` reading them. herd-submit only acts at the end of its input, so when
/// herd-expand fails it is stopped before it reads an end of file: a failed or
/// partial plan submits nothing, and a config error is reported once.
fn run_pipeline(args: Vec<OsString>) -> Result<ExitCode, Error> {
    let RunArgs {
        ws,
        help,
        rerun,
        indices,
    } = run_args(&args);
    if help {
        return Err(Error::Help(RUN_USAGE));
    }
    if rerun && !indices {
        // herd-expand lists every trial: --rerun alone would run the whole sweep again.
        return Err(Error::invalid(
            "herd run --rerun needs --indices: name the completed trials to run again",
        )
        .hint("herd run --rerun -i 3-5 (or pipe the records: herd-status | jq ... | herd-submit --rerun)"));
    }
    let expand_bin = find("herd-expand").map_err(|l| not_found("herd-expand", &l))?;
    let submit_bin = find("herd-submit").map_err(|l| not_found("herd-submit", &l))?;
    let mut expand = Command::new(&expand_bin)
        .args(ws.as_slice())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(format!("running {}", expand_bin.display()), e))?;
    let mut plan = expand
        .stdout
        .take()
        .ok_or_else(|| Error::failed("herd-expand has no output pipe"))?;
    let mut buf = vec![0u8; 64 * 1024];
    let first = read_some(&mut plan, &mut buf)?;
    if first == 0 {
        let st = wait(&mut expand, "herd-expand")?;
        if !st.success() {
            return Ok(cli::exit_like(st));
        }
    }
    let mut submit = Command::new(&submit_bin)
        .args(&args)
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| Error::io(format!("running {}", submit_bin.display()), e))?;
    let mut input = submit.stdin.take();
    let mut submit_gone = false;
    if let Some(w) = input.as_mut() {
        let mut n = first;
        while n > 0 {
            if let Err(e) = w.write_all(&buf[..n]) {
                if e.kind() != io::ErrorKind::BrokenPipe {
                    return Err(Error::io("passing records to herd-submit", e));
                }
                // herd-submit ended without reading everything (a usage error).
                submit_gone = true;
                break;
            }
            n = read_some(&mut plan, &mut buf)?;
        }
    }
    drop(plan);
    let expand_status = wait(&mut expand, "herd-expand")?;
    if !expand_status.success() && !submit_gone {
        // A partial plan: end herd-submit before it sees the end of its input.
        let _ = submit.kill();
        let _ = submit.wait();
        return Ok(cli::exit_like(expand_status));
    }
    drop(input);
    let st = wait(&mut submit, "herd-submit")?;
    Ok(cli::exit_like(st))
}

fn read_some(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, Error> {
    loop {
        match r.read(buf) {
            Ok(n) => return Ok(n),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(Error::io("reading herd-expand's output", e)),
        }
    }
}

fn wait(child: &mut std::process::Child, what: &str) -> Result<std::process::ExitStatus, Error> {
    child
        .wait()
        .map_err(|e| Error::io(format!("waiting for {what}"), e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn program_of(cmd: &str) -> Option<&'static str> {
        COMMANDS.iter().find(|(n, _)| *n == cmd).map(|(_, p)| *p)
    }

    fn os(v: &[&str]) -> Vec<OsString> {
        v.iter().map(OsString::from).collect()
    }

    #[test]
    fn typos_are_near_their_command() {
        assert_eq!(edit_distance("stauts", "status"), 1);
        assert_eq!(edit_distance("sttus", "status"), 1);
        assert_eq!(edit_distance("", "ls"), 2);
        assert_eq!(
            unknown("stauts").hint_text(),
            Some("did you mean 'status'?")
        );
        assert_eq!(unknown("subm").hint_text(), Some("did you mean 'submit'?"));
        assert_eq!(unknown("rn").hint_text(), Some("did you mean 'run'?"));
        assert_eq!(
            unknown("frobnicate").hint_text(),
            Some("'herd --help' lists the commands")
        );
    }

    #[test]
    fn run_finds_the_workspace_among_submit_options() {
        let wh = |v: &[&str]| {
            let r = run_args(&os(v));
            (r.ws, r.help)
        };
        assert_eq!(wh(&[]), (None, false));
        assert_eq!(wh(&["ws"]), (Some("ws".into()), false));
        assert_eq!(
            wh(&["-p", "lr=1", "-j", "2", "ws", "-n"]),
            (Some("ws".into()), false)
        );
        assert_eq!(
            wh(&["--pin", "x=1", "--indices=3", "ws"]),
            (Some("ws".into()), false)
        );
        assert_eq!(wh(&["-nj4", "ws"]), (Some("ws".into()), false));
        assert_eq!(wh(&["-nj", "4", "ws"]), (Some("ws".into()), false));
        assert_eq!(wh(&["--", "-odd"]), (Some("-odd".into()), false));
        assert_eq!(wh(&["-h"]), (None, true));
        assert_eq!(wh(&["-p", "-h"]), (None, false));
        let r = run_args(&os(&["--rerun", "-ni3", "ws"]));
        assert!(r.rerun && r.indices);
        let r = run_args(&os(&["--rerun", "--indices=3"]));
        assert!(r.rerun && r.indices);
        let r = run_args(&os(&["--rerun", "-p", "i=3"]));
        assert!(r.rerun && !r.indices);
    }

    #[test]
    fn every_listed_command_is_in_the_help() {
        for (name, _) in COMMANDS {
            assert!(USAGE.contains(&format!("\n  {name} ")), "{name}");
        }
        assert_eq!(program_of("ls"), Some("herd-expand"));
        assert!(is_plain_name("sh") && !is_plain_name("../x") && !is_plain_name("-x"));
    }
}
