//! The typesetter: a book's document models → pages of frames, for the PDF
//! writer. It never writes PDF.
//!
//! Stages: [`paragraph`] sets a paragraph into lines (shaping, clreq line
//! breaking, Knuth–Plass); `layout` sets each block of a chapter; `paginate`
//! fills pages on a baseline grid; `front` adds the front matter, contents,
//! running heads and folios.

mod barcode;
mod cover;
pub mod frame;
mod front;
mod layout;
mod paginate;
pub mod paragraph;
mod stand;
mod structure;
mod theme;
mod turn;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use crate::error::Diagnostics;
use crate::fonts::Fonts;
use crate::volume::Book;
use crate::words::{colophon_lines, Words};
pub use barcode::digits as ean13_digits;
pub use cover::{typeset_cover, CoverContent, Sheet, SPINE_TEXT_PAGES};
use frame::Role;
use frame::{Item, LabelRange, LabelStyle, OutlineItem, Pages};
pub use front::roman;
use front::{contents_pages, fill_contents, front_pages, running_heads, FrontMatter, Lines};
use layout::{bilingual_chapter, Drawn, Layout};
use paginate::{PageKind, Paginator};
use paragraph::ShapingFonts;
use stand::Upright;
use structure::{Structure, DOCUMENT};
pub use theme::{gutter, Length, PageSize, Theme};

/// Typesets `book` with `theme`: front matter, contents, chapters.
pub fn typeset<'b>(book: &'b Book<'b>, theme: &'b Theme, fonts: &'b Fonts) -> (Pages, Diagnostics) {
    // A vertical book's lines are set on the page turned a quarter, and
    // turned back when its pages are done.
    let (shaping, turned, horizontal);
    let (page_theme, theme) = if book.vertical {
        shaping = ShapingFonts::vertical(fonts);
        horizontal = Some(ShapingFonts::new(fonts));
        turned = theme.turned();
        (theme.bound_right(), &turned)
    } else {
        shaping = ShapingFonts::new(fonts);
        horizontal = None;
        (theme.clone(), theme)
    };
    // Its tables and code stay horizontal, set for the printed page.
    let upright = (horizontal.as_ref()).map(|fonts| Upright {
        fonts,
        theme: &page_theme,
    });
    let lang = book.lang;
    let words = Words::of(lang);
    // The front matter's sections come first in reading order, though
    // they are set after the chapters (the colophon names their fonts).
    let structure = Structure::default();
    let title_section = structure.add(Role::Sect, DOCUMENT);
    let contents_section = structure.add(Role::Sect, DOCUMENT);
    let lines = Lines {
        fonts: &shaping,
        theme,
        lang,
        han_in_english: book.han_in_english,
        structure: structure.clone(),
    };

    let mut diagnostics = Diagnostics::default();
    let mut layouts = Vec::new();
    for (i, chapter) in book.chapters.iter().enumerate() {
        let layout = |chapter: &'b crate::volume::Chapter<'b>| {
            let article = chapter.article;
            let mut layout = Layout::new(
                &shaping,
                theme,
                book.han_in_english,
                &article.path,
                &article.text,
                &book.library_root,
                i,
                chapter.doc.lang,
            );
            layout.structure = structure.clone();
            layout.upright = upright;
            layout
        };
        let (layout, found) = match &chapter.translation {
            None => layout(chapter).chapter(&chapter.doc, &chapter.title),
            Some(translation) => {
                let columns = book.bilingual_layout == crate::config::BilingualLayout::Columns;
                let (layout, mut found, matched) = bilingual_chapter(
                    layout(chapter),
                    layout(translation),
                    (&chapter.doc, &chapter.title),
                    (&translation.doc, &translation.title),
                    columns,
                );
                if !matched {
                    found.push(crate::doc::structure_warning(
                        &chapter.article.id,
                        &chapter.article.path,
                        &translation.article.path,
                    ));
                }
                (layout, found)
            }
        };
        diagnostics.extend(found);
        for version in std::iter::once(chapter).chain(chapter.translation.as_deref()) {
            for warning in version.doc.warnings(&version.article.text) {
                diagnostics.push(warning);
            }
        }
        layouts.push(layout);
    }

    let mut faces = BTreeSet::new();
    for layout in &layouts {
        let placed = layout.title.iter().chain(
            layout
                .chunks
                .iter()
                .flat_map(|c| c.lines.iter().chain(&c.header)),
        );
        for line in placed {
            for drawn in &line.drawn {
                if let Drawn::Runs(runs) = drawn {
                    faces.extend(runs.iter().map(|r| r.face));
                }
            }
        }
    }
    let mut families: Vec<String> = faces
        .iter()
        .map(|&f| fonts.file(f).family.clone())
        .collect();
    families.dedup();
    let colophon = colophon_lines(book, &families, &words);
    let front = FrontMatter {
        title: &book.title,
        subtitle: book.subtitle.as_deref(),
        author: &book.author,
        colophon: &colophon,
    };
    let mut pages = front_pages(&lines, &front, title_section);
    let entries: Vec<(usize, String, usize)> = book
        .chapters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            // A bilingual chapter is listed by both its titles.
            let title = match &c.translation {
                Some(translation) => format!("{}\n{}", c.title, translation.title),
                None => c.title.clone(),
            };
            (0, title, i)
        })
        .collect();
    let toc = contents_pages(
        &lines,
        words.contents,
        &entries,
        &mut pages,
        contents_section,
    );

    let mut paginator = Paginator::new(theme, pages);
    let mut footnotes = BTreeMap::new();
    let mut sections = Vec::new();
    for (i, mut layout) in layouts.into_iter().enumerate() {
        footnotes.insert(i, layout.footnotes.clone());
        sections.push(std::mem::take(&mut layout.sections));
        paginator.chapter(i, layout);
    }
    paginator.finish_footnotes(&footnotes);
    let mut anchors = std::mem::take(&mut paginator.anchors);
    if book.vertical {
        // A page of columns is read from its top: the contents' links and
        // the bookmarks go there.
        anchors.values_mut().for_each(|(_, y)| *y = 0.0);
    }
    let mut pages = paginator.pages;

    let first_chapter = pages
        .iter()
        .position(|p| matches!(p.kind, PageKind::Opening(_)))
        .unwrap_or(pages.len());
    let labels: Vec<String> = (0..pages.len())
        .map(|i| {
            if i < first_chapter {
                roman(i as u32 + 1)
            } else {
                (i - first_chapter + 1).to_string()
            }
        })
        .collect();
    let numbers: Vec<(usize, f32, String)> = (0..book.chapters.len())
        .map(|i| {
            let (page, y) = anchors
                .get(&(i, None))
                .copied()
                .unwrap_or((first_chapter, 0.0));
            (page, y, labels.get(page).cloned().unwrap_or_default())
        })
        .collect();
    fill_contents(&lines, &mut pages, &toc, &numbers);
    let titles: Vec<String> = book.chapters.iter().map(|c| c.title.clone()).collect();
    if let Some(horizontal) = &horizontal {
        for (i, page) in pages.iter_mut().enumerate() {
            turn::turn_page(page, i, theme, &page_theme);
        }
        // Running heads and folios stay horizontal.
        let heads = Lines {
            fonts: horizontal,
            theme: &page_theme,
            ..lines
        };
        running_heads(&heads, &mut pages, &book.title, &titles, &labels);
    } else {
        running_heads(&lines, &mut pages, &book.title, &titles, &labels);
    }

    let outline = book
        .chapters
        .iter()
        .enumerate()
        .filter_map(|(i, chapter)| {
            let &(page, y) = anchors.get(&(i, None))?;
            let children = sections[i]
                .iter()
                .enumerate()
                .filter(|(_, (level, _))| *level <= 2)
                .filter_map(|(s, (_, title))| {
                    let &(page, y) = anchors.get(&(i, Some(s)))?;
                    Some(OutlineItem {
                        title: title.clone(),
                        page,
                        y,
                        children: Vec::new(),
                    })
                })
                .collect();
            Some(OutlineItem {
                title: chapter.title.clone(),
                page,
                y,
                children,
            })
        })
        .collect();
    let mut label_ranges = vec![LabelRange {
        first_page: 0,
        style: LabelStyle::LowerRoman,
        start: 1,
    }];
    if first_chapter < pages.len() {
        label_ranges.push(LabelRange {
            first_page: first_chapter,
            style: LabelStyle::Decimal,
            start: 1,
        });
    }
    let pages = Pages {
        pages: (pages.into_iter())
            .map(|p| p.into_page(&page_theme))
            .collect(),
        outline,
        labels: label_ranges,
        elements: structure.elements(),
        right_to_left: book.vertical,
    };
    (pages, diagnostics)
}

/// The golden-test view of typeset pages: one line per typeset line —
/// page, baseline, left edge, width against the measure, and the text.
pub fn dump(pages: &Pages) -> String {
    let mut out = String::new();
    for (i, page) in pages.pages.iter().enumerate() {
        let _ = writeln!(out, "page {} ({} items)", i + 1, page.items.len());
        for line in &page.lines {
            let _ = writeln!(
                out,
                "  y={:7.2} x={:6.2} w={:6.2}/{:6.2} {}",
                line.y, line.x, line.width, line.measure, line.text
            );
        }
        let images = page
            .items
            .iter()
            .filter(|i| matches!(i, Item::Image { .. }))
            .count();
        if images > 0 {
            let _ = writeln!(out, "  images: {images}");
        }
    }
    out
}
