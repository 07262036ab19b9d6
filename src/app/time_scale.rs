//! The visible time range of the timeline: a zoomable, pannable view over the call's window.
//!
//! Pure state with no terminal involved, so every key binding it serves can be unit-tested.

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

/// The narrowest view zoom-in reaches: below a minute the bars stop carrying information.
const MIN_SPAN: Nanos = 60 * NANOS_PER_SEC;

/// The visible `[from, to)` inside the full window `[window_from, window_to)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeScale {
    window: (Nanos, Nanos),
    visible: (Nanos, Nanos),
    /// Showing the whole window: a growing window stays fully shown.
    whole: bool,
}

impl TimeScale {
    /// A scale showing the whole window (an inverted window is read as empty at `window_from`).
    pub fn new(window_from: Nanos, window_to: Nanos) -> Self {
        let window = ordered(window_from, window_to);
        TimeScale {
            window,
            visible: window,
            whole: true,
        }
    }

    /// The full window changed (a live call grows, a new query starts). A whole view stays
    /// whole; a zoomed view keeps its span and position, except that a view touching the end
    /// of the old window follows the end of the new one, as a live tail does.
    pub(crate) fn set_window(&mut self, from: Nanos, to: Nanos) {
        let old_end = self.window.1;
        self.window = ordered(from, to);
        if self.whole {
            self.visible = self.window;
            return;
        }
        let (start, end) = self.visible;
        let span = end - start;
        let start = if end >= old_end {
            self.window.1 - span
        } else {
            start
        };
        self.place(start, span);
    }

    /// Halves the visible span around its centre, down to [`MIN_SPAN`].
    pub(crate) fn zoom_in(&mut self) {
        let span = (self.span() / 2).max(MIN_SPAN);
        self.zoom_to(span);
    }

    /// Doubles the visible span around its centre, up to the whole window.
    pub(crate) fn zoom_out(&mut self) {
        let span = self.span().saturating_mul(2);
        self.zoom_to(span);
    }

    /// Shows the whole window again.
    pub(crate) fn reset(&mut self) {
        self.visible = self.window;
        self.whole = true;
    }

    /// Moves the view a quarter of its span earlier, stopping at the window's start.
    pub(crate) fn pan_left(&mut self) {
        let (start, _) = self.visible;
        self.place(start - self.span() / 4, self.span());
    }

    /// Moves the view a quarter of its span later, stopping at the window's end.
    pub(crate) fn pan_right(&mut self) {
        let (start, _) = self.visible;
        self.place(start + self.span() / 4, self.span());
    }

    /// The visible `[from, to)`.
    pub fn visible(&self) -> (Nanos, Nanos) {
        self.visible
    }

    /// The full window `[from, to)`: the call's start and end (its present while live).
    pub fn window(&self) -> (Nanos, Nanos) {
        self.window
    }

    /// Whether the whole window is shown.
    pub(crate) fn is_whole(&self) -> bool {
        self.whole
    }

    /// How many times the visible range is narrower than the window: 1 for the whole
    /// window, 2 after one zoom in.
    pub fn zoom(&self) -> f64 {
        self.window_span() as f64 / self.span().max(1) as f64
    }

    fn span(&self) -> Nanos {
        self.visible.1 - self.visible.0
    }

    fn window_span(&self) -> Nanos {
        self.window.1 - self.window.0
    }

    fn zoom_to(&mut self, span: Nanos) {
        let (start, end) = self.visible;
        let centre = start + (end - start) / 2;
        self.whole = false;
        self.place(centre - span / 2, span);
    }

    /// Puts a view of `span` at `start`, slid back inside the window; a view as wide as the
    /// window becomes the whole view.
    fn place(&mut self, start: Nanos, span: Nanos) {
        if span >= self.window_span() {
            self.reset();
            return;
        }
        let start = start.clamp(self.window.0, self.window.1 - span);
        self.visible = (start, start + span);
    }
}

fn ordered(from: Nanos, to: Nanos) -> (Nanos, Nanos) {
    (from, to.max(from))
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: Nanos = 60 * NANOS_PER_SEC;
    const T0: Nanos = 1_795_701_600 * NANOS_PER_SEC;

    fn minutes(scale: &TimeScale) -> (Nanos, Nanos) {
        let (from, to) = scale.visible();
        ((from - T0) / MIN, (to - T0) / MIN)
    }

    #[test]
    fn starts_on_the_whole_window() {
        let scale = TimeScale::new(T0, T0 + 120 * MIN);
        assert_eq!(minutes(&scale), (0, 120));
        assert!(scale.is_whole());
        assert_eq!(scale.zoom(), 1.0);
    }

    #[test]
    fn the_zoom_is_how_many_times_narrower_the_view_is() {
        let mut scale = TimeScale::new(T0, T0 + 120 * MIN);
        scale.zoom_in();
        assert_eq!(scale.zoom(), 2.0);
        scale.zoom_in();
        assert_eq!(scale.zoom(), 4.0);
        assert_eq!(scale.window(), (T0, T0 + 120 * MIN));
    }

    #[test]
    fn zooms_by_two_around_the_centre() {
        let mut scale = TimeScale::new(T0, T0 + 120 * MIN);
        scale.zoom_in();
        assert_eq!(minutes(&scale), (30, 90));
        scale.zoom_in();
        assert_eq!(minutes(&scale), (45, 75));
        scale.zoom_out();
        assert_eq!(minutes(&scale), (30, 90));
        scale.zoom_out();
        assert_eq!(minutes(&scale), (0, 120));
        assert!(scale.is_whole());
    }

    #[test]
    fn zoom_in_stops_at_one_minute() {
        let mut scale = TimeScale::new(T0, T0 + 10 * MIN);
        for _ in 0..10 {
            scale.zoom_in();
        }
        let (from, to) = scale.visible();
        assert_eq!(to - from, MIN_SPAN);
    }

    #[test]
    fn zoom_out_never_leaves_the_window() {
        let mut scale = TimeScale::new(T0, T0 + 120 * MIN);
        scale.zoom_in();
        scale.zoom_in();
        for _ in 0..10 {
            scale.pan_right();
        }
        assert_eq!(minutes(&scale), (90, 120));
        scale.zoom_out();
        assert_eq!(minutes(&scale), (60, 120));
    }

    #[test]
    fn pans_by_a_quarter_and_clamps_to_the_window() {
        let mut scale = TimeScale::new(T0, T0 + 120 * MIN);
        scale.zoom_in();
        scale.pan_left();
        assert_eq!(minutes(&scale), (15, 75));
        scale.pan_left();
        scale.pan_left();
        assert_eq!(minutes(&scale), (0, 60));
        scale.pan_right();
        assert_eq!(minutes(&scale), (15, 75));
    }

    #[test]
    fn panning_the_whole_window_does_nothing() {
        let mut scale = TimeScale::new(T0, T0 + 120 * MIN);
        scale.pan_right();
        scale.pan_left();
        assert_eq!(minutes(&scale), (0, 120));
    }

    #[test]
    fn reset_shows_the_whole_window() {
        let mut scale = TimeScale::new(T0, T0 + 120 * MIN);
        scale.zoom_in();
        scale.pan_left();
        scale.reset();
        assert_eq!(minutes(&scale), (0, 120));
        assert!(scale.is_whole());
    }

    #[test]
    fn a_whole_view_follows_a_growing_window() {
        let mut scale = TimeScale::new(T0, T0 + 60 * MIN);
        scale.set_window(T0, T0 + 90 * MIN);
        assert_eq!(minutes(&scale), (0, 90));
    }

    #[test]
    fn a_zoomed_view_keeps_its_place_when_the_window_grows() {
        let mut scale = TimeScale::new(T0, T0 + 120 * MIN);
        scale.zoom_in();
        scale.pan_left();
        scale.set_window(T0, T0 + 180 * MIN);
        assert_eq!(minutes(&scale), (15, 75));
        assert!(!scale.is_whole());
    }

    #[test]
    fn a_zoomed_view_at_the_live_edge_follows_it() {
        let mut scale = TimeScale::new(T0, T0 + 120 * MIN);
        scale.zoom_in();
        scale.pan_right();
        scale.pan_right();
        assert_eq!(minutes(&scale), (60, 120));
        scale.set_window(T0, T0 + 130 * MIN);
        assert_eq!(minutes(&scale), (70, 130));
    }

    #[test]
    fn a_shrinking_window_pulls_the_view_inside() {
        let mut scale = TimeScale::new(T0, T0 + 120 * MIN);
        scale.zoom_in();
        scale.set_window(T0 + 80 * MIN, T0 + 200 * MIN);
        assert_eq!(minutes(&scale), (80, 140));
        scale.set_window(T0, T0 + 20 * MIN);
        assert_eq!(minutes(&scale), (0, 20));
        assert!(scale.is_whole());
    }

    #[test]
    fn an_empty_or_inverted_window_is_a_point() {
        let mut scale = TimeScale::new(T0, T0 - MIN);
        assert_eq!(scale.visible(), (T0, T0));
        scale.zoom_in();
        scale.zoom_out();
        scale.pan_left();
        assert_eq!(scale.visible(), (T0, T0));
    }
}
