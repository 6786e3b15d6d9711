//! [`PlanOptions`]: what the planner may touch, and the safety rails.

use scim_client::model::User;
use serde::{Deserialize, Serialize};

use crate::scope::Scope;
use serde_json::Value;

use crate::plan::Change;

/// How a desired user is matched with an account the provider already has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum MatchKey {
    /// `externalId`: the source's own id (the most stable key).
    ExternalId,
    /// `userName`, compared case-insensitively (RFC 7643 §4.1.1: caseExact false).
    UserName,
    /// The primary email (or the first one), case-insensitively.
    PrimaryEmail,
}

impl MatchKey {
    /// The key's value in `user`, as every part of the sync compares it:
    /// `externalId` as is; `userName` and the primary email (or the first
    /// one) lower-cased, as they are not case-sensitive (RFC 7643 §4.1.1,
    /// §4.1.2). `None` when the user has none.
    pub fn of(self, user: &User) -> Option<String> {
        self.written(user).map(|key| self.normalise(key))
    }

    /// The key's value in `user` as written, before it is normalised; `None`
    /// when the user has none (or an empty one). The one reading of which
    /// attribute, and which email, a key is.
    pub(crate) fn written(self, user: &User) -> Option<&str> {
        let text = match self {
            MatchKey::ExternalId => user.external_id.as_deref(),
            MatchKey::UserName => user.user_name.as_deref(),
            MatchKey::PrimaryEmail => {
                let emails = user.emails.value()?;
                let primary = emails
                    .iter()
                    .find(|email| email.primary.value() == Some(&true))
                    .or_else(|| emails.first())?;
                primary.value.as_deref()
            }
        };
        text.filter(|s| !s.is_empty())
    }

    /// A key written elsewhere (a group's member list), normalised as
    /// [`of`](Self::of) reads keys.
    pub fn normalise(self, key: &str) -> String {
        match self {
            MatchKey::ExternalId => key.to_owned(),
            MatchKey::UserName | MatchKey::PrimaryEmail => key.to_lowercase(),
        }
    }
}

/// Which provider accounts the source owns, and so may deactivate.
///
/// Deleting or deactivating accounts a sync does not own was the worst bug
/// class of awslabs/ssosync (#88, #179, #286): by default nothing is owned
/// until the options say how to tell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Ownership {
    /// Accounts whose `externalId` starts with this prefix (a namespace the
    /// source writes, e.g. `"hr:"`).
    ExternalIdPrefix(String),
    /// Accounts whose `externalId` equals the desired user's (any account
    /// with an `externalId` the source could have written).
    AnyExternalId,
    /// Accounts whose attribute at `path` (`nickName`, or an extension's
    /// `urn:…:User.organization`) holds exactly `value`: a marker the
    /// source writes on the accounts it manages.
    Marker {
        /// The attribute's path.
        path: String,
        /// The marker's value.
        value: serde_json::Value,
    },
    /// No account is owned: the plan creates, and never writes to an
    /// account that exists (no update, adoption or deactivation).
    Nothing,
}

impl Ownership {
    /// Whether the account `user` (its JSON, as the planner projects it or a
    /// lookup returns it) is the source's under this rule.
    pub(crate) fn owns(&self, user: &Value) -> bool {
        let external_id = user.get("externalId").and_then(Value::as_str);
        match self {
            Ownership::ExternalIdPrefix(prefix) => {
                external_id.is_some_and(|id| id.starts_with(prefix.as_str()))
            }
            Ownership::AnyExternalId => external_id.is_some_and(|id| !id.is_empty()),
            Ownership::Marker { path, value } => crate::plan::get(user, path) == Some(value),
            Ownership::Nothing => false,
        }
    }

    /// Whether a provider group carrying `group_external_id` is the
    /// source's to write, for a source group with `source_external_id`
    /// (groups carry no user marker: the claim is the externalId): a group no one
    /// has claimed (no `externalId`), one carrying the source's own
    /// `externalId`, or one this rule owns. A group that carries another
    /// system's `externalId` (another IdP's, another sync's) is not: the
    /// planner reports it as a clash and apply refuses to write to it,
    /// after a create's 409 as much as at planning.
    pub(crate) fn owns_group(
        &self,
        group_external_id: Option<&str>,
        source_external_id: Option<&str>,
    ) -> bool {
        match group_external_id {
            None | Some("") => true,
            Some(id) if Some(id) == source_external_id => true,
            Some(id) => self.owns(&serde_json::json!({ "externalId": id })),
        }
    }

    /// The rule in words, for errors and a plan's review: what makes an
    /// account the source's.
    pub fn describe(&self) -> String {
        match self {
            Ownership::ExternalIdPrefix(prefix) => {
                format!("an externalId starting with {prefix:?}")
            }
            Ownership::AnyExternalId => "an externalId".to_owned(),
            Ownership::Marker { path, value } => format!("{path} = {value}"),
            Ownership::Nothing => "nothing (no ownership rule)".to_owned(),
        }
    }

    /// Whether `changes` write this rule's owned marker (an `externalId`
    /// under the prefix, any `externalId`, or the marker's value): what an
    /// adoption must write for the account to be the source's after it.
    pub(crate) fn marked_by(&self, changes: &[Change]) -> bool {
        let written = |path: &str| {
            changes
                .iter()
                .find(|change| change.path == path)
                .and_then(|change| change.value.as_ref())
        };
        let external_id = written("externalId").and_then(Value::as_str);
        match self {
            Ownership::ExternalIdPrefix(prefix) => {
                external_id.is_some_and(|id| id.starts_with(prefix.as_str()))
            }
            Ownership::AnyExternalId => external_id.is_some_and(|id| !id.is_empty()),
            Ownership::Marker { path, value } => written(path) == Some(value),
            Ownership::Nothing => false,
        }
    }
}

/// Whether an account the source does not own may be taken over when a
/// desired user meets it: one policy value, off by default.
///
/// A create answered 409 because someone else's account holds the login
/// (or a match by `userName` on an account with another `externalId`) is
/// how one person's account becomes another's: by default it is a clash
/// the planner reports and apply refuses (`exists, not owned`). An
/// explicit rule lets it be adopted, the owned marker written with it, so
/// the account is the source's from then on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum Adoption {
    /// Never: an unowned account a desired user meets is a clash.
    #[default]
    Never,
    /// An unowned account meeting a desired user by this key (the plan's
    /// match key, or `userName` for a create refused as a duplicate) is
    /// adopted, and the ownership rule's marker written onto it.
    UnownedBy(MatchKey),
}

impl Adoption {
    /// Whether an unowned account met by `key` may be adopted.
    pub fn allows(self, key: MatchKey) -> bool {
        self == Adoption::UnownedBy(key)
    }
}

/// Limits on deactivations: a plan that passes either is refused unless
/// [`PlanOptions::allow_mass_deactivation`] is set.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeactivationLimit {
    /// At most this many accounts (default 25).
    pub max_count: usize,
    /// At most this share of the owned accounts, in percent (default 10).
    pub max_percent: f64,
}

impl Default for DeactivationLimit {
    fn default() -> Self {
        DeactivationLimit {
            max_count: 25,
            max_percent: 10.0,
        }
    }
}

/// What a plan may do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlanOptions {
    /// How desired and current users are matched.
    pub match_key: MatchKey,
    /// The attributes the source manages (top-level SCIM names,
    /// `name.givenName`-style sub-attributes, or an extension's
    /// `URN.attribute`); others are left alone. The enterprise extension's
    /// (RFC 7643 §4.3) are named under RFC 7643's URN
    /// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department`)
    /// and written under the provider's
    /// ([`Dialect::enterprise_urn`](scim_client::Dialect::enterprise_urn)).
    /// [`Mapping::managed`](crate::source::Mapping::managed) lists those a
    /// mapping feeds. A complex attribute or an extension named whole
    /// (`name`, an extension's URN) that the provider holds already is
    /// compared and written by the sub-attributes the source gives: one it
    /// leaves out is left alone, one it gives as `null` is cleared (both
    /// PATCH forms merge a complex value into the one held).
    pub managed: Vec<String>,
    /// Which accounts the source owns: the only ones any step writes to
    /// (creates aside), at planning and again at apply.
    pub ownership: Ownership,
    /// Whether an unowned account a desired user meets may be adopted
    /// (default: never; a clash is an error).
    #[serde(default)]
    pub adopt: Adoption,
    /// Deactivate owned accounts the source no longer lists (default true).
    pub deactivate_missing: bool,
    /// Delete them instead of deactivating (default false).
    pub delete_instead: bool,
    /// The rail on deactivations.
    pub limit: DeactivationLimit,
    /// Lets a plan pass the limit (default false).
    pub allow_mass_deactivation: bool,
    /// The size of the last source planned from: a source much smaller
    /// (below [`shrink_percent`](Self::shrink_percent) of it) plans no
    /// deactivations, as a truncated export would otherwise deactivate
    /// everyone it lost.
    pub last_source_size: Option<usize>,
    /// How small a source may get, in percent of the last one (default 50).
    pub shrink_percent: f64,
    /// What the sync considers at all (default: everything); out of scope
    /// is never written and is listed as left alone.
    #[serde(default)]
    pub scope: Scope,
}

impl Default for PlanOptions {
    fn default() -> Self {
        PlanOptions {
            match_key: MatchKey::ExternalId,
            managed: [
                "userName",
                "displayName",
                "name",
                "title",
                "emails",
                "active",
            ]
            .map(str::to_owned)
            .to_vec(),
            ownership: Ownership::Nothing,
            adopt: Adoption::Never,
            deactivate_missing: true,
            delete_instead: false,
            limit: DeactivationLimit::default(),
            allow_mass_deactivation: false,
            last_source_size: None,
            shrink_percent: 50.0,
            scope: Scope::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ownership_reads_the_prefix_and_a_nested_marker() {
        let hr = json!({"userName": "a", "externalId": "hr:1", "name": {"familyName": "X"}});
        let other = json!({"userName": "b", "externalId": "it:2"});
        let prefix = Ownership::ExternalIdPrefix("hr:".into());
        assert!(prefix.owns(&hr));
        assert!(!prefix.owns(&other));
        let marker = Ownership::Marker {
            path: "name.familyName".into(),
            value: json!("X"),
        };
        assert!(marker.owns(&hr));
        assert!(!marker.owns(&other));
        assert!(Ownership::AnyExternalId.owns(&other));
        assert!(!Ownership::Nothing.owns(&hr));
    }

    #[test]
    fn a_group_is_owned_unclaimed_by_its_own_external_id_or_by_the_rule() {
        let prefix = Ownership::ExternalIdPrefix("hr:".into());
        assert!(prefix.owns_group(None, None));
        assert!(prefix.owns_group(Some("g-1"), Some("g-1")));
        assert!(prefix.owns_group(Some("hr:g"), None));
        assert!(!prefix.owns_group(Some("okta:g"), Some("g-1")));
    }
}
