//! The client's side of a [`SharedBudget`]: ask before each attempt, hand
//! the permit back after it, and pause the class on a 429. Both drivers
//! (blocking and async) use it, so their pacing is one piece of code.

use std::time::{Duration, SystemTime};

use http::StatusCode;

use crate::RetryAfter;
use crate::budget::{Admission, Permit, SharedBudget};
use crate::transport::{HttpRequest, HttpResponse, TransportError};

/// The longest a 429's `Retry-After` pauses a class: a server asking for a
/// day must not stall a job silently; the retry handlers decide what to do
/// with such an answer.
pub const MAX_PAUSE: Duration = Duration::from_secs(300);

/// A budget and the base path it classifies requests under.
#[derive(Clone, Debug)]
pub(crate) struct Pacer {
    budget: Option<SharedBudget>,
    base_path: String,
}

impl Pacer {
    pub(crate) fn new(budget: Option<SharedBudget>, base_url: &str) -> Pacer {
        let base_path = http::Uri::try_from(base_url)
            .map(|uri| uri.path().to_owned())
            .unwrap_or_else(|_| "/".to_owned());
        Pacer { budget, base_path }
    }

    /// `Ok(permit)` to send now (`None` without a budget), or `Err(wait)`.
    pub(crate) fn admit(
        &self,
        request: &HttpRequest,
        now: SystemTime,
    ) -> Result<Option<Permit>, Duration> {
        let Some(budget) = &self.budget else {
            return Ok(None);
        };
        match budget.lock().admit(request, &self.base_path, now) {
            Admission::Now(permit) => Ok(Some(permit)),
            Admission::Wait(wait) => Err(wait),
        }
    }

    /// Hands the permit back; a 429 pauses the classes it counted in for its
    /// `Retry-After` (1 s when it names none), at most [`MAX_PAUSE`].
    pub(crate) fn settle(
        &self,
        permit: Option<Permit>,
        result: &Result<HttpResponse, TransportError>,
        now: SystemTime,
    ) {
        let (Some(budget), Some(permit)) = (&self.budget, permit) else {
            return;
        };
        let pause = match result {
            Ok(response) if response.status() == StatusCode::TOO_MANY_REQUESTS => Some(
                RetryAfter::from_headers(response.headers())
                    .and_then(|after| after.delay_from(now))
                    .unwrap_or(Duration::from_secs(1))
                    .min(MAX_PAUSE),
            ),
            _ => None,
        };
        budget.lock().settle(permit, pause, now);
    }
}
