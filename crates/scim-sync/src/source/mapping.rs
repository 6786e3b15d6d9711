//! [`Mapping`]: which column (or JSON key) feeds which SCIM attribute, read
//! from a small JSON mapping file.

use std::borrow::Cow;

use scim_client::filter::AttrPath;
use scim_client::model::{
    ENTERPRISE_V1, ENTERPRISE_V2, EnterpriseUser, Field, Name, USER_V2, User,
};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::error::{SourceError, SourceErrorKind};
use super::json::Pairs;
use crate::options::MatchKey;

/// A SCIM attribute a column can feed.
///
/// The enterprise User extension's attributes (RFC 7643 §4.3:
/// `employeeNumber`, `costCenter`, `organization`, `division`,
/// `department`, `manager`) are targets of their own, written under the
/// URN the provider's dialect uses
/// ([`Dialect::enterprise_urn`](scim_client::Dialect::enterprise_urn)); any
/// other extension's attribute is an [`Extension`](Target::Extension).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
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
    /// `employeeNumber` of the enterprise extension (RFC 7643 §4.3).
    EmployeeNumber,
    /// `costCenter` of the enterprise extension (RFC 7643 §4.3).
    CostCenter,
    /// `organization` of the enterprise extension (RFC 7643 §4.3).
    Organization,
    /// `division` of the enterprise extension (RFC 7643 §4.3).
    Division,
    /// `department` of the enterprise extension (RFC 7643 §4.3).
    Department,
    /// `manager` of the enterprise extension (RFC 7643 §4.3): the column
    /// holds the **manager's match key** in the source (their employee id,
    /// when users are matched on `externalId`), not the provider's id. It
    /// builds [`Desired::managers`](crate::Desired::managers); the planner
    /// resolves each key to the manager's id at the provider (or to the
    /// user its plan creates) and writes it as `manager.value` (RFC 7643)
    /// or `manager.managerId` (Slack).
    Manager,
    /// An attribute of any other schema extension, written verbatim (its
    /// URN and name as the mapping spells them) into that extension's
    /// object, as text.
    Extension(ExtensionAttribute),
}

/// An attribute of a schema extension other than the enterprise one: its
/// URN and attribute name, kept as the mapping spells them and compared
/// without regard to case (RFC 7643 §2.1: attribute names, and so the
/// URNs that qualify them, are case-insensitive).
///
/// A mapping names one as `URN:attribute` (RFC 7644 §3.10's notation) or
/// `URN.attribute` (the planner's, as in
/// [`PlanOptions::managed`](crate::PlanOptions::managed)); either way its
/// [`path`](Target::path) is the second.
#[derive(Clone, Debug)]
pub struct ExtensionAttribute {
    urn: String,
    name: String,
}

impl ExtensionAttribute {
    /// The attribute `name` of the extension `urn`, or why it cannot be one:
    /// the URN must be `urn:` and at least two more parts, its last part
    /// without a dot (the planner's `URN.attribute` paths could not tell
    /// where it ends), and both must be valid in an attribute path (RFC
    /// 7644 §3.10: the name starts with a letter, then letters, digits, `-`
    /// or `_`). A sub-attribute is not a target: a column fills a simple
    /// attribute.
    pub fn new(urn: &str, name: &str) -> Result<ExtensionAttribute, SourceError> {
        let parts: Vec<&str> = urn.split(':').collect();
        let last = parts.last().copied().unwrap_or_default();
        if parts.len() < 3
            || !parts[0].eq_ignore_ascii_case("urn")
            || parts.iter().any(|part| part.is_empty())
        {
            return Err(mapping_error(format!(
                "{urn:?} is not a schema URN (urn:<namespace>:<name>)"
            )));
        }
        if last.contains('.') {
            return Err(mapping_error(format!(
                "the schema URN {urn:?} ends in a part with a dot ({last:?}), \
                 which the planner's URN.attribute paths cannot tell from the attribute"
            )));
        }
        let path = format!("{urn}:{name}");
        match AttrPath::parse(&path) {
            Ok(parsed) if parsed.sub_attr.is_none() && parsed.name == name => {
                Ok(ExtensionAttribute {
                    urn: urn.to_owned(),
                    name: name.to_owned(),
                })
            }
            _ => Err(mapping_error(format!(
                "{name:?} is not an attribute name (a letter, then letters, digits, - or _; \
                 no sub-attribute)"
            ))),
        }
    }

    /// The extension's schema URN, as the mapping spells it.
    pub fn urn(&self) -> &str {
        &self.urn
    }

    /// The attribute's name, as the mapping spells it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Sets the attribute in `user`'s extension object (created when
    /// absent), kept in [`User::extra`] under the URN as spelled: `value`
    /// as a string, or `null` (clear it).
    pub fn set(&self, user: &mut User, value: Option<&str>) {
        let slot = user
            .extra
            .entry(self.urn.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if !slot.is_object() {
            *slot = Value::Object(Map::new());
        }
        if let Value::Object(object) = slot {
            object.insert(self.name.clone(), value.map_or(Value::Null, Value::from));
        }
    }
}

impl PartialEq for ExtensionAttribute {
    fn eq(&self, other: &Self) -> bool {
        self.urn.eq_ignore_ascii_case(&other.urn) && self.name.eq_ignore_ascii_case(&other.name)
    }
}

impl Eq for ExtensionAttribute {}

impl std::hash::Hash for ExtensionAttribute {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.urn.to_ascii_lowercase().hash(state);
        self.name.to_ascii_lowercase().hash(state);
    }
}

/// The enterprise extension of `user` (RFC 7643 §4.3, under its RFC 7643
/// URN: the planner writes it under the provider's), created when absent.
fn enterprise(user: &mut User) -> Option<&mut EnterpriseUser> {
    if user.enterprise_v2.value().is_none() {
        user.enterprise_v2 = EnterpriseUser::default().into();
    }
    user.enterprise_v2.value_mut()
}

impl Target {
    /// The text attribute this target names, in `user` (or in `name` for
    /// `name.*`; in the enterprise extension, RFC 7643 §4.3, for its text
    /// attributes, the extension created when absent); `None` for the ones
    /// that are not plain text of the `User` model (emails, active, groups,
    /// manager, other extensions). Every source fills users through it.
    pub fn text_field<'u>(
        &self,
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
            Target::EmployeeNumber => &mut enterprise(user)?.employee_number,
            Target::CostCenter => &mut enterprise(user)?.cost_center,
            Target::Organization => &mut enterprise(user)?.organization,
            Target::Division => &mut enterprise(user)?.division,
            Target::Department => &mut enterprise(user)?.department,
            Target::Emails
            | Target::Active
            | Target::Groups
            | Target::Manager
            | Target::Extension(_) => return None,
        })
    }
}

impl Target {
    /// Every target but [`Extension`](Target::Extension), in the order
    /// [`Mapping::default`] maps them.
    pub const ALL: [Target; 25] = [
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
        Target::EmployeeNumber,
        Target::CostCenter,
        Target::Organization,
        Target::Division,
        Target::Department,
        Target::Manager,
    ];

    /// The SCIM path, as a mapping file writes it (`name.givenName`,
    /// `department`; an extension's attribute as `URN.attribute`).
    pub fn path(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
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
            Target::EmployeeNumber => "employeeNumber",
            Target::CostCenter => "costCenter",
            Target::Organization => "organization",
            Target::Division => "division",
            Target::Department => "department",
            Target::Manager => "manager",
            Target::Extension(attribute) => {
                return Cow::Owned(format!("{}.{}", attribute.urn, attribute.name));
            }
        })
    }

    /// The path the planner manages this target's attribute by, for
    /// [`PlanOptions::managed`](crate::PlanOptions::managed): the core
    /// attribute's path, an enterprise attribute under RFC 7643's URN
    /// (`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User.department`;
    /// the planner writes it under the provider's), an extension's as
    /// `URN.attribute`. `None` for `externalId` (the planner always writes
    /// it: it is how accounts are matched and owned) and `groups` (not an
    /// attribute of the user).
    pub fn managed_path(&self) -> Option<String> {
        match self {
            Target::ExternalId | Target::Groups => None,
            Target::EmployeeNumber
            | Target::CostCenter
            | Target::Organization
            | Target::Division
            | Target::Department
            | Target::Manager => Some(format!("{ENTERPRISE_V2}.{}", self.path())),
            other => Some(other.path().into_owned()),
        }
    }

    /// The target at a SCIM path, as a mapping file writes it (RFC 7643
    /// §2.1: attribute names and URNs compared without regard to case):
    ///
    /// - a core attribute (`title`, `name.givenName`, `emails`), also
    ///   qualified by the core schema's URN
    ///   (`urn:ietf:params:scim:schemas:core:2.0:User:title`);
    /// - an enterprise attribute by its name (`department`), or qualified
    ///   by RFC 7643's URN or Slack v1's (`…:enterprise:2.0:User:department`,
    ///   `…:enterprise:2.0:User.department`);
    /// - any other extension's attribute, `URN:attribute` or
    ///   `URN.attribute` ([`ExtensionAttribute::new`] says what is valid).
    ///
    /// The error ([`SourceErrorKind::Mapping`](super::SourceErrorKind::Mapping))
    /// says why a path is not a target.
    pub fn parse(path: &str) -> Result<Target, SourceError> {
        if let Some(target) = Target::named(path) {
            return Ok(target);
        }
        if !prefix_ci(path, "urn:") {
            let known: Vec<Cow<'_, str>> = Target::ALL.iter().map(Target::path).collect();
            return Err(mapping_error(format!(
                "unknown SCIM attribute {path:?} (known: {}; or an extension's \
                 attribute, urn:…:attribute)",
                known.join(", ")
            )));
        }
        for (urn, enterprise) in [
            (USER_V2, false),
            (ENTERPRISE_V2, true),
            (ENTERPRISE_V1, true),
        ] {
            let Some(rest) = qualified_by(path, urn) else {
                continue;
            };
            return Target::named(rest)
                .filter(|target| enterprise == target.is_enterprise())
                .ok_or_else(|| {
                    mapping_error(format!("{rest:?} is not an attribute of the schema {urn}"))
                });
        }
        let last_colon = path.rfind(':').unwrap_or_default();
        let (urn, name) = match path[last_colon..].find('.') {
            Some(dot) => (&path[..last_colon + dot], &path[last_colon + dot + 1..]),
            None => (&path[..last_colon], &path[last_colon + 1..]),
        };
        ExtensionAttribute::new(urn, name).map(Target::Extension)
    }

    /// The named target at `path` (one of [`ALL`](Self::ALL)).
    fn named(path: &str) -> Option<Target> {
        Target::ALL
            .into_iter()
            .find(|t| t.path().eq_ignore_ascii_case(path))
    }

    /// True for the enterprise extension's attributes.
    fn is_enterprise(&self) -> bool {
        matches!(
            self,
            Target::EmployeeNumber
                | Target::CostCenter
                | Target::Organization
                | Target::Division
                | Target::Department
                | Target::Manager
        )
    }

    /// The target at a SCIM path, if it is one ([`parse`](Self::parse)
    /// says why not).
    pub fn from_path(path: &str) -> Option<Target> {
        Target::parse(path).ok()
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

/// True when `text` starts with `prefix`, compared without regard to ASCII case.
fn prefix_ci(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// What follows `urn` and a `:` or `.` in `path`, when `path` is qualified
/// by it.
fn qualified_by<'p>(path: &'p str, urn: &str) -> Option<&'p str> {
    if !prefix_ci(path, urn) {
        return None;
    }
    let rest = &path[urn.len()..];
    rest.strip_prefix(':').or_else(|| rest.strip_prefix('.'))
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
                    name: target.path().into_owned(),
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
        if self.column_for(&key).is_none() {
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
    pub fn column_for(&self, target: &Target) -> Option<&Column> {
        self.columns.iter().find(|c| c.target == *target)
    }

    /// The attributes this mapping feeds, as
    /// [`PlanOptions::managed`](crate::PlanOptions::managed) names them
    /// ([`Target::managed_path`]), in column order, each once: what a plan
    /// from this source should manage. A mapped attribute the plan does not
    /// manage is read and then left alone ("not the source's to say").
    pub fn managed(&self) -> Vec<String> {
        let mut managed: Vec<String> = Vec::new();
        for path in self.columns.iter().filter_map(|c| c.target.managed_path()) {
            if !managed.iter().any(|m| m.eq_ignore_ascii_case(&path)) {
                managed.push(path);
            }
        }
        managed
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
            Target::parse(path).map_err(|error| {
                let error = error.in_column(column);
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
