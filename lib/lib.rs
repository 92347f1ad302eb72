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
pub mod cpupool;
pub mod dotenv;
pub mod error;
pub mod expand;
pub mod expr;
pub mod fragments;
pub(crate) mod ftext;
pub(crate) mod fxhash;
pub(crate) mod glibm;
pub mod heap;
pub mod local;
#[cfg(all(target_arch = "x86_64", target_env = "musl"))]
mod memcpy;
pub mod naming;
pub mod ndjson;
pub mod pin;
pub mod plan;
pub(crate) mod pyfmt;
pub(crate) mod pyjson;
pub mod reconcile;
pub mod record;
pub mod results;
pub mod script;
pub(crate) mod sha1;
pub mod slurm;
pub mod submit;
pub mod sync;
pub mod table;
#[cfg(test)]
pub(crate) mod testrng;
pub mod tools;
pub mod value;
pub mod workspace;
pub(crate) mod yamlscan;

#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();
