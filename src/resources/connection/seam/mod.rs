//! What the resource's generic code asks of each cloud, whatever the pair it is in: how its
//! halves' own ids import, what its endpoints take from the provider's defaults, and what a plan
//! that deletes a peering should warn of. One seam per cloud (a file here), chosen by an
//! exhaustive match: a new cloud does not compile until it has one.

use async_trait::async_trait;
use uuid::Uuid;

mod aiven;
mod scaleway;
mod upcloud;

use super::model::Connection;
use crate::resources::{Ctx, Error};
use peering_net::{Cloud, ConnectionId};

/// Why a plan deletes a peering.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Deleting {
    /// An end changed: the old halves go first, then the new ones are made.
    Replaced,
    /// Removed from the configuration, or `terraform destroy`.
    Removed,
}

/// Each method's default is "nothing of this kind in this cloud", so a seam says only what its
/// cloud has.
#[async_trait]
pub(super) trait CloudSeam: Sync {
    /// The import id forms of its halves' own ids, for the error that lists every form (`None`:
    /// its halves import by their networks only).
    fn import_forms(&self) -> Option<&'static str> {
        None
    }

    /// The ends of the peering whose half `text` names in one of this cloud's forms; `None` when
    /// `text` is in none of them.
    async fn import_by_half_id(&self, _ctx: &Ctx<'_>, _text: &str) -> Option<Result<ConnectionId, Error>> {
        None
    }

    /// What a bare UUID may be in this cloud, for the error when no cloud has it (`None`: its
    /// halves have no UUID of their own).
    fn bare_uuid_names(&self) -> Option<&'static str> {
        None
    }

    /// The ends of the peering whose half in this cloud has the bare UUID `id`; `None` when this
    /// cloud has none (or no credentials to look).
    async fn import_by_uuid(&self, _ctx: &Ctx<'_>, _id: Uuid) -> Result<Option<ConnectionId>, Error> {
        Ok(None)
    }

    /// Fills what this cloud's endpoints leave to the provider's defaults; refuses an endpoint
    /// that cannot even be resolved without this cloud's credentials.
    fn plan_defaults(&self, _ctx: &Ctx<'_>, _planned: &mut Connection) -> Result<(), Error> {
        Ok(())
    }

    /// Warnings for a plan that deletes a peering with an end in this cloud. Only reads.
    async fn warn_deleting(&self, _ctx: &Ctx<'_>, _prior: &Connection, _why: Deleting) {}
}

/// The seam of `cloud`.
pub(super) fn seam(cloud: Cloud) -> &'static dyn CloudSeam {
    match cloud {
        Cloud::Aiven => &aiven::AivenSeam,
        Cloud::Upcloud => &upcloud::UpcloudSeam,
        Cloud::Scaleway => &scaleway::ScalewaySeam,
    }
}

/// Every cloud's seam, in `Cloud::ALL`'s order.
pub(super) fn seams() -> impl Iterator<Item = &'static dyn CloudSeam> {
    Cloud::ALL.iter().map(|&cloud| seam(cloud))
}

/// The clouds of a peering's two ends, each once.
pub(super) fn clouds_of(id: &ConnectionId) -> Vec<Cloud> {
    let (a, b) = (id.network.cloud(), id.peer_network.cloud());
    if a == b { vec![a] } else { vec![a, b] }
}
