//! [`InMemoryService`]: a SCIM service in memory, for tests and examples.
//!
//! It is pure: a request goes in, a response comes out, no sockets and no
//! system clock (timestamps come from a logical clock, rate limits from a
//! virtual one: [`InMemoryService::now`]). Both clients can use it as
//! their transport, so provisioning code is unit-tested against the same
//! rules a real provider applies:
//!
//! - **SCIM 2.0** ([`Dialect::Scim2`], [`Dialect::SlackV2`]): `ListResponse`,
//!   the full filter grammar, sorting, paging, `attributes` and
//!   `excludedAttributes`, `PatchOp` with value-filter paths (a PATCH body
//!   that is not a `PatchOp` is 400 `invalidSyntax`), ETags (412 on a
//!   stale `If-Match`, 304 on a current `If-None-Match`), 409 on a duplicate
//!   `userName`, `.search`, Bulk with `bulkId` references, discovery.
//! - **Slack v1** ([`Dialect::SlackV1`]): `{"Errors": {…}}` bodies,
//!   partial-resource PATCH where `null` clears (a SCIM 2.0 `PatchOp` is
//!   400, as Slack refuses it), group member removal by
//!   `"operation": "delete"`, DELETE of a user deactivates it (200), group
//!   PATCH and DELETE answer 204, `count` above 1000 is read as 1000.
//! - **Faults on demand** ([`InMemoryService::inject`]): 429 with a
//!   `Retry-After`, or a 5xx with an HTML body, for the N requests after the
//!   M-th, to exercise retry settings.
//! - **A provider's profile** ([`InMemoryService::for_profile`]): its
//!   dialect, its published rate limits (429 with `Retry-After` when a
//!   bucket is empty), cursor paging where it pages by cursor, its page
//!   cap, its limit on member changes per group PATCH, group reads without
//!   members, what DELETE of a user does and its discovery path, all in a
//!   virtual clock that the client's retry waits advance: a realistic
//!   provider with no network and no real waiting.
//!
//! ```
//! use scim_memory::InMemoryService;
//! use scim_client::model::User;
//! use scim_client::{ClientOptions, ScimClient};
//!
//! let service = InMemoryService::scim2();
//! let client = ScimClient::with_transport("token", ClientOptions::scim2("https://scim.test/v2"), service.clone())?;
//! let ada = client.create_user(&User { user_name: "ada".into(), ..User::default() })?;
//! assert_eq!(client.read_user(ada.id.as_deref().unwrap())?.user_name.as_deref(), Some("ada"));
//! assert_eq!(service.requests_received(), 2);
//! # Ok::<(), scim_client::Error>(())
//! ```

mod bulk;
mod discovery;
mod encoding;
mod filter_eval;
mod patch;
mod snapshot;
mod store;
mod transport;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime};

use http::header::{CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH, LOCATION, RETRY_AFTER};
use http::{HeaderValue, Method, StatusCode};
use serde_json::{Value, json};

use crate::encoding::percent_decode;
use scim_client::Dialect;
use scim_client::budget::{Admission, RateBudget, RequestClass};
use scim_client::profile::{Profile, UserDelete};
use scim_client::transport::{HttpRequest, HttpResponse};

pub use snapshot::SNAPSHOT_FORMAT;
use store::Store;
pub use store::{CustomKind, Kind};

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

#[derive(Clone, Debug)]
struct ScheduledFault {
    first: u64,
    last: u64,
    fault: Fault,
}

/// Where the service's virtual clock starts: 2026-01-01T00:00:00Z, in
/// seconds since the Unix epoch.
pub const CLOCK_START_UNIX_SECONDS: u64 = 1_767_225_600;

/// A SCIM service in memory. Cloning gives another handle to the same
/// service, so a test can keep one while a client owns the other.
#[derive(Clone, Debug)]
pub struct InMemoryService {
    inner: Arc<Mutex<State>>,
    dialect: Dialect,
    behaviour: Behaviour,
    profile: Option<Arc<Profile>>,
}

/// The behaviours the routes read, fixed when the service is made.
#[derive(Clone, Copy, Debug)]
struct Behaviour {
    dialect: Dialect,
    /// `DELETE /Users/{id}` deactivates the user instead of deleting it.
    users_deactivate: bool,
    /// Group reads (one group, lists, searches) carry `members`.
    group_members_read: bool,
}

#[derive(Debug)]
struct State {
    store: Store,
    requests: u64,
    faults: Vec<ScheduledFault>,
    /// The virtual clock.
    now: SystemTime,
    /// The profile's rate table, when it has one.
    budget: Option<RateBudget>,
    /// Requests answered 429 because a bucket was empty.
    throttled: u64,
    /// Requests admitted, per rule of the rate table (in table order).
    served_by_rule: Vec<u64>,
}

/// An error the service answers with: the HTTP status, the SCIM `scimType`
/// and the detail it would send. [`InMemoryService::seed_user`] returns it
/// when it refuses a user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    status: u16,
    scim_type: Option<&'static str>,
    detail: String,
}

impl Failure {
    pub(crate) fn new(
        status: u16,
        scim_type: Option<&'static str>,
        detail: impl Into<String>,
    ) -> Failure {
        Failure {
            status,
            scim_type,
            detail: detail.into(),
        }
    }

    /// The HTTP status the service answers with.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// What went wrong, as the service's error body says.
    pub fn detail(&self) -> &str {
        &self.detail
    }

    fn not_found(what: &str) -> Failure {
        Failure::new(404, None, format!("{what} not found"))
    }
}

/// An answer before it becomes an HTTP response.
pub(crate) struct Reply {
    status: u16,
    body: Option<Value>,
    etag: Option<String>,
    location: Option<String>,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            body: Some(body),
            etag: None,
            location: None,
        }
    }

    fn empty(status: u16) -> Reply {
        Reply {
            status,
            body: None,
            etag: None,
            location: None,
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.detail)
    }
}

impl std::error::Error for Failure {}

impl InMemoryService {
    /// An empty service speaking `dialect`, with no rate limits; as a
    /// transport it answers at once and reads the system clock.
    pub fn new(dialect: Dialect) -> InMemoryService {
        let rules = Behaviour {
            dialect,
            users_deactivate: dialect == Dialect::SlackV1,
            group_members_read: true,
        };
        InMemoryService::build(Store::new(dialect), rules, None, None)
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
    /// - [`service_provider_config_path`](Profile::service_provider_config_path):
    ///   discovery is served at that spelling only, and announces the
    ///   pagination (RFC 9865 §4).
    ///
    /// As a transport, its `sleep` advances the virtual clock and its `now`
    /// reads it, so a sequential client waits out 429s in no real time (see
    /// [`set_now`](Self::set_now) for concurrent drivers).
    ///
    /// ```
    /// use scim_client::profile::Profile;
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
        let budget = (!profile.rates.is_empty()).then(|| RateBudget::new(&profile.rates, 1.0));
        InMemoryService::build(
            Store::for_profile(profile),
            rules,
            budget,
            Some(Arc::new(profile.clone())),
        )
    }

    fn build(
        store: Store,
        rules: Behaviour,
        budget: Option<RateBudget>,
        profile: Option<Arc<Profile>>,
    ) -> InMemoryService {
        let served_by_rule = vec![0; budget.as_ref().map_or(0, |b| b.rules().len())];
        let state = State {
            store,
            requests: 0,
            faults: Vec::new(),
            now: SystemTime::UNIX_EPOCH + Duration::from_secs(CLOCK_START_UNIX_SECONDS),
            budget,
            throttled: 0,
            served_by_rule,
        };
        InMemoryService {
            inner: Arc::new(Mutex::new(state)),
            dialect: rules.dialect,
            behaviour: rules,
            profile,
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
        self.dialect
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
        self.state().throttled
    }

    /// The profile's rate rules, by name in table order, each with how many
    /// requests it admitted (whatever they were then answered). Empty
    /// without a rate table.
    pub fn served_by_rule(&self) -> Vec<(String, u64)> {
        let state = self.state();
        let Some(budget) = &state.budget else {
            return Vec::new();
        };
        budget
            .rules()
            .iter()
            .zip(&state.served_by_rule)
            .map(|(rule, &count)| (rule.name.clone(), count))
            .collect()
    }

    /// True when, as a transport, it lives in its virtual clock.
    pub(crate) fn in_virtual_time(&self) -> bool {
        self.profile.is_some()
    }

    /// Answers the `count` requests after the first `after` with `fault`
    /// (request numbers count every request, faulted ones included).
    pub fn inject(&self, after: u64, count: u64, fault: Fault) {
        if count > 0 {
            self.state().faults.push(ScheduledFault {
                first: after + 1,
                last: after + count,
                fault,
            });
        }
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
        let mut guard = self.state();
        let state = &mut *guard;
        state.requests = state.requests.saturating_add(1);
        let number = state.requests;
        if let Some(fault) = state
            .faults
            .iter()
            .find(|f| (f.first..=f.last).contains(&number))
            .map(|f| f.fault.clone())
        {
            return self.fault_response(&fault);
        }
        let permit = match &mut state.budget {
            None => None,
            Some(budget) => {
                let path = request.uri().path();
                let base = base_path(&state.store, path);
                match budget.admit(request, &base, state.now) {
                    Admission::Now(permit) => {
                        let class = RequestClass::of(path, &base);
                        for (rule, served) in budget.rules().iter().zip(&mut state.served_by_rule) {
                            if rule.matches(request.method(), &class) {
                                *served = served.saturating_add(1);
                            }
                        }
                        Some(permit)
                    }
                    Admission::Wait(wait) => {
                        state.throttled = state.throttled.saturating_add(1);
                        return self.throttled_response(wait);
                    }
                }
            }
        };
        let reply = route(&mut state.store, self.behaviour, request)
            .unwrap_or_else(|failure| self.error_reply(&failure));
        if let (Some(budget), Some(permit)) = (&mut state.budget, permit) {
            budget.settle(permit, None, state.now);
        }
        self.response(reply)
    }

    /// 429 in the dialect's error form, with `Retry-After` in whole
    /// seconds, rounded up, at least 1.
    fn throttled_response(&self, wait: Duration) -> HttpResponse {
        let seconds = wait
            .as_secs()
            .saturating_add(u64::from(wait.subsec_nanos() > 0))
            .max(1);
        let detail = match self.dialect {
            Dialect::SlackV1 => "ratelimited".to_owned(),
            Dialect::SlackV2 | Dialect::Scim2 => {
                format!("Too many requests: retry after {seconds} s")
            }
        };
        let failure = Failure::new(429, None, detail);
        let mut response = self.response(self.error_reply(&failure));
        response
            .headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from(seconds));
        response
    }

    fn state(&self) -> MutexGuard<'_, State> {
        // A panic while holding the lock cannot leave the store half-written:
        // every change is computed on a copy and stored in one step.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn error_reply(&self, failure: &Failure) -> Reply {
        let body = match self.dialect {
            Dialect::SlackV1 => {
                json!({"Errors": {"description": failure.detail, "code": failure.status}})
            }
            Dialect::SlackV2 | Dialect::Scim2 => {
                let mut body = json!({"schemas": [scim_client::model::ERROR], "status": failure.status.to_string(), "detail": failure.detail});
                if let Some(scim_type) = failure.scim_type {
                    body["scimType"] = Value::from(scim_type);
                }
                body
            }
        };
        Reply::json(failure.status, body)
    }

    fn fault_response(&self, fault: &Fault) -> HttpResponse {
        match fault {
            Fault::RateLimited { retry_after } => {
                let mut response =
                    self.response(self.error_reply(&Failure::new(429, None, "ratelimited")));
                if let Ok(value) = HeaderValue::from_str(retry_after) {
                    response.headers_mut().insert(RETRY_AFTER, value);
                }
                response
            }
            Fault::Status(status) => {
                let body = format!("<html><body><h1>{status} injected fault</h1></body></html>");
                let mut response = HttpResponse::new(body.into_bytes());
                *response.status_mut() =
                    StatusCode::from_u16(*status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                response
                    .headers_mut()
                    .insert(CONTENT_TYPE, HeaderValue::from_static("text/html"));
                response
            }
        }
    }

    fn response(&self, reply: Reply) -> HttpResponse {
        let body = match reply.body.as_ref().map(serde_json::to_vec).transpose() {
            Ok(body) => body.unwrap_or_default(),
            // A `Value` has string keys only, so serde_json cannot refuse
            // it; were that to change, the answer says so instead of
            // sending an empty body.
            Err(e) => return unwritable_response(&e),
        };
        let mut response = HttpResponse::new(body);
        *response.status_mut() =
            StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        if !response_is_empty(reply.status) {
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static(self.dialect.content_type()),
            );
        }
        if let Some(etag) = reply.etag.and_then(|e| HeaderValue::from_str(&e).ok()) {
            headers.insert(ETAG, etag);
        }
        if let Some(location) = reply.location.and_then(|l| HeaderValue::from_str(&l).ok()) {
            headers.insert(LOCATION, location);
        }
        response
    }
}

/// 500 with a plain-text body: the answer could not be written as JSON.
fn unwritable_response(error: &serde_json::Error) -> HttpResponse {
    let body = format!("the in-memory service could not write its answer as JSON: {error}");
    let mut response = HttpResponse::new(body.into_bytes());
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    response
}

fn response_is_empty(status: u16) -> bool {
    status == 204 || status == 304
}

/// Where a request is going, below the base URL.
#[derive(Debug, PartialEq)]
enum Route {
    Collection(Kind),
    Resource(Kind, String),
    Search(Option<Kind>),
    Bulk,
    ServiceProviderConfig,
    Schemas(Option<String>),
    ResourceTypes(Option<String>),
}

/// The index of the first segment the service routes.
fn route_start(store: &Store, segments: &[&str]) -> Option<usize> {
    const FIXED: [&str; 4] = ["Bulk", ".search", "Schemas", "ResourceTypes"];
    segments.iter().position(|s| {
        FIXED.contains(s) || store.is_service_provider_config(s) || store.kind_at(s).is_some()
    })
}

/// The base path as a request shows it, for the rate table: the path up to
/// the first segment the service routes, with a trailing `/`. A path it
/// cannot route is its own base: it names no endpoint.
fn base_path(store: &Store, path: &str) -> String {
    let segments: Vec<&str> = path.split('/').collect();
    match route_start(store, &segments) {
        Some(start) => {
            let mut base = segments[..start].join("/");
            base.push('/');
            base
        }
        None => path.to_owned(),
    }
}

/// Finds the route, and the URL prefix before it (for `meta.location`).
/// The route starts at the first segment the service knows.
fn parse_route(store: &Store, path: &str) -> Option<(String, Route)> {
    let segments: Vec<&str> = path.split('/').collect();
    let start = route_start(store, &segments)?;
    let prefix = segments[..start].join("/");
    let rest: Vec<String> = segments[start..]
        .iter()
        .map(|s| percent_decode(s))
        .collect();
    let rest: Vec<&str> = rest.iter().map(String::as_str).collect();
    let route = match (store.kind_at(rest[0]), rest.as_slice()) {
        (Some(kind), [_]) => Route::Collection(kind),
        (Some(kind), [_, ".search"]) => Route::Search(Some(kind)),
        (Some(kind), [_, id]) => Route::Resource(kind, (*id).to_owned()),
        (_, [".search"]) => Route::Search(None),
        (_, ["Bulk"]) => Route::Bulk,
        (_, [name]) if store.is_service_provider_config(name) => Route::ServiceProviderConfig,
        (_, ["Schemas"]) => Route::Schemas(None),
        (_, ["Schemas", id]) => Route::Schemas(Some((*id).to_owned())),
        (_, ["ResourceTypes"]) => Route::ResourceTypes(None),
        (_, ["ResourceTypes", id]) => Route::ResourceTypes(Some((*id).to_owned())),
        _ => return None,
    };
    Some((prefix, route))
}

/// `/ResourceTypes`: users, groups and the types added to this service.
fn resource_types(store: &Store) -> Vec<Value> {
    let mut types = discovery::resource_types();
    types.extend(store.custom_resource_types());
    types
}

/// The query string's parameters, decoded (`+` read as a space).
fn parse_query(query: Option<&str>) -> HashMap<String, String> {
    query
        .unwrap_or_default()
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (
                percent_decode(&name.replace('+', " ")),
                percent_decode(&value.replace('+', " ")),
            )
        })
        .collect()
}

fn header(request: &HttpRequest, name: http::header::HeaderName) -> Option<&str> {
    request.headers().get(name).and_then(|v| v.to_str().ok())
}

fn json_body(request: &HttpRequest) -> Result<Value, Failure> {
    serde_json::from_slice(request.body()).map_err(|e| {
        Failure::new(
            400,
            Some("invalidSyntax"),
            format!("the body is not JSON: {e}"),
        )
    })
}

/// Leaves `members` out of a group, as a provider whose group reads omit them.
fn strip_members(resource: &mut serde_json::Map<String, Value>) {
    if let Some(key) = patch::existing_key(resource, "members") {
        resource.remove(&key);
    }
}

/// Leaves `members` out of the groups of a list answer.
fn strip_listed_members(store: &Store, list: &mut Value) {
    if let Some(Value::Array(resources)) = list.get_mut("Resources") {
        for resource in resources.iter_mut().filter_map(Value::as_object_mut) {
            let is_group = resource
                .get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| store.is_group(id));
            if is_group {
                strip_members(resource);
            }
        }
    }
}

fn route(store: &mut Store, rules: Behaviour, request: &HttpRequest) -> Result<Reply, Failure> {
    let dialect = rules.dialect;
    let (prefix, route) =
        parse_route(store, request.uri().path()).ok_or_else(|| Failure::not_found("endpoint"))?;
    let origin = match (request.uri().scheme_str(), request.uri().authority()) {
        (Some(scheme), Some(authority)) => format!("{scheme}://{authority}{prefix}"),
        _ => prefix,
    };
    let query = parse_query(request.uri().query());
    let v2 = dialect != Dialect::SlackV1;
    let method = request.method();
    match route {
        Route::Collection(kind) if method == Method::GET => {
            let query = store::Query::from_params(&query, dialect, store.paging())?;
            let mut list = store.list(kind, &query)?;
            if !rules.group_members_read {
                strip_listed_members(store, &mut list);
            }
            Ok(Reply::json(200, list))
        }
        Route::Collection(kind) if method == Method::POST => {
            let created = store.create(kind, json_body(request)?, &origin)?;
            Ok(store::resource_reply(201, created, v2))
        }
        Route::Search(kind) if method == Method::POST => {
            let search: scim_client::model::SearchRequest =
                serde_json::from_value(json_body(request)?).map_err(|e| {
                    Failure::new(
                        400,
                        Some("invalidSyntax"),
                        format!("not a SearchRequest: {e}"),
                    )
                })?;
            let query = store::Query::from_search(&search, dialect, store.paging())?;
            let mut list = match kind {
                Some(kind) => store.list(kind, &query)?,
                None => store.list_all(&query)?,
            };
            if !rules.group_members_read {
                strip_listed_members(store, &mut list);
            }
            Ok(Reply::json(200, list))
        }
        Route::Resource(kind, id) => {
            let if_match = if v2 { header(request, IF_MATCH) } else { None };
            let projection = store::Projection::from_params(&query);
            match *method {
                Method::GET => {
                    let mut resource = store.read(kind, &id)?;
                    if kind == Kind::Groups && !rules.group_members_read {
                        strip_members(&mut resource);
                    }
                    let version = store::version_of(&resource);
                    let if_none_match = if v2 {
                        header(request, IF_NONE_MATCH)
                    } else {
                        None
                    };
                    if if_none_match
                        .is_some_and(|tag| tag == "*" || Some(tag) == version.as_deref())
                    {
                        return Ok(Reply {
                            etag: version,
                            ..Reply::empty(304)
                        });
                    }
                    Ok(store::resource_reply(200, projection.apply(resource), v2))
                }
                Method::PUT => {
                    let replaced = store.replace(kind, &id, json_body(request)?, if_match)?;
                    Ok(store::resource_reply(200, replaced, v2))
                }
                Method::PATCH => {
                    let patched = store.patch(kind, &id, json_body(request)?, if_match)?;
                    let selected = projection.is_some();
                    match (dialect, kind) {
                        (Dialect::SlackV1, Kind::Users) => {
                            Ok(store::resource_reply(200, patched, false))
                        }
                        (Dialect::SlackV1, Kind::Groups) => Ok(Reply::empty(204)),
                        _ if selected => {
                            Ok(store::resource_reply(200, projection.apply(patched), true))
                        }
                        _ => Ok(Reply {
                            etag: store::version_of(&patched),
                            ..Reply::empty(204)
                        }),
                    }
                }
                Method::DELETE => {
                    if rules.users_deactivate && kind == Kind::Users {
                        store.deactivate(&id)?;
                        let status = if v2 { 204 } else { 200 };
                        return Ok(Reply::empty(status));
                    }
                    store.delete(kind, &id, if_match)?;
                    Ok(Reply::empty(204))
                }
                _ => Err(Failure::new(
                    405,
                    None,
                    format!("{method} is not allowed here"),
                )),
            }
        }
        Route::Bulk if method == Method::POST && v2 => {
            bulk::process(store, request.body(), &origin)
        }
        Route::ServiceProviderConfig if method == Method::GET => Ok(Reply::json(
            200,
            discovery::service_provider_config(dialect, store.paging()),
        )),
        Route::Schemas(None) if method == Method::GET => {
            Ok(Reply::json(200, discovery::list(discovery::schemas())))
        }
        Route::Schemas(Some(id)) if method == Method::GET => discovery::schemas()
            .into_iter()
            .find(|s| {
                s["id"] == id.as_str() || s["name"].as_str().is_some_and(|n| format!("{n}s") == id)
            })
            .map(|s| Reply::json(200, s))
            .ok_or_else(|| Failure::not_found("schema")),
        Route::ResourceTypes(None) if method == Method::GET => {
            Ok(Reply::json(200, discovery::list(resource_types(store))))
        }
        Route::ResourceTypes(Some(id)) if method == Method::GET => resource_types(store)
            .into_iter()
            .find(|t| t["id"] == id.as_str())
            .map(|t| Reply::json(200, t))
            .ok_or_else(|| Failure::not_found("resource type")),
        _ => Err(Failure::new(
            405,
            None,
            format!("{method} is not allowed on {}", request.uri().path()),
        )),
    }
}
