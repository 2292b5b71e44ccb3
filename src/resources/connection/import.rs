//! Import by id: `NETWORK:PEER_NETWORK`, or a half's own id (`upcloud-peering/UUID`,
//! `scaleway-connector/REGION/ID`) resolved to the networks it joins.

use super::aiven;
use crate::net::{ConnectionId, NetworkRef, PeeringId, Region, ScalewayVpcId};
use crate::resources::{Ctx, Error};
use crate::tf::AttrPath;

/// Resolves `NETWORK:PEER_NETWORK` or `upcloud-peering/UUID` to the pair of networks.
pub(super) async fn import_id(ctx: &Ctx<'_>, text: &str) -> Result<ConnectionId, Error> {
    if let Some(uuid) = text.strip_prefix("upcloud-peering/") {
        let id: PeeringId = uuid.parse().map_err(|_| {
            Error::invalid("Invalid import id", format!("{uuid:?} is not a UUID (upcloud-peering/PEERING_UUID)."), None)
        })?;
        let client = ctx.upcloud(&AttrPath::root("network"))?;
        let half = crate::resources::unless_gone(client.get_peering(id).await)?
            .ok_or_else(|| Error::invalid("Nothing to import", format!("No UpCloud peering {id} exists."), None))?;
        let network = NetworkRef::Upcloud { network_id: half.network.uuid };
        // A peer the user's account cannot see may be the network behind an Aiven VPC.
        let peer_visible = crate::resources::unless_gone(client.get_network(half.peer_network.uuid).await)?.is_some();
        if !peer_visible
            && let Ok(aiven) = ctx.clients.aiven.as_ref()
            && let Some(vpc) = aiven::vpc_behind(aiven, &half).await?
        {
            return Ok(ConnectionId {
                network,
                peer_network: NetworkRef::Aiven { project: vpc.project, vpc_id: vpc.vpc },
            });
        }
        return Ok(ConnectionId { network, peer_network: NetworkRef::Upcloud { network_id: half.peer_network.uuid } });
    }
    if let Some(rest) = text.strip_prefix("scaleway-connector/") {
        let invalid = || {
            Error::invalid(
                "Invalid import id",
                format!("{text:?}: expected scaleway-connector/REGION/CONNECTOR_ID."),
                None,
            )
        };
        let (region, id) = rest.split_once('/').ok_or_else(invalid)?;
        let region: Region = region.parse().map_err(|_| invalid())?;
        let id: uuid::Uuid = id.parse().map_err(|_| invalid())?;
        let connector = ctx.scaleway(&AttrPath::root("network"))?.get_connector(region.as_str(), id).await.map_err(
            |e| match e {
                e if e.is_not_found() => {
                    Error::invalid("Nothing to import", format!("No Scaleway connector {id} in {region}."), None)
                }
                e => e.into(),
            },
        )?;
        return Ok(ConnectionId {
            network: NetworkRef::Scaleway { region, vpc_id: ScalewayVpcId(connector.vpc_id) },
            peer_network: NetworkRef::Scaleway { region, vpc_id: ScalewayVpcId(connector.target_vpc_id) },
        });
    }
    text.parse().map_err(|e: crate::net::EndpointError| {
        Error::invalid(
            "Invalid import id",
            format!(
                "{e}. Import by NETWORK:PEER_NETWORK (e.g. upcloud/03…:upcloud/03… or aiven/PROJECT/VPC_ID:upcloud/03…), \
                 upcloud-peering/PEERING_UUID for two UpCloud networks, or scaleway-connector/REGION/ID."
            ),
            None,
        )
    })
}
