//! [`Call`]: one operation carried through its attempts and retries.
//!
//! The call is a state machine whose states are types, so an out-of-order
//! step does not compile:
//!
//! ```text
//!                 Call::new(operation, handlers)
//!                              │
//!          ┌──────────────►  Call<T>  ─── request() ──► the driver sends it
//!          │                   │
//!          │     receive(response or transport error, now)
//!          │                   │
//!          │        ┌──────────┴───────────┐
//!          │        ▼                      ▼
//!          │  Step::Retry(Wait<T>)    Step::Done(Result<T, Error>)
//!          │        │
//!          └── resume() once wait.delay() has passed
//! ```
//!
//! It never sends, sleeps or reads a clock: the driver does those and feeds
//! the results in. The time it needs (for HTTP-date `Retry-After`) is an
//! argument, and its randomness (for jitter) comes from a generator seeded
//! by the caller, so a test replays exactly.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::request::operation::Operation;
use crate::retry::{Attempt, Decision, MAX_ATTEMPTS, Outcome, RetryHandlers, RetryState};
use crate::secrets::Secrets;
use crate::transport::{HttpRequest, HttpResponse, TransportError};
use crate::{DEFAULT_MAX_BODY_SIZE, Error};

/// An operation waiting for the answer to its request.
#[must_use = "a call does nothing until its request is sent and the answer received"]
#[derive(Debug)]
pub struct Call<T> {
    operation: Operation<T>,
    handlers: RetryHandlers,
    state: RetryState,
    attempts: u32,
    /// Tokens this call took from the handlers' shared quota.
    quota_spent: u32,
    rng: u64,
    max_body_size: usize,
}

/// What to do after an attempt.
///
/// `Retry` carries the whole call (the request is its bulk); it moves once
/// per attempt, which costs nothing next to a network round trip, so it is
/// not boxed.
#[must_use]
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum Step<T> {
    /// Wait, then send the request again.
    Retry(Wait<T>),
    /// Finished: the typed result, or the error to report.
    Done(Result<T, Error>),
}

/// A call waiting before its next attempt.
#[must_use = "resume the call after the delay"]
#[derive(Debug)]
pub struct Wait<T> {
    call: Call<T>,
    decision: Decision,
}

impl<T> Call<T> {
    /// Starts a call. `seed` feeds the jitter's random numbers: pass a fixed
    /// value in tests and fresh entropy in production.
    pub fn new(operation: Operation<T>, handlers: RetryHandlers, seed: u64) -> Call<T> {
        Call {
            operation,
            handlers,
            state: RetryState::default(),
            attempts: 0,
            quota_spent: 0,
            rng: seed,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
        }
    }

    /// Sets the largest response body accepted; a larger one ends the call
    /// with [`TransportErrorKind::ResponseTooLarge`](crate::transport::TransportErrorKind).
    /// Transports should stop reading at the limit too; this catches those that do not.
    pub fn with_max_body_size(mut self, max_body_size: usize) -> Call<T> {
        self.max_body_size = max_body_size;
        self
    }

    /// The request to send now.
    pub fn request(&self) -> &HttpRequest {
        self.operation.request()
    }

    /// Sets the `Authorization` of the next attempt (and every one after):
    /// a renewed OAuth token. Errors the call returns are scrubbed of it.
    pub(crate) fn authorize(&mut self, value: http::HeaderValue) {
        self.operation.authorize(value);
    }

    /// The retry state so far.
    pub fn state(&self) -> &RetryState {
        &self.state
    }

    /// Attempts made so far (requests sent and answered or failed).
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Feeds in how the attempt ended, with the current time, and says what
    /// comes next: done, or wait and send again. The call is consumed, so
    /// an answer is handled once.
    pub fn handle(
        mut self,
        result: Result<HttpResponse, TransportError>,
        now: SystemTime,
    ) -> Step<T> {
        self.attempts += 1;
        let result = match result {
            Ok(response) if response.body().len() > self.max_body_size => {
                Err(TransportError::too_large(self.max_body_size))
            }
            other => other,
        };
        if matches!(&result, Ok(response) if response.status().is_success())
            || self.attempts >= MAX_ATTEMPTS
        {
            return self.finish(result);
        }
        let outcome = match &result {
            Ok(response) => Outcome::Response(response),
            Err(error) => Outcome::Failed(error),
        };
        let random = next_unit(&mut self.rng);
        let attempt = Attempt {
            request: self.operation.request(),
            outcome,
            now,
            random,
        };
        match self.handlers.decide(&mut self.state, &attempt) {
            Some(decision) => {
                self.quota_spent = self.quota_spent.saturating_add(decision.cost);
                Step::Retry(Wait {
                    call: self,
                    decision,
                })
            }
            None => self.finish(result),
        }
    }

    /// The typed result. An error leaves with the request's credentials
    /// scrubbed from it, whatever the server or the transport echoed.
    fn finish(self, result: Result<HttpResponse, TransportError>) -> Step<T> {
        if let (Some(quota), Ok(response)) = (self.handlers.quota(), &result) {
            if response.status().is_success() {
                quota.succeeded(self.quota_spent);
            }
        }
        let result = match result {
            Ok(response) => self.operation.parse_response(response),
            Err(error) => Err(Error::Transport(error)),
        };
        Step::Done(result.map_err(|e| e.scrubbed(&Secrets::of(self.operation.request().headers()))))
    }
}

impl<T> Wait<T> {
    /// How long to wait before resuming.
    pub fn delay(&self) -> Duration {
        self.decision.delay
    }

    /// The type name of the handler that asked for the retry.
    pub fn handler(&self) -> &str {
        &self.decision.handler
    }

    /// The retry state, including this retry.
    pub fn state(&self) -> &RetryState {
        &self.call.state
    }

    /// Back to sending, once the delay has passed.
    pub fn resume(self) -> Call<T> {
        self.call
    }
}

/// The next number of a SplitMix64 sequence, as a uniform `f64` in `[0, 1)`.
fn next_unit(state: &mut u64) -> f64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    // The top 53 bits fill an f64 mantissa exactly.
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// What a client needs to start calls: its body limit and a stream of
/// jitter seeds (one per call, all different).
#[derive(Debug)]
pub(crate) struct CallStarter {
    max_body_size: usize,
    next_seed: AtomicU64,
}

impl CallStarter {
    pub(crate) fn new(max_body_size: usize, seed: u64) -> CallStarter {
        CallStarter {
            max_body_size,
            next_seed: AtomicU64::new(seed),
        }
    }

    pub(crate) fn start<T>(&self, operation: Operation<T>, handlers: &RetryHandlers) -> Call<T> {
        let seed = self
            .next_seed
            .fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        Call::new(operation, handlers.clone(), seed).with_max_body_size(self.max_body_size)
    }
}
