//! Fonts: loading the configured files once, checking which characters they
//! cover, choosing a face per character, and subsetting.

mod harfbuzz;
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
    /// Emoji and symbols no other face has: the last face of every chain.
    Symbols,
}

impl Face {
    pub const ALL: [Face; 10] = [
        Face::SerifHant,
        Face::SerifHans,
        Face::HeadingHant,
        Face::HeadingHans,
        Face::Latin,
        Face::LatinItalic,
        Face::LatinBold,
        Face::LatinBoldItalic,
        Face::Mono,
        Face::Symbols,
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
            Face::Symbols => "symbols",
        }
    }

    /// The bundled file for this face.
    fn file_name(self) -> &'static str {
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
            Face::Symbols => "Symbola.ttf",
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

    pub fn is_cjk(self) -> bool {
        matches!(
            self,
            Face::SerifHant | Face::SerifHans | Face::HeadingHant | Face::HeadingHans
        )
    }

    pub fn is_latin(self) -> bool {
        matches!(
            self,
            Face::Latin | Face::LatinItalic | Face::LatinBold | Face::LatinBoldItalic
        )
    }
}

/// A font program's bytes: built into the binary (used in place, so they
/// cost no copy), or read from a file.
#[derive(Debug, Clone)]
pub enum FontData {
    BuiltIn(&'static [u8]),
    Read(Arc<Vec<u8>>),
}

impl std::ops::Deref for FontData {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            FontData::BuiltIn(bytes) => bytes,
            FontData::Read(bytes) => bytes,
        }
    }
}

/// One loaded font file.
#[derive(Debug)]
pub struct FontFile {
    /// Where it was read from; `None` for a font built into quire.
    pub path: Option<PathBuf>,
    /// The file's name, for messages.
    pub name: String,
    pub data: FontData,
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
        let system = SystemFonts::default();
        // Read and indexed in parallel: the CJK files are large.
        let loaded: Vec<(Face, Location, Result<FontFile, String>)> = Face::ALL
            .par_iter()
            .map(|&face| {
                let (location, file) = match configured_path(config, face) {
                    Some(spanned) => {
                        let value = spanned.get_ref();
                        let location = config.locate(spanned.span().start);
                        let path = config.dir().join(value);
                        let file = if !path.exists() && is_family_name(value) {
                            system.load(face, &value.to_string_lossy())
                        } else {
                            load_file(&path)
                        };
                        (location, file)
                    }
                    None => bundled(config, face),
                };
                (face, location, file)
            })
            .collect();
        let mut files = BTreeMap::new();
        let mut problems = Diagnostics::default();
        for (face, location, file) in loaded {
            match file {
                Ok(file) => {
                    files.insert(face, file);
                }
                Err(message) => problems.push(
                    Diagnostic::error(Some(location), format!("font {}: {message}", face.key()))
                        .hint(format!(
                            "set [fonts] {} to an OpenType/TrueType file (a path relative to the config) or to an installed family, such as {}",
                            face.key(),
                            system.examples(face)
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
        Face::Symbols => fonts.symbols.as_ref(),
    }
}

/// A face's font where no `[fonts]` key names one: in `[fonts] dir` if it
/// is set, else the one built into quire, else in the places a `fonts/`
/// folder is looked for.
fn bundled(config: &LoadedConfig, face: Face) -> (Location, Result<FontFile, String>) {
    if config.config.fonts.dir.is_none() {
        if let Some(data) = built_in(face) {
            let name = format!("{} (built in)", face.file_name());
            return (
                Location::file(Path::new(face.file_name())),
                index_font(None, name, FontData::BuiltIn(data)),
            );
        }
    }
    let dirs = match &config.config.fonts.dir {
        Some(_) => vec![config.fonts_dir()],
        None => font_dirs(config),
    };
    let found = dirs
        .iter()
        .map(|d| d.join(face.file_name()))
        .find(|p| p.is_file());
    let path = found.unwrap_or_else(|| dirs[0].join(face.file_name()));
    (Location::file(&path), load_file(&path))
}

/// Where the bundled fonts are looked for when they are not built in:
/// `../fonts` beside the config, `fonts/` beside the executable, and
/// `quire/fonts` in the user's data folder.
fn font_dirs(config: &LoadedConfig) -> Vec<PathBuf> {
    let mut dirs = vec![config.fonts_dir()];
    if let Some(exe) = std::env::current_exe()
        .ok()
        .and_then(|e| e.parent().map(Path::to_path_buf))
    {
        dirs.push(exe.join("fonts"));
        dirs.push(exe.join("../share/quire/fonts"));
    }
    let data = std::env::var_os("XDG_DATA_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/share")));
    dirs.extend(data.map(|d| d.join("quire/fonts")));
    dirs
}

/// The bundled font of `face`, built into the binary (the default
/// `bundled-fonts` feature).
#[cfg(feature = "bundled-fonts")]
fn built_in(face: Face) -> Option<&'static [u8]> {
    Some(match face {
        Face::SerifHant => include_bytes!("../../fonts/NotoSerifCJKtc-Regular.otf"),
        Face::SerifHans => include_bytes!("../../fonts/NotoSerifCJKsc-Regular.otf"),
        Face::HeadingHant => include_bytes!("../../fonts/NotoSansCJKtc-Bold.otf"),
        Face::HeadingHans => include_bytes!("../../fonts/NotoSansCJKsc-Bold.otf"),
        Face::Latin => include_bytes!("../../fonts/NotoSerif-Regular.ttf"),
        Face::LatinItalic => include_bytes!("../../fonts/NotoSerif-Italic.ttf"),
        Face::LatinBold => include_bytes!("../../fonts/NotoSerif-Bold.ttf"),
        Face::LatinBoldItalic => include_bytes!("../../fonts/NotoSerif-BoldItalic.ttf"),
        Face::Mono => include_bytes!("../../fonts/NotoSansMono-Regular.ttf"),
        Face::Symbols => include_bytes!("../../fonts/Symbola.ttf"),
    })
}

#[cfg(not(feature = "bundled-fonts"))]
fn built_in(_: Face) -> Option<&'static [u8]> {
    None
}

/// Whether a `[fonts]` value that is no file names an installed family:
/// no folder in it and no font file extension.
fn is_family_name(value: &Path) -> bool {
    let text = value.to_string_lossy();
    let extension = value
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    !text.contains(['/', '\\'])
        && !matches!(extension.as_deref(), Some("otf" | "ttf" | "ttc" | "otc"))
}

/// The fonts installed on the system, looked up by family; scanned once,
/// and only if a `[fonts]` value names a family or a font is missing.
#[derive(Default)]
struct SystemFonts {
    database: std::sync::OnceLock<fontdb::Database>,
}

impl SystemFonts {
    fn database(&self) -> &fontdb::Database {
        self.database.get_or_init(|| {
            let mut database = fontdb::Database::new();
            database.load_system_fonts();
            database
        })
    }

    /// The installed font of `family` that best fits `face` (its weight and
    /// style), out of a collection if it is in one.
    fn load(&self, face: Face, family: &str) -> Result<FontFile, String> {
        let bold = matches!(
            face,
            Face::LatinBold | Face::LatinBoldItalic | Face::HeadingHant | Face::HeadingHans
        );
        let italic = matches!(face, Face::LatinItalic | Face::LatinBoldItalic);
        let query = fontdb::Query {
            families: &[fontdb::Family::Name(family)],
            weight: if bold {
                fontdb::Weight::BOLD
            } else {
                fontdb::Weight::NORMAL
            },
            style: if italic {
                fontdb::Style::Italic
            } else {
                fontdb::Style::Normal
            },
            ..fontdb::Query::default()
        };
        let database = self.database();
        let id = database
            .query(&query)
            .ok_or_else(|| format!("no installed font of the family `{family}`"))?;
        let (source, index) = database.face_source(id).ok_or("the font went away")?;
        let fontdb::Source::File(path) = source else {
            return Err(format!("the family `{family}` is not in a file"));
        };
        let data = crate::error::read_file(&path, crate::error::MAX_READ_BYTES)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        let data = if index == 0 && !data.starts_with(b"ttcf") {
            data
        } else {
            collection_face(&data, index).ok_or_else(|| {
                format!(
                    "{}: cannot read face {index} of the collection",
                    path.display()
                )
            })?
        };
        let name = format!("{} ({family})", path.display());
        index_font(Some(path), name, FontData::Read(Arc::new(data)))
    }

    /// A few installed families, for a hint; the CJK ones for a CJK face.
    fn examples(&self, face: Face) -> String {
        let cjk = face.is_cjk();
        let mut families: Vec<&str> = self
            .database()
            .faces()
            .flat_map(|f| f.families.iter().map(|(name, _)| name.as_str()))
            .filter(|name| !cjk || name.contains("CJK") || name.contains("Han"))
            .collect();
        families.sort_unstable();
        families.dedup();
        match families.as_slice() {
            [] => "none is installed that quire can see".to_owned(),
            some => {
                let shown: Vec<String> = some.iter().take(4).map(|f| format!("\"{f}\"")).collect();
                shown.join(", ")
            }
        }
    }
}

/// Face `index` of a font collection (`ttcf`), as a font file of its own.
fn collection_face(data: &[u8], index: u32) -> Option<Vec<u8>> {
    let u32_at = |at: usize| Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?));
    let u16_at = |at: usize| Some(u16::from_be_bytes(data.get(at..at + 2)?.try_into().ok()?));
    let start = if data.starts_with(b"ttcf") {
        u32_at(12 + 4 * index as usize)? as usize
    } else {
        0
    };
    let tables = u16_at(start + 4)? as usize;
    let mut out = data.get(start..start + 12)?.to_vec();
    let mut body: Vec<u8> = Vec::new();
    let header = 12 + 16 * tables;
    for i in 0..tables {
        let record = start + 12 + 16 * i;
        let (offset, length) = (u32_at(record + 8)? as usize, u32_at(record + 12)? as usize);
        out.extend_from_slice(data.get(record..record + 8)?);
        out.extend_from_slice(&((header + body.len()) as u32).to_be_bytes());
        out.extend_from_slice(&(length as u32).to_be_bytes());
        body.extend_from_slice(data.get(offset..offset + length)?);
        body.resize(body.len().next_multiple_of(4), 0);
    }
    out.extend_from_slice(&body);
    Some(out)
}

fn load_file(path: &Path) -> Result<FontFile, String> {
    let data = crate::error::read_file(path, crate::error::MAX_READ_BYTES)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let data = FontData::Read(Arc::new(data));
    index_font(Some(path.to_path_buf()), path.display().to_string(), data)
}

/// Reads a font's character map and family name.
fn index_font(path: Option<PathBuf>, name: String, data: FontData) -> Result<FontFile, String> {
    let face =
        ttf_parser::Face::parse(&data, 0).map_err(|e| format!("{name} is not a font ({e})"))?;
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
        return Err(format!("{name} maps no Unicode characters"));
    }
    let family = face
        .names()
        .into_iter()
        .filter(|n| n.name_id == ttf_parser::name_id::FAMILY && n.is_unicode())
        .find_map(|n| n.to_string())
        .unwrap_or_else(|| name.clone());
    Ok(FontFile {
        path,
        name,
        data,
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
        vec![Face::Mono, latin, cjk, Face::Symbols]
    } else if lang.is_chinese() || (style.bold && base.is_chinese()) {
        // Chinese text keeps full-width “ ” ’ … from the CJK face; Chinese has
        // no italic; Latin words in Chinese headings take the sans face's Latin.
        vec![cjk, latin, Face::Symbols]
    } else {
        vec![latin, cjk, Face::Symbols]
    }
}

/// The library's fonts, loaded once for the unit tests.
#[cfg(test)]
pub(crate) fn for_tests() -> &'static Fonts {
    static FONTS: std::sync::OnceLock<Fonts> = std::sync::OnceLock::new();
    FONTS.get_or_init(|| {
        let config = crate::config::load_config(std::path::Path::new("books/quire.toml"))
            .expect("books/quire.toml loads");
        Fonts::load(&config).expect("the bundled fonts load")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chains_put_the_language_face_first() {
        let plain = TextStyle::default();
        assert_eq!(
            chain(Lang::En, plain, Lang::En, Lang::ZhHant),
            [Face::Latin, Face::SerifHant, Face::Symbols]
        );
        assert_eq!(
            chain(Lang::ZhHans, plain, Lang::ZhHans, Lang::ZhHant),
            [Face::SerifHans, Face::Latin, Face::Symbols]
        );
        let bold = TextStyle {
            bold: true,
            ..plain
        };
        assert_eq!(
            chain(Lang::ZhHant, bold, Lang::ZhHant, Lang::ZhHant),
            [Face::HeadingHant, Face::LatinBold, Face::Symbols]
        );
        let code = TextStyle {
            mono: true,
            ..plain
        };
        assert_eq!(chain(Lang::En, code, Lang::En, Lang::ZhHans)[0], Face::Mono);
        assert_eq!(
            chain(Lang::En, bold, Lang::ZhHans, Lang::ZhHant),
            [Face::HeadingHans, Face::LatinBold, Face::Symbols],
            "Latin in a Chinese heading is set in the CJK sans face"
        );
    }
}
