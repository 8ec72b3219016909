//! A plain-text dump of the document model, one node a line, for golden tests.

use std::fmt::Write;

use super::{Block, BlockKind, Document, Inline, InlineKind};

/// Dumps `doc` as an indented tree; each line ends with the node's byte range.
pub fn dump(doc: &Document) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "document lang={}", doc.lang);
    for block in &doc.blocks {
        dump_block(block, 1, &mut out);
    }
    out
}

fn line(out: &mut String, depth: usize, text: &str, span: &std::ops::Range<usize>) {
    let _ = writeln!(
        out,
        "{}{text} @{}..{}",
        "  ".repeat(depth),
        span.start,
        span.end
    );
}

fn dump_block(block: &Block, depth: usize, out: &mut String) {
    let span = &block.span;
    match &block.kind {
        BlockKind::Heading { level, id, content } => {
            line(out, depth, &format!("heading {level} #{id}"), span);
            dump_inlines(content, depth + 1, out);
        }
        BlockKind::Paragraph(content) => {
            line(out, depth, "paragraph", span);
            dump_inlines(content, depth + 1, out);
        }
        BlockKind::List { start, items } => {
            let kind = match start {
                Some(n) => format!("list ordered start={n}"),
                None => "list bullet".to_string(),
            };
            line(out, depth, &kind, span);
            for item in items {
                let _ = writeln!(out, "{}item", "  ".repeat(depth + 1));
                for block in item {
                    dump_block(block, depth + 2, out);
                }
            }
        }
        BlockKind::BlockQuote(blocks) => {
            line(out, depth, "quote", span);
            for block in blocks {
                dump_block(block, depth + 1, out);
            }
        }
        BlockKind::CodeBlock { info, text } => {
            line(out, depth, &format!("code-block {info:?} {text:?}"), span);
        }
        BlockKind::Table {
            alignments,
            header,
            rows,
        } => {
            line(out, depth, &format!("table {alignments:?}"), span);
            for (name, row) in
                std::iter::once(("header", header)).chain(rows.iter().map(|r| ("row", r)))
            {
                let _ = writeln!(out, "{}{name}", "  ".repeat(depth + 1));
                for cell in row {
                    let _ = writeln!(out, "{}cell", "  ".repeat(depth + 2));
                    dump_inlines(cell, depth + 3, out);
                }
            }
        }
        BlockKind::FootnoteDefinition {
            label,
            number,
            blocks,
        } => {
            line(out, depth, &format!("footnote {number} [{label}]"), span);
            for block in blocks {
                dump_block(block, depth + 1, out);
            }
        }
        BlockKind::ThematicBreak => line(out, depth, "thematic-break", span),
    }
}

fn dump_inlines(inlines: &[Inline], depth: usize, out: &mut String) {
    for inline in inlines {
        let span = &inline.span;
        let label = match &inline.kind {
            InlineKind::Text { text, lang: None } => format!("text {text:?}"),
            InlineKind::Text {
                text,
                lang: Some(lang),
            } => format!("text[{lang}] {text:?}"),
            InlineKind::SoftBreak => "soft-break".to_string(),
            InlineKind::HardBreak => "hard-break".to_string(),
            InlineKind::Emphasis(_) => "emphasis".to_string(),
            InlineKind::Strong(_) => "strong".to_string(),
            InlineKind::Strikethrough(_) => "strikethrough".to_string(),
            InlineKind::Code(text) => format!("code {text:?}"),
            InlineKind::Link { url, title, .. } => format!("link {url:?} {title:?}"),
            InlineKind::Image { url, title, .. } => format!("image {url:?} {title:?}"),
            InlineKind::FootnoteReference { label, number } => {
                format!("footnote-ref {number} [{label}]")
            }
        };
        line(out, depth, &label, span);
        if let Some(children) = inline.children() {
            dump_inlines(children, depth + 1, out);
        }
    }
}
