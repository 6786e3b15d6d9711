//! `scim reset`: deletes the embedded service's state file, so the next
//! command starts again from the sample data.

use serde_json::json;

use crate::embedded::Embedded;
use crate::error::CliError;
use crate::output::Outcome;
use crate::target::Target;

/// Runs `scim reset` (embedded only: a usage error with a token or base URL).
pub(crate) fn run(target: &Target) -> Result<Outcome, CliError> {
    let Target::Embedded { state } = target else {
        return Err(CliError::usage(
            "`scim reset` is for the embedded service only (no token and no --base-url)",
        ));
    };
    let removed = Embedded::reset(state)?;
    let human = match removed {
        true => format!("removed {}", state.display()),
        false => format!("no state file at {}", state.display()),
    };
    let document = json!({"removed": removed, "state": state.display().to_string()});
    Ok(Outcome::new(document, human))
}
