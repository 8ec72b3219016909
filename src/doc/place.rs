//! Places in a chapter's text that both renderers can find: where the
//! typesetter starts each printed page, for the EPUB's print page markers.

use super::{Inline, InlineKind, Span};

/// One text node of a document (a `Text` or `Code` inline, or a code
/// block), named the same way by every renderer that walks it: its span, and
/// how many siblings right before it share that span (a text split into
/// language runs keeps the whole span when its source had escapes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextNode {
    pub start: usize,
    pub end: usize,
    pub repeat: u32,
}

impl TextNode {
    /// The node `inlines[i]`, if it holds text.
    pub fn of(inlines: &[Inline], i: usize) -> Option<TextNode> {
        let holds_text = |inline: &Inline| {
            matches!(
                inline.kind,
                InlineKind::Text { .. } | InlineKind::Code(_) | InlineKind::SoftBreak
            )
        };
        let inline = inlines.get(i).filter(|inline| holds_text(inline))?;
        let repeat = inlines[..i]
            .iter()
            .rev()
            .take_while(|before| holds_text(before) && before.span == inline.span)
            .count();
        Some(TextNode::spanning(&inline.span, repeat as u32))
    }

    /// The node of a code block's text.
    pub fn of_block(span: &Span) -> TextNode {
        TextNode::spanning(span, 0)
    }

    fn spanning(span: &Span, repeat: u32) -> TextNode {
        TextNode {
            start: span.start,
            end: span.end,
            repeat,
        }
    }
}

/// A byte of a text node of one of a chapter's documents: its own, or (in a
/// bilingual chapter) its translation's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TextAt {
    pub translation: bool,
    pub node: TextNode,
    pub byte: usize,
}

/// Where a printed page starts in the book's text: in chapter `chapter`, at
/// its title (`at` is `None`) or at a byte of its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PageStart {
    pub chapter: usize,
    pub at: Option<TextAt>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_that_share_a_span_are_told_apart_by_their_order() {
        let text = |s: &str, span: Span| Inline::text(s, span);
        let inlines = vec![
            text("a", 0..4),
            text("b", 4..9),
            text("c", 4..9),
            Inline {
                kind: InlineKind::HardBreak,
                span: 9..10,
            },
            text("d", 4..9),
        ];
        let nodes: Vec<_> = (0..inlines.len())
            .map(|i| TextNode::of(&inlines, i).map(|n| (n.start, n.repeat)))
            .collect();
        assert_eq!(
            nodes,
            [Some((0, 0)), Some((4, 0)), Some((4, 1)), None, Some((4, 0))]
        );
    }
}
