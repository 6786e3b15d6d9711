//! [`ClientCredentials`]: a confidential client's registration for the
//! client-credentials grant (RFC 6749 §4.4), and the token request it makes
//! (§4.4.2) with its client authentication (§2.3.1).

use std::fmt;
use std::time::Duration;

use http::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use http::{HeaderValue, Request, Uri};

use super::encoding::{base64, form_urlencode, push_param};
use super::token_url::token_endpoint;
use crate::Error;
use crate::secrets::REDACTED;
use crate::transport::HttpRequest;

/// How long before its expiry (RFC 6749 §5.1 `expires_in`) a token is
/// renewed, unless [`ClientCredentials::with_refresh_margin`] says
/// otherwise: one minute.
pub const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(60);

/// The token request's media type (RFC 6749 §4.4.2, Appendix B).
pub const FORM_CONTENT_TYPE: &str = "application/x-www-form-urlencoded";

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
    pub(super) fn basic_header(&self) -> Result<HeaderValue, Error> {
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
    /// [`Secrets`](crate::Secrets)), and the Basic credential, base64 of the
    /// encoded pair.
    pub(super) fn secret_forms(&self) -> Vec<String> {
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

/// Non-empty, and every character VSCHAR (%x20-7E, RFC 6749 Appendix A).
fn is_vschar_text(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| (0x20..0x7f).contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::source::{OAuthSource, TokenStep};
    use crate::auth::testing::{SECRET, at, credentials};

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
        let TokenStep::Fetch(request) = OAuthSource::new(credentials).poll(at(0)).unwrap() else {
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
}
