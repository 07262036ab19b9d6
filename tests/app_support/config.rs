//! The dashboard's settings in the tests, declared once: every default, on one call session.
//! Both the hand-fed dashboard tests (`app_support`) and the ones read by the real fetcher
//! (`sim_support::dashboard`) start from it, and so do the benches that run the dashboard
//! (`benches/dashboard.rs`, `first_read.rs`, `live_polls.rs`), through `#[path]`.

use std::time::Duration;

use headcount::app::AppConfig;
use headcount::attendance::{DisplayZone, PresentThreshold, Thresholds};

/// The dashboard on `call_type:call_id` session `session`, with every default: no filter,
/// UTC, the default thresholds, polls every 5 s, pages of 100, no colour, exports offered in
/// `/tmp/exports`.
pub fn session_config(call_type: &str, call_id: &str, session: &str) -> AppConfig {
    AppConfig {
        call_type: call_type.into(),
        call_id: call_id.into(),
        session: session.into(),
        filter: None,
        zone: DisplayZone::utc(),
        thresholds: Thresholds::default(),
        present: PresentThreshold::DEFAULT,
        interval: Duration::from_secs(5),
        page_size: 100,
        color: false,
        export_dir: "/tmp/exports".into(),
    }
}
