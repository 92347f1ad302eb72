//! `logs/<i>.out` and `logs/<i>.err`, written by a trial's job: where they are and
//! their last lines, read from the end (herd-tail, herd-report).

use crate::error::Error;
use crate::store::fs::{open_nofollow, state_error};
use crate::store::workspace::Workspace;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

/// The stdout log of trial `index`.
pub(crate) fn stdout_path(ws: &Workspace, index: u64) -> PathBuf {
    ws.logs_dir().join(format!("{index}.out"))
}

/// The stderr log of trial `index`.
pub(crate) fn stderr_path(ws: &Workspace, index: u64) -> PathBuf {
    ws.logs_dir().join(format!("{index}.err"))
}

/// The last `n` lines of a log (reading only its end), or None if it does not exist.
/// A symbolic link is not followed, and a FIFO or device is refused, not read.
pub(crate) fn last_lines(path: &Path, n: usize) -> Result<Option<Vec<String>>, Error> {
    let mut f = match open_nofollow(path, File::options().read(true)) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(state_error("reading", path, e)),
    };
    if n == 0 {
        return Ok(Some(Vec::new()));
    }
    let len = f
        .metadata()
        .map_err(|e| Error::io(format!("reading {}", path.display()), e))?
        .len();
    // Read backwards in blocks until enough newlines are in hand.
    let mut start = len;
    let mut buf: Vec<u8> = Vec::new();
    while start > 0 && buf.iter().filter(|&&b| b == b'\n').count() <= n {
        let step = start.min(64 * 1024);
        start -= step;
        let mut block = vec![0u8; step as usize];
        f.seek(SeekFrom::Start(start))
            .and_then(|_| f.read_exact(&mut block))
            .map_err(|e| Error::io(format!("reading {}", path.display()), e))?;
        block.extend_from_slice(&buf);
        buf = block;
    }
    let text = String::from_utf8_lossy(&buf);
    let all: Vec<&str> = text.lines().collect();
    Ok(Some(
        all[all.len().saturating_sub(n)..]
            .iter()
            .map(|s| s.to_string())
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn last_lines_reads_the_end() {
        let d = std::env::temp_dir().join(format!("herd-logs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        let p = d.join("0.err");
        let text: String = (0..100_000).map(|i| format!("line {i}\n")).collect();
        std::fs::write(&p, text).unwrap();
        assert_eq!(
            last_lines(&p, 2).unwrap().unwrap(),
            ["line 99998", "line 99999"]
        );
        assert_eq!(last_lines(&p, 0).unwrap().unwrap(), Vec::<String>::new());
        assert_eq!(last_lines(&d.join("missing"), 3).unwrap(), None);
        let _ = std::fs::remove_dir_all(&d);
    }
}
