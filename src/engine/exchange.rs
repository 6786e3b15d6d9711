//! [`Exchange`]: one operation carried through budget, credentials, attempts
//! and retries; [`Engine`], what one client's exchanges share.

use std::time::{Duration, SystemTime};

use http::HeaderValue;

use crate::Error;
use crate::auth::{Credentials, TokenStep};
use crate::engine::call::{Call, CallStarter, Step};
use crate::engine::log;
use crate::engine::trace::CallTrace;
use crate::pacing::SharedBudget;
use crate::pacing::pacer::{Admitted, Pace, Pacer};
use crate::request::endpoint::Endpoint;
use crate::request::operation::Operation;
use crate::retry::RetryHandlers;
use crate::transport::{HttpRequest, HttpResponse, TransportError};

/// What one client's exchanges share: the endpoint, the rate budget, the
/// credentials, the body limit and a stream of jitter seeds. Both clients
/// hold one; a driver written by hand builds one the same way.
#[derive(Debug)]
pub struct Engine {
    endpoint: Endpoint,
    calls: CallStarter,
    pacer: Pacer,
    credentials: Credentials,
}

impl Engine {
    /// An engine for requests built on `endpoint`, authenticated by
    /// `credentials`, paced by `budget` (none: no pacing), refusing bodies
    /// over `max_body_size`, with jitter seeded from `jitter_seed` (a fixed
    /// value in tests, fresh entropy in production).
    pub fn new(
        endpoint: Endpoint,
        credentials: Credentials,
        budget: Option<SharedBudget>,
        max_body_size: usize,
        jitter_seed: u64,
    ) -> Engine {
        Engine {
            pacer: Pacer::new(budget, endpoint.base_url()),
            calls: CallStarter::new(max_body_size, jitter_seed),
            endpoint,
            credentials,
        }
    }

    /// The endpoint requests are built on.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// How long `request` would wait for the rate budget at `now`, taking
    /// no room (zero without a budget): lets a scheduler with work of
    /// several rate classes start the work that can go now.
    pub fn budget_wait(&self, request: &HttpRequest, now: SystemTime) -> std::time::Duration {
        self.pacer.wait_for(request, now)
    }

    /// The rate budget requests are paced by, if any (shared: a clone is
    /// the same ledger), for its totals.
    pub fn budget(&self) -> Option<&SharedBudget> {
        self.pacer.budget()
    }

    /// `error` with the credentials' secrets replaced (a renewing token is
    /// not among the endpoint's own), for errors that reach the caller
    /// outside an exchange: a walk's.
    pub(crate) fn scrub(&self, error: crate::Error) -> crate::Error {
        self.credentials.scrub(error)
    }

    /// Starts carrying `operation` through its attempts, retried as
    /// `handlers` decide.
    pub fn start<T>(&self, operation: Operation<T>, handlers: &RetryHandlers) -> Exchange<'_, T> {
        let call = self.calls.start(operation, handlers);
        Exchange {
            engine: self,
            trace: CallTrace::start(call.request()),
            call: Some(call),
            state: State::Admit,
            waited: Duration::ZERO,
            renewed: false,
            sent_token: None,
        }
    }
}

/// What the driver does next.
#[must_use = "an exchange does nothing until its driver acts on what poll says"]
#[derive(Debug)]
pub enum Next<T> {
    /// Send this request and hand its outcome to [`Exchange::handle`].
    Send(HttpRequest),
    /// Sleep this long, then poll again.
    Sleep(Duration),
    /// Finished: the typed result, or the error (scrubbed of credentials).
    Done(Result<T, Error>),
}

/// [`Exchange`]: one operation carried to its result through everything a
/// client does around the wire — room in the rate budget, credentials
/// (fetched, and renewed once after a 401), the attempts and retries of a
/// [`Call`], and the budget settled after each attempt.
///
/// It is the machine both clients run, so a driver written by hand gets the
/// same pacing, token renewal and retries. One input, one output, as
/// str0m's `Rtc` and quinn-proto's `Connection` have it:
///
/// ```text
///            Engine::start(operation, handlers)
///                           │
///   ┌───────────────► poll(now) ◄──────────────────────────────┐
///   │                       │                                  │
///   │    ┌──────────────────┼───────────────────┐              │
///   │    ▼                  ▼                   ▼              │
///   │ Next::Sleep(d)   Next::Send(request)   Next::Done(result)│
///   │    │                  │                                  │
///   └────┘   the driver sends it (a SCIM request, or the       │
///            OAuth token request), then handle(answer, now) ───┘
/// ```
///
/// [`poll`](Exchange::poll) answers from the exchange's state and the time
/// given: it changes after [`handle`](Exchange::handle) and after a
/// `Sleep` it returned (the next poll asks the budget again, or sends the
/// retry). Nothing here sends, sleeps or reads a clock.
///
/// The order of an attempt:
/// 1. **admission**: the [`SharedBudget`](crate::pacing::SharedBudget), if
///    any, is asked first (a token fetched before a long wait could expire
///    in it); a wait longer than 10 minutes in all ends the call with
///    [`Error::BudgetExhausted`];
/// 2. **credentials**: a static token is already on the request; renewing
///    credentials give a header, or a token request to send first;
/// 3. **the request**, answered through [`handle`](Exchange::handle): the
///    permit is settled (a 429 pauses its classes); a 401 to a renewing
///    token drops that token and the attempt starts again once; otherwise
///    the [`Call`] decides: done, or sleep and retry.
#[must_use = "an exchange does nothing until it is polled"]
#[derive(Debug)]
pub struct Exchange<'a, T> {
    engine: &'a Engine,
    call: Option<Call<T>>,
    state: State<'a, T>,
    trace: CallTrace,
    /// Time spent waiting for the budget in this attempt.
    waited: Duration,
    /// Whether a 401 already renewed the token (once per call).
    renewed: bool,
    /// The `Authorization` set from renewing credentials, if any.
    sent_token: Option<HeaderValue>,
}

#[derive(Debug)]
enum State<'a, T> {
    /// Ask the budget for room.
    Admit,
    /// Admitted: set the credentials, then send.
    Authorize(Admitted<'a>),
    /// The token request is out; its answer comes to `handle`.
    AwaitToken(Admitted<'a>),
    /// Authorized: send the request at the next poll.
    Ready(Admitted<'a>),
    /// The request is out; its answer comes to `handle`.
    AwaitAnswer(Admitted<'a>),
    /// A retry was decided: sleep this long, then admit again.
    Backoff(Duration),
    /// The result, handed out by the next poll.
    Finished(Result<T, Error>),
    /// The result was handed out.
    Over,
}

impl<'a, T> Exchange<'a, T> {
    /// What to do next at `now`. See [`Exchange`] for when the
    /// answer changes.
    pub fn poll(&mut self, now: SystemTime) -> Next<T> {
        loop {
            let next = match std::mem::replace(&mut self.state, State::Over) {
                State::Admit => self.admit(now),
                State::Authorize(admitted) => self.authorize(admitted, now),
                State::Ready(admitted) => Some(self.send(admitted)),
                State::Backoff(delay) => {
                    self.state = State::Admit;
                    Some(Next::Sleep(delay))
                }
                State::Finished(result) => Some(Next::Done(result)),
                State::AwaitToken(_) | State::AwaitAnswer(_) => Some(Next::Done(Err(misuse(
                    "poll",
                    "an answer is awaited: call handle",
                )))),
                State::Over => Some(Next::Done(Err(misuse("poll", "the exchange is over")))),
            };
            if let Some(next) = next {
                return next;
            }
        }
    }

    /// Feeds in the outcome of the request the last [`Next::Send`] named,
    /// with the time it ended.
    pub fn handle(&mut self, answer: Result<HttpResponse, TransportError>, now: SystemTime) {
        self.state = match std::mem::replace(&mut self.state, State::Over) {
            State::AwaitToken(admitted) => match self.engine.credentials.handle(answer, now) {
                Ok(token) => self.authorized(admitted, token),
                Err(error) => self.finished(Err(error)),
            },
            State::AwaitAnswer(admitted) => self.answered(admitted, answer, now),
            _ => State::Finished(Err(misuse("handle", "no request is awaiting an answer"))),
        };
    }

    /// The request of the current attempt (`None` once the exchange is done).
    pub fn request(&self) -> Option<&HttpRequest> {
        self.call.as_ref().map(Call::request)
    }

    /// Asks the budget for room for the current attempt.
    fn admit(&mut self, now: SystemTime) -> Option<Next<T>> {
        let Some(request) = self.call.as_ref().map(Call::request) else {
            return Some(Next::Done(Err(misuse("poll", "the exchange is over"))));
        };
        match self.engine.pacer.admit(request, now, self.waited) {
            Pace::Go(admitted) => {
                self.waited = Duration::ZERO;
                self.state = State::Authorize(admitted);
                None
            }
            Pace::Wait(wait) => {
                self.waited = self.waited.saturating_add(wait);
                self.state = State::Admit;
                Some(Next::Sleep(wait))
            }
            Pace::GiveUp { waited, wanted } => {
                Some(Next::Done(Err(Error::BudgetExhausted { waited, wanted })))
            }
        }
    }

    /// Puts renewing credentials on the request, or sends for a token first.
    fn authorize(&mut self, admitted: Admitted<'a>, now: SystemTime) -> Option<Next<T>> {
        let credentials = &self.engine.credentials;
        if !credentials.renews() {
            self.state = State::Ready(admitted);
            return None;
        }
        match credentials.poll(now) {
            Ok(TokenStep::Ready(token)) => {
                self.state = self.authorized(admitted, token);
                None
            }
            Ok(TokenStep::Fetch(request)) => {
                self.state = State::AwaitToken(admitted);
                Some(Next::Send(request))
            }
            Err(error) => Some(Next::Done(Err(credentials.scrub(error)))),
        }
    }

    fn authorized(&mut self, admitted: Admitted<'a>, token: HeaderValue) -> State<'a, T> {
        if let Some(call) = &mut self.call {
            call.authorize(token.clone());
        }
        self.sent_token = Some(token);
        State::Ready(admitted)
    }

    fn send(&mut self, admitted: Admitted<'a>) -> Next<T> {
        let Some(request) = self.call.as_ref().map(Call::request) else {
            return Next::Done(Err(misuse("poll", "the exchange is over")));
        };
        log::request(request);
        let request = request.clone();
        self.state = State::AwaitAnswer(admitted);
        Next::Send(request)
    }

    /// Settles the attempt, renews once after a 401, or lets the call decide.
    fn answered(
        &mut self,
        admitted: Admitted<'a>,
        answer: Result<HttpResponse, TransportError>,
        now: SystemTime,
    ) -> State<'a, T> {
        admitted.settle(&answer, now);
        let Some(call) = self.call.take() else {
            return State::Finished(Err(misuse("handle", "the exchange is over")));
        };
        log::result(call.request(), &answer);
        self.trace.attempt(&answer);
        let credentials = &self.engine.credentials;
        if !self.renewed && credentials.renew_after(self.sent_token.as_ref(), &answer) {
            self.renewed = true;
            self.call = Some(call);
            return State::Admit;
        }
        match call.handle(answer, now) {
            Step::Done(result) => self.finished(result),
            Step::Retry(wait) => {
                log::retry(&wait);
                let delay = wait.delay();
                self.trace.retry(delay);
                self.call = Some(wait.resume());
                State::Backoff(delay)
            }
        }
    }

    fn finished(&self, result: Result<T, Error>) -> State<'a, T> {
        State::Finished(result.map_err(|error| self.engine.credentials.scrub(error)))
    }
}

/// A driver that polls or handles out of turn: a bug in the driver, reported
/// as an error rather than a panic.
fn misuse(method: &'static str, reason: &str) -> Error {
    Error::invalid(method, format!("out of turn: {reason}"))
}
