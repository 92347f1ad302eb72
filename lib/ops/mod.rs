//! The operations the tools call: the only layer that combines the store with the
//! scheduler backends (SLURM and local). Status sync, the crash-safe submission and
//! its journal, the reconciled view of a workspace, successive halving, and what a report shows.

pub mod attempts;
pub mod backstop;
pub mod fragments;
pub mod halving;
pub mod journal;
pub mod plan;
pub mod report;
pub mod results;
pub mod room;
pub mod sampled;
pub mod select;
pub mod session;
pub mod stop;
pub mod submit;
pub mod supervise;
pub mod sync;
pub mod view;
