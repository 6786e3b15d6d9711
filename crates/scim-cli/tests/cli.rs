//! The `scim` binary, run as a user runs it: in a scratch directory, with
//! no token in the environment (so against the embedded service), or with
//! one against a local server on 127.0.0.1.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread::JoinHandle;

use serde_json::Value;

mod common;

use common::Scratch;

fn ids_of(list: &Value, key: &str) -> Vec<String> {
    list[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn users_list_shows_the_sample_users_in_a_table_and_says_it_is_embedded() {
    let dir = Scratch::new("list-table");
    let run = dir.scim(&["users", "list"]).ok();
    let header = run.stdout.lines().next().unwrap();
    assert!(header.starts_with("ID"), "{header}");
    for column in ["USERNAME", "DISPLAY NAME", "EMAIL", "TITLE", "ACTIVE"] {
        assert!(header.contains(column), "{header}");
    }
    assert!(run.stdout.contains("ada.lovelace"), "{}", run.stdout);
    assert!(run.stdout.ends_with("6 users\n"), "{}", run.stdout);
    assert!(
        run.stderr
            .contains("using the embedded in-memory service (no token set)"),
        "{}",
        run.stderr
    );
    assert!(
        !dir.path(".scim-embedded.json").exists(),
        "a read saves no state"
    );
}

#[test]
fn users_list_json_is_one_document_with_every_user() {
    let dir = Scratch::new("list-json");
    let run = dir.scim(&["--json", "users", "list"]).ok();
    let list = run.json();
    assert_eq!(list["count"], 6);
    let names: Vec<&str> = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["userName"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"grace.hopper"), "{names:?}");
    assert_eq!(list["users"][0]["id"], "W0000000001");
    // A filter and a small page size walk the same service.
    let filtered = dir
        .scim(&[
            "--json",
            "users",
            "list",
            "--count",
            "2",
            "--filter",
            "active eq true",
        ])
        .ok()
        .json();
    assert_eq!(filtered["count"], 5);
}

#[test]
fn a_user_created_patched_and_deactivated_persists_across_invocations() {
    let dir = Scratch::new("lifecycle");
    let created = dir
        .scim(&[
            "--json",
            "users",
            "create",
            "--user-name",
            "linus",
            "--email",
            "linus@example.com",
            "--given-name",
            "Linus",
            "--family-name",
            "Torvalds",
        ])
        .ok()
        .json();
    let id = created["id"].as_str().unwrap().to_owned();
    assert!(dir.path(".scim-embedded.json").exists());

    let read = dir.scim(&["--json", "users", "get", &id]).ok().json();
    assert_eq!(read["userName"], "linus");
    assert_eq!(read["emails"][0]["value"], "linus@example.com");

    let patched = dir
        .scim(&[
            "users",
            "patch",
            &id,
            "--set",
            "title=Chief, Kernel",
            "--set",
            "name.givenName=Lin",
        ])
        .ok();
    assert!(
        patched.stdout.starts_with(&format!("patched user {id}")),
        "{patched:?}"
    );
    let read = dir.scim(&["--json", "users", "get", &id]).ok().json();
    assert_eq!(read["title"], "Chief, Kernel");
    assert_eq!(read["name"]["givenName"], "Lin");
    assert_eq!(
        read["name"]["familyName"], "Torvalds",
        "the rest of name is kept"
    );

    dir.scim(&["users", "deactivate", &id]).ok();
    let read = dir.scim(&["--json", "users", "get", &id]).ok().json();
    assert_eq!(read["active"], false);
    let all = dir.scim(&["--json", "users", "list"]).ok().json();
    assert_eq!(all["count"], 7, "deactivated, not deleted");
}

#[test]
fn the_patch_form_follows_the_profile() {
    let dir = Scratch::new("patch-v2");
    let flags = ["--profile", "slack-v2", "--json"];
    let created = dir
        .scim(&[&flags[..], &["users", "create", "--user-name", "ada2"]].concat())
        .ok()
        .json();
    let id = created["id"].as_str().unwrap();
    let patched = dir
        .scim(&[&flags[..], &["users", "patch", id, "--set", "title=Lead"]].concat())
        .ok()
        .json();
    assert_eq!(patched["title"], "Lead");
    let schemas = patched["schemas"].to_string();
    assert!(schemas.contains("core:2.0:User"), "{schemas}");
}

#[test]
fn users_create_from_json_and_conflicts_are_failures() {
    let dir = Scratch::new("from-json");
    std::fs::write(
        dir.path("user.json"),
        r#"{"userName": "hedy", "title": "Inventor", "emails": [{"value": "hedy@example.com", "primary": true}]}"#,
    )
    .unwrap();
    let created = dir
        .scim(&["--json", "users", "create", "--from-json", "user.json"])
        .ok()
        .json();
    assert_eq!(created["title"], "Inventor");
    let again = dir.scim(&["--json", "users", "create", "--from-json", "user.json"]);
    assert_eq!(again.status, 1, "{again:?}");
    assert_eq!(again.json()["error"]["status"], 409);
    let missing = dir.scim(&["users", "create", "--from-json", "absent.json"]);
    assert_eq!(missing.status, 1, "{missing:?}");
    assert!(missing.stderr.contains("absent.json"), "{missing:?}");
}

#[test]
fn groups_create_add_members_and_list() {
    let dir = Scratch::new("groups");
    let group = dir
        .scim(&[
            "--json",
            "groups",
            "create",
            "--name",
            "Pioneers",
            "--external-id",
            "G-PIO",
        ])
        .ok()
        .json();
    let id = group["id"].as_str().unwrap().to_owned();
    let added = dir
        .scim(&[
            "--json",
            "groups",
            "add-members",
            &id,
            "W0000000001",
            "W0000000002",
        ])
        .ok()
        .json();
    assert_eq!(
        added["added"],
        serde_json::json!(["W0000000001", "W0000000002"])
    );
    assert_eq!(added["requests"], 1);

    let list = dir.scim(&["--json", "groups", "list"]).ok().json();
    assert_eq!(list["count"], 4);
    let pioneers = list["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["id"] == id.as_str())
        .unwrap();
    let members: Vec<&str> = pioneers["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["value"].as_str().unwrap())
        .collect();
    assert_eq!(members, ["W0000000001", "W0000000002"]);

    dir.scim(&["groups", "remove-members", &id, "W0000000001"])
        .ok();
    let table = dir.scim(&["groups", "get", &id]).ok().stdout;
    assert!(
        table.contains("W0000000002") && !table.contains("W0000000001"),
        "{table}"
    );
    assert!(table.contains("1 member\n"), "{table}");
    let listed = dir.scim(&["groups", "list"]).ok().stdout;
    assert!(
        listed
            .lines()
            .any(|l| l.contains("Pioneers") && l.contains("G-PIO") && l.ends_with(" 1")),
        "{listed}"
    );
}

#[test]
fn export_json_has_flat_users_and_groups_with_member_ids() {
    let dir = Scratch::new("export-json");
    let export = dir.scim(&["export", "--format", "json"]).ok().json();
    let users = export["users"].as_array().unwrap();
    assert_eq!(users.len(), 6);
    let ada = &users[0];
    for (key, value) in [
        ("id", "W0000000001"),
        ("userName", "ada.lovelace"),
        ("externalId", "sample-1001"),
        ("displayName", "Ada Lovelace"),
        ("givenName", "Ada"),
        ("familyName", "Lovelace"),
        ("title", "Analyst"),
        ("email", "ada@example.com"),
    ] {
        assert_eq!(ada[key], value, "{key}");
    }
    assert_eq!(ada["active"], true);
    let engineering = &export["groups"][0];
    assert_eq!(engineering["displayName"], "Engineering");
    assert_eq!(
        engineering["members"],
        serde_json::json!(["W0000000001", "W0000000003", "W0000000006"])
    );
}

#[test]
fn export_csv_is_rfc_4180_and_parses_back() {
    let dir = Scratch::new("export-csv");
    let text = dir.scim(&["export", "--format", "csv"]).ok().stdout;
    assert!(text.starts_with(
        "id,userName,externalId,displayName,name.givenName,name.familyName,title,email,active\r\n"
    ));
    assert!(
        text.contains(",\"Research Mathematician, \"\"Hidden Figures\"\"\","),
        "{text}"
    );
    assert_eq!(
        text.matches("\r\n").count(),
        7,
        "a header and six users, CRLF"
    );
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    assert_eq!(rows.len(), 7);
    assert!(rows.iter().all(|r| r.len() == 9));
    let katherine = rows.iter().find(|r| r[1] == "katherine.johnson").unwrap();
    assert_eq!(katherine[6], "Research Mathematician, \"Hidden Figures\"");
    let edsger = rows.iter().find(|r| r[1] == "edsger.dijkstra").unwrap();
    assert_eq!(edsger[8], "false");
    let listed = dir.scim(&["--json", "users", "list"]).ok().json();
    let csv_ids: Vec<String> = rows[1..].iter().map(|r| r[0].clone()).collect();
    assert_eq!(csv_ids, ids_of(&listed, "users"));
}

#[test]
fn export_to_a_file_prints_a_summary() {
    let dir = Scratch::new("export-out");
    let summary = dir
        .scim(&["--json", "export", "--format", "csv", "--out", "users.csv"])
        .ok()
        .json();
    assert_eq!(summary["users"], 6);
    assert_eq!(summary["format"], "csv");
    let written = std::fs::read_to_string(dir.path("users.csv")).unwrap();
    assert_eq!(written.lines().count(), 7);
    let human = dir.scim(&["export", "--out", "all.json"]).ok().stdout;
    assert_eq!(human, "exported 6 users and 3 groups to all.json\n");
}

#[test]
fn usage_errors_exit_2_and_send_nothing() {
    let dir = Scratch::new("usage");
    for args in [
        &[][..],
        &["frobnicate"],
        &["users"],
        &["users", "frobnicate"],
        &["users", "get"],
        &["users", "list", "--frob"],
        &["users", "list", "--count", "0"],
        &["users", "create", "--email", "x@example.com"],
        &["users", "patch", "W0000000001"],
        &["users", "patch", "W0000000001", "--set", "no-equals"],
        &["groups", "add-members", "S0000000007"],
        &["export", "--format", "xml"],
        &["plan"],
        &[
            "plan",
            "--from",
            "people.csv",
            "--max-deactivations",
            "many",
        ],
        &["apply"],
        &["verify"],
        &["demo", "extra"],
    ] {
        let run = dir.scim(args);
        assert_eq!(run.status, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains("scim: error: "), "{args:?}: {run:?}");
    }
    assert!(!dir.path(".scim-embedded.json").exists());
}

#[test]
fn json_errors_are_also_one_document_on_stdout() {
    let dir = Scratch::new("json-errors");
    let usage = dir.scim(&["--json", "users", "get"]);
    assert_eq!(usage.status, 2);
    assert_eq!(usage.json()["error"]["kind"], "usage");
    let missing = dir.scim(&["--json", "users", "get", "W9"]);
    assert_eq!(missing.status, 1);
    let error = &missing.json()["error"];
    assert_eq!(
        (error["kind"].as_str(), error["status"].as_u64()),
        (Some("api"), Some(404))
    );
    assert!(
        missing
            .stderr
            .lines()
            .any(|l| l.starts_with("scim: error: SCIM service answered 404")),
        "{missing:?}"
    );
}

#[test]
fn an_unknown_profile_is_a_usage_error_naming_the_known_ones() {
    let run = Scratch::new("profile").scim(&["--profile", "okta", "users", "list"]);
    assert_eq!(run.status, 2, "{run:?}");
    for name in scim_client::provider::Profile::NAMES {
        assert!(run.stderr.contains(name), "{name}: {run:?}");
    }
}

/// `--base-url` without a token: no `Authorization` header is sent, and a
/// service that answers anyway is used as any other.
#[test]
fn a_base_url_without_a_token_sends_no_authorization() {
    let dir = Scratch::new("no-token");
    let page = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#;
    let (url, server) = answering_server(page, 1);
    let run = dir.scim(&[
        "--json",
        "--profile",
        "scim2",
        "--base-url",
        &url,
        "users",
        "list",
    ]);
    let heads = server.join().unwrap();
    assert_eq!(run.status, 0, "{run:?}");
    assert_eq!(run.json()["count"], 0, "{run:?}");
    assert!(heads[0].starts_with("GET /scim/v2/Users"), "{heads:?}");
    assert!(
        !heads[0].to_ascii_lowercase().contains("authorization"),
        "{heads:?}"
    );
    assert!(!run.stderr.contains("embedded"), "{run:?}");
}

/// A service that needs a token answers 401: the error says a token is
/// needed and how to give one, with the service's status kept.
#[test]
fn a_401_without_a_token_says_how_to_give_one() {
    let dir = Scratch::new("no-token-401");
    let (url, server) = echoing_server("no-token-was-sent");
    let run = dir.scim(&[
        "--json",
        "--profile",
        "scim2",
        "--base-url",
        &url,
        "users",
        "list",
    ]);
    let head = server.join().unwrap();
    assert!(
        !head.to_ascii_lowercase().contains("authorization"),
        "{head}"
    );
    assert_eq!(run.status, 1, "{run:?}");
    let error = &run.json()["error"];
    assert_eq!(error["status"], 401, "{run:?}");
    let message = error["message"].as_str().unwrap();
    for part in [
        "needs a token and none was sent",
        "--token-file",
        "SCIM_TOKEN",
    ] {
        assert!(message.contains(part), "{part}: {message}");
    }
}

#[test]
fn a_token_alone_needs_a_base_url_where_the_profile_has_placeholders() {
    let dir = Scratch::new("placeholder");
    let run = dir.scim_with(
        &["--profile", "aws", "users", "list"],
        &[("SCIM_TOKEN", "t-123456")],
    );
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("--base-url"), "{run:?}");
    assert!(run.stderr.contains("<region>"), "{run:?}");
    // No profile's URL template is shown with its braces, as if it were a URL.
    let scim2 = dir.scim_with(
        &["--profile", "scim2", "users", "list"],
        &[("SCIM_TOKEN", "t-123456")],
    );
    assert_eq!(scim2.status, 2, "{scim2:?}");
    assert!(scim2.stderr.contains("no URL of its own"), "{scim2:?}");
    assert!(!scim2.stderr.contains('{'), "{scim2:?}");
}

/// A server that answers one request 401, echoing the token in its body
/// and headers; the join handle gives back the request's head.
fn echoing_server(token: &'static str) -> (String, JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/scim/v2/", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut head = Vec::new();
        let mut byte = [0u8; 1];
        while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
            head.push(byte[0]);
        }
        let body = format!(
            r#"{{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"401","detail":"token {token} is not valid"}}"#
        );
        let answer = format!(
            "HTTP/1.1 401 Unauthorized\r\nContent-Type: application/scim+json\r\nWWW-Authenticate: Bearer error=\"{token}\"\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(answer.as_bytes()).unwrap();
        String::from_utf8(head).unwrap()
    });
    (url, handle)
}

#[test]
fn a_token_the_server_echoes_is_never_printed() {
    const TOKEN: &str = "tok-RECOGNISABLE-4242";
    let dir = Scratch::new("echo");
    dir.token_file("token", &format!("  {TOKEN}\n"));
    let (url, server) = echoing_server(TOKEN);
    let args = [
        "--json",
        "--profile",
        "scim2",
        "--base-url",
        &url,
        "--token-file",
        "token",
        "users",
        "list",
    ];
    let run = dir.scim(&args);
    let head = server.join().unwrap();
    assert!(
        head.contains(&format!("Bearer {TOKEN}")),
        "the trimmed token was sent: {head}"
    );
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "{run:?}"
    );
    let error = &run.json()["error"];
    assert_eq!(error["status"], 401);
    assert_eq!(error["kind"], "api");
    assert!(!dir.path(".scim-embedded.json").exists());
}

#[test]
fn the_environment_token_goes_to_the_base_url_and_is_not_printed_either() {
    const TOKEN: &str = "xoxp-ENVIRONMENT-7777";
    let dir = Scratch::new("env-token");
    let (url, server) = echoing_server(TOKEN);
    let run = dir.scim_with(
        &[
            "--profile",
            "scim2",
            "--base-url",
            &url,
            "users",
            "get",
            "W1",
        ],
        &[
            ("SLACK_ORG_ADMIN_USER_TOKEN", TOKEN),
            ("SCIM_TOKEN", "not-this-one"),
        ],
    );
    let head = server.join().unwrap();
    assert!(head.starts_with("GET /scim/v2/Users/W1 "), "{head}");
    assert!(head.contains(&format!("Bearer {TOKEN}")), "{head}");
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("401"), "{run:?}");
    assert!(
        !run.stdout.contains(TOKEN) && !run.stderr.contains(TOKEN),
        "{run:?}"
    );
    assert!(!run.stderr.contains("embedded"), "{run:?}");
}

#[test]
fn reset_deletes_the_state_and_the_sample_data_comes_back() {
    let dir = Scratch::new("reset");
    dir.scim(&["users", "create", "--user-name", "temp"]).ok();
    assert_eq!(
        dir.scim(&["--json", "users", "list"]).ok().json()["count"],
        7
    );
    let reset = dir.scim(&["--json", "reset"]).ok().json();
    assert_eq!(reset["removed"], true);
    assert!(!dir.path(".scim-embedded.json").exists());
    assert_eq!(
        dir.scim(&["--json", "users", "list"]).ok().json()["count"],
        6
    );
    let again = dir.scim(&["reset"]).ok();
    assert!(again.stdout.starts_with("no state file"), "{again:?}");
    let remote = dir.scim_with(&["reset"], &[("SCIM_TOKEN", "t-123456")]);
    assert_eq!(remote.status, 2, "{remote:?}");
}

#[test]
fn state_is_kept_in_the_chosen_file_for_its_profile_only() {
    let dir = Scratch::new("state-file");
    let created = dir
        .scim(&[
            "--json",
            "--profile",
            "aws",
            "--state",
            "aws.json",
            "users",
            "create",
            "--user-name",
            "ada2",
            // AWS requires these on create.
            "--display-name",
            "Ada Two",
            "--given-name",
            "Ada",
            "--family-name",
            "Two",
        ])
        .ok()
        .json();
    let id = created["id"].as_str().unwrap();
    assert_eq!(id.len(), 32, "SCIM 2.0 ids: {id}");
    let state: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("aws.json")).unwrap()).unwrap();
    assert_eq!(state["profile"], "aws");
    assert!(ids_of(&state["service"], "users").contains(&id.to_owned()));
    let other = dir.scim(&["--state", "aws.json", "users", "list"]);
    assert_eq!(other.status, 1, "{other:?}");
    assert!(other.stderr.contains("--profile aws"), "{other:?}");
}

#[test]
fn a_corrupt_state_file_is_a_failure_that_points_to_reset() {
    let dir = Scratch::new("corrupt");
    std::fs::write(dir.path(".scim-embedded.json"), "not json").unwrap();
    let run = dir.scim(&["users", "list"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("scim reset"), "{run:?}");
    dir.scim(&["reset"]).ok();
    dir.scim(&["users", "list"]).ok();
}

#[test]
fn help_and_version() {
    let dir = Scratch::new("help");
    let help = dir.scim(&["--help"]).ok().stdout;
    for text in [
        "users list",
        "export",
        "--token-file",
        "Exit status:",
        "3    drift",
    ] {
        assert!(help.contains(text), "{text}");
    }
    assert_eq!(dir.scim(&["help"]).ok().stdout, help);
    let version = dir.scim(&["--version"]).ok().stdout;
    assert_eq!(version, format!("scim {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn quiet_silences_the_notice() {
    let run = Scratch::new("quiet").scim(&["-q", "users", "list"]).ok();
    assert_eq!(run.stderr, "");
}

/// A server on 127.0.0.1 answering every request 200 with `body`, as a
/// broken proxy or a health endpoint does; the handle gives back the
/// request heads it was sent once `expected` requests are in.
fn answering_server(body: &'static str, expected: usize) -> (String, JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/scim/v2/", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for _ in 0..expected {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
                head.push(byte[0]);
            }
            lines.push(String::from_utf8(head).unwrap());
            let answer = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).unwrap();
        }
        lines
    });
    (url, handle)
}

#[test]
fn a_list_answered_with_something_that_is_not_a_page_is_a_failure_not_an_empty_directory() {
    let dir = Scratch::new("not-a-page");
    dir.token_file("token", "tok-not-a-page\n");
    for body in [
        "{}",
        r#"{"status":"ok"}"#,
        r#"{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","userName":"bjensen"}"#,
    ] {
        for (profile, what) in [
            ("scim2", "users"),
            ("scim2", "groups"),
            ("slack-v1", "users"),
        ] {
            let (url, server) = answering_server(body, 1);
            let args = [
                "--json",
                "--profile",
                profile,
                "--base-url",
                &url,
                "--token-file",
                "token",
                what,
                "list",
            ];
            let run = dir.scim(&args);
            let asked = server.join().unwrap();
            assert_eq!(asked.len(), 1, "{asked:?}");
            assert!(asked[0].starts_with("GET /scim/v2/"), "{asked:?}");
            assert_eq!(run.status, 1, "{profile} {what} list, {body}: {run:?}");
            let error = &run.json()["error"];
            assert_eq!(error["kind"], "decode", "{body}: {run:?}");
            let message = error["message"].as_str().unwrap();
            assert!(message.contains("not a list response"), "{body}: {message}");
            assert!(!run.stdout.contains("\"count\""), "{body}: {run:?}");
        }
    }
}

#[test]
fn a_csv_export_neutralises_cells_a_spreadsheet_would_run() {
    let dir = Scratch::new("export-formula");
    for (name, title) in [
        ("mallory", "=cmd|' /C calc'!A0"),
        ("trudy", "@SUM(1+1)"),
        ("eve", "+1 555 0100"),
        ("oscar", "-2+3"),
        ("peggy", "a = b"),
    ] {
        dir.scim(&["users", "create", "--user-name", name, "--title", title])
            .ok();
    }
    dir.scim(&["export", "--format", "csv", "--out", "users.csv"])
        .ok();
    let text = std::fs::read_to_string(dir.path("users.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    let title_of = |name: &str| rows.iter().find(|r| r[1] == name).unwrap()[6].clone();
    assert_eq!(title_of("mallory"), "'=cmd|' /C calc'!A0");
    assert_eq!(title_of("trudy"), "'@SUM(1+1)");
    assert_eq!(title_of("eve"), "'+1 555 0100");
    assert_eq!(title_of("oscar"), "'-2+3");
    assert_eq!(
        title_of("peggy"),
        "a = b",
        "only a leading character counts"
    );
    let help = dir.scim(&["--help"]).ok().stdout;
    assert!(help.contains("OWASP CSV"), "{help}");
}

#[cfg(unix)]
#[test]
fn a_token_file_others_may_read_is_refused_before_anything_is_sent() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new("token-mode");
    let path = dir.token_file("token", "tok-SHARED-1234\n");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let args = [
        "--profile",
        "scim2",
        "--base-url",
        "http://127.0.0.1:9/scim/v2/",
        "--token-file",
        "token",
        "users",
        "list",
    ];
    let run = dir.scim(&args);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(
        run.stderr
            .contains("the token file token may be read by group or others (mode 0644)"),
        "{run:?}"
    );
    assert!(run.stderr.contains("chmod 600 token"), "{run:?}");
    assert!(!run.stderr.contains("tok-SHARED"), "{run:?}");
}

/// `scim worker` against a store that is not there: a failure naming the
/// store (never a password), within the connection's bounded wait.
#[test]
fn a_worker_whose_store_is_unreachable_fails_clearly() {
    let dir = Scratch::new("worker-unreachable");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap()
        .port();
    let store = format!("postgres://scim@127.0.0.1:{port}/scim");
    let run = dir.scim_with(
        &[
            "worker",
            "--store",
            &store,
            "--target",
            "slack-v2=http://127.0.0.1:1/scim/v2/",
        ],
        &[("SCIM_TOKEN", "xoxp-worker-secret")],
    );
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("scim: error:"), "{run:?}");
    assert!(!run.stderr.contains("xoxp-worker-secret"), "{run:?}");
}
