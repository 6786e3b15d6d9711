//! [`Mapping`]: which column (or JSON key) feeds which SCIM attribute, read
//! from a small JSON mapping file.

use scim_client::model::{Field, Name, User};
use serde::Deserialize;
use serde_json::Value;

use super::error::{SourceError, SourceErrorKind};
use super::json::Pairs;
use crate::options::MatchKey;

/// A SCIM attribute a column can feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Target {
    /// `externalId`.
    ExternalId,
    /// `userName`.
    UserName,
    /// `displayName`.
    DisplayName,
    /// `nickName`.
    NickName,
    /// `title`.
    Title,
    /// `userType`.
    UserType,
    /// `preferredLanguage`.
    PreferredLanguage,
    /// `locale`.
    Locale,
    /// `timezone`.
    Timezone,
    /// `profileUrl`.
    ProfileUrl,
    /// `name.givenName`.
    GivenName,
    /// `name.familyName`.
    FamilyName,
    /// `name.middleName`.
    MiddleName,
    /// `name.formatted`.
    FormattedName,
    /// `name.honorificPrefix`.
    HonorificPrefix,
    /// `name.honorificSuffix`.
    HonorificSuffix,
    /// `emails`: the user's one email, written as the primary `work` email.
    Emails,
    /// `active`: `true`/`false`, `yes`/`no` or `1`/`0`, in any case.
    Active,
    /// `groups`: the names of the groups the user is in, separated by
    /// [`Mapping::list_separator`] (or a JSON array); builds
    /// [`Desired::groups`](crate::Desired::groups).
    Groups,
}

impl Target {
    /// The text attribute this target names, in `user` (or in `name` for
    /// `name.*`); `None` for the ones that are not plain text (emails,
    /// active, groups). Every source fills users through it.
    pub fn text_field<'u>(
        self,
        user: &'u mut User,
        name: &'u mut Name,
    ) -> Option<&'u mut Field<String>> {
        Some(match self {
            Target::ExternalId => &mut user.external_id,
            Target::UserName => &mut user.user_name,
            Target::DisplayName => &mut user.display_name,
            Target::NickName => &mut user.nick_name,
            Target::Title => &mut user.title,
            Target::UserType => &mut user.user_type,
            Target::PreferredLanguage => &mut user.preferred_language,
            Target::Locale => &mut user.locale,
            Target::Timezone => &mut user.timezone,
            Target::ProfileUrl => &mut user.profile_url,
            Target::GivenName => &mut name.given_name,
            Target::FamilyName => &mut name.family_name,
            Target::MiddleName => &mut name.middle_name,
            Target::FormattedName => &mut name.formatted,
            Target::HonorificPrefix => &mut name.honorific_prefix,
            Target::HonorificSuffix => &mut name.honorific_suffix,
            Target::Emails | Target::Active | Target::Groups => return None,
        })
    }
}

impl Target {
    /// Every target, in the order [`Mapping::default`] maps them.
    pub const ALL: [Target; 19] = [
        Target::ExternalId,
        Target::UserName,
        Target::DisplayName,
        Target::NickName,
        Target::Title,
        Target::UserType,
        Target::PreferredLanguage,
        Target::Locale,
        Target::Timezone,
        Target::ProfileUrl,
        Target::GivenName,
        Target::FamilyName,
        Target::MiddleName,
        Target::FormattedName,
        Target::HonorificPrefix,
        Target::HonorificSuffix,
        Target::Emails,
        Target::Active,
        Target::Groups,
    ];

    /// The SCIM path, as a mapping file writes it (`name.givenName`).
    pub fn path(self) -> &'static str {
        match self {
            Target::ExternalId => "externalId",
            Target::UserName => "userName",
            Target::DisplayName => "displayName",
            Target::NickName => "nickName",
            Target::Title => "title",
            Target::UserType => "userType",
            Target::PreferredLanguage => "preferredLanguage",
            Target::Locale => "locale",
            Target::Timezone => "timezone",
            Target::ProfileUrl => "profileUrl",
            Target::GivenName => "name.givenName",
            Target::FamilyName => "name.familyName",
            Target::MiddleName => "name.middleName",
            Target::FormattedName => "name.formatted",
            Target::HonorificPrefix => "name.honorificPrefix",
            Target::HonorificSuffix => "name.honorificSuffix",
            Target::Emails => "emails",
            Target::Active => "active",
            Target::Groups => "groups",
        }
    }

    /// The target at a SCIM path, compared case-insensitively (RFC 7643
    /// §2.1: attribute names are case-insensitive).
    pub fn from_path(path: &str) -> Option<Target> {
        Target::ALL
            .into_iter()
            .find(|t| t.path().eq_ignore_ascii_case(path))
    }

    /// The target that holds a match key's value.
    pub fn of_match_key(key: MatchKey) -> Target {
        match key {
            MatchKey::ExternalId => Target::ExternalId,
            MatchKey::UserName => Target::UserName,
            MatchKey::PrimaryEmail => Target::Emails,
        }
    }
}

/// One column (CSV header field or JSON key) and the attribute it feeds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Column {
    /// The column's name, matched with the source's case-insensitively.
    pub name: String,
    /// The attribute.
    pub target: Target,
}

/// How a source's columns become users and groups.
///
/// Columns the mapping does not name are ignored; a mapped column the
/// source lacks is fine unless it is [`required`](Self::required) or feeds
/// the match key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mapping {
    /// The key users are matched on; the groups' members are written in it.
    pub match_key: MatchKey,
    /// Which column feeds which attribute (a column may feed several; an
    /// attribute is fed by one column at most).
    pub columns: Vec<Column>,
    /// Columns that must be in the source, with a value in every row.
    pub required: Vec<String>,
    /// What separates group names in a `groups` cell (default `;`).
    pub list_separator: String,
    /// The CSV field delimiter (default `,`), an ASCII character.
    pub delimiter: char,
    /// An empty cell clears the attribute (`null`) instead of leaving it
    /// alone (absent: not the source's to say). Default false.
    pub clear_empty: bool,
}

impl Default for Mapping {
    /// Every [`Target`] from the column named by its path (`externalId`,
    /// `name.givenName`, `emails`, …), matched on `externalId`.
    fn default() -> Self {
        Mapping {
            match_key: MatchKey::ExternalId,
            columns: Target::ALL
                .into_iter()
                .map(|target| Column {
                    name: target.path().to_owned(),
                    target,
                })
                .collect(),
            required: Vec::new(),
            list_separator: ";".to_owned(),
            delimiter: ',',
            clear_empty: false,
        }
    }
}

/// The mapping file, as written.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct File {
    #[serde(default = "default_match_key")]
    match_key: MatchKey,
    columns: Pairs,
    #[serde(default)]
    required: Vec<String>,
    #[serde(default)]
    list_separator: Option<String>,
    #[serde(default)]
    delimiter: Option<String>,
    #[serde(default)]
    clear_empty: bool,
}

fn default_match_key() -> MatchKey {
    MatchKey::ExternalId
}

fn mapping_error(message: impl Into<String>) -> SourceError {
    SourceError::new(SourceErrorKind::Mapping, message)
}

impl Mapping {
    /// Reads a mapping file:
    ///
    /// ```json
    /// {"matchKey": "externalId",
    ///  "columns": {"Employee ID": "externalId", "Email": ["emails", "userName"],
    ///              "First": "name.givenName", "Teams": "groups"},
    ///  "required": ["Employee ID", "Email"],
    ///  "listSeparator": ";", "delimiter": ",", "clearEmpty": false}
    /// ```
    ///
    /// Only `columns` is needed. An unknown attribute path, an unknown key,
    /// or a mapping that [`validate`](Self::validate) refuses is an error
    /// naming it (and its line, for JSON errors and unknown paths).
    pub fn from_json(text: &str) -> Result<Mapping, SourceError> {
        let file: File = serde_json::from_str(text).map_err(|e| {
            let full = e.to_string();
            let suffix = format!(" at line {} column {}", e.line(), e.column());
            let error = mapping_error(full.strip_suffix(&suffix).unwrap_or(&full));
            if e.line() > 0 {
                error.at(e.line())
            } else {
                error
            }
        })?;
        let mut columns = Vec::new();
        for (name, value) in file.columns.0 {
            for target in targets(&name, value, text)? {
                columns.push(Column {
                    name: name.clone(),
                    target,
                });
            }
        }
        let mapping = Mapping {
            match_key: file.match_key,
            columns,
            required: file.required,
            list_separator: file.list_separator.unwrap_or_else(|| ";".to_owned()),
            delimiter: one_char(file.delimiter.as_deref().unwrap_or(","))?,
            clear_empty: file.clear_empty,
        };
        mapping.validate()?;
        Ok(mapping)
    }

    /// Checks the mapping on its own: at least one column, no attribute fed
    /// by two columns, the match key's attribute mapped, every required
    /// column mapped, a non-empty list separator, an ASCII delimiter other
    /// than a quote or line break. The readers call it first.
    pub fn validate(&self) -> Result<(), SourceError> {
        if self.columns.is_empty() {
            return Err(mapping_error("the mapping maps no columns"));
        }
        for (index, column) in self.columns.iter().enumerate() {
            if let Some(other) = self.columns[..index]
                .iter()
                .find(|c| c.target == column.target)
            {
                return Err(mapping_error(format!(
                    "{} is mapped from both {:?} and {:?}",
                    column.target.path(),
                    other.name,
                    column.name
                )));
            }
        }
        let key = Target::of_match_key(self.match_key);
        if self.column_for(key).is_none() {
            return Err(mapping_error(format!(
                "no column feeds {}, the match key",
                key.path()
            )));
        }
        if let Some(name) = self.required.iter().find(|name| {
            !self
                .columns
                .iter()
                .any(|c| c.name.eq_ignore_ascii_case(name))
        }) {
            return Err(mapping_error(format!(
                "required column {name:?} is not mapped to any attribute"
            )));
        }
        if self.list_separator.is_empty() {
            return Err(mapping_error("the list separator is empty"));
        }
        if !self.delimiter.is_ascii() || matches!(self.delimiter, '"' | '\r' | '\n') {
            return Err(mapping_error(format!(
                "the delimiter {:?} must be one ASCII character other than a quote or line break",
                self.delimiter
            )));
        }
        Ok(())
    }

    /// The column that feeds `target`, if any.
    pub fn column_for(&self, target: Target) -> Option<&Column> {
        self.columns.iter().find(|c| c.target == target)
    }
}

/// The targets a column's value in the file names: a path or a list of them.
fn targets(column: &str, value: Value, text: &str) -> Result<Vec<Target>, SourceError> {
    let paths = match value {
        Value::String(path) => vec![path],
        Value::Array(items) => items
            .into_iter()
            .map(|item| match item {
                Value::String(path) => Ok(path),
                other => Err(other),
            })
            .collect::<Result<_, _>>()
            .map_err(|other| {
                mapping_error(format!("expected an attribute path, found {other}"))
                    .in_column(column)
            })?,
        other => {
            return Err(mapping_error(format!(
                "expected an attribute path or a list of them, found {other}"
            ))
            .in_column(column));
        }
    };
    paths
        .iter()
        .map(|path| {
            Target::from_path(path).ok_or_else(|| {
                let known: Vec<_> = Target::ALL.iter().map(|t| t.path()).collect();
                let error = mapping_error(format!(
                    "unknown SCIM attribute {path:?} (known: {})",
                    known.join(", ")
                ))
                .in_column(column);
                match line_of(text, &format!("{path:?}")) {
                    Some(line) => error.at(line),
                    None => error,
                }
            })
        })
        .collect()
}

/// The 1-based line of the first occurrence of `needle` in `text`.
fn line_of(text: &str, needle: &str) -> Option<usize> {
    let at = text.find(needle)?;
    Some(1 + text[..at].bytes().filter(|&b| b == b'\n').count())
}

fn one_char(text: &str) -> Result<char, SourceError> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(mapping_error(format!(
            "the delimiter {text:?} must be exactly one character"
        ))),
    }
}
