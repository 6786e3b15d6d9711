//! The built-in handlers, with the Python SDK's names: connection errors,
//! rate limits (429) and server errors (500, 503).

use std::sync::Arc;
use std::time::Duration;

use http::StatusCode;

use super::{
    Attempt, BackoffRetryIntervalCalculator, Jitter, Outcome, RandomJitter, RetryHandler,
    RetryIntervalCalculator, RetryState,
};
use crate::retry::retry_after::RetryAfter;
use crate::transport::TransportErrorKind;

/// Retries transport failures: the default handler, with one retry.
///
/// A failure that never reached the server is retried for every method. One
/// that may have (a reset after sending, a read timeout) is retried only for
/// idempotent methods, unless `retry_non_idempotent` is set, so a POST that
/// may have created a user is not sent again.
#[derive(Clone, Debug)]
pub struct ConnectionErrorRetryHandler {
    /// Retries allowed per call (shared count; see the module docs).
    pub max_retry_count: u32,
    /// The wait before each retry.
    pub interval_calculator: Arc<dyn RetryIntervalCalculator>,
    /// Also retry POST and PATCH after a failure that may have reached the server.
    pub retry_non_idempotent: bool,
}

impl ConnectionErrorRetryHandler {
    /// A handler allowing `max_retry_count` retries with the default backoff.
    pub fn new(max_retry_count: u32) -> Self {
        ConnectionErrorRetryHandler {
            max_retry_count,
            interval_calculator: Arc::new(BackoffRetryIntervalCalculator::default()),
            retry_non_idempotent: false,
        }
    }
}

impl Default for ConnectionErrorRetryHandler {
    fn default() -> Self {
        ConnectionErrorRetryHandler::new(1)
    }
}

impl RetryHandler for ConnectionErrorRetryHandler {
    fn max_retry_count(&self) -> u32 {
        self.max_retry_count
    }

    fn can_retry(&self, _state: &RetryState, attempt: &Attempt<'_>) -> bool {
        let Some(error) = attempt.error() else {
            return false;
        };
        match error.kind() {
            TransportErrorKind::NotSent => true,
            kind if kind.may_have_been_sent() => {
                attempt.is_idempotent() || self.retry_non_idempotent
            }
            _ => false,
        }
    }

    fn interval(&self) -> &dyn RetryIntervalCalculator {
        &*self.interval_calculator
    }
}

/// Retries 429 Too Many Requests after the server's `Retry-After`.
///
/// The wait is the `Retry-After` value (whole or fractional seconds, or an
/// HTTP-date measured from the transport's clock) plus jitter. A missing or
/// unreadable value falls back to `fallback_interval`. A `Retry-After` longer
/// than `max_wait` is not taken: the 429 is returned, with its `Retry-After`,
/// for the caller to decide. The cap is compared with the server's value,
/// before jitter is added, so the same header always gets the same answer.
/// A 429 was not processed, so every method is retried.
#[derive(Clone, Debug)]
pub struct RateLimitErrorRetryHandler {
    /// Retries allowed per call (shared count; see the module docs).
    pub max_retry_count: u32,
    /// The longest wait this handler accepts (default 60 s).
    pub max_wait: Duration,
    /// Added to the server's `Retry-After` (default [`RandomJitter`], up to 1 s).
    pub jitter: Arc<dyn Jitter>,
    /// The wait when there is no usable `Retry-After`.
    pub fallback_interval: Arc<dyn RetryIntervalCalculator>,
}

impl RateLimitErrorRetryHandler {
    /// The default maximum wait.
    pub const DEFAULT_MAX_WAIT: Duration = Duration::from_secs(60);

    /// A handler allowing `max_retry_count` retries.
    pub fn new(max_retry_count: u32) -> Self {
        RateLimitErrorRetryHandler {
            max_retry_count,
            max_wait: Self::DEFAULT_MAX_WAIT,
            jitter: Arc::new(RandomJitter),
            fallback_interval: Arc::new(BackoffRetryIntervalCalculator::default()),
        }
    }
}

impl RateLimitErrorRetryHandler {
    /// A handler bounded by time, not by a count: it retries every 429 whose
    /// `Retry-After` is within [`max_wait`](Self::max_wait), until the
    /// call's [total wait limit](super::RetryHandlers::total_wait_limit)
    /// (five minutes by default) would be passed. A job paced below the
    /// provider's limits meets a 429 only when another app spends the same
    /// budget; a count of 2 then loses the write after two short waits,
    /// where waiting out the other app's burst saves it.
    pub fn bounded_by_time() -> Self {
        RateLimitErrorRetryHandler::new(u32::MAX)
    }
}

impl Default for RateLimitErrorRetryHandler {
    fn default() -> Self {
        RateLimitErrorRetryHandler::new(1)
    }
}

impl RetryHandler for RateLimitErrorRetryHandler {
    fn max_retry_count(&self) -> u32 {
        self.max_retry_count
    }

    fn can_retry(&self, _state: &RetryState, attempt: &Attempt<'_>) -> bool {
        attempt.status() == Some(StatusCode::TOO_MANY_REQUESTS)
    }

    fn interval(&self) -> &dyn RetryIntervalCalculator {
        &*self.fallback_interval
    }

    fn retry_delay(&self, state: &mut RetryState, attempt: &Attempt<'_>) -> Option<Duration> {
        let Outcome::Response(response) = attempt.outcome else {
            return None;
        };
        let asked =
            RetryAfter::from_headers(response.headers()).and_then(|r| r.delay_from(attempt.now));
        match asked {
            // The cap is on the server's wait, before jitter: `Retry-After: 60`
            // is taken (plus up to a second of jitter), 60.001 is not, whatever
            // the jitter draws. The wait actually slept may pass the cap by
            // the jitter; the call's total wait limit bounds everything.
            Some(delay) => {
                (delay <= self.max_wait).then(|| self.jitter.recalculate(delay, attempt.random))
            }
            None => {
                let wait = self
                    .fallback_interval
                    .calculate_sleep_duration(state.current_attempt, attempt.random);
                (wait <= self.max_wait).then_some(wait)
            }
        }
    }
}

/// Retries server errors, by default 500 and 503, for idempotent methods.
#[derive(Clone, Debug)]
pub struct ServerErrorRetryHandler {
    /// Retries allowed per call (shared count; see the module docs).
    pub max_retry_count: u32,
    /// The statuses retried (default 500 and 503, as in the Python SDK).
    /// A 2xx listed here is never retried: a call ends on every success
    /// status without asking a handler (a 202 included, RFC 9967).
    pub statuses: Vec<StatusCode>,
    /// The wait before each retry.
    pub interval_calculator: Arc<dyn RetryIntervalCalculator>,
    /// Also retry POST and PATCH: a 5xx may come after the change was made.
    pub retry_non_idempotent: bool,
}

impl ServerErrorRetryHandler {
    /// A handler allowing `max_retry_count` retries of 500 and 503.
    pub fn new(max_retry_count: u32) -> Self {
        ServerErrorRetryHandler {
            max_retry_count,
            statuses: vec![
                StatusCode::INTERNAL_SERVER_ERROR,
                StatusCode::SERVICE_UNAVAILABLE,
            ],
            interval_calculator: Arc::new(BackoffRetryIntervalCalculator::default()),
            retry_non_idempotent: false,
        }
    }
}

impl Default for ServerErrorRetryHandler {
    fn default() -> Self {
        ServerErrorRetryHandler::new(1)
    }
}

impl RetryHandler for ServerErrorRetryHandler {
    fn max_retry_count(&self) -> u32 {
        self.max_retry_count
    }

    fn can_retry(&self, _state: &RetryState, attempt: &Attempt<'_>) -> bool {
        attempt.status().is_some_and(|s| self.statuses.contains(&s))
            && (attempt.is_idempotent() || self.retry_non_idempotent)
    }

    fn interval(&self) -> &dyn RetryIntervalCalculator {
        &*self.interval_calculator
    }
}
