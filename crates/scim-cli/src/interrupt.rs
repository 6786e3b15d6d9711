//! Stop requests: Ctrl-C (SIGINT) and SIGTERM set one flag that long
//! work looks at — the watch loop between runs, an apply before each new
//! step — so the process ends at a safe point instead of mid-line.
//!
//! The flag is set from the signal handler (`signal-hook`'s `flag`, which
//! only stores to an atomic, async-signal-safe); nothing else runs there.

use std::sync::Arc;
use std::sync::OnceLock;
use std::sync::atomic::AtomicBool;

static REQUESTED: OnceLock<Arc<AtomicBool>> = OnceLock::new();

/// The flag, with the handlers installed on first use (once per process).
/// A handler that cannot be installed leaves its signal's default (the
/// process ends there, as it would without this module).
pub(crate) fn flag() -> Arc<AtomicBool> {
    let flag = REQUESTED.get_or_init(|| {
        let flag = Arc::new(AtomicBool::new(false));
        for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            let _ = signal_hook::flag::register(signal, Arc::clone(&flag));
        }
        flag
    });
    Arc::clone(flag)
}
