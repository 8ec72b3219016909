//! The vertical edition's print pages (issue 17), column by column: the
//! rule fixture `tests/fixtures/vertical/rules/` and the library's
//! leadership volume in zh-Hant, set vertically (直排).

use std::sync::OnceLock;

use quire::book::Edition;
use quire::typeset::frame::{Item, LineRecord, Page, Pages, Setting, TextRun};

use crate::common::cases;
use crate::typeset::{
    assert_frames_match, library_edition, typeset_case, Typeset, NO_LINE_END, NO_LINE_START,
};

/// The ideographic em box's top above the baseline, in ems.
const TOP: f32 = 0.88;

/// Each vertical fixture, set vertically.
fn fixtures() -> &'static [Typeset] {
    static TYPESET: OnceLock<Vec<Typeset>> = OnceLock::new();
    TYPESET.get_or_init(|| {
        (cases("vertical").into_iter())
            .map(|case| typeset_case(case, true))
            .collect()
    })
}

/// The rule fixture, set vertically and horizontally.
fn rules() -> (&'static Pages, &'static Pages) {
    static HORIZONTAL: OnceLock<Typeset> = OnceLock::new();
    let vertical = (fixtures().iter())
        .find(|t| t.case.ends_with("rules"))
        .expect("the rules fixture");
    let case = vertical.case.clone();
    let horizontal = HORIZONTAL.get_or_init(|| typeset_case(case, false));
    (&vertical.pages, &horizontal.pages)
}

/// The library's vertical book.
fn leadership() -> &'static Pages {
    static PAGES: OnceLock<Pages> = OnceLock::new();
    PAGES.get_or_init(|| library_edition("leadership", Edition::ZhHant, true).1)
}

/// Every vertical book these tests look at, with a name for messages.
fn books() -> Vec<(&'static str, &'static Pages)> {
    vec![("rules", rules().0), ("leadership", leadership())]
}

/// A glyph on the page: where it stands, the run it is in, its text.
struct Placed<'a> {
    x: f32,
    y: f32,
    run: &'a TextRun,
    text: &'a str,
}

/// The glyphs of a page's text runs in drawing order, at their page
/// positions (an upright glyph by its vertical origin, a turned one by its
/// origin on the turned baseline).
fn placed(page: &Page) -> Vec<Placed<'_>> {
    let runs = page.items.iter().filter_map(|item| match item {
        Item::Text(run) => Some(run),
        _ => None,
    });
    runs.flat_map(|run| {
        run.glyphs.iter().map(move |g| {
            let (x, y) = match run.setting {
                Setting::Turned => (run.x - g.y, run.y + g.x),
                _ => (run.x + g.x, run.y + g.y),
            };
            let text = run.text_of(g);
            Placed { x, y, run, text }
        })
    })
    .collect()
}

/// The column of `page` a point at (x, y) is in, for type of `size`: the
/// em box of a column runs from 0.12 em left of its baseline to 0.88 em
/// right of it, and down its length.
fn column_at(page: &Page, x: f32, y: f32, size: f32) -> Option<(usize, &LineRecord)> {
    page.lines.iter().enumerate().find(|(_, line)| {
        let left = line.x - (1.0 - TOP) * size - 0.01;
        let right = line.x + TOP * size + 0.01;
        let inside = y >= line.y - 0.01 && y <= line.y + line.measure + 0.01;
        (left..=right).contains(&x) && inside
    })
}

/// The centre of a column set in type of `size`.
fn centre(line: &LineRecord, size: f32) -> f32 {
    line.x + (TOP - 0.5) * size
}

#[test]
fn vertical_fixtures_match_their_frame_dumps() {
    assert_frames_match(fixtures());
}

/// A page's columns, in reading order, go from its right to its left (a
/// table's row, set with the page, keeps one baseline).
#[test]
fn columns_progress_right_to_left() {
    for (name, pages) in books() {
        assert!(
            pages.right_to_left,
            "{name}: pages do not turn right to left"
        );
        for (i, page) in pages.pages.iter().enumerate() {
            for pair in page.lines.windows(2) {
                assert!(
                    pair[1].x <= pair[0].x + 0.01,
                    "{name} page {}: column `{}` at x {} is right of `{}` at x {}",
                    i + 1,
                    pair[1].text,
                    pair[1].x,
                    pair[0].text,
                    pair[0].x
                );
            }
        }
        let columns: usize = pages.pages.iter().map(|p| p.lines.len()).sum();
        assert!(columns > 8, "{name}: {columns} columns");
    }
}

/// Within a column, upright glyphs stand on its centre line and follow one
/// another down it; glyphs set across the column (縱中橫) share one height.
#[test]
fn glyph_origins_run_top_to_bottom_within_a_column() {
    let mut checked = 0;
    for (name, pages) in books() {
        for (i, page) in pages.pages.iter().enumerate() {
            let mut last: Option<(usize, f32)> = None;
            for glyph in placed(page) {
                let size = glyph.run.size;
                let Some((index, column)) = column_at(page, glyph.x, glyph.y, size) else {
                    continue;
                };
                let whole = glyph.run.glyphs.len() == 1 || !is_across(glyph.run);
                if glyph.run.setting == Setting::Upright && whole {
                    let off = (glyph.x - centre(column, size)).abs();
                    assert!(
                        off < 0.01,
                        "{name} page {}: `{}` is {off} pt off the centre of `{}`",
                        i + 1,
                        glyph.text,
                        column.text
                    );
                }
                if let Some((_, y)) = last.filter(|(c, _)| *c == index) {
                    assert!(
                        glyph.y >= y - 0.01,
                        "{name} page {}: `{}` at y {} is above the glyph before it ({y}) in `{}`",
                        i + 1,
                        glyph.text,
                        glyph.y,
                        column.text
                    );
                }
                last = Some((index, glyph.y));
                checked += 1;
            }
        }
    }
    assert!(checked > 5000, "{checked} glyphs checked");
}

/// Whether the run is set across its column: upright glyphs side by side.
fn is_across(run: &TextRun) -> bool {
    run.setting == Setting::Upright
        && run
            .glyphs
            .windows(2)
            .all(|g| (g[0].y - g[1].y).abs() < 0.01)
}

#[test]
fn no_column_starts_with_closing_or_ends_with_opening_punctuation() {
    let mut bad = Vec::new();
    for (name, pages) in books() {
        for (i, page) in pages.pages.iter().enumerate() {
            for line in &page.lines {
                let text = line.text.trim();
                let (Some(first), Some(last)) = (text.chars().next(), text.chars().next_back())
                else {
                    continue;
                };
                if NO_LINE_START.contains(&first) || first == '—' || NO_LINE_END.contains(&last) {
                    bad.push(format!("{name} page {}: {text}", i + 1));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "columns break the rules:\n{}",
        bad.join("\n")
    );
}

/// 2–3 digits stand across the column (縱中橫): centred on it, in one em,
/// upright, compressed across to fit it at full height; in the fixture,
/// 19, 500, 3.0 and AI are.
#[test]
fn tate_chu_yoko_numbers_are_centred_in_one_em() {
    let (pages, _) = rules();
    let mut found = Vec::new();
    for page in &pages.pages {
        let runs = page.items.iter().filter_map(|item| match item {
            Item::Text(run) => Some(run),
            _ => None,
        });
        for run in runs.filter(|r| r.glyphs.len() > 1 && is_across(r)) {
            let first = &run.glyphs[0];
            let last = &run.glyphs[run.glyphs.len() - 1];
            // Digits are as wide as each other: the run's middle is
            // between its first and last origins.
            let middle = run.x + (first.x + last.x) / 2.0;
            let (index, column) = column_at(page, middle, run.y, run.size).expect("in a column");
            let body = column_size(page, index);
            let digits = run.text.chars().all(|c| c.is_ascii_digit());
            assert!(
                !digits || (middle - centre(column, body)).abs() < 0.02 * body,
                "`{}` is centred at {middle}, the column at {}",
                run.text,
                centre(column, body)
            );
            assert!(
                (run.size - body).abs() < 0.01,
                "`{}` is not set at the body size",
                run.text
            );
            // n glyphs in an em have their centres at most (n - 1)/n em apart.
            let n = run.glyphs.len() as f32;
            assert!(
                last.x - first.x <= body * (n - 1.0) / n + 0.01,
                "`{}` is wider than an em",
                run.text
            );
            if run.text == "500" {
                assert!(run.width_scale < 0.7, "500 at {}", run.width_scale);
            }
            found.push(run.text.clone());
        }
    }
    for number in ["19", "500", "3.0", "AI"] {
        assert!(
            found.iter().any(|t| t == number),
            "{number} not across: {found:?}"
        );
    }
}

/// The body size of a column: the size of its upright Han.
fn column_size(page: &Page, column: usize) -> f32 {
    placed(page)
        .iter()
        .filter(|g| g.run.setting == Setting::Upright && g.text.chars().all(quire::text::is_han))
        .find(|g| column_at(page, g.x, g.y, g.run.size).is_some_and(|(c, _)| c == column))
        .map(|g| g.run.size)
        .expect("a column with Han")
}

/// Longer Latin is turned a quarter clockwise on the column's baseline and
/// stays within the column's length; 2025 and MBA stand upright a
/// letter to an em.
#[test]
fn turned_latin_stays_inside_its_column() {
    let (pages, _) = rules();
    let mut turned = Vec::new();
    let mut upright = Vec::new();
    for page in &pages.pages {
        for glyph in placed(page) {
            let run = glyph.run;
            let latin = glyph.text.chars().any(|c| c.is_ascii_alphabetic());
            let in_column = column_at(page, glyph.x, glyph.y, run.size);
            if let (Setting::Turned, true, Some((_, column))) = (run.setting, latin, in_column) {
                assert!(
                    (column.x - run.x).abs() < 0.01,
                    "`{}` is off the baseline of `{}`",
                    run.text,
                    column.text
                );
                assert!(
                    glyph.y >= column.y - 0.01 && glyph.y <= column.y + column.measure,
                    "`{}` leaves its column",
                    glyph.text
                );
                turned.push(glyph.text.to_string());
            } else if run.setting == Setting::Upright && glyph.text.is_ascii() {
                upright.push(glyph.text.to_string());
            }
        }
    }
    let turned = turned.concat();
    for phrase in ["Gary", "Klein", "John", "Wayne"] {
        assert!(turned.contains(phrase), "{phrase} not turned: {turned}");
    }
    let upright = upright.concat();
    for word in ["2025", "MBA"] {
        assert!(upright.contains(word), "{word} not upright: {upright}");
    }
}

/// Emphasis dots (着重號) stand on the right of a column, one centred beside
/// each emphasised Han character and none beside punctuation; set
/// horizontally, they go below the characters (clreq).
#[test]
fn emphasis_dots_stand_right_of_the_column_and_below_the_line() {
    let (vertical, horizontal) = rules();
    for (pages, vertical) in [(vertical, true), (horizontal, false)] {
        let mut beside = String::new();
        for page in &pages.pages {
            let glyphs = placed(page);
            for item in &page.items {
                let Item::Dot(dot) = item else { continue };
                let (x, y) = (dot.x + dot.width / 2.0, dot.y + dot.height / 2.0);
                let glyph = glyphs.iter().find(|g| {
                    let size = g.run.size;
                    if vertical {
                        // Level with the em box's middle, right of the box.
                        let level = (y - (g.y + size / 2.0)).abs() < 0.02 * size;
                        g.run.setting == Setting::Upright
                            && level
                            && x > g.x + size / 2.0
                            && x < g.x + size
                    } else {
                        // Under the middle, below the em box's bottom.
                        let under = (x - (g.x + size / 2.0)).abs() < 0.02 * size;
                        under && y > g.y + (1.0 - TOP) * size && y < g.y + 0.5 * size
                    }
                });
                let glyph = glyph.unwrap_or_else(|| panic!("a dot at ({x}, {y}) beside nothing"));
                beside.push_str(glyph.text);
            }
        }
        assert_eq!(beside, "這幾個字要強調標點不加", "vertical: {vertical}");
    }
}

/// Tables and code stay horizontal blocks in the vertical flow: their text
/// runs along a horizontal baseline, a table's cells go left to right and
/// its rows down, and each block stands after (left of) the column before
/// it, its first line at the columns' top.
#[test]
fn tables_and_code_stay_horizontal_blocks() {
    let (pages, _) = rules();
    let find = |text: &str| {
        let mut runs = pages
            .pages
            .iter()
            .flat_map(|p| &p.items)
            .filter_map(|item| match item {
                Item::Text(run) if run.text.contains(text) => Some(run),
                _ => None,
            });
        runs.next_back()
            .unwrap_or_else(|| panic!("`{text}` is not set"))
    };
    let (version, year, row, code) = (find("版本"), find("年份"), find("4.0"), find("fn"));
    for run in [version, year, row, code] {
        assert_eq!(
            run.setting,
            Setting::Along,
            "`{}` is not horizontal",
            run.text
        );
    }
    assert!(
        (year.y - version.y).abs() < 0.01 && year.x > version.x,
        "cells left to right"
    );
    assert!(
        row.y > version.y && (row.x - version.x).abs() < 0.01,
        "rows down"
    );
    let intro = find("立在直行之間");
    assert!(
        code.x < version.x && version.x < intro.x,
        "blocks right to left"
    );
    let top = (pages.pages.iter().flat_map(|p| &p.lines))
        .find(|l| l.text.contains("立在直行之間"))
        .expect("the introducing column")
        .y;
    let em = intro.size;
    for run in [version, code] {
        let below = run.y - top;
        assert!(
            below > 0.0 && below < 1.5 * em,
            "`{}` is {below} pt below the top",
            run.text
        );
    }
}

/// An image stands upright in the vertical flow: drawn in a rectangle of
/// its own proportions (the fixture's is 120 × 80 pixels), not turned.
#[test]
fn images_stand_upright() {
    let (pages, _) = rules();
    let rects: Vec<_> = (pages.pages.iter().flat_map(|p| &p.items))
        .filter_map(|item| match item {
            Item::Image { rect, image, .. } => Some((rect, image)),
            _ => None,
        })
        .collect();
    assert_eq!(rects.len(), 1, "one image in the fixture");
    let (rect, image) = rects[0];
    let (drawn, pixels) = (
        rect.width / rect.height,
        image.width as f32 / image.height as f32,
    );
    assert!(
        (drawn - pixels).abs() < 0.01,
        "drawn {drawn}, pixels {pixels}"
    );
}

/// Punctuation takes the font's vertical forms (`vert`): another glyph
/// than the horizontal one, which still copies as the same character
/// (never a presentation form such as U+FE10).
#[test]
fn punctuation_takes_the_fonts_vertical_forms() {
    let (vertical, horizontal) = rules();
    let glyph_of = |pages: &Pages, mark: &str| {
        (pages.pages.iter())
            .flat_map(placed)
            .find(|g| g.text == mark)
            .map(|g| {
                let index = g.run.glyphs.iter().position(|x| g.run.text_of(x) == mark);
                g.run.glyphs[index.unwrap()].id
            })
            .unwrap_or_else(|| panic!("no {mark}"))
    };
    // Taiwan's comma and full stop are centred either way: one glyph.
    for mark in ["「", "」", "『", "（", "《", "—", "…"] {
        assert_ne!(
            glyph_of(vertical, mark),
            glyph_of(horizontal, mark),
            "{mark} keeps its horizontal glyph"
        );
    }
    let text: String = (vertical.pages.iter())
        .flat_map(|p| &p.lines)
        .map(|l| l.text.as_str())
        .collect();
    assert!(
        !text.chars().any(|c| ('\u{FE10}'..='\u{FE4F}').contains(&c)),
        "{text}"
    );
}

/// The book's pages as quire writes them.
fn pdf_of(name: &str, pages: &Pages) -> Vec<u8> {
    use quire::render::pdf::{write_pdf, Output, PdfMeta};
    let meta = PdfMeta {
        title: name.into(),
        author: "quire".into(),
        subject: String::new(),
        lang: quire::book::Lang::ZhHant,
        date: chrono::DateTime::UNIX_EPOCH,
        identifier: name.into(),
    };
    write_pdf(pages, crate::common::fonts(), &meta, Output::Reading).unwrap()
}

/// The PDF turns its pages right to left and shows upright Han in
/// vertical fonts (`Identity-V`), the same glyphs as the horizontal ones.
#[test]
fn the_pdf_turns_right_to_left_with_vertical_fonts() {
    use lopdf::{Document, Object};
    for (name, pages) in books() {
        let doc = Document::load_mem(&pdf_of(name, pages)).unwrap();
        let catalog = doc.catalog().unwrap();
        let preferences = catalog.get(b"ViewerPreferences").unwrap();
        let preferences = match preferences {
            Object::Reference(id) => doc.get_dictionary(*id).unwrap(),
            other => other.as_dict().unwrap(),
        };
        let direction = preferences.get(b"Direction").and_then(Object::as_name);
        assert_eq!(direction.ok(), Some(b"R2L".as_slice()), "{name}");
        let encodings: Vec<&[u8]> = (doc.objects.values())
            .filter_map(|o| o.as_dict().ok())
            .filter_map(|d| d.get(b"Encoding").and_then(Object::as_name).ok())
            .collect();
        assert!(
            encodings.contains(&b"Identity-V".as_slice()),
            "{name}: {encodings:?}"
        );
    }
    let (_, horizontal) = rules();
    let doc = Document::load_mem(&pdf_of("horizontal", horizontal)).unwrap();
    let preferences = doc.catalog().unwrap().get(b"ViewerPreferences").unwrap();
    let preferences = match preferences {
        Object::Reference(id) => doc.get_dictionary(*id).unwrap(),
        other => other.as_dict().unwrap(),
    };
    assert!(preferences.get(b"Direction").is_err());
}

/// pdftotext gives back each page's columns as lines, whole and one after
/// another, right to left: each column is one `ActualText` span, so Latin
/// turned or set across, dashes, middle dots and words in another language
/// stay in it.
#[test]
fn pdftotext_reads_the_columns_whole_and_in_order() {
    if !crate::pdf::tools_present(&["pdftotext"]) {
        return;
    }
    for (name, pages) in books() {
        let path = std::env::temp_dir().join(format!(
            "quire-test-{}-vertical-{name}.pdf",
            std::process::id()
        ));
        std::fs::write(&path, pdf_of(name, pages)).unwrap();
        let output = std::process::Command::new("pdftotext")
            .args(["-enc", "UTF-8"])
            .arg(&path)
            .arg("-")
            .output()
            .expect("pdftotext runs");
        let text = String::from_utf8(output.stdout).unwrap();
        let (mut columns, mut broken) = (0, Vec::new());
        for (i, (page, extracted)) in pages.pages.iter().zip(text.split('\u{c}')).enumerate() {
            // Compared without spaces: pdftotext may put one between two
            // runs of a column (a heading's first character and the rest).
            let unspaced = |t: &str| t.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            let lines: Vec<String> = extracted.lines().map(unspaced).collect();
            let mut at = 0;
            for record in &page.lines {
                let column = unspaced(&record.text);
                if column.is_empty() {
                    continue;
                }
                columns += 1;
                match lines[at..].iter().position(|l| *l == column) {
                    Some(found) => at += found + 1,
                    None => broken.push(format!("page {}: {column}", i + 1)),
                }
            }
        }
        assert!(columns > 5, "{name}: {columns} columns");
        assert!(
            broken.is_empty(),
            "{name}: {} of {columns} columns are not read whole and in order:\n{}",
            broken.len(),
            broken.join("\n")
        );
    }
}

/// The contents give each chapter's page number across its column, with
/// the dot leaders on the column's centre.
#[test]
fn contents_numbers_stand_across_their_columns() {
    let pages = leadership();
    let contents = (pages.pages.iter())
        .find(|p| {
            (p.items.iter()).any(|i| matches!(i, Item::Text(run) if run.text.contains("目錄")))
        })
        .expect("a contents page");
    let mut numbers = Vec::new();
    for item in &contents.items {
        let Item::Text(run) = item else { continue };
        let digits = !run.text.is_empty() && run.text.chars().all(|c| c.is_ascii_digit());
        let dot = run.text == ".";
        if digits || dot {
            assert_eq!(
                run.setting,
                Setting::Upright,
                "`{}` is not upright",
                run.text
            );
        }
        if digits {
            numbers.push(run.text.clone());
        }
    }
    assert_eq!(numbers.len(), 7, "a number per chapter: {numbers:?}");
}
