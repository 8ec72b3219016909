//! The document model: what an article says, independent of EPUB or PDF.
//!
//! Every node keeps the byte range it came from in its article's source file
//! (the file is named once, on the [`Document`]).

mod align;
mod dump;
mod link;
mod parse;
mod passes;
mod place;

pub use link::link_href;

use std::cell::{Cell, OnceCell};
use std::ops::Range;
use std::path::{Path, PathBuf};

pub use align::{align, structure_warning, Pair};
pub use dump::dump;
pub use parse::{parse, MAX_DEPTH};
pub use passes::{
    convert_text, first_char, last_char, mark_language_runs, normalize_text, plain_text,
    resolve_soft_breaks, Change,
};
pub use place::{PageStart, TextAt, TextNode};

use crate::book::Lang;
use crate::error::{Diagnostic, Location};

/// One article's body, parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct Document {
    /// The Markdown file the nodes' ranges point into.
    pub source: PathBuf,
    /// The language of the text, unless an inline says otherwise.
    pub lang: Lang,
    pub blocks: Vec<Block>,
    /// Source offsets of containers nested deeper than [`MAX_DEPTH`],
    /// kept as plain text; the renderers warn once (see [`Document::warnings`]).
    pub too_deep: Vec<usize>,
    /// Footnote definitions of a label defined before, as (label, offset,
    /// offset of the first): each is set as a note of its own, with a warning.
    pub repeated_notes: Vec<(String, usize, usize)>,
}

/// A byte range in the source file.
pub type Span = Range<usize>;

/// Byte offsets in one source text → [`Location`]s, the same as
/// [`Location::in_text`] gives, without reading the text from its start for
/// each: the line starts are indexed once (on first use), and a column is
/// counted on from the last place located when that is earlier on the same
/// line. A renderer warning about every one of a hundred thousand links or
/// overfull lines in a large article would otherwise take quadratic time.
pub struct Locator<'t> {
    path: &'t Path,
    text: &'t str,
    line_starts: OnceCell<Vec<usize>>,
    /// The last place located: byte offset and column.
    last: Cell<(usize, usize)>,
}

impl<'t> Locator<'t> {
    pub fn new(path: &'t Path, text: &'t str) -> Locator<'t> {
        Locator {
            path,
            text,
            line_starts: OnceCell::new(),
            last: Cell::new((usize::MAX, 0)),
        }
    }

    /// The location of `c` at or after byte `offset` (see
    /// [`Location::char_offset`]).
    pub fn locate_char(&self, offset: usize, c: char, within: usize) -> Location {
        self.locate(Location::char_offset(self.text, offset, c, within))
    }

    /// The location of byte `offset` (clamped to the text, and back to a character boundary).
    pub fn locate(&self, offset: usize) -> Location {
        let text = self.text;
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let line = starts.partition_point(|&start| start <= offset);
        let start = starts[line - 1];
        let (last, last_col) = self.last.get();
        let col = if (start..=offset).contains(&last) {
            last_col + text[last..offset].chars().count()
        } else {
            text[start..offset].chars().count() + 1
        };
        self.last.set((offset, col));
        Location {
            path: self.path.to_path_buf(),
            line,
            col,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub kind: BlockKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum BlockKind {
    /// `level` 1–6; `id` is unique within the document, for links and the TOC.
    Heading {
        level: u8,
        id: String,
        content: Vec<Inline>,
    },
    Paragraph(Vec<Inline>),
    /// `start` is the first number of an ordered list, `None` for bullets.
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
    },
    BlockQuote(Vec<Block>),
    CodeBlock {
        info: String,
        text: String,
    },
    Table {
        alignments: Vec<Alignment>,
        header: Vec<Vec<Inline>>,
        rows: Vec<Vec<Vec<Inline>>>,
    },
    /// A footnote's text, wherever it was written; `number` counts references in order.
    FootnoteDefinition {
        label: String,
        number: usize,
        blocks: Vec<Block>,
    },
    ThematicBreak,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alignment {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Inline {
    pub kind: InlineKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum InlineKind {
    /// Text in the document's language, or in `lang` where it differs
    /// (a Latin run in Chinese text, a Han run in English).
    Text {
        text: String,
        lang: Option<Lang>,
    },
    /// A line break in the source inside a paragraph; [`resolve_soft_breaks`]
    /// turns it into a space or nothing.
    SoftBreak,
    HardBreak,
    Emphasis(Vec<Inline>),
    Strong(Vec<Inline>),
    Strikethrough(Vec<Inline>),
    Code(String),
    Link {
        url: String,
        title: String,
        content: Vec<Inline>,
    },
    Image {
        url: String,
        title: String,
        alt: Vec<Inline>,
    },
    FootnoteReference {
        label: String,
        number: usize,
    },
}

impl Inline {
    pub fn text(text: impl Into<String>, span: Span) -> Inline {
        Inline {
            kind: InlineKind::Text {
                text: text.into(),
                lang: None,
            },
            span,
        }
    }

    /// The inlines nested in this one, if any.
    pub fn children(&self) -> Option<&Vec<Inline>> {
        match &self.kind {
            InlineKind::Emphasis(c) | InlineKind::Strong(c) | InlineKind::Strikethrough(c) => {
                Some(c)
            }
            InlineKind::Link { content, .. } => Some(content),
            InlineKind::Image { alt, .. } => Some(alt),
            _ => None,
        }
    }

    pub fn children_mut(&mut self) -> Option<&mut Vec<Inline>> {
        match &mut self.kind {
            InlineKind::Emphasis(c) | InlineKind::Strong(c) | InlineKind::Strikethrough(c) => {
                Some(c)
            }
            InlineKind::Link { content, .. } => Some(content),
            InlineKind::Image { alt, .. } => Some(alt),
            _ => None,
        }
    }
}

/// Whether every image among `inlines` (nested ones too) has alt text or
/// is marked decorative; `source` is the text their spans index.
pub fn images_have_alt(inlines: &[Inline], source: &str) -> bool {
    inlines.iter().all(|inline| match &inline.kind {
        InlineKind::Image { alt, .. } => {
            !passes::plain_text(alt).trim().is_empty() || is_decorative(source, &inline.span)
        }
        _ => inline.children().is_none_or(|c| images_have_alt(c, source)),
    })
}

/// Whether the image written at `span` of `source` is marked decorative:
/// no alt text and an empty title (`![](rule.png "")`).
pub fn is_decorative(source: &str, span: &Span) -> bool {
    let written = source.get(span.clone()).unwrap_or("").trim_end();
    let inside = written.strip_suffix(')').unwrap_or(written).trim_end();
    written.starts_with("![]") && ["\"\"", "''", "()"].iter().any(|t| inside.ends_with(t))
}

impl Document {
    /// What parsing kept but a writer should hear of: containers nested
    /// deeper than [`MAX_DEPTH`] (once, at the first place), and footnote
    /// labels defined twice. `text` is the whole source file.
    pub fn warnings(&self, text: &str) -> Vec<Diagnostic> {
        let mut warnings: Vec<_> = self.depth_warning(text).into_iter().collect();
        for (label, at, first) in &self.repeated_notes {
            let first = Location::in_text(&self.source, text, *first);
            let label = crate::text::excerpt(label);
            warnings.push(
                Diagnostic::warning(
                    Some(Location::in_text(&self.source, text, *at)),
                    format!(
                        "the footnote [^{label}] was defined before (line {}); this definition is set as a note of its own, which no text refers to",
                        first.line
                    ),
                )
                .hint("give each note its own label, and refer to it where it belongs"),
            );
        }
        warnings
    }

    fn depth_warning(&self, text: &str) -> Option<Diagnostic> {
        let first = *self.too_deep.first()?;
        let others = match self.too_deep.len() - 1 {
            0 => String::new(),
            1 => " (and in 1 other place)".to_string(),
            n => format!(" (and in {n} other places)"),
        };
        let location = Location::in_text(&self.source, text, first);
        Some(
            Diagnostic::warning(
                Some(location),
                format!(
                    "quotes, lists or emphasis nested more than {MAX_DEPTH} deep{others}; the deeper levels are set as plain text"
                ),
            )
            .hint("nest less deeply"),
        )
    }

    /// What to add to the document's Markdown heading levels so that its
    /// top headings are level 2, under the chapter's title.
    pub fn heading_shift(&self) -> i16 {
        let top = self
            .blocks
            .iter()
            .filter_map(|b| match b.kind {
                BlockKind::Heading { level, .. } => Some(level),
                _ => None,
            })
            .min()
            .unwrap_or(2);
        2 - i16::from(top)
    }

    /// Calls `f` on every inline sequence of the document, blocks in order.
    pub fn for_each_inlines_mut(&mut self, f: &mut impl FnMut(&mut Vec<Inline>)) {
        for block in &mut self.blocks {
            block.for_each_inlines_mut(f);
        }
    }

    /// Every footnote definition, wherever it was written (in a quote or a
    /// list item too), in order: its number and its blocks.
    pub fn footnote_definitions(&self) -> Vec<(usize, &[Block])> {
        fn walk<'d>(blocks: &'d [Block], out: &mut Vec<(usize, &'d [Block])>) {
            for block in blocks {
                match &block.kind {
                    BlockKind::FootnoteDefinition { number, blocks, .. } => {
                        out.push((*number, blocks));
                        walk(blocks, out);
                    }
                    BlockKind::List { items, .. } => {
                        for item in items {
                            walk(item, out);
                        }
                    }
                    BlockKind::BlockQuote(blocks) => walk(blocks, out),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.blocks, &mut out);
        out
    }

    /// The ids of every heading, wherever it stands: the targets a
    /// `#fragment` link may have.
    pub fn heading_ids(&self) -> std::collections::BTreeSet<&str> {
        fn walk<'d>(blocks: &'d [Block], out: &mut std::collections::BTreeSet<&'d str>) {
            for block in blocks {
                match &block.kind {
                    BlockKind::Heading { id, .. } => {
                        out.insert(id);
                    }
                    BlockKind::List { items, .. } => {
                        for item in items {
                            walk(item, out);
                        }
                    }
                    BlockKind::BlockQuote(blocks)
                    | BlockKind::FootnoteDefinition { blocks, .. } => walk(blocks, out),
                    _ => {}
                }
            }
        }
        let mut out = std::collections::BTreeSet::new();
        walk(&self.blocks, &mut out);
        out
    }

    /// Calls `f` on every inline sequence of the document, blocks in order.
    pub fn for_each_inlines(&self, f: &mut impl FnMut(&[Inline])) {
        for block in &self.blocks {
            block.for_each_inlines(f);
        }
    }
}

impl Block {
    fn for_each_inlines_mut(&mut self, f: &mut impl FnMut(&mut Vec<Inline>)) {
        match &mut self.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => f(content),
            BlockKind::List { items, .. } => {
                for block in items.iter_mut().flatten() {
                    block.for_each_inlines_mut(f);
                }
            }
            BlockKind::BlockQuote(blocks) | BlockKind::FootnoteDefinition { blocks, .. } => {
                for block in blocks {
                    block.for_each_inlines_mut(f);
                }
            }
            BlockKind::Table { header, rows, .. } => {
                for cell in header.iter_mut().chain(rows.iter_mut().flatten()) {
                    f(cell);
                }
            }
            BlockKind::CodeBlock { .. } | BlockKind::ThematicBreak => {}
        }
    }

    fn for_each_inlines(&self, f: &mut impl FnMut(&[Inline])) {
        match &self.kind {
            BlockKind::Heading { content, .. } | BlockKind::Paragraph(content) => f(content),
            BlockKind::List { items, .. } => {
                for block in items.iter().flatten() {
                    block.for_each_inlines(f);
                }
            }
            BlockKind::BlockQuote(blocks) | BlockKind::FootnoteDefinition { blocks, .. } => {
                for block in blocks {
                    block.for_each_inlines(f);
                }
            }
            BlockKind::Table { header, rows, .. } => {
                for cell in header.iter().chain(rows.iter().flatten()) {
                    f(cell);
                }
            }
            BlockKind::CodeBlock { .. } | BlockKind::ThematicBreak => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locator_agrees_with_location_in_text() {
        let path = Path::new("a.md");
        let text = "ab\n中文,“x”\r\n\nlast line 長";
        let locator = Locator::new(path, text);
        // Forward, backward, repeated, inside a character, past the end.
        let offsets = [0, 1, 3, 4, 6, 9, 2, 0, 14, 15, 15, 7, 100, 5];
        for offset in offsets {
            assert_eq!(
                locator.locate(offset),
                Location::in_text(path, text, offset),
                "offset {offset}"
            );
        }
        for offset in 0..=text.len() + 1 {
            assert_eq!(
                locator.locate(offset),
                Location::in_text(path, text, offset)
            );
        }
    }
}
