//! Sources: CSV and JSON exports through a mapping to `Desired`, and every
//! way a file can be wrong, each with its line.

use scim_client::model::{Field, Name, TypedValue, User};
use scim_sync::source::{
    MAX_ERRORS, Mapping, SourceErrorKind, SourceErrors, Target, read_csv, read_json, read_path,
};
use scim_sync::{Desired, DesiredGroup, DesiredManager, MatchKey};
use serde_json::json;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/sources");

const MAPPING: &str = r#"{
  "matchKey": "externalId",
  "columns": {
    "Employee ID": "externalId",
    "Login": "userName",
    "First": "name.givenName",
    "Last": "name.familyName",
    "Email": "emails",
    "Title": "title",
    "Active": "active",
    "Teams": "groups"
  },
  "required": ["Employee ID", "Email"],
  "listSeparator": ";"
}"#;

const HEADER: &str = "Employee ID,Login,First,Last,Email,Title,Active,Teams\n";

fn mapping() -> Mapping {
    Mapping::from_json(MAPPING).unwrap()
}

fn csv(text: &str) -> Result<Desired, SourceErrors> {
    read_csv(text.as_bytes(), &mapping())
}

/// Errors as `(line, column, kind)`.
type Found<'a> = Vec<(Option<usize>, Option<&'a str>, SourceErrorKind)>;

/// Each error as `(line, column, kind)`.
fn found(errors: &SourceErrors) -> Found<'_> {
    errors
        .errors
        .iter()
        .map(|e| (e.line, e.column.as_deref(), e.kind))
        .collect()
}

fn email(address: &str) -> Field<Vec<TypedValue>> {
    vec![TypedValue {
        value: address.into(),
        kind: "work".into(),
        primary: true.into(),
        ..TypedValue::default()
    }]
    .into()
}

fn group(name: &str, members: &[&str]) -> DesiredGroup {
    DesiredGroup {
        display_name: name.into(),
        external_id: None,
        members: members.iter().map(|m| (*m).to_owned()).collect(),
    }
}

/// What the fixture files (people.csv, people.json) hold.
fn expected_people() -> Desired {
    let ada = User {
        external_id: "hr:1".into(),
        user_name: "ada".into(),
        name: Name {
            given_name: "Ada".into(),
            family_name: "Lovelace".into(),
            ..Name::default()
        }
        .into(),
        emails: email("ada@example.com"),
        title: "Analyst, Engines".into(),
        active: true.into(),
        ..User::default()
    };
    let cal = User {
        external_id: "hr:2".into(),
        user_name: "cal".into(),
        name: Name {
            given_name: "Cal".into(),
            family_name: "Henderson".into(),
            ..Name::default()
        }
        .into(),
        emails: email("cal@example.com"),
        active: false.into(),
        ..User::default()
    };
    Desired {
        match_key: Some(MatchKey::ExternalId),
        users: vec![ada, cal],
        groups: vec![
            group("Eng", &["hr:1", "hr:2"]),
            group("Research", &["hr:1"]),
        ],
        ..Desired::default()
    }
}

#[test]
fn a_good_csv_gives_users_and_groups() {
    let mapping =
        Mapping::from_json(&std::fs::read_to_string(format!("{DATA}/mapping.json")).unwrap())
            .unwrap();
    let desired = read_path(format!("{DATA}/people.csv"), &mapping).unwrap();
    assert_eq!(desired, expected_people());
}

#[test]
fn users_serialise_to_scim_json() {
    let desired = csv(&format!(
        "{HEADER}hr:1,ada,Ada,Lovelace,ada@example.com,Analyst,1,\n"
    ))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&desired.users[0]).unwrap(),
        json!({
            "externalId": "hr:1",
            "userName": "ada",
            "name": {"givenName": "Ada", "familyName": "Lovelace"},
            "title": "Analyst",
            "active": true,
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
        })
    );
    assert!(desired.groups.is_empty());
}

#[test]
fn a_good_json_gives_the_same_as_the_csv() {
    let desired = read_path(format!("{DATA}/people.json"), &mapping()).unwrap();
    assert_eq!(desired, expected_people());
}

#[test]
fn a_utf8_bom_is_dropped() {
    let text = format!("{HEADER}hr:1,ada,,,ada@example.com,,,\n");
    let with_bom = [b"\xEF\xBB\xBF".as_slice(), text.as_bytes()].concat();
    let desired = read_csv(&with_bom, &mapping()).unwrap();
    assert_eq!(desired, csv(&text).unwrap());
    assert_eq!(desired.users[0].external_id.as_deref(), Some("hr:1"));
}

#[test]
fn crlf_and_lf_read_the_same() {
    let lf =
        format!("{HEADER}hr:1,ada,Ada,,ada@example.com,,,Eng\nhr:2,cal,,,cal@example.com,,,\n");
    let crlf = lf.replace('\n', "\r\n");
    let (lf, crlf) = (csv(&lf).unwrap(), csv(&crlf).unwrap());
    assert_eq!(lf, crlf);
    assert_eq!(crlf.users.len(), 2);
    assert_eq!(crlf.users[1].user_name.as_deref(), Some("cal"));
}

#[test]
fn quoted_fields_keep_what_they_quote() {
    // (title cell as written, title read)
    let cases = [
        (r#""Analyst, Engines""#, "Analyst, Engines"),
        (r#""says ""hi""""#, r#"says "hi""#),
        ("\"two\nlines\"", "two\nlines"),
        ("\"crlf\r\ninside\"", "crlf\r\ninside"),
        (r#"  "spaced"  "#, "spaced"),
        (r#""""#, ""),
        (r#""""""#, "\""),
    ];
    for (cell, want) in cases {
        let desired = csv(&format!("{HEADER}hr:1,ada,,,ada@example.com,{cell},,\n"))
            .unwrap_or_else(|e| panic!("{cell:?}: {e}"));
        let title = desired.users[0].title.as_deref();
        if want.is_empty() {
            assert_eq!(title, None, "{cell:?}: an empty quoted cell is absent");
        } else {
            assert_eq!(title, Some(want), "{cell:?}");
        }
    }
}

#[test]
fn a_record_after_a_quoted_newline_is_on_its_own_line() {
    // Line 2 spans lines 2-4; the bad email is on the record starting on line 5.
    let text = format!("{HEADER}hr:1,ada,,,ada@example.com,\"a\nb\nc\",,\nhr:2,cal,,,cal@,,,\n");
    let errors = csv(&text).unwrap_err();
    assert_eq!(
        found(&errors),
        [(Some(5), Some("Email"), SourceErrorKind::Email)]
    );
}

#[test]
fn missing_required_columns_are_listed_together() {
    let errors = csv("Login,First\nada,Ada\n").unwrap_err();
    assert_eq!(found(&errors), [(Some(1), None, SourceErrorKind::Required)]);
    let message = errors.to_string();
    assert!(
        message.starts_with(
            r#"line 1: missing required columns: "Employee ID", "Email" (the header has: "Login", "First")"#
        ),
        "{message}"
    );
}

#[test]
fn a_mapped_column_twice_in_the_header_is_an_error() {
    let errors = csv("Employee ID,Email,email\nhr:1,a@x,b@x\n").unwrap_err();
    assert_eq!(
        found(&errors),
        [(Some(1), Some("Email"), SourceErrorKind::Required)]
    );
    assert!(errors.to_string().contains("columns 2 and 3"), "{errors}");
}

#[test]
fn a_required_cell_that_is_empty_is_an_error() {
    let errors = csv(&format!("{HEADER}hr:1,ada,,,  ,,,\n")).unwrap_err();
    assert_eq!(
        found(&errors),
        [(Some(2), Some("Email"), SourceErrorKind::Required)]
    );
}

#[test]
fn a_duplicate_key_names_both_lines() {
    let text = format!(
        "{HEADER}hr:1,ada,,,ada@example.com,,,\nhr:2,bob,,,bob@example.com,,,\nhr:1,cal,,,cal@example.com,,,\n"
    );
    let errors = csv(&text).unwrap_err();
    assert_eq!(
        found(&errors),
        [(Some(4), Some("Employee ID"), SourceErrorKind::DuplicateKey)]
    );
    assert_eq!(
        errors.to_string(),
        r#"line 4: column "Employee ID": "hr:1" is also the externalId on line 2 (match keys must be unique)"#
    );
}

#[test]
fn user_name_and_email_keys_are_compared_case_insensitively() {
    for (key, column) in [
        (MatchKey::UserName, "Login"),
        (MatchKey::PrimaryEmail, "Email"),
    ] {
        let mapping = Mapping {
            match_key: key,
            ..mapping()
        };
        let text = format!(
            "{HEADER}1,Ada,,,Ada@Example.com,,,Eng\n2,ada,,,ada@example.COM,,,\n3,cal,,,cal@example.com,,,eng\n"
        );
        let errors = read_csv(text.as_bytes(), &mapping).unwrap_err();
        assert_eq!(
            found(&errors),
            [(Some(3), Some(column), SourceErrorKind::DuplicateKey)],
            "{key:?}"
        );
        let text =
            format!("{HEADER}1,Ada,,,Ada@Example.com,,,Eng\n3,cal,,,cal@example.com,,,eng\n");
        let desired = read_csv(text.as_bytes(), &mapping).unwrap();
        let members = &desired.groups[0].members;
        let want = match key {
            MatchKey::UserName => ["ada", "cal"],
            _ => ["ada@example.com", "cal@example.com"],
        };
        assert_eq!(
            members, &want,
            "{key:?}: members in the planner's lower-cased form"
        );
        assert_eq!(desired.match_key, Some(key));
    }
}

#[test]
fn a_row_without_its_match_key_is_an_error() {
    let errors = csv(&format!("{HEADER},ada,,,ada@example.com,,,\n")).unwrap_err();
    assert_eq!(
        found(&errors),
        [(Some(2), Some("Employee ID"), SourceErrorKind::MissingKey)]
    );
    assert!(
        errors
            .to_string()
            .ends_with("no externalId (the match key)")
    );
}

#[test]
fn malformed_emails_are_refused_with_the_reason() {
    let bad = [
        ("bob", "there is no @"),
        ("bob@", "nothing after the @"),
        ("@example.com", "nothing before the @"),
        ("bob@@example.com", "more than one @"),
        ("bob@ex@ample.com", "more than one @"),
        ("bob smith@example.com", "space"),
        ("bob@exa mple.com", "space"),
        ("\"bob\tx\"@example.com", "space"),
        ("Bob <bob@example.com>", "space"),
    ];
    for (address, reason) in bad {
        let cell = format!("\"{}\"", address.replace('"', "\"\""));
        let errors = csv(&format!("{HEADER}hr:1,ada,,,{cell},,,\n")).unwrap_err();
        assert_eq!(
            found(&errors),
            [(Some(2), Some("Email"), SourceErrorKind::Email)],
            "{address}"
        );
        let message = errors.to_string();
        assert!(
            message.contains("is not an email address") && message.contains(reason),
            "{address}: {message}"
        );
    }
    for good in [
        "a@b",
        "ada.lovelace+sync@example.co.uk",
        "  padded@example.com  ",
    ] {
        let desired = csv(&format!("{HEADER}hr:1,ada,,,{good},,,\n"))
            .unwrap_or_else(|e| panic!("{good}: {e}"));
        assert_eq!(desired.users[0].emails, email(good.trim()), "{good}");
    }
}

#[test]
fn active_takes_booleans_in_several_spellings() {
    let cases = [
        ("true", Some(true)),
        ("Yes", Some(true)),
        ("1", Some(true)),
        ("FALSE", Some(false)),
        ("no", Some(false)),
        ("0", Some(false)),
        ("maybe", None),
        ("2", None),
    ];
    for (cell, want) in cases {
        let read = csv(&format!("{HEADER}hr:1,ada,,,ada@example.com,,{cell},\n"));
        match want {
            Some(active) => assert_eq!(
                read.unwrap().users[0].active,
                Field::Value(active),
                "{cell}"
            ),
            None => {
                let errors = read.unwrap_err();
                assert_eq!(
                    found(&errors),
                    [(Some(2), Some("Active"), SourceErrorKind::Value)],
                    "{cell}"
                );
            }
        }
    }
}

#[test]
fn an_empty_cell_is_absent_unless_the_mapping_clears() {
    let text = format!("{HEADER}hr:1,ada,,Lovelace,ada@example.com,,,\n");
    let kept = csv(&text).unwrap();
    assert_eq!(kept.users[0].title, Field::Absent);
    assert_eq!(kept.users[0].active, Field::Absent);
    let clearing = Mapping {
        clear_empty: true,
        ..mapping()
    };
    let cleared = read_csv(text.as_bytes(), &clearing).unwrap();
    assert_eq!(
        serde_json::to_value(&cleared.users[0]).unwrap(),
        json!({
            "externalId": "hr:1",
            "userName": "ada",
            "name": {"givenName": null, "familyName": "Lovelace"},
            "title": null,
            "active": null,
            "emails": [{"value": "ada@example.com", "type": "work", "primary": true}],
        })
    );
}

#[test]
fn invalid_utf8_names_every_line_it_is_on() {
    // Latin-1 "é" (0xE9) on lines 3 and 5: a file saved in two encodings.
    let mut bytes = format!("{HEADER}hr:1,ada,,,ada@example.com,,,\n").into_bytes();
    bytes.extend(b"hr:2,ren\xE9,,,r@example.com,,,\nhr:3,cal,,,cal@example.com,,,\nhr:4,\xE9mile,,,e@example.com,,,\n");
    let errors = read_csv(&bytes, &mapping()).unwrap_err();
    assert_eq!(
        found(&errors),
        [
            (Some(3), None, SourceErrorKind::Encoding),
            (Some(5), None, SourceErrorKind::Encoding)
        ]
    );
    assert!(
        errors.errors[0]
            .to_string()
            .starts_with("line 3: not UTF-8 (byte 0xE9; mixed encodings?)"),
        "{errors}"
    );
}

#[test]
fn utf16_is_refused() {
    let utf16le: Vec<u8> = HEADER.encode_utf16().flat_map(u16::to_le_bytes).collect();
    for bom in [&b"\xFF\xFE"[..], b"\xFE\xFF"] {
        let bytes = [bom, &utf16le].concat();
        let errors = read_csv(&bytes, &mapping()).unwrap_err();
        assert_eq!(found(&errors), [(Some(1), None, SourceErrorKind::Encoding)]);
        assert!(errors.to_string().contains("UTF-16"), "{errors}");
    }
    // Without a byte-order mark: NUL bytes on the line.
    let errors = read_csv(&utf16le, &mapping()).unwrap_err();
    assert_eq!(
        found(&errors)[0],
        (Some(1), None, SourceErrorKind::Encoding)
    );
    assert!(errors.to_string().contains("NUL bytes"), "{errors}");
}

#[test]
fn csv_syntax_errors_name_their_line() {
    // (text after the header, line, message part)
    let cases = [
        (
            "hr:1,ada,,,a@x,\"never closed,,\nhr:2,cal,,,c@x,,,\n",
            2,
            "never closed",
        ),
        (
            "hr:1,ada,,,a@x,,,\nhr:2,cal,,,c@x,\"open\n\nstill open",
            3,
            "never closed",
        ),
        (
            "hr:1,a\"da,,,a@x,,,\n",
            2,
            "a quote inside an unquoted field",
        ),
        ("hr:1,\"ada\"x,,,a@x,,,\n", 2, "text after a closing quote"),
        (
            "hr:1,ada,,,a@x,,,\rhr:2,cal,,,c@x,,,\r",
            2,
            "carriage return without a line feed",
        ),
    ];
    for (rows, line, message) in cases {
        let errors = csv(&format!("{HEADER}{rows}")).unwrap_err();
        assert_eq!(errors.errors.len(), 1, "{rows:?}: {errors}");
        let error = &errors.errors[0];
        assert_eq!(
            (error.line, error.kind),
            (Some(line), SourceErrorKind::Syntax),
            "{rows:?}"
        );
        assert!(error.message.contains(message), "{rows:?}: {error}");
    }
    let errors = csv(&format!("{HEADER}hr:1,ada,,,a@x,,,\nhr:2,c\"al,,,c@x,,,\n")).unwrap_err();
    assert_eq!(
        errors.errors[0].column.as_deref(),
        Some("Login"),
        "the column is named"
    );
}

#[test]
fn ragged_rows_are_errors_and_all_are_reported() {
    let text = format!(
        "{HEADER}hr:1,ada,,,a@example.com,,,\nhr:2,bob,,,b@example.com,,\nhr:3,cal,,,c@example.com,,,,extra\n"
    );
    let errors = csv(&text).unwrap_err();
    assert_eq!(
        found(&errors),
        [
            (Some(3), None, SourceErrorKind::FieldCount),
            (Some(4), None, SourceErrorKind::FieldCount)
        ]
    );
    assert!(
        errors.errors[0]
            .message
            .starts_with("7 fields, but the header has 8"),
        "{errors}"
    );
}

#[test]
fn errors_are_collected_from_every_line() {
    let text = format!(
        "{HEADER}hr:1,ada,,,ada@,,,\nhr:2,bob,,,bob@example.com,,,\nhr:3,cal,,,cal@example.com,,perhaps,\n"
    );
    let errors = csv(&text).unwrap_err().in_file("people.csv");
    assert_eq!(
        errors.to_string(),
        "people.csv:2: column \"Email\": \"ada@\" is not an email address (nothing after the @)\n\
         people.csv:4: column \"Active\": \"perhaps\" is not a boolean (true/false, yes/no, 1/0, or a status: active/enabled, inactive/disabled/suspended)"
    );
    assert_eq!(errors.total(), 2);
}

#[test]
fn rows_before_a_syntax_error_are_checked_too_and_errors_come_in_line_order() {
    let text = format!(
        "{HEADER}hr:1,ada,,,ada@,,,\nhr:2,bob,,,bob@example.com,,,\nhr:3,\"cal\n,,,\nhr:1,,,,x@example.com,,,\n"
    );
    let errors = csv(&text).unwrap_err();
    assert_eq!(
        found(&errors),
        [
            (Some(2), Some("Email"), SourceErrorKind::Email),
            (Some(4), Some("Login"), SourceErrorKind::Syntax),
        ],
        "{errors}"
    );
}

#[test]
fn errors_past_the_cap_are_counted() {
    let rows: String = (0..150)
        .map(|n| format!("hr:{n},u{n},,,bad-{n},,,\n"))
        .collect();
    let errors = csv(&format!("{HEADER}{rows}")).unwrap_err();
    assert_eq!(
        (errors.errors.len(), errors.omitted, errors.total()),
        (MAX_ERRORS, 50, 150)
    );
    assert!(errors.to_string().ends_with("\n… and 50 more errors"));
}

#[test]
fn blank_lines_are_skipped_and_an_empty_file_is_an_error() {
    let desired = csv(&format!("\n{HEADER}\nhr:1,ada,,,a@example.com,,,\n\n\n")).unwrap();
    assert_eq!(desired.users.len(), 1);
    assert!(
        csv(HEADER).unwrap().users.is_empty(),
        "a header alone is no users"
    );
    for empty in ["", "\n\n", "\u{FEFF}"] {
        let errors = csv(empty).unwrap_err();
        assert_eq!(
            found(&errors),
            [(None, None, SourceErrorKind::Required)],
            "{empty:?}"
        );
    }
}

#[test]
fn the_default_mapping_reads_scim_named_columns() {
    let text = "externalId,userName,name.givenName,displayName,emails,active,groups,unmapped\n\
                hr:1,ada,Ada,Ada L.,ada@example.com,true,Eng;Ops,x\n";
    let desired = read_csv(text.as_bytes(), &Mapping::default()).unwrap();
    let ada = &desired.users[0];
    assert_eq!(ada.display_name.as_deref(), Some("Ada L."));
    assert_eq!(
        ada.name.value().and_then(|n| n.given_name.as_deref()),
        Some("Ada")
    );
    assert_eq!(
        desired.groups,
        [group("Eng", &["hr:1"]), group("Ops", &["hr:1"])]
    );
    assert_eq!(Mapping::default().columns.len(), Target::ALL.len());
}

#[test]
fn groups_are_trimmed_merged_by_name_and_listed_once_per_user() {
    let text = format!(
        "{HEADER}hr:1,ada,,,a@example.com,,, Eng ; eng;;Ops\nhr:2,bob,,,b@example.com,,,ops;ENG\n"
    );
    let desired = csv(&text).unwrap();
    assert_eq!(
        desired.groups,
        [
            group("Eng", &["hr:1", "hr:2"]),
            group("Ops", &["hr:1", "hr:2"])
        ]
    );
}

#[test]
fn a_semicolon_delimited_file_reads_with_its_delimiter() {
    let mapping = Mapping::from_json(r#"{"columns": {"id": "externalId", "mail": "emails", "teams": "groups"}, "delimiter": ";", "listSeparator": ","}"#).unwrap();
    let desired = read_csv(b"id;mail;teams\nhr:1;a@example.com;\"Eng,Ops\"\n", &mapping).unwrap();
    assert_eq!(
        desired.groups,
        [group("Eng", &["hr:1"]), group("Ops", &["hr:1"])]
    );
}

#[test]
fn json_values_null_numbers_and_lists() {
    let text = r#"[
      {"Employee ID": 17, "Email": "a@example.com", "Title": null, "Active": false, "Teams": ["Eng", " eng "]},
      {"Employee ID": "18", "Email": "b@example.com", "Teams": "Ops;Eng"}
    ]"#;
    let desired = read_json(text.as_bytes(), &mapping()).unwrap();
    assert_eq!(desired.users[0].external_id.as_deref(), Some("17"));
    assert_eq!(desired.users[0].title, Field::Null, "null clears");
    assert_eq!(desired.users[0].active, Field::Value(false));
    assert_eq!(
        desired.users[1].title,
        Field::Absent,
        "a missing key is absent"
    );
    assert_eq!(
        desired.groups,
        [group("Eng", &["17", "18"]), group("Ops", &["18"])]
    );
}

#[test]
fn json_errors_name_their_line() {
    // (input, errors as (line, column, kind), message part)
    let cases: [(&str, Found, &str); 7] = [
        (
            "[\n{\"Employee ID\": \"1\",\n \"Email\": }\n]",
            vec![(Some(3), None, SourceErrorKind::Syntax)],
            "expected value",
        ),
        (
            "{\"users\": []}",
            vec![(Some(1), None, SourceErrorKind::Syntax)],
            "expected an array of objects, one per user",
        ),
        (
            "[\n{\"Employee ID\": \"1\",\n \"Email\": \"a@x\",\n \"Email\": \"b@x\"}\n]",
            vec![(Some(4), None, SourceErrorKind::Syntax)],
            "duplicate key \"Email\"",
        ),
        (
            "[\n {\"Employee ID\": \"1\", \"Email\": \"a@x\"},\n\n {\"Employee ID\": \"2\",\n  \"Email\": \"b@\"}\n]",
            vec![(Some(4), Some("Email"), SourceErrorKind::Email)],
            "not an email",
        ),
        (
            "[{\"Employee ID\": \"1\", \"Email\": \"a@x\", \"Title\": {\"a\": 1}}]",
            vec![(Some(1), Some("Title"), SourceErrorKind::Value)],
            "an object where",
        ),
        (
            "[{\"Employee ID\": \"1\", \"Email\": \"a@x\", \"Title\": [\"a\"]}]",
            vec![(Some(1), Some("Title"), SourceErrorKind::Value)],
            "a list where one value",
        ),
        (
            "[{\"Employee ID\": \"1\", \"Email\": \"a@x\"},\n{\"Employee ID\": \"1\", \"Email\": \"b@x\"}]",
            vec![(Some(2), Some("Employee ID"), SourceErrorKind::DuplicateKey)],
            "on line 1",
        ),
    ];
    for (input, want, message) in cases {
        let errors = read_json(input.as_bytes(), &mapping()).unwrap_err();
        assert_eq!(found(&errors), want, "{input}");
        assert!(errors.to_string().contains(message), "{input}: {errors}");
    }
    let errors = read_json(b"[{\"Login\": \"ada\"}]", &mapping()).unwrap_err();
    assert!(
        errors.to_string().contains(
            "missing required columns: \"Employee ID\", \"Email\" (the keys are: \"Login\")"
        ),
        "{errors}"
    );
}

#[test]
fn mapping_file_errors_name_the_problem() {
    // (mapping file, line, message part)
    let cases = [
        (
            r#"{"columns": {"A": "externalId",
              "B": "name.given"}}"#,
            Some(2),
            r#"column "B": unknown SCIM attribute "name.given""#,
        ),
        (
            r#"{"columns": {"A": ["externalId", 3]}}"#,
            None,
            "expected an attribute path, found 3",
        ),
        (
            r#"{"columns": {"A": "externalId"}, "matchkey": "userName"}"#,
            Some(1),
            "unknown field `matchkey`",
        ),
        (
            r#"{"columns": {"A": "externalId"}, "matchKey": "email"}"#,
            Some(1),
            "unknown variant `email`",
        ),
        (
            r#"{"columns": {"A": "externalId", "B": "externalId"}}"#,
            None,
            r#"externalId is mapped from both "A" and "B""#,
        ),
        (
            r#"{"columns": {"A": "externalId"}, "required": ["Emial"]}"#,
            None,
            r#"required column "Emial" is not mapped"#,
        ),
        (
            r#"{"columns": {"A": "userName"}}"#,
            None,
            "no column feeds externalId, the match key",
        ),
        (
            r#"{"columns": {"A": "externalId"}, "delimiter": "::"}"#,
            None,
            "exactly one character",
        ),
        (
            r#"{"columns": {"A": "externalId"}, "delimiter": "\""}"#,
            None,
            "other than a quote",
        ),
        (
            r#"{"columns": {"A": "externalId"}, "listSeparator": ""}"#,
            None,
            "list separator is empty",
        ),
        (r#"{"columns": {}}"#, None, "maps no columns"),
        (
            r#"{"columns": {"A": "externalId", "A": "userName"}}"#,
            Some(1),
            r#"duplicate key "A""#,
        ),
        (
            "{\"columns\":\n {\"A\": \"externalId\",}}",
            Some(2),
            "trailing comma",
        ),
    ];
    for (file, line, message) in cases {
        let error = Mapping::from_json(file).unwrap_err();
        assert_eq!(
            (error.line, error.kind),
            (line, SourceErrorKind::Mapping),
            "{file}: {error}"
        );
        assert!(error.to_string().contains(message), "{file}: {error}");
    }
}

#[test]
fn a_column_may_feed_several_attributes() {
    let mapping = Mapping::from_json(
        r#"{"matchKey": "userName", "columns": {"Mail": ["emails", "userName"]}}"#,
    )
    .unwrap();
    let desired = read_csv(b"Mail\nAda@Example.com\n", &mapping).unwrap();
    assert_eq!(
        desired.users[0].user_name.as_deref(),
        Some("Ada@Example.com")
    );
    assert_eq!(desired.users[0].emails, email("Ada@Example.com"));
}

#[test]
fn a_hand_built_mapping_is_checked_before_reading() {
    let mapping = Mapping {
        delimiter: 'é',
        ..mapping()
    };
    let errors = read_csv(HEADER.as_bytes(), &mapping).unwrap_err();
    assert_eq!(found(&errors), [(None, None, SourceErrorKind::Mapping)]);
}

#[test]
fn read_path_names_the_file_and_refuses_other_extensions() {
    let errors = read_path(format!("{DATA}/missing.csv"), &mapping()).unwrap_err();
    assert_eq!(found(&errors), [(None, None, SourceErrorKind::Io)]);
    assert!(
        errors
            .to_string()
            .starts_with(&format!("{DATA}/missing.csv: ")),
        "{errors}"
    );
    let errors = read_path(format!("{DATA}/mapping.txt"), &mapping()).unwrap_err();
    assert!(
        errors.to_string().ends_with("not a .csv or .json file"),
        "{errors}"
    );
}

/// A small deterministic generator (xorshift), for garbled inputs.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn truncated_and_garbled_inputs_never_panic() {
    let csv_text = std::fs::read(format!("{DATA}/people.csv")).unwrap();
    let json_text = std::fs::read(format!("{DATA}/people.json")).unwrap();
    let mapping = mapping();
    let read = |bytes: &[u8]| {
        // Whatever happens, it is a result: users, or errors that print.
        for result in [read_csv(bytes, &mapping), read_json(bytes, &mapping)] {
            if let Err(errors) = result {
                assert!(errors.total() > 0 && !errors.to_string().is_empty());
            }
        }
    };
    for input in [&csv_text, &json_text] {
        for end in 0..input.len() {
            read(&input[..end]);
        }
    }
    let alphabet = b",;\"\r\n\x00\xFF\xE9\xC3[]{}:@ a1";
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    for round in 0..3000 {
        let mut bytes = if round % 2 == 0 {
            csv_text.clone()
        } else {
            json_text.clone()
        };
        for _ in 0..(1 + rng.next() % 4) {
            let at = (rng.next() as usize) % bytes.len();
            bytes[at] = alphabet[(rng.next() as usize) % alphabet.len()];
        }
        read(&bytes);
    }
    let mut partial = 0;
    for text in [
        "", "[", "[]", "[{}]", "\"", "\"\"", ",", "\r", "\u{FEFF}", "a\n\"", "[1]", "null",
    ] {
        partial += usize::from(read_json(text.as_bytes(), &mapping).is_ok());
        read(text.as_bytes());
    }
    assert_eq!(partial, 1, "of the scraps, only [] is a (empty) source");
}

#[test]
fn duplicate_logins_and_emails_are_refused_naming_both_lines() {
    // Two rows with one login (in two cases) and two with one mailbox (in
    // two cases): each would become one account both rows overwrite.
    let text = format!(
        "{HEADER}hr:1,ada,,,ada@example.com,,,\nhr:2,bob,,,Bob@Example.com,,,\n\
         hr:3,ADA,,,ada2@example.com,,,\nhr:4,bo,,,bob@example.COM,,,\n"
    );
    let errors = csv(&text).unwrap_err();
    assert_eq!(
        found(&errors),
        [
            (Some(4), Some("Login"), SourceErrorKind::DuplicateValue),
            (Some(5), Some("Email"), SourceErrorKind::DuplicateValue),
        ]
    );
    let shown = errors.to_string();
    assert!(
        shown.contains(r#"line 4: column "Login": "ada" is also the userName (login) on line 2"#),
        "{shown}"
    );
    assert!(
        shown.contains(
            r#"line 5: column "Email": "bob@example.com" is also the primary email on line 3"#
        ),
        "{shown}"
    );

    let json = "[{\"Employee ID\": \"1\", \"Login\": \"Ada\", \"Email\": \"a@x\"},\n\
                {\"Employee ID\": \"2\", \"Login\": \"b\", \"Email\": \"A@X\"},\n\
                {\"Employee ID\": \"3\", \"Login\": \"ada\", \"Email\": \"c@x\"}]";
    let errors = read_json(json.as_bytes(), &mapping()).unwrap_err();
    assert_eq!(
        found(&errors),
        [
            (Some(2), Some("Email"), SourceErrorKind::DuplicateValue),
            (Some(3), Some("Login"), SourceErrorKind::DuplicateValue),
        ]
    );
    assert!(errors.to_string().contains("on line 1"), "{errors}");

    let distinct =
        format!("{HEADER}hr:1,ada,,,ada@example.com,,,\nhr:2,bob,,,bob@example.com,,,\n");
    assert_eq!(csv(&distinct).unwrap().users.len(), 2);
}

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

/// The enterprise extension's attributes (RFC 7643 §4.3) by name or
/// qualified by RFC 7643's URN or Slack v1's, with `:` (RFC 7644 §3.10) or
/// `.` (the planner's paths); core attributes qualified by the core URN;
/// any other extension's attribute as written, compared without case.
#[test]
fn enterprise_and_extension_targets_read_in_every_spelling() {
    let cases = [
        ("department".to_owned(), Target::Department),
        ("COSTCENTER".to_owned(), Target::CostCenter),
        (format!("{ENTERPRISE}:department"), Target::Department),
        (
            format!("{ENTERPRISE}.employeeNumber"),
            Target::EmployeeNumber,
        ),
        (
            "urn:scim:schemas:extension:enterprise:1.0:manager".to_owned(),
            Target::Manager,
        ),
        (
            "urn:scim:schemas:extension:enterprise:1.0.division".to_owned(),
            Target::Division,
        ),
        (
            "URN:IETF:params:scim:schemas:extension:enterprise:2.0:user:organization".to_owned(),
            Target::Organization,
        ),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:name.givenName".to_owned(),
            Target::GivenName,
        ),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:title".to_owned(),
            Target::Title,
        ),
    ];
    for (path, expected) in cases {
        assert_eq!(Target::parse(&path), Ok(expected), "{path}");
    }
    let badge = Target::parse("urn:example:scim:acme:User:badge").unwrap();
    assert_eq!(
        badge,
        Target::parse("URN:EXAMPLE:scim:acme:User.Badge").unwrap()
    );
    assert_eq!(badge.path(), "urn:example:scim:acme:User.badge");
    assert_eq!(
        badge.managed_path().as_deref(),
        Some("urn:example:scim:acme:User.badge")
    );
    assert_eq!(
        Target::Manager.managed_path(),
        Some(format!("{ENTERPRISE}.manager"))
    );
}

#[test]
fn paths_that_are_not_targets_are_refused_with_the_reason() {
    let cases = [
        (
            format!("{ENTERPRISE}:badge"),
            "\"badge\" is not an attribute of the schema urn:ietf:params:scim:schemas:extension:enterprise:2.0:User",
        ),
        (
            format!("{ENTERPRISE}:manager.value"),
            "\"manager.value\" is not an attribute of the schema",
        ),
        (
            "urn:ietf:params:scim:schemas:core:2.0:User:department".into(),
            "\"department\" is not an attribute of the schema urn:ietf:params:scim:schemas:core:2.0:User",
        ),
        (
            "urn:example:badge".into(),
            "\"urn:example\" is not a schema URN",
        ),
        (
            "urn:example:ext:1.0:badge".into(),
            "ends in a part with a dot (\"1.0\")",
        ),
        (
            "urn:example:ext:User:2badge".into(),
            "\"2badge\" is not an attribute name",
        ),
        (
            "manager.value".into(),
            "unknown SCIM attribute \"manager.value\"",
        ),
    ];
    for (path, reason) in cases {
        let error = Target::parse(&path).unwrap_err();
        assert_eq!(error.kind, SourceErrorKind::Mapping, "{path}");
        assert!(error.message.contains(reason), "{path}: {error}");
    }
    // In a mapping file: the column and the line.
    let error = Mapping::from_json(
        "{\"columns\": {\"Id\": \"externalId\",\n \"Badge\": \"urn:example:badge\"}}",
    )
    .unwrap_err();
    assert_eq!(
        (error.line, error.column.as_deref(), error.kind),
        (Some(2), Some("Badge"), SourceErrorKind::Mapping)
    );
    // One attribute, two spellings, two columns: refused.
    let twice = Mapping::from_json(&format!(
        r#"{{"columns": {{"Id": "externalId", "A": "department", "B": "{ENTERPRISE}:department"}}}}"#
    ))
    .unwrap_err();
    assert!(
        twice.to_string().contains("department is mapped from both"),
        "{twice}"
    );
}

/// A row's enterprise attributes go to its enterprise extension (RFC 7643's
/// URN), another extension's attribute verbatim into that extension's
/// object, and its manager's key to `Desired::managers`, with its line.
#[test]
fn enterprise_attributes_managers_and_extensions_fill_the_desired_users() {
    let mapping = Mapping::from_json(
        r#"{"columns": {"Id": "externalId", "Mail": "emails", "Dept": "department",
            "Boss": "manager", "Badge": "urn:example:scim:acme:User:badgeNo"}}"#,
    )
    .unwrap();
    let text = "Id,Mail,Dept,Boss,Badge\nE1,a@example.com,R&D,E2,b1\nE2,b@example.com,,,\n";
    let desired = read_csv(text.as_bytes(), &mapping).unwrap();
    let ada = serde_json::to_value(&desired.users[0]).unwrap();
    assert_eq!(ada[ENTERPRISE], json!({"department": "R&D"}));
    assert_eq!(ada["urn:example:scim:acme:User"], json!({"badgeNo": "b1"}));
    let bob = serde_json::to_value(&desired.users[1]).unwrap();
    assert!(bob.get(ENTERPRISE).is_none() && bob.get("urn:example:scim:acme:User").is_none());
    assert_eq!(
        desired.managers,
        [DesiredManager {
            user: "E1".into(),
            manager: Some("E2".into()),
            line: Some(2)
        }]
    );
    assert_eq!(
        mapping.managed(),
        [
            "emails".to_owned(),
            format!("{ENTERPRISE}.department"),
            format!("{ENTERPRISE}.manager"),
            "urn:example:scim:acme:User.badgeNo".to_owned()
        ]
    );

    // JSON: `null` clears the manager; a list is not one key.
    let json_text = r#"[{"Id": "E1", "Mail": "a@example.com", "Boss": null},
        {"Id": "E2", "Mail": "b@example.com", "Boss": ["E1", "E3"]}]"#;
    let errors = read_json(json_text.as_bytes(), &mapping).unwrap_err();
    assert_eq!(
        found(&errors),
        [(Some(2), Some("Boss"), SourceErrorKind::Value)]
    );
    let cleared = read_json(
        br#"[{"Id": "E1", "Mail": "a@example.com", "Boss": null}]"#,
        &mapping,
    )
    .unwrap();
    assert_eq!(cleared.managers[0].manager, None);
}
