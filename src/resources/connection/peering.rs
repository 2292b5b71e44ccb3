//! The one trait every kind of peering implements: what the resource asks of it.

use async_trait::async_trait;

use super::model::Connection;
use crate::resources::{Ctx, Error};
use tfplugin6::Diagnostics;

/// What the resource does with a peering of one kind, given the provider's clients.
#[async_trait]
pub(super) trait Peering: Send + Sync {
    /// Plan-time checks of the two networks, as `planned` states the peering; only reads.
    async fn check(&self, ctx: &Ctx<'_>, planned: &Connection) -> Result<Diagnostics, Error>;
    /// Before a create, at plan time: a warning for each half already between the networks that
    /// the create may not take (the ownership rule); only reads.
    async fn look_for_others(&self, ctx: &Ctx<'_>, planned: &Connection) -> Result<Diagnostics, Error>;
    /// Said when a refresh finds the peering active that was not when last stored (an apply
    /// that returned before traffic flowed): what the user must do now (renew DHCP leases).
    async fn became_active(&self, ctx: &Ctx<'_>, state: &Connection);
    /// Makes the halves; the new state (`None` when nothing was made) and how it went.
    async fn create(&self, ctx: &Ctx<'_>, state: Connection) -> (Option<Connection>, Result<(), Error>);
    /// Renames, retags, pauses or resumes, repairs; `None` keeps the prior state.
    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Connection,
        planned: Connection,
    ) -> (Option<Connection>, Result<(), Error>);
    /// Removes the halves we manage.
    async fn delete(&self, ctx: &Ctx<'_>, prior: &Connection) -> Result<(), Error>;
    /// Refreshes; `None` when the peering is gone.
    async fn read(&self, ctx: &Ctx<'_>, state: Connection) -> Result<Option<Connection>, Error>;
    /// Takes over the halves that exist.
    async fn import(&self, ctx: &Ctx<'_>, state: Connection) -> Result<Connection, Error>;
}
