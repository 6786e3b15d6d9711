//! [`Token`]: the bearer token, where it is read from, and how it is kept out of sight.
//!
//! Read from `--token-file` (trimmed), else `SLACK_ORG_ADMIN_USER_TOKEN`,
//! else `SCIM_TOKEN`; an empty value counts as unset. It is never printed:
//! `Debug` shows [`scim_client::REDACTED`], and errors are scrubbed of it before they
//! are shown.

use std::fmt;
use std::path::Path;

use crate::error::CliError;

/// The environment variables read for a token, in order.
pub(crate) const TOKEN_ENV_VARS: [&str; 2] = ["SLACK_ORG_ADMIN_USER_TOKEN", "SCIM_TOKEN"];

/// A bearer token. Its `Debug` never shows it.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Token(String);

impl Token {
    /// The token from `file` when given, else from the environment (as
    /// `env` reads it); `None` when there is none.
    pub(crate) fn find(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Option<Token>, CliError> {
        if let Some(file) = file {
            return Token::from_file(file).map(Some);
        }
        Ok(TOKEN_ENV_VARS
            .iter()
            .filter_map(|name| env(name))
            .map(|value| value.trim().to_owned())
            .find(|value| !value.is_empty())
            .map(Token))
    }

    /// The token in `file`, trimmed; a missing, unreadable or empty file is
    /// an input failure (the message names the file, never its content),
    /// and so is one that group or others may read ([`check_private`]).
    pub(crate) fn from_file(file: &Path) -> Result<Token, CliError> {
        let cannot = |e: std::io::Error| {
            CliError::input(format!(
                "cannot read the token file {}: {e}",
                file.display()
            ))
        };
        let mut opened = std::fs::File::open(file).map_err(cannot)?;
        check_private(file, &opened.metadata().map_err(cannot)?)?;
        let mut text = String::new();
        std::io::Read::read_to_string(&mut opened, &mut text).map_err(cannot)?;
        let token = text.trim();
        if token.is_empty() {
            return Err(CliError::input(format!(
                "the token file {} is empty",
                file.display()
            )));
        }
        Ok(Token(token.to_owned()))
    }

    /// A token read elsewhere (a config file's `token_env`), trimmed.
    pub(crate) fn new(token: String) -> Token {
        Token(token.trim().to_owned())
    }

    /// The token itself, for the client and for scrubbing.
    pub(crate) fn secret(&self) -> &str {
        &self.0
    }
}

/// Refuses a token file that group or others may read (any of mode
/// 0o077), as ssh refuses such a private key: the token is an admin's
/// credential for the whole directory, and a warning on stderr is lost in a
/// cron job's log while the token stays exposed. Refused before the token
/// is read, naming the file, its mode and the fix. (Not on other platforms,
/// whose permissions are not modes.)
#[cfg(unix)]
fn check_private(file: &Path, metadata: &std::fs::Metadata) -> Result<(), CliError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 == 0 {
        return Ok(());
    }
    Err(CliError::input(format!(
        "the token file {shown} may be read by group or others (mode {mode:04o}); \
         a token is a credential: run `chmod 600 {shown}` and try again",
        shown = file.display()
    )))
}

#[cfg(not(unix))]
fn check_private(_file: &Path, _metadata: &std::fs::Metadata) -> Result<(), CliError> {
    Ok(())
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Token({})", scim_client::REDACTED)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            pairs
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn the_slack_variable_comes_before_scim_token_and_empty_counts_as_unset() {
        let both = [
            ("SLACK_ORG_ADMIN_USER_TOKEN", "xoxp-1"),
            ("SCIM_TOKEN", "t-2"),
        ];
        let found = Token::find(None, env(&both)).unwrap().unwrap();
        assert_eq!(found.secret(), "xoxp-1");
        let empty_slack = [("SLACK_ORG_ADMIN_USER_TOKEN", " "), ("SCIM_TOKEN", "t-2")];
        let found = Token::find(None, env(&empty_slack)).unwrap().unwrap();
        assert_eq!(found.secret(), "t-2");
        assert_eq!(Token::find(None, env(&[])).unwrap(), None);
    }

    #[test]
    fn debug_never_shows_the_token() {
        let token = Token("xoxp-very-secret".into());
        assert_eq!(format!("{token:?}"), "Token([redacted])");
    }

    #[cfg(unix)]
    #[test]
    fn a_token_file_others_may_read_is_refused_naming_the_fix() {
        use std::os::unix::fs::PermissionsExt;
        let path = std::env::temp_dir().join(format!("scim-token-{}", std::process::id()));
        std::fs::write(&path, "xoxp-secret\n").unwrap();
        for mode in [0o644, 0o640, 0o604] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let error = Token::from_file(&path).unwrap_err();
            assert_eq!(error.kind(), "input");
            let message = error.message();
            assert!(
                message.contains(&format!("chmod 600 {}", path.display())),
                "{message}"
            );
            assert!(message.contains(&format!("{mode:04o}")), "{message}");
            assert!(!message.contains("xoxp-secret"), "{message}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        assert_eq!(Token::from_file(&path).unwrap().secret(), "xoxp-secret");
        std::fs::remove_file(&path).unwrap();
    }

    #[test]
    fn a_missing_token_file_is_an_input_failure_naming_the_file() {
        let error = Token::from_file(Path::new("/nonexistent/scim-token")).unwrap_err();
        assert_eq!(error.kind(), "input");
        assert!(error.message().contains("/nonexistent/scim-token"));
    }
}
