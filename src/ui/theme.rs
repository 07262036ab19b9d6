//! Styles by meaning. Colour only decorates: without it (NO_COLOR) selection, states and
//! errors still stand out by reverse video, bold and symbols.

use ratatui::style::{Color, Modifier, Style};

use crate::app::live::Severity;
use crate::attendance::CallState;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Palette {
    color: bool,
}

impl Palette {
    pub(crate) fn new(color: bool) -> Palette {
        Palette { color }
    }

    fn tinted(&self, style: Style, color: Color) -> Style {
        if self.color { style.fg(color) } else { style }
    }

    pub(crate) fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    pub(crate) fn title(&self) -> Style {
        self.tinted(Style::new().add_modifier(Modifier::BOLD), Color::Cyan)
    }

    pub(crate) fn column_header(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED)
    }

    pub(crate) fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }

    pub(crate) fn key(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED)
    }

    pub(crate) fn in_call(&self) -> Style {
        self.tinted(Style::new().add_modifier(Modifier::BOLD), Color::Green)
    }

    pub(crate) fn state(&self, state: Option<CallState>) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        match state {
            Some(CallState::Live) => self.tinted(bold, Color::Green),
            Some(CallState::Ended) => self.tinted(bold, Color::Blue),
            Some(CallState::Expired) => self.tinted(bold, Color::Yellow),
            Some(CallState::Empty) | None => bold,
        }
    }

    pub(crate) fn severity(&self, severity: Severity) -> Style {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        match severity {
            Severity::Info => self.tinted(Style::new(), Color::Cyan),
            Severity::Warning => self.tinted(bold, Color::Yellow),
            Severity::Error => self.tinted(bold, Color::Red),
        }
    }

    pub(crate) fn banner(&self) -> Style {
        let style = Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED);
        self.tinted(style, Color::Yellow)
    }

    /// A row or figure with a data problem: marked with ⚠ as well, so it reads without colour.
    pub(crate) fn problem(&self) -> Style {
        self.severity(Severity::Warning)
    }

    pub(crate) fn error(&self) -> Style {
        self.severity(Severity::Error)
    }
}
