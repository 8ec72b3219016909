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
    assert!(stderr.contains("warning: no font covers `𐌀`"), "{stderr}");
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
    // The library's own notes: phrases converted in today's articles; and
    // nothing in it to warn about.
    let (ok, _, stderr) = quire(&["check", "--deny-warnings"]);
    assert!(ok, "the shipped library has warnings:\n{stderr}");
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
            facts.ends_with(" KB") && facts.contains(" chapter"),
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

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("quire-test-{}-cli-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs the binary as an installed command would run: in `dir`, with no
/// path into the repository.
fn quire_in(dir: &std::path::Path, args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(args)
        .current_dir(dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .env_remove("CI")
        .output()
        .expect("quire runs");
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// `quire init` in an empty folder outside the repository, then `quire
/// build` there: eight books, the EPUBs valid, with the fonts built into
/// the binary. A second `init` overwrites nothing.
#[test]
fn init_makes_a_library_that_builds_anywhere() {
    let dir = temp_dir("init");
    let (ok, stderr) = quire_in(&dir, &["init"]);
    assert!(ok, "{stderr}");
    let before = std::fs::read(dir.join("quire.toml")).unwrap();
    let (ok, stderr) = quire_in(&dir, &["init"]);
    assert!(
        !ok && stderr.contains("quire.toml: error: already exists"),
        "{stderr}"
    );
    assert_eq!(std::fs::read(dir.join("quire.toml")).unwrap(), before);
    let (ok, stderr) = quire_in(&dir, &["check", "--deny-warnings"]);
    assert!(ok, "a new library has nothing to warn about: {stderr}");
    let (ok, stderr) = quire_in(&dir, &["build"]);
    assert!(ok, "{stderr}");
    let mut books: Vec<std::path::PathBuf> = std::fs::read_dir(dir.join("build"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    books.sort();
    assert_eq!(books.len(), 8, "{books:?}");
    let epubs: Vec<std::path::PathBuf> = books
        .into_iter()
        .filter(|b| b.extension().is_some_and(|e| e == "epub"))
        .collect();
    if let Some(failures) = crate::epub::epubcheck_failures(&epubs) {
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

/// Without `--config`, quire reads `quire.toml` here, else
/// `books/quire.toml` (and says so); with neither, it says what to do.
#[test]
fn the_config_is_found_here_or_in_books() {
    let dir = temp_dir("discovery");
    let (ok, stderr) = quire_in(&dir, &["list"]);
    assert!(!ok);
    assert!(
        stderr.contains("there is no quire.toml here, nor books/quire.toml")
            && stderr.contains("quire init"),
        "{stderr}"
    );
    let (ok, stderr) = quire_in(&dir, &["init", "books"]);
    assert!(ok, "{stderr}");
    let (ok, stderr) = quire_in(&dir, &["list"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("using books/quire.toml"), "{stderr}");
}

/// A `[fonts]` value that is not a path names an installed family
/// (DejaVu Serif, which `.ci/run` installs).
#[test]
fn a_font_can_be_an_installed_family() {
    let dir = temp_dir("family");
    let (ok, stderr) = quire_in(&dir, &["init"]);
    assert!(ok, "{stderr}");
    let config = std::fs::read_to_string(dir.join("quire.toml")).unwrap();
    let config = config.replace(
        "[[volume]]",
        "[fonts]\nlatin-regular = \"DejaVu Serif\"\nlatin-bold = \"DejaVu Serif\"\n\n[[volume]]",
    );
    std::fs::write(dir.join("quire.toml"), config).unwrap();
    let (ok, stderr) = quire_in(&dir, &["build", "--edition", "en", "--format", "pdf"]);
    if !ok && stderr.contains("no installed font of the family `DejaVu Serif`") {
        assert!(
            std::env::var_os("CI").is_none(),
            "DejaVu Serif is required in CI (apt-get install fonts-dejavu-core)"
        );
        crate::common::skipped("DejaVu Serif is not installed (apt-get install fonts-dejavu-core)");
        return;
    }
    assert!(ok, "{stderr}");
    let pdf = lopdf::Document::load(dir.join("build/first.en.pdf")).unwrap();
    let fonts: Vec<String> = (pdf.objects.values())
        .filter_map(|o| o.as_dict().ok()?.get(b"BaseFont").ok()?.as_name().ok())
        .map(|name| String::from_utf8_lossy(name).into_owned())
        .collect();
    assert!(
        fonts.iter().any(|f| f.ends_with("+DejaVuSerif-Bold")),
        "the bold face is DejaVu Serif Bold: {fonts:?}"
    );
    assert!(
        fonts.iter().any(|f| f.ends_with("+DejaVuSerif")),
        "the regular face: {fonts:?}"
    );
}

/// `quire fmt --check` fails while a source would change, and passes once
/// `quire fmt --write` has changed it; `quire check` counts the changes as
/// notes, one per file, and lists them with `--verbose`.
#[test]
fn fmt_check_gates_pending_normalisation() {
    let dir = temp_dir("fmt");
    let (ok, stderr) = quire_in(&dir, &["init"]);
    assert!(ok, "{stderr}");
    let article = dir.join("articles/welcome/zh-Hant.md");
    let text = std::fs::read_to_string(&article).unwrap();
    std::fs::write(&article, text.replacen("寫作：", "寫作,", 1)).unwrap();
    let (ok, stderr) = quire_in(&dir, &["check", "--deny-warnings"]);
    assert!(ok, "normalisation is a note, not a warning: {stderr}");
    assert!(
        stderr.contains("zh-Hant.md: note: normalisation changes 1 place (punctuation 1)")
            && stderr.ends_with("0 errors, 0 warnings, 1 note\n"),
        "{stderr}"
    );
    let (_, stderr) = quire_in(&dir, &["check", "--verbose"]);
    assert!(stderr.contains("note: punctuation: `,` → `，`"), "{stderr}");
    let (ok, stderr) = quire_in(&dir, &["fmt", "--check"]);
    assert!(!ok && stderr.contains("1 file would change"), "{stderr}");
    let (ok, stderr) = quire_in(&dir, &["fmt", "--write"]);
    assert!(ok, "{stderr}");
    assert!(std::fs::read_to_string(&article)
        .unwrap()
        .contains("寫作，"));
    let (ok, stderr) = quire_in(&dir, &["fmt", "--check"]);
    assert!(ok, "{stderr}");
}

/// A `--config` that does not exist is named, with a hint that does not
/// tell the user to do what they did.
#[test]
fn a_missing_config_is_named_without_repeating_the_flag() {
    let dir = temp_dir("missing-config");
    let (ok, stderr) = quire_in(&dir, &["check", "--config", "missing.toml"]);
    assert!(!ok);
    assert!(
        stderr.contains("missing.toml: error: cannot read the config")
            && stderr.contains("quire init")
            && !stderr.contains("pass --config"),
        "{stderr}"
    );
}
