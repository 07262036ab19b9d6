//! `headcount sim`: serve a simulated Stream Video call until Ctrl-C.

use std::io::Write;
use std::net::SocketAddr;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use crate::sim::{self, DEFAULT_RATE_LIMIT, Limits, Network, Scenario, SessionObject, SimConfig};

/// Options of `headcount sim`.
#[derive(Debug, Args)]
pub(crate) struct SimArgs {
    /// Address to listen on (port 0 picks a free port)
    #[arg(long, default_value = "127.0.0.1:3030")]
    pub(crate) listen: SocketAddr,
    /// API key clients must send
    #[arg(long, default_value = "headcount-demo")]
    pub(crate) api_key: String,
    /// API secret that signs valid tokens (prefer the variable: a flag is visible to every
    /// user in `ps`)
    #[arg(
        long,
        env = "HEADCOUNT_SIM_API_SECRET",
        hide_env_values = true,
        default_value = "headcount-demo-secret"
    )]
    pub(crate) api_secret: String,
    /// Call to simulate
    #[arg(long, value_enum, default_value_t = Scenario::Townhall)]
    pub(crate) scenario: Scenario,
    /// Seed of the generated attendance (same seed, same rows)
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Play the session live: people join and leave as time passes
    #[arg(long)]
    pub(crate) live: bool,
    /// Scenario seconds per real second while live, above 0 and up to 10000
    #[arg(long, default_value_t = 1.0, value_parser = parse_speed)]
    pub(crate) speed: f64,
    /// Seconds before joins and leaves are reported while live, 0 to 3600
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_lag)]
    pub(crate) lag: Duration,
    /// Requests per window per endpoint (0 turns rate limiting off)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_RATE_LIMIT)]
    pub(crate) rate_limit: u32,
    /// Seconds in a rate-limit window (Stream counts per minute), 1 to 86400
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    pub(crate) rate_window: u64,
    /// Ended sessions of the same call before the current one, a week apart, 0 to 520
    #[arg(long, value_name = "N", default_value_t = 0, value_parser = parse_earlier_sessions)]
    pub(crate) earlier_sessions: usize,
    /// Put terminal control sequences, bidirectional overrides and spreadsheet formulas in
    /// some user ids, roles and publisher types, as a hostile integrator could
    #[arg(long)]
    pub(crate) hostile_text: bool,
    /// After the session ends, answer its participant sessions with 404 for this many seconds,
    /// as Stream does while it prepares them (an ended scenario counts from the start), 0 to
    /// 3600
    #[arg(long, value_name = "SECS", default_value = "0", value_parser = parse_stats_delay)]
    pub(crate) stats_delay: Duration,
    /// Serve the one call session recorded in FILE (`headcount export --format pages`),
    /// page for page, instead of a generated scenario
    #[arg(long, value_name = "FILE")]
    pub(crate) from: Option<std::path::PathBuf>,
    /// How the `session` object shows in GetCall and the pages: whole, with null times (as a
    /// recorded response of an ended call has it), null, or absent
    #[arg(long, value_enum, value_name = "HOW", default_value_t = SessionObject::Full)]
    pub(crate) session_object: SessionObject,
    /// Milliseconds to wait before every answer, as a client across the internet waits for a
    /// round trip, 0 to 60000 (0: loopback speed)
    #[arg(long, value_name = "MS", default_value = "0", value_parser = parse_latency)]
    pub(crate) latency: Duration,
    /// Milliseconds each answer's wait may differ from --latency, either way (never below 0),
    /// 0 to 60000
    #[arg(long, value_name = "MS", default_value = "0", value_parser = parse_jitter)]
    pub(crate) jitter: Duration,
    /// Ignore `is_live` in the participant sessions' filter_conditions (every row comes back,
    /// open or not), as a server that does not honour the condition would
    #[arg(long)]
    pub(crate) ignore_is_live: bool,
}

/// The longest lag or delay the sim plays: an hour late is no longer a live call.
const MAX_DELAY: Duration = Duration::from_secs(3600);

/// Seconds, fractions allowed, from 0 to [`MAX_DELAY`].
fn parse_delay(flag: &str, text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .filter(|delay| *delay <= MAX_DELAY)
        .ok_or_else(|| format!("{flag} must be a number of seconds from 0 to 3600, got {text:?}"))
}

/// `--speed`: above 0, up to [`sim::MAX_SPEED`].
pub(crate) fn parse_speed(text: &str) -> Result<f64, String> {
    text.trim()
        .parse::<f64>()
        .ok()
        .filter(|speed| *speed > 0.0 && *speed <= sim::MAX_SPEED)
        .ok_or_else(|| format!("--speed must be a number above 0 and at most 10000, got {text:?}"))
}

fn parse_earlier_sessions(text: &str) -> Result<usize, String> {
    text.trim()
        .parse::<usize>()
        .ok()
        .filter(|count| *count <= sim::MAX_EARLIER_SESSIONS)
        .ok_or_else(|| {
            format!("--earlier-sessions must be a whole number from 0 to 520, got {text:?}")
        })
}

/// Whole milliseconds from 0 to [`sim::MAX_LATENCY`].
fn parse_millis(flag: &str, text: &str) -> Result<Duration, String> {
    text.trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_millis)
        .filter(|delay| *delay <= sim::MAX_LATENCY)
        .ok_or_else(|| {
            format!("{flag} must be a whole number of milliseconds from 0 to 60000, got {text:?}")
        })
}

fn parse_latency(text: &str) -> Result<Duration, String> {
    parse_millis("--latency", text)
}

fn parse_jitter(text: &str) -> Result<Duration, String> {
    parse_millis("--jitter", text)
}

fn parse_lag(text: &str) -> Result<Duration, String> {
    parse_delay("--lag", text)
}

fn parse_stats_delay(text: &str) -> Result<Duration, String> {
    parse_delay("--stats-delay", text)
}

impl SimArgs {
    fn config(&self) -> anyhow::Result<SimConfig> {
        let (lag, stats_delay) = (self.lag, self.stats_delay);
        Ok(SimConfig {
            api_key: self.api_key.clone(),
            api_secret: self.api_secret.clone(),
            scenario: self.scenario,
            seed: self.seed,
            live: self.live,
            speed: self.speed,
            lag,
            rate_limit: self.rate_limit,
            rate_window: Duration::from_secs(self.rate_window),
            earlier_sessions: self.earlier_sessions,
            hostile_text: self.hostile_text,
            stats_delay,
            from: self.from.clone(),
            connection_limits: Limits::default(),
            session_object: self.session_object,
            network: Network {
                latency: self.latency,
                jitter: self.jitter,
            },
            stepped: false,
            ignore_is_live: self.ignore_is_live,
        })
    }
}

/// Runs the sim on its own runtime until Ctrl-C.
pub(crate) fn run(args: SimArgs) -> anyhow::Result<()> {
    super::block_on(serve(args))
}

async fn serve(args: SimArgs) -> anyhow::Result<()> {
    let config = args.config()?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .map_err(|err| bind_error(args.listen, err))?;
    let running = sim::start(config, listener).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on {}", running.base_url())?;
    writeln!(
        out,
        "call {}:{} session {} sessions {}",
        running.call_type(),
        running.call_id(),
        running.session_id(),
        running.initial_sessions()
    )?;
    for earlier in running.earlier_session_ids() {
        writeln!(out, "earlier session {earlier}")?;
    }
    out.flush()?;
    drop(out);
    tokio::signal::ctrl_c()
        .await
        .context("could not wait for Ctrl-C")?;
    running.shutdown().await;
    Ok(())
}

fn bind_error(addr: SocketAddr, err: std::io::Error) -> anyhow::Error {
    match err.kind() {
        std::io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "{addr} is already in use; pick another address with --listen (port 0 picks a free one)"
        ),
        std::io::ErrorKind::PermissionDenied => {
            anyhow::anyhow!("not allowed to listen on {addr}; pick a port above 1024 with --listen")
        }
        _ => anyhow::Error::new(err).context(format!("could not listen on {addr}")),
    }
}
