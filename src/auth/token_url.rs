//! The token endpoint's URL (RFC 6749 §3.2), checked: absolute, TLS (or a
//! loopback host), no fragment, no credentials in it.

use std::net::IpAddr;

use http::Uri;

use crate::Error;

/// The token endpoint (RFC 6749 §3.2), checked. Errors do not repeat the URL
/// (it may carry a password).
pub(super) fn token_endpoint(url: &str) -> Result<Uri, Error> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::client_credentials::ClientCredentials;
    use crate::auth::testing::SECRET;

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
}
