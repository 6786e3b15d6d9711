//! A global allocator that counts live heap bytes and their peak, for the
//! benchmarks' memory figures (the walk's in `e2e`, the planner's in
//! `scim-sync`). Include it with `#[path]`; it installs itself.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);
/// Off for a process that measures CPU, not memory: counting costs two
/// atomic read-modify-writes an allocation, which is the bench's, not the
/// code's under test.
static COUNTING: AtomicBool = AtomicBool::new(true);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwards the caller's contract to the system allocator.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() && COUNTING.load(Ordering::Relaxed) {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwards the caller's contract to the system allocator.
        unsafe { System.dealloc(ptr, layout) };
        if COUNTING.load(Ordering::Relaxed) {
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Heap bytes live now.
pub fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

/// Starts a peak measurement from now; returns the baseline to pass to
/// [`peak_since`].
pub fn start_peak() -> usize {
    let baseline = live();
    PEAK.store(baseline, Ordering::Relaxed);
    baseline
}

/// The highest live heap since [`start_peak`], above its baseline.
pub fn peak_since(baseline: usize) -> usize {
    PEAK.load(Ordering::Relaxed).saturating_sub(baseline)
}

/// Stops counting for good, for a process that measures CPU: from then on
/// [`live`] and the peaks mean nothing.
#[allow(dead_code)] // Not every bench that includes this file measures CPU.
pub fn stop_counting() {
    COUNTING.store(false, Ordering::Relaxed);
}
