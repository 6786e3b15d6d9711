//! The mapping's enterprise extension through the command (issue 21): an HR
//! export with a manager (by employee id), department, employee number and
//! cost center, planned, applied and verified on the embedded service under
//! Slack's SCIM v2 and generic SCIM 2.0 — the manager resolved to the
//! provider's id, including a manager created in the same apply — then a
//! second plan is empty. No `--managed`: what the mapping feeds is managed.

mod common;

use common::Scratch;
use serde_json::Value;

const MAPPING: &str = r#"{"columns": {
    "Employee ID": "externalId", "Login": "userName", "Email": "emails",
    "Department": "department", "Employee Number": "employeeNumber",
    "Cost Center": "costCenter", "Manager": "manager"}}"#;

/// sample-1001 (Ada, seeded) reports to hr-9 (Grace, new); hr-9 to
/// sample-1001; hr-8 (new) to hr-9.
const EXPORT: &str = "\
Employee ID,Login,Email,Department,Employee Number,Cost Center,Manager
sample-1001,ada.lovelace,ada@example.com,Research,1001,CC-7,hr-9
hr-9,grace.h,grace.h@example.com,Board,9,CC-1,sample-1001
hr-8,alan.t,alan.t@example.com,Research,8,CC-7,hr-9
";

fn run(profile: &str) {
    let dir = Scratch::new(&format!("enterprise-{profile}"));
    std::fs::write(dir.path("mapping.json"), MAPPING).unwrap();
    std::fs::write(dir.path("hr.csv"), EXPORT).unwrap();
    let source = [
        "--from",
        "hr.csv",
        "--mapping",
        "mapping.json",
        "--owned-prefix",
        "sample-",
        "--allow-mass-deactivation",
    ];
    let global = ["--profile", profile];
    let args = |head: &[&'static str]| -> Vec<&str> {
        global
            .iter()
            .chain(head)
            .chain(source.iter())
            .copied()
            .collect()
    };
    dir.scim(&args(&["plan", "--out", "plan.json"])).ok();
    let applied = dir
        .scim(&[&global[..], &["--json", "apply", "plan.json"]].concat())
        .ok()
        .json();
    assert_eq!(applied["failed"], serde_json::json!([]), "{applied}");
    dir.scim(&args(&["verify"])).ok();
    let again = dir.scim(&args(&["--json", "plan"])).ok().json();
    assert_eq!(again["steps"], serde_json::json!([]), "{again}");
    let users = dir
        .scim(&[&global[..], &["--json", "users", "list"]].concat())
        .ok()
        .json();
    check_chart(profile, &users);
}

/// Each user's manager is the provider's id of the right user.
fn check_chart(profile: &str, users: &Value) {
    let list = users.as_array().or_else(|| users["users"].as_array());
    let list = list.unwrap_or_else(|| panic!("a list of users: {users}"));
    let id_of = |login: &str| -> String {
        let user = list.iter().find(|u| u["userName"] == login);
        user.and_then(|u| u["id"].as_str())
            .unwrap_or_else(|| panic!("{login} in {users}"))
            .to_owned()
    };
    let enterprise = |login: &str| -> Value {
        let user = list.iter().find(|u| u["userName"] == login).unwrap();
        let urn = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
        user[urn].clone()
    };
    let manager_of = |login: &str| -> Value {
        let manager = &enterprise(login)["manager"];
        match profile {
            "slack-v2" => manager["managerId"].clone(),
            _ => manager["value"].clone(),
        }
    };
    assert_eq!(manager_of("ada.lovelace"), id_of("grace.h"), "{users}");
    assert_eq!(manager_of("grace.h"), id_of("ada.lovelace"), "{users}");
    assert_eq!(manager_of("alan.t"), id_of("grace.h"), "{users}");
    let ada = enterprise("ada.lovelace");
    assert_eq!(ada["department"], "Research", "{ada}");
    assert_eq!(ada["employeeNumber"], "1001", "{ada}");
    assert_eq!(ada["costCenter"], "CC-7", "{ada}");
}

#[test]
fn managers_and_enterprise_attributes_under_slack_v2() {
    run("slack-v2");
}

#[test]
fn managers_and_enterprise_attributes_under_scim2() {
    run("scim2");
}
