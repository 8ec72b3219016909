//! Frames: pages of positioned glyph runs, rules, images and link areas.
//!
//! The typesetter produces them; the PDF writer serializes them; neither
//! looks at the other's input. Units are PostScript points (1/72 in); the
//! origin is the page's top-left corner and y grows downwards (the PDF
//! writer flips it).

use std::sync::Arc;

use crate::doc::PageStart;
use crate::fonts::Face;

/// A whole typeset book.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pages {
    pub pages: Vec<Page>,
    /// Bookmarks: chapters, with their sections as children.
    pub outline: Vec<OutlineItem>,
    /// Page-number styles, by the first page (0-based) they apply from.
    pub labels: Vec<LabelRange>,
}

impl Pages {
    /// The label of page `index` (0-based): its number in the style of its range.
    pub fn label(&self, index: usize) -> String {
        let Some(range) = self.labels.iter().rev().find(|r| r.first_page <= index) else {
            return (index + 1).to_string();
        };
        let number = range.start + (index - range.first_page) as u32;
        match range.style {
            LabelStyle::LowerRoman => super::roman(number),
            LabelStyle::Decimal => number.to_string(),
        }
    }

    /// The pages whose text starts in a chapter: label and place, in page order.
    pub fn starts(&self) -> Vec<(String, PageStart)> {
        (self.pages.iter().enumerate())
            .filter_map(|(i, page)| Some((self.label(i), page.start?)))
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    pub width: f32,
    pub height: f32,
    pub items: Vec<Item>,
    /// Every typeset line, for golden tests: what and where, not how.
    pub lines: Vec<LineRecord>,
    /// Where the page's text starts in the book's chapters (none on the
    /// front matter and on pages without text), for the EPUB's print page markers.
    pub start: Option<PageStart>,
}

/// One thing drawn on a page.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    Text(TextRun),
    /// A filled rectangle: rules, table borders, footnote separator.
    Rule(Rect),
    Image {
        rect: Rect,
        image: Arc<ImageData>,
    },
    /// A clickable area.
    Link {
        rect: Rect,
        target: LinkTarget,
    },
}

/// Glyphs of one face and size on one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub face: Face,
    /// Font size in points.
    pub size: f32,
    /// Left end of the baseline.
    pub x: f32,
    pub y: f32,
    /// The source text of every glyph, one after another.
    pub text: String,
    pub glyphs: Vec<Glyph>,
}

impl TextRun {
    pub fn new(face: Face, size: f32, x: f32, y: f32) -> TextRun {
        TextRun {
            face,
            size,
            x,
            y,
            text: String::new(),
            glyphs: Vec::new(),
        }
    }

    /// Adds a glyph standing for `text`: no allocation per glyph, the text
    /// goes to the run's buffer.
    pub fn push(&mut self, id: u16, x: f32, y: f32, text: &str) {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        self.glyphs.push(Glyph {
            id,
            x,
            y,
            text: start..self.text.len() as u32,
        });
    }

    /// The source text a glyph stands for.
    pub fn text_of(&self, glyph: &Glyph) -> &str {
        &self.text[glyph.text.start as usize..glyph.text.end as usize]
    }
}

/// A glyph placed relative to its run's origin.
#[derive(Debug, Clone, PartialEq)]
pub struct Glyph {
    /// Glyph id in the face's font file (not a subset).
    pub id: u16,
    /// Offset from the run's origin along the baseline, in points.
    pub x: f32,
    /// Offset across the baseline (up is negative), in points.
    pub y: f32,
    /// Bytes of the run's text this glyph stands for, so copying gives it
    /// back: the whole cluster on its first glyph, none on the cluster's
    /// other glyphs. A hyphen added at a line break carries "-" only if it
    /// should be copied.
    pub text: std::ops::Range<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

impl Rect {
    /// The same rectangle moved by `dx`, `dy`.
    pub fn moved(self, dx: f32, dy: f32) -> Rect {
        Rect {
            x: self.x + dx,
            y: self.y + dy,
            ..self
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum LinkTarget {
    Uri(String),
    /// A place in the book: page index (0-based) and y from the page's top.
    Internal {
        page: usize,
        y: f32,
    },
}

/// Decoded image pixels, 8-bit RGB, written losslessly.
#[derive(Debug, Clone, PartialEq)]
pub struct ImageData {
    pub width: u32,
    pub height: u32,
    pub rgb: Vec<u8>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutlineItem {
    pub title: String,
    pub page: usize,
    pub y: f32,
    pub children: Vec<OutlineItem>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelStyle {
    /// i, ii, iii …
    LowerRoman,
    /// 1, 2, 3 …
    Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LabelRange {
    pub first_page: usize,
    pub style: LabelStyle,
    /// The number shown on `first_page`.
    pub start: u32,
}

/// A line as the golden tests see it.
#[derive(Debug, Clone, PartialEq)]
pub struct LineRecord {
    /// Baseline, from the page's top.
    pub y: f32,
    pub x: f32,
    /// The text the line shows (what copying it gives).
    pub text: String,
    /// Natural width after justification, and the measure it was set to.
    pub width: f32,
    pub measure: f32,
}
