//! Discovery (RFC 7643 §5–§7): what a service supports, its schemas and resource types.
//!
//! These describe the service; nothing in this crate gates a feature on
//! them. Slack, for one, says filtering is unsupported and supports it.

use super::object::scim_object;
use super::user::Meta;

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
        /// `authenticationSchemes`.
        "authenticationSchemes" => authentication_schemes: Vec<AuthenticationScheme>,
        /// `meta`.
        "meta" => meta: Meta,
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
