//! Ownership at every write, and what apply re-derives from a plan it is
//! handed (issue 20): a create meeting someone else's account, a plan
//! edited by hand, a plan whose digest was computed again over an edit.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use scim_client::provider::Profile;
use scim_client::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use scim_memory::InMemoryService;
use scim_sync::apply::{ApplyError, ApplyOptions, Outcome, StepError, apply_blocking};
use scim_sync::{Adoption, MatchKey, Plan, PlanOptions, Step, plan, read_current};
use serde_json::{Value, json};

fn plan_with(service: &InMemoryService, profile: &Profile, options: &PlanOptions) -> Plan {
    let current = read_current(&client(profile, service.clone())).expect("a read");
    plan(&desired(), &current, profile, options).expect("a plan")
}

/// The service, where someone else's `dee` (externalId `other:9`) appears
/// just before apply's first create: the create answers 409.
struct Racing(InMemoryService, AtomicUsize);

impl Transport for Racing {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        if request.method() == http::Method::POST && self.1.fetch_add(1, Ordering::SeqCst) == 0 {
            let mut other = serde_json::to_value(person("dee", "other:9", "Intern")).unwrap();
            other["active"] = false.into();
            self.0.seed_user(other).expect("seeded");
        }
        Ok(self.0.handle(&request))
    }
}

fn dee(service: &InMemoryService, profile: &Profile) -> Vec<Value> {
    summary(service, profile)["users"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u[0] == "dee")
        .cloned()
        .collect()
}

#[test]
fn a_create_meeting_an_unowned_account_fails_naming_both_and_leaves_it_untouched() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let plan = plan_with(&service, &profile, &options());
    let client = client(&profile, Racing(service.clone(), AtomicUsize::new(0)));
    let options = ApplyOptions::new(journal_path("not-owned"));
    let report = apply_blocking(&client, &plan, &profile, &options, |_| {}).unwrap();
    let failed: Vec<&StepError> = report.failed.iter().map(|f| &f.error).collect();
    let refused = failed
        .iter()
        .find(|e| matches!(e, StepError::NotOwned { .. }))
        .unwrap_or_else(|| panic!("{report:?}"));
    let text = refused.to_string();
    for part in ["exists, not owned", "hr:4", "\"dee\"", "other:9"] {
        assert!(text.contains(part), "{part} in {text}");
    }
    assert!(
        !report
            .done
            .iter()
            .any(|d| matches!(d.outcome, Outcome::Adopted { .. })),
        "{report:?}"
    );
    // Someone else's dee is as it was: not renamed, retitled nor activated.
    assert_eq!(
        dee(&service, &profile),
        vec![json!(["dee", "other:9", "Intern", false])]
    );
}

#[test]
fn with_the_adoption_rule_a_create_meeting_an_unowned_account_adopts_it() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let adopting = PlanOptions {
        adopt: Adoption::UnownedBy(MatchKey::UserName),
        ..options()
    };
    let plan = plan_with(&service, &profile, &adopting);
    let client = client(&profile, Racing(service.clone(), AtomicUsize::new(0)));
    let options = ApplyOptions::new(journal_path("adopt-rule"));
    let report = apply_blocking(&client, &plan, &profile, &options, |_| {}).unwrap();
    assert!(report.is_complete(), "{report:?}");
    assert!(
        report
            .done
            .iter()
            .any(|d| matches!(d.outcome, Outcome::Adopted { .. })),
        "{report:?}"
    );
    // The owned marker (externalId hr:4) is written with the rest.
    assert_eq!(
        dee(&service, &profile),
        vec![json!(["dee", "hr:4", "Dev", true])]
    );
}

/// The id of the seeded account nobody owns.
fn zed(service: &InMemoryService, profile: &Profile) -> String {
    let current = read_current(&client(profile, service.clone())).unwrap();
    current
        .users
        .iter()
        .find(|u| u.user_name.as_deref() == Some("zed"))
        .and_then(|u| u.id.as_deref())
        .unwrap()
        .to_owned()
}

fn apply_edited(name: &str, edit: impl FnOnce(&mut Plan, &str)) -> (ApplyError, Value, Value) {
    let profile = Profile::slack_v2();
    let service = seeded(&profile);
    let mut plan = plan_with(&service, &profile, &options());
    edit(&mut plan, &zed(&service, &profile));
    // Through the file, as `scim apply` reads it.
    let plan: Plan = serde_json::from_str(&serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    let before = summary(&service, &profile);
    let client = client(&profile, service.clone());
    let options = ApplyOptions::new(journal_path(name));
    let error = apply_blocking(&client, &plan, &profile, &options, |_| {}).unwrap_err();
    assert!(
        !options.journal.exists(),
        "a refused plan leaves no journal to block the next"
    );
    (error, before, summary(&service, &profile))
}

fn delete(id: &str) -> Step {
    Step::DeleteUser {
        id: id.to_owned(),
        user_name: "zed".into(),
    }
}

#[test]
fn a_plan_edited_by_hand_is_refused_and_nothing_is_written() {
    type Edit = Box<dyn FnOnce(&mut Plan, &str)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "step added",
            Box::new(|plan: &mut Plan, zed: &str| plan.steps.push(delete(zed))),
        ),
        (
            "step changed",
            Box::new(|plan: &mut Plan, _: &str| {
                if let Some(Step::CreateUser { user, .. }) = plan.steps.first_mut() {
                    user["title"] = "Admin".into();
                }
            }),
        ),
        (
            "digest removed",
            Box::new(|plan: &mut Plan, _: &str| plan.digest.clear()),
        ),
        (
            "rail loosened",
            Box::new(|plan: &mut Plan, _: &str| plan.options.limit.max_count = 1000),
        ),
    ];
    for (case, edit) in edits {
        let (error, before, after) = apply_edited(&format!("edited-{case}"), edit);
        assert!(
            matches!(error, ApplyError::PlanEdited { .. }),
            "{case}: {error}"
        );
        assert!(error.to_string().contains("scim plan"), "{case}: {error}");
        assert_eq!(before, after, "{case}: nothing written");
    }
}

#[test]
fn a_plan_whose_digest_was_computed_again_is_still_checked_against_ownership_and_rails() {
    let (error, before, after) = apply_edited("resealed-delete", |plan, zed| {
        plan.steps.push(delete(zed));
        plan.digest = plan.computed_digest();
    });
    match &error {
        ApplyError::NotOwned { write, .. } => assert_eq!(write, "a deletion"),
        other => panic!("{other}"),
    }
    assert!(error.to_string().contains("zed"), "{error}");
    assert_eq!(before, after, "nothing written");
    let (error, before, after) = apply_edited("resealed-update", |plan, zed| {
        plan.steps.insert(
            0,
            Step::UpdateUser {
                key: "hr:9".into(),
                id: scim_sync::Ref::Id(zed.to_owned()),
                changes: vec![],
                patch: json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"], "Operations": [{"op": "replace", "path": "title", "value": "Owned"}]}),
                manager: None,
            },
        );
        plan.digest = plan.computed_digest();
    });
    assert!(
        matches!(&error, ApplyError::NotOwned { write, .. } if write == "an update"),
        "{error}"
    );
    assert_eq!(before, after, "nothing written");
    // Its deactivation of cy, once its options say removal is off.
    let (error, before, after) = apply_edited("resealed-no-removal", |plan, _| {
        plan.options.deactivate_missing = false;
        plan.digest = plan.computed_digest();
    });
    assert!(
        matches!(&error, ApplyError::OutsideOptions { kind, .. } if kind == "a deactivation"),
        "{error}"
    );
    assert_eq!(before, after, "nothing written");
    // The plan deactivates cy, one of ada, bob and cy: 33 % of the owned,
    // over a 10 % rail once mass deactivation is no longer allowed.
    let (error, before, after) = apply_edited("resealed-rails", |plan, _| {
        plan.options.allow_mass_deactivation = false;
        plan.digest = plan.computed_digest();
    });
    assert!(
        matches!(
            error,
            ApplyError::TooManyDeactivations {
                planned: 1,
                owned: 3
            }
        ),
        "{error}"
    );
    assert_eq!(before, after, "nothing written");
}
