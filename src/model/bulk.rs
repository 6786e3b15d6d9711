//! Bulk (RFC 7644 §3.7): many operations in one request, with `bulkId`
//! references between them.

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::error::ScimError;

/// The BulkRequest message URN.
pub const BULK_REQUEST: &str = "urn:ietf:params:scim:api:messages:2.0:BulkRequest";
/// The BulkResponse message URN.
pub const BULK_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:BulkResponse";

/// A Bulk request.
///
/// Operations may refer to resources created earlier in the same request
/// by `"bulkId:<id>"` ([`BulkRequest::reference`]):
///
/// ```
/// use scim_client::model::BulkRequest;
/// use serde_json::json;
///
/// let bulk = BulkRequest::new()
///     .post("/Users", "ada", json!({"userName": "ada"}))
///     .post("/Groups", "eng", json!({
///         "displayName": "engineers",
///         "members": [{"value": BulkRequest::reference("ada")}],
///     }))
///     .fail_on_errors(1);
/// assert_eq!(bulk.operations[1].data.as_ref().unwrap()["members"][0]["value"], "bulkId:ada");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkRequest {
    /// Always the BulkRequest URN when built here.
    pub schemas: Vec<String>,
    /// Stop after this many errors; absent means the service's default.
    #[serde(
        rename = "failOnErrors",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub fail_on_errors: Option<u32>,
    /// The operations, in order.
    #[serde(rename = "Operations")]
    pub operations: Vec<BulkOperation>,
    /// Members this type does not model, with their exact keys.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Default for BulkRequest {
    fn default() -> Self {
        BulkRequest::new()
    }
}

impl BulkRequest {
    /// An empty Bulk request.
    pub fn new() -> BulkRequest {
        BulkRequest {
            schemas: vec![BULK_REQUEST.to_owned()],
            fail_on_errors: None,
            operations: Vec::new(),
            extra: Map::new(),
        }
    }

    /// How to refer, inside this request, to the resource created by the
    /// operation with `bulk_id`.
    pub fn reference(bulk_id: &str) -> String {
        format!("bulkId:{bulk_id}")
    }

    /// Stops the service after `errors` failed operations.
    pub fn fail_on_errors(mut self, errors: u32) -> BulkRequest {
        self.fail_on_errors = Some(errors);
        self
    }

    /// Creates a resource at `path` (e.g. `/Users`) known in this request as `bulk_id`.
    pub fn post(self, path: &str, bulk_id: &str, data: impl Into<Value>) -> BulkRequest {
        self.push("POST", path, Some(bulk_id), Some(data.into()))
    }

    /// Replaces the resource at `path` (e.g. `/Users/2819c223`).
    pub fn put(self, path: &str, data: impl Into<Value>) -> BulkRequest {
        self.push("PUT", path, None, Some(data.into()))
    }

    /// Patches the resource at `path`; `data` is a PatchOp.
    pub fn patch(self, path: &str, data: impl Into<Value>) -> BulkRequest {
        self.push("PATCH", path, None, Some(data.into()))
    }

    /// Deletes the resource at `path`.
    pub fn delete(self, path: &str) -> BulkRequest {
        self.push("DELETE", path, None, None)
    }

    fn push(
        mut self,
        method: &str,
        path: &str,
        bulk_id: Option<&str>,
        data: Option<Value>,
    ) -> BulkRequest {
        self.operations.push(BulkOperation {
            method: method.to_owned(),
            bulk_id: bulk_id.map(str::to_owned),
            version: None,
            path: path.to_owned(),
            data,
            extra: Map::new(),
        });
        self
    }
}

/// One operation of a Bulk request.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkOperation {
    /// `POST`, `PUT`, `PATCH` or `DELETE`.
    pub method: String,
    /// The name other operations use to refer to what this one creates.
    #[serde(rename = "bulkId", default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// An ETag: the operation applies only to this version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The resource path, relative to the base URL (e.g. `/Users`).
    pub path: String,
    /// The body: a resource, or a PatchOp. A `null` sent is kept as `Some(Value::Null)`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub data: Option<Value>,
    /// Members this type does not model, with their exact keys.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A Bulk response: one result per operation the service processed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkResponse {
    /// The BulkResponse URN.
    #[serde(default)]
    pub schemas: Vec<String>,
    /// The results, in the order the operations were processed.
    #[serde(rename = "Operations", default)]
    pub operations: Vec<BulkOperationResponse>,
    /// Members this type does not model, with their exact keys.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The result of one Bulk operation.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkOperationResponse {
    /// The operation's method.
    pub method: String,
    /// The operation's `bulkId`, if it had one.
    #[serde(rename = "bulkId", default, skip_serializing_if = "Option::is_none")]
    pub bulk_id: Option<String>,
    /// The resource's new version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The resource's URI.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    /// The HTTP status of this operation, kept in the form it came in.
    pub status: BulkStatus,
    /// The body: a SCIM error for failed operations, sometimes the resource.
    /// A `null` sent is kept as `Some(Value::Null)`.
    #[serde(
        default,
        deserialize_with = "present",
        skip_serializing_if = "Option::is_none"
    )]
    pub response: Option<Value>,
    /// Members this type does not model, with their exact keys.
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A Bulk operation's status. RFC 7644 §3.7.3 writes it as a string
/// (`"status": "201"`); some services send the number. Either is read, and
/// written back the way it came.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BulkStatus {
    code: u16,
    as_text: bool,
}

impl BulkStatus {
    /// A status written as the RFC writes it, a string.
    pub fn new(code: u16) -> BulkStatus {
        BulkStatus {
            code,
            as_text: true,
        }
    }

    /// The HTTP status code.
    pub fn code(self) -> u16 {
        self.code
    }
}

impl std::fmt::Display for BulkStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.code)
    }
}

impl PartialEq<u16> for BulkStatus {
    /// Compares the code, whatever form it came in.
    fn eq(&self, code: &u16) -> bool {
        self.code == *code
    }
}

impl Serialize for BulkStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.as_text {
            serializer.collect_str(&self.code)
        } else {
            serializer.serialize_u16(self.code)
        }
    }
}

impl<'de> Deserialize<'de> for BulkStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let (code, as_text) = match Value::deserialize(deserializer)? {
            Value::Number(n) => (n.as_u64().and_then(|n| u16::try_from(n).ok()), false),
            // Read with spaces trimmed; written back as text only when it
            // reads back the same ("201"), else as the number (" 201", "0201").
            Value::String(s) => {
                let code: Option<u16> = s.trim().parse().ok();
                (code, code.is_some_and(|c| c.to_string() == s))
            }
            _ => (None, false),
        };
        code.map(|code| BulkStatus { code, as_text })
            .ok_or_else(|| serde::de::Error::custom("a bulk status must be an HTTP status code"))
    }
}

/// An optional member whose `null` is kept: present means `Some`, even `null`.
fn present<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(deserializer).map(Some)
}

impl BulkOperationResponse {
    /// True for a 2xx status.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status.code())
    }

    /// The SCIM error of a failed operation.
    pub fn error(&self) -> Option<ScimError> {
        self.response.as_ref().and_then(ScimError::from_json)
    }

    /// The id of the resource this operation created or changed, from `location`.
    pub fn resource_id(&self) -> Option<&str> {
        self.location
            .as_deref()
            .and_then(|l| l.trim_end_matches('/').rsplit('/').next())
    }
}
