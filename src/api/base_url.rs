//! The base URL of the Stream API, checked before any credential is sent to it.
//!
//! The server token grants full access to the app, so it must never cross a network in clear
//! text: plain `http://` is accepted only for this machine, where `headcount sim` runs, and
//! requests to this machine never go through a proxy (see `client`).

use std::fmt;
use std::net::IpAddr;

use reqwest::Url;

use super::error::ClientConfigError;

/// The host of Stream's OpenAPI spec (`servers[0]`) and the default of the Go, Python, PHP and
/// Rust server SDKs for every product, video included. `https://video.stream-io-api.com` (the
/// default of stream-node's video client) serves the same `/api/v2/video` paths.
pub(crate) const DEFAULT_BASE_URL: &str = "https://chat.stream-io-api.com";

/// A validated base URL: `http(s)://host[:port][/prefix]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct BaseUrl(Url);

impl BaseUrl {
    pub(crate) fn parse(text: &str) -> Result<BaseUrl, ClientConfigError> {
        let text = text.trim();
        let invalid = |reason: &str| ClientConfigError::InvalidBaseUrl {
            url: text.to_string(),
            reason: reason.to_string(),
        };
        if !text.contains("://") {
            return Err(invalid("it must start with https://"));
        }
        let url = Url::parse(text).map_err(|e| invalid(&e.to_string()))?;
        if !url.username().is_empty() || url.password().is_some() {
            return Err(ClientConfigError::InvalidBaseUrl {
                url: format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default()),
                reason: "it must not contain a user name or password".to_string(),
            });
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(invalid("it must not have a query string or a fragment"));
        }
        let host = url.host_str().unwrap_or_default();
        match url.scheme() {
            "https" => {}
            "http" if is_loopback(host) => {}
            "http" => {
                return Err(ClientConfigError::InsecureBaseUrl {
                    host: host.to_string(),
                });
            }
            _ => {
                return Err(invalid(
                    "only https:// (or http:// to this machine) is supported",
                ));
            }
        }
        Ok(BaseUrl(url))
    }

    /// Whether requests stay on this machine (`localhost`, 127.0.0.0/8, `::1`).
    pub(crate) fn is_loopback(&self) -> bool {
        self.0.host_str().is_some_and(is_loopback)
    }

    /// The URL of `path` (already escaped, starting with `/`) under this base.
    pub(crate) fn join(&self, path: &str) -> Url {
        let mut url = self.0.clone();
        url.set_path(&format!("{}{path}", self.0.path().trim_end_matches('/')));
        url
    }
}

/// Shown without a trailing slash, as users write it.
impl fmt::Display for BaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.as_str().trim_end_matches('/'))
    }
}

/// `localhost`, 127.0.0.0/8 and `::1` (also as an IPv4-mapped address).
fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") {
        return true;
    }
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .is_ok_and(|ip| ip.to_canonical().is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> String {
        BaseUrl::parse(text).unwrap().to_string()
    }

    #[test]
    fn https_urls_are_normalised_without_a_trailing_slash() {
        assert_eq!(parsed(DEFAULT_BASE_URL), "https://chat.stream-io-api.com");
        assert_eq!(
            parsed("https://video.stream-io-api.com/"),
            "https://video.stream-io-api.com"
        );
        assert_eq!(
            parsed(" https://proxy.example.com/stream/ "),
            "https://proxy.example.com/stream"
        );
    }

    #[test]
    fn plain_http_is_allowed_to_loopback_only() {
        for local in [
            "http://127.0.0.1:4000",
            "http://127.8.9.10",
            "http://localhost:4000/",
            "http://LOCALHOST",
            "http://[::1]:4000",
            "http://[::ffff:127.0.0.1]:4000",
        ] {
            assert!(BaseUrl::parse(local).unwrap().is_loopback(), "{local}");
        }
        assert!(!BaseUrl::parse(DEFAULT_BASE_URL).unwrap().is_loopback());
    }

    #[test]
    fn plain_http_to_another_host_is_refused_with_advice() {
        for remote in [
            "http://chat.stream-io-api.com",
            "http://10.0.0.2:4000",
            "http://[2001:db8::1]",
            "http://localhost.example.com",
            "http://0.0.0.0:4000",
        ] {
            let err = BaseUrl::parse(remote).unwrap_err();
            assert!(
                matches!(err, ClientConfigError::InsecureBaseUrl { .. }),
                "{remote}: {err}"
            );
            assert!(err.to_string().contains("use https://"), "{err}");
        }
    }

    #[test]
    fn unusable_urls_say_why() {
        let no_scheme = BaseUrl::parse("chat.stream-io-api.com").unwrap_err();
        assert!(
            no_scheme.to_string().contains("must start with https://"),
            "{no_scheme}"
        );
        let ftp = BaseUrl::parse("ftp://example.com").unwrap_err();
        assert!(ftp.to_string().contains("only https://"), "{ftp}");
        let query = BaseUrl::parse("https://example.com/?api_key=x").unwrap_err();
        assert!(query.to_string().contains("query string"), "{query}");
    }

    #[test]
    fn credentials_in_the_url_are_refused_without_being_echoed() {
        let err = BaseUrl::parse("https://key:topsecret@example.com").unwrap_err();
        assert!(!err.to_string().contains("topsecret"), "{err}");
        assert!(err.to_string().contains("user name or password"), "{err}");
    }
}
