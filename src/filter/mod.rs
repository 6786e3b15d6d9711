//! SCIM filters (RFC 7644 §3.4.2.2): a typed builder, a printer and a parser.
//!
//! Values are printed as JSON strings, so a hostile value (quotes, `or`,
//! brackets, backslashes) stays one value and can never change the filter's
//! structure:
//!
//! ```
//! use scim_client::filter::Filter;
//!
//! let hostile = r#"x" or userName pr or userName eq "y"#;
//! let filter = Filter::eq("userName", hostile).and(Filter::eq("active", true));
//! let text = filter.to_string();
//! assert_eq!(text.parse::<Filter>().unwrap(), filter);
//! ```
//!
//! Attribute paths are code, not data: they are printed as given, and
//! [`Filter::validate`] checks them against the grammar.

mod display;
mod eval;
mod parse;

use std::fmt;

use serde_json::Number;

pub use eval::lookup;
pub use parse::MAX_DEPTH;

/// A SCIM filter expression.
#[derive(Clone, Debug, PartialEq)]
pub enum Filter {
    /// `attrPath op value`, e.g. `userName eq "cal"`.
    Compare(AttrPath, CompareOp, CompValue),
    /// `attrPath pr`: the attribute has a value.
    Present(AttrPath),
    /// `attrPath[filter]`: some value of a multi-valued attribute matches,
    /// e.g. `emails[type eq "work"]`.
    ValuePath(AttrPath, Box<Filter>),
    /// `left and right`.
    And(Box<Filter>, Box<Filter>),
    /// `left or right`.
    Or(Box<Filter>, Box<Filter>),
    /// `not (filter)`.
    Not(Box<Filter>),
}

/// A comparison operator. Parsing ignores case (Slack documents `Eq`);
/// printing uses lower case.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompareOp {
    /// `eq`: equal.
    Eq,
    /// `ne`: not equal.
    Ne,
    /// `co`: contains.
    Co,
    /// `sw`: starts with.
    Sw,
    /// `ew`: ends with.
    Ew,
    /// `gt`: greater than.
    Gt,
    /// `ge`: greater than or equal.
    Ge,
    /// `lt`: less than.
    Lt,
    /// `le`: less than or equal.
    Le,
}

impl CompareOp {
    /// Every operator, in RFC order.
    pub const ALL: [CompareOp; 9] = [
        CompareOp::Eq,
        CompareOp::Ne,
        CompareOp::Co,
        CompareOp::Sw,
        CompareOp::Ew,
        CompareOp::Gt,
        CompareOp::Ge,
        CompareOp::Lt,
        CompareOp::Le,
    ];

    /// The operator as written in a filter.
    pub fn as_str(self) -> &'static str {
        match self {
            CompareOp::Eq => "eq",
            CompareOp::Ne => "ne",
            CompareOp::Co => "co",
            CompareOp::Sw => "sw",
            CompareOp::Ew => "ew",
            CompareOp::Gt => "gt",
            CompareOp::Ge => "ge",
            CompareOp::Lt => "lt",
            CompareOp::Le => "le",
        }
    }
}

/// A comparison value: a JSON string, number, boolean or `null`.
#[derive(Clone, Debug, PartialEq)]
pub enum CompValue {
    /// A string, printed with JSON escaping.
    Str(String),
    /// A number.
    Num(Number),
    /// `true` or `false`.
    Bool(bool),
    /// `null`.
    Null,
}

impl From<&str> for CompValue {
    fn from(value: &str) -> Self {
        CompValue::Str(value.to_owned())
    }
}
impl From<String> for CompValue {
    fn from(value: String) -> Self {
        CompValue::Str(value)
    }
}
impl From<bool> for CompValue {
    fn from(value: bool) -> Self {
        CompValue::Bool(value)
    }
}
impl From<i64> for CompValue {
    fn from(value: i64) -> Self {
        CompValue::Num(value.into())
    }
}
impl From<u64> for CompValue {
    fn from(value: u64) -> Self {
        CompValue::Num(value.into())
    }
}
impl From<Number> for CompValue {
    fn from(value: Number) -> Self {
        CompValue::Num(value)
    }
}

/// An attribute path: `[schemaURN ":"] attrName ["." subAttr]`, e.g.
/// `userName`, `name.familyName`,
/// `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AttrPath {
    /// The schema URN, when the path is qualified by one.
    pub urn: Option<String>,
    /// The attribute name.
    pub name: String,
    /// The sub-attribute name, if any.
    pub sub_attr: Option<String>,
}

impl AttrPath {
    /// Splits a path into its parts without validating them (see [`Filter::validate`]).
    ///
    /// A known extension URN alone ([`EXTENSION_URNS`]) is the whole
    /// extension: its `name`, without `urn`. A SCIM 1.1 extension URN of
    /// Slack v1 ([`DOTTED_EXTENSION_URNS`]) keeps its version's dot, and the
    /// attribute after it follows a `:` or a `.`.
    ///
    /// [`EXTENSION_URNS`]: crate::model::EXTENSION_URNS
    /// [`DOTTED_EXTENSION_URNS`]: crate::model::DOTTED_EXTENSION_URNS
    pub fn new(path: &str) -> AttrPath {
        if is_extension_urn(path) {
            return AttrPath {
                urn: None,
                name: path.to_owned(),
                sub_attr: None,
            };
        }
        let (urn, rest) = match dotted_urn_and_rest(path).or_else(|| path.rsplit_once(':')) {
            Some((urn, rest)) => (Some(urn.to_owned()), rest),
            None => (None, path),
        };
        let (name, sub_attr) = match rest.split_once('.') {
            Some((name, sub)) => (name.to_owned(), Some(sub.to_owned())),
            None => (rest.to_owned(), None),
        };
        AttrPath {
            urn,
            name,
            sub_attr,
        }
    }

    /// Whether this path is a whole extension (one of
    /// [`EXTENSION_URNS`](crate::model::EXTENSION_URNS) alone).
    pub fn is_whole_extension(&self) -> bool {
        self.urn.is_none() && self.sub_attr.is_none() && is_extension_urn(&self.name)
    }

    /// Parses and validates a path.
    pub fn parse(path: &str) -> Result<AttrPath, FilterError> {
        let attr = AttrPath::new(path);
        attr.validate().map(|()| attr)
    }

    fn validate(&self) -> Result<(), FilterError> {
        let name_ok = |s: &str| {
            let mut chars = s.chars();
            chars
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '$')
                && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '$'))
        };
        let urn_ok = |s: &str| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '-' | '_'))
        };
        let valid = (name_ok(&self.name) || self.is_whole_extension())
            && self.sub_attr.as_deref().is_none_or(name_ok)
            && self.urn.as_deref().is_none_or(urn_ok);
        if valid {
            Ok(())
        } else {
            Err(FilterError::new(
                0,
                format!("{self:?} is not a valid attribute path"),
            ))
        }
    }
}

/// Whether `path` is one of the extension URNs this crate models, whole.
fn is_extension_urn(path: &str) -> bool {
    crate::model::EXTENSION_URNS
        .iter()
        .any(|urn| path.eq_ignore_ascii_case(urn))
}

/// `path` split after one of Slack v1's dotted extension URNs: the URN and
/// the attribute path after its `:` or `.`.
fn dotted_urn_and_rest(path: &str) -> Option<(&str, &str)> {
    crate::model::DOTTED_EXTENSION_URNS.iter().find_map(|urn| {
        let head = path.get(..urn.len())?;
        let rest = path[urn.len()..].strip_prefix([':', '.'])?;
        head.eq_ignore_ascii_case(urn).then_some((head, rest))
    })
}

impl From<&str> for AttrPath {
    fn from(path: &str) -> Self {
        AttrPath::new(path)
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(urn) = &self.urn {
            write!(f, "{urn}:")?;
        }
        f.write_str(&self.name)?;
        if let Some(sub) = &self.sub_attr {
            write!(f, ".{sub}")?;
        }
        Ok(())
    }
}

/// Why a filter could not be parsed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter at byte {position}: {message}")]
pub struct FilterError {
    /// Byte offset in the input where the problem was found.
    pub position: usize,
    /// What was wrong.
    pub message: String,
}

impl FilterError {
    fn new(position: usize, message: impl Into<String>) -> FilterError {
        FilterError {
            position,
            message: message.into(),
        }
    }
}

impl Filter {
    /// `path op value`.
    pub fn compare(
        path: impl Into<AttrPath>,
        op: CompareOp,
        value: impl Into<CompValue>,
    ) -> Filter {
        Filter::Compare(path.into(), op, value.into())
    }
    /// `path eq value`.
    pub fn eq(path: impl Into<AttrPath>, value: impl Into<CompValue>) -> Filter {
        Filter::compare(path, CompareOp::Eq, value)
    }
    /// `path ne value`.
    pub fn ne(path: impl Into<AttrPath>, value: impl Into<CompValue>) -> Filter {
        Filter::compare(path, CompareOp::Ne, value)
    }
    /// `path co value`.
    pub fn co(path: impl Into<AttrPath>, value: impl Into<CompValue>) -> Filter {
        Filter::compare(path, CompareOp::Co, value)
    }
    /// `path sw value`.
    pub fn sw(path: impl Into<AttrPath>, value: impl Into<CompValue>) -> Filter {
        Filter::compare(path, CompareOp::Sw, value)
    }
    /// `path ew value`.
    pub fn ew(path: impl Into<AttrPath>, value: impl Into<CompValue>) -> Filter {
        Filter::compare(path, CompareOp::Ew, value)
    }
    /// `path gt value`.
    pub fn gt(path: impl Into<AttrPath>, value: impl Into<CompValue>) -> Filter {
        Filter::compare(path, CompareOp::Gt, value)
    }
    /// `path ge value`.
    pub fn ge(path: impl Into<AttrPath>, value: impl Into<CompValue>) -> Filter {
        Filter::compare(path, CompareOp::Ge, value)
    }
    /// `path lt value`.
    pub fn lt(path: impl Into<AttrPath>, value: impl Into<CompValue>) -> Filter {
        Filter::compare(path, CompareOp::Lt, value)
    }
    /// `path le value`.
    pub fn le(path: impl Into<AttrPath>, value: impl Into<CompValue>) -> Filter {
        Filter::compare(path, CompareOp::Le, value)
    }
    /// `path pr`.
    pub fn present(path: impl Into<AttrPath>) -> Filter {
        Filter::Present(path.into())
    }
    /// `path[filter]`, e.g. `Filter::value_path("emails", Filter::eq("type", "work"))`.
    pub fn value_path(path: impl Into<AttrPath>, filter: Filter) -> Filter {
        Filter::ValuePath(path.into(), Box::new(filter))
    }
    /// `self and other`.
    pub fn and(self, other: Filter) -> Filter {
        Filter::And(Box::new(self), Box::new(other))
    }
    /// `self or other`.
    pub fn or(self, other: Filter) -> Filter {
        Filter::Or(Box::new(self), Box::new(other))
    }
    /// `not (filter)`. (Not `std::ops::Not`: `!filter` would read as a boolean.)
    #[allow(clippy::should_implement_trait)]
    pub fn not(filter: Filter) -> Filter {
        Filter::Not(Box::new(filter))
    }

    /// Checks the whole filter: every attribute path against the grammar,
    /// and the depth against [`MAX_DEPTH`], by printing and re-parsing it.
    pub fn validate(&self) -> Result<(), FilterError> {
        let reparsed: Filter = self.to_string().parse()?;
        if &reparsed == self {
            Ok(())
        } else {
            Err(FilterError::new(
                0,
                "the filter does not read back as built; check its attribute paths",
            ))
        }
    }
}

impl std::str::FromStr for Filter {
    type Err = FilterError;
    fn from_str(input: &str) -> Result<Filter, FilterError> {
        parse::parse(input)
    }
}
