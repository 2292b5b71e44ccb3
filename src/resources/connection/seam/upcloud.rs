//! UpCloud's seam: its halves import by `upcloud-peering/UUID` or a bare UUID, whose peer may be
//! the network behind an Aiven VPC.

use async_trait::async_trait;

use super::super::aiven;
use super::CloudSeam;
use crate::resources::{Ctx, Error};
use peering_clouds::CloudFailure as _;
use peering_net::{ConnectionId, NetworkRef, UpcloudPeeringId};
use tfplugin6::AttrPath;

/// UpCloud's part of the resource's generic code ([`CloudSeam`]).
pub(super) struct UpcloudSeam;

#[async_trait]
impl CloudSeam for UpcloudSeam {
    fn import_forms(&self) -> Option<&'static str> {
        Some("upcloud-peering/PEERING_UUID for two UpCloud networks")
    }

    /// `upcloud-peering/UUID` (`UpcloudHalf::import_id`).
    async fn import_by_half_id(&self, ctx: &Ctx<'_>, text: &str) -> Option<Result<ConnectionId, Error>> {
        let uuid = text.strip_prefix("upcloud-peering/")?;
        let Ok(id) = uuid.parse::<UpcloudPeeringId>() else {
            let why = format!("{uuid:?} is not a UUID (upcloud-peering/PEERING_UUID).");
            return Some(Err(Error::invalid("Invalid import id", why, None)));
        };
        Some(peering_ends(ctx, id).await.and_then(|ends| {
            ends.ok_or_else(|| Error::invalid("Nothing to import", format!("No UpCloud peering {id} exists."), None))
        }))
    }

    fn bare_uuid_names(&self) -> Option<&'static str> {
        Some("UpCloud peering half")
    }

    async fn import_by_uuid(&self, ctx: &Ctx<'_>, id: uuid::Uuid) -> Result<Option<ConnectionId>, Error> {
        if ctx.clients.upcloud.is_err() {
            return Ok(None);
        }
        peering_ends(ctx, UpcloudPeeringId(id)).await
    }
}

/// The ends of the UpCloud peering half `id`; `None` when there is none. A peer the user's
/// account cannot see may be the network behind an Aiven VPC.
async fn peering_ends(ctx: &Ctx<'_>, id: UpcloudPeeringId) -> Result<Option<ConnectionId>, Error> {
    let client = ctx.upcloud(&AttrPath::root("network"))?;
    let Some(half) = crate::resources::unless_gone(client.get_peering(id).await)? else { return Ok(None) };
    let network = NetworkRef::Upcloud { network_id: half.network.uuid };
    let peer_visible = match client.get_network(half.peer_network.uuid).await {
        Ok(_) => true,
        Err(e) if e.is_not_visible() => false,
        Err(e) => return Err(e.into()),
    };
    if !peer_visible
        && let Ok(aiven) = ctx.clients.aiven.as_ref()
        && let Some(vpc) = aiven::vpc_behind(aiven, &half, ctx.clients.parallel_reads).await?
    {
        let peer_network = NetworkRef::Aiven { project: vpc.project, vpc_id: vpc.vpc };
        return Ok(Some(ConnectionId { network, peer_network }));
    }
    Ok(Some(ConnectionId { network, peer_network: NetworkRef::Upcloud { network_id: half.peer_network.uuid } }))
}
