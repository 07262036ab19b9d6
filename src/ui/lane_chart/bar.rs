//! What the timeline draws: one lane per user, one bar per session.

use crate::api::PublisherType;
use crate::api::timestamp::Nanos;

/// How a session published, which sets the bar's body glyph and colour: one of Stream's
/// known types ([`PublisherType`], declared once in `api`), or another value a row carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublisherKind {
    Known(PublisherType),
    Other,
}

impl PublisherKind {
    /// Every publisher, in legend order: the known types, then the others.
    pub(crate) const ALL: [PublisherKind; PublisherType::KNOWN.len() + 1] = {
        let mut all = [PublisherKind::Other; PublisherType::KNOWN.len() + 1];
        let mut i = 0;
        while i < PublisherType::KNOWN.len() {
            all[i] = PublisherKind::Known(PublisherType::KNOWN[i]);
            i += 1;
        }
        all
    };

    /// Reads Stream's `publisher_type` (any case, for the eye); unknown or empty types are
    /// `Other`.
    pub fn from_type(publisher_type: &str) -> PublisherKind {
        let lower = publisher_type.trim().to_ascii_lowercase();
        PublisherType::from_name(&lower).map_or(PublisherKind::Other, PublisherKind::Known)
    }

    /// The glyph filling whole cells of a bar, distinct per publisher so that the type reads
    /// without colour.
    pub(crate) fn body_glyph(self) -> &'static str {
        match self {
            PublisherKind::Known(PublisherType::WebRtc) => "█",
            PublisherKind::Known(PublisherType::Rtmp) => "▓",
            PublisherKind::Known(PublisherType::Srt) => "▒",
            PublisherKind::Known(PublisherType::Whip) => "░",
            PublisherKind::Other => "▚",
        }
    }

    /// Where this publisher is in [`PublisherKind::ALL`].
    pub(crate) fn index(self) -> usize {
        match self {
            // `KNOWN` lists the types in their declaration order (a test holds it).
            PublisherKind::Known(known) => known as usize,
            PublisherKind::Other => PublisherType::KNOWN.len(),
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            PublisherKind::Known(known) => known.name(),
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
        assert_eq!(
            PublisherKind::from_type("WebRTC"),
            PublisherKind::Known(PublisherType::WebRtc)
        );
        assert_eq!(
            PublisherKind::from_type("rtmp"),
            PublisherKind::Known(PublisherType::Rtmp)
        );
        assert_eq!(PublisherKind::from_type(""), PublisherKind::Other);
        assert_eq!(PublisherKind::from_type("sip"), PublisherKind::Other);
    }

    #[test]
    fn the_legend_has_every_known_type_then_the_others() {
        let names: Vec<&str> = PublisherKind::ALL.iter().map(|p| p.name()).collect();
        assert_eq!(names, ["webrtc", "rtmp", "srt", "whip", "other"]);
        for (index, publisher) in PublisherKind::ALL.into_iter().enumerate() {
            assert_eq!(publisher.index(), index, "{publisher:?}");
        }
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
            publisher: PublisherKind::Known(PublisherType::WebRtc),
            open: true,
        };
        assert_eq!(bar.interval(250), (100, 250));
        assert_eq!(bar.interval(50), (100, 100));
    }
}
