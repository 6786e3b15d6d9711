//! Sources: a CSV or JSON export, through a [`Mapping`], to [`Desired`]
//! users and groups, or to every problem with it, by line.
//!
//! A read either returns the whole [`Desired`] or [`SourceErrors`] (up to
//! [`MAX_ERRORS`] of them, in line order, so a file can be fixed in one
//! pass), never a part: nothing is planned from an invalid source.
//!
//! ```text
//! bytes ─ encoding ─▶ text ─ csv / json ─▶ Table ─ Mapping ─▶ Desired
//!         (UTF-8,           (rows, the line        (checked:
//!          BOM dropped)      each starts on)        keys, emails, …)
//! ```
//!
//! # The mapping file
//!
//! ```json
//! {
//!   "matchKey": "externalId",
//!   "columns": {
//!     "Employee ID": "externalId",
//!     "Login": "userName",
//!     "First": "name.givenName",
//!     "Last": "name.familyName",
//!     "Email": "emails",
//!     "Title": "title",
//!     "Active": "active",
//!     "Teams": "groups"
//!   },
//!   "required": ["Employee ID", "Email"],
//!   "listSeparator": ";",
//!   "delimiter": ",",
//!   "clearEmpty": false
//! }
//! ```
//!
//! - `columns` (the only key needed): a column name (matched with the
//!   source's case-insensitively) to a SCIM path ([`Target::path`]), or to a
//!   list of paths (`"Email": ["emails", "userName"]`). An attribute is fed
//!   by one column at most. Unmapped columns are ignored.
//! - `matchKey`: `externalId` (default), `userName` or `primaryEmail`; its
//!   column must be in the source, and every row must have a unique value.
//! - `required`: columns that must be in the source, non-empty in every row.
//! - `emails` makes the one primary `work` email; `active` takes
//!   `true`/`false`, `yes`/`no`, `1`/`0` in any case; `groups` lists group
//!   names separated by `listSeparator` (default `;`), which become
//!   [`Desired::groups`] with the row's match key as a member.
//! - An empty cell is absent (not the source's to say), or `null` (clear the
//!   attribute) with `"clearEmpty": true`. Values are trimmed.
//! - The enterprise extension's `employeeNumber`, `costCenter`,
//!   `organization`, `division` and `department` (RFC 7643 §4.3) fill the
//!   user's extension; `manager` takes the **manager's match key**, which
//!   the planner resolves to the provider's id ([`Desired::managers`]);
//!   any other extension's attribute is written verbatim as text
//!   (`urn:…:User:badge`, [`ExtensionAttribute`]).
//!
//! Every target, what it writes on the wire per profile, and how managers
//! are resolved: `docs/mapping.md` in the repository.
//!
//! [`Mapping::default`] maps every column named by its SCIM path to itself.
//!
//! # Checks
//!
//! Text must be UTF-8 (a UTF-8 byte-order mark is dropped; a UTF-16 one,
//! invalid bytes or NUL bytes are errors naming the lines). CSV follows RFC
//! 4180 ([`read_csv`]); JSON is an array of flat objects ([`read_json`]).
//! Emails need exactly one `@`, text on both sides and no whitespace.
//! The source is checked as a whole: two rows with one match key, one
//! login (`userName`) or one primary email are errors on the later row
//! naming the earlier line — logins and emails compared case-insensitively,
//! as providers do (RFC 7643 §4.1.1, `caseExact` false), since both rows
//! would otherwise become one account that each run overwrites twice.
//!
//! ```
//! use scim_sync::source::{read_csv, Mapping};
//!
//! let mapping = Mapping::from_json(r#"{"columns": {"Id": "externalId", "Mail": "emails"}}"#)?;
//! let desired = read_csv(b"Id,Mail\n1,ada@example.com\n", &mapping)?;
//! assert_eq!(desired.users[0].external_id.as_deref(), Some("1"));
//!
//! let errors = read_csv(b"Id,Mail\n1,ada@\n,bob@example.com\n", &mapping).unwrap_err();
//! assert_eq!(
//!     errors.to_string(),
//!     "line 2: column \"Mail\": \"ada@\" is not an email address (nothing after the @)\n\
//!      line 3: column \"Id\": no externalId (the match key)"
//! );
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]

mod assemble;
mod csv;
mod encoding;
mod error;
mod json;
mod mapping;
mod provider;
mod table;
pub(crate) mod values;

use std::path::Path;

pub use error::{MAX_ERRORS, SourceError, SourceErrorKind, SourceErrors};
pub use mapping::{Column, ExtensionAttribute, Mapping, Target};
pub use provider::{MAX_NESTING, from_provider};
pub use values::{boolean, work_email};

use crate::desired::Desired;

/// Reads a CSV export (RFC 4180: quoted fields, `""` escapes, quoted line
/// breaks, LF or CRLF; the first non-blank record is the header).
///
/// Errors name the line a record starts on and the column's header.
pub fn read_csv(bytes: &[u8], mapping: &Mapping) -> Result<Desired, SourceErrors> {
    mapping.validate()?;
    let delimiter = u8::try_from(mapping.delimiter).unwrap_or(b',');
    let text = encoding::decode(bytes)?;
    let mut errors = SourceErrors::default();
    match csv::parse(text, delimiter, &mut errors) {
        Some(table) => assemble::desired(&table, mapping, errors).map_err(SourceErrors::sorted),
        None => Err(errors),
    }
}

/// Reads a JSON export: an array of flat objects, one per user, whose keys
/// are mapped like CSV columns. Values are strings, numbers or booleans;
/// `null` clears the attribute; a `groups` column may be an array of
/// strings. A key twice in one object is an error.
///
/// Errors name the line the object starts on (for syntax errors, the line
/// serde_json stopped on). Data already in SCIM shape can be deserialised
/// as [`Desired`] directly instead.
pub fn read_json(bytes: &[u8], mapping: &Mapping) -> Result<Desired, SourceErrors> {
    mapping.validate()?;
    let text = encoding::decode(bytes)?;
    let mut errors = SourceErrors::default();
    match json::parse(text, &mut errors) {
        Some(table) => assemble::desired(&table, mapping, errors).map_err(SourceErrors::sorted),
        None => Err(errors),
    }
}

/// Reads a `.csv` or `.json` file (by its extension, in any case); errors
/// print with the path in front (`people.csv:7: …`).
pub fn read_path(path: impl AsRef<Path>, mapping: &Mapping) -> Result<Desired, SourceErrors> {
    let path = path.as_ref();
    let shown = path.display().to_string();
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    let read: fn(&[u8], &Mapping) -> Result<Desired, SourceErrors> = match extension.as_deref() {
        Some("csv") => read_csv,
        Some("json") => read_json,
        _ => {
            let message = "not a .csv or .json file";
            return Err(
                SourceErrors::from(SourceError::new(SourceErrorKind::Io, message)).in_file(shown),
            );
        }
    };
    let bytes = std::fs::read(path).map_err(|e| {
        SourceErrors::from(SourceError::new(SourceErrorKind::Io, e.to_string())).in_file(&shown)
    })?;
    read(&bytes, mapping).map_err(|errors| errors.in_file(shown))
}
