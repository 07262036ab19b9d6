//! `headcount totals --user USER_ID`: the answer card of one user, the same text the
//! dashboard's `c` copies (`attendance::user_card`), or its facts as JSON.

use std::io::Write;

use crate::api::timestamp::Nanos;
use crate::attendance::{
    CardContext, DisplayZone, RowId, SessionStore, Thresholds, UserId, closest_ids, user_card,
    user_figures,
};
use crate::fetch::Completeness;
use crate::filter::Filter;
use crate::ui::safe_text::terminal_safe;

use super::ReportFormat;

/// How many of the closest ids an unknown user's error names.
const CLOSEST: usize = 5;

/// A user with no participant session among the rows read; exits with status 4 (not found).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct UnknownUser(String);

/// A whole read of the session, and what the card needs besides.
pub(super) struct UserCardRead<'a> {
    pub(super) store: &'a SessionStore,
    pub(super) rows: &'a [RowId],
    pub(super) filter: &'a Filter,
    pub(super) completeness: Completeness,
    pub(super) now: Nanos,
    pub(super) zone: &'a DisplayZone,
    pub(super) thresholds: &'a Thresholds,
}

impl UserCardRead<'_> {
    /// Prints the card of `user_id` on stdout, or fails with [`UnknownUser`] naming the
    /// closest ids seen in the session.
    pub(super) fn print(&self, user_id: &str, format: ReportFormat) -> anyhow::Result<()> {
        let Some(identity) = self.store.identity() else {
            anyhow::bail!("Stream returned no page for this session");
        };
        let user = self.user(user_id)?;
        let figures = user_figures(self.store, self.rows, self.now, self.thresholds);
        let figures = figures
            .iter()
            .find(|figures| figures.user == user)
            .ok_or_else(|| self.unknown(user_id))?;
        let incomplete = self
            .completeness
            .shortfall()
            .map(|shortfall| shortfall.to_string());
        let source = self.filter.source.trim();
        let ctx = CardContext {
            store: self.store,
            identity,
            rows: self.rows,
            now: self.now,
            zone: self.zone,
            thresholds: self.thresholds,
            filter: (!source.is_empty()).then_some(source),
            incomplete: incomplete.as_deref(),
        };
        let card = user_card(ctx, figures);
        let mut out = std::io::stdout().lock();
        match format {
            ReportFormat::Json => {
                writeln!(out, "{}", serde_json::to_string_pretty(&card.json())?)?;
            }
            // The ids come from the server: their controls are shown, never run.
            ReportFormat::Table => {
                for line in card.text().lines() {
                    writeln!(out, "{}", terminal_safe(line))?;
                }
            }
        }
        out.flush()?;
        Ok(())
    }

    /// The user `user_id` names exactly (Stream's `user_id` is case-sensitive), if any of the
    /// rows read is theirs.
    fn user(&self, user_id: &str) -> Result<UserId, UnknownUser> {
        self.store
            .find_user(user_id)
            .filter(|&user| {
                self.rows
                    .iter()
                    .any(|&id| self.store.get(id).is_some_and(|row| row.user() == user))
            })
            .ok_or_else(|| self.unknown(user_id))
    }

    fn unknown(&self, user_id: &str) -> UnknownUser {
        let known = (0..self.store.user_count() as u32).map(|id| self.store.user_name(UserId(id)));
        let closest = closest_ids(user_id, known, CLOSEST);
        let filtered = if self.filter.source.trim().is_empty() {
            String::new()
        } else {
            format!(" matching `{}`", self.filter.source.trim())
        };
        let hint = if closest.is_empty() {
            "no id seen in this session is close; `headcount export` lists every user id".to_owned()
        } else {
            format!(
                "the closest ids seen: {} (user ids are exact and case-sensitive)",
                closest.join(", ")
            )
        };
        UnknownUser(
            terminal_safe(&format!(
                "no participant session of user `{user_id}` in this session{filtered}; {hint}"
            ))
            .into_owned(),
        )
    }
}
