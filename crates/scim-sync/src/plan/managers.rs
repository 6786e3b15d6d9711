//! Managers (RFC 7643 §4.3, the enterprise extension's `manager`): the
//! source names each user's manager by the manager's match key; the
//! planner writes the provider's id of that user.
//!
//! A manager the provider already has is written with the report's other
//! attributes (in its create or its update). A manager this plan creates
//! has no id yet: the report's manager is then a [`NewManager`] on an
//! update that runs once every create has (apply's second phase, as
//! membership changes wait for their users), and apply writes the id the
//! create returned. A new report whose manager is new too is created
//! without one and given it by that update.
//!
//! So a cycle (A manages B, B manages A, both new; or someone who manages
//! themselves) does not deadlock: both creates run, then both updates. It
//! is not refused, as an HR export commonly lists its CEO as their own
//! manager.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::enterprise::Enterprise;
use super::json::{remove, set};
use super::users::DesiredKeys;
use super::{Change, ManagerError, ManagerProblem, NewManager, PlanError};
use crate::desired::DesiredManager;
use crate::options::MatchKey;

/// Where a manager's key leads.
pub(crate) enum Known {
    /// To this account at the provider (met by key or by login).
    At(String),
    /// To a desired user the plan creates.
    Created,
    /// Nowhere.
    Unknown,
}

/// What a desired user's manager is to be.
enum Resolved {
    /// None: clear it.
    Clear,
    /// The account with this id.
    Id(String),
    /// The user with this key, which the plan creates.
    Created(String),
}

/// The desired users' managers, resolved.
pub(crate) struct Managers {
    by_user: HashMap<String, Resolved>,
    enterprise: Enterprise,
    /// Slack v1's partial resource: a manager set later sends the
    /// extension whole, so it carries the extension as it will be.
    partial: bool,
}

impl Managers {
    /// No manager is the plan's to write (the plan does not manage it).
    pub(crate) fn none(enterprise: Enterprise) -> Managers {
        Managers {
            by_user: HashMap::new(),
            enterprise,
            partial: false,
        }
    }

    /// Resolves `managers` (keys in `match_key`): each user must be one of
    /// `desired_keys`, and each manager's key lead somewhere (`known`).
    /// Every problem is reported, in line order.
    pub(crate) fn resolve(
        managers: &[DesiredManager],
        desired_keys: &DesiredKeys<'_>,
        match_key: MatchKey,
        mut known: impl FnMut(&str) -> Known,
        (enterprise, partial): (Enterprise, bool),
    ) -> Result<Managers, PlanError> {
        let mut by_user = HashMap::with_capacity(managers.len());
        let mut errors = Vec::new();
        for given in managers {
            let user = match_key.normalise(&given.user);
            let manager = given.manager.as_deref().map(|key| match_key.normalise(key));
            let problem = |problem| ManagerError {
                line: given.line,
                user: user.clone(),
                manager: manager.clone(),
                problem,
            };
            if !desired_keys.contains_key(&user) {
                errors.push(problem(ManagerProblem::UnknownUser));
                continue;
            }
            let resolved = match manager.as_deref().map(|key| (key, known(key))) {
                None => Resolved::Clear,
                Some((_, Known::At(id))) => Resolved::Id(id),
                Some((key, Known::Created)) => Resolved::Created(key.to_owned()),
                Some((_, Known::Unknown)) => {
                    errors.push(problem(ManagerProblem::UnknownManager));
                    continue;
                }
            };
            if by_user.insert(user.clone(), resolved).is_some() {
                errors.push(problem(ManagerProblem::Twice));
            }
        }
        if !errors.is_empty() {
            errors.sort_by_key(|e| e.line);
            return Err(PlanError::Managers { errors });
        }
        Ok(Managers {
            by_user,
            enterprise,
            partial,
        })
    }

    /// Whether the desired user `key` has a manager to write (or clear).
    pub(crate) fn names(&self, key: &str) -> bool {
        self.by_user.contains_key(key)
    }

    /// Writes the manager of the desired user `key` into `want` (its JSON,
    /// the extension under the dialect's URN): the id, or `null` to clear
    /// it. For a manager the plan creates, `want` says nothing of it and
    /// the manager's key is returned: the user's write must carry a
    /// [`NewManager`] ([`link`](Self::link)).
    pub(crate) fn fill(&self, key: &str, want: &mut Value) -> Option<&str> {
        let resolved = self.by_user.get(key)?;
        let object = want.as_object_mut()?;
        let path = self.enterprise.manager_path();
        match resolved {
            Resolved::Clear => set(object, &path, Value::Null),
            Resolved::Id(id) => set(object, &path, self.enterprise.manager(id)),
            Resolved::Created(manager) => {
                remove(object, &path);
                return Some(manager);
            }
        }
        None
    }

    /// The [`NewManager`] the write of a user carries: `manager` is the key
    /// of the user the plan creates. `before` is the user as the provider
    /// has it (its create's body, for a user the plan creates), and
    /// `changes` what the write changes first: in Slack v1's partial
    /// resource the extension is sent whole, as they leave it.
    pub(crate) fn link(&self, manager: &str, before: &Value, changes: &[Change]) -> NewManager {
        let urn = self.enterprise.urn();
        let current = self.partial.then(|| {
            let mut after = Map::new();
            if let Some(extension) = before.get(urn) {
                after.insert(urn.to_owned(), extension.clone());
            }
            for change in changes.iter().filter(|c| c.path.starts_with(urn)) {
                match &change.value {
                    Some(value) => set(&mut after, &change.path, value.clone()),
                    None => remove(&mut after, &change.path),
                }
            }
            Value::Object(after)
        });
        NewManager {
            key: manager.to_owned(),
            path: self.enterprise.manager_path(),
            current,
        }
    }
}
