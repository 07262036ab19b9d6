//! What filtering and sorting look at in one call session, and the sortable fields.

use std::cmp::Ordering;

use crate::sim::error::Refusal;
use crate::sim::ids::Uuid;

/// What filtering and sorting look at in one call session.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionFacts {
    pub(crate) cid: String,
    pub(crate) session_id: Uuid,
    pub(crate) is_active: bool,
    pub(crate) started_at: i64,
    pub(crate) ended_at: Option<i64>,
    pub(crate) generated_at: i64,
}

/// A documented sort field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SortField {
    CallCid,
    GeneratedAt,
    SessionStartedAt,
    SessionEndedAt,
    UpdatedAt,
}

impl SortField {
    const NAMES: [(&'static str, SortField); 5] = [
        ("call_cid", SortField::CallCid),
        ("generated_at", SortField::GeneratedAt),
        ("session_started_at", SortField::SessionStartedAt),
        ("session_ended_at", SortField::SessionEndedAt),
        ("updated_at", SortField::UpdatedAt),
    ];

    pub(crate) fn parse(name: &str) -> Result<SortField, Refusal> {
        SortField::NAMES
            .iter()
            .find(|(known, _)| *known == name)
            .map(|(_, field)| *field)
            .ok_or_else(|| {
                let names: Vec<&str> = SortField::NAMES.iter().map(|(name, _)| *name).collect();
                Refusal::input(format!(
                    "`{name}` is not a sortable field; sort accepts {}",
                    names.join(", ")
                ))
            })
    }

    /// The field's instant, for the date fields (a running session has no end yet).
    pub(crate) fn date(self, facts: &SessionFacts) -> Option<i64> {
        match self {
            SortField::CallCid => None,
            SortField::GeneratedAt | SortField::UpdatedAt => Some(facts.generated_at),
            SortField::SessionStartedAt => Some(facts.started_at),
            SortField::SessionEndedAt => facts.ended_at,
        }
    }

    pub(crate) fn compare(self, a: &SessionFacts, b: &SessionFacts) -> Ordering {
        match self {
            SortField::CallCid => a.cid.cmp(&b.cid),
            SortField::GeneratedAt | SortField::UpdatedAt => a.generated_at.cmp(&b.generated_at),
            SortField::SessionStartedAt => a.started_at.cmp(&b.started_at),
            // A session still running ends after every ended one.
            SortField::SessionEndedAt => {
                let end = |facts: &SessionFacts| facts.ended_at.unwrap_or(i64::MAX);
                end(a).cmp(&end(b))
            }
        }
    }
}
