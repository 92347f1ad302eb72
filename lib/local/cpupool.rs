//! The CPUs of this machine, shared by every local runner of one user.
//!
//! Each local job limits itself to `max_concurrent` trials, but two jobs at once (a
//! resubmission of failed trials while the rest still run, two sweeps) would each take
//! the whole machine. Like SLURM's resource accounting on a node, a trial first takes
//! `cpus_per_task` CPUs from a pool of the machine's CPUs and waits (PENDING) when
//! there are not enough; it gives them back when it ends. A trial that needs more
//! than the machine has runs when the pool is otherwise empty.
//!
//! The pool is a small ledger file, read and rewritten under `flock`, one line per
//! trial holding CPUs:
//!
//! ```text
//! <runner pid> <runner start ticks> <boot id> <job id>_<task> <cpus>
//! ```
//!
//! Lines of a runner that is gone (killed, crashed, a reboot) are dropped by whoever
//! reads the ledger next, so a dead runner never holds CPUs. The ledger lives in
//! `$XDG_RUNTIME_DIR/herd/` or else `/tmp/herd-<uid>/` (a directory the user owns,
//! mode 0700); `HERD_LOCAL_POOL` names another file or `off`, `HERD_LOCAL_CPUS` sets
//! the pool's size. Any trouble with the ledger lets the trial start: the pool never
//! stops a sweep, at worst it is not enforced (the runner's log says why).

use crate::local::{alive, Proc};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt};
use std::path::{Path, PathBuf};

/// The ledger this user's runners share, or `None` (`HERD_LOCAL_POOL=off`, or no
/// private directory for it).
pub fn default_path() -> Option<PathBuf> {
    match std::env::var_os("HERD_LOCAL_POOL") {
        Some(v) if v == "off" => return None,
        Some(v) if !v.is_empty() => return Some(PathBuf::from(v)),
        _ => {}
    }
    let uid = nix::unistd::getuid().as_raw();
    let dir = match std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from) {
        Some(d) if d.is_absolute() && owned_dir(&d, uid) => d.join("herd"),
        _ => std::env::temp_dir().join(format!("herd-{uid}")),
    };
    let _ = fs::DirBuilder::new().mode(0o700).create(&dir);
    // Somebody else's directory (or a link) in a shared /tmp is not used.
    owned_dir(&dir, uid).then(|| dir.join("local-cpus"))
}

/// The pool's size: `HERD_LOCAL_CPUS`, else this machine's CPUs.
pub fn default_cpus() -> u64 {
    std::env::var("HERD_LOCAL_CPUS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .filter(|&n| n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get() as u64))
}

fn owned_dir(dir: &Path, uid: u32) -> bool {
    fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir() && m.uid() == uid)
}

/// One runner's view of the pool.
pub struct Pool {
    path: PathBuf,
    cpus: u64,
    me: Proc,
    job_id: String,
}

impl Pool {
    /// The pool at `path` of `cpus` CPUs, for the runner `me` of job `job_id`.
    pub(crate) fn new(path: PathBuf, cpus: u64, me: Proc, job_id: &str) -> Pool {
        Pool {
            path,
            cpus: cpus.max(1),
            me,
            job_id: job_id.to_string(),
        }
    }

    /// The ledger's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Take `cpus` CPUs for `task` if the pool has them (or holds nothing at all).
    pub fn take(&self, task: u64, cpus: u64) -> std::io::Result<bool> {
        self.update(|held, mine| {
            let used: u64 = held.iter().map(|h| h.cpus).sum();
            let ok = used == 0 || used + cpus <= self.cpus;
            if ok {
                held.push(Holder {
                    runner: self.me.clone(),
                    key: mine(task),
                    cpus,
                });
            }
            ok
        })
    }

    /// Give back what `task` took.
    pub fn give_back(&self, task: u64) -> std::io::Result<()> {
        self.update(|held, mine| {
            let key = mine(task);
            held.retain(|h| !(h.runner == self.me && h.key == key));
        })
    }

    /// Read the ledger under its lock, drop dead runners' lines, let `change` edit
    /// the rest, write it back if that changed it.
    fn update<T>(
        &self,
        change: impl FnOnce(&mut Vec<Holder>, &dyn Fn(u64) -> String) -> T,
    ) -> std::io::Result<T> {
        let file = crate::store::fs::open_nofollow(
            &self.path,
            OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false),
        )?;
        let mut file = nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive)
            .map_err(|(_, e)| std::io::Error::from(e))?;
        let mut text = String::new();
        file.read_to_string(&mut text)?;
        let mut held: Vec<Holder> = text.lines().filter_map(Holder::parse).collect();
        held.retain(|h| alive(&h.runner));
        let job = &self.job_id;
        let result = change(&mut held, &|task| format!("{job}_{task}"));
        let mut out = String::new();
        for h in &held {
            out.push_str(&h.line());
        }
        // A runner waiting for CPUs asks every tick; it writes only what changed.
        if out != text {
            rewrite(&mut file, out.as_bytes())?;
        }
        Ok(result)
    }
}

fn rewrite(file: &mut File, data: &[u8]) -> std::io::Result<()> {
    file.rewind()?;
    file.set_len(0)?;
    file.write_all(data)
}

/// A trial holding CPUs.
#[derive(Debug, PartialEq)]
struct Holder {
    runner: Proc,
    key: String,
    cpus: u64,
}

impl Holder {
    /// A whole, well-formed line, else `None` (a torn line is dropped).
    fn parse(line: &str) -> Option<Holder> {
        let f: Vec<&str> = line.split(' ').collect();
        let [pid, ticks, boot, key, cpus] = f[..] else {
            return None;
        };
        Some(Holder {
            runner: Proc {
                pid: pid.parse().ok()?,
                start_ticks: ticks.parse().ok()?,
                boot_id: boot.to_string(),
            },
            key: key.to_string(),
            cpus: cpus.parse().ok()?,
        })
    }

    fn line(&self) -> String {
        format!(
            "{} {} {} {} {}\n",
            self.runner.pid, self.runner.start_ticks, self.runner.boot_id, self.key, self.cpus
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(tag: &str) -> PathBuf {
        let p = std::env::temp_dir().join(format!("herd-pool-{tag}-{}", std::process::id()));
        let _ = fs::remove_file(&p);
        p
    }

    #[test]
    fn cpus_are_taken_up_to_the_size_and_given_back() {
        let path = ledger("size");
        let me = crate::local::proc::this_process();
        let a = Pool::new(path.clone(), 4, me.clone(), "local-1");
        let b = Pool::new(path.clone(), 4, me, "local-2");
        assert!(a.take(0, 2).unwrap());
        assert!(b.take(0, 1).unwrap());
        assert!(!a.take(1, 2).unwrap(), "3 of 4 used: 2 more do not fit");
        assert!(b.take(1, 1).unwrap());
        assert!(!b.take(2, 1).unwrap());
        a.give_back(0).unwrap();
        assert!(a.take(1, 2).unwrap());
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 3, "{text}");
        assert!(text.contains(" local-2_0 1\n") && text.contains(" local-1_1 2\n"));
        let _ = fs::remove_file(&path);
    }

    #[test]
    fn a_trial_bigger_than_the_pool_runs_alone() {
        let path = ledger("big");
        let p = Pool::new(
            path.clone(),
            2,
            crate::local::proc::this_process(),
            "local-1",
        );
        assert!(p.take(0, 8).unwrap(), "an empty pool lets it run");
        assert!(!p.take(1, 1).unwrap(), "nothing else while it runs");
        p.give_back(0).unwrap();
        assert!(p.take(1, 1).unwrap());
        let _ = fs::remove_file(&path);
    }

    #[test]
    fn dead_runners_and_torn_lines_hold_nothing() {
        let path = ledger("dead");
        // A runner that exited (its pid may be reused, its start time is not), one
        // from another boot, and a half-written line.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let dead = child.id();
        child.wait().unwrap();
        let me = crate::local::proc::this_process();
        fs::write(
            &path,
            format!(
                "{dead} 1 {boot} local-9_0 2\n{pid} {ticks} another-boot local-8_0 2\n{pid} {ticks}",
                boot = me.boot_id,
                pid = me.pid,
                ticks = me.start_ticks
            ),
        )
        .unwrap();
        let p = Pool::new(path.clone(), 2, me, "local-1");
        assert!(p.take(0, 2).unwrap());
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), 1);
        let _ = fs::remove_file(&path);
    }

    #[test]
    fn the_pool_is_off_or_elsewhere_when_asked() {
        // Only this test sets these variables.
        std::env::set_var("HERD_LOCAL_POOL", "off");
        assert_eq!(default_path(), None);
        std::env::set_var("HERD_LOCAL_POOL", "/some/where");
        assert_eq!(default_path(), Some(PathBuf::from("/some/where")));
        std::env::remove_var("HERD_LOCAL_POOL");
        let p = default_path().expect("a private directory");
        let dir = p.parent().unwrap();
        let m = fs::symlink_metadata(dir).unwrap();
        assert!(m.is_dir() && m.uid() == nix::unistd::getuid().as_raw());
    }
}
