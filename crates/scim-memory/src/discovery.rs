//! The discovery documents the in-memory service serves.

use serde_json::{Value, json};

use crate::store::Paging;
use scim_client::Dialect;
use scim_client::model::{ENTERPRISE_V2, GROUP_V2, LIST_RESPONSE, USER_V2};

/// The most resources one page holds, and the Bulk limits announced.
pub(crate) const MAX_RESULTS: usize = 1000;
pub(crate) const BULK_MAX_OPERATIONS: usize = 1000;
pub(crate) const BULK_MAX_PAYLOAD: usize = 1024 * 1024;

/// `/ServiceProviderConfig`; a profile's service also announces its
/// pagination (RFC 9865 §4) and its page cap as `filter.maxResults`.
pub(crate) fn service_provider_config(dialect: Dialect, paging: &Paging) -> Value {
    let v2 = dialect != Dialect::SlackV1;
    let mut config = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "documentationUri": "https://docs.rs/scim-client",
        "patch": {"supported": true},
        "bulk": {"supported": v2, "maxOperations": BULK_MAX_OPERATIONS, "maxPayloadSize": BULK_MAX_PAYLOAD},
        "filter": {"supported": true, "maxResults": MAX_RESULTS},
        "changePassword": {"supported": false},
        "sort": {"supported": true},
        "etag": {"supported": v2},
        "authenticationSchemes": [{
            "type": "oauthbearertoken",
            "name": "OAuth Bearer Token",
            "description": "Any bearer token is accepted by the in-memory service",
            "primary": true
        }]
    });
    if paging.announced {
        config["filter"]["maxResults"] = Value::from(paging.max_page_size);
        config["pagination"] = json!({
            "cursor": paging.cursor,
            "index": paging.index,
            "defaultPaginationMethod": if paging.index { "index" } else { "cursor" },
            "defaultPageSize": paging.default_page_size,
            "maxPageSize": paging.max_page_size,
        });
    }
    config
}

fn attribute(
    name: &str,
    kind: &str,
    multi_valued: bool,
    sub_attributes: Option<Vec<Value>>,
) -> Value {
    let mut attribute = json!({
        "name": name, "type": kind, "multiValued": multi_valued, "required": name == "userName",
        "caseExact": false, "mutability": "readWrite", "returned": "default",
        "uniqueness": if name == "userName" { "server" } else { "none" }
    });
    if let Some(subs) = sub_attributes {
        attribute["subAttributes"] = Value::Array(subs);
    }
    attribute
}

fn strings(names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|n| attribute(n, "string", false, None))
        .collect()
}

fn multi_valued(name: &str) -> Value {
    let mut subs = strings(&["value", "type", "display"]);
    subs.push(attribute("primary", "boolean", false, None));
    attribute(name, "complex", true, Some(subs))
}

pub(crate) fn schemas() -> Vec<Value> {
    let mut user_attributes = strings(&[
        "userName",
        "displayName",
        "nickName",
        "profileUrl",
        "title",
        "userType",
        "preferredLanguage",
        "locale",
        "timezone",
        "externalId",
    ]);
    user_attributes.push(attribute(
        "name",
        "complex",
        false,
        Some(strings(&[
            "formatted",
            "familyName",
            "givenName",
            "middleName",
            "honorificPrefix",
            "honorificSuffix",
        ])),
    ));
    user_attributes.push(attribute("active", "boolean", false, None));
    for name in [
        "emails",
        "phoneNumbers",
        "ims",
        "photos",
        "entitlements",
        "roles",
        "x509Certificates",
    ] {
        user_attributes.push(multi_valued(name));
    }
    user_attributes.push(attribute(
        "addresses",
        "complex",
        true,
        Some(strings(&[
            "formatted",
            "streetAddress",
            "locality",
            "region",
            "postalCode",
            "country",
            "type",
        ])),
    ));
    user_attributes.push(attribute(
        "groups",
        "complex",
        true,
        Some(strings(&["value", "$ref", "display", "type"])),
    ));
    let mut enterprise = strings(&[
        "employeeNumber",
        "costCenter",
        "organization",
        "division",
        "department",
    ]);
    enterprise.push(attribute(
        "manager",
        "complex",
        false,
        Some(strings(&["value", "$ref", "displayName", "managerId"])),
    ));
    let group_attributes = vec![
        attribute("displayName", "string", false, None),
        attribute(
            "members",
            "complex",
            true,
            Some(strings(&["value", "$ref", "display", "type"])),
        ),
    ];
    vec![
        json!({"id": USER_V2, "name": "User", "description": "User Account", "attributes": user_attributes}),
        json!({"id": GROUP_V2, "name": "Group", "description": "Group", "attributes": group_attributes}),
        json!({"id": ENTERPRISE_V2, "name": "EnterpriseUser", "description": "Enterprise User", "attributes": enterprise}),
    ]
}

pub(crate) fn resource_types() -> Vec<Value> {
    vec![
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "User", "name": "User", "endpoint": "/Users", "description": "User Account", "schema": USER_V2,
            "schemaExtensions": [{"schema": ENTERPRISE_V2, "required": false}]
        }),
        json!({
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ResourceType"],
            "id": "Group", "name": "Group", "endpoint": "/Groups", "description": "Group", "schema": GROUP_V2
        }),
    ]
}

/// Wraps documents in a ListResponse.
pub(crate) fn list(resources: Vec<Value>) -> Value {
    json!({"schemas": [LIST_RESPONSE], "totalResults": resources.len(), "itemsPerPage": resources.len(), "startIndex": 1, "Resources": resources})
}
