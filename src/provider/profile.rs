//! [`Profile`]: how one provider bends RFC 7644, as data.
//!
//! Every provider differs in page size, pagination, PATCH form, limits and
//! what DELETE means. A profile holds those facts in one plain value; the
//! client, the in-memory service and the sync job read them instead of
//! branching on a provider's name. Start from a profile and change any
//! field:
//!
//! ```
//! use scim_client::provider::Profile;
//!
//! let mut aws = Profile::aws_identity_center("us-east-1", "d-1234567890");
//! assert_eq!(aws.base_url, "https://scim.us-east-1.amazonaws.com/d-1234567890/scim/v2/");
//! aws.max_member_changes = Some(50); // be gentler than the documented 100
//! ```
//!
//! Sources, cited on each constructor, are the providers' public docs as
//! collected in the project's `providers.md` (late 2026). Facts marked
//! *unverified* are defaults to change, not truths.

use std::time::Duration;

use http::Method;

use crate::Dialect;
use crate::pacing::budget::{Methods, RateRule, RateTable, Target};

/// How a provider pages a list (RFC 9865 §2 adds cursors to RFC 7644's indexes).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pagination {
    /// `startIndex` and `count` only (RFC 7644 §3.4.2.4).
    Index,
    /// `cursor` and `count` only; `startIndex` is ignored or refused.
    Cursor,
    /// Both; the walk follows cursors.
    IndexAndCursor,
}

impl Pagination {
    /// True when a walk should follow cursors.
    pub fn uses_cursor(self) -> bool {
        matches!(self, Pagination::Cursor | Pagination::IndexAndCursor)
    }
}

/// The body of a PATCH.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PatchForm {
    /// Slack v1: a partial resource; `null` clears; members are removed
    /// with `"operation": "delete"`.
    PartialResource,
    /// RFC 7644 §3.5.2 `PatchOp`.
    PatchOp {
        /// Whether paths may hold value filters (`members[value eq "W1"]`).
        /// Without them a member is removed by
        /// `{"op": "remove", "path": "members", "value": [{"value": "W1"}]}`.
        value_filter_paths: bool,
    },
}

/// What `DELETE /Users/{id}` does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UserDelete {
    /// The user is gone (RFC 7644 §3.6).
    Deletes,
    /// The user is deactivated and kept (Slack: users are never deleted).
    Deactivates,
}

/// One provider's facts. Plain data: every field is public.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    /// A short name (`"slack-v1"`), as the `scim` command takes it.
    pub name: String,
    /// The wire dialect.
    pub dialect: Dialect,
    /// The base URL; `{placeholders}` mark the parts that are the user's.
    pub base_url: String,
    /// The largest page the provider serves, when it caps it below what its
    /// dialect already caps ([`Dialect::max_count`]: 1000 on Slack).
    pub max_page_size: Option<u32>,
    /// Index, cursor, or both.
    pub pagination: Pagination,
    /// The PATCH body it takes.
    pub patch: PatchForm,
    /// The most member changes (additions plus removals) one group PATCH
    /// may carry; larger changes are split.
    pub max_member_changes: Option<usize>,
    /// What `DELETE /Users/{id}` does.
    pub user_delete: UserDelete,
    /// Whether `GET /Groups/{id}` and group lists include `members`.
    pub group_reads_return_members: bool,
    /// The rate limits to pace to: the published ones, or an *assumed*,
    /// conservative table where the provider publishes no number (each
    /// constructor says which).
    pub rates: RateTable,
    /// The user attributes a create must carry, beyond what RFC 7643 §4.1
    /// already requires (`userName`), each with how to derive it when the
    /// source lacks it. The sync planner refuses a create missing one it
    /// cannot derive, before any write; the in-memory service answers 400.
    pub required_on_create: Vec<RequiredAttribute>,
}

/// An attribute a provider requires when a user is created, and how a
/// missing one may be derived from others (as data, so every caller derives
/// it the same way and says so).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequiredAttribute {
    /// The attribute path (`displayName`, `name.givenName`).
    pub path: String,
    /// How to derive it when absent; `None`: the source must carry it.
    pub derive: Option<Derivation>,
}

impl RequiredAttribute {
    /// A required attribute the source must carry.
    pub fn path(path: &str) -> RequiredAttribute {
        RequiredAttribute {
            path: path.into(),
            derive: None,
        }
    }
}

/// How a missing required attribute is derived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Derivation {
    /// The named string attributes, each present and non-empty, joined by
    /// one space (`displayName` from `name.givenName` and `name.familyName`,
    /// the order RFC 7643 §4.1.1 gives for Western names). When any is
    /// absent nothing is derived and the attribute stays missing.
    Join(Vec<String>),
}

const MINUTE: Duration = Duration::from_secs(60);

impl Profile {
    /// Slack's SCIM v1.1 API.
    ///
    /// Sources: docs.slack.dev/reference/scim-api (v1: partial-resource
    /// PATCH, `count` ≤ 1000, users deactivated never deleted, group calls
    /// ≤ 15,000 users with 5,000 recommended, `/ServiceProviderConfigs`);
    /// rates from docs.slack.dev/reference/scim-api/rate-limits (see
    /// [`slack_rates`](Self::slack_rates)).
    pub fn slack_v1() -> Profile {
        Profile {
            name: "slack-v1".into(),
            dialect: Dialect::SlackV1,
            base_url: crate::SLACK_V1_BASE_URL.into(),
            max_page_size: None,
            pagination: Pagination::Index,
            patch: PatchForm::PartialResource,
            max_member_changes: Some(5000),
            user_delete: UserDelete::Deactivates,
            group_reads_return_members: true,
            rates: Profile::slack_rates(),
            // Slack's API reference also marks `emails` required on create;
            // not in providers.md, so *unverified* and not enforced here.
            required_on_create: Vec::new(),
        }
    }

    /// Slack's SCIM 2.0 API: `PatchOp` with value-filter member paths
    /// (Slack's own examples remove `members[value eq U123]`; `remove` of
    /// `members` without a filter removes every member: entra-docs PR #879).
    /// No documented page cap (1000 kept, *unverified*). Same rates as v1.
    pub fn slack_v2() -> Profile {
        Profile {
            name: "slack-v2".into(),
            dialect: Dialect::SlackV2,
            base_url: crate::SLACK_V2_BASE_URL.into(),
            patch: PatchForm::PatchOp {
                value_filter_paths: true,
            },
            ..Profile::slack_v1()
        }
    }

    /// Slack's per-organisation limits, shared by every SCIM app of the org
    /// (docs.slack.dev/reference/scim-api/rate-limits; enforced since
    /// 2020-07-01, java-slack-sdk#414). List endpoints have only the org's
    /// read limit.
    pub fn slack_rates() -> RateTable {
        let item_writes = Methods::Only(vec![Method::PUT, Method::PATCH]);
        let create = Methods::Only(vec![Method::POST]);
        let delete = Methods::Only(vec![Method::DELETE]);
        RateTable::new(vec![
            RateRule::writes("writes", 600, MINUTE, 180),
            RateRule::reads("reads", 1000, MINUTE, 1000),
            RateRule::on(
                "user reads",
                Methods::Reads,
                "Users",
                Target::Item,
                300,
                MINUTE,
                300,
            ),
            RateRule::on(
                "group reads",
                Methods::Reads,
                "Groups",
                Target::Item,
                300,
                MINUTE,
                300,
            ),
            RateRule::on(
                "user creates",
                create.clone(),
                "Users",
                Target::Collection,
                180,
                MINUTE,
                20,
            ),
            RateRule::on(
                "user updates",
                item_writes.clone(),
                "Users",
                Target::Item,
                180,
                MINUTE,
                20,
            ),
            RateRule::on(
                "user deletes",
                delete.clone(),
                "Users",
                Target::Item,
                180,
                MINUTE,
                20,
            ),
            RateRule::on(
                "group creates",
                create,
                "Groups",
                Target::Collection,
                180,
                MINUTE,
                20,
            ),
            RateRule::on(
                "group deletes",
                delete,
                "Groups",
                Target::Item,
                180,
                MINUTE,
                20,
            ),
            RateRule::on(
                "group updates",
                item_writes,
                "Groups",
                Target::Item,
                180,
                MINUTE,
                80,
            ),
        ])
    }

    /// AWS IAM Identity Center: cursor-only lists of ≤ 100, group reads
    /// without members (membership is read with
    /// `filter=members.value eq "<userId>"`), ≤ 100 member changes per
    /// PATCH, no `replace` of members; a create requires `displayName`,
    /// `name.givenName` and `name.familyName` besides `userName`
    /// (`displayName` is derived from the two names when absent). Sources:
    /// AWS IAM Identity Center developer guide (CreateUser, ListUsers,
    /// ListGroups, PatchGroup, "Limitations"); authentik#20410;
    /// idp-scim-sync#62.
    ///
    /// AWS throttles with 429 `ThrottlingException` but publishes no number:
    /// the rate table ([`aws_rates`](Self::aws_rates)) is *assumed*.
    pub fn aws_identity_center(region: &str, tenant_id: &str) -> Profile {
        Profile {
            name: "aws".into(),
            dialect: Dialect::Scim2,
            base_url: format!("https://scim.{region}.amazonaws.com/{tenant_id}/scim/v2/"),
            max_page_size: Some(100),
            pagination: Pagination::Cursor,
            patch: PatchForm::PatchOp {
                value_filter_paths: false,
            },
            max_member_changes: Some(100),
            group_reads_return_members: false,
            rates: Profile::aws_rates(),
            required_on_create: vec![
                RequiredAttribute {
                    path: "displayName".into(),
                    derive: Some(Derivation::Join(vec![
                        "name.givenName".into(),
                        "name.familyName".into(),
                    ])),
                },
                RequiredAttribute::path("name.givenName"),
                RequiredAttribute::path("name.familyName"),
            ],
            ..Profile::generic_scim2("")
        }
    }

    /// An *assumed* table for AWS IAM Identity Center, which publishes no
    /// SCIM rate (providers.md §2): 10 requests a second, bursts of 10 —
    /// half of the 20 req/s throttle that one measured run met 163 429s
    /// under, so a run paced to it (at the default share) stays clear of a
    /// throttle of that size. Change it when AWS publishes a number.
    pub fn aws_rates() -> RateTable {
        RateTable::new(vec![RateRule::any(
            "all requests (assumed)",
            600,
            MINUTE,
            10,
        )])
    }

    /// GitHub Enterprise Managed Users: no value-filter PATCH paths
    /// ("complicated SCIM path selectors that include filters are not
    /// supported"), `active: false` suspends and obfuscates, at most 1,000
    /// users provisioned per hour. Sources: GitHub REST docs "Update an
    /// attribute for a SCIM user"; docs.github.com "Provisioning users and
    /// groups for Enterprise Managed Users with the REST API". Page cap 100
    /// *unverified*.
    pub fn github_emu(enterprise: &str) -> Profile {
        Profile {
            name: "github-emu".into(),
            base_url: format!("https://api.github.com/scim/v2/enterprises/{enterprise}/"),
            max_page_size: Some(100),
            patch: PatchForm::PatchOp {
                value_filter_paths: false,
            },
            rates: RateTable::new(vec![RateRule::on(
                "user provisioning",
                Methods::Only(vec![Method::POST]),
                "Users",
                Target::Collection,
                1000,
                Duration::from_secs(3600),
                1000,
            )]),
            ..Profile::generic_scim2("")
        }
    }

    /// Atlassian (Guard / Access user provisioning): cursor pagination,
    /// filters a single `eq` on `userName` or `externalId`, deactivated
    /// users then read as 404. Sources: developer.atlassian.com "User
    /// provisioning REST API"; support.atlassian.com provisioning limits.
    /// Page cap 100 *unverified*; the rate table
    /// ([`atlassian_rates`](Self::atlassian_rates)) is *assumed*.
    pub fn atlassian(directory_id: &str) -> Profile {
        Profile {
            name: "atlassian".into(),
            base_url: format!("https://api.atlassian.com/scim/directory/{directory_id}/"),
            max_page_size: Some(100),
            pagination: Pagination::Cursor,
            rates: Profile::atlassian_rates(),
            ..Profile::generic_scim2("")
        }
    }

    /// An *assumed* table for Atlassian's user provisioning API, which
    /// documents 429 with `Retry-After` but no SCIM rate (providers.md
    /// §2): 10 requests a second, bursts of 10, the figure assumed for AWS
    /// for the same reason. Change it when Atlassian publishes a number.
    pub fn atlassian_rates() -> RateTable {
        RateTable::new(vec![RateRule::any(
            "all requests (assumed)",
            600,
            MINUTE,
            10,
        )])
    }

    /// Zoom: OAuth only (server-to-server app, `scim2` scope), about one
    /// request a second per endpoint (older docs; *unverified* today).
    /// Source: developers.zoom.us "SCIM2" API reference.
    pub fn zoom() -> Profile {
        let per_second = |name: &str, endpoint: &str| {
            RateRule::on(
                name,
                Methods::Any,
                endpoint,
                Target::Any,
                1,
                Duration::from_secs(1),
                1,
            )
        };
        Profile {
            name: "zoom".into(),
            base_url: "https://api.zoom.us/scim2/".into(),
            rates: RateTable::new(vec![
                per_second("users", "Users"),
                per_second("groups", "Groups"),
            ]),
            ..Profile::generic_scim2("")
        }
    }

    /// Any RFC 7643/7644 service at `base_url`: indexes, `PatchOp` with
    /// value filters, DELETE deletes.
    ///
    /// Its rate table is empty *by decision*: RFC 7644 sets no rate, and
    /// a number assumed for every SCIM server would either slow a fast
    /// local one for nothing or still not match a slow one. A 429 is
    /// retried after its `Retry-After` within the call's total wait; set
    /// [`rates`](Self::rates) where the service publishes a table.
    pub fn generic_scim2(base_url: &str) -> Profile {
        Profile {
            name: "scim2".into(),
            dialect: Dialect::Scim2,
            base_url: base_url.into(),
            max_page_size: None,
            pagination: Pagination::Index,
            patch: PatchForm::PatchOp {
                value_filter_paths: true,
            },
            max_member_changes: None,
            user_delete: UserDelete::Deletes,
            group_reads_return_members: true,
            rates: RateTable::default(),
            required_on_create: Vec::new(),
        }
    }

    /// Every built-in profile, by name (`slack-v1`, `slack-v2`, `aws`,
    /// `github-emu`, `atlassian`, `zoom`, `scim2`), with placeholder URLs
    /// where the URL is the user's.
    pub fn named(name: &str) -> Option<Profile> {
        Some(match name {
            "slack-v1" => Profile::slack_v1(),
            "slack-v2" => Profile::slack_v2(),
            "aws" => Profile::aws_identity_center("{region}", "{tenant_id}"),
            "github-emu" => Profile::github_emu("{enterprise}"),
            "atlassian" => Profile::atlassian("{directory_id}"),
            "zoom" => Profile::zoom(),
            "scim2" => Profile::generic_scim2("{base_url}"),
            _ => return None,
        })
    }

    /// The names [`named`](Self::named) knows.
    pub const NAMES: [&'static str; 7] = [
        "slack-v1",
        "slack-v2",
        "aws",
        "github-emu",
        "atlassian",
        "zoom",
        "scim2",
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_gives_its_profile() {
        for name in Profile::NAMES {
            assert_eq!(Profile::named(name).map(|p| p.name), Some(name.to_owned()));
        }
        assert_eq!(Profile::named("okta"), None);
    }

    #[test]
    fn every_vendor_profile_has_a_rate_table_and_assumed_ones_say_so() {
        for name in Profile::NAMES {
            let profile = Profile::named(name).unwrap();
            if name == "scim2" {
                assert!(
                    profile.rates.is_empty(),
                    "generic SCIM 2.0: empty by decision"
                );
                continue;
            }
            assert!(!profile.rates.is_empty(), "{name} has no rate table");
        }
        for assumed in [Profile::aws_rates(), Profile::atlassian_rates()] {
            assert!(
                assumed
                    .rules
                    .iter()
                    .all(|rule| rule.name.contains("assumed"))
            );
        }
    }

    #[test]
    fn slack_profiles_carry_slacks_ten_rate_rules() {
        for profile in [Profile::slack_v1(), Profile::slack_v2()] {
            assert_eq!(profile.rates.rules.len(), 10);
        }
    }
}
