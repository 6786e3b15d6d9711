//! Retry decisions: [`RetryHandler`]s, [`RetryState`], intervals and jitter.
//!
//! Handlers decide *whether* to retry and *how long* to wait; they never
//! sleep. The same handlers serve the blocking and the async client. For each
//! failed attempt the handlers are asked in order and the first whose
//! [`can_retry`](RetryHandler::can_retry) says yes decides, as in the Python SDK.
//!
//! # How `max_retry_count` counts
//!
//! [`RetryState::current_attempt`] counts the retries made so far in one call,
//! by **all** handlers together, and a handler is only asked while
//! `current_attempt < max_retry_count`. So with a connection handler and a
//! rate-limit handler both at `1`, a 429 retry uses up the call's one retry
//! and a later connection reset is not retried. This is the Python SDK's
//! behaviour, kept so that settings carry over. Whatever the handlers say, a
//! call never makes more than [`MAX_ATTEMPTS`] attempts.
//!
//! # Idempotency
//!
//! A failure that may have reached the server ([`MaybeSent`](crate::transport::TransportErrorKind::MaybeSent),
//! [`TimedOut`](crate::transport::TransportErrorKind::TimedOut)) and a 5xx are retried only for idempotent
//! methods (GET, HEAD, PUT, DELETE, OPTIONS, TRACE) unless a handler is told
//! otherwise, so a `create_user` is never sent twice by default. A failure
//! that never reached the server, and a 429, are safe to retry for any method.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, LazyLock};
use std::time::{Duration, SystemTime};

use http::{Method, StatusCode};

use crate::transport::{HttpRequest, HttpResponse, TransportError};

/// The most attempts one call makes, whatever its handlers say.
pub const MAX_ATTEMPTS: u32 = 100;

/// What one call has done so far, shared by all its handlers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RetryState {
    /// Retries made so far (zero on the first failure).
    pub current_attempt: u32,
    /// The sum of all waits decided so far.
    pub total_waited: Duration,
    /// Room for a custom handler's own values; built-ins leave it alone.
    pub custom_values: HashMap<String, serde_json::Value>,
}

/// How an attempt ended.
#[derive(Clone, Copy, Debug)]
pub enum Outcome<'a> {
    /// The server answered (any status other than 2xx reaches handlers).
    Response(&'a HttpResponse),
    /// No answer: the transport failed.
    Failed(&'a TransportError),
}

/// What a handler sees of a failed attempt.
#[derive(Clone, Copy, Debug)]
pub struct Attempt<'a> {
    /// The request that was sent.
    pub request: &'a HttpRequest,
    /// How it ended.
    pub outcome: Outcome<'a>,
    /// The current time, from the transport (for HTTP-date `Retry-After`).
    pub now: SystemTime,
    /// A uniform random number in `[0, 1)` for this decision, drawn from the
    /// call's seeded generator: jitter takes its randomness from here.
    pub random: f64,
}

impl Attempt<'_> {
    /// The response status, if the server answered.
    pub fn status(&self) -> Option<StatusCode> {
        match self.outcome {
            Outcome::Response(r) => Some(r.status()),
            Outcome::Failed(_) => None,
        }
    }

    /// The transport failure, if there was no answer.
    pub fn error(&self) -> Option<&TransportError> {
        match self.outcome {
            Outcome::Failed(e) => Some(e),
            Outcome::Response(_) => None,
        }
    }

    /// True when sending the request twice has the same effect as once.
    pub fn is_idempotent(&self) -> bool {
        is_idempotent(self.request.method())
    }
}

/// True for the methods RFC 9110 §9.2.2 calls idempotent.
pub(crate) fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS | Method::TRACE
    )
}

/// Decides whether a failed attempt is retried, and after how long.
///
/// Implement [`can_retry`](Self::can_retry) (the Python SDK's `_can_retry`)
/// and [`max_retry_count`](Self::max_retry_count); the default
/// [`retry_delay`](Self::retry_delay) waits per [`interval`](Self::interval).
pub trait RetryHandler: Send + Sync + fmt::Debug {
    /// Retries this handler allows per call, counted as the module docs explain.
    fn max_retry_count(&self) -> u32;

    /// The name logs and [`Wait::handler`](crate::engine::call::Wait::handler) give
    /// the handler: by default its type's name without the module path
    /// (`RateLimitErrorRetryHandler`).
    fn name(&self) -> &str {
        short_type_name(std::any::type_name::<Self>())
    }

    /// Whether this handler takes charge of the attempt.
    fn can_retry(&self, state: &RetryState, attempt: &Attempt<'_>) -> bool;

    /// A veto: `true` forbids any retry of this attempt, whichever handler
    /// would take it (smithy-rs's classifiers may answer "do not retry"
    /// over the others). Every handler is asked before any retries, so a
    /// handler pushed last can still stop a built-in. Default: no veto.
    fn forbids_retry(&self, state: &RetryState, attempt: &Attempt<'_>) -> bool {
        let _ = (state, attempt);
        false
    }

    /// The interval calculator used by the default [`retry_delay`](Self::retry_delay).
    fn interval(&self) -> &dyn RetryIntervalCalculator {
        &*DEFAULT_BACKOFF
    }

    /// How long to wait before the retry, or `None` to stop and return the
    /// failure as it is. Called only after `can_retry` said yes. May record
    /// values in `state.custom_values`.
    fn retry_delay(&self, state: &mut RetryState, attempt: &Attempt<'_>) -> Option<Duration> {
        Some(
            self.interval()
                .calculate_sleep_duration(state.current_attempt, attempt.random),
        )
    }
}

/// An ordered list of handlers; the first that can retry decides.
///
/// ```
/// use scim_client::retry::{RateLimitErrorRetryHandler, RetryHandlers};
///
/// let mut handlers = RetryHandlers::default();          // the connection-error handler
/// handlers.push(RateLimitErrorRetryHandler::new(1));     // as in the Python SDK's docs
/// assert_eq!(handlers.len(), 2);
/// ```
#[derive(Clone, Debug)]
pub struct RetryHandlers {
    handlers: Vec<Arc<dyn RetryHandler>>,
    total_wait_limit: Duration,
    quota: Option<RetryQuota>,
}

impl RetryHandlers {
    /// The default [`total_wait_limit`](Self::total_wait_limit): five minutes.
    /// Long enough for a minute-window rate limit (Slack's, Okta's) to reset
    /// a few times over; short enough that no mix of handlers sleeps for days.
    pub const DEFAULT_TOTAL_WAIT_LIMIT: Duration = Duration::from_secs(300);

    /// No handlers: nothing is ever retried.
    pub fn none() -> RetryHandlers {
        RetryHandlers {
            handlers: Vec::new(),
            total_wait_limit: Self::DEFAULT_TOTAL_WAIT_LIMIT,
            quota: None,
        }
    }

    /// The most all the waits of one call may add up to. A retry whose wait
    /// would pass it is not taken: the call ends with the failure it has.
    pub fn with_total_wait_limit(mut self, limit: Duration) -> RetryHandlers {
        self.total_wait_limit = limit;
        self
    }

    /// Retries spend from `quota`, shared with every holder of its clones:
    /// when it is empty no call retries (see [`RetryQuota`]). None by
    /// default: each call retries as its handlers say.
    pub fn with_quota(mut self, quota: RetryQuota) -> RetryHandlers {
        self.quota = Some(quota);
        self
    }

    /// The shared retry quota, if any.
    pub fn quota(&self) -> Option<&RetryQuota> {
        self.quota.as_ref()
    }

    /// The limit on a call's total wait (default five minutes).
    pub fn total_wait_limit(&self) -> Duration {
        self.total_wait_limit
    }

    /// The three built-ins: connection errors, 429 and 500/503, one retry each.
    pub fn all_builtin() -> RetryHandlers {
        let mut handlers = RetryHandlers::default();
        handlers.push(RateLimitErrorRetryHandler::new(1));
        handlers.push(ServerErrorRetryHandler::new(1));
        handlers
    }

    /// Adds a handler after the existing ones.
    pub fn push(&mut self, handler: impl RetryHandler + 'static) {
        self.handlers.push(Arc::new(handler));
    }

    /// How many handlers there are.
    pub fn len(&self) -> usize {
        self.handlers.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.handlers.is_empty()
    }

    /// The handlers, in order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn RetryHandler> {
        self.handlers.iter().map(|h| &**h)
    }

    /// Asks the handlers about a failed attempt: the wait before the next
    /// attempt, or `None` to stop — a handler [forbids](RetryHandler::forbids_retry)
    /// it, no handler retries, the wait would pass the
    /// [total wait limit](Self::total_wait_limit), or the shared
    /// [quota](Self::with_quota) is spent. Updates `state` when it retries.
    pub fn decide(&self, state: &mut RetryState, attempt: &Attempt<'_>) -> Option<Decision> {
        if self.iter().any(|h| h.forbids_retry(state, attempt)) {
            return None;
        }
        let handler = self
            .iter()
            .find(|h| state.current_attempt < h.max_retry_count() && h.can_retry(state, attempt))?;
        let delay = handler.retry_delay(state, attempt)?;
        if state.total_waited.saturating_add(delay) > self.total_wait_limit {
            return None;
        }
        let cost = match &self.quota {
            Some(quota) => {
                let cost = RetryQuota::cost(attempt);
                if !quota.spend(cost) {
                    return None;
                }
                cost
            }
            None => 0,
        };
        state.current_attempt += 1;
        state.total_waited = state.total_waited.saturating_add(delay);
        Some(Decision {
            delay,
            handler: handler.name().to_owned(),
            cost,
        })
    }
}

impl Default for RetryHandlers {
    /// The Python SDK's default: one [`ConnectionErrorRetryHandler`].
    fn default() -> Self {
        let mut handlers = RetryHandlers::none();
        handlers.push(ConnectionErrorRetryHandler::default());
        handlers
    }
}

/// A decision to retry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decision {
    /// How long to wait first.
    pub delay: Duration,
    /// The deciding handler's [`name`](RetryHandler::name) (for logs).
    pub handler: String,
    /// The tokens spent from the shared [`RetryQuota`] (0 without one).
    pub cost: u32,
}

// ---------------------------------------------------------------- intervals

/// Computes the wait before retry number `current_attempt + 1`.
pub trait RetryIntervalCalculator: Send + Sync + fmt::Debug {
    /// `current_attempt` is zero-based: 0 before the first retry. `random` is
    /// uniform in `[0, 1)`, for jitter.
    fn calculate_sleep_duration(&self, current_attempt: u32, random: f64) -> Duration;
}

/// The same wait every time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FixedValueRetryIntervalCalculator {
    /// The wait.
    pub fixed_interval: Duration,
}

impl FixedValueRetryIntervalCalculator {
    /// Waits `fixed_interval` before every retry.
    pub fn new(fixed_interval: Duration) -> Self {
        FixedValueRetryIntervalCalculator { fixed_interval }
    }
}

impl Default for FixedValueRetryIntervalCalculator {
    /// Half a second, as in the Python SDK.
    fn default() -> Self {
        FixedValueRetryIntervalCalculator::new(Duration::from_millis(500))
    }
}

impl RetryIntervalCalculator for FixedValueRetryIntervalCalculator {
    fn calculate_sleep_duration(&self, _current_attempt: u32, _random: f64) -> Duration {
        self.fixed_interval
    }
}

/// Exponential backoff: `backoff_factor · 2^current_attempt` seconds, capped
/// at `max_interval` if set, then passed through the jitter.
///
/// With the defaults (factor 0.5, [`RandomJitter`]) the waits are
/// `[0.5, 1.5)`, `[1, 2)`, `[2, 3)`, … seconds, exactly as in the Python SDK.
/// The cap applies before the jitter so that capped retries still spread out.
#[derive(Clone, Debug)]
pub struct BackoffRetryIntervalCalculator {
    /// Seconds for the first retry, doubled for each later one.
    pub backoff_factor: f64,
    /// The most the backoff part may grow to.
    pub max_interval: Option<Duration>,
    /// The jitter added to each wait.
    pub jitter: Arc<dyn Jitter>,
}

impl BackoffRetryIntervalCalculator {
    /// Backoff with the given factor (seconds), no cap and [`RandomJitter`].
    pub fn new(backoff_factor: f64) -> Self {
        BackoffRetryIntervalCalculator {
            backoff_factor,
            max_interval: None,
            jitter: Arc::new(RandomJitter),
        }
    }
}

impl Default for BackoffRetryIntervalCalculator {
    fn default() -> Self {
        BackoffRetryIntervalCalculator::new(0.5)
    }
}

impl RetryIntervalCalculator for BackoffRetryIntervalCalculator {
    fn calculate_sleep_duration(&self, current_attempt: u32, random: f64) -> Duration {
        let exponent = i32::try_from(current_attempt).unwrap_or(i32::MAX);
        let mut interval = seconds(self.backoff_factor * 2f64.powi(exponent));
        if let Some(max) = self.max_interval {
            interval = interval.min(max);
        }
        self.jitter.recalculate(interval, random)
    }
}

/// The calculator handlers use unless given another: backoff 0.5 with [`RandomJitter`].
/// Immutable, so sharing it is no hidden state.
static DEFAULT_BACKOFF: LazyLock<BackoffRetryIntervalCalculator> =
    LazyLock::new(BackoffRetryIntervalCalculator::default);

/// `a::b::Name<c::D>` → `Name<c::D>`: the path before the generics goes.
fn short_type_name(full: &'static str) -> &'static str {
    let plain = full.split('<').next().unwrap_or(full);
    let start = plain.rfind("::").map_or(0, |at| at + 2);
    &full[start..]
}

/// Converts seconds to a `Duration`, saturating: negative and NaN give zero,
/// too large gives `Duration::MAX`.
pub(crate) fn seconds(value: f64) -> Duration {
    if value.is_nan() || value <= 0.0 {
        Duration::ZERO
    } else {
        Duration::try_from_secs_f64(value).unwrap_or(Duration::MAX)
    }
}

// ---------------------------------------------------------------- jitter

/// Spreads waits out so that many clients do not retry in lockstep.
///
/// The randomness comes in as `random` (uniform in `[0, 1)`), drawn from the
/// call's seeded generator, so a test that fixes the seed, or passes its own
/// jitter, gets exact waits.
pub trait Jitter: Send + Sync + fmt::Debug {
    /// The wait to use instead of `duration`.
    fn recalculate(&self, duration: Duration, random: f64) -> Duration;
}

/// Adds up to one second: `duration + random` seconds (the Python SDK's jitter).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RandomJitter;

impl Jitter for RandomJitter {
    fn recalculate(&self, duration: Duration, random: f64) -> Duration {
        duration.saturating_add(seconds(random))
    }
}

/// No jitter: the wait is used as computed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct NoJitter;

impl Jitter for NoJitter {
    fn recalculate(&self, duration: Duration, _random: f64) -> Duration {
        duration
    }
}

mod builtin;
pub(crate) mod quota;
pub(crate) mod retry_after;
pub use builtin::{
    ConnectionErrorRetryHandler, RateLimitErrorRetryHandler, ServerErrorRetryHandler,
};
pub use quota::RetryQuota;
pub use retry_after::{HttpDate, RetryAfter};
