//! Subsetting a font to the glyphs of the characters a book uses.

use std::collections::BTreeSet;

use allsorts::binary::read::ReadScope;
use allsorts::font_data::FontData;
use allsorts::subset::{CmapTarget, SubsetProfile};
use allsorts::tag;

use super::FontFile;

/// A standalone OpenType font holding `chars` of `font` (and `.notdef`), with
/// a Unicode cmap so reading systems can use it. Layout tables (GSUB, GPOS)
/// are not kept: allsorts' subsetter does not rewrite them.
pub fn subset(font: &FontFile, chars: &BTreeSet<char>) -> Result<Vec<u8>, String> {
    let face = ttf_parser::Face::parse(&font.data, 0).map_err(|e| e.to_string())?;
    let glyphs: BTreeSet<u16> = std::iter::once(0)
        .chain(
            chars
                .iter()
                .filter_map(|&c| face.glyph_index(c))
                .map(|g| g.0),
        )
        .collect();
    let glyphs: Vec<u16> = glyphs.into_iter().collect();
    let scope = ReadScope::new(&font.data);
    let data = scope.read::<FontData<'_>>().map_err(|e| e.to_string())?;
    let provider = data.table_provider(0).map_err(|e| e.to_string())?;
    let profile = SubsetProfile::Custom(vec![
        tag::CMAP,
        tag::HEAD,
        tag::HHEA,
        tag::HMTX,
        tag::MAXP,
        tag::NAME,
        tag::OS_2,
        tag::POST,
        // TrueType hinting, for low-resolution screens (CFF fonts have none of these).
        tag::CVT,
        tag::FPGM,
        tag::PREP,
    ]);
    allsorts::subset::subset(&provider, &glyphs, &profile, CmapTarget::Unicode)
        .map_err(|e| e.to_string())
}
