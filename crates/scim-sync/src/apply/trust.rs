//! What apply re-derives before it trusts a plan: a plan file is data an
//! admin can edit, so nothing in it is taken on its word.
//!
//! - its [digest](crate::Plan::computed_digest) must match its content (a
//!   step added, changed or removed by hand, or the digest removed, is
//!   refused: plan again);
//! - every step's target is checked against the plan's ownership rule, on
//!   the provider's state as apply reads it: an update, deactivation or
//!   deletion of an account the source does not own, an adoption the
//!   plan's rule does not allow (or that does not write the owned marker),
//!   a group member removed who is not the source's;
//! - a group update (name, `externalId`) of a group that carries another
//!   system's `externalId` is refused;
//! - a deletion or deactivation the plan's options do not plan is refused;
//! - the rails on removals (count and percent of the owned accounts, an
//!   empty or shrunken source, by the source size the plan records) are
//!   applied again to the steps as given.

use std::collections::HashMap;

use scim_client::model::{Group, User};
use scim_client::provider::Profile;
use serde_json::Value;

use super::ApplyError;
use crate::options::{Adoption, Ownership};
use crate::plan::{Current, Plan, Ref, Step, check_rails as rails, project, split_root};
use crate::scope::Compiled;

/// Refuses `plan` for a provider its profile does not name: its steps,
/// bodies and fingerprint are in that profile's terms. Asked first by
/// every check that reads them ([`check_unchanged`](super::check_unchanged),
/// [`Apply::new`](super::Apply::new)), so a wrong profile is named as such.
pub(crate) fn check_profile(plan: &Plan, profile: &Profile) -> Result<(), ApplyError> {
    if plan.profile != profile.name {
        return Err(ApplyError::OtherProfile {
            plan: plan.profile.clone(),
            profile: profile.name.clone(),
        });
    }
    Ok(())
}

/// Refuses `plan` unless its digest, every step's target and the rails
/// hold against `current`, the provider's state read by this apply; its
/// scope, parsed, for the guards of the writes.
pub(crate) fn check_plan(plan: &Plan, current: &Current) -> Result<Compiled, ApplyError> {
    let computed = plan.computed_digest();
    if plan.digest != computed {
        return Err(ApplyError::PlanEdited {
            found: plan.digest.clone(),
            computed,
        });
    }
    let scope = plan.options.scope.compile().map_err(ApplyError::Scope)?;
    let accounts = Accounts::read(&current.users, &plan.options.ownership, &scope);
    let groups: HashMap<&str, &Group> = current
        .groups
        .iter()
        .filter_map(|group| Some((group.id.as_deref()?, group)))
        .collect();
    for (index, step) in plan.steps.iter().enumerate() {
        check_step(index, step, &accounts, plan)?;
        check_group_step(index, step, &groups, &plan.options.ownership, &scope)?;
        check_kind(index, step, plan)?;
    }
    check_rails(plan, &accounts)?;
    Ok(scope)
}

/// The provider's users by id, each with whether the source owns it.
struct Accounts<'a> {
    by_id: HashMap<&'a str, (&'a User, bool)>,
    owned: usize,
}

impl<'a> Accounts<'a> {
    /// An account out of the plan's [`Scope`](crate::Scope) (provider
    /// side) counts as not owned, as the planner counted it.
    fn read(users: &'a [User], ownership: &Ownership, scope: &Compiled) -> Accounts<'a> {
        let mut roots = vec!["externalId"];
        if let Ownership::Marker { path, .. } = ownership {
            roots.push(split_root(path).map_or(path.as_str(), |(root, _)| root));
        }
        let mut by_id = HashMap::with_capacity(users.len());
        let mut owned = 0;
        for user in users {
            let Some(id) = user.id.as_deref() else {
                continue;
            };
            let is_owned = scope.user(user) && ownership.owns(&project(user, &roots).0);
            owned += usize::from(is_owned);
            by_id.insert(id, (user, is_owned));
        }
        Accounts { by_id, owned }
    }

    /// The account `id` when it exists and the source does not own it.
    fn unowned(&self, id: &str) -> Option<&'a User> {
        match self.by_id.get(id) {
            Some((user, false)) => Some(*user),
            _ => None,
        }
    }
}

/// Step `index` is of a kind the plan's options plan: removals only when
/// they remove, deletions only when they delete.
fn check_kind(index: usize, step: &Step, plan: &Plan) -> Result<(), ApplyError> {
    let options = &plan.options;
    let refused = match step {
        Step::DeleteUser { .. } if !options.deactivate_missing || !options.delete_instead => {
            "a deletion"
        }
        Step::DeactivateUser { .. } if !options.deactivate_missing || options.delete_instead => {
            "a deactivation"
        }
        _ => return Ok(()),
    };
    Err(ApplyError::OutsideOptions {
        step: index,
        kind: refused.to_owned(),
    })
}

/// Step `index` writes only to accounts the plan's rules let it write.
fn check_step(
    index: usize,
    step: &Step,
    accounts: &Accounts<'_>,
    plan: &Plan,
) -> Result<(), ApplyError> {
    let refused = |user: &User, write: &str| ApplyError::NotOwned {
        step: index,
        write: write.to_owned(),
        id: user.id.as_deref().unwrap_or_default().to_owned(),
        user_name: user.user_name.as_deref().unwrap_or_default().to_owned(),
        external_id: user.external_id.as_deref().map(str::to_owned),
    };
    let options = &plan.options;
    let (id, write) = match step {
        Step::UpdateUser {
            id: Ref::Id(id), ..
        } => (id, "an update"),
        Step::DeactivateUser { id, .. } => (id, "a deactivation"),
        Step::DeleteUser { id, .. } => (id, "a deletion"),
        Step::AdoptUser { id, changes, .. } => {
            let adoptable =
                options.adopt != Adoption::Never && options.ownership.marked_by(changes);
            match accounts.unowned(id) {
                Some(user) if !adoptable => return Err(refused(user, "an adoption")),
                _ => return Ok(()),
            }
        }
        Step::ChangeMembers { remove, .. } => {
            let unowned = remove.iter().find_map(|id| accounts.unowned(id));
            return unowned.map_or(Ok(()), |user| Err(refused(user, "a removal from a group")));
        }
        // An update by key writes a user this apply creates.
        Step::UpdateUser {
            id: Ref::Key(_), ..
        }
        | Step::CreateUser { .. }
        | Step::CreateGroup { .. }
        | Step::UpdateGroup { .. } => {
            return Ok(());
        }
    };
    accounts
        .unowned(id)
        .map_or(Ok(()), |user| Err(refused(user, write)))
}

/// A group update (its name, its `externalId`) writes only to a group
/// the source owns under [`Ownership::owns_group`] — a group that carries
/// another system's `externalId` is not renamed or re-claimed — and a
/// group update or membership change only to a group in scope.
fn check_group_step(
    index: usize,
    step: &Step,
    groups: &HashMap<&str, &Group>,
    ownership: &Ownership,
    scope: &Compiled,
) -> Result<(), ApplyError> {
    // A membership change names no externalId (`None`): only the scope is
    // checked (the planner matched the group by name and checked its claim).
    let (id, changes, write) = match step {
        Step::UpdateGroup { id, changes, .. } => (id, Some(changes), "a group update"),
        Step::ChangeMembers {
            group: Ref::Id(id), ..
        } => (id, None, "a membership change"),
        _ => return Ok(()),
    };
    let Some(group) = groups.get(id.as_str()) else {
        return Ok(());
    };
    let claim_holds = changes.is_none_or(|changes| {
        let source_external_id = changes
            .iter()
            .find(|change| change.path == "externalId")
            .and_then(|change| change.value.as_ref())
            .and_then(Value::as_str);
        ownership.owns_group(group.external_id.as_deref(), source_external_id)
    });
    if scope.group(group) && claim_holds {
        return Ok(());
    }
    Err(ApplyError::NotOwned {
        step: index,
        write: write.to_owned(),
        id: id.clone(),
        user_name: group.display_name.as_deref().unwrap_or_default().to_owned(),
        external_id: group.external_id.as_deref().map(str::to_owned),
    })
}

/// The rails on removals, on the steps as given. An account a
/// deletion step targets that is gone was owned (it passed
/// [`check_step`] when it existed): it counts among the owned, so a
/// resume after some deletions meets the same percentages as the plan.
fn check_rails(plan: &Plan, accounts: &Accounts<'_>) -> Result<(), ApplyError> {
    let removals: Vec<&String> = plan
        .steps
        .iter()
        .filter_map(|step| match step {
            Step::DeactivateUser { id, .. } | Step::DeleteUser { id, .. } => Some(id),
            _ => None,
        })
        .collect();
    let gone = removals
        .iter()
        .filter(|id| !accounts.by_id.contains_key(id.as_str()))
        .count();
    rails(
        removals.len(),
        accounts.owned + gone,
        plan.source_size,
        &plan.options,
    )
    .map_err(ApplyError::Rail)
}
