//! The planner's view of resources: canonical JSON, attribute paths, match
//! keys, and the state's fingerprint.

use scim_client::filter::AttrPath;
use scim_client::model::{ENTERPRISE_V1, Group, SLACK_GUEST_V1, SLACK_PROFILE_V1, User};
use std::borrow::Cow;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::Current;

/// A resource as the planner reads it: the attributes under `roots`
/// (top-level names) as canonical JSON (what the client writes, so provider
/// oddities like `"True"` or key casing are already normalised), and a hash
/// of all of it but `meta` (for the [`fingerprint`]).
///
/// Why not `serde_json::to_value` of the whole resource: the planner reads
/// a handful of attributes of 100,000 users; serialising once to text and
/// parsing only those is what keeps a plan of that size under a second
/// (`cargo bench -p scim-sync --bench plan`).
pub(crate) fn project(resource: &impl Serialize, roots: &[&str]) -> (Value, u64) {
    // A model type always serialises, and what it wrote always parses back.
    let text = serde_json::to_string(resource).unwrap_or_default();
    let Ok(Fields(fields)) = serde_json::from_str::<Fields<'_>>(&text) else {
        return (Value::Null, 0);
    };
    let mut hash = Fnv::new();
    let mut picked = Map::new();
    for (key, raw) in fields {
        if key == "meta" {
            continue;
        }
        hash.bytes(key.as_bytes());
        hash.bytes(b":");
        hash.bytes(raw.get().as_bytes());
        hash.bytes(b",");
        if roots.contains(&key.as_ref()) {
            let value = serde_json::from_str(raw.get()).unwrap_or(Value::Null);
            picked.insert(key.into_owned(), value);
        }
    }
    (Value::Object(picked), hash.0)
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
/// (`urn:scim:schemas:extension:enterprise:1.0.department`).
pub(crate) fn split_root(path: &str) -> Option<(&str, &str)> {
    for urn in DOTTED_URNS {
        if let Some(rest) = path.strip_prefix(urn).and_then(|r| r.strip_prefix('.')) {
            return Some((&path[..urn.len()], rest));
        }
    }
    let urn_end = path.rfind(':').map_or(0, |colon| colon + 1);
    path[urn_end..]
        .find('.')
        .map(|dot| (&path[..urn_end + dot], &path[urn_end + dot + 1..]))
}

/// The extension URNs whose last part holds a dot (Slack v1's SCIM 1.1
/// spellings): where they end cannot be told from the path's shape.
const DOTTED_URNS: [&str; 3] = [ENTERPRISE_V1, SLACK_GUEST_V1, SLACK_PROFILE_V1];

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
/// them).
pub(crate) fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
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

/// A fingerprint of the provider's state: FNV-1a 64 over every user's and
/// group's id and canonical JSON (`meta` left out: some providers change it
/// on every read), in id order, so list order does not matter.
pub fn fingerprint(current: &Current) -> String {
    let users = hashes(&current.users, |user: &User| user.id.as_deref());
    let groups = hashes(&current.groups, |group: &Group| group.id.as_deref());
    fingerprint_of(users, groups)
}

fn hashes<R: Serialize>(resources: &[R], id: impl Fn(&R) -> Option<&str>) -> Vec<(String, u64)> {
    resources
        .iter()
        .map(|r| (id(r).unwrap_or_default().to_owned(), project(r, &[]).1))
        .collect()
}

/// [`fingerprint`] over each resource's id and [`project`] hash.
pub(crate) fn fingerprint_of(
    mut users: Vec<(String, u64)>,
    mut groups: Vec<(String, u64)>,
) -> String {
    let mut hash = Fnv::new();
    for resources in [&mut users, &mut groups] {
        resources.sort_unstable();
        for (id, resource) in resources.iter() {
            hash.bytes(id.as_bytes());
            hash.bytes(&[0]);
            hash.bytes(&resource.to_le_bytes());
        }
        hash.bytes(&[1]);
    }
    format!("{:016x}", hash.0)
}

/// FNV-1a 64 of `bytes`, as 16 hex digits: the plan's digest.
pub(crate) fn digest(bytes: &[u8]) -> String {
    let mut hash = Fnv::new();
    hash.bytes(bytes);
    format!("{:016x}", hash.0)
}

/// FNV-1a 64 (word-wise): small, stable across Rust versions and platforms
/// (a plan written today must match tomorrow's read of the same state).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    /// FNV-1a's step over 64-bit little-endian words, then the bytes left:
    /// a resource's whole JSON is hashed, and a multiply per byte was a
    /// tenth of a 100,000-user plan.
    fn bytes(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            let mut le = [0_u8; 8];
            le.copy_from_slice(word);
            self.step(u64::from_le_bytes(le));
        }
        for byte in words.remainder() {
            self.step(u64::from(*byte));
        }
    }

    fn step(&mut self, value: u64) {
        self.0 ^= value;
        self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
    }
}
