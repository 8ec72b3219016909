//! The `quire` binary: exit codes and what it prints.

use std::process::Command;

use crate::common::root;

fn quire(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .current_dir(root())
        .env_remove("SOURCE_DATE_EPOCH")
        .output()
        .expect("quire runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

#[test]
fn check_fails_on_a_bad_config_with_file_line_and_hint() {
    let (ok, _, stderr) = quire(&[
        "check",
        "--config",
        "tests/fixtures/config/unknown-article/quire.toml",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains(
            "tests/fixtures/config/unknown-article/quire.toml:13:3: error: unknown article `alpah`"
        ),
        "{stderr}"
    );
    assert!(stderr.contains("hint: did you mean `alpha`?"), "{stderr}");
}

#[test]
fn check_passes_on_the_library() {
    let (ok, stdout, stderr) = quire(&["check"]);
    assert!(ok, "{stderr}");
    assert!(
        stdout.is_empty(),
        "check writes nothing to stdout: {stdout}"
    );
}

#[test]
fn deny_warnings_turns_warnings_into_failure() {
    let config = "tests/fixtures/config/uncovered-character/quire.toml";
    let (ok, _, stderr) = quire(&["check", "--config", config]);
    assert!(ok, "warnings alone do not fail: {stderr}");
    assert!(stderr.contains("warning: no font covers `😇`"), "{stderr}");
    let (ok, _, _) = quire(&["check", "--deny-warnings", "--config", config]);
    assert!(!ok);
}

/// `quire check` notes each phrase converted as a phrase; notes are not
/// warnings, and `--deny-warnings` passes.
#[test]
fn check_notes_phrase_conversions_and_deny_warnings_lets_notes_pass() {
    let (ok, _, stderr) = quire(&[
        "check",
        "--deny-warnings",
        "--config",
        "tests/fixtures/config/convert-phrase-table/quire.toml",
    ]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains(
            "tests/fixtures/config/convert-phrase-table/articles/gamma/zh-Hant.md:8:22: note: convert: 記憶體 → 内存"
        ),
        "{stderr}"
    );
    // The library's own notes: phrases converted in today's articles.
    let (_, _, stderr) = quire(&["check"]);
    let notes = stderr
        .lines()
        .filter(|l| l.contains(": note: convert: "))
        .count();
    assert!(notes > 50, "{notes} notes:\n{stderr}");
}

#[test]
fn list_shows_volumes_editions_and_counts() {
    let (ok, stdout, stderr) = quire(&["list"]);
    assert!(ok, "{stderr}");
    assert!(stdout.contains("ai  Machines That Learn"), "{stdout}");
    assert!(stdout.contains("  zh-Hans: 会学习的机器"), "{stdout}");
    assert!(stdout.contains("(converted)"), "{stdout}");
    assert!(stdout.contains("Han characters"), "{stdout}");
}

#[test]
fn unknown_volume_is_an_error_with_a_suggestion() {
    let out = std::env::temp_dir().join(format!("quire-cli-{}", std::process::id()));
    let (ok, _, stderr) = quire(&["build", "--volume", "aii", "--out", out.to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("error: unknown volume `aii`"), "{stderr}");
    assert!(stderr.contains("hint: did you mean `ai`?"), "{stderr}");
    let _ = std::fs::remove_dir_all(out);
}

/// Off a terminal, `build` lists each book at the end, in build order, with
/// its chapters, pages (PDF) and size; in CI it lists nothing unless a book failed.
#[test]
fn build_lists_its_books_in_order_and_is_quiet_in_ci() {
    let config = "tests/fixtures/config/uncovered-character/quire.toml";
    let out = std::env::temp_dir().join(format!("quire-cli-list-{}", std::process::id()));
    let run = |ci: bool| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_quire"));
        command
            .args(["build", "--config", config, "--out", out.to_str().unwrap()])
            .current_dir(root())
            .env_remove("CI");
        if ci {
            command.env("CI", "true");
        }
        let output = command.output().expect("quire runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let listed = run(false);
    let lines: Vec<&str> = listed.lines().collect();
    assert!(!lines.is_empty(), "no books listed");
    let mut names = Vec::new();
    for line in &lines {
        let (path, facts) = line
            .split_once("  ")
            .expect("a path, two spaces, then facts");
        let name = std::path::Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned();
        assert!(out.join(&name).is_file(), "{line}: no such book");
        assert!(
            facts.ends_with(" KB") && facts.contains(" chapters"),
            "{line}"
        );
        assert_eq!(name.ends_with(".pdf"), facts.contains(" pages, "), "{line}");
        names.push(name);
    }
    // Each edition's EPUB, then its PDF, edition after edition.
    let stems: Vec<&str> = names
        .iter()
        .map(|n| n.rsplit_once('.').unwrap().0)
        .collect();
    for pair in stems.chunks(2) {
        assert_eq!(pair[0], pair[1], "{names:?}");
    }
    assert!(
        names[0].ends_with(".epub") && names[1].ends_with(".pdf"),
        "{names:?}"
    );
    assert_eq!(run(true), "", "CI lists nothing when every book is built");
    let _ = std::fs::remove_dir_all(out);
}
