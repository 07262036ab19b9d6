//! Validation of the individual settings, shared by clap flags, environment variables and the
//! config file so that every source accepts exactly the same spellings.

use std::fmt;

use serde::{Deserialize, Deserializer};

use crate::attendance::PresentThreshold;

/// Where headcount sends requests unless told otherwise (stream-node's default for video).
pub(crate) use crate::api::DEFAULT_BASE_URL;

/// The time zone name meaning "whatever this machine uses".
pub(crate) const LOCAL_TZ: &str = "local";

/// Colours of the dashboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub(crate) enum Theme {
    #[default]
    Default,
    /// No colour, for monochrome terminals and screenshots.
    Mono,
}

impl fmt::Display for Theme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Theme::Default => "default",
            Theme::Mono => "mono",
        })
    }
}

/// Checks an `http(s)://host[:port][/prefix]` URL and drops a trailing `/`, so that request
/// paths can be appended without doubling it.
pub(crate) fn parse_base_url(text: &str) -> Result<String, String> {
    let text = text.trim();
    let url =
        reqwest::Url::parse(text).map_err(|err| format!("invalid base URL {text:?}: {err}"))?;
    if !matches!(url.scheme(), "http" | "https") || !url.has_host() {
        return Err(format!(
            "invalid base URL {text:?}: expected http:// or https:// followed by a host"
        ));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

/// Accepts `local` or an IANA time zone name known to the bundled database.
pub(crate) fn parse_tz(text: &str) -> Result<String, String> {
    let text = text.trim();
    if text == LOCAL_TZ || jiff::tz::TimeZone::get(text).is_ok() {
        Ok(text.to_owned())
    } else {
        Err(format!(
            "unknown time zone {text:?}: expected \"local\" or an IANA name such as \"Europe/Paris\""
        ))
    }
}

/// Serde adapter for the present threshold: a TOML number (`80`, `87.5`) or text (`"80%"`).
pub(crate) fn deserialize_present_threshold<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<PresentThreshold>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Written {
        Number(f64),
        Text(String),
    }
    let threshold = match Written::deserialize(d)? {
        Written::Number(percent) => PresentThreshold::from_percent(percent),
        Written::Text(text) => PresentThreshold::parse(&text),
    };
    threshold.map(Some).map_err(serde::de::Error::custom)
}

/// Serde adapter validating an optional base URL.
pub(crate) fn deserialize_base_url<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    parse_base_url(&text)
        .map(Some)
        .map_err(serde::de::Error::custom)
}

/// Serde adapter validating an optional time zone.
pub(crate) fn deserialize_tz<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    let text = String::deserialize(d)?;
    parse_tz(&text).map(Some).map_err(serde::de::Error::custom)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_loses_its_trailing_slash() {
        assert_eq!(
            parse_base_url("http://127.0.0.1:3030/"),
            Ok("http://127.0.0.1:3030".to_owned())
        );
        assert_eq!(
            parse_base_url(DEFAULT_BASE_URL),
            Ok(DEFAULT_BASE_URL.to_owned())
        );
    }

    #[test]
    fn base_url_must_be_http() {
        for bad in [
            "video.stream-io-api.com",
            "ftp://example.com",
            "https://",
            "",
        ] {
            let err = parse_base_url(bad).unwrap_err();
            assert!(err.contains("invalid base URL"), "{bad:?} gave {err}");
        }
    }

    #[test]
    fn tz_accepts_local_and_iana_names_only() {
        assert_eq!(parse_tz("local"), Ok("local".to_owned()));
        assert_eq!(parse_tz("Europe/Paris"), Ok("Europe/Paris".to_owned()));
        assert_eq!(parse_tz("UTC"), Ok("UTC".to_owned()));
        assert!(parse_tz("Mars/Olympus").unwrap_err().contains("IANA"));
    }
}
