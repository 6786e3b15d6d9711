//! [`Projection`]: which attributes an answer carries, from `attributes`
//! and `excludedAttributes` (RFC 7644 §3.9).

use std::collections::HashMap;

use serde_json::{Value, json};

use super::Resource;
use crate::patch::existing_key;
use scim_client::filter::AttrPath;

/// Which attributes an answer carries (RFC 7644 §3.9).
#[derive(Clone, Debug, Default)]
pub(crate) struct Projection {
    pub(super) attributes: Vec<AttrPath>,
    pub(super) excluded: Vec<AttrPath>,
}

impl Projection {
    pub(crate) fn from_params(params: &HashMap<String, String>) -> Projection {
        let paths = |name: &str| -> Vec<AttrPath> {
            params
                .get(name)
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|a| !a.is_empty())
                        .map(AttrPath::new)
                        .collect()
                })
                .unwrap_or_default()
        };
        Projection {
            attributes: paths("attributes"),
            excluded: paths("excludedAttributes"),
        }
    }

    pub(crate) fn is_some(&self) -> bool {
        !self.attributes.is_empty() || !self.excluded.is_empty()
    }

    pub(crate) fn apply(&self, mut resource: Resource) -> Resource {
        if !self.attributes.is_empty() {
            let mut kept = Resource::new();
            for always in ["id", "schemas"] {
                if let Some(value) = resource.get(always) {
                    kept.insert(always.into(), value.clone());
                }
            }
            for path in &self.attributes {
                copy_path(&resource, &mut kept, path);
            }
            resource = kept;
        }
        for path in &self.excluded {
            if path.urn.is_none() && (path.name == "id" || path.name == "schemas") {
                continue;
            }
            remove_path(&mut resource, path);
        }
        resource
    }
}

fn copy_path(from: &Resource, to: &mut Resource, path: &AttrPath) {
    let (source, target) = match &path.urn {
        Some(urn) if !urn.to_ascii_lowercase().contains(":core:") => {
            let Some(key) = existing_key(from, urn) else {
                return;
            };
            let Some(Value::Object(source)) = from.get(&key) else {
                return;
            };
            let target = to.entry(key).or_insert_with(|| json!({}));
            let Value::Object(target) = target else {
                return;
            };
            copy_attribute(source, target, path);
            return;
        }
        _ => (from, to),
    };
    copy_attribute(source, target, path);
}

fn copy_attribute(source: &Resource, target: &mut Resource, path: &AttrPath) {
    let Some(key) = existing_key(source, &path.name) else {
        return;
    };
    let Some(value) = source.get(&key) else {
        return;
    };
    let Some(sub) = &path.sub_attr else {
        target.insert(key, value.clone());
        return;
    };
    let pick = |object: &Resource| -> Value {
        let mut picked = Resource::new();
        if let Some(sub_key) = existing_key(object, sub) {
            picked.insert(sub_key.clone(), object[&sub_key].clone());
        }
        Value::Object(picked)
    };
    let selected = match value {
        Value::Object(object) => pick(object),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .filter_map(Value::as_object)
                .map(pick)
                .collect(),
        ),
        other => other.clone(),
    };
    target.insert(key, selected);
}

fn remove_path(resource: &mut Resource, path: &AttrPath) {
    let container = match &path.urn {
        Some(urn) if !urn.to_ascii_lowercase().contains(":core:") => {
            match existing_key(resource, urn).and_then(|k| resource.get_mut(&k)) {
                Some(Value::Object(extension)) => extension,
                _ => return,
            }
        }
        _ => resource,
    };
    let Some(key) = existing_key(container, &path.name) else {
        return;
    };
    match (&path.sub_attr, container.get_mut(&key)) {
        (None, _) => {
            container.remove(&key);
        }
        (Some(sub), Some(Value::Object(object))) => {
            if let Some(sub_key) = existing_key(object, sub) {
                object.remove(&sub_key);
            }
        }
        (Some(sub), Some(Value::Array(items))) => {
            for object in items.iter_mut().filter_map(Value::as_object_mut) {
                if let Some(sub_key) = existing_key(object, sub) {
                    object.remove(&sub_key);
                }
            }
        }
        _ => {}
    }
}
