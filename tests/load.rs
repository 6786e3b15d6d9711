//! Load with faults: 10,000 creates, reads, patches and deletes through each
//! client, on several threads, against the in-memory service behind a
//! transport that answers 20% of requests with 429 (`Retry-After: 0.001`),
//! 5% with 503 and resets 2% of connections (half of them after the service
//! acted). Every operation must complete, no user may be created twice, and
//! every extra request must be a retry the policy allows.

mod support;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use scim_client::filter::Filter;
use scim_client::model::{PatchOp, SearchRequest, User};
use scim_client::retry::{
    ConnectionErrorRetryHandler, FixedValueRetryIntervalCalculator, NoJitter,
    RateLimitErrorRetryHandler, RetryHandlers, ServerErrorRetryHandler,
};
use scim_client::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
    TransportErrorKind,
};
use scim_client::{AsyncScimClient, ClientOptions, Error, ScimClient};
use scim_memory::{InMemoryService, Kind};
use support::scenarios::Exec;

const USERS: usize = 2500; // four operations each: 10,000
const THREADS: usize = 8;

#[derive(Default)]
struct Counts {
    requests: AtomicU64,
    rate_limited: AtomicU64,
    unavailable: AtomicU64,
    reset_before: AtomicU64,
    reset_after: AtomicU64,
    slept_nanos: AtomicU64,
}

struct Faulty {
    service: InMemoryService,
    rng: Mutex<u64>,
    counts: Counts,
}

impl Faulty {
    fn new(seed: u64) -> Arc<Faulty> {
        Arc::new(Faulty {
            service: InMemoryService::scim2(),
            rng: Mutex::new(seed),
            counts: Counts::default(),
        })
    }

    /// A uniform number in [0, 1) from a seeded SplitMix64, so runs repeat.
    fn roll(&self) -> f64 {
        let mut state = self.rng.lock().unwrap();
        *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = *state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }

    fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let c = &self.counts;
        c.requests.fetch_add(1, Ordering::SeqCst);
        let reset =
            || TransportError::new(TransportErrorKind::MaybeSent, "connection reset by peer");
        match self.roll() {
            r if r < 0.20 => {
                c.rate_limited.fetch_add(1, Ordering::SeqCst);
                Ok(http::Response::builder()
                    .status(429)
                    .header("Retry-After", "0.001")
                    .body(Vec::new())
                    .unwrap())
            }
            r if r < 0.25 => {
                c.unavailable.fetch_add(1, Ordering::SeqCst);
                Ok(http::Response::builder()
                    .status(503)
                    .body(b"<html>busy</html>".to_vec())
                    .unwrap())
            }
            r if r < 0.26 => {
                c.reset_before.fetch_add(1, Ordering::SeqCst);
                Err(reset())
            }
            r if r < 0.27 => {
                c.reset_after.fetch_add(1, Ordering::SeqCst);
                self.service.handle(&request);
                Err(reset())
            }
            _ => Ok(self.service.handle(&request)),
        }
    }

    fn sleep(&self, duration: Duration) {
        self.counts
            .slept_nanos
            .fetch_add(duration.as_nanos() as u64, Ordering::SeqCst);
        std::thread::sleep(duration);
    }

    fn faults(&self) -> u64 {
        let c = &self.counts;
        [
            &c.rate_limited,
            &c.unavailable,
            &c.reset_before,
            &c.reset_after,
        ]
        .iter()
        .map(|n| n.load(Ordering::SeqCst))
        .sum()
    }
}

struct Blocking(Arc<Faulty>);
impl Transport for Blocking {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.0.exchange(request)
    }
    fn sleep(&self, duration: Duration) {
        self.0.sleep(duration);
    }
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

struct Async(Arc<Faulty>);
impl AsyncTransport for Async {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(async move { self.0.exchange(request) })
    }
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async move { self.0.sleep(duration) })
    }
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

const MAX_RETRIES: u32 = 40;

fn options() -> ClientOptions {
    let none = Arc::new(FixedValueRetryIntervalCalculator::new(Duration::ZERO));
    let mut handlers = RetryHandlers::none();
    handlers.push(ConnectionErrorRetryHandler {
        interval_calculator: none.clone(),
        ..ConnectionErrorRetryHandler::new(MAX_RETRIES)
    });
    handlers.push(RateLimitErrorRetryHandler {
        jitter: Arc::new(NoJitter),
        ..RateLimitErrorRetryHandler::new(MAX_RETRIES)
    });
    handlers.push(ServerErrorRetryHandler {
        interval_calculator: Arc::new(FixedValueRetryIntervalCalculator::new(
            Duration::from_micros(100),
        )),
        ..ServerErrorRetryHandler::new(MAX_RETRIES)
    });
    ClientOptions {
        retry_handlers: handlers,
        ..ClientOptions::scim2("https://scim.load/v2")
    }
}

/// What the application saw: its own calls, and the failures the client
/// handed back rather than retry (they were not safe to retry).
#[derive(Default)]
struct App {
    calls: AtomicU64,
    surfaced: AtomicU64,
}

impl App {
    fn call<C: Exec, T: Send>(
        &self,
        client: &C,
        op: scim_client::Operation<T>,
    ) -> Result<T, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let result = client.run(op);
        if matches!(&result, Err(Error::Transport(_)))
            || matches!(&result, Err(e) if e.status() == Some(http::StatusCode::SERVICE_UNAVAILABLE))
        {
            self.surfaced.fetch_add(1, Ordering::SeqCst);
        }
        result
    }

    /// Creates the user once: after an ambiguous failure, looks before trying again.
    fn create<C: Exec>(&self, client: &C, name: &str) -> String {
        let e = client.endpoint();
        loop {
            match self.call(
                client,
                e.create_user(&User {
                    user_name: name.into(),
                    ..User::default()
                })
                .unwrap(),
            ) {
                Ok(user) => return user.id.value().cloned().unwrap(),
                Err(Error::Transport(t)) if t.kind().may_have_been_sent() => {
                    let query = SearchRequest::new().filter(Filter::eq("userName", name));
                    let found = self
                        .call(client, e.search_users(&query).unwrap())
                        .expect("a lookup is retried until it succeeds");
                    if let Some(user) = found.resources.first() {
                        return user.id.value().cloned().unwrap();
                    }
                }
                Err(err) if err.status() == Some(http::StatusCode::SERVICE_UNAVAILABLE) => {}
                Err(err) => panic!("create {name}: {err}"),
            }
        }
    }

    fn operate<C: Exec>(&self, client: &C, name: &str) {
        let e = client.endpoint();
        let id = self.create(client, name);
        let read = self
            .call(client, e.read_user(&id).unwrap())
            .expect("reads are retried until they succeed");
        assert_eq!(read.user_name.as_deref(), Some(name));
        // Replacing a title twice has the effect of once: safe to reissue.
        loop {
            match self.call(
                client,
                e.patch_user(&id, &PatchOp::new().replace("title", "Load tested"))
                    .unwrap(),
            ) {
                Ok(_) => break,
                Err(Error::Transport(_)) => {}
                Err(err) if err.status() == Some(http::StatusCode::SERVICE_UNAVAILABLE) => {}
                Err(err) => panic!("patch {name}: {err}"),
            }
        }
        match self.call(client, e.delete_user(&id).unwrap()) {
            Ok(()) => {}
            // A retry after a reset that came once the service had deleted it.
            Err(err) if err.status() == Some(http::StatusCode::NOT_FOUND) => {}
            Err(err) => panic!("delete {name}: {err}"),
        }
    }
}

fn run<C: Exec + Sync>(client: &C, faulty: &Faulty) {
    let app = App::default();
    std::thread::scope(|scope| {
        for thread in 0..THREADS {
            let app = &app;
            scope.spawn(move || {
                for i in (thread..USERS).step_by(THREADS) {
                    app.operate(client, &format!("load.{i:05}"));
                }
            });
        }
    });

    let c = &faulty.counts;
    let requests = c.requests.load(Ordering::SeqCst);
    let calls = app.calls.load(Ordering::SeqCst);
    let surfaced = app.surfaced.load(Ordering::SeqCst);
    // Every request either reached the service or was turned away before it.
    let turned_away = c.rate_limited.load(Ordering::SeqCst)
        + c.unavailable.load(Ordering::SeqCst)
        + c.reset_before.load(Ordering::SeqCst);
    assert_eq!(faulty.service.requests_received() + turned_away, requests);
    // Every request beyond the application's own calls is a retry, and every
    // fault was either retried or handed back to the application.
    assert_eq!(
        requests - calls,
        faulty.faults() - surfaced,
        "retries = faults the policy may retry"
    );
    // Every operation completed, and no user was created twice (a duplicate
    // would have answered 409 and failed the test): all 2,500 are gone now.
    assert!(calls >= 4 * USERS as u64);
    assert_eq!(faulty.service.len(Kind::Users), 0);
    // The faults happened at about the rates asked for.
    let share = |n: &AtomicU64| n.load(Ordering::SeqCst) as f64 / requests as f64;
    assert!(
        (0.17..0.23).contains(&share(&c.rate_limited)),
        "{}",
        share(&c.rate_limited)
    );
    assert!((0.035..0.065).contains(&share(&c.unavailable)));
    assert!(c.reset_before.load(Ordering::SeqCst) > 0 && c.reset_after.load(Ordering::SeqCst) > 0);
    assert!(
        c.slept_nanos.load(Ordering::SeqCst)
            >= c.rate_limited.load(Ordering::SeqCst) * 1_000_000 - 1
    );
}

#[test]
fn the_async_client_completes_10_000_operations_under_faults() {
    let faulty = Faulty::new(7);
    let client = AsyncScimClient::with_transport("t", options(), Async(faulty.clone())).unwrap();
    run(&client, &faulty);
}

#[test]
fn the_blocking_client_completes_10_000_operations_under_faults_on_several_threads() {
    let faulty = Faulty::new(11);
    let client = ScimClient::with_transport("t", options(), Blocking(faulty.clone())).unwrap();
    run(&client, &faulty);
}
