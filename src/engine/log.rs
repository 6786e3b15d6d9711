//! Debug logs of requests, responses and retries (feature `log`), with every
//! credential header shown as [`REDACTED`](crate::REDACTED), and every
//! secret of the request scrubbed, in any form, from what the server or the
//! transport said. Without the feature these are no-ops.

use crate::engine::call::Wait;
use crate::transport::{HttpRequest, HttpResponse, TransportError};

#[cfg(feature = "log")]
fn headers(map: &http::HeaderMap) -> String {
    use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, SET_COOKIE};
    let shown: Vec<String> = map
        .iter()
        .map(|(name, value)| {
            let secret = value.is_sensitive()
                || [AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE, SET_COOKIE].contains(name);
            let value = if secret {
                crate::REDACTED.into()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            format!("{name}: {value}")
        })
        .collect();
    shown.join(", ")
}

/// Logs a request about to be sent.
pub(crate) fn request(request: &HttpRequest) {
    #[cfg(feature = "log")]
    log::debug!(
        "Sending a request - {} {}, body: {} bytes, headers: {{{}}}",
        request.method(),
        request.uri(),
        request.body().len(),
        headers(request.headers())
    );
    #[cfg(not(feature = "log"))]
    let _ = request;
}

/// Logs how an attempt ended; `request` says which credentials to scrub
/// from a transport's message.
pub(crate) fn result(request: &HttpRequest, result: &Result<HttpResponse, TransportError>) {
    // The secrets are gathered only for a line that is written: on every
    // call they were about 1% of a blocking call's CPU (`benches/e2e.rs`).
    #[cfg(feature = "log")]
    if !log::log_enabled!(log::Level::Debug) {
        return;
    }
    #[cfg(feature = "log")]
    match result {
        Ok(response) => {
            let secrets = crate::secrets::Secrets::of(request.headers());
            log::debug!(
                "Received a response - status: {}, body: {} bytes, headers: {{{}}}",
                response.status(),
                response.body().len(),
                secrets.scrub(&headers(response.headers()))
            )
        }
        Err(error) => {
            let secrets = crate::secrets::Secrets::of(request.headers());
            log::debug!("The request failed - {}", secrets.scrub(&error.to_string()))
        }
    }
    #[cfg(not(feature = "log"))]
    let _ = (request, result);
}

/// Logs a decision to retry.
pub(crate) fn retry<T>(wait: &Wait<T>) {
    #[cfg(feature = "log")]
    log::debug!(
        "A retry handler found: {} - retry {} after {:?}",
        wait.handler(),
        wait.state().current_attempt,
        wait.delay()
    );
    #[cfg(not(feature = "log"))]
    let _ = wait;
}
