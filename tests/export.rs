//! `headcount export`, the real binary against a sim on loopback: its records are the session's
//! rows as the client reads them, and its per-user figures are the engine's.

use std::path::Path;
use std::process::Output;

use headcount::api::models::ParticipantSessionsPage;
use headcount::api::{PagerOptions, StreamClient};
use headcount::attendance::{Figures, SessionStore, Thresholds};
use headcount::sim::{self, RunningSim, Scenario, SimConfig};
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

/// Every page of the session, read with the client, with Stream's filter.
async fn pages(sim: &RunningSim, filter_conditions: Option<Value>) -> Vec<ParticipantSessionsPage> {
    let client = StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap();
    let options = PagerOptions {
        filter_conditions,
        ..PagerOptions::default()
    };
    let mut pager =
        client.participant_session_pages(sim.call_type(), sim.call_id(), sim.session_id(), options);
    let mut pages = Vec::new();
    while let Some(page) = pager.next_page().await {
        pages.push(page.unwrap().body.decode().unwrap());
    }
    pages
}

fn row_count(pages: &[ParticipantSessionsPage]) -> usize {
    pages.iter().map(|p| p.participants_sessions.len()).sum()
}

fn server_total(pages: &[ParticipantSessionsPage]) -> usize {
    pages.last().unwrap().total_participant_sessions.unwrap() as usize
}

/// Runs `headcount export` for the sim's call with the arguments given.
async fn export(sim: &RunningSim, secret: &str, call: &str, extra: &[&str]) -> Output {
    export_in(sim, secret, call, extra, Path::new(".")).await
}

/// [`export`] run from the directory `cwd`.
async fn export_in(
    sim: &RunningSim,
    secret: &str,
    call: &str,
    extra: &[&str],
    cwd: &Path,
) -> Output {
    let config_dir = tempfile::tempdir().unwrap();
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_headcount"));
    command
        .current_dir(cwd)
        .arg("export")
        .arg(call)
        .args(["--session", sim.session_id()])
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

fn call_of(sim: &RunningSim) -> String {
    format!("{}:{}", sim.call_type(), sim.call_id())
}

/// The standard output of a successful export.
async fn exported(sim: &RunningSim, extra: &[&str]) -> Vec<u8> {
    let output = export(sim, SECRET, &call_of(sim), extra).await;
    assert!(output.status.success(), "{}", stderr(&output));
    output.stdout
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn csv_records(bytes: &[u8]) -> (csv::StringRecord, Vec<csv::StringRecord>) {
    let mut reader = csv::Reader::from_reader(bytes);
    let headers = reader.headers().unwrap().clone();
    let records = reader.records().map(Result::unwrap).collect();
    (headers, records)
}

fn ndjson(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8(bytes.to_vec())
        .unwrap()
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test(flavor = "multi_thread")]
async fn every_format_has_one_record_per_session_of_the_call() {
    let sim = start(Scenario::Townhall).await;
    let pages = pages(&sim, None).await;
    let total = server_total(&pages);
    assert_eq!(
        row_count(&pages),
        total,
        "unfiltered, the rows are the session"
    );

    let (headers, records) = csv_records(&exported(&sim, &["--tz", "Asia/Tokyo"]).await);
    assert_eq!(records.len(), total);
    assert_eq!((&headers[2], &headers[3]), ("joined_utc", "joined_local"));
    assert_eq!(headers.iter().next_back(), Some("zone"));
    assert_eq!(records[0].iter().next_back(), Some("Asia/Tokyo"));
    let ids: std::collections::HashSet<&str> = records.iter().map(|r| &r[1]).collect();
    assert_eq!(ids.len(), total, "each session once");
    assert!(records[0][3].ends_with("+09:00"), "{:?}", records[0]);

    let json: Value = serde_json::from_slice(&exported(&sim, &["--format", "json"]).await).unwrap();
    assert_eq!(json.as_array().unwrap().len(), total);
    let first = &pages[0].participants_sessions[0];
    assert_eq!(json[0]["user_session_id"], first.user_session_id);
    assert_eq!(
        json[0]["duration_seconds"],
        json!(first.duration_in_seconds)
    );
    assert_eq!(json[0]["roles"], json!(first.roles));

    let lines = ndjson(&exported(&sim, &["--format", "ndjson"]).await);
    assert_eq!(lines.len(), total);
    assert_eq!(lines[total - 1], json[total - 1]);
}

#[tokio::test(flavor = "multi_thread")]
async fn per_user_records_are_the_engine_figures() {
    let sim = start(Scenario::Townhall).await;
    let mut store = SessionStore::new();
    for page in pages(&sim, None).await {
        store.ingest(&page).unwrap();
    }
    let rows: Vec<_> = store.row_ids().collect();
    // The call has ended: no figure printed here depends on the clock.
    let now = jiff::Timestamp::now().as_nanosecond() as i64;
    let figures = Figures::compute(&store, &rows, now, &Thresholds::default());

    let users = ndjson(&exported(&sim, &["--by", "user", "--format", "ndjson"]).await);
    assert_eq!(users.len(), figures.users.len());
    assert_eq!(users.len() as u64, figures.call.unique_users);
    let printed: std::collections::HashMap<&str, &Value> = users
        .iter()
        .map(|u| (u["user_id"].as_str().unwrap(), u))
        .collect();
    let reconnecting = figures.users.iter().find(|u| u.reconnects > 0).unwrap();
    let multi_device = figures.users.iter().find(|u| u.multi_device()).unwrap();
    for user in [&figures.users[0], reconnecting, multi_device] {
        let record = printed[store.user_name(user.user)];
        assert_eq!(record["sessions"], json!(user.sessions));
        assert_eq!(record["connected_seconds"], json!(user.connected_seconds));
        assert_eq!(record["attended_seconds"], json!(user.attended_seconds()));
        assert_eq!(record["reconnects"], json!(user.reconnects));
        assert_eq!(record["multi_device"], json!(user.multi_device()));
        assert_eq!(record["late"], json!(user.late()));
    }
    let attended: i64 = users
        .iter()
        .map(|u| u["attended_seconds"].as_i64().unwrap())
        .sum();
    assert_eq!(attended, figures.call.attended_seconds);

    let (headers, records) = csv_records(&exported(&sim, &["--by", "user"]).await);
    assert_eq!(records.len(), figures.users.len());
    assert!(headers.iter().any(|h| h == "attendance_percent"));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filter_narrows_the_export_to_what_it_matches() {
    let sim = start(Scenario::Townhall).await;
    let all = pages(&sim, None).await;
    let user = all[0].participants_sessions[0].user_id.clone();
    let theirs = pages(&sim, Some(json!({"user_id": {"$eq": user}}))).await;
    let filter = format!("user:{user}");

    let (_, records) = csv_records(&exported(&sim, &["--filter", &filter]).await);
    assert_eq!(records.len(), row_count(&theirs));
    assert!(records.len() < server_total(&all));
    assert!(records.iter().all(|r| r[0] == *user));

    let hosts = all
        .iter()
        .flat_map(|p| &p.participants_sessions)
        .filter(|r| r.roles.iter().any(|role| role == "host"))
        .count();
    let lines = ndjson(&exported(&sim, &["--filter", "role:host", "--format", "ndjson"]).await);
    assert_eq!(lines.len(), hosts, "a filter applied locally, row by row");

    let by_user = ndjson(
        &exported(
            &sim,
            &["--filter", &filter, "--by", "user", "--format", "ndjson"],
        )
        .await,
    );
    assert_eq!(by_user.len(), 1);
    assert_eq!(by_user[0]["sessions"], json!(row_count(&theirs)));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_time_of_day_filter_keeps_the_sessions_joined_after_it() {
    let sim = start(Scenario::Townhall).await;
    let all = pages(&sim, None).await;
    let started = all[0].session.as_ref().unwrap().started_at.unwrap();
    let minute = 60_000_000_000;
    let cut = (started / minute + 20) * minute;
    let later = all
        .iter()
        .flat_map(|p| &p.participants_sessions)
        .filter(|r| r.joined_at.is_some_and(|at| at > cut))
        .count();
    assert!(later > 0);
    let clock = jiff::Timestamp::from_nanosecond(i128::from(cut))
        .unwrap()
        .strftime("%H:%M")
        .to_string();
    let filter = format!("joined>{clock}");
    let args = ["--filter", &filter, "--tz", "UTC", "--format", "ndjson"];
    assert_eq!(ndjson(&exported(&sim, &args).await).len(), later);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_filter_exits_2_pointing_at_the_fault_and_writes_nothing() {
    let sim = start(Scenario::Small).await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let path_arg = path.to_str().unwrap();
    let output = export(
        &sim,
        SECRET,
        &call_of(&sim),
        &["--filter", "role:host dur>5x", "-o", path_arg],
    )
    .await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    let message = stderr(&output);
    assert!(
        message.contains("malformed --filter at character 15"),
        "{message}"
    );
    let lines: Vec<&str> = message.lines().collect();
    let caret = lines.iter().position(|l| l.trim_start().starts_with('^'));
    let caret = caret.unwrap_or_else(|| panic!("no caret in {message}"));
    assert_eq!(lines[caret - 1], "role:host dur>5x");
    assert!(output.stdout.is_empty());
    assert!(
        dir_entries(dir.path()).is_empty(),
        "no file, not even a temporary one"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_call_exits_4_and_says_what_to_check() {
    let sim = start(Scenario::Small).await;
    let output = export(&sim, SECRET, "default:no-such-call", &["--format", "json"]).await;
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("no such call or session"),
        "{}",
        stderr(&output)
    );
    assert!(output.stdout.is_empty(), "no orphan header or bracket");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_secret_exits_3_and_no_secret_is_ever_printed() {
    let sim = start(Scenario::Small).await;
    let wrong = "wrong-secret-7f3a9c";
    let output = export(&sim, wrong, &call_of(&sim), &[]).await;
    assert_eq!(output.status.code(), Some(3), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("check STREAM_API_SECRET"),
        "{}",
        stderr(&output)
    );
    let good = export(&sim, SECRET, &call_of(&sim), &["--by", "user"]).await;
    assert!(good.status.success());
    for (output, secret) in [(&output, wrong), (&good, SECRET)] {
        for stream in [&output.stdout, &output.stderr] {
            assert!(!String::from_utf8_lossy(stream).contains(secret));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_output_file_is_replaced_only_by_a_complete_export() {
    let sim = start(Scenario::Small).await;
    let total = server_total(&pages(&sim, None).await);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("attendance.csv");
    std::fs::write(&path, "previous export\n").unwrap();
    let path_arg = path.to_str().unwrap();

    let failed = export(&sim, "wrong-secret", &call_of(&sim), &["-o", path_arg]).await;
    assert_eq!(failed.status.code(), Some(3));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous export\n");
    assert_eq!(dir_entries(dir.path()), ["attendance.csv"]);

    let done = export(&sim, SECRET, &call_of(&sim), &["-o", path_arg]).await;
    assert!(done.status.success(), "{}", stderr(&done));
    assert!(done.stdout.is_empty(), "the records go to the file");
    assert!(
        stderr(&done).contains(&format!("wrote {total} records")),
        "{}",
        stderr(&done)
    );
    let (_, records) = csv_records(&std::fs::read(&path).unwrap());
    assert_eq!(records.len(), total);
    assert_eq!(dir_entries(dir.path()), ["attendance.csv"]);
}

async fn start_hostile() -> RunningSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SimConfig {
        scenario: Scenario::Townhall,
        rate_limit: 0,
        hostile_text: true,
        ..SimConfig::default()
    };
    sim::start(config, listener).await.unwrap()
}

/// Whether a spreadsheet would run the cell as a formula (OWASP's starting characters).
fn runs_as_formula(cell: &str) -> bool {
    cell.starts_with(['=', '+', '-', '@', '\t', '\r'])
}

#[tokio::test(flavor = "multi_thread")]
async fn csv_cells_a_spreadsheet_would_run_get_a_quote_unless_raw() {
    let sim = start_hostile().await;
    let rows: Vec<_> = pages(&sim, None)
        .await
        .into_iter()
        .flat_map(|page| page.participants_sessions)
        .collect();
    assert!(rows.iter().any(|row| runs_as_formula(&row.user_id)));
    assert!(rows.iter().any(|row| runs_as_formula(&row.publisher_type)));

    let (headers, records) = csv_records(&exported(&sim, &[]).await);
    assert_eq!(records.len(), rows.len());
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let server_text = ["user_id", "user_session_id", "publisher_type", "roles"].map(column);
    for (record, row) in records.iter().zip(&rows) {
        for index in server_text {
            assert!(!runs_as_formula(&record[index]), "{record:?}");
        }
        let user = &record[column("user_id")];
        match user.strip_prefix('\'') {
            Some(rest) => assert!(runs_as_formula(rest) && rest == row.user_id),
            None => assert_eq!(user, row.user_id),
        }
    }
    assert!(
        records
            .iter()
            .any(|r| r[column("user_id")].starts_with("'=HYPERLINK("))
    );
    assert!(records.iter().any(|r| &r[column("roles")] == "'=1+1"));

    let (_, raw) = csv_records(&exported(&sim, &["--csv-raw"]).await);
    for (record, row) in raw.iter().zip(&rows) {
        assert_eq!(&record[column("user_id")], row.user_id);
        assert_eq!(&record[column("publisher_type")], row.publisher_type);
        assert_eq!(&record[column("roles")], row.roles.join(" "));
    }

    let objects = ndjson(&exported(&sim, &["--format", "ndjson"]).await);
    for (object, row) in objects.iter().zip(&rows) {
        assert_eq!(object["user_id"], row.user_id.as_str(), "JSON is exact");
        assert_eq!(object["roles"], json!(row.roles));
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_into_a_fifo_streams_to_its_reader() {
    let sim = start(Scenario::Small).await;
    let total = server_total(&pages(&sim, None).await);
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("attendance.csv");
    let name = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    // SAFETY: mkfifo reads a NUL-terminated path this test owns.
    assert_eq!(unsafe { libc::mkfifo(name.as_ptr(), 0o600) }, 0);
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read(fifo).unwrap())
    };

    let output = export(
        &sim,
        SECRET,
        &call_of(&sim),
        &["-o", fifo.to_str().unwrap()],
    )
    .await;
    assert!(output.status.success(), "{}", stderr(&output));
    let (_, records) = csv_records(&reader.join().unwrap());
    assert_eq!(records.len(), total, "the reader got every record");
    assert!(stderr(&output).contains(&format!("wrote {total} records")));
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(
        std::os::unix::fs::FileTypeExt::is_fifo(&kind),
        "still a FIFO"
    );
    assert_eq!(dir_entries(dir.path()), ["attendance.csv"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_export_to_dev_stdout_writes_to_stdout_and_leaves_the_link() {
    let sim = start(Scenario::Small).await;
    let total = server_total(&pages(&sim, None).await);
    let before = std::fs::read_link("/dev/stdout").ok();
    let output = export(&sim, SECRET, &call_of(&sim), &["-o", "/dev/stdout"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let (_, records) = csv_records(&output.stdout);
    assert_eq!(records.len(), total);
    assert_eq!(std::fs::read_link("/dev/stdout").ok(), before, "untouched");
}

#[tokio::test(flavor = "multi_thread")]
async fn dash_as_the_output_is_stdout_never_a_file_named_dash() {
    let sim = start(Scenario::Small).await;
    let total = server_total(&pages(&sim, None).await);
    let dir = tempfile::tempdir().unwrap();
    for by in ["session", "user"] {
        let output = export_in(
            &sim,
            SECRET,
            &call_of(&sim),
            &["-o", "-", "--by", by],
            dir.path(),
        )
        .await;
        assert!(output.status.success(), "{}", stderr(&output));
        let (_, records) = csv_records(&output.stdout);
        assert!(!records.is_empty(), "--by {by}: the records are on stdout");
        if by == "session" {
            assert_eq!(records.len(), total);
        }
        assert_eq!(dir_entries(dir.path()), Vec::<String>::new(), "--by {by}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_directory_is_refused_once_and_plainly() {
    let sim = start(Scenario::Small).await;
    let dir = tempfile::tempdir().unwrap();
    let output = export(
        &sim,
        SECRET,
        &call_of(&sim),
        &["-o", dir.path().to_str().unwrap()],
    )
    .await;
    assert_eq!(output.status.code(), Some(1));
    let said = stderr(&output);
    assert!(said.contains("is a directory"), "{said}");
    assert_eq!(said.matches("os error").count(), 0, "{said}");
    assert_eq!(dir_entries(dir.path()), Vec::<String>::new());
}

/// Starts `headcount export -o PATH`, which the sim will keep waiting (see below).
fn spawn_export(base_url: &str, session: &str, call: &str, path: &Path) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_headcount"))
        .arg("export")
        .arg(call)
        .args(["--session", session, "-o", path.to_str().unwrap()])
        .env("STREAM_BASE_URL", base_url)
        .env("STREAM_API_KEY", KEY)
        .env("STREAM_API_SECRET", SECRET)
        .env("HEADCOUNT_CONFIG", path.with_file_name("absent.toml"))
        .env_remove("HEADCOUNT_PROFILE")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// Waits until a file other than `path` in its directory (the export's temporary file) holds
/// records; false after a minute.
fn temporary_file_written(path: &Path) -> bool {
    let started = std::time::Instant::now();
    while started.elapsed().as_secs() < 60 {
        let written = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|entry| entry.unwrap())
            .filter(|entry| entry.file_name() != path.file_name().unwrap())
            .any(|entry| entry.metadata().is_ok_and(|m| m.len() > 0));
        if written {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    false
}

#[tokio::test(flavor = "multi_thread")]
async fn an_interrupted_export_leaves_no_temporary_file_and_the_old_file_intact() {
    for (signal, code) in [
        (libc::SIGINT, 130),
        (libc::SIGTERM, 143),
        (libc::SIGHUP, 129),
    ] {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = SimConfig {
            scenario: Scenario::Townhall,
            rate_limit: 2,
            ..SimConfig::default()
        };
        let sim = sim::start(config, listener).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("attendance.csv");
        std::fs::write(&path, "previous export\n").unwrap();
        let (base_url, session, call) =
            (sim.base_url(), sim.session_id().to_owned(), call_of(&sim));
        let path_arg = path.clone();
        // Its rate limit spent after two pages, for a minute, the sim keeps the export waiting
        // with records in its temporary file.
        let output = tokio::task::spawn_blocking(move || {
            let child = spawn_export(&base_url, &session, &call, &path_arg);
            let written = temporary_file_written(&path_arg);
            // SAFETY: kill sends a signal to the child this test started.
            assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, signal) }, 0);
            let output = child.wait_with_output().unwrap();
            assert!(written, "no temporary file appeared: {}", stderr(&output));
            output
        })
        .await
        .unwrap();
        assert_eq!(output.status.code(), Some(code), "{}", stderr(&output));
        assert_eq!(
            dir_entries(dir.path()),
            ["attendance.csv"],
            "signal {signal}"
        );
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "previous export\n");
    }
}

/// Per user, the messy scenario's figures follow the attendance definitions: a leave not
/// recorded counts until the session's end, a negative row never erases the user's real time,
/// and each user names their problem rows.
#[tokio::test(flavor = "multi_thread")]
async fn per_user_figures_of_messy_rows_are_flagged_and_never_bent() {
    let sim = start(Scenario::Messy).await;
    let json: Value =
        serde_json::from_slice(&exported(&sim, &["--by", "user", "--format", "json"]).await)
            .unwrap();
    let user = |id: &str| {
        json.as_array()
            .unwrap()
            .iter()
            .find(|u| u["user_id"] == id)
            .unwrap_or_else(|| panic!("no {id} in {json}"))
            .clone()
    };
    let ghost = user("ghost-user");
    assert_eq!(ghost["attended_seconds"], json!(3000));
    assert_eq!(ghost["connected_seconds"], json!(2280 + 300));
    assert_eq!(ghost["in_call_now"], json!(false));
    assert_eq!(
        ghost["data_quality"]["leave_not_recorded"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let skewed = user("skewed-clock");
    assert_eq!(skewed["attended_seconds"], json!(600));
    assert_eq!(skewed["connected_seconds"], json!(600));
    assert!(skewed["data_quality"]["negative_duration"].is_array());
    assert_eq!(user("overflow")["attended_seconds"], json!(0));
    assert_eq!(user("overflow")["connected_seconds"], json!(0));
    for record in json.as_array().unwrap() {
        let (attended, window) = (
            record["attended_seconds"].as_i64().unwrap(),
            record["window_seconds"].as_i64().unwrap(),
        );
        assert_eq!(window, 3600);
        let sheet = ((attended * 1000) as f64 / window as f64 + 0.5).floor() / 10.0;
        assert_eq!(record["attendance_percent"], json!(sheet), "{record}");
    }
    let sessions: Value =
        serde_json::from_slice(&exported(&sim, &["--format", "json"]).await).unwrap();
    let flagged: Vec<&Value> = sessions
        .as_array()
        .unwrap()
        .iter()
        .filter(|row| !row["problems"].as_array().unwrap().is_empty())
        .collect();
    assert_eq!(flagged.len(), 9);
    let skewed = flagged
        .iter()
        .find(|row| row["user_id"] == "skewed-clock")
        .unwrap();
    assert_eq!(
        skewed["problems"],
        json!(["leave_before_join", "negative_duration"])
    );
    assert_eq!(
        skewed["duration_seconds"],
        json!(-600),
        "the API's own value"
    );
}

/// A sim whose `session` object is shown as `object`, ended or live. A live one is frozen
/// (its clock at a thousandth of the wall's), so that the commands of one check see one
/// present.
async fn start_with_session(
    scenario: Scenario,
    object: sim::SessionObject,
    live: bool,
) -> RunningSim {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = SimConfig {
        scenario,
        rate_limit: 0,
        live,
        speed: if live { 0.001 } else { 1.0 },
        session_object: object,
        ..SimConfig::default()
    };
    sim::start(config, listener).await.unwrap()
}

/// The JSON a command printed; it must exit 0.
async fn printed(sim: &RunningSim, words: &[&str]) -> Value {
    let config_dir = tempfile::tempdir().unwrap();
    let call = call_of(sim);
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_headcount"));
    command
        .arg(words[0])
        .arg(&call)
        .args(["--session", sim.session_id(), "--tz", "UTC"])
        .args(&words[1..])
        .env("STREAM_BASE_URL", sim.base_url())
        .env("STREAM_API_KEY", KEY)
        .env("STREAM_API_SECRET", SECRET)
        .env("HEADCOUNT_CONFIG", config_dir.path().join("absent.toml"))
        .env_remove("HEADCOUNT_PROFILE");
    let output = tokio::task::spawn_blocking(move || command.output().unwrap())
        .await
        .unwrap();
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{words:?}: {said}");
    let text = String::from_utf8(output.stdout).unwrap();
    if words.contains(&"ndjson") {
        return Value::Array(ndjson(text.as_bytes()));
    }
    if words.contains(&"csv") {
        let (headers, records) = csv_records(text.as_bytes());
        let objects = records
            .iter()
            .map(|record| {
                let pairs = headers.iter().zip(record.iter());
                Value::Object(pairs.map(|(h, v)| (h.to_owned(), json!(v))).collect())
            })
            .collect();
        return Value::Array(objects);
    }
    serde_json::from_str(&text).unwrap()
}

/// `kind → user_session_ids` from the `problems` of session records (a list in JSON, words
/// in CSV).
fn problems_of_records(records: &[Value]) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut kinds: std::collections::BTreeMap<String, Vec<String>> =
        std::collections::BTreeMap::new();
    for record in records {
        let id = record["user_session_id"].as_str().unwrap().to_owned();
        let names: Vec<String> = match &record["problems"] {
            Value::Array(names) => names
                .iter()
                .map(|n| n.as_str().unwrap().to_owned())
                .collect(),
            Value::String(words) => words.split_whitespace().map(str::to_owned).collect(),
            other => panic!("problems: {other}"),
        };
        for name in names {
            kinds.entry(name).or_default().push(id.clone());
        }
    }
    kinds.values_mut().for_each(|ids| ids.sort());
    kinds
}

/// `kind → user_session_ids` from `totals`' `data_quality`.
fn problems_of_totals(totals: &Value) -> std::collections::BTreeMap<String, Vec<String>> {
    let problems = totals["data_quality"]["problems"].as_object().unwrap();
    problems
        .iter()
        .map(|(kind, entry)| {
            let mut ids: Vec<String> = entry["user_session_ids"]
                .as_array()
                .unwrap()
                .iter()
                .map(|id| id.as_str().unwrap().to_owned())
                .collect();
            ids.sort();
            (kind.clone(), ids)
        })
        .collect()
}

/// `HH:MM` (UTC) of the instant `share` of the way through `totals`' window.
fn time_in_window(totals: &Value, share: f64) -> String {
    let at =
        |key: &str| -> jiff::Timestamp { totals["window"][key].as_str().unwrap().parse().unwrap() };
    let (start, end) = (at("started_at"), at("ended_at"));
    let span = end.as_second() - start.as_second();
    let instant =
        jiff::Timestamp::from_second(start.as_second() + (span as f64 * share) as i64).unwrap();
    instant.strftime("%H:%M").to_string()
}

/// Every output judges rows and reads filter times from the same facts of the session
/// (window, ended or live, present), whatever the `session` object shows: `totals`, `export`
/// one record per session in each format, and `--by user` keep the same sessions and flag the
/// same problems.
async fn every_output_reads_the_session_alike(scenario: Scenario, live: bool) {
    use sim::SessionObject;
    for object in [
        SessionObject::Full,
        SessionObject::NoTimes,
        SessionObject::Null,
        SessionObject::Absent,
    ] {
        let sim = start_with_session(scenario, object, live).await;
        let case = format!("{scenario:?} {object:?} live={live}");
        let whole = printed(&sim, &["totals", "--format", "json"]).await;
        let flagged = problems_of_totals(&whole);
        for format in ["csv", "json", "ndjson"] {
            let records = printed(&sim, &["export", "--format", format]).await;
            let records = records.as_array().unwrap();
            assert_eq!(
                json!(records.len()),
                whole["filtered"]["sessions"],
                "{case} {format}"
            );
            assert_eq!(problems_of_records(records), flagged, "{case} {format}");
        }
        let early = time_in_window(&whole, 0.4);
        let late = time_in_window(&whole, 0.6);
        let filters = [
            "open".to_owned(),
            "!open".to_owned(),
            "problem".to_owned(),
            "dur>1m".to_owned(),
            format!("joined<{early}"),
            format!("left>{late}"),
        ];
        for filter in &filters {
            let with = |words: &[&'static str]| {
                let mut words: Vec<&str> = words.to_vec();
                words.extend(["--filter", filter.as_str()]);
                words
            };
            let totals = printed(&sim, &with(&["totals", "--format", "json"])).await;
            let kept = &totals["filtered"]["sessions"];
            let records = printed(&sim, &with(&["export", "--format", "ndjson"])).await;
            assert_eq!(
                &json!(records.as_array().unwrap().len()),
                kept,
                "{case} {filter}"
            );
            let users = printed(&sim, &with(&["export", "--by", "user", "--format", "json"])).await;
            let sessions: i64 = users
                .as_array()
                .unwrap()
                .iter()
                .map(|user| user["sessions"].as_i64().unwrap())
                .sum();
            assert_eq!(&json!(sessions), kept, "{case} {filter} --by user");
        }
        if flagged.is_empty() {
            // Clean rows: each record's duration is the figures' (an open one up to now).
            let records = printed(&sim, &["export", "--format", "ndjson"]).await;
            let records = records.as_array().unwrap();
            let summed: i64 = records
                .iter()
                .map(|record| record["duration_seconds"].as_i64().unwrap())
                .sum();
            // Each command reads the server's present from a `Date` header, to the second:
            // an open row may count one second more in one than in the other.
            let open = records.iter().filter(|r| r["left_utc"].is_null()).count() as i64;
            let figures = whole["filtered"]["duration_seconds"].as_i64().unwrap();
            assert!(
                (summed - figures).abs() <= open,
                "{case}: {summed} vs {figures}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_output_reads_an_ended_session_alike_whatever_its_session_object() {
    every_output_reads_the_session_alike(Scenario::Messy, false).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn every_output_reads_a_live_session_alike_whatever_its_session_object() {
    every_output_reads_the_session_alike(Scenario::Messy, true).await;
    every_output_reads_the_session_alike(Scenario::Small, true).await;
}

/// In a live call, an open row counts up to the server's present and is no problem, as in
/// `totals`: not a leave not recorded.
#[tokio::test(flavor = "multi_thread")]
async fn an_open_row_of_a_live_call_is_exported_open_not_as_a_lost_leave() {
    let sim = start_with_session(Scenario::Small, sim::SessionObject::Full, true).await;
    let records = printed(&sim, &["export", "--format", "ndjson"]).await;
    let open: Vec<&Value> = records
        .as_array()
        .unwrap()
        .iter()
        .filter(|record| record["left_utc"].is_null())
        .collect();
    assert!(!open.is_empty(), "the live call has people in it");
    for record in &open {
        assert_eq!(record["problems"], json!([]), "{record}");
        assert!(
            record["duration_seconds"].as_i64().unwrap() >= 0,
            "{record}"
        );
    }
    let kept = printed(&sim, &["export", "--format", "ndjson", "--filter", "open"]).await;
    assert_eq!(kept.as_array().unwrap().len(), open.len());
}

/// A reader that stops early (`export … | head`) ends the export quietly, with status 0.
#[tokio::test(flavor = "multi_thread")]
async fn a_reader_closing_the_pipe_ends_the_export_quietly() {
    // More than the CSV writer's own buffer, which reports the closed pipe in its own error.
    let sim = start(Scenario::Townhall).await;
    for format in ["csv", "ndjson"] {
        let config_dir = tempfile::tempdir().unwrap();
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_headcount"));
        command
            .arg("export")
            .arg(call_of(&sim))
            .args(["--session", sim.session_id(), "--format", format])
            .env("STREAM_BASE_URL", sim.base_url())
            .env("STREAM_API_KEY", KEY)
            .env("STREAM_API_SECRET", SECRET)
            .env("HEADCOUNT_CONFIG", config_dir.path().join("absent.toml"))
            .env_remove("HEADCOUNT_PROFILE")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let output = tokio::task::spawn_blocking(move || {
            let mut child = command.spawn().unwrap();
            // The reader is gone before the first record.
            drop(child.stdout.take());
            child.wait_with_output().unwrap()
        })
        .await
        .unwrap();
        assert_eq!(output.status.code(), Some(0), "{format}");
        assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{format}");
    }
}

/// On a terminal, the server's text is shown with its controls escaped: a user id cannot
/// clear the screen, set the title or replace the clipboard.
#[tokio::test(flavor = "multi_thread")]
async fn an_export_to_a_terminal_escapes_the_servers_controls() {
    use portable_pty::{CommandBuilder, PtySize, native_pty_system};
    use std::io::Read;
    let sim = start_hostile().await;
    for format in ["csv", "ndjson"] {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 200,
                pixel_width: 0,
                pixel_height: 0,
            })
            .unwrap();
        let config_dir = tempfile::tempdir().unwrap();
        // Only stdout is the terminal: stderr (progress) goes to a file.
        let mut command = CommandBuilder::new("sh");
        command.args([
            "-c",
            "exec \"$0\" \"$@\" 2>/dev/null",
            env!("CARGO_BIN_EXE_headcount"),
            "export",
            &call_of(&sim),
            "--session",
            sim.session_id(),
            "--format",
            format,
        ]);
        command.env("STREAM_BASE_URL", sim.base_url());
        command.env("STREAM_API_KEY", KEY);
        command.env("STREAM_API_SECRET", SECRET);
        command.env("HEADCOUNT_CONFIG", config_dir.path().join("absent.toml"));
        let mut child = pty.slave.spawn_command(command).unwrap();
        drop(pty.slave);
        let mut reader = pty.master.try_clone_reader().unwrap();
        let seen = tokio::task::spawn_blocking(move || {
            let mut seen = Vec::new();
            // Ends when the child closes the terminal (EIO on Linux).
            let mut buffer = [0; 8192];
            while let Ok(n) = reader.read(&mut buffer) {
                if n == 0 {
                    break;
                }
                seen.extend_from_slice(&buffer[..n]);
            }
            seen
        });
        let status = tokio::task::spawn_blocking(move || child.wait().unwrap())
            .await
            .unwrap();
        drop(pty.master);
        let seen = String::from_utf8(seen.await.unwrap()).unwrap();
        assert!(status.success(), "{format}: {seen}");
        assert!(seen.contains("user_session_id"), "{format}: {seen}");
        let controls: Vec<char> = seen
            .chars()
            .filter(|&c| {
                (c.is_control() && c != '\n' && c != '\r')
                    || ('\u{202a}'..='\u{202e}').contains(&c)
                    || ('\u{2066}'..='\u{2069}').contains(&c)
            })
            .collect();
        assert!(controls.is_empty(), "{format}: {controls:?}");
        assert!(
            seen.contains("\\x1b"),
            "{format}: the controls are shown escaped"
        );
    }
}
