//! Drawing the Timeline view: one lane per user on screen, built from the store for this frame only,
//! drawn by the [`LaneChart`] widget with the concurrency curve above.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::api::timestamp::Nanos;
use crate::app::App;
use crate::app::item_list::ListWindow;
use crate::attendance::UserId;

use crate::ui::lane_chart::{Bar, Lane, LaneChart, LaneChartStyles, PublisherKind};
use crate::ui::tables::list_block;

/// The bars of one user's matching sessions; sessions without a join time cannot be placed.
fn lane(app: &App, user: UserId) -> Lane<'_> {
    let store = app.store();
    let bars = app
        .user_rows(user)
        .iter()
        .filter_map(|&id| store.get(id))
        .filter_map(|row| {
            let start = row.joined_at()?;
            Some(Bar {
                start,
                end: row.left_at().unwrap_or(start),
                publisher: PublisherKind::from_type(row.publisher_type()),
                open: row.is_open(),
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
    let lanes: Vec<Lane> = users.items()[range]
        .iter()
        .map(|&user| lane(app, user))
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
