//! A vertical book's pages turned upright.
//!
//! Its lines are set on a page turned a quarter counter-clockwise
//! ([`Theme::turned`]), where they are horizontal and every rule of the
//! horizontal setter holds (kinsoku, punctuation squeeze, the grid). Turned
//! back a quarter clockwise, the lines are columns read top to bottom and
//! right to left. Han and full-width punctuation (already in their vertical
//! forms) stand upright in their em squares, short Latin runs go across the
//! column, and the rest (Latin words) stays turned with its line.

use super::frame::{Glyph, Item, LinkTarget, Rect, Setting, TextRun};
use super::paginate::PageBuild;
use super::theme::Theme;

/// The ideographic em box's top above the baseline, in ems: CJK fonts set
/// the box from 0.12 em below the baseline to 0.88 em above (and put their
/// vertical origin, `VORG`, at its top).
pub(crate) const IDEOGRAPHIC_TOP: f32 = 0.88;

/// The ideographic em box's centre above the baseline, in ems.
const IDEOGRAPHIC_CENTRE: f32 = IDEOGRAPHIC_TOP - 0.5;

/// How far below a cell's centre the baseline of Latin set across a column
/// goes, in ems of its size: half the height of a digit.
const DIGIT_HALF_HEIGHT: f32 = 0.36;

/// Turns page `index` of a vertical book upright: `turned` is the design its
/// lines were set in, `page` the one it is printed in ([`Theme::bound_right`]).
pub fn turn_page(page: &mut PageBuild, index: usize, turned: &Theme, theme: &Theme) {
    let turn = Turn {
        right: theme.left(index) + theme.measure() + turned.top,
    };
    for item in &mut page.items {
        match item {
            Item::Text(run) => turn.run(run),
            Item::Rule(rect) | Item::Dot(rect) | Item::Fill { rect, .. } => {
                *rect = turn.rect(*rect)
            }
            Item::Image { rect, .. } => *rect = turn.rect(*rect),
            Item::Link { rect, target, .. } => {
                *rect = turn.rect(*rect);
                // A page of columns is read from its top.
                if let LinkTarget::Internal { y, .. } = target {
                    *y = 0.0;
                }
            }
        }
    }
    for line in &mut page.lines {
        // Where the column's baseline runs, and where it starts.
        (line.x, line.y) = turn.point(line.x, line.y);
    }
}

/// A quarter turn clockwise of the page the lines were set on.
struct Turn {
    /// Where its top edge lands: the right of the text block plus the margin.
    right: f32,
}

impl Turn {
    fn point(&self, x: f32, y: f32) -> (f32, f32) {
        (self.right - y, x)
    }

    fn rect(&self, r: Rect) -> Rect {
        Rect {
            x: self.right - r.y - r.height,
            y: r.x,
            width: r.height,
            height: r.width,
        }
    }

    fn run(&self, run: &mut TextRun) {
        match run.setting {
            Setting::Along | Setting::Turned => {
                (run.x, run.y) = self.point(run.x, run.y);
                run.setting = Setting::Turned;
            }
            Setting::Standing => {
                (run.x, run.y) = self.point(run.x, run.y);
                run.setting = Setting::Along;
            }
            Setting::Upright => self.upright(run),
            Setting::Across(width) => self.across(run, width),
        }
    }

    /// Each glyph upright in the em square it took on its line, placed by
    /// its vertical origin: the top centre of that square.
    fn upright(&self, run: &mut TextRun) {
        let centre = IDEOGRAPHIC_CENTRE * run.size;
        let origin = |g: &Glyph| {
            let (x, y) = self.point(run.x + g.x, run.y + g.y);
            (x + centre, y)
        };
        let Some((x0, y0)) = run.glyphs.first().map(origin) else {
            (run.x, run.y) = self.point(run.x, run.y);
            run.setting = Setting::Along;
            return;
        };
        let placed: Vec<(f32, f32)> = run.glyphs.iter().map(origin).collect();
        for (g, (x, y)) in run.glyphs.iter_mut().zip(placed) {
            (g.x, g.y) = (x - x0, y - y0);
        }
        (run.x, run.y) = (x0, y0);
    }

    /// The run across the column, centred in the em it took on its line,
    /// made smaller if it is wider than an em. Its glyphs stand upright
    /// side by side, each placed by its vertical origin (see `upright`).
    fn across(&self, run: &mut TextRun, width: f32) {
        let em = run.size;
        // Wider than the em: compressed across, their height kept.
        let scale = (em / width).min(1.0);
        let (centre, top) = self.point(run.x, run.y - IDEOGRAPHIC_CENTRE * em);
        let left = centre - width * scale / 2.0;
        let baseline = top + em / 2.0 + DIGIT_HALF_HEIGHT * em;
        let advances: Vec<f32> = (run.glyphs.iter().enumerate())
            .map(|(i, g)| run.glyphs.get(i + 1).map_or(width, |next| next.x) - g.x)
            .collect();
        for (g, advance) in run.glyphs.iter_mut().zip(advances) {
            g.x = left + (g.x + advance / 2.0) * scale;
            g.y = baseline + g.y - IDEOGRAPHIC_TOP * em;
        }
        let (x0, y0) = run.glyphs.first().map_or((left, top), |g| (g.x, g.y));
        for g in &mut run.glyphs {
            (g.x, g.y) = (g.x - x0, g.y - y0);
        }
        (run.x, run.y, run.setting) = (x0, y0, Setting::Upright);
        run.width_scale = scale;
    }
}
