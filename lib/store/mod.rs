//! Everything under `.hyperherd/`: paths, the lock, atomic writes, and one module
//! per file format. Knows no SLURM.
//!
//! | file | module |
//! |---|---|
//! | `manifest.json`, `job_ids.json`, `next_index`, `lock` | [`workspace`] |
//! | `results/<i>.json`, `results/<i>/stream/*.jsonl`, `results/<i>/_signal` | [`results`] |
//! | `job.sbatch`, `job.part<k>.sbatch` (the job scripts) | [`script`] |
//! | `submit.journal` | `ops::submit` (the crash-safe submission) |
//! | `exit/<i>` (a task's exit record) | [`exits`] |
//! | `slurm_state.json` (the sync's cache of SLURM detail) | `ops::sync` |
//! | `local/<job>/` (spec, events, runner log, cancel markers) | `local` |
//! | `logs/<i>.out`, `logs/<i>.err` (written by the job) | read by `tools::tail`, `tools::status` |

pub mod exits;
pub mod results;
pub mod script;
pub mod workspace;
