//! `scim groups list|get|create|add-members|remove-members`.

use serde_json::json;

use scim_client::model::{Field, Group, Member};
use scim_client::provider::MemberChanges;

use super::{plural, to_value};
use crate::args::Args;
use crate::commands::users::search_request;
use crate::error::CliError;
use crate::exit;
use crate::listing::Listing;
use crate::output::Outcome;
use crate::record::GroupRecord;
use crate::session::Session;
use crate::table::Table;

/// Runs `scim groups …`.
pub(crate) fn run(session: &Session, args: &mut Args) -> Result<Outcome, CliError> {
    let action =
        args.required("a groups command: list, get, create, add-members or remove-members")?;
    match action.as_str() {
        "list" => list(session, args),
        "get" => get(session, args),
        "create" => create(session, args),
        "add-members" => change(session, args, true),
        "remove-members" => change(session, args, false),
        other => Err(CliError::usage(format!(
            "unknown groups command {other:?}: list, get, create, add-members or remove-members"
        ))),
    }
}

/// `groups list [--filter F] [--count N]`.
fn list(session: &Session, args: &mut Args) -> Result<Outcome, CliError> {
    let query = search_request(args)?;
    args.finish()?;
    let listing = Listing::<Group>::read(session, query, "reading groups")?;
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
fn get(session: &Session, args: &mut Args) -> Result<Outcome, CliError> {
    let id = args.required("the group's id")?;
    args.finish()?;
    let group = session.client().read_group(&id)?;
    Ok(group_outcome(&group, ""))
}

/// `groups create --name N [--external-id X] [--member ID ...]`.
fn create(session: &Session, args: &mut Args) -> Result<Outcome, CliError> {
    let name = args.value("--name")?;
    let external_id = args.value("--external-id")?;
    let members = args.values("--member")?;
    args.finish()?;
    let name = name.ok_or_else(|| CliError::usage("groups create needs --name"))?;
    let group = Group {
        display_name: name.into(),
        external_id: external_id.map_or(Field::Absent, Field::Value),
        members: match members.is_empty() {
            true => Field::Absent,
            false => Field::Value(members.iter().map(Member::addition).collect()),
        },
        ..Group::default()
    };
    let created = session.client().create_group(&group)?;
    Ok(group_outcome(&created, "created "))
}

/// `groups add-members GROUP ID...` and `groups remove-members GROUP ID...`,
/// in as many PATCHes as the profile takes.
fn change(session: &Session, args: &mut Args, add: bool) -> Result<Outcome, CliError> {
    let group = args.required("the group's id")?;
    let ids = args.rest();
    args.finish()?;
    if ids.is_empty() {
        return Err(CliError::usage(
            "name at least one member id after the group's id",
        ));
    }
    let changes = match add {
        true => MemberChanges::new(ids.iter(), std::iter::empty::<String>()),
        false => MemberChanges::new(std::iter::empty::<String>(), ids.iter()),
    };
    let requests = session
        .client()
        .change_members(session.profile(), &group, &changes)?;
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
