//! Page content: text runs, rules, images and links as printpdf operations,
//! in item order.
//!
//! Tagged: each stretch of items of one structure element is a marked-content
//! sequence with its MCID (`/P <</MCID 3>> BDC … EMC`), and each stretch of
//! page furniture (running heads, folios, rules, leaders) an `/Artifact`.
//!
//! Frames have their origin at the page's top-left with y down; PDF user
//! space has it at the bottom-left with y up, so every y becomes
//! `page.height - y`.
//!
//! A run is one text section. Its first glyph is placed with a text matrix;
//! each next glyph on the same baseline follows in the same `ShowText`, with
//! the difference between where the previous glyph's advance (its `/W`
//! width) leaves the pen and where the glyph belongs as an offset, so the
//! file has one `Tm` and one `TJ` per baseline. A glyph off the baseline
//! (`Glyph.y`) gets its own matrix. In a vertical book, a run turned a
//! quarter (Latin in a column) has the matrix `[0 -1 1 0 x y]`, and upright
//! Han is shown in the face's vertical twin (`Identity-V`), so that text
//! extraction reads a column as a line. Word spacing (`Tw`) is never used:
//! it does not apply to 2-byte codes.
//!
//! Copy text: a cluster (a glyph with text and the empty-text glyphs after
//! it) whose glyphs' `ToUnicode` texts do not spell the cluster's text is
//! wrapped in a `/Span << /ActualText … >>` marked-content sequence, e.g. a
//! hyphen added at a line break (text "") or a base glyph with a mark glyph.
//! In a vertical book, each column is one such span instead, with the
//! column's text, around its elements' marked content: extraction then
//! reads it as one line, Latin turned and digits across included.

use std::collections::BTreeMap;
use std::sync::Arc;

use printpdf::{
    Actions, BorderArray, Codepoint, Color, ColorArray, DictItem, FontId, HighlightingMode,
    LinePoint, LinkAnnotation, Op, PaintMode, PdfFontHandle, Point, Polygon, PolygonRing, Pt,
    TextItem, TextMatrix, WindingOrder, XObjectId, XObjectTransform,
};

use super::font::{vertical_resource, EmbeddedFont};
use crate::fonts::Face;
use crate::typeset::frame::{
    Element, ElementId, Glyph, ImageData, Item, LinkTarget, Page, Rect, Rgb, Setting, TextRun,
    BLACK,
};

/// How far a glyph of a vertical font advances, in 1/1000 em: the
/// `/DW2` default, which the vertical twins keep.
const VERTICAL_ADVANCE: f64 = 1000.0;

/// The resource name of image `index`.
pub(super) fn image_name(index: usize) -> String {
    format!("Im{}", index + 1)
}

/// Which glyphs hand printpdf their copy text. printpdf builds a font's
/// `ToUnicode` map from the text of each glyph's last use in the document,
/// so only that use carries it; the others carry an empty string, which
/// costs no allocation (a book shows hundreds of thousands of glyphs).
#[derive(Default)]
pub(super) struct LastUses {
    /// The glyphs met so far, going back from the end of the book.
    seen: BTreeMap<Face, Vec<bool>>,
}

impl LastUses {
    /// For each glyph of `page`'s runs in order: whether it is the glyph's
    /// last use. Pages must be asked last to first.
    fn of_page(&mut self, page: &Page) -> Vec<bool> {
        let mut out = Vec::new();
        for item in page.items.iter().rev() {
            let Item::Text(run) = item else { continue };
            let seen = self.seen.entry(run.face).or_default();
            for glyph in run.glyphs.iter().rev() {
                let id = usize::from(glyph.id);
                if seen.len() <= id {
                    seen.resize(id + 1, false);
                }
                out.push(!std::mem::replace(&mut seen[id], true));
            }
        }
        out.reverse();
        out
    }
}

/// One page's operations, and what its marked content and link
/// annotations belong to.
pub(super) struct PageContent {
    pub ops: Vec<Op>,
    /// The element of each MCID (the index) of the page.
    pub marked: Vec<ElementId>,
    /// The link element of each link annotation, in order.
    pub links: Vec<Option<ElementId>>,
}

/// What is drawn is marked as: a structure element's content, or furniture.
type Mark = Option<ElementId>;

/// One page's operations. `heights` holds every page's height, for the
/// targets of internal links; pages are written last to first (see
/// [`LastUses`]).
pub(super) fn page(
    page: &Page,
    fonts: &BTreeMap<Face, EmbeddedFont>,
    images: &[Arc<ImageData>],
    heights: &[f32],
    last_uses: &mut LastUses,
    elements: &[Element],
    links: bool,
) -> Result<PageContent, String> {
    let mut out = PageContent {
        ops: Vec::new(),
        marked: Vec::new(),
        links: Vec::new(),
    };
    let mut open: Option<Mark> = None;
    let height = f64::from(page.height);
    let last_uses = last_uses.of_page(page);
    let mut last_uses = last_uses.into_iter();
    let columns = columns(&page.items);
    let mut column = columns.iter().peekable();
    for (index, item) in page.items.iter().enumerate() {
        let mark = match item {
            Item::Text(run) if run.glyphs.is_empty() => continue,
            Item::Text(run) => Some(run.element),
            Item::Rule(_) | Item::Dot(_) | Item::Fill { .. } => Some(None),
            Item::Image { element, .. } => Some(*element),
            Item::Link { .. } if !links => continue,
            Item::Link { .. } => None,
        };
        let in_column = column.peek().filter(|c| c.items.contains(&index));
        if let Some(c) = in_column.filter(|c| c.items.start == index) {
            // The column's span holds its elements' marked content.
            if open.take().is_some() {
                out.ops.push(Op::EndMarkedContent);
            }
            out.ops.push(Op::BeginMarkedContentWithProperties {
                tag: "Span".into(),
                properties: actual_text(&c.text),
            });
        }
        let spans = in_column.is_none();
        if let Some(mark) = mark.filter(|&m| open != Some(m)) {
            if open.is_some() {
                out.ops.push(Op::EndMarkedContent);
            }
            out.ops.push(begin_marked(mark, elements, &mut out.marked));
            open = Some(mark);
        }
        let ops = &mut out.ops;
        match item {
            Item::Text(run) => {
                let font = &fonts[&run.face];
                text_run(ops, run, font, height, &mut last_uses, spans);
            }
            Item::Rule(rect) => ops.push(Op::DrawRectangle {
                rectangle: pdf_rect(page, rect, Some(PaintMode::Fill)),
            }),
            Item::Dot(rect) => ops.push(Op::DrawPolygon {
                polygon: circle(&pdf_rect(page, rect, None)),
            }),
            Item::Fill { rect, color } => {
                ops.push(Op::SetFillColor { col: rgb(*color) });
                ops.push(Op::DrawRectangle {
                    rectangle: pdf_rect(page, rect, Some(PaintMode::Fill)),
                });
                ops.push(Op::SetFillColor { col: rgb(BLACK) });
            }
            Item::Image { rect, image, .. } => {
                let index = super::image::index(images, image)
                    .ok_or("an image missing from the image list")?;
                let corner = pdf_rect(page, rect, None);
                ops.push(Op::UseXobject {
                    id: XObjectId(image_name(index)),
                    transform: XObjectTransform {
                        translate_x: Some(corner.x),
                        translate_y: Some(corner.y),
                        scale_x: Some(corner.width.0),
                        scale_y: Some(corner.height.0),
                        ..XObjectTransform::default()
                    },
                });
            }
            Item::Link {
                rect,
                target,
                element,
            } => {
                ops.push(Op::LinkAnnotation {
                    link: link(page, rect, target, heights),
                });
                out.links.push(*element);
            }
        }
        if column.next_if(|c| c.items.end == index + 1).is_some() {
            if open.take().is_some() {
                out.ops.push(Op::EndMarkedContent);
            }
            out.ops.push(Op::EndMarkedContent);
        }
    }
    if open.is_some() {
        out.ops.push(Op::EndMarkedContent);
    }
    Ok(out)
}

/// The items of one column of a vertical book, and their text.
struct Column {
    items: std::ops::Range<usize>,
    text: String,
}

/// The columns of a vertical page. Each is shown as one `ActualText` span,
/// so that text extraction reads it as one line, whatever it mixes: Han
/// upright, Latin turned, digits across, other elements (a link, a word in
/// another language: their marked content goes inside the span).
fn columns(items: &[Item]) -> Vec<Column> {
    let mut out: Vec<Column> = Vec::new();
    // The last column's line, while it may go on.
    let mut open = None;
    for (index, item) in items.iter().enumerate() {
        let run = match item {
            Item::Link { .. } => continue,
            Item::Text(run) if !run.glyphs.is_empty() => run,
            _ => {
                open = None;
                continue;
            }
        };
        let vertical = matches!(run.setting, Setting::Upright | Setting::Turned);
        let key = run.line.filter(|_| vertical);
        match (key, out.last_mut()) {
            (Some(key), Some(last)) if open == Some(key) => {
                last.items.end = index + 1;
                last.text.push_str(&run.text);
            }
            (Some(_), _) => out.push(Column {
                items: index..index + 1,
                text: run.text.clone(),
            }),
            (None, _) => {}
        }
        open = key;
    }
    out
}

/// Opens the marked-content sequence of `mark`: an artifact, or the next
/// MCID of the page, given to its element.
fn begin_marked(mark: Mark, elements: &[Element], marked: &mut Vec<ElementId>) -> Op {
    let Some(element) = mark else {
        return Op::BeginMarkedContent {
            tag: "Artifact".into(),
        };
    };
    let mcid = marked.len() as i64;
    marked.push(element);
    let role = elements
        .get(element as usize)
        .map_or("Span", |e| e.role.name());
    Op::BeginMarkedContentWithProperties {
        tag: role.into(),
        properties: DictItem::Dict {
            map: BTreeMap::from([("MCID".to_owned(), DictItem::Int(mcid))]),
        },
    }
}

/// A frame rectangle (top-left origin) as a PDF rectangle (bottom-left).
fn pdf_rect(page: &Page, rect: &Rect, mode: Option<PaintMode>) -> printpdf::Rect {
    let at = |v: f64| Pt(round_to(v, 1000.0) as f32);
    printpdf::Rect {
        x: at(rect.x.into()),
        y: at(f64::from(page.height) - f64::from(rect.y) - f64::from(rect.height)),
        width: at(rect.width.into()),
        height: at(rect.height.into()),
        mode,
        winding_order: None,
    }
}

/// A filled circle in a square: four Bézier quarters.
fn circle(square: &printpdf::Rect) -> Polygon {
    // The control points' distance for a quarter circle of radius 1.
    const K: f32 = 0.552_284_8;
    let r = square.width.0 / 2.0;
    let (cx, cy) = (square.x.0 + r, square.y.0 + r);
    let at = |x: f32, y: f32, bezier| LinePoint {
        p: Point {
            x: Pt(cx + x * r),
            y: Pt(cy + y * r),
        },
        bezier,
    };
    let mut points = vec![at(1.0, 0.0, false)];
    for (x, y) in [(0.0, 1.0), (-1.0, 0.0), (0.0, -1.0), (1.0, 0.0)] {
        // From the quarter's start (y, -x turned back) to (x, y).
        let (sx, sy) = (y, -x);
        points.push(at(sx + K * x, sy + K * y, true));
        points.push(at(x + K * sx, y + K * sy, true));
        points.push(at(x, y, false));
    }
    Polygon {
        rings: vec![PolygonRing { points }],
        mode: PaintMode::Fill,
        winding_order: WindingOrder::NonZero,
    }
}

fn link(page: &Page, rect: &Rect, target: &LinkTarget, heights: &[f32]) -> LinkAnnotation {
    let actions = match target {
        LinkTarget::Uri(uri) => Actions::Uri(ascii_uri(uri)),
        LinkTarget::Internal { page: to, y } => {
            let height = heights[*to];
            let top = (height - y).clamp(0.0, height);
            Actions::Goto(printpdf::Destination::Xyz {
                page: to + 1,
                left: None,
                top: Some(round_to(top.into(), 1000.0) as f32),
                zoom: None,
            })
        }
    };
    LinkAnnotation {
        rect: pdf_rect(page, rect, None),
        actions,
        border: BorderArray::Solid([0.0, 0.0, 0.0]),
        color: ColorArray::Transparent,
        highlighting: HighlightingMode::Invert,
    }
}

/// URIs are ASCII in PDF: other bytes, spaces and controls are %-escaped.
fn ascii_uri(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    for &byte in uri.as_bytes() {
        if byte.is_ascii_graphic() {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// `color` as a fill colour.
fn rgb(color: Rgb) -> Color {
    let [r, g, b] = color.map(|c| f32::from(c) / 255.0);
    Color::Rgb(printpdf::Rgb::new(r, g, b, None))
}

/// Shows a run in its own text section; `spans`: whether a cluster whose
/// glyphs do not spell its text gets an `ActualText` span (not within a
/// column's).
fn text_run(
    ops: &mut Vec<Op>,
    run: &TextRun,
    font: &EmbeddedFont,
    height: f64,
    last_uses: &mut impl Iterator<Item = bool>,
    spans: bool,
) {
    let size = round_to(f64::from(run.size), 1000.0);
    if run.color != BLACK {
        ops.push(Op::SetFillColor {
            col: rgb(run.color),
        });
    }
    ops.push(Op::StartTextSection);
    ops.push(Op::SetFont {
        font: PdfFontHandle::External(FontId(font.resource.clone())),
        size: Pt(size as f32),
    });
    let writing = match run.setting {
        Setting::Along | Setting::Across(_) | Setting::Standing => Writing::Horizontal,
        Setting::Turned => Writing::Turned,
        Setting::Upright => Writing::Vertical,
    };
    // printpdf knows one font per face and has no vertical fonts: it
    // encodes the glyphs for the face, and this selects its twin, which
    // `finish` adds with the same glyphs under `Identity-V`.
    let vertical_font = (writing == Writing::Vertical).then(|| Op::Unknown {
        key: "Tf".into(),
        value: vec![
            DictItem::Name(vertical_resource(&font.resource).into_bytes()),
            DictItem::Real(size as f32),
        ],
    });
    ops.extend(vertical_font.clone());
    // Horizontal scaling (`Tz`) outlives the text section: set back after.
    let scale = round_to(f64::from(run.width_scale), 1000.0);
    let scaled = scale != 1.0;
    if scaled {
        ops.push(Op::SetHorizontalScaling {
            percent: (scale * 100.0) as f32,
        });
    }
    let mut text = TextWriter {
        ops,
        font,
        size,
        scale,
        writing,
        vertical_font,
        pen: None,
        items: Vec::new(),
    };
    for cluster in clusters(&run.glyphs) {
        let actual = run.text_of(&cluster[0]);
        // Glyphs side by side across a column (縱中橫) read as one.
        let across = writing == Writing::Vertical && cluster.len() > 1;
        let span = spans && (across || !spells(cluster.iter().map(|g| font.text(g.id)), actual));
        if span {
            text.flush();
            text.ops.push(Op::BeginMarkedContentWithProperties {
                tag: "Span".into(),
                properties: actual_text(actual),
            });
        }
        for glyph in cluster {
            let (x, y) = match run.setting {
                // Down the page from the run's origin; up is to the right.
                Setting::Turned => (run.x - glyph.y, run.y + glyph.x),
                _ => (run.x + glyph.x, run.y + glyph.y),
            };
            let (x, y) = (f64::from(x), height - f64::from(y));
            text.glyph(glyph.id, x, y, last_uses.next().unwrap_or(true));
        }
        if span {
            text.flush();
            text.ops.push(Op::EndMarkedContent);
        }
    }
    text.flush();
    if scaled {
        text.ops.push(Op::SetHorizontalScaling { percent: 100.0 });
    }
    text.ops.push(Op::EndTextSection);
    if run.color != BLACK {
        text.ops.push(Op::SetFillColor { col: rgb(BLACK) });
    }
}

/// `<< /ActualText (text) >>`, the text in UTF-16BE with its byte order mark.
fn actual_text(text: &str) -> DictItem {
    let mut data = vec![0xFE, 0xFF];
    data.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
    DictItem::Dict {
        map: BTreeMap::from([(
            "ActualText".to_owned(),
            DictItem::String {
                data,
                literal: false,
            },
        )]),
    }
}

/// Whether `parts`, one after another, are exactly `text` (without
/// building the string: this runs for every cluster of every page).
fn spells<'a>(parts: impl Iterator<Item = &'a str>, text: &str) -> bool {
    let mut rest = text;
    for part in parts {
        match rest.strip_prefix(part) {
            Some(after) => rest = after,
            None => return false,
        }
    }
    rest.is_empty()
}

/// Splits glyphs into clusters: each glyph with text starts one; empty-text
/// glyphs continue the current one (or, at the start, form their own).
fn clusters(glyphs: &[Glyph]) -> Vec<&[Glyph]> {
    let mut out = Vec::new();
    let mut start = 0;
    for i in 1..glyphs.len() {
        if !glyphs[i].text.is_empty() {
            out.push(&glyphs[start..i]);
            start = i;
        }
    }
    if start < glyphs.len() {
        out.push(&glyphs[start..]);
    }
    out
}

/// How a text section's glyphs advance.
#[derive(Clone, Copy, PartialEq)]
enum Writing {
    /// Along a horizontal baseline, by their `/W` widths.
    Horizontal,
    /// Along a baseline turned a quarter clockwise, down the page (text
    /// matrix `[0 -1 1 0 x y]`), by their `/W` widths.
    Turned,
    /// Upright, down the page, in the font's vertical twin (`Identity-V`):
    /// the pen is a glyph's vertical origin, the top centre of its em box,
    /// and each glyph advances one em (`/DW2`'s default `[880 -1000]`).
    Vertical,
}

impl Writing {
    /// A point as (along the writing, across it) in user space.
    fn along(self, x: f64, y: f64) -> (f64, f64) {
        match self {
            Writing::Horizontal => (x, y),
            Writing::Turned | Writing::Vertical => (-y, x),
        }
    }

    /// What a `TJ` offset of one unit does to the pen: a horizontal (or
    /// turned) one moves it back, a vertical one forward (ISO 32000-1 9.4.4).
    fn offset_sign(self) -> f64 {
        match self {
            Writing::Horizontal | Writing::Turned => 1.0,
            Writing::Vertical => -1.0,
        }
    }
}

/// Builds the text matrices and `ShowText` operations of one text section.
struct TextWriter<'a> {
    ops: &'a mut Vec<Op>,
    font: &'a EmbeddedFont,
    size: f64,
    /// The glyphs' width as a fraction of their natural width.
    scale: f64,
    writing: Writing,
    /// In vertical writing, the `Tf` selecting the vertical twin.
    vertical_font: Option<Op>,
    /// Where the pen is after the last glyph: along the writing and across
    /// it, in user space units.
    pen: Option<(f64, f64)>,
    /// The pending `ShowText`'s glyphs and offsets.
    items: Vec<TextItem>,
}

impl TextWriter<'_> {
    /// Shows glyph `id` at (x, y); `last_use` hands printpdf its copy text.
    fn glyph(&mut self, id: u16, x: f64, y: f64, last_use: bool) {
        let writing = self.writing;
        let (a, across) = writing.along(x, y);
        match self.pen {
            Some((pen_a, pen_across)) if (pen_across - across).abs() < 0.0005 => {
                // TJ offsets are in 1/1000 text space units.
                let sign = writing.offset_sign();
                let unit = self.unit();
                let offset = round_to(sign * (pen_a - a) * 1000.0 / unit, 100.0);
                if offset != 0.0 {
                    self.items.push(TextItem::Offset(offset as f32));
                    let moved = sign * offset * unit / 1000.0;
                    self.pen = Some((pen_a - moved, pen_across));
                }
            }
            _ => {
                self.flush();
                if let (Some(tf), Some(_)) = (&self.vertical_font, self.pen) {
                    // printpdf joins glyphs on one baseline with horizontal
                    // `TJ` offsets, which move a vertical font's pen down:
                    // another operator between them keeps those of a
                    // column's width (縱中橫) apart.
                    self.ops.push(tf.clone());
                }
                let (x, y) = (round_to(x, 1000.0), round_to(y, 1000.0));
                let (x32, y32) = (x as f32, y as f32);
                let matrix = match writing {
                    Writing::Turned => [0.0, -1.0, 1.0, 0.0, x32, y32],
                    _ => [1.0, 0.0, 0.0, 1.0, x32, y32],
                };
                self.ops.push(Op::SetTextMatrix {
                    matrix: TextMatrix::Raw(matrix),
                });
                self.pen = Some(writing.along(f64::from(x32), f64::from(y32)));
            }
        }
        let codepoint = Codepoint {
            gid: self.font.glyph(id),
            offset: 0.0,
            cid: Some(if last_use {
                self.font.text(id).to_owned()
            } else {
                String::new()
            }),
        };
        match self.items.last_mut() {
            Some(TextItem::GlyphIds(glyphs)) => glyphs.push(codepoint),
            _ => self.items.push(TextItem::GlyphIds(vec![codepoint])),
        }
        let advance = match writing {
            Writing::Vertical => VERTICAL_ADVANCE,
            _ => self.font.width(id) as f64,
        };
        if let Some((pen_a, pen_across)) = self.pen {
            self.pen = Some((pen_a + advance * self.unit() / 1000.0, pen_across));
        }
    }

    /// What a thousandth of an advance or a `TJ` offset is along the
    /// writing: horizontal scaling applies across, not down a column.
    fn unit(&self) -> f64 {
        match self.writing {
            Writing::Vertical => self.size,
            _ => self.size * self.scale,
        }
    }

    /// Writes the pending `ShowText`; the pen stays where it is.
    fn flush(&mut self) {
        if !self.items.is_empty() {
            let items = std::mem::take(&mut self.items);
            self.ops.push(Op::ShowText { items });
        }
    }
}

fn round_to(value: f64, per_unit: f64) -> f64 {
    (value * per_unit).round() / per_unit
}
