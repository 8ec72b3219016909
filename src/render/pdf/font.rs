//! Embedding a face: quire subsets it to the glyphs the book shows and hands
//! printpdf the subset as a font of its own, which printpdf writes as a Type0
//! font with `Identity-H` encoding, `/W` widths and a `ToUnicode` CMap.
//!
//! - The subset is a whole font file made by allsorts (printpdf adds no
//!   subsetting of its own without its `text_layout` feature). Glyphs are
//!   renumbered: the n-th glyph of the sorted glyph list becomes glyph n, and
//!   the content stream shows these new ids.
//! - CFF faces (the CJK `.otf` files): printpdf embeds the subset's bare
//!   CID-keyed `CFF ` table (`/FontFile3 /Subtype /CIDFontType0C` under a
//!   `CIDFontType0`) and writes each glyph as its CID from the subset's
//!   charset, which allsorts keeps from the original face.
//! - TrueType faces: `/FontFile2` under a `CIDFontType2` with
//!   `/CIDToGIDMap /Identity`; the codes are the new glyph ids.
//!
//! printpdf reads widths and metrics from the [`ParsedFont`] it is given, so
//! quire fills one in 1/1000 em: `/W` then holds the original face's `hmtx`
//! advances rounded to 1/1000 em, the same widths the content stream is
//! positioned against. The descriptor values printpdf cannot derive without
//! `text_layout` (flags, italic angle, cap height) are kept in [`Descriptor`]
//! for the finishing step.

use std::collections::BTreeMap;

use allsorts::binary::read::ReadScope;
use allsorts::binary::write::{WriteBinary, WriteBuffer};
use allsorts::cff::CFF;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile};
use allsorts::tables::FontTableProvider;
use allsorts::tag;
use printpdf::{FontMetrics, FontType, ParsedFont, PdfFont, PdfFontMetricsStub};

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

/// The resource name of the vertical twin of the font named `resource`:
/// the same glyphs under `/Encoding /Identity-V`.
pub(super) fn vertical_resource(resource: &str) -> String {
    format!("{resource}V")
}

/// A face written into the document: how the content stream shows its
/// glyphs and what the finishing step sets in its descriptor.
#[derive(Debug)]
pub(super) struct EmbeddedFont {
    /// The font's name in page resources, `F1` …
    pub resource: String,
    /// `TAG+PostScriptName`, the subset's `/BaseFont`.
    pub base_font: String,
    /// Whether the program is CFF (a `CIDFontType0`).
    pub cff: bool,
    pub descriptor: Descriptor,
    /// Original glyph id → glyph id in the subset (for every glyph of the
    /// face: a lookup per glyph shown is a hot path).
    subset_ids: Vec<u16>,
    /// By subset glyph id: the advance in 1/1000 em, as written in `/W`.
    widths: Vec<i64>,
    /// By subset glyph id: the text in the `ToUnicode` CMap.
    texts: Vec<String>,
}

/// The `/FontDescriptor` values of a face, in 1/1000 em.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Descriptor {
    pub flags: i64,
    pub bbox: [i64; 4],
    pub italic_angle: f32,
    pub ascent: i64,
    pub descent: i64,
    pub cap_height: i64,
    pub stem_v: i64,
}

impl EmbeddedFont {
    /// The glyph id the subset gives an original glyph.
    pub fn glyph(&self, glyph: u16) -> u16 {
        self.subset_ids[usize::from(glyph)]
    }

    /// Advance width in 1/1000 em.
    pub fn width(&self, glyph: u16) -> i64 {
        self.widths[usize::from(self.glyph(glyph))]
    }

    /// What copying the glyph gives without an `ActualText` span.
    pub fn text(&self, glyph: u16) -> &str {
        &self.texts[usize::from(self.glyph(glyph))]
    }
}

/// Subsets `file` to the glyphs in `usage`: the face as quire will show it,
/// and the font printpdf embeds for it.
pub(super) fn embed(
    face: Face,
    file: &FontFile,
    usage: &GlyphUsage,
    resource: String,
) -> Result<(EmbeddedFont, PdfFont), String> {
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

    let cff = parsed.tables().cff.is_some();
    if !cff && parsed.tables().glyf.is_none() {
        return Err("neither CFF nor TrueType outlines (CFF2 is not supported)".into());
    }
    let program = subset_program(&file.data, &glyphs, cff)?;

    let scale = 1000.0 / f64::from(parsed.units_per_em());
    let units = |v: i16| (f64::from(v) * scale).round() as i64;
    let widths: Vec<i64> = glyphs
        .iter()
        .map(|&g| {
            let advance = parsed
                .glyph_hor_advance(ttf_parser::GlyphId(g))
                .unwrap_or(0);
            (f64::from(advance) * scale).round() as i64
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
    let italic_angle = parsed.italic_angle();
    let mut flags = 4; // symbolic: glyphs outside the standard Latin set
    if parsed.is_monospaced() {
        flags |= 1;
    }
    if parsed.is_italic() || italic_angle != 0.0 {
        flags |= 64;
    }
    let weight = f64::from(parsed.weight().to_number());
    let descriptor = Descriptor {
        flags,
        bbox: [
            units(bbox.x_min),
            units(bbox.y_min),
            units(bbox.x_max),
            units(bbox.y_max),
        ],
        italic_angle,
        ascent,
        descent: units(parsed.descender()),
        cap_height: parsed.capital_height().map_or(ascent, units),
        stem_v: 50 + (weight / 65.0).powi(2).round() as i64,
    };

    let mut subset_ids = vec![0u16; usize::from(count)];
    for (new, &old) in glyphs.iter().enumerate() {
        subset_ids[usize::from(old)] = new as u16;
    }
    let texts = glyphs
        .iter()
        .map(|g| texts.remove(g).unwrap_or_default())
        .collect();
    let pdf_font = printpdf_font(&program, &base_font, cff, &widths, &descriptor, &parsed);
    let font = EmbeddedFont {
        resource,
        base_font,
        cff,
        descriptor,
        subset_ids,
        widths,
        texts,
    };
    Ok((font, pdf_font))
}

/// The subset as printpdf takes it: the program, and the widths (by subset
/// glyph id) and metrics printpdf writes, in 1/1000 em.
fn printpdf_font(
    program: &[u8],
    base_font: &str,
    cff: bool,
    widths: &[i64],
    descriptor: &Descriptor,
    parsed: &ttf_parser::Face<'_>,
) -> PdfFont {
    let to_u16 = |w: i64| u16::try_from(w.max(0)).unwrap_or(u16::MAX);
    let to_i16 = |v: i64| v.clamp(i64::from(i16::MIN), i64::from(i16::MAX)) as i16;
    let [x_min, y_min, x_max, y_max] = descriptor.bbox.map(to_i16);
    PdfFont::new(ParsedFont {
        original_bytes: program.to_vec(),
        font_index: 0,
        font_name: Some(base_font.to_owned()),
        codepoint_to_glyph: BTreeMap::new(),
        glyph_widths: widths
            .iter()
            .enumerate()
            .map(|(new, &width)| (new as u16, to_u16(width)))
            .collect(),
        units_per_em: 1000,
        font_metrics: FontMetrics {
            ascent: to_i16(descriptor.ascent),
            descent: to_i16(descriptor.descent),
        },
        font_type: if cff {
            FontType::OpenTypeCFF(())
        } else {
            FontType::TrueType
        },
        pdf_font_metrics: PdfFontMetricsStub {
            units_per_em: 1000,
            x_min,
            y_min,
            x_max,
            y_max,
            caret_slope_rise: 1,
            caret_slope_run: 0,
            us_weight_class: parsed.weight().to_number(),
        },
    })
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

/// A font file holding only `glyphs`, renumbered in that order (TrueType
/// appends the components of composite glyphs), and the tables a PDF viewer
/// needs.
///
/// A CID-keyed CFF face (the CJK faces) needs no other table: printpdf
/// embeds its bare `CFF ` table and reads the charset from it, so the subset
/// table goes into the smallest OpenType file that holds it. Other faces are
/// subset whole by allsorts (a name-keyed CFF font is embedded as OpenType).
fn subset_program(data: &[u8], glyphs: &[u16], cff: bool) -> Result<Vec<u8>, String> {
    let font = ReadScope::new(data)
        .read::<FontData<'_>>()
        .map_err(|e| e.to_string())?;
    let provider = font.table_provider(0).map_err(|e| e.to_string())?;
    if cff {
        let table = provider
            .read_table_data(tag::CFF)
            .map_err(|e| e.to_string())?;
        let cff = ReadScope::new(&table)
            .read::<CFF<'_>>()
            .map_err(|e| e.to_string())?;
        if cff.fonts.len() == 1 && cff.fonts[0].is_cid_keyed() {
            let subset: CFF<'_> = cff.subset(glyphs, true).map_err(|e| e.to_string())?.into();
            let mut buffer = WriteBuffer::new();
            CFF::write(&mut buffer, &subset).map_err(|e| e.to_string())?;
            return Ok(sfnt_with_cff(&buffer.into_inner()));
        }
    }
    let mut tables = vec![tag::HEAD, tag::HHEA, tag::HMTX, tag::MAXP];
    if !cff {
        tables.extend([tag::CVT, tag::FPGM, tag::PREP]);
    }
    let profile = SubsetProfile::Custom(tables);
    allsorts::subset::subset(&provider, glyphs, &profile, CmapTarget::Unicode)
        .map_err(|e| e.to_string())
}

/// An OpenType file (`OTTO`) whose one table is `cff`.
fn sfnt_with_cff(cff: &[u8]) -> Vec<u8> {
    const HEADER: u32 = 12 + 16; // the offset table and one table record
    let padded = cff.len().next_multiple_of(4);
    let mut out = Vec::with_capacity(HEADER as usize + padded);
    out.extend(b"OTTO");
    for field in [1u16, 16, 0, 0] {
        // numTables, searchRange, entrySelector, rangeShift
        out.extend(field.to_be_bytes());
    }
    let checksum = cff.chunks(4).fold(0u32, |sum, word| {
        let mut bytes = [0u8; 4];
        bytes[..word.len()].copy_from_slice(word);
        sum.wrapping_add(u32::from_be_bytes(bytes))
    });
    out.extend(b"CFF ");
    out.extend(checksum.to_be_bytes());
    out.extend(HEADER.to_be_bytes());
    out.extend((cff.len() as u32).to_be_bytes());
    out.extend(cff);
    out.resize(HEADER as usize + padded, 0);
    out
}
