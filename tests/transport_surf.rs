//! The async client over surf, against servers on 127.0.0.1 that each test
//! starts. Needs the `surf-rustls` feature (the crate's own connection under surf).
#![cfg(feature = "surf-rustls")]

mod support;

use scim_client::model::{Field, Group, Member, User};
use scim_client::transport::TransportErrorKind;
use scim_client::{AsyncScimClient, ClientOptions};
use support::{TestServer, assert_seed_wire, fast_options, scenarios, seed_script};

const TOKEN: &str = "xoxp-transport-test";

/// A client over surf, built as `AsyncScimClient::with_options` does without
/// the tokio feature.
fn surf_client(options: ClientOptions) -> Result<AsyncScimClient, scim_client::Error> {
    let transport = scim_client::transports::surf::SurfTransport::from_options(&options)?;
    AsyncScimClient::with_transport(TOKEN, options, transport)
}

fn client(options: ClientOptions) -> AsyncScimClient {
    surf_client(options).unwrap()
}

#[test]
fn every_seed_operation_end_to_end() {
    let server = TestServer::start(seed_script());
    let client = client(fast_options(server.base_url()));
    async_std::task::block_on(async {
        let page = client
            .search_users(
                &scim_client::model::SearchRequest::new()
                    .start_index(1)
                    .count(100)
                    .filter(r#"userName Eq "Carly""#),
            )
            .await
            .unwrap();
        assert_eq!((page.total_results, page.resources.len()), (Some(1), 1));
        assert_eq!(
            client.read_user("W1").await.unwrap().user_name.as_deref(),
            Some("cal")
        );
        let created = client
            .create_user(&User {
                user_name: "cal".into(),
                ..User::default()
            })
            .await
            .unwrap();
        assert_eq!(created.id.as_deref(), Some("W1"));
        let patch = User {
            user_name: "chenderson".into(),
            title: Field::Null,
            ..User::default()
        };
        let patched = client.patch_user("W1", &patch).await.unwrap().unwrap();
        client.update_user(&patched).await.unwrap();
        client.delete_user("W1").await.unwrap();

        assert_eq!(
            client
                .search_groups(
                    &scim_client::model::SearchRequest::new()
                        .start_index(1)
                        .count(10)
                )
                .await
                .unwrap()
                .resources
                .len(),
            1
        );
        let group = client.read_group("S1").await.unwrap();
        client
            .create_group(&Group {
                display_name: "eng".into(),
                ..Group::default()
            })
            .await
            .unwrap();
        let removal = Group {
            members: vec![Member::removal("W2")].into(),
            ..Group::default()
        };
        assert_eq!(client.patch_group("S1", &removal).await.unwrap(), None);
        client.update_group(&group).await.unwrap();
        client.delete_group("S1").await.unwrap();
        let query = [("startIndex", "1"), ("count", "1")];
        let raw = client
            .api_call(
                http::Method::GET,
                "Users",
                &query,
                None,
                &http::HeaderMap::new(),
            )
            .await
            .unwrap();
        assert_eq!(raw.status(), 200);
    });
    assert_seed_wire(&server);
}

#[test]
fn the_async_client_futures_are_send() {
    fn assert_send<T: Send>(_: T) {}
    let client = client(ClientOptions::default());
    assert_send(client.read_user("W1"));
    assert_send(client.create_user(&User::default()));
}

#[test]
fn connection_refused_is_never_sent() {
    assert_eq!(
        scenarios::connection_refused(client),
        TransportErrorKind::NotSent
    );
}

transport_scenarios!(client);

#[test]
fn a_proxy_is_refused_rather_than_silently_bypassed() {
    let options = ClientOptions {
        proxy: Some("http://127.0.0.1:3128".into()),
        ..ClientOptions::default()
    };
    let err = surf_client(options).unwrap_err();
    assert!(
        matches!(&err, scim_client::Error::InvalidConfig(m) if m.contains("proxy")),
        "{err}"
    );
}

#[test]
fn a_proxy_that_no_proxy_bypasses_is_not_refused() {
    let target = TestServer::start(vec![support::Reply::json(200, support::USER)]);
    let options = ClientOptions {
        proxy: Some("http://127.0.0.1:9".into()),
        no_proxy: Some("127.0.0.1".into()),
        ..fast_options(target.base_url())
    };
    let client = surf_client(options).unwrap();
    let user = support::scenarios::block_on(client.read_user("W1")).unwrap();
    assert_eq!(user.id.as_deref(), Some("W1"));
    assert_eq!(target.requests().len(), 1);
}

#[test]
fn an_interim_1xx_is_never_returned_as_the_answer() {
    let raw =
        b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".to_vec();
    let server = TestServer::start(vec![support::Reply::Raw(raw)]);
    let options = ClientOptions {
        retry_handlers: scim_client::retry::RetryHandlers::none(),
        ..fast_options(server.base_url())
    };
    let client = surf_client(options).unwrap();
    match support::scenarios::block_on(client.delete_user("W1")) {
        // async-h1 cannot read past the 100: an error, never "deleted".
        Err(scim_client::Error::Transport(error)) => {
            assert!(error.kind().may_have_been_sent(), "{error}")
        }
        Ok(()) => {}
        Err(other) => panic!("{other}"),
    }
}

#[test]
fn a_close_delimited_body_is_an_error_never_an_empty_body() {
    let raw = br#"HTTP/1.1 201 Created
Content-Type: application/json

{"id":"W1","userName":"cal"}"#
        .iter()
        .flat_map(|&b| {
            if b == b'\n' {
                vec![b'\r', b'\n']
            } else {
                vec![b]
            }
        })
        .collect();
    let server = TestServer::start(vec![support::Reply::Raw(raw)]);
    let options = ClientOptions {
        retry_handlers: scim_client::retry::RetryHandlers::none(),
        ..fast_options(server.base_url())
    };
    let client = surf_client(options).unwrap();
    let created = support::scenarios::block_on(client.create_user(&User::default()));
    match created {
        Err(scim_client::Error::Transport(error)) => {
            assert!(error.kind().may_have_been_sent(), "{error}");
            assert!(error.to_string().contains("connection closing"), "{error}");
        }
        other => panic!("a success that looks like a failure: {other:?}"),
    }
}

#[test]
fn a_304_with_a_content_length_is_not_modified_not_a_short_body() {
    // RFC 9110 §8.6 lets a 304 carry the representation's Content-Length.
    let raw = b"HTTP/1.1 304 Not Modified\r\nContent-Length: 512\r\nETag: W/\"1\"\r\n\r\n".to_vec();
    let server = TestServer::start(vec![support::Reply::Raw(raw)]);
    let options = ClientOptions {
        retry_handlers: scim_client::retry::RetryHandlers::none(),
        ..fast_options(server.base_url())
    };
    let client = client(options);
    let read = client
        .endpoint()
        .read_user("W1")
        .unwrap()
        .if_none_match("W/\"1\"")
        .unwrap();
    let result = support::scenarios::block_on(client.execute(read)).unwrap();
    assert_eq!(result, scim_client::Conditional::NotModified);
}

#[test]
fn hostile_servers_end_every_call_as_expected() {
    support::scenarios::hostile_servers_end_as_expected(
        "surf",
        client,
        &[
            ("silent server", "TimedOut"),
            ("slow headers", "TimedOut"),
            ("slow headers then slow body", "TimedOut"),
            ("trickled body with Content-Length", "TimedOut"),
            // async-h1 cannot read these; the adapter refuses them, never returns them as answers.
            ("trickled body without Content-Length", "MaybeSent"),
            ("slow endless chunked body", "TimedOut"),
            ("endless header line", "MaybeSent"),
            ("huge header", "MaybeSent"),
            ("1xx then 200", "MaybeSent"),
            ("1xx forever", "MaybeSent"),
            ("HTTP/1.0 with length", "MaybeSent"),
            ("HTTP/1.0 without length", "MaybeSent"),
            ("close-delimited HTTP/1.1", "MaybeSent"),
            ("redirect with the token", "api 307"),
            ("silent TLS handshake", "NotSent"),
        ],
    );
}
