//! [`StoreError`]: why the store could not do what it was asked.

use std::path::PathBuf;

/// Why the store could not be reached, set up or used. Never carries the
/// database password: a URL that does not parse is not echoed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The connection URL does not parse (it is not repeated here: it may
    /// hold a password).
    #[error("the PostgreSQL URL does not parse (expected postgres://user@host:port/database)")]
    Url,
    /// The password file could not be read.
    #[error("the database password file {path}: {source}")]
    PasswordFile {
        /// The file.
        path: PathBuf,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// PostgreSQL refused or failed a statement, or the connection broke.
    #[error("PostgreSQL: {0}")]
    Db(#[from] tokio_postgres::Error),
    /// A migration of the crate's schema failed; nothing of it stayed.
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        /// Its number.
        version: i32,
        /// Its file name.
        name: &'static str,
        /// PostgreSQL's error.
        #[source]
        source: tokio_postgres::Error,
    },
    /// The database holds a schema newer than this build knows.
    #[error("the database's scim_pg schema is at version {found}; this build knows up to {known}")]
    NewerSchema {
        /// The version recorded.
        found: i32,
        /// The latest this build has.
        known: i32,
    },
    /// A plan could not be written as JSON.
    #[error("the plan could not be written as JSON: {0}")]
    Encode(#[source] serde_json::Error),
    /// A stored plan does not read back as a plan.
    #[error("plan {plan} does not read back: {source}")]
    PlanJson {
        /// The plan's id in the store.
        plan: i64,
        /// serde_json's error.
        #[source]
        source: serde_json::Error,
    },
    /// The rate budget's rows for a target are missing even after they
    /// were inserted (someone deletes them as they are made).
    #[error("the rate budget rows of {target} are missing")]
    RateCells {
        /// The provider's base URL.
        target: String,
    },
    /// A number out of the range a column holds (a plan of more than
    /// 2^31 steps, a lease of centuries).
    #[error("{what} is out of range for the store")]
    OutOfRange {
        /// What.
        what: &'static str,
    },
}
