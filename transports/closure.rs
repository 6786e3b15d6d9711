//! Closures as transports: the easiest way to test, or to plug in any HTTP stack.

use std::fmt;
use std::future::Future;
use std::time::{Duration, SystemTime};

use crate::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
};

/// Any closure from request to response is a blocking transport. It sleeps
/// with `std::thread::sleep` and reads the system clock.
impl<F> Transport for F
where
    F: Fn(HttpRequest) -> Result<HttpResponse, TransportError> + Send + Sync,
{
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self(request)
    }

    fn sleep(&self, duration: Duration) {
        std::thread::sleep(duration);
    }

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// An async transport made of two closures: one sends, one sleeps (bring
/// your runtime's timer). Reads the system clock.
///
/// ```
/// use scim_client::transports::AsyncFnTransport;
/// use scim_client::transport::{HttpRequest, TransportError};
///
/// let transport = AsyncFnTransport::new(
///     |_request: HttpRequest| async {
///         Ok::<_, TransportError>(http::Response::builder().status(204).body(Vec::new()).unwrap())
///     },
///     |_duration| async {},  // a test that never really waits
/// );
/// # let _ = transport;
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

    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}
