//! What the command line says about itself: per-command help with
//! examples, typo suggestions, completions, the man page, refusals of bad
//! flag values before anything is read, and the help texts as committed
//! snapshots (`tests/snapshots/`; `UPDATE_SNAPSHOTS=1` writes them again).

mod common;

use std::path::PathBuf;

use common::Scratch;

/// Every command with flags of its own, as `scim help` takes it.
const COMMANDS: [&[&str]; 18] = [
    &["users"],
    &["users", "list"],
    &["users", "get"],
    &["users", "create"],
    &["users", "patch"],
    &["users", "deactivate"],
    &["groups", "list"],
    &["groups", "create"],
    &["groups", "add-members"],
    &["export"],
    &["plan"],
    &["apply"],
    &["verify"],
    &["sync"],
    &["worker"],
    &["demo"],
    &["completions"],
    &["man"],
];

/// Flags each command's help must list (its own, not only the global ones).
const OWN_FLAGS: [(&[&str], &[&str]); 9] = [
    (&["users", "list"], &["--filter", "--count"]),
    (
        &["users", "create"],
        &["--user-name", "--email", "--from-json", "--display-name"],
    ),
    (&["users", "patch"], &["--set", "--set-json", "<ID>"]),
    (
        &["groups", "create"],
        &["--name", "--member", "--external-id"],
    ),
    (&["export"], &["--format", "--out", "OWASP"]),
    (
        &["plan"],
        &[
            "--from",
            "--mapping",
            "--owned-prefix",
            "--max-deactivation-percent",
            "--adopt-unowned-by",
            "--out",
        ],
    ),
    (&["apply"], &["<PLAN>", "--journal", "--concurrency"]),
    (
        &["sync"],
        &["--config", "--dry-run", "--yes", "--every", "--metrics"],
    ),
    (
        &["worker"],
        &["--store", "--target", "--lease", "--until-idle"],
    ),
];

fn help(dir: &Scratch, command: &[&str]) -> String {
    let run = dir.scim(&[&["help"], command].concat()).ok();
    assert!(run.stderr.is_empty(), "{command:?}: {run:?}");
    run.stdout
}

#[test]
fn each_command_has_its_own_help_with_its_flags_and_examples() {
    let dir = Scratch::new("help-commands");
    let mut seen = Vec::new();
    for command in COMMANDS {
        let text = help(&dir, command);
        assert!(
            text.contains(&format!("Usage: scim {}", command.join(" "))),
            "{command:?}: {text}"
        );
        if command != ["users"] {
            assert!(text.contains("Examples:\n  scim "), "{command:?}: {text}");
        }
        assert!(!seen.contains(&text), "{command:?} has another's help");
        seen.push(text);
    }
    for (command, flags) in OWN_FLAGS {
        let text = help(&dir, command);
        for flag in flags {
            assert!(text.contains(flag), "{command:?} lacks {flag}: {text}");
        }
    }
    let flag = dir.scim(&["plan", "--help"]).ok().stdout;
    assert_eq!(flag, help(&dir, &["plan"]), "`plan --help` is `help plan`");
}

#[test]
fn a_typo_gets_a_suggestion_and_exit_2() {
    let dir = Scratch::new("typo");
    let run = dir.scim(&["pln"]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.starts_with("scim: error: "), "{run:?}");
    assert!(
        run.stderr.contains("a similar subcommand exists: 'plan'"),
        "{run:?}"
    );
    let flag = dir.scim(&["users", "list", "--fitler", "x"]);
    assert_eq!(flag.status, 2, "{flag:?}");
    assert!(flag.stderr.contains("'--filter'"), "{flag:?}");
}

/// A typo'd flag is refused by the parser, before the source (which does
/// not exist here) or the mapping is opened.
#[test]
fn a_typod_flag_is_refused_before_any_file_is_read() {
    let dir = Scratch::new("typo-flag");
    let run = dir.scim(&["plan", "--from", "absent.csv", "--maping", "absent.json"]);
    assert_eq!(run.status, 2, "{run:?}");
    assert!(run.stderr.contains("'--maping'"), "{run:?}");
    assert!(run.stderr.contains("'--mapping'"), "suggested: {run:?}");
    assert!(
        !run.stderr.contains("absent"),
        "no file was opened: {run:?}"
    );
    assert!(!dir.path(".scim-embedded.json").exists());
}

#[test]
fn values_out_of_range_are_refused_naming_the_flag_and_the_range() {
    let dir = Scratch::new("ranges");
    let plan = ["plan", "--from", "absent.csv"];
    for (flag, value, expected) in [
        (
            "--max-deactivation-percent",
            "150",
            "a percentage is 0 to 100, not 150",
        ),
        (
            "--owned-prefix",
            "",
            "an empty prefix would own every account",
        ),
        ("--last-source-size", "0", "1 or more"),
        ("--managed", "title,,emails", "none empty"),
        ("--adopt-unowned-by", "nickName", "userName"),
    ] {
        let run = dir.scim(&[&plan[..], &[flag, value]].concat());
        assert_eq!(run.status, 2, "{flag} {value:?}: {run:?}");
        assert!(run.stderr.contains(flag), "{flag}: {run:?}");
        assert!(run.stderr.contains(expected), "{flag}: {run:?}");
        assert!(!run.stderr.contains("absent"), "{flag}: {run:?}");
    }
    for (args, expected) in [
        (&["users", "list", "--count", "0"][..], "--count"),
        (&["apply", "plan.json", "--concurrency", "65"], "1 to 64"),
        (&["--rate-share", "2", "users", "list"], "at most 1"),
        (&["--base-url", "", "users", "list"], "--base-url"),
    ] {
        let run = dir.scim(args);
        assert_eq!(run.status, 2, "{args:?}: {run:?}");
        assert!(run.stderr.contains(expected), "{args:?}: {run:?}");
    }
}

#[test]
fn completions_are_printed_for_each_shell() {
    let dir = Scratch::new("completions");
    let bash = dir.scim(&["completions", "bash"]).ok().stdout;
    assert!(bash.contains("complete -F _scim"), "{bash}");
    for shell in ["zsh", "fish", "powershell"] {
        let script = dir.scim(&["completions", shell]).ok().stdout;
        for word in ["plan", "owned-prefix", "add-members"] {
            assert!(script.contains(word), "{shell} lacks {word}");
        }
    }
    let unknown = dir.scim(&["completions", "tcsh"]);
    assert_eq!(unknown.status, 2, "{unknown:?}");
}

#[test]
fn man_prints_roff_for_scim_and_for_a_command() {
    let dir = Scratch::new("man");
    let page = dir.scim(&["man"]).ok().stdout;
    assert!(page.contains(".TH scim 1"), "{page}");
    assert!(page.contains(r"\-\-profile"), "{page}");
    assert!(page.contains("scim\\-plan(1)"), "{page}");
    let plan = dir.scim(&["man", "plan"]).ok().stdout;
    assert!(plan.contains(".TH scim-plan 1"), "{plan}");
    assert!(plan.contains(r"\-\-max\-deactivation\-percent"), "{plan}");
    let nested = dir.scim(&["man", "users", "list"]).ok().stdout;
    assert!(nested.contains(".TH scim-users-list 1"), "{nested}");
    assert_eq!(dir.scim(&["man", "nope"]).status, 2);
}

fn snapshot_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(format!("{name}.txt"))
}

/// `scim --help` and each command's help, as committed: a change to the
/// help shows in review. Run with `UPDATE_SNAPSHOTS=1` to write them.
#[test]
fn help_matches_the_snapshots() {
    let dir = Scratch::new("snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    let root: &[&str] = &[];
    let mut stale = Vec::new();
    for command in std::iter::once(root).chain(COMMANDS) {
        let text = help(&dir, command);
        let name = match command {
            [] => "help".to_owned(),
            words => format!("help-{}", words.join("-")),
        };
        let path = snapshot_path(&name);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &text).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_SNAPSHOTS=1", path.display()));
        if expected != text {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "help differs from tests/snapshots/ for {stale:?}; run with UPDATE_SNAPSHOTS=1 and review the diff"
    );
}

#[test]
fn help_lines_fit_in_100_columns() {
    let dir = Scratch::new("width");
    let root: &[&str] = &[];
    for command in std::iter::once(root).chain(COMMANDS) {
        for line in help(&dir, command).lines() {
            assert!(line.chars().count() <= 100, "{command:?}: {line}");
        }
    }
}
