//! A provisioning job against providers as they are, in memory and in
//! virtual time: create 10,000 users, update each, create 200 groups of 50
//! members, against the in-memory service playing a provider profile with
//! its published limits enforced (429 with `Retry-After` when a bucket is
//! empty).
//!
//! `cargo bench --bench providers` prints one row per job and phase: the
//! requests, the 429s the service answered, the virtual minutes taken and
//! the achieved rate against the binding published limit of the phase.
//! Pass `quick` for a tenth of the job (`cargo bench --bench providers -- quick`).
//!
//! Time is virtual: the blocking client sleeps through the service, whose
//! sleep advances its clock; the async clients run on a tokio runtime with
//! paused time (it advances to the next timer when every task waits), and
//! the service's clock is set from it before each request. Nothing waits
//! for real, so an hour of Slack pacing runs in seconds.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use scim_client::model::{Group, Member, SearchRequest, User};
use scim_client::pacing::SharedBudget;
use scim_client::provider::PatchBody;
use scim_client::provider::PatchChanges;
use scim_client::provider::Profile;
use scim_client::retry::{RateLimitErrorRetryHandler, RetryHandlers};
use scim_client::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, TransportError,
};
use scim_client::{AsyncScimClient, ClientOptions, ScimClient};
use scim_memory::{InMemoryService, Kind};

const BASE_URL: &str = "https://scim.test/scim/v1/";

/// The job's size.
#[derive(Clone, Copy)]
struct Size {
    users: usize,
    groups: usize,
    members: usize,
}

/// One phase's figures.
struct Phase {
    name: &'static str,
    requests: u64,
    throttled: u64,
    minutes: f64,
    binding_per_minute: f64,
}

impl Phase {
    fn achieved(&self, done: usize) -> f64 {
        done as f64 / self.minutes / self.binding_per_minute
    }
}

fn options(profile: &Profile, budget: Option<SharedBudget>) -> ClientOptions {
    // Enough retries, and time, that the job completes without a budget too.
    let mut retry_handlers = RetryHandlers::none().with_total_wait_limit(Duration::from_secs(3600));
    retry_handlers.push(RateLimitErrorRetryHandler::new(1000));
    ClientOptions {
        budget,
        retry_handlers,
        ..ClientOptions::for_profile(profile, BASE_URL)
    }
}

fn minutes_between(start: SystemTime, end: SystemTime) -> f64 {
    end.duration_since(start).unwrap_or_default().as_secs_f64() / 60.0
}

/// The slowest published rate (per minute) among the rules a request of
/// this method and path counts in: the limit the phase cannot beat.
fn binding_per_minute(profile: &Profile, method: http::Method, path: &str) -> f64 {
    let class = scim_client::pacing::RequestClass::of(path, "/scim/v1/");
    profile
        .rates
        .rules
        .iter()
        .filter(|rule| rule.matches(&method, &class))
        .map(|rule| f64::from(rule.limit) / rule.per.as_secs_f64() * 60.0)
        .fold(f64::INFINITY, f64::min)
}

/// A user with what every profile requires on create (AWS: `displayName`
/// and both name parts besides `userName`).
fn user(i: usize) -> User {
    User {
        user_name: format!("user{i:05}").into(),
        display_name: format!("User {i}").into(),
        name: scim_client::model::Name {
            given_name: "User".into(),
            family_name: format!("{i}").into(),
            ..Default::default()
        }
        .into(),
        ..User::default()
    }
}

fn group(i: usize, members: &[String]) -> Group {
    Group {
        display_name: format!("group{i:03}").into(),
        members: members
            .iter()
            .map(Member::addition)
            .collect::<Vec<_>>()
            .into(),
        ..Group::default()
    }
}

/// A PATCH of the title, in the profile's form.
fn update(profile: &Profile) -> PatchBody {
    PatchChanges::new()
        .set("title", "Provisioned")
        .render(profile.patch, None)
        .expect("a PATCH body")
}

// ------------------------------------------------------------- blocking

fn blocking_job(profile: &Profile, size: Size, budget: bool) -> (Vec<Phase>, usize) {
    let service = InMemoryService::for_profile(profile);
    let budget = budget.then(|| SharedBudget::for_table(&profile.rates, 1.0));
    let client =
        ScimClient::with_transport("xoxp-bench", options(profile, budget), service.clone())
            .expect("a client");
    let mut phases = Vec::new();
    let mut ids = Vec::new();
    phases.push(measure(
        &service,
        profile,
        "create users",
        http::Method::POST,
        "/scim/v1/Users",
        || {
            for i in 0..size.users {
                let created = client.create_user(&user(i)).expect("create");
                ids.push(created.id.as_deref().expect("an id").to_owned());
            }
        },
    ));
    phases.push(measure(
        &service,
        profile,
        "update users",
        http::Method::PATCH,
        "/scim/v1/Users/W",
        || {
            for id in &ids {
                client.patch::<User>(id, &update(profile)).expect("update");
            }
        },
    ));
    phases.push(measure(
        &service,
        profile,
        "create groups",
        http::Method::POST,
        "/scim/v1/Groups",
        || {
            for (i, members) in ids.chunks(size.members).take(size.groups).enumerate() {
                client
                    .create_group(&group(i, members))
                    .expect("create group");
            }
        },
    ));
    let walked = client
        .all::<User>(SearchRequest::new())
        .filter(|user| user.is_ok())
        .count();
    (phases, walked)
}

fn measure(
    service: &InMemoryService,
    profile: &Profile,
    name: &'static str,
    method: http::Method,
    path: &str,
    run: impl FnOnce(),
) -> Phase {
    let (start, requests, throttled) = (
        service.now(),
        service.requests_received(),
        service.throttled(),
    );
    run();
    Phase {
        name,
        requests: service.requests_received() - requests,
        throttled: service.throttled() - throttled,
        minutes: minutes_between(start, service.now()),
        binding_per_minute: binding_per_minute(profile, method, path),
    }
}

// ---------------------------------------------------------------- async

/// The in-memory service in tokio's paused time: the service's clock is
/// set from tokio's before each request, and sleeps are tokio's.
struct PausedClock {
    service: InMemoryService,
    origin: (tokio::time::Instant, SystemTime),
}

impl PausedClock {
    fn now(&self) -> SystemTime {
        self.origin.1 + (tokio::time::Instant::now() - self.origin.0)
    }
}

impl AsyncTransport for PausedClock {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        self.service.set_now(self.now());
        let response = self.service.handle(&request);
        Box::pin(async move { Ok(response) })
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(tokio::time::sleep(duration))
    }

    fn now(&self) -> SystemTime {
        PausedClock::now(self)
    }
}

/// Runs `work(i)` for every i below `count` on `tasks` tasks, in paused time.
async fn spread<F, Fut>(tasks: usize, count: usize, work: F)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let next = Arc::new(AtomicUsize::new(0));
    let work = Arc::new(work);
    let handles: Vec<_> = (0..tasks)
        .map(|_| {
            let (next, work) = (next.clone(), work.clone());
            tokio::spawn(async move {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    work(i).await;
                }
            })
        })
        .collect();
    for handle in handles {
        handle.await.expect("a task");
    }
}

/// The job through `clients` async clients (sharing one budget when on) at
/// `concurrency` tasks in all.
fn async_job(
    profile: &Profile,
    size: Size,
    budget: bool,
    clients: usize,
    concurrency: usize,
) -> Vec<Phase> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        let service = InMemoryService::for_profile(profile);
        let origin = (tokio::time::Instant::now(), service.now());
        let budget = budget.then(|| SharedBudget::for_table(&profile.rates, 1.0));
        let clients: Arc<Vec<AsyncScimClient>> = Arc::new(
            (0..clients)
                .map(|_| {
                    let transport = PausedClock {
                        service: service.clone(),
                        origin,
                    };
                    AsyncScimClient::with_transport(
                        "xoxp-bench",
                        options(profile, budget.clone()),
                        transport,
                    )
                    .expect("a client")
                })
                .collect(),
        );
        let ids = Arc::new(std::sync::Mutex::new(vec![String::new(); size.users]));
        let clock = PausedClock {
            service: service.clone(),
            origin,
        };
        let mut phases = Vec::new();

        let snapshot = |service: &InMemoryService| {
            (
                clock.now(),
                service.requests_received(),
                service.throttled(),
            )
        };
        let finish =
            |name, method, path: &str, (start, requests, throttled): (SystemTime, u64, u64)| {
                Phase {
                    name,
                    requests: service.requests_received() - requests,
                    throttled: service.throttled() - throttled,
                    minutes: minutes_between(start, clock.now()),
                    binding_per_minute: binding_per_minute(profile, method, path),
                }
            };

        let before = snapshot(&service);
        let (c, sink) = (clients.clone(), ids.clone());
        spread(concurrency, size.users, move |i| {
            let (c, sink) = (c.clone(), sink.clone());
            async move {
                let created = c[i % c.len()].create_user(&user(i)).await.expect("create");
                sink.lock().expect("ids")[i] = created.id.as_deref().expect("an id").to_owned();
            }
        })
        .await;
        phases.push(finish(
            "create users",
            http::Method::POST,
            "/scim/v1/Users",
            before,
        ));

        let ids: Arc<Vec<String>> = Arc::new(ids.lock().expect("ids").clone());
        let before = snapshot(&service);
        let (c, all) = (clients.clone(), ids.clone());
        let body = Arc::new(update(profile));
        spread(concurrency, size.users, move |i| {
            let (c, all, body) = (c.clone(), all.clone(), body.clone());
            async move {
                c[i % c.len()]
                    .patch::<User>(&all[i], &*body)
                    .await
                    .expect("update");
            }
        })
        .await;
        phases.push(finish(
            "update users",
            http::Method::PATCH,
            "/scim/v1/Users/W",
            before,
        ));

        let before = snapshot(&service);
        let (c, all) = (clients.clone(), ids.clone());
        let members = size.members;
        spread(concurrency, size.groups, move |i| {
            let (c, all) = (c.clone(), all.clone());
            async move {
                let slice = &all[i * members..((i + 1) * members).min(all.len())];
                c[i % c.len()]
                    .create_group(&group(i, slice))
                    .await
                    .expect("create group");
            }
        })
        .await;
        phases.push(finish(
            "create groups",
            http::Method::POST,
            "/scim/v1/Groups",
            before,
        ));
        assert_eq!(service.len(Kind::Users), size.users);
        phases
    })
}

// ---------------------------------------------------------------- table

fn print(job: &str, budget: bool, phases: &[Phase], size: Size) {
    for phase in phases {
        let done = if phase.name == "create groups" {
            size.groups
        } else {
            size.users
        };
        let achieved = if phase.minutes > 0.0 {
            format!("{:.1}%", 100.0 * phase.achieved(done))
        } else {
            "within the burst".to_owned()
        };
        println!(
            "| {job} | {} | {} | {} | {} | {:.1} | {achieved} |",
            if budget { "on" } else { "off" },
            phase.name,
            phase.requests,
            phase.throttled,
            phase.minutes,
        );
    }
}

fn check(job: &str, phases: &[Phase], size: Size) {
    for phase in phases {
        let done = if phase.name == "create groups" {
            size.groups
        } else {
            size.users
        };
        assert_eq!(
            phase.throttled, 0,
            "{job}, {}: a 429 with the budget on",
            phase.name
        );
        assert!(
            phase.achieved(done) >= 0.97,
            "{job}, {}: {:.1}% of the binding limit",
            phase.name,
            100.0 * phase.achieved(done)
        );
    }
}

fn main() {
    let quick = std::env::args().any(|arg| arg == "quick");
    let size = if quick {
        Size {
            users: 1_000,
            groups: 20,
            members: 50,
        }
    } else {
        Size {
            users: 10_000,
            groups: 200,
            members: 50,
        }
    };
    let slack = Profile::slack_v1();
    println!(
        "| job | budget | phase | requests | 429s | virtual minutes | achieved / binding limit |"
    );
    println!("|---|---|---|---|---|---|---|");
    for budget in [true, false] {
        let (phases, walked) = blocking_job(&slack, size, budget);
        print("Slack v1, blocking", budget, &phases, size);
        assert_eq!(walked, size.users);
        if budget {
            check("Slack v1, blocking", &phases, size);
        }
        let phases = async_job(&slack, size, budget, 1, 16);
        print("Slack v1, async ×16", budget, &phases, size);
        if budget {
            check("Slack v1, async ×16", &phases, size);
        }
    }
    let phases = async_job(&slack, size, true, 2, 16);
    print(
        "Slack v1, two clients sharing a budget, ×8 each",
        true,
        &phases,
        size,
    );
    check("Slack v1, two clients sharing a budget", &phases, size);

    let aws = Profile::aws_identity_center("us-east-1", "d-bench");
    let (_, walked) = blocking_job(&aws, size, true);
    println!(
        "\nAWS IAM Identity Center profile (cursor pages of ≤ 100): every user walked: {walked} of {}",
        size.users
    );
    assert_eq!(walked, size.users, "the cursor walk reached every user");
}
