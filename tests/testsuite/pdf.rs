//! The real library built to PDF: fonts, structure (qpdf), the text a reader
//! copies back (pdftotext), Chinese line breaking, catalog, outline, page
//! labels, size and reproducibility.
//!
//! The checks with poppler-utils (`pdffonts`, `pdftotext`) and `qpdf` print
//! `SKIPPED` when the tools are missing on a developer machine, and fail in CI
//! (`CI` set); `.ci/run` installs them.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use lopdf::{Dictionary, Document, Object};
use quire::book::Lang;
use quire::build::{build, load_project, make_book, BuildOptions};
use quire::config::Format;
use quire::doc::BlockKind;
use quire::volume::resolve_volumes;

use crate::common::root;

const EPOCH: i64 = 1_735_689_600; // 2025-01-01

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("quire-test-{}-pdf-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn options(out: &Path) -> BuildOptions {
    BuildOptions {
        out_dir: out.to_path_buf(),
        source_date_epoch: Some(EPOCH),
        formats: vec![Format::Pdf],
        ..BuildOptions::default()
    }
}

fn build_library(out: &Path) -> Vec<PathBuf> {
    let (project, _) = load_project(&root().join("books/quire.toml")).expect("the library loads");
    let (built, diagnostics) = build(&project, &options(out)).expect("the library builds");
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    built.into_iter().map(|b| b.path).collect()
}

/// The single-language PDFs, vertical ones included: the bilingual ones
/// set two languages in two columns, which text extraction interleaves
/// (`typeset::bilingual_pairs_*` checks those).
fn single_language_books() -> Vec<&'static PathBuf> {
    books()
        .iter()
        .filter(|b| volume_and_edition(b).1 != "bilingual")
        .collect()
}

/// The library's PDFs, built once for the tests of this module.
pub(crate) fn books() -> &'static [PathBuf] {
    static BOOKS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    BOOKS.get_or_init(|| build_library(&temp_dir("library")))
}

/// `<volume>.<edition>.pdf` → (volume, edition); a vertical book
/// (`<edition>-vertical`) is its edition's, set otherwise.
fn volume_and_edition(path: &Path) -> (String, String) {
    let name = path.file_name().unwrap().to_string_lossy();
    let mut parts = name.split('.');
    let volume = parts.next().unwrap().to_string();
    let edition = parts.next().unwrap().trim_end_matches("-vertical");
    (volume, edition.to_string())
}

/// Whether the book is set vertically (直排).
fn is_vertical(path: &Path) -> bool {
    path.to_string_lossy().ends_with("-vertical.pdf")
}

fn edition_lang(tag: &str) -> Lang {
    Lang::ALL
        .into_iter()
        .find(|l| l.tag() == tag)
        .unwrap_or_else(|| panic!("unknown edition {tag}"))
}

/// What the reader of each book should find in it: the book title, and
/// per chapter its title and the plain text of every inline sequence
/// (headings, paragraphs, list items, block quotes, table cells; code
/// blocks are not inline sequences and are not listed). The same `Book`s
/// the build makes, from the same sources and options.
struct Expected {
    title: String,
    chapters: Vec<ChapterText>,
}

struct ChapterText {
    title: String,
    /// The outline entries under the chapter: its `#` and `##` headings.
    sections: Vec<String>,
    /// The plain text of each inline sequence, all of it: a character no
    /// bundled font covers is a blank that copies as the character.
    texts: Vec<String>,
}

fn expected_books() -> &'static BTreeMap<(String, String), Expected> {
    static EXPECTED: OnceLock<BTreeMap<(String, String), Expected>> = OnceLock::new();
    EXPECTED.get_or_init(|| {
        let (project, _) =
            load_project(&root().join("books/quire.toml")).expect("the library loads");
        let (volumes, _) = resolve_volumes(&project.config, &project.library);
        let options = options(Path::new("unused"));
        let mut expected = BTreeMap::new();
        for volume in &volumes {
            for edition in volume.editions() {
                let book = make_book(&project, volume, edition, &options);
                let chapters = book
                    .chapters
                    .iter()
                    .map(|chapter| {
                        let mut texts = Vec::new();
                        chapter.doc.for_each_inlines(&mut |inlines| {
                            texts.push(quire::doc::plain_text(inlines));
                        });
                        let sections = chapter
                            .doc
                            .blocks
                            .iter()
                            .filter_map(|block| match &block.kind {
                                BlockKind::Heading { level, content, .. } if *level <= 2 => {
                                    Some(quire::doc::plain_text(content))
                                }
                                _ => None,
                            })
                            .collect();
                        ChapterText {
                            title: chapter.title.clone(),
                            sections,
                            texts,
                        }
                    })
                    .collect();
                expected.insert(
                    (volume.id().to_string(), edition.tag().to_string()),
                    Expected {
                        title: book.title.clone(),
                        chapters,
                    },
                );
            }
        }
        expected
    })
}

fn expected_for(book: &Path) -> &'static Expected {
    let key = volume_and_edition(book);
    expected_books()
        .get(&key)
        .unwrap_or_else(|| panic!("{}: no such volume and edition", book.display()))
}

/// Whether the external tools are here; without them the test fails in CI
/// and is skipped (with a note) elsewhere.
pub(crate) fn tools_present(tools: &[&str]) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|tool| Command::new(tool).arg("-v").output().is_err())
        .collect();
    if missing.is_empty() {
        return true;
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{} required in CI (apt-get install poppler-utils qpdf)",
        missing.join(", ")
    );
    crate::common::skipped(&format!(
        "{} not found (apt-get install poppler-utils qpdf)",
        missing.join(", ")
    ));
    false
}

/// Runs `tool args… book`; returns (success, stdout, stderr).
pub(crate) fn run(tool: &str, args: &[&str], book: &Path) -> (bool, String, String) {
    let output = Command::new(tool)
        .args(args)
        .arg(book)
        .output()
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

pub(crate) fn load(book: &Path) -> Document {
    Document::load_mem(&std::fs::read(book).unwrap())
        .unwrap_or_else(|e| panic!("{}: lopdf cannot read it: {e}", book.display()))
}

fn catalog(doc: &Document) -> &Dictionary {
    doc.catalog().expect("the PDF has a catalog")
}

fn deref<'a>(doc: &'a Document, object: &'a Object) -> &'a Object {
    doc.dereference(object).expect("a resolvable reference").1
}

fn dict<'a>(doc: &'a Document, d: &'a Dictionary, key: &str) -> Option<&'a Dictionary> {
    d.get(key.as_bytes())
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_dict().ok())
}

#[test]
fn the_library_builds_thirteen_pdfs() {
    let books = books();
    assert_eq!(
        books.len(),
        13,
        "3 volumes × 4 editions, and leadership's vertical zh-Hant: {books:?}"
    );
    for book in books {
        assert_eq!(book.extension().unwrap(), "pdf", "{}", book.display());
    }
}

#[test]
fn every_pdf_is_smaller_than_one_and_a_half_megabytes() {
    for book in books() {
        let size = std::fs::metadata(book).unwrap().len();
        assert!(
            size < 3 * 1024 * 1024 / 2,
            "{} is {size} bytes",
            book.display()
        );
    }
}

#[test]
fn every_font_is_embedded_subset_and_maps_to_unicode() {
    if !tools_present(&["pdffonts"]) {
        return;
    }
    for book in books() {
        let (ok, out, err) = run("pdffonts", &[], book);
        assert!(ok, "{}: pdffonts failed: {err}", book.display());
        // name, type, encoding, emb, sub, uni, object number, generation; a
        // long name pushes the other columns right, so read them from the end.
        let rows: Vec<&str> = out
            .lines()
            .skip(2)
            .filter(|l| !l.trim().is_empty())
            .collect();
        assert!(!rows.is_empty(), "{}: no font:\n{out}", book.display());
        for row in rows {
            let fields: Vec<&str> = row.split_whitespace().collect();
            assert!(fields.len() >= 8, "{}: {row}", book.display());
            let flags = &fields[fields.len() - 5..fields.len() - 2];
            assert_eq!(
                flags,
                ["yes", "yes", "yes"],
                "{}: emb sub uni must all be yes: {row}",
                book.display()
            );
            let name = fields[0];
            let (tag, rest) = name.split_at(name.find('+').unwrap_or(0));
            assert!(
                tag.len() == 6 && tag.chars().all(|c| c.is_ascii_uppercase()) && rest.len() > 1,
                "{}: font name without a subset prefix (ABCDEF+Name): {row}",
                book.display()
            );
        }
    }
}

#[test]
fn qpdf_finds_no_error_or_warning() {
    if !tools_present(&["qpdf"]) {
        return;
    }
    let mut failures = Vec::new();
    for book in books() {
        let (ok, out, err) = run("qpdf", &["--check"], book);
        if !ok || out.contains("WARNING") || err.contains("WARNING") {
            failures.push(format!("{}:\n{out}{err}", book.display()));
        }
    }
    assert!(
        failures.is_empty(),
        "qpdf --check found problems:\n{}",
        failures.join("\n")
    );
}

/// The PDF's text per page, as plain `pdftotext` gives it.
fn extracted_pages(book: &Path) -> Vec<String> {
    let output = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(book)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        output.status.success(),
        "{}: pdftotext failed: {}",
        book.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let text = String::from_utf8(output.stdout).expect("pdftotext writes UTF-8");
    let mut pages: Vec<String> = text.split('\u{c}').map(str::to_string).collect();
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    pages
}

/// Text compared without layout: line-end hyphens joined, then every
/// whitespace character and every `-` removed. pdftotext itself joins a
/// word hyphenated at a line end and drops its hyphen, so hyphens cannot be
/// compared either way.
fn squeeze(text: &str) -> String {
    text.replace("-\n", "")
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// The page labels the book declares, as its readers show them.
fn page_labels(doc: &Document) -> Vec<String> {
    let pages = doc.get_pages().len();
    let Some(labels) = dict(doc, catalog(doc), "PageLabels") else {
        return vec![String::new(); pages];
    };
    let nums = labels
        .get(b"Nums")
        .ok()
        .map(|o| deref(doc, o))
        .and_then(|o| o.as_array().ok())
        .cloned()
        .unwrap_or_default();
    let mut ranges: Vec<(usize, Vec<u8>, i64)> = nums
        .chunks(2)
        .filter_map(|pair| {
            let first = pair[0].as_i64().ok()? as usize;
            let style = deref(doc, pair.get(1)?).as_dict().ok()?;
            let kind = style
                .get(b"S")
                .and_then(Object::as_name)
                .map(<[u8]>::to_vec)
                .unwrap_or_default();
            let start = style.get(b"St").and_then(Object::as_i64).unwrap_or(1);
            Some((first, kind, start))
        })
        .collect();
    ranges.sort();
    (0..pages)
        .map(|page| {
            let Some((first, kind, start)) = ranges.iter().rev().find(|(f, ..)| *f <= page) else {
                return String::new();
            };
            let n = start + (page - first) as i64;
            match kind.as_slice() {
                b"r" => quire::typeset::roman(n as u32),
                b"D" => n.to_string(),
                _ => String::new(),
            }
        })
        .collect()
}

/// The book's running text: every page squeezed, with its running head
/// (the book or a chapter title, at the top) and its folio (the page's
/// label, at the bottom) taken off, so a paragraph broken across pages
/// reads on.
fn running_text(book: &Path, expected: &Expected) -> String {
    let labels = page_labels(&load(book));
    let mut heads: Vec<String> = expected
        .chapters
        .iter()
        .map(|c| squeeze(&c.title))
        .chain([squeeze(&expected.title)])
        .filter(|h| !h.is_empty())
        .collect();
    // The longest head first, so a title that begins another is not taken for it.
    heads.sort_by_key(|h| std::cmp::Reverse(h.len()));
    let mut text = String::new();
    for (i, page) in extracted_pages(book).iter().enumerate() {
        let mut page = squeeze(page);
        if let Some(head) = heads.iter().find(|h| page.starts_with(h.as_str())) {
            page.drain(..head.len());
        } else if let Some(cut) = page.find('…') {
            // A running head cut to one line ends in an ellipsis.
            if cut > 0 && heads.iter().any(|h| h.starts_with(&page[..cut])) {
                page.drain(..cut + '…'.len_utf8());
            }
        }
        if let Some(label) = labels.get(i).filter(|l| !l.is_empty()) {
            if page.ends_with(label.as_str()) {
                page.truncate(page.len() - label.len());
            }
        }
        text.push_str(&page);
    }
    text
}

#[test]
fn the_extracted_text_gives_back_every_sentence_of_every_chapter() {
    if !tools_present(&["pdftotext"]) {
        return;
    }
    let mut failures = Vec::new();
    for book in single_language_books() {
        let expected = expected_for(book);
        let text = running_text(book, expected);
        let mut missing = Vec::new();
        let mut total = 0;
        for chapter in &expected.chapters {
            let title = &chapter.title;
            for sentence in &chapter.texts {
                let wanted = squeeze(sentence);
                if wanted.is_empty() {
                    continue;
                }
                total += 1;
                if !text.contains(&wanted) {
                    missing.push(format!("  [{title}] {sentence}"));
                }
            }
        }
        assert!(total > 0, "{}: nothing to look for", book.display());
        if !missing.is_empty() {
            failures.push(format!(
                "{}: {} of {total} text blocks missing, the first:\n{}",
                book.file_name().unwrap().to_string_lossy(),
                missing.len(),
                missing
                    .iter()
                    .take(5)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join("\n")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "pdftotext does not give back the chapters' text:\n{}",
        failures.join("\n\n")
    );
}

/// A word pdftotext found, with its box (points, y down).
pub(crate) struct Word {
    pub x_min: f32,
    pub x_max: f32,
    pub y_min: f32,
    pub y_max: f32,
    pub text: String,
}

/// A page as `pdftotext -bbox` sees it: its size and its words.
pub(crate) struct WordPage {
    pub width: f32,
    pub height: f32,
    pub words: Vec<Word>,
}

fn attribute(tag: &str, name: &str) -> f32 {
    let start = tag.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = start + tag[start..].find('"').unwrap();
    tag[start..end].parse().unwrap()
}

/// Every page's words, from `pdftotext -bbox`.
pub(crate) fn word_pages(book: &Path) -> Vec<WordPage> {
    let output = Command::new("pdftotext")
        .arg("-bbox")
        .arg(book)
        .arg("-")
        .output()
        .expect("pdftotext runs");
    assert!(
        output.status.success(),
        "{}: pdftotext -bbox failed",
        book.display()
    );
    let html = String::from_utf8(output.stdout).expect("pdftotext writes UTF-8");
    let mut pages: Vec<WordPage> = Vec::new();
    for line in html.lines() {
        let line = line.trim();
        if let Some(tag) = line.strip_prefix("<page ") {
            pages.push(WordPage {
                width: attribute(tag, "width"),
                height: attribute(tag, "height"),
                words: Vec::new(),
            });
        } else if let Some(rest) = line.strip_prefix("<word ") {
            let close = rest.find('>').unwrap();
            let (tag, text) = (&rest[..close], &rest[close + 1..]);
            let text = text.strip_suffix("</word>").unwrap_or(text);
            pages
                .last_mut()
                .expect("words are inside pages")
                .words
                .push(Word {
                    x_min: attribute(tag, "xMin"),
                    x_max: attribute(tag, "xMax"),
                    y_min: attribute(tag, "yMin"),
                    y_max: attribute(tag, "yMax"),
                    text: quire::text::unescape_xml(text),
                });
        }
    }
    pages
}

/// The PDF's lines per page, as a reader sees them: words from
/// `pdftotext -bbox`, grouped by baseline, left to right.
///
/// Plain `pdftotext` output cannot be used for this: poppler starts a new
/// line wherever a glyph's box overlaps the one before it, and a compressed
/// (half-width) punctuation mark after a closing bracket or quote does
/// exactly that, so `經濟夥伴關係協定（RCEP）。` comes out as two lines, the
/// second `。`, although the PDF sets it on one.
fn visual_lines(book: &Path) -> Vec<(usize, String)> {
    let pages = word_pages(book).into_iter().map(|p| p.words);
    let mut lines = Vec::new();
    for (page, mut words) in pages.enumerate() {
        let centre = |w: &Word| (w.y_min + w.y_max) / 2.0;
        words.sort_by(|a, b| centre(a).total_cmp(&centre(b)));
        let mut groups: Vec<Vec<Word>> = Vec::new();
        for word in words {
            // Fonts differ in ascent and descent: Han and Latin words of one
            // line have their centres about a point apart, lines many points.
            let same_line = groups.last().is_some_and(|g| {
                let first = &g[0];
                centre(&word) - centre(first) < 0.3 * (first.y_max - first.y_min)
            });
            if same_line {
                groups.last_mut().unwrap().push(word);
            } else {
                groups.push(vec![word]);
            }
        }
        for mut group in groups {
            group.sort_by(|a, b| a.x_min.total_cmp(&b.x_min));
            let text: Vec<String> = group.into_iter().map(|w| w.text).collect();
            lines.push((page + 1, text.join(" ")));
        }
    }
    lines
}

/// English lines break after an em dash, never before one.
#[test]
fn no_english_line_starts_with_an_em_dash() {
    if !tools_present(&["pdftotext"]) {
        return;
    }
    let mut found = Vec::new();
    for book in books().iter().filter(|b| volume_and_edition(b).1 == "en") {
        for (page, line) in visual_lines(book) {
            if line.starts_with('—') {
                found.push(format!("{} page {page}: {line}", book.display()));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}

#[test]
fn no_chinese_line_starts_with_closing_punctuation() {
    if !tools_present(&["pdftotext"]) {
        return;
    }
    const NO_LINE_START: &[char] = &[
        '、', '，', '。', '；', '：', '？', '！', '」', '』', '）', '》',
    ];
    let mut bad = Vec::new();
    // Lines across the page: a vertical book's columns are checked by
    // `vertical::no_column_starts_with_closing_or_ends_with_opening_punctuation`.
    for book in single_language_books()
        .into_iter()
        .filter(|b| !is_vertical(b))
    {
        let (_, edition) = volume_and_edition(book);
        if !edition_lang(&edition).is_chinese() {
            continue;
        }
        // Running heads and folios are single short titles and numbers:
        // checked with the rest, they cannot start with such a mark.
        for (page, line) in visual_lines(book) {
            if line.starts_with(NO_LINE_START) {
                bad.push(format!(
                    "{} page {page}: {line}",
                    book.file_name().unwrap().to_string_lossy()
                ));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "{} line(s) start with a closing or pause mark:\n{}",
        bad.len(),
        bad.join("\n")
    );
}

#[test]
fn the_same_sources_give_byte_identical_pdfs() {
    let again = build_library(&temp_dir("again"));
    assert_eq!(books().len(), again.len());
    for (first, second) in books().iter().zip(&again) {
        assert_eq!(first.file_name(), second.file_name());
        assert!(
            std::fs::read(first).unwrap() == std::fs::read(second).unwrap(),
            "{} differs between two builds",
            first.display()
        );
    }
}

/// A separate `quire build` process writes the same bytes as the build in
/// this process: nothing seeded per process (hash maps, thread scheduling)
/// reaches the file. (printpdf's random ids restart with each process; the
/// second build in one process above is what would catch them.)
#[test]
fn another_process_gives_byte_identical_pdfs() {
    let out = temp_dir("process");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_quire"))
        .args(["build", "--format", "pdf", "--out"])
        .arg(&out)
        .current_dir(root())
        .env("SOURCE_DATE_EPOCH", EPOCH.to_string())
        .stderr(std::process::Stdio::null())
        .status()
        .expect("quire runs");
    assert!(status.success());
    for book in books() {
        let other = out.join(book.file_name().unwrap());
        assert!(
            std::fs::read(book).unwrap() == std::fs::read(&other).unwrap(),
            "{} differs from the one another process wrote",
            book.display()
        );
    }
}

/// The titles of an outline level, each with its children's titles.
/// The index of the page each top-level outline item (each chapter) opens.
pub(crate) fn outline_pages(book: &Path) -> Vec<usize> {
    let doc = load(book);
    let pages: BTreeMap<lopdf::ObjectId, usize> = doc
        .get_pages()
        .into_values()
        .enumerate()
        .map(|(i, id)| (id, i))
        .collect();
    let outlines = dict(&doc, catalog(&doc), "Outlines").expect("the PDF has an outline");
    let mut found = Vec::new();
    let mut next = outlines.get(b"First").ok().cloned();
    while let Some(reference) = next {
        let item = deref(&doc, &reference).as_dict().unwrap();
        let dest = item.get(b"Dest").map(|d| deref(&doc, d)).unwrap();
        let page = dest.as_array().unwrap()[0].as_reference().unwrap();
        found.push(pages[&page]);
        next = item.get(b"Next").ok().cloned();
        assert!(found.len() < 10_000, "the outline loops");
    }
    found
}

fn outline_level(doc: &Document, parent: &Dictionary) -> Vec<(String, Vec<String>)> {
    let mut items = Vec::new();
    let mut next = parent.get(b"First").ok().cloned();
    while let Some(reference) = next {
        let item = deref(doc, &reference)
            .as_dict()
            .expect("an outline item is a dictionary");
        let title = item
            .get(b"Title")
            .ok()
            .map(|t| lopdf::decode_text_string(deref(doc, t)).expect("a text string"))
            .unwrap_or_default();
        let children = outline_level(doc, item)
            .into_iter()
            .map(|(title, _)| title)
            .collect();
        items.push((title, children));
        next = item.get(b"Next").ok().cloned();
        assert!(items.len() < 10_000, "the outline loops");
    }
    items
}

#[test]
fn the_catalog_declares_the_edition_language_and_a_nested_outline() {
    let mut nested = false;
    for book in books() {
        let (_, edition) = volume_and_edition(book);
        // The bilingual edition declares its Chinese (the default zh-Hant).
        let edition = if edition == "bilingual" {
            "zh-Hant".to_string()
        } else {
            edition
        };
        let doc = load(book);
        let catalog = catalog(&doc);
        let lang = catalog
            .get(b"Lang")
            .ok()
            .map(|l| lopdf::decode_text_string(deref(&doc, l)).expect("/Lang is a text string"));
        assert_eq!(
            lang.as_deref(),
            Some(edition.as_str()),
            "{}",
            book.display()
        );

        let outlines = dict(&doc, catalog, "Outlines")
            .unwrap_or_else(|| panic!("{}: no /Outlines", book.display()));
        let outline = outline_level(&doc, outlines);
        let expected: Vec<(String, Vec<String>)> = expected_for(book)
            .chapters
            .iter()
            .map(|c| (c.title.clone(), c.sections.clone()))
            .collect();
        assert_eq!(
            outline,
            expected,
            "{}: one bookmark per chapter, its sections nested under it",
            book.display()
        );
        nested |= outline.iter().any(|(_, children)| !children.is_empty());
    }
    assert!(nested, "no book nests sections under its chapters");
}

#[test]
fn page_labels_are_roman_then_decimal() {
    for book in books() {
        let doc = load(book);
        let labels = page_labels(&doc);
        assert_eq!(
            labels.first().map(String::as_str),
            Some("i"),
            "{}",
            book.display()
        );
        let first_decimal = labels
            .iter()
            .position(|l| l == "1")
            .unwrap_or_else(|| panic!("{}: no page 1: {labels:?}", book.display()));
        assert!(first_decimal >= 4, "{}: {labels:?}", book.display());
        for (i, label) in labels.iter().enumerate() {
            let want = if i < first_decimal {
                quire::typeset::roman(i as u32 + 1)
            } else {
                (i - first_decimal + 1).to_string()
            };
            assert_eq!(label, &want, "{}: page {}", book.display(), i + 1);
        }
    }
}

/// The Chinese PDFs carry no half-width `,` `(` `)` `?` next to a Han
/// character: the normalisation reaches the print edition too.
#[test]
fn chinese_pdfs_have_full_width_punctuation() {
    if !tools_present(&["pdftotext"]) {
        return;
    }
    let mut bad = Vec::new();
    for book in single_language_books() {
        if volume_and_edition(book).1 == "en" {
            continue;
        }
        // `pdftotext FILE -` writes the text to standard output.
        let output = Command::new("pdftotext")
            .arg(book)
            .arg("-")
            .output()
            .unwrap();
        let text: Vec<char> = String::from_utf8_lossy(&output.stdout).chars().collect();
        let half = |c: char| matches!(c, ',' | '(' | ')' | '?');
        for w in text.windows(2) {
            if quire::text::is_han(w[0]) && half(w[1]) || half(w[0]) && quire::text::is_han(w[1]) {
                bad.push(format!("{}: `{}{}`", book.display(), w[0], w[1]));
            }
        }
    }
    assert!(
        bad.is_empty(),
        "half-width punctuation in Chinese text:\n{}",
        bad.join("\n")
    );
}
