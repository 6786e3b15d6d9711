//! [`OAuthSource`]: the client-credentials token cache as a state machine
//! (see the [`auth`](crate::auth) module docs), and the [`TokenStep`] it
//! answers with.

use std::fmt;
use std::time::SystemTime;

use http::{HeaderMap, HeaderValue, StatusCode};

use super::client_credentials::ClientCredentials;
use super::secret_forms::BodyTokens;
use super::token_error::{TokenError, is_refusal};
use super::token_response::{CachedToken, read_token};
use crate::Error;
use crate::secrets::REDACTED;
use crate::secrets::Secrets;
use crate::transport::{HttpRequest, HttpResponse, TransportError};

/// What the driver does next to have an access token (RFC 6749 §4.4; see
/// the [module docs](crate::auth)).
///
/// `Fetch` carries the request unboxed: a step is asked once per attempt and
/// moved once, which costs nothing next to a network round trip.
#[must_use = "a Fetch must be sent and its answer given to `handle`"]
#[allow(clippy::large_enum_variant)]
pub enum TokenStep {
    /// The `Authorization` value to send (`Bearer …`, RFC 6750 §2.1),
    /// marked sensitive.
    Ready(HeaderValue),
    /// Send this token request (RFC 6749 §4.4.2) and give the outcome to
    /// `handle`.
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

/// An OAuth 2.0 client-credentials token source (RFC 6749 §4.4): the
/// credentials and the cached access token. One per process is enough;
/// share it as [`Credentials`](super::Credentials), whose clones share one token.
pub struct OAuthSource {
    credentials: ClientCredentials,
    token: Option<CachedToken>,
    /// The last token issued, kept after `invalidate` so that an error
    /// echoing it is still scrubbed.
    last_issued: Option<HeaderValue>,
}

impl OAuthSource {
    /// A source with no token yet: the first [`poll`](Self::poll) fetches
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
    /// margin. The answer changes only with `now`, `handle` and `invalidate`.
    pub fn poll(&mut self, now: SystemTime) -> Result<TokenStep, Error> {
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
    /// - a non-2xx answer is [`Error::Token`], a [`TokenError`] holding the
    ///   status, the RFC 6749 §5.2 error (`invalid_client`, …) when the
    ///   body is one, and the `Retry-After`; so is a 2xx answer without an
    ///   `access_token` whose body is a §5.2 error;
    /// - any other 2xx answer that is not a usable token (not JSON, no
    ///   `access_token`, a `token_type` other than `Bearer`, RFC 6749 §7.1)
    ///   is [`Error::Decode`];
    /// - a transport failure is [`Error::Transport`].
    ///
    /// A failure leaves the cache as it was, so the next `poll` fetches again.
    pub fn handle(
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
            return Err(self.refusal(parts.status, parts.headers, body));
        }
        match read_token(&body, now, self.credentials.refresh_margin()) {
            Ok(token) => {
                let header = token.header.clone();
                self.last_issued = Some(header.clone());
                self.token = Some(token);
                Ok(header)
            }
            Err(_) if is_refusal(&body) => Err(self.refusal(parts.status, parts.headers, body)),
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

    /// The token endpoint's refusal as [`Error::Token`], scrubbed of the
    /// secret and of every token in the body (a body holding one that
    /// cannot be scrubbed is dropped).
    fn refusal(&self, status: StatusCode, headers: HeaderMap, body: Vec<u8>) -> Error {
        let kept = BodyTokens::of(&body, false);
        let mut refusal = TokenError::new(status, headers, kept.keep(body));
        refusal.scrub(&self.secrets_with(&kept.tokens));
        Error::Token(Box::new(refusal))
    }

    /// Drops the cached token, so the next `poll` fetches a new one: after a
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

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::auth::client_credentials::DEFAULT_REFRESH_MARGIN;
    use crate::auth::testing::{
        HUNDRED_YEARS, SECRET, answer, assert_hidden, at, bearer, credentials, token_of,
    };
    use crate::transport::TransportErrorKind;

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
            Act::Step(t) => match source.poll(at(t)) {
                Ok(TokenStep::Fetch(_)) => "fetch".into(),
                Ok(TokenStep::Ready(header)) => format!("ready {}", token_of(&header)),
                Err(error) => format!("error {error}"),
            },
            Act::Receive(t, body) => match source.handle(answer(200, body), at(t)) {
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

    #[test]
    fn a_failed_renewal_changes_nothing() {
        let body = r#"{"access_token":"token-A","token_type":"Bearer","expires_in":3600}"#;
        let mut source = OAuthSource::new(credentials());
        source.handle(answer(200, body), at(0)).unwrap();
        let expires_at = source.expires_at();
        assert!(matches!(source.poll(at(3550)), Ok(TokenStep::Fetch(_))));
        assert!(source.handle(answer(503, ""), at(3550)).is_err());
        let refused = TransportError::not_sent(std::io::Error::other("connection refused"));
        let error = source.handle(Err(refused), at(3550)).unwrap_err();
        assert!(matches!(&error, Error::Transport(e) if e.kind() == TransportErrorKind::NotSent));
        assert_eq!(source.expires_at(), expires_at);
        assert!(matches!(source.poll(at(3550)), Ok(TokenStep::Fetch(_))));
        assert!(matches!(source.poll(at(10)), Ok(TokenStep::Ready(h)) if h == "Bearer token-A"));
    }

    #[test]
    fn granted_scope_is_the_answers_or_the_one_asked_for() {
        let mut source = OAuthSource::new(credentials().with_scope("scim:read scim:write"));
        assert_eq!(source.granted_scope(), None);
        let body = r#"{"access_token":"token-A","token_type":"Bearer"}"#;
        source.handle(answer(200, body), at(0)).unwrap();
        assert_eq!(source.granted_scope(), Some("scim:read scim:write"));
        let body = r#"{"access_token":"token-B","token_type":"Bearer","scope":"scim:read"}"#;
        source.handle(answer(200, body), at(0)).unwrap();
        assert_eq!(source.granted_scope(), Some("scim:read"));
    }

    #[test]
    fn a_transport_error_echoing_the_secret_is_scrubbed() {
        let mut source = OAuthSource::new(credentials());
        let echo = std::io::Error::other(format!("proxy refused client_secret={SECRET}"));
        let error = source
            .handle(Err(TransportError::maybe_sent(echo)), at(0))
            .unwrap_err();
        assert_hidden(&format!("{error} {error:?}"), &[]);
    }
}
