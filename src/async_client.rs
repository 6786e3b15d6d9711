//! [`AsyncScimClient`]: the async client, and its driver loop.

use std::fmt;

use crate::call::{CallStarter, Step};
use crate::methods::scim_methods;
use crate::model::{Group, SearchRequest, User};
use crate::operation::Operation;
use crate::pacing::Pacer;
use crate::paginate::{Paginator, WalkStep};
use crate::resource::Resource;
use crate::retry::RetryHandlers;
use crate::trace::CallTrace;
use crate::transport::AsyncTransport;
use crate::{ClientOptions, Endpoint, Error, log};

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
        let calls = CallStarter::new(options.max_body_size, transport.jitter_seed());
        let pacer = Pacer::new(options.budget.clone(), &options.base_url);
        Ok(AsyncScimClient {
            endpoint: options.endpoint(token)?,
            transport: Box::new(transport),
            retry_handlers: options.retry_handlers,
            calls,
            pacer,
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
        loop {
            let permit = loop {
                match self.pacer.admit(call.request(), self.transport.now()) {
                    Ok(permit) => break permit,
                    Err(wait) => self.transport.sleep(wait).await,
                }
            };
            log::request(call.request());
            let result = self.transport.send(call.request().clone()).await;
            self.pacer.settle(permit, &result, self.transport.now());
            log::result(call.request(), &result);
            trace.attempt(&result);
            match call.receive(result, self.transport.now()) {
                Step::Done(result) => return result,
                Step::Retry(wait) => {
                    log::retry(&wait);
                    trace.retry(wait.delay());
                    self.transport.sleep(wait.delay()).await;
                    call = wait.resume();
                }
            }
        }
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
                WalkStep::Skipped(error) | WalkStep::Failed(error) => return Some(Err(error)),
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
