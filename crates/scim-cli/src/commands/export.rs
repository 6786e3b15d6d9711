//! `scim export --format json|csv [--out FILE]`: every user (and, in
//! JSON, every group with its members' ids), flattened.
//!
//! - CSV (RFC 4180, CRLF line ends): users only, one header row, columns
//!   `id,userName,externalId,displayName,name.givenName,name.familyName,title,email,active`
//!   (`email` is the primary email; an absent value is an empty field).
//! - JSON: `{"users": [{"id", "userName", "externalId", "displayName",
//!   "givenName", "familyName", "title", "email", "active"}],
//!   "groups": [{"id", "displayName", "externalId", "members": [ids]}]}`;
//!   `members` is `null` where the provider's group reads leave them out.
//!
//! Without `--out` the export itself goes to stdout, with or without
//! `--json`; with `--out` stdout gets a summary (a JSON one with `--json`).

use serde_json::json;

use scim_client::model::{Group, SearchRequest, User};

use super::plural;
use crate::csv;
use crate::error::CliError;
use crate::listing::Listing;
use crate::output::Outcome;
use crate::record::{GroupRecord, UserRecord};
use crate::session::Session;

/// `export`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct ExportArgs {
    /// json: users and groups; csv: users only (RFC 4180, CRLF line ends)
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write the export to FILE (readable by its owner only) instead of stdout
    #[arg(long, value_name = "FILE")]
    out: Option<String>,
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    // Users and groups as one JSON document. (Plain comments: a doc comment
    // here would become the value's help, and turn `export --help` long.)
    Json,
    // Users as RFC 4180 CSV.
    Csv,
}

/// Runs `scim export`.
pub(crate) fn run(session: &Session, flags: &ExportArgs) -> Result<Outcome, CliError> {
    let (format, out) = (flags.format, flags.out.clone());
    let users = read_users(session)?;
    let (text, groups) = match format {
        Format::Csv => (users_csv(&users), None),
        Format::Json => {
            let groups = read_groups(session)?;
            let document = json!({"users": users, "groups": groups});
            (crate::output::pretty(&document) + "\n", Some(groups.len()))
        }
    };
    let Some(out) = out else {
        return Ok(Outcome::raw(text));
    };
    crate::fs::write_private(std::path::Path::new(&out), text.as_bytes())
        .map_err(|e| CliError::failure("output", format!("cannot write {out}: {e}")))?;
    let mut human = format!("exported {} user{}", users.len(), plural(users.len()));
    if let Some(groups) = groups {
        human.push_str(&format!(" and {groups} group{}", plural(groups)));
    }
    human.push_str(&format!(" to {out}"));
    let format_name = if format == Format::Csv { "csv" } else { "json" };
    let document =
        json!({"format": format_name, "out": out, "users": users.len(), "groups": groups});
    Ok(Outcome::new(document, human))
}

fn read_users(session: &Session) -> Result<Vec<UserRecord>, CliError> {
    let listing = Listing::<User>::read(session, SearchRequest::new(), "reading users")?;
    if !listing.skipped.is_empty() {
        return Err(CliError::failure(
            "decode",
            format!(
                "{} users could not be read; the export would be incomplete",
                listing.skipped.len()
            ),
        ));
    }
    Ok(listing.items.iter().map(UserRecord::of).collect())
}

fn read_groups(session: &Session) -> Result<Vec<GroupRecord>, CliError> {
    let listing = Listing::<Group>::read(session, SearchRequest::new(), "reading groups")?;
    if !listing.skipped.is_empty() {
        return Err(CliError::failure(
            "decode",
            format!(
                "{} groups could not be read; the export would be incomplete",
                listing.skipped.len()
            ),
        ));
    }
    if !session.profile().group_reads_return_members {
        session
            .output()
            .note("this provider's group reads leave members out: members are null");
    }
    Ok(listing.items.iter().map(GroupRecord::of).collect())
}

/// The users as CSV, header first.
pub(crate) fn users_csv(users: &[UserRecord]) -> String {
    let mut text = String::new();
    csv::write_record(&mut text, UserRecord::CSV_HEADER);
    for user in users {
        csv::write_record(&mut text, user.csv_fields());
    }
    text
}
