//! Properties of the filter language on random expressions and random rows: the split into
//! server and local parts is exact, the server part never drops a row the filter keeps, the
//! canonical text parses back to the same filter, and server terms evaluated locally agree
//! with `Conditions::matches`.

use headcount::api::SessionFields;
use headcount::api::timestamp::{NANOS_PER_SEC, Nanos};
use headcount::filter::conditions::Conditions;
use headcount::filter::{LocalRow, ParseContext, parse};
use jiff::civil::date;
use jiff::tz::TimeZone;
use proptest::prelude::*;
use serde_json::{Map, Value, json};

const USERS: [&str; 6] = ["alice", "bob", "Carol", "bot-1", "ALBOT", "bob smith"];
const SESSIONS: [&str; 3] = ["s1", "s2", "s3"];
const PUBLISHERS: [&str; 3] = ["webrtc", "rtmp", "srt"];
const ROLES: [&str; 3] = ["host", "user", "admin"];
const TRACKS: [&str; 3] = ["audio", "video", "screenshare"];
const WORDS: [&str; 6] = ["al", "BO", "ot", "x", "bob s", "carol"];

/// 10:00 UTC on the call's date; rows join within two hours of it.
fn base() -> Nanos {
    let ts = date(2026, 11, 26)
        .at(10, 0, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .unwrap()
        .timestamp();
    i64::try_from(ts.as_nanosecond()).unwrap()
}

fn now() -> Nanos {
    base() + 3 * 3600 * NANOS_PER_SEC
}

/// A call live since midnight of 2026-11-26 (UTC): bare times are that day's.
fn context() -> ParseContext {
    let midnight = date(2026, 11, 26)
        .to_zoned_datetime(TimeZone::UTC)
        .unwrap()
        .timestamp();
    ParseContext::at(
        TimeZone::UTC,
        i64::try_from(midnight.as_nanosecond()).unwrap(),
    )
}

/// A row that, unlike API rows, also carries what only Stream sees (tracks, tech user).
#[derive(Debug, Clone)]
struct Row {
    user: String,
    session: String,
    publisher: String,
    roles: Vec<String>,
    joined: Option<Nanos>,
    left: Option<Nanos>,
    tracks: Vec<String>,
    tech: bool,
}

impl SessionFields for Row {
    fn user_id(&self) -> &str {
        &self.user
    }
    fn user_session_id(&self) -> &str {
        &self.session
    }
    fn publisher_type(&self) -> &str {
        &self.publisher
    }
    fn roles(&self) -> impl Iterator<Item = &str> {
        self.roles.iter().map(String::as_str)
    }
    fn joined_at(&self) -> Option<Nanos> {
        self.joined
    }
    fn left_at(&self) -> Option<Nanos> {
        self.left
    }
    fn duration_in_seconds(&self) -> Option<i64> {
        None
    }
}

impl LocalRow for Row {
    fn is_open(&self) -> bool {
        self.left.is_none()
    }
    fn duration_seconds(&self, now: Nanos) -> Option<i64> {
        self.joined
            .map(|j| (self.left.unwrap_or(now) - j) / NANOS_PER_SEC)
    }
    fn has_problem(&self, _now: Nanos) -> bool {
        false
    }
    fn published_tracks(&self) -> Option<&[String]> {
        Some(&self.tracks)
    }
    fn is_tech_user(&self) -> Option<bool> {
        Some(self.tech)
    }
}

fn pick<const N: usize>(domain: [&'static str; N]) -> impl Strategy<Value = String> {
    proptest::sample::select(domain.to_vec()).prop_map(str::to_owned)
}

fn subset<const N: usize>(domain: [&'static str; N]) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(domain.to_vec(), 0..=N)
        .prop_map(|items| items.into_iter().map(str::to_owned).collect())
}

fn row() -> impl Strategy<Value = Row> {
    let seconds = 0..2 * 3600i64;
    (
        (pick(USERS), pick(SESSIONS), pick(PUBLISHERS), subset(ROLES)),
        (
            proptest::option::weighted(0.95, seconds.clone()),
            proptest::option::of(seconds),
        ),
        (subset(TRACKS), any::<bool>()),
    )
        .prop_map(
            |((user, session, publisher, roles), (joined, stay), (tracks, tech))| {
                let joined = joined.map(|s| base() + s * NANOS_PER_SEC);
                let left = stay.map(|s| joined.unwrap_or(base()) + s * NANOS_PER_SEC);
                Row {
                    user,
                    session,
                    publisher,
                    roles,
                    joined,
                    left,
                    tracks,
                    tech,
                }
            },
        )
}

#[derive(Debug, Clone, Copy)]
enum Cmp {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
}

impl Cmp {
    fn holds(self, a: i64, b: i64) -> bool {
        match self {
            Cmp::Lt => a < b,
            Cmp::Le => a <= b,
            Cmp::Gt => a > b,
            Cmp::Ge => a >= b,
            Cmp::Eq => a == b,
        }
    }
    fn symbol(self) -> &'static str {
        match self {
            Cmp::Lt => "<",
            Cmp::Le => "<=",
            Cmp::Gt => ">",
            Cmp::Ge => ">=",
            Cmp::Eq => "=",
        }
    }
}

/// A term of the language, generated independently of the crate's own types so that the
/// reference semantics below are a second, separate definition.
#[derive(Debug, Clone)]
enum Term {
    User(Vec<String>),
    Session(Vec<String>),
    Publisher(Vec<String>),
    Live(bool),
    Track(Vec<String>),
    Tech(bool),
    Role(Vec<String>),
    Duration(Cmp, i64),
    Joined(Cmp, i64),
    Left(Cmp, i64),
    Open(bool),
    Word(String),
}

#[derive(Debug, Clone)]
enum Expr {
    Term(Term),
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

fn values<const N: usize>(domain: [&'static str; N]) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(domain.to_vec(), 1..=2.min(N))
        .prop_map(|items| items.into_iter().map(str::to_owned).collect())
}

fn comparison(equal: bool) -> impl Strategy<Value = Cmp> {
    let mut choices = vec![Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge];
    if equal {
        choices.push(Cmp::Eq);
    }
    proptest::sample::select(choices)
}

/// Terms rows can see: they may appear anywhere.
fn visible_term() -> impl Strategy<Value = Term> {
    prop_oneof![
        values(USERS).prop_map(Term::User),
        values(SESSIONS).prop_map(Term::Session),
        values(PUBLISHERS).prop_map(Term::Publisher),
        any::<bool>().prop_map(Term::Live),
        values(ROLES).prop_map(Term::Role),
        (comparison(true), 0..2 * 3600i64).prop_map(|(c, s)| Term::Duration(c, s)),
        (comparison(false), 0..180i64).prop_map(|(c, m)| Term::Joined(c, m)),
        (comparison(false), 0..180i64).prop_map(|(c, m)| Term::Left(c, m)),
        any::<bool>().prop_map(Term::Open),
        pick(WORDS).prop_map(Term::Word),
    ]
}

fn expression(term: impl Strategy<Value = Term> + 'static) -> impl Strategy<Value = Expr> {
    term.prop_map(Expr::Term).prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Expr::And),
            proptest::collection::vec(inner.clone(), 2..4).prop_map(Expr::Or),
            inner.prop_map(|e| Expr::Not(Box::new(e))),
        ]
    })
}

/// A whole filter: random expressions ANDed with at most one `track:` and one `tech:` term,
/// the only places Stream-only fields are accepted.
fn filter_expression() -> impl Strategy<Value = Expr> {
    (
        proptest::collection::vec(expression(visible_term()), 1..4),
        proptest::option::of(values(TRACKS).prop_map(Term::Track)),
        proptest::option::of(any::<bool>().prop_map(Term::Tech)),
    )
        .prop_map(|(mut conjuncts, track, tech)| {
            conjuncts.extend(track.into_iter().chain(tech).map(Expr::Term));
            Expr::And(conjuncts)
        })
}

/// Spellings the language treats alike, chosen at random per expression.
#[derive(Debug, Clone, Copy)]
struct Spelling {
    equals: bool,
    symbols: bool,
    explicit_and: bool,
    upper: bool,
}

fn spelling() -> impl Strategy<Value = Spelling> {
    (any::<bool>(), any::<bool>(), any::<bool>(), any::<bool>()).prop_map(
        |(equals, symbols, explicit_and, upper)| Spelling {
            equals,
            symbols,
            explicit_and,
            upper,
        },
    )
}

fn quote(value: &str) -> String {
    if value.contains(' ') {
        format!("\"{value}\"")
    } else {
        value.to_owned()
    }
}

fn clock(minutes: i64) -> String {
    format!("{}:{:02}", 10 + minutes / 60, minutes % 60)
}

fn duration(seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 {
        format!("{h}h{m}m{s}s")
    } else if m > 0 && s == 0 {
        format!("{m}m")
    } else {
        format!("{seconds}s")
    }
}

impl Term {
    fn text(&self, spelling: Spelling) -> String {
        let separator = if spelling.equals { "=" } else { ":" };
        let keyed = |key: &str, values: &[String]| {
            let key = if spelling.upper {
                key.to_uppercase()
            } else {
                key.to_owned()
            };
            let list: Vec<String> = values.iter().map(|v| quote(v)).collect();
            format!("{key}{separator}{}", list.join(","))
        };
        let answer = |yes: bool| if yes { "yes" } else { "no" }.to_owned();
        match self {
            Term::User(v) => keyed("user", v),
            Term::Session(v) => keyed("session", v),
            Term::Publisher(v) => keyed("publisher", v),
            Term::Track(v) => keyed("track", v),
            Term::Role(v) => keyed("role", v),
            Term::Live(yes) => keyed("live", &[answer(*yes)]),
            Term::Tech(yes) => keyed("tech", &[answer(*yes)]),
            Term::Duration(c, s) => format!("dur{}{}", c.symbol(), duration(*s)),
            Term::Joined(c, m) => format!("joined{}{}", c.symbol(), clock(*m)),
            Term::Left(c, m) => format!("left{}{}", c.symbol(), clock(*m)),
            Term::Open(true) => "open".to_owned(),
            Term::Open(false) => "closed".to_owned(),
            Term::Word(word) => quote(word),
        }
    }

    fn holds(&self, row: &Row) -> bool {
        let minute = |m: i64| base() + m * 60 * NANOS_PER_SEC;
        match self {
            Term::User(v) => v.contains(&row.user),
            Term::Session(v) => v.contains(&row.session),
            Term::Publisher(v) => v.contains(&row.publisher),
            Term::Track(v) => row.tracks.iter().any(|t| v.contains(t)),
            Term::Role(v) => row.roles.iter().any(|r| v.contains(r)),
            Term::Live(yes) | Term::Open(yes) => row.left.is_none() == *yes,
            Term::Tech(yes) => row.tech == *yes,
            Term::Duration(c, s) => {
                LocalRow::duration_seconds(row, now()).is_some_and(|d| c.holds(d, *s))
            }
            Term::Joined(c, m) => row.joined.is_some_and(|j| c.holds(j, minute(*m))),
            Term::Left(c, m) => c.holds(row.left.unwrap_or(now()), minute(*m)),
            Term::Word(word) => row.user.to_lowercase().contains(&word.to_lowercase()),
        }
    }
}

impl Expr {
    fn text(&self, spelling: Spelling) -> String {
        let child = |e: &Expr| match e {
            Expr::Term(t) => t.text(spelling),
            other => format!("({})", other.text(spelling)),
        };
        let join = |items: &[Expr], separator: &str| {
            items.iter().map(child).collect::<Vec<_>>().join(separator)
        };
        match self {
            Expr::Term(t) => t.text(spelling),
            Expr::Not(inner) if spelling.symbols => format!("!{}", child(inner)),
            Expr::Not(inner) => format!("not {}", child(inner)),
            Expr::And(items) if spelling.explicit_and && spelling.symbols => join(items, " & "),
            Expr::And(items) if spelling.explicit_and => join(items, " AND "),
            Expr::And(items) => join(items, " "),
            Expr::Or(items) if spelling.symbols => join(items, " | "),
            Expr::Or(items) => join(items, " or "),
        }
    }

    fn holds(&self, row: &Row) -> bool {
        match self {
            Expr::Term(t) => t.holds(row),
            Expr::Not(inner) => !inner.holds(row),
            Expr::And(items) => items.iter().all(|e| e.holds(row)),
            Expr::Or(items) => items.iter().any(|e| e.holds(row)),
        }
    }
}

/// A `filter_conditions` object on the fields rows can see, in every accepted JSON form but an
/// empty `$in`, which matches nothing and has no spelling in the language.
fn visible_conditions() -> impl Strategy<Value = Value> {
    let string_field = |name: &'static str, domain: Vec<&'static str>| {
        let one = proptest::sample::select(domain.clone());
        let many = proptest::sample::subsequence(domain, 1..=3);
        prop_oneof![
            one.clone().prop_map(move |v| (name, json!(v))),
            one.prop_map(move |v| (name, json!({"$eq": v}))),
            many.prop_map(move |v| (name, json!({"$in": v}))),
        ]
    };
    (
        proptest::option::of(string_field("user_id", USERS.to_vec())),
        proptest::option::of(string_field("session_id", SESSIONS.to_vec())),
        proptest::option::of(string_field("publisher_type", PUBLISHERS.to_vec())),
        proptest::option::of(any::<bool>().prop_map(|b| ("is_live", json!({"$eq": b})))),
    )
        .prop_map(|(user, session, publisher, live)| {
            let entries = [user, session, publisher, live].into_iter().flatten();
            Value::Object(
                entries
                    .map(|(k, v)| (k.to_owned(), v))
                    .collect::<Map<_, _>>(),
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn the_split_is_exact_and_the_server_part_keeps_a_superset(
        expr in filter_expression(),
        spelling in spelling(),
        rows in proptest::collection::vec(row(), 1..24),
    ) {
        let text = expr.text(spelling);
        let filter = parse(&text, &context()).map_err(|e| TestCaseError::fail(e.render(&text)))?;
        for row in &rows {
            let expected = expr.holds(row);
            let server = filter.server.matches(row);
            prop_assert!(!expected || server, "{text}: server part drops {row:?}");
            let split = server && filter.matches_local(row, now());
            prop_assert_eq!(split, expected, "{} on {:?} (parsed as {})", text, row, filter);
        }
    }

    #[test]
    fn the_canonical_text_parses_back_to_the_same_filter(
        expr in filter_expression(),
        spelling in spelling(),
    ) {
        let text = expr.text(spelling);
        let filter = parse(&text, &context()).map_err(|e| TestCaseError::fail(e.render(&text)))?;
        let canonical = filter.to_string();
        let again = parse(&canonical, &context())
            .map_err(|e| TestCaseError::fail(e.render(&canonical)))?;
        prop_assert_eq!(&again.server, &filter.server, "{} -> {}", text, canonical);
        prop_assert_eq!(&again.local, &filter.local, "{} -> {}", text, canonical);
    }

    #[test]
    fn server_terms_evaluated_locally_agree_with_conditions(
        json in visible_conditions(),
        rows in proptest::collection::vec(row(), 1..24),
    ) {
        let conditions = Conditions::parse(&json).unwrap();
        let as_json = parse(&json.to_string(), &context()).unwrap();
        prop_assert_eq!(&as_json.server, &conditions);
        // `!` forces the terms into the local part; the language form of an empty object is
        // empty, which keeps every row.
        let language = as_json.to_string();
        let negated = parse(&format!("!({language})"), &context());
        for row in &rows {
            let expected = conditions.matches(row);
            prop_assert_eq!(as_json.matches(row, now()), expected);
            if let Ok(negated) = &negated {
                prop_assert!(negated.server.is_empty());
                prop_assert_eq!(negated.matches_local(row, now()), !expected, "!({})", language);
            }
        }
        prop_assert_eq!(negated.is_err(), language.is_empty());
    }
}
