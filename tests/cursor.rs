//! Cursor pagination (RFC 9865): walks over providers that page by
//! `nextCursor` (AWS IAM Identity Center, Atlassian), through the pure
//! `Paginator` and both clients, with canned answers and no network.
//!
//! The cursor provider here is AWS-shaped: it ignores `startIndex`, serves
//! at most 100 resources a page, and its cursors carry `+`, `/` and `=`
//! (base64), which must reach it percent-encoded.

mod support;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};

use scim_client::engine::{Paginator, WalkStep};
use scim_client::model::{LIST_RESPONSE, ListResponse, SearchRequest, ServiceProviderConfig, User};
use scim_client::provider::Pagination;
use scim_client::transport::{HttpRequest, HttpResponse, TransportError};
use scim_client::transports::AsyncFnTransport;
use scim_client::{AsyncScimClient, ClientOptions, Endpoint, Error, ScimClient, ScimType};
use serde_json::{Value, json};

const BASE: &str = "https://scim.test/v2";
const USERS: usize = 250;

/// The query parameters of a request, percent-decoded.
fn params(request: &HttpRequest) -> Vec<(String, String)> {
    let query = request.uri().query().unwrap_or("");
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(name), decode(value))
        })
        .collect()
}

fn decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&text[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

fn param(request: &HttpRequest, name: &str) -> Option<String> {
    params(request)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
}

fn json_response(status: u16, body: &Value) -> HttpResponse {
    http::Response::builder()
        .status(status)
        .header("content-type", "application/scim+json")
        .body(serde_json::to_vec(body).unwrap())
        .unwrap()
}

/// A base64-looking cursor for an offset: `+`, `/` and `=` included.
fn cursor_for(offset: usize) -> String {
    format!("b2Zm+{offset}/c3Q=")
}

fn offset_of(cursor: &str) -> Option<usize> {
    cursor
        .strip_prefix("b2Zm+")?
        .strip_suffix("/c3Q=")?
        .parse()
        .ok()
}

/// The decoded queries a provider received, in order.
type Asked = Arc<Mutex<Vec<Vec<(String, String)>>>>;

/// An AWS-like cursor-only provider of `USERS` users: `startIndex` is
/// ignored, pages hold at most 100, every page but the last has a
/// `nextCursor`. Every request's decoded query is recorded.
#[derive(Clone, Default)]
struct CursorProvider {
    asked: Asked,
}

impl CursorProvider {
    fn answer(&self, request: &HttpRequest) -> HttpResponse {
        self.asked.lock().unwrap().push(params(request));
        if request.uri().path().ends_with("/ServiceProviderConfig") {
            return json_response(200, &announcing_cursors());
        }
        let offset = match param(request, "cursor").as_deref() {
            None | Some("") => 0,
            Some(cursor) => match offset_of(cursor) {
                Some(offset) => offset,
                None => return invalid_cursor(),
            },
        };
        let count = param(request, "count")
            .and_then(|c| c.parse::<usize>().ok())
            .unwrap_or(100)
            .min(100);
        let end = (offset + count).min(USERS);
        let resources: Vec<Value> = (offset..end)
            .map(|i| json!({"id": format!("U{i:04}"), "userName": format!("user{i}")}))
            .collect();
        let mut page = json!({
            "schemas": [LIST_RESPONSE],
            "totalResults": USERS,
            "itemsPerPage": resources.len(),
            "Resources": resources,
        });
        if end < USERS {
            page["nextCursor"] = Value::from(cursor_for(end));
        }
        json_response(200, &page)
    }

    fn transport(
        &self,
    ) -> impl Fn(HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync + use<> {
        let provider = self.clone();
        move |request: HttpRequest| Ok(provider.answer(&request))
    }

    fn asked(&self) -> Vec<Vec<(String, String)>> {
        self.asked.lock().unwrap().clone()
    }

    /// The `Users` requests only.
    fn pages_asked(&self) -> Vec<Vec<(String, String)>> {
        self.asked()
            .into_iter()
            .filter(|query| !query.is_empty())
            .collect()
    }
}

fn invalid_cursor() -> HttpResponse {
    json_response(
        400,
        &json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "400",
            "scimType": "invalidCursor",
            "detail": "the cursor is not one of ours",
        }),
    )
}

/// A `ServiceProviderConfig` announcing RFC 9865 §4 cursors.
fn announcing_cursors() -> Value {
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"],
        "patch": {"supported": true},
        "filter": {"supported": true, "maxResults": 200},
        "pagination": {
            "cursor": true,
            "index": true,
            "defaultPaginationMethod": "cursor",
            "defaultPageSize": 50,
            "maxPageSize": 100,
            "cursorTimeout": 3600
        }
    })
}

fn client(transport: impl scim_client::transport::Transport + 'static) -> ScimClient {
    ScimClient::with_transport("t", ClientOptions::scim2(BASE), transport).unwrap()
}

fn async_client(provider: &CursorProvider) -> AsyncScimClient {
    let provider = provider.clone();
    let transport = AsyncFnTransport::new(
        move |request: HttpRequest| {
            let answer = provider.answer(&request);
            async move { Ok::<_, TransportError>(answer) }
        },
        |_| async {},
    );
    AsyncScimClient::with_transport("t", ClientOptions::scim2(BASE), transport).unwrap()
}

fn id(user: &User) -> String {
    user.id.value().cloned().unwrap()
}

fn assert_each_user_once(ids: &[String]) {
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no user twice");
    assert_eq!(ids.len(), USERS, "every user");
}

/// Drives a walk by hand through the blocking client.
fn walk_with(client: &ScimClient, mut walk: Paginator<User>) -> Vec<Result<User, Error>> {
    let mut out = Vec::new();
    loop {
        match walk.poll() {
            WalkStep::Fetch(operation) => walk.handle(client.execute(operation)),
            WalkStep::Resource(user) => out.push(Ok(user)),
            WalkStep::Skipped(error) | WalkStep::Failed(error) => out.push(Err(error)),
            WalkStep::Done => return out,
        }
    }
}

fn cursor_endpoint(client: &ScimClient) -> Endpoint {
    client
        .endpoint()
        .clone()
        .with_pagination(Pagination::Cursor)
        .with_max_page_size(Some(100))
}

#[test]
fn a_cursor_only_provider_is_walked_past_its_first_100_users() {
    let provider = CursorProvider::default();
    let client = client(provider.transport());
    let walk = Paginator::new(cursor_endpoint(&client), SearchRequest::new());
    let ids: Vec<String> = walk_with(&client, walk)
        .into_iter()
        .map(|user| id(&user.unwrap()))
        .collect();
    assert_each_user_once(&ids);
    let asked = provider.pages_asked();
    let pair = |name: &str, value: &str| (name.to_owned(), value.to_owned());
    assert_eq!(
        asked,
        [
            vec![pair("cursor", ""), pair("count", "100")],
            vec![pair("cursor", &cursor_for(100)), pair("count", "100")],
            vec![pair("cursor", &cursor_for(200)), pair("count", "100")],
        ],
        "the first page by an empty cursor, then each nextCursor; never a startIndex"
    );
}

#[test]
fn an_index_walk_over_a_cursor_only_provider_stops_instead_of_repeating() {
    // The same provider walked by index: it ignores startIndex and sends its
    // first page again, which the walk catches.
    let provider = CursorProvider::default();
    let client = client(provider.transport());
    let results: Vec<_> = client.all_users(SearchRequest::new().count(100)).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 100);
    assert!(matches!(results.last(), Some(Err(Error::Pagination(_)))));
}

#[test]
fn a_query_with_a_cursor_makes_the_clients_own_walk_follow_cursors() {
    let provider = CursorProvider::default();
    let client = client(provider.transport());
    let ids: Vec<String> = client
        .all_users(SearchRequest::new().cursor(""))
        .map(|user| id(&user.unwrap()))
        .collect();
    assert_each_user_once(&ids);
    assert_eq!(provider.pages_asked().len(), 3);
}

#[test]
fn a_walk_resumes_from_a_saved_cursor() {
    let provider = CursorProvider::default();
    let client = client(provider.transport());
    let ids: Vec<String> = client
        .all_users(SearchRequest::new().cursor(cursor_for(200)))
        .map(|user| id(&user.unwrap()))
        .collect();
    assert_eq!(ids.len(), USERS - 200);
    assert_eq!(ids.first().map(String::as_str), Some("U0200"));
}

#[test]
fn the_async_client_walks_a_cursor_only_provider() {
    let provider = CursorProvider::default();
    let client = async_client(&provider);
    let ids = support::scenarios::block_on(async {
        // The client's own walk, started by a cursor query…
        let mut walk = client.all_users(SearchRequest::new().cursor("").count(100));
        let mut ids = Vec::new();
        while let Some(user) = walk.next().await {
            ids.push(id(&user.unwrap()));
        }
        assert_eq!(walk.paginator().cursor(), Some(&*cursor_for(200)));
        // …and a walk over an endpoint set to cursors, driven by hand.
        let endpoint = client
            .endpoint()
            .clone()
            .with_pagination(Pagination::Cursor);
        let mut by_hand = Paginator::<User>::new(endpoint, SearchRequest::new());
        let mut again = 0;
        loop {
            match by_hand.poll() {
                WalkStep::Fetch(operation) => by_hand.handle(client.execute(operation).await),
                WalkStep::Resource(_) => again += 1,
                WalkStep::Skipped(error) | WalkStep::Failed(error) => panic!("{error}"),
                WalkStep::Done => break,
            }
        }
        assert_eq!(again, USERS);
        ids
    });
    assert_each_user_once(&ids);
    assert_eq!(provider.pages_asked().len(), 6);
}

#[test]
fn a_provider_announcing_cursors_is_walked_by_cursor() {
    let provider = CursorProvider::default();
    let client = client(provider.transport());
    let config = client
        .execute(client.endpoint().service_provider_config().unwrap())
        .unwrap();
    let pagination = config.pagination.value().unwrap();
    assert_eq!(pagination.cursor.value(), Some(&true));
    assert_eq!(pagination.default_page_size.value(), Some(&50));
    assert_eq!(pagination.cursor_timeout.value(), Some(&3600));
    assert_eq!(config.pagination_method(), Some(Pagination::IndexAndCursor));
    assert_eq!(config.max_page_size(), Some(100));

    let endpoint = client.endpoint().clone().with_pagination_of(&config);
    assert_eq!(endpoint.pagination(), Pagination::IndexAndCursor);
    assert_eq!(endpoint.max_page_size(), Some(100));
    // No count: the page size is the provider's cap, 100.
    let ids: Vec<String> = walk_with(&client, Paginator::new(endpoint, SearchRequest::new()))
        .into_iter()
        .map(|user| id(&user.unwrap()))
        .collect();
    assert_each_user_once(&ids);
    let pages = provider.pages_asked();
    assert_eq!(pages.len(), 3);
    assert!(
        pages
            .iter()
            .all(|query| query.iter().all(|(n, _)| n != "startIndex"))
    );
}

#[test]
fn a_count_above_the_providers_cap_is_lowered_to_it() {
    let provider = CursorProvider::default();
    let client = client(provider.transport());
    let walk = Paginator::new(cursor_endpoint(&client), SearchRequest::new().count(500));
    assert_eq!(walk_with(&client, walk).len(), USERS);
    assert!(
        provider
            .pages_asked()
            .iter()
            .all(|query| query.contains(&("count".to_owned(), "100".to_owned())))
    );
}

#[test]
fn a_provider_without_cursors_keeps_the_index_walk() {
    for config in [
        json!({"patch": {"supported": true}}),
        json!({"pagination": {"cursor": false, "index": true}}),
        json!({"pagination": {"defaultPaginationMethod": "INDEX"}}),
    ] {
        let config: ServiceProviderConfig = serde_json::from_value(config).unwrap();
        let service = scim_memory::InMemoryService::scim2();
        for i in 0..USERS {
            service
                .seed_user(json!({"userName": format!("user{i:03}")}))
                .unwrap();
        }
        let recorded = Arc::new(Mutex::new(Vec::new()));
        let seen = recorded.clone();
        let transport = move |request: HttpRequest| {
            seen.lock().unwrap().push(params(&request));
            Ok(service.handle(&request))
        };
        let client = client(transport);
        let endpoint = client.endpoint().clone().with_pagination_of(&config);
        assert_eq!(endpoint.pagination(), Pagination::Index);
        let walk = Paginator::new(endpoint, SearchRequest::new().count(100));
        let ids: Vec<String> = walk_with(&client, walk)
            .into_iter()
            .map(|user| id(&user.unwrap()))
            .collect();
        assert_each_user_once(&ids);
        let starts: Vec<String> = recorded
            .lock()
            .unwrap()
            .iter()
            .map(|query| query[0].1.clone())
            .collect();
        assert_eq!(starts, ["1", "101", "201"]);
        assert!(
            recorded
                .lock()
                .unwrap()
                .iter()
                .flatten()
                .all(|(n, _)| n != "cursor")
        );
    }
}

#[test]
fn the_pagination_method_follows_the_announced_flags() {
    let method = |pagination: Value| {
        serde_json::from_value::<ServiceProviderConfig>(json!({ "pagination": pagination }))
            .unwrap()
            .pagination_method()
    };
    assert_eq!(
        method(json!({"cursor": true, "index": false})),
        Some(Pagination::Cursor)
    );
    assert_eq!(
        method(json!({"cursor": "True", "index": "true", "defaultPaginationMethod": "index"})),
        Some(Pagination::IndexAndCursor)
    );
    assert_eq!(
        method(json!({"defaultPaginationMethod": "Cursor"})),
        Some(Pagination::Cursor)
    );
    assert_eq!(method(json!({"cursor": false, "index": false})), None);
    assert_eq!(method(json!({})), None);
    assert_eq!(method(Value::Null), None);
    // Case-insensitive keys and numeric strings, like every sibling.
    let config: ServiceProviderConfig = serde_json::from_value(json!({
        "PAGINATION": {"Cursor": true, "maxpagesize": "100"},
        "filter": {"maxResults": 0}
    }))
    .unwrap();
    assert_eq!(config.pagination_method(), Some(Pagination::Cursor));
    assert_eq!(config.max_page_size(), Some(100));
}

/// A provider that answers every `Users` request with `page(n)` for the
/// n-th request (0-based), recording each decoded query.
fn scripted(
    page: impl Fn(usize) -> Value + Send + Sync + 'static,
) -> (
    impl Fn(HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync,
    Asked,
) {
    let asked = Arc::new(Mutex::new(Vec::new()));
    let seen = asked.clone();
    let transport = move |request: HttpRequest| {
        let mut seen = seen.lock().unwrap();
        seen.push(params(&request));
        Ok(json_response(200, &page(seen.len() - 1)))
    };
    (transport, asked)
}

fn users(from: usize, to: usize) -> Vec<Value> {
    (from..to).map(|i| json!({"id": format!("U{i}")})).collect()
}

fn cursor_walk(
    transport: impl scim_client::transport::Transport + 'static,
) -> Vec<Result<User, Error>> {
    let client = client(transport);
    let walk = Paginator::new(cursor_endpoint(&client), SearchRequest::new().count(10));
    walk_with(&client, walk)
}

#[test]
fn a_stuck_cursor_ends_the_walk_with_an_error_naming_it() {
    // Fresh resources, but the same nextCursor every time.
    let (transport, asked) =
        scripted(|n| json!({"Resources": users(n * 10, n * 10 + 10), "nextCursor": "STUCK"}));
    let results = cursor_walk(transport);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 20);
    match results.last() {
        Some(Err(Error::Pagination(text))) => {
            assert!(text.contains("\"STUCK\""), "{text}");
            assert!(text.contains("already followed"), "{text}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(asked.lock().unwrap().len(), 2);
}

#[test]
fn a_cursor_cycle_is_caught_too() {
    let (transport, asked) = scripted(|n| {
        let next = if n % 2 == 0 { "A" } else { "B" };
        json!({"Resources": users(n * 10, n * 10 + 10), "nextCursor": next})
    });
    let results = cursor_walk(transport);
    assert!(matches!(results.last(), Some(Err(Error::Pagination(_)))));
    assert_eq!(
        asked.lock().unwrap().len(),
        3,
        "'', A, B, then A again is refused"
    );
}

#[test]
fn a_provider_ignoring_the_cursor_is_caught_by_the_repeated_first_resource() {
    // A new cursor every time, but always the first page.
    let (transport, _) =
        scripted(|n| json!({"Resources": users(0, 10), "nextCursor": format!("c{n}")}));
    let results = cursor_walk(transport);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 10);
    match results.last() {
        Some(Err(Error::Pagination(text))) => {
            assert!(text.contains("cursor \"c0\""), "{text}");
            assert!(text.contains("ignore the cursor"), "{text}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pages_going_round_under_fresh_cursors_are_caught_at_the_first_repeat() {
    // New cursors every time, but the pages cycle: 0-9, 10-19, 0-9, …
    let (transport, asked) = scripted(|n| {
        let start = (n % 2) * 10;
        json!({"Resources": users(start, start + 10), "nextCursor": format!("c{n}")})
    });
    let results = cursor_walk(transport);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 20);
    match results.last() {
        Some(Err(Error::Pagination(text))) => assert!(text.contains("an earlier page"), "{text}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(
        asked.lock().unwrap().len(),
        3,
        "the third page repeats the first"
    );
}

#[test]
fn an_oversized_cursor_is_an_error_not_a_request() {
    let long = "x".repeat(SearchRequest::MAX_CURSOR_LEN + 1);
    let next = long.clone();
    let (transport, asked) =
        scripted(move |_| json!({"Resources": users(0, 10), "nextCursor": next}));
    let results = cursor_walk(transport);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 10);
    match results.last() {
        Some(Err(Error::Pagination(text))) => {
            assert!(text.contains("4097 bytes long"), "{text}");
            assert!(text.len() < 400, "the cursor is shown cut: {text}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(asked.lock().unwrap().len(), 1);
    // Given by hand, it is refused before anything is sent.
    let endpoint = ClientOptions::scim2(BASE).endpoint("t").unwrap();
    match endpoint.search_users(&SearchRequest::new().cursor(long)) {
        Err(Error::InvalidArgument { name, .. }) => assert_eq!(name, "cursor"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_malformed_cursor_is_a_decode_error() {
    for next in [json!({"opaque": 1}), json!(["a"]), json!(true)] {
        let (transport, _) =
            scripted(move |_| json!({"Resources": users(0, 3), "nextCursor": next.clone()}));
        let results = cursor_walk(transport);
        assert_eq!(results.len(), 1);
        assert!(
            matches!(&results[0], Err(Error::Decode { .. })),
            "{:?}",
            results[0]
        );
    }
}

#[test]
fn a_cursor_the_service_refuses_is_an_api_error_with_its_scim_type() {
    // The provider knows nothing of this cursor: 400 invalidCursor (RFC 9865 §2.1).
    let provider = CursorProvider::default();
    let client = client(provider.transport());
    let results: Vec<_> = client
        .all_users(SearchRequest::new().cursor("not-ours"))
        .collect();
    assert_eq!(results.len(), 1);
    let error = results[0].as_ref().unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::BAD_REQUEST));
    let scim = error.api_error().and_then(|e| e.scim.as_ref()).unwrap();
    assert_eq!(scim.scim_type, Some(ScimType::InvalidCursor));
}

#[test]
fn a_next_cursor_sent_as_a_number_is_followed_as_its_text() {
    let (transport, asked) = scripted(|n| match n {
        0 => json!({"Resources": users(0, 10), "nextCursor": 12345}),
        _ => json!({"Resources": users(10, 15), "nextCursor": null}),
    });
    let results = cursor_walk(transport);
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 15);
    let asked = asked.lock().unwrap();
    assert_eq!(asked[1][0], ("cursor".to_owned(), "12345".to_owned()));
}

#[test]
fn no_next_cursor_ends_the_walk_whatever_the_total_says() {
    // RFC 9865 §2: the last page is the one without nextCursor; a total that
    // promises more does not keep the walk going, nor make it an error.
    let (transport, asked) = scripted(|n| match n {
        0 => json!({"totalResults": 1000, "Resources": users(0, 10), "nextCursor": "p2"}),
        _ => json!({"totalResults": 1000, "Resources": users(10, 20)}),
    });
    let results = cursor_walk(transport);
    assert_eq!(results.len(), 20);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(asked.lock().unwrap().len(), 2);
}

#[test]
fn a_walk_that_has_every_resource_follows_no_next_cursor_back_to_the_start() {
    // A provider that sends a nextCursor on its last page too, leading back
    // to the first page. The walk has received totalResults users: it is
    // complete (RFC 7644 §3.4.2.4) and does not follow it.
    let (transport, asked) = scripted(|n| {
        let start = (n % 2) * 10;
        json!({"totalResults": 20, "Resources": users(start, start + 10), "nextCursor": format!("c{n}")})
    });
    let results = cursor_walk(transport);
    let ids: Vec<String> = results.into_iter().map(|r| id(&r.unwrap())).collect();
    let expected: Vec<String> = (0..20).map(|i| format!("U{i}")).collect();
    assert_eq!(ids, expected);
    assert_eq!(asked.lock().unwrap().len(), 2);
    // Without a total, the repeated first page is what ends it, as an error.
    let (transport, _) = scripted(|n| {
        let start = (n % 2) * 10;
        json!({"Resources": users(start, start + 10), "nextCursor": format!("c{n}")})
    });
    assert!(matches!(
        cursor_walk(transport).last(),
        Some(Err(Error::Pagination(_)))
    ));
}

#[test]
fn a_cursor_walk_follows_a_total_that_grows_and_not_one_it_doubts() {
    // The latest total counts when it grows: 15 then 30 is followed to 30.
    let (transport, asked) = scripted(|n| {
        let total = if n == 0 { 15 } else { 30 };
        let next = (n < 2).then(|| format!("c{n}"));
        json!({"totalResults": total, "Resources": users(n * 10, n * 10 + 10), "nextCursor": next})
    });
    assert_eq!(cursor_walk(transport).len(), 30);
    assert_eq!(asked.lock().unwrap().len(), 3);
    // A total that fell mid-walk (30, then 15) no longer ends it: the
    // nextCursor does, so nothing past the smaller total is lost.
    let (transport, asked) = scripted(|n| {
        let total = if n == 0 { 30 } else { 15 };
        let next = (n < 2).then(|| format!("c{n}"));
        json!({"totalResults": total, "Resources": users(n * 10, n * 10 + 10), "nextCursor": next})
    });
    let results = cursor_walk(transport);
    assert_eq!(results.len(), 30);
    assert!(results.iter().all(Result::is_ok));
    assert_eq!(asked.lock().unwrap().len(), 3);
    // Nor does one the pages went past (a placeholder 5 on every page).
    let (transport, asked) = scripted(|n| {
        let next = (n < 2).then(|| format!("c{n}"));
        json!({"totalResults": 5, "Resources": users(n * 10, n * 10 + 10), "nextCursor": next})
    });
    assert_eq!(cursor_walk(transport).len(), 30);
    assert_eq!(asked.lock().unwrap().len(), 3);
}

#[test]
fn an_empty_page_ends_the_walk_unless_it_says_more_follow() {
    // Empty, no nextCursor (and an empty nextCursor reads as none): the end,
    // even when the total is higher.
    for last in [json!({}), json!({"nextCursor": ""})] {
        let (transport, asked) = scripted(move |n| match n {
            0 => json!({"totalResults": 50, "Resources": users(0, 10), "nextCursor": "p2"}),
            _ => {
                let mut page = json!({"totalResults": 50, "Resources": []});
                page.as_object_mut()
                    .unwrap()
                    .extend(last.as_object().unwrap().clone());
                page
            }
        });
        let results = cursor_walk(transport);
        assert_eq!(results.len(), 10);
        assert!(results.iter().all(Result::is_ok));
        assert_eq!(asked.lock().unwrap().len(), 2);
    }
    // Empty with a nextCursor: followed (RFC 9865 §2, more pages exist).
    let (transport, asked) = scripted(|n| match n {
        0 => json!({"Resources": users(0, 10), "nextCursor": "p1"}),
        1 => json!({"Resources": [], "nextCursor": "p2"}),
        _ => json!({"Resources": users(10, 12)}),
    });
    assert_eq!(cursor_walk(transport).len(), 12);
    assert_eq!(asked.lock().unwrap().len(), 3);
    // Endless empty pages: an error after MAX_EMPTY_PAGES.
    let (transport, asked) = scripted(|n| json!({"Resources": [], "nextCursor": format!("e{n}")}));
    let results = cursor_walk(transport);
    assert!(matches!(results.last(), Some(Err(Error::Pagination(_)))));
    let max = Paginator::<User>::MAX_EMPTY_PAGES as usize;
    assert_eq!(asked.lock().unwrap().len(), max + 1);
}

#[test]
fn an_empty_first_page_whose_total_promises_resources_is_an_error() {
    let (transport, _) = scripted(|_| json!({"totalResults": 5, "Resources": []}));
    let results = cursor_walk(transport);
    assert!(
        matches!(results.as_slice(), [Err(Error::Decode { .. })]),
        "{results:?}"
    );
}

#[test]
fn undecodable_resources_are_skipped_and_the_cursor_walk_goes_on() {
    let (transport, _) = scripted(|n| match n {
        0 => {
            json!({"Resources": [{"id": "U0"}, {"id": "U1", "active": [1]}, {"id": "U2"}], "nextCursor": "p2"})
        }
        _ => json!({"Resources": [{"id": "U3"}]}),
    });
    let results = cursor_walk(transport);
    let shape: Vec<&str> = results
        .iter()
        .map(|r| match r {
            Ok(_) => "ok",
            Err(Error::Undecodable(_)) => "skipped",
            Err(_) => "error",
        })
        .collect();
    assert_eq!(shape, ["ok", "skipped", "ok", "ok"]);
}

#[test]
fn a_cursor_walk_refuses_to_start_past_index_1() {
    let provider = CursorProvider::default();
    let client = client(provider.transport());
    // start_index(1) is every walk's start and is dropped…
    let walk = Paginator::new(
        cursor_endpoint(&client),
        SearchRequest::new().start_index(1),
    );
    assert_eq!(walk_with(&client, walk).len(), USERS);
    // …a later one cannot be reached by cursor.
    let walk = Paginator::new(
        cursor_endpoint(&client),
        SearchRequest::new().start_index(5),
    );
    match walk_with(&client, walk).as_slice() {
        [Err(Error::InvalidArgument { name, reason })] => {
            assert_eq!(*name, "cursor");
            assert!(reason.contains("RFC 9865"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn cursors_are_percent_encoded_in_queries_and_sent_verbatim_in_search_bodies() {
    let endpoint = ClientOptions::scim2(BASE).endpoint("t").unwrap();
    let get = endpoint
        .search_users(&SearchRequest::new().cursor("a+b/c=d e&f").count(5))
        .unwrap();
    assert_eq!(
        get.request().uri().query(),
        Some("cursor=a%2Bb%2Fc%3Dd%20e%26f&count=5")
    );
    let first = endpoint
        .search_users(&SearchRequest::new().cursor(""))
        .unwrap();
    assert_eq!(first.request().uri().query(), Some("cursor="));
    let post = endpoint
        .search_post::<User>(&SearchRequest::new().cursor("a+b/c=").count(5))
        .unwrap();
    let body: Value = serde_json::from_slice(post.request().body()).unwrap();
    assert_eq!(body["cursor"], "a+b/c=");
    assert_eq!(body["count"], 5);
    let post = endpoint
        .search_post::<User>(&SearchRequest::new().cursor(""))
        .unwrap();
    let body: Value = serde_json::from_slice(post.request().body()).unwrap();
    assert_eq!(body["cursor"], "");
    // Never both ways of paging at once (RFC 9865 §2.4).
    for refused in [
        endpoint.search_users(&SearchRequest::new().cursor("").start_index(1)),
        endpoint.search_post::<User>(&SearchRequest::new().cursor("x").start_index(3)),
    ] {
        match refused {
            Err(Error::InvalidArgument { name, .. }) => assert_eq!(name, "cursor"),
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn list_cursors_are_read_leniently_and_written_back() {
    let page: ListResponse<User> = serde_json::from_value(json!({
        "NEXTCURSOR": 42,
        "previouscursor": "b+/=",
        "Resources": [],
        "x-other": 1
    }))
    .unwrap();
    assert_eq!(page.next_cursor.as_deref(), Some("42"));
    assert_eq!(page.previous_cursor.as_deref(), Some("b+/="));
    assert_eq!(
        serde_json::to_value(&page).unwrap(),
        json!({"nextCursor": "42", "previousCursor": "b+/=", "Resources": [], "x-other": 1})
    );
    let last: ListResponse<User> =
        serde_json::from_value(json!({"nextCursor": null, "Resources": []})).unwrap();
    assert_eq!(last.next_cursor, None);
    let exact = json!({"totalResults": 3, "nextCursor": "VZUTiyhEQJ94IR", "previousCursor": "abc", "Resources": [{"id": "U1"}]});
    let page: ListResponse<User> = serde_json::from_value(exact.clone()).unwrap();
    assert_eq!(serde_json::to_value(&page).unwrap(), exact);
    // The per-resource fallback keeps the cursors too.
    let bytes = br#"{"nextCursor": "n", "Resources": [{"id": "U1", "active": [1]}]}"#;
    let page = ListResponse::<User>::from_json(bytes).unwrap();
    assert_eq!(page.failed.len(), 1);
    assert_eq!(page.next_cursor.as_deref(), Some("n"));
}

#[test]
fn endpoints_page_by_index_by_default() {
    let endpoint = Endpoint::new(scim_client::BearerToken::new("t").unwrap());
    assert_eq!(endpoint.pagination(), Pagination::Index);
    assert_eq!(endpoint.max_page_size(), None);
    let client = client(CursorProvider::default().transport());
    assert_eq!(client.endpoint().pagination(), Pagination::Index);
    let walk = client.all_users(SearchRequest::new());
    assert_eq!(walk.paginator().cursor(), None);
}
