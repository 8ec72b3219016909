//! Where a line may end: UAX #14 tailored with the strict kinsoku rules of
//! clreq, and English hyphenation points.

use std::sync::OnceLock;

use hyphenation::{Hyphenator, Language, Load, Standard};
use unicode_linebreak::{linebreaks, BreakOpportunity};

use crate::text::{is_han, is_latin_letter, is_wide};

/// A line may break before the byte.
pub(super) const ALLOWED: u8 = 1;
/// A hyphenation point: a line may break before the byte, adding a hyphen.
pub(super) const HYPHEN: u8 = 2;
/// A soft hyphen in the source: a hyphenation point even when automatic
/// hyphenation is off.
pub(super) const SOFT_HYPHEN: u8 = 4;

/// Characters that never start a line (clreq strict): closing brackets and
/// quotes, stops, iteration marks, small kana, ellipsis and percent.
pub(super) fn no_line_start(c: char) -> bool {
    matches!(
        c,
        '、' | '，'
            | '。'
            | '．'
            | '；'
            | '：'
            | '？'
            | '！'
            | '」'
            | '』'
            | '）'
            | '》'
            | '〉'
            | '】'
            | '〕'
            | '〗'
            | '〙'
            | '〛'
            | '］'
            | '｝'
            | '…'
            | '‥'
            | '％'
            | '‰'
            | '℃'
            | '・'
            | 'ー'
            | '々'
            | '〻'
            | 'ゝ'
            | 'ゞ'
            | 'ヽ'
            | 'ヾ'
            | '〜'
            | '～'
            | '%'
    ) || is_small_kana(c)
}

/// Characters that never end a line: opening brackets.
pub(super) fn no_line_end(c: char) -> bool {
    matches!(
        c,
        '「' | '『' | '（' | '《' | '〈' | '【' | '〔' | '〖' | '〘' | '〚' | '［' | '｛'
    )
}

fn is_small_kana(c: char) -> bool {
    matches!(
        c,
        'ぁ' | 'ぃ'
            | 'ぅ'
            | 'ぇ'
            | 'ぉ'
            | 'っ'
            | 'ゃ'
            | 'ゅ'
            | 'ょ'
            | 'ゎ'
            | 'ゕ'
            | 'ゖ'
            | 'ァ'
            | 'ィ'
            | 'ゥ'
            | 'ェ'
            | 'ォ'
            | 'ッ'
            | 'ャ'
            | 'ュ'
            | 'ョ'
            | 'ヮ'
            | 'ヵ'
            | 'ヶ'
            | '\u{31F0}'..='\u{31FF}'
    )
}

/// Opening and closing quotation marks, which Chinese text treats as brackets.
fn is_opening_quote(c: char) -> bool {
    matches!(c, '“' | '‘')
}

fn is_closing_quote(c: char) -> bool {
    matches!(c, '”' | '’')
}

/// Han, kana and the like: the characters that get spacing next to Latin.
pub(super) fn is_ideograph(c: char) -> bool {
    is_han(c) || matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}')
}

/// A Latin (Greek, Cyrillic) letter or a digit: what gets ¼ em from Han.
pub(super) fn is_latin_alnum(c: char) -> bool {
    is_latin_letter(c) || c.is_ascii_digit()
}

/// What gets ¼ em from Han: a Latin letter or digit, or a sign that is
/// part of a Western number (`10%`, `$5`, `30°`), which is one unit with it.
pub(super) fn is_western(c: char) -> bool {
    is_latin_alnum(c) || matches!(c, '%' | '‰' | '°' | '$' | '€' | '£')
}

/// Characters that act as forced line breaks.
pub(super) fn is_forced_break(c: char) -> bool {
    matches!(c, '\n' | '\u{2028}' | '\u{2029}' | '\u{0B}' | '\u{0C}')
}

/// Inter-word spaces: they become glue. No-break spaces stay boxes.
pub(super) fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\u{2000}'..='\u{2006}' | '\u{2008}'..='\u{200A}' | '\u{205F}')
}

/// Marks the bytes of `text` before which a line may break.
///
/// `chinese(byte)` tells whether the character at a byte belongs to Chinese
/// text (a Chinese piece), where quotation marks are brackets.
pub(super) fn opportunities(text: &str, flags: &mut Vec<u8>, chinese: impl Fn(usize) -> bool) {
    flags.clear();
    flags.resize(text.len() + 1, 0);
    for (at, kind) in linebreaks(text) {
        if kind == BreakOpportunity::Allowed || at < text.len() {
            flags[at] |= ALLOWED;
        }
    }
    let mut prev: Option<(usize, char)> = None;
    for (at, c) in text.char_indices() {
        let Some((p_at, p)) = prev else {
            prev = Some((at, c));
            continue;
        };
        prev = Some((at, c));
        let mut allow = flags[at] & ALLOWED != 0;
        // Quotation marks in Chinese text are opening and closing brackets, not
        // the unbreakable QU of UAX #14.
        if is_opening_quote(c) && chinese(at) && is_wide(p) && !no_line_end(p) {
            allow = true;
        }
        if is_closing_quote(p) && chinese(p_at) && (is_wide(c) || is_opening_quote(c)) {
            allow = true;
        }
        if is_ideograph(p) && is_ideograph(c) {
            allow = true;
        }
        // A full-width opening bracket after a letter or digit (`SaaS（Software`):
        // UAX #14 allows the break (LB30 leaves out East Asian brackets).
        if no_line_end(c) && is_latin_alnum(p) {
            allow = true;
        }
        // ASCII stops in Chinese text (`时,Jensen`): UAX #14 keeps `,` with
        // a following letter (LB29, for `e.g.,x`); Chinese breaks after it.
        if matches!(p, ',' | ';' | ':' | '!' | '?')
            && chinese(p_at)
            && !c.is_whitespace()
            && !c.is_ascii_digit()
        {
            allow = true;
        }
        // Kinsoku, which wins over everything.
        if no_line_start(c) || no_line_end(p) {
            allow = false;
        }
        if is_closing_quote(c) && (chinese(at) || !p.is_whitespace()) {
            allow = false;
        }
        if is_opening_quote(p) && (chinese(p_at) || !c.is_whitespace()) {
            allow = false;
        }
        // Numbers stay whole (full-width digits are ideographic in UAX #14),
        // and with the Han unit or measure word after them (557萬, 2025年).
        if p.is_numeric() && (c.is_numeric() || is_han(c)) {
            allow = false;
        }
        // —— and …… stay together.
        if matches!((p, c), ('—' | '―', '—' | '―') | ('…', '…') | ('‥', '‥')) {
            allow = false;
        }
        // An English line never starts with an em dash: it breaks after one.
        if c == '—' && !chinese(at) {
            allow = false;
        }
        if allow {
            flags[at] |= ALLOWED;
        } else {
            flags[at] &= !ALLOWED;
        }
    }
    if let Some(f) = flags.first_mut() {
        *f &= !ALLOWED;
    }
}

/// The en-US hyphenation patterns, loaded once.
fn dictionary() -> Option<&'static Standard> {
    static DICT: OnceLock<Option<Standard>> = OnceLock::new();
    DICT.get_or_init(|| Standard::from_embedded(Language::EnglishUS).ok())
        .as_ref()
}

/// Words shorter than this are not hyphenated.
const MIN_WORD: usize = 5;

/// Marks hyphenation points in `text[range]`, English prose.
///
/// Tokens that look like URLs, e-mail addresses, paths or identifiers are
/// left alone, and so are words in capitals (acronyms).
pub(super) fn hyphenation_points(text: &str, range: std::ops::Range<usize>, flags: &mut [u8]) {
    let Some(dict) = dictionary() else {
        return;
    };
    let piece = &text[range.clone()];
    let mut token_start = 0;
    for token in piece.split(|c: char| c.is_whitespace()) {
        let base = range.start + token_start;
        token_start += token.len() + 1;
        if token.chars().count() < MIN_WORD || looks_technical(token) {
            continue;
        }
        let mut word_start = None;
        for (i, c) in token
            .char_indices()
            .chain(std::iter::once((token.len(), ' ')))
        {
            let letter = c.is_alphabetic() && is_latin_letter(c);
            match (letter, word_start) {
                (true, None) => word_start = Some(i),
                (false, Some(s)) => {
                    word_start = None;
                    let word = &token[s..i];
                    // Not after a digit or before one: part numbers and units.
                    let before = token[..s].chars().next_back();
                    let after = token[i..].chars().next();
                    if word.chars().count() < MIN_WORD
                        || before.is_some_and(|b| b.is_alphanumeric())
                        || after.is_some_and(|a| a.is_alphanumeric())
                        || !word.chars().any(|c| c.is_lowercase())
                    {
                        continue;
                    }
                    for b in dict.hyphenate(word).breaks {
                        flags[base + s + b] |= HYPHEN;
                    }
                }
                _ => {}
            }
        }
    }
}

/// URLs, paths, e-mail addresses and identifiers are never hyphenated.
fn looks_technical(token: &str) -> bool {
    token.contains("://")
        || token.contains(['@', '/', '\\', '_', '=', '#', '<', '>', '{', '}'])
        || token
            .char_indices()
            .any(|(i, c)| c == '.' && token[i + 1..].starts_with(|n: char| n.is_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn breaks(text: &str, chinese: bool) -> Vec<String> {
        let mut flags = Vec::new();
        opportunities(text, &mut flags, |_| chinese);
        let mut out = Vec::new();
        let mut last = 0;
        for (i, f) in flags.iter().enumerate() {
            if f & ALLOWED != 0 {
                out.push(text[last..i].to_string());
                last = i;
            }
        }
        out.push(text[last..].to_string());
        out
    }

    #[test]
    fn english_breaks_after_an_em_dash_not_before() {
        assert_eq!(
            breaks("a habit—it is", false),
            ["a ", "habit—", "it ", "is"]
        );
        assert_eq!(breaks("and — so", false), ["and — ", "so"]);
    }

    #[test]
    fn han_breaks_everywhere_except_kinsoku() {
        assert_eq!(
            breaks("他說：「好。」我們走吧……——是的", true),
            [
                "他",
                "說：",
                "「好。」",
                "我",
                "們",
                "走",
                "吧……",
                "——",
                "是",
                "的"
            ]
        );
    }

    #[test]
    fn quotes_are_brackets_in_chinese() {
        assert_eq!(
            breaks("稱為“注意力”機制", true),
            ["稱", "為", "“注", "意", "力”", "機", "制"]
        );
        // English keeps UAX #14: break at spaces only, apostrophes glue.
        assert_eq!(
            breaks("don’t say “hi” now", false),
            ["don’t ", "say ", "“hi” ", "now"]
        );
    }

    #[test]
    fn ascii_stops_in_chinese_text_allow_a_break() {
        assert_eq!(breaks("时,Jensen说", true), ["时,", "Jensen", "说"]);
        // A number stays with the Han unit after it.
        assert_eq!(breaks("6,710億", true), ["6,710億"]);
        assert_eq!(breaks("用557萬幹", true), ["用", "557萬", "幹"]);
        assert_eq!(breaks("e.g.,x", false), ["e.g.,x"]);
    }

    #[test]
    fn small_kana_and_percent_do_not_start_lines() {
        assert_eq!(breaks("キャッ５０％", true), ["キャッ", "５０％"]);
    }

    #[test]
    fn hyphenation_skips_short_words_urls_and_acronyms() {
        let text = "extraordinary cat NASA https://example.com/hyphenation";
        let mut flags = vec![0; text.len() + 1];
        hyphenation_points(text, 0..text.len(), &mut flags);
        let points: Vec<usize> = (0..flags.len())
            .filter(|&i| flags[i] & HYPHEN != 0)
            .collect();
        assert!(!points.is_empty());
        assert!(
            points.iter().all(|&p| p < "extraordinary".len()),
            "{points:?}"
        );
    }
}
