//! The one error type of the toolkit, its exit codes and broken-pipe detection.
//!
//! Every tool returns `Result<ExitCode, Error>`; `cli::main` prints the error as
//! `herd-<tool>: error: <message>` (plus an optional `hint: <fix>` line) and exits with
//! [`Error::exit_code`]. Help and version are modelled as errors so that they can be
//! returned from deep inside argument parsing and still go to stdout with exit 0.

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Exit status: success, including a closed pipe.
pub const EXIT_OK: u8 = 0;
/// Exit status: the work failed (SLURM refused, a file is corrupt, I/O failed).
pub const EXIT_FAILED: u8 = 1;
/// Exit status: usage or configuration error.
pub const EXIT_USAGE: u8 = 2;
/// Exit status of `herd-log`: this trial was asked to stop (pruned or paused).
pub const EXIT_STOP: u8 = 3;

/// Everything that can go wrong in a herd tool.
#[derive(Debug)]
pub enum Error {
    /// `--help` was asked for; the payload is the usage text (stdout, exit 0).
    Help(&'static str),
    /// `--version` was asked for (stdout, exit 0).
    Version,
    /// Bad command line (exit 2); the wrapper adds "try '<tool> --help'".
    Usage(String),
    /// `hyperherd.yaml` is invalid: every problem found, each naming its key (exit 2).
    Config {
        /// The config file.
        path: PathBuf,
        /// One line per problem.
        problems: Vec<String>,
    },
    /// Bad input that is not a command line or config problem (exit 2).
    Invalid {
        /// What is wrong.
        msg: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// The work failed (exit 1).
    Failed {
        /// What failed.
        msg: String,
        /// How to fix it.
        hint: Option<String>,
    },
    /// An I/O error, with the file and what was being done.
    Io {
        /// What was being done, e.g. "reading /x/manifest.json".
        what: String,
        /// The underlying error.
        source: io::Error,
    },
    /// A JSON (de)serialisation error.
    Json {
        /// What was being done.
        what: String,
        /// The underlying error.
        source: serde_json::Error,
    },
    /// The trial was asked to stop: `herd-log` exits 3 after writing.
    Stop(String),
    /// Another error with a hint (for the variants that have no hint field).
    Hinted {
        /// The error.
        error: Box<Error>,
        /// How to fix it.
        hint: String,
    },
}

impl Error {
    /// A usage error.
    pub fn usage(msg: impl Into<String>) -> Error {
        Error::Usage(msg.into())
    }

    /// One problem with the config file at `path` (exit 2).
    pub fn config(path: &std::path::Path, problem: impl Into<String>) -> Error {
        Error::Config {
            path: path.to_path_buf(),
            problems: vec![problem.into()],
        }
    }

    /// Bad input (exit 2).
    pub fn invalid(msg: impl Into<String>) -> Error {
        Error::Invalid {
            msg: msg.into(),
            hint: None,
        }
    }

    /// The work failed (exit 1).
    pub fn failed(msg: impl Into<String>) -> Error {
        Error::Failed {
            msg: msg.into(),
            hint: None,
        }
    }

    /// An I/O error while doing `what`.
    pub fn io(what: impl Into<String>, source: io::Error) -> Error {
        Error::Io {
            what: what.into(),
            source,
        }
    }

    /// A JSON error while doing `what`.
    pub fn json(what: impl Into<String>, source: serde_json::Error) -> Error {
        Error::Json {
            what: what.into(),
            source,
        }
    }

    /// Attach a hint, to any error: every variant keeps it (a usage error becomes bad
    /// input with that hint, same exit status; help and version need none).
    pub fn hint(self, h: impl Into<String>) -> Error {
        let hint = h.into();
        match self {
            Error::Invalid { msg, .. } | Error::Usage(msg) => Error::Invalid {
                msg,
                hint: Some(hint),
            },
            Error::Failed { msg, .. } => Error::Failed {
                msg,
                hint: Some(hint),
            },
            Error::Hinted { error, .. } => Error::Hinted { error, hint },
            e @ (Error::Help(_) | Error::Version) => e,
            error => Error::Hinted {
                error: Box::new(error),
                hint,
            },
        }
    }

    /// The hint line to print after the message, if any.
    pub fn hint_text(&self) -> Option<&str> {
        match self {
            Error::Invalid { hint, .. } | Error::Failed { hint, .. } => hint.as_deref(),
            Error::Hinted { hint, .. } => Some(hint),
            _ => None,
        }
    }

    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Help(_) | Error::Version => EXIT_OK,
            _ if self.is_broken_pipe() => EXIT_OK,
            Error::Usage(_) | Error::Config { .. } | Error::Invalid { .. } => EXIT_USAGE,
            Error::Stop(_) => EXIT_STOP,
            Error::Failed { .. } | Error::Io { .. } | Error::Json { .. } => EXIT_FAILED,
            Error::Hinted { error, .. } => error.exit_code(),
        }
    }

    /// True when the error is a closed stdout pipe, also when hidden inside serde_json.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Io { source, .. } => source.kind() == io::ErrorKind::BrokenPipe,
            Error::Json { source, .. } => source.io_error_kind() == Some(io::ErrorKind::BrokenPipe),
            Error::Hinted { error, .. } => error.is_broken_pipe(),
            _ => false,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Help(_) => f.write_str("help requested"),
            Error::Version => f.write_str("version requested"),
            Error::Usage(m) => f.write_str(m),
            Error::Config { path, problems } => {
                let n = problems.len();
                write!(
                    f,
                    "{}: {} problem{}",
                    path.display(),
                    n,
                    if n == 1 { "" } else { "s" }
                )?;
                for p in problems {
                    write!(f, "\n  {p}")?;
                }
                Ok(())
            }
            Error::Invalid { msg, .. } | Error::Failed { msg, .. } => f.write_str(msg),
            Error::Io { what, source } if what.is_empty() => write!(f, "{source}"),
            Error::Io { what, source } => write!(f, "{what}: {source}"),
            Error::Json { what, source } => write!(f, "{what}: {source}"),
            Error::Stop(m) => f.write_str(m),
            Error::Hinted { error, .. } => error.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Json { source, .. } => Some(source),
            Error::Hinted { error, .. } => error.source(),
            _ => None,
        }
    }
}

impl From<lexopt::Error> for Error {
    fn from(e: lexopt::Error) -> Error {
        Error::Usage(e.to_string())
    }
}

/// An I/O error propagated with `?` (mostly writing output): reported as the system
/// says it, with no guessed context (a broken pipe still exits 0). Where the file or
/// the action is known, callers use [`Error::io`] instead.
impl From<io::Error> for Error {
    fn from(e: io::Error) -> Error {
        Error::io("", e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_keeps_its_hint_and_exit_status() {
        let io = || io::Error::other("disk on fire");
        let cases = [
            (Error::usage("bad flag"), EXIT_USAGE),
            (Error::invalid("bad input"), EXIT_USAGE),
            (Error::failed("it failed"), EXIT_FAILED),
            (Error::io("reading x", io()), EXIT_FAILED),
            (Error::Stop("pruned".into()), EXIT_STOP),
        ];
        for (e, code) in cases {
            let text = e.to_string();
            let e = e.hint("do this");
            assert_eq!(e.hint_text(), Some("do this"), "{e:?}");
            assert_eq!(e.exit_code(), code, "{e:?}");
            assert_eq!(e.to_string(), text);
            let e = e.hint("do that");
            assert_eq!(e.hint_text(), Some("do that"));
        }
        let e: Error = io().into();
        assert_eq!(e.to_string(), "disk on fire");
        let pipe: Error = io::Error::from(io::ErrorKind::BrokenPipe).into();
        assert!(pipe.hint("x").is_broken_pipe());
    }

    #[test]
    fn broken_pipe_inside_serde_json_exits_zero() {
        let e = serde_json::Error::io(io::Error::from(io::ErrorKind::BrokenPipe));
        let err = Error::json("writing records", e);
        assert!(err.is_broken_pipe());
        assert_eq!(err.exit_code(), EXIT_OK);
    }

    #[test]
    fn exit_codes_follow_the_table() {
        assert_eq!(Error::usage("x").exit_code(), 2);
        assert_eq!(Error::invalid("x").exit_code(), 2);
        assert_eq!(Error::failed("x").exit_code(), 1);
        assert_eq!(Error::Stop("x".into()).exit_code(), 3);
        let cfg = Error::Config {
            path: "a.yaml".into(),
            problems: vec!["p".into()],
        };
        assert_eq!(cfg.exit_code(), 2);
        assert_eq!(cfg.to_string(), "a.yaml: 1 problem\n  p");
    }

    #[test]
    fn hints_attach_to_messages() {
        let e = Error::failed("sbatch failed").hint("check the partition");
        assert_eq!(e.hint_text(), Some("check the partition"));
        assert_eq!(e.to_string(), "sbatch failed");
    }
}
