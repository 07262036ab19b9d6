//! The lanes: a label column and one row of bar glyphs per user, and the legend that explains
//! the glyphs.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::symbols::block;
use ratatui::text::{Line, Span};
use ratatui::widgets::Widget;

use super::LaneChart;
use super::bar::PublisherKind;
use super::cells::{Glyph, SlotMap, lane_glyphs};
use super::styles::LaneChartStyles;

pub(crate) const LIVE_GLYPH: &str = "▶";

pub(crate) fn draw(timeline: &LaneChart<'_>, labels: Rect, plot: Rect, buf: &mut Buffer) {
    let (from, to) = timeline.scale.visible();
    let map = SlotMap::new(from, to, plot.width);
    for (index, (lane, y)) in timeline.lanes.iter().zip(plot_rows(plot)).enumerate() {
        let style = if timeline.selected == Some(index) {
            timeline.styles.selected_label
        } else {
            timeline.styles.label
        };
        let label = fit_label(lane.label, labels.width);
        buf.set_stringn(labels.x, y, label, usize::from(labels.width), style);
        let Some(map) = &map else { continue };
        for (x, glyph) in (plot.x..plot.right()).zip(lane_glyphs(&lane.bars, map, timeline.now)) {
            if let (Some((symbol, style)), Some(cell)) =
                (paint(glyph, timeline.styles), buf.cell_mut((x, y)))
            {
                cell.set_symbol(symbol).set_style(style);
            }
        }
    }
}

fn plot_rows(plot: Rect) -> std::ops::Range<u16> {
    plot.y..plot.bottom()
}

/// The symbol and style drawing one glyph; `None` leaves the cell blank.
pub(crate) fn paint(glyph: Glyph, styles: &LaneChartStyles) -> Option<(&'static str, Style)> {
    Some(match glyph {
        Glyph::Empty => return None,
        Glyph::Body(publisher) => (publisher.body_glyph(), styles.publisher(publisher)),
        Glyph::FillLeft(eighths, publisher) => (left_eighths(eighths), styles.publisher(publisher)),
        // Unicode has no right-aligned eighth blocks: the uncovered left part is drawn as a
        // left block in reverse video, so the covered right part shows in the bar's colour.
        Glyph::FillRight(eighths, publisher) => (
            left_eighths(8 - eighths),
            styles.publisher(publisher).add_modifier(Modifier::REVERSED),
        ),
        Glyph::Overlap(count) => (overlap_digit(count), styles.overlap),
        Glyph::Live(_) => (LIVE_GLYPH, styles.live),
    })
}

fn left_eighths(eighths: u8) -> &'static str {
    match eighths {
        0 => " ",
        1 => block::ONE_EIGHTH,
        2 => block::ONE_QUARTER,
        3 => block::THREE_EIGHTHS,
        4 => block::HALF,
        5 => block::FIVE_EIGHTHS,
        6 => block::THREE_QUARTERS,
        7 => block::SEVEN_EIGHTHS,
        _ => block::FULL,
    }
}

fn overlap_digit(count: u8) -> &'static str {
    const DIGITS: [&str; 10] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
    DIGITS.get(usize::from(count)).copied().unwrap_or("+")
}

/// A label cut to `width` columns with `…`, padded so a highlighted label fills its column.
pub(crate) fn fit_label(label: &str, width: u16) -> String {
    let label = &*crate::ui::safe_text::terminal_safe(label);
    let width = usize::from(width);
    if label.chars().count() <= width {
        return format!("{label:<width$}");
    }
    let mut cut: String = label.chars().take(width.saturating_sub(1)).collect();
    if width > 0 {
        cut.push('…');
    }
    cut
}

pub(crate) fn draw_legend(styles: &LaneChartStyles, area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let mut spans = Vec::new();
    for publisher in PublisherKind::ALL {
        spans.push(Span::styled(
            publisher.body_glyph(),
            styles.publisher(publisher),
        ));
        spans.push(Span::styled(
            format!(" {}  ", publisher.name()),
            styles.legend,
        ));
    }
    spans.push(Span::styled("2", styles.overlap));
    spans.push(Span::styled(" at once  ", styles.legend));
    spans.push(Span::styled(LIVE_GLYPH, styles.live));
    spans.push(Span::styled(" live", styles.legend));
    Line::from(spans).render(area, buf);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::PublisherType;

    #[test]
    fn labels_are_cut_with_an_ellipsis_and_padded() {
        assert_eq!(fit_label("alice", 8), "alice   ");
        assert_eq!(fit_label("a-very-long-user-id", 8), "a-very-…");
        assert_eq!(fit_label("alice", 0), "");
    }

    #[test]
    fn partial_cells_use_eighth_blocks() {
        let styles = LaneChartStyles::new(false);
        let w = PublisherKind::Known(PublisherType::WebRtc);
        assert_eq!(paint(Glyph::FillLeft(2, w), &styles).unwrap().0, "▎");
        let (symbol, style) = paint(Glyph::FillRight(6, w), &styles).unwrap();
        assert_eq!(symbol, "▎");
        assert!(style.add_modifier.contains(Modifier::REVERSED));
        assert_eq!(paint(Glyph::Overlap(12), &styles).unwrap().0, "+");
    }
}
