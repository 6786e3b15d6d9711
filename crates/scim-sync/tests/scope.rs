//! Scope (issue 22): what the sync considers at all, on the provider's side
//! (a filter on accounts, on groups) and the source's (a filter on desired
//! users, membership of named source groups). Out of scope is never
//! written and is listed as left alone with why — at planning, and again
//! at apply's re-check of a plan. A source value meaning "suspended"
//! deactivates without counting as a removal for the rails.

mod common;

use common::*;
use scim_client::provider::Profile;
use scim_memory::InMemoryService;
use scim_sync::apply::{ApplyError, ApplyOptions, apply_blocking};
use scim_sync::{DeactivationLimit, Plan, PlanError, PlanOptions, Scope, Step, plan, read_current};

fn planned(service: &InMemoryService, profile: &Profile, scope: Scope) -> Result<Plan, PlanError> {
    let current = read_current(&client(profile, service.clone())).unwrap();
    let options = PlanOptions { scope, ..options() };
    plan(&desired(), &current, profile, &options)
}

fn id_named(service: &InMemoryService, profile: &Profile, name: &str) -> String {
    id_of(&client(profile, service.clone()), name)
}

/// The reasons the plan leaves account `id` alone, one per line.
fn left_alone_why(plan: &Plan, id: &str) -> Option<String> {
    let reasons: Vec<&str> = plan
        .left_alone
        .iter()
        .filter(|l| l.id == id)
        .map(|l| l.reason.as_str())
        .collect();
    (!reasons.is_empty()).then(|| reasons.join("\n"))
}

fn writes_to(plan: &Plan, id: &str) -> bool {
    plan.steps.iter().any(|step| match step {
        Step::UpdateUser {
            id: scim_sync::Ref::Id(at),
            ..
        } => at == id,
        Step::AdoptUser { id: at, .. }
        | Step::DeactivateUser { id: at, .. }
        | Step::DeleteUser { id: at, .. } => at == id,
        Step::ChangeMembers { remove, .. } => remove.iter().any(|r| r == id),
        _ => false,
    })
}

#[test]
fn an_account_out_of_the_provider_scope_is_never_deactivated_nor_written() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let cy = id_named(&service, &profile, "cy");
    // Without a scope, cy (owned, gone from the source) is deactivated.
    let everything = planned(&service, &profile, Scope::default()).unwrap();
    assert!(writes_to(&everything, &cy));
    let scope = Scope {
        users: Some(r#"userName ne "cy""#.into()),
        ..Scope::default()
    };
    let scoped = planned(&service, &profile, scope).unwrap();
    assert!(!writes_to(&scoped, &cy), "{:?}", scoped.steps);
    let why = left_alone_why(&scoped, &cy).unwrap_or_default();
    assert!(why.contains("out of the sync's scope"), "{why}");
    // A source user meeting an account out of scope is a clash, not a write.
    let scope = Scope {
        users: Some(r#"userName ne "ada""#.into()),
        ..Scope::default()
    };
    let clash = planned(&service, &profile, scope).unwrap_err();
    let text = clash.to_string();
    assert!(
        text.contains("exists, not owned") && text.contains("scope"),
        "{text}"
    );
}

#[test]
fn source_users_left_out_keep_their_accounts_untouched() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let (ada, bob, cy) = (
        id_named(&service, &profile, "ada"),
        id_named(&service, &profile, "bob"),
        id_named(&service, &profile, "cy"),
    );
    // Only the source's developers: ada (now Lead) and bob (Ops) are
    // left out, so their accounts are neither updated nor deactivated,
    // and ada stays in eng; cy, gone, is still deactivated.
    let scope = Scope {
        source_users: Some(r#"title eq "Dev""#.into()),
        ..Scope::default()
    };
    let scoped = planned(&service, &profile, scope).unwrap();
    for id in [&ada, &bob] {
        assert!(!writes_to(&scoped, id), "{id}: {:?}", scoped.steps);
        let why = left_alone_why(&scoped, id).unwrap_or_default();
        assert!(why.contains("source user is left out"), "{why}");
    }
    assert!(writes_to(&scoped, &cy));
    let creates: Vec<&str> = scoped
        .steps
        .iter()
        .filter_map(|s| match s {
            Step::CreateUser { key, .. } => Some(key.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(creates, ["hr:4", "hr:5"]);
    // By group: only the members of the source's ops (bob, eve).
    let scope = Scope {
        source_groups: vec!["OPS".into()],
        ..Scope::default()
    };
    let by_group = planned(&service, &profile, scope).unwrap();
    assert!(!writes_to(&by_group, &ada));
    assert!(
        by_group
            .steps
            .iter()
            .all(|s| !matches!(s, Step::CreateUser { key, .. } if key == "hr:4"))
    );
}

#[test]
fn a_group_out_of_scope_is_a_clash_when_the_source_names_it_and_left_alone_otherwise() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let scope = Scope {
        groups: Some(r#"displayName ne "eng""#.into()),
        ..Scope::default()
    };
    let clash = planned(&service, &profile, scope).unwrap_err();
    let text = clash.to_string();
    assert!(
        text.contains("source group \"eng\"") && text.contains("scope"),
        "{text}"
    );
    let mut desired = desired();
    desired.groups.retain(|g| g.display_name != "eng");
    let current = read_current(&client(&profile, service.clone())).unwrap();
    let options = PlanOptions {
        scope: Scope {
            groups: Some(r#"displayName ne "eng""#.into()),
            ..Scope::default()
        },
        ..options()
    };
    let plan = plan(&desired, &current, &profile, &options).unwrap();
    let eng = current
        .groups
        .iter()
        .find(|g| g.display_name.as_deref() == Some("eng"))
        .and_then(|g| g.id.as_deref())
        .unwrap();
    let why = left_alone_why(&plan, eng).unwrap_or_default();
    assert!(why.contains("out of the sync's scope"), "{why}");
}

#[test]
fn a_scope_that_does_not_parse_is_an_error_naming_the_field() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let scope = Scope {
        source_users: Some("title eq".into()),
        ..Scope::default()
    };
    let error = planned(&service, &profile, scope).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("scope.sourceUsers: not a SCIM filter"),
        "{error}"
    );
}

#[test]
fn apply_refuses_a_resealed_plan_writing_out_of_scope() {
    let profile = Profile::slack_v2();
    let service = seeded(&profile);
    let cy = id_named(&service, &profile, "cy");
    let scope = Scope {
        users: Some(r#"userName ne "cy""#.into()),
        ..Scope::default()
    };
    let mut scoped = planned(&service, &profile, scope).unwrap();
    let everything = planned(&service, &profile, Scope::default()).unwrap();
    let deactivate = everything
        .steps
        .iter()
        .find(|s| matches!(s, Step::DeactivateUser { id, .. } if *id == cy))
        .unwrap()
        .clone();
    scoped.steps.push(deactivate);
    scoped.digest = scoped.computed_digest();
    let before = summary(&service, &profile);
    let client = client(&profile, service.clone());
    let options = ApplyOptions::new(journal_path("scope-resealed"));
    let error = apply_blocking(&client, &scoped, &profile, &options, |_| {}).unwrap_err();
    assert!(
        matches!(&error, ApplyError::NotOwned { id, .. } if *id == cy),
        "{error}"
    );
    assert_eq!(before, summary(&service, &profile), "nothing written");
}

#[test]
fn a_suspended_source_user_is_deactivated_without_counting_for_the_rails() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let current = read_current(&client(&profile, service.clone())).unwrap();
    let mut desired = desired();
    // bob is suspended at the source (AD's disabled bit, a status column);
    // cy stays in the source so nothing is gone.
    desired.users[1].active = false.into();
    desired.users.push(person("cy", "hr:3", "Dev"));
    let strict = PlanOptions {
        allow_mass_deactivation: false,
        limit: DeactivationLimit {
            max_count: 0,
            max_percent: 0.0,
        },
        ..options()
    };
    let plan = plan(&desired, &current, &profile, &strict).expect("no rail fires");
    let bob = id_of(&client(&profile, service.clone()), "bob");
    assert!(
        plan.steps
            .iter()
            .any(|s| matches!(s, Step::UpdateUser { id, patch, .. }
            if *id == scim_sync::Ref::Id(bob.clone())
                && serde_json::to_string(patch).unwrap().contains(r#""path":"active","value":false"#))),
        "{:?}",
        plan.steps
    );
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| matches!(s, Step::DeactivateUser { .. } | Step::DeleteUser { .. }))
    );
}
