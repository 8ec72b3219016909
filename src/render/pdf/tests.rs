//! Tests: hand-made frames in, the PDF parsed back with lopdf (and, where
//! installed, checked with qpdf and poppler's pdffonts and pdftotext).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use allsorts::binary::read::ReadScope;
use allsorts::cff::CFF;
use allsorts::font_data::FontData;
use allsorts::tables::FontTableProvider;
use chrono::TimeZone;
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};

use super::{write_pdf, Output, PdfMeta};
use crate::book::Lang;
use crate::fonts::{Face, Fonts};
use crate::typeset::frame::{
    ImageData, Item, LabelRange, LabelStyle, LinkTarget, OutlineItem, Page, Pages, Rect, TextRun,
};

fn fonts() -> &'static Fonts {
    crate::fonts::for_tests()
}

fn parsed(face: Face) -> ttf_parser::Face<'static> {
    ttf_parser::Face::parse(&fonts().file(face).data, 0).unwrap()
}

fn gid(face: Face, c: char) -> u16 {
    parsed(face)
        .glyph_index(c)
        .unwrap_or_else(|| panic!("{face:?} has no {c}"))
        .0
}

/// A run of `glyphs` (id, text), each after the previous one's advance plus
/// `spacing` points.
fn run(face: Face, size: f32, x: f32, y: f32, glyphs: &[(u16, &str)], spacing: f32) -> TextRun {
    let font = parsed(face);
    let scale = size / f32::from(font.units_per_em());
    let mut pen = 0.0;
    let mut out = TextRun::new(face, size, x, y);
    for &(id, text) in glyphs {
        out.push(id, pen, 0.0, text);
        let advance = font.glyph_hor_advance(ttf_parser::GlyphId(id)).unwrap();
        pen += f32::from(advance) * scale + spacing;
    }
    out
}

/// A run of `text`, one glyph per character (the cmap's).
fn text(face: Face, size: f32, x: f32, y: f32, text: &str, spacing: f32) -> TextRun {
    let chars: Vec<String> = text.chars().map(String::from).collect();
    let glyphs: Vec<(u16, &str)> = text
        .chars()
        .zip(&chars)
        .map(|(c, s)| (gid(face, c), s.as_str()))
        .collect();
    run(face, size, x, y, &glyphs, spacing)
}

const WIDTH: f32 = 419.528;
const HEIGHT: f32 = 595.276;

fn page(items: Vec<Item>) -> Page {
    Page {
        start: None,
        width: WIDTH,
        height: HEIGHT,
        items,
        lines: Vec::new(),
    }
}

fn gradient(width: u32, height: u32) -> Arc<ImageData> {
    let mut rgb = Vec::new();
    for y in 0..height {
        for x in 0..width {
            rgb.extend_from_slice(&[(x * 255 / width) as u8, (y * 255 / height) as u8, 128]);
        }
    }
    Arc::new(ImageData { width, height, rgb })
}

const CJK_LINE: &str = "繁體中文排版測試";

/// Three pages: a Latin preface (a ligature, a base+mark cluster, a glyph
/// raised off the baseline), a chapter with justified CJK text, a broken
/// word with a break hyphen, a rule, an image and two links, and a chapter
/// in CJK and Latin.
fn sample() -> Pages {
    let latin = Face::Latin;
    let cjk = Face::SerifHant;
    let lf = parsed(latin);
    let fi = lf.glyph_index_by_name("fi").map(|g| g.0);

    // "Preface: fine café", with the fi ligature and é as e + U+0301.
    let mut preface: Vec<(u16, &str)> = "Preface: ".chars().map(|c| (gid(latin, c), "")).collect();
    let preface_texts = ["P", "r", "e", "f", "a", "c", "e", ":", " "];
    for (g, t) in preface.iter_mut().zip(preface_texts) {
        g.1 = t;
    }
    match fi {
        Some(fi) => preface.push((fi, "fi")),
        None => {
            preface.push((gid(latin, 'f'), "f"));
            preface.push((gid(latin, 'i'), "i"));
        }
    }
    preface.extend([
        (gid(latin, 'n'), "n"),
        (gid(latin, 'e'), "e"),
        (gid(latin, ' '), " "),
        (gid(latin, 'c'), "c"),
        (gid(latin, 'a'), "a"),
        (gid(latin, 'f'), "f"),
        (gid(latin, 'e'), "é"),
        (gid(latin, '\u{301}'), ""),
    ]);
    let mut preface = run(latin, 14.0, 72.0, 100.0, &preface, 0.0);
    // The zero-advance mark follows the e (its outline reaches back over
    // it), raised a little: off the baseline.
    let last = preface.glyphs.last_mut().unwrap();
    last.y = -1.5;

    // Justified: 2 pt between CJK glyphs, 3 pt more at the Latin spaces.
    let chapter = text(cjk, 10.5, 60.0, 140.0, CJK_LINE, 2.0);
    let mut line = text(latin, 10.5, 60.0, 160.0, "An e-book is type", 0.0);
    let mut spaces = 0.0;
    for i in 0..line.glyphs.len() {
        line.glyphs[i].x += 3.0 * spaces;
        if line.text_of(&line.glyphs[i]) == " " {
            spaces += 1.0;
        }
    }
    let mut broken = vec![];
    for c in "set".chars() {
        broken.push((gid(latin, c), c.to_string()));
    }
    let mut second: Vec<(u16, &str)> = broken.iter().map(|(g, t)| (*g, t.as_str())).collect();
    second.push((gid(latin, '-'), "")); // added at the break: not copied
    let broken = run(latin, 10.5, 60.0, 175.0, &second, 0.0);

    let image = gradient(32, 24);
    let pages = vec![
        page(vec![Item::Text(preface)]),
        page(vec![
            Item::Text(text(cjk, 18.0, 60.0, 80.0, "第一章", 0.0)),
            Item::Text(chapter),
            Item::Text(line),
            Item::Text(broken),
            Item::Rule(Rect {
                x: 60.0,
                y: 190.0,
                width: 200.0,
                height: 0.5,
            }),
            Item::Image {
                element: None,
                rect: Rect {
                    x: 60.0,
                    y: 200.0,
                    width: 96.0,
                    height: 72.0,
                },
                image: Arc::clone(&image),
            },
            Item::Link {
                element: None,
                rect: Rect {
                    x: 60.0,
                    y: 150.0,
                    width: 60.0,
                    height: 12.0,
                },
                target: LinkTarget::Uri("https://example.com/e-book?q=排版".into()),
            },
            Item::Link {
                element: None,
                rect: Rect {
                    x: 60.0,
                    y: 280.0,
                    width: 100.0,
                    height: 12.0,
                },
                target: LinkTarget::Internal { page: 2, y: 70.0 },
            },
        ]),
        page(vec![
            Item::Text(text(cjk, 18.0, 60.0, 80.0, "第二章", 0.0)),
            Item::Text(text(latin, 12.0, 60.0, 110.0, "Chapter 2", 0.0)),
            Item::Image {
                element: None,
                rect: Rect {
                    x: 60.0,
                    y: 300.0,
                    width: 32.0,
                    height: 24.0,
                },
                image: Arc::new((*image).clone()), // equal pixels: written once
            },
        ]),
    ];
    let item = |title: &str, page, y, children| OutlineItem {
        title: title.into(),
        page,
        y,
        children,
    };
    Pages {
        pages,
        elements: Vec::new(),
        right_to_left: false,
        outline: vec![
            item("Preface", 0, 80.0, vec![]),
            item(
                "第一章",
                1,
                60.0,
                vec![
                    item("Section 1.1", 1, 130.0, vec![]),
                    item("Section 1.2", 1, 190.0, vec![]),
                ],
            ),
            item("第二章", 2, 60.0, vec![]),
        ],
        labels: vec![
            LabelRange {
                first_page: 0,
                style: LabelStyle::LowerRoman,
                start: 1,
            },
            LabelRange {
                first_page: 1,
                style: LabelStyle::Decimal,
                start: 1,
            },
        ],
    }
}

fn meta() -> PdfMeta {
    PdfMeta {
        title: "排版 Test".into(),
        author: "gipi".into(),
        subject: "A test of the PDF writer".into(),
        lang: Lang::ZhHant,
        date: chrono::Utc
            .with_ymd_and_hms(2025, 1, 29, 12, 30, 5)
            .unwrap(),
        identifier: "urn:uuid:quire-test".into(),
    }
}

fn sample_pdf() -> &'static [u8] {
    static PDF: OnceLock<Vec<u8>> = OnceLock::new();
    PDF.get_or_init(|| {
        write_pdf(&sample(), fonts(), &meta(), Output::Reading).expect("the sample writes")
    })
}

fn load(bytes: &[u8]) -> Document {
    Document::load_mem(bytes).expect("lopdf parses the output")
}

fn dict<'a>(doc: &'a Document, object: &'a Object) -> &'a Dictionary {
    doc.dereference(object).unwrap().1.as_dict().unwrap()
}

fn get<'a>(doc: &'a Document, d: &'a Dictionary, key: &str) -> &'a Object {
    doc.dereference(
        d.get(key.as_bytes())
            .unwrap_or_else(|_| panic!("no /{key}")),
    )
    .unwrap()
    .1
}

fn name<'a>(doc: &'a Document, d: &'a Dictionary, key: &str) -> &'a str {
    std::str::from_utf8(get(doc, d, key).as_name().unwrap()).unwrap()
}

fn number(object: &Object) -> f64 {
    match object {
        Object::Integer(i) => *i as f64,
        Object::Real(r) => f64::from(*r),
        other => panic!("not a number: {other:?}"),
    }
}

fn text_string(doc: &Document, d: &Dictionary, key: &str) -> String {
    lopdf::decode_text_string(get(doc, d, key)).unwrap()
}

fn page_ids(doc: &Document) -> Vec<ObjectId> {
    doc.get_pages().into_values().collect()
}

/// The Type0 fonts of the document, by resource name.
fn fonts_of(doc: &Document) -> BTreeMap<String, Dictionary> {
    let mut out = BTreeMap::new();
    for id in page_ids(doc) {
        let page = doc.get_dictionary(id).unwrap();
        let resources = dict(doc, page.get(b"Resources").unwrap());
        if let Ok(fonts) = resources.get(b"Font") {
            for (key, value) in dict(doc, fonts).iter() {
                out.insert(
                    String::from_utf8(key.clone()).unwrap(),
                    dict(doc, value).clone(),
                );
            }
        }
    }
    out
}

fn stream_bytes(doc: &Document, object: &Object) -> Vec<u8> {
    let stream = doc.dereference(object).unwrap().1.as_stream().unwrap();
    stream.decompressed_content().unwrap()
}

/// What a viewer sees of a font: the advance of each code and its
/// `ToUnicode` text.
struct FontView {
    widths: BTreeMap<u16, f64>,
    default_width: f64,
    unicode: BTreeMap<u16, String>,
}

fn font_view(doc: &Document, type0: &Dictionary) -> FontView {
    let descendant = get(doc, type0, "DescendantFonts").as_array().unwrap();
    let cid_font = dict(doc, &descendant[0]);
    let mut widths = BTreeMap::new();
    let w = get(doc, cid_font, "W").as_array().unwrap();
    for pair in w.chunks(2) {
        let first = pair[0].as_i64().unwrap() as u16;
        for (i, width) in pair[1].as_array().unwrap().iter().enumerate() {
            widths.insert(first + i as u16, number(width));
        }
    }
    let default_width = number(get(doc, cid_font, "DW"));
    let cmap = String::from_utf8(stream_bytes(doc, type0.get(b"ToUnicode").unwrap())).unwrap();
    let mut unicode = BTreeMap::new();
    let mut in_block = false;
    for line in cmap.lines() {
        if line.ends_with("beginbfchar") {
            in_block = true;
        } else if line == "endbfchar" {
            in_block = false;
        } else if in_block {
            let (code, text) = line.split_once(' ').unwrap();
            let code = u16::from_str_radix(code.trim_matches(['<', '>']), 16).unwrap();
            let hex = text.trim_matches(['<', '>']);
            let units: Vec<u16> = (0..hex.len())
                .step_by(4)
                .map(|i| u16::from_str_radix(&hex[i..i + 4], 16).unwrap())
                .collect();
            unicode.insert(code, String::from_utf16(&units).unwrap());
        }
    }
    FontView {
        widths,
        default_width,
        unicode,
    }
}

/// A text object as a viewer draws and copies it.
#[derive(Debug)]
struct Shown {
    font: String,
    size: f64,
    /// Code and baseline origin of each glyph.
    glyphs: Vec<(u16, f64, f64)>,
    /// The copy text: ToUnicode, or ActualText inside spans.
    text: String,
}

fn operations(doc: &Document, page_id: ObjectId) -> Vec<lopdf::content::Operation> {
    Content::decode(&doc.get_page_content(page_id))
        .unwrap()
        .operations
}

/// Replays a page's text operators.
fn shown(doc: &Document, page_id: ObjectId) -> Vec<Shown> {
    let fonts: BTreeMap<String, FontView> = fonts_of(doc)
        .iter()
        .map(|(k, v)| (k.clone(), font_view(doc, v)))
        .collect();
    let mut out: Vec<Shown> = Vec::new();
    let (mut x, mut y) = (0.0, 0.0);
    let mut in_span = false;
    for op in &operations(doc, page_id) {
        let operands = &op.operands;
        match op.operator.as_str() {
            "BT" => out.push(Shown {
                font: String::new(),
                size: 0.0,
                glyphs: vec![],
                text: String::new(),
            }),
            "Tf" => {
                let last = out.last_mut().unwrap();
                last.font = String::from_utf8(operands[0].as_name().unwrap().to_vec()).unwrap();
                last.size = number(&operands[1]);
            }
            "Tm" => {
                x = number(&operands[4]);
                y = number(&operands[5]);
            }
            "BDC" => {
                let props = operands[1].as_dict().unwrap();
                let actual = lopdf::decode_text_string(props.get(b"ActualText").unwrap()).unwrap();
                out.last_mut().unwrap().text.push_str(&actual);
                in_span = true;
            }
            "EMC" => in_span = false,
            "TJ" => {
                let last = out.last_mut().unwrap();
                let font = &fonts[&last.font];
                for element in operands[0].as_array().unwrap() {
                    match element {
                        Object::String(bytes, _) => {
                            for pair in bytes.chunks(2) {
                                let code = u16::from_be_bytes([pair[0], pair[1]]);
                                last.glyphs.push((code, x, y));
                                let width = font
                                    .widths
                                    .get(&code)
                                    .copied()
                                    .unwrap_or(font.default_width);
                                x += width / 1000.0 * last.size;
                                if !in_span {
                                    last.text.push_str(
                                        font.unicode.get(&code).map_or("\u{FFFD}", |s| s),
                                    );
                                }
                            }
                        }
                        other => x -= number(other) / 1000.0 * last.size,
                    }
                }
            }
            "Tw" | "Tc" | "Tz" | "TL" | "Td" | "TD" | "T*" | "Tj" | "'" | "\"" => {
                panic!("unexpected text operator {}", op.operator)
            }
            _ => {}
        }
    }
    out
}

#[test]
fn parses_back_with_catalog_and_info() {
    let doc = load(sample_pdf());
    assert_eq!(doc.version, "1.7");
    let pages = page_ids(&doc);
    assert_eq!(pages.len(), 3);
    let first = doc.get_dictionary(pages[0]).unwrap();
    let media: Vec<f64> = get(&doc, first, "MediaBox")
        .as_array()
        .unwrap()
        .iter()
        .map(number)
        .collect();
    assert_eq!(media.len(), 4);
    assert!((media[2] - f64::from(WIDTH)).abs() < 0.001);
    assert!((media[3] - f64::from(HEIGHT)).abs() < 0.001);

    let catalog = doc.catalog().unwrap();
    assert_eq!(get(&doc, catalog, "Lang").as_str().unwrap(), b"zh-Hant");
    assert_eq!(name(&doc, catalog, "PageMode"), "UseOutlines");
    let xmp = String::from_utf8(stream_bytes(&doc, catalog.get(b"Metadata").unwrap())).unwrap();
    assert!(xmp.contains("<pdfuaid:part>1</pdfuaid:part>"), "{xmp}");
    assert!(xmp.contains("<rdf:li xml:lang=\"x-default\">排版 Test</rdf:li>"));
    let mark_info = dict(&doc, catalog.get(b"MarkInfo").unwrap());
    assert_eq!(mark_info.get(b"Marked").unwrap(), &Object::Boolean(true));
    let tree = dict(&doc, catalog.get(b"StructTreeRoot").unwrap());
    assert_eq!(name(&doc, tree, "Type"), "StructTreeRoot");

    let info = dict(&doc, doc.trailer.get(b"Info").unwrap());
    assert_eq!(text_string(&doc, info, "Title"), "排版 Test");
    assert_eq!(text_string(&doc, info, "Author"), "gipi");
    assert_eq!(
        text_string(&doc, info, "Subject"),
        "A test of the PDF writer"
    );
    assert_eq!(text_string(&doc, info, "Producer"), "quire");
    assert_eq!(text_string(&doc, info, "CreationDate"), "D:20250129123005Z");
    assert_eq!(text_string(&doc, info, "ModDate"), "D:20250129123005Z");
}

#[test]
fn fonts_are_subset_type0_fonts_with_tounicode() {
    let doc = load(sample_pdf());
    let fonts = fonts_of(&doc);
    assert_eq!(fonts.len(), 2, "one font per face: {:?}", fonts.keys());
    let mut subtypes = Vec::new();
    for type0 in fonts.values() {
        assert_eq!(name(&doc, type0, "Subtype"), "Type0");
        assert_eq!(name(&doc, type0, "Encoding"), "Identity-H");
        assert!(type0.get(b"ToUnicode").is_ok());
        let descendant = get(&doc, type0, "DescendantFonts").as_array().unwrap();
        let cid_font = dict(&doc, &descendant[0]);
        let subtype = name(&doc, cid_font, "Subtype").to_owned();
        let base = name(&doc, cid_font, "BaseFont").to_owned();
        let (tag, _) = base.split_once('+').expect("a subset tag");
        assert!(
            tag.len() == 6 && tag.bytes().all(|b| b.is_ascii_uppercase()),
            "{base}"
        );
        let descriptor = dict(&doc, cid_font.get(b"FontDescriptor").unwrap());
        assert_eq!(name(&doc, descriptor, "FontName"), base);
        let program = if subtype == "CIDFontType0" {
            assert_eq!(name(&doc, type0, "BaseFont"), format!("{base}-Identity-H"));
            let file = descriptor.get(b"FontFile3").unwrap();
            let stream = doc.dereference(file).unwrap().1.as_stream().unwrap();
            assert_eq!(name(&doc, &stream.dict, "Subtype"), "CIDFontType0C");
            stream
        } else {
            assert_eq!(subtype, "CIDFontType2");
            assert_eq!(name(&doc, type0, "BaseFont"), base);
            assert_eq!(name(&doc, cid_font, "CIDToGIDMap"), "Identity");
            let file = descriptor.get(b"FontFile2").unwrap();
            doc.dereference(file).unwrap().1.as_stream().unwrap()
        };
        assert_eq!(name(&doc, &program.dict, "Filter"), "FlateDecode");
        assert!(
            program.content.len() < 60_000,
            "{base}: {} bytes",
            program.content.len()
        );
        subtypes.push(subtype);
    }
    subtypes.sort();
    assert_eq!(subtypes, ["CIDFontType0", "CIDFontType2"]);
}

/// Every code drawn shows the glyph the frames asked for: the same CFF
/// charstring (CFF faces) or the same outline box and advance (TrueType).
#[test]
fn codes_show_the_glyphs_of_the_frames() {
    let doc = load(sample_pdf());
    let pages = sample();
    let type0s = fonts_of(&doc);
    for (page_id, page) in page_ids(&doc).into_iter().zip(&pages.pages) {
        let runs: Vec<&TextRun> = page
            .items
            .iter()
            .filter_map(|i| match i {
                Item::Text(run) => Some(run),
                _ => None,
            })
            .collect();
        let shown = shown(&doc, page_id);
        assert_eq!(shown.len(), runs.len());
        for (run, shown) in runs.iter().zip(&shown) {
            let type0 = &type0s[&shown.font];
            let descendant = get(&doc, type0, "DescendantFonts").as_array().unwrap();
            let cid_font = dict(&doc, &descendant[0]);
            let descriptor = dict(&doc, cid_font.get(b"FontDescriptor").unwrap());
            let original = &fonts().file(run.face).data;
            assert_eq!(shown.glyphs.len(), run.glyphs.len());
            if let Ok(file) = descriptor.get(b"FontFile3") {
                let program = stream_bytes(&doc, file);
                let subset = ReadScope::new(&program).read::<CFF<'_>>().unwrap();
                let font_data = ReadScope::new(original).read::<FontData<'_>>().unwrap();
                let provider = font_data.table_provider(0).unwrap();
                let table = provider.read_table_data(allsorts::tag::CFF).unwrap();
                let full = ReadScope::new(&table).read::<CFF<'_>>().unwrap();
                let sub = &subset.fonts[0];
                for (glyph, &(code, _, _)) in run.glyphs.iter().zip(&shown.glyphs) {
                    let new = (0..sub.char_strings_index.len() as u16)
                        .find(|&g| sub.charset.id_for_glyph(g) == Some(code))
                        .expect("the code is a CID of the subset");
                    assert_eq!(
                        sub.char_strings_index.read_object(new.into()),
                        full.fonts[0]
                            .char_strings_index
                            .read_object(glyph.id.into()),
                        "glyph {} drawn as CID {code}",
                        glyph.id
                    );
                }
            } else {
                let program = stream_bytes(&doc, descriptor.get(b"FontFile2").unwrap());
                let subset = ttf_parser::Face::parse(&program, 0).unwrap();
                let full = ttf_parser::Face::parse(original, 0).unwrap();
                for (glyph, &(code, _, _)) in run.glyphs.iter().zip(&shown.glyphs) {
                    let (new, old) = (ttf_parser::GlyphId(code), ttf_parser::GlyphId(glyph.id));
                    assert_eq!(subset.glyph_bounding_box(new), full.glyph_bounding_box(old));
                    assert_eq!(subset.glyph_hor_advance(new), full.glyph_hor_advance(old));
                }
            }
        }
    }
}

#[test]
fn subset_programs_hold_only_the_glyphs_used() {
    let doc = load(sample_pdf());
    for type0 in fonts_of(&doc).values() {
        let descendant = get(&doc, type0, "DescendantFonts").as_array().unwrap();
        let cid_font = dict(&doc, &descendant[0]);
        let descriptor = dict(&doc, cid_font.get(b"FontDescriptor").unwrap());
        let codes = font_view(&doc, type0).unicode.len();
        if let Ok(file) = descriptor.get(b"FontFile3") {
            let program = stream_bytes(&doc, file);
            let cff = ReadScope::new(&program).read::<CFF<'_>>().unwrap();
            // 第一章 第二章 繁體中文排版測試 share 章: 12 glyphs and .notdef.
            assert_eq!(cff.fonts[0].char_strings_index.len(), 13);
            assert_eq!(codes, 12);
        } else {
            let program = stream_bytes(&doc, descriptor.get(b"FontFile2").unwrap());
            let face = ttf_parser::Face::parse(&program, 0).unwrap();
            let expected = codes + 1; // .notdef
            assert!(
                (expected..expected + 4).contains(&usize::from(face.number_of_glyphs())),
                "{} glyphs for {codes} codes",
                face.number_of_glyphs()
            );
        }
    }
}

/// Each glyph's origin is where the frame put it (y flipped), justification
/// included, so nothing depends on Tw.
#[test]
fn glyphs_sit_where_the_frames_put_them() {
    let doc = load(sample_pdf());
    let pages = sample();
    for (page_id, page) in page_ids(&doc).into_iter().zip(&pages.pages) {
        let runs = page.items.iter().filter_map(|i| match i {
            Item::Text(run) => Some(run),
            _ => None,
        });
        for (run, shown) in runs.zip(shown(&doc, page_id)) {
            assert!((shown.size - f64::from(run.size)).abs() < 1e-6);
            for (glyph, &(_, x, y)) in run.glyphs.iter().zip(&shown.glyphs) {
                let want_x = f64::from(run.x + glyph.x);
                let want_y = f64::from(page.height - (run.y + glyph.y));
                assert!(
                    (x - want_x).abs() < 0.01 && (y - want_y).abs() < 0.01,
                    "glyph {} at ({x}, {y}), wanted ({want_x}, {want_y})",
                    glyph.id
                );
            }
        }
    }
}

/// Copying gives the glyphs' text back: ToUnicode for plain glyphs,
/// ActualText for the cluster made of e and a mark, and nothing for the
/// hyphen added at a line break.
#[test]
fn copy_text_comes_back() {
    let doc = load(sample_pdf());
    let pages = sample();
    let mut texts = Vec::new();
    for (page_id, page) in page_ids(&doc).into_iter().zip(&pages.pages) {
        let runs = page.items.iter().filter_map(|i| match i {
            Item::Text(run) => Some(run),
            _ => None,
        });
        for (run, shown) in runs.zip(shown(&doc, page_id)) {
            let want: String = run.glyphs.iter().map(|g| run.text_of(g)).collect();
            assert_eq!(shown.text, want);
            texts.push(shown.text);
        }
    }
    assert_eq!(
        texts,
        [
            "Preface: fine café",
            "第一章",
            CJK_LINE,
            "An e-book is type",
            "set",
            "第二章",
            "Chapter 2"
        ]
    );
    // The hyphen glyph copies as "-" where it is a real hyphen; the one added
    // at the break joins the cluster of the "t" before it, in a span.
    let spans: Vec<(Vec<u8>, String)> = operations(&doc, page_ids(&doc)[1])
        .iter()
        .filter(|op| op.operator == "BDC")
        .map(|op| {
            let props = op.operands[1].as_dict().unwrap();
            let actual = lopdf::decode_text_string(props.get(b"ActualText").unwrap()).unwrap();
            (op.operands[0].as_name().unwrap().to_vec(), actual)
        })
        .collect();
    assert_eq!(spans, [(b"Span".to_vec(), "t".to_owned())]);
    // The mark, never given text of its own, maps to its cmap character for
    // extractors that ignore ActualText.
    let mapped: Vec<String> = fonts_of(&doc)
        .values()
        .flat_map(|f| font_view(&doc, f).unicode.into_values())
        .collect();
    assert!(mapped.iter().any(|t| t == "\u{301}"), "{mapped:?}");
    assert!(mapped.iter().all(|t| !t.is_empty()));
}

#[test]
fn images_are_lossless_flate_written_once() {
    let doc = load(sample_pdf());
    let ids = page_ids(&doc);
    let mut images = BTreeMap::new();
    for &id in &ids[1..] {
        let page = doc.get_dictionary(id).unwrap();
        let resources = dict(&doc, page.get(b"Resources").unwrap());
        for (key, value) in dict(&doc, resources.get(b"XObject").unwrap()).iter() {
            images.insert(key.clone(), value.as_reference().unwrap());
        }
    }
    assert_eq!(images.len(), 1, "equal images share one XObject");
    let stream = doc
        .get_object(*images.values().next().unwrap())
        .unwrap()
        .as_stream()
        .unwrap();
    assert_eq!(name(&doc, &stream.dict, "Subtype"), "Image");
    assert_eq!(name(&doc, &stream.dict, "Filter"), "FlateDecode");
    assert_eq!(name(&doc, &stream.dict, "ColorSpace"), "DeviceRGB");
    let parms = dict(&doc, stream.dict.get(b"DecodeParms").unwrap());
    assert_eq!(get(&doc, parms, "Predictor").as_i64().unwrap(), 15);
    assert_eq!(stream.decompressed_content().unwrap(), gradient(32, 24).rgb);
    // Placed by `cm` at the frame's rectangle, y flipped.
    let ops: Vec<(String, Vec<f64>)> = operations(&doc, ids[1])
        .iter()
        .map(|op| {
            let numbers = op
                .operands
                .iter()
                .filter(|o| o.as_f32().is_ok() || o.as_i64().is_ok())
                .map(number)
                .collect();
            (op.operator.clone(), numbers)
        })
        .collect();
    let close = |a: &[f64], b: &[f32]| {
        a.len() == b.len()
            && a.iter()
                .zip(b)
                .all(|(a, &b)| (a - f64::from(b)).abs() < 0.001)
    };
    let y = HEIGHT - 200.0 - 72.0;
    assert!(
        ops.windows(2).any(|w| w[0].0 == "cm"
            && close(&w[0].1, &[96.0, 0.0, 0.0, 72.0, 60.0, y])
            && w[1].0 == "Do"),
        "{ops:?}"
    );
    assert!(
        ops.windows(2).any(|w| w[0].0 == "re"
            && close(&w[0].1, &[60.0, HEIGHT - 190.5, 200.0, 0.5])
            && w[1].0 == "f"),
        "{ops:?}"
    );
}

/// The predicted rows are what a PNG decoder expects (RFC 2083, 6.3): the
/// `image` crate, wrapping them in a PNG file, gives the pixels back. The
/// pixels are noisy enough that Avg and Paeth rows, with bytes summing
/// past 255, are among those chosen.
#[test]
fn image_predictors_follow_the_png_spec() {
    let (width, height) = (37u32, 60u32);
    let mut state = 12345u32;
    let rgb: Vec<u8> = (0..width * height * 3)
        .map(|i| {
            state = state.wrapping_mul(1_103_515_245).wrapping_add(12345);
            let noise = (state >> 16) as u8 % 40;
            (i / 3 % width + i / (3 * width)).wrapping_mul(7 + i % 3) as u8 ^ noise
        })
        .collect();
    let rows = super::image::predicted(&rgb, width as usize * 3);
    let filters: std::collections::BTreeSet<u8> = rows
        .chunks(width as usize * 3 + 1)
        .map(|row| row[0])
        .collect();
    assert!(
        filters.contains(&3) && filters.contains(&4),
        "filters used: {filters:?}"
    );

    let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        png.extend((data.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(data);
        png.extend(kind);
        png.extend(data);
        png.extend(crc.sum().to_be_bytes());
    };
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, adaptive filters, no interlace
    chunk(&mut png, b"IHDR", &header);
    let idat = super::zlib(&rows, super::Effort::Normal).unwrap();
    chunk(&mut png, b"IDAT", &idat);
    chunk(&mut png, b"IEND", &[]);
    let decoded = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
        .expect("a valid PNG")
        .into_rgb8();
    assert!(decoded.as_raw() == &rgb, "the decoder reads other pixels");
}

#[test]
fn links_are_annotations() {
    let doc = load(sample_pdf());
    let ids = page_ids(&doc);
    let page = doc.get_dictionary(ids[1]).unwrap();
    let annots = get(&doc, page, "Annots").as_array().unwrap();
    assert_eq!(annots.len(), 2);

    let uri = dict(&doc, &annots[0]);
    assert_eq!(name(&doc, uri, "Subtype"), "Link");
    let rect: Vec<f64> = get(&doc, uri, "Rect")
        .as_array()
        .unwrap()
        .iter()
        .map(number)
        .collect();
    let h = f64::from(HEIGHT);
    let want = [60.0, h - 162.0, 120.0, h - 150.0];
    assert!(rect.iter().zip(want).all(|(a, b)| (a - b).abs() < 0.001));
    let action = dict(&doc, uri.get(b"A").unwrap());
    assert_eq!(name(&doc, action, "S"), "URI");
    assert_eq!(
        get(&doc, action, "URI").as_str().unwrap(),
        b"https://example.com/e-book?q=%E6%8E%92%E7%89%88"
    );

    let internal = dict(&doc, &annots[1]);
    let action = dict(&doc, internal.get(b"A").unwrap());
    assert_eq!(name(&doc, action, "S"), "GoTo");
    let dest = get(&doc, action, "D").as_array().unwrap();
    assert_eq!(dest[0].as_reference().unwrap(), ids[2]);
    assert_eq!(dest[1].as_name().unwrap(), b"XYZ");
    assert!((number(&dest[3]) - (h - 70.0)).abs() < 0.001);
}

#[test]
fn outline_is_nested() {
    let doc = load(sample_pdf());
    let ids = page_ids(&doc);
    let catalog = doc.catalog().unwrap();
    let root_id = catalog.get(b"Outlines").unwrap().as_reference().unwrap();
    let root = doc.get_dictionary(root_id).unwrap();
    assert_eq!(name(&doc, root, "Type"), "Outlines");
    assert_eq!(get(&doc, root, "Count").as_i64().unwrap(), 3);

    // Walk the top level through /Next, checking /Prev and /Parent.
    let mut items = Vec::new();
    let mut at = root.get(b"First").unwrap().as_reference().ok();
    let mut prev = None;
    while let Some(id) = at {
        let item = doc.get_dictionary(id).unwrap();
        assert_eq!(
            item.get(b"Parent").unwrap().as_reference().unwrap(),
            root_id
        );
        assert_eq!(
            item.get(b"Prev").ok().map(|p| p.as_reference().unwrap()),
            prev
        );
        items.push((id, item));
        prev = Some(id);
        at = item.get(b"Next").ok().map(|n| n.as_reference().unwrap());
    }
    assert_eq!(
        root.get(b"Last").unwrap().as_reference().unwrap(),
        items.last().unwrap().0
    );
    let titles: Vec<String> = items
        .iter()
        .map(|(_, d)| text_string(&doc, d, "Title"))
        .collect();
    assert_eq!(titles, ["Preface", "第一章", "第二章"]);

    let (chapter_id, chapter) = items[1];
    assert_eq!(get(&doc, chapter, "Count").as_i64().unwrap(), -2, "closed");
    let dest = get(&doc, chapter, "Dest").as_array().unwrap();
    assert_eq!(dest[0].as_reference().unwrap(), ids[1]);
    assert!((number(&dest[3]) - f64::from(HEIGHT - 60.0)).abs() < 0.001);
    let first = chapter.get(b"First").unwrap().as_reference().unwrap();
    let last = chapter.get(b"Last").unwrap().as_reference().unwrap();
    let s1 = doc.get_dictionary(first).unwrap();
    let s2 = doc.get_dictionary(last).unwrap();
    assert_eq!(text_string(&doc, s1, "Title"), "Section 1.1");
    assert_eq!(text_string(&doc, s2, "Title"), "Section 1.2");
    assert_eq!(s1.get(b"Next").unwrap().as_reference().unwrap(), last);
    assert_eq!(s2.get(b"Prev").unwrap().as_reference().unwrap(), first);
    for s in [s1, s2] {
        assert_eq!(
            s.get(b"Parent").unwrap().as_reference().unwrap(),
            chapter_id
        );
        assert!(s.get(b"Count").is_err() && s.get(b"First").is_err());
    }
    assert!(items[0].1.get(b"Count").is_err());
}

#[test]
fn page_labels_are_roman_then_decimal() {
    let doc = load(sample_pdf());
    let labels = dict(&doc, doc.catalog().unwrap().get(b"PageLabels").unwrap());
    let nums = get(&doc, labels, "Nums").as_array().unwrap();
    assert_eq!(nums.len(), 4);
    assert_eq!(nums[0].as_i64().unwrap(), 0);
    let roman = dict(&doc, &nums[1]);
    assert_eq!(name(&doc, roman, "S"), "r");
    assert_eq!(get(&doc, roman, "St").as_i64().unwrap(), 1);
    assert_eq!(nums[2].as_i64().unwrap(), 1);
    let decimal = dict(&doc, &nums[3]);
    assert_eq!(name(&doc, decimal, "S"), "D");
    assert_eq!(get(&doc, decimal, "St").as_i64().unwrap(), 1);
}

#[test]
fn output_is_deterministic() {
    let again = write_pdf(&sample(), fonts(), &meta(), Output::Reading).unwrap();
    assert!(again == sample_pdf(), "two runs differ");

    let id = |bytes: &[u8]| {
        let doc = load(bytes);
        let id = doc.trailer.get(b"ID").unwrap().as_array().unwrap().clone();
        assert_eq!(id[0], id[1]);
        id[0].as_str().unwrap().to_vec()
    };
    let other = PdfMeta {
        identifier: "urn:uuid:another".into(),
        ..meta()
    };
    let other = write_pdf(&sample(), fonts(), &other, Output::Reading).unwrap();
    assert_eq!(id(sample_pdf()).len(), 16);
    assert_ne!(id(sample_pdf()), id(&other));
}

/// Three hundred distinct CJK glyphs on ten pages: about 140 KB, not the
/// 6.8 MB of the whole face. Nearly all of it is the glyphs' outlines: Noto
/// Serif CJK charstrings average ~340 bytes; the content streams are tiny.
#[test]
fn hundreds_of_cjk_glyphs_stay_small() {
    let face = Face::SerifHant;
    let font = parsed(face);
    let han: Vec<char> = (0x4E00..0x9FA5)
        .step_by(37)
        .filter_map(char::from_u32)
        .filter(|&c| font.glyph_index(c).is_some())
        .take(300)
        .collect();
    assert_eq!(han.len(), 300);
    let pages = han
        .chunks(30)
        .map(|chunk| {
            let line: String = chunk.iter().collect();
            let items = (0..20)
                .map(|l| Item::Text(text(face, 10.0, 50.0, 60.0 + 20.0 * l as f32, &line, 0.5)))
                .collect();
            page(items)
        })
        .collect();
    let pages = Pages {
        pages,
        ..Pages::default()
    };
    let pdf = write_pdf(&pages, fonts(), &meta(), Output::Reading).unwrap();
    assert!(pdf.len() < 200_000, "{} bytes", pdf.len());
    eprintln!("300 CJK glyphs, 6000 shown: {} bytes", pdf.len());
}

#[test]
fn rejects_what_would_break_the_file() {
    let meta = meta();
    let err = |pages: &Pages| write_pdf(pages, fonts(), &meta, Output::Reading).unwrap_err();
    assert!(err(&Pages::default()).contains("no pages"));

    let mut pages = sample();
    pages.pages[1].items.push(Item::Link {
        element: None,
        rect: Rect {
            x: 0.0,
            y: 0.0,
            width: 1.0,
            height: 1.0,
        },
        target: LinkTarget::Internal { page: 9, y: 0.0 },
    });
    assert!(err(&pages).contains("link to page 10 of 3"));

    let mut pages = sample();
    pages.outline[1].children[0].page = 3;
    assert!(err(&pages).contains("Section 1.1"));

    let mut pages = sample();
    pages.labels.reverse();
    assert!(err(&pages).contains("increasing"));

    let mut pages = sample();
    pages.pages[0].items.push(Item::Image {
        element: None,
        rect: Rect {
            x: 0.0,
            y: 0.0,
            width: 1.0,
            height: 1.0,
        },
        image: Arc::new(ImageData {
            width: 2,
            height: 2,
            rgb: vec![0; 11],
        }),
    });
    assert!(err(&pages).contains("11 bytes"));

    let mut pages = sample();
    pages.pages[2]
        .items
        .push(Item::Text(text(Face::Latin, 0.0, 0.0, 0.0, "x", 0.0)));
    assert!(err(&pages).contains("page 3: text of size 0"));

    let mut pages = sample();
    let mut bad = text(Face::Latin, 10.0, 0.0, 0.0, "x", 0.0);
    bad.glyphs[0].id = u16::MAX;
    pages.pages[0].items.push(Item::Text(bad));
    assert!(err(&pages).contains("latin-regular"));
}

fn tool(name: &str) -> bool {
    std::process::Command::new(name)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success() || !o.stderr.is_empty() || !o.stdout.is_empty())
}

fn run_tool(name: &str, args: &[&str]) -> (bool, String) {
    let output = std::process::Command::new(name)
        .args(args)
        .output()
        .unwrap();
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.success(), text)
}

/// qpdf finds nothing wrong; pdffonts sees every font embedded, subset and
/// with a ToUnicode map; pdftotext gives the text back. Skipped where the
/// tools are not installed (`apt-get install qpdf poppler-utils`).
#[test]
fn external_tools_accept_the_output() {
    if !tool("qpdf") || !tool("pdffonts") || !tool("pdftotext") {
        eprintln!("SKIPPED: qpdf and poppler-utils are not installed");
        return;
    }
    let path: PathBuf =
        std::env::temp_dir().join(format!("quire-pdf-tools-{}.pdf", std::process::id()));
    std::fs::write(&path, sample_pdf()).unwrap();
    let file = path.to_str().unwrap();

    let (ok, out) = run_tool("qpdf", &["--check", file]);
    assert!(
        ok && out.contains("No syntax or stream encoding errors"),
        "{out}"
    );
    assert!(!out.to_lowercase().contains("warning"), "{out}");

    let (ok, out) = run_tool("pdffonts", &[file]);
    assert!(ok, "{out}");
    let rows: Vec<&str> = out.lines().skip(2).collect();
    assert_eq!(rows.len(), 2, "{out}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert!(cols[0].as_bytes()[6] == b'+', "{row}");
        // emb sub uni are the three columns before the object number.
        let n = cols.len();
        assert_eq!(cols[n - 5..n - 2], ["yes", "yes", "yes"], "{row}");
    }

    let (ok, out) = run_tool("pdftotext", &["-layout", file, "-"]);
    assert!(ok, "{out}");
    for want in [
        "Preface: fine café",
        CJK_LINE,
        "An e-book is type",
        "第二章",
        "Chapter 2",
    ] {
        assert!(out.contains(want), "{want:?} not in {out}");
    }
    assert!(out.contains("set") && !out.contains("set-"), "{out}");
    std::fs::remove_file(&path).unwrap();
}

/// Writes the sample to /tmp/quire-pdf-test.pdf for checks by hand:
/// `cargo test write_sample_pdf -- --ignored`.
#[test]
#[ignore = "writes /tmp/quire-pdf-test.pdf"]
fn write_sample_pdf() {
    std::fs::write("/tmp/quire-pdf-test.pdf", sample_pdf()).unwrap();
}

/// Numbers in content streams are short: at most 3 decimals (positions
/// are rounded to 1/1000 pt, offsets to 1/100 unit), no trailing zeros, no
/// `-0`, no exponents.
#[test]
fn numbers_are_written_short_and_exact() {
    let doc = load(sample_pdf());
    let mut numbers = 0;
    for id in page_ids(&doc) {
        let content = doc.get_page_content(id);
        // Hex strings (glyph codes, ActualText) are not numbers.
        let mut text = String::new();
        let mut in_hex = false;
        for c in String::from_utf8_lossy(&content).chars() {
            match c {
                '<' => in_hex = true,
                '>' => in_hex = false,
                _ if !in_hex => text.push(c),
                _ => {}
            }
        }
        let tokens = text.split(|c: char| c.is_whitespace() || "[]()/".contains(c));
        for token in tokens.filter(|t| t.parse::<f64>().is_ok()) {
            numbers += 1;
            assert!(!token.contains(['e', 'E']) && token != "-0", "{token}");
            if let Some((_, decimals)) = token.split_once('.') {
                assert!(
                    (1..=3).contains(&decimals.len()) && !decimals.ends_with('0'),
                    "{token}"
                );
            }
        }
    }
    assert!(numbers > 50, "{numbers} numbers");
}

/// A vertical book's page: a column of two Han characters upright, then
/// "19" across the column (縱中橫): the writer shows them in the face's
/// vertical twin (`Identity-V`), each digit at its own place, and the
/// pages turn right to left.
#[test]
fn upright_glyphs_are_shown_in_a_vertical_font() {
    use crate::typeset::frame::Setting;
    let size = 10.0;
    let mut column = text(Face::SerifHant, size, 200.0, 100.0, "直排", 0.0);
    for (i, g) in column.glyphs.iter_mut().enumerate() {
        (g.x, g.y) = (0.0, i as f32 * size);
    }
    column.setting = Setting::Upright;
    let mut across = text(Face::Latin, size * 0.9, 197.5, 120.0, "19", 0.0);
    across.glyphs[1].x = 5.0;
    across.setting = Setting::Upright;
    let pages = Pages {
        pages: vec![page(vec![Item::Text(column), Item::Text(across)])],
        right_to_left: true,
        ..Pages::default()
    };
    let doc = load(&write_pdf(&pages, fonts(), &meta(), Output::Reading).unwrap());
    let page_id = page_ids(&doc)[0];
    let vertical: Vec<String> = (fonts_of(&doc).into_iter())
        .filter(|(_, font)| {
            font.get(b"Encoding").and_then(Object::as_name).ok() == Some(b"Identity-V")
        })
        .map(|(name, _)| name)
        .collect();
    assert_eq!(
        vertical.len(),
        2,
        "a vertical twin of each face: {vertical:?}"
    );
    let ops = operations(&doc, page_id);
    let selected: Vec<String> = (ops.iter())
        .filter(|op| op.operator == "Tf")
        .filter_map(|op| op.operands[0].as_name().ok())
        .map(|n| String::from_utf8_lossy(n).into_owned())
        .collect();
    assert!(
        selected.iter().any(|n| vertical.contains(n)),
        "{selected:?}"
    );
    // The digits stand side by side: two text matrices on one height.
    let y = f64::from(HEIGHT - 120.0);
    let matrices: Vec<f64> = (ops.iter())
        .filter(|op| op.operator == "Tm" && (number(&op.operands[5]) - y).abs() < 0.01)
        .map(|op| number(&op.operands[4]))
        .collect();
    assert_eq!(matrices.len(), 2, "{matrices:?}");
    assert!(
        (matrices[1] - matrices[0] - 5.0).abs() < 0.01,
        "{matrices:?}"
    );
    let catalog = doc.catalog().unwrap();
    let preferences = dict(&doc, catalog.get(b"ViewerPreferences").unwrap());
    assert_eq!(name(&doc, preferences, "Direction"), "R2L");
}

/// A column of a vertical book is one `ActualText` span with the column's
/// text, holding the marked content of each element in it (here a word in
/// another language, turned) and no span of its own within.
#[test]
fn a_column_is_one_actual_text_span_around_its_elements() {
    use crate::typeset::frame::{Element, Role, Setting};
    let size = 10.0;
    let mut han = text(Face::SerifHant, size, 200.0, 100.0, "直排", 0.0);
    for (i, g) in han.glyphs.iter_mut().enumerate() {
        (g.x, g.y) = (0.0, i as f32 * size);
    }
    han.setting = Setting::Upright;
    let mut latin = text(Face::Latin, size, 197.0, 120.0, "MBA", 0.0);
    latin.setting = Setting::Turned;
    let mut rest = text(Face::SerifHant, size, 200.0, 140.0, "書", 0.0);
    rest.setting = Setting::Upright;
    let element = |role, parent| Element {
        role,
        parent,
        children: Vec::new(),
        alt: None,
        lang: None,
    };
    for (run, element) in [(&mut han, 1), (&mut latin, 2), (&mut rest, 1)] {
        run.element = Some(element);
        run.line = Some(0);
    }
    let mut furniture = text(Face::SerifHant, size, 20.0, 20.0, "頁", 0.0);
    furniture.setting = Setting::Upright;
    let pages = Pages {
        pages: vec![page(vec![
            Item::Text(han),
            Item::Text(latin),
            Item::Text(rest),
            Item::Text(furniture),
        ])],
        elements: vec![
            element(Role::Document, None),
            element(Role::P, Some(0)),
            element(Role::Span, Some(1)),
        ],
        right_to_left: true,
        ..Pages::default()
    };
    let doc = load(&write_pdf(&pages, fonts(), &meta(), Output::Reading).unwrap());
    let ops = operations(&doc, page_ids(&doc)[0]);
    let marks: Vec<String> = (ops.iter())
        .filter(|op| matches!(op.operator.as_str(), "BDC" | "BMC" | "EMC"))
        .map(
            |op| match op.operands.first().and_then(|o| o.as_name().ok()) {
                Some(tag) => String::from_utf8_lossy(tag).into_owned(),
                None => op.operator.clone(),
            },
        )
        .collect();
    assert_eq!(
        marks,
        ["Span", "P", "EMC", "Span", "EMC", "P", "EMC", "EMC", "Artifact", "EMC"],
        "{ops:?}"
    );
    let actual: Vec<String> = (ops.iter())
        .filter(|op| op.operator == "BDC")
        .filter_map(|op| op.operands[1].as_dict().ok()?.get(b"ActualText").ok())
        .map(|t| lopdf::decode_text_string(t).unwrap())
        .collect();
    assert_eq!(actual, ["直排MBA書"]);
}

/// A run compressed across (digits in a column's em) is shown with
/// horizontal scaling, set back before its text section ends.
#[test]
fn compressed_runs_set_horizontal_scaling_back() {
    use crate::typeset::frame::Setting;
    let mut digits = text(Face::Latin, 10.0, 200.0, 100.0, "500", 0.0);
    digits.setting = Setting::Upright;
    digits.width_scale = 0.6;
    for (i, g) in digits.glyphs.iter_mut().enumerate() {
        g.x = i as f32 * 3.3;
    }
    let plain = text(Face::Latin, 10.0, 50.0, 300.0, "ok", 0.0);
    let pages = Pages {
        pages: vec![page(vec![Item::Text(digits), Item::Text(plain)])],
        ..Pages::default()
    };
    let doc = load(&write_pdf(&pages, fonts(), &meta(), Output::Reading).unwrap());
    let ops = operations(&doc, page_ids(&doc)[0]);
    let scaling: Vec<(usize, f64)> = (ops.iter().enumerate())
        .filter(|(_, op)| op.operator == "Tz")
        .map(|(i, op)| (i, number(&op.operands[0])))
        .collect();
    assert_eq!(scaling.len(), 2, "{ops:?}");
    assert!((scaling[0].1 - 60.0).abs() < 0.01 && (scaling[1].1 - 100.0).abs() < 0.01);
    let end = (ops.iter().position(|op| op.operator == "ET")).unwrap();
    assert!(scaling[1].0 < end, "set back inside the first text section");
}
