//! The pipeline the `markdown` fuzz target runs, shared with the regression
//! test `tests/testsuite/fuzz.rs` (both include this file by path, so the
//! test runs exactly what the fuzzer ran).
//!
//! One input — an article file, front matter optional — goes through the
//! whole of quire in memory, nothing written to disk:
//!
//! - the model: `prepare_document` with every normalisation rule, as an
//!   English article, a Simplified Chinese one, and that one converted to
//!   Traditional;
//! - the EPUB: each chapter's XHTML, and the bilingual chapter (English
//!   beside the converted Chinese);
//! - print: the Simplified Chinese typeset as a one-chapter book, and the
//!   English beside the converted Chinese as a bilingual one (in columns or
//!   interleaved, on a page size the input's length picks), each written as PDF.
//!
//! Nothing here may panic, whatever the input.

use std::path::{Path, PathBuf};

use quire::book::{Article, Edition, Lang};
use quire::config::BilingualLayout;
use quire::fonts::Fonts;
use quire::render::epub::xhtml::{Source, Writer};
use quire::render::pdf::{write_pdf, Output, PdfMeta};
use quire::text::normalize::{QuoteStyle, Rules};
use quire::text::Conversion;
use quire::typeset::{typeset, PageSize, Theme};
use quire::volume::{prepare_document, Book, Chapter};

/// The folder fuzzed articles pretend to live in, below the repository root:
/// the Markdown fixtures, so a relative image such as `images/moe.png` resolves.
const LIBRARY: &str = "tests/fixtures/markdown";
/// The article's pretended folder inside it: `moe.png` is there.
const ARTICLE_DIR: &str = "images";

/// The fence around front matter, as `quire::book::load_article` reads it.
const FENCE: &str = "+++";

/// Runs `text` through the whole pipeline. `root` is the repository root.
pub fn run(fonts: &Fonts, root: &Path, text: &str) {
    let library_root = root.join(LIBRARY);
    let en = article(&library_root, text, Lang::En);
    let hans = article(&library_root, text, Lang::ZhHans);

    let en_chapter = chapter(&en, None, Rules::all(QuoteStyle::Curly));
    let hans_chapter = chapter(&hans, None, Rules::all(QuoteStyle::Curly));
    let hant_chapter = chapter(
        &hans,
        Some(Conversion::HansToHant),
        Rules::all(QuoteStyle::Corner),
    );
    for chapter in [&en_chapter, &hans_chapter, &hant_chapter] {
        let _ = quire::doc::dump(&chapter.doc);
    }

    // The EPUB's chapters.
    let mut writer = Writer::new(fonts, Lang::ZhHant);
    writer
        .images
        .insert("moe.png".into(), "images/chapter-01-1.png".into());
    let (en_source, hans_source) = (source(&en), source(&hans));
    let _ = writer.chapter(&en_chapter.doc, &en_source, &en_chapter.title);
    let _ = writer.chapter(&hans_chapter.doc, &hans_source, &hans_chapter.title);
    let _ = writer.chapter(&hant_chapter.doc, &hans_source, &hant_chapter.title);
    let _ = writer.bilingual_chapter(
        (&en_chapter.doc, &en_source, &en_chapter.title),
        (&hant_chapter.doc, &hans_source, &hant_chapter.title),
    );
    for d in writer.diagnostics.iter() {
        let _ = d.to_string();
    }

    // Print: Simplified Chinese alone, then English beside Traditional.
    print(fonts, &library_root, Edition::ZhHans, vec![hans_chapter], 0);
    let bilingual = Chapter {
        translation: Some(Box::new(hant_chapter)),
        ..en_chapter
    };
    // The input's length picks the bilingual layout and the page size, so
    // the corpus covers them all while each input stays reproducible.
    print(
        fonts,
        &library_root,
        Edition::Bilingual,
        vec![bilingual],
        text.len(),
    );
}

/// A lighter run, for inputs too big for [`run`] in a debug build: `text`
/// as an article in `lang` only, through the model, its chapter's XHTML, and
/// typeset as a one-chapter book written as PDF.
#[allow(dead_code)] // the fuzz target runs `run`; the regression test runs both
pub fn run_single(fonts: &Fonts, root: &Path, text: &str, lang: Lang) {
    let library_root = root.join(LIBRARY);
    let article = article(&library_root, text, lang);
    let quotes = match lang {
        Lang::ZhHant => QuoteStyle::Corner,
        _ => QuoteStyle::Curly,
    };
    let chapter = chapter(&article, None, Rules::all(quotes));
    let mut writer = Writer::new(fonts, Lang::ZhHant);
    let _ = writer.chapter(&chapter.doc, &source(&article), &chapter.title);
    print(fonts, &library_root, lang.into(), vec![chapter], 0);
}

/// `text` as the article file `<library>/images/<lang>.md`.
fn article(library_root: &Path, text: &str, lang: Lang) -> Article {
    let (body_offset, title) = split_front_matter(text);
    Article {
        id: "fuzz".into(),
        lang,
        title,
        themes: vec!["fuzz".into()],
        date: None,
        source: None,
        path: library_root
            .join(ARTICLE_DIR)
            .join(format!("{}.md", lang.tag())),
        text: text.to_string(),
        body_offset,
    }
}

/// Where the Markdown body starts, and the title, as `load_article` would
/// find them: after a `+++` front matter block if the text opens with one.
/// (The front matter's TOML is not fuzzed: `load_article` reads a file.)
pub fn split_front_matter(text: &str) -> (usize, String) {
    let untitled = || "Fuzz 模糊測試 “quotes”".to_string();
    let Some(rest) = text
        .strip_prefix(FENCE)
        .and_then(|r| r.strip_prefix('\n').or(r.strip_prefix("\r\n")))
    else {
        return (0, untitled());
    };
    let start = text.len() - rest.len();
    let mut offset = 0;
    let mut title = None;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == FENCE {
            let end = start + offset + line.len();
            return (end, title.unwrap_or_else(untitled));
        }
        if let Some(value) = line.trim().strip_prefix("title") {
            let value = value.trim_start().trim_start_matches('=').trim();
            title = Some(value.trim_matches('"').to_string());
        }
        offset += line.len();
    }
    (0, untitled())
}

fn source(article: &Article) -> Source<'_> {
    Source {
        path: &article.path,
        text: &article.text,
    }
}

fn chapter(article: &Article, conversion: Option<Conversion>, rules: Rules) -> Chapter<'_> {
    let prepared = prepare_document(article, conversion.map(|c| (c, None)), Lang::ZhHant, &rules);
    Chapter {
        article,
        title: article.title.clone(),
        doc: prepared.doc,
        converted: conversion,
        translation: None,
        changes: prepared.changes,
        conversions: prepared.conversions,
    }
}

/// Typesets a one-chapter book and writes it as PDF, in memory.
/// `variant` picks the bilingual layout (its lowest bit) and the page size
/// (the next two bits); 0 is a bilingual book in columns on A5.
fn print(
    fonts: &Fonts,
    library_root: &Path,
    edition: Edition,
    chapters: Vec<Chapter>,
    variant: usize,
) {
    let columns = variant.is_multiple_of(2);
    let lang = edition.single().unwrap_or(Lang::ZhHant);
    let book = Book {
        volume_id: "fuzz",
        edition,
        lang,
        title: "Fuzz".into(),
        subtitle: None,
        author: "quire".into(),
        publisher: None,
        description: None,
        subjects: Vec::new(),
        isbn: None,
        identifier: format!("quire:fuzz:{edition}"),
        date: chrono::DateTime::UNIX_EPOCH,
        cover: None,
        chapters,
        bilingual_layout: if columns {
            BilingualLayout::Columns
        } else {
            BilingualLayout::Interleaved
        },
        vertical: false,
        han_in_english: Lang::ZhHant,
        library_root: PathBuf::from(library_root),
    };
    let size = [
        PageSize::A5,
        PageSize::B5,
        PageSize::SixByNine,
        PageSize::Letter,
    ][variant / 2 % 4];
    let mut theme = Theme::new(size, lang);
    if edition == Edition::Bilingual && columns {
        theme = theme.scaled(0.85);
    }
    let (pages, diagnostics) = typeset(&book, &theme, fonts);
    for d in diagnostics.iter() {
        let _ = d.to_string();
    }
    let meta = PdfMeta {
        title: book.title.clone(),
        author: book.author.clone(),
        subject: String::new(),
        lang,
        date: book.date,
        identifier: book.identifier.clone(),
    };
    // An error is an answer; only a panic is a failure.
    let _ = write_pdf(&pages, fonts, &meta, Output::Reading);
}
