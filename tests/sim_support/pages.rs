//! Crafted call sessions served page for page by `headcount sim --from FILE`: the pages a test
//! wants, in the file `export --format pages` writes.

#![allow(dead_code)]

use headcount::sim::SimConfig;
use serde_json::{Value, json};

use super::Harness;

/// 2026-05-12T09:00:00Z, in Unix ns.
pub const T0: i64 = 1_778_576_400_000_000_000;
pub const MINUTE: i64 = 60_000_000_000;
pub const CALL_ID: &str = "crafted";
pub const SESSION: &str = "c0ffee00-0000-4000-8000-000000000001";

/// A closed row: joined and left in minutes after `T0`, its duration from them.
pub fn row(user: &str, id: &str, joined: i64, left: i64) -> Value {
    json!({
        "user_id": user,
        "user_session_id": id,
        "publisher_type": "webrtc",
        "roles": ["user"],
        "joined_at": T0 + joined * MINUTE,
        "left_at": T0 + left * MINUTE,
        "duration_in_seconds": (left - joined) * 60,
    })
}

/// A session of one hour (`T0` → `T0 + 60 min`) served as `pages`, in order, with the totals
/// Stream would report on every page.
pub struct Crafted {
    pub pages: Vec<Vec<Value>>,
    pub total_sessions: i64,
    pub total_duration: i64,
}

impl Crafted {
    /// The pages file: page `n` under the cursor `page-n` (the first under `""`), each but the
    /// last pointing to the next.
    pub fn file(&self) -> String {
        self.file_of(T0, T0 + 60 * MINUTE)
    }

    /// The pages file of a session from `started_at` to `ended_at` (Unix ns).
    pub fn file_of(&self, started_at: i64, ended_at: i64) -> String {
        let session = json!({
            "id": SESSION,
            "started_at": started_at,
            "ended_at": ended_at,
            "participants": [],
            "participants_count_by_role": {},
            "anonymous_participant_count": 0,
            "accepted_by": {}, "rejected_by": {}, "missed_by": {},
        });
        let count = self.pages.len();
        let mut pages = serde_json::Map::new();
        for (n, rows) in self.pages.iter().enumerate() {
            let mut page = json!({
                "call_type": "default",
                "call_id": CALL_ID,
                "call_session_id": SESSION,
                "duration": 3,
                "total_participant_sessions": self.total_sessions,
                "total_participant_duration": self.total_duration,
                "participants_sessions": rows,
                "session": session,
            });
            if n + 1 < count {
                page["next"] = json!(format!("page-{}", n + 1));
            }
            let key = if n == 0 {
                String::new()
            } else {
                format!("page-{n}")
            };
            pages.insert(key, page);
        }
        json!({
            "headcount_pages": 1,
            "call_type": "default",
            "call_id": CALL_ID,
            "call_session_id": SESSION,
            "filter_conditions": null,
            "call": null,
            "pages": pages,
            "session": session,
            "totals": {
                "total_participant_sessions": self.total_sessions,
                "total_participant_duration": self.total_duration,
            },
        })
        .to_string()
    }

    /// A sim serving these pages; the file lives as long as the returned directory.
    pub async fn serve(&self) -> (Harness, tempfile::TempDir) {
        self.serve_file(self.file()).await
    }

    /// A sim serving these pages, the file changed by `edit` first (to take out what Stream
    /// may leave out).
    pub async fn serve_edited(
        &self,
        edit: impl FnOnce(&mut serde_json::Value),
    ) -> (Harness, tempfile::TempDir) {
        let mut file: serde_json::Value = serde_json::from_str(&self.file()).unwrap();
        edit(&mut file);
        self.serve_file(file.to_string()).await
    }

    /// A sim serving these pages as a session from `started_at` to `ended_at` (Unix ns).
    pub async fn serve_session(
        &self,
        started_at: i64,
        ended_at: i64,
    ) -> (Harness, tempfile::TempDir) {
        self.serve_file(self.file_of(started_at, ended_at)).await
    }

    async fn serve_file(&self, file: String) -> (Harness, tempfile::TempDir) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pages.json");
        std::fs::write(&path, file).unwrap();
        let sim = super::start_unlimited(SimConfig {
            from: Some(path),
            ..SimConfig::default()
        })
        .await;
        (sim, dir)
    }
}
