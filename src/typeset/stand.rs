//! A vertical book's tables and code blocks, kept horizontal.
//!
//! They are set as in a horizontal book ([`Upright`]), then stood in the
//! flow of the page turned a quarter that the book's lines are set on:
//! each group of their lines that fits a column's length becomes one
//! "line" of that page, as thick as the group is wide, its content turned
//! back a quarter so that turning the page upright ([`super::turn`]) leaves
//! it horizontal, read left to right and top to bottom.

use super::frame::{Rect, Setting};
use super::layout::{grid_multiple, Chunk, Drawn, Placed};
use super::paragraph::ShapingFonts;
use super::theme::Theme;

/// A vertical book's horizontal setting, for its tables and code blocks.
#[derive(Clone, Copy)]
pub struct Upright<'a> {
    pub fonts: &'a ShapingFonts<'a>,
    /// The design of the printed page.
    pub theme: &'a Theme,
}

/// How much of the printed text block's width a table or code block is set
/// to: a heading and a few columns share its page.
pub const MEASURE: f32 = 2.0 / 3.0;

/// Stands `chunk`, set horizontally, in the turned page's flow: its lines go
/// down the column from `indent`, in groups no longer than `column`, each
/// under a table's header row.
pub fn stand(chunk: Chunk, indent: f32, column: f32, theme: &Theme) -> Chunk {
    let mut groups: Vec<Vec<Placed>> = Vec::new();
    let mut height = 0.0;
    for line in chunk.lines {
        let fits = height + line.advance + line.depth <= column;
        if groups.is_empty() || !fits {
            let mut group = Vec::new();
            height = 0.0;
            if let Some(header) = &chunk.header {
                height = header.above;
                group.push(header.clone());
            }
            height += if group.is_empty() {
                line.above
            } else {
                line.advance
            };
            group.push(line);
            groups.push(group);
        } else {
            height += line.advance;
            groups.last_mut().expect("a group").push(line);
        }
    }
    Chunk {
        lines: (groups.into_iter())
            .map(|group| stand_group(group, indent, theme))
            .collect(),
        space_before: chunk.space_before,
        keep_with_next: chunk.keep_with_next,
        splittable: chunk.splittable,
        header: None,
    }
}

/// One group of lines as one line of the turned page: its baseline is the
/// group's left edge, and it stands `above` it by the group's width.
fn stand_group(lines: Vec<Placed>, indent: f32, theme: &Theme) -> Placed {
    let mut out = Placed::default();
    let (mut baseline, mut width) = (0.0, 0.0f32);
    for (i, line) in lines.into_iter().enumerate() {
        baseline += if i == 0 { line.above } else { line.advance };
        width = width.max(extent(&line));
        let place = Place { indent, baseline };
        out.drawn
            .extend(line.drawn.into_iter().map(|d| place.drawn(d)));
        out.footnotes.extend(line.footnotes);
        out.anchor = out.anchor.or(line.anchor);
        out.start = out.start.or(line.start);
    }
    // Clear of the column before by half an em past its em boxes' foot.
    out.advance = grid_multiple(width + 0.62 * theme.body_size, theme.leading);
    out.above = width;
    out
}

/// How far right a horizontally set line reaches: its text and its rules.
fn extent(line: &Placed) -> f32 {
    let records = line.records.iter().map(|&(x, _, width, _)| x + width);
    let rects = line.drawn.iter().filter_map(|d| match d {
        Drawn::Rule(r) | Drawn::Dot(r) | Drawn::Image(r, ..) => Some(r.x + r.width),
        _ => None,
    });
    records.chain(rects).fold(0.0, f32::max)
}

/// Where a line of a group goes on the turned page: a point (x, y) of the
/// line (x from its start, y from its baseline, down) lands at
/// (`indent` + y from the group's top, −x), which turning the page brings
/// back to x right of the group's left edge and y down from its top.
struct Place {
    indent: f32,
    /// The line's baseline, down from the group's top.
    baseline: f32,
}

impl Place {
    fn point(&self, x: f32, y: f32) -> (f32, f32) {
        (self.indent + self.baseline + y, -x)
    }

    fn rect(&self, r: Rect) -> Rect {
        let (x, y) = self.point(r.x + r.width, r.y);
        Rect {
            x,
            y,
            width: r.height,
            height: r.width,
        }
    }

    fn drawn(&self, drawn: Drawn) -> Drawn {
        match drawn {
            Drawn::Runs(mut runs) => {
                for run in &mut runs {
                    (run.x, run.y) = self.point(run.x, run.y);
                    run.setting = Setting::Standing;
                }
                Drawn::Runs(runs)
            }
            Drawn::Rule(r) => Drawn::Rule(self.rect(r)),
            Drawn::Dot(r) => Drawn::Dot(self.rect(r)),
            Drawn::Image(r, data, figure) => Drawn::Image(self.rect(r), data, figure),
            Drawn::Link(r, target, link) => Drawn::Link(self.rect(r), target, link),
            Drawn::FootnoteLink(r, n, link) => Drawn::FootnoteLink(self.rect(r), n, link),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::book::Lang;
    use crate::fonts::Face;
    use crate::typeset::frame::TextRun;
    use crate::typeset::PageSize;

    fn line(text: &str) -> Placed {
        let mut run = TextRun::new(Face::Latin, 10.0, 0.0, 0.0);
        run.push(1, 0.0, 0.0, text);
        Placed {
            advance: 10.0,
            above: 8.0,
            depth: 2.0,
            drawn: vec![Drawn::Runs(vec![run])],
            records: vec![(0.0, text.to_owned(), 40.0, 100.0)],
            ..Placed::default()
        }
    }

    /// A block longer than a column goes on in the next groups, each under
    /// the header row; a group is as thick as the block is wide.
    #[test]
    fn a_long_block_is_stood_in_groups_under_its_header() {
        let rows: Vec<Placed> = (0..6).map(|i| line(&format!("row {i}"))).collect();
        let chunk = Chunk {
            lines: rows,
            header: Some(line("header")),
            ..Chunk::default()
        };
        let theme = Theme::new(PageSize::default(), Lang::ZhHant);
        // The header's baseline at 8, two rows at 18 and 28, 30 with depth.
        let stood = stand(chunk, 5.0, 35.0, &theme);
        assert_eq!(stood.lines.len(), 3);
        for group in &stood.lines {
            let texts: Vec<&str> = (group.drawn.iter())
                .filter_map(|d| match d {
                    Drawn::Runs(runs) => Some(runs[0].text.as_str()),
                    _ => None,
                })
                .collect();
            assert_eq!(texts.len(), 3, "{texts:?}");
            assert_eq!(texts[0], "header");
            assert_eq!(group.above, 40.0);
            let Drawn::Runs(runs) = &group.drawn[2] else {
                panic!("runs")
            };
            // Down the column from the indent: the second row's baseline.
            assert_eq!((runs[0].x, runs[0].y), (5.0 + 28.0, 0.0));
            assert_eq!(runs[0].setting, Setting::Standing);
        }
    }
}
