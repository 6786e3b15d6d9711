//! The planner as tables, per provider: PATCH bodies in each profile's form,
//! what Slack v1 cannot PATCH, groups, and membership chunked to each
//! profile's limit, with members the source does not own left in place.

use scim_client::model::{Group, Member, Name, User};
use scim_client::provider::Profile;
use scim_sync::{
    Current, Desired, DesiredGroup, MatchKey, Ownership, PlanOptions, Ref, Step, plan,
};
use serde_json::{Value, json};

fn user(id: &str, user_name: &str, external_id: &str) -> User {
    User {
        id: if id.is_empty() {
            scim_client::model::Field::Absent
        } else {
            id.into()
        },
        user_name: user_name.into(),
        external_id: if external_id.is_empty() {
            scim_client::model::Field::Absent
        } else {
            external_id.into()
        },
        active: true.into(),
        ..User::default()
    }
}

fn options() -> PlanOptions {
    PlanOptions {
        ownership: Ownership::ExternalIdPrefix("hr:".into()),
        ..PlanOptions::default()
    }
}

fn only_users(users: Vec<User>) -> Desired {
    Desired {
        users,
        ..Desired::default()
    }
}

/// Profile → (the update's PATCH body, the deactivation's PATCH body).
/// `name` is managed whole and held already: it is compared and written
/// by the sub-attributes the source gives (`givenName` cleared, the same
/// `familyName` left alone); Slack v1's partial resource sends the whole
/// `name` merged with the one held.
#[test]
fn patch_bodies_are_in_each_profiles_form() {
    let have = User {
        title: "Dev".into(),
        name: Name {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            ..Name::default()
        }
        .into(),
        ..user("W1", "ada", "hr:1")
    };
    let want = User {
        id: scim_client::model::Field::Absent,
        title: "Lead".into(),
        name: Name {
            given_name: scim_client::model::Field::Null,
            family_name: "Lovelace".into(),
            ..Name::default()
        }
        .into(),
        ..have.clone()
    };
    let gone = user("W2", "cy", "hr:2");
    let patch_op = |ops: Value| json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": ops});
    let table: Vec<(Profile, Value, Value)> = vec![
        (
            Profile::slack_v1(),
            json!({"title": "Lead", "name": {"familyName": "Lovelace", "givenName": null}}),
            json!({"active": false}),
        ),
        (
            Profile::slack_v2(),
            patch_op(json!([{"op": "remove", "path": "name.givenName"},
                            {"op": "replace", "path": "title", "value": "Lead"}])),
            patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
        ),
        (
            Profile::generic_scim2("https://scim.test/v2"),
            patch_op(json!([{"op": "remove", "path": "name.givenName"},
                            {"op": "replace", "path": "title", "value": "Lead"}])),
            patch_op(json!([{"op": "replace", "path": "active", "value": false}])),
        ),
    ];
    for (profile, update, deactivate) in table {
        let options = PlanOptions {
            allow_mass_deactivation: true,
            ..options()
        };
        let current = Current {
            users: vec![have.clone(), gone.clone()],
            ..Current::default()
        };
        let plan = plan(
            &only_users(vec![want.clone()]),
            &current,
            &profile,
            &options,
        )
        .unwrap();
        assert_eq!(plan.profile, profile.name);
        match &plan.steps[..] {
            [
                Step::UpdateUser { patch: u, .. },
                Step::DeactivateUser { patch: d, .. },
            ] => {
                assert_eq!(json(u), update, "{}", profile.name);
                assert_eq!(json(d), deactivate, "{}", profile.name);
            }
            other => panic!("{}: {other:?}", profile.name),
        }
    }
}

#[test]
fn clearing_a_sub_attribute_removes_it_in_patch_op_and_nulls_it_in_slack_v1() {
    let have = User {
        name: Name {
            given_name: "Ada".into(),
            ..Name::default()
        }
        .into(),
        ..user("W1", "ada", "hr:1")
    };
    let want = User {
        id: scim_client::model::Field::Absent,
        name: Name {
            given_name: scim_client::model::Field::Null,
            ..Name::default()
        }
        .into(),
        ..have.clone()
    };
    let options = PlanOptions {
        managed: vec!["name.givenName".into()],
        ..options()
    };
    let current = Current {
        users: vec![have],
        ..Current::default()
    };
    for (profile, expected) in [
        (Profile::slack_v1(), json!({"name": {"givenName": null}})),
        (
            Profile::slack_v2(),
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                   "Operations": [{"op": "remove", "path": "name.givenName"}]}),
        ),
    ] {
        let plan = plan(
            &only_users(vec![want.clone()]),
            &current,
            &profile,
            &options,
        )
        .unwrap();
        match &plan.steps[..] {
            [Step::UpdateUser { patch, changes, .. }] => {
                assert_eq!(json(patch), expected, "{}", profile.name);
                assert_eq!(changes[0].value, None);
                assert_eq!(changes[0].from, Some(json!("Ada")));
            }
            other => panic!("{}: {other:?}", profile.name),
        }
    }
}

/// Adoption by userName sets externalId where the provider lets it be
/// PATCHed; Slack v1 cannot, so adopting there would not make the account
/// the source's: a clash.
#[test]
fn adoption_writes_the_external_id_except_on_slack_v1() {
    let have = User {
        title: "Dev".into(),
        ..user("W1", "ada", "")
    };
    let want = User {
        title: "Lead".into(),
        ..user("", "Ada", "hr:1")
    };
    let options = PlanOptions {
        match_key: MatchKey::UserName,
        adopt: scim_sync::Adoption::UnownedBy(MatchKey::UserName),
        ..options()
    };
    let current = Current {
        users: vec![have],
        ..Current::default()
    };
    let slack = plan(
        &only_users(vec![want.clone()]),
        &current,
        &Profile::slack_v1(),
        &options,
    );
    assert!(
        matches!(&slack, Err(scim_sync::PlanError::NotOwned { clashes }) if clashes[0].reason.contains("owned marker")),
        "{slack:?}"
    );
    for (profile, step, paths, note) in [
        (
            Profile::slack_v2(),
            "adoptUser",
            vec!["externalId", "title"],
            false,
        ),
        (
            Profile::generic_scim2("https://scim.test/v2"),
            "adoptUser",
            vec!["externalId", "title"],
            false,
        ),
    ] {
        let plan = plan(
            &only_users(vec![want.clone()]),
            &current,
            &profile,
            &options,
        )
        .unwrap();
        let json = serde_json::to_value(&plan.steps[0]).unwrap();
        assert_eq!(json["step"], step, "{}", profile.name);
        let got: Vec<&str> = json["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["path"].as_str().unwrap())
            .collect();
        assert_eq!(got, paths, "{}", profile.name);
        let noted = plan
            .left_alone
            .iter()
            .any(|l| l.reason.contains("externalId cannot be PATCHed"));
        assert_eq!(noted, note, "{}", profile.name);
    }
}

fn members(group: &Step) -> (usize, usize) {
    match group {
        Step::ChangeMembers { add, remove, .. } => (add.len(), remove.len()),
        other => panic!("{other:?}"),
    }
}

/// 250 members join a group, one owned member leaves, one not owned stays:
/// the changes come in as many requests as each profile's limit needs.
#[test]
fn membership_changes_are_chunked_to_each_profiles_limit() {
    let mut users: Vec<User> = (0..250)
        .map(|i| user(&format!("W{i}"), &format!("u{i}"), &format!("hr:{i}")))
        .collect();
    users.push(user("WX", "leaver", "hr:x"));
    users.push(user("WC", "contractor", ""));
    let desired = Desired {
        users: (0..250)
            .map(|i| user("", &format!("u{i}"), &format!("hr:{i}")))
            .chain([user("", "leaver", "hr:x")])
            .collect(),
        groups: vec![DesiredGroup {
            display_name: "Eng".into(),
            external_id: None,
            members: (0..250).map(|i| format!("hr:{i}")).collect(),
        }],
        ..Desired::default()
    };
    let group = Group {
        id: "G1".into(),
        display_name: "eng".into(),
        members: vec![Member::addition("WX"), Member::addition("WC")].into(),
        ..Group::default()
    };
    let current = Current {
        users,
        groups: vec![group],
    };
    let aws = Profile::aws_identity_center("us-east-1", "d-1");
    for (profile, chunks, rename) in [
        (Profile::slack_v1(), vec![(250, 1)], true),
        (Profile::slack_v2(), vec![(250, 1)], true),
        (
            Profile::generic_scim2("https://scim.test/v2"),
            vec![(250, 1)],
            true,
        ),
        // AWS: at most 100 changes per request; its group reads list no
        // members, but `read_current_for` reads them through the
        // `members.value eq` filter, so the leaver is known and removed.
        (aws.clone(), vec![(100, 0), (100, 0), (50, 1)], true),
    ] {
        let plan = plan(&desired, &current, &profile, &options()).unwrap();
        let steps: Vec<&Step> = plan
            .steps
            .iter()
            .filter(|s| matches!(s, Step::ChangeMembers { .. }))
            .collect();
        let got: Vec<(usize, usize)> = steps.iter().map(|s| members(s)).collect();
        let max = profile.max_member_changes.unwrap_or(usize::MAX);
        assert_eq!(got, chunks, "{}", profile.name);
        assert!(got.iter().all(|(a, r)| a + r <= max), "{}", profile.name);
        // "Eng" renames "eng"; the contractor (not owned) stays, noted.
        let renamed = plan.steps.iter().any(
            |s| matches!(s, Step::UpdateGroup { changes, .. } if changes[0].path == "displayName"),
        );
        assert_eq!(renamed, rename, "{}", profile.name);
        assert!(
            plan.left_alone
                .iter()
                .any(|l| l.id == "WC" && l.reason.contains("not owned")),
            "{}",
            profile.name
        );
        assert!(
            matches!(steps.last().unwrap(), Step::ChangeMembers { remove, .. } if remove == &["WX"])
        );
        assert!(
            steps
                .iter()
                .all(|s| matches!(s, Step::ChangeMembers { group: Ref::Id(id), .. } if id == "G1"))
        );
    }
}

/// AWS's group read taken as it comes (no `members`, as a plain
/// `read_current` gives it): members are added, none can be known to leave,
/// and the plan says so.
#[test]
fn aws_groups_read_without_members_add_and_remove_nothing() {
    let users: Vec<User> = vec![user("W1", "u1", "hr:1"), user("WX", "leaver", "hr:x")];
    let desired = Desired {
        users: vec![user("", "u1", "hr:1"), user("", "leaver", "hr:x")],
        groups: vec![DesiredGroup {
            display_name: "eng".into(),
            external_id: None,
            members: vec!["hr:1".into()],
        }],
        ..Desired::default()
    };
    let group = Group {
        id: "G1".into(),
        display_name: "eng".into(),
        ..Group::default()
    };
    let current = Current {
        users,
        groups: vec![group],
    };
    let aws = Profile::aws_identity_center("us-east-1", "d-1");
    let plan = plan(&desired, &current, &aws, &options()).unwrap();
    let changes: Vec<(usize, usize)> = plan
        .steps
        .iter()
        .filter(|s| matches!(s, Step::ChangeMembers { .. }))
        .map(members)
        .collect();
    assert_eq!(changes, vec![(1, 0)]);
    assert!(
        plan.left_alone
            .iter()
            .any(|l| l.id == "G1" && l.reason.contains("none removed"))
    );
}

#[test]
fn a_new_group_is_created_then_filled_with_users_the_plan_creates() {
    let desired = Desired {
        users: vec![user("", "ada", "hr:1"), user("", "bo", "hr:2")],
        groups: vec![DesiredGroup {
            display_name: "Ops".into(),
            external_id: Some("g:ops".into()),
            members: vec!["hr:2".into(), "hr:1".into()],
        }],
        ..Desired::default()
    };
    let current = Current {
        users: vec![user("W1", "ada", "hr:1")],
        ..Current::default()
    };
    let planned = plan(&desired, &current, &Profile::slack_v2(), &options()).unwrap();
    let json = serde_json::to_value(&planned.steps).unwrap();
    assert_eq!(
        json,
        json!([
            {"step": "createUser", "key": "hr:2", "user": {"userName": "bo", "active": true, "externalId": "hr:2"}},
            {"step": "createGroup", "key": "ops", "group": {"displayName": "Ops", "externalId": "g:ops"}},
            {"step": "changeMembers", "group": {"key": "ops"}, "add": [{"id": "W1"}, {"key": "hr:2"}], "remove": []}
        ])
    );
    // A member the source does not list is an error, not a silent drop.
    let mut bad = desired.clone();
    bad.groups[0].members.push("hr:9".into());
    let error = plan(&bad, &current, &Profile::slack_v2(), &options()).unwrap_err();
    assert!(error.to_string().contains("hr:9"), "{error}");
}

/// An extension attribute managed in the planner's dot form: Slack v1 gets
/// the whole extension (its cost centre kept), RFC 7644 services a
/// `replace` of the attribute's path in the RFC's colon form (§3.10). The
/// source and the managed path name RFC 7643's URN; Slack v1 holds and
/// gets the extension under its own (`urn:scim:schemas:extension:enterprise:1.0`).
#[test]
fn an_extension_attribute_is_sent_inside_the_whole_extension_only_in_slack_v1() {
    use scim_client::model::EnterpriseUser;
    const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
    const SLACK_V1: &str = "urn:scim:schemas:extension:enterprise:1.0";
    let enterprise = |department: &str, cost_center: Option<&str>| EnterpriseUser {
        department: department.into(),
        cost_center: cost_center.map(Into::into).unwrap_or_default(),
        ..EnterpriseUser::default()
    };
    let have = User {
        enterprise_v2: enterprise("R&D", Some("C1")).into(),
        ..user("W1", "ada", "hr:1")
    };
    let want = User {
        id: scim_client::model::Field::Absent,
        enterprise_v2: enterprise("Maths", None).into(),
        ..have.clone()
    };
    let options = PlanOptions {
        managed: vec![format!("{ENTERPRISE}.department")],
        ..options()
    };
    let slack_v1_account = User {
        enterprise: enterprise("R&D", Some("C1")).into(),
        enterprise_v2: Default::default(),
        ..have.clone()
    };
    for (profile, have, expected) in [
        (
            Profile::slack_v1(),
            slack_v1_account,
            json!({SLACK_V1: {"department": "Maths", "costCenter": "C1"}}),
        ),
        (
            Profile::slack_v2(),
            have,
            json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                   "Operations": [{"op": "replace", "path": format!("{ENTERPRISE}:department"), "value": "Maths"}]}),
        ),
    ] {
        let current = Current {
            users: vec![have],
            ..Current::default()
        };
        let plan = plan(
            &only_users(vec![want.clone()]),
            &current,
            &profile,
            &options,
        )
        .unwrap();
        match &plan.steps[..] {
            [Step::UpdateUser { patch, .. }] => {
                assert_eq!(json(patch), expected, "{}", profile.name)
            }
            other => panic!("{}: {other:?}", profile.name),
        }
    }
}

/// A step's PATCH body as the JSON it writes.
fn json(body: &impl serde::Serialize) -> serde_json::Value {
    serde_json::to_value(body).expect("a body writes JSON")
}
