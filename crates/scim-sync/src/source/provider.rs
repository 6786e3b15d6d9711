//! A SCIM provider as a source: the users and groups one service holds (as
//! [`read_current_for`](crate::read_current_for) reads them, through this
//! crate's own client: profile, token, paging) become the [`Desired`] state
//! of another, so one command mirrors an IdP's SCIM export into Slack.
//!
//! What is taken, and why:
//! - a user keeps every attribute verbatim but the source's own `id` and
//!   `meta` (the planner writes only the managed ones); its `externalId`
//!   is the source's `externalId` when it has one, else the source's `id`
//!   — the one stable key every SCIM resource has (RFC 7643 §3.1), so a
//!   rename at the source is an update at the target, never a new account;
//! - an inactive source user stays `active: false`: suspended, which the
//!   target deactivates as an update, not a removal the rails count;
//! - a group's members are the members' match keys; a member that is a
//!   group is flattened into its users (a cycle is an error naming the
//!   groups); a member that is neither a user nor a group of the source
//!   is an error naming the group and the id;
//! - a user's manager (the enterprise extension's `manager`, RFC 7643
//!   §4.3: `value`, or Slack's `managerId`) is the source's id of another
//!   user: it becomes a [`DesiredManager`] by that user's key (resolved at
//!   the target by the planner) and leaves the user's extension, where the
//!   source's id would mean nothing; a manager who is not a user of the
//!   source is an error naming both;
//! - errors name the resource (`user <id>`, `group <id>`) and every one is
//!   reported, nothing planned from a partial read.

use std::collections::{BTreeSet, HashMap};

use scim_client::model::{Group, User};

use super::error::{SourceError, SourceErrorKind, SourceErrors};
use crate::desired::{Desired, DesiredGroup, DesiredManager};
use crate::options::MatchKey;
use crate::plan::Current;

/// The most levels of groups in groups followed before the nesting is
/// reported as too deep.
pub const MAX_NESTING: usize = 32;

/// The desired state a SCIM provider's `current` users and groups give,
/// matched by `match_key`, with every problem by resource.
pub fn from_provider(current: &Current, match_key: MatchKey) -> Result<Desired, SourceErrors> {
    let mut errors = SourceErrors::default();
    let mut keys = HashMap::with_capacity(current.users.len());
    let mut users = Vec::with_capacity(current.users.len());
    let mut manager_ids = Vec::new();
    for user in &current.users {
        let Some(id) = user.id.as_deref() else {
            errors.push(problem(SourceErrorKind::MissingKey, "a user without an id"));
            continue;
        };
        let mut desired = desired_user(user, id);
        let manager = take_manager(&mut desired);
        match match_key.of(&desired) {
            Some(key) => {
                keys.insert(id.to_owned(), key.clone());
                manager_ids.extend(manager.map(|manager| (id, key, manager)));
                users.push(desired);
            }
            _ => errors.push(problem(
                SourceErrorKind::MissingKey,
                format!("user {id}: no {match_key:?} (the match key)"),
            )),
        }
    }
    let mut managers = Vec::with_capacity(manager_ids.len());
    for (id, user, manager) in manager_ids {
        match keys.get(&manager) {
            Some(key) => managers.push(DesiredManager {
                user,
                manager: Some(key.clone()),
                line: None,
            }),
            None => errors.push(problem(
                SourceErrorKind::Value,
                format!("user {id}: manager {manager} is not a user of the source"),
            )),
        }
    }
    let groups = Groups::index(&current.groups);
    let mut desired_groups = Vec::with_capacity(current.groups.len());
    for group in &current.groups {
        match groups.desired(group, &keys) {
            Ok(desired) => desired_groups.push(desired),
            Err(error) => errors.push(error),
        }
    }
    errors.or_ok(Desired {
        match_key: Some(match_key),
        users,
        groups: desired_groups,
        managers,
    })
}

fn problem(kind: SourceErrorKind, message: impl Into<String>) -> SourceError {
    SourceError::new(kind, message)
}

/// The source's user as the target should have it: without the source's
/// `id` and `meta`, keyed by its `externalId` or else its `id`.
fn desired_user(user: &User, id: &str) -> User {
    let mut desired = user.clone();
    desired.id = Default::default();
    desired.meta = Default::default();
    if desired.external_id.as_deref().is_none_or(str::is_empty) {
        desired.external_id = id.to_owned().into();
    }
    desired
}

/// Takes the manager's id (the source's) out of `user`'s enterprise
/// extension, either version: `value` (RFC 7643) or Slack's `managerId`.
fn take_manager(user: &mut User) -> Option<String> {
    let mut found = None;
    for enterprise in [user.enterprise_v2.value_mut(), user.enterprise.value_mut()]
        .into_iter()
        .flatten()
    {
        if let Some(manager) = enterprise.manager.value() {
            let id = manager.value.as_deref().or(manager.manager_id.as_deref());
            found = found.or(id.filter(|id| !id.is_empty()).map(str::to_owned));
        }
        enterprise.manager = Default::default();
    }
    found
}

/// The source's groups by id, for flattening nested groups.
struct Groups<'a> {
    by_id: HashMap<&'a str, &'a Group>,
}

impl<'a> Groups<'a> {
    fn index(groups: &'a [Group]) -> Groups<'a> {
        let by_id = groups
            .iter()
            .filter_map(|group| Some((group.id.as_deref()?, group)))
            .collect();
        Groups { by_id }
    }

    /// `group` as a desired group (one without a name has nothing to be
    /// matched by at the target: an error).
    fn desired(
        &self,
        group: &Group,
        keys: &HashMap<String, String>,
    ) -> Result<DesiredGroup, SourceError> {
        let id = group.id.as_deref().unwrap_or_default();
        let Some(name) = group
            .display_name
            .as_deref()
            .filter(|n| !n.trim().is_empty())
        else {
            return Err(problem(
                SourceErrorKind::Required,
                format!("group {id}: no displayName to match it by"),
            ));
        };
        let mut members = BTreeSet::new();
        self.flatten(group, keys, &mut vec![id], &mut members)?;
        let external_id = group
            .external_id
            .as_deref()
            .filter(|e| !e.is_empty())
            .unwrap_or(id);
        Ok(DesiredGroup {
            display_name: name.to_owned(),
            external_id: (!external_id.is_empty()).then(|| external_id.to_owned()),
            members: members.into_iter().collect(),
        })
    }

    /// Adds the match keys of `group`'s users, and of the users of the
    /// groups in it, to `members`; `path` is the chain of groups followed.
    fn flatten(
        &self,
        group: &Group,
        keys: &HashMap<String, String>,
        path: &mut Vec<&'a str>,
        members: &mut BTreeSet<String>,
    ) -> Result<(), SourceError> {
        for member in group.members.value().into_iter().flatten() {
            // A member without the id it names cannot be followed: an
            // error, never a member silently left out.
            let Some(member) = member.value.as_deref() else {
                return Err(problem(
                    SourceErrorKind::Value,
                    format!("group {}: a member without a value (its id)", path[0]),
                ));
            };
            if let Some(key) = keys.get(member) {
                members.insert(key.clone());
                continue;
            }
            let Some((&inner_id, inner)) = self.by_id.get_key_value(member) else {
                return Err(problem(
                    SourceErrorKind::Value,
                    format!(
                        "group {}: member {member} is neither a user nor a group of the source",
                        path[0]
                    ),
                ));
            };
            if path.contains(&inner_id) || path.len() >= MAX_NESTING {
                return Err(nesting(path, inner_id));
            }
            path.push(inner_id);
            self.flatten(inner, keys, path, members)?;
            path.pop();
        }
        Ok(())
    }
}

/// A cycle of groups in groups (or nesting past [`MAX_NESTING`]), naming
/// the chain.
fn nesting(path: &[&str], next: &str) -> SourceError {
    let chain = format!("{} → {next}", path.join(" → "));
    let what = if path.contains(&next) {
        "groups contain each other"
    } else {
        "groups nest deeper than 32 levels"
    };
    problem(
        SourceErrorKind::Value,
        format!("group {}: {what} ({chain})", path[0]),
    )
}

#[cfg(test)]
mod tests {
    use scim_client::model::Member;

    use super::*;

    fn user(id: &str, user_name: &str, external_id: Option<&str>) -> User {
        User {
            id: id.into(),
            user_name: user_name.into(),
            external_id: external_id.map(str::to_owned).into(),
            ..User::default()
        }
    }

    fn group(id: &str, name: &str, members: &[&str]) -> Group {
        Group {
            id: id.into(),
            display_name: name.into(),
            members: members
                .iter()
                .map(|m| Member::addition(*m))
                .collect::<Vec<_>>()
                .into(),
            ..Group::default()
        }
    }

    #[test]
    fn users_lose_the_sources_id_and_are_keyed_by_external_id_or_else_id() {
        let current = Current {
            users: vec![user("u1", "ada", Some("hr:1")), user("u2", "bo", None)],
            groups: vec![],
        };
        let desired = from_provider(&current, MatchKey::ExternalId).unwrap();
        let keys: Vec<_> = desired
            .users
            .iter()
            .map(|u| u.external_id.as_deref())
            .collect();
        assert_eq!(keys, [Some("hr:1"), Some("u2")]);
        assert!(desired.users.iter().all(|u| u.id.is_absent()));
    }

    #[test]
    fn nested_groups_are_flattened_and_a_cycle_or_a_stranger_is_named() {
        let users = vec![
            user("u1", "ada", Some("hr:1")),
            user("u2", "bo", Some("hr:2")),
        ];
        let current = Current {
            users: users.clone(),
            groups: vec![
                group("g1", "all", &["u1", "g2"]),
                group("g2", "ops", &["u2"]),
            ],
        };
        let desired = from_provider(&current, MatchKey::ExternalId).unwrap();
        assert_eq!(desired.groups[0].members, ["hr:1", "hr:2"]);
        assert_eq!(desired.groups[0].external_id.as_deref(), Some("g1"));
        let cycle = Current {
            users: users.clone(),
            groups: vec![
                group("g1", "a", &["g2"]),
                group("g2", "b", &["g1"]),
                group("g3", "c", &["u1", "u9"]),
            ],
        };
        let errors = from_provider(&cycle, MatchKey::ExternalId).unwrap_err();
        let text = errors.to_string();
        assert!(
            text.contains("group g1: groups contain each other (g1 → g2 → g1)"),
            "{text}"
        );
        assert!(
            text.contains("member u9 is neither a user nor a group"),
            "{text}"
        );
    }

    #[test]
    fn a_user_without_the_match_key_is_an_error_naming_it() {
        let current = Current {
            users: vec![user("u1", "", Some("hr:1"))],
            groups: vec![],
        };
        let errors = from_provider(&current, MatchKey::UserName).unwrap_err();
        assert!(
            errors.to_string().contains("user u1: no UserName"),
            "{errors}"
        );
    }
}
