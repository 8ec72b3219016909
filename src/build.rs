//! The pipeline end to end: load the project, plan the books, render them,
//! write each atomically.

use std::fs;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};

use crate::book::{closest, load_articles, Edition, Lang, Library};
use crate::config::{load_config, BilingualLayout, ChapterOpening, Format, LoadedConfig};
use crate::doc::Locator;
use crate::error::{Diagnostic, Diagnostics, Error, Location, Result};
use crate::fonts::Fonts;
use crate::render::epub::render_epub;
use crate::render::pdf::{write_pdf, Edges, Output, PdfMeta};
use crate::text::normalize::{self, Rules, Segment};
use crate::text::{convert_script, Conversion, PhraseChange};
use crate::typeset::frame::Pages;
use crate::typeset::{gutter, typeset, typeset_cover, CoverContent, PageSize, Sheet, Theme};
use crate::volume::{
    plan_edition, prepare_document, resolve_volumes, Book, Chapter, Version, Volume,
};

/// Everything loaded and checked: config, articles, fonts.
pub struct Project {
    pub config: LoadedConfig,
    pub library: Library,
    pub fonts: Fonts,
}

/// Loads the config, the articles and the fonts, and resolves the volumes.
/// Warnings come back beside the project; any error fails the load.
pub fn load_project(config_path: &Path) -> Result<(Project, Diagnostics)> {
    let config = load_config(config_path)?;
    // Independent, and each a good part of the load: side by side.
    let (articles, fonts) = rayon::join(
        || load_articles(&config.articles_dir()),
        || Fonts::load(&config),
    );
    let (library, mut diagnostics) = articles?;
    let fonts = match fonts {
        Ok(fonts) => Some(fonts),
        Err(problems) => {
            diagnostics.extend(problems);
            None
        }
    };
    let (_, volume_problems) = resolve_volumes(&config, &library);
    diagnostics.extend(volume_problems);
    let diagnostics = diagnostics.into_result()?;
    let Some(fonts) = fonts else {
        // Fonts::load fails only with errors, returned just above.
        return Err(Error::Invalid(diagnostics));
    };
    Ok((
        Project {
            config,
            library,
            fonts,
        },
        diagnostics,
    ))
}

/// What to build and where.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub out_dir: PathBuf,
    /// Volume ids; empty means all.
    pub volumes: Vec<String>,
    /// Editions; empty means each volume's own.
    pub editions: Vec<Edition>,
    /// Formats, for every volume selected; empty means each volume's own.
    pub formats: Vec<Format>,
    /// Seconds since the epoch for every date in the output (`SOURCE_DATE_EPOCH`).
    pub source_date_epoch: Option<i64>,
    /// Render but write nothing (`quire check`).
    pub dry_run: bool,
    /// In a dry run, list each normalisation change, not a count per file.
    pub verbose: bool,
}

/// A book that was written (or would be, in a dry run).
#[derive(Debug, Clone)]
pub struct Built {
    pub path: PathBuf,
    pub bytes: usize,
    /// Chapters; none on a cover.
    pub chapters: usize,
    /// Pages, for a PDF.
    pub pages: Option<usize>,
}

/// One edition of one volume, in the formats asked for.
struct Job<'v, 'a> {
    volume: &'v Volume<'a>,
    edition: Edition,
    /// Set vertically (直排): `<volume>.<edition>-vertical.epub`.
    vertical: bool,
    formats: Vec<Format>,
}

impl Job<'_, '_> {
    /// The book's name, its files' name without the extension: `ai.en`,
    /// `leadership.zh-Hant-vertical`.
    fn name(&self) -> String {
        let vertical = if self.vertical { "-vertical" } else { "" };
        format!("{}.{}{vertical}", self.volume.id(), self.edition)
    }
}

/// The editions of the selected volumes, in the formats selected.
fn plan<'v, 'a>(volumes: &'v [Volume<'a>], options: &BuildOptions) -> Vec<Job<'v, 'a>> {
    let mut jobs = Vec::new();
    for volume in volumes
        .iter()
        .filter(|v| options.volumes.is_empty() || options.volumes.iter().any(|id| id == v.id()))
    {
        for edition in volume
            .editions()
            .filter(|e| options.editions.is_empty() || options.editions.contains(e))
        {
            // Formats asked for are made whatever the volume's own are.
            let formats = if options.formats.is_empty() {
                volume.config.formats.clone()
            } else {
                options.formats.clone()
            };
            if formats.is_empty() {
                continue;
            }
            jobs.push(Job {
                volume,
                edition,
                vertical: false,
                formats: formats.clone(),
            });
            if volume.is_vertical(edition) {
                jobs.push(Job {
                    volume,
                    edition,
                    vertical: true,
                    formats,
                });
            }
        }
    }
    jobs
}

/// How many books `build` would make with these options.
pub fn count_books(project: &Project, options: &BuildOptions) -> usize {
    let (volumes, _) = resolve_volumes(&project.config, &project.library);
    // The print format makes two files, interior and cover.
    let files = |format: &Format| if *format == Format::Print { 2 } else { 1 };
    (plan(&volumes, options).iter())
        .map(|j| j.formats.iter().map(files).sum::<usize>())
        .sum()
}

/// Builds the selected books. Each book is rendered in memory and written
/// only if it has no error, to a temporary file renamed over the old one.
pub fn build(project: &Project, options: &BuildOptions) -> Result<(Vec<Built>, Diagnostics)> {
    build_reporting(project, options, &|_| {})
}

/// [`build`], calling `report` as each book is finished. Editions and
/// formats are built in parallel; the results come back in plan order.
pub fn build_reporting(
    project: &Project,
    options: &BuildOptions,
    report: &(dyn Fn(&Built) + Sync),
) -> Result<(Vec<Built>, Diagnostics)> {
    let (built, by_book) = build_books(project, options, report)?;
    let mut diagnostics = Diagnostics::default();
    for (_, found) in by_book {
        diagnostics.extend(found);
    }
    Ok((built, diagnostics.sorted()))
}

/// What each book's build found, under the book's name (`ai.en`,
/// `leadership.zh-Hant-vertical`).
pub type FoundByBook = Vec<(String, Diagnostics)>;

/// [`build_reporting`], with what each book's build found.
pub fn build_books(
    project: &Project,
    options: &BuildOptions,
    report: &(dyn Fn(&Built) + Sync),
) -> Result<(Vec<Built>, FoundByBook)> {
    use rayon::prelude::*;
    let (volumes, _) = resolve_volumes(&project.config, &project.library);
    check_selection(&volumes, options)?;
    let _lock = if options.dry_run {
        None
    } else {
        fs::create_dir_all(&options.out_dir)
            .map_err(|e| Error::io("create the folder", &options.out_dir, e))?;
        let lock = lock_folder(&options.out_dir)?;
        remove_stale_temporaries(&options.out_dir)?;
        lock
    };
    let jobs = plan(&volumes, options);
    let results: Vec<Result<(Vec<Built>, Diagnostics)>> = jobs
        .par_iter()
        .map(|job| {
            let mut book = make_book(project, job.volume, job.edition, options);
            if job.vertical {
                book.vertical = true;
                book.identifier += "-vertical";
            }
            let mut diagnostics = if options.dry_run {
                lint(&book, options.verbose)
            } else {
                Diagnostics::default()
            };
            // The EPUB marks where the print edition's pages start: both
            // formats take the one print layout.
            let print_ready = job.formats.contains(&Format::Print);
            let print = print_layout(project, job.volume, &book, print_ready);
            let outcomes: Vec<Result<(Vec<Built>, Diagnostics)>> = job
                .formats
                .par_iter()
                .map(|&format| make_file(project, job, &book, &print, format, options, report))
                .collect();
            let mut built = Vec::new();
            for outcome in outcomes {
                let (file, found) = outcome?;
                built.extend(file);
                diagnostics.extend(found);
            }
            Ok((built, diagnostics))
        })
        .collect();
    let mut built = Vec::new();
    let mut by_book = Vec::new();
    for (job, result) in jobs.iter().zip(results) {
        let (files, found) = result?;
        built.extend(files);
        by_book.push((job.name(), found));
    }
    Ok((built, by_book))
}

/// A file rendered in memory.
struct File {
    path: PathBuf,
    bytes: Vec<u8>,
    pages: Option<usize>,
    /// A book, not its cover.
    book: bool,
}

/// Renders one book in one format (the print format: its interior and
/// cover) and writes it, unless it has errors.
fn make_file(
    project: &Project,
    job: &Job,
    book: &Book,
    print: &(Pages, Diagnostics),
    format: Format,
    options: &BuildOptions,
    report: &(dyn Fn(&Built) + Sync),
) -> Result<(Vec<Built>, Diagnostics)> {
    let named = |extension: &str| options.out_dir.join(format!("{}.{extension}", job.name()));
    let path = named(format.extension());
    let rendered = match format {
        Format::Epub => {
            // A print layout with errors makes no PDF: then no page list.
            let (pages, problems) = print;
            let print_pages = if problems.has_errors() {
                Vec::new()
            } else {
                pages.starts()
            };
            render_epub(book, &project.fonts, &print_pages).map(|(bytes, found)| {
                let file = File {
                    path: path.clone(),
                    bytes,
                    pages: None,
                    book: true,
                };
                (vec![file], found)
            })
        }
        Format::Pdf => render_pdf(project, book, print).map(|(bytes, found)| {
            let file = File {
                path: path.clone(),
                bytes,
                pages: Some(print.0.pages.len()),
                book: true,
            };
            (vec![file], found)
        }),
        Format::Print => {
            render_print(project, job.volume, book, print).map(|(interior, pages, cover, found)| {
                let interior = File {
                    path: path.clone(),
                    bytes: interior,
                    pages: Some(pages),
                    book: true,
                };
                let cover = File {
                    path: named("cover.pdf"),
                    bytes: cover,
                    pages: Some(1),
                    book: false,
                };
                (vec![interior, cover], found)
            })
        }
    };
    match rendered {
        Ok((files, warnings)) => {
            if !options.dry_run {
                for file in &files {
                    write_atomically(&file.path, &file.bytes)?;
                }
            }
            let built: Vec<Built> = (files.into_iter())
                .map(|file| Built {
                    path: file.path,
                    bytes: file.bytes.len(),
                    chapters: if file.book { book.chapters.len() } else { 0 },
                    pages: file.pages,
                })
                .collect();
            built.iter().for_each(report);
            Ok((built, warnings))
        }
        Err(problems) => Ok((
            Vec::new(),
            problems.into_iter().map(|d| name_book(d, &path)).collect(),
        )),
    }
}

/// The trim size of `volume`'s printed books.
fn page_size(project: &Project, volume: &Volume) -> PageSize {
    (volume.config.page_size).unwrap_or(project.config.config.print.page_size)
}

/// Typesets a book for print, with the volume's page size and a gutter for
/// its page count; `print_ready`: with the print file's warnings.
fn print_layout(
    project: &Project,
    volume: &Volume,
    book: &Book,
    print_ready: bool,
) -> (Pages, Diagnostics) {
    let print = &project.config.config.print;
    let set = |pages: usize| {
        let bleeds = print.bleed.points > 0.0;
        let mut theme = Theme::bound(page_size(project, volume), book.lang, pages, bleeds);
        theme.recto_openings = print.chapter_opening == ChapterOpening::Recto;
        theme.print_ready = print_ready;
        if book.edition == Edition::Bilingual && book.bilingual_layout == BilingualLayout::Columns {
            // Two columns of 10.5 pt type on A5 are too narrow to set well.
            theme = theme.scaled(0.85);
        }
        typeset(book, &theme, &project.fonts)
    };
    // The gutter grows with the page count, which grows with the gutter:
    // set again until the count needs no wider one. Each round widens it
    // a step, so this ends.
    let mut count = 0;
    loop {
        let layout = set(count);
        let pages = layout.0.pages.len();
        if gutter(pages) <= gutter(count) {
            return layout;
        }
        count = pages;
    }
}

/// What the PDFs of `book` say about themselves.
fn pdf_meta(book: &Book) -> PdfMeta {
    PdfMeta {
        title: book.title.clone(),
        author: book.author.clone(),
        subject: book.subtitle.clone().unwrap_or_default(),
        lang: book.lang,
        date: book.date,
        identifier: book.identifier.clone(),
    }
}

/// `pages` as PDF for `output`; a failure as a diagnostic.
fn write_pages(
    project: &Project,
    pages: &Pages,
    meta: &PdfMeta,
    output: Output,
) -> Result<Vec<u8>, Diagnostics> {
    write_pdf(pages, &project.fonts, meta, output).map_err(|e| {
        [Diagnostic::error(
            None,
            format!("could not write the PDF: {e}"),
        )]
        .into_iter()
        .collect::<Diagnostics>()
    })
}

/// Writes a book's print layout as the reading PDF, with what typesetting
/// found.
fn render_pdf(
    project: &Project,
    book: &Book,
    (pages, diagnostics): &(Pages, Diagnostics),
) -> Result<(Vec<u8>, Diagnostics), Diagnostics> {
    if diagnostics.has_errors() {
        return Err(diagnostics.clone());
    }
    let bytes = write_pages(project, pages, &pdf_meta(book), Output::Reading)?;
    Ok((bytes, diagnostics.clone()))
}

/// The print file (no links; trim and bleed boxes; an even number of
/// pages) and its page count, and the cover sheet of `book`, sized for that
/// count and the paper.
fn render_print(
    project: &Project,
    volume: &Volume,
    book: &Book,
    print: &(Pages, Diagnostics),
) -> Result<(Vec<u8>, usize, Vec<u8>, Diagnostics), Diagnostics> {
    let config = &project.config.config.print;
    let bleed = config.bleed.points;
    let output = Output::Print {
        bleed,
        edges: Edges::Cut,
    };
    let (pages, found) = print;
    if found.has_errors() {
        return Err(found.clone());
    }
    let pages = pages.to_even();
    let interior = write_pages(project, &pages, &pdf_meta(book), output)?;
    let mut found = found.clone();
    let sheet = Sheet {
        size: page_size(project, volume),
        pages: pages.pages.len(),
        page_thickness: config.page_thickness(),
        bleed,
    };
    let (cover, problems) = typeset_cover(&CoverContent::of(book), &sheet, &project.fonts);
    found.extend(problems);
    if found.has_errors() {
        return Err(found);
    }
    let meta = PdfMeta {
        identifier: format!("{}-cover", book.identifier),
        ..pdf_meta(book)
    };
    let output = Output::Print {
        bleed,
        edges: Edges::All,
    };
    let cover = write_pages(project, &cover, &meta, output)?;
    Ok((interior, pages.pages.len(), cover, found))
}

/// What the build does to the text beyond setting it, as notes: the
/// phrases converted as a whole; and what normalisation changes in the
/// chapters written in the edition's own script, a count per file (each
/// change, `verbose`).
fn lint(book: &Book, verbose: bool) -> Diagnostics {
    let mut found = Diagnostics::default();
    let chapters = book
        .chapters
        .iter()
        .flat_map(|c| std::iter::once(c).chain(c.translation.as_deref()));
    for chapter in chapters {
        let article = chapter.article;
        // Thousands of changes in a large article: located in one pass, not each from the start.
        let locator = Locator::new(&article.path, &article.text);
        for (offset, change) in conversion_places(&article.text, &chapter.conversions) {
            found.push(Diagnostic::note(
                Some(locator.locate(offset)),
                format!("convert: {} → {}", change.before, change.after),
            ));
        }
        if chapter.converted.is_some() || chapter.changes.is_empty() {
            continue;
        }
        if !verbose {
            found.push(normalisation_summary(&article.path, &chapter.changes));
            continue;
        }
        for change in &chapter.changes {
            found.push(Diagnostic::note(
                Some(locator.locate(change.offset)),
                format!(
                    "{}: `{}` → `{}`",
                    change.rule.name(),
                    change.before,
                    change.after
                ),
            ));
        }
    }
    found
}

/// One note for the normalisation changes to one file: how many, by rule.
fn normalisation_summary(path: &Path, changes: &[crate::doc::Change]) -> Diagnostic {
    let mut by_rule: std::collections::BTreeMap<&str, usize> = std::collections::BTreeMap::new();
    for change in changes {
        *by_rule.entry(change.rule.name()).or_default() += 1;
    }
    let rules: Vec<String> = by_rule
        .iter()
        .map(|(rule, n)| format!("{rule} {n}"))
        .collect();
    Diagnostic::note(
        Some(Location::file(path)),
        format!(
            "normalisation changes {} ({}); the build applies them",
            crate::text::count(changes.len(), "place", "places"),
            rules.join(", ")
        ),
    )
    .hint("`quire check --verbose` lists them; `quire fmt --write` writes them into the file")
}

/// Where in `source` each converted phrase is. A change knows the start
/// of its text node; where the node is not the source verbatim (a soft
/// break joined two lines), the phrase is looked for from there, after the
/// node's earlier phrases.
fn conversion_places<'c>(
    source: &'c str,
    changes: &'c [PhraseChange],
) -> impl Iterator<Item = (usize, &'c PhraseChange)> {
    let mut node = usize::MAX;
    let mut from = 0;
    changes.iter().map(move |change| {
        if change.offset != node {
            (node, from) = (change.offset, change.offset);
        }
        let window = source.get(from..).unwrap_or("");
        let mut end = window.len().min(4096);
        while !window.is_char_boundary(end) {
            end -= 1;
        }
        let window = &window[..end];
        match window.find(&change.before) {
            Some(at) => {
                from += at + change.before.len();
                (from - change.before.len(), change)
            }
            None => (change.offset, change),
        }
    })
}

/// A source file and the normalisation changes it would take.
#[derive(Debug, Default)]
pub struct SourceChanges {
    pub path: PathBuf,
    /// In order.
    pub changes: Vec<SourceChange>,
}

/// One normalisation change to a source file.
#[derive(Debug)]
pub struct SourceChange {
    /// Where in the file as it was.
    pub location: Location,
    pub before: String,
    pub after: String,
    /// A few characters of the line before and after the change.
    pub context: (String, String),
}

/// Up to `CONTEXT` characters of `text`'s line before `start` and after `end`.
fn context(text: &str, start: usize, end: usize) -> (String, String) {
    const CONTEXT: usize = 6;
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i);
    let left: Vec<char> = text[line_start..start].chars().collect();
    let left: String = left[left.len().saturating_sub(CONTEXT)..].iter().collect();
    let right: String = text[end..line_end].chars().take(CONTEXT).collect();
    (left, right)
}

/// The normalisation changes to every Chinese source, by the rules of the
/// volumes that include it; with `write`, applied to the files.
pub fn format_sources(project: &Project, write: bool) -> Result<Vec<SourceChanges>> {
    use std::collections::BTreeMap;
    let (volumes, _) = resolve_volumes(&project.config, &project.library);
    let mut by_file: BTreeMap<PathBuf, BTreeMap<usize, (String, String)>> = BTreeMap::new();
    for volume in &volumes {
        for edition in volume.editions() {
            let book = make_book(project, volume, edition, &BuildOptions::default());
            let chapters = book
                .chapters
                .iter()
                .flat_map(|c| std::iter::once(c).chain(c.translation.as_deref()));
            for chapter in chapters.filter(|c| c.converted.is_none()) {
                let file = by_file.entry(chapter.article.path.clone()).or_default();
                for change in chapter.changes.iter().filter(|c| c.exact) {
                    file.entry(change.offset)
                        .or_insert((change.before.clone(), change.after.clone()));
                }
            }
        }
    }
    let mut result = Vec::new();
    for (path, changes) in by_file {
        if changes.is_empty() {
            continue;
        }
        let original = crate::error::read_text(&path)?;
        let mut applied = Vec::new();
        let mut end = usize::MAX;
        // From the end, keeping the last of overlapping changes; skip stale ones.
        for (offset, (before, after)) in changes.into_iter().rev() {
            if offset + before.len() <= end
                && original.get(offset..offset + before.len()) == Some(before.as_str())
            {
                end = offset;
                applied.push((offset, before, after));
            }
        }
        applied.reverse();
        // Spliced in one pass: replacing in place would move the rest of the text each time.
        let mut text = String::with_capacity(original.len());
        let mut at = 0;
        for (offset, before, after) in &applied {
            text.push_str(&original[at..*offset]);
            text.push_str(after);
            at = offset + before.len();
        }
        text.push_str(&original[at..]);
        let locator = Locator::new(&path, &original);
        let applied = applied
            .into_iter()
            .map(|(offset, before, after)| SourceChange {
                location: locator.locate(offset),
                context: context(&original, offset, offset + before.len()),
                before,
                after,
            })
            .collect();
        if write {
            write_atomically(&path, text.as_bytes())?;
        }
        result.push(SourceChanges {
            path,
            changes: applied,
        });
    }
    Ok(result)
}

/// Errors without a place name the book they stopped.
fn name_book(mut d: Diagnostic, path: &Path) -> Diagnostic {
    if d.location.is_none() {
        d.message = format!("{}: {}", path.display(), d.message);
    }
    d
}

/// Every volume `options` asks for exists; else an error for each that
/// does not, with the nearest ids.
pub fn check_selection(volumes: &[Volume], options: &BuildOptions) -> Result<()> {
    let ids: Vec<&str> = volumes.iter().map(|v| v.id()).collect();
    let unknown: Diagnostics = options
        .volumes
        .iter()
        .filter(|id| !ids.contains(&id.as_str()))
        .map(|id| {
            let near = closest(id, ids.iter().copied());
            Diagnostic::error(None, format!("unknown volume `{id}`")).hint(if near.is_empty() {
                format!("the volumes are: {}", ids.join(", "))
            } else {
                format!("did you mean `{}`?", near[0])
            })
        })
        .collect();
    unknown.into_result().map(|_| ())
}

/// Gathers and prepares the chapters of one edition of a volume.
pub fn make_book<'a>(
    project: &'a Project,
    volume: &Volume<'a>,
    edition: Edition,
    options: &BuildOptions,
) -> Book<'a> {
    let config = &project.config;
    let library = &config.config.library;
    let plan = plan_edition(&project.library, volume, edition);
    let phrases = config.config.convert.phrases();
    let chapter = |(article, conversion): Version<'a>| {
        let lang = match conversion {
            Some(Conversion::HansToHant) => Lang::ZhHant,
            Some(Conversion::HantToHans) => Lang::ZhHans,
            None => article.lang,
        };
        let rules = volume.config.normalize.rules(lang);
        let converting = conversion.map(|c| (c, phrases.get(&c)));
        let prepared = prepare_document(article, converting, library.chinese_in_english, &rules);
        Chapter {
            article,
            title: normalize_title(
                match converting {
                    Some((c, table)) => convert_script(&article.title, c, table).0,
                    None => article.title.clone(),
                },
                &rules,
            ),
            doc: prepared.doc,
            converted: conversion,
            translation: None,
            changes: prepared.changes,
            conversions: prepared.conversions,
        }
    };
    let chapters: Vec<Chapter> = plan
        .chapters
        .iter()
        .map(|planned| Chapter {
            translation: planned.translation.map(|t| Box::new(chapter(t))),
            ..chapter(planned.version)
        })
        .collect();
    let vc = volume.config;
    let lang = edition.single().unwrap_or(vc.bilingual.chinese);
    let title = vc
        .title
        .get_ref()
        .get(lang)
        .unwrap_or(volume.id())
        .to_string();
    // The bilingual edition is titled in Chinese, subtitled with the English title.
    let subtitle = match edition {
        Edition::Bilingual => vc.title.get_ref().get(Lang::En).map(str::to_string),
        _ => vc.subtitle.get(lang).map(str::to_string),
    };
    let date = book_date(options.source_date_epoch, vc.date.as_ref(), &chapters);
    Book {
        volume_id: volume.id(),
        edition,
        lang,
        title,
        subtitle,
        author: vc.author.clone().unwrap_or_else(|| library.author.clone()),
        publisher: library.publisher.clone(),
        description: vc.description.get(lang).map(str::to_string),
        subjects: vc.themes.iter().map(|t| t.get_ref().clone()).collect(),
        isbn: crate::config::isbn_of(vc, edition),
        identifier: vc.identifier.as_ref().map_or_else(
            || format!("quire:{}:{}", volume.id(), edition),
            |id| format!("{id}:{edition}"),
        ),
        date,
        cover: vc.cover.as_ref().map(|c| config.dir().join(c.get_ref())),
        chapters,
        bilingual_layout: vc.bilingual.layout,
        vertical: false,
        han_in_english: library.chinese_in_english,
        library_root: config.articles_dir(),
    }
}

/// A chapter title gets the same normalisation as its text.
fn normalize_title(title: String, rules: &Rules) -> String {
    let edits = normalize::normalize(&[Segment::Text(&title)], rules);
    normalize::apply(&[&title], &edits).swap_remove(0)
}

/// `SOURCE_DATE_EPOCH`, else the volume's date, else its newest article's, else the epoch.
fn book_date(
    epoch: Option<i64>,
    configured: Option<&toml::value::Datetime>,
    chapters: &[Chapter],
) -> DateTime<Utc> {
    if let Some(date) = epoch.and_then(|s| DateTime::from_timestamp(s, 0)) {
        return date;
    }
    let configured = configured.and_then(|d| d.date).and_then(|d| {
        NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
    });
    let newest = chapters
        .iter()
        .filter_map(|c| c.article.date.as_deref())
        .filter_map(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        .max();
    configured
        .or(newest)
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(DateTime::UNIX_EPOCH, |d| d.and_utc())
}

const TEMP_SUFFIX: &str = ".quire-tmp";

/// Writes `bytes` beside `path` and renames it into place, so a failed or
/// killed build never leaves a truncated book nor loses the last good one.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = path.with_file_name(format!(".{name}.{}{TEMP_SUFFIX}", std::process::id()));
    let write = || -> std::io::Result<()> {
        let mut file = fs::File::create(&temp)?;
        std::io::Write::write_all(&mut file, bytes)?;
        file.sync_all()?;
        fs::rename(&temp, path)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&temp);
        Error::io("write", path, e)
    })
}

/// Holds the output folder for this build (an advisory lock on the folder
/// itself, so nothing is left in it): a second quire building into the same
/// folder waits, and says so, instead of taking this one's temporary files
/// for stale ones. Where the file system has no locks, builds go unlocked.
fn lock_folder(dir: &Path) -> Result<Option<fs::File>> {
    let folder = fs::File::open(dir).map_err(|e| Error::io("open the folder", dir, e))?;
    match folder.try_lock() {
        Ok(()) => Ok(Some(folder)),
        Err(fs::TryLockError::WouldBlock) => {
            eprintln!(
                "quire: another build is writing into {}; waiting for it to finish",
                dir.display()
            );
            folder
                .lock()
                .map_err(|e| Error::io("lock the folder", dir, e))?;
            Ok(Some(folder))
        }
        Err(fs::TryLockError::Error(_)) => Ok(None),
    }
}

/// Removes temporary files left by a build that was killed.
fn remove_stale_temporaries(dir: &Path) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("read the folder", dir, e))?;
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') && name.ends_with(TEMP_SUFFIX) {
            let path = entry.path();
            fs::remove_file(&path)
                .map_err(|e| Error::io("remove the stale temporary file", &path, e))?;
        }
    }
    Ok(())
}
