//! The flag groups tools share. Each tool lists the groups it takes and passes every
//! argument to them (`cli::shared_flags!`) before its own `match`; a flag then has one
//! spelling, one meaning and one error text in every tool that has it.
//!
//! - [`Standard`]: `-h/--help`, `-V/--version` (every tool);
//! - [`OutputFlags`]: `--json`/`--table` (tools that print records);
//! - [`Pins`]: `-p/--pin NAME=VALUE`, repeatable;
//! - [`Statuses`]: `-s/--status LIST`, comma-separated status words, repeatable;
//! - [`Which`]: `-i/--indices SPEC` and `-a/--all`;
//! - [`Watch`]: `-w/--watch [SECS]` (and herd-status's `--wait [SECS]`).

use super::Output;
use crate::error::Error;
use lexopt::{Arg, Parser, ValueExt};
use std::io::{self, IsTerminal};

/// A group of flags. Parsing is two steps because a lexopt argument borrows the
/// parser: [`flag_of`] asks which group's flag an argument is, then [`take`] reads
/// its value (the argument is no longer needed).
pub trait Group {
    /// Which of this group's flags `arg` is, if any (a number the group chooses).
    fn flag(&self, arg: &Arg<'_>) -> Result<Option<u8>, Error>;
    /// Record flag `flag`, reading its value from `p` if it takes one.
    fn take(&mut self, flag: u8, p: &mut Parser) -> Result<(), Error>;
}

/// A flag found by [`flag_of`]: which group, and which of its flags.
#[derive(Debug, Clone, Copy)]
pub struct Hit(usize, u8);

/// Which of `groups` takes `arg`, if one does.
pub fn flag_of(arg: &Arg<'_>, groups: &[&mut dyn Group]) -> Result<Option<Hit>, Error> {
    for (k, g) in groups.iter().enumerate() {
        if let Some(f) = g.flag(arg)? {
            return Ok(Some(Hit(k, f)));
        }
    }
    Ok(None)
}

/// Let the group [`flag_of`] found take its flag.
pub fn take(hit: Hit, groups: &mut [&mut dyn Group], p: &mut Parser) -> Result<(), Error> {
    groups[hit.0].take(hit.1, p)
}

/// `-h/--help` (prints the tool's usage) and `-V/--version`.
#[derive(Debug, Clone, Copy)]
pub struct Standard(pub &'static str);

impl Group for Standard {
    fn flag(&self, arg: &Arg<'_>) -> Result<Option<u8>, Error> {
        match arg {
            Arg::Short('h') | Arg::Long("help") => Err(Error::Help(self.0)),
            Arg::Short('V') | Arg::Long("version") => Err(Error::Version),
            _ => Ok(None),
        }
    }

    fn take(&mut self, _: u8, _: &mut Parser) -> Result<(), Error> {
        Ok(())
    }
}

/// `--json`/`--table`: how records are printed.
#[derive(Debug, Default)]
pub struct OutputFlags {
    forced: Option<Output>,
}

impl Group for OutputFlags {
    fn flag(&self, arg: &Arg<'_>) -> Result<Option<u8>, Error> {
        Ok(match arg {
            Arg::Long("json") => Some(0),
            Arg::Long("table") => Some(1),
            _ => None,
        })
    }

    fn take(&mut self, flag: u8, _: &mut Parser) -> Result<(), Error> {
        self.forced = Some(if flag == 0 {
            Output::Json
        } else {
            Output::Table
        });
        Ok(())
    }
}

impl OutputFlags {
    /// The output mode a flag forced, if any.
    pub fn forced(&self) -> Option<Output> {
        self.forced
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

/// `-p/--pin NAME=VALUE`, repeatable; the values are text (the caller types them).
#[derive(Debug, Default)]
pub struct Pins(pub Vec<(String, String)>);

impl Group for Pins {
    fn flag(&self, arg: &Arg<'_>) -> Result<Option<u8>, Error> {
        Ok(matches!(arg, Arg::Short('p') | Arg::Long("pin")).then_some(0))
    }

    fn take(&mut self, _: u8, p: &mut Parser) -> Result<(), Error> {
        self.0.push(split_pin(&p.value()?.string()?)?);
        Ok(())
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

/// `--sort [-]NAME`: the name, and true for descending (a leading `-`), the same in
/// every tool that sorts.
pub fn split_sort(s: &str) -> Result<(String, bool), Error> {
    let (name, desc) = match s.strip_prefix('-') {
        Some(n) => (n, true),
        None => (s, false),
    };
    if name.is_empty() {
        return Err(Error::usage(format!("--sort '{s}': expected [-]METRIC")));
    }
    Ok((name.to_string(), desc))
}

/// The value of a counting flag (`--top N`, `--lines N`): a whole number of `what`,
/// at least `min`.
pub fn count(flag: &str, s: &str, what: &str, min: usize) -> Result<usize, Error> {
    match s.parse::<usize>() {
        Ok(n) if n >= min => Ok(n),
        _ => Err(Error::usage(format!(
            "{flag} '{s}': expected a number of {what} ({min} or more)"
        ))),
    }
}

/// `-s/--status LIST`: a comma-separated list of status words (blanks around a word
/// are trimmed), each one the sweep's model knows; repeatable, the lists add up. The frame knows
/// no statuses: the tool passes the known words in.
#[derive(Debug)]
pub struct Statuses {
    known: &'static [&'static str],
    accepts: fn(&str) -> bool,
    /// The status words given, in order.
    pub words: Vec<String>,
}

impl Statuses {
    /// The group, accepting the words `accepts` takes; the error lists `known`.
    pub fn new(known: &'static [&'static str], accepts: fn(&str) -> bool) -> Statuses {
        Statuses {
            known,
            accepts,
            words: Vec::new(),
        }
    }
}

impl Group for Statuses {
    fn flag(&self, arg: &Arg<'_>) -> Result<Option<u8>, Error> {
        Ok(matches!(arg, Arg::Short('s') | Arg::Long("status")).then_some(0))
    }

    fn take(&mut self, _: u8, p: &mut Parser) -> Result<(), Error> {
        let list = p.value()?.string()?;
        if list.split(',').any(|w| w.trim().is_empty()) {
            return Err(Error::usage(format!(
                "--status '{list}': empty status in the list"
            )));
        }
        for word in list.split(',').map(str::trim) {
            if !(self.accepts)(word) {
                return Err(Error::usage(format!(
                    "--status: unknown status '{word}' (statuses: {})",
                    self.known.join(", ")
                )));
            }
            self.words.push(word.to_string());
        }
        Ok(())
    }
}

/// The `-i/--indices SPEC` and `-a/--all` flags of the tools that act on chosen
/// trials (herd-submit, herd-stop); without either, the trials come from stdin.
#[derive(Debug, Default)]
pub struct Which {
    /// `--indices SPEC`, unparsed.
    pub indices: Option<String>,
    /// `--all`.
    pub all: bool,
}

impl Group for Which {
    fn flag(&self, arg: &Arg<'_>) -> Result<Option<u8>, Error> {
        Ok(match arg {
            Arg::Short('i') | Arg::Long("indices") => Some(0),
            Arg::Short('a') | Arg::Long("all") => Some(1),
            _ => None,
        })
    }

    fn take(&mut self, flag: u8, p: &mut Parser) -> Result<(), Error> {
        match flag {
            0 => self.indices = Some(p.value()?.string()?),
            _ => self.all = true,
        }
        Ok(())
    }
}

impl Which {
    /// Refuse both at once.
    pub fn check(&self) -> Result<(), Error> {
        if self.all && self.indices.is_some() {
            return Err(Error::usage("pass either --indices or --all, not both"));
        }
        Ok(())
    }
}

/// The minimum interval between two syncs of a sweep on SLURM: one sync is one sacct
/// and one squeue call, and a controller serving hundreds of users should not see
/// them more often than this.
pub const MIN_WATCH: u64 = 10;
/// A sweep whose every job is local asks no controller: it may be watched closely.
pub const MIN_WATCH_LOCAL: u64 = 1;

/// `-w/--watch [SECS]`: repeat every SECS seconds; with `waits`, also `--wait
/// [SECS]`. The interval is optional: `--watch`, `--watch=60`, `-w60`, `--watch 60`.
#[derive(Debug, Default)]
pub struct Watch {
    /// Whether `--wait` is a flag of this tool.
    pub waits: bool,
    /// `--watch`/`--wait` given: with its interval, if one was given.
    pub every: Option<Option<u64>>,
    /// `--wait` (not `--watch`).
    pub wait: bool,
}

impl Group for Watch {
    fn flag(&self, arg: &Arg<'_>) -> Result<Option<u8>, Error> {
        Ok(match arg {
            Arg::Short('w') | Arg::Long("watch") => Some(0),
            Arg::Long("wait") if self.waits => Some(1),
            _ => None,
        })
    }

    fn take(&mut self, flag: u8, p: &mut Parser) -> Result<(), Error> {
        self.wait |= flag == 1;
        let name = self.flag_name();
        let secs = match p.optional_value() {
            Some(v) => Some(
                v.parse::<u64>()
                    .map_err(|_| Error::usage(format!("{name} takes a number of seconds")))?,
            ),
            None => p.try_raw_args().and_then(|mut raw| {
                let n = raw
                    .peek()
                    .and_then(|a| a.to_str())
                    .and_then(|a| a.parse::<u64>().ok());
                if n.is_some() {
                    raw.next();
                }
                n
            }),
        };
        if secs.is_some_and(|s| s < MIN_WATCH_LOCAL) {
            return Err(Error::usage(format!(
                "{name} 0: the interval is at least {MIN_WATCH_LOCAL} second"
            )));
        }
        self.every = Some(secs.or(self.every.flatten()));
        Ok(())
    }
}

impl Watch {
    /// The flag as the user wrote it, for messages.
    pub fn flag_name(&self) -> &'static str {
        if self.wait {
            "--wait"
        } else {
            "--watch"
        }
    }

    /// The interval in seconds, if watching: as given (checked against the minimum
    /// for the backend), else the default (2 s for a local sweep, 30 s on SLURM).
    pub fn interval(&self, local_only: bool) -> Result<Option<u64>, Error> {
        let Some(given) = self.every else {
            return Ok(None);
        };
        let (min, default) = if local_only {
            (MIN_WATCH_LOCAL, 2)
        } else {
            (MIN_WATCH, 30)
        };
        match given {
            Some(secs) if secs < min => Err(Error::usage(format!(
                "{} {secs}: the minimum interval is {min} seconds for a sweep on SLURM",
                self.flag_name()
            ))
            .hint("one sync is one sacct and one squeue call; the controller serves everyone")),
            Some(secs) => Ok(Some(secs)),
            None => Ok(Some(default)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn statuses(argv: &[&str]) -> Result<Vec<String>, Error> {
        let mut s = Statuses::new(&["running", "failed"], |w| w == "running" || w == "failed");
        let mut p = Parser::from_args(argv.iter().copied());
        while let Some(arg) = p.next()? {
            let f = s.flag(&arg)?.expect("a --status flag");
            s.take(f, &mut p)?;
        }
        Ok(s.words)
    }

    #[test]
    fn statuses_are_one_list_syntax() {
        assert_eq!(
            statuses(&["-s", "running, failed", "--status", "running"]).unwrap(),
            ["running", "failed", "running"]
        );
        let e = statuses(&["-s", "running,"]).unwrap_err().to_string();
        assert_eq!(e, "--status 'running,': empty status in the list");
        let e = statuses(&["-s", "complete"]).unwrap_err().to_string();
        assert_eq!(
            e,
            "--status: unknown status 'complete' (statuses: running, failed)"
        );
    }
}
