//! [`Operation`]: one SCIM call as a built request plus the parser for its answer.
//!
//! Every method here is pure: it checks its arguments, builds an
//! `http::Request<Vec<u8>>`, and pairs it with the function that turns the
//! service's `http::Response<Vec<u8>>` into a typed result. Sending is
//! someone else's job (a transport, or the caller's own HTTP stack).

use http::{HeaderMap, Method, Request};
use serde::Serialize;
use serde_json::Value;

use crate::encoding::{push_encoded, push_query};
use crate::model::{CORE_V1, Group, ListResponse, User};
use crate::response::ScimResponse;
use crate::{Endpoint, Error};

/// The largest `count` Slack serves in one page.
pub const MAX_COUNT: u32 = 1000;

/// One SCIM call: the request to send and how to read the answer.
///
/// ```
/// use scim_client::{BearerToken, Endpoint};
///
/// let endpoint = Endpoint::new(BearerToken::new("xoxp-1")?);
/// let op = endpoint.read_user("W123")?;
/// assert_eq!(op.request().uri(), "https://api.slack.com/scim/v1/Users/W123");
///
/// let answer = http::Response::builder()
///     .status(200)
///     .body(br#"{"id": "W123", "userName": "cal"}"#.to_vec())
///     .unwrap();
/// let user = op.parse_response(answer)?;
/// assert_eq!(user.user_name.as_deref(), Some("cal"));
/// # Ok::<(), scim_client::Error>(())
/// ```
#[must_use = "an operation does nothing until its request is sent"]
#[derive(Clone, Debug)]
pub struct Operation<T> {
    request: Request<Vec<u8>>,
    parse: fn(ScimResponse) -> Result<T, Error>,
}

impl<T> Operation<T> {
    /// The request to send. Send it as many times as retries need: it is
    /// the same every time.
    pub fn request(&self) -> &Request<Vec<u8>> {
        &self.request
    }

    /// The request, consuming the operation.
    pub fn into_request(self) -> Request<Vec<u8>> {
        self.request
    }

    /// Reads the service's answer: a 2xx body becomes `T`, any other status
    /// the typed [`Error::Api`] (except for [`Endpoint::api_call`], whose
    /// answer is returned whatever its status).
    pub fn parse_response(&self, response: http::Response<Vec<u8>>) -> Result<T, Error> {
        (self.parse)(ScimResponse::from(response))
    }
}

/// Turns a non-2xx answer into [`Error::Api`].
fn success(response: ScimResponse) -> Result<ScimResponse, Error> {
    response.error_for_status()
}

fn parse_users(r: ScimResponse) -> Result<ListResponse<User>, Error> {
    success(r)?.users()
}
fn parse_groups(r: ScimResponse) -> Result<ListResponse<Group>, Error> {
    success(r)?.groups()
}
fn parse_user(r: ScimResponse) -> Result<User, Error> {
    success(r)?.user()
}
fn parse_group(r: ScimResponse) -> Result<Group, Error> {
    success(r)?.group()
}
fn parse_patched_user(r: ScimResponse) -> Result<Option<User>, Error> {
    let r = success(r)?;
    if is_blank(r.body()) {
        Ok(None)
    } else {
        r.user().map(Some)
    }
}
fn parse_patched_group(r: ScimResponse) -> Result<Option<Group>, Error> {
    let r = success(r)?;
    if is_blank(r.body()) {
        Ok(None)
    } else {
        r.group().map(Some)
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
        let body = self.resource_body(user)?;
        self.at(Method::POST, "Users", Some(body), parse_user)
    }

    /// `POST /Groups`. Slack answers 201 with the created group.
    pub fn create_group(&self, group: &impl Serialize) -> Result<Operation<Group>, Error> {
        let body = self.resource_body(group)?;
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
        let body = self.resource_body(partial_user)?;
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
        let body = self.resource_body(partial_group)?;
        self.by_id(Method::PATCH, "Groups", id, Some(body), parse_patched_group)
    }

    /// `PUT /Users/{id}`, replacing every attribute; the id is the user's own `id`.
    ///
    /// Fails with [`Error::InvalidArgument`] when the user has no string `id`.
    pub fn update_user(&self, user: &impl Serialize) -> Result<Operation<User>, Error> {
        let (id, body) = self.resource_body_with_id("user", user)?;
        self.by_id(Method::PUT, "Users", &id, Some(body), parse_user)
    }

    /// `PUT /Groups/{id}`, replacing every attribute; the id is the group's own `id`.
    pub fn update_group(&self, group: &impl Serialize) -> Result<Operation<Group>, Error> {
        let (id, body) = self.resource_body_with_id("group", group)?;
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
        let body = body.map(|b| self.resource_body(b)).transpose()?;
        let request = self.request(method, &target, body, Some(headers))?;
        Ok(Operation {
            request,
            parse: parse_any,
        })
    }

    fn search<T>(
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
        Ok(Operation { request, parse })
    }

    fn by_id<T>(
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
        Ok(Operation { request, parse })
    }

    fn at<T>(
        &self,
        method: Method,
        resource: &str,
        body: Option<Vec<u8>>,
        parse: fn(ScimResponse) -> Result<T, Error>,
    ) -> Result<Operation<T>, Error> {
        let request = self.request(method, resource, body, None)?;
        Ok(Operation { request, parse })
    }

    /// Serialises a resource, adding the core schema when `schemas` is
    /// missing or `null`. The caller's value is not touched.
    fn resource_body(&self, resource: &impl Serialize) -> Result<Vec<u8>, Error> {
        let value = serde_json::to_value(resource).map_err(|e| Error::Encode(e.to_string()))?;
        to_body(with_default_schemas(value))
    }

    fn resource_body_with_id(
        &self,
        name: &'static str,
        resource: &impl Serialize,
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
        Ok((id, to_body(with_default_schemas(value))?))
    }
}

fn with_default_schemas(mut value: Value) -> Value {
    if let Value::Object(map) = &mut value {
        if map.get("schemas").is_none_or(Value::is_null) {
            map.insert("schemas".to_owned(), Value::from(vec![CORE_V1]));
        }
    }
    value
}

fn to_body(value: Value) -> Result<Vec<u8>, Error> {
    if !value.is_object() {
        return Err(Error::invalid(
            "body",
            "a SCIM resource must serialise to a JSON object",
        ));
    }
    serde_json::to_vec(&value).map_err(|e| Error::Encode(e.to_string()))
}

/// Refuses path segments that would change the request's target.
fn check_segment(name: &'static str, segment: &str) -> Result<(), Error> {
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
