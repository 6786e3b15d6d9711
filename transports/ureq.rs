//! [`UreqTransport`]: the blocking transport, over ureq 3.
//!
//! One `ureq::Agent` per client, so connections are kept alive and reused.
//! Every HTTP status comes back as a response, redirects are never followed
//! (they would carry the token elsewhere), and the body is read up to the
//! size limit.

use std::io;

use crate::transport::{HttpRequest, HttpResponse, Transport, TransportError, TransportErrorKind};
use crate::{ClientOptions, Error};

/// A blocking transport over a `ureq::Agent`.
#[derive(Debug, Clone)]
pub struct UreqTransport {
    agent: ::ureq::Agent,
    max_body_size: usize,
}

impl UreqTransport {
    /// An agent configured from `options`: its timeout, proxy (explicit or
    /// from the environment, `NO_PROXY` honoured, an `http://` base URL through
    /// a proxy refused unless allowed) and body limit; no redirects; statuses
    /// as responses.
    pub fn new(options: &ClientOptions) -> Result<UreqTransport, Error> {
        // NO_PROXY is decided here, once: ureq would otherwise read only
        // the *_PROXY variables. A client talks to one base URL.
        let proxy =
            match options.proxy_for_base_url(|name| std::env::var(name).ok())? {
                Some(url) => Some(::ureq::Proxy::new(&url).map_err(|e| {
                    Error::InvalidConfig(format!("the proxy URL is not usable: {e}"))
                })?),
                None => None,
            };
        let agent = ::ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            // Each phase gets the whole timeout, like the Python SDK's socket
            // timeout. No global timeout: with one, ureq resolves the host on
            // a new thread for every request (about 60 µs of CPU per call);
            // without, resolution is the system resolver's, bounded by its
            // own timeouts.
            .timeout_connect(Some(options.timeout))
            .timeout_send_request(Some(options.timeout))
            .timeout_send_body(Some(options.timeout))
            .timeout_recv_response(Some(options.timeout))
            .timeout_recv_body(Some(options.timeout))
            .proxy(proxy)
            .build()
            .into();
        Ok(UreqTransport::from_agent(agent, options.max_body_size))
    }

    /// Wraps an agent you configured yourself. It must have
    /// `http_status_as_error(false)`, or 4xx and 5xx answers arrive as errors.
    pub fn from_agent(agent: ::ureq::Agent, max_body_size: usize) -> UreqTransport {
        UreqTransport {
            agent,
            max_body_size,
        }
    }
}

impl Transport for UreqTransport {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let response = self.agent.run(request).map_err(classify)?;
        let (parts, mut body) = response.into_parts();
        let limit = u64::try_from(self.max_body_size).unwrap_or(u64::MAX);
        let bytes = body
            .with_config()
            .limit(limit)
            .read_to_vec()
            .map_err(classify)?;
        Ok(HttpResponse::from_parts(parts, bytes))
    }
}

/// Sorts a ureq error by how far the request got.
fn classify(error: ::ureq::Error) -> TransportError {
    use ::ureq::Error as E;
    use ::ureq::Timeout as T;
    let kind = match &error {
        E::Io(io) => io_kind(io),
        E::HostNotFound | E::ConnectionFailed | E::Tls(_) | E::Rustls(_) | E::Pem(_) => {
            TransportErrorKind::NotSent
        }
        E::ConnectProxyFailed(_) | E::TlsRequired => TransportErrorKind::NotSent,
        E::Timeout(T::Resolve | T::Connect) => TransportErrorKind::NotSent,
        E::Timeout(_) => TransportErrorKind::TimedOut,
        E::BodyExceedsLimit(_) => TransportErrorKind::ResponseTooLarge,
        E::Http(_) | E::BadUri(_) | E::RequireHttpsOnly(_) | E::InvalidProxyUrl => {
            TransportErrorKind::Invalid
        }
        E::LargeResponseHeader(..) | E::TooManyRedirects | E::RedirectFailed | E::StatusCode(_) => {
            TransportErrorKind::Invalid
        }
        _ => TransportErrorKind::MaybeSent,
    };
    match error {
        // ureq's error does not give its io::Error as `source()`: keep the OS
        // error itself, so `TransportError::io_error` reaches it.
        E::Io(io) => TransportError::from_source(kind, io),
        other => TransportError::from_source(kind, other),
    }
}

fn io_kind(error: &io::Error) -> TransportErrorKind {
    match error.kind() {
        io::ErrorKind::ConnectionRefused
        | io::ErrorKind::AddrNotAvailable
        | io::ErrorKind::NetworkUnreachable
        | io::ErrorKind::HostUnreachable => TransportErrorKind::NotSent,
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => TransportErrorKind::TimedOut,
        _ => TransportErrorKind::MaybeSent,
    }
}
