//! Changes rendered in the provider's PATCH form
//! ([`PatchForm`](scim_client::provider::PatchForm)).
//!
//! Slack v1 takes a partial resource: `null` clears an attribute and an
//! item of a multi-valued attribute is removed with `"operation":
//! "delete"`; `externalId`, `password` and `profileUrl` cannot be PATCHed
//! (Slack SCIM v1 docs, `../shared/reference/providers.md` §2). Everything
//! else takes an RFC 7644 §3.5.2 `PatchOp`: `replace` to set, `remove` to
//! clear.

use scim_client::model::PatchOp;
use scim_client::provider::PatchForm;
use serde_json::{Map, Value};

use crate::plan::Change;

/// Attributes Slack v1's PATCH refuses.
const NOT_PATCHABLE_IN_PARTIAL_RESOURCE: [&str; 3] = ["externalId", "password", "profileUrl"];

/// Whether a provider with this PATCH form lets `path` be PATCHed.
pub(crate) fn patchable(form: PatchForm, path: &str) -> bool {
    match form {
        PatchForm::PartialResource => !NOT_PATCHABLE_IN_PARTIAL_RESOURCE.contains(&path),
        PatchForm::PatchOp { .. } => true,
    }
}

/// The PATCH body that makes `changes`.
pub(crate) fn render(form: PatchForm, changes: &[Change]) -> Value {
    match form {
        PatchForm::PartialResource => partial_resource(changes),
        PatchForm::PatchOp { .. } => patch_op(changes),
    }
}

fn partial_resource(changes: &[Change]) -> Value {
    let mut body = Map::new();
    for change in changes {
        let value = match (&change.value, &change.from) {
            (Some(Value::Array(new)), Some(Value::Array(old))) => {
                Value::Array(with_deletions(new.clone(), old, new))
            }
            (None, Some(Value::Array(old))) => Value::Array(with_deletions(Vec::new(), old, &[])),
            (Some(value), _) => value.clone(),
            (None, _) => Value::Null,
        };
        crate::plan::set_path(&mut body, &change.path, value);
    }
    Value::Object(body)
}

/// `items`, then each of `old` not in `new` marked `"operation": "delete"`.
fn with_deletions(mut items: Vec<Value>, old: &[Value], new: &[Value]) -> Vec<Value> {
    for item in old.iter().filter(|item| !new.contains(item)) {
        let mut item = item.clone();
        if let Value::Object(map) = &mut item {
            map.insert("operation".into(), Value::from("delete"));
        }
        items.push(item);
    }
    items
}

fn patch_op(changes: &[Change]) -> Value {
    let patch = changes
        .iter()
        .fold(PatchOp::new(), |patch, change| match &change.value {
            Some(value) => patch.replace(&change.path, value.clone()),
            None => patch.remove(&change.path),
        });
    // A PatchOp always serialises.
    serde_json::to_value(patch).unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(path: &str, value: Option<Value>, from: Option<Value>) -> Change {
        Change {
            path: path.into(),
            value,
            from,
        }
    }

    #[test]
    fn renders_each_form() {
        let emails_new = json!([{"value": "b@x.test", "primary": true}]);
        let emails_old = json!([{"value": "a@x.test", "primary": true}]);
        let changes = [
            change("title", Some(json!("Boss")), Some(json!("Dev"))),
            change("name.givenName", None, Some(json!("Ada"))),
            change("emails", Some(emails_new.clone()), Some(emails_old)),
        ];
        assert_eq!(
            render(PatchForm::PartialResource, &changes),
            json!({
                "title": "Boss",
                "name": {"givenName": null},
                "emails": [
                    {"value": "b@x.test", "primary": true},
                    {"value": "a@x.test", "primary": true, "operation": "delete"}
                ]
            })
        );
        let form = PatchForm::PatchOp {
            value_filter_paths: true,
        };
        assert_eq!(
            render(form, &changes),
            json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                "Operations": [
                    {"op": "replace", "path": "title", "value": "Boss"},
                    {"op": "remove", "path": "name.givenName"},
                    {"op": "replace", "path": "emails", "value": emails_new}
                ]
            })
        );
    }

    #[test]
    fn slack_v1_cannot_patch_external_ids() {
        assert!(!patchable(PatchForm::PartialResource, "externalId"));
        assert!(patchable(PatchForm::PartialResource, "title"));
        let form = PatchForm::PatchOp {
            value_filter_paths: false,
        };
        assert!(patchable(form, "externalId"));
    }
}
