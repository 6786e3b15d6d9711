//! Real providers' payloads, as they are: odd casing, string booleans,
//! numbers for strings, nulls for lists, pages whose counts disagree with
//! their resources, and pages with a few broken resources. Each fixture in
//! `tests/fixtures/providers` is written by this project after a shape a
//! provider or SDK publishes; each test asserts the typed result or the
//! exact error path.

mod support;

use scim_client::model::{ListResponse, SearchRequest, User};
use scim_client::transport::{HttpRequest, HttpResponse, TransportError};
use scim_client::{AsyncScimClient, ClientOptions, Endpoint, Error, ScimClient};
use serde_json::{Value, json};
use support::scenarios::block_on;

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/fixtures/providers/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap()
}

fn answer(body: Vec<u8>) -> http::Response<Vec<u8>> {
    http::Response::builder().status(200).body(body).unwrap()
}

fn endpoint() -> Endpoint {
    ClientOptions::scim2("https://scim.test/v2")
        .endpoint("t")
        .unwrap()
}

#[test]
fn odd_casing_string_booleans_and_numbers_fill_the_typed_fields() {
    let user = endpoint()
        .read_user("x")
        .unwrap()
        .parse_response(answer(fixture("odd_casing_user.json")))
        .unwrap();
    assert_eq!(
        user.id.as_deref(),
        Some("2819c223-7f76-453a-919d-413861904646")
    );
    assert_eq!(user.external_id.as_deref(), Some("701984"));
    assert_eq!(user.user_name.as_deref(), Some("bjensen@example.com"));
    let name = user.name.value().unwrap();
    assert_eq!(name.family_name.as_deref(), Some("Jensen"));
    assert_eq!(name.given_name.as_deref(), Some("Barbara"));
    assert_eq!(user.active.value(), Some(&true), "\"True\" (Entra ID)");
    let emails = user.emails.value().unwrap();
    assert_eq!(emails[0].primary.value(), Some(&true), "\"TRUE\"");
    assert_eq!(
        emails[1].value.as_deref(),
        Some("5551234"),
        "a number read as its text"
    );
    assert_eq!(emails[1].primary.value(), Some(&false));
    assert_eq!(
        user.meta.value().unwrap().version.as_deref(),
        Some("143"),
        "a numeric meta.version"
    );
    assert!(user.phone_numbers.is_null(), "null list stays null");
    // Unknown keys keep their exact spelling, known ones do not leak there.
    assert_eq!(user.extra.keys().collect::<Vec<_>>(), ["x-tenant"]);
    assert_eq!(user.extra["x-tenant"], json!({"Region": "EU"}));
}

#[test]
fn what_the_client_writes_stays_canonical() {
    let user: User = serde_json::from_slice(&fixture("odd_casing_user.json")).unwrap();
    let written = serde_json::to_value(&user).unwrap();
    assert_eq!(written["active"], json!(true));
    assert_eq!(written["externalId"], json!("701984"));
    assert_eq!(written["emails"][0]["primary"], json!(true));
    assert_eq!(written["meta"]["version"], json!("143"));
    assert_eq!(written["name"]["familyName"], json!("Jensen"));
    assert!(written.get("Active").is_none() && written.get("userNAME").is_none());
    // And canonical output reads back to the same value.
    assert_eq!(serde_json::from_value::<User>(written).unwrap(), user);
}

#[test]
fn a_lowercase_resources_key_and_string_counts_are_a_full_page() {
    let page = endpoint()
        .search_users(&SearchRequest::new())
        .unwrap()
        .parse_response(answer(fixture("lowercase_resources_page.json")))
        .unwrap();
    assert_eq!(page.total_results, Some(2));
    assert_eq!(page.items_per_page, Some(2));
    let ids: Vec<_> = page
        .resources
        .iter()
        .map(|u| u.id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["1", "2"]);
    assert_eq!(page.resources[1].active.value(), Some(&false));
}

#[test]
fn a_page_whose_counts_promise_resources_it_lacks_is_an_error_not_an_empty_page() {
    let err = endpoint()
        .search_users(&SearchRequest::new())
        .unwrap()
        .parse_response(answer(fixture("inconsistent_page.json")))
        .unwrap_err();
    match &err {
        Error::Decode { status, error, .. } => {
            assert_eq!(status.as_u16(), 200);
            assert_eq!(error.path(), "Resources");
            assert!(error.message().contains("totalResults 3"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    // Missing Resources with a total that covers this page: the same.
    let total_only = br#"{"totalResults": 3, "startIndex": 1}"#.to_vec();
    let err = endpoint()
        .search_users(&SearchRequest::new())
        .unwrap()
        .parse_response(answer(total_only))
        .unwrap_err();
    assert!(err.to_string().contains("totalResults 3"), "{err}");
    // No total: itemsPerPage decides.
    let items_only = br#"{"itemsPerPage": 2, "Resources": []}"#.to_vec();
    let err = endpoint()
        .search_users(&SearchRequest::new())
        .unwrap()
        .parse_response(answer(items_only))
        .unwrap_err();
    assert!(err.to_string().contains("itemsPerPage is 2"), "{err}");
}

#[test]
fn an_empty_page_the_counts_agree_with_is_fine() {
    for body in [
        json!({"totalResults": 0, "itemsPerPage": 0, "startIndex": 1}),
        json!({"totalResults": 3, "Resources": []}), // asked at startIndex 4, past the end
        // Providers that echo the requested count, or startIndex 1, on an empty page.
        json!({"totalResults": 3, "itemsPerPage": 100, "startIndex": 1, "Resources": []}),
        json!({"totalResults": 0, "itemsPerPage": 100, "Resources": []}),
        // `null` for the list, and Slack's page without `Resources`.
        json!({"totalResults": 3, "Resources": null}),
        json!({"totalResults": "3"}),
    ] {
        let op = endpoint()
            .search_users(&SearchRequest::new().start_index(4))
            .unwrap();
        let page = op
            .parse_response(answer(serde_json::to_vec(&body).unwrap()))
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert!(page.resources.is_empty() && page.failed.is_empty());
    }
}

#[test]
fn broken_resources_fail_alone_with_their_index_id_path_and_raw_json() {
    let page = endpoint()
        .search_users(&SearchRequest::new())
        .unwrap()
        .parse_response(answer(fixture("broken_resource_page.json")))
        .unwrap();
    let ids: Vec<_> = page
        .resources
        .iter()
        .map(|u| u.id.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["u1", "u2"]);
    assert_eq!(page.failed.len(), 2);
    let linus = &page.failed[0];
    assert_eq!((linus.index, linus.id.as_deref()), (2, Some("u3")));
    assert_eq!(linus.error.path(), "Resources[2].emails[0].primary");
    assert_eq!(linus.error.found(), Some("\"yes\""));
    assert!(linus.error.message().contains("boolean"), "{}", linus.error);
    let raw: Value = serde_json::from_str(&linus.raw).unwrap();
    assert_eq!(raw["userName"], "linus");
    let ken = &page.failed[1];
    assert_eq!((ken.index, ken.error.path()), (3, "Resources[3].name"));
    assert!(
        ken.error.to_string().contains("\"u4\""),
        "the id is in the message: {}",
        ken.error
    );
}

#[test]
fn a_password_is_never_quoted_in_a_decode_error() {
    let body = br#"{"id": "u1", "password": {"secret": "hunter2-hunter2"}}"#.to_vec();
    let err = endpoint()
        .read_user("u1")
        .unwrap()
        .parse_response(answer(body))
        .unwrap_err();
    let Error::Decode { error, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(error.path(), "password");
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
}

/// 1000 users on one page, three of them broken in different places.
fn page_with_three_broken() -> Vec<u8> {
    let resources: Vec<Value> = (0..1000)
        .map(|i| match i {
            17 => json!({"id": format!("u{i}"), "userName": "x", "active": "maybe"}),
            500 => json!({"id": format!("u{i}"), "userName": "x", "emails": [{"value": "a"}, {"value": {"no": 1}}]}),
            999 => json!({"id": format!("u{i}"), "userName": ["not", "a", "string"]}),
            _ => json!({"id": format!("u{i}"), "userName": format!("user{i}"), "active": true}),
        })
        .collect();
    serde_json::to_vec(&json!({
        "totalResults": 1000, "itemsPerPage": 1000, "startIndex": 1, "Resources": resources
    }))
    .unwrap()
}

fn one_page_service(request: HttpRequest) -> Result<HttpResponse, TransportError> {
    let start = request
        .uri()
        .query()
        .unwrap_or_default()
        .contains("startIndex=1&");
    let body = if start {
        page_with_three_broken()
    } else {
        serde_json::to_vec(&json!({"totalResults": 1000, "Resources": []})).unwrap()
    };
    Ok(answer(body))
}

fn assert_997_users_and_3_errors(results: Vec<Result<User, Error>>) {
    let users = results.iter().filter(|r| r.is_ok()).count();
    let failures: Vec<_> = results
        .iter()
        .filter_map(|r| match r {
            Err(Error::Undecodable(failure)) => {
                Some((failure.index, failure.error.path().to_owned()))
            }
            Err(other) => panic!("{other}"),
            Ok(_) => None,
        })
        .collect();
    assert_eq!(users, 997);
    assert_eq!(
        failures,
        [
            (17, "Resources[17].active".to_owned()),
            (500, "Resources[500].emails[1].value".to_owned()),
            (999, "Resources[999].userName".to_owned()),
        ]
    );
    // In page order: the failure at 17 comes after user 16 and before user 18.
    let ids: Vec<String> = results
        .iter()
        .map(|r| match r {
            Ok(user) => user.id.as_deref().unwrap().to_owned(),
            Err(Error::Undecodable(failure)) => failure.id.clone().unwrap(),
            Err(other) => panic!("{other}"),
        })
        .collect();
    assert_eq!(ids[16..19], ["u16", "u17", "u18"]);
}

#[test]
fn a_1000_user_page_with_3_broken_resources_walks_997_users_and_3_errors_blocking() {
    let client = ScimClient::with_transport(
        "t",
        ClientOptions::scim2("https://scim.test/v2"),
        one_page_service,
    )
    .unwrap();
    let results: Vec<_> = client.all_users(SearchRequest::new().count(1000)).collect();
    assert_997_users_and_3_errors(results);
}

#[test]
fn a_1000_user_page_with_3_broken_resources_walks_997_users_and_3_errors_async() {
    let transport = scim_client::transports::AsyncFnTransport::new(
        |request: HttpRequest| async move { one_page_service(request) },
        |_| async {},
    );
    let client = AsyncScimClient::with_transport(
        "t",
        ClientOptions::scim2("https://scim.test/v2"),
        transport,
    )
    .unwrap();
    let results = block_on(async {
        let mut walk = client.all_users(SearchRequest::new().count(1000));
        let mut results = Vec::new();
        while let Some(result) = walk.next().await {
            results.push(result);
        }
        results
    });
    assert_997_users_and_3_errors(results);
}

#[test]
fn an_envelope_that_is_not_a_list_fails_the_page_with_where() {
    let err = ListResponse::<User>::from_json(br#"{"totalResults": "many", "Resources": []}"#)
        .unwrap_err();
    assert_eq!(err.path(), "totalResults", "{err}");
    let err = ListResponse::<User>::from_json(b"<html>502</html>").unwrap_err();
    assert_eq!(err.path(), "");
    assert!(err.message().contains("line 1"), "{err}");
}

#[test]
fn an_extension_decode_error_is_not_dressed_as_a_response() {
    let mut user = User::default();
    user.extra
        .insert("urn:example:badge".into(), json!({"level": "high"}));
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Badge {
        level: u8,
    }
    let err = user.extension::<Badge>("urn:example:badge").unwrap_err();
    assert!(err.status().is_none());
    match err {
        Error::Json(error) => {
            // `level` is required by the caller's type, so removing it cannot
            // narrow further: the path stops at the extension, and serde's
            // message names what it expected.
            assert_eq!(error.path(), "urn:example:badge");
            assert!(error.message().contains("u8"), "{error}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn error_bodies_are_read_in_any_case() {
    let body = json!({"Schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
        "Status": 409, "ScimType": "uniqueness", "Detail": "userName taken"});
    let scim = scim_client::ScimError::from_json(&body).unwrap();
    assert_eq!(scim.status, Some(409));
    assert_eq!(scim.scim_type, Some(scim_client::ScimType::Uniqueness));
    assert_eq!(scim.detail.as_deref(), Some("userName taken"));
    let slack = json!({"errors": {"Code": "404", "Description": "no_such_user"}});
    let scim = scim_client::ScimError::from_json(&slack).unwrap();
    assert_eq!(
        (scim.status, scim.detail.as_deref()),
        (Some(404), Some("no_such_user"))
    );
}

#[test]
fn review_findings_big_ids_bulk_status_spacing_duplicate_resources_and_passwords_in_context() {
    // An integer id too large to read exactly is an error, not a rounded id.
    let err = serde_json::from_value::<User>(json!({"externalId": 123456789012345678901234.0}))
        .unwrap_err();
    assert!(err.to_string().contains("exactly"), "{err}");
    assert_eq!(
        serde_json::from_value::<User>(json!({"externalId": 1.5}))
            .unwrap()
            .external_id
            .as_deref(),
        Some("1.5")
    );
    // A status with spaces is read (the operations ran), written as a number.
    let bulk: scim_client::model::BulkResponse =
        serde_json::from_value(json!({"Operations": [{"method": "POST", "status": " 201"}]}))
            .unwrap();
    assert_eq!(bulk.operations[0].status, 201);
    // Two spellings of Resources: refused, not the last one silently.
    let err = ListResponse::<User>::from_json(br#"{"Resources":[{"id":"1"}],"resources":[]}"#)
        .unwrap_err();
    assert!(err.message().contains("twice"), "{err}");
    // A password in the JSON quoted around the failing place is hidden too.
    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)]
    struct Strict {
        serial: String,
    }
    let err = scim_client::ScimResponse::new(
        http::StatusCode::OK,
        http::HeaderMap::new(),
        br#"{"password": "hunter2-hunter2", "nested": {"PassWord": "x-hunter2"}}"#.to_vec(),
    )
    .parse::<Strict>()
    .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("hunter2"), "{err}");
}

#[test]
fn a_page_with_undecodable_resources_is_written_back_whole_in_order() {
    let page = ListResponse::<User>::from_json(&fixture("broken_resource_page.json")).unwrap();
    assert_eq!(page.failed.len(), 2);
    let written = serde_json::to_value(&page).unwrap();
    let original: Value = serde_json::from_slice(&fixture("broken_resource_page.json")).unwrap();
    assert_eq!(written["Resources"], original["Resources"]);
}
