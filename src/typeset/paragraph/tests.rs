//! Each rule of the paragraph setter, with a paragraph built to trigger it.

use std::sync::OnceLock;

use super::breaks::{no_line_end, no_line_start};
use super::items::{Item, ItemKind};
use super::*;
use crate::fonts::Face;

const SIZE: f32 = 10.0;

fn fonts() -> &'static ShapingFonts<'static> {
    static SHAPING: OnceLock<ShapingFonts<'static>> = OnceLock::new();
    SHAPING.get_or_init(|| ShapingFonts::new(crate::fonts::for_tests()))
}

fn piece(text: &str, lang: Lang) -> Piece<'_> {
    Piece {
        text,
        lang,
        style: TextStyle::default(),
        size: SIZE,
        tag: None,
        source: 0,
        node: None,
    }
}

fn en(text: &str) -> Piece<'_> {
    piece(text, Lang::En)
}

fn hant(text: &str) -> Piece<'_> {
    piece(text, Lang::ZhHant)
}

fn hans(text: &str) -> Piece<'_> {
    piece(text, Lang::ZhHans)
}

fn spec(base: Lang, measure_em: f32, justify: bool) -> ParagraphSpec {
    ParagraphSpec {
        base,
        han_in_english: Lang::ZhHant,
        measure: measure_em * SIZE,
        first_indent: 0.0,
        justify,
        spread: true,
        hyphenate: true,
    }
}

fn set(pieces: &[Piece], spec: &ParagraphSpec) -> (Vec<Line>, Vec<Overfull>) {
    set_paragraph(pieces, spec, fonts())
}

fn texts(lines: &[Line]) -> Vec<&str> {
    lines.iter().map(|l| l.text.as_str()).collect()
}

/// Every glyph of some runs: (its text, x from the line start, face).
fn glyphs(runs: &[TextRun]) -> Vec<(String, f32, Face)> {
    runs.iter()
        .flat_map(|r| {
            r.glyphs
                .iter()
                .map(move |g| (r.text_of(g).to_string(), r.x + g.x, r.face))
        })
        .collect()
}

/// The x of the glyph standing for `text` (its first occurrence).
fn x_of(runs: &[TextRun], text: &str) -> f32 {
    glyphs(runs)
        .into_iter()
        .find(|g| g.0 == text)
        .unwrap_or_else(|| panic!("no glyph for {text:?}"))
        .1
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 0.01
}

const HANT: &str = "在人工智慧的發展史上，「注意力機制」是一個轉捩點。研究者發現：模型若能在每一步都「看見」整個句子，就不必再依賴循環結構——這使得訓練可以大規模平行化……然而，代價是計算量隨序列長度平方增長（這一點至今仍是難題）。有人問：「這真的值得嗎？」答案是肯定的；至少在《注意力就是一切》發表之後，幾乎所有大型語言模型都採用了這種架構。“開放”與‘封閉’之爭，也因此更加激烈、更加公開。";

const ENGLISH: &str = "The transformer architecture replaced recurrence with attention, allowing every position in a sequence to attend directly to every other position. This made training massively parallelizable on modern accelerators, although the computational cost grows quadratically with the sequence length. Researchers have since proposed sparse, linearized and hierarchical approximations, each trading some representational flexibility for efficiency; nevertheless, the original formulation remains remarkably competitive in practice.";

// 1. Shaping.

#[test]
fn ligatures_carry_their_text_and_kerning_applies() {
    let f = fonts();
    let (runs, _) = f.shape_line(&[en("office fluff fine")], Lang::En, Lang::ZhHant);
    let all = glyphs(&runs);
    let copied: String = all.iter().map(|g| g.0.as_str()).collect();
    assert_eq!(copied, "office fluff fine", "copying gives the text back");
    assert!(all.iter().any(|g| g.0 == "fi" || g.0 == "ffi"), "{all:?}");
    assert!(all.len() < "office fluff fine".len());
    // Kerning: "AV" is tighter than "A" then "V".
    let w = |t: &str| f.shape_line(&[en(t)], Lang::En, Lang::ZhHant).1;
    assert!(w("AVAV") < 2.0 * (w("A") + w("V")) - 0.1);
}

#[test]
fn fallback_splits_pieces_into_runs_of_one_face() {
    let f = fonts();
    let faces = |p: &[Piece], han: Lang| -> Vec<Face> {
        f.shape_line(p, Lang::En, han)
            .0
            .iter()
            .map(|r| r.face)
            .collect()
    };
    assert_eq!(
        faces(&[en("see 中文 here")], Lang::ZhHant),
        [Face::Latin, Face::SerifHant, Face::Latin]
    );
    assert_eq!(
        faces(&[en("see 中文 here")], Lang::ZhHans),
        [Face::Latin, Face::SerifHans, Face::Latin]
    );
    let code = Piece {
        style: TextStyle {
            mono: true,
            ..TextStyle::default()
        },
        ..en("x = 1")
    };
    assert_eq!(faces(&[code], Lang::ZhHant), [Face::Mono]);
    let strong = Piece {
        style: TextStyle {
            bold: true,
            ..TextStyle::default()
        },
        ..hans("重点")
    };
    assert_eq!(
        f.shape_line(&[strong], Lang::ZhHans, Lang::ZhHant).0[0].face,
        Face::HeadingHans
    );
}

#[test]
fn quotes_are_proportional_in_english_and_full_width_in_chinese() {
    let f = fonts();
    let (runs, width) = f.shape_line(&[en("“a”")], Lang::En, Lang::ZhHant);
    assert!(runs.iter().all(|r| r.face == Face::Latin));
    assert!(width < 2.0 * SIZE, "{width}");
    let (runs, width) = f.shape_line(&[hant("“好”")], Lang::ZhHant, Lang::ZhHant);
    assert!(runs.iter().all(|r| r.face == Face::SerifHant));
    // Full-width quotes with the inner halves kept: 1 + 1 + 1, less the
    // closing quote's trailing blank at the end of the line.
    assert!(close(width, 2.5 * SIZE), "{width}");
}

#[test]
fn emoji_and_dingbats_are_drawn_from_the_symbol_face() {
    for (text, lang) in [
        (en("A smile 😇 ✨"), Lang::En),
        (hant("微笑😇✨。"), Lang::ZhHant),
    ] {
        let (lines, _) = set(&[text], &spec(lang, 20.0, true));
        let runs: Vec<_> = lines.iter().flat_map(|l| &l.runs).collect();
        let symbols: Vec<_> = runs.iter().filter(|r| r.face == Face::Symbols).collect();
        let drawn: String = symbols
            .iter()
            .flat_map(|r| r.glyphs.iter().map(|g| r.text_of(g)))
            .collect();
        assert_eq!(drawn, "😇✨");
        let space = fonts().face(Face::Symbols).space;
        assert!(symbols
            .iter()
            .flat_map(|r| &r.glyphs)
            .all(|g| g.id != 0 && Some(g.id) != space));
    }
}

#[test]
fn uncovered_characters_are_blanks_never_notdef() {
    let (lines, _) = set(&[en("a𐌀b")], &spec(Lang::En, 20.0, true));
    let all = glyphs(&lines[0].runs);
    assert!(lines[0]
        .runs
        .iter()
        .flat_map(|r| &r.glyphs)
        .all(|g| g.id != 0));
    // The letter is the space glyph, copied as the letter.
    assert_eq!(
        all.iter().map(|g| g.0.as_str()).collect::<Vec<_>>(),
        ["a", "𐌀", "b"]
    );
    let blank = lines[0]
        .runs
        .iter()
        .flat_map(|r| r.glyphs.iter().map(move |g| (r, g)));
    let (run, blank) = blank.clone().nth(1).unwrap();
    assert_eq!(run.text_of(blank), "𐌀");
    assert_eq!(blank.id, fonts().face(run.face).space.unwrap());
    assert_eq!(lines[0].text, "a𐌀b");

    // Between Latin words in Chinese text it keeps the Han–Latin spacing
    // on both sides, as the EPUB does.
    let (lines, _) = set(&[hant("Ext-B 𪚥 and")], &spec(Lang::ZhHant, 20.0, false));
    assert_eq!(lines[0].text, "Ext-B 𪚥 and");
    let all = glyphs(&lines[0].runs);
    let x = |t: &str| all.iter().find(|g| g.0 == t).unwrap().1;
    // B, a space, the blank (1 em), a space, a.
    assert!(x("𪚥") - x("B") > SIZE * 0.8, "{all:?}");
    assert!(x("a") - x("𪚥") > SIZE * 1.2, "{all:?}");
}

// 2. Break opportunities and kinsoku.

#[test]
fn kinsoku_holds_at_every_measure() {
    let source: String = HANT.chars().filter(|c| !c.is_whitespace()).collect();
    for measure in 6..=30 {
        let spec = ParagraphSpec {
            first_indent: 2.0 * SIZE,
            ..spec(Lang::ZhHant, measure as f32, true)
        };
        let (lines, overfull) = set(&[hant(HANT)], &spec);
        assert!(overfull.is_empty(), "{measure}: {overfull:?}");
        assert_eq!(
            texts(&lines).concat(),
            source,
            "nothing lost at {measure} em"
        );
        for (i, line) in lines.iter().enumerate() {
            let first = line.text.chars().next().unwrap();
            let last = line.text.chars().next_back().unwrap();
            assert!(line.width <= spec.measure + 0.01, "{measure}: {line:?}");
            if i > 0 {
                assert!(
                    !no_line_start(first) && !matches!(first, '”' | '’'),
                    "{measure} em: line starts with {first}: {:?}",
                    texts(&lines)
                );
            }
            if i + 1 < lines.len() {
                assert!(
                    !no_line_end(last) && !matches!(last, '“' | '‘'),
                    "{measure} em: line ends with {last}: {:?}",
                    texts(&lines)
                );
                let next = lines[i + 1].text.chars().next().unwrap();
                assert!(
                    !matches!((last, next), ('—', '—') | ('…', '…')),
                    "{measure} em: split dash or ellipsis: {:?}",
                    texts(&lines)
                );
                // Justified lines fill the measure exactly.
                assert!(close(line.width, spec.measure), "{measure}: {line:?}");
            }
        }
    }
}

#[test]
fn han_breaks_anywhere_and_one_line_fits_exactly() {
    let (lines, _) = set(
        &[hant("一二三四五六七八九十一二三")],
        &spec(Lang::ZhHant, 10.0, true),
    );
    assert_eq!(texts(&lines), ["一二三四五六七八九十", "一二三"]);
    assert!(close(lines[0].width, 100.0));
}

#[test]
fn hyphenation_in_english_only_for_long_words() {
    let text = "Internationalization of representational responsibilities requires extraordinary considerations.";
    let (lines, _) = set(&[en(text)], &spec(Lang::En, 12.0, true));
    let hyphenated: Vec<&Line> = lines.iter().filter(|l| l.hyphenated).collect();
    assert!(!hyphenated.is_empty(), "{:?}", texts(&lines));
    for line in &hyphenated {
        assert!(line.text.ends_with('-'));
        // The added hyphen is drawn but not copied.
        let run = line.runs.last().unwrap();
        assert_eq!(run.text_of(run.glyphs.last().unwrap()), "");
    }
    // Without the break hyphens, the words are whole.
    let joined: String = lines
        .iter()
        .map(|l| {
            l.text
                .strip_suffix('-')
                .filter(|_| l.hyphenated)
                .unwrap_or(&l.text)
        })
        .collect::<Vec<_>>()
        .join(" ")
        .replace("- ", "-");
    assert_eq!(joined.replace(' ', ""), text.replace(' ', ""));

    let short = "This text uses only very tiny word sets with four or less that none can ever hyph";
    for measure in [6.0, 8.0, 10.0] {
        let (lines, _) = set(&[en(short)], &spec(Lang::En, measure, true));
        assert!(lines.iter().all(|l| !l.hyphenated), "{:?}", texts(&lines));
    }
    let off = ParagraphSpec {
        hyphenate: false,
        ..spec(Lang::En, 12.0, true)
    };
    let (lines, _) = set(&[en(text)], &off);
    assert!(lines.iter().all(|l| !l.hyphenated));
}

#[test]
fn at_most_two_hyphenated_lines_in_a_row() {
    let text = ENGLISH.repeat(3);
    for measure in [9.0, 11.0, 13.0, 16.0, 20.0] {
        let (lines, _) = set(&[en(&text)], &spec(Lang::En, measure, true));
        for w in lines.windows(3) {
            assert!(!w.iter().all(|l| l.hyphenated), "{measure}: {:?}", texts(w));
        }
    }
}

#[test]
fn soft_hyphens_are_break_points_and_invisible() {
    let text = "a super\u{AD}cali\u{AD}fragilistic word";
    let (lines, _) = set(&[en(text)], &spec(Lang::En, 7.0, false));
    assert!(lines.iter().any(|l| l.hyphenated), "{:?}", texts(&lines));
    assert!(lines.iter().all(|l| !l.text.contains('\u{AD}')));
}

// 3. Knuth–Plass, glue and punctuation.

#[test]
fn justified_english_lines_fill_the_measure_and_the_last_is_ragged() {
    let (lines, _) = set(&[en(ENGLISH)], &spec(Lang::En, 30.0, true));
    let (last, rest) = lines.split_last().unwrap();
    for line in rest {
        assert!(close(line.width, 300.0), "{line:?}");
    }
    assert!(last.width < 300.0 - 1.0);
    // Words are separated: inter-word spaces carry a space glyph.
    assert!(glyphs(&rest[0].runs).iter().any(|g| g.0 == " "));
}

#[test]
fn ragged_right_keeps_natural_spaces() {
    let (lines, _) = set(&[en(ENGLISH)], &spec(Lang::En, 30.0, false));
    assert!(lines.len() > 3);
    assert!(lines.iter().all(|l| l.width <= 300.0 + 0.01));
    // Every line is set at its natural width: as shape_line sets its text.
    for line in &lines {
        let text = line
            .text
            .strip_suffix('-')
            .filter(|_| line.hyphenated)
            .unwrap_or(&line.text);
        let (_, natural) = fonts().shape_line(&[en(text)], Lang::En, Lang::ZhHant);
        let hyphen = if line.hyphenated { 3.1 } else { 0.0 };
        assert!(
            (line.width - natural - hyphen).abs() < 0.05,
            "{line:?} vs {natural}"
        );
    }
}

#[test]
fn total_fit_is_no_worse_than_first_fit() {
    use super::knuth_plass::{breaks, line_start, sums, total_demerits, Params};
    let text = ENGLISH.repeat(2);
    let pieces = [en(&text)];
    for measure in [14.0f32, 18.0, 22.0, 26.0, 30.0] {
        let mut shaped = Shaped::default();
        shape::shape_paragraph(fonts(), &pieces, Lang::En, Lang::ZhHant, &mut shaped);
        let flags = break_flags(&shaped, &pieces, false);
        items::punctuation(&mut shaped, fonts());
        let mut list = Vec::new();
        let options = Options {
            justify: true,
            track: false,
            spread: true,
            hyphenate: false,
            emergency: &[],
        };
        items::build(&shaped, &flags, fonts(), &options, &mut list);
        let mut s = Vec::new();
        sums(&list, &mut s);
        let params = Params {
            measure: measure * SIZE,
            first_indent: 0.0,
            rightskip: 0.0,
            orphan: false,
        };
        let best = breaks(&list, &s, &params);
        // First fit: the last legal break where the line still fits.
        let mut greedy = Vec::new();
        let mut start = line_start(&list, None);
        let mut candidate = None;
        let mut i = 0;
        while i < list.len() {
            let legal = list[i].is_break(i.checked_sub(1).map(|j| &list[j]));
            if legal {
                let items = &list[start..i];
                let width: f32 = items
                    .iter()
                    .filter(|i| i.kind != ItemKind::Penalty)
                    .map(|i| i.width)
                    .sum();
                let shrink: f32 = items.iter().map(|i| i.shrink).sum();
                if width - shrink > params.measure {
                    let b = candidate.take().expect("a word fits");
                    greedy.push(b);
                    start = line_start(&list, Some(b));
                    i = b + 1;
                    continue;
                }
                candidate = Some(i);
            }
            i += 1;
        }
        greedy.push(list.len() - 1);
        let (best, greedy) = (
            total_demerits(&list, &s, &params, &best),
            total_demerits(&list, &s, &params, &greedy),
        );
        assert!(best <= greedy, "{measure}: {best} > {greedy}");
    }
}

#[test]
fn han_latin_glue_is_a_quarter_em_and_replaces_a_space() {
    let f = fonts();
    for pieces in [
        vec![hant("使用"), en("GPU"), hant("訓練")],
        vec![hant("使用 "), en("GPU"), hant(" 訓練")],
    ] {
        let (runs, width) = f.shape_line(&pieces, Lang::ZhHant, Lang::ZhHant);
        assert!(close(x_of(&runs, "G"), 20.0 + 2.5), "{runs:?}");
        let gpu = f.shape_line(&[en("GPU")], Lang::En, Lang::ZhHant).1;
        assert!(close(x_of(&runs, "訓"), 22.5 + gpu + 2.5));
        assert!(close(width, 22.5 + gpu + 2.5 + 20.0));
    }
    // Digits too, inside one piece.
    let (runs, _) = f.shape_line(&[hant("共3個")], Lang::ZhHant, Lang::ZhHant);
    assert!(close(x_of(&runs, "3"), 12.5));
    // A number with its % is one unit: a quarter em on each side of it.
    let (runs, _) = f.shape_line(&[hant("約10%的")], Lang::ZhHant, Lang::ZhHant);
    let number = f.shape_line(&[hant("10%")], Lang::ZhHant, Lang::ZhHant).1;
    assert!(close(x_of(&runs, "1"), 12.5), "{runs:?}");
    assert!(close(x_of(&runs, "的"), 12.5 + number + 2.5), "{runs:?}");
}

#[test]
fn han_latin_glue_vanishes_at_line_ends() {
    let mut pieces = Vec::new();
    for _ in 0..12 {
        pieces.extend([hant("模型"), en("Transformer"), hant("架構")]);
    }
    for measure in [7.0, 9.0, 11.0, 13.0] {
        let (lines, _) = set(&pieces, &spec(Lang::ZhHant, measure, false));
        for line in &lines {
            let first = glyphs(&line.runs)[0].1;
            assert!(close(first, 0.0), "{measure}: {line:?}");
            assert!(line.width <= measure * SIZE + 0.01);
            // A ragged line ends at its last glyph's advance: no trailing glue.
            let last = match line.text.chars().next_back().unwrap() {
                c if crate::text::is_han(c) => SIZE,
                c => {
                    let s = c.to_string();
                    fonts().shape_line(&[en(&s)], Lang::En, Lang::ZhHant).1
                }
            };
            let end = x_of_last(&line.runs) + last;
            assert!(close(line.width, end), "{measure}: {line:?}");
        }
    }
}

fn x_of_last(runs: &[TextRun]) -> f32 {
    glyphs(runs).last().unwrap().1
}

#[test]
fn adjacent_punctuation_is_squeezed() {
    let f = fonts();
    // Mainland forms: 。 and 」 sit left, 「 right; each pair takes 1.5 em.
    let (runs, width) = f.shape_line(&[hans("好。」对")], Lang::ZhHans, Lang::ZhHans);
    assert!(
        close(x_of(&runs, "对") - x_of(&runs, "。"), 15.0),
        "{runs:?}"
    );
    assert!(close(width, 35.0));
    let (runs, _) = f.shape_line(&[hans("好」「对")], Lang::ZhHans, Lang::ZhHans);
    assert!(
        close(x_of(&runs, "对") - x_of(&runs, "」"), 15.0),
        "{runs:?}"
    );
    let (runs, _) = f.shape_line(&[hans("说：「好")], Lang::ZhHans, Lang::ZhHans);
    assert!(
        close(x_of(&runs, "好") - x_of(&runs, "："), 15.0),
        "{runs:?}"
    );
    // Taiwan forms: 。 is centred, so only its own right quarter goes.
    let (runs, _) = f.shape_line(&[hant("好。」對")], Lang::ZhHant, Lang::ZhHant);
    assert!(
        close(x_of(&runs, "對") - x_of(&runs, "。"), 17.5),
        "{runs:?}"
    );
    let (runs, _) = f.shape_line(&[hant("好，「對")], Lang::ZhHant, Lang::ZhHant);
    assert!(
        close(x_of(&runs, "對") - x_of(&runs, "，"), 15.0),
        "{runs:?}"
    );
    // Not squeezed when apart.
    let (runs, _) = f.shape_line(&[hans("好，对")], Lang::ZhHans, Lang::ZhHans);
    assert!(
        close(x_of(&runs, "对") - x_of(&runs, "，"), 10.0),
        "{runs:?}"
    );
}

#[test]
fn line_end_punctuation_hangs_within_the_measure() {
    // Eight characters and a comma: 8.5 em in Mainland forms.
    let (lines, _) = set(
        &[hans("一二三四五六七八，一二三四五六七八九十。")],
        &spec(Lang::ZhHans, 8.5, true),
    );
    assert_eq!(lines[0].text, "一二三四五六七八，");
    assert!(close(lines[0].width, 85.0));
    assert!(close(x_of_last(&lines[0].runs), 80.0));
    // Taiwan forms keep the comma's left quarter: 8.75 em.
    let (lines, _) = set(
        &[hant("一二三四五六七八，一二三四五六七八九十。")],
        &spec(Lang::ZhHant, 8.75, true),
    );
    assert_eq!(lines[0].text, "一二三四五六七八，");
    assert!(close(lines[0].width, 87.5));
}

#[test]
fn justification_stretches_spaces_and_han_latin_glue_first() {
    let word = Item {
        stretch: 2.0,
        stretch2: 0.0,
        ..glue()
    };
    let han = Item {
        stretch: 0.0,
        stretch2: 0.8,
        ..glue()
    };
    // Line totals: two word glues (4) and ten CJK glues (8).
    assert!(close(adjustment(&word, 3.0, 4.0, 8.0, 0.0), 1.5));
    assert!(close(adjustment(&han, 3.0, 4.0, 8.0, 0.0), 0.0));
    // Beyond the first-order stretch, the CJK glue takes the rest.
    assert!(close(adjustment(&word, 8.0, 4.0, 8.0, 0.0), 2.0));
    assert!(close(adjustment(&han, 8.0, 4.0, 8.0, 0.0), 0.4));
    // On a real line short by more than its Han–Latin glue can give: that
    // glue is at its limit (⅓ em) and the CJK glue shares the rest evenly.
    let pieces = [
        hant("這是一個例子，"),
        en("Attention"),
        hant("機制讓模型更好用了許多"),
    ];
    let (lines, _) = set(&pieces, &spec(Lang::ZhHant, 17.0, true));
    let first = &lines[0];
    assert_eq!(first.text, "這是一個例子，Attention機制讓模型");
    assert!(close(first.width, 170.0));
    let attention = fonts()
        .shape_line(&[en("Attention")], Lang::En, Lang::ZhHant)
        .1;
    let gap = x_of(&first.runs, "機") - x_of(&first.runs, "A") - attention;
    assert!(close(gap, SIZE / 3.0), "{gap}");
    let pitch = x_of(&first.runs, "是") - x_of(&first.runs, "這");
    assert!(pitch > 10.1 && close(x_of(&first.runs, "制") - x_of(&first.runs, "機"), pitch));
}

fn glue() -> Item {
    let mut list = Vec::new();
    let mut shaped = Shaped::default();
    shape::shape_paragraph(fonts(), &[en("a b")], Lang::En, Lang::ZhHant, &mut shaped);
    let flags = break_flags(&shaped, &[en("a b")], false);
    let options = Options {
        justify: true,
        track: false,
        spread: true,
        hyphenate: false,
        emergency: &[],
    };
    items::build(&shaped, &flags, fonts(), &options, &mut list);
    let g = list.into_iter().find(|i| i.kind == ItemKind::Glue).unwrap();
    Item { shrink: 0.0, ..g }
}

#[test]
fn forced_breaks_end_a_line_unjustified() {
    let (lines, _) = set(
        &[en("first line\nsecond line")],
        &spec(Lang::En, 30.0, true),
    );
    assert_eq!(texts(&lines), ["first line", "second line"]);
    assert!(lines[0].width < 100.0);
}

#[test]
fn first_indent_tags_source_and_metrics() {
    let pieces = [
        Piece {
            source: 100,
            ..en("Click ")
        },
        Piece {
            source: 106,
            tag: Some(7),
            ..en("this link")
        },
        Piece {
            source: 115,
            ..en(" now.")
        },
    ];
    let spec = ParagraphSpec {
        first_indent: 15.0,
        ..spec(Lang::En, 30.0, false)
    };
    let (lines, _) = set(&pieces, &spec);
    let line = &lines[0];
    assert!(close(glyphs(&line.runs)[0].1, 15.0));
    assert_eq!(line.source, 100);
    assert_eq!(line.tags.len(), 1);
    let (tag, x0, x1) = line.tags[0];
    assert_eq!(tag, 7);
    assert!(close(x0, x_of(&line.runs, "t")));
    assert!(x1 > x_of(&line.runs, "s") && x1 < x_of(&line.runs, "o"));
    let (ascent, descent) = fonts().metrics(Face::Latin, SIZE);
    assert!(close(line.ascent, ascent) && close(line.descent, descent));
    assert!(close(ascent, 10.69) && close(descent, 2.93));

    // A link across a break is reported on each of its lines, and each
    // line's source is where its text starts.
    let pieces = [
        pieces[0],
        Piece {
            tag: Some(7),
            source: 106,
            ..en("this rather long link")
        },
        Piece {
            source: 127,
            ..pieces[2]
        },
    ];
    let (lines, _) = set(
        &pieces,
        &ParagraphSpec {
            measure: 45.0,
            ..spec
        },
    );
    let tagged: Vec<_> = lines.iter().filter(|l| !l.tags.is_empty()).collect();
    assert!(tagged.len() >= 2, "{:?}", texts(&lines));
    assert!(tagged.iter().all(|l| l.tags.len() == 1 && l.tags[0].0 == 7));
    let source = "Click this rather long link now.";
    for line in &lines {
        assert_eq!(line.source, 100 + source.find(&line.text).unwrap());
    }
    // Han in a line: the CJK face's taller ascender counts.
    let (lines, _) = set(
        &[en("a 中 b")],
        &ParagraphSpec {
            measure: 300.0,
            ..spec
        },
    );
    assert!(close(
        lines[0].ascent,
        fonts().metrics(Face::SerifHant, SIZE).0
    ));
}

// 4. The last line of a Chinese paragraph.

#[test]
fn no_last_line_of_a_single_han_character() {
    let indented = ParagraphSpec {
        first_indent: 2.0 * SIZE,
        ..spec(Lang::ZhHant, 10.0, true)
    };
    // 8 + 10 characters fill two lines; a 19th would stand alone.
    for text in [
        "一二三四五六七八九十一二三四五六七八九",
        "一二三四五六七八九十一二三四五六七八九。",
    ] {
        let (lines, _) = set(&[hant(text)], &indented);
        let last = lines.last().unwrap();
        let han = last
            .text
            .chars()
            .filter(|&c| crate::text::is_han(c))
            .count();
        assert!(han >= 2, "{:?}", texts(&lines));
        assert!(lines.iter().all(|l| l.width <= 100.01));
    }
    // Only Chinese paragraphs: the same text in an English paragraph ends
    // with one character alone.
    let english = ParagraphSpec {
        base: Lang::En,
        ..indented
    };
    let (lines, _) = set(&[hant("一二三四五六七八九十一二三四五六七八九")], &english);
    assert_eq!(lines.last().unwrap().text, "九");
}

// 5. Overfull material.

#[test]
fn an_unbreakable_url_is_broken_anywhere_and_reported() {
    let url = format!("https://example.com/{}", "abcdefghij".repeat(10));
    let text = format!("See {url} for the details of it.");
    let (lines, overfull) = set(&[en(&text)], &spec(Lang::En, 20.0, true));
    assert!(lines.iter().all(|l| l.width <= 200.01), "{lines:?}");
    assert_eq!(overfull.len(), 1, "{overfull:?}");
    assert!(overfull[0].text.contains("abcdefghijabcdefghij"));
    assert!(overfull[0].excess > 0.0);
    assert_eq!(
        overfull[0].source,
        text.find("example.com/").unwrap() + "example.com/".len()
    );
    let joined: String = texts(&lines).concat();
    assert_eq!(joined.replace(' ', ""), text.replace(' ', ""));
    assert!(lines.len() >= 4);
    assert!(lines[0].text.starts_with("See https://"));
}

#[test]
fn a_glyph_wider_than_the_measure_is_set_and_reported() {
    let spec = spec(Lang::ZhHant, 0.5, true);
    let (lines, overfull) = set(&[hant("一二")], &spec);
    assert_eq!(texts(&lines), ["一", "二"]);
    assert!(!overfull.is_empty());
}

#[test]
fn empty_paragraphs_have_no_lines() {
    let (lines, overfull) = set(&[en("")], &spec(Lang::En, 20.0, true));
    assert!(lines.is_empty() && overfull.is_empty());
    let (lines, _) = set(&[], &spec(Lang::En, 20.0, true));
    assert!(lines.is_empty());
}

// 6. Performance.

#[test]
fn long_paragraphs_are_set_in_reasonable_time() {
    let zh = HANT.repeat(20);
    let english = ENGLISH.repeat(20);
    let start = std::time::Instant::now();
    let spec_zh = ParagraphSpec {
        first_indent: 2.0 * SIZE,
        ..spec(Lang::ZhHant, 28.0, true)
    };
    let (lines, overfull) = set(&[hant(&zh)], &spec_zh);
    assert!(overfull.is_empty() && lines.len() > 100);
    let (lines, _) = set(&[en(&english)], &spec(Lang::En, 30.0, true));
    assert!(lines.len() > 100);
    let elapsed = start.elapsed();
    eprintln!(
        "{} Han characters and {} words: {elapsed:?}",
        zh.chars().count(),
        english.split(' ').count()
    );
    assert!(elapsed.as_secs() < 20);
}

#[test]
fn consecutive_forced_breaks_keep_every_line() {
    let (lines, _) = set(&[en("foo\n\nbar after.")], &spec(Lang::En, 30.0, true));
    assert_eq!(texts(&lines), ["foo", "", "bar after."]);
    let (lines, _) = set(&[en("\nfoo\n")], &spec(Lang::En, 30.0, true));
    assert_eq!(texts(&lines), ["", "foo"]);
}

// 5. Justification: push in, then push out; solid columns; tracking.

/// The x of every glyph of `text`'s lines, in ems from the line start.
fn han_offsets(line: &Line) -> Vec<f32> {
    glyphs(&line.runs)
        .into_iter()
        .filter(|g| g.0.chars().all(crate::text::is_han))
        .map(|g| g.1 / SIZE)
        .collect()
}

fn on_grid(line: &Line) -> bool {
    han_offsets(line)
        .iter()
        .all(|x| (x - x.round()).abs() < 0.01)
}

#[test]
fn a_mark_ending_a_line_keeps_its_blank_so_the_line_is_solid() {
    // 9 Han characters and a comma fill 10 em exactly.
    let (lines, _) = set(
        &[hant("一二三四五六七八九，十一二三四五六七八九十")],
        &spec(Lang::ZhHant, 10.0, true),
    );
    assert_eq!(lines[0].text, "一二三四五六七八九，");
    assert!(on_grid(&lines[0]), "{:?}", han_offsets(&lines[0]));
    assert!(close(lines[0].width, 100.0), "{}", lines[0].width);
}

#[test]
fn a_line_is_pushed_in_before_its_characters_are_spread() {
    // A ninth character that may not start a line (。): the line takes it,
    // its comma and enumeration comma losing their blanks, rather than
    // sending 六 down and spreading seven characters over 8 em.
    for (piece, lang) in [
        (hant("一二，三四、五六。七八九十"), Lang::ZhHant),
        (hans("一二，三四、五六。七八九十"), Lang::ZhHans),
    ] {
        let (lines, _) = set(&[piece], &spec(lang, 8.0, true));
        assert_eq!(lines[0].text, "一二，三四、五六。", "{lang:?}");
        assert!(lines[0].width <= 80.01);
        // Each mark keeps at least half an em, and no ink overlaps.
        let g = glyphs(&lines[0].runs);
        for pair in g.windows(2) {
            assert!(
                pair[1].1 - pair[0].1 >= 0.5 * SIZE - 0.01,
                "{lang:?}: {g:?}"
            );
        }
        // A centred (Taiwan) comma keeps even room on its two sides.
        if lang == Lang::ZhHant {
            let (before, mark, after) = (g[1].1, g[2].1, g[3].1);
            let left = mark + 0.5 * SIZE - (before + SIZE);
            let right = after - (mark + 0.5 * SIZE);
            assert!(
                (left - right).abs() < 0.02 * SIZE,
                "{left} vs {right}: {g:?}"
            );
        }
    }
}

#[test]
fn a_solid_line_is_left_short_rather_than_spread() {
    // 8 em: the comma cannot start the second line, and there is nothing
    // to push in, so one character goes down. Justified, the first line's
    // seven characters are spread; solid, they stay on the grid.
    let text = "一二三四五六七八，九十";
    let (spread, _) = set(&[hant(text)], &spec(Lang::ZhHant, 8.0, true));
    assert_eq!(spread[0].text, "一二三四五六七");
    assert!(!on_grid(&spread[0]));
    let solid = ParagraphSpec {
        spread: false,
        ..spec(Lang::ZhHant, 8.0, true)
    };
    let (lines, _) = set(&[hant(text)], &solid);
    assert_eq!(texts(&lines), texts(&spread));
    assert!(on_grid(&lines[0]), "{:?}", han_offsets(&lines[0]));
    assert!(close(lines[0].width, 70.0));
}

#[test]
fn letters_of_a_justified_english_line_take_a_little_of_the_stretch() {
    let tracked = spec(Lang::En, 24.0, true);
    let (lines, _) = set(&[en(ENGLISH)], &tracked);
    let line = &lines[0];
    let g = glyphs(&line.runs);
    let natural = fonts()
        .shape_line(&[en(&line.text)], Lang::En, Lang::ZhHant)
        .0;
    let natural = glyphs(&natural);
    // Within the first word, each letter is at most 2.5 % of an em further
    // from the one before than it is when set alone, and some are further.
    let word = line.text.split(' ').next().unwrap().chars().count();
    let mut moved = 0;
    for i in 1..word {
        let extra = (g[i].1 - g[i - 1].1) - (natural[i].1 - natural[i - 1].1);
        assert!((-0.001..=0.025 * SIZE + 0.001).contains(&extra), "{extra}");
        moved += usize::from(extra > 0.001);
    }
    assert!(moved > 0, "{g:?}");
    // Not on a paragraph’s last line.
    let last = lines.last().unwrap();
    let alone = fonts()
        .shape_line(&[en(&last.text)], Lang::En, Lang::ZhHant)
        .1;
    assert!(close(last.width, alone), "{} vs {alone}", last.width);
}

#[test]
fn a_letter_may_break_before_a_full_width_bracket() {
    let (lines, _) = set(
        &[hant("更多的 "), en("SaaS（Software")],
        &spec(Lang::ZhHant, 6.0, true),
    );
    assert!(
        lines.iter().any(|l| l.text.ends_with("SaaS")),
        "{:?}",
        texts(&lines)
    );
}

#[test]
fn an_emoji_is_not_left_alone_on_a_last_line() {
    let (lines, _) = set(
        &[hant("一二三四五六七八九十😇")],
        &spec(Lang::ZhHant, 10.0, true),
    );
    assert_ne!(lines.last().unwrap().text, "😇", "{:?}", texts(&lines));
}

#[test]
fn no_paragraph_ends_on_the_stub_of_a_hyphenated_word() {
    // At every measure from 14 to 40 em, in two paragraphs: no last line
    // shorter than a third of the measure holds the end of a hyphenated word.
    let text = format!("{ENGLISH} Significantly, the utilization of these techniques varies.");
    let mut stubs = Vec::new();
    for paragraph in [ENGLISH, text.as_str()] {
        for measure in 14..=40 {
            let (lines, _) = set(&[en(paragraph)], &spec(Lang::En, measure as f32, true));
            let last = lines.last().unwrap();
            let stub = last.width < measure as f32 * SIZE / 3.0;
            if lines.len() >= 2 && lines[lines.len() - 2].hyphenated && stub {
                stubs.push(format!("{measure}: {:?}", texts(&lines)));
            }
        }
    }
    assert!(stubs.is_empty(), "{}", stubs.join("\n"));
}
