//! Every Markdown input the project has makes a valid book: the Markdown
//! fixtures, the fuzz regression inputs and seed corpus, the articles of the
//! config fixtures and the CommonMark examples, each as a chapter of one volume in English and in
//! Traditional Chinese. EpubCheck reports nothing on either EPUB; each
//! chapter of the PDF has the characters of the same chapter of the EPUB;
//! and no word of the PDF is off its page or over another.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use quire::book::Lang;
use quire::build::{build, load_project, BuildOptions};
use quire::typeset::{PageSize, Theme};

use crate::common::root;
use crate::epub::epubcheck_failures;
use crate::pdf::{outline_pages, tools_present, word_pages, Word};

/// Every Markdown input, as (a name, its text after any front matter, the
/// folder its images are relative to).
fn inputs() -> Vec<(String, String, PathBuf)> {
    let mut files: Vec<PathBuf> = Vec::new();
    let listed = |dir: &Path| -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        found.sort();
        found
    };
    for case in listed(&root().join("tests/fixtures/markdown")) {
        files.extend(
            listed(&case)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "md")),
        );
    }
    files.extend(listed(&root().join("tests/fixtures/fuzz")));
    files.extend(listed(&root().join("fuzz/corpus/markdown")));
    for case in ["hostile-markdown", "epub-breakers"] {
        let dir = root()
            .join("tests/fixtures/config")
            .join(case)
            .join("articles/gamma");
        files.extend(listed(&dir));
    }
    let mut inputs: Vec<(String, String, PathBuf)> = files
        .into_iter()
        .filter_map(|path| {
            let text = String::from_utf8(std::fs::read(&path).ok()?).ok()?;
            let body = match text
                .strip_prefix("+++\n")
                .and_then(|r| r.split_once("\n+++\n"))
            {
                Some((_, body)) => body.to_owned(),
                None => text,
            };
            let name = path.strip_prefix(root()).unwrap().display().to_string();
            Some((name, body, path.parent().unwrap().to_path_buf()))
        })
        .collect();
    inputs.extend(commonmark_examples());
    inputs
}

/// The CommonMark spec's examples and pulldown-cmark's extension suites
/// (`tests/fixtures/commonmark/`), each an input; but not those with an
/// image, whose files (`/url`, `train.jpg`) are not there: the images and
/// lost-in-pdf fixtures have real ones.
fn commonmark_examples() -> Vec<(String, String, PathBuf)> {
    #[derive(serde::Deserialize)]
    struct Examples {
        example: Vec<Example>,
    }
    #[derive(serde::Deserialize)]
    struct Example {
        name: String,
        markdown: String,
    }
    let dir = root().join("tests/fixtures/commonmark");
    let text = std::fs::read_to_string(dir.join("examples.toml")).unwrap();
    let examples: Examples = toml::from_str(&text).expect("examples.toml reads");
    examples
        .example
        .into_iter()
        .filter(|e| !e.markdown.contains("!["))
        .map(|e| (e.name, e.markdown, dir.clone()))
        .collect()
}

/// A library of one volume holding every input as a chapter, in en and
/// zh-Hant; returns its config.
fn library_of_every_input(dir: &Path) -> PathBuf {
    let mut chapters = Vec::new();
    for (i, (name, body, folder)) in inputs().into_iter().enumerate() {
        let id = format!("input-{i:04}");
        let article = dir.join("articles").join(&id);
        std::fs::create_dir_all(&article).unwrap();
        // The images an input links to: those beside it, and the one the
        // fuzz inputs name.
        let images = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .chain([root().join("tests/fixtures/markdown/images/moe.png")]);
        for path in images.filter(|p| p.extension().is_some_and(|e| e == "png" || e == "jpg")) {
            std::fs::copy(&path, article.join(path.file_name().unwrap())).unwrap();
        }
        for lang in ["en", "zh-Hant"] {
            let text = format!(
                "+++\nid = \"{id}\"\ntitle = {name:?}\nlang = \"{lang}\"\nthemes = [\"t\"]\n+++\n\n{body}"
            );
            std::fs::write(article.join(format!("{lang}.md")), text).unwrap();
        }
        chapters.push(format!("{id:?}"));
    }
    let config = dir.join("quire.toml");
    std::fs::write(
        &config,
        format!(
            "[library]\nauthor = \"T\"\n[fonts]\ndir = {:?}\n\
             [[volume]]\nid = \"every\"\ntitle = {{ en = \"Every input\", zh-Hant = \"每個輸入\" }}\n\
             chapters = [{}]\neditions = [\"en\", \"zh-Hant\", \"bilingual\"]\n",
            root().join("fonts"),
            chapters.join(", ")
        ),
    )
    .unwrap();
    config
}

/// The library of every input, built once to EPUB and PDF in en, zh-Hant
/// and bilingual (each input beside itself): its six books.
fn books() -> &'static [PathBuf] {
    static BOOKS: OnceLock<Vec<PathBuf>> = OnceLock::new();
    BOOKS.get_or_init(|| {
        let dir =
            std::env::temp_dir().join(format!("quire-test-{}-every-input", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let config = library_of_every_input(&dir);
        let (project, _) = load_project(&config).expect("the library loads");
        let options = BuildOptions {
            out_dir: dir.join("out"),
            source_date_epoch: Some(1_700_000_000),
            ..BuildOptions::default()
        };
        let (built, diagnostics) = build(&project, &options).expect("the books build");
        assert!(!diagnostics.has_errors(), "{diagnostics:?}");
        let books: Vec<PathBuf> = built.into_iter().map(|b| b.path).collect();
        assert_eq!(books.len(), 6, "{books:?}");
        books
    })
}

fn books_of(format: &str) -> Vec<&'static PathBuf> {
    books()
        .iter()
        .filter(|b| b.extension().is_some_and(|e| e == format))
        .collect()
}

#[test]
fn every_markdown_input_makes_an_epub_that_epubcheck_passes() {
    let epubs: Vec<PathBuf> = books_of("epub").into_iter().cloned().collect();
    let Some(failures) = epubcheck_failures(&epubs) else {
        return;
    };
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Whether a character is compared between a chapter's EPUB and PDF text.
/// Not whitespace; not digits, which footnote marks and folios add (in the
/// PDF also as superscripts); not `-`, which pdftotext drops after
/// a word broken at a line end; not the bullets of lists (• and, in Chinese,
/// ● ○ ■ □), the PDF's mark of
/// a code line that goes on, nor the EPUB's footnote back-links.
fn compared(c: char) -> bool {
    !c.is_whitespace()
        && !c.is_ascii_digit()
        && !matches!(
            c,
            '-' | '•' | '●' | '○' | '■' | '□' | '↪' | '↩' | '\u{ad}' | '¹' | '²' | '³' | '⁰'..='⁹'
        )
}

fn counts(text: &str) -> BTreeMap<char, usize> {
    let mut counts = BTreeMap::new();
    for c in text.chars().filter(|c| compared(*c)) {
        *counts.entry(c).or_insert(0) += 1;
    }
    counts
}

/// The text of each chapter of an EPUB (its body, tags dropped, entities
/// read), and the text of its tables' header cells.
fn epub_chapters(book: &Path) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(book).unwrap()).unwrap();
    let mut names: Vec<String> = archive
        .file_names()
        .filter(|n| n.starts_with("OEBPS/chapter-") && n.ends_with(".xhtml"))
        .map(str::to_owned)
        .collect();
    // In reading order: chapter-9 before chapter-10.
    names.sort_by_key(|n| (n.len(), n.clone()));
    names
        .iter()
        .map(|name| {
            let mut xhtml = String::new();
            std::io::Read::read_to_string(&mut archive.by_name(name).unwrap(), &mut xhtml).unwrap();
            let body = &xhtml[xhtml.find("<body").expect("a body")..];
            let mut headers: String = body
                .split("<th")
                .skip(1)
                .filter_map(|cell| Some(cell[cell.find('>')? + 1..cell.find("</th>")?].to_owned()))
                .collect();
            // A footnote is set on every page that refers to it.
            headers.extend(
                body.split("<aside epub:type=\"footnote\"")
                    .skip(1)
                    .filter_map(|note| note.find("</aside>").map(|end| &note[..end])),
            );
            (
                unescape_xml(&without_tags(body)),
                unescape_xml(&without_tags(&headers)),
            )
        })
        .collect()
}

/// The text of `xhtml`, tags dropped, with the number of each item of an
/// ordered list before it (`3.`), as the PDF sets it and a reader shows it.
fn without_tags(xhtml: &str) -> String {
    let mut text = String::new();
    // The next number of each open list, `None` for a bulleted one.
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut rest = xhtml;
    while let Some(open) = rest.find('<') {
        text.push_str(&rest[..open]);
        let close = open + rest[open..].find('>').expect("a tag ends");
        let tag = &rest[open + 1..close];
        let name = tag.split([' ', '/']).next().unwrap_or("");
        match name {
            "ol" => {
                let start = tag
                    .split("start=\"")
                    .nth(1)
                    .and_then(|s| s.split('"').next()?.parse().ok());
                lists.push(Some(start.unwrap_or(1)));
            }
            "ul" => lists.push(None),
            "" if tag == "/ol" || tag == "/ul" => {
                lists.pop();
            }
            "li" => {
                if let Some(Some(n)) = lists.last_mut() {
                    text.push_str(&format!("{n}. "));
                    *n += 1;
                }
            }
            _ => {}
        }
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    text
}

fn unescape_xml(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let end = at + rest[at..].find(';').expect("an entity ends");
        let name = &rest[at + 1..end];
        out.push(match name {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = match name.strip_prefix("#x") {
                    Some(hex) => u32::from_str_radix(hex, 16),
                    None => name.trim_start_matches('#').parse(),
                };
                char::from_u32(code.expect("a character reference")).unwrap()
            }
        });
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}

/// The text of each chapter of a PDF, from its opening page (the outline's)
/// to the next chapter's: the words inside the text block, so without
/// running heads and folios.
fn pdf_chapters(book: &Path, theme: &Theme) -> Vec<String> {
    let pages = word_pages(book);
    let mut starts = outline_pages(book);
    starts.push(pages.len());
    starts
        .windows(2)
        .map(|range| {
            let mut text = String::new();
            for page in &pages[range[0]..range[1]] {
                for word in &page.words {
                    let centre = (word.y_min + word.y_max) / 2.0;
                    if centre > theme.top && centre < page.height - theme.bottom {
                        text.push_str(&word.text);
                        text.push(' ');
                    }
                }
            }
            text
        })
        .collect()
}

/// The characters one count has more of than another.
fn surplus(a: &BTreeMap<char, usize>, b: &BTreeMap<char, usize>) -> Vec<char> {
    a.iter()
        .filter(|(c, n)| **n > b.get(c).copied().unwrap_or(0))
        .map(|(c, _)| *c)
        .collect()
}

/// Each chapter of each PDF has the characters of the same chapter of the
/// EPUB, as many times, and no others: except that a table's header row
/// repeats on each page the table runs over, and a footnote on each page
/// that refers to it.
#[test]
fn every_chapter_of_the_pdf_has_the_characters_of_its_epub_chapter() {
    if !tools_present(&["pdftotext"]) {
        return;
    }
    let names: Vec<String> = inputs().into_iter().map(|(name, ..)| name).collect();
    let mut failures = Vec::new();
    for pdf in books_of("pdf") {
        let name = pdf.to_string_lossy();
        let lang = if name.contains("zh-Hant") || name.contains("bilingual") {
            Lang::ZhHant
        } else {
            Lang::En
        };
        let epub = pdf.with_extension("epub");
        let (in_epub, in_pdf) = (
            epub_chapters(&epub),
            pdf_chapters(pdf, &Theme::new(PageSize::A5, lang)),
        );
        assert_eq!(in_epub.len(), names.len(), "{}", epub.display());
        assert_eq!(in_pdf.len(), names.len(), "{}", pdf.display());
        for ((name, (epub_text, headers)), pdf_text) in names.iter().zip(&in_epub).zip(&in_pdf) {
            let (e, p) = (counts(epub_text), counts(pdf_text));
            let lost = surplus(&e, &p);
            let headers = counts(headers);
            let added: Vec<String> = surplus(&p, &e)
                .into_iter()
                .filter(|c| !headers.contains_key(c))
                .map(|c| format!("{c:?}"))
                .collect();
            if !lost.is_empty() || !added.is_empty() {
                failures.push(format!(
                    "{lang:?} {name}: the PDF lacks some of {lost:?} and adds {}",
                    added.join(" ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn no_word_of_any_pdf_is_off_the_page_or_over_another() {
    if !tools_present(&["pdftotext"]) {
        return;
    }
    let mut failures = Vec::new();
    for pdf in books_of("pdf") {
        for (i, page) in word_pages(pdf).iter().enumerate() {
            let at = format!(
                "{} page {}",
                pdf.file_name().unwrap().to_string_lossy(),
                i + 1
            );
            for word in &page.words {
                if word.x_min < 0.0
                    || word.y_min < 0.0
                    || word.x_max > page.width
                    || word.y_max > page.height
                {
                    failures.push(format!("{at}: off the page: {}", word.text));
                }
            }
            failures.extend(
                overlaps(&page.words).map(|(a, b)| format!("{at}: {:?} over {:?}", a.text, b.text)),
            );
        }
    }
    assert!(
        failures.is_empty(),
        "{} words misplaced, the first:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

/// Pairs of words whose boxes overlap by more than a third of the lower
/// one's height and a third of a point across; where full-width
/// punctuation meets another word, by more than the half em a squeezed
/// mark leaves of its box (pdftotext draws each glyph a full em wide).
fn overlaps(words: &[Word]) -> impl Iterator<Item = (&Word, &Word)> {
    let mut sorted: Vec<&Word> = words.iter().collect();
    sorted.sort_by(|a, b| a.x_min.total_cmp(&b.x_min));
    let mut pairs = Vec::new();
    for (i, a) in sorted.iter().enumerate() {
        for b in &sorted[i + 1..] {
            if b.x_min >= a.x_max - 0.3 {
                break;
            }
            let height = (a.y_max - a.y_min).min(b.y_max - b.y_min);
            let across = a.x_max.min(b.x_max) - b.x_min;
            let down = a.y_max.min(b.y_max) - a.y_min.max(b.y_min);
            // Full-width marks (“ ” too, in Chinese text) lose their blanks.
            let punctuation = |c: Option<char>| {
                c.is_some_and(|c| {
                    quire::text::is_cjk_punctuation(c) || quire::text::is_ambiguous_punctuation(c)
                })
            };
            let squeezed =
                punctuation(a.text.chars().next_back()) || punctuation(b.text.chars().next());
            let allowed = if squeezed { height * 0.55 } else { 0.3 };
            if down > height / 3.0 && across > allowed {
                pairs.push((*a, *b));
            }
        }
    }
    pairs.into_iter()
}
