//! [`Endpoint`]: where requests go and what every request carries.

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, COOKIE, PROXY_AUTHORIZATION, USER_AGENT};
use http::{HeaderMap, HeaderValue, Method, Request};

use crate::model::ServiceProviderConfig;
use crate::provider::dialect::{Dialect, SLACK_V1_BASE_URL};
use crate::provider::profile::Pagination;
use crate::{BearerToken, Error};

/// The service to talk to and the headers every request carries: the base
/// URL, the bearer token, a `User-Agent`, and the caller's default headers.
///
/// It is plain configuration: cheap to clone, and never performs I/O. Its
/// methods turn SCIM operations into [`Operation`](crate::Operation)s.
///
/// ```
/// use scim_client::{BearerToken, Endpoint};
///
/// let endpoint = Endpoint::new(BearerToken::new("xoxp-1")?)
///     .with_base_url("https://scim.example.com/v1")?
///     .with_user_agent("my-idp/2", "")?;
/// assert_eq!(endpoint.base_url(), "https://scim.example.com/v1/");
/// assert_eq!(endpoint.user_agent(), "my-idp/2 scim-client/0.1.0");
/// # Ok::<(), scim_client::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Endpoint {
    dialect: Dialect,
    base_url: String,
    /// `None` when the driver authorizes each attempt itself (OAuth).
    token: Option<BearerToken>,
    user_agent: HeaderValue,
    default_headers: HeaderMap,
    pagination: Pagination,
    max_page_size: Option<u32>,
}

impl Endpoint {
    /// An endpoint for Slack's SCIM v1.1 API ([`SLACK_V1_BASE_URL`]).
    pub fn new(token: BearerToken) -> Endpoint {
        Endpoint {
            token: Some(token),
            ..Endpoint::without_token()
        }
    }

    /// An endpoint whose requests carry no `Authorization` until an
    /// [`Exchange`](crate::engine::Exchange) sets one on each attempt from
    /// renewing OAuth credentials.
    pub fn without_token() -> Endpoint {
        Endpoint {
            dialect: Dialect::SlackV1,
            base_url: SLACK_V1_BASE_URL.to_owned(),
            token: None,
            user_agent: HeaderValue::from_static(concat!(
                "scim-client/",
                env!("CARGO_PKG_VERSION")
            )),
            default_headers: HeaderMap::new(),
            pagination: Pagination::Index,
            max_page_size: None,
        }
    }

    /// Switches the dialect, keeping the base URL.
    pub fn with_dialect(mut self, dialect: Dialect) -> Endpoint {
        self.dialect = dialect;
        self
    }

    /// The dialect requests are built in.
    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Points the endpoint at another base URL, with or without a trailing slash.
    ///
    /// The URL must be absolute `http` or `https` with a host, and carry no
    /// query or fragment (they would end up in the middle of every request URL).
    pub fn with_base_url(mut self, base_url: &str) -> Result<Endpoint, Error> {
        self.base_url = normalize_base_url(base_url)?;
        Ok(self)
    }

    /// Sets the `User-Agent` to `"{prefix} scim-client/{version} {suffix}"`;
    /// an empty prefix or suffix is left out, as in the Python SDK.
    pub fn with_user_agent(mut self, prefix: &str, suffix: &str) -> Result<Endpoint, Error> {
        let core = concat!("scim-client/", env!("CARGO_PKG_VERSION"));
        let text = [prefix.trim(), core, suffix.trim()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        self.user_agent = HeaderValue::try_from(text).map_err(|_| {
            Error::InvalidConfig(
                "the user-agent prefix or suffix holds characters a header cannot carry".into(),
            )
        })?;
        Ok(self)
    }

    /// Adds headers to every request. They are copied, so the caller's map is
    /// untouched; for a name given here, these values replace the built-in
    /// ones (as the Python SDK's `default_headers` do). Credentials among them
    /// (`Authorization`, `Proxy-Authorization`, `Cookie`) are marked sensitive.
    ///
    /// Framing and connection headers are refused with
    /// [`Error::InvalidConfig`]: see [`FRAMING_HEADERS`].
    pub fn with_default_headers(mut self, headers: &HeaderMap) -> Result<Endpoint, Error> {
        if let Some(name) = framing_header(headers) {
            return Err(Error::InvalidConfig(format!(
                "the default header `{name}` is the transport's to set: {FRAMING_REASON}"
            )));
        }
        merge_headers(&mut self.default_headers, headers);
        Ok(self)
    }

    /// Sets how the service pages lists: [`Pagination::Index`] (the
    /// default, RFC 7644 §3.4.2.4), or cursors (RFC 9865 §2), which
    /// [`Paginator`](crate::engine::Paginator) then follows. AWS IAM Identity Center
    /// and Atlassian page by cursor only.
    ///
    /// ```
    /// use scim_client::provider::Pagination;
    /// use scim_client::{BearerToken, Endpoint};
    ///
    /// let aws = scim_client::ClientOptions::scim2("https://scim.us-east-1.amazonaws.com/d-1/scim/v2").endpoint("t")?
    ///     .with_pagination(Pagination::Cursor)
    ///     .with_max_page_size(Some(100));
    /// assert!(aws.pagination().uses_cursor());
    /// # Ok::<(), scim_client::Error>(())
    /// ```
    pub fn with_pagination(mut self, pagination: Pagination) -> Endpoint {
        self.pagination = pagination;
        self
    }

    /// How the service pages lists (default [`Pagination::Index`]).
    pub fn pagination(&self) -> Pagination {
        self.pagination
    }

    /// Sets the largest page the service serves, when it caps pages below
    /// the dialect's limit (RFC 9865 §4 `maxPageSize`; AWS: 100). Walks ask
    /// for no more; `None` (the default) leaves the dialect's limit.
    pub fn with_max_page_size(mut self, max_page_size: Option<u32>) -> Endpoint {
        self.max_page_size = max_page_size;
        self
    }

    /// The largest page the service serves, when one was set.
    pub fn max_page_size(&self) -> Option<u32> {
        self.max_page_size
    }

    /// Takes what a `ServiceProviderConfig` says about paging (RFC 9865
    /// §4): its pagination method, when it announces one, and its page cap
    /// ([`ServiceProviderConfig::max_page_size`]). What it does not say is
    /// left as it was.
    pub fn with_pagination_of(mut self, config: &ServiceProviderConfig) -> Endpoint {
        if let Some(pagination) = config.pagination_method() {
            self.pagination = pagination;
        }
        if let Some(max) = config.max_page_size() {
            self.max_page_size = Some(max);
        }
        self
    }

    /// The base URL, always ending in `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The `User-Agent` sent with every request.
    pub fn user_agent(&self) -> &str {
        // Built from a `&str` above, so it is always valid UTF-8.
        self.user_agent.to_str().unwrap_or_default()
    }

    /// The credentials every request from here carries: the token and any
    /// sensitive default header.
    pub(crate) fn secrets(&self) -> crate::secrets::Secrets {
        let mut headers = self.default_headers.clone();
        if let Some(token) = &self.token {
            headers.insert(AUTHORIZATION, token.header_value().clone());
        }
        crate::secrets::Secrets::of(&headers)
    }

    /// Builds a request to `{base_url}{path_and_query}` with every standard header.
    pub(crate) fn request(
        &self,
        method: Method,
        path_and_query: &str,
        body: Option<Vec<u8>>,
        extra_headers: Option<&HeaderMap>,
    ) -> Result<Request<Vec<u8>>, Error> {
        let url = format!("{}{}", self.base_url, path_and_query);
        let mut headers = HeaderMap::with_capacity(6);
        if let Some(token) = &self.token {
            headers.insert(AUTHORIZATION, token.header_value().clone());
        }
        headers.insert(USER_AGENT, self.user_agent.clone());
        headers.insert(ACCEPT, HeaderValue::from_static(self.dialect.accept()));
        if body.is_some() {
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static(self.dialect.content_type()),
            );
        }
        merge_headers(&mut headers, &self.default_headers);
        if let Some(extra) = extra_headers {
            merge_headers(&mut headers, extra);
        }
        let mut request = Request::builder()
            .method(method)
            .uri(url)
            .body(body.unwrap_or_default())
            .map_err(|e| Error::invalid("path", format!("the request URL is not valid: {e}")))?;
        *request.headers_mut() = headers;
        Ok(request)
    }
}

/// Headers that frame the message or manage the connection (RFC 9110 §6.4,
/// §7.2, §7.6.1, §7.8; RFC 9112 §6): the transport sets them from the
/// request it sends. Given by a caller, they disagree with the body (a
/// `Content-Length: 0` made ureq drop a POST body; `Transfer-Encoding` beside
/// a length is the request-smuggling shape) or redirect it (`Host`).
pub const FRAMING_HEADERS: [&str; 8] = [
    "content-length",
    "transfer-encoding",
    "host",
    "connection",
    "upgrade",
    "te",
    "keep-alive",
    "proxy-connection",
];

const FRAMING_REASON: &str = "framing and connection headers are refused \
    (Content-Length, Transfer-Encoding, Host, Connection, Upgrade, TE, Keep-Alive, Proxy-Connection)";

/// The first framing header in `headers`, if any.
fn framing_header(headers: &HeaderMap) -> Option<&str> {
    headers
        .keys()
        .map(http::HeaderName::as_str)
        .find(|name| FRAMING_HEADERS.contains(name))
}

/// Refuses framing headers among an operation's extra headers.
pub(crate) fn check_extra_headers(headers: &HeaderMap) -> Result<(), Error> {
    match framing_header(headers) {
        Some(name) => Err(Error::invalid(
            "headers",
            format!("`{name}` is the transport's to set: {FRAMING_REASON}"),
        )),
        None => Ok(()),
    }
}

/// Copies `from` into `into`: each name in `from` replaces that name's values.
fn merge_headers(into: &mut HeaderMap, from: &HeaderMap) {
    for name in from.keys() {
        into.remove(name);
        for value in from.get_all(name) {
            let mut value = value.clone();
            if name == AUTHORIZATION || name == PROXY_AUTHORIZATION || name == COOKIE {
                value.set_sensitive(true);
            }
            into.append(name.clone(), value);
        }
    }
}

/// The URL is not repeated in errors: it may carry credentials by mistake.
fn normalize_base_url(base_url: &str) -> Result<String, Error> {
    let bad = |reason: &str| Error::InvalidConfig(format!("the base URL {reason}"));
    let uri: http::Uri = base_url.parse().map_err(|_| bad("not a valid URL"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => return Err(bad("must start with http:// or https://")),
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(bad("has no host"));
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(bad(
            "must not carry credentials (user:password@); use the token or default headers",
        ));
    }
    if base_url.contains(['?', '#']) {
        return Err(bad("must not carry a query or fragment"));
    }
    let mut normalized = base_url.to_owned();
    if !normalized.ends_with('/') {
        normalized.push('/');
    }
    Ok(normalized)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_is_accepted_with_or_without_trailing_slash() {
        assert_eq!(
            normalize_base_url("https://a.example/scim/v2").unwrap(),
            "https://a.example/scim/v2/"
        );
        assert_eq!(
            normalize_base_url("https://a.example/scim/v2/").unwrap(),
            "https://a.example/scim/v2/"
        );
        assert_eq!(
            normalize_base_url("http://127.0.0.1:8080").unwrap(),
            "http://127.0.0.1:8080/"
        );
    }

    #[test]
    fn unusable_base_urls_are_refused() {
        for bad in [
            "",
            "api.slack.com/scim/v1",
            "ftp://a.example/",
            "https://a.example/?x=1",
            "https://a.example/#f",
        ] {
            assert!(
                matches!(normalize_base_url(bad), Err(Error::InvalidConfig(_))),
                "{bad:?}"
            );
        }
    }
}
