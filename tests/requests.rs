//! Every operation's request, checked field by field: method, URL (path and
//! query), headers and body. No network.

use http::{HeaderMap, HeaderValue, Method, Request};
use scim_client::model::{Field, Group, Member, Name, TypedValue, User};
use scim_client::{BearerToken, Endpoint, Error};
use serde_json::{Value, json};

const BASE: &str = "https://api.slack.com/scim/v1/";
const UA: &str = concat!("scim-client/", env!("CARGO_PKG_VERSION"));

fn endpoint() -> Endpoint {
    Endpoint::new(BearerToken::new("xoxp-test-token").unwrap())
}

/// The request's headers as sorted `name: value` lines.
fn header_lines(request: &Request<Vec<u8>>) -> Vec<String> {
    let mut lines: Vec<String> = request
        .headers()
        .iter()
        .map(|(name, value)| format!("{name}: {}", value.to_str().unwrap()))
        .collect();
    lines.sort();
    lines
}

fn body_json(request: &Request<Vec<u8>>) -> Value {
    serde_json::from_slice(request.body()).unwrap()
}

fn get_headers() -> Vec<String> {
    vec![
        "accept: application/json".to_owned(),
        "authorization: Bearer xoxp-test-token".to_owned(),
        format!("user-agent: {UA}"),
    ]
}

fn body_headers() -> Vec<String> {
    let mut lines = get_headers();
    lines.push("content-type: application/json;charset=utf-8".to_owned());
    lines.sort();
    lines
}

#[test]
fn search_users_puts_parameters_in_a_fixed_encoded_order() {
    let op = endpoint()
        .search_users(
            &scim_client::model::SearchRequest::new()
                .start_index(1)
                .count(100)
                .filter(r#"userName Eq "Carly""#),
        )
        .unwrap();
    let req = op.request();
    assert_eq!(req.method(), Method::GET);
    assert_eq!(
        req.uri(),
        &*format!("{BASE}Users?startIndex=1&count=100&filter=userName%20Eq%20%22Carly%22")
    );
    assert_eq!(header_lines(req), get_headers());
    assert!(req.body().is_empty());
}

#[test]
fn search_without_filter_sends_no_filter_parameter() {
    let op = endpoint()
        .search_groups(
            &scim_client::model::SearchRequest::new()
                .start_index(11)
                .count(10),
        )
        .unwrap();
    assert_eq!(
        op.request().uri(),
        &*format!("{BASE}Groups?startIndex=11&count=10")
    );
    assert_eq!(op.request().method(), Method::GET);
}

#[test]
fn search_encodes_every_reserved_character_of_a_filter() {
    let op = endpoint()
        .search_users(
            &scim_client::model::SearchRequest::new()
                .start_index(1)
                .count(0)
                .filter("a&b=c+d/e?f#g%h"),
        )
        .unwrap();
    assert_eq!(
        op.request().uri(),
        &*format!("{BASE}Users?startIndex=1&count=0&filter=a%26b%3Dc%2Bd%2Fe%3Ff%23g%25h")
    );
}

#[test]
fn search_bounds_are_checked_before_building() {
    let e = endpoint();
    assert!(matches!(
        e.search_users(
            &scim_client::model::SearchRequest::new()
                .start_index(0)
                .count(10)
        ),
        Err(Error::InvalidArgument {
            name: "start_index",
            ..
        })
    ));
    assert!(matches!(
        e.search_groups(
            &scim_client::model::SearchRequest::new()
                .start_index(1)
                .count(1001)
        ),
        Err(Error::InvalidArgument { name: "count", .. })
    ));
    assert!(
        e.search_users(
            &scim_client::model::SearchRequest::new()
                .start_index(1)
                .count(1000)
        )
        .is_ok()
    );
    assert!(
        e.search_users(
            &scim_client::model::SearchRequest::new()
                .start_index(1)
                .count(0)
        )
        .is_ok()
    );
}

#[test]
fn read_operations_target_one_resource() {
    let e = endpoint();
    let user = e.read_user("W0ABCDEF1").unwrap();
    assert_eq!(user.request().method(), Method::GET);
    assert_eq!(user.request().uri(), &*format!("{BASE}Users/W0ABCDEF1"));
    assert_eq!(header_lines(user.request()), get_headers());
    let group = e.read_group("S0ENG").unwrap();
    assert_eq!(group.request().uri(), &*format!("{BASE}Groups/S0ENG"));
}

#[test]
fn ids_are_always_exactly_one_path_segment() {
    let e = endpoint();
    let cases = [
        ("W 1/x", "W%201%2Fx"),
        ("../Groups", "..%2FGroups"),
        ("a?filter=x", "a%3Ffilter%3Dx"),
        ("a#frag", "a%23frag"),
        ("100%", "100%25"),
        ("a..b", "a..b"),
        ("é", "%C3%A9"),
    ];
    for (id, encoded) in cases {
        let op = e.delete_user(id).unwrap();
        assert_eq!(
            op.request().uri(),
            &*format!("{BASE}Users/{encoded}"),
            "{id:?}"
        );
        assert_eq!(
            op.request().uri().path(),
            format!("/scim/v1/Users/{encoded}")
        );
        assert_eq!(op.request().uri().query(), None);
    }
}

#[test]
fn ids_that_would_change_the_target_are_refused() {
    let e = endpoint();
    for id in ["", ".", ".."] {
        assert!(
            matches!(
                e.read_user(id),
                Err(Error::InvalidArgument { name: "id", .. })
            ),
            "{id:?}"
        );
        assert!(matches!(
            e.patch_group(id, &json!({})),
            Err(Error::InvalidArgument { name: "id", .. })
        ));
    }
}

#[test]
fn create_user_sends_the_model_with_the_default_schema() {
    let user = User {
        user_name: "cal".into(),
        name: Name {
            given_name: "C".into(),
            family_name: "Henderson".into(),
            ..Name::default()
        }
        .into(),
        emails: vec![TypedValue {
            value: "cal@example.com".into(),
            ..TypedValue::default()
        }]
        .into(),
        ..User::default()
    };
    let op = endpoint().create_user(&user).unwrap();
    let req = op.request();
    assert_eq!(req.method(), Method::POST);
    assert_eq!(req.uri(), &*format!("{BASE}Users"));
    assert_eq!(header_lines(req), body_headers());
    assert_eq!(
        body_json(req),
        json!({
            "schemas": ["urn:scim:schemas:core:1.0"],
            "userName": "cal",
            "name": {"givenName": "C", "familyName": "Henderson"},
            "emails": [{"value": "cal@example.com"}]
        })
    );
    // The caller's value is untouched.
    assert!(user.schemas.is_absent());
}

#[test]
fn schemas_given_by_the_caller_are_kept_and_null_schemas_are_filled() {
    let mine = json!({"schemas": ["urn:example:custom"], "displayName": "x"});
    let op = endpoint().create_group(&mine).unwrap();
    assert_eq!(body_json(op.request()), mine);

    let null_schemas = json!({"schemas": null, "displayName": "x"});
    let op = endpoint().create_group(&null_schemas).unwrap();
    assert_eq!(
        body_json(op.request())["schemas"],
        json!(["urn:scim:schemas:core:1.0"])
    );
    assert_eq!(null_schemas["schemas"], Value::Null);
}

#[test]
fn patch_user_sends_null_to_clear_and_leaves_absent_attributes_out() {
    let partial = User {
        user_name: "chenderson".into(),
        title: Field::Null,
        ..User::default()
    };
    let op = endpoint().patch_user("W1", &partial).unwrap();
    let req = op.request();
    assert_eq!(req.method(), Method::PATCH);
    assert_eq!(req.uri(), &*format!("{BASE}Users/W1"));
    assert_eq!(header_lines(req), body_headers());
    assert_eq!(
        body_json(req),
        json!({"schemas": ["urn:scim:schemas:core:1.0"], "userName": "chenderson", "title": null})
    );
}

#[test]
fn patch_group_can_remove_members_with_the_v1_operation_form() {
    let partial = Group {
        members: vec![Member::removal("W1"), Member::addition("W2")].into(),
        ..Group::default()
    };
    let op = endpoint().patch_group("S1", &partial).unwrap();
    assert_eq!(op.request().method(), Method::PATCH);
    assert_eq!(op.request().uri(), &*format!("{BASE}Groups/S1"));
    assert_eq!(
        body_json(op.request()),
        json!({
            "schemas": ["urn:scim:schemas:core:1.0"],
            "members": [{"value": "W1", "operation": "delete"}, {"value": "W2"}]
        })
    );
}

#[test]
fn update_takes_the_id_from_the_model() {
    let user = User {
        id: "W 9".into(),
        user_name: "cal".into(),
        ..User::default()
    };
    let op = endpoint().update_user(&user).unwrap();
    assert_eq!(op.request().method(), Method::PUT);
    assert_eq!(op.request().uri(), &*format!("{BASE}Users/W%209"));
    assert_eq!(header_lines(op.request()), body_headers());
    assert_eq!(
        body_json(op.request()),
        json!({"schemas": ["urn:scim:schemas:core:1.0"], "id": "W 9", "userName": "cal"})
    );

    let group = json!({"id": "S1", "displayName": "eng"});
    let op = endpoint().update_group(&group).unwrap();
    assert_eq!(op.request().uri(), &*format!("{BASE}Groups/S1"));
}

#[test]
fn update_without_an_id_is_a_clear_error() {
    let e = endpoint();
    let err = e.update_user(&User::default()).unwrap_err();
    assert!(matches!(
        err,
        Error::InvalidArgument {
            name: "resource",
            ..
        }
    ));
    assert!(err.to_string().contains("no `id`"), "{err}");
    let null_id = User {
        id: Field::Null,
        ..User::default()
    };
    assert!(matches!(
        e.update_user(&null_id),
        Err(Error::InvalidArgument {
            name: "resource",
            ..
        })
    ));
    assert!(matches!(
        e.update_group(&json!({"id": 7})),
        Err(Error::InvalidArgument {
            name: "resource",
            ..
        })
    ));
}

#[test]
fn delete_operations_have_no_body() {
    let e = endpoint();
    for op in [e.delete_user("W1").unwrap(), e.delete_group("S1").unwrap()] {
        assert_eq!(op.request().method(), Method::DELETE);
        assert!(op.request().body().is_empty());
        assert_eq!(header_lines(op.request()), get_headers());
    }
    assert_eq!(
        e.delete_group("S1").unwrap().request().uri(),
        &*format!("{BASE}Groups/S1")
    );
}

#[test]
fn bodies_must_be_json_objects() {
    let err = endpoint()
        .create_user(&json!(["not", "an", "object"]))
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument { name: "body", .. }));
}

#[test]
fn api_call_encodes_segments_keeps_query_order_and_merges_headers() {
    let mut headers = HeaderMap::new();
    headers.insert("x-request-id", HeaderValue::from_static("r-1"));
    headers.insert("accept", HeaderValue::from_static("application/scim+json"));
    let op = endpoint()
        .api_call(
            Method::GET,
            "Users/W 1",
            &[
                ("startIndex", "1"),
                ("count", "1"),
                ("attributes", "userName,emails"),
            ],
            None,
            &headers,
        )
        .unwrap();
    let req = op.request();
    assert_eq!(
        req.uri(),
        &*format!("{BASE}Users/W%201?startIndex=1&count=1&attributes=userName%2Cemails")
    );
    assert_eq!(
        header_lines(req),
        vec![
            "accept: application/scim+json".to_owned(),
            "authorization: Bearer xoxp-test-token".to_owned(),
            format!("user-agent: {UA}"),
            "x-request-id: r-1".to_owned(),
        ]
    );
}

#[test]
fn api_call_with_a_body_adds_schemas_and_content_type() {
    let body = json!({"displayName": "eng"});
    let op = endpoint()
        .api_call(Method::POST, "Groups", &[], Some(&body), &HeaderMap::new())
        .unwrap();
    assert_eq!(header_lines(op.request()), body_headers());
    assert_eq!(
        body_json(op.request()),
        json!({"schemas": ["urn:scim:schemas:core:1.0"], "displayName": "eng"})
    );
    assert_eq!(body, json!({"displayName": "eng"}));
}

#[test]
fn api_call_refuses_paths_that_would_escape_the_base_url() {
    let e = endpoint();
    for path in [
        "",
        "/Users",
        "Users/",
        "Users//x",
        "../admin",
        "Users/./x",
        "Users/..",
    ] {
        let result = e.api_call(Method::GET, path, &[], None, &HeaderMap::new());
        assert!(
            matches!(result, Err(Error::InvalidArgument { name: "path", .. })),
            "{path:?}"
        );
    }
}

#[test]
fn token_is_sent_as_a_sensitive_bearer_header() {
    let op = endpoint().read_user("W1").unwrap();
    let auth = op.request().headers().get("authorization").unwrap();
    assert_eq!(auth, "Bearer xoxp-test-token");
    assert!(auth.is_sensitive());
    let debug = format!("{:?} {:?}", op, endpoint());
    assert!(!debug.contains("xoxp-test-token"), "{debug}");
}

#[test]
fn tokens_a_header_cannot_carry_are_refused_without_echoing_them() {
    for bad in [
        "",
        "xoxp-a\nX-Injected: 1",
        "xoxp a",
        "xoxp-\u{7f}",
        "xoxp-é",
    ] {
        let err = BearerToken::new(bad).unwrap_err();
        assert!(matches!(err, Error::InvalidToken));
        assert!(bad.is_empty() || !err.to_string().contains(bad));
    }
}

#[test]
fn default_headers_are_merged_without_changing_the_callers_map() {
    let mut defaults = HeaderMap::new();
    defaults.insert("user-agent", HeaderValue::from_static("custom/1"));
    defaults.append("x-tag", HeaderValue::from_static("a"));
    defaults.append("x-tag", HeaderValue::from_static("b"));
    defaults.insert(
        "authorization",
        HeaderValue::from_static("Basic dXNlcjpwYXNz"),
    );
    let before = defaults.clone();
    let e = endpoint().with_default_headers(&defaults).unwrap();
    assert_eq!(defaults, before);
    let req = e.read_user("W1").unwrap().into_request();
    assert_eq!(req.headers().get("user-agent").unwrap(), "custom/1");
    let tags: Vec<_> = req.headers().get_all("x-tag").iter().collect();
    assert_eq!(tags, ["a", "b"]);
    let auth = req.headers().get("authorization").unwrap();
    assert_eq!(auth, "Basic dXNlcjpwYXNz");
    assert!(
        auth.is_sensitive(),
        "a caller's own credentials are marked sensitive too"
    );
}

#[test]
fn user_agent_prefix_and_suffix_surround_the_crate_name() {
    let e = endpoint().with_user_agent("pre/1", "suf/2").unwrap();
    assert_eq!(e.user_agent(), format!("pre/1 {UA} suf/2"));
    let req = e.read_user("W1").unwrap().into_request();
    assert_eq!(
        req.headers().get("user-agent").unwrap().to_str().unwrap(),
        format!("pre/1 {UA} suf/2")
    );
    assert!(matches!(
        endpoint().with_user_agent("bad\r\nx", ""),
        Err(Error::InvalidConfig(_))
    ));
}

#[test]
fn base_url_changes_every_request_and_slack_v2_is_a_constant() {
    let e = endpoint()
        .with_base_url(scim_client::SLACK_V2_BASE_URL.trim_end_matches('/'))
        .unwrap();
    assert_eq!(
        e.read_user("U1").unwrap().request().uri(),
        "https://api.slack.com/scim/v2/Users/U1"
    );
    let local = endpoint()
        .with_base_url("http://127.0.0.1:8080/scim")
        .unwrap();
    assert_eq!(
        local
            .search_users(
                &scim_client::model::SearchRequest::new()
                    .start_index(1)
                    .count(1)
            )
            .unwrap()
            .request()
            .uri(),
        "http://127.0.0.1:8080/scim/Users?startIndex=1&count=1"
    );
}

#[test]
fn each_dialects_count_limit_applies_equally_to_search_query_and_dot_search() {
    use scim_client::Dialect;
    use scim_client::model::{Group, SearchRequest, User};

    for (dialect, limit) in [
        (Dialect::SlackV1, Some(1000)),
        (Dialect::SlackV2, Some(1000)),
        (Dialect::Scim2, None),
    ] {
        let e = endpoint().with_dialect(dialect);
        // Every way to ask for one page of users or groups, as "refused?".
        let refused = |query: &SearchRequest| {
            [
                e.search_users(query).is_err(),
                e.search_groups(query).is_err(),
                e.query::<User>(query).is_err(),
                e.query::<Group>(query).is_err(),
                e.search_post::<User>(query).is_err(),
                e.search_post::<Group>(query).is_err(),
            ]
        };
        let at_limit = SearchRequest::new().count(limit.unwrap_or(5000));
        assert_eq!(refused(&at_limit), [false; 6], "{dialect:?} at its limit");
        let over = SearchRequest::new().count(limit.unwrap_or(5000) + 1);
        assert_eq!(
            refused(&over),
            [limit.is_some(); 6],
            "{dialect:?} over its limit"
        );
        let zero_start = SearchRequest::new().start_index(0);
        assert_eq!(refused(&zero_start), [true; 6], "{dialect:?} startIndex 0");
        match (limit, e.search_users(&over)) {
            (Some(_), Err(Error::InvalidArgument { name, reason })) => {
                assert_eq!(name, "count");
                assert!(reason.contains("at most 1000"), "{reason}");
            }
            (None, Ok(_)) => {}
            (_, other) => panic!("{dialect:?}: {other:?}"),
        }
    }
}

#[test]
fn framing_and_connection_headers_are_a_configuration_error() {
    for name in scim_client::FRAMING_HEADERS {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::HeaderName::from_static(name),
            http::HeaderValue::from_static("0"),
        );
        // As default headers: refused when the client is built.
        let options = scim_client::ClientOptions {
            default_headers: headers.clone(),
            ..scim_client::ClientOptions::default()
        };
        let err = options.endpoint("xoxp-1").unwrap_err();
        assert!(
            matches!(&err, Error::InvalidConfig(m) if m.contains(name)),
            "{name}: {err}"
        );
        // As an operation's extra headers: refused before a request is built.
        let err = endpoint()
            .api_call(Method::POST, "Users", &[], None, &headers)
            .unwrap_err();
        assert!(
            matches!(&err, Error::InvalidArgument { name: "headers", reason } if reason.contains(name)),
            "{name}: {err}"
        );
    }
    // Other headers still pass.
    let mut headers = HeaderMap::new();
    headers.insert("x-request-id", http::HeaderValue::from_static("1"));
    assert!(endpoint().with_default_headers(&headers).is_ok());
}
