//! [`Interrupt`]: Ctrl-C during an apply.
//!
//! The first Ctrl-C (SIGINT; SIGTERM and SIGHUP alike: a service manager
//! stopping the command, a terminal closed) raises the apply's
//! [`StopSignal`]: no new step starts, the steps in flight finish (each
//! request is bounded by the client's deadline) and are journaled, and the
//! command ends with [`exit::INTERRUPTED`], saying how to resume. A second
//! one ends the process at once, with the same status.
//!
//! Ending at once is safe: the journal is append-only and each entry is
//! synced to disk before the engine goes on — a create's `begin` before
//! its request is sent — so the same command run again resumes whatever
//! the exit cut: a journal line cut short is ignored, and a create whose
//! answer was lost is looked up before it is sent again.
//!
//! The handler is the `ctrlc` crate's: a thread of its own that the signal
//! wakes, so nothing here runs inside a signal handler. It is installed
//! once per process, at the first apply (or when a service starts); a
//! Ctrl-C outside an apply then ends the process at once, as it would
//! without a handler — except in a service (`scim sync --every`,
//! [`Service`]), where it is recorded ([`requested`]) so the service stops
//! at its next safe point, its state saved, instead of exiting mid-sleep.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock, PoisonError};

use scim_sync::apply::StopSignal;

use crate::exit;
use crate::output::Output;
use crate::progress::Notes;

/// What the first Ctrl-C says.
const STOPPING: &str = "stopping after the steps in flight (Ctrl-C again quits at once; the journal is safe either way)";

/// The apply being watched, if any.
static WATCHED: Mutex<Option<Watched>> = Mutex::new(None);

/// Whether the handler was installed (once per process), or why not.
static HANDLER: OnceLock<Result<(), String>> = OnceLock::new();

/// A service is running: a stop request is recorded, not an exit.
static SERVING: AtomicBool = AtomicBool::new(false);

/// A stop was asked for while a service runs.
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler once; a warning when it cannot be.
fn install(output: &Output) {
    let installed =
        HANDLER.get_or_init(|| ctrlc::set_handler(on_signal).map_err(|error| error.to_string()));
    if let Err(error) = installed {
        output.warn(&format!(
            "Ctrl-C will stop at once, not after the steps in flight ({error}); \
             the same command still resumes"
        ));
    }
}

/// A service's stop requests, from [`start`](Self::start) until dropped.
#[derive(Debug)]
pub(crate) struct Service;

impl Service {
    /// Records Ctrl-C and SIGTERM for the service instead of exiting.
    pub(crate) fn start(output: &Output) -> Service {
        install(output);
        SERVING.store(true, Ordering::SeqCst);
        Service
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        SERVING.store(false, Ordering::SeqCst);
    }
}

/// True once Ctrl-C or SIGTERM arrived while a [`Service`] runs.
pub(crate) fn requested() -> bool {
    REQUESTED.load(Ordering::SeqCst)
}

struct Watched {
    stop: StopSignal,
    notes: Notes,
}

/// An apply watched for Ctrl-C, from [`watch`](Self::watch) until dropped.
#[derive(Debug)]
pub(crate) struct Interrupt {
    stop: StopSignal,
}

impl Interrupt {
    /// Watches for Ctrl-C until the value is dropped: the first raises
    /// [`stop`](Self::stop) and prints a note to `notes`. When the handler
    /// cannot be installed, a warning says so, and Ctrl-C ends the process
    /// as it does without one (the journal is just as safe).
    pub(crate) fn watch(notes: Notes, output: &Output) -> Interrupt {
        install(output);
        let stop = StopSignal::new();
        *watched() = Some(Watched {
            stop: stop.clone(),
            notes,
        });
        Interrupt { stop }
    }

    /// The signal the first Ctrl-C raises, for the apply's options.
    pub(crate) fn stop(&self) -> StopSignal {
        self.stop.clone()
    }
}

impl Drop for Interrupt {
    fn drop(&mut self) {
        let mut watched = watched();
        if watched.as_ref().is_some_and(|w| w.stop == self.stop) {
            *watched = None;
        }
    }
}

fn watched() -> MutexGuard<'static, Option<Watched>> {
    WATCHED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Ctrl-C: the first during an apply stops it; in a service, the first
/// also asks the service to stop; a second, or one outside an apply and a
/// service, ends the process at once (safe: see the module's docs).
fn on_signal() {
    let serving = SERVING.load(Ordering::SeqCst);
    let first = !REQUESTED.swap(serving, Ordering::SeqCst) && serving;
    let watched = watched();
    match watched.as_ref() {
        Some(apply) if !apply.stop.is_raised() => {
            apply.stop.raise();
            apply.notes.print(STOPPING);
        }
        _ if first => {}
        _ => std::process::exit(i32::from(exit::INTERRUPTED)),
    }
}
