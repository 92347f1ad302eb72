//! The `.hyperherd/` store: paths, the lock, atomic writes, manifest and job_ids I/O.
//!
//! `manifest.json` and `job_ids.json` are byte-compatible with the reference (indented
//! Python JSON, no trailing newline). Every write is atomic (temp file, fsync, rename,
//! fsync of the directory) and every read-modify-write holds an exclusive `flock` on
//! `.hyperherd/lock` (B15). A corrupt file is an error naming it; it is never replaced.
//!
//! Hostile state (a copied, edited or planted `.hyperherd/`) is refused, never obeyed:
//! herd reads and writes only regular files here and never follows a symbolic link
//! in a file's last component ([`read_optional`], [`write_atomic`],
//! [`open_append_nofollow`]); temporary files are created exclusively under
//! unpredictable names; job ids must look like job ids ([`is_job_id`]) before any is
//! used in a path or handed to SLURM; every trial index stays at or below
//! [`MAX_INDEX`]; a manifest with two records of one index, or with a status that is
//! not a string, is corrupt.

use crate::error::Error;
use crate::model::naming::trial_hash;
use crate::model::record::Status;
use crate::text::pyjson;
use crate::text::value::{Assoc, Value};
use nix::libc;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

/// The largest trial index herd assigns or accepts: 2^53 − 1, the largest integer
/// every JSON reader holds exactly (jq and JavaScript read numbers as doubles; the
/// reference's Python and herd's own readers hold more). Applies to the manifest's
/// indices, `job_ids.json`, `next_index`, `results/<i>` and `logs/<i>.*` names, and
/// `HYPERHERD_TRIAL_ID`.
pub const MAX_INDEX: u64 = (1 << 53) - 1;

/// `index` when a trial may have it, else why not (for a message naming the source).
pub fn check_index(index: u64) -> Result<u64, String> {
    if index <= MAX_INDEX {
        Ok(index)
    } else {
        Err(format!(
            "{index} is past the largest trial index, {MAX_INDEX} (2^53 - 1)"
        ))
    }
}

/// True for a job id herd stores: SLURM's numeric id (`12345`, as `sbatch --parsable`
/// and squeue's `%F` give it) or the local backend's `local-<n>`, at most 19 digits.
/// Anything else (a path, an option, an array task `12345_7`) is refused where it is
/// read, since job ids name directories (`local/<id>/`) and are handed to `scancel`.
pub fn is_job_id(id: &str) -> bool {
    let digits = id.strip_prefix(LOCAL_PREFIX).unwrap_or(id);
    (1..=19).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The largest state file herd reads: far above any file it writes (a manifest of
/// the 5,000,000 trials a sweep may have stays below it), so only a file that is not
/// herd's hits it.
const MAX_STATE_BYTES: u64 = 4 << 30;

/// What a file that is not a regular file is, for the error that refuses it.
#[derive(Debug)]
pub(crate) struct NotRegular(&'static str);

impl std::fmt::Display for NotRegular {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "it is {}, not a regular file (herd neither follows nor reads through it)",
            self.0
        )
    }
}

impl std::error::Error for NotRegular {}

/// What `ft` is, unless it is a regular file.
fn not_regular(ft: fs::FileType) -> Option<&'static str> {
    Some(if ft.is_file() {
        return None;
    } else if ft.is_symlink() {
        "a symbolic link"
    } else if ft.is_dir() {
        "a directory"
    } else if ft.is_fifo() {
        "a FIFO"
    } else if ft.is_char_device() {
        "a character device"
    } else if ft.is_block_device() {
        "a block device"
    } else if ft.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    })
}

fn refused(kind: &'static str) -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, NotRegular(kind))
}

/// Open `path` with `opts`, never through a symbolic link (`O_NOFOLLOW`) and never
/// blocking on a FIFO (`O_NONBLOCK`, cleared once the file is known to be regular);
/// anything but a regular file is refused with a [`NotRegular`] error. A missing file
/// is `NotFound`, as from `OpenOptions::open`.
pub(crate) fn open_nofollow(path: &Path, opts: &OpenOptions) -> io::Result<File> {
    let mut opts = opts.clone();
    opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK | libc::O_CLOEXEC);
    let file = match opts.open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Err(e),
        // ELOOP (a symlink), ENXIO (a FIFO nobody reads), EISDIR, ...: say what it is.
        Err(e) => {
            return Err(
                match fs::symlink_metadata(path)
                    .ok()
                    .and_then(|m| not_regular(m.file_type()))
                {
                    Some(kind) => refused(kind),
                    None => e,
                },
            )
        }
    };
    if let Some(kind) = not_regular(file.metadata()?.file_type()) {
        return Err(refused(kind));
    }
    // Regular files ignore O_NONBLOCK; clear it anyway, so the descriptor is plain.
    let fd = std::os::fd::AsRawFd::as_raw_fd(&file);
    // SAFETY: fcntl on a descriptor this function owns.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags >= 0 {
            libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK);
        }
    }
    Ok(file)
}

/// Open `path` for appending (created, mode 0666 less the umask, when missing) the way
/// herd appends to every file under `.hyperherd/`: never through a symbolic link,
/// never to a FIFO, device or directory (an [`io::Error`] wrapping [`NotRegular`],
/// whose message says what the file is). `NotFound` when a parent directory is
/// missing, so callers can create it and retry.
pub(crate) fn open_append_nofollow(path: &Path) -> io::Result<File> {
    open_nofollow(path, OpenOptions::new().create(true).append(true))
}

/// The error of an I/O step on a state file: a refused non-regular file is a corrupt
/// workspace (exit 1, with the way out); anything else is an I/O error.
pub(crate) fn state_error(verb: &str, path: &Path, e: io::Error) -> Error {
    match e.get_ref().and_then(|x| x.downcast_ref::<NotRegular>()) {
        Some(nr) => Error::failed(format!("refusing {verb} {}: {nr}", path.display())).hint(
            "herd keeps its state in regular files; remove the entry (or put the real file in its place)",
        ),
        None => Error::io(format!("{verb} {}", path.display()), e),
    }
}

/// The paths of one workspace.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The workspace directory (holds hyperherd.yaml), absolute.
    pub root: PathBuf,
}

pub use crate::model::record::ManifestRecord;

/// Local job ids are `local-<n>`: never confused with a SLURM job id (digits).
pub const LOCAL_PREFIX: &str = "local-";

/// One submission as stored in `job_ids.json` (spec §5.2).
#[derive(Clone, Debug, PartialEq)]
pub struct JobRecord {
    /// The SLURM job id (a string, as the reference writes it).
    pub slurm_job_id: String,
    /// The array indices of that submission, in submission order.
    pub indices: Vec<u64>,
    /// SLURM task id = index − `task_offset` (herd's chunked submissions, B14). Written
    /// only when non-zero, so ordinary records stay byte-compatible with the reference.
    pub task_offset: u64,
}

/// Manifest records looked up by trial index in O(1) (sweeps reach 100,000 trials).
#[derive(Debug)]
pub struct ByIndex<'a> {
    records: &'a [ManifestRecord],
    pos: crate::text::fxhash::FxHashMap<u64, usize>,
}

impl<'a> ByIndex<'a> {
    /// Index `records`.
    pub fn new(records: &'a [ManifestRecord]) -> ByIndex<'a> {
        ByIndex {
            records,
            pos: records
                .iter()
                .enumerate()
                .map(|(k, r)| (r.index, k))
                .collect(),
        }
    }

    /// The record of trial `index`.
    pub fn get(&self, index: u64) -> Option<&'a ManifestRecord> {
        self.pos.get(&index).map(|&k| &self.records[k])
    }
}

/// An exclusive lock on `.hyperherd/lock`, released on drop.
#[derive(Debug)]
pub struct Lock {
    _flock: nix::fcntl::Flock<File>,
}

impl Workspace {
    /// The workspace rooted at `root` (absolute).
    pub fn new(root: &Path) -> Workspace {
        Workspace {
            root: root.to_path_buf(),
        }
    }

    /// `.hyperherd/`.
    pub fn dir(&self) -> PathBuf {
        self.root.join(".hyperherd")
    }
    /// `.hyperherd/manifest.json`.
    pub fn manifest_path(&self) -> PathBuf {
        self.dir().join("manifest.json")
    }
    /// `.hyperherd/job_ids.json`.
    pub fn job_ids_path(&self) -> PathBuf {
        self.dir().join("job_ids.json")
    }
    /// `.hyperherd/logs/`.
    pub fn logs_dir(&self) -> PathBuf {
        self.dir().join("logs")
    }
    /// `.hyperherd/results/`.
    pub fn results_dir(&self) -> PathBuf {
        self.dir().join("results")
    }
    /// `.hyperherd/next_index`: herd's high-water mark of assigned indices (B16).
    pub fn next_index_path(&self) -> PathBuf {
        self.dir().join("next_index")
    }

    /// True when the workspace has a manifest (the reference's definition of "exists").
    pub fn exists(&self) -> bool {
        self.manifest_path().is_file()
    }

    /// Fail (exit 2, with the way out) unless the workspace has a manifest.
    pub fn require_manifest(&self) -> Result<(), Error> {
        if self.exists() {
            return Ok(());
        }
        Err(
            Error::invalid(format!("{} has no manifest yet", self.dir().display()))
                .hint("submit the sweep first: herd-expand | herd-submit"),
        )
    }

    /// Create `.hyperherd/` and `.hyperherd/logs/`.
    pub fn create_dirs(&self) -> Result<(), Error> {
        let logs = self.logs_dir();
        fs::create_dir_all(&logs).map_err(|e| Error::io(format!("creating {}", logs.display()), e))
    }

    /// Take the exclusive workspace lock (blocks until free). Creates `.hyperherd/`.
    pub fn lock(&self) -> Result<Lock, Error> {
        self.create_dirs()?;
        let path = self.dir().join("lock");
        let file = open_nofollow(
            &path,
            OpenOptions::new().create(true).truncate(false).write(true),
        )
        .map_err(|e| state_error("opening", &path, e))?;
        let flock = nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive)
            .map_err(|(_, errno)| Error::io(format!("locking {}", path.display()), errno.into()))?;
        Ok(Lock { _flock: flock })
    }

    /// The manifest's text, unparsed; `None` when there is none.
    pub fn read_manifest_text(&self) -> Result<Option<String>, Error> {
        read_optional(&self.manifest_path())
    }

    /// Read the manifest; `None` when there is none.
    pub fn read_manifest(&self) -> Result<Option<Vec<ManifestRecord>>, Error> {
        let text = self.read_manifest_text()?;
        self.parse_manifest(text)
    }

    /// The records of a manifest text from [`Workspace::read_manifest_text`].
    pub fn parse_manifest(
        &self,
        text: Option<String>,
    ) -> Result<Option<Vec<ManifestRecord>>, Error> {
        let Some(text) = text else {
            return Ok(None);
        };
        parse_manifest(&text)
            .map(Some)
            .map_err(|msg| corrupt(&self.manifest_path(), &msg))
    }

    /// Write the manifest atomically. Hold the lock around read-modify-write.
    pub fn write_manifest(&self, records: &[ManifestRecord]) -> Result<(), Error> {
        for r in records {
            check_index(r.index).map_err(|m| too_far(&self.manifest_path(), &m))?;
        }
        write_atomic(&self.manifest_path(), manifest_text(records).as_bytes())
    }

    /// Read `job_ids.json`; empty when there is none.
    pub fn read_job_ids(&self) -> Result<Vec<JobRecord>, Error> {
        let path = self.job_ids_path();
        let Some(text) = read_optional(&path)? else {
            return Ok(Vec::new());
        };
        parse_job_ids(&text).map_err(|msg| corrupt(&path, &msg))
    }

    /// Write `job_ids.json` atomically. Hold the lock around read-modify-write.
    pub fn write_job_ids(&self, jobs: &[JobRecord]) -> Result<(), Error> {
        for j in jobs {
            if !is_job_id(&j.slurm_job_id) {
                return Err(Error::failed(format!(
                    "refusing to record {:?} in {}: not a job id",
                    j.slurm_job_id,
                    self.job_ids_path().display()
                )));
            }
            for &i in j.indices.iter().chain([&j.task_offset]) {
                check_index(i).map_err(|m| too_far(&self.job_ids_path(), &m))?;
            }
        }
        let v = Value::List(jobs.iter().map(JobRecord::to_value).collect());
        write_atomic(&self.job_ids_path(), pyjson::indented(&v).as_bytes())
    }

    /// The first index never used in this workspace (B16): above every index in the
    /// manifest, in the job history, in `results/`, in `logs/` and the stored mark.
    pub fn next_index(
        &self,
        manifest: &[ManifestRecord],
        jobs: &[JobRecord],
    ) -> Result<u64, Error> {
        let mut next = 0;
        for r in manifest {
            next = next.max(one_past(r.index, &self.manifest_path())?);
        }
        self.next_index_after(next, jobs)
    }

    /// [`Workspace::next_index`] given the manifest's own: `manifest_next` is one past
    /// its highest index (0 when it is empty).
    ///
    /// The result is at most `MAX_INDEX + 1`; an index past [`MAX_INDEX`] anywhere is an
    /// error naming where it was found. Callers that assign indices from it check the
    /// last one with [`check_new_indices`].
    pub fn next_index_after(&self, manifest_next: u64, jobs: &[JobRecord]) -> Result<u64, Error> {
        let mut next = manifest_next;
        for i in jobs.iter().flat_map(|j| &j.indices) {
            next = next.max(one_past(*i, &self.job_ids_path())?);
        }
        for dir in [self.results_dir(), self.logs_dir()] {
            if let Some(i) = max_numbered_entry(&dir)? {
                next = next.max(one_past(i, &dir)?);
            }
        }
        let path = self.next_index_path();
        if let Some(text) = read_optional(&path)? {
            let n = text
                .trim()
                .parse::<u64>()
                .ok()
                .filter(|&n| n <= MAX_INDEX + 1)
                .ok_or_else(|| {
                    corrupt(
                        &path,
                        &format!(
                            "expected the next trial index (0 to {}), got {:?}",
                            MAX_INDEX + 1,
                            text.trim()
                        ),
                    )
                })?;
            next = next.max(n);
        }
        Ok(next)
    }

    /// Record the high-water mark after assigning indices below `next`.
    pub fn write_next_index(&self, next: u64) -> Result<(), Error> {
        if next > MAX_INDEX + 1 {
            return Err(too_far(
                &self.next_index_path(),
                &format!("{} is past the largest trial index, {MAX_INDEX}", next - 1),
            ));
        }
        write_atomic(&self.next_index_path(), format!("{next}\n").as_bytes())
    }
}

/// Fail unless every index below `next` (the first index not assigned after adding
/// trials) is at most [`MAX_INDEX`]: call before writing or showing new trials.
pub fn check_new_indices(next: u64) -> Result<(), Error> {
    if next <= MAX_INDEX + 1 {
        return Ok(());
    }
    Err(Error::failed(format!(
        "new trials would get indices up to {}, past the largest trial index, {MAX_INDEX} (2^53 - 1)",
        next - 1
    ))
    .hint("nothing was written; this workspace has used up its indices: start the sweep in a new workspace"))
}

/// `index + 1`, unless `index` (found in `path`) is past [`MAX_INDEX`].
fn one_past(index: u64, path: &Path) -> Result<u64, Error> {
    check_index(index)
        .map(|i| i + 1)
        .map_err(|m| too_far(path, &m))
}

fn too_far(path: &Path, msg: &str) -> Error {
    Error::failed(format!("{}: trial index {msg}", path.display())).hint(
        "nothing was changed; an index this large is not one herd assigned: remove or fix the entry",
    )
}

/// The largest `N` among entries named `N`, `N.json`, `N.out`, `N.err` in `dir`; an
/// all-digit name past [`MAX_INDEX`] is an error naming it.
fn max_numbered_entry(dir: &Path) -> Result<Option<u64>, Error> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(None);
    };
    let mut max = None;
    for e in entries.filter_map(|e| e.ok()) {
        let name = e.file_name();
        let Some(stem) = name.to_str().and_then(|n| n.split('.').next()) else {
            continue;
        };
        if stem.is_empty() || !stem.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let i = stem
            .parse::<u64>()
            .ok()
            .filter(|&i| i <= MAX_INDEX)
            .ok_or_else(|| {
                too_far(
                    &dir.join(&name),
                    &format!("{stem} is past the largest trial index, {MAX_INDEX} (2^53 - 1)"),
                )
            })?;
        max = max.max(Some(i));
    }
    Ok(max)
}

fn corrupt(path: &Path, msg: &str) -> Error {
    Error::failed(format!("{} is corrupt: {msg}", path.display()))
        .hint("nothing was changed; restore the file from a backup or fix it by hand")
}

/// Read a state file that may not exist: a regular file only (a symbolic link, FIFO,
/// device or directory is refused at once, exit 1), at most 4 GiB, UTF-8.
pub(crate) fn read_optional(path: &Path) -> Result<Option<String>, Error> {
    let file = match open_nofollow(path, OpenOptions::new().read(true)) {
        Ok(f) => f,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(state_error("reading", path, e)),
    };
    let mut bytes = Vec::new();
    file.take(MAX_STATE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
    if bytes.len() as u64 > MAX_STATE_BYTES {
        return Err(Error::failed(format!(
            "refusing to read {}: it is larger than 4 GiB, more than any file herd writes",
            path.display()
        )));
    }
    String::from_utf8(bytes).map(Some).map_err(|e| {
        Error::io(
            format!("reading {}", path.display()),
            io::Error::new(ErrorKind::InvalidData, e),
        )
    })
}

/// Write `data` to `path` atomically: a temp file in the same directory, fsync,
/// rename over the target, fsync of the directory. The target must be a regular file
/// or missing (a symbolic link or anything else there is refused); the temporary file
/// is created exclusively, under a name no other process can predict.
pub(crate) fn write_atomic(path: &Path, data: &[u8]) -> Result<(), Error> {
    write_atomic_mode(path, data, None)
}

/// [`write_atomic`], the file getting permission bits `mode` before it replaces the
/// target (without `mode`: 0666 less the umask, as `open` gives).
pub(crate) fn write_atomic_mode(path: &Path, data: &[u8], mode: Option<u32>) -> Result<(), Error> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let what = |verb: &str| format!("{verb} {}", path.display());
    match fs::symlink_metadata(path) {
        Ok(m) => {
            if let Some(kind) = not_regular(m.file_type()) {
                return Err(state_error("replacing", path, refused(kind)));
            }
        }
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => return Err(Error::io(what("inspecting"), e)),
    }
    let (tmp, mut f) = create_temp(dir, name).map_err(|e| Error::io(what("writing"), e))?;
    let result = (|| {
        f.write_all(data)
            .map_err(|e| Error::io(what("writing"), e))?;
        if let Some(mode) = mode {
            f.set_permissions(fs::Permissions::from_mode(mode))
                .map_err(|e| Error::io(what("setting the mode of"), e))?;
        }
        f.sync_all().map_err(|e| Error::io(what("syncing"), e))?;
        fs::rename(&tmp, path).map_err(|e| Error::io(what("replacing"), e))?;
        if let Ok(d) = File::open(dir) {
            // Best effort: some filesystems refuse fsync on directories.
            let _ = d.sync_all();
        }
        Ok(())
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Create a new temporary file `.NAME.tmp.<pid>.<nanos>.<n>` in `dir`, exclusively
/// (`O_CREAT|O_EXCL|O_NOFOLLOW`: whatever is planted under that name, file or link,
/// makes it pick another name rather than write through it).
fn create_temp(dir: &Path, name: &str) -> io::Result<(PathBuf, File)> {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut last = None;
    for _ in 0..100 {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let tmp = dir.join(format!(".{name}.tmp.{}.{nanos}.{n}", std::process::id()));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_CLOEXEC)
            .open(&tmp)
        {
            Ok(f) => return Ok((tmp, f)),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::from(ErrorKind::AlreadyExists)))
}

/// The text of `manifest.json` (Python `json.dumps(indent=2)`, no trailing newline).
fn manifest_text(records: &[ManifestRecord]) -> String {
    let mut out = String::with_capacity(64 + 256 * records.len());
    pyjson::write_indented_list(&mut out, records, |out, r| {
        let mut o = pyjson::Object::open(out, 1);
        o.int("index", r.index);
        o.str("hash", &r.hash);
        o.map("params", &r.params);
        o.map("extras", &r.extras);
        if let Some(n) = &r.experiment_name {
            o.str("experiment_name", n);
        }
        o.str("status", r.status.as_str());
        o.close();
    });
    out
}

impl JobRecord {
    fn to_value(&self) -> Value {
        let mut m = Assoc(vec![
            ("slurm_job_id".into(), Value::Str(self.slurm_job_id.clone())),
            (
                "indices".into(),
                Value::List(self.indices.iter().map(|&i| Value::Int(i as i64)).collect()),
            ),
        ]);
        if self.task_offset != 0 {
            m.insert("task_offset", Value::Int(self.task_offset as i64));
        }
        Value::Map(m)
    }
}

/// Python's json module writes NaN/Infinity; accept them when reading its files.
pub(crate) fn parse_py_json(text: &str) -> Result<Value, String> {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => Ok(v),
        Err(first) => {
            let fixed = replace_non_finite(text);
            serde_json::from_str::<Value>(&fixed.0)
                .map(|v| restore_non_finite(v, &fixed.1))
                .map_err(|_| first.to_string())
        }
    }
}

/// Replace bare `NaN`/`Infinity`/`-Infinity` tokens (outside strings) by marker strings.
fn replace_non_finite(text: &str) -> (String, [&'static str; 3]) {
    // As JSON text the markers are strings starting with an escaped NUL, which no
    // file written by either tool contains.
    const MARKS: [&str; 3] = [
        "\"\\u0000herd:nan\"",
        "\"\\u0000herd:inf\"",
        "\"\\u0000herd:-inf\"",
    ];
    let mut out = String::with_capacity(text.len());
    let mut in_str = false;
    let mut escaped = false;
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if in_str {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_str = false;
            }
            rest = &rest[c.len_utf8()..];
            continue;
        }
        let token = [("NaN", 0), ("Infinity", 1), ("-Infinity", 2)]
            .into_iter()
            .find(|(t, _)| rest.starts_with(t));
        if let Some((t, i)) = token {
            out.push_str(MARKS[i]);
            rest = &rest[t.len()..];
            continue;
        }
        if c == '"' {
            in_str = true;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    (out, ["\u{0}herd:nan", "\u{0}herd:inf", "\u{0}herd:-inf"])
}

fn restore_non_finite(v: Value, marks: &[&str; 3]) -> Value {
    match v {
        Value::Str(s) => match marks.iter().position(|m| *m == s) {
            Some(0) => Value::Float(f64::NAN),
            Some(1) => Value::Float(f64::INFINITY),
            Some(_) => Value::Float(f64::NEG_INFINITY),
            None => Value::Str(s),
        },
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|x| restore_non_finite(x, marks))
                .collect(),
        ),
        Value::Map(m) => Value::Map(Assoc(
            m.0.into_iter()
                .map(|(k, x)| (k, restore_non_finite(x, marks)))
                .collect(),
        )),
        other => other,
    }
}

fn field<'a>(m: &'a Assoc, key: &str, at: usize) -> Result<&'a Value, String> {
    m.get(key)
        .ok_or_else(|| format!("record {at} has no '{key}'"))
}

fn as_index(v: &Value, what: &str) -> Result<u64, String> {
    match v {
        Value::Int(i) if *i >= 0 => check_index(*i as u64).map_err(|m| format!("{what} {m}")),
        other => Err(format!(
            "{what} must be a non-negative integer, got {}",
            other.kind()
        )),
    }
}

/// A record's status: a string (one herd does not know is kept verbatim, as the
/// reference keeps raw SLURM states), or missing (a legacy record: `ready`); anything
/// else would read as `ready` and run a finished trial again, so it is refused.
fn as_status(v: Option<&Value>, at: usize, index: u64) -> Result<Status, String> {
    match v {
        None => Ok(Status::Ready),
        Some(Value::Str(s)) => Ok(Status::parse(s)),
        Some(other) => Err(format!(
            "record {at} (index {index}): status must be a string, got {}",
            other.kind()
        )),
    }
}

/// Refuse a second record of one index (herd-res would show one trial's results under
/// the other's name).
fn check_unique(records: &[ManifestRecord]) -> Result<(), String> {
    let mut seen: crate::text::fxhash::FxHashMap<u64, usize> = Default::default();
    seen.reserve(records.len());
    for (at, r) in records.iter().enumerate() {
        if let Some(first) = seen.insert(r.index, at) {
            return Err(format!(
                "record {at} (index {}): record {first} has this index too",
                r.index
            ));
        }
    }
    Ok(())
}

/// A field that is `None` when absent and `Some(None)` when `null`, so a `null`
/// status is told from a missing one.
pub(crate) fn present<'de, D, T>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    serde::Deserialize::deserialize(d).map(Some)
}

/// A manifest record as stored, read without an intermediate value tree (the fast
/// path; files with Python's `NaN` tokens or odd shapes take the general one).
#[derive(serde::Deserialize)]
struct StoredRecord {
    index: u64,
    hash: Option<String>,
    #[serde(default)]
    params: Assoc,
    #[serde(default)]
    extras: Assoc,
    experiment_name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    status: Option<Option<String>>,
}

fn parse_manifest(text: &str) -> Result<Vec<ManifestRecord>, String> {
    if let Ok(stored) = serde_json::from_str::<Vec<StoredRecord>>(text) {
        let mut out = Vec::with_capacity(stored.len());
        for (at, r) in stored.into_iter().enumerate() {
            check_index(r.index).map_err(|m| format!("record {at}: index {m}"))?;
            let status = match r.status {
                None => Status::Ready,
                Some(Some(s)) => Status::parse(&s),
                Some(None) => as_status(Some(&Value::Null), at, r.index)?,
            };
            out.push(ManifestRecord {
                hash: r.hash.unwrap_or_else(|| trial_hash(&r.params, &r.extras)),
                index: r.index,
                params: r.params,
                extras: r.extras,
                experiment_name: r.experiment_name,
                status,
            });
        }
        check_unique(&out)?;
        return Ok(out);
    }
    let Value::List(items) = parse_py_json(text)? else {
        return Err("expected a JSON array of trial records".into());
    };
    let mut out = Vec::with_capacity(items.len());
    for (at, item) in items.into_iter().enumerate() {
        let Value::Map(m) = item else {
            return Err(format!("record {at} is not an object"));
        };
        let index = as_index(field(&m, "index", at)?, &format!("record {at}: index"))?;
        let map_of = |key: &str| -> Result<Assoc, String> {
            match m.get(key) {
                None => Ok(Assoc::new()),
                Some(Value::Map(a)) => Ok(a.clone()),
                Some(other) => Err(format!(
                    "record {at}: '{key}' must be an object, got {}",
                    other.kind()
                )),
            }
        };
        let params = map_of("params")?;
        let extras = map_of("extras")?;
        let hash = match m.get("hash") {
            Some(Value::Str(h)) => h.clone(),
            // Legacy records without a hash: recompute it (spec §5.1).
            _ => trial_hash(&params, &extras),
        };
        let experiment_name = match m.get("experiment_name") {
            Some(Value::Str(s)) => Some(s.clone()),
            _ => None,
        };
        let status = as_status(m.get("status"), at, index)?;
        out.push(ManifestRecord {
            index,
            hash,
            params,
            extras,
            experiment_name,
            status,
        });
    }
    check_unique(&out)?;
    Ok(out)
}

fn parse_job_ids(text: &str) -> Result<Vec<JobRecord>, String> {
    let Value::List(items) = parse_py_json(text)? else {
        return Err("expected a JSON array of submission records".into());
    };
    let mut out = Vec::with_capacity(items.len());
    for (at, item) in items.into_iter().enumerate() {
        let Value::Map(m) = item else {
            return Err(format!("record {at} is not an object"));
        };
        let slurm_job_id = match field(&m, "slurm_job_id", at)? {
            Value::Str(s) => s.clone(),
            Value::Int(i) => i.to_string(),
            other => {
                return Err(format!(
                    "record {at}: slurm_job_id must be a string, got {}",
                    other.kind()
                ))
            }
        };
        if !is_job_id(&slurm_job_id) {
            return Err(format!(
                "record {at}: slurm_job_id {slurm_job_id:?} is not a job id (digits, or local-<digits>)"
            ));
        }
        let Value::List(idx) = field(&m, "indices", at)? else {
            return Err(format!("record {at}: indices must be a list"));
        };
        let indices = idx
            .iter()
            .map(|v| as_index(v, &format!("record {at}: indices")))
            .collect::<Result<Vec<u64>, String>>()?;
        let task_offset = match m.get("task_offset") {
            Some(v) => as_index(v, &format!("record {at}: task_offset"))?,
            None => 0,
        };
        out.push(JobRecord {
            slurm_job_id,
            indices,
            task_offset,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MANIFEST: &str = "[\n  {\n    \"index\": 1,\n    \"hash\": \"c7b33ade283a\",\n    \"params\": {\n      \"learning_rate\": 0.0001,\n      \"optimizer\": \"sgd\",\n      \"use_amp\": true\n    },\n    \"extras\": {\n      \"scheduler.warmup\": 100,\n      \"tag\": \"sgd-x\"\n    },\n    \"experiment_name\": \"lr-0.0001_opt-sgd_use_amp-True\",\n    \"status\": \"ready\"\n  }\n]";

    fn tempdir(tag: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("herd-ws-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn manifest_round_trips_byte_for_byte() {
        let recs = parse_manifest(MANIFEST).unwrap();
        assert_eq!(recs[0].index, 1);
        assert_eq!(manifest_text(&recs), MANIFEST);
        assert_eq!(manifest_text(&[]), "[]");
    }

    #[test]
    fn job_ids_round_trip_byte_for_byte() {
        let text = "[\n  {\n    \"slurm_job_id\": \"1001\",\n    \"indices\": [\n      0,\n      1,\n      2\n    ]\n  }\n]";
        let jobs = parse_job_ids(text).unwrap();
        let v = Value::List(jobs.iter().map(JobRecord::to_value).collect());
        assert_eq!(pyjson::indented(&v), text);
    }

    #[test]
    fn chunked_job_records_keep_their_task_offset() {
        let jobs = vec![JobRecord {
            slurm_job_id: "7".into(),
            indices: vec![20, 21],
            task_offset: 20,
        }];
        let text = pyjson::indented(&Value::List(jobs.iter().map(JobRecord::to_value).collect()));
        assert!(text.contains("\"task_offset\": 20"), "{text}");
        assert_eq!(parse_job_ids(&text).unwrap(), jobs);
    }

    #[test]
    fn corrupt_manifest_is_an_error_and_untouched() {
        let d = tempdir("corrupt");
        let ws = Workspace::new(&d);
        ws.create_dirs().unwrap();
        fs::write(ws.manifest_path(), "[{\"index\": ").unwrap();
        let e = ws.read_manifest().unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("manifest.json is corrupt"), "{e}");
        assert_eq!(
            fs::read_to_string(ws.manifest_path()).unwrap(),
            "[{\"index\": "
        );
    }

    #[test]
    fn next_index_never_reuses_history() {
        let d = tempdir("hwm");
        let ws = Workspace::new(&d);
        ws.create_dirs().unwrap();
        assert_eq!(ws.next_index(&[], &[]).unwrap(), 0);
        let jobs = vec![JobRecord {
            slurm_job_id: "1".into(),
            indices: vec![0, 4],
            task_offset: 0,
        }];
        assert_eq!(ws.next_index(&[], &jobs).unwrap(), 5);
        fs::create_dir_all(ws.results_dir()).unwrap();
        fs::write(ws.results_dir().join("7.json"), "{}").unwrap();
        assert_eq!(ws.next_index(&[], &jobs).unwrap(), 8);
        ws.write_next_index(12).unwrap();
        assert_eq!(ws.next_index(&[], &jobs).unwrap(), 12);
    }

    #[test]
    fn python_non_finite_tokens_are_read() {
        let v = parse_py_json(r#"{"a": NaN, "b": [Infinity, -Infinity], "c": "NaN"}"#).unwrap();
        let Value::Map(m) = v else { panic!() };
        assert!(matches!(m.get("a"), Some(Value::Float(f)) if f.is_nan()));
        assert_eq!(m.get("c"), Some(&Value::Str("NaN".into())));
    }

    #[test]
    fn legacy_records_get_their_hash_recomputed() {
        let recs = parse_manifest(
            r#"[{"index": 0, "params": {"lr": 0.1}, "extras": {}, "status": "pending"}]"#,
        )
        .unwrap();
        assert_eq!(recs[0].hash, trial_hash(&recs[0].params, &recs[0].extras));
        assert_eq!(recs[0].status, Status::Ready);
    }

    // Hostile state files: what a copied, edited or planted `.hyperherd/` may hold.

    fn job_ids_with(id: &str) -> String {
        format!("[{{\"slurm_job_id\": {id}, \"indices\": [0]}}]")
    }

    #[test]
    fn job_ids_that_are_not_job_ids_are_corrupt() {
        for ok in ["\"1001\"", "1001", "\"local-3\"", "\"0\""] {
            assert!(parse_job_ids(&job_ids_with(ok)).is_ok(), "{ok}");
        }
        for bad in [
            "\"local-/../../x\"",
            "\"../x\"",
            "\"local-\"",
            "\"\"",
            "\"12345_7\"",
            "\"--all\"",
            "\"1 2\"",
            "\"local-1/..\"",
            "-1",
        ] {
            let e = parse_job_ids(&job_ids_with(bad)).unwrap_err();
            assert!(e.contains("record 0"), "{bad}: {e}");
        }
    }

    #[test]
    fn indices_past_the_largest_are_corrupt() {
        let max = 9007199254740991u64; // 2^53 - 1
        let rec = |i: u64, extra: &str| {
            format!("[{{\"index\": {i}, \"params\": {{\"a\": {extra}1}}, \"extras\": {{}}, \"status\": \"ready\"}}]")
        };
        assert!(parse_manifest(&rec(max, "")).is_ok());
        // Both the fast path and the general one (Python's NaN forces the latter).
        for extra in ["", "NaN, \"b\": "] {
            let e = parse_manifest(&rec(max + 1, extra)).unwrap_err();
            assert!(
                e.contains("record 0") && e.contains("9007199254740992"),
                "{e}"
            );
        }
        let e = parse_job_ids(&format!(
            "[{{\"slurm_job_id\": \"1\", \"indices\": [0, {}]}}]",
            i64::MAX
        ))
        .unwrap_err();
        assert!(e.contains("record 0"), "{e}");
    }

    #[test]
    fn a_huge_next_index_or_results_entry_is_refused_not_wrapped() {
        let d = tempdir("hugeidx");
        let ws = Workspace::new(&d);
        ws.create_dirs().unwrap();
        fs::write(ws.next_index_path(), format!("{}\n", u64::MAX)).unwrap();
        let e = ws.next_index(&[], &[]).unwrap_err();
        assert_eq!(e.exit_code(), 1, "{e}");
        assert!(e.to_string().contains("next_index"), "{e}");
        fs::write(ws.next_index_path(), "not a number\n").unwrap();
        assert!(ws.next_index(&[], &[]).is_err());
        fs::remove_file(ws.next_index_path()).unwrap();
        fs::create_dir_all(ws.results_dir().join("9223372036854775807")).unwrap();
        let e = ws.next_index(&[], &[]).unwrap_err();
        assert!(e.to_string().contains("9223372036854775807"), "{e}");
        let _ = fs::remove_dir_all(&d);
    }

    #[test]
    fn two_records_of_one_index_are_corrupt() {
        for extra in ["", ", \"x\": NaN"] {
            let text = format!(
                "[{{\"index\": 0, \"params\": {{\"a\": 1}}, \"extras\": {{}}, \"status\": \"ready\"}}, \
                 {{\"index\": 1, \"params\": {{\"a\": 2}}, \"extras\": {{}}, \"status\": \"ready\"}}, \
                 {{\"index\": 0, \"params\": {{\"a\": 3}}, \"extras\": {{}}, \"status\": \"ready\"{extra}}}]"
            );
            let e = parse_manifest(&text).unwrap_err();
            assert!(
                e.contains("record 2 (index 0)") && e.contains("record 0"),
                "{e}"
            );
        }
    }

    #[test]
    fn a_status_that_is_not_a_string_is_corrupt() {
        for status in ["5", "null", "true", "[\"ready\"]"] {
            for extra in ["", ", \"x\": NaN"] {
                let text = format!(
                    "[{{\"index\": 0, \"params\": {{\"a\": 1}}, \"extras\": {{}}, \"status\": \"done\"}}, \
                     {{\"index\": 7, \"params\": {{\"a\": 2}}, \"extras\": {{}}, \"status\": {status}{extra}}}]"
                );
                let e = parse_manifest(&text).unwrap_err();
                assert!(
                    e.contains("record 1 (index 7)") && e.contains("status"),
                    "{e}"
                );
            }
        }
        // Unknown status strings are kept verbatim, as the reference keeps raw SLURM
        // states (spec 5.1); a missing status is a legacy record's `ready`.
        let recs = parse_manifest(
            "[{\"index\": 0, \"params\": {}, \"extras\": {}, \"status\": \"boot_fail\"}, {\"index\": 1, \"params\": {}, \"extras\": {}}]",
        )
        .unwrap();
        assert_eq!(recs[0].status, Status::Other("boot_fail".into()));
        assert_eq!(recs[1].status, Status::Ready);
    }

    #[cfg(unix)]
    #[test]
    fn writes_never_follow_a_planted_symlink() {
        use std::os::unix::fs::symlink;
        let d = tempdir("symw");
        let ws = Workspace::new(&d);
        ws.create_dirs().unwrap();
        let victim = d.join("victim");
        fs::write(&victim, "precious").unwrap();
        // The target itself is a symlink: refused, the victim untouched.
        symlink(&victim, ws.manifest_path()).unwrap();
        let e = ws.write_manifest(&[]).unwrap_err();
        assert!(e.to_string().contains("manifest.json"), "{e}");
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        fs::remove_file(ws.manifest_path()).unwrap();
        // The old predictable temporary name, planted: not written through.
        let tmp = ws
            .dir()
            .join(format!(".manifest.json.tmp.{}", std::process::id()));
        symlink(&victim, &tmp).unwrap();
        ws.write_manifest(&[]).unwrap();
        assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(fs::read_to_string(ws.manifest_path()).unwrap(), "[]");
        assert!(fs::symlink_metadata(&tmp).unwrap().file_type().is_symlink());
        // The lock file.
        symlink(&victim, ws.dir().join("lock")).unwrap();
        let e = ws.lock().unwrap_err();
        assert!(e.to_string().contains("lock"), "{e}");
        let _ = fs::remove_dir_all(&d);
    }

    #[cfg(unix)]
    #[test]
    fn reads_refuse_what_is_not_a_regular_file() {
        use std::os::unix::fs::symlink;
        let d = tempdir("symr");
        let ws = Workspace::new(&d);
        ws.create_dirs().unwrap();
        // A FIFO would block the reader forever: refused at once.
        nix::unistd::mkfifo(
            &ws.manifest_path(),
            nix::sys::stat::Mode::from_bits_truncate(0o644),
        )
        .unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let path = ws.manifest_path();
        std::thread::spawn(move || {
            let _ = tx.send(read_optional(&path).map(|_| ()).map_err(|e| e.to_string()));
        });
        let got = rx
            .recv_timeout(std::time::Duration::from_secs(5))
            .expect("reading a FIFO blocked");
        let e = got.unwrap_err();
        assert!(e.contains("FIFO"), "{e}");
        fs::remove_file(ws.manifest_path()).unwrap();
        // /dev/zero would be read forever; through a symlink or not.
        symlink("/dev/zero", ws.job_ids_path()).unwrap();
        let e = ws.read_job_ids().unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("symbolic link"), "{e}");
        let e = read_optional(Path::new("/dev/zero")).unwrap_err();
        assert!(e.to_string().contains("character device"), "{e}");
        // A directory.
        fs::create_dir(ws.next_index_path()).unwrap();
        let e = ws.next_index(&[], &[]).unwrap_err();
        assert!(e.to_string().contains("directory"), "{e}");
        let _ = fs::remove_dir_all(&d);
    }
}
