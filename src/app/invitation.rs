//! Who was invited to the call, as the dashboard's fetches read it: the input of the Expected
//! view and of the totals line's counts (their classification is derived, in `derived.rs`).

use std::sync::Arc;

use crate::api::ApiError;
use crate::api::timestamp::Nanos;
use crate::fetch::Invited;

/// The last roster read, and how the one under way is going.
#[derive(Debug, Clone, Default)]
pub enum Invitation {
    /// Not asked for: the read has a server filter, against which nobody can be classified.
    #[default]
    NotAsked,
    /// Being read; a failure that may pass is tried again at `retry_at` (server clock).
    Reading { retry: Option<(ApiError, Nanos)> },
    /// Read: the members (complete or not, as their read says), ring outcomes and caller.
    Read(Arc<Invited>),
    /// Reading it failed for a reason retrying cannot fix; the next fetch tries again.
    Failed(ApiError),
}

impl Invitation {
    /// The roster read, if any.
    pub fn invited(&self) -> Option<&Arc<Invited>> {
        match self {
            Invitation::Read(invited) => Some(invited),
            _ => None,
        }
    }

    /// Why the members are not all known, in words for the reason "the call's members were
    /// not all read (…)"; `None` when read in full or not asked for.
    pub(crate) fn shortfall(&self) -> Option<String> {
        match self {
            Invitation::NotAsked => None,
            Invitation::Reading { retry: None } => Some("they are being read".to_owned()),
            Invitation::Reading {
                retry: Some((error, _)),
            } => Some(format!("reading them failed and is retried: {error}")),
            Invitation::Read(invited) => invited.members.shortfall(),
            Invitation::Failed(error) => Some(format!("reading them failed: {error}")),
        }
    }
}
