//! Group membership changes that fit the provider: many additions and
//! removals split into as many PATCH requests as the profile's limit needs,
//! each in the profile's PATCH form.
//!
//! Why: AWS IAM Identity Center takes at most 100 member changes per PATCH,
//! Slack advises at most 5,000 users per group call, Miro answers 413 above
//! 8,000 (see [`Profile::max_member_changes`]). And the form differs: Slack
//! v1 lists members with `"operation": "delete"`; RFC 7644 removes
//! `members[value eq "…"]`; GitHub takes no filter in a path, so members are
//! removed by value. The bodies are written by the one PATCH renderer,
//! [`PatchChanges`].

use serde_json::Value;

use crate::model::{Group, Member};
use crate::provider::patch::{PatchChange, PatchChanges};
use crate::provider::profile::Profile;
use crate::{Endpoint, Error, Operation};

/// One group's membership change: who joins, who leaves.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberChanges {
    /// Member ids to add.
    pub add: Vec<String>,
    /// Member ids to remove.
    pub remove: Vec<String>,
}

impl MemberChanges {
    /// Additions and removals, in order; repeats of an id are dropped.
    pub fn new<I, J>(add: I, remove: J) -> MemberChanges
    where
        I: IntoIterator,
        I::Item: Into<String>,
        J: IntoIterator,
        J::Item: Into<String>,
    {
        MemberChanges {
            add: unique(add.into_iter().map(Into::into)),
            remove: unique(remove.into_iter().map(Into::into)),
        }
    }

    /// How many changes in all.
    pub fn len(&self) -> usize {
        self.add.len().saturating_add(self.remove.len())
    }

    /// True when nothing changes.
    pub fn is_empty(&self) -> bool {
        self.add.is_empty() && self.remove.is_empty()
    }

    /// The changes in batches of at most `max` (additions first), each a
    /// `MemberChanges` of its own.
    pub fn batches(&self, max: usize) -> Vec<MemberChanges> {
        let max = max.max(1);
        let all = self
            .add
            .iter()
            .map(|id| (true, id))
            .chain(self.remove.iter().map(|id| (false, id)))
            .collect::<Vec<_>>();
        all.chunks(max)
            .map(|chunk| MemberChanges {
                add: chunk.iter().filter(|c| c.0).map(|c| c.1.clone()).collect(),
                remove: chunk.iter().filter(|c| !c.0).map(|c| c.1.clone()).collect(),
            })
            .collect()
    }

    /// These changes, typed, for the PATCH renderer
    /// ([`PatchChanges::render`]): each addition an item `{"value": id}`
    /// added to `members`, then each removal one removed.
    pub fn changes(&self) -> PatchChanges {
        let item = |id: &String| member_json(Member::addition(id));
        let added = self.add.iter().map(|id| PatchChange::AddItem {
            attr: MEMBERS.into(),
            item: item(id),
        });
        let removed = self.remove.iter().map(|id| PatchChange::RemoveItem {
            attr: MEMBERS.into(),
            item: item(id),
        });
        added.chain(removed).collect()
    }
}

const MEMBERS: &str = "members";

/// A member as JSON (a model type always serialises).
fn member_json(member: Member) -> Value {
    serde_json::to_value(member).unwrap_or(Value::Null)
}

fn unique(ids: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    ids.filter(|id| seen.insert(id.clone())).collect()
}

impl Endpoint {
    /// The PATCH requests that apply `changes` to group `group_id` on a
    /// provider described by `profile`: split to its
    /// [`max_member_changes`](Profile::max_member_changes), in its
    /// [`patch`](Profile::patch) form. An id both added and removed is
    /// [`Error::InvalidArgument`]: the order would decide, silently.
    pub fn change_members(
        &self,
        profile: &Profile,
        group_id: &str,
        changes: &MemberChanges,
    ) -> Result<Vec<Operation<Option<Group>>>, Error> {
        let removed: std::collections::HashSet<&String> = changes.remove.iter().collect();
        if let Some(id) = changes.add.iter().find(|id| removed.contains(id)) {
            return Err(Error::invalid(
                "changes",
                format!("member {id:?} is both added and removed"),
            ));
        }
        let max = profile.max_member_changes.unwrap_or(usize::MAX);
        changes
            .batches(max)
            .iter()
            .map(|batch| {
                let body = batch.changes().render(profile.patch, None)?;
                self.patch::<Group>(group_id, &body)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::BearerToken;
    use serde_json::json;

    fn ids(prefix: &str, n: usize) -> Vec<String> {
        (0..n).map(|i| format!("{prefix}{i}")).collect()
    }

    fn bodies(profile: &Profile, changes: &MemberChanges) -> Vec<Value> {
        let endpoint = Endpoint::new(BearerToken::new("xoxp-1").unwrap())
            .with_dialect(profile.dialect)
            .with_base_url("https://scim.test/v2")
            .unwrap();
        endpoint
            .change_members(profile, "G1", changes)
            .unwrap()
            .iter()
            .map(|op| {
                assert_eq!(op.request().method(), http::Method::PATCH);
                assert_eq!(op.request().uri().path(), "/v2/Groups/G1");
                serde_json::from_slice(op.request().body()).unwrap()
            })
            .collect()
    }

    /// Profile, additions, removals → requests, and changes per request.
    #[test]
    fn changes_split_to_each_profiles_limit() {
        let aws = Profile::aws_identity_center("r", "t");
        let slack = Profile::slack_v1();
        let generic = Profile::generic_scim2("https://scim.test/v2");
        let table: [(&Profile, usize, usize, Vec<usize>); 5] = [
            (&aws, 250, 0, vec![100, 100, 50]),
            (&aws, 150, 60, vec![100, 100, 10]),
            (&aws, 0, 100, vec![100]),
            (&slack, 6000, 4000, vec![5000, 5000]),
            (&generic, 20_000, 1, vec![20_001]),
        ];
        for (profile, add, remove, want) in table {
            let changes = MemberChanges::new(ids("A", add), ids("R", remove));
            let got: Vec<usize> = changes
                .batches(profile.max_member_changes.unwrap_or(usize::MAX))
                .iter()
                .map(MemberChanges::len)
                .collect();
            assert_eq!(got, want, "{} +{add} -{remove}", profile.name);
            assert_eq!(bodies(profile, &changes).len(), want.len());
        }
    }

    #[test]
    fn each_form_writes_members_its_own_way() {
        let changes = MemberChanges::new(["W1"], ["W2", "W3"]);
        let v1 = &bodies(&Profile::slack_v1(), &changes)[0];
        assert_eq!(
            v1["members"],
            json!([{"value": "W1"}, {"value": "W2", "operation": "delete"}, {"value": "W3", "operation": "delete"}])
        );
        let v2 = &bodies(&Profile::slack_v2(), &changes)[0];
        assert_eq!(
            v2["Operations"][0],
            json!({"op": "add", "path": "members", "value": [{"value": "W1"}]})
        );
        assert_eq!(
            v2["Operations"][1],
            json!({"op": "remove", "path": "members[value eq \"W2\"]"})
        );
        assert_eq!(v2["Operations"].as_array().map(Vec::len), Some(3));
        let github = &bodies(&Profile::github_emu("e"), &changes)[0];
        assert_eq!(
            github["Operations"][1],
            json!({"op": "remove", "path": "members", "value": [{"value": "W2"}, {"value": "W3"}]})
        );
    }

    #[test]
    fn ids_are_escaped_deduplicated_and_never_both_added_and_removed() {
        let tricky = MemberChanges::new(Vec::<String>::new(), [r#"a" or value pr or "b"#]);
        let body = &bodies(&Profile::slack_v2(), &tricky)[0];
        assert_eq!(
            body["Operations"][0]["path"],
            r#"members[value eq "a\" or value pr or \"b"]"#
        );
        assert_eq!(MemberChanges::new(["W1", "W1"], ["W2"]).len(), 2);
        let endpoint = Endpoint::new(BearerToken::new("xoxp-1").unwrap());
        let both = MemberChanges::new(["W1"], ["W1"]);
        assert!(matches!(
            endpoint.change_members(&Profile::slack_v1(), "G1", &both),
            Err(Error::InvalidArgument { .. })
        ));
        assert!(
            endpoint
                .change_members(&Profile::slack_v1(), "G1", &MemberChanges::default())
                .unwrap()
                .is_empty()
        );
    }
}
