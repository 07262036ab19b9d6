//! `headcount totals`: the manual accumulation loop of Stream's Call Attendance page, done for
//! you, with the attendance figures the dashboard shows.
//!
//! Every page of the session is read with the server part of the filter, the local part is
//! applied to the rows, and the figures come from the attendance engine, so the command and the
//! dashboard never disagree. The figures are printed whatever the read got, with whether they
//! are complete; an incomplete read then exits with status 8.

pub(crate) mod card;
mod report;

use std::io::Write;
use std::sync::Arc;

use clap::{Args, ValueEnum};

use super::call_ref::CallRef;
use super::config::values::parse_tz;
use super::config::{ConnectionArgs, Overrides};
use super::roster::output::{counts_json, counts_line};
use super::roster::refuse_filter;
use super::session_read::{
    Matching, Opening, SessionTarget, finish_read, resolve_session, roster_rules, thresholds,
};
use crate::attendance::{Figures, Thresholds, user_figures};
use crate::fetch::Invited;
use card::UserCardRead;
use report::Report;

/// Options of `headcount totals`.
#[derive(Debug, Args)]
pub(crate) struct TotalsArgs {
    /// The call, as TYPE:ID (e.g. default:townhall-2026)
    pub(crate) call: CallRef,
    /// The call session id [default: the call's current session, as `watch` opens it;
    /// `headcount sessions TYPE:ID` lists them]
    #[arg(long, value_name = "ID")]
    pub(crate) session: Option<String>,
    /// Count only the sessions matching this filter (same language as the dashboard)
    #[arg(long, value_name = "EXPR")]
    pub(crate) filter: Option<String>,
    /// How to print the figures
    #[arg(long, value_enum, default_value_t = ReportFormat::Table)]
    pub(crate) format: ReportFormat,
    /// Time zone of the times shown: `local`, `UTC` or an IANA name
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    pub(crate) tz: Option<String>,
    /// Add who was expected: the counts of each state of the call's members (reads them too)
    #[arg(long, conflicts_with = "user")]
    pub(crate) with_roster: bool,
    /// Print the answer card of this user (their exact `user_id`): when they joined and left,
    /// how long they attended, each flag with its threshold; `--format json` gives the same
    /// facts
    #[arg(long, value_name = "USER_ID")]
    pub(crate) user: Option<String>,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ReportFormat {
    /// Aligned text for people
    Table,
    /// One JSON object for scripts
    Json,
}

/// Reads the whole session and prints its figures.
pub(crate) fn run(args: TotalsArgs) -> anyhow::Result<()> {
    super::block_on(totals(args))
}

async fn totals(args: TotalsArgs) -> anyhow::Result<()> {
    let opening = Opening::load(&Overrides {
        tz: args.tz.clone(),
        ..args.connection.overrides()
    })?;
    // Checked before any request: a typo should not cost a walk through the session.
    let filter = opening.filter(args.filter.as_deref())?;
    if args.with_roster {
        refuse_filter(args.filter.as_deref())?;
    }
    if args
        .user
        .as_deref()
        .is_some_and(|user| user.trim().is_empty())
    {
        return Err(super::exit::UsageError(
            "--user needs a user id (`user_id`, exactly as Stream has it); \
             `headcount export TYPE:ID --by user` lists them"
                .to_owned(),
        )
        .into());
    }
    let connection = opening.connect_telling()?;
    let session = resolve_session(&connection.0, &args.call, args.session.as_deref()).await?;
    let target = SessionTarget {
        call: &args.call,
        session: &session,
    };
    let reader = opening.reader(connection, target, filter);
    let (matching, invited) = tokio::join!(reader.read_matching(|_, _| {}), async {
        if args.with_roster {
            Invited::read(&reader.client, &args.call).await.map(Some)
        } else {
            Ok(None)
        }
    });
    let Matching {
        store,
        completeness,
        filter,
        rows,
        now,
    } = matching?;
    let invited = invited?;
    if let Some(user) = &args.user {
        let thresholds = thresholds(&reader.settings);
        let card = UserCardRead {
            store: &store,
            rows: &rows,
            filter: &filter,
            completeness,
            now,
            zone: &reader.zone,
            thresholds: &thresholds,
        };
        card.print(user, args.format)?;
        return finish_read(completeness);
    }
    // The grace periods only shape per-user flags, which this command does not print.
    let figures = Figures::compute(&store, &rows, now, &Thresholds::default());
    let Some(identity) = store.identity().cloned() else {
        // Nothing to print: say why the read got no page, if it knows.
        finish_read(completeness)?;
        anyhow::bail!("Stream returned no page for this session");
    };
    let roster = match &invited {
        Some(invited) => {
            let rules = roster_rules(&reader.settings);
            let users = Arc::new(user_figures(&store, &rows, now, &rules.thresholds));
            let expected = invited.expected();
            // A read that cannot be classified still prints its totals, and says why the
            // counts are missing; the exit status then comes from that cause.
            let roster = invited
                .classify(
                    &expected,
                    &session,
                    &store,
                    &users,
                    completeness,
                    rules,
                    now,
                )
                .map(|roster| (counts_json(&roster), counts_line(&roster)));
            Some(roster)
        }
        None => None,
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
        ReportFormat::Json => {
            let mut json = report.json();
            match &roster {
                Some(Ok((roster, _))) => json["roster"] = roster.clone(),
                Some(Err(error)) => {
                    json["roster"] = serde_json::json!({
                        "classified": false,
                        "cannot_classify": error.to_string(),
                    });
                }
                None => {}
            }
            writeln!(out, "{}", crate::ui::safe_text::json_pretty(&json)?)?;
        }
        ReportFormat::Table => {
            write!(out, "{}", report.table(&reader.zone))?;
            match &roster {
                Some(Ok((_, line))) => writeln!(out, "Expected: {line}")?,
                Some(Err(error)) => writeln!(out, "Expected: {error}")?,
                None => {}
            }
        }
    }
    out.flush()?;
    finish_read(completeness)?;
    match roster {
        Some(Err(error)) => Err(error),
        _ => Ok(()),
    }
}
