//! The library: articles on disk, grouped by id, one file per language.

mod load;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

pub use load::{load_article, load_articles};

/// A language of an article and of an edition.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Lang {
    En,
    ZhHant,
    ZhHans,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::En, Lang::ZhHant, Lang::ZhHans];

    /// The BCP 47 tag: `en`, `zh-Hant`, `zh-Hans`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhHant => "zh-Hant",
            Lang::ZhHans => "zh-Hans",
        }
    }

    pub fn is_chinese(self) -> bool {
        self != Lang::En
    }

    /// The language's name, in itself.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::En => "English",
            Lang::ZhHant => "繁體中文",
            Lang::ZhHans => "简体中文",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl FromStr for Lang {
    type Err = String;
    fn from_str(s: &str) -> Result<Lang, String> {
        Lang::ALL
            .into_iter()
            .find(|lang| lang.tag() == s)
            .ok_or_else(|| format!("unknown language `{s}`, expected one of: en, zh-Hant, zh-Hans"))
    }
}

impl<'de> serde::Deserialize<'de> for Lang {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Lang, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// What a book is made of: one language, or English beside Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Edition {
    En,
    ZhHant,
    ZhHans,
    /// Each article in English and Chinese together.
    Bilingual,
}

impl Edition {
    pub const ALL: [Edition; 4] = [
        Edition::En,
        Edition::ZhHant,
        Edition::ZhHans,
        Edition::Bilingual,
    ];

    /// The name in file names and the config: `en`, `zh-Hant`, `zh-Hans`, `bilingual`.
    pub fn tag(self) -> &'static str {
        match self {
            Edition::Bilingual => "bilingual",
            single => single.single().map_or("", Lang::tag),
        }
    }

    /// The one language of a single-language edition.
    pub fn single(self) -> Option<Lang> {
        match self {
            Edition::En => Some(Lang::En),
            Edition::ZhHant => Some(Lang::ZhHant),
            Edition::ZhHans => Some(Lang::ZhHans),
            Edition::Bilingual => None,
        }
    }
}

impl From<Lang> for Edition {
    fn from(lang: Lang) -> Edition {
        match lang {
            Lang::En => Edition::En,
            Lang::ZhHant => Edition::ZhHant,
            Lang::ZhHans => Edition::ZhHans,
        }
    }
}

impl fmt::Display for Edition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

impl FromStr for Edition {
    type Err = String;
    fn from_str(s: &str) -> Result<Edition, String> {
        if let Some(edition) = Edition::ALL.into_iter().find(|e| e.tag() == s) {
            return Ok(edition);
        }
        let tags = Edition::ALL.map(|e| e.tag());
        // Region tags name a script by where it is read.
        let region = match s.to_ascii_lowercase().replace('_', "-").as_str() {
            "zh-tw" | "zh-hk" | "zh-mo" => vec!["zh-Hant"],
            "zh-cn" | "zh-sg" | "zh-my" => vec!["zh-Hans"],
            _ => Vec::new(),
        };
        let near = if region.is_empty() {
            closest(s, tags)
        } else {
            region
        };
        Err(match near {
            near if near.is_empty() => {
                format!(
                    "unknown edition `{s}`, expected one of: {}",
                    tags.join(", ")
                )
            }
            near => format!("unknown edition `{s}`: did you mean `{}`?", near[0]),
        })
    }
}

impl<'de> serde::Deserialize<'de> for Edition {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Edition, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// One article in one language, as read from `books/articles/<id>/<lang>.md`.
#[derive(Debug, Clone)]
pub struct Article {
    pub id: String,
    pub lang: Lang,
    pub title: String,
    pub themes: Vec<String>,
    /// `YYYY-MM-DD`, where the source gives one.
    pub date: Option<String>,
    /// The raw material it was made from, for the record.
    pub source: Option<String>,
    pub path: PathBuf,
    /// The whole file.
    pub text: String,
    /// Where the Markdown body starts, after the front matter.
    pub body_offset: usize,
}

impl Article {
    pub fn body(&self) -> &str {
        &self.text[self.body_offset..]
    }
}

/// Every article, by id, then by language.
#[derive(Debug, Default, Clone)]
pub struct Library {
    pub root: PathBuf,
    pub articles: BTreeMap<String, BTreeMap<Lang, Article>>,
}

impl Library {
    pub fn get(&self, id: &str) -> Option<&BTreeMap<Lang, Article>> {
        self.articles.get(id)
    }

    /// Ids of articles carrying `theme`, by date then id.
    pub fn with_theme(&self, theme: &str) -> Vec<&str> {
        let mut found: Vec<(Option<&str>, &str)> = self
            .articles
            .iter()
            .filter(|(_, versions)| {
                versions
                    .values()
                    .any(|a| a.themes.iter().any(|t| t == theme))
            })
            .map(|(id, versions)| {
                let date = versions.values().find_map(|a| a.date.as_deref());
                (date, id.as_str())
            })
            .collect();
        found.sort();
        found.into_iter().map(|(_, id)| id).collect()
    }

    /// Every theme any article names.
    pub fn themes(&self) -> Vec<&str> {
        let mut themes: Vec<&str> = self
            .articles
            .values()
            .flat_map(|v| v.values())
            .flat_map(|a| a.themes.iter().map(String::as_str))
            .collect();
        themes.sort();
        themes.dedup();
        themes
    }
}

/// The ids in `candidates` closest to `wanted`, best first (at most three).
pub fn closest<'a>(wanted: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wanted = wanted.to_lowercase();
    let mut scored: Vec<(usize, &str)> = candidates
        .into_iter()
        .map(|c| (edit_distance(&wanted, &c.to_lowercase()), c))
        .filter(|&(d, c)| d <= wanted.len().max(c.len()) * 2 / 3)
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, c)| c).collect()
}

/// Edits (insert, delete, substitute, swap two neighbours) from `a` to `b`.
fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    // Three rows: two back, one back, this one.
    let mut before: Vec<usize> = Vec::new();
    let mut last: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let substitution = last[j - 1] + usize::from(a[i - 1] != b[j - 1]);
            row[j] = substitution.min(row[j - 1] + 1).min(last[j] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                row[j] = row[j].min(before[j - 2] + 1);
            }
        }
        before = std::mem::replace(&mut last, row);
    }
    last[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lang_tags_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(lang.tag().parse::<Lang>(), Ok(lang));
        }
        assert!("zh-TW".parse::<Lang>().is_err());
    }

    #[test]
    fn closest_ids() {
        let ids = ["mixture-of-experts", "self-attention", "power-of-writing"];
        assert_eq!(closest("mixture-of-expert", ids), ["mixture-of-experts"]);
        assert!(closest("zzzz", ids).is_empty());
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("ia", "ai"), 1, "a swap is one edit");
        assert_eq!(closest("ia", ["ai", "leadership"]), ["ai"]);
        assert_eq!(
            closest("ZH-hant", ["en", "zh-Hant", "zh-Hans"])[0],
            "zh-Hant"
        );
        assert_eq!(
            "zh-hant".parse::<Edition>(),
            Err("unknown edition `zh-hant`: did you mean `zh-Hant`?".to_owned())
        );
        assert_eq!(
            "zh-TW".parse::<Edition>(),
            Err("unknown edition `zh-TW`: did you mean `zh-Hant`?".to_owned())
        );
    }
}
