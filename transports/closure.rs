//! Closures as transports: the easiest way to test, or to plug in any HTTP stack.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use crate::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
};

/// Any closure from request to response is a blocking transport. It sleeps
/// with `std::thread::sleep` and reads the system clock (the trait's defaults).
impl<F> Transport for F
where
    F: Fn(HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync,
{
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self(request)
    }
}

/// An async transport made of two closures: one sends, one sleeps (bring
/// your runtime's timer). Reads the system clock.
///
/// ```
/// use scim_client::transport::{HttpRequest, HttpResponse, TransportError};
/// use scim_client::transports::AsyncFnTransport;
/// use scim_client::{AsyncScimClient, ClientOptions};
///
/// let transport = AsyncFnTransport::new(
///     |_request: HttpRequest| async {
///         let answer: HttpResponse = http::Response::builder().status(204).body(Vec::new()).unwrap();
///         Ok::<_, TransportError>(answer)
///     },
///     |_duration| async {}, // a test double that never really waits
/// );
/// let client = AsyncScimClient::with_transport("xoxp-1", ClientOptions::default(), transport)?;
/// let deleted = client.delete_group("S1");
/// # // The futures here are ready at once, so a no-op waker drives them.
/// # let mut deleted = std::pin::pin!(deleted);
/// # let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
/// # assert!(matches!(deleted.as_mut().poll(&mut cx), std::task::Poll::Ready(Ok(()))));
/// # Ok::<(), scim_client::Error>(())
/// ```
pub struct AsyncFnTransport<S, Z> {
    send: S,
    sleep: Z,
}

impl<S, Z> AsyncFnTransport<S, Z> {
    /// Builds the transport from its two halves.
    pub fn new(send: S, sleep: Z) -> Self {
        AsyncFnTransport { send, sleep }
    }
}

impl<S, Z> fmt::Debug for AsyncFnTransport<S, Z> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AsyncFnTransport")
    }
}

impl<S, SF, Z, ZF> AsyncTransport for AsyncFnTransport<S, Z>
where
    S: Fn(HttpRequest) -> SF + Send + Sync,
    SF: Future<Output = Result<HttpResponse, TransportError>> + Send + 'static,
    Z: Fn(Duration) -> ZF + Send + Sync,
    ZF: Future<Output = ()> + Send + 'static,
{
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin((self.send)(request))
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin((self.sleep)(duration))
    }
}
