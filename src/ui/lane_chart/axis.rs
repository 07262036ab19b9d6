//! The time axis: ticks at a round step that fits the visible range and width, labelled in the
//! display zone.

use jiff::Timestamp;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::attendance::DisplayZone;

use super::cells::SlotMap;
use super::styles::LaneChartStyles;
use super::{CALL_END, CALL_START};
use crate::app::TimeScale;

const MINUTE: i64 = 60;
const HOUR: i64 = 60 * MINUTE;
const DAY: i64 = 24 * HOUR;

/// Round steps, in seconds, from which the axis picks the finest that leaves room for labels.
const STEPS: [i64; 20] = [
    1,
    2,
    5,
    10,
    15,
    30,
    MINUTE,
    2 * MINUTE,
    5 * MINUTE,
    10 * MINUTE,
    15 * MINUTE,
    30 * MINUTE,
    HOUR,
    2 * HOUR,
    3 * HOUR,
    6 * HOUR,
    12 * HOUR,
    DAY,
    2 * DAY,
    7 * DAY,
];

/// Blank columns wanted between two labels.
const LABEL_GAP: i128 = 2;

/// A labelled tick on the axis.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Tick {
    pub(crate) column: u16,
    pub(crate) label: String,
}

/// How a tick instant is written, chosen by the step so that neighbouring labels differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LabelFormat {
    Seconds,
    Minutes,
    Date,
}

impl LabelFormat {
    fn for_step(step: i64) -> LabelFormat {
        match step {
            s if s < MINUTE => LabelFormat::Seconds,
            s if s < DAY => LabelFormat::Minutes,
            _ => LabelFormat::Date,
        }
    }

    fn width(self) -> i128 {
        match self {
            LabelFormat::Seconds => 8,
            LabelFormat::Minutes | LabelFormat::Date => 5,
        }
    }

    fn write(self, zone: &DisplayZone, at: Nanos) -> String {
        match self {
            LabelFormat::Seconds => zone.time(at),
            LabelFormat::Minutes => zone.time(at)[..5].to_owned(),
            LabelFormat::Date => zone.date(at).strftime("%m-%d").to_string(),
        }
    }
}

/// The finest round step (seconds) whose ticks are at least a label apart on screen; the
/// coarsest step when even that is too dense.
pub(crate) fn tick_step(span: Nanos, width: u16) -> i64 {
    let fits = |step: i64| {
        let columns = i128::from(step) * i128::from(NANOS_PER_SEC) * i128::from(width)
            / i128::from(span.max(1));
        columns >= LabelFormat::for_step(step).width() + LABEL_GAP
    };
    STEPS
        .into_iter()
        .find(|&step| fits(step))
        .unwrap_or(STEPS[STEPS.len() - 1])
}

/// The ticks of `[from, to)` drawn over `width` columns, on round instants of the display
/// zone's clock (the zone's offset at `from` is used for the whole range). The first tick of
/// each day after `from`'s carries its date (`11-27 00:00`), so that a window over midnight
/// never reads as one day.
pub(crate) fn ticks(from: Nanos, to: Nanos, width: u16, zone: &DisplayZone) -> Vec<Tick> {
    let Some(map) = SlotMap::new(from, to, width) else {
        return Vec::new();
    };
    let step = tick_step(to - from, width);
    let format = LabelFormat::for_step(step);
    let step_ns = i128::from(step) * i128::from(NANOS_PER_SEC);
    let offset = i128::from(zone_offset_seconds(zone, from)) * i128::from(NANOS_PER_SEC);
    let local_from = i128::from(from) + offset;
    let mut at = local_from.div_euclid(step_ns) * step_ns - offset;
    if at < i128::from(from) {
        at += step_ns;
    }
    let mut out = Vec::new();
    let mut day = zone.date(from);
    while at < i128::from(to) {
        let instant = at as Nanos;
        let mut label = format.write(zone, instant);
        if format != LabelFormat::Date && zone.date(instant) != day {
            day = zone.date(instant);
            label = format!("{} {label}", day.strftime("%m-%d"));
        }
        out.push(Tick {
            column: (map.slot(instant) / 8) as u16,
            label,
        });
        at += step_ns;
    }
    out
}

/// The axis line with a `┬` per tick, and below it the tick labels with the zone's name at the
/// end. Labels that would run into the next one or into the zone's name are left out.
pub(crate) fn draw(
    from: Nanos,
    to: Nanos,
    zone: &DisplayZone,
    styles: &LaneChartStyles,
    plot: Rect,
    buf: &mut Buffer,
) {
    if plot.height < 2 || plot.width == 0 {
        return;
    }
    let ticks = ticks(from, to, plot.width, zone);
    let line = plot.y;
    let labels = plot.y + 1;
    for x in plot.x..plot.right() {
        buf[(x, line)].set_symbol("─").set_style(styles.axis);
    }
    let zone_name = zone.label();
    let zone_width = zone_name.chars().count() as u16;
    let labels_end = if zone_width < plot.width {
        let zone_x = plot.right() - zone_width;
        buf.set_string(zone_x, labels, zone_name, styles.zone);
        zone_x - 1
    } else {
        plot.right()
    };
    let mut free_from = plot.x;
    for tick in &ticks {
        let x = plot.x + tick.column;
        buf[(x, line)].set_symbol("┬");
        let end = x.saturating_add(tick.label.len() as u16);
        if x >= free_from && end <= labels_end {
            buf.set_string(x, labels, &tick.label, styles.axis);
            free_from = end.saturating_add(1);
        }
    }
}

/// The call's start and end on the axis line, as the user detail's lane marks them: `▕` in
/// the column before the plot when the view starts at the call's start, `▏` in the column
/// after it when the view ends at the call's end, and `call` in the label column. A mark
/// scrolled out of view is not drawn (the Timeline's title says which range is shown).
pub(crate) fn draw_call_edges(
    scale: &TimeScale,
    styles: &LaneChartStyles,
    labels: Rect,
    plot: Rect,
    buf: &mut Buffer,
) {
    if plot.height < 2 || plot.width == 0 || labels.width == 0 {
        return;
    }
    let ((from, to), (start, end)) = (scale.visible(), scale.window());
    let line = plot.y;
    let label = "call";
    if (label.len() as u16) < labels.width {
        let x = labels.right() - label.len() as u16 - 1;
        buf.set_string(x, line, label, styles.legend);
    }
    if from <= start {
        buf[(plot.x - 1, line)]
            .set_symbol(CALL_START)
            .set_style(styles.zone);
    }
    if to >= end {
        buf[(plot.right(), line)]
            .set_symbol(CALL_END)
            .set_style(styles.zone);
    }
}

fn zone_offset_seconds(zone: &DisplayZone, at: Nanos) -> i32 {
    let instant = Timestamp::from_nanosecond(i128::from(at)).unwrap_or(Timestamp::UNIX_EPOCH);
    zone.tz().to_offset(instant).seconds()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Nanos = 60 * NANOS_PER_SEC;
    // 2026-11-26T14:00:00Z
    const T0: Nanos = 1_795_701_600 * NANOS_PER_SEC;

    #[test]
    fn picks_the_finest_step_with_room_for_labels() {
        assert_eq!(tick_step(60 * MIN, 84), 5 * MINUTE);
        assert_eq!(tick_step(60 * MIN, 40), 15 * MINUTE);
        assert_eq!(tick_step(MIN, 100), 10);
        assert_eq!(tick_step(12 * 60 * MIN, 80), 2 * HOUR);
        assert_eq!(tick_step(1_000 * 24 * 60 * MIN, 10), 7 * DAY);
    }

    #[test]
    fn ticks_fall_on_round_minutes_of_the_zone() {
        let ticks = ticks(T0 + 3 * MIN, T0 + 63 * MIN, 60, &DisplayZone::utc());
        let labels: Vec<_> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["14:10", "14:20", "14:30", "14:40", "14:50", "15:00"]
        );
        assert_eq!(ticks[0].column, 7);
    }

    #[test]
    fn ticks_follow_a_half_hour_zone() {
        let kolkata = DisplayZone::parse("Asia/Kolkata").unwrap();
        let ticks = ticks(T0, T0 + 180 * MIN, 36, &kolkata);
        assert_eq!(ticks[0].label, "20:00");
        assert_eq!(ticks[0].column, 6);
    }

    #[test]
    fn the_first_tick_of_another_day_carries_its_date() {
        // 2026-11-26 23:30 → 2026-11-27 00:30 UTC.
        let late = T0 + 9 * 60 * MIN + 30 * MIN;
        let ticks = ticks(late, late + 60 * MIN, 60, &DisplayZone::utc());
        let labels: Vec<_> = ticks.iter().map(|t| t.label.as_str()).collect();
        assert_eq!(
            labels,
            ["23:30", "23:40", "23:50", "11-27 00:00", "00:10", "00:20"]
        );
    }

    #[test]
    fn no_ticks_without_room_or_time() {
        assert!(ticks(T0, T0, 50, &DisplayZone::utc()).is_empty());
        assert!(ticks(T0, T0 + MIN, 0, &DisplayZone::utc()).is_empty());
    }
}
