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
//! - a deletion or deactivation the plan's options do not plan is refused;
//! - the rail on deactivations (count and percent of the owned accounts)
//!   is applied again to the steps as given.

use std::collections::HashMap;

use scim_client::model::User;

use super::ApplyError;
use crate::options::{Adoption, Ownership};
use crate::plan::{Current, Plan, PlanError, Ref, Step, check_limit, project, split_root};

/// Refuses `plan` unless its digest, every step's target and the rails
/// hold against `current`, the provider's state read by this apply.
pub(crate) fn check_plan(plan: &Plan, current: &Current) -> Result<(), ApplyError> {
    let computed = plan.computed_digest();
    if plan.digest != computed {
        return Err(ApplyError::PlanEdited {
            found: plan.digest.clone(),
            computed,
        });
    }
    let accounts = Accounts::read(&current.users, &plan.options.ownership);
    for (index, step) in plan.steps.iter().enumerate() {
        check_step(index, step, &accounts, plan)?;
        check_kind(index, step, plan)?;
    }
    check_rails(plan, &accounts)
}

/// The provider's users by id, each with whether the source owns it.
struct Accounts<'a> {
    by_id: HashMap<&'a str, (&'a User, bool)>,
    owned: usize,
}

impl<'a> Accounts<'a> {
    fn read(users: &'a [User], ownership: &Ownership) -> Accounts<'a> {
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
            let is_owned = ownership.owns(&project(user, &roots).0);
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

/// The rail on deactivations, on the steps as given. An account a
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
    match check_limit(removals.len(), accounts.owned + gone, &plan.options) {
        Err(PlanError::TooManyDeactivations { planned, owned }) => {
            Err(ApplyError::TooManyDeactivations { planned, owned })
        }
        _ => Ok(()),
    }
}
