//! The EPUB 3 renderer: a [`Book`] → the bytes of an `.epub`.

mod cover;
mod css;
mod package;
pub mod xhtml;

use std::collections::BTreeMap;
use std::path::Path;

use epub_builder::{EpubBuilder, EpubContent, EpubVersion, ReferenceType, TocElement, ZipLibrary};

use crate::assets::{image_kind, load_image};
use crate::book::Lang;
use crate::doc::{plain_text, BlockKind, PageStart};
use crate::error::{Diagnostic, Diagnostics, Location};
use crate::fonts::{self, Face, Fonts, TextStyle};
use crate::volume::{Book, Chapter};
use crate::words::{colophon_lines, Words};
use cover::{draw_cover, CoverText};
use xhtml::{escape, image_refs, page, PageStarts, Source, Writer};

/// Renders `book`; problems in its content come back as diagnostics
/// (errors among them mean the book must not be written).
/// Renders `book` as an EPUB. `print_pages` are the print edition's pages
/// that start in a chapter, by label, in page order: each gets a marker
/// where its text starts, and an entry in the page list.
pub fn render_epub(
    book: &Book,
    fonts: &Fonts,
    print_pages: &[(String, PageStart)],
) -> Result<(Vec<u8>, Diagnostics), Diagnostics> {
    let mut writer = Writer::new(fonts, book.han_in_english);
    writer.vertical = book.vertical;
    let mut problems = Diagnostics::default();
    let words = Words::of(book.lang);
    let lang = book.lang;

    let mut resources: Vec<(String, Vec<u8>, &'static str)> = Vec::new();
    let mut chapters = Vec::new();
    let mut page_list = Vec::new();
    for (i, chapter) in book.chapters.iter().enumerate() {
        let href = format!("chapter-{:02}.xhtml", i + 1);
        writer.images = collect_images(book, chapter, &mut resources, &mut problems);
        writer.page_starts = PageStarts::new(
            print_pages
                .iter()
                .filter(|(_, start)| start.chapter == i)
                .map(|(label, start)| (label.clone(), start.at)),
        );
        for version in std::iter::once(chapter).chain(chapter.translation.as_deref()) {
            for warning in version.doc.warnings(&version.article.text) {
                problems.push(warning);
            }
        }
        let source = Source {
            path: &chapter.article.path,
            text: &chapter.article.text,
        };
        let body = match &chapter.translation {
            None => writer.chapter(&chapter.doc, &source, &chapter.title),
            Some(translation) => {
                let zh_source = Source {
                    path: &translation.article.path,
                    text: &translation.article.text,
                };
                let (body, matched) = writer.bilingual_chapter(
                    (&chapter.doc, &source, &chapter.title),
                    (&translation.doc, &zh_source, &translation.title),
                );
                if !matched {
                    problems.push(crate::doc::structure_warning(
                        &chapter.article.id,
                        &chapter.article.path,
                        &translation.article.path,
                    ));
                }
                body
            }
        };
        let xhtml = page(chapter.doc.lang, &chapter.title, "chapter", &body);
        let written = std::mem::take(&mut writer.page_starts.written);
        page_list.extend(written.into_iter().map(|label| (href.clone(), label)));
        chapters.push((href, xhtml));
    }

    let heading = TextStyle {
        bold: true,
        ..TextStyle::default()
    };
    writer.base = lang;
    let title_page = {
        let mut body = String::from("<section class=\"title-page\" epub:type=\"titlepage\">\n");
        body += &format!(
            "<p class=\"volume-title\">{}</p>\n",
            writer.text(&book.title, lang, heading)
        );
        if let Some(subtitle) = &book.subtitle {
            body += &format!(
                "<p class=\"subtitle\">{}</p>\n",
                writer.text(subtitle, lang, TextStyle::default())
            );
        }
        body += &format!(
            "<p class=\"author\">{}</p>\n</section>\n",
            writer.text(&book.author, lang, TextStyle::default())
        );
        page(lang, &book.title, "front", &body)
    };
    // Navigation labels are set in the nav document with the book's fonts too.
    writer.use_text(words.contents, lang, heading, None);
    for chapter in &book.chapters {
        writer.use_text(&chapter.title, chapter.doc.lang, TextStyle::default(), None);
        for (_, label, _) in sections(chapter) {
            writer.use_text(&label, chapter.doc.lang, TextStyle::default(), None);
        }
    }
    writer.use_text(words.cover, lang, TextStyle::default(), None);
    writer.use_text(words.title_page, lang, TextStyle::default(), None);
    writer.use_text(words.colophon, lang, TextStyle::default(), None);
    // Last, so it can name the faces the book uses.
    let colophon = {
        let mut families: Vec<String> = writer
            .usage
            .chars
            .keys()
            .map(|&f| fonts.file(f).family.clone())
            .collect();
        families.sort();
        families.dedup();
        let lines = colophon_lines(book, &families, &words);
        let mut body = String::from(
            "<section class=\"colophon\" epub:type=\"colophon\" role=\"doc-colophon\">\n",
        );
        for line in &lines {
            body += &format!("<p>{}</p>\n", writer.text(line, lang, TextStyle::default()));
        }
        body += "</section>\n";
        page(lang, words.colophon, "back", &body)
    };
    writer.usage.add_spaces(fonts);

    let cover = match &book.cover {
        Some(path) => read_cover(path).map_err(|d| [d].into_iter().collect::<Diagnostics>())?,
        None => {
            let title_faces = fonts::chain(lang, heading, lang, book.han_in_english);
            let text_faces = fonts::chain(lang, TextStyle::default(), lang, book.han_in_english);
            let text = CoverText {
                title: &book.title,
                subtitle: book.subtitle.as_deref(),
                author: &book.author,
                title_faces: &title_faces,
                text_faces: &text_faces,
                colors: book.cover_colors(),
            };
            let png = draw_cover(fonts, &text)
                .map_err(|e| fail(format!("could not draw the cover: {e}")))?;
            (png, "image/png", "png")
        }
    };

    let mut embedded = Vec::new();
    // Fonts go into the archive after epub-builder, which would compress
    // them at level 6 (see `package::normalize`); it gets empty stand-ins.
    let mut font_files: Vec<(String, Vec<u8>, &'static str)> = Vec::new();
    // Subset in parallel: following a CJK face's layout takes milliseconds.
    let subsets: Vec<Result<Vec<u8>, Diagnostics>> = {
        use rayon::prelude::*;
        let usage: Vec<_> = writer.usage.chars.iter().collect();
        usage
            .par_iter()
            .map(|(face, chars)| {
                let file = fonts.file(**face);
                fonts::subset(file, chars)
                    .map_err(|e| fail(format!("could not subset the font {}: {e}", file.name)))
            })
            .collect()
    };
    for ((face, _), data) in writer.usage.chars.iter().zip(subsets) {
        let data = data?;
        let (ext, mime) = if data.starts_with(b"OTTO") {
            ("otf", "font/otf")
        } else {
            ("ttf", "font/ttf")
        };
        let name = format!("fonts/{}.{ext}", face_file_stem(*face));
        embedded.push((*face, name.clone()));
        font_files.push((name, data, mime));
    }
    let stylesheet = css::stylesheet(&embedded, book.han_in_english, book.vertical);
    problems.extend(std::mem::take(&mut writer.diagnostics));
    if problems.has_errors() {
        return Err(problems);
    }

    let assemble = || -> Result<Vec<u8>, epub_builder::Error> {
        let mut epub = EpubBuilder::new(ZipLibrary::new()?)?;
        epub.epub_version(EpubVersion::V30);
        epub.metadata("title", &book.title)?;
        epub.add_author(&book.author);
        epub.set_lang(lang.tag());
        epub.set_generator("quire");
        epub.set_toc_name(words.contents);
        epub.set_uuid(uuid::Uuid::new_v5(
            &uuid::Uuid::NAMESPACE_URL,
            book.identifier.as_bytes(),
        ));
        epub.set_modified_date(book.date);
        epub.set_publication_date(book.date);
        if let Some(description) = &book.description {
            epub.metadata("description", description)?;
        }
        for subject in &book.subjects {
            epub.metadata("subject", subject)?;
        }
        if let Some(publisher) = &book.publisher {
            epub.add_metadata_opf(Box::new(epub_builder::MetadataOpfV3::new(
                "dc:publisher".to_string(),
                publisher.clone(),
            )));
        }
        epub.stylesheet(stylesheet.as_bytes())?;
        for (name, data, mime) in &resources {
            epub.add_resource(name, data.as_slice(), *mime)?;
        }
        for (name, _, mime) in &font_files {
            epub.add_resource(name, &[][..], *mime)?;
        }
        let cover_name = format!("cover.{}", cover.2);
        epub.add_cover_image(&cover_name, cover.0.as_slice(), cover.1)?;
        let cover_page = page(
            lang,
            words.cover,
            "cover",
            &format!(
                "<section class=\"cover\" epub:type=\"cover\"><img src=\"{cover_name}\" alt=\"{}\"/></section>\n",
                escape(&book.title)
            ),
        );
        epub.add_content(
            EpubContent::new("cover.xhtml", cover_page.as_bytes())
                .title(words.cover)
                .reftype(ReferenceType::Cover),
        )?;
        epub.add_content(
            EpubContent::new("title.xhtml", title_page.as_bytes())
                .title(words.title_page)
                .reftype(ReferenceType::TitlePage),
        )?;
        for (i, ((href, xhtml), chapter)) in chapters.iter().zip(&book.chapters).enumerate() {
            let mut content =
                EpubContent::new(href.as_str(), xhtml.as_bytes()).title(&chapter.title);
            if i == 0 {
                content = content.reftype(ReferenceType::Text);
            }
            for element in toc_children(href, chapter) {
                content = content.child(element);
            }
            epub.add_content(content)?;
        }
        epub.add_content(
            EpubContent::new("colophon.xhtml", colophon.as_bytes())
                .title(words.colophon)
                .reftype(ReferenceType::Colophon),
        )?;
        let mut bytes = Vec::new();
        epub.generate(&mut bytes)?;
        Ok(bytes)
    };
    let raw = assemble().map_err(|e| fail(format!("could not assemble the EPUB: {e}")))?;
    let fonts_in: Vec<(String, &[u8])> = font_files
        .iter()
        .map(|(name, data, _)| (format!("OEBPS/{name}"), data.as_slice()))
        .collect();
    let alt_text = every_image_has_alt_text(book);
    let nav = |bytes| patch_nav(bytes, lang, &page_list);
    let print_source = (!page_list.is_empty()).then(|| words.print_edition(&book.title));
    let opf = |bytes| {
        let bytes = patch_package(
            bytes,
            lang,
            alt_text,
            book.isbn.as_deref(),
            print_source.as_deref(),
        );
        if book.vertical {
            vertical_package(bytes)
        } else {
            bytes
        }
    };
    let epub = package::normalize(
        &raw,
        &[("OEBPS/nav.xhtml", &nav), ("OEBPS/content.opf", &opf)],
        &fonts_in,
    )
    .map_err(|e| fail(format!("could not write the EPUB archive: {e}")))?;
    Ok((epub, problems))
}

fn fail(message: String) -> Diagnostics {
    [Diagnostic::error(None, message)].into_iter().collect()
}

/// epub-builder writes the navigation document without a language or a
/// page list: add the edition's language, and the print pages (href, label).
fn patch_nav(bytes: Vec<u8>, lang: Lang, page_list: &[(String, String)]) -> Vec<u8> {
    let text = String::from_utf8_lossy(&bytes);
    let mut pages = String::new();
    if !page_list.is_empty() {
        pages += "<nav epub:type=\"page-list\" role=\"doc-pagelist\" hidden=\"hidden\">\n<ol>\n";
        for (href, label) in page_list {
            let label = escape(label);
            pages += &format!("<li><a href=\"{href}#page-{label}\">{label}</a></li>\n");
        }
        pages += "</ol>\n</nav>\n";
    }
    let tag = "xmlns:epub=\"http://www.idpf.org/2007/ops\"";
    // Landmarks are for reading systems, not for reading.
    text.replacen(tag, &format!("{tag} {}", xhtml::lang_attrs(lang)), 1)
        .replacen(
            "<nav epub:type = \"landmarks\">",
            "<nav epub:type=\"landmarks\" hidden=\"hidden\">",
            1,
        )
        .replacen(
            "<nav epub:type = \"toc\"",
            "<nav epub:type=\"toc\" role=\"doc-toc\"",
            1,
        )
        .replacen("</body>", &format!("{pages}</body>"), 1)
        .into_bytes()
}

/// epub-builder writes the package without a language or accessibility
/// metadata: add the edition's language, its ISBN if it has one, and what is
/// true of every book quire makes (EPUB Accessibility 1.1, schema.org terms).
fn patch_package(
    bytes: Vec<u8>,
    lang: Lang,
    alt_text: bool,
    isbn: Option<&str>,
    print_source: Option<&str>,
) -> Vec<u8> {
    let text = String::from_utf8_lossy(&bytes);
    let mut meta = String::new();
    if let Some(isbn) = isbn {
        meta += &format!("    <dc:identifier id=\"isbn\">urn:isbn:{isbn}</dc:identifier>\n");
    }
    if let Some(source) = print_source {
        meta += &format!(
            "    <dc:source id=\"print-source\">{}</dc:source>\n    <meta refines=\"#print-source\" property=\"source-of\">pagination</meta>\n",
            escape(source)
        );
    }
    let mut add = |property: &str, value: &str| {
        meta += &format!("    <meta property=\"schema:{property}\">{value}</meta>\n");
    };
    // The cover is a picture; every other image has its text beside it.
    add("accessMode", "textual");
    add("accessMode", "visual");
    add("accessModeSufficient", "textual");
    let mut features = vec![
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ];
    if alt_text {
        features.push("alternativeText");
    }
    if print_source.is_some() {
        features.extend(["pageBreakMarkers", "pageNavigation"]);
    }
    for feature in features {
        add("accessibilityFeature", feature);
    }
    add("accessibilityHazard", "none");
    let mut summary = accessibility_summary(lang).to_owned();
    if print_source.is_some() {
        summary += Words::of(lang).print_pages_marked;
    }
    add("accessibilitySummary", &summary);
    // What quire's books pass (EpubCheck, DAISY Ace and the tests, see the
    // README), unless an image has no text alternative (WCAG 1.1.1).
    if alt_text {
        meta += "    <meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.1 Level AA</meta>\n";
        meta += "    <meta property=\"a11y:certifiedBy\">quire</meta>\n";
    }
    text.replacen(
        "<package version=\"3.0\"",
        &format!("<package version=\"3.0\" xml:lang=\"{}\"", lang.tag()),
        1,
    )
    .replacen("  </metadata>", &format!("{meta}  </metadata>"), 1)
    .into_bytes()
}

/// A vertical book's package: pages turn right to left (the spine's
/// `page-progression-direction`), and Kindle's `primary-writing-mode`.
fn vertical_package(bytes: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&bytes);
    // epub-builder writes `page-progression-direction="ltr"`.
    text.replacen(
        "page-progression-direction=\"ltr\"",
        "page-progression-direction=\"rtl\"",
        1,
    )
    .replacen(
        "  </metadata>",
        "    <meta name=\"primary-writing-mode\" content=\"vertical-rl\"/>\n  </metadata>",
        1,
    )
    .into_bytes()
}

/// What a reader is told of the book's accessibility, in its language.
fn accessibility_summary(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Reflowable text with a table of contents and headings for every chapter and section, in reading order; the language of every passage is marked; images have text alternatives where the author gave one; no hazards.",
        Lang::ZhHant => "可重排的文字，附目錄，每章每節皆有標題，依閱讀順序排列；每段文字皆標明語言；作者提供說明的圖片附有替代文字；無危害。",
        Lang::ZhHans => "可重排的文字，附目录，每章每节皆有标题，依阅读顺序排列；每段文字皆标明语言；作者提供说明的图片附有替代文字；无危害。",
    }
}

/// Whether every image of the book's chapters has a text alternative.
fn every_image_has_alt_text(book: &Book) -> bool {
    let mut all = true;
    for chapter in &book.chapters {
        for version in std::iter::once(chapter).chain(chapter.translation.as_deref()) {
            let source = &version.article.text;
            version.doc.for_each_inlines(&mut |inlines| {
                all &= crate::doc::images_have_alt(inlines, source);
            });
        }
    }
    all
}

fn face_file_stem(face: Face) -> &'static str {
    match face {
        Face::SerifHant => "serif-tc",
        Face::SerifHans => "serif-sc",
        Face::HeadingHant => "sans-tc-bold",
        Face::HeadingHans => "sans-sc-bold",
        Face::Latin => "latin",
        Face::LatinItalic => "latin-italic",
        Face::LatinBold => "latin-bold",
        Face::LatinBoldItalic => "latin-bold-italic",
        Face::Mono => "mono",
        Face::Symbols => "symbols",
    }
}

/// A chapter's level-2 and level-3 headings: (level, text, id).
fn sections(chapter: &Chapter) -> Vec<(u8, String, String)> {
    let top = chapter
        .doc
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { level, .. } => Some(*level),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    chapter
        .doc
        .blocks
        .iter()
        .filter_map(|b| match &b.kind {
            BlockKind::Heading { level, id, content } if *level <= top + 1 => {
                Some((level - top, plain_text(content), id.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Nested TOC entries for a chapter's sections.
fn toc_children(href: &str, chapter: &Chapter) -> Vec<TocElement> {
    let mut entries: Vec<TocElement> = Vec::new();
    for (depth, label, id) in sections(chapter) {
        // An empty heading (`### ###`) has nothing to list, and an entry
        // without a label leaves an empty list in the navigation document.
        if label.trim().is_empty() {
            continue;
        }
        let element = TocElement::new(format!("{href}#{id}"), label);
        match (depth, entries.last_mut()) {
            (1, Some(parent)) => *parent = parent.clone().child(element),
            _ => entries.push(element),
        }
    }
    entries
}

/// Finds, checks and reads a chapter's images; returns URL → name in the EPUB.
fn collect_images(
    book: &Book,
    chapter: &Chapter,
    resources: &mut Vec<(String, Vec<u8>, &'static str)>,
    problems: &mut Diagnostics,
) -> BTreeMap<String, String> {
    let mut names = BTreeMap::new();
    let article = chapter.article;
    for image in image_refs(&chapter.doc) {
        let location = Location::in_text(&article.path, &article.text, image.offset);
        match load_image(&book.library_root, &article.path, &image.url) {
            Ok(file) => {
                let name = format!(
                    "images/{}-{}.{}",
                    article.id,
                    resources.len() + 1,
                    file.extension
                );
                names.insert(image.url.clone(), name.clone());
                resources.push((name, file.bytes, file.mime));
            }
            Err(message) => problems.push(
                Diagnostic::error(
                    Some(location),
                    format!("image `{}`: {message}", crate::text::excerpt(&image.url)),
                )
                .hint("images are PNG or JPEG files inside the library, linked by a relative path"),
            ),
        }
    }
    names
}

fn read_cover(path: &Path) -> Result<(Vec<u8>, &'static str, &'static str), Diagnostic> {
    let bytes = crate::error::read_file(path, crate::assets::MAX_FILE_BYTES).map_err(|e| {
        Diagnostic::error(
            Some(Location::file(path)),
            format!("cannot read the cover image: {e}"),
        )
        .hint("fix the `cover` path of the volume, or remove it to draw a cover")
    })?;
    let (mime, ext) = image_kind(&bytes)
        .map_err(|e| Diagnostic::error(Some(Location::file(path)), format!("the cover is {e}")))?;
    image::load_from_memory(&bytes).map_err(|e| {
        Diagnostic::error(
            Some(Location::file(path)),
            format!("the cover image is damaged: {e}"),
        )
    })?;
    Ok((bytes, mime, ext))
}
