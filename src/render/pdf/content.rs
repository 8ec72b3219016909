//! Page content streams: text runs, rules and images, in item order.
//!
//! Frames have their origin at the page's top-left with y down; PDF user
//! space has it at the bottom-left with y up, so every y becomes
//! `page.height - y`.
//!
//! A run is one `BT … ET`. Its first glyph is placed with `Tm`; each next
//! glyph on the same baseline follows in a `TJ` array, with the difference
//! between where the previous glyph's advance (its `/W` width) leaves the pen
//! and where the glyph belongs as a `TJ` offset. A glyph off the baseline
//! (`Glyph.y`) gets its own `Tm`. Word spacing (`Tw`) is never used: it does
//! not apply to 2-byte codes.
//!
//! Copy text: a cluster (a glyph with text and the empty-text glyphs after
//! it) whose glyphs' `ToUnicode` texts do not spell the cluster's text is
//! wrapped in a `/Span << /ActualText … >> BDC … EMC`, e.g. a hyphen added at
//! a line break (text "") or a base glyph with a mark glyph.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::sync::Arc;

use super::font::EmbeddedFont;
use crate::fonts::Face;
use crate::typeset::frame::{Glyph, ImageData, Item, Page, TextRun};

/// One page's content stream and the resources it uses.
pub(super) struct PageContent {
    pub bytes: Vec<u8>,
    pub fonts: BTreeSet<Face>,
    /// Indices into the document's image list.
    pub images: BTreeSet<usize>,
}

/// The resource name of image `index`.
pub(super) fn image_name(index: usize) -> String {
    format!("Im{}", index + 1)
}

pub(super) fn page(
    page: &Page,
    fonts: &BTreeMap<Face, EmbeddedFont>,
    images: &[Arc<ImageData>],
) -> Result<PageContent, String> {
    let mut out = String::new();
    let mut used_fonts = BTreeSet::new();
    let mut used_images = BTreeSet::new();
    let height = f64::from(page.height);
    for item in &page.items {
        match item {
            Item::Text(run) if run.glyphs.is_empty() => {}
            Item::Text(run) => {
                let font = &fonts[&run.face];
                used_fonts.insert(run.face);
                text_run(&mut out, run, font, height);
            }
            Item::Rule(rect) => {
                let _ = writeln!(
                    out,
                    "{} {} {} {} re f",
                    num(rect.x.into()),
                    num(height - f64::from(rect.y) - f64::from(rect.height)),
                    num(rect.width.into()),
                    num(rect.height.into()),
                );
            }
            Item::Image { rect, image } => {
                let index = super::image::index(images, image)
                    .ok_or("an image missing from the image list")?;
                used_images.insert(index);
                let _ = writeln!(
                    out,
                    "q {} 0 0 {} {} {} cm /{} Do Q",
                    num(rect.width.into()),
                    num(rect.height.into()),
                    num(rect.x.into()),
                    num(height - f64::from(rect.y) - f64::from(rect.height)),
                    image_name(index),
                );
            }
            Item::Link { .. } => {}
        }
    }
    Ok(PageContent {
        bytes: out.into_bytes(),
        fonts: used_fonts,
        images: used_images,
    })
}

fn text_run(out: &mut String, run: &TextRun, font: &EmbeddedFont, height: f64) {
    let size = round_to(f64::from(run.size), 1000.0);
    let _ = writeln!(out, "BT\n/{} {} Tf", font.resource, num(size));
    let mut text = TextWriter {
        out,
        size,
        pen: None,
        array: String::new(),
        codes_open: false,
    };
    for cluster in clusters(&run.glyphs) {
        let actual = run.text_of(&cluster[0]);
        let span = !spells(cluster.iter().map(|g| font.text(g.id)), actual);
        if span {
            text.flush();
            let _ = writeln!(
                text.out,
                "/Span << /ActualText {} >> BDC",
                utf16_hex(actual)
            );
        }
        for glyph in cluster {
            let x = f64::from(run.x) + f64::from(glyph.x);
            let y = height - (f64::from(run.y) + f64::from(glyph.y));
            text.glyph(font.code(glyph.id), x, y, font.width(glyph.id));
        }
        if span {
            text.flush();
            text.out.push_str("EMC\n");
        }
    }
    text.flush();
    text.out.push_str("ET\n");
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

/// Builds the `Tm` / `TJ` operators of one text object.
struct TextWriter<'a> {
    out: &'a mut String,
    size: f64,
    /// Where the pen is after the last glyph, in user space.
    pen: Option<(f64, f64)>,
    /// The pending `TJ` array's contents.
    array: String,
    /// Whether the array ends in an open `<…` hex string.
    codes_open: bool,
}

impl TextWriter<'_> {
    fn glyph(&mut self, code: u16, x: f64, y: f64, width: i64) {
        match self.pen {
            Some((pen_x, pen_y)) if (pen_y - y).abs() < 0.0005 => {
                // TJ offsets are in 1/1000 text space units, subtracted.
                let offset = round_to((pen_x - x) * 1000.0 / self.size, 100.0);
                if offset != 0.0 {
                    self.close_codes();
                    self.array.push(' ');
                    push_num(&mut self.array, offset, 2);
                    self.array.push(' ');
                    self.pen = Some((pen_x - offset * self.size / 1000.0, pen_y));
                }
            }
            _ => {
                self.flush();
                let (x, y) = (round_to(x, 1000.0), round_to(y, 1000.0));
                let _ = writeln!(self.out, "1 0 0 1 {} {} Tm", num(x), num(y));
                self.pen = Some((x, y));
            }
        }
        if !self.codes_open {
            self.array.push('<');
            self.codes_open = true;
        }
        for shift in [12, 8, 4, 0] {
            self.array.push(char::from(
                b"0123456789ABCDEF"[usize::from(code >> shift) & 0xF],
            ));
        }
        if let Some((pen_x, pen_y)) = self.pen {
            self.pen = Some((pen_x + width as f64 * self.size / 1000.0, pen_y));
        }
    }

    fn close_codes(&mut self) {
        if self.codes_open {
            self.array.push('>');
            self.codes_open = false;
        }
    }

    /// Writes the pending `TJ`; the pen stays where it is.
    fn flush(&mut self) {
        self.close_codes();
        if !self.array.is_empty() {
            let _ = writeln!(self.out, "[{}] TJ", self.array.trim());
            self.array.clear();
        }
    }
}

/// A PDF text string in UTF-16BE with its byte order mark, as hex.
fn utf16_hex(text: &str) -> String {
    let mut out = String::from("<FEFF");
    for unit in text.encode_utf16() {
        let _ = write!(out, "{unit:04X}");
    }
    out.push('>');
    out
}

fn round_to(value: f64, per_unit: f64) -> f64 {
    (value * per_unit).round() / per_unit
}

/// A number with at most 3 decimals, without trailing zeros.
pub(super) fn num(value: f64) -> String {
    let mut out = String::new();
    push_num(&mut out, value, 3);
    out
}

/// Appends `value` rounded to `places` decimals (at most 3), without
/// trailing zeros, and `0` rather than `-0`. No allocation: it runs for
/// every glyph set apart in a justified line.
pub(super) fn push_num(out: &mut String, value: f64, places: u32) {
    let scale = 10_i64.pow(places);
    let n = (value * scale as f64).round() as i64;
    if n < 0 {
        out.push('-');
    }
    let (whole, mut frac) = (
        n.unsigned_abs() / scale as u64,
        n.unsigned_abs() % scale as u64,
    );
    push_digits(out, whole);
    if frac != 0 {
        out.push('.');
        let mut width = places;
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        let digits = frac.checked_ilog10().unwrap_or(0) + 1;
        for _ in digits..width {
            out.push('0');
        }
        push_digits(out, frac);
    }
}

fn push_digits(out: &mut String, n: u64) {
    if n >= 10 {
        push_digits(out, n / 10);
    }
    out.push(char::from(b'0' + (n % 10) as u8));
}
