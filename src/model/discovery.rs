//! Discovery (RFC 7643 §5–§7): what a service supports, its schemas and resource types.
//!
//! These describe the service; nothing in this crate gates a feature on
//! them unless asked. Slack, for one, says filtering is unsupported and
//! supports it. Paging is the exception one asks for:
//! [`Endpoint::with_pagination_of`](crate::Endpoint::with_pagination_of)
//! takes RFC 9865 §4's `pagination` (cursors or indexes, the page cap).
//!
//! RFC 9967's `securityEvents.asyncRequest` ([`AsyncRequest`]) says whether
//! the service may answer `202 Accepted` and finish a request later: with
//! `long` it may do so for any request, unasked. The client reads a 202 as
//! [`Error::Accepted`](crate::Error::Accepted) whatever this says, so it
//! gates nothing; it tells a caller to expect them.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::object::scim_object;
use super::user::Meta;
use crate::provider::profile::Pagination;

scim_object! {
    /// `/ServiceProviderConfig` (Slack: `/ServiceProviderConfigs`).
    pub struct ServiceProviderConfig {
        /// `schemas`.
        "schemas" => schemas: Vec<String>,
        /// `documentationUri`.
        "documentationUri" => documentation_uri: String,
        /// `patch`: PATCH support.
        "patch" => patch: Supported,
        /// `bulk`: Bulk support and limits.
        "bulk" => bulk: BulkSupport,
        /// `filter`: filter support and the most results returned.
        "filter" => filter: FilterSupport,
        /// `changePassword`.
        "changePassword" => change_password: Supported,
        /// `sort`.
        "sort" => sort: Supported,
        /// `etag`.
        "etag" => etag: Supported,
        /// `pagination` (RFC 9865 §4): cursor and index support, the
        /// default method and page sizes. Optional; its absence says
        /// nothing, so RFC 7644's indexes are assumed.
        "pagination" => pagination: PaginationSupport,
        /// `securityEvents` (RFC 9967): Security Event Token support, and
        /// whether requests may be completed asynchronously.
        "securityEvents" => security_events: SecurityEvents,
        /// `authenticationSchemes`.
        "authenticationSchemes" => authentication_schemes: Vec<AuthenticationScheme>,
        /// `meta`.
        "meta" => meta: Meta,
    }
}

impl ServiceProviderConfig {
    /// How to page through lists, from `pagination` (RFC 9865 §4): cursors
    /// when `cursor` is true ([`Pagination::IndexAndCursor`] when `index`
    /// is true as well, so a walk follows the cursors), indexes when only
    /// `index` is. A missing flag is read from `defaultPaginationMethod`
    /// (`"cursor"` or `"index"`, any case). `None` when nothing is
    /// announced: RFC 9865 §4 makes `pagination` optional, and RFC 7644
    /// indexes are then the assumption.
    ///
    /// ```
    /// use scim_client::model::ServiceProviderConfig;
    /// use scim_client::provider::Pagination;
    ///
    /// let config: ServiceProviderConfig = serde_json::from_str(
    ///     r#"{"pagination": {"cursor": true, "index": false, "maxPageSize": 100}}"#,
    /// )?;
    /// assert_eq!(config.pagination_method(), Some(Pagination::Cursor));
    /// assert_eq!(config.max_page_size(), Some(100));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn pagination_method(&self) -> Option<Pagination> {
        let pagination = self.pagination.value()?;
        let default = pagination.default_pagination_method.as_deref();
        let announced = |flag: &crate::model::Field<bool>, method: &str| match flag.value() {
            Some(supported) => *supported,
            None => default.is_some_and(|d| d.eq_ignore_ascii_case(method)),
        };
        match (
            announced(&pagination.cursor, "cursor"),
            announced(&pagination.index, "index"),
        ) {
            (true, true) => Some(Pagination::IndexAndCursor),
            (true, false) => Some(Pagination::Cursor),
            (false, true) => Some(Pagination::Index),
            (false, false) => None,
        }
    }

    /// The largest page the service serves: the smaller of
    /// `pagination.maxPageSize` (RFC 9865 §4) and `filter.maxResults`
    /// (RFC 7643 §5), ignoring zeros (some services write 0 for "no
    /// limit"); a value past `u32::MAX` reads as `u32::MAX`.
    pub fn max_page_size(&self) -> Option<u32> {
        let pagination = self
            .pagination
            .value()
            .and_then(|p| p.max_page_size.value().copied());
        let filter = self
            .filter
            .value()
            .and_then(|f| f.max_results.value().copied());
        [pagination, filter]
            .into_iter()
            .flatten()
            .filter(|max| *max > 0)
            .min()
            .map(|max| u32::try_from(max).unwrap_or(u32::MAX))
    }
}

scim_object! {
    /// `pagination` of the service provider configuration (RFC 9865 §4):
    /// which ways of paging lists the service supports, and its page sizes.
    /// RFC 9865 §4 forbids reading an absent optional value as "no default"
    /// or "no limit"; each is a [`Field`](crate::model::Field) so absence
    /// stays visible.
    pub struct PaginationSupport {
        /// `cursor`: cursor pagination is supported (RFC 9865 §2).
        "cursor" => cursor: bool,
        /// `index`: `startIndex` pagination is supported (RFC 7644 §3.4.2.4).
        "index" => index: bool,
        /// `defaultPaginationMethod`: `"cursor"` or `"index"`, the method of
        /// a query that names neither (RFC 9865 §2.4).
        "defaultPaginationMethod" => default_pagination_method: String,
        /// `defaultPageSize`: the page size of a query without `count`.
        "defaultPageSize" => default_page_size: u64,
        /// `maxPageSize`: the largest `count` served.
        "maxPageSize" => max_page_size: u64,
        /// `cursorTimeout`: seconds a cursor stays valid; an older one is
        /// refused with `scimType` `expiredCursor` (RFC 9865 §2.1).
        "cursorTimeout" => cursor_timeout: u64,
    }
}

impl ServiceProviderConfig {
    /// `securityEvents.asyncRequest` (RFC 9967), when announced: whether
    /// the service may answer `202 Accepted` and finish later. `None`
    /// says nothing; RFC 9967's default is [`AsyncRequest::None`].
    ///
    /// ```
    /// use scim_client::model::{AsyncRequest, ServiceProviderConfig};
    ///
    /// let config: ServiceProviderConfig =
    ///     serde_json::from_str(r#"{"securityEvents": {"asyncRequest": "long"}}"#)?;
    /// assert_eq!(config.async_request(), Some(&AsyncRequest::Long));
    /// # Ok::<(), serde_json::Error>(())
    /// ```
    pub fn async_request(&self) -> Option<&AsyncRequest> {
        self.security_events.value()?.async_request.value()
    }
}

scim_object! {
    /// `securityEvents` of the service provider configuration (RFC 9967).
    /// Only `asyncRequest` is modelled; every other sub-attribute is kept
    /// in `extra` as sent.
    pub struct SecurityEvents {
        /// `asyncRequest`: whether and when the service completes requests
        /// asynchronously (`none`, `long`, `request`).
        "asyncRequest" => async_request: AsyncRequest,
    }
}

/// RFC 9967's `asyncRequest`: when the service may answer `202 Accepted`
/// with a `Set-Txn` and report completion later as an `asyncresp` Security
/// Event Token. Read in any case; an unknown value is kept as sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum AsyncRequest {
    /// `none`: every request is completed before the answer.
    None,
    /// `long`: the service may complete **any** request asynchronously, at
    /// its discretion, whether or not the client asked: expect a 202.
    Long,
    /// `request`: only when the client asks, with `Prefer: respond-async`
    /// ([`Operation::respond_async`](crate::Operation::respond_async)).
    Request,
    /// Any other value, kept exactly as sent.
    Other(String),
}

impl AsyncRequest {
    /// The value as written on the wire.
    pub fn as_str(&self) -> &str {
        match self {
            AsyncRequest::None => "none",
            AsyncRequest::Long => "long",
            AsyncRequest::Request => "request",
            AsyncRequest::Other(value) => value,
        }
    }

    /// True when a 202 may come to a request that did not ask for one
    /// (`long`).
    pub fn may_answer_unasked(&self) -> bool {
        *self == AsyncRequest::Long
    }
}

impl From<&str> for AsyncRequest {
    /// `none`, `long` and `request` in any case; anything else kept verbatim.
    fn from(value: &str) -> Self {
        [
            AsyncRequest::None,
            AsyncRequest::Long,
            AsyncRequest::Request,
        ]
        .into_iter()
        .find(|known| known.as_str().eq_ignore_ascii_case(value.trim()))
        .unwrap_or_else(|| AsyncRequest::Other(value.to_owned()))
    }
}

impl fmt::Display for AsyncRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for AsyncRequest {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for AsyncRequest {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <AsyncRequest as super::lenient::Lenient>::lenient(deserializer)
    }
}

impl super::lenient::Lenient for AsyncRequest {
    fn lenient<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = <String as super::lenient::Lenient>::lenient(deserializer)?;
        Ok(AsyncRequest::from(text.as_str()))
    }
}

scim_object! {
    /// Whether a feature is supported.
    pub struct Supported {
        /// `supported`.
        "supported" => supported: bool,
    }
}

scim_object! {
    /// Bulk support and its limits.
    pub struct BulkSupport {
        /// `supported`.
        "supported" => supported: bool,
        /// `maxOperations`: the most operations in one request.
        "maxOperations" => max_operations: u64,
        /// `maxPayloadSize`: the largest request body, in bytes.
        "maxPayloadSize" => max_payload_size: u64,
    }
}

scim_object! {
    /// Filter support.
    pub struct FilterSupport {
        /// `supported` (Slack says false; filtering works there).
        "supported" => supported: bool,
        /// `maxResults`: the most resources one answer holds.
        "maxResults" => max_results: u64,
    }
}

scim_object! {
    /// One way to authenticate.
    pub struct AuthenticationScheme {
        /// `type`, e.g. `oauthbearertoken`.
        "type" => kind: String,
        /// `name`.
        "name" => name: String,
        /// `description`.
        "description" => description: String,
        /// `specUri`.
        "specUri" => spec_uri: String,
        /// `documentationUri`.
        "documentationUri" => documentation_uri: String,
        /// `primary`.
        "primary" => primary: bool,
    }
}

scim_object! {
    /// A schema (`/Schemas`): the attributes of a resource or extension.
    pub struct Schema {
        /// `schemas`.
        "schemas" => schemas: Vec<String>,
        /// `id`: the schema's URN.
        "id" => id: String,
        /// `name`.
        "name" => name: String,
        /// `description`.
        "description" => description: String,
        /// `attributes`.
        "attributes" => attributes: Vec<SchemaAttribute>,
        /// `meta`.
        "meta" => meta: Meta,
    }
}

scim_object! {
    /// One attribute of a schema.
    pub struct SchemaAttribute {
        /// `name`.
        "name" => name: String,
        /// `type`: string, boolean, decimal, integer, dateTime, reference, complex, binary.
        "type" => kind: String,
        /// `multiValued`.
        "multiValued" => multi_valued: bool,
        /// `description`.
        "description" => description: String,
        /// `required`.
        "required" => required: bool,
        /// `canonicalValues`.
        "canonicalValues" => canonical_values: Vec<String>,
        /// `caseExact`.
        "caseExact" => case_exact: bool,
        /// `mutability`: readOnly, readWrite, immutable, writeOnly.
        "mutability" => mutability: String,
        /// `returned`: always, never, default, request.
        "returned" => returned: String,
        /// `uniqueness`: none, server, global.
        "uniqueness" => uniqueness: String,
        /// `referenceTypes`.
        "referenceTypes" => reference_types: Vec<String>,
        /// `subAttributes`, for complex attributes.
        "subAttributes" => sub_attributes: Vec<SchemaAttribute>,
    }
}

scim_object! {
    /// A resource type (`/ResourceTypes`): an endpoint and its schemas.
    pub struct ResourceType {
        /// `schemas`.
        "schemas" => schemas: Vec<String>,
        /// `id`.
        "id" => id: String,
        /// `name`, e.g. `User`.
        "name" => name: String,
        /// `endpoint`, e.g. `/Users`.
        "endpoint" => endpoint: String,
        /// `description`.
        "description" => description: String,
        /// `schema`: the core schema URN.
        "schema" => schema: String,
        /// `schemaExtensions`.
        "schemaExtensions" => schema_extensions: Vec<SchemaExtension>,
        /// `meta`.
        "meta" => meta: Meta,
    }
}

scim_object! {
    /// An extension a resource type allows.
    pub struct SchemaExtension {
        /// `schema`: the extension's URN.
        "schema" => schema: String,
        /// `required`.
        "required" => required: bool,
    }
}
