//! A rate-limited SCIM server on 127.0.0.1, in wall time: the in-memory
//! service playing a provider's profile whose rate table is scaled K×
//! (every rule's rate and burst), behind a small keep-alive HTTP/1.1
//! listener. Each request is answered at `SystemTime::now()`
//! (`InMemoryService::handle_at`), so a request that finds a bucket empty
//! is answered 429 with a `Retry-After`, as the provider would, in real
//! seconds. The server counts, per rule of the table, the requests that
//! count in it, the 429s among them, and when it first and last admitted
//! one.
//!
//! Started and stopped by the bench that uses it ([`PacedServer::start`],
//! [`PacedServer::stop`]); one thread per connection, as a load test of a
//! few dozen connections needs nothing more.

#![allow(dead_code)] // each bench uses part of this

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, SystemTime};

use scim_client::pacing::{RateTable, RequestClass};
use scim_client::provider::Profile;
use scim_client::transport::{HttpRequest, HttpResponse};
use scim_memory::InMemoryService;

/// The base path the server answers under.
pub const BASE_PATH: &str = "/scim/v2/";

/// `table` with every rule's rate and burst multiplied by `k` (the period
/// unchanged): the same shape of limits, K times as fast.
pub fn scaled(table: &RateTable, k: u32) -> RateTable {
    let mut rules = table.rules.clone();
    for rule in &mut rules {
        rule.limit = rule.limit.saturating_mul(k);
        rule.burst = rule.burst.saturating_mul(k);
    }
    RateTable::new(rules)
}

/// `profile` with its rate table scaled K× ([`scaled`]).
pub fn scaled_profile(profile: &Profile, k: u32) -> Profile {
    Profile {
        rates: scaled(&profile.rates, k),
        ..profile.clone()
    }
}

/// What the server saw of one rule.
#[derive(Clone, Debug, Default)]
pub struct RuleTally {
    /// The rule's name.
    pub name: String,
    /// Requests that count in the rule.
    pub requests: u64,
    /// Of those, answered 429 (by whichever rule was empty).
    pub throttled: u64,
    /// Of those, admitted.
    pub admitted: u64,
    /// When the first admitted one arrived.
    pub first: Option<SystemTime>,
    /// When the last admitted one arrived.
    pub last: Option<SystemTime>,
}

/// A running server. Dropping it without [`stop`](Self::stop) leaves it
/// serving until the process ends.
pub struct PacedServer {
    /// `http://127.0.0.1:PORT/scim/v2/`.
    pub url: String,
    /// The service behind it.
    pub service: InMemoryService,
    /// The table it enforces (the profile's, scaled).
    pub table: RateTable,
    tally: Arc<Mutex<Vec<RuleTally>>>,
    stop: Arc<AtomicBool>,
    address: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
}

impl PacedServer {
    /// Serves `profile` with its table scaled `k`× on a free port.
    pub fn start(profile: &Profile, k: u32) -> PacedServer {
        let profile = scaled_profile(profile, k);
        let service = InMemoryService::for_profile(&profile);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let address = listener.local_addr().expect("a local address");
        let tally = profile
            .rates
            .rules
            .iter()
            .map(|rule| RuleTally {
                name: rule.name.clone(),
                ..RuleTally::default()
            })
            .collect();
        let tally = Arc::new(Mutex::new(tally));
        let stop = Arc::new(AtomicBool::new(false));
        let shared = Shared {
            service: service.clone(),
            table: profile.rates.clone(),
            tally: tally.clone(),
        };
        let flag = stop.clone();
        let acceptor = std::thread::spawn(move || accept(&listener, &flag, &shared));
        PacedServer {
            url: format!("http://{address}{BASE_PATH}"),
            service,
            table: profile.rates,
            tally,
            stop,
            address,
            acceptor: Some(acceptor),
        }
    }

    /// Each rule's tally so far, in table order.
    pub fn tally(&self) -> Vec<RuleTally> {
        self.tally.lock().expect("the tally").clone()
    }

    /// Stops accepting connections and waits for the listener to end.
    /// Connections still open end when their clients close them (or after
    /// a minute idle).
    pub fn stop(mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocked `accept` so it sees the flag.
        let _ = TcpStream::connect(self.address);
        if let Some(acceptor) = self.acceptor.take() {
            acceptor.join().expect("the listener thread");
        }
    }
}

/// What every connection's thread shares.
#[derive(Clone)]
struct Shared {
    service: InMemoryService,
    table: RateTable,
    tally: Arc<Mutex<Vec<RuleTally>>>,
}

impl Shared {
    /// Answers `request` now, and counts it.
    fn answer(&self, request: &HttpRequest) -> HttpResponse {
        let now = SystemTime::now();
        let response = self.service.handle_at(request, now);
        let class = RequestClass::of(request.uri().path(), BASE_PATH);
        let throttled = response.status() == http::StatusCode::TOO_MANY_REQUESTS;
        let mut tally = self.tally.lock().expect("the tally");
        for (rule, count) in self.table.rules.iter().zip(tally.iter_mut()) {
            if !rule.matches(request.method(), &class) {
                continue;
            }
            count.requests += 1;
            if throttled {
                count.throttled += 1;
            } else {
                count.admitted += 1;
                count.first.get_or_insert(now);
                count.last = Some(now);
            }
        }
        response
    }
}

fn accept(listener: &TcpListener, stop: &AtomicBool, shared: &Shared) {
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let shared = shared.clone();
        std::thread::spawn(move || serve_connection(stream, &shared));
    }
}

/// Serves one keep-alive connection until the client closes it.
fn serve_connection(stream: TcpStream, shared: &Shared) {
    let _ = stream.set_nodelay(true);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(60)));
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Some((request, close)) = read_request(&mut reader) {
        let response = shared.answer(&request);
        if writer.write_all(&encode(&response, close)).is_err() || close {
            return;
        }
    }
}

/// Reads one request (head and a `Content-Length` body); `None` when the
/// connection ended or the request cannot be read. Also says whether the
/// client asked to close.
fn read_request(reader: &mut impl BufRead) -> Option<(HttpRequest, bool)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, target) = (parts.next()?.to_owned(), parts.next()?.to_owned());
    let mut builder = http::Request::builder().method(method.as_str()).uri(target);
    let (mut length, mut close) = (0usize, false);
    loop {
        line.clear();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        let (name, value) = (name.trim(), value.trim());
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok()?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            return None; // not needed by the clients benched: they send lengths
        }
        close |= name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close");
        builder = builder.header(name, value);
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((builder.body(body).ok()?, close))
}

/// The response as HTTP/1.1 bytes, with its length (and `Connection:
/// close` when the client asked for it).
fn encode(response: &HttpResponse, close: bool) -> Vec<u8> {
    let status = response.status();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\n",
        status.as_u16(),
        status.canonical_reason().unwrap_or("")
    );
    for (name, value) in response.headers() {
        if name != http::header::CONTENT_LENGTH {
            let value = String::from_utf8_lossy(value.as_bytes());
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str(&format!("Content-Length: {}\r\n", response.body().len()));
    if close {
        head.push_str("Connection: close\r\n");
    }
    head.push_str("\r\n");
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(response.body());
    bytes
}
