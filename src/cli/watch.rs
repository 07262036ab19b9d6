//! `headcount watch TYPE:ID`: the dashboard on a real call.

use std::time::Duration;

use clap::Args;

use super::call_ref::CallRef;
use super::config::duration::parse_interval;
use super::config::values::parse_tz;
use super::config::{ConnectionArgs, Overrides};
use super::session_read::{self, Opening};
use super::waits::Waits;
use super::{dashboard, sessions};
use crate::api::{MAX_PAGE_SIZE, StreamClient};
use crate::app::AppConfig;
use crate::attendance::{DisplayZone, merge_sessions};

/// Options of `headcount watch`.
#[derive(Debug, Args)]
pub(crate) struct WatchArgs {
    /// The call, as TYPE:ID (e.g. default:townhall-2026)
    #[arg(value_name = "TYPE:ID")]
    pub(crate) call: CallRef,
    /// Call session to show [default: the call's only session, else pick one]
    #[arg(long, value_name = "ID")]
    pub(crate) session: Option<String>,
    /// Filter to start with, as typed after `/`
    #[arg(long, value_name = "EXPR")]
    pub(crate) filter: Option<String>,
    /// Seconds between two reads of a live call, 1s to 1h [default: 5, or the config file's]
    #[arg(long, value_name = "SECS", value_parser = parse_interval)]
    pub(crate) interval: Option<Duration>,
    /// Time zone of the times shown: local, UTC or an IANA name [default: local]
    #[arg(long, value_name = "ZONE", value_parser = parse_tz)]
    pub(crate) tz: Option<String>,
    #[command(flatten)]
    pub(crate) connection: ConnectionArgs,
}

impl WatchArgs {
    fn overrides(&self) -> Overrides {
        Overrides {
            tz: self.tz.clone(),
            interval: self.interval,
            ..self.connection.overrides()
        }
    }
}

pub(crate) fn run(args: WatchArgs) -> anyhow::Result<()> {
    let opening = Opening::load(&args.overrides())?;
    super::block_on(watch(args, opening))
}

async fn watch(args: WatchArgs, opening: Opening) -> anyhow::Result<()> {
    let client = opening.connect()?;
    // Before the full screen opens, the waits of reading the call and its sessions are told
    // on stderr; the dashboard tells its own.
    let telling = opening.connect_telling()?;
    let Opening { settings, zone } = opening;
    let color = dashboard::color_from_env(settings.theme);
    let session = match args.session {
        Some(session) => {
            drop(telling);
            session
        }
        None => match choose_session(telling, &args.call, &zone, color).await? {
            Some(session) => session,
            None => return Ok(()),
        },
    };
    let config = AppConfig {
        call_type: args.call.call_type,
        call_id: args.call.id,
        session,
        filter: args.filter,
        zone,
        thresholds: session_read::thresholds(&settings),
        present: settings.present_threshold,
        interval: settings.interval,
        page_size: MAX_PAGE_SIZE,
        color,
        export_dir: dashboard::export_dir(),
    };
    dashboard::run(client, config).await
}

/// The session to open: the call's only session directly, else the one picked among all of
/// them (the current one preselected); `None` when the user quits the picker.
async fn choose_session(
    (client, waits): (StreamClient, Waits),
    call: &CallRef,
    zone: &DisplayZone,
    color: bool,
) -> anyhow::Result<Option<String>> {
    let client = &client;
    let found = client.get_call(&call.call_type, &call.id).await?.body.call;
    let current = session_read::session_or_current(None, call, &found)?;
    // The picker is a convenience: when the list cannot be read, the current session opens
    // as it always has.
    let (stats, stopped_early) = sessions::session_stats(client, call)
        .await
        .unwrap_or_default();
    let listed = merge_sessions(&found, &stats);
    drop(waits);
    if listed.len() <= 1 && stopped_early.is_none() {
        return Ok(Some(current));
    }
    dashboard::pick_session(call, listed, stopped_early, zone, client.present(), color).await
}
