//! `headcount totals`: the manual accumulation loop of Stream's Call Attendance page, done for
//! you, with the attendance figures the dashboard shows.
//!
//! Every page of the session is read with the server part of the filter, the local part is
//! applied to the rows, and the figures come from the attendance engine, so the command and the
//! dashboard never disagree. The figures are printed whatever the read got, with whether they
//! are complete; an incomplete read then exits with status 8.

mod report;

use std::io::Write;

use clap::{Args, ValueEnum};

use super::call_ref::CallRef;
use super::config::values::parse_tz;
use super::config::{ConnectionArgs, Overrides, load};
use super::session_read::{
    SessionTarget, connect, finish_read, first_filter, local_filter, read_store,
};
use crate::api::timestamp::unix_now;
use crate::attendance::{DisplayZone, Figures, Thresholds, keep_local_matches};
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

/// Reads the whole session and prints its figures.
pub fn run(args: TotalsArgs) -> anyhow::Result<()> {
    super::block_on(totals(args))
}

async fn totals(args: TotalsArgs) -> anyhow::Result<()> {
    let settings = load(&Overrides {
        tz: args.tz.clone(),
        ..args.connection.overrides()
    })?;
    let zone = DisplayZone::parse(&settings.tz)?;
    let text = args.filter.as_deref().unwrap_or("");
    // Checked before any request: a typo should not cost a walk through the session.
    let filter = first_filter(text, &zone, unix_now())?;
    let client = connect(&settings)?;
    let target = SessionTarget {
        call: &args.call,
        session: &args.session,
    };
    let (store, completeness) =
        read_store(&client, target, filter.server_json(), |_, _| {}).await?;
    // A live session is described at the server's present (see `ServerClock`).
    let now = client.present();
    let filter = local_filter(text, &zone, &store, now, filter)?;
    let rows = keep_local_matches(&store, store.row_ids(), &filter, now);
    // The grace periods only shape per-user flags, which this command does not print.
    let figures = Figures::compute(&store, &rows, now, &Thresholds::default());
    let Some(identity) = store.identity().cloned() else {
        // Nothing to print: say why the read got no page, if it knows.
        finish_read(completeness)?;
        anyhow::bail!("Stream returned no page for this session");
    };
    let report = Report::new(
        identity,
        &store,
        &figures.call,
        completeness,
        &filter,
        &rows,
        now,
    );
    let mut out = std::io::stdout().lock();
    match args.format {
        Format::Json => writeln!(out, "{}", serde_json::to_string_pretty(&report.json())?)?,
        Format::Table => write!(out, "{}", report.table(&zone))?,
    }
    out.flush()?;
    finish_read(completeness)
}
