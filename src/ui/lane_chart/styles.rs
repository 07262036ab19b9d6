//! The timeline's styles. Colour only decorates: glyphs and modifiers alone carry every meaning,
//! so the monochrome set (for `NO_COLOR`) loses nothing.

use ratatui::style::{Color, Modifier, Style};

use super::bar::PublisherKind;
use crate::api::PublisherType;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LaneChartStyles {
    pub(crate) label: Style,
    pub(crate) selected_label: Style,
    pub(crate) publishers: [Style; PublisherKind::ALL.len()],
    pub(crate) overlap: Style,
    pub(crate) live: Style,
    pub(crate) axis: Style,
    pub(crate) zone: Style,
    pub(crate) curve: Style,
    pub(crate) peak: Style,
    pub(crate) legend: Style,
}

impl LaneChartStyles {
    pub fn new(color: bool) -> Self {
        let plain = Style::new();
        let colored = |c: Color| if color { plain.fg(c) } else { plain };
        LaneChartStyles {
            label: plain,
            selected_label: plain.add_modifier(Modifier::REVERSED | Modifier::BOLD),
            publishers: PublisherKind::ALL.map(|p| colored(publisher_color(p))),
            overlap: colored(Color::LightRed).add_modifier(Modifier::BOLD),
            live: colored(Color::LightGreen).add_modifier(Modifier::BOLD),
            axis: colored(Color::DarkGray),
            zone: plain.add_modifier(Modifier::BOLD),
            curve: colored(Color::Cyan),
            peak: plain.add_modifier(Modifier::BOLD),
            legend: colored(Color::DarkGray),
        }
    }

    pub(crate) fn publisher(&self, publisher: PublisherKind) -> Style {
        self.publishers[publisher.index()]
    }
}

fn publisher_color(publisher: PublisherKind) -> Color {
    match publisher {
        PublisherKind::Known(PublisherType::WebRtc) => Color::Blue,
        PublisherKind::Known(PublisherType::Rtmp) => Color::Magenta,
        PublisherKind::Known(PublisherType::Srt) => Color::Yellow,
        PublisherKind::Known(PublisherType::Whip) => Color::Green,
        PublisherKind::Other => Color::Gray,
    }
}
