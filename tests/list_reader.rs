//! The one reader of list answers (`ScimResponse::page`), on every list
//! path: a 200 whose body is not a list response is an `Error::Decode`
//! naming what is missing, never an empty directory; `totalResults`, which
//! RFC 7644 §3.4.2 makes REQUIRED, is required of every index page; and a
//! `count=0` query is answered by `totalResults` alone (RFC 7644 §3.4.2.4).

mod support;

use scim_client::model::{SearchRequest, User};
use scim_client::transport::{HttpRequest, HttpResponse, TransportError};
use scim_client::transports::AsyncFnTransport;
use scim_client::{AsyncScimClient, ClientOptions, Error, ScimClient};
use scim_memory::InMemoryService;
use serde_json::{Value, json};
use support::scenarios::block_on;

const BASE: &str = "https://scim.test/v2";
const USER: &str = "urn:ietf:params:scim:schemas:core:2.0:User";

/// 200 answers that are not list responses, as a broken proxy, a health
/// endpoint or a server ignoring the query and sending one resource give them.
fn not_pages() -> Vec<(&'static str, Value)> {
    vec![
        ("an empty object", json!({})),
        ("a status object", json!({"status": "ok"})),
        (
            "a single user",
            json!({"schemas": [USER], "id": "2819c223", "userName": "bjensen",
                   "meta": {"resourceType": "User", "location": "https://scim.test/v2/Users/2819c223"}}),
        ),
    ]
}

fn ok(body: &Value) -> HttpResponse {
    http::Response::builder()
        .status(200)
        .header("content-type", "application/scim+json")
        .body(serde_json::to_vec(body).unwrap())
        .unwrap()
}

/// A service answering every request 200 with `body`.
fn answering(
    body: Value,
) -> impl Fn(HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync {
    move |_| Ok(ok(&body))
}

/// The two families of dialects: RFC 7644 and Slack's SCIM 1.1.
fn dialects() -> [ClientOptions; 2] {
    [ClientOptions::scim2(BASE), ClientOptions::default()]
}

/// The error is a decode error of the 200, saying the body is not a list.
fn assert_not_a_page<T: std::fmt::Debug>(result: Result<T, Error>, what: &str) {
    match result {
        Err(Error::Decode { status, error, .. }) => {
            assert_eq!(status.as_u16(), 200, "{what}");
            assert_eq!(error.path(), "", "{what}: {error}");
            let message = error.message();
            assert!(message.contains("not a list response"), "{what}: {error}");
            assert!(
                message.contains("`totalResults`") && message.contains("`Resources`"),
                "{what}: names what is missing: {error}"
            );
        }
        other => panic!("{what}: expected a decode error, got {other:?}"),
    }
}

#[test]
fn a_200_that_is_not_a_list_response_is_an_error_from_every_one_page_list_call() {
    for options in dialects() {
        for (what, body) in not_pages() {
            let client =
                ScimClient::with_transport("xoxp-t", options.clone(), answering(body)).unwrap();
            let query = SearchRequest::new();
            assert_not_a_page(client.search_users(&query), what);
            assert_not_a_page(client.search_groups(&query), what);
            assert_not_a_page(client.query::<User>(&query), what);
            assert_not_a_page(client.search_post::<User>(&query), what);
            assert_not_a_page(client.search_users(&query.clone().cursor("")), what);
        }
    }
}

#[test]
fn a_200_that_is_not_a_list_response_ends_every_walk_with_an_error() {
    for options in dialects() {
        for (what, body) in not_pages() {
            let client =
                ScimClient::with_transport("xoxp-t", options.clone(), answering(body.clone()))
                    .unwrap();
            let users: Vec<_> = client.all_users(SearchRequest::new()).collect();
            assert_eq!(
                users.len(),
                1,
                "{what}: the error alone, no user: {users:?}"
            );
            assert_not_a_page(users.into_iter().next().unwrap(), what);
            let groups: Vec<_> = client.all_groups(SearchRequest::new()).collect();
            assert_eq!(groups.len(), 1, "{what}: {groups:?}");
            assert_not_a_page(groups.into_iter().next().unwrap(), what);
            let cursor: Vec<_> = client.all_users(SearchRequest::new().cursor("")).collect();
            assert_eq!(cursor.len(), 1, "{what}: {cursor:?}");
            assert_not_a_page(cursor.into_iter().next().unwrap(), what);
        }
    }
}

#[test]
fn the_async_walk_reads_lists_the_same_way() {
    for (what, body) in not_pages() {
        let transport = AsyncFnTransport::new(
            move |_: HttpRequest| {
                let answer = ok(&body);
                async move { Ok::<_, TransportError>(answer) }
            },
            |_| async {},
        );
        let client =
            AsyncScimClient::with_transport("xoxp-t", ClientOptions::scim2(BASE), transport)
                .unwrap();
        let results = block_on(async {
            let mut walk = client.all_users(SearchRequest::new());
            let mut results = Vec::new();
            while let Some(result) = walk.next().await {
                results.push(result);
            }
            results
        });
        assert_eq!(results.len(), 1, "{what}: {results:?}");
        assert_not_a_page(results.into_iter().next().unwrap(), what);
        assert_not_a_page(block_on(client.search_users(&SearchRequest::new())), what);
    }
}

#[test]
fn an_index_page_without_total_results_is_refused_naming_it() {
    for body in [
        json!({"Resources": []}),
        json!({"Resources": null}),
        json!({"resources": [{"id": "1", "userName": "a"}], "itemsPerPage": 1}),
    ] {
        let client = ScimClient::with_transport(
            "xoxp-t",
            ClientOptions::scim2(BASE),
            answering(body.clone()),
        )
        .unwrap();
        match client.search_users(&SearchRequest::new()) {
            Err(Error::Decode { error, .. }) => {
                assert_eq!(error.path(), "totalResults", "{body}: {error}");
                assert!(error.message().contains("RFC 7644"), "{body}: {error}");
            }
            other => panic!("{body}: {other:?}"),
        }
    }
}

#[test]
fn a_cursor_page_may_leave_total_results_out() {
    // RFC 9865 §2: a cursor service may not know its total. The body still
    // has to be a page: `Resources` is there.
    for body in [
        json!({"Resources": [{"id": "1"}], "nextCursor": "n"}),
        json!({"Resources": []}),
    ] {
        let client = ScimClient::with_transport(
            "xoxp-t",
            ClientOptions::scim2(BASE),
            answering(body.clone()),
        )
        .unwrap();
        let page = client
            .search_users(&SearchRequest::new().cursor(""))
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(page.total_results, None);
    }
    // An index query answered with a cursor page is one too.
    let body = json!({"Resources": [{"id": "1"}], "nextCursor": "n"});
    let client =
        ScimClient::with_transport("xoxp-t", ClientOptions::scim2(BASE), answering(body)).unwrap();
    assert_eq!(
        client
            .search_users(&SearchRequest::new())
            .unwrap()
            .next_cursor
            .as_deref(),
        Some("n")
    );
}

#[test]
fn count_zero_is_answered_by_total_results_alone() {
    let service = InMemoryService::scim2();
    for i in 0..5 {
        service
            .seed_user(json!({"userName": format!("user{i}")}))
            .unwrap();
    }
    let client = ScimClient::with_transport("xoxp-t", ClientOptions::scim2(BASE), service).unwrap();
    let page = client.search_users(&SearchRequest::new().count(0)).unwrap();
    assert_eq!(page.total_results, Some(5));
    assert!(page.resources.is_empty() && page.failed.is_empty());
    // The same answers from canned services: `Resources` empty, null or absent.
    for body in [
        json!({"totalResults": 5, "itemsPerPage": 0, "startIndex": 1, "Resources": []}),
        json!({"totalResults": 5, "Resources": null}),
        json!({"totalResults": "5"}),
    ] {
        let client = ScimClient::with_transport(
            "xoxp-t",
            ClientOptions::scim2(BASE),
            answering(body.clone()),
        )
        .unwrap();
        let page = client
            .search_users(&SearchRequest::new().count(0))
            .unwrap_or_else(|e| panic!("{body}: {e}"));
        assert_eq!(page.total_results, Some(5), "{body}");
        // Asked for resources, the same answer is still refused.
        let err = client.search_users(&SearchRequest::new()).unwrap_err();
        assert!(err.to_string().contains("totalResults 5"), "{body}: {err}");
    }
    // count=0 asks for the total: an answer without one says nothing.
    let client = ScimClient::with_transport(
        "xoxp-t",
        ClientOptions::scim2(BASE),
        answering(json!({"Resources": []})),
    )
    .unwrap();
    match client.search_users(&SearchRequest::new().count(0).cursor("")) {
        Err(Error::Decode { error, .. }) => assert_eq!(error.path(), "totalResults", "{error}"),
        other => panic!("{other:?}"),
    }
}
