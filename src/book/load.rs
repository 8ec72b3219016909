//! Reading `articles/<id>/<lang>.md` files and their TOML front matter.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::{Article, Lang, Library};
use crate::error::{read_text, Diagnostic, Diagnostics, Error, Location, Result};
use crate::text::{is_forbidden_control, replace_control};

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

/// Reads every article below `dir`: each `<id>/<lang>.md`. Problems in single
/// files are diagnostics; an unreadable folder is an error. Names starting
/// with `.` (editor and system files) are skipped; any other `.md` file must
/// be named after a language.
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
            if path.extension().is_none_or(|e| e != "md") {
                continue;
            }
            if let Err(problem) = check_file_name(&path) {
                diagnostics.push(problem);
                continue;
            }
            if !path.is_file() {
                diagnostics.push(
                    Diagnostic::error(Some(Location::file(&path)), "this is not a file").hint(
                        "an article is a Markdown file: move this out of the articles folder",
                    ),
                );
                continue;
            }
            match load_article(&path) {
                Ok(mut article) => {
                    if let Some(warning) = clean_controls(&mut article) {
                        diagnostics.push(warning);
                    }
                    if article.body().trim().is_empty() {
                        diagnostics.push(empty_warning(&article));
                    }
                    add(&mut library, article, &mut diagnostics);
                }
                Err(Error::Invalid(found)) => diagnostics.extend(found),
                Err(other) => return Err(other),
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

/// An article file is named after its language: `en.md`, `zh-Hant.md`, `zh-Hans.md`.
fn check_file_name(path: &Path) -> Result<(), Diagnostic> {
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy())
        .unwrap_or_default();
    if Lang::ALL.iter().any(|l| l.tag() == stem) {
        return Ok(());
    }
    let name = format!("{stem}.md");
    let hint = match Lang::ALL.iter().find(|l| l.tag().eq_ignore_ascii_case(&stem)) {
        Some(lang) => format!("rename it {lang}.md: the case of the letters matters"),
        None => "name each article file after its language: en.md, zh-Hant.md or zh-Hans.md; keep other Markdown (notes, drafts) outside the articles folder, or in a folder or file whose name starts with `.`".into(),
    };
    Err(Diagnostic::error(
        Some(Location::file(path)),
        format!("`{name}` is not an article file: its name is not a language quire knows (en, zh-Hant, zh-Hans)"),
    )
    .hint(hint))
}

/// Replaces the characters XML forbids (in the file, or escaped in the
/// title) with what [`replace_control`] makes of them, with a warning at the
/// first.
fn clean_controls(article: &mut Article) -> Option<Diagnostic> {
    let in_text = article.text.find(is_forbidden_control);
    let in_title = article.title.chars().any(is_forbidden_control);
    if in_text.is_none() && !in_title {
        return None;
    }
    let count = article
        .text
        .chars()
        .chain(article.title.chars())
        .filter(|&c| is_forbidden_control(c))
        .count();
    let first = in_text
        .and_then(|at| article.text[at..].chars().next())
        .or_else(|| article.title.chars().find(|&c| is_forbidden_control(c)))
        .unwrap_or_default();
    // In the title (escaped in its TOML string): the file's first line.
    let location = Location::in_text(&article.path, &article.text, in_text.unwrap_or(0));
    article.text = article.text.chars().map(replace_control).collect();
    article.title = article.title.chars().map(replace_control).collect();
    let what = if in_text.is_some() {
        "the file"
    } else {
        "the title"
    };
    Some(
        Diagnostic::warning(
            Some(location),
            format!(
                "{what} holds {count} control character(s) (the first is U+{:04X}), which are not text and cannot be in a book; each is set as a space",
                u32::from(first)
            ),
        )
        .hint("delete them: they are invisible in most editors (`cat -A FILE` shows them)"),
    )
}

/// An article with front matter and no text is built as a chapter with a
/// title only, with this warning.
fn empty_warning(article: &Article) -> Diagnostic {
    Diagnostic::warning(
        Some(Location::in_text(
            &article.path,
            &article.text,
            article.body_offset,
        )),
        "the article has no text after its front matter; its chapter will hold only the title",
    )
    .hint("write the article below the closing `+++`, or delete the file")
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

/// The entries of `dir`, sorted, without hidden ones (names starting with `.`).
fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("read the folder", dir, e))?;
    let mut paths = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("read the folder", dir, e))?;
        if !entry.file_name().to_string_lossy().starts_with('.') {
            paths.push(entry.path());
        }
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
        // Another folder of that name means two articles claim one id.
        let taken = path
            .parent()
            .and_then(Path::parent)
            .map(|articles| articles.join(&front.id))
            .filter(|other| !front.id.is_empty() && other.is_dir());
        let problem = Diagnostic::error(
            Some(at("id")),
            format!(
                "the id `{}` is not the folder's name `{}`",
                front.id,
                folder.unwrap_or("")
            ),
        );
        problems.push(match taken {
            Some(other) => problem.hint(format!(
                "`{}` is already the id of the articles in {}: two articles cannot share an id; set id = \"{}\" here, or move this file there if it is a translation",
                front.id,
                other.display(),
                folder.unwrap_or("")
            )),
            None => problem.hint("an article's id and its folder name must be the same"),
        });
    }
    if front.title.trim().is_empty() {
        problems.push(
            Diagnostic::error(Some(at("title")), "the article's title is empty").hint(
                "give the article a title: it heads the chapter and names it in the contents",
            ),
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
