//! `headcount totals`, the real binary against a sim on loopback: its figures are those of the
//! documented manual accumulation loop, run here by hand with the client.

use std::collections::HashSet;
use std::process::Output;

use headcount::api::models::ParticipantSessionDetails;
use headcount::api::{PagerOptions, StreamClient};
use headcount::sim::{self, RunningSim, Scenario, SessionObject, SimConfig};
use serde_json::{Value, json};

const KEY: &str = "headcount-demo";
const SECRET: &str = "headcount-demo-secret";

async fn start(scenario: Scenario) -> RunningSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SimConfig {
        scenario,
        rate_limit: 0,
        ..SimConfig::default()
    };
    sim::start(config, listener).await.unwrap()
}

/// What the documented loop accumulates, plus the totals of the last page.
struct HandCount {
    rows: Vec<ParticipantSessionDetails>,
    total_sessions: Option<i64>,
    total_duration: Option<i64>,
}

impl HandCount {
    fn duration(&self) -> i64 {
        self.rows.iter().filter_map(|r| r.duration_in_seconds).sum()
    }

    fn users(&self) -> usize {
        self.rows
            .iter()
            .map(|r| &r.user_id)
            .collect::<HashSet<_>>()
            .len()
    }
}

async fn by_hand(sim: &RunningSim, filter_conditions: Option<Value>) -> HandCount {
    let client = StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap();
    let options = PagerOptions {
        filter_conditions,
        ..PagerOptions::default()
    };
    let mut pager =
        client.participant_session_pages(sim.call_type(), sim.call_id(), sim.session_id(), options);
    let mut count = HandCount {
        rows: Vec::new(),
        total_sessions: None,
        total_duration: None,
    };
    while let Some(page) = pager.next_page().await {
        let page = page.unwrap().body.decode().unwrap();
        count.total_sessions = page.total_participant_sessions;
        count.total_duration = page.total_participant_duration;
        count.rows.extend(page.participants_sessions);
    }
    count
}

/// Runs `headcount totals` for the sim's session with the extra arguments given.
async fn totals(sim: &RunningSim, secret: &str, session: &str, extra: &[&str]) -> Output {
    let config_dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_headcount"));
    command
        .arg("totals")
        .arg(format!("{}:{}", sim.call_type(), sim.call_id()))
        .args(["--session", session])
        .args(extra)
        .env("STREAM_BASE_URL", sim.base_url())
        .env("STREAM_API_KEY", KEY)
        .env("STREAM_API_SECRET", secret)
        .env("HEADCOUNT_CONFIG", config_dir.path().join("absent.toml"))
        .env_remove("HEADCOUNT_PROFILE");
    // The sim serves on this runtime while the binary runs.
    tokio::task::spawn_blocking(move || {
        let output = command.output().unwrap();
        drop(config_dir);
        output
    })
    .await
    .unwrap()
}

async fn totals_json(sim: &RunningSim, extra: &[&str]) -> Value {
    let mut args = vec!["--format", "json"];
    args.extend_from_slice(extra);
    let output = totals(sim, SECRET, sim.session_id(), &args).await;
    assert!(output.status.success(), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn assert_same_figures(printed: &Value, hand: &HandCount) {
    assert_eq!(
        printed["total_participant_sessions"],
        json!(hand.total_sessions)
    );
    assert_eq!(
        printed["total_participant_duration"],
        json!(hand.total_duration)
    );
    let filtered = &printed["filtered"];
    assert_eq!(filtered["sessions"], json!(hand.rows.len()));
    assert_eq!(filtered["duration_seconds"], json!(hand.duration()));
    assert_eq!(filtered["unique_users"], json!(hand.users()));
}

/// The user with the most sessions, so that the filter selects several rows.
fn busiest_user(rows: &[ParticipantSessionDetails]) -> String {
    let mut counts = std::collections::HashMap::new();
    for row in rows {
        *counts.entry(row.user_id.as_str()).or_insert(0) += 1;
    }
    let (user, _) = counts
        .into_iter()
        .max_by_key(|&(user, n)| (n, std::cmp::Reverse(user)))
        .unwrap();
    user.to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn townhall_totals_match_the_manual_loop_whole_and_for_one_user() {
    let sim = start(Scenario::Townhall).await;
    let whole = by_hand(&sim, None).await;
    let printed = totals_json(&sim, &[]).await;
    assert_same_figures(&printed, &whole);
    assert_eq!(printed["state"], "ended");
    assert_eq!(printed["filter_conditions"], Value::Null);
    assert_eq!(printed["call_session_id"], sim.session_id());
    assert_eq!(
        whole.total_sessions,
        Some(whole.rows.len() as i64),
        "unfiltered, the rows are the whole session"
    );

    let user = busiest_user(&whole.rows);
    let conditions = json!({"user_id": {"$eq": user}});
    let one = by_hand(&sim, Some(conditions.clone())).await;
    assert!(one.rows.len() > 1, "{user} has several sessions");
    let printed = totals_json(&sim, &["--filter", &format!("user:{user}")]).await;
    assert_same_figures(&printed, &one);
    assert_eq!(printed["filter_conditions"], conditions);
    assert_eq!(printed["filtered"]["unique_users"], 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn expired_sessions_keep_the_totals_with_no_rows() {
    let sim = start(Scenario::Expired).await;
    let whole = by_hand(&sim, None).await;
    assert!(whole.rows.is_empty());
    assert!(whole.total_sessions.unwrap() > 0);
    for extra in [vec![], vec!["--filter", "user:alice"]] {
        let printed = totals_json(&sim, &extra).await;
        assert_same_figures(&printed, &whole);
        assert_eq!(printed["state"], "expired");
        assert_eq!(printed["filtered"]["sessions"], 0);
    }
    // The table says the figures of the sessions are not known, instead of zeros that read as
    // nobody came; Stream's totals stay.
    let output = totals(&sim, SECRET, sim.session_id(), &["--format", "table"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(
        table.contains(
            "Every session\n  Not known                 the participant sessions were purged 90 \
             days after the call; only Stream's totals above remain\n"
        ),
        "{table}"
    );
    for zero in ["Unique users", "Peak concurrent", "Headcount at midpoint"] {
        assert!(!table.contains(zero), "{zero} in {table}");
    }
    let sessions = whole.total_sessions.unwrap().to_string();
    assert!(
        table
            .lines()
            .any(|line| line.starts_with("  Participant sessions") && line.ends_with(&sessions)),
        "{table}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_local_only_filter_counts_exactly_the_matching_rows() {
    let sim = start(Scenario::Townhall).await;
    let whole = by_hand(&sim, None).await;
    let hosts: Vec<&ParticipantSessionDetails> = whole
        .rows
        .iter()
        .filter(|r| r.roles.iter().any(|role| role == "host"))
        .collect();
    assert!(!hosts.is_empty());
    let printed = totals_json(&sim, &["--filter", "role:host"]).await;
    assert_eq!(
        printed["filter_conditions"],
        Value::Null,
        "roles stay local"
    );
    assert_eq!(printed["filtered"]["sessions"], json!(hosts.len()));
    let seconds: i64 = hosts.iter().filter_map(|r| r.duration_in_seconds).sum();
    assert_eq!(printed["filtered"]["duration_seconds"], json!(seconds));
    assert_eq!(printed["by_role"]["host"]["sessions"], json!(hosts.len()));
    assert_eq!(
        printed["total_participant_sessions"],
        json!(whole.total_sessions)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_filter_exits_2_pointing_at_the_fault() {
    let sim = start(Scenario::Small).await;
    let output = totals(
        &sim,
        SECRET,
        sim.session_id(),
        &["--filter", "role:host dur>5x"],
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("malformed --filter at character"),
        "{message}"
    );
    let lines: Vec<&str> = message.lines().collect();
    let caret = lines.iter().position(|l| l.trim_start().starts_with('^'));
    let caret = caret.unwrap_or_else(|| panic!("no caret in {message}"));
    assert_eq!(lines[caret - 1], "role:host dur>5x");
    assert!(
        lines[caret].find('^').unwrap() >= "role:host ".len(),
        "{message}"
    );
    assert!(output.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn stream_failures_exit_with_their_code_and_explanation() {
    let sim = start(Scenario::Small).await;
    let wrong_secret = totals(&sim, "not-the-secret", sim.session_id(), &[]).await;
    assert_eq!(wrong_secret.status.code(), Some(3));
    assert!(
        stderr(&wrong_secret).contains("check STREAM_API_SECRET"),
        "{}",
        stderr(&wrong_secret)
    );
    let unknown = totals(&sim, SECRET, "no-such-session", &[]).await;
    assert_eq!(unknown.status.code(), Some(4));
    assert!(
        stderr(&unknown).contains("no such call or session"),
        "{}",
        stderr(&unknown)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_table_shows_the_server_totals_and_names_the_zone() {
    let sim = start(Scenario::Small).await;
    let whole = by_hand(&sim, None).await;
    let output = totals(
        &sim,
        SECRET,
        sim.session_id(),
        &["--format", "table", "--tz", "Asia/Tokyo"],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let table = String::from_utf8(output.stdout).unwrap();
    let sessions = whole.total_sessions.unwrap().to_string();
    let duration = format!("({} s)", whole.total_duration.unwrap());
    let line_with = |label: &str| {
        table
            .lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no {label} in\n{table}"))
            .to_owned()
    };
    assert!(
        line_with("Participant sessions").ends_with(&sessions),
        "{table}"
    );
    assert!(
        line_with("Participant duration").ends_with(&duration),
        "{table}"
    );
    assert!(line_with("Window").contains("Asia/Tokyo"), "{table}");
    assert!(
        line_with("Peak concurrent users").contains("Asia/Tokyo"),
        "{table}"
    );
    // Summed person-time, in the totals and in each breakdown row, reads as person-hours
    // (never `1h 28m`, the look of a call's length), with the exact seconds beside it.
    let summed: Vec<&str> = table
        .lines()
        .filter(|l| l.trim_end().ends_with(" s)"))
        .collect();
    assert!(summed.len() >= 4, "{table}");
    for line in summed {
        assert!(line.contains(" person-hours ("), "{line}\n{table}");
    }
    let by_role = table.split("\nBy role").nth(1).expect("a role breakdown");
    let first_role = by_role.lines().nth(1).unwrap();
    assert!(first_role.contains(" person-hours ("), "{table}");
}

/// The characters that would control a terminal: C0 but the line end, DEL, C1, and the
/// bidirectional controls.
fn terminal_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c < ' ' && c != '\n')
                || ('\u{7f}'..='\u{9f}').contains(&c)
                || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}')
                || ('\u{202a}'..='\u{202e}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn hostile_roles_and_publishers_are_escaped_in_the_table_and_exact_in_json() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SimConfig {
        scenario: Scenario::Townhall,
        rate_limit: 0,
        hostile_text: true,
        ..SimConfig::default()
    };
    let sim = sim::start(config, listener).await.unwrap();
    let output = totals(&sim, SECRET, sim.session_id(), &["--format", "table"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let table = String::from_utf8(output.stdout).unwrap();
    assert_eq!(terminal_controls(&table), Vec::<char>::new(), "{table}");
    for shown in [
        "host\\x1b[2J\\x1b[H",
        "viewer\\u{9b}5m",
        "rtmp\\x1b]52;c;b3duZWQ=\\x07",
        "\\u{2067}srt\\u{2069}",
        "\\twhip",
    ] {
        assert!(table.contains(shown), "{shown} in\n{table}");
    }

    let json = totals_json(&sim, &[]).await;
    let roles = json["by_role"].as_object().unwrap();
    assert!(roles.contains_key("host\u{1b}[2J\u{1b}[H"), "{roles:?}");
    let publishers = json["by_publisher_type"].as_object().unwrap();
    assert!(
        publishers.contains_key("\u{2067}srt\u{2069}"),
        "{publishers:?}"
    );
}

/// The command line checks a filter before reading, so it cannot know the session's own
/// publisher types: a type Stream does not document is refused (exit 2, before any request)
/// with Stream's types and the JSON form, which sends any type as typed (Stream validates
/// only the field and the operator).
#[tokio::test(flavor = "multi_thread")]
async fn an_undocumented_publisher_type_is_refused_and_the_json_form_sends_it() {
    let sim = start(Scenario::Small).await;
    let refused = totals(
        &sim,
        SECRET,
        sim.session_id(),
        &["--filter", "publisher:sip"],
    )
    .await;
    assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
    assert!(refused.stdout.is_empty());
    let said = stderr(&refused);
    assert!(
        said.contains(
            "`sip` is not a publisher type: Stream's are webrtc, rtmp, srt, whip (a type Stream \
             added since goes in the JSON form: {\"publisher_type\":\"sip\"})"
        ),
        "{said}"
    );
    let sent = totals_json(&sim, &["--filter", r#"{"publisher_type":"sip"}"#]).await;
    assert_eq!(
        sent["filter_conditions"],
        json!({"publisher_type": {"$eq": "sip"}}),
        "{sent}"
    );
    assert_eq!(
        sent["filtered"]["sessions"], 0,
        "the sim has no sip session"
    );
    let rtmp = totals_json(&sim, &["--filter", r#"{"publisher_type":"rtmp"}"#]).await;
    let whole = totals_json(&sim, &[]).await;
    assert_eq!(
        rtmp["filtered"]["sessions"], whole["by_publisher_type"]["rtmp"]["sessions"],
        "{rtmp}"
    );
}

/// The messy scenario's rows are flagged and explained, counted by the rules of the
/// attendance definitions, and the command still succeeds: the data is complete.
#[tokio::test(flavor = "multi_thread")]
async fn messy_rows_are_counted_by_kind_with_their_ids_and_exit_0() {
    let sim = start(Scenario::Messy).await;
    let whole = by_hand(&sim, None).await;
    let printed = totals_json(&sim, &[]).await;
    let quality = &printed["data_quality"];
    let kinds = quality["problems"].as_object().unwrap();
    for kind in [
        "leave_not_recorded",
        "no_times_recorded",
        "join_not_recorded",
        "leave_before_join",
        "duration_mismatch",
        "duration_not_recorded",
        "absurd_value",
    ] {
        assert_eq!(kinds[kind]["rows"], json!(1), "{kind}: {quality}");
        assert!(kinds[kind]["explanation"].is_string());
    }
    // The early bird and the overtime row are both outside the session; the skewed row both
    // left before it joined and has a negative duration.
    assert_eq!(kinds["outside_session"]["rows"], json!(2), "{quality}");
    // The skewed row's -600 s and the overflowing row's i64 extreme.
    assert_eq!(kinds["negative_duration"]["rows"], json!(2), "{quality}");
    assert_eq!(quality["rows_with_problems"], json!(9), "{quality}");
    let ghost_ids = kinds["leave_not_recorded"]["user_session_ids"][0]
        .as_str()
        .unwrap();
    let ghost_row = whole
        .rows
        .iter()
        .find(|r| r.user_session_id == ghost_ids)
        .unwrap();
    assert_eq!(ghost_row.user_id, "ghost-user");
    assert!(ghost_row.left_at.is_none());
    // The server's total is Stream's; headcount's own sum leaves out what cannot be right,
    // and says by how much.
    assert_eq!(
        printed["total_participant_duration"],
        json!(whole.total_duration)
    );
    // The overflowing row's i64 extreme counts nowhere, and no sum wraps.
    let received = quality["duration_seconds_received"].as_i64().unwrap();
    let ignored = quality["duration_seconds_ignored"].as_i64().unwrap();
    assert_eq!(ignored, -600, "the skewed row's negative duration");
    assert_eq!(
        printed["filtered"]["duration_seconds"].as_i64().unwrap(),
        received - ignored
    );
    assert_eq!(printed["state"], json!("ended"));
    let problem_rows = totals_json(&sim, &["--filter", "problem"]).await;
    assert_eq!(problem_rows["filtered"]["sessions"], json!(9));
    let clean_rows = totals_json(&sim, &["--filter", "!problem"]).await;
    assert_eq!(
        clean_rows["filtered"]["sessions"].as_u64().unwrap() + 9,
        whole.rows.len() as u64
    );
    assert_eq!(clean_rows["data_quality"]["rows_with_problems"], json!(0));
}

/// Whether a session ended does not hang on its `session` object: whatever the pages and
/// GetCall show of it (whole, without times as a recorded response has it, null, absent),
/// the call's `ended_at` ends it, and a leave never recorded is not someone still in the call.
#[tokio::test(flavor = "multi_thread")]
async fn an_ended_session_reads_as_ended_however_its_session_object_looks() {
    for session_object in [
        SessionObject::Full,
        SessionObject::NoTimes,
        SessionObject::Null,
        SessionObject::Absent,
    ] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = SimConfig {
            scenario: Scenario::Messy,
            rate_limit: 0,
            session_object,
            ..SimConfig::default()
        };
        let sim = sim::start(config, listener).await.unwrap();
        let printed = totals_json(&sim, &[]).await;
        assert_eq!(printed["state"], json!("ended"), "{session_object:?}");
        let kinds = &printed["data_quality"]["problems"];
        assert_eq!(
            kinds["leave_not_recorded"]["rows"],
            json!(1),
            "{session_object:?}: {kinds}"
        );
        let ghost = totals_json(&sim, &["--filter", "user:ghost-user"]).await;
        assert_eq!(
            ghost["filtered"]["attended_seconds"],
            json!(3000),
            "{session_object:?}"
        );
    }
}

/// A live session with no `session` object anywhere is live because GetCall says so, not
/// because it has open rows.
#[tokio::test(flavor = "multi_thread")]
async fn a_live_session_without_a_session_object_reads_as_live() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SimConfig {
        scenario: Scenario::Small,
        live: true,
        rate_limit: 0,
        session_object: SessionObject::Absent,
        ..SimConfig::default()
    };
    let sim = sim::start(config, listener).await.unwrap();
    let output = totals(&sim, SECRET, sim.session_id(), &["--format", "json"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["state"], json!("live"));
    assert_eq!(
        printed["data_quality"]["problems"]["leave_not_recorded"],
        Value::Null
    );
}

/// Spends the sim's participant-sessions quota, leaving at least a second of its window, so
/// that the next read starts rate limited.
async fn spend_the_quota(sim: &RunningSim) {
    use headcount::api::RetryPolicy;
    let client = StreamClient::builder(&sim.base_url(), KEY, SECRET)
        .retry_policy(RetryPolicy::NEVER)
        .build()
        .unwrap();
    let query = headcount::api::models::ParticipantSessionsQuery::default();
    loop {
        let answer = client
            .query_call_participant_sessions(
                sim.call_type(),
                sim.call_id(),
                sim.session_id(),
                &query,
            )
            .await;
        let Err(error) = answer else { continue };
        let reset = error.retry_at().expect("a 429 says when the window ends");
        let left = reset.duration_since(jiff::Timestamp::now());
        if left >= jiff::SignedDuration::from_secs(1) {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_is_named_on_stderr_with_the_page_and_the_figures_stay_exact() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SimConfig {
        scenario: Scenario::Small,
        rate_limit: 3,
        rate_window: std::time::Duration::from_secs(3),
        ..SimConfig::default()
    };
    let sim = sim::start(config, listener).await.unwrap();
    spend_the_quota(&sim).await;
    let output = totals(&sim, SECRET, sim.session_id(), &["--format", "json"]).await;
    let said = stderr(&output);
    assert!(output.status.success(), "{said}");
    let wait = said
        .lines()
        .find(|line| line.starts_with("rate limited by Stream, next page at "))
        .unwrap_or_else(|| panic!("the wait is named:\n{said}"));
    assert!(wait.contains(" UTC (page 1); waiting "), "{wait}");
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    // The manual loop waits the limit out too.
    let hand = by_hand(&sim, None).await;
    assert_same_figures(&printed, &hand);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_user_is_a_usage_error_before_any_request() {
    let sim = start(Scenario::Small).await;
    for user in ["", "  "] {
        let output = totals(&sim, SECRET, sim.session_id(), &["--user", user]).await;
        assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
        assert!(
            stderr(&output).contains("--user needs a user id"),
            "{}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty());
    }
}
