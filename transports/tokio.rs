//! [`TokioTransport`]: the async transport for tokio, over reqwest (hyper).
//!
//! Chosen because hyper is the maintained, widely deployed HTTP stack of the
//! tokio ecosystem: it reads HTTP/1.0 answers, close-delimited bodies and
//! interim 1xx answers correctly, where async-h1 (surf) does not. TLS is
//! rustls with the *ring* provider (the same rustls and ring the ureq
//! transport already brings) and the webpki root certificates.
//!
//! What the adapter adds: one deadline over the whole attempt (reqwest's
//! total timeout, from connecting to the last body byte) and a connect
//! timeout; no redirects (they would carry the token elsewhere); the proxy
//! `ClientOptions` resolves (with `NO_PROXY`), never reqwest's own
//! environment lookup; the body read up to the size limit; every failure
//! sorted by how far the request got. It must be used from within a tokio
//! runtime.

use std::time::Duration;

use crate::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, TransportError, TransportErrorKind,
};
use crate::{ClientOptions, Error};

/// An async transport over a `reqwest::Client`, sleeping with `tokio::time::sleep`.
#[derive(Debug, Clone)]
pub struct TokioTransport {
    client: ::reqwest::Client,
    max_body_size: usize,
}

impl TokioTransport {
    /// A client configured from `options`: its timeout (the whole attempt)
    /// and connect timeout, its proxy (`NO_PROXY` honoured, plaintext
    /// through a proxy refused unless allowed) and body limit; no redirects.
    pub fn new(options: &ClientOptions) -> Result<TokioTransport, Error> {
        let mut builder = ::reqwest::Client::builder()
            .tls_backend_preconfigured(super::tls::client_config(&options.tls)?)
            .redirect(::reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            .connect_timeout(options.connect_timeout.min(options.timeout))
            .no_proxy();
        if let Some(proxy) = options.proxy_for_base_url(|name| std::env::var(name).ok())? {
            let proxy = ::reqwest::Proxy::all(&proxy)
                .map_err(|_| Error::InvalidConfig("the proxy URL is not usable".into()))?;
            builder = builder.proxy(proxy);
        }
        let client = builder.build().map_err(|e| {
            Error::InvalidConfig(format!("could not build the reqwest client: {e}"))
        })?;
        Ok(TokioTransport::from_client(client, options.max_body_size))
    }

    /// Wraps a reqwest client you configured yourself. Turn its redirects
    /// off (`redirect::Policy::none()`): a redirect would carry the token.
    pub fn from_client(client: ::reqwest::Client, max_body_size: usize) -> TokioTransport {
        TokioTransport {
            client,
            max_body_size,
        }
    }

    async fn exchange(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        let request = ::reqwest::Request::try_from(request).map_err(TransportError::invalid)?;
        let mut response = self.client.execute(request).await.map_err(classify)?;
        if response
            .content_length()
            .is_some_and(|len| len > self.max_body_size as u64)
        {
            return Err(TransportError::too_large(self.max_body_size));
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > self.max_body_size {
                return Err(TransportError::too_large(self.max_body_size));
            }
            body.extend_from_slice(&chunk);
        }
        let mut out = http::Response::builder().status(response.status().as_u16());
        for (name, value) in response.headers() {
            out = out.header(name.as_str(), value.as_bytes());
        }
        out.body(body).map_err(TransportError::invalid)
    }
}

impl AsyncTransport for TokioTransport {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.exchange(request))
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(::tokio::time::sleep(duration))
    }
}

/// Sorts a reqwest error by how far the request got.
fn classify(error: ::reqwest::Error) -> TransportError {
    let kind = if error.is_connect() {
        // Connecting includes the TLS handshake: nothing was sent.
        TransportErrorKind::NotSent
    } else if error.is_timeout() {
        TransportErrorKind::TimedOut
    } else if error.is_builder() {
        TransportErrorKind::Invalid
    } else {
        TransportErrorKind::MaybeSent
    };
    // `TransportError::io_error` finds the OS error down reqwest's chain.
    TransportError::from_source(kind, error)
}
