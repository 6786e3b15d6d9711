//! With feature `log`, requests, responses and retries are logged at debug
//! level and no credential ever reaches the log.
#![cfg(feature = "log")]

use std::sync::Mutex;

use http::{HeaderMap, HeaderValue, Response};
use scim_client::retry::{
    FixedValueRetryIntervalCalculator, RateLimitErrorRetryHandler, RetryHandlers,
};
use scim_client::transport::{HttpRequest, TransportError, TransportErrorKind};
use scim_client::{ClientOptions, ScimClient};

struct Capture(Mutex<Vec<String>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        self.0
            .lock()
            .unwrap()
            .push(format!("{} {}", record.level(), record.args()));
    }
    fn flush(&self) {}
}

static LOGS: Capture = Capture(Mutex::new(Vec::new()));

#[test]
fn a_call_with_a_retry_is_logged_without_any_credential() {
    log::set_logger(&LOGS).unwrap();
    log::set_max_level(log::LevelFilter::Debug);

    let mut defaults = HeaderMap::new();
    defaults.insert("cookie", HeaderValue::from_static("session=cookie-secret"));
    let mut handlers = RetryHandlers::default();
    handlers.push(RateLimitErrorRetryHandler {
        fallback_interval: std::sync::Arc::new(FixedValueRetryIntervalCalculator::new(
            std::time::Duration::ZERO,
        )),
        jitter: std::sync::Arc::new(scim_client::retry::NoJitter),
        // Retries are counted across handlers: one connection retry, then one 429 retry.
        ..RateLimitErrorRetryHandler::new(2)
    });
    let options = ClientOptions {
        default_headers: defaults,
        retry_handlers: handlers,
        ..ClientOptions::default()
    };
    let attempts = std::sync::atomic::AtomicU32::new(0);
    let client =
        ScimClient::with_transport("xoxp-token-secret", options, move |request: HttpRequest| {
            let attempt = attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            if attempt == 0 {
                // A transport whose message quotes the request's credentials.
                let echo = request.headers()["authorization"]
                    .to_str()
                    .unwrap()
                    .to_owned();
                return Err(TransportError::new(
                    TransportErrorKind::NotSent,
                    format!("proxy refused {echo}"),
                ));
            }
            let status = if attempt == 1 { 429 } else { 200 };
            // A fresh value: the server's echo is not marked sensitive.
            let echo =
                HeaderValue::from_bytes(request.headers()["authorization"].as_bytes()).unwrap();
            Ok(Response::builder()
                .status(status)
                .header("x-echo", echo)
                .header("retry-after", "0")
                .header("set-cookie", "b=set-cookie-secret")
                .body(br#"{"id":"W1"}"#.to_vec())
                .unwrap())
        })
        .unwrap();
    client.read_user("W1").unwrap();

    let logs = LOGS.0.lock().unwrap().join("\n");
    assert!(
        logs.contains("Sending a request - GET https://api.slack.com/scim/v1/Users/W1"),
        "{logs}"
    );
    assert!(logs.contains("status: 429"), "{logs}");
    assert!(logs.contains("proxy refused [redacted]"), "{logs}");
    assert!(
        logs.contains("A retry handler found: RateLimitErrorRetryHandler"),
        "{logs}"
    );
    assert!(logs.contains("authorization: [redacted]"), "{logs}");
    for secret in ["token-secret", "cookie-secret", "set-cookie-secret"] {
        assert!(
            !logs.contains(secret),
            "{secret} leaked into the log:\n{logs}"
        );
    }
}
