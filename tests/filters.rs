//! Filters: the RFC 7644 §3.4.2.2 examples, the builder, and the parser's limits.

use scim_client::filter::{AttrPath, CompValue, CompareOp, Filter, MAX_DEPTH};

/// Every example filter of RFC 7644 §3.4.2.2, verbatim.
const RFC7644_EXAMPLES: &[&str] = &[
    r#"userName Eq "john""#,
    r#"Username eq "john""#,
    r#"userName eq "bjensen""#,
    r#"name.familyName co "O'Malley""#,
    r#"userName sw "J""#,
    r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "J""#,
    r#"title pr"#,
    r#"meta.lastModified gt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified ge "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified lt "2011-05-13T04:42:34Z""#,
    r#"meta.lastModified le "2011-05-13T04:42:34Z""#,
    r#"title pr and userType eq "Employee""#,
    r#"title pr or userType eq "Intern""#,
    r#"schemas eq "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User""#,
    r#"userType eq "Employee" and (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType ne "Employee" and not (emails co "example.com" or emails.value co "example.org")"#,
    r#"userType eq "Employee" and (emails.type eq "work")"#,
    r#"userType eq "Employee" and emails[type eq "work" and value co "@example.com"]"#,
    r#"emails[type eq "work" and value co "@example.com"] or ims[type eq "xmpp" and value co "@foo.com"]"#,
];

#[test]
fn every_rfc7644_example_parses_and_reprints_stably() {
    for example in RFC7644_EXAMPLES {
        let parsed: Filter = example.parse().unwrap_or_else(|e| panic!("{example}: {e}"));
        let printed = parsed.to_string();
        assert_eq!(
            printed.parse::<Filter>().unwrap(),
            parsed,
            "{example} -> {printed}"
        );
    }
}

#[test]
fn operators_and_keywords_ignore_case_and_print_lower_case() {
    let parsed: Filter = r#"userName Eq "Carly" AND NOT (active EQ false)"#.parse().unwrap();
    assert_eq!(
        parsed,
        Filter::eq("userName", "Carly").and(Filter::not(Filter::eq("active", false)))
    );
    assert_eq!(
        parsed.to_string(),
        r#"userName eq "Carly" and not (active eq false)"#
    );
}

#[test]
fn and_binds_tighter_than_or_and_parentheses_are_kept_where_needed() {
    let a = || Filter::present("a");
    let b = || Filter::present("b");
    let c = || Filter::present("c");
    assert_eq!(
        "a pr or b pr and c pr".parse::<Filter>().unwrap(),
        a().or(b().and(c()))
    );
    assert_eq!(
        "(a pr or b pr) and c pr".parse::<Filter>().unwrap(),
        a().or(b()).and(c())
    );
    assert_eq!(a().or(b()).and(c()).to_string(), "(a pr or b pr) and c pr");
    assert_eq!(a().or(b().or(c())).to_string(), "a pr or (b pr or c pr)");
    assert_eq!(a().or(b()).or(c()).to_string(), "a pr or b pr or c pr");
}

#[test]
fn the_builder_escapes_values_as_json_strings() {
    let f = Filter::value_path(
        "emails",
        Filter::eq("type", "work").and(Filter::co("value", "\"]) or (x pr")),
    );
    assert_eq!(
        f.to_string(),
        r#"emails[type eq "work" and value co "\"]) or (x pr"]"#
    );
    assert_eq!(f.to_string().parse::<Filter>().unwrap(), f);
    let control = Filter::eq("displayName", "tab\there\u{1}\\");
    assert_eq!(control.to_string(), r#"displayName eq "tab\there\u0001\\""#);
}

#[test]
fn values_of_every_json_type_are_read() {
    let f: Filter = r#"a eq 1 and b gt -2.5e3 and c eq true and d eq null and e eq "é""#
        .parse()
        .unwrap();
    let expected = Filter::eq("a", 1i64)
        .and(Filter::gt(
            "b",
            CompValue::Num(serde_json::Number::from_f64(-2500.0).unwrap()),
        ))
        .and(Filter::eq("c", true))
        .and(Filter::compare("d", CompareOp::Eq, CompValue::Null))
        .and(Filter::eq("e", "é"));
    assert_eq!(f, expected);
}

#[test]
fn qualified_paths_split_into_urn_attribute_and_sub_attribute() {
    let path =
        AttrPath::parse("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value")
            .unwrap();
    assert_eq!(
        path.urn.as_deref(),
        Some("urn:ietf:params:scim:schemas:extension:enterprise:2.0:User")
    );
    assert_eq!(path.name, "manager");
    assert_eq!(path.sub_attr.as_deref(), Some("value"));
    assert!(AttrPath::parse("1abc").is_err());
    assert!(AttrPath::parse("a b").is_err());
}

/// A known extension URN alone is the whole extension, whether RFC 7643's
/// (`…:2.0:User`, which the grammar would read as an attribute `User`) or
/// Slack v1's SCIM 1.1 spelling, whose version holds a dot (`…:1.0`, which
/// split at its dot was an attribute `1` with a sub-attribute `0`). After a
/// SCIM 1.1 URN, the attribute follows a `:` or a `.`.
#[test]
fn a_known_extension_urn_alone_is_the_whole_extension() {
    use scim_client::model::{ENTERPRISE_V1, ENTERPRISE_V2, EXTENSION_URNS};
    for urn in EXTENSION_URNS {
        let path = AttrPath::parse(urn).unwrap();
        assert!(path.is_whole_extension(), "{urn}");
        assert_eq!((path.urn, path.name.as_str()), (None, urn));
        assert_eq!(AttrPath::new(urn).to_string(), urn);
    }
    let upper = AttrPath::parse(&ENTERPRISE_V1.to_uppercase()).unwrap();
    assert!(upper.is_whole_extension());
    for written in [
        format!("{ENTERPRISE_V1}:department"),
        format!("{ENTERPRISE_V1}.department"),
    ] {
        let path = AttrPath::parse(&written).unwrap();
        assert_eq!(path.urn.as_deref(), Some(ENTERPRISE_V1), "{written}");
        assert_eq!(path.name, "department");
        assert!(!path.is_whole_extension());
        assert_eq!(path.to_string(), format!("{ENTERPRISE_V1}:department"));
    }
    let manager = AttrPath::parse(&format!("{ENTERPRISE_V1}:manager.managerId")).unwrap();
    assert_eq!(
        (manager.name.as_str(), manager.sub_attr.as_deref()),
        ("manager", Some("managerId"))
    );
    let department = AttrPath::parse(&format!("{ENTERPRISE_V2}:department")).unwrap();
    assert_eq!(department.urn.as_deref(), Some(ENTERPRISE_V2));
    assert!(!department.is_whole_extension());
    // An unknown URN keeps RFC 7644's reading: its last part is the name.
    let other = AttrPath::parse("urn:example:acme:2.0:User").unwrap();
    assert_eq!(
        (other.urn.as_deref(), other.name.as_str()),
        (Some("urn:example:acme:2.0"), "User")
    );
}

#[test]
fn invalid_filters_are_errors_with_a_position() {
    let cases = [
        ("", 0),
        ("userName", 8),
        ("userName eq", 11),
        (r#"userName zz "x""#, 9),
        (r#"userName eq "x"#, 12),
        (r#"userName eq "x")"#, 15),
        (r#"(userName eq "x""#, 16),
        (r#"emails[type eq "work""#, 21),
        ("userName eq 01", 12),
        ("userName eq 1.", 12),
        ("userName eq tru", 12),
        ("a pr and", 8),
        ("a pr & b pr", 5),
        ("9a pr", 0),
    ];
    for (input, position) in cases {
        let err = input.parse::<Filter>().unwrap_err();
        assert_eq!(err.position, position, "{input:?}: {err}");
    }
}

#[test]
fn depth_is_capped_for_chains_parentheses_and_not() {
    let chain = |n: usize| vec!["a pr"; n].join(" or ");
    assert!(chain(MAX_DEPTH).parse::<Filter>().is_ok());
    assert!(chain(MAX_DEPTH + 2).parse::<Filter>().is_err());

    let nested = |n: usize| format!("{}a pr{}", "(".repeat(n), ")".repeat(n));
    assert!(nested(MAX_DEPTH).parse::<Filter>().is_ok());
    assert!(nested(MAX_DEPTH + 1).parse::<Filter>().is_err());

    let nots = |n: usize| format!("{}a pr{}", "not (".repeat(n), ")".repeat(n));
    assert!(nots(MAX_DEPTH - 1).parse::<Filter>().is_ok());
    assert!(nots(MAX_DEPTH + 1).parse::<Filter>().is_err());

    // Hostile sizes fail fast instead of overflowing the stack.
    assert!("(".repeat(1_000_000).parse::<Filter>().is_err());
    assert!(
        format!("{}a pr]", "a[".repeat(100_000))
            .parse::<Filter>()
            .is_err()
    );
    assert!(chain(100_000).parse::<Filter>().is_err());
}

#[test]
fn validate_catches_attribute_paths_outside_the_grammar() {
    assert!(Filter::eq("userName", "x").validate().is_ok());
    assert!(
        Filter::eq(r#"userName eq "x" or userName"#, "y")
            .validate()
            .is_err()
    );
    assert!(Filter::present("").validate().is_err());
}
