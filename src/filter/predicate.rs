//! The local part of a filter, compiled for speed: it runs on every fetched row at every
//! keystroke. Needles are lowercased, durations are seconds and times are nanoseconds once, at
//! compile time, so evaluating a row never allocates.

use std::fmt;

use super::ast::{Comparison, Expr};
use super::term::TermKind;
use crate::api::SessionFields;
use crate::api::timestamp::Nanos;

/// What a filter reads from a row, whichever holds it (the store, a page, the sim): its
/// fields as sent ([`SessionFields`]) and what depends on its session (is it still running,
/// is the row messy), which the row answers because it knows its session. The local part of
/// a filter and `filter_conditions` (`Conditions::matches`, for the client and the sim) both
/// read rows through it.
pub trait LocalRow: SessionFields {
    /// `joined_at` and `left_at` as the figures use them, which time terms compare: a value
    /// headcount flags and ignores (not a clock reading, or a leave before the join) is
    /// `None`, so it matches no time term, as it counts in no figure. By default the times as
    /// sent, for rows that cannot be messy.
    fn trusted_times(&self) -> (Option<Nanos>, Option<Nanos>) {
        (self.joined_at(), self.left_at())
    }
    /// Still in the call: no `left_at` while the session is live. (Once the session has
    /// ended, a row without `left_at` is a leave not recorded, not an open session.)
    fn is_open(&self) -> bool;
    /// The duration shown for the row: the API's `duration_in_seconds` as sent, or for an
    /// open session the whole seconds since it joined, until `now`; `None` when neither.
    fn duration_seconds(&self, now: Nanos) -> Option<i64>;
    /// The row has a problem (see `attendance::RowProblem`).
    fn has_problem(&self, now: Nanos) -> bool;
    /// The tracks the session published, which Stream filters on but does not return: `None`
    /// for rows that cannot see them (every row but the sim's), and conditions on them are
    /// then taken as already applied by the server.
    fn published_tracks(&self) -> Option<&[String]> {
        None
    }
    /// Whether the user is a tech user, which Stream filters on but does not return; `None`
    /// as for `published_tracks`.
    fn is_tech_user(&self) -> Option<bool> {
        None
    }
}

/// The compiled local part of a filter. Displays as the filter text it was compiled from.
///
/// The expression becomes a branching program: a list of tests, each naming the step to go to
/// when it passes and when it fails. `!` swaps the two, AND and `or` chain them, so evaluation
/// is one loop over at most one test per term, with no recursion and AND/`or` short-circuits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Predicate {
    steps: Box<[Step]>,
    entry: Next,
    alternative: bool,
    description: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Step {
    test: TermKind,
    if_true: Next,
    if_false: Next,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    Step(u32),
    Accept,
    Reject,
}

impl Predicate {
    /// Compiles an expression holding only terms rows can see (the split guarantees it).
    pub(crate) fn compile(expr: &Expr) -> Predicate {
        let mut steps = Vec::new();
        let entry = compile_into(expr, Next::Accept, Next::Reject, &mut steps);
        Predicate {
            steps: steps.into_boxed_slice(),
            entry,
            alternative: matches!(expr, Expr::Or(_)),
            description: expr.to_string(),
        }
    }

    /// Whether the description is an `or` (it needs parentheses after other AND terms).
    pub(crate) fn is_alternative(&self) -> bool {
        self.alternative
    }

    /// Whether the row passes; `now` ends open sessions.
    pub(crate) fn matches<R: LocalRow>(&self, row: &R, now: Nanos) -> bool {
        self.run(|step| self.steps[step].test.matches(row, now))
    }

    /// Number of tests; steps are numbered from 0.
    pub(crate) fn step_count(&self) -> usize {
        self.steps.len()
    }

    /// What the test of `step` reads from a row.
    pub(crate) fn step_reads(&self, step: usize) -> Reads {
        self.steps[step].test.reads()
    }

    /// The test of `step` alone on `row`. A row that answers only what
    /// [`Predicate::step_reads`] names gets the same answer as a complete row.
    #[inline]
    pub(crate) fn step_matches<R: LocalRow>(&self, step: usize, row: &R, now: Nanos) -> bool {
        self.steps[step].test.matches(row, now)
    }

    /// The test of `step` when it reads only times, as a value evaluators can keep.
    pub(crate) fn time_test(&self, step: usize) -> Option<TimeTest> {
        self.steps[step].test.time_test()
    }

    /// The test of `step` when it reads a person of the Expected view (`state:`, `member:`).
    pub fn person_test(&self, step: usize) -> Option<PersonTest<'_>> {
        match &self.steps[step].test {
            TermKind::State(states) => Some(PersonTest::State(states)),
            TermKind::Member(member) => Some(PersonTest::Member(*member)),
            _ => None,
        }
    }

    /// The word of `step` when its test is a bare word (a substring of the user id).
    pub(crate) fn user_needle(&self, step: usize) -> Option<&Needle> {
        match &self.steps[step].test {
            TermKind::Word(needle) => Some(needle),
            _ => None,
        }
    }

    /// Runs the branching program with `passes` answering each step's test: the one loop
    /// behind [`Predicate::matches`], for evaluators that answer tests from precomputed
    /// tables instead of row text.
    #[inline]
    pub(crate) fn run(&self, mut passes: impl FnMut(usize) -> bool) -> bool {
        let mut next = self.entry;
        loop {
            match next {
                Next::Accept => return true,
                Next::Reject => return false,
                Next::Step(index) => {
                    let step = &self.steps[index as usize];
                    next = if passes(index as usize) {
                        step.if_true
                    } else {
                        step.if_false
                    };
                }
            }
        }
    }
}

impl Predicate {
    /// Runs the program on 64 rows at once: bit `i` of `lanes[step]` answers that step's test
    /// for row `i`, and bit `i` of the result says whether row `i` passes. Every test is
    /// answered for every row, which costs less than branching row by row when the answers
    /// come from tables. `lanes` is overwritten: it is the working memory, so that a million
    /// rows cost no allocation.
    pub(crate) fn run_lanes(&self, lanes: &mut [u64]) -> u64 {
        // A step only ever continues at steps compiled before it (see `compile_into`), so one
        // pass in order knows both outcomes of each step, and its answer can then be replaced
        // by its outcome.
        for (index, step) in self.steps.iter().enumerate() {
            let (done, rest) = lanes.split_at_mut(index);
            let outcome = |next: Next| match next {
                Next::Accept => u64::MAX,
                Next::Reject => 0,
                Next::Step(target) => done[target as usize],
            };
            let pass = rest[0];
            rest[0] = (pass & outcome(step.if_true)) | (!pass & outcome(step.if_false));
        }
        match self.entry {
            Next::Accept => u64::MAX,
            Next::Reject => 0,
            Next::Step(target) => lanes[target as usize],
        }
    }
}

/// A test on a person of the Expected view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PersonTest<'a> {
    /// The person is in one of these states.
    State(&'a [crate::attendance::State]),
    /// The person is an expected member (`true`) or not.
    Member(bool),
}

/// The one part of a row a test reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reads {
    UserId,
    PublisherType,
    Roles,
    SessionId,
    /// Timestamps, duration and whether the session is open.
    Times,
    /// Nothing a row can show (`published_tracks`, `is_tech_user`): the answer is the same
    /// for every row.
    Nothing,
    /// A person of the Expected view (`state:`, `member:`), never a row.
    Person,
}

impl fmt::Display for Predicate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.description)
    }
}

/// Appends the steps of `expr`, which continue at `if_true` or `if_false`, and returns its
/// entry. Operands are compiled last to first so each one knows where the next one starts.
fn compile_into(expr: &Expr, if_true: Next, if_false: Next, steps: &mut Vec<Step>) -> Next {
    match expr {
        Expr::Not(inner) => compile_into(inner, if_false, if_true, steps),
        Expr::And(items) => items.iter().rev().fold(if_true, |rest, item| {
            compile_into(item, rest, if_false, steps)
        }),
        Expr::Or(items) => items.iter().rev().fold(if_false, |rest, item| {
            compile_into(item, if_true, rest, steps)
        }),
        Expr::Term(term) => {
            let index = u32::try_from(steps.len()).expect("a filter has far fewer terms");
            steps.push(Step {
                test: term.kind.clone(),
                if_true,
                if_false,
            });
            Next::Step(index)
        }
    }
}

/// A test that reads only a row's times and what its session makes of them (`live:` is
/// whether the session is open).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimeTest {
    Duration(Comparison, i64),
    Joined(Comparison, Nanos),
    Left(Comparison, Nanos),
    Open(bool),
    /// The row has a problem.
    Problem,
}

impl TimeTest {
    #[inline]
    pub(crate) fn matches<R: LocalRow>(self, row: &R, now: Nanos) -> bool {
        match self {
            TimeTest::Duration(comparison, seconds) => row
                .duration_seconds(now)
                .is_some_and(|duration| comparison.holds(duration, seconds)),
            TimeTest::Joined(comparison, at) => row
                .trusted_times()
                .0
                .is_some_and(|j| comparison.holds(j, at)),
            // An open session has not left yet: as everywhere in headcount, it ends at `now`.
            // A leave not recorded has no leave to compare.
            TimeTest::Left(comparison, at) => match row.trusted_times().1 {
                Some(left) => comparison.holds(left, at),
                None => row.is_open() && comparison.holds(now, at),
            },
            TimeTest::Open(open) => row.is_open() == open,
            TimeTest::Problem => row.has_problem(now),
        }
    }
}

/// A case-insensitive substring, lowercased once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Needle {
    /// As typed, for the filter's text.
    text: String,
    lowercase: String,
}

impl Needle {
    pub(crate) fn new(text: impl Into<String>) -> Needle {
        let text = text.into();
        Needle {
            lowercase: text.chars().flat_map(char::to_lowercase).collect(),
            text,
        }
    }

    /// The text as typed.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Its length in bytes, lowercased.
    pub(crate) fn len(&self) -> usize {
        self.lowercase.len()
    }

    /// Every byte offset at which the needle starts in `text`, ascending, as [`Needle::is_in`]
    /// would find it; `text` is typically many user ids laid end to end, searched in one
    /// vectorised pass instead of id by id. `None` unless both are ASCII (lowercasing other
    /// text can change its length and offsets); ask `is_in` id by id then.
    pub(crate) fn ascii_starts<'t>(
        &'t self,
        text: &'t str,
    ) -> Option<impl Iterator<Item = usize> + 't> {
        let (&first, rest) = self.lowercase.as_bytes().split_first()?;
        if !self.lowercase.is_ascii() || !text.is_ascii() {
            return None;
        }
        let bytes = text.as_bytes();
        let starts = memchr::memchr2_iter(first, first.to_ascii_uppercase(), bytes);
        Some(starts.filter(move |&at| {
            bytes
                .get(at + 1..at + 1 + rest.len())
                .is_some_and(|tail| tail.eq_ignore_ascii_case(rest))
        }))
    }

    pub(crate) fn is_in(&self, haystack: &str) -> bool {
        if self.lowercase.is_ascii() {
            // An ASCII match is a match; only a non-ASCII id (say with a Kelvin sign, which
            // lowercases to `k`) needs the character-by-character search.
            if ascii_contains(haystack.as_bytes(), self.lowercase.as_bytes()) {
                return true;
            }
            if haystack.is_ascii() {
                return false;
            }
        }
        haystack
            .char_indices()
            .any(|(start, _)| starts_with_lowercase(&haystack[start..], &self.lowercase))
    }
}

/// Case-insensitive search of a lowercase ASCII needle. The first byte is tested with one
/// comparison (`| 0x20` folds an uppercase letter onto its lowercase) before the rest.
fn ascii_contains(haystack: &[u8], needle: &[u8]) -> bool {
    let Some((&first, rest)) = needle.split_first() else {
        return true;
    };
    let fold = if first.is_ascii_lowercase() { 0x20 } else { 0 };
    haystack
        .windows(needle.len())
        .any(|window| window[0] | fold == first && window[1..].eq_ignore_ascii_case(rest))
}

/// Whether `text`, lowercased character by character, starts with `lowercase`.
fn starts_with_lowercase(text: &str, lowercase: &str) -> bool {
    let mut expected = lowercase.chars();
    let mut lowered = text.chars().flat_map(char::to_lowercase);
    expected.all(|c| lowered.next() == Some(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn needles_ignore_case_in_ascii_and_unicode() {
        let needle = Needle::new("Bot");
        assert!(needle.is_in("recorder-BOT-1"));
        assert!(!needle.is_in("robo"));
        let accented = Needle::new("ÉLO");
        assert!(accented.is_in("mélodie"));
        assert!(!accented.is_in("melodie"));
        assert!(Needle::new("bot").is_in("Été-bot"));
        assert!(Needle::new("k").is_in("\u{212A}elvin"));
        assert!(!Needle::new("bot").is_in("bo"));
    }

    #[test]
    fn a_needle_finds_its_starts_in_ascii_text_only() {
        let starts: Vec<_> = Needle::new("Bot")
            .ascii_starts("bot-BOT robot bo")
            .unwrap()
            .collect();
        assert_eq!(starts, [0, 4, 10]);
        assert!(Needle::new("bot").ascii_starts("Été-bot").is_none());
        assert!(Needle::new("élo").ascii_starts("melodie").is_none());
    }
}
