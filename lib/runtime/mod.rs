//! What the static musl binaries need at run time beyond std: a faster allocator
//! and `memcpy` than musl's own; work spread over the cores in order; and the crash
//! points of the crash-safety tests.

#[cfg(target_env = "musl")]
pub(crate) mod heap;
#[cfg(all(target_arch = "x86_64", target_env = "musl"))]
mod memcpy;
pub mod par;

/// Test hook: `HERD_TEST_CRASH_AT=<point>` aborts the process at that point, so the
/// crash-safety tests can kill a submission or a runner exactly there. Only in debug
/// builds (what `cargo test` runs); a release binary has no such hook.
#[cfg(debug_assertions)]
pub fn crash_point(point: &str) {
    if std::env::var("HERD_TEST_CRASH_AT").is_ok_and(|p| p == point) {
        std::process::abort();
    }
}

/// Release builds carry no test hook.
#[cfg(not(debug_assertions))]
#[inline(always)]
pub fn crash_point(_point: &str) {}
