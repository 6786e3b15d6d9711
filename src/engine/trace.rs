//! One `tracing` span per call (feature `tracing`): what was called, how
//! many attempts it took, how it ended and how long it waited between
//! attempts. Without the feature every function here is a no-op.
//!
//! Recorded: the method, the path (no query: filter values stay out of
//! traces), the attempts, the final status or failure kind, the retries and
//! the total wait. Never recorded: headers, bodies, query strings — so no
//! credential can reach a trace.

use std::time::Duration;

use crate::transport::{HttpRequest, HttpResponse, TransportError};

/// The span of one call, and what it has seen so far.
#[derive(Debug)]
pub(crate) struct CallTrace {
    #[cfg(feature = "tracing")]
    span: tracing::Span,
    attempts: u32,
    waited: Duration,
}

impl CallTrace {
    /// Opens the call's span (`scim.call`), named after its first request.
    pub(crate) fn start(request: &HttpRequest) -> CallTrace {
        #[cfg(not(feature = "tracing"))]
        let _ = request;
        CallTrace {
            #[cfg(feature = "tracing")]
            span: tracing::debug_span!(
                "scim.call",
                method = %request.method(),
                path = request.uri().path(),
                attempts = tracing::field::Empty,
                status = tracing::field::Empty,
                failure = tracing::field::Empty,
                retries = tracing::field::Empty,
                waited_ms = tracing::field::Empty,
            ),
            attempts: 0,
            waited: Duration::ZERO,
        }
    }

    /// An attempt ended with `result`.
    pub(crate) fn attempt(&mut self, result: &Result<HttpResponse, TransportError>) {
        self.attempts += 1;
        #[cfg(feature = "tracing")]
        {
            self.span.record("attempts", self.attempts);
            match result {
                Ok(response) => {
                    self.span.record("status", response.status().as_u16());
                }
                Err(error) => {
                    self.span
                        .record("failure", tracing::field::display(error.kind()));
                }
            }
        }
        #[cfg(not(feature = "tracing"))]
        let _ = result;
    }

    /// The call waits `delay` before its next attempt.
    pub(crate) fn retry(&mut self, delay: Duration) {
        self.waited = self.waited.saturating_add(delay);
        #[cfg(feature = "tracing")]
        {
            self.span.record("retries", self.attempts);
            self.span.record(
                "waited_ms",
                u64::try_from(self.waited.as_millis()).unwrap_or(u64::MAX),
            );
            let _inside = self.span.enter();
            tracing::debug!(
                delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
                "retrying"
            );
        }
    }
}
