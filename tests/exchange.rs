//! The exchange machine driven by hand, as a user with their own HTTP stack
//! drives it: the OAuth token fetched through the same `Next::Send`, a 401
//! renewing it once, and a budget that cannot serve the call in time ending
//! it with a typed error. No network, no clock: time is a variable.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::Response;
use scim_client::auth::{ClientCredentials, Credentials, OAuthSource};
use scim_client::engine::{Engine, Exchange, Next};
use scim_client::pacing::{RateBudget, RateRule, RateTable, SharedBudget};
use scim_client::retry::RetryHandlers;
use scim_client::transport::{HttpRequest, HttpResponse, TransportError};
use scim_client::{DEFAULT_MAX_BODY_SIZE, Endpoint, Error};

const TOKEN_URL: &str = "https://idp.example.com/oauth2/token";

fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

fn oauth_engine(budget: Option<SharedBudget>) -> Engine {
    let credentials = ClientCredentials::new(TOKEN_URL, "scim-app", "client-secret-1").unwrap();
    let endpoint = Endpoint::without_token()
        .with_base_url("https://scim.example.com/v2")
        .unwrap();
    let credentials = Credentials::from(OAuthSource::new(credentials));
    Engine::new(endpoint, credentials, budget, DEFAULT_MAX_BODY_SIZE, 7)
}

fn token_answer(n: u32) -> HttpResponse {
    let body =
        format!(r#"{{"access_token":"token-secret-{n}","token_type":"Bearer","expires_in":3600}}"#);
    Response::builder()
        .status(200)
        .body(body.into_bytes())
        .unwrap()
}

fn status(code: u16, body: &str) -> HttpResponse {
    Response::builder()
        .status(code)
        .body(body.as_bytes().to_vec())
        .unwrap()
}

/// Drives `exchange` to its end; `answer` plays the network. Returns the
/// result and what was sent (the token URL, or the SCIM path and its bearer).
fn run<T>(
    mut exchange: Exchange<'_, T>,
    mut answer: impl FnMut(&HttpRequest) -> Result<HttpResponse, TransportError>,
) -> (Result<T, Error>, Vec<String>, Duration) {
    let (mut now, mut sent) = (t0(), Vec::new());
    loop {
        match exchange.poll(now) {
            Next::Send(request) => {
                let auth = request.headers().get("authorization");
                let auth = auth.map(|v| v.to_str().unwrap()).unwrap_or("");
                // The client secret (Basic) is not the test's business here.
                let shown = if auth.starts_with("Basic ") {
                    "Basic"
                } else {
                    auth
                };
                sent.push(format!("{} {shown}", request.uri().path()));
                let result = answer(&request);
                exchange.handle(result, now);
            }
            Next::Sleep(delay) => now += delay,
            Next::Done(result) => return (result, sent, now.duration_since(t0()).unwrap()),
        }
    }
}

#[test]
fn the_token_is_fetched_through_the_same_loop_and_renewed_once_after_a_401() {
    let engine = oauth_engine(None);
    let handlers = RetryHandlers::default();
    let mut tokens = 0;
    let mut scim_answers = vec![status(200, r#"{"id":"U1"}"#), status(401, "")];
    let operation = engine.endpoint().read_user("U1").unwrap();
    let (result, sent, _) = run(engine.start(operation, &handlers), |request| {
        if request.uri().path() == "/oauth2/token" {
            tokens += 1;
            Ok(token_answer(tokens))
        } else {
            Ok(scim_answers.pop().unwrap())
        }
    });
    assert_eq!(result.unwrap().id.as_deref(), Some("U1"));
    assert_eq!(
        sent,
        [
            "/oauth2/token Basic",
            "/v2/Users/U1 Bearer token-secret-1",
            "/oauth2/token Basic",
            "/v2/Users/U1 Bearer token-secret-2",
        ]
    );
}

#[test]
fn a_second_401_is_the_answer_and_no_token_leaks_into_it() {
    let engine = oauth_engine(None);
    let mut tokens = 0;
    let operation = engine.endpoint().read_user("U1").unwrap();
    let (result, sent, _) = run(
        engine.start(operation, &RetryHandlers::default()),
        |request| {
            if request.uri().path() == "/oauth2/token" {
                tokens += 1;
                Ok(token_answer(tokens))
            } else {
                Ok(status(401, r#"{"detail":"token token-secret-2 refused"}"#))
            }
        },
    );
    let error = result.unwrap_err();
    assert_eq!(error.status(), Some(http::StatusCode::UNAUTHORIZED));
    assert!(
        !format!("{error} {error:?}").contains("token-secret-2"),
        "{error:?}"
    );
    assert_eq!(sent.len(), 4);
}

#[test]
fn a_budget_that_cannot_serve_the_call_in_time_is_a_typed_error_and_nothing_is_sent() {
    // One read an hour, already spent by another holder of the budget.
    let table = RateTable::new(vec![RateRule::reads(
        "reads",
        1,
        Duration::from_secs(3600),
        1,
    )]);
    let budget = SharedBudget::new(RateBudget::new(&table, 1.0));
    let engine = oauth_engine(Some(budget));
    let handlers = RetryHandlers::default();
    let first = engine.start(engine.endpoint().read_user("U1").unwrap(), &handlers);
    let mut tokens = 0;
    let mut network = |request: &HttpRequest| {
        if request.uri().path() == "/oauth2/token" {
            tokens += 1;
            Ok(token_answer(tokens))
        } else {
            Ok(status(200, r#"{"id":"U1"}"#))
        }
    };
    assert!(run(first, &mut network).0.is_ok());
    let second = engine.start(engine.endpoint().read_user("U1").unwrap(), &handlers);
    let (result, sent, slept) = run(second, &mut network);
    match result {
        Err(Error::BudgetExhausted { waited, wanted }) => {
            assert!(
                waited + wanted > Duration::from_secs(600),
                "{waited:?} {wanted:?}"
            );
        }
        other => panic!("expected BudgetExhausted, got {other:?}"),
    }
    assert!(sent.is_empty(), "nothing is sent: {sent:?}");
    assert!(
        slept <= Duration::from_secs(600),
        "every wait is bounded: {slept:?}"
    );
}

#[test]
fn polling_out_of_turn_is_an_error_not_a_panic() {
    let engine = oauth_engine(None);
    let mut exchange = engine.start(
        engine.endpoint().read_user("U1").unwrap(),
        &RetryHandlers::default(),
    );
    assert!(matches!(exchange.poll(t0()), Next::Send(_)));
    // The token request is out: polling again before handing its answer.
    match exchange.poll(t0()) {
        Next::Done(Err(Error::InvalidArgument { .. })) => {}
        other => panic!("expected an out-of-turn error, got {other:?}"),
    }
}
