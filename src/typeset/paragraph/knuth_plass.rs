//! Knuth–Plass total-fit line breaking with active-node pruning.
//!
//! One pass, no tolerance cut-off: a line may be as loose as it has to be
//! (its badness grows as the cube of its stretch ratio, uncapped), but never
//! overfull. Active nodes are dropped when the line from them would be
//! overfull, and nodes at a breakpoint are kept only within `ADJ_DEMERITS`
//! of the best one there. A line that is overfull however it is broken (a
//! single cluster wider than the measure) is accepted from the immediately
//! preceding breakpoint, with enormous demerits, so there is always a
//! solution.

use super::items::{Item, ItemKind, INFINITY};

const LINE_PENALTY: f64 = 10.0;
const ADJ_DEMERITS: f64 = 10_000.0;
const DOUBLE_HYPHEN_DEMERITS: f64 = 10_000.0;
const FINAL_HYPHEN_DEMERITS: f64 = 5_000.0;
/// A paragraph's last line shorter than a third of the measure, after a
/// hyphen: the stub of a word ("tion.") alone.
const STUB_DEMERITS: f64 = 300_000.0;
/// A third hyphenated line in a row: more than any set of loose lines.
const TOO_MANY_HYPHENS: f64 = 1e12;
/// A Chinese paragraph's last line holding a single Han character.
const ORPHAN_DEMERITS: f64 = 1e10;
/// An overfull line: only when nothing else is possible.
const OVERFULL_DEMERITS: f64 = 1e14;
/// How much costlier a point of inter-character spacing is than a point of
/// space.
const SPREAD_COST: f64 = 4.0;
/// Stretch ratios are capped here.
const MAX_RATIO: f64 = 100.0;
/// The ratio where 100·r³ reaches TeX's "infinitely bad" 10000.
const AWFUL_RATIO: f64 = 4.641_588_833_612_779;
const EPSILON: f64 = 1e-3;

pub(super) struct Params {
    pub measure: f32,
    pub first_indent: f32,
    /// Stretch of the right margin (ragged right), 0 when justifying.
    pub rightskip: f32,
    /// Penalise a last line of one Han character (Chinese paragraphs).
    pub orphan: bool,
}

/// Running totals of the items before an index.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Sum {
    width: f64,
    stretch: f64,
    stretch2: f64,
    shrink: f64,
    fil: u32,
    han: u32,
    other: u32,
}

pub(super) fn sums(items: &[Item], out: &mut Vec<Sum>) {
    out.clear();
    let mut s = Sum::default();
    out.push(s);
    for item in items {
        // A penalty's width and shrink count only on the line it ends.
        if item.kind != ItemKind::Penalty {
            s.width += item.width as f64;
            s.shrink += item.shrink as f64;
        }
        s.stretch += item.stretch as f64;
        s.stretch2 += item.stretch2 as f64;
        s.fil += item.fil as u32;
        s.han += item.han;
        s.other += item.other;
        out.push(s);
    }
}

/// The first item of a line after a break at `b` (None: the paragraph's
/// start): glue and penalties after a break are discarded.
pub(super) fn line_start(items: &[Item], b: Option<usize>) -> usize {
    let mut s = b.map_or(0, |b| b + 1);
    while s < items.len() {
        let item = &items[s];
        if item.kind == ItemKind::Box
            || (item.kind == ItemKind::Penalty && item.penalty <= -INFINITY)
        {
            break;
        }
        s += 1;
    }
    s
}

/// Width, stretch, shrink and fil count of the line from item `s` to a
/// break at `b`.
fn measure(items: &[Item], sums: &[Sum], s: usize, b: usize, p: &Params, first: bool) -> Line {
    let (a, z) = (&sums[s], &sums[b]);
    let mut width = z.width - a.width;
    let mut shrink = z.shrink - a.shrink;
    if items[b].kind == ItemKind::Penalty {
        width += items[b].width as f64;
        shrink += items[b].shrink as f64;
    }
    if first {
        width += p.first_indent as f64;
    }
    Line {
        width,
        stretch: z.stretch - a.stretch + p.rightskip as f64,
        stretch2: z.stretch2 - a.stretch2,
        shrink,
        fil: z.fil > a.fil,
        han: z.han - a.han,
        other: z.other - a.other,
    }
}

struct Line {
    width: f64,
    /// Spaces and Han–Latin glue.
    stretch: f64,
    /// Between CJK characters: used after `stretch`, and costlier.
    stretch2: f64,
    shrink: f64,
    fil: bool,
    han: u32,
    other: u32,
}

impl Line {
    /// The adjustment ratio: negative when shrinking; below −1 is overfull.
    fn ratio(&self, measure: f64) -> f64 {
        let gap = measure - self.width;
        if gap.abs() <= EPSILON {
            0.0
        } else if gap > 0.0 {
            // Spreading CJK characters counts as stretching glue a quarter
            // as wide: pushing in, or spaces, are preferred (clreq's order).
            let stretch = self.stretch + self.stretch2 / SPREAD_COST;
            if self.fil {
                0.0
            } else if stretch > 0.0 {
                gap / stretch
            } else {
                MAX_RATIO
            }
        } else if self.shrink > 0.0 && -gap <= self.shrink + EPSILON {
            (gap / self.shrink).max(-1.0)
        } else {
            f64::NEG_INFINITY
        }
    }
}

fn legal(items: &[Item], i: usize) -> bool {
    items[i].is_break(i.checked_sub(1).map(|j| &items[j]))
}

/// Segments between consecutive legal breakpoints that are wider than the
/// measure even fully shrunk: (first item, break item, excess in points).
pub(super) fn overlong(items: &[Item], sums: &[Sum], p: &Params) -> Vec<(usize, usize, f32)> {
    let mut out = Vec::new();
    let mut s = line_start(items, None);
    let mut first = true;
    for i in 0..items.len() {
        if !legal(items, i) {
            continue;
        }
        if s < i {
            let line = measure(items, sums, s, i, p, first);
            let excess = line.width - line.shrink - p.measure as f64;
            if excess > EPSILON {
                out.push((s, i, excess as f32));
            }
            first = false;
        }
        s = line_start(items, Some(i));
    }
    out
}

/// TeX's badness, 100·|r|³ up to 10000; beyond that it keeps growing
/// slowly (linearly) so that a less awful line is still preferred, while
/// staying bounded (below 20000) under the penalties for broken rules.
fn badness(r: f64) -> f64 {
    let r = r.abs().min(MAX_RATIO);
    if r <= AWFUL_RATIO {
        100.0 * r * r * r
    } else {
        10_000.0 + 100.0 * (r - AWFUL_RATIO)
    }
}

#[derive(Debug, Clone, Copy)]
struct Node {
    /// The break item; usize::MAX for the paragraph's start.
    pos: usize,
    /// The first item of the line after it.
    start: usize,
    fitness: u8,
    /// Automatic hyphens on the lines ending here, in a row.
    hyphens: u8,
    flagged: bool,
    demerits: f64,
    prev: u32,
}

const NONE: u32 = u32::MAX;

/// The demerits of a line from node `a` to a break at `i`, with the line's
/// fitness class and the count of hyphenated lines in a row it ends. An
/// overfull line gets enormous demerits (the caller allows it only when
/// there is no other way).
fn demerits(items: &[Item], p: &Params, a: &Node, line: &Line, i: usize) -> (f64, u8, u8) {
    let item = &items[i];
    let last = i + 1 == items.len();
    let mut r = line.ratio(p.measure as f64);
    let mut d = 0.0;
    if r < -1.0 {
        r = -1.0;
        d += OVERFULL_DEMERITS;
    }
    d += (LINE_PENALTY + badness(r)).powi(2);
    if item.kind == ItemKind::Penalty {
        let penalty = item.penalty as f64;
        if penalty >= 0.0 {
            d += penalty * penalty;
        } else if penalty > -INFINITY as f64 {
            d -= penalty * penalty;
        }
    }
    if item.flagged && a.flagged {
        d += DOUBLE_HYPHEN_DEMERITS;
    }
    if last && a.flagged {
        d += FINAL_HYPHEN_DEMERITS;
        if line.width < p.measure as f64 / 3.0 {
            d += STUB_DEMERITS;
        }
    }
    let hyphens = if item.flagged { a.hyphens + 1 } else { 0 };
    if hyphens > 2 {
        d += TOO_MANY_HYPHENS;
    }
    let fitness: u8 = if r < -0.5 {
        3
    } else if r <= 0.5 {
        2
    } else if r <= 1.0 {
        1
    } else {
        0
    };
    if fitness.abs_diff(a.fitness) > 1 {
        d += ADJ_DEMERITS;
    }
    if p.orphan && last && a.pos != usize::MAX && line.han == 1 && line.other == 0 {
        d += ORPHAN_DEMERITS;
    }
    (d, fitness, hyphens)
}

/// The total demerits of breaking at `breaks` (for tests: comparing with
/// other ways to break).
#[cfg(test)]
pub(super) fn total_demerits(items: &[Item], sums: &[Sum], p: &Params, breaks: &[usize]) -> f64 {
    let mut a = start_node(items);
    for &b in breaks {
        let line = measure(items, sums, a.start, b, p, a.pos == usize::MAX);
        let (d, fitness, hyphens) = demerits(items, p, &a, &line, b);
        a = Node {
            pos: b,
            start: line_start(items, Some(b)),
            fitness,
            hyphens,
            flagged: items[b].flagged,
            demerits: a.demerits + d,
            prev: NONE,
        };
    }
    a.demerits
}

fn start_node(items: &[Item]) -> Node {
    Node {
        pos: usize::MAX,
        start: line_start(items, None),
        fitness: 2,
        hyphens: 0,
        flagged: false,
        demerits: 0.0,
        prev: NONE,
    }
}

/// The breaks (item indices) of the best way to set the paragraph; the last
/// is the final penalty. Empty when there is nothing to set.
pub(super) fn breaks(items: &[Item], sums: &[Sum], p: &Params) -> Vec<usize> {
    let n = items.len();
    let mut nodes = vec![start_node(items)];
    let mut active: Vec<u32> = vec![0];
    let mut latest = usize::MAX;
    for i in 0..n {
        if !legal(items, i) {
            continue;
        }
        let forced = items[i].kind == ItemKind::Penalty && items[i].penalty <= -INFINITY;
        // Best (demerits, node) per fitness class and hyphen count.
        let mut best = [[(f64::INFINITY, NONE); 3]; 4];
        let mut kept = 0;
        for j in 0..active.len() {
            let id = active[j];
            let a = nodes[id as usize];
            let mut keep = !forced;
            if a.start < i {
                let line = measure(items, sums, a.start, i, p, a.pos == usize::MAX);
                let overfull = line.ratio(p.measure as f64) < -1.0;
                if overfull {
                    keep = false;
                }
                if !overfull || a.pos == latest {
                    let (d, fitness, hyphens) = demerits(items, p, &a, &line, i);
                    let total = a.demerits + d;
                    let slot = &mut best[fitness as usize][hyphens.min(2) as usize];
                    if total < slot.0 {
                        *slot = (total, id);
                    }
                }
            }
            if keep {
                active[kept] = id;
                kept += 1;
            }
        }
        active.truncate(kept);
        let least = best
            .iter()
            .flatten()
            .map(|b| b.0)
            .fold(f64::INFINITY, f64::min);
        if least.is_finite() {
            let start = line_start(items, Some(i));
            for (fitness, row) in best.iter().enumerate() {
                for (hyphens, &(total, prev)) in row.iter().enumerate() {
                    if prev == NONE || total > least + ADJ_DEMERITS {
                        continue;
                    }
                    active.push(nodes.len() as u32);
                    nodes.push(Node {
                        pos: i,
                        start,
                        fitness: fitness as u8,
                        hyphens: if items[i].flagged { hyphens as u8 } else { 0 },
                        flagged: items[i].flagged,
                        demerits: total,
                        prev,
                    });
                }
            }
            latest = i;
        }
    }
    let Some(end) = active
        .iter()
        .map(|&id| (id, &nodes[id as usize]))
        .filter(|(_, node)| node.pos != usize::MAX && node.pos + 1 == n)
        .min_by(|a, b| a.1.demerits.total_cmp(&b.1.demerits))
        .map(|(id, _)| id)
    else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut id = end;
    while id != NONE && nodes[id as usize].pos != usize::MAX {
        out.push(nodes[id as usize].pos);
        id = nodes[id as usize].prev;
    }
    out.reverse();
    out
}
