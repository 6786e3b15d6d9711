//! [`ScimClient`]: the blocking client, and its driver loop.

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
use crate::transport::Transport;
use crate::{BearerToken, ClientOptions, Endpoint, Error, log};

/// A blocking SCIM client: an [`Endpoint`], a [`Transport`] and retry handlers.
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
    endpoint: Endpoint,
    transport: Box<dyn Transport>,
    /// The retry handlers, asked in order; push more as in the Python SDK.
    pub retry_handlers: RetryHandlers,
    calls: CallStarter,
    pacer: Pacer,
    credentials: Credentials,
}

impl ScimClient {
    /// A client over any transport. `timeout`, `connect_timeout`, `proxy`,
    /// `no_proxy` and `allow_plaintext_proxy` in `options` are the transport's
    /// business and are not applied here.
    pub fn with_transport(
        token: &str,
        options: ClientOptions,
        transport: impl Transport + 'static,
    ) -> Result<ScimClient, Error> {
        ScimClient::with_credentials(BearerToken::new(token)?, options, transport)
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
        transport: impl Transport + 'static,
    ) -> Result<ScimClient, Error> {
        let credentials = credentials.into();
        let calls = CallStarter::new(options.max_body_size, transport.jitter_seed());
        let endpoint = options.endpoint_for(&credentials)?;
        let pacer = Pacer::new(options.budget.clone(), endpoint.base_url());
        Ok(ScimClient {
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

    /// Runs any operation to completion: sends it, retries as the handlers
    /// decide (sleeping through the transport), and parses the answer.
    pub fn execute<T>(&self, operation: Operation<T>) -> Result<T, Error> {
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
                        self.transport.sleep(wait);
                    }
                    Pace::GiveUp(error) => return Err(Error::Transport(error)),
                }
            };
            let sent_token = match self.authorize(&mut call) {
                Ok(token) => token,
                Err(error) => return Err(self.credentials.scrub(error)),
            };
            log::request(call.request());
            let result = self.transport.send(call.request().clone());
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
                    self.transport.sleep(wait.delay());
                    call = wait.resume();
                }
            }
        }
    }

    /// Sets the call's `Authorization` from renewing credentials, fetching
    /// a token through the transport when needed; returns the header set
    /// (`None` for a static token, which the endpoint already put there).
    fn authorize<T>(&self, call: &mut crate::call::Call<T>) -> Result<Option<HeaderValue>, Error> {
        if !self.credentials.renews() {
            return Ok(None);
        }
        let token = match self.credentials.step(self.transport.now())? {
            TokenStep::Ready(token) => token,
            TokenStep::Fetch(request) => {
                let answer = self.transport.send(request);
                self.credentials.receive(answer, self.transport.now())?
            }
        };
        call.authorize(token.clone());
        Ok(Some(token))
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
            paginator: Paginator::new(self.endpoint.clone(), query),
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
            match self.paginator.step() {
                WalkStep::Fetch(operation) => {
                    self.paginator.receive(self.client.execute(operation));
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
}

impl fmt::Debug for ScimClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ScimClient")
            .field("endpoint", &self.endpoint)
            .field("retry_handlers", &self.retry_handlers)
            .field("calls", &self.calls)
            .finish_non_exhaustive()
    }
}
