//! Shaping: the faces parsed once per book, font fallback per character, and
//! a paragraph turned into clusters of positioned glyphs.

use std::cell::RefCell;
use std::sync::OnceLock;

use rustybuzz::ttf_parser::Tag;
use rustybuzz::{script, Direction, Feature, Language, Script, ShapePlan, UnicodeBuffer};

use super::breaks::{is_forced_break, is_space};
use super::Piece;
use crate::book::Lang;
use crate::fonts::{chain, Face, Fonts};
use crate::text::{
    is_ambiguous_punctuation, is_cjk_punctuation, is_han, is_wide, orientation, Orientation,
};

/// The scripts a run is shaped with; one plan per face and script.
const SCRIPTS: [Script; 5] = [
    script::LATIN,
    script::HAN,
    script::KATAKANA,
    script::GREEK,
    script::CYRILLIC,
];

/// Full-width punctuation whose blank sides (from the font's `halt`
/// feature) are trimmed at line ends and squeezed where two meet.
const BLANKED: &str = "、，。．；：？！「」『』（）《》〈〉【】〔〕〖〗［］｛｝“”‘’・·";

/// One face parsed for shaping.
pub(super) struct FaceData<'a> {
    hb: rustybuzz::Face<'a>,
    face: Face,
    pub upem: f32,
    /// Ascender and descender (positive down), in ems.
    ascender: f32,
    descender: f32,
    language: Language,
    /// The glyph and advance (in ems) of the hyphen added at a break.
    pub hyphen: Option<(u16, f32)>,
    /// The space glyph: drawn, widened, where no face covers a character.
    pub space: Option<u16>,
    plans: [OnceLock<ShapePlan>; SCRIPTS.len()],
    /// Shaped for a vertical column: a CJK face's `vert`/`vrt2` forms.
    vertical: bool,
    /// (character, left blank, right blank) in ems, sorted by character.
    blanks: OnceLock<Vec<(char, f32, f32)>>,
}

impl<'a> FaceData<'a> {
    fn new(face: Face, data: &'a [u8], vertical: bool) -> Option<FaceData<'a>> {
        let hb = rustybuzz::Face::from_slice(data, 0)?;
        let upem = hb.units_per_em() as f32;
        let language = match face {
            Face::SerifHant | Face::HeadingHant => "zh-TW",
            Face::SerifHans | Face::HeadingHans => "zh-CN",
            _ => "en",
        }
        .parse()
        .ok()?;
        let hyphen = hb
            .glyph_index('-')
            .map(|g| (g.0, hb.glyph_hor_advance(g).unwrap_or(0) as f32 / upem));
        Some(FaceData {
            ascender: hb.ascender() as f32 / upem,
            descender: -(hb.descender() as f32) / upem,
            face,
            upem,
            language,
            hyphen,
            space: hb.glyph_index(' ').map(|g| g.0),
            hb,
            plans: Default::default(),
            vertical: vertical && face.is_cjk(),
            blanks: OnceLock::new(),
        })
    }

    fn is_cjk(&self) -> bool {
        self.face.is_cjk()
    }

    fn plan(&self, script: usize) -> &ShapePlan {
        self.plans[script].get_or_init(|| {
            // The vertical forms, on a line that is turned upright later:
            // the glyphs keep their horizontal advances (an em each).
            let vertical = [
                Feature::new(Tag::from_bytes(b"vert"), 1, ..),
                Feature::new(Tag::from_bytes(b"vrt2"), 1, ..),
            ];
            let features: &[Feature] = if self.vertical { &vertical } else { &[] };
            ShapePlan::new(
                &self.hb,
                Direction::LeftToRight,
                Some(SCRIPTS[script]),
                Some(&self.language),
                features,
            )
        })
    }

    /// The blank sides of a full-width punctuation mark, in ems.
    pub fn blanks(&self, c: char) -> (f32, f32) {
        if !self.is_cjk()
            || !(is_cjk_punctuation(c) || is_ambiguous_punctuation(c))
            || !BLANKED.contains(c)
        {
            return (0.0, 0.0);
        }
        let table = self.blanks.get_or_init(|| self.measure_blanks());
        match table.binary_search_by(|e| e.0.cmp(&c)) {
            Ok(i) => (table[i].1, table[i].2),
            Err(_) => (0.0, 0.0),
        }
    }

    /// What `halt` does to each mark: how much blank it removes on each side.
    fn measure_blanks(&self) -> Vec<(char, f32, f32)> {
        let halt = [Feature::new(Tag::from_bytes(b"halt"), 1, ..)];
        let han = 1;
        let halt_plan = ShapePlan::new(
            &self.hb,
            Direction::LeftToRight,
            Some(SCRIPTS[han]),
            Some(&self.language),
            &halt,
        );
        let mut table = Vec::new();
        let mut buffer = UnicodeBuffer::new();
        for c in BLANKED.chars() {
            let one = |plan: &ShapePlan, buffer: UnicodeBuffer| {
                let mut buffer = buffer;
                buffer.add(c, 0);
                self.prepare(&mut buffer, han);
                let out = rustybuzz::shape_with_plan(&self.hb, plan, buffer);
                let r = match (out.glyph_infos(), out.glyph_positions()) {
                    ([i], [p]) if i.glyph_id != 0 => Some((p.x_advance, p.x_offset)),
                    _ => None,
                };
                (r, out.clear())
            };
            let (plain, b) = one(self.plan(han), buffer);
            let (halted, b) = one(&halt_plan, b);
            buffer = b;
            if let (Some((advance, _)), Some((half, offset))) = (plain, halted) {
                let left = (-offset) as f32;
                let right = (advance - half + offset) as f32;
                if half < advance && left >= 0.0 && right >= 0.0 {
                    table.push((c, left / self.upem, right / self.upem));
                }
            }
        }
        table.sort_by_key(|e| e.0);
        table
    }

    fn prepare(&self, buffer: &mut UnicodeBuffer, script: usize) {
        buffer.set_direction(Direction::LeftToRight);
        buffer.set_script(SCRIPTS[script]);
        buffer.set_language(self.language.clone());
    }
}

/// Faces parsed for shaping, once per book (rustybuzz::Face borrowing Fonts' data).
pub struct ShapingFonts<'a> {
    pub(super) fonts: &'a Fonts,
    faces: Vec<FaceData<'a>>,
    /// Lines are set for vertical columns (see [`ShapingFonts::vertical`]).
    pub vertical: bool,
}

impl<'a> ShapingFonts<'a> {
    pub fn new(fonts: &'a Fonts) -> ShapingFonts<'a> {
        ShapingFonts::with(fonts, false)
    }

    /// For lines that become vertical columns when their page is turned: Han
    /// and full-width punctuation take their vertical forms and stand
    /// upright, short Latin runs go across the column in one em
    /// ([`crate::text::orientation`]), the rest is turned with the line.
    pub fn vertical(fonts: &'a Fonts) -> ShapingFonts<'a> {
        ShapingFonts::with(fonts, true)
    }

    fn with(fonts: &'a Fonts, vertical: bool) -> ShapingFonts<'a> {
        let faces = Face::ALL
            .iter()
            .map(|&face| {
                FaceData::new(face, &fonts.file(face).data, vertical).unwrap_or_else(|| {
                    panic!(
                        "{}: Fonts::load accepted a font rustybuzz cannot parse",
                        fonts.file(face).name
                    )
                })
            })
            .collect();
        ShapingFonts {
            fonts,
            faces,
            vertical,
        }
    }

    /// The fonts these faces were parsed from.
    pub fn fonts(&self) -> &'a Fonts {
        self.fonts
    }

    pub(super) fn face(&self, face: Face) -> &FaceData<'a> {
        &self.faces[face as usize]
    }

    /// Ascender and descender (positive down) of `face` at `size` pt, from hhea/OS/2 typo metrics.
    pub fn metrics(&self, face: Face, size: f32) -> (f32, f32) {
        let f = self.face(face);
        (f.ascender * size, f.descender * size)
    }
}

/// A glyph of a paragraph, in points.
#[derive(Debug, Clone, Copy)]
pub(super) struct Glyph {
    pub id: u16,
    pub advance: f32,
    pub dx: f32,
    /// Up is positive, as the font has it.
    pub dy: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Glyphs to draw.
    Text,
    /// An inter-word space: becomes glue.
    Space,
    /// Not drawn: no face covers it, or an invisible format character.
    Skip,
    /// A forced line break.
    Forced,
}

/// The glyphs for one stretch of source text that does not split (a
/// grapheme, a ligature), or a character that is not drawn.
#[derive(Debug, Clone, Copy)]
pub(super) struct Cluster {
    /// Bytes of the paragraph text.
    pub start: u32,
    pub end: u32,
    /// Glyphs of the paragraph.
    pub g0: u32,
    pub g1: u32,
    /// Advance in points.
    pub width: f32,
    pub face: Face,
    pub size: f32,
    pub piece: u32,
    pub kind: Kind,
    /// Blank trimmed off the right of full-width punctuation (points): it
    /// becomes glue, which vanishes at a line end.
    pub right: f32,
    /// Blank left of such punctuation, kept in its glyph: pushing a line in
    /// may take it too (the mark then moves left into it).
    pub left: f32,
    /// In a vertical column, set across it in one em (its width).
    pub across: bool,
}

/// A paragraph's text, shaped.
#[derive(Debug, Default)]
pub(super) struct Shaped {
    pub text: String,
    /// Byte where each piece starts in `text`.
    pub piece_starts: Vec<usize>,
    pub clusters: Vec<Cluster>,
    pub glyphs: Vec<Glyph>,
}

impl Shaped {
    pub fn cluster_text(&self, c: &Cluster) -> &str {
        &self.text[c.start as usize..c.end as usize]
    }

    pub fn first_char(&self, c: &Cluster) -> char {
        self.cluster_text(c).chars().next().unwrap_or(' ')
    }

    pub fn last_char(&self, c: &Cluster) -> char {
        self.cluster_text(c).chars().next_back().unwrap_or(' ')
    }

    /// The piece holding a byte of the text.
    pub fn piece_at(&self, byte: usize) -> usize {
        self.piece_starts
            .partition_point(|&s| s <= byte)
            .saturating_sub(1)
    }

    /// Whether a cluster is set on the ideographic grid (a CJK face's Han,
    /// kana or full-width punctuation).
    pub fn is_wide(&self, c: &Cluster) -> bool {
        if c.kind != Kind::Text || !c.face.is_cjk() {
            return false;
        }
        let ch = self.first_char(c);
        is_wide(ch) || is_ambiguous_punctuation(ch)
    }
}

thread_local! {
    static BUFFER: RefCell<Option<UnicodeBuffer>> = const { RefCell::new(None) };
}

/// Characters that stay in the face of the character before them.
fn clings(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}'
        | '\u{1AB0}'..='\u{1AFF}'
        | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}'
        | '\u{FE00}'..='\u{FE0F}'
        | '\u{FE20}'..='\u{FE2F}'
        | '\u{200D}'
        | '\u{1F3FB}'..='\u{1F3FF}'
        | '\u{E0100}'..='\u{E01EF}')
}

/// Invisible characters that are not shaped.
pub(super) fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{AD}' | '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{200E}' | '\u{200F}'
        )
}

/// Shapes the pieces of a paragraph into `out` (cleared first).
pub(super) fn shape_paragraph(
    fonts: &ShapingFonts,
    pieces: &[Piece],
    base: Lang,
    han_in_english: Lang,
    out: &mut Shaped,
) {
    out.text.clear();
    out.piece_starts.clear();
    out.clusters.clear();
    out.glyphs.clear();
    for piece in pieces {
        out.piece_starts.push(out.text.len());
        out.text.push_str(piece.text);
    }
    let mut buffer = BUFFER.with(|b| b.borrow_mut().take()).unwrap_or_default();
    for (index, piece) in pieces.iter().enumerate() {
        let first_cluster = out.clusters.len();
        let faces = chain(piece.lang, piece.style, base, han_in_english);
        let offset = out.piece_starts[index];
        // Runs of one face.
        let mut run: Option<(usize, Face)> = None;
        for (i, c) in piece.text.char_indices() {
            let at = offset + i;
            let special = if is_forced_break(c) {
                Some(Kind::Forced)
            } else if invisible(c) {
                Some(Kind::Skip)
            } else {
                None
            };
            let face = match special {
                Some(_) => None,
                None => match run {
                    Some((_, f)) if clings(c) => Some(f),
                    Some((_, f)) if is_space(c) && fonts.fonts.file(f).covers(c) => Some(f),
                    _ => fonts.fonts.pick(&faces, c),
                },
            };
            if let Some((start, f)) = run {
                if face != Some(f) {
                    buffer = shape_run(fonts, out, buffer, start, at, f, piece, index);
                    run = None;
                }
            }
            match face {
                Some(f) => {
                    if run.is_none() {
                        run = Some((at, f));
                    }
                }
                None => {
                    let face = faces[0];
                    if let (None, Some(id)) = (special, fonts.face(face).space) {
                        // Covered by no face: a blank as wide as the character
                        // would be, which copies as the character (the EPUB
                        // shows a fallback glyph there; the text stays whole).
                        let width = piece.size * if is_wide(c) { 1.0 } else { 0.5 };
                        out.clusters.push(Cluster {
                            start: at as u32,
                            end: (at + c.len_utf8()) as u32,
                            g0: out.glyphs.len() as u32,
                            g1: out.glyphs.len() as u32 + 1,
                            width,
                            face,
                            size: piece.size,
                            piece: index as u32,
                            kind: Kind::Text,
                            right: 0.0,
                            left: 0.0,
                            across: false,
                        });
                        out.glyphs.push(Glyph {
                            id,
                            advance: width,
                            dx: 0.0,
                            dy: 0.0,
                        });
                        continue;
                    }
                    out.clusters.push(Cluster {
                        start: at as u32,
                        end: (at + c.len_utf8()) as u32,
                        g0: out.glyphs.len() as u32,
                        g1: out.glyphs.len() as u32,
                        width: 0.0,
                        face,
                        size: piece.size,
                        piece: index as u32,
                        kind: special.unwrap_or(Kind::Skip),
                        right: 0.0,
                        left: 0.0,
                        across: false,
                    });
                }
            }
        }
        if let Some((start, f)) = run {
            let end = offset + piece.text.len();
            buffer = shape_run(fonts, out, buffer, start, end, f, piece, index);
        }
        if fonts.vertical && base.is_chinese() && !piece.lang.is_chinese() {
            set_across(out, first_cluster, piece.size, orientation(piece.text));
        }
    }
    BUFFER.with(|b| *b.borrow_mut() = Some(buffer));
}

/// A Latin run in a vertical column: across it in one em (a number of
/// two or three digits), or each character upright in an em of its own
/// (a capital, a year), by [`orientation`]; else it is turned with the
/// line and left as it is.
fn set_across(out: &mut Shaped, first: usize, em: f32, orientation: Orientation) {
    let clusters = &mut out.clusters[first..];
    let drawn = |c: &Cluster| c.kind == Kind::Text && c.g1 > c.g0;
    if clusters.is_empty() || !clusters.iter().all(drawn) {
        return;
    }
    match orientation {
        Orientation::Sideways => {}
        Orientation::Upright => {
            for c in clusters {
                c.across = true;
                c.width = em;
            }
        }
        Orientation::Combined => {
            let (head, last) = (clusters[0], clusters[clusters.len() - 1]);
            if clusters.iter().any(|c| c.face != head.face) {
                return;
            }
            out.clusters.truncate(first);
            out.clusters.push(Cluster {
                end: last.end,
                g1: last.g1,
                width: em,
                across: true,
                ..head
            });
        }
    }
}

/// The plan script for a run of text in a face.
fn run_script(text: &str, cjk: bool) -> usize {
    let (mut han, mut kana, mut latin, mut greek, mut cyrillic) =
        (false, false, false, false, false);
    for c in text.chars() {
        match c {
            '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}' => kana = true,
            '\u{0370}'..='\u{03FF}' => greek = true,
            '\u{0400}'..='\u{04FF}' => cyrillic = true,
            c if is_han(c) => han = true,
            c if c.is_alphabetic() => latin = true,
            _ => {}
        }
    }
    if cjk {
        if kana {
            2
        } else if latin && !han {
            0
        } else {
            1
        }
    } else if !latin && greek {
        3
    } else if !latin && cyrillic {
        4
    } else {
        0
    }
}

#[allow(clippy::too_many_arguments)]
fn shape_run(
    fonts: &ShapingFonts,
    out: &mut Shaped,
    mut buffer: UnicodeBuffer,
    start: usize,
    end: usize,
    face: Face,
    piece: &Piece,
    index: usize,
) -> UnicodeBuffer {
    let data = fonts.face(face);
    let text = &out.text[start..end];
    let script = run_script(text, data.is_cjk());
    buffer.push_str(text);
    data.prepare(&mut buffer, script);
    let shaped = rustybuzz::shape_with_plan(&data.hb, data.plan(script), buffer);
    let scale = piece.size / data.upem;
    let infos = shaped.glyph_infos();
    let positions = shaped.glyph_positions();
    let mut i = 0;
    while i < infos.len() {
        let cluster = infos[i].cluster;
        let mut j = i;
        let g0 = out.glyphs.len() as u32;
        let mut width = 0.0;
        while j < infos.len() && infos[j].cluster == cluster {
            let p = &positions[j];
            let advance = p.x_advance as f32 * scale;
            width += advance;
            // Never a .notdef: a character no face covers is left out.
            if infos[j].glyph_id != 0 {
                out.glyphs.push(Glyph {
                    id: infos[j].glyph_id as u16,
                    advance,
                    dx: p.x_offset as f32 * scale,
                    dy: p.y_offset as f32 * scale,
                });
            } else {
                width -= advance;
            }
            j += 1;
        }
        let next = infos.get(j).map_or(text.len(), |g| g.cluster as usize);
        let source = &text[cluster as usize..next];
        let kind = if source.chars().all(is_space) {
            Kind::Space
        } else {
            Kind::Text
        };
        out.clusters.push(Cluster {
            start: (start + cluster as usize) as u32,
            end: (start + next) as u32,
            g0,
            g1: out.glyphs.len() as u32,
            width,
            face,
            size: piece.size,
            piece: index as u32,
            kind,
            right: 0.0,
            left: 0.0,
            across: false,
        });
        i = j;
    }
    shaped.clear()
}
