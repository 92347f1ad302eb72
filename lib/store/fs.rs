//! Files under `.hyperherd/` as herd reads and writes them: regular files only, never
//! through a symbolic link ([`open_nofollow`], [`open_append_nofollow`],
//! [`read_optional`]), replaced atomically ([`write_atomic`]: temp file, fsync,
//! rename, fsync of the directory), Python's JSON read with its `NaN` tokens
//! ([`parse_py_json`]), and the errors that name the file.

use crate::error::Error;
use crate::text::value::{Assoc, Value};
use nix::libc;
use std::fs::{self, File, OpenOptions};
use std::io::{self, ErrorKind, Read, Write};
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

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

pub(crate) fn corrupt(path: &Path, msg: &str) -> Error {
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
    // Sized from the file's length up front, so a large manifest (28 MB at 100,000
    // trials) is not copied again each time a growing buffer doubles.
    let len = file.metadata().map_or(0, |m| m.len().min(MAX_STATE_BYTES));
    let mut bytes = Vec::with_capacity(len as usize + 1);
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
