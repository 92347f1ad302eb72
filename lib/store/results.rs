//! The results of a trial: summary metrics, metric streams and stop signals (spec §5.5).
//!
//! Files, all byte-compatible with the reference's `log_result`:
//!
//! - `results/<i>.json`: the summary, an object `{metric: value}` in first-logged order,
//!   indented Python JSON, no trailing newline. herd merges into it under an `flock` on
//!   `results/<i>.lock` and replaces it atomically (B17), so concurrent writers lose
//!   nothing and a reader never sees a half-written file.
//! - `results/<i>/stream/<name>.jsonl`: one compact Python-JSON line
//!   `{"step": S, "value": V, "ts": T}` per logged step. A `/` in the name makes
//!   sub-directories. Each line is written with a single `write` on an `O_APPEND` file
//!   descriptor while holding an `flock` on the stream file itself: appends from many
//!   processes never interleave, and on NFS the lock also orders appends from several
//!   nodes.
//! - `results/<i>/_signal`: `prune` or `pause`, written by successive halving (§12.6).
//!
//! Readers accept what Python writes, `NaN` and `Infinity` included. Streams are
//! deduplicated per step (the largest `ts` wins, ties go to the later line) and lines
//! that do not parse are skipped, as the reference does; so is a torn last line (a
//! writer that died, or the reference on a full disk).
//!
//! A failed append (a full disk) leaves the stream as it was: the length is taken
//! under the lock and the file cut back to it. An append after a torn tail starts
//! on a line of its own, so one torn record never takes the next with it.
//!
//! Every results file is opened without following symbolic links and must be a
//! regular file (a FIFO would block, a link could point anywhere).

use crate::error::Error;
use crate::store::fs::{parse_py_json, write_atomic};
pub use crate::store::streams::check_stream_name;
use crate::store::streams::collect_streams;
pub(crate) use crate::store::streams::{parse_stream, stream_line};
use crate::store::workspace::Workspace;
use crate::text::pyjson;
use crate::text::value::{Assoc, Value};
use nix::errno::Errno;
use nix::fcntl::{Flock, FlockArg};
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::os::unix::fs::{FileExt, OpenOptionsExt};
use std::path::{Path, PathBuf};

/// The results of one trial of a workspace.
#[derive(Clone, Debug)]
pub struct TrialResults {
    results: PathBuf,
    index: u64,
}

/// A stop request written by successive halving into `results/<i>/_signal`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// The trial is pruned for good.
    Prune,
    /// The trial is paused; it may be resumed later.
    Pause,
}

impl Signal {
    /// The file text of the signal (`prune` / `pause`).
    pub fn as_str(self) -> &'static str {
        match self {
            Signal::Prune => "prune",
            Signal::Pause => "pause",
        }
    }
}

/// One record of a metric stream.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    /// The step (an integer).
    pub step: i64,
    /// The logged value.
    pub value: Value,
    /// Unix time of the append, when the record has a numeric `ts`.
    pub ts: Option<f64>,
}

/// An `flock` that is held when the filesystem supports locks.
///
/// Some NFS mounts (`nolock`, or no lock daemon) refuse locks with `ENOLCK`; writing
/// without the lock is then better than not writing at all (the write itself stays
/// atomic: a rename, or one `O_APPEND` write).
enum Held {
    Locked(Flock<File>),
    Unlocked(File),
}

impl Held {
    fn lock(file: File, what: &Path) -> Result<Held, Error> {
        match Flock::lock(file, FlockArg::LockExclusive) {
            Ok(f) => Ok(Held::Locked(f)),
            Err((file, Errno::ENOLCK | Errno::EOPNOTSUPP | Errno::ENOSYS)) => {
                Ok(Held::Unlocked(file))
            }
            Err((_, errno)) => Err(Error::io(
                format!("locking {}", what.display()),
                errno.into(),
            )),
        }
    }

    fn file(&self) -> &File {
        match self {
            Held::Locked(f) => f,
            Held::Unlocked(f) => f,
        }
    }
}

impl TrialResults {
    /// The results of trial `index` in `ws`.
    pub fn new(ws: &Workspace, index: u64) -> TrialResults {
        TrialResults {
            results: ws.results_dir(),
            index,
        }
    }

    /// `results/<i>.json`.
    pub fn summary_path(&self) -> PathBuf {
        self.results.join(format!("{}.json", self.index))
    }

    /// `results/<i>.lock`: serialises summary read-modify-writes.
    fn lock_path(&self) -> PathBuf {
        self.results.join(format!("{}.lock", self.index))
    }

    /// `results/<i>/`.
    fn trial_dir(&self) -> PathBuf {
        self.results.join(self.index.to_string())
    }

    /// `results/<i>/stream/`.
    pub fn stream_dir(&self) -> PathBuf {
        self.trial_dir().join("stream")
    }

    /// `results/<i>/stream/<name>.jsonl` (the name is not checked here).
    pub fn stream_path(&self, name: &str) -> PathBuf {
        self.stream_dir().join(format!("{name}.jsonl"))
    }

    /// `results/<i>/_signal`.
    pub fn signal_path(&self) -> PathBuf {
        self.trial_dir().join("_signal")
    }

    /// Read the summary; `None` when the trial logged none. A file that is not a JSON
    /// object is an error naming it (exit 1).
    pub fn read_summary(&self) -> Result<Option<Assoc>, Error> {
        let path = self.summary_path();
        let Some(bytes) = read_regular(&path)? else {
            return Ok(None);
        };
        let text = String::from_utf8(bytes).map_err(|_| corrupt(&path, "it is not UTF-8"))?;
        parse_summary(&text)
            .map(Some)
            .map_err(|msg| corrupt(&path, &msg))
    }

    /// Merge `entries` into the summary: a new metric goes at the end, a known one is
    /// overwritten in place. Locked and atomic; a corrupt summary is left untouched
    /// and reported.
    pub fn merge_summary(&self, entries: &[(String, Value)]) -> Result<(), Error> {
        if entries.is_empty() {
            return Ok(());
        }
        create_dir(&self.results)?;
        let lock_path = self.lock_path();
        let file = open_regular(
            OpenOptions::new().create(true).truncate(false).write(true),
            &lock_path,
        )?;
        let _held = Held::lock(file, &lock_path)?;
        let mut summary = self.read_summary()?.unwrap_or_default();
        for (k, v) in entries {
            summary.insert(k, v.clone());
        }
        let text = pyjson::indented(&Value::Map(summary));
        write_atomic(&self.summary_path(), text.as_bytes())
    }

    /// Append one record to the stream of metric `name` (checked with
    /// [`check_stream_name`]). `ts` is Unix time in seconds.
    pub fn append_stream(
        &self,
        name: &str,
        step: i64,
        value: &Value,
        ts: f64,
    ) -> Result<(), Error> {
        check_stream_name(name)?;
        let line = stream_line(step, value, ts);
        let path = self.stream_path(name);
        let mut opts = OpenOptions::new();
        opts.create(true).append(true).read(true);
        let file = match open_regular(&opts, &path) {
            Ok(f) => f,
            Err(Error::Io { source, .. }) if source.kind() == ErrorKind::NotFound => {
                if let Some(dir) = path.parent() {
                    create_dir(dir)?;
                }
                open_regular(&opts, &path)?
            }
            Err(e) => return Err(e),
        };
        let held = Held::lock(file, &path)?;
        // One write(2) of the whole line: O_APPEND makes it land at the end in one
        // piece. Only a full disk (or quota) makes it short, and then the file is cut
        // back to what it was.
        let mut write = |f: &File, buf: &[u8]| (&*f).write(buf);
        append_restoring(held.file(), line.as_bytes(), &mut write)
            .map_err(|e| Error::io(format!("appending to {}", path.display()), e))
    }

    /// True when the trial has a `stream/` directory.
    pub fn has_streams(&self) -> bool {
        self.stream_dir().is_dir()
    }

    /// The names of the trial's metric streams (`train/loss` for
    /// `stream/train/loss.jsonl`), sorted.
    pub fn stream_names(&self) -> Result<Vec<String>, Error> {
        let mut names = Vec::new();
        collect_streams(&self.stream_dir(), &mut names)?;
        names.sort();
        Ok(names)
    }

    /// Read the stream of metric `name`: one point per step, sorted by step.
    pub fn read_stream(&self, name: &str) -> Result<Vec<Point>, Error> {
        let path = self.stream_path(name);
        let Some(bytes) = read_regular(&path)? else {
            return Ok(Vec::new());
        };
        Ok(parse_stream(&bytes))
    }

    /// The bytes of the stream of metric `name` (empty when it does not exist), for
    /// [`crate::store::streams::parse_stream_raw`].
    pub(crate) fn read_stream_bytes(&self, name: &str) -> Result<Vec<u8>, Error> {
        Ok(read_regular(&self.stream_path(name))?.unwrap_or_default())
    }

    /// `results/<i>/_signal_escalated`: the backstop cancelled the trial's job once.
    pub fn escalated_path(&self) -> PathBuf {
        self.trial_dir().join("_signal_escalated")
    }

    /// Ask the trial to stop: `results/<i>/_signal` holding exactly `prune` or
    /// `pause`, replaced atomically (the trial reads it at its next streamed step).
    pub fn write_signal(&self, signal: Signal) -> Result<(), Error> {
        create_dir(&self.trial_dir())?;
        write_atomic(&self.signal_path(), signal.as_str().as_bytes())
    }

    /// Remove the signal and the escalation marker (before the trial runs again).
    /// Missing files are fine; a file that cannot be removed is an error: a resumed
    /// trial would stop at its first step.
    pub fn clear_signal(&self) -> Result<(), Error> {
        for path in [self.signal_path(), self.escalated_path()] {
            match std::fs::remove_file(&path) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io(format!("removing {}", path.display()), e)),
            }
        }
        Ok(())
    }

    /// The stop request of the trial, if `_signal` holds `prune` or `pause`.
    pub fn signal(&self) -> Result<Option<Signal>, Error> {
        let Some(bytes) = read_regular(&self.signal_path())? else {
            return Ok(None);
        };
        Ok(match String::from_utf8_lossy(&bytes).trim() {
            "prune" => Some(Signal::Prune),
            "pause" => Some(Signal::Pause),
            _ => None,
        })
    }
}

/// Open a results file without following a symbolic link (`O_NOFOLLOW`) or blocking
/// on a FIFO (`O_NONBLOCK`, which regular files ignore), and refuse anything but a
/// regular file.
fn open_regular(opts: &OpenOptions, path: &Path) -> Result<File, Error> {
    use nix::fcntl::OFlag;
    let not_regular = |what: &str| {
        Error::failed(format!("{} is {what}, not a regular file", path.display()))
            .hint("results files are written by herd-log and log_result only; remove it")
    };
    let mut opts = opts.clone();
    opts.custom_flags((OFlag::O_NOFOLLOW | OFlag::O_NONBLOCK).bits());
    let file = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.raw_os_error() == Some(Errno::ELOOP as i32) => {
            return Err(not_regular("a symbolic link"))
        }
        // Opening a FIFO for writing with no reader.
        Err(e) if e.raw_os_error() == Some(Errno::ENXIO as i32) => {
            return Err(not_regular("a FIFO or device"))
        }
        Err(e) => return Err(Error::io(format!("opening {}", path.display()), e)),
    };
    let md = file
        .metadata()
        .map_err(|e| Error::io(format!("opening {}", path.display()), e))?;
    if !md.file_type().is_file() {
        return Err(not_regular(if md.is_dir() {
            "a directory"
        } else {
            "a FIFO, socket or device"
        }));
    }
    Ok(file)
}

/// Read a results file that may not exist (see [`open_regular`]).
fn read_regular(path: &Path) -> Result<Option<Vec<u8>>, Error> {
    let mut file = match open_regular(OpenOptions::new().read(true), path) {
        Ok(f) => f,
        Err(Error::Io { source, .. }) if source.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    // Sized once from the file's length (the read still takes whatever is there).
    let len = file.metadata().map_or(0, |m| m.len() as usize);
    let mut buf = Vec::with_capacity(len.saturating_add(1));
    file.read_to_end(&mut buf)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    Ok(Some(buf))
}

/// Append `line` to `file` (opened with `O_APPEND`, locked) with `write`: after a
/// torn last line, on a line of its own; on a failed or short write, the file is
/// cut back to its length before, so a full disk never leaves half a record.
/// `write` is `File::write` except in tests, which make the disk fill up.
fn append_restoring(
    file: &File,
    line: &[u8],
    write: &mut dyn FnMut(&File, &[u8]) -> io::Result<usize>,
) -> io::Result<()> {
    let len = file.metadata()?.len();
    let mut last = [0u8; 1];
    let torn = len > 0 && file.read_at(&mut last, len - 1)? == 1 && last[0] != b'\n';
    let buf: std::borrow::Cow<'_, [u8]> = if torn {
        let mut b = Vec::with_capacity(line.len() + 1);
        b.push(b'\n');
        b.extend_from_slice(line);
        b.into()
    } else {
        line.into()
    };
    let mut rest = &buf[..];
    while !rest.is_empty() {
        let err = match write(file, rest) {
            Ok(0) => io::Error::from(ErrorKind::WriteZero),
            Ok(n) => {
                rest = &rest[n..];
                continue;
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => e,
        };
        // Best effort: if even this fails, readers still skip the torn line.
        let _ = file.set_len(len);
        return Err(err);
    }
    Ok(())
}

/// Parse JSON as Python writes it, integers of any size included: one outside 64 bits
/// (which serde_json would refuse, or round to a float) becomes [`Value::BigInt`]
/// holding its exact text. Text without such an integer takes the plain path.
pub(crate) fn parse_exact(text: &str) -> Result<Value, String> {
    const MARK: &str = "\u{0}herd:int:";
    if !has_long_digit_run(text.as_bytes()) {
        return parse_py_json(text);
    }
    // Replace each out-of-range integer token (outside strings) by a marker string,
    // parse, and turn the markers back into BigInt.
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + 32);
    let (mut i, mut copied, mut in_str) = (0, 0, false);
    while i < b.len() {
        let c = b[i];
        if in_str {
            match c {
                b'\\' => i += 1,
                b'"' => in_str = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if c == b'"' {
            in_str = true;
            i += 1;
            continue;
        }
        if c == b'-' || c.is_ascii_digit() {
            let start = i;
            while i < b.len() && matches!(b[i], b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                i += 1;
            }
            let tok = &text[start..i];
            let digits = tok.strip_prefix('-').unwrap_or(tok);
            if !digits.is_empty()
                && digits.bytes().all(|d| d.is_ascii_digit())
                && tok.parse::<i64>().is_err()
            {
                out.push_str(&text[copied..start]);
                out.push_str("\"\\u0000herd:int:");
                out.push_str(tok);
                out.push('"');
                copied = i;
            }
            continue;
        }
        i += 1;
    }
    out.push_str(&text[copied..]);
    fn restore(v: Value) -> Value {
        match v {
            Value::Str(s) => match s.strip_prefix(MARK) {
                Some(digits) => Value::BigInt(digits.to_string()),
                None => Value::Str(s),
            },
            Value::List(items) => Value::List(items.into_iter().map(restore).collect()),
            Value::Map(m) => Value::Map(Assoc(
                m.0.into_iter().map(|(k, v)| (k, restore(v))).collect(),
            )),
            other => other,
        }
    }
    parse_py_json(&out).map(restore)
}

/// True when `b` has 19 or more digits in a row: the only way an integer outside
/// 64 bits can be written (i64::MAX has 19 digits).
fn has_long_digit_run(b: &[u8]) -> bool {
    let mut run = 0;
    for &c in b {
        if c.is_ascii_digit() {
            run += 1;
            if run >= 19 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

fn parse_summary(text: &str) -> Result<Assoc, String> {
    match parse_exact(text)? {
        Value::Map(m) => Ok(m),
        other => Err(format!("expected a JSON object, got {}", other.kind())),
    }
}

fn create_dir(dir: &Path) -> Result<(), Error> {
    fs::create_dir_all(dir).map_err(|e| Error::io(format!("creating {}", dir.display()), e))
}

fn corrupt(path: &Path, msg: &str) -> Error {
    Error::failed(format!("{} is corrupt: {msg}", path.display()))
}

/// "Now" as Unix seconds: `HERD_NOW` when set (Unix seconds, or UTC
/// `YYYY-MM-DDTHH:MM:SS[.frac]Z`), else the system clock.
pub fn now() -> Result<f64, Error> {
    if let Some(v) = std::env::var_os("HERD_NOW") {
        let text = v.to_string_lossy();
        return parse_now(&text).ok_or_else(|| {
            Error::invalid(format!(
                "HERD_NOW='{text}': expected Unix seconds or a UTC time like 2026-01-01T00:00:00Z"
            ))
        });
    }
    let d = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Ok(d.as_secs_f64())
}

fn parse_now(text: &str) -> Option<f64> {
    if let Ok(x) = text.parse::<f64>() {
        return x.is_finite().then_some(x);
    }
    let s = text.strip_suffix('Z')?;
    let (date, time) = s.split_once('T')?;
    let mut d = date.splitn(3, '-').map(|p| p.parse::<i64>().ok());
    let (y, mo, da) = (d.next()??, d.next()??, d.next()??);
    let (hms, frac) = match time.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (time, None),
    };
    let mut t = hms.splitn(3, ':').map(|p| p.parse::<i64>().ok());
    let (h, mi, se) = (t.next()??, t.next()??, t.next()??);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&da) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let frac = match frac {
        Some(f) if !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()) => {
            format!("0.{f}").parse::<f64>().ok()?
        }
        Some(_) => return None,
        None => 0.0,
    };
    let days = days_from_civil(y, mo, da);
    Some((days * 86_400 + h * 3_600 + mi * 60 + se) as f64 + frac)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("herd-results-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(d.join(".hyperherd")).unwrap();
        d
    }

    #[test]
    fn summary_keeps_first_logged_order_and_python_layout() {
        let d = tempdir("summary");
        let t = TrialResults::new(&Workspace::new(&d), 3);
        t.merge_summary(&[("loss".into(), Value::Float(0.5))])
            .unwrap();
        t.merge_summary(&[
            ("acc".into(), Value::Int(1)),
            ("loss".into(), Value::Float(f64::NAN)),
        ])
        .unwrap();
        // python3 -c 'import json; print(json.dumps({"loss": float("nan"), "acc": 1}, indent=2), end="")'
        assert_eq!(
            fs::read_to_string(t.summary_path()).unwrap(),
            "{\n  \"loss\": NaN,\n  \"acc\": 1\n}"
        );
        let s = t.read_summary().unwrap().unwrap();
        assert!(matches!(s.get("loss"), Some(Value::Float(f)) if f.is_nan()));
    }

    #[test]
    fn corrupt_summary_is_reported_and_kept() {
        let d = tempdir("corrupt");
        let t = TrialResults::new(&Workspace::new(&d), 0);
        fs::create_dir_all(d.join(".hyperherd/results")).unwrap();
        fs::write(t.summary_path(), "{\"a\": ").unwrap();
        let e = t.merge_summary(&[("b".into(), Value::Int(1))]).unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("0.json is corrupt"), "{e}");
        assert_eq!(fs::read_to_string(t.summary_path()).unwrap(), "{\"a\": ");
        fs::write(t.summary_path(), "[1]").unwrap();
        let e = t.read_summary().unwrap_err().to_string();
        assert!(e.ends_with("expected a JSON object, got a list"), "{e}");
    }

    #[test]
    fn stream_lines_match_python() {
        // python3 -c 'import json; print(json.dumps({"step": 20, "value": 1/21, "ts": 1795942166.6829207}))'
        assert_eq!(
            stream_line(20, &Value::Float(1.0 / 21.0), 1795942166.6829207),
            "{\"step\": 20, \"value\": 0.047619047619047616, \"ts\": 1795942166.6829207}\n"
        );
        assert_eq!(
            stream_line(-1, &Value::Float(f64::INFINITY), 1.5),
            "{\"step\": -1, \"value\": Infinity, \"ts\": 1.5}\n"
        );
    }

    #[test]
    fn streams_nest_and_list_sorted() {
        let d = tempdir("streams");
        let t = TrialResults::new(&Workspace::new(&d), 1);
        t.append_stream("train/loss", 0, &Value::Float(1.0), 10.0)
            .unwrap();
        t.append_stream("acc", 0, &Value::Int(0), 10.0).unwrap();
        t.append_stream("train/loss", 1, &Value::Float(0.5), 11.0)
            .unwrap();
        assert!(d
            .join(".hyperherd/results/1/stream/train/loss.jsonl")
            .is_file());
        assert_eq!(t.stream_names().unwrap(), vec!["acc", "train/loss"]);
        let last = |name: &str| t.read_stream(name).unwrap().pop().map(|p| p.value);
        assert_eq!(last("acc"), Some(Value::Int(0)));
        assert_eq!(last("train/loss"), Some(Value::Float(0.5)));
    }

    #[test]
    fn stream_names_that_escape_are_refused() {
        for bad in [
            "", "/abs", "\\abs", "../x", "a/../b", "a\\..\\b", "a//b", "./a", "a/",
        ] {
            let e = check_stream_name(bad).unwrap_err();
            assert_eq!(e.exit_code(), 2, "{bad}");
        }
        for good in ["loss", "train/loss", "a.b", "..a", "a..", "val loss"] {
            check_stream_name(good).unwrap();
        }
    }

    #[test]
    fn streams_dedupe_per_step() {
        let text = "\
{\"step\": 1, \"value\": 1, \"ts\": 5.0}
not json
{\"step\": 0, \"value\": 0, \"ts\": 1.0}
{\"step\": 1, \"value\": 2, \"ts\": 4.0}
{\"value\": 9, \"ts\": 9.0}
{\"step\": 2, \"value\": 3, \"ts\": 7.0}
{\"step\": 2, \"value\": 4, \"ts\": 7.0}
{\"step\": 3, \"value\": NaN, \"ts\": 8.0}
";
        let pts = parse_stream(text.as_bytes());
        let got: Vec<(i64, String)> = pts
            .iter()
            .map(|p| (p.step, format!("{:?}", p.value)))
            .collect();
        assert_eq!(
            got,
            vec![
                (0, "Int(0)".to_string()),
                (1, "Int(1)".to_string()),
                (2, "Int(4)".to_string()),
                (3, "Float(NaN)".to_string()),
            ]
        );
    }

    #[test]
    fn signals_are_read_stripped() {
        let d = tempdir("signal");
        let t = TrialResults::new(&Workspace::new(&d), 2);
        assert_eq!(t.signal().unwrap(), None);
        fs::create_dir_all(t.signal_path().parent().unwrap()).unwrap();
        fs::write(t.signal_path(), "pause\n").unwrap();
        assert_eq!(t.signal().unwrap(), Some(Signal::Pause));
        fs::write(t.signal_path(), "prune").unwrap();
        assert_eq!(t.signal().unwrap(), Some(Signal::Prune));
        fs::write(t.signal_path(), "other").unwrap();
        assert_eq!(t.signal().unwrap(), None);
    }

    #[test]
    fn an_append_after_a_torn_tail_starts_a_fresh_line() {
        let d = tempdir("torn");
        let t = TrialResults::new(&Workspace::new(&d), 0);
        fs::create_dir_all(t.stream_dir()).unwrap();
        // A writer died (or the disk filled) in the middle of step 2's line.
        fs::write(
            t.stream_path("loss"),
            "{\"step\": 1, \"value\": 1, \"ts\": 1.0}\n{\"step\": 2, \"val",
        )
        .unwrap();
        // Readers skip the torn last line rather than misread it.
        assert_eq!(t.read_stream("loss").unwrap().len(), 1);
        t.append_stream("loss", 3, &Value::Int(3), 3.0).unwrap();
        let steps: Vec<i64> = t
            .read_stream("loss")
            .unwrap()
            .iter()
            .map(|p| p.step)
            .collect();
        assert_eq!(steps, vec![1, 3], "step 3 was glued onto the torn line");
        assert!(fs::read_to_string(t.stream_path("loss"))
            .unwrap()
            .ends_with("\"val\n{\"step\": 3, \"value\": 3, \"ts\": 3.0}\n"));
    }

    #[test]
    fn planted_symlinks_are_refused_not_followed() {
        let d = tempdir("symlink");
        let t = TrialResults::new(&Workspace::new(&d), 0);
        fs::create_dir_all(t.stream_dir()).unwrap();
        let victim = d.join("victim");
        fs::write(&victim, "secret").unwrap();
        std::os::unix::fs::symlink(&victim, t.stream_path("loss")).unwrap();
        let e = t
            .append_stream("loss", 0, &Value::Int(0), 1.0)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("loss.jsonl") && e.contains("symbolic link"),
            "{e}"
        );
        assert!(t.read_stream("loss").is_err());
        std::os::unix::fs::symlink(&victim, t.summary_path()).unwrap();
        let e = t.read_summary().unwrap_err().to_string();
        assert!(e.contains("0.json") && e.contains("symbolic link"), "{e}");
        assert!(t.merge_summary(&[("a".into(), Value::Int(1))]).is_err());
        assert_eq!(fs::read_to_string(&victim).unwrap(), "secret");
    }

    #[test]
    fn fifos_are_refused_without_blocking() {
        let d = tempdir("fifo");
        let t = TrialResults::new(&Workspace::new(&d), 0);
        fs::create_dir_all(t.stream_dir()).unwrap();
        for p in [t.stream_path("loss"), t.summary_path()] {
            nix::unistd::mkfifo(&p, nix::sys::stat::Mode::from_bits_truncate(0o600)).unwrap();
        }
        let e = t
            .append_stream("loss", 0, &Value::Int(0), 1.0)
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let e = t.read_stream("loss").unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
        let e = t.read_summary().unwrap_err().to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }

    #[test]
    fn a_failed_append_leaves_the_file_as_it_was() {
        let d = tempdir("enospc-seam");
        let path = d.join("s.jsonl");
        fs::write(&path, "{\"step\": 1}\n").unwrap();
        let file = OpenOptions::new()
            .append(true)
            .read(true)
            .open(&path)
            .unwrap();
        // The disk fills after 10 bytes of the line.
        let mut budget = 10usize;
        let mut full_disk = |f: &File, buf: &[u8]| -> std::io::Result<usize> {
            if budget == 0 {
                return Err(std::io::Error::from_raw_os_error(nix::libc::ENOSPC));
            }
            let n = buf.len().min(budget);
            budget -= n;
            (&*f).write(&buf[..n])
        };
        let e = append_restoring(&file, b"{\"step\": 2, \"value\": 0.5}\n", &mut full_disk)
            .unwrap_err();
        assert_eq!(e.raw_os_error(), Some(nix::libc::ENOSPC));
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"step\": 1}\n");
    }

    /// A real full disk: a 64 KiB tmpfs filled up, then a stream append that does
    /// not fit. Run as root: `cargo test --lib -- --ignored enospc`.
    #[test]
    #[ignore = "needs root: mounts a 64 KiB tmpfs"]
    fn enospc_on_a_real_full_disk_leaves_the_stream_intact() {
        let d = tempdir("enospc-tmpfs");
        let mnt = d.join("mnt");
        fs::create_dir_all(&mnt).unwrap();
        let ok = std::process::Command::new("mount")
            .args(["-t", "tmpfs", "-o", "size=64k", "tmpfs"])
            .arg(&mnt)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "mount -t tmpfs failed (not root?)");
        let result = std::panic::catch_unwind(|| {
            fs::create_dir_all(mnt.join(".hyperherd")).unwrap();
            let t = TrialResults::new(&Workspace::new(&mnt), 0);
            t.append_stream("loss", 1, &Value::Float(0.5), 1.0).unwrap();
            let before = fs::read(t.stream_path("loss")).unwrap();
            // Fill the filesystem.
            let mut filler = File::create(mnt.join("filler")).unwrap();
            let block = vec![b'x'; 4096];
            while filler.write_all(&block).is_ok() {}
            let _ = filler.write_all(b"x");
            // A line longer than the slack of the stream's last page.
            let big = Value::Str("y".repeat(20_000));
            let e = t.append_stream("loss", 2, &big, 2.0).unwrap_err();
            assert!(e.to_string().contains("No space left"), "{e}");
            assert_eq!(fs::read(t.stream_path("loss")).unwrap(), before);
            // Room again: the next append lands on a line of its own.
            fs::remove_file(mnt.join("filler")).unwrap();
            t.append_stream("loss", 3, &Value::Float(0.25), 3.0)
                .unwrap();
            let steps: Vec<i64> = t
                .read_stream("loss")
                .unwrap()
                .iter()
                .map(|p| p.step)
                .collect();
            assert_eq!(steps, vec![1, 3]);
        });
        let _ = std::process::Command::new("umount").arg(&mnt).status();
        if let Err(p) = result {
            std::panic::resume_unwind(p);
        }
    }

    #[test]
    fn integers_of_any_size_round_trip_exactly() {
        // python3 -c 'import json; print(json.dumps({"t": 2**70, "u": 2**64-1, "n": -2**63-1, "i": 2**63-1, "s": "12345678901234567890", "f": 1e-300, "l": [2**70]}, indent=2), end="")'
        let text = "{\n  \"t\": 1180591620717411303424,\n  \"u\": 18446744073709551615,\n  \"n\": -9223372036854775809,\n  \"i\": 9223372036854775807,\n  \"s\": \"12345678901234567890\",\n  \"f\": 1e-300,\n  \"l\": [\n    1180591620717411303424\n  ]\n}";
        let v = parse_exact(text).unwrap();
        let Value::Map(m) = &v else { panic!("{v:?}") };
        assert_eq!(
            m.get("t"),
            Some(&Value::BigInt("1180591620717411303424".into()))
        );
        assert_eq!(
            m.get("n"),
            Some(&Value::BigInt("-9223372036854775809".into()))
        );
        assert_eq!(m.get("i"), Some(&Value::Int(i64::MAX)));
        assert_eq!(m.get("s"), Some(&Value::Str("12345678901234567890".into())));
        assert_eq!(pyjson::indented(&v), text);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            r#"{"t":1180591620717411303424,"u":18446744073709551615,"n":-9223372036854775809,"i":9223372036854775807,"s":"12345678901234567890","f":1e-300,"l":[1180591620717411303424]}"#
        );
        assert_eq!(v.clone(), parse_exact(&pyjson::compact(&v, false)).unwrap());
        assert!(parse_exact("{\"a\": 12345678901234567890x}").is_err());
    }

    #[test]
    fn herd_now_accepts_unix_seconds_and_utc() {
        assert_eq!(parse_now("1795942166.5"), Some(1795942166.5));
        assert_eq!(parse_now("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(parse_now("2026-01-01T00:00:00Z"), Some(1767225600.0));
        assert_eq!(parse_now("2026-01-01T00:00:00.25Z"), Some(1767225600.25));
        assert_eq!(parse_now("2026-13-01T00:00:00Z"), None);
        assert_eq!(parse_now("yesterday"), None);
        assert_eq!(parse_now("nan"), None);
    }
}
