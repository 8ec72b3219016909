//! The stylesheet: embedded faces, Chinese and English paragraph rules.

use std::fmt::Write;

use crate::book::Lang;
use crate::fonts::Face;

/// The CSS family a face belongs to, and its weight and style.
pub fn family(face: Face) -> (&'static str, &'static str, &'static str) {
    match face {
        Face::SerifHant => ("Quire Serif TC", "normal", "normal"),
        Face::SerifHans => ("Quire Serif SC", "normal", "normal"),
        Face::HeadingHant => ("Quire Sans TC", "bold", "normal"),
        Face::HeadingHans => ("Quire Sans SC", "bold", "normal"),
        Face::Latin => ("Quire Latin", "normal", "normal"),
        Face::LatinItalic => ("Quire Latin", "normal", "italic"),
        Face::LatinBold => ("Quire Latin", "bold", "normal"),
        Face::LatinBoldItalic => ("Quire Latin", "bold", "italic"),
        Face::Mono => ("Quire Mono", "normal", "normal"),
        Face::Symbols => ("Quire Symbols", "normal", "normal"),
    }
}

/// The stylesheet for a book; `embedded` lists each face with its file
/// inside the EPUB. A `vertical` book is set top to bottom, right to left.
pub fn stylesheet(embedded: &[(Face, String)], han_in_english: Lang, vertical: bool) -> String {
    let mut css = String::new();
    for (face, file) in embedded {
        let (family, weight, style) = family(*face);
        let _ = writeln!(
            css,
            "@font-face {{ font-family: \"{family}\"; font-weight: {weight}; font-style: {style}; src: url(\"{file}\"); }}"
        );
    }
    css.push_str(BASE);
    for lang in Lang::ALL {
        css.push_str(&lang_rules(lang, han_in_english));
    }
    if vertical {
        css.push_str(VERTICAL);
    }
    css
}

/// A vertical book (直排), after W3C clreq and Taiwan's EPUB 3 production
/// guide: columns top to bottom, right to left, with the prefixed forms older
/// reading systems know. The font's `vert`/`vrt2` forms set the punctuation
/// (centred in zh-Hant fonts). Margins that were left and right are now
/// above and below, and the reverse. Tables, code and images stay
/// horizontal blocks. How Latin text stands in a column is
/// [`crate::text::orientation`]'s rule: `.tcy` across the column in one em
/// (縱中橫), `.upright` letter by letter, else turned 90° clockwise (the
/// default).
const VERTICAL: &str = r#"
html { -epub-writing-mode: vertical-rl; -webkit-writing-mode: vertical-rl; writing-mode: vertical-rl; }
body { margin: 5% 0; }
h1 { margin: 0 0 0 1.5em; }
h2 { margin: 0 1.6em 0 0.6em; }
h3 { margin: 0 1.3em 0 0.5em; }
h4, h5, h6 { margin: 0 1em 0 0.4em; }
ul, ol { margin: 0 0.6em; padding-left: 0; padding-top: 2em; }
li { margin: 0 0.2em; }
blockquote { margin: 1.5em 0.8em; }
hr { border-top: 0; border-right: 1px solid #888; width: auto; height: 30%; margin: auto 1.5em; }
table, pre { -epub-writing-mode: horizontal-tb; -webkit-writing-mode: horizontal-tb; writing-mode: horizontal-tb; margin: 0 1em; }
.footnotes { margin-top: 0; margin-right: 2em; border-top: 0; border-right: 1px solid #888; padding-right: 1em; }
.title-page { margin-top: 0; margin-right: 30%; }
.title-page .volume-title { margin: 0 0 0 0.5em; }
.title-page .subtitle { margin: 0 0 0 3em; }
.colophon { margin-top: 0; margin-right: 40%; }
.hl { margin-left: 0; margin-top: 0.25em; }
.hr { margin-right: 0; margin-bottom: 0.25em; }
.tcy { -epub-text-combine: horizontal; -webkit-text-combine: horizontal; text-combine-upright: all; }
.upright { -epub-text-orientation: upright; -webkit-text-orientation: upright; text-orientation: upright; }
"#;

fn serif(lang: Lang) -> &'static str {
    family(Face::serif(lang)).0
}

fn sans(lang: Lang) -> &'static str {
    family(Face::heading(lang)).0
}

/// Font choice per language, mirroring `fonts::chain`: the language's own
/// face first, so Chinese text keeps full-width quotes and English text
/// proportional ones.
fn lang_rules(lang: Lang, han_in_english: Lang) -> String {
    let sel = format!("[lang=\"{}\"]", lang.tag());
    let bold_elements = [
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "strong",
        "th",
        ".title",
        ".volume-title",
    ];
    let bold_selectors = |lang_sel: &str| {
        let mut selectors = Vec::new();
        for e in bold_elements {
            selectors.extend([
                format!("{lang_sel} {e}"),
                format!("{e}{lang_sel}"),
                format!("{e} {lang_sel}"),
            ]);
            if lang.is_chinese() {
                // Latin words in Chinese headings take the sans face's Latin, as `fonts::chain` does.
                selectors.push(format!("{lang_sel} {e} [lang=\"en\"]"));
            }
        }
        selectors.join(", ")
    };
    if lang.is_chinese() {
        format!(
            r#"
{sel} {{ font-family: "{serif}", "Quire Latin", "Quire Symbols", serif; text-spacing-trim: normal; }}
{sel} p {{ text-indent: 2em; text-align: justify; }}
{sel} li p, {sel} td p, {sel} .footnote-number, {sel} .title-page p, {sel} .colophon p {{ text-indent: 0; }}
{bold} {{ font-family: "{sans}", "Quire Latin", "Quire Symbols", sans-serif; }}
{sel} em {{ font-style: normal; -webkit-text-emphasis: filled dot; text-emphasis: filled dot; -webkit-text-emphasis-position: under right; text-emphasis-position: under right; }}
{sel} em [lang="en"] {{ font-style: italic; -webkit-text-emphasis: none; text-emphasis: none; }}
"#,
            serif = serif(lang),
            sans = sans(lang),
            bold = bold_selectors(&sel),
        )
    } else {
        format!(
            r#"
{sel} {{ font-family: "Quire Latin", "{serif}", "Quire Symbols", serif; font-variant-ligatures: common-ligatures; }}
{sel} p {{ text-indent: 0; text-align: justify; -webkit-hyphens: auto; hyphens: auto; }}
{sel} p + p {{ text-indent: 1.5em; }}
{bold} {{ font-family: "Quire Latin", "{sans}", "Quire Symbols", serif; }}
"#,
            serif = serif(han_in_english),
            sans = sans(han_in_english),
            bold = bold_selectors(&sel),
        )
    }
}

const BASE: &str = r#"
html { line-height: 1.7; height: 100%; }
html[lang="en"] { line-height: 1.45; }
body { margin: 0 5%; line-break: strict; word-break: normal; overflow-wrap: break-word; font-kerning: normal; }
p { margin: 0; widows: 2; orphans: 2; }
h1, h2, h3, h4, h5, h6 { font-weight: bold; line-height: 1.35; text-indent: 0; page-break-after: avoid; break-after: avoid; }
h1 { font-size: 1.6em; margin: 2em 0 1.5em 0; }
h2 { font-size: 1.25em; margin: 1.6em 0 0.6em 0; }
h3 { font-size: 1.1em; margin: 1.3em 0 0.5em 0; }
h4, h5, h6 { font-size: 1em; margin: 1em 0 0.4em 0; }
h1 + p, h2 + p, h3 + p, h4 + p, h5 + p, h6 + p, hr + p, blockquote + p, ul + p, ol + p, pre + p, table + p { text-indent: 0; }
ul, ol { margin: 0.6em 0; padding-left: 2em; }
li { margin: 0.2em 0; }
blockquote { margin: 0.8em 1.5em; font-size: 0.95em; }
pre { font-family: "Quire Mono", "Quire Symbols", monospace; font-size: 0.8em; line-height: 1.4; white-space: pre-wrap; margin: 0.8em 0; }
code { font-family: "Quire Mono", "Quire Latin", "Quire Symbols", monospace; font-size: 0.9em; }
hr { border: 0; border-top: 1px solid #888; width: 30%; margin: 1.5em auto; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; line-height: 1.4; }
th, td { border-top: 1px solid #888; border-bottom: 1px solid #888; padding: 0.3em 0.5em; vertical-align: top; text-align: left; }
th.center, td.center { text-align: center; }
th.right, td.right { text-align: right; }
img { max-width: 100%; }
a { color: inherit; }
a.noteref { vertical-align: super; font-size: 0.7em; line-height: 0; text-decoration: none; }
.footnotes { margin-top: 2em; border-top: 1px solid #888; font-size: 0.85em; }
.footnote-number { font-weight: bold; margin-top: 0.6em; }
body.cover { margin: 0; padding: 0; height: 100%; }
section.cover { margin: 0; padding: 0; height: 100%; text-align: center; }
section.cover img { max-height: 100%; max-width: 100%; height: auto; width: auto; }
nav#toc ol { list-style-type: none; padding-left: 1.2em; }
.title-page { text-align: center; margin-top: 30%; }
.title-page .volume-title { font-size: 2em; font-weight: bold; margin-bottom: 0.5em; text-indent: 0; }
.title-page .subtitle { font-size: 1.2em; margin-bottom: 3em; text-indent: 0; }
.title-page .author { font-size: 1.1em; text-indent: 0; }
.colophon { font-size: 0.85em; margin-top: 40%; }
.hl { margin-left: 0.25em; }
.hr { margin-right: 0.25em; }
.pair { margin: 0 0 0.9em 0; }
.pair > .zh { margin-top: 0.3em; padding-left: 0.7em; border-left: 2px solid #bbb; color: #333; }
.chapter-title > .zh { display: block; font-size: 0.8em; margin-top: 0.3em; }
.colophon p { text-indent: 0; margin-bottom: 0.6em; }
[lang] .title-page p { text-indent: 0; text-align: center; }
[lang] .colophon p { text-indent: 0; text-align: left; }
"#;
