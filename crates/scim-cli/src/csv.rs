//! CSV as RFC 4180 has it: records ending in CRLF, a field quoted when it
//! holds a comma, a quote, CR or LF (or starts or ends with a space), a
//! quote inside doubled.
//!
//! ```
//! let mut text = String::new();
//! scim_cli::csv::write_record(&mut text, ["id", "title"]);
//! scim_cli::csv::write_record(&mut text, ["W1", "Director, \"R&D\""]);
//! assert_eq!(text, "id,title\r\nW1,\"Director, \"\"R&D\"\"\"\r\n");
//! assert_eq!(scim_cli::csv::parse(&text)?[1][1], "Director, \"R&D\"");
//! # Ok::<(), String>(())
//! ```

/// Appends one record, CRLF-terminated.
pub fn write_record<I: IntoIterator<Item = S>, S: AsRef<str>>(out: &mut String, fields: I) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_field(out, field.as_ref());
    }
    out.push_str("\r\n");
}

fn write_field(out: &mut String, field: &str) {
    let quote =
        field.contains([',', '"', '\r', '\n']) || field.starts_with(' ') || field.ends_with(' ');
    if quote {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// Reads records (CRLF or LF line ends; a final line end optional).
/// A quote inside an unquoted field is kept as is; an unterminated quoted
/// field is an error.
pub fn parse(text: &str) -> Result<Vec<Vec<String>>, String> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted_field = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if field.is_empty() && !quoted_field => {
                quoted_field = true;
                read_quoted(&mut chars, &mut field)?;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                quoted_field = false;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
                quoted_field = false;
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !record.is_empty() || quoted_field {
        record.push(field);
        records.push(record);
    }
    Ok(records)
}

/// Reads a quoted field's content after its opening quote, through its closing one.
fn read_quoted(
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
    field: &mut String,
) -> Result<(), String> {
    while let Some(c) = chars.next() {
        match c {
            '"' if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => return Ok(()),
            c => field.push(c),
        }
    }
    Err("a quoted field is not closed".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let mut text = String::new();
        write_record(
            &mut text,
            ["plain", "a,b", "say \"hi\"", "two\nlines", " pad", ""],
        );
        assert_eq!(
            text,
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",\r\n"
        );
    }

    #[test]
    fn what_is_written_reads_back_the_same() {
        let rows = [
            vec!["id", "title", "active"],
            vec!["W1", "Director, \"R&D\"\r\nEMEA", "true"],
            vec!["W2", "", "false"],
        ];
        let mut text = String::new();
        for row in &rows {
            write_record(&mut text, row);
        }
        let back = parse(&text).unwrap();
        assert_eq!(
            back,
            rows.map(|r| r.iter().map(|f| f.to_string()).collect::<Vec<_>>())
        );
    }

    #[test]
    fn lf_line_ends_a_missing_final_newline_and_an_open_quote() {
        assert_eq!(parse("a,b\nc,d").unwrap(), [["a", "b"], ["c", "d"]]);
        assert_eq!(parse("\"\"\n").unwrap(), [[""]]);
        assert!(parse("\"open").is_err());
    }
}
