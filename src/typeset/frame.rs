//! Frames: pages of positioned glyph runs, rules, images and link areas.
//!
//! The typesetter produces them; the PDF writer serializes them; neither
//! looks at the other's input. Units are PostScript points (1/72 in); the
//! origin is the page's top-left corner and y grows downwards (the PDF
//! writer flips it).

use std::sync::Arc;

use crate::book::Lang;
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
    /// The book's logical structure, for a tagged PDF: every element after
    /// its parent, siblings in reading order; the first is the document.
    /// Text runs and images name the element they belong to.
    pub elements: Vec<Element>,
    /// Pages turn from right to left: a vertical book, bound on the right.
    pub right_to_left: bool,
}

/// An index into [`Pages::elements`].
pub type ElementId = u32;

/// One element of the logical structure.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    pub role: Role,
    /// `None` for the document only.
    pub parent: Option<ElementId>,
    /// Its child elements, in reading order.
    pub children: Vec<ElementId>,
    /// A figure's text alternative; what a link leads to.
    pub alt: Option<String>,
    /// Where the element's language differs from the book's.
    pub lang: Option<Lang>,
}

/// What an element is: the standard structure types of ISO 32000-1 §14.8.4.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Document,
    /// A chapter, or the contents.
    Sect,
    /// One language's text of a bilingual chapter.
    Div,
    /// Headings, by level: 1 for titles.
    H(u8),
    P,
    BlockQuote,
    Code,
    L,
    LI,
    Lbl,
    LBody,
    Table,
    TR,
    TH,
    TD,
    Figure,
    Note,
    Link,
    /// Text in another language than what is around it.
    Span,
    TOC,
    TOCI,
}

impl Role {
    /// Whether the element is text within a paragraph's (a link, a span).
    pub fn is_inline(self) -> bool {
        matches!(self, Role::Link | Role::Span)
    }

    /// The structure type's name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::Sect => "Sect",
            Role::Div => "Div",
            Role::H(1) => "H1",
            Role::H(2) => "H2",
            Role::H(3) => "H3",
            Role::H(4) => "H4",
            Role::H(5) => "H5",
            Role::H(_) => "H6",
            Role::P => "P",
            Role::BlockQuote => "BlockQuote",
            Role::Code => "Code",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::TR => "TR",
            Role::TH => "TH",
            Role::TD => "TD",
            Role::Figure => "Figure",
            Role::Note => "Note",
            Role::Link => "Link",
            Role::Span => "Span",
            Role::TOC => "TOC",
            Role::TOCI => "TOCI",
        }
    }
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

    /// The book with a blank page at its end if it has an odd number of
    /// them: a printed book's leaves have two sides.
    pub fn to_even(&self) -> std::borrow::Cow<'_, Pages> {
        let Some(last) = self.pages.last().filter(|_| self.pages.len() % 2 == 1) else {
            return std::borrow::Cow::Borrowed(self);
        };
        let blank = Page {
            width: last.width,
            height: last.height,
            items: Vec::new(),
            lines: Vec::new(),
            start: None,
        };
        let mut even = self.clone();
        even.pages.push(blank);
        std::borrow::Cow::Owned(even)
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
    /// A filled circle in a square: an emphasis dot (着重號).
    Dot(Rect),
    /// A rectangle filled with a colour: a cover's ground.
    Fill {
        rect: Rect,
        color: Rgb,
    },
    Image {
        rect: Rect,
        image: Arc<ImageData>,
        /// Its figure; `None`: decoration.
        element: Option<ElementId>,
    },
    /// A clickable area, with its link element.
    Link {
        rect: Rect,
        target: LinkTarget,
        element: Option<ElementId>,
    },
}

/// Glyphs of one face and size on one baseline.
#[derive(Debug, Clone, PartialEq)]
pub struct TextRun {
    pub face: Face,
    /// Font size in points.
    pub size: f32,
    /// The glyphs' width as a fraction of their natural width (`1.0`):
    /// digits set across a column are compressed into its em.
    pub width_scale: f32,
    /// Left end of the baseline.
    pub x: f32,
    pub y: f32,
    /// The source text of every glyph, one after another.
    pub text: String,
    pub glyphs: Vec<Glyph>,
    /// The element the run's text belongs to; `None` for page furniture
    /// (running heads, folios, leaders).
    pub element: Option<ElementId>,
    pub setting: Setting,
    /// The line of text the run is part of, unique on its page (`None` for
    /// furniture): a column of a vertical book mixes upright, turned and
    /// across runs that are read as one line.
    pub line: Option<u32>,
    /// The ink: black but on a cover.
    pub color: Rgb,
}

/// A colour as 8-bit red, green and blue.
pub type Rgb = [u8; 3];

/// The colour of text and rules.
pub const BLACK: Rgb = [0, 0, 0];

/// How a run's glyphs stand on the page.
///
/// A vertical book is set as horizontal lines on a page turned a quarter,
/// then turned back ([`crate::typeset`]'s `turn`): `Upright` and `Across`
/// say how a run of such a line stands once the page is turned; the writer
/// never sees `Across` or `Standing`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub enum Setting {
    /// Upright, along a horizontal baseline.
    #[default]
    Along,
    /// Turned a quarter clockwise: the baseline runs down the page from the
    /// run's origin, and a glyph's `x` is down it (Latin in a column).
    Turned,
    /// Each glyph upright in its own em square, down a column (Han,
    /// full-width punctuation in their vertical forms); once turned, a
    /// glyph's position is its vertical origin, as a vertical font's
    /// default metrics have it: half its advance right of its horizontal
    /// origin, 0.88 em above its baseline (an ideograph's em square's top
    /// centre). A glyph that is not an em down from the one before (Latin
    /// set across the column, by turning) is placed on its own.
    Upright,
    /// Set across the column in one em (縱中橫, tate-chu-yoko): the glyphs'
    /// natural width, in points. Turned, it becomes `Upright`.
    Across(f32),
    /// Along a baseline that runs up the page the lines are set on: a table
    /// or code kept horizontal in a vertical book. Turned, it becomes `Along`.
    Standing,
}

impl TextRun {
    pub fn new(face: Face, size: f32, x: f32, y: f32) -> TextRun {
        TextRun {
            face,
            size,
            width_scale: 1.0,
            x,
            y,
            text: String::new(),
            glyphs: Vec::new(),
            element: None,
            setting: Setting::Along,
            line: None,
            color: BLACK,
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
    /// Offset from the run's origin along the baseline, in points (in an
    /// upright run, [`Setting::Upright`], to the right on the page).
    pub x: f32,
    /// Offset across the baseline (up is negative), in points (in an
    /// upright run, down the page).
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
    /// Baseline, from the page's top, and where the line starts. A vertical
    /// book's column starts at the top, `y`, and `x` is where its baseline
    /// runs, turned: 0.12 em left of its ideographs' em boxes.
    pub y: f32,
    pub x: f32,
    /// The text the line shows (what copying it gives).
    pub text: String,
    /// Natural width after justification, and the measure it was set to.
    pub width: f32,
    pub measure: f32,
}
