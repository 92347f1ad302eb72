//! Applying a successive-halving plan: signals, manifest, resubmission. Not built
//! yet; `herd-sh` without `--dry-run` says so.

use super::Applied;
use crate::error::Error;

/// Apply `plan` to the session's workspace (placeholder).
pub(crate) fn apply(
    session: crate::ops::session::Session,
    plan: &crate::model::halving::Plan,
    max_concurrent: Option<u64>,
) -> Result<Applied, Error> {
    let _ = (session, plan, max_concurrent);
    Err(Error::failed("applying is not built yet"))
}
