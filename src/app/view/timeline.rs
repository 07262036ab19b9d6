//! The Timeline view: the users list drawn as lanes of sessions over the call window, which
//! it zooms and pans. Its rows, selection and export are the Users view's.

use crate::api::timestamp::Nanos;
use crate::attendance::SessionStore;

use crate::app::keymap::{Action, Context};
use crate::app::time_scale::TimeScale;

pub(super) const TITLE: &str = "Timeline";
pub(super) const CONTEXTS: &[Context] = &[
    Context::Timeline,
    Context::Users,
    Context::List,
    Context::Global,
];

/// The visible range of the call window.
#[derive(Debug, Clone)]
pub(crate) struct TimelineView {
    pub(crate) scale: TimeScale,
}

impl TimelineView {
    pub(crate) fn new(now: Nanos) -> Self {
        TimelineView {
            scale: TimeScale::new(now, now),
        }
    }

    /// The window follows the call window (it grows while the call is live).
    pub(crate) fn refresh(&mut self, store: &SessionStore, now: Nanos) {
        if let Some(window) = store.window(now) {
            self.scale.set_window(window.start, window.end);
        }
    }

    /// Zoom and pan.
    pub(crate) fn act(&mut self, action: Action) {
        match action {
            Action::ZoomIn => self.scale.zoom_in(),
            Action::ZoomOut => self.scale.zoom_out(),
            Action::ZoomReset => self.scale.reset(),
            Action::PanLeft => self.scale.pan_left(),
            Action::PanRight => self.scale.pan_right(),
            _ => {}
        }
    }
}
