//! Secrets stay secret whatever a server echoes: the client scrubs its own
//! token from every error it returns (Display, Debug, kept body, headers,
//! SCIM detail, decode paths, undecodable resources, transport messages),
//! and a user's password never shows in `Debug`. A token echoed
//! transformed (JSON-escaped, percent-encoded, in another case) is
//! scrubbed too, on every transport, and never reaches a log or a trace.

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

/// An OAuth-like token: `/`, `+` and `=` in it.
const OAUTH_LIKE: &str = "xoxp-7Kd/Qw+Zr9=Mv2/Lp+Xs4==";

/// Pieces of [`OAUTH_LIKE`] that every echo below keeps, in lower case.
const PIECES: [&str; 4] = ["7kd", "zr9", "mv2", "xs4"];

/// Each way a server writes the token (or the whole `Authorization`
/// value) back, by name: never byte for byte.
const ECHOES: [(&str, &str); 5] = [
    ("JSON-escaped", r"xoxp-7Kd\/Qw\u002BZr9\u003dMv2\/Lp+Xs4=="),
    (
        "percent-encoded, lower-case hex",
        "Bearer%20xoxp-7Kd%2fQw%2bZr9%3dMv2%2fLp%2bXs4%3d%3d",
    ),
    (
        "percent-encoded, upper-case hex",
        "Bearer+xoxp-7Kd%2FQw%2BZr9%3DMv2%2FLp%2BXs4%3D%3D",
    ),
    ("upper-cased", "BEARER XOXP-7KD/QW+ZR9=MV2/LP+XS4=="),
    ("lower-cased", "bearer xoxp-7kd/qw+zr9=mv2/lp+xs4=="),
];

/// None of [`PIECES`] shows in `text`, in any case.
fn assert_hidden(what: &str, text: &str) {
    let folded = text.to_ascii_lowercase();
    for piece in PIECES {
        assert!(!folded.contains(piece), "{what} shows the token: {text}");
    }
}

/// Display, Debug, the sources, and for an API error the kept body,
/// headers, SCIM error and Retry-After: none shows any of the token.
fn assert_hidden_in(form: &str, err: &Error) {
    assert_hidden(&format!("{form}: Display"), &err.to_string());
    assert_hidden(&format!("{form}: Debug"), &format!("{err:?}"));
    let mut source = std::error::Error::source(err);
    while let Some(inner) = source {
        assert_hidden(&format!("{form}: a source"), &inner.to_string());
        source = inner.source();
    }
    let Some(api) = err.api_error() else { return };
    assert_hidden(&format!("{form}: body_text"), &api.body_text());
    for (name, value) in &api.headers {
        let text = format!("{name}: {}", String::from_utf8_lossy(value.as_bytes()));
        assert_hidden(&format!("{form}: a header"), &text);
    }
}

#[test]
fn a_transport_message_quoting_any_form_of_the_token_is_scrubbed() {
    logs::capture();
    for (form, echo) in ECHOES {
        let client = ScimClient::with_transport(OAUTH_LIKE, options(), move |_: HttpRequest| {
            Err::<HttpResponse, _>(TransportError::new(
                TransportErrorKind::NotSent,
                format!("proxy refused {echo}"),
            ))
        })
        .unwrap();
        let err = client.read_user("W1").unwrap_err();
        assert_hidden_in(form, &err);
        assert!(
            err.to_string().ends_with("proxy refused [redacted]"),
            "{form}: {err}"
        );
        logs::assert_hidden_in(
            form,
            "The request failed - request not sent: proxy refused [redacted]",
        );
    }
}

/// Every `log` line of this test binary (feature `log`).
mod logs {
    use std::sync::{Mutex, Once};

    static LINES: Mutex<Vec<String>> = Mutex::new(Vec::new());

    struct Capture;

    impl log::Log for Capture {
        fn enabled(&self, _: &log::Metadata<'_>) -> bool {
            true
        }
        fn log(&self, record: &log::Record<'_>) {
            LINES.lock().unwrap().push(record.args().to_string());
        }
        fn flush(&self) {}
    }

    /// Starts capturing, once per binary.
    pub fn capture() {
        static START: Once = Once::new();
        START.call_once(|| {
            log::set_logger(&Capture).unwrap();
            log::set_max_level(log::LevelFilter::Debug);
        });
    }

    /// No line shows the token; with feature `log`, the echo was logged
    /// (replaced) as `expected` shows.
    pub fn assert_hidden_in(form: &str, expected: &str) {
        let lines = LINES.lock().unwrap().join("\n");
        super::assert_hidden(&format!("{form}: the log"), &lines);
        if cfg!(feature = "log") {
            assert!(
                lines.contains(expected),
                "{form}: {expected} not in {lines}"
            );
        }
    }
}

/// The echoes against servers on 127.0.0.1, through each transport.
#[cfg(any(feature = "ureq", feature = "surf-rustls", feature = "tokio"))]
mod over_loopback {
    use super::*;
    use scim_client::{REDACTED, RetryAfter, ScimType};
    use support::scenarios::Exec;
    #[cfg(feature = "tokio")]
    use support::scenarios::OnTokio;
    use support::{Reply, TestServer, fast_options};

    /// A 401 echoing `echo` in its body (SCIM `detail` and `scimType`, raw),
    /// in a header of its own, in `WWW-Authenticate` and as `Retry-After`.
    fn refusal(echo: &str) -> Reply {
        let body = format!(
            r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","scimType":"{echo}","detail":"token {echo} refused"}}"#
        );
        Reply::Respond {
            status: 401,
            headers: vec![
                ("Content-Type".into(), "application/scim+json".into()),
                ("X-Echo".into(), echo.into()),
                (
                    "WWW-Authenticate".into(),
                    format!(r#"Bearer error="invalid_token", error_description="{echo} expired""#),
                ),
                ("Retry-After".into(), echo.into()),
            ],
            body: body.into_bytes(),
        }
    }

    /// A 200 whose user cannot be decoded, quoting `echo` where the type fails.
    fn undecodable(echo: &str) -> Reply {
        Reply::json(200, &format!(r#"{{"id":"W1","active":"{echo}"}}"#))
    }

    /// The echoes were there, and were replaced (not dropped).
    fn assert_replaced(form: &str, err: &Error) {
        let api = err.api_error().expect("an API error");
        let scim = api.scim.as_ref().expect("a SCIM error");
        assert_eq!(
            scim.detail.as_deref(),
            Some("token [redacted] refused"),
            "{form}"
        );
        assert_eq!(
            scim.scim_type,
            Some(ScimType::Other(REDACTED.into())),
            "{form}"
        );
        assert_eq!(api.headers["x-echo"], REDACTED, "{form}");
        assert_eq!(
            api.retry_after,
            Some(RetryAfter::Invalid(REDACTED.into())),
            "{form}"
        );
        let challenge = api.headers["www-authenticate"].to_str().unwrap();
        assert!(
            challenge.contains("[redacted] expired"),
            "{form}: {challenge}"
        );
        assert_eq!(api.body_text().matches(REDACTED).count(), 2, "{form}");
    }

    /// Every echoed form against a server on 127.0.0.1, through the client
    /// `make` builds with [`OAUTH_LIKE`]: the refusal and the undecodable user
    /// show nothing of the token, nor do the log and the trace of the calls.
    fn every_echoed_form_is_scrubbed<C: Exec>(make: impl Fn(ClientOptions) -> C) {
        logs::capture();
        for (form, echo) in ECHOES {
            let server = TestServer::start(vec![refusal(echo), undecodable(echo)]);
            let client = make(ClientOptions {
                retry_handlers: RetryHandlers::none(),
                ..fast_options(server.base_url())
            });
            let read = || client.run(client.endpoint().read_user("W1").unwrap());
            let ((refused, undecodable), trace) = traces::traced(|| (read(), read()));
            let refused = refused.unwrap_err();
            assert_eq!(
                refused.status(),
                Some(http::StatusCode::UNAUTHORIZED),
                "{form}"
            );
            assert_hidden_in(form, &refused);
            assert_replaced(form, &refused);
            let undecodable = undecodable.unwrap_err();
            assert!(
                matches!(undecodable, Error::Decode { .. }),
                "{form}: {undecodable}"
            );
            assert_hidden_in(form, &undecodable);
            traces::assert_hidden_in(form, &trace);
            logs::assert_hidden_in(form, "x-echo: [redacted]");
        }
    }

    #[cfg(feature = "ureq")]
    #[test]
    fn the_ureq_client_scrubs_every_echoed_form_of_its_token() {
        every_echoed_form_is_scrubbed(|options| {
            ScimClient::with_options(OAUTH_LIKE, options).unwrap()
        });
    }

    #[cfg(feature = "surf-rustls")]
    #[test]
    fn the_surf_client_scrubs_every_echoed_form_of_its_token() {
        every_echoed_form_is_scrubbed(|options| {
            let transport =
                scim_client::transports::surf::SurfTransport::from_options(&options).unwrap();
            AsyncScimClient::with_transport(OAUTH_LIKE, options, transport).unwrap()
        });
    }

    #[cfg(feature = "tokio")]
    #[test]
    fn the_tokio_client_scrubs_every_echoed_form_of_its_token() {
        every_echoed_form_is_scrubbed(|options| {
            OnTokio::new(|| AsyncScimClient::with_options(OAUTH_LIKE, options)).unwrap()
        });
    }

    /// What `tracing` records during a call (feature `tracing`).
    mod traces {
        #[cfg(feature = "tracing")]
        pub use crate::support::traces::traced;

        /// Without the feature there is no trace.
        #[cfg(not(feature = "tracing"))]
        pub fn traced<T>(run: impl FnOnce() -> T) -> (T, String) {
            (run(), String::new())
        }

        /// No field or event shows the token; with feature `tracing`, the
        /// calls were traced.
        pub fn assert_hidden_in(form: &str, trace: &str) {
            super::assert_hidden(&format!("{form}: the trace"), trace);
            if cfg!(feature = "tracing") {
                assert!(trace.contains("status=401"), "{form}: {trace}");
            }
        }
    }
}
