//! [`PatchChanges`]: the one place a PATCH body is written, in the
//! provider's [`PatchForm`].

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use crate::filter::{AttrPath, CompValue, Filter};
use crate::model::{Group, PATCH_OP, PatchOp, PatchOpKind, PatchPath, User};
use crate::provider::profile::PatchForm;
use crate::{Dialect, Error};

/// Attributes Slack v1's PATCH refuses (Slack SCIM v1 docs: `password`,
/// `externalId` and `profileUrl` cannot be PATCHed).
const NOT_PATCHABLE_IN_PARTIAL_RESOURCE: [&str; 3] = ["externalId", "password", "profileUrl"];

/// The argument name errors of this module carry.
const CHANGES: &str = "changes";

/// One change a PATCH makes.
#[derive(Clone, Debug, PartialEq)]
pub enum PatchChange {
    /// The attribute at `attr` takes `value` (`null` clears it, as
    /// [`Clear`](Self::Clear) does).
    Set {
        /// The attribute (`title`, `name.givenName`, URN-qualified).
        attr: AttrPath,
        /// Its new value.
        value: Value,
    },
    /// The attribute at `attr` is cleared.
    Clear {
        /// The attribute.
        attr: AttrPath,
    },
    /// `item` joins the multi-valued attribute at `attr` (`members`, `emails`).
    AddItem {
        /// The multi-valued attribute.
        attr: AttrPath,
        /// The item, e.g. `{"value": "W1"}`.
        item: Value,
    },
    /// `item` leaves the multi-valued attribute at `attr`.
    RemoveItem {
        /// The multi-valued attribute.
        attr: AttrPath,
        /// The item; in filter paths it is matched by its `value` when it
        /// has one, else by all its simple sub-attributes.
        item: Value,
    },
}

impl PatchChange {
    /// The attribute the change is about.
    pub fn attr(&self) -> &AttrPath {
        match self {
            PatchChange::Set { attr, .. }
            | PatchChange::Clear { attr }
            | PatchChange::AddItem { attr, .. }
            | PatchChange::RemoveItem { attr, .. } => attr,
        }
    }
}

/// The changes of one PATCH, in order, and the renderer that writes them in
/// a provider's [`PatchForm`].
///
/// go in (an attribute set or cleared, an item of a multi-valued attribute
/// added or removed), and the body comes out in the provider's
/// [`PatchForm`], as a [`PatchBody`].
///
/// The forms, and why each change is written as it is:
///
/// | change | RFC 7644 §3.5.2 `PatchOp` | Slack v1 partial resource |
/// |---|---|---|
/// | set `title` | `replace` `title` | `{"title": …}` |
/// | set `name.givenName` | `replace` `name.givenName` | the whole `name`, its other sub-attributes as they are |
/// | clear | `remove` | `null` (Slack: "`null` clears an attribute") |
/// | add an item | `add` (items of one attribute in one operation) | the item in the attribute's list |
/// | remove an item | `remove` `members[value eq "…"]`; without filter paths (GitHub) `remove` `members` with the items as `value` | the item with `"operation": "delete"` |
///
/// Slack v1 does not document whether a partial complex value (`"name":
/// {"givenName": …}`) merges into the stored one or replaces it: sent
/// alone, a replacing service loses `name.familyName`. So a change inside a
/// complex attribute (or an extension) sends the whole value, built from
/// the resource as it is, which must then be given ([`needs_current`]).
/// A complex value set whole keeps the sub-attributes it does not name, as
/// RFC 7644 §3.5.2.3's `replace` does, and a multi-valued attribute set
/// whole lists its former items with `"operation": "delete"`: the same
/// change ends in the same state in either form.
///
/// ```
/// use scim_client::provider::{PatchBody, PatchChanges};
/// use scim_client::provider::PatchForm;
/// use serde_json::json;
///
/// let changes = PatchChanges::new().set("name.givenName", "Zedd").clear("title");
/// let current = json!({"name": {"givenName": "Zed", "familyName": "Zulu"}, "title": "Dev"});
/// let body = changes.render(PatchForm::PartialResource, Some(&current))?;
/// assert_eq!(
///     body.to_value(),
///     json!({"name": {"givenName": "Zedd", "familyName": "Zulu"}, "title": null})
/// );
/// let body = changes.render(PatchForm::PatchOp { value_filter_paths: true }, None)?;
/// assert!(matches!(body, PatchBody::Ops(_)));
/// # Ok::<(), scim_client::Error>(())
/// ```
///
/// [`needs_current`]: Self::needs_current
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PatchChanges {
    changes: Vec<PatchChange>,
}

impl PatchChanges {
    /// No changes yet.
    pub fn new() -> PatchChanges {
        PatchChanges::default()
    }

    /// Sets `attr` to `value`.
    pub fn set(self, attr: impl Into<AttrPath>, value: impl Into<Value>) -> PatchChanges {
        self.with(PatchChange::Set {
            attr: attr.into(),
            value: value.into(),
        })
    }

    /// Clears `attr`.
    pub fn clear(self, attr: impl Into<AttrPath>) -> PatchChanges {
        self.with(PatchChange::Clear { attr: attr.into() })
    }

    /// Adds `item` to the multi-valued `attr`.
    pub fn add_item(self, attr: impl Into<AttrPath>, item: impl Into<Value>) -> PatchChanges {
        self.with(PatchChange::AddItem {
            attr: attr.into(),
            item: item.into(),
        })
    }

    /// Removes `item` from the multi-valued `attr`.
    pub fn remove_item(self, attr: impl Into<AttrPath>, item: impl Into<Value>) -> PatchChanges {
        self.with(PatchChange::RemoveItem {
            attr: attr.into(),
            item: item.into(),
        })
    }

    /// Appends one change.
    pub fn push(&mut self, change: PatchChange) {
        self.changes.push(change);
    }

    fn with(mut self, change: PatchChange) -> PatchChanges {
        self.push(change);
        self
    }

    /// The changes, in order.
    pub fn changes(&self) -> &[PatchChange] {
        &self.changes
    }

    /// True when there is no change.
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    /// Whether [`render`](Self::render) in `form` needs the resource as it
    /// is: in Slack v1's partial resource, a change inside a complex
    /// attribute or an extension sends the whole value, and a complex or
    /// multi-valued attribute set whole is merged with (or lists the
    /// deletions from) the current one. `PatchOp` never needs it.
    pub fn needs_current(&self, form: PatchForm) -> bool {
        form == PatchForm::PartialResource && self.changes.iter().any(needs_current)
    }

    /// The body making these changes in `form`. `current` is the resource
    /// as it is (its JSON; only the attributes changed are read), required
    /// when [`needs_current`](Self::needs_current) says so.
    ///
    /// Refused with [`Error::InvalidArgument`]: a path that is not an
    /// attribute path (RFC 7644 §3.10), an attribute Slack v1 cannot PATCH
    /// ([`PatchForm::can_patch`]), a partial resource needing `current`
    /// without it, and an item a filter path cannot name.
    pub fn render(&self, form: PatchForm, current: Option<&Value>) -> Result<PatchBody, Error> {
        for change in &self.changes {
            check_attr(form, change.attr())?;
        }
        match form {
            PatchForm::PartialResource => partial_resource(&self.changes, current),
            PatchForm::PatchOp { value_filter_paths } => {
                patch_op(&self.changes, value_filter_paths).map(PatchBody::Ops)
            }
        }
    }
}

impl FromIterator<PatchChange> for PatchChanges {
    fn from_iter<I: IntoIterator<Item = PatchChange>>(changes: I) -> PatchChanges {
        PatchChanges {
            changes: changes.into_iter().collect(),
        }
    }
}

impl Extend<PatchChange> for PatchChanges {
    fn extend<I: IntoIterator<Item = PatchChange>>(&mut self, changes: I) {
        self.changes.extend(changes);
    }
}

impl PatchForm {
    /// Whether a provider taking this form lets `attr` (an attribute's
    /// name, e.g. `externalId`) be PATCHed: Slack v1 refuses `externalId`,
    /// `password` and `profileUrl`; RFC 7644 services take any.
    pub fn can_patch(self, attr: &str) -> bool {
        match self {
            PatchForm::PartialResource => !NOT_PATCHABLE_IN_PARTIAL_RESOURCE
                .iter()
                .any(|name| name.eq_ignore_ascii_case(attr)),
            PatchForm::PatchOp { .. } => true,
        }
    }
}

/// A PATCH request body, in the form its service takes.
///
/// [`Endpoint::patch`](crate::Endpoint::patch) (and so `patch_user`,
/// `patch_group`) refuses a body in the form its [`Dialect`] does not take
/// with [`Error::InvalidArgument`], before anything is sent: a partial
/// resource is not a SCIM 2.0 PATCH (RFC 7644 §3.5.2 requires a `PatchOp`),
/// and Slack v1 takes only a partial resource.
///
/// ```
/// use scim_client::model::{PatchOp, User};
/// use scim_client::provider::PatchBody;
///
/// let slack_v1 = PatchBody::from(User { title: "Analyst".into(), ..User::default() });
/// let scim2 = PatchBody::from(PatchOp::new().replace("title", "Analyst"));
/// assert_eq!(slack_v1.to_value(), serde_json::json!({"title": "Analyst"}));
/// assert_eq!(scim2.to_value()["Operations"][0]["op"], "replace");
/// ```
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PatchBody {
    /// Slack v1: a partial resource. Attributes present replace the stored
    /// ones, `null` clears, a multi-valued item with `"operation":
    /// "delete"` is removed.
    Partial(Map<String, Value>),
    /// RFC 7644 §3.5.2: a `PatchOp` message (SCIM 2.0, Slack v2).
    Ops(PatchOp),
}

/// A body read back (from a saved sync plan, say) takes the form its JSON
/// has: a `PatchOp` when it has `Operations` or lists the PatchOp URN, a
/// partial resource otherwise. Either writes back the JSON it was read
/// from (a `PatchOp` missing `schemas` gains the URN).
impl<'de> Deserialize<'de> for PatchBody {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let body = Map::<String, Value>::deserialize(deserializer)?;
        if !is_patch_op(&body) {
            return Ok(PatchBody::Partial(body));
        }
        serde_json::from_value(Value::Object(body))
            .map(PatchBody::Ops)
            .map_err(|error| D::Error::custom(format!("not a PatchOp: {error}")))
    }
}

impl PatchBody {
    /// The body as JSON.
    pub fn to_value(&self) -> Value {
        match self {
            PatchBody::Partial(partial) => Value::Object(partial.clone()),
            // A PatchOp always serialises.
            PatchBody::Ops(patch) => serde_json::to_value(patch).unwrap_or(Value::Null),
        }
    }
}

/// A PATCH of a user whose form its type says: a partial [`User`] (Slack
/// v1), a [`PatchOp`] (SCIM 2.0, Slack v2), or a rendered [`PatchBody`].
/// What `patch_user` takes, so an untyped JSON value, whose form nobody
/// checked, does not compile there; the form is then checked against the
/// dialect before sending ([`Endpoint::patch`](crate::Endpoint::patch)).
pub trait UserPatch: Serialize + Sync {}

impl UserPatch for User {}
impl UserPatch for PatchOp {}
impl UserPatch for PatchBody {}

impl From<PatchOp> for PatchBody {
    fn from(patch: PatchOp) -> PatchBody {
        PatchBody::Ops(patch)
    }
}

impl From<Map<String, Value>> for PatchBody {
    fn from(partial: Map<String, Value>) -> PatchBody {
        PatchBody::Partial(partial)
    }
}

impl From<User> for PatchBody {
    /// A partial user: its attributes that are not absent.
    fn from(user: User) -> PatchBody {
        PatchBody::Partial(object(&user))
    }
}

impl From<Group> for PatchBody {
    /// A partial group: its attributes that are not absent.
    fn from(group: Group) -> PatchBody {
        PatchBody::Partial(object(&group))
    }
}

/// A model resource as a JSON object (a model type always serialises to one).
fn object(resource: &impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(resource) {
        Ok(Value::Object(map)) => map,
        _ => Map::new(),
    }
}

/// Refuses a PATCH body in the form `dialect` does not take: Slack v1 takes
/// a partial resource, every other dialect an RFC 7644 `PatchOp` (a message
/// with the PatchOp schema or `Operations`).
pub(crate) fn check_form(dialect: Dialect, body: &Value) -> Result<(), Error> {
    let is_patch_op = body.as_object().is_some_and(is_patch_op);
    match (dialect, is_patch_op) {
        (Dialect::SlackV1, true) => Err(Error::invalid(
            "body",
            "Slack's SCIM v1 API takes a partial resource, not a PatchOp (RFC 7644 §3.5.2)",
        )),
        (Dialect::SlackV2 | Dialect::Scim2, false) => Err(Error::invalid(
            "body",
            "a SCIM 2.0 service takes a PatchOp (RFC 7644 §3.5.2), not a partial resource",
        )),
        _ => Ok(()),
    }
}

/// Whether a PATCH body is a `PatchOp` (RFC 7644 §3.5.2): it has
/// `Operations` (in any case) or lists the PatchOp URN. A partial resource
/// (Slack v1) has neither: no SCIM resource has an `Operations` attribute.
fn is_patch_op(body: &Map<String, Value>) -> bool {
    body.keys()
        .any(|key| key.eq_ignore_ascii_case("Operations"))
        || body
            .get("schemas")
            .and_then(Value::as_array)
            .is_some_and(|schemas| schemas.iter().any(|s| s == PATCH_OP))
}

/// Refuses a path that is not an attribute path, and one the form cannot PATCH.
fn check_attr(form: PatchForm, attr: &AttrPath) -> Result<(), Error> {
    let path = attr.to_string();
    AttrPath::parse(&path)
        .map_err(|e| Error::invalid(CHANGES, format!("{path:?} is not an attribute path: {e}")))?;
    let (top, _) = steps(attr);
    if !form.can_patch(top) {
        return Err(Error::invalid(
            CHANGES,
            format!("{top} cannot be PATCHed in Slack v1's partial-resource form"),
        ));
    }
    Ok(())
}

/// Where `attr` lives in a partial resource: its top-level key (an
/// extension's URN, or the attribute of the core schema) and the keys
/// below it.
fn steps(attr: &AttrPath) -> (&str, Vec<&str>) {
    let extension = attr
        .urn
        .as_deref()
        .filter(|urn| !urn.to_ascii_lowercase().contains(":core:"));
    let sub = attr.sub_attr.as_deref();
    match extension {
        Some(urn) => (
            urn,
            std::iter::once(attr.name.as_str()).chain(sub).collect(),
        ),
        None => (attr.name.as_str(), sub.into_iter().collect()),
    }
}

/// Whether a partial resource needs the current value for this change.
fn needs_current(change: &PatchChange) -> bool {
    let nested = !steps(change.attr()).1.is_empty();
    match change {
        PatchChange::Set { value, .. } => nested || value.is_object() || value.is_array(),
        PatchChange::Clear { .. } => nested,
        PatchChange::AddItem { .. } | PatchChange::RemoveItem { .. } => nested,
    }
}

fn needs_current_error(attr: &AttrPath) -> Error {
    Error::invalid(
        "current",
        format!(
            "a partial resource changing {attr} sends the whole value it belongs to, \
             so it needs the resource as it is"
        ),
    )
}

/// The value of `key` in `object`, its name matched in any case (RFC 7643
/// §2.1: attribute names are case-insensitive).
fn field<'a>(object: &'a Value, key: &str) -> Option<&'a Value> {
    let object = object.as_object()?;
    object.get(key).or_else(|| {
        object
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(key))
            .map(|(_, value)| value)
    })
}

/// Slack v1's partial resource.
fn partial_resource(changes: &[PatchChange], current: Option<&Value>) -> Result<PatchBody, Error> {
    let mut body = Map::new();
    for change in changes {
        let attr = change.attr();
        if current.is_none() && needs_current(change) {
            return Err(needs_current_error(attr));
        }
        let (top, rest) = steps(attr);
        match current {
            Some(current) if !rest.is_empty() => {
                let slot = inside_whole_value(&mut body, (top, &rest), current, attr)?;
                change_whole(slot, change)?;
            }
            _ => change_top_level(&mut body, top, change, current)?,
        }
    }
    Ok(PatchBody::Partial(body))
}

/// A change to a top-level attribute: its new value, `null`, or a list of
/// item changes.
fn change_top_level(
    body: &mut Map<String, Value>,
    top: &str,
    change: &PatchChange,
    current: Option<&Value>,
) -> Result<(), Error> {
    let item = match change {
        PatchChange::Set { value, .. } => {
            let before = body
                .get(top)
                .or_else(|| current.and_then(|c| field(c, top)));
            let value = replaced(before, value, true)?;
            body.insert(top.to_owned(), value);
            return Ok(());
        }
        PatchChange::Clear { .. } => {
            body.insert(top.to_owned(), Value::Null);
            return Ok(());
        }
        PatchChange::AddItem { item, .. } => item.clone(),
        PatchChange::RemoveItem { item, .. } => marked_deleted(item, top)?,
    };
    match body
        .entry(top.to_owned())
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        Value::Array(items) => {
            items.push(item);
            Ok(())
        }
        _ => Err(Error::invalid(
            CHANGES,
            format!("{top} is both set whole and changed item by item"),
        )),
    }
}

/// `value` replacing `before` as RFC 7644 §3.5.2.3's `replace` does: a
/// complex value keeps the sub-attributes it does not name; a multi-valued
/// one replaces every item, which a top-level list in a partial resource
/// says by listing the former items with `"operation": "delete"`.
fn replaced(before: Option<&Value>, value: &Value, top_level: bool) -> Result<Value, Error> {
    match (before, value) {
        (Some(Value::Object(old)), Value::Object(new)) => {
            let mut merged = old.clone();
            merged.extend(new.iter().map(|(k, v)| (k.clone(), v.clone())));
            Ok(Value::Object(merged))
        }
        (Some(Value::Array(old)), Value::Array(new)) if top_level => {
            let mut items = new.clone();
            for gone in old
                .iter()
                .filter(|old| !new.iter().any(|n| same_item(n, old)))
            {
                items.push(marked_deleted(gone, "a multi-valued attribute")?);
            }
            Ok(Value::Array(items))
        }
        _ => Ok(value.clone()),
    }
}

/// The same item: the same `value` when both have one (Slack v1 removes an
/// item by its value), else equal.
fn same_item(a: &Value, b: &Value) -> bool {
    match (field(a, "value"), field(b, "value")) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

/// `item` with `"operation": "delete"`, Slack v1's removal of one item.
fn marked_deleted(item: &Value, attr: &str) -> Result<Value, Error> {
    let mut item = item.clone();
    match &mut item {
        Value::Object(object) => {
            object.insert("operation".into(), Value::from("delete"));
            Ok(item)
        }
        _ => Err(Error::invalid(
            CHANGES,
            format!(
                "an item of {attr} that is not an object cannot be removed in a partial resource"
            ),
        )),
    }
}

/// The slot of a nested attribute, inside the whole top-level value taken
/// from `current` (once, then changed in place by later changes).
fn inside_whole_value<'a>(
    body: &'a mut Map<String, Value>,
    (top, rest): (&str, &[&str]),
    current: &Value,
    attr: &AttrPath,
) -> Result<&'a mut Value, Error> {
    let mut slot = body
        .entry(top.to_owned())
        .or_insert_with(|| field(current, top).cloned().unwrap_or(Value::Null));
    for key in rest {
        if slot.is_null() {
            *slot = Value::Object(Map::new());
        }
        let Value::Object(object) = slot else {
            return Err(Error::invalid(
                CHANGES,
                format!(
                    "{attr}: the value it belongs to is not a complex attribute \
                     (a sub-attribute of a multi-valued attribute cannot be sent \
                     in a partial resource)"
                ),
            ));
        };
        let name = object
            .keys()
            .find(|name| name.eq_ignore_ascii_case(key))
            .cloned()
            .unwrap_or_else(|| (*key).to_owned());
        slot = object.entry(name).or_insert(Value::Null);
    }
    Ok(slot)
}

/// A change inside a whole value sent as it is: its lists are sent whole too.
fn change_whole(slot: &mut Value, change: &PatchChange) -> Result<(), Error> {
    match change {
        PatchChange::Set { value, .. } => *slot = replaced(Some(slot), value, false)?,
        PatchChange::Clear { .. } => *slot = Value::Null,
        PatchChange::AddItem { item, .. } => match slot {
            Value::Array(items) if items.contains(item) => {}
            Value::Array(items) => items.push(item.clone()),
            Value::Null => *slot = Value::Array(vec![item.clone()]),
            _ => return Err(not_a_list(change.attr())),
        },
        PatchChange::RemoveItem { item, .. } => match slot {
            Value::Array(items) => items.retain(|kept| !same_item(kept, item)),
            Value::Null => {}
            _ => return Err(not_a_list(change.attr())),
        },
    }
    Ok(())
}

fn not_a_list(attr: &AttrPath) -> Error {
    Error::invalid(CHANGES, format!("{attr} is not a multi-valued attribute"))
}

/// RFC 7644 §3.5.2's `PatchOp`: `replace` to set, `remove` to clear, `add`
/// for items (one operation per run of items of one attribute), and
/// `remove` of items by value filter, or with the items as `value` where
/// paths take no filter (GitHub).
fn patch_op(changes: &[PatchChange], value_filter_paths: bool) -> Result<PatchOp, Error> {
    let mut patch = PatchOp::new();
    for change in changes {
        patch = match change {
            PatchChange::Set { attr, value } if value.is_null() => patch.remove(attr),
            // A whole extension is replaced without a path: RFC 7644
            // §3.10's grammar would read `…:enterprise:2.0:User` as an
            // attribute `User` of a schema `…:2.0`.
            PatchChange::Set { attr, value } if attr.is_whole_extension() => {
                let mut attributes = serde_json::Map::new();
                attributes.insert(attr.name.clone(), value.clone());
                patch.replace_attributes(attributes)
            }
            PatchChange::Set { attr, value } => patch.replace(attr, value.clone()),
            PatchChange::Clear { attr } => patch.remove(attr),
            PatchChange::AddItem { attr, item } => {
                with_item(patch, PatchOpKind::Add, attr, item, |p, path, v| {
                    p.add(path, v)
                })
            }
            PatchChange::RemoveItem { attr, item } if value_filter_paths => patch.remove(
                PatchPath::value_filter(attr.clone(), item_filter(attr, item)?, None),
            ),
            PatchChange::RemoveItem { attr, item } => {
                with_item(patch, PatchOpKind::Remove, attr, item, |p, path, v| {
                    p.remove_value(path, v)
                })
            }
        };
    }
    Ok(patch)
}

/// `item` joined to the last operation when it is `kind` on `attr` with a
/// list of items, else a new operation made by `push`.
fn with_item(
    mut patch: PatchOp,
    kind: PatchOpKind,
    attr: &AttrPath,
    item: &Value,
    push: fn(PatchOp, String, Value) -> PatchOp,
) -> PatchOp {
    let path = attr.to_string();
    if let Some(last) = patch.operations.last_mut() {
        let same = last.op == kind && last.path.as_deref() == Some(path.as_str());
        if let (true, Some(Value::Array(items))) = (same, &mut last.value) {
            items.push(item.clone());
            return patch;
        }
    }
    push(patch, path, Value::Array(vec![item.clone()]))
}

/// The filter naming `item` in a value-filter path: its `value` when it
/// has one, else all its simple sub-attributes.
fn item_filter(attr: &AttrPath, item: &Value) -> Result<Filter, Error> {
    let compared = |value: &Value| match value {
        Value::String(text) => Some(CompValue::Str(text.clone())),
        Value::Bool(flag) => Some(CompValue::Bool(*flag)),
        Value::Number(number) => Some(CompValue::Num(number.clone())),
        _ => None,
    };
    let unnamed = || {
        Error::invalid(
            CHANGES,
            format!("an item of {attr} without a simple sub-attribute cannot be named in a filter"),
        )
    };
    let object = item.as_object().ok_or_else(unnamed)?;
    if let Some(value) = field(item, "value").and_then(compared) {
        return Ok(Filter::eq("value", value));
    }
    object
        .iter()
        .filter_map(|(name, value)| Some(Filter::eq(name.as_str(), compared(value)?)))
        .reduce(Filter::and)
        .ok_or_else(unnamed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

    const SLACK_V1: PatchForm = PatchForm::PartialResource;
    const RFC_7644: PatchForm = PatchForm::PatchOp {
        value_filter_paths: true,
    };
    const GITHUB: PatchForm = PatchForm::PatchOp {
        value_filter_paths: false,
    };

    fn current() -> Value {
        json!({
            "id": "W1",
            "title": "Dev",
            "name": {"givenName": "Zed", "familyName": "Zulu"},
            "emails": [{"value": "a@x.test", "primary": true}],
            ENTERPRISE: {"department": "R&D", "costCenter": "1"},
        })
    }

    fn ops(operations: Value) -> Value {
        json!({"schemas": [PATCH_OP], "Operations": operations})
    }

    /// A rendered body kept typed writes the text the same body kept as JSON
    /// writes, and reads back as itself, in both forms.
    #[test]
    fn a_body_kept_typed_writes_and_reads_back_as_its_json() {
        let changes = PatchChanges::new()
            .set("title", "Analyst")
            .set("name.givenName", "Ada")
            .clear("nickName");
        for form in [SLACK_V1, RFC_7644, GITHUB] {
            let body = changes.render(form, Some(&current())).unwrap();
            let text = serde_json::to_string(&body).unwrap();
            assert_eq!(text, serde_json::to_string(&body.to_value()).unwrap());
            let read: PatchBody = serde_json::from_str(&text).unwrap();
            assert_eq!(read, body, "{form:?}");
        }
        let lenient: PatchBody = serde_json::from_value(
            json!({"operations": [{"op": "Replace", "path": "title", "value": "A"}]}),
        )
        .unwrap();
        assert!(matches!(&lenient, PatchBody::Ops(patch) if patch.schemas == [PATCH_OP]));
        // Told a PatchOp by `Operations` in any case, so read as one in any
        // case (it failed as "missing field `Operations`"); `null` is none.
        let shouted: PatchBody = serde_json::from_value(json!({
            "SCHEMAS": [PATCH_OP],
            "OPERATIONS": [{"OP": "REMOVE", "PATH": "title"}]
        }))
        .unwrap();
        let PatchBody::Ops(shouted) = shouted else {
            panic!("a PatchOp: {shouted:?}")
        };
        assert_eq!(shouted.operations.len(), 1);
        assert_eq!(shouted.operations[0].op, PatchOpKind::Remove);
        assert_eq!(
            (shouted.schemas.as_slice(), shouted.extra.len()),
            ([PATCH_OP.to_owned()].as_slice(), 0)
        );
        let none: PatchOp = serde_json::from_value(json!({"Operations": null})).unwrap();
        assert!(none.operations.is_empty());
        // Two spellings of one member: refused, not one taken and the
        // other kept to be written back beside it.
        let twice = serde_json::from_value::<PatchOp>(json!({
            "Operations": [{"op": "remove", "path": "title"}],
            "operations": [{"op": "remove", "path": "nickName"}]
        }));
        assert!(twice.unwrap_err().to_string().contains("given twice"));
        let op_twice = serde_json::from_value::<PatchOp>(json!({
            "Operations": [{"op": "remove", "Op": "add", "path": "title"}]
        }));
        assert!(op_twice.unwrap_err().to_string().contains("given twice"));
        let partial: PatchBody = serde_json::from_value(json!({"title": "A"})).unwrap();
        assert_eq!(
            partial,
            PatchBody::Partial(json!({"title": "A"}).as_object().unwrap().clone())
        );
        let broken = serde_json::from_value::<PatchBody>(json!({"Operations": "none"}));
        assert!(broken.unwrap_err().to_string().contains("not a PatchOp"));
    }

    fn rendered(changes: &PatchChanges, form: PatchForm) -> Value {
        changes
            .render(form, Some(&current()))
            .unwrap_or_else(|e| panic!("{form:?} {changes:?}: {e}"))
            .to_value()
    }

    /// Attribute changes → (Slack v1, `PatchOp` with or without filter
    /// paths: the same, as no path holds a filter).
    #[test]
    fn attribute_changes_are_whole_values_in_slack_v1_and_paths_in_patch_op() {
        let department = format!("{ENTERPRISE}:department");
        let core_given_name = "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName";
        let zedd_zulu = json!({"name": {"givenName": "Zedd", "familyName": "Zulu"}});
        let new_email = json!([{"value": "b@x.test", "primary": true}]);
        let table: Vec<(PatchChanges, Value, Value)> = vec![
            (
                PatchChanges::new().set("title", "Lead").clear("nickName"),
                json!({"title": "Lead", "nickName": null}),
                json!([{"op": "replace", "path": "title", "value": "Lead"},
                       {"op": "remove", "path": "nickName"}]),
            ),
            (
                PatchChanges::new().set("title", Value::Null),
                json!({"title": null}),
                json!([{"op": "remove", "path": "title"}]),
            ),
            (
                PatchChanges::new().set("name.givenName", "Zedd"),
                zedd_zulu.clone(),
                json!([{"op": "replace", "path": "name.givenName", "value": "Zedd"}]),
            ),
            (
                PatchChanges::new().clear("name.givenName"),
                json!({"name": {"givenName": null, "familyName": "Zulu"}}),
                json!([{"op": "remove", "path": "name.givenName"}]),
            ),
            (
                PatchChanges::new().set("name", json!({"givenName": "Zedd"})),
                zedd_zulu.clone(),
                json!([{"op": "replace", "path": "name", "value": {"givenName": "Zedd"}}]),
            ),
            (
                PatchChanges::new().set("emails", new_email.clone()),
                json!({"emails": [{"value": "b@x.test", "primary": true},
                                  {"value": "a@x.test", "primary": true, "operation": "delete"}]}),
                json!([{"op": "replace", "path": "emails", "value": new_email}]),
            ),
            (
                PatchChanges::new().set(department.as_str(), "Maths"),
                json!({ENTERPRISE: {"department": "Maths", "costCenter": "1"}}),
                json!([{"op": "replace", "path": department, "value": "Maths"}]),
            ),
            (
                PatchChanges::new().set(core_given_name, "Zedd"),
                zedd_zulu,
                json!([{"op": "replace", "path": core_given_name, "value": "Zedd"}]),
            ),
        ];
        for (changes, slack_v1, operations) in table {
            assert_eq!(rendered(&changes, SLACK_V1), slack_v1, "{changes:?}");
            assert_eq!(
                rendered(&changes, RFC_7644),
                ops(operations.clone()),
                "{changes:?}"
            );
            assert_eq!(rendered(&changes, GITHUB), ops(operations), "{changes:?}");
        }
    }

    /// Items: listed in Slack v1, one `add` per run of additions, removals by
    /// value filter in RFC 7644, by value where paths take no filter.
    #[test]
    fn item_changes_are_listed_in_slack_v1_and_removed_by_filter_or_value_in_patch_op() {
        let changes = PatchChanges::new()
            .add_item("members", json!({"value": "W1"}))
            .add_item("members", json!({"value": "W4"}))
            .remove_item("members", json!({"value": "W2"}))
            .remove_item("members", json!({"value": "W3"}));
        let added =
            json!({"op": "add", "path": "members", "value": [{"value": "W1"}, {"value": "W4"}]});
        assert_eq!(
            rendered(&changes, SLACK_V1),
            json!({"members": [{"value": "W1"}, {"value": "W4"},
                               {"value": "W2", "operation": "delete"},
                               {"value": "W3", "operation": "delete"}]})
        );
        assert_eq!(
            rendered(&changes, RFC_7644),
            ops(json!([added,
                       {"op": "remove", "path": "members[value eq \"W2\"]"},
                       {"op": "remove", "path": "members[value eq \"W3\"]"}]))
        );
        assert_eq!(
            rendered(&changes, GITHUB),
            ops(json!([added,
                       {"op": "remove", "path": "members", "value": [{"value": "W2"}, {"value": "W3"}]}]))
        );
    }

    /// Changes → whether Slack v1 needs the current resource. `PatchOp`
    /// never does, and renders without it.
    #[test]
    fn only_a_partial_resource_changing_a_whole_value_needs_the_current_one() {
        let table = [
            (
                PatchChanges::new().set("title", "Lead").clear("name"),
                false,
            ),
            (
                PatchChanges::new().add_item("members", json!({"value": "W1"})),
                false,
            ),
            (PatchChanges::new().clear("name.givenName"), true),
            (
                PatchChanges::new().set("name", json!({"givenName": "A"})),
                true,
            ),
            (PatchChanges::new().set("emails", json!([])), true),
            (
                PatchChanges::new().set(format!("{ENTERPRISE}:department").as_str(), "X"),
                true,
            ),
        ];
        for (changes, needed) in table {
            assert_eq!(changes.needs_current(SLACK_V1), needed, "{changes:?}");
            assert!(!changes.needs_current(RFC_7644), "{changes:?}");
            assert!(changes.render(RFC_7644, None).is_ok(), "{changes:?}");
            let without = changes.render(SLACK_V1, None);
            match needed {
                true => assert!(
                    matches!(
                        without,
                        Err(Error::InvalidArgument {
                            name: "current",
                            ..
                        })
                    ),
                    "{changes:?}: {without:?}"
                ),
                false => assert!(without.is_ok(), "{changes:?}: {without:?}"),
            }
        }
    }

    #[test]
    fn changes_no_form_can_write_are_refused_before_anything_is_sent() {
        let refused =
            |changes: PatchChanges, form: PatchForm| match changes.render(form, Some(&current())) {
                Err(Error::InvalidArgument { name, reason }) => (name, reason),
                other => panic!("{form:?} {changes:?}: {other:?}"),
            };
        let (_, reason) = refused(PatchChanges::new().set("externalId", "hr:1"), SLACK_V1);
        assert!(reason.contains("externalId"), "{reason}");
        assert!(!SLACK_V1.can_patch("externalId") && !SLACK_V1.can_patch("password"));
        assert!(SLACK_V1.can_patch("title") && RFC_7644.can_patch("externalId"));
        assert!(
            PatchChanges::new()
                .set("externalId", "hr:1")
                .render(RFC_7644, None)
                .is_ok()
        );
        let (_, reason) = refused(PatchChanges::new().set("title] or title pr", "x"), RFC_7644);
        assert!(reason.contains("not an attribute path"), "{reason}");
        let (_, reason) = refused(
            PatchChanges::new().set("emails.value", "b@x.test"),
            SLACK_V1,
        );
        assert!(reason.contains("multi-valued"), "{reason}");
        let (_, reason) = refused(
            PatchChanges::new().remove_item("emails", json!([1])),
            RFC_7644,
        );
        assert!(reason.contains("filter"), "{reason}");
        let (_, reason) = refused(
            PatchChanges::new()
                .clear("emails")
                .add_item("emails", json!({"value": "b@x.test"})),
            SLACK_V1,
        );
        assert!(reason.contains("item by item"), "{reason}");
    }

    #[test]
    fn item_filters_escape_values_and_name_items_without_a_value_by_all_their_parts() {
        let changes = PatchChanges::new()
            .remove_item("members", json!({"value": r#"a" or value pr or "b"#}))
            .remove_item("phoneNumbers", json!({"type": "work", "primary": true}));
        assert_eq!(
            rendered(&changes, RFC_7644)["Operations"],
            json!([{"op": "remove", "path": r#"members[value eq "a\" or value pr or \"b"]"#},
                   {"op": "remove", "path": r#"phoneNumbers[primary eq true and type eq "work"]"#}])
        );
    }

    /// Dialect and body → refused or not.
    #[test]
    fn a_body_in_the_other_dialects_form_is_refused() {
        let partial = json!({"title": "Lead"});
        let patch_op = ops(json!([{"op": "replace", "path": "title", "value": "Lead"}]));
        let without_schemas = json!({"Operations": []});
        let table = [
            (Dialect::SlackV1, &partial, true),
            (Dialect::SlackV1, &patch_op, false),
            (Dialect::SlackV1, &without_schemas, false),
            (Dialect::SlackV2, &partial, false),
            (Dialect::SlackV2, &patch_op, true),
            (Dialect::Scim2, &partial, false),
            (Dialect::Scim2, &without_schemas, true),
        ];
        for (dialect, body, accepted) in table {
            let checked = check_form(dialect, body);
            assert_eq!(checked.is_ok(), accepted, "{dialect:?} {body}: {checked:?}");
            if let Err(error) = checked {
                assert!(matches!(error, Error::InvalidArgument { name: "body", .. }));
            }
        }
    }
}
