//! [`Session`]: a connected client, the profile, and how to show results:
//! what every command that talks to a service is given.

use scim_client::pacing::SharedBudget;
use scim_client::provider::Profile;
use scim_client::retry::RateLimitErrorRetryHandler;
use scim_client::transport::{HttpRequest, HttpResponse, Transport, TransportError};
use scim_client::transports::ureq::UreqTransport;
use scim_client::{ClientOptions, ScimClient};

use crate::embedded::{EMBEDDED_NOTICE, Embedded};
use crate::error::CliError;
use crate::global::GlobalOptions;
use crate::output::Output;
use crate::progress::Progress;
use crate::target::Target;

/// A blocking client connected to the target, the provider's profile,
/// and the output settings.
///
/// The client paces itself to the profile's published rate limits (a
/// [`SharedBudget`] at the full rate) and waits out a 429 twice at most.
/// Embedded, it runs in the service's virtual clock: pacing costs no real
/// time. Call [`close`](Self::close) at the end, whatever the command's
/// result, to keep the embedded service's state.
#[derive(Debug)]
pub(crate) struct Session {
    client: ScimClient,
    profile: Profile,
    output: Output,
    embedded: Option<Embedded>,
    /// The base URL, when no token is sent to it.
    anonymous: Option<String>,
    /// The command line that opened it, to repeat (`scim apply plan.json`).
    line: String,
}

impl Session {
    /// Connects to `target` as `options` say: over the network (ureq), or
    /// to the embedded service, loaded from its state file or seeded.
    pub(crate) fn open(options: &GlobalOptions, target: Target) -> Result<Session, CliError> {
        let profile = options.profile.clone();
        let output = Output {
            json: options.json,
            quiet: options.quiet,
        };
        let (client, embedded, anonymous) = match target {
            Target::Remote { base_url, token } => {
                let settings = client_options(&profile, &base_url, options.rate_share);
                let client = match &token {
                    Some(token) => ScimClient::with_options(token.secret(), settings)
                        .map_err(|e| CliError::from(e).redact(token.secret()))?,
                    None => anonymous_client(settings)?,
                };
                (client, None, token.is_none().then_some(base_url))
            }
            Target::Embedded { state } => {
                output.note(EMBEDDED_NOTICE);
                let (mut embedded, loaded) = Embedded::open(&profile, state)?;
                let settings =
                    client_options(&profile, &Embedded::base_url(&profile), options.rate_share);
                let client =
                    ScimClient::with_transport("embedded", settings, embedded.service().clone())?;
                if !loaded {
                    embedded.seed(&client)?;
                }
                (client, Some(embedded), None)
            }
        };
        Ok(Session {
            client,
            profile,
            output,
            embedded,
            anonymous,
            line: "scim".to_owned(),
        })
    }

    /// The same session, opened by the command line `line` (see
    /// [`command_line`]).
    pub(crate) fn typed_as(mut self, line: &str) -> Session {
        self.line = line.to_owned();
        self
    }

    /// The command line that opened the session, as a shell takes it
    /// (`scim --profile scim2 apply 'my plan.json'`): to tell the user what
    /// to run again.
    pub(crate) fn command_line(&self) -> &str {
        &self.line
    }

    /// `error` as the user should read it: a 401 from a service no token
    /// was sent to says a token is needed and how to give one.
    pub(crate) fn explain(&self, error: CliError) -> CliError {
        match (&self.anonymous, error) {
            (
                Some(base_url),
                CliError::Failure {
                    kind,
                    message,
                    status: Some(401),
                    scim_type,
                },
            ) => CliError::Failure {
                kind,
                message: format!(
                    "{message}; {base_url} needs a token and none was sent: pass --token-file \
                     FILE (readable by you only), or set SCIM_TOKEN (or SLACK_ORG_ADMIN_USER_TOKEN)"
                ),
                status: Some(401),
                scim_type,
            },
            (_, error) => error,
        }
    }

    /// The connected client.
    pub(crate) fn client(&self) -> &ScimClient {
        &self.client
    }

    /// The provider's profile (`--profile`).
    pub(crate) fn profile(&self) -> &Profile {
        &self.profile
    }

    /// True when talking to the embedded in-memory service.
    pub(crate) fn is_embedded(&self) -> bool {
        self.embedded.is_some()
    }

    /// `--json` and `--quiet`, notes and warnings.
    pub(crate) fn output(&self) -> &Output {
        &self.output
    }

    /// A progress report on stderr for `total` items (0 if not known yet),
    /// already started; hidden with `--quiet`.
    pub(crate) fn progress(&self, total: u64, label: &str) -> Progress {
        let mut progress = Progress::stderr(self.output.quiet);
        progress.start(total, label);
        progress
    }

    /// Ends the session: the embedded service's state is saved if its
    /// users or groups changed (even after a failed command, since what
    /// was done is done).
    pub(crate) fn close(self) -> Result<(), CliError> {
        if let Some(embedded) = &self.embedded {
            embedded.save_if_changed(&self.profile)?;
        }
        Ok(())
    }
}

/// `scim` and `words` as a POSIX shell takes them: a word of other than
/// letters, digits and `-_./:=@%+,` in single quotes.
pub(crate) fn command_line(words: &[String]) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c);
    let mut line = String::from("scim");
    for word in words {
        line.push(' ');
        if !word.is_empty() && word.chars().all(safe) {
            line.push_str(word);
        } else {
            line.push_str(&format!("'{}'", word.replace('\'', r"'\''")));
        }
    }
    line
}

/// The profile's settings at `base_url`, paced at `share` of its rate table
/// (`--rate-share`), retrying 429s for as long as the call's total wait
/// limit allows rather than a fixed count.
fn client_options(profile: &Profile, base_url: &str, share: f64) -> ClientOptions {
    let budget =
        (!profile.rates.is_empty()).then(|| SharedBudget::for_table(&profile.rates, share));
    let mut options = ClientOptions {
        budget,
        user_agent_prefix: format!("scim-cli/{}", env!("CARGO_PKG_VERSION")),
        ..ClientOptions::for_profile(profile, base_url)
    };
    options
        .retry_handlers
        .push(RateLimitErrorRetryHandler::bounded_by_time());
    options
}

/// A client that sends no credentials, for a service that needs none
/// (`--base-url` without a token). The client always holds a token, so it
/// gets a placeholder, and [`Anonymous`] takes the header off every request
/// before it leaves: nothing is sent in its place.
fn anonymous_client(settings: ClientOptions) -> Result<ScimClient, CliError> {
    let transport = Anonymous(UreqTransport::new(&settings)?);
    Ok(ScimClient::with_transport("none", settings, transport)?)
}

/// The ureq transport, less the `Authorization` header.
struct Anonymous(UreqTransport);

impl Transport for Anonymous {
    fn send(&self, mut request: HttpRequest) -> Result<HttpResponse, TransportError> {
        request.headers_mut().remove("authorization");
        self.0.send(request)
    }

    fn sleep(&self, duration: std::time::Duration) {
        self.0.sleep(duration);
    }

    fn now(&self) -> std::time::SystemTime {
        self.0.now()
    }

    fn jitter_seed(&self) -> u64 {
        self.0.jitter_seed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_quoted_for_a_shell_where_it_must_be() {
        let words = |line: &[&str]| line.iter().map(|w| (*w).to_owned()).collect::<Vec<_>>();
        assert_eq!(
            command_line(&words(&[
                "--profile",
                "scim2",
                "apply",
                "plan.json",
                "--journal=j/1"
            ])),
            "scim --profile scim2 apply plan.json --journal=j/1"
        );
        assert_eq!(
            command_line(&words(&["apply", "my plan.json", "", "it's", "$HOME"])),
            r"scim apply 'my plan.json' '' 'it'\''s' '$HOME'"
        );
    }
}
