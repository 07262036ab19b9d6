//! The concurrency sparkline above the lanes, with the peak of the visible range spelled out.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::widgets::{Sparkline, Widget};

use crate::api::timestamp::Nanos;
use crate::attendance::{ConcurrencyCurve, DisplayZone, Peak};

use super::lanes::fit_label;
use super::styles::LaneChartStyles;

/// The most sessions at once within `[from, to)` and the instant that level is first reached.
pub(crate) fn visible_peak(curve: &ConcurrencyCurve, from: Nanos, to: Nanos) -> Peak {
    curve.peak_within(from, to)
}

pub(crate) fn draw(
    curve: &ConcurrencyCurve,
    (from, to): (Nanos, Nanos),
    zone: &DisplayZone,
    styles: &LaneChartStyles,
    labels: Rect,
    plot: Rect,
    buf: &mut Buffer,
) {
    let data: Vec<u64> = curve
        .columns(from, to, usize::from(plot.width))
        .into_iter()
        .map(u64::from)
        .collect();
    Sparkline::default()
        .data(&data)
        .style(styles.curve)
        .render(plot, buf);
    let peak = visible_peak(curve, from, to);
    let lines = peak_lines(peak, zone, labels.height);
    for (row, line) in (labels.y..labels.bottom()).zip(lines) {
        let text = fit_label(&line, labels.width);
        buf.set_stringn(labels.x, row, text, usize::from(labels.width), styles.peak);
    }
}

/// The peak's text, laid out on as many rows as the sparkline has (1 to 3).
fn peak_lines(peak: Peak, zone: &DisplayZone, rows: u16) -> Vec<String> {
    // Grouped as every count on screen (`peak 2,834`).
    let value = format!("peak {}", crate::ui::format::count(u64::from(peak.value)));
    let at = peak.at.map(|at| format!("at {}", zone.time(at)));
    match (rows, at) {
        (_, None) => vec![value],
        (1, Some(at)) => vec![format!("{value} {at}")],
        (2, Some(at)) => vec![value, at],
        (_, Some(at)) => vec!["sessions".to_owned(), value, at],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_groups_thousands_as_every_count_on_screen() {
        let zone = DisplayZone::utc();
        let peak = Peak {
            value: 2834,
            at: Some(0),
        };
        assert_eq!(peak_lines(peak, &zone, 1), ["peak 2,834 at 00:00:00"]);
        assert_eq!(
            peak_lines(peak, &zone, 3),
            ["sessions", "peak 2,834", "at 00:00:00"]
        );
        let small = Peak { value: 7, at: None };
        assert_eq!(peak_lines(small, &zone, 2), ["peak 7"]);
    }
}
