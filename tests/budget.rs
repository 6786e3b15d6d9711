//! Rate budgets through both clients, in virtual time: a test transport
//! whose clock moves only when the client sleeps, recording when each
//! request was sent. No network, no real waiting.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use scim_client::model::User;
use scim_client::pacing::{RateBudget, RateRule, RateTable, SharedBudget};
use scim_client::provider::Profile;
use scim_client::retry::RetryHandlers;
use scim_client::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
};
use scim_client::{AsyncScimClient, ClientOptions, ScimClient};

const USER: &str = r#"{"id":"W1","userName":"cal"}"#;

/// A provider that answers every request at once, in a virtual clock that
/// moves only when a client sleeps; it records each request's time.
#[derive(Clone, Default)]
struct Virtual {
    state: Arc<Mutex<VirtualState>>,
}

#[derive(Default)]
struct VirtualState {
    elapsed: Duration,
    sent: Vec<(Duration, http::Method, String)>,
    /// Statuses to answer with, in order, before answering normally.
    script: Vec<(u16, Option<&'static str>)>,
}

impl Virtual {
    fn answer(&self, request: &HttpRequest) -> HttpResponse {
        let mut state = self.state.lock().unwrap();
        let at = state.elapsed;
        state.sent.push((
            at,
            request.method().clone(),
            request.uri().path().to_owned(),
        ));
        let (status, retry_after) = if state.script.is_empty() {
            (200, None)
        } else {
            state.script.remove(0)
        };
        let mut response = http::Response::builder().status(status);
        if let Some(after) = retry_after {
            response = response.header("retry-after", after);
        }
        response.body(USER.as_bytes().to_vec()).unwrap()
    }

    fn sent(&self) -> Vec<(Duration, http::Method, String)> {
        self.state.lock().unwrap().sent.clone()
    }

    fn advance(&self, by: Duration) {
        self.state.lock().unwrap().elapsed += by;
    }

    fn now(&self) -> SystemTime {
        SystemTime::UNIX_EPOCH + self.state.lock().unwrap().elapsed
    }
}

impl Transport for Virtual {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        Ok(self.answer(&request))
    }
    fn sleep(&self, duration: Duration) {
        self.advance(duration);
    }
    fn now(&self) -> SystemTime {
        Virtual::now(self)
    }
}

impl AsyncTransport for Virtual {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let response = self.answer(&request);
        Box::pin(async move { Ok(response) })
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        self.advance(duration);
        Box::pin(async {})
    }
    fn now(&self) -> SystemTime {
        Virtual::now(self)
    }
}

fn options(budget: &SharedBudget) -> ClientOptions {
    ClientOptions {
        budget: Some(budget.clone()),
        retry_handlers: RetryHandlers::none(),
        ..ClientOptions::for_profile(&Profile::slack_v1(), "https://scim.test/scim/v1/")
    }
}

fn user() -> User {
    User {
        user_name: "cal".into(),
        ..User::default()
    }
}

/// The times, in seconds, requests went out.
fn seconds(sent: &[(Duration, http::Method, String)]) -> Vec<f64> {
    sent.iter().map(|(at, ..)| at.as_secs_f64()).collect()
}

#[test]
fn the_blocking_client_paces_creates_to_slacks_limit() {
    let slack = Profile::slack_v1();
    let service = Virtual::default();
    let budget = SharedBudget::for_table(&slack.rates, 1.0);
    let client = ScimClient::with_transport("xoxp-1", options(&budget), service.clone()).unwrap();
    for _ in 0..26 {
        client.create_user(&user()).unwrap();
    }
    let times = seconds(&service.sent());
    // The burst of 20 at once, then one every 60/180 s.
    assert!(times[..20].iter().all(|&t| t == 0.0), "{times:?}");
    for (i, &t) in times[20..].iter().enumerate() {
        let want = (i + 1) as f64 / 3.0;
        assert!(
            (t - want).abs() < 1e-6,
            "request {}: {t} s, want {want} s",
            i + 20
        );
    }
}

#[test]
fn the_async_client_paces_the_same_way() {
    let slack = Profile::slack_v1();
    let service = Virtual::default();
    let budget = SharedBudget::for_table(&slack.rates, 1.0);
    let client =
        AsyncScimClient::with_transport("xoxp-1", options(&budget), service.clone()).unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        for _ in 0..22 {
            client.create_user(&user()).await.unwrap();
        }
    });
    let times = seconds(&service.sent());
    assert_eq!(times.len(), 22);
    assert!((times[21] - 2.0 / 3.0).abs() < 1e-6, "{times:?}");
}

#[test]
fn a_429_pauses_the_class_for_its_retry_after_and_other_classes_go_on() {
    let slack = Profile::slack_v1();
    let service = Virtual::default();
    service.state.lock().unwrap().script = vec![(429, Some("30"))];
    let budget = SharedBudget::for_table(&slack.rates, 1.0);
    let client = ScimClient::with_transport("xoxp-1", options(&budget), service.clone()).unwrap();
    // The 429 comes back (no retry handler here)...
    assert!(client.create_user(&user()).is_err());
    // ...a read is not a write: it goes at once...
    client.read_user("W1").unwrap();
    // ...and the next write waits out the 30 s the server asked for.
    client.patch_user("W1", &user()).unwrap();
    let times = seconds(&service.sent());
    assert_eq!(times, vec![0.0, 0.0, 30.0]);
    assert_eq!(budget.lock().throttled(), 1);
}

#[test]
fn writes_to_one_user_never_overlap_across_threads() {
    // A budget with no rate rules still serialises writes to one resource.
    let budget = SharedBudget::for_table(&RateTable::default(), 1.0);
    let in_flight = Arc::new(Mutex::new((0u32, 0u32))); // (now, most at once)
    let counter = in_flight.clone();
    let transport = move |request: HttpRequest| -> Result<HttpResponse, TransportError> {
        if request.method() == http::Method::PATCH {
            {
                let mut c = counter.lock().unwrap();
                c.0 += 1;
                c.1 = c.1.max(c.0);
            }
            std::thread::sleep(Duration::from_millis(2));
            counter.lock().unwrap().0 -= 1;
        }
        Ok(http::Response::new(USER.as_bytes().to_vec()))
    };
    let client =
        Arc::new(ScimClient::with_transport("xoxp-1", options(&budget), transport).unwrap());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            let client = client.clone();
            scope.spawn(move || {
                for _ in 0..5 {
                    client.patch_user("W1", &user()).unwrap();
                }
            });
        }
    });
    assert_eq!(
        in_flight.lock().unwrap().1,
        1,
        "two PATCHes of W1 overlapped"
    );
}

#[test]
fn two_clients_sharing_a_budget_stay_within_one_limit() {
    let table = RateTable::new(vec![RateRule::writes(
        "writes",
        60,
        Duration::from_secs(60),
        1,
    )]);
    let budget = SharedBudget::new(RateBudget::new(&table, 1.0));
    let service = Virtual::default();
    let first = ScimClient::with_transport("xoxp-1", options(&budget), service.clone()).unwrap();
    let second = ScimClient::with_transport("xoxp-2", options(&budget), service.clone()).unwrap();
    for _ in 0..5 {
        first.create_user(&user()).unwrap();
        second.create_user(&user()).unwrap();
    }
    // One write a second between them: ten writes take nine seconds.
    assert_eq!(
        seconds(&service.sent()),
        (0..10).map(f64::from).collect::<Vec<_>>()
    );
}

/// The first request never gets an answer; the others are answered at once.
struct FirstHangs {
    sent: Mutex<u32>,
}

impl AsyncTransport for FirstHangs {
    fn send(&self, _: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let first = {
            let mut sent = self.sent.lock().unwrap();
            *sent += 1;
            *sent == 1
        };
        if first {
            Box::pin(std::future::pending())
        } else {
            Box::pin(async { Ok(http::Response::new(USER.as_bytes().to_vec())) })
        }
    }
    fn sleep(&self, _: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}

#[test]
fn a_cancelled_write_leaves_its_resource_free() {
    use std::future::Future;
    use std::task::{Context, Poll, Waker};
    let budget = SharedBudget::for_table(&RateTable::default(), 1.0);
    let transport = FirstHangs {
        sent: Mutex::new(0),
    };
    let client = AsyncScimClient::with_transport("xoxp-1", options(&budget), transport).unwrap();
    let body = user();
    {
        // Admitted and sent, then dropped while waiting for the answer (a
        // timeout around the call, an aborted task).
        let mut patch = Box::pin(client.patch_user("W1", &body));
        let mut context = Context::from_waker(Waker::noop());
        assert!(matches!(patch.as_mut().poll(&mut context), Poll::Pending));
    }
    // The next write to W1 is admitted at once, not kept waiting forever.
    let mut next = Box::pin(client.patch_user("W1", &body));
    let mut context = Context::from_waker(Waker::noop());
    match next.as_mut().poll(&mut context) {
        Poll::Ready(result) => assert!(result.is_ok(), "{result:?}"),
        Poll::Pending => panic!("the write to W1 waits for a cancelled one"),
    }
}
