//! [`Assignment`]: `--set path=value`, and the typed PATCH changes a list
//! of them makes ([`changes`]), which scim-client's one PATCH renderer
//! ([`PatchChanges::render`]) writes in the profile's form:
//!
//! - [`PatchForm::PatchOp`] (RFC 7644 §3.5.2): one `replace` per
//!   assignment at its path, a `remove` for `null`.
//! - [`PatchForm::PartialResource`] (Slack v1): one object holding the new
//!   values, `null` clearing. A sub-attribute (`name.givenName`) is sent
//!   inside its whole complex attribute, taken from the current one, since
//!   Slack does not say whether a partial complex value replaces what it
//!   names ([`PatchChanges::needs_current`] says when to read it first).

use serde_json::Value;

use scim_client::filter::AttrPath;
#[cfg(doc)]
use scim_client::provider::PatchForm;
use scim_client::provider::{PatchChange, PatchChanges};

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
    /// for numbers, lists, or the string `"true"`). clap calls it on each
    /// `--set`, and names the flag and value before its error.
    pub(crate) fn parse(text: &str) -> Result<Assignment, CliError> {
        let (path, value) = split(text, "title=Director")?;
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
        let (path, value) = split(text, "title=\"Director\"")?;
        let value = serde_json::from_str(value)
            .map_err(|e| CliError::usage(format!("the value for {path} is not JSON: {e}")))?;
        Ok(Assignment { path, value })
    }

    /// The change it makes, typed for the PATCH renderer: `null` clears.
    pub(crate) fn change(&self) -> PatchChange {
        let attr = AttrPath::new(&self.path);
        match &self.value {
            Value::Null => PatchChange::Clear { attr },
            value => PatchChange::Set {
                attr,
                value: value.clone(),
            },
        }
    }
}

/// `path=value` split at the first `=`, the path checked; `example` shows
/// the form in the error.
fn split<'a>(text: &'a str, example: &str) -> Result<(String, &'a str), CliError> {
    let (path, value) = text.split_once('=').ok_or_else(|| {
        CliError::usage(format!(
            "give an attribute path, =, and the value (e.g. {example})"
        ))
    })?;
    AttrPath::parse(path)
        .map_err(|e| CliError::usage(format!("{path:?} is not an attribute path: {e}")))?;
    Ok((path.to_owned(), value))
}

/// The changes `assignments` make, in order.
pub(crate) fn changes(assignments: &[Assignment]) -> PatchChanges {
    assignments.iter().map(Assignment::change).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use scim_client::provider::PatchForm;
    use serde_json::json;

    #[test]
    fn two_assignments_render_as_one_partial_resource() {
        let set = [
            Assignment::parse("title=Analyst").unwrap(),
            Assignment::parse("active=false").unwrap(),
        ];
        let body = changes(&set)
            .render(PatchForm::PartialResource, None)
            .unwrap();
        assert_eq!(
            body.to_value(),
            json!({"title": "Analyst", "active": false})
        );
    }

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
        let form = PatchForm::PatchOp {
            value_filter_paths: true,
        };
        let body = changes(&set(&["name.givenName=Ada", "title=null"]))
            .render(form, None)
            .unwrap();
        assert_eq!(
            body.to_value()["Operations"],
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
        let changes = changes(&assignments);
        assert!(changes.needs_current(PatchForm::PartialResource));
        let body = changes
            .render(PatchForm::PartialResource, Some(&current))
            .unwrap();
        assert_eq!(
            body.to_value(),
            json!({"name": {"givenName": "Augusta", "familyName": "Lovelace"},
                "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Maths", "costCenter": "1"}})
        );
    }
}
