//! [`InMemoryService`]: the service's handle, its state behind one lock,
//! and the path of one request through it (faults, rate table, endpoints,
//! response).

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use serde_json::Value;

use crate::endpoints::{Behaviour, serve};
use crate::fault::Faults;
use crate::rates::Rates;
use crate::response::{self, Reply};
use crate::route::base_path;
use crate::store::Store;
use crate::{Failure, Fault, Kind};
use scim_client::Dialect;
use scim_client::pacing::Permit;
use scim_client::provider::{Profile, UserDelete};
use scim_client::transport::{HttpRequest, HttpResponse};

/// Where the service's virtual clock starts: 2026-01-01T00:00:00Z, in
/// seconds since the Unix epoch.
pub const CLOCK_START_UNIX_SECONDS: u64 = 1_767_225_600;

/// A SCIM service in memory. Cloning gives another handle to the same
/// service, so a test can keep one while a client owns the other.
#[derive(Clone, Debug)]
pub struct InMemoryService {
    inner: Arc<Mutex<State>>,
    behaviour: Behaviour,
    profile: Option<Arc<Profile>>,
}

/// Everything a request may change, behind the service's one lock.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) store: Store,
    requests: u64,
    faults: Faults,
    /// The virtual clock.
    now: SystemTime,
    /// The profile's rate table, when it has one.
    rates: Option<Rates>,
}

impl InMemoryService {
    /// An empty service speaking `dialect`, with no rate limits; as a
    /// transport it answers at once and reads the system clock.
    pub fn new(dialect: Dialect) -> InMemoryService {
        let rules = Behaviour {
            dialect,
            users_deactivate: dialect == Dialect::SlackV1,
            group_members_read: true,
        };
        InMemoryService::build(Store::new(dialect), rules, None)
    }

    /// An empty service that plays `profile`'s provider:
    ///
    /// - its [dialect](Profile::dialect) (error bodies, PATCH form, status codes);
    /// - its [rate table](Profile::rates), at its published rates, in the
    ///   service's virtual clock ([`now`](Self::now)): a request that finds a
    ///   bucket empty is not served and is answered 429 with a `Retry-After`
    ///   of the wait rounded up to whole seconds (at least 1), and counted
    ///   ([`throttled`](Self::throttled)). The rules' endpoints are read
    ///   relative to the base path as seen in each request: the path up to
    ///   the first segment the service routes (`Users`, `Groups`, `Bulk`, …),
    ///   so any base URL works; a request it cannot route counts only
    ///   against the rules for every endpoint;
    /// - its [pagination](Profile::pagination): cursor-only lists ignore
    ///   `startIndex` and answer `nextCursor` (RFC 9865) until the last page;
    ///   lists that take both answer `startIndex`, and `nextCursor` as well;
    ///   a `count` above [`max_page_size`](Profile::max_page_size) is read as
    ///   it. An unsorted list's cursor names the last id served, so resources
    ///   created or deleted between pages shift nothing (one created behind
    ///   the cursor is not seen); a sorted list's, or `/.search` over every
    ///   type, holds an offset. A cursor this service did not give is 400
    ///   `invalidCursor`;
    /// - its [`max_member_changes`](Profile::max_member_changes): a group
    ///   PATCH carrying more member values (added plus removed) is 400
    ///   `tooMany`, and nothing of it is applied;
    /// - [`group_reads_return_members`](Profile::group_reads_return_members)
    ///   false: group reads and lists leave out `members`;
    /// - [`user_delete`](Profile::user_delete): Slack deactivates;
    /// - the discovery path its [`Dialect`](scim_client::Dialect) spells:
    ///   discovery is served at that spelling only, and announces the
    ///   pagination (RFC 9865 §4).
    ///
    /// As a transport, its `sleep` advances the virtual clock and its `now`
    /// reads it, so a sequential client waits out 429s in no real time (see
    /// [`set_now`](Self::set_now) for concurrent drivers).
    ///
    /// ```
    /// use scim_client::provider::Profile;
    /// use scim_memory::InMemoryService;
    ///
    /// let service = InMemoryService::for_profile(&Profile::aws_identity_center("us-east-1", "d-1"));
    /// assert_eq!(service.dialect(), scim_client::Dialect::Scim2);
    /// assert_eq!(service.throttled(), 0);
    /// ```
    pub fn for_profile(profile: &Profile) -> InMemoryService {
        let rules = Behaviour {
            dialect: profile.dialect,
            users_deactivate: profile.user_delete == UserDelete::Deactivates,
            group_members_read: profile.group_reads_return_members,
        };
        InMemoryService::build(Store::for_profile(profile), rules, Some(profile))
    }

    fn build(store: Store, rules: Behaviour, profile: Option<&Profile>) -> InMemoryService {
        let state = State {
            store,
            requests: 0,
            faults: Faults::default(),
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(CLOCK_START_UNIX_SECONDS),
            rates: profile.and_then(Rates::of_profile),
        };
        InMemoryService {
            inner: Arc::new(Mutex::new(state)),
            behaviour: rules,
            profile: profile.map(|p| Arc::new(p.clone())),
        }
    }

    /// An empty SCIM 2.0 service.
    pub fn scim2() -> InMemoryService {
        InMemoryService::new(Dialect::Scim2)
    }

    /// An empty service that behaves like Slack's v1 API.
    pub fn slack_v1() -> InMemoryService {
        InMemoryService::new(Dialect::SlackV1)
    }

    /// The dialect it speaks.
    pub fn dialect(&self) -> Dialect {
        self.behaviour.dialect
    }

    /// The profile it plays, when made with [`for_profile`](Self::for_profile).
    pub fn profile(&self) -> Option<&Profile> {
        self.profile.as_deref()
    }

    /// The virtual clock's reading: 2026-01-01T00:00:00Z
    /// ([`CLOCK_START_UNIX_SECONDS`]) until moved. Rate limits are counted
    /// in it. Resources' `meta` timestamps do not follow it (they come from
    /// a write counter, as before).
    pub fn now(&self) -> SystemTime {
        self.state().now
    }

    /// Sets the virtual clock. A concurrent driver (several async tasks on
    /// one service) calls it with its executor's clock before each
    /// request, say tokio's with paused time (`start_paused`): the
    /// service's own `AsyncTransport::sleep` advances the clock by each
    /// task's wait, which adds waits that overlap. A clock set backwards
    /// refills no bucket.
    pub fn set_now(&self, now: SystemTime) {
        self.state().now = now;
    }

    /// Moves the virtual clock on by `duration` (not past the largest time
    /// the platform represents: there it stays).
    pub fn advance(&self, duration: Duration) {
        let mut state = self.state();
        if let Some(later) = state.now.checked_add(duration) {
            state.now = later;
        }
    }

    /// How many requests were answered 429 because the profile's rate
    /// table had no room (injected [`Fault`]s are not counted).
    pub fn throttled(&self) -> u64 {
        self.state().rates.as_ref().map_or(0, Rates::throttled)
    }

    /// The profile's rate rules, by name in table order, each with how many
    /// requests it admitted (whatever they were then answered). Empty
    /// without a rate table.
    pub fn served_by_rule(&self) -> Vec<(String, u64)> {
        let state = self.state();
        state
            .rates
            .as_ref()
            .map_or_else(Vec::new, Rates::served_by_rule)
    }

    /// True when, as a transport, it lives in its virtual clock.
    pub(crate) fn in_virtual_time(&self) -> bool {
        self.profile.is_some()
    }

    /// Answers the `count` requests after the first `after` with `fault`
    /// (request numbers count every request, faulted ones included).
    pub fn inject(&self, after: u64, count: u64, fault: Fault) {
        self.state().faults.inject(after, count, fault);
    }

    /// How many requests it has received.
    pub fn requests_received(&self) -> u64 {
        self.state().requests
    }

    /// How many resources of `kind` it stores.
    pub fn len(&self, kind: Kind) -> usize {
        self.state().store.len(kind)
    }

    /// Serves another resource type (RFC 7643 §6) at `/{endpoint}`, listed
    /// in `/ResourceTypes`. Its resources get ids, versions and `meta` like
    /// users and groups, and every operation (list, filter, sort, `.search`,
    /// PATCH in the service's dialect, PUT, DELETE, Bulk); they have no
    /// required attribute. Adding the same endpoint again returns its kind.
    ///
    /// ```
    /// use scim_memory::InMemoryService;
    ///
    /// let service = InMemoryService::scim2();
    /// let devices = service.add_resource_type("Device", "Devices", "urn:example:Device");
    /// assert_eq!(service.len(devices), 0);
    /// ```
    pub fn add_resource_type(&self, name: &str, endpoint: &str, schema: &str) -> Kind {
        self.state().store.add_type(name, endpoint, schema)
    }

    /// Stores a user directly, as if created through the API; returns its id.
    /// For seeding large test data without a request per user.
    pub fn seed_user(&self, user: Value) -> Result<String, Failure> {
        let mut state = self.state();
        let created = state.store.create(Kind::Users, user, "")?;
        Ok(created
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned())
    }

    /// Answers one request. Injected faults come first; then the rate
    /// table, at the virtual clock's time.
    pub fn handle(&self, request: &HttpRequest) -> HttpResponse {
        self.answer(&mut self.state(), request)
    }

    /// Answers one request at `now`: sets the clock to `now` and answers,
    /// under one lock, so no other request runs between the two.
    ///
    /// This is the service in wall time: a server in front of it that reads
    /// the system clock for each request (`handle_at(&request,
    /// SystemTime::now())`) has the profile's rate table enforced in real
    /// seconds, as the provider would. Concurrent callers' readings may
    /// arrive slightly out of order; a `now` behind the clock is taken as
    /// [`set_now`](Self::set_now) takes it (a bucket refills nothing).
    pub fn handle_at(&self, request: &HttpRequest, now: SystemTime) -> HttpResponse {
        let mut state = self.state();
        state.now = now;
        self.answer(&mut state, request)
    }

    /// [`handle`](Self::handle) with the lock held.
    fn answer(&self, state: &mut State, request: &HttpRequest) -> HttpResponse {
        let dialect = self.behaviour.dialect;
        state.requests = state.requests.saturating_add(1);
        if let Some(fault) = state.faults.due(state.requests) {
            return response::fault(dialect, fault);
        }
        let permit = match admit(state, request) {
            Ok(permit) => permit,
            Err(wait) => return response::throttled(dialect, wait),
        };
        let reply = serve(&mut state.store, self.behaviour, request)
            .unwrap_or_else(|failure| Reply::failure(dialect, &failure));
        if let (Some(rates), Some(permit)) = (&mut state.rates, permit) {
            rates.settle(permit, state.now);
        }
        response::http_response(dialect, reply)
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the store half-written:
        // every change is computed on a copy and stored in one step.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Asks the rate table, if any, to admit `request` now: its permit, or the
/// wait its buckets need.
fn admit(state: &mut State, request: &HttpRequest) -> Result<Option<Permit>, Duration> {
    let Some(rates) = &mut state.rates else {
        return Ok(None);
    };
    let base = base_path(&state.store, request.uri().path());
    rates.admit(request, &base, state.now).map(Some)
}
