//! The in-memory service as a transport for both clients.
//!
//! A service made with [`InMemoryService::new`] (or `scim2`, `slack_v1`)
//! answers at once: its `sleep` returns at once, and its `now` is the
//! system clock.
//!
//! A service made with [`InMemoryService::for_profile`] lives in its
//! virtual clock: `sleep(d)` advances the clock by `d` and returns at once,
//! and `now` reads the clock. One sequential driver (the blocking client,
//! or one async task) then waits out the profile's 429s in virtual time,
//! with no real waiting, and the clock says how long a real run would have
//! taken. Concurrent drivers (several tasks on one service) must not rely
//! on it, since each task's wait would move the shared clock on by itself
//! and overlapping waits would add up: drive the clock from an executor
//! with paused time instead (tokio's `start_paused`), through a transport
//! of your own whose `sleep` is the executor's and which calls
//! [`InMemoryService::set_now`] with the executor's clock before each
//! [`InMemoryService::handle`].

use std::time::{Duration, SystemTime};

use scim_client::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, Transport, TransportError,
};

use crate::InMemoryService;

impl Transport for InMemoryService {
    fn send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        Ok(self.handle(&request))
    }

    /// Does not sleep: a test double answers at once, whatever the retry
    /// handlers ask for. A profile's service advances its virtual clock.
    fn sleep(&self, duration: Duration) {
        if self.in_virtual_time() {
            self.advance(duration);
        }
    }

    /// The virtual clock for a profile's service, else the system clock.
    fn now(&self) -> SystemTime {
        if self.in_virtual_time() {
            InMemoryService::now(self)
        } else {
            SystemTime::now()
        }
    }
}

impl AsyncTransport for InMemoryService {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        let response = self.handle(&request);
        Box::pin(async move { Ok(response) })
    }

    /// Ready at once; a profile's service advances its virtual clock first
    /// (right for one task at a time; see the module's notes).
    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        if self.in_virtual_time() {
            self.advance(duration);
        }
        Box::pin(async {})
    }

    /// The virtual clock for a profile's service, else the system clock.
    fn now(&self) -> SystemTime {
        if self.in_virtual_time() {
            InMemoryService::now(self)
        } else {
            SystemTime::now()
        }
    }
}
