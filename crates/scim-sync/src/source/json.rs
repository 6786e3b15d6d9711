//! A JSON reader: an array of flat objects, one per user, in, a [`Table`] out.
//!
//! Each object's keys are columns, mapped like a CSV header's. A value is a
//! string, number or boolean (text), `null` (clear the attribute), or, for a
//! list column such as `groups`, an array of strings. A key an object lacks
//! is absent (not the source's to say). A key twice in one object is an
//! error, as serde_json would otherwise keep the last one silently.

use std::collections::{HashMap, HashSet};
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::error::{SourceError, SourceErrorKind, SourceErrors};
use super::table::{Cell, Row, Table};

/// Parses `text`, recording every error in `errors`; `None` when the JSON
/// does not parse or is not an array of objects.
pub(crate) fn parse(text: &str, errors: &mut SourceErrors) -> Option<Table> {
    let objects = match serde_json::from_str::<Objects>(text) {
        Ok(Objects(objects)) => objects,
        Err(e) => {
            errors.push(syntax_error(&e));
            return None;
        }
    };
    let lines = element_lines(text);
    let mut table = Table::default();
    let mut index: HashMap<String, usize> = HashMap::new();
    for (key, _) in objects.iter().flat_map(|Pairs(pairs)| pairs) {
        if !index.contains_key(key) {
            index.insert(key.clone(), table.columns.len());
            table.columns.push(key.clone());
        }
    }
    for (n, Pairs(pairs)) in objects.into_iter().enumerate() {
        let line = lines.get(n).copied().unwrap_or(1);
        let mut cells = vec![Cell::Missing; table.columns.len()];
        for (key, value) in pairs {
            match cell(value) {
                Ok(cell) => cells[index[&key]] = cell,
                Err(message) => errors.push(
                    SourceError::new(SourceErrorKind::Value, message)
                        .at(line)
                        .in_column(&key),
                ),
            }
        }
        table.rows.push(Row { line, cells });
    }
    Some(table)
}

/// serde_json's error, its position as the error's line.
fn syntax_error(error: &serde_json::Error) -> SourceError {
    let full = error.to_string();
    let position = format!(" at line {} column {}", error.line(), error.column());
    let message = full.strip_suffix(&position).unwrap_or(&full);
    let syntax = SourceError::new(SourceErrorKind::Syntax, message);
    match error.line() {
        0 => syntax,
        line => syntax.at(line),
    }
}

/// One JSON value as a cell.
fn cell(value: Value) -> Result<Cell, String> {
    Ok(match value {
        Value::Null => Cell::Null,
        Value::String(s) => Cell::Text(s),
        Value::Bool(b) => Cell::Text(b.to_string()),
        Value::Number(n) => Cell::Text(n.to_string()),
        Value::Array(items) => Cell::List(
            items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Ok(s),
                    other => Err(format!("a list may hold only strings, not {other}")),
                })
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(_) => {
            return Err("an object where a string, number, boolean, \
                        null or list of strings was expected"
                .to_owned());
        }
    })
}

/// The line each element of the top-level array starts on. Called only
/// on text that parsed, so strings and nesting are well formed.
fn element_lines(text: &str) -> Vec<usize> {
    let mut lines = Vec::new();
    let (mut line, mut depth, mut want) = (1, 0usize, false);
    let (mut in_string, mut escaped) = (false, false);
    for b in text.bytes() {
        line += usize::from(b == b'\n');
        if in_string {
            (in_string, escaped) = match (escaped, b) {
                (true, _) => (true, false),
                (false, b'\\') => (true, true),
                (false, b'"') => (false, false),
                (false, _) => (true, false),
            };
            continue;
        }
        if want && !b.is_ascii_whitespace() && b != b']' {
            lines.push(line);
            want = false;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                want = depth == 1;
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            b',' => want = depth == 1,
            _ => {}
        }
    }
    lines
}

/// The top level: an array of objects.
struct Objects(Vec<Pairs>);

impl<'de> Deserialize<'de> for Objects {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectsVisitor;
        impl<'de> Visitor<'de> for ObjectsVisitor {
            type Value = Objects;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of objects, one per user")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Objects, A::Error> {
                let mut objects = Vec::new();
                while let Some(object) = seq.next_element()? {
                    objects.push(object);
                }
                Ok(Objects(objects))
            }
        }
        deserializer.deserialize_seq(ObjectsVisitor)
    }
}

/// A JSON object's members in order, refusing a key that appears twice.
pub(crate) struct Pairs(pub(crate) Vec<(String, Value)>);

impl<'de> Deserialize<'de> for Pairs {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PairsVisitor;
        impl<'de> Visitor<'de> for PairsVisitor {
            type Value = Pairs;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Pairs, A::Error> {
                let mut pairs: Vec<(String, Value)> = Vec::new();
                let mut seen = HashSet::new();
                while let Some(key) = map.next_key::<String>()? {
                    if !seen.insert(key.clone()) {
                        return Err(de::Error::custom(format!("duplicate key {key:?}")));
                    }
                    let value = map.next_value()?;
                    pairs.push((key, value));
                }
                Ok(Pairs(pairs))
            }
        }
        deserializer.deserialize_map(PairsVisitor)
    }
}
