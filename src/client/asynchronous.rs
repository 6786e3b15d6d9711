//! [`AsyncScimClient`]: the async client, and its driver loop.

use std::fmt;

use crate::Error;
use crate::client::methods::{client_setup, scim_methods};
use crate::engine::exchange::{Engine, Next};
use crate::engine::paginate::{Paginator, WalkStep};
use crate::model::resource::Resource;
use crate::model::{Group, SearchRequest, User};
use crate::request::operation::Operation;
use crate::retry::RetryHandlers;
use crate::transport::AsyncTransport as Transport;

/// An async SCIM client: an [`Endpoint`](crate::Endpoint), an [`AsyncTransport`](crate::transport::AsyncTransport) and retry
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
    transport: Box<dyn Transport>,
    /// The retry handlers, asked in order.
    pub retry_handlers: RetryHandlers,
    engine: Engine,
}

impl AsyncScimClient {
    client_setup!();

    /// Runs any operation to completion, waiting between retries through the transport.
    pub async fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
        let mut exchange = self.engine.start(operation, &self.retry_handlers);
        loop {
            match exchange.poll(self.transport.now()) {
                Next::Send(request) => {
                    let answer = self.transport.send(request).await;
                    exchange.handle(answer, self.transport.now());
                }
                Next::Sleep(delay) => self.transport.sleep(delay).await,
                Next::Done(result) => return result,
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
            paginator: Paginator::new(self.endpoint().clone(), query),
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
            match self.paginator.poll() {
                WalkStep::Fetch(operation) => {
                    self.paginator.handle(self.client.execute(operation).await);
                }
                WalkStep::Resource(resource) => return Some(Ok(resource)),
                // Scrubbed of renewing credentials too, which the
                // paginator's endpoint does not hold.
                WalkStep::Skipped(error) | WalkStep::Failed(error) => {
                    return Some(Err(self.client.engine.scrub(error)));
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
            .field("engine", &self.engine)
            .field("retry_handlers", &self.retry_handlers)
            .finish_non_exhaustive()
    }
}
