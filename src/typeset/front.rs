//! Pages around the chapters: half-title, title page, colophon, contents;
//! and what every page carries: running heads and folios.

use super::frame::{ElementId, Item, LinkTarget, Rect, Role, Setting, TextRun};
use super::paginate::{PageBuild, PageKind};
use super::paragraph::{set_paragraph, ParagraphSpec, Piece, ShapingFonts};
use super::structure::Structure;
use super::theme::Theme;
use crate::book::Lang;
use crate::fonts::TextStyle;

/// Sets single lines of text, centred or at a given x.
pub struct Lines<'a> {
    pub fonts: &'a ShapingFonts<'a>,
    pub theme: &'a Theme,
    pub lang: Lang,
    pub han_in_english: Lang,
    /// The book's logical structure.
    pub structure: Structure,
}

impl Lines<'_> {
    /// Shapes `text`: runs at the origin, and the width.
    fn piece<'s>(&self, text: &'s str, size: f32, bold: bool) -> Piece<'s> {
        let style = TextStyle {
            bold,
            ..TextStyle::default()
        };
        Piece {
            text,
            lang: self.lang,
            style,
            size,
            tag: None,
            source: 0,
            node: None,
        }
    }

    pub fn shape(&self, text: &str, size: f32, bold: bool) -> (Vec<TextRun>, f32) {
        let pieces = [self.piece(text, size, bold)];
        self.fonts
            .shape_line(&pieces, self.lang, self.han_in_english)
    }

    /// Draws `text` of `element` (`None`: furniture) with its left end at
    /// `x` on baseline `y`; returns its width.
    #[allow(clippy::too_many_arguments)] // the text, its look, its place
    pub fn at(
        &self,
        page: &mut PageBuild,
        text: &str,
        size: f32,
        bold: bool,
        x: f32,
        y: f32,
        element: Option<ElementId>,
    ) -> f32 {
        let (runs, width) = self.shape(text, size, bold);
        draw_runs(page, runs, x, y, element);
        width
    }

    /// Draws `text`, a new element of `role` in `parent` (or furniture),
    /// centred on the text block of page `index`, broken at the measure;
    /// returns the baseline after the last line.
    #[allow(clippy::too_many_arguments)] // the text, its look, its place, its element
    pub fn centred(
        &self,
        page: &mut PageBuild,
        index: usize,
        text: &str,
        size: f32,
        bold: bool,
        y: f32,
        element: Option<(Role, ElementId)>,
    ) -> f32 {
        let t = self.theme;
        let mut y = y;
        let element = element.map(|(role, parent)| self.structure.add(role, parent));
        for (runs, width) in self.set(text, size, bold, t.measure()) {
            let x = t.left(index) + (t.measure() - width) / 2.0;
            draw_runs(page, runs, x, y, element);
            y += size * 1.4;
        }
        y
    }

    /// Sets `text` ragged-right into lines no wider than `width`, by the
    /// paragraph breaker's rules (kinsoku included): each line's runs and width.
    pub fn set(&self, text: &str, size: f32, bold: bool, width: f32) -> Vec<(Vec<TextRun>, f32)> {
        let pieces = [self.piece(text, size, bold)];
        let spec = ParagraphSpec {
            base: self.lang,
            han_in_english: self.han_in_english,
            measure: width,
            first_indent: 0.0,
            justify: false,
            spread: false,
            hyphenate: false,
        };
        let (lines, _) = set_paragraph(&pieces, &spec, self.fonts);
        lines
            .into_iter()
            .map(|line| (line.runs, line.width))
            .collect()
    }
}

fn draw_runs(page: &mut PageBuild, runs: Vec<TextRun>, x: f32, y: f32, element: Option<ElementId>) {
    for mut run in runs {
        run.x += x;
        run.y += y;
        run.element = element;
        page.items.push(Item::Text(run));
    }
}

/// Title, subtitle, author and the colophon's lines.
pub struct FrontMatter<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub author: &'a str,
    pub colophon: &'a [String],
}

/// Half-title, blank, title page, colophon: pages i–iv. The title page and
/// the colophon are elements of `section`; the half-title is furniture.
pub fn front_pages(lines: &Lines, front: &FrontMatter, section: ElementId) -> Vec<PageBuild> {
    let t = lines.theme;
    let mut pages = Vec::new();

    let mut half_title = PageBuild::new(PageKind::Front);
    lines.centred(
        &mut half_title,
        0,
        front.title,
        t.body_size * 1.5,
        true,
        t.page_height * 0.3,
        None,
    );
    pages.push(half_title);
    pages.push(PageBuild::new(PageKind::Blank));

    let mut title = PageBuild::new(PageKind::Front);
    let y = lines.centred(
        &mut title,
        2,
        front.title,
        t.body_size * 2.2,
        true,
        t.page_height * 0.28,
        Some((Role::H(1), section)),
    );
    if let Some(subtitle) = front.subtitle {
        lines.centred(
            &mut title,
            2,
            subtitle,
            t.body_size * 1.3,
            false,
            y + t.body_size * 1.5,
            Some((Role::P, section)),
        );
    }
    lines.centred(
        &mut title,
        2,
        front.author,
        t.body_size * 1.2,
        false,
        t.page_height * 0.62,
        Some((Role::P, section)),
    );
    pages.push(title);

    let mut colophon = PageBuild::new(PageKind::Front);
    let size = t.small_size;
    let mut y = t.page_height - t.bottom - front.colophon.len() as f32 * size * 2.4;
    for line in front.colophon {
        let element = lines.structure.add(Role::P, section);
        for (runs, _) in lines.set(line, size, false, t.measure()) {
            draw_runs(&mut colophon, runs, t.left(3), y, Some(element));
            y += size * 1.5;
        }
        y += size * 0.6;
    }
    pages.push(colophon);
    pages
}

/// A contents entry, placed: where its page number goes.
pub struct TocEntry {
    pub page: usize,
    /// The entry's link among the page's items, pointed at its chapter once set.
    pub link: usize,
    pub y: f32,
    /// Right end of the title's last line.
    pub title_end: f32,
    pub indent: f32,
    /// Its TOCI element: the page number is its text too.
    pub element: ElementId,
}

/// Sets the contents from the next recto page: `entries` are (depth,
/// title, target). Its heading and its TOC are elements of `section`.
pub fn contents_pages(
    lines: &Lines,
    heading: &str,
    entries: &[(usize, String, usize)],
    pages: &mut Vec<PageBuild>,
    section: ElementId,
) -> Vec<TocEntry> {
    let t = lines.theme;
    if pages.len() % 2 == 1 {
        pages.push(PageBuild::new(PageKind::Blank));
    }
    let mut page = PageBuild::new(PageKind::Front);
    let mut index = pages.len();
    let mut y = t.top + t.body_size * 1.5;
    lines.at(
        &mut page,
        heading,
        t.body_size * 1.5,
        true,
        t.left(index),
        y,
        Some(lines.structure.add(Role::H(1), section)),
    );
    let toc = lines.structure.add(Role::TOC, section);
    y += t.leading * 2.5;
    let number_room = t.body_size * 3.0;
    let mut placed = Vec::new();
    for (depth, title, target) in entries {
        let indent = *depth as f32 * t.body_size * 1.5;
        let size = if *depth == 0 {
            t.body_size
        } else {
            t.small_size
        };
        // Turnover lines hang an em in; a bilingual chapter's second title
        // starts flush, on a line of its own, in smaller type.
        let hang = t.body_size;
        let measure = t.measure() - indent - hang - number_room;
        let parts: Vec<(Vec<TextRun>, f32, bool)> = title
            .split('\n')
            .enumerate()
            .flat_map(|(n, part)| {
                let size = if n == 0 { size } else { t.small_size };
                at_most_lines(lines, part, size, measure)
                    .into_iter()
                    .enumerate()
                    .map(|(k, (runs, width))| (runs, width, k > 0))
            })
            .collect();
        if y + parts.len() as f32 * t.leading > t.page_height - t.bottom {
            pages.push(std::mem::replace(
                &mut page,
                PageBuild::new(PageKind::Front),
            ));
            index = pages.len();
            y = t.top + t.body_size;
        }
        let mut end = 0.0;
        let first_y = y;
        let item = lines.structure.add(Role::TOCI, toc);
        for (runs, width, turnover) in &parts {
            let x = indent + if *turnover { hang } else { 0.0 };
            end = x + *width;
            draw_runs(&mut page, runs.clone(), t.left(index) + x, y, Some(item));
            y += if *depth == 0 {
                t.leading
            } else {
                t.leading * 0.85
            };
        }
        let height = y - first_y;
        let link = lines.structure.add(Role::Link, item);
        lines.structure.set_alt(link, title.replace('\n', " "));
        let link_index = page.items.len();
        page.items.push(Item::Link {
            rect: Rect {
                x: t.left(index) + indent,
                y: first_y - size,
                width: t.measure() - indent,
                height,
            },
            target: LinkTarget::Internal {
                page: *target,
                y: 0.0,
            },
            element: Some(link),
        });
        placed.push(TocEntry {
            page: index,
            link: link_index,
            y: y - if *depth == 0 {
                t.leading
            } else {
                t.leading * 0.85
            },
            title_end: t.left(index) + end,
            indent,
            element: item,
        });
    }
    pages.push(page);
    placed
}

/// A contents entry is at most this many lines: a longer title is cut.
const ENTRY_LINES: usize = 4;

/// `text` set in lines of `measure`, at most [`ENTRY_LINES`] of them: a
/// longer text is cut where that many still hold it and an ellipsis.
fn at_most_lines(lines: &Lines, text: &str, size: f32, measure: f32) -> Vec<(Vec<TextRun>, f32)> {
    // No glyph is narrower than a fifth of an em.
    let most = ENTRY_LINES * (measure / (size * 0.2)) as usize;
    if text.chars().nth(most).is_none() {
        let set = lines.set(text, size, false, measure);
        if set.len() <= ENTRY_LINES {
            return set;
        }
    }
    let chars: Vec<char> = text.chars().take(most).collect();
    cut_to_fit(
        &chars,
        |text| lines.set(&text, size, false, measure),
        |set| set.len() <= ENTRY_LINES,
    )
}

/// Writes page numbers with dot leaders into the contents, once the chapters are set.
pub fn fill_contents(
    lines: &Lines,
    pages: &mut [PageBuild],
    entries: &[TocEntry],
    numbers: &[(usize, f32, String)],
) {
    let t = lines.theme;
    for (entry, (target_page, target_y, label)) in entries.iter().zip(numbers) {
        let size = if entry.indent == 0.0 {
            t.body_size
        } else {
            t.small_size
        };
        let page = &mut pages[entry.page];
        let right = t.left(entry.page) + t.measure();
        let (mut runs, mut width) = lines.shape(label, size, false);
        if lines.fonts.vertical && label.len() <= 3 && label.chars().all(|c| c.is_ascii_digit()) {
            // Across the column in one em (縱中橫), as numbers in the text.
            for run in &mut runs {
                run.setting = Setting::Across(width);
            }
            width = size;
        }
        draw_runs(page, runs, right - width, entry.y, Some(entry.element));
        // Dot leaders on a fixed pitch, so they line up from entry to entry.
        let pitch = size * 0.6;
        let (mut dot, dot_width) = lines.shape(".", size, false);
        if lines.fonts.vertical {
            // Centred in the column, as the page numbers are.
            for run in &mut dot {
                run.setting = Setting::Across(dot_width);
            }
        }
        let mut x = ((entry.title_end + size * 0.5) / pitch).ceil() * pitch;
        // A dot across a column is centred in an em down it.
        let end = right - width - if lines.fonts.vertical { 1.5 } else { 0.5 } * size;
        while x < end {
            for run in &dot {
                let mut run = run.clone();
                run.x += x;
                run.y += entry.y;
                page.items.push(Item::Text(run));
            }
            x += pitch;
        }
        // Point the entry's link at the chapter's first page.
        if let Some(Item::Link { target, .. }) = page.items.get_mut(entry.link) {
            *target = LinkTarget::Internal {
                page: *target_page,
                y: *target_y,
            };
        }
    }
}

/// Running heads (book title on versos, chapter title on rectos) and folios,
/// except on blank pages and chapter openings (folio only).
pub fn running_heads(
    lines: &Lines,
    pages: &mut [PageBuild],
    book_title: &str,
    chapter_titles: &[String],
    labels: &[String],
) {
    let t = lines.theme;
    let size = t.small_size;
    for (index, page) in pages.iter_mut().enumerate() {
        let head = match page.kind {
            PageKind::Body(_) if index % 2 == 1 => Some(book_title),
            PageKind::Body(chapter) => chapter_titles.get(chapter).map(String::as_str),
            _ => None,
        };
        if let Some(head) = head {
            let (head, width) = one_line(lines, head, size, t.measure());
            let y = t.top - t.leading * 1.2;
            lines.at(
                page,
                &head,
                size,
                false,
                t.left(index) + (t.measure() - width) / 2.0,
                y,
                None,
            );
        }
        if matches!(page.kind, PageKind::Body(_) | PageKind::Opening(_))
            || (page.kind == PageKind::Front && index >= 4)
        {
            let label = &labels[index];
            let (_, width) = lines.shape(label, size, false);
            let y = t.page_height - t.bottom + t.leading * 1.8;
            lines.at(
                page,
                label,
                size,
                false,
                t.left(index) + (t.measure() - width) / 2.0,
                y,
                None,
            );
        }
    }
}

/// `text` on one line of at most `measure`: whole if it fits, else cut
/// with an ellipsis (a running head of a long title); and its width.
fn one_line(lines: &Lines, text: &str, size: f32, measure: f32) -> (String, f32) {
    // No glyph is narrower than a fifth of an em: more characters than
    // that never fit, so a title of a megabyte is not shaped whole.
    let most = (measure / (size * 0.2)) as usize;
    if text.chars().nth(most).is_none() {
        let (_, width) = lines.shape(text, size, false);
        if width <= measure {
            return (text.to_owned(), width);
        }
    }
    let chars: Vec<char> = text.chars().take(most).collect();
    let text = cut_to_fit(
        &chars,
        |text| text,
        |text| lines.shape(text, size, false).1 <= measure,
    );
    let width = lines.shape(&text, size, false).1;
    (text, width)
}

/// The longest start of `chars` that, with an ellipsis after it, `fits`
/// once `set`: what `set` makes of it.
fn cut_to_fit<T>(chars: &[char], set: impl Fn(String) -> T, fits: impl Fn(&T) -> bool) -> T {
    let cut = |mut n: usize| {
        // Not inside a word of a spaced script, where there is a space before.
        let letter = |c: &char| c.is_alphanumeric() && !crate::text::is_han(*c);
        if n > 0 && chars.get(n).is_some_and(letter) && letter(&chars[n - 1]) {
            n = chars[..n]
                .iter()
                .rposition(|c| c.is_whitespace())
                .unwrap_or(n);
        }
        let mut text: String = chars[..n].iter().collect::<String>().trim_end().to_owned();
        text.push('…');
        set(text)
    };
    let (mut low, mut high) = (0, chars.len());
    while low < high {
        let mid = (low + high).div_ceil(2);
        if fits(&cut(mid)) {
            low = mid;
        } else {
            high = mid - 1;
        }
    }
    cut(low)
}

/// Roman numerals for front-matter folios.
pub fn roman(mut n: u32) -> String {
    const NUMERALS: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut out = String::new();
    for (value, numeral) in NUMERALS {
        while n >= value {
            out.push_str(numeral);
            n -= value;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roman_numerals() {
        assert_eq!(roman(1), "i");
        assert_eq!(roman(4), "iv");
        assert_eq!(roman(9), "ix");
        assert_eq!(roman(14), "xiv");
    }
}
