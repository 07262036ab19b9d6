//! Opening a call session from the command line, once for every command that reads one
//! (`totals`, `export`, `sessions`, `watch`): the settings and the display zone
//! ([`Opening`]), the `--filter` with its caret error and its second reading once the call
//! window is known ([`SessionFilter`]), the client, and the read of every page
//! ([`crate::fetch::SessionRead`]) with its verdict on what came back ([`SessionReader`]).

use std::io::Write;
use std::time::Duration;

use anyhow::Context;
use serde_json::Value;

use super::call_ref::CallRef;
use super::config::duration::parse_duration;
use super::config::{ConfigError, Overrides, Settings, load};
use super::waits::Waits;
use crate::api::models::Call;
use crate::api::timestamp::{Nanos, unix_now};
use crate::api::{ApiError, DEFAULT_TIMEOUT, ParticipantSessionsPageRef, StreamClient};
use crate::attendance::{
    DisplayZone, EndReports, RosterRules, RowId, RowsSeen, SessionStore, Thresholds,
    current_session_id, keep_local_matches,
};
use crate::fetch::{
    Completeness, DEFAULT_READY_WAIT, ReadOptions, ReadPage, ReadStep, ReadTarget, SessionRead,
    Shortfall, learn_end,
};
use crate::filter::{Filter, ParseContext, ParseError, parse};
use crate::ui::safe_text::terminal_safe;

/// How long one request may take before it is given up and retried; 30 s when unset.
pub(crate) const ENV_TIMEOUT: &str = "HEADCOUNT_TIMEOUT";
/// How long to wait for Stream to prepare a session that just ended; 60 s when unset.
pub(crate) const ENV_READY_WAIT: &str = "HEADCOUNT_READY_WAIT";

/// Output that is not exact: rows are missing or doubled. The command printed what it could
/// (a file is not written) and exits with status 8.
#[derive(Debug, thiserror::Error)]
pub(crate) enum IncompleteData {
    /// The read could not get every row, or got more than the session has.
    #[error("incomplete data: {0}")]
    Read(Shortfall),
    /// A later copy of rows already written to standard output arrived.
    #[error(
        "incomplete data: {sessions} sessions came back changed after they were written to \
         standard output, which cannot take them back; export with -o FILE to get the later \
         copies"
    )]
    ChangedAfterWriting { sessions: u64 },
    /// Stream's list of a call's members stopped before its end.
    #[error("incomplete data: the call's members were not all read: {0}")]
    Members(String),
    /// Stream's list of a call's sessions stopped before its end.
    #[error(
        "incomplete data: the list of sessions stopped early: {reason}; {listed} sessions listed"
    )]
    Listing {
        reason: crate::api::StopReason,
        listed: usize,
    },
}

/// A filter the language refuses, shown as the filter with a caret under the fault. The
/// [`ParseError`] is not a `source`: its message is already on the caret line.
#[derive(Debug, thiserror::Error)]
#[error("malformed --filter at character {column}:\n{rendered}")]
pub(crate) struct InvalidFilter {
    /// 1-based, in characters, as editors count.
    column: usize,
    rendered: String,
    error: ParseError,
}

impl InvalidFilter {}

/// The call session a command reads.
#[derive(Debug, Clone, Copy)]
pub(crate) struct SessionTarget<'a> {
    pub(crate) call: &'a CallRef,
    pub(crate) session: &'a str,
}

impl SessionTarget<'_> {
    /// The context of an error met while reading it.
    fn reading(&self) -> String {
        format!("reading {} session {}", self.call, self.session)
    }

    /// An error of the read, with its context; Stream's "not found" names `headcount
    /// sessions`, which lists the sessions there are.
    fn not_found(&self, error: ApiError) -> anyhow::Error {
        if error.kind() == crate::api::ErrorKind::NotFound {
            anyhow::Error::from(NoSuchSession {
                what: error.to_string(),
                call: self.call.to_string(),
                source: Some(error),
            })
            .context(self.reading())
        } else {
            anyhow::Error::from(error).context(self.reading())
        }
    }

    fn read_target(&self) -> ReadTarget {
        ReadTarget {
            call_type: self.call.call_type.clone(),
            call_id: self.call.id.clone(),
            session: self.session.to_owned(),
        }
    }
}

/// A session Stream does not know, or a call that has none: the command says how to list the
/// call's sessions. The exit status is the cause's (4 for Stream's "not found").
#[derive(Debug, thiserror::Error)]
#[error("{what}; `headcount sessions {call}` lists the call's sessions")]
pub(crate) struct NoSuchSession {
    what: String,
    call: String,
    #[source]
    source: Option<ApiError>,
}

/// The session `--session` names, or else the call's current one (`call.session.id`), as
/// every command that reads a session opens it (`watch`, `totals`, `export`, `roster`); an
/// error naming `headcount sessions` when the call has none.
pub(crate) fn session_or_current(
    given: Option<&str>,
    call_ref: &CallRef,
    call: &Call,
) -> Result<String, NoSuchSession> {
    match given {
        Some(session) => Ok(session.to_owned()),
        None => current_session_id(call)
            .map(str::to_owned)
            .ok_or_else(|| NoSuchSession {
                what: format!("the call {call_ref} has no session yet: nobody has joined it"),
                call: call_ref.to_string(),
                source: None,
            }),
    }
}

/// [`session_or_current`], reading the call (GetCall) only when `--session` is not given.
pub(crate) async fn resolve_session(
    client: &StreamClient,
    call_ref: &CallRef,
    given: Option<&str>,
) -> anyhow::Result<String> {
    if let Some(session) = given {
        return Ok(session.to_owned());
    }
    let call = client
        .get_call(&call_ref.call_type, &call_ref.id)
        .await
        .with_context(|| format!("reading the call {call_ref}"))?
        .body
        .call;
    Ok(session_or_current(None, call_ref, &call)?)
}

/// What every command that talks to Stream resolves first: the settings (flag > env > file >
/// default) and the zone times are shown in.
pub(crate) struct Opening {
    pub(crate) settings: Settings,
    pub(crate) zone: DisplayZone,
}

impl Opening {
    /// Loads the settings with the command's `overrides` and reads their zone.
    pub(crate) fn load(overrides: &Overrides) -> anyhow::Result<Self> {
        let settings = load(overrides)?;
        let zone = DisplayZone::parse(&settings.tz)?;
        Ok(Self { settings, zone })
    }

    /// Reads `--filter` (none: every row) before anything is known of the call: for its
    /// syntax, and for the server part, which no time changes (see
    /// [`ParseContext::provisional`]). Called before any request: a typo should cost nothing.
    pub(crate) fn filter(&self, text: Option<&str>) -> Result<SessionFilter, InvalidFilter> {
        let text = text.unwrap_or("").to_owned();
        let first = parse_with(
            &text,
            &ParseContext::provisional(self.zone.tz().clone(), unix_now()),
        )?;
        Ok(SessionFilter { text, first })
    }

    /// A client for the configured account; each request may take `HEADCOUNT_TIMEOUT`.
    pub(crate) fn connect(&self) -> anyhow::Result<StreamClient> {
        connect(&self.settings)
    }

    /// A client whose waits (a rate limit, a retry, an answer that does not come) are told
    /// on stderr, for a command that prints its output there (not the dashboard): the
    /// [`Waits`] must live as long as the reading.
    pub(crate) fn connect_telling(&self) -> anyhow::Result<(StreamClient, Waits)> {
        let waits = Waits::on_stderr(&self.zone, request_timeout()?);
        Ok((waits.observe(&self.connect()?), waits))
    }

    /// The reader of `target`'s pages with `filter` through a client that tells its waits on
    /// stderr ([`Opening::connect_telling`]), which may have found the session first
    /// ([`resolve_session`]).
    pub(crate) fn reader(
        self,
        (client, waits): (StreamClient, Waits),
        target: SessionTarget<'_>,
        filter: SessionFilter,
    ) -> SessionReader<'_> {
        SessionReader {
            settings: self.settings,
            zone: self.zone,
            filter,
            client,
            waits,
            target,
        }
    }
}

/// `--filter` as typed and as first read, before the call window is known.
#[derive(Debug, Clone)]
pub(crate) struct SessionFilter {
    text: String,
    first: Filter,
}

impl SessionFilter {
    /// The filter as first read: its server part is final, its local part may change with
    /// the call window (see [`Self::in_window_of`]).
    pub(crate) fn first(&self) -> &Filter {
        &self.first
    }

    /// The `filter_conditions` Stream applies.
    pub(crate) fn server_json(&self) -> Option<Value> {
        self.first.server_json()
    }

    /// Times in a filter (`joined>10:30`) are found in the call window, known only once the
    /// rows are in; the server part does not depend on it, so only the local part needs this
    /// second reading. `store` may be the whole read's or one that states the same facts
    /// (see [`SessionReader::heads`]).
    pub(crate) fn in_window_of(
        &self,
        zone: &DisplayZone,
        store: &SessionStore,
        now: Nanos,
    ) -> Result<Filter, InvalidFilter> {
        match store.time_window(now) {
            Some(window) => parse_with(
                &self.text,
                &ParseContext::in_window(zone.tz().clone(), window),
            ),
            None => Ok(self.first.clone()),
        }
    }
}

fn parse_with(text: &str, ctx: &ParseContext) -> Result<Filter, InvalidFilter> {
    parse(text, ctx).map_err(|error| InvalidFilter {
        column: error.column(text) + 1,
        rendered: error.render(text),
        error,
    })
}

/// One call session opened for reading: what every output of it starts from.
pub(crate) struct SessionReader<'a> {
    pub(crate) settings: Settings,
    pub(crate) zone: DisplayZone,
    pub(crate) filter: SessionFilter,
    pub(crate) client: StreamClient,
    /// Where the client's waits are told (see [`Opening::connect_telling`]).
    pub(crate) waits: Waits,
    pub(crate) target: SessionTarget<'a>,
}

/// A whole session read into a store, with the local filter read in its window and the rows
/// it keeps, all at the server's present when the read ended.
pub(crate) struct Matching {
    pub(crate) store: SessionStore,
    pub(crate) completeness: Completeness,
    pub(crate) filter: Filter,
    /// The rows the whole filter keeps, in the store's order.
    pub(crate) rows: Vec<RowId>,
    /// The server's present (see `ServerClock`): a live session is described at it.
    pub(crate) now: Nanos,
}

impl SessionReader<'_> {
    /// Every page, with the server part of the filter (see [`for_each_page`]).
    pub(crate) async fn pages(
        &self,
        on_page: impl AsyncFnMut(ReadPage) -> anyhow::Result<()>,
    ) -> anyhow::Result<(Completeness, EndReports)> {
        for_each_page(
            &self.client,
            &self.waits,
            self.target,
            self.filter.server_json(),
            on_page,
        )
        .await
    }

    /// What the session states before its first row is judged (see [`session_heads`]).
    pub(crate) async fn heads(
        &self,
        first_page: &ParticipantSessionsPageRef<'_>,
    ) -> anyhow::Result<SessionStore> {
        session_heads(
            &self.client,
            &self.waits,
            self.target,
            first_page,
            self.filter.server_json(),
        )
        .await
    }

    /// The whole session in a store and the rows the filter keeps, the filter's times found
    /// in the call window. `on_page` hears of each page's row count and the session's total.
    pub(crate) async fn read_matching(
        &self,
        on_page: impl FnMut(usize, Option<i64>),
    ) -> anyhow::Result<Matching> {
        let (store, completeness) = read_store(
            &self.client,
            &self.waits,
            self.target,
            self.filter.server_json(),
            on_page,
        )
        .await?;
        // A live session is described at the server's present (see `ServerClock`).
        let now = self.client.present();
        let filter = self.filter.in_window_of(&self.zone, &store, now)?;
        let rows = keep_local_matches(&store, store.row_ids(), &filter, now);
        Ok(Matching {
            store,
            completeness,
            filter,
            rows,
            now,
        })
    }
}

/// A client for the configured account; each request may take `HEADCOUNT_TIMEOUT`.
fn connect(settings: &Settings) -> anyhow::Result<StreamClient> {
    let timeout = request_timeout()?;
    Ok(StreamClient::builder(
        &settings.base_url,
        &settings.api_key,
        settings.api_secret.expose(),
    )
    .timeout(timeout)
    .build()?)
}

/// How long one request may take: `HEADCOUNT_TIMEOUT`, or the default.
fn request_timeout() -> Result<Duration, ConfigError> {
    Ok(env_duration(ENV_TIMEOUT)?.unwrap_or(DEFAULT_TIMEOUT))
}

/// A duration from the environment, in the config file's spellings (`30`, `90s`, `2m`).
fn env_duration(var: &'static str) -> Result<Option<Duration>, ConfigError> {
    let Some(text) = std::env::var_os(var) else {
        return Ok(None);
    };
    let text = text.to_string_lossy();
    match parse_duration(&text) {
        Ok(duration) if !duration.is_zero() => Ok(Some(duration)),
        Ok(_) => Err(ConfigError::InvalidEnv {
            var,
            message: "it must be at least 1s".to_owned(),
        }),
        Err(message) => Err(ConfigError::InvalidEnv { var, message }),
    }
}

/// The grace periods and reconnect gap of the per-user flags, as configured.
pub(crate) fn thresholds(settings: &Settings) -> Thresholds {
    Thresholds {
        late_grace: nanos(settings.late_grace),
        early_grace: nanos(settings.early_grace),
        reconnect_gap: nanos(settings.reconnect_gap),
    }
}

/// The rules that tell present from partial, as configured.
pub(crate) fn roster_rules(settings: &Settings) -> RosterRules {
    RosterRules {
        thresholds: thresholds(settings),
        present: settings.present_threshold,
    }
}

fn nanos(duration: Duration) -> Nanos {
    Nanos::try_from(duration.as_nanos()).unwrap_or(Nanos::MAX)
}

/// Reads every page of the session, handing each to `on_page` as it arrives (the next one is
/// requested meanwhile), and says whether the read got every row and what `GetCall` and the
/// stats said of the session's end when the pages did not say it ended. Stream still
/// preparing a session that just ended is waited for, with a message on stderr.
async fn for_each_page(
    client: &StreamClient,
    waits: &Waits,
    target: SessionTarget<'_>,
    filter_conditions: Option<Value>,
    mut on_page: impl AsyncFnMut(ReadPage) -> anyhow::Result<()>,
) -> anyhow::Result<(Completeness, EndReports)> {
    let ready_wait = env_duration(ENV_READY_WAIT)?.unwrap_or(DEFAULT_READY_WAIT);
    let options = ReadOptions {
        filter_conditions,
        ready_wait,
        ..ReadOptions::default()
    };
    let mut read = SessionRead::new(client, target.read_target(), options)
        .with_context(|| target.reading())?;
    let mut told = false;
    waits.reading(true);
    while let Some(step) = read.next().await {
        match step.map_err(|error| target.not_found(error))? {
            ReadStep::Page(page) => {
                waits.page_read(page.page_no);
                on_page(*page).await?;
            }
            ReadStep::NotReady { .. } if !told => {
                told = true;
                eprintln!(
                    "Stream is still preparing this session's attendance (it answers \"not \
                     found\" right after a call ends); asking again for up to {} s…",
                    ready_wait.as_secs()
                );
            }
            ReadStep::NotReady { .. } => {}
        }
    }
    waits.reading(false);
    if let Err(error) = read.learn_end().await {
        say_end_unknown(&error);
    }
    let completeness = read
        .completeness(client.present())
        .expect("the read has ended");
    Ok((completeness, read.end_reports().clone()))
}

/// The rows are read; only whether the session ended is unknown, and the figures then take the
/// pages' word for it (the completeness says "provisional" when they say it is live).
fn say_end_unknown(error: &ApiError) {
    eprintln!(
        "note: could not ask Stream whether the session ended ({}); the pages' session object \
         is taken at its word",
        terminal_safe(&error.to_string())
    );
}

/// What a streamed read knows of its session before judging its first row, in a store of no
/// rows that states the same facts (window, whether it ended) as the whole read's store: the
/// first page's head, what `GetCall` and the stats say of the end when the page does not (see
/// [`crate::fetch::learn_end`]), and, when those leave the window to the rows (a session
/// object without times, as an ended call's often is), every row's bounds from a first read
/// that keeps none (see [`crate::attendance::RowsSeen`]), with the same `filter_conditions`.
async fn session_heads(
    client: &StreamClient,
    waits: &Waits,
    target: SessionTarget<'_>,
    first_page: &ParticipantSessionsPageRef<'_>,
    filter_conditions: Option<Value>,
) -> anyhow::Result<SessionStore> {
    let mut reports = EndReports::default();
    let read_target = target.read_target();
    let learned = learn_end(
        client,
        &read_target,
        first_page.session.as_ref(),
        &mut reports,
    );
    if let Err(error) = learned.await {
        say_end_unknown(&error);
    }
    let mut heads = SessionStore::new();
    heads.take_head(first_page)?;
    heads.learn_end(&reports);
    if heads.depends_on_rows() {
        let mut seen = RowsSeen::default();
        let (_, end) = for_each_page(
            client,
            waits,
            target,
            filter_conditions,
            async |mut read| {
                // The rows as the read decoded them. An unreadable page is said, and counted
                // missing, by the read that writes.
                if let Ok(page) = read.page.decoded() {
                    for (details, news) in page.participants_sessions.iter().zip(&read.news.rows) {
                        seen.see(details, *news);
                    }
                }
                Ok(())
            },
        )
        .await?;
        heads.learn_end(&end);
        heads.learn_rows(seen);
    }
    Ok(heads)
}

/// The whole session in a store, for figures that need every row at once, knowing whether
/// the session has ended (see [`for_each_page`]), and whether the read got every row.
/// `on_page` hears of each page's row count and the session's total, for progress.
async fn read_store(
    client: &StreamClient,
    waits: &Waits,
    target: SessionTarget<'_>,
    filter_conditions: Option<Value>,
    mut on_page: impl FnMut(usize, Option<i64>),
) -> anyhow::Result<(SessionStore, Completeness)> {
    let mut store = SessionStore::new();
    let mut skipped = 0;
    let (completeness, end) =
        for_each_page(client, waits, target, filter_conditions, async |read| {
            if let Err(error) = store.ingest_raw(&read.page) {
                // Its rows are missing: said on the way, and in the completeness at the end.
                skipped += read.page.rows() as u64;
                say_skipped(read.page_no, read.page.rows(), &error);
            }
            on_page(read.page.rows(), store.totals().participant_sessions);
            Ok(())
        })
        .await?;
    let completeness = completeness.with_unreadable(skipped, store.len() as u64);
    store.learn_end(&end);
    Ok((store, completeness))
}

/// A page whose rows cannot be read: the read goes on without them, and ends incomplete.
pub(crate) fn say_skipped(page_no: u32, rows: usize, error: &dyn std::fmt::Display) {
    let said = format!("page {page_no} skipped, its {rows} sessions are missing: {error}");
    let _ = writeln!(std::io::stderr(), "{}", terminal_safe(&said));
}

/// The exit of a command that printed its output: status 8 with what is missing when the
/// read was incomplete, a note on stderr when the session expired (only totals remain) or is
/// live (the figures are provisional).
pub(crate) fn finish_read(completeness: Completeness) -> anyhow::Result<()> {
    match completeness {
        Completeness::Complete => Ok(()),
        Completeness::Provisional => {
            eprintln!("note: the session is live: these figures are provisional");
            Ok(())
        }
        Completeness::Expired => {
            eprintln!(
                "note: Stream purged this session's participant sessions 90 days after it \
                 ended: only its totals remain"
            );
            Ok(())
        }
        Completeness::Incomplete(shortfall) => Err(IncompleteData::Read(shortfall).into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::attendance::fixtures::weekly_call;

    #[test]
    fn without_session_the_current_one_is_read_and_none_names_headcount_sessions() {
        let call_ref: CallRef = "default:weekly".parse().unwrap();
        let call = |current: &str| weekly_call(current, None);
        let given = session_or_current(Some("s-0"), &call_ref, &call("s-2")).unwrap();
        assert_eq!(given, "s-0", "--session wins");
        let current = session_or_current(None, &call_ref, &call("s-2")).unwrap();
        assert_eq!(current, "s-2");
        let none = session_or_current(None, &call_ref, &call("")).unwrap_err();
        assert_eq!(
            none.to_string(),
            "the call default:weekly has no session yet: nobody has joined it; \
             `headcount sessions default:weekly` lists the call's sessions"
        );
        let error = anyhow::Error::from(none);
        assert_eq!(super::super::exit::ExitKind::of(&error).code(), 4);
    }

    #[test]
    fn a_malformed_filter_points_at_the_fault_in_characters() {
        let text = "rôle dur>5x";
        let opening = Opening {
            settings: sample_settings(),
            zone: DisplayZone::utc(),
        };
        let err = opening.filter(Some(text)).unwrap_err();
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
        let rules = roster_rules(&Settings {
            present_threshold: crate::attendance::PresentThreshold::parse("90%").unwrap(),
            ..settings
        });
        assert_eq!(
            (rules.thresholds, rules.present.percent()),
            (thresholds, 90.0)
        );
    }

    fn sample_settings() -> Settings {
        use super::super::config::settings::{
            DEFAULT_EARLY_GRACE, DEFAULT_INTERVAL, DEFAULT_LATE_GRACE, DEFAULT_RECONNECT_GAP,
        };
        use super::super::config::values::Theme;
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
            present_threshold: crate::attendance::PresentThreshold::DEFAULT,
            theme: Theme::default(),
            profile: None,
            config_path: None,
        }
    }
}
