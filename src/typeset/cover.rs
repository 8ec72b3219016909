//! A printed book's cover: back, spine and front on one sheet, its ground
//! (and a cover image) running past the trim on every side.

use std::path::Path;
use std::sync::Arc;

use super::barcode;
use super::frame::{ImageData, Item, Page, Pages, Rect, Rgb, Role, Setting, TextRun, BLACK};
use super::front::Lines;
use super::paragraph::ShapingFonts;
use super::structure::{Structure, DOCUMENT};
use super::theme::{PageSize, Theme};
use crate::book::Lang;
use crate::error::{Diagnostic, Diagnostics, Location};
use crate::fonts::Fonts;
use crate::text::is_han;
use crate::volume::Book;

/// Spine text from this many pages on (KDP's threshold).
pub const SPINE_TEXT_PAGES: usize = 79;
/// Spine text keeps this far from the spine's folds (KDP: 1/16 in).
const SPINE_MARGIN: f32 = 0.0625 * 72.0;
/// The resolution print wants of an image at its printed size.
pub const PRINT_DPI: f32 = 300.0;
const WHITE: Rgb = [255, 255, 255];
/// White beyond the barcode's quiet zones on every side.
const BARCODE_PAD: f32 = 4.0;

/// The barcode's white ground: its quiet zones and bars, and a pad each side.
fn barcode_width() -> f32 {
    2.0 * BARCODE_PAD + (barcode::QUIET_LEFT + 95 + barcode::QUIET_RIGHT) as f32 * barcode::MODULE
}

/// The sheet a cover is printed on.
#[derive(Debug, Clone, Copy)]
pub struct Sheet {
    /// The interior's trim size.
    pub size: PageSize,
    /// The interior's page count.
    pub pages: usize,
    /// The thickness of one page, in points: the spine is `pages` of them.
    pub page_thickness: f32,
    /// How far the ground runs past the trim, in points.
    pub bleed: f32,
}

impl Sheet {
    pub fn spine(&self) -> f32 {
        self.pages as f32 * self.page_thickness
    }

    /// The trimmed sheet: two covers and the spine wide, a page high.
    pub fn trimmed(&self) -> (f32, f32) {
        let (width, height) = self.size.points();
        (2.0 * width + self.spine(), height)
    }
}

/// What a cover shows.
#[derive(Debug, Clone)]
pub struct CoverContent<'a> {
    pub title: &'a str,
    pub subtitle: Option<&'a str>,
    pub author: &'a str,
    /// For the back.
    pub description: Option<&'a str>,
    /// ISBN-13, for the back's barcode.
    pub isbn: Option<&'a str>,
    pub lang: Lang,
    pub han_in_english: Lang,
    /// Bound on the right, as a vertical book is: the front is on the left.
    pub bound_right: bool,
    /// The front's picture; `None`: the drawn design.
    pub image: Option<&'a Path>,
    /// Ground and ink.
    pub colors: (Rgb, Rgb),
}

impl<'a> CoverContent<'a> {
    pub fn of(book: &'a Book) -> CoverContent<'a> {
        CoverContent {
            title: &book.title,
            subtitle: book.subtitle.as_deref(),
            author: &book.author,
            description: book.description.as_deref(),
            isbn: book.isbn.as_deref(),
            lang: book.lang,
            han_in_english: book.han_in_english,
            bound_right: book.vertical,
            image: book.cover.as_deref(),
            colors: book.cover_colors(),
        }
    }
}

/// Lays out the cover of `book` on `sheet`: the front (the configured
/// image, or the drawn design of the EPUB's cover), the spine's title and
/// author when the book is thick enough, and the back's description and
/// ISBN barcode. A book bound on the right (vertical) has its front on the
/// left.
pub fn typeset_cover(book: &CoverContent, sheet: &Sheet, fonts: &Fonts) -> (Pages, Diagnostics) {
    let shaping = ShapingFonts::new(fonts);
    let theme = Theme::new(sheet.size, book.lang);
    let structure = Structure::default();
    let lines = Lines {
        fonts: &shaping,
        theme: &theme,
        lang: book.lang,
        han_in_english: book.han_in_english,
        structure: structure.clone(),
    };
    let (ground, ink) = book.colors;
    let (width, height) = sheet.trimmed();
    let panel = theme.page_width;
    let (back_x, front_x) = if book.bound_right {
        (panel + sheet.spine(), 0.0)
    } else {
        (0.0, panel + sheet.spine())
    };
    let mut cover = Cover {
        lines,
        structure,
        items: Vec::new(),
        diagnostics: Diagnostics::default(),
        ink,
    };
    let b = sheet.bleed;
    cover.items.push(Item::Fill {
        rect: Rect {
            x: -b,
            y: -b,
            width: width + 2.0 * b,
            height: height + 2.0 * b,
        },
        color: ground,
    });
    match book.image {
        Some(path) => {
            // To the sheet's edge on the front's three open sides.
            let x = if book.bound_right { -b } else { front_x };
            let rect = Rect {
                x,
                y: -b,
                width: panel + b,
                height: height + 2.0 * b,
            };
            cover.image(path, rect);
        }
        None => cover.front(book, front_x, panel, height),
    }
    if sheet.pages >= SPINE_TEXT_PAGES {
        cover.spine(book, panel, sheet.spine(), height);
    }
    cover.back(book, back_x, panel, height, !book.bound_right);
    let pages = Pages {
        pages: vec![Page {
            width,
            height,
            items: cover.items,
            lines: Vec::new(),
            start: None,
        }],
        elements: cover.structure.elements(),
        ..Pages::default()
    };
    (pages, cover.diagnostics)
}

struct Cover<'a> {
    lines: Lines<'a>,
    structure: Structure,
    items: Vec<Item>,
    diagnostics: Diagnostics,
    ink: Rgb,
}

impl Cover<'_> {
    /// Draws `text` in a new element of `role` (or as decoration) with its
    /// left end at `x` on baseline `y`.
    fn text(&mut self, text: &str, size: f32, bold: bool, (x, y): (f32, f32), role: Option<Role>) {
        let (runs, _) = self.lines.shape(text, size, bold);
        let element = role.map(|role| self.structure.add(role, DOCUMENT));
        self.place(runs, x, y, element, self.ink);
    }

    fn place(&mut self, runs: Vec<TextRun>, x: f32, y: f32, element: Option<u32>, color: Rgb) {
        for mut run in runs {
            run.x += x;
            run.y += y;
            run.element = element;
            run.color = color;
            self.items.push(Item::Text(run));
        }
    }

    /// `text` broken into lines `width` wide, each left-aligned at `x`
    /// from baseline `y` on, `step` apart; returns the baseline after them.
    #[allow(clippy::too_many_arguments)] // the text, its look, its place
    fn block(
        &mut self,
        text: &str,
        size: f32,
        bold: bool,
        x: f32,
        y: f32,
        width: f32,
        step: f32,
        role: Role,
    ) -> f32 {
        let element = self.structure.add(role, DOCUMENT);
        let mut y = y;
        for (runs, _) in self.lines.set(text, size, bold, width) {
            self.place(runs, x, y, Some(element), self.ink);
            y += step;
        }
        y
    }

    /// The EPUB cover's design (`render::epub::cover`), drawn at the
    /// panel's size: a rule, the title, the subtitle, the author.
    fn front(&mut self, book: &CoverContent, x: f32, width: f32, height: f32) {
        // The design is 1200 × 1800 units.
        let (u, v) = (width / 1200.0, height / 1800.0);
        let margin = 120.0 * u;
        let measure = width - 2.0 * margin;
        self.items.push(Item::Fill {
            rect: Rect {
                x: x + margin,
                y: 420.0 * v,
                width: measure,
                height: 6.0 * u,
            },
            color: self.ink,
        });
        // Proportions are the design's across, its places down the panel.
        let mut y = 420.0 * v + 6.0 * u + 115.0 * u;
        y = self.block(
            book.title,
            110.0 * u,
            true,
            x + margin,
            y,
            measure,
            150.0 * u,
            Role::H(1),
        );
        if let Some(subtitle) = book.subtitle {
            y += 30.0 * u;
            self.block(
                subtitle,
                56.0 * u,
                false,
                x + margin,
                y,
                measure,
                80.0 * u,
                Role::P,
            );
        }
        let author = (x + margin, height - 200.0 * v);
        self.text(book.author, 60.0 * u, false, author, Some(Role::P));
    }

    /// A cover image filling `rect`: cut to its proportions about its
    /// centre; a warning if it prints under [`PRINT_DPI`].
    fn image(&mut self, path: &Path, rect: Rect) {
        let decoded = std::fs::read(path)
            .map_err(|e| e.to_string())
            .and_then(|bytes| crate::assets::decode_image(&bytes));
        let image = match decoded {
            Ok(image) => image.to_rgb8(),
            Err(message) => {
                self.diagnostics.push(
                    Diagnostic::error(Some(Location::file(path)), format!("the cover image: {message}"))
                        .hint("give a PNG or JPEG file relative to the config, or remove `cover` to draw one"),
                );
                return;
            }
        };
        let (w, h) = (image.width(), image.height());
        let aspect = rect.width / rect.height;
        let (cw, ch) = if w as f32 / h as f32 > aspect {
            (((h as f32 * aspect).round() as u32).clamp(1, w), h)
        } else {
            (w, ((w as f32 / aspect).round() as u32).clamp(1, h))
        };
        let cut = image::imageops::crop_imm(&image, (w - cw) / 2, (h - ch) / 2, cw, ch).to_image();
        let dpi = cw as f32 / (rect.width / 72.0);
        if dpi < PRINT_DPI {
            let need = |points: f32| (points / 72.0 * PRINT_DPI).ceil();
            self.diagnostics.push(
                Diagnostic::warning(
                    Some(Location::file(path)),
                    format!(
                        "the cover image prints at {dpi:.0} dpi ({cw} × {ch} pixels over {:.2} × {:.2} in, bleed included); print wants {PRINT_DPI:.0}",
                        rect.width / 72.0,
                        rect.height / 72.0
                    ),
                )
                .hint(format!("give an image of at least {} × {} pixels", need(rect.width), need(rect.height))),
            );
        }
        let figure = self.structure.add(Role::Figure, DOCUMENT);
        self.structure.set_alt(figure, String::from("Cover"));
        self.items.push(Item::Image {
            rect,
            image: Arc::new(ImageData {
                width: cw,
                height: ch,
                rgb: cut.into_raw(),
            }),
            element: Some(figure),
        });
    }

    /// Title at the spine's head, author at its foot: turned to read from
    /// top to bottom, as English spines are; on a Chinese book, what has Han
    /// in it stands upright, a character under another.
    fn spine(&mut self, book: &CoverContent, x: f32, spine: f32, height: f32) {
        // A tenth to spare beyond the margins.
        let room = (spine - 2.0 * SPINE_MARGIN) * 0.9;
        let (head, foot) = (height * 0.08, height * 0.92);
        let centre = x + spine / 2.0;
        let upright = |text: &str| book.lang.is_chinese() && text.chars().any(is_han);
        if upright(book.title) || upright(book.author) {
            let size = room.min(12.0);
            let title = self.upright(book.title, size, true, centre, head);
            if upright(book.author) {
                let length = book.author.chars().filter(|c| !c.is_whitespace()).count();
                let top = (foot - length as f32 * size).max(title + size);
                self.upright(book.author, size, false, centre, top);
            } else {
                let (author, width) = self.lines.shape(book.author, size, false);
                let top = (foot - width).max(title + size);
                self.turned(author, centre - 0.35 * size, top);
            }
            return;
        }
        // Type as large as the spine allows, smaller if the two do not fit along it.
        let size = room.min(10.0);
        let (_, title) = self.lines.shape(book.title, size, true);
        let (_, author) = self.lines.shape(book.author, size, false);
        let fits = (foot - head) / (title + author + 2.0 * size);
        self.spine_at(book, x, spine, size * fits.min(1.0), head, foot);
    }

    /// The English spine with type of `size`: cap height (about 0.7 em)
    /// centred on the spine.
    fn spine_at(
        &mut self,
        book: &CoverContent,
        x: f32,
        spine: f32,
        size: f32,
        head: f32,
        foot: f32,
    ) {
        let baseline = x + spine / 2.0 - 0.35 * size;
        let (title, _) = self.lines.shape(book.title, size, true);
        let (author, author_width) = self.lines.shape(book.author, size, false);
        self.turned(title, baseline, head);
        self.turned(author, baseline, foot - author_width);
    }

    /// Runs set along a line, turned a quarter clockwise: down the page
    /// from `top`, their baseline at `x`. What the spine says the front
    /// says too: it is decoration, not read twice.
    fn turned(&mut self, runs: Vec<TextRun>, x: f32, top: f32) {
        for mut run in runs {
            run.y = top + run.x;
            run.x = x;
            run.setting = Setting::Turned;
            run.element = None;
            run.color = self.ink;
            self.items.push(Item::Text(run));
        }
    }

    /// `text` a character under another, each centred on `centre`, from
    /// `top`; returns where the last one ends. Decoration, as
    /// [`Cover::turned`].
    fn upright(&mut self, text: &str, size: f32, bold: bool, centre: f32, top: f32) -> f32 {
        let mut y = top;
        for c in text.chars().filter(|c| !c.is_whitespace()) {
            let (runs, width) = self.lines.shape(c.encode_utf8(&mut [0; 4]), size, bold);
            // An ideograph's em box is 0.88 em above its baseline.
            self.place(runs, centre - width / 2.0, y + 0.88 * size, None, self.ink);
            y += size;
        }
        y
    }

    /// The back: the description from the head, and the ISBN's barcode at
    /// the foot on the spine's side (`spine_right`: the back is left of it).
    fn back(&mut self, book: &CoverContent, x: f32, width: f32, height: f32, spine_right: bool) {
        let margin = (width * 0.12).max(0.5 * 72.0);
        if let Some(description) = book.description {
            let size = (width / 34.0).clamp(10.0, 14.0);
            let step = size * if book.lang.is_chinese() { 1.7 } else { 1.4 };
            self.block(
                description,
                size,
                false,
                x + margin,
                height * 0.12,
                width - 2.0 * margin,
                step,
                Role::P,
            );
        }
        let Some(isbn) = book.isbn else { return };
        let Some(digits) = barcode::digits(isbn) else {
            self.diagnostics.push(Diagnostic::error(
                None,
                format!("`{isbn}` is not an ISBN-13: no barcode can be drawn"),
            ));
            return;
        };
        let left = if spine_right {
            x + width - margin - barcode_width()
        } else {
            x + margin
        };
        self.barcode(&digits, left, height - margin);
    }

    /// An ISBN's EAN-13 on white, its quiet zones included, from `left`
    /// with its foot at `bottom`: "ISBN" and the digits above, the bars,
    /// the digits under them as EAN-13 prints them.
    fn barcode(&mut self, digits: &[u8; 13], left: f32, bottom: f32) {
        let x = barcode::MODULE;
        // Nominal, untruncated: 22.85 mm.
        let bars_height = 22.85 * 72.0 / 25.4;
        let digit_size = 9.0;
        let label_size = 8.0;
        let pad = BARCODE_PAD;
        let width = barcode_width();
        let height = pad + label_size + pad + bars_height + digit_size + pad;
        let top = bottom - height;
        self.items.push(Item::Fill {
            rect: Rect {
                x: left,
                y: top,
                width,
                height,
            },
            color: WHITE,
        });
        let text: String = digits.iter().map(|d| char::from(b'0' + d)).collect();
        let first_bar = left + pad + barcode::QUIET_LEFT as f32 * x;
        let label = format!("ISBN {text}");
        let (runs, label_width) = self.lines.shape(&label, label_size, false);
        let element = Some(self.structure.add(Role::P, DOCUMENT));
        let label_x = first_bar + (95.0 * x - label_width) / 2.0;
        self.place(runs, label_x, top + pad + label_size * 0.8, element, BLACK);
        let bars_top = top + pad + label_size + pad;
        for (start, modules, guard) in barcode::bars(&barcode::modules(digits)) {
            // The guards reach 5 modules down, between the digits.
            let long = if guard { 5.0 * x } else { 0.0 };
            self.items.push(Item::Rule(Rect {
                x: first_bar + start as f32 * x,
                y: bars_top,
                width: modules as f32 * x,
                height: bars_height + long,
            }));
        }
        let baseline = bars_top + bars_height + digit_size * 0.8;
        let groups = [
            (&text[..1], left + pad + x, 0.0),
            (&text[1..7], first_bar + 3.0 * x, 42.0 * x),
            (&text[7..], first_bar + 50.0 * x, 42.0 * x),
        ];
        for (group, start, span) in groups {
            let (runs, group_width) = self.lines.shape(group, digit_size, false);
            let at = start + (span - group_width).max(0.0) / 2.0;
            self.place(runs, at, baseline, None, BLACK);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Paper;

    fn fonts() -> &'static Fonts {
        crate::fonts::for_tests()
    }

    fn content(lang: Lang) -> CoverContent<'static> {
        CoverContent {
            title: if lang.is_chinese() {
                "會學習的機器"
            } else {
                "Machines That Learn"
            },
            subtitle: None,
            author: "A. Writer",
            description: Some("A book."),
            isbn: Some("978-0-306-40615-7"),
            lang,
            han_in_english: Lang::ZhHant,
            bound_right: false,
            image: None,
            colors: ([28, 49, 68], [244, 238, 224]),
        }
    }

    fn sheet(pages: usize) -> Sheet {
        Sheet {
            size: PageSize::SixByNine,
            pages,
            page_thickness: Paper::White.page_thickness(),
            bleed: 9.0,
        }
    }

    fn page(content: &CoverContent, sheet: &Sheet) -> Page {
        let (mut pages, problems) = typeset_cover(content, sheet, fonts());
        assert!(!problems.has_errors(), "{problems:?}");
        pages.pages.remove(0)
    }

    /// The runs whose origin is on the spine.
    fn on_spine<'p>(page: &'p Page, sheet: &Sheet) -> Vec<&'p TextRun> {
        let panel = sheet.size.points().0;
        (page.items.iter())
            .filter_map(|item| match item {
                Item::Text(run) if run.x > panel && run.x < panel + sheet.spine() => Some(run),
                _ => None,
            })
            .collect()
    }

    /// 6 × 9 in, 200 pages of white paper (0.002252 in each), 0.125 in bleed:
    /// 2 × (6 + 0.125) + 0.4504 in by 9.25 in, the writer adding the bleed.
    #[test]
    fn the_sheet_is_two_covers_and_a_spine_wide() {
        let sheet = sheet(200);
        assert!((sheet.spine() - 200.0 * 0.002252 * 72.0).abs() < 1e-3);
        let (width, height) = sheet.trimmed();
        let with_bleed = (width + 2.0 * sheet.bleed, height + 2.0 * sheet.bleed);
        assert!((with_bleed.0 / 72.0 - (2.0 * 6.125 + 0.4504)).abs() < 1e-4);
        assert!((with_bleed.1 / 72.0 - 9.25).abs() < 1e-4);
        let page = page(&content(Lang::En), &sheet);
        assert_eq!((page.width, page.height), (width, height));
        // The ground covers the sheet with its bleed.
        let Some(Item::Fill { rect, .. }) = page.items.first() else {
            panic!("no ground");
        };
        assert_eq!((rect.x, rect.y), (-9.0, -9.0));
        assert_eq!((rect.width, rect.height), with_bleed);
    }

    #[test]
    fn spine_text_from_79_pages_turned_in_english_upright_in_chinese() {
        let english = content(Lang::En);
        assert!(on_spine(&page(&english, &sheet(78)), &sheet(78)).is_empty());
        let thick = page(&english, &sheet(79));
        let runs = on_spine(&thick, &sheet(79));
        let text: String = runs.iter().map(|r| r.text.as_str()).collect();
        assert_eq!(text, "Machines That LearnA. Writer");
        assert!(runs.iter().all(|r| r.setting == Setting::Turned));
        // Down the spine: the title's runs above the author's.
        assert!(runs.first().unwrap().y < runs.last().unwrap().y);

        let chinese = content(Lang::ZhHant);
        let sheet = sheet(300);
        let cover = page(&chinese, &sheet);
        let runs = on_spine(&cover, &sheet);
        let title: Vec<&TextRun> = runs
            .iter()
            .copied()
            .filter(|r| r.text.chars().any(is_han))
            .collect();
        assert_eq!(title.len(), 6, "a run per character");
        assert!(title.iter().all(|r| r.setting == Setting::Along));
        assert!(
            title.windows(2).all(|w| w[1].y > w[0].y),
            "one under another"
        );
        // The Latin author is turned, like an English spine.
        assert!(runs
            .iter()
            .any(|r| r.text == "A. Writer" && r.setting == Setting::Turned));
    }

    #[test]
    fn the_front_is_on_the_left_of_a_book_bound_on_the_right() {
        let sheet = sheet(100);
        let panel = sheet.size.points().0;
        let title_x = |content: &CoverContent| {
            let page = page(content, &sheet);
            (page.items.iter())
                .find_map(|item| match item {
                    Item::Text(run) if run.text.starts_with("會") => Some(run.x),
                    _ => None,
                })
                .unwrap()
        };
        let mut chinese = content(Lang::ZhHant);
        assert!(title_x(&chinese) > panel + sheet.spine());
        chinese.bound_right = true;
        assert!(title_x(&chinese) < panel);
    }

    /// The barcode's white ground holds 11 light modules left of the first
    /// bar and 7 right of the last, and its bars spell the ISBN's modules.
    #[test]
    fn the_barcode_keeps_its_quiet_zones_and_spells_the_isbn() {
        let page = page(&content(Lang::En), &sheet(120));
        let ground = (page.items.iter())
            .find_map(|item| match item {
                Item::Fill { rect, color } if *color == WHITE => Some(*rect),
                _ => None,
            })
            .expect("a white ground");
        let bars: Vec<Rect> = (page.items.iter())
            .filter_map(|item| match item {
                Item::Rule(rect) => Some(*rect),
                _ => None,
            })
            .collect();
        assert_eq!(bars.len(), 30);
        let first = bars[0].x;
        let last = bars[29].x + bars[29].width;
        let modules = |points: f32| points / barcode::MODULE;
        assert!(modules(first - ground.x) >= 11.0 - 1e-3);
        assert!(modules(ground.x + ground.width - last) >= 7.0 - 1e-3);
        let mut spelt = vec![false; 95];
        for bar in &bars {
            let start = modules(bar.x - first).round() as usize;
            let width = modules(bar.width).round() as usize;
            spelt[start..start + width].fill(true);
        }
        let digits = barcode::digits("9780306406157").unwrap();
        assert_eq!(spelt, barcode::modules(&digits));
        // The digits under the bars, as printed.
        let text: String = (page.items.iter())
            .filter_map(|item| match item {
                Item::Text(run) if run.color == BLACK => Some(run.text.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(text, "ISBN 97803064061579780306406157");
    }
}
