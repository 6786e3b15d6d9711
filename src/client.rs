//! [`ScimClient`]: the blocking client, and its driver loop.

use std::fmt;

use crate::call::{CallStarter, Step};
use crate::methods::scim_methods;
use crate::operation::Operation;
use crate::retry::RetryHandlers;
use crate::transport::Transport;
use crate::{ClientOptions, Endpoint, Error, log};

/// A blocking SCIM client: an [`Endpoint`], a [`Transport`] and retry handlers.
///
/// `ScimClient::new(token)` uses ureq (feature `ureq`, on by default); any
/// other HTTP stack plugs in through [`ScimClient::with_transport`]. The
/// methods block until the answer arrives, retries included.
///
/// ```no_run
/// # #[cfg(feature = "ureq")] {
/// use scim_client::retry::RateLimitErrorRetryHandler;
/// use scim_client::ScimClient;
///
/// let mut client = ScimClient::new(&std::env::var("SLACK_ORG_ADMIN_USER_TOKEN").unwrap())?;
/// client.retry_handlers.push(RateLimitErrorRetryHandler::new(1));
/// let page = client.search_users(1, 100, Some(r#"userName Eq "Carly""#))?;
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
}

impl ScimClient {
    /// A client for Slack's SCIM v1 API over ureq, with default options.
    #[cfg(feature = "ureq")]
    pub fn new(token: &str) -> Result<ScimClient, Error> {
        ScimClient::with_options(token, ClientOptions::default())
    }

    /// A client over ureq with the given options (timeout and proxy included).
    #[cfg(feature = "ureq")]
    pub fn with_options(token: &str, options: ClientOptions) -> Result<ScimClient, Error> {
        let transport = crate::transports::ureq::UreqTransport::new(&options)?;
        ScimClient::with_transport(token, options, transport)
    }

    /// A client over any transport. `timeout` and `proxy` in `options` are
    /// the transport's business and are not applied here.
    pub fn with_transport(
        token: &str,
        options: ClientOptions,
        transport: impl Transport + 'static,
    ) -> Result<ScimClient, Error> {
        Ok(ScimClient {
            endpoint: options.endpoint(token)?,
            transport: Box::new(transport),
            retry_handlers: options.retry_handlers,
            calls: CallStarter::new(options.max_body_size, crate::transports::random_seed()),
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
        loop {
            log::request(call.request());
            let result = self.transport.send(call.request().clone());
            log::result(&result);
            match call.receive(result, self.transport.now()) {
                Step::Done(result) => return result,
                Step::Retry(wait) => {
                    log::retry(&wait);
                    self.transport.sleep(wait.delay());
                    call = wait.resume();
                }
            }
        }
    }

    scim_methods!();
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
