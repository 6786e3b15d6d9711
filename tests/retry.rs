//! The retry engine and the call state machine, with no network and no real
//! waiting: decision tables for every built-in handler, handler order, how
//! `max_retry_count` counts, the attempt cap, and determinism of jitter.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::{Method, Request, Response};
use scim_client::engine::{Call, Step};
use scim_client::retry::{
    Attempt, BackoffRetryIntervalCalculator, ConnectionErrorRetryHandler,
    FixedValueRetryIntervalCalculator, MAX_ATTEMPTS, NoJitter, Outcome, RandomJitter,
    RateLimitErrorRetryHandler, RetryHandler, RetryHandlers, RetryIntervalCalculator, RetryQuota,
    RetryState, ServerErrorRetryHandler,
};
use scim_client::transport::{
    HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind,
};
use scim_client::{BearerToken, ClientOptions, Endpoint, Error, ScimClient};

const NOW_SECS: u64 = 1_700_000_000;

fn now() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(NOW_SECS)
}

fn request(method: Method) -> HttpRequest {
    Request::builder()
        .method(method)
        .uri("https://example.com/Users")
        .body(Vec::new())
        .unwrap()
}

fn response(status: u16, retry_after: Option<&str>) -> HttpResponse {
    let mut builder = Response::builder().status(status);
    if let Some(value) = retry_after {
        builder = builder.header("Retry-After", value);
    }
    builder.body(Vec::new()).unwrap()
}

fn failure(kind: TransportErrorKind) -> TransportError {
    TransportError::new(kind, "test failure")
}

/// The wait `handler` asks for, or `None` when it does not retry.
fn wait(
    handler: impl RetryHandler + 'static,
    method: Method,
    outcome: Result<HttpResponse, TransportError>,
) -> Option<Duration> {
    wait_with(handler, method, outcome, &mut RetryState::default(), 0.25)
}

fn wait_with(
    handler: impl RetryHandler + 'static,
    method: Method,
    outcome: Result<HttpResponse, TransportError>,
    state: &mut RetryState,
    random: f64,
) -> Option<Duration> {
    let mut handlers = RetryHandlers::none();
    handlers.push(handler);
    let request = request(method);
    let outcome = match &outcome {
        Ok(r) => Outcome::Response(r),
        Err(e) => Outcome::Failed(e),
    };
    let attempt = Attempt {
        request: &request,
        outcome,
        now: now(),
        random,
    };
    handlers.decide(state, &attempt).map(|d| d.delay)
}

fn fixed(ms: u64) -> Arc<dyn RetryIntervalCalculator> {
    Arc::new(FixedValueRetryIntervalCalculator::new(
        Duration::from_millis(ms),
    ))
}

fn connection(retry_non_idempotent: bool) -> ConnectionErrorRetryHandler {
    ConnectionErrorRetryHandler {
        interval_calculator: fixed(10),
        retry_non_idempotent,
        ..ConnectionErrorRetryHandler::new(1)
    }
}

fn rate_limit() -> RateLimitErrorRetryHandler {
    RateLimitErrorRetryHandler {
        jitter: Arc::new(NoJitter),
        fallback_interval: fixed(500),
        ..RateLimitErrorRetryHandler::new(1)
    }
}

fn server(retry_non_idempotent: bool) -> ServerErrorRetryHandler {
    ServerErrorRetryHandler {
        interval_calculator: fixed(20),
        retry_non_idempotent,
        ..ServerErrorRetryHandler::new(1)
    }
}

const MS10: Option<Duration> = Some(Duration::from_millis(10));

#[test]
fn connection_handler_decision_table() {
    use TransportErrorKind::*;
    let cases = [
        // (kind, method, opt-in to non-idempotent, expected wait)
        (NotSent, Method::GET, false, MS10),
        (NotSent, Method::POST, false, MS10),
        (NotSent, Method::PATCH, false, MS10),
        (MaybeSent, Method::GET, false, MS10),
        (MaybeSent, Method::PUT, false, MS10),
        (MaybeSent, Method::DELETE, false, MS10),
        (MaybeSent, Method::POST, false, None),
        (MaybeSent, Method::PATCH, false, None),
        (MaybeSent, Method::POST, true, MS10),
        (TimedOut, Method::GET, false, MS10),
        (TimedOut, Method::POST, false, None),
        (TimedOut, Method::PATCH, true, MS10),
        (Invalid, Method::GET, false, None),
        (ResponseTooLarge, Method::GET, false, None),
    ];
    for (kind, method, opt_in, expected) in cases {
        let got = wait(connection(opt_in), method.clone(), Err(failure(kind)));
        assert_eq!(got, expected, "{kind:?} {method} opt-in={opt_in}");
    }
    assert_eq!(
        wait(connection(true), Method::GET, Ok(response(500, None))),
        None,
        "responses are not its business"
    );
}

#[test]
fn rate_limit_handler_decision_table() {
    let secs = |s: f64| Some(Duration::from_secs_f64(s));
    let in_7s = httpdate(NOW_SECS + 7);
    let past = httpdate(NOW_SECS - 100);
    let cases: Vec<(Option<&str>, Option<Duration>)> = vec![
        (Some("3"), secs(3.0)),
        (Some("1.5"), secs(1.5)),
        (Some("0"), secs(0.0)),
        (Some(in_7s.as_str()), secs(7.0)),
        (Some(past.as_str()), secs(0.0)),
        (Some("soon"), secs(0.5)), // garbage: the fallback interval
        (Some("-3"), secs(0.5)),
        (None, secs(0.5)),        // missing: the fallback interval
        (Some("60"), secs(60.0)), // exactly the cap is still taken
        (Some("61"), None),       // past the cap: stop, return the 429
    ];
    for (header, expected) in cases {
        assert_eq!(
            wait(rate_limit(), Method::GET, Ok(response(429, header))),
            expected,
            "Retry-After {header:?}"
        );
    }
    // A 429 was not processed, so even a POST is retried.
    assert_eq!(
        wait(rate_limit(), Method::POST, Ok(response(429, Some("2")))),
        secs(2.0)
    );
    assert_eq!(
        wait(rate_limit(), Method::GET, Ok(response(503, Some("2")))),
        None
    );
    assert_eq!(
        wait(
            rate_limit(),
            Method::GET,
            Err(failure(TransportErrorKind::NotSent))
        ),
        None
    );
}

#[test]
fn rate_limit_wait_cap_is_configurable_and_jitter_is_added() {
    let capped = RateLimitErrorRetryHandler {
        max_wait: Duration::from_secs(5),
        ..rate_limit()
    };
    assert_eq!(
        wait(capped.clone(), Method::GET, Ok(response(429, Some("5")))),
        Some(Duration::from_secs(5))
    );
    assert_eq!(
        wait(capped, Method::GET, Ok(response(429, Some("6")))),
        None
    );
    let jittered = RateLimitErrorRetryHandler {
        jitter: Arc::new(RandomJitter),
        ..rate_limit()
    };
    assert_eq!(
        wait(jittered, Method::GET, Ok(response(429, Some("3")))),
        Some(Duration::from_millis(3250))
    );
}

#[test]
fn server_error_handler_decision_table() {
    let ms20 = Some(Duration::from_millis(20));
    let cases = [
        (500, Method::GET, false, ms20),
        (503, Method::DELETE, false, ms20),
        (503, Method::PUT, false, ms20),
        (502, Method::GET, false, None),
        (504, Method::GET, false, None),
        (500, Method::POST, false, None),
        (503, Method::PATCH, false, None),
        (500, Method::POST, true, ms20),
        (429, Method::GET, false, None),
        (404, Method::GET, false, None),
    ];
    for (status, method, opt_in, expected) in cases {
        assert_eq!(
            wait(server(opt_in), method.clone(), Ok(response(status, None))),
            expected,
            "{status} {method}"
        );
    }
    let gateways = ServerErrorRetryHandler {
        statuses: vec![
            http::StatusCode::BAD_GATEWAY,
            http::StatusCode::GATEWAY_TIMEOUT,
        ],
        ..server(false)
    };
    assert_eq!(
        wait(gateways.clone(), Method::GET, Ok(response(502, None))),
        ms20
    );
    assert_eq!(wait(gateways, Method::GET, Ok(response(500, None))), None);
}

#[test]
fn backoff_is_factor_times_two_to_the_attempt_plus_jitter() {
    let backoff = BackoffRetryIntervalCalculator::default();
    let expected = [0.5, 1.0, 2.0, 4.0, 8.0];
    for (attempt, base) in expected.iter().enumerate() {
        let got = backoff.calculate_sleep_duration(attempt as u32, 0.75);
        assert_eq!(
            got,
            Duration::from_secs_f64(base + 0.75),
            "attempt {attempt}"
        );
    }
    let capped = BackoffRetryIntervalCalculator {
        max_interval: Some(Duration::from_secs(3)),
        ..BackoffRetryIntervalCalculator::default()
    };
    assert_eq!(
        capped.calculate_sleep_duration(4, 0.5),
        Duration::from_secs_f64(3.5),
        "the cap applies before jitter"
    );
    let no_jitter = BackoffRetryIntervalCalculator {
        jitter: Arc::new(NoJitter),
        ..BackoffRetryIntervalCalculator::new(0.1)
    };
    assert_eq!(
        no_jitter.calculate_sleep_duration(3, 0.99),
        Duration::from_secs_f64(0.8)
    );
    // Huge attempts saturate instead of overflowing.
    assert_eq!(
        no_jitter.calculate_sleep_duration(u32::MAX, 0.0),
        Duration::MAX
    );
    let fixed = FixedValueRetryIntervalCalculator::default();
    for attempt in 0..10 {
        assert_eq!(
            fixed.calculate_sleep_duration(attempt, 0.9),
            Duration::from_millis(500)
        );
    }
}

/// A handler that always wants to retry, after a fixed wait, counting its calls.
#[derive(Debug)]
struct Always {
    max: u32,
    wait: Duration,
    asked: Arc<AtomicU32>,
}

impl RetryHandler for Always {
    fn max_retry_count(&self) -> u32 {
        self.max
    }
    fn can_retry(&self, _: &RetryState, _: &Attempt<'_>) -> bool {
        self.asked.fetch_add(1, Ordering::SeqCst);
        true
    }
    fn retry_delay(&self, _: &mut RetryState, _: &Attempt<'_>) -> Option<Duration> {
        Some(self.wait)
    }
}

fn always(max: u32, wait_ms: u64) -> (Always, Arc<AtomicU32>) {
    let asked = Arc::new(AtomicU32::new(0));
    (
        Always {
            max,
            wait: Duration::from_millis(wait_ms),
            asked: asked.clone(),
        },
        asked,
    )
}

#[test]
fn the_first_handler_that_can_retry_decides() {
    let (first, first_asked) = always(5, 1);
    let (second, second_asked) = always(5, 2);
    let mut handlers = RetryHandlers::none();
    handlers.push(first);
    handlers.push(second);
    let req = request(Method::GET);
    let resp = response(500, None);
    let attempt = Attempt {
        request: &req,
        outcome: Outcome::Response(&resp),
        now: now(),
        random: 0.0,
    };
    let decision = handlers
        .decide(&mut RetryState::default(), &attempt)
        .unwrap();
    assert_eq!(decision.delay, Duration::from_millis(1));
    assert_eq!(decision.handler, "Always");
    assert_eq!(
        (
            first_asked.load(Ordering::SeqCst),
            second_asked.load(Ordering::SeqCst)
        ),
        (1, 0)
    );
}

#[test]
fn a_handler_that_cannot_retry_hands_over_to_the_next() {
    let mut handlers = RetryHandlers::none();
    handlers.push(server(false));
    handlers.push(rate_limit());
    let req = request(Method::GET);
    let resp = response(429, Some("1"));
    let attempt = Attempt {
        request: &req,
        outcome: Outcome::Response(&resp),
        now: now(),
        random: 0.0,
    };
    let decision = handlers
        .decide(&mut RetryState::default(), &attempt)
        .unwrap();
    assert_eq!(decision.handler, "RateLimitErrorRetryHandler");
    assert_eq!(decision.delay, Duration::from_secs(1));
}

#[test]
fn max_retry_count_is_shared_by_all_handlers_of_a_call() {
    let mut handlers = RetryHandlers::none();
    handlers.push(connection(false));
    handlers.push(rate_limit());
    let mut state = RetryState::default();
    let req = request(Method::GET);
    let limited = response(429, Some("0"));
    let first = Attempt {
        request: &req,
        outcome: Outcome::Response(&limited),
        now: now(),
        random: 0.0,
    };
    assert!(handlers.decide(&mut state, &first).is_some());
    assert_eq!(state.current_attempt, 1);
    // The connection handler allows one retry, and the call has made one.
    let reset = failure(TransportErrorKind::NotSent);
    let second = Attempt {
        request: &req,
        outcome: Outcome::Failed(&reset),
        now: now(),
        random: 0.0,
    };
    assert_eq!(handlers.decide(&mut state, &second), None);
    assert_eq!(state.total_waited, Duration::ZERO);
}

/// Drives a call over scripted outcomes, never sleeping; returns the result,
/// the attempts made and the waits asked for.
fn drive<T>(
    mut call: Call<T>,
    mut script: Vec<Result<HttpResponse, TransportError>>,
) -> (Result<T, Error>, usize, Vec<Duration>) {
    script.reverse();
    let mut sent = 0;
    let mut waits = Vec::new();
    loop {
        sent += 1;
        let outcome = script
            .pop()
            .expect("the call sent more requests than scripted");
        match call.handle(outcome, now()) {
            Step::Done(result) => return (result, sent, waits),
            Step::Retry(wait) => {
                waits.push(wait.delay());
                call = wait.resume();
            }
        }
    }
}

fn endpoint() -> Endpoint {
    Endpoint::new(BearerToken::new("xoxp-retry").unwrap())
}

fn ok_user() -> HttpResponse {
    Response::builder()
        .status(200)
        .body(br#"{"id":"W1","userName":"ada"}"#.to_vec())
        .unwrap()
}

#[test]
fn a_429_then_a_200_retries_once_after_the_retry_after() {
    let mut handlers = RetryHandlers::default();
    handlers.push(rate_limit());
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers, 7);
    let (result, sent, waits) = drive(call, vec![Ok(response(429, Some("2"))), Ok(ok_user())]);
    assert_eq!(result.unwrap().user_name.as_deref(), Some("ada"));
    assert_eq!((sent, waits), (2, vec![Duration::from_secs(2)]));
}

#[test]
fn max_retry_count_two_gives_three_attempts_then_the_error() {
    // As the Python SDK's test: the predicate is asked twice, three requests go out.
    let (handler, asked) = always(2, 0);
    let mut handlers = RetryHandlers::none();
    handlers.push(handler);
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers, 7);
    let script = (0..3)
        .map(|_| Err(failure(TransportErrorKind::MaybeSent)))
        .collect();
    let (result, sent, waits) = drive(call, script);
    assert!(
        matches!(result, Err(Error::Transport(e)) if e.kind() == TransportErrorKind::MaybeSent)
    );
    assert_eq!(sent, 3);
    assert_eq!(waits.len(), 2);
    assert_eq!(asked.load(Ordering::SeqCst), 2);
}

#[test]
fn no_handler_can_push_a_call_past_the_attempt_cap() {
    let (handler, _) = always(u32::MAX, 0);
    let mut handlers = RetryHandlers::none();
    handlers.push(handler);
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers, 7);
    let script = (0..MAX_ATTEMPTS + 5)
        .map(|_| Ok(response(500, None)))
        .collect();
    let (result, sent, _) = drive(call, script);
    assert_eq!(sent, MAX_ATTEMPTS as usize);
    assert_eq!(
        result.unwrap_err().status(),
        Some(http::StatusCode::INTERNAL_SERVER_ERROR)
    );
}

#[test]
fn the_final_429_is_returned_with_its_retry_after_when_the_wait_is_too_long() {
    let mut handlers = RetryHandlers::none();
    handlers.push(rate_limit());
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers, 7);
    let (result, sent, _) = drive(call, vec![Ok(response(429, Some("3600")))]);
    assert_eq!(sent, 1);
    let err = result.unwrap_err();
    let api = err.api_error().unwrap();
    assert_eq!(api.status, 429);
    assert_eq!(
        api.retry_after,
        Some(scim_client::RetryAfter::Delay(Duration::from_secs(3600)))
    );
}

#[test]
fn a_post_that_may_have_been_sent_is_not_retried_by_default() {
    let call = Call::new(
        endpoint()
            .create_user(&serde_json::json!({"userName": "x"}))
            .unwrap(),
        RetryHandlers::default(),
        7,
    );
    let (result, sent, _) = drive(call, vec![Err(failure(TransportErrorKind::MaybeSent))]);
    assert_eq!(sent, 1);
    assert!(matches!(result, Err(Error::Transport(_))));
    // …while one that never left is.
    let call = Call::new(
        endpoint()
            .create_user(&serde_json::json!({"userName": "x"}))
            .unwrap(),
        RetryHandlers::default(),
        7,
    );
    let created = Response::builder()
        .status(201)
        .body(br#"{"id":"W2"}"#.to_vec())
        .unwrap();
    let (result, sent, _) = drive(
        call,
        vec![Err(failure(TransportErrorKind::NotSent)), Ok(created)],
    );
    assert_eq!(sent, 2);
    assert_eq!(result.unwrap().id.as_deref(), Some("W2"));
}

#[test]
fn an_oversize_body_ends_the_call_without_a_retry() {
    let call = Call::new(
        endpoint().read_user("W1").unwrap(),
        RetryHandlers::all_builtin(),
        7,
    )
    .with_max_body_size(16);
    let big = Response::builder()
        .status(200)
        .body(vec![b' '; 17])
        .unwrap();
    let (result, sent, _) = drive(call, vec![Ok(big)]);
    assert_eq!(sent, 1);
    assert!(
        matches!(result, Err(Error::Transport(e)) if e.kind() == TransportErrorKind::ResponseTooLarge)
    );
}

#[test]
fn the_same_seed_gives_the_same_jittered_waits() {
    let run = |seed| {
        let handlers = RetryHandlers::all_builtin();
        let mut call = Call::new(endpoint().read_user("W1").unwrap(), handlers, seed);
        let Step::Retry(wait) = call.handle(Ok(response(500, None)), now()) else {
            panic!("expected a retry")
        };
        let delay = wait.delay();
        call = wait.resume();
        drop(call);
        delay
    };
    assert_eq!(run(42), run(42));
    assert_ne!(run(42), run(43));
    let delay = run(42);
    assert!(
        delay >= Duration::from_millis(500) && delay < Duration::from_millis(1500),
        "{delay:?}"
    );
}

/// A transport that answers from a script and records sleeps instead of sleeping.
struct Scripted {
    script: Mutex<Vec<Result<HttpResponse, TransportError>>>,
    sent: Mutex<Vec<String>>,
    slept: Mutex<Vec<Duration>>,
}

impl Scripted {
    fn new(mut script: Vec<Result<HttpResponse, TransportError>>) -> Arc<Scripted> {
        script.reverse();
        Arc::new(Scripted {
            script: Mutex::new(script),
            sent: Mutex::default(),
            slept: Mutex::default(),
        })
    }
}

/// The client owns its transport; the test keeps a second handle to read what happened.
struct Shared(Arc<Scripted>);

impl Transport for Shared {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let this = &self.0;
        this.sent
            .lock()
            .unwrap()
            .push(format!("{} {}", request.method(), request.uri().path()));
        this.script
            .lock()
            .unwrap()
            .pop()
            .expect("unscripted request")
    }
    fn sleep(&self, duration: Duration) {
        self.0.slept.lock().unwrap().push(duration);
    }
    fn now(&self) -> SystemTime {
        now()
    }
}

/// The Python SDK docs' `MyRetryHandler`: retry on "connection reset by peer".
#[derive(Debug)]
struct MyRetryHandler {
    max_retry_count: u32,
    calls: AtomicU32,
}

impl RetryHandler for MyRetryHandler {
    fn max_retry_count(&self) -> u32 {
        self.max_retry_count
    }
    fn can_retry(&self, _: &RetryState, attempt: &Attempt<'_>) -> bool {
        self.calls.fetch_add(1, Ordering::SeqCst);
        attempt
            .error()
            .is_some_and(|e| e.kind() == TransportErrorKind::MaybeSent)
    }
}

/// A handler that names itself, as a log should show it.
#[derive(Debug)]
struct Named;

impl RetryHandler for Named {
    fn max_retry_count(&self) -> u32 {
        1
    }
    fn can_retry(&self, _: &RetryState, _: &Attempt<'_>) -> bool {
        true
    }
    fn name(&self) -> &str {
        "okta-backoff"
    }
}

#[test]
fn a_decision_names_its_handler_by_name_or_by_short_type_name() {
    let req = request(Method::GET);
    let resp = response(503, None);
    let attempt = Attempt {
        request: &req,
        outcome: Outcome::Response(&resp),
        now: now(),
        random: 0.0,
    };
    let mut handlers = RetryHandlers::none();
    handlers.push(Named);
    let decision = handlers
        .decide(&mut RetryState::default(), &attempt)
        .unwrap();
    assert_eq!(decision.handler, "okta-backoff");

    // MyRetryHandler keeps the default name and retries only transport errors.
    let failed = failure(TransportErrorKind::MaybeSent);
    let attempt = Attempt {
        outcome: Outcome::Failed(&failed),
        ..attempt
    };
    let mut handlers = RetryHandlers::none();
    handlers.push(MyRetryHandler {
        max_retry_count: 1,
        calls: AtomicU32::new(0),
    });
    let decision = handlers
        .decide(&mut RetryState::default(), &attempt)
        .unwrap();
    assert_eq!(decision.handler, "MyRetryHandler");
    assert_eq!(
        ServerErrorRetryHandler::new(1).name(),
        "ServerErrorRetryHandler"
    );
}

#[test]
fn the_blocking_client_sleeps_through_its_transport_and_uses_custom_handlers() {
    let transport = Scripted::new(vec![
        Err(failure(TransportErrorKind::MaybeSent)),
        Err(failure(TransportErrorKind::MaybeSent)),
        Err(failure(TransportErrorKind::MaybeSent)),
    ]);
    let mut options = ClientOptions {
        retry_handlers: RetryHandlers::none(),
        ..ClientOptions::default()
    };
    options.retry_handlers.push(MyRetryHandler {
        max_retry_count: 2,
        calls: AtomicU32::new(0),
    });
    let client = ScimClient::with_transport("xoxp-1", options, Shared(transport.clone())).unwrap();
    let err = client.read_user("W1").unwrap_err();
    assert!(matches!(err, Error::Transport(_)));
    assert_eq!(transport.sent.lock().unwrap().len(), 3);
    let slept = transport.slept.lock().unwrap().clone();
    assert_eq!(slept.len(), 2);
    // The default backoff: [0.5, 1.5) then [1, 2) seconds.
    assert!(
        slept[0] >= Duration::from_millis(500) && slept[0] < Duration::from_millis(1500),
        "{slept:?}"
    );
    assert!(
        slept[1] >= Duration::from_secs(1) && slept[1] < Duration::from_secs(2),
        "{slept:?}"
    );
}

#[test]
fn a_closure_is_a_transport() {
    let client = ScimClient::with_transport(
        "xoxp-1",
        ClientOptions::default(),
        |request: HttpRequest| {
            assert_eq!(request.uri(), "https://api.slack.com/scim/v1/Users/W1");
            Ok(ok_user())
        },
    )
    .unwrap();
    assert_eq!(client.read_user("W1").unwrap().id.as_deref(), Some("W1"));
}

/// RFC 9110 IMF-fixdate for a Unix time, written here independently of the crate's parser.
fn httpdate(unix: u64) -> String {
    let days = unix / 86_400;
    let secs = unix % 86_400;
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][(days % 7) as usize];
    // Civil-from-days (Howard Hinnant), for dates after 1970.
    let z = days as i64 + 719_468;
    let era = z / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{weekday}, {day:02} {} {year} {:02}:{:02}:{:02} GMT",
        months[(month - 1) as usize],
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

#[test]
fn the_rate_limit_cap_is_on_the_servers_wait_before_jitter() {
    // With jitter on, every draw gives the same answer for the same header.
    for random in [0.0, 0.25, 0.5, 0.999_999] {
        let decide = |value: &str| {
            let handler = RateLimitErrorRetryHandler::new(1); // RandomJitter, 60 s cap
            wait_with(
                handler,
                Method::GET,
                Ok(response(429, Some(value))),
                &mut RetryState::default(),
                random,
            )
        };
        let jitter = Duration::from_secs_f64(random);
        assert_eq!(decide("59.5"), Some(Duration::from_secs_f64(59.5) + jitter));
        assert_eq!(
            decide("60"),
            Some(Duration::from_secs(60) + jitter),
            "at the cap"
        );
        assert_eq!(decide("60.001"), None, "over the cap, whatever the jitter");
    }
}

#[test]
fn no_configuration_of_handlers_waits_past_the_total_wait_limit() {
    // Twenty server-error retries with the default backoff (0.5·2^n s) would
    // wait for days; the call stops once the next wait would pass 5 minutes.
    let mut handlers = RetryHandlers::none();
    handlers.push(ServerErrorRetryHandler::new(20));
    assert_eq!(
        handlers.total_wait_limit(),
        RetryHandlers::DEFAULT_TOTAL_WAIT_LIMIT
    );
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers, 7);
    let script = (0..21).map(|_| Ok(response(503, None))).collect();
    let (result, sent, waits) = drive(call, script);
    let total: Duration = waits.iter().sum();
    assert!(total <= Duration::from_secs(300), "{total:?}");
    assert_eq!(result.unwrap_err().status().map(|s| s.as_u16()), Some(503));
    // 0.5 + 1 + 2 + … + 128 s (each plus under a second of jitter) fits;
    // the tenth wait, 256 s, would not.
    assert_eq!((sent, waits.len()), (10, 9), "{waits:?}");

    // A huge count cannot reach Duration::MAX either, and a tighter limit applies.
    let (always, _) = always(u32::MAX, 40_000);
    let mut handlers = RetryHandlers::none().with_total_wait_limit(Duration::from_secs(100));
    handlers.push(always);
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers, 7);
    let script = (0..4).map(|_| Ok(response(503, None))).collect();
    let (_, sent, waits) = drive(call, script);
    assert_eq!(
        (sent, waits.len()),
        (3, 2),
        "40 s + 40 s fit in 100 s, a third does not"
    );
}

#[test]
fn a_hostile_retry_after_on_a_500_is_an_error_never_a_panic() {
    for handlers in [RetryHandlers::none(), RetryHandlers::all_builtin()] {
        let options = ClientOptions {
            retry_handlers: handlers,
            ..ClientOptions::default()
        };
        let transport = |_: HttpRequest| -> Result<HttpResponse, TransportError> {
            Ok(response(500, Some("a Jan 1 0:0:0 400000000000")))
        };
        let client = ScimClient::with_transport("xoxp-1", options, transport).unwrap();
        let err = client.read_user("W1").unwrap_err();
        let api = err.api_error().expect("the 500 is returned");
        assert_eq!(
            api.retry_after,
            Some(scim_client::RetryAfter::Invalid(
                "a Jan 1 0:0:0 400000000000".into()
            ))
        );
    }
}

/// A handler that retries nothing and forbids retrying a 503: an operator's
/// rule ("this provider's 503 means maintenance, do not insist").
#[derive(Debug)]
struct No503;

impl RetryHandler for No503 {
    fn max_retry_count(&self) -> u32 {
        0
    }
    fn can_retry(&self, _: &RetryState, _: &Attempt<'_>) -> bool {
        false
    }
    fn forbids_retry(&self, _: &RetryState, attempt: &Attempt<'_>) -> bool {
        attempt.status() == Some(http::StatusCode::SERVICE_UNAVAILABLE)
    }
}

#[test]
fn a_handler_pushed_last_vetoes_a_retry_a_built_in_would_make() {
    let mut handlers = RetryHandlers::none();
    handlers.push(server(false));
    // Without the veto the built-in retries the 503 …
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers.clone(), 7);
    let (result, sent, _) = drive(call, vec![Ok(response(503, None)), Ok(ok_user())]);
    assert!(result.is_ok());
    assert_eq!(sent, 2);
    // … with it, the 503 is the answer, after one attempt; a 500 still retries.
    handlers.push(No503);
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers.clone(), 7);
    let (result, sent, _) = drive(call, vec![Ok(response(503, None))]);
    assert_eq!(
        result.unwrap_err().status(),
        Some(http::StatusCode::SERVICE_UNAVAILABLE)
    );
    assert_eq!(sent, 1);
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers, 7);
    let (result, sent, _) = drive(call, vec![Ok(response(500, None)), Ok(ok_user())]);
    assert!(result.is_ok());
    assert_eq!(sent, 2);
}

/// A transport that answers 503 to everything and counts what it served.
#[derive(Clone, Default)]
struct Failing(Arc<AtomicU32>);

impl Transport for Failing {
    fn send(&self, _: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(response(503, None))
    }
    fn sleep(&self, _: Duration) {}
}

#[test]
fn retries_of_many_clients_are_charged_to_one_shared_quota() {
    // Room for two retries in all (cost 5 each), whatever the handlers allow.
    let quota = RetryQuota::new(2 * RetryQuota::RETRY_COST);
    let mut handlers = RetryHandlers::none().with_quota(quota.clone());
    handlers.push(ServerErrorRetryHandler {
        interval_calculator: fixed(0),
        ..ServerErrorRetryHandler::new(5)
    });
    let options = || ClientOptions {
        retry_handlers: handlers.clone(),
        ..ClientOptions::default()
    };
    let served = Failing::default();
    let workers: Vec<ScimClient> = (0..4)
        .map(|_| ScimClient::with_transport("xoxp-q", options(), served.clone()).unwrap())
        .collect();
    for worker in &workers {
        assert!(worker.read_user("W1").is_err());
    }
    // 4 first attempts + the 2 retries the quota paid for, not 4 × 6.
    assert_eq!(served.0.load(Ordering::SeqCst), 6);
    assert_eq!(quota.available(), 0);
}

#[test]
fn a_success_gives_back_what_its_retries_spent() {
    let quota = RetryQuota::new(100);
    let mut handlers = RetryHandlers::none().with_quota(quota.clone());
    handlers.push(server(false));
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers.clone(), 7);
    let (result, _, _) = drive(call, vec![Ok(response(500, None)), Ok(ok_user())]);
    assert!(result.is_ok());
    assert_eq!(quota.available(), 100, "the retry's cost came back");
    // A failure after a retry keeps the cost spent.
    let call = Call::new(endpoint().read_user("W1").unwrap(), handlers, 7);
    let (result, _, _) = drive(call, vec![Ok(response(500, None)), Ok(response(404, None))]);
    assert!(result.is_err());
    assert_eq!(quota.available(), 100 - RetryQuota::RETRY_COST);
}

#[test]
fn a_handler_bounded_by_time_retries_429s_until_the_total_wait_limit() {
    let mut rate_limited = RateLimitErrorRetryHandler::bounded_by_time();
    rate_limited.jitter = Arc::new(NoJitter);
    let mut handlers = RetryHandlers::none().with_total_wait_limit(Duration::from_secs(60));
    handlers.push(rate_limited);
    let mut state = RetryState::default();
    let req = request(Method::POST);
    let limited = response(429, Some("7"));
    let attempt = Attempt {
        request: &req,
        outcome: Outcome::Response(&limited),
        now: now(),
        random: 0.0,
    };
    let mut retries = 0;
    while handlers.decide(&mut state, &attempt).is_some() {
        retries += 1;
        assert!(retries < 100, "bounded");
    }
    // 8 waits of 7 s fit in 60 s, a ninth would not: more than a count of 2.
    assert_eq!(retries, 8);
    assert_eq!(state.total_waited, Duration::from_secs(56));
}
