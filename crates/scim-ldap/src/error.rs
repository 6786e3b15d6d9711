//! [`LdapError`] (the read as a whole failed) and [`EntryError`] (one entry
//! could not be used; the rest of the read goes on).

use std::fmt;

/// Why a read failed as a whole: no connection, a refused bind, a search
/// the server refused or that timed out, or a configuration that cannot work.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LdapError {
    /// The configuration cannot work (what is wrong is said).
    #[error("LDAP configuration: {0}")]
    Config(String),
    /// The bind password could not be read from its file or variable.
    #[error("LDAP bind password: {0}")]
    Password(String),
    /// Connecting (TCP, TLS or StartTLS) failed or timed out.
    #[error("LDAP connection to {url}: {message}")]
    Connect {
        /// The server's URL.
        url: String,
        /// What went wrong.
        message: String,
    },
    /// The server refused the simple bind.
    #[error("LDAP bind as {dn}: {message}")]
    Bind {
        /// The bind DN.
        dn: String,
        /// The server's answer.
        message: String,
    },
    /// A search failed or timed out.
    #[error("LDAP search under {base}: {message}")]
    Search {
        /// The search base (or, for a ranged follow-up read, the entry's DN).
        base: String,
        /// What went wrong.
        message: String,
    },
    /// The blocking API was called inside an async runtime, where it would
    /// have to block the runtime's thread (ldap3 issue #50): call the async
    /// one there instead.
    #[error("read_blocking called inside an async runtime: use read().await there")]
    InsideRuntime,
}

/// What was wrong with one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum EntryErrorKind {
    /// A required attribute is absent (the id or the `userName`).
    Missing,
    /// An attribute's value cannot be used (not a number, not an email, a
    /// GUID that is not 16 bytes, several values where one was expected).
    Value,
    /// A ranged attribute (`member;range=…`) could not be read to its end.
    Range,
    /// A group nests itself, directly or through others; its other members
    /// are kept.
    Cycle,
    /// Groups nest deeper than the configured limit; deeper levels are left out.
    Depth,
    /// A group member DN names no entry that was read (out of scope, or not
    /// a user or group); it is left out.
    UnknownMember,
    /// Two entries have the same match key; the second is left out.
    Duplicate,
}

/// One entry that could not be used (or used only in part), by DN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntryError {
    /// The entry's DN.
    pub dn: String,
    /// The attribute at fault, when one is.
    pub attribute: Option<String>,
    /// What kind of problem.
    pub kind: EntryErrorKind,
    /// What is wrong, for a person.
    pub message: String,
}

impl EntryError {
    /// An error on `dn`'s `attribute`.
    pub fn new(dn: &str, attribute: Option<&str>, kind: EntryErrorKind, message: String) -> Self {
        EntryError {
            dn: dn.to_owned(),
            attribute: attribute.map(str::to_owned),
            kind,
            message,
        }
    }
}

impl fmt::Display for EntryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.attribute {
            Some(attribute) => write!(f, "{} ({attribute}): {}", self.dn, self.message),
            None => write!(f, "{}: {}", self.dn, self.message),
        }
    }
}

impl std::error::Error for EntryError {}
