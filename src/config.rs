//! The library config (`books/quire.toml`): the library, its fonts and its volumes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::assets::{decode_image, image_kind, MAX_FILE_BYTES};
use crate::book::{Edition, Lang};
use crate::error::{read_text, Diagnostic, Diagnostics, Error, Location, Result};
use crate::text::normalize::{QuoteStyle, Rules};
use crate::text::{Conversion, LibraryPhrases, Phrases};
use crate::typeset::{Length, PageSize};

/// The whole config file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Config {
    pub library: LibraryConfig,
    #[serde(default)]
    pub fonts: FontsConfig,
    #[serde(default)]
    pub print: PrintConfig,
    #[serde(default)]
    pub convert: ConvertConfig,
    #[serde(rename = "volume", default)]
    pub volumes: Vec<VolumeConfig>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct LibraryConfig {
    /// The folder of articles, relative to the config file.
    #[serde(default = "default_articles")]
    pub articles: Spanned<PathBuf>,
    /// The default author of every volume.
    pub author: String,
    pub publisher: Option<String>,
    /// The language of Han runs inside English text.
    #[serde(default = "default_chinese")]
    pub chinese_in_english: Lang,
}

fn default_articles() -> Spanned<PathBuf> {
    Spanned::new(0..0, PathBuf::from("articles"))
}

fn default_chinese() -> Lang {
    Lang::ZhHant
}

/// Font files; each defaults to the bundled font of that role in `dir`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct FontsConfig {
    /// The folder of the bundled fonts, relative to the config file (default `../fonts`).
    pub dir: Option<PathBuf>,
    pub serif_zh_hant: Option<Spanned<PathBuf>>,
    pub serif_zh_hans: Option<Spanned<PathBuf>>,
    pub heading_zh_hant: Option<Spanned<PathBuf>>,
    pub heading_zh_hans: Option<Spanned<PathBuf>>,
    pub latin_regular: Option<Spanned<PathBuf>>,
    pub latin_italic: Option<Spanned<PathBuf>>,
    pub latin_bold: Option<Spanned<PathBuf>>,
    pub latin_bold_italic: Option<Spanned<PathBuf>>,
    pub mono: Option<Spanned<PathBuf>>,
    pub symbols: Option<Spanned<PathBuf>>,
}

/// The print edition's design.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PrintConfig {
    /// `A5` (default), `B5`, `5x8in`, `5.5x8.5in`, `6x9in`, `25K`, `16K`
    /// or `Letter`.
    #[serde(default)]
    pub page_size: PageSize,
    /// Where a chapter starts: `any` new page (default) or a `recto`.
    #[serde(default)]
    pub chapter_opening: ChapterOpening,
    /// How far the print file's pages and cover run past the trim, for
    /// what is printed to the edge: `0` (default), `0.125in`, `3mm`.
    #[serde(default)]
    pub bleed: Length,
    /// The paper, for the spine's width: `white` (default) or `cream`.
    #[serde(default)]
    pub paper: Paper,
    /// The thickness of one page (one leaf is two), overriding `paper`'s.
    pub caliper: Option<Length>,
}

impl PrintConfig {
    /// The thickness of one page, in points.
    pub fn page_thickness(&self) -> f32 {
        match self.caliper {
            Some(caliper) => caliper.points,
            None => self.paper.page_thickness(),
        }
    }
}

/// The interior paper, as print-on-demand services offer it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Paper {
    #[default]
    White,
    Cream,
}

impl Paper {
    /// The thickness of one page KDP publishes for it, in points: 0.002252
    /// in for white paper, 0.0025 in for cream.
    pub fn page_thickness(self) -> f32 {
        72.0 * match self {
            Paper::White => 0.002252,
            Paper::Cream => 0.0025,
        }
    }
}

/// Where a chapter of the print edition starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChapterOpening {
    /// On the next page: an essay collection needs no blank pages between
    /// its pieces.
    #[default]
    Any,
    /// On a right-hand page, after a blank one if need be.
    Recto,
}

/// A title or subtitle, per language.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub en: Option<String>,
    #[serde(rename = "zh-Hant")]
    pub zh_hant: Option<String>,
    #[serde(rename = "zh-Hans")]
    pub zh_hans: Option<String>,
}

impl Localized {
    /// The text for `lang`, else English, else any.
    pub fn get(&self, lang: Lang) -> Option<&str> {
        let own = match lang {
            Lang::En => &self.en,
            Lang::ZhHant => &self.zh_hant,
            Lang::ZhHans => &self.zh_hans,
        };
        own.as_ref()
            .or(self.en.as_ref())
            .or(self.zh_hant.as_ref())
            .or(self.zh_hans.as_ref())
            .map(String::as_str)
    }
}

/// The formats a volume is built in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Epub,
    /// The reading PDF: links, bookmarks, the page as its trim.
    Pdf,
    /// What a printer takes: the interior (`.print.pdf`: trim and bleed
    /// boxes, no links) and the cover (`.cover.pdf`).
    Print,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Epub => "epub",
            Format::Pdf => "pdf",
            Format::Print => "print.pdf",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct VolumeConfig {
    pub id: Spanned<String>,
    pub title: Spanned<Localized>,
    #[serde(default)]
    pub subtitle: Localized,
    /// A sentence or two on the book, for the EPUB's `dc:description`.
    #[serde(default)]
    pub description: Localized,
    /// Each edition's ISBN (`en = "978-…"`), an identifier of its EPUB.
    #[serde(default)]
    pub isbn: BTreeMap<String, Spanned<String>>,
    /// Overrides the library's author.
    pub author: Option<String>,
    /// A stable identifier; by default one is derived from the volume id and edition.
    pub identifier: Option<String>,
    /// Publication date; `SOURCE_DATE_EPOCH` overrides it.
    pub date: Option<toml::value::Datetime>,
    /// A cover image (PNG or JPEG), relative to the config file; by default one is drawn.
    pub cover: Option<Spanned<PathBuf>>,
    /// Overrides `[print] page-size` for this volume.
    pub page_size: Option<PageSize>,
    /// Article ids, in order.
    #[serde(default)]
    pub chapters: Vec<Spanned<String>>,
    /// Articles with any of these themes follow the listed chapters, by date.
    #[serde(default)]
    pub themes: Vec<Spanned<String>>,
    #[serde(default = "all_editions")]
    pub editions: Spanned<Vec<Spanned<Edition>>>,
    /// Chinese editions also made set vertically (直排): `vertical = ["zh-Hant"]`.
    #[serde(default)]
    pub vertical: Vec<Spanned<Edition>>,
    /// How the bilingual edition is made.
    #[serde(default)]
    pub bilingual: BilingualConfig,
    /// Build-time normalisation of Chinese text; each rule can be switched off.
    #[serde(default)]
    pub normalize: NormalizeConfig,
    #[serde(default = "default_formats")]
    pub formats: Vec<Format>,
}

fn all_editions() -> Spanned<Vec<Spanned<Edition>>> {
    Spanned::new(
        0..0,
        Edition::ALL
            .into_iter()
            .map(|e| Spanned::new(0..0, e))
            .collect(),
    )
}

/// The library's own phrase table for script conversion, by the edition it
/// converts into: `zh-Hans = { "序列" = "序列" }` keeps 序列 as it is where
/// a zh-Hant article is converted for a zh-Hans edition.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConvertConfig {
    #[serde(rename = "zh-Hans", default)]
    pub zh_hans: BTreeMap<Spanned<String>, Spanned<String>>,
    #[serde(rename = "zh-Hant", default)]
    pub zh_hant: BTreeMap<Spanned<String>, Spanned<String>>,
}

impl ConvertConfig {
    /// The tables as the converter reads them, by direction.
    pub fn phrases(&self) -> LibraryPhrases {
        let table = |map: &BTreeMap<Spanned<String>, Spanned<String>>| {
            Phrases::new(
                map.iter()
                    .map(|(k, v)| (k.get_ref().as_str(), v.get_ref().as_str())),
            )
        };
        [
            (Conversion::HantToHans, table(&self.zh_hans)),
            (Conversion::HansToHant, table(&self.zh_hant)),
        ]
        .into_iter()
        .collect()
    }
}

/// Which normalisation rules a volume's Chinese text gets (all by default).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NormalizeConfig {
    /// Half-width `, . ; : ? ! ( )` in Chinese sentences become full-width.
    #[serde(default = "yes")]
    pub punctuation: bool,
    /// Quotation marks follow the edition's style.
    #[serde(default = "yes")]
    pub quotes: bool,
    /// A space between Han and Latin gives way to the renderers' own spacing.
    #[serde(default = "yes")]
    pub spacing: bool,
    #[serde(default = "corner")]
    pub zh_hant_quotes: QuoteStyle,
    #[serde(default = "curly")]
    pub zh_hans_quotes: QuoteStyle,
}

fn yes() -> bool {
    true
}

fn corner() -> QuoteStyle {
    QuoteStyle::Corner
}

fn curly() -> QuoteStyle {
    QuoteStyle::Curly
}

impl Default for NormalizeConfig {
    fn default() -> Self {
        NormalizeConfig {
            punctuation: true,
            quotes: true,
            spacing: true,
            zh_hant_quotes: QuoteStyle::Corner,
            zh_hans_quotes: QuoteStyle::Curly,
        }
    }
}

impl NormalizeConfig {
    /// The rules for text in `lang` (none for English).
    pub fn rules(&self, lang: Lang) -> Rules {
        let style = match lang {
            // English: only quotes, curled.
            Lang::En => {
                return Rules {
                    quotes: self.quotes.then_some(QuoteStyle::Curly),
                    ..Rules::none()
                }
            }
            Lang::ZhHant => self.zh_hant_quotes,
            Lang::ZhHans => self.zh_hans_quotes,
        };
        Rules {
            punctuation: self.punctuation,
            quotes: self.quotes.then_some(style),
            spacing: self.spacing,
        }
    }
}

/// The bilingual edition: which Chinese, and how the two languages are laid out in print.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BilingualConfig {
    /// The Chinese script beside the English (default zh-Hant).
    #[serde(default = "default_chinese")]
    pub chinese: Lang,
    /// `columns` (English and Chinese side by side, default) or `interleaved`;
    /// the EPUB is always interleaved.
    #[serde(default)]
    pub layout: BilingualLayout,
}

impl Default for BilingualConfig {
    fn default() -> Self {
        BilingualConfig {
            chinese: Lang::ZhHant,
            layout: BilingualLayout::Columns,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BilingualLayout {
    #[default]
    Columns,
    Interleaved,
}

fn default_formats() -> Vec<Format> {
    vec![Format::Epub, Format::Pdf]
}

/// A config file as read: its path and text (for locating errors) and its values.
#[derive(Debug, Clone)]
pub struct LoadedConfig {
    pub path: PathBuf,
    pub text: String,
    pub config: Config,
}

impl LoadedConfig {
    /// Where byte `offset` of the config file is.
    pub fn locate(&self, offset: usize) -> Location {
        Location::in_text(&self.path, &self.text, offset)
    }

    /// The folder paths in the config are relative to.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }

    pub fn articles_dir(&self) -> PathBuf {
        self.dir().join(self.config.library.articles.get_ref())
    }

    pub fn fonts_dir(&self) -> PathBuf {
        self.dir().join(
            self.config
                .fonts
                .dir
                .as_deref()
                .unwrap_or(Path::new("../fonts")),
        )
    }
}

/// Reads and checks the config's syntax and types.
pub fn load_config(path: &Path) -> Result<LoadedConfig> {
    let text = read_text(path).map_err(|e| match e {
        Error::Io { source, .. } => Error::Invalid(
            [Diagnostic::error(
                Some(Location::file(path)),
                format!("cannot read the config: {source}"),
            )
            .hint("check the path; `quire init FOLDER` starts a new library")]
            .into_iter()
            .collect(),
        ),
        other => other,
    })?;
    let config: Config = toml::from_str(&text).map_err(|e| {
        let location = Location::in_text(path, &text, e.span().map_or(0, |s| s.start));
        let message = e.message().trim_end().replace('\n', "; ");
        let d = Diagnostic::error(Some(location), format!("bad config: {message}")).hint(
            "see the config reference in README.md (sections [library], [fonts], [print], [convert], [[volume]])",
        );
        Error::Invalid([d].into_iter().collect())
    })?;
    let loaded = LoadedConfig {
        path: path.to_path_buf(),
        text,
        config,
    };
    let mut problems = check_articles_dir(&loaded);
    problems.extend(check_volumes(&loaded));
    problems.extend(check_convert(&loaded));
    problems.into_result()?;
    Ok(loaded)
}

/// Every phrase of the `[convert]` tables and what it becomes are text.
fn check_convert(loaded: &LoadedConfig) -> Diagnostics {
    let convert = &loaded.config.convert;
    let tables = [("zh-Hans", &convert.zh_hans), ("zh-Hant", &convert.zh_hant)];
    let mut diagnostics = Diagnostics::default();
    for (edition, table) in tables {
        for (from, to) in table {
            let (what, span) = if from.get_ref().trim().is_empty() {
                ("an empty phrase", from.span())
            } else if to.get_ref().trim().is_empty() {
                ("a phrase that becomes nothing", to.span())
            } else {
                continue;
            };
            diagnostics.push(
                Diagnostic::error(
                    Some(loaded.locate(span.start)),
                    format!("[convert] {edition} has {what}"),
                )
                .hint("each entry is \"phrase as written\" = \"phrase in the edition\"; to keep a phrase as it is, give it itself"),
            );
        }
    }
    diagnostics
}

/// The articles folder must be a folder quire can read.
fn check_articles_dir(loaded: &LoadedConfig) -> Diagnostics {
    let dir = loaded.articles_dir();
    let problem = match std::fs::read_dir(&dir) {
        Ok(_) => return Diagnostics::default(),
        Err(e) if dir.is_file() => format!("is a file, not a folder ({e})"),
        Err(e) => format!("cannot be read: {e}"),
    };
    let span = loaded.config.library.articles.span();
    let location = if span.is_empty() {
        Location::file(&loaded.path)
    } else {
        loaded.locate(span.start)
    };
    [Diagnostic::error(
        Some(location),
        format!("the articles folder {} {problem}", dir.display()),
    )
    .hint("[library] articles names the folder of articles, relative to the config file (default \"articles\")")]
    .into_iter()
    .collect()
}

/// A cover must be a PNG or JPEG image that decodes within quire's limits.
fn check_cover(path: &Path) -> std::result::Result<(), String> {
    let cannot =
        |e: &dyn std::fmt::Display| format!("cannot read the cover image {}: {e}", path.display());
    let metadata = std::fs::metadata(path).map_err(|e| cannot(&e))?;
    if !metadata.is_file() {
        return Err(cannot(&"not a file"));
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(cannot(&format_args!(
            "{} MB, more than the {} MB quire reads for an image",
            metadata.len().div_ceil(1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        )));
    }
    let bytes = crate::error::read_file(path, MAX_FILE_BYTES).map_err(|e| cannot(&e))?;
    if image_kind(&bytes).is_err() {
        return Err(format!(
            "the cover {} is not a PNG or JPEG image",
            path.display()
        ));
    }
    decode_image(&bytes).map_err(|e| format!("the cover {}: {e}", path.display()))?;
    Ok(())
}

/// What is wrong with `isbn` as the ISBN of `edition`, if anything.
fn check_isbn(edition: &str, isbn: &str) -> Option<String> {
    if let Err(problem) = edition.parse::<Edition>() {
        return Some(format!("isbn: {problem}"));
    }
    if crate::typeset::ean13_digits(isbn).is_none() {
        return Some(format!(
            "`{isbn}` is not an ISBN-13 (13 digits whose check digit matches)"
        ));
    }
    None
}

/// An edition's ISBN as digits alone, if the volume gives one.
pub fn isbn_of(volume: &VolumeConfig, edition: Edition) -> Option<String> {
    let isbn = volume.isbn.get(edition.tag())?;
    Some(
        isbn.get_ref()
            .chars()
            .filter(char::is_ascii_digit)
            .collect(),
    )
}

fn check_volumes(loaded: &LoadedConfig) -> Diagnostics {
    let mut diagnostics = Diagnostics::default();
    let volumes = &loaded.config.volumes;
    if volumes.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                Some(Location::file(&loaded.path)),
                "the config defines no volume",
            )
            .hint("add a [[volume]] table with an id, a title and chapters or themes"),
        );
    }
    for (i, volume) in volumes.iter().enumerate() {
        let id = volume.id.get_ref();
        let valid = !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if !valid {
            diagnostics.push(
                Diagnostic::error(
                    Some(loaded.locate(volume.id.span().start)),
                    format!("the volume id `{id}` is not a lowercase ASCII slug"),
                )
                .hint("use letters a-z, digits and hyphens: it names the output files"),
            );
        }
        if volumes[..i].iter().any(|v| v.id.get_ref() == id) {
            diagnostics.push(
                Diagnostic::error(
                    Some(loaded.locate(volume.id.span().start)),
                    format!("the volume id `{id}` is used twice"),
                )
                .hint("each volume needs its own id"),
            );
        }
        if let Some(cover) = &volume.cover {
            if let Err(problem) = check_cover(&loaded.dir().join(cover.get_ref())) {
                diagnostics.push(
                    Diagnostic::error(Some(loaded.locate(cover.span().start)), problem)
                        .hint("give a PNG or JPEG file relative to the config, or remove `cover` to draw one"),
                );
            }
        }
        for (edition, isbn) in &volume.isbn {
            if let Some(problem) = check_isbn(edition, isbn.get_ref()) {
                diagnostics.push(
                    Diagnostic::error(Some(loaded.locate(isbn.span().start)), problem).hint(
                        "one ISBN-13 per edition: isbn = { en = \"978-…\", zh-Hant = \"978-…\" }",
                    ),
                );
            }
        }
        if volume.title.get_ref().get(Lang::En).is_none() {
            diagnostics.push(
                Diagnostic::error(
                    Some(loaded.locate(volume.title.span().start)),
                    "the volume has no title",
                )
                .hint("write title = { en = \"…\", zh-Hant = \"…\", zh-Hans = \"…\" }"),
            );
        }
    }
    diagnostics
}
