//! Hardening: properties of the retry engine, secrets that must never show,
//! and every limit tested at its boundary.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use http::{HeaderMap, Method, Response};
use proptest::prelude::*;
use scim_client::engine::{Call, Step};
use scim_client::filter::{Filter, MAX_DEPTH};
use scim_client::retry::{
    BackoffRetryIntervalCalculator, ConnectionErrorRetryHandler, MAX_ATTEMPTS, RandomJitter,
    RateLimitErrorRetryHandler, RetryHandlers, ServerErrorRetryHandler,
};
use scim_client::transport::{HttpResponse, TransportError, TransportErrorKind};
use scim_client::{BearerToken, ClientOptions, Endpoint, Error, Operation, ScimClient};

// ---------------------------------------------------------------- retry properties

#[derive(Clone, Debug)]
enum Outcome {
    Status(u16, Option<String>),
    Failure(TransportErrorKind),
}

fn outcome() -> impl Strategy<Value = Outcome> {
    let retry_after = prop_oneof![
        Just(None),
        (0u64..200_000).prop_map(|s| Some(s.to_string())),
        (0.0f64..100.0).prop_map(|s| Some(format!("{s:.3}"))),
        Just(Some("Sun, 06 Nov 2094 08:49:37 GMT".to_owned())),
        "[ -~]{0,12}".prop_map(Some),
    ];
    prop_oneof![
        (
            prop::sample::select(vec![
                200u16, 201, 204, 400, 404, 409, 429, 500, 502, 503, 504
            ]),
            retry_after
        )
            .prop_map(|(s, r)| Outcome::Status(s, r)),
        prop::sample::select(vec![
            TransportErrorKind::NotSent,
            TransportErrorKind::MaybeSent,
            TransportErrorKind::TimedOut,
            TransportErrorKind::Invalid,
            TransportErrorKind::ResponseTooLarge,
        ])
        .prop_map(Outcome::Failure),
    ]
}

fn result(outcome: &Outcome) -> Result<HttpResponse, TransportError> {
    match outcome {
        Outcome::Status(status, retry_after) => {
            let mut builder = Response::builder().status(*status);
            if let Some(value) = retry_after {
                builder = builder.header("Retry-After", value.as_str());
            }
            Ok(builder.body(br#"{"id":"W1"}"#.to_vec()).unwrap())
        }
        Outcome::Failure(kind) => Err(TransportError::new(*kind, "injected")),
    }
}

const MAX_WAIT: Duration = Duration::from_secs(5);
const MAX_INTERVAL: Duration = Duration::from_secs(2);

fn handlers(retries: u32) -> RetryHandlers {
    let backoff = Arc::new(BackoffRetryIntervalCalculator {
        max_interval: Some(MAX_INTERVAL),
        jitter: Arc::new(RandomJitter),
        ..BackoffRetryIntervalCalculator::default()
    });
    let mut handlers = RetryHandlers::none();
    handlers.push(ConnectionErrorRetryHandler {
        interval_calculator: backoff.clone(),
        ..ConnectionErrorRetryHandler::new(retries)
    });
    handlers.push(RateLimitErrorRetryHandler {
        max_wait: MAX_WAIT,
        fallback_interval: backoff.clone(),
        ..RateLimitErrorRetryHandler::new(retries)
    });
    handlers.push(ServerErrorRetryHandler {
        interval_calculator: backoff,
        ..ServerErrorRetryHandler::new(retries)
    });
    handlers
}

/// An operation with `method`: the method is all the engine looks at.
fn operation(method: &Method) -> Operation<scim_client::ScimResponse> {
    let e = Endpoint::new(BearerToken::new("xoxp-prop").unwrap());
    let body = serde_json::json!({"userName": "a"});
    let body = matches!(*method, Method::POST | Method::PUT | Method::PATCH).then_some(&body);
    e.api_call(method.clone(), "Users/x", &[], body, &HeaderMap::new())
        .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_retry_engine_keeps_its_caps_and_never_repeats_an_unsafe_request(
        outcomes in prop::collection::vec(outcome(), 1..40),
        method in prop::sample::select(vec![Method::GET, Method::PUT, Method::DELETE, Method::POST, Method::PATCH]),
        retries in 0u32..8,
        seed in any::<u64>(),
    ) {
        let idempotent = matches!(method, Method::GET | Method::PUT | Method::DELETE);
        let mut call = Call::new(operation(&method), handlers(retries), seed);
        let mut attempts = 0usize;
        let mut waited = Duration::ZERO;
        for outcome in outcomes.iter().cycle() {
            attempts += 1;
            match call.handle(result(outcome), SystemTime::UNIX_EPOCH + Duration::from_secs(4_000_000_000)) {
                Step::Done(_) => break,
                Step::Retry(wait) => {
                    // Caps apply before jitter, which adds under a second.
                    prop_assert!(wait.delay() < MAX_WAIT.max(MAX_INTERVAL) + Duration::from_secs(1), "{:?}", wait.delay());
                    waited += wait.delay();
                    prop_assert!(waited <= RetryHandlers::DEFAULT_TOTAL_WAIT_LIMIT);
                    if let Outcome::Failure(kind) = outcome {
                        prop_assert!(idempotent || !kind.may_have_been_sent(), "{method} retried after {kind:?}");
                        prop_assert!(kind.never_sent() || kind.may_have_been_sent());
                    }
                    if let Outcome::Status(status, _) = outcome {
                        prop_assert!(*status == 429 || idempotent, "{method} retried after {status}");
                    }
                    call = wait.resume();
                }
            }
            prop_assert!(attempts <= retries as usize + 1, "{attempts} attempts with {retries} retries allowed");
        }
        prop_assert!(attempts <= MAX_ATTEMPTS as usize);
    }
}

// ---------------------------------------------------------------- secrets

const TOKEN: &str = "xoxp-4242-SECRET-TOKEN-9999";

fn assert_hidden(what: &str, text: String) {
    assert!(
        !text.contains(TOKEN) && !text.contains("SECRET-TOKEN"),
        "{what} shows the token: {text}"
    );
}

#[test]
fn no_public_type_that_holds_the_token_shows_it() {
    let token = BearerToken::new(TOKEN).unwrap();
    assert_hidden(
        "BearerToken",
        format!("{token:?} {token} {:?}", token.header_value()),
    );
    let endpoint = Endpoint::new(token.clone())
        .with_default_headers(&HeaderMap::new())
        .unwrap();
    assert_hidden("Endpoint", format!("{endpoint:?}"));
    let op = endpoint
        .create_user(&serde_json::json!({"userName": "a"}))
        .unwrap();
    assert_hidden(
        "Operation",
        format!("{op:?} {:?} {:?}", op.request(), op.request().headers()),
    );
    let call = Call::new(
        endpoint.read_user("W1").unwrap(),
        RetryHandlers::all_builtin(),
        1,
    );
    assert_hidden("Call", format!("{call:?}"));
    if let Step::Retry(wait) = call.handle(
        Ok(Response::builder().status(503).body(Vec::new()).unwrap()),
        SystemTime::now(),
    ) {
        assert_hidden("Wait", format!("{wait:?}"));
    }
    let client = ScimClient::with_transport(
        TOKEN,
        ClientOptions::default(),
        |_r: scim_client::transport::HttpRequest| {
            Ok(Response::builder()
                .status(401)
                .body(br#"{"Errors":{"description":"invalid_authentication","code":401}}"#.to_vec())
                .unwrap())
        },
    )
    .unwrap();
    assert_hidden("ScimClient", format!("{client:?}"));
    let async_client = scim_client::AsyncScimClient::with_transport(
        TOKEN,
        ClientOptions::default(),
        scim_memory::InMemoryService::slack_v1(),
    )
    .unwrap();
    assert_hidden("AsyncScimClient", format!("{async_client:?}"));
    assert_hidden(
        "Walk",
        format!("{:?}", client.all_users(Default::default())),
    );
}

#[test]
fn no_error_variant_shows_the_token() {
    let client = ScimClient::with_transport(
        TOKEN,
        ClientOptions::default(),
        |request: scim_client::transport::HttpRequest| {
            // The worst case: a service that echoes the request's headers back.
            let echoed = format!("{:?}", request.headers());
            Ok(Response::builder()
                .status(if request.method() == Method::GET {
                    400
                } else {
                    412
                })
                .body(echoed.into_bytes())
                .unwrap())
        },
    )
    .unwrap();
    let mut errors: Vec<Error> = vec![
        BearerToken::new(format!("{TOKEN}\n")).unwrap_err(),
        Endpoint::new(BearerToken::new(TOKEN).unwrap())
            .with_base_url(&format!("ftp://{TOKEN}"))
            .map(drop)
            .unwrap_err(),
        Endpoint::new(BearerToken::new(TOKEN).unwrap())
            .with_base_url(&format!("https://bot:{TOKEN}@a.example/"))
            .map(drop)
            .unwrap_err(),
        client.read_user("").unwrap_err(),
        client.read_user("W1").unwrap_err(),
        client
            .patch_user("W1", &scim_client::model::User::default())
            .unwrap_err(),
        "userName eq"
            .parse::<Filter>()
            .map_err(Error::from)
            .unwrap_err(),
        Error::Transport(TransportError::new(TransportErrorKind::MaybeSent, "reset")),
        Error::Pagination("stuck".into()),
        Error::Encode("bad".into()),
    ];
    let decode =
        scim_client::ScimResponse::new(http::StatusCode::OK, HeaderMap::new(), b"<html>".to_vec())
            .parse::<scim_client::model::User>()
            .unwrap_err();
    errors.push(decode);
    for error in &errors {
        let text = format!("{error:?} {error}");
        // The echoed headers are the service's body: kept raw, but shown as "Sensitive".
        assert_hidden("Error", text);
    }
    assert!(
        errors
            .iter()
            .any(|e| matches!(e, Error::PreconditionFailed(_)))
    );
    assert!(errors.iter().any(|e| matches!(e, Error::Api(_))));
}

// ---------------------------------------------------------------- limits

fn ok_body(len: usize) -> HttpResponse {
    Response::builder()
        .status(200)
        .body(vec![b' '; len])
        .unwrap()
}

#[test]
fn the_body_limit_admits_exactly_its_size() {
    let e = Endpoint::new(BearerToken::new("t").unwrap());
    let at_limit =
        Call::new(e.delete_user("W1").unwrap(), RetryHandlers::none(), 1).with_max_body_size(64);
    assert!(matches!(
        at_limit.handle(Ok(ok_body(64)), SystemTime::now()),
        Step::Done(Ok(()))
    ));
    let over =
        Call::new(e.delete_user("W1").unwrap(), RetryHandlers::none(), 1).with_max_body_size(64);
    assert!(matches!(
        over.handle(Ok(ok_body(65)), SystemTime::now()),
        Step::Done(Err(Error::Transport(e))) if e.kind() == TransportErrorKind::ResponseTooLarge
    ));
    assert_eq!(scim_client::DEFAULT_MAX_BODY_SIZE, 10 * 1024 * 1024);
}

#[test]
fn the_filter_depth_limit_admits_exactly_its_depth() {
    let chain = |n: usize| vec!["a pr"; n].join(" or ");
    assert!(chain(MAX_DEPTH).parse::<Filter>().is_ok());
    assert!(chain(MAX_DEPTH + 1).parse::<Filter>().is_err());
    let nots = |n: usize| format!("{}a pr{}", "not (".repeat(n), ")".repeat(n));
    assert!(
        nots(MAX_DEPTH - 1).parse::<Filter>().is_ok(),
        "{} nots and the leaf make {MAX_DEPTH} levels",
        MAX_DEPTH - 1
    );
    assert!(nots(MAX_DEPTH).parse::<Filter>().is_err());
}

#[test]
fn the_retry_after_cap_admits_exactly_its_wait() {
    let e = Endpoint::new(BearerToken::new("t").unwrap());
    let mut handlers = RetryHandlers::none();
    handlers.push(RateLimitErrorRetryHandler {
        jitter: Arc::new(scim_client::retry::NoJitter),
        ..RateLimitErrorRetryHandler::new(1)
    });
    let limited = |after: &str| {
        Response::builder()
            .status(429)
            .header("Retry-After", after)
            .body(Vec::new())
            .unwrap()
    };
    let at_cap = Call::new(e.read_user("W1").unwrap(), handlers.clone(), 1);
    assert!(
        matches!(at_cap.handle(Ok(limited("60")), SystemTime::now()), Step::Retry(w) if w.delay() == Duration::from_secs(60))
    );
    let over = Call::new(e.read_user("W1").unwrap(), handlers, 1);
    assert!(
        matches!(over.handle(Ok(limited("60.001")), SystemTime::now()), Step::Done(Err(Error::Api(a))) if a.status == 429)
    );
}

#[test]
fn header_values_with_control_characters_are_refused_with_a_clear_error() {
    // (A tab is allowed in a header value by RFC 9110, though not in a token.)
    assert!(matches!(BearerToken::new("a\tb"), Err(Error::InvalidToken)));
    for bad in ["a\r\nX-Injected: 1", "a\nb", "a\0b", "a\u{7f}b"] {
        assert!(
            matches!(BearerToken::new(bad), Err(Error::InvalidToken)),
            "token {bad:?}"
        );
        let e = Endpoint::new(BearerToken::new("t").unwrap());
        let ua = e.clone().with_user_agent(bad, "").map(drop).unwrap_err();
        assert!(
            matches!(ua, Error::InvalidConfig(_)) && ua.to_string().contains("user-agent"),
            "{ua}"
        );
        let etag = e
            .read_user("W1")
            .unwrap()
            .if_match(bad)
            .map(drop)
            .unwrap_err();
        assert!(
            matches!(etag, Error::InvalidArgument { name: "etag", .. }),
            "{etag}"
        );
    }
}
