//! The shared frame of every tool: the `main` wrapper, shared flag groups (in
//! `flags.rs`), output mode, notes.
//!
//! A tool is a `fn(Vec<OsString>) -> Result<ExitCode, Error>`; `bins/herd-x.rs` calls
//! [`main`] with it. The wrapper prints help/version to stdout, errors to stderr as
//! `herd-x: error: …` (+ `hint: …`), and turns a closed pipe into a quiet exit 0.

use crate::error::Error;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

mod flags;
pub use flags::{count, split_pin, split_sort};
/// Inside a tool's `while let Some(arg) = p.next()?` loop: let the shared flag
/// groups (`&mut Standard(USAGE)`, `&mut args.output`, …) take `arg`, and go on to
/// the next argument if one did. A macro because `arg` borrows the parser: the
/// group must be found before the parser is lent to it.
macro_rules! shared_flags {
    ($arg:expr, $p:expr, [$($group:expr),+ $(,)?]) => {{
        let groups: &mut [&mut dyn $crate::cli::Group] = &mut [$($group),+];
        if let Some(hit) = $crate::cli::flag_of(&$arg, groups)? {
            $crate::cli::take(hit, groups, &mut $p)?;
            continue;
        }
    }};
}
pub(crate) use shared_flags;

pub use flags::{
    flag_of, take, Group, Hit, OutputFlags, Pins, Standard, Statuses, Watch, Which, MIN_WATCH,
};

/// The signature of every tool's entry point.
pub type Tool = fn(Vec<OsString>) -> Result<ExitCode, Error>;

/// The running tool's name, for [`note`] (set once by [`main`]).
static TOOL: std::sync::OnceLock<&'static str> = std::sync::OnceLock::new();

/// Print a note on standard error as `herd-x: msg`, the way every tool does.
pub fn note(msg: &str) {
    let name = TOOL.get().copied().unwrap_or("herd");
    let _ = writeln!(io::stderr(), "{name}: {msg}");
}

/// Print a warning on standard error as `herd-x: warning: msg`.
pub fn warning(msg: &str) {
    note(&format!("warning: {msg}"));
}

/// Report an error as a warning on stderr, `<tool>: warning: <what>` (+ `hint: <fix>`),
/// without stopping.
pub fn warn(e: &Error, more: &str) {
    let name = TOOL.get().copied().unwrap_or("herd");
    let mut err = io::stderr().lock();
    let _ = writeln!(err, "{name}: warning: {e}");
    if let Some(h) = e.hint_text() {
        let _ = writeln!(err, "hint: {h}{more}");
    }
}

/// Run `tool` with the process arguments and turn its result into the exit status.
pub fn main(name: &'static str, tool: Tool) -> ExitCode {
    let _ = TOOL.set(name);
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    match tool(args) {
        Ok(code) => code,
        Err(e) => report(name, &e),
    }
}

/// Print an error (or help/version) the way every tool does, and return the exit code.
pub fn report(name: &str, e: &Error) -> ExitCode {
    let code = e.exit_code();
    match e {
        Error::Help(usage) => {
            let _ = io::stdout().write_all(usage.as_bytes());
        }
        Error::Version => {
            let _ = writeln!(io::stdout(), "{name} {}", version());
        }
        _ if e.is_broken_pipe() => {}
        // Not an error: the trial was asked to stop (herd-log, exit 3).
        Error::Stop(msg) => {
            let _ = writeln!(io::stderr(), "{name}: {msg}");
        }
        Error::Usage(msg) => {
            let _ = writeln!(io::stderr(), "{name}: error: {msg}\ntry '{name} --help'");
        }
        _ => {
            let mut err = io::stderr().lock();
            let _ = writeln!(err, "{name}: error: {e}");
            if let Some(h) = e.hint_text() {
                let _ = writeln!(err, "hint: {h}");
            }
        }
    }
    ExitCode::from(code)
}

/// The version string: package version and the target triple it was built for.
pub fn version() -> String {
    format!("{} ({})", env!("CARGO_PKG_VERSION"), target_triple())
}

fn target_triple() -> String {
    let arch = std::env::consts::ARCH;
    let env = if cfg!(target_env = "musl") {
        "musl"
    } else if cfg!(target_env = "gnu") {
        "gnu"
    } else {
        "unknown"
    };
    format!("{arch}-unknown-{}-{env}", std::env::consts::OS)
}

/// How records are printed: a table for people, NDJSON for programs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Output {
    /// An aligned human table.
    Table,
    /// One JSON object per line.
    Json,
}

/// A lone positional argument that names trials rather than a workspace, as the
/// reference's `herd stop 3` and `herd test 5` (§11.11): it is not an existing
/// directory and reads as a whole number, or with `many` as an index spec (digits,
/// `,` and `-`: `herd-stop 0-4,7`). Returns its text.
pub fn index_positional(arg: &std::path::Path, many: bool) -> Option<String> {
    let s = arg.to_str()?;
    (reads_as_indices(s, many) && !arg.is_dir()).then(|| s.to_string())
}

/// A whole number, or with `many` an index spec (`0-4,7`).
fn reads_as_indices(s: &str, many: bool) -> bool {
    let digit = |b: u8| b.is_ascii_digit() || (many && (b == b',' || b == b'-'));
    s.bytes().next().is_some_and(|b| b.is_ascii_digit()) && s.bytes().all(digit)
}

/// The most indices one `--indices` spec may select: the most trials a sweep may
/// have (`config::MAX_TRIALS`, which the frame does not import; a test keeps the two
/// equal).
pub const MAX_INDICES: u64 = 5_000_000;

/// Parse an index spec such as `0-4,7,9` (`%N` throttles are ignored, spec §6.3).
///
/// B11: an empty range such as `3-1` is an error that says so, not a crash. A spec
/// selecting more than [`MAX_INDICES`] indices is refused from its ranges, before
/// any list is built.
pub fn parse_indices(spec: &str) -> Result<Vec<u64>, Error> {
    let body = spec.split('%').next().unwrap_or("");
    let bad = |part: &str, why: &str| {
        Error::usage(format!(
            "--indices '{spec}': {why} '{part}' (use e.g. 0-4,7)"
        ))
    };
    let num = |part: &str, t: &str| {
        t.trim()
            .parse::<u64>()
            .map_err(|_| bad(part, "not an index:"))
    };
    let mut ranges = Vec::new();
    let mut total: u64 = 0;
    for part in body.split(',') {
        let (a, b) = match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (num(part, a)?, num(part, b)?);
                if b < a {
                    return Err(Error::usage(format!(
                        "--indices '{spec}': the range '{part}' is empty (did you mean {b}-{a}?)"
                    )));
                }
                (a, b)
            }
            None => {
                let a = num(part, part)?;
                (a, a)
            }
        };
        total = total.saturating_add(b - a).saturating_add(1);
        if total > MAX_INDICES {
            return Err(Error::usage(format!(
                "--indices '{spec}': selects more than {MAX_INDICES} indices (a sweep has at most {MAX_INDICES} trials; use e.g. 0-4,7)"
            )));
        }
        ranges.push((a, b));
    }
    let mut out = Vec::with_capacity(total as usize);
    for (a, b) in ranges {
        out.extend(a..=b);
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// Indices for a message: the first five, then how many more (`5, 6, 7, 8, 9 … and
/// 31 more`), so that a wide range gives a short line.
pub fn some_indices(ids: impl Iterator<Item = u64>) -> String {
    const SHOWN: usize = 5;
    let mut ids = ids;
    let head: Vec<String> = ids.by_ref().take(SHOWN).map(|i| i.to_string()).collect();
    let more = ids.count();
    let mut out = head.join(", ");
    if more > 0 {
        out.push_str(&format!(" … and {more} more"));
    }
    out
}

/// Standard output, buffered (Rust's stdout is line-buffered even into a pipe).
pub fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::with_capacity(64 * 1024, io::stdout().lock())
}

/// Pass a child's end on as this process's exit: its exit code, or, when a signal
/// killed it, the same signal raised again here (so a shell sees "killed by SIGINT",
/// not an invented code). Falls back to `128 + signal` if the signal does not end us.
pub fn exit_like(status: std::process::ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    if let Some(code) = status.code() {
        return ExitCode::from(u8::try_from(code).unwrap_or(1));
    }
    let sig = status.signal().unwrap_or(0);
    if let Ok(s) = nix::sys::signal::Signal::try_from(sig) {
        // SAFETY: restoring the default disposition installs no handler code.
        unsafe {
            let _ = nix::sys::signal::signal(s, nix::sys::signal::SigHandler::SigDfl);
        }
        let _ = nix::sys::signal::raise(s);
    }
    ExitCode::from(128u8.wrapping_add(u8::try_from(sig).unwrap_or(0)))
}

/// Run `cmd` in the foreground and wait for it, as `system(3)` does: while it runs,
/// Ctrl-C and Ctrl-\ are left to the child (which may clean up and exit on its own
/// terms) instead of killing this process and orphaning the child on the terminal.
pub fn run_foreground(cmd: &mut std::process::Command) -> io::Result<std::process::ExitStatus> {
    use nix::sys::signal::{sigaction, SaFlags, SigAction, SigHandler, SigSet, Signal};
    extern "C" fn ignore(_: nix::libc::c_int) {}
    // A handler, not SIG_IGN: handlers are reset to the default by exec, so the
    // child gets the signals as usual; SIG_IGN would be inherited.
    let act = SigAction::new(
        SigHandler::Handler(ignore),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    let mut old = Vec::new();
    for s in [Signal::SIGINT, Signal::SIGQUIT] {
        // SAFETY: `ignore` is async-signal-safe (it does nothing).
        if let Ok(prev) = unsafe { sigaction(s, &act) } {
            old.push((s, prev));
        }
    }
    let result = cmd.status();
    for (s, prev) in old {
        // SAFETY: puts back the disposition that was there before.
        unsafe {
            let _ = sigaction(s, &prev);
        }
    }
    result
}

/// A closed-form description of how a child ended: `exit status 3`, `SIGKILL`.
pub fn describe_status(status: std::process::ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(c), _) => format!("exit status {c}"),
        (None, Some(s)) => match nix::sys::signal::Signal::try_from(s) {
            Ok(sig) => sig.as_str().to_string(),
            Err(_) => format!("signal {s}"),
        },
        (None, None) => "an unknown status".to_string(),
    }
}

/// True when stdin is a terminal (tools that read records then act differently).
pub fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_positional_is_an_index_unless_a_directory_has_its_name() {
        let dir = std::env::temp_dir().join(format!("herd-pos-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("7")).unwrap();
        std::fs::write(dir.join("8"), "").unwrap();
        let at = |s: &str| index_positional(&dir.join(s), true).is_some();
        // (index_positional reads the argument as given; these are absolute paths.)
        assert!(!at("7"), "a directory named 7 is a workspace");
        assert!(!at("8"), "a path with '/' is no index");
        assert!(!dir.join("8").is_dir(), "a file named 8 is no workspace");
        assert!(reads_as_indices("9", false));
        assert!(!reads_as_indices("0-4,7", false), "one index only");
        assert!(reads_as_indices("0-4,7", true));
        assert!(!reads_as_indices("x3", true));
        assert!(!reads_as_indices("", true));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn pins_split_at_the_first_equals() {
        assert_eq!(split_pin("a=b=c").unwrap(), ("a".into(), "b=c".into()));
        assert!(split_pin("lr")
            .unwrap_err()
            .to_string()
            .contains("expected 'name=value'"));
        assert!(split_pin("=42")
            .unwrap_err()
            .to_string()
            .contains("empty parameter name"));
    }

    #[test]
    fn index_specs() {
        assert_eq!(parse_indices("0-2,5").unwrap(), [0, 1, 2, 5]);
        assert_eq!(parse_indices("0-1%1").unwrap(), [0, 1]);
        assert_eq!(parse_indices(" 3 ,1").unwrap(), [1, 3]);
        assert!(parse_indices("3-1")
            .unwrap_err()
            .to_string()
            .contains("is empty (did you mean 1-3?)"));
        assert!(parse_indices("").is_err());
        // Refused from the ranges, before 10,000,001 indices are listed.
        let e = parse_indices("0-10000000").unwrap_err().to_string();
        assert!(e.contains("more than 5000000 indices"), "{e}");
        assert!(parse_indices("0-18446744073709551615").is_err());
        assert!(parse_indices(
            &"0-4000000,"
                .repeat(3)
                .trim_end_matches(',')
                .replace(",0", ",1")
        )
        .is_err());
        assert_eq!(parse_indices("0-4999999").unwrap().len(), 5_000_000);
        assert_eq!(MAX_INDICES, crate::config::MAX_TRIALS);
        assert_eq!(some_indices([1, 2].into_iter()), "1, 2");
        assert_eq!(some_indices(5..41), "5, 6, 7, 8, 9 … and 31 more");
        assert!(parse_indices("-1").is_err());
        assert!(parse_indices("a").is_err());
    }

    #[test]
    fn version_names_the_target() {
        assert!(version().contains("-unknown-linux-"));
    }
}
