//! [`ScimClient`]: the blocking client, and its driver loop.

use std::fmt;

use crate::Error;
use crate::client::methods::{client_setup, scim_methods};
use crate::engine::exchange::{Engine, Next};
use crate::engine::paginate::{Paginator, WalkStep};
use crate::model::resource::Resource;
use crate::model::{Group, SearchRequest, User};
use crate::request::operation::Operation;
use crate::retry::RetryHandlers;
use crate::transport::Transport;

/// A blocking SCIM client: an [`Endpoint`](crate::Endpoint), a [`Transport`] and retry handlers.
///
/// `ScimClient::new(token)` uses ureq (feature `ureq`, on by default; wired
/// in `transports/mod.rs`); any other HTTP stack plugs in through
/// [`ScimClient::with_transport`]. The methods block until the answer
/// arrives, retries included.
///
/// ```no_run
/// # #[cfg(feature = "ureq")] {
/// use scim_client::model::SearchRequest;
/// use scim_client::retry::RateLimitErrorRetryHandler;
/// use scim_client::ScimClient;
///
/// let mut client = ScimClient::new(&std::env::var("SLACK_ORG_ADMIN_USER_TOKEN").unwrap())?;
/// client.retry_handlers.push(RateLimitErrorRetryHandler::new(1));
/// let page = client.search_users(
///     &SearchRequest::new().start_index(1).count(100).filter(r#"userName Eq "Carly""#),
/// )?;
/// println!("{} users", page.resources.len());
/// # }
/// # Ok::<(), scim_client::Error>(())
/// ```
pub struct ScimClient {
    transport: Box<dyn Transport>,
    /// The retry handlers, asked in order; push more as in the Python SDK.
    pub retry_handlers: RetryHandlers,
    engine: Engine,
}

impl ScimClient {
    client_setup!();

    /// Runs any operation to completion: sends it, retries as the handlers
    /// decide (sleeping through the transport), and parses the answer.
    pub fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
        let mut exchange = self.engine.start(operation, &self.retry_handlers);
        loop {
            match exchange.poll(self.transport.now()) {
                Next::Send(request) => {
                    let answer = self.transport.send(request);
                    exchange.handle(answer, self.transport.now());
                }
                Next::Sleep(delay) => self.transport.sleep(delay),
                Next::Done(result) => return result,
            }
        }
    }

    /// Every resource of type `R` that `query` matches, page by page: an
    /// iterator holding one page at a time. `query.count` sets the page size
    /// (default: 1000 on Slack); see [`Paginator`] for how the walk ends.
    ///
    /// ```no_run
    /// # #[cfg(feature = "ureq")] {
    /// use scim_client::model::{SearchRequest, User};
    /// use scim_client::ScimClient;
    ///
    /// let client = ScimClient::new("xoxp-…")?;
    /// for user in client.all::<User>(SearchRequest::new().filter(r#"userName sw "a""#)) {
    ///     println!("{:?}", user?.user_name);
    /// }
    /// # }
    /// # Ok::<(), scim_client::Error>(())
    /// ```
    pub fn all<R: Resource>(&self, query: SearchRequest) -> Walk<'_, R> {
        Walk {
            client: self,
            paginator: Paginator::new(self.endpoint().clone(), query),
        }
    }

    /// Every user `query` matches: [`all::<User>`](Self::all).
    pub fn all_users(&self, query: SearchRequest) -> Walk<'_, User> {
        self.all(query)
    }

    /// Every group `query` matches: [`all::<Group>`](Self::all).
    pub fn all_groups(&self, query: SearchRequest) -> Walk<'_, Group> {
        self.all(query)
    }

    scim_methods!();
}

/// An iterator over every resource a query matches, fetching one page at a
/// time. A resource that cannot be decoded is yielded as
/// [`Error::Undecodable`] and the walk goes on; any other error is yielded
/// once and ends the walk.
#[derive(Debug)]
pub struct Walk<'a, R> {
    client: &'a ScimClient,
    paginator: Paginator<R>,
}

impl<R> Walk<'_, R> {
    /// The walk's state: resources received, the latest `totalResults`.
    pub fn paginator(&self) -> &Paginator<R> {
        &self.paginator
    }
}

impl<R: Resource> Iterator for Walk<'_, R> {
    type Item = Result<R, Error>;

    fn next(&mut self) -> Option<Result<R, Error>> {
        loop {
            match self.paginator.poll() {
                WalkStep::Fetch(operation) => {
                    self.paginator.handle(self.client.execute(operation));
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
}

impl fmt::Debug for ScimClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScimClient")
            .field("engine", &self.engine)
            .field("retry_handlers", &self.retry_handlers)
            .finish_non_exhaustive()
    }
}
