//! Stream's publisher types: how a participant session sends media to the call.

/// A publisher type Stream documents: `webrtc` (a client through the SFU) and the ingress
/// kinds `rtmp`, `srt` and `whip` (the call's ingress settings in the OpenAPI spec:
/// `RTMPIngress`, `SRTIngress`, `WHIPIngress`). The one list of them: the filter language
/// checks `publisher:` against it, the timeline gives each its glyph and colour, the sim
/// plays them.
///
/// The spec gives `publisher_type` no enum, so a row may carry another value (Stream may add
/// types): such rows are stored and shown as they come, and the dashboard's filter accepts a
/// type its rows have shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PublisherType {
    WebRtc,
    Rtmp,
    Srt,
    Whip,
}

impl PublisherType {
    /// Every known type, in the order they are listed (the timeline's legend, the filter's
    /// errors).
    pub const KNOWN: [PublisherType; 4] = [
        PublisherType::WebRtc,
        PublisherType::Rtmp,
        PublisherType::Srt,
        PublisherType::Whip,
    ];

    /// The value of `publisher_type` on the wire.
    pub fn name(self) -> &'static str {
        match self {
            PublisherType::WebRtc => "webrtc",
            PublisherType::Rtmp => "rtmp",
            PublisherType::Srt => "srt",
            PublisherType::Whip => "whip",
        }
    }

    /// The type a `publisher_type` value names exactly, as Stream's filter compares it.
    pub fn from_name(name: &str) -> Option<PublisherType> {
        PublisherType::KNOWN.into_iter().find(|t| t.name() == name)
    }

    /// The names of every known type, in [`PublisherType::KNOWN`] order.
    pub fn names() -> impl Iterator<Item = &'static str> {
        PublisherType::KNOWN.into_iter().map(PublisherType::name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_known_type_is_read_back_from_its_name_and_only_exactly() {
        for known in PublisherType::KNOWN {
            assert_eq!(PublisherType::from_name(known.name()), Some(known));
        }
        assert_eq!(PublisherType::from_name("WebRTC"), None);
        assert_eq!(PublisherType::from_name("sip"), None);
        assert_eq!(
            PublisherType::names().collect::<Vec<_>>(),
            ["webrtc", "rtmp", "srt", "whip"]
        );
    }
}
