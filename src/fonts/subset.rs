//! Subsetting a font to the glyphs of the characters a book uses, for the
//! EPUB: HarfBuzz's subsetter, which keeps the layout tables.

use std::collections::BTreeSet;

use super::FontFile;

/// Layout features a reading system may apply, kept with the glyphs they
/// reach (HarfBuzz keeps its default set as well): kerning and ligatures,
/// the regional forms, punctuation trimmed to half width (halt, palt, and
/// their vertical forms, for `text-spacing-trim`), and the vertical forms
/// and metrics of vertical text.
const FEATURES: [&[u8; 4]; 11] = [
    b"kern", b"liga", b"locl", b"ccmp", b"halt", b"palt", b"vhal", b"vpal", b"vert", b"vrt2",
    b"vkrn",
];

/// A standalone OpenType font holding `chars` of `font` (and `.notdef`),
/// with a Unicode cmap, its GSUB and GPOS lookups for [`FEATURES`], and its
/// vertical metrics (vhea, vmtx, VORG).
pub fn subset(font: &FontFile, chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    super::harfbuzz::subset(&font.data, chars, &FEATURES)
}
