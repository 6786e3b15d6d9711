//! The in-memory service as a transport for both clients. Time passes at
//! once: the service's waits are recorded, not slept.

use std::time::Duration;

use scim_client::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
};

use crate::InMemoryService;

impl Transport for InMemoryService {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        Ok(self.handle(&request))
    }

    /// Does not sleep: a test double answers at once, whatever the retry
    /// handlers ask for.
    fn sleep(&self, _duration: Duration) {}
}

impl AsyncTransport for InMemoryService {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let response = self.handle(&request);
        Box::pin(async move { Ok(response) })
    }

    fn sleep(&self, _duration: Duration) -> BoxFuture<'_, ()> {
        Box::pin(async {})
    }
}
