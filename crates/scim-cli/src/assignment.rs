//! [`Assignment`]: `--set path=value`, and the PATCH body a list of them
//! makes in the profile's form.
//!
//! - [`PatchForm::PatchOp`] (RFC 7644 §3.5.2): one `replace` per
//!   assignment at its path, a `remove` for `null`.
//! - [`PatchForm::PartialResource`] (Slack v1): one object holding the new
//!   values, `null` clearing. A sub-attribute (`name.givenName`) is sent
//!   inside its whole complex attribute, merged into the current one, since
//!   a partial resource replaces what it names.
//!
//! ```
//! use scim_cli::assignment::{Assignment, patch_body};
//! use scim_client::provider::PatchForm;
//!
//! let set = [Assignment::parse("title=Analyst")?, Assignment::parse("active=false")?];
//! let body = patch_body(PatchForm::PartialResource, &set, None);
//! assert_eq!(body, serde_json::json!({"title": "Analyst", "active": false}));
//! # Ok::<(), scim_cli::CliError>(())
//! ```

use serde_json::{Map, Value};

use scim_client::filter::AttrPath;
use scim_client::model::PatchOp;
use scim_client::provider::PatchForm;

use crate::error::CliError;

/// One attribute's new value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Assignment {
    /// An attribute path: `title`, `name.givenName`, or URN-qualified.
    pub path: String,
    /// The value; `null` clears.
    pub value: Value,
}

impl Assignment {
    /// `path=value` from `--set`: `true`, `false` and `null` are JSON
    /// literals, anything else a string (use [`parse_json`](Self::parse_json)
    /// for numbers, lists, or the string `"true"`).
    pub(crate) fn parse(text: &str) -> Result<Assignment, CliError> {
        let (path, value) = split(text, "--set")?;
        let value = match value {
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "null" => Value::Null,
            text => Value::String(text.to_owned()),
        };
        Ok(Assignment { path, value })
    }

    /// `path=JSON` from `--set-json`.
    pub(crate) fn parse_json(text: &str) -> Result<Assignment, CliError> {
        let (path, value) = split(text, "--set-json")?;
        let value = serde_json::from_str(value).map_err(|e| {
            CliError::usage(format!("--set-json {path}: the value is not JSON: {e}"))
        })?;
        Ok(Assignment { path, value })
    }

    fn attr(&self) -> AttrPath {
        AttrPath::new(&self.path)
    }
}

/// `path=value` split at the first `=`, the path checked.
fn split<'a>(text: &'a str, flag: &str) -> Result<(String, &'a str), CliError> {
    let (path, value) = text
        .split_once('=')
        .ok_or_else(|| CliError::usage(format!("{flag} takes path=value, not {text:?}")))?;
    AttrPath::parse(path)
        .map_err(|e| CliError::usage(format!("{flag}: {path:?} is not an attribute path: {e}")))?;
    Ok((path.to_owned(), value))
}

/// True when the body needs the resource's current JSON: a partial
/// resource setting a sub-attribute.
pub(crate) fn needs_current(form: PatchForm, assignments: &[Assignment]) -> bool {
    form == PatchForm::PartialResource && assignments.iter().any(|a| a.attr().sub_attr.is_some())
}

/// The PATCH body setting `assignments` in `form`; `current` is the
/// resource as it is (see [`needs_current`]).
pub(crate) fn patch_body(
    form: PatchForm,
    assignments: &[Assignment],
    current: Option<&Value>,
) -> Value {
    match form {
        PatchForm::PatchOp { .. } => {
            let patch = assignments.iter().fold(PatchOp::new(), |patch, a| {
                if a.value.is_null() {
                    patch.remove(&a.path)
                } else {
                    patch.replace(&a.path, a.value.clone())
                }
            });
            serde_json::to_value(patch).unwrap_or(Value::Null)
        }
        PatchForm::PartialResource => {
            let mut partial = Map::new();
            for assignment in assignments {
                set_partial(&mut partial, assignment, current);
            }
            Value::Object(partial)
        }
    }
}

/// Puts one assignment into a partial resource.
fn set_partial(partial: &mut Map<String, Value>, assignment: &Assignment, current: Option<&Value>) {
    let attr = assignment.attr();
    let extension = attr
        .urn
        .as_deref()
        .filter(|urn| !urn.to_ascii_lowercase().contains(":core:"));
    match extension {
        Some(urn) => {
            let now = current.and_then(|c| c.get(urn));
            if let Some(object) = object_entry(partial, urn, current) {
                set_attribute(object, &attr, &assignment.value, now);
            }
        }
        None => set_attribute(partial, &attr, &assignment.value, current),
    }
}

/// Sets `attr` (or its sub-attribute, inside the whole complex value) in `target`.
fn set_attribute(
    target: &mut Map<String, Value>,
    attr: &AttrPath,
    value: &Value,
    now: Option<&Value>,
) {
    let Some(sub) = &attr.sub_attr else {
        target.insert(attr.name.clone(), value.clone());
        return;
    };
    if let Some(complex) = object_entry(target, &attr.name, now) {
        match value {
            Value::Null => complex.remove(sub),
            value => complex.insert(sub.clone(), value.clone()),
        };
    }
}

/// The object at `key` in `map`, started from `now`'s value at `key` (or
/// empty) when not there yet; a value that is not an object is replaced.
fn object_entry<'a>(
    map: &'a mut Map<String, Value>,
    key: &str,
    now: Option<&Value>,
) -> Option<&'a mut Map<String, Value>> {
    let slot = map
        .entry(key.to_owned())
        .or_insert_with(|| now.and_then(|n| n.get(key)).cloned().unwrap_or_default());
    if !slot.is_object() {
        *slot = Value::Object(Map::new());
    }
    slot.as_object_mut()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(texts: &[&str]) -> Vec<Assignment> {
        texts
            .iter()
            .map(|t| Assignment::parse(t).unwrap())
            .collect()
    }

    #[test]
    fn literals_are_json_and_everything_else_a_string() {
        assert_eq!(
            Assignment::parse("active=false").unwrap().value,
            json!(false)
        );
        assert_eq!(Assignment::parse("title=null").unwrap().value, Value::Null);
        assert_eq!(Assignment::parse("title=a=b").unwrap().value, json!("a=b"));
        assert_eq!(Assignment::parse_json("n=[1]").unwrap().value, json!([1]));
    }

    #[test]
    fn bad_assignments_are_usage_errors() {
        assert!(Assignment::parse("title").is_err());
        assert!(Assignment::parse("ti tle=x").is_err());
        assert!(Assignment::parse_json("title={").is_err());
    }

    #[test]
    fn patch_op_replaces_each_path_and_removes_nulls() {
        let body = patch_body(
            PatchForm::PatchOp {
                value_filter_paths: true,
            },
            &set(&["name.givenName=Ada", "title=null"]),
            None,
        );
        assert_eq!(
            body["Operations"],
            json!([{"op": "replace", "path": "name.givenName", "value": "Ada"}, {"op": "remove", "path": "title"}])
        );
    }

    #[test]
    fn a_partial_resource_merges_sub_attributes_into_the_current_value() {
        let current = json!({"name": {"givenName": "Ada", "familyName": "Lovelace"},
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "R&D", "costCenter": "1"}});
        let assignments = set(&[
            "name.givenName=Augusta",
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department=Maths",
        ]);
        assert!(needs_current(PatchForm::PartialResource, &assignments));
        let body = patch_body(PatchForm::PartialResource, &assignments, Some(&current));
        assert_eq!(
            body,
            json!({"name": {"givenName": "Augusta", "familyName": "Lovelace"},
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Maths", "costCenter": "1"}})
        );
    }
}
