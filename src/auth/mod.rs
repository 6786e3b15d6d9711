//! [`Credentials`]: a static [`BearerToken`], or tokens that renew, fetched
//! with the OAuth 2.0 client-credentials grant (RFC 6749 §4.4) and cached
//! until shortly before they expire.
//!
//! Like [`Call`](crate::engine::call::Call), the token source is a pure state
//! machine: it never sends, sleeps or reads a clock. Its token request is an
//! `http::Request<Vec<u8>>` that the driver sends through the same transport
//! as SCIM calls, and the time is an argument.
//!
//! ```text
//!   step(now) ──► TokenStep::Ready(header) ──► `Authorization: Bearer …` on the SCIM request
//!       │                                                   │
//!       │                                          401 Unauthorized?
//!       │                                                   │
//!       │                            invalidate_rejected(header), then step(now) once more
//!       ▼
//!   TokenStep::Fetch(request) ──► the driver sends it ──► receive(response or error, now)
//!                                                              │
//!                                        Ok(header): cached ◄──┴──► Err(Error): the call fails
//! ```
//!
//! `step` answers `Ready` while the cached token is fresh: until
//! `expires_in` (RFC 6749 §5.1) minus the refresh margin (60 s by default,
//! at most half the token's lifetime), or, for a token sent without
//! `expires_in`, until [`invalidate`](OAuthSource::invalidate). The client
//! secret and every token stay out of `Debug`, `Display` and errors, even
//! when the token endpoint echoes them.
//!
//! Driving the source by hand, with a canned answer:
//!
//! ```
//! use std::time::{Duration, SystemTime};
//! use scim_client::auth::{ClientCredentials, OAuthSource, TokenStep};
//!
//! let token_url = "https://idp.example.com/oauth2/token";
//! let credentials = ClientCredentials::new(token_url, "scim-app", "client-secret-1")?
//!     .with_scope("scim:read scim:write");
//! let mut source = OAuthSource::new(credentials);
//! let t0 = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
//!
//! // No token yet: send the token request (RFC 6749 §4.4.2).
//! let TokenStep::Fetch(request) = source.step(t0)? else { unreachable!() };
//! assert_eq!(request.method(), "POST");
//! let form = "grant_type=client_credentials&scope=scim%3Aread+scim%3Awrite";
//! assert_eq!(request.body(), form.as_bytes());
//!
//! // Hand the answer back (RFC 6749 §4.4.3): the header to put on SCIM requests.
//! let answer = http::Response::builder().status(200).body(
//!     br#"{"access_token":"eyJhbGciOi.example","token_type":"Bearer","expires_in":3600}"#.to_vec(),
//! )?;
//! let header = source.receive(Ok(answer), t0)?;
//! assert_eq!(header, "Bearer eyJhbGciOi.example");
//!
//! // Ten minutes later the token is still fresh; a minute before expiry it is renewed.
//! let later = |seconds| t0 + Duration::from_secs(seconds);
//! assert!(matches!(source.step(later(600))?, TokenStep::Ready(h) if h == header));
//! assert!(matches!(source.step(later(3540))?, TokenStep::Fetch(_)));
//!
//! // A SCIM request answered 401 with this token: drop it, fetch another (once).
//! assert!(source.invalidate_rejected(&header));
//! assert!(matches!(source.step(later(601))?, TokenStep::Fetch(_)));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub(crate) mod token;
pub use token::BearerToken;

use std::fmt::{self, Write as _};
use std::net::IpAddr;
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::time::{Duration, SystemTime};

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Request, StatusCode, Uri};
use serde_json::{Map, Value};

use crate::model::decode::DecodeError;
use crate::secrets::{REDACTED, Secrets};
use crate::transport::{HttpRequest, HttpResponse, TransportError};
use crate::{ApiError, Error, ScimError};

/// How long before its expiry (RFC 6749 §5.1 `expires_in`) a token is
/// renewed, unless [`ClientCredentials::with_refresh_margin`] says
/// otherwise: one minute.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The token request's media type (RFC 6749 §4.4.2, Appendix B).
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

/// The most of a server's value quoted in an error.
const MAX_QUOTED: usize = 40;

/// What the driver does next to have an access token (RFC 6749 §4.4; see
/// the [module docs](self)).
///
/// `Fetch` carries the request unboxed: a step is asked once per attempt and
/// moved once, which costs nothing next to a network round trip.
#[must_use = "a Fetch must be sent and its answer given to `receive`"]
#[allow(clippy::large_enum_variant)]
pub enum TokenStep {
    /// The `Authorization` value to send (`Bearer …`, RFC 6750 §2.1),
    /// marked sensitive.
    Ready(HeaderValue),
    /// Send this token request (RFC 6749 §4.4.2) and give the outcome to
    /// `receive`.
    Fetch(HttpRequest),
}

impl fmt::Debug for TokenStep {
    /// The token and the request body (which may hold the client secret)
    /// are not shown; the `Authorization` header is marked sensitive.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TokenStep::Ready(_) => write!(f, "Ready(Bearer {REDACTED})"),
            TokenStep::Fetch(request) => f
                .debug_struct("Fetch")
                .field("method", request.method())
                .field("uri", request.uri())
                .field("headers", request.headers())
                .field(
                    "body",
                    &format_args!("{REDACTED} ({} bytes)", request.body().len()),
                )
                .finish(),
        }
    }
}

/// How the client authenticates to the token endpoint (RFC 6749 §2.3.1).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ClientAuth {
    /// HTTP Basic (RFC 7617): `Authorization: Basic base64(id ":" secret)`,
    /// the id and the secret each form-urlencoded first (RFC 6749 §2.3.1,
    /// Appendix B). Every authorization server must support it.
    #[default]
    Basic,
    /// `client_id` and `client_secret` in the form body (RFC 6749 §2.3.1:
    /// "NOT RECOMMENDED", for servers that cannot read Basic).
    RequestBody,
}

/// A confidential client's registration for the client-credentials grant
/// (RFC 6749 §4.4): the token endpoint, the client id and secret, the scope
/// to ask for, and how early to renew.
///
/// `Debug` shows the client id (RFC 6749 §2.2: not a secret) but never the
/// secret, and no error repeats it.
#[derive(Clone)]
pub struct ClientCredentials {
    token_url: Uri,
    client_id: String,
    client_secret: String,
    scope: Option<String>,
    auth: ClientAuth,
    refresh_margin: Duration,
    params: Vec<(String, String)>,
}

impl ClientCredentials {
    /// Credentials for the token endpoint at `token_url`.
    ///
    /// The URL must be absolute `https://` (RFC 6749 §3.2 requires TLS;
    /// `http://` is accepted for loopback hosts only), without a fragment
    /// (§3.2) or `user:password@`. The id and secret must be non-empty
    /// printable ASCII (RFC 6749 Appendix A.1, A.2), the secret at least 6
    /// characters (shorter ones could not be scrubbed). Errors never repeat
    /// the secret or the URL.
    pub fn new(
        token_url: &str,
        client_id: &str,
        client_secret: &str,
    ) -> Result<ClientCredentials, Error> {
        let token_url = token_endpoint(token_url)?;
        if !is_vschar_text(client_id) {
            return Err(Error::invalid(
                "client_id",
                "must be non-empty printable ASCII (RFC 6749 Appendix A.1)",
            ));
        }
        if !is_vschar_text(client_secret) {
            return Err(Error::invalid(
                "client_secret",
                "must be non-empty printable ASCII (RFC 6749 Appendix A.2); it is not shown",
            ));
        }
        // Scrubbing skips strings this short (they would match ordinary
        // text); a secret that short could then show in an error.
        if client_secret.len() < crate::secrets::MIN_SECRET_LEN {
            return Err(Error::invalid(
                "client_secret",
                "is too short to be kept out of error messages: at least 6 characters",
            ));
        }
        Ok(ClientCredentials {
            token_url,
            client_id: client_id.to_owned(),
            client_secret: client_secret.to_owned(),
            scope: None,
            auth: ClientAuth::default(),
            refresh_margin: DEFAULT_REFRESH_MARGIN,
            params: Vec::new(),
        })
    }

    /// Asks for `scope`: space-separated scope tokens (RFC 6749 §3.3,
    /// §4.4.2). An empty string asks for none (the server's default).
    pub fn with_scope(mut self, scope: &str) -> ClientCredentials {
        self.scope = (!scope.is_empty()).then(|| scope.to_owned());
        self
    }

    /// Authenticates with `auth` (RFC 6749 §2.3.1); Basic by default.
    pub fn with_auth(mut self, auth: ClientAuth) -> ClientCredentials {
        self.auth = auth;
        self
    }

    /// Renews a token this long before its `expires_in` runs out (RFC 6749
    /// §5.1), or at half its lifetime if that comes later; 60 s by default.
    pub fn with_refresh_margin(mut self, margin: Duration) -> ClientCredentials {
        self.refresh_margin = margin;
        self
    }

    /// Adds a parameter to the token request's body, after the standard
    /// ones (RFC 6749 §3.2 lets servers define more, e.g. an `audience` or
    /// an RFC 8707 `resource`). `Debug` shows its name only.
    pub fn with_param(mut self, name: &str, value: &str) -> ClientCredentials {
        self.params.push((name.to_owned(), value.to_owned()));
        self
    }

    /// The token endpoint (RFC 6749 §3.2).
    pub fn token_url(&self) -> &Uri {
        &self.token_url
    }

    /// The client identifier (RFC 6749 §2.2).
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The scope asked for (RFC 6749 §3.3).
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_deref()
    }

    /// How the client authenticates (RFC 6749 §2.3.1).
    pub fn auth(&self) -> ClientAuth {
        self.auth
    }

    /// How long before expiry (RFC 6749 §5.1 `expires_in`) a token is renewed.
    pub fn refresh_margin(&self) -> Duration {
        self.refresh_margin
    }

    /// The token request (RFC 6749 §4.4.2): `POST` to the token endpoint,
    /// `application/x-www-form-urlencoded` with `grant_type=client_credentials`
    /// and the scope, `Accept: application/json`, and the client's
    /// authentication (§2.3.1; a Basic header is marked sensitive).
    pub fn token_request(&self) -> Result<HttpRequest, Error> {
        let mut body = String::from("grant_type=client_credentials");
        if let Some(scope) = &self.scope {
            push_param(&mut body, "scope", scope);
        }
        for (name, value) in &self.params {
            push_param(&mut body, name, value);
        }
        let mut request = Request::post(self.token_url.clone())
            .header(CONTENT_TYPE, FORM_CONTENT_TYPE)
            .header(ACCEPT, "application/json");
        match self.auth {
            ClientAuth::Basic => request = request.header(AUTHORIZATION, self.basic_header()?),
            ClientAuth::RequestBody => {
                push_param(&mut body, "client_id", &self.client_id);
                push_param(&mut body, "client_secret", &self.client_secret);
            }
        }
        request
            .body(body.into_bytes())
            .map_err(|_| Error::InvalidConfig("the token request could not be built".into()))
    }

    /// `Basic base64(form(id) ":" form(secret))` (RFC 6749 §2.3.1), sensitive.
    fn basic_header(&self) -> Result<HeaderValue, Error> {
        let pair = format!(
            "{}:{}",
            form_urlencode(&self.client_id),
            form_urlencode(&self.client_secret)
        );
        let mut value = HeaderValue::try_from(format!("Basic {}", base64(pair.as_bytes())))
            .map_err(|_| Error::InvalidConfig("the client credentials cannot be sent".into()))?;
        value.set_sensitive(true);
        Ok(value)
    }

    /// The forms of the secret the scrubber cannot derive from it: the
    /// secret itself (found JSON-escaped, form-urlencoded or in any case by
    /// [`Secrets`]), and the Basic credential, base64 of the encoded pair.
    fn secret_forms(&self) -> Vec<String> {
        let mut forms = vec![self.client_secret.clone()];
        let basic = self.basic_header().ok();
        if let Some(text) = basic.as_ref().and_then(|b| b.to_str().ok()) {
            forms.push(text.to_owned());
        }
        forms
    }
}

impl fmt::Debug for ClientCredentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let params: Vec<&str> = self.params.iter().map(|(name, _)| name.as_str()).collect();
        f.debug_struct("ClientCredentials")
            .field("token_url", &self.token_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &format_args!("{REDACTED}"))
            .field("scope", &self.scope)
            .field("auth", &self.auth)
            .field("refresh_margin", &self.refresh_margin)
            .field("params", &params)
            .finish()
    }
}

/// A token from the endpoint, with when to renew it.
#[derive(Clone)]
struct CachedToken {
    header: HeaderValue,
    expires_at: Option<SystemTime>,
    refresh_at: Option<SystemTime>,
    scope: Option<String>,
}

impl CachedToken {
    fn fresh(&self, now: SystemTime) -> bool {
        self.refresh_at.is_none_or(|at| now < at)
    }
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("token", &format_args!("{REDACTED}"))
            .field("expires_at", &self.expires_at)
            .field("refresh_at", &self.refresh_at)
            .field("scope", &self.scope)
            .finish()
    }
}

/// An OAuth 2.0 client-credentials token source (RFC 6749 §4.4): the
/// credentials and the cached access token. One per process is enough;
/// share it with [`SharedTokenSource`].
pub struct OAuthSource {
    credentials: ClientCredentials,
    token: Option<CachedToken>,
    /// The last token issued, kept after `invalidate` so that an error
    /// echoing it is still scrubbed.
    last_issued: Option<HeaderValue>,
}

impl OAuthSource {
    /// A source with no token yet: the first [`step`](Self::step) fetches
    /// one (RFC 6749 §4.4.2).
    pub fn new(credentials: ClientCredentials) -> OAuthSource {
        OAuthSource {
            credentials,
            token: None,
            last_issued: None,
        }
    }

    /// The client's credentials (RFC 6749 §2.3.1).
    pub fn credentials(&self) -> &ClientCredentials {
        &self.credentials
    }

    /// What to do at `now`: [`TokenStep::Ready`] while the cached token is
    /// fresh, [`TokenStep::Fetch`] when there is none, it was invalidated, or
    /// `now` has reached its expiry (RFC 6749 §5.1 `expires_in`) minus the
    /// margin. The answer changes only with `now`, `receive` and `invalidate`.
    pub fn step(&mut self, now: SystemTime) -> Result<TokenStep, Error> {
        match &self.token {
            Some(token) if token.fresh(now) => Ok(TokenStep::Ready(token.header.clone())),
            _ => self.credentials.token_request().map(TokenStep::Fetch),
        }
    }

    /// Reads the token endpoint's answer, received at `now`: a successful
    /// response (RFC 6749 §5.1) is cached and its `Authorization` value
    /// (`Bearer …`, sensitive) returned.
    ///
    /// Errors, with the client secret and tokens scrubbed from them:
    /// - a non-2xx answer is [`Error::Api`]; an RFC 6749 §5.2 error body
    ///   (`invalid_client`, …) is read by [`OAuthError::from_error`] and
    ///   summed up in the `ApiError`'s `scim.detail`;
    /// - a 2xx answer that is not a usable token (not JSON, no
    ///   `access_token`, a `token_type` other than `Bearer`, RFC 6749 §7.1)
    ///   is [`Error::Decode`];
    /// - a transport failure is [`Error::Transport`].
    ///
    /// A failure leaves the cache as it was, so the next `step` fetches again.
    pub fn receive(
        &mut self,
        response: Result<HttpResponse, TransportError>,
        now: SystemTime,
    ) -> Result<HeaderValue, Error> {
        let response = match response {
            Ok(response) => response,
            Err(error) => return Err(self.scrub(Error::Transport(error))),
        };
        let (parts, body) = response.into_parts();
        if !parts.status.is_success() {
            let kept = BodyTokens::of(&body, false);
            let error = endpoint_refusal(parts.status, parts.headers, kept.keep(body));
            return Err(error.scrubbed(&self.secrets_with(&kept.tokens)));
        }
        match read_token(&body, now, self.credentials.refresh_margin) {
            Ok(token) => {
                let header = token.header.clone();
                self.last_issued = Some(header.clone());
                self.token = Some(token);
                Ok(header)
            }
            Err(error) => {
                let kept = BodyTokens::of(&body, true);
                let error = Error::Decode {
                    status: parts.status,
                    error: Box::new(error),
                    body: kept.keep(body),
                };
                Err(error.scrubbed(&self.secrets_with(&kept.tokens)))
            }
        }
    }

    /// Drops the cached token, so the next `step` fetches a new one: after a
    /// SCIM request carrying it was answered 401 (RFC 6750 §3.1
    /// `invalid_token`). Renew once per request: a second 401 with a fresh
    /// token is the answer.
    pub fn invalidate(&mut self) {
        self.token = None;
    }

    /// Drops the cached token if it is `rejected` (the value a 401 came back
    /// for, RFC 6750 §3.1) and says whether it did. When clients share the
    /// source, a 401 for a token another client has already renewed leaves
    /// the new one in place. Callers that ask while no token is cached (at
    /// the start, or between an invalidation and the next answer) each get
    /// [`TokenStep::Fetch`]: a few tokens may be fetched at once, and the
    /// last one received is kept.
    pub fn invalidate_rejected(&mut self, rejected: &HeaderValue) -> bool {
        let current = self.token.as_ref().is_some_and(|t| t.header == *rejected);
        if current {
            self.token = None;
        }
        current
    }

    /// When the cached token expires; `None` without a token, or for one
    /// sent without a usable `expires_in` (RFC 6749 §5.1).
    pub fn expires_at(&self) -> Option<SystemTime> {
        self.token.as_ref().and_then(|t| t.expires_at)
    }

    /// The scope of the cached token: the response's `scope`, or the scope
    /// asked for when the response omits it (RFC 6749 §5.1).
    pub fn granted_scope(&self) -> Option<&str> {
        let token = self.token.as_ref()?;
        token.scope.as_deref().or(self.credentials.scope())
    }

    /// The secrets to scrub from any error: the client secret in every form
    /// it is sent in, and the last token issued.
    pub(crate) fn secrets(&self) -> Secrets {
        self.secrets_with(&[])
    }

    /// `error` with the client secret and the last token scrubbed.
    pub(crate) fn scrub(&self, error: Error) -> Error {
        error.scrubbed(&self.secrets())
    }

    fn secrets_with(&self, extra: &[String]) -> Secrets {
        let mut values = self.credentials.secret_forms();
        if let Some(text) = self.last_issued.as_ref().and_then(|h| h.to_str().ok()) {
            values.push(text.to_owned());
        }
        values.extend(extra.iter().cloned());
        Secrets::of_credentials(values.iter().map(String::as_str))
    }
}

impl fmt::Debug for OAuthSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthSource")
            .field("credentials", &self.credentials)
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// One [`OAuthSource`] shared by clients, threads and tasks, so they use
/// one access token (RFC 6749 §4.4.3) once it is cached (callers that find
/// none fetch one each; see [`OAuthSource::invalidate_rejected`]). Clones
/// share it.
#[derive(Clone)]
pub struct SharedTokenSource {
    inner: Arc<Mutex<OAuthSource>>,
}

impl SharedTokenSource {
    /// Shares `source`.
    pub fn new(source: OAuthSource) -> SharedTokenSource {
        SharedTokenSource {
            inner: Arc::new(Mutex::new(source)),
        }
    }

    /// The source, locked. Hold it for a decision only: never across a
    /// send or a sleep.
    pub fn lock(&self) -> MutexGuard<'_, OAuthSource> {
        // Every change is an assignment or two: a panic between them leaves
        // at worst a token fetched twice.
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// [`OAuthSource::step`] on the shared source.
    pub fn step(&self, now: SystemTime) -> Result<TokenStep, Error> {
        self.lock().step(now)
    }

    /// [`OAuthSource::receive`] on the shared source.
    pub fn receive(
        &self,
        response: Result<HttpResponse, TransportError>,
        now: SystemTime,
    ) -> Result<HeaderValue, Error> {
        self.lock().receive(response, now)
    }

    /// [`OAuthSource::invalidate`] on the shared source.
    pub fn invalidate(&self) {
        self.lock().invalidate();
    }

    /// [`OAuthSource::invalidate_rejected`] on the shared source.
    pub fn invalidate_rejected(&self, rejected: &HeaderValue) -> bool {
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

/// What a client authenticates SCIM requests with: a static bearer token
/// (RFC 6750), or OAuth 2.0 client credentials (RFC 6749 §4.4) whose token
/// renews. Both answer the same three questions, so a client drives them
/// alike:
///
/// 1. before each attempt, [`step`](Self::step): `Ready(header)` goes in
///    `Authorization`; `Fetch(request)` is sent through the transport and
///    its outcome given to [`receive`](Self::receive), which returns the header;
/// 2. after a 401, if [`renews`](Self::renews), [`invalidate_rejected`](Self::invalidate_rejected)
///    with the header sent, and one more attempt from step 1;
/// 3. every error scrubbed of the credentials (crate-internal).
///
/// Clones share the OAuth token.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub enum Credentials {
    /// A token that never changes (Slack's org-admin token): always ready.
    Bearer(BearerToken),
    /// Tokens fetched from an OAuth 2.0 token endpoint, shared.
    OAuth(SharedTokenSource),
}

impl Credentials {
    /// What to do before an attempt at `now`: a bearer token is always
    /// [`TokenStep::Ready`]; see [`OAuthSource::step`].
    pub fn step(&self, now: SystemTime) -> Result<TokenStep, Error> {
        match self {
            Credentials::Bearer(token) => Ok(TokenStep::Ready(token.header_value().clone())),
            Credentials::OAuth(source) => source.step(now),
        }
    }

    /// Reads the answer to a [`TokenStep::Fetch`]; see
    /// [`OAuthSource::receive`]. A bearer token never asks for one, and
    /// returns itself.
    pub fn receive(
        &self,
        response: Result<HttpResponse, TransportError>,
        now: SystemTime,
    ) -> Result<HeaderValue, Error> {
        match self {
            Credentials::Bearer(token) => Ok(token.header_value().clone()),
            Credentials::OAuth(source) => source.receive(response, now),
        }
    }

    /// True when a 401 (RFC 6750 §3.1 `invalid_token`) may be cured by a new
    /// token (RFC 6749 §4.4), so the request is worth one more attempt;
    /// false for a static token.
    pub fn renews(&self) -> bool {
        matches!(self, Credentials::OAuth(_))
    }

    /// After a 401 for `rejected` (RFC 6750 §3.1): drops the cached token if it is that one
    /// (see [`OAuthSource::invalidate_rejected`]). Nothing to drop for a
    /// static token.
    pub fn invalidate_rejected(&self, rejected: &HeaderValue) -> bool {
        match self {
            Credentials::Bearer(_) => false,
            Credentials::OAuth(source) => source.invalidate_rejected(rejected),
        }
    }

    /// After an attempt sent with `sent` (the header these credentials set,
    /// `None` for a static token): true when it was answered 401 and the
    /// token was dropped, so the request deserves one more attempt with a
    /// new one (RFC 6750 §3.1). The driver allows that once per request.
    pub(crate) fn renew_after(
        &self,
        sent: Option<&HeaderValue>,
        result: &Result<HttpResponse, TransportError>,
    ) -> bool {
        let refused = matches!(result, Ok(r) if r.status() == StatusCode::UNAUTHORIZED);
        match sent {
            Some(token) if refused && self.renews() => {
                self.invalidate_rejected(token);
                true
            }
            _ => false,
        }
    }

    /// The secrets to scrub from errors: the token, and for OAuth the
    /// client secret in every form it is sent in.
    pub(crate) fn secrets(&self) -> Secrets {
        match self {
            Credentials::Bearer(token) => {
                let mut headers = HeaderMap::new();
                headers.insert(AUTHORIZATION, token.header_value().clone());
                Secrets::of(&headers)
            }
            Credentials::OAuth(source) => source.secrets(),
        }
    }

    /// `error` with every secret of these credentials scrubbed.
    pub(crate) fn scrub(&self, error: Error) -> Error {
        error.scrubbed(&self.secrets())
    }
}

impl From<BearerToken> for Credentials {
    fn from(token: BearerToken) -> Credentials {
        Credentials::Bearer(token)
    }
}

impl From<SharedTokenSource> for Credentials {
    fn from(source: SharedTokenSource) -> Credentials {
        Credentials::OAuth(source)
    }
}

impl From<OAuthSource> for Credentials {
    fn from(source: OAuthSource) -> Credentials {
        Credentials::OAuth(source.into())
    }
}

impl From<ClientCredentials> for Credentials {
    fn from(credentials: ClientCredentials) -> Credentials {
        Credentials::OAuth(credentials.into())
    }
}

/// An error response from the token endpoint (RFC 6749 §5.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OAuthError {
    /// `error`: what went wrong.
    pub code: OAuthErrorCode,
    /// `error_description`: a human-readable explanation, if sent.
    pub description: Option<String>,
    /// `error_uri`: a page about the error, if sent.
    pub uri: Option<String>,
}

impl OAuthError {
    /// Reads an RFC 6749 §5.2 error body: a JSON object whose `error` is a
    /// string. `None` for anything else (an HTML page, a SCIM error).
    pub fn from_json(body: &[u8]) -> Option<OAuthError> {
        let value: Value = serde_json::from_slice(body).ok()?;
        let object = value.as_object()?;
        let code = object.get("error")?.as_str()?;
        let text = |name: &str| object.get(name).and_then(Value::as_str).map(str::to_owned);
        Some(OAuthError {
            code: OAuthErrorCode::from(code),
            description: text("error_description"),
            uri: text("error_uri"),
        })
    }

    /// The token endpoint's error in an [`Error`] from
    /// [`OAuthSource::receive`] (any answer whose body is an RFC 6749 §5.2
    /// error, with the secrets already scrubbed); `None` otherwise.
    pub fn from_error(error: &Error) -> Option<OAuthError> {
        match error {
            Error::Api(api) => OAuthError::from_json(&api.body),
            Error::Decode { body, .. } => OAuthError::from_json(body),
            _ => None,
        }
    }
}

impl fmt::Display for OAuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code.as_str())?;
        if let Some(description) = &self.description {
            write!(f, ": {description}")?;
        }
        Ok(())
    }
}

impl std::error::Error for OAuthError {}

/// RFC 6749 §5.2 `error` codes; an unknown code is kept as sent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OAuthErrorCode {
    /// The request is missing a parameter, repeats one, or is malformed.
    InvalidRequest,
    /// Client authentication failed: unknown client, wrong secret, or an
    /// unsupported authentication method.
    InvalidClient,
    /// The grant is invalid, expired or revoked.
    InvalidGrant,
    /// This client may not use this grant type.
    UnauthorizedClient,
    /// The server does not support this grant type.
    UnsupportedGrantType,
    /// The scope is invalid, unknown, or exceeds what the client may ask.
    InvalidScope,
    /// Any other code, kept exactly as sent.
    Other(String),
}

impl OAuthErrorCode {
    /// The code as it appears on the wire (RFC 6749 §5.2 `error`).
    pub fn as_str(&self) -> &str {
        match self {
            OAuthErrorCode::InvalidRequest => "invalid_request",
            OAuthErrorCode::InvalidClient => "invalid_client",
            OAuthErrorCode::InvalidGrant => "invalid_grant",
            OAuthErrorCode::UnauthorizedClient => "unauthorized_client",
            OAuthErrorCode::UnsupportedGrantType => "unsupported_grant_type",
            OAuthErrorCode::InvalidScope => "invalid_scope",
            OAuthErrorCode::Other(code) => code,
        }
    }
}

impl From<&str> for OAuthErrorCode {
    fn from(code: &str) -> OAuthErrorCode {
        match code {
            "invalid_request" => OAuthErrorCode::InvalidRequest,
            "invalid_client" => OAuthErrorCode::InvalidClient,
            "invalid_grant" => OAuthErrorCode::InvalidGrant,
            "unauthorized_client" => OAuthErrorCode::UnauthorizedClient,
            "unsupported_grant_type" => OAuthErrorCode::UnsupportedGrantType,
            "invalid_scope" => OAuthErrorCode::InvalidScope,
            other => OAuthErrorCode::Other(other.to_owned()),
        }
    }
}

impl fmt::Display for OAuthErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A non-2xx answer from the token endpoint, as [`Error::Api`] whose
/// `scim.detail` says it came from the token endpoint and what it said.
fn endpoint_refusal(status: StatusCode, headers: HeaderMap, body: Vec<u8>) -> Error {
    let said = match OAuthError::from_json(&body) {
        Some(oauth) => oauth.to_string(),
        None => "no RFC 6749 §5.2 error in the body".to_owned(),
    };
    let mut api = ApiError::new(status, headers, body);
    api.scim = Some(ScimError {
        status: Some(status.as_u16()),
        detail: Some(format!("OAuth token endpoint: {said}")),
        ..ScimError::default()
    });
    Error::Api(Box::new(api))
}

/// Reads a successful token response (RFC 6749 §5.1). Errors name the
/// member at fault and never quote a token.
fn read_token(body: &[u8], now: SystemTime, margin: Duration) -> Result<CachedToken, DecodeError> {
    let value: Value = serde_json::from_slice(body).map_err(|e| {
        DecodeError::shape(
            "",
            format!("the token response is not JSON (RFC 6749 §5.1): {e}"),
        )
    })?;
    let Some(object) = value.as_object() else {
        return Err(DecodeError::shape(
            "",
            "the token response must be a JSON object (RFC 6749 §5.1)".into(),
        ));
    };
    if let (None, Some(oauth)) = (object.get("access_token"), OAuthError::from_json(body)) {
        let message = format!("the token endpoint answered an error (RFC 6749 §5.2): {oauth}");
        return Err(DecodeError::shape("error", message));
    }
    let token = required_text(object, "access_token")?;
    let token_type = required_text(object, "token_type")?;
    if !token_type.eq_ignore_ascii_case("bearer") {
        let message = format!(
            "the token type must be Bearer (RFC 6749 §7.1, RFC 6750); found {:?}",
            clip(token_type)
        );
        return Err(DecodeError::shape("token_type", message));
    }
    let bearer = BearerToken::new(token).map_err(|_| {
        let message = "must be non-empty visible ASCII without spaces (RFC 6750 §2.1); not shown";
        DecodeError::shape("access_token", message.into())
    })?;
    let lifetime = object.get("expires_in").and_then(lifetime_seconds);
    let (expires_at, refresh_at) = deadlines(lifetime, now, margin);
    Ok(CachedToken {
        header: bearer.header_value().clone(),
        expires_at,
        refresh_at,
        scope: object
            .get("scope")
            .and_then(Value::as_str)
            .map(str::to_owned),
    })
}

/// A required string member (RFC 6749 §5.1).
fn required_text<'a>(object: &'a Map<String, Value>, name: &str) -> Result<&'a str, DecodeError> {
    match object.get(name) {
        Some(Value::String(text)) => Ok(text),
        Some(_) => Err(DecodeError::shape(
            name,
            "must be a string (RFC 6749 §5.1)".into(),
        )),
        None => Err(DecodeError::shape(
            name,
            "is missing (RFC 6749 §5.1 requires it)".into(),
        )),
    }
}

/// `expires_in` in seconds (RFC 6749 §5.1), from a number or a numeric
/// string, fractions cut, a negative value as 0 (expired at once); `None`
/// when absent, `null`, not a number or NaN (the token is then kept until a
/// 401). A value too large for any clock saturates, and is then treated as
/// no expiry at all by [`deadlines`].
fn lifetime_seconds(value: &Value) -> Option<u64> {
    let seconds = match value {
        Value::Number(number) => match number.as_u64() {
            Some(exact) => return Some(exact),
            None => number.as_f64()?,
        },
        Value::String(text) => {
            let text = text.trim();
            if let Ok(exact) = text.parse::<u64>() {
                return Some(exact);
            }
            text.parse::<f64>().ok()?
        }
        _ => return None,
    };
    if seconds.is_nan() {
        None
    } else if seconds <= 0.0 {
        Some(0)
    } else {
        // `as` saturates at u64::MAX (infinity included).
        Some(seconds as u64)
    }
}

/// When a token received at `now` expires and when to renew it: `margin`
/// before expiry, but no earlier than half its lifetime, so a short-lived
/// token is not fetched before every request. No expiry when `expires_in`
/// was not given or runs past what the clock can hold.
fn deadlines(
    lifetime: Option<u64>,
    now: SystemTime,
    margin: Duration,
) -> (Option<SystemTime>, Option<SystemTime>) {
    let Some(seconds) = lifetime else {
        return (None, None);
    };
    let lifetime = Duration::from_secs(seconds);
    let Some(expires_at) = now.checked_add(lifetime) else {
        return (None, None);
    };
    let margin = margin.min(lifetime / 2);
    let refresh_at = expires_at.checked_sub(margin).unwrap_or(now);
    (Some(expires_at), Some(refresh_at))
}

/// The token-like members of a token endpoint's body, to scrub from the
/// error; and whether the body can be kept at all.
struct BodyTokens {
    tokens: Vec<String>,
    keep: bool,
}

impl BodyTokens {
    /// Every string member whose name ends in `token` (`access_token`,
    /// `refresh_token`, `id_token`). A `success` body that is not JSON yet
    /// mentions a token (a token in another format) is not kept.
    fn of(body: &[u8], success: bool) -> BodyTokens {
        let Ok(Value::Object(members)) = serde_json::from_slice::<Value>(body) else {
            let mentions = body.windows(5).any(|w| w.eq_ignore_ascii_case(b"token"));
            return BodyTokens {
                tokens: Vec::new(),
                keep: !(success && mentions),
            };
        };
        let tokens = members
            .iter()
            .filter(|(name, _)| name.to_ascii_lowercase().ends_with("token"))
            .filter_map(|(_, value)| value.as_str().map(str::to_owned))
            .collect();
        BodyTokens { tokens, keep: true }
    }

    fn keep(&self, body: Vec<u8>) -> Vec<u8> {
        if self.keep { body } else { Vec::new() }
    }
}

/// The token endpoint (RFC 6749 §3.2), checked. Errors do not repeat the URL
/// (it may carry a password).
fn token_endpoint(url: &str) -> Result<Uri, Error> {
    let refuse = |reason: &str| Error::InvalidConfig(format!("the token URL {reason}"));
    if url.contains('#') {
        return Err(refuse("must not have a fragment (RFC 6749 §3.2)"));
    }
    let uri = Uri::try_from(url).map_err(|_| refuse("is not a valid URL"))?;
    let Some(authority) = uri.authority() else {
        return Err(refuse("must be absolute (https://host/path)"));
    };
    if authority.as_str().contains('@') {
        return Err(refuse(
            "must not carry credentials (user:password@); give them as the client id and secret",
        ));
    }
    match uri.scheme_str() {
        Some("https") => Ok(uri),
        Some("http") if is_loopback(authority.host()) => Ok(uri),
        Some("http") => Err(refuse(
            "must use https (RFC 6749 §3.2 requires TLS); http is accepted for loopback hosts only",
        )),
        _ => Err(refuse("must be an https URL")),
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// Non-empty, and every character VSCHAR (%x20-7E, RFC 6749 Appendix A).
fn is_vschar_text(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// At most [`MAX_QUOTED`] characters of a server's value.
fn clip(text: &str) -> String {
    match text.char_indices().nth(MAX_QUOTED) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_owned(),
    }
}

/// Appends `&name=value`, both form-urlencoded (RFC 6749 Appendix B).
fn push_param(body: &mut String, name: &str, value: &str) {
    body.push('&');
    body.push_str(&form_urlencode(name));
    body.push('=');
    body.push_str(&form_urlencode(value));
}

/// The `application/x-www-form-urlencoded` byte serializer (RFC 6749
/// Appendix B, WHATWG URL): letters, digits and `*-._` as is, space as `+`,
/// every other byte `%XX`.
fn form_urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(byte));
            }
            b' ' => out.push('+'),
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// Standard base64 with padding (RFC 4648 §4), for the Basic credential.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let byte = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let group = (byte(0) << 16) | (byte(1) << 8) | byte(2);
        for i in 0..4 {
            if i <= chunk.len() {
                let sextet = (group >> (18 - 6 * i)) & 0x3f;
                out.push(char::from(ALPHABET[sextet as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::TransportErrorKind;

    /// Holds `/` and `+`, so its JSON-escaped and form-encoded forms differ.
    const SECRET: &str = "s3cr3t/client+secret";

    fn credentials() -> ClientCredentials {
        ClientCredentials::new("https://idp.test/oauth2/token", "scim-app", SECRET).unwrap()
    }

    /// Seconds after a fixed instant: every time in these tests is passed in.
    fn at(seconds: u64) -> SystemTime {
        SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000 + seconds)
    }

    fn answer(status: u16, body: &str) -> Result<HttpResponse, TransportError> {
        Ok(http::Response::builder()
            .status(status)
            .body(body.as_bytes().to_vec())
            .unwrap())
    }

    fn bearer(token: &str) -> HeaderValue {
        BearerToken::new(token).unwrap().header_value().clone()
    }

    fn token_of(header: &HeaderValue) -> String {
        let text = header.to_str().unwrap();
        text.strip_prefix("Bearer ").unwrap().to_owned()
    }

    /// One row of a decision table: what the driver does.
    #[derive(Debug)]
    enum Act {
        Step(u64),
        Receive(u64, &'static str),
        Invalidate,
        Reject(&'static str),
    }

    /// What the source answers, in words.
    fn run(source: &mut OAuthSource, act: &Act) -> String {
        match *act {
            Act::Step(t) => match source.step(at(t)) {
                Ok(TokenStep::Fetch(_)) => "fetch".into(),
                Ok(TokenStep::Ready(header)) => format!("ready {}", token_of(&header)),
                Err(error) => format!("error {error}"),
            },
            Act::Receive(t, body) => match source.receive(answer(200, body), at(t)) {
                Ok(header) => format!("token {}", token_of(&header)),
                Err(error) => format!("error {error}"),
            },
            Act::Invalidate => {
                source.invalidate();
                "invalidated".into()
            }
            Act::Reject(token) => format!("dropped {}", source.invalidate_rejected(&bearer(token))),
        }
    }

    fn check_table(source: &mut OAuthSource, table: &[(Act, &str)]) {
        for (row, (act, want)) in table.iter().enumerate() {
            assert_eq!(run(source, act), *want, "row {row}: {act:?}");
        }
    }

    const HUNDRED_YEARS: u64 = 100 * 365 * 24 * 3600;

    #[test]
    fn token_lifecycle_decision_table() {
        let a = r#"{"access_token":"token-A","token_type":"Bearer","expires_in":3600}"#;
        let b = r#"{"access_token":"token-B","token_type":"bearer"}"#;
        let c = r#"{"access_token":"token-C","token_type":"Bearer","expires_in":"120"}"#;
        let t = 4000;
        check_table(
            &mut OAuthSource::new(credentials()),
            &[
                (Act::Step(0), "fetch"), // fresh source
                (Act::Receive(0, a), "token token-A"),
                (Act::Step(1), "ready token-A"),
                (Act::Step(3539), "ready token-A"),
                (Act::Step(3540), "fetch"), // within the 60 s margin
                (Act::Step(3599), "fetch"),
                (Act::Step(3600), "fetch"), // expired
                (Act::Receive(3600, b), "token token-B"),
                (Act::Step(3601), "ready token-B"), // no expires_in: kept…
                (Act::Step(HUNDRED_YEARS), "ready token-B"), // …however long
                (Act::Reject("token-A"), "dropped false"), // already renewed
                (Act::Step(t), "ready token-B"),
                (Act::Reject("token-B"), "dropped true"), // …until a 401
                (Act::Step(t), "fetch"),
                (Act::Receive(t, c), "token token-C"),
                (Act::Step(t + 59), "ready token-C"), // 120 s token: renewed at half life,
                (Act::Step(t + 60), "fetch"),         // not before every request
                (Act::Invalidate, "invalidated"),
                (Act::Step(t + 1), "fetch"),
                (Act::Invalidate, "invalidated"), // twice is harmless
                (Act::Reject("token-C"), "dropped false"),
                (Act::Step(t + 1), "fetch"),
            ],
        );
    }

    #[test]
    fn refresh_margin_is_configurable() {
        let body = r#"{"access_token":"token-A","token_type":"Bearer","expires_in":3600}"#;
        for (margin, last_ready) in [(0, 3599), (300, 3299), (1800, 1799), (3000, 1799)] {
            let credentials = credentials().with_refresh_margin(Duration::from_secs(margin));
            check_table(
                &mut OAuthSource::new(credentials),
                &[
                    (Act::Receive(0, body), "token token-A"),
                    (Act::Step(last_ready), "ready token-A"),
                    (Act::Step(last_ready + 1), "fetch"),
                ],
            );
        }
        assert_eq!(credentials().refresh_margin(), DEFAULT_REFRESH_MARGIN);
    }

    /// `expires_in` as sent, and the second from which the source fetches
    /// again (`None`: kept until invalidated).
    #[test]
    fn expires_in_forms_decision_table() {
        let table: &[(&str, Option<u64>)] = &[
            ("3600", Some(3540)),
            (r#""3600""#, Some(3540)),
            (r#"" 120 ""#, Some(60)),
            ("3600.9", Some(3540)),
            (r#""90.5""#, Some(45)), // 90 s: half its life as the margin
            ("1", Some(1)),
            ("0", Some(0)), // expired at once: used for this request only
            ("-5", Some(0)),
            (r#""-5""#, Some(0)),
            ("-1e300", Some(0)),
            ("1e300", None), // past any clock: no expiry
            ("18446744073709551615", None),
            ("18446744073709551616", None),
            (r#""99999999999999999999999999""#, None),
            (r#""inf""#, None),
            (r#""NaN""#, None), // not a number: as if absent
            (r#""soon""#, None),
            (r#""3600s""#, None),
            (r#""""#, None),
            ("true", None),
            ("null", None),
            ("{}", None),
            ("[3600]", None),
        ];
        for (expires_in, renew_at) in table {
            let body = format!(
                r#"{{"access_token":"token-A","token_type":"Bearer","expires_in":{expires_in}}}"#
            );
            let mut source = OAuthSource::new(credentials());
            let header = source.receive(answer(200, &body), at(0));
            assert_eq!(header.unwrap(), "Bearer token-A", "{expires_in}");
            let fetches = |source: &mut OAuthSource, t| {
                matches!(source.step(at(t)).unwrap(), TokenStep::Fetch(_))
            };
            match renew_at {
                Some(0) => assert!(fetches(&mut source, 0), "{expires_in}"),
                Some(t) => {
                    assert!(!fetches(&mut source, t - 1), "{expires_in}");
                    assert!(fetches(&mut source, *t), "{expires_in}");
                }
                None => {
                    assert!(!fetches(&mut source, HUNDRED_YEARS), "{expires_in}");
                    assert_eq!(source.expires_at(), None, "{expires_in}");
                }
            }
        }
    }

    #[test]
    fn expires_in_near_the_end_of_time_does_not_overflow() {
        let end = SystemTime::UNIX_EPOCH + Duration::from_secs(i64::MAX as u64 / 2);
        for margin in [Duration::ZERO, Duration::MAX] {
            let (expires_at, refresh_at) = deadlines(Some(u64::MAX - 1), end, margin);
            assert_eq!((expires_at, refresh_at), (None, None));
            let (expires_at, refresh_at) = deadlines(Some(10), end, margin);
            assert_eq!(expires_at, end.checked_add(Duration::from_secs(10)));
            assert!(refresh_at.unwrap() >= end);
        }
    }

    #[test]
    fn token_type_must_be_bearer_in_any_case() {
        let table: &[(&str, bool)] = &[
            (r#""Bearer""#, true),
            (r#""bearer""#, true),
            (r#""BEARER""#, true),
            (r#""bEaReR""#, true),
            (r#""mac""#, false),
            (r#""DPoP""#, false),
            (r#""N_A""#, false),
            (r#""Bearer ""#, false),
            (r#""""#, false),
            ("5", false),
            ("null", false),
        ];
        for (token_type, accepted) in table {
            let body = format!(r#"{{"access_token":"token-A","token_type":{token_type}}}"#);
            let result = OAuthSource::new(credentials()).receive(answer(200, &body), at(0));
            match result {
                Ok(header) => assert!(*accepted && header == "Bearer token-A", "{token_type}"),
                Err(Error::Decode { status, error, .. }) => {
                    assert!(!accepted, "{token_type}");
                    assert_eq!((status.as_u16(), error.path()), (200, "token_type"));
                }
                Err(other) => panic!("{token_type}: {other:?}"),
            }
        }
        let missing = r#"{"access_token":"token-A"}"#;
        let error = OAuthSource::new(credentials()).receive(answer(200, missing), at(0));
        assert!(matches!(error, Err(Error::Decode { error, .. }) if error.path() == "token_type"));
    }

    #[test]
    fn unusable_token_responses_are_decode_errors_naming_the_member() {
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("not json", ""),
            ("<html>ok</html>", ""),
            ("[]", ""),
            (r#""token""#, ""),
            ("{}", "access_token"),
            (r#"{"token_type":"Bearer"}"#, "access_token"),
            (
                r#"{"access_token":5,"token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":null,"token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":"","token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":"two words","token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":"line\nbreak","token_type":"Bearer"}"#,
                "access_token",
            ),
            (
                r#"{"access_token":"tøken","token_type":"Bearer"}"#,
                "access_token",
            ),
            (r#"{"error":"invalid_client"}"#, "error"),
        ];
        for (body, path) in table {
            let mut source = OAuthSource::new(credentials());
            match source.receive(answer(200, body), at(0)) {
                Err(Error::Decode { status, error, .. }) => {
                    assert_eq!((status.as_u16(), error.path()), (200, *path), "{body}");
                }
                other => panic!("{body}: {other:?}"),
            }
            assert!(
                matches!(source.step(at(0)), Ok(TokenStep::Fetch(_))),
                "{body}"
            );
        }
    }

    #[test]
    fn token_endpoint_errors_are_typed() {
        use OAuthErrorCode::*;
        let table: &[(u16, &str, Option<OAuthErrorCode>)] = &[
            (400, r#"{"error":"invalid_request"}"#, Some(InvalidRequest)),
            (401, r#"{"error":"invalid_client"}"#, Some(InvalidClient)),
            (400, r#"{"error":"invalid_grant"}"#, Some(InvalidGrant)),
            (
                400,
                r#"{"error":"unauthorized_client"}"#,
                Some(UnauthorizedClient),
            ),
            (
                400,
                r#"{"error":"unsupported_grant_type"}"#,
                Some(UnsupportedGrantType),
            ),
            (400, r#"{"error":"invalid_scope"}"#, Some(InvalidScope)),
            (
                400,
                r#"{"error":"slow_down"}"#,
                Some(Other("slow_down".into())),
            ),
            (502, "<html><h1>Bad Gateway</h1></html>", None),
            (401, "", None),
            (400, r#"{"error":5}"#, None),
            (400, r#"{"detail":"a SCIM error"}"#, None),
            (500, r#"["error"]"#, None),
        ];
        for (status, body, code) in table {
            let error = OAuthSource::new(credentials())
                .receive(answer(*status, body), at(0))
                .unwrap_err();
            assert_eq!(error.status().map(|s| s.as_u16()), Some(*status), "{body}");
            let api = error.api_error().expect("an API error");
            assert_eq!(api.body_text(), *body);
            assert!(
                error.to_string().contains("OAuth token endpoint"),
                "{error}"
            );
            let oauth = OAuthError::from_error(&error);
            assert_eq!(oauth.map(|o| o.code), code.clone(), "{body}");
        }
    }

    #[test]
    fn invalid_client_keeps_its_description_and_uri() {
        let body = r#"{"error":"invalid_client","error_description":"Client authentication failed","error_uri":"https://idp.test/errors#client"}"#;
        let error = OAuthSource::new(credentials())
            .receive(answer(401, body), at(0))
            .unwrap_err();
        let oauth = OAuthError::from_error(&error).unwrap();
        assert_eq!(
            oauth,
            OAuthError {
                code: OAuthErrorCode::InvalidClient,
                description: Some("Client authentication failed".into()),
                uri: Some("https://idp.test/errors#client".into()),
            }
        );
        assert_eq!(
            error.to_string(),
            "SCIM service answered 401 Unauthorized: OAuth token endpoint: invalid_client: Client authentication failed"
        );
    }

    #[test]
    fn a_rate_limited_token_endpoint_keeps_its_retry_after() {
        let response = http::Response::builder()
            .status(429)
            .header("Retry-After", "7")
            .body(br#"{"error":"slow_down"}"#.to_vec())
            .unwrap();
        let error = OAuthSource::new(credentials())
            .receive(Ok(response), at(0))
            .unwrap_err();
        let retry_after = error.api_error().unwrap().retry_after.clone();
        assert_eq!(
            retry_after,
            Some(crate::RetryAfter::Delay(Duration::from_secs(7)))
        );
    }

    #[test]
    fn a_failed_renewal_changes_nothing() {
        let body = r#"{"access_token":"token-A","token_type":"Bearer","expires_in":3600}"#;
        let mut source = OAuthSource::new(credentials());
        source.receive(answer(200, body), at(0)).unwrap();
        let expires_at = source.expires_at();
        assert!(matches!(source.step(at(3550)), Ok(TokenStep::Fetch(_))));
        assert!(source.receive(answer(503, ""), at(3550)).is_err());
        let refused = TransportError::not_sent(std::io::Error::other("connection refused"));
        let error = source.receive(Err(refused), at(3550)).unwrap_err();
        assert!(matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::NotSent));
        assert_eq!(source.expires_at(), expires_at);
        assert!(matches!(source.step(at(3550)), Ok(TokenStep::Fetch(_))));
        assert!(matches!(source.step(at(10)), Ok(TokenStep::Ready(h)) if h == "Bearer token-A"));
    }

    #[test]
    fn granted_scope_is_the_answers_or_the_one_asked_for() {
        let mut source = OAuthSource::new(credentials().with_scope("scim:read scim:write"));
        assert_eq!(source.granted_scope(), None);
        let body = r#"{"access_token":"token-A","token_type":"Bearer"}"#;
        source.receive(answer(200, body), at(0)).unwrap();
        assert_eq!(source.granted_scope(), Some("scim:read scim:write"));
        let body = r#"{"access_token":"token-B","token_type":"Bearer","scope":"scim:read"}"#;
        source.receive(answer(200, body), at(0)).unwrap();
        assert_eq!(source.granted_scope(), Some("scim:read"));
    }

    fn header<'a>(request: &'a HttpRequest, name: &str) -> Option<&'a str> {
        request.headers().get(name).map(|v| v.to_str().unwrap())
    }

    #[test]
    fn token_request_is_a_form_post_with_basic_authentication() {
        // The example of RFC 6749 §2.3.1.
        let credentials = ClientCredentials::new(
            "https://server.example.com/token",
            "s6BhdRkqt3",
            "gX1fBat3bV",
        )
        .unwrap();
        let TokenStep::Fetch(request) = OAuthSource::new(credentials).step(at(0)).unwrap() else {
            panic!("a fresh source fetches");
        };
        assert_eq!(request.method(), "POST");
        assert_eq!(request.uri(), "https://server.example.com/token");
        assert_eq!(header(&request, "content-type"), Some(FORM_CONTENT_TYPE));
        assert_eq!(header(&request, "accept"), Some("application/json"));
        assert_eq!(
            header(&request, "authorization"),
            Some("Basic czZCaGRSa3F0MzpnWDFmQmF0M2JW")
        );
        assert!(request.headers()["authorization"].is_sensitive());
        assert_eq!(request.body(), b"grant_type=client_credentials");
    }

    #[test]
    fn basic_credentials_are_form_urlencoded_before_base64() {
        let credentials =
            ClientCredentials::new("https://idp.test/token", "client:1", "p@ss word+/%~").unwrap();
        let request = credentials.token_request().unwrap();
        // base64("client%3A1:p%40ss+word%2B%2F%25%7E"), RFC 6749 §2.3.1 and Appendix B.
        assert_eq!(
            header(&request, "authorization"),
            Some("Basic Y2xpZW50JTNBMTpwJTQwc3Mrd29yZCUyQiUyRiUyNSU3RQ==")
        );
    }

    #[test]
    fn request_body_authentication_puts_the_client_in_the_form() {
        let credentials =
            ClientCredentials::new("https://idp.test/token", "client:1", "p@ss word+/%~")
                .unwrap()
                .with_auth(ClientAuth::RequestBody)
                .with_scope("a b");
        let request = credentials.token_request().unwrap();
        assert_eq!(header(&request, "authorization"), None);
        assert_eq!(
            String::from_utf8(request.into_body()).unwrap(),
            "grant_type=client_credentials&scope=a+b&client_id=client%3A1&client_secret=p%40ss+word%2B%2F%25%7E"
        );
    }

    #[test]
    fn scope_and_extra_parameters_are_form_urlencoded() {
        type Params = &'static [(&'static str, &'static str)];
        let table: &[(&str, Params, &str)] = &[
            ("", &[], "grant_type=client_credentials"),
            ("scim", &[], "grant_type=client_credentials&scope=scim"),
            (
                "scim:read users.write",
                &[("audience", "https://scim.test/v2")],
                "grant_type=client_credentials&scope=scim%3Aread+users.write&audience=https%3A%2F%2Fscim.test%2Fv2",
            ),
            (
                "",
                &[("resource", "a&b=c")],
                "grant_type=client_credentials&resource=a%26b%3Dc",
            ),
        ];
        for (scope, params, body) in table {
            let credentials = params
                .iter()
                .fold(credentials().with_scope(scope), |c, (n, v)| {
                    c.with_param(n, v)
                });
            let request = credentials.token_request().unwrap();
            assert_eq!(String::from_utf8(request.into_body()).unwrap(), *body);
        }
    }

    #[test]
    fn token_urls_are_checked() {
        let table: &[(&str, bool)] = &[
            ("https://idp.test/oauth2/token", true),
            ("https://idp.test:8443/token?tenant=acme", true), // query kept (RFC 6749 §3.2)
            ("http://127.0.0.1:8080/token", true),
            ("http://127.8.9.10/token", true),
            ("http://localhost/token", true),
            ("http://LOCALHOST:1/token", true),
            ("http://[::1]:8080/token", true),
            ("http://idp.test/token", false), // no TLS (RFC 6749 §3.2)
            ("http://10.0.0.1/token", false),
            ("http://localhost.evil.test/token", false),
            ("ftp://idp.test/token", false),
            ("/token", false),
            ("idp.test/token", false),
            ("", false),
            ("https://idp.test/token#frag", false),
            ("https://user:pw-hidden@idp.test/token", false),
            ("https://idp test/token", false),
        ];
        for (url, accepted) in table {
            let result = ClientCredentials::new(url, "scim-app", SECRET);
            assert_eq!(result.is_ok(), *accepted, "{url}");
            if let Ok(credentials) = result {
                assert_eq!(credentials.token_request().unwrap().uri(), *url);
            } else if let Err(error) = result {
                assert!(matches!(error, Error::InvalidConfig(_)), "{url}: {error:?}");
                assert!(!format!("{error} {error:?}").contains("pw-hidden"));
            }
        }
    }

    #[test]
    fn client_id_and_secret_must_be_printable_ascii() {
        let table: &[(&str, &str, Option<&str>)] = &[
            ("scim-app", SECRET, None),
            ("scim app", "secret with spaces ~!", None), // VSCHAR includes space
            ("", SECRET, Some("client_id")),
            ("app\n", SECRET, Some("client_id")),
            ("äpp", SECRET, Some("client_id")),
            ("scim-app", "", Some("client_secret")),
            ("scim-app", "hidden\tsecret", Some("client_secret")),
            ("scim-app", "hidden-sécret", Some("client_secret")),
            ("scim-app", "hidden\r\nsecret", Some("client_secret")),
        ];
        for (id, secret, refused) in table {
            match ClientCredentials::new("https://idp.test/token", id, secret) {
                Ok(_) => assert_eq!(*refused, None, "{id:?} {secret:?}"),
                Err(Error::InvalidArgument { name, reason }) => {
                    assert_eq!(Some(name), *refused);
                    assert!(!reason.contains("hidden"));
                }
                Err(other) => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn base64_matches_rfc_4648_vectors() {
        let table: &[(&str, &str)] = &[
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
            ("\u{ff}\u{fe}", "w7/Dvg=="),
        ];
        for (input, output) in table {
            assert_eq!(base64(input.as_bytes()), *output, "{input:?}");
        }
    }

    #[test]
    fn form_urlencoding_follows_the_byte_serializer() {
        let table: &[(&str, &str)] = &[
            ("abcXYZ019", "abcXYZ019"),
            ("*-._", "*-._"),
            (" ", "+"),
            ("+", "%2B"),
            ("~", "%7E"),
            ("a/b?c=d&e", "a%2Fb%3Fc%3Dd%26e"),
            ("é", "%C3%A9"),
            ("%", "%25"),
        ];
        for (input, output) in table {
            assert_eq!(form_urlencode(input), *output, "{input:?}");
        }
    }

    /// Every form of the secret and of `tokens` that must never show.
    fn assert_hidden(text: &str, tokens: &[&str]) {
        let basic = credentials().basic_header().unwrap();
        let basic = basic
            .to_str()
            .unwrap()
            .trim_start_matches("Basic ")
            .to_owned();
        let forms = [
            SECRET,
            "s3cr3t\\/client+secret",
            "s3cr3t%2Fclient%2Bsecret",
            &basic,
        ];
        for hidden in forms.iter().chain(tokens) {
            assert!(!text.contains(hidden), "{hidden:?} shows in {text}");
        }
    }

    #[test]
    fn debug_never_shows_a_secret_or_a_token() {
        let mut source = OAuthSource::new(
            credentials()
                .with_auth(ClientAuth::RequestBody)
                .with_param("audience", "param-value-hidden"),
        );
        let fetch = source.step(at(0)).unwrap();
        let body = r#"{"access_token":"token-AAAA","token_type":"Bearer","expires_in":60}"#;
        source.receive(answer(200, body), at(0)).unwrap();
        let ready = source.step(at(0)).unwrap();
        let shared = SharedTokenSource::from(source);
        let oauth = Credentials::from(shared.clone());
        let static_token = Credentials::from(BearerToken::new("xoxp-static-token").unwrap());
        let texts = [
            format!("{:?}", credentials()),
            format!("{fetch:?}"),
            format!("{ready:?}"),
            format!("{shared:?}"),
            format!("{oauth:?}"),
            format!("{static_token:?}"),
        ];
        {
            let _held = shared.lock();
            assert_eq!(format!("{shared:?}"), "SharedTokenSource(<locked>)");
        }
        for text in &texts {
            assert_hidden(
                text,
                &["token-AAAA", "xoxp-static-token", "param-value-hidden"],
            );
        }
        assert!(texts[0].contains("scim-app") && texts[3].contains("audience"));
        assert!(texts[3].contains("expires_at"));
    }

    #[test]
    fn an_error_body_echoing_the_secret_and_the_token_shows_neither() {
        let mut source = OAuthSource::new(credentials());
        let body = r#"{"access_token":"token-AAAA","token_type":"Bearer"}"#;
        source.receive(answer(200, body), at(0)).unwrap();
        assert!(source.invalidate_rejected(&bearer("token-AAAA")));
        let basic = credentials().basic_header().unwrap();
        let basic = basic.to_str().unwrap().to_owned();
        let echo = format!(
            r#"{{"error":"invalid_client","error_description":"bad {SECRET} for Bearer token-AAAA","request":"client_secret=s3cr3t%2Fclient%2Bsecret","json":"s3cr3t\/client+secret","auth":"{basic}"}}"#
        );
        let response = http::Response::builder()
            .status(401)
            .header("WWW-Authenticate", format!(r#"Basic error="{SECRET}""#))
            .body(echo.into_bytes())
            .unwrap();
        let error = source.receive(Ok(response), at(1)).unwrap_err();
        let api = error.api_error().unwrap();
        let oauth = OAuthError::from_error(&error).unwrap();
        assert_eq!(oauth.code, OAuthErrorCode::InvalidClient);
        let shown = format!(
            "{error} {error:?} {} {:?} {oauth}",
            api.body_text(),
            api.headers
        );
        assert_hidden(&shown, &["token-AAAA"]);
        assert!(shown.contains("[redacted]"));
    }

    #[test]
    fn an_unusable_token_response_never_shows_its_tokens() {
        let table: &[(&str, bool)] = &[
            (
                r#"{"access_token":"token-BBBB","refresh_token":"refresh-CCCC","token_type":"mac"}"#,
                true,
            ),
            (
                r#"{"access_token":"token-B\/BBB","token_type":"mac"}"#,
                true,
            ),
            (
                r#"{"access_token":"token-BBBB","id_token":"tøken-CCCC","token_type":"mac"}"#,
                true,
            ),
            ("access_token=token-BBBB&token_type=bearer", false),
            ("<html>no token-BBBB here</html>", false),
            ("<html>maintenance</html>", true),
        ];
        for (body, kept) in table {
            let error = OAuthSource::new(credentials())
                .receive(answer(200, body), at(0))
                .unwrap_err();
            let Error::Decode {
                body: kept_body, ..
            } = &error
            else {
                panic!("{body}: {error:?}");
            };
            assert_eq!(!kept_body.is_empty(), *kept, "{body}");
            let shown = format!("{error} {error:?} {}", String::from_utf8_lossy(kept_body));
            assert_hidden(
                &shown,
                &[
                    "token-BBBB",
                    "token-B/BBB",
                    "token-B\\/BBB",
                    "refresh-CCCC",
                    "tøken-CCCC",
                ],
            );
        }
    }

    #[test]
    fn a_transport_error_echoing_the_secret_is_scrubbed() {
        let mut source = OAuthSource::new(credentials());
        let echo = std::io::Error::other(format!("proxy refused client_secret={SECRET}"));
        let error = source
            .receive(Err(TransportError::maybe_sent(echo)), at(0))
            .unwrap_err();
        assert_hidden(&format!("{error} {error:?}"), &[]);
    }

    #[test]
    fn a_static_bearer_token_is_always_ready_and_never_renews() {
        let token = BearerToken::new("xoxp-static-token").unwrap();
        let credentials = Credentials::from(token.clone());
        for t in [0, HUNDRED_YEARS] {
            let step = credentials.step(at(t)).unwrap();
            assert!(matches!(step, TokenStep::Ready(h) if h == *token.header_value()));
        }
        assert!(!credentials.renews());
        assert!(!credentials.invalidate_rejected(token.header_value()));
        let received = credentials.receive(answer(500, ""), at(0)).unwrap();
        assert_eq!(&received, token.header_value());
        let error = credentials.scrub(Error::InvalidConfig("echo xoxp-static-token".into()));
        assert_eq!(error.to_string(), "invalid configuration: echo [redacted]");
    }

    #[test]
    fn oauth_credentials_share_one_token_between_clones() {
        let first = Credentials::from(credentials());
        let second = first.clone();
        assert!(first.renews());
        assert!(matches!(first.step(at(0)), Ok(TokenStep::Fetch(_))));
        let body = r#"{"access_token":"token-AAAA","token_type":"Bearer","expires_in":3600}"#;
        let header = first.receive(answer(200, body), at(0)).unwrap();
        assert!(matches!(second.step(at(5)), Ok(TokenStep::Ready(h)) if h == header));
        assert!(second.invalidate_rejected(&header));
        assert!(!first.invalidate_rejected(&header));
        assert!(matches!(first.step(at(5)), Ok(TokenStep::Fetch(_))));
        let echo = Error::InvalidConfig(format!("{SECRET} token-AAAA"));
        assert_hidden(&first.scrub(echo).to_string(), &["token-AAAA"]);
    }
}
