//! What a command that reads from Stream says on stderr while nothing arrives: a rate limit
//! waited out ("rate limited by Stream, next page at 10:32:05 UTC (page 6)"), another retry,
//! or a request that has had no answer for a while. Shared by `totals`, `export`, `sessions`
//! and `roster`, so that no wait is silent and every command words it alike.
//!
//! On a terminal the words go in the progress bar's message and count down every second;
//! otherwise (a log, a pipe) each wait is one line, said once.

use std::io::{IsTerminal, Write};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

use crate::api::timestamp::{NANOS_PER_SEC, Nanos, unix_now};
use crate::api::{ErrorKind, RetryNotice, StreamClient};
use crate::attendance::{DisplayZone, human_duration};
use crate::fetch::Asked;
use crate::ui::safe_text::terminal_safe;

/// After this long without an answer, a command says it is waiting for one; sooner when the
/// request may take less (see [`slow_after`]).
pub(crate) const SLOW_ANSWER: Duration = Duration::from_secs(5);

/// When an answer is slow for a request that may take `timeout`: at [`SLOW_ANSWER`], or at
/// half the timeout when that comes first, so that a wait is said before it ends in a retry.
fn slow_after(timeout: Duration) -> Duration {
    SLOW_ANSWER.min(timeout / 2)
}
/// How often the countdown and the wait for an answer are brought up to date.
const TICK: Duration = Duration::from_secs(1);

/// The waits of one command's requests, told on stderr. Cheap to clone; the countdown stops
/// and the bar is cleared when the last clone is dropped.
#[derive(Clone)]
pub(crate) struct Waits {
    shared: Arc<Shared>,
    _ticker: Arc<Ticker>,
}

struct Shared {
    zone: DisplayZone,
    /// Drawn only when stderr is a terminal; hidden otherwise.
    bar: ProgressBar,
    on_terminal: bool,
    /// After this long without an answer, the wait is said.
    slow_after: Duration,
    state: Mutex<WaitState>,
}

/// What the waits of one command have come to.
struct WaitState {
    /// The participant-sessions page asked for now, from 1.
    page_under_way: u32,
    /// When the request under way was sent (as far as known: the last answer or retry).
    asked_at: Instant,
    /// A retry planned: what is waited for, until when.
    retry: Option<(String, Instant)>,
    /// The slow answer of this request has been said (off a terminal, it is said once).
    slow_said: bool,
    /// A read of participant sessions is under way: only then is a page awaited, and a long
    /// silence a slow answer (not the command's own work after its read).
    reading: bool,
}

/// Stops the countdown thread when dropped.
struct Ticker {
    stop: Option<Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
    shared: Arc<Shared>,
}

impl Drop for Ticker {
    fn drop(&mut self) {
        drop(self.stop.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
        self.shared.bar.finish_and_clear();
    }
}

impl Waits {
    /// Waits told on this process's stderr, times in `zone`, for requests that may each take
    /// `timeout`.
    pub(crate) fn on_stderr(zone: &DisplayZone, timeout: Duration) -> Waits {
        let on_terminal = std::io::stderr().is_terminal();
        let bar = if on_terminal {
            let bar = ProgressBar::new(0);
            bar.set_style(ProgressStyle::with_template("{msg}").expect("the template is valid"));
            bar
        } else {
            ProgressBar::hidden()
        };
        Waits::new(zone, bar, on_terminal, slow_after(timeout))
    }

    fn new(zone: &DisplayZone, bar: ProgressBar, on_terminal: bool, slow_after: Duration) -> Waits {
        let shared = Arc::new(Shared {
            zone: zone.clone(),
            bar,
            on_terminal,
            slow_after,
            state: Mutex::new(WaitState {
                page_under_way: 1,
                asked_at: Instant::now(),
                retry: None,
                slow_said: false,
                reading: false,
            }),
        });
        let (stop, stopped) = mpsc::channel::<()>();
        let ticking = Arc::clone(&shared);
        let thread = thread::Builder::new()
            .name("headcount-waits".into())
            .spawn(move || {
                while let Err(RecvTimeoutError::Timeout) = stopped.recv_timeout(TICK) {
                    ticking.tick(Instant::now());
                }
            })
            .ok();
        Waits {
            _ticker: Arc::new(Ticker {
                stop: Some(stop),
                thread,
                shared: Arc::clone(&shared),
            }),
            shared,
        }
    }

    /// `client` telling these waits of each retry it is about to wait for.
    pub(crate) fn observe(&self, client: &StreamClient) -> StreamClient {
        let shared = Arc::clone(&self.shared);
        client.observed(move |notice| shared.retrying(notice, Instant::now(), unix_now()))
    }

    /// The progress bar the waits are told in (hidden off a terminal), for a command that
    /// also shows its progress (`export`): its `{msg}` is the wait while there is one.
    pub(crate) fn bar(&self) -> &ProgressBar {
        &self.shared.bar
    }

    /// A read of participant sessions starts (`true`: its first page is asked for now) or
    /// ends (`false`: no page is awaited any more).
    pub fn reading(&self, reading: bool) {
        let mut state = self.shared.lock();
        state.reading = reading;
        state.asked_at = Instant::now();
        if reading {
            state.page_under_way = 1;
        }
    }

    /// Participant-sessions page `page_no` arrived: the next one is asked for now, and the
    /// bar's message, if it told a wait, is emptied (a command that shows its own message sets
    /// it after this).
    pub(crate) fn page_read(&self, page_no: u32) {
        self.shared.answered(page_no + 1, Instant::now());
    }
}

impl Shared {
    fn lock(&self) -> std::sync::MutexGuard<'_, WaitState> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn answered(&self, page_under_way: u32, now: Instant) {
        let mut state = self.lock();
        let was_waiting = state.retry.is_some() || state.slow_said;
        state.page_under_way = page_under_way;
        state.asked_at = now;
        state.retry = None;
        state.slow_said = false;
        if self.on_terminal && was_waiting {
            self.bar.set_message("");
        }
    }

    /// The client is about to wait `notice.wait` before asking again.
    fn retrying(&self, notice: &RetryNotice, now: Instant, wall: Nanos) {
        let wait = Nanos::try_from(notice.wait.as_nanos()).unwrap_or(Nanos::MAX);
        let mut state = self.lock();
        let words = retry_words(notice, state.page_under_way, &self.zone, wall + wait);
        let until = now + notice.wait;
        state.retry = Some((words.clone(), until));
        state.asked_at = until;
        state.slow_said = false;
        if self.on_terminal {
            self.bar.set_message(counting_down(&words, notice.wait));
        } else {
            say(&format!("{words}; waiting {}…", wait_words(notice.wait)));
        }
    }

    /// Every second: the countdown of a planned retry, or the time a request has waited.
    fn tick(&self, now: Instant) {
        let mut state = self.lock();
        if let Some((words, until)) = &state.retry
            && *until > now
        {
            if self.on_terminal {
                self.bar.set_message(counting_down(words, *until - now));
            }
            return;
        }
        let waited = now.saturating_duration_since(state.asked_at);
        if !state.reading || waited < self.slow_after {
            return;
        }
        let text = awaited_words(state.page_under_way, waited);
        if self.on_terminal {
            self.bar.set_message(text);
        } else if !state.slow_said {
            say(&format!("{text}…"));
        }
        state.slow_said = true;
    }
}

/// `rate limited by Stream, next page at 10:32:05 UTC (page 6)`, as the dashboard says it.
fn retry_words(notice: &RetryNotice, page_no: u32, zone: &DisplayZone, at: Nanos) -> String {
    let when = format!("{} {}", zone.time(at), zone.abbreviation(at));
    let asked = Asked::of(notice.operation, page_no);
    let what = match asked {
        Asked::Page(_) => format!("next page at {when} ({asked})"),
        _ => format!("{asked} asked again at {when}"),
    };
    if notice.error.kind() == ErrorKind::RateLimited {
        format!("rate limited by Stream, {what}")
    } else {
        format!(
            "{} · retrying, {what}, attempt {} of {}",
            notice.error, notice.attempt, notice.max_attempts
        )
    }
}

/// `0.4 s`, `12 s`, `1m 05s`: a wait as long as it is, a short one not read as none.
fn wait_words(wait: Duration) -> String {
    if wait < Duration::from_secs(10) {
        format!("{:.1} s", wait.as_secs_f64())
    } else if wait < Duration::from_secs(60) {
        format!("{} s", wait.as_secs())
    } else {
        human_duration(wait.as_secs().try_into().unwrap_or(i64::MAX))
    }
}

/// `… · in 12s`
fn counting_down(words: &str, left: Duration) -> String {
    let seconds = left.as_nanos().div_ceil(NANOS_PER_SEC as u128);
    format!("{words} · in {seconds}s")
}

/// `waiting for Stream's answer to page 4 · 12s`
fn awaited_words(page_no: u32, waited: Duration) -> String {
    crate::ui::footer::awaited_text(
        Asked::Page(page_no),
        Nanos::try_from(waited.as_nanos()).unwrap_or(Nanos::MAX),
    )
}

fn say(text: &str) {
    let _ = writeln!(std::io::stderr(), "{}", terminal_safe(text));
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The operation whose pages are numbered: a session's participant sessions.
    const PAGED_OPERATION: &str = "QueryCallParticipantSessions";
    use crate::api::{ApiError, StatusError};

    fn rate_limited() -> ApiError {
        ApiError::from(StatusError {
            status: reqwest::StatusCode::TOO_MANY_REQUESTS,
            body: None,
            excerpt: None,
            rate_limit: None,
            retry_at: None,
        })
    }

    fn notice(operation: &'static str) -> RetryNotice {
        RetryNotice {
            operation,
            attempt: 2,
            max_attempts: 4,
            wait: Duration::from_secs(42),
            error: rate_limited(),
        }
    }

    const AT: Nanos = 1_764_437_525 * NANOS_PER_SEC; // 2025-11-29 17:32:05 UTC

    #[test]
    fn a_rate_limit_names_the_next_page_its_time_and_zone() {
        let words = retry_words(&notice(PAGED_OPERATION), 6, &DisplayZone::utc(), AT);
        assert_eq!(
            words,
            "rate limited by Stream, next page at 17:32:05 UTC (page 6)"
        );
        let paris = DisplayZone::parse("Europe/Paris").unwrap();
        let words = retry_words(&notice(PAGED_OPERATION), 6, &paris, AT);
        assert!(words.contains("18:32:05 CET (page 6)"), "{words}");
    }

    #[test]
    fn another_request_is_named_by_what_it_asks_never_by_a_page() {
        let utc = DisplayZone::utc();
        for (operation, said) in [
            (
                "QueryCallMembers",
                "rate limited by Stream, call members asked again at 17:32:05 UTC",
            ),
            (
                "GetCall",
                "rate limited by Stream, call details asked again at 17:32:05 UTC",
            ),
            (
                "QueryCallSessionStats",
                "rate limited by Stream, session stats asked again at 17:32:05 UTC",
            ),
        ] {
            let words = retry_words(&notice(operation), 6, &utc, AT);
            assert_eq!(words, said);
            assert!(!words.contains("page"), "{words}");
        }
    }

    #[test]
    fn the_countdown_rounds_up_and_a_slow_answer_says_how_long() {
        assert_eq!(
            counting_down("x", Duration::from_millis(11_200)),
            "x · in 12s"
        );
        assert_eq!(
            awaited_words(4, Duration::from_secs(75)),
            "waiting for Stream's answer to page 4 · 1m 15s"
        );
    }

    #[test]
    fn a_short_wait_is_never_read_as_none() {
        assert_eq!(wait_words(Duration::from_millis(400)), "0.4 s");
        assert_eq!(wait_words(Duration::from_secs(42)), "42 s");
        assert_eq!(wait_words(Duration::from_secs(65)), "1m 05s");
    }

    #[test]
    fn a_long_silence_is_a_slow_answer_only_while_a_page_is_awaited() {
        let waits = Waits::new(
            &DisplayZone::utc(),
            ProgressBar::hidden(),
            true,
            SLOW_ANSWER,
        );
        let later = Instant::now() + 2 * SLOW_ANSWER;
        waits.shared.tick(later);
        assert!(
            !waits.shared.lock().slow_said,
            "nothing is awaited before the read"
        );
        waits.reading(true);
        waits.shared.tick(Instant::now() + 2 * SLOW_ANSWER);
        assert!(waits.shared.lock().slow_said, "a page is awaited");
        waits.reading(false);
        waits.page_read(1);
        waits.shared.tick(Instant::now() + 2 * SLOW_ANSWER);
        assert!(
            !waits.shared.lock().slow_said,
            "the read ended: the command works"
        );
    }

    #[test]
    fn a_page_ends_the_wait_and_moves_to_the_next_page() {
        let waits = Waits::new(
            &DisplayZone::utc(),
            ProgressBar::hidden(),
            false,
            SLOW_ANSWER,
        );
        let start = Instant::now();
        waits.shared.retrying(&notice(PAGED_OPERATION), start, AT);
        assert!(waits.shared.lock().retry.is_some());
        waits.page_read(3);
        let state = waits.shared.lock();
        assert!(state.retry.is_none());
        assert_eq!(state.page_under_way, 4);
    }
}
