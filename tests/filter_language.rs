//! The filter language, form by form: the `filter_conditions` JSON and the local description
//! each filter gives, which rows it keeps, and the errors a person sees.

use headcount::api::models::ParticipantSessionDetails;
use headcount::api::timestamp::{NANOS_PER_SEC, Nanos};
use headcount::filter::{Filter, ParseContext, ParseError, parse};
use jiff::civil::date;
use jiff::tz::TimeZone;
use serde_json::{Value, json};

/// A call live since midnight of 2026-11-26 in Paris (UTC+01:00 in November): bare times are
/// that day's.
fn paris() -> ParseContext {
    let tz = TimeZone::get("Europe/Paris").unwrap();
    let midnight = date(2026, 11, 26).to_zoned_datetime(tz.clone()).unwrap();
    ParseContext::at(tz, nanos(midnight.timestamp()))
}

fn nanos(timestamp: jiff::Timestamp) -> Nanos {
    i64::try_from(timestamp.as_nanosecond()).unwrap()
}

fn filter(input: &str) -> Filter {
    parse(input, &paris()).unwrap_or_else(|e| panic!("{input:?}: {}", e.render(input)))
}

fn error(input: &str) -> ParseError {
    match parse(input, &paris()) {
        Ok(filter) => panic!("{input:?} parsed as {filter}"),
        Err(error) => error,
    }
}

/// Unix nanoseconds of a UTC time on 2026-11-26.
fn utc(hour: i8, minute: i8) -> Nanos {
    let ts = date(2026, 11, 26)
        .at(hour, minute, 0, 0)
        .to_zoned_datetime(TimeZone::UTC)
        .unwrap()
        .timestamp();
    i64::try_from(ts.as_nanosecond()).unwrap()
}

fn row(user: &str) -> ParticipantSessionDetails {
    ParticipantSessionDetails {
        user_id: user.to_owned(),
        user_session_id: format!("{user}-1"),
        publisher_type: "webrtc".to_owned(),
        roles: vec!["user".to_owned()],
        joined_at: Some(utc(9, 0)),
        left_at: Some(utc(10, 0)),
        duration_in_seconds: Some(3600),
    }
}

fn with_roles(mut row: ParticipantSessionDetails, roles: &[&str]) -> ParticipantSessionDetails {
    row.roles = roles.iter().map(std::string::ToString::to_string).collect();
    row
}

fn session(
    user: &str,
    joined: Nanos,
    left: Option<Nanos>,
    seconds: Option<i64>,
) -> ParticipantSessionDetails {
    ParticipantSessionDetails {
        joined_at: Some(joined),
        left_at: left,
        duration_in_seconds: seconds,
        ..row(user)
    }
}

fn now() -> Nanos {
    utc(12, 0)
}

/// Which of these users' rows the whole filter keeps.
fn kept(input: &str, users: &[&str]) -> Vec<String> {
    let filter = filter(input);
    users
        .iter()
        .map(|u| row(u))
        .filter(|r| filter.matches(r, now()))
        .map(|r| r.user_id)
        .collect()
}

#[test]
fn each_form_gives_its_server_json_and_local_description() {
    let cases: Vec<(&str, Option<Value>, Option<&str>)> = vec![
        ("", None, None),
        ("   ", None, None),
        (
            "user:alice",
            Some(json!({"user_id": {"$eq": "alice"}})),
            None,
        ),
        (
            "user=alice",
            Some(json!({"user_id": {"$eq": "alice"}})),
            None,
        ),
        (
            "USER:Alice",
            Some(json!({"user_id": {"$eq": "Alice"}})),
            None,
        ),
        (
            "user_id:alice",
            Some(json!({"user_id": {"$eq": "alice"}})),
            None,
        ),
        (
            "user:alice,bob",
            Some(json!({"user_id": {"$in": ["alice", "bob"]}})),
            None,
        ),
        (
            "user:alice,alice",
            Some(json!({"user_id": {"$eq": "alice"}})),
            None,
        ),
        (
            "user:\"bob smith\"",
            Some(json!({"user_id": {"$eq": "bob smith"}})),
            None,
        ),
        (
            r#"user:"a,b",c"#,
            Some(json!({"user_id": {"$in": ["a,b", "c"]}})),
            None,
        ),
        (
            r#"user:"say \"hi\"""#,
            Some(json!({"user_id": {"$eq": "say \"hi\""}})),
            None,
        ),
        (
            "publisher:rtmp",
            Some(json!({"publisher_type": {"$eq": "rtmp"}})),
            None,
        ),
        ("live:yes", Some(json!({"is_live": {"$eq": true}})), None),
        ("Live:NO", Some(json!({"is_live": {"$eq": false}})), None),
        ("live=true", Some(json!({"is_live": {"$eq": true}})), None),
        (
            "tech:no",
            Some(json!({"is_tech_user": {"$eq": false}})),
            None,
        ),
        (
            "session:abc-123",
            Some(json!({"session_id": {"$eq": "abc-123"}})),
            None,
        ),
        (
            "track:audio",
            Some(json!({"published_tracks": {"$eq": "audio"}})),
            None,
        ),
        (
            "track:audio,video",
            Some(json!({"published_tracks": {"$in": ["audio", "video"]}})),
            None,
        ),
        (
            "user:alice publisher:rtmp live:yes tech:no",
            Some(json!({
                "user_id": {"$eq": "alice"},
                "publisher_type": {"$eq": "rtmp"},
                "is_live": {"$eq": true},
                "is_tech_user": {"$eq": false},
            })),
            None,
        ),
        // Two terms on one field AND together: the intersection goes to the server...
        (
            "user:a,b user:b,c",
            Some(json!({"user_id": {"$eq": "b"}})),
            None,
        ),
        // ...and when it is empty the second term is checked locally, so nothing is kept.
        (
            "user:a user:b",
            Some(json!({"user_id": {"$eq": "a"}})),
            Some("user:b"),
        ),
        (
            "live:yes live:no",
            Some(json!({"is_live": {"$eq": true}})),
            Some("live:no"),
        ),
        (
            "user:a or user:b",
            Some(json!({"user_id": {"$in": ["a", "b"]}})),
            None,
        ),
        (
            "user:a | user:b,c",
            Some(json!({"user_id": {"$in": ["a", "b", "c"]}})),
            None,
        ),
        (
            "(user:a or user:b) or user:a",
            Some(json!({"user_id": {"$in": ["a", "b"]}})),
            None,
        ),
        (
            "track:audio or track:video",
            Some(json!({"published_tracks": {"$in": ["audio", "video"]}})),
            None,
        ),
        ("live:yes or live:no", None, None),
        (
            "(user:alice)",
            Some(json!({"user_id": {"$eq": "alice"}})),
            None,
        ),
        (
            "(user:alice tech:no) track:audio",
            Some(json!({
                "user_id": {"$eq": "alice"},
                "is_tech_user": {"$eq": false},
                "published_tracks": {"$eq": "audio"},
            })),
            None,
        ),
        ("user:a or role:host", None, Some("user:a or role:host")),
        ("!user:a", None, Some("!user:a")),
        ("live:yes or role:host", None, Some("live:yes or role:host")),
        ("role:host", None, Some("role:host")),
        ("roles=host,admin", None, Some("role:host,admin")),
        ("dur>5m", None, Some("dur>5m")),
        ("dur<=90s", None, Some("dur<=1m30s")),
        ("DUR>=1h30m", None, Some("dur>=1h30m")),
        ("duration<2h15m30s", None, Some("dur<2h15m30s")),
        ("dur=0s", None, Some("dur=0s")),
        ("joined>10:30", None, Some("joined>10:30")),
        ("joined>=9:05:30", None, Some("joined>=9:05:30")),
        ("left<2026-11-26T11:00", None, Some("left<2026-11-26T11:00")),
        (
            "left<=2026-11-26T10:00Z",
            None,
            Some("left<=2026-11-26T10:00Z"),
        ),
        ("open", None, Some("open")),
        ("CLOSED", None, Some("closed")),
        ("bot", None, Some("bot")),
        ("\"bob smith\"", None, Some("\"bob smith\"")),
        ("\"or\"", None, Some("\"or\"")),
        ("\"open\"", None, Some("\"open\"")),
        ("12:30", None, Some("\"12:30\"")),
        ("!bot", None, Some("!bot")),
        ("not bot", None, Some("!bot")),
        ("NOT bot", None, Some("!bot")),
        ("!!bot", None, Some("!!bot")),
        ("!(ann bob)", None, Some("!(ann bob)")),
        ("ann and bob & cy", None, Some("ann bob cy")),
        ("ann bob or cy", None, Some("ann bob or cy")),
        ("ann (bob or cy)", None, Some("ann (bob or cy)")),
        ("ann OR bob", None, Some("ann or bob")),
        ("((ann))", None, Some("ann")),
        (
            "user:alice role:host dur>5m",
            Some(json!({"user_id": {"$eq": "alice"}})),
            Some("role:host dur>5m"),
        ),
        (
            "user:alice (role:host or dur>5m)",
            Some(json!({"user_id": {"$eq": "alice"}})),
            Some("role:host or dur>5m"),
        ),
        (
            "role:host or dur>10m !bot",
            None,
            Some("role:host or dur>10m !bot"),
        ),
        (
            r#"{"user_id": {"$in": ["a", "b"]}}"#,
            Some(json!({"user_id": {"$in": ["a", "b"]}})),
            None,
        ),
        (
            r#"  {"user_id": "a", "is_live": true}"#,
            Some(json!({"user_id": {"$eq": "a"}, "is_live": {"$eq": true}})),
            None,
        ),
    ];
    for (input, server, local) in cases {
        let filter = filter(input);
        assert_eq!(filter.server_json(), server, "server part of {input:?}");
        assert_eq!(
            filter.local_description().as_deref(),
            local,
            "local part of {input:?}"
        );
        assert_eq!(filter.source, input);
        assert_eq!(filter.is_empty(), server.is_none() && local.is_none());
    }
}

#[test]
fn the_canonical_text_parses_back_to_the_same_filter() {
    for input in [
        "user:alice (role:host or dur>5m)",
        "user:a or user:b",
        "user:a user:b !closed",
        r#"user:"bob smith",alice "x y" "and""#,
        "joined>10:30 left<2026-11-26T11:00 dur>90s",
    ] {
        let first = filter(input);
        let second = filter(&first.to_string());
        assert_eq!(first.server, second.server, "{input:?} -> {first}");
        assert_eq!(first.local, second.local, "{input:?} -> {first}");
    }
    assert_eq!(
        filter("(role:host or dur>5m) user:alice").to_string(),
        "user:alice (role:host or dur>5m)"
    );
    let json = filter(r#"{"user_id": {"$eq": "a", "$in": ["a", "b"]}}"#);
    assert_eq!(json.to_string(), "user:a user:a,b");
    assert_eq!(
        filter(&json.to_string()).server_json(),
        Some(json!({"user_id": {"$eq": "a"}}))
    );
}

#[test]
fn and_binds_tighter_than_or() {
    let users = ["annbob", "cy", "anncy", "ann", "bob"];
    assert_eq!(kept("ann bob or cy", &users), ["annbob", "cy", "anncy"]);
    assert_eq!(kept("(ann bob) or cy", &users), ["annbob", "cy", "anncy"]);
    assert_eq!(kept("cy or ann bob", &users), ["annbob", "cy", "anncy"]);
    assert_eq!(kept("ann (bob or cy)", &users), ["annbob", "anncy"]);
}

#[test]
fn not_binds_tighter_than_and() {
    let users = ["annbob", "bob", "ann", "cy"];
    assert_eq!(kept("!ann bob", &users), ["bob"]);
    assert_eq!(kept("not ann bob", &users), ["bob"]);
    assert_eq!(kept("!(ann bob)", &users), ["bob", "ann", "cy"]);
    assert_eq!(kept("!ann or bob", &users), ["annbob", "bob", "cy"]);
}

#[test]
fn bare_words_are_case_insensitive_substrings_of_the_user_id() {
    let users = ["recorder-BOT", "Bottom", "alice", "Ängel"];
    assert_eq!(kept("bot", &users), ["recorder-BOT", "Bottom"]);
    assert_eq!(kept("BOT", &users), ["recorder-BOT", "Bottom"]);
    assert_eq!(kept("!bot", &users), ["alice", "Ängel"]);
    assert_eq!(kept("äNG", &users), ["Ängel"]);
    assert_eq!(kept("\"open\"", &["reopened", "alice"]), ["reopened"]);
}

#[test]
fn server_values_are_exact_as_stream_compares_them() {
    let users = ["alice", "Alice", "alicia"];
    assert_eq!(kept("user:alice", &users), ["alice"]);
    assert_eq!(kept("user:alice,alicia", &users), ["alice", "alicia"]);
    assert_eq!(kept("user:a user:b", &["a", "b"]), Vec::<String>::new());
    assert_eq!(kept("user:a or bob", &["a", "bobby", "c"]), ["a", "bobby"]);
}

#[test]
fn roles_match_any_listed_role() {
    let filter = filter("role:host,admin");
    let host = with_roles(row("h"), &["user", "host"]);
    let admin = with_roles(row("a"), &["admin"]);
    let plain = with_roles(row("p"), &["user"]);
    let none = with_roles(row("n"), &[]);
    assert!(filter.matches(&host, now()));
    assert!(filter.matches(&admin, now()));
    assert!(!filter.matches(&plain, now()));
    assert!(!filter.matches(&none, now()));
    assert!(!self::filter("role:Host").matches(&host, now()));
}

#[test]
fn durations_compare_in_seconds_and_open_sessions_run_until_now() {
    let ten_minutes = session("a", utc(11, 0), Some(utc(11, 10)), Some(600));
    let open_since_eleven = session("b", utc(11, 0), None, None);
    let cases = [
        ("dur>5m", true, true),
        ("dur>10m", false, true),
        ("dur>=10m", true, true),
        ("dur=600s", true, false),
        ("dur<1h", true, false),
        ("dur<=1h", true, true),
        ("dur>1h", false, false),
    ];
    for (input, short, open) in cases {
        let filter = filter(input);
        assert_eq!(
            filter.matches(&ten_minutes, now()),
            short,
            "{input} on 10 min"
        );
        assert_eq!(
            filter.matches(&open_since_eleven, now()),
            open,
            "{input} on open"
        );
    }
}

#[test]
fn clock_times_are_on_the_call_date_in_the_chosen_zone() {
    // 10:30 in Paris is 09:30 UTC.
    let early = session("early", utc(9, 29), Some(utc(10, 0)), None);
    let late = session("late", utc(9, 31), Some(utc(10, 0)), None);
    for input in [
        "joined>10:30",
        "joined>10:30:00",
        "joined>2026-11-26T10:30",
        "joined>\"2026-11-26 10:30\"",
        "joined>2026-11-26T09:30Z",
        "joined>2026-11-26T10:30+01:00",
        "joined>2026-11-26T04:30-05:00",
    ] {
        let filter = filter(input);
        assert!(!filter.matches(&early, now()), "{input} keeps 09:29Z");
        assert!(filter.matches(&late, now()), "{input} drops 09:31Z");
    }
    let utc_context = ParseContext::at(TimeZone::UTC, utc(0, 0));
    let in_utc = parse("joined>09:30", &utc_context).unwrap();
    assert!(!in_utc.matches(&early, now()) && in_utc.matches(&late, now()));
    let no_join = ParticipantSessionDetails {
        joined_at: None,
        ..late.clone()
    };
    assert!(!filter("joined>10:30").matches(&no_join, now()));
    assert!(!filter("joined<10:30").matches(&no_join, now()));
}

#[test]
fn an_open_session_counts_as_leaving_now() {
    let open = session("open", utc(9, 0), None, None);
    let gone = session("gone", utc(9, 0), Some(utc(10, 0)), None);
    let after_eleven = filter("left>11:30");
    assert!(after_eleven.matches(&open, now()));
    assert!(!after_eleven.matches(&gone, now()));
    assert!(filter("left<11:30").matches(&gone, now()));
    assert!(!filter("left<11:30").matches(&open, now()));
    assert!(filter("open").matches(&open, now()) && !filter("open").matches(&gone, now()));
    assert!(filter("closed").matches(&gone, now()) && !filter("closed").matches(&open, now()));
}

#[test]
fn live_is_sent_at_top_level_and_checked_as_open_otherwise() {
    let open = session("a", utc(9, 0), None, None);
    let gone = session("b", utc(9, 0), Some(utc(10, 0)), None);
    let top = filter("live:yes");
    assert!(top.matches(&open, now()) && !top.matches(&gone, now()));
    assert!(
        top.matches_local(&gone, now()),
        "the server already applied it"
    );
    let nested = filter("live:yes or role:host");
    assert!(nested.matches_local(&open, now()));
    assert!(!nested.matches_local(&gone, now()));
}

#[test]
fn the_full_filter_applies_the_server_part_and_the_local_part() {
    let filter = filter("user:alice role:host");
    let alice_host = with_roles(row("alice"), &["host"]);
    let alice_user = row("alice");
    let bob_host = with_roles(row("bob"), &["host"]);
    assert!(filter.matches(&alice_host, now()));
    assert!(!filter.matches(&alice_user, now()));
    assert!(!filter.matches(&bob_host, now()));
    assert!(filter.matches_local(&bob_host, now()));
}

#[test]
fn fields_rows_do_not_carry_are_left_to_the_server() {
    let filter = filter("track:screenshare tech:yes");
    assert!(filter.matches(&row("alice"), now()));
    assert_eq!(filter.local, None);
}

#[test]
fn errors_say_what_is_wrong_and_where() {
    let cases: [(&str, usize, &str); 33] = [
        ("dur>", 4, "expected a duration like 5m or 90s after `dur>`"),
        (
            "dur>5x",
            4,
            "expected a duration like 5m or 90s after `dur>`",
        ),
        (
            "role:host dur>=1h30",
            15,
            "expected a duration like 5m or 90s after `dur>=`",
        ),
        ("rol:host", 0, "unknown field `rol`; did you mean `role`?"),
        ("usr:alice", 0, "unknown field `usr`; did you mean `user`?"),
        (
            "x dur>5m Foo:1",
            9,
            "unknown field `Foo`; fields are user, publisher, session",
        ),
        ("user:\"bob", 5, "unclosed quote"),
        ("\"bob \\\"", 0, "unclosed quote"),
        (
            "(user:a",
            0,
            "unbalanced parenthesis: this `(` is never closed",
        ),
        (
            "(a (b)",
            0,
            "unbalanced parenthesis: this `(` is never closed",
        ),
        (
            "user:a)",
            6,
            "unbalanced parenthesis: this `)` has no matching `(`",
        ),
        ("user:a or", 9, "expected a term after `or`"),
        ("a | ", 4, "expected a term after `|`"),
        ("a and or b", 6, "expected a term after `and`"),
        ("or user:a", 0, "`or` needs a term before it"),
        ("!", 1, "expected a term after `!`"),
        ("not", 3, "expected a term after `not`"),
        ("()", 1, "expected a term after `(`"),
        (
            "!track:audio",
            1,
            "Stream can only filter `track:` as a plain AND term",
        ),
        (
            "track:audio or user:a",
            0,
            "Stream can only filter `track:` as a plain AND term",
        ),
        (
            "role:host or tech:no",
            13,
            "Stream can only filter `tech:` as a plain AND term",
        ),
        (
            "tech:yes tech:no",
            9,
            "`tech:no` contradicts `tech:yes`: no row could match",
        ),
        (
            "track:audio track:video",
            12,
            "Stream takes one `track:` term",
        ),
        (
            "dur:5m",
            3,
            "`dur` compares with <, <=, >, >= or =, as in dur>5m",
        ),
        (
            "joined=10:30",
            6,
            "`joined` compares with <, <=, > or >=, as in joined>10:30",
        ),
        ("joined>25:00", 7, "expected a time like 10:30"),
        ("user>a", 4, "`user` takes a value after `:`"),
        ("live:maybe", 5, "expected yes or no after `live:`"),
        ("live:yes,no", 8, "`live` takes a single value"),
        ("user:", 5, "expected a value after `user:`"),
        ("user:a,,b", 7, "expected a value after `user:`"),
        ("=alice", 0, "`=` must follow a field name"),
        (
            "user!=alice",
            4,
            "`!=` is not an operator; negate the term instead: !user:value",
        ),
    ];
    for (input, position, message) in cases {
        let error = error(input);
        assert!(
            error.message.starts_with(message),
            "{input:?}: got {:?}, wanted {message:?}",
            error.message
        );
        assert_eq!(error.position, position, "{input:?}: {}", error.message);
    }
    assert_eq!(
        error("\"\"").message,
        "empty quotes: type the text to look for in user ids"
    );
}

#[test]
fn error_messages_carry_their_position_and_a_caret() {
    let error = error("dur>");
    assert_eq!(
        error.to_string(),
        "expected a duration like 5m or 90s after `dur>` at 4"
    );
    let input = "user:alice rol:host";
    assert_eq!(
        error_render(input),
        "user:alice rol:host\n           ^ unknown field `rol`; did you mean `role`?"
    );
}

fn error_render(input: &str) -> String {
    error(input).render(input)
}

#[test]
fn raw_json_is_validated_as_the_server_validates_it() {
    let input = r#"{"user_id": "a", "roles": "host"}"#;
    let refused = error(input);
    assert_eq!(refused.position, input.find("\"roles\"").unwrap());
    assert!(
        refused
            .message
            .contains("`roles` is not a filterable field")
    );
    let operator = error(r#"{"is_live": {"$in": [true]}}"#);
    assert!(operator.message.contains("`$in`"), "{}", operator.message);
    let broken = error(r#"{"user_id": }"#);
    assert!(
        broken.message.starts_with("invalid JSON"),
        "{}",
        broken.message
    );
    assert_eq!(broken.position, 12);
}

#[test]
fn a_bare_time_is_its_occurrence_after_the_start_of_a_live_call() {
    // 23:30 UTC on the 25th is already the 26th in Paris; 10:30 comes next on the 26th in
    // both zones.
    let start = utc(0, 0) - 30 * 60 * NANOS_PER_SEC;
    let paris = ParseContext::at(TimeZone::get("Europe/Paris").unwrap(), start);
    let at = |ctx: &ParseContext| parse("joined>10:30", ctx).unwrap().times[0].at;
    assert_eq!(at(&paris), utc(9, 30));
    let utc_context = ParseContext::at(TimeZone::UTC, start);
    assert_eq!(at(&utc_context), utc(10, 30));
    // 23:00 UTC comes before the start that day: the next one is meant.
    let late = parse("joined>23:00", &utc_context).unwrap().times[0].at;
    assert_eq!(late, utc(23, 0));
}

#[test]
fn deep_nesting_is_refused_instead_of_exhausting_the_stack() {
    let parentheses = format!("{}a{}", "(".repeat(5000), ")".repeat(5000));
    let refused = error(&parentheses);
    assert_eq!(refused.position, 100);
    assert!(refused.message.starts_with("too deeply nested"));
    assert_eq!(error(&format!("{}a", "!".repeat(5000))).position, 100);
    let hundred = format!("{}a{}", "(".repeat(100), ")".repeat(100));
    assert_eq!(filter(&hundred).local_description().as_deref(), Some("a"));
}

/// Unix ns of an RFC 3339 instant.
fn instant(text: &str) -> Nanos {
    nanos(text.parse::<jiff::Timestamp>().unwrap())
}

/// An ended call from `start` to `end` (RFC 3339), shown in `zone`.
fn ended_call(zone: &str, start: &str, end: &str) -> ParseContext {
    ParseContext::within(TimeZone::get(zone).unwrap(), instant(start), instant(end))
}

fn error_in(input: &str, ctx: &ParseContext) -> String {
    match parse(input, ctx) {
        Ok(filter) => panic!("{input:?} parsed as {filter}"),
        Err(error) => error.message,
    }
}

#[test]
fn a_bare_time_is_found_inside_a_call_across_midnight() {
    // 23:45 → 00:15 in Kathmandu (+05:45).
    let ctx = ended_call(
        "Asia/Kathmandu",
        "2026-05-12T18:00:00Z",
        "2026-05-12T18:30:00Z",
    );
    let filter = parse("left>00:10", &ctx).unwrap();
    assert_eq!(filter.times[0].at, instant("2026-05-12T18:25:00Z"));
    assert_eq!(filter.times[0].note, None);
    let left_at = |at: &str| ParticipantSessionDetails {
        joined_at: Some(instant("2026-05-12T18:00:00Z")),
        left_at: Some(instant(at)),
        ..row(at)
    };
    let rows = [
        left_at("2026-05-12T18:05:00Z"),
        left_at("2026-05-12T18:15:00Z"),
        left_at("2026-05-12T18:30:00Z"),
    ];
    let kept: Vec<&str> = rows
        .iter()
        .filter(|row| filter.matches(*row, now()))
        .map(|row| row.user_id.as_str())
        .collect();
    assert_eq!(kept, ["2026-05-12T18:30:00Z"]);
    // The other half of the call: 23:50 is the first evening's.
    let evening = parse("joined<23:50", &ctx).unwrap();
    assert_eq!(evening.times[0].at, instant("2026-05-12T18:05:00Z"));
}

#[test]
fn a_bare_time_outside_the_window_or_in_it_twice_asks_for_a_date() {
    let morning = ended_call("UTC", "2026-05-12T09:00:00Z", "2026-05-12T10:00:00Z");
    let outside = error_in("joined>08:00", &morning);
    assert!(outside.contains("not inside the call window"), "{outside}");
    assert!(outside.contains("2026-05-12T08:00"), "{outside}");
    // The window's own ends are inside it.
    assert!(parse("joined>=09:00 left<=10:00", &morning).is_ok());
    let long = ended_call("UTC", "2026-05-12T09:00:00Z", "2026-05-13T15:00:00Z");
    let twice = error_in("joined>10:30", &long);
    assert!(twice.contains("more than once"), "{twice}");
    assert!(
        twice.contains("2026-05-12T10:30") && twice.contains("2026-05-13T10:30"),
        "{twice}"
    );
    // A date settles it.
    let dated = parse("joined>2026-05-13T10:30", &long).unwrap();
    assert_eq!(dated.times[0].at, instant("2026-05-13T10:30:00Z"));
}

#[test]
fn a_live_call_reads_bare_times_in_the_day_from_its_start() {
    let start = instant("2026-05-12T09:00:00Z");
    let live = ParseContext::at(TimeZone::UTC, start);
    // 08:00 has passed that day: the next 08:00 is the one in the window.
    let next = parse("joined>08:00", &live).unwrap();
    assert_eq!(next.times[0].at, instant("2026-05-13T08:00:00Z"));
    assert_eq!(
        parse("joined>09:30", &live).unwrap().times[0].at,
        instant("2026-05-12T09:30:00Z")
    );
}

#[test]
fn a_wall_time_the_zone_skips_is_an_error_that_says_so() {
    // Paris skips 02:00-03:00 on 2026-03-29.
    let ctx = ended_call(
        "Europe/Paris",
        "2026-03-28T23:00:00Z",
        "2026-03-29T05:00:00Z",
    );
    let skipped = error_in("joined>02:30", &ctx);
    assert!(
        skipped.contains("does not exist on 2026-03-29"),
        "{skipped}"
    );
    assert!(
        skipped.contains("+01:00") && skipped.contains("+02:00"),
        "{skipped}"
    );
    let dated = error_in("joined>2026-03-29T02:30", &ctx);
    assert!(dated.contains("does not exist"), "{dated}");
    assert!(parse("joined>03:30", &ctx).is_ok());
}

#[test]
fn a_wall_time_the_zone_repeats_takes_the_first_and_an_offset_picks_the_other() {
    // Paris goes through 02:00-03:00 twice on 2026-10-25: at +02:00, then at +01:00.
    let ctx = ended_call(
        "Europe/Paris",
        "2026-10-24T22:00:00Z",
        "2026-10-25T05:00:00Z",
    );
    let first = parse("joined>02:30", &ctx).unwrap();
    assert_eq!(first.times[0].at, instant("2026-10-25T00:30:00Z"));
    let note = first.times[0].note.as_deref().unwrap();
    assert!(
        note.contains("happens twice") && note.contains("02:30+01:00"),
        "{note}"
    );
    let second = parse("joined>02:30+01:00", &ctx).unwrap();
    assert_eq!(second.times[0].at, instant("2026-10-25T01:30:00Z"));
    assert_eq!(second.times[0].note, None);
    let first_again = parse("joined>02:30+02:00", &ctx).unwrap();
    assert_eq!(first_again.times[0].at, instant("2026-10-25T00:30:00Z"));
    // At an offset the zone never has, it is still that wall time at that offset.
    let elsewhere = parse("joined>03:30+05:00", &ctx).unwrap();
    assert_eq!(elsewhere.times[0].at, instant("2026-10-24T22:30:00Z"));
    let dated = parse("joined>2026-10-25T02:30", &ctx).unwrap();
    assert_eq!(dated.times[0].at, instant("2026-10-25T00:30:00Z"));
    assert!(dated.times[0].note.is_some());
    // 04:30Z is a UTC time of day.
    let utc = parse("joined>04:30Z", &ctx).unwrap();
    assert_eq!(utc.times[0].at, instant("2026-10-25T04:30:00Z"));
}

#[test]
fn a_filter_shows_how_it_was_grouped() {
    let grouped = |input: &str| filter(input).grouped;
    assert_eq!(
        grouped("role:host or dur>10m !bot"),
        "role:host or (dur>10m !bot)"
    );
    assert_eq!(grouped("a b or c"), "(a b) or c");
    assert_eq!(grouped("a (b or c)"), "a (b or c)");
    assert_eq!(grouped("!a b"), "!a b");
    assert_eq!(grouped("!(a b) or c"), "!(a b) or c");
    assert_eq!(grouped("user:alice"), "user:alice");
    // What it keeps: a host who is a bot, or a long session that is not a bot.
    let host_bot = with_roles(row("recorder-bot"), &["host"]);
    let long_bot = row("other-bot");
    let filter = filter("role:host or dur>10m !bot");
    assert!(filter.matches(&host_bot, now()));
    assert!(!filter.matches(&long_bot, now()));
}

#[test]
fn state_and_member_are_terms_on_a_person_that_rows_never_see() {
    use headcount::attendance::State;
    // Read per person (the Expected view), never sent to Stream, never applied to rows.
    for (input, canonical) in [
        ("state:absent", "state:absent"),
        ("STATE:Absent,missed", "state:absent,missed"),
        ("state:not_member", "state:not-member"),
        ("state:absent,absent", "state:absent"),
        ("member:no", "member:no"),
        ("member=yes", "member:yes"),
        ("member:true", "member:yes"),
        ("!member:yes role:host", "!member:yes role:host"),
    ] {
        let parsed = filter(input);
        assert!(
            parsed.server_json().is_none(),
            "{input}: nothing for Stream"
        );
        assert!(parsed.has_person_terms(), "{input}");
        assert_eq!(parsed.to_string(), canonical, "{input}");
        let again = filter(canonical);
        assert_eq!(
            (again.person, again.local),
            (parsed.person.clone(), parsed.local.clone()),
            "{input}: the canonical text reads back"
        );
        assert!(!parsed.is_empty(), "{input}: a filter is in force");
    }
    // The rows' part is the filter without them: every row passes a person's term alone, and
    // the rest of the filter still applies, under `!` and in `or` too.
    let users = ["alice", "bob"];
    assert_eq!(kept("state:absent", &users), users);
    assert_eq!(kept("!state:absent", &users), users);
    assert_eq!(kept("state:absent alice", &users), ["alice"]);
    assert_eq!(kept("member:no or bob", &users), ["bob"]);
    assert_eq!(kept("!(member:yes bob)", &users), ["alice"]);
    assert!(filter("state:present").local.is_none());
    assert_eq!(
        filter("state:present dur>5m")
            .local_description()
            .as_deref(),
        Some("state:present dur>5m"),
        "the bar describes the whole local part"
    );
    assert_eq!(
        filter("state:present dur>5m").local.unwrap().to_string(),
        "dur>5m"
    );
    // Each state by its export name.
    for state in State::ALL {
        let parsed = filter(&format!("state:{}", state.name()));
        assert_eq!(parsed.to_string(), format!("state:{}", state.name()));
    }
}

#[test]
fn a_misspelt_state_or_member_value_is_an_error_that_lists_the_choices() {
    assert_eq!(
        error_render("state:absnt"),
        "state:absnt\n      ^ unknown state `absnt`; the states are present, partial, absent, \
         rejected, missed, not-member, unknown"
    );
    assert_eq!(
        error_render("member:maybe"),
        "member:maybe\n       ^ expected yes or no after `member:`"
    );
    assert!(error_render("member:yes,no").contains("`member` takes a single value"));
    assert!(error_render("state>absent").contains("`state` takes a value after `:`"));
    assert!(error_render("stat:absent").contains("did you mean `state`?"));
}

/// Stream's filter is exact: a publisher type it does not have would match nothing, so a
/// filter read before any row (the command line's) refuses it, names the ones there are and
/// says how to send a type Stream added since: the JSON form, which Stream itself validates.
#[test]
fn a_publisher_type_stream_does_not_have_is_an_error_that_lists_them() {
    assert_eq!(
        error_render("publisher:rtmpp"),
        "publisher:rtmpp\n          ^ `rtmpp` is not a publisher type: Stream's are webrtc, rtmp, \
         srt, whip (a type Stream added since goes in the JSON form: \
         {\"publisher_type\":\"rtmpp\"}); did you mean `rtmp`?"
    );
    assert!(
        error_render("user:bob publisher_type:webrtc,WebRTC")
            .contains("`WebRTC` is not a publisher type: Stream's are webrtc, rtmp, srt, whip (")
    );
    assert!(
        error_render("user:bob publisher_type:webrtc,WebRTC").ends_with("did you mean `webrtc`?")
    );
    assert!(error_render("publisher:zzzzzz").ends_with(
        "Stream's are webrtc, rtmp, srt, whip (a type Stream added since goes in the JSON \
         form: {\"publisher_type\":\"zzzzzz\"})"
    ));
    for known in ["webrtc", "rtmp", "whip", "srt", "webrtc,srt"] {
        let parsed = filter(&format!("publisher:{known}"));
        assert!(parsed.server_json().is_some(), "{known}");
    }
    let json = filter(r#"{"publisher_type": "sip"}"#);
    assert_eq!(
        json.server_json(),
        Some(serde_json::json!({"publisher_type": {"$eq": "sip"}}))
    );
}
