//! With feature `tracing`, each call is one `scim.call` span carrying its
//! method, path, attempts, status and retry waits, and nothing secret: no
//! header, no body, no query value.
#![cfg(feature = "tracing")]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use scim_client::model::SearchRequest;
use scim_client::retry::{RateLimitErrorRetryHandler, RetryHandlers};
use scim_client::transport::{HttpRequest, HttpResponse, TransportError};
use scim_client::{ClientOptions, ScimClient};
use support::traces::traced;

#[test]
fn a_call_is_one_span_with_its_attempts_status_and_waits_and_no_secret() {
    let attempts = Arc::new(AtomicUsize::new(0));
    let counter = attempts.clone();
    let transport = move |_: HttpRequest| -> Result<HttpResponse, TransportError> {
        let (status, retry_after) = match counter.fetch_add(1, Ordering::SeqCst) {
            0 => (429, "0"),
            _ => (200, "0"),
        };
        Ok(http::Response::builder()
            .status(status)
            .header("retry-after", retry_after)
            .body(br#"{"totalResults": 0, "Resources": []}"#.to_vec())
            .unwrap())
    };
    let mut handlers = RetryHandlers::none();
    handlers.push(RateLimitErrorRetryHandler {
        jitter: Arc::new(scim_client::retry::NoJitter),
        ..RateLimitErrorRetryHandler::new(1)
    });
    let options = ClientOptions {
        retry_handlers: handlers,
        ..ClientOptions::default()
    };
    let client = ScimClient::with_transport("xoxp-trace-secret", options, transport).unwrap();
    let ((), text) = traced(|| {
        client
            .search_users(&SearchRequest::new().filter(r#"userName eq "filter-secret""#))
            .unwrap();
    });
    assert!(
        text.contains("span scim.call method=GET path=\"/scim/v1/Users\""),
        "{text}"
    );
    for field in [
        "attempts=1",
        "status=429",
        "retries=1",
        "waited_ms=",
        "attempts=2",
        "status=200",
    ] {
        assert!(text.contains(field), "{field} missing:{text}");
    }
    assert!(text.contains("event message=retrying delay_ms=0"), "{text}");
    for secret in ["trace-secret", "filter-secret", "Bearer"] {
        assert!(!text.contains(secret), "{secret} reached the trace:{text}");
    }
}
