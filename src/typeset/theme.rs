//! The print design: page size, margins, type sizes and leading.

use serde::Deserialize;

use crate::book::Lang;

/// Trim sizes a book can be printed at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
pub enum PageSize {
    /// 148 × 210 mm.
    #[default]
    #[serde(rename = "A5")]
    A5,
    /// 176 × 250 mm (ISO B5).
    #[serde(rename = "B5")]
    B5,
    /// 5 × 8 in, a small trade paperback.
    #[serde(rename = "5x8in")]
    FiveByEight,
    /// 5.5 × 8.5 in (digest).
    #[serde(rename = "5.5x8.5in")]
    Digest,
    /// 6 × 9 in, the common trade paperback.
    #[serde(rename = "6x9in")]
    SixByNine,
    /// 148 × 210 mm, Taiwan's 25開 (25K), as A5.
    #[serde(rename = "25K")]
    TwentyFiveK,
    /// 190 × 260 mm, Taiwan's 16開 (16K).
    #[serde(rename = "16K")]
    SixteenK,
    /// 8.5 × 11 in.
    #[serde(rename = "Letter")]
    Letter,
}

const MM: f32 = 72.0 / 25.4;
const INCH: f32 = 72.0;

/// A length in the config: `0.125in`, `3mm`, `9pt` or `0`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Length {
    /// In points.
    pub points: f32,
}

impl std::str::FromStr for Length {
    type Err = String;

    fn from_str(text: &str) -> Result<Length, String> {
        let text = text.trim();
        let unit = text.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
        let number = &text[..text.len() - unit.len()];
        let per = match unit.trim() {
            "in" => INCH,
            "mm" => MM,
            "pt" => 1.0,
            "" if number.parse::<f32>() == Ok(0.0) => 0.0,
            _ => return Err(format!("`{text}` is not a length: give a number with `in`, `mm` or `pt` (`0.125in`, `3mm`)")),
        };
        match number.parse::<f32>() {
            Ok(value) if value.is_finite() => Ok(Length { points: value * per }),
            _ => Err(format!("`{text}` is not a length: give a number with `in`, `mm` or `pt` (`0.125in`, `3mm`)")),
        }
    }
}

impl<'de> Deserialize<'de> for Length {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Length, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Length;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a length such as `0.125in`, `3mm` or `9pt`")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Length, E> {
                text.parse().map_err(E::custom)
            }
            fn visit_i64<E: serde::de::Error>(self, value: i64) -> Result<Length, E> {
                self.visit_str(&value.to_string())
            }
            fn visit_f64<E: serde::de::Error>(self, value: f64) -> Result<Length, E> {
                self.visit_str(&value.to_string())
            }
        }
        deserializer.deserialize_any(Visitor)
    }
}

/// The inside margin a bound book of `pages` pages needs at least (KDP's
/// table): 0.375 in up to 150 pages, then ⅛ in more for each step.
pub fn gutter(pages: usize) -> f32 {
    let inches = match pages {
        0..=150 => 0.375,
        151..=300 => 0.5,
        301..=500 => 0.625,
        501..=700 => 0.75,
        _ => 0.875,
    };
    inches * INCH
}

/// The least outside margin: 0.25 in, 0.375 in where the page bleeds (KDP).
pub fn least_outside(bleeds: bool) -> f32 {
    if bleeds {
        0.375 * INCH
    } else {
        0.25 * INCH
    }
}

impl PageSize {
    /// Width and height in points.
    pub fn points(self) -> (f32, f32) {
        match self {
            PageSize::A5 | PageSize::TwentyFiveK => (148.0 * MM, 210.0 * MM),
            PageSize::B5 => (176.0 * MM, 250.0 * MM),
            PageSize::FiveByEight => (5.0 * 72.0, 8.0 * 72.0),
            PageSize::Digest => (5.5 * 72.0, 8.5 * 72.0),
            PageSize::SixByNine => (6.0 * 72.0, 9.0 * 72.0),
            PageSize::SixteenK => (190.0 * MM, 260.0 * MM),
            PageSize::Letter => (8.5 * 72.0, 11.0 * 72.0),
        }
    }
}

/// Everything the typesetter needs to know about the design of a book.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    pub page_width: f32,
    pub page_height: f32,
    /// Margins: inner (binding side), outer, top, bottom.
    pub inner: f32,
    pub outer: f32,
    pub top: f32,
    pub bottom: f32,
    /// Body text size and the baseline-grid step, per script.
    pub body_size: f32,
    pub leading: f32,
    pub small_size: f32,
    pub small_leading: f32,
    /// First-line indent of a paragraph.
    pub indent: f32,
    /// Chapters start on a right-hand page (else on any new page; the
    /// first always on a right-hand one).
    pub recto_openings: bool,
    /// Warn of what a printer would refuse: images under 300 dpi.
    pub print_ready: bool,
}

impl Theme {
    /// The design for `lang` on `size` paper: Chinese is set at 1.7 leading
    /// with a 2 em indent on every paragraph, English at 1.3 with 1.5 em.
    pub fn new(size: PageSize, lang: Lang) -> Theme {
        Theme::bound(size, lang, 0, false)
    }

    /// [`Theme::new`] for a book of `pages` pages: its inside margin grows
    /// by the [`gutter`] that binding so many pages needs beyond the
    /// thinnest book's (which the design's 14 % of the width holds), and
    /// no margin is narrower than a printer allows, `bleeds` or not.
    pub fn bound(size: PageSize, lang: Lang, pages: usize, bleeds: bool) -> Theme {
        let (page_width, page_height) = size.points();
        let scale = page_width / PageSize::A5.points().0;
        // 10.5 pt on A5, growing slowly with the page, in half points.
        let body_size = (10.5 * scale.sqrt() * 2.0).round() / 2.0;
        let (leading, indent) = if lang.is_chinese() {
            (body_size * 1.7, body_size * 2.0)
        } else {
            (body_size * 1.3, body_size * 1.5)
        };
        let small_size = body_size * 0.82;
        let inner = (page_width * 0.14 + gutter(pages) - gutter(0)).max(gutter(pages));
        let least = least_outside(bleeds);
        let mut outer = (page_width * 0.11).max(least);
        if lang.is_chinese() {
            // clreq's grid: a line holds a whole number of characters, so a
            // line of Han is set solid; the outer margin takes the rest.
            let mut ems = ((page_width - inner - outer) / body_size).round();
            if page_width - inner - ems * body_size < least {
                ems -= 1.0;
            }
            outer = page_width - inner - ems * body_size;
        }
        Theme {
            page_width,
            page_height,
            inner,
            outer,
            top: (page_height * 0.09).max(least),
            bottom: (page_height * 0.11).max(least),
            body_size,
            leading,
            small_size,
            small_leading: small_size * if lang.is_chinese() { 1.5 } else { 1.25 },
            indent,
            recto_openings: false,
            print_ready: false,
        }
    }

    /// The same design with type `factor` times the size (leading and
    /// indents follow), for two columns on one page.
    pub fn scaled(&self, factor: f32) -> Theme {
        Theme {
            body_size: self.body_size * factor,
            leading: self.leading * factor,
            small_size: self.small_size * factor,
            small_leading: self.small_leading * factor,
            indent: self.indent * factor,
            ..self.clone()
        }
    }

    /// The page a vertical book's lines are set on: this one turned a
    /// quarter counter-clockwise, so that its lines, turned back, are
    /// columns from top to bottom, right to left (see `turn`). A column is
    /// a whole number of ems (the bottom margin takes the rest); the top
    /// is the binding side, which a vertical book has on the right of a
    /// recto. Only its text block is drawn: its page width is set for the
    /// measure.
    pub fn turned(&self) -> Theme {
        let ems = ((self.page_height - self.top - self.bottom) / self.body_size).round();
        Theme {
            page_width: 2.0 * self.top + ems * self.body_size,
            page_height: self.page_width,
            inner: self.top,
            outer: self.top,
            top: self.inner,
            bottom: self.outer,
            ..self.clone()
        }
    }

    /// The same design bound on the right, as a vertical book is: a
    /// recto's inner margin is on its right.
    pub fn bound_right(&self) -> Theme {
        Theme {
            inner: self.outer,
            outer: self.inner,
            ..self.clone()
        }
    }

    /// The width of the text block.
    pub fn measure(&self) -> f32 {
        self.page_width - self.inner - self.outer
    }

    /// Body lines per page on the baseline grid.
    pub fn lines_per_page(&self) -> usize {
        ((self.page_height - self.top - self.bottom) / self.leading).floor() as usize
    }

    /// Left edge of the text block: the binding is on the left of a recto
    /// (odd page number, index 0, 2, 4 …) and on the right of a verso.
    pub fn left(&self, page_index: usize) -> f32 {
        if page_index.is_multiple_of(2) {
            self.inner
        } else {
            self.outer
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a5_chinese() {
        let theme = Theme::new(PageSize::A5, Lang::ZhHant);
        assert!((theme.page_width - 419.53).abs() < 0.01);
        assert_eq!(theme.body_size, 10.5);
        assert!((theme.leading - 17.85).abs() < 0.001);
        assert_eq!(theme.indent, 21.0);
        assert_eq!(
            theme.measure() / theme.body_size,
            30.0,
            "a whole number of ems"
        );
        assert!(theme.lines_per_page() >= 25);
        assert!(
            theme.left(0) > theme.left(1),
            "recto pages bind on the left"
        );
    }

    /// The trade sizes, in points (1 in = 72 pt, 1 mm = 72/25.4 pt), and on
    /// each a Chinese line of a whole number of ems (clreq's grid).
    #[test]
    fn trade_sizes_keep_the_grid() {
        let sizes = [
            (PageSize::FiveByEight, (360.0, 576.0)),
            (PageSize::Digest, (396.0, 612.0)),
            (PageSize::SixByNine, (432.0, 648.0)),
            (PageSize::TwentyFiveK, (419.53, 595.28)),
            (PageSize::SixteenK, (538.58, 737.01)),
        ];
        for (size, (width, height)) in sizes {
            let (w, h) = size.points();
            assert!(
                (w - width).abs() < 0.01 && (h - height).abs() < 0.01,
                "{size:?}"
            );
            let theme = Theme::new(size, Lang::ZhHant);
            let ems = theme.measure() / theme.body_size;
            assert!((ems - ems.round()).abs() < 0.001, "{size:?}: {ems} em");
        }
    }

    /// KDP's table, and the inside margin growing by its steps: on every
    /// size, each margin at least what a printer allows, the grid kept.
    #[test]
    fn the_gutter_grows_with_the_page_count() {
        let table = [
            (24, 0.375),
            (150, 0.375),
            (151, 0.5),
            (300, 0.5),
            (301, 0.625),
            (500, 0.625),
            (501, 0.75),
            (700, 0.75),
            (701, 0.875),
            (828, 0.875),
        ];
        for (pages, inches) in table {
            assert_eq!(gutter(pages), inches * 72.0, "{pages} pages");
        }
        let sizes = [
            PageSize::A5,
            PageSize::B5,
            PageSize::FiveByEight,
            PageSize::Digest,
            PageSize::SixByNine,
            PageSize::TwentyFiveK,
            PageSize::SixteenK,
            PageSize::Letter,
        ];
        for size in sizes {
            for lang in [Lang::En, Lang::ZhHant] {
                for bleeds in [false, true] {
                    let thin = Theme::bound(size, lang, 100, bleeds);
                    assert_eq!(thin, Theme::bound(size, lang, 0, bleeds));
                    for (pages, steps) in
                        [(100, 0.0), (200, 1.0), (400, 2.0), (600, 3.0), (800, 4.0)]
                    {
                        let at = format!("{size:?} {lang:?} {pages} pages, bleed {bleeds}");
                        let theme = Theme::bound(size, lang, pages, bleeds);
                        let grown = theme.inner - thin.inner;
                        assert!((grown - steps * 9.0).abs() < 1e-3, "{at}: {grown}");
                        assert!(theme.inner >= gutter(pages), "{at}");
                        let least = least_outside(bleeds) - 1e-3;
                        assert!(theme.outer >= least, "{at}: outer {}", theme.outer);
                        assert!(theme.top >= least && theme.bottom >= least, "{at}");
                        let ems = theme.measure() / theme.body_size;
                        if lang.is_chinese() {
                            assert!((ems - ems.round()).abs() < 1e-3, "{at}: {ems} em");
                        }
                    }
                }
            }
        }
    }
}
