//! What `tracing` records on this thread while a closure runs, as text.
//!
//! One subscriber for the whole test binary, set as the global default
//! once, writing into a buffer of the thread that asked. A subscriber per
//! test set with `tracing::subscriber::with_default` lost spans when tests
//! ran in parallel: tracing caches whether each call site is enabled for
//! every subscriber at once, and a cache rebuilt while another test's
//! subscriber was gone could leave a call site off until the next rebuild
//! (seen once in CI: the first of two calls' spans missing).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::sync::Once;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

thread_local! {
    /// This thread's capture, while one runs.
    static CAPTURED: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Writes to the capture of the calling thread, if any.
struct Capture {
    ids: AtomicU64,
}

impl Capture {
    fn write(&self, write: impl FnOnce(&mut String)) {
        CAPTURED.with(|captured| {
            if let Some(text) = captured.borrow_mut().as_mut() {
                write(text);
            }
        });
    }
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        self.write(|text| {
            let _ = write!(text, "\nspan {} ", span.metadata().name());
            span.record(&mut Fields(text));
        });
        Id::from_u64(self.ids.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        self.write(|text| values.record(&mut Fields(text)));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        self.write(|text| {
            text.push_str("\nevent ");
            event.record(&mut Fields(text));
        });
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

/// Runs `run` and returns what was traced on this thread meanwhile (spans
/// with their fields, and events, one a line).
pub fn traced<T>(run: impl FnOnce() -> T) -> (T, String) {
    static GLOBAL: Once = Once::new();
    GLOBAL.call_once(|| {
        let capture = Capture {
            ids: AtomicU64::new(0),
        };
        tracing::subscriber::set_global_default(capture)
            .expect("no other global subscriber in this test binary");
    });
    CAPTURED.with(|captured| *captured.borrow_mut() = Some(String::new()));
    let out = run();
    let text = CAPTURED.with(|captured| captured.borrow_mut().take());
    (out, text.unwrap_or_default())
}
