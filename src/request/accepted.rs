//! [`Accepted`]: a request the service took for asynchronous processing
//! (RFC 9967, the SCIM Profile for Security Event Tokens): what a 202
//! means, and why every typed operation reads it as an error. The rules
//! are on [`Accepted`], where the rendered documentation shows them.

use std::fmt;

use http::{HeaderMap, StatusCode};

use crate::request::response::ScimResponse;
use crate::secrets::Secrets;

/// The header naming an asynchronous request's transaction (RFC 9967).
const SET_TXN: &str = "set-txn";

/// A `202 Accepted` answer (RFC 9967): the service took the request and
/// will finish it later. Nothing is known yet of its outcome.
///
/// RFC 9967 lets a service answer a request with **`202 Accepted`**, no
/// body, and a **`Set-Txn`** header naming the transaction (sometimes with
/// a `Location`). The outcome comes later, as a Security Event Token: an
/// `urn:ietf:params:scim:event:misc:asyncresp` event carrying the same
/// `txn`, with the method, the version and the final status, fetched from
/// the service or delivered by RFC 8935 push or RFC 8936 poll.
///
/// A client asks for this with `Prefer: respond-async`
/// ([`Operation::respond_async`](crate::Operation::respond_async)); this
/// crate never sends it unless asked. A service whose configuration says
/// `securityEvents.asyncRequest: "long"`
/// ([`AsyncRequest::Long`](crate::model::AsyncRequest::Long)) may answer
/// **any** request so, asked or not. So every typed operation reads a 202
/// as [`Error::Accepted`](crate::Error::Accepted):
///
/// - never as the result: a create answered 202 has made nothing yet, a
///   DELETE answered 202 has deleted nothing yet, and a 202 without a body
///   is not a PATCH's "204, no resource";
/// - never as a decode error: the empty body is what RFC 9967 prescribes;
/// - never retried: 202 is a success status, and a
///   [`Call`](crate::engine::Call) ends on every 2xx without asking a retry
///   handler, so the request is sent once.
///
/// This crate does not receive Security Event Tokens: match
/// [`Accepted::txn`] against the `asyncresp` events you receive, or read the
/// resource back later. [`Endpoint::api_call`](crate::Endpoint::api_call)
/// returns a 202 as it came; [`Accepted::from_response`] reads it.
///
/// ```
/// use scim_client::{ClientOptions, Error};
///
/// let endpoint = ClientOptions::scim2("https://scim.example.test/v2").endpoint("t-123456")?;
/// let op = endpoint.delete_user("2819c223")?;
/// let answer = http::Response::builder()
///     .status(202)
///     .header("Set-Txn", "t-7f3a")
///     .body(Vec::new())
///     .unwrap();
/// match op.parse_response(answer) {
///     Err(Error::Accepted(accepted)) => assert_eq!(accepted.txn.as_deref(), Some("t-7f3a")),
///     other => panic!("{other:?}"),
/// }
/// # Ok::<(), scim_client::Error>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Accepted {
    /// The `Set-Txn` header: the transaction the `asyncresp` Security Event
    /// Token will name. `None` when the service sent none (then only reading
    /// the resource back tells the outcome).
    pub txn: Option<String>,
    /// The `Location` header, when sent: where the resource is or will be.
    pub location: Option<String>,
    /// The body as received; RFC 9967 sends none.
    pub body: Vec<u8>,
}

impl Accepted {
    /// The 202 in `response`, with its `Set-Txn` and `Location`; `None` for
    /// any other status.
    pub fn from_response(response: &ScimResponse) -> Option<Accepted> {
        (response.status() == StatusCode::ACCEPTED).then(|| Accepted {
            txn: header_text(response.headers(), SET_TXN),
            location: header_text(response.headers(), http::header::LOCATION.as_str()),
            body: response.body().to_vec(),
        })
    }

    /// Replaces the request's credentials, should the service have echoed
    /// them (the same scrubbing every other error gets).
    pub(crate) fn scrub(&mut self, secrets: &Secrets) {
        self.txn.iter_mut().for_each(|t| secrets.scrub_string(t));
        self.location
            .iter_mut()
            .for_each(|l| secrets.scrub_string(l));
        secrets.scrub_bytes(&mut self.body);
    }
}

/// A header's first value as text (invalid UTF-8 replaced, spaces trimmed);
/// `None` when missing or blank.
fn header_text(headers: &HeaderMap, name: &str) -> Option<String> {
    let value = headers.get(name)?;
    let text = String::from_utf8_lossy(value.as_bytes()).trim().to_owned();
    (!text.is_empty()).then_some(text)
}

impl fmt::Display for Accepted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(
            "the service accepted the request for asynchronous processing (202, RFC 9967)",
        )?;
        match &self.txn {
            Some(txn) => write!(
                f,
                "; completion will be reported as an asyncresp Security Event Token for txn {txn:?}"
            )?,
            None => f.write_str(
                "; it named no transaction (no Set-Txn): read the resource later to learn the outcome",
            )?,
        }
        match &self.location {
            Some(location) => write!(f, " (Location: {location})"),
            None => Ok(()),
        }
    }
}

impl fmt::Debug for Accepted {
    /// The body as text (a byte array helps nobody).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Accepted")
            .field("txn", &self.txn)
            .field("location", &self.location)
            .field("body", &String::from_utf8_lossy(&self.body))
            .finish()
    }
}

impl std::error::Error for Accepted {}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(status: u16, headers: &[(&str, &str)]) -> ScimResponse {
        let mut builder = http::Response::builder().status(status);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        ScimResponse::from(builder.body(Vec::new()).unwrap())
    }

    #[test]
    fn a_202_keeps_set_txn_and_location_and_other_statuses_are_not_accepted() {
        let accepted = Accepted::from_response(&answer(
            202,
            &[("Set-Txn", " t-1 "), ("Location", "https://s.test/Users/1")],
        ))
        .unwrap();
        assert_eq!(accepted.txn.as_deref(), Some("t-1"));
        assert_eq!(accepted.location.as_deref(), Some("https://s.test/Users/1"));
        assert!(Accepted::from_response(&answer(200, &[("Set-Txn", "t-1")])).is_none());
        assert!(Accepted::from_response(&answer(204, &[])).is_none());
    }

    #[test]
    fn the_message_names_the_txn_or_says_there_is_none() {
        let with = Accepted::from_response(&answer(202, &[("Set-Txn", "t-9")])).unwrap();
        let text = with.to_string();
        assert!(text.contains("asynchronous processing"), "{text}");
        assert!(text.contains("asyncresp Security Event Token"), "{text}");
        assert!(text.contains("\"t-9\""), "{text}");
        let without = Accepted::from_response(&answer(202, &[("Set-Txn", "  ")])).unwrap();
        assert_eq!(without.txn, None);
        assert!(without.to_string().contains("no Set-Txn"), "{without}");
    }
}
