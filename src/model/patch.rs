//! [`PatchOp`]: RFC 7644 §3.5.2 PATCH requests, and [`PatchPath`], their target paths.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::filter::{AttrPath, Filter, FilterError};

/// The PatchOp message URN.
pub const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// An RFC 7644 PATCH request: a list of add, replace and remove operations.
///
/// ```
/// use scim_client::filter::Filter;
/// use scim_client::model::{PatchOp, PatchPath};
///
/// let work_email = PatchPath::value_filter("emails", Filter::eq("type", "work"), Some("value"));
/// let patch = PatchOp::new()
///     .replace(&work_email, "ada@example.com")
///     .add("title", "Analyst")
///     .remove("nickName");
/// let json = serde_json::to_value(&patch).unwrap();
/// assert_eq!(json["Operations"][0]["path"], r#"emails[type eq "work"].value"#);
/// assert_eq!(json["schemas"][0], "urn:ietf:params:scim:api:messages:2.0:PatchOp");
/// ```
// `Operations` is written before `schemas`: in the order of their keys, as
// a `serde_json::Value` object writes them, so a PatchOp kept typed (as a
// sync plan keeps its bodies) writes the same text as one kept as JSON.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PatchOp {
    /// The operations, applied in order. Read under `Operations` in any
    /// case (RFC 7643 §2.1: names are case-insensitive), `null` as none;
    /// written `Operations`.
    #[serde(rename = "Operations")]
    pub operations: Vec<PatchOperation>,
    /// Always the PatchOp URN when built here; read in any case, and the
    /// URN when absent.
    pub schemas: Vec<String>,
    /// Members this type does not model, with their exact keys (Entra ID
    /// sends a top-level `id`).
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

fn patch_schemas() -> Vec<String> {
    vec![PATCH_OP.to_owned()]
}

/// A PatchOp read as leniently as its operations: `Operations` and
/// `schemas` in any case. `PatchBody` tells a PatchOp by an `Operations`
/// key in any case, so a body it calls one must read as one.
impl<'de> Deserialize<'de> for PatchOp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let mut members = Map::<String, Value>::deserialize(deserializer)?;
        let mut take = |name: &str| take_member(&mut members, name).map_err(D::Error::custom);
        let operations = match take("Operations")? {
            None => return Err(D::Error::custom("a PatchOp needs `Operations`")),
            Some(Value::Null) => Vec::new(),
            Some(operations) => serde_json::from_value(operations).map_err(D::Error::custom)?,
        };
        let schemas = match take("schemas")? {
            None | Some(Value::Null) => patch_schemas(),
            Some(schemas) => serde_json::from_value(schemas).map_err(D::Error::custom)?,
        };
        Ok(PatchOp {
            operations,
            schemas,
            extra: members,
        })
    }
}

/// Removes and returns the member `name` of `members`, its key matched in
/// any case (RFC 7643 §2.1). Two spellings of one member are refused, as
/// a repeated field is: which one would be meant, and the other would be
/// kept among the unknown members and written back beside it.
fn take_member(members: &mut Map<String, Value>, name: &str) -> Result<Option<Value>, String> {
    let keys: Vec<String> = members
        .keys()
        .filter(|k| k.eq_ignore_ascii_case(name))
        .take(2)
        .cloned()
        .collect();
    match keys.as_slice() {
        [] => Ok(None),
        [key] => Ok(members.remove(key)),
        [first, second, ..] => Err(format!(
            "{first:?} and {second:?} are one member, given twice"
        )),
    }
}

impl Default for PatchOp {
    fn default() -> Self {
        PatchOp::new()
    }
}

impl PatchOp {
    /// An empty PATCH.
    pub fn new() -> PatchOp {
        PatchOp {
            operations: Vec::new(),
            schemas: patch_schemas(),
            extra: Map::new(),
        }
    }

    /// `add` at `path` (an attribute path or a [`PatchPath`]).
    pub fn add(self, path: impl fmt::Display, value: impl Into<Value>) -> PatchOp {
        self.push(PatchOpKind::Add, Some(path.to_string()), Some(value.into()))
    }

    /// `add` without a path: `value` is an object of attributes to add.
    pub fn add_attributes(self, value: impl Into<Value>) -> PatchOp {
        self.push(PatchOpKind::Add, None, Some(value.into()))
    }

    /// `replace` at `path`.
    pub fn replace(self, path: impl fmt::Display, value: impl Into<Value>) -> PatchOp {
        self.push(
            PatchOpKind::Replace,
            Some(path.to_string()),
            Some(value.into()),
        )
    }

    /// `replace` without a path: `value` is an object of attributes to replace.
    pub fn replace_attributes(self, value: impl Into<Value>) -> PatchOp {
        self.push(PatchOpKind::Replace, None, Some(value.into()))
    }

    /// `remove` at `path`, e.g. `members[value eq "2819c223"]`.
    pub fn remove(self, path: impl fmt::Display) -> PatchOp {
        self.push(PatchOpKind::Remove, Some(path.to_string()), None)
    }

    /// `remove` at `path` with a value, the form some services (and Slack's
    /// v2 member removal) use: `{"op":"remove","path":"members","value":[{"value":"U1"}]}`.
    pub fn remove_value(self, path: impl fmt::Display, value: impl Into<Value>) -> PatchOp {
        self.push(
            PatchOpKind::Remove,
            Some(path.to_string()),
            Some(value.into()),
        )
    }

    fn push(mut self, op: PatchOpKind, path: Option<String>, value: Option<Value>) -> PatchOp {
        self.operations.push(PatchOperation {
            op,
            path,
            value,
            op_as_received: None,
            extra: Map::new(),
        });
        self
    }
}

/// One PATCH operation.
///
/// Read leniently and losslessly: member names in any case, `op` in any case
/// (Entra ID sends `"Replace"`) with its spelling kept, a `null` value kept
/// as `Some(Value::Null)`, and unknown members kept in `extra`. Operations
/// built here write canonical lower case.
#[derive(Clone, Debug, PartialEq)]
pub struct PatchOperation {
    /// `add`, `replace` or `remove`.
    pub op: PatchOpKind,
    /// The target path, as sent; see [`PatchOperation::parsed_path`].
    pub path: Option<String>,
    /// The value; `remove` usually has none.
    pub value: Option<Value>,
    /// The `op` exactly as received when it was not the canonical lower case;
    /// written back in place of it. `None` for operations built here.
    pub op_as_received: Option<String>,
    /// Members this type does not model, with their exact keys.
    pub extra: Map<String, Value>,
}

impl Serialize for PatchOperation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = serializer.serialize_map(None)?;
        let op = self.op_as_received.as_deref().unwrap_or(self.op.as_str());
        map.serialize_entry("op", op)?;
        if let Some(path) = &self.path {
            map.serialize_entry("path", path)?;
        }
        if let Some(value) = &self.value {
            map.serialize_entry("value", value)?;
        }
        for (key, value) in &self.extra {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PatchOperation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut members = Map::<String, Value>::deserialize(deserializer)?;
        let mut take =
            |name: &str| take_member(&mut members, name).map_err(serde::de::Error::custom);
        let op = match take("op")? {
            Some(Value::String(op)) => op,
            _ => {
                return Err(serde::de::Error::custom(
                    "a PATCH operation needs an `op` string",
                ));
            }
        };
        let kind = PatchOpKind::parse(&op)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown PATCH op {op:?}")))?;
        let path = match take("path")? {
            None | Some(Value::Null) => None,
            Some(Value::String(path)) => Some(path),
            Some(_) => return Err(serde::de::Error::custom("a PATCH path must be a string")),
        };
        let value = take("value")?;
        Ok(PatchOperation {
            op: kind,
            path,
            value,
            op_as_received: (op != kind.as_str()).then_some(op),
            extra: members,
        })
    }
}

impl PatchOperation {
    /// The path, parsed and checked against RFC 7644's grammar.
    pub fn parsed_path(&self) -> Result<Option<PatchPath>, FilterError> {
        self.path.as_deref().map(str::parse).transpose()
    }
}

/// A PATCH operation's kind. Written in lower case; read in any case
/// (Entra ID sends `"Add"`, `"Replace"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PatchOpKind {
    /// Add values (or set a single-valued attribute).
    Add,
    /// Replace values.
    Replace,
    /// Remove values.
    Remove,
}

impl PatchOpKind {
    /// The kind as written on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            PatchOpKind::Add => "add",
            PatchOpKind::Replace => "replace",
            PatchOpKind::Remove => "remove",
        }
    }
}

impl Serialize for PatchOpKind {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for PatchOpKind {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let op = String::deserialize(deserializer)?;
        PatchOpKind::parse(&op)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown PATCH op {op:?}")))
    }
}

impl PatchOpKind {
    /// The kind named `op`, in any case.
    fn parse(op: &str) -> Option<PatchOpKind> {
        [PatchOpKind::Add, PatchOpKind::Replace, PatchOpKind::Remove]
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(op))
    }
}

/// A PATCH target (RFC 7644 §3.5.2): `attrPath`, or `attrPath[filter]`
/// optionally followed by `.subAttr`.
#[derive(Clone, Debug, PartialEq)]
pub enum PatchPath {
    /// An attribute: `title`, `name.givenName`, a URN-qualified path.
    Attr(AttrPath),
    /// The values of a multi-valued attribute matching a filter, e.g.
    /// `emails[type eq "work"].value` or `members[value eq "2819c223"]`.
    ValueFilter {
        /// The multi-valued attribute.
        attr: AttrPath,
        /// Which of its values.
        filter: Filter,
        /// The sub-attribute of those values, if any.
        sub_attr: Option<String>,
    },
}

impl PatchPath {
    /// `attr[filter]` or `attr[filter].sub_attr`, with the filter's values escaped.
    pub fn value_filter(
        attr: impl Into<AttrPath>,
        filter: Filter,
        sub_attr: Option<&str>,
    ) -> PatchPath {
        PatchPath::ValueFilter {
            attr: attr.into(),
            filter,
            sub_attr: sub_attr.map(str::to_owned),
        }
    }
}

impl fmt::Display for PatchPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PatchPath::Attr(attr) => write!(f, "{attr}"),
            PatchPath::ValueFilter {
                attr,
                filter,
                sub_attr,
            } => {
                write!(f, "{attr}[{filter}]")?;
                match sub_attr {
                    Some(sub) => write!(f, ".{sub}"),
                    None => Ok(()),
                }
            }
        }
    }
}

impl std::str::FromStr for PatchPath {
    type Err = FilterError;

    fn from_str(path: &str) -> Result<PatchPath, FilterError> {
        let Some(open) = path.find('[') else {
            return AttrPath::parse(path).map(PatchPath::Attr);
        };
        let attr = AttrPath::parse(&path[..open])?;
        let close = closing_bracket(path, open)?;
        let filter: Filter =
            path[open + 1..close]
                .parse()
                .map_err(|e: FilterError| FilterError {
                    position: e.position + open + 1,
                    message: e.message,
                })?;
        let rest = &path[close + 1..];
        let sub_attr = match rest.strip_prefix('.') {
            None if rest.is_empty() => None,
            Some(sub)
                if AttrPath::parse(sub).is_ok_and(|p| p.urn.is_none() && p.sub_attr.is_none()) =>
            {
                Some(sub.to_owned())
            }
            _ => {
                return Err(FilterError {
                    position: close + 1,
                    message: format!("expected nothing or `.subAttr` after `]`, found {rest:?}"),
                });
            }
        };
        Ok(PatchPath::ValueFilter {
            attr,
            filter,
            sub_attr,
        })
    }
}

/// The index of the `]` closing the `[` at `open`, skipping quoted strings.
fn closing_bracket(path: &str, open: usize) -> Result<usize, FilterError> {
    let bytes = path.as_bytes();
    let (mut i, mut depth, mut in_string) = (open, 0usize, false);
    while i < bytes.len() {
        match (bytes[i], in_string) {
            (b'\\', true) => i += 1,
            (b'"', _) => in_string = !in_string,
            (b'[', false) => depth += 1,
            (b']', false) => {
                depth -= 1;
                if depth == 0 {
                    return Ok(i);
                }
            }
            _ => {}
        }
        i += 1;
    }
    Err(FilterError {
        position: open,
        message: "unclosed `[` in the path".into(),
    })
}
