//! `headcount totals`: the manual accumulation loop of Stream's Call Attendance page, done for
//! you, with the attendance figures the dashboard shows.
//!
//! Every page of the session is read with the server part of the filter, the local part is
//! applied to the rows, and the figures come from the attendance engine, so the command and the
//! dashboard never disagree.

mod report;

use std::io::Write;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::call_ref::CallRef;
use super::config::values::parse_tz;
use super::config::{ConnectionArgs, Overrides, load};
use crate::api::timestamp::Nanos;
use crate::api::{PagerOptions, StreamClient};
use crate::attendance::{
    DisplayZone, Figures, IngestError, SessionStore, Thresholds, keep_local_matches,
};
use crate::filter::{Filter, ParseContext, ParseError, parse};
use report::Report;

/// Options of `headcount totals`.
#[derive(Debug, Args)]
pub struct TotalsArgs {
    /// The call, as TYPE:ID (e.g. default:townhall-2026)
    pub call: CallRef,
    /// The call session id (`call.session.id`)
    #[arg(long, value_name = "ID")]
    pub session: String,
    /// Count only the sessions matching this filter (same language as the dashboard)
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// How to print the figures
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Time zone of the times shown: `local`, `UTC` or an IANA name
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    pub tz: Option<String>,
    #[command(flatten)]
    pub connection: ConnectionArgs,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Aligned text for people
    Table,
    /// One JSON object for scripts
    Json,
}

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

/// Reads the whole session and prints its figures.
pub fn run(args: TotalsArgs) -> anyhow::Result<()> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("could not start the async runtime")?
        .block_on(totals(args))
}

async fn totals(args: TotalsArgs) -> anyhow::Result<()> {
    let settings = load(&Overrides {
        tz: args.tz.clone(),
        ..args.connection.overrides()
    })?;
    let zone = DisplayZone::parse(&settings.tz)?;
    let text = args.filter.as_deref().unwrap_or("");
    // Checked before any request: a typo should not cost a walk through the session.
    let filter = parse_filter(text, &zone, now_ns())?;
    let client = StreamClient::new(
        &settings.base_url,
        &settings.api_key,
        settings.api_secret.expose(),
    )?;
    let store = fetch_all(&client, &args, filter.server_json()).await?;
    let now = now_ns();
    let filter = local_filter(text, &zone, &store, now, filter)?;
    let rows = keep_local_matches(&store, store.row_ids(), &filter, now);
    // The grace periods only shape per-user flags, which this command does not print.
    let figures = Figures::compute(&store, &rows, now, &Thresholds::default());
    let identity = store
        .identity()
        .cloned()
        .context("Stream returned no page for this session")?;
    let report = Report::new(identity, &store, &figures.call, &filter);
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report.json())?)?,
        Format::Table => write!(out, "{}", report.table(&zone))?,
    }
    Ok(())
}

fn now_ns() -> Nanos {
    jiff::Timestamp::now().as_nanosecond() as Nanos
}

fn parse_filter(text: &str, zone: &DisplayZone, day_of: Nanos) -> Result<Filter, InvalidFilter> {
    parse(text, &ParseContext::at(zone.tz().clone(), day_of)).map_err(|error| InvalidFilter {
        column: error.column(text) + 1,
        rendered: error.render(text),
        error,
    })
}

/// Times in a filter (`joined>10:30`) are on the call's day, known only once the rows are in;
/// the server part does not depend on it, so only the local part needs this second reading.
fn local_filter(
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

/// Every page of the session, as fast as Stream serves them (one client, the pager prefetches).
async fn fetch_all(
    client: &StreamClient,
    args: &TotalsArgs,
    filter_conditions: Option<serde_json::Value>,
) -> anyhow::Result<SessionStore> {
    let options = PagerOptions {
        filter_conditions,
        ..PagerOptions::default()
    };
    let mut pager = client.participant_session_pages(
        &args.call.call_type,
        &args.call.id,
        &args.session,
        options,
    );
    let mut store = SessionStore::new();
    let reading = || format!("reading {} session {}", args.call, args.session);
    while let Some(page) = pager.next_raw_page().await {
        let page = page.with_context(reading)?;
        match store.ingest_json(page.body.bytes()) {
            // An unreadable page is an answer of Stream's, reported as a failed read would be.
            Err(unreadable @ IngestError::Unreadable(_)) => {
                return Err(unreadable).with_context(reading);
            }
            ingested => ingested?,
        };
    }
    match pager.stop_reason() {
        Some(reason) if !reason.is_complete() => anyhow::bail!(
            "stopped after {} pages ({reason:?}): the figures would be incomplete",
            pager.pages_read()
        ),
        _ => Ok(store),
    }
}
