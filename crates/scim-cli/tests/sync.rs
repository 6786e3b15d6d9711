//! `scim plan`, `apply`, `verify` and `demo`, run as a user runs them, on
//! the sample data and on bad sources; exit codes and `--json` read back.

mod common;

use common::Scratch;
use serde_json::Value;

fn sample(file: &str) -> String {
    format!("{}/sample/{file}", env!("CARGO_MANIFEST_DIR"))
}

/// `plan`/`verify` flags for the sample source.
fn from_sample() -> Vec<String> {
    [
        "--from",
        &sample("people.csv"),
        "--mapping",
        &sample("mapping.json"),
        "--owned-prefix",
        "sample-",
    ]
    .map(str::to_owned)
    .to_vec()
}

fn with<'a>(head: &[&'a str], tail: &'a [String]) -> Vec<&'a str> {
    head.iter()
        .copied()
        .chain(tail.iter().map(String::as_str))
        .collect()
}

fn step_kinds(plan: &Value) -> Vec<String> {
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["step"].as_str().unwrap().to_owned())
        .collect()
}

#[test]
fn the_demo_plans_applies_and_verifies_the_sample_data() {
    let dir = Scratch::new("demo");
    let run = dir.scim(&["demo"]).ok();
    assert!(run.stdout.contains("1. plan"), "{run:?}");
    assert!(run.stdout.contains("6 done, 0 failed"), "{run:?}");
    assert!(run.stdout.contains("no drift"), "{run:?}");
    // It starts from the sample data every time and leaves no state behind.
    let json = dir.scim(&["--json", "demo"]).ok().json();
    assert_eq!(json["plan"]["steps"].as_array().unwrap().len(), 6);
    assert_eq!(json["report"]["done"].as_array().unwrap().len(), 6);
    assert_eq!(json["drift"]["items"], serde_json::json!([]));
    assert!(!dir.path(".scim-embedded.json").exists());
}

#[test]
fn plan_apply_verify_as_separate_commands_then_a_second_plan_is_a_no_op() {
    let dir = Scratch::new("sync");
    let source = from_sample();
    let plan = dir
        .scim(&with(&["--json", "plan", "--out", "plan.json"], &source))
        .ok()
        .json();
    assert_eq!(
        step_kinds(&plan),
        [
            "createUser",
            "createUser",
            "updateUser",
            "updateUser",
            "changeMembers",
            "changeMembers"
        ]
    );
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("plan.json")).unwrap()).unwrap();
    assert_eq!(written, plan, "--out holds the plan printed");

    let report = dir.scim(&["--json", "apply", "plan.json"]).ok().json();
    assert_eq!(report["done"].as_array().unwrap().len(), 6);
    assert!(dir.path("plan.json.journal").exists());
    // Applied again: the journal says every step is done; nothing is sent.
    let again = dir.scim(&["--json", "apply", "plan.json"]).ok().json();
    assert_eq!(again["done"], serde_json::json!([]));
    assert_eq!(again["skipped"].as_array().unwrap().len(), 6);

    let verify = dir.scim(&with(&["verify"], &source)).ok();
    assert!(verify.stdout.contains("no drift"), "{verify:?}");
    let second = dir.scim(&with(&["--json", "plan"], &source)).ok().json();
    assert_eq!(
        step_kinds(&second),
        Vec::<String>::new(),
        "a second plan is a no-op"
    );

    // Drift: a title changed behind the source's back → exit 3, listed.
    let users = dir.scim(&["--json", "users", "list"]).ok().json();
    let ada = users["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userName"] == "ada.lovelace")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    dir.scim(&["users", "patch", &ada, "--set", "title=Intern"])
        .ok();
    let drift = dir.scim(&with(&["--json", "verify"], &source));
    assert_eq!(drift.status, 3, "{drift:?}");
    let items = drift.json()["items"].clone();
    assert_eq!(items.as_array().unwrap().len(), 1, "{items}");
    assert_eq!(items[0]["kind"], "attribute");
    assert_eq!(items[0]["path"], "title");
    assert_eq!(items[0]["expected"], "Analyst");
    assert_eq!(items[0]["found"], "Intern");
}

#[test]
fn a_plan_refuses_a_provider_that_changed_and_failed_steps_exit_3() {
    let dir = Scratch::new("changed");
    let source = from_sample();
    dir.scim(&with(&["-q", "plan", "--out", "plan.json"], &source))
        .ok();
    dir.scim(&[
        "users",
        "create",
        "--user-name",
        "newcomer",
        "--email",
        "n@example.com",
    ])
    .ok();
    let refused = dir.scim(&["apply", "plan.json"]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert!(refused.stderr.contains("plan again"), "{refused:?}");

    // A plan with a step the provider refuses (no such user): exit 3, the
    // other steps done, the failure named.
    dir.scim(&with(&["-q", "plan", "--out", "plan.json"], &source))
        .ok();
    let mut plan: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("plan.json")).unwrap()).unwrap();
    plan["steps"].as_array_mut().unwrap().insert(
        2,
        serde_json::json!({"step": "updateUser", "key": "E9999", "id": "W9999999999",
            "changes": [{"path": "title", "value": "Ghost"}], "patch": {"title": "Ghost"}}),
    );
    // The digest computed again over the edit, as a tool could: apply
    // still checks the step (its target is no account the source does not
    // own), and sends it.
    let mut plan: scim_sync::Plan = serde_json::from_value(plan).unwrap();
    plan.digest = plan.computed_digest();
    std::fs::write(
        dir.path("edited.json"),
        serde_json::to_string(&plan).unwrap(),
    )
    .unwrap();
    let run = dir.scim(&["--json", "apply", "edited.json"]);
    assert_eq!(run.status, 3, "{run:?}");
    let report = run.json();
    assert_eq!(report["failed"][0]["step"], 2);
    assert_eq!(report["done"].as_array().unwrap().len(), 6);
}

/// Each rail's refusal names the rule that fired and the flag that
/// overrides it, with a value that does: re-run as it says, the plan passes.
#[test]
fn the_rails_refuse_a_source_that_would_deactivate_most_accounts() {
    let dir = Scratch::new("rails");
    std::fs::write(
        dir.path("one.csv"),
        "Employee ID,Login,Email\nsample-1001,ada.lovelace,ada@example.com\n",
    )
    .unwrap();
    let mapping = sample("mapping.json");
    let source = [
        "--from",
        "one.csv",
        "--mapping",
        &mapping,
        "--owned-prefix",
        "sample-",
    ]
    .map(str::to_owned);
    let plan = |flags: &[&str]| dir.scim(&with(&[&["--json", "plan"], flags].concat(), &source));
    let refused = dir.scim(&with(&["plan"], &source));
    assert_eq!(refused.status, 1, "{refused:?}");
    assert!(
        refused.stderr.contains(
            "would deactivate 4 of 6 owned accounts (66.7 %), over the 10 % limit of \
             --max-deactivation-percent; re-run with --max-deactivation-percent 67 \
             (or --allow-mass-deactivation) if that is meant"
        ),
        "{refused:?}"
    );
    assert_eq!(plan(&["--max-deactivation-percent", "66"]).status, 1);
    let allowed = plan(&["--max-deactivation-percent", "67"]).ok();
    let kinds = step_kinds(&allowed.json());
    assert_eq!(
        kinds.iter().filter(|k| *k == "deactivateUser").count(),
        4,
        "{kinds:?}"
    );
    plan(&["--allow-mass-deactivation"]).ok();

    let by_count = plan(&[
        "--max-deactivation-percent",
        "100",
        "--max-deactivations",
        "3",
    ]);
    assert_eq!(by_count.status, 1, "{by_count:?}");
    let message = by_count.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains(
            "over the limit of 3 of --max-deactivations; re-run with --max-deactivations 4"
        ),
        "{message}"
    );
    plan(&[
        "--max-deactivation-percent",
        "100",
        "--max-deactivations",
        "4",
    ])
    .ok();

    let shrank = plan(&["--last-source-size", "10"]);
    assert_eq!(shrank.status, 1, "{shrank:?}");
    let message = shrank.json()["error"]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("under 50 % of the 10 of --last-source-size")
            && message.contains("re-run with --last-source-size 1 "),
        "{message}"
    );
    plan(&[
        "--last-source-size",
        "1",
        "--max-deactivation-percent",
        "67",
    ])
    .ok();

    // Without an ownership rule nothing is deactivated at all.
    let unowned = dir
        .scim(&["--json", "plan", "--from", "one.csv", "--mapping", &mapping])
        .ok();
    assert!(!step_kinds(&unowned.json()).contains(&"deactivateUser".to_owned()));
}

/// A clash with an account the source does not own names the flags that
/// take it over, or that make it the source's.
#[test]
fn a_takeover_refusal_names_adopt_unowned_by_and_owned_prefix() {
    let dir = Scratch::new("clash-flags");
    let mut source = from_sample();
    let prefix = source.iter().position(|s| s == "sample-").unwrap();
    source[prefix] = "E".to_owned();
    let run = dir.scim(&with(&["plan"], &source));
    assert_eq!(run.status, 1, "{run:?}");
    for part in [
        "exists, not owned",
        "--adopt-unowned-by KEY",
        "--owned-prefix",
    ] {
        assert!(run.stderr.contains(part), "{part}: {run:?}");
    }
}

#[test]
fn bad_sources_fail_with_the_line_and_plan_nothing() {
    let dir = Scratch::new("bad");
    let mapping = sample("mapping.json");
    let header = "Employee ID,First Name,Last Name,Login,Email,Job Title,Active,Teams\r\n";
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "missing column",
            b"Employee ID,Email\r\nE1,a@example.com\r\n".to_vec(),
            "Login",
        ),
        (
            "duplicate key",
            format!("{header}E1,A,B,a,a@example.com,T,yes,\r\nE1,C,D,c,c@example.com,T,yes,\r\n")
                .into_bytes(),
            "line 2",
        ),
        (
            "bad email",
            format!("{header}E1,A,B,a,a@@example.com,T,yes,\r\n").into_bytes(),
            ":2:",
        ),
        (
            "one login in two cases",
            format!(
                "{header}E1,A,B,ada,a@example.com,T,yes,\r\nE2,C,D,ADA,c@example.com,T,yes,\r\n"
            )
            .into_bytes(),
            r#"bad.csv:3: column "Login": "ada" is also the userName (login) on line 2"#,
        ),
        (
            "one mailbox in two cases",
            format!(
                "{header}E1,A,B,a,Ada@example.com,T,yes,\r\nE2,C,D,c,ada@EXAMPLE.com,T,yes,\r\n"
            )
            .into_bytes(),
            r#"bad.csv:3: column "Email": "ada@example.com" is also the primary email on line 2"#,
        ),
        (
            "not UTF-8",
            [
                header.as_bytes(),
                b"E1,Andr\xe9,B,a,a@example.com,T,yes,\r\n",
            ]
            .concat(),
            "UTF-8",
        ),
        (
            "unterminated quote",
            format!("{header}E1,\"A,B,a,a@example.com,T,yes,\r\n").into_bytes(),
            ":2:",
        ),
    ];
    for (name, bytes, expected) in cases {
        std::fs::write(dir.path("bad.csv"), bytes).unwrap();
        let run = dir.scim(&[
            "plan",
            "--from",
            "bad.csv",
            "--mapping",
            &mapping,
            "--out",
            "plan.json",
        ]);
        assert_eq!(run.status, 1, "{name}: {run:?}");
        assert!(run.stderr.contains(expected), "{name}: {run:?}");
        assert!(!dir.path("plan.json").exists(), "{name}: nothing planned");
    }
    // A BOM and quoted newlines are fine.
    let good = format!(
        "\u{feff}{header}E1007,\"Barbara\nJane\",Liskov,barbara.liskov,barbara@example.com,Engineer,yes,\r\n"
    );
    std::fs::write(dir.path("good.csv"), good).unwrap();
    let run = dir
        .scim(&[
            "--json",
            "plan",
            "--from",
            "good.csv",
            "--mapping",
            &mapping,
        ])
        .ok();
    assert_eq!(
        run.json()["steps"][0]["user"]["name"]["givenName"],
        "Barbara\nJane"
    );
}

/// A provider that refuses `requests` requests in turn with 400 and a
/// `scimType`; its base URL.
fn refusing_provider(requests: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/scim/v2/", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut lines = Vec::new();
        for _ in 0..requests {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap() == 1 {
                head.push(byte[0]);
            }
            let head = String::from_utf8(head).unwrap();
            lines.push(head.lines().next().unwrap_or_default().to_owned());
            let body = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"status":"400","scimType":"tooMany","detail":"narrow the query"}"#;
            let answer = format!(
                "HTTP/1.1 400 Bad Request\r\nContent-Type: application/scim+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            stream.write_all(answer.as_bytes()).unwrap();
        }
        lines
    });
    (url, handle)
}

#[test]
fn json_errors_of_plan_and_apply_keep_the_providers_status_and_scim_type() {
    let dir = Scratch::new("sync-status");
    let source = from_sample();
    let token = [("SCIM_TOKEN", "t-sync-status-1")];
    let (url, provider) = refusing_provider(2);
    let remote = ["--json", "--profile", "scim2", "--base-url", url.as_str()];

    // plan: the provider's read fails (ReadError over the client's error).
    let planned = dir.scim_with(&with(&[&remote[..], &["plan"]].concat(), &source), &token);
    assert_eq!(planned.status, 1, "{planned:?}");
    let error = &planned.json()["error"];
    assert_eq!(error["kind"], "read", "{planned:?}");
    assert_eq!(error["status"], 400, "{planned:?}");
    assert_eq!(error["scimType"], "tooMany", "{planned:?}");

    // apply: its state check's read fails (ApplyError over ReadError over it).
    dir.scim(&with(
        &["-q", "--profile", "scim2", "plan", "--out", "plan.json"],
        &source,
    ))
    .ok();
    let applied = dir.scim_with(&[&remote[..], &["apply", "plan.json"]].concat(), &token);
    assert_eq!(applied.status, 1, "{applied:?}");
    let error = &applied.json()["error"];
    assert_eq!(error["kind"], "apply", "{applied:?}");
    assert_eq!(error["status"], 400, "{applied:?}");
    assert_eq!(error["scimType"], "tooMany", "{applied:?}");

    let lines = provider.join().unwrap();
    assert!(
        lines.iter().all(|l| l.starts_with("GET /scim/v2/Users")),
        "{lines:?}"
    );
}

/// All users as (userName, externalId, title, active), sorted.
fn users(dir: &Scratch) -> Vec<Value> {
    users_in(dir, "slack-v1")
}

fn users_in(dir: &Scratch, profile: &str) -> Vec<Value> {
    let list = dir
        .scim(&["--profile", profile, "--json", "users", "list"])
        .ok()
        .json();
    let mut users: Vec<Value> = list["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| serde_json::json!([u["userName"], u["externalId"], u["title"], u["active"]]))
        .collect();
    users.sort_by_key(Value::to_string);
    users
}

/// Issue 20's takeover: the source's new hire (sample-1007, barbara.liskov)
/// meets an account with that login that the source does not own
/// (externalId OTHER-1). Planning refuses it naming both; nothing is
/// written; `--adopt-unowned-by userName` takes it over explicitly, with
/// the owned externalId written (under Slack v2: Slack v1 cannot PATCH
/// externalId, so there it stays a clash).
#[test]
fn a_login_held_by_an_unowned_account_is_refused_at_plan_unless_adoption_is_asked() {
    let dir = Scratch::new("takeover");
    let users = |dir: &Scratch| users_in(dir, "slack-v2");
    dir.scim(&[
        "--profile",
        "slack-v2",
        "users",
        "create",
        "--user-name",
        "barbara.liskov",
        "--external-id",
        "OTHER-1",
        "--email",
        "someone.else@example.com",
        "--title",
        "Contractor",
    ])
    .ok();
    let before = users(&dir);
    let mut source = from_sample();
    source.extend(["--profile".to_owned(), "slack-v2".to_owned()]);
    let refused = dir.scim(&with(&["plan", "--out", "plan.json"], &source));
    assert_eq!(refused.status, 1, "{refused:?}");
    for part in [
        "exists, not owned",
        "sample-1007",
        "barbara.liskov",
        "OTHER-1",
    ] {
        assert!(refused.stderr.contains(part), "{part}: {refused:?}");
    }
    assert!(!dir.path("plan.json").exists(), "nothing planned");
    assert_eq!(users(&dir), before, "nothing written");

    let adopting = with(&["--adopt-unowned-by", "userName"], &source);
    let plan = dir
        .scim(&with(
            &["--json", "plan", "--out", "plan.json"],
            &adopting.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
        ))
        .ok()
        .json();
    assert!(
        step_kinds(&plan).contains(&"adoptUser".to_owned()),
        "{plan}"
    );
    dir.scim(&["--profile", "slack-v2", "apply", "plan.json"])
        .ok();
    let barbara: Vec<Value> = users(&dir)
        .into_iter()
        .filter(|u| u[0] == "barbara.liskov")
        .collect();
    assert_eq!(
        barbara,
        [serde_json::json!([
            "barbara.liskov",
            "sample-1007",
            "Engineer",
            true
        ])]
    );
    let verify = dir.scim(&with(&["verify"], &source)).ok();
    assert!(verify.stdout.contains("no drift"), "{verify:?}");

    let bad = dir.scim(&with(&["plan", "--adopt-unowned-by", "nickName"], &source));
    assert_eq!(bad.status, 2, "{bad:?}");
}

/// A plan file edited by hand (a step added, a step changed, the digest
/// removed) is refused before any write, says how to plan again, and
/// leaves no journal; with its digest computed again over the edit, the
/// added deletion of an account the source does not own is still refused.
#[test]
fn a_plan_edited_by_hand_is_refused_before_any_write() {
    let dir = Scratch::new("tampered");
    dir.scim(&[
        "users",
        "create",
        "--user-name",
        "outsider",
        "--email",
        "o@example.com",
    ])
    .ok();
    let outsider = dir.scim(&["--json", "users", "list"]).ok().json()["users"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["userName"] == "outsider")
        .unwrap()["id"]
        .clone();
    let source = from_sample();
    dir.scim(&with(&["-q", "plan", "--out", "plan.json"], &source))
        .ok();
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path("plan.json")).unwrap()).unwrap();
    let delete = serde_json::json!({"step": "deleteUser", "id": outsider, "user_name": "outsider"});
    let mut added = plan.clone();
    added["steps"].as_array_mut().unwrap().push(delete);
    let mut changed = plan.clone();
    changed["steps"][0]["user"]["title"] = "Admin".into();
    let mut unsealed = plan.clone();
    unsealed.as_object_mut().unwrap().remove("digest");
    let before = users(&dir);
    for (case, edited) in [
        ("added", &added),
        ("changed", &changed),
        ("unsealed", &unsealed),
    ] {
        let file = format!("{case}.json");
        std::fs::write(dir.path(&file), edited.to_string()).unwrap();
        let run = dir.scim(&["apply", &file]);
        assert_eq!(run.status, 1, "{case}: {run:?}");
        assert!(run.stderr.contains("edited by hand"), "{case}: {run:?}");
        assert!(run.stderr.contains("scim plan"), "{case}: {run:?}");
        assert!(!dir.path(&format!("{file}.journal")).exists(), "{case}");
        assert_eq!(users(&dir), before, "{case}: nothing written");
    }
    let mut resealed: scim_sync::Plan = serde_json::from_value(added).unwrap();
    resealed.digest = resealed.computed_digest();
    std::fs::write(
        dir.path("resealed.json"),
        serde_json::to_string(&resealed).unwrap(),
    )
    .unwrap();
    let run = dir.scim(&["apply", "resealed.json"]);
    assert_eq!(run.status, 1, "{run:?}");
    assert!(run.stderr.contains("does not own"), "{run:?}");
    assert!(run.stderr.contains("outsider"), "{run:?}");
    assert_eq!(users(&dir), before, "nothing written");
    // The plan as written applies.
    dir.scim(&["apply", "plan.json"]).ok();
}

/// While another apply holds the plan's journal, `scim apply` is refused
/// at once (exit 1) naming the holder's pid, host and start time, and
/// changes nothing; once it is released the apply runs, each group once.
#[test]
fn a_second_apply_of_one_plan_is_refused_naming_the_holder() {
    let dir = Scratch::new("apply-locked");
    dir.scim(&with(&["plan", "--out", "plan.json"], &from_sample()))
        .ok();
    let held = scim_sync::apply::ApplyLock::acquire(
        &dir.path("plan.json.journal"),
        "https://another-run.test/scim/v2",
    )
    .unwrap();
    let refused = dir.scim(&["apply", "plan.json"]);
    assert_eq!(refused.status, 1, "{refused:?}");
    for part in [
        "another apply is running".to_owned(),
        format!("pid {}", std::process::id()),
        "started ".to_owned(),
    ] {
        assert!(refused.stderr.contains(&part), "{part}: {refused:?}");
    }
    let journal = std::fs::read(dir.path("plan.json.journal")).unwrap_or_default();
    assert!(journal.is_empty(), "nothing journaled while refused");
    drop(held);
    let report = dir.scim(&["--json", "apply", "plan.json"]).ok().json();
    assert_eq!(report["done"].as_array().unwrap().len(), 6, "{report}");
    let groups = dir.scim(&["--json", "groups", "list"]).ok().json();
    let mut names: Vec<&str> = groups["groups"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|g| g["displayName"].as_str())
        .collect();
    names.sort_unstable();
    let all = names.len();
    names.dedup();
    assert!(all > 0 && names.len() == all, "each group once: {groups}");
}

/// The permission bits of `path`.
#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o777
}

#[cfg(unix)]
#[test]
fn plans_journals_exports_and_the_state_are_written_for_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let dir = Scratch::new("modes");
    // A file already there with the default umask's mode is narrowed.
    std::fs::write(dir.path("plan.json"), "old").unwrap();
    std::fs::set_permissions(
        dir.path("plan.json"),
        std::fs::Permissions::from_mode(0o644),
    )
    .unwrap();
    dir.scim(&with(&["-q", "plan", "--out", "plan.json"], &from_sample()))
        .ok();
    dir.scim(&["-q", "apply", "plan.json"]).ok();
    dir.scim(&["export", "--format", "csv", "--out", "users.csv"])
        .ok();
    dir.scim(&["export", "--out", "all.json"]).ok();
    for file in [
        "plan.json",
        "plan.json.journal",
        ".scim-embedded.json",
        "users.csv",
        "all.json",
    ] {
        assert_eq!(mode(&dir.path(file)), 0o600, "{file}");
    }
}

#[test]
fn concurrency_is_bounded_with_a_clear_error() {
    let dir = Scratch::new("concurrency");
    dir.scim(&with(&["-q", "plan", "--out", "plan.json"], &from_sample()))
        .ok();
    for n in ["5000", "0", "65"] {
        let run = dir.scim(&["apply", "plan.json", "--concurrency", n]);
        assert_eq!(run.status, 2, "{n}: {run:?}");
        assert!(
            run.stderr.contains(&format!(
                "'--concurrency <N>': takes 1 to 64 (requests in flight at once), not {n}"
            )),
            "{n}: {run:?}"
        );
        assert!(
            !dir.path("plan.json.journal").exists(),
            "{n}: nothing started"
        );
    }
    let run = dir
        .scim(&["--json", "apply", "plan.json", "--concurrency", "64"])
        .ok();
    assert_eq!(run.json()["done"].as_array().unwrap().len(), 6);
}

#[test]
fn a_refused_apply_leaves_no_journal_and_the_plan_made_again_applies() {
    let dir = Scratch::new("refused");
    let source = from_sample();
    dir.scim(&with(&["-q", "plan", "--out", "plan.json"], &source))
        .ok();
    dir.scim(&["users", "create", "--user-name", "newcomer"])
        .ok();
    let refused = dir.scim(&["apply", "plan.json"]);
    assert_eq!(refused.status, 1, "{refused:?}");
    assert!(refused.stderr.contains("plan again"), "{refused:?}");
    assert!(
        !dir.path("plan.json.journal").exists(),
        "a refused apply sent nothing, so keeps no journal"
    );
    dir.scim(&with(&["-q", "plan", "--out", "plan.json"], &source))
        .ok();
    let run = dir.scim(&["--json", "apply", "plan.json"]).ok();
    assert_eq!(run.json()["done"].as_array().unwrap().len(), 6, "{run:?}");
    dir.scim(&with(&["verify"], &source)).ok();
}

/// The README's sync example, run as a newcomer runs it first: against the
/// embedded service (seeded with the sample accounts) with a source of
/// their own under `--owned-prefix E`. The seeded accounts are not in that
/// namespace, so the plan owns none of them: it creates the newcomer's
/// people, deactivates nothing, and is not refused; apply and verify
/// follow as the README says.
#[test]
fn the_readmes_first_plan_runs_on_a_fresh_embedded_service() {
    const README: &str = include_str!("../../../README.md");
    let line = |start: &str| -> Vec<String> {
        let line = README
            .lines()
            .find(|l| l.starts_with(start))
            .unwrap_or_else(|| panic!("the README has no `{start}` line"));
        let command = line.split('#').next().unwrap();
        command
            .split_whitespace()
            .skip(1)
            .map(str::to_owned)
            .collect()
    };
    let plan = line("scim plan --from");
    assert!(plan.contains(&"--owned-prefix".to_owned()), "{plan:?}");
    let dir = Scratch::new("readme");
    std::fs::write(
        dir.path("people.csv"),
        "Employee ID,First Name,Last Name,Login,Email,Job Title,Active,Teams\n\
         E2001,Hedy,Lamarr,hedy.lamarr,hedy@example.com,Inventor,yes,Research\n\
         E2002,Frances,Allen,frances.allen,frances@example.com,Fellow,yes,Research\n",
    )
    .unwrap();
    std::fs::copy(sample("mapping.json"), dir.path("mapping.json")).unwrap();
    let words: Vec<&str> = plan.iter().map(String::as_str).collect();
    let planned = dir.scim(&[&["--json"], &words[..]].concat()).ok().json();
    let kinds = step_kinds(&planned);
    assert_eq!(
        kinds.iter().filter(|k| *k == "createUser").count(),
        2,
        "{kinds:?}"
    );
    assert!(
        !kinds
            .iter()
            .any(|k| k.starts_with("deactivate") || k.starts_with("delete")),
        "the sample accounts are not the newcomer's: {kinds:?}"
    );
    let apply = line("scim apply");
    dir.scim(&apply.iter().map(String::as_str).collect::<Vec<_>>())
        .ok();
    let verify = line("scim verify");
    dir.scim(&verify.iter().map(String::as_str).collect::<Vec<_>>())
        .ok();
}
