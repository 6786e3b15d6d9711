//! OAuth 2.0 client credentials (RFC 6749 §4.4) through both clients: the
//! token fetched through the client's own transport, cached until shortly
//! before it expires, renewed once on a 401; and the secret and tokens
//! never shown. Against a token endpoint and SCIM service on 127.0.0.1
//! (ureq), and in memory with a virtual clock (both clients).

mod support;

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use scim_client::auth::{ClientCredentials, Credentials};
use scim_client::retry::RetryHandlers;
use scim_client::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
};
use scim_client::{AsyncScimClient, ClientOptions, Error, ScimClient};

const SECRET: &str = "s3cr3t/client+secret";

fn credentials(token_url: &str) -> ClientCredentials {
    ClientCredentials::new(token_url, "scim-app", SECRET).unwrap()
}

/// A provider in memory: a token endpoint issuing `at-0001-opaque`, … that live
/// `lifetime`, and a SCIM service that accepts only the latest token.
#[derive(Clone)]
struct Provider {
    state: Arc<Mutex<ProviderState>>,
    lifetime: u64,
}

#[derive(Default)]
struct ProviderState {
    elapsed: Duration,
    issued: u32,
    /// Every request: its path and its `Authorization`.
    log: Vec<(String, Option<String>)>,
    /// The next SCIM answer is this status with this body, once.
    next: Option<(u16, String)>,
}

impl Provider {
    fn new(lifetime: u64) -> Provider {
        Provider {
            state: Arc::default(),
            lifetime,
        }
    }

    fn answer(&self, request: &HttpRequest) -> HttpResponse {
        let mut state = self.state.lock().unwrap();
        let authorization = request
            .headers()
            .get("authorization")
            .map(|v| v.to_str().unwrap().to_owned());
        state
            .log
            .push((request.uri().path().to_owned(), authorization.clone()));
        let (status, body) = if request.uri().path() == "/oauth2/token" {
            state.issued += 1;
            let body = format!(
                r#"{{"access_token":"{}","token_type":"Bearer","expires_in":{}}}"#,
                token(state.issued),
                self.lifetime
            );
            (200, body)
        } else if let Some(scripted) = state.next.take() {
            scripted
        } else if authorization == Some(format!("Bearer {}", token(state.issued))) {
            (200, r#"{"id":"W1","userName":"cal"}"#.to_owned())
        } else {
            (401, r#"{"detail":"invalid token"}"#.to_owned())
        };
        http::Response::builder()
            .status(status)
            .body(body.into_bytes())
            .unwrap()
    }

    fn advance(&self, seconds: u64) {
        self.state.lock().unwrap().elapsed += Duration::from_secs(seconds);
    }

    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH
            + Duration::from_secs(1_800_000_000)
            + self.state.lock().unwrap().elapsed
    }

    /// Requests to the token endpoint so far.
    fn fetches(&self) -> usize {
        let state = self.state.lock().unwrap();
        state
            .log
            .iter()
            .filter(|(path, _)| path == "/oauth2/token")
            .count()
    }

    /// The `Authorization` of the SCIM requests, in order.
    fn sent(&self) -> Vec<String> {
        let state = self.state.lock().unwrap();
        state
            .log
            .iter()
            .filter(|(path, _)| path != "/oauth2/token")
            .map(|(_, auth)| auth.clone().unwrap_or_default())
            .collect()
    }

    /// The server revokes its tokens: only a new one will do.
    fn revoke(&self) {
        self.state.lock().unwrap().issued += 100;
    }
}

impl Transport for Provider {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        Ok(self.answer(&request))
    }
    fn sleep(&self, _: Duration) {}
    fn now(&self) -> SystemTime {
        Provider::now(self)
    }
}

impl AsyncTransport for Provider {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let response = self.answer(&request);
        Box::pin(async move { Ok(response) })
    }
    fn sleep(&self, _: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
    fn now(&self) -> SystemTime {
        Provider::now(self)
    }
}

/// The n-th token issued: long enough to be a real secret.
fn token(n: u32) -> String {
    format!("at-{n:04}-opaque")
}

fn options() -> ClientOptions {
    ClientOptions {
        retry_handlers: RetryHandlers::none(),
        ..ClientOptions::scim2("https://scim.test/scim/v2")
    }
}

const TOKEN_URL: &str = "https://auth.test/oauth2/token";

#[test]
fn the_blocking_client_fetches_caches_renews_and_retries_a_401_once() {
    let provider = Provider::new(600);
    let client =
        ScimClient::with_credentials(credentials(TOKEN_URL), options(), provider.clone()).unwrap();
    client.read_user("W1").unwrap();
    provider.advance(300);
    client.read_user("W1").unwrap();
    assert_eq!(provider.fetches(), 1, "cached while fresh");
    // Within the renewal margin of its expiry: renewed before sending.
    provider.advance(260);
    client.read_user("W1").unwrap();
    assert_eq!(provider.fetches(), 2);
    // Revoked server-side: a 401, one renewal, the request sent again.
    provider.revoke();
    client.read_user("W1").unwrap();
    assert_eq!(provider.fetches(), 3);
    assert_eq!(
        provider.sent(),
        ["at-0001", "at-0001", "at-0002", "at-0002", "at-0103"]
            .map(|t| format!("Bearer {t}-opaque"))
    );
}

#[test]
fn a_second_401_is_the_answer_not_a_loop() {
    let provider = Provider::new(600);
    let client =
        ScimClient::with_credentials(credentials(TOKEN_URL), options(), provider.clone()).unwrap();
    client.read_user("W1").unwrap();
    provider.state.lock().unwrap().next = Some((401, "{}".into()));
    provider.revoke();
    // First 401 (scripted) renews; the renewed token is accepted.
    client.read_user("W1").unwrap();
    // Now every token is refused: one renewal, then the 401 is returned.
    let refusing = Provider::new(600);
    let client = ScimClient::with_credentials(
        credentials(TOKEN_URL),
        options(),
        move |request: HttpRequest| {
            let mut response = refusing.answer(&request);
            if request.uri().path() != "/oauth2/token" {
                *response.status_mut() = http::StatusCode::UNAUTHORIZED;
            }
            Ok(response)
        },
    )
    .unwrap();
    match client.read_user("W1") {
        Err(Error::Api(error)) => assert_eq!(error.status, 401),
        other => panic!("{other:?}"),
    }
}

#[test]
fn the_async_client_does_the_same_and_shares_the_token_with_the_blocking_one() {
    let provider = Provider::new(600);
    let shared = Credentials::from(credentials(TOKEN_URL));
    let blocking =
        ScimClient::with_credentials(shared.clone(), options(), provider.clone()).unwrap();
    let asynchronous =
        AsyncScimClient::with_credentials(shared, options(), provider.clone()).unwrap();
    blocking.read_user("W1").unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        asynchronous.read_user("W1").await.unwrap();
        provider.revoke();
        asynchronous.read_user("W1").await.unwrap();
    });
    assert_eq!(
        provider.fetches(),
        2,
        "one token for both clients, one renewal"
    );
    assert_eq!(
        provider.sent(),
        ["at-0001", "at-0001", "at-0001", "at-0102"].map(|t| format!("Bearer {t}-opaque"))
    );
}

#[test]
fn neither_the_secret_nor_a_token_shows_in_errors_whatever_the_servers_echo() {
    let provider = Provider::new(600);
    let client =
        ScimClient::with_credentials(credentials(TOKEN_URL), options(), provider.clone()).unwrap();
    client.read_user("W1").unwrap();
    let echo = format!(
        r#"{{"detail":"bad: Bearer {0} / {0} / {SECRET}"}}"#,
        token(1)
    );
    provider.state.lock().unwrap().next = Some((500, echo));
    let error = client.read_user("W1").unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(&token(1)), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");

    // The token endpoint refuses, echoing the secret.
    let echoing = move |request: HttpRequest| -> Result<HttpResponse, TransportError> {
        let body = format!(r#"{{"error":"invalid_client","error_description":"{SECRET}"}}"#);
        let _ = request;
        Ok(http::Response::builder()
            .status(401)
            .body(body.into_bytes())
            .unwrap())
    };
    let client = ScimClient::with_credentials(credentials(TOKEN_URL), options(), echoing).unwrap();
    let error = client.read_user("W1").unwrap_err();
    assert!(
        matches!(&error, Error::Token(refusal) if refusal.status == 401),
        "the token endpoint's refusal, not a SCIM error: {error:?}"
    );
    let shown = format!("{error} {error:?}");
    assert!(shown.contains("invalid_client"), "{shown}");
    assert!(!shown.contains(SECRET), "{shown}");
    assert!(!format!("{client:?}").contains(SECRET));
}

#[cfg(feature = "ureq")]
#[test]
fn over_ureq_against_a_token_endpoint_on_127_0_0_1() {
    use support::{Reply, TestServer, fast_options};
    let token = |name: &str| {
        Reply::json(
            200,
            &format!(r#"{{"access_token":"{name}","token_type":"bearer","expires_in":"3600"}}"#),
        )
    };
    let server = TestServer::start(vec![
        token("tok-1"),
        Reply::json(401, r#"{"detail":"expired"}"#),
        token("tok-2"),
        Reply::json(200, support::USER),
        Reply::json(200, support::USER),
    ]);
    let token_url = server.base_url().replace("/scim/v1/", "/oauth2/token");
    let options = fast_options(server.base_url());
    let transport = scim_client::transports::ureq::UreqTransport::new(&options).unwrap();
    let client = ScimClient::with_credentials(credentials(&token_url), options, transport).unwrap();
    client.read_user("W1").unwrap();
    client.read_user("W1").unwrap();
    let requests = server.requests();
    let lines: Vec<String> = requests.iter().map(|r| r.line()).collect();
    assert_eq!(
        lines,
        [
            "POST /oauth2/token",
            "GET /scim/v1/Users/W1",
            "POST /oauth2/token",
            "GET /scim/v1/Users/W1",
            "GET /scim/v1/Users/W1"
        ]
    );
    let sent: Vec<Option<&str>> = requests.iter().map(|r| r.header("authorization")).collect();
    assert_eq!(sent[1], Some("Bearer tok-1"));
    assert_eq!(sent[3], Some("Bearer tok-2"));
    assert_eq!(sent[4], Some("Bearer tok-2"), "cached");
}
