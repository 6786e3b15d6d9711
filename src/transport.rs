//! The seam between the pure core and whatever performs I/O.
//!
//! A transport sends an `http::Request<Vec<u8>>` and returns the
//! `http::Response<Vec<u8>>`, or a [`TransportError`] that says whether the
//! request may have reached the server, which is what decides if a retry is
//! safe. Transports also own time: the drivers ask them to sleep and to
//! tell the current time, so nothing in `src/` ever blocks or reads a clock.
//!
//! Ready-made transports live in the top-level `transports/` folder: any
//! closure (`Fn(HttpRequest) -> Result<HttpResponse, TransportError>`),
//! ureq (feature `ureq`), reqwest on tokio (feature `tokio`) and surf
//! (feature `surf`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, SystemTime};

/// A request as the core builds it.
pub type HttpRequest = http::Request<Vec<u8>>;
/// A response as the core reads it.
pub type HttpResponse = http::Response<Vec<u8>>;
/// A boxed, `Send` future, as [`AsyncTransport`] returns.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A blocking HTTP client.
///
/// Every HTTP status, 4xx and 5xx included, is a `Ok` response: the core
/// classifies statuses. Redirects must not be followed (they would carry the
/// bearer token to another host). Only `send` is required; a test double
/// overrides `sleep` so retries do not wait, and `now` to fix the clock.
pub trait Transport: Send + Sync {
    /// Sends one request and reads the whole response.
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError>;

    /// Blocks for `duration` before a retry (default: `std::thread::sleep`).
    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    /// The current time (default: the system clock), used to turn an
    /// HTTP-date `Retry-After` into a wait and to ask the rate budget
    /// ([`ClientOptions::budget`](crate::ClientOptions::budget)). A transport
    /// that runs in virtual time returns its virtual clock here.
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    /// A seed for the client's retry jitter, asked once when a client is
    /// built (default: fresh entropy from the standard library). Return a
    /// constant to replay a run exactly.
    fn jitter_seed(&self) -> u64 {
        fresh_seed()
    }
}

/// An async HTTP client, free of any runtime: the runtime comes in through
/// [`sleep`](AsyncTransport::sleep). The futures are `Send`, so a client
/// built on it works on multi-threaded executors.
///
/// A tokio and reqwest user writes about fifteen lines:
///
/// ```ignore
/// struct Reqwest(reqwest::Client);
/// impl AsyncTransport for Reqwest {
///     fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
///         Box::pin(async move {
///             let request = reqwest::Request::try_from(request).map_err(TransportError::invalid)?;
///             let response = self.0.execute(request).await.map_err(|e| {
///                 if e.is_connect() { TransportError::not_sent(e) } else { TransportError::maybe_sent(e) }
///             })?;
///             let mut out = http::Response::builder().status(response.status());
///             for (name, value) in response.headers() { out = out.header(name, value); }
///             let body = response.bytes().await.map_err(TransportError::maybe_sent)?;
///             out.body(body.to_vec()).map_err(TransportError::invalid)
///         })
///     }
///     fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> { Box::pin(tokio::time::sleep(duration)) }
///     fn now(&self) -> SystemTime { SystemTime::now() }
/// }
/// ```
pub trait AsyncTransport: Send + Sync {
    /// Sends one request and reads the whole response.
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>>;

    /// Waits for `duration` before a retry, without blocking the executor.
    /// No default: only the runtime knows how to wait.
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()>;

    /// The current time (default: the system clock), used to turn an
    /// HTTP-date `Retry-After` into a wait and to ask the rate budget
    /// ([`ClientOptions::budget`](crate::ClientOptions::budget)). A transport
    /// that runs in virtual time returns its virtual clock here.
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }

    /// A seed for the client's retry jitter; see [`Transport::jitter_seed`].
    fn jitter_seed(&self) -> u64 {
        fresh_seed()
    }
}

/// Fresh entropy for jitter, from the standard library's per-process
/// random hash keys: no dependency, and different in every client.
fn fresh_seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(0x5C1A_u64)
}

/// What a transport knows about how far a failed request got. Retry safety
/// depends on it: a request that never left can always be sent again.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The request never reached the server: connection refused, DNS
    /// failure, TLS handshake failure, connect timeout.
    NotSent,
    /// The request may have been processed: reset after sending, connection
    /// closed before or during the response.
    MaybeSent,
    /// No answer in time after the request was sent (a read timeout). Like
    /// [`MaybeSent`](Self::MaybeSent), the server may have acted on it.
    TimedOut,
    /// The request could not be sent as built (bad URL, bad header).
    /// Sending it again cannot help.
    Invalid,
    /// The response body was larger than the configured maximum.
    ResponseTooLarge,
}

impl TransportErrorKind {
    /// True when the server cannot have seen the request.
    pub fn never_sent(self) -> bool {
        matches!(self, TransportErrorKind::NotSent)
    }

    /// True when the server may have seen (and acted on) the request.
    pub fn may_have_been_sent(self) -> bool {
        matches!(
            self,
            TransportErrorKind::MaybeSent | TransportErrorKind::TimedOut
        )
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::NotSent => "request not sent",
            TransportErrorKind::MaybeSent => "request may have been sent",
            TransportErrorKind::TimedOut => "timed out waiting for the response",
            TransportErrorKind::Invalid => "invalid request",
            TransportErrorKind::ResponseTooLarge => "response body too large",
        })
    }
}

/// A failure to get a response, with its [`TransportErrorKind`].
///
/// Transports must not put header values (the token) in the message.
#[derive(Debug, thiserror::Error)]
#[error("{kind}: {message}")]
pub struct TransportError {
    kind: TransportErrorKind,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl TransportError {
    /// An error of the given kind with a message.
    pub fn new(kind: TransportErrorKind, message: impl Into<String>) -> TransportError {
        TransportError {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// An error of the given kind caused by `source`; its `Display` is the message.
    pub fn from_source(
        kind: TransportErrorKind,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> TransportError {
        let source = source.into();
        TransportError {
            kind,
            message: source.to_string(),
            source: Some(source),
        }
    }

    /// [`TransportErrorKind::NotSent`] caused by `source`.
    pub fn not_sent(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> TransportError {
        TransportError::from_source(TransportErrorKind::NotSent, source)
    }

    /// [`TransportErrorKind::MaybeSent`] caused by `source`.
    pub fn maybe_sent(
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> TransportError {
        TransportError::from_source(TransportErrorKind::MaybeSent, source)
    }

    /// [`TransportErrorKind::TimedOut`] caused by `source`.
    pub fn timed_out(
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> TransportError {
        TransportError::from_source(TransportErrorKind::TimedOut, source)
    }

    /// [`TransportErrorKind::Invalid`] caused by `source`.
    pub fn invalid(source: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> TransportError {
        TransportError::from_source(TransportErrorKind::Invalid, source)
    }

    /// [`TransportErrorKind::ResponseTooLarge`] for a body over `limit` bytes.
    pub fn too_large(limit: usize) -> TransportError {
        TransportError::new(
            TransportErrorKind::ResponseTooLarge,
            format!("the response body exceeds the {limit}-byte limit"),
        )
    }

    /// How far the request got.
    pub fn kind(&self) -> TransportErrorKind {
        self.kind
    }

    /// The operating system's error behind this one, if any: the first
    /// `std::io::Error` down the source chain, whatever HTTP library the
    /// transport uses. `io_error()?.raw_os_error() == Some(104)` is the
    /// Python SDK's `errno == 104` (connection reset by peer, on Linux).
    pub fn io_error(&self) -> Option<&std::io::Error> {
        let mut next: Option<&(dyn std::error::Error + 'static)> = self
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static));
        while let Some(error) = next {
            if let Some(io) = error.downcast_ref::<std::io::Error>() {
                return Some(io);
            }
            next = error.source();
        }
        None
    }

    pub(crate) fn scrub(&mut self, secrets: &crate::secrets::Secrets) {
        secrets.scrub_string(&mut self.message);
        // A source chain any of whose texts holds a secret is dropped: the
        // message is kept, scrubbed.
        let source = self
            .source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static));
        if secrets.in_chain(source) {
            self.source = None;
        }
    }
}
