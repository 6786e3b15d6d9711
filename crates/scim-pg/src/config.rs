//! [`PgConfig`]: where the store is, and its [`Password`], which no
//! `Debug`, `Display` or log ever shows.

use std::fmt;
use std::path::Path;
use std::str::FromStr;

use crate::StoreError;

/// The database password. Its `Debug` says only that there is one.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// A password given in memory.
    pub fn new(password: impl Into<String>) -> Password {
        Password(password.into())
    }

    /// The first line of `path` (a file only its owner reads, as a secret
    /// manager or `tests/postgres/pg.sh` writes it).
    pub fn from_file(path: impl AsRef<Path>) -> Result<Password, StoreError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| StoreError::PasswordFile {
            path: path.to_owned(),
            source,
        })?;
        Ok(Password(text.lines().next().unwrap_or_default().to_owned()))
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(redacted)")
    }
}

/// How to reach the store: a `postgres://` URL (or `key=value` string) and
/// an optional password kept apart from it.
#[derive(Clone)]
pub struct PgConfig {
    config: tokio_postgres::Config,
}

impl PgConfig {
    /// From `url` (`postgres://user@host:port/database?…`, or libpq's
    /// `key=value` form). A password in it is kept as secret as one given
    /// with [`password`](Self::password).
    pub fn from_url(url: &str) -> Result<PgConfig, StoreError> {
        let mut config = tokio_postgres::Config::from_str(url).map_err(|_| StoreError::Url)?;
        config.application_name("scim-pg");
        // Every wait bounded: connecting, and each statement (unless the
        // URL sets its own options).
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(std::time::Duration::from_secs(10));
        }
        if config.get_options().is_none() {
            config.options("-c statement_timeout=30000");
        }
        Ok(PgConfig { config })
    }

    /// The password to authenticate with (SCRAM or MD5, as the server asks).
    pub fn password(mut self, password: &Password) -> PgConfig {
        self.config.password(password.0.as_bytes());
        self
    }

    /// The driver's configuration.
    pub(crate) fn driver(&self) -> &tokio_postgres::Config {
        &self.config
    }
}

impl fmt::Debug for PgConfig {
    /// tokio-postgres's own `Debug`, which prints the password as `_`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.config, f)
    }
}
