//! The SCIM `Group` resource and its members.

use super::object::scim_object;
use super::user::Meta;

scim_object! {
    /// A SCIM group (in Slack, an IdP group with an id starting `S`).
    pub struct Group {
        /// `schemas`: the schema URNs of this resource.
        "schemas" => schemas: Vec<String>,
        /// `id`: the provider's id. Read-only.
        "id" => id: String,
        /// `externalId`: the identity provider's own id for the group.
        "externalId" => external_id: String,
        /// `displayName`: the group's name. Required on create.
        "displayName" => display_name: String,
        /// `members`: the group's members.
        "members" => members: Vec<Member>,
        /// `meta`: resource metadata. Read-only.
        "meta" => meta: Meta,
    }
}

scim_object! {
    /// A member of a group.
    ///
    /// In a Slack v1 PATCH, a member with `"operation": "delete"` is removed
    /// and any other listed member is added: see [`Member::removal`].
    pub struct Member {
        /// `value`: the member's id.
        "value" => value: String,
        /// `display`: the member's name.
        "display" => display: String,
        /// `operation`: `"delete"` to remove this member in a v1 PATCH.
        "operation" => operation: String,
        /// `type`: `User` or `Group`.
        "type" => kind: String,
        /// `$ref`: the member's resource URI.
        "$ref" => reference: String,
    }
}

impl Member {
    /// A member to add in a v1 group PATCH: `{"value": id}`.
    pub fn addition(id: impl Into<String>) -> Member {
        Member {
            value: id.into().into(),
            ..Member::default()
        }
    }

    /// A member to remove in a v1 group PATCH: `{"value": id, "operation": "delete"}`.
    pub fn removal(id: impl Into<String>) -> Member {
        Member {
            value: id.into().into(),
            operation: "delete".into(),
            ..Member::default()
        }
    }
}
