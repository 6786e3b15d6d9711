//! Evaluates a [`Filter`] against a resource's JSON, as a SCIM service does:
//! the one evaluator the in-memory service filters lists with and the sync
//! job scopes by.
//!
//! Attribute names match without regard to case (RFC 7643 §2.1), and so do
//! string comparisons (the default `caseExact: false`). A comparison on a
//! multi-valued attribute matches when any value does; on a multi-valued
//! complex attribute without a sub-attribute, it compares each value's
//! `value` (RFC 7644 §3.4.2.2).

use std::cmp::Ordering;

use serde_json::{Map, Value};

use super::{AttrPath, CompValue, CompareOp, Filter};

impl Filter {
    /// True when `resource` (a resource's JSON object) matches this filter,
    /// as RFC 7644 §3.4.2.2 has a service evaluate it.
    pub fn matches(&self, resource: &Map<String, Value>) -> bool {
        matches(self, resource)
    }
}

impl AttrPath {
    /// Every scalar this path reaches in `resource`, multi-valued
    /// attributes flattened (a complex one without a sub-attribute gives
    /// each value's `value`); attribute names matched without regard to
    /// case (RFC 7643 §2.1).
    pub fn values_in<'a>(&self, resource: &'a Map<String, Value>) -> Vec<&'a Value> {
        values(resource, self)
    }
}

fn matches(filter: &Filter, resource: &Map<String, Value>) -> bool {
    match filter {
        Filter::And(a, b) => matches(a, resource) && matches(b, resource),
        Filter::Or(a, b) => matches(a, resource) || matches(b, resource),
        Filter::Not(inner) => !matches(inner, resource),
        Filter::Present(path) => values(resource, path).iter().any(|v| is_present(v)),
        Filter::Compare(path, op, expected) => {
            let found = values(resource, path);
            if matches!(expected, CompValue::Null) {
                let absent = found.iter().all(|v| v.is_null());
                return if *op == CompareOp::Ne {
                    !absent
                } else {
                    *op == CompareOp::Eq && absent
                };
            }
            found.iter().any(|value| compare(value, *op, expected))
        }
        Filter::ValuePath(path, inner) => {
            let container = container(resource, path);
            match lookup(container, &path.name) {
                Some(Value::Array(items)) => items
                    .iter()
                    .filter_map(Value::as_object)
                    .any(|item| matches(inner, item)),
                Some(Value::Object(item)) => matches(inner, item),
                _ => false,
            }
        }
    }
}

/// The object holding `path`'s attribute: the resource, or the extension
/// object its URN names (a core-schema URN means the resource itself).
fn container<'a>(
    resource: &'a Map<String, Value>,
    path: &AttrPath,
) -> Option<&'a Map<String, Value>> {
    match &path.urn {
        None => Some(resource),
        Some(urn) => match lookup(Some(resource), urn) {
            Some(Value::Object(extension)) => Some(extension),
            _ if urn.to_ascii_lowercase().contains(":core:") => Some(resource),
            _ => None,
        },
    }
}

/// A key's value in `object`, the key matched without regard to case
/// (RFC 7643 §2.1: attribute names are case-insensitive).
pub fn lookup<'a>(object: Option<&'a Map<String, Value>>, key: &str) -> Option<&'a Value> {
    let object = object?;
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    })
}

/// Every scalar a path reaches (flattening multi-valued attributes).
fn values<'a>(resource: &'a Map<String, Value>, path: &AttrPath) -> Vec<&'a Value> {
    let Some(value) = lookup(container(resource, path), &path.name) else {
        return Vec::new();
    };
    let items: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    };
    let sub = path
        .sub_attr
        .as_deref()
        .or(if matches!(value, Value::Array(_)) {
            Some("value")
        } else {
            None
        });
    items
        .into_iter()
        .filter_map(|item| match (item, sub) {
            (Value::Object(object), Some(sub)) => lookup(Some(object), sub),
            (Value::Object(_), None) => None,
            (scalar, _) => Some(scalar),
        })
        .collect()
}

fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
        _ => true,
    }
}

fn compare(value: &Value, op: CompareOp, expected: &CompValue) -> bool {
    match (value, expected) {
        (Value::String(actual), CompValue::Str(wanted)) => {
            let (actual, wanted) = (actual.to_lowercase(), wanted.to_lowercase());
            match op {
                CompareOp::Eq => actual == wanted,
                CompareOp::Ne => actual != wanted,
                CompareOp::Co => actual.contains(&wanted),
                CompareOp::Sw => actual.starts_with(&wanted),
                CompareOp::Ew => actual.ends_with(&wanted),
                _ => ordered(op, actual.cmp(&wanted)),
            }
        }
        (Value::Number(actual), CompValue::Num(wanted)) => match (actual.as_f64(), wanted.as_f64())
        {
            (Some(a), Some(w)) => a.partial_cmp(&w).is_some_and(|o| equality_or_order(op, o)),
            _ => false,
        },
        (Value::Bool(actual), CompValue::Bool(wanted)) => match op {
            CompareOp::Eq => actual == wanted,
            CompareOp::Ne => actual != wanted,
            _ => false,
        },
        _ => op == CompareOp::Ne,
    }
}

fn equality_or_order(op: CompareOp, ordering: Ordering) -> bool {
    match op {
        CompareOp::Eq => ordering == Ordering::Equal,
        CompareOp::Ne => ordering != Ordering::Equal,
        _ => ordered(op, ordering),
    }
}

fn ordered(op: CompareOp, ordering: Ordering) -> bool {
    match op {
        CompareOp::Gt => ordering == Ordering::Greater,
        CompareOp::Ge => ordering != Ordering::Less,
        CompareOp::Lt => ordering == Ordering::Less,
        CompareOp::Le => ordering != Ordering::Greater,
        _ => false,
    }
}
