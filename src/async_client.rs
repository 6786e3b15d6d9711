//! [`AsyncScimClient`]: the async client, and its driver loop.

use std::fmt;
use std::time::Duration;

use http::HeaderValue;

use crate::auth::{Credentials, TokenStep};
use crate::call::{CallStarter, Step};
use crate::methods::scim_methods;
use crate::model::{Group, SearchRequest, User};
use crate::operation::Operation;
use crate::pacing::{Pace, Pacer};
use crate::paginate::{Paginator, WalkStep};
use crate::resource::Resource;
use crate::retry::RetryHandlers;
use crate::trace::CallTrace;
use crate::transport::AsyncTransport;
use crate::{BearerToken, ClientOptions, Endpoint, Error, log};

/// An async SCIM client: an [`Endpoint`], an [`AsyncTransport`] and retry
/// handlers (the same handlers as the blocking client).
///
/// It needs no particular runtime: the transport brings its own sleep. With
/// feature `tokio`, `AsyncScimClient::new(token)` builds one over reqwest
/// (wired in `transports/mod.rs`; call it inside a tokio runtime). On
/// async-std, build a `SurfTransport` (`SurfTransport::from_options` with
/// `surf-rustls`) and pass it to [`with_transport`](Self::with_transport):
/// there is no surf `new`, so enabling `tokio` somewhere in a build can never
/// swap an async-std program's transport for one that needs tokio. Its
/// futures are `Send`.
pub struct AsyncScimClient {
    endpoint: Endpoint,
    transport: Box<dyn AsyncTransport>,
    /// The retry handlers, asked in order.
    pub retry_handlers: RetryHandlers,
    calls: CallStarter,
    pacer: Pacer,
    credentials: Credentials,
}

impl AsyncScimClient {
    /// A client over any async transport. `timeout`, `connect_timeout`, `proxy`,
    /// `no_proxy` and `allow_plaintext_proxy` in `options` are the transport's
    /// business and are not applied here.
    pub fn with_transport(
        token: &str,
        options: ClientOptions,
        transport: impl AsyncTransport + 'static,
    ) -> Result<AsyncScimClient, Error> {
        AsyncScimClient::with_credentials(BearerToken::new(token)?, options, transport)
    }

    /// A client whose credentials may renew: OAuth 2.0 client credentials
    /// ([`ClientCredentials`](crate::auth::ClientCredentials), shared through
    /// a [`SharedTokenSource`](crate::auth::SharedTokenSource)) or a static
    /// [`BearerToken`]. The token is fetched through `transport` before the
    /// first call and renewed shortly before it expires; a 401 renews it
    /// once and the request is sent again. The client secret and the tokens
    /// never appear in an error.
    pub fn with_credentials(
        credentials: impl Into<Credentials>,
        options: ClientOptions,
        transport: impl AsyncTransport + 'static,
    ) -> Result<AsyncScimClient, Error> {
        let credentials = credentials.into();
        let calls = CallStarter::new(options.max_body_size, transport.jitter_seed());
        let endpoint = options.endpoint_for(&credentials)?;
        let pacer = Pacer::new(options.budget.clone(), endpoint.base_url());
        Ok(AsyncScimClient {
            endpoint,
            transport: Box::new(transport),
            retry_handlers: options.retry_handlers,
            calls,
            pacer,
            credentials,
        })
    }

    /// The endpoint requests are built on.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Runs any operation to completion, waiting between retries through the transport.
    pub async fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
        let mut call = self.calls.start(operation, &self.retry_handlers);
        let mut trace = CallTrace::start(call.request());
        let mut renewed = false;
        loop {
            // Room in the budget first: a token fetched before a long wait
            // could expire during it.
            let mut waited = Duration::ZERO;
            let admitted = loop {
                match self
                    .pacer
                    .admit(call.request(), self.transport.now(), waited)
                {
                    Pace::Go(admitted) => break admitted,
                    Pace::Wait(wait) => {
                        waited = waited.saturating_add(wait);
                        self.transport.sleep(wait).await;
                    }
                    Pace::GiveUp(error) => return Err(Error::Transport(error)),
                }
            };
            let sent_token = match self.authorize(&mut call).await {
                Ok(token) => token,
                Err(error) => return Err(self.credentials.scrub(error)),
            };
            log::request(call.request());
            let result = self.transport.send(call.request().clone()).await;
            admitted.settle(&result, self.transport.now());
            log::result(call.request(), &result);
            trace.attempt(&result);
            // A 401 to a renewing token: renew once, send again.
            if !renewed && self.credentials.renew_after(sent_token.as_ref(), &result) {
                renewed = true;
                continue;
            }
            match call.receive(result, self.transport.now()) {
                Step::Done(result) => return result.map_err(|e| self.credentials.scrub(e)),
                Step::Retry(wait) => {
                    log::retry(&wait);
                    trace.retry(wait.delay());
                    self.transport.sleep(wait.delay()).await;
                    call = wait.resume();
                }
            }
        }
    }

    /// Sets the call's `Authorization` from renewing credentials, fetching
    /// a token through the transport when needed; returns the header set
    /// (`None` for a static token, which the endpoint already put there).
    async fn authorize<T>(
        &self,
        call: &mut crate::call::Call<T>,
    ) -> Result<Option<HeaderValue>, Error> {
        if !self.credentials.renews() {
            return Ok(None);
        }
        let token = match self.credentials.step(self.transport.now())? {
            TokenStep::Ready(token) => token,
            TokenStep::Fetch(request) => {
                let answer = self.transport.send(request).await;
                self.credentials.receive(answer, self.transport.now())?
            }
        };
        call.authorize(token.clone());
        Ok(Some(token))
    }

    /// Every resource of type `R` that `query` matches, page by page, with
    /// no stream crate:
    ///
    /// ```ignore
    /// let mut users = client.all::<User>(SearchRequest::new());
    /// while let Some(user) = users.next().await {
    ///     println!("{:?}", user?.user_name);
    /// }
    /// ```
    ///
    /// One page is held at a time; see [`Paginator`] for how the walk ends.
    pub fn all<R: Resource>(&self, query: SearchRequest) -> AsyncWalk<'_, R> {
        AsyncWalk {
            client: self,
            paginator: Paginator::new(self.endpoint.clone(), query),
        }
    }

    /// Every user `query` matches: [`all::<User>`](Self::all).
    pub fn all_users(&self, query: SearchRequest) -> AsyncWalk<'_, User> {
        self.all(query)
    }

    /// Every group `query` matches: [`all::<Group>`](Self::all).
    pub fn all_groups(&self, query: SearchRequest) -> AsyncWalk<'_, Group> {
        self.all(query)
    }

    scim_methods!(async await);
}

/// Every resource a query matches, fetched one page at a time: call
/// [`next`](AsyncWalk::next) until it returns `None`. A resource that
/// cannot be decoded comes as [`Error::Undecodable`] and the walk goes on;
/// any other error is returned once and ends the walk.
#[derive(Debug)]
pub struct AsyncWalk<'a, R> {
    client: &'a AsyncScimClient,
    paginator: Paginator<R>,
}

impl<R: Resource> AsyncWalk<'_, R> {
    /// The next resource, or `None` at the end of the walk.
    pub async fn next(&mut self) -> Option<Result<R, Error>> {
        loop {
            match self.paginator.step() {
                WalkStep::Fetch(operation) => {
                    self.paginator.receive(self.client.execute(operation).await);
                }
                WalkStep::Resource(resource) => return Some(Ok(resource)),
                // Scrubbed of renewing credentials too, which the
                // paginator's endpoint does not hold.
                WalkStep::Skipped(error) | WalkStep::Failed(error) => {
                    return Some(Err(self.client.credentials.scrub(error)));
                }
                WalkStep::Done => return None,
            }
        }
    }

    /// The walk's state: resources received, the latest `totalResults`.
    pub fn paginator(&self) -> &Paginator<R> {
        &self.paginator
    }
}

impl fmt::Debug for AsyncScimClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AsyncScimClient")
            .field("endpoint", &self.endpoint)
            .field("retry_handlers", &self.retry_handlers)
            .field("calls", &self.calls)
            .finish_non_exhaustive()
    }
}
