//! The sync job against an AWS IAM Identity Center-shaped in-memory
//! service: creates require `displayName` and both name parts (derived or
//! refused at plan time), group reads carry no members (membership is read
//! through `filter=members.value eq`), ≤ 100 member changes per PATCH,
//! cursor pages, and an assumed rate table paced at the default share.

mod common;

use common::{BASE_URL, journal_path};
use scim_client::model::{Name, TypedValue, User};
use scim_client::pacing::{DEFAULT_SHARE, SharedBudget};
use scim_client::provider::Profile;
use scim_client::{ClientOptions, ScimClient};
use scim_memory::InMemoryService;
use scim_sync::apply::{ApplyOptions, apply_blocking};
use scim_sync::{
    Desired, DesiredGroup, Ownership, Plan, PlanError, PlanOptions, Step, plan, read_current_for,
    verify_blocking,
};

fn aws() -> Profile {
    Profile::aws_identity_center("us-east-1", "d-1")
}

fn paced_client(profile: &Profile, service: &InMemoryService) -> ScimClient {
    let options = ClientOptions {
        budget: Some(SharedBudget::for_table(&profile.rates, DEFAULT_SHARE)),
        ..ClientOptions::for_profile(profile, BASE_URL)
    };
    ScimClient::with_transport("aws-token", options, service.clone()).expect("a client")
}

/// A person with both name parts and no displayName (AWS's is derived).
fn person(n: usize) -> User {
    User {
        user_name: format!("u{n:03}").into(),
        external_id: format!("hr:{n:03}").into(),
        name: Name {
            given_name: format!("Given{n}").into(),
            family_name: format!("Family{n}").into(),
            ..Name::default()
        }
        .into(),
        emails: vec![TypedValue {
            value: format!("u{n:03}@example.test").into(),
            primary: true.into(),
            ..TypedValue::default()
        }]
        .into(),
        active: true.into(),
        ..User::default()
    }
}

fn source(members: std::ops::Range<usize>) -> Desired {
    Desired {
        match_key: None,
        users: (0..360).map(person).collect(),
        groups: vec![DesiredGroup {
            display_name: "big".into(),
            external_id: None,
            members: members.map(|n| format!("hr:{n:03}")).collect(),
        }],
        ..Desired::default()
    }
}

fn options() -> PlanOptions {
    PlanOptions {
        ownership: Ownership::ExternalIdPrefix("hr:".into()),
        ..PlanOptions::default()
    }
}

fn plan_now(client: &ScimClient, desired: &Desired) -> Plan {
    let current = read_current_for(client, &aws()).expect("a read");
    plan(desired, &current, &aws(), &options()).expect("a plan")
}

fn member_changes(plan: &Plan) -> (usize, usize, usize) {
    let mut patches = 0;
    let (mut added, mut removed) = (0, 0);
    for step in &plan.steps {
        if let Step::ChangeMembers { add, remove, .. } = step {
            patches += 1;
            added += add.len();
            removed += remove.len();
        }
    }
    (patches, added, removed)
}

fn apply_clean(client: &ScimClient, plan: &Plan, name: &str) {
    let options = ApplyOptions::new(journal_path(name));
    let report = apply_blocking(client, plan, &aws(), &options, |_| {}).expect("an apply");
    assert!(report.is_complete(), "{report:?}");
}

fn group_size(client: &ScimClient) -> usize {
    let current = read_current_for(client, &aws()).expect("a read");
    let group = current
        .groups
        .iter()
        .find(|g| g.display_name.as_deref() == Some("big"));
    group.and_then(|g| g.members.value()).map_or(0, Vec::len)
}

#[test]
fn a_group_of_350_is_synced_verified_and_50_dropped_members_are_removed() {
    let service = InMemoryService::for_profile(&aws());
    let client = paced_client(&aws(), &service);

    let first = plan_now(&client, &source(0..350));
    assert_eq!(member_changes(&first), (4, 350, 0), "chunks of ≤ 100");
    apply_clean(&client, &first, "aws-first");
    assert_eq!(group_size(&client), 350);
    let drift = verify_blocking(&client, &source(0..350), &aws(), &options()).unwrap();
    assert!(drift.is_clean(), "{drift:?}");
    let again = plan_now(&client, &source(0..350));
    assert!(again.steps.is_empty(), "{:?}", again.steps);

    let dropped = plan_now(&client, &source(50..350));
    assert_eq!(member_changes(&dropped), (1, 0, 50));
    apply_clean(&client, &dropped, "aws-dropped");
    assert_eq!(group_size(&client), 300);
    let drift = verify_blocking(&client, &source(50..350), &aws(), &options()).unwrap();
    assert!(drift.is_clean(), "{drift:?}");
    assert!(plan_now(&client, &source(50..350)).steps.is_empty());
    assert_eq!(service.throttled(), 0, "paced at the default share");
}

#[test]
fn a_create_without_a_family_name_is_refused_at_plan_time_by_key() {
    let service = InMemoryService::for_profile(&aws());
    let client = paced_client(&aws(), &service);
    let mut desired = source(0..0);
    desired.users.truncate(2);
    desired.users[1].display_name = "Ada".into();
    if let Some(name) = desired.users[1].name.value_mut() {
        name.family_name = scim_client::model::Field::Absent;
    }
    let current = read_current_for(&client, &aws()).unwrap();
    let error = plan(&desired, &current, &aws(), &options()).unwrap_err();
    assert_eq!(
        error,
        PlanError::MissingRequired {
            key: "hr:001".into(),
            attribute: "name.familyName".into(),
            profile: "aws".into(),
        }
    );
    assert_eq!(
        service.requests_received(),
        2,
        "the two list reads, no write"
    );
}

#[test]
fn the_aws_service_refuses_a_create_missing_a_required_attribute() {
    let service = InMemoryService::for_profile(&aws());
    let client = paced_client(&aws(), &service);
    let mut user = person(1);
    let error = client.create_user(&user).unwrap_err();
    assert_eq!(error.status().map(|s| s.as_u16()), Some(400), "{error}");
    assert!(error.to_string().contains("displayName"), "{error}");
    user.display_name = "Given1 Family1".into();
    client.create_user(&user).expect("complete, so created");
}
