//! The PDF writer: typeset frames → a PDF file.
//!
//! It reads only [`Pages`] (see [`crate::typeset::frame`]) and the font files,
//! never the document model. printpdf writes the file:
//!
//! - text runs show glyph ids through `Identity-H` Type0 fonts, each glyph at
//!   the position the typesetter gave it (`Tm` and `TJ` offsets, no `Tw`);
//! - every face in use is embedded once, subset by quire to the glyphs the
//!   book shows ([`font`]): CFF faces as bare CID-keyed CFF
//!   (`CIDFontType0`), TrueType faces as `CIDFontType2`, each with a
//!   `ToUnicode` CMap built from the glyphs' text (and `ActualText` spans
//!   where a glyph's copy text differs from its usual one, as for a hyphen
//!   added at a line break);
//! - images are written losslessly (Flate with PNG predictors, [`image`]);
//! - links become link annotations.
//!
//! What printpdf cannot express is done on the lopdf document it returns, in
//! one place ([`finish`]): the nested outline, page labels, `/Lang`, the
//! document info, a reproducible trailer `/ID`, PDF 1.7 with a
//! cross-reference stream, and compression at quire's levels.
//!
//! The output is deterministic: the same input gives the same bytes (the
//! trailer `/ID` and the subset tags are hashes, no clock is read, and every
//! printpdf id is one quire chose).

mod content;
mod finish;
mod font;
mod image;
mod structure;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use printpdf::{
    CurTransMat, FontId, Op, PdfDocument, PdfPage, PdfParseErrorSeverity, PdfSaveOptions, Pt,
    XObjectId,
};

use crate::book::Lang;
use crate::fonts::Fonts;
use crate::typeset::frame::{Item, LinkTarget, OutlineItem, Pages, Rect};

/// What the PDF says about itself.
#[derive(Debug, Clone, PartialEq)]
pub struct PdfMeta {
    pub title: String,
    pub author: String,
    pub subject: String,
    /// `/Lang` of the catalog: en, zh-Hant, zh-Hans.
    pub lang: Lang,
    /// Creation and modification date (from SOURCE_DATE_EPOCH or config).
    pub date: chrono::DateTime<chrono::Utc>,
    /// Stable; hashed into the trailer `/ID`.
    pub identifier: String,
}

/// What a file is for.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Output {
    /// Reading on a screen: links; the page is the trim.
    Reading,
    /// A printer: no annotations; each page's `TrimBox` is the page, its
    /// `BleedBox` (and `MediaBox`) `bleed` points beyond it on `edges`.
    Print { bleed: f32, edges: Edges },
}

/// The edges of a page that printing may run past.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edges {
    /// Head, foot and fore-edge: a bound page, cut on three sides.
    Cut,
    /// All four: a cover sheet.
    All,
}

impl Output {
    /// How far page `index` runs past its trim: left, bottom, right, top.
    fn bleed(self, index: usize, right_to_left: bool) -> [f32; 4] {
        let Output::Print { bleed, edges } = self else {
            return [0.0; 4];
        };
        // A recto (even index) is bound on its left, unless the book
        // turns from right to left.
        let bound_left = index.is_multiple_of(2) != right_to_left;
        match edges {
            Edges::All => [bleed; 4],
            Edges::Cut if bound_left => [0.0, bleed, bleed, bleed],
            Edges::Cut => [bleed, bleed, 0.0, bleed],
        }
    }
}

/// The `/Producer` of every file.
pub const PRODUCER: &str = "quire";

/// Serializes `pages` (see src/typeset/frame.rs): text runs as glyph ids of
/// the faces in `fonts`.
pub fn write_pdf(
    pages: &Pages,
    fonts: &Fonts,
    meta: &PdfMeta,
    output: Output,
) -> Result<Vec<u8>, String> {
    validate(pages)?;
    let mut doc = PdfDocument::new(&meta.title);

    let mut embedded = BTreeMap::new();
    for (i, (face, usage)) in font::collect_usage(pages).into_iter().enumerate() {
        let resource = format!("F{}", i + 1);
        let (font, pdf_font) = font::embed(face, fonts.file(face), &usage, resource)
            .map_err(|e| format!("font {}: {e}", face.key()))?;
        doc.resources
            .fonts
            .map
            .insert(FontId(font.resource.clone()), pdf_font);
        embedded.insert(face, font);
    }

    let images = image::collect(pages);
    for (i, data) in images.iter().enumerate() {
        let xobject = image::xobject(data).map_err(|e| format!("image {}: {e}", i + 1))?;
        doc.resources
            .xobjects
            .map
            .insert(XObjectId(content::image_name(i)), xobject);
    }

    let heights: Vec<f32> = pages.pages.iter().map(|p| p.height).collect();
    let mut last_uses = content::LastUses::default();
    let mut tags = Vec::new();
    let links = output == Output::Reading;
    // Trim boxes, last page first.
    let mut trims = Vec::new();
    for (index, page) in pages.pages.iter().enumerate().rev() {
        let mut content = content::page(
            page,
            &embedded,
            &images,
            &heights,
            &mut last_uses,
            &pages.elements,
            links,
        )?;
        let [left, bottom, right, top] = output.bleed(index, pages.right_to_left);
        let media = printpdf::Rect::from_wh(
            Pt(page.width + left + right),
            Pt(page.height + bottom + top),
        );
        trims.push([left, bottom, left + page.width, bottom + page.height]);
        if left != 0.0 || bottom != 0.0 {
            // The page's content is drawn in its trim box.
            content.ops.insert(
                0,
                Op::SetTransformationMatrix {
                    matrix: CurTransMat::Translate(Pt(left), Pt(bottom)),
                },
            );
        }
        doc.pages.push(PdfPage {
            media_box: media.clone(),
            trim_box: media.clone(),
            crop_box: media,
            ops: content.ops,
        });
        tags.push(structure::PageTags {
            marked: content.marked,
            links: content.links,
        });
    }
    doc.pages.reverse();
    tags.reverse();
    trims.reverse();

    // Streams are compressed by `finish`, images are quire's own bytes.
    let options = PdfSaveOptions {
        optimize: false,
        subset_fonts: false,
        // Writes `Op::Unknown`: the vertical fonts' `Tf` (see `content`).
        secure: false,
        image_optimization: None,
    };
    let mut warnings = Vec::new();
    let document = doc.to_lopdf_document(&options, &mut warnings);
    if let Some(error) = warnings
        .iter()
        .find(|w| w.severity == PdfParseErrorSeverity::Error)
    {
        return Err(format!("printpdf: {}", error.msg));
    }
    finish::finish(document, pages, &tags, &trims, &embedded, meta)
}

/// Rejects what would make a broken file: no pages, bad sizes, links and
/// bookmarks to missing pages, unordered label ranges, non-finite numbers.
fn validate(pages: &Pages) -> Result<(), String> {
    if pages.pages.is_empty() {
        return Err("no pages to write".into());
    }
    let count = pages.pages.len();
    let finite = |values: &[f32], what: &dyn Fn() -> String| {
        if values.iter().all(|v| v.is_finite()) {
            Ok(())
        } else {
            Err(format!("{}: a coordinate is not a finite number", what()))
        }
    };
    for (n, page) in pages.pages.iter().enumerate() {
        let at = || format!("page {}", n + 1);
        finite(&[page.width, page.height], &at)?;
        if page.width <= 0.0 || page.height <= 0.0 {
            return Err(format!(
                "page {}: size {}×{}",
                n + 1,
                page.width,
                page.height
            ));
        }
        for item in &page.items {
            match item {
                Item::Text(run) => {
                    finite(&[run.x, run.y, run.size], &at)?;
                    if run.size <= 0.0 && !run.glyphs.is_empty() {
                        return Err(format!("page {}: text of size {}", n + 1, run.size));
                    }
                    for glyph in &run.glyphs {
                        finite(&[glyph.x, glyph.y], &at)?;
                    }
                }
                Item::Rule(rect)
                | Item::Dot(rect)
                | Item::Fill { rect, .. }
                | Item::Image { rect, .. } => finite(&rect_values(rect), &at)?,
                Item::Link { rect, target, .. } => {
                    finite(&rect_values(rect), &at)?;
                    if let LinkTarget::Internal { page: to, y } = target {
                        finite(&[*y], &at)?;
                        if *to >= count {
                            return Err(format!(
                                "page {}: link to page {} of {count}",
                                n + 1,
                                to + 1
                            ));
                        }
                    }
                }
            }
        }
    }
    fn check_outline(items: &[OutlineItem], count: usize) -> Result<(), String> {
        for item in items {
            if item.page >= count || !item.y.is_finite() {
                return Err(format!(
                    "bookmark `{}` points at page {} of {count}",
                    item.title,
                    item.page + 1
                ));
            }
            check_outline(&item.children, count)?;
        }
        Ok(())
    }
    check_outline(&pages.outline, count)?;
    let mut previous = None;
    for range in &pages.labels {
        if range.first_page >= count {
            return Err(format!(
                "page labels start at page {} of {count}",
                range.first_page + 1
            ));
        }
        if previous.is_some_and(|p| p >= range.first_page) {
            return Err("page label ranges are not in increasing page order".into());
        }
        previous = Some(range.first_page);
    }
    Ok(())
}

fn rect_values(rect: &Rect) -> [f32; 4] {
    [rect.x, rect.y, rect.width, rect.height]
}

/// 16 bytes standing for `parts`: the same parts always give the same bytes
/// (a name-based UUID, SHA-1).
fn digest(parts: &[&[u8]]) -> [u8; 16] {
    let mut data = Vec::new();
    for part in parts {
        data.extend_from_slice(&(part.len() as u64).to_be_bytes());
        data.extend_from_slice(part);
    }
    *uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, &data).as_bytes()
}

/// How hard to compress a stream.
#[derive(Debug, Clone, Copy)]
enum Effort {
    /// Text, cmaps, pixels: zlib level 6. (lopdf's `compress` uses level 9,
    /// twice the time for 1% of size.)
    Normal,
    /// Font programs: [`crate::fonts::DEFLATE_LEVEL`].
    Fast,
}

thread_local! {
    /// One compressor per effort and thread, reset between streams: setting
    /// one up clears a quarter of a megabyte, and a book has a stream per page.
    static COMPRESSORS: std::cell::RefCell<[Option<flate2::Compress>; 2]> =
        const { std::cell::RefCell::new([None, None]) };
}

/// `data` as a zlib stream.
fn zlib(data: &[u8], effort: Effort) -> Result<Vec<u8>, flate2::CompressError> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    let level = match effort {
        Effort::Normal => 6,
        Effort::Fast => crate::fonts::DEFLATE_LEVEL,
    };
    COMPRESSORS.with(|compressors| {
        let mut compressors = compressors.borrow_mut();
        let compress = compressors[effort as usize]
            .get_or_insert_with(|| Compress::new(Compression::new(level), true));
        compress.reset();
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let read = compress.total_in() as usize;
            if compress.compress_vec(&data[read..], &mut out, FlushCompress::Finish)?
                == Status::StreamEnd
            {
                return Ok(out);
            }
            out.reserve(out.capacity().max(4096));
        }
    })
}
