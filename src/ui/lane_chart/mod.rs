//! The lane chart the Timeline view draws: who was in the call when.
//!
//! From top to bottom: the concurrency curve of the visible range with its peak, one lane per
//! user with a bar per session, the time axis in the display zone, and a legend. Every meaning
//! is carried by glyphs and modifiers, colour only decorates:
//!
//! - a bar's body glyph tells its publisher (`█` webrtc, `▓` rtmp, `▒` srt, `░` whip, `▚` other);
//! - both ends of a bar keep an eighth of a cell of precision: the end is a left eighth block
//!   (`▏▎▍▌▋▊▉`), the start is the complementary left eighth block drawn in reverse video, which
//!   reads as a right-aligned fill in any terminal, coloured or not;
//! - an open session runs to `now` and ends in `▶`;
//! - where a user has several sessions at once (two devices) the lane shows how many (`2`…`9`,
//!   `+` beyond), so lanes keep a height of one row and the lane list scrolls like a table;
//! - the selected lane's label is in reverse video;
//! - the axis line marks the call's start (`▕`) and end (`▏`) when the view reaches them.

mod axis;
mod bar;
mod cells;
mod curve;
mod lanes;
mod styles;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::Widget;

use crate::api::timestamp::Nanos;
use crate::app::TimeScale;
use crate::attendance::{ConcurrencyCurve, DisplayZone};

pub use bar::{Bar, Lane, PublisherKind};

/// The mark of the call's start, before the time it starts at (the user detail's lane and
/// the Timeline's axis).
pub(crate) const CALL_START: &str = "▕";
/// The mark of the call's end (its present while it is live), after the time it ends at.
pub(crate) const CALL_END: &str = "▏";
pub use styles::LaneChartStyles;

/// The widest the label column gets; longer user ids are cut with `…`.
pub(crate) const LABEL_WIDTH: u16 = 16;

const CURVE_HEIGHT: u16 = 3;

/// The timeline of the visible lanes over the scale's visible range.
#[derive(Debug, Clone, Copy)]
pub struct LaneChart<'a> {
    /// The visible lanes only: the caller scrolls the lane list.
    pub lanes: &'a [Lane<'a>],
    pub scale: &'a TimeScale,
    pub now: Nanos,
    pub zone: &'a DisplayZone,
    pub curve: Option<&'a ConcurrencyCurve>,
    /// Index into `lanes`.
    pub selected: Option<usize>,
    pub styles: &'a LaneChartStyles,
}

impl LaneChart<'_> {
    /// How many lanes fit in an area of `height` rows, so the caller can scroll the lane list.
    pub fn lane_rows(height: u16, with_curve: bool) -> u16 {
        Bands::of(Rect::new(0, 0, 1, height), with_curve)
            .lanes
            .height
    }
}

impl Widget for LaneChart<'_> {
    fn render(self, area: Rect, buf: &mut Buffer) {
        let area = area.intersection(buf.area);
        if area.is_empty() {
            return;
        }
        let bands = Bands::of(area, self.curve.is_some());
        let label_width = label_width(area.width);
        let (from, to) = self.scale.visible();
        if let Some(curve) = self.curve {
            let (labels, plot) = split_columns(bands.curve, label_width);
            curve::draw(curve, (from, to), self.zone, self.styles, labels, plot, buf);
        }
        let (labels, plot) = split_columns(bands.lanes, label_width);
        lanes::draw(&self, labels, plot, buf);
        let (labels, plot) = split_columns(bands.axis, label_width);
        axis::draw(from, to, self.zone, self.styles, plot, buf);
        axis::draw_call_edges(self.scale, self.styles, labels, plot, buf);
        lanes::draw_legend(self.styles, bands.legend, buf);
    }
}

/// The horizontal bands of the widget; the ones that do not fit are empty.
struct Bands {
    curve: Rect,
    lanes: Rect,
    axis: Rect,
    legend: Rect,
}

impl Bands {
    fn of(area: Rect, with_curve: bool) -> Bands {
        let axis_height = if area.height >= 4 { 2 } else { 0 };
        let legend_height = u16::from(area.height >= 8);
        let rest = area.height - axis_height - legend_height;
        let curve_height = if with_curve {
            (rest / 3).min(CURVE_HEIGHT)
        } else {
            0
        };
        let mut next = area.y;
        let mut band = |height: u16| {
            let rect = Rect::new(area.x, next, area.width, height);
            next += height;
            rect
        };
        Bands {
            curve: band(curve_height),
            lanes: band(rest - curve_height),
            axis: band(axis_height),
            legend: band(legend_height),
        }
    }
}

/// The label column takes up to a third of the width, so that narrow terminals keep a plot.
fn label_width(width: u16) -> u16 {
    (width.saturating_sub(1) / 3).min(LABEL_WIDTH)
}

/// Splits a band into its label column and its plot, with one column on either side of the
/// plot, where the axis marks the call's start and end.
fn split_columns(band: Rect, label_width: u16) -> (Rect, Rect) {
    let gap = u16::from(label_width > 0);
    let labels = Rect::new(band.x, band.y, label_width, band.height);
    let plot_x = band.x + label_width + gap;
    let plot = Rect::new(
        plot_x,
        band.y,
        band.width.saturating_sub(label_width + 2 * gap),
        band.height,
    );
    (labels, plot)
}

#[cfg(test)]
mod tests;
