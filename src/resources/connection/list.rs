//! `list "peering_connection"`: every peering the credentials see, both halves as one result.
//! Each candidate pair of networks is found from its halves, then read exactly as an import
//! reads it, so a result imports and plans to nothing. A cloud that cannot be listed is a
//! warning, not silence.

use std::collections::BTreeSet;

use async_trait::async_trait;
use futures_util::StreamExt;

use super::model::Connection;
use super::{PeeringConnection, aiven};
use crate::resources::list::{List, Sink, or_warn, reads_in_order, regions, scans, string_list, validate_scope};
use crate::resources::{Ctx, Error, ImportTarget, Resource};
use peering_clouds::aiven::wire::Vpc;
use peering_clouds::upcloud::{Network, NetworkPeering};
use peering_net::{AivenVpcId, Cloud, ConnectionId, NetworkRef, ScalewayVpcId, UpcloudNetworkId};
use tfplugin6::schema::Attribute;
use tfplugin6::tf_object;
use tfplugin6::{Attr, AttrPath, Block, Diagnostic, Diagnostics, Schema};

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
        let attributes = vec![
            string_list("clouds", "Only peerings with a side in these clouds: `aiven`, `upcloud`, `scaleway`."),
            Attribute::string(
                "upcloud_zone",
                "Only peerings with an UpCloud network in this zone, e.g. `de-fra1` (an Aiven VPC is in its cloud's \
                 zones: `upcloud-de-fra` in `de-fra1`, `upcloud-fi-hel` in `fi-hel1` and `fi-hel2`).",
            )
            .optional(),
            string_list(
                "aiven_projects",
                "Only Aiven peerings of these projects; default: every project the token lists.",
            ),
            string_list("scaleway_regions", "The Scaleway regions to look in; default: all of them."),
            string_list(
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

fn side_ids(network: &NetworkRef) -> [String; 3] {
    // Ours, the bare UUID, and the official provider's id (`fr-par/UUID`, `PROJECT/UUID`).
    let (bare, official) = match network {
        NetworkRef::Upcloud { network_id } => (network_id.to_string(), network_id.to_string()),
        NetworkRef::Aiven { project, vpc_id } => (vpc_id.to_string(), format!("{project}/{vpc_id}")),
        NetworkRef::Scaleway { region, vpc_id } => (vpc_id.to_string(), format!("{region}/{vpc_id}")),
    };
    [network.to_string(), bare, official]
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
        let clouds_ok = self.clouds.known().is_none_or(|_| sides.iter().any(|side| scans(&self.clouds, side.cloud())));
        let networks_ok = self
            .networks
            .known()
            .is_none_or(|wanted| sides.iter().any(|side| side_ids(side).iter().any(|id| wanted.contains(id))));
        clouds_ok && networks_ok
    }
}

/// Aiven's project VPCs, read once per listing: Aiven's own results, and what places UpCloud
/// halves toward Aiven. `None`: no Aiven credentials; `Err`: Aiven did not answer.
type AivenVpcs = Option<Result<Vec<(String, Vpc)>, String>>;

impl ConnectionList {
    /// Sends one pair, read as an import reads it; false once nobody listens.
    async fn send(
        &self,
        ctx: &Ctx<'_>,
        filter: &Filter,
        id: ConnectionId,
        read: Result<Connection, Error>,
        found: &Sink<'_, PeeringConnection>,
    ) -> bool {
        let state = match read {
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

    /// Aiven's project VPCs: every project's when they place UpCloud halves, else the ones asked.
    async fn aiven_vpcs(&self, ctx: &Ctx<'_>, filter: &Filter) -> AivenVpcs {
        let client = ctx.clients.aiven.as_ref().ok()?;
        let places_upcloud = scans(&filter.clouds, Cloud::Upcloud) && ctx.clients.configured(Cloud::Upcloud);
        let projects = if places_upcloud { None } else { filter.aiven_projects.known().map(Vec::as_slice) };
        Some(aiven::upcloud_vpcs(client, projects, ctx.clients.parallel_reads).await.map_err(|e| e.to_string()))
    }

    /// UpCloud's networks and peering halves, read side by side.
    async fn upcloud_lists(&self, ctx: &Ctx<'_>) -> Result<UpcloudLists, Error> {
        let client = ctx.upcloud(&AttrPath::root("clouds"))?;
        let (networks, halves) = tokio::try_join!(client.list_networks(None), client.list_peerings(None, None))?;
        Ok(UpcloudLists { networks, halves })
    }

    fn upcloud_pairs(ctx: &Ctx<'_>, filter: &Filter, lists: &UpcloudLists, aiven: &AivenVpcs) -> Vec<ConnectionId> {
        let mut pairs = Vec::new();
        for half in &lists.halves {
            let local = half.network.uuid;
            if filter.upcloud_zone.known().is_some_and(|zone| lists.zone_of(local) != Some(zone.as_str())) {
                continue;
            }
            let aiven_vpc = match (lists.sees(half.peer_network.uuid), aiven) {
                (false, Some(Ok(vpcs))) => aiven::vpc_behind_in(vpcs, half),
                // Without Aiven's answer the half cannot be placed; guessing would mislabel it.
                (false, Some(Err(why))) => {
                    ctx.warn(format!("Skipped the UpCloud peering {}", half.uuid), why.clone());
                    continue;
                }
                _ => None,
            };
            let peer_network = match aiven_vpc {
                Some(vpc) => NetworkRef::Aiven { project: vpc.project, vpc_id: vpc.vpc },
                None => NetworkRef::Upcloud { network_id: half.peer_network.uuid },
            };
            pairs.push(ConnectionId { network: NetworkRef::Upcloud { network_id: local }, peer_network });
        }
        pairs
    }

    fn aiven_pairs(filter: &Filter, vpcs: &[(String, Vpc)]) -> Vec<ConnectionId> {
        let asked = |project: &String| filter.aiven_projects.known().is_none_or(|p| p.contains(project));
        let mut pairs = Vec::new();
        // An Aiven VPC peers only with UpCloud networks of its cloud's zone.
        let in_zone = |vpc: &Vpc| {
            filter.upcloud_zone.known().is_none_or(|zone| {
                peering_net::aiven_cloud_zones(&vpc.cloud_name).is_some_and(|z| z.zones.contains(zone))
            })
        };
        for (project, vpc) in vpcs.iter().filter(|(project, vpc)| asked(project) && in_zone(vpc)) {
            for peering in vpc.peering_connections.iter().filter(|p| p.peer_cloud_account == "upcloud") {
                let Ok(peer) = peering.peer_vpc.parse::<UpcloudNetworkId>() else { continue };
                if matches!(aiven::phase_of(peering.state), super::half::Phase::Dead) {
                    continue;
                }
                pairs.push(ConnectionId {
                    network: NetworkRef::Aiven { project: project.clone(), vpc_id: AivenVpcId(vpc.project_vpc_id) },
                    peer_network: NetworkRef::Upcloud { network_id: peer },
                });
            }
        }
        pairs
    }

    /// Every region's connectors, the regions side by side.
    async fn scaleway_pairs(&self, ctx: &Ctx<'_>, filter: &Filter) -> Result<Vec<ConnectionId>, Error> {
        let client = ctx.scaleway(&AttrPath::root("clouds"))?;
        let regions = regions(&filter.scaleway_regions);
        let listed = futures_util::future::try_join_all(regions.iter().map(|r| client.list_region(r.as_str()))).await?;
        let mut pairs = Vec::new();
        for (region, connectors) in regions.into_iter().zip(listed) {
            for connector in connectors {
                pairs.push(ConnectionId {
                    network: NetworkRef::Scaleway { region, vpc_id: ScalewayVpcId(connector.vpc_id) },
                    peer_network: NetworkRef::Scaleway { region, vpc_id: ScalewayVpcId(connector.target_vpc_id) },
                });
            }
        }
        Ok(pairs)
    }

    /// Every candidate pair, in listing order (UpCloud's, Aiven's, Scaleway's). The clouds are
    /// listed side by side; Aiven's VPCs, when only UpCloud's results are wanted, are read only
    /// if an UpCloud half points at a network this account cannot see (it may be Aiven's).
    /// Aiven's results alone still need UpCloud's halves: their list is read beside Aiven's.
    async fn candidates(&self, ctx: &Ctx<'_>, filter: &Filter) -> Vec<ConnectionId> {
        let listed = |cloud: Cloud| scans(&filter.clouds, cloud) && ctx.clients.configured(cloud);
        let (aiven, upcloud, scaleway) = tokio::join!(
            async { if listed(Cloud::Aiven) { self.aiven_vpcs(ctx, filter).await } else { None } },
            async {
                if listed(Cloud::Upcloud) {
                    return Some(self.upcloud_lists(ctx).await);
                }
                if listed(Cloud::Aiven)
                    && let Ok(upcloud) = ctx.clients.upcloud.as_ref()
                {
                    // Kept by the listing's client for the results' reads; they say any failure.
                    let _ = upcloud.list_peerings(None, None).await;
                }
                None
            },
            async { if listed(Cloud::Scaleway) { Some(self.scaleway_pairs(ctx, filter).await) } else { None } },
        );
        let aiven = match (aiven, &upcloud) {
            (None, Some(Ok(lists))) if lists.any_unseen_peer() => self.aiven_vpcs(ctx, filter).await,
            (aiven, _) => aiven,
        };
        let what = |cloud: Cloud| format!("the {} peerings", cloud.display_name());
        let mut all = Vec::new();
        if let Some(lists) = upcloud {
            let pairs = lists.map(|lists| ConnectionList::upcloud_pairs(ctx, filter, &lists, &aiven));
            all.extend(or_warn(ctx, what(Cloud::Upcloud), pairs));
        }
        if listed(Cloud::Aiven) {
            match &aiven {
                Some(Ok(vpcs)) => all.extend(ConnectionList::aiven_pairs(filter, vpcs)),
                Some(Err(why)) => ctx.warn(format!("Could not list {}", what(Cloud::Aiven)), why.clone()),
                None => {}
            }
        }
        if let Some(pairs) = scaleway {
            all.extend(or_warn(ctx, what(Cloud::Scaleway), pairs));
        }
        all
    }
}

/// UpCloud's networks and peering halves, as one listing read them.
struct UpcloudLists {
    networks: Vec<Network>,
    halves: Vec<NetworkPeering>,
}

impl UpcloudLists {
    fn zone_of(&self, id: UpcloudNetworkId) -> Option<&str> {
        self.networks.iter().find(|n| n.uuid == id).map(|n| n.zone.as_str())
    }

    /// Whether the account sees network `id`.
    fn sees(&self, id: UpcloudNetworkId) -> bool {
        self.zone_of(id).is_some()
    }

    /// Whether a half points at a network the account cannot see (another account's, or an
    /// Aiven network ID).
    fn any_unseen_peer(&self) -> bool {
        self.halves.iter().any(|half| !self.sees(half.peer_network.uuid))
    }
}

/// A listing has no direction of its own: a peering whose two halves were both found is read in
/// the canonical order (Aiven first, else the lower id first), as its import will be, so that
/// generated configuration does not depend on which half came first. A lone half (an external
/// peer) keeps its own side first.
fn oriented(pairs: &[ConnectionId]) -> Vec<ConnectionId> {
    pairs
        .iter()
        .map(|id| {
            let reversed = ConnectionId { network: id.peer_network.clone(), peer_network: id.network.clone() };
            if !id.is_canonical() && pairs.contains(&reversed) { reversed } else { id.clone() }
        })
        .collect()
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
        let mut diags = validate_scope(&filter.clouds, Cloud::ALL, &filter.scaleway_regions);
        for (i, network) in filter.networks.known().into_iter().flatten().enumerate() {
            if network.parse::<NetworkRef>().is_err() && peering_net::WrittenId::parse(network, "SCOPE").is_err() {
                diags.push(
                    Diagnostic::error(
                        "Invalid network",
                        format!(
                            "{network:?}: expected upcloud/ID, aiven/PROJECT/VPC_ID, scaleway/REGION/VPC_ID, a UUID, or \
                             the official providers' REGION/UUID or PROJECT/UUID."
                        ),
                    )
                    .at(AttrPath::root("networks").index(i)),
                );
            }
        }
        diags
    }

    async fn list(&self, ctx: &Ctx<'_>, filter: Filter, found: &Sink<'_, PeeringConnection>) -> Result<(), Error> {
        // One set of clients for the whole listing: each result is read from what the listing
        // has just read.
        let clients = ctx.clients.for_listing();
        let reading = ctx.with_clients(&clients);
        let all = self.candidates(&reading, &filter).await;
        let mut seen = Seen::default();
        let wanted: Vec<ConnectionId> =
            oriented(&all).into_iter().filter(|id| filter.admits(id) && seen.first_time(id)).collect();
        // Each result is read as its import would read it, several at once; results still go
        // out in listing order, and once nobody listens (a `limit` reached) the reads still
        // pending are dropped.
        let reading = &reading;
        let mut reads = std::pin::pin!(reads_in_order(wanted, reading.clients.parallel_reads, |id| async move {
            let read = self.resource.import(reading, ImportTarget::Id(id.to_string())).await;
            (id, read)
        }));
        while let Some((id, read)) = reads.next().await {
            if !self.send(ctx, &filter, id, read, found).await {
                break;
            }
        }
        Ok(())
    }
}
