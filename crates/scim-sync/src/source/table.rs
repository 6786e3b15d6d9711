//! [`Table`]: rows of cells under named columns, what both readers produce
//! before the mapping turns rows into users.

/// One cell of a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Cell {
    /// The row does not have this column (a JSON object without the key).
    Missing,
    /// An explicit JSON `null`: clear the attribute.
    Null,
    /// Text: a CSV field, or a JSON string, number or boolean.
    Text(String),
    /// A JSON array of strings (for a list column such as `groups`).
    List(Vec<String>),
}

/// One row, and the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Row {
    /// The 1-based line the row starts on.
    pub line: usize,
    /// One cell per column of the table.
    pub cells: Vec<Cell>,
}

/// The columns, as the source spells them, and the rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Table {
    /// The line of the header, when the source has one (CSV).
    pub header_line: Option<usize>,
    /// The column names (CSV header fields, trimmed; JSON keys in order of
    /// first appearance).
    pub columns: Vec<String>,
    /// The rows.
    pub rows: Vec<Row>,
}

impl Row {
    /// The cell in column `index` ([`Cell::Missing`] past the end).
    pub fn cell(&self, index: usize) -> &Cell {
        self.cells.get(index).unwrap_or(&Cell::Missing)
    }
}
