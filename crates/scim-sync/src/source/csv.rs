//! An RFC 4180 CSV reader: text in, a [`Table`] out.
//!
//! - The first non-blank record is the header; blank lines are skipped.
//! - A field may be quoted (`"…"`), with `""` for a quote inside it and
//!   line breaks kept as they are; spaces around a quoted field are allowed.
//! - Records end with LF or CRLF. A bare CR (old Mac files) is refused, as
//!   is a quote inside an unquoted field or text after a closing quote:
//!   guessing what those mean would quietly change a value.
//! - A record's line is the line it starts on, even when a quoted field
//!   spans several lines; an unterminated quote is reported on the line it
//!   opened on.
//! - A record with more or fewer fields than the header is an error (and is
//!   dropped, so the rest can still be checked). A syntax error ends the
//!   reading; the records before it are still checked.

use super::error::{SourceError, SourceErrorKind, SourceErrors};
use super::table::{Cell, Row, Table};

/// Parses `text`, recording every error in `errors`. A syntax error ends
/// the reading (nothing after it can be trusted), but the records before it
/// are returned, to be checked too; `None` when there is no header.
pub(crate) fn parse(text: &str, delimiter: u8, errors: &mut SourceErrors) -> Option<Table> {
    let mut parser = Parser {
        text,
        pos: 0,
        line: 1,
        delimiter,
    };
    let mut table = Table::default();
    while parser.pos < text.len() {
        let line = parser.line;
        let fields = match parser.record(&table.columns) {
            Ok(fields) => fields,
            Err(error) => {
                errors.push(error);
                return table.header_line.map(|_| table);
            }
        };
        if fields.len() == 1 && fields[0].trim().is_empty() {
            continue; // a blank line
        }
        if table.header_line.is_none() {
            table.header_line = Some(line);
            table.columns = fields.iter().map(|f| f.trim().to_owned()).collect();
        } else if fields.len() != table.columns.len() {
            errors.push(field_count(fields.len(), table.columns.len()).at(line));
        } else {
            let cells = fields.into_iter().map(Cell::Text).collect();
            table.rows.push(Row { line, cells });
        }
    }
    if table.header_line.is_none() {
        errors.push(SourceError::new(
            SourceErrorKind::Required,
            "the file is empty (no header)",
        ));
        return None;
    }
    Some(table)
}

fn field_count(found: usize, expected: usize) -> SourceError {
    SourceError::new(
        SourceErrorKind::FieldCount,
        format!(
            "{found} fields, but the header has {expected} \
             (a missing or extra delimiter, or a value that needs quotes?)"
        ),
    )
}

/// A position in the text. Every byte the parser stops at is ASCII, so
/// slicing at those positions keeps to character boundaries.
struct Parser<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    delimiter: u8,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn syntax(&self, message: &str) -> SourceError {
        SourceError::new(SourceErrorKind::Syntax, message).at(self.line)
    }

    /// One record and its line break; errors name the column by `header`.
    fn record(&mut self, header: &[String]) -> Result<Vec<String>, SourceError> {
        let mut fields = Vec::with_capacity(header.len());
        loop {
            let field = self.field().map_err(|e| match header.get(fields.len()) {
                Some(name) => e.in_column(name),
                None => e,
            })?;
            fields.push(field);
            if self.peek() == Some(self.delimiter) {
                self.pos += 1;
            } else {
                self.line_break()?;
                return Ok(fields);
            }
        }
    }

    /// The end of a record: LF, CRLF or the end of the text.
    fn line_break(&mut self) -> Result<(), SourceError> {
        let rest = &self.text.as_bytes()[self.pos..];
        let width = match rest {
            [] => 0,
            [b'\n', ..] => 1,
            [b'\r', b'\n', ..] => 2,
            _ => {
                return Err(self.syntax(
                    "a carriage return without a line feed (old Mac line endings?); \
                     save the file with LF or CRLF line endings",
                ));
            }
        };
        self.pos += width;
        self.line += usize::from(width > 0);
        Ok(())
    }

    fn field(&mut self) -> Result<String, SourceError> {
        let start = self.pos;
        self.skip_blanks();
        if self.peek() == Some(b'"') {
            return self.quoted();
        }
        self.pos = start;
        while let Some(b) = self.peek() {
            if b == self.delimiter || b == b'\n' || b == b'\r' {
                break;
            }
            if b == b'"' {
                return Err(self.syntax(
                    "a quote inside an unquoted field; quote the whole field \
                     and double the quotes inside it (\"a \"\"b\"\" c\")",
                ));
            }
            self.pos += 1;
        }
        Ok(self.text[start..self.pos].to_owned())
    }

    fn skip_blanks(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) && self.peek() != Some(self.delimiter) {
            self.pos += 1;
        }
    }

    /// A quoted field, from its opening quote.
    fn quoted(&mut self) -> Result<String, SourceError> {
        let opened = self.line;
        self.pos += 1;
        let mut value = String::new();
        let mut start = self.pos;
        loop {
            match self.peek() {
                None => {
                    return Err(SourceError::new(
                        SourceErrorKind::Syntax,
                        "a quote opened on this line is never closed",
                    )
                    .at(opened));
                }
                Some(b'"') => {
                    value.push_str(&self.text[start..self.pos]);
                    self.pos += 1;
                    if self.peek() != Some(b'"') {
                        break;
                    }
                    start = self.pos + 1; // keep one quote of the pair
                    value.push('"');
                    self.pos += 1;
                }
                Some(b) => {
                    self.line += usize::from(b == b'\n');
                    self.pos += 1;
                }
            }
        }
        self.skip_blanks();
        match self.peek() {
            None | Some(b'\n' | b'\r') => Ok(value),
            Some(b) if b == self.delimiter => Ok(value),
            Some(_) => Err(self.syntax(
                "text after a closing quote; quote the whole field \
                 and double the quotes inside it",
            )),
        }
    }
}
