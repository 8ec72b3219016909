//! Embedding a face: subset to the glyphs the book shows, as a Type0 font
//! with `Identity-H` encoding and a `ToUnicode` CMap.
//!
//! - CFF faces (the CJK `.otf` files): the `CFF ` table is subset with
//!   allsorts and embedded bare, `/FontFile3 /Subtype /CIDFontType0C`, under a
//!   `CIDFontType0`. allsorts keeps each glyph's CID in the subset's charset,
//!   so the codes in the content stream are those CIDs; a viewer maps them to
//!   the subset's glyphs through the charset.
//! - TrueType faces: subset with allsorts (renumbered: the n-th glyph of the
//!   sorted glyph list becomes glyph n), embedded as `/FontFile2` under a
//!   `CIDFontType2` with `/CIDToGIDMap /Identity`; the codes are the new
//!   glyph ids.
//!
//! Widths (`/W`) come from the original face's `hmtx`, rounded to 1/1000 em;
//! the content stream positions glyphs against the same rounded widths.

use std::collections::BTreeMap;

use allsorts::binary::read::ReadScope;
use allsorts::binary::write::{WriteBinary, WriteBuffer};
use allsorts::cff::CFF;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile};
use allsorts::tables::FontTableProvider;
use allsorts::tag;
use lopdf::{dictionary, Dictionary, Document, Object, ObjectId, Stream};

use crate::fonts::{Face, FontFile};
use crate::typeset::frame::{Item, Pages};

/// For each glyph id of a face: how often each text was attached to it.
pub(super) type GlyphUsage<'p> = BTreeMap<u16, BTreeMap<&'p str, usize>>;

/// The glyphs each face shows, over the whole book, in face order.
pub(super) fn collect_usage(pages: &Pages) -> BTreeMap<Face, GlyphUsage<'_>> {
    let mut usage: BTreeMap<Face, GlyphUsage> = BTreeMap::new();
    for page in &pages.pages {
        for item in &page.items {
            if let Item::Text(run) = item {
                if run.glyphs.is_empty() {
                    continue;
                }
                let face = usage.entry(run.face).or_default();
                for glyph in &run.glyphs {
                    *face
                        .entry(glyph.id)
                        .or_default()
                        .entry(run.text_of(glyph))
                        .or_default() += 1;
                }
            }
        }
    }
    usage
}

/// The text a glyph stands for in the `ToUnicode` CMap: the non-empty text
/// most often attached to it (ties: the smallest string). `None` if it only
/// ever continues a cluster.
fn usual_text<'p>(texts: &BTreeMap<&'p str, usize>) -> Option<&'p str> {
    texts
        .iter()
        .filter(|(text, _)| !text.is_empty())
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(text, _)| *text)
}

/// A face written into the document.
#[derive(Debug)]
pub(super) struct EmbeddedFont {
    /// The Type0 font object.
    pub id: ObjectId,
    /// Its name in page resources, `F1` …
    pub resource: String,
    /// Original glyph id → code in the content stream (2 bytes, Identity-H).
    codes: BTreeMap<u16, u16>,
    /// Original glyph id → advance in 1/1000 em, as written in `/W`.
    widths: BTreeMap<u16, i64>,
    /// Original glyph id → its text in the `ToUnicode` CMap.
    texts: BTreeMap<u16, String>,
}

impl EmbeddedFont {
    pub fn code(&self, glyph: u16) -> u16 {
        self.codes[&glyph]
    }

    /// Advance width in 1/1000 em.
    pub fn width(&self, glyph: u16) -> i64 {
        self.widths[&glyph]
    }

    /// What copying the glyph gives without an `ActualText` span.
    pub fn text(&self, glyph: u16) -> &str {
        self.texts.get(&glyph).map_or("", String::as_str)
    }
}

/// The subset font program, and the code of each kept glyph.
struct Subset {
    program: Vec<u8>,
    /// Original glyph id → code.
    codes: BTreeMap<u16, u16>,
    cff: bool,
}

/// Subsets `file` to the glyphs in `usage` and writes the font objects.
pub(super) fn embed(
    doc: &mut Document,
    face: Face,
    file: &FontFile,
    usage: &GlyphUsage,
    resource: String,
) -> Result<EmbeddedFont, String> {
    let parsed = ttf_parser::Face::parse(&file.data, 0).map_err(|e| e.to_string())?;
    let count = parsed.number_of_glyphs();
    if let Some(bad) = usage.keys().find(|&&g| g >= count) {
        return Err(format!(
            "glyph id {bad} is not in the face ({count} glyphs)"
        ));
    }
    // .notdef first, as subsetters require; the rest in id order.
    let mut glyphs = vec![0u16];
    glyphs.extend(usage.keys().copied().filter(|&g| g != 0));

    let subset = if parsed.tables().cff.is_some() {
        subset_cff(&file.data, &glyphs)?
    } else if parsed.tables().glyf.is_some() {
        subset_truetype(&file.data, &glyphs)?
    } else {
        return Err("neither CFF nor TrueType outlines (CFF2 is not supported)".into());
    };

    let scale = 1000.0 / f64::from(parsed.units_per_em());
    let units = |v: i16| (f64::from(v) * scale).round() as i64;
    let widths: BTreeMap<u16, i64> = glyphs
        .iter()
        .map(|&g| {
            let advance = parsed
                .glyph_hor_advance(ttf_parser::GlyphId(g))
                .unwrap_or(0);
            (g, (f64::from(advance) * scale).round() as i64)
        })
        .collect();
    let mut texts: BTreeMap<u16, String> = usage
        .iter()
        .filter_map(|(&g, texts)| usual_text(texts).map(|t| (g, t.to_owned())))
        .collect();
    // Glyphs that only continue clusters (marks, say) map to their character
    // in the face's cmap, for extractors that ignore ActualText.
    let textless: Vec<u16> = usage
        .keys()
        .copied()
        .filter(|g| !texts.contains_key(g))
        .collect();
    texts.extend(cmap_chars(&parsed, &textless));

    // The subset tag: six capitals from a hash of the face and its glyphs.
    let glyph_bytes: Vec<u8> = glyphs.iter().flat_map(|g| g.to_be_bytes()).collect();
    let hash = super::digest(&[b"quire-pdf-subset", face.key().as_bytes(), &glyph_bytes]);
    let tag: String = hash[..6]
        .iter()
        .map(|b| char::from(b'A' + b % 26))
        .collect();
    let base_font = format!("{tag}+{}", postscript_name(&parsed, file));

    let bbox = parsed.global_bounding_box();
    let ascent = units(parsed.ascender());
    let descent = units(parsed.descender());
    let italic_angle = parsed.italic_angle();
    let mut flags = 4; // symbolic: glyphs outside the standard Latin set
    if parsed.is_monospaced() {
        flags |= 1;
    }
    if parsed.is_italic() || italic_angle != 0.0 {
        flags |= 64;
    }
    let weight = f64::from(parsed.weight().to_number());
    let stem_v = 50 + (weight / 65.0).powi(2).round() as i64;

    let mut descriptor = dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => base_font.clone(),
        "Flags" => flags,
        "FontBBox" => vec![
            units(bbox.x_min).into(),
            units(bbox.y_min).into(),
            units(bbox.x_max).into(),
            units(bbox.y_max).into(),
        ],
        "ItalicAngle" => super::real(italic_angle),
        "Ascent" => ascent,
        "Descent" => descent,
        "CapHeight" => parsed.capital_height().map_or(ascent, units),
        "StemV" => stem_v,
    };
    let mut program = if subset.cff {
        Stream::new(dictionary! { "Subtype" => "CIDFontType0C" }, subset.program)
    } else {
        let length = subset.program.len() as i64;
        Stream::new(dictionary! { "Length1" => length }, subset.program)
    };
    super::deflate(&mut program, super::Effort::Fast)?;
    let program_id = doc.add_object(program);
    descriptor.set(
        if subset.cff { "FontFile3" } else { "FontFile2" },
        program_id,
    );
    let descriptor_id = doc.add_object(descriptor);

    let mut by_code: Vec<(u16, u16)> = subset.codes.iter().map(|(&g, &c)| (c, g)).collect();
    by_code.sort_unstable();
    let mut cid_font = dictionary! {
        "Type" => "Font",
        "Subtype" => if subset.cff { "CIDFontType0" } else { "CIDFontType2" },
        "BaseFont" => base_font.clone(),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => descriptor_id,
        "DW" => DEFAULT_WIDTH,
        "W" => width_array(&by_code, &widths),
    };
    if !subset.cff {
        cid_font.set("CIDToGIDMap", "Identity");
    }
    let cid_font_id = doc.add_object(cid_font);

    let mut cmap = Stream::new(
        Dictionary::new(),
        to_unicode_cmap(&by_code, &texts).into_bytes(),
    );
    super::deflate(&mut cmap, super::Effort::Normal)?;
    let cmap_id = doc.add_object(cmap);

    // A Type0 font over a CIDFontType0 is named `<CIDFont>-<CMap>`; over a
    // CIDFontType2, like its CIDFont (ISO 32000-1, table 121).
    let type0_name = if subset.cff {
        format!("{base_font}-Identity-H")
    } else {
        base_font.clone()
    };
    let id = doc.add_object(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => type0_name,
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference(cid_font_id)],
        "ToUnicode" => cmap_id,
    });

    Ok(EmbeddedFont {
        id,
        resource,
        codes: subset.codes,
        widths,
        texts,
    })
}

const DEFAULT_WIDTH: i64 = 1000;

/// `/W`: `first [w1 w2 …]` for runs of consecutive codes, leaving out the
/// widths equal to `/DW`.
fn width_array(by_code: &[(u16, u16)], widths: &BTreeMap<u16, i64>) -> Vec<Object> {
    let mut out = Vec::new();
    let mut run: Option<(u16, Vec<Object>)> = None;
    let mut last_code = 0u16;
    for &(code, glyph) in by_code {
        let width = widths[&glyph];
        if width == DEFAULT_WIDTH {
            continue;
        }
        match &mut run {
            Some((_, ws)) if code == last_code.wrapping_add(1) => ws.push(width.into()),
            _ => {
                if let Some((first, ws)) = run.take() {
                    out.push(i64::from(first).into());
                    out.push(ws.into());
                }
                run = Some((code, vec![width.into()]));
            }
        }
        last_code = code;
    }
    if let Some((first, ws)) = run {
        out.push(i64::from(first).into());
        out.push(ws.into());
    }
    out
}

/// The `ToUnicode` CMap: each code → its glyph's usual text (UTF-16BE).
fn to_unicode_cmap(by_code: &[(u16, u16)], texts: &BTreeMap<u16, String>) -> String {
    let entries: Vec<(u16, &str)> = by_code
        .iter()
        .filter_map(|(code, glyph)| texts.get(glyph).map(|t| (*code, t.as_str())))
        .collect();
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n\
         12 dict begin\n\
         begincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n\
         /CMapType 2 def\n\
         1 begincodespacerange\n\
         <0000> <FFFF>\n\
         endcodespacerange\n",
    );
    for chunk in entries.chunks(100) {
        out.push_str(&format!("{} beginbfchar\n", chunk.len()));
        for (code, text) in chunk {
            let utf16: String = text.encode_utf16().map(|u| format!("{u:04X}")).collect();
            out.push_str(&format!("<{code:04X}> <{utf16}>\n"));
        }
        out.push_str("endbfchar\n");
    }
    out.push_str(
        "endcmap\n\
         CMapName currentdict /CMap defineresource pop\n\
         end\n\
         end\n",
    );
    out
}

/// The smallest character the face's Unicode cmap maps to each of `glyphs`
/// (the glyphs it maps no character to are left out).
fn cmap_chars(face: &ttf_parser::Face<'_>, glyphs: &[u16]) -> BTreeMap<u16, String> {
    let mut out: BTreeMap<u16, char> = BTreeMap::new();
    if glyphs.is_empty() {
        return BTreeMap::new();
    }
    for table in face.tables().cmap.iter().flat_map(|c| c.subtables) {
        if !table.is_unicode() {
            continue;
        }
        table.codepoints(|cp| {
            let (Some(c), Some(g)) = (char::from_u32(cp), table.glyph_index(cp)) else {
                return;
            };
            if glyphs.contains(&g.0) && out.get(&g.0).is_none_or(|&old| c < old) {
                out.insert(g.0, c);
            }
        });
    }
    out.into_iter().map(|(g, c)| (g, c.to_string())).collect()
}

/// The PostScript name (name id 6), or the family without spaces; only the
/// characters allowed in a PDF name without escapes.
fn postscript_name(face: &ttf_parser::Face<'_>, file: &FontFile) -> String {
    let name = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| file.family.clone());
    let clean: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    if clean.is_empty() {
        "Font".into()
    } else {
        clean
    }
}

fn read_provider<'a>(data: &'a [u8]) -> Result<impl FontTableProvider + 'a, String> {
    let font = ReadScope::new(data)
        .read::<FontData<'_>>()
        .map_err(|e| e.to_string())?;
    font.table_provider(0).map_err(|e| e.to_string())
}

/// The bare `CFF ` table of the subset. The codes: the charset's CIDs for a
/// CID-keyed font, else the new glyph ids (a CIDFontType0 with a name-keyed
/// CFF program uses CIDs as glyph ids).
fn subset_cff(data: &[u8], glyphs: &[u16]) -> Result<Subset, String> {
    let provider = read_provider(data)?;
    let table = provider
        .read_table_data(tag::CFF)
        .map_err(|e| e.to_string())?;
    let cff = ReadScope::new(&table)
        .read::<CFF<'_>>()
        .map_err(|e| e.to_string())?;
    if cff.fonts.len() != 1 {
        return Err("a CFF table with more than one font".into());
    }
    let subset: CFF<'_> = cff.subset(glyphs, true).map_err(|e| e.to_string())?.into();
    let font = &subset.fonts[0];
    let mut codes = BTreeMap::new();
    for (new, &old) in glyphs.iter().enumerate() {
        let new = new as u16;
        let code = if font.is_cid_keyed() {
            font.charset
                .id_for_glyph(new)
                .ok_or_else(|| format!("glyph {old} has no CID in the subset"))?
        } else {
            new
        };
        codes.insert(old, code);
    }
    let mut buffer = WriteBuffer::new();
    CFF::write(&mut buffer, &subset).map_err(|e| e.to_string())?;
    Ok(Subset {
        program: buffer.into_inner(),
        codes,
        cff: true,
    })
}

/// A TrueType font with only `glyphs` (plus the components of composite
/// glyphs, appended), and the tables a PDF viewer needs.
fn subset_truetype(data: &[u8], glyphs: &[u16]) -> Result<Subset, String> {
    let provider = read_provider(data)?;
    let profile = SubsetProfile::Custom(vec![
        tag::HEAD,
        tag::HHEA,
        tag::HMTX,
        tag::MAXP,
        tag::CVT,
        tag::FPGM,
        tag::PREP,
    ]);
    let program = allsorts::subset::subset(&provider, glyphs, &profile, CmapTarget::Unicode)
        .map_err(|e| e.to_string())?;
    let codes = glyphs
        .iter()
        .enumerate()
        .map(|(new, &old)| (old, new as u16))
        .collect();
    Ok(Subset {
        program,
        codes,
        cff: false,
    })
}
