//! The SCIM operations, as pure request builders on [`Endpoint`].
//!
//! Every resource type goes through one generic path ([`Resource`]):
//! `query`, `read`, `create`, `patch`, `update`, `delete` here and
//! `search_post` in [`query`]. The Python SDK's named operations
//! (`search_users`, `read_user`, …) are one-line wrappers over it, so limits
//! and checks have one home. Bulk and discovery are in the submodules.

use http::{HeaderMap, Method};
use serde::Serialize;
use serde_json::Value;

use crate::model::resource::Resource;
use crate::model::{Field, Group, ListResponse, Meta, SearchRequest, User};
use crate::request::accepted::Accepted;
use crate::request::encoding::{push_encoded, push_query};
use crate::request::operation::Operation;
use crate::request::response::ScimResponse;
use crate::secrets::Secrets;
use crate::{Endpoint, Error};

/// Turns a non-2xx answer into a typed error, and a 202 into
/// [`Error::Accepted`]: a request taken for asynchronous processing has no
/// result yet, whatever the body (RFC 9967; see [`Accepted`]).
pub(crate) fn success(response: ScimResponse) -> Result<ScimResponse, Error> {
    if let Some(accepted) = Accepted::from_response(&response) {
        return Err(Error::Accepted(Box::new(accepted)));
    }
    response.error_for_status()
}

/// The parser of the page answering `query`, through the one list reader
/// ([`ScimResponse::page`]). A resource that cannot be decoded is kept
/// with the request's credentials scrubbed from it, should the server have
/// echoed them.
pub(crate) fn parse_list<R: Resource>(
    query: &SearchRequest,
    secrets: Secrets,
) -> impl Fn(ScimResponse) -> Result<ListResponse<R>, Error> + Send + Sync + 'static {
    let asked = query.paging();
    move |r| {
        let mut page = success(r)?.page::<R>(&asked)?;
        page.failed.iter_mut().for_each(|f| f.scrub(&secrets));
        Ok(page)
    }
}

fn parse_resource<R: Resource>(r: ScimResponse) -> Result<R, Error> {
    let r = success(r)?;
    let mut resource: R = r.parse()?;
    if let (Some(meta), Some(etag)) = (resource.meta_mut(), r.etag()) {
        fill_version(meta, etag);
    }
    Ok(resource)
}

/// A PATCH may answer 200 with the resource or 204 without one (RFC 7644
/// §3.5.2); a 202 without one is not done yet ([`Error::Accepted`]).
fn parse_patched<R: Resource>(r: ScimResponse) -> Result<Option<R>, Error> {
    let r = success(r)?;
    if is_blank(r.body()) {
        Ok(None)
    } else {
        parse_resource(r).map(Some)
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
fn fill_version(meta: &mut Field<Meta>, etag: &str) {
    match meta {
        Field::Value(meta) if meta.version.value().is_none() => meta.version = etag.into(),
        Field::Value(_) => {}
        absent_or_null => {
            *absent_or_null = Meta {
                version: etag.into(),
                ..Meta::default()
            }
            .into()
        }
    }
}

/// Any resource type's operations: the one path every request takes.
///
/// Each returns the [`Operation`] for the call, or an error when an argument
/// is refused; nothing is sent. Ids are percent-encoded as exactly one path
/// segment, so no id can change which resource a request targets.
impl Endpoint {
    /// `GET /{endpoint}` with filter, sorting, paging and attribute selection
    /// (RFC 7644 §3.4.2), by index or by cursor (RFC 9865 §2). `startIndex`
    /// must be at least 1, `count` within the dialect's limit
    /// ([`Dialect::max_count`](crate::Dialect::max_count)), and a `cursor`
    /// is never sent with a `startIndex` nor longer than
    /// [`SearchRequest::MAX_CURSOR_LEN`].
    pub fn query<R: Resource>(
        &self,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<R>>, Error> {
        self.dialect().check_query(query)?;
        let mut target = R::ENDPOINT.to_owned();
        let params = query.query_params();
        if !params.is_empty() {
            target.push('?');
            push_query(
                &mut target,
                params.iter().map(|(name, value)| (*name, value.as_str())),
            );
        }
        let request = self.request(Method::GET, &target, None, None)?;
        Ok(Operation::new(
            request,
            parse_list::<R>(query, self.secrets()),
        ))
    }

    /// `GET /{endpoint}/{id}`.
    pub fn read<R: Resource>(&self, id: &str) -> Result<Operation<R>, Error> {
        self.by_id(Method::GET, R::ENDPOINT, id, None, parse_resource::<R>)
    }

    /// `POST /{endpoint}`: `resource` is an `R` or any serialisable JSON
    /// object (a `serde_json::Value`, the caller's own struct). A body
    /// without `schemas` is sent with [`Resource::schema`].
    pub fn create<R: Resource>(&self, resource: &impl Serialize) -> Result<Operation<R>, Error> {
        let body = self.resource_body(resource, R::schema(self.dialect()))?;
        self.at(Method::POST, R::ENDPOINT, Some(body), parse_resource::<R>)
    }

    /// `PATCH /{endpoint}/{id}` with `body` as given: a partial resource on
    /// Slack v1, a [`PatchOp`](crate::model::PatchOp) on SCIM 2.0 (write
    /// either with [`PatchChanges`](crate::provider::patch::PatchChanges)). A
    /// body in the other form is refused with [`Error::InvalidArgument`]
    /// before anything is sent: every PATCH passes here, so none reaches a
    /// service in a form it would misread. `None` means the service
    /// answered without a body (204).
    pub fn patch<R: Resource>(
        &self,
        id: &str,
        body: &impl Serialize,
    ) -> Result<Operation<Option<R>>, Error> {
        let value = serde_json::to_value(body).map_err(|e| Error::Encode(e.to_string()))?;
        crate::provider::patch::check_form(self.dialect(), &value)?;
        let body = to_body(with_default_schemas(value, R::schema(self.dialect())))?;
        self.by_id(
            Method::PATCH,
            R::ENDPOINT,
            id,
            Some(body),
            parse_patched::<R>,
        )
    }

    /// `PUT /{endpoint}/{id}`, replacing every attribute; the id is the
    /// resource's own `id`. Fails with [`Error::InvalidArgument`] when the
    /// resource has no string `id`.
    pub fn update<R: Resource>(&self, resource: &impl Serialize) -> Result<Operation<R>, Error> {
        let (id, body) = self.resource_body_with_id(resource, R::schema(self.dialect()))?;
        self.by_id(
            Method::PUT,
            R::ENDPOINT,
            &id,
            Some(body),
            parse_resource::<R>,
        )
    }

    /// `DELETE /{endpoint}/{id}`.
    pub fn delete<R: Resource>(&self, id: &str) -> Result<Operation<()>, Error> {
        self.by_id(Method::DELETE, R::ENDPOINT, id, None, parse_nothing)
    }
}

/// The Python SDK's `SCIMClient` operations, by their names: each is the
/// generic operation for [`User`] or [`Group`].
impl Endpoint {
    /// `GET /Users`: one page of users. The seed's keyword arguments are the
    /// query's builder methods, so they cannot be swapped:
    ///
    /// ```
    /// use scim_client::model::SearchRequest;
    /// # let endpoint = scim_client::Endpoint::new(scim_client::BearerToken::new("t")?);
    /// let op = endpoint.search_users(
    ///     &SearchRequest::new().start_index(1).count(100).filter(r#"userName eq "cal""#),
    /// )?;
    /// assert!(op.request().uri().query().unwrap().starts_with("startIndex=1&count=100&filter="));
    /// # Ok::<(), scim_client::Error>(())
    /// ```
    pub fn search_users(
        &self,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<User>>, Error> {
        self.query(query)
    }

    /// `GET /Groups`: one page of groups.
    pub fn search_groups(
        &self,
        query: &SearchRequest,
    ) -> Result<Operation<ListResponse<Group>>, Error> {
        self.query(query)
    }

    /// `GET /Users/{id}`.
    pub fn read_user(&self, id: &str) -> Result<Operation<User>, Error> {
        self.read(id)
    }

    /// `GET /Groups/{id}`.
    pub fn read_group(&self, id: &str) -> Result<Operation<Group>, Error> {
        self.read(id)
    }

    /// `POST /Users`. Slack answers 201 with the created user. A body without
    /// `schemas` gets `["urn:scim:schemas:core:1.0"]` on Slack v1.
    pub fn create_user(&self, user: &impl Serialize) -> Result<Operation<User>, Error> {
        self.create(user)
    }

    /// `POST /Groups`. Slack answers 201 with the created group.
    pub fn create_group(&self, group: &impl Serialize) -> Result<Operation<Group>, Error> {
        self.create(group)
    }

    /// `PATCH /Users/{id}` with a partial user (Slack v1: attributes present
    /// are overwritten, [`Field::Null`] clears) or a `PatchOp` (SCIM 2.0):
    /// a [`UserPatch`](crate::provider::UserPatch), whose type says its form. A body
    /// in the form the dialect does not take is [`Error::InvalidArgument`],
    /// nothing sent.
    ///
    /// ```
    /// use scim_client::model::{PatchOp, User};
    /// use scim_client::{BearerToken, Endpoint, Error};
    ///
    /// let slack_v1 = Endpoint::new(BearerToken::new("xoxp-1")?);
    /// let partial = User { title: "Lead".into(), ..User::default() };
    /// assert!(slack_v1.patch_user("W1", &partial).is_ok());
    /// let patch_op = PatchOp::new().replace("title", "Lead");
    /// assert!(matches!(slack_v1.patch_user("W1", &patch_op), Err(Error::InvalidArgument { .. })));
    /// let scim2 = scim_client::ClientOptions::scim2("https://scim.example.com/v2").endpoint("t")?;
    /// assert!(scim2.patch_user("u1", &patch_op).is_ok());
    /// assert!(matches!(scim2.patch_user("u1", &partial), Err(Error::InvalidArgument { .. })));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn patch_user(
        &self,
        id: &str,
        patch: &impl crate::provider::UserPatch,
    ) -> Result<Operation<Option<User>>, Error> {
        self.patch(id, patch)
    }

    /// `PATCH /Groups/{id}`. Slack answers 204, read as `None`. To remove
    /// members in v1, list them with [`Member::removal`](crate::model::Member::removal).
    pub fn patch_group(
        &self,
        id: &str,
        partial_group: &impl Serialize,
    ) -> Result<Operation<Option<Group>>, Error> {
        self.patch(id, partial_group)
    }

    /// `PUT /Users/{id}`, the id taken from the user.
    pub fn update_user(&self, user: &impl Serialize) -> Result<Operation<User>, Error> {
        self.update(user)
    }

    /// `PUT /Groups/{id}`, the id taken from the group.
    pub fn update_group(&self, group: &impl Serialize) -> Result<Operation<Group>, Error> {
        self.update(group)
    }

    /// `DELETE /Users/{id}`. On Slack this deactivates the user; it is not
    /// erased, and deleting again succeeds.
    pub fn delete_user(&self, id: &str) -> Result<Operation<()>, Error> {
        self.delete::<User>(id)
    }

    /// `DELETE /Groups/{id}`. On Slack this removes the group for good (204).
    pub fn delete_group(&self, id: &str) -> Result<Operation<()>, Error> {
        self.delete::<Group>(id)
    }
}

impl Endpoint {
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
        crate::request::endpoint::check_extra_headers(headers)?;
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
        resource: &impl Serialize,
        schema: &str,
    ) -> Result<(String, Vec<u8>), Error> {
        const NAME: &str = "resource";
        let value = serde_json::to_value(resource).map_err(|e| Error::Encode(e.to_string()))?;
        let id = match value.get("id") {
            Some(Value::String(id)) => id.clone(),
            Some(_) => return Err(Error::invalid(NAME, "its `id` is not a string")),
            None => {
                return Err(Error::invalid(
                    NAME,
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
