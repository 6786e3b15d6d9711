//! A custom retry handler, the Python SDK docs' `MyRetryHandler` word for
//! word: retry when the OS reports errno 104 (connection reset by peer),
//! with `BackoffRetryIntervalCalculator(backoff_factor=0.5, jitter=RandomJitter())`.
//! The OS error is reachable through `TransportError::io_error`, whatever
//! the transport, so no direct ureq dependency is needed.
//!
//! `cargo run --example custom_retry_handler` runs it against the in-memory
//! SCIM service, whose first answer is a connection reset on purpose, so the
//! handler's retry is what succeeds; with `SLACK_ORG_ADMIN_USER_TOKEN` set it
//! talks to Slack.

#[path = "common/mod.rs"]
mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

use scim_client::model::SearchRequest;
use scim_client::retry::{
    Attempt, BackoffRetryIntervalCalculator, RandomJitter, RetryHandler, RetryHandlers,
    RetryIntervalCalculator, RetryState,
};
use scim_client::transport::{HttpRequest, TransportError};
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

    fn can_retry(&self, _state: &RetryState, attempt: &Attempt<'_>) -> bool {
        // [Errno 104] Connection reset by peer
        attempt
            .error()
            .and_then(|error| error.io_error())
            .is_some_and(|error| error.raw_os_error() == Some(104))
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
            backoff_factor: 0.5,
            jitter: Arc::new(RandomJitter),
            ..BackoffRetryIntervalCalculator::default()
        },
    });
    let options = ClientOptions {
        retry_handlers,
        ..ClientOptions::default()
    };

    let client = match std::env::var("SLACK_ORG_ADMIN_USER_TOKEN") {
        Ok(token) => ScimClient::with_options(&token, options)?,
        // No token: the in-memory SCIM service behind a transport whose
        // first attempt fails with a connection reset.
        Err(_) => {
            let service = common::seeded_service();
            let attempts = AtomicU32::new(0);
            let flaky = move |request: HttpRequest| {
                if attempts.fetch_add(1, Ordering::SeqCst) == 0 {
                    // What a socket reports for a reset: errno 104 (ECONNRESET).
                    return Err(TransportError::maybe_sent(
                        std::io::Error::from_raw_os_error(104),
                    ));
                }
                Ok(service.handle(&request))
            };
            ScimClient::with_transport("xoxp-in-memory", options, flaky)?
        }
    };

    let page = client.search_users(&SearchRequest::new().start_index(1).count(5))?;
    println!("{} users", page.resources.len());
    Ok(())
}
