//! `.hyperherd/exit/<index>`: the exit record the job script writes when a task ends
//! (`<job>_<task> <status>` or `<job>_<task> TERM`), for clusters without accounting
//! and for a local runner that died after its trial ended. The local runner also
//! writes it (`<job>_<task> <status>`, `TERM` or `TIMEOUT`) when it cannot record a
//! trial's end in its events file.

use crate::error::Error;
use crate::model::record::Observation;
use crate::store::workspace::Workspace;

/// The exit record the job script wrote for `index`, if it is for `job` (`J_T`).
pub fn exit_record(ws: &Workspace, index: u64, job: &str) -> Option<Observation> {
    let text = crate::store::fs::read_optional(&ws.dir().join("exit").join(index.to_string()))
        .ok()
        .flatten()?;
    let (who, what) = text.trim().split_once(' ')?;
    if who != job {
        return None;
    }
    Some(match what {
        "TIMEOUT" => Observation {
            state: "TIMEOUT".into(),
            reason: Some("reached the time limit".into()),
            ..Observation::default()
        },
        "TERM" => Observation {
            state: "CANCELLED".into(),
            reason: Some("stopped by SIGTERM (cancelled or out of time)".into()),
            exit_code: Some(143),
            ..Observation::default()
        },
        code => {
            let code: i64 = code.parse().ok()?;
            Observation {
                state: if code == 0 {
                    "COMPLETED".into()
                } else {
                    "FAILED".into()
                },
                exit_code: Some(code),
                ..Observation::default()
            }
        }
    })
}

/// Write the exit record of `index` for `job` (`J_T`): `what` is an exit status, `TERM`
/// or `TIMEOUT`. Atomic, like the job script's own (which it replaces).
pub fn write_exit_record(ws: &Workspace, index: u64, job: &str, what: &str) -> Result<(), Error> {
    let dir = ws.dir().join("exit");
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::io(format!("creating {}", dir.display()), e))?;
    crate::store::fs::write_atomic(
        &dir.join(index.to_string()),
        format!("{job} {what}\n").as_bytes(),
    )
}

/// Remove the exit record of `index` (a missing one is no error).
pub fn remove_exit_record(ws: &Workspace, index: u64) -> std::io::Result<()> {
    match std::fs::remove_file(ws.dir().join("exit").join(index.to_string())) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}
