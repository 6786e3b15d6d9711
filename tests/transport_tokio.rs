//! The async client over the tokio transport (reqwest), against servers on
//! 127.0.0.1 that each test starts: every scenario the other transports
//! pass, and the wire shapes surf's async-h1 cannot read (HTTP/1.0, a body
//! delimited by the connection closing, an interim 1xx).
#![cfg(feature = "tokio")]

mod support;

use scim_client::model::User;
use scim_client::retry::RetryHandlers;
use scim_client::transport::TransportErrorKind;
use scim_client::{AsyncScimClient, ClientOptions, Error};
use support::scenarios::{Exec, OnTokio};
use support::{Reply, TestServer, fast_options, scenarios};

const TOKEN: &str = "xoxp-transport-test";

fn try_client(options: ClientOptions) -> Result<OnTokio, Error> {
    OnTokio::new(|| AsyncScimClient::with_options(TOKEN, options))
}

fn client(options: ClientOptions) -> OnTokio {
    try_client(options).unwrap()
}

fn no_retries(base_url: String) -> ClientOptions {
    ClientOptions {
        retry_handlers: RetryHandlers::none(),
        ..fast_options(base_url)
    }
}

fn read(client: &OnTokio) -> Result<User, Error> {
    client.run(client.endpoint().read_user("W1").unwrap())
}

#[test]
fn connection_refused_is_never_sent() {
    assert_eq!(
        scenarios::connection_refused(client),
        TransportErrorKind::NotSent
    );
}

transport_scenarios!(client);

fn raw(bytes: &str) -> Reply {
    Reply::Raw(bytes.replace('\n', "\r\n").into_bytes())
}

#[test]
fn an_http_1_0_answer_is_read() {
    let server = TestServer::start(vec![raw(&format!(
        "HTTP/1.0 200 OK\nContent-Type: application/json\n\n{}",
        support::USER
    ))]);
    let user = read(&client(no_retries(server.base_url()))).unwrap();
    assert_eq!(user.user_name.as_deref(), Some("cal"));
}

#[test]
fn a_close_delimited_body_is_read_whole() {
    let server = TestServer::start(vec![raw(&format!(
        "HTTP/1.1 201 Created\nContent-Type: application/json\nConnection: close\n\n{}",
        support::USER
    ))]);
    let client = client(no_retries(server.base_url()));
    let created = client
        .run(client.endpoint().create_user(&User::default()).unwrap())
        .unwrap();
    assert_eq!(created.id.as_deref(), Some("W1"), "a 201 is a 201");
}

#[test]
fn an_interim_1xx_is_followed_to_the_real_answer() {
    let server = TestServer::start(vec![raw(&format!(
        "HTTP/1.1 100 Continue\n\nHTTP/1.1 200 OK\nContent-Length: {}\n\n{}",
        support::USER.len(),
        support::USER
    ))]);
    let user = read(&client(no_retries(server.base_url()))).unwrap();
    assert_eq!(user.id.as_deref(), Some("W1"));
}

#[test]
fn no_proxy_sends_the_request_direct_and_plaintext_through_a_proxy_is_refused() {
    let proxy = TestServer::start(vec![]);
    let target = TestServer::start(vec![Reply::json(200, support::USER)]);
    let proxy_url = proxy.base_url().trim_end_matches("/scim/v1/").to_owned();
    let direct = ClientOptions {
        proxy: Some(proxy_url.clone()),
        no_proxy: Some("127.0.0.0/8".into()),
        ..fast_options(target.base_url())
    };
    read(&client(direct)).unwrap();
    assert_eq!(target.requests().len(), 1);
    assert!(proxy.requests().is_empty(), "the proxy saw the request");

    let plaintext = ClientOptions {
        proxy: Some(proxy_url),
        ..fast_options(target.base_url())
    };
    let err = try_client(plaintext).err().expect("refused");
    assert!(
        matches!(&err, Error::InvalidConfig(m) if m.contains("plaintext")),
        "{err}"
    );
}

#[test]
fn hostile_servers_end_every_call_as_expected() {
    scenarios::hostile_servers_end_as_expected(
        "tokio",
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
