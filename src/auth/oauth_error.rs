//! [`OAuthError`]: the token endpoint's error response (RFC 6749 §5.2) and
//! its [`OAuthErrorCode`].

use std::fmt;

use serde_json::Value;

use crate::Error;

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

    /// The RFC 6749 §5.2 error of an [`Error::Token`] (the token endpoint's
    /// refusal, from [`OAuthSource::handle`](super::OAuthSource::handle),
    /// secrets already scrubbed); `None` for any other error, and for a
    /// refusal whose body held none (an HTML page, say).
    pub fn from_error(error: &Error) -> Option<OAuthError> {
        match error {
            Error::Token(refusal) => refusal.oauth.clone(),
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

#[cfg(test)]
mod tests {
    use http::{HeaderMap, StatusCode};

    use super::*;
    use crate::ApiError;

    #[test]
    fn an_oauth_error_is_a_json_object_with_a_string_error() {
        let table: &[(&str, Option<&str>)] = &[
            (r#"{"error":"invalid_client"}"#, Some("invalid_client")),
            (
                r#"{"error":"slow_down","error_description":"later"}"#,
                Some("slow_down: later"),
            ),
            (r#"{"error":5}"#, None),
            (r#"{"detail":"a SCIM error"}"#, None),
            (r#"["error"]"#, None),
            ("<html>error</html>", None),
            ("", None),
        ];
        for (body, shown) in table {
            let oauth = OAuthError::from_json(body.as_bytes());
            assert_eq!(oauth.map(|o| o.to_string()).as_deref(), *shown, "{body}");
        }
    }

    #[test]
    fn a_scim_error_is_never_read_as_an_oauth_error() {
        let body = br#"{"error":"invalid_client"}"#.to_vec();
        let api = ApiError::new(StatusCode::UNAUTHORIZED, HeaderMap::new(), body);
        assert_eq!(OAuthError::from_error(&Error::Api(Box::new(api))), None);
    }
}
