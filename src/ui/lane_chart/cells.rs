//! Sub-cell arithmetic: which part of each terminal cell a lane's bars cover, in eighths.
//!
//! Each column is split into eight slots; a bar covers the slots between its two ends, so both
//! ends keep an eighth of a cell of precision. A cell then reads as one [`Glyph`].

use crate::api::timestamp::Nanos;

use super::bar::{Bar, PublisherKind};

const SLOTS: usize = 8;

/// What one cell of a lane shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Glyph {
    Empty,
    /// A whole cell inside one bar.
    Body(PublisherKind),
    /// The left `n` eighths covered: a bar ends here.
    FillLeft(u8, PublisherKind),
    /// The right `n` eighths covered: a bar starts here.
    FillRight(u8, PublisherKind),
    /// `n` sessions of the user at once somewhere in this cell.
    Overlap(u8),
    /// The cell where an open session reaches `now`.
    Live(PublisherKind),
}

#[derive(Debug, Clone, Copy, Default)]
struct GlyphCell {
    depth: [u8; SLOTS],
    publisher: Option<PublisherKind>,
    live: bool,
}

impl GlyphCell {
    fn cover(&mut self, slots: std::ops::Range<usize>, publisher: PublisherKind) {
        for slot in &mut self.depth[slots] {
            *slot = slot.saturating_add(1);
        }
        self.publisher = Some(publisher);
    }

    fn glyph(&self) -> Glyph {
        let Some(publisher) = self.publisher else {
            return Glyph::Empty;
        };
        let deepest = self.depth.iter().copied().max().unwrap_or(0);
        if self.live {
            return Glyph::Live(publisher);
        }
        if deepest >= 2 {
            return Glyph::Overlap(deepest);
        }
        let is_covered = |slot: &usize| self.depth[*slot] > 0;
        let count = (0..SLOTS).filter(is_covered).count();
        let (first, last) = ((0..SLOTS).find(is_covered), (0..SLOTS).rfind(is_covered));
        let contiguous = first.zip(last).map(|(f, l)| l + 1 - f) == Some(count);
        match (first, last) {
            _ if count == SLOTS => Glyph::Body(publisher),
            (Some(0), _) if contiguous => Glyph::FillLeft(count as u8, publisher),
            (_, Some(last)) if last == SLOTS - 1 && contiguous => {
                Glyph::FillRight(count as u8, publisher)
            }
            // Two bar ends in one cell, or a bar shorter than a cell: the amount is right,
            // the position within the cell is approximate.
            _ => Glyph::FillLeft(count as u8, publisher),
        }
    }
}

/// Maps instants of the visible range `[from, to)` onto eighth-of-a-cell slots of `width`
/// columns.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SlotMap {
    from: Nanos,
    span: i128,
    slots: i128,
}

impl SlotMap {
    /// `None` when there is nothing to map onto (no columns or an empty range).
    pub(crate) fn new(from: Nanos, to: Nanos, width: u16) -> Option<SlotMap> {
        let span = i128::from(to) - i128::from(from);
        (width > 0 && span > 0).then_some(SlotMap {
            from,
            span,
            slots: i128::from(width) * SLOTS as i128,
        })
    }

    /// The slot an instant falls in, possibly outside `0..slots` when off screen.
    pub(crate) fn slot(&self, at: Nanos) -> i128 {
        (i128::from(at) - i128::from(self.from)) * self.slots / self.span
    }

    fn width(&self) -> usize {
        (self.slots / SLOTS as i128) as usize
    }
}

/// The glyph of every column of one lane. Every visible bar covers at least one slot, so even
/// a session of a second shows; an open bar whose `now` is on screen ends in a live cell.
pub(crate) fn lane_glyphs(bars: &[Bar], map: &SlotMap, now: Nanos) -> Vec<Glyph> {
    let mut cells = vec![GlyphCell::default(); map.width()];
    let last_slot = map.slots;
    for bar in bars {
        let (start, end) = bar.interval(now);
        let (first, end_slot) = (map.slot(start), map.slot(end).max(map.slot(start) + 1));
        if end_slot <= 0 || first >= last_slot {
            continue;
        }
        let (first, end_slot) = (first.max(0) as usize, end_slot.min(last_slot) as usize);
        let columns = first / SLOTS..end_slot.div_ceil(SLOTS);
        for (cell, column) in cells[columns.clone()].iter_mut().zip(columns) {
            let base = column * SLOTS;
            cell.cover(
                first.max(base) - base..end_slot.min(base + SLOTS) - base,
                bar.publisher,
            );
        }
        // `now` at the right edge (the whole window of a live call ends there) is on screen.
        if bar.open && map.slot(end) <= last_slot {
            cells[(end_slot - 1) / SLOTS].live = true;
        }
    }
    cells.iter().map(GlyphCell::glyph).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PublisherType;

    const W: PublisherKind = PublisherKind::Known(PublisherType::WebRtc);

    fn bar(start: Nanos, end: Nanos) -> Bar {
        Bar {
            start,
            end,
            publisher: W,
            open: false,
        }
    }

    /// 20 columns over [0, 160): one column is 8 ns, one slot 1 ns.
    fn map() -> SlotMap {
        SlotMap::new(0, 160, 20).unwrap()
    }

    #[test]
    fn a_bar_from_10_and_a_half_to_12_and_a_quarter_columns() {
        let glyphs = lane_glyphs(&[bar(84, 98)], &map(), 0);
        assert_eq!(glyphs[9], Glyph::Empty);
        assert_eq!(glyphs[10], Glyph::FillRight(4, W));
        assert_eq!(glyphs[11], Glyph::Body(W));
        assert_eq!(glyphs[12], Glyph::FillLeft(2, W));
        assert_eq!(glyphs[13], Glyph::Empty);
    }

    #[test]
    fn bars_are_clipped_to_the_visible_range() {
        let glyphs = lane_glyphs(&[bar(-50, 4), bar(155, 400), bar(500, 600)], &map(), 0);
        assert_eq!(glyphs[0], Glyph::FillLeft(4, W));
        assert_eq!(glyphs[19], Glyph::FillRight(5, W));
        assert_eq!(glyphs.len(), 20);
    }

    #[test]
    fn a_very_short_session_still_shows() {
        let glyphs = lane_glyphs(&[bar(16, 16)], &map(), 0);
        assert_eq!(glyphs[2], Glyph::FillLeft(1, W));
    }

    #[test]
    fn overlapping_sessions_show_their_count() {
        let glyphs = lane_glyphs(&[bar(0, 40), bar(24, 64)], &map(), 0);
        assert_eq!(glyphs[2], Glyph::Body(W));
        assert_eq!(glyphs[3], Glyph::Overlap(2));
        assert_eq!(glyphs[4], Glyph::Overlap(2));
        assert_eq!(glyphs[5], Glyph::Body(W));
    }

    #[test]
    fn an_open_session_ends_live_at_now() {
        let open = Bar {
            open: true,
            ..bar(8, 0)
        };
        let glyphs = lane_glyphs(&[open], &map(), 60);
        assert_eq!(glyphs[6], Glyph::Body(W));
        assert_eq!(glyphs[7], Glyph::Live(W));
        assert_eq!(glyphs[8], Glyph::Empty);
        let off_screen = lane_glyphs(&[open], &map(), 900);
        assert_eq!(off_screen[19], Glyph::Body(W));
        // The whole window of a live call ends at `now`: the last column is live.
        let at_the_edge = lane_glyphs(&[open], &map(), 160);
        assert_eq!(at_the_edge[19], Glyph::Live(W));
    }

    #[test]
    fn nothing_maps_onto_an_empty_range_or_no_columns() {
        assert!(SlotMap::new(5, 5, 10).is_none());
        assert!(SlotMap::new(0, 10, 0).is_none());
    }
}
