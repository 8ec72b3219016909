//! A shaped paragraph as Knuth–Plass items: boxes, glue and penalties, with
//! clreq's spacing — Han–Latin glue, squeezed and line-end-trimmed
//! punctuation, inter-character stretch — and English inter-word glue.

use std::ops::Range;

use super::breaks::{is_ideograph, is_western, ALLOWED, HYPHEN, SOFT_HYPHEN};
use super::shape::{Cluster, Kind, Shaped, ShapingFonts};

/// A penalty that forbids a break.
pub(super) const INFINITY: f32 = 10_000.0;
/// The penalty at an automatic hyphen.
pub(super) const HYPHEN_PENALTY: f32 = 50.0;
/// The penalty at a break inside Latin text without a space (after a hyphen,
/// dash or slash) and at an emergency break.
pub(super) const EXPLICIT_PENALTY: f32 = 50.0;

/// Han–Latin spacing, in ems: ¼ em, shrinking to ⅛ em, stretching to ⅓ em.
const HAN_LATIN: f32 = 0.25;
const HAN_LATIN_SHRINK: f32 = 0.125;
const HAN_LATIN_STRETCH: f32 = 1.0 / 12.0;
/// Stretch between two CJK characters, in ems: used after spaces.
const INTER_CHAR_STRETCH: f32 = 0.08;
/// Letters of a justified English line may move apart by up to this much,
/// in ems, so its word spaces need stretch less (as microtype's expansion).
pub(super) const TRACKING: f32 = 0.025;
/// Two adjacent punctuation marks lose this much of their blanks, in ems.
const SQUEEZE: f32 = 0.5;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ItemKind {
    Box,
    Glue,
    Penalty,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Item {
    pub kind: ItemKind,
    pub width: f32,
    /// Stretch used first (spaces, Han–Latin glue).
    pub stretch: f32,
    /// Stretch used once `stretch` is exhausted (between CJK characters).
    pub stretch2: f32,
    pub shrink: f32,
    /// Infinite stretch (end of paragraph, forced break).
    pub fil: bool,
    pub penalty: f32,
    /// An automatic hyphen.
    pub flagged: bool,
    /// Clusters: a box's content, a glue's source spaces, a hyphen's word.
    pub c0: u32,
    pub c1: u32,
    /// Han (and kana) characters and emoji, and other letters or digits, in a box.
    pub han: u32,
    pub other: u32,
}

impl Item {
    fn new(kind: ItemKind) -> Item {
        Item {
            kind,
            width: 0.0,
            stretch: 0.0,
            stretch2: 0.0,
            shrink: 0.0,
            fil: false,
            penalty: 0.0,
            flagged: false,
            c0: 0,
            c1: 0,
            han: 0,
            other: 0,
        }
    }

    fn is_forced_break(&self) -> bool {
        self.kind == ItemKind::Penalty && self.penalty <= -INFINITY
    }

    fn penalty(penalty: f32) -> Item {
        Item {
            penalty,
            ..Item::new(ItemKind::Penalty)
        }
    }

    /// A legal breakpoint, given the item before it.
    pub fn is_break(&self, before: Option<&Item>) -> bool {
        match self.kind {
            ItemKind::Box => false,
            ItemKind::Glue => before.is_some_and(|b| b.kind == ItemKind::Box),
            ItemKind::Penalty => self.penalty < INFINITY,
        }
    }
}

/// How items are built.
pub(super) struct Options<'r> {
    pub justify: bool,
    /// Latin letters may be spaced apart a little (English paragraphs).
    pub track: bool,
    /// CJK characters may be spaced apart.
    pub spread: bool,
    pub hyphenate: bool,
    /// Byte ranges where a line may break between any two clusters.
    pub emergency: &'r [Range<usize>],
}

/// Trims the blanks of full-width punctuation (from the face's `halt`
/// metrics): where two marks meet, the pair loses half an em; a mark's
/// remaining right blank is taken off its glyph and kept in
/// `Cluster::right`, to become glue that vanishes at a line end.
pub(super) fn punctuation(shaped: &mut Shaped, fonts: &ShapingFonts) {
    // The last drawn cluster, if nothing but invisible characters follow it,
    // and whether it had blanks.
    let mut prev: Option<(usize, bool)> = None;
    for k in 0..shaped.clusters.len() {
        let cluster = shaped.clusters[k];
        match cluster.kind {
            Kind::Skip => continue,
            Kind::Space | Kind::Forced => {
                prev = None;
                continue;
            }
            Kind::Text => {}
        }
        let ch = shaped.first_char(&cluster);
        let single = cluster.end - cluster.start == ch.len_utf8() as u32;
        let (left, right) = if single && cluster.g1 > cluster.g0 {
            let (l, r) = fonts.face(cluster.face).blanks(ch);
            (l * cluster.size, r * cluster.size)
        } else {
            (0.0, 0.0)
        };
        let blanked = left + right > 0.0;
        let mut left_kept = left;
        if let Some((p, true)) = prev {
            if blanked {
                let pending = shaped.clusters[p].right;
                let reduce = (pending + left).min(SQUEEZE * cluster.size);
                let from_pending = pending.min(reduce);
                shaped.clusters[p].right -= from_pending;
                let from_left = reduce - from_pending;
                // What is left of its left blank parts it from the mark
                // before: never squeezed further.
                left_kept = 0.0;
                if from_left > 0.0 {
                    let g = &mut shaped.glyphs[cluster.g0 as usize];
                    g.dx -= from_left;
                    g.advance -= from_left;
                    shaped.clusters[k].width -= from_left;
                }
            }
        }
        if right > 0.0 {
            let g = &mut shaped.glyphs[cluster.g1 as usize - 1];
            g.advance -= right;
            shaped.clusters[k].width -= right;
            shaped.clusters[k].right = right;
            shaped.clusters[k].left = left_kept.max(0.0);
        }
        prev = Some((k, blanked));
    }
}

/// Builds the items of a shaped paragraph (after [`punctuation`]).
pub(super) fn build(
    shaped: &Shaped,
    flags: &[u8],
    fonts: &ShapingFonts,
    options: &Options,
    items: &mut Vec<Item>,
) {
    items.clear();
    let mut builder = Builder {
        items,
        open: None,
        consumed: 0,
        track: options.justify && options.track,
    };
    // The last drawn cluster.
    let mut prev: Option<usize> = None;
    let mut spaces: Option<Range<usize>> = None;
    let mut emergency = options.emergency.iter().peekable();
    for (k, cluster) in shaped.clusters.iter().enumerate() {
        match cluster.kind {
            Kind::Skip => continue,
            Kind::Forced => {
                builder.close(shaped);
                let line_is_empty = builder.items.last().is_none_or(Item::is_forced_break);
                if line_is_empty {
                    // Two breaks in a row, or one at the start: an empty
                    // box, so that the empty line is a line to break after.
                    builder.items.push(Item {
                        c0: k as u32,
                        c1: k as u32,
                        ..Item::new(ItemKind::Box)
                    });
                }
                builder.consumed = k + 1;
                builder.items.push(Item::penalty(INFINITY));
                builder.items.push(Item {
                    fil: true,
                    ..Item::new(ItemKind::Glue)
                });
                builder.items.push(Item::penalty(-INFINITY));
                prev = None;
                spaces = None;
                continue;
            }
            Kind::Space => {
                if prev.is_some() {
                    spaces = Some(spaces.map_or(k..k + 1, |s| s.start..k + 1));
                } else {
                    builder.consumed = k + 1;
                }
                continue;
            }
            Kind::Text => {}
        }
        let start = cluster.start as usize;
        let ch = shaped.first_char(cluster);
        if let Some(p) = prev {
            let before = &shaped.clusters[p];
            while emergency.peek().is_some_and(|r| r.end <= start) {
                emergency.next();
            }
            let in_emergency = emergency
                .peek()
                .is_some_and(|r| r.start < start && start < r.end);
            let allowed = flags[start] & ALLOWED != 0 || in_emergency;
            let last = shaped.last_char(before);
            // Latin set across a vertical column takes an em, as Han does.
            let han_latin = if before.across || cluster.across {
                None
            } else if is_ideograph(last) && is_western(ch) {
                Some(before.size)
            } else if is_western(last) && is_ideograph(ch) {
                Some(cluster.size)
            } else {
                None
            };
            let mut glue = Item::new(ItemKind::Glue);
            glue.width = before.right;
            glue.shrink = before.right + before.left;
            if let Some(em) = han_latin {
                // Replaces a source space: never added on top of it.
                glue.width += HAN_LATIN * em;
                glue.stretch += HAN_LATIN_STRETCH * em;
                glue.shrink += HAN_LATIN_SHRINK * em;
            } else if let Some(s) = &spaces {
                let w = shaped.clusters[s.start].width;
                glue.width += w;
                glue.stretch += w / 2.0;
                glue.shrink += w / 3.0;
            }
            if allowed && options.spread && shaped.is_wide(before) && shaped.is_wide(cluster) {
                glue.stretch2 = INTER_CHAR_STRETCH * cluster.size.max(before.size);
            }
            if !options.justify {
                glue.stretch = 0.0;
                glue.stretch2 = 0.0;
                glue.shrink = 0.0;
            }
            let has_glue = glue.width > 0.0 || glue.stretch2 > 0.0 || spaces.is_some();
            if has_glue {
                builder.close(shaped);
                if !allowed {
                    builder.items.push(Item::penalty(INFINITY));
                } else if before.right > 0.0 && options.justify {
                    // The break: a mark ending a line keeps its blank, so
                    // the line stays on the grid, and may lose half of it.
                    builder.items.push(Item {
                        width: before.right,
                        shrink: before.right,
                        ..Item::penalty(0.0)
                    });
                }
                // A glue from source spaces holds them (and anything invisible
                // before them), for the line's text and the space glyph.
                glue.c0 = builder.consumed as u32;
                glue.c1 = glue.c0;
                if let Some(s) = &spaces {
                    glue.c1 = s.end as u32;
                    builder.consumed = s.end;
                }
                builder.items.push(glue);
            } else if allowed {
                builder.close(shaped);
                let latin = !shaped.is_wide(before) && !shaped.is_wide(cluster);
                let penalty = if latin || in_emergency {
                    EXPLICIT_PENALTY
                } else {
                    0.0
                };
                builder.items.push(Item::penalty(penalty));
            } else if (flags[start] & HYPHEN != 0 && options.hyphenate)
                || flags[start] & SOFT_HYPHEN != 0
            {
                if let Some((_, advance)) = fonts.face(before.face).hyphen {
                    builder.close(shaped);
                    builder.items.push(Item {
                        width: advance * before.size,
                        penalty: HYPHEN_PENALTY,
                        flagged: true,
                        c0: p as u32,
                        c1: p as u32 + 1,
                        ..Item::new(ItemKind::Penalty)
                    });
                }
            }
        }
        prev = Some(k);
        spaces = None;
        builder.extend(k, cluster.width);
    }
    builder.close(shaped);
    // A forced break at the very end already ends the paragraph.
    let ended = builder.items.last().is_some_and(Item::is_forced_break);
    if !ended {
        builder.items.push(Item::penalty(INFINITY));
        builder.items.push(Item {
            fil: true,
            ..Item::new(ItemKind::Glue)
        });
        builder.items.push(Item::penalty(-INFINITY));
    }
}

struct Builder<'i> {
    items: &'i mut Vec<Item>,
    /// The box being filled: its first cluster and width.
    open: Option<(usize, usize, f32)>,
    /// Clusters before this one belong to items already pushed.
    consumed: usize,
    /// Give boxes the stretch of their letters' tracking.
    track: bool,
}

impl Builder<'_> {
    fn extend(&mut self, k: usize, width: f32) {
        match &mut self.open {
            Some((_, end, w)) => {
                *end = k + 1;
                *w += width;
            }
            None => self.open = Some((self.consumed, k + 1, width)),
        }
    }

    fn close(&mut self, shaped: &Shaped) {
        if let Some((c0, c1, width)) = self.open.take() {
            let mut han = 0;
            let mut other = 0;
            let bytes = shaped.clusters[c0].start as usize..shaped.clusters[c1 - 1].end as usize;
            for c in shaped.text[bytes].chars() {
                // An emoji alone on a last line looks as stranded as a Han character.
                if is_ideograph(c)
                    || matches!(c, '\u{1F000}'..='\u{1FAFF}' | '\u{2600}'..='\u{27BF}')
                {
                    han += 1;
                } else if c.is_alphanumeric() {
                    other += 1;
                }
            }
            let clusters = &shaped.clusters[c0..c1];
            let stretch = if self.track {
                (0..clusters.len())
                    .filter(|&k| tracks_after(clusters, k))
                    .map(|k| TRACKING * clusters[k].size)
                    .sum()
            } else {
                0.0
            };
            self.items.push(Item {
                width,
                stretch,
                c0: c0 as u32,
                c1: c1 as u32,
                han,
                other,
                ..Item::new(ItemKind::Box)
            });
            self.consumed = c1;
        }
    }
}

/// Whether a box's cluster `k` moves apart from the next one when the line
/// is tracked: two Latin letters (or marks) in a row.
pub(super) fn tracks_after(clusters: &[Cluster], k: usize) -> bool {
    let latin = |c: &Cluster| c.kind == Kind::Text && c.face.is_latin();
    latin(&clusters[k]) && clusters.get(k + 1).is_some_and(latin)
}
