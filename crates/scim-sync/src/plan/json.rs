//! The planner's view of resources: canonical JSON, attribute paths, match
//! keys, and the state's fingerprint.

use scim_client::filter::AttrPath;
use scim_client::model::DOTTED_EXTENSION_URNS;
use std::borrow::Cow;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::fingerprint::hash_of;

/// A resource as the planner reads it: the attributes under `roots`
/// (top-level names) as canonical JSON (what the client writes, so provider
/// oddities like `"True"` or key casing are already normalised), and its
/// [`hash_of`] (for the fingerprint).
///
/// Why not `serde_json::to_value` of the whole resource: a reader wants a
/// handful of attributes; serialising once to text and parsing only those
/// is cheaper. The planner's users are read typed instead
/// ([`typed::project_user`](super::typed::project_user)).
pub(crate) fn project(resource: &impl Serialize, roots: &[&str]) -> (Value, u64) {
    // A model type always serialises, and what it wrote always parses back.
    let text = serde_json::to_string(resource).unwrap_or_default();
    let Ok(Fields(fields)) = serde_json::from_str::<Fields<'_>>(&text) else {
        return (Value::Null, 0);
    };
    let mut picked = Map::new();
    for (key, raw) in fields {
        if roots.contains(&key.as_ref()) {
            let value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
            picked.insert(key.into_owned(), value);
        }
    }
    (Value::Object(picked), hash_of(resource))
}

/// A JSON object's members, unparsed, keys borrowed where they hold no escape.
struct Fields<'a>(Vec<(Cow<'a, str>, &'a RawValue)>);

impl<'de> Deserialize<'de> for Fields<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Members;
        impl<'de> Visitor<'de> for Members {
            type Value = Fields<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
                let mut fields = Vec::new();
                while let Some(Key(key)) = map.next_key()? {
                    fields.push((key, map.next_value()?));
                }
                Ok(Fields(fields))
            }
        }
        deserializer.deserialize_map(Members)
    }
}

struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Text;
        impl<'de> Visitor<'de> for Text {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, text: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(text)))
            }
            fn visit_str<E>(self, text: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(text.to_owned())))
            }
        }
        deserializer.deserialize_str(Text)
    }
}

/// `path` (`title`, `name.givenName`, or an extension's
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department`,
/// whose URN holds dots of its own) in a resource's JSON.
pub(crate) fn get<'a>(resource: &'a Value, path: &str) -> Option<&'a Value> {
    let object = resource.as_object()?;
    if let Some(value) = object.get(path) {
        return Some(value);
    }
    object.iter().find_map(|(key, value)| {
        let rest = path.strip_prefix(key.as_str())?.strip_prefix('.')?;
        get(value, rest)
    })
}

/// `path`'s top-level attribute and the rest: `name.givenName` →
/// (`name`, `givenName`); an extension URN's own dots
/// (`…:enterprise:2.0:User.department`) are not steps, nor are those of the
/// SCIM 1.1 URNs Slack v1 uses, whose last part has one
/// (`urn:scim:schemas:extension:enterprise:1.0.department`); one of those
/// alone is a top-level attribute, the whole extension.
pub(crate) fn split_root(path: &str) -> Option<(&str, &str)> {
    if DOTTED_EXTENSION_URNS.contains(&path) {
        return None;
    }
    for urn in DOTTED_EXTENSION_URNS {
        if let Some(rest) = path.strip_prefix(urn).and_then(|r| r.strip_prefix('.')) {
            return Some((&path[..urn.len()], rest));
        }
    }
    let urn_end = path.rfind(':').map_or(0, |colon| colon + 1);
    path[urn_end..]
        .find('.')
        .map(|dot| (&path[..urn_end + dot], &path[urn_end + dot + 1..]))
}

/// `path` as the attribute path PATCH bodies are written from:
/// `name.givenName` is `name` and its sub-attribute, an extension's
/// `…:2.0:User.department` its URN and `department` (written
/// `…:2.0:User:department` in a `PatchOp`, RFC 7644 §3.10); a path without
/// a step is one top-level attribute, whatever it holds.
pub(crate) fn attr_path(path: &str) -> AttrPath {
    let owned = |text: &str| text.to_owned();
    match split_root(path) {
        Some((root, rest)) if root.starts_with("urn:") => {
            let (name, sub_attr) = rest
                .split_once('.')
                .map_or((rest, None), |(n, s)| (n, Some(s)));
            AttrPath {
                urn: Some(owned(root)),
                name: owned(name),
                sub_attr: sub_attr.map(owned),
            }
        }
        Some((root, rest)) => AttrPath {
            urn: None,
            name: owned(root),
            sub_attr: Some(owned(rest)),
        },
        None => AttrPath {
            urn: None,
            name: owned(path),
            sub_attr: None,
        },
    }
}

/// Sets `path` in `body`, creating the parent object of a sub-attribute.
pub(crate) fn set(body: &mut Map<String, Value>, path: &str, value: Value) {
    match split_root(path) {
        None => {
            body.insert(path.to_owned(), value);
        }
        Some((parent, child)) => {
            let entry = body
                .entry(parent.to_owned())
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(object) = entry {
                set(object, child, value);
            }
        }
    }
}

/// Removes `path` from `body` (a sub-attribute from its parent object).
pub(crate) fn remove(body: &mut Map<String, Value>, path: &str) {
    match split_root(path) {
        None => {
            body.remove(path);
        }
        Some((parent, child)) => {
            if let Some(Value::Object(object)) = body.get_mut(parent) {
                remove(object, child);
            }
        }
    }
}

/// Equal, with multi-valued attributes compared as sets (providers reorder
/// them): in order first, which needs no copy.
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        _ if a == b => true,
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => {
            let mut a: Vec<String> = a.iter().map(Value::to_string).collect();
            let mut b: Vec<String> = b.iter().map(Value::to_string).collect();
            a.sort_unstable();
            b.sort_unstable();
            a == b
        }
        _ => a == b,
    }
}
