//! [`Target`]: one provider org a worker serves — its profile, and a
//! client whose every attempt (retries included) first asks the shared
//! [`PgBudget`] through [`PacedTransport`].

use std::time::{Duration, Instant};

use scim_client::provider::Profile;
use scim_client::transport::{
    AsyncTransport, BoxFuture, HttpRequest, HttpResponse, TransportError, TransportErrorKind,
};
use scim_client::transports::tokio::TokioTransport;
use scim_client::{AsyncScimClient, ClientOptions};

use crate::{PgBudget, Store, StoreError};

/// The longest a request waits for the shared budget before it fails
/// (as not sent), unless told otherwise.
pub const DEFAULT_MAX_BUDGET_WAIT: Duration = Duration::from_secs(300);

/// The longest one sleep for the budget lasts: a wait longer than this is
/// asked again after it (another worker's 429 may have moved the cells).
const LONGEST_SLEEP: Duration = Duration::from_secs(5);

/// An async transport that asks the shared budget before each attempt and
/// tells it of each 429 (its `Retry-After` pauses the classes the request
/// counted in, for every worker).
pub struct PacedTransport<T> {
    inner: T,
    budget: PgBudget,
    max_wait: Duration,
}

impl<T: AsyncTransport> PacedTransport<T> {
    /// `inner`, paced by `budget`; a request that would wait longer than
    /// `max_wait` in all fails, as not sent.
    pub fn new(inner: T, budget: PgBudget, max_wait: Duration) -> PacedTransport<T> {
        PacedTransport {
            inner,
            budget,
            max_wait,
        }
    }

    /// Waits (bounded) until the budget admits `request`.
    async fn admitted(&self, request: &HttpRequest) -> Result<(), TransportError> {
        let deadline = Instant::now() + self.max_wait;
        loop {
            let wait = self.budget.admit(request).await.map_err(|error| {
                TransportError::new(
                    TransportErrorKind::NotSent,
                    format!("the shared rate budget could not be asked: {error}"),
                )
            })?;
            if wait.is_zero() {
                return Ok(());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(TransportError::new(
                    TransportErrorKind::NotSent,
                    format!(
                        "the shared rate budget held the request longer than {:?}",
                        self.max_wait
                    ),
                ));
            }
            tokio::time::sleep(wait.min(left).min(LONGEST_SLEEP)).await;
        }
    }

    async fn paced_send(&self, request: HttpRequest) -> Result<HttpResponse, TransportError> {
        self.admitted(&request).await?;
        let shape = http::Request::builder()
            .method(request.method().clone())
            .uri(request.uri().clone())
            .body(())
            .unwrap_or_default();
        let response = self.inner.send(request).await?;
        if response.status().as_u16() == 429 {
            let wait = retry_after(&response).unwrap_or(Duration::from_secs(1));
            // Best effort: the client's retry waits the same time anyway.
            let _ = self.budget.pause(&shape, wait).await;
        }
        Ok(response)
    }
}

impl<T: AsyncTransport> AsyncTransport for PacedTransport<T> {
    fn send(&self, request: HttpRequest) -> BoxFuture<'_, Result<HttpResponse, TransportError>> {
        Box::pin(self.paced_send(request))
    }

    fn sleep(&self, duration: Duration) -> BoxFuture<'_, ()> {
        self.inner.sleep(duration)
    }
}

/// A `Retry-After` in seconds (an HTTP-date is left to the client).
fn retry_after(response: &HttpResponse) -> Option<Duration> {
    let value = response.headers().get(http::header::RETRY_AFTER)?;
    let seconds: u64 = value.to_str().ok()?.trim().parse().ok()?;
    Some(Duration::from_secs(seconds))
}

/// How a target paces.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TargetOptions {
    /// The share of the provider's published rates this job spends
    /// (default [`DEFAULT_SHARE`](scim_client::pacing::DEFAULT_SHARE)).
    pub share: f64,
    /// The longest one request waits for the budget (default
    /// [`DEFAULT_MAX_BUDGET_WAIT`]).
    pub max_budget_wait: Duration,
}

impl Default for TargetOptions {
    fn default() -> TargetOptions {
        TargetOptions {
            share: scim_client::pacing::DEFAULT_SHARE,
            max_budget_wait: DEFAULT_MAX_BUDGET_WAIT,
        }
    }
}

/// Why a target could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TargetError {
    /// The client refused its options or token.
    #[error(transparent)]
    Client(#[from] scim_client::Error),
    /// The budget's rows could not be made.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One provider org: its base URL, its profile, and a client paced by the
/// store's budget for that base URL.
pub struct Target {
    pub(crate) base_url: String,
    pub(crate) profile: Profile,
    pub(crate) client: AsyncScimClient,
}

impl Target {
    /// The provider `profile` describes at `base_url`, reached with
    /// `token` over reqwest on tokio (call it inside a tokio runtime), its
    /// every attempt paced by the store's budget for `base_url` at
    /// `options.share` of `profile`'s rate table. The client keeps no
    /// budget of its own.
    pub async fn new(
        store: &Store,
        profile: Profile,
        base_url: &str,
        token: &str,
        options: TargetOptions,
    ) -> Result<Target, TargetError> {
        let mut client_options = ClientOptions::for_profile(&profile, base_url);
        client_options.budget = None;
        let budget = PgBudget::new(store, base_url, &profile.rates, options.share).await?;
        let inner = TokioTransport::new(&client_options)?;
        let transport = PacedTransport::new(inner, budget, options.max_budget_wait);
        let client = AsyncScimClient::with_transport(token, client_options, transport)?;
        Ok(Target {
            base_url: crate::store::normalise(base_url),
            profile,
            client,
        })
    }

    /// The provider's base URL, as plans for it are keyed.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target")
            .field("base_url", &self.base_url)
            .field("profile", &self.profile.name)
            .finish_non_exhaustive()
    }
}
