//! Bulk requests for the in-memory service (RFC 7644 §3.7).

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::Failure;
use crate::discovery::{BULK_MAX_OPERATIONS, BULK_MAX_PAYLOAD};
use crate::response::{Reply, scim_error};
use crate::route::{Route, parse_route};
use crate::store::{Store, version_of};
use scim_client::model::{BULK_RESPONSE, BulkOperation, BulkRequest};

/// Serves `POST /Bulk`: each operation in order, `bulkId:` references
/// resolved to the ids created before, until `failOnErrors` errors.
pub(crate) fn process(store: &mut Store, body: &[u8], origin: &str) -> Result<Reply, Failure> {
    if body.len() > BULK_MAX_PAYLOAD {
        return Err(Failure::new(
            413,
            None,
            format!("the payload exceeds {BULK_MAX_PAYLOAD} bytes"),
        ));
    }
    let request: BulkRequest = serde_json::from_slice(body).map_err(|e| {
        Failure::new(
            400,
            Some("invalidSyntax"),
            format!("not a BulkRequest: {e}"),
        )
    })?;
    if request.operations.len() > BULK_MAX_OPERATIONS {
        return Err(Failure::new(
            413,
            None,
            format!("more than {BULK_MAX_OPERATIONS} operations"),
        ));
    }
    let mut created: HashMap<String, String> = HashMap::new();
    let mut errors = 0;
    let mut results = Vec::new();
    for operation in &request.operations {
        if request.fail_on_errors.is_some_and(|limit| errors >= limit) {
            break;
        }
        let outcome = run(store, operation, &created, origin);
        if outcome.is_err() {
            errors += 1;
        }
        results.push(result_entry(operation, outcome, &mut created));
    }
    Ok(Reply::json(
        200,
        json!({"schemas": [BULK_RESPONSE], "Operations": results}),
    ))
}

/// One operation's entry in the `BulkResponse`; a resource it created is
/// remembered under its `bulkId` for the operations after it.
fn result_entry(
    operation: &BulkOperation,
    outcome: Outcome,
    created: &mut HashMap<String, String>,
) -> Value {
    let mut entry = json!({"method": operation.method, "status": ""});
    if let Some(bulk_id) = &operation.bulk_id {
        entry["bulkId"] = Value::from(bulk_id.as_str());
    }
    let resource = match outcome {
        Ok((status, resource)) => {
            entry["status"] = Value::from(status.to_string());
            resource
        }
        Err(failure) => {
            entry["status"] = Value::from(failure.status.to_string());
            entry["response"] = scim_error(&failure);
            None
        }
    };
    let Some(resource) = resource else {
        return entry;
    };
    let id = resource.get("id").and_then(Value::as_str);
    if let (Some(bulk_id), Some(id)) = (&operation.bulk_id, id) {
        created.insert(bulk_id.clone(), id.to_owned());
    }
    if let Some(location) = resource.get("meta").and_then(|m| m.get("location")) {
        entry["location"] = location.clone();
    }
    if let Some(version) = version_of(&resource) {
        entry["version"] = Value::from(version);
    }
    entry
}

type Outcome = Result<(u16, Option<serde_json::Map<String, Value>>), Failure>;

fn run(
    store: &mut Store,
    operation: &BulkOperation,
    created: &HashMap<String, String>,
    origin: &str,
) -> Outcome {
    let data = operation
        .data
        .clone()
        .map(|d| resolve(d, created))
        .transpose()?;
    let data = || {
        data.clone()
            .ok_or_else(|| Failure::new(400, Some("invalidSyntax"), "this operation needs data"))
    };
    let route = parse_route(store, &operation.path).map(|(_, route)| route);
    let if_match = operation.version.as_deref();
    match (operation.method.to_ascii_uppercase().as_str(), route) {
        ("POST", Some(Route::Collection(kind))) => {
            Ok((201, Some(store.create_requested(kind, data()?, origin)?)))
        }
        ("PUT", Some(Route::Resource(kind, id))) => {
            Ok((200, Some(store.replace(kind, &id, data()?, if_match)?)))
        }
        ("PATCH", Some(Route::Resource(kind, id))) => {
            Ok((200, Some(store.patch(kind, &id, data()?, if_match)?)))
        }
        ("DELETE", Some(Route::Resource(kind, id))) => {
            store.delete(kind, &id, if_match).map(|()| (204, None))
        }
        (method, _) => Err(Failure::new(
            400,
            Some("invalidValue"),
            format!("{method} {} is not a Bulk operation", operation.path),
        )),
    }
}

/// Replaces `"bulkId:<id>"` strings with the ids the operations created.
fn resolve(value: Value, created: &HashMap<String, String>) -> Result<Value, Failure> {
    Ok(match value {
        Value::String(s) => match s.strip_prefix("bulkId:") {
            Some(bulk_id) => match created.get(bulk_id) {
                Some(id) => Value::String(id.clone()),
                None => {
                    return Err(Failure::new(
                        409,
                        Some("invalidValue"),
                        format!("bulkId {bulk_id:?} is not (yet) created"),
                    ));
                }
            },
            None => Value::String(s),
        },
        Value::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|v| resolve(v, created))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| resolve(v, created).map(|v| (k, v)))
                .collect::<Result<_, _>>()?,
        ),
        other => other,
    })
}
