//! The document model → XHTML content documents.
//!
//! While writing, the writer records which characters each font face sets
//! (for subsetting) and warns about characters no face covers.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;
use std::path::Path;

use crate::book::Lang;
use crate::doc::{
    Alignment, Block, BlockKind, Document, Inline, InlineKind, Locator, TextAt, TextNode,
};
use crate::error::{Diagnostic, Diagnostics, Location};
use crate::fonts::{self, FontUsage, Fonts, TextStyle};
use crate::text::Orientation;

pub use crate::text::escape_xml as escape;

/// `lang` and `xml:lang` attributes.
pub fn lang_attrs(lang: Lang) -> String {
    format!(r#"lang="{0}" xml:lang="{0}""#, lang.tag())
}

/// A whole XHTML content document around `body`.
pub fn page(lang: Lang, title: &str, body_class: &str, body: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE html>
<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" {lang}>
<head>
<meta charset="utf-8"/>
<title>{title}</title>
<link rel="stylesheet" type="text/css" href="stylesheet.css"/>
</head>
<body class="{body_class}">
{body}</body>
</html>
"#,
        lang = lang_attrs(lang),
        title = escape(title),
    )
}

/// Where a text run comes from, for coverage warnings.
pub struct Source<'a> {
    pub path: &'a Path,
    pub text: &'a str,
}

/// The warning for an image with no text alternative.
fn missing_alt(source: &Source, offset: usize, url: &str) -> Diagnostic {
    Diagnostic::warning(
        Some(Location::in_text(source.path, source.text, offset)),
        format!(
            "the image `{url}` has no alt text: a reader who cannot see it learns nothing of it"
        ),
    )
    .hint(format!(
        "describe it: ![what it shows]({url}), or mark it decorative: ![]({url} \"\")"
    ))
}

/// An image the document refers to: its URL as written and where.
#[derive(Debug, Clone)]
pub struct ImageRef {
    pub url: String,
    pub offset: usize,
}

/// Writes chapters and front matter, recording font usage and problems.
pub struct Writer<'a> {
    pub fonts: &'a Fonts,
    pub usage: FontUsage,
    pub diagnostics: Diagnostics,
    pub han_in_english: Lang,
    /// The language of the document being written.
    pub base: Lang,
    /// Image URL → its file name inside the EPUB, filled in by the caller
    /// before a chapter is written; images not found here are dropped.
    pub images: BTreeMap<String, String>,
    /// The print edition's pages that start in the chapter being written,
    /// set by the caller: at the chapter's title, or in a text node, by
    /// label. Each is taken as its marker is written.
    pub page_starts: PageStarts,
    /// Set top to bottom: Latin runs in Chinese text get their orientation.
    pub vertical: bool,
    warned: BTreeSet<(std::path::PathBuf, char)>,
}

/// Where the print edition's pages start in one chapter (see
/// [`Writer::page_starts`]).
#[derive(Debug, Default)]
pub struct PageStarts {
    /// Labels of the pages that start at the chapter's title.
    pub at_title: Vec<String>,
    /// (translation, node) → (byte, label), the bytes in order.
    pub in_text: BTreeMap<(bool, TextNode), Vec<(usize, String)>>,
    /// The labels whose markers were written.
    pub written: Vec<String>,
}

impl PageStarts {
    pub fn new(starts: impl IntoIterator<Item = (String, Option<TextAt>)>) -> PageStarts {
        let mut out = PageStarts::default();
        for (label, at) in starts {
            match at {
                None => out.at_title.push(label),
                Some(at) => out
                    .in_text
                    .entry((at.translation, at.node))
                    .or_default()
                    .push((at.byte, label)),
            }
        }
        out
    }

    /// The markers of the pages that start at the title.
    fn title_markers(&mut self) -> String {
        let labels = std::mem::take(&mut self.at_title);
        let markers = labels.iter().map(|l| page_marker(l)).collect();
        self.written.extend(labels);
        markers
    }

    /// `text` of `node`, escaped, with the markers of the pages that start in it.
    fn text(&mut self, translation: bool, node: Option<TextNode>, text: &str) -> String {
        let starts = node.and_then(|n| self.in_text.remove(&(translation, n)));
        let Some(starts) = starts else {
            return escape(text);
        };
        let mut out = String::new();
        let mut at = 0;
        for (byte, label) in starts {
            let byte = byte.clamp(at, text.len());
            let Some(before) = text.get(at..byte) else {
                continue;
            };
            out.push_str(&escape(before));
            out.push_str(&page_marker(&label));
            self.written.push(label);
            at = byte;
        }
        out.push_str(&escape(&text[at..]));
        out
    }
}

/// The marker of print page `label`: `page-` and the label is its id.
fn page_marker(label: &str) -> String {
    let label = escape(label);
    format!(
        r#"<span epub:type="pagebreak" role="doc-pagebreak" id="page-{label}" aria-label="{label}"></span>"#
    )
}

impl<'a> Writer<'a> {
    pub fn new(fonts: &'a Fonts, han_in_english: Lang) -> Writer<'a> {
        Writer {
            fonts,
            usage: FontUsage::default(),
            diagnostics: Diagnostics::default(),
            han_in_english,
            base: han_in_english,
            images: BTreeMap::new(),
            page_starts: PageStarts::default(),
            vertical: false,
            warned: BTreeSet::new(),
        }
    }

    /// Records text set in `lang` and `style` (front matter, titles: no source line).
    pub fn use_text(
        &mut self,
        text: &str,
        lang: Lang,
        style: TextStyle,
        source: Option<(&Source, usize)>,
    ) {
        let chain = fonts::chain(lang, style, self.base, self.han_in_english);
        for c in self.usage.add(self.fonts, &chain, text) {
            let key = (
                source
                    .map(|(s, _)| s.path.to_path_buf())
                    .unwrap_or_default(),
                c,
            );
            // Located only when warned about: locating reads the text up to the place.
            if self.warned.insert(key) {
                let location = source.map(|(s, offset)| {
                    let at = Location::char_offset(s.text, offset, c, 2 * text.len() + 16);
                    Location::in_text(s.path, s.text, at)
                });
                self.diagnostics.push(fonts::uncovered(location, c, &chain));
            }
        }
    }

    /// Escaped text, recorded for fonts.
    pub fn text(&mut self, text: &str, lang: Lang, style: TextStyle) -> String {
        self.use_text(text, lang, style, None);
        escape(text)
    }

    /// The body of a chapter: its title as `h1`, its blocks, its footnotes.
    pub fn chapter(&mut self, doc: &Document, source: &Source, title: &str) -> String {
        self.base = doc.lang;
        let mut out = String::new();
        let title = self.title(title, doc, source);
        let markers = self.page_starts.title_markers();
        open_chapter(&mut out, &markers, &title);
        let mut cx = Context::new(source, doc, "");
        for block in &doc.blocks {
            self.block(block, &mut cx, &mut out);
        }
        close_chapter(&mut out, &mut [cx]);
        out
    }

    /// A chapter title, with its language runs marked like the text's, so
    /// Latin words in it get their face and their spacing.
    fn title(&mut self, title: &str, doc: &Document, source: &Source) -> String {
        let mut holder = Document {
            source: doc.source.clone(),
            lang: doc.lang,
            blocks: vec![Block {
                kind: BlockKind::Paragraph(vec![Inline::text(title, 0..0)]),
                span: 0..0,
            }],
            too_deep: Vec::new(),
            repeated_notes: Vec::new(),
        };
        crate::doc::mark_language_runs(&mut holder, self.han_in_english);
        let BlockKind::Paragraph(inlines) = &holder.blocks[0].kind else {
            return escape(title);
        };
        let mut cx = Context::new(source, doc, "");
        cx.style = bold();
        self.inlines(inlines, &mut cx)
    }

    /// A chapter of the bilingual edition: each English block followed by
    /// the Chinese block that translates it. Returns false in the second
    /// place when the two versions' structures differ (they then align on
    /// headings only).
    pub fn bilingual_chapter(
        &mut self,
        english: (&Document, &Source, &str),
        chinese: (&Document, &Source, &str),
    ) -> (String, bool) {
        let (en, en_source, en_title) = english;
        let (zh, zh_source, zh_title) = chinese;
        let mut out = String::new();
        self.base = en.lang;
        let mut title = format!(
            r#"<span class="en" {}>{}</span>"#,
            lang_attrs(en.lang),
            self.title(en_title, en, en_source)
        );
        self.base = zh.lang;
        title += &format!(
            r#"<span class="zh" {}>{}</span>"#,
            lang_attrs(zh.lang),
            self.title(zh_title, zh, zh_source)
        );
        let markers = self.page_starts.title_markers();
        open_chapter(&mut out, &markers, &title);
        let mut en_cx = Context::new(en_source, en, "");
        let mut zh_cx = Context::new(zh_source, zh, "zh-");
        zh_cx.translation = true;
        let (pairs, matched) = crate::doc::align(&en.blocks, &zh.blocks);
        for (en_blocks, zh_blocks) in pairs {
            out.push_str("<div class=\"pair\">\n");
            for (blocks, cx, class) in
                [(en_blocks, &mut en_cx, "en"), (zh_blocks, &mut zh_cx, "zh")]
            {
                if blocks.is_empty() {
                    continue;
                }
                self.base = cx.lang;
                let _ = writeln!(out, r#"<div class="{class}" {}>"#, lang_attrs(cx.lang));
                for block in blocks {
                    self.block(block, cx, &mut out);
                }
                out.push_str("</div>\n");
            }
            out.push_str("</div>\n");
        }
        // The footnotes: alignment leaves them out of the pairs.
        for (doc, cx) in [(en, &mut en_cx), (zh, &mut zh_cx)] {
            self.base = cx.lang;
            let notes = doc
                .blocks
                .iter()
                .filter(|b| matches!(b.kind, BlockKind::FootnoteDefinition { .. }));
            for block in notes {
                self.block(block, cx, &mut out);
            }
        }
        close_chapter(&mut out, &mut [en_cx, zh_cx]);
        (out, matched)
    }

    fn block(&mut self, block: &Block, cx: &mut Context, out: &mut String) {
        match &block.kind {
            BlockKind::Heading { level, id, content } => {
                // Headings in order without gaps (h2, then h3, never h4 after h2).
                let level = (i16::from(*level) + cx.shift).clamp(2, 6) as u8;
                let level = level.min(cx.last_heading + 1);
                cx.last_heading = level;
                let saved = cx.style;
                cx.style.bold = true;
                let inner = self.inlines(content, cx);
                cx.style = saved;
                let _ = writeln!(
                    out,
                    r#"<h{level} id="{}{}">{inner}</h{level}>"#,
                    cx.prefix,
                    escape(id)
                );
            }
            BlockKind::Paragraph(content) => {
                let inner = self.inlines(content, cx);
                let _ = writeln!(out, "<p>{inner}</p>");
            }
            BlockKind::List { start, items } => {
                let tag = if start.is_some() { "ol" } else { "ul" };
                match start {
                    Some(n) if *n != 1 => {
                        let _ = writeln!(out, r#"<ol start="{n}">"#);
                    }
                    _ => {
                        let _ = writeln!(out, "<{tag}>");
                    }
                }
                for item in items {
                    out.push_str("<li>");
                    for block in item {
                        self.block(block, cx, out);
                    }
                    out.push_str("</li>\n");
                }
                let _ = writeln!(out, "</{tag}>");
            }
            BlockKind::BlockQuote(blocks) => {
                out.push_str("<blockquote>\n");
                for block in blocks {
                    self.block(block, cx, out);
                }
                out.push_str("</blockquote>\n");
            }
            BlockKind::CodeBlock { info, text } => {
                let style = TextStyle {
                    mono: true,
                    ..TextStyle::default()
                };
                self.use_text(text, cx.lang, style, Some((cx.source, block.span.start)));
                let node = Some(TextNode::of_block(&block.span));
                let code = self.page_starts.text(cx.translation, node, text);
                let class = info
                    .split_whitespace()
                    .next()
                    .map(|l| format!(r#" class="language-{}""#, escape(l)));
                let _ = writeln!(
                    out,
                    "<pre><code{}>{}</code></pre>",
                    class.unwrap_or_default(),
                    code
                );
            }
            BlockKind::Table {
                alignments,
                header,
                rows,
            } => self.table(alignments, header, rows, cx, out),
            BlockKind::FootnoteDefinition { number, blocks, .. } => {
                let mut note = String::new();
                let _ = write!(
                    note,
                    r#"<aside epub:type="footnote" role="doc-footnote" id="{prefix}fn-{number}"><p class="footnote-number">{number}</p>"#,
                    prefix = cx.prefix
                );
                note.push('\n');
                for block in blocks {
                    self.block(block, cx, &mut note);
                }
                note.push_str("</aside>\n");
                cx.footnotes.push((*number, note));
            }
            BlockKind::ThematicBreak => out.push_str("<hr/>\n"),
        }
    }

    fn table(
        &mut self,
        alignments: &[Alignment],
        header: &[Vec<Inline>],
        rows: &[Vec<Vec<Inline>>],
        cx: &mut Context,
        out: &mut String,
    ) {
        let class = |i: usize| match alignments.get(i) {
            Some(Alignment::Left) => r#" class="left""#,
            Some(Alignment::Center) => r#" class="center""#,
            Some(Alignment::Right) => r#" class="right""#,
            _ => "",
        };
        out.push_str("<table>\n");
        if !header.is_empty() {
            out.push_str("<thead><tr>");
            let saved = cx.style;
            cx.style.bold = true;
            for (i, cell) in header.iter().enumerate() {
                let inner = self.inlines(cell, cx);
                let _ = write!(out, "<th scope=\"col\"{}>{inner}</th>", class(i));
            }
            cx.style = saved;
            out.push_str("</tr></thead>\n");
        }
        out.push_str("<tbody>\n");
        for row in rows {
            out.push_str("<tr>");
            for (i, cell) in row.iter().enumerate() {
                let inner = self.inlines(cell, cx);
                let _ = write!(out, "<td{}>{inner}</td>", class(i));
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table>\n");
    }

    fn inlines(&mut self, inlines: &[Inline], cx: &mut Context) -> String {
        let mut out = String::new();
        for (i, inline) in inlines.iter().enumerate() {
            cx.spacing = han_latin_spacing(inlines, i, cx.lang);
            cx.node = TextNode::of(inlines, i);
            self.inline(inline, cx, &mut out);
        }
        out
    }

    fn styled(
        &mut self,
        tag: &str,
        children: &[Inline],
        cx: &mut Context,
        change: impl Fn(&mut TextStyle),
    ) -> String {
        let saved = cx.style;
        change(&mut cx.style);
        let inner = self.inlines(children, cx);
        cx.style = saved;
        format!("<{tag}>{inner}</{tag}>")
    }

    fn inline(&mut self, inline: &Inline, cx: &mut Context, out: &mut String) {
        let at = Some((cx.source, inline.span.start));
        match &inline.kind {
            InlineKind::Text { text, lang } => {
                let run_lang = lang.unwrap_or(cx.lang);
                self.use_text(text, run_lang, cx.style, at);
                let plain = text;
                let text = self.page_starts.text(cx.translation, cx.node, text);
                match lang {
                    Some(lang) => {
                        let orientation = (self.vertical && cx.lang.is_chinese())
                            .then(|| crate::text::orientation(plain));
                        let class = match (orientation, cx.spacing) {
                            (Some(Orientation::Combined), _) => r#" class="tcy""#,
                            (Some(Orientation::Upright), _) => r#" class="upright""#,
                            (_, (false, false)) => "",
                            (_, (true, false)) => r#" class="hl""#,
                            (_, (false, true)) => r#" class="hr""#,
                            (_, (true, true)) => r#" class="hl hr""#,
                        };
                        let _ = write!(out, "<span {}{class}>{text}</span>", lang_attrs(*lang),);
                    }
                    None => out.push_str(&text),
                }
            }
            // Resolved by a pass before rendering; a space is the safe reading.
            InlineKind::SoftBreak => {
                out.push_str(&self.page_starts.text(cx.translation, cx.node, " "))
            }
            InlineKind::HardBreak => out.push_str("<br/>"),
            InlineKind::Emphasis(children) => {
                out.push_str(&self.styled("em", children, cx, |s| s.italic = true))
            }
            InlineKind::Strong(children) => {
                out.push_str(&self.styled("strong", children, cx, |s| s.bold = true))
            }
            InlineKind::Strikethrough(children) => {
                out.push_str(&self.styled("del", children, cx, |_| {}))
            }
            InlineKind::Code(text) => {
                let style = TextStyle {
                    mono: true,
                    ..cx.style
                };
                self.use_text(text, cx.lang, style, at);
                let text = self.page_starts.text(cx.translation, cx.node, text);
                let _ = write!(out, "<code>{text}</code>");
            }
            InlineKind::Link {
                url,
                title,
                content,
            } => {
                let inner = self.inlines(content, cx);
                match cx.href(url) {
                    Ok(href) => {
                        let title = if title.is_empty() {
                            String::new()
                        } else {
                            format!(r#" title="{}""#, escape(title))
                        };
                        let _ = write!(out, r#"<a href="{}"{title}>{inner}</a>"#, escape(&href));
                    }
                    Err((problem, hint)) => {
                        self.diagnostics.push(
                            Diagnostic::warning(
                                Some(cx.locator.locate(inline.span.start)),
                                format!(
                                    "the link `{}` {problem}; its text is kept without the link",
                                    crate::text::excerpt(url)
                                ),
                            )
                            .hint(hint),
                        );
                        out.push_str(&inner);
                    }
                }
            }
            InlineKind::Image { url, title, alt } => {
                let alt_text = crate::doc::plain_text(alt);
                self.use_text(&alt_text, cx.lang, cx.style, at);
                match self.images.get(url) {
                    Some(name) => {
                        let title = if title.is_empty() {
                            String::new()
                        } else {
                            format!(r#" title="{}""#, escape(title))
                        };
                        let decorative = alt_text.trim().is_empty()
                            && crate::doc::is_decorative(cx.source.text, &inline.span);
                        if alt_text.trim().is_empty() && !decorative {
                            self.diagnostics
                                .push(missing_alt(cx.source, inline.span.start, url));
                        }
                        let role = if decorative {
                            r#" role="presentation""#
                        } else {
                            ""
                        };
                        let _ = write!(
                            out,
                            r#"<img src="{}" alt="{}"{title}{role}/>"#,
                            escape(name),
                            escape(&alt_text)
                        );
                    }
                    None => out.push_str(&escape(&alt_text)),
                }
            }
            InlineKind::FootnoteReference { number, .. } => {
                let id = if cx.referenced.insert(*number) {
                    format!(r#" id="{}fnref-{number}""#, cx.prefix)
                } else {
                    String::new()
                };
                let _ = write!(
                    out,
                    r##"<a epub:type="noteref" role="doc-noteref" class="noteref"{id} href="#{prefix}fn-{number}">{number}</a>"##,
                    prefix = cx.prefix
                );
            }
        }
    }
}

struct Context<'s> {
    source: &'s Source<'s>,
    /// Where in the source a warning points.
    locator: Locator<'s>,
    /// Before heading and footnote ids, so two documents in one page do not clash.
    prefix: &'static str,
    /// Han–Latin spacing the current inline needs: before it, after it.
    spacing: (bool, bool),
    /// The text node of the current inline, if it is one.
    node: Option<TextNode>,
    /// Writing the translation of a bilingual chapter.
    translation: bool,
    lang: Lang,
    style: TextStyle,
    /// Added to Markdown heading levels so the top level inside a chapter is h2.
    shift: i16,
    /// The level of the last heading written (1: the chapter title), so that
    /// none is more than one level below it.
    last_heading: u8,
    footnotes: Vec<(usize, String)>,
    referenced: BTreeSet<usize>,
    /// The heading ids of the document, unprefixed: what `#fragment` links may name.
    anchors: BTreeSet<String>,
}

impl<'s> Context<'s> {
    fn new(source: &'s Source<'s>, doc: &Document, prefix: &'static str) -> Context<'s> {
        Context {
            source,
            locator: Locator::new(source.path, source.text),
            prefix,
            spacing: (false, false),
            node: None,
            translation: false,
            lang: doc.lang,
            style: TextStyle::default(),
            shift: doc.heading_shift(),
            last_heading: 1,
            footnotes: Vec::new(),
            referenced: BTreeSet::new(),
            anchors: doc.heading_ids().into_iter().map(str::to_owned).collect(),
        }
    }

    /// A link's `href` in this page: the book's form of `url` (see
    /// [`crate::doc::link_href`]), a fragment only if it names a heading of
    /// the document (with the page's id prefix); else what is wrong with it.
    /// (An error is what is wrong, and a hint.)
    fn href(&self, url: &str) -> Result<String, (&'static str, &'static str)> {
        let href = crate::doc::link_href(url).ok_or((
            "cannot be followed in a book",
            "use an absolute http(s) address with a host name, a mailto: address, or a #fragment",
        ))?;
        match href.strip_prefix('#') {
            Some(id) if self.anchors.contains(id) => Ok(format!("#{}{id}", self.prefix)),
            Some(_) => Err((
                "names no heading of this chapter",
                "a #fragment names a heading of the chapter: `#sec-` and the heading's words in lowercase, joined by hyphens",
            )),
            None => Ok(href),
        }
    }
}

fn bold() -> TextStyle {
    TextStyle {
        bold: true,
        ..TextStyle::default()
    }
}

/// Opens a chapter's section: the markers of print pages that start with
/// it, and its title.
fn open_chapter(out: &mut String, markers: &str, title: &str) {
    let _ = writeln!(
        out,
        r#"<section epub:type="chapter" role="doc-chapter" aria-labelledby="chapter-title">{markers}"#
    );
    let _ = writeln!(
        out,
        r#"<h1 id="chapter-title" class="chapter-title">{title}</h1>"#
    );
}

/// The footnotes of the chapter's documents, then the end of the chapter.
fn close_chapter(out: &mut String, contexts: &mut [Context]) {
    let mut notes: Vec<String> = Vec::new();
    for cx in contexts.iter_mut() {
        cx.footnotes.sort_by_key(|(n, _)| *n);
        notes.extend(
            std::mem::take(&mut cx.footnotes)
                .into_iter()
                .map(|(_, note)| note),
        );
    }
    if !notes.is_empty() {
        let _ = writeln!(
            out,
            r#"<section class="footnotes" epub:type="footnotes" role="doc-endnotes">"#
        );
        notes.iter().for_each(|note| out.push_str(note));
        let _ = writeln!(out, "</section>");
    }
    let _ = writeln!(out, "</section>");
}

/// Whether the Latin run at `inlines[i]` in Chinese text meets a Han
/// character before or after it: there it gets a quarter em of space, set by
/// CSS margins (`.hl`, `.hr`) so the text itself has no space to trip a search.
fn han_latin_spacing(inlines: &[Inline], i: usize, base: Lang) -> (bool, bool) {
    let latin_run = matches!(
        &inlines[i].kind,
        InlineKind::Text {
            lang: Some(Lang::En),
            ..
        }
    );
    if !base.is_chinese() || !latin_run {
        return (false, false);
    }
    let han = |c: Option<char>| c.is_some_and(crate::text::is_han);
    (
        han(crate::doc::last_char(&inlines[..i])),
        han(crate::doc::first_char(&inlines[i + 1..])),
    )
}

/// Every image URL in a document, with where it is written.
pub fn image_refs(doc: &Document) -> Vec<ImageRef> {
    fn walk(inlines: &[Inline], out: &mut Vec<ImageRef>) {
        for inline in inlines {
            if let InlineKind::Image { url, .. } = &inline.kind {
                out.push(ImageRef {
                    url: url.clone(),
                    offset: inline.span.start,
                });
            }
            if let Some(children) = inline.children() {
                walk(children, out);
            }
        }
    }
    let mut refs = Vec::new();
    doc.for_each_inlines(&mut |inlines| walk(inlines, &mut refs));
    refs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<b>"x" & y</b>"#),
            "&lt;b&gt;&quot;x&quot; &amp; y&lt;/b&gt;"
        );
    }

    #[test]
    fn only_safe_links() {}
}
