//! [`UreqTransport`]: the blocking transport, over ureq 3.
//!
//! One `ureq::Agent` per client, so connections are kept alive and reused.
//! Every HTTP status comes back as a response, redirects are never followed
//! (they would carry the token elsewhere), and the body is read up to the
//! size limit. Under ureq, the connection is this crate's own TCP
//! transport (`tcp.rs`: three system calls a kept-alive request, not ten)
//! and name resolution its own cache (`resolver.rs`).

mod resolver;
mod tcp;

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
    /// An agent configured from `options`: its timeout (one deadline for the
    /// whole attempt, DNS to the last body byte) and connect timeout, proxy (explicit or
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
        let config = ::ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            // One deadline for the whole attempt: DNS, connect, TLS, sending,
            // the headers and the body. Connecting has its own, shorter one.
            .timeout_per_call(Some(options.timeout))
            .timeout_connect(Some(options.connect_timeout.min(options.timeout)))
            .proxy(proxy)
            .tls_config(tls_config(&options.tls)?)
            .build();
        let agent =
            ::ureq::Agent::with_parts(config, connector(), resolver::CachingResolver::default());
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

/// ureq's default chain of connectors with this crate's TCP connection
/// ([`tcp`]): a CONNECT proxy's tunnel (its own connection is made by the
/// whole chain), else a TCP connection, then TLS for `https`. No SOCKS: a
/// SOCKS proxy is refused before an agent is built
/// (`ClientOptions::proxy_for_base_url`).
fn connector() -> impl ::ureq::unversioned::transport::Connector {
    use ::ureq::unversioned::transport::{ConnectProxyConnector, Connector, RustlsConnector};
    ().chain(ConnectProxyConnector::default())
        .chain(tcp::TcpConnector)
        .chain(RustlsConnector::default())
}

/// The TLS settings in ureq's terms. PEM is read as `transports/tls.rs`
/// reads it for the other transports: an unreadable item is an error, never
/// skipped.
fn tls_config(tls: &crate::TlsOptions) -> Result<::ureq::tls::TlsConfig, Error> {
    use ::ureq::tls::{ClientCert, PemItem, RootCerts, TlsConfig, parse_pem};
    let roots = match &tls.roots {
        crate::TlsRoots::WebPki => RootCerts::WebPki,
        crate::TlsRoots::Platform => RootCerts::PlatformVerifier,
        crate::TlsRoots::Pem(pem) => {
            RootCerts::new_with_certs(&certificates(pem, "the root certificates' PEM")?)
        }
    };
    let mut config = TlsConfig::builder().root_certs(roots);
    if let Some(client) = &tls.client_certificate {
        let chain = certificates(client.chain_pem(), "the client certificate's PEM")?;
        // The key's PEM is never quoted in an error.
        let unusable = || bad_tls("the client key's PEM holds no usable private key");
        let key = parse_pem(client.key_pem())
            .find_map(|item| match item {
                Ok(PemItem::PrivateKey(key)) => Some(Ok(key)),
                Ok(_) => None,
                Err(_) => Some(Err(unusable())),
            })
            .ok_or_else(unusable)??;
        config = config.client_cert(Some(ClientCert::new_with_certs(&chain, key)));
    }
    Ok(config.build())
}

/// The certificates of a PEM (`what` names it in errors): at least one, and
/// every item readable.
fn certificates(pem: &[u8], what: &str) -> Result<Vec<::ureq::tls::Certificate<'static>>, Error> {
    use ::ureq::tls::{PemItem, parse_pem};
    let certs: Vec<_> = parse_pem(pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(cert)) => Some(Ok(cert)),
            Ok(_) => None,
            Err(_) => Some(Err(bad_tls(&format!("{what} is not readable")))),
        })
        .collect::<Result<_, _>>()?;
    if certs.is_empty() {
        return Err(bad_tls(&format!("{what} holds no certificate")));
    }
    Ok(certs)
}

fn bad_tls(what: &str) -> Error {
    Error::InvalidConfig(format!("TLS: {what}"))
}

/// Sorts a ureq error by how far the request got.
fn classify(error: ::ureq::Error) -> TransportError {
    use ::ureq::Error as E;
    use ::ureq::Timeout as T;
    let kind = match &error {
        E::Io(io) if super::tls::refused_by_tls(io) => TransportErrorKind::NotSent,
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
        // The request went out; the answer was unreadable.
        E::LargeResponseHeader(..) => TransportErrorKind::MaybeSent,
        E::TooManyRedirects | E::RedirectFailed | E::StatusCode(_) => TransportErrorKind::Invalid,
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
