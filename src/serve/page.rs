//! The pages `quire serve` makes: the index, the error page, the 404, and
//! the live-reload script.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::Path;

use super::{epub, State};
use crate::text::{escape_xml as escape, TextCount};

/// Reloads the page when a build other than its own is announced that
/// failed, or wrote its book (a chapter's), or any book (the index).
pub const LIVE_JS: &str = r#"(() => {
  const generation = document.currentScript.dataset.generation;
  const path = location.pathname.split("/");
  const book = path[1] === "read" ? path[2] : null;
  const events = new EventSource("/events");
  events.addEventListener("build", (event) => {
    const [built, status, ...books] = event.data.split(" ");
    const touched = book === null || status === "failed" || books.includes(book);
    if (built !== generation && touched) location.reload();
  });
})();
"#;

/// The script tag for a page of build `generation`.
fn live_script(generation: u64) -> String {
    format!(r#"<script src="/_quire/live.js" data-generation="{generation}"></script>"#)
}

/// A chapter's XHTML with the live-reload script at the end of its body.
pub fn with_live_script(xhtml: &str, generation: u64) -> String {
    let script = live_script(generation);
    match xhtml.rfind("</body>") {
        Some(at) => format!("{}{script}{}", &xhtml[..at], &xhtml[at..]),
        None => format!("{xhtml}{script}"),
    }
}

/// A page; of build `generation`, it reloads after the next.
fn document(title: &str, body: &str, generation: Option<u64>) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <title>{}</title><style>{STYLE}</style></head>\n<body>\n{body}\n{}\n</body></html>\n",
        escape(title),
        generation.map(live_script).unwrap_or_default()
    )
}

const STYLE: &str = "body{font:16px/1.5 sans-serif;margin:2em auto;max-width:60em;padding:0 1em}\
table{border-collapse:collapse;width:100%}td,th{border-top:1px solid #ccc;padding:.4em;\
text-align:left;vertical-align:top}pre{background:#fdecea;padding:1em;white-space:pre-wrap}\
ol{margin:0;padding-left:1.5em}";

/// The book `path` is a file of: `ai.en` for `ai.en.epub`, `ai.en.cover.pdf` …
pub fn book_of(name: &str) -> &str {
    [".print.pdf", ".cover.pdf", ".epub", ".pdf"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name)
}

/// "1204 words, 3410 Han characters", leaving out a zero.
fn counted(count: TextCount) -> String {
    let mut parts = Vec::new();
    if count.words > 0 {
        parts.push(crate::text::count(count.words, "word", "words"));
    }
    if count.han > 0 {
        parts.push(crate::text::count(
            count.han,
            "Han character",
            "Han characters",
        ));
    }
    parts.join(", ")
}

/// Every book of the builds so far: its EPUB's chapters, its PDFs; and the
/// diagnostics that stand (each book's from its last build), or those of
/// the last build if it failed.
pub fn index(state: &State, out_dir: &Path) -> String {
    let mut body = String::from("<h1>quire</h1>\n");
    if let Some(failure) = &state.failure {
        let _ = write!(
            body,
            "<p><strong>The last build failed: {}.</strong></p>",
            escape(failure)
        );
    }
    if !state.diagnostics.is_empty() {
        let list = escape(&state.diagnostics.join("\n"));
        let _ = write!(body, "<h2>Diagnostics</h2>\n<pre>{list}</pre>\n");
    }
    let mut books: BTreeMap<&str, Vec<&crate::build::Built>> = BTreeMap::new();
    for built in &state.books {
        let Some(name) = built.path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        books.entry(book_of(name)).or_default().push(built);
    }
    body.push_str("<table>\n<tr><th>Book</th><th>Chapters (EPUB)</th><th>Files</th></tr>\n");
    for (book, files) in &books {
        let mut chapters = String::new();
        let mut links = String::new();
        for built in files {
            let name = built
                .path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("");
            if name.ends_with(".epub") {
                for chapter in epub::chapters(&out_dir.join(name)) {
                    let href = format!("/read/{book}/{}", chapter.entry);
                    let _ = write!(
                        chapters,
                        "<li><a href=\"{}\">{}</a> <small>{}</small></li>",
                        escape(&href),
                        escape(&chapter.title),
                        counted(chapter.count)
                    );
                }
            }
            let pages = built
                .pages
                .map(|p| format!(", {p} pages"))
                .unwrap_or_default();
            let _ = write!(
                links,
                "<a href=\"/files/{}\">{}</a> ({} KB{pages})<br>",
                escape(name),
                escape(name),
                built.bytes.div_ceil(1024)
            );
        }
        let _ = writeln!(
            body,
            "<tr><td>{}</td><td><ol>{chapters}</ol></td><td>{links}</td></tr>",
            escape(book)
        );
    }
    body.push_str("</table>");
    document("quire", &body, Some(state.generation))
}

/// In place of a chapter while the last build failed: what it found. It
/// reloads (to the chapter) after the next build.
pub fn failed(failure: &str, diagnostics: &[String], generation: u64) -> String {
    let body = format!(
        "<h1>The build failed</h1>\n<p>{}: fix the source and save; this page reloads.</p>\n<pre>{}</pre>",
        escape(failure),
        escape(&diagnostics.join("\n"))
    );
    document("The build failed", &body, Some(generation))
}

pub fn not_found(url: &str) -> String {
    let body = format!(
        "<h1>Not found</h1><p>{}</p><p><a href=\"/\">The books</a></p>",
        escape(url)
    );
    document("Not found", &body, None)
}
