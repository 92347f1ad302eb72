//! herd — hyperparameter sweeps on SLURM as a toolkit of small static binaries.
//!
//! Map of the crate (dependencies point down this list):
//!
//! - tools: `tools::<tool>` — one module per binary: parse args, call the modules below.
//! - scheduler: `script` (job.sbatch), `slurm` (sbatch/sacct/squeue/scancel), `local`.
//! - store: `workspace` (.hyperherd/ files, lock, atomic writes), `reconcile`, `results`,
//!   `dotenv` (the workspace's `.env`).
//! - model (pure): `config` (hyperherd.yaml; `yamlscan` looks at its text first), `expand` (trials), `expr` (condition
//!   expressions), `naming` (names, overrides, hash), `record` (the trial record),
//!   `value` (the value model), `pyfmt`/`glibm`/`sha1` (Python-exact text and floats).
//! - frame: `cli` (main wrapper, shared flags, output mode), `error` (the error enum).
#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub mod config;
pub mod error;
pub mod local;
pub mod model;
pub mod ops;
pub(crate) mod runtime;
pub mod slurm;
pub mod store;
#[cfg(test)]
pub(crate) mod testrng;
pub mod text;
pub mod tools;

#[global_allocator]
static HEAP: runtime::heap::Heap = runtime::heap::Heap::new();
