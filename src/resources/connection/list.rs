//! `list "peering_connection"`: every peering the credentials see, both halves as one result.
//! Each candidate pair of networks is found from its halves, then read exactly as an import
//! reads it, so a result imports and plans to nothing. A cloud that cannot be listed is a
//! warning, not silence.

use std::collections::BTreeSet;

use async_trait::async_trait;

use super::{PeeringConnection, aiven};
use crate::net::{AivenVpcId, Cloud, ConnectionId, NetworkId, NetworkRef, Region, ScalewayVpcId};
use crate::resources::list::{List, Sink};
use crate::resources::{Ctx, Error, ImportTarget, Resource};
use crate::tf::schema::Attribute;
use crate::tf::{Attr, AttrPath, Block, Diagnostic, Diagnostics, Schema, Type};
use crate::tf_object;

tf_object! {
    /// The `config` block of a `list "peering_connection"` block; every filter is optional.
    pub struct Filter {
        clouds: Attr<Vec<String>>,
        upcloud_zone: Attr<String>,
        aiven_projects: Attr<Vec<String>>,
        scaleway_regions: Attr<Vec<String>>,
        networks: Attr<Vec<String>>,
        name_contains: Attr<String>,
    }
}

pub struct ConnectionList {
    resource: PeeringConnection,
    schema: Schema,
}

impl Default for ConnectionList {
    fn default() -> Self {
        let list =
            |name: &str, description: &str| Attribute::plain(name, Type::list(Type::String), description).optional();
        let attributes = vec![
            list("clouds", "Only peerings with a side in these clouds: `aiven`, `upcloud`, `scaleway`."),
            Attribute::string("upcloud_zone", "Only UpCloud networks in this zone, e.g. `de-fra1`.").optional(),
            list("aiven_projects", "The Aiven projects to look in; default: every project the token lists."),
            list("scaleway_regions", "The Scaleway regions to look in; default: all of them."),
            list(
                "networks",
                "Only peerings with one of these networks on a side: `upcloud/ID`, `aiven/PROJECT/VPC_ID`, \
                 `scaleway/REGION/VPC_ID`, or a bare network or VPC id.",
            ),
            Attribute::string("name_contains", "Only peerings whose name contains this text.").optional(),
        ];
        ConnectionList {
            resource: PeeringConnection::default(),
            schema: Schema { version: 0, block: Block::new("Filters for the peerings to list.", attributes) },
        }
    }
}

fn cloud_of(key: &str) -> Option<Cloud> {
    [Cloud::Aiven, Cloud::Upcloud, Cloud::Scaleway].into_iter().find(|c| c.key() == key)
}

fn side_ids(network: &NetworkRef) -> [String; 2] {
    let bare = match network {
        NetworkRef::Upcloud { network_id } => network_id.to_string(),
        NetworkRef::Aiven { vpc_id, .. } => vpc_id.to_string(),
        NetworkRef::Scaleway { vpc_id, .. } => vpc_id.to_string(),
    };
    [network.to_string(), bare]
}

/// The pairs found so far, either way round.
#[derive(Default)]
struct Seen(BTreeSet<(String, String)>);

impl Seen {
    fn first_time(&mut self, id: &ConnectionId) -> bool {
        let (a, b) = (id.network.to_string(), id.peer_network.to_string());
        self.0.insert(if a <= b { (a, b) } else { (b, a) })
    }
}

impl Filter {
    fn admits(&self, id: &ConnectionId) -> bool {
        let sides = [&id.network, &id.peer_network];
        let clouds_ok = self
            .clouds
            .known()
            .is_none_or(|clouds| sides.iter().any(|side| clouds.iter().any(|c| cloud_of(c) == Some(side.cloud()))));
        let networks_ok = self
            .networks
            .known()
            .is_none_or(|wanted| sides.iter().any(|side| side_ids(side).iter().any(|id| wanted.contains(id))));
        clouds_ok && networks_ok
    }

    fn scans(&self, cloud: Cloud) -> bool {
        self.clouds.known().is_none_or(|clouds| clouds.iter().any(|c| cloud_of(c) == Some(cloud)))
    }
}

impl ConnectionList {
    /// Reads one pair as an import would and sends it; false once nobody listens.
    async fn send(
        &self,
        ctx: &Ctx<'_>,
        filter: &Filter,
        id: ConnectionId,
        found: &Sink<'_, PeeringConnection>,
    ) -> bool {
        let state = match self.resource.import(ctx, ImportTarget::Id(id.to_string())).await {
            Ok(state) => state,
            // Gone between listing and reading, or a half the checks cannot place: say so, go on.
            Err(e) => {
                ctx.warn(format!("Skipped the peering {id}"), e.to_string());
                return true;
            }
        };
        let name = state.wanted_name();
        if filter.name_contains.known().is_some_and(|part| !name.contains(part.as_str())) {
            return true;
        }
        let display = if name.is_empty() { id.to_string() } else { format!("{name} ({id})") };
        found.send(state, display).await
    }

    async fn upcloud_pairs(&self, ctx: &Ctx<'_>, filter: &Filter) -> Result<Vec<ConnectionId>, Error> {
        let client = ctx.upcloud(&AttrPath::root("clouds"))?;
        let networks = client.list_networks(None).await?;
        let zone_of = |id: NetworkId| networks.iter().find(|n| n.uuid == id).map(|n| n.zone.as_str());
        let mut pairs = Vec::new();
        for half in client.list_peerings(None, None).await? {
            let local = half.network.uuid;
            if filter.upcloud_zone.known().is_some_and(|zone| zone_of(local) != Some(zone.as_str())) {
                continue;
            }
            let network = NetworkRef::Upcloud { network_id: local };
            let peer_visible = zone_of(half.peer_network.uuid).is_some();
            let aiven_vpc = match (peer_visible, ctx.clients.aiven.as_ref()) {
                (false, Ok(aiven)) => match aiven::vpc_behind(aiven, &half).await {
                    Ok(vpc) => vpc,
                    // Without Aiven's answer the half cannot be placed; guessing would mislabel it.
                    Err(e) => {
                        ctx.warn(format!("Skipped the UpCloud peering {}", half.uuid), e.to_string());
                        continue;
                    }
                },
                _ => None,
            };
            let peer_network = match aiven_vpc {
                Some(vpc) => NetworkRef::Aiven { project: vpc.project, vpc_id: vpc.vpc },
                None => NetworkRef::Upcloud { network_id: half.peer_network.uuid },
            };
            pairs.push(ConnectionId { network, peer_network });
        }
        Ok(pairs)
    }

    async fn aiven_pairs(&self, ctx: &Ctx<'_>, filter: &Filter) -> Result<Vec<ConnectionId>, Error> {
        let client = ctx.aiven(&AttrPath::root("clouds"))?;
        let projects = match filter.aiven_projects.known() {
            Some(projects) => projects.clone(),
            None => client.list_projects().await?,
        };
        let mut pairs = Vec::new();
        for project in projects {
            for summary in client.list_vpcs(&project).await? {
                let vpc = client.get_vpc(&project, summary.project_vpc_id).await?;
                for peering in vpc.peering_connections.iter().filter(|p| p.peer_cloud_account == "upcloud") {
                    let Ok(peer) = peering.peer_vpc.parse::<NetworkId>() else { continue };
                    if matches!(aiven::phase_of(peering.state), super::half::Phase::Dead) {
                        continue;
                    }
                    pairs.push(ConnectionId {
                        network: NetworkRef::Aiven { project: project.clone(), vpc_id: AivenVpcId(vpc.project_vpc_id) },
                        peer_network: NetworkRef::Upcloud { network_id: peer },
                    });
                }
            }
        }
        Ok(pairs)
    }

    async fn scaleway_pairs(&self, ctx: &Ctx<'_>, filter: &Filter) -> Result<Vec<ConnectionId>, Error> {
        let client = ctx.scaleway(&AttrPath::root("clouds"))?;
        let regions: Vec<Region> = match filter.scaleway_regions.known() {
            Some(names) => names.iter().filter_map(|r| r.parse().ok()).collect(),
            None => Region::ALL.to_vec(),
        };
        let mut pairs = Vec::new();
        for region in regions {
            for connector in client.list_all_connectors(region.as_str()).await? {
                pairs.push(ConnectionId {
                    network: NetworkRef::Scaleway { region, vpc_id: ScalewayVpcId(connector.vpc_id) },
                    peer_network: NetworkRef::Scaleway { region, vpc_id: ScalewayVpcId(connector.target_vpc_id) },
                });
            }
        }
        Ok(pairs)
    }
}

#[async_trait]
impl List for ConnectionList {
    type Resource = PeeringConnection;
    type Filter = Filter;

    fn resource(&self) -> &PeeringConnection {
        &self.resource
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, filter: &Filter) -> Diagnostics {
        let mut diags = Diagnostics::default();
        for (i, cloud) in filter.clouds.known().into_iter().flatten().enumerate() {
            if cloud_of(cloud).is_none() {
                diags.push(
                    Diagnostic::error(
                        "Unknown cloud",
                        format!("{cloud:?}: one of \"aiven\", \"upcloud\", \"scaleway\"."),
                    )
                    .at(AttrPath::root("clouds").index(i)),
                );
            }
        }
        for (i, region) in filter.scaleway_regions.known().into_iter().flatten().enumerate() {
            if let Err(e) = region.parse::<Region>() {
                diags.push(Diagnostic::error("Invalid region", e).at(AttrPath::root("scaleway_regions").index(i)));
            }
        }
        for (i, network) in filter.networks.known().into_iter().flatten().enumerate() {
            if network.parse::<NetworkRef>().is_err() && uuid::Uuid::parse_str(network).is_err() {
                diags.push(
                    Diagnostic::error(
                        "Invalid network",
                        format!(
                            "{network:?}: expected upcloud/ID, aiven/PROJECT/VPC_ID, scaleway/REGION/VPC_ID or a UUID."
                        ),
                    )
                    .at(AttrPath::root("networks").index(i)),
                );
            }
        }
        diags
    }

    async fn list(&self, ctx: &Ctx<'_>, filter: Filter, found: &Sink<'_, PeeringConnection>) -> Result<(), Error> {
        let mut seen = Seen::default();
        for cloud in [Cloud::Upcloud, Cloud::Aiven, Cloud::Scaleway] {
            if !filter.scans(cloud) || !ctx.clients.configured(cloud) {
                continue;
            }
            let pairs = match cloud {
                Cloud::Upcloud => self.upcloud_pairs(ctx, &filter).await,
                Cloud::Aiven => self.aiven_pairs(ctx, &filter).await,
                Cloud::Scaleway => self.scaleway_pairs(ctx, &filter).await,
            };
            let pairs = match pairs {
                Ok(pairs) => pairs,
                Err(e) => {
                    ctx.warn(format!("Could not list the {} peerings", cloud.display_name()), e.to_string());
                    continue;
                }
            };
            for id in pairs {
                if filter.admits(&id) && seen.first_time(&id) && !self.send(ctx, &filter, id, found).await {
                    return Ok(());
                }
            }
        }
        Ok(())
    }
}
