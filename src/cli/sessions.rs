//! `headcount sessions TYPE:ID`: the sessions of a call, newest first, so that an earlier one
//! can be found and opened (`watch --session ID`, `totals --session ID`).
//!
//! The current session comes from `GetCall` (which also tells an unknown call apart from one
//! without sessions); every session's counts from `QueryCallSessionStats`.

mod listing;

use std::io::Write;

use anyhow::Context;
use clap::Args;

use super::call_ref::CallRef;
use super::config::values::parse_tz;
use super::config::{ConnectionArgs, Overrides};
use super::session_read::{IncompleteData, Opening};
use super::totals::ReportFormat;
use crate::api::call_stats::{SessionStats, SessionStatsQuery};
use crate::api::{StopReason, StreamClient};
use crate::attendance::{SessionSummary, merge_sessions};
use listing::SessionListing;

/// Options of `headcount sessions`.
#[derive(Debug, Args)]
pub(crate) struct SessionsArgs {
    /// The call, as TYPE:ID (e.g. default:townhall-2026)
    #[arg(value_name = "TYPE:ID")]
    pub(crate) call: CallRef,
    /// How to print the sessions
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub(crate) format: ReportFormat,
    /// Time zone of the times shown: `local`, `UTC` or an IANA name
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    pub(crate) tz: Option<String>,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
}

pub(crate) fn run(args: SessionsArgs) -> anyhow::Result<()> {
    super::block_on(sessions(args))
}

async fn sessions(args: SessionsArgs) -> anyhow::Result<()> {
    let opening = Opening::load(&Overrides {
        tz: args.tz.clone(),
        ..args.connection.overrides()
    })?;
    let (client, waits) = opening.connect_telling()?;
    let list = list_sessions(&client, &args.call).await?;
    drop(waits);
    let listing = SessionListing::new(&args.call, &list.sessions, client.present())
        .stopped_early(list.stopped_early);
    let mut out = std::io::stdout().lock();
    match args.format {
        ReportFormat::Json => writeln!(
            out,
            "{}",
            crate::ui::safe_text::json_pretty(&listing.json())?
        )?,
        ReportFormat::Table => write!(out, "{}", listing.table(&opening.zone))?,
    }
    out.flush()?;
    match list.stopped_early {
        Some(reason) => Err(IncompleteData::Listing {
            reason,
            listed: list.sessions.len(),
        }
        .into()),
        None => Ok(()),
    }
}

/// The sessions of a call, each once, newest first.
pub(crate) struct SessionList {
    pub(crate) sessions: Vec<SessionSummary>,
    /// Why Stream's listing stopped before its last page (a repeated cursor, empty pages…):
    /// sessions may be missing.
    pub(crate) stopped_early: Option<StopReason>,
}

/// Every session of `call`, newest first. A listing stopped by a misbehaving server still
/// lists what was read, and says why it stopped.
pub(crate) async fn list_sessions(
    client: &StreamClient,
    call: &CallRef,
) -> anyhow::Result<SessionList> {
    let found = client
        .get_call(&call.call_type, &call.id)
        .await
        .with_context(|| format!("reading the call {call}"))?
        .body
        .call;
    let (stats, stopped_early) = session_stats(client, call).await?;
    Ok(SessionList {
        sessions: merge_sessions(&found, &stats),
        stopped_early,
    })
}

/// Every `QueryCallSessionStats` row of `call`, newest first, and why the listing stopped
/// early if it did.
pub(crate) async fn session_stats(
    client: &StreamClient,
    call: &CallRef,
) -> anyhow::Result<(Vec<SessionStats>, Option<StopReason>)> {
    let mut pager =
        client.session_stats_pages(SessionStatsQuery::sessions_of(&call.call_type, &call.id));
    let mut rows = Vec::new();
    while let Some(page) = pager.next_page().await {
        let page = page.with_context(|| format!("listing the sessions of {call}"))?;
        rows.extend(page.body.call_stats);
    }
    let stopped_early = pager.stop_reason().filter(|reason| !reason.is_complete());
    Ok((rows, stopped_early))
}
