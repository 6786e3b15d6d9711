//! The commands, one file per family, their words and flags ([`Command`],
//! clap's subcommands), and [`dispatch`] from a command to its code.
//!
//! clap has read and checked every flag before a command runs; a command
//! takes the [`Session`] and its own flags, and returns one [`Outcome`].
//! `reset` needs no session (it only deletes the embedded state file), and
//! neither do `completions` and `man` (they print what clap generates).

pub(crate) mod config_sync;
pub(crate) mod export;
pub(crate) mod groups;
pub(crate) mod manual;
pub(crate) mod reset;
pub(crate) mod store;
pub(crate) mod sync;
pub(crate) mod users;
pub(crate) mod watch;

use serde_json::Value;

use crate::error::CliError;
use crate::output::Outcome;
use crate::session::Session;

/// The commands the `scim` word knows (`help` is clap's own).
#[derive(Debug, Clone, clap::Subcommand)]
pub(crate) enum Command {
    /// Users: list, get, create, patch, deactivate
    #[command(subcommand, arg_required_else_help = false)]
    Users(users::UsersCommand),
    /// Groups: list, get, create, add-members, remove-members
    #[command(subcommand, arg_required_else_help = false)]
    Groups(groups::GroupsCommand),
    /// Every user (and, in JSON, every group), flattened, to stdout or a file
    #[command(after_help = "\
CSV is RFC 4180 with CRLF line ends, one row per user: id, userName, externalId, displayName,
name.givenName, name.familyName, title, email (the primary one), active. A cell starting with
= + - @, a tab or CR gets a ' in front, so a spreadsheet shows it instead of running it (OWASP CSV
injection). JSON holds users and groups, each group with its members' ids.

Examples:
  scim export --format csv --out users.csv
  scim export > directory.json")]
    Export(export::ExportArgs),
    /// What would change to make the provider match the source; writes nothing
    #[command(after_help = "Examples:
  scim plan --from people.csv --mapping mapping.json --owned-prefix E --out plan.json
  scim plan --from people.csv --owned-prefix E --max-deactivations 50 --last-source-size 1200")]
    Plan(sync::PlanArgs),
    /// Run a plan, journaled so that running it again resumes; Ctrl-C stops it safely
    #[command(after_help = "\
The plan is trusted for nothing: a plan edited by hand (its digest), or with a step on an account
the source does not own or over the plan's rails, is refused before any write, and a refused apply
leaves no journal.

Ctrl-C (or SIGTERM) stops it safely: no new step starts, the steps in flight finish and are
journaled, and it exits 130 saying how many steps are done and the command to run again, which
resumes. A second Ctrl-C quits at once, also safe: every journal entry is on disk before the next
request.

Examples:
  scim apply plan.json                 # journaled in plan.json.journal
  scim apply plan.json --concurrency 8")]
    Apply(sync::ApplyArgs),
    /// Read the provider back and list every difference from the source (exit 3 on drift)
    #[command(after_help = "Examples:
  scim verify --from people.csv --mapping mapping.json --owned-prefix E")]
    Verify(sync::SourceArgs),
    /// Plan, check the rails, apply and verify, as a config file says (--dry-run: plan only)
    #[command(after_help = "\
One reproducible command: the file names the target, the source and its mapping, the rules and
how to apply; unknown keys are errors at their line; tokens and passwords are only ever read from
a file or an environment variable. Each run plans from the provider as it is, so a run that
stopped is finished by running it again. See the README's `scim sync` section for a full file.

Examples:
  scim sync --config scim.toml --dry-run
  scim sync --config scim.toml --yes
  scim sync --config scim.toml --yes --every 40m --metrics 127.0.0.1:9464")]
    Sync(config_sync::SyncArgs),
    /// Serve a PostgreSQL job store's plans: claim steps, apply them within the shared budget
    #[command(after_help = "\
Run one worker per machine, all on one PostgreSQL: each claims ready steps (FOR UPDATE SKIP
LOCKED, with a lease), keeps the phase order and one step at a time per resource, and spends the
org's one rate budget kept in the database. A worker killed mid-step loses nothing: its steps
are claimed again when their lease expires. The store's password and the tokens come from files
or the environment, never the command line.

Examples:
  scim worker --store postgres://scim@db.internal/scim --store-password-file /run/secrets/pg \\
      --target slack-v2=https://api.slack.com/scim/v2/ --token-env SLACK_TOKEN")]
    Worker(scim_pg::command::WorkerCommand),
    /// Plan, apply and verify the sample data (embedded service; with a token: no writes)
    #[command(after_help = "Examples:
  scim demo
  scim --json demo")]
    Demo,
    /// Delete the embedded service's state file: the sample data comes back
    #[command(after_help = "Examples:
  scim reset
  scim --state other.json reset")]
    Reset,
    /// Print a completion script for a shell
    #[command(after_help = "Examples:
  scim completions bash > ~/.local/share/bash-completion/completions/scim
  scim completions zsh > ~/.zfunc/_scim
  scim completions fish > ~/.config/fish/completions/scim.fish")]
    Completions(manual::CompletionsArgs),
    /// Print the man page, of scim or of one of its commands
    #[command(after_help = "Examples:
  scim man | man -l -
  scim man plan > scim-plan.1")]
    Man(manual::ManArgs),
}

/// Runs a command that talks to a service.
pub(crate) fn dispatch(command: &Command, session: &Session) -> Result<Outcome, CliError> {
    match command {
        Command::Users(users) => users::run(session, users),
        Command::Groups(groups) => groups::run(session, groups),
        Command::Export(flags) => export::run(session, flags),
        Command::Plan(flags) => sync::run_plan(session, flags),
        Command::Apply(flags) => sync::run_apply(session, flags),
        Command::Verify(source) => sync::run_verify(session, source),
        Command::Sync(flags) => config_sync::run(session, flags),
        Command::Demo => sync::run_demo(session),
        Command::Reset | Command::Completions(_) | Command::Man(_) | Command::Worker(_) => {
            Err(CliError::usage(
                "this command takes no session (run by `scim_cli::run` before one opens)",
            ))
        }
    }
}

/// A resource as JSON (the model types always serialise).
pub(crate) fn to_value<T: serde::Serialize>(resource: &T) -> Value {
    serde_json::to_value(resource).unwrap_or(Value::Null)
}

/// `"s"` unless `count` is 1.
pub(crate) fn plural(count: usize) -> &'static str {
    if count == 1 { "" } else { "s" }
}

/// A JSON object from `path`, or stdin for `-`.
pub(crate) fn read_json_object(path: &str) -> Result<Value, CliError> {
    let text = if path == "-" {
        std::io::read_to_string(std::io::stdin())
            .map_err(|e| CliError::input(format!("cannot read stdin: {e}")))?
    } else {
        std::fs::read_to_string(path)
            .map_err(|e| CliError::input(format!("cannot read {path}: {e}")))?
    };
    match serde_json::from_str::<Value>(&text) {
        Ok(value) if value.is_object() => Ok(value),
        Ok(_) => Err(CliError::input(format!(
            "{path} does not hold a JSON object"
        ))),
        Err(e) => Err(CliError::input(format!("{path} is not JSON: {e}"))),
    }
}
