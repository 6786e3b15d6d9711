//! [`Cli`]: the command line, defined once with clap. The parser, every
//! help text (`scim --help`, `scim help plan`), the typo suggestions, the
//! man pages and the shell completions all come from these types, so what
//! the help says is what the program accepts.
//!
//! Help is wrapped at a fixed 100 columns whatever the terminal, so it
//! reads the same everywhere (and its snapshots in `tests/snapshots/` hold).

use clap::Parser;
use clap::error::ErrorKind;

use crate::commands::Command;
use crate::error::CliError;
use crate::global::GlobalOptions;

/// The whole command line: the global flags and one command.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "scim",
    version,
    about = "Users, groups, exports and directory sync against a SCIM provider",
    after_help = AFTER_HELP,
    subcommand_required = true,
    arg_required_else_help = false,
    term_width = 100
)]
pub(crate) struct Cli {
    /// The flags every command takes.
    #[command(flatten)]
    pub global: GlobalOptions,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// What a command line asks for.
#[derive(Debug)]
pub(crate) enum Invocation {
    /// Run this command.
    Run(Box<Cli>),
    /// Print this text and stop: help or the version.
    Show(String),
}

impl Cli {
    /// Reads `words` (without the program's name). Help and the version are
    /// texts to show; anything clap refuses (an unknown command or flag,
    /// with its suggestion, a missing argument, a value out of range) is a
    /// usage error, before any file is read or anything sent.
    pub(crate) fn read(words: Vec<String>) -> Result<Invocation, CliError> {
        let line = std::iter::once("scim".to_owned()).chain(words);
        match Cli::try_parse_from(line) {
            Ok(cli) => Ok(Invocation::Run(Box::new(cli))),
            Err(error) => match error.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    Ok(Invocation::Show(error.render().to_string()))
                }
                _ => Err(CliError::usage(usage_message(&error))),
            },
        }
    }
}

/// clap's message without its own `error: ` (the CLI prints `scim: error: `).
fn usage_message(error: &clap::Error) -> String {
    let text = error.render().to_string();
    let text = text.strip_prefix("error: ").unwrap_or(&text);
    text.trim_end().to_owned()
}

/// The end of `scim --help`.
const AFTER_HELP: &str = "\
Token and target:
  The token comes from --token-file, else SLACK_ORG_ADMIN_USER_TOKEN, else SCIM_TOKEN. It is
  never printed. With no token and no --base-url, scim runs against an embedded in-memory service
  playing the profile, seeded with sample data and kept in the state file between commands. A
  token alone goes to the profile's URL (Slack's for slack-v1/v2). --base-url without a token
  sends no Authorization header, for a service that needs none; if it answers 401, give a token.

Output:
  Tables for people by default; --json prints one JSON document on stdout. Errors print
  `scim: error: ...` on stderr, and with --json also {\"error\": {\"kind\": ..., \"message\": ...}}
  on stdout. Files written (plan --out, export --out, journals, the state file) are readable by
  their owner only (0600): they hold names and emails. export's CSV defuses cells a spreadsheet
  would run (OWASP CSV injection).

Exit status:
  0    success
  1    a runtime failure (network, API error, bad input file)
  2    a usage error (nothing was sent)
  3    drift found (verify) or some steps failed (apply)
  130  Ctrl-C stopped it (apply: safely; the same command resumes)
  141  stdout was closed before everything was written (`scim ... | head`)

Examples:
  scim users list                      # the embedded service's sample users
  scim --json users get W0000000001
  scim users create --user-name ada --email ada@example.com
  scim plan --from people.csv --mapping mapping.json --owned-prefix E --out plan.json
  scim apply plan.json
  scim --profile scim2 --base-url https://scim.example.com/v2/ --token-file token users list
  scim help plan                       # a command's flags and examples";

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    fn read(line: &str) -> Result<Invocation, CliError> {
        Cli::read(line.split_whitespace().map(str::to_owned).collect())
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_are_read_before_and_after_the_command() {
        for line in [
            "--json -q users list",
            "users list --json -q",
            "users --json list -q",
        ] {
            let Ok(Invocation::Run(cli)) = read(line) else {
                panic!("{line}: not a command to run");
            };
            assert!(cli.global.json && cli.global.quiet, "{line}");
        }
    }

    #[test]
    fn help_and_version_are_texts_to_show_and_typos_are_usage_errors() {
        assert!(matches!(read("--help"), Ok(Invocation::Show(_))));
        assert!(
            matches!(read("help plan"), Ok(Invocation::Show(t)) if t.contains("--owned-prefix"))
        );
        assert!(
            matches!(read("--version"), Ok(Invocation::Show(t)) if t == format!("scim {}\n", env!("CARGO_PKG_VERSION")))
        );
        let typo = read("pln").unwrap_err();
        assert_eq!(typo.kind(), "usage");
        assert!(typo.message().contains("'plan'"), "{typo}");
        assert!(!typo.message().starts_with("error:"), "{typo}");
    }
}
