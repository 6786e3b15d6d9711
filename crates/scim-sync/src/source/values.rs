//! Cell text as attribute values: booleans, email addresses, lists.

use scim_client::model::TypedValue;

/// `true`/`false`, `yes`/`no`, `1`/`0`, in any case: what every source
/// (CSV, JSON, LDAP) reads as a boolean. An HR export's status column
/// mapped to `active` reads too: `active`/`enabled` are true,
/// `inactive`/`disabled`/`suspended` false — a suspended person becomes
/// `active: false`, an update the rails do not count as a removal (their
/// account stays, as the source still lists them).
pub fn boolean(text: &str) -> Result<bool, String> {
    match text.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "active" | "enabled" => Ok(true),
        "false" | "no" | "0" | "inactive" | "disabled" | "suspended" => Ok(false),
        _ => Err(format!(
            "{} is not a boolean (true/false, yes/no, 1/0, or a status: active/enabled, \
             inactive/disabled/suspended)",
            quote(text)
        )),
    }
}

/// Checks an email address the way a directory export gets it wrong, not
/// by RFC 5322 (whose quoted local parts and comments no provider takes):
/// exactly one `@`, something on each side of it, and no whitespace or
/// control characters. A domain without a dot (`ada@localhost`) is allowed.
/// `address` as the primary work email every source feeds `emails` with,
/// once it reads as an email address (the reason otherwise). One rule for
/// every source: CSV, JSON and LDAP check addresses alike.
pub fn work_email(address: &str) -> Result<TypedValue, String> {
    email(address)?;
    Ok(TypedValue {
        value: address.into(),
        kind: "work".into(),
        primary: true.into(),
        ..TypedValue::default()
    })
}

pub(crate) fn email(text: &str) -> Result<(), String> {
    let reason = if text.chars().any(|c| c.is_whitespace() || c.is_control()) {
        "it contains a space or control character"
    } else {
        match text.split_once('@') {
            None => "there is no @",
            Some((_, domain)) if domain.contains('@') => "there is more than one @",
            Some(("", _)) => "nothing before the @",
            Some((_, "")) => "nothing after the @",
            Some(_) => return Ok(()),
        }
    };
    Err(format!(
        "{} is not an email address ({reason})",
        quote(text)
    ))
}

/// The non-empty, trimmed items of a list cell, each once (compared
/// case-insensitively, the first spelling kept).
pub(crate) fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let mut seen = std::collections::HashSet::new();
    items
        .into_iter()
        .map(str::trim)
        .filter(|item| !item.is_empty() && seen.insert(item.to_lowercase()))
        .collect()
}

/// A value quoted for a message, cut short when long.
pub(crate) fn quote(text: &str) -> String {
    const MAX: usize = 60;
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{:?}…", &text[..at]),
        None => format!("{text:?}"),
    }
}

#[cfg(test)]
mod status_tests {
    use super::boolean;

    #[test]
    fn a_status_column_reads_as_active_or_suspended() {
        for (text, want) in [
            ("Active", true),
            ("ENABLED", true),
            ("suspended", false),
            (" Disabled ", false),
            ("inactive", false),
        ] {
            assert_eq!(boolean(text), Ok(want), "{text}");
        }
        assert!(
            boolean("terminated").is_err(),
            "gone is not a status of a listed person"
        );
    }
}
