//! `scim users list|get|create|patch|deactivate`.

use serde_json::{Value, json};

use scim_client::model::{Field, Name, TypedValue, User};

use super::{plural, read_json_object, to_value};
use crate::assignment::{Assignment, changes};
use crate::error::CliError;
use crate::exit;
use crate::listing::{Listing, Query};
use crate::output::Outcome;
use crate::record::UserRecord;
use crate::session::Session;
use crate::table::Table;

/// The `users` commands and their flags.
#[derive(Debug, Clone, clap::Subcommand)]
pub(crate) enum UsersCommand {
    /// Every user, all pages, as a table (or --json)
    #[command(after_help = "Examples:
  scim users list
  scim --json users list --filter 'active eq true' --count 100")]
    List(Query),
    /// One user by id, with the groups it is in
    #[command(after_help = "Examples:
  scim users get W0000000001
  scim --json users get W0000000001")]
    Get {
        /// The user's id
        id: String,
    },
    /// Create a user from flags, or from a whole SCIM user in JSON
    #[command(after_help = "Examples:
  scim users create --user-name ada --email ada@example.com --given-name Ada --family-name Lovelace
  scim users create --from-json user.json
  echo '{\"userName\": \"grace\"}' | scim users create --from-json -")]
    Create(NewUser),
    /// Change attributes by PATCH, in the profile's PATCH form
    #[command(after_help = "\
VALUE true, false and null are JSON (null clears), anything else a string; --set-json takes any
JSON value.

Examples:
  scim users patch W0000000001 --set title=Director --set name.givenName=Ada
  scim users patch W0000000001 --set-json 'emails=[{\"value\": \"ada@example.com\", \"primary\": true}]'")]
    Patch(Changes),
    /// Set active=false by PATCH (never DELETE)
    #[command(after_help = "Examples:
  scim users deactivate W0000000001")]
    Deactivate {
        /// The user's id
        id: String,
    },
}

/// `users create`'s flags.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct NewUser {
    /// The login (required unless --from-json)
    #[arg(
        long,
        value_name = "U",
        allow_hyphen_values = true,
        required_unless_present = "from_json"
    )]
    user_name: Option<String>,
    /// The work email, primary
    #[arg(long, value_name = "E", allow_hyphen_values = true)]
    email: Option<String>,
    /// name.givenName
    #[arg(long, value_name = "G", allow_hyphen_values = true)]
    given_name: Option<String>,
    /// name.familyName
    #[arg(long, value_name = "F", allow_hyphen_values = true)]
    family_name: Option<String>,
    /// The externalId: the source's key for this user
    #[arg(long, value_name = "X", allow_hyphen_values = true)]
    external_id: Option<String>,
    /// The job title
    #[arg(long, value_name = "T", allow_hyphen_values = true)]
    title: Option<String>,
    /// The display name
    #[arg(long, value_name = "D", allow_hyphen_values = true)]
    display_name: Option<String>,
    /// A whole user as SCIM JSON, from FILE or - (stdin); takes no other attribute flag
    #[arg(long, value_name = "FILE|-", conflicts_with_all = [
        "user_name", "email", "given_name", "family_name", "external_id", "title", "display_name",
    ])]
    from_json: Option<String>,
}

/// `users patch`'s id and changes.
#[derive(Debug, Clone, clap::Args)]
#[command(group(clap::ArgGroup::new("changes").required(true).multiple(true)
    .args(["set", "set_json"])))]
pub(crate) struct Changes {
    /// The user's id
    id: String,
    /// Set the attribute at PATH (title, name.givenName, URN-qualified) to VALUE
    #[arg(long, value_name = "PATH=VALUE", allow_hyphen_values = true, value_parser = Assignment::parse)]
    set: Vec<Assignment>,
    /// Set the attribute at PATH to a JSON value
    #[arg(long, value_name = "PATH=JSON", allow_hyphen_values = true, value_parser = Assignment::parse_json)]
    set_json: Vec<Assignment>,
}

/// Runs `scim users …`.
pub(crate) fn run(session: &Session, command: &UsersCommand) -> Result<Outcome, CliError> {
    match command {
        UsersCommand::List(query) => list(session, query),
        UsersCommand::Get { id } => get(session, id),
        UsersCommand::Create(user) => create(session, user),
        UsersCommand::Patch(changes) => patch(session, changes),
        UsersCommand::Deactivate { id } => deactivate(session, id),
    }
}

/// `users list [--filter F] [--count N]`: every page; `--count` is the page size.
fn list(session: &Session, query: &Query) -> Result<Outcome, CliError> {
    let listing = Listing::<User>::read(session, query.request(), "reading users")?;
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

/// `users get ID`.
fn get(session: &Session, id: &str) -> Result<Outcome, CliError> {
    let user = session.client().read_user(id)?;
    Ok(user_outcome(&user, ""))
}

/// `users create --user-name U [...]` or `users create --from-json FILE|-`.
fn create(session: &Session, flags: &NewUser) -> Result<Outcome, CliError> {
    let body = match (&flags.from_json, user_from_flags(flags)) {
        (Some(file), _) => read_json_object(file)?,
        (None, Some(user)) => {
            serde_json::to_value(user).map_err(|e| CliError::input(e.to_string()))?
        }
        // clap requires --user-name without --from-json.
        (None, None) => return Err(CliError::usage("users create needs --user-name")),
    };
    let created = session.client().create_user(&body)?;
    Ok(user_outcome(&created, "created "))
}

/// The user the attribute flags describe; `None` without `--user-name`.
fn user_from_flags(flags: &NewUser) -> Option<User> {
    let user_name = flags.user_name.clone()?;
    let (given, family) = (flags.given_name.clone(), flags.family_name.clone());
    let name = (given.is_some() || family.is_some()).then(|| Name {
        given_name: field(given),
        family_name: field(family),
        ..Name::default()
    });
    let email = flags.email.clone().map(|address| TypedValue {
        value: address.into(),
        kind: "work".into(),
        primary: true.into(),
        ..TypedValue::default()
    });
    Some(User {
        user_name: user_name.into(),
        external_id: field(flags.external_id.clone()),
        title: field(flags.title.clone()),
        display_name: field(flags.display_name.clone()),
        name: field(name),
        emails: field(email.map(|e| vec![e])),
        ..User::default()
    })
}

/// Absent when not given (so it is not sent), else the value.
fn field<T>(value: Option<T>) -> Field<T> {
    value.map_or(Field::Absent, Field::Value)
}

/// `users patch ID --set path=value ... [--set-json path=JSON ...]`.
fn patch(session: &Session, flags: &Changes) -> Result<Outcome, CliError> {
    let assignments = [flags.set.as_slice(), flags.set_json.as_slice()].concat();
    let patched = apply(session, &flags.id, &assignments)?;
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
fn deactivate(session: &Session, id: &str) -> Result<Outcome, CliError> {
    let inactive = Assignment {
        path: "active".into(),
        value: Value::Bool(false),
    };
    let user = apply(session, id, &[inactive])?;
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
