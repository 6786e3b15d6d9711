//! userName is unique without regard to case (RFC 7643 §4.1.1: `uniqueness:
//! server`, `caseExact: false`), whatever writes came before: creates,
//! renames by PUT and PATCH, refused renames, deletes, and a snapshot
//! restored into a new service.

use http::Method;
use scim_client::provider::Profile;
use scim_memory::InMemoryService;
use serde_json::{Value, json};

const BASE: &str = "https://scim.test/v2";

/// Sends one request straight to the service; its status and JSON body.
fn send(
    service: &InMemoryService,
    method: Method,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let body = body.map_or_else(Vec::new, |b| serde_json::to_vec(&b).unwrap());
    let request = http::Request::builder()
        .method(method)
        .uri(format!("{BASE}/{path}"))
        .header("content-type", "application/scim+json")
        .body(body)
        .unwrap();
    let response = service.handle(&request);
    let json = serde_json::from_slice(response.body()).unwrap_or(Value::Null);
    (response.status().as_u16(), json)
}

/// Creates `user`; its id, or the refusal's status.
fn create(service: &InMemoryService, user: Value) -> Result<String, u16> {
    match send(service, Method::POST, "Users", Some(user)) {
        (201, body) => Ok(body["id"].as_str().unwrap().to_owned()),
        (status, body) => {
            // Slack v1 says it in its `Errors` object, SCIM 2.0 by scimType.
            if status == 409 && body.get("Errors").is_none() {
                assert_eq!(body["scimType"], "uniqueness", "{body}");
            }
            Err(status)
        }
    }
}

fn named(name: &str) -> Value {
    json!({"userName": name})
}

fn rename_by_patch(service: &InMemoryService, id: &str, name: &str) -> u16 {
    let patch = json!({
        "schemas": [scim_client::model::PATCH_OP],
        "Operations": [{"op": "replace", "path": "userName", "value": name}]
    });
    send(service, Method::PATCH, &format!("Users/{id}"), Some(patch)).0
}

fn profile() -> Profile {
    Profile::generic_scim2(BASE)
}

#[test]
fn user_names_stay_unique_across_create_rename_delete_and_restore() {
    let service = InMemoryService::for_profile(&profile());

    // Create: a second "ada", in any case, is refused.
    let ada = create(&service, named("ada")).unwrap();
    assert_eq!(create(&service, named("ADA")), Err(409));

    // Rename by PUT: the old name is free, the new one taken.
    let put = send(
        &service,
        Method::PUT,
        &format!("Users/{ada}"),
        Some(named("Grace")),
    );
    assert_eq!(put.0, 200, "{}", put.1);
    assert_eq!(create(&service, named("grace")), Err(409));
    let second_ada = create(&service, named("Ada")).unwrap();

    // Rename by PATCH, the same; a rename onto a taken name is refused and
    // keeps the old name taken.
    assert_eq!(rename_by_patch(&service, &second_ada, "lin"), 204);
    assert_eq!(create(&service, named("LIN")), Err(409));
    assert_eq!(rename_by_patch(&service, &second_ada, "GRACE"), 409);
    assert_eq!(
        create(&service, named("lin")),
        Err(409),
        "the refused rename kept lin"
    );
    assert!(
        create(&service, named("ada")).is_ok(),
        "ada was freed by the first rename"
    );

    // A change of case only is the same name, still held by its user.
    assert_eq!(rename_by_patch(&service, &second_ada, "Lin"), 204);
    assert_eq!(create(&service, named("lin")), Err(409));

    // Delete frees the name.
    let deleted = send(&service, Method::DELETE, &format!("Users/{ada}"), None);
    assert_eq!(deleted.0, 204);
    let new_grace = create(&service, named("grace")).unwrap();

    // A restored service holds the same names, and frees them the same way.
    let restored = InMemoryService::restore(&profile(), &service.snapshot()).unwrap();
    for taken in ["ADA", "lin", "Grace"] {
        assert_eq!(create(&restored, named(taken)), Err(409), "{taken}");
    }
    let deleted = send(
        &restored,
        Method::DELETE,
        &format!("Users/{new_grace}"),
        None,
    );
    assert_eq!(deleted.0, 204);
    assert!(create(&restored, named("grace")).is_ok());
    assert!(create(&restored, named("linus")).is_ok());
}

#[test]
fn a_user_name_sent_under_another_case_of_its_key_is_unique_too() {
    // Attribute names are case-insensitive (RFC 7643 §2.1): "UserName" is
    // the userName, for the required-attribute check and the uniqueness
    // rule alike.
    let service = InMemoryService::scim2();
    let mixed = create(&service, json!({"UserName": "mixed"})).unwrap();
    assert_eq!(create(&service, named("MIXED")), Err(409));
    let deleted = send(&service, Method::DELETE, &format!("Users/{mixed}"), None);
    assert_eq!(deleted.0, 204);
    assert!(
        create(&service, named("mixed")).is_ok(),
        "the delete freed it"
    );
}

#[test]
fn a_deactivated_slack_user_keeps_its_name() {
    let service = InMemoryService::slack_v1();
    let ada = create(&service, named("ada")).unwrap();
    let deactivated = send(&service, Method::DELETE, &format!("Users/{ada}"), None);
    assert_eq!(deactivated.0, 200);
    assert_eq!(create(&service, named("Ada")), Err(409));
}
