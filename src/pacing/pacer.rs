//! The client's side of a [`SharedBudget`]: ask before each attempt, hand
//! the permit back after it (whatever happens: a dropped call settles too),
//! and pause the class on a 429. Both drivers (blocking and async) use it,
//! so their pacing is one piece of code.

use std::time::{Duration, SystemTime};

use http::StatusCode;

use crate::RetryAfter;
use crate::pacing::budget::{Admission, Permit, SharedBudget};
use crate::transport::{HttpRequest, HttpResponse, TransportError};

/// The longest a 429's `Retry-After` pauses a class: a server asking for a
/// day must not stall a job silently; the retry handlers decide what to do
/// with such an answer.
pub(crate) const MAX_PAUSE: Duration = Duration::from_secs(300);

/// The longest one attempt waits for room in the budget before the call
/// fails as not sent: every wait is bounded, even when a budget is shared
/// by more callers than its rate can serve.
pub(crate) const MAX_BUDGET_WAIT: Duration = Duration::from_secs(600);

/// A budget and the base path it classifies requests under.
#[derive(Clone, Debug)]
pub(crate) struct Pacer {
    budget: Option<SharedBudget>,
    base_path: String,
}

/// What the driver does next for an attempt.
#[derive(Debug)]
pub(crate) enum Pace<'a> {
    /// Send now; settle the admission when the attempt ends.
    Go(Admitted<'a>),
    /// Sleep this long, then ask again.
    Wait(Duration),
    /// The attempt waited `waited` already and the budget asks for `wanted`
    /// more, past [`MAX_BUDGET_WAIT`]: end the call.
    GiveUp {
        /// Time already spent waiting for this attempt.
        waited: Duration,
        /// The further wait the budget asked for.
        wanted: Duration,
    },
}

/// An admitted attempt. Settled explicitly with the outcome, or on drop
/// (a cancelled async call, a panicking transport) as if it had succeeded,
/// so a write's resource never stays busy.
#[derive(Debug)]
pub(crate) struct Admitted<'a> {
    pacer: &'a Pacer,
    permit: Option<Permit>,
}

impl Pacer {
    /// A pacer for requests under `base_url` (the endpoint's, normalised).
    pub(crate) fn new(budget: Option<SharedBudget>, base_url: &str) -> Pacer {
        let base_path = http::Uri::try_from(base_url)
            .map(|uri| uri.path().to_owned())
            .unwrap_or_else(|_| "/".to_owned());
        Pacer { budget, base_path }
    }

    /// The budget, if any.
    pub(crate) fn budget(&self) -> Option<&SharedBudget> {
        self.budget.as_ref()
    }

    /// How long `request` would wait for the budget at `now`, taking no
    /// room (zero without a budget).
    pub(crate) fn wait_for(&self, request: &HttpRequest, now: SystemTime) -> Duration {
        self.budget.as_ref().map_or(Duration::ZERO, |budget| {
            budget.lock().wait_for(request, &self.base_path, now)
        })
    }

    /// Asks to send `request` at `now`, the attempt having waited `waited`
    /// for the budget already.
    pub(crate) fn admit(
        &self,
        request: &HttpRequest,
        now: SystemTime,
        waited: Duration,
    ) -> Pace<'_> {
        let Some(budget) = &self.budget else {
            return Pace::Go(Admitted {
                pacer: self,
                permit: None,
            });
        };
        let wait = match budget.lock().admit(request, &self.base_path, now) {
            Admission::Now(permit) => {
                return Pace::Go(Admitted {
                    pacer: self,
                    permit: Some(permit),
                });
            }
            Admission::Wait(wait) => wait,
        };
        if waited.saturating_add(wait) > MAX_BUDGET_WAIT {
            return Pace::GiveUp {
                waited,
                wanted: wait,
            };
        }
        Pace::Wait(wait)
    }
}

impl Admitted<'_> {
    /// Hands the permit back; a 429 pauses the classes it counted in for its
    /// `Retry-After` (1 s when it names none), at most [`MAX_PAUSE`].
    pub(crate) fn settle(mut self, result: &Result<HttpResponse, TransportError>, now: SystemTime) {
        let pause = match result {
            Ok(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => Some(
                RetryAfter::from_headers(response.headers())
                    .and_then(|after| after.delay_from(now))
                    .unwrap_or(Duration::from_secs(1))
                    .min(MAX_PAUSE),
            ),
            _ => None,
        };
        self.release(pause, now);
    }

    fn release(&mut self, pause: Option<Duration>, now: SystemTime) {
        if let (Some(budget), Some(permit)) = (&self.pacer.budget, self.permit.take()) {
            budget.lock().settle(permit, pause, now);
        }
    }
}

impl Drop for Admitted<'_> {
    fn drop(&mut self) {
        // No pause, so the time is not read.
        self.release(None, SystemTime::UNIX_EPOCH);
    }
}
