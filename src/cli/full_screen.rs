//! The terminal while the dashboard or the session picker runs: raw mode, the alternate screen,
//! bracketed paste, the cursor hidden by drawing. [`FullScreen`] takes it and gives it back
//! when dropped, on every way out the process can catch: a return (quit or error), a caught
//! signal (the command returns), a panic (through the panic hook).

use std::io::{self, stdout};
use std::sync::Once;

use crossterm::cursor::Show;
use crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use crossterm::execute;
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::backend::CrosstermBackend;
use ratatui::{DefaultTerminal, Terminal};

/// The terminal, taken over until dropped.
pub(crate) struct FullScreen {
    terminal: Option<DefaultTerminal>,
}

impl FullScreen {
    /// Raw mode, the alternate screen and bracketed paste (a paste arrives as one text, never
    /// as keys), all undone if any step fails.
    pub(crate) fn open() -> io::Result<FullScreen> {
        restore_on_panic();
        enable_raw_mode()?;
        let opened = execute!(stdout(), EnterAlternateScreen, EnableBracketedPaste)
            .and_then(|()| Terminal::new(CrosstermBackend::new(stdout())));
        match opened {
            Ok(terminal) => Ok(FullScreen {
                terminal: Some(terminal),
            }),
            Err(err) => {
                restore();
                Err(err)
            }
        }
    }

    pub(crate) fn terminal(&mut self) -> &mut DefaultTerminal {
        self.terminal
            .as_mut()
            .expect("the terminal is there until dropped")
    }
}

impl Drop for FullScreen {
    fn drop(&mut self) {
        restore();
        if let Some(mut terminal) = self.terminal.take()
            && terminal.show_cursor().is_err()
        {
            // The terminal is gone (a hangup): ratatui would try again when dropped and report
            // the failure on a stderr that is gone too, which panics. Nothing is left to undo.
            std::mem::forget(terminal);
        }
    }
}

/// Gives the terminal back as it was: bracketed paste off, the main screen, the cursor shown,
/// raw mode off. Every step is tried whatever became of the others, and failures are quiet:
/// after a hangup there is no terminal left to tell.
pub(crate) fn restore() {
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), DisableBracketedPaste, LeaveAlternateScreen, Show);
}

/// A panic's message must land on the main screen of a terminal in its normal mode, so the
/// terminal is restored before the default hook prints it.
fn restore_on_panic() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let report = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            restore();
            report(info);
        }));
    });
}
