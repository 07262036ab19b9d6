//! The Expected view's per-person filter on random rosters and random expressions: `state:`,
//! `member:` and bare words, combined with `and`, `or`, `not` and parentheses, keep exactly
//! the people a straightforward reference predicate keeps, in the view's order.

mod app_support;

use std::collections::BTreeSet;

use app_support::*;
use headcount::app::App;
use headcount::fetch::{FetchEvent, Invited};
use proptest::prelude::*;
use serde_json::{Value, json};

/// User ids: mixed case, a shared `bot`, a hyphen, so that words match several or none.
const USERS: [&str; 6] = ["alice", "bob", "Carol", "bot-1", "ALBOT", "erin-x"];
/// Bare words: none is a keyword of the language (`or`, `not`, `open`, `problem`…).
const WORDS: [&str; 6] = ["al", "BO", "ot", "x", "carol", "e"];
const STATES: [&str; 7] = [
    "present",
    "partial",
    "absent",
    "rejected",
    "missed",
    "not-member",
    "unknown",
];

/// How a ringing member answered, if they were rung.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Ring {
    None,
    Rejected,
    Missed,
}

/// One user of the pool: a member or not, their sessions (joined, left, in minutes after
/// the start of a one-hour call), and their ring outcome.
#[derive(Debug, Clone)]
struct Someone {
    member: bool,
    sessions: Vec<(i64, i64)>,
    ring: Ring,
}

fn someone() -> impl Strategy<Value = Someone> {
    let session = (0i64..55, 1i64..60).prop_map(|(joined, stay)| (joined, (joined + stay).min(60)));
    (
        any::<bool>(),
        prop::collection::vec(session, 0..3),
        prop_oneof![Just(Ring::None), Just(Ring::Rejected), Just(Ring::Missed)],
    )
        .prop_map(|(member, sessions, ring)| Someone {
            member,
            sessions,
            ring,
        })
}

#[derive(Debug, Clone)]
enum Expr {
    State(BTreeSet<&'static str>),
    Member(bool),
    Word(&'static str),
    Not(Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        prop::collection::btree_set(prop::sample::select(&STATES[..]), 1..3).prop_map(Expr::State),
        any::<bool>().prop_map(Expr::Member),
        prop::sample::select(&WORDS[..]).prop_map(Expr::Word),
    ];
    leaf.prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            inner.clone().prop_map(|e| Expr::Not(Box::new(e))),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::And(Box::new(a), Box::new(b))),
            (inner.clone(), inner).prop_map(|(a, b)| Expr::Or(Box::new(a), Box::new(b))),
        ]
    })
}

/// The filter text of `expr`, every compound in parentheses, in the language's several
/// spellings of each operator.
fn text(expr: &Expr, spelling: usize) -> String {
    match expr {
        Expr::State(states) => {
            format!(
                "state:{}",
                states.iter().copied().collect::<Vec<_>>().join(",")
            )
        }
        Expr::Member(true) => "member:yes".to_owned(),
        Expr::Member(false) => "member:no".to_owned(),
        Expr::Word(word) => (*word).to_owned(),
        Expr::Not(inner) => match spelling % 2 {
            0 => format!("!({})", text(inner, spelling)),
            _ => format!("not ({})", text(inner, spelling)),
        },
        Expr::And(a, b) => {
            let op = [" ", " and ", " & "][spelling % 3];
            format!("({}{op}{})", text(a, spelling), text(b, spelling))
        }
        Expr::Or(a, b) => {
            let op = [" or ", " | "][spelling % 2];
            format!("({}{op}{})", text(a, spelling), text(b, spelling))
        }
    }
}

/// The reference: what the documentation says each term keeps.
fn keeps(expr: &Expr, user: &str, state: &str, member: bool) -> bool {
    match expr {
        Expr::State(states) => states.contains(state),
        Expr::Member(wanted) => member == *wanted,
        Expr::Word(word) => user.to_lowercase().contains(&word.to_lowercase()),
        Expr::Not(inner) => !keeps(inner, user, state, member),
        Expr::And(a, b) => keeps(a, user, state, member) && keeps(b, user, state, member),
        Expr::Or(a, b) => keeps(a, user, state, member) || keeps(b, user, state, member),
    }
}

/// An ended call of the pool's sessions, with its members and ring outcomes read.
fn loaded(pool: &[Someone]) -> (App, headcount::api::timestamp::Nanos) {
    let now = T0 + 70 * MIN;
    let (mut app, _) = App::new(config(None), now);
    let mut rows = Vec::new();
    for (user, person) in USERS.iter().zip(pool) {
        for (n, &(joined, left)) in person.sessions.iter().enumerate() {
            rows.push(row(
                user,
                &format!("{user}-{n}"),
                joined,
                Some(left),
                "webrtc",
                "user",
            ));
        }
    }
    let count = rows.len() as i64;
    app.update(page_event(1, 1, page(rows, count, false)), now);
    app.update(done(1, 1), now);
    let members: Vec<Value> = USERS
        .iter()
        .zip(pool)
        .filter(|(_, person)| person.member)
        .map(|(user, _)| {
            json!({
                "user_id": user, "role": "user", "custom": {},
                "user": {"id": user},
                "created_at": rfc3339(T0 - 60 * MIN)
            })
        })
        .collect();
    let rung = |ring: Ring| -> Value {
        USERS
            .iter()
            .zip(pool)
            .filter(|(_, person)| person.ring == ring)
            .map(|(user, _)| ((*user).to_owned(), json!(rfc3339(T0))))
            .collect::<serde_json::Map<_, _>>()
            .into()
    };
    let call = json!({
        "type": "default", "id": "standup", "cid": "default:standup",
        "current_session_id": "s-1",
        "created_by": {"id": "caller-0"},
        "session": {
            "id": "s-1",
            "accepted_by": {},
            "rejected_by": rung(Ring::Rejected),
            "missed_by": rung(Ring::Missed)
        }
    });
    let invited = Invited {
        call: serde_json::from_value(call).expect("a valid call"),
        members: std::sync::Arc::new(headcount::api::members::MembersRead {
            members: members
                .into_iter()
                .map(|m| serde_json::from_value(m).expect("a valid member"))
                .collect(),
            stop: headcount::api::StopReason::LastPage,
            pages: 1,
            copies: 0,
        }),
    };
    app.update(
        msg(FetchEvent::Roster {
            generation: 1,
            invited: Box::new(invited),
        }),
        now,
    );
    (app, now)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn the_expected_filter_keeps_exactly_whom_the_reference_keeps(
        pool in prop::collection::vec(someone(), USERS.len()),
        expr in expr(),
        spelling in 0usize..6,
    ) {
        let (mut app, now) = loaded(&pool);
        app.update(key('x'), now);
        let everyone = app.expected_listed();
        let member = |user: &str| {
            USERS.iter().position(|u| *u == user).is_some_and(|at| pool[at].member)
        };
        let expected: Vec<(String, &str)> = everyone
            .iter()
            .filter(|(user, state)| keeps(&expr, user, state, member(user)))
            .cloned()
            .collect();
        let typed = text(&expr, spelling);
        app.update(key('/'), now);
        type_text(&mut app, &typed, now);
        prop_assert!(app.status().is_none(), "{typed}: {:?}", app.status());
        prop_assert_eq!(app.expected_listed(), expected, "{}", typed);
    }
}
