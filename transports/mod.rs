//! Transports: the only code in this crate that touches sockets, clocks,
//! sleep or the OS's randomness. Each adapter is thin: it moves bytes and
//! classifies failures, and leaves SCIM and retry logic to the core.
//!
//! - closures, always: any `Fn(HttpRequest) -> Result<HttpResponse, TransportError>`
//!   is a blocking [`Transport`](crate::transport::Transport), and
//!   [`AsyncFnTransport`] makes an async one from two closures;
//! - [`ureq`] (feature `ureq`, on by default): blocking, over ureq 3;
//! - [`tokio`] (feature `tokio`): async, over reqwest on tokio; the one
//!   `AsyncScimClient::new` uses, and the recommended async transport;
//! - [`surf`] (feature `surf`): async, over surf 2 on async-std;
//! - [`rustls_client_config`] (feature `rustls`): the TLS options as a
//!   rustls `ClientConfig`, for a transport (or another protocol) of one's
//!   own.

mod closure;
#[cfg(feature = "surf")]
pub mod surf;
#[cfg(any(feature = "ureq", feature = "rustls"))]
mod tls;
#[cfg(feature = "tokio")]
pub mod tokio;
#[cfg(feature = "ureq")]
pub mod ureq;

pub use closure::AsyncFnTransport;
#[cfg(feature = "rustls")]
pub use tls::rustls_client_config;

// The default transports, wired here and nowhere else: the core in `src/`
// never names an adapter.

#[cfg(feature = "ureq")]
impl crate::ScimClient {
    /// A client for Slack's SCIM v1 API over ureq, with default options.
    pub fn new(token: &str) -> Result<crate::ScimClient, crate::Error> {
        crate::ScimClient::with_options(token, crate::ClientOptions::default())
    }

    /// A client over ureq with the given options (timeout and proxy included).
    pub fn with_options(
        token: &str,
        options: crate::ClientOptions,
    ) -> Result<crate::ScimClient, crate::Error> {
        let transport = ureq::UreqTransport::new(&options)?;
        crate::ScimClient::with_transport(token, options, transport)
    }
}

#[cfg(feature = "tokio")]
impl crate::AsyncScimClient {
    /// A client for Slack's SCIM v1 API over reqwest on tokio, with default
    /// options. Call it from within a tokio runtime.
    pub fn new(token: &str) -> Result<crate::AsyncScimClient, crate::Error> {
        crate::AsyncScimClient::with_options(token, crate::ClientOptions::default())
    }

    /// A client over reqwest on tokio with the given options.
    pub fn with_options(
        token: &str,
        options: crate::ClientOptions,
    ) -> Result<crate::AsyncScimClient, crate::Error> {
        let transport = tokio::TokioTransport::new(&options)?;
        crate::AsyncScimClient::with_transport(token, options, transport)
    }
}
