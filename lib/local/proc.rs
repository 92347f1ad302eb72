//! Process identity: a process is its pid *and* start time *and* boot id, so a reused
//! pid or a reboot is never mistaken for a live runner or trial.

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use std::fs;

/// A process as the runner recorded it: pid, start time and boot, which together
/// name it for good.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Proc {
    pub(crate) pid: i32,
    pub(crate) start_ticks: u64,
    pub(crate) boot_id: String,
}

/// This process, as a [`Proc`].
pub(crate) fn this_process() -> Proc {
    let pid = std::process::id() as i32;
    Proc {
        pid,
        start_ticks: proc_stat(pid).map_or(0, |(_, t)| t),
        boot_id: boot_id().to_string(),
    }
}

/// This boot's id (a reboot makes every recorded pid meaningless), read once.
pub(crate) fn boot_id() -> &'static str {
    static ID: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    ID.get_or_init(|| {
        fs::read_to_string("/proc/sys/kernel/random/boot_id")
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|_| "unknown".into())
    })
}

/// (state letter, start time in clock ticks since boot) of a process.
pub(crate) fn proc_stat(pid: i32) -> Option<(char, u64)> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // `pid (comm) S ...`: comm may hold spaces and parentheses; fields follow the last ')'.
    let rest = &text[text.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    // After comm: state is field 3 of the line, starttime field 22.
    Some((f.first()?.chars().next()?, f.get(19)?.parse().ok()?))
}

/// True when the recorded process still runs (same pid, same start, same boot).
pub(crate) fn alive(p: &Proc) -> bool {
    p.boot_id == boot_id()
        && proc_stat(p.pid).is_some_and(|(s, t)| t == p.start_ticks && s != 'Z' && s != 'X')
}

/// Signal a trial's process group, unless its pid now belongs to someone else (when
/// the leader is gone, only its old group can still carry that id).
pub(crate) fn signal_group(p: &Proc, sig: Signal) {
    if p.pid <= 1 || p.boot_id != boot_id() {
        return;
    }
    let ours = match proc_stat(p.pid) {
        Some((_, t)) => t == p.start_ticks,
        None => true,
    };
    if ours {
        let _ = kill(Pid::from_raw(-p.pid), sig);
    }
}
/// The process group of a process (also of a zombie not yet reaped).
pub(crate) fn proc_pgrp(pid: i32) -> Option<i32> {
    let text = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &text[text.rfind(')')? + 2..];
    // After comm: state, ppid, pgrp.
    rest.split(' ').nth(2)?.parse().ok()
}
