//! Import by id: `NETWORK:PEER_NETWORK`, or a half's own id (`upcloud-peering/UUID`,
//! `scaleway-connector/REGION/ID`, Scaleway's own `REGION/ID`, or a bare UUID) resolved to the
//! networks it joins.

use super::aiven;
use crate::resources::{Ctx, Error};
use peering_clouds::CloudFailure as _;
use peering_net::{ConnectionId, NetworkRef, Region, ScalewayVpcId, UpcloudPeeringId};
use tfplugin6::AttrPath;

/// Resolves an import id to the pair of networks.
pub(super) async fn import_id(ctx: &Ctx<'_>, text: &str) -> Result<ConnectionId, Error> {
    if let Some(uuid) = text.strip_prefix("upcloud-peering/") {
        let id: UpcloudPeeringId = uuid.parse().map_err(|_| {
            Error::invalid("Invalid import id", format!("{uuid:?} is not a UUID (upcloud-peering/PEERING_UUID)."), None)
        })?;
        return upcloud_peering_ends(ctx, id)
            .await?
            .ok_or_else(|| Error::invalid("Nothing to import", format!("No UpCloud peering {id} exists."), None));
    }
    let invalid_connector = || {
        Error::invalid(
            "Invalid import id",
            format!("{text:?}: expected scaleway-connector/REGION/CONNECTOR_ID (or REGION/CONNECTOR_ID)."),
            None,
        )
    };
    // `scaleway-connector/REGION/ID`, or the official Scaleway provider's `REGION/ID`.
    let regional = text.strip_prefix("scaleway-connector/").or_else(|| {
        let (region, _) = text.split_once('/')?;
        region.parse::<Region>().is_ok().then_some(text)
    });
    if let Some(rest) = regional {
        let (region, id) = rest.split_once('/').ok_or_else(invalid_connector)?;
        let region: Region = region.parse().map_err(|_| invalid_connector())?;
        let id: uuid::Uuid = id.parse().map_err(|_| invalid_connector())?;
        return connector_ends(ctx, &[region], id).await?.ok_or_else(|| {
            Error::invalid("Nothing to import", format!("No Scaleway connector {id} in {region}."), None)
        });
    }
    // A bare UUID: an UpCloud peering half, else a Scaleway connector in any region.
    if let Ok(id) = text.parse::<uuid::Uuid>() {
        if ctx.clients.upcloud.is_ok()
            && let Some(ends) = upcloud_peering_ends(ctx, UpcloudPeeringId(id)).await?
        {
            return Ok(ends);
        }
        if let Ok(client) = ctx.clients.scaleway.as_ref() {
            let regions = Region::search_order(client.default_region());
            if let Some(ends) = connector_ends(ctx, &regions, id).await? {
                return Ok(ends);
            }
        }
        return Err(Error::invalid(
            "Nothing to import",
            format!(
                "No UpCloud peering half and no Scaleway VPC connector {id} is visible with the provider's credentials \
                 (Scaleway: looked in every region)."
            ),
            None,
        ));
    }
    text.parse().map_err(|e: peering_net::EndpointError| {
        Error::invalid(
            "Invalid import id",
            format!(
                "{e}. Import by NETWORK:PEER_NETWORK (e.g. upcloud/03…:upcloud/03… or aiven/PROJECT/VPC_ID:upcloud/03…), \
                 upcloud-peering/PEERING_UUID for two UpCloud networks, scaleway-connector/REGION/ID (or REGION/ID), \
                 or a half's bare UUID."
            ),
            None,
        )
    })
}

/// The ends of the UpCloud peering half `id`; `None` when there is none.
async fn upcloud_peering_ends(ctx: &Ctx<'_>, id: UpcloudPeeringId) -> Result<Option<ConnectionId>, Error> {
    let client = ctx.upcloud(&AttrPath::root("network"))?;
    let Some(half) = crate::resources::unless_gone(client.get_peering(id).await)? else { return Ok(None) };
    let network = NetworkRef::Upcloud { network_id: half.network.uuid };
    // A peer the user's account cannot see may be the network behind an Aiven VPC.
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

/// The ends of the Scaleway connector `id`, looked for in `regions` in turn; `None` when none
/// has it.
async fn connector_ends(ctx: &Ctx<'_>, regions: &[Region], id: uuid::Uuid) -> Result<Option<ConnectionId>, Error> {
    let client = ctx.scaleway(&AttrPath::root("network"))?;
    for &region in regions {
        let connector = match client.get_connector(region.as_str(), id).await {
            Ok(connector) => connector,
            Err(e) if e.is_not_found() => continue,
            Err(e) => return Err(e.into()),
        };
        return Ok(Some(ConnectionId {
            network: NetworkRef::Scaleway { region, vpc_id: ScalewayVpcId(connector.vpc_id) },
            peer_network: NetworkRef::Scaleway { region, vpc_id: ScalewayVpcId(connector.target_vpc_id) },
        }));
    }
    Ok(None)
}
