//! [`Outcome`] and [`Output`]: what a command produced, and how it is shown.
//!
//! A command returns one [`Outcome`]: a JSON document and the text a
//! person reads. With `--json` the document is printed on stdout (one per
//! command, pretty-printed); without, the text. Notes, warnings and
//! progress go to stderr. An error prints `scim: error: …` on stderr and,
//! with `--json`, also `{"error": {"kind", "message", "status"?,
//! "scimType"?}}` on stdout, so a script always gets one document; the
//! status and `scimType` are the service's, however deep in the error
//! (a sync command's read, say) its answer was.
//!
//! Nothing here panics on a closed stream (`println!` would): [`Output::print`]
//! returns the write's error, and a `BrokenPipe` there (the reader of a pipe
//! stopped, as `head -1` does) ends the command quietly with
//! [`exit::CLOSED`]; the other writes (errors, notes, warnings) are
//! dropped when their stream is closed, as there is no one left to tell.

use std::io::Write;

use serde_json::Value;

use crate::error::CliError;
use crate::exit;

/// What a command produced.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Outcome {
    /// The document `--json` prints.
    pub document: Value,
    /// The text shown without `--json`.
    pub human: String,
    /// Printed as it is, in both modes (an export to stdout), instead of
    /// the document or the text.
    pub raw: Option<String>,
    /// The exit status: [`exit::SUCCESS`], or [`exit::DRIFT`] /
    /// [`exit::FAILURE`] for a command that ran but must say so.
    pub status: u8,
}

impl Outcome {
    /// A document, and its text for people (a newline is added if missing).
    pub(crate) fn new(document: Value, human: impl Into<String>) -> Outcome {
        let mut human = human.into();
        if !human.is_empty() && !human.ends_with('\n') {
            human.push('\n');
        }
        Outcome {
            document,
            human,
            raw: None,
            status: exit::SUCCESS,
        }
    }

    /// Text printed as it is whatever the mode (an export to stdout).
    pub(crate) fn raw(text: String) -> Outcome {
        Outcome {
            raw: Some(text),
            ..Outcome::new(Value::Null, "")
        }
    }

    /// The same outcome with another exit status.
    pub(crate) fn with_status(mut self, status: u8) -> Outcome {
        self.status = status;
        self
    }
}

/// How results are shown: `--json` and `--quiet`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Output {
    /// Machine JSON on stdout.
    pub json: bool,
    /// No notes or progress on stderr.
    pub quiet: bool,
}

impl Output {
    /// Prints `outcome` on stdout as the mode says; the write's error, if
    /// any (`BrokenPipe` when the reader is gone).
    pub(crate) fn print(&self, outcome: &Outcome) -> std::io::Result<()> {
        let mut stdout = std::io::stdout().lock();
        match (&outcome.raw, self.json) {
            (Some(raw), _) => stdout.write_all(raw.as_bytes())?,
            (None, true) => writeln!(stdout, "{}", pretty(&outcome.document))?,
            (None, false) => stdout.write_all(outcome.human.as_bytes())?,
        }
        stdout.flush()
    }

    /// Shows `error`: `scim: error: …` on stderr, and its JSON on stdout with `--json`.
    pub(crate) fn error(&self, error: &CliError) {
        to_stderr(&format!("scim: error: {error}\n"));
        if self.json {
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{}", pretty(&error.to_json())).and_then(|()| stdout.flush());
        }
    }

    /// A note on stderr (`scim: …`), unless `--quiet`.
    pub(crate) fn note(&self, message: &str) {
        if !self.quiet {
            to_stderr(&format!("scim: {message}\n"));
        }
    }

    /// A warning on stderr (`scim: warning: …`), even with `--quiet`.
    pub(crate) fn warn(&self, message: &str) {
        to_stderr(&format!("scim: warning: {message}\n"));
    }
}

/// Writes `text` on stderr; a closed stderr has no reader to tell.
pub(crate) fn to_stderr(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

/// Pretty JSON; a `Value` always serialises.
pub(crate) fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn text_gets_a_final_newline_and_status_defaults_to_success() {
        let outcome = Outcome::new(json!({}), "done");
        assert_eq!(outcome.human, "done\n");
        assert_eq!(outcome.status, exit::SUCCESS);
        assert_eq!(outcome.with_status(exit::DRIFT).status, exit::DRIFT);
    }
}
