//! `notify:`: the events the config names are handed, one by one, to its command
//! (an argv list, run without a shell) as one JSON object on standard input. A
//! command that fails or takes over 30 seconds is reported on stderr; it never stops
//! the watcher.

use crate::cli;
use crate::config::Notify;
use crate::store::watch::Event;
use std::io::Write;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// How long a notify command may take.
const LIMIT: Duration = Duration::from_secs(30);

/// Run the notify command (in the workspace) for each of `events` it chose.
pub(super) fn notify(n: Option<&Notify>, workspace: &std::path::Path, events: &[Event]) {
    let Some(n) = n else {
        return;
    };
    for e in events.iter().filter(|e| n.on.contains(&e.event)) {
        if let Err(why) = run(&n.command, workspace, &e.line()) {
            cli::warning(&format!(
                "notify command {:?} for event {}: {why}",
                n.command.first().map_or("", String::as_str),
                e.event
            ));
        }
    }
}

fn run(argv: &[String], cwd: &std::path::Path, input: &str) -> Result<(), String> {
    let (prog, args) = argv.split_first().ok_or("no command")?;
    let mut child = Command::new(prog)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run it: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is fine.
        let _ = stdin.write_all(input.as_bytes());
    }
    let start = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(st)) if st.success() => return Ok(()),
            Ok(Some(st)) => return Err(format!("it exited with {st}")),
            Ok(None) if start.elapsed() > LIMIT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("it took over {}s and was killed", LIMIT.as_secs()));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => return Err(e.to_string()),
        }
    }
}
