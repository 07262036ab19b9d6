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
use super::config::{ConnectionArgs, Overrides};
use super::session_read::{Matching, Opening, SessionTarget, finish_read};
use crate::attendance::{Figures, Thresholds};
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
    let opening = Opening::load(&Overrides {
        tz: args.tz.clone(),
        ..args.connection.overrides()
    })?;
    // Checked before any request: a typo should not cost a walk through the session.
    let filter = opening.filter(args.filter.as_deref())?;
    let target = SessionTarget {
        call: &args.call,
        session: &args.session,
    };
    let reader = opening.reader(target, filter)?;
    let Matching {
        store,
        completeness,
        filter,
        rows,
        now,
    } = reader.read_matching(|_, _| {}).await?;
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
        Format::Table => write!(out, "{}", report.table(&reader.zone))?,
    }
    out.flush()?;
    finish_read(completeness)
}
