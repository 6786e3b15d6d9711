//! Verify in memory: clean after an apply, then each kind of injected
//! drift found, attribute by attribute, under each profile.

mod common;

use common::*;
use scim_client::membership::MemberChanges;
use scim_client::model::{PatchOp, User};
use scim_client::profile::{PatchForm, Profile};
use scim_sync::apply::{ApplyOptions, apply_blocking};
use scim_sync::{DriftKind, plan, read_current, verify_blocking};
use serde_json::{Value, json};

/// Kind, resource, path, expected, found.
type Row = (
    DriftKind,
    String,
    Option<String>,
    Option<Value>,
    Option<Value>,
);

fn id_of(client: &scim_client::ScimClient, user_name: &str) -> String {
    let current = read_current(client).unwrap();
    current
        .users
        .iter()
        .find(|u| u.user_name.as_deref() == Some(user_name))
        .and_then(|u| u.id.as_deref())
        .unwrap()
        .to_owned()
}

/// A PATCH of one attribute, in the profile's form.
fn set(client: &scim_client::ScimClient, profile: &Profile, id: &str, path: &str, value: Value) {
    let body = match profile.patch {
        PatchForm::PartialResource => json!({ path: value }),
        PatchForm::PatchOp { .. } => {
            serde_json::to_value(PatchOp::new().replace(path, value)).unwrap()
        }
    };
    client.patch::<User>(id, &body).expect("a drift injected");
}

#[test]
fn finds_each_kind_of_injected_drift() {
    for profile in profiles() {
        let service = seeded(&profile);
        let client = client(&profile, service.clone());
        let current = read_current(&client).unwrap();
        let plan = plan(&desired(), &current, &profile, &options()).unwrap();
        let journal = journal_path(&format!("verify-{}", profile.name));
        apply_blocking(
            &client,
            &plan,
            &profile,
            &ApplyOptions::new(journal),
            |_| {},
        )
        .unwrap();
        let drift = verify_blocking(&client, &desired(), &profile, &options()).unwrap();
        assert!(drift.is_clean(), "{}: {drift:?}", profile.name);

        // Attribute changed; a user reactivated; a member removed; a user
        // deactivated by the provider (Slack, April 2024).
        set(
            &client,
            &profile,
            &id_of(&client, "ada"),
            "title",
            json!("Dev"),
        );
        set(
            &client,
            &profile,
            &id_of(&client, "cy"),
            "active",
            json!(true),
        );
        set(
            &client,
            &profile,
            &id_of(&client, "bob"),
            "active",
            json!(false),
        );
        let groups = read_current(&client).unwrap().groups;
        let eng = groups
            .iter()
            .find(|g| g.display_name.as_deref() == Some("eng"))
            .unwrap();
        let dee = id_of(&client, "dee");
        client
            .change_members(
                &profile,
                eng.id.as_deref().unwrap(),
                &MemberChanges::new(Vec::<String>::new(), [dee.clone()]),
            )
            .unwrap();

        let drift = verify_blocking(&client, &desired(), &profile, &options()).unwrap();
        let found: Vec<Row> = drift
            .items
            .iter()
            .map(|i| {
                (
                    i.kind,
                    i.resource.clone(),
                    i.path.clone(),
                    i.expected.clone(),
                    i.found.clone(),
                )
            })
            .collect();
        let cy = id_of(&client, "cy");
        let eng_id = eng.id.as_deref().unwrap();
        let expected = vec![
            (
                DriftKind::Attribute,
                "user hr:1".into(),
                Some("title".into()),
                Some(json!("Lead")),
                Some(json!("Dev")),
            ),
            (
                DriftKind::Attribute,
                "user hr:2".into(),
                Some("active".into()),
                Some(json!(true)),
                Some(json!(false)),
            ),
            (
                DriftKind::MemberMissing,
                format!("group {eng_id}"),
                Some(dee),
                None,
                None,
            ),
            (
                DriftKind::ShouldBeInactive,
                format!("user {cy} (cy)"),
                Some("active".into()),
                Some(json!(false)),
                Some(json!(true)),
            ),
        ];
        assert_eq!(found, expected, "{}", profile.name);
        let text = serde_json::to_value(&drift).unwrap();
        assert_eq!(text["items"][0]["kind"], "attribute");
    }
}
