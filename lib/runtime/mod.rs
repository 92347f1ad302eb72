//! What the static musl binaries need at run time beyond std: a faster allocator
//! and `memcpy` than musl's own.

pub(crate) mod heap;
#[cfg(all(target_arch = "x86_64", target_env = "musl"))]
mod memcpy;
