//! The shared frame of every tool: the `main` wrapper, shared flag groups, output mode.
//!
//! A tool is a `fn(Vec<OsString>) -> Result<ExitCode, Error>`; `bins/herd-x.rs` calls
//! [`main`] with it. The wrapper prints help/version to stdout, errors to stderr as
//! `herd-x: error: …` (+ `hint: …`), and turns a closed pipe into a quiet exit 0.

use crate::error::Error;
use std::ffi::OsString;
use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

/// The signature of every tool's entry point.
pub type Tool = fn(Vec<OsString>) -> Result<ExitCode, Error>;

/// Run `tool` with the process arguments and turn its result into the exit status.
pub fn main(name: &str, tool: Tool) -> ExitCode {
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

/// Flags every tool takes: `-h/--help`, `-V/--version`, and (where a tool prints
/// records) `--json`/`--table`.
#[derive(Debug, Default)]
pub struct Common {
    forced: Option<Output>,
}

impl Common {
    /// Consume `arg` if it is a common flag. Returns `Ok(true)` when consumed.
    pub fn parse(&mut self, arg: &lexopt::Arg<'_>, usage: &'static str) -> Result<bool, Error> {
        use lexopt::Arg::{Long, Short};
        match arg {
            Short('h') | Long("help") => Err(Error::Help(usage)),
            Short('V') | Long("version") => Err(Error::Version),
            Long("json") => {
                self.forced = Some(Output::Json);
                Ok(true)
            }
            Long("table") => {
                self.forced = Some(Output::Table);
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    /// The output mode: forced by a flag, else a table on a terminal, NDJSON otherwise.
    pub fn output(&self) -> Output {
        self.forced.unwrap_or_else(|| {
            if io::stdout().is_terminal() {
                Output::Table
            } else {
                Output::Json
            }
        })
    }
}

/// Parse `NAME=VALUE` for `--pin`; the value is kept as text (the caller types it).
pub fn split_pin(s: &str) -> Result<(String, String), Error> {
    match s.split_once('=') {
        None => Err(Error::usage(format!(
            "--pin '{s}': expected 'name=value' (e.g. --pin lr=0.01)"
        ))),
        Some(("", _)) => Err(Error::usage(format!("--pin '{s}': empty parameter name"))),
        Some((k, v)) => Ok((k.to_string(), v.to_string())),
    }
}

/// Standard output, buffered (Rust's stdout is line-buffered even into a pipe).
pub fn stdout() -> io::BufWriter<io::StdoutLock<'static>> {
    io::BufWriter::with_capacity(64 * 1024, io::stdout().lock())
}

/// True when stdin is a terminal (tools that read records then act differently).
pub fn stdin_is_terminal() -> bool {
    io::stdin().is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn version_names_the_target() {
        assert!(version().contains("-unknown-linux-"));
    }
}
