//! Every Markdown input the project has makes a valid book: the Markdown
//! fixtures, the fuzz regression inputs and seed corpus, and the articles of
//! the config fixtures, each as a chapter of one volume in English and in
//! Traditional Chinese. EpubCheck reports nothing on either EPUB.

use std::path::{Path, PathBuf};

use quire::build::{build, load_project, BuildOptions};
use quire::config::Format;

use crate::common::root;
use crate::epub::epubcheck_failures;

/// Every Markdown input, as (a name, its text after any front matter, the
/// folder its images are relative to).
fn inputs() -> Vec<(String, String, PathBuf)> {
    let mut files: Vec<PathBuf> = Vec::new();
    let listed = |dir: &Path| -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        found.sort();
        found
    };
    for case in listed(&root().join("tests/fixtures/markdown")) {
        files.extend(
            listed(&case)
                .into_iter()
                .filter(|p| p.extension().is_some_and(|e| e == "md")),
        );
    }
    files.extend(listed(&root().join("tests/fixtures/fuzz")));
    files.extend(listed(&root().join("fuzz/corpus/markdown")));
    for case in ["hostile-markdown", "epub-breakers"] {
        let dir = root()
            .join("tests/fixtures/config")
            .join(case)
            .join("articles/gamma");
        files.extend(listed(&dir));
    }
    files
        .into_iter()
        .filter_map(|path| {
            let text = String::from_utf8(std::fs::read(&path).ok()?).ok()?;
            let body = match text
                .strip_prefix("+++\n")
                .and_then(|r| r.split_once("\n+++\n"))
            {
                Some((_, body)) => body.to_owned(),
                None => text,
            };
            let name = path.strip_prefix(root()).unwrap().display().to_string();
            Some((name, body, path.parent().unwrap().to_path_buf()))
        })
        .collect()
}

/// A library of one volume holding every input as a chapter, in en and
/// zh-Hant; returns its config.
fn library_of_every_input(dir: &Path) -> PathBuf {
    let mut chapters = Vec::new();
    for (i, (name, body, folder)) in inputs().into_iter().enumerate() {
        let id = format!("input-{i:03}");
        let article = dir.join("articles").join(&id);
        std::fs::create_dir_all(&article).unwrap();
        // The images an input links to: those beside it, and the one the
        // fuzz inputs name.
        let images = std::fs::read_dir(&folder)
            .unwrap()
            .map(|e| e.unwrap().path())
            .chain([root().join("tests/fixtures/markdown/images/moe.png")]);
        for path in images.filter(|p| p.extension().is_some_and(|e| e == "png" || e == "jpg")) {
            std::fs::copy(&path, article.join(path.file_name().unwrap())).unwrap();
        }
        for lang in ["en", "zh-Hant"] {
            let text = format!(
                "+++\nid = \"{id}\"\ntitle = {name:?}\nlang = \"{lang}\"\nthemes = [\"t\"]\n+++\n\n{body}"
            );
            std::fs::write(article.join(format!("{lang}.md")), text).unwrap();
        }
        chapters.push(format!("{id:?}"));
    }
    let config = dir.join("quire.toml");
    std::fs::write(
        &config,
        format!(
            "[library]\nauthor = \"T\"\n[fonts]\ndir = {:?}\n\
             [[volume]]\nid = \"every\"\ntitle = {{ en = \"Every input\", zh-Hant = \"每個輸入\" }}\n\
             chapters = [{}]\neditions = [\"en\", \"zh-Hant\"]\n",
            root().join("fonts"),
            chapters.join(", ")
        ),
    )
    .unwrap();
    config
}

#[test]
fn every_markdown_input_makes_an_epub_that_epubcheck_passes() {
    let dir = std::env::temp_dir().join(format!("quire-test-{}-every-input", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let config = library_of_every_input(&dir);
    let (project, _) = load_project(&config).expect("the library loads");
    let options = BuildOptions {
        out_dir: dir.join("out"),
        source_date_epoch: Some(1_700_000_000),
        formats: vec![Format::Epub],
        ..BuildOptions::default()
    };
    let (built, diagnostics) = build(&project, &options).expect("the books build");
    assert!(!diagnostics.has_errors(), "{diagnostics:?}");
    let books: Vec<PathBuf> = built.into_iter().map(|b| b.path).collect();
    assert_eq!(books.len(), 2);
    let Some(failures) = epubcheck_failures(&books) else {
        return;
    };
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
