//! The `.hyperherd/` store: paths, the lock, and the index bounds; the file formats
//! live in [`super::manifest`] and [`super::job_ids`], the file I/O in [`super::fs`],
//! and callers import them from there.
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
use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use crate::store::fs::{open_nofollow, state_error};

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

/// The paths of one workspace.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// The workspace directory (holds hyperherd.yaml), absolute.
    pub root: PathBuf,
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
}

pub(crate) fn too_far(path: &Path, msg: &str) -> Error {
    Error::failed(format!("{}: trial index {msg}", path.display())).hint(
        "nothing was changed; an index this large is not one herd assigned: remove or fix the entry",
    )
}

#[cfg(test)]
mod tests;
