//! Reading `articles/<id>/<lang>.md` files and their TOML front matter.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Article, Lang, Library};
use crate::error::{read_text, Diagnostic, Diagnostics, Error, Location, Result};

const FENCE: &str = "+++";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    id: String,
    title: String,
    lang: Lang,
    themes: Vec<String>,
    date: Option<toml::value::Datetime>,
    source: Option<String>,
}

/// Reads every article below `dir`. Problems in single files are diagnostics;
/// an unreadable folder is an error.
pub fn load_articles(dir: &Path) -> Result<(Library, Diagnostics)> {
    let mut library = Library {
        root: dir.to_path_buf(),
        articles: BTreeMap::new(),
    };
    let mut diagnostics = Diagnostics::default();
    for folder in sorted_entries(dir)? {
        if !folder.is_dir() {
            continue;
        }
        for path in sorted_entries(&folder)? {
            if path.extension().is_some_and(|e| e == "md") {
                match load_article(&path) {
                    Ok(article) => add(&mut library, article, &mut diagnostics),
                    Err(Error::Invalid(found)) => diagnostics.extend(found),
                    Err(other) => return Err(other),
                }
            }
        }
    }
    if library.articles.is_empty() && !diagnostics.has_errors() {
        diagnostics.push(
            Diagnostic::error(Some(Location::file(dir)), "the library has no articles")
                .hint("add Markdown files as <articles folder>/<id>/<lang>.md"),
        );
    }
    Ok((library, diagnostics))
}

fn add(library: &mut Library, article: Article, diagnostics: &mut Diagnostics) {
    let versions = library.articles.entry(article.id.clone()).or_default();
    if let Some(first) = versions.get(&article.lang) {
        diagnostics.push(
            Diagnostic::error(
                Some(Location::in_text(&article.path, &article.text, 0)),
                format!(
                    "article `{}` in {} is defined twice; the other is {}",
                    article.id,
                    article.lang,
                    first.path.display()
                ),
            )
            .hint("give one of them another id, or merge them"),
        );
        return;
    }
    versions.insert(article.lang, article);
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("read the folder", dir, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        paths.push(
            entry
                .map_err(|e| Error::io("read the folder", dir, e))?
                .path(),
        );
    }
    paths.sort();
    Ok(paths)
}

/// Reads one article file: front matter, then Markdown.
pub fn load_article(path: &Path) -> Result<Article> {
    let text = read_text(path)?;
    let fail = |offset: usize, message: String, hint: &str| {
        let d = Diagnostic::error(Some(Location::in_text(path, &text, offset)), message).hint(hint);
        Error::Invalid([d].into_iter().collect())
    };
    let Some(rest) = text
        .strip_prefix(FENCE)
        .and_then(|r| r.strip_prefix('\n').or(r.strip_prefix("\r\n")))
    else {
        return Err(fail(
            0,
            "the article has no front matter".into(),
            "start the file with a `+++` line, then id, title, lang and themes as TOML, then `+++`",
        ));
    };
    let start = text.len() - rest.len();
    let Some(close) = find_closing_fence(rest) else {
        return Err(fail(
            0,
            "the front matter is never closed".into(),
            "end it with a line `+++`",
        ));
    };
    let toml_text = &rest[..close];
    let body_offset = start + close + FENCE.len();
    let body_offset = body_offset
        + text[body_offset..]
            .find('\n')
            .map_or(text.len() - body_offset, |i| i + 1);

    let front: FrontMatter = toml::from_str(toml_text).map_err(|e| {
        let offset = start + e.span().map_or(0, |s| s.start);
        fail(
            offset,
            format!("bad front matter: {}", e.message()),
            FRONT_MATTER_HINT,
        )
    })?;
    check_place(path, &text, &front)?;
    Ok(Article {
        id: front.id,
        lang: front.lang,
        title: front.title,
        themes: front.themes,
        date: front.date.and_then(|d| d.date).map(|d| d.to_string()),
        source: front.source,
        path: path.to_path_buf(),
        text: text.clone(),
        body_offset,
    })
}

const FRONT_MATTER_HINT: &str =
    "front matter keys: id, title, lang (en | zh-Hant | zh-Hans), themes = [..], date (optional), source (optional)";

fn find_closing_fence(rest: &str) -> Option<usize> {
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == FENCE {
            return Some(offset);
        }
        offset += line.len();
    }
    None
}

/// The id must be the folder's name and the language the file's name.
fn check_place(path: &Path, text: &str, front: &FrontMatter) -> Result<()> {
    let folder = path
        .parent()
        .and_then(Path::file_name)
        .and_then(|n| n.to_str());
    let stem = path.file_stem().and_then(|n| n.to_str());
    let mut problems = Diagnostics::default();
    let at = |key: &str| {
        Location::in_text(
            path,
            text,
            text.find(&format!("\n{key}")).map_or(0, |i| i + 1),
        )
    };
    if folder != Some(front.id.as_str()) {
        problems.push(
            Diagnostic::error(
                Some(at("id")),
                format!(
                    "the id `{}` is not the folder's name `{}`",
                    front.id,
                    folder.unwrap_or("")
                ),
            )
            .hint("an article's id and its folder name must be the same"),
        );
    }
    if stem != Some(front.lang.tag()) {
        problems.push(
            Diagnostic::error(
                Some(at("lang")),
                format!(
                    "lang is `{}` but the file is named `{}.md`",
                    front.lang,
                    stem.unwrap_or("")
                ),
            )
            .hint(format!("name the file {}.md", front.lang)),
        );
    }
    if front.themes.is_empty() {
        problems.push(
            Diagnostic::error(Some(at("themes")), "the article has no theme")
                .hint("add at least one theme, e.g. themes = [\"ai\"]"),
        );
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(Error::Invalid(problems))
    }
}
