//! [`CliError`]: why a command stopped, and the exit status that says so.

use std::fmt;

use serde_json::{Value, json};

use crate::exit;

/// Why a command stopped: a usage error (exit 2) or a runtime failure (exit 1).
///
/// Messages never hold the token: the client's errors are scrubbed of it
/// before they get here, and the CLI's own messages never name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CliError {
    /// The command line is wrong; nothing was sent.
    Usage(String),
    /// Something failed at run time.
    Failure {
        /// A short machine-readable kind: `api`, `transport`, `decode`,
        /// `accepted`, `input`, `state`, `config`, `client`, or the sync
        /// command's stage (`read`, `plan`, `apply`, `verify`).
        kind: &'static str,
        /// What went wrong, for a person.
        message: String,
        /// The HTTP status, when a service answered.
        status: Option<u16>,
        /// The SCIM `scimType` of the service's error body, when it had one
        /// (RFC 7644 §3.12).
        scim_type: Option<String>,
    },
}

impl CliError {
    /// A usage error.
    pub fn usage(message: impl Into<String>) -> CliError {
        CliError::Usage(message.into())
    }

    /// A runtime failure of `kind`.
    pub fn failure(kind: &'static str, message: impl Into<String>) -> CliError {
        CliError::Failure {
            kind,
            message: message.into(),
            status: None,
            scim_type: None,
        }
    }

    /// A runtime failure of `kind` from `error`, an error of the sync crate
    /// or any other that wraps the client's: the message is `error`'s, and
    /// the status and `scimType` are those of the first
    /// [`scim_client::Error`] in its chain of sources, however deep.
    pub fn caused_by(kind: &'static str, error: &(dyn std::error::Error + 'static)) -> CliError {
        let mut next = Some(error);
        let client = std::iter::from_fn(|| {
            let current = next?;
            next = current.source();
            Some(current)
        })
        .find_map(|e| e.downcast_ref::<scim_client::Error>());
        CliError::Failure {
            kind,
            message: error.to_string(),
            status: client
                .and_then(scim_client::Error::status)
                .map(|s| s.as_u16()),
            scim_type: client.and_then(scim_type),
        }
    }

    /// A file or input that cannot be read or parsed (kind `input`).
    pub fn input(message: impl Into<String>) -> CliError {
        CliError::failure("input", message)
    }

    /// The exit status: [`exit::USAGE`] or [`exit::FAILURE`].
    pub fn exit_status(&self) -> u8 {
        match self {
            CliError::Usage(_) => exit::USAGE,
            CliError::Failure { .. } => exit::FAILURE,
        }
    }

    /// The kind: `usage`, or the failure's.
    pub fn kind(&self) -> &str {
        match self {
            CliError::Usage(_) => "usage",
            CliError::Failure { kind, .. } => kind,
        }
    }

    /// The message alone.
    pub fn message(&self) -> &str {
        match self {
            CliError::Usage(message) | CliError::Failure { message, .. } => message,
        }
    }

    /// The error as the JSON document `--json` prints on stdout:
    /// `{"error": {"kind": …, "message": …, "status": …, "scimType": …}}`
    /// (`status` only when a service answered, `scimType` only when its
    /// error body named one).
    pub fn to_json(&self) -> Value {
        let mut error = json!({"kind": self.kind(), "message": self.message()});
        if let CliError::Failure {
            status, scim_type, ..
        } = self
        {
            if let Some(status) = status {
                error["status"] = json!(status);
            }
            if let Some(scim_type) = scim_type {
                error["scimType"] = json!(scim_type);
            }
        }
        json!({ "error": error })
    }

    /// The same error with every occurrence of `secret` replaced by
    /// [`scim_client::REDACTED`], in case some message echoed it, in any
    /// form the client's own scrubber finds (JSON-escaped, percent-encoded,
    /// in any ASCII case); secrets under 6 bytes are left alone (they would
    /// match ordinary text).
    pub fn redact(self, secret: &str) -> CliError {
        let secrets = scim_client::Secrets::new([secret]);
        if secrets.is_empty() {
            return self;
        }
        let clean = |text: String| secrets.scrub(&text).into_owned();
        match self {
            CliError::Usage(message) => CliError::Usage(clean(message)),
            CliError::Failure {
                kind,
                message,
                status,
                scim_type,
            } => CliError::Failure {
                kind,
                message: clean(message),
                status,
                scim_type: scim_type.map(clean),
            },
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for CliError {}

impl From<scim_client::Error> for CliError {
    fn from(error: scim_client::Error) -> CliError {
        use scim_client::Error as E;
        let kind = match &error {
            E::Api(_) | E::PreconditionFailed(_) => "api",
            E::Transport(_) => "transport",
            E::Decode { .. } | E::Undecodable(_) | E::Json(_) | E::Pagination(_) => "decode",
            E::Accepted(_) => "accepted",
            E::InvalidToken | E::InvalidConfig(_) => "config",
            _ => "client",
        };
        CliError::Failure {
            kind,
            message: error.to_string(),
            status: error.status().map(|s| s.as_u16()),
            scim_type: scim_type(&error),
        }
    }
}

/// The `scimType` of the service's error body, as sent.
fn scim_type(error: &scim_client::Error) -> Option<String> {
    let scim = error.api_error()?.scim.as_ref()?;
    scim.scim_type.as_ref().map(|t| t.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_errors_exit_2_and_failures_exit_1() {
        assert_eq!(CliError::usage("x").exit_status(), exit::USAGE);
        assert_eq!(CliError::input("x").exit_status(), exit::FAILURE);
    }

    #[test]
    fn the_json_form_names_kind_message_and_status() {
        let error = CliError::Failure {
            kind: "api",
            message: "SCIM service answered 404".into(),
            status: Some(404),
            scim_type: None,
        };
        assert_eq!(
            error.to_json(),
            json!({"error": {"kind": "api", "message": "SCIM service answered 404", "status": 404}})
        );
        assert_eq!(
            CliError::usage("no command").to_json(),
            json!({"error": {"kind": "usage", "message": "no command"}})
        );
    }

    #[test]
    fn a_sync_error_keeps_the_status_and_scim_type_of_the_answer_under_it() {
        let body = br#"{"status": "409", "scimType": "uniqueness", "detail": "taken"}"#;
        let api = scim_client::ApiError::new(
            http::StatusCode::CONFLICT,
            http::HeaderMap::new(),
            body.to_vec(),
        );
        let read = scim_sync::ReadError {
            what: "users",
            source: scim_client::Error::Api(Box::new(api)),
        };
        let apply = scim_sync::apply::ApplyError::Read(read);
        let error = CliError::caused_by("apply", &apply);
        assert_eq!(error.message(), apply.to_string());
        assert_eq!(
            error.to_json(),
            json!({"error": {"kind": "apply", "message": apply.to_string(),
                "status": 409, "scimType": "uniqueness"}})
        );
        let plain = CliError::caused_by("plan", &std::io::Error::other("no"));
        assert_eq!(
            plain.to_json(),
            json!({"error": {"kind": "plan", "message": "no"}})
        );
    }

    #[test]
    fn redact_replaces_the_secret_in_any_form_but_not_short_ones() {
        for echo in [
            "xoxp-1/2+3=",
            r"xoxp-1\/2+3=",
            "xoxp-1%2F2%2b3%3D",
            "XOXP-1/2+3=",
        ] {
            let error = CliError::input(format!("token {echo} echoed")).redact("xoxp-1/2+3=");
            assert_eq!(error.message(), "token [redacted] echoed", "{echo}");
        }
        assert_eq!(CliError::input("a b").redact("a").message(), "a b");
        assert_eq!(CliError::input("abcde").redact("abcde").message(), "abcde");
    }
}
