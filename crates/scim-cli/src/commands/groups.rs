//! `scim groups list|get|create|add-members|remove-members`.

use serde_json::json;

use scim_client::model::{Field, Group, Member};
use scim_client::provider::MemberChanges;

use super::{plural, to_value};
use crate::error::CliError;
use crate::exit;
use crate::listing::{Listing, Query};
use crate::output::Outcome;
use crate::record::GroupRecord;
use crate::session::Session;
use crate::table::Table;

/// The `groups` commands and their flags.
#[derive(Debug, Clone, clap::Subcommand)]
pub(crate) enum GroupsCommand {
    /// Every group, all pages, with its member count
    #[command(after_help = "Examples:
  scim groups list
  scim --json groups list --filter 'displayName eq \"Research\"'")]
    List(Query),
    /// One group by id, with its members
    #[command(after_help = "Examples:
  scim groups get S0000000007")]
    Get {
        /// The group's id
        id: String,
    },
    /// Create a group, with members by user id
    #[command(after_help = "Examples:
  scim groups create --name Pioneers --external-id G-PIO --member W0000000001 --member W0000000002")]
    Create(NewGroup),
    /// Add users to a group, in as many PATCHes as the profile takes
    #[command(after_help = "Examples:
  scim groups add-members S0000000007 W0000000001 W0000000002")]
    AddMembers(Members),
    /// Remove users from a group, in as many PATCHes as the profile takes
    #[command(after_help = "Examples:
  scim groups remove-members S0000000007 W0000000001")]
    RemoveMembers(Members),
}

/// `groups create`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct NewGroup {
    /// The group's displayName
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    name: String,
    /// The externalId: the source's key for this group
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    external_id: Option<String>,
    /// A member's user id (repeat for more)
    #[arg(long, value_name = "ID")]
    member: Vec<String>,
}

/// `groups add-members` and `remove-members`: the group, then the users.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct Members {
    /// The group's id
    group: String,
    /// The users' ids
    #[arg(required = true, value_name = "ID")]
    ids: Vec<String>,
}

/// Runs `scim groups …`.
pub(crate) fn run(session: &Session, command: &GroupsCommand) -> Result<Outcome, CliError> {
    match command {
        GroupsCommand::List(query) => list(session, query),
        GroupsCommand::Get { id } => get(session, id),
        GroupsCommand::Create(group) => create(session, group),
        GroupsCommand::AddMembers(members) => change(session, members, true),
        GroupsCommand::RemoveMembers(members) => change(session, members, false),
    }
}

/// `groups list [--filter F] [--count N]`.
fn list(session: &Session, query: &Query) -> Result<Outcome, CliError> {
    let listing = Listing::<Group>::read(session, query.request(), "reading groups")?;
    let mut table = Table::new(["ID", "NAME", "EXTERNAL ID", "MEMBERS"]);
    for group in &listing.items {
        let record = GroupRecord::of(group);
        table.row([
            record.id.unwrap_or_default(),
            record.display_name.unwrap_or_default(),
            record.external_id.unwrap_or_default(),
            record
                .members
                .map_or("-".to_owned(), |m| m.len().to_string()),
        ]);
    }
    let count = listing.items.len();
    let groups: Vec<_> = listing.items.iter().map(to_value).collect();
    let document = json!({"groups": groups, "count": count, "skipped": listing.skipped});
    let human = format!("{}{count} group{}", table.render(), plural(count));
    let status = match listing.skipped.is_empty() {
        true => exit::SUCCESS,
        false => exit::FAILURE,
    };
    Ok(Outcome::new(document, human).with_status(status))
}

/// `groups get ID`.
fn get(session: &Session, id: &str) -> Result<Outcome, CliError> {
    let group = session.client().read_group(id)?;
    Ok(group_outcome(&group, ""))
}

/// `groups create --name N [--external-id X] [--member ID ...]`.
fn create(session: &Session, flags: &NewGroup) -> Result<Outcome, CliError> {
    let group = Group {
        display_name: flags.name.clone().into(),
        external_id: flags
            .external_id
            .clone()
            .map_or(Field::Absent, Field::Value),
        members: match flags.member.is_empty() {
            true => Field::Absent,
            false => Field::Value(flags.member.iter().map(Member::addition).collect()),
        },
        ..Group::default()
    };
    let created = session.client().create_group(&group)?;
    Ok(group_outcome(&created, "created "))
}

/// `groups add-members GROUP ID...` and `groups remove-members GROUP ID...`,
/// in as many PATCHes as the profile takes.
fn change(session: &Session, members: &Members, add: bool) -> Result<Outcome, CliError> {
    let (group, ids) = (&members.group, &members.ids);
    let changes = match add {
        true => MemberChanges::new(ids.iter(), std::iter::empty::<String>()),
        false => MemberChanges::new(std::iter::empty::<String>(), ids.iter()),
    };
    let requests = session
        .client()
        .change_members(session.profile(), group, &changes)?;
    let (verb, preposition) = if add {
        ("added", "to")
    } else {
        ("removed", "from")
    };
    let human = format!(
        "{verb} {} member{} {preposition} group {group} in {requests} request{}",
        ids.len(),
        plural(ids.len()),
        plural(requests)
    );
    let document = json!({"group": group, "added": changes.add, "removed": changes.remove, "requests": requests});
    Ok(Outcome::new(document, human))
}

/// One group: its JSON, and its members as a table, headed by `verb`.
fn group_outcome(group: &Group, verb: &str) -> Outcome {
    let record = GroupRecord::of(group);
    let mut text = format!(
        "{verb}group {} ({})",
        record.id.clone().unwrap_or_default(),
        record.display_name.clone().unwrap_or_default()
    );
    if let Some(external_id) = &record.external_id {
        text.push_str(&format!(", externalId {external_id}"));
    }
    text.push('\n');
    match group.members.value() {
        None => text.push_str("members: not returned by this provider's group reads\n"),
        Some(members) => {
            let mut table = Table::new(["MEMBER", "DISPLAY"]);
            for member in members {
                table.row([
                    member.value.as_deref().unwrap_or_default(),
                    member.display.as_deref().unwrap_or_default(),
                ]);
            }
            text.push_str(&table.render());
            text.push_str(&format!(
                "{} member{}\n",
                members.len(),
                plural(members.len())
            ));
        }
    }
    Outcome::new(to_value(group), text)
}
