//! The pure planner: desired users and the provider's current ones in, a
//! [`Plan`] out. No I/O, no clock: the same inputs give the same plan,
//! byte for byte.

use std::collections::{BTreeMap, HashMap};

use scim_client::model::User;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::options::{MatchKey, Ownership, PlanOptions};

/// One attribute to set (`value`) or clear (`None`), by SCIM path
/// (`title`, `name.givenName`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The attribute path.
    pub path: String,
    /// The new value; `None` clears it (`null` in Slack v1, `remove` in RFC 7644).
    pub value: Option<Value>,
}

/// One step of a plan.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum Step {
    /// Create this user (its managed attributes, as JSON).
    CreateUser {
        /// The desired user's match key.
        key: String,
        /// The body to create it with.
        user: Value,
    },
    /// Change these attributes of a managed account.
    UpdateUser {
        /// The match key.
        key: String,
        /// The provider's id.
        id: String,
        /// The smallest change: only attributes that differ.
        changes: Vec<Change>,
    },
    /// An existing account the source did not own yet becomes managed:
    /// its `externalId` is set, with any other change.
    AdoptUser {
        /// The match key.
        key: String,
        /// The provider's id.
        id: String,
        /// `externalId` and the attributes that differ.
        changes: Vec<Change>,
    },
    /// Deactivate an owned account the source no longer lists.
    DeactivateUser {
        /// The provider's id.
        id: String,
        /// Its `userName`, for people reading the plan.
        user_name: String,
    },
    /// Delete it instead (only when the options ask).
    DeleteUser {
        /// The provider's id.
        id: String,
        /// Its `userName`.
        user_name: String,
    },
}

/// An account the plan does not touch, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeftAlone {
    /// The provider's id.
    pub id: String,
    /// Why: not owned by the source, already inactive, or deactivation off.
    pub reason: String,
}

/// A typed, serialisable, deterministic plan, tied to the state it was
/// computed from by [`fingerprint`](Self::fingerprint).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// A fingerprint of the provider's state the plan was computed from:
    /// apply refuses a provider whose state no longer has it.
    pub fingerprint: String,
    /// The steps: creates, adoptions, updates, then deactivations, each in
    /// key or id order.
    pub steps: Vec<Step>,
    /// Accounts left as they are.
    pub left_alone: Vec<LeftAlone>,
}

impl Plan {
    /// How many steps write (all of them: a plan holds only writes).
    pub fn writes(&self) -> usize {
        self.steps.len()
    }
}

/// Why no plan could be made. Nothing is planned from bad input.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanError {
    /// A desired user has no value for the match key (its index in the input).
    MissingKey {
        /// The index in the desired users.
        index: usize,
        /// The match key.
        key: MatchKey,
    },
    /// Two desired users, or two provider accounts, share a key: which one
    /// is meant cannot be guessed.
    DuplicateKey {
        /// The key.
        key: String,
        /// `"source"` or `"provider"`.
        side: &'static str,
    },
    /// A provider account has no `id`.
    MissingId {
        /// Its index in the current users.
        index: usize,
    },
    /// The plan would deactivate more than the limit allows.
    TooManyDeactivations {
        /// Deactivations planned.
        planned: usize,
        /// Accounts the source owns.
        owned: usize,
    },
    /// The source is empty, or far smaller than the last one: deactivations
    /// are refused, as a truncated export would deactivate everyone it lost.
    SourceShrank {
        /// Users in this source.
        size: usize,
        /// Users in the last one, when known.
        last: Option<usize>,
    },
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::MissingKey { index, key } => {
                write!(f, "desired user #{index} has no {key:?} to match on")
            }
            PlanError::DuplicateKey { key, side } => {
                write!(f, "two users in the {side} share the key {key:?}")
            }
            PlanError::MissingId { index } => write!(f, "provider account #{index} has no id"),
            PlanError::TooManyDeactivations { planned, owned } => write!(
                f,
                "the plan would deactivate {planned} of {owned} owned accounts, over the limit; \
                 allow it explicitly if that is meant"
            ),
            PlanError::SourceShrank { size, last } => write!(
                f,
                "the source has {size} users (last time: {}); deactivations refused",
                last.map_or("unknown".to_owned(), |n| n.to_string())
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// Plans what makes `current` (the provider's users, from list pages) match
/// `desired` (the source's), within `options`.
pub fn plan_users(
    desired: &[User],
    current: &[User],
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    let desired = index_desired(desired, options)?;
    let current = index_current(current, options)?;
    let mut creates = Vec::new();
    let mut updates = Vec::new();
    let mut matched = std::collections::HashSet::new();
    for (key, want) in &desired {
        match current.by_key.get(key) {
            None => creates.push(Step::CreateUser {
                key: key.clone(),
                user: managed_body(want, options),
            }),
            Some(&index) => {
                matched.insert(index);
                if let Some(step) = update_step(key, want, &current.users[index], options) {
                    updates.push(step);
                }
            }
        }
    }
    let (removals, left_alone) = removals(&current, &matched, options, desired.len())?;
    let mut steps = creates;
    steps.extend(updates);
    steps.extend(removals);
    Ok(Plan {
        fingerprint: fingerprint(&current.users),
        steps,
        left_alone,
    })
}

/// The desired users as JSON, by key, in key order.
fn index_desired(
    desired: &[User],
    options: &PlanOptions,
) -> Result<BTreeMap<String, Value>, PlanError> {
    let mut by_key = BTreeMap::new();
    for (index, user) in desired.iter().enumerate() {
        let json = to_json(user);
        let key = match_key(&json, options.match_key).ok_or(PlanError::MissingKey {
            index,
            key: options.match_key,
        })?;
        if by_key.insert(key.clone(), json).is_some() {
            return Err(PlanError::DuplicateKey {
                key,
                side: "source",
            });
        }
    }
    Ok(by_key)
}

/// The provider's accounts as JSON, and where each key is.
struct Current {
    users: Vec<(String, Value)>,
    by_key: HashMap<String, usize>,
}

fn index_current(current: &[User], options: &PlanOptions) -> Result<Current, PlanError> {
    let mut users = Vec::with_capacity(current.len());
    let mut by_key = HashMap::with_capacity(current.len());
    for (index, user) in current.iter().enumerate() {
        let id = user
            .id
            .as_deref()
            .ok_or(PlanError::MissingId { index })?
            .to_owned();
        let json = to_json(user);
        if let Some(key) = match_key(&json, options.match_key) {
            if by_key.insert(key.clone(), users.len()).is_some() {
                return Err(PlanError::DuplicateKey {
                    key,
                    side: "provider",
                });
            }
        }
        users.push((id, json));
    }
    Ok(Current { users, by_key })
}

/// The canonical JSON of a user: what the client writes, so provider
/// oddities (`"True"`, key casing) are already normalised.
fn to_json(user: &User) -> Value {
    serde_json::to_value(user).unwrap_or(Value::Null)
}

/// The match key's value, normalised (case-insensitive keys lower-cased).
fn match_key(user: &Value, key: MatchKey) -> Option<String> {
    fn text(value: Option<&Value>) -> Option<&str> {
        value.and_then(Value::as_str).filter(|s| !s.is_empty())
    }
    match key {
        MatchKey::ExternalId => text(user.get("externalId")).map(str::to_owned),
        MatchKey::UserName => text(user.get("userName")).map(str::to_lowercase),
        MatchKey::PrimaryEmail => {
            let emails = user.get("emails")?.as_array()?;
            let primary = emails
                .iter()
                .find(|e| e.get("primary") == Some(&Value::Bool(true)))
                .or_else(|| emails.first())?;
            text(primary.get("value")).map(str::to_lowercase)
        }
    }
}

/// The desired user's managed attributes (and `externalId`), as a create body.
fn managed_body(user: &Value, options: &PlanOptions) -> Value {
    let mut body = Map::new();
    for path in options
        .managed
        .iter()
        .map(String::as_str)
        .chain(["externalId"])
    {
        if let Some(value) = get(user, path).filter(|v| !v.is_null()) {
            set(&mut body, path, value.clone());
        }
    }
    Value::Object(body)
}

/// An update or adoption when anything managed differs.
fn update_step(
    key: &str,
    want: &Value,
    (id, have): &(String, Value),
    options: &PlanOptions,
) -> Option<Step> {
    let mut changes = diff(want, have, &options.managed);
    let adopting = match (want.get("externalId"), have.get("externalId")) {
        (Some(Value::String(want)), have) => have.and_then(Value::as_str) != Some(want.as_str()),
        _ => false,
    };
    if adopting {
        changes.insert(
            0,
            Change {
                path: "externalId".into(),
                value: want.get("externalId").cloned(),
            },
        );
        return Some(Step::AdoptUser {
            key: key.to_owned(),
            id: id.clone(),
            changes,
        });
    }
    (!changes.is_empty()).then(|| Step::UpdateUser {
        key: key.to_owned(),
        id: id.clone(),
        changes,
    })
}

/// The managed attributes that differ: set where the source has a value,
/// cleared where it has `null` and the provider a value; absent in the
/// source means "not the source's to say".
pub(crate) fn diff(want: &Value, have: &Value, managed: &[String]) -> Vec<Change> {
    let mut changes = Vec::new();
    for path in managed {
        let Some(wanted) = get(want, path) else {
            continue;
        };
        let had = get(have, path).filter(|v| !v.is_null());
        match (wanted.is_null(), had) {
            (true, Some(_)) => changes.push(Change {
                path: path.clone(),
                value: None,
            }),
            (true, None) => {}
            (false, Some(had)) if same(wanted, had) => {}
            (false, _) => changes.push(Change {
                path: path.clone(),
                value: Some(wanted.clone()),
            }),
        }
    }
    changes
}

/// Equal, with multi-valued attributes compared as sets (providers reorder
/// them).
fn same(a: &Value, b: &Value) -> bool {
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

/// `path` (`title`, `name.givenName`) in a user's JSON.
fn get<'a>(user: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.')
        .try_fold(user, |value, part| value.get(part))
}

/// Sets `path` in `body`, creating the parent object of a sub-attribute.
fn set(body: &mut Map<String, Value>, path: &str, value: Value) {
    match path.split_once('.') {
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

/// Deactivations (or deletions) of owned accounts the source dropped,
/// within the rails; every other unmatched account is left alone, with why.
fn removals(
    current: &Current,
    matched: &std::collections::HashSet<usize>,
    options: &PlanOptions,
    source_size: usize,
) -> Result<(Vec<Step>, Vec<LeftAlone>), PlanError> {
    let mut steps = Vec::new();
    let mut left_alone = Vec::new();
    let owned = current
        .users
        .iter()
        .filter(|(_, user)| owns(&options.ownership, user))
        .count();
    for (index, (id, user)) in current.users.iter().enumerate() {
        if matched.contains(&index) {
            continue;
        }
        let reason = if !owns(&options.ownership, user) {
            Some("not owned by the source")
        } else if user.get("active") == Some(&Value::Bool(false)) && !options.delete_instead {
            Some("already inactive")
        } else if !options.deactivate_missing {
            Some("deactivation is off")
        } else {
            None
        };
        if let Some(reason) = reason {
            left_alone.push(LeftAlone {
                id: id.clone(),
                reason: reason.into(),
            });
            continue;
        }
        let user_name = get(user, "userName")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        steps.push(if options.delete_instead {
            Step::DeleteUser {
                id: id.clone(),
                user_name,
            }
        } else {
            Step::DeactivateUser {
                id: id.clone(),
                user_name,
            }
        });
    }
    check_rails(steps.len(), owned, source_size, options)?;
    steps.sort_by(|a, b| step_id(a).cmp(step_id(b)));
    left_alone.sort_by(|a, b| a.id.cmp(&b.id));
    Ok((steps, left_alone))
}

fn step_id(step: &Step) -> &str {
    match step {
        Step::DeactivateUser { id, .. } | Step::DeleteUser { id, .. } => id,
        Step::UpdateUser { key, .. }
        | Step::AdoptUser { key, .. }
        | Step::CreateUser { key, .. } => key,
    }
}

fn owns(ownership: &Ownership, user: &Value) -> bool {
    let external_id = user.get("externalId").and_then(Value::as_str);
    match ownership {
        Ownership::ExternalIdPrefix(prefix) => {
            external_id.is_some_and(|id| id.starts_with(prefix.as_str()))
        }
        Ownership::AnyExternalId => external_id.is_some_and(|id| !id.is_empty()),
        Ownership::Nothing => false,
    }
}

/// The safety rails on deactivations.
fn check_rails(
    planned: usize,
    owned: usize,
    source_size: usize,
    options: &PlanOptions,
) -> Result<(), PlanError> {
    if planned == 0 || options.allow_mass_deactivation {
        return Ok(());
    }
    let shrank = options
        .last_source_size
        .is_some_and(|last| (source_size as f64) < last as f64 * options.shrink_percent / 100.0);
    if source_size == 0 || shrank {
        return Err(PlanError::SourceShrank {
            size: source_size,
            last: options.last_source_size,
        });
    }
    let percent = planned as f64 * 100.0 / owned.max(1) as f64;
    if planned > options.limit.max_count || percent > options.limit.max_percent {
        return Err(PlanError::TooManyDeactivations { planned, owned });
    }
    Ok(())
}

/// A fingerprint of the provider's accounts: FNV-1a 64 over their ids and
/// canonical JSON, in id order (so list order does not matter).
pub fn fingerprint(users: &[(String, Value)]) -> String {
    let mut sorted: Vec<&(String, Value)> = users.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (id, user) in sorted {
        // `meta` changes on every read-back in some providers; it is not state.
        let mut user = user.clone();
        if let Value::Object(map) = &mut user {
            map.remove("meta");
        }
        for byte in id
            .bytes()
            .chain([0])
            .chain(user.to_string().into_bytes())
            .chain([0])
        {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{hash:016x}")
}
