//! The commands, one file per family, and [`dispatch`] from a command word to its code.
//!
//! A command takes the [`Session`] and the words left ([`Args`]), reads its
//! own flags and positionals, calls [`Args::finish`] before it sends
//! anything, and returns one [`Outcome`]. `reset` needs no session (it only
//! deletes the embedded state file).

pub(crate) mod export;
pub(crate) mod groups;
pub(crate) mod reset;
pub(crate) mod sync;
pub(crate) mod users;

use serde_json::Value;

use crate::args::Args;
use crate::error::CliError;
use crate::output::Outcome;
use crate::session::Session;

/// The commands the `scim` word knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Command {
    /// `users list|get|create|patch|deactivate`.
    Users,
    /// `groups list|get|create|add-members|remove-members`.
    Groups,
    /// `export --format json|csv [--out FILE]`.
    Export,
    /// `reset`: delete the embedded service's state file.
    Reset,
    /// `plan --from people.csv [--mapping …] [--out plan.json]`.
    Plan,
    /// `apply plan.json`.
    Apply,
    /// `verify --from …`.
    Verify,
    /// `demo`: plan, apply and verify the sample data.
    Demo,
    /// `help`: the usage text.
    Help,
}

impl Command {
    /// The command a word names.
    pub(crate) fn parse(word: &str) -> Result<Command, CliError> {
        Ok(match word {
            "users" => Command::Users,
            "groups" => Command::Groups,
            "export" => Command::Export,
            "reset" => Command::Reset,
            "plan" => Command::Plan,
            "apply" => Command::Apply,
            "verify" => Command::Verify,
            "demo" => Command::Demo,
            "help" => Command::Help,
            other => {
                return Err(CliError::usage(format!(
                    "unknown command {other:?}; see `scim --help`"
                )));
            }
        })
    }
}

/// Runs a command that talks to a service.
pub(crate) fn dispatch(
    command: Command,
    session: &Session,
    args: &mut Args,
) -> Result<Outcome, CliError> {
    match command {
        Command::Users => users::run(session, args),
        Command::Groups => groups::run(session, args),
        Command::Export => export::run(session, args),
        Command::Plan => sync::run_plan(session, args),
        Command::Apply => sync::run_apply(session, args),
        Command::Verify => sync::run_verify(session, args),
        Command::Demo => sync::run_demo(session, args),
        Command::Reset | Command::Help => Err(CliError::usage(format!(
            "`scim {}` takes no session",
            format!("{command:?}").to_lowercase()
        ))),
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
