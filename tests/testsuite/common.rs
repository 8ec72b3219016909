//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use quire::config::load_config;
use quire::fonts::Fonts;

/// Says a test is skipped, and why, where `cargo test` shows it without
/// `--nocapture`: straight to the standard error, not through `eprintln!`,
/// which the test harness captures and shows only for failed tests.
pub fn skipped(reason: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "SKIPPED: {reason}");
}

/// The package root; tests run from here.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The bundled fonts, loaded once for all tests.
pub fn fonts() -> &'static Fonts {
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    FONTS.get_or_init(|| {
        let config = load_config(&root().join("books/quire.toml")).expect("books/quire.toml loads");
        Fonts::load(&config).expect("the bundled fonts load")
    })
}

/// The sub-folders of a fixture folder, sorted.
pub fn cases(dir: &str) -> Vec<PathBuf> {
    let dir = root().join("tests/fixtures").join(dir);
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    cases.sort();
    assert!(!cases.is_empty(), "no fixtures in {}", dir.display());
    cases
}

/// Compares `actual` with the snapshot at `path`; with `SNAPSHOTS=overwrite`
/// writes it instead. Returns a description of the mismatch, if any.
pub fn check_snapshot(path: &Path, actual: &str) -> Option<String> {
    if std::env::var("SNAPSHOTS").as_deref() == Ok("overwrite") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, actual).unwrap();
        return None;
    }
    let expected = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(_) => {
            return Some(format!(
                "{}: missing snapshot (run with SNAPSHOTS=overwrite)",
                path.display()
            ))
        }
    };
    if expected == actual {
        return None;
    }
    let first = expected
        .lines()
        .zip(actual.lines())
        .position(|(e, a)| e != a)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    Some(format!(
        "{}: differs from line {}\n--- expected\n{}\n--- actual\n{}",
        path.display(),
        first + 1,
        expected
            .lines()
            .skip(first)
            .take(5)
            .collect::<Vec<_>>()
            .join("\n"),
        actual
            .lines()
            .skip(first)
            .take(5)
            .collect::<Vec<_>>()
            .join("\n"),
    ))
}

/// Fails with every mismatch at once.
pub fn assert_no_mismatches(mismatches: Vec<String>) {
    assert!(
        mismatches.is_empty(),
        "{} snapshot(s) differ:\n\n{}",
        mismatches.len(),
        mismatches.join("\n\n")
    );
}

/// Shows a path relative to the package root, as diagnostics print it in tests.
pub fn relative(path: &Path) -> PathBuf {
    path.strip_prefix(root()).unwrap_or(path).to_path_buf()
}

/// The article of a Markdown fixture folder: its one `<lang>.md` file.
pub fn fixture_article(case: &Path) -> quire::book::Article {
    let file = std::fs::read_dir(case)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "md"))
        .unwrap_or_else(|| panic!("{}: no .md file", case.display()));
    quire::book::load_article(&relative(&file))
        .unwrap_or_else(|e| panic!("{}: {e:?}", file.display()))
}

/// A fixture article's document, through every pass with the default rules.
pub fn fixture_document(article: &quire::book::Article) -> quire::doc::Document {
    let rules = quire::config::NormalizeConfig::default().rules(article.lang);
    quire::volume::prepare_document(article, None, quire::book::Lang::ZhHant, &rules).doc
}
