//! The PDF writer: typeset frames → a PDF file.
//!
//! It reads only [`Pages`] (see [`crate::typeset::frame`]) and the font files,
//! never the document model. The file is built directly with lopdf:
//!
//! - text runs show glyph ids through `Identity-H` Type0 fonts, each glyph at
//!   the position the typesetter gave it (`Tm` and `TJ` offsets, no `Tw`);
//! - every face in use is embedded once, subset to the glyphs the book shows
//!   ([`font`]): CFF faces as bare CID-keyed CFF (`CIDFontType0`), TrueType
//!   faces as `CIDFontType2`, each with a `ToUnicode` CMap built from the
//!   glyphs' text (and `ActualText` spans where a glyph's copy text differs
//!   from its usual one, as for a hyphen added at a line break);
//! - images are written losslessly (Flate with PNG predictors, [`image`]);
//! - links become link annotations, the outline a nested `/Outlines` tree,
//!   the label ranges a `/PageLabels` number tree.
//!
//! The output is deterministic: the same input gives the same bytes (the
//! trailer `/ID` and the subset tags are hashes, no clock is read).
//!
//! printpdf is not used: without its `text_layout` feature it embeds whole
//! fonts (6.8 MB per CJK face), and in any build it names subset fonts and the
//! trailer `/ID` with random strings and writes a flat outline.

mod content;
mod font;
mod image;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use crate::book::Lang;
use crate::fonts::Fonts;
use crate::typeset::frame::{
    Item, LabelRange, LabelStyle, LinkTarget, OutlineItem, Page, Pages, Rect,
};

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

/// The `/Producer` of every file.
pub const PRODUCER: &str = "quire";

/// Serializes `pages` (see src/typeset/frame.rs): text runs as glyph ids of
/// the faces in `fonts`.
pub fn write_pdf(pages: &Pages, fonts: &Fonts, meta: &PdfMeta) -> Result<Vec<u8>, String> {
    validate(pages)?;
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let page_ids: Vec<ObjectId> = pages.pages.iter().map(|_| doc.new_object_id()).collect();

    let mut embedded = BTreeMap::new();
    for (i, (face, usage)) in font::collect_usage(pages).into_iter().enumerate() {
        let resource = format!("F{}", i + 1);
        let font = font::embed(&mut doc, face, fonts.file(face), &usage, resource)
            .map_err(|e| format!("font {}: {e}", face.key()))?;
        embedded.insert(face, font);
    }

    let images = image::collect(pages);
    let mut image_ids = Vec::with_capacity(images.len());
    for (i, data) in images.iter().enumerate() {
        let stream = image::xobject(data).map_err(|e| format!("image {}: {e}", i + 1))?;
        image_ids.push(doc.add_object(stream));
    }

    for (index, page) in pages.pages.iter().enumerate() {
        let content = content::page(page, &embedded, &images)?;
        let mut stream = Stream::new(Dictionary::new(), content.bytes);
        deflate(&mut stream, Effort::Normal)?;
        let contents_id = doc.add_object(stream);

        let mut resources = Dictionary::new();
        if !content.fonts.is_empty() {
            let dict: Dictionary = content
                .fonts
                .iter()
                .map(|face| {
                    let font = &embedded[face];
                    (font.resource.clone(), Object::Reference(font.id))
                })
                .collect();
            resources.set("Font", dict);
        }
        if !content.images.is_empty() {
            let dict: Dictionary = content
                .images
                .iter()
                .map(|&i| (content::image_name(i), Object::Reference(image_ids[i])))
                .collect();
            resources.set("XObject", dict);
        }

        let mut annots = Vec::new();
        for item in &page.items {
            if let Item::Link { rect, target } = item {
                let annot = link_annotation(page, rect, target, &pages.pages, &page_ids);
                annots.push(Object::Reference(doc.add_object(annot)));
            }
        }

        let mut dict = dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "MediaBox" => vec![0.into(), 0.into(), real(page.width), real(page.height)],
            "Resources" => resources,
            "Contents" => contents_id,
        };
        if !annots.is_empty() {
            dict.set("Annots", annots);
        }
        doc.set_object(page_ids[index], dict);
    }
    doc.set_object(
        pages_id,
        dictionary! {
            "Type" => "Pages",
            "Kids" => page_ids.iter().map(|&id| Object::Reference(id)).collect::<Vec<_>>(),
            "Count" => page_ids.len() as i64,
        },
    );

    let mut catalog = dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "Lang" => Object::string_literal(meta.lang.tag()),
        "ViewerPreferences" => dictionary! { "DisplayDocTitle" => true },
    };
    if !pages.outline.is_empty() {
        let outlines_id = doc.new_object_id();
        let (first, last) = outline_level(&mut doc, &pages.outline, outlines_id, pages, &page_ids);
        doc.set_object(
            outlines_id,
            dictionary! {
                "Type" => "Outlines",
                "First" => first,
                "Last" => last,
                "Count" => pages.outline.len() as i64,
            },
        );
        catalog.set("Outlines", outlines_id);
        catalog.set("PageMode", "UseOutlines");
    }
    if !pages.labels.is_empty() {
        catalog.set("PageLabels", page_labels(&pages.labels));
    }

    let date = Object::string_literal(pdf_date(&meta.date));
    let mut info = Dictionary::new();
    for (key, value) in [
        ("Title", &meta.title),
        ("Author", &meta.author),
        ("Subject", &meta.subject),
    ] {
        if !value.is_empty() {
            info.set(key, lopdf::text_string(value));
        }
    }
    info.set("Producer", Object::string_literal(PRODUCER));
    info.set("CreationDate", date.clone());
    info.set("ModDate", date);
    let info_id = doc.add_object(info);
    let catalog_id = doc.add_object(catalog);

    let id = digest(&[b"quire-pdf-id", meta.identifier.as_bytes()]).to_vec();
    doc.trailer.set("Root", catalog_id);
    doc.trailer.set("Info", info_id);
    doc.trailer.set(
        "ID",
        vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ],
    );

    let mut out = Vec::new();
    doc.save_to(&mut out).map_err(|e| e.to_string())?;
    Ok(out)
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
                Item::Rule(rect) | Item::Image { rect, .. } => finite(&rect_values(rect), &at)?,
                Item::Link { rect, target } => {
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

/// A frame rectangle (top-left origin) as a PDF rectangle `[llx lly urx ury]`.
fn pdf_rect(page: &Page, rect: &Rect) -> Vec<Object> {
    vec![
        real(rect.x),
        real(page.height - rect.y - rect.height),
        real(rect.x + rect.width),
        real(page.height - rect.y),
    ]
}

fn link_annotation(
    page: &Page,
    rect: &Rect,
    target: &LinkTarget,
    pages: &[Page],
    page_ids: &[ObjectId],
) -> Dictionary {
    let action = match target {
        LinkTarget::Uri(uri) => dictionary! {
            "S" => "URI",
            "URI" => Object::string_literal(ascii_uri(uri)),
        },
        LinkTarget::Internal { page: to, y } => dictionary! {
            "S" => "GoTo",
            "D" => destination(&pages[*to], page_ids[*to], *y),
        },
    };
    dictionary! {
        "Type" => "Annot",
        "Subtype" => "Link",
        "Rect" => pdf_rect(page, rect),
        "Border" => vec![0.into(), 0.into(), 0.into()],
        "A" => action,
    }
}

/// `[page /XYZ null top null]`: the page scrolled to `y` (from the top).
fn destination(page: &Page, page_id: ObjectId, y: f32) -> Vec<Object> {
    let top = (page.height - y).clamp(0.0, page.height);
    vec![
        page_id.into(),
        "XYZ".into(),
        Object::Null,
        real(top),
        Object::Null,
    ]
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

/// Writes one level of bookmarks under `parent`; returns its first and last
/// item. Items with children start closed (negative `/Count`).
fn outline_level(
    doc: &mut Document,
    items: &[OutlineItem],
    parent: ObjectId,
    pages: &Pages,
    page_ids: &[ObjectId],
) -> (ObjectId, ObjectId) {
    let ids: Vec<ObjectId> = items.iter().map(|_| doc.new_object_id()).collect();
    for (i, item) in items.iter().enumerate() {
        let mut dict = dictionary! {
            "Title" => lopdf::text_string(&item.title),
            "Parent" => parent,
            "Dest" => destination(&pages.pages[item.page], page_ids[item.page], item.y),
        };
        if i > 0 {
            dict.set("Prev", ids[i - 1]);
        }
        if i + 1 < ids.len() {
            dict.set("Next", ids[i + 1]);
        }
        if !item.children.is_empty() {
            let (first, last) = outline_level(doc, &item.children, ids[i], pages, page_ids);
            dict.set("First", first);
            dict.set("Last", last);
            dict.set("Count", -(item.children.len() as i64));
        }
        doc.set_object(ids[i], dict);
    }
    (ids[0], ids[ids.len() - 1])
}

/// The `/PageLabels` number tree: one flat `/Nums` array. Pages before the
/// first range (if it does not start at page 0) are numbered 1, 2, 3 …
fn page_labels(ranges: &[LabelRange]) -> Dictionary {
    let mut nums = Vec::new();
    if ranges.first().is_some_and(|r| r.first_page > 0) {
        nums.push(Object::Integer(0));
        nums.push(dictionary! { "S" => "D" }.into());
    }
    for range in ranges {
        let style = match range.style {
            LabelStyle::LowerRoman => "r",
            LabelStyle::Decimal => "D",
        };
        nums.push(Object::Integer(range.first_page as i64));
        nums.push(
            dictionary! {
                "S" => style,
                "St" => i64::from(range.start.max(1)),
            }
            .into(),
        );
    }
    dictionary! { "Nums" => nums }
}

/// `D:YYYYMMDDHHmmSSZ`.
fn pdf_date(date: &chrono::DateTime<chrono::Utc>) -> String {
    date.format("D:%Y%m%d%H%M%SZ").to_string()
}

/// A number as a PDF object: an integer when whole, else rounded to 1/1000.
fn real(value: f32) -> Object {
    let rounded = (f64::from(value) * 1000.0).round() / 1000.0;
    if rounded.fract() == 0.0 {
        Object::Integer(rounded as i64)
    } else {
        Object::Real(rounded as f32)
    }
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

/// Compresses a stream with Flate when that makes it smaller.
fn deflate(stream: &mut Stream, effort: Effort) -> Result<(), String> {
    let compressed = zlib(&stream.content, effort).map_err(|e| e.to_string())?;
    if compressed.len() + 19 < stream.content.len() {
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(compressed);
    }
    Ok(())
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
