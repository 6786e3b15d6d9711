//! The SCIM operations, as pure request builders on [`Endpoint`].
//!
//! The seed's twelve operations and `api_call` are here; SCIM 2.0 queries,
//! `.search`, Bulk and discovery are in the submodules.

mod bulk;
mod discovery;
mod query;

pub use bulk::BulkLimits;

use http::{HeaderMap, Method};
use serde::Serialize;
use serde_json::Value;

use crate::encoding::{push_encoded, push_query};
use crate::model::{Group, ListResponse, User};
use crate::operation::Operation;
use crate::response::ScimResponse;
use crate::{Endpoint, Error};

/// The largest `count` Slack serves in one page.
pub const MAX_COUNT: u32 = 1000;

/// Turns a non-2xx answer into a typed error.
pub(crate) fn success(response: ScimResponse) -> Result<ScimResponse, Error> {
    response.error_for_status()
}

fn parse_users(r: ScimResponse) -> Result<ListResponse<User>, Error> {
    success(r)?.users()
}
fn parse_groups(r: ScimResponse) -> Result<ListResponse<Group>, Error> {
    success(r)?.groups()
}
fn parse_user(r: ScimResponse) -> Result<User, Error> {
    let r = success(r)?;
    let mut user = r.user()?;
    fill_version(&mut user.meta, &r);
    Ok(user)
}
fn parse_group(r: ScimResponse) -> Result<Group, Error> {
    let r = success(r)?;
    let mut group = r.group()?;
    fill_version(&mut group.meta, &r);
    Ok(group)
}
/// A PATCH may answer 200 with the resource or 204 without one (RFC 7644 §3.5.2).
fn parse_patched_user(r: ScimResponse) -> Result<Option<User>, Error> {
    if r.is_success() && is_blank(r.body()) {
        Ok(None)
    } else {
        parse_user(r).map(Some)
    }
}
fn parse_patched_group(r: ScimResponse) -> Result<Option<Group>, Error> {
    if r.is_success() && is_blank(r.body()) {
        Ok(None)
    } else {
        parse_group(r).map(Some)
    }
}
fn parse_nothing(r: ScimResponse) -> Result<(), Error> {
    success(r).map(drop)
}
fn parse_any(r: ScimResponse) -> Result<ScimResponse, Error> {
    Ok(r)
}

fn is_blank(body: &[u8]) -> bool {
    body.iter().all(u8::is_ascii_whitespace)
}

/// A resource whose body carries no `meta.version` takes the answer's `ETag`
/// (RFC 7644 §3.14 allows either), so the version is always in one place.
fn fill_version(meta: &mut crate::model::Field<crate::model::Meta>, response: &ScimResponse) {
    let Some(etag) = response.etag() else { return };
    match meta {
        crate::model::Field::Value(meta) if meta.version.value().is_none() => {
            meta.version = etag.into()
        }
        crate::model::Field::Value(_) => {}
        absent_or_null => {
            *absent_or_null = crate::model::Meta {
                version: etag.into(),
                ..crate::model::Meta::default()
            }
            .into()
        }
    }
}

/// The SCIM operations of the Python SDK's `SCIMClient`, as pure builders.
///
/// Each returns the [`Operation`] for the call, or an error when an argument
/// is refused; nothing is sent. Ids are percent-encoded as exactly one path
/// segment, so no id can change which resource a request targets.
impl Endpoint {
    /// `GET /Users?startIndex=…&count=…&filter=…`: one page of users.
    ///
    /// `start_index` is 1-based and must be at least 1; `count` must be at
    /// most [`MAX_COUNT`]. Pass a filter string as Slack documents it
    /// (`userName eq "cal"`), or build one safely with [`crate::filter::Filter`]
    /// and pass its `to_string()`.
    pub fn search_users(
        &self,
        start_index: u32,
        count: u32,
        filter: Option<&str>,
    ) -> Result<Operation<ListResponse<User>>, Error> {
        self.search("Users", start_index, count, filter, parse_users)
    }

    /// `GET /Groups?startIndex=…&count=…&filter=…`: one page of groups.
    pub fn search_groups(
        &self,
        start_index: u32,
        count: u32,
        filter: Option<&str>,
    ) -> Result<Operation<ListResponse<Group>>, Error> {
        self.search("Groups", start_index, count, filter, parse_groups)
    }

    /// `GET /Users/{id}`.
    pub fn read_user(&self, id: &str) -> Result<Operation<User>, Error> {
        self.by_id(Method::GET, "Users", id, None, parse_user)
    }

    /// `GET /Groups/{id}`.
    pub fn read_group(&self, id: &str) -> Result<Operation<Group>, Error> {
        self.by_id(Method::GET, "Groups", id, None, parse_group)
    }

    /// `POST /Users`. Slack answers 201 with the created user.
    ///
    /// `user` is a [`User`] or any serialisable JSON object (a
    /// `serde_json::Value`, the caller's own struct). A body without
    /// `schemas` is sent with `["urn:scim:schemas:core:1.0"]`.
    pub fn create_user(&self, user: &impl Serialize) -> Result<Operation<User>, Error> {
        let body = self.resource_body(user, self.dialect().user_schema())?;
        self.at(Method::POST, "Users", Some(body), parse_user)
    }

    /// `POST /Groups`. Slack answers 201 with the created group.
    pub fn create_group(&self, group: &impl Serialize) -> Result<Operation<Group>, Error> {
        let body = self.resource_body(group, self.dialect().group_schema())?;
        self.at(Method::POST, "Groups", Some(body), parse_group)
    }

    /// `PATCH /Users/{id}` with a partial user: attributes present are
    /// overwritten, attributes set to [`Field::Null`](crate::model::Field::Null)
    /// are cleared. `None` means the service answered without a body (204).
    pub fn patch_user(
        &self,
        id: &str,
        partial_user: &impl Serialize,
    ) -> Result<Operation<Option<User>>, Error> {
        let body = self.resource_body(partial_user, self.dialect().user_schema())?;
        self.by_id(Method::PATCH, "Users", id, Some(body), parse_patched_user)
    }

    /// `PATCH /Groups/{id}` with a partial group. Slack answers 204, read as
    /// `None`. To remove members in v1, list them with
    /// [`Member::removal`](crate::model::Member::removal).
    pub fn patch_group(
        &self,
        id: &str,
        partial_group: &impl Serialize,
    ) -> Result<Operation<Option<Group>>, Error> {
        let body = self.resource_body(partial_group, self.dialect().group_schema())?;
        self.by_id(Method::PATCH, "Groups", id, Some(body), parse_patched_group)
    }

    /// `PUT /Users/{id}`, replacing every attribute; the id is the user's own `id`.
    ///
    /// Fails with [`Error::InvalidArgument`] when the user has no string `id`.
    pub fn update_user(&self, user: &impl Serialize) -> Result<Operation<User>, Error> {
        let (id, body) = self.resource_body_with_id("user", user, self.dialect().user_schema())?;
        self.by_id(Method::PUT, "Users", &id, Some(body), parse_user)
    }

    /// `PUT /Groups/{id}`, replacing every attribute; the id is the group's own `id`.
    pub fn update_group(&self, group: &impl Serialize) -> Result<Operation<Group>, Error> {
        let (id, body) =
            self.resource_body_with_id("group", group, self.dialect().group_schema())?;
        self.by_id(Method::PUT, "Groups", &id, Some(body), parse_group)
    }

    /// `DELETE /Users/{id}`. On Slack this deactivates the user; it is not
    /// erased, and deleting again succeeds.
    pub fn delete_user(&self, id: &str) -> Result<Operation<()>, Error> {
        self.by_id(Method::DELETE, "Users", id, None, parse_nothing)
    }

    /// `DELETE /Groups/{id}`. On Slack this removes the group for good (204).
    pub fn delete_group(&self, id: &str) -> Result<Operation<()>, Error> {
        self.by_id(Method::DELETE, "Groups", id, None, parse_nothing)
    }

    /// Any call, like the Python SDK's `api_call`: method, path below the
    /// base URL, query parameters (sent in the order given), optional JSON
    /// body, and extra headers that replace the standard ones of the same name.
    ///
    /// `path` is split on `/` and each segment percent-encoded, so
    /// `"Users/W 1"` requests `Users/W%201`; empty, `.` and `..` segments are
    /// refused. A JSON-object body without `schemas` gets the core schema.
    /// The answer is returned whatever its status: check it with
    /// [`ScimResponse::error_for_status`].
    pub fn api_call(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, &str)],
        body: Option<&Value>,
        headers: &HeaderMap,
    ) -> Result<Operation<ScimResponse>, Error> {
        let mut target = String::with_capacity(path.len() + 32);
        for (i, segment) in path.split('/').enumerate() {
            check_segment("path", segment)?;
            if i > 0 {
                target.push('/');
            }
            push_encoded(&mut target, segment);
        }
        if !query.is_empty() {
            target.push('?');
            push_query(&mut target, query.iter().copied());
        }
        // As in the Python SDK, a v1 body gets the core schema; a SCIM 2.0
        // body is sent as given, since the resource type is not known here.
        let body = match (body, self.dialect()) {
            (Some(b), crate::Dialect::SlackV1) => {
                Some(self.resource_body(b, crate::model::CORE_V1)?)
            }
            (Some(b), _) => Some(serde_json::to_vec(b).map_err(|e| Error::Encode(e.to_string()))?),
            (None, _) => None,
        };
        let request = self.request(method, &target, body, Some(headers))?;
        Ok(Operation::new(request, parse_any))
    }

    fn search<T: 'static>(
        &self,
        resource: &str,
        start_index: u32,
        count: u32,
        filter: Option<&str>,
        parse: fn(ScimResponse) -> Result<T, Error>,
    ) -> Result<Operation<T>, Error> {
        if start_index < 1 {
            return Err(Error::invalid(
                "start_index",
                "must be at least 1 (SCIM indexes are 1-based)",
            ));
        }
        if count > MAX_COUNT {
            return Err(Error::invalid(
                "count",
                format!("must be at most {MAX_COUNT}, got {count}"),
            ));
        }
        let (start, count) = (start_index.to_string(), count.to_string());
        let mut params = vec![("startIndex", start.as_str()), ("count", count.as_str())];
        if let Some(filter) = filter {
            params.push(("filter", filter));
        }
        let mut target = format!("{resource}?");
        push_query(&mut target, params);
        let request = self.request(Method::GET, &target, None, None)?;
        Ok(Operation::new(request, parse))
    }

    pub(crate) fn by_id<T: 'static>(
        &self,
        method: Method,
        resource: &str,
        id: &str,
        body: Option<Vec<u8>>,
        parse: fn(ScimResponse) -> Result<T, Error>,
    ) -> Result<Operation<T>, Error> {
        check_segment("id", id)?;
        let mut target = format!("{resource}/");
        push_encoded(&mut target, id);
        let request = self.request(method, &target, body, None)?;
        Ok(Operation::new(request, parse))
    }

    pub(crate) fn at<T: 'static>(
        &self,
        method: Method,
        resource: &str,
        body: Option<Vec<u8>>,
        parse: fn(ScimResponse) -> Result<T, Error>,
    ) -> Result<Operation<T>, Error> {
        let request = self.request(method, resource, body, None)?;
        Ok(Operation::new(request, parse))
    }

    /// Serialises a resource, adding the core schema when `schemas` is
    /// missing or `null`. The caller's value is not touched.
    pub(crate) fn resource_body(
        &self,
        resource: &impl Serialize,
        schema: &str,
    ) -> Result<Vec<u8>, Error> {
        let value = serde_json::to_value(resource).map_err(|e| Error::Encode(e.to_string()))?;
        to_body(with_default_schemas(value, schema))
    }

    fn resource_body_with_id(
        &self,
        name: &'static str,
        resource: &impl Serialize,
        schema: &str,
    ) -> Result<(String, Vec<u8>), Error> {
        let value = serde_json::to_value(resource).map_err(|e| Error::Encode(e.to_string()))?;
        let id = match value.get("id") {
            Some(Value::String(id)) => id.clone(),
            Some(_) => return Err(Error::invalid(name, "its `id` is not a string")),
            None => {
                return Err(Error::invalid(
                    name,
                    "it has no `id`; an update needs the id of the resource to replace",
                ));
            }
        };
        Ok((id, to_body(with_default_schemas(value, schema))?))
    }
}

/// Gives a body without `schemas` (or with `null`) the resource's schema.
/// In SCIM 2.0 the extensions the body carries are listed too (RFC 7643
/// §3.3); Slack v1 gets the core schema alone, as from the Python SDK.
fn with_default_schemas(mut value: Value, schema: &str) -> Value {
    if let Value::Object(map) = &mut value {
        if map.get("schemas").is_none_or(Value::is_null) {
            let mut schemas = vec![Value::from(schema)];
            if schema != crate::model::CORE_V1 {
                schemas.extend(
                    map.keys()
                        .filter(|key| key.starts_with("urn:"))
                        .map(|key| Value::from(key.as_str())),
                );
            }
            map.insert("schemas".to_owned(), Value::Array(schemas));
        }
    }
    value
}

pub(crate) fn to_body(value: Value) -> Result<Vec<u8>, Error> {
    if !value.is_object() {
        return Err(Error::invalid(
            "body",
            "a SCIM resource must serialise to a JSON object",
        ));
    }
    serde_json::to_vec(&value).map_err(|e| Error::Encode(e.to_string()))
}

/// Refuses path segments that would change the request's target.
pub(crate) fn check_segment(name: &'static str, segment: &str) -> Result<(), Error> {
    match segment {
        "" => Err(Error::invalid(
            name,
            "must not be empty (an empty segment would target the collection)",
        )),
        "." | ".." => Err(Error::invalid(
            name,
            format!("{segment:?} is a dot-segment and would change the request's target"),
        )),
        _ => Ok(()),
    }
}
