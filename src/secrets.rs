//! [`Secrets`]: the credentials a request carries, scrubbed from every string
//! the client hands back.
//!
//! A server may echo the `Authorization` header in an error body, a header
//! or a resource; a proxy may put it in its error page. The client knows its
//! own credentials, so before an error leaves a call it replaces them,
//! wherever they appear, with `[redacted]`: its `Display`, its `Debug`, the
//! body it keeps and the log lines about it never show them.

use std::borrow::Cow;

use http::HeaderMap;

/// What a credential is replaced with.
pub(crate) const REDACTED: &str = "[redacted]";

/// The shortest secret scrubbed: shorter values (a one-letter test token)
/// would turn ordinary text into noise and are no secret worth the name.
pub(crate) const MIN_SECRET_LEN: usize = 6;

/// The credentials of one request: every sensitive header's value, and for
/// `Bearer`/`Basic` values the credential after the scheme too.
#[derive(Clone, Debug, Default)]
pub(crate) struct Secrets(Vec<String>);

impl Secrets {
    /// The secrets in `headers`: values marked sensitive (the token, and
    /// credentials given as default headers) and the usual credential headers.
    pub(crate) fn of(headers: &HeaderMap) -> Secrets {
        use http::header::{AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION};
        let mut secrets = Vec::new();
        for (name, value) in headers {
            let credential =
                value.is_sensitive() || [AUTHORIZATION, PROXY_AUTHORIZATION, COOKIE].contains(name);
            let Ok(text) = value.to_str() else { continue };
            if !credential {
                continue;
            }
            // "Bearer xoxp-…": the token alone may be echoed too.
            if let Some((_, credential)) = text.split_once(' ') {
                secrets.push(credential.trim().to_owned());
            }
            secrets.push(text.to_owned());
        }
        secrets.retain(|s| s.len() >= MIN_SECRET_LEN);
        // Longest first, so "Bearer x" is replaced whole before "x" alone.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
        secrets.dedup();
        Secrets(secrets)
    }

    /// `text` with every secret replaced.
    pub(crate) fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut text = Cow::Borrowed(text);
        for secret in &self.0 {
            if text.contains(secret.as_str()) {
                text = Cow::Owned(text.replace(secret.as_str(), REDACTED));
            }
        }
        text
    }

    /// `text` with every secret replaced, in place.
    pub(crate) fn scrub_string(&self, text: &mut String) {
        if let Cow::Owned(scrubbed) = self.scrub(text) {
            *text = scrubbed;
        }
    }

    /// Bytes with every secret replaced (a body that may not be UTF-8).
    pub(crate) fn scrub_bytes(&self, bytes: &mut Vec<u8>) {
        for secret in &self.0 {
            let secret = secret.as_bytes();
            if bytes.windows(secret.len()).any(|w| w == secret) {
                let mut out = Vec::with_capacity(bytes.len());
                let mut i = 0;
                while i < bytes.len() {
                    if bytes[i..].starts_with(secret) {
                        out.extend_from_slice(REDACTED.as_bytes());
                        i += secret.len();
                    } else {
                        out.push(bytes[i]);
                        i += 1;
                    }
                }
                *bytes = out;
            }
        }
    }

    /// Header values with a secret in them, replaced (and marked sensitive),
    /// whatever bytes they hold.
    pub(crate) fn scrub_headers(&self, headers: &mut HeaderMap) {
        for value in headers.values_mut() {
            let mut bytes = value.as_bytes().to_vec();
            self.scrub_bytes(&mut bytes);
            if bytes != value.as_bytes() {
                let mut clean = http::HeaderValue::from_bytes(&bytes)
                    .unwrap_or_else(|_| http::HeaderValue::from_static(REDACTED));
                clean.set_sensitive(true);
                *value = clean;
            }
        }
    }

    /// True when the text of `error` or of any error below it holds a secret.
    pub(crate) fn in_chain(&self, mut error: Option<&(dyn std::error::Error + 'static)>) -> bool {
        while let Some(e) = error {
            let text = e.to_string();
            if self.0.iter().any(|secret| text.contains(secret.as_str())) {
                return true;
            }
            error = e.source();
        }
        false
    }

    /// True when there is nothing to scrub.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
