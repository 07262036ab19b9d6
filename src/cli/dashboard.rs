//! The dashboard driver: the only place where the terminal, the network and the clock meet the
//! state machine.
//!
//! Terminal events, fetch events, effect outcomes and the clock become [`Msg`]s for
//! [`App::update`]; the [`Effect`]s it returns are carried out here. Every pending message is
//! handled before one draw, and only when the app says something changed, at most ~30 times a
//! second: an idle dashboard sleeps. A signal (SIGTERM, SIGHUP, SIGINT, SIGQUIT) ends it as `q`
//! does, with the terminal given back, and the process exits with 128 + its number.

use std::io::{self, Write};
use std::path::PathBuf;
use std::task::Poll;
use std::time::Duration;

use anyhow::Context as _;
use base64::prelude::*;
use crossterm::event::{Event, EventStream, KeyEventKind};
use crossterm::terminal::{BeginSynchronizedUpdate, EndSynchronizedUpdate};
use futures::StreamExt;
use ratatui::DefaultTerminal;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior};

use super::call_ref::CallRef;
use super::config::values::Theme;
use super::export::output::write_file;
use super::full_screen::FullScreen;
use super::signals::{Interrupted, Signals};
use crate::api::timestamp::Nanos;
use crate::api::{StopReason, StreamClient};
use crate::app::export::ExportFile;
use crate::app::picker::{Choice, Picker};
use crate::app::{App, AppConfig, Effect, Layout, LocalClock, Msg, Now, Outcome};
use crate::attendance::{DisplayZone, SessionSummary};
use crate::fetch::{self, FetchEvent, FetchHandle};
use crate::ui;

/// The shortest time between two draws (about 30 frames a second).
const FRAME: Duration = Duration::from_millis(33);
/// Pages waiting to be handled; the fetcher pauses when the dashboard falls behind.
const FETCH_QUEUE: usize = 16;
/// How long a closed terminal input waits for the SIGHUP that comes with it.
const HANGUP_GRACE: Duration = Duration::from_millis(250);

/// Whether colour is wanted: not with `theme = "mono"`, nor when `NO_COLOR` is set to
/// anything but the empty string (<https://no-color.org>).
pub(crate) fn color_wanted(theme: Theme, env: &dyn Fn(&str) -> Option<String>) -> bool {
    theme != Theme::Mono && env("NO_COLOR").is_none_or(|value| value.is_empty())
}

/// [`color_wanted`] by the process environment.
pub(crate) fn color_from_env(theme: Theme) -> bool {
    color_wanted(theme, &|name| std::env::var(name).ok())
}

/// Where exports are written: the directory the command was started in.
pub(crate) fn export_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// Opens the dashboard on `config` until the user quits or a signal ends it ([`Interrupted`]).
/// The terminal is restored whatever happens: on return (error or not), and by the panic hook
/// on a panic.
pub(crate) async fn run(client: StreamClient, config: AppConfig) -> anyhow::Result<()> {
    give_back_freed_tables();
    let mut signals = Signals::new()?;
    let mut screen = FullScreen::open().context("cannot open the dashboard in this terminal")?;
    Driver::new(client, config)
        .run(screen.terminal(), &mut signals)
        .await
}

/// Shows the picker over `sessions` of `call`, as they are at `now` (the server's present),
/// until a session is chosen (its id) or the user quits (`None`). The terminal is restored as for the dashboard: on return, and on a panic.
pub(crate) async fn pick_session(
    call: &CallRef,
    sessions: Vec<SessionSummary>,
    stopped_early: Option<StopReason>,
    zone: &DisplayZone,
    now: Nanos,
    color: bool,
) -> anyhow::Result<Option<String>> {
    let picker = Picker::new(call.to_string(), sessions, now, zone.clone(), color)
        .with_incomplete_list(stopped_early);
    let mut signals = Signals::new()?;
    let mut screen = FullScreen::open().context("cannot open the picker in this terminal")?;
    run_picker(screen.terminal(), picker, &mut signals).await
}

/// The picker's loop: draw, wait for a key, until a choice is made. Resizes need only the
/// redraw every key already gets.
async fn run_picker(
    terminal: &mut DefaultTerminal,
    mut picker: Picker,
    signals: &mut Signals,
) -> anyhow::Result<Option<String>> {
    let mut input = EventStream::new();
    loop {
        terminal.draw(|frame| ui::picker::draw(frame, &picker))?;
        let event = tokio::select! {
            event = input.next() => event,
            signal = signals.recv() => return Err(Interrupted(signal).into()),
        };
        let Some(Msg::Key(key)) = terminal_msg(event, signals).await? else {
            continue;
        };
        match picker.update(key) {
            Some(Choice::Open(session)) => return Ok(Some(session)),
            Some(Choice::Quit) => return Ok(None),
            None => {}
        }
    }
}

/// The dashboard rebuilds tables of millions of entries as data and filters change. glibc
/// raises its mmap threshold each time such a table is freed, after which freed tables stay
/// in the heap: a dashboard on a million sessions then holds about 25 MB more than it uses.
/// A fixed threshold returns every large table to the system when it is dropped.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn give_back_freed_tables() {
    const LARGE: libc::c_int = 128 * 1024;
    // SAFETY: mallopt only changes an allocator setting; no memory is touched.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, LARGE);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn give_back_freed_tables() {}

/// The event loop's state besides the app itself.
struct Driver {
    app: App,
    client: StreamClient,
    /// This machine's monotonic clock, beside the server's present (`StreamClient::present`):
    /// the app is given both ([`Now`]).
    clock: LocalClock,
    fetch: Option<FetchHandle>,
    fetch_events: (mpsc::Sender<FetchEvent>, mpsc::Receiver<FetchEvent>),
    outcomes: (
        mpsc::UnboundedSender<Outcome>,
        mpsc::UnboundedReceiver<Outcome>,
    ),
    last_draw: Option<Instant>,
    /// A draw held back by the frame cap.
    deferred_draw: Option<Instant>,
    first_effects: Vec<Effect>,
    quit: bool,
}

impl Driver {
    fn new(client: StreamClient, config: AppConfig) -> Driver {
        let clock = LocalClock::new();
        let (app, first_effects) = App::new(config, clock.now_with(client.present()));
        Driver {
            app,
            client,
            clock,
            fetch: None,
            fetch_events: mpsc::channel(FETCH_QUEUE),
            outcomes: mpsc::unbounded_channel(),
            last_draw: None,
            deferred_draw: None,
            first_effects,
            quit: false,
        }
    }

    async fn run(
        mut self,
        terminal: &mut DefaultTerminal,
        signals: &mut Signals,
    ) -> anyhow::Result<()> {
        let first = std::mem::take(&mut self.first_effects);
        self.perform(first, terminal)?;
        let mut input = EventStream::new();
        let mut clock = tokio::time::interval(Duration::from_secs(1));
        clock.set_missed_tick_behavior(MissedTickBehavior::Skip);
        while !self.quitting() {
            self.draw_if_due(terminal)?;
            let deadline =
                (self.app.next_deadline()).map(|at| Instant::from_std(self.clock.instant(at)));
            let msg = tokio::select! {
                event = input.next() => terminal_msg(event, signals).await?,
                signal = signals.recv() => return Err(Interrupted(signal).into()),
                Some(event) = self.fetch_events.1.recv() => Some(Msg::Fetch(event)),
                Some(outcome) = self.outcomes.1.recv() => Some(Msg::Done(outcome)),
                _ = clock.tick() => Some(Msg::Tick),
                () = sleep_until(deadline) => Some(Msg::Tick),
                () = sleep_until(self.deferred_draw) => None,
            };
            if let Some(msg) = msg {
                self.deliver(msg, terminal)?;
            }
            self.drain(&mut input, terminal, signals).await?;
        }
        Ok(())
    }

    fn quitting(&self) -> bool {
        self.quit || self.app.should_quit()
    }

    /// Handles every message already waiting, so a burst of pages or keys costs one draw.
    async fn drain(
        &mut self,
        input: &mut EventStream,
        terminal: &mut DefaultTerminal,
        signals: &mut Signals,
    ) -> anyhow::Result<()> {
        while !self.quitting() {
            let msg = if let Ok(event) = self.fetch_events.1.try_recv() {
                Msg::Fetch(event)
            } else if let Ok(outcome) = self.outcomes.1.try_recv() {
                Msg::Done(outcome)
            } else if let Poll::Ready(event) = poll_once(input).await {
                match terminal_msg(event, signals).await? {
                    Some(msg) => msg,
                    None => continue,
                }
            } else {
                return Ok(());
            };
            self.deliver(msg, terminal)?;
        }
        Ok(())
    }

    fn deliver(&mut self, msg: Msg, terminal: &mut DefaultTerminal) -> io::Result<()> {
        let effects = self.app.update(msg, self.now());
        self.perform(effects, terminal)
    }

    /// Both clocks now: the server's present, at which a live call is shown as it is (a skewed
    /// clock here, or a sped-up sim, would otherwise put it in the past), and this machine's
    /// monotonic clock, on which every wait the user sees is counted.
    fn now(&self) -> Now {
        self.clock.now_with(self.client.present())
    }

    fn perform(&mut self, effects: Vec<Effect>, terminal: &mut DefaultTerminal) -> io::Result<()> {
        for effect in effects {
            match effect {
                Effect::StartFetch(request) => {
                    let events = self.fetch_events.0.clone();
                    self.fetch = Some(fetch::spawn(self.client.clone(), request, events));
                }
                Effect::CancelFetch => self.fetch = None,
                Effect::Export {
                    path,
                    file,
                    overwrite,
                } => self.export(path, file, overwrite),
                Effect::ListSessions => self.list_sessions(),
                Effect::Copy(text) => {
                    copy_to_clipboard(terminal.backend_mut(), &text)?;
                    self.deliver(Msg::Done(Outcome::Copied { text }), terminal)?;
                }
                Effect::Quit => {
                    self.fetch = None;
                    self.quit = true;
                }
            }
        }
        Ok(())
    }

    /// Writes the file on a blocking thread, unless one is there and may not be replaced;
    /// its outcome comes back as a message.
    fn export(&self, path: PathBuf, file: ExportFile, overwrite: bool) {
        let outcomes = self.outcomes.0.clone();
        tokio::task::spawn_blocking(move || {
            if !overwrite && std::fs::symlink_metadata(&path).is_ok() {
                let _ = outcomes.send(Outcome::ExportExists { path, file });
                return;
            }
            let written = file
                .encode()
                .map_err(anyhow::Error::from)
                .and_then(|bytes| write_file(&path, &bytes));
            let outcome = match written {
                Ok(()) => Outcome::Exported {
                    rows: file.rows(),
                    path,
                },
                Err(error) => Outcome::ExportFailed {
                    error: super::exit::message(&error),
                    path,
                },
            };
            // The dashboard may have quit meanwhile; then nobody needs the outcome.
            let _ = outcomes.send(outcome);
        });
    }

    /// Lists the call's sessions as `headcount sessions` does, on a task of its own; the list
    /// comes back as a message.
    fn list_sessions(&self) {
        let outcomes = self.outcomes.0.clone();
        let client = self.client.clone();
        let config = self.app.config();
        let call = CallRef {
            call_type: config.call_type.clone(),
            id: config.call_id.clone(),
        };
        tokio::spawn(async move {
            let outcome = match super::sessions::list_sessions(&client, &call).await {
                Ok(list) => Outcome::SessionsListed {
                    sessions: list.sessions,
                    stopped_early: list.stopped_early,
                },
                Err(error) => Outcome::SessionsUnlisted {
                    error: super::exit::message(&error),
                },
            };
            // The dashboard may have quit meanwhile; then nobody needs the list.
            let _ = outcomes.send(outcome);
        });
    }

    /// Draws if the app changed, unless the last frame is too recent: then a draw is
    /// scheduled for when the frame cap allows it.
    fn draw_if_due(&mut self, terminal: &mut DefaultTerminal) -> io::Result<()> {
        if !self.app.needs_redraw() {
            self.deferred_draw = None;
            return Ok(());
        }
        let now = Instant::now();
        if let Some(last) = self.last_draw
            && now < last + FRAME
        {
            self.deferred_draw = Some(last + FRAME);
            return Ok(());
        }
        let present = self.now();
        crossterm::execute!(terminal.backend_mut(), BeginSynchronizedUpdate)?;
        let mut layout = Layout::default();
        terminal.draw(|frame| layout = ui::draw(frame, &self.app, present))?;
        crossterm::execute!(terminal.backend_mut(), EndSynchronizedUpdate)?;
        self.app.mark_drawn();
        // Before any other message: the next keys page and scroll by what was on screen.
        self.deliver(Msg::Layout(layout), terminal)?;
        self.last_draw = Some(now);
        self.deferred_draw = None;
        Ok(())
    }
}

/// The terminal's next event if one is waiting, without waiting. The poll registers this
/// task's waker: EventStream keeps the waker of the poll that found it empty until input
/// arrives, so a poll with a no-op waker (`now_or_never`) would leave the event loop asleep
/// on the next key until some other wake-up, up to the one-second tick.
async fn poll_once(input: &mut EventStream) -> Poll<Option<io::Result<Event>>> {
    std::future::poll_fn(|cx| Poll::Ready(input.poll_next_unpin(cx))).await
}

/// The message for a terminal event; `None` for events the app does not use (key releases,
/// focus, mouse).
///
/// When the terminal is closed, its input ends just as SIGHUP is sent: a signal arriving
/// soon after is the reason given, so that the exit status says "hangup" either way.
async fn terminal_msg(
    event: Option<io::Result<Event>>,
    signals: &mut Signals,
) -> anyhow::Result<Option<Msg>> {
    let event = match event {
        Some(Ok(event)) => event,
        ended => {
            let error = match ended {
                Some(Err(error)) => error,
                _ => io::Error::other("the terminal closed its input"),
            };
            return match tokio::time::timeout(HANGUP_GRACE, signals.recv()).await {
                Ok(signal) => Err(Interrupted(signal).into()),
                Err(_) => Err(error.into()),
            };
        }
    };
    Ok(match event {
        Event::Key(key) if key.kind == KeyEventKind::Press => Some(Msg::Key(key)),
        Event::Paste(text) => Some(Msg::Paste(text)),
        Event::Resize(width, height) => Some(Msg::Resize { width, height }),
        _ => None,
    })
}

/// Sleeps until `at`, or forever without one (so a `select!` branch never fires).
async fn sleep_until(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// Asks the terminal to put `text` on the system clipboard (OSC 52), which also works over SSH.
fn copy_to_clipboard(out: &mut impl Write, text: &str) -> io::Result<()> {
    write!(out, "\x1b]52;c;{}\x07", BASE64_STANDARD.encode(text))?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A card whose ids hold an OSC 52 of their own and a bidi override: the payload is the
    /// card with those written as escapes, so that the only controls of the sequence are its
    /// own introducer and terminator, and a ticket it is pasted into runs nothing.
    #[test]
    fn the_clipboard_gets_the_card_with_the_server_controls_escaped() {
        let raw = "User:         eve\u{1b}]52;c;cm0gLXJm\u{7}\u{202e}\nCall:         x\n";
        let card = crate::attendance::pasteable(raw);
        let mut out = Vec::new();
        copy_to_clipboard(&mut out, &card).unwrap();
        let sequence = String::from_utf8(out).unwrap();
        assert_eq!(sequence.matches('\u{1b}').count(), 1, "{sequence:?}");
        assert_eq!(sequence.matches('\u{7}').count(), 1, "{sequence:?}");
        let payload = sequence
            .strip_prefix("\u{1b}]52;c;")
            .and_then(|rest| rest.strip_suffix('\u{7}'))
            .unwrap();
        let pasted = String::from_utf8(BASE64_STANDARD.decode(payload).unwrap()).unwrap();
        assert_eq!(
            pasted,
            format!(
                "User:         eve\\x1b]52;c;cm0gLXJm\\x07\\u{{202e}}\nCall:         x\n{}\n",
                crate::attendance::ESCAPED_NOTE
            )
        );
    }

    #[test]
    fn the_clipboard_sequence_is_osc_52() {
        let mut out = Vec::new();
        copy_to_clipboard(&mut out, "user-42").unwrap();
        assert_eq!(out, b"\x1b]52;c;dXNlci00Mg==\x07");
        // A card of several lines, padded as RFC 4648 says.
        let mut out = Vec::new();
        copy_to_clipboard(&mut out, "a\nbc\n").unwrap();
        assert_eq!(out, b"\x1b]52;c;YQpiYwo=\x07");
    }

    #[test]
    fn no_color_turns_colour_off_unless_empty() {
        assert!(color_wanted(Theme::Default, &|_| None));
        assert!(!color_wanted(Theme::Mono, &|_| None));
        assert!(color_wanted(Theme::Default, &|_| Some(String::new())));
        assert!(!color_wanted(Theme::Default, &|name| (name == "NO_COLOR")
            .then(|| "1".into())));
    }
}
