//! Parsing Slack-shaped v1 answers (fixtures written for this project):
//! resources, lists, 204s, error bodies in every shape, and non-JSON pages.

use http::{Response, StatusCode};
use scim_client::model::{Field, Group, User};
use scim_client::{ApiError, BearerToken, Endpoint, Error, RetryAfter, ScimResponse, ScimType};
use serde_json::Value;

fn fixture(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/tests/fixtures/slack_v1/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn answer(status: u16, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder().status(status).body(body).unwrap()
}

fn endpoint() -> Endpoint {
    Endpoint::new(BearerToken::new("xoxp-test").unwrap())
}

fn api_error(result: Result<impl std::fmt::Debug, Error>) -> ApiError {
    match result {
        Err(Error::Api(e)) => *e,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[test]
fn a_user_with_every_extension_is_fully_typed() {
    let user = endpoint()
        .read_user("W0ABCDEF1")
        .unwrap()
        .parse_response(answer(200, fixture("user_full.json")))
        .unwrap();
    assert_eq!(user.id.as_deref(), Some("W0ABCDEF1"));
    assert_eq!(user.external_id.as_deref(), Some("okta-00u1abcd"));
    assert_eq!(user.active, Field::Value(true));
    let name = user.name.value().unwrap();
    assert_eq!(name.honorific_prefix.as_deref(), Some("Countess"));
    assert_eq!(name.middle_name.as_deref(), Some("King"));
    assert_eq!(name.formatted.as_deref(), Some("Ada King Lovelace"));
    assert_eq!(user.user_type.as_deref(), Some("Employee"));
    assert_eq!(user.preferred_language.as_deref(), Some("en-GB"));
    assert_eq!(user.locale.as_deref(), Some("en-GB"));
    assert_eq!(user.timezone.as_deref(), Some("Europe/London"));
    let emails = user.emails.value().unwrap();
    assert_eq!(emails[0].kind.as_deref(), Some("work"));
    assert_eq!(emails[0].primary, Field::Value(true));
    assert!(emails[1].kind.is_absent());
    // Partial elements and empty objects inside lists, as Slack sends them.
    let phones = user.phone_numbers.value().unwrap();
    assert!(phones[0].value.is_absent());
    assert_eq!(phones[1].value.as_deref(), Some("+44 20 7946 0018"));
    let addresses = user.addresses.value().unwrap();
    assert_eq!(addresses[0], Default::default());
    assert_eq!(
        addresses[1].street_address.as_deref(),
        Some("12 St James's Square")
    );
    assert_eq!(addresses[1].postal_code.as_deref(), Some("SW1Y 4LB"));
    assert_eq!(
        user.groups.value().unwrap()[0].value.as_deref(),
        Some("S0ENGINEERS")
    );
    assert_eq!(
        user.photos.value().unwrap()[0].kind.as_deref(),
        Some("photo")
    );
    assert_eq!(
        user.roles.value().unwrap()[1].value.as_deref(),
        Some("analyst")
    );
    assert_eq!(
        user.meta.value().unwrap().created.as_deref(),
        Some("2024-03-14T09:26:53-07:00")
    );

    let enterprise = user.enterprise.value().unwrap();
    assert_eq!(enterprise.employee_number.as_deref(), Some("1815"));
    assert_eq!(enterprise.cost_center.as_deref(), Some("CC-42"));
    assert_eq!(
        enterprise.organization.as_deref(),
        Some("Analytical Engines Ltd")
    );
    assert_eq!(enterprise.division.as_deref(), Some("Research"));
    assert_eq!(enterprise.department.as_deref(), Some("Mathematics"));
    assert_eq!(
        enterprise.manager.value().unwrap().manager_id.as_deref(),
        Some("W0BABBAGE1")
    );
    let guest = user.slack_guest.value().unwrap();
    assert_eq!(guest.guest_type.as_deref(), Some("multi"));
    assert_eq!(guest.expiration.as_deref(), Some("2030-11-30T23:59:59Z"));
    assert_eq!(
        guest.channels.value().unwrap()[0].value.as_deref(),
        Some("C0NOTES1")
    );
    assert_eq!(
        user.slack_profile.value().unwrap().start_date.as_deref(),
        Some("2024-04-01T00:00:00Z")
    );
    assert!(
        user.extra.is_empty(),
        "every attribute of the fixture is modelled: {:?}",
        user.extra
    );
    // `schemas` is read as sent (the Python SDK nests it in a list of lists).
    assert_eq!(user.schemas.value().unwrap().len(), 4);
}

#[test]
fn the_full_user_serialises_back_to_the_same_json() {
    let raw = fixture("user_full.json");
    let user: User = serde_json::from_slice(&raw).unwrap();
    let original: Value = serde_json::from_slice(&raw).unwrap();
    assert_eq!(serde_json::to_value(&user).unwrap(), original);
}

#[test]
fn a_users_page_has_typed_counts_and_keeps_unknown_attributes() {
    let page = endpoint()
        .search_users(
            &scim_client::model::SearchRequest::new()
                .start_index(1)
                .count(2),
        )
        .unwrap()
        .parse_response(answer(200, fixture("users_page.json")))
        .unwrap();
    assert_eq!(page.total_results, Some(2503));
    assert_eq!(page.items_per_page, Some(2));
    assert_eq!(page.start_index, Some(1));
    assert_eq!(page.resources.len(), 2);
    assert_eq!(page.resources[1].active, Field::Value(false));
    assert_eq!(
        page.resources[1].extra["newAttribute"],
        serde_json::json!({"nested": [1, 2, {"deep": null}]})
    );
    let manager = page.resources[0]
        .enterprise
        .value()
        .unwrap()
        .manager
        .value()
        .unwrap();
    assert!(manager.manager_id.is_absent());
    let original: Value = serde_json::from_slice(&fixture("users_page.json")).unwrap();
    assert_eq!(serde_json::to_value(&page).unwrap(), original);
}

#[test]
fn a_page_without_resources_is_empty_not_an_error() {
    let page = endpoint()
        .search_users(
            &scim_client::model::SearchRequest::new()
                .start_index(1)
                .count(10),
        )
        .unwrap()
        .parse_response(answer(200, fixture("users_page_empty.json")))
        .unwrap();
    assert_eq!(page.total_results, Some(0));
    assert!(page.resources.is_empty());
}

#[test]
fn groups_parse_with_their_members() {
    let group: Group = endpoint()
        .read_group("S0ENGINEERS")
        .unwrap()
        .parse_response(answer(200, fixture("group_with_members.json")))
        .unwrap();
    assert_eq!(group.display_name.as_deref(), Some("engineers"));
    let members = group.members.value().unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(members[1].display.as_deref(), Some("Charles Babbage"));
    let page = endpoint()
        .search_groups(
            &scim_client::model::SearchRequest::new()
                .start_index(1)
                .count(1),
        )
        .unwrap()
        .parse_response(answer(200, fixture("groups_page.json")))
        .unwrap();
    assert_eq!(page.resources[0].id.as_deref(), Some("S0ENGINEERS"));
    assert_eq!(page.total_results, Some(1));
}

#[test]
fn slack_answers_group_patch_and_delete_with_204_no_content() {
    let e = endpoint();
    let patched = e
        .patch_group("S1", &Group::default())
        .unwrap()
        .parse_response(answer(204, Vec::new()))
        .unwrap();
    assert_eq!(patched, None);
    e.delete_group("S1")
        .unwrap()
        .parse_response(answer(204, Vec::new()))
        .unwrap();
    // User DELETE answers 200, sometimes with a body; both are fine.
    e.delete_user("W1")
        .unwrap()
        .parse_response(answer(200, b"{}".to_vec()))
        .unwrap();
    e.delete_user("W1")
        .unwrap()
        .parse_response(answer(200, Vec::new()))
        .unwrap();
}

#[test]
fn user_patch_answers_with_the_updated_user_or_nothing() {
    let e = endpoint();
    let op = e.patch_user("W0ABCDEF1", &User::default()).unwrap();
    let user = op
        .parse_response(answer(200, fixture("user_full.json")))
        .unwrap()
        .unwrap();
    assert_eq!(user.user_name.as_deref(), Some("ada"));
    assert_eq!(op.parse_response(answer(204, Vec::new())).unwrap(), None);
}

#[test]
fn create_answers_201_with_the_resource() {
    let user = endpoint()
        .create_user(&User::default())
        .unwrap()
        .parse_response(answer(201, fixture("user_full.json")))
        .unwrap();
    assert_eq!(user.id.as_deref(), Some("W0ABCDEF1"));
}

#[test]
fn slack_error_objects_are_typed_for_each_status() {
    let cases = [
        (
            400,
            "error_400_no_filters.json",
            "no_filters (is_aggregate_call=1)",
        ),
        (401, "error_401.json", "invalid_authentication"),
        (404, "error_404.json", "user_not_found"),
        (409, "error_409.json", "username_taken"),
        (429, "error_429.json", "ratelimited"),
    ];
    for (status, file, description) in cases {
        let err = api_error(
            endpoint()
                .read_user("W1")
                .unwrap()
                .parse_response(answer(status, fixture(file))),
        );
        assert_eq!(err.status, status);
        let scim = err.scim.as_ref().unwrap();
        assert_eq!(scim.status, Some(status));
        assert_eq!(scim.detail.as_deref(), Some(description));
        assert_eq!(scim.errors[0].description.as_deref(), Some(description));
        assert_eq!(err.body, fixture(file));
        assert!(err.to_string().contains(description), "{err}");
    }
}

#[test]
fn a_429_carries_its_retry_after() {
    let response = Response::builder()
        .status(429)
        .header("retry-after", "30")
        .body(fixture("error_429.json"))
        .unwrap();
    let err = api_error(
        endpoint()
            .search_users(
                &scim_client::model::SearchRequest::new()
                    .start_index(1)
                    .count(1),
            )
            .unwrap()
            .parse_response(response),
    );
    assert_eq!(
        err.retry_after,
        Some(RetryAfter::Delay(std::time::Duration::from_secs(30)))
    );
    assert_eq!(err.headers.get("Retry-After").unwrap(), "30");
}

#[test]
fn scim_11_error_arrays_and_rfc7644_errors_are_read() {
    let err = api_error(
        endpoint()
            .read_user("W0X")
            .unwrap()
            .parse_response(answer(404, fixture("error_array_scim11.json"))),
    );
    let scim = err.scim.unwrap();
    assert_eq!(scim.status, Some(404));
    assert_eq!(scim.errors.len(), 2);
    assert_eq!(scim.detail.as_deref(), Some("Resource W0X not found"));

    let err = api_error(
        endpoint()
            .read_user("W1")
            .unwrap()
            .parse_response(answer(400, fixture("error_rfc7644.json"))),
    );
    let scim = err.scim.unwrap();
    assert_eq!(scim.status, Some(400), "RFC 7644 sends status as a string");
    assert_eq!(scim.scim_type, Some(ScimType::Mutability));
    assert_eq!(scim.detail.as_deref(), Some("Attribute 'id' is readOnly"));
}

#[test]
fn unknown_scim_types_are_kept_as_sent() {
    let body = br#"{"status": "400", "scimType": "slackSpecific"}"#.to_vec();
    let err = api_error(
        endpoint()
            .read_user("W1")
            .unwrap()
            .parse_response(answer(400, body)),
    );
    assert_eq!(
        err.scim.unwrap().scim_type,
        Some(ScimType::Other("slackSpecific".into()))
    );
}

#[test]
fn an_html_502_keeps_its_raw_text_and_does_not_panic() {
    let err = api_error(
        endpoint()
            .read_user("W1")
            .unwrap()
            .parse_response(answer(502, fixture("error_502.html"))),
    );
    assert_eq!(err.status, StatusCode::BAD_GATEWAY);
    assert!(err.scim.is_none());
    assert!(err.body_text().contains("502 Bad Gateway"));
    assert!(err.to_string().contains("non-SCIM body"), "{err}");
}

#[test]
fn broken_success_bodies_are_decode_errors_that_keep_the_body() {
    let e = endpoint();
    for body in [
        &b""[..],
        b"{\"id\": \"W1\", \"userName\"",
        b"<html>oops</html>",
        b"[1,2]",
        b"{\"active\": \"yes\"}",
    ] {
        match e
            .read_user("W1")
            .unwrap()
            .parse_response(answer(200, body.to_vec()))
        {
            Err(Error::Decode {
                status, body: kept, ..
            }) => {
                assert_eq!(status, 200);
                assert_eq!(kept, body);
            }
            other => panic!("{:?} gave {other:?}", String::from_utf8_lossy(body)),
        }
    }
}

#[test]
fn api_call_returns_every_status_as_a_response() {
    let op = endpoint()
        .api_call(http::Method::GET, "Users", &[], None, &Default::default())
        .unwrap();
    let response: ScimResponse = op
        .parse_response(answer(404, fixture("error_404.json")))
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(response.json().unwrap()["Errors"]["code"], 404);
    assert!(matches!(response.error_for_status(), Err(Error::Api(_))));

    let html = op
        .parse_response(answer(502, fixture("error_502.html")))
        .unwrap();
    assert!(html.json().is_none());
    assert!(html.text().contains("Bad Gateway"));
}

#[test]
fn response_headers_are_case_insensitive() {
    let response = ScimResponse::from(
        Response::builder()
            .status(200)
            .header("X-Slack-Req-Id", "abc")
            .body(Vec::new())
            .unwrap(),
    );
    assert_eq!(response.headers().get("x-slack-req-id").unwrap(), "abc");
    assert!(response.json().is_none());
}
