//! Who was invited to a call: `GetCall`'s call (its ring outcomes and caller) and every member
//! (`QueryCallMembers`), read together. `headcount roster`, `--with-roster` and the
//! dashboard's Expected view read it the same way; the dashboard reads it in its fetch task
//! and retries a failure that may pass as it does a page.

use std::sync::Arc;

use super::Asked;
use crate::api::members::{MembersRead, read_members};
use crate::api::models::Call;
use crate::api::{ApiError, StreamClient};
use crate::attendance::ExpectedMember;

/// Who was invited to a call: `GetCall`'s call (ring outcomes, the caller) and every member.
#[derive(Debug, Clone, PartialEq)]
pub struct Invited {
    pub call: Call,
    /// Shared: a live poll reads only `GetCall` again and keeps the members it read before.
    pub members: Arc<MembersRead>,
}

impl Invited {
    /// Reads the call and its members at once, or only the call when the members are
    /// `known` (read before, for the same session); the first error, if any, as the API gave
    /// it, with what it was asked for ([`Asked::CallDetails`] or [`Asked::Members`]).
    pub(crate) async fn read_from(
        client: &StreamClient,
        call_type: &str,
        call_id: &str,
        known: Option<&Arc<MembersRead>>,
    ) -> Result<Invited, (Asked, ApiError)> {
        let members = async {
            match known {
                Some(members) => Ok(Arc::clone(members)),
                None => read_members(client, call_type, call_id).await.map(Arc::new),
            }
        };
        let (call, members) = tokio::join!(client.get_call(call_type, call_id), members);
        Ok(Invited {
            call: call.map_err(|error| (Asked::CallDetails, error))?.body.call,
            members: members.map_err(|error| (Asked::Members, error))?,
        })
    }

    /// What the classification needs of each member.
    pub fn expected(&self) -> Vec<ExpectedMember<'_>> {
        self.members
            .members
            .iter()
            .map(ExpectedMember::from)
            .collect()
    }
}
