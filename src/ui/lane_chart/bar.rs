//! What the timeline draws: one lane per user, one bar per session.

use crate::api::timestamp::Nanos;

/// How a session published, which sets the bar's body glyph and colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublisherKind {
    Webrtc,
    Rtmp,
    Srt,
    Whip,
    Other,
}

impl PublisherKind {
    /// Every publisher, in legend order.
    pub(crate) const ALL: [PublisherKind; 5] = [
        PublisherKind::Webrtc,
        PublisherKind::Rtmp,
        PublisherKind::Srt,
        PublisherKind::Whip,
        PublisherKind::Other,
    ];

    /// Reads Stream's `publisher_type` (any case); unknown or empty types are `Other`.
    pub fn from_type(publisher_type: &str) -> PublisherKind {
        match publisher_type.trim().to_ascii_lowercase().as_str() {
            "webrtc" => PublisherKind::Webrtc,
            "rtmp" => PublisherKind::Rtmp,
            "srt" => PublisherKind::Srt,
            "whip" => PublisherKind::Whip,
            _ => PublisherKind::Other,
        }
    }

    /// The glyph filling whole cells of a bar, distinct per publisher so that the type reads
    /// without colour.
    pub(crate) fn body_glyph(self) -> &'static str {
        match self {
            PublisherKind::Webrtc => "█",
            PublisherKind::Rtmp => "▓",
            PublisherKind::Srt => "▒",
            PublisherKind::Whip => "░",
            PublisherKind::Other => "▚",
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            PublisherKind::Webrtc => "webrtc",
            PublisherKind::Rtmp => "rtmp",
            PublisherKind::Srt => "srt",
            PublisherKind::Whip => "whip",
            PublisherKind::Other => "other",
        }
    }
}

/// One session: `[start, end)`; an open session runs to `now` whatever its `end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bar {
    pub start: Nanos,
    pub end: Nanos,
    pub publisher: PublisherKind,
    pub open: bool,
}

impl Bar {
    /// The interval drawn, never inverted: an open bar ends at `now`, and a bar ending before it
    /// starts (clock skew, `now` before the join) is a point at its start.
    pub(crate) fn interval(&self, now: Nanos) -> (Nanos, Nanos) {
        let end = if self.open { now } else { self.end };
        (self.start, end.max(self.start))
    }
}

/// One user's row: the label shown on the left and the user's sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lane<'a> {
    pub label: &'a str,
    pub bars: Vec<Bar>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publisher_types_read_in_any_case() {
        assert_eq!(PublisherKind::from_type("WebRTC"), PublisherKind::Webrtc);
        assert_eq!(PublisherKind::from_type("rtmp"), PublisherKind::Rtmp);
        assert_eq!(PublisherKind::from_type(""), PublisherKind::Other);
        assert_eq!(PublisherKind::from_type("sip"), PublisherKind::Other);
    }

    #[test]
    fn body_glyphs_differ_per_publisher() {
        let glyphs: std::collections::HashSet<_> =
            PublisherKind::ALL.iter().map(|p| p.body_glyph()).collect();
        assert_eq!(glyphs.len(), PublisherKind::ALL.len());
    }

    #[test]
    fn open_bars_run_to_now_and_never_invert() {
        let bar = Bar {
            start: 100,
            end: 0,
            publisher: PublisherKind::Webrtc,
            open: true,
        };
        assert_eq!(bar.interval(250), (100, 250));
        assert_eq!(bar.interval(50), (100, 100));
    }
}
