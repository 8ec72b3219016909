//! Setting one paragraph into lines, to the standard of W3C clreq
//! (Requirements for Chinese Text Layout) and of good English typesetting.
//!
//! The stages:
//! 1. [`shape`]: the pieces are shaped with rustybuzz, run by run of one
//!    face (font fallback per character), into clusters of glyphs.
//! 2. [`breaks`]: where lines may end — UAX #14 tailored with clreq's strict
//!    kinsoku — and English hyphenation points.
//! 3. [`items`]: boxes, glue and penalties: inter-word glue, Han–Latin glue,
//!    stretch between CJK characters, punctuation blanks that are squeezed
//!    where two marks meet and trimmed at a line end.
//! 4. [`knuth_plass`]: total-fit line breaking over the paragraph.
//! 5. Here: each line justified (spaces and Han–Latin glue first, then the
//!    glue between CJK characters) and laid out as glyph runs.

mod breaks;
mod items;
mod knuth_plass;
mod shape;

use std::ops::Range;

pub use shape::ShapingFonts;

use self::items::{Item, ItemKind, Options};
use self::knuth_plass::Params;
use self::shape::{invisible, Kind, Shaped};
use crate::book::Lang;
use crate::doc::TextNode;
use crate::fonts::TextStyle;
use crate::typeset::frame::{Rect, Setting, TextRun};
use crate::typeset::turn::IDEOGRAPHIC_TOP;

/// An emphasis dot's diameter, and its gap from the em box, in ems.
const EMPHASIS_DOT: f32 = 0.16;
const EMPHASIS_DOT_GAP: f32 = 0.08;

/// Whether `text` is one Han character: emphasis dots go on those only
/// (not on punctuation, not on Latin, which emphasis sets in italics).
fn is_single_han(text: &str) -> bool {
    let mut chars = text.chars();
    chars.next().is_some_and(crate::text::is_han) && chars.next().is_none()
}

/// A stretch of paragraph text with one language and style.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Piece<'s> {
    pub text: &'s str,
    /// Language of this text (a Latin run in Chinese text is Lang::En).
    pub lang: Lang,
    /// Bold / italic / mono.
    pub style: TextStyle,
    /// Font size in pt.
    pub size: f32,
    /// Opaque caller tag (e.g. a link); reported back per line with its x extent.
    pub tag: Option<u32>,
    /// Byte offset in the source file where this text starts (for error messages).
    pub source: usize,
    /// The document's text node this text is (none for a list label or a
    /// footnote mark): where the line starting in it starts.
    pub node: Option<TextNode>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParagraphSpec {
    /// The paragraph's document language: Chinese rules apply when it is zh-Hant/zh-Hans.
    pub base: Lang,
    /// Which CJK face Han text in English uses.
    pub han_in_english: Lang,
    /// Line width in pt.
    pub measure: f32,
    /// First-line indent in pt (2 em for Chinese paragraphs, set by the caller).
    pub first_indent: f32,
    /// false = ragged right (last line is always ragged).
    pub justify: bool,
    /// Whether a justified line may space CJK characters apart to reach the
    /// measure; if not, such a line is set solid and left short.
    pub spread: bool,
    /// English hyphenation allowed.
    pub hyphenate: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// Positioned relative to the line start (x = 0) and baseline (y = 0); x
    /// includes first_indent on line 1.
    pub runs: Vec<TextRun>,
    /// Width actually occupied after justification.
    pub width: f32,
    /// What the line shows (source text; a break hyphen appears as "-").
    pub text: String,
    pub hyphenated: bool,
    /// Max over its runs (positive numbers).
    pub ascent: f32,
    pub descent: f32,
    /// Stretches of one language, in order, each from the x where its first
    /// glyph is drawn to the next one's: the document's text has its
    /// language; what is not its text (list labels, footnote marks) none.
    pub langs: Vec<(Option<Lang>, f32)>,
    /// (tag, x0, x1) extents of tagged pieces on this line.
    pub tags: Vec<(u32, f32, f32)>,
    /// The squares of the emphasis dots of its emphasised Han characters.
    pub dots: Vec<Rect>,
    /// Source offset of the line's first character.
    pub source: usize,
    /// The first character the line shows of a document's text node, and
    /// its byte in that node's text.
    pub start: Option<(TextNode, usize)>,
}

/// Text that did not fit the measure: broken between arbitrary characters,
/// or (a single glyph wider than the measure) set past it.
#[derive(Debug, Clone, PartialEq)]
pub struct Overfull {
    pub source: usize,
    pub text: String,
    /// How far it would stick out, in pt.
    pub excess: f32,
}

/// Breaks a paragraph. Never returns a line wider than the measure: a line
/// that cannot be fitted (e.g. a 100-char URL with no break opportunity) is
/// broken between any two characters as a last resort AND reported in `overfull`.
///
/// The one exception: a single cluster (glyph) wider than the measure is set
/// on a line of its own, past the measure, and reported too.
pub fn set_paragraph(
    pieces: &[Piece],
    spec: &ParagraphSpec,
    fonts: &ShapingFonts,
) -> (Vec<Line>, Vec<Overfull>) {
    let mut shaped = Shaped::default();
    shape::shape_paragraph(fonts, pieces, spec.base, spec.han_in_english, &mut shaped);
    let flags = break_flags(&shaped, pieces, spec.hyphenate);
    items::punctuation(&mut shaped, fonts);
    let em = pieces.first().map_or(10.0, |p| p.size);
    let params = Params {
        measure: spec.measure,
        first_indent: spec.first_indent,
        rightskip: match (spec.justify, spec.spread) {
            (false, _) => 3.0 * em,
            (true, false) => em,
            (true, true) => 0.0,
        },
        orphan: spec.base.is_chinese(),
    };
    let mut options = Options {
        justify: spec.justify,
        track: !spec.base.is_chinese(),
        spread: spec.spread,
        hyphenate: spec.hyphenate,
        emergency: &[],
    };
    let mut items = Vec::new();
    let mut sums = Vec::new();
    items::build(&shaped, &flags, fonts, &options, &mut items);
    knuth_plass::sums(&items, &mut sums);
    let mut overfull = Vec::new();
    let long = knuth_plass::overlong(&items, &sums, &params);
    let layout = Layout {
        shaped: &shaped,
        pieces,
        fonts,
        spread: spec.spread,
    };
    let ranges: Vec<Range<usize>>;
    if !long.is_empty() {
        ranges = long
            .iter()
            .filter_map(|&(s, b, excess)| {
                let bytes = layout.bytes(&items[s..b])?;
                overfull.push(Overfull {
                    source: layout.source(bytes.start),
                    text: shaped.text[bytes.clone()].to_string(),
                    excess,
                });
                Some(bytes)
            })
            .collect();
        options.emergency = &ranges;
        items::build(&shaped, &flags, fonts, &options, &mut items);
        knuth_plass::sums(&items, &mut sums);
    }
    let breaks = knuth_plass::breaks(&items, &sums, &params);
    let mut lines = Vec::with_capacity(breaks.len());
    let mut start = knuth_plass::line_start(&items, None);
    for (n, &b) in breaks.iter().enumerate() {
        let indent = if n == 0 { spec.first_indent } else { 0.0 };
        let line = layout.line(&items, start..b, indent, spec.measure, spec.justify);
        let reported = overfull.iter().any(|o| o.source == line.source);
        if line.width > spec.measure + 0.01 && !reported {
            overfull.push(Overfull {
                source: line.source,
                text: line.text.clone(),
                excess: line.width - spec.measure,
            });
        }
        lines.push(line);
        start = knuth_plass::line_start(&items, Some(b));
    }
    (lines, overfull)
}

impl ShapingFonts<'_> {
    /// Shapes a short string on one line with no breaking (running heads, folios, TOC entries): returns runs relative to (0, baseline 0) and the total advance.
    pub fn shape_line(
        &self,
        pieces: &[Piece],
        base: Lang,
        han_in_english: Lang,
    ) -> (Vec<TextRun>, f32) {
        let mut shaped = Shaped::default();
        shape::shape_paragraph(self, pieces, base, han_in_english, &mut shaped);
        let flags = break_flags(&shaped, pieces, false);
        items::punctuation(&mut shaped, self);
        let options = Options {
            justify: false,
            track: false,
            spread: false,
            hyphenate: false,
            emergency: &[],
        };
        let mut items = Vec::new();
        items::build(&shaped, &flags, self, &options, &mut items);
        let layout = Layout {
            shaped: &shaped,
            pieces,
            fonts: self,
            spread: false,
        };
        let start = knuth_plass::line_start(&items, None);
        let line = layout.line(&items, start..items.len() - 1, 0.0, f32::INFINITY, false);
        (line.runs, line.width)
    }
}

/// Break opportunities and hyphenation points, by byte of the text.
fn break_flags(shaped: &Shaped, pieces: &[Piece], hyphenate: bool) -> Vec<u8> {
    let mut flags = Vec::new();
    breaks::opportunities(&shaped.text, &mut flags, |byte| {
        pieces[shaped.piece_at(byte)].lang.is_chinese()
    });
    for (index, piece) in pieces.iter().enumerate() {
        if piece.lang.is_chinese() || piece.style.mono {
            continue;
        }
        let start = shaped.piece_starts[index];
        // UAX #14 breaks after a soft hyphen (BA); it is a hyphenation point.
        for (i, _) in piece.text.match_indices('\u{AD}') {
            let at = start + i + '\u{AD}'.len_utf8();
            flags[at] = (flags[at] & !breaks::ALLOWED) | breaks::SOFT_HYPHEN;
        }
        if hyphenate {
            breaks::hyphenation_points(&shaped.text, start..start + piece.text.len(), &mut flags);
        }
    }
    flags
}

/// How much a glue item grows (or, negative, shrinks) on a justified line
/// that is `gap` short of the measure (negative: too long), given the
/// line's first-order stretch, second-order stretch and shrink. Spaces and
/// Han–Latin glue stretch first; the glue between CJK characters only once
/// they are at their limit (clreq's order).
fn adjustment(glue: &Item, gap: f32, stretch: f32, stretch2: f32, shrink: f32) -> f32 {
    if gap > 0.0 {
        if stretch >= gap {
            glue.stretch * gap / stretch
        } else if stretch2 > 0.0 {
            glue.stretch + glue.stretch2 * (gap - stretch) / stretch2
        } else if stretch > 0.0 {
            glue.stretch * gap / stretch
        } else {
            0.0
        }
    } else if gap < 0.0 && shrink > 0.0 {
        // Past the shrink limit only by rounding, or after an emergency.
        glue.shrink * gap / shrink
    } else {
        0.0
    }
}

struct Layout<'l, 'f> {
    shaped: &'l Shaped,
    pieces: &'l [Piece<'l>],
    fonts: &'l ShapingFonts<'f>,
    /// See [`ParagraphSpec::spread`].
    spread: bool,
}

impl Layout<'_, '_> {
    /// The source offset of a byte of the paragraph text.
    fn source(&self, byte: usize) -> usize {
        let piece = self.shaped.piece_at(byte);
        self.pieces[piece].source + byte - self.shaped.piece_starts[piece]
    }

    /// The text node a byte of the paragraph text belongs to, and its byte there.
    fn node_at(&self, byte: usize) -> Option<(TextNode, usize)> {
        let piece = self.shaped.piece_at(byte);
        let node = self.pieces[piece].node?;
        Some((node, byte - self.shaped.piece_starts[piece]))
    }

    /// The bytes the boxes among `items` cover.
    fn bytes(&self, items: &[Item]) -> Option<Range<usize>> {
        let mut boxes = items.iter().filter(|i| i.kind == ItemKind::Box);
        let first = boxes.next()?;
        let last = boxes.next_back().unwrap_or(first);
        let clusters = &self.shaped.clusters;
        Some(
            clusters[first.c0 as usize].start as usize..clusters[last.c1 as usize - 1].end as usize,
        )
    }

    /// The emphasis dot of a Han character drawn from `x`: centred below
    /// its em box, or on the right of a vertical book's column (above, on
    /// the page its lines are set on), as clreq places them.
    fn dot(&self, x: f32, c: &shape::Cluster) -> Rect {
        let size = EMPHASIS_DOT * c.size;
        let gap = EMPHASIS_DOT_GAP * c.size;
        let y = if self.fonts.vertical {
            -(IDEOGRAPHIC_TOP * c.size + gap + size)
        } else {
            (1.0 - IDEOGRAPHIC_TOP) * c.size + gap
        };
        Rect {
            x: x + (c.width - size) / 2.0,
            y,
            width: size,
            height: size,
        }
    }

    /// How a cluster stands once a vertical book's page is turned.
    fn setting(&self, c: &shape::Cluster, glyphs: &[shape::Glyph]) -> Setting {
        if !self.fonts.vertical {
            Setting::Along
        } else if c.across {
            Setting::Across(glyphs.iter().map(|g| g.advance).sum())
        } else if self.shaped.is_wide(c) {
            Setting::Upright
        } else {
            Setting::Along
        }
    }

    /// Lays out `items[range]`, ending with a break at `range.end`.
    fn line(
        &self,
        items: &[Item],
        range: Range<usize>,
        indent: f32,
        measure: f32,
        justify: bool,
    ) -> Line {
        let shaped = self.shaped;
        let end = &items[range.end];
        let content = &items[range.clone()];
        let hyphen = end.kind == ItemKind::Penalty && end.flagged;
        let last = end.kind == ItemKind::Penalty && end.penalty <= -items::INFINITY;
        let mut natural = indent;
        let (mut stretch, mut stretch2, mut shrink, mut fil) = (0.0, 0.0, 0.0, false);
        let mut track = 0.0;
        for item in content {
            if item.kind != ItemKind::Penalty {
                natural += item.width;
            }
            if item.kind == ItemKind::Box {
                track += item.stretch;
            }
            if item.kind == ItemKind::Glue {
                stretch += item.stretch;
                stretch2 += item.stretch2;
                shrink += item.shrink;
                fil |= item.fil;
            }
        }
        if end.kind == ItemKind::Penalty && !last {
            // A hyphen, or the blank of punctuation at the line end.
            natural += end.width;
            shrink += end.shrink;
        }
        let mut gap = measure - natural;
        if !self.spread && gap > stretch {
            // Set solid: glue stretches to its limit, the rest is left short.
            gap = stretch;
        }
        let adjust = (justify && !last && !fil) || gap < 0.0;
        // Letters take their share of the stretch, up to their limit; the
        // word spaces take the rest.
        let tracked = if adjust && gap > 0.0 && track > 0.0 {
            (gap / (stretch + track)).min(1.0)
        } else {
            0.0
        };
        let gap = gap - track * tracked;

        let mut out = LineBuilder {
            runs: Vec::new(),
            tags: Vec::new(),
            open_tag: None,
            langs: Vec::new(),
            setting: Setting::Along,
            dots: Vec::new(),
        };
        let mut text = String::new();
        let mut x = indent;
        // A centred mark whose glue shrinks moves left into its left blank
        // by its share, so it keeps even room on both sides.
        let pull = |at: usize, mark: &shape::Cluster| -> f32 {
            let glue = content[at + 1..]
                .iter()
                .take_while(|i| i.kind != ItemKind::Box)
                .find(|i| i.kind == ItemKind::Glue);
            match glue {
                Some(glue) if adjust && gap < 0.0 => {
                    let taken = -adjustment(glue, gap, stretch, stretch2, shrink);
                    (taken * mark.left / (mark.left + mark.right)).clamp(0.0, mark.left)
                }
                _ => 0.0,
            }
        };
        for (at, item) in content.iter().enumerate() {
            match item.kind {
                ItemKind::Box => {
                    let clusters = &shaped.clusters[item.c0 as usize..item.c1 as usize];
                    for (k, c) in clusters.iter().enumerate() {
                        let source = shaped.cluster_text(c);
                        match c.kind {
                            Kind::Text => {
                                text.push_str(source);
                                let x0 = x;
                                if k + 1 == clusters.len() && c.left > 0.0 {
                                    x -= pull(at, c);
                                }
                                let piece = &self.pieces[c.piece as usize];
                                out.lang(piece.node.map(|_| piece.lang), x);
                                let glyphs = &shaped.glyphs[c.g0 as usize..c.g1 as usize];
                                out.setting = self.setting(c, glyphs);
                                for (i, g) in glyphs.iter().enumerate() {
                                    let label = if i == 0 { source } else { "" };
                                    out.glyph(c.face, c.size, x, g, label);
                                    x += g.advance;
                                }
                                out.setting = Setting::Along;
                                x = x0 + c.width;
                                out.tag(piece.tag, x0, x);
                                if piece.style.italic && is_single_han(source) {
                                    out.dots.push(self.dot(x0, c));
                                }
                                if tracked > 0.0 && items::tracks_after(clusters, k) {
                                    x += items::TRACKING * c.size * tracked;
                                }
                            }
                            Kind::Skip => text.extend(source.chars().filter(|&ch| !invisible(ch))),
                            Kind::Space | Kind::Forced => {}
                        }
                    }
                }
                ItemKind::Glue => {
                    let spaces = &shaped.clusters[item.c0 as usize..item.c1 as usize];
                    let mut drawn = false;
                    for c in spaces {
                        if c.kind == Kind::Space {
                            text.push_str(shaped.cluster_text(c));
                            // The space glyph, so copying gives the space back.
                            if !drawn {
                                if let Some(g) = shaped.glyphs[c.g0 as usize..c.g1 as usize].first()
                                {
                                    out.glyph(c.face, c.size, x, g, shaped.cluster_text(c));
                                }
                                drawn = true;
                            }
                        }
                    }
                    x += item.width;
                    if adjust {
                        x += adjustment(item, gap, stretch, stretch2, shrink);
                    }
                }
                ItemKind::Penalty => {}
            }
        }
        if end.kind == ItemKind::Glue {
            // The space the line breaks at is drawn (blank, taking no room),
            // so text read in order, as from the structure tree of a tagged
            // PDF, keeps its word space between lines.
            let space = shaped.clusters[end.c0 as usize..end.c1 as usize]
                .iter()
                .find(|c| c.kind == Kind::Space);
            if let Some(c) = space {
                if let Some(g) = shaped.glyphs[c.g0 as usize..c.g1 as usize].first() {
                    out.glyph(c.face, c.size, x, g, shaped.cluster_text(c));
                }
            }
        }
        if end.kind == ItemKind::Penalty && !last && !hyphen {
            // The blank of a mark ending the line is part of it.
            x += end.width;
            if adjust {
                x += adjustment(end, gap, stretch, stretch2, shrink);
            }
        }
        if hyphen {
            let c = &shaped.clusters[end.c0 as usize];
            if let Some((id, advance)) = self.fonts.face(c.face).hyphen {
                let g = shape::Glyph {
                    id,
                    advance: advance * c.size,
                    dx: 0.0,
                    dy: 0.0,
                };
                // Not copied: the word is whole in the source.
                out.glyph(c.face, c.size, x, &g, "");
                let x0 = x;
                x += g.advance;
                out.tag(self.pieces[c.piece as usize].tag, x0, x);
            }
            text.push('-');
        }
        out.close_tag();

        let first = content
            .iter()
            .find(|i| i.kind == ItemKind::Box)
            .map(|i| &shaped.clusters[i.c0 as usize]);
        let source = first.map_or_else(
            || self.pieces.first().map_or(0, |p| p.source),
            |c| self.source(c.start as usize),
        );
        let start = content
            .iter()
            .filter(|i| i.kind == ItemKind::Box)
            .find_map(|i| self.node_at(shaped.clusters[i.c0 as usize].start as usize));
        let (mut ascent, mut descent) = (0.0f32, 0.0f32);
        for run in &out.runs {
            let (a, d) = self.fonts.metrics(run.face, run.size);
            ascent = ascent.max(a);
            descent = descent.max(d);
        }
        if out.runs.is_empty() {
            if let Some(c) = first.or(shaped.clusters.first()) {
                (ascent, descent) = self.fonts.metrics(c.face, c.size);
            }
        }
        Line {
            runs: out.runs,
            width: x,
            text,
            hyphenated: hyphen,
            ascent,
            descent,
            tags: out.tags,
            dots: out.dots,
            langs: out.langs,
            source,
            start,
        }
    }
}

struct LineBuilder {
    runs: Vec<TextRun>,
    tags: Vec<(u32, f32, f32)>,
    open_tag: Option<(u32, f32, f32)>,
    /// See [`Line::langs`].
    langs: Vec<(Option<Lang>, f32)>,
    /// The setting of the glyphs pushed now.
    setting: Setting,
    dots: Vec<Rect>,
}

impl LineBuilder {
    fn glyph(&mut self, face: crate::fonts::Face, size: f32, x: f32, g: &shape::Glyph, text: &str) {
        // Each stretch set across a column is a run of its own.
        let across = matches!(self.setting, Setting::Across(_)) && !text.is_empty();
        let same = self.runs.last().is_some_and(|r| {
            r.face == face && r.size == size && r.setting == self.setting && !across
        });
        if !same {
            let mut run = TextRun::new(face, size, x, 0.0);
            run.setting = self.setting;
            self.runs.push(run);
        }
        let run = self.runs.last_mut().expect("a run was just pushed");
        run.push(g.id, x + g.dx - run.x, -g.dy, text);
    }

    fn tag(&mut self, tag: Option<u32>, x0: f32, x1: f32) {
        match (tag, &mut self.open_tag) {
            (Some(t), Some((open, _, end))) if *open == t => *end = x1,
            (Some(t), _) => {
                self.close_tag();
                self.open_tag = Some((t, x0, x1));
            }
            (None, _) => self.close_tag(),
        }
    }

    /// A cluster of `lang` drawn from `x` on: a new stretch if the last one
    /// has another language.
    fn lang(&mut self, lang: Option<Lang>, x: f32) {
        if self.langs.last().is_none_or(|&(last, _)| last != lang) {
            self.langs.push((lang, x));
        }
    }

    fn close_tag(&mut self) {
        if let Some(t) = self.open_tag.take() {
            self.tags.push(t);
        }
    }
}

#[cfg(test)]
mod tests;
