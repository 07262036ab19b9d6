//! The cells of every export and how they are written: one record per participant session or
//! per user (its columns are declared in `columns.rs`), with times in UTC and in the display
//! zone side by side and durations in seconds.
//!
//! The dashboard's CSV and `headcount export` both build their rows from the same columns, so
//! a column means the same thing wherever it is read. Cells keep their type so that JSON gets numbers, booleans
//! and nulls while CSV gets text, and JSON keys keep the column order.
//!
//! A cell also says whether its text came from the server: a spreadsheet opening a CSV runs a
//! cell such as `=HYPERLINK(...)` as a formula, so such text is neutralised in CSV
//! ([`neutralise_formula`]) unless raw cells are asked for. JSON keeps every value exactly.

use std::borrow::Cow;

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::problems::{Problems, RowProblem};
use super::row::RowId;
use super::store::SessionStore;

/// One value of a record.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Cell {
    /// Text headcount writes itself: an instant, the zone's name.
    Text(String),
    /// Text exactly as the server sent it: a user id, a user session id, a publisher type.
    Server(String),
    Int(i64),
    /// A percentage in tenths (667 is 66.7 %), written with one decimal.
    Percent(u16),
    Bool(bool),
    /// Values from the server (roles).
    List(Vec<String>),
    /// Named lists: a JSON object of arrays, `name:a b;name:c` in CSV.
    Groups(Vec<(String, Vec<String>)>),
    /// Absent: an empty CSV field, a JSON null.
    Empty,
}

/// How the server's text is written into CSV cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) enum CsvCells {
    /// A cell a spreadsheet would run as a formula is neutralised ([`neutralise_formula`]).
    #[default]
    Neutralised,
    /// Every cell exactly as the server sent it (`--csv-raw`).
    Raw,
}

impl Cell {
    /// The CSV field; lists are space-separated, as roles never contain spaces.
    pub(crate) fn to_csv_field(&self, cells: CsvCells) -> String {
        let server = |text: String| match cells {
            CsvCells::Neutralised => neutralise_formula(&text).into_owned(),
            CsvCells::Raw => text,
        };
        match self {
            Cell::Text(text) => text.clone(),
            Cell::Server(text) => server(text.clone()),
            Cell::Int(n) => n.to_string(),
            Cell::Percent(tenths) => format!("{}.{}", tenths / 10, tenths % 10),
            Cell::Bool(flag) => flag.to_string(),
            Cell::List(items) => server(items.join(" ")),
            Cell::Groups(groups) => server(
                groups
                    .iter()
                    .map(|(name, items)| format!("{name}:{}", items.join(" ")))
                    .collect::<Vec<_>>()
                    .join(";"),
            ),
            Cell::Empty => String::new(),
        }
    }
}

/// `text` as a spreadsheet will show it rather than run it: a cell starting with `=`, `+`, `-`,
/// `@`, a tab or a carriage return gets a leading `'` (OWASP, "CSV Injection"), which
/// spreadsheets take as "text follows" and do not display. Other text is returned as is.
pub(crate) fn neutralise_formula(text: &str) -> Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        Cow::Owned(format!("'{text}"))
    } else {
        Cow::Borrowed(text)
    }
}

/// `{kind: [user_session_id, …]}` for the rows given, kinds in their usual order.
pub(crate) fn problem_groups(store: &SessionStore, problem_rows: &[(RowId, Problems)]) -> Cell {
    let groups = problem_ids(store, problem_rows)
        .into_iter()
        .map(|(problem, ids)| (problem.name().to_owned(), ids))
        .collect();
    Cell::Groups(groups)
}

/// The `user_session_id`s of the rows given, under each kind of problem they have, kinds in
/// their usual order (a row with two problems is under both).
pub(crate) fn problem_ids(
    store: &SessionStore,
    problem_rows: &[(RowId, Problems)],
) -> Vec<(RowProblem, Vec<String>)> {
    RowProblem::ALL
        .into_iter()
        .filter_map(|problem| {
            let ids: Vec<String> = problem_rows
                .iter()
                .filter(|(_, problems)| problems.contains(problem))
                .filter_map(|&(id, _)| store.get(id))
                .map(|row| row.user_session_id().to_string())
                .collect();
            (!ids.is_empty()).then_some((problem, ids))
        })
        .collect()
}

/// A record as CSV fields.
pub(crate) fn csv_fields(record: &[Cell], cells: CsvCells) -> impl Iterator<Item = String> + '_ {
    record.iter().map(move |cell| cell.to_csv_field(cells))
}

/// A record as one JSON object keyed by the headers, in header order, serialized without
/// building an intermediate value.
#[derive(Debug, Clone, Copy)]
pub(crate) struct JsonRecord<'a> {
    pub(crate) headers: &'a [String],
    pub(crate) cells: &'a [Cell],
}

impl Serialize for JsonRecord<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.cells.len()))?;
        for (header, cell) in self.headers.iter().zip(self.cells) {
            map.serialize_entry(header, cell)?;
        }
        map.end()
    }
}

impl Serialize for Cell {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Cell::Text(text) | Cell::Server(text) => serializer.serialize_str(text),
            Cell::Int(n) => serializer.serialize_i64(*n),
            Cell::Percent(tenths) => serializer.serialize_f64(f64::from(*tenths) / 10.0),
            Cell::Bool(flag) => serializer.serialize_bool(*flag),
            Cell::List(items) => items.serialize(serializer),
            Cell::Groups(groups) => {
                let mut map = serializer.serialize_map(Some(groups.len()))?;
                for (name, items) in groups {
                    map.serialize_entry(name, items)?;
                }
                map.end()
            }
            Cell::Empty => serializer.serialize_none(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::super::columns::{
        UserLine, session_headers, session_record, user_headers, user_record,
    };
    use super::super::fixtures::{MIN, T0, all_rows, closed, ended_call};
    use super::super::thresholds::Thresholds;
    use super::super::users::user_figures;
    use super::super::zone::DisplayZone;
    use super::*;
    use crate::api::models::ParticipantSessionDetails;
    use crate::api::timestamp::{NANOS_PER_SEC, Nanos};

    // 2026-11-26T14:03:21Z
    const AT: Nanos = 1_795_701_801 * NANOS_PER_SEC;

    fn as_json(headers: &[String], cells: &[Cell]) -> Value {
        serde_json::to_value(JsonRecord { headers, cells }).unwrap()
    }

    #[test]
    fn json_keys_keep_the_header_order() {
        let headers = ["b".to_owned(), "a".to_owned()];
        let cells = [Cell::Int(1), Cell::Empty];
        let text = serde_json::to_string(&JsonRecord {
            headers: &headers,
            cells: &cells,
        })
        .unwrap();
        assert_eq!(text, r#"{"b":1,"a":null}"#);
    }

    fn paris() -> DisplayZone {
        DisplayZone::parse("Europe/Paris").unwrap()
    }

    fn row(left_at: Option<Nanos>, duration: Option<i64>) -> ParticipantSessionDetails {
        ParticipantSessionDetails {
            user_id: "alice".into(),
            user_session_id: "a-1".into(),
            publisher_type: "webrtc".into(),
            roles: vec!["host".into(), "user".into()],
            joined_at: Some(AT),
            left_at,
            duration_in_seconds: duration,
        }
    }

    #[test]
    fn a_session_reads_in_utc_and_in_the_zone_side_by_side() {
        let zone = paris();
        let headers = session_headers();
        let record = session_record(
            &zone,
            &row(Some(AT + 90 * NANOS_PER_SEC), Some(90)),
            Problems::NONE,
            AT,
        );
        let fields: Vec<String> = csv_fields(&record, CsvCells::Neutralised).collect();
        assert_eq!(
            headers.join(","),
            "user_id,user_session_id,joined_utc,joined_local,left_utc,left_local,\
             duration_seconds,publisher_type,roles,problems,zone"
        );
        assert_eq!(
            fields,
            [
                "alice",
                "a-1",
                "2026-11-26T14:03:21Z",
                "2026-11-26T15:03:21+01:00",
                "2026-11-26T14:04:51Z",
                "2026-11-26T15:04:51+01:00",
                "90",
                "webrtc",
                "host user",
                "",
                "Europe/Paris"
            ]
        );
    }

    #[test]
    fn json_keeps_types_and_an_open_session_has_no_leave() {
        let zone = DisplayZone::utc();
        let headers = session_headers();
        let record = session_record(
            &zone,
            &row(None, None),
            Problems::NONE,
            AT + 30 * NANOS_PER_SEC,
        );
        let object = as_json(&headers, &record);
        assert_eq!(object["left_utc"], Value::Null);
        assert_eq!(object["duration_seconds"], json!(30));
        assert_eq!(object["roles"], json!(["host", "user"]));
        assert_eq!(object["joined_local"], json!("2026-11-26T14:03:21+00:00"));
        assert_eq!(object["zone"], json!("UTC"));
        assert_eq!(
            csv_fields(&record, CsvCells::Neutralised).nth(4).as_deref(),
            Some(""),
            "an open session's leave is an empty CSV field"
        );
    }

    #[test]
    fn cells_a_spreadsheet_would_run_are_neutralised_by_the_owasp_rule() {
        for (raw, written) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("alice", "alice"),
            ("a=b", "a=b"),
            (" =1", " =1"),
            ("", ""),
        ] {
            assert_eq!(neutralise_formula(raw), written, "{raw:?}");
        }
    }

    #[test]
    fn only_the_servers_text_is_neutralised_and_raw_keeps_it() {
        let record = [
            Cell::Server("=cmd".into()),
            Cell::List(vec!["-admin".into(), "user".into()]),
            Cell::Int(-5),
            Cell::Text("-05:00".into()),
        ];
        let neutralised: Vec<String> = csv_fields(&record, CsvCells::Neutralised).collect();
        assert_eq!(neutralised, ["'=cmd", "'-admin user", "-5", "-05:00"]);
        let raw: Vec<String> = csv_fields(&record, CsvCells::Raw).collect();
        assert_eq!(raw, ["=cmd", "-admin user", "-5", "-05:00"]);
        let json = serde_json::to_value(JsonRecord {
            headers: &["a".into(), "b".into(), "c".into(), "d".into()],
            cells: &record,
        })
        .unwrap();
        assert_eq!(
            json,
            json!({"a": "=cmd", "b": ["-admin", "user"], "c": -5, "d": "-05:00"})
        );
    }

    #[test]
    fn percentages_have_one_decimal_in_both_formats() {
        let csv = |cell: &Cell| cell.to_csv_field(CsvCells::Neutralised);
        let cell = Cell::Percent(667);
        assert_eq!(csv(&cell), "66.7");
        assert_eq!(serde_json::to_value(&cell).unwrap(), json!(66.7));
        assert_eq!(csv(&Cell::Percent(1000)), "100.0");
        assert_eq!(csv(&Cell::Percent(5)), "0.5");
        assert_eq!(csv(&Cell::Empty), "");
    }

    #[test]
    fn named_lists_are_an_object_in_json_and_one_field_in_csv() {
        let cell = Cell::Groups(vec![
            ("leave_not_recorded".into(), vec!["e-2".into()]),
            ("negative_duration".into(), vec!["j-2".into(), "j-4".into()]),
        ]);
        assert_eq!(
            cell.to_csv_field(CsvCells::Neutralised),
            "leave_not_recorded:e-2;negative_duration:j-2 j-4"
        );
        assert_eq!(
            serde_json::to_value(&cell).unwrap(),
            json!({"leave_not_recorded": ["e-2"], "negative_duration": ["j-2", "j-4"]})
        );
        assert_eq!(
            Cell::Groups(Vec::new()).to_csv_field(CsvCells::Neutralised),
            ""
        );
    }

    #[test]
    fn user_headers_name_every_per_user_figure_once() {
        let headers = user_headers();
        let unique: std::collections::HashSet<&String> = headers.iter().collect();
        assert_eq!(unique.len(), headers.len());
        for figure in [
            "sessions",
            "connected_seconds",
            "attended_seconds",
            "first_join_utc",
            "last_leave_local",
            "zone",
            "span_seconds",
            "attendance_percent",
            "late",
            "left_early",
            "reconnects",
            "multi_device",
            "in_call_now",
            "window_seconds",
            "data_quality",
        ] {
            assert!(headers.iter().any(|h| h == figure), "{figure} missing");
        }
    }

    #[test]
    fn a_user_record_holds_the_engine_figures() {
        let store = ended_call(vec![
            closed("bob", "b-phone", 10 * MIN, 30 * MIN),
            closed("bob", "b-laptop", 20 * MIN, 40 * MIN),
        ]);
        let zone = DisplayZone::utc();
        let figures = user_figures(
            &store,
            &all_rows(&store),
            T0 + 90 * MIN,
            &Thresholds::default(),
        );
        let window = store.window(T0 + 90 * MIN);
        let rows = all_rows(&store);
        let record = user_record(&UserLine {
            figures: &figures[0],
            store: &store,
            rows: &rows,
            zone: &zone,
            window,
            now: T0 + 90 * MIN,
        });
        let object = as_json(&user_headers(), &record);
        assert_eq!(object["user_id"], "bob");
        assert_eq!(object["sessions"], 2);
        assert_eq!(object["connected_seconds"], json!(40 * 60));
        assert_eq!(object["attended_seconds"], json!(30 * 60));
        assert_eq!(object["span_seconds"], json!(30 * 60));
        assert_eq!(object["attendance_percent"], json!(50.0));
        assert_eq!(object["window_seconds"], json!(3600));
        assert_eq!(object["data_quality"], json!({}));
        assert_eq!(object["first_join_utc"], "2025-10-09T09:03:20Z");
        assert_eq!(object["late"], true);
        assert_eq!(object["left_early"], true);
        assert_eq!(object["multi_device"], true);
        assert_eq!(object["in_call_now"], false);
    }
}
