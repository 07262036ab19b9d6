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
use crate::cli::session_read::IncompleteData;

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
            // Nothing read at all (a 404 window that did not close, a first page that kept
            // failing): say what is missing rather than that nothing came.
            if let Completeness::Incomplete(shortfall) = self.completeness {
                return Err(anyhow::Error::from(IncompleteData::Read(shortfall))
                    .context("no row of the session was read; no card is printed"));
            }
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
                writeln!(out, "{}", crate::ui::safe_text::json_pretty(&card.json())?)?;
            }
            // The card's text shows the server's controls as escapes, as the dashboard's
            // popup and clipboard have it (`attendance::pasteable`).
            ReportFormat::Table => write!(out, "{}", card.text())?,
        }
        out.flush()?;
        Ok(())
    }

    /// The user `user_id` names exactly (Stream's `user_id` is case-sensitive), if any of the
    /// rows read is theirs. When the read missed rows, a user not among those read may be
    /// among those missing: that is incomplete data (exit 8, saying what is missing), never
    /// "no such user".
    fn user(&self, user_id: &str) -> anyhow::Result<UserId> {
        let found = self.store.find_user(user_id).filter(|&user| {
            self.rows
                .iter()
                .any(|&id| self.store.get(id).is_some_and(|row| row.user() == user))
        });
        match (found, self.completeness) {
            (Some(user), _) => Ok(user),
            (None, Completeness::Incomplete(shortfall)) => {
                let said = terminal_safe(user_id).into_owned();
                Err(
                    anyhow::Error::from(IncompleteData::Read(shortfall)).context(format!(
                        "no participant session of user `{said}` among the rows read, but the \
                     read missed some: theirs may be among them; no card is printed"
                    )),
                )
            }
            (None, _) => Err(self.unknown(user_id).into()),
        }
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
