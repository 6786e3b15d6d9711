//! [`BearerToken`]: the org-admin token, kept out of every log and message.

use std::fmt;

use http::HeaderValue;

use crate::Error;

/// An OAuth bearer token, stored only as a ready `Authorization` header value
/// marked sensitive.
///
/// Its `Debug` and `Display` never show the token, and neither does any error
/// this crate returns. `http`'s `Debug` for a sensitive header value prints
/// `Sensitive`, so a logged request does not show it either.
///
/// ```
/// use scim_client::BearerToken;
///
/// let token = BearerToken::new("xoxp-very-secret").unwrap();
/// assert!(!format!("{token:?} {token}").contains("very-secret"));
/// ```
#[derive(Clone)]
pub struct BearerToken {
    header: HeaderValue,
}

impl BearerToken {
    /// Wraps a token. Fails with [`Error::InvalidToken`] when the token is
    /// empty or holds characters a header cannot carry (control characters,
    /// newlines, non-visible ASCII); the error does not repeat the token.
    pub fn new(token: impl Into<String>) -> Result<BearerToken, Error> {
        let token = token.into();
        let valid = !token.is_empty() && token.bytes().all(|b| b.is_ascii_graphic());
        if !valid {
            return Err(Error::InvalidToken);
        }
        let mut header =
            HeaderValue::try_from(format!("Bearer {token}")).map_err(|_| Error::InvalidToken)?;
        header.set_sensitive(true);
        Ok(BearerToken { header })
    }

    /// The `Authorization` header value (`Bearer …`), marked sensitive.
    pub fn header_value(&self) -> &HeaderValue {
        &self.header
    }
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "BearerToken({})", crate::REDACTED)
    }
}

impl fmt::Display for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Bearer {}", crate::REDACTED)
    }
}
