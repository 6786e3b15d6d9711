//! [`InMemoryService`]: a SCIM service in memory, for tests and examples.
//!
//! It is pure: a request goes in, a response comes out, no sockets and no
//! clock (timestamps come from a logical clock). Both clients can use it as
//! their transport, so provisioning code is unit-tested against the same
//! rules a real provider applies:
//!
//! - **SCIM 2.0** ([`Dialect::Scim2`], [`Dialect::SlackV2`]): `ListResponse`,
//!   the full filter grammar, sorting, paging, `attributes` and
//!   `excludedAttributes`, `PatchOp` with value-filter paths, ETags (412 on a
//!   stale `If-Match`, 304 on a current `If-None-Match`), 409 on a duplicate
//!   `userName`, `.search`, Bulk with `bulkId` references, discovery.
//! - **Slack v1** ([`Dialect::SlackV1`]): `{"Errors": {…}}` bodies,
//!   partial-resource PATCH where `null` clears, group member removal by
//!   `"operation": "delete"`, DELETE of a user deactivates it (200), group
//!   PATCH and DELETE answer 204, `count` above 1000 is read as 1000.
//! - **Faults on demand** ([`InMemoryService::inject`]): 429 with a
//!   `Retry-After`, or a 5xx with an HTML body, for the N requests after the
//!   M-th, to exercise retry settings.
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
mod store;
mod to_json;
mod transport;

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard};

use http::header::{CONTENT_TYPE, ETAG, IF_MATCH, IF_NONE_MATCH, LOCATION, RETRY_AFTER};
use http::{HeaderValue, Method, StatusCode};
use serde_json::{Value, json};

use crate::encoding::percent_decode;
use scim_client::Dialect;
use scim_client::transport::{HttpRequest, HttpResponse};

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

/// A SCIM service in memory. Cloning gives another handle to the same
/// service, so a test can keep one while a client owns the other.
#[derive(Clone, Debug)]
pub struct InMemoryService {
    inner: Arc<Mutex<State>>,
    dialect: Dialect,
}

#[derive(Debug)]
struct State {
    store: Store,
    requests: u64,
    faults: Vec<ScheduledFault>,
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
    /// An empty service speaking `dialect`.
    pub fn new(dialect: Dialect) -> InMemoryService {
        let state = State {
            store: Store::new(dialect),
            requests: 0,
            faults: Vec::new(),
        };
        InMemoryService {
            inner: Arc::new(Mutex::new(state)),
            dialect,
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

    /// Answers one request.
    pub fn handle(&self, request: &HttpRequest) -> HttpResponse {
        let mut state = self.state();
        state.requests += 1;
        let number = state.requests;
        if let Some(fault) = state
            .faults
            .iter()
            .find(|f| (f.first..=f.last).contains(&number))
            .map(|f| f.fault.clone())
        {
            return self.fault_response(&fault);
        }
        let reply = route(&mut state.store, self.dialect, request)
            .unwrap_or_else(|failure| self.error_reply(&failure));
        self.response(reply)
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
        // The writer cannot fail, unlike serde: no fallback to hide.
        let body = reply.body.map(|b| to_json::to_vec(&b)).unwrap_or_default();
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

/// Finds the route, and the URL prefix before it (for `meta.location`).
/// The route starts at the first segment the service knows.
fn parse_route(store: &Store, path: &str) -> Option<(String, Route)> {
    const FIXED: [&str; 6] = [
        "Bulk",
        ".search",
        "ServiceProviderConfig",
        "ServiceProviderConfigs",
        "Schemas",
        "ResourceTypes",
    ];
    let segments: Vec<&str> = path.split('/').collect();
    let start = segments
        .iter()
        .position(|s| FIXED.contains(s) || store.kind_at(s).is_some())?;
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
        (_, ["ServiceProviderConfig" | "ServiceProviderConfigs"]) => Route::ServiceProviderConfig,
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

fn route(store: &mut Store, dialect: Dialect, request: &HttpRequest) -> Result<Reply, Failure> {
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
        Route::Collection(kind) if method == Method::GET => Ok(Reply::json(
            200,
            store.list(kind, &store::Query::from_params(&query, dialect)?)?,
        )),
        Route::Collection(kind) if method == Method::POST => {
            let created = store.create(kind, json_body(request)?, &origin)?;
            Ok(store::resource_reply(201, created, v2))
        }
        Route::Search(kind) if method == Method::POST => {
            let search: scim_client::model::SearchRequest =
                serde_json::from_value(json_body(request)?)
                    .map_err(|e| Failure::new(400, Some("invalidSyntax"), e.to_string()))?;
            let query = store::Query::from_search(&search, dialect)?;
            match kind {
                Some(kind) => Ok(Reply::json(200, store.list(kind, &query)?)),
                None => Ok(Reply::json(200, store.list_all(&query)?)),
            }
        }
        Route::Resource(kind, id) => {
            let if_match = if v2 { header(request, IF_MATCH) } else { None };
            let projection = store::Projection::from_params(&query);
            match *method {
                Method::GET => {
                    let resource = store.read(kind, &id)?;
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
                    if dialect == Dialect::SlackV1 && kind == Kind::Users {
                        store.deactivate(&id)?;
                        return Ok(Reply::empty(200));
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
            discovery::service_provider_config(dialect),
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
