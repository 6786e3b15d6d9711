//! A profile's rate table, played in the service's virtual clock: which
//! requests are admitted, which are throttled, and how many each rule
//! admitted.

use std::time::{Duration, SystemTime};

use scim_client::pacing::{Admission, Permit, RateBudget, RequestClass};
use scim_client::provider::Profile;
use scim_client::transport::HttpRequest;

/// The profile's buckets at its published rates, and what they admitted.
#[derive(Debug)]
pub(crate) struct Rates {
    budget: RateBudget,
    /// Requests answered 429 because a bucket was empty.
    throttled: u64,
    /// Requests admitted, per rule of the table (in table order).
    served_by_rule: Vec<u64>,
}

impl Rates {
    /// The profile's rate table at its published rates; `None` without one.
    pub(crate) fn of_profile(profile: &Profile) -> Option<Rates> {
        if profile.rates.is_empty() {
            return None;
        }
        let budget = RateBudget::new(&profile.rates, 1.0);
        let served_by_rule = vec![0; budget.rules().len()];
        Some(Rates {
            budget,
            throttled: 0,
            served_by_rule,
        })
    }

    /// Admits `request` at `now`, or says how long its buckets need
    /// (counted as throttled). `base` is the base path the request shows.
    pub(crate) fn admit(
        &mut self,
        request: &HttpRequest,
        base: &str,
        now: SystemTime,
    ) -> Result<Permit, Duration> {
        match self.budget.admit(request, base, now) {
            Admission::Now(permit) => {
                self.count_served(request, base);
                Ok(permit)
            }
            Admission::Wait(wait) => {
                self.throttled = self.throttled.saturating_add(1);
                Err(wait)
            }
        }
    }

    /// Hands back the permit of a request served.
    pub(crate) fn settle(&mut self, permit: Permit, now: SystemTime) {
        self.budget.settle(permit, None, now);
    }

    /// How many requests were throttled.
    pub(crate) fn throttled(&self) -> u64 {
        self.throttled
    }

    /// Each rule's name with how many requests it admitted.
    pub(crate) fn served_by_rule(&self) -> Vec<(String, u64)> {
        let rules = self.budget.rules().iter();
        rules
            .zip(&self.served_by_rule)
            .map(|(rule, &count)| (rule.name.clone(), count))
            .collect()
    }

    /// Counts an admitted request against every rule it matches. The
    /// budget's [`Permit`] knows those rules but does not say them, so
    /// they are matched again here, as the budget matched them.
    fn count_served(&mut self, request: &HttpRequest, base: &str) {
        let class = RequestClass::of(request.uri().path(), base);
        let rules = self.budget.rules().iter();
        for (rule, served) in rules.zip(&mut self.served_by_rule) {
            if rule.matches(request.method(), &class) {
                *served = served.saturating_add(1);
            }
        }
    }
}
