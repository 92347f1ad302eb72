//! The global allocator: dlmalloc behind a spin lock.
//!
//! musl's own allocator made a 100,000-trial expansion 2.5× slower than the same code
//! on glibc; dlmalloc (pure Rust, no C to build) closes that gap. Its stock global
//! wrapper takes a pthread mutex per call, which under musl cost another ~20 %; herd's
//! tools are single-threaded but for short-lived pipe readers, so an uncontended spin
//! lock is the cheapest correct lock.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, Ordering};

/// dlmalloc with a spin lock.
pub struct Heap {
    locked: AtomicBool,
    dl: UnsafeCell<dlmalloc::Dlmalloc>,
}

// SAFETY: every access to `dl` happens while `locked` is held (see `with`).
unsafe impl Sync for Heap {}

impl Heap {
    /// A new, empty heap.
    pub const fn new() -> Heap {
        Heap {
            locked: AtomicBool::new(false),
            dl: UnsafeCell::new(dlmalloc::Dlmalloc::new()),
        }
    }

    fn with<R>(&self, f: impl FnOnce(&mut dlmalloc::Dlmalloc) -> R) -> R {
        let mut spins = 0u32;
        while self
            .locked
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            // A holder that was preempted (more threads than cores) keeps the lock for
            // a whole time slice: after a short spin, give the core up to it.
            spins += 1;
            if spins < 64 {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        // SAFETY: the lock is held, so this is the only reference to the heap.
        let r = f(unsafe { &mut *self.dl.get() });
        self.locked.store(false, Ordering::Release);
        r
    }
}

impl Default for Heap {
    fn default() -> Heap {
        Heap::new()
    }
}

// SAFETY: dlmalloc implements the allocation contract; the lock serialises it.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        self.with(|dl| unsafe { dl.malloc(layout.size(), layout.align()) })
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        self.with(|dl| unsafe { dl.calloc(layout.size(), layout.align()) })
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.with(|dl| unsafe { dl.free(ptr, layout.size(), layout.align()) })
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        self.with(|dl| unsafe { dl.realloc(ptr, layout.size(), layout.align(), new_size) })
    }
}
