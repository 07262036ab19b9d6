//! Text that comes from elsewhere (user ids, roles, publisher types and error messages from the
//! server, a paste) made safe to write to a terminal.
//!
//! A terminal runs what it reads: an ESC starts a control sequence (colours, cursor moves, a
//! window title, a clipboard write), C1 controls do the same in one byte on some terminals, and
//! the Unicode bidirectional controls reorder what follows them on screen, so that the text
//! shown is not the text held (the "Trojan Source" attack, CVE-2021-42574). Such characters
//! are shown as visible escapes instead. CSV, JSON and NDJSON are data, not terminal output:
//! they keep every character exactly; JSON printed for scripts writes the controls as JSON's
//! own `\uXXXX` escapes ([`json_pretty`]), which keep the value exactly.

use std::borrow::Cow;
use std::fmt::Write;

/// Whether a character would control the terminal rather than be shown: the C0 controls
/// (U+0000–U+001F), DEL (U+007F), the C1 controls (U+0080–U+009F), and the characters of
/// Unicode's `Bidi_Control` property (U+061C, U+200E, U+200F, the embeddings and overrides
/// U+202A–U+202E, the isolates U+2066–U+2069; Unicode PropList.txt).
pub(crate) fn is_terminal_control(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
        )
}

/// `text` with every [`is_terminal_control`] character replaced by a visible escape: `\t`,
/// `\n`, `\r`, `\x1b` for C0 and DEL, `\u{9b}` or `\u{202e}` for the others. Everything else,
/// ordinary Unicode included, is kept; text without controls is returned as is.
pub(crate) fn terminal_safe(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_terminal_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c if c <= '\u{7f}' && is_terminal_control(c) => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if is_terminal_control(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `value` as indented JSON, with every [`is_terminal_control`] character that serde_json
/// writes raw (DEL, the C1 controls, the bidi controls) written as a `\uXXXX` escape instead.
///
/// The JSON value is the same (RFC 8259 §7: any character may be escaped), so a script reads
/// back the id Stream sent; the text is safe to print to a terminal. serde_json escapes the C0
/// controls inside strings itself, so every raw C0 character left in its output is the
/// indentation's own line end.
///
/// # Errors
/// Those of [`serde_json::to_string_pretty`] (a map with non-string keys).
pub(crate) fn json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    let json = serde_json::to_string_pretty(value)?;
    let raw = |c: char| c >= '\u{7f}' && is_terminal_control(c);
    if !json.chars().any(raw) {
        return Ok(json);
    }
    let mut out = String::with_capacity(json.len() + 16);
    for c in json.chars() {
        if raw(c) {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        } else {
            out.push(c);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_writes_the_controls_serde_json_leaves_raw_as_escapes_and_keeps_the_value() {
        let hostile = "m\u{1b}]0;t\u{7}\u{7f}\u{85}\u{9b}\u{202e}\u{2066}\u{61c}\u{200f}é😀\n";
        let value = serde_json::json!({ "user_id": hostile, "n": [1, 2] });
        let text = json_pretty(&value).unwrap();
        assert!(
            !text.chars().any(|c| c != '\n' && is_terminal_control(c)),
            "{text:?}"
        );
        assert!(
            text.contains(r#""m\u001b]0;t\u0007\u007f\u0085\u009b\u202e\u2066\u061c\u200fé😀\n""#),
            "{text}"
        );
        let back: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back, value, "the same value after parsing");
        let plain = serde_json::json!({ "user_id": "ünïcode ok" });
        assert_eq!(
            json_pretty(&plain).unwrap(),
            serde_json::to_string_pretty(&plain).unwrap()
        );
    }

    #[test]
    fn every_class_of_control_is_escaped_and_ordinary_text_is_kept() {
        let cases = [
            // C0, with the usual short forms for tab and line ends
            ("a\u{0}b", "a\\x00b"),
            ("\u{1b}[31mred\u{1b}[0m", "\\x1b[31mred\\x1b[0m"),
            (
                "\u{1b}]52;c;cGF5bG9hZA==\u{7}",
                "\\x1b]52;c;cGF5bG9hZA==\\x07",
            ),
            ("tab\there", "tab\\there"),
            ("two\nlines\r", "two\\nlines\\r"),
            ("\u{1f}", "\\x1f"),
            // DEL
            ("back\u{7f}", "back\\x7f"),
            // C1: CSI and OSC in one byte, NEL
            ("\u{9b}31m", "\\u{9b}31m"),
            ("\u{9d}0;title\u{9c}", "\\u{9d}0;title\\u{9c}"),
            ("\u{80}\u{85}\u{9f}", "\\u{80}\\u{85}\\u{9f}"),
            // bidirectional embeddings, overrides and isolates
            ("user\u{202e}gnp.exe", "user\\u{202e}gnp.exe"),
            (
                "\u{202a}\u{202b}\u{202c}\u{202d}",
                "\\u{202a}\\u{202b}\\u{202c}\\u{202d}",
            ),
            (
                "\u{2066}x\u{2067}y\u{2068}z\u{2069}",
                "\\u{2066}x\\u{2067}y\\u{2068}z\\u{2069}",
            ),
            // bidirectional marks
            ("\u{200e}\u{200f}\u{61c}", "\\u{200e}\\u{200f}\\u{61c}"),
        ];
        for (raw, shown) in cases {
            assert_eq!(terminal_safe(raw), shown, "{raw:?}");
        }
    }

    #[test]
    fn ordinary_unicode_is_untouched_and_not_copied() {
        for text in [
            "",
            "alice-chen",
            "zoë 山田 مرحبا שלום",
            "👩🏽‍💻 e\u{301} \u{200d}",
            "\u{a0}non-breaking\u{2028}",
            "back\\slash \\x1b literally",
        ] {
            assert!(
                matches!(terminal_safe(text), Cow::Borrowed(kept) if kept == text),
                "{text:?}"
            );
        }
    }
}
