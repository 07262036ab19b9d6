//! Messy rows and exact time, end to end: crafted sessions served page for page
//! (`sim --from`), read by the real binary. Each case is one a bug report named, with its
//! right value; a messy row is flagged and explained, never spread into anyone's figures, and
//! the command exits 0 because nothing is missing.

mod sim_support;

use serde_json::{Value, json};
use sim_support::Harness;
use sim_support::cli::{args, headcount, stderr};
use sim_support::pages::{Crafted, MINUTE, SESSION, T0, row};

const CALL: &str = "default:crafted";

/// A row as the API may send it, times in Unix ns and each value possibly missing.
fn raw(
    user: &str,
    id: &str,
    joined_at: Option<i64>,
    left_at: Option<i64>,
    duration: Option<i64>,
) -> Value {
    json!({
        "user_id": user,
        "user_session_id": id,
        "publisher_type": "webrtc",
        "roles": ["user"],
        "joined_at": joined_at,
        "left_at": left_at,
        "duration_in_seconds": duration,
    })
}

/// One page of `rows`, with the totals Stream would give for them.
fn crafted(rows: Vec<Value>) -> Crafted {
    let total_duration = rows
        .iter()
        .filter_map(|row| row["duration_in_seconds"].as_i64())
        .sum();
    Crafted {
        total_sessions: rows.len() as i64,
        total_duration,
        pages: vec![rows],
    }
}

async fn run(sim: &Harness, words: &[&str]) -> std::process::Output {
    let mut command = args([words[0], CALL, "--session", SESSION]);
    command.extend(args(&words[1..]));
    headcount(&sim.base_url(), command, &[]).await
}

/// The standard output of a command that must exit 0.
async fn output(sim: &Harness, words: &[&str]) -> String {
    let output = run(sim, words).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    String::from_utf8(output.stdout).unwrap()
}

async fn json_of(sim: &Harness, words: &[&str]) -> Value {
    serde_json::from_str(&output(sim, words).await).unwrap()
}

fn user<'a>(users: &'a Value, id: &str) -> &'a Value {
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["user_id"] == id)
        .unwrap_or_else(|| panic!("no {id} in {users}"))
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unrecorded_leave_ends_at_the_sessions_end_and_is_flagged() {
    let (sim, _dir) = crafted(vec![
        row("u-host", "e-1", 0, 60),
        raw("u-ghost", "e-2", Some(T0 + 10 * MINUTE), None, None),
        row("u-ghost", "e-3", 12, 50),
    ])
    .serve()
    .await;
    let users = json_of(&sim, &["export", "--by", "user", "--format", "json"]).await;
    let ghost = user(&users, "u-ghost");
    assert_eq!(ghost["attended_seconds"], json!(3000));
    assert_eq!(ghost["connected_seconds"], json!(2280));
    assert_eq!(ghost["in_call_now"], json!(false));
    assert_eq!(
        ghost["data_quality"],
        json!({"leave_not_recorded": ["e-2"]})
    );
    assert_eq!(user(&users, "u-host")["data_quality"], json!({}));
    let totals = json_of(&sim, &["totals", "--format", "json"]).await;
    assert_eq!(totals["complete"], json!(true));
    let quality = &totals["data_quality"];
    assert_eq!(quality["rows_with_problems"], json!(1));
    assert_eq!(
        quality["problems"]["leave_not_recorded"]["user_session_ids"],
        json!(["e-2"])
    );
    assert_eq!(totals["filtered"]["attended_seconds"], json!(3600 + 3000));
    let table = output(&sim, &["totals", "--tz", "UTC"]).await;
    assert!(table.contains("leave not recorded"), "{table}");
    assert!(table.contains("1 (e-2)"), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_negative_row_never_erases_its_users_real_time() {
    let (sim, _dir) = crafted(vec![
        row("u-ok", "j-1", 0, 60),
        raw(
            "u-skew",
            "j-2",
            Some(T0 + 30 * MINUTE),
            Some(T0 + 20 * MINUTE),
            Some(-600),
        ),
        row("u-skew", "j-3", 31, 41),
    ])
    .serve()
    .await;
    let users = json_of(&sim, &["export", "--by", "user", "--format", "json"]).await;
    let skew = user(&users, "u-skew");
    assert_eq!(skew["attended_seconds"], json!(600));
    assert_eq!(skew["connected_seconds"], json!(600));
    assert_eq!(
        skew["data_quality"],
        json!({"leave_before_join": ["j-2"], "negative_duration": ["j-2"]})
    );
    let sessions = json_of(&sim, &["export", "--format", "json"]).await;
    let negative = sessions
        .as_array()
        .unwrap()
        .iter()
        .find(|row| row["user_session_id"] == "j-2")
        .unwrap();
    assert_eq!(
        negative["duration_seconds"],
        json!(-600),
        "the API's own value"
    );
    let totals = json_of(&sim, &["totals", "--format", "json"]).await;
    assert_eq!(totals["total_participant_duration"], json!(3600));
    assert_eq!(totals["filtered"]["duration_seconds"], json!(4200));
    assert_eq!(
        totals["data_quality"]["duration_seconds_ignored"],
        json!(-600)
    );
    let flagged = json_of(&sim, &["totals", "--format", "json", "--filter", "problem"]).await;
    assert_eq!(flagged["filtered"]["sessions"], json!(1));
}

/// 2026-05-12T18:00Z → 18:30Z, which Kathmandu (+05:45) sees as 23:45 → 00:15.
#[tokio::test(flavor = "multi_thread")]
async fn a_bare_time_across_midnight_is_found_in_the_call_window() {
    let start = T0 + 9 * 60 * MINUTE;
    let (sim, _dir) = crafted(vec![
        raw("a", "m-1", Some(start), Some(start + 5 * MINUTE), Some(300)),
        raw(
            "b",
            "m-2",
            Some(start),
            Some(start + 15 * MINUTE),
            Some(900),
        ),
        raw(
            "c",
            "m-3",
            Some(start),
            Some(start + 30 * MINUTE),
            Some(1800),
        ),
    ])
    .serve_session(start, start + 30 * MINUTE)
    .await;
    let words = [
        "totals",
        "--format",
        "json",
        "--tz",
        "Asia/Kathmandu",
        "--filter",
        "left>00:10",
    ];
    let totals = json_of(&sim, &words).await;
    assert_eq!(totals["filtered"]["sessions"], json!(1));
    assert_eq!(
        totals["filter_times"],
        json!([{"text": "00:10", "at": "2026-05-12T18:25:00Z", "note": null}])
    );
    let table = output(
        &sim,
        &["totals", "--tz", "Asia/Kathmandu", "--filter", "left>00:10"],
    )
    .await;
    assert!(
        table.contains("00:10 = 2026-05-13 00:10:00 +05:45"),
        "{table}"
    );
    assert!(
        table.contains("2026-05-12 23:45:00 → 2026-05-13 00:15:00 (Asia/Kathmandu)"),
        "{table}"
    );
    // A time the window does not hold is refused, with a date to write instead.
    let outside = run(
        &sim,
        &[
            "totals",
            "--tz",
            "Asia/Kathmandu",
            "--filter",
            "joined>12:00",
        ],
    )
    .await;
    assert_eq!(outside.status.code(), Some(2), "{}", stderr(&outside));
    assert!(
        stderr(&outside).contains("not inside the call window"),
        "{}",
        stderr(&outside)
    );
}

/// A call over the night Paris moves to summer time: the window shows both offsets, and the
/// grouping of a filter is printed.
#[tokio::test(flavor = "multi_thread")]
async fn a_window_over_a_change_of_offset_shows_both_and_the_grouping_is_printed() {
    // 2026-03-29 00:30Z → 01:30Z: 01:30 +01:00 → 03:30 +02:00 in Paris.
    let start = 1_774_744_200_000_000_000;
    let (sim, _dir) = crafted(vec![
        raw(
            "host",
            "d-1",
            Some(start),
            Some(start + 60 * MINUTE),
            Some(3600),
        ),
        raw(
            "bot",
            "d-2",
            Some(start),
            Some(start + 60 * MINUTE),
            Some(3600),
        ),
    ])
    .serve_session(start, start + 60 * MINUTE)
    .await;
    let table = output(
        &sim,
        &[
            "totals",
            "--tz",
            "Europe/Paris",
            "--filter",
            "user:host or dur>10m !bot",
        ],
    )
    .await;
    assert!(
        table.contains("2026-03-29 01:30:00 +01:00 → 2026-03-29 03:30:00 +02:00"),
        "{table}"
    );
    assert!(
        table.contains("read as                   user:host or (dur>10m !bot)"),
        "{table}"
    );
    let gap = run(
        &sim,
        &["totals", "--tz", "Europe/Paris", "--filter", "joined>02:30"],
    )
    .await;
    assert_eq!(gap.status.code(), Some(2), "{}", stderr(&gap));
    assert!(stderr(&gap).contains("does not exist"), "{}", stderr(&gap));
}

/// How many sessions `filter` keeps, by `totals`, by `export` (one record per session) and
/// by `export --by user` (the users' sessions added up): the three must agree.
async fn kept_by_every_output(sim: &Harness, filter: &str) -> i64 {
    let base = ["--tz", "UTC", "--filter", filter];
    let mut totals_words = vec!["totals", "--format", "json"];
    totals_words.extend(base);
    let totals = json_of(sim, &totals_words).await["filtered"]["sessions"]
        .as_i64()
        .unwrap();
    let mut session_words = vec!["export", "--format", "json"];
    session_words.extend(base);
    let sessions = json_of(sim, &session_words).await.as_array().unwrap().len() as i64;
    let mut user_words = vec!["export", "--by", "user", "--format", "json"];
    user_words.extend(base);
    let by_user: i64 = json_of(sim, &user_words)
        .await
        .as_array()
        .unwrap()
        .iter()
        .map(|user| user["sessions"].as_i64().unwrap())
        .sum();
    assert_eq!((sessions, by_user), (totals, totals), "{filter}");
    totals
}

/// A time headcount flags and ignores is absent for the filter too: it matches neither
/// `joined<T` nor `joined>T`, as it counts in no figure.
#[tokio::test(flavor = "multi_thread")]
async fn an_ignored_time_matches_no_time_filter() {
    let (sim, _dir) = crafted(vec![
        row("u-ok", "t-1", 0, 60),
        // Both ends past any clock (1677 and 2262, Unix ns at their limits).
        raw(
            "u-overflow",
            "t-2",
            Some(i64::MIN),
            Some(i64::MAX),
            Some(60),
        ),
        // A leave before the join: the pair is ignored.
        raw(
            "u-skew",
            "t-3",
            Some(T0 + 30 * MINUTE),
            Some(T0 + 20 * MINUTE),
            Some(-600),
        ),
        // A join in 1970: only the join is ignored, the leave stands.
        raw("u-epoch", "t-4", Some(0), Some(T0 + 50 * MINUTE), Some(300)),
    ])
    .serve()
    .await;
    // The session is 09:00 → 10:00 UTC.
    assert_eq!(kept_by_every_output(&sim, "joined<10:00").await, 1);
    assert_eq!(kept_by_every_output(&sim, "joined>=09:00").await, 1);
    assert_eq!(
        kept_by_every_output(&sim, "joined<10:00 or joined>=10:00").await,
        1
    );
    assert_eq!(kept_by_every_output(&sim, "left>09:57").await, 1);
    assert_eq!(kept_by_every_output(&sim, "left<=10:00").await, 2);
    assert_eq!(
        kept_by_every_output(&sim, "left<09:00 or left>=09:00").await,
        2
    );
    assert_eq!(kept_by_every_output(&sim, "").await, 4);
}

/// Stream sums `duration_in_seconds` as sent, so one row of `i64::MIN + 1` seconds makes its
/// total absurd (`i64::MIN` itself reads as absent). The row is named; the total is shown as
/// sent with the word "impossible", never as `-106751991167299d 21h`; headcount's own figures
/// stay whole.
#[tokio::test(flavor = "multi_thread")]
async fn an_absurd_duration_makes_the_servers_total_impossible_never_a_length() {
    let rows = vec![
        row("u-ok", "o-1", 0, 60),
        raw(
            "u-overflow",
            "o-2",
            Some(T0),
            Some(T0 + 60 * MINUTE),
            Some(i64::MIN + 1),
        ),
    ];
    let total_duration = i64::MIN + 1 + 3600;
    let (sim, _dir) = Crafted {
        total_sessions: 2,
        total_duration,
        pages: vec![rows],
    }
    .serve()
    .await;
    let table = output(&sim, &["totals", "--tz", "UTC"]).await;
    assert!(
        table.contains(&format!(
            "Participant duration      {total_duration} s, impossible (below zero)"
        )),
        "{table}"
    );
    assert!(!table.contains("106751991"), "no wrapped figure: {table}");
    assert!(table.contains("absurd value            1 (o-2)"), "{table}");
    assert!(
        table.contains("Connected time            1.0 person-hours (3600 s)"),
        "{table}"
    );
    let totals = json_of(&sim, &["totals", "--format", "json"]).await;
    assert_eq!(totals["total_participant_duration"], json!(total_duration));
    assert_eq!(totals["filtered"]["duration_seconds"], json!(3600));
    let overflow = user(
        &json_of(&sim, &["export", "--by", "user", "--format", "json"]).await,
        "u-overflow",
    )
    .clone();
    assert_eq!(overflow["connected_seconds"], json!(0));
    assert_eq!(overflow["attended_seconds"], json!(3600));
}

/// Rows as messy as Stream's can be, over two pages: text with quotes, commas, line breaks,
/// tabs and non-ASCII (escaped in the body), a formula, `null` and absent fields, unknown
/// fields, times and integers as strings, many roles, an unrecorded leave, a leave before the
/// join, no times at all, and a row sent again on the next page.
fn messy_pages() -> Crafted {
    let first = vec![
        json!({
            "user_id": "ann \"the host\", esq.", "user_session_id": "id,with\nbreak",
            "publisher_type": null, "roles": null, "joined_at": T0,
            "left_at": "2026-05-12T09:30:00Z", "duration_in_seconds": "1800",
            "is_live": false, "published_tracks": [{"kind": "audio"}], "extra": {"x": [1, null]}
        }),
        json!({
            "user_id": "=HYPERLINK(\"x\")", "user_session_id": "café\t\\ü",
            "publisher_type": "rtmp", "roles": ["host", "user", "admin", "x", "y,z"],
            "joined_at": (T0 + 5 * MINUTE).to_string(), "left_at": null,
            "duration_in_seconds": null
        }),
        json!({"user_id": "no-times", "user_session_id": "n-1", "joined_at": null}),
    ];
    let second = vec![
        first[2].clone(),
        raw(
            "u-skew",
            "j-2",
            Some(T0 + 40 * MINUTE),
            Some(T0 + 35 * MINUTE),
            Some(-300),
        ),
        row("\u{202e}bidi", "b-1", 50, 60),
    ];
    Crafted {
        total_sessions: 5,
        total_duration: 1800 - 300 + 600,
        pages: vec![first, second],
    }
}

// Written by the export before its rows were read borrowed from the page (the second line
// break is inside the quoted `user_session_id`).
const MESSY_CSV: &str = concat!(
    "user_id,user_session_id,joined_utc,joined_local,left_utc,left_local,duration_seconds,publisher_type,roles,problems,zone\n",
    "\"ann \"\"the host\"\", esq.\",\"id,with\n",
    "break\",2026-05-12T09:00:00Z,2026-05-12T14:45:00+05:45,2026-05-12T09:30:00Z,2026-05-12T15:15:00+05:45,1800,,,,Asia/Kathmandu\n",
    "\"'=HYPERLINK(\"\"x\"\")\",café\t\\ü,2026-05-12T09:05:00Z,2026-05-12T14:50:00+05:45,,,,rtmp,\"host user admin x y,z\",leave_not_recorded,Asia/Kathmandu\n",
    "no-times,n-1,,,,,,,,no_times_recorded,Asia/Kathmandu\n",
    "u-skew,j-2,2026-05-12T09:40:00Z,2026-05-12T15:25:00+05:45,2026-05-12T09:35:00Z,2026-05-12T15:20:00+05:45,-300,webrtc,user,leave_before_join negative_duration,Asia/Kathmandu\n",
    "\u{202e}bidi,b-1,2026-05-12T09:50:00Z,2026-05-12T15:35:00+05:45,2026-05-12T10:00:00Z,2026-05-12T15:45:00+05:45,600,webrtc,user,,Asia/Kathmandu\n",
);
const MESSY_NDJSON: &str = concat!(
    "{\"user_id\":\"ann \\\"the host\\\", esq.\",\"user_session_id\":\"id,with\\nbreak\",\"joined_utc\":\"2026-05-12T09:00:00Z\",\"joined_local\":\"2026-05-12T14:45:00+05:45\",\"left_utc\":\"2026-05-12T09:30:00Z\",\"left_local\":\"2026-05-12T15:15:00+05:45\",\"duration_seconds\":1800,\"publisher_type\":\"\",\"roles\":[],\"problems\":[],\"zone\":\"Asia/Kathmandu\"}\n",
    "{\"user_id\":\"=HYPERLINK(\\\"x\\\")\",\"user_session_id\":\"café\\t\\\\ü\",\"joined_utc\":\"2026-05-12T09:05:00Z\",\"joined_local\":\"2026-05-12T14:50:00+05:45\",\"left_utc\":null,\"left_local\":null,\"duration_seconds\":null,\"publisher_type\":\"rtmp\",\"roles\":[\"host\",\"user\",\"admin\",\"x\",\"y,z\"],\"problems\":[\"leave_not_recorded\"],\"zone\":\"Asia/Kathmandu\"}\n",
    "{\"user_id\":\"no-times\",\"user_session_id\":\"n-1\",\"joined_utc\":null,\"joined_local\":null,\"left_utc\":null,\"left_local\":null,\"duration_seconds\":null,\"publisher_type\":\"\",\"roles\":[],\"problems\":[\"no_times_recorded\"],\"zone\":\"Asia/Kathmandu\"}\n",
    "{\"user_id\":\"u-skew\",\"user_session_id\":\"j-2\",\"joined_utc\":\"2026-05-12T09:40:00Z\",\"joined_local\":\"2026-05-12T15:25:00+05:45\",\"left_utc\":\"2026-05-12T09:35:00Z\",\"left_local\":\"2026-05-12T15:20:00+05:45\",\"duration_seconds\":-300,\"publisher_type\":\"webrtc\",\"roles\":[\"user\"],\"problems\":[\"leave_before_join\",\"negative_duration\"],\"zone\":\"Asia/Kathmandu\"}\n",
    "{\"user_id\":\"\u{202e}bidi\",\"user_session_id\":\"b-1\",\"joined_utc\":\"2026-05-12T09:50:00Z\",\"joined_local\":\"2026-05-12T15:35:00+05:45\",\"left_utc\":\"2026-05-12T10:00:00Z\",\"left_local\":\"2026-05-12T15:45:00+05:45\",\"duration_seconds\":600,\"publisher_type\":\"webrtc\",\"roles\":[\"user\"],\"problems\":[],\"zone\":\"Asia/Kathmandu\"}\n",
);
const MESSY_UNWINDOWED_CSV: &str = concat!(
    "user_id,user_session_id,joined_utc,joined_local,left_utc,left_local,duration_seconds,publisher_type,roles,problems,zone\n",
    "\"ann \"\"the host\"\", esq.\",\"id,with\n",
    "break\",2026-05-12T09:00:00Z,2026-05-12T14:45:00+05:45,2026-05-12T09:30:00Z,2026-05-12T15:15:00+05:45,1800,,,,Asia/Kathmandu\n",
    "no-times,n-1,,,,,,,,no_times_recorded,Asia/Kathmandu\n",
    "u-skew,j-2,2026-05-12T09:40:00Z,2026-05-12T15:25:00+05:45,2026-05-12T09:35:00Z,2026-05-12T15:20:00+05:45,-300,webrtc,user,leave_before_join negative_duration,Asia/Kathmandu\n",
    "\u{202e}bidi,b-1,2026-05-12T09:50:00Z,2026-05-12T15:35:00+05:45,2026-05-12T10:00:00Z,2026-05-12T15:45:00+05:45,600,webrtc,user,,Asia/Kathmandu\n",
);

/// The records of the messy rows, byte for byte as the export has always written them (each
/// page's rows are read as the read decoded them, borrowed from the body), in every format,
/// whether the session object gives the window or the rows must.
#[tokio::test(flavor = "multi_thread")]
async fn an_export_of_messy_rows_writes_the_same_bytes_as_ever() {
    let pages = messy_pages();
    let (sim, _dir) = pages.serve().await;
    // Without the session's times the window comes from the rows, read first by a pass that
    // keeps none. The open row goes: in a session nothing says ended it would count until now.
    let (no_times, _no_times_dir) = pages
        .serve_edited(|file| {
            let untimed = |value: &mut Value| {
                value["session"]["started_at"] = Value::Null;
                value["session"]["ended_at"] = Value::Null;
                value["total_participant_sessions"] = json!(4);
            };
            for page in file["pages"].as_object_mut().unwrap().values_mut() {
                untimed(page);
                let rows = page["participants_sessions"].as_array_mut().unwrap();
                rows.retain(|row| row["user_id"] != "=HYPERLINK(\"x\")");
            }
            untimed(file);
            file["totals"]["total_participant_sessions"] = json!(4);
        })
        .await;
    let zone = ["--tz", "Asia/Kathmandu"];
    let csv = output(&sim, &["export", zone[0], zone[1]]).await;
    let ndjson = output(&sim, &["export", "--format", "ndjson", zone[0], zone[1]]).await;
    let raw_csv = output(&sim, &["export", "--csv-raw", zone[0], zone[1]]).await;
    let unwindowed = output(&no_times, &["export", zone[0], zone[1]]).await;
    assert_eq!(csv, MESSY_CSV);
    assert_eq!(ndjson, MESSY_NDJSON);
    assert_eq!(raw_csv, MESSY_CSV.replace("'=HYPERLINK", "=HYPERLINK"));
    assert_eq!(unwindowed, MESSY_UNWINDOWED_CSV);
}
