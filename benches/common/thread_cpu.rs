//! The calling thread's CPU time (user and system), exact to the
//! nanosecond: `clock_gettime(CLOCK_THREAD_CPUTIME_ID)` (POSIX).
//!
//! Not `/proc/thread-self/schedstat`: the kernel brings its running total
//! up to date only at a scheduler tick (every 4 ms on the machine of
//! BENCHMARKS.md), so a tenth of a second read there was ±4%; nor
//! `/proc/self/stat`, which counts ticks of 10 ms.

use std::time::Duration;

/// CPU time this thread has used; `None` where the clock is not offered.
pub fn thread_cpu() -> Option<Duration> {
    let mut now = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `now` is a valid, writable timespec for the call's duration.
    let status = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut now) };
    let seconds = u64::try_from(now.tv_sec).ok()?;
    let nanos = u32::try_from(now.tv_nsec).ok()?;
    (status == 0).then(|| Duration::new(seconds, nanos))
}
