//! [`DecodeError`]: JSON that could not be read as its type, and where.
//!
//! Decoding runs at full speed on the happy path. When it fails, the error
//! is located after the fact: the body is read as plain JSON and narrowed
//! to the smallest part whose removal lets the type decode — that part is
//! where the type and the data disagree (`emails[0].primary`). This costs
//! nothing until something fails, needs no path-tracking deserializer, and
//! works for any type, a caller's own included.

use std::fmt;
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// How deep the search for a failing attribute goes.
const MAX_DEPTH: usize = 16;
/// How many children of one object or array are tried; past this, the
/// search stops at their parent (a group of 10,000 members stays cheap).
const MAX_TRIALS: usize = 256;
/// How many bytes of trial documents the search may build in all: past
/// this, it stops where it is (a 10 MB body with a bad value deep inside
/// gets a shallower path, not seconds of CPU).
const MAX_WORK: usize = 64 * 1024 * 1024;
/// How much of the value found is quoted in the error.
const MAX_FOUND: usize = 120;

/// Where and why JSON could not be decoded as the expected type.
#[derive(Clone)]
pub struct DecodeError {
    path: String,
    id: Option<String>,
    found: Option<String>,
    message: String,
    source: Option<Arc<serde_json::Error>>,
}

impl DecodeError {
    /// Where in the document: `Resources[2].emails[0].primary`, or the
    /// empty string for the whole document (invalid JSON, a missing field).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The resource's `id`, when the document has one.
    pub fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }

    /// The JSON found at [`path`](Self::path), cut to 120 characters;
    /// `None` for invalid JSON, and [`REDACTED`](crate::REDACTED) for a password.
    pub fn found(&self) -> Option<&str> {
        self.found.as_deref()
    }

    /// What was expected, in the decoder's words (with the line and column
    /// in the body when the decoder knew them).
    pub fn message(&self) -> &str {
        &self.message
    }

    /// An error about the document's shape rather than a value's type
    /// (a page whose counts disagree with its resources).
    pub(crate) fn shape(path: &str, message: String) -> DecodeError {
        DecodeError {
            path: path.to_owned(),
            id: None,
            found: None,
            message,
            source: None,
        }
    }

    pub(crate) fn scrub(&mut self, secrets: &crate::secrets::Secrets) {
        // A member name on the path may be an echo too.
        secrets.scrub_string(&mut self.path);
        secrets.scrub_string(&mut self.message);
        if let Some(found) = &mut self.found {
            secrets.scrub_string(found);
        }
        if let Some(id) = &mut self.id {
            secrets.scrub_string(id);
        }
        // serde's own error may quote the secret; its message is already
        // kept (scrubbed) above, so it is dropped rather than shown.
        let source = self
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static));
        if secrets.in_chain(source) {
            self.source = None;
        }
    }

    /// The same error, one level down: `Resources[2]` + `emails` gives
    /// `Resources[2].emails`.
    pub(crate) fn within(mut self, prefix: &str) -> DecodeError {
        self.path = match (prefix.is_empty(), self.path.is_empty()) {
            (true, _) => self.path,
            (false, true) => prefix.to_owned(),
            (false, false) if self.path.starts_with('[') => format!("{prefix}{}", self.path),
            (false, false) => format!("{prefix}.{}", self.path),
        };
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.path.is_empty() {
            write!(f, "at `{}`", self.path)?;
        } else {
            f.write_str("the document")?;
        }
        if let Some(id) = &self.id {
            write!(f, " of resource {id:?}")?;
        }
        if let Some(found) = &self.found {
            write!(f, " (found {found})")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl fmt::Debug for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DecodeError")
            .field("path", &self.path)
            .field("id", &self.id)
            .field("found", &self.found)
            .field("message", &self.message)
            .finish()
    }
}

impl PartialEq for DecodeError {
    /// Equal when they say the same thing; the decoder's error is not compared.
    fn eq(&self, other: &DecodeError) -> bool {
        (&self.path, &self.id, &self.found, &self.message)
            == (&other.path, &other.id, &other.found, &other.message)
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Decodes `T` from JSON bytes; on failure, says where.
pub(crate) fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DecodeError> {
    from_json(bytes).map_err(|error| locate::<T>(bytes, error))
}

/// serde_json on a body. Read as text when it is UTF-8, checked once: read
/// as bytes, serde_json checks every string it keeps on its own (about a
/// tenth of decoding a user). A body that is not UTF-8 is read as bytes, so
/// what decodes and the errors stay serde_json's (a bad byte inside a value
/// nobody keeps is no error; elsewhere the error says where).
pub(crate) fn from_json<T: DeserializeOwned>(bytes: &[u8]) -> serde_json::Result<T> {
    match std::str::from_utf8(bytes) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(bytes),
    }
}

/// Decodes `T` from a JSON value (an extension inside a resource, say).
pub(crate) fn decode_value<T: DeserializeOwned>(value: &Value) -> Result<T, DecodeError> {
    T::deserialize(value).map_err(|error| narrowed::<T>(value, error))
}

/// Finds where `bytes` stopped decoding as `T`, given the decoder's error.
pub(crate) fn locate<T: DeserializeOwned>(bytes: &[u8], error: serde_json::Error) -> DecodeError {
    match serde_json::from_slice::<Value>(bytes) {
        Ok(value) => narrowed::<T>(&value, error),
        // Not JSON at all: serde's message has the line and column.
        Err(_) => DecodeError {
            path: String::new(),
            id: None,
            found: None,
            message: error.to_string(),
            source: Some(Arc::new(error)),
        },
    }
}

fn narrowed<T: DeserializeOwned>(value: &Value, error: serde_json::Error) -> DecodeError {
    let path = narrow::<T>(value);
    let found = node(value, &path).map(|node| quote(node, &path));
    DecodeError {
        path: render(&path),
        id: value.get("id").and_then(id_text),
        found,
        message: error.to_string(),
        source: Some(Arc::new(error)),
    }
}

/// One step of a path: an attribute, or an index in an array.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// The deepest path to a node that stops `T` decoding the document: the
/// first child whose removal lets it decode, or, when several children are
/// at fault, the first that fails on its own (its siblings removed).
fn narrow<T: DeserializeOwned>(root: &Value) -> Vec<Step> {
    let decodes = |doc: &Value| T::deserialize(doc).is_ok();
    let mut path = Vec::new();
    // Each trial clones the document: bound the trials by its size.
    let size = root.to_string().len().max(1);
    let trials = std::cell::Cell::new(MAX_WORK / size);
    let affordable = || {
        let left = trials.get();
        trials.set(left.saturating_sub(1));
        left > 0
    };
    while path.len() < MAX_DEPTH {
        let children: Vec<Step> = match node(root, &path) {
            Some(Value::Object(map)) => map.keys().map(|k| Step::Key(k.clone())).collect(),
            Some(Value::Array(items)) => (0..items.len()).map(Step::Index).collect(),
            _ => break,
        };
        let children = &children[..children.len().min(MAX_TRIALS)];
        let without = |child: &Step| {
            if !affordable() {
                return false;
            }
            let mut trial = root.clone();
            remove(&mut trial, &path, child);
            decodes(&trial)
        };
        let alone = |child: &Step| {
            if !affordable() {
                return false;
            }
            let mut trial = root.clone();
            keep_only(&mut trial, &path, child);
            !decodes(&trial)
        };
        let mut empty = root.clone();
        keep_only(&mut empty, &path, &Step::Key(String::new()));
        let culprit = children.iter().find(|child| without(child)).or_else(|| {
            // Only meaningful when the node without any child decodes.
            decodes(&empty)
                .then(|| children.iter().find(|child| alone(child)))
                .flatten()
        });
        match culprit {
            Some(child) => path.push(child.clone()),
            None => break,
        }
    }
    path
}

/// Keeps only `child` of the node at `path` (none, if it has no such child).
fn keep_only(root: &mut Value, path: &[Step], child: &Step) {
    match (node_mut(root, path), child) {
        (Some(Value::Object(map)), Step::Key(key)) => map.retain(|k, _| k == key),
        (Some(Value::Array(items)), Step::Index(i)) => {
            let kept = items.get(*i).cloned();
            items.clear();
            items.extend(kept);
        }
        (Some(Value::Object(map)), Step::Index(_)) => map.clear(),
        (Some(Value::Array(items)), Step::Key(_)) => items.clear(),
        _ => {}
    }
}

fn node<'a>(root: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(root, |node, step| match step {
        Step::Key(key) => node.get(key.as_str()),
        Step::Index(i) => node.get(*i),
    })
}

fn node_mut<'a>(root: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(root, |node, step| match step {
        Step::Key(key) => node.get_mut(key.as_str()),
        Step::Index(i) => node.get_mut(*i),
    })
}

/// Removes `child` of the node at `path`.
fn remove(root: &mut Value, path: &[Step], child: &Step) {
    match (node_mut(root, path), child) {
        (Some(Value::Object(map)), Step::Key(key)) => {
            map.remove(key);
        }
        (Some(Value::Array(items)), Step::Index(i)) if *i < items.len() => {
            items.remove(*i);
        }
        _ => {}
    }
}

/// `emails[0].primary`.
fn render(path: &[Step]) -> String {
    let mut out = String::new();
    for step in path {
        match step {
            Step::Key(key) if out.is_empty() => out.push_str(key),
            Step::Key(key) => {
                out.push('.');
                out.push_str(key);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// The value found, as compact JSON cut short; a password is never quoted,
/// whether the path leads to one or the value quoted holds one.
fn quote(node: &Value, path: &[Step]) -> String {
    let secret = path
        .iter()
        .any(|step| matches!(step, Step::Key(key) if key.eq_ignore_ascii_case("password")));
    if secret {
        return crate::REDACTED.to_owned();
    }
    let mut node = node.clone();
    hide_passwords(&mut node);
    let text = node.to_string();
    match text.char_indices().nth(MAX_FOUND) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Replaces every `password` member (any case), at any depth.
fn hide_passwords(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, member) in map.iter_mut() {
                if key.eq_ignore_ascii_case("password") {
                    *member = Value::from(crate::REDACTED);
                } else {
                    hide_passwords(member);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(hide_passwords),
        _ => {}
    }
}

/// An `id` as text, from a string or a number.
pub(crate) fn id_text(value: &Value) -> Option<String> {
    match value {
        Value::String(id) => Some(id.clone()),
        Value::Number(id) => Some(id.to_string()),
        _ => None,
    }
}
