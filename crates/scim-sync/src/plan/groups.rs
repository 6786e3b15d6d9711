//! Groups: creates, renames, and membership changes chunked to the
//! profile's limit. A member the source does not own is never removed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use scim_client::model::Group;
use scim_client::provider::Profile;
use serde_json::{Map, Value};

use super::fingerprint::{hash_of, resource_digest};
use super::users::UserIndex;
use super::users::unwritable;
use super::{Change, Clash, Current, LeftAlone, PlanError, Ref, Step, render};
use crate::desired::DesiredGroup;
use crate::options::PlanOptions;
use crate::scope::{Compiled, OUT_OF_PROVIDER_SCOPE};

/// The groups' part of a plan.
pub(crate) struct GroupPlan {
    /// Creates, then updates, then membership changes.
    pub steps: Vec<Step>,
    pub left_alone: Vec<LeftAlone>,
    /// Every provider group's digest: for the fingerprint.
    pub current: Vec<u64>,
}

/// Plans the groups the source manages; groups it does not list are left
/// alone. A provider group of a source group's name that carries another
/// system's `externalId` has its members managed but is never renamed nor
/// re-claimed; one out of the sync's scope is a clash when `guard` is set
/// (verify, which writes nothing, reads the drift without it).
pub(crate) fn plan_groups(
    desired: &[DesiredGroup],
    current: &Current,
    users: &UserIndex,
    profile: &Profile,
    options: &PlanOptions,
    (guard, scope): (bool, &Compiled),
) -> Result<GroupPlan, PlanError> {
    let desired = index_desired(desired)?;
    let (by_key, current_json) = index_current(&current.groups)?;
    let (mut creates, mut updates, mut members) = (Vec::new(), Vec::new(), Vec::new());
    let (mut left_alone, mut clashes) = (Vec::new(), Vec::new());
    for (key, want) in &desired {
        let wanted = member_refs(want, users, options)?;
        let (group, have) = match by_key.get(key) {
            None => {
                creates.push(create(key, want));
                (Ref::Key(key.clone()), MemberDiff::all(wanted))
            }
            Some(&index) => {
                let existing = &current.groups[index];
                let id = existing.id.as_deref().unwrap_or_default().to_owned();
                if !scope.group(existing) {
                    if guard {
                        clashes.push(out_of_scope(key, existing));
                    }
                    continue;
                }
                if claimed_by_another(want, existing, options) {
                    left_alone.push(LeftAlone {
                        id: id.clone(),
                        reason: CLAIMED.to_owned(),
                    });
                } else {
                    updates.extend(update(key, &id, want, existing, profile, &mut left_alone)?);
                }
                let diff = MemberDiff::of(wanted, existing, users, profile);
                left_alone.extend(diff.notes(&id, &want.display_name, profile));
                (Ref::Id(id), diff)
            }
        };
        members.extend(have.steps(&group, profile));
    }
    if !clashes.is_empty() {
        return Err(PlanError::NotOwned { clashes });
    }
    left_alone.extend(unmatched(&current.groups, &desired, scope));
    creates.extend(updates);
    creates.extend(members);
    Ok(GroupPlan {
        steps: creates,
        left_alone,
        current: current_json,
    })
}

/// Why a group the source names is left without an update: another
/// system claims it.
const CLAIMED: &str = "the group carries another system's externalId: its name and externalId \
                       are left as they are (members are managed; only the source's own leave)";

/// Whether the provider's group `have`, met by the source group `want`'s
/// name, carries another system's `externalId` ([`Ownership::owns_group`]):
/// its members are managed, but it is never renamed nor re-claimed.
///
/// [`Ownership::owns_group`]: crate::Ownership
fn claimed_by_another(want: &DesiredGroup, have: &Group, options: &PlanOptions) -> bool {
    !options
        .ownership
        .owns_group(have.external_id.as_deref(), want.external_id.as_deref())
}

/// The clash when the source names a provider group out of the sync's
/// scope: nothing of it may be written, members included.
fn out_of_scope(key: &str, have: &Group) -> Clash {
    Clash {
        key: key.to_owned(),
        group: true,
        id: have.id.as_deref().unwrap_or_default().to_owned(),
        user_name: have.display_name.as_deref().unwrap_or_default().to_owned(),
        external_id: have.external_id.as_deref().map(str::to_owned),
        reason: OUT_OF_PROVIDER_SCOPE.to_owned(),
    }
}

/// The provider's groups the source does not list, and those without a
/// name to match by: left alone, each with why.
fn unmatched(
    current: &[Group],
    desired: &BTreeMap<String, &DesiredGroup>,
    scope: &Compiled,
) -> Vec<LeftAlone> {
    let mut left_alone = Vec::new();
    for group in current {
        let reason = match group.display_name.as_deref() {
            Some(_) if !scope.group(group) => OUT_OF_PROVIDER_SCOPE,
            None => "group without a displayName: it cannot be matched",
            Some(name) if desired.contains_key(&name.to_lowercase()) => continue,
            Some(_) => "group not in the source",
        };
        left_alone.push(LeftAlone {
            // Every group's id was checked by `index_current`.
            id: group.id.as_deref().unwrap_or_default().to_owned(),
            reason: reason.into(),
        });
    }
    left_alone
}

/// The desired groups by key (lower-cased `displayName`), in key order.
fn index_desired(desired: &[DesiredGroup]) -> Result<BTreeMap<String, &DesiredGroup>, PlanError> {
    let mut by_key = BTreeMap::new();
    for (index, group) in desired.iter().enumerate() {
        if group.display_name.trim().is_empty() {
            return Err(PlanError::MissingGroupName { index });
        }
        let key = group.display_name.to_lowercase();
        if by_key.insert(key.clone(), group).is_some() {
            return Err(PlanError::DuplicateKey {
                key,
                side: "source",
            });
        }
    }
    Ok(by_key)
}

type CurrentGroups = (HashMap<String, usize>, Vec<u64>);

fn index_current(current: &[Group]) -> Result<CurrentGroups, PlanError> {
    let mut by_key = HashMap::with_capacity(current.len());
    let mut json = Vec::with_capacity(current.len());
    for (index, group) in current.iter().enumerate() {
        let id = group.id.as_deref().ok_or(PlanError::MissingId { index })?;
        if let Some(name) = group.display_name.as_deref() {
            let key = name.to_lowercase();
            if by_key.insert(key.clone(), index).is_some() {
                return Err(PlanError::DuplicateKey {
                    key,
                    side: "provider",
                });
            }
        }
        json.push(resource_digest(Some(id), hash_of(group)));
    }
    Ok((by_key, json))
}

/// The desired members, resolved to provider ids or to the keys of users
/// the plan creates.
fn member_refs(
    group: &DesiredGroup,
    users: &UserIndex,
    options: &PlanOptions,
) -> Result<BTreeSet<Ref>, PlanError> {
    group
        .members
        .iter()
        .map(|key| {
            let key = options.match_key.normalise(key);
            users
                .by_key
                .get(&key)
                .cloned()
                .ok_or_else(|| PlanError::UnknownMember {
                    group: group.display_name.clone(),
                    key,
                })
        })
        .collect()
}

fn create(key: &str, want: &DesiredGroup) -> Step {
    let mut group = Map::new();
    group.insert("displayName".into(), Value::from(want.display_name.clone()));
    if let Some(external_id) = &want.external_id {
        group.insert("externalId".into(), Value::from(external_id.clone()));
    }
    Step::CreateGroup {
        key: key.to_owned(),
        group: Value::Object(group),
    }
}

/// A rename (the name's case) or a new `externalId`, where the provider
/// lets it be PATCHed. Both are single strings: the body needs no current
/// value.
fn update(
    key: &str,
    id: &str,
    want: &DesiredGroup,
    have: &Group,
    profile: &Profile,
    left_alone: &mut Vec<LeftAlone>,
) -> Result<Option<Step>, PlanError> {
    let mut changes = Vec::new();
    let name = have.display_name.as_deref();
    if name != Some(want.display_name.as_str()) {
        changes.push(change("displayName", &want.display_name, name));
    }
    if let Some(external_id) = &want.external_id {
        let had = have.external_id.as_deref();
        if had != Some(external_id.as_str()) {
            if profile.patch.can_patch("externalId") {
                changes.push(change("externalId", external_id, had));
            } else {
                left_alone.push(LeftAlone {
                    id: id.to_owned(),
                    reason: format!("externalId cannot be PATCHed on {}", profile.name),
                });
            }
        }
    }
    if changes.is_empty() {
        return Ok(None);
    }
    Ok(Some(Step::UpdateGroup {
        key: key.to_owned(),
        id: id.to_owned(),
        patch: render(profile.patch, &changes, None).map_err(unwritable(id))?,
        changes,
    }))
}

fn change(path: &str, value: &str, from: Option<&str>) -> Change {
    Change {
        path: path.into(),
        value: Some(Value::from(value)),
        from: from.map(Value::from),
    }
}

/// Who joins and who leaves one group.
struct MemberDiff {
    add: Vec<Ref>,
    remove: Vec<String>,
    /// Members the source does not list but does not own either.
    kept: Vec<String>,
    /// The provider does not list members in group reads and they were
    /// not read another way: nothing can be known to leave.
    unlisted: bool,
}

impl MemberDiff {
    fn all(wanted: BTreeSet<Ref>) -> MemberDiff {
        MemberDiff {
            add: wanted.into_iter().collect(),
            remove: Vec::new(),
            kept: Vec::new(),
            unlisted: false,
        }
    }

    fn of(wanted: BTreeSet<Ref>, have: &Group, users: &UserIndex, profile: &Profile) -> MemberDiff {
        // Where group reads omit members, a group read without them (a plain
        // `read_current`) leaves nothing known to remove; `read_current_for`
        // reads membership through the provider's filter and sets it.
        if !profile.group_reads_return_members && have.members.is_absent() {
            return MemberDiff {
                unlisted: true,
                ..MemberDiff::all(wanted)
            };
        }
        let present: BTreeSet<String> = have
            .members
            .value()
            .into_iter()
            .flatten()
            .filter_map(|member| member.value.as_deref().map(str::to_owned))
            .collect();
        let add = wanted
            .iter()
            .filter(|r| !matches!(r, Ref::Id(id) if present.contains(id)))
            .cloned()
            .collect();
        let (remove, kept) = present
            .into_iter()
            .filter(|id| !wanted.contains(&Ref::Id(id.clone())))
            .partition(|id| users.owned_ids.contains(id));
        MemberDiff {
            add,
            remove,
            kept,
            unlisted: false,
        }
    }

    fn notes(&self, group_id: &str, name: &str, profile: &Profile) -> Vec<LeftAlone> {
        let mut notes: Vec<LeftAlone> = self
            .kept
            .iter()
            .map(|id| LeftAlone {
                id: id.clone(),
                reason: format!("member of {name:?} not owned by the source"),
            })
            .collect();
        if self.unlisted {
            notes.push(LeftAlone {
                id: group_id.to_owned(),
                reason: format!(
                    "{} lists no members in group reads: members are added, none removed",
                    profile.name
                ),
            });
        }
        notes
    }

    /// One step per request the profile allows: additions first.
    fn steps(self, group: &Ref, profile: &Profile) -> Vec<Step> {
        let max = profile.max_member_changes.unwrap_or(usize::MAX).max(1);
        let changes: Vec<(Option<Ref>, Option<String>)> = self
            .add
            .into_iter()
            .map(|r| (Some(r), None))
            .chain(self.remove.into_iter().map(|id| (None, Some(id))))
            .collect();
        changes
            .chunks(max)
            .map(|chunk| Step::ChangeMembers {
                group: group.clone(),
                add: chunk.iter().filter_map(|c| c.0.clone()).collect(),
                remove: chunk.iter().filter_map(|c| c.1.clone()).collect(),
            })
            .collect()
    }
}
