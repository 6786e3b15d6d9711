//! The README's Rust blocks are what the doctests compile (`ReadmeDoctests`
//! in lib.rs, under `--all-features`), and they must be pasteable: a block
//! with rustdoc's hidden `# ` lines shows one thing on GitHub and compiles
//! another, and an `ignore` block is never compiled at all.

const README: &str = include_str!("../README.md");

/// Each Rust block: its info string, its first line number and its lines.
fn rust_blocks() -> Vec<(String, usize, Vec<&'static str>)> {
    let mut blocks = Vec::new();
    let mut open: Option<(String, usize, Vec<&'static str>)> = None;
    for (index, line) in README.lines().enumerate() {
        match (&mut open, line.strip_prefix("```")) {
            (None, Some(info)) if info.starts_with("rust") => {
                open = Some((info.to_owned(), index + 1, Vec::new()));
            }
            (Some(_), Some("")) => blocks.extend(open.take()),
            (Some((_, _, lines)), _) => lines.push(line),
            (None, _) => {}
        }
    }
    assert!(open.is_none(), "a Rust block is never closed");
    blocks
}

#[test]
fn every_rust_block_is_compiled_and_shows_all_it_compiles() {
    let blocks = rust_blocks();
    assert!(blocks.len() >= 8, "found only {} Rust blocks", blocks.len());
    for (info, line, lines) in &blocks {
        assert!(
            !info.contains("ignore"),
            "README.md:{line}: an `ignore` block is never compiled"
        );
        let hidden = lines
            .iter()
            .find(|l| l.trim_start() == "#" || l.trim_start().starts_with("# "));
        assert!(
            hidden.is_none(),
            "README.md:{line}: a hidden line {hidden:?}: GitHub shows it"
        );
        assert!(
            lines.iter().any(|l| l.contains("fn main(")),
            "README.md:{line}: no `fn main`: the block cannot be pasted into a file as it is"
        );
    }
}
