//! Text rules for Chinese and English: character classes and script conversion.

mod convert;
pub mod normalize;
pub mod quotes;

pub use convert::{convert_script, Conversion, LibraryPhrases, PhraseChange, Phrases};

/// `n` and the word for that many: `1 chapter`, `2 chapters`.
pub fn count(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// How much of the source a diagnostic quotes, in characters.
pub const QUOTE_CHARS: usize = 80;

/// `text` as a diagnostic quotes it: whole up to [`QUOTE_CHARS`]
/// characters, else its start and its length (a 50,000-character word is
/// not a message).
pub fn excerpt(text: &str) -> std::borrow::Cow<'_, str> {
    const HEAD: usize = QUOTE_CHARS - 20;
    let count = text.chars().count();
    if count <= QUOTE_CHARS {
        return text.into();
    }
    let head: String = text.chars().take(HEAD).collect();
    format!("{head}… ({count} characters)").into()
}

/// A character XML 1.0 does not allow: the C0 controls but tab, line feed
/// and carriage return, and U+FFFE, U+FFFF. Not text, and fatal in an EPUB.
pub fn is_forbidden_control(c: char) -> bool {
    matches!(c, '\0'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// What a forbidden control becomes: a C0 control a space, U+FFFE and U+FFFF
/// the replacement character. Each takes the bytes it replaces, so offsets
/// into the text (and the locations of diagnostics) stay true.
pub fn replace_control(c: char) -> char {
    match c {
        '\u{FFFE}' | '\u{FFFF}' => '\u{FFFD}',
        c if is_forbidden_control(c) => ' ',
        c => c,
    }
}

/// A Han character (CJK Unified Ideographs, their extensions and compatibility forms).
pub fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}'
        | '\u{4E00}'..='\u{9FFF}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{20000}'..='\u{2FA1F}'
        | '\u{30000}'..='\u{3134F}'
        | '\u{3007}')
}

/// Full-width CJK punctuation and symbols: 、。「」『』（）《》，！？ and the like.
pub fn is_cjk_punctuation(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'
        | '\u{FE10}'..='\u{FE1F}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}'
        | '\u{FFE0}'..='\u{FFE6}')
}

/// Punctuation that is full-width in Chinese text and proportional in English:
/// dashes, ellipsis, curly quotes, middle dot.
pub fn is_ambiguous_punctuation(c: char) -> bool {
    matches!(
        c,
        '\u{2014}'
            | '\u{2015}'
            | '\u{2026}'
            | '\u{2018}'
            | '\u{2019}'
            | '\u{201C}'
            | '\u{201D}'
            | '\u{00B7}'
    )
}

/// Han characters, kana and CJK punctuation: text set on the ideographic grid.
pub fn is_wide(c: char) -> bool {
    is_han(c) || is_cjk_punctuation(c) || matches!(c, '\u{3040}'..='\u{30FF}')
}

/// A Latin letter (basic, Latin-1, extended) or a Greek/Cyrillic letter: text for the Latin font.
pub fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{0370}'..='\u{03FF}' | '\u{0400}'..='\u{04FF}' | '\u{1E00}'..='\u{1EFF}')
            && c != '\u{00D7}'
            && c != '\u{00F7}'
}

/// Whether a soft line break between `before` and `after` disappears rather
/// than becoming a space: it does next to any Chinese character or full-width
/// punctuation (spacing between Han and Latin is the renderer's business), and
/// stays a space only between two non-CJK characters.
pub fn soft_break_vanishes(before: char, after: char) -> bool {
    is_wide(before) || is_wide(after)
}

/// Counts for `quire list`: English words and Han characters.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct TextCount {
    pub words: usize,
    pub han: usize,
}

impl TextCount {
    pub fn of(text: &str) -> TextCount {
        let han = text.chars().filter(|&c| is_han(c)).count();
        let words = text
            .split(|c: char| c.is_whitespace() || is_wide(c))
            .filter(|w| w.chars().any(|c| c.is_alphanumeric()))
            .count();
        TextCount { words, han }
    }

    pub fn add(&mut self, other: TextCount) {
        self.words += other.words;
        self.han += other.han;
    }
}

/// The text of XML content or an attribute value: the five predefined
/// entities and `&#39;` (quire writes no other references).
pub fn unescape_xml(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

/// Escapes text for XML content and attribute values.
pub fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Cleaned from the sources with a warning; never in the markup.
            c if is_forbidden_control(c) => out.push(replace_control(c)),
            c => out.push(c),
        }
    }
    out
}

/// How a run of Latin text stands in a vertical column of Chinese.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Orientation {
    /// Set across the column in one em (縱中橫, tate-chu-yoko): numbers of
    /// two or three characters (`12`, `3.0`), two capitals (`AI`).
    Combined,
    /// Each character upright, one below the other: a single digit or
    /// capital, a four-digit number (a year), capitals of three or four
    /// letters (`LLM`).
    Upright,
    /// Turned 90° clockwise, as a line of Latin text: words, phrases,
    /// longer numbers.
    Sideways,
}

/// The orientation of `run`, a Latin run in Chinese text, in a vertical book.
pub fn orientation(run: &str) -> Orientation {
    let chars = run.chars().count();
    let digits = run.chars().all(|c| c.is_ascii_digit());
    let number = run.starts_with(|c: char| c.is_ascii_digit())
        && run
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',');
    let capitals = run.chars().all(|c| c.is_ascii_uppercase());
    match chars {
        1 if digits || capitals => Orientation::Upright,
        2 | 3 if number => Orientation::Combined,
        2 if capitals => Orientation::Combined,
        4 if digits => Orientation::Upright,
        3 | 4 if capitals => Orientation::Upright,
        _ => Orientation::Sideways,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        assert!(is_han('中') && is_han('𠀋') && !is_han('a'));
        assert!(is_cjk_punctuation('。') && is_cjk_punctuation('，') && is_cjk_punctuation('「'));
        assert!(!is_cjk_punctuation(',') && !is_cjk_punctuation('“'));
        assert!(is_latin_letter('é') && !is_latin_letter('×') && !is_latin_letter('1'));
    }

    #[test]
    fn unescaping_gives_back_what_was_escaped() {
        let text = r#"a < b && "c" > 'd' &amp; 「引」"#;
        assert_eq!(unescape_xml(&escape_xml(text)), text);
        assert_eq!(unescape_xml("it&#39;s &apos;so&apos;"), "it's 'so'");
    }

    #[test]
    fn excerpts_quote_at_most_eighty_characters() {
        let short = "é".repeat(QUOTE_CHARS);
        assert_eq!(excerpt(&short), short);
        let long = "字".repeat(50_000);
        let quoted = excerpt(&long);
        assert!(quoted.starts_with(&"字".repeat(60)), "{quoted}");
        assert!(quoted.ends_with("… (50000 characters)"), "{quoted}");
        assert!(quoted.chars().count() <= QUOTE_CHARS, "{quoted}");
    }

    #[test]
    fn soft_breaks() {
        assert!(soft_break_vanishes('中', '文'));
        assert!(soft_break_vanishes('。', '中'));
        assert!(soft_break_vanishes('中', '“'));
        assert!(soft_break_vanishes('…', '中'));
        assert!(soft_break_vanishes('，', 'D'));
        assert!(soft_break_vanishes('k', '模'));
        assert!(!soft_break_vanishes('a', 'b'));
        assert!(!soft_break_vanishes('“', 'a'));
        assert!(!soft_break_vanishes(',', '“'));
    }

    #[test]
    fn counts() {
        let c = TextCount::of("DeepSeek 的新聞, twice-over 2025");
        assert_eq!(c.han, 3);
        assert_eq!(c.words, 3);
    }

    #[test]
    fn latin_runs_stand_in_a_column_by_their_length() {
        use super::{orientation, Orientation::*};
        for (run, expected) in [
            ("7", Upright),
            ("12", Combined),
            ("557", Combined),
            ("3.0", Combined),
            ("AI", Combined),
            ("2025", Upright),
            ("LLM", Upright),
            ("GPT4", Sideways),
            ("6,710", Sideways),
            ("Transformer", Sideways),
            ("DeepSeek-V3", Sideways),
        ] {
            assert_eq!(orientation(run), expected, "{run}");
        }
    }
}
