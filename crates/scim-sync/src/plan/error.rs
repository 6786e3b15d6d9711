//! [`PlanError`]: why no plan could be made. Nothing is planned from bad
//! input.

use serde::{Deserialize, Serialize};

use super::rails::RailRefusal;
use crate::options::MatchKey;
use crate::scope::ScopeError;

/// A desired user who meets an account the source does not own: writing
/// to it would take over someone else's account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Clash {
    /// The desired user's match key.
    pub key: String,
    /// The account's id.
    pub id: String,
    /// The account's `userName`.
    pub user_name: String,
    /// The account's `externalId`, when it has one.
    pub external_id: Option<String>,
    /// Why it cannot be adopted: no adoption rule, or what stands in its way.
    pub reason: String,
    /// A source group meeting a provider group (by name; `user_name` then
    /// holds its `displayName`), not a user meeting an account.
    #[serde(default)]
    pub group: bool,
}

impl std::fmt::Display for Clash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (source, target, name) = if self.group {
            ("group", "group", "displayName")
        } else {
            ("user", "account", "userName")
        };
        write!(
            f,
            "exists, not owned: source {source} {:?} meets {target} {} ({name} {:?}, externalId {}): {}",
            self.key,
            self.id,
            self.user_name,
            self.external_id
                .as_deref()
                .map_or("none".to_owned(), |id| format!("{id:?}")),
            self.reason
        )
    }
}

/// What is wrong with one of the source's managers
/// ([`Desired::managers`](crate::Desired::managers)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ManagerProblem {
    /// The manager's key is neither a user of the source nor an account at
    /// the provider: the manager cannot be written.
    UnknownManager,
    /// The user the manager is given for is not among the desired users.
    UnknownUser,
    /// The user is given a manager twice.
    Twice,
}

/// A manager the planner cannot resolve, and the source line saying it.
///
/// An unknown manager is an error rather than a warning that leaves the
/// manager unset: a plan that silently kept the old manager (or none)
/// would report a clean sync of an org chart it did not write, and the
/// next run would hide it again. Refused by line, the source can be
/// fixed in one pass (every such line is listed), as group members who
/// are not users are refused ([`PlanError::UnknownMember`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ManagerError {
    /// The source line, when the source gave one.
    pub line: Option<usize>,
    /// The user's match key.
    pub user: String,
    /// The manager's match key (`None`: the source clears the manager).
    pub manager: Option<String>,
    /// What is wrong.
    pub problem: ManagerProblem,
}

impl std::fmt::Display for ManagerError {
    /// `line 7: user "E3": manager "E99" is neither …`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        let manager = self.manager.as_deref().unwrap_or_default();
        match self.problem {
            ManagerProblem::UnknownManager => write!(
                f,
                "user {:?}: manager {manager:?} is neither a user of the source nor an \
                 account at the provider",
                self.user
            ),
            ManagerProblem::UnknownUser => write!(
                f,
                "a manager is given for {:?}, who is not among the desired users",
                self.user
            ),
            ManagerProblem::Twice => write!(f, "user {:?} is given a manager twice", self.user),
        }
    }
}

/// Why no plan could be made.
#[derive(Clone, Debug, PartialEq)]
pub enum PlanError {
    /// A desired user has no value for the match key (its index in the input).
    MissingKey {
        /// The index in the desired users.
        index: usize,
        /// The match key.
        key: MatchKey,
    },
    /// Two desired users or groups, or two provider accounts or groups,
    /// share a key: which one is meant cannot be guessed.
    DuplicateKey {
        /// The key.
        key: String,
        /// `"source"` or `"provider"`.
        side: &'static str,
    },
    /// Two desired users share a login (`userName`) or a primary email,
    /// compared case-insensitively (RFC 7643 §4.1.1: `caseExact` false):
    /// they would become one account that both overwrite.
    DuplicateValue {
        /// [`MatchKey::UserName`] or [`MatchKey::PrimaryEmail`]: which
        /// attribute is shared.
        attribute: MatchKey,
        /// The shared value, lower-cased.
        value: String,
        /// The match key of the first user that has it.
        first: String,
        /// The match key of the second.
        second: String,
    },
    /// A provider account or group has no `id` (its index in the input).
    MissingId {
        /// Its index in the current users or groups.
        index: usize,
    },
    /// A desired group has no `displayName` (its index in the input).
    MissingGroupName {
        /// The index in the desired groups.
        index: usize,
    },
    /// A desired group lists a member who is not among the desired users.
    UnknownMember {
        /// The group's name.
        group: String,
        /// The member's key.
        key: String,
    },
    /// The source's members are written in another match key than the
    /// options match on.
    MatchKeyMismatch {
        /// The source's.
        source: MatchKey,
        /// The options'.
        options: MatchKey,
    },
    /// A rail on removals refused the plan: the deactivations (or
    /// deletions) it would make are more than a mistake upstream should be
    /// able to cause.
    Rail(RailRefusal),
    /// A filter of the options' [`Scope`](crate::Scope) does not parse.
    Scope(ScopeError),
    /// A change the provider's PATCH form cannot write (scim-client's
    /// renderer refused it: a managed path that is not an attribute path, a
    /// sub-attribute of a multi-valued attribute in Slack v1's form).
    UnwritableChange {
        /// The provider's id of the resource.
        id: String,
        /// The renderer's reason.
        reason: String,
    },
    /// Desired users meet accounts the source does not own (matched by key,
    /// or holding the `userName` a create would take): every clash, each
    /// naming both sides. Nothing is planned: resolve them in the source,
    /// or allow adoption ([`Adoption`](crate::Adoption)).
    NotOwned {
        /// The clashes, in key order.
        clashes: Vec<Clash>,
    },
    /// A user to create lacks an attribute the provider requires on create
    /// ([`Profile::required_on_create`](scim_client::provider::Profile::required_on_create))
    /// and the profile cannot derive it.
    MissingRequired {
        /// The source's match key of the user.
        key: String,
        /// The attribute path (`name.familyName`).
        attribute: String,
        /// The profile requiring it.
        profile: String,
    },
    /// Managers the planner cannot resolve (RFC 7643 §4.3 `manager`): every
    /// one, in line order, each naming its line, the user and the manager.
    Managers {
        /// The problems.
        errors: Vec<ManagerError>,
    },
}

impl std::fmt::Display for PlanError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PlanError::MissingKey { index, key } => {
                write!(f, "desired user #{index} has no {key:?} to match on")
            }
            PlanError::DuplicateKey { key, side } => {
                write!(f, "two entries in the {side} share the key {key:?}")
            }
            PlanError::DuplicateValue {
                attribute,
                value,
                first,
                second,
            } => write!(
                f,
                "desired users {first:?} and {second:?} share the {attribute:?} {value:?} \
                 (compared case-insensitively): they would become one account"
            ),
            PlanError::MissingId { index } => write!(f, "provider resource #{index} has no id"),
            PlanError::MissingGroupName { index } => {
                write!(f, "desired group #{index} has no displayName")
            }
            PlanError::UnknownMember { group, key } => write!(
                f,
                "group {group:?} lists member {key:?}, who is not among the desired users"
            ),
            PlanError::MatchKeyMismatch { source, options } => write!(
                f,
                "the source names members by {source:?} but the plan matches on {options:?}"
            ),
            PlanError::Rail(refusal) => write!(f, "{refusal}"),
            PlanError::Scope(error) => write!(f, "{error}"),
            PlanError::UnwritableChange { id, reason } => {
                write!(
                    f,
                    "the changes to {id} cannot be written as a PATCH: {reason}"
                )
            }
            PlanError::NotOwned { clashes } => write_clashes(f, clashes),
            PlanError::Managers { errors } => write_managers(f, errors),
            PlanError::MissingRequired {
                key,
                attribute,
                profile,
            } => write!(
                f,
                "user {key:?} has no {attribute}, which {profile} requires on create; \
                 map it in the source"
            ),
        }
    }
}

impl std::error::Error for PlanError {}

/// The clashes of [`PlanError::NotOwned`]: how many, and the first ten.
fn write_clashes(f: &mut std::fmt::Formatter<'_>, clashes: &[Clash]) -> std::fmt::Result {
    let groups = clashes.iter().filter(|clash| clash.group).count();
    let users = clashes.len() - groups;
    match (users, groups) {
        (_, 0) => write!(
            f,
            "{users} desired user(s) meet accounts the source does not own"
        )?,
        (0, _) => write!(
            f,
            "{groups} source group(s) meet groups out of the sync's scope"
        )?,
        _ => write!(
            f,
            "{users} desired user(s) meet accounts the source does not own, and {groups} source \
             group(s) meet groups out of the sync's scope"
        )?,
    }
    for clash in clashes.iter().take(10) {
        write!(f, "; {clash}")?;
    }
    if clashes.len() > 10 {
        write!(f, "; and {} more", clashes.len() - 10)?;
    }
    Ok(())
}

/// The problems of [`PlanError::Managers`]: one per line, the first 100.
fn write_managers(f: &mut std::fmt::Formatter<'_>, errors: &[ManagerError]) -> std::fmt::Result {
    write!(f, "{} manager(s) cannot be resolved", errors.len())?;
    for error in errors.iter().take(100) {
        write!(f, "\n{error}")?;
    }
    if errors.len() > 100 {
        write!(f, "\n… and {} more", errors.len() - 100)?;
    }
    Ok(())
}
