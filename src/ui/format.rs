//! Small text formats shared by the views.

use ratatui::text::{Line, Span};

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::attendance::{ServerDuration, human_duration, thousands};

/// `1,234,567`
/// `1 session`, `3,088 sessions`: a count and its noun, plural when it is not one.
pub(crate) fn counted(n: u64, noun: &str) -> String {
    let plural = if n == 1 { "" } else { "s" };
    format!("{} {noun}{plural}", count(n))
}

pub(crate) fn count(n: u64) -> String {
    thousands(n.into())
}

/// A length in nanoseconds, as `human_duration` writes seconds.
pub(crate) fn span(nanos: Nanos) -> String {
    human_duration(nanos / NANOS_PER_SEC)
}

/// A part of a line that is shown whole or not at all: its variants, longest first, are tried
/// in turn, and a field none of whose variants fits is dropped. A number is never cut.
pub(crate) struct Field {
    /// Lower comes first: fields are given room in this order, whatever their place.
    pub(crate) priority: u8,
    pub(crate) variants: Vec<Vec<Span<'static>>>,
}

impl Field {
    pub(crate) fn new(priority: u8, variants: Vec<Vec<Span<'static>>>) -> Field {
        Field { priority, variants }
    }

    /// A field with one way of being written.
    pub(crate) fn one(priority: u8, spans: Vec<Span<'static>>) -> Field {
        Field::new(priority, vec![spans])
    }
}

fn spans_width(spans: &[Span]) -> usize {
    spans.iter().map(Span::width).sum()
}

/// The fields that fit in `width` cells, in their order, separated by `separator`: each in
/// turn of priority takes its longest variant that fits in what is left, or is dropped.
pub(crate) fn fit(fields: Vec<Field>, separator: Span<'static>, width: usize) -> Line<'static> {
    let mut order: Vec<usize> = (0..fields.len()).collect();
    order.sort_by_key(|&i| fields[i].priority);
    let gap = separator.width();
    let mut chosen: Vec<Option<usize>> = vec![None; fields.len()];
    let mut used = 0;
    for i in order {
        let separators = if chosen.iter().any(Option::is_some) {
            gap
        } else {
            0
        };
        let fitting = fields[i]
            .variants
            .iter()
            .position(|variant| used + separators + spans_width(variant) <= width);
        if let Some(variant) = fitting {
            used += separators + spans_width(&fields[i].variants[variant]);
            chosen[i] = Some(variant);
        }
    }
    assemble(fields, &chosen, separator)
}

/// A part of a line whose forms each have their own priority: a short form may be worth
/// more than another field, and its long form less (the call window's times, then its
/// length). Forms are listed longest first, as in [`Field`].
pub(crate) struct Stepped {
    pub(crate) forms: Vec<(u8, Vec<Span<'static>>)>,
}

impl Stepped {
    pub(crate) fn new(forms: Vec<(u8, Vec<Span<'static>>)>) -> Stepped {
        Stepped { forms }
    }

    /// Every form at the same priority.
    pub(crate) fn all(priority: u8, variants: Vec<Vec<Span<'static>>>) -> Stepped {
        Stepped::new(variants.into_iter().map(|v| (priority, v)).collect())
    }
}

/// The fields that fit in `width` cells, in their order, separated by `separator`. The forms
/// are taken in turn of priority (lower first; at equal priority, the longer first): a form
/// is shown instead of a shorter one of its field when the line still fits, so a field is
/// dropped, or kept short, only for the forms worth more than it.
pub(crate) fn fit_stepped(
    fields: Vec<Stepped>,
    separator: Span<'static>,
    width: usize,
) -> Line<'static> {
    let gap = separator.width();
    let widths: Vec<Vec<usize>> = fields
        .iter()
        .map(|field| field.forms.iter().map(|(_, v)| spans_width(v)).collect())
        .collect();
    let mut steps: Vec<(u8, usize, usize)> = fields
        .iter()
        .enumerate()
        .flat_map(|(i, field)| {
            field
                .forms
                .iter()
                .enumerate()
                .map(move |(form, (priority, _))| (*priority, i, form))
        })
        .collect();
    steps.sort_by_key(|&(priority, i, form)| (priority, i, form));
    let mut chosen: Vec<Option<usize>> = vec![None; fields.len()];
    let used = |chosen: &[Option<usize>]| {
        let shown: Vec<usize> = chosen
            .iter()
            .enumerate()
            .filter_map(|(i, form)| form.map(|f| widths[i][f]))
            .collect();
        shown.iter().sum::<usize>() + gap * shown.len().saturating_sub(1)
    };
    for (_, i, form) in steps {
        if chosen[i].is_some_and(|current| current <= form) {
            continue;
        }
        let before = chosen[i].replace(form);
        if used(&chosen) > width {
            chosen[i] = before;
        }
    }
    let fields = fields
        .into_iter()
        .map(|field| Field::new(0, field.forms.into_iter().map(|(_, v)| v).collect()))
        .collect();
    assemble(fields, &chosen, separator)
}

/// The chosen variant of each field, in the fields' order, separated by `separator`.
fn assemble(
    fields: Vec<Field>,
    chosen: &[Option<usize>],
    separator: Span<'static>,
) -> Line<'static> {
    let mut spans = Vec::new();
    for (field, &variant) in fields.into_iter().zip(chosen) {
        let Some(variant) = variant else { continue };
        if !spans.is_empty() {
            spans.push(separator.clone());
        }
        spans.extend(field.variants.into_iter().nth(variant).unwrap_or_default());
    }
    Line::from(spans)
}

/// `text` in at most `width` cells: whole, or cut with `…` at its end.
pub(crate) fn shortened(text: &str, width: usize) -> String {
    let cells = |text: &str| Span::raw(text).width();
    if cells(text) <= width {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut used = 0;
    let mut buffer = [0; 4];
    for c in text.chars() {
        let w = cells(c.encode_utf8(&mut buffer));
        if used + w + 1 > width {
            break;
        }
        used += w;
        out.push(c);
    }
    out.push('…');
    out
}

/// ` 99%`: how much of `total` is `done`, right-aligned in 4 cells. Rounded down, so that
/// 4,990 of 5,000 (99.8 %) does not read as finished.
pub(crate) fn percent(done: u64, total: u64) -> String {
    let ratio = if total == 0 {
        1.0
    } else {
        done as f64 / total as f64
    };
    format!("{:>3.0}%", (ratio.min(1.0) * 100.0).floor())
}

/// `3,832`, `1.5`: summed person-time (seconds) in hours, for a column headed
/// [`PERSON_HOURS`]. One decimal below 100 hours.
pub(crate) fn person_hours(seconds: i64) -> String {
    let hours = seconds.max(0) as f64 / 3600.0;
    if hours < 100.0 {
        format!("{hours:.1}")
    } else {
        count(hours.round() as u64)
    }
}

/// Stream's summed duration in a [`PERSON_HOURS`] cell: `impossible` when no session could
/// add up to it (the JSON outputs keep the value as sent).
pub(crate) fn server_person_hours(duration: ServerDuration) -> String {
    match duration {
        ServerDuration::Plausible(seconds) => person_hours(seconds),
        ServerDuration::Impossible { .. } => "impossible".to_owned(),
    }
}

/// The heading of a column of [`person_hours`].
pub(crate) const PERSON_HOURS: &str = "PERSON-HOURS";

/// `3,832 person-hours`: summed person-time (seconds) in hours with its name, so that it is
/// never read as the length of the call.
pub(crate) fn person_time(seconds: i64) -> String {
    format!("{} person-hours", person_hours(seconds))
}

/// A text bar of `width` cells filled to `ratio`, readable without colour.
pub(crate) fn bar(ratio: f64, width: usize) -> String {
    let filled = ((ratio.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_read_almost_done_is_never_shown_as_done() {
        assert_eq!(percent(4_990, 5_000), " 99%");
        assert_eq!(percent(998, 1_000), " 99%");
        assert_eq!(percent(5_000, 5_000), "100%");
        assert_eq!(percent(6_000, 5_000), "100%", "never over 100");
        assert_eq!(percent(0, 5_000), "  0%");
        assert_eq!(percent(1, 3), " 33%");
    }

    #[test]
    fn counts_have_thousands_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_200), "1,200");
        assert_eq!(count(1_000_000), "1,000,000");
    }

    #[test]
    fn one_of_a_thing_is_singular() {
        assert_eq!(counted(1, "session"), "1 session");
        assert_eq!(counted(0, "user"), "0 users");
        assert_eq!(counted(3_088, "session"), "3,088 sessions");
    }

    #[test]
    fn fields_are_dropped_whole_lowest_priority_first_and_keep_their_order() {
        let field = |priority, variants: &[&str]| {
            Field::new(
                priority,
                variants
                    .iter()
                    .map(|v| vec![Span::raw(v.to_string())])
                    .collect(),
            )
        };
        let line = |width| {
            let fields = vec![
                field(0, &["ENDED"]),
                field(1, &["17:37 → 19:07 UTC · 1h 30m", "17:37 → 19:07 UTC"]),
                field(3, &["session 3f2a9c", "session 3f…"]),
                field(2, &["default:demo"]),
            ];
            fit(fields, Span::raw(" │ "), width).to_string()
        };
        assert_eq!(
            line(80),
            "ENDED │ 17:37 → 19:07 UTC · 1h 30m │ session 3f2a9c │ default:demo"
        );
        assert_eq!(
            line(63),
            "ENDED │ 17:37 → 19:07 UTC · 1h 30m │ session 3f… │ default:demo"
        );
        assert_eq!(
            line(62),
            "ENDED │ 17:37 → 19:07 UTC · 1h 30m │ default:demo"
        );
        assert_eq!(line(40), "ENDED │ 17:37 → 19:07 UTC · 1h 30m");
        assert_eq!(line(30), "ENDED │ 17:37 → 19:07 UTC");
        assert_eq!(line(5), "ENDED");
    }

    /// The header keeps the session id at 80 columns: a field's short form may come before
    /// another's long form.
    #[test]
    fn a_short_form_worth_more_than_another_field_keeps_it() {
        let form = |priority, text: &str| (priority, vec![Span::raw(text.to_string())]);
        let line = |width| {
            let fields = vec![
                Stepped::new(vec![form(0, "ENDED")]),
                Stepped::new(vec![
                    form(5, "17:37 → 19:07 UTC · 1h 30m"),
                    form(1, "17:37 → 19:07 UTC"),
                ]),
                Stepped::new(vec![form(6, "default:demo")]),
                Stepped::new(vec![form(3, "session 3f2a9c"), form(2, "session 3f…")]),
            ];
            fit_stepped(fields, Span::raw(" │ "), width).to_string()
        };
        assert_eq!(
            line(80),
            "ENDED │ 17:37 → 19:07 UTC · 1h 30m │ default:demo │ session 3f2a9c"
        );
        // The session (2, 3) before the window's length (5), the call (6) last.
        assert_eq!(
            line(51),
            "ENDED │ 17:37 → 19:07 UTC · 1h 30m │ session 3f2a9c"
        );
        assert_eq!(line(50), "ENDED │ 17:37 → 19:07 UTC │ session 3f2a9c");
        assert_eq!(line(40), "ENDED │ 17:37 → 19:07 UTC │ session 3f…");
        // `fit` would give the window its length and drop the session.
        assert_eq!(
            fit(
                vec![
                    Field::new(0, vec![vec![Span::raw("ENDED")]]),
                    Field::new(
                        1,
                        vec![
                            vec![Span::raw("17:37 → 19:07 UTC · 1h 30m")],
                            vec![Span::raw("17:37 → 19:07 UTC")],
                        ]
                    ),
                    Field::new(2, vec![vec![Span::raw("session 3f…")]]),
                ],
                Span::raw(" │ "),
                40
            )
            .to_string(),
            "ENDED │ 17:37 → 19:07 UTC · 1h 30m"
        );
        assert_eq!(line(5), "ENDED");
        assert_eq!(line(4), "");
    }

    #[test]
    fn a_shortened_text_ends_with_an_ellipsis() {
        assert_eq!(shortened("3f2a9c01", 8), "3f2a9c01");
        assert_eq!(shortened("3f2a9c01", 5), "3f2a…");
    }

    #[test]
    fn person_time_is_in_hours_with_its_name() {
        assert_eq!(person_time(13_795_200), "3,832 person-hours");
        assert_eq!(person_time(5_400), "1.5 person-hours");
        assert_eq!(person_time(359_999), "100.0 person-hours");
        assert_eq!(person_time(360_000), "100 person-hours");
        assert_eq!(person_hours(300), "0.1");
        assert_eq!(person_hours(-5), "0.0");
    }

    #[test]
    fn the_bar_fills_in_proportion() {
        assert_eq!(bar(0.5, 4), "██░░");
        assert_eq!(bar(2.0, 2), "██");
    }
}
