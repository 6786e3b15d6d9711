//! The `scim` command: users, groups and exports against any SCIM
//! provider [profile](scim_client::provider::Profile), or against an
//! embedded in-memory service when no token is set, so it works on a fresh
//! machine.
//!
//! ```text
//! scim users list                      # the embedded service's sample users
//! scim --json users get W0000000001
//! scim users create --user-name ada --email ada@example.com
//! scim users patch W0000000001 --set title=Director --set name.givenName=Ada
//! scim users deactivate W0000000001    # PATCH active=false, never DELETE
//! scim groups add-members S0000000007 W0000000001 W0000000002
//! scim export --format csv --out users.csv
//! SCIM_TOKEN=… scim --profile aws --base-url https://scim.us-east-1.amazonaws.com/d-…/scim/v2/ users list
//! scim help plan                       # a command's flags and examples
//! scim completions bash                # or zsh, fish, powershell
//! scim man | man -l -
//! ```
//!
//! Every command and flag is defined once, with clap (`cli::Cli`): the
//! parser, `scim --help` and `scim help COMMAND`, the typo suggestions,
//! the completions and the man pages all come from that definition.
//!
//! # Target and token
//!
//! The token comes from `--token-file` (trimmed), else
//! `SLACK_ORG_ADMIN_USER_TOKEN`, else `SCIM_TOKEN`, and is never printed
//! (not in errors, not in `--json` output). With no token and no
//! `--base-url`, commands run against the embedded in-memory service
//! playing the profile (`embedded`); a token alone goes to the profile's
//! own URL (a usage error, saying what to pass, where the profile has no
//! URL of its own or one with parts only the user knows); a base URL
//! without a token sends no `Authorization` header, and a 401 then says how
//! to give a token (`target`, `session`). Over the network the client
//! paces itself to the profile's published rate limits.
//!
//! # Embedded state
//!
//! The embedded service's users and groups live in a state file
//! (`.scim-embedded.json` in the current directory, or `--state FILE`):
//! restored at start with their ids, seeded from the sample data when
//! absent, written back after a command that changed them (even one that
//! then failed). So `plan`, `apply` and `verify` run as separate commands
//! see one service. `scim reset` deletes the file. The seeded accounts'
//! externalIds are `sample-…`, the demo's namespace: a source of the user's
//! own (`--owned-prefix E`) owns none of them, so never deactivates them.
//!
//! # Output
//!
//! Tables for people by default; `--json` prints exactly one JSON document
//! on stdout per command. Errors print `scim: error: …` on stderr; with
//! `--json` they also print `{"error": {"kind": …, "message": …, "status": …}}`
//! on stdout (`status` when a service answered, `scimType` when its error
//! body named one, also under a sync command's errors), so a script always
//! reads one document. Notes and progress go to stderr; `--quiet` silences them
//! (warnings stay). `export` without `--out` writes the export itself to
//! stdout in either mode; its CSV is RFC 4180 with CRLF line ends, and a
//! cell starting with `=`, `+`, `-`, `@`, a tab or CR gets a `'` in front
//! (OWASP CSV injection: users set their own titles). Files written (plan,
//! export, journal, state) are readable by their owner only (0600), and a
//! token file group or others may read is refused. A closed stdout (`scim
//! … | head -1`) ends the command quietly with [`exit::CLOSED`], never a
//! panic.
//!
//! # Exit status
//!
//! | status | meaning |
//! |---|---|
//! | 0 ([`exit::SUCCESS`]) | success |
//! | 1 ([`exit::FAILURE`]) | a runtime failure: network, API error, bad input file, state not saved, a resource that could not be read |
//! | 2 ([`exit::USAGE`]) | a usage error: unknown command or flag, missing argument, a value out of range, unknown profile |
//! | 3 ([`exit::DRIFT`]) | drift found (`verify`) or some steps failed (`apply`) |
//! | 130 ([`exit::INTERRUPTED`]) | Ctrl-C stopped it; an apply stops safely and the same command resumes it |
//! | 141 ([`exit::CLOSED`]) | stdout was closed before all was written |
//!
//! # Map of the crate
//!
//! - [`run`] reads the command line (`cli`: the global flags of `global`,
//!   the command of `commands::Command`, values checked by `values`), the
//!   token (`token`) and the target (`target`), opens a
//!   `session::Session`, dispatches (`commands::dispatch`), closes the
//!   session and prints the `output::Outcome`.
//! - `commands` has one file per command family, each with its flags;
//!   `rails` words the sync rails' refusals with the flags that override
//!   them; `assignment` turns `--set` into PATCH changes;
//!   `listing` walks every page with `progress`; `record` flattens
//!   users and groups for `table` and `csv`; `fs` creates every file
//!   holding personal data or state readable by its owner only. The modules are the
//!   binary's own (crate-private); [`run`] and [`exit`] are the API.
#![warn(missing_docs)]
#![warn(unreachable_pub)]

mod assignment;
mod cli;
mod commands;
mod config;
mod csv;
mod embedded;
mod error;
pub mod exit;
mod fs;
mod global;
mod interrupt;
mod listing;
mod metrics;
mod output;
mod progress;
mod rails;
mod record;
mod review;
mod session;
mod table;
mod target;
mod token;
mod values;

pub use error::CliError;

use cli::{Cli, Invocation};
use commands::Command;
use global::GlobalOptions;
use output::{Outcome, Output};
use session::Session;
use target::Target;
use token::Token;

/// Runs the command line `words` (without the program's name): prints the
/// outcome or the error, and returns the exit status.
pub fn run(words: Vec<String>) -> u8 {
    // Read before clap, so even a usage error is a JSON document with --json.
    let json = words
        .iter()
        .take_while(|w| *w != "--")
        .any(|w| w == "--json");
    let mut output = Output { json, quiet: false };
    let mut token = None;
    let line = session::command_line(&words);
    let result = Cli::read(words).and_then(|invocation| match invocation {
        Invocation::Show(text) => Ok(Outcome::raw(text)),
        Invocation::Run(cli) => execute(*cli, &line, &mut output, &mut token),
    });
    let secret = token.as_ref().map(Token::secret).unwrap_or_default();
    match result {
        Ok(outcome) => match output.print(&outcome) {
            Ok(()) => outcome.status,
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => exit::CLOSED,
            Err(e) => {
                output.error(&CliError::failure(
                    "output",
                    format!("cannot write the output: {e}"),
                ));
                exit::FAILURE
            }
        },
        Err(error) => {
            let error = error.redact(secret);
            output.error(&error);
            error.exit_status()
        }
    }
}

/// Everything [`run`] does but printing; sets `output` from the flags and
/// `token` once read (so errors can be scrubbed of it). `line` is the
/// command line, as a shell would take it again.
fn execute(
    cli: Cli,
    line: &str,
    output: &mut Output,
    token: &mut Option<Token>,
) -> Result<Outcome, CliError> {
    let Cli {
        global: mut options,
        command,
    } = cli;
    *output = Output {
        json: options.json,
        quiet: options.quiet,
    };
    match &command {
        Command::Completions(flags) => return commands::manual::completions(flags),
        Command::Man(flags) => return commands::manual::man(flags),
        Command::Worker(flags) => {
            let summary = flags
                .run_blocking()
                .map_err(|message| CliError::failure("worker", message))?;
            return Ok(Outcome::new(
                serde_json::json!({"worker": summary}),
                summary + "\n",
            ));
        }
        _ => {}
    }
    *token = match &command {
        Command::Sync(flags) => commands::config_sync::prepare(flags, &mut options)?,
        _ => Token::find(options.token_file.as_deref(), |name| {
            std::env::var(name).ok()
        })?,
    };
    let scratch = (matches!(command, Command::Demo)
        && options.state.is_none()
        && token.is_none()
        && options.base_url.is_none())
    .then(commands::sync::demo_state);
    if let Some(state) = &scratch {
        // The demo starts from the sample data every time.
        let _ = std::fs::remove_file(state);
        options.state = Some(state.clone());
    }
    let target = Target::decide(&options, token.clone())?;
    if matches!(command, Command::Reset) {
        return commands::reset::run(&target);
    }
    let result = in_session(&options, target, &command, line, output);
    if let Some(state) = &scratch {
        let _ = std::fs::remove_file(state);
    }
    result
}

/// Opens a session on `target`, runs `command` (typed as `line`) in it and
/// closes it (the embedded state saved even when the command failed).
fn in_session(
    options: &GlobalOptions,
    target: Target,
    command: &Command,
    line: &str,
    output: &Output,
) -> Result<Outcome, CliError> {
    let session = Session::open(options, target)?.typed_as(line);
    let result = commands::dispatch(command, &session).map_err(|e| session.explain(e));
    match (result, session.close()) {
        (Ok(outcome), Ok(())) => Ok(outcome),
        (Err(error), Ok(())) | (Ok(_), Err(error)) => Err(error),
        (Err(error), Err(unsaved)) => {
            output.warn(&unsaved.to_string());
            Err(error)
        }
    }
}
