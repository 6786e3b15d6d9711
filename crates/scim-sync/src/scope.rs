//! [`Scope`]: what the sync considers at all. Whatever is out of scope is
//! never written — not updated, not deactivated, not adopted, not a member
//! removed — and is listed among the plan's left-alone with the reason.
//!
//! Two sides, both include-only:
//! - the **provider's** accounts and groups, by a SCIM filter (RFC 7644
//!   §3.4.2.2) evaluated here on each resource as read (`users`, `groups`):
//!   the part of a tenant one sync manages (a domain, a department);
//! - the **source's** users, by a SCIM filter on the desired user
//!   (`sourceUsers`) and/or membership of named source groups
//!   (`sourceGroups`): the part of an export this sync is for. A source
//!   user left out is not "gone": the provider's account matched by that
//!   key is out of scope too, never deactivated.
//!
//! The planner, verify, apply's re-check of a plan and apply's 409 guard
//! all ask this one module, so an account out of scope at planning is out
//! of scope at every write.

use std::borrow::Cow;
use std::collections::HashSet;

use scim_client::filter::Filter;
use scim_client::model::{Group, User};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::desired::Desired;
use crate::options::MatchKey;

/// What the sync considers; every part optional (the default: everything).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// Provider accounts considered: a SCIM filter
    /// (`emails.value ew "@corp.example"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub users: Option<String>,
    /// Provider groups considered: a SCIM filter (`displayName sw "eng-"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<String>,
    /// Source users considered: a SCIM filter on the desired user.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_users: Option<String>,
    /// Source users considered: members of any of these source groups (by
    /// `displayName`, case-insensitively). Empty: no such condition.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub source_groups: Vec<String>,
}

/// A [`Scope`] filter that does not parse: which one, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScopeError {
    /// The field (`users`, `groups`, `sourceUsers`).
    pub field: String,
    /// The parser's reason.
    pub reason: String,
}

impl std::fmt::Display for ScopeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "scope.{}: not a SCIM filter: {}",
            self.field, self.reason
        )
    }
}

impl std::error::Error for ScopeError {}

/// Why a resource is out of scope, as the plan's left-alone says it.
pub(crate) const OUT_OF_PROVIDER_SCOPE: &str =
    "out of the sync's scope (scope.users or scope.groups)";
/// Why a provider account a source user left out of scope matches is.
pub(crate) const OUT_OF_SOURCE_SCOPE: &str = "out of the sync's scope: its source user is left out (scope.sourceUsers or scope.sourceGroups)";

/// A [`Scope`] with its filters parsed.
#[derive(Clone, Debug, Default)]
pub(crate) struct Compiled {
    users: Option<Filter>,
    groups: Option<Filter>,
    source_users: Option<Filter>,
    source_groups: Vec<String>,
}

impl Scope {
    /// Parses the filters once, for every check of a plan or an apply.
    pub(crate) fn compile(&self) -> Result<Compiled, ScopeError> {
        let parse = |field: &str, text: &Option<String>| {
            text.as_deref()
                .map(|text| text.parse::<Filter>())
                .transpose()
                .map_err(|error| ScopeError {
                    field: field.to_owned(),
                    reason: error.to_string(),
                })
        };
        Ok(Compiled {
            users: parse("users", &self.users)?,
            groups: parse("groups", &self.groups)?,
            source_users: parse("sourceUsers", &self.source_users)?,
            source_groups: self
                .source_groups
                .iter()
                .map(|g| g.to_lowercase())
                .collect(),
        })
    }
}

impl Compiled {
    /// Whether the provider's account `user` (its JSON as read) is in scope.
    pub(crate) fn user_json(&self, user: &Map<String, Value>) -> bool {
        self.users
            .as_ref()
            .is_none_or(|filter| filter.matches(user))
    }

    /// Whether the provider's account `user` is in scope.
    pub(crate) fn user(&self, user: &User) -> bool {
        self.users
            .as_ref()
            .is_none_or(|filter| filter.matches(&as_object(user)))
    }

    /// Whether the provider's group `group` (its JSON as read) is in scope.
    pub(crate) fn group_json(&self, group: &Map<String, Value>) -> bool {
        self.groups
            .as_ref()
            .is_none_or(|filter| filter.matches(group))
    }

    /// Whether the provider's group `group` is in scope.
    pub(crate) fn group(&self, group: &Group) -> bool {
        self.groups
            .as_ref()
            .is_none_or(|filter| filter.matches(&as_object(group)))
    }

    /// `desired` within the source's scope, and the match keys of the
    /// users left out (whose provider accounts are out of scope too).
    /// Members left out leave the groups' member lists with them. Without
    /// a source-side scope, `desired` itself (a copy of 100,000 users was
    /// a tenth of a plan's time and half its memory).
    pub(crate) fn source<'a>(
        &self,
        desired: &'a Desired,
        key: MatchKey,
    ) -> (Cow<'a, Desired>, HashSet<String>) {
        if self.source_users.is_none() && self.source_groups.is_empty() {
            return (Cow::Borrowed(desired), HashSet::new());
        }
        let in_groups: HashSet<String> = desired
            .groups
            .iter()
            .filter(|g| self.source_groups.contains(&g.display_name.to_lowercase()))
            .flat_map(|g| g.members.iter().map(|m| key.normalise(m)))
            .collect();
        let mut kept = Desired {
            match_key: desired.match_key,
            ..Desired::default()
        };
        let mut left_out = HashSet::new();
        for user in &desired.users {
            let user_key = key.of(user);
            let by_filter = self
                .source_users
                .as_ref()
                .is_none_or(|f| f.matches(&as_object(user)));
            let by_group = self.source_groups.is_empty()
                || user_key.as_ref().is_some_and(|k| in_groups.contains(k));
            match (by_filter && by_group, user_key) {
                (false, Some(user_key)) => {
                    left_out.insert(user_key);
                }
                _ => kept.users.push(user.clone()),
            }
        }
        kept.groups = desired.groups.clone();
        // A left-out user's manager link goes with it; a kept user's
        // manager may be left out of scope and is still resolved (it is
        // an account at the provider, or a user of the source).
        kept.managers = desired
            .managers
            .iter()
            .filter(|m| !left_out.contains(&key.normalise(&m.user)))
            .cloned()
            .collect();
        for group in &mut kept.groups {
            group
                .members
                .retain(|m| !left_out.contains(&key.normalise(m)));
        }
        (Cow::Owned(kept), left_out)
    }
}

/// Why the provider's account `user` is out of scope, when it is: out of
/// the provider-side filter, or matched (by `key`) to a source user left
/// out.
pub(crate) fn out_of_scope(
    scope: &Compiled,
    left_out: &HashSet<String>,
    user: &User,
    key: MatchKey,
) -> Option<&'static str> {
    if !scope.user(user) {
        return Some(OUT_OF_PROVIDER_SCOPE);
    }
    if left_out.is_empty() {
        return None;
    }
    key.of(user)
        .filter(|key| left_out.contains(key))
        .map(|_| OUT_OF_SOURCE_SCOPE)
}

/// A model resource as the JSON object a filter is evaluated on.
fn as_object(resource: &impl Serialize) -> Map<String, Value> {
    match serde_json::to_value(resource) {
        Ok(Value::Object(object)) => object,
        // A model type always serialises to an object.
        _ => Map::new(),
    }
}
