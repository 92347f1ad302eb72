//! `.hyperherd/exit/<index>`: the exit record the job script writes when a task ends
//! (`<job>_<task> <status>` or `<job>_<task> TERM`), for clusters without accounting
//! and for a local runner that died after its trial ended.

use crate::model::record::Observation;
use crate::store::workspace::{self, Workspace};

/// The exit record the job script wrote for `index`, if it is for `job` (`J_T`).
pub fn exit_record(ws: &Workspace, index: u64, job: &str) -> Option<Observation> {
    let text = workspace::read_optional(&ws.dir().join("exit").join(index.to_string()))
        .ok()
        .flatten()?;
    let (who, what) = text.trim().split_once(' ')?;
    if who != job {
        return None;
    }
    Some(match what {
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
