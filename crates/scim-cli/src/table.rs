//! [`Table`]: aligned columns for people, with very long cells cut.

/// Cells longer than this many characters are cut, ending in `…`.
pub(crate) const MAX_CELL: usize = 40;

/// A table: a header and rows, rendered with two spaces between columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column names.
    pub(crate) fn new<I: IntoIterator<Item = S>, S: Into<String>>(header: I) -> Table {
        Table {
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; missing cells are blank, extra ones dropped.
    pub(crate) fn row<I: IntoIterator<Item = S>, S: Into<String>>(&mut self, cells: I) {
        let mut row: Vec<String> = cells
            .into_iter()
            .map(|cell| cut(&flatten(&cell.into())))
            .take(self.header.len())
            .collect();
        row.resize(self.header.len(), String::new());
        self.rows.push(row);
    }

    /// How many rows.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The table as text, one line per row, trailing spaces trimmed.
    pub(crate) fn render(&self) -> String {
        let widths: Vec<usize> = (0..self.header.len())
            .map(|column| {
                std::iter::once(&self.header)
                    .chain(&self.rows)
                    .map(|row| row[column].chars().count())
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut text = String::new();
        for row in std::iter::once(&self.header).chain(&self.rows) {
            let mut line = String::new();
            for (cell, width) in row.iter().zip(&widths) {
                let pad = width - cell.chars().count();
                line.push_str(cell);
                line.push_str(&" ".repeat(pad + 2));
            }
            text.push_str(line.trim_end());
            text.push('\n');
        }
        text
    }
}

/// Control characters (a newline in a title) shown as spaces, so a row
/// stays one line.
fn flatten(cell: &str) -> String {
    cell.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// The cell cut to [`MAX_CELL`] characters, the last one `…`.
fn cut(cell: &str) -> String {
    if cell.chars().count() <= MAX_CELL {
        return cell.to_owned();
    }
    let mut kept: String = cell.chars().take(MAX_CELL - 1).collect();
    kept.push('…');
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_align_on_the_widest_cell_counting_characters() {
        let mut table = Table::new(["NAME", "ACTIVE"]);
        table.row(["Zoë", "yes"]);
        table.row(["Alexander", "no"]);
        assert_eq!(
            table.render(),
            "NAME       ACTIVE\nZoë        yes\nAlexander  no\n"
        );
    }

    #[test]
    fn long_cells_are_cut_and_newlines_flattened() {
        let mut table = Table::new(["TITLE"]);
        table.row(["x".repeat(100)]);
        table.row(["two\nlines"]);
        let text = table.render();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[1].chars().count(), MAX_CELL);
        assert!(lines[1].ends_with('…'));
        assert_eq!(lines[2], "two lines");
    }

    #[test]
    fn short_rows_are_padded_and_long_ones_cut_to_the_header() {
        let mut table = Table::new(["A", "B"]);
        table.row(["1"]);
        table.row(["1", "2", "3"]);
        assert_eq!(table.render(), "A  B\n1\n1  2\n");
        assert_eq!(table.len(), 2);
    }
}
