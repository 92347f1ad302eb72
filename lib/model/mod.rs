//! The sweep as data, pure: expansion of the config into trials (grid modes,
//! conditions, dedupe; the sampling modes in `sample/`), names, override strings and hashes,
//! the trial record, pins, reconciliation of stored and generated trials, the
//! successive-halving decision, the retry decision, and the
//! NDJSON record writer. Reads the config and nothing else.

pub mod aggregate;
pub mod conditions;
pub mod expand;
pub mod halving;
pub mod naming;
pub mod ndjson;
pub mod pin;
pub mod reconcile;
pub mod record;
pub(crate) mod retry;
pub mod rows;
pub(crate) mod sample;
