//! With feature `tracing`, each call is one `scim.call` span carrying its
//! method, path, attempts, status and retry waits, and nothing secret: no
//! header, no body, no query value.
#![cfg(feature = "tracing")]

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use scim_client::model::SearchRequest;
use scim_client::retry::{RateLimitErrorRetryHandler, RetryHandlers};
use scim_client::transport::{HttpRequest, HttpResponse, TransportError};
use scim_client::{ClientOptions, ScimClient};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

/// Everything the subscriber was told, as text.
#[derive(Clone, Default)]
struct Capture {
    text: Arc<Mutex<String>>,
    ids: Arc<AtomicU64>,
}

struct Fields<'a>(&'a mut String);

impl Visit for Fields<'_> {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        let _ = write!(self.0, "{}={:?} ", field.name(), value);
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &Attributes<'_>) -> Id {
        let mut text = self.text.lock().unwrap();
        let _ = write!(text, "\nspan {} ", span.metadata().name());
        span.record(&mut Fields(&mut text));
        Id::from_u64(self.ids.fetch_add(1, Ordering::SeqCst) + 1)
    }
    fn record(&self, _: &Id, values: &Record<'_>) {
        values.record(&mut Fields(&mut self.text.lock().unwrap()));
    }
    fn record_follows_from(&self, _: &Id, _: &Id) {}
    fn event(&self, event: &Event<'_>) {
        let mut text = self.text.lock().unwrap();
        text.push_str("\nevent ");
        event.record(&mut Fields(&mut text));
    }
    fn enter(&self, _: &Id) {}
    fn exit(&self, _: &Id) {}
}

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
    let capture = Capture::default();
    tracing::subscriber::with_default(capture.clone(), || {
        client
            .search_users(&SearchRequest::new().filter(r#"userName eq "filter-secret""#))
            .unwrap();
    });
    let text = capture.text.lock().unwrap().clone();
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
