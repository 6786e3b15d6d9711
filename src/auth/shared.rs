//! [`SharedTokenSource`]: one [`OAuthSource`] shared by clients, threads
//! and tasks, so they use one access token.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::SystemTime;

use http::HeaderValue;

use super::client_credentials::ClientCredentials;
use super::source::{OAuthSource, TokenStep};
use crate::Error;
use crate::secrets::Secrets;
use crate::transport::{HttpResponse, TransportError};

/// One [`OAuthSource`] shared by clients, threads and tasks, so they use
/// one access token (RFC 6749 §4.4.3) once it is cached (callers that find
/// none fetch one each; see [`OAuthSource::invalidate_rejected`]). Clones
/// share it.
#[derive(Clone)]
pub(crate) struct SharedTokenSource {
    inner: Arc<Mutex<OAuthSource>>,
}

impl SharedTokenSource {
    /// Shares `source`.
    pub(crate) fn new(source: OAuthSource) -> SharedTokenSource {
        SharedTokenSource {
            inner: Arc::new(Mutex::new(source)),
        }
    }

    /// The source, locked. Hold it for a decision only: never across a
    /// send or a sleep.
    pub(crate) fn lock(&self) -> MutexGuard<'_, OAuthSource> {
        // Every change is an assignment or two: a panic between them leaves
        // at worst a token fetched twice.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// [`OAuthSource::poll`] on the shared source.
    pub(crate) fn poll(&self, now: SystemTime) -> Result<TokenStep, Error> {
        self.lock().poll(now)
    }

    /// [`OAuthSource::handle`] on the shared source.
    pub(crate) fn handle(
        &self,
        response: Result<HttpResponse, TransportError>,
        now: SystemTime,
    ) -> Result<HeaderValue, Error> {
        self.lock().handle(response, now)
    }

    /// [`OAuthSource::invalidate_rejected`] on the shared source.
    pub(crate) fn invalidate_rejected(&self, rejected: &HeaderValue) -> bool {
        self.lock().invalidate_rejected(rejected)
    }

    /// [`OAuthSource::secrets`] of the shared source.
    pub(crate) fn secrets(&self) -> Secrets {
        self.lock().secrets()
    }
}

impl fmt::Debug for SharedTokenSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = f.debug_tuple("SharedTokenSource");
        match self.inner.try_lock() {
            Ok(source) => out.field(&*source),
            Err(TryLockError::Poisoned(poisoned)) => out.field(&*poisoned.into_inner()),
            Err(TryLockError::WouldBlock) => out.field(&format_args!("<locked>")),
        };
        out.finish()
    }
}

impl From<OAuthSource> for SharedTokenSource {
    fn from(source: OAuthSource) -> SharedTokenSource {
        SharedTokenSource::new(source)
    }
}

impl From<ClientCredentials> for SharedTokenSource {
    fn from(credentials: ClientCredentials) -> SharedTokenSource {
        SharedTokenSource::new(OAuthSource::new(credentials))
    }
}
