//! A [`Table`] through a [`Mapping`] to [`Desired`]: every row checked,
//! every problem recorded, and nothing returned if there is one.

use std::collections::HashMap;

use scim_client::model::{Field, Name, User};

use super::error::{SourceError, SourceErrorKind, SourceErrors};
use super::mapping::{Mapping, Target};
use super::table::{Cell, Row, Table};
use super::values::{self, quote};
use crate::desired::{Desired, DesiredGroup, DesiredManager};
use crate::options::MatchKey;

/// A mapped column: where it is in the table, its name there, what it feeds.
struct Binding<'t> {
    index: usize,
    name: &'t str,
    target: Target,
}

/// The users and groups of `table`, or every error (with those already in
/// `errors`, from reading the table).
pub(crate) fn desired(
    table: &Table,
    mapping: &Mapping,
    mut errors: SourceErrors,
) -> Result<Desired, SourceErrors> {
    let empty = Desired {
        match_key: Some(mapping.match_key),
        ..Desired::default()
    };
    if table.header_line.is_none() && table.rows.is_empty() {
        return errors.or_ok(empty); // JSON `[]`: no keys, so none missing
    }
    let Some(bindings) = bind(table, mapping, &mut errors) else {
        return Err(errors);
    };
    let key_target = Target::of_match_key(mapping.match_key);
    let Some(key_column) = bindings.iter().find(|b| b.target == key_target) else {
        // bind() refuses a missing key column; never return no users silently.
        let message = format!("no column feeds {}, the match key", key_target.path());
        errors.push(SourceError::new(SourceErrorKind::MissingKey, message));
        return Err(errors);
    };
    let required = required(table, mapping, key_column.index);
    let mut gathered = Gathered::default();
    let mut lines: HashMap<String, usize> = HashMap::new();
    let mut unique = Unique::new(&bindings);
    for row in &table.rows {
        check_required(row, &required, &mut errors);
        let (user, extras, failed) = user_of(row, &bindings, mapping, &mut errors);
        if failed.contains(&key_target) {
            continue; // its value is already reported
        }
        let key_error = |kind, message: String| {
            SourceError::new(kind, message)
                .at(row.line)
                .in_column(key_column.name)
        };
        let Some(key) = mapping.match_key.of(&user) else {
            let message = format!("no {} (the match key)", key_target.path());
            errors.push(key_error(SourceErrorKind::MissingKey, message));
            continue;
        };
        if let Some(message) = duplicate_key(&mut lines, &key, row.line, &key_target) {
            errors.push(key_error(SourceErrorKind::DuplicateKey, message));
            continue;
        }
        unique.check(&user, row.line, &mut errors);
        gathered.add(user, extras, key, row.line);
    }
    errors.or_ok(Desired {
        match_key: Some(mapping.match_key),
        users: gathered.users,
        groups: gathered.groups.groups,
        managers: gathered.managers,
    })
}

/// The users read so far, with their groups and managers.
#[derive(Default)]
struct Gathered {
    users: Vec<User>,
    groups: Groups,
    managers: Vec<DesiredManager>,
}

impl Gathered {
    /// The user of the row on `line`, whose match key is `key`.
    fn add(&mut self, user: User, extras: Extras<'_>, key: String, line: usize) {
        self.groups.add(&values::list(extras.groups), &key);
        if let Some(manager) = extras.manager {
            self.managers.push(DesiredManager {
                user: key,
                manager,
                line: Some(line),
            });
        }
        self.users.push(user);
    }
}

/// Records `key` as first seen on `line`, or (when an earlier line has it)
/// the message naming that line.
fn duplicate_key(
    lines: &mut HashMap<String, usize>,
    key: &str,
    line: usize,
    target: &Target,
) -> Option<String> {
    if let Some(first) = lines.get(key) {
        let (key, path) = (quote(key), target.path());
        return Some(format!(
            "{key} is also the {path} on line {first} (match keys must be unique)"
        ));
    }
    lines.insert(key.to_owned(), line);
    None
}

/// Finds each mapped column in the table; `None` (with the errors
/// recorded) when a required or match-key column is missing or a mapped
/// column appears twice.
fn bind<'t>(
    table: &'t Table,
    mapping: &Mapping,
    errors: &mut SourceErrors,
) -> Option<Vec<Binding<'t>>> {
    let key_target = Target::of_match_key(mapping.match_key);
    let mut bindings = Vec::new();
    let mut missing: Vec<&str> = Vec::new();
    let mut ok = true;
    for (n, column) in mapping.columns.iter().enumerate() {
        let same_name = |c: &super::mapping::Column| c.name.eq_ignore_ascii_case(&column.name);
        let first_of_name = !mapping.columns[..n].iter().any(same_name);
        let found: Vec<usize> = (0..table.columns.len())
            .filter(|&i| table.columns[i].eq_ignore_ascii_case(&column.name))
            .collect();
        match found[..] {
            [] => {
                let needed = column.target == key_target
                    || mapping
                        .required
                        .iter()
                        .any(|r| r.eq_ignore_ascii_case(&column.name));
                if needed && first_of_name {
                    missing.push(&column.name);
                }
            }
            [index] => bindings.push(Binding {
                index,
                name: &table.columns[index],
                target: column.target.clone(),
            }),
            [first, second, ..] => {
                ok = false;
                if first_of_name {
                    let message = format!(
                        "appears twice (columns {} and {}): which one is meant cannot be guessed",
                        first + 1,
                        second + 1
                    );
                    errors.push(header_error(table, message).in_column(&table.columns[first]));
                }
            }
        }
    }
    if !missing.is_empty() {
        errors.push(missing_columns(table, &missing));
    }
    (ok && missing.is_empty()).then_some(bindings)
}

fn header_error(table: &Table, message: String) -> SourceError {
    let error = SourceError::new(SourceErrorKind::Required, message);
    match table.header_line {
        Some(line) => error.at(line),
        None => error,
    }
}

fn missing_columns(table: &Table, missing: &[&str]) -> SourceError {
    let names = |names: &mut dyn Iterator<Item = &str>| {
        names
            .map(|n| format!("{n:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let found = if table.header_line.is_some() {
        "the header has"
    } else {
        "the keys are"
    };
    let message = format!(
        "missing required columns: {} ({found}: {})",
        names(&mut missing.iter().copied()),
        names(&mut table.columns.iter().map(String::as_str).take(30)),
    );
    header_error(table, message)
}

/// The required columns' indices and names, except the match key's (a row
/// without it gets the clearer match-key error instead).
fn required<'t>(table: &'t Table, mapping: &Mapping, key_index: usize) -> Vec<(usize, &'t str)> {
    (0..table.columns.len())
        .filter(|&i| i != key_index)
        .filter(|&i| {
            mapping
                .required
                .iter()
                .any(|r| r.eq_ignore_ascii_case(&table.columns[i]))
        })
        .map(|i| (i, table.columns[i].as_str()))
        .collect()
}

fn check_required(row: &Row, required: &[(usize, &str)], errors: &mut SourceErrors) {
    for &(index, name) in required {
        let empty = match row.cell(index) {
            Cell::Text(text) => text.trim().is_empty(),
            Cell::List(items) => items.iter().all(|item| item.trim().is_empty()),
            Cell::Missing | Cell::Null => true,
        };
        if empty {
            let error = SourceError::new(SourceErrorKind::Required, "required, but empty");
            errors.push(error.at(row.line).in_column(name));
        }
    }
}

/// What a row gives besides its user.
#[derive(Default)]
struct Extras<'r> {
    /// The names of its groups, as written (not yet trimmed or merged).
    groups: Vec<&'r str>,
    /// Its manager's match key (`Some(None)`: clear the manager), when a
    /// column maps `manager` and the row says.
    manager: Option<Option<String>>,
}

/// The row's user, what else it gives, and the attributes whose values
/// were bad (each reported in `errors`, and left out of the user).
fn user_of<'r>(
    row: &'r Row,
    bindings: &[Binding<'_>],
    mapping: &Mapping,
    errors: &mut SourceErrors,
) -> (User, Extras<'r>, Vec<Target>) {
    let mut user = User::default();
    let mut name = Name::default();
    let mut extras = Extras::default();
    let mut failed = Vec::new();
    for binding in bindings {
        let cell = row.cell(binding.index);
        let applied = apply(
            cell,
            &binding.target,
            mapping,
            (&mut user, &mut name),
            &mut extras,
        );
        if let Err((kind, message)) = applied {
            errors.push(
                SourceError::new(kind, message)
                    .at(row.line)
                    .in_column(binding.name),
            );
            failed.push(binding.target.clone());
        }
    }
    if name != Name::default() {
        user.name = Field::Value(name);
    }
    (user, extras, failed)
}

/// Sets `target` from `cell`: an empty cell is absent, or `null` with
/// [`Mapping::clear_empty`]; a JSON `null` is `null`.
fn apply<'r>(
    cell: &'r Cell,
    target: &Target,
    mapping: &Mapping,
    (user, name): (&mut User, &mut Name),
    extras: &mut Extras<'r>,
) -> Result<(), (SourceErrorKind, String)> {
    let value: Option<&str> = match cell {
        Cell::Missing => return Ok(()),
        Cell::Null => None,
        Cell::Text(text) => match text.trim() {
            "" if mapping.clear_empty => None,
            "" => return Ok(()),
            text => Some(text),
        },
        Cell::List(items) if *target == Target::Groups => {
            extras.groups.extend(items.iter().map(String::as_str));
            return Ok(());
        }
        Cell::List(_) => {
            let message = "a list where one value was expected".to_owned();
            return Err((SourceErrorKind::Value, message));
        }
    };
    match target {
        Target::Groups => extras.groups.extend(
            value
                .into_iter()
                .flat_map(|v| v.split(&*mapping.list_separator)),
        ),
        Target::Manager => {
            extras.manager = Some(value.map(|key| mapping.match_key.normalise(key)));
        }
        Target::Extension(attribute) => attribute.set(user, value),
        Target::Emails => {
            let email = value
                .map(|v| values::work_email(v).map(|e| vec![e]))
                .transpose();
            user.emails = email.map_err(|m| (SourceErrorKind::Email, m))?.into();
        }
        Target::Active => {
            let active = value.map(values::boolean).transpose();
            user.active = active.map_err(|m| (SourceErrorKind::Value, m))?.into();
        }
        other => {
            if let Some(slot) = other.text_field(user, name) {
                *slot = value.map(str::to_owned).into();
            }
        }
    }
    Ok(())
}

/// The groups, in order of first mention, matched by name case-insensitively.
#[derive(Default)]
struct Groups {
    groups: Vec<DesiredGroup>,
    by_name: HashMap<String, usize>,
}

impl Groups {
    fn add(&mut self, names: &[&str], member: &str) {
        for name in names {
            let index = *self.by_name.entry(name.to_lowercase()).or_insert_with(|| {
                self.groups.push(DesiredGroup {
                    display_name: (*name).to_owned(),
                    ..DesiredGroup::default()
                });
                self.groups.len() - 1
            });
            self.groups[index].members.push(member.to_owned());
        }
    }
}

/// The logins and primary emails seen so far, lower-cased, to the line
/// that first had each: two people with one login (or one mailbox) would
/// become one account that both rows overwrite on every run, so the whole
/// source is refused instead. Compared case-insensitively, as the provider
/// does: `userName` and `emails.value` are `caseExact: false` (RFC 7643
/// §4.1.1, §4.1.2), so `Ada` and `ada` are one login.
struct Unique<'t> {
    /// The column feeding `userName`, and each login's first line.
    logins: (Option<&'t str>, HashMap<String, usize>),
    /// The column feeding `emails`, and each primary email's first line.
    emails: (Option<&'t str>, HashMap<String, usize>),
}

impl<'t> Unique<'t> {
    fn new(bindings: &[Binding<'t>]) -> Self {
        let column = |target: Target| bindings.iter().find(|b| b.target == target).map(|b| b.name);
        Unique {
            logins: (column(Target::UserName), HashMap::new()),
            emails: (column(Target::Emails), HashMap::new()),
        }
    }

    /// Records `user`'s login and primary email, reporting each already
    /// on an earlier line (at this line, naming the earlier one).
    fn check(&mut self, user: &User, line: usize, errors: &mut SourceErrors) {
        let login = MatchKey::UserName.of(user);
        let email = MatchKey::PrimaryEmail.of(user);
        for ((column, seen), value, what) in [
            (&mut self.logins, login, "userName (login)"),
            (&mut self.emails, email, "primary email"),
        ] {
            let Some(value) = value else { continue };
            match seen.get(&value) {
                Some(first) => {
                    let message = format!(
                        "{} is also the {what} on line {first} (compared case-insensitively, \
                         as the provider does: two rows would become one account)",
                        quote(&value)
                    );
                    let error = SourceError::new(SourceErrorKind::DuplicateValue, message).at(line);
                    errors.push(match column {
                        Some(column) => error.in_column(column),
                        None => error,
                    });
                }
                None => {
                    seen.insert(value, line);
                }
            }
        }
    }
}
