//! Volumes and editions: which articles a book holds, in which language.

use crate::book::{closest, Article, Edition, Lang, Library};
use crate::config::{LoadedConfig, VolumeConfig};
use crate::doc::{self, Change, Document};
use crate::error::{Diagnostic, Diagnostics};
use crate::text::normalize::Rules;
use crate::text::{Conversion, PhraseChange, Phrases};

/// A volume's chapters, resolved to article ids in order.
#[derive(Debug, Clone)]
pub struct Volume<'a> {
    pub config: &'a VolumeConfig,
    pub chapters: Vec<&'a str>,
}

impl<'a> Volume<'a> {
    pub fn id(&self) -> &'a str {
        self.config.id.get_ref()
    }

    pub fn editions(&self) -> impl Iterator<Item = Edition> + '_ {
        self.config.editions.get_ref().iter().map(|e| *e.get_ref())
    }

    /// Whether `edition` is also made set vertically.
    pub fn is_vertical(&self, edition: Edition) -> bool {
        self.config.vertical.iter().any(|e| *e.get_ref() == edition)
    }
}

/// An article in the language an edition reads it in: the conversion it needs, if any.
pub type Version<'a> = (&'a Article, Option<Conversion>);

/// One chapter of an edition: its article, and in the bilingual edition the
/// Chinese version that goes beside the English.
#[derive(Debug, Clone)]
pub struct PlannedChapter<'a> {
    pub version: Version<'a>,
    pub translation: Option<Version<'a>>,
}

/// The articles of one edition.
#[derive(Debug, Clone)]
pub struct EditionPlan<'a> {
    pub edition: Edition,
    pub chapters: Vec<PlannedChapter<'a>>,
}

/// Resolves every volume of the config against the library: unknown ids,
/// unknown themes and empty editions are errors at their config line.
pub fn resolve_volumes<'a>(
    config: &'a LoadedConfig,
    library: &'a Library,
) -> (Vec<Volume<'a>>, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let mut volumes = Vec::new();
    for volume in &config.config.volumes {
        let mut chapters: Vec<&str> = Vec::new();
        for wanted in &volume.chapters {
            let id = wanted.get_ref().as_str();
            match library.articles.get_key_value(id) {
                Some((id, _)) if !chapters.contains(&id.as_str()) => chapters.push(id),
                Some(_) => diagnostics.push(
                    Diagnostic::warning(
                        Some(config.locate(wanted.span().start)),
                        format!("chapter `{id}` is listed twice; the second is ignored"),
                    )
                    .hint("remove one of the two"),
                ),
                None if library.root.join(id).is_dir() => diagnostics.push(
                    Diagnostic::error(
                        Some(config.locate(wanted.span().start)),
                        format!("article `{id}` has no usable file"),
                    )
                    .hint(format!(
                        "fix the problems reported for the files in {}",
                        library.root.join(id).display()
                    )),
                ),
                None => {
                    let near = closest(id, library.articles.keys().map(String::as_str));
                    let hint = if near.is_empty() {
                        format!(
                            "the articles are the folder names in {}",
                            library.root.display()
                        )
                    } else {
                        format!("did you mean {}?", quote_list(&near))
                    };
                    diagnostics.push(
                        Diagnostic::error(
                            Some(config.locate(wanted.span().start)),
                            format!("unknown article `{id}`"),
                        )
                        .hint(hint),
                    );
                }
            }
        }
        let known_themes = library.themes();
        for theme in &volume.themes {
            let found = library.with_theme(theme.get_ref());
            if found.is_empty() {
                let near = closest(theme.get_ref(), known_themes.iter().copied());
                diagnostics.push(
                    Diagnostic::error(
                        Some(config.locate(theme.span().start)),
                        format!("no article has the theme `{}`", theme.get_ref()),
                    )
                    .hint(format!(
                        "themes in the library: {}",
                        quote_list(&known_themes)
                    ))
                    .hint(if near.is_empty() {
                        String::new()
                    } else {
                        format!("did you mean {}?", quote_list(&near))
                    }),
                );
            }
            for id in found {
                if !chapters.contains(&id) {
                    chapters.push(id);
                }
            }
        }
        if volume.chapters.is_empty() && volume.themes.is_empty() {
            diagnostics.push(
                Diagnostic::error(
                    Some(config.locate(volume.id.span().start)),
                    format!("volume `{}` selects no chapters", volume.id.get_ref()),
                )
                .hint("add chapters = [\"article-id\", …] or themes = [\"ai\", …]"),
            );
        }
        let resolved = Volume {
            config: volume,
            chapters,
        };
        check_editions(config, library, &resolved, &mut diagnostics);
        check_vertical(config, &resolved, &mut diagnostics);
        volumes.push(resolved);
    }
    let diagnostics = diagnostics
        .into_iter()
        .map(|mut d| {
            d.hints.retain(|h| !h.is_empty());
            d
        })
        .collect();
    (volumes, diagnostics)
}

fn check_editions(
    config: &LoadedConfig,
    library: &Library,
    volume: &Volume,
    diagnostics: &mut Diagnostics,
) {
    let editions = volume.config.editions.get_ref();
    if editions.is_empty() {
        diagnostics.push(
            Diagnostic::error(
                Some(config.locate(volume.config.editions.span().start)),
                format!("volume `{}` lists no edition", volume.id()),
            )
            .hint(
                "editions = [\"en\", \"zh-Hant\", \"zh-Hans\"], or leave the key out for all three",
            ),
        );
    }
    for edition in editions {
        if volume.chapters.is_empty() {
            continue;
        }
        let plan = plan_edition(library, volume, *edition.get_ref());
        if *edition.get_ref() == Edition::Bilingual {
            continue;
        }
        if plan.chapters.is_empty() {
            // A defaulted list has no span of its own: point at the volume id.
            let span = edition.span();
            let offset = if span.is_empty() {
                volume.config.id.span().start
            } else {
                span.start
            };
            let wanted = if *edition.get_ref() != Edition::En {
                "a Chinese"
            } else {
                "an English"
            };
            diagnostics.push(
                Diagnostic::error(
                    Some(config.locate(offset)),
                    format!(
                        "the {} edition of volume `{}` would be empty: none of its {} has {wanted} version",
                        edition.get_ref(),
                        volume.id(),
                        crate::text::count(volume.chapters.len(), "chapter", "chapters")
                    ),
                )
                .hint("remove the edition from `editions`, or add chapters written in its language"),
            );
        }
    }
}

/// A vertical edition is a Chinese one the volume makes.
fn check_vertical(config: &LoadedConfig, volume: &Volume, diagnostics: &mut Diagnostics) {
    for edition in &volume.config.vertical {
        let problem = match edition.get_ref() {
            Edition::ZhHant | Edition::ZhHans
                if volume.editions().any(|e| e == *edition.get_ref()) =>
            {
                continue
            }
            Edition::ZhHant | Edition::ZhHans => "is not among the volume's `editions`",
            Edition::En | Edition::Bilingual => {
                "cannot be set vertically: only Chinese editions can"
            }
        };
        diagnostics.push(
            Diagnostic::error(
                Some(config.locate(edition.span().start)),
                format!("the {} edition of volume `{}` {problem}", edition.get_ref(), volume.id()),
            )
            .hint("vertical = [\"zh-Hant\"] or [\"zh-Hans\"], editions the volume makes (English text inside stays in the book; bilingual editions stay horizontal)"),
        );
    }
}

/// The articles of `edition`: English articles for `en`; for a Chinese
/// edition every Chinese article, converted where it is in the other script;
/// for the bilingual edition every article, English beside Chinese where both exist.
pub fn plan_edition<'a>(
    library: &'a Library,
    volume: &Volume<'a>,
    edition: Edition,
) -> EditionPlan<'a> {
    let chinese = volume.config.bilingual.chinese;
    let chapters = volume
        .chapters
        .iter()
        .filter_map(|id| {
            let versions = library.get(id)?;
            let in_lang = |lang: Lang| -> Option<Version<'a>> {
                if let Some(article) = versions.get(&lang) {
                    return Some((article, None));
                }
                let (other, conversion) = match lang {
                    Lang::En => return None,
                    Lang::ZhHant => (Lang::ZhHans, Conversion::HansToHant),
                    Lang::ZhHans => (Lang::ZhHant, Conversion::HantToHans),
                };
                versions.get(&other).map(|a| (a, Some(conversion)))
            };
            match edition.single() {
                Some(lang) => in_lang(lang).map(|version| PlannedChapter {
                    version,
                    translation: None,
                }),
                None => match (in_lang(Lang::En), in_lang(chinese)) {
                    (Some(en), zh) => Some(PlannedChapter {
                        version: en,
                        translation: zh,
                    }),
                    (None, Some(zh)) => Some(PlannedChapter {
                        version: zh,
                        translation: None,
                    }),
                    (None, None) => None,
                },
            }
        })
        .collect();
    EditionPlan { edition, chapters }
}

/// An article parsed and through the model passes.
#[derive(Debug)]
pub struct Prepared {
    pub doc: Document,
    /// What normalisation changed.
    pub changes: Vec<Change>,
    /// The phrases conversion changed as a whole.
    pub conversions: Vec<PhraseChange>,
}

/// Parses an article and runs the model passes: soft breaks, conversion to
/// the other script if asked (with the library's phrase table for that
/// direction, if any), the normalisation `rules`, language runs.
pub fn prepare_document(
    article: &Article,
    conversion: Option<(Conversion, Option<&Phrases>)>,
    han_in_english: Lang,
    rules: &Rules,
) -> Prepared {
    let mut doc = doc::parse(
        &article.path,
        article.body(),
        article.body_offset,
        article.lang,
    );
    doc::resolve_soft_breaks(&mut doc);
    let conversions = match conversion {
        Some((conversion, library)) => {
            let to = match conversion {
                Conversion::HansToHant => Lang::ZhHant,
                Conversion::HantToHans => Lang::ZhHans,
            };
            doc::convert_text(&mut doc, conversion, library, to)
        }
        None => Vec::new(),
    };
    let changes = doc::normalize_text(&mut doc, rules);
    doc::mark_language_runs(&mut doc, han_in_english);
    Prepared {
        doc,
        changes,
        conversions,
    }
}

fn quote_list(items: &[&str]) -> String {
    items
        .iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// One edition of one volume, ready to render.
#[derive(Debug)]
pub struct Book<'a> {
    pub volume_id: &'a str,
    pub edition: Edition,
    /// The book's own language: its edition's, or the Chinese of a bilingual edition.
    pub lang: Lang,
    pub title: String,
    pub subtitle: Option<String>,
    pub author: String,
    pub publisher: Option<String>,
    /// What the book is about: the volume's description, and its themes as
    /// subjects.
    pub description: Option<String>,
    pub subjects: Vec<String>,
    /// The edition's ISBN-13, digits only, when the config gives one.
    pub isbn: Option<String>,
    /// Stable across builds: from the config, or derived from volume and edition.
    pub identifier: String,
    pub date: chrono::DateTime<chrono::Utc>,
    /// A cover image from the config; `None` draws one.
    pub cover: Option<std::path::PathBuf>,
    pub chapters: Vec<Chapter<'a>>,
    /// How the print edition sets a bilingual chapter.
    pub bilingual_layout: crate::config::BilingualLayout,
    /// Set top to bottom, right to left (直排).
    pub vertical: bool,
    pub han_in_english: Lang,
    /// Images must lie inside this folder.
    pub library_root: std::path::PathBuf,
}

impl Book<'_> {
    /// The drawn cover's ground and ink: a dark colour chosen by the
    /// volume's id, so each volume looks different, and a light one.
    pub fn cover_colors(&self) -> ([u8; 3], [u8; 3]) {
        const GROUNDS: [[u8; 3]; 5] = [
            [28, 49, 68],
            [86, 37, 39],
            [34, 68, 52],
            [58, 46, 79],
            [70, 60, 40],
        ];
        let hash = (self.volume_id.bytes())
            .fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
        (GROUNDS[hash as usize % GROUNDS.len()], [244, 238, 224])
    }
}

/// One article as a chapter of a book.
#[derive(Debug)]
pub struct Chapter<'a> {
    pub article: &'a Article,
    pub title: String,
    pub doc: Document,
    /// Set when the article was converted from the other Chinese script.
    pub converted: Option<Conversion>,
    /// In the bilingual edition: the Chinese version, set beside this English one.
    pub translation: Option<Box<Chapter<'a>>>,
    /// What normalisation changed in the text, for `quire check`.
    pub changes: Vec<Change>,
    /// The phrases conversion changed as a whole, for `quire check`.
    pub conversions: Vec<PhraseChange>,
}
