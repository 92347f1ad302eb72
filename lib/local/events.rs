//! A local job's `events` file: the runner's append-only record of what it did (see
//! the format in the [module doc](super)), its reader, and the lock under which the
//! runner records itself and a sync declares a job lost.

use crate::local::proc::Proc;
use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;
use std::time::{SystemTime, UNIX_EPOCH};

/// One task as the events tell it.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TaskEvents {
    pub(crate) proc: Proc,
    pub(crate) started_ms: u64,
    /// (state, exit code, max rss, unix ms) once it ended.
    pub(crate) end: Option<(String, Option<i64>, Option<u64>, u64)>,
}

/// Everything the events file says.
#[derive(Debug, Default)]
pub(crate) struct Events {
    pub(crate) runner: Option<Proc>,
    /// A sync declared the job lost before its runner recorded itself.
    pub(crate) lost: bool,
    pub(crate) tasks: HashMap<u64, TaskEvents>,
}

pub(crate) fn parse_events(text: &str) -> Events {
    let mut ev = Events::default();
    // Only whole lines: the last one may be half-written by a crash.
    let whole = text.rfind('\n').map_or("", |k| &text[..k]);
    for line in whole.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let num = |i: usize| f.get(i).and_then(|s| s.parse::<u64>().ok());
        let opt = |i: usize| f.get(i).filter(|s| **s != "-").copied();
        match f.first() {
            Some(&"runner") if f.len() >= 5 => {
                if let (Some(pid), Some(ticks)) = (num(1), num(2)) {
                    ev.runner = Some(Proc {
                        pid: pid as i32,
                        start_ticks: ticks,
                        boot_id: f[3].to_string(),
                    });
                }
            }
            Some(&"start") if f.len() >= 5 => {
                if let (Some(t), Some(pid), Some(ticks), Some(ms)) =
                    (num(1), num(2), num(3), num(4))
                {
                    let boot_id = ev.runner.as_ref().map(|r| r.boot_id.clone());
                    ev.tasks.insert(
                        t,
                        TaskEvents {
                            proc: Proc {
                                pid: pid as i32,
                                start_ticks: ticks,
                                boot_id: boot_id.unwrap_or_default(),
                            },
                            started_ms: ms,
                            end: None,
                        },
                    );
                }
            }
            Some(&"lost") => ev.lost = true,
            Some(&"end") if f.len() >= 6 => {
                if let (Some(t), Some(ms)) = (num(1), num(5)) {
                    let e = ev.tasks.entry(t).or_default();
                    if e.started_ms == 0 {
                        e.started_ms = ms;
                    }
                    e.end = Some((
                        f[2].to_string(),
                        opt(3).and_then(|s| s.parse().ok()),
                        opt(4).and_then(|s| s.parse().ok()),
                        ms,
                    ));
                }
            }
            _ => {}
        }
    }
    ev
}

pub(crate) fn read_events(dir: &Path) -> Events {
    let text = crate::store::fs::read_optional(&dir.join("events"))
        .ok()
        .flatten()
        .unwrap_or_default();
    parse_events(&text)
}

pub(crate) fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// Lock the events file of the job in `dir` (creating both if need be).
pub(crate) fn lock_events(dir: &Path) -> std::io::Result<nix::fcntl::Flock<File>> {
    fs::create_dir_all(dir)?;
    let file = crate::store::fs::open_append_nofollow(&dir.join("events"))?;
    nix::fcntl::Flock::lock(file, nix::fcntl::FlockArg::LockExclusive)
        .map_err(|(_, e)| std::io::Error::from(e))
}

/// The events of a job whose runner has not recorded itself (call under the workspace
/// lock, so no herd-submit is starting it). Under the events file's lock: a runner
/// that recorded itself meanwhile is found; otherwise the job is marked `lost`, so that
/// a runner still starting runs nothing. Err when the mark cannot be written: the
/// job's fate is then unknown, and nothing may be resubmitted.
pub(crate) fn settle_unstarted(dir: &Path) -> std::io::Result<Events> {
    let mut held = lock_events(dir)?;
    let ev = read_events(dir);
    if ev.runner.is_some() || ev.lost {
        return Ok(ev);
    }
    held.write_all(format!("lost {}\n", now_ms()).as_bytes())?;
    held.sync_data()?;
    Ok(read_events(dir))
}

/// Append `line` (one whole line) to the events file in one write. A failed or short
/// write is tried once more; after a short one, behind a newline that closes the half
/// line the first attempt left (readers skip it, and a later line wins).
pub(crate) fn append(events: &mut impl Write, line: &str) -> io::Result<()> {
    match events.write(line.as_bytes()) {
        Ok(n) if n == line.len() => Ok(()),
        Ok(n) if n > 0 => events.write_all(format!("\n{line}").as_bytes()),
        _ => events.write_all(line.as_bytes()),
    }
}
