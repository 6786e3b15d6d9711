//! CSV as RFC 4180 has it: records ending in CRLF, a field quoted when it
//! holds a comma, a quote, CR or LF (or starts or ends with a space), a
//! quote inside doubled.
//! (`id,title` then `W1,"Director, ""R&D"""`, each ending in CRLF.)
//!
//! A cell a spreadsheet would run as a formula — one starting with `=`,
//! `+`, `-`, `@`, a tab or a carriage return — is written with a `'` in
//! front (OWASP, "CSV Injection"): exported values are not the admin's
//! own (any Slack user can set their own title to `=cmd|' /C calc'!A0`),
//! and the admin opens the export in a spreadsheet. The cost: a value
//! such as `-5` or `+1 555 0100` reads back as `'-5`, `'+1 555 0100`.

/// Appends one record, CRLF-terminated.
pub(crate) fn write_record<I: IntoIterator<Item = S>, S: AsRef<str>>(out: &mut String, fields: I) {
    for (i, field) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_field(out, field.as_ref());
    }
    out.push_str("\r\n");
}

/// The characters that make a spreadsheet read a cell as a formula
/// (OWASP, "CSV Injection").
const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn write_field(out: &mut String, field: &str) {
    let neutralised;
    let field = if field.starts_with(FORMULA_STARTS) {
        neutralised = format!("'{field}");
        neutralised.as_str()
    } else {
        field
    };
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
    fn cells_a_spreadsheet_would_run_are_neutralised() {
        let mut text = String::new();
        write_record(
            &mut text,
            [
                "=cmd|' /C calc'!A0",
                "@SUM(1+1)",
                "+1",
                "-2",
                "\tx",
                "\rx",
                "a=b",
            ],
        );
        assert_eq!(
            text,
            "'=cmd|' /C calc'!A0,'@SUM(1+1),'+1,'-2,'\tx,\"'\rx\",a=b\r\n"
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
        let back: Vec<Vec<String>> = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(text.as_bytes())
            .records()
            .map(|r| r.unwrap().iter().map(str::to_owned).collect())
            .collect();
        assert_eq!(
            back,
            rows.map(|r| r.iter().map(|f| f.to_string()).collect::<Vec<_>>())
        );
    }
}
