//! `--hostile-text`: participant sessions whose ids, roles and publisher types carry what a
//! careless or malicious integrator can put there (Stream stores any string): terminal control
//! sequences, bidirectional overrides, spreadsheet formulas. Clients must show them as data.
//!
//! The values are disguised as rows are written, the same way for the same value on every page;
//! `filter_conditions` still match the plain values.

use serde_json::Value;

/// Disguises some of the row's `user_id`, `roles` and `publisher_type`.
pub(crate) fn disguise(row: &mut Value) {
    if let Some(Value::String(user)) = row.get_mut("user_id") {
        *user = user_id(user);
    }
    if let Some(Value::String(publisher)) = row.get_mut("publisher_type") {
        *publisher = publisher_type(publisher);
    }
    if let Some(Value::Array(roles)) = row.get_mut("roles") {
        for role in roles {
            if let Value::String(name) = role {
                *name = role_name(name);
            }
        }
    }
}

/// One user in two keeps a plain id; the others get one kind of hostile text each.
fn user_id(id: &str) -> String {
    match fnv1a(id) % 14 {
        0 => format!("\u{1b}[31m{id}\u{1b}[0m"),
        1 => format!("{id}\u{1b}]0;owned\u{7}"),
        2 => format!("{id}\u{202e}vsc.exe"),
        3 => format!("=HYPERLINK(\"https://example.invalid/?{id}\",\"{id}\")"),
        4 => format!("+{id}"),
        5 => format!("-{id}"),
        6 => format!("@{id}"),
        _ => id.to_owned(),
    }
}

fn role_name(role: &str) -> String {
    match role {
        "host" => "host\u{1b}[2J\u{1b}[H".to_owned(),
        "admin" => "=1+1".to_owned(),
        "viewer" => "viewer\u{9b}5m".to_owned(),
        other => other.to_owned(),
    }
}

fn publisher_type(publisher: &str) -> String {
    match publisher {
        "rtmp" => "rtmp\u{1b}]52;c;b3duZWQ=\u{7}".to_owned(),
        "srt" => "\u{2067}srt\u{2069}".to_owned(),
        "whip" => "\twhip".to_owned(),
        other => other.to_owned(),
    }
}

/// FNV-1a: a fixed choice per value, the same in every process.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_same_value_is_disguised_the_same_way_and_plain_ones_remain() {
        let ids: Vec<String> = (0..200).map(|n| format!("user-{n}")).collect();
        let disguised: Vec<String> = ids.iter().map(|id| user_id(id)).collect();
        assert_eq!(
            disguised,
            ids.iter().map(|id| user_id(id)).collect::<Vec<_>>()
        );
        let changed = ids.iter().zip(&disguised).filter(|(a, b)| a != b).count();
        assert!((50..150).contains(&changed), "{changed} of 200 changed");
        for kind in ["\u{1b}[31m", "\u{202e}", "=HYPERLINK", "\u{7}"] {
            assert!(disguised.iter().any(|id| id.contains(kind)), "{kind:?}");
        }
    }

    #[test]
    fn a_row_gets_hostile_roles_and_publisher_type() {
        let mut row = json!({
            "user_id": "x",
            "publisher_type": "rtmp",
            "roles": ["host", "user"],
        });
        disguise(&mut row);
        assert_eq!(row["roles"], json!(["host\u{1b}[2J\u{1b}[H", "user"]));
        assert!(
            row["publisher_type"]
                .as_str()
                .unwrap()
                .contains("\u{1b}]52")
        );
    }
}
