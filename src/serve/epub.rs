//! A built EPUB, read back: an entry's bytes, and the chapters in reading order.

use std::io::Read;
use std::path::Path;

use crate::text::{unescape_xml, TextCount};

/// The bytes of entry `name` of the EPUB at `path`.
pub fn entry(path: &Path, name: &str) -> Option<Vec<u8>> {
    let file = std::fs::File::open(path).ok()?;
    let mut archive = zip::ZipArchive::new(file).ok()?;
    let mut entry = archive.by_name(name).ok()?;
    let mut bytes = Vec::new();
    entry.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// A document of a book's spine.
pub struct Chapter {
    /// Its entry in the EPUB.
    pub entry: String,
    /// Its `<title>`.
    pub title: String,
    /// Words and Han characters of its body's text.
    pub count: TextCount,
}

/// The spine's documents, in reading order.
pub fn chapters(path: &Path) -> Vec<Chapter> {
    let text = |name: &str| entry(path, name).and_then(|b| String::from_utf8(b).ok());
    let Some(container) = text("META-INF/container.xml") else {
        return Vec::new();
    };
    let Some(opf_path) = attribute(&container, "rootfile", "full-path") else {
        return Vec::new();
    };
    let Some(opf) = text(&opf_path) else {
        return Vec::new();
    };
    let dir = opf_path.rsplit_once('/').map_or("", |(dir, _)| dir);
    let items: Vec<(String, String)> = (tags(&opf, "item").into_iter())
        .filter_map(|tag| Some((value(tag, "id")?, value(tag, "href")?)))
        .collect();
    (tags(&opf, "itemref").into_iter())
        .filter_map(|tag| value(tag, "idref"))
        .filter_map(|id| items.iter().find(|(i, _)| *i == id))
        .map(|(_, href)| {
            let entry = if dir.is_empty() {
                href.clone()
            } else {
                format!("{dir}/{href}")
            };
            let xhtml = text(&entry).unwrap_or_default();
            let title = between(&xhtml, "<title>", "</title>").unwrap_or(href);
            let body = xhtml.find("<body").map_or("", |at| &xhtml[at..]);
            Chapter {
                title: unescape_xml(title),
                count: TextCount::of(&unescape_xml(&text_of(body))),
                entry,
            }
        })
        .collect()
}

fn between<'x>(xml: &'x str, open: &str, close: &str) -> Option<&'x str> {
    let start = xml.find(open)? + open.len();
    Some(&xml[start..start + xml[start..].find(close)?])
}

/// The text of markup: what is between its tags, a space for each tag.
fn text_of(markup: &str) -> String {
    let mut out = String::with_capacity(markup.len());
    let mut in_tag = false;
    for c in markup.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// The opening tags named `name` in `xml`, each without its `<name` and `>`.
fn tags<'x>(xml: &'x str, name: &str) -> Vec<&'x str> {
    let open = format!("<{name} ");
    xml.match_indices(open.as_str())
        .filter_map(|(at, _)| {
            let rest = &xml[at + open.len()..];
            Some(&rest[..rest.find('>')?])
        })
        .collect()
}

/// The value of attribute `name` in a tag's text.
fn value(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let padded = format!(" {tag}");
    let start = padded.find(&key)? + key.len();
    let end = start + padded[start..].find('"')?;
    Some(unescape_xml(&padded[start..end]))
}

/// The value of attribute `name` of the first `<tag …>` in `xml`.
fn attribute(xml: &str, tag: &str, name: &str) -> Option<String> {
    tags(xml, tag).first().and_then(|t| value(t, name))
}
