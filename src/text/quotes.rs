//! Curly quotes for English text: `"` and `'` become “ ” ‘ ’ by their
//! neighbours, as a typesetter would set them. Code, URLs and markup stay
//! as they are: code is opaque to the rule, a word holding `://` keeps its
//! marks, and so does a text that shows HTML (`<b class="x">`, raw HTML is
//! shown as text).

use super::normalize::{Edit, Rule, Segment};

/// The edits that curl the straight quotes of one English paragraph.
/// Opaque segments (code, images, footnote marks) read as a letter: a
/// quote after inline code closes.
pub fn curl_quotes(segments: &[Segment]) -> Vec<Edit> {
    let mut edits = Vec::new();
    let mut before: Option<char> = None;
    for (i, segment) in segments.iter().enumerate() {
        let text = match segment {
            Segment::Text(text) => *text,
            Segment::Opaque { latin } => {
                before = Some(if *latin { 'x' } else { ' ' });
                continue;
            }
        };
        let mut chars = text.char_indices().peekable();
        while let Some((at, c)) = chars.next() {
            let after = chars
                .peek()
                .map(|&(_, c)| c)
                .or_else(|| next_char(&segments[i + 1..]));
            if matches!(c, '"' | '\'') && !in_url(text, at) && !shows_markup(text) {
                let curled = curl(c, before, after);
                edits.push(Edit {
                    segment: i,
                    range: at..at + c.len_utf8(),
                    replacement: curled.to_string(),
                    rule: Rule::Quotes,
                });
            }
            before = Some(c);
        }
    }
    edits
}

/// The curly form of the straight quote `c` between `before` and `after`.
fn curl(c: char, before: Option<char>, after: Option<char>) -> char {
    // A quote opens at the start, after a space, an opening bracket or
    // quote, or a dash; otherwise it closes (or is an apostrophe).
    let opens = before.is_none_or(|b| b.is_whitespace() || "([{“‘—–-/".contains(b));
    match c {
        '"' if opens => '“',
        '"' => '”',
        // 'tis, '90s, rock 'n' roll: an apostrophe before a digit or after a space
        // and before a letter that ends the word is too rare to guess; a quote
        // that opens before a digit is an elision.
        '\'' if opens && !after.is_some_and(|a| a.is_ascii_digit()) => '‘',
        _ => '’',
    }
}

/// The first character of the text segments that follow, if any text does
/// before an opaque one.
fn next_char(segments: &[Segment]) -> Option<char> {
    match segments.first()? {
        Segment::Text(text) => text.chars().next().or_else(|| next_char(&segments[1..])),
        Segment::Opaque { .. } => Some('x'),
    }
}

/// Whether byte `at` of `text` is inside a word that holds `://` (a URL
/// written out in the text).
fn in_url(text: &str, at: usize) -> bool {
    let start = text[..at].rfind(char::is_whitespace).map_or(0, |i| i + 1);
    let end = text[at..]
        .find(char::is_whitespace)
        .map_or(text.len(), |i| at + i);
    text[start..end].contains("://")
}

/// Whether `text` shows an HTML tag: a `<` before a letter or `/`, closed
/// by a later `>`.
fn shows_markup(text: &str) -> bool {
    text.match_indices('<').any(|(at, _)| {
        let rest = &text[at + 1..];
        rest.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/') && rest.contains('>')
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::normalize::apply;

    fn curled(text: &str) -> String {
        let segments = [Segment::Text(text)];
        apply(&[text], &curl_quotes(&segments)).remove(0)
    }

    #[test]
    fn quotes_open_and_close_by_their_neighbours() {
        assert_eq!(
            curled(r#"He said "experts," and you're right ("yes")."#),
            "He said “experts,” and you’re right (“yes”)."
        );
        assert_eq!(
            curled("'Single' quotes, the '90s and rock's"),
            "‘Single’ quotes, the ’90s and rock’s"
        );
        assert_eq!(curled("\"Quoted\"—and then"), "“Quoted”—and then");
    }

    #[test]
    fn code_and_urls_keep_their_marks() {
        let segments = [
            Segment::Text("Run "),
            Segment::Opaque { latin: true },
            Segment::Text("'s output"),
        ];
        assert_eq!(
            apply(&["Run ", "", "'s output"], &curl_quotes(&segments))[2],
            "’s output"
        );
        assert_eq!(
            curled("see https://example.com/?q=\"x\" now"),
            "see https://example.com/?q=\"x\" now"
        );
    }
}
