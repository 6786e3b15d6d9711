//! Faults on demand: the requests the service answers with a [`Fault`]
//! instead of serving them.

/// A fault the service answers with instead of serving a request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// 429 Too Many Requests, with this `Retry-After` value.
    RateLimited {
        /// The `Retry-After` header, sent as given (seconds or an HTTP-date).
        retry_after: String,
    },
    /// This status (typically 500, 502, 503, 504) with an HTML body, as a
    /// proxy in front of a provider sends.
    Status(u16),
}

/// The faults injected, each for a run of request numbers.
#[derive(Clone, Debug, Default)]
pub(crate) struct Faults {
    scheduled: Vec<Scheduled>,
}

#[derive(Clone, Debug)]
struct Scheduled {
    first: u64,
    last: u64,
    fault: Fault,
}

impl Faults {
    /// Answers the `count` requests after the first `after` with `fault`.
    pub(crate) fn inject(&mut self, after: u64, count: u64, fault: Fault) {
        if count > 0 {
            self.scheduled.push(Scheduled {
                first: after.saturating_add(1),
                last: after.saturating_add(count),
                fault,
            });
        }
    }

    /// The fault request number `number` is answered with, if any (the
    /// first injected wins).
    pub(crate) fn due(&self, number: u64) -> Option<&Fault> {
        self.scheduled
            .iter()
            .find(|f| (f.first..=f.last).contains(&number))
            .map(|f| &f.fault)
    }
}
