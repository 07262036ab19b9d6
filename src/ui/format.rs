//! Small text formats shared by the views.

use crate::api::timestamp::{NANOS_PER_SEC, Nanos};
use crate::attendance::{human_duration, thousands};

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

/// A text bar of `width` cells filled to `ratio`, readable without colour.
pub(crate) fn bar(ratio: f64, width: usize) -> String {
    let filled = ((ratio.clamp(0.0, 1.0) * width as f64).round() as usize).min(width);
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn the_bar_fills_in_proportion() {
        assert_eq!(bar(0.5, 4), "██░░");
        assert_eq!(bar(2.0, 2), "██");
    }
}
