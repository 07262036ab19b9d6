//! `headcount export`: a call session's rows, or its per-user figures, as CSV, JSON or NDJSON.
//!
//! By session, each page's matching rows are written as the page arrives (one page later, so
//! that an overlapping page can still correct them), once per `user_session_id`, so memory
//! stays flat however long the call, apart from one bit per session. By user, the figures
//! need every row at once: the session is read into the attendance engine's store first, as
//! the dashboard does.
//!
//! An incomplete read writes no file (`-o`) and exits with status 8; on standard output, the
//! records already written stay, and the exit status says they are not the whole session.

mod dedup;
pub(crate) mod output;
mod pages;
mod progress;
mod rewrite;
pub(crate) mod sink;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};

use super::call_ref::CallRef;
use super::config::values::parse_tz;
use super::config::{ConnectionArgs, Overrides};
use super::exit::UsageError;
use super::roster::output::{UserFields, user_field_headers};
use super::roster::refuse_filter;
use super::session_read::{
    IncompleteData, Matching, Opening, SessionReader, SessionTarget, finish_read, resolve_session,
    roster_rules, say_skipped,
};
use super::signals::or_interrupted;
use crate::api::timestamp::Nanos;
use crate::api::{MAX_PAGE_SIZE, SessionFields};
use crate::attendance::{
    Cell, CsvCells, Figures, RowContext, RowNews, ServerTotals, SessionRow, UserLine, UserRows,
    session_headers, session_record, user_headers, user_record,
};
use crate::fetch::Completeness;
use crate::fetch::Invited;
use crate::filter::Filter;
use crate::ui::safe_text::terminal_safe;
use dedup::{DedupSink, LateChanges};
use output::{Destination, Output};
use pages::{PagesHeader, PagesWriter};
use progress::Progress;
pub(crate) use sink::ExportFormat;
use sink::RecordSink;

/// Options of `headcount export`.
#[derive(Debug, Args)]
#[command(after_help = "\
Times are written in UTC (RFC 3339) and in the chosen zone, side by side; durations in seconds.
By session, rows are written as they arrive, in constant memory. By user, the whole session
is read into memory first, since each user's figures need all of their sessions.
In CSV, a value from the server that a spreadsheet would run as a formula (starting with =, +,
-, @, a tab or a carriage return) gets a leading ' unless --csv-raw is given.")]
pub(crate) struct ExportArgs {
    /// The call, as TYPE:ID (e.g. default:townhall-2026)
    #[arg(value_name = "TYPE:ID")]
    pub(crate) call: CallRef,
    /// The call session id [default: the call's current session, as `watch` opens it;
    /// `headcount sessions TYPE:ID` lists them]
    #[arg(long, value_name = "ID")]
    pub(crate) session: Option<String>,
    /// Export only the sessions matching this filter (same language as the dashboard)
    #[arg(long, value_name = "EXPR")]
    pub(crate) filter: Option<String>,
    /// How to write the records
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub(crate) format: ExportFormat,
    /// One record per participant session, or one per user with their attendance figures
    /// (reads the whole session into memory first)
    #[arg(long, value_enum, default_value_t = Grouping::Session)]
    pub(crate) by: Grouping,
    /// Write to FILE, replacing it only once the export is complete (a new file is private to
    /// you; a FIFO or device is written as records come) [default: stdout; `-` is stdout too]
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// In CSV, write the server's values exactly, even those a spreadsheet would run as a
    /// formula
    #[arg(long)]
    pub(crate) csv_raw: bool,
    /// With --by user: add each user's member fields and state (`member`, `member_role`,
    /// `state`, `ring`, `expected_attendance_percent`), reading the call's members too
    #[arg(long)]
    pub(crate) with_roster: bool,
    /// Time zone of the second time column: `local`, `UTC` or an IANA name
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    pub(crate) tz: Option<String>,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
}

/// What one record stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Grouping {
    /// One record per participant session, with every field the API gives
    Session,
    /// One record per user, with the per-user attendance figures
    User,
}

/// What an export wrote, not yet committed, and how complete its read was.
struct Exported {
    output: Output,
    written: u64,
    /// What was written: records, or pages.
    unit: &'static str,
    completeness: Completeness,
    /// Sessions written to standard output before a changed copy of them arrived.
    uncorrected: u64,
}

/// What every export needs, resolved before the first request.
struct Plan<'a> {
    reader: SessionReader<'a>,
    /// `--with-roster`: the members are read too, and each user's state added.
    with_roster: bool,
    format: ExportFormat,
    csv_cells: CsvCells,
}

pub(crate) fn run(args: ExportArgs) -> anyhow::Result<()> {
    let outcome = super::block_on(export(&args));
    quiet_on_closed_pipe(outcome)
}

/// `headcount export … | head` closes stdout early: that is the reader's choice, not a failure,
/// and the export ends quietly with status 0, as `cat` does when SIGPIPE is ignored.
fn quiet_on_closed_pipe(outcome: anyhow::Result<()>) -> anyhow::Result<()> {
    match outcome {
        Err(err) if err.chain().any(is_broken_pipe) => Ok(()),
        other => other,
    }
}

/// Whether `error` is, or wraps, a write to a closed pipe. The CSV and JSON writers wrap the
/// I/O error in their own (and `csv` turns it into an `io::Error` of another kind), so each
/// layer is looked into.
fn is_broken_pipe(error: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(io_error) = error.downcast_ref::<io::Error>() {
        return io_error.kind() == io::ErrorKind::BrokenPipe
            || io_error
                .get_ref()
                .is_some_and(|inner| is_broken_pipe(inner));
    }
    if let Some(csv_error) = error.downcast_ref::<csv::Error>() {
        return matches!(csv_error.kind(), csv::ErrorKind::Io(inner) if is_broken_pipe(inner));
    }
    if let Some(json_error) = error.downcast_ref::<serde_json::Error>() {
        return json_error.io_error_kind() == Some(io::ErrorKind::BrokenPipe);
    }
    error.source().is_some_and(is_broken_pipe)
}

async fn export(args: &ExportArgs) -> anyhow::Result<()> {
    let opening = Opening::load(&Overrides {
        tz: args.tz.clone(),
        ..args.connection.overrides()
    })?;
    // Checked before any request or file: a typo should cost nothing and leave nothing.
    let filter = opening.filter(args.filter.as_deref())?;
    if args.format == ExportFormat::Pages {
        pages_usage(args, filter.first())?;
    }
    if args.with_roster {
        if args.by != Grouping::User {
            return Err(UsageError(
                "--with-roster adds member and state fields to each user: use it with --by user"
                    .to_owned(),
            )
            .into());
        }
        refuse_filter(args.filter.as_deref())?;
    }
    let connection = opening.connect_telling()?;
    let session = resolve_session(&connection.0, &args.call, args.session.as_deref()).await?;
    let target = SessionTarget {
        call: &args.call,
        session: &session,
    };
    let reader = opening.reader(connection, target, filter);
    // Before the signals are caught: opening a FIFO waits for its reader, and Ctrl-C must
    // still end that wait.
    let destination = args.output.as_deref().map(Destination::of).transpose()?;
    let plan = Plan {
        reader,
        with_roster: args.with_roster,
        format: args.format,
        csv_cells: if args.csv_raw {
            CsvCells::Raw
        } else {
            CsvCells::Neutralised
        },
    };
    // Interrupted, the export is dropped, and its temporary file with it.
    let exported = or_interrupted(async {
        let output = match destination {
            Some(destination) => Output::to(destination)?,
            None => Output::stdout(),
        };
        match (args.format, args.by) {
            (ExportFormat::Pages, _) => as_pages(plan, output).await,
            (_, Grouping::Session) => by_session(plan, output).await,
            (_, Grouping::User) => by_user(plan, output).await,
        }
    })
    .await?;
    if let Some(shortfall) = exported.completeness.shortfall() {
        match &args.output {
            // Dropping the uncommitted file removes it; an existing file stays as it was.
            Some(path) if exported.output.is_replaced_file() => {
                say(&format!("nothing written to {}", path.display()));
            }
            // Standard output or a FIFO: what was written stays written.
            _ => exported.output.commit()?,
        }
        return Err(IncompleteData::Read(shortfall).into());
    }
    exported.output.commit()?;
    if exported.uncorrected > 0 {
        return Err(IncompleteData::ChangedAfterWriting {
            sessions: exported.uncorrected,
        }
        .into());
    }
    // Standard output needs no receipt: the records are there, as without `-o`.
    if let Some(path) = args
        .output
        .as_deref()
        .filter(|path| *path != Path::new("-"))
    {
        say(&format!(
            "wrote {} {} to {}",
            exported.written,
            exported.unit,
            path.display()
        ));
    }
    finish_read(exported.completeness)
}

/// A line on stderr. Reporting is all that is left: a stderr gone meanwhile changes nothing.
fn say(text: &str) {
    let _ = writeln!(io::stderr(), "{}", terminal_safe(text));
}

/// One record per matching session, written page by page, each session once.
async fn by_session(plan: Plan<'_>, output: Output) -> anyhow::Result<Exported> {
    let headers = session_headers();
    let id_column = headers
        .iter()
        .position(|header| header == "user_session_id")
        .expect("session records carry their id");
    let correctable = output.is_replaced_file();
    let on_terminal = output.is_terminal();
    let records = RecordSink::new(plan.format, plan.csv_cells, headers.clone(), output)
        .on_terminal(on_terminal);
    let mut sink = DedupSink::new(records, correctable);
    let mut progress = Progress::on_stderr(&plan.reader.waits);
    // The local filter, what the session says of each row, and the instant every record
    // describes: the server's present when the first page came, one for the whole file.
    let mut local: Option<(Filter, RowContext, Nanos)> = None;
    let reader = &plan.reader;
    let mut skipped = 0;
    let (completeness, _) = reader
        .pages(async |mut read| {
            let rows = read.page.rows();
            // The rows as the read decoded them, borrowed from the page's bytes.
            let page = match read.page.decoded() {
                Ok(page) => page,
                Err(error) => {
                    skipped += rows as u64;
                    say_skipped(read.page_no, rows, error);
                    return Ok(());
                }
            };
            let new = read.news.rows.iter();
            progress.page(
                new.filter(|news| matches!(news, RowNews::New(_))).count(),
                page.total_participant_sessions,
            );
            let (filter, context, now) = match &local {
                Some(known) => known,
                None => {
                    let now = reader.client.present();
                    let heads = reader.heads(page).await?;
                    // The filter's times and each row's judgement from the same facts as `totals`.
                    let filter = reader.filter.in_window_of(&reader.zone, &heads, now)?;
                    local.insert((filter, heads.row_context(now), now))
                }
            };
            let now = *now;
            for (details, news) in page.participants_sessions.iter().zip(&read.news.rows) {
                let row = SessionRow { details, context };
                let record = filter
                    .matches_local(&row, now)
                    .then(|| session_record(&reader.zone, &row, row.problems(), now));
                sink.offer(*news, details.user_session_id(), record);
            }
            sink.end_page()?;
            Ok(())
        })
        .await?;
    drop(progress);
    let (records, late) = sink.finish()?;
    let completeness = completeness.with_unreadable(skipped, records.written());
    let mut written = records.written();
    let mut output = records.finish()?;
    let mut uncorrected = 0;
    match late {
        LateChanges::Corrected(corrections) if !corrections.is_empty() => {
            output = output.rewrite(|from, to| {
                written = rewrite::rewrite(
                    plan.format,
                    plan.csv_cells,
                    &headers,
                    id_column,
                    &corrections,
                    from,
                    to,
                )?;
                Ok(())
            })?;
        }
        LateChanges::Corrected(_) => {}
        LateChanges::Uncorrected(count) => uncorrected = count,
    }
    Ok(Exported {
        output,
        written,
        unit: "records",
        completeness,
        uncorrected,
    })
}

/// Pages are what Stream sent: nothing headcount does to rows can apply to them.
fn pages_usage(args: &ExportArgs, filter: &Filter) -> Result<(), UsageError> {
    if args.by == Grouping::User {
        return Err(UsageError(
            "--format pages records the pages Stream sent: it cannot be grouped --by user"
                .to_owned(),
        ));
    }
    match filter.local_description() {
        Some(local) => Err(UsageError(format!(
            "--format pages records the pages Stream sent, so only a filter Stream applies can \
             be used; this one is also applied by headcount ({local})"
        ))),
        None => Ok(()),
    }
}

/// The pages as Stream sent them, in the file `headcount sim --from` serves.
async fn as_pages(plan: Plan<'_>, output: Output) -> anyhow::Result<Exported> {
    let reader = &plan.reader;
    let client = &reader.client;
    let server = reader.filter.server_json();
    let target = reader.target;
    let call = target.call;
    let parts = client.filter_parts(
        &call.call_type,
        &call.id,
        target.session,
        MAX_PAGE_SIZE,
        server.clone(),
    )?;
    if parts.len() > 1 {
        return Err(UsageError(
            "--format pages records one request's pages: this filter is too long for one \
             request URL"
                .to_owned(),
        )
        .into());
    }
    // The call is part of the record when it can be read; the pages are what matter.
    let recorded_call = client
        .get_call_json(&call.call_type, &call.id)
        .await
        .ok()
        .and_then(|found| found.body.get("call").cloned());
    let header = PagesHeader {
        call_type: &call.call_type,
        call_id: &call.id,
        call_session_id: target.session,
        filter_conditions: server.as_ref(),
        call: recorded_call,
    };
    let mut writer = PagesWriter::new(output, header)?;
    let mut progress = Progress::on_stderr(&reader.waits);
    let mut totals = ServerTotals::default();
    let (completeness, _) = reader
        .pages(async |read| {
            progress.page(read.page.rows(), read.news.totals.participant_sessions);
            writer.page(read.cursor.as_deref(), read.page.bytes())?;
            totals = read.news.totals;
            Ok(())
        })
        .await?;
    drop(progress);
    let (output, pages) = writer.finish(totals)?;
    Ok(Exported {
        output,
        written: pages,
        unit: "pages",
        completeness,
        uncorrected: 0,
    })
}

/// One record per user with matching rows, from the attendance engine.
async fn by_user(plan: Plan<'_>, output: Output) -> anyhow::Result<Exported> {
    let reader = &plan.reader;
    let mut progress = Progress::on_stderr(&reader.waits);
    let (matching, invited) = tokio::join!(
        reader.read_matching(|rows, total| progress.page(rows, total)),
        async {
            if plan.with_roster {
                Invited::read(&reader.client, reader.target.call)
                    .await
                    .map(Some)
            } else {
                Ok(None)
            }
        }
    );
    let Matching {
        store,
        completeness,
        rows,
        now,
        ..
    } = matching?;
    let invited = invited?;
    drop(progress);
    let rules = roster_rules(&reader.settings);
    let figures = Figures::compute(&store, &rows, now, &rules.thresholds);
    let expected = invited.as_ref().map(Invited::expected).unwrap_or_default();
    let roster = match &invited {
        Some(invited) => Some(invited.classify(
            &expected,
            reader.target.session,
            &store,
            &figures.users,
            completeness,
            rules,
            now,
        )?),
        None => None,
    };
    let fields = roster
        .as_ref()
        .zip(invited.as_ref())
        .map(|(roster, invited)| {
            UserFields::new(roster, &store, &invited.members.members, &reader.zone)
        });
    let mut headers = user_headers();
    if fields.is_some() {
        headers.extend(user_field_headers());
    }
    let window = store.window(now);
    let by_user = UserRows::group(&store, &rows);
    let on_terminal = output.is_terminal();
    let mut sink =
        RecordSink::new(plan.format, plan.csv_cells, headers, output).on_terminal(on_terminal);
    for user in figures.users.iter() {
        let mut record = user_record(&UserLine {
            figures: user,
            store: &store,
            rows: by_user.of(user.user),
            zone: &reader.zone,
            window,
            now,
        });
        if let Some(fields) = &fields {
            record.extend(fields.of(store.user_name(user.user)));
        }
        sink.write(&record)?;
    }
    // Members who never joined have no sessions to measure, but they are the people the
    // roster is for: each gets a record, with zero attended and their state.
    if let Some(fields) = &fields {
        let headers = user_headers();
        for (user_id, roster_cells) in fields.never_joined() {
            let mut record: Vec<Cell> = headers
                .iter()
                .map(|header| match header.as_str() {
                    "user_id" => Cell::Server(user_id.to_owned()),
                    "sessions" | "attended_seconds" | "connected_seconds" => Cell::Int(0),
                    _ => Cell::Empty,
                })
                .collect();
            record.extend(roster_cells);
            sink.write(&record)?;
        }
    }
    let written = sink.written();
    Ok(Exported {
        output: sink.finish()?,
        written,
        unit: "records",
        completeness,
        uncorrected: 0,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reader_closing_the_pipe_is_not_a_failure() {
        let closed = io::Error::from(io::ErrorKind::BrokenPipe);
        let err = anyhow::Error::from(closed).context("writing the records");
        assert!(quiet_on_closed_pipe(Err(err)).is_ok());
        // As the CSV writer hands it back: an `io::Error` of another kind around its own.
        let mut csv = csv::Writer::from_writer(Closed);
        let csv_error = csv
            .write_record(["a"])
            .and_then(|()| csv.flush().map_err(Into::into));
        let wrapped = io::Error::from(csv_error.unwrap_err());
        assert_ne!(wrapped.kind(), io::ErrorKind::BrokenPipe);
        assert!(quiet_on_closed_pipe(Err(wrapped.into())).is_ok());
        let json_error = serde_json::to_writer(Closed, &[1]).unwrap_err();
        assert!(quiet_on_closed_pipe(Err(io::Error::from(json_error).into())).is_ok());
        let full = anyhow::Error::from(io::Error::from(io::ErrorKind::StorageFull));
        assert!(quiet_on_closed_pipe(Err(full)).is_err());
    }

    /// A pipe whose reader is gone.
    struct Closed;

    impl Write for Closed {
        fn write(&mut self, _: &[u8]) -> io::Result<usize> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
        fn flush(&mut self) -> io::Result<()> {
            Err(io::ErrorKind::BrokenPipe.into())
        }
    }
}
