//! Chunks → pages: the baseline grid, widows and orphans, headings kept with
//! what follows, tables' header rows repeated, footnotes at the foot of the
//! page that references them.

use std::collections::BTreeMap;

use super::frame::{Item, LineRecord, LinkTarget, Page, Rect};
use super::layout::{Anchor, ChapterLayout, Chunk, Drawn, Placed};
use super::theme::Theme;
use crate::doc::{PageStart, TextAt};

/// What kind of page, for running heads and folios.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    Front,
    Blank,
    /// The first page of chapter `n`: no running head.
    Opening(usize),
    Body(usize),
}

/// A page being filled.
#[derive(Debug)]
pub struct PageBuild {
    pub kind: PageKind,
    pub items: Vec<Item>,
    pub lines: Vec<LineRecord>,
    /// The last baseline placed; `None` while the page is empty.
    cursor: Option<f32>,
    footnotes: Vec<usize>,
    foot_height: f32,
    /// Links from footnote marks: item index and footnote number.
    footnote_links: Vec<(usize, usize)>,
    /// The first character of text placed on the page.
    start: Option<TextAt>,
}

impl PageBuild {
    pub fn new(kind: PageKind) -> PageBuild {
        PageBuild {
            kind,
            items: Vec::new(),
            lines: Vec::new(),
            cursor: None,
            footnotes: Vec::new(),
            foot_height: 0.0,
            footnote_links: Vec::new(),
            start: None,
        }
    }

    pub fn into_page(self, theme: &Theme) -> Page {
        let start = match self.kind {
            PageKind::Opening(chapter) => Some(PageStart { chapter, at: None }),
            PageKind::Body(chapter) => self.start.map(|at| PageStart {
                chapter,
                at: Some(at),
            }),
            _ => None,
        };
        Page {
            start,
            width: theme.page_width,
            height: theme.page_height,
            items: self.items,
            lines: self.lines,
        }
    }
}

/// Fills pages with chapters.
pub struct Paginator<'a> {
    pub theme: &'a Theme,
    pub pages: Vec<PageBuild>,
    /// Where each heading landed: page index and baseline.
    pub anchors: BTreeMap<(usize, Option<usize>), (usize, f32)>,
    chapter: usize,
    footnotes: BTreeMap<usize, Vec<Placed>>,
    /// Pages set a line shorter than they first were (where their text must
    /// end), so that a chapter's last page is not nearly empty.
    short: BTreeMap<usize, f32>,
}

/// A chapter's last page with less text than this many lines takes a line
/// from each page of the spread before (and from the verso facing it).
const FEWEST_LAST_LINES: f32 = 5.0;

impl<'a> Paginator<'a> {
    pub fn new(theme: &'a Theme, pages: Vec<PageBuild>) -> Paginator<'a> {
        Paginator {
            theme,
            pages,
            anchors: BTreeMap::new(),
            chapter: 0,
            footnotes: BTreeMap::new(),
            short: BTreeMap::new(),
        }
    }

    /// Starts a new page, on a recto if `recto` (a blank verso is added if needed).
    pub fn new_page(&mut self, kind: PageKind, recto: bool) {
        if recto && self.pages.len() % 2 == 1 {
            self.pages.push(PageBuild::new(PageKind::Blank));
        }
        self.pages.push(PageBuild::new(kind));
    }

    /// Sets a chapter from a new page (a recto for the first chapter, or
    /// if the theme says so). If its last page would hold less than
    /// [`FEWEST_LAST_LINES`], the spread before gives it a line a page.
    pub fn chapter(&mut self, index: usize, mut layout: ChapterLayout) {
        self.chapter = index;
        self.footnotes = std::mem::take(&mut layout.footnotes);
        let start = self.pages.len();
        self.set_chapter(index, &layout);
        let last = self.pages.len() - 1;
        let opening = (start..=last)
            .find(|&i| self.pages[i].kind == PageKind::Opening(index))
            .unwrap_or(start);
        let fill = self.fill(last);
        if fill >= FEWEST_LAST_LINES || last == opening {
            return;
        }
        // The spread before the last page's (a verso has an odd index), and
        // the verso facing a last recto, each a line short.
        let spread = if last % 2 == 1 {
            last - 2..last
        } else {
            last.saturating_sub(3)..last
        };
        let short: Vec<usize> = spread.filter(|&i| i >= opening).collect();
        if short.is_empty() {
            return;
        }
        let count = self.pages.len();
        let t = self.theme;
        for &i in &short {
            let page = &self.pages[i];
            let end = page.cursor.unwrap_or(t.top) + page.foot_height;
            self.short.insert(i, end - t.leading + t.body_size * 0.5);
        }
        let first: Vec<PageBuild> = self.pages.drain(start..).collect();
        // The second setting places the same anchors again, over these.
        let first_anchors: Vec<_> = self
            .anchors
            .range((index, None)..)
            .take_while(|((chapter, _), _)| *chapter == index)
            .map(|(key, at)| (*key, *at))
            .collect();
        self.set_chapter(index, &layout);
        let better = self.pages.len() == count && self.fill(self.pages.len() - 1) > fill;
        if !better {
            for i in &short {
                self.short.remove(i);
            }
            self.pages.truncate(start);
            self.pages.extend(first);
            self.anchors.extend(first_anchors);
        }
    }

    /// How many lines of text page `index` holds: its baselines (a row of
    /// two columns is one), and its footnotes in lines of body text.
    fn fill(&self, index: usize) -> f32 {
        let page = &self.pages[index];
        let mut baselines: Vec<f32> = page.lines.iter().map(|l| l.y).collect();
        baselines.sort_by(f32::total_cmp);
        baselines.dedup_by(|a, b| (*a - *b).abs() < 0.01);
        baselines.len() as f32 + (page.foot_height / self.theme.leading).round()
    }

    /// Sets a chapter, its title sunk a fifth of the way down its first page.
    fn set_chapter(&mut self, index: usize, layout: &ChapterLayout) {
        let t = self.theme;
        self.new_page(PageKind::Opening(index), index == 0 || t.recto_openings);
        let sink = (t.page_height - t.top - t.bottom) * 0.18;
        self.page().cursor = Some(t.top + sink);
        for line in &layout.title {
            self.place_or_turn(line, 0.0);
        }
        let after = self.page().cursor.unwrap_or(t.top) + t.leading * 1.5;
        self.page().cursor = Some(after);
        for (i, chunk) in layout.chunks.iter().enumerate() {
            let next = layout.chunks.get(i + 1);
            self.chunk(chunk, next);
        }
    }

    fn page(&mut self) -> &mut PageBuild {
        self.pages
            .last_mut()
            .expect("a page is started before anything is placed")
    }

    fn at_top(&self) -> bool {
        self.pages.last().is_none_or(|p| p.cursor.is_none())
    }

    fn continue_on_new_page(&mut self) {
        let chapter = self.chapter;
        self.new_page(PageKind::Body(chapter), false);
    }

    /// The baseline `line` would get on the current page.
    fn baseline(&self, line: &Placed, space_before: f32) -> f32 {
        let t = self.theme;
        let page = self.pages.last().expect("a page");
        let raw = match page.cursor {
            None => t.top + line.above,
            Some(cursor) => cursor + space_before + line.advance,
        };
        self.on_grid(line, raw)
    }

    /// Where a line whose baseline would be at `raw` goes: body lines sit
    /// on the grid (top + size + n × leading), at `raw` or below it.
    fn on_grid(&self, line: &Placed, raw: f32) -> f32 {
        let t = self.theme;
        if (line.advance - t.leading).abs() < 0.01 {
            let first = t.top + t.body_size;
            let steps = ((raw - first) / t.leading - 0.01).ceil().max(0.0);
            first + steps * t.leading
        } else {
            raw
        }
    }

    /// Where the current page's text block ends: higher on a short page.
    fn foot_of_text(&self) -> f32 {
        let t = self.theme;
        let foot = t.page_height - t.bottom;
        self.short
            .get(&(self.pages.len() - 1))
            .map_or(foot, |&end| end.min(foot))
    }

    /// Whether `lines` (after `space_before`) fit on the current page with their footnotes.
    fn fits(&self, lines: &[&Placed], space_before: f32) -> bool {
        let t = self.theme;
        let page = self.pages.last().expect("a page");
        let mut cursor = page.cursor;
        let mut foot = page.foot_height;
        let mut notes = page.footnotes.clone();
        let mut space = space_before;
        for line in lines {
            let raw = self.on_grid(
                line,
                match cursor {
                    None => t.top + line.above,
                    Some(c) => c + space + line.advance,
                },
            );
            space = 0.0;
            for n in self.notes_of(line) {
                if !notes.contains(&n) {
                    notes.push(n);
                    foot += self.footnote_height(n, foot == 0.0);
                }
            }
            if raw + line.depth + foot > self.foot_of_text() + 0.01 {
                return false;
            }
            cursor = Some(raw);
        }
        true
    }

    /// The footnotes a line brings to its page: those it refers to, then
    /// those their text refers to in turn.
    fn notes_of(&self, line: &Placed) -> Vec<usize> {
        super::layout::with_nested_footnotes(line.footnotes.clone(), &self.footnotes)
    }

    fn footnote_height(&self, number: usize, first: bool) -> f32 {
        let t = self.theme;
        let lines: f32 = self
            .footnotes
            .get(&number)
            .map_or(0.0, |l| l.iter().map(|p| p.advance).sum());
        lines + if first { t.small_leading } else { 0.0 }
    }

    fn chunk(&mut self, chunk: &Chunk, next: Option<&Chunk>) {
        if chunk.lines.is_empty() {
            return;
        }
        let space = if self.at_top() {
            0.0
        } else {
            chunk.space_before
        };
        if chunk.keep_with_next {
            // A heading goes with what follows, or to a new page: with its
            // first two lines, or all of it where it would not be split (a
            // short list item, a short quote), and a table's header row.
            let mut group: Vec<&Placed> = chunk.lines.iter().collect();
            if let Some(next) = next {
                let whole = !next.splittable || next.lines.len() < 4;
                let lines = if whole { next.lines.len() } else { 2 };
                group.extend(next.header.iter());
                group.extend(next.lines.iter().take(lines));
            }
            if !self.at_top() && !self.fits(&group, space) {
                self.continue_on_new_page();
            }
            let mut space = if self.at_top() {
                0.0
            } else {
                chunk.space_before
            };
            // A heading longer than a page goes on over the next.
            for line in &chunk.lines {
                self.place_or_turn(line, space);
                space = 0.0;
            }
            return;
        }
        let mut rest: &[Placed] = &chunk.lines;
        let mut space = space;
        let mut first_segment = true;
        while !rest.is_empty() {
            let header = chunk
                .header
                .as_ref()
                .filter(|_| first_segment || self.at_top());
            if let Some(header) = header {
                // The header goes with the rows that must come with it: all
                // of a table that is not split, else two.
                let needed = if !chunk.splittable || rest.len() < 4 {
                    rest.len()
                } else {
                    2
                };
                let with_rows: Vec<&Placed> = std::iter::once(header)
                    .chain(rest.iter().take(needed))
                    .collect();
                if !self.at_top() && !self.fits(&with_rows, space) {
                    self.continue_on_new_page();
                    space = 0.0;
                }
            }
            // A segment that starts a page (its repeated header aside) places
            // at least one line, even one taller than the page: else a table
            // row taller than a page would start new pages forever.
            let fresh = self.at_top();
            match header {
                Some(header) if first_segment => self.place_with_space(header, space),
                Some(header) => {
                    // Repeated, it is not where the page's text starts, nor
                    // text to read again: page furniture.
                    let repeated = Placed {
                        start: None,
                        ..header.clone()
                    }
                    .into_furniture();
                    self.place_with_space(&repeated, space);
                }
                None => {}
            }
            if header.is_some() {
                space = 0.0;
            }
            let fit = self.count_fitting(rest, space);
            let take = if fit >= rest.len() {
                rest.len()
            } else if !chunk.splittable || rest.len() < 4 {
                if fresh {
                    fit.max(1)
                } else {
                    0
                }
            } else {
                // Two lines at least on each side of the break.
                let take = fit.min(rest.len() - 2);
                if take >= 2 {
                    take
                } else if fresh {
                    fit.max(1)
                } else {
                    0
                }
            };
            for line in &rest[..take] {
                self.place_with_space(line, space);
                space = 0.0;
            }
            rest = &rest[take..];
            if !rest.is_empty() {
                self.continue_on_new_page();
                space = 0.0;
            }
            first_segment = false;
        }
    }

    fn count_fitting(&self, lines: &[Placed], space: f32) -> usize {
        let mut group = Vec::new();
        for (i, line) in lines.iter().enumerate() {
            group.push(line);
            if !self.fits(&group, space) {
                return i;
            }
        }
        lines.len()
    }

    fn place_with_space(&mut self, line: &Placed, space: f32) {
        let y = self.baseline(line, space);
        self.draw(line, y);
    }

    /// Places `line`, on a new page if it does not fit on this one.
    fn place_or_turn(&mut self, line: &Placed, space: f32) {
        if self.at_top() || self.fits(&[line], space) {
            self.place_with_space(line, space);
        } else {
            self.continue_on_new_page();
            self.place_with_space(line, 0.0);
        }
    }

    fn draw(&mut self, line: &Placed, y: f32) {
        let page_index = self.pages.len() - 1;
        let left = self.theme.left(page_index);
        if let Some(anchor) = line.anchor {
            let Anchor { chapter, section } = anchor;
            self.anchors
                .insert((chapter, section), (page_index, y - line.advance));
        }
        let new_notes: Vec<usize> = {
            let page = self.pages.last().expect("a page");
            let mut new: Vec<usize> = Vec::new();
            for n in self.notes_of(line) {
                if !page.footnotes.contains(&n) && !new.contains(&n) {
                    new.push(n);
                }
            }
            new
        };
        for n in new_notes {
            let first = self.page().footnotes.is_empty();
            let height = self.footnote_height(n, first);
            let page = self.page();
            page.footnotes.push(n);
            page.foot_height += height;
        }
        let page = self.page();
        page.cursor = Some(y);
        page.start = page.start.or(line.start);
        draw_placed(&mut page.items, &mut page.lines, line, left, y);
        for drawn in &line.drawn {
            if let Drawn::FootnoteLink(r, n, link) = drawn {
                page.footnote_links.push((page.items.len(), *n));
                let rect = r.moved(left, y);
                page.items.push(Item::Link {
                    rect,
                    target: LinkTarget::Internal {
                        page: page_index,
                        y: 0.0,
                    },
                    element: *link,
                });
            }
        }
    }

    /// Draws each page's footnotes at its foot, above the bottom margin.
    pub fn finish_footnotes(&mut self, chapters: &BTreeMap<usize, BTreeMap<usize, Vec<Placed>>>) {
        let t = self.theme;
        for (index, page) in self.pages.iter_mut().enumerate() {
            let chapter = match page.kind {
                PageKind::Opening(c) | PageKind::Body(c) => c,
                _ => continue,
            };
            if page.footnotes.is_empty() {
                continue;
            }
            let Some(notes) = chapters.get(&chapter) else {
                continue;
            };
            let left = t.left(index);
            let mut y = t.page_height - t.bottom - page.foot_height;
            page.items.push(Item::Rule(Rect {
                x: left,
                y: y + t.small_leading * 0.3,
                width: t.measure() * 0.3,
                height: 0.4,
            }));
            y += t.small_leading * 0.3;
            for n in &page.footnotes {
                for &(item, _) in page.footnote_links.iter().filter(|(_, m)| m == n) {
                    if let Some(Item::Link {
                        target: LinkTarget::Internal { y: target, .. },
                        ..
                    }) = page.items.get_mut(item)
                    {
                        *target = y;
                    }
                }
                for line in notes.get(n).into_iter().flatten() {
                    y += line.advance;
                    draw_placed(&mut page.items, &mut page.lines, line, left, y);
                }
            }
        }
    }
}

/// Draws a placed line with its baseline at `y` and the text block's left edge at `left`.
pub fn draw_placed(
    items: &mut Vec<Item>,
    lines: &mut Vec<LineRecord>,
    line: &Placed,
    left: f32,
    y: f32,
) {
    for drawn in &line.drawn {
        match drawn {
            Drawn::Runs(runs) => {
                // The index of the line's first item names it.
                let id = items.len() as u32;
                for run in runs {
                    let mut run = run.clone();
                    run.x += left;
                    run.y += y;
                    run.line = Some(id);
                    items.push(Item::Text(run));
                }
            }
            Drawn::Rule(r) => items.push(Item::Rule(r.moved(left, y))),
            Drawn::Dot(r) => items.push(Item::Dot(r.moved(left, y))),
            Drawn::Image(r, data, figure) => items.push(Item::Image {
                element: *figure,
                rect: r.moved(left, y),
                image: data.clone(),
            }),
            Drawn::Link(r, target, link) => items.push(Item::Link {
                element: *link,
                rect: r.moved(left, y),
                target: target.clone(),
            }),
            // Linked by the paginator, which knows where the note lands.
            Drawn::FootnoteLink(..) => {}
        }
    }
    for (x, text, width, measure) in &line.records {
        lines.push(LineRecord {
            y,
            x: left + x,
            text: text.clone(),
            width: *width,
            measure: *measure,
        });
    }
}
