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

use std::sync::Arc;
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
            .tls_backend_preconfigured(tls_config(&options.tls)?)
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

/// rustls with *ring*, speaking HTTP/1.1, with the options' roots and
/// client certificate.
fn tls_config(tls: &crate::TlsOptions) -> Result<::rustls::ClientConfig, Error> {
    use ::rustls::pki_types::pem::PemObject;
    use ::rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let bad = |what: &str| Error::InvalidConfig(format!("TLS: {what}"));
    let provider = Arc::new(::rustls::crypto::ring::default_provider());
    let roots = match &tls.roots {
        crate::TlsRoots::WebPki => ::rustls::RootCertStore {
            roots: ::webpki_roots::TLS_SERVER_ROOTS.to_vec(),
        },
        crate::TlsRoots::Pem(pem) => {
            let mut roots = ::rustls::RootCertStore::empty();
            for cert in CertificateDer::pem_slice_iter(pem) {
                let cert = cert.map_err(|_| bad("the root certificates' PEM is not readable"))?;
                roots
                    .add(cert)
                    .map_err(|_| bad("a root certificate is not usable"))?;
            }
            if roots.is_empty() {
                return Err(bad("the root certificates' PEM holds no certificate"));
            }
            roots
        }
    };
    let builder = ::rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| bad(&e.to_string()))?
        .with_root_certificates(roots);
    let mut config = match &tls.client_certificate {
        None => builder.with_no_client_auth(),
        Some(client) => {
            let chain: Vec<CertificateDer<'static>> =
                CertificateDer::pem_slice_iter(client.chain_pem())
                    .collect::<Result<_, _>>()
                    .map_err(|_| bad("the client certificate's PEM is not readable"))?;
            // The key's PEM is never quoted in an error.
            let key = PrivateKeyDer::from_pem_slice(client.key_pem())
                .map_err(|_| bad("the client key's PEM holds no usable private key"))?;
            builder
                .with_client_auth_cert(chain, key)
                .map_err(|_| bad("the client certificate and key do not fit together"))?
        }
    };
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
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
