//! End to end, against a keep-alive HTTP server on 127.0.0.1 that this bench
//! starts: client CPU per blocking `read_user` and connections opened, async
//! throughput at concurrency 64 on tokio and on surf (with `--all-features`), and the peak memory
//! of a paginated walk over 10,000 and 100,000 users on the in-memory service.
//!
//! `cargo bench --bench e2e` runs everything and prints a table. The
//! comparison script (benches/compare_python.sh) drives single parts:
//! `-- serve`, `-- write-page FILE`, `-- parse FILE`, `-- blocking URL N`,
//! `-- async URL N CONCURRENCY` (surf), `-- tokio URL N CONCURRENCY
//! [multi|current]` (the runtime's flavour; multi-thread by default).

#[path = "common/mod.rs"]
mod common;
#[path = "common/thread_cpu.rs"]
mod thread_cpu;
use thread_cpu::thread_cpu;
#[path = "common/counting_alloc.rs"]
mod counting_alloc;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use scim_client::model::{ListResponse, SearchRequest, User};
use scim_client::{ClientOptions, ScimClient};
use scim_memory::InMemoryService;

// ---------------------------------------------------------------- server

/// A keep-alive HTTP/1.1 server answering every request with `body`.
/// Returns its base URL and a counter of connections accepted.
fn start_server(body: Vec<u8>) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
    let url = format!(
        "http://{}/scim/v1/",
        listener.local_addr().expect("local address")
    );
    let connections = Arc::new(AtomicUsize::new(0));
    let counter = connections.clone();
    let body = Arc::new(body);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            counter.fetch_add(1, Ordering::Relaxed);
            let body = body.clone();
            std::thread::spawn(move || serve_connection(stream, &body));
        }
    });
    (url, connections)
}

fn serve_connection(stream: TcpStream, body: &[u8]) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(stream.try_clone().expect("clone the stream"));
    let mut writer = stream;
    let response = |close: bool| {
        let connection = if close { "Connection: close\r\n" } else { "" };
        let mut bytes = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{connection}\r\n",
            body.len()
        )
        .into_bytes();
        bytes.extend_from_slice(body);
        bytes
    };
    let (keep_alive, closing) = (response(false), response(true));
    loop {
        let mut close = false;
        let mut length = 0usize;
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                return;
            }
            let header = line.trim_end().to_ascii_lowercase();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("content-length:") {
                length = value.trim().parse().unwrap_or(0);
            }
            close |= header == "connection: close";
        }
        let mut discard = vec![0; length];
        if reader.read_exact(&mut discard).is_err() {
            return;
        }
        let written = writer.write_all(if close { &closing } else { &keep_alive });
        if written.is_err() || close {
            return;
        }
    }
}

/// One user, as the server answers `GET /Users/{id}`.
fn user_body() -> Vec<u8> {
    serde_json::to_vec(&common::user(42, common::Shape::SlackV1))
        .expect("a generated user serialises")
}

// ---------------------------------------------------------------- measurements

struct Blocking {
    cpu_per_call: Option<Duration>,
    wall_per_call: Duration,
    connections: usize,
}

fn blocking(url: &str, calls: usize, connections: Option<&AtomicUsize>) -> Blocking {
    let options = ClientOptions {
        base_url: url.to_owned(),
        ..ClientOptions::default()
    };
    let client = ScimClient::with_options("xoxp-bench", options).expect("a client");
    let before = connections.map(|c| c.load(Ordering::Relaxed));
    let (cpu_start, wall_start) = (thread_cpu(), Instant::now());
    for i in 0..calls {
        let user = client.read_user(&format!("W{i:08}")).expect("read_user");
        std::hint::black_box(user);
    }
    let wall = wall_start.elapsed();
    let cpu = thread_cpu().zip(cpu_start).map(|(end, start)| end - start);
    Blocking {
        cpu_per_call: cpu.map(|c| c / calls as u32),
        wall_per_call: wall / calls as u32,
        connections: connections
            .zip(before)
            .map_or(0, |(c, b)| c.load(Ordering::Relaxed) - b),
    }
}

#[cfg(feature = "surf-rustls")]
fn asynchronous(url: &str, calls: usize, concurrency: usize) -> f64 {
    use scim_client::AsyncScimClient;
    use scim_client::transports::surf::SurfTransport;

    let options = ClientOptions {
        base_url: url.to_owned(),
        ..ClientOptions::default()
    };
    // The crate's own connection under surf: one connection per request.
    let transport = SurfTransport::from_options(&options).expect("a surf client");
    let client = Arc::new(
        AsyncScimClient::with_transport("xoxp-bench", options, transport).expect("a client"),
    );
    let start = Instant::now();
    async_std::task::block_on(async {
        let tasks: Vec<_> = (0..concurrency)
            .map(|task| {
                let client = client.clone();
                let share = calls / concurrency + usize::from(task < calls % concurrency);
                async_std::task::spawn(async move {
                    for i in 0..share {
                        let user = client
                            .read_user(&format!("W{task:03}{i:06}"))
                            .await
                            .expect("read_user");
                        std::hint::black_box(user);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await;
        }
    });
    calls as f64 / start.elapsed().as_secs_f64()
}

/// `calls` `read_user` at `concurrency` tasks through the tokio transport
/// (reqwest, keep-alive), on a multi-threaded runtime (a worker per core,
/// `#[tokio::main]`'s default) or a current-thread one (one thread, as an
/// asyncio event loop); returns calls per second.
#[cfg(feature = "tokio")]
fn tokio_async(url: &str, calls: usize, concurrency: usize, current_thread: bool) -> f64 {
    use scim_client::AsyncScimClient;

    let options = ClientOptions {
        base_url: url.to_owned(),
        ..ClientOptions::default()
    };
    let runtime = if current_thread {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    };
    runtime.block_on(async {
        let client =
            Arc::new(AsyncScimClient::with_options("xoxp-bench", options).expect("a client"));
        let start = Instant::now();
        let tasks: Vec<_> = (0..concurrency)
            .map(|task| {
                let client = client.clone();
                let share = calls / concurrency + usize::from(task < calls % concurrency);
                tokio::spawn(async move {
                    for i in 0..share {
                        let user = client
                            .read_user(&format!("W{task:03}{i:06}"))
                            .await
                            .expect("read_user");
                        std::hint::black_box(user);
                    }
                })
            })
            .collect();
        for task in tasks {
            task.await.expect("a task");
        }
        calls as f64 / start.elapsed().as_secs_f64()
    })
}

struct Walk {
    users: usize,
    peak_bytes: usize,
    seconds: f64,
}

/// Seeds `users` users, then walks them all in pages of 1000 and reports the
/// walk's peak heap above what the seeded service already holds.
fn paginate(users: usize) -> Walk {
    let service = InMemoryService::slack_v1();
    for i in 0..users {
        service
            .seed_user(common::user(i, common::Shape::SlackV1))
            .expect("seed a user");
    }
    let client = ScimClient::with_transport("xoxp-bench", ClientOptions::default(), service)
        .expect("a client");
    let baseline = counting_alloc::start_peak();
    let start = Instant::now();
    let mut walked = 0;
    for user in client.all_users(SearchRequest::new()) {
        std::hint::black_box(user.expect("a user"));
        walked += 1;
    }
    Walk {
        users: walked,
        peak_bytes: counting_alloc::peak_since(baseline),
        seconds: start.elapsed().as_secs_f64(),
    }
}

fn median_parse(bytes: &[u8], runs: usize) -> Duration {
    let mut times: Vec<Duration> = (0..runs)
        .map(|_| {
            let start = Instant::now();
            let page: ListResponse<User> = serde_json::from_slice(bytes).expect("a page parses");
            let elapsed = start.elapsed();
            std::hint::black_box(page);
            elapsed
        })
        .collect();
    times.sort();
    times[times.len() / 2]
}

// ---------------------------------------------------------------- main

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let arg = |i: usize| args.get(i).map(String::as_str);
    match arg(0) {
        Some("serve") => {
            let (url, _) = start_server(user_body());
            println!("{url}");
            std::io::stdout().flush().ok();
            loop {
                std::thread::park();
            }
        }
        Some("write-page") => {
            std::fs::write(
                arg(1).expect("write-page FILE"),
                common::page(1000, common::Shape::SlackV1),
            )
            .expect("write the page");
        }
        Some("parse") => {
            let bytes = std::fs::read(arg(1).expect("parse FILE")).expect("read the page");
            println!("{}", median_parse(&bytes, 101).as_secs_f64());
        }
        Some("floors") => floors(),
        Some("blocking") => {
            // CPU, not memory: the allocator's counting would be billed to
            // the client.
            counting_alloc::stop_counting();
            let calls = arg(2).and_then(|n| n.parse().ok()).unwrap_or(1000);
            let result = blocking(arg(1).expect("blocking URL [N]"), calls, None);
            println!(
                "{}",
                result.cpu_per_call.map_or(f64::NAN, |c| c.as_secs_f64())
            );
        }
        #[cfg(feature = "surf-rustls")]
        Some("async") => {
            let calls = arg(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
            let concurrency = arg(3).and_then(|n| n.parse().ok()).unwrap_or(64);
            println!(
                "{}",
                asynchronous(arg(1).expect("async URL [N] [C]"), calls, concurrency)
            );
        }
        #[cfg(feature = "tokio")]
        Some("tokio") => {
            let calls = arg(2).and_then(|n| n.parse().ok()).unwrap_or(10_000);
            let concurrency = arg(3).and_then(|n| n.parse().ok()).unwrap_or(64);
            let current_thread = match arg(4) {
                None | Some("multi") => false,
                Some("current") => true,
                Some(other) => panic!("tokio URL N C [multi|current], not {other}"),
            };
            let url = arg(1).expect("tokio URL [N] [C] [multi|current]");
            println!("{}", tokio_async(url, calls, concurrency, current_thread));
        }
        _ => run_all(),
    }
}

/// What no client can go below here: serde_json scanning the page without
/// building anything, and one raw keep-alive HTTP round trip over loopback.
fn floors() {
    let bytes = common::page(1000, common::Shape::SlackV1);
    let mut scans: Vec<Duration> = (0..101)
        .map(|_| {
            let start = Instant::now();
            let _: serde::de::IgnoredAny = serde_json::from_slice(&bytes).expect("valid JSON");
            start.elapsed()
        })
        .collect();
    scans.sort();
    println!(
        "floor: serde_json scanning the {:.2} MB page (IgnoredAny), median {:.2} ms",
        bytes.len() as f64 / 1e6,
        scans[50].as_secs_f64() * 1e3
    );
    let typed = median_parse(&bytes, 101);
    println!(
        "       typed parse of the same page, median {:.2} ms",
        typed.as_secs_f64() * 1e3
    );

    let (url, _) = start_server(user_body());
    let address = url
        .trim_start_matches("http://")
        .trim_end_matches("/scim/v1/")
        .to_owned();
    let mut stream = TcpStream::connect(&address).expect("connect");
    stream.set_nodelay(true).ok();
    let request = format!("GET /scim/v1/Users/W1 HTTP/1.1\r\nHost: {address}\r\n\r\n");
    let expected = user_body().len();
    let mut buffer = vec![0u8; 64 * 1024];
    let calls = 2000;
    let cpu = thread_cpu();
    for _ in 0..calls {
        stream.write_all(request.as_bytes()).expect("write");
        let mut got = 0;
        while got < expected {
            let n = stream.read(&mut buffer).expect("read");
            got += n;
            if let Some(end) = buffer[..n].windows(4).position(|w| w == b"\r\n\r\n") {
                got -= end + 4;
            }
        }
    }
    if let Some((end, start)) = thread_cpu().zip(cpu) {
        println!(
            "floor: raw keep-alive round trip over loopback (write + read), CPU {:.1} µs/call",
            (end - start).as_secs_f64() * 1e6 / calls as f64
        );
    }
}

fn run_all() {
    println!("e2e benchmarks (medians are not needed here: each row is one long run)\n");
    let (url, connections) = start_server(user_body());
    let result = blocking(&url, 1000, Some(&connections));
    let cpu = result
        .cpu_per_call
        .map_or("n/a".into(), |c| format!("{:.1} µs", c.as_secs_f64() * 1e6));
    println!(
        "blocking  1000 sequential read_user via ureq: client CPU {cpu}/call, wall {:.1} µs/call, {} connection(s) opened",
        result.wall_per_call.as_secs_f64() * 1e6,
        result.connections
    );

    #[cfg(feature = "surf-rustls")]
    {
        let rate = asynchronous(&url, 10_000, 64);
        println!(
            "async     10,000 read_user at concurrency 64 via surf (`from_options`, a connection per call): {rate:.0} calls/s"
        );
    }
    #[cfg(not(feature = "surf-rustls"))]
    println!("async     (skipped: run `cargo bench --all-features --bench e2e` for surf)");
    #[cfg(feature = "tokio")]
    for (current_thread, flavour) in [(false, "multi-thread"), (true, "current-thread")] {
        let rate = tokio_async(&url, 10_000, 64, current_thread);
        println!(
            "async     10,000 read_user at concurrency 64 via tokio (reqwest, keep-alive, {flavour} runtime): {rate:.0} calls/s"
        );
    }

    for users in [10_000, 100_000] {
        let walk = paginate(users);
        println!(
            "paginate  {} users in pages of 1000 on the in-memory service: peak {:.2} MB above the store, {:.2} s",
            walk.users,
            walk.peak_bytes as f64 / 1e6,
            walk.seconds
        );
    }
}
