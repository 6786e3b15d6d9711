//! The pure planner: the desired state and the provider's current one in,
//! a [`Plan`] out. No I/O, no clock: the same inputs give the same plan,
//! byte for byte.
//!
//! Users are planned first ([`users`]), then groups and their membership
//! ([`groups`]), which refer to users the plan creates by their match key
//! ([`Ref::Key`]); apply resolves those once the users exist. So are
//! managers the plan creates ([`managers`], [`NewManager`]).

mod enterprise;
mod error;
mod fingerprint;
mod groups;
mod hashed;
mod json;
mod managers;
mod rails;
mod required;
mod sorted;
mod typed;
mod users;

use scim_client::model::{Group, User};
use scim_client::provider::{PatchBody, PatchChange, PatchChanges};
use scim_client::provider::{PatchForm, Profile};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::desired::Desired;
use crate::options::PlanOptions;
use crate::scope;
use enterprise::Enterprise;

pub use error::{Clash, ManagerError, ManagerProblem, PlanError};
pub use fingerprint::fingerprint;
pub(crate) use fingerprint::fingerprint_of_everything;
pub(crate) use json::{get, project, split_root};
pub(crate) use rails::check as check_rails;
pub use rails::{Rail, RailRefusal};

/// The provider's state a plan is computed from: its users and groups, as
/// list pages return them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Current {
    /// Every user.
    pub users: Vec<User>,
    /// Every group (with members, where the provider lists them).
    pub groups: Vec<Group>,
}

/// One attribute to set (`value`) or clear (`None`), by SCIM path
/// (`title`, `name.givenName`), with what the provider had.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The attribute path.
    pub path: String,
    /// The new value; `None` clears it (`null` in Slack v1, `remove` in RFC 7644).
    pub value: Option<Value>,
    /// The provider's value before, for people reading the plan (the PATCH
    /// body is rendered against the account as the provider has it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Value>,
}

impl Change {
    /// The change, typed for scim-client's PATCH renderer: set, or clear.
    pub(crate) fn typed(&self) -> PatchChange {
        let attr = json::attr_path(&self.path);
        match &self.value {
            Some(value) => PatchChange::Set {
                attr,
                value: value.clone(),
            },
            None => PatchChange::Clear { attr },
        }
    }
}

/// The PATCH body making `changes` in `form`, written by scim-client's one
/// renderer ([`PatchChanges::render`]). `current` is the resource as the
/// provider has it: Slack v1's partial resource sends a complex attribute
/// whole, so a change to `name.givenName` keeps `name.familyName`.
///
/// Steps keep the body typed: as JSON, each of its objects was a B-tree
/// node of over 600 bytes, and turning 11,000 bodies into JSON was a
/// seventh of a 100,000-user plan (`cargo bench -p scim-sync --bench
/// plan`). It writes the same JSON text.
pub(crate) fn render(
    form: PatchForm,
    changes: &[Change],
    current: Option<&Value>,
) -> Result<PatchBody, scim_client::Error> {
    let typed: PatchChanges = changes.iter().map(Change::typed).collect();
    typed.render(form, current)
}

/// A user or group the plan refers to: by the provider's id when it exists,
/// by the source's key when the plan creates it (apply resolves it).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Ref {
    /// The provider's id.
    Id(String),
    /// The match key of a user, or the lower-cased name of a group, that an
    /// earlier step creates.
    Key(String),
}

/// One step of a plan: one write to the provider.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "step", rename_all = "camelCase")]
pub enum Step {
    /// Create this user.
    CreateUser {
        /// The desired user's match key.
        key: String,
        /// The body to create it with: its managed attributes and `externalId`.
        user: Value,
    },
    /// Change the attributes of a managed account that differ.
    UpdateUser {
        /// The match key.
        key: String,
        /// The provider's id; for a user this plan creates, its key
        /// (written `{"key": …}`): an update that only sets a
        /// [`manager`](NewManager) the plan creates too.
        #[serde(with = "id_or_key")]
        id: Ref,
        /// The smallest change: only attributes that differ.
        changes: Vec<Change>,
        /// The PATCH body of `changes`, in the profile's form; `null` when
        /// there are none (the step only sets its `manager`).
        patch: Option<PatchBody>,
        /// A manager this plan creates (RFC 7643 §4.3), written once its
        /// create has run: the step then runs after every create.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        manager: Option<NewManager>,
    },
    /// An account the source did not own yet becomes managed: its
    /// `externalId` is set (where the provider lets it be PATCHed), with any
    /// other change.
    AdoptUser {
        /// The match key.
        key: String,
        /// The provider's id.
        id: String,
        /// `externalId` and the attributes that differ.
        changes: Vec<Change>,
        /// The PATCH body, in the profile's form.
        patch: PatchBody,
        /// A manager this plan creates (RFC 7643 §4.3), written once its
        /// create has run: the step then runs after every create.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        manager: Option<NewManager>,
    },
    /// Deactivate an owned account the source no longer lists.
    DeactivateUser {
        /// The provider's id.
        id: String,
        /// Its `userName`, for people reading the plan.
        user_name: String,
        /// The PATCH body (`active: false`), in the profile's form.
        patch: PatchBody,
    },
    /// Delete it instead (only when the options ask).
    DeleteUser {
        /// The provider's id.
        id: String,
        /// Its `userName`.
        user_name: String,
    },
    /// Create this group (members follow in [`Step::ChangeMembers`]).
    CreateGroup {
        /// The group's key: its lower-cased `displayName`.
        key: String,
        /// The body to create it with.
        group: Value,
    },
    /// Change a managed group's attributes.
    UpdateGroup {
        /// The group's key.
        key: String,
        /// The provider's id.
        id: String,
        /// What differs.
        changes: Vec<Change>,
        /// The PATCH body, in the profile's form.
        patch: PatchBody,
    },
    /// Add and remove members of a group: one request, within the profile's
    /// [`max_member_changes`](scim_client::provider::Profile::max_member_changes).
    ChangeMembers {
        /// The group.
        group: Ref,
        /// Users who join.
        add: Vec<Ref>,
        /// Ids of users who leave.
        remove: Vec<String>,
    },
}

impl Step {
    /// The resource this step writes: steps on one resource run one at a
    /// time, in plan order.
    pub fn resource(&self) -> Ref {
        match self {
            Step::CreateUser { key, .. } => Ref::Key(format!("user:{key}")),
            Step::CreateGroup { key, .. } => Ref::Key(format!("group:{key}")),
            Step::ChangeMembers { group, .. } => group.clone(),
            Step::UpdateUser { id, .. } => match id {
                Ref::Id(id) => Ref::Id(id.clone()),
                Ref::Key(key) => Ref::Key(format!("user:{key}")),
            },
            Step::AdoptUser { id, .. }
            | Step::DeactivateUser { id, .. }
            | Step::DeleteUser { id, .. }
            | Step::UpdateGroup { id, .. } => Ref::Id(id.clone()),
        }
    }
}

/// A user's `Ref` as [`Step::UpdateUser`] writes it: the provider's id as
/// a plain string (as plans always wrote it), a key as `{"key": …}`.
mod id_or_key {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    use super::Ref;

    pub(super) fn serialize<S: Serializer>(
        reference: &Ref,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match reference {
            Ref::Id(id) => serializer.serialize_str(id),
            Ref::Key(_) => reference.serialize(serializer),
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Id(String),
        Ref(Ref),
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Ref, D::Error> {
        Ok(match Written::deserialize(deserializer)? {
            Written::Id(id) => Ref::Id(id),
            Written::Ref(reference) => reference,
        })
    }
}

/// A manager (RFC 7643 §4.3, the enterprise extension's `manager`) that is
/// a user this plan creates: its id is known only once that create has
/// run, so apply writes it then, in a PATCH of its own after the step's
/// other changes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewManager {
    /// The manager's match key: a [`Step::CreateUser`] of this plan.
    pub key: String,
    /// The attribute written (`…:enterprise:2.0:User.manager`).
    pub path: String,
    /// For Slack v1's partial resource, which sends the extension whole:
    /// the user's extension as the plan's earlier writes leave it. Absent
    /// in the `PatchOp` forms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current: Option<Value>,
}

impl NewManager {
    /// The PATCH body making the user `id` the manager, in `profile`'s
    /// form: `manager.value` (RFC 7643) or `manager.managerId` (Slack).
    pub(crate) fn patch(
        &self,
        profile: &Profile,
        id: &str,
    ) -> Result<PatchBody, scim_client::Error> {
        let change = Change {
            path: self.path.clone(),
            value: Some(Enterprise::of(profile.dialect).manager(id)),
            from: None,
        };
        render(profile.patch, &[change], self.current.as_ref())
    }
}

/// An account or group the plan does not touch (or touches only in part),
/// and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LeftAlone {
    /// The provider's id.
    pub id: String,
    /// Why: not owned by the source, already inactive, deactivation off, a
    /// member the source does not own, an attribute the provider cannot PATCH.
    pub reason: String,
}

/// A typed, serialisable, deterministic plan, tied to the state it was
/// computed from by [`fingerprint`](Self::fingerprint), and to its own
/// content by [`digest`](Self::digest).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Plan {
    /// A digest over everything below ([`Plan::computed_digest`]), set by
    /// [`plan`]: apply refuses a plan whose content no longer gives it (a
    /// step added or changed by hand) or that has none.
    #[serde(default)]
    pub digest: String,
    /// The profile's name: apply refuses another provider.
    pub profile: String,
    /// A fingerprint of the provider's state the plan was computed from:
    /// apply refuses a provider whose state no longer has it.
    pub fingerprint: String,
    /// The steps, in the order apply runs them: user creates, adoptions and
    /// updates; updates that set a manager the plan creates, group creates
    /// and updates; membership changes; then deactivations; each kind in
    /// key or id order.
    pub steps: Vec<Step>,
    /// What is left as it is.
    pub left_alone: Vec<LeftAlone>,
    /// The options it was planned with: apply re-checks every step against
    /// their ownership rule, adoption rule and rails.
    #[serde(default)]
    pub options: PlanOptions,
    /// How many users the source held (in scope): apply applies the rails
    /// again with it (an empty or shrunken source plans no removals).
    #[serde(default)]
    pub source_size: usize,
    /// How many provider accounts the source owned (in scope) when
    /// planned: the rails' denominator, for a review of the plan.
    #[serde(default)]
    pub owned_accounts: usize,
}

/// What [`Plan::computed_digest`] hashes: every field but the digest.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Content<'a> {
    profile: &'a str,
    fingerprint: &'a str,
    steps: &'a [Step],
    left_alone: &'a [LeftAlone],
    options: &'a PlanOptions,
    source_size: usize,
    owned_accounts: usize,
}

impl Plan {
    /// The digest of the plan's content (FNV-1a 64 over its canonical JSON,
    /// the digest itself left out), as [`plan`] sets it.
    ///
    /// It catches a plan edited by hand or damaged on the way (a step
    /// added, changed or removed, an option loosened); it is not a
    /// signature, as anyone can compute it again. That is why apply also
    /// re-checks ownership and the rails against the provider it reads.
    pub fn computed_digest(&self) -> String {
        let content = Content {
            profile: &self.profile,
            fingerprint: &self.fingerprint,
            steps: &self.steps,
            left_alone: &self.left_alone,
            options: &self.options,
            source_size: self.source_size,
            owned_accounts: self.owned_accounts,
        };
        fingerprint::digest_json(&content)
    }

    /// How many writes applying it takes (one per step).
    pub fn writes(&self) -> usize {
        self.steps.len()
    }
}

/// Plans what makes `current` (the provider's state, from list pages) match
/// `desired`, for the provider `profile` describes, within `options`.
/// Nothing is planned from bad input ([`PlanError`]).
///
/// A desired user who meets an account the source does not own (by key,
/// or by the `userName` a create would take) is a
/// [`PlanError::NotOwned`] naming both, unless the options' adoption rule
/// allows taking it over with the owned marker written.
pub fn plan(
    desired: &Desired,
    current: &Current,
    profile: &Profile,
    options: &PlanOptions,
) -> Result<Plan, PlanError> {
    plan_with(desired, current, profile, options, true)
}

/// Refuses a source whose group members are written by another match key
/// than the options match on: they would name nobody.
fn check_match_key(desired: &Desired, options: &PlanOptions) -> Result<(), PlanError> {
    match desired.match_key.filter(|key| *key != options.match_key) {
        Some(key) => Err(PlanError::MatchKeyMismatch {
            source: key,
            options: options.match_key,
        }),
        None => Ok(()),
    }
}

/// The parts, in order, in one allocation: each growth of a vector of
/// steps (232 bytes each) would copy every step before it to fresh pages.
fn concat<T, const N: usize>(parts: [Vec<T>; N]) -> Vec<T> {
    let mut all = Vec::with_capacity(parts.iter().map(Vec::len).sum());
    parts.into_iter().for_each(|part| all.extend(part));
    all
}

/// [`plan`], with writes to accounts the source does not own refused
/// (`guard`) or not (verify, which writes nothing, reads the drift).
pub(crate) fn plan_with(
    desired: &Desired,
    current: &Current,
    profile: &Profile,
    options: &PlanOptions,
    guard: bool,
) -> Result<Plan, PlanError> {
    check_match_key(desired, options)?;
    let scope = options.scope.compile().map_err(PlanError::Scope)?;
    let (desired, left_out) = scope.source(desired, options.match_key);
    let out_of_scope = current
        .users
        .iter()
        .map(|user| scope::out_of_scope(&scope, &left_out, user, options.match_key))
        .collect();
    let for_groups = !desired.groups.is_empty();
    // Managed paths under RFC 7643's enterprise URN, under the provider's.
    let local = Enterprise::of(profile.dialect).localise_options(options);
    let users = users::plan_users(
        &desired,
        &current.users,
        profile,
        &local,
        (for_groups, guard),
        out_of_scope,
    )?;
    let groups = groups::plan_groups(
        &desired.groups,
        current,
        &users.index,
        profile,
        &local,
        (guard, &scope),
    )?;
    let owned_accounts = users.owned;
    let fingerprint = fingerprint::fingerprint_of(users.index.current, groups.current);
    let steps = concat([
        users.creates,
        users.updates,
        users.later,
        groups.steps,
        users.removals,
    ]);
    let mut left_alone = concat([users.left_alone, groups.left_alone]);
    left_alone.sort_by(|a, b| (&a.id, &a.reason).cmp(&(&b.id, &b.reason)));
    let mut plan = Plan {
        digest: String::new(),
        profile: profile.name.clone(),
        fingerprint,
        steps,
        left_alone,
        options: options.clone(),
        source_size: desired.users.len(),
        owned_accounts,
    };
    plan.digest = plan.computed_digest();
    Ok(plan)
}
