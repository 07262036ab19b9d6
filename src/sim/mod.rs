//! `headcount sim`: a local HTTP server that behaves like Stream Video for the endpoints
//! headcount reads, so that the demo, the tests and Stream's own SDKs run against it with only
//! their base URL changed.
//!
//! A scenario is generated from a seed into compact rows (`scenario`, `attendance`), with
//! optional earlier sessions of the same call (`history`) and the call's members and ring
//! outcomes (`roster`); what the API shows at a given moment, and pages of it, come from
//! `timeline`; `server` wraps every endpoint in Stream's envelope (rate limits, auth, errors),
//! `endpoints` answers them, `stats` lists the call's sessions, `members` its members, and
//! `wire` shapes the complete response objects.
//!
//! Visibility: `pub` is what the integration tests and the binary use to start a sim in
//! process ([`SimConfig`], [`start`], [`RunningSim`], [`Scenario`], the connection limits);
//! everything else is `pub(crate)` or private.

mod attendance;
mod auth;
mod clock;
mod connection;
mod cursor;
mod endpoints;
mod error;
mod history;
mod hostile;
mod ids;
mod members;
mod names;
mod network;
mod rate_limit;
mod replay;
mod roster;
mod scenario;
mod server;
mod stats;
mod timeline;
mod wire;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use connection::IDLE_TIMEOUT;

pub use connection::Limits;

pub use connection::REQUEST_TIMEOUT;
pub use network::{MAX_LATENCY, Network};
pub(crate) use replay::PAGES_VERSION;
pub use scenario::Scenario;
pub use wire::SessionObject;

use crate::api::timestamp::NANOS_PER_SEC;
use auth::Authenticator;
use clock::{ScenarioClock, unix_now_ns};
use cursor::CursorSigner;
use rate_limit::RateLimiter;
use server::Sim;

/// Requests per minute per endpoint when nothing else is asked for: generous enough that the
/// demo never meets it, like the per-endpoint app quotas Stream grants server-side.
pub(crate) const DEFAULT_RATE_LIMIT: u32 = 1_000;

/// The fastest a live scenario plays: a three-hour keynote in about a second.
pub const MAX_SPEED: f64 = 10_000.0;

/// Ten years of weekly sessions.
pub(crate) const MAX_EARLIER_SESSIONS: usize = 520;

/// How far into the session a live scenario already is when the server starts.
const LIVE_HEAD_START_NS: i64 = 5 * 60 * NANOS_PER_SEC;
/// Ended scenarios finished this long before the server started.
const ENDED_AGO_NS: i64 = 2 * 3_600 * NANOS_PER_SEC;
/// The expired scenario ended beyond Stream's 90-day retention.
const EXPIRED_AGO_NS: i64 = 120 * 86_400 * NANOS_PER_SEC;

/// What to simulate and how to guard it.
#[derive(Debug, Clone, PartialEq)]
pub struct SimConfig {
    pub api_key: String,
    pub api_secret: String,
    pub scenario: Scenario,
    pub seed: u64,
    /// Play the session live instead of serving it ended.
    pub live: bool,
    /// Scenario seconds per wall second while live.
    pub speed: f64,
    /// How late joins and leaves are reported while live.
    pub lag: Duration,
    /// Requests per window per endpoint; 0 turns rate limiting off.
    pub rate_limit: u32,
    /// Length of a rate-limit window: a minute, as Stream counts.
    pub rate_window: Duration,
    /// Ended sessions of the same call before the current one, a week apart.
    pub earlier_sessions: usize,
    /// Ids, roles and publisher types carry terminal controls and spreadsheet formulas.
    pub hostile_text: bool,
    /// After the current session ends, its participant sessions answer 404 for this long, as
    /// Stream's do while it prepares them; an ended session counts from the server's start.
    pub stats_delay: Duration,
    /// Serve the one session of this pages file (`export --format pages`) instead of a
    /// generated call.
    pub from: Option<PathBuf>,
    /// How long a client may take to send a request, and keep an idle connection.
    pub connection_limits: Limits,
    /// How the `session` object is shown in GetCall and in the pages.
    pub session_object: SessionObject,
    /// The round trip played before every answer (none by default: loopback speed).
    pub network: Network,
    /// A live scenario's clock stands still until [`RunningSim::advance`] moves it on, so
    /// that a test passes time in and two clients read the same moment.
    pub stepped: bool,
    /// Answer `QueryCallParticipantSessions` as if `is_live` were not in `filter_conditions`
    /// (every row, open or not), as a server that does not honour the condition would.
    pub ignore_is_live: bool,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            api_key: "headcount-demo".to_owned(),
            api_secret: "headcount-demo-secret".to_owned(),
            scenario: Scenario::Townhall,
            seed: 1,
            live: false,
            speed: 1.0,
            lag: Duration::from_secs(5),
            rate_limit: DEFAULT_RATE_LIMIT,
            rate_window: Duration::from_secs(60),
            earlier_sessions: 0,
            hostile_text: false,
            stats_delay: Duration::ZERO,
            from: None,
            connection_limits: Limits::default(),
            session_object: SessionObject::Full,
            network: Network::default(),
            stepped: false,
            ignore_is_live: false,
        }
    }
}

/// Why the sim could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("--speed must be a number above 0 and at most {MAX_SPEED}, got {0}")]
    Speed(f64),
    #[error("--earlier-sessions must be at most {MAX_EARLIER_SESSIONS}, got {0}")]
    EarlierSessions(usize),
    #[error("the API key and the API secret must not be empty")]
    Credentials,
    #[error("the listener has no local address: {0}")]
    Address(#[source] std::io::Error),
    #[error("the scenario could not be generated: {0}")]
    Generation(String),
    #[error("cannot read {}: {source}", path.display())]
    ReadPages {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot serve {}: {source}", path.display())]
    Pages {
        path: PathBuf,
        source: replay::ReplayError,
    },
}

/// A sim serving in the background; dropping it stops the server.
pub struct RunningSim {
    addr: SocketAddr,
    call_type: String,
    call_id: String,
    session_id: String,
    earlier_session_ids: Vec<String>,
    initial_sessions: usize,
    /// The live scenario's clock, shared with the server.
    clock: Option<ScenarioClock>,
    stop: CancellationToken,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl RunningSim {
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn call_type(&self) -> &str {
        &self.call_type
    }

    pub fn call_id(&self) -> &str {
        &self.call_id
    }

    /// The call session id (`call.current_session_id`).
    pub fn session_id(&self) -> &str {
        &self.session_id
    }

    /// The ids of the call's earlier sessions, the most recent first.
    pub fn earlier_session_ids(&self) -> &[String] {
        &self.earlier_session_ids
    }

    /// How many participant sessions the session had when the server started.
    pub fn initial_sessions(&self) -> usize {
        self.initial_sessions
    }

    /// Moves a stepped live scenario ([`SimConfig::stepped`]) on by `by` of scenario time;
    /// `false` (and nothing moves) when its clock runs by itself or it is not live.
    pub fn advance(&self, by: Duration) -> bool {
        self.clock.as_ref().is_some_and(|clock| clock.advance(by))
    }

    /// Stops accepting requests and waits for the server to finish.
    pub(crate) async fn shutdown(mut self) {
        self.stop.cancel();
        if let Some(task) = self.task.take() {
            // The server's own outcome no longer matters once it has been asked to stop.
            let _ = task.await;
        }
    }
}

impl Drop for RunningSim {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Generates the scenario and serves it on `listener` in the background.
pub async fn start(config: SimConfig, listener: TcpListener) -> Result<RunningSim, SimError> {
    if !(config.speed > 0.0 && config.speed <= MAX_SPEED) {
        return Err(SimError::Speed(config.speed));
    }
    if config.earlier_sessions > MAX_EARLIER_SESSIONS {
        return Err(SimError::EarlierSessions(config.earlier_sessions));
    }
    if config.api_key.is_empty() || config.api_secret.is_empty() {
        return Err(SimError::Credentials);
    }
    let addr = listener.local_addr().map_err(SimError::Address)?;
    let replay = match &config.from {
        Some(path) => Some(read_pages(path).await?),
        None => None,
    };
    let now = unix_now_ns();
    let live = config.live && config.scenario != Scenario::Expired;
    let started_at = session_start(config.scenario, live, now);
    let (scenario, seed) = (config.scenario, config.seed);
    let (earlier_count, secret) = (config.earlier_sessions, config.api_secret.clone());
    let clock = live.then(|| match config.stepped {
        true => ScenarioClock::stepped(now, config.speed),
        false => ScenarioClock::new(now, config.speed),
    });
    let (call, roster, earlier) = tokio::task::spawn_blocking(move || {
        let earlier =
            history::earlier_sessions(scenario, seed, started_at, earlier_count, now, &secret);
        let call = scenario::generate(scenario, seed, started_at);
        let roster = roster::generate(&call, scenario, seed);
        (call, roster, earlier)
    })
    .await
    .map_err(|err| SimError::Generation(err.to_string()))?;
    let earlier_session_ids = earlier
        .iter()
        .map(|session| session.call.session_id.to_string())
        .collect();
    let sim = Arc::new(Sim {
        auth: Authenticator::new(&config.api_key, &config.api_secret),
        cursors: CursorSigner::for_session(&config.api_secret, call.session_id),
        stats_cursors: CursorSigner::for_stats(&config.api_secret),
        member_cursors: CursorSigner::for_members(&config.api_secret),
        roster,
        earlier,
        limiter: RateLimiter::new(config.rate_limit, config.rate_window.as_secs()),
        clock: clock.clone(),
        ignore_is_live: config.ignore_is_live,
        lag_ns: i64::try_from(config.lag.as_nanos()).unwrap_or(i64::MAX),
        api_key: config.api_key,
        hostile_text: config.hostile_text,
        stats_delay_ns: i64::try_from(config.stats_delay.as_nanos()).unwrap_or(i64::MAX),
        started_ns: now,
        session_object: config.session_object,
        call,
        replay,
    });
    let (call_type, call_id, session_id, initial_sessions) = match &sim.replay {
        Some(replay) => (
            replay.call_type().to_owned(),
            replay.call_id().to_owned(),
            replay.session_id().to_owned(),
            replay.rows(),
        ),
        None => (
            wire::CALL_TYPE.to_owned(),
            sim.call.call_id.clone(),
            sim.call.session_id.to_string(),
            sim.snapshot().totals().sessions,
        ),
    };
    let stop = CancellationToken::new();
    let listener = connection::BoundedListener::new(listener, config.connection_limits);
    let serving = axum::serve(listener, server::router(Arc::clone(&sim), config.network))
        .with_graceful_shutdown(stop.clone().cancelled_owned());
    Ok(RunningSim {
        addr,
        call_type,
        call_id,
        session_id,
        earlier_session_ids,
        initial_sessions,
        clock,
        stop,
        task: Some(tokio::spawn(async move { serving.await })),
    })
}

/// A pages file, read and checked before the server listens.
async fn read_pages(path: &Path) -> Result<replay::Replay, SimError> {
    let text = tokio::fs::read_to_string(path)
        .await
        .map_err(|source| SimError::ReadPages {
            path: path.to_owned(),
            source,
        })?;
    replay::Replay::parse(&text).map_err(|source| SimError::Pages {
        path: path.to_owned(),
        source,
    })
}

/// When the simulated session started, relative to `now` (Unix ns): live calls are a few
/// minutes in, ended ones finished a couple of hours ago (on a whole minute, as scheduled
/// calls start), the expired one beyond retention.
fn session_start(scenario: Scenario, live: bool, now: i64) -> i64 {
    const MINUTE: i64 = 60 * NANOS_PER_SEC;
    if live {
        return now - LIVE_HEAD_START_NS;
    }
    let ago = if scenario == Scenario::Expired {
        EXPIRED_AGO_NS
    } else {
        ENDED_AGO_NS
    };
    let start = now - ago - scenario.length_ns();
    start - start.rem_euclid(MINUTE)
}
