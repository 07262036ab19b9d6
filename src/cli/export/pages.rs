//! `export --format pages`: the pages of a read exactly as Stream sent them, in the file
//! `headcount sim --from FILE` serves (see `sim::replay` for its layout).
//!
//! Pages are written as they arrive, each under the cursor it was asked for with (the first
//! under `""`), so memory stays flat. A page asked for again from the same cursor (a hiccup)
//! replaces the copy before it, which is held back one page for that; a cursor met again later
//! (a fresh start after an expired cursor) keeps its first page.

use std::collections::HashSet;
use std::io::{self, Write};

use serde::Deserialize;
use serde_json::{Value, json};

use crate::attendance::ServerTotals;
use crate::sim::PAGES_VERSION;

/// What a pages file says about the read before its pages.
pub(crate) struct PagesHeader<'a> {
    pub(crate) call_type: &'a str,
    pub(crate) call_id: &'a str,
    pub(crate) call_session_id: &'a str,
    pub(crate) filter_conditions: Option<&'a Value>,
    /// GetCall's `call`, as sent.
    pub(crate) call: Option<Value>,
}

/// Writes one pages file to `W`.
pub(crate) struct PagesWriter<W: Write> {
    out: W,
    written: HashSet<String>,
    held: Option<(String, Vec<u8>)>,
    /// The `session` object of the last page that had one, as sent.
    session: Option<Value>,
    pages: u64,
}

#[derive(Deserialize)]
struct SessionOf {
    #[serde(default)]
    session: Option<Value>,
}

impl<W: Write> PagesWriter<W> {
    pub(crate) fn new(mut out: W, header: PagesHeader) -> io::Result<Self> {
        let head = json!({
            "headcount_pages": PAGES_VERSION,
            "call_type": header.call_type,
            "call_id": header.call_id,
            "call_session_id": header.call_session_id,
            "filter_conditions": header.filter_conditions,
            "call": header.call,
        });
        let head = serde_json::to_string(&head)?;
        // The header's closing brace gives way to the pages.
        out.write_all(&head.as_bytes()[..head.len() - 1])?;
        out.write_all(b",\n\"pages\": {")?;
        Ok(PagesWriter {
            out,
            written: HashSet::new(),
            held: None,
            session: None,
            pages: 0,
        })
    }

    /// Takes the page asked for with `cursor`, as received.
    pub(crate) fn page(&mut self, cursor: Option<&str>, body: &[u8]) -> io::Result<()> {
        let key = cursor.unwrap_or_default().to_owned();
        if let Ok(SessionOf {
            session: Some(session),
        }) = serde_json::from_slice(body)
        {
            self.session = Some(session);
        }
        match &self.held {
            Some((held, _)) if *held == key => {}
            _ if self.written.contains(&key) => return Ok(()),
            _ => self.flush_held()?,
        }
        self.held = Some((key, body.to_vec()));
        Ok(())
    }

    /// Ends the file with the session object and the totals; hands back the writer.
    pub(crate) fn finish(mut self, totals: ServerTotals) -> io::Result<(W, u64)> {
        self.flush_held()?;
        let tail = json!({
            "session": self.session,
            "totals": {
                "total_participant_sessions": totals.participant_sessions,
                "total_participant_duration": totals.participant_duration_seconds,
            },
        });
        let tail = serde_json::to_string(&tail)?;
        self.out.write_all(b"\n},\n")?;
        // The tail's opening brace was the file's.
        self.out.write_all(&tail.as_bytes()[1..])?;
        self.out.write_all(b"\n")?;
        self.out.flush()?;
        Ok((self.out, self.pages))
    }

    fn flush_held(&mut self) -> io::Result<()> {
        let Some((key, body)) = self.held.take() else {
            return Ok(());
        };
        let separator: &[u8] = if self.pages == 0 { b"\n" } else { b",\n" };
        self.out.write_all(separator)?;
        serde_json::to_writer(&mut self.out, &key)?;
        self.out.write_all(b": ")?;
        self.out.write_all(body.trim_ascii())?;
        self.written.insert(key);
        self.pages += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(user: &str, next: Option<&str>) -> Vec<u8> {
        let mut page = json!({"call_type": "default", "participants_sessions": [{"user_id": user}],
                              "session": {"id": "s", "note": user}});
        if let Some(next) = next {
            page["next"] = json!(next);
        }
        serde_json::to_vec(&page).unwrap()
    }

    #[test]
    fn a_pages_file_holds_each_page_once_under_its_cursor() {
        let header = PagesHeader {
            call_type: "default",
            call_id: "c",
            call_session_id: "s",
            filter_conditions: None,
            call: None,
        };
        let mut writer = PagesWriter::new(Vec::new(), header).unwrap();
        writer.page(None, &page("a", Some("p2"))).unwrap();
        writer.page(Some("p2"), &page("stale", Some("p3"))).unwrap();
        writer.page(Some("p2"), &page("b", Some("p3"))).unwrap();
        writer.page(Some("p3"), &page("c", None)).unwrap();
        writer.page(None, &page("again", Some("p2"))).unwrap();
        let totals = ServerTotals {
            participant_sessions: Some(3),
            participant_duration_seconds: Some(4800),
        };
        let (bytes, pages) = writer.finish(totals).unwrap();
        assert_eq!(pages, 3);
        let file: Value = serde_json::from_slice(&bytes).unwrap();
        assert_eq!(file["headcount_pages"], 1);
        assert_eq!(
            file["pages"][""]["participants_sessions"][0]["user_id"],
            "a"
        );
        assert_eq!(
            file["pages"]["p2"]["participants_sessions"][0]["user_id"],
            "b"
        );
        assert_eq!(
            file["pages"]["p3"]["participants_sessions"][0]["user_id"],
            "c"
        );
        assert_eq!(file["totals"]["total_participant_duration"], 4800);
        assert_eq!(file["session"]["note"], "again");
    }
}
