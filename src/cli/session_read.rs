//! Reading one call session from the command line, shared by `totals` and `export`: the
//! `--filter` with its caret error, the client built from the settings, and the walk through
//! every page with a check that nothing was left unread.

use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

use super::call_ref::CallRef;
use super::config::Settings;
use crate::api::RawSessionsPage;
use crate::api::timestamp::Nanos;
use crate::api::{ApiError, PagerOptions, StreamClient};
use crate::attendance::{DisplayZone, SessionStore, Thresholds};
use crate::filter::{Filter, ParseContext, ParseError, parse};

/// A filter the language refuses, shown as the filter with a caret under the fault. The
/// [`ParseError`] is not a `source`: its message is already on the caret line.
#[derive(Debug, thiserror::Error)]
#[error("malformed --filter at character {column}:\n{rendered}")]
pub struct InvalidFilter {
    /// 1-based, in characters, as editors count.
    column: usize,
    rendered: String,
    error: ParseError,
}

impl InvalidFilter {
    pub fn parse_error(&self) -> &ParseError {
        &self.error
    }
}

/// The call session a command reads.
#[derive(Debug, Clone, Copy)]
pub struct SessionTarget<'a> {
    pub call: &'a CallRef,
    pub session: &'a str,
}

impl SessionTarget<'_> {
    /// The context of an error met while reading it.
    fn reading(&self) -> String {
        format!("reading {} session {}", self.call, self.session)
    }
}

/// Parses `--filter` with times of day on the date of `day_of` in `zone`.
pub fn parse_filter(
    text: &str,
    zone: &DisplayZone,
    day_of: Nanos,
) -> Result<Filter, InvalidFilter> {
    parse(text, &ParseContext::at(zone.tz().clone(), day_of)).map_err(|error| InvalidFilter {
        column: error.column(text) + 1,
        rendered: error.render(text),
        error,
    })
}

/// Times in a filter (`joined>10:30`) are on the call's day, known only once the rows are in;
/// the server part does not depend on it, so only the local part needs this second reading.
pub fn local_filter(
    text: &str,
    zone: &DisplayZone,
    store: &SessionStore,
    now: Nanos,
    first_reading: Filter,
) -> Result<Filter, InvalidFilter> {
    match store.window(now) {
        Some(window) => parse_filter(text, zone, window.start),
        None => Ok(first_reading),
    }
}

/// A client for the configured account.
pub fn connect(settings: &Settings) -> Result<StreamClient, ApiError> {
    StreamClient::new(
        &settings.base_url,
        &settings.api_key,
        settings.api_secret.expose(),
    )
}

/// The grace periods and reconnect gap of the per-user flags, as configured.
pub fn thresholds(settings: &Settings) -> Thresholds {
    Thresholds {
        late_grace: nanos(settings.late_grace),
        early_grace: nanos(settings.early_grace),
        reconnect_gap: nanos(settings.reconnect_gap),
    }
}

fn nanos(duration: Duration) -> Nanos {
    Nanos::try_from(duration.as_nanos()).unwrap_or(Nanos::MAX)
}

/// Hands every page of the session to `on_page` as it arrives (the pager prefetches the next
/// one meanwhile), and fails if paging stopped before the last page.
pub async fn for_each_page(
    client: &StreamClient,
    target: SessionTarget<'_>,
    filter_conditions: Option<Value>,
    mut on_page: impl AsyncFnMut(RawSessionsPage) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let options = PagerOptions {
        filter_conditions,
        ..PagerOptions::default()
    };
    let mut pager = client.participant_session_pages(
        &target.call.call_type,
        &target.call.id,
        target.session,
        options,
    );
    while let Some(page) = pager.next_page().await {
        let page = page.with_context(|| target.reading())?;
        on_page(page.body).await?;
    }
    match pager.stop_reason() {
        Some(reason) if !reason.is_complete() => anyhow::bail!(
            "stopped after {} pages: {reason}; the output would be incomplete",
            pager.pages_read()
        ),
        _ => Ok(()),
    }
}

/// The whole session in a store, for figures that need every row at once. `on_page` hears of
/// each page's row count and the session's total, for progress.
pub async fn read_store(
    client: &StreamClient,
    target: SessionTarget<'_>,
    filter_conditions: Option<Value>,
    mut on_page: impl FnMut(usize, Option<i64>),
) -> anyhow::Result<SessionStore> {
    let mut store = SessionStore::new();
    for_each_page(client, target, filter_conditions, async |page| {
        store
            .ingest_json(page.bytes())
            .with_context(|| target.reading())?;
        on_page(page.rows(), store.totals().participant_sessions);
        Ok(())
    })
    .await?;
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_filter_points_at_the_fault_in_characters() {
        let text = "rôle dur>5x";
        let err = parse_filter(text, &DisplayZone::utc(), 0).unwrap_err();
        let message = err.to_string();
        // `ô` takes two bytes; the column counts characters, as editors do.
        assert!(
            message.starts_with("malformed --filter at character 10:"),
            "{message}"
        );
        let caret_line = message.lines().last().unwrap();
        assert!(caret_line.trim_start().starts_with('^'), "{message}");
    }

    #[test]
    fn configured_durations_become_nanosecond_thresholds() {
        let settings = Settings {
            late_grace: Duration::from_secs(120),
            ..sample_settings()
        };
        let thresholds = thresholds(&settings);
        assert_eq!(thresholds.late_grace, 120_000_000_000);
        assert_eq!(
            thresholds.reconnect_gap,
            Thresholds::default().reconnect_gap
        );
    }

    fn sample_settings() -> Settings {
        use super::super::config::{
            DEFAULT_EARLY_GRACE, DEFAULT_INTERVAL, DEFAULT_LATE_GRACE, DEFAULT_RECONNECT_GAP, Theme,
        };
        use crate::api::ApiSecret;
        Settings {
            base_url: "http://127.0.0.1:9".into(),
            api_key: "key".into(),
            api_secret: ApiSecret::new("secret"),
            tz: "UTC".into(),
            interval: DEFAULT_INTERVAL,
            late_grace: DEFAULT_LATE_GRACE,
            early_grace: DEFAULT_EARLY_GRACE,
            reconnect_gap: DEFAULT_RECONNECT_GAP,
            theme: Theme::default(),
            profile: None,
            config_path: None,
        }
    }
}
