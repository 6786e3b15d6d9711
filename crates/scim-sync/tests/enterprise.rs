//! The enterprise User extension (RFC 7643 §4.3) from a mapped HR export,
//! through plan, apply and verify against the in-memory service under
//! each profile: `employeeNumber`, `costCenter`, `department` and a
//! custom extension's attribute written under the provider's URN, and
//! `manager` given by the manager's employee id and written as the
//! provider's id of that user (`manager.value` in SCIM 2.0,
//! `manager.managerId` on Slack), managers created in the same apply
//! included, cycles too. Then a second plan is empty and verify clean; an
//! unknown manager is refused by line; a manager is never written to an
//! account the source does not own.

mod common;

use std::collections::BTreeMap;

use common::{client, journal_path, profiles};
use scim_client::model::{ENTERPRISE_V1, ENTERPRISE_V2, User};
use scim_client::provider::{PatchChanges, Profile};
use scim_memory::InMemoryService;
use scim_sync::apply::{ApplyOptions, apply_blocking};
use scim_sync::source::{Mapping, read_csv};
use scim_sync::{
    Desired, DriftKind, ManagerProblem, Ownership, Plan, PlanError, PlanOptions, Ref, Step, plan,
    read_current, verify_blocking,
};
use serde_json::{Value, json};

const BADGE: &str = "urn:example:params:scim:schemas:extension:acme:2.0:User";

const MAPPING: &str = r#"{
  "matchKey": "externalId",
  "columns": {
    "Employee ID": "externalId",
    "Login": "userName",
    "Email": "emails",
    "Department": "department",
    "Cost Center": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:costCenter",
    "Employee Number": "employeeNumber",
    "Manager": "manager",
    "Badge": "urn:example:params:scim:schemas:extension:acme:2.0:User:badge"
  }
}"#;

/// ada runs the company and manages herself; bob reports to her; cal (who
/// exists) and dee (new) report to eve, who is new and reports to bob;
/// fay and gus (both new) manage each other.
const EXPORT: &str = "\
Employee ID,Login,Email,Department,Cost Center,Employee Number,Manager,Badge
hr:1,ada,ada@example.test,Board,CC-1,1,hr:1,B-1
hr:2,bob,bob@example.test,Engineering,CC-2,2,hr:1,B-2
hr:3,cal,cal@example.test,Engineering,CC-2,3,hr:5,B-3
hr:4,dee,dee@example.test,Engineering,CC-2,4,hr:5,B-4
hr:5,eve,eve@example.test,Engineering,CC-2,5,hr:2,B-5
hr:6,fay,fay@example.test,Research,CC-3,6,hr:7,B-6
hr:7,gus,gus@example.test,Research,CC-3,7,hr:6,B-7
";

/// Who should manage whom once the export is applied, by login.
const CHART: [(&str, &str); 7] = [
    ("ada", "ada"),
    ("bob", "ada"),
    ("cal", "eve"),
    ("dee", "eve"),
    ("eve", "bob"),
    ("fay", "gus"),
    ("gus", "fay"),
];

fn mapping() -> Mapping {
    Mapping::from_json(MAPPING).expect("the mapping reads")
}

fn source(text: &str) -> Desired {
    read_csv(text.as_bytes(), &mapping()).expect("the export reads")
}

fn options() -> PlanOptions {
    PlanOptions {
        managed: mapping().managed(),
        ownership: Ownership::ExternalIdPrefix("hr:".into()),
        ..PlanOptions::default()
    }
}

/// The provider before: ada (her department in other case), bob (no
/// enterprise data), cal (another department), each under the URN the
/// profile's dialect uses.
fn seeded(profile: &Profile) -> InMemoryService {
    let service = InMemoryService::for_profile(profile);
    let urn = profile.dialect.enterprise_urn();
    for (name, id, extension) in [
        ("ada", "hr:1", json!({"department": "BOARD"})),
        ("bob", "hr:2", Value::Null),
        ("cal", "hr:3", json!({"department": "Sales"})),
    ] {
        let mut user = serde_json::to_value(common::person(name, id, "")).unwrap();
        user.as_object_mut().unwrap().remove("title");
        if !extension.is_null() {
            user[urn] = extension;
        }
        service.seed_user(user).expect("seeded");
    }
    service
}

/// A user's enterprise extension as JSON, from the field the profile's URN
/// fills.
fn enterprise(user: &User, profile: &Profile) -> Value {
    let extension = match profile.dialect.enterprise_urn() {
        ENTERPRISE_V1 => &user.enterprise,
        _ => &user.enterprise_v2,
    };
    serde_json::to_value(extension).unwrap()
}

/// Each user's login → (manager's login, department, costCenter,
/// employeeNumber, badge), read back from the provider.
fn org_chart(client: &scim_client::ScimClient, profile: &Profile) -> BTreeMap<String, Value> {
    let users = read_current(client).unwrap().users;
    let login = |id: &str| {
        users
            .iter()
            .find(|u| u.id.as_deref() == Some(id))
            .and_then(|u| u.user_name.as_deref())
            .unwrap_or("?")
            .to_owned()
    };
    let id_attribute = profile.dialect.manager_id_attribute();
    users
        .iter()
        .map(|user| {
            let extension = enterprise(user, profile);
            let manager = extension["manager"][id_attribute].as_str().map(login);
            let badge = user.extra.get(BADGE).map(|b| b["badge"].clone());
            let row = json!([
                manager,
                extension["department"],
                extension["costCenter"],
                extension["employeeNumber"],
                badge
            ]);
            (user.user_name.as_deref().unwrap().to_owned(), row)
        })
        .collect()
}

fn kinds(plan: &Plan) -> Vec<String> {
    plan.steps
        .iter()
        .map(|step| match step {
            Step::CreateUser { key, .. } => format!("create {key}"),
            Step::UpdateUser {
                key,
                id,
                manager: Some(manager),
                ..
            } => {
                let by = if matches!(id, Ref::Key(_)) {
                    "key"
                } else {
                    "id"
                };
                format!("update {key} (by {by}) manager {}", manager.key)
            }
            Step::UpdateUser { key, .. } => format!("update {key}"),
            other => format!("{other:?}"),
        })
        .collect()
}

/// The provider settled: `desired` planned again against it, as `client`
/// reads it now, gives no step.
fn assert_settled(
    client: &scim_client::ScimClient,
    desired: &Desired,
    profile: &Profile,
    options: &PlanOptions,
) {
    let again = plan(desired, &read_current(client).unwrap(), profile, options).unwrap();
    assert!(
        again.steps.is_empty(),
        "{}: {:?}",
        profile.name,
        kinds(&again)
    );
}

fn apply(client: &scim_client::ScimClient, plan: &Plan, profile: &Profile, name: &str) {
    let options = ApplyOptions::new(journal_path(&format!("{name}-{}", profile.name)));
    let report = apply_blocking(client, plan, profile, &options, |_| {}).expect("an apply");
    assert!(report.is_complete(), "{}: {report:?}", profile.name);
}

#[test]
fn an_org_chart_is_planned_applied_verified_and_settled_under_each_profile() {
    let desired = source(EXPORT);
    for profile in profiles() {
        let service = seeded(&profile);
        let client = client(&profile, service.clone());
        let current = read_current(&client).unwrap();
        let first = plan(&desired, &current, &profile, &options()).expect("a plan");
        // Creates first; updates whose manager exists with them; then the
        // updates that set a manager this plan creates, cycles included.
        assert_eq!(
            kinds(&first),
            [
                "create hr:4",
                "create hr:5",
                "create hr:6",
                "create hr:7",
                "update hr:1",
                "update hr:2",
                "update hr:3 (by id) manager hr:5",
                "update hr:4 (by key) manager hr:5",
                "update hr:6 (by key) manager hr:7",
                "update hr:7 (by key) manager hr:6",
            ],
            "{}",
            profile.name
        );
        apply(&client, &first, &profile, "org-chart");

        let chart = org_chart(&client, &profile);
        for (name, manager) in CHART {
            let n: u32 = chart.keys().position(|k| k == name).unwrap() as u32 + 1;
            let department = match name {
                "ada" => "BOARD", // the same as "Board" (caseExact false): not rewritten
                "fay" | "gus" => "Research",
                _ => "Engineering",
            };
            let cost_center = match name {
                "ada" => "CC-1",
                "fay" | "gus" => "CC-3",
                _ => "CC-2",
            };
            assert_eq!(
                chart[name],
                json!([
                    manager,
                    department,
                    cost_center,
                    n.to_string(),
                    format!("B-{n}")
                ]),
                "{}: {name}",
                profile.name
            );
        }
        assert_settled(&client, &desired, &profile, &options());
        let drift = verify_blocking(&client, &desired, &profile, &options()).unwrap();
        assert!(drift.is_clean(), "{}: {drift:?}", profile.name);
    }
}

/// The wire: a manager that exists is written with the user's other
/// attributes (RFC 7643's `manager.value`, Slack's `manager.managerId`);
/// one this plan creates in a PATCH of its own once its id is known.
#[test]
fn the_manager_is_written_in_the_dialect_of_the_profile() {
    let desired = source(EXPORT);
    for profile in [
        Profile::slack_v2(),
        Profile::generic_scim2(common::BASE_URL),
    ] {
        let service = seeded(&profile);
        let client = client(&profile, service.clone());
        let current = read_current(&client).unwrap();
        let ada = common::id_of(&client, "ada");
        let bob = common::id_of(&client, "bob");
        let planned = plan(&desired, &current, &profile, &options()).unwrap();
        let attribute = profile.dialect.manager_id_attribute();
        let eve = planned
            .steps
            .iter()
            .find_map(|step| match step {
                Step::CreateUser { key, user } if key == "hr:5" => Some(user),
                _ => None,
            })
            .unwrap();
        assert_eq!(eve[ENTERPRISE_V2]["manager"], json!({attribute: bob}));
        let Some(Step::UpdateUser { patch, .. }) = planned
            .steps
            .iter()
            .find(|step| matches!(step, Step::UpdateUser { key, .. } if key == "hr:2"))
        else {
            panic!("{}: no update of bob", profile.name)
        };
        let patch = serde_json::to_value(patch).unwrap();
        let operations = patch["Operations"].as_array().unwrap();
        assert!(
            operations.contains(&json!({"op": "replace",
                "path": format!("{ENTERPRISE_V2}:manager"), "value": {attribute: ada}})),
            "{}: {patch}",
            profile.name
        );
        // dee's manager is eve, whom the plan creates: not in dee's create.
        let dee = planned
            .steps
            .iter()
            .find_map(|step| match step {
                Step::CreateUser { key, user } if key == "hr:4" => Some(user),
                _ => None,
            })
            .unwrap();
        assert!(dee[ENTERPRISE_V2].get("manager").is_none(), "{dee}");
        assert_eq!(dee[ENTERPRISE_V2]["department"], "Engineering");
    }
}

/// A manager changed behind the source's back is drift, named by path,
/// with what the source wants and what the provider has.
#[test]
fn a_manager_changed_at_the_provider_is_drift() {
    let desired = source(EXPORT);
    for profile in profiles() {
        let service = seeded(&profile);
        let client = client(&profile, service.clone());
        let first = plan(
            &desired,
            &read_current(&client).unwrap(),
            &profile,
            &options(),
        )
        .unwrap();
        apply(&client, &first, &profile, "drift");
        let (ada, cal) = (common::id_of(&client, "ada"), common::id_of(&client, "cal"));
        let urn = profile.dialect.enterprise_urn();
        let attribute = profile.dialect.manager_id_attribute();
        let extension = enterprise(
            &read_current(&client)
                .unwrap()
                .users
                .into_iter()
                .find(|u| u.user_name.as_deref() == Some("bob"))
                .unwrap(),
            &profile,
        );
        let body = PatchChanges::new()
            .set(format!("{urn}:manager").as_str(), json!({attribute: cal}))
            .render(profile.patch, Some(&json!({urn: extension})))
            .unwrap();
        client
            .patch::<User>(&common::id_of(&client, "bob"), &body)
            .unwrap();

        let drift = verify_blocking(&client, &desired, &profile, &options()).unwrap();
        let items: Vec<_> = drift
            .items
            .iter()
            .map(|i| {
                (
                    i.kind,
                    i.resource.as_str(),
                    i.path.clone(),
                    i.expected.clone(),
                )
            })
            .collect();
        assert_eq!(
            items,
            [(
                DriftKind::Attribute,
                "user hr:2",
                Some(format!("{urn}.manager")),
                Some(json!({attribute: ada}))
            )],
            "{}",
            profile.name
        );
        assert_eq!(
            drift.items[0].found.as_ref().unwrap()[attribute],
            json!(cal),
            "{}",
            profile.name
        );
    }
}

/// A manager key that is neither in the source nor at the provider is
/// refused by line (every such line), naming the user and the manager.
#[test]
fn an_unknown_manager_is_refused_naming_its_line() {
    let export = "\
Employee ID,Login,Email,Manager
hr:1,ada,ada@example.test,hr:99
hr:2,bob,bob@example.test,hr:1
hr:8,hal,hal@example.test,HR:1
";
    let desired = source(export);
    let profile = Profile::slack_v2();
    let current = read_current(&client(&profile, seeded(&profile))).unwrap();
    let options = PlanOptions {
        deactivate_missing: false,
        ..options()
    };
    let error = plan(&desired, &current, &profile, &options).unwrap_err();
    let PlanError::Managers { errors } = &error else {
        panic!("{error}")
    };
    let found: Vec<_> = errors
        .iter()
        .map(|e| (e.line, e.user.as_str(), e.manager.as_deref(), e.problem))
        .collect();
    // externalId keys are exact: "HR:1" is not "hr:1".
    assert_eq!(
        found,
        [
            (
                Some(2),
                "hr:1",
                Some("hr:99"),
                ManagerProblem::UnknownManager
            ),
            (
                Some(4),
                "hr:8",
                Some("HR:1"),
                ManagerProblem::UnknownManager
            ),
        ]
    );
    assert_eq!(
        error.to_string(),
        "2 manager(s) cannot be resolved\n\
         line 2: user \"hr:1\": manager \"hr:99\" is neither a user of the source nor an account at the provider\n\
         line 4: user \"hr:8\": manager \"HR:1\" is neither a user of the source nor an account at the provider"
    );
    // A manager at the provider but not in this export is fine: cal.
    let ok = source("Employee ID,Login,Email,Manager\nhr:1,ada,ada@example.test,hr:3\n");
    let planned = plan(&ok, &current, &profile, &options).unwrap();
    let cal = current
        .users
        .iter()
        .find(|u| u.user_name.as_deref() == Some("cal"))
        .and_then(|u| u.id.clone().into_option())
        .unwrap();
    assert!(
        serde_json::to_string(&planned.steps)
            .unwrap()
            .contains(&cal),
        "{:?}",
        planned.steps
    );
}

/// Two new users who manage each other, and one who manages herself: both
/// created, then each given the other's id; a second plan is empty.
#[test]
fn a_manager_cycle_among_new_users_is_created_then_linked() {
    let export = "\
Employee ID,Login,Email,Manager
hr:6,fay,fay@example.test,hr:7
hr:7,gus,gus@example.test,hr:6
hr:9,ivy,ivy@example.test,hr:9
";
    let desired = source(export);
    for profile in profiles() {
        let service = InMemoryService::for_profile(&profile);
        let client = client(&profile, service);
        let options = PlanOptions {
            deactivate_missing: false,
            ..options()
        };
        let first = plan(
            &desired,
            &read_current(&client).unwrap(),
            &profile,
            &options,
        )
        .unwrap();
        assert_eq!(
            kinds(&first),
            [
                "create hr:6",
                "create hr:7",
                "create hr:9",
                "update hr:6 (by key) manager hr:7",
                "update hr:7 (by key) manager hr:6",
                "update hr:9 (by key) manager hr:9",
            ],
            "{}",
            profile.name
        );
        apply(&client, &first, &profile, "cycle");
        let chart = org_chart(&client, &profile);
        let manager = |name: &str| chart[name][0].clone();
        assert_eq!(
            [manager("fay"), manager("gus"), manager("ivy")],
            [json!("gus"), json!("fay"), json!("ivy")],
            "{}",
            profile.name
        );
        assert_settled(&client, &desired, &profile, &options);
    }
}

/// An empty manager cell with `clearEmpty` removes the manager.
#[test]
fn an_empty_manager_with_clear_empty_removes_it() {
    let mapping = Mapping::from_json(
        r#"{"columns": {"Id": "externalId", "Login": "userName", "Mail": "emails",
            "Boss": "manager"}, "clearEmpty": true}"#,
    )
    .unwrap();
    let read = |text: &str| read_csv(text.as_bytes(), &mapping).unwrap();
    let options = PlanOptions {
        managed: mapping.managed(),
        ..options()
    };
    for profile in profiles() {
        let client = client(&profile, seeded(&profile));
        let with = read(
            "Id,Login,Mail,Boss\nhr:1,ada,ada@example.test,\nhr:2,bob,bob@example.test,hr:1\nhr:3,cal,cal@example.test,\n",
        );
        let first = plan(&with, &read_current(&client).unwrap(), &profile, &options).unwrap();
        apply(&client, &first, &profile, "clear-1");
        assert_eq!(org_chart(&client, &profile)["bob"][0], json!("ada"));
        let without = read(
            "Id,Login,Mail,Boss\nhr:1,ada,ada@example.test,\nhr:2,bob,bob@example.test,\nhr:3,cal,cal@example.test,\n",
        );
        let second = plan(
            &without,
            &read_current(&client).unwrap(),
            &profile,
            &options,
        )
        .unwrap();
        match &second.steps[..] {
            [Step::UpdateUser { key, changes, .. }] => {
                assert_eq!(key, "hr:2");
                assert_eq!(changes[0].value, None, "{}: cleared", profile.name);
            }
            other => panic!("{}: {other:?}", profile.name),
        }
        apply(&client, &second, &profile, "clear-2");
        assert_eq!(org_chart(&client, &profile)["bob"][0], Value::Null);
        assert_settled(&client, &without, &profile, &options);
    }
}

/// Giving an account the source does not own a manager the plan creates
/// is a write to someone else's account: a clash at planning, as any
/// other write to it would be (and allowed only by an adoption rule).
#[test]
fn a_new_manager_is_never_written_to_an_account_the_source_does_not_own() {
    let export = "Employee ID,Login,Email,Manager\nhr:1,ada,ada@example.test,hr:9\nhr:9,ned,ned@example.test,\n";
    let desired = read_csv(export.as_bytes(), &mapping()).unwrap();
    let profile = Profile::slack_v2();
    let service = InMemoryService::for_profile(&profile);
    // ada exists, as the source has her, but the source owns nothing.
    let ada = common::person("ada", "hr:1", "");
    let mut ada = serde_json::to_value(ada).unwrap();
    ada.as_object_mut().unwrap().remove("title");
    service.seed_user(ada).unwrap();
    let current = read_current(&client(&profile, service)).unwrap();
    let options = PlanOptions {
        managed: vec![format!("{ENTERPRISE_V2}.manager")],
        ownership: Ownership::Nothing,
        deactivate_missing: false,
        ..PlanOptions::default()
    };
    let error = plan(&desired, &current, &profile, &options).unwrap_err();
    assert!(
        matches!(&error, PlanError::NotOwned { clashes } if clashes.len() == 1 && clashes[0].key == "hr:1"),
        "{error}"
    );
}

/// The block of `docs/mapping.md` after `label`, fenced as `lang`.
fn doc_block(doc: &str, label: &str, lang: &str) -> String {
    let start = doc.find(label).expect(label);
    let open = format!("```{lang}\n");
    let body = start + doc[start..].find(&open).expect("a fenced block") + open.len();
    let end = body + doc[body..].find("```").expect("a closing fence");
    doc[body..end].to_owned()
}

/// The full example of `docs/mapping.md` reads, manages what the page says,
/// and plans what the page shows on SCIM 2.0: the docs cannot drift from
/// the code.
#[test]
fn the_full_example_of_the_mapping_docs_plans_as_documented() {
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../docs/mapping.md"
    ))
    .unwrap();
    let mapping = Mapping::from_json(&doc_block(&doc, "`hr-mapping.json`:", "json")).unwrap();
    let desired = read_csv(doc_block(&doc, "`hr.csv`:", "csv").as_bytes(), &mapping).unwrap();
    let urn2 = |attribute: &str| format!("{ENTERPRISE_V2}.{attribute}");
    assert_eq!(
        mapping.managed(),
        [
            "userName".to_owned(),
            "emails".into(),
            "name.givenName".into(),
            "name.familyName".into(),
            "title".into(),
            "active".into(),
            urn2("employeeNumber"),
            urn2("costCenter"),
            urn2("organization"),
            urn2("division"),
            urn2("department"),
            urn2("manager"),
            "urn:example:params:scim:schemas:extension:acme:2.0:User.badge".into(),
        ]
    );
    let profile = Profile::generic_scim2(common::BASE_URL);
    let service = InMemoryService::for_profile(&profile);
    for (name, key) in [("ada", "hr:1"), ("bob", "hr:2")] {
        let mut user = serde_json::to_value(common::person(name, key, "")).unwrap();
        user.as_object_mut().unwrap().remove("title");
        service.seed_user(user).unwrap();
    }
    let client = client(&profile, service);
    let (ada, bob) = (common::id_of(&client, "ada"), common::id_of(&client, "bob"));
    let options = PlanOptions {
        managed: mapping.managed(),
        ..options()
    };
    let planned = plan(
        &desired,
        &read_current(&client).unwrap(),
        &profile,
        &options,
    )
    .unwrap();
    let dee = planned
        .steps
        .iter()
        .find_map(|step| match step {
            Step::CreateUser { key, user } if key == "hr:4" => Some(user),
            _ => None,
        })
        .unwrap();
    assert_eq!(
        dee[ENTERPRISE_V2],
        json!({"employeeNumber": "4", "costCenter": "CC-2", "organization": "Acme",
               "division": "R&D", "department": "Engineering", "manager": {"value": bob}})
    );
    assert_eq!(
        dee["urn:example:params:scim:schemas:extension:acme:2.0:User"],
        json!({"badge": "B-4"})
    );
    let patch_of = |wanted: &str| {
        planned.steps.iter().find_map(|step| match step {
            Step::UpdateUser { key, patch, .. } if key == wanted => {
                serde_json::to_value(patch).ok()
            }
            _ => None,
        })
    };
    let manager_op = |id: &str| json!({"op": "replace", "path": format!("{ENTERPRISE_V2}:manager"), "value": {"value": id}});
    for key in ["hr:1", "hr:2"] {
        let patch = patch_of(key).unwrap();
        assert!(
            patch["Operations"]
                .as_array()
                .unwrap()
                .contains(&manager_op(&ada)),
            "{key}: {patch}"
        );
    }
}

/// Managing the whole extension (its URN as one managed path, not its
/// attributes one by one) under each profile, Slack v1's dotted SCIM 1.1
/// URN included: the changed departments are written and a second plan is
/// empty.
#[test]
fn the_whole_extension_is_managed_as_one_attribute_under_each_profile() {
    let mapping = Mapping::from_json(
        r#"{"matchKey": "externalId", "columns": {"Employee ID": "externalId",
            "Login": "userName", "Email": "emails", "Department": "department",
            "Cost Center": "costCenter"}}"#,
    )
    .expect("the mapping reads");
    let export = "Employee ID,Login,Email,Department,Cost Center\n\
                  hr:1,ada,ada@example.test,Board,CC-1\n\
                  hr:2,bob,bob@example.test,Engineering,CC-2\n\
                  hr:3,cal,cal@example.test,Engineering,CC-2\n";
    let desired = read_csv(export.as_bytes(), &mapping).expect("the export reads");
    let options = PlanOptions {
        managed: vec!["userName".into(), ENTERPRISE_V2.into()],
        ..options()
    };
    for profile in profiles() {
        let service = seeded(&profile);
        let client = client(&profile, service.clone());
        let current = read_current(&client).unwrap();
        let first = plan(&desired, &current, &profile, &options)
            .unwrap_or_else(|e| panic!("{}: {e}", profile.name));
        apply(&client, &first, &profile, "whole-extension");
        let chart = org_chart(&client, &profile);
        assert_eq!(
            chart["cal"][1], "Engineering",
            "{}: {chart:?}",
            profile.name
        );
        assert_eq!(chart["ada"][2], "CC-1", "{}: {chart:?}", profile.name);
        assert_settled(&client, &desired, &profile, &options);
    }
}

/// A whole extension the provider holds with a sub-attribute the source
/// does not give: that sub-attribute is the source's "no opinion" (as an
/// empty cell is), so the changed one is written by itself and the next
/// plan is empty, in each profile's form (both forms merge a complex
/// value; comparing whole values planned the same write forever).
#[test]
fn a_whole_extension_is_compared_by_the_sub_attributes_the_source_gives() {
    let mapping = Mapping::from_json(
        r#"{"matchKey": "externalId", "columns": {"Employee ID": "externalId",
            "Login": "userName", "Email": "emails", "Department": "department"}}"#,
    )
    .expect("the mapping reads");
    let export = "Employee ID,Login,Email,Department\n\
                  hr:1,ada,ada@example.test,Board\n";
    let desired = read_csv(export.as_bytes(), &mapping).expect("the export reads");
    let options = PlanOptions {
        managed: vec!["userName".into(), ENTERPRISE_V2.into()],
        ..options()
    };
    for profile in profiles() {
        let service = InMemoryService::for_profile(&profile);
        let urn = profile.dialect.enterprise_urn();
        let mut ada = serde_json::to_value(common::person("ada", "hr:1", "")).unwrap();
        ada.as_object_mut().unwrap().remove("title");
        ada[urn] = json!({"department": "Sales", "division": "Ops"});
        service.seed_user(ada).expect("seeded");
        let client = client(&profile, service.clone());
        let first = plan(
            &desired,
            &read_current(&client).unwrap(),
            &profile,
            &options,
        )
        .unwrap();
        let [Step::UpdateUser { changes, .. }] = &first.steps[..] else {
            panic!("{}: one update: {:?}", profile.name, kinds(&first));
        };
        let paths: Vec<&str> = changes.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, [format!("{urn}.department")], "{}", profile.name);
        apply(&client, &first, &profile, "whole-extension-merge");
        let users = read_current(&client).unwrap().users;
        let extension = enterprise(&users[0], &profile);
        assert_eq!(
            extension,
            json!({"department": "Board", "division": "Ops"}),
            "{}",
            profile.name
        );
        assert_settled(&client, &desired, &profile, &options);
    }
}
