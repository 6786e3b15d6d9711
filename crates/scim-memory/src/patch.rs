//! Applies PATCH requests to stored resources: RFC 7644 `PatchOp`s, and
//! Slack v1's partial resources.

use serde_json::{Map, Value};

use super::Failure;
use scim_client::filter::lookup;
use scim_client::filter::{AttrPath, Filter};
use scim_client::model::{GROUP_V2, PATCH_OP, PatchOp, PatchOpKind, PatchOperation, PatchPath};

/// A PATCH body in the form its dialect takes; a body in the other form is
/// refused with 400, as the real service refuses it, so a client sending
/// the wrong form finds out here and not in production.
#[derive(Debug)]
pub(crate) enum PatchBody {
    /// SCIM 2.0 and Slack v2: an RFC 7644 §3.5.2 `PatchOp`.
    Operations(PatchOp),
    /// Slack v1: a partial resource.
    Partial(Map<String, Value>),
}

impl PatchBody {
    /// Reads `body` as a `PatchOp` when `v2`, else as a partial resource.
    ///
    /// RFC 7644 §3.5.2: "The body of each request MUST contain the
    /// "schemas" attribute with the URI value of
    /// "urn:ietf:params:scim:api:messages:2.0:PatchOp"", and "MUST contain
    /// the attribute "Operations", whose value is an array of one or more
    /// PATCH operations"; a body that does not is `invalidSyntax` (§3.12).
    /// Slack v1 takes a partial resource, so `Operations` or the PatchOp
    /// schema there is a SCIM 2.0 body sent to the v1 API.
    pub(crate) fn parse(body: Value, v2: bool) -> Result<PatchBody, Failure> {
        let Value::Object(body) = body else {
            let form = if v2 {
                "a PatchOp"
            } else {
                "a partial resource"
            };
            return Err(invalid_syntax(format!(
                "a PATCH body must be a JSON object ({form})"
            )));
        };
        let operations = existing_key(&body, "Operations");
        let patch_op_schema = declares_patch_op(&body);
        if !v2 {
            return match (operations, patch_op_schema) {
                (None, false) => Ok(PatchBody::Partial(body)),
                (Some(key), _) => Err(invalid_syntax(format!(
                    "a Slack v1 PATCH body is a partial resource, not a SCIM 2.0 PatchOp: it carries {key:?}"
                ))),
                (None, true) => Err(invalid_syntax(format!(
                    "a Slack v1 PATCH body is a partial resource, not a SCIM 2.0 PatchOp: its schemas name {PATCH_OP}"
                ))),
            };
        }
        if !patch_op_schema {
            return Err(invalid_syntax(format!(
                "a PATCH body must be a PatchOp: its schemas must hold {PATCH_OP}"
            )));
        }
        let has_operations = operations
            .as_ref()
            .and_then(|key| body.get(key))
            .and_then(Value::as_array)
            .is_some_and(|ops| !ops.is_empty());
        if !has_operations {
            return Err(invalid_syntax(
                "a PatchOp must carry \"Operations\": an array of one or more operations",
            ));
        }
        serde_json::from_value(Value::Object(body))
            .map(PatchBody::Operations)
            .map_err(|e| Failure::new(400, Some("invalidValue"), format!("not a PatchOp: {e}")))
    }
}

impl PatchBody {
    /// How many member values the body adds, replaces or removes (for the
    /// profile's limit on one group PATCH).
    pub(crate) fn member_changes(&self) -> usize {
        match self {
            PatchBody::Operations(patch) => patch
                .operations
                .iter()
                .fold(0usize, |n, op| n.saturating_add(member_changes(op))),
            PatchBody::Partial(partial) => existing_key(partial, "members")
                .and_then(|key| partial.get(&key))
                .map_or(0, count_values),
        }
    }

    /// Applies the body to `resource` (a copy: a refusal half-way leaves
    /// the stored resource as it was).
    pub(crate) fn apply_to(self, resource: &mut Map<String, Value>) -> Result<(), Failure> {
        match self {
            PatchBody::Operations(patch) => patch
                .operations
                .iter()
                .try_for_each(|operation| apply(resource, operation)),
            PatchBody::Partial(partial) => apply_v1(resource, partial),
        }
    }
}

/// How many member values one PATCH operation adds, replaces or removes:
/// every value of a `members` path or of a path-less `members` key; a
/// value-filter path (`members[value eq "x"]`), or a `remove` of `members`
/// without a value (every member at once), counts as one.
fn member_changes(op: &PatchOperation) -> usize {
    let is_members = |path: &AttrPath| {
        path.name.eq_ignore_ascii_case("members")
            && path
                .urn
                .as_deref()
                .is_none_or(|urn| urn.eq_ignore_ascii_case(GROUP_V2))
    };
    match op.parsed_path() {
        Ok(Some(PatchPath::Attr(path))) if is_members(&path) => {
            op.value.as_ref().map_or(1, count_values)
        }
        Ok(Some(PatchPath::ValueFilter { attr, .. })) if is_members(&attr) => 1,
        Ok(None) => match &op.value {
            Some(Value::Object(attributes)) => attributes
                .iter()
                .filter(|(key, _)| AttrPath::parse(key).is_ok_and(|p| is_members(&p)))
                .fold(0usize, |n, (_, value)| {
                    n.saturating_add(count_values(value))
                }),
            _ => 0,
        },
        _ => 0,
    }
}

/// The values of a multi-valued attribute's value: an array's items, or one.
fn count_values(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.len(),
        _ => 1,
    }
}

/// True when the body's `schemas` names the PatchOp message.
fn declares_patch_op(body: &Map<String, Value>) -> bool {
    let schemas = existing_key(body, "schemas").and_then(|key| body.get(&key));
    match schemas {
        Some(Value::Array(schemas)) => schemas
            .iter()
            .filter_map(Value::as_str)
            .any(|schema| schema.eq_ignore_ascii_case(PATCH_OP)),
        Some(Value::String(schema)) => schema.eq_ignore_ascii_case(PATCH_OP),
        _ => false,
    }
}

fn invalid_syntax(detail: impl Into<String>) -> Failure {
    Failure::new(400, Some("invalidSyntax"), detail)
}

/// Applies one RFC 7644 operation.
fn apply(resource: &mut Map<String, Value>, op: &PatchOperation) -> Result<(), Failure> {
    let path = op
        .parsed_path()
        .map_err(|e| Failure::new(400, Some("invalidPath"), e.to_string()))?;
    match (op.op, path) {
        (PatchOpKind::Remove, None) => {
            Err(Failure::new(400, Some("noTarget"), "a remove needs a path"))
        }
        (kind, None) => {
            let Some(Value::Object(attributes)) = &op.value else {
                return Err(Failure::new(
                    400,
                    Some("invalidValue"),
                    "without a path, the value must be an object",
                ));
            };
            for (key, value) in attributes {
                let path = AttrPath::parse(key)
                    .map_err(|e| Failure::new(400, Some("invalidPath"), e.message))?;
                apply_attr(resource, &path, kind, Some(value))?;
            }
            Ok(())
        }
        (kind, Some(PatchPath::Attr(path))) => apply_attr(resource, &path, kind, op.value.as_ref()),
        (
            kind,
            Some(PatchPath::ValueFilter {
                attr,
                filter,
                sub_attr,
            }),
        ) => apply_filtered(
            resource,
            &attr,
            &filter,
            sub_attr.as_deref(),
            kind,
            op.value.as_ref(),
        ),
    }
}

fn check_mutable(path: &AttrPath) -> Result<(), Failure> {
    let core = path
        .urn
        .as_deref()
        .is_none_or(|urn| urn.to_ascii_lowercase().contains(":core:"));
    if core && (path.name.eq_ignore_ascii_case("id") || path.name.eq_ignore_ascii_case("meta")) {
        return Err(Failure::new(
            400,
            Some("mutability"),
            format!("{} is read-only", path.name),
        ));
    }
    Ok(())
}

/// The object holding the path's attribute, created for writes when it is an absent extension.
fn container_mut<'a>(
    resource: &'a mut Map<String, Value>,
    path: &AttrPath,
    create: bool,
) -> Option<&'a mut Map<String, Value>> {
    let Some(urn) = &path.urn else {
        return Some(resource);
    };
    let key = existing_key(resource, urn);
    if key.is_none() && urn.to_ascii_lowercase().contains(":core:") {
        return Some(resource);
    }
    let key = key.unwrap_or_else(|| urn.clone());
    if !resource.contains_key(&key) {
        if !create {
            return None;
        }
        resource.insert(key.clone(), Value::Object(Map::new()));
        add_schema(resource, urn);
    }
    resource.get_mut(&key).and_then(Value::as_object_mut)
}

fn add_schema(resource: &mut Map<String, Value>, urn: &str) {
    if let Some(Value::Array(schemas)) = resource.get_mut("schemas") {
        if !schemas.iter().any(|s| s.as_str() == Some(urn)) {
            schemas.push(Value::from(urn));
        }
    }
}

/// The key as stored, found without regard to case.
pub(crate) fn existing_key(object: &Map<String, Value>, key: &str) -> Option<String> {
    if object.contains_key(key) {
        return Some(key.to_owned());
    }
    object.keys().find(|k| k.eq_ignore_ascii_case(key)).cloned()
}

/// One operation on an attribute named by a plain path (RFC 7644 §3.5.2.1–3).
fn apply_attr(
    resource: &mut Map<String, Value>,
    path: &AttrPath,
    kind: PatchOpKind,
    value: Option<&Value>,
) -> Result<(), Failure> {
    check_mutable(path)?;
    let writing = kind != PatchOpKind::Remove;
    let Some(container) = container_mut(resource, path, writing) else {
        return Ok(());
    };
    let key = existing_key(container, &path.name).unwrap_or_else(|| path.name.clone());
    if writing && path.is_whole_extension() {
        // A whole extension written by its URN (a path-less replace, as
        // the client sends one) is listed in `schemas`, as one written by
        // an attribute under it is (`container_mut`); its container is
        // the resource itself.
        add_schema(container, &path.name);
    }
    match (&path.sub_attr, kind) {
        (Some(sub), PatchOpKind::Remove) => {
            if let Some(slot) = container.get_mut(&key) {
                for_each_object(slot, |object| remove_key(object, sub));
            }
        }
        (Some(sub), _) => {
            let value = required(value)?.clone();
            let slot = container
                .entry(key)
                .or_insert_with(|| Value::Object(Map::new()));
            if !slot.is_object() && !slot.is_array() {
                *slot = Value::Object(Map::new());
            }
            for_each_object(slot, |object| set_key(object, sub, value.clone()));
        }
        (None, PatchOpKind::Remove) => remove_attr(container, &key, value),
        (None, kind) => write_attr(container, key, kind, required(value)?.clone()),
    }
    Ok(())
}

/// Applies `change` to the object at `slot`, or to each object of the list there.
fn for_each_object(slot: &mut Value, mut change: impl FnMut(&mut Map<String, Value>)) {
    match slot {
        Value::Object(object) => change(object),
        Value::Array(items) => items
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .for_each(change),
        _ => {}
    }
}

/// `remove` of an attribute: the values listed in `value` from a list, or
/// the whole attribute; an emptied list goes too.
fn remove_attr(container: &mut Map<String, Value>, key: &str, value: Option<&Value>) {
    match (value, container.get_mut(key)) {
        (Some(Value::Array(unwanted)), Some(Value::Array(items))) => {
            items.retain(|item| !unwanted.iter().any(|u| same_value(u, item)));
            if items.is_empty() {
                container.remove(key);
            }
        }
        _ => {
            container.remove(key);
        }
    }
}

/// `add` or `replace` of a whole attribute: `add` appends to a list what
/// it lacks, an object merges, anything else replaces.
fn write_attr(container: &mut Map<String, Value>, key: String, kind: PatchOpKind, value: Value) {
    match (container.get_mut(&key), value) {
        (Some(Value::Array(items)), Value::Array(new)) if kind == PatchOpKind::Add => {
            for item in new {
                if !items.iter().any(|existing| same_value(existing, &item)) {
                    items.push(item);
                }
            }
        }
        (Some(Value::Array(items)), single) if kind == PatchOpKind::Add && !single.is_null() => {
            items.push(single)
        }
        (Some(Value::Object(existing)), Value::Object(new)) => existing.extend(new),
        (_, value) => {
            container.insert(key, value);
        }
    }
}

/// One operation on the values of a multi-valued attribute a filter selects
/// (`emails[type eq "work"].value`, RFC 7644 §3.5.2).
fn apply_filtered(
    resource: &mut Map<String, Value>,
    attr: &AttrPath,
    filter: &Filter,
    sub: Option<&str>,
    kind: PatchOpKind,
    value: Option<&Value>,
) -> Result<(), Failure> {
    check_mutable(attr)?;
    let no_target = || {
        Failure::new(
            400,
            Some("noTarget"),
            format!("no value of {attr} matches the filter"),
        )
    };
    let container = container_mut(resource, attr, false).ok_or_else(no_target)?;
    let key = existing_key(container, &attr.name).ok_or_else(no_target)?;
    let Some(Value::Array(items)) = container.get_mut(&key) else {
        return Err(no_target());
    };
    let hits: Vec<usize> = (0..items.len())
        .filter(|&i| {
            items[i]
                .as_object()
                .is_some_and(|item| filter.matches(item))
        })
        .collect();
    if hits.is_empty() {
        return Err(no_target());
    }
    match (sub, kind) {
        (Some(sub), PatchOpKind::Remove) => for_each_hit(items, &hits, |o| remove_key(o, sub)),
        (Some(sub), _) => {
            let value = required(value)?;
            for_each_hit(items, &hits, |o| set_key(o, sub, value.clone()));
        }
        (None, PatchOpKind::Remove) => {
            let mut index = 0;
            items.retain(|_| {
                let keep = !hits.contains(&index);
                index += 1;
                keep
            });
            if items.is_empty() {
                container.remove(&key);
            }
        }
        (None, _) => {
            let value = required(value)?;
            for &i in &hits {
                match (&mut items[i], value) {
                    (Value::Object(item), Value::Object(new)) => item.extend(new.clone()),
                    (item, new) => *item = new.clone(),
                }
            }
        }
    }
    Ok(())
}

/// Applies `change` to each selected item that is an object.
fn for_each_hit(
    items: &mut [Value],
    hits: &[usize],
    mut change: impl FnMut(&mut Map<String, Value>),
) {
    for &i in hits {
        if let Some(object) = items[i].as_object_mut() {
            change(object);
        }
    }
}

fn required(value: Option<&Value>) -> Result<&Value, Failure> {
    value.ok_or_else(|| Failure::new(400, Some("invalidValue"), "this operation needs a value"))
}

fn set_key(object: &mut Map<String, Value>, key: &str, value: Value) {
    let key = existing_key(object, key).unwrap_or_else(|| key.to_owned());
    object.insert(key, value);
}

fn remove_key(object: &mut Map<String, Value>, key: &str) {
    if let Some(key) = existing_key(object, key) {
        object.remove(&key);
    }
}

/// Two values of a multi-valued attribute are the same when their `value`s
/// are (or, for scalars and objects without one, when they are equal).
fn same_value(a: &Value, b: &Value) -> bool {
    match (
        lookup(a.as_object(), "value"),
        lookup(b.as_object(), "value"),
    ) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// Applies a Slack v1 partial resource: present attributes overwrite, `null`
/// clears, and group members listed with `"operation": "delete"` are removed
/// while other listed members are added.
fn apply_v1(resource: &mut Map<String, Value>, partial: Map<String, Value>) -> Result<(), Failure> {
    for (key, value) in partial {
        if key == "schemas" {
            continue;
        }
        let path = AttrPath::new(&key);
        check_mutable(&path)?;
        let stored = existing_key(resource, &key).unwrap_or(key);
        match value {
            Value::Null => {
                resource.remove(&stored);
            }
            Value::Array(members) if stored == "members" => {
                let current = resource
                    .entry(stored)
                    .or_insert_with(|| Value::Array(Vec::new()));
                let Value::Array(current) = current else {
                    continue;
                };
                for mut member in members {
                    let delete = lookup(member.as_object(), "operation").and_then(Value::as_str)
                        == Some("delete");
                    if delete {
                        current.retain(|existing| !same_value(existing, &member));
                    } else if !current.iter().any(|existing| same_value(existing, &member)) {
                        if let Some(object) = member.as_object_mut() {
                            object.remove("operation");
                        }
                        current.push(member);
                    }
                }
            }
            value => {
                resource.insert(stored, value);
            }
        }
    }
    Ok(())
}
