//! A plan that manages one sub-attribute of a complex attribute changes
//! that sub-attribute and keeps its siblings, under every PATCH form and
//! through both clients.
//!
//! Why: Slack v1's PATCH takes a partial resource, and Slack does not say
//! whether a partial complex value (`"name": {"givenName": …}`) merges into
//! the stored one or replaces it. Sent alone, it replaced `name` in the
//! in-memory service and `name.familyName` was lost, with the step reported
//! done and no drift (the source does not manage `familyName`). The whole
//! complex value is sent instead; RFC 7644 §3.5.2 services get a `replace`
//! of the sub-attribute's path.

mod common;

use common::{BASE_URL, journal_path, profiles};
use scim_client::model::{Name, User};
use scim_client::provider::Profile;
use scim_client::{AsyncScimClient, ClientOptions, ScimClient};
use scim_memory::InMemoryService;
use scim_sync::apply::{ApplyOptions, apply_async, apply_blocking};
use scim_sync::{Desired, Ownership, Plan, PlanOptions, Step, plan, read_current};
use serde_json::json;

fn zed(given_name: &str, family_name: Option<&str>) -> User {
    User {
        user_name: "zed".into(),
        external_id: "hr:26".into(),
        active: true.into(),
        name: Name {
            given_name: given_name.into(),
            family_name: family_name.map(Into::into).unwrap_or_default(),
            ..Name::default()
        }
        .into(),
        ..User::default()
    }
}

/// The source knows only the given name: `name.familyName` is not the
/// source's to say.
fn given_name_only() -> PlanOptions {
    PlanOptions {
        managed: vec!["name.givenName".into()],
        ownership: Ownership::ExternalIdPrefix("hr:".into()),
        ..PlanOptions::default()
    }
}

fn desired() -> Desired {
    Desired {
        users: vec![zed("Zedd", None)],
        ..Desired::default()
    }
}

/// A service under `profile` holding Zed Zulu, and the plan that renames him.
fn seeded(profile: &Profile) -> (InMemoryService, ScimClient, Plan) {
    let service = InMemoryService::for_profile(profile);
    let user = serde_json::to_value(zed("Zed", Some("Zulu"))).unwrap();
    service.seed_user(user).expect("seeded");
    let client = ScimClient::with_transport(
        "xoxp-test",
        ClientOptions::for_profile(profile, BASE_URL),
        service.clone(),
    )
    .unwrap();
    let current = read_current(&client).unwrap();
    let plan = plan(&desired(), &current, profile, &given_name_only()).unwrap();
    assert!(
        matches!(&plan.steps[..], [Step::UpdateUser { .. }]),
        "{}: {:?}",
        profile.name,
        plan.steps
    );
    (service, client, plan)
}

/// Zed's name as the service holds it, and whether a second plan is empty.
fn after(client: &ScimClient, profile: &Profile) -> (serde_json::Value, bool) {
    let current = read_current(client).unwrap();
    let name = serde_json::to_value(&current.users[0].name).unwrap();
    let again = plan(&desired(), &current, profile, &given_name_only()).unwrap();
    (name, again.steps.is_empty())
}

#[test]
fn a_plan_managing_only_the_given_name_keeps_the_family_name_through_the_blocking_client() {
    for profile in profiles() {
        let (_service, client, plan) = seeded(&profile);
        let options = ApplyOptions::new(journal_path(&format!("given-{}", profile.name)));
        let report = apply_blocking(&client, &plan, &profile, &options, |_| {}).unwrap();
        assert!(report.is_complete(), "{}: {report:?}", profile.name);
        let (name, settled) = after(&client, &profile);
        assert_eq!(
            name,
            json!({"givenName": "Zedd", "familyName": "Zulu"}),
            "{}",
            profile.name
        );
        assert!(settled, "{}: a second plan has work", profile.name);
    }
}

#[test]
fn a_plan_managing_only_the_given_name_keeps_the_family_name_through_the_async_client() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    for profile in profiles() {
        let (service, client, plan) = seeded(&profile);
        let async_client = AsyncScimClient::with_transport(
            "xoxp-test",
            ClientOptions::for_profile(&profile, BASE_URL),
            service.clone(),
        )
        .unwrap();
        let options = ApplyOptions::new(journal_path(&format!("given-async-{}", profile.name)));
        let report = runtime
            .block_on(apply_async(
                &async_client,
                &plan,
                &profile,
                &options,
                |_| {},
            ))
            .unwrap();
        assert!(report.is_complete(), "{}: {report:?}", profile.name);
        let (name, settled) = after(&client, &profile);
        assert_eq!(
            name,
            json!({"givenName": "Zedd", "familyName": "Zulu"}),
            "{}",
            profile.name
        );
        assert!(settled, "{}: a second plan has work", profile.name);
    }
}

/// What is sent: the whole `name` in Slack v1's partial resource, a
/// `replace` of `name.givenName` elsewhere.
#[test]
fn the_planned_body_carries_the_whole_name_only_in_the_partial_resource_form() {
    for profile in profiles() {
        let (_service, _client, plan) = seeded(&profile);
        let Step::UpdateUser { patch, .. } = &plan.steps[0] else {
            unreachable!("checked by seeded");
        };
        let expected = match profile.name.as_str() {
            "slack-v1" => json!({"name": {"givenName": "Zedd", "familyName": "Zulu"}}),
            _ => json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                        "Operations": [{"op": "replace", "path": "name.givenName", "value": "Zedd"}]}),
        };
        let patch = serde_json::to_value(patch).unwrap();
        assert_eq!(patch, expected, "{}", profile.name);
    }
}
