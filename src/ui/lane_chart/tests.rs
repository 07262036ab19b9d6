//! Rendered timelines compared cell by cell with the expected screen.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::Widget;

use super::curve::visible_peak;
use super::*;
use crate::api::PublisherType;
use crate::api::models::{
    CallSession, ParticipantSessionDetails, ParticipantSessionsPage, RequestDuration,
};
use crate::api::timestamp::NANOS_PER_SEC;
use crate::attendance::SessionStore;

const MIN: Nanos = 60 * NANOS_PER_SEC;
// 2026-11-26T14:00:00Z, 15:00 in Paris.
const T0: Nanos = 1_795_701_600 * NANOS_PER_SEC;

const BOLD: Style = Style::new().add_modifier(Modifier::BOLD);
const REVERSED: Style = Style::new().add_modifier(Modifier::REVERSED);

/// A bar from `T0 + from` to `T0 + to`, in minutes.
fn bar(from: f64, to: f64, publisher: PublisherKind) -> Bar {
    Bar {
        start: T0 + (from * MIN as f64) as Nanos,
        end: T0 + (to * MIN as f64) as Nanos,
        publisher,
        open: false,
    }
}

/// The call's start and end marks of the axis line `y` are bold: the start's in column `x`,
/// before the plot, the end's in the last column, after it.
fn call_marks(expected: &mut Buffer, x: u16, y: u16) {
    let last = expected.area.width - 1;
    expected.set_style(Rect::new(x, y, 1, 1), BOLD);
    expected.set_style(Rect::new(last, y, 1, 1), BOLD);
}

struct Screen<'a> {
    lanes: Vec<Lane<'a>>,
    minutes: i64,
    now: Nanos,
    zone: DisplayZone,
    curve: Option<ConcurrencyCurve>,
    selected: Option<usize>,
    color: bool,
}

impl<'a> Screen<'a> {
    fn new(lanes: Vec<Lane<'a>>, minutes: i64) -> Self {
        Screen {
            lanes,
            minutes,
            now: T0 + 1_000 * MIN,
            zone: DisplayZone::utc(),
            curve: None,
            selected: None,
            color: false,
        }
    }

    fn render(&self, width: u16, height: u16) -> Buffer {
        let scale = TimeScale::new(T0, T0 + self.minutes * MIN);
        let styles = LaneChartStyles::new(self.color);
        let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
        LaneChart {
            lanes: &self.lanes,
            scale: &scale,
            now: self.now,
            zone: &self.zone,
            curve: self.curve.as_ref(),
            selected: self.selected,
            styles: &styles,
        }
        .render(buf.area, &mut buf);
        buf
    }
}

fn lane(label: &str, bars: Vec<Bar>) -> Lane<'_> {
    Lane { label, bars }
}

/// The curve of closed webrtc sessions given as `(user, from, to)` minutes after `T0`.
fn curve_of(sessions: &[(&str, i64, i64)]) -> ConcurrencyCurve {
    let rows: Vec<_> = sessions
        .iter()
        .enumerate()
        .map(|(i, &(user, from, to))| ParticipantSessionDetails {
            user_id: user.into(),
            user_session_id: format!("s{i}"),
            publisher_type: "webrtc".into(),
            roles: vec!["user".into()],
            joined_at: Some(T0 + from * MIN),
            left_at: Some(T0 + to * MIN),
            duration_in_seconds: Some((to - from) * 60),
        })
        .collect();
    let page = ParticipantSessionsPage {
        call_type: "default".into(),
        call_id: "standup".into(),
        call_session_id: "cs".into(),
        participants_sessions: rows,
        session: Some(CallSession {
            id: "cs".into(),
            started_at: Some(T0),
            ended_at: Some(T0 + 60 * MIN),
            ..CallSession::default()
        }),
        duration: RequestDuration::default(),
        total_participant_sessions: None,
        total_participant_duration: None,
        next: None,
        prev: None,
    };
    let mut store = SessionStore::new();
    store.ingest(&page).expect("one call");
    let rows: Vec<_> = store.row_ids().collect();
    ConcurrencyCurve::compute(&store, &rows, T0 + 60 * MIN)
}

#[test]
fn one_user_one_bar_with_eighth_block_ends() {
    let screen = Screen::new(
        vec![lane(
            "alice",
            vec![bar(2.5, 6.25, PublisherKind::Known(PublisherType::WebRtc))],
        )],
        20,
    );
    let mut expected = Buffer::with_lines([
        "alice        ▌███▎              ",
        "                                ",
        "                                ",
        "     call ▕┬─────────┬─────────▏",
        "           14:00     14:10  UTC ",
    ]);
    expected.set_style(Rect::new(13, 0, 1, 1), REVERSED);
    expected.set_style(Rect::new(28, 4, 3, 1), BOLD);
    call_marks(&mut expected, 10, 3);
    assert_eq!(screen.render(32, 5), expected);
}

#[test]
fn an_open_bar_runs_to_now_and_ends_live() {
    let open = Bar {
        open: true,
        ..bar(12.0, 0.0, PublisherKind::Known(PublisherType::Rtmp))
    };
    let mut screen = Screen::new(vec![lane("bob", vec![open])], 20);
    screen.now = T0 + 15 * MIN + 30 * NANOS_PER_SEC;
    let mut expected = Buffer::with_lines([
        "bob                    ▓▓▓▶     ",
        "                                ",
        "     call ▕┬─────────┬─────────▏",
        "           14:00     14:10  UTC ",
    ]);
    expected.set_style(Rect::new(26, 0, 1, 1), BOLD);
    expected.set_style(Rect::new(28, 3, 3, 1), BOLD);
    call_marks(&mut expected, 10, 2);
    assert_eq!(screen.render(32, 4), expected);
}

#[test]
fn two_devices_at_once_show_the_count_and_the_selection_is_reversed() {
    let mut screen = Screen::new(
        vec![
            lane(
                "alice",
                vec![
                    bar(1.0, 5.0, PublisherKind::Known(PublisherType::WebRtc)),
                    bar(3.0, 8.0, PublisherKind::Known(PublisherType::Srt)),
                ],
            ),
            lane(
                "a-very-long-user-id",
                vec![bar(0.0, 2.0, PublisherKind::Known(PublisherType::Whip))],
            ),
        ],
        20,
    );
    screen.selected = Some(1);
    let mut expected = Buffer::with_lines([
        "alice       ██22▒▒▒             ",
        "a-very-lo… ░░                   ",
        "     call ▕┬─────────┬─────────▏",
        "           14:00     14:10  UTC ",
    ]);
    expected.set_style(Rect::new(14, 0, 2, 1), BOLD);
    expected.set_style(
        Rect::new(0, 1, 10, 1),
        REVERSED.add_modifier(Modifier::BOLD),
    );
    expected.set_style(Rect::new(28, 3, 3, 1), BOLD);
    call_marks(&mut expected, 10, 2);
    assert_eq!(screen.render(32, 4), expected);
}

#[test]
fn the_axis_reads_in_utc_and_in_paris() {
    let mut screen = Screen::new(vec![lane("alice", Vec::new())], 33);
    let mut expected = Buffer::with_lines([
        "alice                                              ",
        "                                                   ",
        "           call ▕┬─────────┬─────────┬─────────┬──▏",
        "                 14:00     14:10     14:20     UTC ",
    ]);
    expected.set_style(Rect::new(47, 3, 3, 1), BOLD);
    call_marks(&mut expected, 16, 2);
    assert_eq!(screen.render(51, 4), expected);

    screen.zone = DisplayZone::parse("Europe/Paris").unwrap();
    let mut expected = Buffer::with_lines([
        "alice                                              ",
        "                                                   ",
        "           call ▕┬─────────┬─────────┬─────────┬──▏",
        "                 15:00     15:10      Europe/Paris ",
    ]);
    expected.set_style(Rect::new(38, 3, 12, 1), BOLD);
    call_marks(&mut expected, 16, 2);
    assert_eq!(screen.render(51, 4), expected);
}

#[test]
fn the_curve_marks_the_visible_peak() {
    let mut screen = Screen::new(vec![lane("alice", Vec::new())], 60);
    screen.curve = Some(curve_of(&[
        ("alice", 0, 60),
        ("bob", 10, 20),
        ("carol", 12, 18),
    ]));
    let buf = screen.render(40, 12);
    let row = |y: u16| -> String { (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect() };
    assert!(row(0).starts_with("sessions "), "{}", row(0));
    assert!(row(1).starts_with("peak 3 "), "{}", row(1));
    assert!(row(2).starts_with("at 14:12:00"), "{}", row(2));
    let plot: String = row(2).chars().skip(14).collect();
    assert!(plot.contains('█'), "the sparkline is drawn: {plot}");
    assert_eq!(
        visible_peak(screen.curve.as_ref().unwrap(), T0 + 30 * MIN, T0 + 60 * MIN),
        crate::attendance::Peak {
            value: 1,
            at: Some(T0 + 30 * MIN)
        }
    );
}

#[test]
fn without_colour_the_same_glyphs_carry_every_meaning() {
    let lanes = vec![
        lane(
            "alice",
            vec![
                bar(1.0, 5.5, PublisherKind::Known(PublisherType::Rtmp)),
                bar(3.0, 8.0, PublisherKind::Known(PublisherType::Srt)),
            ],
        ),
        lane("bob", vec![bar(0.3, 19.0, PublisherKind::Other)]),
    ];
    let mut screen = Screen::new(lanes, 20);
    screen.selected = Some(0);
    screen.curve = Some(curve_of(&[("alice", 1, 8), ("bob", 0, 19)]));
    let plain = screen.render(60, 12);
    screen.color = true;
    let colored = screen.render(60, 12);
    let symbols = |buf: &Buffer| {
        buf.content
            .iter()
            .map(|c| c.symbol().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(symbols(&plain), symbols(&colored));
    assert!(
        plain
            .content
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    );
    assert!(colored.content.iter().any(|c| c.fg == Color::Magenta));
    assert!(symbols(&plain).iter().any(|s| s == "▚"));
    assert!(
        symbols(&plain)
            .concat()
            .contains("█ webrtc  ▓ rtmp  ▒ srt  ░ whip  ▚ other")
    );
}

#[test]
fn never_panics_on_tiny_areas_or_odd_data() {
    let lanes = vec![
        lane(
            "alice",
            vec![bar(-30.0, 5.0, PublisherKind::Known(PublisherType::WebRtc))],
        ),
        lane(
            "",
            vec![bar(50.0, 90.0, PublisherKind::Known(PublisherType::Srt))],
        ),
        lane("bob", Vec::new()),
        lane(
            "carol",
            vec![Bar {
                open: true,
                ..bar(10.0, 0.0, PublisherKind::Known(PublisherType::Whip))
            }],
        ),
    ];
    let mut screen = Screen::new(lanes, 20);
    screen.now = T0 - 100 * MIN;
    screen.selected = Some(9);
    screen.curve = Some(curve_of(&[("alice", 0, 5)]));
    for width in 0..24 {
        for height in 0..12 {
            screen.render(width, height);
        }
    }
    screen.minutes = 0;
    let buf = screen.render(30, 3);
    assert_eq!(buf[(0, 1)].symbol(), "a", "a short area still shows lanes");
    let empty = Screen::new(Vec::new(), 20);
    empty.render(1, 1);
    empty.render(200, 60);
}
