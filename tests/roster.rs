//! `headcount roster`, the real binary against a sim on loopback: who was expected and how each
//! person fared, checked against what the call's own reads say (members, ring outcomes,
//! participant sessions read with the client) and against `export --by user`'s figures.

mod sim_support;

use std::collections::{BTreeMap, BTreeSet};
use std::process::Output;

use headcount::api::StreamClient;
use headcount::api::members::read_members;
use headcount::sim::{Scenario, SimConfig};
use serde_json::{Value, json};
use sim_support::cli::{args, headcount, stderr};
use sim_support::pages::{CALL_ID, Crafted, MINUTE, SESSION, T0, row};
use sim_support::*;

/// `headcount roster TYPE:ID WORDS…` against `sim`, times in UTC.
async fn roster(sim: &Harness, words: &[&str]) -> Output {
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let mut command = args(["roster", call.as_str(), "--tz", "UTC"]);
    command.extend(args(words));
    headcount(&sim.base_url(), command, &[]).await
}

/// `roster --format json WORDS…`, which must exit 0.
async fn roster_json(sim: &Harness, words: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(words);
    let output = roster(sim, &all).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Everyone listed (members and not members), by user id → the person's object.
fn people(printed: &Value) -> BTreeMap<String, Value> {
    ["members", "not_members"]
        .iter()
        .flat_map(|list| printed[list].as_array().unwrap().iter().cloned())
        .map(|person| (person["user_id"].as_str().unwrap().to_owned(), person))
        .collect()
}

/// The user ids in each state.
fn by_state(printed: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut states: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (user, person) in people(printed) {
        states
            .entry(person["state"].as_str().unwrap().to_owned())
            .or_default()
            .insert(user);
    }
    states
}

/// A count as the table prints it, from its JSON number: thousands grouped (`1,441`).
fn grouped(count: &Value) -> String {
    let digits = count.as_u64().expect("a count").to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// The table's counts line (its second line): `1,441 of 3,299 expected present · …`.
fn table_counts_line(output: &Output) -> String {
    assert!(output.status.success(), "{}", stderr(output));
    let table = String::from_utf8(output.stdout.clone()).unwrap();
    table.lines().nth(1).unwrap_or_default().to_owned()
}

/// Who should be in each state of the never-joined and not-member kinds, from the call's own
/// reads (members, GetCall's ring maps and creator, every participant session); and who
/// attended as an expected member.
struct Truth {
    never: BTreeMap<&'static str, BTreeSet<String>>,
    not_members: BTreeSet<String>,
    attended_members: BTreeSet<String>,
}

async fn truth(sim: &Harness) -> Truth {
    let client = StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap();
    let call = client
        .get_call(sim.call_type(), sim.call_id())
        .await
        .unwrap()
        .body
        .call;
    let session = call.session.clone().unwrap();
    let (start, end) = (session.started_at.unwrap(), session.ended_at.unwrap());
    let members = read_members(&client, sim.call_type(), sim.call_id())
        .await
        .unwrap();
    assert!(members.stop.is_complete());
    let expected: BTreeSet<String> = members
        .members
        .iter()
        .filter(|m| m.deleted_at.is_none_or(|at| at > start))
        .filter(|m| m.created_at.is_none_or(|at| at < end))
        .map(|m| m.user_id.clone())
        .collect();
    let attendees: BTreeSet<String> = all_rows(sim, 100, &[])
        .await
        .iter()
        .map(|row| row["user_id"].as_str().unwrap().to_owned())
        .collect();
    let creator = call.created_by.map(|c| c.id).unwrap_or_default();
    let in_map = |map: &Option<headcount::api::members::RingMap>, user: &str| {
        map.as_ref().is_some_and(|map| map.contains_key(user))
    };
    let mut never: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for user in expected.difference(&attendees) {
        let state = if in_map(&session.rejected_by, user) && *user != creator {
            "rejected"
        } else if in_map(&session.missed_by, user) {
            "missed"
        } else {
            "absent"
        };
        never.entry(state).or_default().insert(user.clone());
    }
    Truth {
        never,
        not_members: attendees.difference(&expected).cloned().collect(),
        attended_members: expected.intersection(&attendees).cloned().collect(),
    }
}

/// Each never-joined state holds exactly the people the reads say, not members are exactly
/// the attendees who were not expected, and every member who attended is present or partial
/// by the percentage printed.
fn assert_right_people(printed: &Value, truth: &Truth) {
    let states = by_state(printed);
    let empty = BTreeSet::new();
    for state in ["absent", "rejected", "missed"] {
        assert_eq!(
            states.get(state).unwrap_or(&empty),
            truth.never.get(state).unwrap_or(&empty),
            "{state}"
        );
    }
    assert_eq!(states["not-member"], truth.not_members);
    let everyone = people(printed);
    for user in &truth.attended_members {
        let person = &everyone[user];
        let percent = person["attendance_percent"].as_f64().unwrap();
        let want = if percent >= 80.0 {
            "present"
        } else {
            "partial"
        };
        assert_eq!(person["state"], want, "{user}: {person}");
    }
    let counts = &printed["counts"];
    for (state, key) in [
        ("present", "present"),
        ("partial", "partial"),
        ("absent", "absent"),
        ("rejected", "rejected"),
        ("missed", "missed"),
        ("not-member", "not_member"),
    ] {
        let listed = states.get(state).map_or(0, BTreeSet::len);
        assert_eq!(counts[key], json!(listed), "{state}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_state_of_the_default_scenario_holds_the_right_people() {
    let sim = start_unlimited(SimConfig::default()).await;
    let printed = roster_json(&sim, &[]).await;
    let truth = truth(&sim).await;
    assert_right_people(&printed, &truth);
    let states = by_state(&printed);
    for state in ["present", "partial", "absent", "not-member"] {
        assert!(states.contains_key(state), "{state} appears: {states:?}");
    }
    assert_eq!(printed["call_session_id"], sim.session_id());
    assert_eq!(printed["ring_outcomes"], "known");
    // Members expected over the whole call are measured as `export --by user` measures them.
    let exported = headcount(
        &sim.base_url(),
        args([
            "export",
            &format!("{}:{}", sim.call_type(), sim.call_id()),
            "--session",
            sim.session_id(),
            "--by",
            "user",
            "--format",
            "json",
        ]),
        &[],
    )
    .await;
    assert!(exported.status.success(), "{}", stderr(&exported));
    let exported: Vec<Value> = serde_json::from_slice(&exported.stdout).unwrap();
    let everyone = people(&printed);
    let client = StreamClient::new(&sim.base_url(), KEY, SECRET).unwrap();
    let call = client
        .get_call(sim.call_type(), sim.call_id())
        .await
        .unwrap();
    let started = call.body.call.session.unwrap().started_at.unwrap();
    let start = headcount::attendance::utc_rfc3339(started);
    let mut compared = 0;
    for user in exported {
        let person = &everyone[user["user_id"].as_str().unwrap()];
        let added_before = person["added_at"]
            .as_str()
            .is_none_or(|added| added < start.as_str());
        if added_before {
            assert_eq!(
                person["attended_seconds"], user["attended_seconds"],
                "{person}"
            );
            assert_eq!(
                person["attendance_percent"], user["attendance_percent"],
                "{person}"
            );
            compared += 1;
        }
    }
    assert!(compared > 10, "{compared}");
    // The table's counts group thousands as every count on screen; JSON keeps numbers.
    let counts = &printed["counts"];
    assert!(counts["present"].as_u64().unwrap() >= 1_000, "{counts}");
    let line = table_counts_line(&roster(&sim, &[]).await);
    let expected = format!(
        "{} of {} expected present · {} partial · {} absent",
        grouped(&counts["present"]),
        grouped(&counts["expected"]),
        grouped(&counts["partial"]),
        grouped(&counts["absent"]),
    );
    assert!(line.starts_with(&expected), "{line:?} for {counts}");
    assert!(
        line.contains(&format!(
            "{} attended, not members",
            grouped(&counts["not_member"])
        )),
        "{line:?} for {counts}"
    );
}

/// The present threshold and the late grace come from the config file: the same people are
/// classified by the rules it writes, and the JSON says which rules were used.
#[tokio::test(flavor = "multi_thread")]
async fn the_config_files_rules_decide_the_states_and_flags() {
    let sim = start_unlimited(SimConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        "present_threshold = \"50%\"\nlate_grace = \"30m\"\n",
    )
    .unwrap();
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let output = headcount(
        &sim.base_url(),
        args(["roster", call.as_str(), "--format", "json"]),
        &[("HEADCOUNT_CONFIG", config.to_str().unwrap())],
    )
    .await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let strict: Value = serde_json::from_slice(&output.stdout).unwrap();
    let default = roster_json(&sim, &[]).await;
    assert_eq!(strict["rules"]["present_threshold_percent"], 50.0);
    assert_eq!(strict["rules"]["late_grace_seconds"], 1800);
    let (by_default, by_file) = (people(&default), people(&strict));
    let (mut moved, mut on_time) = (0, 0);
    for (user, person) in &by_default {
        let percent = person["attendance_percent"].as_f64();
        let state = by_file[user]["state"].as_str().unwrap();
        match percent {
            Some(p) if person["state"] == "partial" && p >= 50.0 => {
                assert_eq!(state, "present", "{user} at {p}%");
                moved += 1;
            }
            _ => assert_eq!(person["state"].as_str().unwrap(), state, "{user}"),
        }
        let late = |p: &Value| p["late_seconds"].as_i64();
        match late(person) {
            // Whole seconds shown: 1,800 may be a little over the grace, or not.
            Some(1800) => {}
            Some(seconds) if seconds < 1800 => {
                assert!(late(&by_file[user]).is_none(), "{user} late {seconds}s");
                on_time += 1;
            }
            other => assert_eq!(late(&by_file[user]), other, "{user}"),
        }
    }
    assert!(moved > 0, "someone between 50 % and 80 % is now present");
    assert!(
        on_time > 0,
        "someone late by the default grace is on time by the file's"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_ring_scenario_names_who_rejected_and_who_missed_never_the_caller() {
    let sim = start_unlimited(SimConfig {
        scenario: Scenario::Ring,
        ..SimConfig::default()
    })
    .await;
    let printed = roster_json(&sim, &[]).await;
    let truth = truth(&sim).await;
    assert_right_people(&printed, &truth);
    let states = by_state(&printed);
    for state in ["present", "absent", "rejected", "missed", "not-member"] {
        assert!(states.contains_key(state), "{state} appears: {states:?}");
    }
    let everyone = people(&printed);
    let rejected_but_joined = everyone.values().any(|p| {
        p["ring"].as_array().unwrap().contains(&json!("rejected"))
            && matches!(p["state"].as_str(), Some("present" | "partial"))
    });
    assert!(rejected_but_joined, "someone rejected, then joined");

    // The table: one line per person, sorted by state, with the counts line.
    let output = roster(&sim, &[]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let table = String::from_utf8(output.stdout).unwrap();
    let counts = &printed["counts"];
    let line = format!(
        "{} of {} expected present",
        grouped(&counts["present"]),
        grouped(&counts["expected"])
    );
    assert!(table.lines().nth(1).unwrap().starts_with(&line), "{table}");
    assert!(
        table.contains(&format!("{} rejected", grouped(&counts["rejected"]))),
        "{table}"
    );
    let body: Vec<&str> = table
        .lines()
        .skip_while(|l| !l.starts_with("STATE"))
        .skip(1)
        .collect();
    assert_eq!(body.len(), everyone.len(), "{table}");
    let order = [
        "present", "partial", "absent", "rejected", "missed", "attended",
    ];
    let ranks: Vec<usize> = body
        .iter()
        .map(|l| order.iter().position(|s| l.starts_with(s)).unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn an_earlier_session_says_its_ring_outcomes_are_unknown() {
    let sim = start_unlimited(SimConfig {
        scenario: Scenario::Ring,
        earlier_sessions: 1,
        ..SimConfig::default()
    })
    .await;
    let earlier = sim.earlier_session_ids()[0].clone();
    let printed = roster_json(&sim, &["--session", &earlier]).await;
    assert_eq!(printed["call_session_id"], earlier);
    assert_eq!(printed["ring_outcomes"], "earlier-session");
    let states = by_state(&printed);
    assert!(!states.contains_key("rejected") && !states.contains_key("missed"));
    assert!(people(&printed).values().all(|p| p["ring"].is_null()));
    let notes = printed["notes"].to_string();
    assert!(notes.contains("current session only"), "{notes}");
}

#[tokio::test(flavor = "multi_thread")]
async fn fail_on_exits_9_when_anyone_is_in_those_states_and_0_when_nobody_is() {
    let sim = start_unlimited(SimConfig {
        scenario: Scenario::Small,
        ..SimConfig::default()
    })
    .await;
    let output = roster(&sim, &["--fail-on", "absent,missed"]).await;
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(9), "{said}");
    assert!(
        said.contains("--fail-on: ") && said.contains("absent"),
        "{said}"
    );
    assert!(!said.contains("provisional"), "{said}");
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(
        table.contains("expected present"),
        "the roster is printed: {table}"
    );
    // No ring on this call: nobody rejected or missed.
    let output = roster(&sim, &["--fail-on", "rejected,missed"]).await;
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    // --state lists only those people; the counts stay whole.
    let absent = roster_json(&sim, &["--state", "absent"]).await;
    assert!(absent["not_members"].as_array().unwrap().is_empty());
    let listed = absent["members"].as_array().unwrap();
    assert_eq!(json!(listed.len()), absent["counts"]["absent"]);
    assert!(listed.iter().all(|m| m["state"] == "absent"));
    assert!(absent["counts"]["present"].as_u64().unwrap() > 0);
    let output = roster(&sim, &["--fail-on", "gone"]).await;
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("not-member"),
        "{}",
        stderr(&output)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_live_call_the_states_are_provisional_and_fail_on_still_evaluates() {
    let sim = start_unlimited(SimConfig {
        scenario: Scenario::Small,
        live: true,
        ..SimConfig::default()
    })
    .await;
    let output = roster(&sim, &["--format", "json", "--fail-on", "absent"]).await;
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(9), "{said}");
    assert!(said.contains("provisional"), "{said}");
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["provisional"], true);
    assert!(printed["notes"].to_string().contains("provisional"));
}

/// A crafted session of an hour: ana stays its first 50 min, ben joins 10 min late for 30 min,
/// a guest stays 10 min.
fn crafted() -> Crafted {
    Crafted {
        pages: vec![vec![
            row("ana", "s-1", 0, 50),
            row("ben", "s-2", 10, 40),
            row("guest", "s-3", 10, 20),
        ]],
        total_sessions: 3,
        total_duration: 90 * 60,
    }
}

fn member(user: &str, name: &str) -> Value {
    json!({
        "user_id": user, "role": "user", "custom": {},
        "user": {"id": user, "name": name},
        "created_at": T0 - 60 * MINUTE, "updated_at": T0 - 60 * MINUTE,
    })
}

async fn serve_with_members(
    crafted: &Crafted,
    members: Vec<Value>,
) -> (Harness, tempfile::TempDir) {
    crafted
        .serve_edited(|file| file["members"] = Value::Array(members))
        .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_call_with_no_members_says_so_and_lists_every_attendee() {
    let (sim, _file) = serve_with_members(&crafted(), vec![]).await;
    let output = roster(&sim, &["--session", SESSION]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(
        table.contains("this call has no members: everyone who attended is listed"),
        "{table}"
    );
    for user in ["ana", "ben", "guest"] {
        assert!(
            table
                .lines()
                .any(|l| l.starts_with("attended, not a member") && l.contains(user)),
            "{user}: {table}"
        );
    }
    let printed = roster_json(&sim, &["--session", SESSION, "--fail-on", "absent"]).await;
    assert_eq!(printed["counts"]["expected"], 0);
    assert_eq!(printed["not_members"].as_array().unwrap().len(), 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_has_the_documented_shape_and_csv_its_header() {
    let members = vec![
        member("ana", "Ana \u{1b}[31mRed"),
        member("ben", "Ben"),
        member("cleo", "=HYPERLINK(\"x\")"),
    ];
    let (sim, _file) = serve_with_members(&crafted(), members).await;
    let printed = roster_json(&sim, &["--session", SESSION]).await;
    for key in [
        "call_type",
        "call_id",
        "call_session_id",
        "rules",
        "complete",
        "counts",
        "members",
        "not_members",
    ] {
        assert!(printed.get(key).is_some(), "{key}: {printed}");
    }
    assert_eq!(printed["call_id"], CALL_ID);
    assert_eq!(printed["complete"], true);
    assert_eq!(printed["rules"]["present_threshold_percent"], 80.0);
    let ana = &printed["members"][0];
    let keys: Vec<&str> = ana
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    for key in [
        "user_id",
        "name",
        "role",
        "state",
        "flags",
        "attended_seconds",
        "attendance_percent",
        "first_join",
        "last_leave",
        "late_seconds",
        "left_early_seconds",
        "ring",
        "added_at",
    ] {
        assert!(keys.contains(&key), "{key}: {ana}");
    }
    // In a pipe, JSON keeps the name exactly.
    assert_eq!(ana["name"], "Ana \u{1b}[31mRed");
    assert_eq!(
        (ana["state"].clone(), ana["attended_seconds"].clone()),
        (json!("present"), json!(3000))
    );
    assert_eq!(ana["attendance_percent"], 83.3);
    assert_eq!(ana["flags"], json!(["left-early"]));
    assert_eq!(ana["left_early_seconds"], 600);
    assert_eq!(ana["first_join"], "2026-05-12T09:00:00Z");
    let ben = &printed["members"][1];
    assert_eq!(ben["state"], "partial");
    assert_eq!(ben["late_seconds"], 600);
    let cleo = &printed["members"][2];
    assert_eq!(
        (cleo["state"].as_str(), cleo["attended_seconds"].as_i64()),
        (Some("absent"), Some(0))
    );
    assert_eq!(printed["not_members"][0]["user_id"], "guest");
    assert_eq!(printed["ring_outcomes"], "known");
    assert_eq!(ana["ring"], json!([]));

    let output = roster(&sim, &["--session", SESSION, "--format", "csv"]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let csv = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        csv.lines().next().unwrap(),
        "user_id,name,role,state,flags,attended_seconds,attendance_percent,first_join,\
         last_leave,late_seconds,left_early_seconds,reconnects,ring,added_at,in_call_now"
    );
    assert_eq!(csv.lines().count(), 5, "{csv}");
    // The export sinks' quoting: a formula is neutralised, a comma-free name left bare.
    assert!(
        csv.contains("cleo,\"'=HYPERLINK(\"\"x\"\")\",user,absent"),
        "{csv}"
    );

    // -o: the file appears whole, private to its owner.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("roster.csv");
    let file = path.to_str().unwrap();
    let output = roster(&sim, &["--session", SESSION, "--format", "csv", "-o", file]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(std::fs::read_to_string(&path).unwrap(), csv);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_table_shows_hostile_names_as_escapes() {
    let members = vec![member("ana", "Ana \u{1b}]52;c;cHduZWQ=\u{7}\u{202e}")];
    let (sim, _file) = serve_with_members(&crafted(), members).await;
    let output = roster(&sim, &["--session", SESSION]).await;
    assert!(output.status.success(), "{}", stderr(&output));
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(
        !table.contains(['\u{1b}', '\u{7}', '\u{202e}']),
        "{table:?}"
    );
    assert!(table.contains("x1b]52;c;cHduZWQ="), "{table}");
    assert!(table.contains("09:00:00"), "times in the zone: {table}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_read_that_cannot_be_classified_says_why_and_prints_no_roster() {
    let (sim, _file) = serve_with_members(&crafted(), vec![member("ana", "Ana")]).await;
    // A filter on a server term: refused before any request.
    let output = roster(&sim, &["--session", SESSION, "--filter", "user:ana"]).await;
    let said = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(
        said.contains("cannot classify, because the sessions were read with a filter"),
        "{said}"
    );
    assert!(output.stdout.is_empty());

    // Rows missing from the read (Stream counts 5 sessions, 3 come back): status 8.
    let missing = Crafted {
        total_sessions: 5,
        ..crafted()
    };
    let (sim, _file) = serve_with_members(&missing, vec![member("ana", "Ana")]).await;
    for format in ["table", "json", "csv"] {
        let output = roster(&sim, &["--session", SESSION, "--format", format]).await;
        let said = stderr(&output);
        assert_eq!(output.status.code(), Some(8), "{format}: {said}");
        assert!(
            said.contains("cannot classify, because the participant sessions were not all read"),
            "{said}"
        );
        assert!(output.stdout.is_empty(), "{format}: never a silent table");
    }

    // Members the file does not record: Stream's 404 is said, nothing is guessed.
    let (sim, _file) = crafted().serve().await;
    let output = roster(&sim, &["--session", SESSION]).await;
    assert_eq!(output.status.code(), Some(4), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn purged_details_leave_every_member_unknown() {
    let sim = start_unlimited(SimConfig {
        scenario: Scenario::Expired,
        ..SimConfig::default()
    })
    .await;
    let printed = roster_json(&sim, &[]).await;
    let states = by_state(&printed);
    assert_eq!(states.keys().collect::<Vec<_>>(), ["unknown"], "{states:?}");
    assert_eq!(printed["purged"], true);
    assert!(printed["members"][0]["attended_seconds"].is_null());
}

/// `headcount WORDS… default:crafted --session SESSION`.
async fn on_crafted(sim: &Harness, words: &[&str]) -> Output {
    let call = format!("default:{CALL_ID}");
    let mut command = args(words);
    command.extend(args([call.as_str(), "--session", SESSION]));
    headcount(&sim.base_url(), command, &[]).await
}

fn json_of(output: &Output) -> Value {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    serde_json::from_slice(&output.stdout).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn with_roster_adds_member_and_state_fields_only_when_asked() {
    // Without --with-roster the members are not read: this file records none, and asking
    // for them would fail.
    let (bare, _bare_file) = crafted().serve().await;
    let users = json_of(&on_crafted(&bare, &["export", "--by", "user", "--format", "json"]).await);
    assert!(users[0].get("state").is_none(), "{}", users[0]);
    let totals = json_of(&on_crafted(&bare, &["totals", "--format", "json"]).await);
    assert!(totals.get("roster").is_none());

    let members = vec![
        member("ana", "Ana"),
        member("ben", "Ben"),
        member("cleo", "Cleo"),
    ];
    let (sim, _file) = serve_with_members(&crafted(), members).await;
    let users = json_of(
        &on_crafted(
            &sim,
            &[
                "export",
                "--by",
                "user",
                "--format",
                "json",
                "--with-roster",
            ],
        )
        .await,
    );
    let fields: BTreeMap<&str, (Value, Value, Value)> = users
        .as_array()
        .unwrap()
        .iter()
        .map(|user| {
            (
                user["user_id"].as_str().unwrap(),
                (
                    user["member"].clone(),
                    user["state"].clone(),
                    user["expected_attendance_percent"].clone(),
                ),
            )
        })
        .collect();
    assert_eq!(
        fields,
        BTreeMap::from([
            ("ana", (json!(true), json!("present"), json!(83.3))),
            ("ben", (json!(true), json!("partial"), json!(50.0))),
            // A member who never joined has no sessions, and a record all the same.
            ("cleo", (json!(true), json!("absent"), json!(0.0))),
            ("guest", (json!(false), json!("not-member"), json!(16.7))),
        ])
    );
    let cleo = users
        .as_array()
        .unwrap()
        .iter()
        .find(|user| user["user_id"] == "cleo")
        .unwrap();
    assert_eq!(
        (
            &cleo["sessions"],
            &cleo["attended_seconds"],
            &cleo["first_join_utc"]
        ),
        (&json!(0), &json!(0), &Value::Null),
        "{cleo}"
    );
    assert_eq!(users[0]["member_role"], "user");
    let totals = json_of(&on_crafted(&sim, &["totals", "--format", "json", "--with-roster"]).await);
    let counts = &totals["roster"]["counts"];
    assert_eq!(
        [
            &counts["expected"],
            &counts["present"],
            &counts["partial"],
            &counts["absent"],
            &counts["not_member"]
        ],
        [&json!(3), &json!(1), &json!(1), &json!(1), &json!(1)]
    );
    let table = on_crafted(&sim, &["totals", "--with-roster"]).await;
    let table = String::from_utf8(table.stdout).unwrap();
    assert!(
        table.contains("Expected: 1 of 3 expected present · 1 partial · 1 absent"),
        "{table}"
    );

    for words in [
        &["export", "--with-roster"][..],
        &["totals", "--with-roster", "--filter", "user:ana"],
        &[
            "export",
            "--by",
            "user",
            "--with-roster",
            "--filter",
            "dur>1m",
        ],
    ] {
        let output = on_crafted(&sim, words).await;
        assert_eq!(
            output.status.code(),
            Some(2),
            "{words:?}: {}",
            stderr(&output)
        );
        assert!(output.stdout.is_empty(), "{words:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn totals_with_roster_on_an_incomplete_read_prints_its_totals_and_why_there_are_no_counts() {
    // Stream counts 5 sessions, 3 come back: status 8, and the roster says why it is missing.
    let missing = Crafted {
        total_sessions: 5,
        ..crafted()
    };
    let (sim, _file) = serve_with_members(&missing, vec![member("ana", "Ana")]).await;
    let output = on_crafted(&sim, &["totals", "--format", "json", "--with-roster"]).await;
    assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed["roster"]["classified"], false, "{printed}");
    let why = printed["roster"]["cannot_classify"].as_str().unwrap();
    assert!(
        why.starts_with("cannot classify, because the participant sessions were not all read"),
        "{why}"
    );
    assert!(printed["roster"].get("counts").is_none());
    let output = on_crafted(&sim, &["totals", "--with-roster"]).await;
    assert_eq!(output.status.code(), Some(8), "{}", stderr(&output));
    let table = String::from_utf8(output.stdout).unwrap();
    assert!(
        table.contains("Expected: cannot classify, because the participant sessions"),
        "{table}"
    );
}
