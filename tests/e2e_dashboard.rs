//! The real binary in a pseudo-terminal, read back through a terminal emulator: `headcount
//! demo` loads a call, narrows it with a filter, drills down, switches views and quits,
//! leaving the terminal as it found it.
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
    assert!(loaded.contains("zone UTC"), "{loaded}");

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
