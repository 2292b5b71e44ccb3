//! Scaleway's seam: connectors import by `scaleway-connector/REGION/ID`, `REGION/ID` or a bare
//! UUID in any region; endpoints take the provider's default region; a plan that deletes a
//! peering names the routes still through its connectors.

use async_trait::async_trait;
use uuid::Uuid;

use super::super::model::Connection;
use super::super::scaleway::warn_routes_in_the_way;
use super::{CloudSeam, Deleting};
use crate::resources::{Ctx, Error};
use peering_clouds::CloudFailure as _;
use peering_net::{ConnectionId, NetworkRef, ScalewayRegion, ScalewayVpcId};
use tfplugin6::AttrPath;

/// Scaleway's part of the resource's generic code ([`CloudSeam`]).
pub(super) struct ScalewaySeam;

#[async_trait]
impl CloudSeam for ScalewaySeam {
    fn import_forms(&self) -> Option<&'static str> {
        Some("scaleway-connector/REGION/ID (or REGION/ID)")
    }

    /// `scaleway-connector/REGION/ID` (`ScalewayHalf::import_id`), or the official Scaleway
    /// provider's `REGION/ID`.
    async fn import_by_half_id(&self, ctx: &Ctx<'_>, text: &str) -> Option<Result<ConnectionId, Error>> {
        let rest = text.strip_prefix("scaleway-connector/").or_else(|| {
            let (region, _) = text.split_once('/')?;
            region.parse::<ScalewayRegion>().is_ok().then_some(text)
        })?;
        let invalid = || {
            Error::invalid(
                "Invalid import id",
                format!("{text:?}: expected scaleway-connector/REGION/CONNECTOR_ID (or REGION/CONNECTOR_ID)."),
                None,
            )
        };
        let parsed = rest
            .split_once('/')
            .and_then(|(region, id)| Some((region.parse::<ScalewayRegion>().ok()?, id.parse().ok()?)));
        let Some((region, id)) = parsed else { return Some(Err(invalid())) };
        Some(connector_ends(ctx, &[region], id).await.and_then(|ends| {
            ends.ok_or_else(|| {
                Error::invalid("Nothing to import", format!("No Scaleway connector {id} in {region}."), None)
            })
        }))
    }

    fn bare_uuid_names(&self) -> Option<&'static str> {
        Some("Scaleway VPC connector in any region")
    }

    async fn import_by_uuid(&self, ctx: &Ctx<'_>, id: Uuid) -> Result<Option<ConnectionId>, Error> {
        let Ok(client) = ctx.clients.scaleway.as_ref() else { return Ok(None) };
        connector_ends(ctx, &ScalewayRegion::search_order(client.default_region()), id).await
    }

    fn plan_defaults(&self, ctx: &Ctx<'_>, planned: &mut Connection) -> Result<(), Error> {
        match ctx.clients.scaleway.as_ref() {
            Ok(scaleway) => planned.default_scaleway_regions(scaleway.default_region()),
            // A Scaleway endpoint cannot be resolved, let alone made, without credentials.
            Err(_)
                if [&planned.network, &planned.peer_network]
                    .iter()
                    .any(|e| e.known().is_some_and(|e| !e.scaleway.is_null())) =>
            {
                ctx.scaleway(&AttrPath::root("network"))?;
            }
            Err(_) => {}
        }
        Ok(())
    }

    async fn warn_deleting(&self, ctx: &Ctx<'_>, prior: &Connection, why: Deleting) {
        warn_routes_in_the_way(ctx, prior, why).await;
    }
}

/// The ends of the Scaleway connector `id`, looked for in `regions` in turn; `None` when none
/// has it.
async fn connector_ends(ctx: &Ctx<'_>, regions: &[ScalewayRegion], id: Uuid) -> Result<Option<ConnectionId>, Error> {
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
