//! [`ClientOptions`]: the settings of a client, as plain data.

use std::time::Duration;

use http::HeaderMap;

use crate::provider::Profile;
use crate::retry::RetryHandlers;
use crate::{BearerToken, Dialect, Endpoint, Error, SLACK_V1_BASE_URL};

/// Everything a client can be configured with, besides its token.
///
/// Build it with struct-update syntax, like the Python SDK's keyword
/// arguments:
///
/// ```
/// use std::time::Duration;
/// use scim_client::ClientOptions;
///
/// let options = ClientOptions { timeout: Duration::from_secs(10), ..ClientOptions::default() };
/// assert_eq!(options.base_url, "https://api.slack.com/scim/v1/");
/// ```
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// The dialect the service speaks (default Slack v1).
    pub dialect: Dialect,
    /// The service's base URL (default Slack v1), with or without a trailing slash.
    pub base_url: String,
    /// The deadline of one attempt (default 30 s): DNS, connect, TLS, sending,
    /// the response headers and the whole body. Applies to the built-in
    /// transports; a transport you build yourself keeps its own. Retries are
    /// attempts of their own, bounded together by the retry handlers' total
    /// wait limit.
    pub timeout: Duration,
    /// The deadline for connecting (TCP and TLS, or the proxy tunnel), within
    /// `timeout` (default 10 s): a black-holed address fails fast and, never
    /// having sent anything, is safe to retry.
    pub connect_timeout: Duration,
    /// Headers added to every request; see [`Endpoint::with_default_headers`].
    pub default_headers: HeaderMap,
    /// Put before `scim-client/<version>` in the `User-Agent`.
    pub user_agent_prefix: String,
    /// Put after `scim-client/<version>` in the `User-Agent`.
    pub user_agent_suffix: String,
    /// Retry handlers, asked in order (default: one connection-error retry).
    pub retry_handlers: RetryHandlers,
    /// An HTTP proxy URL (`http://`, `https://` or a bare `host:port`; a
    /// SOCKS proxy is refused with [`Error::InvalidConfig`]). `None` reads
    /// `HTTPS_PROXY`, `https_proxy`, `HTTP_PROXY`, `http_proxy` in that
    /// order; an empty value counts as unset.
    pub proxy: Option<String>,
    /// Hosts that go direct even with a proxy, in `NO_PROXY` form (`*`, host
    /// names and domain suffixes, IP addresses, CIDR networks). `None` reads
    /// `NO_PROXY`, then `no_proxy`.
    pub no_proxy: Option<String>,
    /// Allow an `http://` base URL through a proxy. Off by default: the token
    /// would cross the proxy in plaintext, so such a client is refused.
    pub allow_plaintext_proxy: bool,
    /// TLS trust anchors and a client certificate, for the built-in
    /// transports (ureq, tokio).
    pub tls: TlsOptions,
    /// The largest response body accepted (default 10 MiB).
    pub max_body_size: usize,
    /// A rate budget to pace requests by (default none): every attempt
    /// waits for room in it first, and a 429 pauses the classes it hit.
    /// Share one [`SharedBudget`](crate::pacing::budget::SharedBudget) between the
    /// clients that talk to one organisation. Pair it with a
    /// [`RateLimitErrorRetryHandler`](crate::retry::RateLimitErrorRetryHandler)
    /// for the 429s other apps of the organisation cause.
    pub budget: Option<crate::pacing::budget::SharedBudget>,
    /// How lists are walked (default by index): by cursor when the provider
    /// pages only by cursor (RFC 9865), as a profile or the service's
    /// `ServiceProviderConfig` says.
    pub pagination: crate::provider::profile::Pagination,
    /// The largest page the provider serves, when it caps it below the
    /// dialect's maximum (AWS: 100).
    pub max_page_size: Option<u32>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            dialect: Dialect::SlackV1,
            base_url: SLACK_V1_BASE_URL.to_owned(),
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            default_headers: HeaderMap::new(),
            user_agent_prefix: String::new(),
            user_agent_suffix: String::new(),
            retry_handlers: RetryHandlers::default(),
            proxy: None,
            no_proxy: None,
            allow_plaintext_proxy: false,
            tls: TlsOptions::default(),
            max_body_size: DEFAULT_MAX_BODY_SIZE,
            budget: None,
            pagination: crate::provider::profile::Pagination::Index,
            max_page_size: None,
        }
    }
}

/// TLS settings as data: which roots to trust, and a client certificate.
///
/// Enterprises run SCIM services behind a private CA, install their
/// TLS-inspecting proxy's CA in the operating system's store, and some
/// require mutual TLS. Every built-in transport applies these (ureq, tokio,
/// and surf through `SurfTransport::from_options`).
#[derive(Clone, Debug, Default)]
pub struct TlsOptions {
    /// Which certificates may vouch for the server's.
    pub roots: TlsRoots,
    /// A certificate the client presents (mutual TLS).
    pub client_certificate: Option<ClientCertificate>,
}

/// The trust anchors for the server's certificate.
#[derive(Clone, Debug, Default)]
pub enum TlsRoots {
    /// Mozilla's root certificates (webpki-roots), the default.
    #[default]
    WebPki,
    /// Only the CA certificates in this PEM (a private CA). Public roots
    /// are not trusted alongside: a private service needs only its own CA.
    Pem(Vec<u8>),
    /// The operating system's trust store and verifier
    /// (`rustls-platform-verifier`): the OS verifier with its enterprise
    /// policies on Windows and macOS; on Linux the system's CA bundle,
    /// where `SSL_CERT_FILE` and `SSL_CERT_DIR` are honoured. What a
    /// company that installs its own CA on every machine expects.
    Platform,
}

/// A client certificate chain and its private key, both PEM. The key is
/// never shown by `Debug`.
#[derive(Clone)]
pub struct ClientCertificate {
    chain_pem: Vec<u8>,
    key_pem: Vec<u8>,
}

impl ClientCertificate {
    /// The chain (the client's certificate first) and its private key.
    pub fn new(chain_pem: impl Into<Vec<u8>>, key_pem: impl Into<Vec<u8>>) -> ClientCertificate {
        ClientCertificate {
            chain_pem: chain_pem.into(),
            key_pem: key_pem.into(),
        }
    }

    /// The certificate chain, PEM.
    pub fn chain_pem(&self) -> &[u8] {
        &self.chain_pem
    }

    /// The private key, PEM. Handle with care: it is a secret.
    pub fn key_pem(&self) -> &[u8] {
        &self.key_pem
    }
}

impl std::fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("chain_pem", &format_args!("{} bytes", self.chain_pem.len()))
            .field("key_pem", &crate::REDACTED)
            .finish()
    }
}

/// The default maximum response body, 10 MiB: a page of 1000 Slack users
/// is about 1.3 MB.
pub const DEFAULT_MAX_BODY_SIZE: usize = 10 * 1024 * 1024;

/// The proxy variables, in the order the Python SDK reads them.
pub const PROXY_ENV_VARS: [&str; 4] = ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"];

impl ClientOptions {
    /// Defaults for Slack's SCIM 2.0 API.
    pub fn slack_v2() -> ClientOptions {
        let profile = Profile::slack_v2();
        ClientOptions::for_profile(&profile, &profile.base_url)
    }

    /// Defaults for the provider `profile` describes, at `base_url` (a
    /// profile's own URL may hold `{placeholders}` that only the user can
    /// fill): its dialect, pagination and page size cap. Pace it with
    /// [`budget`](Self::budget), e.g.
    /// `Some(SharedBudget::for_table(&profile.rates, 0.9))`.
    pub fn for_profile(profile: &Profile, base_url: &str) -> ClientOptions {
        ClientOptions {
            dialect: profile.dialect,
            base_url: base_url.to_owned(),
            pagination: profile.pagination,
            max_page_size: profile.max_page_size,
            ..ClientOptions::default()
        }
    }

    /// Defaults for any SCIM 2.0 service at `base_url`.
    pub fn scim2(base_url: &str) -> ClientOptions {
        ClientOptions::for_profile(&Profile::generic_scim2(base_url), base_url)
    }

    /// The endpoint these options describe, with `token`.
    pub fn endpoint(&self, token: &str) -> Result<Endpoint, Error> {
        self.endpoint_with(Endpoint::new(BearerToken::new(token)?))
    }

    /// The endpoint for `credentials`: a static token goes in every request;
    /// renewing credentials are set on each attempt by the client.
    pub(crate) fn endpoint_for(
        &self,
        credentials: &crate::auth::Credentials,
    ) -> Result<Endpoint, Error> {
        self.endpoint_with(match credentials.bearer() {
            Some(token) => Endpoint::new(token.clone()),
            None => Endpoint::without_token(),
        })
    }

    fn endpoint_with(&self, endpoint: Endpoint) -> Result<Endpoint, Error> {
        endpoint
            .with_dialect(self.dialect)
            .with_base_url(&self.base_url)?
            .with_user_agent(&self.user_agent_prefix, &self.user_agent_suffix)?
            .with_default_headers(&self.default_headers)
            .map(|endpoint| {
                endpoint
                    .with_pagination(self.pagination)
                    .with_max_page_size(self.max_page_size)
            })
    }

    /// The proxy the base URL's requests go through, or `None` to go direct:
    /// the explicit one, else the first non-empty variable of
    /// [`PROXY_ENV_VARS`] (for an `http://` base URL only `HTTP_PROXY` and
    /// `http_proxy`: `HTTPS_PROXY` is for https traffic, as curl reads it), unless the base URL's host is listed in `no_proxy` (or `NO_PROXY`,
    /// `no_proxy`). Pass `|name| std::env::var(name).ok()` for the real
    /// environment.
    ///
    /// An `http://` base URL through a proxy is refused with
    /// [`Error::InvalidConfig`] unless [`allow_plaintext_proxy`](Self::allow_plaintext_proxy)
    /// is set: the `Authorization` header would cross the proxy in plaintext.
    pub fn proxy_for_base_url(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<String>, Error> {
        let Some(proxy) = self.resolve_proxy(&env) else {
            return Ok(None);
        };
        let uri: http::Uri = self
            .base_url
            .parse()
            .map_err(|_| Error::InvalidConfig("the base URL is not a valid URL".into()))?;
        let host = uri.host().unwrap_or_default();
        let no_proxy = self
            .no_proxy
            .clone()
            .or_else(|| env("NO_PROXY"))
            .or_else(|| env("no_proxy"))
            .unwrap_or_default();
        if crate::client::proxy::bypasses(&no_proxy, host) {
            return Ok(None);
        }
        if uri.scheme_str() == Some("http") && !self.allow_plaintext_proxy {
            return Err(Error::InvalidConfig(
                "an http:// base URL would send the token through the proxy in plaintext; \
                 use https://, list the host in NO_PROXY, or set allow_plaintext_proxy"
                    .into(),
            ));
        }
        check_proxy_scheme(&proxy)?;
        Ok(Some(proxy))
    }

    /// The proxy configured, whatever the host: the explicit one, else the
    /// first non-empty variable of [`PROXY_ENV_VARS`] as `env` reports it.
    /// [`proxy_for_base_url`](Self::proxy_for_base_url) also applies `NO_PROXY`.
    ///
    /// For an `http://` base URL only `HTTP_PROXY` and `http_proxy` count:
    /// `HTTPS_PROXY` is for https traffic (curl reads it so), and applying it
    /// would refuse plaintext clients that were never meant to use a proxy.
    pub(crate) fn resolve_proxy(&self, env: impl Fn(&str) -> Option<String>) -> Option<String> {
        let usable = |value: &String| !value.trim().is_empty();
        let plaintext = self.base_url.trim_start().starts_with("http://");
        self.proxy.clone().filter(usable).or_else(|| {
            PROXY_ENV_VARS
                .iter()
                .filter(|name| !(plaintext && name.eq_ignore_ascii_case("https_proxy")))
                .filter_map(|name| env(name))
                .find(usable)
        })
    }
}

/// Refuses a proxy no transport here speaks: only HTTP proxies (`http://`,
/// `https://`, or a bare `host:port`, read as `http://`) are supported.
/// ureq without its SOCKS feature panicked on a `socks5://` proxy, given
/// or from `HTTPS_PROXY` (the adapter hands ureq the proxy it resolved);
/// one check here, which every transport asks, refuses it by name. The
/// URL itself is never quoted: it may hold a password.
fn check_proxy_scheme(proxy: &str) -> Result<(), Error> {
    let Some((scheme, _)) = proxy.trim().split_once("://") else {
        return Ok(());
    };
    if scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https") {
        return Ok(());
    }
    let shown: String = scheme
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(16)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    Err(Error::InvalidConfig(format!(
        "the proxy's scheme ({shown}) is not supported: use an http:// or https:// proxy \
         (HTTP CONNECT), or list the host in NO_PROXY"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(vars: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn explicit_proxy_wins_over_the_environment() {
        let options = ClientOptions {
            proxy: Some("http://explicit:1".into()),
            ..ClientOptions::default()
        };
        assert_eq!(
            options
                .resolve_proxy(env(&[("HTTPS_PROXY", "http://env:2")]))
                .as_deref(),
            Some("http://explicit:1")
        );
    }

    #[test]
    fn environment_is_read_in_order_and_empty_means_unset() {
        let options = ClientOptions::default();
        let vars = &[
            ("HTTPS_PROXY", ""),
            ("https_proxy", ""),
            ("HTTP_PROXY", "http://upper:3"),
            ("http_proxy", "http://lower:4"),
        ];
        assert_eq!(
            options.resolve_proxy(env(vars)).as_deref(),
            Some("http://upper:3")
        );
        assert_eq!(
            options
                .resolve_proxy(env(&[
                    ("https_proxy", "http://s:5"),
                    ("HTTP_PROXY", "http://u:6")
                ]))
                .as_deref(),
            Some("http://s:5")
        );
        assert_eq!(options.resolve_proxy(env(&[("HTTPS_PROXY", " ")])), None);
        let blank = ClientOptions {
            proxy: Some(String::new()),
            ..ClientOptions::default()
        };
        assert_eq!(
            blank
                .resolve_proxy(env(&[("http_proxy", "http://l:7")]))
                .as_deref(),
            Some("http://l:7")
        );
    }

    #[test]
    fn no_proxy_from_the_option_or_the_environment_sends_a_host_direct() {
        let slack = ClientOptions::default(); // https://api.slack.com/scim/v1/
        assert_eq!(
            slack
                .proxy_for_base_url(env(&[("HTTPS_PROXY", "http://proxy:3128")]))
                .unwrap()
                .as_deref(),
            Some("http://proxy:3128")
        );
        for no_proxy in ["NO_PROXY", "no_proxy"] {
            let vars: &'static [(&str, &str)] = match no_proxy {
                "NO_PROXY" => &[
                    ("HTTPS_PROXY", "http://proxy:3128"),
                    ("NO_PROXY", ".slack.com"),
                ],
                _ => &[
                    ("HTTPS_PROXY", "http://proxy:3128"),
                    ("no_proxy", "api.slack.com"),
                ],
            };
            assert_eq!(
                slack.proxy_for_base_url(env(vars)).unwrap(),
                None,
                "{no_proxy}"
            );
        }
        // The option wins over the environment.
        let listed = ClientOptions {
            no_proxy: Some("example.org".into()),
            ..ClientOptions::default()
        };
        let vars = &[("HTTPS_PROXY", "http://proxy:3128"), ("NO_PROXY", "*")];
        assert!(listed.proxy_for_base_url(env(vars)).unwrap().is_some());
    }

    #[test]
    fn https_proxy_is_for_https_base_urls_only() {
        let plain = ClientOptions::scim2("http://scim.internal/v2");
        let vars = &[("HTTPS_PROXY", "http://egress:3128")];
        assert_eq!(plain.proxy_for_base_url(env(vars)).unwrap(), None);
        let tls = ClientOptions::scim2("https://scim.example/v2");
        assert!(tls.proxy_for_base_url(env(vars)).unwrap().is_some());
    }

    #[test]
    fn a_socks_proxy_is_refused_by_name_whether_given_or_from_the_environment() {
        let given = ClientOptions {
            proxy: Some("socks5://user:hunter2@proxy:1080".into()),
            ..ClientOptions::default()
        };
        let from_env = ClientOptions::default();
        for err in [
            given.proxy_for_base_url(env(&[])).unwrap_err(),
            from_env
                .proxy_for_base_url(env(&[("HTTPS_PROXY", "SOCKS5H://proxy:1080")]))
                .unwrap_err(),
        ] {
            let text = err.to_string();
            assert!(
                matches!(&err, Error::InvalidConfig(m) if m.contains("socks5")),
                "{text}"
            );
            assert!(
                !text.contains("hunter2") && !text.contains("proxy:1080"),
                "{text}"
            );
        }
        for usable in ["http://proxy:3128", "HTTPS://proxy:3128", "proxy:3128"] {
            let options = ClientOptions {
                proxy: Some(usable.into()),
                ..ClientOptions::default()
            };
            assert!(
                options.proxy_for_base_url(env(&[])).unwrap().is_some(),
                "{usable}"
            );
        }
    }

    #[test]
    fn plaintext_through_a_proxy_must_be_asked_for() {
        let plain = ClientOptions::scim2("http://scim.internal/v2");
        let vars = &[("HTTP_PROXY", "http://proxy:3128")];
        let err = plain.proxy_for_base_url(env(vars)).unwrap_err();
        assert!(
            matches!(&err, Error::InvalidConfig(m) if m.contains("plaintext")),
            "{err}"
        );
        let asked = ClientOptions {
            allow_plaintext_proxy: true,
            ..plain.clone()
        };
        assert!(asked.proxy_for_base_url(env(vars)).unwrap().is_some());
        // No proxy, or one NO_PROXY bypasses: nothing to refuse.
        assert_eq!(plain.proxy_for_base_url(env(&[])).unwrap(), None);
        let bypassed = &[
            ("HTTP_PROXY", "http://proxy:3128"),
            ("NO_PROXY", "scim.internal"),
        ];
        assert_eq!(plain.proxy_for_base_url(env(bypassed)).unwrap(), None);
    }
}
