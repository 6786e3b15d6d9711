//! An LDAP / Active Directory source for scim-sync: reads users and groups
//! into its [`Desired`](scim_sync::Desired) state, ready for
//! [`plan`](scim_sync::plan).
//!
//! - **Bounded memory on big directories**: users are read in pages (RFC
//!   2696 paged results, [`LdapConfig::page_size`] a request); one page of
//!   raw entries is held at a time ([`Directory::for_each_user`] streams).
//! - **AD's ranged attributes**: a group over 1,500 members answers
//!   `member;range=0-1499`; the rest is read with follow-up reads
//!   ([`RangedRead`]).
//! - **A stable match key**: `entryUUID` (OpenLDAP) or `objectGUID` (AD,
//!   rendered by [`object_guid_string`]) becomes `externalId`; members are
//!   written by it ([`MatchKey::ExternalId`](scim_sync::MatchKey)).
//! - **Disabled accounts**: `userAccountControl` bit `0x2`, or an attribute
//!   value ([`Disabled`]), become `active: false`.
//! - **Nested groups flattened**, to a bounded depth, cycles reported.
//! - **Errors by entry DN**, collected, the rest of the read going on
//!   ([`EntryError`]); only a failed connection, bind or search fails a
//!   read ([`LdapError`]).
//! - **Scope**: the users' LDAP filter, and optionally membership of named
//!   groups ([`LdapConfig::only_members_of`]).
//! - Every wait is bounded by [`LdapConfig::timeout`]; the bind password
//!   comes from a file or the environment and is redacted in `Debug`.
//!
//! [`read`] is async (tokio); [`read_blocking`] builds its own
//! current-thread runtime and refuses to run inside one.
//!
//! ```no_run
//! use scim_ldap::{LdapConfig, Password, SearchSpec, read_blocking};
//!
//! let users = SearchSpec { base: "ou=people,dc=example,dc=org".into(), filter: "(objectClass=inetOrgPerson)".into() };
//! let password = Password::from_env("LDAP_BIND_PASSWORD")?;
//! let mut config = LdapConfig::new("ldap://127.0.0.1:389", "cn=reader,dc=example,dc=org", password, users);
//! config.groups = Some(SearchSpec { base: "ou=groups,dc=example,dc=org".into(), filter: "(objectClass=groupOfNames)".into() });
//! let read = read_blocking(&config)?;
//! for error in &read.errors {
//!     eprintln!("{error}");
//! }
//! println!("{} users, {} groups", read.desired.users.len(), read.desired.groups.len());
//! # Ok::<(), scim_ldap::LdapError>(())
//! ```

#![warn(missing_docs)]
#![warn(unreachable_pub)]

mod config;
mod entry;
mod error;
mod guid;
mod nest;
mod range;
mod read;

pub use config::{AttributeMap, Disabled, IdAttribute, LdapConfig, Password, SearchSpec};
pub use entry::{Entry, to_user};
pub use error::{EntryError, EntryErrorKind, LdapError};
pub use guid::object_guid_string;
pub use nest::{GroupEntry, flatten, normalize_dn};
pub use range::{MAX_RANGE_READS, RangedRead, parse_range};
pub use read::{Directory, DirectoryRead, ReadStats, read, read_blocking};
