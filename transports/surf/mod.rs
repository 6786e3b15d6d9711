//! [`SurfTransport`]: the async transport, over surf 2 on async-std.
//!
//! surf speaks `http-types` 2, not the `http` crate, so requests and
//! responses are converted here field by field. surf follows no redirects
//! unless told to; this adapter never adds that middleware.
//!
//! Status: surf and async-std are no longer maintained upstream (async-std
//! is deprecated, RUSTSEC-2025-0052). The feature is off by default; new
//! async code should prefer the tokio transport.
//!
//! What this adapter makes safe: a whole-exchange deadline
//! ([`SurfTransport::with_deadline`], set from `ClientOptions::timeout` by
//! `from_options`) covers connect, TLS, headers and body; a body shorter
//! than its `Content-Length` is an error; an interim 1xx is an error, never
//! the answer; a close-delimited body is an error, never an empty body.
//! `from_options` also gives surf a connection of this crate's own
//! (`connection.rs`): rustls 0.23 with the options' TLS settings (private CA,
//! platform store, client certificate), `https://` to an IP address, a
//! separate connect deadline, a fresh connection per request, and a response
//! head bounded to 64 KiB even when a header line never ends.
//!
//! What async-h1 (surf's HTTP/1.1 parser) still cannot do, whatever the
//! adapter does:
//! - read an HTTP/1.0 answer (it refuses the status line);
//! - read past an interim `100 Continue` to the real answer;
//! - read a body delimited by the connection closing.

#[cfg(feature = "surf-rustls")]
mod connection;

use std::time::Duration;

use async_std::io::ReadExt;

use crate::DEFAULT_MAX_BODY_SIZE;
use crate::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, TransportError, TransportErrorKind,
};
#[cfg(feature = "surf-rustls")]
use crate::{ClientOptions, Error};

/// An async transport over a `surf::Client`, sleeping with `async_std::task::sleep`.
///
/// Bring a client built with the surf backend you chose in your own
/// `Cargo.toml` (`SurfTransport::new(client)`), or enable this crate's
/// `surf-rustls` feature for [`from_options`](Self::from_options), which
/// brings this crate's own connection under surf.
#[derive(Debug, Clone)]
pub struct SurfTransport {
    client: ::surf::Client,
    max_body_size: usize,
    deadline: Option<Duration>,
}

impl SurfTransport {
    /// Wraps a surf client; its own timeout and backend apply, and no
    /// whole-exchange deadline until [`with_deadline`](Self::with_deadline).
    pub fn new(client: ::surf::Client) -> SurfTransport {
        SurfTransport {
            client,
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            deadline: None,
        }
    }

    /// Bounds each whole exchange — connect, TLS, sending, the headers and
    /// the body — by `deadline`. surf's own timeout covers only part of it:
    /// a body trickled a byte a second, or a TLS handshake that never
    /// completes, would otherwise never return. Past the deadline the
    /// attempt fails as [`TimedOut`](TransportErrorKind::TimedOut).
    pub fn with_deadline(mut self, deadline: Duration) -> SurfTransport {
        self.deadline = Some(deadline);
        self
    }

    /// Sets the largest response body read.
    pub fn with_max_body_size(mut self, max_body_size: usize) -> SurfTransport {
        self.max_body_size = max_body_size;
        self
    }

    /// A surf client over this crate's own connection (async-h1 on rustls
    /// 0.23), with the options' timeout, connect timeout, TLS settings and
    /// body limit. surf has no proxy support: a proxy that applies to the
    /// base URL (given or found in the environment, and not bypassed by
    /// `NO_PROXY`) is refused rather than silently bypassed.
    ///
    /// Each request gets its own connection. surf's own connection pool
    /// (`http-client` 6.5) takes back a connection whose request timed out
    /// while the server may still answer it; a retry sent on it can read the
    /// first request's late answer. A client you build yourself on that pool
    /// carries that risk.
    #[cfg(feature = "surf-rustls")]
    pub fn from_options(options: &ClientOptions) -> Result<SurfTransport, Error> {
        if options
            .proxy_for_base_url(|name| std::env::var(name).ok())?
            .is_some()
        {
            return Err(Error::InvalidConfig(
                "a proxy applies to the base URL (explicitly or by *_PROXY variables, \
                 and NO_PROXY does not list it) but surf cannot use one; \
                 use the ureq transport or your own AsyncTransport"
                    .into(),
            ));
        }
        let connector = connection::Connector::new(
            super::tls::client_config(&options.tls)?,
            options.connect_timeout.min(options.timeout),
        );
        Ok(
            SurfTransport::new(::surf::Client::with_http_client(connector))
                .with_max_body_size(options.max_body_size)
                .with_deadline(options.timeout),
        )
    }

    /// One exchange, within the deadline when there is one.
    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        match self.deadline {
            None => self.exchange_unbounded(request).await,
            Some(deadline) => {
                async_std::future::timeout(deadline, self.exchange_unbounded(request))
                    .await
                    .unwrap_or_else(|_| {
                        Err(TransportError::new(
                            TransportErrorKind::TimedOut,
                            format!("no complete answer within {deadline:?}"),
                        ))
                    })
            }
        }
    }

    async fn exchange_unbounded(
        &self,
        request: HttpRequest,
    ) -> Result<HttpResponse, TransportError> {
        let head = request.method() == http::Method::HEAD;
        let request = to_surf(request)?;
        let mut response = self.client.send(request).await.map_err(classify)?;
        // async-h1 returns an interim answer (100 Continue, 103 Early Hints)
        // as if it were the answer; it is not one (RFC 9110 §15.2).
        if response.status().is_informational() {
            return Err(TransportError::new(
                TransportErrorKind::MaybeSent,
                format!(
                    "the server's answer was the interim status {}, not a final one \
                     (async-h1 does not read past it)",
                    u16::from(response.status())
                ),
            ));
        }
        let declared = response.len();
        // A body delimited by the connection closing (no Content-Length, not
        // chunked) is read by async-h1 as empty: a 200 to a create would look
        // like a failed decode and invite a duplicate. Say what happened.
        // (async-h1 reports such a body's length as 0, so the headers decide.)
        let framed = response.header("content-length").is_some()
            || response.header("transfer-encoding").is_some();
        let bodiless = head || matches!(u16::from(response.status()), 204 | 304);
        if !framed && !bodiless {
            return Err(TransportError::new(
                TransportErrorKind::MaybeSent,
                "the answer's body is delimited by the connection closing, \
                 which async-h1 cannot read (it would read it as empty)",
            ));
        }
        // HEAD, 204 and 304 have no body, whatever Content-Length says
        // (RFC 9110 §8.6 lets a 304 carry the representation's length).
        let body = if bodiless {
            Vec::new()
        } else {
            self.read_body(&mut response, declared).await?
        };
        let mut out = http::Response::builder().status(u16::from(response.status()));
        for (name, values) in response.iter() {
            for value in values
                .iter()
                .filter(|value| !invented_by_async_h1(name.as_str(), value.as_str()))
            {
                out = out.header(name.as_str(), value.as_str());
            }
        }
        out.body(body).map_err(TransportError::invalid)
    }

    /// The body, up to the limit, checked against its `Content-Length`.
    async fn read_body(
        &self,
        response: &mut ::surf::Response,
        declared: Option<usize>,
    ) -> Result<Vec<u8>, TransportError> {
        if declared.is_some_and(|len| len > self.max_body_size) {
            return Err(TransportError::too_large(self.max_body_size));
        }
        let mut body = Vec::new();
        let limit = u64::try_from(self.max_body_size)
            .unwrap_or(u64::MAX)
            .saturating_add(1);
        response
            .take_body()
            .into_reader()
            .take(limit)
            .read_to_end(&mut body)
            .await
            .map_err(|e| TransportError::from_source(io_kind(&e), e))?;
        if body.len() > self.max_body_size {
            return Err(TransportError::too_large(self.max_body_size));
        }
        // async-h1 hands over a body cut short by a closed connection as if
        // complete; a shorter body than announced is a failed exchange.
        if let Some(declared) = declared.filter(|&declared| declared != body.len()) {
            return Err(TransportError::new(
                TransportErrorKind::MaybeSent,
                format!(
                    "the connection closed after {} of {declared} body bytes",
                    body.len()
                ),
            ));
        }
        Ok(body)
    }
}

impl AsyncTransport for SurfTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.exchange(request))
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async_std::task::sleep(duration))
    }
}

/// async-h1's client (2.3) adds `date: date: <now>\r\n` as the *value* of a
/// `Date` header when the server sent none. It is not the server's, and no
/// HTTP header can carry it, so it is left out; every other value is kept.
fn invented_by_async_h1(name: &str, value: &str) -> bool {
    name.eq_ignore_ascii_case("date") && value.starts_with("date: ")
}

fn to_surf(request: HttpRequest) -> Result<::surf::Request, TransportError> {
    let (parts, body) = request.into_parts();
    let method: ::surf::http::Method =
        parts.method.as_str().parse().map_err(|e: ::surf::Error| {
            TransportError::new(
                TransportErrorKind::Invalid,
                format!("unsupported method: {e}"),
            )
        })?;
    let url = ::surf::Url::parse(&parts.uri.to_string()).map_err(TransportError::invalid)?;
    let mut out = ::surf::Request::new(method, url);
    // `set_body` adds an octet-stream content type; ours (if any) replaces it.
    out.set_body(::surf::Body::from_bytes(body));
    out.remove_header("content-type");
    for (name, value) in &parts.headers {
        let value = value.to_str().map_err(|_| {
            TransportError::new(
                TransportErrorKind::Invalid,
                format!("header {name} is not ASCII"),
            )
        })?;
        out.append_header(name.as_str(), value);
    }
    Ok(out)
}

/// surf errors wrap the backend's; a refused connection arrives stringified
/// by the connection pool, so anything not recognised is "may have been sent".
fn classify(error: ::surf::Error) -> TransportError {
    #[cfg(feature = "surf-rustls")]
    let error = match error.downcast::<connection::NotConnected>() {
        Ok(not_connected) => {
            return TransportError::from_source(TransportErrorKind::NotSent, not_connected.0);
        }
        Err(error) => error,
    };
    let kind = if error
        .downcast_ref::<async_std::future::TimeoutError>()
        .is_some()
    {
        TransportErrorKind::TimedOut
    } else if let Some(io) = error.downcast_ref::<std::io::Error>() {
        io_kind(io)
    } else {
        TransportErrorKind::MaybeSent
    };
    // Keep the OS error as the source, so `TransportError::io_error` reaches it.
    let message = error.to_string();
    match error.into_inner().downcast::<std::io::Error>() {
        Ok(io) => TransportError::from_source(kind, io),
        Err(_) => TransportError::new(kind, message),
    }
}

fn io_kind(error: &std::io::Error) -> TransportErrorKind {
    use std::io::ErrorKind;
    match error.kind() {
        ErrorKind::ConnectionRefused | ErrorKind::AddrNotAvailable => TransportErrorKind::NotSent,
        ErrorKind::TimedOut => TransportErrorKind::TimedOut,
        _ => TransportErrorKind::MaybeSent,
    }
}
