//! The one step that works on the file below printpdf: the lopdf document
//! printpdf returns is finished here with what printpdf 0.12.8 cannot
//! express, then saved. Each fix-up says what printpdf lacks.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::xref::XrefType;
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, StringFormat};

use super::font::{vertical_resource, EmbeddedFont};
use super::structure::{self, PageTags};
use super::{digest, zlib, Effort, PdfMeta, PRODUCER};
use crate::fonts::Face;
use crate::typeset::frame::{LabelRange, LabelStyle, OutlineItem, Pages};

pub(super) fn finish(
    mut doc: Document,
    pages: &Pages,
    tags: &[PageTags],
    trims: &[[f32; 4]],
    fonts: &BTreeMap<Face, EmbeddedFont>,
    meta: &PdfMeta,
) -> Result<Vec<u8>, String> {
    // printpdf writes `%PDF-1.3` and a classic xref table; the fonts (an
    // OpenType-era CFF program) and a cross-reference stream want 1.5+.
    doc.version = "1.7".into();
    doc.reference_table.cross_reference_type = XrefType::CrossReferenceStream;

    let page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if page_ids.len() != pages.pages.len() {
        return Err(format!(
            "printpdf wrote {} pages of {}",
            page_ids.len(),
            pages.pages.len()
        ));
    }
    font_dictionaries(&mut doc, fonts)?;
    print_boxes(&mut doc, &page_ids, trims)?;
    if pages.right_to_left {
        vertical_twins(&mut doc, &page_ids)?;
    }
    compress(&mut doc)?;
    let tree = structure::write(&mut doc, &pages.elements, tags, &page_ids)?;
    let metadata = doc.add_object(xmp_metadata(meta));
    catalog(&mut doc, pages, &page_ids, meta)?;
    let catalog = doc.catalog_mut().map_err(|e| format!("catalog: {e}"))?;
    catalog.set("StructTreeRoot", tree);
    catalog.set("MarkInfo", dictionary! { "Marked" => true });
    catalog.set("Metadata", metadata);
    info(&mut doc, meta)?;

    // printpdf's `/ID` comes from a process-wide random generator: derive it
    // from the book's identifier instead.
    let id = digest(&[b"quire-pdf-id", meta.identifier.as_bytes()]).to_vec();
    doc.trailer.set(
        "ID",
        vec![
            Object::String(id.clone(), StringFormat::Hexadecimal),
            Object::String(id, StringFormat::Hexadecimal),
        ],
    );

    // Objects other than streams (the structure tree's thousands of
    // elements, the font and page dictionaries) go in compressed object
    // streams.
    let options = lopdf::SaveOptions::builder()
        .use_object_streams(true)
        .use_xref_streams(true)
        .max_objects_per_stream(200)
        .compression_level(6)
        .build();
    let mut out = Vec::new();
    doc.save_with_options(&mut out, options)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// printpdf writes a page's media, crop and trim boxes, not its
/// `BleedBox` (the media box, where quire's pages end), and a box as
/// `[x y width height]`, where ISO 32000-1 §7.9.5 wants two corners: right
/// only at the origin. Each page's `TrimBox` is `trims`' (corners). And
/// it writes `/Annots []` on a page without links: dropped.
fn print_boxes(
    doc: &mut Document,
    page_ids: &[ObjectId],
    trims: &[[f32; 4]],
) -> Result<(), String> {
    for (&id, trim) in page_ids.iter().zip(trims) {
        let page = doc
            .get_dictionary_mut(id)
            .map_err(|e| format!("page {id:?}: {e}"))?;
        let trim: Vec<Object> = trim.iter().map(|&v| Object::Real(v)).collect();
        page.set("TrimBox", trim);
        if page
            .get(b"Annots")
            .and_then(Object::as_array)
            .is_ok_and(Vec::is_empty)
        {
            page.remove(b"Annots");
        }
        let media = page
            .get(b"MediaBox")
            .map_err(|e| format!("page {id:?}: {e}"))?
            .clone();
        page.set("BleedBox", media);
    }
    Ok(())
}

/// Without `text_layout`, printpdf writes stand-in descriptor values (flags
/// "nonsymbolic", an integer italic angle, the ascent as cap height): set
/// each face's own. And it names a Type0 font over a `CIDFontType0` like its
/// CIDFont, where ISO 32000-1 (table 121) wants `<CIDFont>-<CMap>`.
fn font_dictionaries(
    doc: &mut Document,
    fonts: &BTreeMap<Face, EmbeddedFont>,
) -> Result<(), String> {
    let by_name: BTreeMap<&[u8], &EmbeddedFont> = fonts
        .values()
        .map(|f| (f.base_font.as_bytes(), f))
        .collect();
    let mut descriptors = Vec::new();
    for object in doc.objects.values_mut() {
        let Ok(dict) = object.as_dict_mut() else {
            continue;
        };
        if !dict
            .get(b"Subtype")
            .is_ok_and(|s| s.as_name().is_ok_and(|n| n == b"Type0"))
        {
            continue;
        }
        let name = dict
            .get(b"BaseFont")
            .and_then(Object::as_name)
            .unwrap_or(b"");
        let Some(font) = by_name.get(name).copied() else {
            return Err(format!(
                "printpdf wrote an unknown font {}",
                String::from_utf8_lossy(name)
            ));
        };
        if font.cff {
            dict.set(
                "BaseFont",
                Object::Name(format!("{}-Identity-H", font.base_font).into_bytes()),
            );
        }
        let descendant = dict
            .get(b"DescendantFonts")
            .and_then(Object::as_array)
            .ok()
            .and_then(|a| a.first())
            .and_then(|d| d.as_dict().ok());
        let descriptor = descendant
            .and_then(|d| d.get(b"FontDescriptor").ok())
            .and_then(|d| d.as_reference().ok())
            .ok_or("a font without a descriptor")?;
        descriptors.push((descriptor, font));
    }
    for (id, font) in descriptors {
        let dict = doc
            .get_dictionary_mut(id)
            .map_err(|e| format!("font descriptor: {e}"))?;
        let d = &font.descriptor;
        dict.set("Flags", d.flags);
        dict.set("FontBBox", d.bbox.map(Object::Integer).to_vec());
        dict.set("ItalicAngle", real(d.italic_angle));
        dict.set("Ascent", d.ascent);
        dict.set("Descent", d.descent);
        dict.set("CapHeight", d.cap_height);
        dict.set("StemV", d.stem_v);
    }
    Ok(())
}

/// printpdf has no vertical fonts: a vertical book's upright Han is shown
/// in a twin of each Type0 font, the same CIDFont under `Identity-V`, named
/// beside it in every page's resources ([`vertical_resource`]).
fn vertical_twins(doc: &mut Document, page_ids: &[ObjectId]) -> Result<(), String> {
    let type0: Vec<(ObjectId, Dictionary)> = (doc.objects.iter())
        .filter_map(|(&id, object)| {
            let dict = object.as_dict().ok()?;
            let subtype = dict.get(b"Subtype").and_then(Object::as_name).ok()?;
            (subtype == b"Type0").then(|| (id, dict.clone()))
        })
        .collect();
    let mut twins = BTreeMap::new();
    for (id, mut dict) in type0 {
        dict.set("Encoding", "Identity-V");
        let base = dict.get(b"BaseFont").and_then(Object::as_name).ok();
        if let Some(stem) = base.and_then(|b| b.strip_suffix(b"-Identity-H")) {
            let name = [stem, b"-Identity-V".as_slice()].concat();
            dict.set("BaseFont", Object::Name(name));
        }
        twins.insert(id, doc.add_object(dict));
    }
    let reference = |dict: &Dictionary, key: &[u8]| {
        dict.get(key).and_then(Object::as_reference).map_err(|e| {
            let key = String::from_utf8_lossy(key);
            format!("printpdf wrote /{key} other than as a reference: {e}")
        })
    };
    for &page in page_ids {
        let page = doc.get_dictionary(page).map_err(|e| e.to_string())?;
        let resources = reference(page, b"Resources")?;
        let resources = doc.get_dictionary(resources).map_err(|e| e.to_string())?;
        let fonts = reference(resources, b"Font")?;
        let fonts = doc.get_dictionary_mut(fonts).map_err(|e| e.to_string())?;
        let added: Vec<(String, ObjectId)> = (fonts.iter())
            .filter_map(|(name, font)| {
                let twin = twins.get(&font.as_reference().ok()?)?;
                let name = std::str::from_utf8(name).ok()?;
                Some((vertical_resource(name), *twin))
            })
            .collect();
        for (name, twin) in added {
            fonts.set(name, twin);
        }
    }
    Ok(())
}

/// printpdf compresses only through lopdf's `compress` (level 9 on every
/// stream, twice the time for 1% of size): compress here, font programs at
/// [`crate::fonts::DEFLATE_LEVEL`], the rest at level 6, leaving streams
/// that already have a filter (the images) as they are.
fn compress(doc: &mut Document) -> Result<(), String> {
    let mut programs = BTreeSet::new();
    for object in doc.objects.values() {
        if let Ok(dict) = object.as_dict() {
            for key in [b"FontFile2".as_slice(), b"FontFile3"] {
                if let Ok(id) = dict.get(key).and_then(Object::as_reference) {
                    programs.insert(id);
                }
            }
        }
    }
    for (id, object) in doc.objects.iter_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        if stream.dict.has(b"Filter") {
            continue;
        }
        let effort = if programs.contains(id) {
            Effort::Fast
        } else {
            Effort::Normal
        };
        let compressed = zlib(&stream.content, effort).map_err(|e| e.to_string())?;
        if compressed.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(compressed);
        }
    }
    Ok(())
}

/// printpdf sets no `/Lang`, writes only flat outlines (sorted by page) and
/// has no page labels.
fn catalog(
    doc: &mut Document,
    pages: &Pages,
    page_ids: &[ObjectId],
    meta: &PdfMeta,
) -> Result<(), String> {
    let outline = if pages.outline.is_empty() {
        None
    } else {
        let outlines_id = doc.new_object_id();
        let (first, last) = outline_level(doc, &pages.outline, outlines_id, pages, page_ids);
        doc.set_object(
            outlines_id,
            dictionary! {
                "Type" => "Outlines",
                "First" => first,
                "Last" => last,
                "Count" => pages.outline.len() as i64,
            },
        );
        Some(outlines_id)
    };
    let catalog = doc.catalog_mut().map_err(|e| format!("catalog: {e}"))?;
    catalog.set("Lang", Object::string_literal(meta.lang.tag()));
    let mut preferences = dictionary! { "DisplayDocTitle" => true };
    if pages.right_to_left {
        preferences.set("Direction", "R2L");
    }
    catalog.set("ViewerPreferences", preferences);
    if let Some(id) = outline {
        catalog.set("Outlines", id);
        catalog.set("PageMode", "UseOutlines");
    }
    if !pages.labels.is_empty() {
        catalog.set("PageLabels", page_labels(&pages.labels));
    }
    Ok(())
}

/// printpdf's info dictionary has empty `GTS_PDFXVersion` and `Trapped`
/// entries and dates of its own: write quire's.
fn info(doc: &mut Document, meta: &PdfMeta) -> Result<(), String> {
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
    let id = doc
        .trailer
        .get(b"Info")
        .and_then(Object::as_reference)
        .map_err(|e| format!("info: {e}"))?;
    doc.set_object(id, info);
    Ok(())
}

/// `[page /XYZ null top null]`: the page scrolled to `y` (from the top).
fn destination(pages: &Pages, page_ids: &[ObjectId], page: usize, y: f32) -> Vec<Object> {
    let height = pages.pages[page].height;
    let top = (height - y).clamp(0.0, height);
    vec![
        page_ids[page].into(),
        "XYZ".into(),
        Object::Null,
        real(top),
        Object::Null,
    ]
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
            "Dest" => destination(pages, page_ids, item.page, item.y),
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

/// The XMP metadata PDF/UA-1 asks for (§5, §7.1): the title, and the
/// claim of PDF/UA conformance (`pdfuaid:part`); with the author, language,
/// dates and producer of the info dictionary. Left uncompressed, for tools
/// that read it as text.
fn xmp_metadata(meta: &PdfMeta) -> lopdf::Stream {
    use crate::text::escape_xml as escape;
    let date = meta.date.format("%Y-%m-%dT%H:%M:%SZ");
    let mut fields = format!(
        "<pdfuaid:part>1</pdfuaid:part>\n<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\n",
        escape(&meta.title)
    );
    if !meta.author.is_empty() {
        fields += &format!(
            "<dc:creator><rdf:Seq><rdf:li>{}</rdf:li></rdf:Seq></dc:creator>\n",
            escape(&meta.author)
        );
    }
    if !meta.subject.is_empty() {
        fields += &format!(
            "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:description>\n",
            escape(&meta.subject)
        );
    }
    fields += &format!(
        "<dc:language><rdf:Bag><rdf:li>{lang}</rdf:li></rdf:Bag></dc:language>\n<xmp:CreateDate>{date}</xmp:CreateDate>\n<xmp:ModifyDate>{date}</xmp:ModifyDate>\n<pdf:Producer>{PRODUCER}</pdf:Producer>\n",
        lang = meta.lang.tag()
    );
    let xml = format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n<rdf:Description rdf:about=\"\" xmlns:pdfuaid=\"http://www.aiim.org/pdfua/ns/id/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n{fields}</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>"
    );
    lopdf::Stream::new(
        dictionary! { "Type" => "Metadata", "Subtype" => "XML" },
        xml.into_bytes(),
    )
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
