//! `Retry-After` on any bytes with fixed clocks: parsing, the wait from each
//! clock, the header path, and the full retry decision a 429 carrying it
//! gets. No panic; the parsed value agrees with the wait the call decides,
//! and no retry waits more than the 60 s cap plus one second of jitter.
#![no_main]

use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use libfuzzer_sys::fuzz_target;
use scim_client::engine::{Call, Step};
use scim_client::retry::{RateLimitErrorRetryHandler, RetryHandlers};
use scim_client::{BearerToken, Endpoint, RetryAfter};

/// The clocks: the epoch, 2026-11-23, 2100-01-01 and 9999-12-31T23:59:59.
const CLOCKS: [u64; 4] = [0, 1_795_392_000, 4_102_444_800, 253_402_300_799];

fn endpoint() -> &'static Endpoint {
    static ENDPOINT: OnceLock<Endpoint> = OnceLock::new();
    ENDPOINT.get_or_init(|| Endpoint::new(BearerToken::new("t").unwrap()))
}

fn handlers() -> &'static RetryHandlers {
    static HANDLERS: OnceLock<RetryHandlers> = OnceLock::new();
    HANDLERS.get_or_init(RetryHandlers::all_builtin)
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parsed = RetryAfter::parse(&text);
    let header = http::HeaderValue::from_bytes(data).ok();
    if let Some(value) = &header {
        let mut headers = http::HeaderMap::new();
        headers.insert(http::header::RETRY_AFTER, value.clone());
        assert_eq!(RetryAfter::from_headers(&headers).as_ref(), Some(&parsed));
    }
    for (i, &secs) in CLOCKS.iter().enumerate() {
        let now = UNIX_EPOCH + Duration::from_secs(secs);
        let delay = parsed.delay_from(now);
        match &parsed {
            RetryAfter::Delay(d) => assert_eq!(delay, Some(*d)),
            RetryAfter::Invalid(kept) => {
                assert_eq!(delay, None);
                assert_eq!(kept.as_str(), &*text);
            }
            RetryAfter::Date(date) => {
                let at = date.at(now);
                assert_eq!(
                    delay,
                    at.map(|at| at.duration_since(now).unwrap_or(Duration::ZERO))
                );
            }
        }
        let Some(value) = &header else { continue };
        decide(value.clone(), now, i as u64, delay);
    }
});

/// A 429 with this `Retry-After`, through the built-in handlers.
fn decide(value: http::HeaderValue, now: SystemTime, seed: u64, asked: Option<Duration>) {
    let Ok(response) = http::Response::builder()
        .status(429)
        .header(http::header::RETRY_AFTER, value)
        .body(Vec::new())
    else {
        return;
    };
    let operation = endpoint().read_user("W1").unwrap();
    let call = Call::new(
        operation,
        handlers().clone(),
        seed.wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    let cap = RateLimitErrorRetryHandler::DEFAULT_MAX_WAIT;
    match call.handle(Ok(response), now) {
        Step::Retry(wait) => {
            let delay = wait.delay();
            assert!(
                delay <= cap + Duration::from_secs(1),
                "{asked:?} waits {delay:?}"
            );
            match asked {
                // The server's wait plus at most one second of jitter.
                Some(asked) => {
                    assert!(asked <= cap, "{asked:?} is over the cap yet retried");
                    assert!(
                        asked <= delay && delay <= asked + Duration::from_secs(1),
                        "{asked:?} waits {delay:?}"
                    );
                }
                // No usable value: the first backoff step, 0.5 s plus jitter.
                None => assert!(
                    Duration::from_millis(500) <= delay && delay <= Duration::from_millis(1500),
                    "no Retry-After waits {delay:?}"
                ),
            }
        }
        Step::Done(result) => {
            assert!(result.is_err(), "a 429 is an error");
            assert!(
                matches!(asked, Some(asked) if asked > cap),
                "{asked:?} not retried"
            );
        }
    }
}
