//! Ownership at every write, and what apply re-derives from a plan it is
//! handed (issue 20): a create meeting someone else's account, a plan
//! edited by hand, a plan whose digest was computed again over an edit.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};

use common::*;
use scim_client::model::PatchOp;
use scim_client::provider::Profile;
use scim_client::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use scim_memory::InMemoryService;
use scim_sync::apply::{ApplyError, ApplyOptions, Outcome, StepError, apply_blocking};
use scim_sync::{
    Adoption, MatchKey, Plan, PlanOptions, Rail, RailRefusal, Step, plan, read_current,
};
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
                patch: Some(PatchOp::new().replace("title", "Owned").into()),
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
            ApplyError::Rail(RailRefusal {
                rail: Rail::MaxPercent { .. },
                planned: 1,
                owned: 3,
                ..
            })
        ),
        "{error}"
    );
    assert_eq!(before, after, "nothing written");
    // The shrunken-source rail, again at apply, by the source size the
    // plan records: a plan resealed with a last size twice its own.
    let (error, before, after) = apply_edited("resealed-shrink", |plan, _| {
        plan.options.allow_mass_deactivation = false;
        plan.options.limit.max_percent = 100.0;
        plan.options.last_source_size = Some(plan.source_size * 2 + 1);
        plan.digest = plan.computed_digest();
    });
    assert!(
        matches!(
            error,
            ApplyError::Rail(RailRefusal {
                rail: Rail::ShrunkSource { .. },
                ..
            })
        ),
        "{error}"
    );
    assert!(
        error.to_string().contains("shrunken-source rule"),
        "{error}"
    );
    assert_eq!(before, after, "nothing written");
}

/// Someone else's group `ops` (another system's externalId, with zed in
/// it) in `service`.
fn seed_foreign_ops(service: &InMemoryService, profile: &Profile) {
    seed_foreign(service, profile, "ops");
}

/// Someone else's group `name` (externalId `okta:name`, with zed in it);
/// its id.
fn seed_foreign(service: &InMemoryService, profile: &Profile, name: &str) -> String {
    let zed = zed(service, profile);
    let ops = scim_client::model::Group {
        display_name: name.into(),
        external_id: format!("okta:{name}").into(),
        members: vec![scim_client::model::Member::addition(&zed)].into(),
        ..Default::default()
    };
    let made = client(profile, service.clone())
        .create_group(&ops)
        .expect("a group");
    made.id.as_deref().unwrap().to_owned()
}

fn ops(service: &InMemoryService, profile: &Profile) -> Vec<Value> {
    let current = read_current(&client(profile, service.clone())).unwrap();
    current
        .groups
        .iter()
        .filter(|g| g.display_name.as_deref() == Some("ops"))
        .map(|g| {
            let members = g.members.value().map_or(0, Vec::len);
            json!([g.external_id.as_deref(), members])
        })
        .collect()
}

#[test]
fn another_systems_group_gets_its_members_managed_but_is_never_renamed_nor_reclaimed() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    seed_foreign_ops(&service, &profile);
    let current = read_current(&client(&profile, service.clone())).unwrap();
    let mut source = desired();
    // The source spells it OPS and claims it with its own externalId.
    source.groups[1].display_name = "OPS".into();
    source.groups[1].external_id = Some("hr:ops".into());
    let plan = plan(&source, &current, &profile, &options()).unwrap();
    assert!(
        !plan
            .steps
            .iter()
            .any(|s| matches!(s, Step::UpdateGroup { .. } | Step::CreateGroup { .. })),
        "{:?}",
        plan.steps
    );
    let why: Vec<&str> = plan.left_alone.iter().map(|l| l.reason.as_str()).collect();
    assert!(
        why.iter()
            .any(|w| w.contains("another system's externalId")),
        "{why:?}"
    );
    let client = client(&profile, service.clone());
    let options = ApplyOptions::new(journal_path("foreign-group-members"));
    let report = apply_blocking(&client, &plan, &profile, &options, |_| {}).unwrap();
    assert!(report.is_complete(), "{report:?}");
    // okta:ops keeps its name and claim; zed stays (not the source's);
    // bob and eve joined.
    assert_eq!(ops(&service, &profile), vec![json!(["okta:ops", 3])]);
}

/// The service behind a provider that keeps group names unique (Slack,
/// Okta, AWS do; RFC 7643 does not ask it): the group `made` (another
/// system's, or an unclaimed one) appears just before apply creates
/// `ops`, and that create answers 409 `uniqueness`.
struct RacingGroup {
    service: InMemoryService,
    profile: Profile,
    made: fn(&InMemoryService, &Profile),
    posts: AtomicUsize,
}

impl RacingGroup {
    fn new(
        service: &InMemoryService,
        profile: &Profile,
        made: fn(&InMemoryService, &Profile),
    ) -> Self {
        RacingGroup {
            service: service.clone(),
            profile: profile.clone(),
            made,
            posts: AtomicUsize::new(0),
        }
    }
}

impl Transport for RacingGroup {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let creates_group =
            request.method() == http::Method::POST && request.uri().path().ends_with("/Groups");
        if creates_group && self.posts.fetch_add(1, Ordering::SeqCst) == 0 {
            (self.made)(&self.service, &self.profile);
            let body = json!({
                "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
                "status": "409",
                "scimType": "uniqueness",
                "detail": "displayName is already in use"
            });
            let response = http::Response::builder()
                .status(409)
                .header("content-type", "application/scim+json")
                .body(body.to_string().into_bytes())
                .unwrap();
            return Ok(response);
        }
        Ok(self.service.handle(&request))
    }
}

#[test]
fn a_group_create_meeting_another_systems_group_takes_its_id_and_writes_only_members() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let plan = plan_with(&service, &profile, &options());
    let client = client(
        &profile,
        RacingGroup::new(&service, &profile, seed_foreign_ops),
    );
    let options = ApplyOptions::new(journal_path("group-not-owned"));
    let report = apply_blocking(&client, &plan, &profile, &options, |_| {}).unwrap();
    assert!(report.is_complete(), "{report:?}");
    assert!(
        report
            .done
            .iter()
            .any(|d| matches!(d.outcome, Outcome::Matched { .. })),
        "{report:?}"
    );
    // The other system's ops keeps its externalId and name (nothing
    // PATCHed onto it); zed stays, bob and eve joined.
    assert_eq!(ops(&service, &profile), vec![json!(["okta:ops", 3])]);
}

#[test]
fn a_group_create_meeting_a_group_out_of_scope_fails_and_leaves_it_untouched() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let scoped = PlanOptions {
        scope: scim_sync::Scope {
            groups: Some(r#"displayName ne "ops""#.into()),
            ..Default::default()
        },
        ..options()
    };
    let plan = plan_with(&service, &profile, &scoped);
    let client = client(
        &profile,
        RacingGroup::new(&service, &profile, seed_foreign_ops),
    );
    let options = ApplyOptions::new(journal_path("group-out-of-scope"));
    let report = apply_blocking(&client, &plan, &profile, &options, |_| {}).unwrap();
    let refused = report
        .failed
        .iter()
        .map(|f| f.error.to_string())
        .find(|text| text.contains("exists, not owned"))
        .unwrap_or_else(|| panic!("{report:?}"));
    for part in ["\"ops\"", "okta:ops"] {
        assert!(refused.contains(part), "{part} in {refused}");
    }
    assert_eq!(ops(&service, &profile), vec![json!(["okta:ops", 1])]);
}

/// An `ops` made by hand, claimed by no system (no externalId).
fn seed_unclaimed_ops(service: &InMemoryService, profile: &Profile) {
    let ops = scim_client::model::Group {
        display_name: "ops".into(),
        ..Default::default()
    };
    client(profile, service.clone()).create_group(&ops).unwrap();
}

#[test]
fn a_group_create_meeting_an_unclaimed_group_of_its_name_takes_it() {
    let profile = Profile::generic_scim2(BASE_URL);
    let service = seeded(&profile);
    let plan = plan_with(&service, &profile, &options());
    // The planner would have matched it, so apply does too.
    let client = client(
        &profile,
        RacingGroup::new(&service, &profile, seed_unclaimed_ops),
    );
    let options = ApplyOptions::new(journal_path("group-unclaimed"));
    let report = apply_blocking(&client, &plan, &profile, &options, |_| {}).unwrap();
    assert!(report.is_complete(), "{report:?}");
    assert!(
        report
            .done
            .iter()
            .any(|d| matches!(d.outcome, Outcome::Adopted { .. })),
        "{report:?}"
    );
    assert_eq!(ops(&service, &profile), vec![json!([null, 2])]);
}

#[test]
fn a_resealed_plan_renaming_another_systems_group_is_refused() {
    let profile = Profile::slack_v2();
    let service = seeded(&profile);
    // Left alone by the planner: not in the source.
    let qa = seed_foreign(&service, &profile, "qa");
    let mut plan = plan_with(&service, &profile, &options());
    let rename = PatchOp::new().replace("displayName", "QA").into();
    plan.steps.insert(
        0,
        Step::UpdateGroup {
            key: "qa".into(),
            id: qa.clone(),
            changes: vec![scim_sync::Change {
                path: "displayName".into(),
                value: Some("QA".into()),
                from: Some("qa".into()),
            }],
            patch: rename,
        },
    );
    plan.digest = plan.computed_digest();
    let before = summary(&service, &profile);
    let client = client(&profile, service.clone());
    let options = ApplyOptions::new(journal_path("resealed-group"));
    let error = apply_blocking(&client, &plan, &profile, &options, |_| {}).unwrap_err();
    assert!(
        matches!(&error, ApplyError::NotOwned { write, id, .. } if write == "a group update" && *id == qa),
        "{error}"
    );
    assert!(error.to_string().contains("okta:qa"), "{error}");
    assert_eq!(before, summary(&service, &profile), "nothing written");
}
