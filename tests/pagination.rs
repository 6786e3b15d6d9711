//! Walking every user across pages: each of 2,500 users exactly once, for
//! page sizes 1, 7 and 1000, against an honest provider and against ones
//! that shrink pages, change `totalResults`, omit `itemsPerPage`, ignore
//! `startIndex`, or answer past `totalResults` with the first page again;
//! a page without `totalResults` is refused.

mod support;

use std::collections::HashSet;
use std::sync::Arc;

use scim_client::model::SearchRequest;
use scim_client::transport::{HttpRequest, HttpResponse, TransportError};
use scim_client::{AsyncScimClient, ClientOptions, Error, ScimClient};
use scim_memory::InMemoryService;
use serde_json::Value;

const USERS: usize = 2500;

fn service() -> InMemoryService {
    let service = InMemoryService::scim2();
    for i in 0..USERS {
        service
            .seed_user(serde_json::json!({"userName": format!("user{i:05}")}))
            .unwrap();
    }
    service
}

/// A provider that rewrites every list answer of the honest service with `edit`.
fn misbehaving(
    service: InMemoryService,
    edit: impl Fn(&mut serde_json::Map<String, Value>, u64) + Send + Sync + 'static,
) -> impl Fn(HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync {
    let pages = std::sync::atomic::AtomicU64::new(0);
    move |request: HttpRequest| {
        let mut response = service.handle(&request);
        if let Ok(Value::Object(mut page)) = serde_json::from_slice(response.body()) {
            if page.contains_key("Resources") {
                edit(
                    &mut page,
                    pages.fetch_add(1, std::sync::atomic::Ordering::SeqCst),
                );
                *response.body_mut() = serde_json::to_vec(&page).unwrap();
            }
        }
        Ok(response)
    }
}

fn walk(client: &ScimClient, page_size: u32) -> Result<Vec<String>, Error> {
    let query = SearchRequest {
        count: Some(page_size),
        ..SearchRequest::new()
    };
    client
        .all_users(query)
        .map(|user| user.map(|u| u.id.value().cloned().unwrap()))
        .collect()
}

fn assert_each_user_once(ids: &[String]) {
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "no user twice");
    assert_eq!(ids.len(), USERS, "every user");
}

fn client_over(transport: impl scim_client::transport::Transport + 'static) -> ScimClient {
    ScimClient::with_transport("t", ClientOptions::scim2("https://scim.test/v2"), transport)
        .unwrap()
}

#[test]
fn an_honest_provider_gives_each_user_once_for_every_page_size() {
    let service = service();
    for page_size in [1, 7, 1000] {
        let before = service.requests_received();
        let ids = walk(&client_over(service.clone()), page_size).unwrap();
        assert_each_user_once(&ids);
        let requests = service.requests_received() - before;
        // A full last page ends the walk too: the walk has received
        // totalResults users, so it asks for no empty page after it.
        let pages = USERS.div_ceil(page_size as usize) as u64;
        assert_eq!(requests, pages, "page size {page_size}");
    }
}

#[test]
fn short_pages_lose_nothing() {
    let service = service();
    for page_size in [1, 7, 1000] {
        // Keeps the first half of every page (at least one resource).
        let halve = |page: &mut serde_json::Map<String, Value>, _: u64| {
            if let Some(Value::Array(resources)) = page.get_mut("Resources") {
                let keep = resources.len().div_ceil(2);
                resources.truncate(keep);
                page.insert("itemsPerPage".into(), Value::from(keep));
            }
        };
        let ids = walk(&client_over(misbehaving(service.clone(), halve)), page_size).unwrap();
        assert_each_user_once(&ids);
    }
}

#[test]
fn a_changing_total_results_loses_and_repeats_nothing() {
    let service = service();
    for page_size in [1, 7, 1000] {
        // Over- and under-reports the total on alternate pages.
        let wobble = |page: &mut serde_json::Map<String, Value>, n: u64| {
            let total = page["totalResults"].as_u64().unwrap();
            let reported = if n % 2 == 0 {
                total + 123
            } else {
                total.saturating_sub(123)
            };
            page.insert("totalResults".into(), Value::from(reported));
        };
        let client = client_over(misbehaving(service.clone(), wobble));
        let query = SearchRequest::new().count(page_size);
        let (mut ids, mut errors) = (Vec::new(), Vec::new());
        for user in client.all_users(query) {
            match user {
                Ok(user) => ids.push(user.id.value().cloned().unwrap()),
                Err(error) => errors.push(error),
            }
        }
        assert_each_user_once(&ids);
        // The walk ends on an empty page. When that page over-reports its
        // total, the walk says so instead of ending quietly.
        for error in &errors {
            match error {
                Error::Decode { error, .. } => assert_eq!(error.path(), "Resources", "{error}"),
                other => panic!("page size {page_size}: {other}"),
            }
        }
        assert!(errors.len() <= 1, "page size {page_size}: {errors:?}");
    }
}

#[test]
fn missing_items_per_page_is_tolerated() {
    let service = service();
    for page_size in [7, 1000] {
        let strip = |page: &mut serde_json::Map<String, Value>, _: u64| {
            page.remove("itemsPerPage");
        };
        let ids = walk(&client_over(misbehaving(service.clone(), strip)), page_size).unwrap();
        assert_each_user_once(&ids);
    }
}

#[test]
fn missing_total_results_ends_an_index_walk_with_an_error_naming_it() {
    // RFC 7644 §3.4.2 makes totalResults REQUIRED: without it an index walk
    // cannot tell a complete list from a cut one, so the page is refused.
    let service = service();
    let strip = |page: &mut serde_json::Map<String, Value>, n: u64| {
        if n == 1 {
            page.remove("totalResults");
        }
    };
    let client = client_over(misbehaving(service, strip));
    let results: Vec<_> = client.all_users(SearchRequest::new().count(500)).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 500);
    match results.last() {
        Some(Err(Error::Decode { error, .. })) => {
            assert_eq!(error.path(), "totalResults", "{error}")
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn a_provider_that_ignores_start_index_ends_the_walk_with_an_error() {
    let service = service();
    // Always answers with the first page, and claims there are millions.
    let stuck = service.clone();
    let transport = move |request: HttpRequest| {
        let mut first = request;
        *first.uri_mut() = "https://scim.test/v2/Users?startIndex=1&count=10"
            .parse()
            .unwrap();
        let mut response = stuck.handle(&first);
        let mut page: serde_json::Map<String, Value> =
            serde_json::from_slice(response.body()).unwrap();
        page.insert("totalResults".into(), Value::from(5_000_000));
        *response.body_mut() = serde_json::to_vec(&page).unwrap();
        Ok(response)
    };
    let client = client_over(transport);
    let results: Vec<_> = client
        .all_users(SearchRequest {
            count: Some(10),
            ..SearchRequest::new()
        })
        .collect();
    assert_eq!(
        results.len(),
        11,
        "the first page's ten users, then the error"
    );
    assert!(matches!(results.last(), Some(Err(Error::Pagination(_)))));
}

#[test]
fn an_error_mid_walk_is_yielded_once_and_ends_the_walk() {
    let service = service();
    service.inject(
        service.requests_received() + 2,
        5,
        scim_memory::Fault::Status(502),
    );
    let client = client_over(service.clone());
    let results: Vec<_> = client
        .all_users(SearchRequest {
            count: Some(1000),
            ..SearchRequest::new()
        })
        .collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 2000);
    assert!(
        matches!(results.last(), Some(Err(e)) if e.status() == Some(http::StatusCode::BAD_GATEWAY))
    );
    assert_eq!(results.len(), 2001);
}

#[test]
fn the_async_walk_gives_each_user_once() {
    let service = Arc::new(service());
    let client = AsyncScimClient::with_transport(
        "t",
        ClientOptions::scim2("https://scim.test/v2"),
        (*service).clone(),
    )
    .unwrap();
    let ids = support::scenarios::block_on(async {
        let mut walk = client.all_users(SearchRequest {
            count: Some(7),
            ..SearchRequest::new()
        });
        let mut ids = Vec::new();
        while let Some(user) = walk.next().await {
            ids.push(user.unwrap().id.value().cloned().unwrap());
        }
        assert_eq!(walk.paginator().total_results(), Some(USERS as u64));
        ids
    });
    assert_each_user_once(&ids);
}

#[test]
fn slack_walks_default_to_pages_of_1000() {
    let service = InMemoryService::slack_v1();
    for i in 0..2001 {
        service
            .seed_user(serde_json::json!({"userName": format!("u{i}")}))
            .unwrap();
    }
    let client =
        ScimClient::with_transport("xoxp-t", ClientOptions::default(), service.clone()).unwrap();
    let walk = client.all_users(SearchRequest::new());
    assert_eq!(walk.count(), 2001);
    assert_eq!(service.requests_received(), 3);
}

#[test]
fn a_provider_that_drops_resources_mid_walk_is_an_error_not_the_end() {
    let service = service();
    // The third page comes back without `Resources` while its totals still
    // say 2,500: a walk that ended there would lose 1,500 users silently.
    let drop_third = |page: &mut serde_json::Map<String, Value>, n: u64| {
        if n == 2 {
            page.remove("Resources");
        }
    };
    let client = client_over(misbehaving(service, drop_third));
    let results: Vec<_> = client.all_users(SearchRequest::new().count(500)).collect();
    assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 1000);
    match results.last() {
        Some(Err(Error::Decode { error, .. })) => {
            assert_eq!(error.path(), "Resources");
            assert!(error.message().contains("totalResults 2500"), "{error}");
        }
        other => panic!("{other:?}"),
    }
}

/// The `startIndex` a request asks for (1 when it names none).
fn start_index(request: &HttpRequest) -> u64 {
    request
        .uri()
        .query()
        .unwrap_or("")
        .split('&')
        .find_map(|pair| pair.strip_prefix("startIndex="))
        .map_or(1, |start| start.parse().unwrap())
}

#[test]
fn a_walk_that_has_every_resource_asks_for_no_page_past_total_results() {
    // Some providers answer a startIndex past totalResults with the first
    // page again. A walk that has received totalResults users is complete
    // (RFC 7644 §3.4.2.4) and does not ask: 2,500 users in pages of 500
    // take five requests, in pages of 1 take 2,500, and none goes past.
    let service = service();
    for page_size in [1, 500] {
        let asked_past = Arc::new(std::sync::atomic::AtomicU64::new(0));
        let (past, honest) = (asked_past.clone(), service.clone());
        let transport = move |mut request: HttpRequest| {
            if start_index(&request) > USERS as u64 {
                past.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let first = format!("https://scim.test/v2/Users?startIndex=1&count={page_size}");
                *request.uri_mut() = first.parse().unwrap();
            }
            Ok(honest.handle(&request))
        };
        let before = service.requests_received();
        let ids = walk(&client_over(transport), page_size).unwrap();
        assert_each_user_once(&ids);
        assert_eq!(asked_past.load(std::sync::atomic::Ordering::SeqCst), 0);
        assert_eq!(
            service.requests_received() - before,
            USERS.div_ceil(page_size as usize) as u64
        );
    }
}

#[test]
fn a_total_that_grows_mid_walk_is_followed() {
    // The first page under-reports (1,000 of 2,500); later pages say 2,500:
    // the latest total is the one the walk ends on.
    let service = service();
    let grow = |page: &mut serde_json::Map<String, Value>, n: u64| {
        if n == 0 {
            page.insert("totalResults".into(), Value::from(1000));
        }
    };
    let ids = walk(&client_over(misbehaving(service, grow)), 500).unwrap();
    assert_each_user_once(&ids);
}

#[test]
fn a_total_the_pages_go_past_is_doubted_and_loses_nothing() {
    // A placeholder or capped total (100 on every page): the first page of
    // 500 already goes past it, so it ends nothing and the walk goes on to
    // the short or empty page that ends it.
    let service = service();
    for page_size in [7, 500] {
        let cap = |page: &mut serde_json::Map<String, Value>, _: u64| {
            page.insert("totalResults".into(), Value::from(100));
        };
        let ids = walk(&client_over(misbehaving(service.clone(), cap)), page_size).unwrap();
        assert_each_user_once(&ids);
    }
}

#[test]
fn an_index_walk_asks_for_pages_no_larger_than_the_providers_cap() {
    // A provider cap below the dialect's (Slack: 1000) becomes the default
    // page size, and a larger count is lowered to it (RFC 9865 §4 maxPageSize).
    let service = InMemoryService::slack_v1();
    for i in 0..120 {
        service
            .seed_user(serde_json::json!({"userName": format!("u{i}")}))
            .unwrap();
    }
    let client =
        ScimClient::with_transport("xoxp-t", ClientOptions::default(), service.clone()).unwrap();
    for query in [SearchRequest::new(), SearchRequest::new().count(1000)] {
        let before = service.requests_received();
        let endpoint = client.endpoint().clone().with_max_page_size(Some(50));
        assert_eq!(
            endpoint.pagination(),
            scim_client::provider::Pagination::Index
        );
        let mut walk =
            scim_client::engine::Paginator::<scim_client::model::User>::new(endpoint, query);
        let mut count = 0;
        loop {
            match walk.poll() {
                scim_client::engine::WalkStep::Fetch(operation) => {
                    let uri = operation.request().uri().to_string();
                    assert!(uri.contains("count=50"), "{uri}");
                    walk.handle(client.execute(operation));
                }
                scim_client::engine::WalkStep::Resource(_) => count += 1,
                scim_client::engine::WalkStep::Skipped(e)
                | scim_client::engine::WalkStep::Failed(e) => {
                    panic!("{e}")
                }
                scim_client::engine::WalkStep::Done => break,
            }
        }
        assert_eq!(count, 120);
        assert_eq!(service.requests_received() - before, 3);
    }
}
