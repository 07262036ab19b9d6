//! `headcount roster`: who was expected in a call session and how each person fared, from the
//! call's members (`QueryCallMembers`), its ring outcomes and creator (`GetCall`) and every
//! participant session, classified by the attendance engine ([`crate::attendance::classify`]).
//!
//! One opening, one output: the settings, the client and the session's pages come from
//! [`Opening`] as for `totals` and `export`, the members are read alongside the pages, and
//! the roster is printed as a table, one JSON object or CSV. A read that cannot be classified
//! (incomplete, or no start to measure from) prints no roster: it says why and exits as the
//! complete reads do (8 for an incomplete read). `--fail-on` turns states into exit status 9.

pub(crate) mod output;

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, ValueEnum};

use super::call_ref::CallRef;
use super::config::values::parse_tz;
use super::config::{ConnectionArgs, Overrides};
use super::exit::UsageError;
use super::export::output::{Destination, Output};
use super::session_read::{
    IncompleteData, Matching, Opening, SessionReader, SessionTarget, finish_read, roster_rules,
    session_or_current,
};
use crate::api::StreamClient;
use crate::api::members::{Member, MembersRead, read_members};
use crate::api::models::Call;
use crate::api::timestamp::Nanos;
use crate::attendance::{
    Classification, CsvCells, DisplayZone, ExpectedMember, Figures, ReadFacts, RingKnowledge,
    Roster, RosterInput, RosterRules, SessionStore, State, Unclassifiable, UserFigures, classify,
};
use crate::fetch::{Completeness, Invited};

/// Options of `headcount roster`.
#[derive(Debug, Args)]
#[command(after_help = "\
States: present, partial, absent, rejected, missed, not-member (attended, not a member),
unknown (details purged). The rules are in docs/attendance-definitions.md; the present
threshold and the grace periods come from the config file.
Exit status 9: someone is in a --fail-on state (on a live call too: the states are then
provisional, and stderr says so).")]
pub(crate) struct RosterArgs {
    /// The call, as TYPE:ID (e.g. default:townhall-2026)
    #[arg(value_name = "TYPE:ID")]
    pub(crate) call: CallRef,
    /// The call session id [default: the call's current session]
    #[arg(long, value_name = "ID")]
    pub(crate) session: Option<String>,
    /// How to print the roster
    #[arg(long, value_enum, default_value_t = RosterFormat::Table)]
    pub(crate) format: RosterFormat,
    /// List only the people in these states (comma-separated); the counts stay whole
    #[arg(long, value_name = "STATES", value_delimiter = ',', value_parser = parse_state)]
    pub(crate) state: Vec<State>,
    /// Exit with status 9 when anyone is in one of these states (comma-separated)
    #[arg(long, value_name = "STATES", value_delimiter = ',', value_parser = parse_state)]
    pub(crate) fail_on: Vec<State>,
    /// Who did not come can only be told from every session: any filter is refused
    #[arg(long, value_name = "EXPR", hide = true)]
    pub(crate) filter: Option<String>,
    /// Write to FILE, replacing it only once complete [default: stdout; `-` is stdout too]
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub(crate) output: Option<PathBuf>,
    /// In CSV, write the server's values exactly, even those a spreadsheet would run as a
    /// formula
    #[arg(long)]
    pub(crate) csv_raw: bool,
    /// Time zone of the times shown in the table: `local`, `UTC` or an IANA name
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    pub(crate) tz: Option<String>,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
}

/// The output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum RosterFormat {
    /// One line per person, for people
    Table,
    /// One JSON object for scripts
    Json,
    /// One record per person, with a header row
    Csv,
}

/// A state as `--state` and `--fail-on` spell it: its [`State::name`].
fn parse_state(text: &str) -> Result<State, String> {
    let wanted = text.trim().replace('_', "-");
    State::ALL
        .into_iter()
        .find(|state| state.name() == wanted)
        .ok_or_else(|| {
            let names: Vec<&str> = State::ALL.iter().map(|state| state.name()).collect();
            format!("unknown state; the states are {}", names.join(", "))
        })
}

/// People in a `--fail-on` state: the roster was printed, and the command exits with status 9.
#[derive(Debug, thiserror::Error)]
#[error("{found}{provisional}")]
pub(crate) struct StatesFound {
    found: String,
    provisional: &'static str,
}

/// Reads the roster of the session and prints it.
pub(crate) fn run(args: RosterArgs) -> anyhow::Result<()> {
    super::block_on(roster(args))
}

async fn roster(args: RosterArgs) -> anyhow::Result<()> {
    let opening = Opening::load(&Overrides {
        tz: args.tz.clone(),
        ..args.connection.overrides()
    })?;
    // Checked before any request: a typo, or a question the roster cannot answer, should
    // cost nothing.
    let filter = opening.filter(args.filter.as_deref())?;
    refuse_filter(args.filter.as_deref())?;
    let destination = args.output.as_deref().map(Destination::of).transpose()?;
    let (client, waits) = opening.connect_telling()?;
    let call = get_call(&client, &args.call).await?;
    let session = session_or_current(args.session.as_deref(), &args.call, &call)?;
    let reader = SessionReader {
        settings: opening.settings,
        zone: opening.zone,
        filter,
        client,
        waits,
        target: SessionTarget {
            call: &args.call,
            session: &session,
        },
    };
    let (matching, members) = tokio::join!(
        reader.read_matching(|_, _| {}),
        read_call_members(&reader.client, &args.call),
    );
    let Matching {
        store,
        completeness,
        now,
        rows,
        ..
    } = matching?;
    let invited = Invited {
        call,
        members: members?.into(),
    };
    let rules = roster_rules(&reader.settings);
    let figures = Figures::compute(&store, &rows, now, &rules.thresholds);
    let expected = invited.expected();
    let roster = invited.classify(
        &expected,
        &session,
        &store,
        &figures.users,
        completeness,
        rules,
        now,
    )?;
    let printed = output::Printed {
        call: &invited.call,
        session: &session,
        roster: &roster,
        store: &store,
        members: &invited.members.members,
        window: store.window(now),
        zone: &reader.zone,
        shown: &args.state,
    };
    let output = match destination {
        Some(destination) => Output::to(destination)?,
        None => Output::stdout(),
    };
    let cells = if args.csv_raw {
        CsvCells::Raw
    } else {
        CsvCells::Neutralised
    };
    printed.write(args.format, cells, output)?;
    finish_read(completeness)?;
    fail_on(
        &roster,
        &store,
        &invited.members.members,
        &reader.zone,
        &args.fail_on,
    )
}

/// Who did not come can only be told from every session: a filter is refused before any
/// request, by `roster` and by `--with-roster`.
pub(crate) fn refuse_filter(filter: Option<&str>) -> Result<(), UsageError> {
    match filter.filter(|text| !text.trim().is_empty()) {
        Some(text) => Err(UsageError(format!(
            "cannot classify, because {}",
            Unclassifiable::Filtered(text.to_owned())
        ))),
        None => Ok(()),
    }
}

async fn get_call(client: &StreamClient, call: &CallRef) -> anyhow::Result<Call> {
    Ok(client
        .get_call(&call.call_type, &call.id)
        .await
        .with_context(|| format!("reading the call {call}"))?
        .body
        .call)
}

async fn read_call_members(client: &StreamClient, call: &CallRef) -> anyhow::Result<MembersRead> {
    read_members(client, &call.call_type, &call.id)
        .await
        .with_context(|| format!("reading the members of {call}"))
}

impl Invited {
    /// Reads the call and its members at once.
    pub(crate) async fn read(client: &StreamClient, call: &CallRef) -> anyhow::Result<Invited> {
        let (found, members) =
            tokio::join!(get_call(client, call), read_call_members(client, call));
        Ok(Invited {
            call: found?,
            members: members?.into(),
        })
    }

    /// The roster of `session` read into `store` with `completeness`, `figures` being the
    /// per-user figures of every row with `rules.thresholds`; a read that cannot be
    /// classified is an error saying why (status 8 when a read was incomplete).
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn classify<'a>(
        &'a self,
        expected: &'a [ExpectedMember<'a>],
        session: &str,
        store: &'a SessionStore,
        figures: &Arc<Vec<UserFigures>>,
        completeness: Completeness,
        rules: RosterRules,
        now: Nanos,
    ) -> anyhow::Result<Roster> {
        let input = RosterInput {
            members: expected,
            ring: RingKnowledge::of(&self.call, session),
            created_by: self.call.created_by.as_ref().map(|c| c.id.as_str()),
            read: ReadFacts {
                sessions_shortfall: completeness.shortfall().map(|s| s.to_string()),
                members_shortfall: self.members.shortfall(),
                filter: None,
            },
            rules,
        };
        match classify(&input, store, figures, now) {
            Classification::Classified(roster) => Ok(*roster),
            Classification::Unclassified(reasons) => Err(cannot_classify(
                &reasons,
                completeness,
                self.members.shortfall(),
            )),
        }
    }
}

/// Why the roster cannot be told, as an error with the exit status of its cause: an
/// incomplete read of the sessions or of the members exits 8.
fn cannot_classify(
    reasons: &[Unclassifiable],
    completeness: Completeness,
    members_shortfall: Option<String>,
) -> anyhow::Error {
    let said: Vec<String> = reasons.iter().map(ToString::to_string).collect();
    let context = format!("cannot classify, because {}", said.join("; and "));
    if let Some(shortfall) = completeness.shortfall() {
        return anyhow::Error::from(IncompleteData::Read(shortfall)).context(context);
    }
    if let Some(shortfall) = members_shortfall {
        return anyhow::Error::from(IncompleteData::Members(shortfall)).context(context);
    }
    anyhow::anyhow!(context)
}

/// Status 9 when anyone is in a `--fail-on` state, naming them (the first 10) by state.
fn fail_on(
    roster: &Roster,
    store: &SessionStore,
    members: &[Member],
    zone: &DisplayZone,
    states: &[State],
) -> anyhow::Result<()> {
    if states.is_empty() {
        return Ok(());
    }
    let people = output::sorted(roster, store, members, zone);
    let mut parts = Vec::new();
    let mut named = Vec::new();
    for state in State::ALL {
        if !states.contains(&state) {
            continue;
        }
        let count = roster.counts.of(state);
        if count > 0 {
            parts.push(format!("{count} {}", state.label()));
        }
        named.extend(
            people
                .iter()
                .filter(|line| line.person.state == state)
                .map(|line| line.person.user_id),
        );
    }
    if parts.is_empty() {
        return Ok(());
    }
    let more = named.len().saturating_sub(10);
    named.truncate(10);
    let mut found = format!("--fail-on: {} ({}", parts.join(", "), named.join(", "));
    if more > 0 {
        found.push_str(&format!(" and {more} more"));
    }
    found.push(')');
    Err(StatesFound {
        found,
        provisional: if roster.provisional {
            "; the call is live: these states are provisional"
        } else {
            ""
        },
    }
    .into())
}
