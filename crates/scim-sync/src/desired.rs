//! [`Desired`]: what the source of truth says should exist, typed, from any
//! source (the CSV and JSON readers, or a program's own data).

use scim_client::model::User;
use serde::{Deserialize, Serialize};

use crate::options::MatchKey;

/// The desired users and groups.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Desired {
    /// The match key the group members below are written in (the plan's
    /// [`PlanOptions::match_key`](crate::PlanOptions::match_key) must be the same).
    pub match_key: Option<MatchKey>,
    /// The users, each with its managed attributes (absent: not the source's
    /// to say; `null`: clear it).
    pub users: Vec<User>,
    /// The groups the source manages.
    pub groups: Vec<DesiredGroup>,
    /// The users' managers (RFC 7643 §4.3, the enterprise extension's
    /// `manager`), by match key: what the source says, before the planner
    /// resolves each manager to the provider's id. A user not listed here
    /// keeps whatever its own enterprise extension says (absent: not the
    /// source's to say). Read only when the plan manages the manager
    /// ([`PlanOptions::managed`](crate::PlanOptions::managed) names
    /// `…:enterprise:2.0:User.manager`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managers: Vec<DesiredManager>,
}

/// One group the source manages, and who should be in it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DesiredGroup {
    /// The group's `displayName`: how it is matched with the provider's
    /// groups (case-insensitively).
    pub display_name: String,
    /// Its `externalId`, when the source has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The members, as the desired users' match keys (`externalId`,
    /// `userName` or primary email, per [`Desired::match_key`]).
    #[serde(default)]
    pub members: Vec<String>,
}

/// Who manages one desired user, as the source says it: both by match key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DesiredManager {
    /// The user's match key (in [`Desired::match_key`], like group members).
    pub user: String,
    /// The manager's match key; `None` (`null`): the user has no manager,
    /// clear it.
    pub manager: Option<String>,
    /// The line of the source that says so, for errors (the sources set it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}
