//! CSV as RFC 4180 has it: records ending in CRLF, a field quoted when it
//! holds a comma, a quote, CR or LF (or starts or ends with a space), a
//! quote inside doubled.
//! (`id,title` then `W1,"Director, ""R&D"""`, each ending in CRLF.)

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
