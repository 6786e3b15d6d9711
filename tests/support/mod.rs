//! A scripted HTTP/1.1 server on 127.0.0.1 for transport tests, and the
//! fault scenarios both transports must pass. The server is started by each
//! test and stops when dropped; it only ever listens on loopback.

#![allow(dead_code)] // each test file uses a different part

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use scim_client::ClientOptions;
use scim_client::retry::{
    ConnectionErrorRetryHandler, FixedValueRetryIntervalCalculator, NoJitter,
    RateLimitErrorRetryHandler, RetryHandlers, ServerErrorRetryHandler,
};

/// What the server does with the next request.
#[derive(Clone, Debug)]
pub enum Reply {
    /// A complete response.
    Respond {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Read the request, then close the connection without answering.
    CloseWithoutResponse,
    /// Read only the request line, then drop the socket with the rest of the
    /// request unread, which makes the kernel send a TCP reset.
    Reset,
    /// Send headers promising `declared` bytes, send `body`, then close.
    CloseMidBody { declared: usize, body: Vec<u8> },
    /// Read the request and answer nothing for this long, then close.
    Hang(Duration),
    /// Send headers promising `declared` bytes, then one byte every
    /// `interval` until the client goes away or `declared` is reached.
    Trickle { declared: usize, interval: Duration },
    /// Write these bytes as the whole answer, then close: for hand-made
    /// wire shapes (an interim 1xx before the answer, HTTP/1.0).
    Raw(Vec<u8>),
    /// Write each phase's bytes `times` times, pausing `every` before each
    /// write, then close: slow, endless or huge answers. Stops when the
    /// client goes away.
    Drip(Vec<Drip>),
}

/// One phase of a [`Reply::Drip`].
#[derive(Clone, Debug)]
pub struct Drip {
    pub bytes: Vec<u8>,
    pub times: usize,
    pub every: Duration,
}

impl Drip {
    pub fn once(bytes: &[u8]) -> Drip {
        Drip {
            bytes: bytes.to_vec(),
            times: 1,
            every: Duration::ZERO,
        }
    }

    pub fn repeat(bytes: &[u8], times: usize, every: Duration) -> Drip {
        Drip {
            bytes: bytes.to_vec(),
            times,
            every,
        }
    }
}

impl Reply {
    pub fn json(status: u16, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn with_header(status: u16, name: &str, value: &str, body: &str) -> Reply {
        Reply::Respond {
            status,
            headers: vec![(name.into(), value.into())],
            body: body.as_bytes().to_vec(),
        }
    }

    pub fn empty(status: u16) -> Reply {
        Reply::Respond {
            status,
            headers: Vec::new(),
            body: Vec::new(),
        }
    }

    pub fn html(status: u16) -> Reply {
        let body = format!("<html><body><h1>{status} Bad Gateway or so</h1></body></html>");
        Reply::Respond {
            status,
            headers: vec![("Content-Type".into(), "text/html".into())],
            body: body.into_bytes(),
        }
    }
}

/// One request as the server read it.
#[derive(Clone, Debug, Default)]
pub struct Recorded {
    pub method: String,
    pub target: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
    pub fn line(&self) -> String {
        format!("{} {}", self.method, self.target)
    }
}

struct Shared {
    script: Mutex<VecDeque<Reply>>,
    requests: Mutex<Vec<Recorded>>,
    connections: AtomicUsize,
    stop: AtomicBool,
}

pub struct TestServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
}

impl TestServer {
    /// Starts a server on 127.0.0.1 that answers requests from `script` in order.
    pub fn start(script: Vec<Reply>) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        let addr = listener.local_addr().unwrap();
        let shared = Arc::new(Shared {
            script: Mutex::new(script.into()),
            requests: Mutex::default(),
            connections: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        });
        let state = shared.clone();
        thread::spawn(move || {
            for stream in listener.incoming() {
                if state.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                state.connections.fetch_add(1, Ordering::SeqCst);
                let state = state.clone();
                thread::spawn(move || serve(stream, &state));
            }
        });
        TestServer { addr, shared }
    }

    pub fn base_url(&self) -> String {
        format!("http://{}/scim/v1/", self.addr)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().unwrap().clone()
    }

    pub fn request_lines(&self) -> Vec<String> {
        self.requests().iter().map(Recorded::line).collect()
    }

    pub fn connections(&self) -> usize {
        self.shared.connections.load(Ordering::SeqCst)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect(self.addr);
    }
}

/// An address where nothing listens: bound, then released.
pub fn refused_base_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}/scim/v1/")
}

fn serve(mut stream: TcpStream, state: &Shared) {
    loop {
        // Wait for the next request on this connection without consuming it.
        let mut probe = [0u8; 1];
        match stream.peek(&mut probe) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let reply = state.script.lock().unwrap().pop_front();
        if let Some(Reply::Reset) = reply {
            let line = read_request_line(&mut stream);
            let mut parts = line.split_whitespace();
            state.requests.lock().unwrap().push(Recorded {
                method: parts.next().unwrap_or_default().into(),
                target: parts.next().unwrap_or_default().into(),
                ..Recorded::default()
            });
            // The headers are still unread: closing now makes the kernel send RST.
            return;
        }
        let Some(request) = read_request(&mut BufReader::new(&stream)) else {
            return;
        };
        state.requests.lock().unwrap().push(request);
        match reply.unwrap_or_else(|| Reply::json(500, r#"{"detail":"unscripted request"}"#)) {
            Reply::Respond {
                status,
                headers,
                body,
            } => {
                let mut head = format!("HTTP/1.1 {status} X\r\nContent-Length: {}\r\n", body.len());
                for (name, value) in headers {
                    head.push_str(&format!("{name}: {value}\r\n"));
                }
                head.push_str("\r\n");
                if stream
                    .write_all(head.as_bytes())
                    .and_then(|()| stream.write_all(&body))
                    .is_err()
                {
                    return;
                }
            }
            Reply::CloseWithoutResponse | Reply::Reset => {
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Reply::CloseMidBody { declared, body } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\n\r\n");
                let _ = stream
                    .write_all(head.as_bytes())
                    .and_then(|()| stream.write_all(&body));
                let _ = stream.flush();
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Reply::Hang(duration) => {
                thread::sleep(duration);
                return;
            }
            Reply::Trickle { declared, interval } => {
                let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\n\r\n");
                if stream.write_all(head.as_bytes()).is_err() {
                    return;
                }
                for _ in 0..declared {
                    thread::sleep(interval);
                    if stream
                        .write_all(b" ")
                        .and_then(|()| stream.flush())
                        .is_err()
                    {
                        return;
                    }
                }
                return;
            }
            Reply::Drip(phases) => {
                for phase in phases {
                    for _ in 0..phase.times {
                        thread::sleep(phase.every);
                        if stream.write_all(&phase.bytes).is_err() {
                            return;
                        }
                    }
                }
                let _ = stream.flush();
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
            Reply::Raw(bytes) => {
                let _ = stream.write_all(&bytes).and_then(|()| stream.flush());
                let _ = stream.shutdown(Shutdown::Both);
                return;
            }
        }
    }
}

/// Reads the request line byte by byte, leaving the rest in the kernel's buffer.
fn read_request_line(stream: &mut TcpStream) -> String {
    let mut line = Vec::new();
    let mut byte = [0u8; 1];
    while let Ok(1) = stream.read(&mut byte) {
        if byte[0] == b'\n' {
            break;
        }
        line.push(byte[0]);
    }
    String::from_utf8_lossy(&line).into_owned()
}

fn read_request(reader: &mut BufReader<&TcpStream>) -> Option<Recorded> {
    let mut line = String::new();
    reader.read_line(&mut line).ok()?;
    let mut parts = line.split_whitespace();
    let mut request = Recorded {
        method: parts.next()?.to_owned(),
        target: parts.next()?.to_owned(),
        ..Recorded::default()
    };
    loop {
        let mut header = String::new();
        reader.read_line(&mut header).ok()?;
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        request
            .headers
            .push((name.trim().to_owned(), value.trim().to_owned()));
    }
    let length: usize = request
        .header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    request.body = vec![0; length];
    reader.read_exact(&mut request.body).ok()?;
    Some(request)
}

/// Options for tests: the server's base URL, and every built-in handler with
/// near-zero waits so no test sleeps for long.
pub fn fast_options(base_url: String) -> ClientOptions {
    let tiny = Arc::new(FixedValueRetryIntervalCalculator::new(
        Duration::from_millis(1),
    ));
    let mut handlers = RetryHandlers::none();
    handlers.push(ConnectionErrorRetryHandler {
        interval_calculator: tiny.clone(),
        ..ConnectionErrorRetryHandler::new(1)
    });
    handlers.push(RateLimitErrorRetryHandler {
        jitter: Arc::new(NoJitter),
        fallback_interval: tiny.clone(),
        ..RateLimitErrorRetryHandler::new(1)
    });
    handlers.push(ServerErrorRetryHandler {
        interval_calculator: tiny,
        ..ServerErrorRetryHandler::new(1)
    });
    ClientOptions {
        base_url,
        retry_handlers: handlers,
        timeout: Duration::from_secs(5),
        ..ClientOptions::default()
    }
}

/// Slack-shaped bodies for the seed's operations.
pub const USER: &str =
    r#"{"schemas":["urn:scim:schemas:core:1.0"],"id":"W1","userName":"cal","active":true}"#;
pub const GROUP: &str = r#"{"schemas":["urn:scim:schemas:core:1.0"],"id":"S1","displayName":"eng","members":[{"value":"W1"}]}"#;
pub const USERS: &str = r#"{"totalResults":1,"itemsPerPage":1,"startIndex":1,"Resources":[{"id":"W1","userName":"cal"}]}"#;
pub const GROUPS: &str = r#"{"totalResults":1,"itemsPerPage":1,"startIndex":1,"Resources":[{"id":"S1","displayName":"eng"}]}"#;

/// The script for [`SEED_REQUESTS`], in order.
pub fn seed_script() -> Vec<Reply> {
    vec![
        Reply::json(200, USERS),
        Reply::json(200, USER),
        Reply::json(201, USER),
        Reply::json(200, USER),
        Reply::json(200, USER),
        Reply::empty(200),
        Reply::json(200, GROUPS),
        Reply::json(200, GROUP),
        Reply::json(201, GROUP),
        Reply::empty(204),
        Reply::json(200, GROUP),
        Reply::empty(204),
        Reply::json(200, r#"{"totalResults":0}"#),
    ]
}

/// What the server must see for the seed's operations, in order.
pub const SEED_REQUESTS: &[&str] = &[
    "GET /scim/v1/Users?startIndex=1&count=100&filter=userName%20Eq%20%22Carly%22",
    "GET /scim/v1/Users/W1",
    "POST /scim/v1/Users",
    "PATCH /scim/v1/Users/W1",
    "PUT /scim/v1/Users/W1",
    "DELETE /scim/v1/Users/W1",
    "GET /scim/v1/Groups?startIndex=1&count=10",
    "GET /scim/v1/Groups/S1",
    "POST /scim/v1/Groups",
    "PATCH /scim/v1/Groups/S1",
    "PUT /scim/v1/Groups/S1",
    "DELETE /scim/v1/Groups/S1",
    "GET /scim/v1/Users?startIndex=1&count=1",
];

/// Checks what every request carried on the wire.
pub fn assert_seed_wire(server: &TestServer) {
    assert_eq!(server.request_lines(), SEED_REQUESTS);
    for request in server.requests() {
        assert_eq!(
            request.header("authorization"),
            Some("Bearer xoxp-transport-test"),
            "{}",
            request.line()
        );
        assert!(
            request
                .header("user-agent")
                .unwrap()
                .starts_with("scim-client/"),
            "{}",
            request.line()
        );
        let has_body = matches!(request.method.as_str(), "POST" | "PATCH" | "PUT");
        assert_eq!(
            request.header("content-type"),
            has_body.then_some("application/json;charset=utf-8")
        );
        if has_body {
            let body: serde_json::Value = serde_json::from_slice(&request.body).unwrap();
            assert_eq!(
                body["schemas"][0],
                "urn:scim:schemas:core:1.0",
                "{}",
                request.line()
            );
        }
    }
    let patch: serde_json::Value = serde_json::from_slice(&server.requests()[3].body).unwrap();
    assert_eq!(patch["userName"], "chenderson");
    assert_eq!(patch["title"], serde_json::Value::Null);
    let group_patch: serde_json::Value =
        serde_json::from_slice(&server.requests()[9].body).unwrap();
    assert_eq!(
        group_patch["members"],
        serde_json::json!([{"value": "W2", "operation": "delete"}])
    );
}

pub mod interop;
pub mod scenarios;
pub mod tls;
#[cfg(feature = "tracing")]
pub mod traces;
