//! The service playing providers' profiles, as a client sees them: rate
//! tables in the virtual clock, cursor paging, member-change limits, group
//! reads without members, and each provider's dialect.

use std::collections::HashSet;
use std::time::{Duration, Instant, SystemTime};

use http::{HeaderMap, Method};
use scim_client::model::User;
use scim_client::provider::{Pagination, Profile};
use scim_client::retry::{RateLimitErrorRetryHandler, RetryHandlers};
use scim_client::transport::Transport;
use scim_client::{ClientOptions, Error, ScimClient, ScimResponse};
use scim_memory::{CLOCK_START_UNIX_SECONDS, InMemoryService};
use serde_json::{Value, json};

const SECOND: Duration = Duration::from_secs(1);

fn aws() -> Profile {
    Profile::aws_identity_center("us-east-1", "d-1234567890")
}

/// A client of `service` at `base_url` that retries nothing.
fn client(service: &InMemoryService, base_url: &str) -> ScimClient {
    client_with(service, base_url, RetryHandlers::none())
}

fn client_with(service: &InMemoryService, base_url: &str, handlers: RetryHandlers) -> ScimClient {
    let options = ClientOptions {
        dialect: service.dialect(),
        base_url: base_url.to_owned(),
        retry_handlers: handlers,
        ..ClientOptions::default()
    };
    ScimClient::with_transport("token", options, service.clone()).unwrap()
}

/// A client for the service playing `profile`, at the profile's base URL.
fn service_and_client(profile: &Profile) -> (InMemoryService, ScimClient) {
    let service = InMemoryService::for_profile(profile);
    let client = client(&service, &profile.base_url);
    (service, client)
}

fn call(
    client: &ScimClient,
    method: Method,
    path: &str,
    query: &[(&str, &str)],
    body: Option<Value>,
) -> Result<ScimResponse, Error> {
    client.api_call(method, path, query, body.as_ref(), &HeaderMap::new())
}

fn status(result: &Result<ScimResponse, Error>) -> u16 {
    match result {
        Ok(response) => response.status().as_u16(),
        Err(err) => err.status().map_or(0, |s| s.as_u16()),
    }
}

fn json_of(result: Result<ScimResponse, Error>) -> Value {
    result.unwrap().json().cloned().unwrap()
}

/// The error body of a refused call (`api_call` answers every status).
fn error_body(result: Result<ScimResponse, Error>) -> Value {
    let response = result.unwrap();
    assert!(response.status().as_u16() >= 400, "{response:?}");
    response.json().cloned().unwrap()
}

/// The `Retry-After` header of a call's answer.
fn retry_after(result: &Result<ScimResponse, Error>) -> Option<&str> {
    result
        .as_ref()
        .ok()?
        .headers()
        .get("retry-after")?
        .to_str()
        .ok()
}

fn user(name: &str) -> Value {
    json!({"userName": name})
}

fn ids(page: &Value) -> Vec<String> {
    page["Resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

mod rates {
    use super::*;

    #[test]
    fn slack_v1_user_creates_burst_20_then_429_with_retry_after_1() {
        let (service, client) = service_and_client(&Profile::slack_v1());
        for i in 0..20 {
            let created = call(
                &client,
                Method::POST,
                "Users",
                &[],
                Some(user(&format!("u{i}"))),
            );
            assert_eq!(status(&created), 201, "create {i}");
        }
        let refused = call(&client, Method::POST, "Users", &[], Some(user("u20")));
        assert_eq!(status(&refused), 429);
        assert_eq!(retry_after(&refused), Some("1"));
        let body = error_body(refused);
        assert_eq!(body["Errors"]["code"], 429, "Slack's error form: {body}");
        assert_eq!(service.throttled(), 1);
        assert_eq!(service.len(scim_memory::Kind::Users), 20, "not served");

        service.advance(SECOND);
        let served = call(&client, Method::POST, "Users", &[], Some(user("u20")));
        assert_eq!(status(&served), 201);
        assert_eq!(service.throttled(), 1);
        let counts = service.served_by_rule();
        let count = |name: &str| counts.iter().find(|(n, _)| n == name).unwrap().1;
        assert_eq!(count("user creates"), 21);
        assert_eq!(count("writes"), 21);
        assert_eq!(count("reads"), 0);
    }

    #[test]
    fn slack_v1_group_updates_burst_80() {
        let (service, client) = service_and_client(&Profile::slack_v1());
        let group = json_of(call(
            &client,
            Method::POST,
            "Groups",
            &[],
            Some(json!({"displayName": "eng"})),
        ));
        let path = format!("Groups/{}", group["id"].as_str().unwrap());
        for i in 0..80 {
            let patched = call(
                &client,
                Method::PATCH,
                &path,
                &[],
                Some(json!({"displayName": format!("eng{i}")})),
            );
            assert_eq!(status(&patched), 204, "update {i}");
        }
        let refused = call(
            &client,
            Method::PATCH,
            &path,
            &[],
            Some(json!({"displayName": "late"})),
        );
        assert_eq!(status(&refused), 429);
        assert_eq!(retry_after(&refused), Some("1"));
        // Group updates are 180 a minute: one comes back every third of a second.
        service.advance(Duration::from_millis(334));
        let served = call(
            &client,
            Method::PATCH,
            &path,
            &[],
            Some(json!({"displayName": "late"})),
        );
        assert_eq!(status(&served), 204);
        assert_eq!(service.throttled(), 1);
    }

    #[test]
    fn slack_v1_reads_1000_and_item_reads_300() {
        let (service, client) = service_and_client(&Profile::slack_v1());
        let id = service.seed_user(user("ada")).unwrap();
        let item = format!("Users/{id}");
        for i in 0..300 {
            assert_eq!(
                status(&call(&client, Method::GET, &item, &[], None)),
                200,
                "{i}"
            );
        }
        let refused = call(&client, Method::GET, &item, &[], None);
        assert_eq!(status(&refused), 429, "user reads: burst 300");
        assert_eq!(retry_after(&refused), Some("1"));
        // Lists count only against the org's reads: 700 more fit.
        for i in 300..1000 {
            assert_eq!(
                status(&call(&client, Method::GET, "Users", &[], None)),
                200,
                "{i}"
            );
        }
        let refused = call(&client, Method::GET, "Users", &[], None);
        assert_eq!(status(&refused), 429, "reads: burst 1000");
        assert_eq!(service.throttled(), 2);
        service.advance(SECOND);
        assert_eq!(status(&call(&client, Method::GET, "Users", &[], None)), 200);
    }

    #[test]
    fn zoom_allows_one_request_a_second_per_endpoint() {
        let (service, client) = service_and_client(&Profile::zoom());
        assert_eq!(status(&call(&client, Method::GET, "Users", &[], None)), 200);
        let refused = call(&client, Method::GET, "Users", &[], None);
        assert_eq!(status(&refused), 429);
        assert_eq!(retry_after(&refused), Some("1"));
        assert!(
            error_body(refused)["schemas"][0]
                .as_str()
                .unwrap()
                .ends_with(":Error"),
            "SCIM 2.0 error form"
        );
        assert_eq!(
            status(&call(&client, Method::GET, "Groups", &[], None)),
            200,
            "another endpoint has its own bucket"
        );
        service.advance(SECOND);
        assert_eq!(status(&call(&client, Method::GET, "Users", &[], None)), 200);
    }

    #[test]
    fn github_emu_provisions_1000_users_an_hour() {
        let profile = Profile::github_emu("acme");
        let service = InMemoryService::for_profile(&profile);
        let client = client(&service, &profile.base_url);
        let requests: Vec<_> = (0..1001)
            .map(|i| {
                client
                    .endpoint()
                    .api_call(
                        Method::POST,
                        "Users",
                        &[],
                        Some(&user(&format!("u{i}"))),
                        &HeaderMap::new(),
                    )
                    .unwrap()
            })
            .collect();
        let statuses: Vec<u16> = requests
            .iter()
            .map(|op| service.handle(op.request()).status().as_u16())
            .collect();
        assert!(statuses[..1000].iter().all(|&s| s == 201));
        let last = service.handle(requests[1000].request());
        assert_eq!(last.status(), 429);
        // 3600 s / 1000 = 3.6 s, rounded up.
        assert_eq!(last.headers()["retry-after"], "4");
        assert_eq!(
            status(&call(
                &client,
                Method::GET,
                "Users",
                &[("count", "1")],
                None
            )),
            200,
            "reads are not limited"
        );
    }

    #[test]
    fn the_client_waits_out_429s_in_virtual_time() {
        let profile = Profile::slack_v1();
        let service = InMemoryService::for_profile(&profile);
        let mut handlers = RetryHandlers::none();
        handlers.push(RateLimitErrorRetryHandler::new(5));
        let client = client_with(&service, &profile.base_url, handlers);
        let started = Instant::now();
        for i in 0..26 {
            client
                .create_user(&User {
                    user_name: format!("u{i}").into(),
                    ..User::default()
                })
                .unwrap();
        }
        assert!(service.throttled() >= 2, "{}", service.throttled());
        let passed = service
            .now()
            .duration_since(SystemTime::UNIX_EPOCH + Duration::from_secs(CLOCK_START_UNIX_SECONDS))
            .unwrap();
        // Six creates beyond the burst, three a second.
        assert!(passed >= 2 * SECOND, "{passed:?}");
        assert!(
            started.elapsed() < passed,
            "no real waiting: {:?}",
            started.elapsed()
        );
    }

    #[test]
    fn a_profile_service_sleeps_in_its_clock_and_others_do_not() {
        let service = InMemoryService::for_profile(&Profile::slack_v1());
        let start = service.now();
        assert_eq!(
            start,
            SystemTime::UNIX_EPOCH + Duration::from_secs(CLOCK_START_UNIX_SECONDS)
        );
        Transport::sleep(&service, Duration::from_secs(90));
        assert_eq!(service.now(), start + Duration::from_secs(90));
        assert_eq!(Transport::now(&service), service.now());
        service.set_now(start);
        assert_eq!(Transport::now(&service), start);
        service.advance(Duration::MAX);
        assert_eq!(service.now(), start, "an advance past the end is ignored");

        let plain = InMemoryService::slack_v1();
        Transport::sleep(&plain, Duration::from_secs(90));
        assert_eq!(
            plain.now(),
            start,
            "sleep does not move a plain service's clock"
        );
        let real = Transport::now(&plain);
        let system = SystemTime::now();
        assert!(
            system.duration_since(real).unwrap_or_default() < Duration::from_secs(60),
            "a plain service reads the system clock"
        );
    }

    #[test]
    fn the_async_transport_sleeps_in_the_clock_too() {
        use scim_client::transport::AsyncTransport;
        use std::task::{Context, Poll, Waker};

        let service = InMemoryService::for_profile(&Profile::zoom());
        let start = service.now();
        let mut sleep = AsyncTransport::sleep(&service, Duration::from_secs(7));
        let mut context = Context::from_waker(Waker::noop());
        assert_eq!(sleep.as_mut().poll(&mut context), Poll::Ready(()));
        assert_eq!(service.now(), start + Duration::from_secs(7));
        assert_eq!(AsyncTransport::now(&service), service.now());
    }

    #[test]
    fn plain_services_have_no_rate_limits() {
        let service = InMemoryService::slack_v1();
        let client = client(&service, scim_client::SLACK_V1_BASE_URL);
        for i in 0..50 {
            assert_eq!(
                status(&call(
                    &client,
                    Method::POST,
                    "Users",
                    &[],
                    Some(user(&format!("u{i}")))
                )),
                201
            );
        }
        assert_eq!(service.throttled(), 0);
        assert!(service.served_by_rule().is_empty());
        assert!(service.profile().is_none());
    }

    #[test]
    fn a_clock_set_backwards_refills_nothing() {
        let (service, client) = service_and_client(&Profile::zoom());
        let start = service.now();
        assert_eq!(status(&call(&client, Method::GET, "Users", &[], None)), 200);
        service.set_now(start - Duration::from_secs(3600));
        assert_eq!(status(&call(&client, Method::GET, "Users", &[], None)), 429);
        service.set_now(start + SECOND);
        assert_eq!(status(&call(&client, Method::GET, "Users", &[], None)), 200);
    }

    #[test]
    fn handle_at_counts_the_rate_table_at_the_time_given() {
        // Zoom: one request a second per endpoint, so the time decides.
        let service = InMemoryService::for_profile(&Profile::zoom());
        let get = || {
            http::Request::get("https://api.zoom.us/scim2/Users")
                .body(Vec::new())
                .unwrap()
        };
        let wall = SystemTime::UNIX_EPOCH + Duration::from_secs(1_900_000_000);
        assert_eq!(service.handle_at(&get(), wall).status(), 200);
        assert_eq!(service.now(), wall, "the clock is set to the time given");
        let refused = service.handle_at(&get(), wall + Duration::from_millis(500));
        assert_eq!(refused.status(), 429);
        assert_eq!(refused.headers()["retry-after"], "1");
        assert_eq!(service.handle_at(&get(), wall + SECOND).status(), 200);
        assert_eq!(service.throttled(), 1);
        assert_eq!(service.requests_received(), 3);
    }
}

mod cursors {
    use super::*;

    fn seeded_aws(users: usize) -> (InMemoryService, ScimClient) {
        let (service, client) = service_and_client(&aws());
        for i in 0..users {
            service.seed_user(user(&format!("user{i:03}"))).unwrap();
        }
        (service, client)
    }

    /// Walks `Users` by cursor; returns the pages' ids.
    fn walk(client: &ScimClient, count: &str) -> Vec<Vec<String>> {
        let mut pages = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = json_of(call(
                client,
                Method::GET,
                "Users",
                &[("cursor", &cursor), ("count", count)],
                None,
            ));
            assert!(page.get("startIndex").is_none(), "{page}");
            pages.push(ids(&page));
            match page.get("nextCursor").and_then(Value::as_str) {
                Some(next) => cursor = next.to_owned(),
                None => return pages,
            }
            assert!(pages.len() < 100, "the walk ends");
        }
    }

    #[test]
    fn aws_pages_250_users_by_100_with_next_cursors() {
        let (_service, client) = seeded_aws(250);
        let pages = walk(&client, "1000");
        let sizes: Vec<usize> = pages.iter().map(Vec::len).collect();
        assert_eq!(sizes, [100, 100, 50], "count is capped at 100");
        let all: HashSet<&String> = pages.iter().flatten().collect();
        assert_eq!(all.len(), 250, "no id twice");
    }

    #[test]
    fn aws_ignores_start_index() {
        let (_service, client) = seeded_aws(250);
        let first = json_of(call(&client, Method::GET, "Users", &[], None));
        let indexed = json_of(call(
            &client,
            Method::GET,
            "Users",
            &[("startIndex", "101"), ("count", "100")],
            None,
        ));
        assert_eq!(ids(&first), ids(&indexed), "always the first page");
        assert_eq!(ids(&first).len(), 100);
        assert!(indexed.get("startIndex").is_none());
        assert!(indexed["nextCursor"].is_string());
        let garbage = call(&client, Method::GET, "Users", &[("startIndex", "x")], None);
        assert_eq!(status(&garbage), 200, "not even read");
    }

    #[test]
    fn a_walk_survives_creates_and_deletes_between_pages() {
        let (service, client) = seeded_aws(30);
        let first = json_of(call(
            &client,
            Method::GET,
            "Users",
            &[("count", "10")],
            None,
        ));
        let seen_first = ids(&first);
        // Delete one served and one not yet served, add one.
        let second_before = json_of(call(
            &client,
            Method::GET,
            "Users",
            &[
                ("cursor", first["nextCursor"].as_str().unwrap()),
                ("count", "10"),
            ],
            None,
        ));
        let doomed = ids(&second_before)[0].clone();
        for id in [&seen_first[0], &doomed] {
            let deleted = call(&client, Method::DELETE, &format!("Users/{id}"), &[], None);
            assert_eq!(status(&deleted), 204);
        }
        let added = service.seed_user(user("late")).unwrap();
        let mut rest = Vec::new();
        let mut cursor = first["nextCursor"].as_str().unwrap().to_owned();
        loop {
            let page = json_of(call(
                &client,
                Method::GET,
                "Users",
                &[("cursor", &cursor), ("count", "10")],
                None,
            ));
            rest.extend(ids(&page));
            match page.get("nextCursor").and_then(Value::as_str) {
                Some(next) => cursor = next.to_owned(),
                None => break,
            }
        }
        assert_eq!(rest.len(), 20 - 1 + 1, "one deleted ahead, one added");
        assert!(!rest.contains(&doomed));
        assert!(rest.contains(&added));
        assert!(rest.iter().all(|id| !seen_first.contains(id)), "no repeats");
    }

    #[test]
    fn an_invalid_cursor_is_400_invalid_cursor() {
        let (_service, client) = seeded_aws(3);
        for bad in ["zzz", "k", "kzz", "k0", "o", "oZZ", "o!", "kff"] {
            let refused = call(&client, Method::GET, "Users", &[("cursor", bad)], None);
            assert_eq!(status(&refused), 400, "{bad}");
            assert_eq!(error_body(refused)["scimType"], "invalidCursor", "{bad}");
        }
        let search = call(
            &client,
            Method::POST,
            "Users/.search",
            &[],
            Some(json!({"schemas": [scim_client::model::SEARCH_REQUEST], "cursor": 7})),
        );
        // Not a cursor at all: the body is no SearchRequest.
        let refused = error_body(search);
        assert_eq!(refused["scimType"], "invalidSyntax", "{refused}");
        assert!(
            refused["detail"]
                .as_str()
                .unwrap()
                .contains("SearchRequest"),
            "{refused}"
        );
    }

    #[test]
    fn searches_and_sorted_lists_page_by_cursor_too() {
        let (_service, client) = seeded_aws(25);
        // Sorted descending: the cursor holds an offset.
        let mut names = Vec::new();
        let mut cursor = String::new();
        loop {
            let page = json_of(call(
                &client,
                Method::GET,
                "Users",
                &[
                    ("cursor", &cursor),
                    ("count", "10"),
                    ("sortBy", "userName"),
                    ("sortOrder", "descending"),
                ],
                None,
            ));
            names.extend(
                page["Resources"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r["userName"].as_str().unwrap().to_owned()),
            );
            match page.get("nextCursor").and_then(Value::as_str) {
                Some(next) => cursor = next.to_owned(),
                None => break,
            }
        }
        let mut expected: Vec<String> = (0..25).map(|i| format!("user{i:03}")).collect();
        expected.reverse();
        assert_eq!(names, expected);

        let search = |cursor: Option<&str>| {
            let mut body = json!({"schemas": [scim_client::model::SEARCH_REQUEST], "count": 20, "startIndex": 21});
            if let Some(cursor) = cursor {
                body["cursor"] = Value::from(cursor);
            }
            json_of(call(
                &client,
                Method::POST,
                "Users/.search",
                &[],
                Some(body),
            ))
        };
        let first = search(None);
        assert_eq!(ids(&first).len(), 20);
        let second = search(first["nextCursor"].as_str());
        assert_eq!(ids(&second).len(), 5);
        assert!(second.get("nextCursor").is_none());
    }

    #[test]
    fn index_and_cursor_honours_both() {
        let profile = Profile {
            pagination: Pagination::IndexAndCursor,
            max_page_size: Some(10),
            ..Profile::generic_scim2("https://scim.test/v2/")
        };
        let (service, client) = service_and_client(&profile);
        for i in 0..25 {
            service.seed_user(user(&format!("user{i:03}"))).unwrap();
        }
        let by_index = json_of(call(
            &client,
            Method::GET,
            "Users",
            &[("startIndex", "11"), ("count", "50")],
            None,
        ));
        assert_eq!(by_index["startIndex"], 11);
        assert_eq!(by_index["itemsPerPage"], 10);
        let next = by_index["nextCursor"].as_str().unwrap();
        let by_cursor = json_of(call(
            &client,
            Method::GET,
            "Users",
            &[("cursor", next)],
            None,
        ));
        assert!(by_cursor.get("startIndex").is_none());
        assert_eq!(ids(&by_cursor).len(), 5, "the page after the 20th");
        assert!(by_cursor.get("nextCursor").is_none(), "the last page");

        let config = json_of(call(
            &client,
            Method::GET,
            "ServiceProviderConfig",
            &[],
            None,
        ));
        assert_eq!(config["pagination"]["cursor"], true);
        assert_eq!(config["pagination"]["index"], true);
        assert_eq!(config["pagination"]["maxPageSize"], 10);
    }

    #[test]
    fn index_services_ignore_cursors() {
        let (service, client) = service_and_client(&Profile::slack_v2());
        for i in 0..5 {
            service.seed_user(user(&format!("user{i}"))).unwrap();
        }
        let page = json_of(call(
            &client,
            Method::GET,
            "Users",
            &[("cursor", "nonsense"), ("count", "2")],
            None,
        ));
        assert_eq!(page["startIndex"], 1);
        assert!(page.get("nextCursor").is_none());
    }
}

mod aws_groups {
    use super::*;

    /// A group and `n` users to add to it.
    fn group_and_users(n: usize) -> (InMemoryService, ScimClient, String, Vec<String>) {
        let (service, client) = service_and_client(&aws());
        let users = (0..n)
            .map(|i| service.seed_user(user(&format!("u{i}"))).unwrap())
            .collect();
        let group = json_of(call(
            &client,
            Method::POST,
            "Groups",
            &[],
            Some(json!({"displayName": "eng"})),
        ));
        let id = group["id"].as_str().unwrap().to_owned();
        (service, client, id, users)
    }

    fn patch(ops: Vec<Value>) -> Value {
        json!({"schemas": [scim_client::model::PATCH_OP], "Operations": ops})
    }

    fn members(ids: &[String]) -> Value {
        ids.iter().map(|id| json!({"value": id})).collect()
    }

    fn version(client: &ScimClient, id: &str) -> Value {
        json_of(call(
            client,
            Method::GET,
            &format!("Groups/{id}"),
            &[],
            None,
        ))["meta"]["version"]
            .clone()
    }

    #[test]
    fn a_patch_of_101_member_changes_is_refused_and_nothing_applied() {
        let (_service, client, id, users) = group_and_users(101);
        let path = format!("Groups/{id}");
        let before = version(&client, &id);
        let too_many = patch(vec![
            json!({"op": "add", "path": "members", "value": members(&users)}),
        ]);
        let refused = call(&client, Method::PATCH, &path, &[], Some(too_many));
        assert_eq!(status(&refused), 400);
        assert_eq!(error_body(refused)["scimType"], "tooMany");
        assert_eq!(version(&client, &id), before, "nothing applied");

        // Adds and removes count together, and so do path-less operations.
        let mixed = patch(vec![
            json!({"op": "add", "value": {"members": members(&users[..50])}}),
            json!({"op": "remove", "path": "members", "value": members(&users[50..])}),
        ]);
        let refused = call(&client, Method::PATCH, &path, &[], Some(mixed));
        assert_eq!(status(&refused), 400);
        assert_eq!(version(&client, &id), before);

        let hundred = patch(vec![
            json!({"op": "add", "path": "members", "value": members(&users[..100])}),
        ]);
        assert_eq!(
            status(&call(&client, Method::PATCH, &path, &[], Some(hundred))),
            204
        );
        assert_ne!(version(&client, &id), before);
    }

    #[test]
    fn group_reads_leave_members_out() {
        let (_service, client, id, users) = group_and_users(3);
        let path = format!("Groups/{id}");
        let add = patch(vec![
            json!({"op": "add", "path": "members", "value": members(&users)}),
        ]);
        assert_eq!(
            status(&call(&client, Method::PATCH, &path, &[], Some(add))),
            204
        );
        let read = json_of(call(&client, Method::GET, &path, &[], None));
        assert_eq!(read["displayName"], "eng");
        assert!(read.get("members").is_none(), "{read}");
        let list = json_of(call(&client, Method::GET, "Groups", &[], None));
        assert!(list["Resources"][0].get("members").is_none(), "{list}");
        let filtered = json_of(call(
            &client,
            Method::GET,
            "Groups",
            &[("filter", &format!("members eq \"{}\"", users[0]))],
            None,
        ));
        assert_eq!(
            ids(&filtered),
            std::slice::from_ref(&id),
            "members still filter, though unread"
        );
        assert!(filtered["Resources"][0].get("members").is_none());
        let search = json_of(call(
            &client,
            Method::POST,
            ".search",
            &[],
            Some(json!({"schemas": [scim_client::model::SEARCH_REQUEST]})),
        ));
        let group = search["Resources"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id.as_str())
            .unwrap();
        assert!(group.get("members").is_none());
    }

    #[test]
    fn discovery_announces_cursor_paging() {
        let (_service, client) = service_and_client(&aws());
        let config = json_of(call(
            &client,
            Method::GET,
            "ServiceProviderConfig",
            &[],
            None,
        ));
        assert_eq!(
            config["pagination"],
            json!({"cursor": true, "index": false, "defaultPaginationMethod": "cursor", "defaultPageSize": 100, "maxPageSize": 100})
        );
        assert_eq!(config["filter"]["maxResults"], 100);
        let other = call(&client, Method::GET, "ServiceProviderConfigs", &[], None);
        assert_eq!(status(&other), 404, "only the profile's spelling");
    }
}

mod slack_v1 {
    use super::*;

    #[test]
    fn answers_in_slacks_dialect() {
        let profile = Profile::slack_v1();
        let (service, client) = service_and_client(&profile);
        let missing = call(&client, Method::GET, "Users/W0NOPE", &[], None);
        assert_eq!(status(&missing), 404);
        let body = error_body(missing);
        assert_eq!(body["Errors"]["code"], 404, "{body}");

        let created = json_of(call(&client, Method::POST, "Users", &[], Some(user("ada"))));
        let id = created["id"].as_str().unwrap();
        assert!(id.starts_with('W'));
        assert_eq!(created["schemas"][0], scim_client::model::CORE_V1);
        let deleted = call(&client, Method::DELETE, &format!("Users/{id}"), &[], None);
        assert_eq!(status(&deleted), 200, "Slack deactivates");
        let read = json_of(call(
            &client,
            Method::GET,
            &format!("Users/{id}"),
            &[],
            None,
        ));
        assert_eq!(read["active"], false);

        for i in 0..15 {
            service.seed_user(user(&format!("user{i}"))).unwrap();
        }
        let page = json_of(call(
            &client,
            Method::GET,
            "Users",
            &[("startIndex", "11")],
            None,
        ));
        assert_eq!(page["startIndex"], 11);
        assert_eq!(page["itemsPerPage"], 6, "10 by default from the 11th of 16");
        assert!(page.get("nextCursor").is_none());

        let config = json_of(call(
            &client,
            Method::GET,
            "ServiceProviderConfigs",
            &[],
            None,
        ));
        assert_eq!(config["pagination"]["index"], true);
        assert_eq!(config["pagination"]["cursor"], false);
        assert_eq!(config["pagination"]["maxPageSize"], 1000);
        assert_eq!(config["pagination"]["defaultPageSize"], 10);
        assert_eq!(
            status(&call(
                &client,
                Method::GET,
                "ServiceProviderConfig",
                &[],
                None
            )),
            404
        );
    }

    #[test]
    fn slack_v2_deactivates_on_delete_and_answers_204() {
        let (_service, client) = service_and_client(&Profile::slack_v2());
        let created = json_of(call(&client, Method::POST, "Users", &[], Some(user("ada"))));
        let path = format!("Users/{}", created["id"].as_str().unwrap());
        assert_eq!(
            status(&call(&client, Method::DELETE, &path, &[], None)),
            204
        );
        let read = json_of(call(&client, Method::GET, &path, &[], None));
        assert_eq!(read["active"], false);
    }
}

#[test]
fn every_built_in_profile_serves_a_create_and_a_list() {
    for name in Profile::NAMES {
        let mut profile = Profile::named(name).unwrap();
        profile.base_url = "https://scim.test/some/base/".into();
        let (service, client) = service_and_client(&profile);
        assert_eq!(service.dialect(), profile.dialect);
        assert_eq!(service.profile(), Some(&profile));
        // What every profile requires on create (AWS: displayName and both
        // name parts besides userName).
        let ada = json!({"userName": "ada", "displayName": "Ada L", "name": {"givenName": "Ada", "familyName": "L"}});
        let created = call(&client, Method::POST, "Users", &[], Some(ada));
        assert_eq!(status(&created), 201, "{name}");
        service.advance(Duration::from_secs(3600));
        let list = json_of(call(&client, Method::GET, "Users", &[], None));
        assert_eq!(list["totalResults"], 1, "{name}");
        assert_eq!(service.throttled(), 0, "{name}");
    }
}

#[test]
fn aws_answers_400_naming_a_required_attribute_a_create_lacks() {
    let (service, client) = service_and_client(&Profile::aws_identity_center("us-east-1", "d-1"));
    let refused = call(&client, Method::POST, "Users", &[], Some(user("ada")));
    assert_eq!(status(&refused), 400);
    assert!(
        json_of(refused)["detail"]
            .as_str()
            .unwrap()
            .contains("displayName")
    );
    assert_eq!(service.len(scim_memory::Kind::Users), 0);
}
