//! Markdown (CommonMark + tables, footnotes, strikethrough) → the document model.
//!
//! Parsing cannot fail: anything pulldown-cmark reads becomes a node. Raw HTML
//! becomes plain text, so it is shown, never obeyed. Nesting is bounded
//! ([`MAX_DEPTH`]): deeper containers are kept as plain text.

use std::collections::HashMap;
use std::iter::Peekable;
use std::ops::Range;
use std::path::Path;

use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::{Alignment, Block, BlockKind, Document, Inline, InlineKind};
use crate::book::Lang;

/// How deep block containers (quotes, list items, footnotes) and inline
/// containers (emphasis, links, images) may nest. A container deeper than
/// this becomes its plain text, and its place is recorded in
/// [`Document::too_deep`]: the passes and renderers recurse once per level,
/// and a thousand nested `>` must not overflow the stack.
pub const MAX_DEPTH: usize = 32;

/// Parses `body`, which starts at byte `offset` of the file `source`.
pub fn parse(source: &Path, body: &str, offset: usize, lang: Lang) -> Document {
    // No smart punctuation: the sources keep their own quotes and dashes.
    let options =
        Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    let events = Parser::new_ext(body, options)
        .into_offset_iter()
        .map(|(event, range)| (event, range.start + offset..range.end + offset));
    let mut builder = Builder {
        events: events.peekable(),
        footnotes: HashMap::new(),
        defined_notes: HashMap::new(),
        repeated_notes: Vec::new(),
        heading_ids: HashMap::new(),
        depth: 0,
        inline_depth: 0,
        too_deep: Vec::new(),
    };
    let blocks = builder.blocks(None);
    Document {
        source: source.to_path_buf(),
        lang,
        blocks,
        too_deep: builder.too_deep,
        repeated_notes: builder.repeated_notes,
    }
}

struct Builder<'a, I: Iterator<Item = (Event<'a>, Range<usize>)>> {
    events: Peekable<I>,
    /// Footnote label → number, in order of first reference.
    footnotes: HashMap<String, usize>,
    /// Footnote label → where it was first defined.
    defined_notes: HashMap<String, usize>,
    /// Definitions of a label defined before: see [`Document::repeated_notes`].
    repeated_notes: Vec<(String, usize, usize)>,
    heading_ids: HashMap<String, usize>,
    /// Nested `blocks` calls, and nested `inlines` calls, under way.
    depth: usize,
    inline_depth: usize,
    /// Where containers nested past `MAX_DEPTH` were flattened.
    too_deep: Vec<usize>,
}

impl<'a, I: Iterator<Item = (Event<'a>, Range<usize>)>> Builder<'a, I> {
    /// Blocks until the end tag `until` (consumed), or the end of input.
    fn blocks(&mut self, until: Option<TagEnd>) -> Vec<Block> {
        self.depth += 1;
        let mut blocks = Vec::new();
        while let Some((event, span)) = self.events.peek().cloned() {
            match event {
                Event::End(end) if Some(end) == until => {
                    self.events.next();
                    break;
                }
                Event::Start(tag) if is_block(&tag) => {
                    self.events.next();
                    if self.depth >= MAX_DEPTH && is_container(&tag) {
                        blocks.push(self.flatten(tag, span));
                    } else {
                        blocks.push(self.block(tag, span));
                    }
                }
                Event::Rule => {
                    self.events.next();
                    blocks.push(Block {
                        kind: BlockKind::ThematicBreak,
                        span,
                    });
                }
                Event::End(_) => {
                    // An end we did not open here; skip it rather than loop.
                    self.events.next();
                }
                _ => {
                    // Inline content outside a paragraph (a tight list item, an HTML block).
                    let content = self.loose_inlines();
                    let span = content.first().map_or(span.clone(), |f| {
                        f.span.start..content.last().unwrap().span.end
                    });
                    blocks.push(Block {
                        kind: BlockKind::Paragraph(content),
                        span,
                    });
                }
            }
        }
        self.depth -= 1;
        blocks
    }

    /// A container nested too deep: its text, as one paragraph.
    fn flatten(&mut self, tag: Tag<'a>, span: Range<usize>) -> Block {
        self.too_deep.push(span.start);
        let text = self.plain(tag.to_end());
        Block {
            kind: BlockKind::Paragraph(vec![Inline::text(text.trim_end(), span.clone())]),
            span,
        }
    }

    fn block(&mut self, tag: Tag<'a>, span: Range<usize>) -> Block {
        let kind = match tag {
            Tag::Paragraph => BlockKind::Paragraph(self.inlines(TagEnd::Paragraph)),
            Tag::Heading { level, .. } => {
                let content = self.inlines(TagEnd::Heading(level));
                let id = self.heading_id(&content);
                BlockKind::Heading {
                    level: heading_level(level),
                    id,
                    content,
                }
            }
            Tag::BlockQuote(_) => {
                BlockKind::BlockQuote(self.blocks(Some(TagEnd::BlockQuote(None))))
            }
            Tag::CodeBlock(kind) => {
                let info = match kind {
                    pulldown_cmark::CodeBlockKind::Fenced(info) => info.to_string(),
                    pulldown_cmark::CodeBlockKind::Indented => String::new(),
                };
                BlockKind::CodeBlock {
                    info,
                    text: self.plain(TagEnd::CodeBlock),
                }
            }
            Tag::HtmlBlock => {
                let text = self.plain(TagEnd::HtmlBlock);
                BlockKind::Paragraph(vec![Inline::text(text.trim_end(), span.clone())])
            }
            Tag::List(start) => {
                let mut items = Vec::new();
                while let Some((event, _)) = self.events.next() {
                    match event {
                        Event::Start(Tag::Item) => items.push(self.blocks(Some(TagEnd::Item))),
                        Event::End(TagEnd::List(_)) => break,
                        _ => {}
                    }
                }
                BlockKind::List { start, items }
            }
            Tag::Table(alignments) => self.table(alignments),
            Tag::FootnoteDefinition(label) => {
                let number = self.definition_number(&label, span.start);
                BlockKind::FootnoteDefinition {
                    label: label.to_string(),
                    number,
                    blocks: self.blocks(Some(TagEnd::FootnoteDefinition)),
                }
            }
            other => {
                // Block tags this builder does not model (math, definition lists, metadata):
                // keep their text.
                let end = other.to_end();
                BlockKind::Paragraph(vec![Inline::text(self.plain(end), span.clone())])
            }
        };
        Block { kind, span }
    }

    fn table(&mut self, alignments: Vec<pulldown_cmark::Alignment>) -> BlockKind {
        let alignments = alignments
            .into_iter()
            .map(|a| match a {
                pulldown_cmark::Alignment::None => Alignment::None,
                pulldown_cmark::Alignment::Left => Alignment::Left,
                pulldown_cmark::Alignment::Center => Alignment::Center,
                pulldown_cmark::Alignment::Right => Alignment::Right,
            })
            .collect();
        let mut header = Vec::new();
        let mut rows: Vec<Vec<Vec<Inline>>> = Vec::new();
        let mut in_head = false;
        while let Some((event, _)) = self.events.next() {
            match event {
                Event::Start(Tag::TableHead) => in_head = true,
                Event::End(TagEnd::TableHead) => in_head = false,
                Event::Start(Tag::TableRow) => rows.push(Vec::new()),
                Event::Start(Tag::TableCell) => {
                    let cell = self.inlines(TagEnd::TableCell);
                    match rows.last_mut() {
                        Some(row) if !in_head => row.push(cell),
                        _ => header.push(cell),
                    }
                }
                Event::End(TagEnd::Table) => break,
                _ => {}
            }
        }
        BlockKind::Table {
            alignments,
            header,
            rows,
        }
    }

    /// Inlines until the end tag `until` (consumed).
    fn inlines(&mut self, until: TagEnd) -> Vec<Inline> {
        self.inline_depth += 1;
        let mut content = Vec::new();
        while let Some((event, span)) = self.events.next() {
            match event {
                Event::End(end) if end == until => break,
                event => self.inline(event, span, &mut content),
            }
        }
        self.inline_depth -= 1;
        content
    }

    /// Inlines up to the next block-level event (not consumed).
    fn loose_inlines(&mut self) -> Vec<Inline> {
        let mut content = Vec::new();
        while let Some((event, _)) = self.events.peek() {
            let block_level = match event {
                Event::Start(tag) => is_block(tag),
                Event::End(_) | Event::Rule => true,
                _ => false,
            };
            if block_level {
                break;
            }
            let (event, span) = self.events.next().unwrap();
            self.inline(event, span, &mut content);
        }
        content
    }

    fn inline(&mut self, event: Event<'a>, span: Range<usize>, out: &mut Vec<Inline>) {
        let kind = match event {
            Event::Text(text) | Event::Html(text) | Event::InlineHtml(text) => {
                push_text(out, &text, span);
                return;
            }
            Event::InlineMath(text) | Event::DisplayMath(text) => {
                InlineKind::Code(text.to_string())
            }
            Event::Code(text) => InlineKind::Code(text.to_string()),
            Event::SoftBreak => InlineKind::SoftBreak,
            Event::HardBreak => InlineKind::HardBreak,
            Event::FootnoteReference(label) => InlineKind::FootnoteReference {
                number: self.footnote_number(&label),
                label: label.to_string(),
            },
            Event::TaskListMarker(done) => {
                push_text(out, if done { "☑ " } else { "☐ " }, span);
                return;
            }
            Event::Rule => return,
            Event::Start(tag) if self.inline_depth >= MAX_DEPTH => {
                // Nested too deep: the text without its markup.
                self.too_deep.push(span.start);
                let text = self.plain(tag.to_end());
                push_text(out, &text, span);
                return;
            }
            Event::Start(tag) => match tag {
                Tag::Emphasis => InlineKind::Emphasis(self.inlines(TagEnd::Emphasis)),
                Tag::Strong => InlineKind::Strong(self.inlines(TagEnd::Strong)),
                Tag::Strikethrough => {
                    InlineKind::Strikethrough(self.inlines(TagEnd::Strikethrough))
                }
                Tag::Link {
                    dest_url, title, ..
                } => InlineKind::Link {
                    url: dest_url.to_string(),
                    title: title.to_string(),
                    content: self.inlines(TagEnd::Link),
                },
                Tag::Image {
                    dest_url, title, ..
                } => InlineKind::Image {
                    url: dest_url.to_string(),
                    title: title.to_string(),
                    alt: self.inlines(TagEnd::Image),
                },
                other => {
                    // Superscript, subscript and other inline tags: keep the content.
                    out.extend(self.inlines(other.to_end()));
                    return;
                }
            },
            Event::End(_) => return,
        };
        out.push(Inline { kind, span });
    }

    /// The text of everything up to `until`, markup dropped; nested blocks
    /// start and end with a line break.
    fn plain(&mut self, until: TagEnd) -> String {
        let mut text = String::new();
        let mut depth = 0usize;
        for (event, _) in self.events.by_ref() {
            match event {
                Event::End(end) if end == until && depth == 0 => break,
                Event::Start(tag) => {
                    depth += 1;
                    if is_block_end(tag.to_end()) {
                        end_line(&mut text);
                    }
                }
                Event::End(end) => {
                    depth = depth.saturating_sub(1);
                    if is_block_end(end) {
                        end_line(&mut text);
                    }
                }
                Event::Text(t)
                | Event::Code(t)
                | Event::Html(t)
                | Event::InlineHtml(t)
                | Event::InlineMath(t)
                | Event::DisplayMath(t) => text.push_str(&t),
                Event::SoftBreak | Event::HardBreak => text.push('\n'),
                _ => {}
            }
        }
        text
    }

    fn footnote_number(&mut self, label: &str) -> usize {
        let next = self.footnotes.len() + 1;
        *self.footnotes.entry(label.to_string()).or_insert(next)
    }

    /// A definition's note number: the label's, or, when the label was
    /// defined before, a number of its own (a note nothing refers to), so
    /// that neither text is lost.
    fn definition_number(&mut self, label: &str, at: usize) -> usize {
        match self.defined_notes.get(label) {
            None => {
                self.defined_notes.insert(label.to_string(), at);
                self.footnote_number(label)
            }
            Some(&first) => {
                self.repeated_notes.push((label.to_string(), at, first));
                let number = self.footnotes.len() + 1;
                // A key no label can be: labels have no control characters.
                self.footnotes.insert(format!("\u{0}{number}"), number);
                number
            }
        }
    }

    fn heading_id(&mut self, content: &[Inline]) -> String {
        let slug = slug(&super::plain_text(content));
        let count = self.heading_ids.entry(slug.clone()).or_insert(0);
        *count += 1;
        if *count == 1 {
            format!("sec-{slug}")
        } else {
            format!("sec-{slug}-{count}")
        }
    }
}

/// Appends text, merging with a text node just before it (pulldown-cmark splits
/// text at escapes and entities).
fn push_text(out: &mut Vec<Inline>, text: &str, span: Range<usize>) {
    if let Some(Inline {
        kind: InlineKind::Text { text: last, .. },
        span: last_span,
    }) = out.last_mut()
    {
        if last_span.end == span.start {
            last.push_str(text);
            last_span.end = span.end;
            return;
        }
    }
    out.push(Inline::text(text, span));
}

fn is_block(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Item
            | Tag::FootnoteDefinition(_)
            | Tag::Table(_)
            | Tag::TableHead
            | Tag::TableRow
            | Tag::TableCell
            | Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_)
    )
}

/// Blocks that hold blocks.
fn is_container(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::BlockQuote(_) | Tag::List(_) | Tag::Item | Tag::FootnoteDefinition(_)
    )
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// A heading's text as an XML-name-safe slug: letters (Han included) and digits
/// kept, everything else folded into single hyphens.
pub(crate) fn slug(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.is_empty() && !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "section".to_string()
    } else {
        slug.to_string()
    }
}

/// Whether a plain-text block ends at `end` (a line break in [`Builder::plain`]).
fn is_block_end(end: TagEnd) -> bool {
    matches!(
        end,
        TagEnd::Paragraph
            | TagEnd::Heading(_)
            | TagEnd::Item
            | TagEnd::TableRow
            | TagEnd::CodeBlock
            | TagEnd::HtmlBlock
    )
}

/// Ends the line of `text` unless it is empty or already ended.
fn end_line(text: &mut String) {
    if !text.is_empty() && !text.ends_with('\n') {
        text.push('\n');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        assert_eq!(slug("How Does MoE Work?"), "how-does-moe-work");
        assert_eq!(slug("什麼是專家混合技術(MoE)?"), "什麼是專家混合技術-moe");
        assert_eq!(slug("?!"), "section");
    }
}
