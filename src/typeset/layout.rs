//! Blocks → chunks: each block of a chapter set into lines and positioned
//! relative to the text block, ready to be paginated.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use super::cover::PRINT_DPI;
use super::frame::{ElementId, ImageData, LinkTarget, Rect, Role, TextRun};
use super::paragraph::{set_paragraph, Line, ParagraphSpec, Piece, ShapingFonts};
use super::stand::{stand, Upright};
use super::structure::{Structure, DOCUMENT};
use super::theme::Theme;
use crate::book::Lang;
use crate::doc::Locator;
use crate::doc::{Alignment, Block, BlockKind, Document, Inline, InlineKind, TextAt, TextNode};
use crate::error::{Diagnostic, Diagnostics};
use crate::fonts::TextStyle;

/// Something drawn relative to the text block's left edge and a baseline.
#[derive(Debug, Clone)]
pub enum Drawn {
    Runs(Vec<TextRun>),
    Rule(Rect),
    /// An emphasis dot.
    Dot(Rect),
    /// An image, with its figure element.
    Image(Rect, Arc<ImageData>, Option<ElementId>),
    /// A link area, with its link element.
    Link(Rect, LinkTarget, Option<ElementId>),
    /// A footnote mark, linked to its note once the page's notes are placed.
    FootnoteLink(Rect, usize, Option<ElementId>),
}

impl Placed {
    /// The line as page furniture: its text and links in no element.
    pub fn into_furniture(mut self) -> Placed {
        for drawn in &mut self.drawn {
            match drawn {
                Drawn::Runs(runs) => tag_runs(runs, None),
                Drawn::Image(_, _, element)
                | Drawn::Link(_, _, element)
                | Drawn::FootnoteLink(_, _, element) => *element = None,
                Drawn::Rule(_) | Drawn::Dot(_) => {}
            }
        }
        self
    }
}

/// One unbreakable line (or row, or image) of a chunk.
#[derive(Debug, Clone, Default)]
pub struct Placed {
    /// From the previous baseline to this one.
    pub advance: f32,
    /// Above the baseline: what a line needs at the top of a page.
    pub above: f32,
    /// Below the baseline: must fit above the text block's foot.
    pub depth: f32,
    pub drawn: Vec<Drawn>,
    /// Footnote numbers referenced on this line.
    pub footnotes: Vec<usize>,
    /// A heading: where the outline and the TOC point.
    pub anchor: Option<Anchor>,
    /// (x, text, width, measure) of each typeset line, for the golden dump.
    pub records: Vec<(f32, String, f32, f32)>,
    /// The first character of the text shown, in the chapter's documents.
    pub start: Option<TextAt>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Anchor {
    pub chapter: usize,
    /// Index of the section heading in the chapter, `None` for the chapter title.
    pub section: Option<usize>,
}

/// A block set into lines.
#[derive(Debug, Clone, Default)]
pub struct Chunk {
    pub lines: Vec<Placed>,
    pub space_before: f32,
    /// Headings: keep with the first two lines of what follows.
    pub keep_with_next: bool,
    /// Paragraphs and lists may break between pages (two lines each side).
    pub splittable: bool,
    /// Repeated at the top of each page the chunk continues on (a table's header row).
    pub header: Option<Placed>,
}

/// A chapter's chunks and its footnotes, each footnote already set.
#[derive(Debug, Default)]
pub struct ChapterLayout {
    pub title: Vec<Placed>,
    pub chunks: Vec<Chunk>,
    pub footnotes: BTreeMap<usize, Vec<Placed>>,
    /// Section headings for the outline and TOC: (level, text).
    pub sections: Vec<(u8, String)>,
}

/// Sets the blocks of one chapter.
pub struct Layout<'a> {
    pub fonts: &'a ShapingFonts<'a>,
    pub theme: &'a Theme,
    pub han_in_english: Lang,
    pub source: &'a std::path::Path,
    pub library_root: &'a std::path::Path,
    pub diagnostics: Diagnostics,
    chapter: usize,
    lang: Lang,
    links: Vec<LinkTarget>,
    sections: Vec<(u8, String)>,
    /// After a heading: the next English paragraph is not indented.
    after_heading: bool,
    /// Characters already reported as covered by no font.
    uncovered: std::collections::BTreeSet<char>,
    /// The width blocks are set to: the text block, or a column of it.
    pub measure: f32,
    /// Setting table cells: narrow and ragged, so hyphenated.
    in_table: bool,
    /// Whether the warning about indents stopped at half the measure was given.
    indent_capped: bool,
    /// How many bulleted lists the current block is in.
    bullet_depth: usize,
    /// Set paragraphs ragged right (still hyphenated), not justified: English
    /// in a bilingual column, too narrow for even word spaces.
    pub ragged: bool,
    /// Never space Chinese characters apart to justify a line: set it solid
    /// and leave it short. Chinese in a bilingual column.
    pub solid: bool,
    /// Setting a paragraph: its images are collected here (URL, source
    /// offset, text alternative), to follow it as figures, instead of set
    /// as their alt text.
    figures: Option<Vec<(String, usize, Option<String>)>>,
    /// The source file's text.
    source_text: &'a str,
    /// Added to footnote numbers, so two documents on one page keep theirs apart.
    pub footnote_offset: usize,
    /// Where in the source a warning points.
    locator: Locator<'a>,
    /// Setting the translation of a bilingual chapter.
    translation: bool,
    /// The book's logical structure, which this layout adds to.
    pub structure: Structure,
    /// The element new elements go in.
    pub parent: ElementId,
    /// The element the text being set belongs to (`None`: decoration).
    element: Option<ElementId>,
    /// Added to Markdown heading levels, so a chapter's top headings are H2.
    heading_shift: i16,
    /// The level of the last heading (1: the title), so none skips a level.
    last_heading: u8,
    /// A vertical book's horizontal setting, for its tables and code.
    pub upright: Option<Upright<'a>>,
}

const BULLET: &str = "•";
/// Bullets of Chinese lists, by depth: geometric shapes that read as
/// bullets, not the small `•` a CJK font draws like the interpunct 間隔號.
const CHINESE_BULLETS: [&str; 4] = ["●", "○", "■", "□"];
/// A table of at most this many rows is not split across pages.
const SHORT_TABLE_ROWS: usize = 8;
/// The narrowest a table column is set, in ems of the table's size.
const MIN_COLUMN_EMS: f32 = 4.0;

impl<'a> Layout<'a> {
    #[allow(clippy::too_many_arguments)] // one per input the layout reads; grouping them would only rename them
    pub fn new(
        fonts: &'a ShapingFonts<'a>,
        theme: &'a Theme,
        han_in_english: Lang,
        source: &'a std::path::Path,
        source_text: &'a str,
        library_root: &'a std::path::Path,
        chapter: usize,
        lang: Lang,
    ) -> Layout<'a> {
        Layout {
            fonts,
            theme,
            han_in_english,
            source,
            library_root,
            diagnostics: Diagnostics::default(),
            chapter,
            lang,
            links: Vec::new(),
            sections: Vec::new(),
            after_heading: true,
            uncovered: std::collections::BTreeSet::new(),
            measure: theme.measure(),
            in_table: false,
            indent_capped: false,
            bullet_depth: 0,
            ragged: false,
            solid: false,
            figures: None,
            footnote_offset: 0,
            locator: Locator::new(source, source_text),
            source_text,
            translation: false,
            structure: Structure::default(),
            parent: DOCUMENT,
            element: None,
            heading_shift: 0,
            last_heading: 1,
            upright: None,
        }
    }

    /// Sets a block a vertical book keeps horizontal (a table, code): in
    /// its horizontal setting, then stood in the flow of its columns.
    fn standing(
        &mut self,
        indent: f32,
        out: &mut Vec<Chunk>,
        set: impl FnOnce(&mut Self, f32, &mut Vec<Chunk>),
    ) {
        let Some(upright) = self.upright else {
            return set(self, indent, out);
        };
        let column = self.measure - indent;
        let turned = (self.fonts, self.theme, self.measure);
        (self.fonts, self.theme) = (upright.fonts, upright.theme);
        self.measure = upright.theme.measure() * super::stand::MEASURE;
        let start = out.len();
        set(self, 0.0, out);
        (self.fonts, self.theme, self.measure) = turned;
        for chunk in &mut out[start..] {
            *chunk = stand(std::mem::take(chunk), indent, column, self.theme);
        }
    }

    /// Adds an element of `role` in the current one.
    fn open(&mut self, role: Role) -> ElementId {
        self.structure.add(role, self.parent)
    }

    /// Runs `f` with `parent` as the element new elements go in.
    fn inside<R>(&mut self, parent: ElementId, f: impl FnOnce(&mut Self) -> R) -> R {
        let saved = std::mem::replace(&mut self.parent, parent);
        let out = f(self);
        self.parent = saved;
        out
    }

    /// Runs `f` to set the text of a new element of `role`.
    fn leaf<R>(&mut self, role: Role, f: impl FnOnce(&mut Self) -> R) -> R {
        let id = self.open(role);
        let saved = self.element.replace(id);
        let out = self.inside(id, f);
        self.element = saved;
        out
    }

    /// The element of the glyph drawn at x on a line: the link there
    /// (`links`: each one's extent and element), else the text being set;
    /// in a stretch of another language than the document's (`langs`, see
    /// [`Line::langs`]), a span in it with that language, made on first use.
    fn inline_elements<'l>(
        &self,
        links: &'l [(f32, f32, Option<ElementId>)],
        langs: &'l [(Option<Lang>, f32)],
    ) -> impl FnMut(f32) -> Option<ElementId> + 'l {
        let (structure, element, lang) = (self.structure.clone(), self.element, self.lang);
        let mut spans: Vec<((usize, ElementId), ElementId)> = Vec::new();
        move |x| {
            let link = links.iter().find(|l| x >= l.0 - 0.01 && x < l.1 - 0.01);
            let base = link.map_or(element, |l| l.2.or(element))?;
            let stretch = langs.iter().rposition(|&(_, from)| from <= x + 0.01);
            let foreign = stretch.and_then(|k| Some((k, langs[k].0.filter(|&l| l != lang)?)));
            let Some((k, foreign)) = foreign else {
                return Some(base);
            };
            if let Some(&(_, span)) = spans.iter().find(|(key, _)| *key == (k, base)) {
                return Some(span);
            }
            let span = structure.add(Role::Span, base);
            structure.set_lang(span, foreign);
            spans.push(((k, base), span));
            Some(span)
        }
    }

    /// The text alternative of an image set as a figure: its alt text; its
    /// file name if it has none; `None` if it is marked decorative.
    fn figure_alt(&self, image: &Inline) -> Option<String> {
        let InlineKind::Image { url, alt, .. } = &image.kind else {
            return None;
        };
        let text = crate::doc::plain_text(alt).trim().to_owned();
        if !text.is_empty() {
            Some(text)
        } else if crate::doc::is_decorative(self.source_text, &image.span) {
            None
        } else {
            Some(url.rsplit('/').next().unwrap_or(url).to_owned())
        }
    }

    /// A link element in the text being set, leading to `alt`.
    fn link_element(&mut self, alt: String) -> Option<ElementId> {
        let text = self.element?;
        let link = self.structure.add(Role::Link, text);
        self.structure.set_alt(link, alt);
        Some(link)
    }

    /// The heading role of a Markdown heading of `level`: as in the EPUB, a
    /// chapter's top headings are H2 (the title is H1), and none is more
    /// than one level below the heading before it.
    fn heading_role(&mut self, level: u8) -> Role {
        let level = (i16::from(level) + self.heading_shift).clamp(2, 6) as u8;
        let level = level.min(self.last_heading + 1);
        self.last_heading = level;
        Role::H(level)
    }

    /// Sets a whole chapter: title, blocks, footnotes.
    pub fn chapter(mut self, doc: &Document, title: &str) -> (ChapterLayout, Diagnostics) {
        let t = self.theme;
        let size = t.body_size * 1.6;
        let sect = self.open(Role::Sect);
        self.parent = sect;
        self.heading_shift = doc.heading_shift();
        let pieces = [self.piece(title, self.lang, bold(), size, 0)];
        let mut title_lines = self.leaf(Role::H(1), |s| {
            s.set(&pieces, s.measure, 0.0, false, size * 1.35)
        });
        if let Some(first) = title_lines.first_mut() {
            first.anchor = Some(Anchor {
                chapter: self.chapter,
                section: None,
            });
        }
        let mut chunks = Vec::new();
        for block in &doc.blocks {
            self.block(block, 0.0, &mut chunks);
        }
        let footnotes = self.footnotes(doc);
        self.unreferenced_footnotes(&footnotes, &mut chunks);
        let layout = ChapterLayout {
            title: title_lines,
            chunks,
            footnotes,
            sections: std::mem::take(&mut self.sections),
        };
        (layout, self.diagnostics)
    }

    fn piece<'s>(
        &self,
        text: &'s str,
        lang: Lang,
        style: TextStyle,
        size: f32,
        source: usize,
    ) -> Piece<'s> {
        Piece {
            text,
            lang,
            style,
            size,
            tag: None,
            source,
            node: None,
        }
    }

    /// Sets pieces into placed lines at `indent`, each line advancing `leading`.
    fn set(
        &mut self,
        pieces: &[Piece],
        measure: f32,
        indent: f32,
        justify: bool,
        leading: f32,
    ) -> Vec<Placed> {
        self.set_spec(pieces, measure, indent, 0.0, justify, leading)
    }

    fn set_spec(
        &mut self,
        pieces: &[Piece],
        measure: f32,
        indent: f32,
        first_indent: f32,
        justify: bool,
        leading: f32,
    ) -> Vec<Placed> {
        if pieces.iter().all(|p| p.text.trim().is_empty()) {
            return Vec::new();
        }
        self.check_coverage(pieces);
        let spec = ParagraphSpec {
            base: self.lang,
            han_in_english: self.han_in_english,
            measure: measure - indent,
            first_indent,
            justify: justify && !self.ragged,
            spread: !self.solid,
            // Only justified text is hyphenated: not headings, titles or
            // table cells (a cell breaks between words, or is widened). In
            // Chinese text only its Latin words are.
            hyphenate: justify && !self.in_table,
        };
        let (lines, overfull) = set_paragraph(pieces, &spec, self.fonts);
        for o in overfull {
            self.diagnostics.push(
                Diagnostic::warning(
                    Some(self.locator.locate(o.source)),
                    format!(
                        "a line cannot be fitted to the measure and was broken inside a word: {}",
                        crate::text::excerpt(&o.text)
                    ),
                )
                .hint("add a space or a break opportunity, or shorten the word or URL"),
            );
        }
        lines
            .into_iter()
            .map(|line| self.place_line(line, indent, leading, spec.measure))
            .collect()
    }

    /// Warns once per chapter about each character no font of its text covers.
    fn check_coverage(&mut self, pieces: &[Piece]) {
        let fonts = self.fonts.fonts();
        for piece in pieces {
            let chain =
                crate::fonts::chain(piece.lang, piece.style, self.lang, self.han_in_english);
            for c in piece.text.chars() {
                if c.is_control() || fonts.pick(&chain, c).is_some() || !self.uncovered.insert(c) {
                    continue;
                }
                let within = 2 * piece.text.len() + 16;
                let location = self.locator.locate_char(piece.source, c, within);
                self.diagnostics
                    .push(crate::fonts::uncovered(Some(location), c, &chain));
            }
        }
    }

    fn place_line(&mut self, line: Line, indent: f32, leading: f32, measure: f32) -> Placed {
        let mut drawn = Vec::new();
        let mut footnotes = Vec::new();
        // Where each link's text is, and its element.
        let mut links = Vec::new();
        for &(tag, x0, x1) in &line.tags {
            let rect = Rect {
                x: indent + x0,
                y: -line.ascent,
                width: x1 - x0,
                height: line.ascent + line.descent,
            };
            match decode_tag(tag) {
                Tag::Link(i) => {
                    if let Some(target) = self.links.get(i).cloned() {
                        let link = self.link_element(match &target {
                            LinkTarget::Uri(uri) => uri.clone(),
                            LinkTarget::Internal { .. } => String::new(),
                        });
                        links.push((x0, x1, link));
                        drawn.push(Drawn::Link(rect, target, link));
                    }
                }
                Tag::Footnote(n) => {
                    footnotes.push(n);
                    let link = self.link_element((n - self.footnote_offset).to_string());
                    links.push((x0, x1, link));
                    drawn.push(Drawn::FootnoteLink(rect, n, link));
                }
            }
        }
        let mut element_at = self.inline_elements(&links, &line.langs);
        let mut runs: Vec<TextRun> = (line.runs.iter())
            .flat_map(|run| split_by_element(run, &mut element_at))
            .map(|mut r| {
                r.x += indent;
                r
            })
            .collect();
        if line.hyphenated {
            let hyphen = break_hyphen(&mut runs);
            runs.extend(hyphen);
        }
        drawn.insert(0, Drawn::Runs(runs));
        drawn.extend(line.dots.iter().map(|d| Drawn::Dot(d.moved(indent, 0.0))));
        Placed {
            advance: leading,
            above: line.ascent,
            depth: line.descent,
            drawn,
            footnotes,
            anchor: None,
            records: vec![(indent, line.text.clone(), line.width, measure)],
            start: line.start.map(|(node, byte)| TextAt {
                translation: self.translation,
                node,
                byte,
            }),
        }
    }

    fn block(&mut self, block: &Block, indent: f32, out: &mut Vec<Chunk>) {
        let t = self.theme;
        match &block.kind {
            BlockKind::Heading { level, content, .. } => {
                let size = match level {
                    1 | 2 => t.body_size * 1.25,
                    3 => t.body_size * 1.1,
                    _ => t.body_size,
                };
                let style = bold();
                let pieces = self.pieces(content, style, size, false);
                let leading = grid_multiple(size * 1.4, t.leading);
                let role = self.heading_role(*level);
                let mut lines = self.leaf(role, |s| {
                    s.set_spec(&pieces, s.measure, indent, 0.0, false, leading)
                });
                // A heading's own lines are set close; the text after it
                // goes back to the grid.
                for line in lines.iter_mut().skip(1) {
                    line.advance = size * 1.3;
                }
                // A heading takes a further grid line and sits in its upper
                // part, leaving room before the text it heads.
                if let Some(first) = lines.first_mut() {
                    first.advance += t.leading;
                }
                for line in &mut lines {
                    raise(line, t.leading * 0.45);
                }
                let text = crate::doc::plain_text(content);
                if *level <= 3 && !lines.is_empty() {
                    self.sections.push((*level, text));
                    lines[0].anchor = Some(Anchor {
                        chapter: self.chapter,
                        section: Some(self.sections.len() - 1),
                    });
                }
                self.after_heading = true;
                out.push(Chunk {
                    lines,
                    space_before: t.leading,
                    keep_with_next: true,
                    ..Chunk::default()
                });
            }
            BlockKind::Paragraph(content) => {
                if let [image @ Inline {
                    kind: InlineKind::Image { url, .. },
                    span,
                }] = content.as_slice()
                {
                    let alt = self.figure_alt(image);
                    out.push(self.figure(url, span.start, indent, alt));
                    return;
                }
                let first_indent = if self.lang.is_chinese() || !self.after_heading {
                    t.body_size * if self.lang.is_chinese() { 2.0 } else { 1.5 }
                } else {
                    0.0
                };
                self.after_heading = false;
                let first_indent = if indent > 0.0 { 0.0 } else { first_indent };
                self.paragraph(content, indent, first_indent, out);
            }
            BlockKind::List { start, items } => {
                // Chinese items stay on the grid: a whole number of ems in.
                let ems = if start.is_some() || self.lang.is_chinese() {
                    2.0
                } else {
                    1.5
                };
                let marker_width = t.body_size * ems;
                let inner = self.deeper(indent, marker_width, block.span.start);
                let depth = self.bullet_depth;
                self.bullet_depth += usize::from(start.is_none());
                // A Chinese bullet is a shape at 0.6 em, an English one a dot.
                let (bullet, bullet_size) = if self.lang.is_chinese() {
                    (
                        CHINESE_BULLETS[depth % CHINESE_BULLETS.len()],
                        t.body_size * 0.6,
                    )
                } else {
                    (BULLET, t.body_size)
                };
                let list = self.open(Role::L);
                for (i, item) in items.iter().enumerate() {
                    let (marker, size) = match start {
                        Some(n) => (format!("{}.", n + i as u64), t.body_size),
                        None => (bullet.to_string(), bullet_size),
                    };
                    let (label, body) = self.inside(list, |s| {
                        let item = s.open(Role::LI);
                        s.inside(item, |s| (s.open(Role::Lbl), s.open(Role::LBody)))
                    });
                    let first = out.len();
                    self.inside(body, |s| {
                        for block in item {
                            s.block_in_item(block, inner, out);
                        }
                    });
                    // An empty item is an empty line, to show its marker; so
                    // is one whose first line has a nested list's marker
                    // where this one would go (nested past the indent cap).
                    let taken = |c: &Chunk| {
                        c.lines.first().is_none_or(|line| {
                            line.drawn.iter().any(|d| {
                                matches!(d, Drawn::Runs(runs) if runs.first().is_some_and(|r| r.x < inner - 0.01))
                            })
                        })
                    };
                    if out.get(first).is_none_or(taken) {
                        let line = Placed {
                            advance: t.leading,
                            above: t.body_size,
                            ..Placed::default()
                        };
                        out.insert(
                            first,
                            Chunk {
                                lines: vec![line],
                                ..Chunk::default()
                            },
                        );
                    }
                    // The marker hangs in the indent, on the item's first line.
                    if let Some(line) = out.get_mut(first).and_then(|c| c.lines.first_mut()) {
                        let pieces = [Piece {
                            text: &marker,
                            lang: self.lang,
                            style: TextStyle::default(),
                            size,
                            tag: None,
                            source: block.span.start,
                            node: None,
                        }];
                        let (mut runs, width) =
                            self.fonts
                                .shape_line(&pieces, self.lang, self.han_in_english);
                        tag_runs(&mut runs, Some(label));
                        let x = inner - width - t.body_size * 0.4;
                        // A smaller mark is raised to the middle of the line's
                        // characters (0.38 em above the baseline).
                        let raise = 0.38 * (t.body_size - size);
                        line.drawn.push(Drawn::Runs(move_runs(runs, x, -raise)));
                    }
                    if let Some(chunk) = out.get_mut(first) {
                        chunk.space_before = chunk.space_before.max(0.0);
                    }
                }
                self.bullet_depth = depth;
                self.after_heading = false;
            }
            BlockKind::BlockQuote(blocks) => {
                let start = out.len();
                let inner = self.deeper(indent, t.body_size * 2.0, block.span.start);
                let quote = self.open(Role::BlockQuote);
                self.inside(quote, |s| {
                    for inner_block in blocks {
                        s.block(inner_block, inner, out);
                    }
                });
                if let Some(chunk) = out.get_mut(start) {
                    chunk.space_before = t.leading * 0.5;
                }
            }
            BlockKind::CodeBlock { text, .. } => self.standing(indent, out, |s, indent, out| {
                let chunk = s.leaf(Role::Code, |s| s.code(text, indent, &block.span));
                out.push(chunk);
            }),
            BlockKind::Table {
                alignments,
                header,
                rows,
            } => self.standing(indent, out, |s, indent, out| {
                s.table(alignments, header, rows, indent, block.span.start, out)
            }),
            BlockKind::ThematicBreak => {
                let width = self.measure * 0.25;
                let rule = Rect {
                    x: (self.measure - width) / 2.0,
                    y: -t.body_size * 0.35,
                    width,
                    height: 0.5,
                };
                let line = Placed {
                    advance: t.leading * 2.0,
                    above: t.body_size,
                    drawn: vec![Drawn::Rule(rule)],
                    ..Placed::default()
                };
                out.push(Chunk {
                    lines: vec![line],
                    ..Chunk::default()
                });
                self.after_heading = true;
            }
            BlockKind::FootnoteDefinition { .. } => {}
        }
    }

    /// Blocks inside a list item: paragraphs without first-line indent.
    fn block_in_item(&mut self, block: &Block, indent: f32, out: &mut Vec<Chunk>) {
        match &block.kind {
            BlockKind::Paragraph(content) => self.paragraph(content, indent, 0.0, out),
            _ => self.block(block, indent, out),
        }
    }

    /// The indent of a list item or quote inside one at `indent`: `by`
    /// more, but never past half the measure, which would leave a line too
    /// narrow to read (and, nested deep enough, text off the page); deeper
    /// levels stay there, with one warning per chapter.
    fn deeper(&mut self, indent: f32, by: f32, at: usize) -> f32 {
        if indent + by <= self.measure / 2.0 {
            return indent + by;
        }
        if !self.indent_capped {
            self.indent_capped = true;
            self.diagnostics.push(
                Diagnostic::warning(
                    Some(self.locator.locate(at)),
                    "lists and quotes nested this deep would leave less than half the line: the PDF sets the deeper levels at the same indent",
                )
                .hint("nest less deeply"),
            );
        }
        indent
    }

    /// A paragraph, then the images in it, each as a figure: a PDF line
    /// cannot hold a picture, and its alt text is not what the EPUB shows.
    fn paragraph(
        &mut self,
        content: &[Inline],
        indent: f32,
        first_indent: f32,
        out: &mut Vec<Chunk>,
    ) {
        self.figures = Some(Vec::new());
        let lines = self.leaf(Role::P, |s| {
            s.paragraph_lines(content, indent, first_indent)
        });
        let figures = self.figures.take().unwrap_or_default();
        out.push(Chunk {
            lines,
            splittable: true,
            ..Chunk::default()
        });
        for (url, at, alt) in figures {
            out.push(self.figure(&url, at, indent, alt));
        }
    }

    /// A paragraph's lines; hard breaks start new lines without indent.
    fn paragraph_lines(
        &mut self,
        content: &[Inline],
        indent: f32,
        first_indent: f32,
    ) -> Vec<Placed> {
        let mut lines = Vec::new();
        for (i, part) in content
            .split(|i| i.kind == InlineKind::HardBreak)
            .enumerate()
        {
            let pieces = self.pieces(part, TextStyle::default(), self.theme.body_size, true);
            let first = if i == 0 { first_indent } else { 0.0 };
            lines.extend(self.set_spec(
                &pieces,
                self.measure,
                indent,
                first,
                true,
                self.theme.leading,
            ));
        }
        lines
    }

    /// Flattens inlines into pieces: text with language and style, links and
    /// footnote marks tagged.
    fn pieces<'s>(
        &mut self,
        inlines: &'s [Inline],
        style: TextStyle,
        size: f32,
        tags: bool,
    ) -> Vec<Piece<'s>> {
        let mut out = Vec::new();
        self.push_pieces(inlines, style, size, None, tags, &mut out);
        out
    }

    fn push_pieces<'s>(
        &mut self,
        inlines: &'s [Inline],
        style: TextStyle,
        size: f32,
        tag: Option<u32>,
        tags: bool,
        out: &mut Vec<Piece<'s>>,
    ) {
        for (i, inline) in inlines.iter().enumerate() {
            let source = inline.span.start;
            let node = TextNode::of(inlines, i);
            match &inline.kind {
                InlineKind::Text { text, lang } => {
                    out.push(Piece {
                        text,
                        lang: lang.unwrap_or(self.lang),
                        style,
                        size,
                        tag,
                        source,
                        node,
                    });
                }
                InlineKind::Code(text) => {
                    let style = TextStyle {
                        mono: true,
                        ..style
                    };
                    out.push(Piece {
                        text,
                        lang: self.lang,
                        style,
                        size: size * 0.9,
                        tag,
                        source,
                        node,
                    });
                }
                InlineKind::SoftBreak => out.push(Piece {
                    text: " ",
                    lang: self.lang,
                    style,
                    size,
                    tag,
                    source,
                    node,
                }),
                InlineKind::HardBreak => {}
                InlineKind::Emphasis(c) => self.push_pieces(
                    c,
                    TextStyle {
                        italic: true,
                        ..style
                    },
                    size,
                    tag,
                    tags,
                    out,
                ),
                InlineKind::Strong(c) => self.push_pieces(
                    c,
                    TextStyle {
                        bold: true,
                        ..style
                    },
                    size,
                    tag,
                    tags,
                    out,
                ),
                InlineKind::Strikethrough(c) => self.push_pieces(c, style, size, tag, tags, out),
                InlineKind::Link { url, content, .. } => {
                    let href = crate::doc::link_href(url).filter(|h| !h.starts_with('#'));
                    let tag = match href {
                        Some(href) if tags => {
                            self.links.push(LinkTarget::Uri(href));
                            Some(encode_tag(Tag::Link(self.links.len() - 1)))
                        }
                        _ => tag,
                    };
                    self.push_pieces(content, style, size, tag, tags, out);
                }
                InlineKind::Image { url, alt, .. } => match &self.figures {
                    Some(_) => {
                        let alt = self.figure_alt(inline);
                        if let Some(figures) = &mut self.figures {
                            figures.push((url.clone(), inline.span.start, alt));
                        }
                    }
                    None => {
                        // An image's text is its alt text, which the EPUB
                        // keeps in an attribute: no page starts in it.
                        let from = out.len();
                        self.push_pieces(alt, style, size, tag, tags, out);
                        out[from..].iter_mut().for_each(|p| p.node = None);
                    }
                },
                InlineKind::FootnoteReference { number, .. } => {
                    let mark: &'static str = superscript(*number);
                    let tag =
                        tags.then(|| encode_tag(Tag::Footnote(*number + self.footnote_offset)));
                    out.push(Piece {
                        text: mark,
                        lang: Lang::En,
                        style: TextStyle::default(),
                        size,
                        tag,
                        source,
                        node: None,
                    });
                }
            }
        }
    }

    /// An image as a block of its own, scaled to the measure.
    fn figure(&mut self, url: &str, at: usize, indent: f32, alt: Option<String>) -> Chunk {
        let t = self.theme;
        let decoded = crate::assets::load_pixels(self.library_root, self.source, url);
        let image = match decoded {
            Ok(image) => image.to_rgb8(),
            Err(message) => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Some(self.locator.locate(at)),
                        format!("image `{}`: {message}", crate::text::excerpt(url)),
                    )
                    .hint("images are PNG or JPEG files inside the library, linked by a relative path"),
                );
                return Chunk::default();
            }
        };
        let (mut w, mut h) = (image.width() as f32, image.height() as f32);
        if self.fonts.vertical {
            // Drawn upright on the turned page: its width runs across the lines.
            std::mem::swap(&mut w, &mut h);
        }
        let max_w = self.measure - indent;
        let max_h = (t.page_height - t.top - t.bottom) * 0.6;
        let scale = (max_w / w).min(max_h / h);
        let (dw, dh) = (w * scale, h * scale);
        let dpi = w / (dw / 72.0);
        if t.print_ready && dpi < PRINT_DPI {
            self.diagnostics.push(
                Diagnostic::warning(
                    Some(self.locator.locate(at)),
                    format!(
                        "image `{}` prints at {dpi:.0} dpi ({w} pixels over {:.2} in); print wants {PRINT_DPI:.0}",
                        crate::text::excerpt(url),
                        dw / 72.0
                    ),
                )
                .hint(format!(
                    "give an image at least {:.0} pixels wide",
                    (dw / 72.0 * PRINT_DPI).ceil()
                )),
            );
        }
        let height = grid_multiple(dh + t.body_size * 0.5, t.leading);
        let rect = Rect {
            x: indent + (max_w - dw) / 2.0,
            y: -dh,
            width: dw,
            height: dh,
        };
        let data = Arc::new(ImageData {
            width: image.width(),
            height: image.height(),
            rgb: image.into_raw(),
        });
        let figure = alt.map(|alt| {
            let figure = self.open(Role::Figure);
            self.structure.set_alt(figure, alt);
            figure
        });
        let line = Placed {
            advance: height,
            above: height,
            drawn: vec![Drawn::Image(rect, data, figure)],
            ..Placed::default()
        };
        Chunk {
            lines: vec![line],
            space_before: t.leading * 0.5,
            ..Chunk::default()
        }
    }

    /// A code block: monospace, smaller, not justified; long lines wrap with a marker.
    fn code(&mut self, text: &str, indent: f32, span: &crate::doc::Span) -> Chunk {
        let source = span.start;
        let node = TextNode::of_block(span);
        let mut line_start = 0;
        let t = self.theme;
        let size = t.small_size;
        let leading = t.small_leading;
        let measure = self.measure - indent;
        let mono = TextStyle {
            mono: true,
            ..TextStyle::default()
        };
        let advance = size * 0.6;
        let columns = ((measure - size) / advance).floor().max(8.0) as usize;
        let mut lines = Vec::new();
        for source_line in text.trim_end_matches('\n').split('\n') {
            let mut rest = source_line;
            let mut continued = false;
            loop {
                let start = TextAt {
                    translation: self.translation,
                    node,
                    byte: line_start + source_line.len() - rest.len(),
                };
                let (part, tail) = split_columns(rest, columns);
                let pieces = [Piece {
                    text: part,
                    lang: self.lang,
                    style: mono,
                    size,
                    tag: None,
                    source,
                    node: None,
                }];
                let (mut runs, width) =
                    self.fonts
                        .shape_line(&pieces, self.lang, self.han_in_english);
                tag_runs(&mut runs, self.element);
                let mut drawn = vec![Drawn::Runs(shift(runs, indent))];
                if continued {
                    let marker = [Piece {
                        text: "↪",
                        lang: Lang::En,
                        style: mono,
                        size,
                        tag: None,
                        source,
                        node: None,
                    }];
                    let (runs, _) = self
                        .fonts
                        .shape_line(&marker, self.lang, self.han_in_english);
                    drawn.push(Drawn::Runs(shift(runs, indent - size * 1.1)));
                }
                lines.push(Placed {
                    advance: leading,
                    above: size,
                    depth: size * 0.3,
                    drawn,
                    records: vec![(indent, part.to_string(), width, measure)],
                    start: Some(start),
                    ..Placed::default()
                });
                if tail.is_empty() {
                    break;
                }
                rest = tail;
                continued = true;
            }
            line_start += source_line.len() + 1;
        }
        Chunk {
            lines,
            space_before: t.leading * 0.5,
            splittable: true,
            ..Chunk::default()
        }
    }

    /// A table: column widths from the cells' natural widths; rows do not
    /// break; the header row repeats on each page.
    /// A table; one with more columns than the measure holds at
    /// [`MIN_COLUMN_EMS`] each is set as several, of consecutive columns,
    /// one after another (each with its part of the header), with a warning.
    fn table(
        &mut self,
        alignments: &[Alignment],
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        indent: f32,
        at: usize,
        out: &mut Vec<Chunk>,
    ) {
        let columns = header
            .len()
            .max(rows.iter().map(Vec::len).max().unwrap_or(0));
        let measure = self.measure - indent;
        let fit = (measure / (self.theme.small_size * MIN_COLUMN_EMS)).max(1.0) as usize;
        if columns > fit {
            let groups = columns.div_ceil(fit);
            self.diagnostics.push(
                Diagnostic::warning(
                    Some(self.locator.locate(at)),
                    format!(
                        "a table of {columns} columns is too wide for the page: the PDF sets it as {groups} tables of at most {fit} columns"
                    ),
                )
                .hint("split the table, or move some columns into a list"),
            );
        }
        for start in (0..columns).step_by(fit) {
            let part = |row: &[Vec<Inline>]| start.min(row.len())..(start + fit).min(row.len());
            let rows: Vec<&[Vec<Inline>]> = rows.iter().map(|r| &r[part(r)]).collect();
            let alignments = &alignments[start.min(alignments.len())..];
            let table = self.open(Role::Table);
            let chunk = self.inside(table, |s| {
                s.table_part(alignments, &header[part(header)], &rows, indent)
            });
            out.push(chunk);
        }
    }

    /// The width of the widest stretch of `pieces` a line cannot break:
    /// a word, or a single CJK character.
    fn widest_word(&self, pieces: &[Piece]) -> f32 {
        let mut widest = 0.0f32;
        for piece in pieces {
            let words = piece
                .text
                .split(|c: char| c.is_whitespace() || crate::text::is_wide(c))
                .filter(|w| !w.is_empty());
            for word in words {
                let one = [Piece {
                    text: word,
                    ..*piece
                }];
                let (_, width) = self.fonts.shape_line(&one, self.lang, self.han_in_english);
                widest = widest.max(width);
            }
            if piece.text.chars().any(crate::text::is_wide) {
                widest = widest.max(piece.size);
            }
        }
        widest
    }

    /// A table whose columns, at [`MIN_COLUMN_EMS`] each, fit the measure.
    fn table_part(
        &mut self,
        alignments: &[Alignment],
        header: &[Vec<Inline>],
        rows: &[&[Vec<Inline>]],
        indent: f32,
    ) -> Chunk {
        let t = self.theme;
        let size = t.small_size;
        let measure = self.measure - indent;
        let columns = header
            .len()
            .max(rows.iter().map(|r| r.len()).max().unwrap_or(0));
        if columns == 0 {
            return Chunk::default();
        }
        let pad = size * 0.5;
        let mut natural = vec![size * 2.0; columns];
        // The widest word of each column: what it needs not to break one.
        let mut least = vec![size * 2.0; columns];
        for (row, style) in
            std::iter::once((header, bold())).chain(rows.iter().map(|r| (*r, TextStyle::default())))
        {
            for (i, cell) in row.iter().enumerate() {
                let pieces = self.pieces(cell, style, size, false);
                let (_, width) = self
                    .fonts
                    .shape_line(&pieces, self.lang, self.han_in_english);
                natural[i] = natural[i].max(width + 2.0 * pad);
                least[i] = least[i].max(self.widest_word(&pieces) + 2.0 * pad);
            }
        }
        let total: f32 = natural.iter().sum();
        let widths: Vec<f32> = if total <= measure {
            natural
        } else {
            widen_to_words(fair_widths(&natural, measure), &least)
        };
        // A row taller than a page goes on over the next pages, in slices
        // of as many lines as a page holds (under the repeated header).
        let area = t.page_height - t.top - t.bottom - t.leading;
        let fit = |height: f32| ((height - size) / t.small_leading).max(1.0) as usize;
        let mut header_rows = if header.is_empty() {
            Vec::new()
        } else {
            self.table_row(header, &widths, alignments, bold(), indent, true, fit(area))
        };
        // The header repeats on each page unless it is itself that tall.
        let mut header_row = match header_rows.as_slice() {
            [row] if row.advance < area / 2.0 => header_rows.pop(),
            _ => None,
        };
        let most = fit(area - header_row.as_ref().map_or(0.0, |h| h.advance));
        let mut lines: Vec<Placed> = header_rows;
        for row in rows {
            let style = TextStyle::default();
            lines.extend(self.table_row(row, &widths, alignments, style, indent, false, most));
        }
        // The header repeats above the rows of each page; a table of a
        // header alone is that one row.
        if lines.is_empty() {
            lines.extend(header_row.take());
        }
        Chunk {
            // A short table is kept on one page.
            splittable: lines.len() > SHORT_TABLE_ROWS,
            lines,
            header: header_row,
            space_before: t.leading * 0.5,
            ..Chunk::default()
        }
    }

    /// A table row, in slices of at most `most` lines (one, unless a cell
    /// is longer than a page).
    #[allow(clippy::too_many_arguments)]
    fn table_row(
        &mut self,
        row: &[Vec<Inline>],
        widths: &[f32],
        alignments: &[Alignment],
        style: TextStyle,
        indent: f32,
        is_header: bool,
        most: usize,
    ) -> Vec<Placed> {
        let t = self.theme;
        let size = t.small_size;
        let pad = size * 0.5;
        let mut x = indent;
        let mut cells = Vec::new();
        let tr = self.open(Role::TR);
        let cell_role = if is_header { Role::TH } else { Role::TD };
        for (i, width) in widths.iter().enumerate() {
            let content: &[Inline] = row.get(i).map_or(&[], Vec::as_slice);
            self.in_table = true;
            let lines = self.inside(tr, |s| {
                s.leaf(cell_role, |s| {
                    let pieces = s.pieces(content, style, size, true);
                    s.set_spec(
                        &pieces,
                        *width - 2.0 * pad,
                        0.0,
                        0.0,
                        false,
                        t.small_leading,
                    )
                })
            });
            self.in_table = false;
            let offset = |line: &Placed| {
                let line_width: f32 = line.records.first().map_or(0.0, |r| r.2);
                match alignments.get(i) {
                    Some(Alignment::Right) => width - 2.0 * pad - line_width,
                    Some(Alignment::Center) => (width - 2.0 * pad - line_width) / 2.0,
                    _ => 0.0,
                }
            };
            let lines: Vec<(f32, Placed)> = lines
                .into_iter()
                .map(|line| (x + pad + offset(&line), line))
                .collect();
            cells.push(lines.into_iter());
            x += width;
        }
        let tallest = cells.iter().map(ExactSizeIterator::len).max().unwrap_or(0);
        let slices = tallest.div_ceil(most).max(1);
        let total: f32 = widths.iter().sum();
        (0..slices)
            .map(|n| {
                let lines: Vec<Vec<(f32, Placed)>> = cells
                    .iter_mut()
                    .map(|c| c.by_ref().take(most).collect())
                    .collect();
                // A header's rules are heavier, above it and below it.
                let weight = if is_header { 0.8 } else { 0.4 };
                let rules = (is_header && n == 0, (n + 1 == slices).then_some(weight));
                row_slice(t, lines, indent, total, rules)
            })
            .collect()
    }

    /// A footnote: its number, then its text, small.
    /// Every footnote of `doc`, set, by its number in the book.
    fn footnotes(&mut self, doc: &Document) -> BTreeMap<usize, Vec<Placed>> {
        doc.footnote_definitions()
            .into_iter()
            .map(|(number, blocks)| {
                let lines = self.leaf(Role::Note, |s| s.footnote(number, blocks));
                (number + self.footnote_offset, lines)
            })
            .collect()
    }

    /// Footnotes no line of the chapter refers to, directly or through
    /// another footnote, would never reach a page: they close the chapter.
    fn unreferenced_footnotes(
        &self,
        footnotes: &BTreeMap<usize, Vec<Placed>>,
        chunks: &mut Vec<Chunk>,
    ) {
        let referenced = with_nested_footnotes(
            chunks
                .iter()
                .flat_map(|c| c.header.iter().chain(&c.lines))
                .flat_map(|line| line.footnotes.iter().copied())
                .collect(),
            footnotes,
        );
        // Set here, their references (to themselves, or to each other) do
        // not also bring them to the foot of the page.
        let lines: Vec<Placed> = footnotes
            .iter()
            .filter(|(n, _)| !referenced.contains(n))
            .flat_map(|(_, lines)| lines.iter().cloned())
            .map(|line| Placed {
                footnotes: Vec::new(),
                ..line
            })
            .collect();
        if !lines.is_empty() {
            chunks.push(Chunk {
                lines,
                space_before: self.theme.leading,
                splittable: true,
                ..Chunk::default()
            });
        }
    }

    /// A footnote's lines: its number, then its paragraphs in the small size
    /// (other blocks, such as lists, code and quotes, as in the text).
    fn footnote(&mut self, number: usize, blocks: &[Block]) -> Vec<Placed> {
        let t = self.theme;
        let mut lines = Vec::new();
        let number_text = format!("{number}");
        for (i, block) in blocks.iter().enumerate() {
            let content: &[Inline] = match &block.kind {
                BlockKind::Paragraph(content) => content,
                BlockKind::FootnoteDefinition { .. } => continue,
                _ => {
                    if i == 0 {
                        let pieces = [self.piece(
                            &number_text,
                            Lang::En,
                            TextStyle::default(),
                            t.small_size,
                            block.span.start,
                        )];
                        lines.extend(self.set_spec(
                            &pieces,
                            self.measure,
                            0.0,
                            0.0,
                            false,
                            t.small_leading,
                        ));
                    }
                    let mut chunks = Vec::new();
                    self.block(block, 0.0, &mut chunks);
                    lines.extend(flatten(chunks));
                    continue;
                }
            };
            let mut pieces = Vec::new();
            if i == 0 {
                pieces.push(Piece {
                    text: &number_text,
                    lang: Lang::En,
                    style: TextStyle::default(),
                    size: t.small_size,
                    tag: None,
                    source: block.span.start,
                    node: None,
                });
                pieces.push(Piece {
                    text: " ",
                    lang: Lang::En,
                    style: TextStyle::default(),
                    size: t.small_size,
                    tag: None,
                    source: block.span.start,
                    node: None,
                });
            }
            pieces.extend(self.pieces(content, TextStyle::default(), t.small_size, true));
            lines.extend(self.set_spec(&pieces, self.measure, 0.0, 0.0, true, t.small_leading));
        }
        lines
    }
}

fn bold() -> TextStyle {
    TextStyle {
        bold: true,
        ..TextStyle::default()
    }
}

/// The smallest multiple of `grid` at least `height`, so body text stays on the grid.
pub fn grid_multiple(height: f32, grid: f32) -> f32 {
    (height / grid - 0.01).ceil().max(1.0) * grid
}

/// Moves what a line draws up by `dy`, keeping its baseline slot.
fn raise(line: &mut Placed, dy: f32) {
    for drawn in &mut line.drawn {
        match drawn {
            Drawn::Runs(runs) => runs.iter_mut().for_each(|r| r.y -= dy),
            Drawn::Rule(r)
            | Drawn::Dot(r)
            | Drawn::Image(r, ..)
            | Drawn::Link(r, ..)
            | Drawn::FootnoteLink(r, ..) => r.y -= dy,
        }
    }
    line.above += dy;
}

fn shift(runs: Vec<TextRun>, x: f32) -> Vec<TextRun> {
    move_runs(runs, x, 0.0)
}

fn move_runs(runs: Vec<TextRun>, x: f32, y: f32) -> Vec<TextRun> {
    runs.into_iter()
        .map(|mut r| {
            r.x += x;
            r.y += y;
            r
        })
        .collect()
}

/// Splits off as many characters as fit in `columns` (wide characters count two).
fn split_columns(text: &str, columns: usize) -> (&str, &str) {
    let mut used = 0;
    for (i, c) in text.char_indices() {
        let width = if crate::text::is_wide(c) { 2 } else { 1 };
        if used + width > columns {
            return text.split_at(i);
        }
        used += width;
    }
    (text, "")
}

fn superscript(number: usize) -> &'static str {
    const MARKS: [&str; 21] = [
        "⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹", "¹⁰", "¹¹", "¹²", "¹³", "¹⁴", "¹⁵", "¹⁶",
        "¹⁷", "¹⁸", "¹⁹", "²⁰",
    ];
    MARKS.get(number).copied().unwrap_or("*")
}

enum Tag {
    Link(usize),
    Footnote(usize),
}

/// Column widths that fill `measure` when the natural ones do not fit:
/// a column narrower than an equal share of what is left keeps its width
/// (a short label is not wrapped), and the wider ones share the rest.
fn fair_widths(natural: &[f32], measure: f32) -> Vec<f32> {
    let mut order: Vec<usize> = (0..natural.len()).collect();
    order.sort_by(|&a, &b| natural[a].total_cmp(&natural[b]));
    let mut widths = natural.to_vec();
    let mut left = measure;
    for (k, &i) in order.iter().enumerate() {
        let share = left / (order.len() - k) as f32;
        if natural[i] > share {
            for &j in &order[k..] {
                widths[j] = share;
            }
            break;
        }
        left -= natural[i];
    }
    widths
}

/// Widens the columns narrower than their widest word to it, taking the
/// width from the columns with room to spare above theirs, in proportion
/// to that room; unchanged if the words cannot all fit.
fn widen_to_words(mut widths: Vec<f32>, least: &[f32]) -> Vec<f32> {
    let total: f32 = widths.iter().sum();
    if least.iter().sum::<f32>() > total {
        return widths;
    }
    let short: f32 = widths
        .iter()
        .zip(least)
        .map(|(w, l)| (l - w).max(0.0))
        .sum();
    let room: f32 = widths
        .iter()
        .zip(least)
        .map(|(w, l)| (w - l).max(0.0))
        .sum();
    if short <= 0.0 || room <= 0.0 {
        return widths;
    }
    for (w, l) in widths.iter_mut().zip(least) {
        *w = if *w < *l {
            *l
        } else {
            *w - (*w - l) * short / room
        };
    }
    widths
}

/// One slice of a table row: its cells' lines (each with its x), drawn
/// relative to the slice's bottom line, with a rule above (a header's
/// first slice) and one of the given weight below (a row's last slice).
fn row_slice(
    t: &Theme,
    cells: Vec<Vec<(f32, Placed)>>,
    indent: f32,
    width: f32,
    (rule_above, rule_below): (bool, Option<f32>),
) -> Placed {
    let (size, leading) = (t.small_size, t.small_leading);
    let pad = size * 0.5;
    let lines = cells.iter().map(Vec::len).max().unwrap_or(0).max(1);
    let height = lines as f32 * leading + pad * 2.0;
    let mut placed = Placed {
        advance: height,
        above: height,
        ..Placed::default()
    };
    let top = -height;
    for (n, (x, line)) in cells.into_iter().flat_map(|c| c.into_iter().enumerate()) {
        let baseline = top + pad + size + n as f32 * leading;
        for drawn in line.drawn {
            placed.drawn.push(match drawn {
                Drawn::Runs(runs) => Drawn::Runs(move_runs(runs, x, baseline)),
                Drawn::Link(mut r, target, link) => {
                    r.x += x;
                    r.y += baseline;
                    Drawn::Link(r, target, link)
                }
                other => other,
            });
        }
        placed.footnotes.extend(line.footnotes);
        for (rx, text, w, m) in line.records {
            placed.records.push((rx + x, text, w, m));
        }
        placed.start = placed.start.or(line.start);
    }
    if let Some(weight) = rule_below {
        placed.drawn.push(Drawn::Rule(Rect {
            x: indent,
            y: -0.2,
            width,
            height: weight,
        }));
    }
    if rule_above {
        placed.drawn.push(Drawn::Rule(Rect {
            x: indent,
            y: top,
            width,
            height: 0.8,
        }));
    }
    placed
}

const FOOTNOTE_BIT: u32 = 1 << 31;

fn encode_tag(tag: Tag) -> u32 {
    match tag {
        Tag::Link(i) => i as u32,
        Tag::Footnote(n) => n as u32 | FOOTNOTE_BIT,
    }
}

fn decode_tag(tag: u32) -> Tag {
    if tag & FOOTNOTE_BIT != 0 {
        Tag::Footnote((tag & !FOOTNOTE_BIT) as usize)
    } else {
        Tag::Link(tag as usize)
    }
}

/// Sets a chapter of the bilingual edition: English and Chinese paired
/// block by block (see `doc::align`), side by side in two columns whose
/// pairs start on one baseline, or one after the other. The third value is
/// false when the versions' structures differ.
pub fn bilingual_chapter<'a>(
    mut en: Layout<'a>,
    mut zh: Layout<'a>,
    english: (&Document, &str),
    chinese: (&Document, &str),
    columns: bool,
) -> (ChapterLayout, Diagnostics, bool) {
    let t = en.theme;
    // Each column a whole number of ems (clreq's grid), the gutter about
    // 1.5 em and at least one.
    let mut ems = ((t.measure() - t.body_size * 1.5) / 2.0 / t.body_size).round();
    if t.measure() - 2.0 * ems * t.body_size < t.body_size {
        ems -= 1.0;
    }
    let column = ems * t.body_size;
    let gutter = t.measure() - 2.0 * column;
    zh.footnote_offset = 1000;
    zh.translation = true;
    let (en_doc, en_title) = english;
    let (zh_doc, zh_title) = chinese;

    // A section of the chapter's titles, then a division per language.
    zh.structure = en.structure.clone();
    let sect = en.open(Role::Sect);
    en.parent = sect;
    zh.parent = sect;
    en.heading_shift = en_doc.heading_shift();
    zh.heading_shift = zh_doc.heading_shift();
    en.parent = en.open(Role::Div);
    zh.parent = zh.open(Role::Div);
    en.structure.set_lang(en.parent, en_doc.lang);
    zh.structure.set_lang(zh.parent, zh_doc.lang);
    let size = t.body_size * 1.6;
    let pieces = [en.piece(en_title, en.lang, bold(), size, 0)];
    let mut title = en.leaf(Role::H(1), |s| {
        s.set(&pieces, t.measure(), 0.0, false, size * 1.35)
    });
    let pieces = [zh.piece(zh_title, zh.lang, bold(), size * 0.8, 0)];
    let zh_title_lines = zh.leaf(Role::H(1), |s| {
        s.set(&pieces, t.measure(), 0.0, false, size * 1.2)
    });
    title.extend(zh_title_lines);
    if let Some(first) = title.first_mut() {
        first.anchor = Some(Anchor {
            chapter: en.chapter,
            section: None,
        });
    }
    if columns {
        en.measure = column;
        zh.measure = column;
        en.ragged = true;
        zh.solid = true;
    }

    let mut footnotes = BTreeMap::new();
    let notes_from = en.structure.len();
    for (layout, doc) in [(&mut en, en_doc), (&mut zh, zh_doc)] {
        footnotes.extend(layout.footnotes(doc));
    }
    let notes = notes_from..en.structure.len();

    let (pairs, matched) = crate::doc::align(&en_doc.blocks, &zh_doc.blocks);
    let mut chunks = Vec::new();
    let parts = pairs.iter().flat_map(|(en, zh)| {
        let items = if columns { item_by_item(en, zh) } else { None };
        let whole = || vec![(borrowed(en), borrowed(zh))];
        items.unwrap_or_else(whole).into_iter().enumerate()
    });
    for (item, (en_blocks, zh_blocks)) in parts {
        // A table is set at the full measure, the English one and then the
        // Chinese: in a column its cells would be too narrow for its words.
        let is_table = |b: &Cow<Block>| matches!(b.kind, BlockKind::Table { .. });
        let full = columns && en_blocks.iter().chain(&zh_blocks).any(is_table);
        if full {
            en.measure = t.measure();
            zh.measure = t.measure();
        }
        let mut en_chunks = Vec::new();
        for block in &en_blocks {
            en.block(block, 0.0, &mut en_chunks);
        }
        let mut zh_chunks = Vec::new();
        for block in &zh_blocks {
            zh.block(block, 0.0, &mut zh_chunks);
        }
        // The Chinese headings' anchors would clash with the English ones.
        for line in zh_chunks.iter_mut().flat_map(|c| c.lines.iter_mut()) {
            line.anchor = None;
        }
        if full {
            en.measure = column;
            zh.measure = column;
        }
        if columns && !full {
            // A pair of headings goes with what follows, as a heading does.
            let headings = en_chunks.iter().chain(&zh_chunks).all(|c| c.keep_with_next);
            let rows = merge_rows(flatten(en_chunks), flatten(zh_chunks), column + gutter);
            chunks.push(Chunk {
                lines: rows,
                splittable: true,
                // The items of a list follow one another as in one column.
                space_before: if item == 0 { t.leading * 0.5 } else { 0.0 },
                keep_with_next: headings,
                ..Chunk::default()
            });
        } else {
            chunks.extend(en_chunks);
            chunks.extend(zh_chunks);
        }
    }
    en.unreferenced_footnotes(&footnotes, &mut chunks);
    // In reading order, the notes follow the text.
    for id in notes {
        let parent = en.structure.parent_of(id);
        if parent == Some(en.parent) || parent == Some(zh.parent) {
            en.structure.move_last(id);
        }
    }
    let mut diagnostics = std::mem::take(&mut en.diagnostics);
    diagnostics.extend(std::mem::take(&mut zh.diagnostics));
    let layout = ChapterLayout {
        title,
        chunks,
        footnotes,
        sections: std::mem::take(&mut en.sections),
    };
    (layout, diagnostics, matched)
}

/// Blocks as they are, to be set.
fn borrowed<'b>(blocks: &[&'b Block]) -> Vec<Cow<'b, Block>> {
    blocks.iter().map(|&b| Cow::Borrowed(b)).collect()
}

/// A list paired with a list of as many items, as pairs of one-item lists
/// (numbered on from where each item stands), so that each English item and
/// its Chinese one start on one baseline; `None` for any other pair.
fn item_by_item<'b>(en: &[&'b Block], zh: &[&'b Block]) -> Option<Vec<PairOfParts<'b>>> {
    let split = |block: &Block| -> Option<Vec<Cow<'b, Block>>> {
        let BlockKind::List { start, items } = &block.kind else {
            return None;
        };
        let one = |(i, item): (usize, &Vec<Block>)| {
            Cow::Owned(Block {
                kind: BlockKind::List {
                    start: start.map(|n| n + i as u64),
                    items: vec![item.clone()],
                },
                span: block.span.clone(),
            })
        };
        Some(items.iter().enumerate().map(one).collect())
    };
    let ([en], [zh]) = (en, zh) else {
        return None;
    };
    let (en, zh) = (split(en)?, split(zh)?);
    (en.len() == zh.len() && en.len() > 1).then(|| {
        en.into_iter()
            .zip(zh)
            .map(|(e, z)| (vec![e], vec![z]))
            .collect()
    })
}

/// English blocks and the Chinese blocks set beside them.
type PairOfParts<'b> = (Vec<Cow<'b, Block>>, Vec<Cow<'b, Block>>);

/// A block's lines, header rows included, in order.
/// `notes`, then the footnotes their text refers to, and so on, each once.
pub(super) fn with_nested_footnotes(
    mut notes: Vec<usize>,
    footnotes: &BTreeMap<usize, Vec<Placed>>,
) -> Vec<usize> {
    let mut i = 0;
    while i < notes.len() {
        let lines = footnotes.get(&notes[i]).into_iter().flatten();
        let more: Vec<usize> = lines.flat_map(|l| l.footnotes.iter().copied()).collect();
        for n in more {
            if !notes.contains(&n) {
                notes.push(n);
            }
        }
        i += 1;
    }
    notes
}

/// `run` split where the element of its text changes (`element_at` a
/// glyph's x). A glyph that copies as nothing (a mark, a break hyphen) goes
/// with the glyph before it.
fn split_by_element(
    run: &TextRun,
    element_at: &mut impl FnMut(f32) -> Option<ElementId>,
) -> Vec<TextRun> {
    let mut out: Vec<TextRun> = Vec::new();
    for glyph in &run.glyphs {
        let of = match out.last() {
            Some(last) if glyph.text.is_empty() => last.element,
            _ => element_at(run.x + glyph.x),
        };
        if out.last().is_none_or(|last| last.element != of) {
            let mut part = TextRun::new(run.face, run.size, run.x, run.y);
            part.element = of;
            part.setting = run.setting;
            out.push(part);
        }
        if let Some(part) = out.last_mut() {
            part.push(glyph.id, glyph.x, glyph.y, run.text_of(glyph));
        }
    }
    out
}

/// The hyphen a line break added (the last glyph, copying as nothing),
/// taken out of `runs` as a run of its own in no element: page furniture,
/// like a running head, not text.
fn break_hyphen(runs: &mut Vec<TextRun>) -> Option<TextRun> {
    let last = runs.last_mut()?;
    if !last.glyphs.last()?.text.is_empty() {
        return None;
    }
    let glyph = last.glyphs.pop()?;
    let mut hyphen = TextRun::new(last.face, last.size, last.x, last.y);
    hyphen.setting = last.setting;
    hyphen.push(glyph.id, glyph.x, glyph.y, "");
    if last.glyphs.is_empty() {
        runs.pop();
    }
    Some(hyphen)
}

/// Marks `runs` as the text of `element`.
fn tag_runs(runs: &mut [TextRun], element: Option<ElementId>) {
    for run in runs {
        run.element = element;
    }
}

fn flatten(chunks: Vec<Chunk>) -> Vec<Placed> {
    chunks
        .into_iter()
        .flat_map(|c| c.header.into_iter().chain(c.lines))
        .collect()
}

/// Puts two columns of lines side by side, row by row: each row as tall as its taller side.
fn merge_rows(left: Vec<Placed>, right: Vec<Placed>, offset: f32) -> Vec<Placed> {
    let rows = left.len().max(right.len());
    let mut left = left.into_iter();
    let mut right = right.into_iter();
    (0..rows)
        .map(|_| {
            let mut row = left.next().unwrap_or_default();
            if let Some(r) = right.next() {
                row.advance = row.advance.max(r.advance);
                row.above = row.above.max(r.above);
                row.depth = row.depth.max(r.depth);
                row.anchor = row.anchor.or(r.anchor);
                row.start = row.start.or(r.start);
                row.footnotes.extend(r.footnotes);
                row.drawn
                    .extend(r.drawn.into_iter().map(|d| move_drawn(d, offset)));
                row.records.extend(
                    r.records
                        .into_iter()
                        .map(|(x, text, w, m)| (x + offset, text, w, m)),
                );
            }
            row
        })
        .collect()
}

fn move_drawn(drawn: Drawn, dx: f32) -> Drawn {
    match drawn {
        Drawn::Runs(runs) => Drawn::Runs(move_runs(runs, dx, 0.0)),
        Drawn::Rule(r) => Drawn::Rule(r.moved(dx, 0.0)),
        Drawn::Dot(r) => Drawn::Dot(r.moved(dx, 0.0)),
        Drawn::Image(r, data, figure) => Drawn::Image(r.moved(dx, 0.0), data, figure),
        Drawn::Link(r, target, link) => Drawn::Link(r.moved(dx, 0.0), target, link),
        Drawn::FootnoteLink(r, n, link) => Drawn::FootnoteLink(r.moved(dx, 0.0), n, link),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_wide_characters_twice() {
        assert_eq!(split_columns("abcdef", 4), ("abcd", "ef"));
        assert_eq!(split_columns("中文字", 4), ("中文", "字"));
        assert_eq!(split_columns("ab", 4), ("ab", ""));
    }

    #[test]
    fn narrow_columns_keep_their_width_and_wide_ones_share_the_rest() {
        let widths = fair_widths(&[40.0, 60.0, 200.0, 300.0], 300.0);
        assert_eq!(widths, [40.0, 60.0, 100.0, 100.0]);
        assert!((widths.iter().sum::<f32>() - 300.0).abs() < 0.01);
        assert_eq!(fair_widths(&[200.0, 200.0], 300.0), [150.0, 150.0]);
    }

    #[test]
    fn a_column_is_widened_to_its_widest_word() {
        // 75 wide words in the first column; the others give in proportion
        // to their room above their own widest words.
        let widths = widen_to_words(vec![70.0, 70.0, 70.0], &[75.0, 40.0, 60.0]);
        assert_eq!(widths, [75.0, 66.25, 68.75]);
        // Words that cannot all fit: unchanged.
        assert_eq!(
            widen_to_words(vec![50.0, 50.0], &[60.0, 60.0]),
            [50.0, 50.0]
        );
    }

    #[test]
    fn grid_multiples() {
        assert_eq!(grid_multiple(10.0, 17.85), 17.85);
        assert_eq!(grid_multiple(17.85, 17.85), 17.85);
        assert_eq!(grid_multiple(20.0, 17.85), 35.7);
    }

    #[test]
    fn tags_round_trip() {
        assert!(matches!(
            decode_tag(encode_tag(Tag::Footnote(3))),
            Tag::Footnote(3)
        ));
        assert!(matches!(decode_tag(encode_tag(Tag::Link(7))), Tag::Link(7)));
    }
}
