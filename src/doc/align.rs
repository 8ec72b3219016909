//! Pairing an article's English and Chinese blocks for the bilingual edition.

use std::path::Path;

use super::{Block, BlockKind};
use crate::error::{Diagnostic, Location};

/// English blocks beside the Chinese blocks that translate them.
pub type Pair<'a> = (Vec<&'a Block>, Vec<&'a Block>);

/// Pairs two versions of an article block by block where their structures
/// agree. Both are cut into sections at headings; sections with as many
/// blocks on each side pair block by block, others pair as a whole (and the
/// result says the structures differ). Footnote texts are left out.
pub fn align<'a>(english: &'a [Block], chinese: &'a [Block]) -> (Vec<Pair<'a>>, bool) {
    let en = sections(english);
    let zh = sections(chinese);
    let mut pairs = Vec::new();
    let mut matched = en.len() == zh.len();
    let common = en.len().min(zh.len());
    for (e, z) in en.iter().zip(&zh).take(common) {
        if e.len() == z.len() {
            pairs.extend(e.iter().zip(z).map(|(a, b)| (vec![*a], vec![*b])));
        } else {
            matched = false;
            pairs.push((e.clone(), z.clone()));
        }
    }
    // Sections one side has and the other lacks flow on after the last pair.
    let rest_en: Vec<&Block> = en.iter().skip(common).flatten().copied().collect();
    let rest_zh: Vec<&Block> = zh.iter().skip(common).flatten().copied().collect();
    if !rest_en.is_empty() || !rest_zh.is_empty() {
        pairs.push((rest_en, rest_zh));
    }
    (pairs, matched)
}

/// The warning for an article whose versions `align` could pair only at
/// headings: `en` and `zh` are the files.
pub fn structure_warning(id: &str, en: &Path, zh: &Path) -> Diagnostic {
    Diagnostic::warning(
        Some(Location::file(zh)),
        format!("the English and Chinese versions of `{id}` differ in structure; the bilingual edition aligns them on headings only"),
    )
    .hint(format!(
        "give {} the same paragraphs, lists and headings as {}",
        zh.display(),
        en.display()
    ))
}

/// Blocks grouped so each group starts at a heading (the first may not).
fn sections(blocks: &[Block]) -> Vec<Vec<&Block>> {
    let mut sections: Vec<Vec<&Block>> = Vec::new();
    for block in blocks {
        match block.kind {
            BlockKind::FootnoteDefinition { .. } => continue,
            BlockKind::Heading { .. } => sections.push(vec![block]),
            _ => match sections.last_mut() {
                Some(section) => section.push(block),
                None => sections.push(vec![block]),
            },
        }
    }
    sections
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::Lang;
    use crate::doc::parse;
    use std::path::Path;

    fn blocks(text: &str, lang: Lang) -> Vec<Block> {
        parse(Path::new("a.md"), text, 0, lang).blocks
    }

    #[test]
    fn same_structure_pairs_block_by_block() {
        let en = blocks("One.\n\n## Two\n\nThree.\n", Lang::En);
        let zh = blocks("一。\n\n## 二\n\n三。\n", Lang::ZhHant);
        let (pairs, matched) = align(&en, &zh);
        assert!(matched);
        assert_eq!(pairs.len(), 3);
        assert!(pairs.iter().all(|(e, z)| e.len() == 1 && z.len() == 1));
    }

    #[test]
    fn different_structures_align_on_headings() {
        let en = blocks("One.\n\n## Two\n\nThree.\n\nFour.\n", Lang::En);
        let zh = blocks("一。\n\n## 二\n\n三四。\n", Lang::ZhHant);
        let (pairs, matched) = align(&en, &zh);
        assert!(!matched);
        assert_eq!(
            pairs.len(),
            2,
            "the first section pairs, the second pairs as a whole"
        );
        assert_eq!((pairs[1].0.len(), pairs[1].1.len()), (3, 2));
    }
}
