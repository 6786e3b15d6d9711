//! The blocking client over ureq, against servers on 127.0.0.1 that each test starts.
#![cfg(feature = "ureq")]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use scim_client::model::{Field, Group, Member, Name, TypedValue, User};
use scim_client::transport::{HttpRequest, Transport, TransportErrorKind};
use scim_client::transports::ureq::UreqTransport;
use scim_client::{ClientOptions, ScimClient};
use support::{
    TestServer, assert_seed_wire, fast_options, refused_base_url, scenarios, seed_script,
};

const TOKEN: &str = "xoxp-transport-test";

fn client(options: ClientOptions) -> ScimClient {
    ScimClient::with_options(TOKEN, options).unwrap()
}

#[test]
fn every_seed_operation_end_to_end() {
    let server = TestServer::start(seed_script());
    let client = client(fast_options(server.base_url()));

    let page = client
        .search_users(
            &scim_client::model::SearchRequest::new()
                .start_index(1)
                .count(100)
                .filter(r#"userName Eq "Carly""#),
        )
        .unwrap();
    assert_eq!((page.total_results, page.resources.len()), (Some(1), 1));
    assert_eq!(
        client.read_user("W1").unwrap().user_name.as_deref(),
        Some("cal")
    );
    let new_user = User {
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
    let created = client.create_user(&new_user).unwrap();
    assert_eq!(created.id.as_deref(), Some("W1"));
    let patch = User {
        user_name: "chenderson".into(),
        title: Field::Null,
        ..User::default()
    };
    let patched = client.patch_user("W1", &patch).unwrap().unwrap();
    assert_eq!(
        client.update_user(&patched).unwrap().id.as_deref(),
        Some("W1")
    );
    client.delete_user("W1").unwrap();

    assert_eq!(
        client
            .search_groups(
                &scim_client::model::SearchRequest::new()
                    .start_index(1)
                    .count(10)
            )
            .unwrap()
            .resources[0]
            .id
            .as_deref(),
        Some("S1")
    );
    let group = client.read_group("S1").unwrap();
    assert_eq!(group.members.value().unwrap().len(), 1);
    client
        .create_group(&Group {
            display_name: "eng".into(),
            ..Group::default()
        })
        .unwrap();
    let removal = Group {
        members: vec![Member::removal("W2")].into(),
        ..Group::default()
    };
    assert_eq!(client.patch_group("S1", &removal).unwrap(), None);
    client.update_group(&group).unwrap();
    client.delete_group("S1").unwrap();
    let raw = client
        .api_call(
            http::Method::GET,
            "Users",
            &[("startIndex", "1"), ("count", "1")],
            None,
            &http::HeaderMap::new(),
        )
        .unwrap();
    assert_eq!(raw.json().unwrap()["totalResults"], 0);

    assert_seed_wire(&server);
}

#[test]
fn connection_refused_is_never_sent_and_retried_even_for_post() {
    let options = fast_options(refused_base_url());
    let transport = UreqTransport::new(&options).unwrap();
    let attempts = Arc::new(AtomicUsize::new(0));
    let counted = attempts.clone();
    let counting = ScimClient::with_transport(TOKEN, options, move |request: HttpRequest| {
        counted.fetch_add(1, Ordering::SeqCst);
        transport.send(request)
    })
    .unwrap();
    let err = counting.create_user(&User::default()).unwrap_err();
    assert!(
        matches!(&err, scim_client::Error::Transport(e) if e.kind() == TransportErrorKind::NotSent),
        "{err}"
    );
    assert_eq!(attempts.load(Ordering::SeqCst), 2);
    assert_eq!(
        scenarios::connection_refused(client),
        TransportErrorKind::NotSent
    );
}

transport_scenarios!(client);

#[test]
fn one_agent_keeps_one_connection_alive() {
    let reads: Vec<_> = (0..20)
        .map(|_| support::Reply::json(200, support::USER))
        .collect();
    let server = TestServer::start(reads);
    let client = client(fast_options(server.base_url()));
    for _ in 0..20 {
        client.read_user("W1").unwrap();
    }
    assert_eq!(server.requests().len(), 20);
    assert_eq!(server.connections(), 1);
}

#[test]
fn an_explicit_proxy_tunnels_the_request() {
    // ureq asks the proxy for a CONNECT tunnel; this server answers it and
    // then serves the tunnelled request on the same connection.
    let proxy = TestServer::start(vec![
        support::Reply::empty(200),
        support::Reply::json(200, support::USER),
    ]);
    let proxy_url = proxy.base_url().trim_end_matches("/scim/v1/").to_owned();
    let options = ClientOptions {
        proxy: Some(proxy_url),
        // An http:// base URL through a proxy must be asked for.
        allow_plaintext_proxy: true,
        ..fast_options("http://scim.example.invalid/scim/v1/".into())
    };
    assert_eq!(
        client(options).read_user("W1").unwrap().id.as_deref(),
        Some("W1")
    );
    assert_eq!(
        proxy.request_lines(),
        ["CONNECT scim.example.invalid:80", "GET /scim/v1/Users/W1"]
    );
}

#[test]
fn no_proxy_sends_the_request_direct_in_every_form_that_names_the_host() {
    for no_proxy in [
        "127.0.0.1",
        "127.0.0.0/8",
        "*",
        "localhost, 127.0.0.1:1234",
        "[::1],127.0.0.1",
    ] {
        let proxy = TestServer::start(vec![]);
        let target = TestServer::start(vec![support::Reply::json(200, support::USER)]);
        let options = ClientOptions {
            proxy: Some(proxy.base_url().trim_end_matches("/scim/v1/").to_owned()),
            no_proxy: Some(no_proxy.into()),
            ..fast_options(target.base_url())
        };
        client(options).read_user("W1").unwrap();
        assert_eq!(target.requests().len(), 1, "NO_PROXY={no_proxy}");
        assert!(
            proxy.requests().is_empty(),
            "NO_PROXY={no_proxy}: the proxy saw the request"
        );
    }
}

#[test]
fn an_http_base_url_through_a_proxy_is_refused_unless_asked_for() {
    let target = TestServer::start(vec![]);
    let options = ClientOptions {
        proxy: Some("http://127.0.0.1:9".into()),
        no_proxy: Some("other.example".into()),
        ..fast_options(target.base_url())
    };
    let err = ScimClient::with_options(TOKEN, options).unwrap_err();
    assert!(
        matches!(&err, scim_client::Error::InvalidConfig(m) if m.contains("plaintext")),
        "{err}"
    );
    assert!(target.requests().is_empty());
}

/// ureq, built without its SOCKS feature, panicked on an explicit SOCKS
/// proxy (and would go around one from the environment).
#[test]
fn a_socks_proxy_is_a_typed_refusal_not_a_panic() {
    let target = TestServer::start(vec![]);
    let options = ClientOptions {
        proxy: Some("socks5://127.0.0.1:9".into()),
        allow_plaintext_proxy: true,
        ..fast_options(target.base_url())
    };
    let err = ScimClient::with_options(TOKEN, options).unwrap_err();
    assert!(
        matches!(&err, scim_client::Error::InvalidConfig(m) if m.contains("socks5")),
        "{err}"
    );
    assert!(target.requests().is_empty());
}

#[test]
fn a_host_name_resolves_and_connects_within_the_deadline() {
    // `localhost` goes through the resolver (and its cache) rather than the
    // IP fast path; two calls, one connection.
    let server = TestServer::start(vec![
        support::Reply::json(200, support::USER),
        support::Reply::json(200, support::USER),
    ]);
    let url = server.base_url().replace("127.0.0.1", "localhost");
    let client = client(fast_options(url));
    for _ in 0..2 {
        assert_eq!(client.read_user("W1").unwrap().id.as_deref(), Some("W1"));
    }
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn hostile_servers_end_every_call_as_expected() {
    support::scenarios::hostile_servers_end_as_expected(
        "ureq",
        client,
        &[
            ("silent server", "TimedOut"),
            ("slow headers", "TimedOut"),
            ("slow headers then slow body", "TimedOut"),
            ("trickled body with Content-Length", "TimedOut"),
            ("trickled body without Content-Length", "TimedOut"),
            ("slow endless chunked body", "TimedOut"),
            ("endless header line", "MaybeSent"),
            ("huge header", "MaybeSent"),
            ("1xx then 200", "ok W1"),
            ("1xx forever", "TimedOut"),
            ("HTTP/1.0 with length", "ok W1"),
            ("HTTP/1.0 without length", "ok W1"),
            ("close-delimited HTTP/1.1", "ok W1"),
            ("redirect with the token", "api 307"),
            ("silent TLS handshake", "NotSent"),
        ],
    );
}

/// The transport's own TCP connection checks a pooled connection with one
/// peek: one the server closed while idle is dropped, and the next call
/// opens another instead of failing.
#[test]
fn a_kept_alive_connection_the_server_closed_is_replaced() {
    let first = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{}",
        support::USER.len(),
        support::USER
    );
    // `Raw` answers, then closes the connection.
    let server = TestServer::start(vec![
        support::Reply::Raw(first.into_bytes()),
        support::Reply::json(200, support::USER),
    ]);
    let options = ClientOptions {
        retry_handlers: scim_client::retry::RetryHandlers::none(),
        ..fast_options(server.base_url())
    };
    let client = client(options);
    client.read_user("W1").unwrap();
    // Let the close arrive, so the second call meets a closed pooled
    // connection rather than racing it.
    std::thread::sleep(std::time::Duration::from_millis(200));
    assert_eq!(client.read_user("W1").unwrap().id.as_deref(), Some("W1"));
    assert_eq!(server.requests().len(), 2);
    assert_eq!(server.connections(), 2);
}

/// A socket timeout set by one call is kept by the next (its deadline is
/// later); the next call still ends at its own deadline when the server
/// goes silent, not when the server gives up.
#[test]
fn a_second_call_on_a_kept_alive_connection_ends_at_its_deadline() {
    let server = TestServer::start(vec![
        support::Reply::json(200, support::USER),
        support::Reply::Hang(std::time::Duration::from_secs(20)),
    ]);
    let options = ClientOptions {
        timeout: std::time::Duration::from_millis(600),
        retry_handlers: scim_client::retry::RetryHandlers::none(),
        ..fast_options(server.base_url())
    };
    let client = client(options);
    client.read_user("W1").unwrap();
    match client.read_user("W1") {
        Err(scim_client::Error::Transport(e)) => {
            assert_eq!(e.kind(), TransportErrorKind::TimedOut, "{e}")
        }
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(server.connections(), 1);
}
