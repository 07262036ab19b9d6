//! Drawing the Timeline view: one lane per user on screen, built from the store for this frame only,
//! drawn by the [`LaneChart`] widget with the concurrency curve above.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::api::timestamp::Nanos;
use crate::app::App;
use crate::app::item_list::ListWindow;
use crate::attendance::{RowContext, UserId};

use crate::ui::lane_chart::{Bar, Lane, LaneChart, LaneChartStyles, PublisherKind};
use crate::ui::tables::list_block;

/// The bars of one user's matching sessions, where the figures count them: a session still
/// open in a live call runs to now and ends in the live mark, one whose leave was not
/// recorded in an ended call ends with the call. Sessions without a join cannot be placed.
fn lane<'a>(app: &'a App, user: UserId, ctx: &RowContext) -> Lane<'a> {
    let store = app.store();
    let bars = app
        .user_rows(user)
        .iter()
        .filter_map(|&id| store.get(id))
        .filter_map(|row| {
            let counted = row.counted(ctx);
            let (start, end) = counted.interval.or_else(|| {
                let at = counted.joined.or(row.joined_at())?;
                Some((at, at))
            })?;
            Some(Bar {
                start,
                end,
                publisher: PublisherKind::from_type(row.publisher_type()),
                open: counted.open,
            })
        })
        .collect();
    Lane {
        label: store.user_name(user),
        bars,
    }
}

/// Draws the timeline; returns the users' rows it showed as lanes.
pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    app: &App,
    now: Nanos,
    title: Line<'static>,
) -> Option<ListWindow> {
    let users = app.users();
    let block = list_block(title, users);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let curve = app.figures().map(|figures| &figures.curve);
    let rows = LaneChart::lane_rows(inner.height, curve.is_some()) as usize;
    let window = users.window(rows);
    let range = users.range(window);
    let start = range.start;
    // The present of the figures and of the scale's window (a live call's window ends at the
    // last recompute): open bars end there, in the live mark, as the curve does.
    let now = now.min(app.time_scale().window().1);
    let ctx = app.store().row_context(now);
    let lanes: Vec<Lane> = users.items()[range]
        .iter()
        .map(|&user| lane(app, user, &ctx))
        .collect();
    let selected = users
        .selected_index()
        .and_then(|index| index.checked_sub(start))
        .filter(|&index| index < lanes.len());
    let styles = LaneChartStyles::new(app.config().color);
    let timeline = LaneChart {
        lanes: &lanes,
        scale: app.time_scale(),
        now,
        zone: &app.config().zone,
        curve,
        selected,
        styles: &styles,
    };
    frame.render_widget(timeline, inner);
    Some(window)
}
