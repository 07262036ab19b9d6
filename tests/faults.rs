//! Every output under every fault a real server plays on a bad day: the real binary against a
//! sim behind the fault proxy of `sim_support::faults`. The rule checked everywhere: an exit
//! status of 0 comes with exactly the output of a clean read; anything else exits non-zero
//! (8 when rows are missing or doubled, saying what), and `-o` leaves the previous file as it
//! was, with no temporary file beside it.

mod sim_support;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use headcount::fetch::Completeness;
use headcount::sim::{Scenario, SimConfig};
use sim_support::cli::{args, headcount};
use sim_support::faults::{Fault, FaultProxy, Plan};
use sim_support::start_unlimited;

/// The fault strikes the third page of fifty.
const PAGE: usize = 3;
/// Enough times to outlast every retry and every fresh start.
const ALWAYS: usize = usize::MAX;
const PREVIOUS: &str = "previous export\n";

/// One way to read the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    TotalsJson,
    TotalsTable,
    SessionsCsv,
    SessionsJson,
    SessionsNdjson,
    SessionsFile,
    UsersCsv,
    UsersFile,
}

const MODES: [Mode; 8] = [
    Mode::TotalsJson,
    Mode::TotalsTable,
    Mode::SessionsCsv,
    Mode::SessionsJson,
    Mode::SessionsNdjson,
    Mode::SessionsFile,
    Mode::UsersCsv,
    Mode::UsersFile,
];

impl Mode {
    fn args(self) -> Vec<&'static str> {
        match self {
            Mode::TotalsJson => vec!["totals", "--format", "json"],
            Mode::TotalsTable => vec!["totals", "--format", "table"],
            Mode::SessionsCsv => vec!["export", "--format", "csv"],
            Mode::SessionsJson => vec!["export", "--format", "json"],
            Mode::SessionsNdjson => vec!["export", "--format", "ndjson"],
            Mode::SessionsFile => vec!["export", "--format", "csv", "-o"],
            Mode::UsersCsv => vec!["export", "--by", "user", "--format", "csv"],
            Mode::UsersFile => vec!["export", "--by", "user", "--format", "json", "-o"],
        }
    }

    fn to_file(self) -> bool {
        matches!(self, Mode::SessionsFile | Mode::UsersFile)
    }
}

/// What one run left: its status, its streams, and the `-o` file with what else is in its
/// directory.
struct Run {
    output: Output,
    file: Option<String>,
    others: Vec<String>,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// What the command produced: the file, or standard output.
    fn produced(&self) -> String {
        match &self.file {
            Some(text) => text.clone(),
            None => String::from_utf8_lossy(&self.output.stdout).into_owned(),
        }
    }
}

async fn run(base_url: &str, call: &str, session: &str, mode: Mode, env: &[(&str, &str)]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.dat");
    let mut words = mode.args();
    let subcommand = words.remove(0);
    let mut command = args([subcommand, call, "--session", session, "--tz", "UTC"]);
    command.extend(args(words));
    if mode.to_file() {
        std::fs::write(&path, PREVIOUS).unwrap();
        command.push(path.clone().into());
    }
    let output = headcount(base_url, command, env).await;
    let file = mode
        .to_file()
        .then(|| std::fs::read_to_string(&path).unwrap());
    Run {
        output,
        file,
        others: entries(dir.path(), &["out.dat"]),
    }
}

fn entries(dir: &Path, except: &[&str]) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !except.contains(&name.as_str()))
        .collect()
}

/// A sim and the clean output of every mode.
struct Session {
    sim: sim_support::Harness,
    call: String,
    truth: Vec<(Mode, String)>,
}

impl Session {
    async fn start() -> Session {
        let sim = start_unlimited(SimConfig {
            scenario: Scenario::Townhall,
            ..SimConfig::default()
        })
        .await;
        let call = format!("{}:{}", sim.call_type(), sim.call_id());
        let clean = MODES.map(|mode| {
            let (base_url, call) = (sim.base_url(), call.clone());
            let session = sim.session_id().to_owned();
            async move { (mode, run(&base_url, &call, &session, mode, &[]).await) }
        });
        let mut truth = Vec::new();
        for (mode, clean) in futures::future::join_all(clean).await {
            assert_eq!(
                clean.output.status.code(),
                Some(0),
                "{mode:?}: {}",
                clean.stderr()
            );
            truth.push((mode, clean.produced()));
        }
        Session { sim, call, truth }
    }

    fn truth(&self, mode: Mode) -> &str {
        &self.truth.iter().find(|(m, _)| *m == mode).unwrap().1
    }

    async fn through(&self, proxy: &FaultProxy, mode: Mode) -> Run {
        run(
            &proxy.base_url(),
            &self.call,
            self.sim.session_id(),
            mode,
            &[],
        )
        .await
    }
}

/// What a fault must lead to.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Recovered: exit 0 with the clean output.
    Exact,
    /// Exit 8, stderr saying this.
    Incomplete(&'static str),
    /// This exit status, for a failure that is not about the data (network, unreadable).
    Fails(i32),
}

/// Runs `modes` at once, each through a fresh proxy playing `plan`, and checks each outcome.
async fn check(session: &Session, plan: Plan, modes: &[Mode], expect: Expect) {
    let runs = modes.iter().map(|&mode| async move {
        let proxy = FaultProxy::start(&session.sim.base_url(), vec![plan]).await;
        (mode, session.through(&proxy, mode).await)
    });
    for (mode, run) in futures::future::join_all(runs).await {
        let status = run.output.status.code();
        let case = format!(
            "{plan:?} in {mode:?}: status {status:?}, stderr {}",
            run.stderr()
        );
        assert!(run.others.is_empty(), "{case}: left {:?}", run.others);
        if status == Some(0) {
            assert_eq!(
                run.produced(),
                session.truth(mode),
                "{case}: exit 0, other output"
            );
        } else if mode.to_file() {
            assert_eq!(
                run.file.as_deref(),
                Some(PREVIOUS),
                "{case}: the file changed"
            );
        }
        match expect {
            Expect::Exact => assert_eq!(status, Some(0), "{case}"),
            Expect::Incomplete(says) => {
                assert_eq!(status, Some(8), "{case}");
                let stderr = run.stderr();
                assert!(stderr.contains("incomplete data: "), "{case}");
                assert!(stderr.contains(says), "{case}");
            }
            Expect::Fails(code) => assert_eq!(status, Some(code), "{case}"),
        }
    }
}

fn plan(fault: Fault, times: usize) -> Plan {
    Plan {
        fault,
        page: PAGE,
        times,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_page_with_a_next_is_asked_again_and_never_ends_the_read() {
    let session = Session::start().await;
    check(
        &session,
        plan(Fault::EmptyPageWithNext, 1),
        &MODES,
        Expect::Exact,
    )
    .await;
    let lasting = plan(Fault::EmptyPageWithNext, 2);
    check(
        &session,
        lasting,
        &MODES,
        Expect::Incomplete("total_participant_sessions disagrees: 4,900 distinct sessions read"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_previous_page_served_again_is_asked_again_then_reported() {
    let session = Session::start().await;
    check(
        &session,
        plan(Fault::PreviousPageAgain, 1),
        &MODES,
        Expect::Exact,
    )
    .await;
    check(
        &session,
        plan(Fault::PreviousPageAgain, 2),
        &MODES,
        Expect::Incomplete("Stream sent a page of rows already read again"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn an_overlapping_page_is_deduplicated_in_every_output() {
    let session = Session::start().await;
    check(
        &session,
        plan(Fault::Overlap, ALWAYS),
        &MODES,
        Expect::Exact,
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_body_cut_short_or_an_html_200_is_retried() {
    let session = Session::start().await;
    for fault in [Fault::TruncatedBody, Fault::Html200] {
        check(&session, plan(fault, 1), &MODES, Expect::Exact).await;
        // Past every retry: a failure, not data; nothing written to -o.
        check(
            &session,
            plan(fault, ALWAYS),
            &[Mode::TotalsJson, Mode::SessionsFile],
            Expect::Fails(1),
        )
        .await;
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rejected_cursor_starts_the_read_over_twice_at_most() {
    let session = Session::start().await;
    check(
        &session,
        plan(Fault::RejectedCursor, 2),
        &MODES,
        Expect::Exact,
    )
    .await;
    check(
        &session,
        plan(Fault::RejectedCursor, 3),
        &MODES,
        Expect::Incomplete("Stream rejected its own page cursor, even after starting over"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_hang_is_timed_out_and_retried() {
    let session = Session::start().await;
    check(&session, plan(Fault::Hang, 1), &MODES, Expect::Exact).await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_is_not_ready_is_waited_for_then_reported() {
    let session = Session::start().await;
    check(&session, plan(Fault::NotFound, 2), &MODES, Expect::Exact).await;
    check(
        &session,
        plan(Fault::NotFound, ALWAYS),
        &[Mode::TotalsJson, Mode::SessionsFile, Mode::UsersCsv],
        Expect::Incomplete("Stream is still preparing this session's attendance"),
    )
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn the_404_window_after_a_call_ends_is_waited_out_or_explained() {
    let session = Session::start().await;
    let upstream = session.sim.base_url();
    let window = FaultProxy::start_with(&upstream, vec![], Some(Duration::from_millis(600))).await;
    let waited = session.through(&window, Mode::TotalsJson).await;
    assert_eq!(waited.output.status.code(), Some(0), "{}", waited.stderr());
    assert_eq!(waited.produced(), session.truth(Mode::TotalsJson));
    assert!(
        waited
            .stderr()
            .contains("Stream is still preparing this session's attendance"),
        "{}",
        waited.stderr()
    );
    let closed = FaultProxy::start_with(&upstream, vec![], Some(Duration::from_secs(60))).await;
    for mode in [Mode::TotalsTable, Mode::SessionsFile] {
        let gave_up = session.through(&closed, mode).await;
        assert_eq!(
            gave_up.output.status.code(),
            Some(8),
            "{}",
            gave_up.stderr()
        );
        assert!(
            gave_up
                .stderr()
                .contains("incomplete data: Stream is still preparing this session's attendance"),
            "{}",
            gave_up.stderr()
        );
        if mode.to_file() {
            assert_eq!(gave_up.file.as_deref(), Some(PREVIOUS));
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_session_is_not_found_at_once_not_waited_for() {
    let session = Session::start().await;
    let started = std::time::Instant::now();
    let run = run(
        &session.sim.base_url(),
        &session.call,
        "no-such-session",
        Mode::TotalsJson,
        &[("HEADCOUNT_READY_WAIT", "60")],
    )
    .await;
    assert_eq!(run.output.status.code(), Some(4), "{}", run.stderr());
    assert!(
        run.stderr().contains("no such call or session"),
        "{}",
        run.stderr()
    );
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_dashboard_recovers_the_same_faults_or_says_what_is_missing() {
    let sim = start_unlimited(SimConfig {
        scenario: Scenario::Townhall,
        ..SimConfig::default()
    })
    .await;
    let read = |base_url: String| {
        let (call_type, call_id) = (sim.call_type().to_owned(), sim.call_id().to_owned());
        let session = sim.session_id().to_owned();
        async move {
            sim_support::dashboard::after_one_read(&base_url, &call_type, &call_id, &session).await
        }
    };
    let clean = read(sim.base_url()).await;
    assert_eq!(clean.completeness(), Some(&Completeness::Complete));
    let clean = clean.figures().unwrap().call.clone();
    let cases = [
        (plan(Fault::EmptyPageWithNext, 1), true),
        (plan(Fault::PreviousPageAgain, 1), true),
        (plan(Fault::Overlap, ALWAYS), true),
        (plan(Fault::TruncatedBody, 1), true),
        (plan(Fault::RejectedCursor, 2), true),
        (plan(Fault::NotFound, 1), true),
        (plan(Fault::EmptyPageWithNext, 2), false),
        (plan(Fault::PreviousPageAgain, 2), false),
        (plan(Fault::RejectedCursor, 3), false),
    ];
    let runs = cases.map(|(plan, _)| {
        let upstream = sim.base_url();
        let read = &read;
        async move {
            let proxy = FaultProxy::start(&upstream, vec![plan]).await;
            read(proxy.base_url()).await
        }
    });
    for ((plan, recovers), app) in cases.iter().zip(futures::future::join_all(runs).await) {
        if *recovers {
            assert_eq!(
                app.completeness(),
                Some(&Completeness::Complete),
                "{plan:?}"
            );
            assert_eq!(app.figures().unwrap().call, clean, "{plan:?}");
        } else {
            let shortfall = app.shortfall();
            assert!(shortfall.is_some(), "{plan:?}: {:?}", app.completeness());
        }
    }
}

/// A page whose answer does not come is said on stderr (not a terminal: one line) with its
/// number, before the request times out and is asked again.
#[tokio::test(flavor = "multi_thread")]
async fn a_page_that_hangs_is_said_with_its_number_then_read() {
    let session = Session::start().await;
    let proxy = FaultProxy::start(&session.sim.base_url(), vec![plan(Fault::Hang, 1)]).await;
    // Requests may take 3 s: the wait is said at half of it, before the retry.
    let run = run(
        &proxy.base_url(),
        &session.call,
        session.sim.session_id(),
        Mode::TotalsJson,
        &[("HEADCOUNT_TIMEOUT", "3")],
    )
    .await;
    assert_eq!(run.output.status.code(), Some(0), "{}", run.stderr());
    assert_eq!(run.produced(), session.truth(Mode::TotalsJson));
    let said = run.stderr();
    let waiting = format!("waiting for Stream's answer to page {PAGE} · ");
    assert_eq!(said.matches(&waiting).count(), 1, "said once: {said}");
    assert!(
        !said.contains("waiting for Stream's answer to page 1 "),
        "{said}"
    );
}

/// `totals --user`, text and JSON, of `user` in the session.
async fn card(
    base_url: &str,
    session: &Session,
    user: &str,
    json: bool,
) -> (Option<i32>, String, String) {
    let mut words = vec![
        "totals",
        &session.call,
        "--session",
        session.sim.session_id(),
        "--tz",
        "UTC",
        "--user",
        user,
    ];
    if json {
        words.extend(["--format", "json"]);
    }
    let output = headcount(base_url, args(words), &[]).await;
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// The answer card of a read that missed rows never looks whole: it exits 8 and says what is
/// missing on stderr; a card printed (of a user read before the fault) starts with
/// `INCOMPLETE:` (JSON: `"complete": false`),
/// and a user none of whose rows was read is not "unknown" (exit 4) but maybe among the
/// missing ones, with no card. Played for rows the server counts but did not send, a 404 on
/// a page, a session that stays in its 404 window, and a page that keeps failing (exit 1,
/// no card).
#[tokio::test(flavor = "multi_thread")]
async fn the_answer_card_of_an_incomplete_read_says_so_and_exits_non_zero() {
    let session = Session::start().await;
    // The rows as the commands page them (100 a page, in the server's order): who is on the
    // page the fault strikes, wholly or in part.
    let rows = sim_support::all_rows(&session.sim, 100, &[]).await;
    let user_of = |row: &serde_json::Value| row["user_id"].as_str().unwrap().to_owned();
    let struck = (PAGE - 1) * 100..PAGE * 100;
    let elsewhere: std::collections::HashSet<String> = rows
        .iter()
        .enumerate()
        .filter(|(at, _)| !struck.contains(at))
        .map(|(_, row)| user_of(row))
        .collect();
    let on_page: Vec<String> = rows[struck].iter().map(user_of).collect();
    // Read before the fault, whatever the read does after it: their card is printed, and
    // must say that the read is not whole.
    let partly = user_of(&rows[0]);
    let wholly = on_page
        .iter()
        .find(|user| !elsewhere.contains(*user))
        .expect("a user whose sessions are all on the page")
        .clone();
    let clean = card(&session.sim.base_url(), &session, &partly, false).await;
    assert_eq!(clean.0, Some(0), "{}", clean.2);
    assert!(clean.1.starts_with("User:  "), "{}", clean.1);

    let upstream = session.sim.base_url();
    let cases = [
        (
            plan(Fault::EmptyPageWithNext, 2),
            "total_participant_sessions disagrees",
        ),
        (
            plan(Fault::NotFound, ALWAYS),
            "Stream is still preparing this session's attendance",
        ),
    ];
    for (plan, says) in cases {
        // A proxy each: a fault is served its number of times per proxy.
        let through = |user: String, json: bool| {
            let (upstream, session) = (&upstream, &session);
            async move {
                let proxy = FaultProxy::start(upstream, vec![plan]).await;
                card(&proxy.base_url(), session, &user, json).await
            }
        };
        let (text, json, missing) = futures::future::join3(
            through(partly.clone(), false),
            through(partly.clone(), true),
            through(wholly.clone(), false),
        )
        .await;
        let case = format!("{plan:?}");
        assert_eq!(text.0, Some(8), "{case}: {}", text.2);
        assert!(
            text.2.contains("incomplete data: ") && text.2.contains(says),
            "{case}: {}",
            text.2
        );
        assert!(
            text.1
                .starts_with("INCOMPLETE:   not every row of the session was read, the figures below may be short: "),
            "{case}: {}",
            text.1
        );
        assert!(text.1.contains(says), "{case}: {}", text.1);
        assert_ne!(text.1, clean.1, "{case}");

        assert_eq!(json.0, Some(8), "{case}: {}", json.2);
        let parsed: serde_json::Value = serde_json::from_str(&json.1).unwrap();
        assert_eq!(parsed["complete"], false, "{case}");
        assert!(
            parsed["incomplete"].as_str().unwrap().contains(says),
            "{case}: {parsed}"
        );

        assert_eq!(
            missing.0,
            Some(8),
            "{case}: not `unknown user`: {}",
            missing.2
        );
        assert!(missing.1.is_empty(), "{case}: {}", missing.1);
        assert!(
            missing.2.contains(&format!(
                "no participant session of user `{wholly}` among the rows read, but the read \
                 missed some: theirs may be among them; no card is printed"
            )) && missing.2.contains(says),
            "{case}: {}",
            missing.2
        );
    }

    // A session still in its 404 window: nothing was read, and that is said.
    let closed = FaultProxy::start_with(&upstream, vec![], Some(Duration::from_secs(60))).await;
    for json in [false, true] {
        let (status, stdout, stderr) = card(&closed.base_url(), &session, &partly, json).await;
        assert_eq!(status, Some(8), "{stderr}");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(
            stderr.contains("no row of the session was read; no card is printed")
                && stderr.contains("Stream is still preparing this session's attendance"),
            "{stderr}"
        );
    }

    // A page that keeps failing: a failure, no card.
    let failing = FaultProxy::start(&upstream, vec![plan(Fault::Html200, ALWAYS)]).await;
    let (status, stdout, stderr) = card(&failing.base_url(), &session, &partly, false).await;
    assert_eq!(status, Some(1), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(stderr.contains("page 3"), "{stderr}");
}
