//! Everything under `.hyperherd/`: paths, the lock, atomic writes, and one module
//! per file format. Knows no SLURM.
//!
//! | file | module |
//! |---|---|
//! | `manifest.json` | [`manifest`] |
//! | `job_ids.json`, `next_index` | [`job_ids`] |
//! | `lock` (and the paths of all the others) | [`workspace`] |
//! | (any: atomic writes, link-refusing opens, Python JSON) | [`fs`] |
//! | `results/<i>.json`, `results/<i>/_signal`, `results/<i>.lock` | [`results`] |
//! | `results/<i>/stream/*.jsonl` (names, lines, reading, listing) | [`streams`] |
//! | `results/<i>/stream/<metric>.jsonl` (read fast for successive halving) | [`curves`] |
//! | `job.sbatch`, `job.part<k>.sbatch` (the job scripts) | [`script`] |
//! | `submit.journal` | `ops::submit` (the crash-safe submission) |
//! | `exit/<i>` (a task's exit record) | [`exits`] |
//! | `slurm_state.json` (the sync's cache of SLURM detail) | [`cache`] |
//! | `events.jsonl`, `watch.json` (herd-watch's log of actions and its state) | [`watch`] |
//! | `local/<job>/` (spec, events, runner log, cancel markers) | `local` |
//! | `logs/<i>.out`, `logs/<i>.err` (written by the job; their last lines) | [`logs`] (and `ops::view`) |

pub(crate) mod cache;
pub(crate) mod curves;
pub(crate) mod exits;
pub(crate) mod fs;
pub(crate) mod job_ids;
pub(crate) mod logs;
pub(crate) mod manifest;
pub mod results;
pub(crate) mod script;
pub(crate) mod streams;
pub(crate) mod watch;
pub mod workspace;
