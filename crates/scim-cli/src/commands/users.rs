//! `scim users list|get|create|patch|deactivate`.

use serde_json::{Value, json};

use scim_client::model::{Field, Name, SearchRequest, TypedValue, User};

use super::{plural, read_json_object, to_value};
use crate::args::Args;
use crate::assignment::{Assignment, changes};
use crate::error::CliError;
use crate::exit;
use crate::listing::Listing;
use crate::output::Outcome;
use crate::record::UserRecord;
use crate::session::Session;
use crate::table::Table;

/// Runs `scim users …`.
pub(crate) fn run(session: &Session, args: &mut Args) -> Result<Outcome, CliError> {
    let action = args.required("a users command: list, get, create, patch or deactivate")?;
    match action.as_str() {
        "list" => list(session, args),
        "get" => get(session, args),
        "create" => create(session, args),
        "patch" => patch(session, args),
        "deactivate" => deactivate(session, args),
        other => Err(CliError::usage(format!(
            "unknown users command {other:?}: list, get, create, patch or deactivate"
        ))),
    }
}

/// `users list [--filter F] [--count N]`: every page; `--count` is the page size.
fn list(session: &Session, args: &mut Args) -> Result<Outcome, CliError> {
    let query = search_request(args)?;
    args.finish()?;
    let listing = Listing::<User>::read(session, query, "reading users")?;
    let mut table = Table::new(["ID", "USERNAME", "DISPLAY NAME", "EMAIL", "TITLE", "ACTIVE"]);
    for user in &listing.items {
        let record = UserRecord::of(user);
        table.row([
            record.id.unwrap_or_default(),
            record.user_name.unwrap_or_default(),
            record.display_name.unwrap_or_default(),
            record.email.unwrap_or_default(),
            record.title.unwrap_or_default(),
            yes_no(record.active),
        ]);
    }
    let count = listing.items.len();
    let human = format!("{}{count} user{}", table.render(), plural(count));
    let document =
        json!({"users": to_json(&listing.items), "count": count, "skipped": listing.skipped});
    let status = if listing.skipped.is_empty() {
        exit::SUCCESS
    } else {
        exit::FAILURE
    };
    Ok(Outcome::new(document, human).with_status(status))
}

/// `--filter` and `--count`, as a search request.
pub(crate) fn search_request(args: &mut Args) -> Result<SearchRequest, CliError> {
    let mut query = SearchRequest::new();
    if let Some(filter) = args.value("--filter")? {
        query = query.filter(filter);
    }
    if let Some(count) = args.value("--count")? {
        let count: u32 = count.parse().ok().filter(|&n| n > 0).ok_or_else(|| {
            CliError::usage(format!("--count takes a positive number, not {count:?}"))
        })?;
        query = query.count(count);
    }
    Ok(query)
}

/// `users get ID`.
fn get(session: &Session, args: &mut Args) -> Result<Outcome, CliError> {
    let id = args.required("the user's id")?;
    args.finish()?;
    let user = session.client().read_user(&id)?;
    Ok(user_outcome(&user, ""))
}

/// `users create --user-name U [...]` or `users create --from-json FILE|-`.
fn create(session: &Session, args: &mut Args) -> Result<Outcome, CliError> {
    let from_json = args.value("--from-json")?;
    let user = user_from_flags(args)?;
    args.finish()?;
    let body = match (from_json, user) {
        (Some(_), Some(_)) => {
            return Err(CliError::usage(
                "--from-json takes the whole user: no other attribute flags with it",
            ));
        }
        (Some(file), None) => read_json_object(&file)?,
        (None, Some(user)) => {
            serde_json::to_value(user).map_err(|e| CliError::input(e.to_string()))?
        }
        (None, None) => {
            return Err(CliError::usage(
                "users create needs --user-name (or --from-json FILE)",
            ));
        }
    };
    let created = session.client().create_user(&body)?;
    Ok(user_outcome(&created, "created "))
}

/// The user the attribute flags describe; `None` when none is given.
fn user_from_flags(args: &mut Args) -> Result<Option<User>, CliError> {
    let user_name = args.value("--user-name")?;
    let email = args.value("--email")?;
    let given = args.value("--given-name")?;
    let family = args.value("--family-name")?;
    let others = [
        args.value("--external-id")?,
        args.value("--title")?,
        args.value("--display-name")?,
    ];
    let any = user_name.is_some()
        || email.is_some()
        || given.is_some()
        || family.is_some()
        || others.iter().any(Option::is_some);
    if !any {
        return Ok(None);
    }
    let user_name = user_name.ok_or_else(|| CliError::usage("users create needs --user-name"))?;
    let [external_id, title, display_name] = others;
    let name = (given.is_some() || family.is_some()).then(|| Name {
        given_name: field(given),
        family_name: field(family),
        ..Name::default()
    });
    let email = email.map(|address| TypedValue {
        value: address.into(),
        kind: "work".into(),
        primary: true.into(),
        ..TypedValue::default()
    });
    Ok(Some(User {
        user_name: user_name.into(),
        external_id: field(external_id),
        title: field(title),
        display_name: field(display_name),
        name: field(name),
        emails: field(email.map(|e| vec![e])),
        ..User::default()
    }))
}

/// Absent when not given (so it is not sent), else the value.
fn field<T>(value: Option<T>) -> Field<T> {
    value.map_or(Field::Absent, Field::Value)
}

/// `users patch ID --set path=value ... [--set-json path=JSON ...]`.
fn patch(session: &Session, args: &mut Args) -> Result<Outcome, CliError> {
    let mut assignments = args
        .values("--set")?
        .iter()
        .map(|text| Assignment::parse(text))
        .collect::<Result<Vec<_>, _>>()?;
    for text in args.values("--set-json")? {
        assignments.push(Assignment::parse_json(&text)?);
    }
    let id = args.required("the user's id")?;
    args.finish()?;
    if assignments.is_empty() {
        return Err(CliError::usage(
            "users patch needs at least one --set path=value",
        ));
    }
    let patched = apply(session, &id, &assignments)?;
    Ok(user_outcome(&patched, "patched "))
}

/// Sends the PATCH in the profile's form; the user as it is afterwards.
fn apply(session: &Session, id: &str, assignments: &[Assignment]) -> Result<User, CliError> {
    let client = session.client();
    let form = session.profile().patch;
    let changes = changes(assignments);
    let current = match changes.needs_current(form) {
        true => Some(to_value(&client.read_user(id)?)),
        false => None,
    };
    let body = changes.render(form, current.as_ref())?;
    match client.patch_user(id, &body)? {
        Some(user) => Ok(user),
        None => Ok(client.read_user(id)?),
    }
}

/// `users deactivate ID`: `active` false by PATCH, never DELETE.
fn deactivate(session: &Session, args: &mut Args) -> Result<Outcome, CliError> {
    let id = args.required("the user's id")?;
    args.finish()?;
    let inactive = Assignment {
        path: "active".into(),
        value: Value::Bool(false),
    };
    let user = apply(session, &id, &[inactive])?;
    Ok(user_outcome(&user, "deactivated "))
}

/// One user: its JSON, and its attributes as a two-column table, headed
/// by `verb` (`"created "`) when there is one.
fn user_outcome(user: &User, verb: &str) -> Outcome {
    let record = UserRecord::of(user);
    let mut table = Table::new(["ATTRIBUTE", "VALUE"]);
    let rows = [
        ("id", record.id.clone()),
        ("userName", record.user_name.clone()),
        ("externalId", record.external_id),
        ("displayName", record.display_name),
        ("name.givenName", record.given_name),
        ("name.familyName", record.family_name),
        ("title", record.title),
        ("email", record.email),
        ("active", record.active.map(|a| a.to_string())),
    ];
    for (name, value) in rows {
        table.row([name.to_owned(), value.unwrap_or_default()]);
    }
    for group in user.groups.value().into_iter().flatten() {
        let display = group.display.as_deref().unwrap_or_default();
        let id = group.value.as_deref().unwrap_or_default();
        table.row(["group".to_owned(), format!("{display} ({id})")]);
    }
    let heading = match verb {
        "" => String::new(),
        verb => format!(
            "{verb}user {} ({})\n",
            record.id.unwrap_or_default(),
            record.user_name.unwrap_or_default()
        ),
    };
    Outcome::new(to_value(user), heading + &table.render())
}

fn to_json<T: serde::Serialize>(resources: &[T]) -> Vec<Value> {
    resources.iter().map(to_value).collect()
}

fn yes_no(active: Option<bool>) -> String {
    match active {
        Some(true) => "yes".into(),
        Some(false) => "no".into(),
        None => String::new(),
    }
}
