//! The real binary in a pseudo-terminal, read back through a terminal emulator: `headcount
//! demo` loads a call, narrows it with a filter, drills down, switches views and quits,
//! leaving the terminal as it found it, also when a signal ends it; a paste is text, not keys.
//!
//! Each step waits for the screen to show its result, with one generous limit that only
//! turns a hang into a failure: nothing here depends on how fast the machine is.

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

const ROWS: u16 = 36;
const COLS: u16 = 120;
/// Far beyond any expected wait; reaching it means the dashboard is stuck.
const GIVE_UP: Duration = Duration::from_secs(120);
/// How often the screen is looked at while waiting.
const LOOK_EVERY: Duration = Duration::from_millis(50);
/// Sent by the terminal to leave the alternate screen.
const LEAVE_ALTERNATE_SCREEN: &[u8] = b"\x1b[?1049l";
/// Asks the terminal to mark pastes, and to stop.
const BRACKETED_PASTE_ON: &[u8] = b"\x1b[?2004h";
const BRACKETED_PASTE_OFF: &[u8] = b"\x1b[?2004l";

/// The binary running in a pseudo-terminal, its output fed to an emulated screen.
struct Terminal {
    screen: Arc<Mutex<vt100::Parser>>,
    output: Arc<Mutex<Vec<u8>>>,
    keys: Box<dyn Write + Send>,
    reader: Option<thread::JoinHandle<()>>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
    _workdir: tempfile::TempDir,
}

impl Terminal {
    fn start(args: &[&str]) -> Terminal {
        Terminal::start_with(args, &[])
    }

    fn start_with(args: &[&str], env: &[(&str, &str)]) -> Terminal {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows: ROWS,
                cols: COLS,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("open a pseudo-terminal");
        let workdir = tempfile::tempdir().expect("a working directory");
        let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_headcount"));
        command.args(args);
        command.cwd(workdir.path());
        command.env("NO_COLOR", "1");
        command.env("TERM", "xterm-256color");
        command.env("TZ", "UTC");
        for (name, value) in env {
            command.env(name, value);
        }
        let child = pty.slave.spawn_command(command).expect("start headcount");
        drop(pty.slave);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            nonzero(ROWS),
            nonzero(COLS),
            0,
        )));
        let output = Arc::new(Mutex::new(Vec::new()));
        let reader = pty.master.try_clone_reader().expect("read the terminal");
        let reader = spawn_reader(reader, Arc::clone(&screen), Arc::clone(&output));
        Terminal {
            screen,
            output,
            reader: Some(reader),
            keys: pty.master.take_writer().expect("write to the terminal"),
            child,
            _master: pty.master,
            _workdir: workdir,
        }
    }

    fn type_keys(&mut self, keys: &str) {
        self.keys.write_all(keys.as_bytes()).expect("type");
        self.keys.flush().expect("type");
    }

    /// The screen's text once `done` holds for it.
    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        let started = Instant::now();
        loop {
            let text = self.text();
            if done(&text) {
                return text;
            }
            assert!(
                started.elapsed() < GIVE_UP,
                "the screen never showed {what}; it shows:\n{text}"
            );
            thread::sleep(LOOK_EVERY);
        }
    }

    fn text(&self) -> String {
        self.screen.lock().unwrap().screen().contents()
    }

    /// What a terminal sends for a paste of `text` once the program asked for bracketed paste.
    fn paste(&mut self, text: &str) {
        self.type_keys(&format!("\x1b[200~{text}\x1b[201~"));
    }

    fn signal(&self, signal: libc::c_int) {
        let pid = self.child.process_id().expect("a process id") as libc::pid_t;
        // SAFETY: kill only sends a signal to the child this test started.
        assert_eq!(unsafe { libc::kill(pid, signal) }, 0, "signal sent");
    }

    /// Whether the terminal is in its normal (cooked) mode: lines edited by the terminal
    /// (ICANON) and typed keys echoed (ECHO), as raw mode turns both off.
    fn cooked(&self) -> bool {
        let fd = self._master.as_raw_fd().expect("the terminal's descriptor");
        // SAFETY: tcgetattr fills the zeroed termios of a descriptor this test owns.
        let mut termios: libc::termios = unsafe { std::mem::zeroed() };
        assert_eq!(unsafe { libc::tcgetattr(fd, &mut termios) }, 0, "tcgetattr");
        termios.c_lflag & (libc::ICANON | libc::ECHO) == (libc::ICANON | libc::ECHO)
    }

    fn wrote(&self, bytes: &[u8]) -> bool {
        let output = self.output.lock().unwrap();
        output.windows(bytes.len()).any(|window| window == bytes)
    }

    /// The exit status, once the process has ended and all it wrote has been read.
    fn wait_for_exit(&mut self) -> portable_pty::ExitStatus {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().expect("exit status") {
                if let Some(reader) = self.reader.take() {
                    reader.join().expect("the reader ends with the output");
                }
                return status;
            }
            assert!(
                started.elapsed() < GIVE_UP,
                "headcount did not exit; the screen shows:\n{}",
                self.text()
            );
            thread::sleep(LOOK_EVERY);
        }
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        // A failed test must not leave the dashboard running; it may have exited already.
        let _ = self.child.kill();
    }
}

fn nonzero(n: u16) -> std::num::NonZeroU16 {
    std::num::NonZeroU16::new(n).expect("a terminal size")
}

fn spawn_reader(
    mut reader: Box<dyn Read + Send>,
    screen: Arc<Mutex<vt100::Parser>>,
    output: Arc<Mutex<Vec<u8>>>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let mut buffer = [0; 8192];
        while let Ok(read @ 1..) = reader.read(&mut buffer) {
            screen.lock().unwrap().process(&buffer[..read]);
            output.lock().unwrap().extend_from_slice(&buffer[..read]);
        }
    })
}

/// `(loaded, total)` from the progress line `page 1 · 40 / 40 sessions … done`, once done.
fn loaded_and_total(screen: &str) -> Option<(String, String)> {
    let line = screen
        .lines()
        .find(|line| line.starts_with("page ") && line.contains(" done"))?;
    let (_, counts) = line.split_once(" · ")?;
    let (counts, _) = counts.split_once(" sessions")?;
    let (loaded, total) = counts.split_once(" / ")?;
    Some((loaded.trim().to_owned(), total.trim().to_owned()))
}

/// The first cell of every data row of the table on screen.
fn first_cells(screen: &str) -> Vec<String> {
    let mut lines = screen.lines().skip_while(|line| !line.contains("User [U]"));
    lines.next();
    lines
        .take_while(|line| line.starts_with('│'))
        // Rows below the last session are blank between the borders.
        .filter_map(|line| line.trim_matches('│').split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

/// The title of the bordered view: `┌ Sessions · 40 ───┐` gives `Sessions · 40`.
fn view_title(screen: &str) -> String {
    screen
        .lines()
        .find(|line| line.starts_with('┌'))
        .map(|line| line.trim_matches(|c| "┌┐─ ".contains(c)).to_owned())
        .unwrap_or_default()
}

#[test]
fn demo_loads_filters_drills_down_and_quits_cleanly() {
    let mut terminal = Terminal::start(&["demo", "--scenario", "small", "--tz", "UTC"]);

    let loaded = terminal.wait_for("every session loaded", |screen| {
        loaded_and_total(screen).is_some_and(|(loaded, total)| loaded == total)
    });
    let (_, total) = loaded_and_total(&loaded).unwrap();
    let total: usize = total.replace(',', "").parse().expect("a session count");
    let users = first_cells(&loaded);
    let user = users.first().expect("a session row").clone();
    assert!(users.iter().any(|other| *other != user), "{loaded}");
    let title = loaded.lines().next().unwrap_or_default();
    assert!(
        // ` UTC · 45m`, or ` UTC │` when a call over midnight takes the room of its length.
        title.starts_with("ENDED │ ") && title.contains(" UTC "),
        "the state first, then the window with its zone: {title}"
    );

    terminal.type_keys(&format!("/user:{user}"));
    let filtered = terminal.wait_for("the rows narrowed to one user", |screen| {
        let rows = first_cells(screen);
        !rows.is_empty() && rows.iter().all(|row| *row == user) && rows.len() < total
    });
    let conditions = filtered
        .lines()
        .find(|line| line.starts_with("filter_conditions "))
        .unwrap_or_else(|| panic!("the filter_conditions preview is shown:\n{filtered}"));
    assert!(
        conditions.contains("\"user_id\"") && conditions.contains(&user),
        "{conditions}"
    );

    terminal.type_keys("\r");
    terminal.wait_for("the filter bar closed", |screen| {
        !screen
            .lines()
            .any(|line| line.starts_with("filter_conditions "))
    });
    terminal.type_keys("\r");
    let detail = terminal.wait_for("the user's detail", |screen| {
        screen.lines().any(|line| line.contains(" › "))
            && !view_title(screen).starts_with("Sessions")
    });
    assert!(view_title(&detail).contains("filter: user:"), "{detail}");

    let mut title = view_title(&detail);
    for _ in 0..3 {
        if title.starts_with("Timeline") {
            break;
        }
        terminal.type_keys("\t");
        let before = title.clone();
        let after = terminal.wait_for("the next view", |screen| view_title(screen) != before);
        title = view_title(&after);
    }
    assert!(
        title.starts_with("Timeline"),
        "Tab reaches the timeline: {title}"
    );

    terminal.type_keys("q");
    let status = terminal.wait_for_exit();
    assert!(status.success(), "exit status {status:?}");
    let output = terminal.output.lock().unwrap();
    assert!(
        output
            .windows(LEAVE_ALTERNATE_SCREEN.len())
            .any(|window| window == LEAVE_ALTERNATE_SCREEN),
        "the alternate screen was left"
    );
    let screen = terminal.screen.lock().unwrap();
    assert!(
        !screen.screen().alternate_screen(),
        "back on the main screen"
    );
    assert!(
        !screen.screen().hide_cursor(),
        "the cursor is visible again"
    );
}

/// Whether the process left the alternate screen and showed the cursor again.
fn terminal_restored(terminal: &Terminal) -> bool {
    let output = terminal.output.lock().unwrap();
    let left = output
        .windows(LEAVE_ALTERNATE_SCREEN.len())
        .any(|window| window == LEAVE_ALTERNATE_SCREEN);
    let screen = terminal.screen.lock().unwrap();
    left && !screen.screen().alternate_screen() && !screen.screen().hide_cursor()
}

/// Sends `signal` to a dashboard that has loaded, and checks that it gives the terminal back
/// as `q` does and exits with 128 + the signal's number.
fn a_signal_gives_the_terminal_back(signal: libc::c_int) {
    let mut terminal = Terminal::start(&["demo", "--scenario", "small", "--tz", "UTC"]);
    terminal.wait_for("every session loaded", |screen| {
        loaded_and_total(screen).is_some_and(|(loaded, total)| loaded == total)
    });
    assert!(!terminal.cooked(), "the dashboard runs in raw mode");
    terminal.signal(signal);
    let status = terminal.wait_for_exit();
    assert_eq!(status.exit_code(), 128 + signal as u32, "{status:?}");
    assert!(terminal.cooked(), "raw mode is off again");
    assert!(terminal_restored(&terminal), "main screen, cursor shown");
    assert!(
        terminal.wrote(BRACKETED_PASTE_OFF),
        "bracketed paste is off"
    );
}

#[test]
fn sigterm_gives_the_terminal_back_and_exits_143() {
    a_signal_gives_the_terminal_back(libc::SIGTERM);
}

#[test]
fn sighup_gives_the_terminal_back_and_exits_129() {
    a_signal_gives_the_terminal_back(libc::SIGHUP);
}

#[test]
fn sigint_from_outside_gives_the_terminal_back_and_exits_130() {
    a_signal_gives_the_terminal_back(libc::SIGINT);
}

#[test]
fn sigterm_in_the_picker_gives_the_terminal_back() {
    let mut terminal = Terminal::start(&["demo", "--scenario", "small", "--tz", "UTC", "--pick"]);
    terminal.wait_for("the session picker", |screen| {
        screen.contains("choose one to open")
    });
    terminal.signal(libc::SIGTERM);
    let status = terminal.wait_for_exit();
    assert_eq!(status.exit_code(), 143, "{status:?}");
    assert!(terminal.cooked(), "raw mode is off again");
    assert!(terminal_restored(&terminal), "main screen, cursor shown");
}

/// The line of the open filter bar: `/ user:alice`.
fn filter_line(screen: &str) -> Option<String> {
    screen
        .lines()
        .find(|line| line.starts_with("/ "))
        .map(|line| line.trim_end().to_owned())
}

/// Esc closes the bar with the filter from before editing (none) back in force.
fn close_filter_bar(terminal: &mut Terminal) {
    terminal.type_keys("\x1b");
    let closed = terminal.wait_for("the bar closed", |screen| filter_line(screen).is_none());
    assert!(
        !closed.lines().any(|line| line.starts_with("filter ")),
        "no filter in force:\n{closed}"
    );
}

#[test]
fn a_paste_is_filter_text_and_never_keys() {
    let mut terminal = Terminal::start(&["demo", "--scenario", "small", "--tz", "UTC"]);
    terminal.wait_for("every session loaded", |screen| {
        loaded_and_total(screen).is_some_and(|(loaded, total)| loaded == total)
    });
    assert!(
        terminal.wrote(BRACKETED_PASTE_ON),
        "bracketed paste is asked for"
    );

    terminal.type_keys("/");
    terminal.wait_for("the filter bar", |screen| filter_line(screen).is_some());
    terminal.paste("u-ascii\rq");
    let pasted = terminal.wait_for("the pasted text in the bar", |screen| {
        filter_line(screen).is_some_and(|line| line == "/ u-ascii q")
    });
    assert!(
        pasted.contains("filter_conditions"),
        "the bar stays open: Enter was not pressed\n{pasted}"
    );

    close_filter_bar(&mut terminal);
    terminal.paste("alice\n");
    terminal.wait_for("the bar opened by the paste, with its text", |screen| {
        filter_line(screen).is_some_and(|line| line == "/ alice")
    });

    close_filter_bar(&mut terminal);
    terminal.type_keys("q");
    assert!(terminal.wait_for_exit().success(), "q still quits");
    assert!(
        terminal.wrote(BRACKETED_PASTE_OFF),
        "bracketed paste is off"
    );
    assert!(terminal_restored(&terminal));
}

#[test]
fn the_picker_offers_every_session_and_q_leaves_with_status_0() {
    let mut terminal = Terminal::start(&["demo", "--scenario", "small", "--tz", "UTC", "--pick"]);
    let picker = terminal.wait_for("the session picker", |screen| {
        screen.contains("choose one to open") && screen.contains("▶ *")
    });
    assert!(picker.contains("3 sessions"), "{picker}");
    terminal.type_keys("j");
    terminal.wait_for("the selection moved down", |screen| {
        screen.lines().any(|line| line.starts_with("▶  "))
    });
    terminal.type_keys("q");
    let status = terminal.wait_for_exit();
    assert!(status.success(), "exit status {status:?}");
    assert!(terminal_restored(&terminal), "the terminal is restored");
}

#[test]
fn the_picker_opens_the_chosen_session_in_the_dashboard() {
    let mut terminal = Terminal::start(&["demo", "--scenario", "small", "--tz", "UTC", "--pick"]);
    let picker = terminal.wait_for("the session picker", |screen| {
        screen.contains("choose one to open")
    });
    let chosen = picker
        .lines()
        .find(|line| line.starts_with("   "))
        .and_then(|line| line.split_whitespace().next())
        .expect("an earlier session")
        .to_owned();
    terminal.type_keys("j\r");
    let dashboard = terminal.wait_for("the dashboard on the earlier session", |screen| {
        loaded_and_total(screen).is_some_and(|(loaded, total)| loaded == total)
    });
    let prefix = &chosen[..8];
    assert!(dashboard.contains(prefix), "{prefix} on\n{dashboard}");
    terminal.type_keys("q");
    assert!(terminal.wait_for_exit().success());
    assert!(terminal_restored(&terminal), "the terminal is restored");
}

/// The session id on the picker's line under the cursor (`▶ *abc…` or `▶  abc…`), inside the
/// picker's box when it is drawn over the dashboard.
fn picker_selection(screen: &str) -> Option<String> {
    let line = screen
        .lines()
        .map(|line| line.trim_start_matches(['│', ' ']))
        .find(|line| line.starts_with("▶ "))?;
    let id = line["▶ ".len()..]
        .trim_start_matches('*')
        .split_whitespace()
        .next()?;
    Some(id.to_owned())
}

#[test]
fn s_opens_the_picker_over_the_dashboard_and_enter_shows_another_session() {
    let mut terminal = Terminal::start(&["demo", "--scenario", "small", "--tz", "UTC"]);
    let first = terminal.wait_for("the current session loaded", |screen| {
        loaded_and_total(screen).is_some_and(|(loaded, total)| loaded == total)
    });
    let (_, first_total) = loaded_and_total(&first).unwrap();
    terminal.type_keys("s");
    let picker = terminal.wait_for("the session picker over the dashboard", |screen| {
        screen.contains("choose one to open") && screen.contains("▶ *")
    });
    let current = picker_selection(&picker).expect("the current session under the cursor");
    assert!(picker.contains("3 sessions"), "{picker}");
    let footer = picker.lines().last().unwrap_or_default();
    assert!(
        footer.contains("open") && footer.contains("back"),
        "the footer gives the picker's keys: {footer}"
    );
    terminal.type_keys("j");
    let moved = terminal.wait_for("the cursor on an earlier session", |screen| {
        picker_selection(screen).is_some_and(|id| id != current)
    });
    let chosen = picker_selection(&moved).unwrap();
    terminal.type_keys("\r");
    let prefix = &chosen[..8];
    let second = terminal.wait_for("the earlier session loaded", |screen| {
        !screen.contains("choose one to open")
            && screen.contains(prefix)
            && loaded_and_total(screen).is_some_and(|(loaded, total)| loaded == total)
    });
    let (_, second_total) = loaded_and_total(&second).unwrap();
    assert!(!second.contains(&current[..8]), "{second}");
    assert_ne!(
        first_total, second_total,
        "the earlier session's own figures:\n{second}"
    );
    terminal.type_keys("q");
    assert!(terminal.wait_for_exit().success());
    assert!(terminal_restored(&terminal), "the terminal is restored");
}

#[test]
fn hostile_text_from_the_server_is_shown_escaped_and_never_run() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sim = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = headcount::sim::SimConfig {
            scenario: headcount::sim::Scenario::Small,
            hostile_text: true,
            ..headcount::sim::SimConfig::default()
        };
        headcount::sim::start(config, listener).await.unwrap()
    });
    let config_dir = tempfile::tempdir().unwrap();
    let absent = config_dir.path().join("absent.toml");
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let base_url = sim.base_url();
    let mut terminal = Terminal::start_with(
        &["watch", &call, "--session", sim.session_id(), "--tz", "UTC"],
        &[
            ("STREAM_BASE_URL", &base_url),
            ("STREAM_API_KEY", "headcount-demo"),
            ("STREAM_API_SECRET", "headcount-demo-secret"),
            ("HEADCOUNT_CONFIG", absent.to_str().unwrap()),
        ],
    );
    let screen = terminal.wait_for("every session loaded", |screen| {
        loaded_and_total(screen).is_some_and(|(loaded, total)| loaded == total)
    });
    assert!(
        screen.contains("host\\x1b[2J"),
        "the role is shown escaped\n{screen}"
    );
    terminal.type_keys("P");
    let sorted = terminal.wait_for("the rows sorted by publisher", |screen| {
        screen.contains("Publisher [P]▲")
    });
    // Cut to fit its column, a cell ends with `…`: the escape stays visible.
    assert!(
        sorted.contains("rtmp\\x1b]52;c"),
        "the publisher type is escaped\n{sorted}"
    );
    assert!(
        sorted.contains("\\x1b ") || sorted.contains("\\x1…"),
        "so are user ids\n{sorted}"
    );
    terminal.type_keys("q");
    assert!(terminal.wait_for_exit().success());
    assert!(terminal_restored(&terminal));
    for never in [
        &b"\x1b]0;owned"[..],
        b"\x1b]52;c;b3duZWQ=",
        b"host\x1b[2J",
        "\u{202e}".as_bytes(),
        "\u{9b}".as_bytes(),
    ] {
        assert!(
            !terminal.wrote(never),
            "{:?} reached the terminal",
            String::from_utf8_lossy(never)
        );
    }
    drop(sim);
}

#[test]
fn an_api_secret_cmd_can_ask_for_the_password_on_the_terminal() {
    let home = tempfile::tempdir().unwrap();
    let config = home.path().join("config.toml");
    std::fs::write(
        &config,
        "[profiles.vault]\napi_key = \"k\"\n\
         api_secret_cmd = \"printf 'passphrase? ' > /dev/tty; read -r s < /dev/tty; printf '%s' \\\"$s\\\"\"\n\
         api_secret_cmd_timeout = \"30s\"\n",
    )
    .unwrap();
    let mut terminal = Terminal::start_with(
        &["config", "show", "--profile", "vault"],
        &[("HEADCOUNT_CONFIG", config.to_str().unwrap())],
    );
    terminal.wait_for("the command's prompt", |screen| {
        screen.contains("passphrase?")
    });
    terminal.type_keys("typed-in\r");
    let status = terminal.wait_for_exit();
    let screen = terminal.text();
    assert!(status.success(), "{status:?}\n{screen}");
    assert!(
        screen
            .lines()
            .any(|line| line.starts_with("api_secret") && line.contains("set")),
        "{screen}"
    );
}

#[test]
fn a_rate_limit_is_named_with_its_page_and_a_ticking_wait_then_the_read_goes_on() {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    // The townhall's 50 pages against a quota of 5 pages every 2 s: the read is rate limited
    // again and again, whatever the machine's speed.
    let sim = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let config = headcount::sim::SimConfig {
            scenario: headcount::sim::Scenario::Townhall,
            rate_limit: 5,
            rate_window: Duration::from_secs(2),
            ..headcount::sim::SimConfig::default()
        };
        headcount::sim::start(config, listener).await.unwrap()
    });
    let config_dir = tempfile::tempdir().unwrap();
    let absent = config_dir.path().join("absent.toml");
    let call = format!("{}:{}", sim.call_type(), sim.call_id());
    let base_url = sim.base_url();
    let mut terminal = Terminal::start_with(
        &["watch", &call, "--session", sim.session_id(), "--tz", "UTC"],
        &[
            ("STREAM_BASE_URL", &base_url),
            ("STREAM_API_KEY", "headcount-demo"),
            ("STREAM_API_SECRET", "headcount-demo-secret"),
            ("HEADCOUNT_CONFIG", absent.to_str().unwrap()),
        ],
    );
    let waiting = terminal.wait_for("the rate limit named", |screen| {
        screen.contains("rate limited by Stream, next page at")
    });
    let line = waiting
        .lines()
        .find(|line| line.contains("rate limited by Stream"))
        .unwrap();
    assert!(
        line.contains(" UTC (page ") && line.contains(" · in "),
        "the time, its zone, the page and the wait: {line}"
    );
    assert!(
        waiting.contains("waiting to ask for page"),
        "the progress line says the fetch waits:\n{waiting}"
    );
    assert!(
        !waiting.contains("fetching…"),
        "no stuck `fetching…` while waiting:\n{waiting}"
    );
    let page_in = |screen: &str| -> Option<u32> {
        let line = screen
            .lines()
            .find(|line| line.contains("rate limited by Stream"))?;
        let at = line.find("(page ")? + "(page ".len();
        line[at..].split(')').next()?.parse().ok()
    };
    let first = page_in(&waiting).unwrap();
    terminal.wait_for("a later page's wait", |screen| {
        page_in(screen).is_some_and(|page| page > first)
    });
    terminal.type_keys("q");
    assert!(terminal.wait_for_exit().success());
    assert!(terminal_restored(&terminal));
    drop(sim);
}

/// The state cell (after the user's) of every data row of the Expected view on screen.
fn states(screen: &str) -> Vec<String> {
    let mut lines = screen
        .lines()
        .skip_while(|line| !line.contains("State [T]"));
    lines.next();
    lines
        .take_while(|line| line.starts_with('│'))
        .filter_map(|line| line.trim_matches('│').split_whitespace().nth(1))
        .map(str::to_owned)
        .collect()
}

#[test]
fn x_opens_who_was_expected_and_state_absent_lists_who_never_came() {
    let mut terminal = Terminal::start(&["demo", "--scenario", "small", "--tz", "UTC"]);
    terminal.wait_for("every session loaded", |screen| {
        loaded_and_total(screen).is_some_and(|(loaded, total)| loaded == total)
    });
    terminal.type_keys("x");
    let expected = terminal.wait_for("the classified roster", |screen| {
        view_title(screen).starts_with("Expected") && !states(screen).is_empty()
    });
    assert!(expected.contains("expected present"), "{expected}");

    terminal.type_keys("/state:absent");
    let absent = terminal.wait_for("only the members who never came", |screen| {
        let states = states(screen);
        !states.is_empty() && states.iter().all(|state| state == "absent")
    });
    assert!(
        view_title(&absent).contains("filter: state:absent"),
        "{absent}"
    );
    terminal.type_keys("\r");
    terminal.type_keys("\t");
    let sessions = terminal.wait_for("the sessions, said unfiltered by state", |screen| {
        view_title(screen).starts_with("Sessions")
    });
    assert!(
        sessions.contains("apply to the Expected view only"),
        "{sessions}"
    );
    terminal.type_keys("q");
    assert!(terminal.wait_for_exit().success());
}

#[test]
fn c_copies_the_answer_card_with_osc_52_and_shows_it_until_esc() {
    let mut terminal = Terminal::start(&["demo", "--scenario", "small", "--tz", "UTC"]);
    terminal.wait_for("every session loaded", |screen| {
        loaded_and_total(screen).is_some_and(|(loaded, total)| loaded == total)
    });
    terminal.type_keys("\t");
    terminal.wait_for("the users", |screen| {
        view_title(screen).starts_with("Users")
    });
    terminal.type_keys("c");
    let card = terminal.wait_for("the answer card", |screen| {
        screen.contains("Answer card · copied with OSC 52")
    });
    assert!(
        card.lines().any(|line| line.starts_with("User:         "))
            && card.lines().any(|line| line.starts_with("Attended:     ")),
        "{card}"
    );
    assert!(
        terminal.wrote(b"\x1b]52;c;"),
        "the card went out with OSC 52"
    );
    terminal.type_keys("\x1b");
    terminal.wait_for("the card closed", |screen| {
        !screen.contains("Answer card") && view_title(screen).starts_with("Users")
    });
    terminal.type_keys("q");
    assert!(terminal.wait_for_exit().success());
}
