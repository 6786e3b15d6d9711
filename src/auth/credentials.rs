//! [`Credentials`]: what a client authenticates SCIM requests with, a static
//! bearer token or OAuth 2.0 client credentials, driven alike.

use std::time::SystemTime;

use http::header::AUTHORIZATION;
use http::{HeaderMap, HeaderValue, StatusCode};

use super::client_credentials::ClientCredentials;
use super::shared::SharedTokenSource;
use super::source::{OAuthSource, TokenStep};
use super::token::BearerToken;
use crate::Error;
use crate::secrets::Secrets;
use crate::transport::{HttpResponse, TransportError};

/// What a client authenticates SCIM requests with: a static bearer token
/// (RFC 6750), or OAuth 2.0 client credentials (RFC 6749 §4.4) whose token
/// renews. Both answer the same three questions, so a client drives them
/// alike:
///
/// 1. before each attempt, [`poll`](Self::poll): `Ready(header)` goes in
///    `Authorization`; `Fetch(request)` is sent through the transport and
///    its outcome given to [`handle`](Self::handle), which returns the header;
/// 2. after a 401, if [`renews`](Self::renews), the token sent is dropped
///    and one more attempt made from step 1 (the [`Exchange`](crate::engine::Exchange) does it);
/// 3. every error scrubbed of the credentials (crate-internal).
///
/// Build them `From` a [`BearerToken`], an [`OAuthSource`] or
/// [`ClientCredentials`]. Clones share the OAuth token: clone the
/// credentials to give every client, thread and task one access token
/// (RFC 6749 §4.4.3).
#[derive(Clone, Debug)]
pub struct Credentials(Kind);

#[derive(Clone, Debug)]
enum Kind {
    /// A token that never changes (Slack's org-admin token): always ready.
    Bearer(BearerToken),
    /// Tokens fetched from an OAuth 2.0 token endpoint, shared by clones.
    OAuth(SharedTokenSource),
}

impl Credentials {
    /// What to do before an attempt at `now`: a bearer token is always
    /// [`TokenStep::Ready`]; see [`OAuthSource::poll`].
    pub fn poll(&self, now: SystemTime) -> Result<TokenStep, Error> {
        match &self.0 {
            Kind::Bearer(token) => Ok(TokenStep::Ready(token.header_value().clone())),
            Kind::OAuth(source) => source.poll(now),
        }
    }

    /// Reads the answer to a [`TokenStep::Fetch`]; see
    /// [`OAuthSource::handle`]. A bearer token never asks for one, and
    /// returns itself.
    pub fn handle(
        &self,
        response: Result<HttpResponse, TransportError>,
        now: SystemTime,
    ) -> Result<HeaderValue, Error> {
        match &self.0 {
            Kind::Bearer(token) => Ok(token.header_value().clone()),
            Kind::OAuth(source) => source.handle(response, now),
        }
    }

    /// True when a 401 (RFC 6750 §3.1 `invalid_token`) may be cured by a new
    /// token (RFC 6749 §4.4), so the request is worth one more attempt;
    /// false for a static token.
    pub fn renews(&self) -> bool {
        matches!(self.0, Kind::OAuth(_))
    }

    /// After a 401 for `rejected` (RFC 6750 §3.1): drops the cached token if it is that one
    /// (see [`OAuthSource::invalidate_rejected`]). Nothing to drop for a
    /// static token.
    pub(crate) fn invalidate_rejected(&self, rejected: &HeaderValue) -> bool {
        match &self.0 {
            Kind::Bearer(_) => false,
            Kind::OAuth(source) => source.invalidate_rejected(rejected),
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

    /// The static token, when that is what these credentials are.
    pub(crate) fn bearer(&self) -> Option<&BearerToken> {
        match &self.0 {
            Kind::Bearer(token) => Some(token),
            Kind::OAuth(_) => None,
        }
    }

    /// The secrets to scrub from errors: the token, and for OAuth the
    /// client secret in every form it is sent in.
    pub(crate) fn secrets(&self) -> Secrets {
        match &self.0 {
            Kind::Bearer(token) => {
                let mut headers = HeaderMap::new();
                headers.insert(AUTHORIZATION, token.header_value().clone());
                Secrets::of(&headers)
            }
            Kind::OAuth(source) => source.secrets(),
        }
    }

    /// `error` with every secret of these credentials scrubbed.
    pub(crate) fn scrub(&self, error: Error) -> Error {
        error.scrubbed(&self.secrets())
    }
}

impl From<BearerToken> for Credentials {
    fn from(token: BearerToken) -> Credentials {
        Credentials(Kind::Bearer(token))
    }
}

impl From<OAuthSource> for Credentials {
    fn from(source: OAuthSource) -> Credentials {
        Credentials(Kind::OAuth(source.into()))
    }
}

impl From<ClientCredentials> for Credentials {
    fn from(credentials: ClientCredentials) -> Credentials {
        Credentials(Kind::OAuth(credentials.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::client_credentials::ClientAuth;
    use crate::auth::testing::{HUNDRED_YEARS, SECRET, answer, assert_hidden, at, credentials};

    #[test]
    fn debug_never_shows_a_secret_or_a_token() {
        let mut source = OAuthSource::new(
            credentials()
                .with_auth(ClientAuth::RequestBody)
                .with_param("audience", "param-value-hidden"),
        );
        let fetch = source.poll(at(0)).unwrap();
        let body = r#"{"access_token":"token-AAAA","token_type":"Bearer","expires_in":60}"#;
        source.handle(answer(200, body), at(0)).unwrap();
        let ready = source.poll(at(0)).unwrap();
        let shared = SharedTokenSource::from(source);
        let oauth = Credentials(Kind::OAuth(shared.clone()));
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
    fn a_static_bearer_token_is_always_ready_and_never_renews() {
        let token = BearerToken::new("xoxp-static-token").unwrap();
        let credentials = Credentials::from(token.clone());
        for t in [0, HUNDRED_YEARS] {
            let step = credentials.poll(at(t)).unwrap();
            assert!(matches!(step, TokenStep::Ready(h) if h == *token.header_value()));
        }
        assert!(!credentials.renews());
        assert!(!credentials.invalidate_rejected(token.header_value()));
        let received = credentials.handle(answer(500, ""), at(0)).unwrap();
        assert_eq!(&received, token.header_value());
        let error = credentials.scrub(Error::InvalidConfig("echo xoxp-static-token".into()));
        assert_eq!(error.to_string(), "invalid configuration: echo [redacted]");
    }

    #[test]
    fn oauth_credentials_share_one_token_between_clones() {
        let first = Credentials::from(credentials());
        let second = first.clone();
        assert!(first.renews());
        assert!(matches!(first.poll(at(0)), Ok(TokenStep::Fetch(_))));
        let body = r#"{"access_token":"token-AAAA","token_type":"Bearer","expires_in":3600}"#;
        let header = first.handle(answer(200, body), at(0)).unwrap();
        assert!(matches!(second.poll(at(5)), Ok(TokenStep::Ready(h)) if h == header));
        assert!(second.invalidate_rejected(&header));
        assert!(!first.invalidate_rejected(&header));
        assert!(matches!(first.poll(at(5)), Ok(TokenStep::Fetch(_))));
        let echo = Error::InvalidConfig(format!("{SECRET} token-AAAA"));
        assert_hidden(&first.scrub(echo).to_string(), &["token-AAAA"]);
    }
}
