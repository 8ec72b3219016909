//! Hostile Markdown never panics: the `markdown` fuzz target's pipeline
//! (`fuzz/pipeline.rs`: model → EPUB chapters, typeset → PDF), run over
//! every regression input in `tests/fixtures/fuzz/` (crashes the fuzzer
//! found, and extreme shapes: deep nesting, a line that cannot break, a wide
//! table), over the fuzzer's seed corpus `fuzz/corpus/markdown/`, and over a
//! 5 MB article made here. A panic fails the test.

use std::path::{Path, PathBuf};
use std::time::Instant;

use quire::book::Lang;

use crate::common::{fonts, root};

#[path = "../../fuzz/pipeline.rs"]
mod pipeline;

/// The files of a folder, sorted by name.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no files in {}", dir.display());
    files
}

/// Runs the fuzz pipeline over each file, as the fuzz target does: bytes
/// that are not UTF-8 are skipped.
fn run_files(dir: &Path) {
    for file in files(dir) {
        let bytes = std::fs::read(&file).unwrap();
        let Ok(text) = std::str::from_utf8(&bytes) else {
            continue;
        };
        let started = Instant::now();
        pipeline::run(fonts(), &root(), text);
        eprintln!("{}: {:.2?}", file.display(), started.elapsed());
    }
}

#[test]
fn fuzz_regressions_do_not_panic() {
    run_files(&root().join("tests/fixtures/fuzz"));
}

#[test]
fn fuzz_corpus_does_not_panic() {
    run_files(&root().join("fuzz/corpus/markdown"));
}

/// A 5 MB article of ordinary paragraphs, headings, lists, quotes, tables,
/// code and footnotes in English and Chinese, and one paragraph of 1 MB
/// (made here: too big to commit). Set once, as a Chinese book (English
/// runs in it): the whole fuzz pipeline sets it three times, which takes
/// about a minute in a debug build.
#[test]
fn five_megabyte_article_does_not_panic() {
    let text = five_megabytes();
    assert!(text.len() >= 5 << 20);
    let started = Instant::now();
    pipeline::run_single(fonts(), &root(), &text, Lang::ZhHans);
    eprintln!("5 MB article: {:.2?}", started.elapsed());
}

fn five_megabytes() -> String {
    let section = "## A heading 標題\n\n\
        Attention lets each token look at every other token; the **cost** grows \
        with the *square* of the length[^1]. 混合專家(Mixture-of-Experts, MoE)架構:\
        DeepSeek-V3 擁有 6,710 億參數,\"每次\"只啟用其中一部分。\n\n\
        > A quote, with `code` and a [link](https://example.com).\n\n\
        - one\n- two\n  1. nested\n\n\
        | a | b |\n|---|--:|\n| 1 | 2 |\n\n\
        ```\nfn main() {}\n```\n\n\
        [^1]: A footnote.\n\n";
    let mut text = String::from("+++\ntitle = \"Five megabytes\"\n+++\n\n");
    while text.len() < 4 << 20 {
        text.push_str(section);
    }
    while text.len() < 5 << 20 {
        text.push_str("lorem ipsum dolor sit amet, 混合專家模型 consectetur adipiscing elit. ");
    }
    text.push('\n');
    text
}
