//! SCIM resources as Rust types: users, groups, their parts and extensions.
//!
//! Every attribute is a [`Field`] (absent, `null`, or a value) and every
//! object keeps the attributes it does not model in `extra`, with their exact
//! keys, so nothing a provider sends is lost on the way back.

mod bulk;
pub(crate) mod decode;
mod discovery;
mod extension;
mod field;
mod group;
pub(crate) mod lenient;
mod list;
pub(crate) mod object;
mod patch;
pub(crate) mod resource;
mod search;
mod user;

pub use bulk::{
    BULK_REQUEST, BULK_RESPONSE, BulkOperation, BulkOperationResponse, BulkRequest, BulkResponse,
    BulkStatus,
};
pub use discovery::{
    AsyncRequest, AuthenticationScheme, BulkSupport, FilterSupport, PaginationSupport,
    ResourceType, Schema, SchemaAttribute, SchemaExtension, SecurityEvents, ServiceProviderConfig,
    Supported,
};
pub use patch::{PATCH_OP, PatchOp, PatchOpKind, PatchOperation, PatchPath};
pub use search::{SEARCH_REQUEST, SearchRequest, SortOrder};

pub use decode::DecodeError;
pub use extension::{
    DOTTED_EXTENSION_URNS, ENTERPRISE_V1, ENTERPRISE_V2, EXTENSION_URNS, EnterpriseUser,
    GuestChannel, Manager, SLACK_GUEST_V1, SLACK_GUEST_V2, SLACK_PROFILE_V1, SLACK_PROFILE_V2,
    SlackGuest, SlackProfile,
};
pub use field::Field;
pub use group::{Group, Member};
pub(crate) use list::in_page_order;
pub use list::{ListResponse, ResourceFailure, ResourcesSent};
pub use resource::Resource;
pub use user::{Address, GroupRef, Meta, Name, TypedValue, User};

/// The SCIM 1.1 core schema URN Slack's v1 API expects in every body.
pub const CORE_V1: &str = "urn:scim:schemas:core:1.0";
/// The RFC 7643 core User schema URN.
pub const USER_V2: &str = "urn:ietf:params:scim:schemas:core:2.0:User";
/// The RFC 7643 core Group schema URN.
pub const GROUP_V2: &str = "urn:ietf:params:scim:schemas:core:2.0:Group";
/// The RFC 7644 list response message URN.
pub const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";
/// The RFC 7644 error message URN.
pub const ERROR: &str = "urn:ietf:params:scim:api:messages:2.0:Error";
