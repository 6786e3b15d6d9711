//! The service's endpoints: what each route and method does to the store,
//! as a [`Reply`] or a [`Failure`]. [`serve`] routes a request to one short
//! function per route and method.

use std::collections::HashMap;

use http::Method;
use http::header::{HeaderName, IF_MATCH, IF_NONE_MATCH};
use serde_json::{Map, Value};

use crate::encoding::percent_decode;
use crate::patch::existing_key;
use crate::response::Reply;
use crate::route::{Route, parse_route};
use crate::store::{Kind, Projection, Query, Store, version_of};
use crate::{Failure, bulk, discovery};
use scim_client::Dialect;
use scim_client::model::SearchRequest;
use scim_client::transport::HttpRequest;

/// The behaviours the endpoints read, fixed when the service is made.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Behaviour {
    pub(crate) dialect: Dialect,
    /// `DELETE /Users/{id}` deactivates the user instead of deleting it.
    pub(crate) users_deactivate: bool,
    /// Group reads (one group, lists, searches) carry `members`.
    pub(crate) group_members_read: bool,
}

impl Behaviour {
    fn v2(&self) -> bool {
        self.dialect != Dialect::SlackV1
    }
}

/// A request as the endpoints read it: the query string decoded, and the
/// URL before the route (for `meta.location`).
struct Incoming<'a> {
    request: &'a HttpRequest,
    /// Scheme, authority and the path before the route.
    origin: String,
    query: HashMap<String, String>,
}

impl<'a> Incoming<'a> {
    fn new(request: &'a HttpRequest, prefix: String) -> Incoming<'a> {
        let uri = request.uri();
        let origin = match (uri.scheme_str(), uri.authority()) {
            (Some(scheme), Some(authority)) => format!("{scheme}://{authority}{prefix}"),
            _ => prefix,
        };
        Incoming {
            request,
            origin,
            query: parse_query(uri.query()),
        }
    }

    fn method(&self) -> &Method {
        self.request.method()
    }

    /// A header the SCIM 2.0 dialects read (`If-Match`, `If-None-Match`);
    /// Slack v1 has no ETags.
    fn v2_header(&self, rules: Behaviour, name: HeaderName) -> Option<&str> {
        let value = self.request.headers().get(name)?.to_str().ok();
        value.filter(|_| rules.v2())
    }

    fn json_body(&self) -> Result<Value, Failure> {
        serde_json::from_slice(self.request.body()).map_err(|e| {
            Failure::new(
                400,
                Some("invalidSyntax"),
                format!("the body is not JSON: {e}"),
            )
        })
    }
}

/// Serves `request` from `store`.
pub(crate) fn serve(
    store: &mut Store,
    rules: Behaviour,
    request: &HttpRequest,
) -> Result<Reply, Failure> {
    let (prefix, route) =
        parse_route(store, request.uri().path()).ok_or_else(|| Failure::not_found("endpoint"))?;
    let incoming = Incoming::new(request, prefix);
    match (route, incoming.method().clone()) {
        (Route::Collection(kind), Method::GET) => list(store, rules, kind, &incoming),
        (Route::Collection(kind), Method::POST) => create(store, rules, kind, &incoming),
        (Route::Search(kind), Method::POST) => search(store, rules, kind, &incoming),
        (Route::Resource(kind, id), _) => resource(store, rules, kind, &id, &incoming),
        (Route::Bulk, Method::POST) if rules.v2() => {
            bulk::process(store, request.body(), &incoming.origin)
        }
        (Route::ServiceProviderConfig, Method::GET) => Ok(Reply::json(
            200,
            discovery::service_provider_config(rules.dialect, store.paging()),
        )),
        (Route::Schemas(id), Method::GET) => schemas(id.as_deref()),
        (Route::ResourceTypes(id), Method::GET) => resource_types(store, id.as_deref()),
        (_, method) => Err(Failure::new(
            405,
            None,
            format!("{method} is not allowed on {}", request.uri().path()),
        )),
    }
}

/// `GET /{endpoint}`.
fn list(
    store: &Store,
    rules: Behaviour,
    kind: Kind,
    incoming: &Incoming,
) -> Result<Reply, Failure> {
    let query = Query::from_params(&incoming.query, rules.dialect, store.paging())?;
    let list = store.list(kind, &query)?;
    Ok(Reply::json(200, listed(store, rules, list)))
}

/// `POST /{endpoint}`.
fn create(
    store: &mut Store,
    rules: Behaviour,
    kind: Kind,
    incoming: &Incoming,
) -> Result<Reply, Failure> {
    let created = store.create_requested(kind, incoming.json_body()?, &incoming.origin)?;
    Ok(Reply::resource(201, created, rules.v2()))
}

/// `POST /{endpoint}/.search`, or `POST /.search` over every type.
fn search(
    store: &Store,
    rules: Behaviour,
    kind: Option<Kind>,
    incoming: &Incoming,
) -> Result<Reply, Failure> {
    let search: SearchRequest = serde_json::from_value(incoming.json_body()?).map_err(|e| {
        Failure::new(
            400,
            Some("invalidSyntax"),
            format!("not a SearchRequest: {e}"),
        )
    })?;
    let query = Query::from_search(&search, rules.dialect, store.paging())?;
    let list = match kind {
        Some(kind) => store.list(kind, &query)?,
        None => store.list_all(&query)?,
    };
    Ok(Reply::json(200, listed(store, rules, list)))
}

/// `/{endpoint}/{id}`, by method.
fn resource(
    store: &mut Store,
    rules: Behaviour,
    kind: Kind,
    id: &str,
    incoming: &Incoming,
) -> Result<Reply, Failure> {
    match *incoming.method() {
        Method::GET => read(store, rules, kind, id, incoming),
        Method::PUT => {
            let if_match = incoming.v2_header(rules, IF_MATCH);
            let replaced = store.replace(kind, id, incoming.json_body()?, if_match)?;
            Ok(Reply::resource(200, replaced, rules.v2()))
        }
        Method::PATCH => patch(store, rules, kind, id, incoming),
        Method::DELETE => delete(store, rules, kind, id, incoming),
        ref method => Err(Failure::new(
            405,
            None,
            format!("{method} is not allowed here"),
        )),
    }
}

/// `GET /{endpoint}/{id}`: 304 when `If-None-Match` names its version.
fn read(
    store: &Store,
    rules: Behaviour,
    kind: Kind,
    id: &str,
    incoming: &Incoming,
) -> Result<Reply, Failure> {
    let mut resource = store.read(kind, id)?;
    if kind == Kind::Groups && !rules.group_members_read {
        strip_members(&mut resource);
    }
    let version = version_of(&resource);
    let if_none_match = incoming.v2_header(rules, IF_NONE_MATCH);
    if if_none_match.is_some_and(|tag| tag == "*" || Some(tag) == version.as_deref()) {
        return Ok(Reply {
            etag: version,
            ..Reply::empty(304)
        });
    }
    let projection = Projection::from_params(&incoming.query);
    Ok(Reply::resource(200, projection.apply(resource), rules.v2()))
}

/// `PATCH /{endpoint}/{id}`: Slack v1 answers a user with it and a group
/// with 204; SCIM 2.0 answers 204, or the resource when `attributes` or
/// `excludedAttributes` ask for it.
fn patch(
    store: &mut Store,
    rules: Behaviour,
    kind: Kind,
    id: &str,
    incoming: &Incoming,
) -> Result<Reply, Failure> {
    let if_match = incoming.v2_header(rules, IF_MATCH);
    let patched = store.patch(kind, id, incoming.json_body()?, if_match)?;
    let projection = Projection::from_params(&incoming.query);
    match (rules.dialect, kind) {
        (Dialect::SlackV1, Kind::Users) => Ok(Reply::resource(200, patched, false)),
        (Dialect::SlackV1, Kind::Groups) => Ok(Reply::empty(204)),
        _ if projection.is_some() => Ok(Reply::resource(200, projection.apply(patched), true)),
        _ => Ok(Reply {
            etag: version_of(&patched),
            ..Reply::empty(204)
        }),
    }
}

/// `DELETE /{endpoint}/{id}`; a user is deactivated where the provider
/// does that (Slack v1 answers 200, v2 204).
fn delete(
    store: &mut Store,
    rules: Behaviour,
    kind: Kind,
    id: &str,
    incoming: &Incoming,
) -> Result<Reply, Failure> {
    if rules.users_deactivate && kind == Kind::Users {
        store.deactivate(id)?;
        return Ok(Reply::empty(if rules.v2() { 204 } else { 200 }));
    }
    store.delete(kind, id, incoming.v2_header(rules, IF_MATCH))?;
    Ok(Reply::empty(204))
}

/// `GET /Schemas`, or one schema by id or by its endpoint's name.
fn schemas(id: Option<&str>) -> Result<Reply, Failure> {
    let schemas = discovery::schemas();
    let Some(id) = id else {
        return Ok(Reply::json(200, discovery::list(schemas)));
    };
    schemas
        .into_iter()
        .find(|s| s["id"] == id || s["name"].as_str().is_some_and(|n| format!("{n}s") == id))
        .map(|s| Reply::json(200, s))
        .ok_or_else(|| Failure::not_found("schema"))
}

/// `GET /ResourceTypes` (users, groups and the types added to this
/// service), or one of them.
fn resource_types(store: &Store, id: Option<&str>) -> Result<Reply, Failure> {
    let mut types = discovery::resource_types();
    types.extend(store.custom_resource_types());
    let Some(id) = id else {
        return Ok(Reply::json(200, discovery::list(types)));
    };
    types
        .into_iter()
        .find(|t| t["id"] == id)
        .map(|t| Reply::json(200, t))
        .ok_or_else(|| Failure::not_found("resource type"))
}

/// A list answer as the provider sends it: without groups' `members` where
/// its group reads leave them out.
fn listed(store: &Store, rules: Behaviour, mut list: Value) -> Value {
    if rules.group_members_read {
        return list;
    }
    if let Some(Value::Array(resources)) = list.get_mut("Resources") {
        let groups = resources
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .filter(|r| {
                r.get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| store.is_group(id))
            });
        groups.for_each(strip_members);
    }
    list
}

/// Leaves `members` out of a group, as a provider whose group reads omit them.
fn strip_members(resource: &mut Map<String, Value>) {
    if let Some(key) = existing_key(resource, "members") {
        resource.remove(&key);
    }
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
