//! The `?` overlay as state: its lines (every binding of the keymap), where they go on a
//! screen of a given size, and how far they are scrolled when the screen is too short.

use super::keymap::{Context, bindings};
use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::attendance::{Thresholds, human_duration};

const SECTIONS: [(Context, &str); 10] = [
    (Context::Global, "Everywhere"),
    (Context::List, "Lists"),
    (Context::Sessions, "Sessions"),
    (Context::Users, "Users and Timeline"),
    (Context::Timeline, "Timeline"),
    (Context::Expected, "Expected"),
    (Context::FilterBar, "Filter bar"),
    (Context::Card, "Answer card"),
    (Context::Picker, "Session picker"),
    (Context::Prompt, "Export prompt"),
];

/// Width of one column of the overlay, borders excluded.
pub(crate) const COLUMN_WIDTH: u16 = 54;
/// Screens at least this wide show the overlay in two columns.
const TWO_COLUMNS_FROM: u16 = 110;
/// The border around the overlay, top and bottom or left and right.
const BORDER: u16 = 2;
/// Width of the keys of a line (`  PgDn Ctrl-d     `, as `ui::help` pads them) before its
/// help text.
pub(crate) const KEYS_WIDTH: usize = 2 + 16 + 1;
/// Characters of help text a column line holds after its keys.
const HELP_WIDTH: usize = COLUMN_WIDTH as usize - KEYS_WIDTH;

/// `text` in parts of at most `width` characters, broken between words (a word longer than
/// `width` is a part of its own).
fn wrapped(text: &'static str, width: usize) -> Vec<&'static str> {
    let mut parts = Vec::new();
    let mut rest = text;
    while rest.chars().count() > width {
        let cut = rest
            .char_indices()
            .take_while(|&(at, _)| rest[..at].chars().count() <= width)
            .filter(|&(_, c)| c == ' ')
            .map(|(at, _)| at)
            .last()
            .unwrap_or_else(|| rest.find(' ').unwrap_or(rest.len()));
        parts.push(&rest[..cut]);
        rest = rest[cut..].trim_start();
    }
    if !rest.is_empty() || parts.is_empty() {
        parts.push(rest);
    }
    parts
}

/// One line of the overlay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum HelpLine {
    Section(&'static str),
    /// Every key of one action of a section (`j ↓`), and what it does.
    Binding {
        keys: String,
        help: &'static str,
    },
    /// A line of the explanation of the figures (the user detail's `?`).
    Note(String),
}

/// What the user detail's figures mean, with the thresholds in force: shown first by `?` in
/// the user detail. Each line fits a column of the overlay.
pub(crate) fn figure_lines(thresholds: &Thresholds) -> Vec<HelpLine> {
    let seconds = |nanos: Nanos| human_duration(nanos / NANOS_PER_SEC);
    let late = seconds(thresholds.late_grace);
    let early = seconds(thresholds.early_grace);
    let gap = seconds(thresholds.reconnect_gap);
    let mut lines = vec![HelpLine::Section("The figures")];
    lines.extend(
        [
            "attended: time in the call window, an overlap".to_owned(),
            "  of two devices counted once".to_owned(),
            "connected: the sessions' durations added up".to_owned(),
            "  (two devices at once count twice)".to_owned(),
            "%: attended over the whole call window".to_owned(),
            format!("late: first join over {late} after the start"),
            format!("left early: last leave over {early} before"),
            "  the end (never while still in the call)".to_owned(),
            format!("↻ reconnect: a rejoin within {gap} of leaving"),
            "multi-device: two of their sessions at once".to_owned(),
            "provisional: while the call is live, left early".to_owned(),
            "  may still change".to_owned(),
            "timeline: ▕ start, ▏ end, █ in one session,".to_owned(),
            "  2-9 in that many at once, · not in the call".to_owned(),
        ]
        .into_iter()
        .map(HelpLine::Note),
    );
    lines
}

/// One line per section and per distinct action of each section, with all its keys.
pub(crate) fn help_lines() -> Vec<HelpLine> {
    let mut lines = Vec::new();
    for (context, name) in SECTIONS {
        lines.push(HelpLine::Section(name));
        let mut seen: Vec<&str> = Vec::new();
        for binding in bindings().filter(|b| b.context == context) {
            if seen.contains(&binding.help) {
                continue;
            }
            seen.push(binding.help);
            let keys: Vec<&str> = bindings()
                .filter(|b| b.context == context && b.help == binding.help)
                .map(|b| b.keys)
                .collect();
            // A help too long for its column goes on under itself, never cut.
            for (index, part) in wrapped(binding.help, HELP_WIDTH).into_iter().enumerate() {
                lines.push(HelpLine::Binding {
                    keys: if index == 0 {
                        keys.join(" ")
                    } else {
                        String::new()
                    },
                    help: part,
                });
            }
        }
    }
    lines
}

/// The overlay's size on a screen, centred, and the lines each column holds and shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct HelpLayout {
    pub(crate) columns: u16,
    pub(crate) width: u16,
    pub(crate) height: u16,
    /// Lines in each column; the last may hold fewer.
    pub(crate) per_column: usize,
    /// Lines of a column that fit on the screen.
    pub(crate) visible: usize,
}

impl HelpLayout {
    pub(crate) fn new(screen_width: u16, screen_height: u16, lines: usize) -> Self {
        let columns: u16 = if screen_width >= TWO_COLUMNS_FROM {
            2
        } else {
            1
        };
        let per_column = lines.div_ceil(usize::from(columns));
        let height = (per_column as u16)
            .saturating_add(BORDER)
            .min(screen_height);
        HelpLayout {
            columns,
            width: (columns * COLUMN_WIDTH + BORDER).min(screen_width),
            height,
            per_column,
            visible: usize::from(height.saturating_sub(BORDER)),
        }
    }

    /// How far the columns can scroll: until their last line shows.
    pub(crate) fn max_scroll(&self) -> usize {
        self.per_column.saturating_sub(self.visible)
    }
}

/// An open overlay and how many lines its columns are scrolled by.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct HelpOverlay {
    scroll: usize,
}

impl HelpOverlay {
    pub(crate) fn scroll(&self) -> usize {
        self.scroll
    }

    /// Scrolls by `lines` (negative: up), never past the top or beyond the last line.
    pub(crate) fn scroll_by(&mut self, lines: isize, layout: &HelpLayout) {
        self.scroll = self
            .scroll
            .saturating_add_signed(lines)
            .min(layout.max_scroll());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_and_action_has_a_line() {
        let lines = help_lines();
        assert_eq!(lines[0], HelpLine::Section("Everywhere"));
        let quit = HelpLine::Binding {
            keys: "q Ctrl-c".into(),
            help: "quit",
        };
        assert_eq!(lines[1], quit);
        let sections = lines
            .iter()
            .filter(|line| matches!(line, HelpLine::Section(_)))
            .count();
        assert_eq!(sections, SECTIONS.len());
    }

    /// The user detail's explanation of its figures fits a column, indent included.
    #[test]
    fn the_figures_lines_fit_their_column() {
        for line in figure_lines(&Thresholds::default()) {
            if let HelpLine::Note(text) = line {
                assert!(
                    text.chars().count() + 2 <= usize::from(COLUMN_WIDTH),
                    "{text:?}"
                );
            }
        }
    }

    #[test]
    fn no_help_line_is_longer_than_its_column_and_none_is_lost() {
        let lines = help_lines();
        for line in &lines {
            if let HelpLine::Binding { help, .. } = line {
                assert!(help.chars().count() <= HELP_WIDTH, "{help:?}");
            }
        }
        let joined: Vec<&str> = lines
            .iter()
            .filter_map(|line| match line {
                HelpLine::Binding { help, .. } => Some(*help),
                HelpLine::Section(_) | HelpLine::Note(_) => None,
            })
            .collect();
        let text = joined.join(" ");
        for whole in [
            "go back; clear the filter at the top",
            "show who was expected and how each fared",
            "restore the filter in force before editing, and leave",
        ] {
            assert!(text.contains(whole), "{whole:?} in {text}");
        }
        assert_eq!(
            wrapped("go back; clear the filter at the top", 35),
            ["go back; clear the filter at the", "top"]
        );
        assert_eq!(wrapped("short", 35), ["short"]);
        assert_eq!(
            wrapped("unbreakable-word-longer", 5),
            ["unbreakable-word-longer"]
        );
    }

    #[test]
    fn a_short_screen_scrolls_until_the_last_line_shows() {
        let layout = HelpLayout::new(80, 24, 70);
        assert_eq!((layout.columns, layout.visible), (1, 22));
        let mut help = HelpOverlay::default();
        help.scroll_by(-3, &layout);
        assert_eq!(help.scroll(), 0);
        help.scroll_by(100, &layout);
        assert_eq!(help.scroll(), 70 - 22);
        let tall = HelpLayout::new(160, 48, 70);
        assert_eq!((tall.columns, tall.max_scroll()), (2, 0));
    }
}
