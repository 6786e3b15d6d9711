//! The OAuth 2.0 client-credentials source (RFC 6749 §4.4), driven by hand
//! through the ureq transport against a token endpoint on 127.0.0.1 that
//! each test starts (and stops when it ends): the request on the wire,
//! caching, renewal, typed errors, and secrets kept out of everything shown.
#![cfg(feature = "ureq")]

mod support;

use std::time::{Duration, SystemTime};

use http::HeaderValue;
use scim_client::Error;
use scim_client::auth::{
    ClientAuth, ClientCredentials, Credentials, OAuthError, OAuthErrorCode, OAuthSource, TokenStep,
};
use scim_client::transport::{Transport, TransportErrorKind};
use scim_client::transports::ureq::UreqTransport;
use support::{Recorded, Reply, TestServer, fast_options, refused_base_url};

const CLIENT_ID: &str = "scim-app";
/// Holds `/` and `+`, so its form-encoded and JSON forms differ from it.
const SECRET: &str = "s3cr3t/client+secret";
/// `base64("scim-app:s3cr3t%2Fclient%2Bsecret")` (RFC 6749 §2.3.1).
const BASIC: &str = "c2NpbS1hcHA6czNjcjN0JTJGY2xpZW50JTJCc2VjcmV0";

/// Seconds after a fixed instant: the source is given the time, never reads it.
fn at(seconds: u64) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + seconds)
}

fn token(access_token: &str, extra: &str) -> Reply {
    Reply::json(
        200,
        &format!(r#"{{"access_token":"{access_token}","token_type":"Bearer"{extra}}}"#),
    )
}

/// A token endpoint at `/oauth2/token` on 127.0.0.1, and a transport for it.
fn endpoint(script: Vec<Reply>) -> (TestServer, UreqTransport, String) {
    let server = TestServer::start(script);
    let url = server.base_url().replace("/scim/v1/", "/oauth2/token");
    let transport = UreqTransport::new(&fast_options(server.base_url())).unwrap();
    (server, transport, url)
}

/// One step of the driver loop: a cached header, or a fetch through `transport`.
fn authorize(
    source: &mut OAuthSource,
    transport: &UreqTransport,
    now: SystemTime,
) -> Result<HeaderValue, Error> {
    match source.poll(now)? {
        TokenStep::Ready(header) => Ok(header),
        TokenStep::Fetch(request) => source.handle(transport.send(request), now),
    }
}

fn assert_token_request(request: &Recorded, body: &str) {
    assert_eq!(request.line(), "POST /oauth2/token");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(request.header("accept"), Some("application/json"));
    assert_eq!(String::from_utf8_lossy(&request.body), body);
}

/// The secret in every form it travels in, and `tokens`, absent from `text`.
fn assert_hidden(text: &str, tokens: &[&str]) {
    let forms = [
        SECRET,
        "s3cr3t%2Fclient%2Bsecret",
        "s3cr3t\\/client+secret",
        BASIC,
    ];
    for hidden in forms.iter().chain(tokens) {
        assert!(!text.contains(hidden), "{hidden:?} shows in {text}");
    }
}

#[test]
fn the_token_is_requested_cached_and_renewed_before_expiry() {
    let (server, transport, url) = endpoint(vec![
        token("token-AAAA", r#","expires_in":120"#),
        token("token-BBBB", r#","expires_in":"3600","scope":"scim:read""#),
    ]);
    let credentials = ClientCredentials::new(&url, CLIENT_ID, SECRET)
        .unwrap()
        .with_scope("scim:read scim:write");
    let mut source = OAuthSource::new(credentials);

    let first = authorize(&mut source, &transport, at(0)).unwrap();
    assert_eq!(first, "Bearer token-AAAA");
    assert!(first.is_sensitive());
    // Cached: no request until the renewal point (120 s token: at half life).
    for t in [1, 30, 59] {
        assert_eq!(authorize(&mut source, &transport, at(t)).unwrap(), first);
    }
    assert_eq!(server.requests().len(), 1);
    let second = authorize(&mut source, &transport, at(60)).unwrap();
    assert_eq!(second, "Bearer token-BBBB");
    assert_eq!(source.granted_scope(), Some("scim:read"));
    assert_eq!(source.expires_at(), Some(at(3660)));
    // A numeric-string expires_in: renewed a minute before it runs out.
    assert_eq!(
        authorize(&mut source, &transport, at(3599)).unwrap(),
        second
    );
    assert!(matches!(source.poll(at(3600)), Ok(TokenStep::Fetch(_))));

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_token_request(
            request,
            "grant_type=client_credentials&scope=scim%3Aread+scim%3Awrite",
        );
        assert_eq!(
            request.header("authorization"),
            Some(&*format!("Basic {BASIC}"))
        );
    }
}

#[test]
fn a_401_invalidates_the_token_once_and_the_next_step_fetches_another() {
    let (server, transport, url) = endpoint(vec![
        token("token-AAAA", ""), // no expires_in: kept until a 401
        token("token-BBBB", ""),
    ]);
    let mut source = OAuthSource::new(ClientCredentials::new(&url, CLIENT_ID, SECRET).unwrap());
    let first = authorize(&mut source, &transport, at(0)).unwrap();
    let years = 50 * 365 * 24 * 3600;
    assert_eq!(
        authorize(&mut source, &transport, at(years)).unwrap(),
        first
    );
    assert_eq!(server.requests().len(), 1);

    // The SCIM service answered 401 with `first`.
    assert!(source.invalidate_rejected(&first));
    let second = authorize(&mut source, &transport, at(years)).unwrap();
    assert_eq!(second, "Bearer token-BBBB");
    // A late 401 for the old token does not throw the new one away.
    assert!(!source.invalidate_rejected(&first));
    assert_eq!(
        authorize(&mut source, &transport, at(years + 1)).unwrap(),
        second
    );
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn request_body_authentication_sends_the_client_in_the_form() {
    let (server, transport, url) = endpoint(vec![token("token-AAAA", r#","expires_in":3600"#)]);
    let credentials = ClientCredentials::new(&url, CLIENT_ID, SECRET)
        .unwrap()
        .with_auth(ClientAuth::RequestBody)
        .with_param("audience", "https://scim.test/v2");
    let mut source = OAuthSource::new(credentials);
    authorize(&mut source, &transport, at(0)).unwrap();
    let request = &server.requests()[0];
    assert_token_request(
        request,
        "grant_type=client_credentials&audience=https%3A%2F%2Fscim.test%2Fv2\
         &client_id=scim-app&client_secret=s3cr3t%2Fclient%2Bsecret",
    );
    assert_eq!(request.header("authorization"), None);
}

#[test]
fn threads_and_clones_share_one_token() {
    let (server, transport, url) = endpoint(vec![token("token-AAAA", r#","expires_in":3600"#)]);
    let credentials = Credentials::from(ClientCredentials::new(&url, CLIENT_ID, SECRET).unwrap());
    let TokenStep::Fetch(request) = credentials.poll(at(0)).unwrap() else {
        panic!("a fresh source fetches");
    };
    let header = credentials.handle(transport.send(request), at(0)).unwrap();
    let threads: Vec<_> = (0..8)
        .map(|i| {
            let credentials = credentials.clone();
            std::thread::spawn(move || match credentials.poll(at(i)).unwrap() {
                TokenStep::Ready(header) => header,
                TokenStep::Fetch(_) => panic!("thread {i} was asked to fetch"),
            })
        })
        .collect();
    for thread in threads {
        assert_eq!(thread.join().unwrap(), header);
    }
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn an_invalid_client_answer_is_a_typed_error_that_shows_no_secret_and_no_token() {
    let echo = format!(
        r#"{{"error":"invalid_client","error_description":"secret {SECRET} does not match; last token token-AAAA","received":"client_secret=s3cr3t%2Fclient%2Bsecret","authorization":"Basic {BASIC}"}}"#
    );
    let (server, transport, url) = endpoint(vec![
        token("token-AAAA", r#","expires_in":3600"#),
        Reply::Respond {
            status: 401,
            headers: vec![
                ("Content-Type".into(), "application/json".into()),
                (
                    "WWW-Authenticate".into(),
                    format!(r#"Basic realm="{SECRET}""#),
                ),
            ],
            body: echo.into_bytes(),
        },
    ]);
    let credentials = ClientCredentials::new(&url, CLIENT_ID, SECRET).unwrap();
    let mut source = OAuthSource::new(credentials.clone());
    let header = authorize(&mut source, &transport, at(0)).unwrap();
    assert!(source.invalidate_rejected(&header));

    let error = authorize(&mut source, &transport, at(1)).unwrap_err();
    let oauth = OAuthError::from_error(&error).expect("an RFC 6749 §5.2 error");
    assert_eq!(oauth.code, OAuthErrorCode::InvalidClient);
    assert_eq!(error.status().map(|s| s.as_u16()), Some(401));
    let Error::Token(refusal) = &error else {
        panic!("a token endpoint refusal: {error:?}");
    };
    assert_eq!(refusal.oauth.as_ref(), Some(&oauth));
    assert!(error.api_error().is_none(), "not a SCIM error");
    let shown = format!(
        "{error}\n{error:?}\n{}\n{:?}\n{oauth}",
        refusal.body_text(),
        refusal.headers
    );
    assert_hidden(&shown, &["token-AAAA"]);
    assert!(shown.contains("invalid_client") && shown.contains("[redacted]"));

    // Nothing else shows them either.
    let step = source.poll(at(2)).unwrap();
    let texts = [
        format!("{credentials:?}"),
        format!("{source:?}"),
        format!("{step:?}"),
        format!("{:?}", Credentials::from(source)),
    ];
    for text in &texts {
        assert_hidden(text, &["token-AAAA"]);
    }
    assert_eq!(server.requests().len(), 2);
}

#[test]
fn a_token_response_of_the_wrong_type_shows_no_token() {
    let (_server, transport, url) = endpoint(vec![Reply::json(
        200,
        r#"{"access_token":"token-CCCC","refresh_token":"refresh-DDDD","token_type":"mac"}"#,
    )]);
    let mut source = OAuthSource::new(ClientCredentials::new(&url, CLIENT_ID, SECRET).unwrap());
    let error = authorize(&mut source, &transport, at(0)).unwrap_err();
    let Error::Decode {
        error: decode,
        body,
        ..
    } = &error
    else {
        panic!("{error:?}");
    };
    assert_eq!(decode.path(), "token_type");
    let shown = format!("{error}\n{error:?}\n{}", String::from_utf8_lossy(body));
    assert_hidden(&shown, &["token-CCCC", "refresh-DDDD"]);
    assert!(shown.contains("mac"));
}

#[test]
fn an_unreachable_token_endpoint_is_a_transport_error_not_sent() {
    let url = refused_base_url().replace("/scim/v1/", "/oauth2/token");
    let transport = UreqTransport::new(&fast_options(refused_base_url())).unwrap();
    let mut source = OAuthSource::new(ClientCredentials::new(&url, CLIENT_ID, SECRET).unwrap());
    let error = authorize(&mut source, &transport, at(0)).unwrap_err();
    assert!(
        matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::NotSent),
        "{error:?}"
    );
    assert_hidden(&format!("{error} {error:?}"), &[]);
    assert!(matches!(source.poll(at(0)), Ok(TokenStep::Fetch(_))));
}
