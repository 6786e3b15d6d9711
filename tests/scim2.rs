//! SCIM 2.0 without a network: every new request shape, checked on the
//! wire, and every new response shape, parsed from fixtures the project
//! wrote after the examples of RFC 7643/7644 and Slack's v2 API.

use http::{Method, Request, Response};
use scim_client::filter::{AttrPath, Filter};
use scim_client::model::{
    BulkRequest, ENTERPRISE_V2, Group, ListResponse, PatchOp, PatchOpKind, PatchPath, ResourceType,
    Schema, SearchRequest, ServiceProviderConfig, SortOrder, USER_V2, User,
};
use scim_client::{
    BearerToken, BulkLimits, ClientOptions, Conditional, Dialect, Endpoint, Error,
    SLACK_V2_BASE_URL, ScimType,
};
use serde_json::{Value, json};

fn fixture(path: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{path}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn endpoint() -> Endpoint {
    ClientOptions::scim2("https://scim.example.com/v2")
        .endpoint("token")
        .unwrap()
}

fn answer(status: u16, body: Vec<u8>) -> Response<Vec<u8>> {
    Response::builder().status(status).body(body).unwrap()
}

fn header<'a>(request: &'a Request<Vec<u8>>, name: &str) -> Option<&'a str> {
    request.headers().get(name).map(|v| v.to_str().unwrap())
}

fn body(request: &Request<Vec<u8>>) -> Value {
    serde_json::from_slice(request.body()).unwrap()
}

// ---------------------------------------------------------------- requests

#[test]
fn scim2_bodies_are_scim_json_with_core_and_extension_schemas() {
    let mut user = User {
        user_name: "bjensen".into(),
        ..User::default()
    };
    user.enterprise_v2 = scim_client::model::EnterpriseUser {
        department: "Tours".into(),
        ..Default::default()
    }
    .into();
    let op = endpoint().create_user(&user).unwrap();
    let req = op.request();
    assert_eq!(req.method(), Method::POST);
    assert_eq!(req.uri(), "https://scim.example.com/v2/Users");
    assert_eq!(header(req, "content-type"), Some("application/scim+json"));
    assert_eq!(
        header(req, "accept"),
        Some("application/scim+json, application/json")
    );
    assert_eq!(body(req)["schemas"], json!([USER_V2, ENTERPRISE_V2]));

    let group = endpoint()
        .create_group(&Group {
            display_name: "Tour Guides".into(),
            ..Group::default()
        })
        .unwrap();
    assert_eq!(
        body(group.request())["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:Group"])
    );
}

#[test]
fn patch_op_bodies_are_sent_as_built() {
    let patch = PatchOp::new()
        .add("members", json!([{"value": "2819c223"}]))
        .remove(PatchPath::value_filter(
            "members",
            Filter::eq("value", "2819c223"),
            None,
        ))
        .replace(
            PatchPath::value_filter(
                "addresses",
                Filter::eq("type", "work"),
                Some("streetAddress"),
            ),
            "1010 Broadway",
        )
        .replace_attributes(json!({"displayName": "Tour Guides"}))
        .remove_value("members", json!([{"value": "U1"}]));
    let op = endpoint().patch_group("e9e30dba", &patch).unwrap();
    assert_eq!(op.request().method(), Method::PATCH);
    assert_eq!(
        op.request().uri(),
        "https://scim.example.com/v2/Groups/e9e30dba"
    );
    assert_eq!(
        body(op.request()),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "add", "path": "members", "value": [{"value": "2819c223"}]},
                {"op": "remove", "path": "members[value eq \"2819c223\"]"},
                {"op": "replace", "path": "addresses[type eq \"work\"].streetAddress", "value": "1010 Broadway"},
                {"op": "replace", "value": {"displayName": "Tour Guides"}},
                {"op": "remove", "path": "members", "value": [{"value": "U1"}]}
            ]
        })
    );
}

#[test]
fn queries_carry_every_parameter_in_a_fixed_order() {
    let query = SearchRequest::new()
        .filter(Filter::eq("userName", "b j").and(Filter::present("title")))
        .sort_by("name.familyName", SortOrder::Ascending)
        .start_index(11)
        .count(10)
        .attributes(&["userName", "emails"])
        .excluded_attributes(&["groups"]);
    let op = endpoint().search_users(&query).unwrap();
    assert_eq!(
        op.request().uri(),
        "https://scim.example.com/v2/Users?startIndex=11&count=10\
         &filter=userName%20eq%20%22b%20j%22%20and%20title%20pr&sortBy=name.familyName&sortOrder=ascending\
         &attributes=userName%2Cemails&excludedAttributes=groups"
    );
    let everything = endpoint().search_groups(&SearchRequest::new()).unwrap();
    assert_eq!(
        everything.request().uri(),
        "https://scim.example.com/v2/Groups"
    );
}

#[test]
fn post_search_sends_the_query_in_the_body() {
    let query = SearchRequest::new()
        .filter(r#"displayName sw "smith""#)
        .start_index(1)
        .count(10)
        .attributes(&["displayName"]);
    let expected = json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"],
        "attributes": ["displayName"],
        "filter": "displayName sw \"smith\"",
        "startIndex": 1,
        "count": 10
    });
    for (op, path) in [
        (
            endpoint()
                .search_post::<scim_client::model::User>(&query)
                .unwrap()
                .into_request(),
            "/v2/Users/.search",
        ),
        (
            endpoint()
                .search_post::<scim_client::model::Group>(&query)
                .unwrap()
                .into_request(),
            "/v2/Groups/.search",
        ),
        (
            endpoint().search_all_post(&query).unwrap().into_request(),
            "/v2/.search",
        ),
    ] {
        assert_eq!(op.method(), Method::POST);
        assert_eq!(op.uri().path(), path);
        assert_eq!(
            op.uri().query(),
            None,
            "nothing of the query goes in the URL"
        );
        assert_eq!(body(&op), expected);
    }
}

#[test]
fn count_limits_follow_the_dialect() {
    let big = SearchRequest::new().start_index(1).count(5000);
    assert!(
        endpoint().search_users(&big).is_ok(),
        "a generic SCIM 2.0 service caps counts itself"
    );
    let slack = ClientOptions::slack_v2().endpoint("t").unwrap();
    assert!(matches!(
        slack.search_users(&big),
        Err(Error::InvalidArgument { name: "count", .. })
    ));
    assert!(matches!(
        endpoint().search_users(&SearchRequest::new().start_index(0).count(1)),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn conditional_headers_and_attribute_selection_are_modifiers() {
    let read = endpoint()
        .read_user("2819c223")
        .unwrap()
        .if_none_match(r#"W/"3694e05e9dff591""#)
        .unwrap();
    assert_eq!(
        header(read.request(), "if-none-match"),
        Some(r#"W/"3694e05e9dff591""#)
    );
    let put = endpoint()
        .update_user(&json!({"id": "2819c223", "userName": "b"}))
        .unwrap()
        .if_match(r#"W/"1""#)
        .unwrap();
    assert_eq!(header(put.request(), "if-match"), Some(r#"W/"1""#));
    let delete = endpoint()
        .delete_user("2819c223")
        .unwrap()
        .if_match("*")
        .unwrap();
    assert_eq!(header(delete.request(), "if-match"), Some("*"));
    assert!(matches!(
        endpoint()
            .read_user("x")
            .unwrap()
            .if_match("bad\r\nHeader: 1"),
        Err(Error::InvalidArgument { name: "etag", .. })
    ));

    let slim = endpoint()
        .read_user("2819c223")
        .unwrap()
        .attributes(&["userName", "name.givenName"])
        .unwrap();
    assert_eq!(
        slim.request().uri(),
        "https://scim.example.com/v2/Users/2819c223?attributes=userName%2Cname.givenName"
    );
    let patched = endpoint()
        .patch_user("u", &PatchOp::new().remove("title"))
        .unwrap()
        .excluded_attributes(&["emails"])
        .unwrap();
    assert_eq!(
        patched.request().uri(),
        "https://scim.example.com/v2/Users/u?excludedAttributes=emails"
    );
}

#[test]
fn discovery_paths_follow_the_dialect() {
    assert_eq!(
        endpoint()
            .service_provider_config()
            .unwrap()
            .request()
            .uri(),
        "https://scim.example.com/v2/ServiceProviderConfig"
    );
    let slack = ClientOptions::slack_v2().endpoint("t").unwrap();
    assert_eq!(
        slack.service_provider_config().unwrap().request().uri(),
        &*format!("{SLACK_V2_BASE_URL}ServiceProviderConfigs")
    );
    assert_eq!(
        endpoint().schemas().unwrap().request().uri(),
        "https://scim.example.com/v2/Schemas"
    );
    assert_eq!(
        endpoint().schema(USER_V2).unwrap().request().uri(),
        "https://scim.example.com/v2/Schemas/urn%3Aietf%3Aparams%3Ascim%3Aschemas%3Acore%3A2.0%3AUser"
    );
    assert_eq!(
        endpoint().resource_types().unwrap().request().uri(),
        "https://scim.example.com/v2/ResourceTypes"
    );
    let v1 = Endpoint::new(BearerToken::new("t").unwrap());
    assert_eq!(
        v1.service_provider_config().unwrap().request().uri(),
        "https://api.slack.com/scim/v1/ServiceProviderConfigs"
    );
}

#[test]
fn bulk_requests_are_built_and_refused_over_the_limits() {
    let request = BulkRequest::new()
        .post("/Users", "qwerty", json!({"schemas": [USER_V2], "userName": "Alice"}))
        .post("/Groups", "ytrewq", json!({"displayName": "Tour Guides", "members": [{"type": "User", "value": BulkRequest::reference("qwerty")}]}))
        .put("/Users/b7c14771", json!({"userName": "Bob"}))
        .patch("/Groups/e9e30dba", serde_json::to_value(PatchOp::new().remove("members")).unwrap())
        .delete("/Users/e9025315")
        .fail_on_errors(1);
    let op = endpoint().bulk(&request, &BulkLimits::default()).unwrap();
    assert_eq!(op.request().method(), Method::POST);
    assert_eq!(op.request().uri(), "https://scim.example.com/v2/Bulk");
    let sent = body(op.request());
    assert_eq!(
        sent["schemas"],
        json!(["urn:ietf:params:scim:api:messages:2.0:BulkRequest"])
    );
    assert_eq!(sent["failOnErrors"], 1);
    assert_eq!(
        sent["Operations"][0],
        json!({"method": "POST", "bulkId": "qwerty", "path": "/Users", "data": {"schemas": [USER_V2], "userName": "Alice"}})
    );
    assert_eq!(
        sent["Operations"][1]["data"]["members"][0]["value"],
        "bulkId:qwerty"
    );
    assert_eq!(
        sent["Operations"][4],
        json!({"method": "DELETE", "path": "/Users/e9025315"})
    );

    let at_most_five = BulkLimits {
        max_operations: Some(5),
        max_payload_size: None,
    };
    assert!(endpoint().bulk(&request, &at_most_five).is_ok());
    let at_most_four = BulkLimits {
        max_operations: Some(4),
        max_payload_size: None,
    };
    assert!(matches!(
        endpoint().bulk(&request, &at_most_four),
        Err(Error::InvalidArgument { .. })
    ));
    let size = op.request().body().len() as u64;
    let exact = BulkLimits {
        max_operations: None,
        max_payload_size: Some(size),
    };
    assert!(endpoint().bulk(&request, &exact).is_ok());
    let one_byte_less = BulkLimits {
        max_operations: None,
        max_payload_size: Some(size - 1),
    };
    assert!(matches!(
        endpoint().bulk(&request, &one_byte_less),
        Err(Error::InvalidArgument { .. })
    ));
}

#[test]
fn client_options_presets_pick_the_dialect() {
    let slack = ClientOptions::slack_v2().endpoint("xoxp-1").unwrap();
    assert_eq!(
        (slack.dialect(), slack.base_url()),
        (Dialect::SlackV2, SLACK_V2_BASE_URL)
    );
    let any = ClientOptions::scim2("http://127.0.0.1:9/v2")
        .endpoint("t")
        .unwrap();
    assert_eq!(
        (any.dialect(), any.base_url()),
        (Dialect::Scim2, "http://127.0.0.1:9/v2/")
    );
}

// ---------------------------------------------------------------- responses

#[test]
fn the_rfc_list_response_parses_without_optional_counts() {
    let page = endpoint()
        .search_users(&SearchRequest::new())
        .unwrap()
        .parse_response(answer(200, fixture("rfc7644/list_response_3_4_2.json")))
        .unwrap();
    assert_eq!(page.total_results, Some(2));
    assert_eq!(page.items_per_page, None);
    assert_eq!(page.resources[1].user_name.as_deref(), Some("jsmith"));
    assert_eq!(
        page.schemas.as_deref(),
        Some(&["urn:ietf:params:scim:api:messages:2.0:ListResponse".to_owned()][..])
    );
}

#[test]
fn the_rfc7643_enterprise_user_is_fully_typed_and_round_trips() {
    let raw = fixture("rfc7644/user_enterprise_rfc7643_8_3.json");
    let user = endpoint()
        .read_user("2819c223")
        .unwrap()
        .parse_response(answer(200, raw.clone()))
        .unwrap();
    let enterprise = user.enterprise_v2.value().unwrap();
    assert_eq!(enterprise.employee_number.as_deref(), Some("701984"));
    let manager = enterprise.manager.value().unwrap();
    assert_eq!(
        manager.value.as_deref(),
        Some("26118915-6090-4610-87e4-49d8ca9f808d")
    );
    assert_eq!(manager.display_name.as_deref(), Some("John Smith"));
    assert_eq!(user.ims.value().unwrap()[0].kind.as_deref(), Some("aim"));
    assert_eq!(user.x509_certificates.value().unwrap().len(), 1);
    assert_eq!(
        user.name.value().unwrap().honorific_suffix.as_deref(),
        Some("III")
    );
    assert_eq!(
        user.meta.value().unwrap().version.as_deref(),
        Some("W/\"3694e05e9dff591\"")
    );
    assert!(user.extra.is_empty(), "{:?}", user.extra);
    assert_eq!(
        serde_json::to_value(&user).unwrap(),
        serde_json::from_slice::<Value>(&raw).unwrap()
    );
}

#[test]
fn slack_v2_extensions_are_typed_and_any_other_urn_reads_as_the_callers_type() {
    #[derive(serde::Deserialize, serde::Serialize, Debug, PartialEq)]
    struct Badge {
        badge: u32,
        floors: Vec<u8>,
    }
    let user: User =
        serde_json::from_slice(&fixture("slack_v2/user_with_extensions.json")).unwrap();
    let manager = user.enterprise_v2.value().unwrap().manager.value().unwrap();
    assert_eq!(
        manager.manager_id.as_deref(),
        Some("W0BABBAGE1"),
        "Slack reads managerId, not value"
    );
    assert_eq!(
        user.slack_guest_v2.value().unwrap().guest_type.as_deref(),
        Some("multi")
    );
    assert_eq!(
        user.slack_profile_v2.value().unwrap().start_date.as_deref(),
        Some("2024-04-01T00:00:00Z")
    );
    assert_eq!(
        user.extension::<Badge>("urn:example:custom:1.0").unwrap(),
        Some(Badge {
            badge: 42,
            floors: vec![3, 4]
        })
    );
    assert_eq!(user.extension::<Badge>("urn:example:absent").unwrap(), None);
    assert!(matches!(
        user.extension::<u32>("urn:example:custom:1.0"),
        Err(Error::Json(_))
    ));

    let mut edited = user.clone();
    edited
        .set_extension(
            "urn:example:custom:1.0",
            &Badge {
                badge: 7,
                floors: vec![],
            },
        )
        .unwrap();
    assert_eq!(
        edited.extra["urn:example:custom:1.0"],
        json!({"badge": 7, "floors": []})
    );
}

#[test]
fn the_rfc_patch_examples_parse_with_their_paths() {
    let patch: PatchOp = serde_json::from_slice(&fixture("rfc7644/patch_3_5_2.json")).unwrap();
    assert_eq!(patch.operations.len(), 7);
    assert_eq!(
        patch.operations[5].op,
        PatchOpKind::Replace,
        "ops are read in any case"
    );
    let paths: Vec<Option<PatchPath>> = patch
        .operations
        .iter()
        .map(|o| o.parsed_path().unwrap())
        .collect();
    assert_eq!(paths[1], None);
    assert_eq!(
        paths[2],
        Some(PatchPath::value_filter(
            "members",
            Filter::eq("value", "2819c223-7f76-453a-919d-413861904646"),
            None
        ))
    );
    assert_eq!(
        paths[3],
        Some(PatchPath::value_filter(
            "emails",
            Filter::eq("type", "work").and(Filter::ew("value", "example.com")),
            None
        ))
    );
    assert_eq!(
        paths[4],
        Some(PatchPath::value_filter(
            "addresses",
            Filter::eq("type", "work"),
            Some("streetAddress")
        ))
    );
    assert_eq!(
        paths[5],
        Some(PatchPath::Attr(AttrPath::new(
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value"
        )))
    );
    // Written back, the operations are the same (ops in lower case).
    let again: PatchOp = serde_json::from_value(serde_json::to_value(&patch).unwrap()).unwrap();
    assert_eq!(again, patch);
}

#[test]
fn bad_patch_paths_are_errors() {
    for bad in [
        "",
        "emails[",
        "emails[type eq \"work\"",
        "emails[type eq]",
        "emails[type eq \"w\"]x",
        "emails[type eq \"w\"].",
        "1bad",
        "a b",
    ] {
        assert!(bad.parse::<PatchPath>().is_err(), "{bad:?}");
    }
    assert!(
        "emails[value eq \"]\"].value".parse::<PatchPath>().is_ok(),
        "a bracket inside a string is data"
    );
}

#[test]
fn patch_answers_200_with_the_resource_or_204_without() {
    let op = endpoint()
        .patch_user("2819c223", &PatchOp::new().remove("title"))
        .unwrap();
    assert_eq!(op.parse_response(answer(204, Vec::new())).unwrap(), None);
    let user = op
        .parse_response(answer(
            200,
            fixture("rfc7644/user_enterprise_rfc7643_8_3.json"),
        ))
        .unwrap()
        .unwrap();
    assert_eq!(user.user_name.as_deref(), Some("bjensen@example.com"));
}

#[test]
fn etags_are_captured_from_headers_and_304_and_412_are_typed() {
    let op = endpoint().read_user("u").unwrap();
    let with_etag = Response::builder()
        .status(200)
        .header("ETag", r#"W/"7""#)
        .body(br#"{"id":"u"}"#.to_vec())
        .unwrap();
    let user = op.parse_response(with_etag).unwrap();
    assert_eq!(
        user.meta.value().unwrap().version.as_deref(),
        Some(r#"W/"7""#)
    );
    let body_wins = Response::builder()
        .status(200)
        .header("ETag", r#"W/"8""#)
        .body(br#"{"id":"u","meta":{"version":"W/\"9\""}}"#.to_vec())
        .unwrap();
    assert_eq!(
        op.parse_response(body_wins)
            .unwrap()
            .meta
            .value()
            .unwrap()
            .version
            .as_deref(),
        Some(r#"W/"9""#)
    );

    let conditional = endpoint()
        .read_user("u")
        .unwrap()
        .if_none_match(r#"W/"7""#)
        .unwrap();
    assert_eq!(
        conditional.parse_response(answer(304, Vec::new())).unwrap(),
        Conditional::NotModified
    );
    let fresh = conditional
        .parse_response(answer(200, br#"{"id":"u"}"#.to_vec()))
        .unwrap();
    assert!(matches!(fresh, Conditional::Modified(u) if u.id.as_deref() == Some("u")));

    let stale = endpoint()
        .delete_user("u")
        .unwrap()
        .if_match(r#"W/"1""#)
        .unwrap();
    let body = br#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Resource has changed","status":"412"}"#;
    match stale.parse_response(answer(412, body.to_vec())) {
        Err(Error::PreconditionFailed(api)) => {
            assert_eq!(api.status, 412);
            assert_eq!(
                api.scim.unwrap().detail.as_deref(),
                Some("Resource has changed")
            );
        }
        other => panic!("expected PreconditionFailed, got {other:?}"),
    }
}

#[test]
fn the_rfc_bulk_response_gives_typed_results() {
    let request = BulkRequest::new().post("/Users", "qwerty", json!({}));
    let response = endpoint()
        .bulk(&request, &BulkLimits::default())
        .unwrap()
        .parse_response(answer(200, fixture("rfc7644/bulk_response_3_7_3.json")))
        .unwrap();
    let ops = &response.operations;
    assert_eq!(
        ops.iter().map(|o| o.status).collect::<Vec<_>>(),
        [201, 201, 400],
        "status as a string or a number"
    );
    assert_eq!(
        ops[0].resource_id(),
        Some("92b725cd-9465-4e7d-8c16-01f8e146b87a")
    );
    assert_eq!(ops[0].version.as_deref(), Some("W/\"4weymrEsh5O6cAEK\""));
    assert!(ops[0].is_success() && !ops[2].is_success());
    assert_eq!(
        ops[2].error().unwrap().scim_type,
        Some(ScimType::InvalidSyntax)
    );
}

#[test]
fn the_rfc_error_example_gives_its_scim_type() {
    let err = endpoint()
        .search_users(&SearchRequest::new())
        .unwrap()
        .parse_response(answer(400, fixture("rfc7644/error_3_12.json")))
        .unwrap_err();
    let scim = err.api_error().unwrap().scim.clone().unwrap();
    assert_eq!(scim.scim_type, Some(ScimType::TooMany));
    assert_eq!(scim.status, Some(400));
    // Slack v2 mixes the legacy Errors object with RFC 7644 members.
    let err = endpoint()
        .read_user("u")
        .unwrap()
        .parse_response(answer(401, fixture("slack_v2/error_401.json")))
        .unwrap_err();
    let scim = err.api_error().unwrap().scim.clone().unwrap();
    assert_eq!(
        (scim.status, scim.detail.as_deref()),
        (Some(401), Some("invalid_authentication"))
    );
    assert_eq!(scim.errors[0].code, Some(401));
    for value in [
        "invalidFilter",
        "tooMany",
        "uniqueness",
        "mutability",
        "invalidSyntax",
        "invalidPath",
        "noTarget",
        "invalidValue",
        "invalidVers",
        "sensitive",
    ] {
        let parsed = ScimType::from(value);
        assert!(!matches!(parsed, ScimType::Other(_)), "{value}");
        assert_eq!(parsed.as_str(), value);
    }
}

#[test]
fn discovery_documents_parse_losslessly() {
    let raw = fixture("rfc7644/service_provider_config_rfc7643_8_5.json");
    let config = endpoint()
        .service_provider_config()
        .unwrap()
        .parse_response(answer(200, raw.clone()))
        .unwrap();
    assert_eq!(
        BulkLimits::from(&config),
        BulkLimits {
            max_operations: Some(1000),
            max_payload_size: Some(1_048_576)
        }
    );
    assert_eq!(
        config.filter.value().unwrap().max_results.value(),
        Some(&200)
    );
    assert_eq!(
        config.authentication_schemes.value().unwrap()[0]
            .kind
            .as_deref(),
        Some("oauthbearertoken")
    );
    assert_eq!(
        serde_json::to_value(&config).unwrap(),
        serde_json::from_slice::<Value>(&raw).unwrap()
    );

    // Slack says filtering is unsupported; the flag is read, and gates nothing.
    let slack: ServiceProviderConfig =
        serde_json::from_slice(&fixture("slack_v2/service_provider_configs.json")).unwrap();
    assert_eq!(
        slack.filter.value().unwrap().supported.value(),
        Some(&false)
    );
    assert!(slack.extra.contains_key("xmlDataFormat"));
    let slack_endpoint = ClientOptions::slack_v2().endpoint("t").unwrap();
    assert!(
        slack_endpoint
            .search_users(
                &scim_client::model::SearchRequest::new()
                    .start_index(1)
                    .count(10)
                    .filter(r#"userName eq "a""#)
            )
            .is_ok()
    );

    let types: ListResponse<ResourceType> = endpoint()
        .resource_types()
        .unwrap()
        .parse_response(answer(
            200,
            fixture("rfc7644/resource_types_rfc7643_8_6.json"),
        ))
        .unwrap();
    assert_eq!(
        types.resources[0].schema_extensions.value().unwrap()[0]
            .required
            .value(),
        Some(&true)
    );
    assert_eq!(types.resources[1].endpoint.as_deref(), Some("/Groups"));

    let schemas: ListResponse<Schema> = endpoint()
        .schemas()
        .unwrap()
        .parse_response(answer(
            200,
            fixture("rfc7644/schema_group_rfc7643_8_7_1.json"),
        ))
        .unwrap();
    let members = &schemas.resources[0].attributes.value().unwrap()[1];
    let subs = members.sub_attributes.value().unwrap();
    assert_eq!(
        subs[1].reference_types.value().unwrap(),
        &["User".to_owned(), "Group".to_owned()]
    );
    assert_eq!(subs[2].canonical_values.value().unwrap().len(), 2);
}

#[test]
fn root_search_returns_resources_as_json() {
    let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 2,
        "Resources": [{"schemas": [USER_V2], "id": "u"}, {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "id": "g"}]});
    let page = endpoint()
        .search_all_post(&SearchRequest::new())
        .unwrap()
        .parse_response(answer(200, body.to_string().into_bytes()))
        .unwrap();
    assert_eq!(page.resources[1]["id"], "g");
}

#[test]
fn every_patch_op_builder_form_writes_the_rfc_shape() {
    use scim_client::model::PatchOp;
    let patch = PatchOp::new()
        .add_attributes(json!({"nickName": "Babs"}))
        .replace_attributes(json!({"title": "Lead"}))
        .remove_value("members", json!([{"value": "U1"}]));
    assert_eq!(
        serde_json::to_value(&patch).unwrap(),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "add", "value": {"nickName": "Babs"}},
                {"op": "replace", "value": {"title": "Lead"}},
                {"op": "remove", "path": "members", "value": [{"value": "U1"}]}
            ]
        })
    );
}

#[test]
fn a_field_converts_to_an_option_and_edits_in_place() {
    use scim_client::model::Field;
    let mut title: Field<String> = "Analyst".into();
    title.value_mut().unwrap().push_str(" II");
    assert_eq!(title.clone().into_option().as_deref(), Some("Analyst II"));
    assert_eq!(Field::<String>::Null.into_option(), None);
    let mut absent = Field::<String>::Absent;
    assert_eq!(absent.value_mut(), None);
    assert_eq!(absent.into_option(), None);
}
