//! A custom retry handler, like the Python SDK docs' `MyRetryHandler`:
//! retry when the connection was reset, with exponential backoff.
//!
//! Run with `cargo run --example custom_retry_handler`. The transport here
//! resets the first attempt and answers the second.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use http::Response;
use scim_client::retry::{
    Attempt, BackoffRetryIntervalCalculator, NoJitter, RetryHandler, RetryHandlers,
    RetryIntervalCalculator, RetryState,
};
use scim_client::transport::{HttpRequest, TransportError, TransportErrorKind};
use scim_client::{ClientOptions, Error, ScimClient};

#[derive(Debug)]
struct MyRetryHandler {
    max_retry_count: u32,
    interval_calculator: BackoffRetryIntervalCalculator,
}

impl RetryHandler for MyRetryHandler {
    fn max_retry_count(&self) -> u32 {
        self.max_retry_count
    }

    /// "[Errno 104] Connection reset by peer": the request may have arrived,
    /// so only idempotent requests are retried.
    fn can_retry(&self, _state: &RetryState, attempt: &Attempt<'_>) -> bool {
        attempt
            .error()
            .is_some_and(|e| e.kind() == TransportErrorKind::MaybeSent)
            && attempt.is_idempotent()
    }

    fn interval(&self) -> &dyn RetryIntervalCalculator {
        &self.interval_calculator
    }
}

fn main() -> Result<(), Error> {
    let mut retry_handlers = RetryHandlers::none();
    retry_handlers.push(MyRetryHandler {
        max_retry_count: 1,
        interval_calculator: BackoffRetryIntervalCalculator {
            backoff_factor: 0.05,
            jitter: Arc::new(NoJitter),
            ..BackoffRetryIntervalCalculator::default()
        },
    });
    let options = ClientOptions {
        retry_handlers,
        ..ClientOptions::default()
    };

    let attempts = AtomicU32::new(0);
    let flaky = move |_request: HttpRequest| {
        if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(TransportError::new(
                TransportErrorKind::MaybeSent,
                "connection reset by peer",
            ));
        }
        Response::builder()
            .status(200)
            .body(br#"{"id":"W1","userName":"ada"}"#.to_vec())
            .map_err(TransportError::invalid)
    };
    let client = ScimClient::with_transport("xoxp-example", options, flaky)?;
    let user = client.read_user("W1")?;
    println!(
        "read {:?} after one reset and one retry",
        user.user_name.as_deref()
    );
    Ok(())
}
