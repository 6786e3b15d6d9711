//! Rate budgets: token buckets that keep a job under a provider's published
//! limits, as a pure state machine like [`Call`](crate::engine::call::Call).
//!
//! A provider's limits are a [`RateTable`]: rules, each a class of requests
//! (methods, resource endpoint, collection or item) with a rate and a
//! burst. One request can fall in several classes (Slack's `POST /Users`
//! counts against "all writes" and against "user creates"), and it is sent
//! only when every one of them has room.
//!
//! The budget never sleeps or reads a clock: the driver asks
//! [`RateBudget::admit`] with the time before each attempt and gets
//! [`Admission::Now`] (a [`Permit`] it hands back with
//! [`RateBudget::settle`] when the attempt ended) or
//! [`Admission::Wait`] (sleep that long, then ask again). A token is taken
//! only when a request is admitted: callers sharing one budget
//! ([`SharedBudget`]) that wait for the same token all wake and ask again,
//! one is admitted and the others wait anew, so the pace stays exact
//! (nothing is sent early) at the cost of a few extra wakes, and no order
//! among waiters is promised.
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use scim_client::pacing::{Admission, RateBudget, RateRule, RateTable};
//!
//! let table = RateTable::new(vec![RateRule::writes("writes", 2, Duration::from_secs(60), 1)]);
//! let mut budget = RateBudget::new(&table, 1.0);
//! let t0 = SystemTime::UNIX_EPOCH;
//! let post = http::Request::post("https://scim.test/v2/Users").body(Vec::<u8>::new())?;
//! let Admission::Now(permit) = budget.admit(&post, "/v2/", t0) else { panic!() };
//! budget.settle(permit, None, t0);
//! // The burst is spent: the next write waits half a minute (2 per minute).
//! assert_eq!(budget.admit(&post, "/v2/", t0), Admission::Wait(Duration::from_secs(30)));
//! # Ok::<(), http::Error>(())
//! ```

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use http::Method;

/// How long a request waits, at most, for another write to the same
/// resource to end before it asks again. The budget cannot know when the
/// other write ends (the driver does), so it asks the driver to look again.
pub const BUSY_RESOURCE_RECHECK: Duration = Duration::from_millis(20);

/// How far back a clock may step before a budget takes it as reset rather
/// than as skew between callers' readings.
pub const CLOCK_STEP: Duration = Duration::from_secs(1);

/// Which methods a rule counts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Methods {
    /// Every method.
    Any,
    /// `GET` (and `HEAD`).
    Reads,
    /// `POST`, `PUT`, `PATCH`, `DELETE`.
    Writes,
    /// Exactly these.
    Only(Vec<Method>),
}

impl Methods {
    fn matches(&self, method: &Method) -> bool {
        let read = method == Method::GET || method == Method::HEAD;
        match self {
            Methods::Any => true,
            Methods::Reads => read,
            Methods::Writes => !read,
            Methods::Only(methods) => methods.contains(method),
        }
    }
}

/// Which part of a resource endpoint a rule counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    /// The collection and its items.
    Any,
    /// The collection: `/Users` (list, create) and `/Users/.search`.
    Collection,
    /// One item: `/Users/{id}`.
    Item,
}

/// One published limit: a class of requests, and how many may be sent.
///
/// The bucket holds `burst` tokens and refills at `limit` per `per`; each
/// request in the class takes one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RateRule {
    /// A short name, used in logs and errors ("user writes").
    pub name: String,
    /// The methods it counts.
    pub methods: Methods,
    /// The resource endpoint it counts (`"Users"`), or every one.
    pub endpoint: Option<String>,
    /// Collection, item, or both.
    pub target: Target,
    /// Requests allowed per `per`.
    pub limit: u32,
    /// The period `limit` is counted over.
    pub per: Duration,
    /// Requests that may be sent at once after a quiet spell.
    pub burst: u32,
}

impl RateRule {
    /// A rule over every write (`POST`, `PUT`, `PATCH`, `DELETE`) anywhere.
    pub fn writes(name: &str, limit: u32, per: Duration, burst: u32) -> RateRule {
        RateRule::new(name, Methods::Writes, None, Target::Any, limit, per, burst)
    }

    /// A rule over every request, any method, anywhere: a provider's
    /// single throttle (AWS's, assumed in
    /// [`Profile::aws_rates`](crate::provider::Profile::aws_rates)).
    pub fn any(name: &str, limit: u32, per: Duration, burst: u32) -> RateRule {
        RateRule::new(name, Methods::Any, None, Target::Any, limit, per, burst)
    }

    /// A rule over every read (`GET`) anywhere.
    pub fn reads(name: &str, limit: u32, per: Duration, burst: u32) -> RateRule {
        RateRule::new(name, Methods::Reads, None, Target::Any, limit, per, burst)
    }

    /// A rule over `methods` on one endpoint's collection or items.
    pub fn on(
        name: &str,
        methods: Methods,
        endpoint: &str,
        target: Target,
        limit: u32,
        per: Duration,
        burst: u32,
    ) -> RateRule {
        RateRule::new(
            name,
            methods,
            Some(endpoint.to_owned()),
            target,
            limit,
            per,
            burst,
        )
    }

    fn new(
        name: &str,
        methods: Methods,
        endpoint: Option<String>,
        target: Target,
        limit: u32,
        per: Duration,
        burst: u32,
    ) -> RateRule {
        RateRule {
            name: name.to_owned(),
            methods,
            endpoint,
            target,
            limit,
            per,
            burst,
        }
    }

    /// True when the rule counts this request.
    pub fn matches(&self, method: &Method, class: &RequestClass<'_>) -> bool {
        let endpoint_matches = match (&self.endpoint, class.endpoint) {
            (None, _) => true,
            (Some(want), Some(got)) => want == got,
            (Some(_), None) => false,
        };
        let target_matches = match self.target {
            Target::Any => true,
            Target::Collection => class.id.is_none(),
            Target::Item => class.id.is_some(),
        };
        self.methods.matches(method) && endpoint_matches && target_matches
    }
}

/// A provider's published limits.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RateTable {
    /// The rules; a request is counted by every rule it matches.
    pub rules: Vec<RateRule>,
}

impl RateTable {
    /// A table of these rules.
    pub fn new(rules: Vec<RateRule>) -> RateTable {
        RateTable { rules }
    }

    /// True when no limit is known.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

/// Where a request goes, relative to the base URL: the resource endpoint
/// (`Users`) and, for an item, its id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestClass<'a> {
    /// The first path segment after the base path.
    pub endpoint: Option<&'a str>,
    /// The second, when it names an item (not `.search`).
    pub id: Option<&'a str>,
}

impl<'a> RequestClass<'a> {
    /// Classifies `path` (a request's path) under `base_path` (the base URL's
    /// path, ending in `/`). A path outside the base has no endpoint.
    pub fn of(path: &'a str, base_path: &str) -> RequestClass<'a> {
        let relative = path
            .strip_prefix(base_path)
            .or_else(|| {
                // The base path without its slash: `/scim/v1` itself, or
                // `/scim/v1/…`, never `/scim/v10/…`.
                path.strip_prefix(base_path.trim_end_matches('/'))
                    .filter(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .map(|rest| rest.trim_start_matches('/'));
        let mut segments = relative
            .into_iter()
            .flat_map(|rest| rest.split('/'))
            .filter(|s| !s.is_empty());
        let endpoint = segments.next();
        let id = segments.next().filter(|id| !id.starts_with('.'));
        RequestClass { endpoint, id }
    }
}

/// A request admitted by a budget. Hand it back with
/// [`RateBudget::settle`] once the attempt ended, whatever happened.
#[derive(Debug, PartialEq, Eq)]
#[must_use = "settle the permit when the attempt ends, or the resource stays busy"]
pub struct Permit {
    /// The rules that counted it (indexes into the table).
    rules: Vec<usize>,
    /// The resource written, held until the permit is settled.
    writing: Option<String>,
}

/// The budget's answer.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// Send now; settle the permit when the attempt ends.
    Now(Permit),
    /// Wait this long, then ask again.
    Wait(Duration),
}

#[derive(Clone, Debug)]
struct Bucket {
    /// Tokens, in nanoseconds of refill time owed: the bucket is full at 0
    /// and a request costs `interval`; it may not exceed `capacity`.
    debt: Duration,
    interval: Duration,
    capacity: Duration,
    updated: Option<SystemTime>,
    paused_until: Option<SystemTime>,
}

impl Bucket {
    fn new(rule: &RateRule, fraction: f64) -> Bucket {
        // At `fraction` of the published rate: the interval between requests
        // stretches, and the burst shrinks with it (at least one request).
        let fraction = if fraction.is_finite() && fraction > 0.0 {
            fraction.min(1.0)
        } else {
            1.0
        };
        let limit = f64::from(rule.limit.max(1)) * fraction;
        // Rules are public data: an absurd period saturates, never panics.
        let seconds = |s: f64| Duration::try_from_secs_f64(s).unwrap_or(Duration::MAX);
        let interval = seconds(rule.per.as_secs_f64() / limit);
        let burst = (f64::from(rule.burst.max(1)) * fraction).floor().max(1.0);
        Bucket {
            debt: Duration::ZERO,
            interval,
            capacity: seconds(interval.as_secs_f64() * burst),
            updated: None,
            paused_until: None,
        }
    }

    /// Pays the debt down by the time passed since the last update. A
    /// clock that went backwards refills nothing; one that jumped back more
    /// than [`CLOCK_STEP`] (a wall clock reset) is followed from there, so
    /// the class does not stall for as long as the jump.
    fn refill(&mut self, now: SystemTime) {
        let Some(updated) = self.updated else {
            self.updated = Some(now);
            return;
        };
        match now.duration_since(updated) {
            Ok(passed) => {
                self.debt = self.debt.saturating_sub(passed);
                self.updated = Some(now);
            }
            Err(back) if back.duration() > CLOCK_STEP => self.updated = Some(now),
            Err(_) => {}
        }
    }

    /// How long until one more request fits.
    fn wait(&self, now: SystemTime) -> Duration {
        let room = self
            .debt
            .saturating_add(self.interval)
            .saturating_sub(self.capacity);
        let paused = self
            .paused_until
            .and_then(|until| until.duration_since(now).ok())
            .unwrap_or_default();
        room.max(paused)
    }
}

/// The share of a provider's published rates a job paces to unless told
/// otherwise: 0.9.
///
/// Why below 1.0: a provider's limits are usually per organisation and
/// shared by every app of it (Slack: "shared by every SCIM app in the org",
/// docs.slack.dev/reference/scim-api/rate-limits), so pacing at 100 % leaves
/// nothing for the others and no margin for clock skew between our buckets
/// and the provider's. Measured against the in-memory Slack service, a run
/// paced at 100 % met one 429 right after the burst in 9 of 10 phases, at
/// 95 % none; 0.9 keeps that margin with room to spare, as Okta caps one app
/// at a configurable share of the org's limit (default 50 %).
pub const DEFAULT_SHARE: f64 = 0.9;

/// Token buckets for one provider's rate table, at a fraction of its limits.
///
/// Pure: time comes in as an argument. Share one between clients, threads
/// or tasks through [`SharedBudget`].
#[derive(Clone, Debug)]
pub struct RateBudget {
    rules: Vec<RateRule>,
    buckets: Vec<Bucket>,
    writing: HashSet<String>,
    throttled: u64,
    /// The waits [`admit`](Self::admit) asked for, summed.
    waited: Duration,
}

impl RateBudget {
    /// Buckets for every rule of `table`, at `fraction` of the published
    /// rates (1.0 is the limit itself; 0.9 keeps a tenth in reserve for other
    /// apps of the same org). A fraction outside (0, 1] counts as 1.
    pub fn new(table: &RateTable, fraction: f64) -> RateBudget {
        RateBudget {
            rules: table.rules.clone(),
            buckets: table
                .rules
                .iter()
                .map(|rule| Bucket::new(rule, fraction))
                .collect(),
            writing: HashSet::new(),
            throttled: 0,
            waited: Duration::ZERO,
        }
    }

    /// Asks to send `request` at `now`. `base_path` is the path of the base
    /// URL (`/scim/v1/`), to tell endpoints and ids apart.
    ///
    /// A write to an item (`PUT`, `PATCH`, `DELETE /Users/{id}`) waits while
    /// another write to the same item is out: Slack answers overlapping
    /// writes to one user or group with 429.
    pub fn admit<B>(
        &mut self,
        request: &http::Request<B>,
        base_path: &str,
        now: SystemTime,
    ) -> Admission {
        let (wait, rules, writing) = self.room(request, base_path, now);
        if !wait.is_zero() {
            self.waited = self.waited.saturating_add(wait);
            return Admission::Wait(wait);
        }
        for &i in &rules {
            let bucket = &mut self.buckets[i];
            bucket.debt = bucket.debt.saturating_add(bucket.interval);
        }
        if let Some(key) = &writing {
            self.writing.insert(key.clone());
        }
        Admission::Now(Permit { rules, writing })
    }

    /// How long `request` would wait at `now` before [`admit`](Self::admit)
    /// let it through, without taking any room: a scheduler holding work
    /// of several rate classes asks it to pick work that can go now, so
    /// every class's bucket drains at once instead of one after another.
    pub fn wait_for<B>(
        &mut self,
        request: &http::Request<B>,
        base_path: &str,
        now: SystemTime,
    ) -> Duration {
        self.room(request, base_path, now).0
    }

    /// The wait for `request` at `now` (buckets refilled to `now`), the
    /// rules it counts in, and the item it writes, if any.
    fn room<B>(
        &mut self,
        request: &http::Request<B>,
        base_path: &str,
        now: SystemTime,
    ) -> (Duration, Vec<usize>, Option<String>) {
        let method = request.method();
        let class = RequestClass::of(request.uri().path(), base_path);
        let writing = match (class.endpoint, class.id) {
            (Some(endpoint), Some(id)) if Methods::Writes.matches(method) => {
                Some(format!("{endpoint}/{id}"))
            }
            _ => None,
        };
        if writing
            .as_ref()
            .is_some_and(|key| self.writing.contains(key))
        {
            return (BUSY_RESOURCE_RECHECK, Vec::new(), writing);
        }
        let rules: Vec<usize> = (0..self.rules.len())
            .filter(|&i| self.rules[i].matches(method, &class))
            .collect();
        let mut wait = Duration::ZERO;
        for &i in &rules {
            self.buckets[i].refill(now);
            wait = wait.max(self.buckets[i].wait(now));
        }
        (wait, rules, writing)
    }

    /// Hands a permit back when its attempt ended. `retry_after` is the
    /// wait a 429 asked for: every class the request counted in pauses that
    /// long, so no other request of the class runs into the same wall.
    pub fn settle(&mut self, permit: Permit, retry_after: Option<Duration>, now: SystemTime) {
        if let Some(key) = &permit.writing {
            self.writing.remove(key);
        }
        let Some(wait) = retry_after else { return };
        self.throttled = self.throttled.saturating_add(1);
        let until = now.checked_add(wait);
        for i in permit.rules {
            let bucket = &mut self.buckets[i];
            bucket.paused_until = bucket.paused_until.max(until);
        }
    }

    /// How many attempts were answered 429 (settled with a `retry_after`).
    pub fn throttled(&self) -> u64 {
        self.throttled
    }

    /// The waits [`admit`](Self::admit) has asked for, summed: the time
    /// its callers spent pacing (a caller that asks again sooner, or gives
    /// up, spent less). For a service's metrics.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// The rules, in table order.
    pub fn rules(&self) -> &[RateRule] {
        &self.rules
    }
}

/// A [`RateBudget`] shared by clients, threads and tasks of one process:
/// a provider's limits are per organisation, not per client. Cloning gives
/// another handle to the same budget.
#[derive(Clone, Debug)]
pub struct SharedBudget {
    inner: Arc<Mutex<RateBudget>>,
}

impl SharedBudget {
    /// Shares `budget`.
    pub fn new(budget: RateBudget) -> SharedBudget {
        SharedBudget {
            inner: Arc::new(Mutex::new(budget)),
        }
    }

    /// A budget for `table` at `fraction` of its rates, shared.
    pub fn for_table(table: &RateTable, fraction: f64) -> SharedBudget {
        SharedBudget::new(RateBudget::new(table, fraction))
    }

    /// The budget, locked. Hold it only for a decision: never across a send
    /// or a sleep.
    pub fn lock(&self) -> MutexGuard<'_, RateBudget> {
        // Every change to the budget is a few assignments; a panic between
        // them leaves at worst one request counted twice.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    fn at(seconds: f64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs_f64(seconds)
    }

    fn request(method: Method, path: &str) -> http::Request<()> {
        http::Request::builder()
            .method(method)
            .uri(format!("https://api.slack.com/scim/v1/{path}"))
            .body(())
            .unwrap()
    }

    fn slack_like() -> RateTable {
        RateTable::new(vec![
            RateRule::writes("writes", 600, MINUTE, 180),
            RateRule::on(
                "user creates",
                Methods::Only(vec![Method::POST]),
                "Users",
                Target::Collection,
                180,
                MINUTE,
                20,
            ),
        ])
    }

    /// Admits or returns the wait, settling at once.
    fn ask(budget: &mut RateBudget, method: Method, path: &str, now: f64) -> Option<Duration> {
        match budget.admit(&request(method, path), "/scim/v1/", at(now)) {
            Admission::Now(permit) => {
                budget.settle(permit, None, at(now));
                None
            }
            Admission::Wait(wait) => Some(wait),
        }
    }

    #[test]
    fn wait_for_tells_the_wait_of_each_class_and_takes_no_room() {
        let mut budget = RateBudget::new(&slack_like(), 1.0);
        let post = request(Method::POST, "Users");
        let patch = request(Method::PATCH, "Users/W1");
        for _ in 0..20 {
            assert_eq!(ask(&mut budget, Method::POST, "Users", 0.0), None);
        }
        // The creates' burst is spent; updates still have room.
        let create_wait = budget.wait_for(&post, "/scim/v1/", at(0.0));
        assert!(create_wait > Duration::ZERO);
        assert_eq!(
            budget.wait_for(&patch, "/scim/v1/", at(0.0)),
            Duration::ZERO
        );
        // Asking again took nothing: the same answers.
        for _ in 0..3 {
            assert_eq!(budget.wait_for(&post, "/scim/v1/", at(0.0)), create_wait);
            assert_eq!(
                budget.wait_for(&patch, "/scim/v1/", at(0.0)),
                Duration::ZERO
            );
        }
        assert_eq!(
            ask(&mut budget, Method::POST, "Users", 0.0),
            Some(create_wait)
        );
    }

    #[test]
    fn request_classes() {
        let table = [
            ("/scim/v1/Users", Some("Users"), None),
            ("/scim/v1/Users/W1", Some("Users"), Some("W1")),
            ("/scim/v1/Users/.search", Some("Users"), None),
            ("/scim/v1/", None, None),
            ("/elsewhere/Users", None, None),
            ("/scim/v1//Groups/S1/", Some("Groups"), Some("S1")),
            ("/scim/v10/Users", None, None),
            ("/scim/v1", None, None),
        ];
        for (path, endpoint, id) in table {
            assert_eq!(
                RequestClass::of(path, "/scim/v1/"),
                RequestClass { endpoint, id },
                "{path}"
            );
        }
    }

    /// Decision table: (method, path, seconds since start) → wait, in order,
    /// against Slack's writes 600/min burst 180 and user creates 180/min
    /// burst 20.
    #[test]
    fn decisions_with_time_passed_in() {
        let mut budget = RateBudget::new(&slack_like(), 1.0);
        // The create burst: 20 at once.
        for _ in 0..20 {
            assert_eq!(ask(&mut budget, Method::POST, "Users", 0.0), None);
        }
        let steps: [(Method, &str, f64, Option<f64>); 6] = [
            // The 21st create waits one create interval (60/180 s).
            (Method::POST, "Users", 0.0, Some(1.0 / 3.0)),
            // A group create only counts as a write: room left.
            (Method::POST, "Groups", 0.0, None),
            // Reads are not in this table at all.
            (Method::GET, "Users", 0.0, None),
            // After the interval the create goes.
            (Method::POST, "Users", 1.0 / 3.0, None),
            // And the next waits a full interval again.
            (Method::POST, "Users", 1.0 / 3.0, Some(1.0 / 3.0)),
            // A minute later the create bucket is full again.
            (Method::POST, "Users", 61.0, None),
        ];
        for (method, path, now, want) in steps {
            let got = ask(&mut budget, method.clone(), path, now);
            let close = match (got, want) {
                (None, None) => true,
                (Some(got), Some(want)) => (got.as_secs_f64() - want).abs() < 1e-6,
                _ => false,
            };
            assert!(
                close,
                "{method} {path} at {now}s: got {got:?}, want {want:?}"
            );
        }
    }

    #[test]
    fn the_writes_burst_binds_across_endpoints() {
        let mut budget = RateBudget::new(&slack_like(), 1.0);
        for i in 0..180 {
            assert_eq!(
                ask(&mut budget, Method::PATCH, &format!("Groups/S{i}"), 0.0),
                None
            );
        }
        let wait = ask(&mut budget, Method::DELETE, "Groups/S0", 0.0).unwrap();
        assert!((wait.as_secs_f64() - 0.1).abs() < 1e-9, "{wait:?}");
    }

    #[test]
    fn a_fraction_stretches_the_interval_and_shrinks_the_burst() {
        let mut budget = RateBudget::new(&slack_like(), 0.5);
        for _ in 0..10 {
            assert_eq!(ask(&mut budget, Method::POST, "Users", 0.0), None);
        }
        let wait = ask(&mut budget, Method::POST, "Users", 0.0).unwrap();
        assert!((wait.as_secs_f64() - 2.0 / 3.0).abs() < 1e-9, "{wait:?}");
        for nonsense in [0.0, -1.0, f64::NAN, 7.0] {
            let mut budget = RateBudget::new(&slack_like(), nonsense);
            for _ in 0..20 {
                assert_eq!(ask(&mut budget, Method::POST, "Users", 0.0), None);
            }
            assert!(
                ask(&mut budget, Method::POST, "Users", 0.0).is_some(),
                "{nonsense}"
            );
        }
    }

    #[test]
    fn a_429_pauses_every_class_the_request_counted_in() {
        let mut budget = RateBudget::new(&slack_like(), 1.0);
        let Admission::Now(permit) =
            budget.admit(&request(Method::POST, "Users"), "/scim/v1/", at(0.0))
        else {
            panic!("the first create is admitted")
        };
        budget.settle(permit, Some(Duration::from_secs(30)), at(0.0));
        assert_eq!(budget.throttled(), 1);
        // Writes of any kind wait out the pause; reads do not.
        let wait = ask(&mut budget, Method::PATCH, "Groups/S1", 10.0).unwrap();
        assert!((wait.as_secs_f64() - 20.0).abs() < 1e-9, "{wait:?}");
        assert_eq!(ask(&mut budget, Method::GET, "Users", 10.0), None);
        assert_eq!(ask(&mut budget, Method::PATCH, "Groups/S1", 30.0), None);
    }

    #[test]
    fn writes_to_one_resource_never_overlap() {
        let mut budget = RateBudget::new(&RateTable::default(), 1.0);
        let patch = request(Method::PATCH, "Users/W1");
        let Admission::Now(first) = budget.admit(&patch, "/scim/v1/", at(0.0)) else {
            panic!()
        };
        assert_eq!(
            budget.admit(&patch, "/scim/v1/", at(0.0)),
            Admission::Wait(BUSY_RESOURCE_RECHECK)
        );
        // Another user, and reads of the same one, go ahead.
        assert_eq!(ask(&mut budget, Method::PATCH, "Users/W2", 0.0), None);
        assert_eq!(ask(&mut budget, Method::GET, "Users/W1", 0.0), None);
        budget.settle(first, None, at(0.0));
        assert_eq!(ask(&mut budget, Method::PATCH, "Users/W1", 0.0), None);
    }

    #[test]
    fn a_clock_that_goes_backwards_refills_nothing_and_never_stalls() {
        let mut budget = RateBudget::new(&slack_like(), 1.0);
        for _ in 0..20 {
            assert_eq!(ask(&mut budget, Method::POST, "Users", 100.0), None);
        }
        // Skew between callers (under a second back): nothing refills.
        assert!(ask(&mut budget, Method::POST, "Users", 99.5).is_some());
        // A reset fifty seconds back: no refill either, but the class goes
        // on from the new time instead of waiting the fifty seconds out.
        let wait = ask(&mut budget, Method::POST, "Users", 50.0).unwrap();
        assert!((wait.as_secs_f64() - 1.0 / 3.0).abs() < 1e-6, "{wait:?}");
        assert_eq!(
            ask(&mut budget, Method::POST, "Users", 50.0 + 1.0 / 3.0),
            None
        );
    }

    #[test]
    fn absurd_rules_saturate_instead_of_panicking() {
        let rule = |per, limit, burst| RateRule::writes("w", limit, per, burst);
        for r in [
            rule(Duration::MAX, 1, u32::MAX),
            rule(Duration::ZERO, u32::MAX, 0),
            rule(Duration::MAX, 0, 0),
        ] {
            for fraction in [1.0, 1e-300] {
                let mut budget = RateBudget::new(&RateTable::new(vec![r.clone()]), fraction);
                let _ = ask(&mut budget, Method::POST, "Users", 0.0);
                let _ = ask(&mut budget, Method::POST, "Users", 0.0);
            }
        }
    }

    #[test]
    fn a_shared_budget_paces_threads_together() {
        let shared = SharedBudget::for_table(&slack_like(), 1.0);
        let admitted: usize = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let shared = shared.clone();
                    scope.spawn(move || {
                        let mut admitted = 0;
                        for _ in 0..10 {
                            let mut budget = shared.lock();
                            if let Admission::Now(permit) =
                                budget.admit(&request(Method::POST, "Users"), "/scim/v1/", at(0.0))
                            {
                                budget.settle(permit, None, at(0.0));
                                admitted += 1;
                            }
                        }
                        admitted
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap()).sum()
        });
        assert_eq!(
            admitted, 20,
            "80 asks at one instant, a burst of 20 admitted"
        );
    }
}
