//! [`SourceError`] and [`SourceErrors`]: what is wrong with a source, and
//! on which line, so a file can be fixed in one pass.

use std::fmt;

/// The most errors one read reports; the rest are only counted
/// ([`SourceErrors::omitted`]).
pub const MAX_ERRORS: usize = 100;

/// What kind of problem a [`SourceError`] is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SourceErrorKind {
    /// The file could not be read, or its type is not known.
    Io,
    /// The bytes are not UTF-8: a UTF-16 byte-order mark, invalid bytes
    /// (mixed encodings), NUL bytes.
    Encoding,
    /// Broken CSV or JSON syntax: an unterminated quote, a stray quote, a
    /// bare carriage return, JSON that does not parse, a duplicate JSON key.
    Syntax,
    /// A CSV record has more or fewer fields than the header.
    FieldCount,
    /// A column the mapping requires is missing from the header, appears
    /// twice, or has an empty cell.
    Required,
    /// A row has no value for the match key.
    MissingKey,
    /// Two rows share a match key.
    DuplicateKey,
    /// Two rows share a login (`userName`) or a primary email, compared
    /// case-insensitively (RFC 7643 §4.1.1: `caseExact` false): they would
    /// become one account that both rows overwrite.
    DuplicateValue,
    /// A malformed email address.
    Email,
    /// A value its attribute cannot take (`active` that is not a boolean,
    /// a JSON object where text was expected).
    Value,
    /// The mapping itself is wrong (an unknown SCIM attribute, a bad
    /// separator, a required column it does not map).
    Mapping,
}

/// One problem with a source: where (line and column, when known) and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    /// The 1-based line: for a CSV record, the line it starts on.
    pub line: Option<usize>,
    /// The column (CSV header) or key (JSON), as the source spells it.
    pub column: Option<String>,
    /// What kind of problem.
    pub kind: SourceErrorKind,
    /// What is wrong, for people, and how to fix it when that is not obvious.
    pub message: String,
}

impl SourceError {
    pub(crate) fn new(kind: SourceErrorKind, message: impl Into<String>) -> Self {
        SourceError {
            line: None,
            column: None,
            kind,
            message: message.into(),
        }
    }

    /// The same error, on `line`.
    pub(crate) fn at(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// The same error, in `column`.
    pub(crate) fn in_column(mut self, column: &str) -> Self {
        self.column = Some(column.to_owned());
        self
    }

    /// Writes the error with `file:line:` (or `line N:`) in front.
    fn write(&self, f: &mut fmt::Formatter<'_>, file: Option<&str>) -> fmt::Result {
        match (file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line}: ")?,
            (Some(file), None) => write!(f, "{file}: ")?,
            (None, Some(line)) => write!(f, "line {line}: ")?,
            (None, None) => {}
        }
        if let Some(column) = &self.column {
            write!(f, "column {column:?}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl fmt::Display for SourceError {
    /// `line 7: column "Email": "bob@" is not an email address (…)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.write(f, None)
    }
}

impl std::error::Error for SourceError {}

/// Every problem found in a source (up to [`MAX_ERRORS`]): a reader returns
/// these instead of a [`Desired`](crate::Desired) when there is any, so
/// nothing is planned from an invalid source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceErrors {
    /// The file's name, when the source was a file
    /// ([`read_path`](super::read_path) sets it): errors print as `file:line:`.
    pub file: Option<String>,
    /// The errors, in the order found (mostly line order).
    pub errors: Vec<SourceError>,
    /// How many more errors were found past [`MAX_ERRORS`].
    pub omitted: usize,
}

impl SourceErrors {
    /// The same errors, printed as being in `file`.
    pub fn in_file(mut self, file: impl Into<String>) -> Self {
        self.file = Some(file.into());
        self
    }

    /// How many errors were found, reported or not.
    pub fn total(&self) -> usize {
        self.errors.len() + self.omitted
    }

    /// Records an error (only counted past [`MAX_ERRORS`]).
    pub(crate) fn push(&mut self, error: SourceError) {
        if self.errors.len() < MAX_ERRORS {
            self.errors.push(error);
        } else {
            self.omitted += 1;
        }
    }

    /// The errors in line order (those without a line first), as a
    /// reader returns them.
    pub(crate) fn sorted(mut self) -> Self {
        self.errors.sort_by_key(|e| e.line);
        self
    }

    /// True when nothing is wrong.
    pub(crate) fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    /// `value` when nothing was wrong, these errors otherwise.
    pub(crate) fn or_ok<T>(self, value: T) -> Result<T, SourceErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl From<SourceError> for SourceErrors {
    fn from(error: SourceError) -> Self {
        SourceErrors {
            file: None,
            errors: vec![error],
            omitted: 0,
        }
    }
}

impl fmt::Display for SourceErrors {
    /// One line per error, then how many more there were.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (index, error) in self.errors.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            error.write(f, self.file.as_deref())?;
        }
        if self.omitted > 0 {
            write!(f, "\n… and {} more errors", self.omitted)?;
        }
        Ok(())
    }
}

impl std::error::Error for SourceErrors {}
