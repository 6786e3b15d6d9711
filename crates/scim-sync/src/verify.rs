//! Verify: the provider read back and compared with the desired state,
//! attribute by attribute.
//!
//! Why a tool reads back: from 2024-04-05 to 2024-04-09 a Slack change
//! deactivated users updated through SCIM; every write had succeeded, and
//! only a read-back would have shown it (`providers.md` §2). The comparison
//! is the planner's own: what a plan would still do is exactly the drift,
//! so verify and plan can never disagree. The rails are off here: drift of
//! any size is reported, not refused.

use scim_client::provider::Profile;
use scim_client::{AsyncScimClient, ScimClient};
use serde::Serialize;
use serde_json::Value;

use crate::desired::Desired;
use crate::options::PlanOptions;
use crate::plan::{Change, Current, NewManager, PlanError, Ref, Step, plan_with};
use crate::read::{ReadError, read_current_for, read_current_for_async};

/// What differs between the provider and the desired state.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Drift {
    /// Each difference, users first, then groups, then accounts that should
    /// not be active.
    pub items: Vec<DriftItem>,
}

impl Drift {
    /// True when the provider matches.
    pub fn is_clean(&self) -> bool {
        self.items.is_empty()
    }
}

/// One difference.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DriftItem {
    /// What kind.
    pub kind: DriftKind,
    /// The resource: a user's match key or id, a group's name or id.
    pub resource: String,
    /// The attribute, for [`DriftKind::Attribute`]; the member's id or key
    /// for membership drift.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// What the source says (absent: it should not be there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<Value>,
    /// What the provider has.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<Value>,
}

/// The kinds of drift.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum DriftKind {
    /// A desired user or group the provider does not have.
    Missing,
    /// An attribute with another value (`active` included: a user the
    /// provider deactivated, or reactivated).
    Attribute,
    /// An owned account the source no longer lists is still active.
    ShouldBeInactive,
    /// An owned account the source no longer lists still exists (when
    /// removal means deletion).
    ShouldBeDeleted,
    /// A desired member is not in the group.
    MemberMissing,
    /// An owned user the source does not put in the group is in it.
    UnexpectedMember,
}

/// Compares `current` with `desired` (no I/O): the drift a plan with
/// these options would correct.
pub fn verify(
    desired: &Desired,
    current: &Current,
    profile: &Profile,
    options: &PlanOptions,
) -> Result<Drift, PlanError> {
    let options = PlanOptions {
        allow_mass_deactivation: true,
        ..options.clone()
    };
    // Verify writes nothing: an account the source does not own is drift
    // to read, not a write to refuse.
    let plan = plan_with(desired, current, profile, &options, false)?;
    Ok(Drift {
        items: plan.steps.iter().flat_map(items).collect(),
    })
}

/// Reads the provider through `client`'s list pages (and membership where
/// the profile's group reads omit it: [`read_current_for`]) and compares.
pub fn verify_blocking(
    client: &ScimClient,
    desired: &Desired,
    profile: &Profile,
    options: &PlanOptions,
) -> Result<Drift, VerifyError> {
    let current = read_current_for(client, profile)?;
    Ok(verify(desired, &current, profile, options)?)
}

/// Reads the provider through `client`'s list pages (and membership where
/// the profile's group reads omit it: [`read_current_for`]) and compares.
pub async fn verify_async(
    client: &AsyncScimClient,
    desired: &Desired,
    profile: &Profile,
    options: &PlanOptions,
) -> Result<Drift, VerifyError> {
    let current = read_current_for_async(client, profile).await?;
    Ok(verify(desired, &current, profile, options)?)
}

/// Why a verification could not be made.
#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    /// The provider's state could not be read whole.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// The desired state or the provider's is not one a plan can be made
    /// from (duplicate keys, missing ids).
    #[error("{0}")]
    Plan(#[from] PlanError),
}

fn item(kind: DriftKind, resource: &str) -> DriftItem {
    DriftItem {
        kind,
        resource: resource.to_owned(),
        path: None,
        expected: None,
        found: None,
    }
}

fn items(step: &Step) -> Vec<DriftItem> {
    match step {
        Step::CreateUser { key, .. } => vec![item(DriftKind::Missing, &format!("user {key}"))],
        Step::CreateGroup { key, .. } => vec![item(DriftKind::Missing, &format!("group {key}"))],
        Step::UpdateUser {
            key,
            changes,
            manager,
            ..
        }
        | Step::AdoptUser {
            key,
            changes,
            manager,
            ..
        } => user_attributes(key, changes, manager.as_ref()),
        Step::UpdateGroup { key, changes, .. } => attributes(&format!("group {key}"), changes),
        Step::DeactivateUser { id, user_name, .. } => vec![DriftItem {
            expected: Some(Value::Bool(false)),
            found: Some(Value::Bool(true)),
            path: Some("active".into()),
            ..item(
                DriftKind::ShouldBeInactive,
                &format!("user {id} ({user_name})"),
            )
        }],
        Step::DeleteUser { id, user_name } => vec![item(
            DriftKind::ShouldBeDeleted,
            &format!("user {id} ({user_name})"),
        )],
        Step::ChangeMembers { group, add, remove } => {
            let group = format!("group {}", reference(group));
            let member = |kind, member: String| DriftItem {
                path: Some(member),
                ..item(kind, &group)
            };
            add.iter()
                .map(|m| member(DriftKind::MemberMissing, reference(m)))
                .chain(
                    remove
                        .iter()
                        .map(|id| member(DriftKind::UnexpectedMember, id.clone())),
                )
                .collect()
        }
    }
}

/// An update's or adoption's drift: its changes, and a manager the plan
/// creates, named by its key (the provider lacks that user, itself
/// reported missing).
fn user_attributes(key: &str, changes: &[Change], manager: Option<&NewManager>) -> Vec<DriftItem> {
    let resource = format!("user {key}");
    let mut items = attributes(&resource, changes);
    items.extend(manager.map(|manager| DriftItem {
        path: Some(manager.path.clone()),
        expected: Some(serde_json::json!({ "key": manager.key })),
        ..item(DriftKind::Attribute, &resource)
    }));
    items
}

fn attributes(resource: &str, changes: &[Change]) -> Vec<DriftItem> {
    changes
        .iter()
        .map(|change| DriftItem {
            kind: DriftKind::Attribute,
            resource: resource.to_owned(),
            path: Some(change.path.clone()),
            expected: Some(change.value.clone().unwrap_or(Value::Null)),
            found: change.from.clone(),
        })
        .collect()
}

fn reference(reference: &Ref) -> String {
    match reference {
        Ref::Id(id) => id.clone(),
        Ref::Key(key) => key.clone(),
    }
}
