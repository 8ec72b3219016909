//! Chinese punctuation, quotation marks and Han–Latin spacing.
//!
//! The seed translations set Chinese with half-width punctuation (`能力,但也`,
//! `(MoE)?`, `架構:DeepSeek`) and straight quotes. [`normalize`] looks at one
//! paragraph's inline content and says what to change; it never changes
//! anything itself, so a build pass can apply the edits to the document model
//! and `quire check` can list them. [`apply`] applies edits to strings.
//!
//! # What is changed
//!
//! **Punctuation** (`Rule::Punctuation`). A half-width `, . ; : ? ! ( )`
//! becomes `，。；：？！（）` when it belongs to the Chinese sentence: a wide
//! character (Han, kana, full-width punctuation, `——`, `……`, or a mark this
//! pass converts) is its neighbour on at least one side, looking past spaces,
//! straight or curly quotes that stay as they are, and neutral opaque pieces
//! (footnote marks, images). Marks that belong to Latin text stay:
//!
//! - separators between digits: `1,000` `3.14` `16:9` `0:00-7:59`;
//! - a `.` with a letter or digit right after it (`a.md`, `V3.5`, `.NET`,
//!   `e.g`), in a run of dots (`...`), or ending an abbreviation: dotted
//!   single letters (`e.g.` `i.e.` `U.S.`) or `etc.` `vs.` `cf.` `al.` `Mr.`
//!   `Dr.` `Inc.` and a few more;
//! - a `?` `!` between two letters or digits, `!=`, `::`, a `:` before `/`
//!   or `\`;
//! - everything inside a URL (`http://…`, `www.…`) or an e-mail address;
//! - a list marker at the start of a line: `1.` `2)`.
//!
//! A `,` `;` `:` between Latin words (no wide neighbour) is Chinese when it
//! is typed without the space English puts after it and a Han character is
//! in the same sentence, before or after it (`如果沒有ChatGPT,OpenAI現在` →
//! `ChatGPT，OpenAI`); with the space (`使用 GPT, Claude 和 Gemini`,
//! `Claude: Anthropic`) it is English punctuation and stays. Inside brackets
//! or quotes the sentence is the enclosed text: `(Mixture of Experts,MoE)`
//! keeps its comma.
//!
//! `.` `?` `!` end sentences, so they get one more chance: after a Latin word
//! and followed by a wide character, a closing bracket or quote, or the end of
//! the text, they become `。？！` only if the sentence is Chinese, that is if a
//! Han character comes earlier in the same sentence — back to the previous
//! sentence end (`。！？`, or `.!?` followed by a space) or to the opening
//! bracket or quote that encloses the mark. So `我們使用 GPT.` gives
//! `我們使用GPT。` but `I use GPT. 然後` and `他說:"OK."` keep their `.`.
//!
//! Parentheses are converted as a pair: a pair converts when the character
//! before `(` or after `)` (looking past spaces) is wide, or its content has a
//! wide character. `(MoE)` after Han gives `（MoE）`, while `(e.g. GPT-4)`
//! inside an English run stays. A comma inside the Latin content of a
//! converted pair stays (`（Mixture-of-Experts, MoE）`): only a wide neighbour
//! converts it. `f(x)`, `softmax(QK^T)`: a pair right after a Latin word whose
//! content is a formula (no Han, no letter run longer than two) is
//! mathematics and stays. An unpaired parenthesis converts by its own
//! neighbours. Spaces next to a converted mark are removed (`能力, 但也` →
//! `能力，但也`, `模型 (MoE)` → `模型（MoE）`), except those that set off a
//! dash (`」 - 永远`); only ASCII spaces are removed, never line breaks.
//!
//! **Quotation marks** (`Rule::Quotes`). Quotes are paired within the
//! paragraph. Straight quotes pair by position (the first opens, the next
//! closes) unless the spacing around one says which it is (`"a "b" c"`);
//! curly and corner quotes pair by their shape; a straight quote never pairs
//! with a curly one. A `'` or `’` between two letters or digits is an
//! apostrophe (`don't`, `OpenAI’s`), and an unpaired quote is left alone. A
//! pair is Chinese when the character before it or after it (past spaces) is
//! wide or its content has a wide character; quotes around Latin content
//! inside an English run stay. Chinese pairs take the edition's style by
//! depth: `Corner` gives 「」 outside and 『』 inside, `Curly` gives “” and ‘’
//! (then again 「」 or “” at depth 2). Pairs already in the style's family are
//! left as they are (a 『書名』 stays), so `Corner` changes straight and curly
//! quotes and `Curly` changes straight and corner quotes. Spaces next to a
//! changed quote are removed.
//!
//! **Spacing** (`Rule::Spacing`). A run of ASCII spaces between a Han (or
//! kana) character and a Latin letter or digit, in either order, is removed:
//! the renderers add their own Han–Latin spacing. A Latin opaque piece (code,
//! URL) counts as Latin. So is a run of spaces beside full-width punctuation
//! (`人心。 因為`), which has its own space, unless it faces a dash. Spaces
//! between Latin words, or next to `%` and other symbols, stay.
//!
//! Opaque pieces are never changed. Full-width marks stay as they are,
//! `……`, `——` and `...` included. Normalizing the result again gives no
//! edits.

use std::ops::Range;

use super::{is_han, is_latin_letter, is_wide};

/// One piece of a paragraph's inline content, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// Editable text.
    Text(&'a str),
    /// Something that must not change and stands for a character class in context:
    /// inline code, a URL, a footnote mark, an image. `latin: true` means it reads
    /// as Latin text (code, URLs); false means neutral.
    Opaque { latin: bool },
}

/// The edition's quotation marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum QuoteStyle {
    /// 「」 outside, 『』 inside: the Taiwan default.
    Corner,
    /// “” outside, ‘’ inside: the Mainland default.
    Curly,
}

impl QuoteStyle {
    /// The opening and closing marks for a pair enclosed by `depth` other pairs.
    pub fn marks(self, depth: usize) -> (char, char) {
        match (self, depth % 2) {
            (QuoteStyle::Corner, 0) => ('「', '」'),
            (QuoteStyle::Corner, _) => ('『', '』'),
            (QuoteStyle::Curly, 0) => ('“', '”'),
            (QuoteStyle::Curly, _) => ('‘', '’'),
        }
    }
}

/// Which rules to apply.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    pub punctuation: bool,
    pub quotes: Option<QuoteStyle>,
    pub spacing: bool,
}

impl Rules {
    /// Every rule, with the given quotation marks.
    pub fn all(quotes: QuoteStyle) -> Rules {
        Rules {
            punctuation: true,
            quotes: Some(quotes),
            spacing: true,
        }
    }

    /// No rule: the text stays as written.
    pub fn none() -> Rules {
        Rules {
            punctuation: false,
            quotes: None,
            spacing: false,
        }
    }
}

/// A replacement inside segment `segment` (an index into the slice), byte range of that Text segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    pub segment: usize,
    pub range: Range<usize>,
    pub replacement: String,
    pub rule: Rule,
}

/// The rule an edit comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    Punctuation,
    Quotes,
    Spacing,
}

impl Rule {
    /// A lowercase name for messages: `punctuation`, `quotes`, `spacing`.
    pub fn name(self) -> &'static str {
        match self {
            Rule::Punctuation => "punctuation",
            Rule::Quotes => "quotes",
            Rule::Spacing => "spacing",
        }
    }
}

/// The edits that make Chinese text (zh-Hant or zh-Hans) conform, in order, non-overlapping.
///
/// Edits are sorted by segment, then by byte offset; two edits never touch the
/// same byte, and adjacent changes of one rule in one segment are merged
/// (`, ` → `，` is one edit). A paragraph without any wide character gets no
/// edits.
pub fn normalize(segments: &[Segment], rules: &Rules) -> Vec<Edit> {
    let mut para = Paragraph::new(segments);
    if !para
        .units
        .iter()
        .any(|u| matches!(u.tok, Tok::Ch(c) if is_wide(c)))
    {
        return Vec::new();
    }
    para.protect_links();
    para.pair_brackets();
    para.pair_quotes();
    para.decide(rules);
    para.edits(rules)
}

/// Applies edits to a string segment-wise: convenience for tests and callers.
///
/// `segments[i]` is the text of segment `i` (anything, an empty string for
/// instance, for an opaque segment: no edit targets it). Panics if an edit's
/// range is not inside its segment on character boundaries.
pub fn apply(segments: &[&str], edits: &[Edit]) -> Vec<String> {
    segments
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let mut mine: Vec<&Edit> = edits.iter().filter(|e| e.segment == i).collect();
            mine.sort_by_key(|e| e.range.start);
            let mut out = String::with_capacity(text.len());
            let mut pos = 0;
            for e in mine {
                out.push_str(&text[pos..e.range.start]);
                out.push_str(&e.replacement);
                pos = e.range.end;
            }
            out.push_str(&text[pos..]);
            out
        })
        .collect()
}

/// A Han character or kana: what gets Han–Latin spacing in the renderers.
fn is_ideograph(c: char) -> bool {
    is_han(c) || matches!(c, '\u{3040}'..='\u{30FF}' | '\u{31F0}'..='\u{31FF}')
}

fn is_latin_alnum(c: char) -> bool {
    is_latin_letter(c) || c.is_ascii_digit()
}

fn is_quote_char(c: char) -> bool {
    matches!(c, '"' | '\'' | '“' | '”' | '‘' | '’')
}

fn fullwidth(c: char) -> Option<char> {
    Some(match c {
        ',' => '，',
        '.' => '。',
        ';' => '；',
        ':' => '：',
        '?' => '？',
        '!' => '！',
        '(' => '（',
        ')' => '）',
        _ => return None,
    })
}

/// Words that end with an abbreviation's `.` (compared in lowercase).
const ABBREVIATIONS: &[&str] = &[
    "al", "approx", "cf", "dr", "etc", "fig", "figs", "inc", "jr", "ltd", "mr", "mrs", "ms", "pp",
    "prof", "sr", "vol", "vs",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Tok {
    Ch(char),
    Opaque { latin: bool },
}

#[derive(Clone, Copy, Debug)]
struct Unit {
    tok: Tok,
    seg: usize,
    start: usize,
    end: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum QuoteKind {
    Straight,
    StraightSingle,
    Curly,
    CurlySingle,
    Corner,
    WhiteCorner,
}

impl QuoteKind {
    fn in_style(self, style: QuoteStyle) -> bool {
        match style {
            QuoteStyle::Corner => matches!(self, QuoteKind::Corner | QuoteKind::WhiteCorner),
            QuoteStyle::Curly => matches!(self, QuoteKind::Curly | QuoteKind::CurlySingle),
        }
    }
}

/// A quotation mark: its kind and whether it may open or close a pair.
struct QuoteMark {
    kind: QuoteKind,
    open: bool,
    close: bool,
}

struct QuotePair {
    open: usize,
    close: usize,
    kind: QuoteKind,
}

/// A paragraph as a stream of characters and opaque pieces.
struct Paragraph {
    units: Vec<Unit>,
    /// URL and e-mail characters: never edited, read as Latin.
    protected: Vec<bool>,
    /// The other half of a paired bracket or quote.
    partner: Vec<Option<usize>>,
    quotes: Vec<QuotePair>,
    /// Marks that are (or become) Chinese: converted punctuation, Chinese quotes.
    chinese: Vec<bool>,
}

impl Paragraph {
    fn new(segments: &[Segment]) -> Paragraph {
        let mut units = Vec::new();
        for (seg, piece) in segments.iter().enumerate() {
            match *piece {
                Segment::Text(text) => units.extend(text.char_indices().map(|(start, c)| Unit {
                    tok: Tok::Ch(c),
                    seg,
                    start,
                    end: start + c.len_utf8(),
                })),
                Segment::Opaque { latin } => units.push(Unit {
                    tok: Tok::Opaque { latin },
                    seg,
                    start: 0,
                    end: 0,
                }),
            }
        }
        let n = units.len();
        Paragraph {
            units,
            protected: vec![false; n],
            partner: vec![None; n],
            quotes: Vec::new(),
            chinese: vec![false; n],
        }
    }

    fn len(&self) -> usize {
        self.units.len()
    }

    /// The character at `i`; `None` for an opaque piece or outside the paragraph.
    fn ch(&self, i: usize) -> Option<char> {
        match self.units.get(i)?.tok {
            Tok::Ch(c) => Some(c),
            Tok::Opaque { .. } => None,
        }
    }

    fn ch_before(&self, i: usize) -> Option<char> {
        i.checked_sub(1).and_then(|j| self.ch(j))
    }

    /// An editable character: not opaque, not in a URL.
    fn editable(&self, i: usize) -> Option<char> {
        if self.protected[i] {
            None
        } else {
            self.ch(i)
        }
    }

    /// A Latin letter or digit, a Latin opaque piece, or part of a URL.
    fn latin_at(&self, i: usize) -> bool {
        match self.units.get(i).map(|u| u.tok) {
            Some(Tok::Opaque { latin }) => latin,
            Some(Tok::Ch(c)) => self.protected[i] || is_latin_alnum(c),
            None => false,
        }
    }

    fn latin_before(&self, i: usize) -> bool {
        i.checked_sub(1).is_some_and(|j| self.latin_at(j))
    }

    fn digit_at(&self, i: usize) -> bool {
        self.ch(i).is_some_and(|c| c.is_ascii_digit())
    }

    fn digit_before(&self, i: usize) -> bool {
        i.checked_sub(1).is_some_and(|j| self.digit_at(j))
    }

    /// Whitespace, or the edge of the paragraph (`None`).
    fn space_or_edge(&self, i: Option<usize>) -> bool {
        match i.and_then(|i| self.units.get(i)) {
            None => true,
            Some(unit) => matches!(unit.tok, Tok::Ch(c) if c.is_whitespace()),
        }
    }

    /// Set on the ideographic grid: Han, kana, full-width punctuation,
    /// `——` and `……`, or a mark that is Chinese.
    fn wide_at(&self, i: usize) -> bool {
        let Some(c) = self.ch(i) else { return false };
        self.chinese[i]
            || is_wide(c)
            || (matches!(c, '—' | '…')
                && (self.ch_before(i) == Some(c) || self.ch(i + 1) == Some(c)))
    }

    fn wide(&self, i: Option<usize>) -> bool {
        i.is_some_and(|i| self.wide_at(i))
    }

    /// What context looks past: spaces, neutral opaque pieces, and quotes
    /// that stay as they are.
    fn transparent(&self, i: usize) -> bool {
        match self.units[i].tok {
            Tok::Opaque { latin } => !latin,
            Tok::Ch(c) => {
                (c.is_whitespace() && c != '\u{3000}')
                    || (is_quote_char(c) && !self.chinese[i] && !self.protected[i])
            }
        }
    }

    /// The neighbour on the left that gives context.
    fn left(&self, i: usize) -> Option<usize> {
        (0..i).rev().find(|&j| !self.transparent(j))
    }

    /// The neighbour on the right that gives context.
    fn right(&self, i: usize) -> Option<usize> {
        (i + 1..self.len()).find(|&j| !self.transparent(j))
    }

    /// Marks URLs (`scheme://…`, `www.…`, `mailto:…`) and e-mail addresses as protected.
    fn protect_links(&mut self) {
        let n = self.len();
        let url_char = |c: char| {
            (c.is_ascii_graphic() && !matches!(c, '<' | '>' | '"' | '`')) || is_latin_letter(c)
        };
        let mut i = 0;
        while i < n {
            let starts_word = self.ch(i).is_some_and(|c| c.is_ascii_alphabetic())
                && !self
                    .ch_before(i)
                    .is_some_and(|p| p.is_ascii_alphanumeric() || matches!(p, '.' | '-' | '+'));
            if !starts_word {
                i += 1;
                continue;
            }
            let Some(prefix) = self.link_prefix(i) else {
                i += 1;
                continue;
            };
            let mut end = i + prefix;
            while end < n && self.ch(end).is_some_and(url_char) {
                end += 1;
            }
            // Trailing punctuation is the sentence's, and so is a `)` that
            // closes nothing inside the URL.
            loop {
                match self.ch(end - 1) {
                    Some('.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '_' | '~') => end -= 1,
                    Some(')') => {
                        let opens = (i..end).filter(|&k| self.ch(k) == Some('(')).count();
                        let closes = (i..end).filter(|&k| self.ch(k) == Some(')')).count();
                        if closes > opens {
                            end -= 1;
                        } else {
                            break;
                        }
                    }
                    _ => break,
                }
            }
            if end > i + prefix {
                self.protected[i..end].iter_mut().for_each(|p| *p = true);
            }
            i = end.max(i + 1);
        }
        self.protect_emails();
    }

    /// The length of a URL's scheme or `www.` at `i`.
    fn link_prefix(&self, i: usize) -> Option<usize> {
        let lower = |k: usize| self.ch(k).map(|c| c.to_ascii_lowercase());
        if (0..4).all(|k| lower(i + k) == "www.".chars().nth(k)) {
            return Some(4);
        }
        let mut k = i;
        while self
            .ch(k)
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '.' | '-'))
        {
            k += 1;
        }
        let scheme: String = (i..k).filter_map(|j| self.ch(j)).collect();
        if self.ch(k) == Some(':') {
            if self.ch(k + 1) == Some('/') && self.ch(k + 2) == Some('/') {
                return Some(k + 3 - i);
            }
            if scheme.eq_ignore_ascii_case("mailto") {
                return Some(k + 1 - i);
            }
        }
        None
    }

    fn protect_emails(&mut self) {
        let local = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-');
        let domain = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '-');
        for at in 0..self.len() {
            if self.ch(at) != Some('@') || self.protected[at] {
                continue;
            }
            let mut start = at;
            while start > 0 && self.ch(start - 1).is_some_and(local) {
                start -= 1;
            }
            let mut end = at + 1;
            while self.ch(end).is_some_and(domain) {
                end += 1;
            }
            while end > at + 1 && matches!(self.ch(end - 1), Some('.' | '-')) {
                end -= 1;
            }
            let has_dot = (at + 1..end).any(|k| self.ch(k) == Some('.'));
            if start < at && has_dot {
                self.protected[start..end]
                    .iter_mut()
                    .for_each(|p| *p = true);
            }
        }
    }

    /// Pairs parentheses, half- and full-width alike.
    fn pair_brackets(&mut self) {
        let mut stack = Vec::new();
        for i in 0..self.len() {
            match self.editable(i) {
                Some('(' | '（') => stack.push(i),
                Some(')' | '）') => {
                    if let Some(o) = stack.pop() {
                        self.partner[o] = Some(i);
                        self.partner[i] = Some(o);
                    }
                }
                _ => {}
            }
        }
    }

    fn quote_mark(&self, i: usize) -> Option<QuoteMark> {
        let c = self.editable(i)?;
        let prev = i.checked_sub(1);
        let next = Some(i + 1).filter(|&k| k < self.len());
        let apostrophe = self.latin_before(i) && self.latin_at(i + 1);
        let mark = |kind, open, close| Some(QuoteMark { kind, open, close });
        match c {
            '「' => mark(QuoteKind::Corner, true, false),
            '」' => mark(QuoteKind::Corner, false, true),
            '『' => mark(QuoteKind::WhiteCorner, true, false),
            '』' => mark(QuoteKind::WhiteCorner, false, true),
            '“' => mark(QuoteKind::Curly, true, false),
            '”' => mark(QuoteKind::Curly, false, true),
            '‘' if !apostrophe => mark(QuoteKind::CurlySingle, true, false),
            '’' if !apostrophe => mark(QuoteKind::CurlySingle, false, true),
            '"' => {
                let open = !self.space_or_edge(next);
                let close = !self.space_or_edge(prev);
                mark(QuoteKind::Straight, open, close)
            }
            '\'' if !apostrophe => {
                let open = !self.space_or_edge(next) && !self.latin_before(i);
                let close = !self.space_or_edge(prev);
                mark(QuoteKind::StraightSingle, open, close)
            }
            _ => None,
        }
    }

    /// Pairs quotation marks: a closer takes the nearest open mark of its
    /// kind, and the open marks after that one stay unpaired.
    fn pair_quotes(&mut self) {
        let mut stack: Vec<(usize, QuoteKind)> = Vec::new();
        for i in 0..self.len() {
            let Some(mark) = self.quote_mark(i) else {
                continue;
            };
            if mark.close {
                if let Some(pos) = stack.iter().rposition(|&(_, k)| k == mark.kind) {
                    let open = stack[pos].0;
                    stack.truncate(pos);
                    self.partner[open] = Some(i);
                    self.partner[i] = Some(open);
                    self.quotes.push(QuotePair {
                        open,
                        close: i,
                        kind: mark.kind,
                    });
                    continue;
                }
            }
            if mark.open {
                stack.push((i, mark.kind));
            }
        }
        self.quotes.sort_by_key(|q| q.open);
    }

    /// A list marker at the start of a line or segment: `1.` `12)`, then a space.
    fn list_marker(&self, i: usize) -> bool {
        let mut k = i;
        while k > 0 && self.digit_at(k - 1) && i - k < 3 {
            k -= 1;
        }
        if k == i || self.digit_before(k) {
            return false;
        }
        while k > 0 && self.ch(k - 1) == Some(' ') {
            k -= 1;
        }
        let line_start =
            k == 0 || self.ch(k - 1) == Some('\n') || self.units[k - 1].seg != self.units[k].seg;
        line_start && self.space_or_edge(Some(i + 1))
    }

    /// The `.` at `i` ends an abbreviation: `e.g.` `U.S.` `etc.` `vs.`.
    fn abbreviation(&self, i: usize) -> bool {
        let mut k = i;
        while k > 0
            && self
                .ch(k - 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || c == '.')
        {
            k -= 1;
        }
        let word: String = (k..i).filter_map(|j| self.ch(j)).collect();
        let word = word.trim_start_matches('.');
        if word.is_empty() {
            return false;
        }
        if word.contains('.') {
            return word.split('.').all(|part| part.len() == 1);
        }
        ABBREVIATIONS.contains(&word.to_ascii_lowercase().as_str())
    }

    /// The mark at `i` belongs to Latin text whatever its neighbours.
    fn latin_bound(&self, i: usize) -> bool {
        let Some(c) = self.ch(i) else { return false };
        let both_digits = self.digit_before(i) && self.digit_at(i + 1);
        let both_latin = self.latin_before(i) && self.latin_at(i + 1);
        match c {
            '.' => {
                self.ch_before(i) == Some('.')
                    || self.ch(i + 1) == Some('.')
                    || self.latin_at(i + 1)
                    || self.abbreviation(i)
                    || self.list_marker(i)
            }
            ',' => both_digits,
            ':' => {
                both_digits
                    || self.ch_before(i) == Some(':')
                    || matches!(self.ch(i + 1), Some(':' | '/' | '\\'))
            }
            '?' => both_latin,
            '!' => both_latin || self.ch(i + 1) == Some('='),
            ')' => self.list_marker(i),
            _ => false,
        }
    }

    /// A sentence end: `。！？`, a converted `.?!`, or a Latin `.?!` before a space.
    fn sentence_end(&self, i: usize) -> bool {
        match self.editable(i) {
            Some('。' | '！' | '？') => true,
            Some('.' | '?' | '!') => {
                self.chinese[i]
                    || (self.ch(i + 1).is_some_and(char::is_whitespace) && !self.latin_bound(i))
            }
            _ => false,
        }
    }

    /// A Han character comes earlier in the sentence of the mark at `i`,
    /// within the bracket or quote that encloses it.
    fn chinese_sentence_before(&self, i: usize) -> bool {
        for j in (0..i).rev() {
            if self.partner[j].is_some_and(|k| k > i) {
                return false;
            }
            if self.sentence_end(j) {
                return false;
            }
            if self.ch(j).is_some_and(is_ideograph) {
                return true;
            }
        }
        false
    }

    /// A Han character comes later in the sentence of the mark at `i`, within
    /// the bracket or quote that encloses it.
    fn chinese_sentence_after(&self, i: usize) -> bool {
        for j in i + 1..self.len() {
            if self.partner[j].is_some_and(|k| k < i) || self.sentence_end(j) {
                return false;
            }
            if self.ch(j).is_some_and(is_ideograph) {
                return true;
            }
        }
        false
    }

    /// A closing bracket or quote that ends a pair.
    fn closer(&self, i: Option<usize>) -> bool {
        i.is_some_and(|i| self.partner[i].is_some_and(|o| o < i))
    }

    /// Whether the half-width mark `,.;:?!` at `i` belongs to the Chinese sentence.
    fn mark_is_chinese(&self, i: usize, c: char) -> bool {
        if self.latin_bound(i) {
            return false;
        }
        let (left, right) = (self.left(i), self.right(i));
        match c {
            ',' | ';' | ':' => {
                // Between Latin words: Chinese when typed without the space
                // English puts after it, in a Chinese sentence.
                let tight = self.units.get(i + 1).is_some_and(|u| match u.tok {
                    Tok::Ch(c) => !c.is_whitespace(),
                    Tok::Opaque { .. } => true,
                });
                self.wide(left)
                    || self.wide(right)
                    || (tight
                        && (self.chinese_sentence_before(i) || self.chinese_sentence_after(i)))
            }
            _ => {
                self.wide(left)
                    || ((self.wide(right) || right.is_none() || self.closer(right))
                        && self.chinese_sentence_before(i))
            }
        }
    }

    fn has_wide(&self, range: Range<usize>) -> bool {
        range.into_iter().any(|k| self.wide_at(k))
    }

    /// `f(x)`, `O(N)`, `softmax(QK^T)`: a formula right after a one-letter or
    /// lowercase Latin word (not `Parallelism(PP)`).
    fn formula(&self, open: usize, close: usize) -> bool {
        let mut k = open;
        while k > 0 && self.ch(k - 1).is_some_and(|c| c.is_ascii_alphabetic()) {
            k -= 1;
        }
        let word: String = (k..open).filter_map(|j| self.ch(j)).collect();
        let function =
            word.len() == 1 || (!word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase()));
        if !function || close == open + 1 {
            return false;
        }
        let mut run = 0;
        for k in open + 1..close {
            let Some(c) = self.ch(k) else { return false };
            if c.is_ascii_alphabetic() {
                run += 1;
                if run > 2 {
                    return false;
                }
            } else if !c.is_ascii() || c == '"' || c == '\'' {
                if !matches!(c, '√' | '×' | '·' | '−') {
                    return false;
                }
                run = 0;
            } else {
                run = 0;
            }
        }
        true
    }

    /// Whether the pair of brackets or quotes `open`…`close` belongs to the Chinese text.
    fn pair_is_chinese(&self, open: usize, close: usize) -> bool {
        self.wide(self.left(open)) || self.wide(self.right(close)) || self.has_wide(open + 1..close)
    }

    /// Decides which marks are Chinese, until nothing changes: a converted mark
    /// is a wide neighbour for the next ones (`(MoE)?` → `（MoE）？`).
    fn decide(&mut self, rules: &Rules) {
        let mut marks = Vec::new();
        let mut parens = Vec::new();
        if rules.punctuation {
            for i in 0..self.len() {
                match self.editable(i) {
                    Some(c @ (',' | '.' | ';' | ':' | '?' | '!')) => marks.push((i, c)),
                    Some('(') => parens.push(i),
                    Some(')') if self.partner[i].is_none_or(|o| self.ch(o) != Some('(')) => {
                        parens.push(i)
                    }
                    _ => {}
                }
            }
        }
        let quotes: Vec<(usize, usize)> = match rules.quotes {
            Some(_) => self.quotes.iter().map(|q| (q.open, q.close)).collect(),
            None => Vec::new(),
        };
        loop {
            let mut changed = false;
            for &(i, c) in &marks {
                if !self.chinese[i] && self.mark_is_chinese(i, c) {
                    self.chinese[i] = true;
                    changed = true;
                }
            }
            for &i in &parens {
                if self.chinese[i] {
                    continue;
                }
                let chinese = match self.partner[i] {
                    // Half of a pair whose other half is already full-width.
                    Some(o) if matches!(self.ch(o), Some('（' | '）')) => true,
                    Some(close) => !self.formula(i, close) && self.pair_is_chinese(i, close),
                    None => {
                        !self.latin_bound(i)
                            && (self.wide(self.left(i)) || self.wide(self.right(i)))
                    }
                };
                if chinese {
                    self.chinese[i] = true;
                    if let Some(other) = self.partner[i] {
                        self.chinese[other] = true;
                    }
                    changed = true;
                }
            }
            for &(open, close) in &quotes {
                if !self.chinese[open] && self.pair_is_chinese(open, close) {
                    self.chinese[open] = true;
                    self.chinese[close] = true;
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
    }

    fn edits(&self, rules: &Rules) -> Vec<Edit> {
        let n = self.len();
        let mut act: Vec<Option<(Option<char>, Rule)>> = vec![None; n];
        if rules.punctuation {
            for (i, a) in act.iter_mut().enumerate() {
                if self.chinese[i] {
                    if let Some(full) = self.editable(i).and_then(fullwidth) {
                        *a = Some((Some(full), Rule::Punctuation));
                    }
                }
            }
        }
        if let Some(style) = rules.quotes {
            // Depth counts the Chinese pairs around a pair; pairs nest.
            let mut around: Vec<usize> = Vec::new();
            for q in &self.quotes {
                let corner = matches!(q.kind, QuoteKind::Corner | QuoteKind::WhiteCorner);
                if !(corner || self.chinese[q.open]) {
                    continue;
                }
                while around.last().is_some_and(|&close| close < q.open) {
                    around.pop();
                }
                let depth = around.len();
                around.push(q.close);
                if q.kind.in_style(style) {
                    continue;
                }
                let (open, close) = style.marks(depth);
                for (i, want) in [(q.open, open), (q.close, close)] {
                    if self.ch(i) != Some(want) {
                        act[i] = Some((Some(want), Rule::Quotes));
                    }
                }
            }
        }
        // Spaces next to a changed mark go with it, unless they set off a dash
        // (`」 - 永远`).
        let dash = |k: usize| matches!(self.ch(k), Some('-' | '–' | '—' | '~'));
        for i in 0..n {
            let Some((Some(_), rule)) = act[i] else {
                continue;
            };
            let mut start = i;
            while start > 0 && self.editable(start - 1) == Some(' ') && act[start - 1].is_none() {
                start -= 1;
            }
            if start == 0 || !dash(start - 1) {
                act[start..i].fill(Some((None, rule)));
            }
            let mut end = i + 1;
            while end < n && self.editable(end) == Some(' ') && act[end].is_none() {
                end += 1;
            }
            if !dash(end) {
                act[i + 1..end].fill(Some((None, rule)));
            }
        }
        if rules.spacing {
            let mut i = 0;
            while i < n {
                if self.editable(i) != Some(' ') {
                    i += 1;
                    continue;
                }
                let start = i;
                while i < n && self.editable(i) == Some(' ') {
                    i += 1;
                }
                let ideograph = |k: usize| self.ch(k).is_some_and(is_ideograph);
                let Some(before) = start.checked_sub(1) else {
                    continue;
                };
                // Full-width punctuation carries its own space: none beside
                // it, unless it faces a dash (`」 - 永远` keeps its spaces).
                let punctuation = |k: usize| self.ch(k).is_some_and(super::is_cjk_punctuation);
                let dash = |k: usize| {
                    self.ch(k)
                        .is_some_and(|c| matches!(c, '-' | '–' | '—' | '―'))
                };
                if (ideograph(before) && self.latin_at(i))
                    || (self.latin_at(before) && ideograph(i))
                    || (punctuation(before) && !dash(i))
                    || (punctuation(i) && !dash(before))
                {
                    for a in &mut act[start..i] {
                        a.get_or_insert((None, Rule::Spacing));
                    }
                }
            }
        }
        self.collect(&act)
    }

    /// Merges per-character actions into edits.
    fn collect(&self, act: &[Option<(Option<char>, Rule)>]) -> Vec<Edit> {
        let mut edits: Vec<Edit> = Vec::new();
        for (unit, a) in self.units.iter().zip(act) {
            let Some((replacement, rule)) = *a else {
                continue;
            };
            match edits.last_mut() {
                Some(last)
                    if last.segment == unit.seg
                        && last.rule == rule
                        && last.range.end == unit.start =>
                {
                    last.range.end = unit.end;
                    last.replacement.extend(replacement);
                }
                _ => edits.push(Edit {
                    segment: unit.seg,
                    range: unit.start..unit.end,
                    replacement: replacement.map(String::from).unwrap_or_default(),
                    rule,
                }),
            }
        }
        edits
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Rules = Rules {
        punctuation: true,
        quotes: Some(QuoteStyle::Corner),
        spacing: true,
    };

    /// Normalizes one Text segment, and checks that doing it again changes nothing.
    fn fix_with(text: &str, rules: &Rules) -> String {
        let edits = normalize(&[Segment::Text(text)], rules);
        check_edits(&[text], &edits);
        let out = apply(&[text], &edits).remove(0);
        let again = normalize(&[Segment::Text(&out)], rules);
        assert!(
            again.is_empty(),
            "not idempotent: {text:?} → {out:?}, then {again:?}"
        );
        out
    }

    fn fix(text: &str) -> String {
        fix_with(text, &ALL)
    }

    /// Edits are sorted, non-overlapping, on character boundaries, and change something.
    fn check_edits(segments: &[&str], edits: &[Edit]) {
        for pair in edits.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(
                (a.segment, a.range.end) <= (b.segment, b.range.start),
                "out of order or overlapping: {a:?} {b:?}"
            );
        }
        for e in edits {
            let text = segments[e.segment];
            assert!(text.is_char_boundary(e.range.start) && text.is_char_boundary(e.range.end));
            assert_ne!(&text[e.range.clone()], e.replacement, "{e:?}");
        }
    }

    fn unchanged(text: &str) {
        assert_eq!(fix(text), text);
    }

    #[test]
    fn golden() {
        let cases = [
            ("能力,但也", "能力，但也"),
            ("能力, 但也", "能力，但也"),
            (
                "混合專家(Mixture-of-Experts, MoE)架構:DeepSeek-V3 擁有 6,710 億參數",
                "混合專家（Mixture-of-Experts, MoE）架構：DeepSeek-V3擁有6,710億參數",
            ),
            ("成本約 1/10 不到。", "成本約1/10不到。"),
            ("什麼是專家混合技術(MoE)?", "什麼是專家混合技術（MoE）？"),
            ("模型 (MoE) 很大", "模型（MoE）很大"),
            (
                "\"相當多一部分人並不想好好工作\"這句話",
                "「相當多一部分人並不想好好工作」這句話",
            ),
            ("他說:\"好.\"", "他說：「好。」"),
            ("OpenAI’s o1 也是", "OpenAI’s o1也是"),
            ("version 3.14 版本", "version 3.14版本"),
            ("這是 version 3.14.", "這是version 3.14。"),
            (
                "1. 專家訓練:每個專家專注於特定數據",
                "1. 專家訓練：每個專家專注於特定數據",
            ),
            (
                "MoE主要通過訓練和推理兩個階段來運作.",
                "MoE主要通過訓練和推理兩個階段來運作。",
            ),
            ("真的嗎?!", "真的嗎？！"),
        ];
        for (input, output) in cases {
            assert_eq!(fix(input), output, "{input}");
        }
    }

    #[test]
    fn latin_text_stays() {
        unchanged("Hello, world.");
        assert!(normalize(&[Segment::Text("Hello, world.")], &ALL).is_empty());
        unchanged("We use large models (e.g. GPT-4) for this, i.e. big ones.");
        unchanged("1,000");
        unchanged("the model (GPT-4) is fine");
        // An English run inside Chinese text keeps its punctuation.
        assert_eq!(
            fix("他寫道 the model (e.g. GPT-4) is big, and fast 。"),
            "他寫道the model (e.g. GPT-4) is big, and fast。"
        );
        // Han earlier in the sentence makes it Chinese.
        assert_eq!(fix("我說 I use GPT. 然後"), "我說I use GPT。然後");
        assert_eq!(fix("I use GPT. 然後呢"), "I use GPT. 然後呢");
        // English-spaced punctuation between Latin words stays ...
        assert_eq!(fix("使用 GPT, Claude 和 Gemini"), "使用GPT, Claude和Gemini");
        assert_eq!(
            fix("- Google Gemini: Gemini在其訓練"),
            "- Google Gemini: Gemini在其訓練"
        );
        // ... but typed tight in a Chinese sentence it is Chinese.
        assert_eq!(
            fix("如果沒有ChatGPT,OpenAI現在可能"),
            "如果沒有ChatGPT，OpenAI現在可能"
        );
        assert_eq!(fix("ChatGPT,OpenAI現在可能"), "ChatGPT，OpenAI現在可能");
        assert_eq!(
            fix("視覺Transformer(ViTs):Google的"),
            "視覺Transformer（ViTs）：Google的"
        );
        assert_eq!(
            fix("專家混合技術(Mixture of Experts,MoE)架構"),
            "專家混合技術（Mixture of Experts,MoE）架構"
        );
        assert_eq!(fix("使用 std::vec 模組"), "使用std::vec模組");
        unchanged("He wrote a,b and c;d");
    }

    #[test]
    fn numbers_and_abbreviations() {
        assert_eq!(fix("準確率為77.5%,高於 1.5%"), "準確率為77.5%，高於1.5%");
        assert_eq!(
            fix("比例是 16:9,時間 0:00-7:59"),
            "比例是16:9，時間0:00-7:59"
        );
        assert_eq!(fix("成本約1/10000,性能提升"), "成本約1/10000，性能提升");
        assert_eq!(fix("例如(e.g. GPT-4)很強"), "例如（e.g. GPT-4）很強");
        assert_eq!(fix("蘋果、香蕉 etc. 都是"), "蘋果、香蕉etc. 都是");
        assert_eq!(fix("美國 U.S. 的政策"), "美國U.S. 的政策");
        assert_eq!(fix("GPT vs. Claude 之爭"), "GPT vs. Claude之爭");
        assert_eq!(fix("採用 V3.5 版本"), "採用V3.5版本");
        assert_eq!(fix("請看 a.md 文件"), "請看a.md文件");
        assert_eq!(fix("使用.NET框架"), "使用.NET框架");
        assert_eq!(fix("然後...再說"), "然後...再說");
        assert_eq!(fix("版本是 3."), "版本是3。");
    }

    #[test]
    fn urls_and_emails() {
        assert_eq!(
            fix("所以说毛坯房抑制左倾。 <http://t.cn/A63SL70V>"),
            "所以说毛坯房抑制左倾。<http://t.cn/A63SL70V>"
        );
        assert_eq!(
            fix("見http://t.cn/A63SL70V,或 https://example.com/a_(b)?x=1,y=2."),
            "見http://t.cn/A63SL70V，或https://example.com/a_(b)?x=1,y=2。"
        );
        assert_eq!(
            fix("網址:www.example.com,謝謝"),
            "網址：www.example.com，謝謝"
        );
        assert_eq!(
            fix("寫信到 a.b@example.com.tw,謝謝"),
            "寫信到a.b@example.com.tw，謝謝"
        );
        assert_eq!(fix("看 'http://x.cn/a'b 嗎"), "看 'http://x.cn/a'b嗎");
    }

    #[test]
    fn ellipses_and_dashes_stay() {
        unchanged("類似的故事還有太多……");
        unchanged("數字問題——它還涉及");
        assert_eq!(fix("數字問題——, 它"), "數字問題——，它");
        unchanged("有点当年的感觉了。。😇");
    }

    #[test]
    fn parentheses() {
        assert_eq!(
            fix("16-way Pipeline Parallelism(PP)、64-way"),
            "16-way Pipeline Parallelism（PP）、64-way"
        );
        assert_eq!(
            fix("我們用 MoE (Mixture of Experts)."),
            "我們用MoE（Mixture of Experts）。"
        );
        assert_eq!(
            fix("DeepSeek (深度求索) is a company"),
            "DeepSeek（深度求索）is a company"
        );
        assert_eq!(fix("GPT-4 (OpenAI), 它"), "GPT-4（OpenAI），它");
        // Nested and mixed.
        assert_eq!(fix("模型(如 GPT(4))很強"), "模型（如GPT（4））很強");
        assert_eq!(fix("模型（MoE)很強"), "模型（MoE）很強");
        // Unbalanced: each by its own context.
        assert_eq!(fix("模型(MoE 很強"), "模型（MoE很強");
        assert_eq!(fix("a (b 很強"), "a (b很強");
        assert_eq!(fix("MoE) 很強"), "MoE）很強");
        // Formulas stay.
        assert_eq!(fix("計算f(x)的值"), "計算f(x)的值");
        assert_eq!(
            fix("再做 softmax(QK^T/√d) 運算"),
            "再做softmax(QK^T/√d) 運算"
        );
        assert_eq!(fix("一個token(標記)"), "一個token（標記）");
        // List markers.
        assert_eq!(fix("1) 第一項"), "1) 第一項");
    }

    #[test]
    fn quotes_corner() {
        assert_eq!(fix("他說\"我聽到'好'了\""), "他說「我聽到『好』了」");
        assert_eq!(fix("“原因”時,他們"), "「原因」時，他們");
        assert_eq!(fix("「他說\"好\"」"), "「他說『好』」");
        assert_eq!(
            fix("他說 \"Hello, world.\" 然後"),
            "他說「Hello, world.」然後"
        );
        assert_eq!(fix("他說:\"OK.\"然後"), "他說：「OK.」然後");
        assert_eq!(fix("Jay “对谈”了一期"), "Jay「对谈」了一期");
        // Three levels alternate.
        assert_eq!(fix("“一‘二“三”二’一”"), "「一『二「三」二』一」");
        // Already corner: untouched, 『書名』 included.
        unchanged("他讀了『書名』，說「好」。");
        assert_eq!(
            fix("他讀了『書名』,說「好」。"),
            "他讀了『書名』，說「好」。"
        );
    }

    #[test]
    fn quotes_that_stay() {
        unchanged("OpenAI’s o1也是");
        unchanged("他說don't和it's都對");
        assert_eq!(
            fix("the word \"hello\" is English, 中文"),
            "the word \"hello\" is English，中文"
        );
        // Unbalanced quotes are left alone.
        unchanged("他說\"好");
        unchanged("users’ 數據");
        assert_eq!(fix("users’數據"), "users’數據");
        unchanged("他說 '90s的音樂");
        // Latin quotes inside an English run.
        unchanged("中文。He said “hello” to me and left");
    }

    #[test]
    fn quotes_curly() {
        let curly = Rules::all(QuoteStyle::Curly);
        let fix = |s: &str| fix_with(s, &curly);
        assert_eq!(fix("\"相當多一部分人\"這句話"), "“相當多一部分人”這句話");
        assert_eq!(fix("他說\"我聽到'好'了\""), "他說“我聽到‘好’了”");
        assert_eq!(fix("他說「我聽到『好』了」"), "他說“我聽到‘好’了”");
        assert_eq!(fix("这种“四两拨千斤”的模式"), "这种“四两拨千斤”的模式");
        assert_eq!(fix("OpenAI’s o1 也是"), "OpenAI’s o1也是");
    }

    #[test]
    fn rules_can_be_turned_off() {
        let text = "他說:\"好\", 用 GPT 吧";
        let only = |punctuation, quotes, spacing| {
            fix_with(
                text,
                &Rules {
                    punctuation,
                    quotes,
                    spacing,
                },
            )
        };
        assert_eq!(only(true, None, false), "他說：\"好\"，用 GPT 吧");
        assert_eq!(
            only(false, Some(QuoteStyle::Corner), false),
            "他說:「好」, 用 GPT 吧"
        );
        assert_eq!(only(false, None, true), "他說:\"好\", 用GPT吧");
        assert_eq!(only(false, None, false), text);
    }

    #[test]
    fn spacing() {
        assert_eq!(fix("在 2016 年售價 25 萬美元"), "在2016年售價25萬美元");
        assert_eq!(fix("使用 Transformer 架構"), "使用Transformer架構");
        assert_eq!(fix("two Latin words 中文"), "two Latin words中文");
        assert_eq!(fix("two Latin words  中文"), "two Latin words中文");
        assert_eq!(fix("達到 95% 設置"), "達到95% 設置");
        unchanged("中文 — 英文");
        assert_eq!(
            fix("他说\"就像今天一样\" - 永远"),
            "他说「就像今天一样」 - 永远"
        );
        assert_eq!(fix("他说, - 永远"), "他说， - 永远");
        assert_eq!(
            fix("人心。 因為 「好」 DeepSeek。 "),
            "人心。因為「好」DeepSeek。"
        );
    }

    #[test]
    fn edits_report_rules_and_ranges() {
        let edits = normalize(&[Segment::Text("能力, 但也 GPT")], &ALL);
        assert_eq!(
            edits,
            vec![
                Edit {
                    segment: 0,
                    range: 6..8,
                    replacement: "，".into(),
                    rule: Rule::Punctuation,
                },
                Edit {
                    segment: 0,
                    range: 14..15,
                    replacement: String::new(),
                    rule: Rule::Spacing,
                },
            ]
        );
        assert_eq!(Rule::Spacing.name(), "spacing");
    }

    #[test]
    fn opaque_segments_are_context() {
        // `code` , 但是 → the comma sits between Latin code and Han.
        let segs = [
            Segment::Text("使用 "),
            Segment::Opaque { latin: true },
            Segment::Text(", 但是"),
        ];
        let edits = normalize(&segs, &ALL);
        assert_eq!(
            apply(&["使用 ", "", ", 但是"], &edits),
            ["使用", "", "，但是"]
        );
        assert!(edits.iter().all(|e| e.segment != 1));
        // A footnote mark is neutral: context looks past it.
        let segs = [
            Segment::Text("能力"),
            Segment::Opaque { latin: false },
            Segment::Text(",但也"),
        ];
        let edits = normalize(&segs, &ALL);
        assert_eq!(
            apply(&["能力", "", ",但也"], &edits),
            ["能力", "", "，但也"]
        );
        // A sentence ending with code.
        let segs = [
            Segment::Text("請執行 "),
            Segment::Opaque { latin: true },
            Segment::Text("."),
        ];
        let edits = normalize(&segs, &ALL);
        assert_eq!(apply(&["請執行 ", "", "."], &edits), ["請執行", "", "。"]);
        // Emphasis splits text: context and spaces cross segments.
        let segs = [Segment::Text("很**重要** "), Segment::Text(", 但也")];
        let edits = normalize(&segs, &ALL);
        assert_eq!(
            apply(&["很**重要** ", ", 但也"], &edits),
            ["很**重要**", "，但也"]
        );
        // Quotes pair across segments.
        let segs = [
            Segment::Text("他說\""),
            Segment::Text("好"),
            Segment::Text("\"。"),
        ];
        let edits = normalize(&segs, &ALL);
        assert_eq!(
            apply(&["他說\"", "好", "\"。"], &edits),
            ["他說「", "好", "」。"]
        );
    }

    #[test]
    fn markdown_left_overs_are_safe() {
        unchanged("| 名稱 | 數值 |");
        unchanged("- 效率：僅激活");
        assert_eq!(fix("2. 門控網絡訓練:門控網絡"), "2. 門控網絡訓練：門控網絡");
        assert_eq!(fix("   - 查詢(Query):表示"), "   - 查詢（Query）：表示");
    }

    /// The library's Chinese articles: every paragraph normalizes to a fixed
    /// point, no edit touches a URL, a digit separator or Markdown syntax.
    #[test]
    fn library() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("books/articles");
        let Ok(dirs) = std::fs::read_dir(&root) else {
            return;
        };
        let mut counts = [0usize; 3];
        let mut paths: Vec<_> = dirs.flatten().map(|d| d.path()).collect();
        paths.sort();
        for dir in paths {
            let mut files: Vec<_> = std::fs::read_dir(&dir)
                .unwrap()
                .flatten()
                .map(|f| f.path())
                .collect();
            files.sort();
            for file in files {
                let name = file.file_name().unwrap().to_string_lossy().into_owned();
                if !name.starts_with("zh-") {
                    continue;
                }
                let source = std::fs::read_to_string(&file).unwrap();
                let body = source.splitn(3, "+++\n").nth(2).unwrap_or(&source);
                for paragraph in body.split("\n\n") {
                    // One segment per line, soft breaks included.
                    let lines: Vec<&str> = paragraph.split_inclusive('\n').collect();
                    let segs: Vec<Segment> = lines.iter().map(|l| Segment::Text(l)).collect();
                    for rules in [ALL, Rules::all(QuoteStyle::Curly)] {
                        let edits = normalize(&segs, &rules);
                        check_edits(&lines, &edits);
                        for e in &edits {
                            if rules.quotes == Some(QuoteStyle::Corner) {
                                counts[e.rule as usize] += 1;
                            }
                            let line = lines[e.segment];
                            let old = &line[e.range.clone()];
                            assert!(
                                !old.contains(['/', '|', '#', '-', '*', '`']),
                                "{name}: {old:?} in {line}"
                            );
                            let before = line[..e.range.start].chars().next_back();
                            let after = line[e.range.end..].chars().next();
                            if old == "," || old == "." || old == ":" {
                                assert!(
                                    !(before.is_some_and(|c| c.is_ascii_digit())
                                        && after.is_some_and(|c| c.is_ascii_digit())),
                                    "{name}: {line}"
                                );
                            }
                            let url = line.find("http").is_some_and(|u| {
                                let end = line[u..]
                                    .find(|c: char| c == '>' || c.is_whitespace() || !c.is_ascii())
                                    .map_or(line.len(), |k| u + k);
                                e.range.start < end && e.range.end > u
                            });
                            assert!(!url, "{name}: edit inside a URL: {line}");
                        }
                        let fixed = apply(&lines, &edits);
                        let fixed_refs: Vec<&str> = fixed.iter().map(String::as_str).collect();
                        let segs: Vec<Segment> =
                            fixed_refs.iter().map(|l| Segment::Text(l)).collect();
                        let again = normalize(&segs, &rules);
                        assert!(
                            again.is_empty(),
                            "{name}: not idempotent: {fixed:?} {again:?}"
                        );
                    }
                }
            }
        }
        println!(
            "library edits: punctuation {}, quotes {}, spacing {}",
            counts[0], counts[1], counts[2]
        );
    }
}
