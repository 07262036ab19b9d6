//! `headcount demo`: the dashboard on a simulated call served in-process, so that it runs
//! without a Stream account.

use std::net::Ipv4Addr;
use std::time::Duration;

use anyhow::Context;
use clap::Args;

use super::call_ref::CallRef;
use super::config::duration::parse_interval;
use super::config::values::{Theme, parse_tz};
use super::{dashboard, sessions};
use crate::api::{MAX_PAGE_SIZE, StreamClient};
use crate::app::AppConfig;
use crate::attendance::{DisplayZone, Thresholds};
use crate::sim::{self, RunningSim, Scenario, SimConfig};

/// Options of `headcount demo`.
#[derive(Debug, Args)]
pub(crate) struct DemoArgs {
    /// Call to simulate
    #[arg(long, value_enum, default_value_t = Scenario::Townhall)]
    pub(crate) scenario: Scenario,
    /// Play the call live: people join and leave while you watch
    #[arg(long)]
    pub(crate) live: bool,
    /// Seed of the generated attendance (same seed, same rows)
    #[arg(long, default_value_t = 1)]
    pub(crate) seed: u64,
    /// Scenario seconds per real second while live, above 0 and up to 10000
    #[arg(long, value_name = "X", default_value_t = 1.0, value_parser = super::sim::parse_speed)]
    pub(crate) speed: f64,
    /// Seconds between two reads of the live call (1s to 1h; also "90s", "5m")
    #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_interval)]
    pub(crate) interval: Duration,
    /// Time zone of the times shown: local, UTC or an IANA name such as Europe/Paris
    #[arg(long, value_name = "ZONE", default_value = "local", value_parser = parse_tz)]
    pub(crate) tz: String,
    /// Filter to start with, as typed after `/`
    #[arg(long, value_name = "EXPR")]
    pub(crate) filter: Option<String>,
    /// Choose among the call's sessions first, as `watch` does for a call with several
    #[arg(long)]
    pub(crate) pick: bool,
}

/// The simulated call also has this many earlier sessions, so that `--pick` has a choice.
const EARLIER_SESSIONS: usize = 2;

pub(crate) fn run(args: DemoArgs) -> anyhow::Result<()> {
    super::block_on(demo(args))
}

async fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let zone = DisplayZone::parse(&args.tz)?;
    let sim_config = sim_config(&args);
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
        .await
        .context("cannot open a loopback port for the simulated call")?;
    let sim = sim::start(sim_config.clone(), listener).await?;
    let client = StreamClient::new(&sim.base_url(), &sim_config.api_key, &sim_config.api_secret)?;
    let session = if args.pick {
        match pick(&client, &sim, &zone).await? {
            Some(session) => session,
            None => {
                sim.shutdown().await;
                return Ok(());
            }
        }
    } else {
        sim.session_id().to_owned()
    };
    let config = AppConfig {
        call_type: sim.call_type().to_owned(),
        call_id: sim.call_id().to_owned(),
        session,
        filter: args.filter,
        zone,
        thresholds: Thresholds::default(),
        present: crate::attendance::PresentThreshold::DEFAULT,
        interval: args.interval,
        page_size: MAX_PAGE_SIZE,
        color: dashboard::color_from_env(Theme::default()),
        export_dir: dashboard::export_dir(),
    };
    let outcome = dashboard::run(client, config).await;
    sim.shutdown().await;
    outcome
}

/// The in-process sim of `args`. It has no rate limit: the demo shows the dashboard, not a
/// quota, so every scenario loads at the speed of the machine (with Stream's 1,000 requests a
/// minute, `huge` took minutes and `webinar` 8 to 59 s depending on the minute). `headcount
/// sim --rate-limit` plays Stream's limits.
fn sim_config(args: &DemoArgs) -> SimConfig {
    SimConfig {
        scenario: args.scenario,
        seed: args.seed,
        live: args.live,
        speed: args.speed,
        earlier_sessions: EARLIER_SESSIONS,
        rate_limit: 0,
        ..SimConfig::default()
    }
}

/// The picker over the simulated call's sessions; `None` when the user quits it.
async fn pick(
    client: &StreamClient,
    sim: &RunningSim,
    zone: &DisplayZone,
) -> anyhow::Result<Option<String>> {
    let call = CallRef {
        call_type: sim.call_type().to_owned(),
        id: sim.call_id().to_owned(),
    };
    let list = sessions::list_sessions(client, &call).await?;
    dashboard::pick_session(
        &call,
        list.sessions,
        list.stopped_early,
        zone,
        client.present(),
        dashboard::color_from_env(Theme::default()),
    )
    .await
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Demo {
        #[command(flatten)]
        args: DemoArgs,
    }

    #[test]
    fn the_demos_sim_has_no_rate_limit_whatever_the_scenario() {
        for words in [&["demo"][..], &["demo", "--scenario", "huge", "--live"]] {
            let config = sim_config(&Demo::parse_from(words).args);
            assert_eq!(config.rate_limit, 0, "{words:?}");
        }
    }
}
