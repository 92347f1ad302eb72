//! herd — hyperparameter sweeps on SLURM as a toolkit of small static binaries.
//!
//! Map of the crate. Each folder is a layer; dependencies point down this list, never
//! up (a test, `layers.rs`, reads every `crate::` path and keeps it so):
//!
//! - `tools/`: one module per binary: parse the arguments, call the layers below,
//!   render the result. No tool imports another.
//! - `report/`: the HTML report page (inline SVG charts) drawn from the record
//!   `ops::report` gathers; reads no sweep file.
//! - `ops/`: the operations: a session, status sync and the signal backstop, the
//!   crash-safe submission and its journal, successive halving (decide, apply),
//!   supervision (herd-watch), the reconciled view of a workspace, the results
//!   views (herd-res rows, groups, steps; the report's record). The only layer
//!   that combines the store with the backends.
//! - `local/`: the local backend: the detached runner, process identity, the CPU pool.
//! - `slurm/`: calls of SLURM's commands with deadlines, and their parsers.
//! - `store/`: everything under `.hyperherd/`, one module per file format (its
//!   module doc lists every file), the lock and atomic, link-refusing writes.
//! - `model/`: the sweep as data, pure: expansion, the successive-halving decision,
//!   the retry decision, names and hashes, the trial record, pins,
//!   reconciliation, group statistics, the NDJSON record writer.
//! - `config/`: `hyperherd.yaml` (types, loading, validation) and the `.env` file.
//! - `expr`: the condition-expression language (a small Python subset).
//! - `text/`: Python-exact text of values (`repr`, `str`, `%g`, JSON), the glibc libm
//!   port, SHA-1, fast hashing and byte scanning, terminal tables, ISO-8601 times,
//!   sparklines. Knows no sweep.
//! - `cli/`, `error`, `runtime/`: the frame every tool runs in (main wrapper, flags,
//!   output mode, notes), the one error enum, the allocator and test hooks.
#![warn(missing_docs)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cli;
pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod expr;
#[cfg(test)]
mod layers;
pub(crate) mod local;
pub(crate) mod model;
pub(crate) mod ops;
pub(crate) mod report;
pub(crate) mod runtime;
pub(crate) mod slurm;
pub mod store;
#[cfg(test)]
pub(crate) mod testrng;
pub mod text;
pub mod tools;

/// musl's own allocator is slow for herd's many small allocations; elsewhere (a
/// glibc build) the system allocator is kept.
#[cfg(target_env = "musl")]
#[global_allocator]
static HEAP: runtime::heap::Heap = runtime::heap::Heap::new();
