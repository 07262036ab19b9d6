//! Complete reads, end to end: crafted sessions served page for page (`sim --from`), read by
//! the real binary in every output and by the dashboard's fetcher and state machine. Rows a
//! server sends twice count once (the later copy wins), and what cannot be read exactly exits
//! 8 saying why; every output agrees with every other.

mod sim_support;

use std::collections::BTreeMap;
use std::time::Duration;

use headcount::fetch::Completeness;
use headcount::sim::{Scenario, SimConfig};
use proptest::prelude::*;
use serde_json::{Value, json};
use sim_support::cli::{args, headcount, stderr};
use sim_support::pages::{CALL_ID, Crafted, SESSION, row};
use sim_support::{Harness, start_unlimited};

/// What every output says about one session: its sessions (id → raw duration) and, per user,
/// the number of sessions and connected seconds.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
struct Truth {
    sessions: BTreeMap<String, i64>,
    users: BTreeMap<String, (u64, i64)>,
}

impl Truth {
    /// The deduplicated truth of `pages`: one row per id, the later copy winning.
    fn of(pages: &[Vec<Value>]) -> Truth {
        let mut latest: BTreeMap<String, Value> = BTreeMap::new();
        for row in pages.iter().flatten() {
            latest.insert(
                row["user_session_id"].as_str().unwrap().to_owned(),
                row.clone(),
            );
        }
        let mut truth = Truth::default();
        for (id, row) in latest {
            let seconds = row["duration_in_seconds"].as_i64().unwrap();
            truth.sessions.insert(id, seconds);
            let user = truth
                .users
                .entry(row["user_id"].as_str().unwrap().to_owned())
                .or_default();
            user.0 += 1;
            user.1 += seconds;
        }
        truth
    }

    fn seconds(&self) -> i64 {
        self.sessions.values().sum()
    }

    fn crafted(pages: Vec<Vec<Value>>) -> Crafted {
        let truth = Truth::of(&pages);
        Crafted {
            total_sessions: truth.sessions.len() as i64,
            total_duration: truth.seconds(),
            pages,
        }
    }
}

const CALL: &str = "default:crafted";

/// `headcount totals --format json` on a generated sim's session, with `extra` arguments.
async fn sim_totals(sim: &Harness, extra: &[&str], env: &[(&str, &str)]) -> std::process::Output {
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let mut words = args([
        "totals",
        &call,
        "--session",
        sim.session_id(),
        "--format",
        "json",
    ]);
    words.extend(args(extra));
    headcount(&sim.base_url(), words, env).await
}

async fn run(sim: &Harness, words: &[&str]) -> std::process::Output {
    let mut command = args([words[0], CALL, "--session", SESSION, "--tz", "UTC"]);
    command.extend(args(&words[1..]));
    headcount(&sim.base_url(), command, &[]).await
}

/// `totals --format json`, which must exit 0.
async fn totals(sim: &Harness) -> Value {
    let output = run(sim, &["totals", "--format", "json"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// What an export says: by session (id → duration), from CSV, JSON or NDJSON text.
fn sessions_of(format: &str, text: &str) -> BTreeMap<String, i64> {
    let records: Vec<Value> = match format {
        "csv" => {
            let mut reader = csv::Reader::from_reader(text.as_bytes());
            let headers = reader.headers().unwrap().clone();
            reader
                .records()
                .map(|record| {
                    let record = record.unwrap();
                    let field = |name: &str| {
                        record[headers.iter().position(|h| h == name).unwrap()].to_owned()
                    };
                    json!({"user_session_id": field("user_session_id"),
                           "duration_seconds": field("duration_seconds").parse::<i64>().unwrap()})
                })
                .collect()
        }
        "json" => serde_json::from_str(text).unwrap(),
        _ => text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect(),
    };
    let mut sessions = BTreeMap::new();
    for record in records {
        let id = record["user_session_id"].as_str().unwrap().to_owned();
        let previous = sessions.insert(id.clone(), record["duration_seconds"].as_i64().unwrap());
        assert!(previous.is_none(), "{id} written twice in\n{text}");
    }
    sessions
}

/// `export --by session` to a file, which must exit 0.
async fn exported_sessions(sim: &Harness, format: &str) -> BTreeMap<String, i64> {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out");
    let output = run(
        sim,
        &["export", "--format", format, "-o", path.to_str().unwrap()],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    sessions_of(format, &std::fs::read_to_string(path).unwrap())
}

/// `export --by user --format json`: user → (sessions, connected seconds).
async fn exported_users(sim: &Harness) -> BTreeMap<String, (u64, i64)> {
    let output = run(sim, &["export", "--by", "user", "--format", "json"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let records: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    records
        .iter()
        .map(|user| {
            (
                user["user_id"].as_str().unwrap().to_owned(),
                (
                    user["sessions"].as_u64().unwrap(),
                    user["connected_seconds"].as_i64().unwrap(),
                ),
            )
        })
        .collect()
}

/// The dashboard after reading the whole session with the real fetcher.
async fn dashboard(sim: &Harness) -> headcount::app::App {
    sim_support::dashboard::after_one_read(&sim.base_url(), "default", CALL_ID, SESSION).await
}

/// Every output of a session that reads completely agrees with `truth`, and with each other.
async fn every_output_agrees(sim: &Harness, truth: &Truth) {
    let printed = totals(sim).await;
    assert_eq!(printed["complete"], true, "{printed}");
    assert_eq!(printed["filtered"]["sessions"], json!(truth.sessions.len()));
    assert_eq!(
        printed["filtered"]["duration_seconds"],
        json!(truth.seconds())
    );
    assert_eq!(
        printed["filtered"]["unique_users"],
        json!(truth.users.len())
    );
    for format in ["csv", "json", "ndjson"] {
        assert_eq!(
            exported_sessions(sim, format).await,
            truth.sessions,
            "{format}"
        );
    }
    assert_eq!(exported_users(sim).await, truth.users);
    let app = dashboard(sim).await;
    assert_eq!(app.completeness(), Some(&Completeness::Complete));
    let call = &app.figures().unwrap().call;
    assert_eq!(call.sessions, truth.sessions.len() as u64);
    assert_eq!(call.connected_seconds, truth.seconds());
    assert_eq!(call.unique_users, truth.users.len() as u64);
}

/// The example: i-2 comes back on page 2.
fn small_input() -> Vec<Vec<Value>> {
    vec![
        vec![row("u-a", "i-1", 0, 30), row("u-b", "i-2", 5, 45)],
        vec![row("u-b", "i-2", 5, 45), row("u-c", "i-3", 10, 20)],
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_on_two_pages_is_three_sessions_and_4800_seconds_in_every_output() {
    let crafted = Truth::crafted(small_input());
    assert_eq!((crafted.total_sessions, crafted.total_duration), (3, 4800));
    let (sim, _file) = crafted.serve().await;
    let truth = Truth::of(&crafted.pages);
    every_output_agrees(&sim, &truth).await;
    assert_eq!(
        exported_users(&sim).await,
        BTreeMap::from([
            ("u-a".to_owned(), (1, 1800)),
            ("u-b".to_owned(), (1, 2400)),
            ("u-c".to_owned(), (1, 600)),
        ])
    );
    // Standard output too, in every format, and the table.
    for format in ["csv", "json", "ndjson"] {
        let output = run(&sim, &["export", "--format", format]).await;
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let text = String::from_utf8(output.stdout).unwrap();
        assert_eq!(sessions_of(format, &text), truth.sessions, "{format}");
    }
    let table = run(&sim, &["totals"]).await;
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("complete (agrees with Stream's totals)"),
        "{table}"
    );
    let connected = table
        .lines()
        .find(|l| l.contains("Connected time"))
        .unwrap();
    assert!(connected.ends_with("(4800 s)"), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_copy_from_the_later_page_wins_in_every_output() {
    // i-2 first reported leaving at 45 min, then, on the next page, at 50.
    let pages = vec![
        vec![row("u-a", "i-1", 0, 30), row("u-b", "i-2", 5, 45)],
        vec![row("u-b", "i-2", 5, 50), row("u-c", "i-3", 10, 20)],
    ];
    let crafted = Truth::crafted(pages);
    let truth = Truth::of(&crafted.pages);
    assert_eq!(truth.sessions["i-2"], 2700);
    let (sim, _file) = crafted.serve().await;
    every_output_agrees(&sim, &truth).await;
    let output = run(&sim, &["export", "--format", "csv"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        sessions_of("csv", &text),
        truth.sessions,
        "held back one page"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_row_repeated_pages_later_counts_once() {
    let pages = vec![
        vec![row("u-a", "i-1", 0, 30), row("u-b", "i-2", 5, 45)],
        vec![row("u-c", "i-3", 10, 20)],
        vec![row("u-d", "i-4", 0, 60)],
        vec![row("u-a", "i-1", 0, 30), row("u-e", "i-5", 30, 40)],
    ];
    let crafted = Truth::crafted(pages);
    let (sim, _file) = crafted.serve().await;
    every_output_agrees(&sim, &Truth::of(&crafted.pages)).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_change_after_a_row_was_written_is_corrected_in_a_file_and_reported_on_stdout() {
    let pages = vec![
        vec![row("u-a", "i-1", 0, 10)],
        vec![row("u-b", "i-2", 5, 45)],
        vec![row("u-c", "i-3", 10, 20)],
        vec![row("u-a", "i-1", 0, 30), row("u-d", "i-4", 0, 60)],
    ];
    let crafted = Truth::crafted(pages);
    let truth = Truth::of(&crafted.pages);
    let (sim, _file) = crafted.serve().await;
    every_output_agrees(&sim, &truth).await;
    for format in ["csv", "json", "ndjson"] {
        let output = run(&sim, &["export", "--format", format]).await;
        assert_eq!(
            output.status.code(),
            Some(8),
            "{format}: {}",
            stderr(&output)
        );
        assert!(
            stderr(&output).contains("1 sessions came back changed after they were written"),
            "{}",
            stderr(&output)
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn rows_missing_doubled_or_unreadable_exit_8_in_every_output() {
    let cases: Vec<(Crafted, &str)> = vec![
        // The last page is the previous one again, asked for twice.
        (
            {
                let pages = vec![
                    vec![row("u-a", "i-1", 0, 30)],
                    vec![row("u-b", "i-2", 5, 45)],
                    vec![row("u-b", "i-2", 5, 45)],
                ];
                Truth::crafted(pages)
            },
            "Stream sent a page of rows already read again",
        ),
        // Stream counts a row the pages never brought.
        (
            Crafted {
                total_sessions: 4,
                total_duration: 4800,
                pages: small_input(),
            },
            "total_participant_sessions disagrees: 3 distinct sessions read, Stream's total \
             is 4 (1 missing)",
        ),
        // The rows' durations do not add up to Stream's.
        (
            Crafted {
                total_sessions: 3,
                total_duration: 7200,
                pages: small_input(),
            },
            "total_participant_duration disagrees: the 3 sessions read add up to 4800 s, \
             Stream's total is 7200 s",
        ),
        // A row without its id.
        (
            Crafted {
                total_sessions: 3,
                total_duration: 4800,
                pages: vec![
                    vec![row("u-a", "i-1", 0, 30), json!({"user_id": "u-b"})],
                    vec![row("u-c", "i-3", 10, 20)],
                ],
            },
            "rows could not be read and were left out",
        ),
    ];
    for (crafted, says) in cases {
        let (sim, _file) = crafted.serve().await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "before\n").unwrap();
        let file = path.to_str().unwrap();
        for words in [
            vec!["totals", "--format", "json"],
            vec!["totals"],
            vec!["export", "--format", "csv"],
            vec!["export", "--format", "ndjson", "-o", file],
            vec!["export", "--by", "user", "-o", file],
        ] {
            let output = run(&sim, &words).await;
            let said = stderr(&output);
            assert_eq!(output.status.code(), Some(8), "{words:?}: {said}");
            assert!(said.contains(says), "{words:?}: {said}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "before\n");
        }
        let printed = run(&sim, &["totals", "--format", "json"]).await;
        let printed: Value = serde_json::from_slice(&printed.stdout).unwrap();
        assert_eq!(printed["complete"], false);
        assert!(printed["incomplete"].as_str().unwrap().contains(says));
        let app = dashboard(&sim).await;
        let shortfall = app
            .shortfall()
            .expect("the dashboard says it is incomplete");
        assert!(shortfall.to_string().contains(says), "{shortfall}");
    }
}

/// A session split into pages in any order, with rows repeated from earlier pages, some
/// changed (the later copy then wins), every page bringing at least one new row.
fn paged_session() -> impl Strategy<Value = Vec<Vec<Value>>> {
    (2usize..9, 1usize..5)
        .prop_flat_map(|(rows, pages)| {
            let pages = pages.min(rows);
            (
                Just(rows),
                Just(pages),
                Just((0..rows).collect::<Vec<_>>()).prop_shuffle(),
                proptest::collection::vec(0..rows, pages - 1),
                proptest::collection::vec(
                    (
                        0..rows,
                        0..40i64,
                        any::<bool>(),
                        any::<prop::sample::Index>(),
                    ),
                    0..6,
                ),
            )
        })
        .prop_map(|(rows, pages, order, mut cuts, repeats)| {
            let version = |id: usize, change: i64| {
                let user = format!("u-{}", id % 3);
                let joined = (id as i64 * 7) % 30;
                row(&user, &format!("i-{id}"), joined, joined + 10 + change)
            };
            cuts.sort_unstable();
            cuts.dedup();
            let mut bounds: Vec<usize> = cuts.into_iter().filter(|&c| c > 0 && c < rows).collect();
            bounds.insert(0, 0);
            bounds.push(rows);
            let mut split: Vec<Vec<Value>> = bounds
                .windows(2)
                .map(|w| order[w[0]..w[1]].iter().map(|&id| version(id, 0)).collect())
                .collect();
            let _ = pages;
            for (id, change, changed, at) in repeats {
                let first = split
                    .iter()
                    .position(|page| {
                        page.iter()
                            .any(|r| r["user_session_id"] == format!("i-{id}"))
                    })
                    .unwrap();
                if first + 1 >= split.len() {
                    continue;
                }
                let page = first + 1 + at.index(split.len() - first - 1);
                let copy = version(id, if changed { change } else { 0 });
                let position = at.index(split[page].len() + 1);
                split[page].insert(position, copy);
            }
            split
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn any_paging_with_repeats_gives_the_deduplicated_truth_everywhere(pages in paged_session()) {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let crafted = Truth::crafted(pages);
            let truth = Truth::of(&crafted.pages);
            let (sim, _file) = crafted.serve().await;
            every_output_agrees(&sim, &truth).await;
        });
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_filter_longer_than_a_url_is_split_and_its_rows_merged() {
    let sim = start_unlimited(SimConfig {
        scenario: Scenario::Townhall,
        ..SimConfig::default()
    })
    .await;
    let everyone = sim_totals(&sim, &[], &[]).await;
    let everyone: Value = serde_json::from_slice(&everyone.stdout).unwrap();
    let rows = sim_support::all_rows(&sim, 100, &[]).await;
    let mut users: Vec<String> = sim_support::by_field(&rows, "user_id")
        .into_keys()
        .collect();
    users.extend((0..8_000 - users.len()).map(|n| format!("nobody-{n:05}")));
    assert_eq!(users.len(), 8_000);
    let filter = format!("user:{}", users.join(","));
    assert!(filter.len() > 64 * 1024);
    let split = sim_totals(&sim, &["--filter", &filter], &[]).await;
    assert_eq!(split.status.code(), Some(0), "{}", stderr(&split));
    let split: Value = serde_json::from_slice(&split.stdout).unwrap();
    assert_eq!(split["complete"], true);
    assert_eq!(split["filtered"], everyone["filtered"]);
    // One request with a list over 8 KiB is refused, as proxies refuse long request lines.
    let conditions = json!({"user_id": {"$in": users[..1_000]}}).to_string();
    assert!(conditions.len() > 8 * 1024);
    let answer = sim
        .http
        .get(format!(
            "{}{}",
            sim.base_url(),
            sim_support::sessions_path(&sim)
        ))
        .query(&[("filter_conditions", conditions.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 414);
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_exported_from_a_read_replay_exactly() {
    let sim = start_unlimited(SimConfig {
        scenario: Scenario::Small,
        ..SimConfig::default()
    })
    .await;
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.json");
    let export = |base_url: String, path: std::path::PathBuf| {
        let call = call.clone();
        let session = sim.session_id().to_owned();
        async move {
            let output = headcount(
                &base_url,
                args([
                    "export".as_ref(),
                    call.as_ref(),
                    "--session".as_ref(),
                    session.as_ref(),
                    "--format".as_ref(),
                    "pages".as_ref(),
                    "-o".as_ref(),
                    path.as_os_str(),
                ]),
                &[("HEADCOUNT_TIMEOUT", "5")],
            )
            .await;
            assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        }
    };
    export(sim.base_url(), first.clone()).await;
    let replay = start_unlimited(SimConfig {
        from: Some(first.clone()),
        ..SimConfig::default()
    })
    .await;
    assert_eq!(replay.session_id(), sim.session_id());
    let second = dir.path().join("second.json");
    export(replay.base_url(), second.clone()).await;
    assert_eq!(
        std::fs::read_to_string(&first).unwrap(),
        std::fs::read_to_string(&second).unwrap()
    );
    let (original, replayed) = (
        sim_totals(&sim, &[], &[]).await,
        sim_totals(&replay, &[], &[]).await,
    );
    assert_eq!(original.status.code(), Some(0), "{}", stderr(&original));
    assert_eq!(original.stdout, replayed.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_sims_stats_delay_is_waited_out_with_a_message() {
    let sim = start_unlimited(SimConfig {
        scenario: Scenario::Small,
        stats_delay: Duration::from_millis(800),
        ..SimConfig::default()
    })
    .await;
    let output = sim_totals(&sim, &[], &[("HEADCOUNT_READY_WAIT", "10")]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stderr(&output).contains("Stream is still preparing this session's attendance"));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["complete"], true);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_live_session_is_provisional_and_an_expired_one_complete_with_no_rows() {
    for (scenario, live, state, note) in [
        (Scenario::Small, true, "live", "figures are provisional"),
        (
            Scenario::Expired,
            false,
            "expired",
            "only its totals remain",
        ),
    ] {
        let sim = start_unlimited(SimConfig {
            scenario,
            live,
            ..SimConfig::default()
        })
        .await;
        let output = sim_totals(&sim, &[], &[]).await;
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        assert!(stderr(&output).contains(note), "{}", stderr(&output));
        let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(printed["state"], state);
        assert_eq!(printed["complete"], true);
        let app = sim_support::dashboard::after_one_read_of(&sim).await;
        let expected = if live {
            Completeness::Provisional
        } else {
            Completeness::Expired
        };
        assert_eq!(app.completeness(), Some(&expected));
    }
}

/// Responses without `total_participant_sessions` leave nothing to check the rows against:
/// no output calls such a read complete, and the commands exit 8 saying so.
#[tokio::test(flavor = "multi_thread")]
async fn a_read_stream_sent_no_totals_for_is_not_called_complete() {
    let says = "not checked: Stream sent no totals";
    let null_totals = |file: &mut Value| {
        for page in file["pages"].as_object_mut().unwrap().values_mut() {
            page["total_participant_sessions"] = Value::Null;
            page["total_participant_duration"] = Value::Null;
        }
        file["totals"] = json!({"total_participant_sessions": null,
                                "total_participant_duration": null});
    };
    let absent_totals = |file: &mut Value| {
        for page in file["pages"].as_object_mut().unwrap().values_mut() {
            let page = page.as_object_mut().unwrap();
            page.remove("total_participant_sessions");
            page.remove("total_participant_duration");
        }
        file.as_object_mut().unwrap().remove("totals");
    };
    let edits: [&dyn Fn(&mut Value); 2] = [&null_totals, &absent_totals];
    for edit in edits {
        let (sim, _file) = Truth::crafted(small_input()).serve_edited(edit).await;
        let table = run(&sim, &["totals"]).await;
        let text = String::from_utf8_lossy(&table.stdout);
        assert_eq!(table.status.code(), Some(8), "{}", stderr(&table));
        assert!(text.contains(says), "{text}");
        assert!(!text.contains("agrees with Stream's totals"), "{text}");
        let printed = run(&sim, &["totals", "--format", "json"]).await;
        let printed: Value = serde_json::from_slice(&printed.stdout).unwrap();
        assert_eq!(printed["complete"], false, "{printed}");
        assert!(printed["incomplete"].as_str().unwrap().contains(says));
        assert_eq!(
            printed["filtered"]["sessions"],
            json!(3),
            "the rows are still shown"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let exported = run(&sim, &["export", "-o", path.to_str().unwrap()]).await;
        assert_eq!(exported.status.code(), Some(8), "{}", stderr(&exported));
        assert!(stderr(&exported).contains(says), "{}", stderr(&exported));
        assert!(!path.exists());
        let app = dashboard(&sim).await;
        let shortfall = app
            .shortfall()
            .expect("the dashboard says it is not checked");
        assert!(shortfall.headline(None).starts_with(says), "{shortfall}");
    }
}
