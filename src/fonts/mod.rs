//! Fonts: loading the configured files once, checking which characters they
//! cover, choosing a face per character, and subsetting.

mod subset;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

pub use subset::subset;

use crate::book::Lang;
use crate::config::LoadedConfig;
use crate::error::{Diagnostic, Diagnostics, Location};

/// The zlib level for subset font programs, in the PDF and the EPUB: CFF
/// and TrueType outlines are dense already, and level 2 is within 0.3% of
/// level 6 on them, in much less time.
pub const DEFLATE_LEVEL: u32 = 2;

/// The role a font plays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Face {
    SerifHant,
    SerifHans,
    HeadingHant,
    HeadingHans,
    Latin,
    LatinItalic,
    LatinBold,
    LatinBoldItalic,
    Mono,
}

impl Face {
    pub const ALL: [Face; 9] = [
        Face::SerifHant,
        Face::SerifHans,
        Face::HeadingHant,
        Face::HeadingHans,
        Face::Latin,
        Face::LatinItalic,
        Face::LatinBold,
        Face::LatinBoldItalic,
        Face::Mono,
    ];

    /// The config key naming this face's file.
    pub fn key(self) -> &'static str {
        match self {
            Face::SerifHant => "serif-zh-hant",
            Face::SerifHans => "serif-zh-hans",
            Face::HeadingHant => "heading-zh-hant",
            Face::HeadingHans => "heading-zh-hans",
            Face::Latin => "latin-regular",
            Face::LatinItalic => "latin-italic",
            Face::LatinBold => "latin-bold",
            Face::LatinBoldItalic => "latin-bold-italic",
            Face::Mono => "mono",
        }
    }

    /// The bundled file for this face.
    fn bundled(self) -> &'static str {
        match self {
            Face::SerifHant => "NotoSerifCJKtc-Regular.otf",
            Face::SerifHans => "NotoSerifCJKsc-Regular.otf",
            Face::HeadingHant => "NotoSansCJKtc-Bold.otf",
            Face::HeadingHans => "NotoSansCJKsc-Bold.otf",
            Face::Latin => "NotoSerif-Regular.ttf",
            Face::LatinItalic => "NotoSerif-Italic.ttf",
            Face::LatinBold => "NotoSerif-Bold.ttf",
            Face::LatinBoldItalic => "NotoSerif-BoldItalic.ttf",
            Face::Mono => "NotoSansMono-Regular.ttf",
        }
    }

    /// The CJK body face for a Chinese language.
    pub fn serif(lang: Lang) -> Face {
        match lang {
            Lang::ZhHans => Face::SerifHans,
            _ => Face::SerifHant,
        }
    }

    pub fn heading(lang: Lang) -> Face {
        match lang {
            Lang::ZhHans => Face::HeadingHans,
            _ => Face::HeadingHant,
        }
    }

    pub fn is_latin(self) -> bool {
        matches!(
            self,
            Face::Latin | Face::LatinItalic | Face::LatinBold | Face::LatinBoldItalic
        )
    }
}

/// One loaded font file.
#[derive(Debug)]
pub struct FontFile {
    pub path: PathBuf,
    pub data: Arc<Vec<u8>>,
    pub family: String,
    /// Bit `c` is set if the font maps character `c` to a glyph.
    chars: Vec<u64>,
}

impl FontFile {
    pub fn covers(&self, c: char) -> bool {
        let c = c as usize;
        self.chars
            .get(c / 64)
            .is_some_and(|word| word & (1 << (c % 64)) != 0)
    }
}

/// Every face, loaded once per process.
#[derive(Debug)]
pub struct Fonts {
    files: BTreeMap<Face, FontFile>,
}

impl Fonts {
    /// Loads the configured fonts (or the bundled ones). A missing or
    /// unreadable font is an error naming the config line or the file.
    pub fn load(config: &LoadedConfig) -> Result<Fonts, Diagnostics> {
        use rayon::prelude::*;
        // Read and indexed in parallel: the CJK files are large.
        let loaded: Vec<(Face, PathBuf, Location, Result<FontFile, String>)> = Face::ALL
            .par_iter()
            .map(|&face| {
                let (path, location) = match configured_path(config, face) {
                    Some(spanned) => (
                        config.dir().join(spanned.get_ref()),
                        config.locate(spanned.span().start),
                    ),
                    None => {
                        let path = config.fonts_dir().join(face.bundled());
                        (path.clone(), Location::file(&path))
                    }
                };
                let file = load_file(&path);
                (face, path, location, file)
            })
            .collect();
        let mut files = BTreeMap::new();
        let mut problems = Diagnostics::default();
        for (face, path, location, file) in loaded {
            match file {
                Ok(file) => {
                    files.insert(face, file);
                }
                Err(message) => problems.push(
                    Diagnostic::error(
                        Some(location),
                        format!("font `{}` ({}): {message}", path.display(), face.key()),
                    )
                    .hint(format!(
                        "point [fonts] {} at an OpenType/TrueType file, or restore the bundled fonts/ folder",
                        face.key()
                    )),
                ),
            }
        }
        if problems.is_empty() {
            Ok(Fonts { files })
        } else {
            Err(problems)
        }
    }

    pub fn file(&self, face: Face) -> &FontFile {
        &self.files[&face]
    }

    /// Every loaded file, one per face.
    pub fn files(&self) -> impl Iterator<Item = &FontFile> {
        self.files.values()
    }

    /// The first face of `chain` that has a glyph for `c`.
    pub fn pick(&self, chain: &[Face], c: char) -> Option<Face> {
        chain.iter().copied().find(|&f| self.file(f).covers(c))
    }
}

fn configured_path(config: &LoadedConfig, face: Face) -> Option<&toml::Spanned<PathBuf>> {
    let fonts = &config.config.fonts;
    match face {
        Face::SerifHant => fonts.serif_zh_hant.as_ref(),
        Face::SerifHans => fonts.serif_zh_hans.as_ref(),
        Face::HeadingHant => fonts.heading_zh_hant.as_ref(),
        Face::HeadingHans => fonts.heading_zh_hans.as_ref(),
        Face::Latin => fonts.latin_regular.as_ref(),
        Face::LatinItalic => fonts.latin_italic.as_ref(),
        Face::LatinBold => fonts.latin_bold.as_ref(),
        Face::LatinBoldItalic => fonts.latin_bold_italic.as_ref(),
        Face::Mono => fonts.mono.as_ref(),
    }
}

fn load_file(path: &Path) -> Result<FontFile, String> {
    let data =
        crate::error::read_file(path, crate::error::MAX_READ_BYTES).map_err(|e| e.to_string())?;
    let face = ttf_parser::Face::parse(&data, 0).map_err(|e| format!("not a font ({e})"))?;
    let mut chars: Vec<u64> = Vec::new();
    if let Some(cmap) = face.tables().cmap {
        for table in cmap.subtables {
            if table.is_unicode() {
                table.codepoints(|cp| {
                    if char::from_u32(cp).is_some()
                        && table.glyph_index(cp).is_some_and(|g| g.0 != 0)
                    {
                        let word = cp as usize / 64;
                        if chars.len() <= word {
                            chars.resize(word + 1, 0);
                        }
                        chars[word] |= 1 << (cp % 64);
                    }
                });
            }
        }
    }
    if chars.iter().all(|&word| word == 0) {
        return Err("the font maps no Unicode characters".into());
    }
    let family = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| {
            path.file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned()
        });
    Ok(FontFile {
        path: path.to_path_buf(),
        data: Arc::new(data),
        family,
        chars,
    })
}

/// Which characters each face sets in one book: what to subset.
#[derive(Debug, Default, Clone)]
pub struct FontUsage {
    pub chars: BTreeMap<Face, BTreeSet<char>>,
}

impl FontUsage {
    /// Records `text` set with `chain`; returns the characters no face covers.
    pub fn add(&mut self, fonts: &Fonts, chain: &[Face], text: &str) -> Vec<char> {
        let mut missing = Vec::new();
        for c in text.chars() {
            if c.is_control() {
                continue;
            }
            match fonts.pick(chain, c) {
                Some(face) => {
                    self.chars.entry(face).or_default().insert(c);
                }
                None => missing.push(c),
            }
        }
        missing
    }

    /// Gives every face in use its spaces, so no space falls back to a font
    /// of the reading device.
    pub fn add_spaces(&mut self, fonts: &Fonts) {
        for (face, chars) in &mut self.chars {
            for c in [' ', '\u{A0}', '\u{3000}'] {
                if fonts.file(*face).covers(c) {
                    chars.insert(c);
                }
            }
        }
    }
}

/// A warning for a character that no font of its text covers.
pub fn uncovered(location: Option<Location>, c: char, chain: &[Face]) -> Diagnostic {
    let faces: Vec<&str> = chain.iter().map(|f| f.key()).collect();
    Diagnostic::warning(
        location,
        format!(
            "no font covers `{c}` (U+{:04X}); e-readers show a fallback glyph or a box, and the PDF a blank (copying it gives the character)",
            c as u32
        ),
    )
    .hint(format!(
        "use another character, or set a [fonts] file that covers it (this text uses: {})",
        faces.join(", ")
    ))
}

/// How a run of text is set, as far as choosing a face goes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextStyle {
    /// Headings and strong text.
    pub bold: bool,
    pub italic: bool,
    pub mono: bool,
}

/// The faces to try, in order, for text in `lang` set in `style`, inside a
/// document in `base`. `han_in_english` picks the CJK face for Han
/// characters inside English text.
pub fn chain(lang: Lang, style: TextStyle, base: Lang, han_in_english: Lang) -> Vec<Face> {
    let han = if lang.is_chinese() {
        lang
    } else if base.is_chinese() {
        base
    } else {
        han_in_english
    };
    let latin = match (style.bold, style.italic) {
        (false, false) => Face::Latin,
        (false, true) => Face::LatinItalic,
        (true, false) => Face::LatinBold,
        (true, true) => Face::LatinBoldItalic,
    };
    let cjk = if style.bold {
        Face::heading(han)
    } else {
        Face::serif(han)
    };
    if style.mono {
        vec![Face::Mono, latin, cjk]
    } else if lang.is_chinese() || (style.bold && base.is_chinese()) {
        // Chinese text keeps full-width “ ” ’ … from the CJK face; Chinese has
        // no italic; Latin words in Chinese headings take the sans face's Latin.
        vec![cjk, latin]
    } else {
        vec![latin, cjk]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_put_the_language_face_first() {
        let plain = TextStyle::default();
        assert_eq!(
            chain(Lang::En, plain, Lang::En, Lang::ZhHant),
            [Face::Latin, Face::SerifHant]
        );
        assert_eq!(
            chain(Lang::ZhHans, plain, Lang::ZhHans, Lang::ZhHant),
            [Face::SerifHans, Face::Latin]
        );
        let bold = TextStyle {
            bold: true,
            ..plain
        };
        assert_eq!(
            chain(Lang::ZhHant, bold, Lang::ZhHant, Lang::ZhHant),
            [Face::HeadingHant, Face::LatinBold]
        );
        let code = TextStyle {
            mono: true,
            ..plain
        };
        assert_eq!(chain(Lang::En, code, Lang::En, Lang::ZhHans)[0], Face::Mono);
        assert_eq!(
            chain(Lang::En, bold, Lang::ZhHans, Lang::ZhHant),
            [Face::HeadingHans, Face::LatinBold],
            "Latin in a Chinese heading is set in the CJK sans face"
        );
    }
}
