//! Each dialect takes PATCH in its own form and refuses the other's with
//! 400, as the real service does, so a client sending the wrong form fails
//! its tests instead of passing them on a double that changed nothing.
//!
//! - SCIM 2.0 and Slack v2: a `PatchOp` (RFC 7644 §3.5.2); anything else is
//!   400 `invalidSyntax` (§3.12).
//! - Slack v1: a partial resource; a `PatchOp` is 400 in Slack's `Errors`
//!   object.

use http::Method;
use scim_client::model::PATCH_OP;
use scim_client::provider::Profile;
use scim_memory::InMemoryService;
use serde_json::{Value, json};

const BASE: &str = "https://scim.test/v2";

/// Sends one request straight to the service; its status and JSON body.
fn send(
    service: &InMemoryService,
    method: Method,
    path: &str,
    body: Option<&Value>,
) -> (u16, Value) {
    let body = body.map_or_else(Vec::new, |b| serde_json::to_vec(b).unwrap());
    let request = http::Request::builder()
        .method(method)
        .uri(format!("{BASE}/{path}"))
        .body(body)
        .unwrap();
    let response = service.handle(&request);
    let json = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), json)
}

fn create(service: &InMemoryService, endpoint: &str, body: Value) -> String {
    let (status, created) = send(service, Method::POST, endpoint, Some(&body));
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}

fn read(service: &InMemoryService, path: &str) -> Value {
    let (status, mut resource) = send(service, Method::GET, path, None);
    assert_eq!(status, 200, "{resource}");
    resource.as_object_mut().unwrap().remove("meta");
    resource
}

/// A SCIM 2.0 PatchOp setting the title, as the v2 APIs take it.
fn patch_op() -> Value {
    json!({"schemas": [PATCH_OP], "Operations": [{"op": "replace", "path": "title", "value": "Countess"}]})
}

/// The ways a body can be a PatchOp in part, each refused by Slack v1.
fn scim2_forms() -> Vec<(&'static str, Value)> {
    vec![
        ("a whole PatchOp", patch_op()),
        (
            "Operations without the schema",
            json!({"Operations": [{"op": "replace", "path": "title", "value": "Countess"}]}),
        ),
        (
            "operations in another case",
            json!({"operations": [{"op": "replace", "path": "title", "value": "Countess"}]}),
        ),
        (
            "the PatchOp schema alone",
            json!({"schemas": [PATCH_OP], "title": "Countess"}),
        ),
    ]
}

/// The ways a body can fall short of a PatchOp, each refused by SCIM 2.0.
fn non_patch_op_forms() -> Vec<(&'static str, Value, &'static str)> {
    vec![
        (
            "a partial resource",
            json!({"title": "Countess"}),
            "schemas",
        ),
        (
            "a partial resource with a core schema",
            json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "title": "Countess"}),
            "schemas",
        ),
        (
            "Operations without the schema",
            json!({"Operations": [{"op": "replace", "path": "title", "value": "Countess"}]}),
            "schemas",
        ),
        (
            "the schema without Operations",
            json!({"schemas": [PATCH_OP], "title": "Countess"}),
            "Operations",
        ),
        (
            "no operation at all",
            json!({"schemas": [PATCH_OP], "Operations": []}),
            "Operations",
        ),
        (
            "not an object",
            json!([{"op": "replace", "path": "title", "value": "Countess"}]),
            "object",
        ),
    ]
}

mod slack_v1 {
    use super::*;

    #[test]
    fn a_scim2_patch_op_is_refused_with_400_and_changes_nothing() {
        let service = InMemoryService::slack_v1();
        let ada = create(
            &service,
            "Users",
            json!({"userName": "ada", "title": "Analyst"}),
        );
        let eng = create(&service, "Groups", json!({"displayName": "eng"}));
        for (path, form) in [
            (format!("Users/{ada}"), "user"),
            (format!("Groups/{eng}"), "group"),
        ] {
            let before = read(&service, &path);
            for (what, body) in scim2_forms() {
                let (status, refusal) = send(&service, Method::PATCH, &path, Some(&body));
                assert_eq!(status, 400, "{form}, {what}: {refusal}");
                assert_eq!(refusal["Errors"]["code"], 400, "{form}, {what}: {refusal}");
                let description = refusal["Errors"]["description"].as_str().unwrap();
                assert!(
                    description.contains("partial resource") && description.contains("PatchOp"),
                    "{what}: {description}"
                );
                assert!(
                    refusal.get("scimType").is_none() && refusal.get("schemas").is_none(),
                    "Slack's form: {refusal}"
                );
            }
            assert_eq!(read(&service, &path), before, "{form}: nothing changed");
        }
    }

    #[test]
    fn a_partial_resource_is_applied() {
        let service = InMemoryService::slack_v1();
        let ada = create(
            &service,
            "Users",
            json!({"userName": "ada", "title": "Analyst"}),
        );
        let (status, patched) = send(
            &service,
            Method::PATCH,
            &format!("Users/{ada}"),
            Some(&json!({"title": "Countess"})),
        );
        assert_eq!(status, 200, "{patched}");
        assert_eq!(read(&service, &format!("Users/{ada}"))["title"], "Countess");
    }
}

mod scim2 {
    use super::*;

    fn services() -> Vec<(&'static str, InMemoryService)> {
        vec![
            ("scim2", InMemoryService::scim2()),
            (
                "slack v2",
                InMemoryService::for_profile(&Profile::slack_v2()),
            ),
        ]
    }

    #[test]
    fn a_body_that_is_not_a_patch_op_is_400_invalid_syntax_and_changes_nothing() {
        for (name, service) in services() {
            let ada = create(
                &service,
                "Users",
                json!({"userName": "ada", "title": "Analyst"}),
            );
            let eng = create(&service, "Groups", json!({"displayName": "eng"}));
            for path in [format!("Users/{ada}"), format!("Groups/{eng}")] {
                let before = read(&service, &path);
                for (what, body, names) in non_patch_op_forms() {
                    let (status, refusal) = send(&service, Method::PATCH, &path, Some(&body));
                    assert_eq!(status, 400, "{name} {path}, {what}: {refusal}");
                    assert_eq!(
                        refusal["scimType"], "invalidSyntax",
                        "{name}, {what}: {refusal}"
                    );
                    assert_eq!(refusal["status"], "400", "{name}, {what}: {refusal}");
                    let detail = refusal["detail"].as_str().unwrap();
                    assert!(
                        detail.contains(names),
                        "{name}, {what}: the detail names {names}: {detail}"
                    );
                }
                assert_eq!(
                    read(&service, &path),
                    before,
                    "{name} {path}: nothing changed"
                );
            }
        }
    }

    #[test]
    fn a_patch_op_is_applied() {
        for (name, service) in services() {
            let ada = create(
                &service,
                "Users",
                json!({"userName": "ada", "title": "Analyst"}),
            );
            let (status, body) = send(
                &service,
                Method::PATCH,
                &format!("Users/{ada}"),
                Some(&patch_op()),
            );
            assert_eq!(status, 204, "{name}: {body}");
            assert_eq!(
                read(&service, &format!("Users/{ada}"))["title"],
                "Countess",
                "{name}"
            );
        }
    }

    #[test]
    fn a_bulk_patch_with_a_partial_resource_is_refused_in_its_result() {
        let service = InMemoryService::scim2();
        let ada = create(
            &service,
            "Users",
            json!({"userName": "ada", "title": "Analyst"}),
        );
        let bulk = json!({
            "schemas": [scim_client::model::BULK_REQUEST],
            "Operations": [
                {"method": "PATCH", "path": format!("/Users/{ada}"), "data": {"title": "Countess"}},
                {"method": "PATCH", "path": format!("/Users/{ada}"), "data": patch_op()}
            ]
        });
        let (status, answer) = send(&service, Method::POST, "Bulk", Some(&bulk));
        assert_eq!(status, 200, "{answer}");
        assert_eq!(answer["Operations"][0]["status"], "400", "{answer}");
        assert_eq!(
            answer["Operations"][0]["response"]["scimType"], "invalidSyntax",
            "{answer}"
        );
        assert_eq!(answer["Operations"][1]["status"], "200", "{answer}");
    }
}
