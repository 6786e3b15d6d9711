//! [`RetryQuota`]: one retry allowance shared by every call that holds it,
//! so a fleet of workers backs off together from a failing provider instead
//! of multiplying its load (the retry token bucket of smithy-rs's standard
//! retry strategy, as AWS SDKs ship it).
//!
//! Each retry spends [`RetryQuota::RETRY_COST`] tokens
//! ([`RetryQuota::TIMEOUT_COST`] after a timeout: the provider may be
//! overloaded, and the attempt may still be running there). A call that
//! succeeds after retries gives back what it spent; one that succeeds at
//! once adds [`RetryQuota::SUCCESS_REFILL`]. When the quota is empty no
//! call retries until successes refill it. It counts events, never time,
//! so it stays pure.

use std::sync::{Arc, Mutex, MutexGuard};

use crate::retry::{Attempt, Outcome};
use crate::transport::TransportErrorKind;

/// A shared retry allowance; clones share it. Put one on
/// [`RetryHandlers::with_quota`](crate::retry::RetryHandlers::with_quota)
/// and give those handlers to every client of a job.
#[derive(Clone, Debug)]
pub struct RetryQuota {
    tokens: Arc<Mutex<Tokens>>,
}

#[derive(Debug)]
struct Tokens {
    available: u32,
    capacity: u32,
}

impl RetryQuota {
    /// Tokens a retry spends.
    pub const RETRY_COST: u32 = 5;
    /// Tokens a retry after a timeout spends.
    pub const TIMEOUT_COST: u32 = 10;
    /// Tokens a call that succeeds without a retry adds back.
    pub const SUCCESS_REFILL: u32 = 1;
    /// The capacity AWS SDKs start with: 100 retries in a row.
    pub const DEFAULT_CAPACITY: u32 = 500;

    /// A full quota of `capacity` tokens.
    pub fn new(capacity: u32) -> RetryQuota {
        RetryQuota {
            tokens: Arc::new(Mutex::new(Tokens {
                available: capacity,
                capacity,
            })),
        }
    }

    /// Tokens left now.
    pub fn available(&self) -> u32 {
        self.lock().available
    }

    /// What a retry of `attempt` costs.
    pub(crate) fn cost(attempt: &Attempt<'_>) -> u32 {
        match attempt.outcome {
            Outcome::Failed(error) if error.kind() == TransportErrorKind::TimedOut => {
                Self::TIMEOUT_COST
            }
            _ => Self::RETRY_COST,
        }
    }

    /// Takes `cost` tokens; false (and nothing taken) when too few are left.
    pub(crate) fn spend(&self, cost: u32) -> bool {
        let mut tokens = self.lock();
        match tokens.available.checked_sub(cost) {
            Some(left) => {
                tokens.available = left;
                true
            }
            None => false,
        }
    }

    /// A call succeeded having spent `spent`: give it back, or refill a
    /// little when it spent nothing. Never past the capacity.
    pub(crate) fn succeeded(&self, spent: u32) {
        let refill = if spent == 0 {
            Self::SUCCESS_REFILL
        } else {
            spent
        };
        let mut tokens = self.lock();
        tokens.available = tokens.available.saturating_add(refill).min(tokens.capacity);
    }

    fn lock(&self) -> MutexGuard<'_, Tokens> {
        // The counters stay consistent whatever panicked while holding them.
        self.tokens
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl Default for RetryQuota {
    fn default() -> RetryQuota {
        RetryQuota::new(Self::DEFAULT_CAPACITY)
    }
}
