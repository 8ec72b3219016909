//! Passes over the document model, run in order after parsing:
//! soft breaks → script conversion (when an edition needs it) → Chinese
//! normalisation → language runs.

use super::{Document, Inline, InlineKind};
use crate::book::Lang;
use crate::text::normalize::{self, Rule, Rules, Segment};
use crate::text::{self, convert_script, Conversion, PhraseChange, Phrases};

/// Turns each soft line break into a space, or into nothing where it falls
/// between Chinese characters (a line break in Chinese source is not a space).
pub fn resolve_soft_breaks(doc: &mut Document) {
    doc.for_each_inlines_mut(&mut resolve_in);
}

fn resolve_in(inlines: &mut Vec<Inline>) {
    for inline in inlines.iter_mut() {
        if let Some(children) = inline.children_mut() {
            resolve_in(children);
        }
    }
    let mut i = 0;
    while i < inlines.len() {
        if inlines[i].kind != InlineKind::SoftBreak {
            i += 1;
            continue;
        }
        let before = last_char(&inlines[..i]);
        let after = first_char(&inlines[i + 1..]);
        let vanishes =
            matches!((before, after), (Some(b), Some(a)) if text::soft_break_vanishes(b, a));
        let span = inlines[i].span.clone();
        inlines.remove(i);
        if !vanishes {
            inlines.insert(i, Inline::text(" ", span));
        }
    }
    merge_text(inlines);
}

/// Merges neighbouring text nodes of the same language.
fn merge_text(inlines: &mut Vec<Inline>) {
    let mut merged: Vec<Inline> = Vec::with_capacity(inlines.len());
    for inline in inlines.drain(..) {
        if let (
            Some(Inline {
                kind:
                    InlineKind::Text {
                        text: last,
                        lang: last_lang,
                    },
                span: last_span,
            }),
            InlineKind::Text { text, lang },
        ) = (merged.last_mut(), &inline.kind)
        {
            if last_lang == lang {
                last.push_str(text);
                last_span.end = last_span.end.max(inline.span.end);
                continue;
            }
        }
        merged.push(inline);
    }
    *inlines = merged;
}

/// The last character of the text of `inlines`.
pub fn last_char(inlines: &[Inline]) -> Option<char> {
    inlines.iter().rev().find_map(|inline| match &inline.kind {
        InlineKind::Text { text, .. } | InlineKind::Code(text) => text.chars().next_back(),
        _ => inline.children().and_then(|c| last_char(c)),
    })
}

/// The first character of the text of `inlines`.
pub fn first_char(inlines: &[Inline]) -> Option<char> {
    inlines.iter().find_map(|inline| match &inline.kind {
        InlineKind::Text { text, .. } | InlineKind::Code(text) => text.chars().next(),
        _ => inline.children().and_then(|c| first_char(c)),
    })
}

/// Converts the text (not code) of a Chinese document to the other script,
/// with the library's phrase table if it has one; returns the phrases
/// converted as a whole, placed in the source.
pub fn convert_text(
    doc: &mut Document,
    conversion: Conversion,
    library: Option<&Phrases>,
    to: Lang,
) -> Vec<PhraseChange> {
    doc.lang = to;
    let mut changes = Vec::new();
    doc.for_each_inlines_mut(&mut |inlines| convert_in(inlines, conversion, library, &mut changes));
    changes
}

fn convert_in(
    inlines: &mut [Inline],
    conversion: Conversion,
    library: Option<&Phrases>,
    changes: &mut Vec<PhraseChange>,
) {
    for inline in inlines {
        match &mut inline.kind {
            InlineKind::Text { text, .. } => {
                let (converted, found) = convert_script(text, conversion, library);
                // Offsets inside the node are the source's only when the
                // text is the source verbatim (no escapes).
                let exact = inline.span.len() == text.len();
                changes.extend(found.into_iter().map(|c| PhraseChange {
                    offset: inline.span.start + if exact { c.offset } else { 0 },
                    ..c
                }));
                *text = converted;
            }
            _ => {
                if let Some(children) = inline.children_mut() {
                    convert_in(children, conversion, library, changes);
                }
            }
        }
    }
}

/// One change the normalisation made: where, what, and by which rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Byte offset in the source file.
    pub offset: usize,
    /// Whether `offset` and `before` are exactly the source's (no escapes in the node).
    pub exact: bool,
    pub before: String,
    pub after: String,
    pub rule: Rule,
}

/// Normalises a document's text by `rules`: the punctuation, quotes and
/// Han–Latin spacing of a Chinese document (see `text::normalize`), the
/// quotes of an English one (see `text::quotes`); code, URLs and footnote
/// marks stay.
pub fn normalize_text(doc: &mut Document, rules: &Rules) -> Vec<Change> {
    let mut changes = Vec::new();
    if doc.lang.is_chinese() {
        let edits = |segments: &[Segment]| normalize::normalize(segments, rules);
        doc.for_each_inlines_mut(&mut |inlines| normalize_in(inlines, &edits, &mut changes));
    } else if rules.quotes.is_some() {
        let edits = |segments: &[Segment]| text::quotes::curl_quotes(segments);
        doc.for_each_inlines_mut(&mut |inlines| normalize_in(inlines, &edits, &mut changes));
    }
    changes
}

/// A paragraph's pieces as the normaliser sees them, in order.
enum Piece {
    Text {
        text: String,
        span: std::ops::Range<usize>,
    },
    Opaque {
        latin: bool,
    },
}

fn collect(inlines: &[Inline], out: &mut Vec<Piece>) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Text { text, .. } => out.push(Piece::Text {
                text: text.clone(),
                span: inline.span.clone(),
            }),
            InlineKind::Code(_) => out.push(Piece::Opaque { latin: true }),
            InlineKind::SoftBreak
            | InlineKind::HardBreak
            | InlineKind::FootnoteReference { .. } => out.push(Piece::Opaque { latin: false }),
            InlineKind::Image { .. } => out.push(Piece::Opaque { latin: false }),
            _ => {
                if let Some(children) = inline.children() {
                    collect(children, out);
                }
            }
        }
    }
}

/// Writes new texts back into the text nodes, in the order `collect` found them.
fn write_back(inlines: &mut [Inline], texts: &mut std::vec::IntoIter<Option<String>>) {
    for inline in inlines {
        match &mut inline.kind {
            InlineKind::Text { text, .. } => {
                if let Some(Some(new)) = texts.next() {
                    *text = new;
                }
            }
            InlineKind::Code(_)
            | InlineKind::SoftBreak
            | InlineKind::HardBreak
            | InlineKind::FootnoteReference { .. }
            | InlineKind::Image { .. } => {
                texts.next();
            }
            _ => {
                if let Some(children) = inline.children_mut() {
                    write_back(children, texts);
                }
            }
        }
    }
}

/// Applies the edits `edits_of` finds in a block's text, recording each.
fn normalize_in(
    inlines: &mut [Inline],
    edits_of: &dyn Fn(&[Segment]) -> Vec<normalize::Edit>,
    changes: &mut Vec<Change>,
) {
    let mut pieces = Vec::new();
    collect(inlines, &mut pieces);
    let segments: Vec<Segment> = pieces
        .iter()
        .map(|p| match p {
            Piece::Text { text, .. } => Segment::Text(text),
            Piece::Opaque { latin } => Segment::Opaque { latin: *latin },
        })
        .collect();
    let edits = edits_of(&segments);
    if edits.is_empty() {
        return;
    }
    let texts: Vec<&str> = pieces
        .iter()
        .map(|p| match p {
            Piece::Text { text, .. } => text.as_str(),
            Piece::Opaque { .. } => "",
        })
        .collect();
    for edit in &edits {
        if let Piece::Text { text, span } = &pieces[edit.segment] {
            let exact = span.len() == text.len();
            changes.push(Change {
                offset: span.start + if exact { edit.range.start } else { 0 },
                exact,
                before: text[edit.range.clone()].to_string(),
                after: edit.replacement.clone(),
                rule: edit.rule,
            });
        }
    }
    let applied = normalize::apply(&texts, &edits);
    let new: Vec<Option<String>> = pieces
        .iter()
        .zip(applied)
        .map(|(p, new)| matches!(p, Piece::Text { .. }).then_some(new))
        .collect();
    write_back(inlines, &mut new.into_iter());
}

/// Marks foreign-language runs: Latin words inside Chinese text become `en`,
/// Han runs inside English text become `han_lang`.
pub fn mark_language_runs(doc: &mut Document, han_lang: Lang) {
    let foreign = if doc.lang.is_chinese() {
        Lang::En
    } else {
        han_lang
    };
    let chinese_base = doc.lang.is_chinese();
    doc.for_each_inlines_mut(&mut |inlines| mark_in(inlines, chinese_base, foreign));
}

fn mark_in(inlines: &mut Vec<Inline>, chinese_base: bool, foreign: Lang) {
    let mut out = Vec::with_capacity(inlines.len());
    for mut inline in inlines.drain(..) {
        match &inline.kind {
            InlineKind::Text { text, lang: None } => {
                let runs = if chinese_base {
                    latin_runs(text)
                } else {
                    han_runs(text)
                };
                split_runs(&inline, text, &runs, foreign, &mut out);
            }
            _ => {
                if let Some(children) = inline.children_mut() {
                    mark_in(children, chinese_base, foreign);
                }
                out.push(inline);
            }
        }
    }
    *inlines = out;
}

fn split_runs(
    inline: &Inline,
    text: &str,
    runs: &[(usize, usize)],
    foreign: Lang,
    out: &mut Vec<Inline>,
) {
    // Sub-spans are exact only when the text is the source verbatim (no escapes).
    let exact = inline.span.len() == text.len();
    let span_of = |start: usize, end: usize| {
        if exact {
            inline.span.start + start..inline.span.start + end
        } else {
            inline.span.clone()
        }
    };
    let mut at = 0;
    for &(start, end) in runs {
        if start > at {
            out.push(Inline::text(&text[at..start], span_of(at, start)));
        }
        out.push(Inline {
            kind: InlineKind::Text {
                text: text[start..end].to_string(),
                lang: Some(foreign),
            },
            span: span_of(start, end),
        });
        at = end;
    }
    if at < text.len() || runs.is_empty() {
        out.push(Inline::text(&text[at..], span_of(at, text.len())));
    }
}

/// Byte ranges of Latin runs: each stretch of text between Chinese
/// characters that holds a Latin letter, trimmed to start at a letter, digit
/// or opening bracket and end at a letter, digit or closing bracket, with
/// unmatched brackets left outside.
fn latin_runs(text: &str) -> Vec<(usize, usize)> {
    let non_cjk =
        |c: char| !text::is_wide(c) && (!text::is_ambiguous_punctuation(c) || c == '\u{2019}');
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), '\u{3000}')))
    {
        match (non_cjk(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                start = None;
                if let Some(run) = trim_run(text, s, i) {
                    runs.push(run);
                }
            }
            _ => {}
        }
    }
    runs
}

fn trim_run(text: &str, mut start: usize, mut end: usize) -> Option<(usize, usize)> {
    const OPEN: &str = "([{";
    const CLOSE: &str = ")]}";
    loop {
        let run = &text[start..end];
        let first = run.chars().next()?;
        let last = run.chars().next_back()?;
        let unmatched_open = OPEN.contains(first) && count_open(run) > count_close(run);
        let unmatched_close = CLOSE.contains(last) && count_close(run) > count_open(run);
        if !(first.is_alphanumeric() || OPEN.contains(first)) || unmatched_open {
            start += first.len_utf8();
        } else if !(last.is_alphanumeric() || CLOSE.contains(last)) || unmatched_close {
            end -= last.len_utf8();
        } else {
            break;
        }
    }
    // Numbers count too: they take the Latin face and Han–Latin spacing.
    let run = &text[start..end];
    let counts = run
        .chars()
        .any(|c| text::is_latin_letter(c) || c.is_ascii_digit());
    counts.then_some((start, end))
}

fn count_open(run: &str) -> usize {
    run.chars().filter(|c| "([{".contains(*c)).count()
}

fn count_close(run: &str) -> usize {
    run.chars().filter(|c| ")]}".contains(*c)).count()
}

/// Byte ranges of Han runs: Han characters and the CJK punctuation between and around them.
fn han_runs(text: &str) -> Vec<(usize, usize)> {
    runs(text, text::is_wide, text::is_wide, text::is_wide)
}

/// Maximal runs that start at a `starts` char, continue over `continues`
/// chars, and are cut back to end at an `ends` char.
fn runs(
    text: &str,
    starts: impl Fn(char) -> bool,
    continues: impl Fn(char) -> bool,
    ends: impl Fn(char) -> bool,
) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if !starts(c) {
            continue;
        }
        let mut end = start + c.len_utf8();
        while let Some(&(i, c)) = chars.peek() {
            if !continues(c) {
                break;
            }
            chars.next();
            if ends(c) {
                end = i + c.len_utf8();
            }
        }
        runs.push((start, end));
    }
    runs
}

/// The text of inlines, markup dropped.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut out = String::new();
    push_plain(inlines, &mut out);
    out
}

fn push_plain(inlines: &[Inline], out: &mut String) {
    for inline in inlines {
        match &inline.kind {
            InlineKind::Text { text, .. } | InlineKind::Code(text) => out.push_str(text),
            InlineKind::SoftBreak | InlineKind::HardBreak => out.push(' '),
            InlineKind::FootnoteReference { .. } => {}
            _ => {
                if let Some(children) = inline.children() {
                    push_plain(children, out);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str, chinese: bool) -> Vec<String> {
        let runs = if chinese { latin_runs(s) } else { han_runs(s) };
        runs.iter().map(|&(a, b)| s[a..b].to_string()).collect()
    }

    #[test]
    fn latin_runs_in_chinese() {
        assert_eq!(
            texts(
                "混合專家(Mixture-of-Experts, MoE)架構:DeepSeek-V3 擁有 6,710 億",
                true
            ),
            ["(Mixture-of-Experts, MoE)", "DeepSeek-V3", "6,710"]
        );
        assert_eq!(texts("採用HAI-LLM 框架", true), ["HAI-LLM"]);
        assert_eq!(texts("OpenAI’s model", true), ["OpenAI’s model"]);
        assert_eq!(
            texts("矩陣為 10,000 x 10,000 大小", true),
            ["10,000 x 10,000"]
        );
        assert_eq!(
            texts("支援16-way Pipeline Parallelism(PP)、", true),
            ["16-way Pipeline Parallelism(PP)"]
        );
        assert_eq!(texts("昇騰910B晶片", true), ["910B"]);
        assert_eq!(texts("專家(MoE)?還是", true), ["(MoE)"]);
        assert_eq!(texts("服務(NIM", true), ["NIM"]);
        assert_eq!(texts("2025 年 4 月", true), ["2025", "4"]);
        assert_eq!(texts("第一章", true), Vec::<String>::new());
    }

    #[test]
    fn han_runs_in_english() {
        assert_eq!(texts("the word 「異化」 means", false), ["「異化」"]);
    }
}
