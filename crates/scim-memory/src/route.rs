//! Routing: where a request goes below the base URL ([`Route`]), and the
//! base path a request shows, for the rate table.
//!
//! The base URL is not configured: a route starts at the first path
//! segment the service knows (`Users`, `Groups`, an added type's endpoint,
//! `.search`, `Bulk`, discovery), so any base URL works.

use crate::encoding::percent_decode;
use crate::store::{Kind, Store};

/// Where a request is going, below the base URL.
#[derive(Debug, PartialEq)]
pub(crate) enum Route {
    /// `/{endpoint}`: list (GET) or create (POST).
    Collection(Kind),
    /// `/{endpoint}/{id}`: read, replace, patch, delete.
    Resource(Kind, String),
    /// `/{endpoint}/.search`, or `/.search` over every type.
    Search(Option<Kind>),
    /// `/Bulk`.
    Bulk,
    /// `/ServiceProviderConfig`, at the spellings the store serves.
    ServiceProviderConfig,
    /// `/Schemas`, or one schema.
    Schemas(Option<String>),
    /// `/ResourceTypes`, or one type.
    ResourceTypes(Option<String>),
}

/// Finds the route, and the URL prefix before it (for `meta.location`).
pub(crate) fn parse_route(store: &Store, path: &str) -> Option<(String, Route)> {
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

/// The base path as a request shows it, for the rate table: the path up to
/// the first segment the service routes, with a trailing `/`. A path it
/// cannot route is its own base: it names no endpoint.
pub(crate) fn base_path(store: &Store, path: &str) -> String {
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

/// The index of the first segment the service routes.
fn route_start(store: &Store, segments: &[&str]) -> Option<usize> {
    const FIXED: [&str; 4] = ["Bulk", ".search", "Schemas", "ResourceTypes"];
    segments.iter().position(|s| {
        FIXED.contains(s) || store.is_service_provider_config(s) || store.kind_at(s).is_some()
    })
}
