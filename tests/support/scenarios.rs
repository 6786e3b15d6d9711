//! Fault scenarios run against every transport: each starts a server, runs
//! one operation through a client built by the transport's test file, and
//! checks both the outcome and how many requests the server received.

use std::time::Duration;

use scim_client::Operation;
use scim_client::transport::TransportErrorKind;
use scim_client::{ClientOptions, Endpoint, Error};

use super::{Reply, TestServer, USER, fast_options, refused_base_url};

/// A client of either kind, run to completion.
pub trait Exec {
    fn endpoint(&self) -> &Endpoint;
    fn run<T: Send>(&self, operation: Operation<T>) -> Result<T, Error>;
}

impl Exec for scim_client::ScimClient {
    fn endpoint(&self) -> &Endpoint {
        scim_client::ScimClient::endpoint(self)
    }
    fn run<T: Send>(&self, operation: Operation<T>) -> Result<T, Error> {
        self.execute(operation)
    }
}

impl Exec for scim_client::AsyncScimClient {
    fn endpoint(&self) -> &Endpoint {
        scim_client::AsyncScimClient::endpoint(self)
    }
    fn run<T: Send>(&self, operation: Operation<T>) -> Result<T, Error> {
        block_on(self.execute(operation))
    }
}

/// An async client with the tokio runtime its transport needs (reqwest
/// runs on tokio's reactor): operations run with `runtime.block_on`.
#[cfg(feature = "tokio")]
pub struct OnTokio {
    pub client: scim_client::AsyncScimClient,
    pub runtime: tokio::runtime::Runtime,
}

#[cfg(feature = "tokio")]
impl OnTokio {
    pub fn new(
        build: impl FnOnce() -> Result<scim_client::AsyncScimClient, Error>,
    ) -> Result<OnTokio, Error> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let client = {
            let _inside = runtime.enter();
            build()?
        };
        Ok(OnTokio { client, runtime })
    }
}

#[cfg(feature = "tokio")]
impl Exec for OnTokio {
    fn endpoint(&self) -> &Endpoint {
        self.client.endpoint()
    }
    fn run<T: Send>(&self, operation: Operation<T>) -> Result<T, Error> {
        self.runtime.block_on(self.client.execute(operation))
    }
}

/// Runs a future to completion on this thread: enough for tests, with no runtime.
pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    use std::sync::Arc;
    use std::task::{Context, Poll, Wake, Waker};

    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        match future.as_mut().poll(&mut cx) {
            Poll::Ready(output) => return output,
            Poll::Pending => std::thread::park(),
        }
    }
}

fn transport_kind<T: std::fmt::Debug>(result: Result<T, Error>) -> TransportErrorKind {
    match result {
        Err(Error::Transport(e)) => e.kind(),
        other => panic!("expected a transport error, got {other:?}"),
    }
}

fn read<C: Exec>(client: &C) -> Result<scim_client::model::User, Error> {
    client.run(client.endpoint().read_user("W1").unwrap())
}

/// Returns the kind of the failure after the client's retries.
pub fn connection_refused<C: Exec>(make: impl Fn(ClientOptions) -> C) -> TransportErrorKind {
    let client = make(fast_options(refused_base_url()));
    transport_kind(read(&client))
}

pub fn reset_before_the_response_is_retried_for_get<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    let server = TestServer::start(vec![Reply::Reset, Reply::json(200, USER)]);
    let client = make(fast_options(server.base_url()));
    assert_eq!(read(&client).unwrap().id.as_deref(), Some("W1"));
    assert_eq!(
        server.request_lines(),
        ["GET /scim/v1/Users/W1", "GET /scim/v1/Users/W1"]
    );
}

pub fn reset_twice_fails_after_one_retry<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    let server = TestServer::start(vec![Reply::Reset, Reply::Reset]);
    let client = make(fast_options(server.base_url()));
    let kind = transport_kind(read(&client));
    assert!(kind.may_have_been_sent(), "{kind:?}");
    assert_eq!(server.requests().len(), 2);
}

/// The seed's custom handler checks `errno == 104`: the OS error behind a
/// reset is reachable whatever the transport's HTTP library.
pub fn a_reset_is_reachable_as_the_os_error<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    let server = TestServer::start(vec![Reply::Reset, Reply::Reset]);
    let client = make(fast_options(server.base_url()));
    let Err(Error::Transport(error)) = read(&client) else {
        panic!("expected a transport error")
    };
    let io = error
        .io_error()
        .unwrap_or_else(|| panic!("no io::Error in {error:?}"));
    assert_eq!(io.kind(), std::io::ErrorKind::ConnectionReset, "{io:?}");
    #[cfg(target_os = "linux")]
    assert_eq!(io.raw_os_error(), Some(104), "ECONNRESET");
}

pub fn close_mid_body_is_retried_for_get<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    let server = TestServer::start(vec![
        Reply::CloseMidBody {
            declared: 500,
            body: USER.as_bytes()[..20].to_vec(),
        },
        Reply::json(200, USER),
    ]);
    let client = make(fast_options(server.base_url()));
    assert_eq!(read(&client).unwrap().user_name.as_deref(), Some("cal"));
    assert_eq!(server.requests().len(), 2);
}

pub fn a_post_that_may_have_been_sent_is_not_retried<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    let server = TestServer::start(vec![Reply::CloseWithoutResponse, Reply::json(201, USER)]);
    let client = make(fast_options(server.base_url()));
    let create = client
        .endpoint()
        .create_user(&serde_json::json!({"userName": "cal"}))
        .unwrap();
    let kind = transport_kind(client.run(create));
    assert!(kind.may_have_been_sent(), "{kind:?}");
    assert_eq!(
        server.request_lines(),
        ["POST /scim/v1/Users"],
        "the create must not be sent twice"
    );
}

pub fn read_timeout_is_retried_once_for_get<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    let server = TestServer::start(vec![
        Reply::Hang(Duration::from_secs(3)),
        Reply::Hang(Duration::from_secs(3)),
    ]);
    let options = ClientOptions {
        timeout: Duration::from_millis(300),
        ..fast_options(server.base_url())
    };
    let client = make(options);
    assert_eq!(transport_kind(read(&client)), TransportErrorKind::TimedOut);
    assert_eq!(server.requests().len(), 2);
}

pub fn every_retry_after_form_is_honoured<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    for retry_after in [
        "0",
        "0.01",
        "Sun, 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06-Nov-94 08:49:37 GMT",
        "garbage",
    ] {
        let server = TestServer::start(vec![
            Reply::with_header(
                429,
                "Retry-After",
                retry_after,
                r#"{"Errors":{"description":"ratelimited","code":429}}"#,
            ),
            Reply::json(200, USER),
        ]);
        let client = make(fast_options(server.base_url()));
        assert_eq!(
            read(&client).unwrap().id.as_deref(),
            Some("W1"),
            "{retry_after}"
        );
        assert_eq!(server.requests().len(), 2, "{retry_after}");
    }
}

pub fn a_429_beyond_the_wait_cap_is_returned_with_its_retry_after<C: Exec>(
    make: impl Fn(ClientOptions) -> C,
) {
    let server = TestServer::start(vec![Reply::with_header(429, "retry-after", "86400", "")]);
    let client = make(fast_options(server.base_url()));
    let err = read(&client).unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.status, 429);
    assert_eq!(
        api.retry_after,
        Some(scim_client::RetryAfter::Delay(Duration::from_secs(86_400)))
    );
    assert_eq!(server.requests().len(), 1);
}

pub fn server_errors_with_html_bodies<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    // 500 and 503 are retried for a GET; 502 and 504 are not (the Python SDK's set).
    for (status, expected_requests) in [(500, 2), (503, 2), (502, 1), (504, 1)] {
        let server = TestServer::start(vec![Reply::html(status), Reply::html(status)]);
        let client = make(fast_options(server.base_url()));
        let err = read(&client).unwrap_err();
        let api = err.api_error().unwrap();
        assert_eq!(api.status, status);
        assert!(api.scim.is_none());
        assert!(api.body_text().contains("<h1>"), "{status}");
        assert_eq!(server.requests().len(), expected_requests, "{status}");
    }
    let server = TestServer::start(vec![Reply::html(503), Reply::json(200, USER)]);
    let client = make(fast_options(server.base_url()));
    assert!(read(&client).is_ok());
    assert_eq!(server.requests().len(), 2);
}

pub fn truncated_json_is_a_decode_error<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    let server = TestServer::start(vec![Reply::json(200, &USER[..25])]);
    let client = make(fast_options(server.base_url()));
    match read(&client) {
        Err(Error::Decode { status, body, .. }) => {
            assert_eq!(status, 200);
            assert_eq!(body, USER.as_bytes()[..25]);
        }
        other => panic!("expected a decode error, got {other:?}"),
    }
    assert_eq!(server.requests().len(), 1);
}

pub fn an_oversize_body_is_refused<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    let big = format!(r#"{{"id":"W1","padding":"{}"}}"#, "x".repeat(4096));
    let server = TestServer::start(vec![Reply::json(200, &big)]);
    let client = make(ClientOptions {
        max_body_size: 1024,
        ..fast_options(server.base_url())
    });
    assert_eq!(
        transport_kind(read(&client)),
        TransportErrorKind::ResponseTooLarge
    );
    assert_eq!(server.requests().len(), 1);
}

pub fn redirects_are_not_followed<C: Exec>(make: impl Fn(ClientOptions) -> C) {
    let elsewhere = TestServer::start(vec![Reply::json(200, USER)]);
    let location = format!("{}Users/W1", elsewhere.base_url());
    let server = TestServer::start(vec![Reply::with_header(302, "Location", &location, "")]);
    let client = make(fast_options(server.base_url()));
    assert_eq!(
        read(&client).unwrap_err().status(),
        Some(http::StatusCode::FOUND)
    );
    assert_eq!(server.requests().len(), 1);
    assert!(
        elsewhere.requests().is_empty(),
        "the token must not follow a redirect"
    );
}

/// Expands to one `#[test]` per transport-independent scenario, each run
/// with `$client: fn(ClientOptions) -> impl Exec`.
#[macro_export]
macro_rules! transport_scenarios {
    ($client:expr) => {
        $crate::transport_scenarios!(@tests $client;
            reset_before_the_response_is_retried_for_get,
            reset_twice_fails_after_one_retry,
            a_reset_is_reachable_as_the_os_error,
            close_mid_body_is_retried_for_get,
            a_post_that_may_have_been_sent_is_not_retried,
            read_timeout_is_retried_once_for_get,
            every_retry_after_form_is_honoured,
            a_429_beyond_the_wait_cap_is_returned_with_its_retry_after,
            server_errors_with_html_bodies,
            truncated_json_is_a_decode_error,
            an_oversize_body_is_refused,
            redirects_are_not_followed,
        );
    };
    (@tests $client:expr; $($scenario:ident,)*) => {
        $(
            #[test]
            fn $scenario() {
                support::scenarios::$scenario($client);
            }
        )*
    };
}

/// The hostile and unlucky servers every transport meets, by name, with
/// the reply that plays each. The slow ones drip far longer than the 600 ms
/// timeout the cases run with.
pub fn hostile_servers() -> Vec<(&'static str, Reply)> {
    use super::Drip;
    let ms = Duration::from_millis;
    let user = USER.as_bytes();
    let with_length = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", user.len());
    vec![
        ("silent server", Reply::Hang(Duration::from_secs(5))),
        (
            "slow headers",
            Reply::Drip(vec![
                Drip::once(b"HTTP/1.1 200 OK\r\n"),
                Drip::repeat(b"X-Slow: a\r\n", 100, ms(50)),
            ]),
        ),
        (
            "slow headers then slow body",
            Reply::Drip(vec![
                Drip::once(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n"),
                Drip::repeat(b"X-Slow: a\r\n", 8, ms(50)),
                Drip::once(b"\r\n"),
                Drip::repeat(b" ", 100, ms(50)),
            ]),
        ),
        (
            "trickled body with Content-Length",
            Reply::Trickle {
                declared: 100,
                interval: ms(50),
            },
        ),
        (
            "trickled body without Content-Length",
            Reply::Drip(vec![
                Drip::once(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"),
                Drip::repeat(b" ", 100, ms(50)),
            ]),
        ),
        (
            "slow endless chunked body",
            Reply::Drip(vec![
                Drip::once(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"),
                Drip::repeat(b"1\r\n \r\n", 100, ms(50)),
            ]),
        ),
        (
            "endless header line",
            Reply::Drip(vec![
                Drip::once(b"HTTP/1.1 200 OK\r\nX-Long: "),
                // 64 MiB at most, as fast as the client reads it.
                Drip::repeat(&[b'a'; 65_536], 1024, Duration::ZERO),
            ]),
        ),
        (
            "huge header",
            Reply::Drip(vec![
                Drip::once(b"HTTP/1.1 200 OK\r\nX-Huge: "),
                Drip::repeat(&[b'a'; 65_536], 16, Duration::ZERO),
                Drip::once(format!("\r\n{}", &with_length[17..]).as_bytes()),
                Drip::once(user),
            ]),
        ),
        (
            "1xx then 200",
            Reply::Drip(vec![
                Drip::once(b"HTTP/1.1 100 Continue\r\n\r\n"),
                Drip::once(with_length.as_bytes()),
                Drip::once(user),
            ]),
        ),
        (
            "1xx forever",
            Reply::Drip(vec![Drip::repeat(
                b"HTTP/1.1 100 Continue\r\n\r\n",
                100,
                ms(50),
            )]),
        ),
        (
            "HTTP/1.0 with length",
            Reply::Drip(vec![
                Drip::once(with_length.replacen("HTTP/1.1", "HTTP/1.0", 1).as_bytes()),
                Drip::once(user),
            ]),
        ),
        (
            "HTTP/1.0 without length",
            Reply::Drip(vec![
                Drip::once(b"HTTP/1.0 200 OK\r\n\r\n"),
                Drip::once(user),
            ]),
        ),
        (
            "close-delimited HTTP/1.1",
            Reply::Drip(vec![
                Drip::once(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"),
                Drip::once(user),
            ]),
        ),
        (
            "redirect with the token",
            Reply::with_header(307, "Location", "http://127.0.0.1:9/steal", ""),
        ),
    ]
}

/// How a read of `W1` against `reply` ended, in a word, with no retry and a
/// 600 ms timeout; a watchdog of three times that fails if it never returns.
pub fn hostile_outcome<C: Exec>(
    make: impl Fn(ClientOptions) -> C + Send + 'static,
    reply: Reply,
) -> String {
    let server = TestServer::start(vec![reply]);
    let timeout = Duration::from_millis(600);
    let options = ClientOptions {
        timeout,
        connect_timeout: timeout,
        retry_handlers: scim_client::retry::RetryHandlers::none(),
        ..fast_options(server.base_url())
    };
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let client = make(options);
        let _ = done.send(match read(&client) {
            Ok(user) => format!("ok {}", user.id.as_deref().unwrap_or("?")),
            Err(Error::Transport(e)) => format!("{:?}", e.kind()),
            Err(Error::Api(e)) => format!("api {}", e.status.as_u16()),
            Err(Error::Decode { status, .. }) => format!("decode {}", status.as_u16()),
            Err(other) => format!("other {other}"),
        });
    });
    let outcome = result
        .recv_timeout(timeout * 3)
        .expect("the call never returned: no deadline covered it");
    drop(server);
    outcome
}

/// An `https://` server that accepts the connection and never answers the
/// TLS handshake: the connect timeout ends it, and nothing was sent.
pub fn silent_tls_handshake_outcome<C: Exec>(
    make: impl Fn(ClientOptions) -> C + Send + 'static,
) -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        // Hold the connection without reading a byte, then let it go.
        if let Ok((socket, _)) = listener.accept() {
            std::thread::sleep(Duration::from_secs(5));
            drop(socket);
        }
    });
    let timeout = Duration::from_millis(600);
    let options = ClientOptions {
        timeout,
        // Shorter than the whole attempt's, so it is the one that ends it.
        connect_timeout: timeout / 2,
        retry_handlers: scim_client::retry::RetryHandlers::none(),
        ..fast_options(format!("https://127.0.0.1:{port}/scim/v1/"))
    };
    let (done, result) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let client = make(options);
        let _ = done.send(match read(&client) {
            Ok(_) => "ok".to_owned(),
            Err(Error::Transport(e)) => format!("{:?}", e.kind()),
            Err(other) => format!("other {other}"),
        });
    });
    result
        .recv_timeout(timeout * 3)
        .expect("the call never returned: no deadline covered the handshake")
}

/// Runs every hostile server and checks each outcome against `expected`
/// (case name → outcome), printing the table row by row.
pub fn hostile_servers_end_as_expected<C: Exec + 'static>(
    transport: &str,
    make: fn(ClientOptions) -> C,
    expected: &[(&str, &str)],
) {
    let mut wrong = Vec::new();
    // HOSTILE_CASE=name runs that case alone (benches/hostile_memory.py
    // measures each case's peak memory in a process of its own).
    let only = std::env::var("HOSTILE_CASE").ok();
    let cases = hostile_servers()
        .into_iter()
        .map(|(case, reply)| (case, Some(reply)))
        .chain([("silent TLS handshake", None)])
        .filter(|(case, _)| only.as_deref().is_none_or(|only| only == *case));
    for (case, reply) in cases {
        let outcome = match reply {
            Some(reply) => hostile_outcome(make, reply),
            None => silent_tls_handshake_outcome(make),
        };
        println!("| {transport} | {case} | {outcome} |");
        let want = expected
            .iter()
            .find(|(name, _)| *name == case)
            .map_or("(no expectation)", |(_, want)| *want);
        if outcome != want {
            wrong.push(format!("{case}: expected {want}, got {outcome}"));
        }
    }
    assert!(wrong.is_empty(), "{transport}:\n{}", wrong.join("\n"));
}
