//! Secrets stay secret whatever a server echoes: the client scrubs its own
//! token from every error it returns (Display, Debug, kept body, headers,
//! SCIM detail, decode paths, undecodable resources, transport messages),
//! and a user's password never shows in `Debug`.

mod support;

use scim_client::model::{SearchRequest, User};
use scim_client::retry::RetryHandlers;
use scim_client::transport::{HttpRequest, HttpResponse, TransportError, TransportErrorKind};
use scim_client::{AsyncScimClient, ClientOptions, Error, ScimClient};
use serde_json::json;
use support::scenarios::block_on;

const TOKEN: &str = "xoxp-1234-very-secret-token";

/// The `Authorization` value the client sent, as an echoing server sees it.
fn echoed(request: &HttpRequest) -> String {
    request.headers()["authorization"]
        .to_str()
        .unwrap()
        .to_owned()
}

fn respond(status: u16, body: String, echo: &str) -> HttpResponse {
    // Also in a value with a byte that is not ASCII (obs-text).
    let mut latin = b"caf\xe9 ".to_vec();
    latin.extend_from_slice(echo.as_bytes());
    http::Response::builder()
        .status(status)
        .header("x-echo", echo)
        .header(
            "x-echo-latin",
            http::HeaderValue::from_bytes(&latin).unwrap(),
        )
        .header("retry-after", echo)
        .body(body.into_bytes())
        .unwrap()
}

/// Every way a server can echo the token, one per request path.
fn echoing_server(request: HttpRequest) -> Result<HttpResponse, TransportError> {
    let echo = echoed(&request);
    let token = echo.trim_start_matches("Bearer ");
    let path = request.uri().path().to_owned();
    Ok(if path.ends_with("/Users/api") {
        let body = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
            "status": "401", "detail": format!("bad token {echo}"),
            "Errors": [{"code": 401, "description": token}]});
        respond(401, body.to_string(), &echo)
    } else if path.ends_with("/Users/html") {
        respond(502, format!("<html>proxy saw {echo}</html>"), "x")
    } else if path.ends_with("/Users/decode") {
        respond(200, format!(r#"{{"id": "u1", "active": "{token}"}}"#), "x")
    } else if path.ends_with("/Users/transport") {
        return Err(TransportError::new(
            TransportErrorKind::MaybeSent,
            format!("connection reset while sending {echo}"),
        ));
    } else {
        // A page whose second resource is broken, quoting the token.
        let body = json!({"totalResults": 2, "Resources": [
            {"id": "u1", "userName": "ada"},
            {"id": token, "userName": "x", "active": token}
        ]});
        respond(200, body.to_string(), "x")
    })
}

fn options() -> ClientOptions {
    ClientOptions {
        retry_handlers: RetryHandlers::none(),
        ..ClientOptions::scim2("https://scim.test/v2")
    }
}

fn assert_no_token(what: &str, text: &str) {
    assert!(!text.contains(TOKEN), "{what} shows the token: {text}");
    assert!(
        !text.contains("very-secret"),
        "{what} shows part of it: {text}"
    );
}

fn assert_scrubbed(err: &Error) {
    assert_no_token("Display", &err.to_string());
    assert_no_token("Debug", &format!("{err:?}"));
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        assert_no_token("a source", &inner.to_string());
        source = inner.source();
    }
    if let Some(api) = err.api_error() {
        assert_no_token("the kept body", &api.body_text());
        assert!(
            api.body_text().contains("[redacted]"),
            "{}",
            api.body_text()
        );
        for (name, value) in &api.headers {
            assert_no_token(name.as_str(), &String::from_utf8_lossy(value.as_bytes()));
        }
    }
}

#[test]
fn the_blocking_client_scrubs_its_token_from_every_error() {
    let client = ScimClient::with_transport(TOKEN, options(), echoing_server).unwrap();
    for id in ["api", "html", "decode", "transport"] {
        let err = client.read_user(id).unwrap_err();
        assert_scrubbed(&err);
    }
    let api = client.read_user("api").unwrap_err();
    let scim = api.api_error().unwrap().scim.as_ref().unwrap();
    assert_eq!(scim.detail.as_deref(), Some("bad token [redacted]"));
    assert_eq!(scim.errors[0].description.as_deref(), Some("[redacted]"));

    // A walk's undecodable resource, and a page's failures, are scrubbed too.
    let results: Vec<_> = client.all_users(SearchRequest::new()).collect();
    let err = results
        .into_iter()
        .find_map(Result::err)
        .expect("one undecodable");
    assert!(matches!(err, Error::Undecodable(_)));
    assert_scrubbed(&err);
    let page = client.search_users(&SearchRequest::new()).unwrap();
    assert_no_token("a failed resource", &format!("{:?}", page.failed));
}

#[test]
fn the_async_client_scrubs_its_token_from_every_error() {
    let transport = scim_client::transports::AsyncFnTransport::new(
        |request: HttpRequest| async move { echoing_server(request) },
        |_| async {},
    );
    let client = AsyncScimClient::with_transport(TOKEN, options(), transport).unwrap();
    for id in ["api", "html", "decode", "transport"] {
        let err = block_on(client.read_user(id)).unwrap_err();
        assert_scrubbed(&err);
    }
}

#[test]
fn a_password_never_shows_in_debug() {
    let user = User {
        user_name: "ada".into(),
        password: "hunter2-hunter2".into(),
        ..User::default()
    };
    let debug = format!("{user:?}");
    assert!(!debug.contains("hunter2"), "{debug}");
    assert!(debug.contains("password: \"[redacted]\""), "{debug}");
    // An absent or null password is shown as such.
    assert!(format!("{:?}", User::default()).contains("password: Absent"));
}

#[test]
fn an_api_errors_debug_shows_the_body_as_text_cut_short() {
    let client = ScimClient::with_transport(TOKEN, options(), |_: HttpRequest| {
        Ok::<_, TransportError>(respond(500, "<html>".repeat(1000), "x"))
    })
    .unwrap();
    let err = client.read_user("W1").unwrap_err();
    let debug = format!("{:?}", err.api_error().unwrap());
    assert!(debug.contains("body: \"<html><html>"), "{debug}");
    assert!(debug.contains("(6000 bytes in all)"), "{debug}");
    assert!(debug.len() < 1500, "{} characters", debug.len());
}
