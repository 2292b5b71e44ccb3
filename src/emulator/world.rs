//! The one world the emulated clouds share, and the rules that derive each object's state.

use std::collections::{BTreeMap, BTreeSet};

use uuid::Uuid;

use serde::{Deserialize, Serialize};

use crate::clouds::aiven::{PeeringConnection, PeeringState as AivenPeeringState, Vpc, VpcState, upcloud_zone};
use crate::clouds::scaleway::{
    ConnectorStatus, PeerInfo, PrivateNetwork, Route as ScwRoute, RouteType, Subnet, Vpc as ScwVpc, VpcConnector,
};
use crate::clouds::upcloud::{
    AttachedNetworks, ConfiguredStatus, Family, IpNetwork, IpNetworks, Label, Network, NetworkPeering, NetworkUuid,
    PeeringAddress, PeeringIpNetworks, PeeringNetwork, PeeringState, Router, ServerRef, Servers, StaticRoute, YesNo,
};
use crate::net::{IpNet, NetworkId, PeeringId, RouterId, first_overlap};

/// Milliseconds since the Unix epoch; object timers use it so a dumped world stays meaningful.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// A network peering as stored; its `state` is derived on every read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeeringRecord {
    pub uuid: PeeringId,
    pub name: String,
    pub configured_status: ConfiguredStatus,
    pub network: NetworkId,
    pub peer_network: NetworkId,
    #[serde(default)]
    pub labels: Vec<Label>,
    /// Until this time the peering reports `provisioning`.
    #[serde(default)]
    pub busy_until_ms: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpcloudWorld {
    #[serde(default)]
    pub networks: BTreeMap<NetworkId, Network>,
    /// Networks of other UpCloud accounts (Aiven's): valid peers, invisible to the user.
    #[serde(default)]
    pub foreign_networks: BTreeSet<NetworkId>,
    #[serde(default)]
    pub routers: BTreeMap<RouterId, Router>,
    #[serde(default)]
    pub peerings: BTreeMap<PeeringId, PeeringRecord>,
}

/// An Aiven project VPC. In an `upcloud-*` cloud it is backed by an UpCloud network of Aiven's
/// own account, whose UUID is the "Aiven network ID".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VpcRecord {
    pub project: String,
    pub project_vpc_id: Uuid,
    pub cloud_name: String,
    pub network_cidr: IpNet,
    pub state: VpcState,
    pub since_ms: u64,
    pub network: NetworkId,
    pub create_time: String,
    #[serde(default)]
    pub peerings: Vec<AivenPeeringRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AivenPeeringRecord {
    pub peering_connection_id: Uuid,
    pub peer_cloud_account: String,
    pub peer_vpc: String,
    pub state: AivenPeeringState,
    pub since_ms: u64,
    #[serde(default)]
    pub state_info: Option<serde_json::Map<String, serde_json::Value>>,
    pub create_time: String,
    pub update_time: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AivenWorld {
    #[serde(default)]
    pub projects: Vec<String>,
    #[serde(default)]
    pub vpcs: BTreeMap<Uuid, VpcRecord>,
}

/// RFC 3339 time as Aiven writes it.
pub fn timestamp(ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.replace_nanosecond(0).unwrap_or(t).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

impl VpcRecord {
    pub fn view(&self) -> Vpc {
        Vpc {
            project_vpc_id: self.project_vpc_id,
            cloud_name: self.cloud_name.clone(),
            network_cidr: self.network_cidr,
            state: self.state,
            create_time: self.create_time.clone(),
            update_time: self.create_time.clone(),
            peering_connections: self.peerings.iter().map(AivenPeeringRecord::view).collect(),
            pending_build_only_peering_connections: None,
        }
    }
}

impl AivenPeeringRecord {
    pub fn view(&self) -> PeeringConnection {
        PeeringConnection {
            peer_cloud_account: self.peer_cloud_account.clone(),
            peer_vpc: self.peer_vpc.clone(),
            peer_region: None,
            peer_resource_group: None,
            peer_azure_app_id: None,
            peer_azure_tenant_id: None,
            peering_connection_id: Some(self.peering_connection_id),
            state: self.state,
            state_info: self.state_info.clone(),
            user_peer_network_cidrs: Vec::new(),
            vpc_peering_connection_type: Some("upcloud-vpc-peering".into()),
            create_time: self.create_time.clone(),
            update_time: self.update_time.clone(),
        }
    }

    fn set(&mut self, state: AivenPeeringState, kind: &str, message: String, extra: Option<(&str, String)>, now: u64) {
        let mut info = serde_json::Map::new();
        info.insert("type".into(), kind.into());
        info.insert("message".into(), message.into());
        if let Some((key, value)) = extra {
            info.insert(key.into(), value.into());
        }
        self.state = state;
        self.state_info = Some(info);
        self.since_ms = now;
        self.update_time = timestamp(now);
    }
}

/// Scaleway's VPC objects, all regions together (each carries its region).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ScalewayWorld {
    #[serde(default)]
    pub vpcs: BTreeMap<Uuid, ScwVpc>,
    #[serde(default)]
    pub private_networks: BTreeMap<Uuid, PrivateNetwork>,
    /// Connectors as stored; `status` and `peer_info` are derived on every read.
    #[serde(default)]
    pub connectors: BTreeMap<Uuid, VpcConnector>,
    /// Custom routes (managed subnet routes are derived from the Private Networks).
    #[serde(default)]
    pub routes: BTreeMap<Uuid, ScwRoute>,
}

/// Everything the emulator knows. `GET /_emulator/world` dumps it; `--seed` loads it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct World {
    #[serde(default)]
    pub upcloud: UpcloudWorld,
    #[serde(default)]
    pub aiven: AivenWorld,
    #[serde(default)]
    pub scaleway: ScalewayWorld,
}

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().expect("demo world ids are valid UUIDs")
}

/// Fixed ids of the demo world, so examples and docs can name them.
pub mod demo {
    pub const ROUTER_A: &str = "04000000-0000-4000-8000-0000000000a1";
    pub const ROUTER_B: &str = "04000000-0000-4000-8000-0000000000b1";
    pub const ROUTER_HEL: &str = "04000000-0000-4000-8000-0000000000c1";
    pub const NETWORK_APP: &str = "03000000-0000-4000-8000-0000000000a1";
    pub const NETWORK_DB: &str = "03000000-0000-4000-8000-0000000000b1";
    pub const NETWORK_NO_ROUTER: &str = "03000000-0000-4000-8000-0000000000d1";
    pub const NETWORK_OVERLAP: &str = "03000000-0000-4000-8000-0000000000e1";
    pub const NETWORK_HELSINKI: &str = "03000000-0000-4000-8000-0000000000c1";
    pub const AIVEN_PROJECT: &str = "demo";
    /// An ACTIVE project VPC in `upcloud-de-fra`, 10.50.0.0/24.
    pub const AIVEN_VPC_FRA: &str = "b0000000-0000-4000-8000-0000000000a1";
    /// Its Aiven network ID (an UpCloud network in Aiven's account).
    pub const AIVEN_NETWORK_FRA: &str = "03000000-0000-4000-8000-0000000000f1";
    /// An ACTIVE project VPC in `upcloud-fi-hel1`, 10.60.0.0/24.
    pub const AIVEN_VPC_HEL: &str = "b0000000-0000-4000-8000-0000000000b1";
    pub const AIVEN_NETWORK_HEL: &str = "03000000-0000-4000-8000-0000000000f2";
    /// The Scaleway project of the demo VPCs.
    pub const SCALEWAY_PROJECT: &str = "5ca1e000-0000-4000-8000-000000000001";
    /// fr-par VPCs A, B (transitivity enabled), C with Private Networks 172.16.0.0/22, 172.16.4.0/22,
    /// 172.16.8.0/22; D overlaps A (172.16.0.0/23); E is in nl-ams (172.16.12.0/22).
    pub const SCALEWAY_VPC_A: &str = "5c000000-0000-4000-8000-0000000000a1";
    pub const SCALEWAY_VPC_B: &str = "5c000000-0000-4000-8000-0000000000b1";
    pub const SCALEWAY_VPC_C: &str = "5c000000-0000-4000-8000-0000000000c1";
    pub const SCALEWAY_VPC_D: &str = "5c000000-0000-4000-8000-0000000000d1";
    pub const SCALEWAY_VPC_E: &str = "5c000000-0000-4000-8000-0000000000e1";
    pub const SCALEWAY_PN_A: &str = "5d000000-0000-4000-8000-0000000000a1";
    pub const SCALEWAY_PN_B: &str = "5d000000-0000-4000-8000-0000000000b1";
    pub const SCALEWAY_PN_C: &str = "5d000000-0000-4000-8000-0000000000c1";
}

pub fn network(uuid: NetworkId, name: &str, zone: &str, cidr: &str, router: Option<RouterId>) -> Network {
    let address: IpNet = cidr.parse().expect("demo CIDRs parse");
    Network {
        uuid,
        name: name.to_string(),
        zone: zone.to_string(),
        kind: "private".to_string(),
        router,
        ip_networks: IpNetworks {
            ip_network: vec![IpNetwork {
                address,
                family: Family::of(&address),
                dhcp: Some(YesNo::Yes),
                dhcp_default_route: Some(YesNo::No),
                gateway: None,
            }],
        },
        labels: Vec::new(),
        servers: Servers::default(),
    }
}

pub fn router(uuid: RouterId, name: &str) -> Router {
    Router {
        uuid,
        name: name.to_string(),
        kind: "normal".to_string(),
        labels: Vec::new(),
        attached_networks: AttachedNetworks::default(),
        static_routes: Vec::new(),
    }
}

impl World {
    /// No networks; the Aiven project `demo` exists.
    pub fn empty() -> World {
        World {
            aiven: AivenWorld { projects: vec![demo::AIVEN_PROJECT.to_string()], ..Default::default() },
            ..Default::default()
        }
    }

    /// A few networks in `de-fra1` (two peerable, one without a router, one overlapping) and
    /// one in `fi-hel1`.
    pub fn demo() -> World {
        let mut world = World::empty();
        let up = &mut world.upcloud;
        for (r, name) in
            [(demo::ROUTER_A, "app-router"), (demo::ROUTER_B, "db-router"), (demo::ROUTER_HEL, "hel-router")]
        {
            up.routers.insert(id(r), router(id(r), name));
        }
        // A NAT gateway's default route, which users cannot change.
        up.routers.get_mut(&id(demo::ROUTER_A)).expect("just added").static_routes.push(StaticRoute {
            name: Some("ngw-demo-default".into()),
            route: "0.0.0.0/0".parse().expect("static CIDR"),
            nexthop: "169.254.16.2".into(),
            kind: Some("service".into()),
        });
        let mut app = network(id(demo::NETWORK_APP), "app", "de-fra1", "10.10.0.0/24", Some(id(demo::ROUTER_A)));
        app.servers
            .server
            .push(ServerRef { uuid: "00d5c4c6-0000-4000-8000-0000000000a1".into(), title: "app-server-1".into() });
        let networks = [
            app,
            network(id(demo::NETWORK_DB), "db", "de-fra1", "10.20.0.0/24", Some(id(demo::ROUTER_B))),
            network(id(demo::NETWORK_NO_ROUTER), "no-router", "de-fra1", "10.30.0.0/24", None),
            network(id(demo::NETWORK_OVERLAP), "overlaps-app", "de-fra1", "10.10.0.128/25", Some(id(demo::ROUTER_B))),
            network(id(demo::NETWORK_HELSINKI), "helsinki", "fi-hel1", "10.40.0.0/24", Some(id(demo::ROUTER_HEL))),
        ];
        for n in networks {
            up.networks.insert(n.uuid, n);
        }
        for (vpc, network, cloud, cidr) in [
            (demo::AIVEN_VPC_FRA, demo::AIVEN_NETWORK_FRA, "upcloud-de-fra", "10.50.0.0/24"),
            (demo::AIVEN_VPC_HEL, demo::AIVEN_NETWORK_HEL, "upcloud-fi-hel1", "10.60.0.0/24"),
        ] {
            let record =
                world.add_vpc(demo::AIVEN_PROJECT, id(vpc), id(network), cloud, cidr.parse().expect("demo CIDR"), 0);
            record.state = VpcState::Active;
        }
        let scw = &mut world.scaleway;
        for (vpc, pn, region, name, v4, v6, transit) in [
            (demo::SCALEWAY_VPC_A, demo::SCALEWAY_PN_A, "fr-par", "a", "172.16.0.0/22", "fd00:a::/64", false),
            (demo::SCALEWAY_VPC_B, demo::SCALEWAY_PN_B, "fr-par", "b", "172.16.4.0/22", "fd00:b::/64", true),
            (demo::SCALEWAY_VPC_C, demo::SCALEWAY_PN_C, "fr-par", "c", "172.16.8.0/22", "fd00:c::/64", false),
            (
                demo::SCALEWAY_VPC_D,
                "5d000000-0000-4000-8000-0000000000d1",
                "fr-par",
                "d",
                "172.16.0.0/23",
                "fd00:d::/64",
                false,
            ),
            (
                demo::SCALEWAY_VPC_E,
                "5d000000-0000-4000-8000-0000000000e1",
                "nl-ams",
                "e",
                "172.16.12.0/22",
                "fd00:e::/64",
                false,
            ),
        ] {
            let vpc = scw.add_vpc(id(vpc), region, &format!("vpc-{name}"), demo::SCALEWAY_PROJECT, transit, 0);
            let subnets = [v4.parse().expect("demo CIDR"), v6.parse().expect("demo CIDR")];
            scw.add_private_network(id(pn), vpc, &format!("pn-{name}"), &subnets, 0);
        }
        world
    }

    /// Adds an `APPROVED` project VPC and the UpCloud network behind it (in Aiven's account).
    pub fn add_vpc(
        &mut self,
        project: &str,
        vpc: Uuid,
        network: NetworkId,
        cloud: &str,
        cidr: IpNet,
        now: u64,
    ) -> &mut VpcRecord {
        let zone = upcloud_zone(cloud).unwrap_or_default();
        let aiven_router = RouterId(Uuid::from_u128(network.0.as_u128() ^ 0x0700_0000_0000_0000_0000_0000_0000_0000));
        let mut backing = self::network(network, &format!("aiven-{vpc}"), &zone, &cidr.to_string(), Some(aiven_router));
        backing.labels.push(Label { key: "aiven-project-vpc".into(), value: vpc.to_string() });
        self.upcloud.networks.insert(network, backing);
        self.upcloud.foreign_networks.insert(network);
        self.aiven.vpcs.entry(vpc).or_insert(VpcRecord {
            project: project.to_string(),
            project_vpc_id: vpc,
            cloud_name: cloud.to_string(),
            network_cidr: cidr,
            state: VpcState::Approved,
            since_ms: now,
            network,
            create_time: timestamp(now),
            peerings: Vec::new(),
        })
    }

    /// Moves every Aiven object whose transition is due; called before each request so that
    /// both clouds' APIs see one consistent world.
    pub fn advance(&mut self, now: u64, transition_ms: u64) {
        let due = |since: u64| now >= since.saturating_add(transition_ms);
        let mut gone_vpcs = Vec::new();
        for vpc in self.aiven.vpcs.values_mut() {
            match vpc.state {
                VpcState::Approved if due(vpc.since_ms) => {
                    vpc.state = VpcState::Active;
                    vpc.since_ms = now;
                }
                VpcState::Deleting if due(vpc.since_ms) => gone_vpcs.push(vpc.project_vpc_id),
                _ => {}
            }
            for peering in &mut vpc.peerings {
                advance_peering(peering, vpc.network, &vpc.cloud_name, vpc.network_cidr, &mut self.upcloud, now, due);
            }
            vpc.peerings.retain(|p| !(p.state == AivenPeeringState::Deleted && due(p.since_ms)));
        }
        for id in gone_vpcs {
            if let Some(vpc) = self.aiven.vpcs.remove(&id) {
                self.upcloud.networks.remove(&vpc.network);
                self.upcloud.foreign_networks.remove(&vpc.network);
                self.upcloud.peerings.retain(|_, p| p.network != vpc.network);
            }
        }
    }
}

/// The id of the UpCloud half Aiven creates for one of its peerings.
fn aiven_side_peering_id(peering: Uuid) -> PeeringId {
    let bits = (peering.as_u128() & !(0xff << 120)) | (0x0f << 120);
    PeeringId(Uuid::from_u128(bits))
}

/// Why Aiven would refuse to build a peering toward this UpCloud network.
fn invalid_specification(up: &UpcloudWorld, network: &str, cloud: &str, cidr: IpNet) -> Option<String> {
    let Some(peer) = network
        .parse::<NetworkId>()
        .ok()
        .filter(|id| !up.foreign_networks.contains(id))
        .and_then(|id| up.networks.get(&id))
    else {
        return Some(format!("UpCloud network {network} does not exist"));
    };
    let zone = upcloud_zone(cloud).unwrap_or_default();
    if peer.zone != zone {
        return Some(format!(
            "UpCloud network {network} is in zone {}, but the project VPC is in cloud {cloud} (zone {zone})",
            peer.zone
        ));
    }
    if let Some((_, theirs)) = first_overlap(&[cidr], &peer.cidrs()) {
        return Some(format!("Peer network CIDR {theirs} overlaps with the project VPC CIDR {cidr}"));
    }
    None
}

fn advance_peering(
    peering: &mut AivenPeeringRecord,
    aiven_network: NetworkId,
    cloud: &str,
    cidr: IpNet,
    up: &mut UpcloudWorld,
    now: u64,
    due: impl Fn(u64) -> bool,
) {
    let hidden = aiven_side_peering_id(peering.peering_connection_id);
    let user_half_ready = || {
        up.peerings.values().any(|p| {
            p.network.to_string() == peering.peer_vpc
                && p.peer_network == aiven_network
                && p.configured_status == ConfiguredStatus::Active
                && now >= p.busy_until_ms
        })
    };
    let user_half_exists =
        || up.peerings.values().any(|p| p.network.to_string() == peering.peer_vpc && p.peer_network == aiven_network);
    match peering.state {
        AivenPeeringState::Approved if due(peering.since_ms) => {
            match invalid_specification(up, &peering.peer_vpc, cloud, cidr) {
                Some(why) => {
                    peering.set(AivenPeeringState::InvalidSpecification, "invalid-specification", why, None, now)
                }
                None => {
                    // Aiven builds its half on UpCloud: a peering from its network toward ours.
                    let peer = peering.peer_vpc.parse().expect("validated above");
                    up.peerings.insert(
                        hidden,
                        PeeringRecord {
                            uuid: hidden,
                            name: format!("aiven-{}", peering.peering_connection_id),
                            configured_status: ConfiguredStatus::Active,
                            network: aiven_network,
                            peer_network: peer,
                            labels: Vec::new(),
                            busy_until_ms: 0,
                        },
                    );
                    let message = format!(
                        "Create an UpCloud network peering from network {} to the Aiven network {aiven_network}",
                        peering.peer_vpc
                    );
                    let extra = Some(("to-network-id", aiven_network.to_string()));
                    peering.set(AivenPeeringState::PendingPeer, "pending-peer", message, extra, now);
                }
            }
        }
        AivenPeeringState::PendingPeer if user_half_ready() => {
            // Aiven stops showing the network ID once the peering is active.
            peering.set(AivenPeeringState::Active, "active", "Peering connection is active".into(), None, now);
        }
        AivenPeeringState::Active if !user_half_exists() => {
            let message = format!("The UpCloud network peering from {} was deleted by the peer", peering.peer_vpc);
            peering.set(AivenPeeringState::DeletedByPeer, "deleted-by-peer", message, None, now);
        }
        AivenPeeringState::Deleting if due(peering.since_ms) => {
            peering.set(AivenPeeringState::Deleted, "deleted", "Peering connection deleted".into(), None, now);
        }
        _ => {}
    }
    if matches!(peering.state, AivenPeeringState::Deleting | AivenPeeringState::Deleted) {
        up.peerings.remove(&hidden);
    }
}

impl UpcloudWorld {
    /// Whether the user's account sees this network (Aiven's networks are another account's).
    pub fn is_visible(&self, network: NetworkId) -> bool {
        !self.foreign_networks.contains(&network)
    }

    /// A router as the API shows it, with the networks attached to it.
    pub fn router_view(&self, id: RouterId) -> Option<Router> {
        let mut router = self.routers.get(&id)?.clone();
        router.attached_networks = AttachedNetworks {
            network: self
                .networks
                .values()
                .filter(|n| n.router == Some(id))
                .map(|n| NetworkUuid { uuid: n.uuid })
                .collect(),
        };
        Some(router)
    }

    fn reverse_of(&self, p: &PeeringRecord) -> Option<&PeeringRecord> {
        self.peerings.values().find(|r| r.network == p.peer_network && r.peer_network == p.network)
    }

    /// The state UpCloud would report for a peering right now.
    pub fn peering_state(&self, p: &PeeringRecord, now: u64) -> PeeringState {
        if now < p.busy_until_ms {
            return PeeringState::Provisioning;
        }
        if p.configured_status == ConfiguredStatus::Disabled {
            return PeeringState::Disabled;
        }
        let Some(local) = self.networks.get(&p.network) else {
            return PeeringState::Error;
        };
        if local.router.is_none() {
            return PeeringState::MissingLocalRouter;
        }
        let Some(peer) = self.networks.get(&p.peer_network) else {
            return PeeringState::DeletedPeerNetwork;
        };
        if peer.router.is_none() {
            return PeeringState::MissingPeerRouter;
        }
        if first_overlap(&local.cidrs(), &peer.cidrs()).is_some() {
            return PeeringState::ConflictSubnet;
        }
        match self.reverse_of(p) {
            None => PeeringState::PendingPeer,
            Some(r) if r.configured_status == ConfiguredStatus::Disabled => PeeringState::PeerDisabled,
            Some(r) if now < r.busy_until_ms => PeeringState::PendingPeer,
            Some(_) => PeeringState::Active,
        }
    }

    fn addresses(&self, network: NetworkId) -> Option<PeeringIpNetworks> {
        let n = self.networks.get(&network)?;
        Some(PeeringIpNetworks {
            ip_network: n
                .ip_networks
                .ip_network
                .iter()
                .map(|ip| PeeringAddress { address: ip.address, family: ip.family })
                .collect(),
        })
    }

    /// A peering as the API shows it.
    pub fn peering_view(&self, p: &PeeringRecord, now: u64) -> NetworkPeering {
        let both_sides = self.reverse_of(p).is_some();
        NetworkPeering {
            uuid: p.uuid,
            name: p.name.clone(),
            configured_status: p.configured_status,
            state: self.peering_state(p, now),
            network: PeeringNetwork { uuid: p.network, ip_networks: self.addresses(p.network) },
            peer_network: PeeringNetwork {
                uuid: p.peer_network,
                // Visible only once both sides have a peering.
                ip_networks: if both_sides { self.addresses(p.peer_network) } else { None },
            },
            labels: p.labels.clone(),
        }
    }
}

impl ScalewayWorld {
    pub fn add_vpc(&mut self, id: Uuid, region: &str, name: &str, project: &str, transitivity: bool, now: u64) -> Uuid {
        self.vpcs.insert(
            id,
            ScwVpc {
                id,
                name: name.to_string(),
                project_id: project.to_string(),
                organization_id: project.to_string(),
                region: region.to_string(),
                tags: Vec::new(),
                is_default: false,
                routing_enabled: true,
                transitivity_enabled: Some(transitivity),
                private_network_count: 0,
                created_at: timestamp(now),
                updated_at: timestamp(now),
            },
        );
        id
    }

    pub fn add_private_network(&mut self, id: Uuid, vpc: Uuid, name: &str, subnets: &[IpNet], now: u64) {
        let (region, project) =
            self.vpcs.get(&vpc).map(|v| (v.region.clone(), v.project_id.clone())).unwrap_or_default();
        let subnets = subnets
            .iter()
            .enumerate()
            .map(|(i, net)| Subnet {
                id: Uuid::from_u128(id.as_u128() ^ (i as u128 + 1)),
                subnet: *net,
                private_network_id: Some(id),
                vpc_id: Some(vpc),
                created_at: timestamp(now),
                updated_at: timestamp(now),
            })
            .collect();
        let pn = PrivateNetwork {
            id,
            name: name.to_string(),
            vpc_id: vpc,
            region,
            project_id: project,
            tags: Vec::new(),
            subnets,
            dhcp_enabled: true,
            created_at: timestamp(now),
            updated_at: timestamp(now),
        };
        self.private_networks.insert(id, pn);
    }

    /// Every subnet of a VPC.
    pub fn subnets_of(&self, vpc: Uuid) -> Vec<&Subnet> {
        self.private_networks.values().filter(|pn| pn.vpc_id == vpc).flat_map(|pn| pn.subnets.iter()).collect()
    }

    /// Pairs of overlapping subnets, ours first.
    pub fn overlaps(&self, vpc: Uuid, target: Uuid) -> Vec<(&Subnet, &Subnet)> {
        let theirs = self.subnets_of(target);
        let mut pairs = Vec::new();
        for a in self.subnets_of(vpc) {
            for b in &theirs {
                if crate::net::overlaps(&a.subnet, &b.subnet) {
                    pairs.push((a, *b));
                }
            }
        }
        pairs
    }

    /// A connector as the API shows it: `conflict` on any overlap, `peered` once the reverse
    /// connector exists in the same region, `orphan` before.
    pub fn connector_view(&self, c: &VpcConnector) -> VpcConnector {
        let mut view = c.clone();
        let reverse = self
            .connectors
            .values()
            .any(|r| r.vpc_id == c.target_vpc_id && r.target_vpc_id == c.vpc_id && r.region == c.region);
        view.status = if !self.overlaps(c.vpc_id, c.target_vpc_id).is_empty() {
            ConnectorStatus::Conflict
        } else if reverse {
            ConnectorStatus::Peered
        } else {
            ConnectorStatus::Orphan
        };
        view.peer_info = (view.status == ConnectorStatus::Peered).then(|| {
            let target = self.vpcs.get(&c.target_vpc_id);
            PeerInfo {
                organization_id: target.map(|t| t.organization_id.clone()).unwrap_or_default(),
                project_id: target.map(|t| t.project_id.clone()).unwrap_or_default(),
                vpc_name: target.map(|t| t.name.clone()).unwrap_or_default(),
            }
        });
        view
    }

    /// The read-only routes Scaleway manages: one per Private Network subnet.
    pub fn managed_routes(&self, vpc: Uuid) -> Vec<ScwRoute> {
        let mut routes = Vec::new();
        for pn in self.private_networks.values().filter(|pn| pn.vpc_id == vpc) {
            for s in &pn.subnets {
                routes.push(ScwRoute {
                    id: String::new(),
                    description: "Local Private Network route".into(),
                    tags: vec!["MANAGED".into()],
                    vpc_id: vpc,
                    destination: s.subnet,
                    nexthop_resource_id: None,
                    nexthop_private_network_id: Some(pn.id),
                    nexthop_vpc_connector_id: None,
                    is_read_only: true,
                    kind: RouteType::Subnet,
                    region: pn.region.clone(),
                    created_at: pn.created_at.clone(),
                    updated_at: pn.updated_at.clone(),
                });
            }
        }
        routes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(uuid: u128, from: &str, to: &str) -> PeeringRecord {
        PeeringRecord {
            uuid: PeeringId(uuid::Uuid::from_u128(uuid)),
            name: "p".into(),
            configured_status: ConfiguredStatus::Active,
            network: id(from),
            peer_network: id(to),
            labels: Vec::new(),
            busy_until_ms: 0,
        }
    }

    #[test]
    fn one_half_is_pending_and_two_are_active() {
        let mut world = World::demo().upcloud;
        let a = record(1, demo::NETWORK_APP, demo::NETWORK_DB);
        assert_eq!(world.peering_state(&a, now_ms()), PeeringState::PendingPeer);
        let b = record(2, demo::NETWORK_DB, demo::NETWORK_APP);
        world.peerings.insert(b.uuid, b.clone());
        assert_eq!(world.peering_state(&a, now_ms()), PeeringState::Active);
        // Still configuring: provisioning, and the other side waits for it.
        world.peerings.get_mut(&b.uuid).unwrap().busy_until_ms = u64::MAX;
        assert_eq!(world.peering_state(&world.peerings[&b.uuid].clone(), now_ms()), PeeringState::Provisioning);
        assert_eq!(world.peering_state(&a, now_ms()), PeeringState::PendingPeer);
        world.peerings.get_mut(&b.uuid).unwrap().busy_until_ms = 0;
        world.peerings.get_mut(&b.uuid).unwrap().configured_status = ConfiguredStatus::Disabled;
        assert_eq!(world.peering_state(&a, now_ms()), PeeringState::PeerDisabled);
    }

    #[test]
    fn failure_states_follow_the_world() {
        let mut world = World::demo().upcloud;
        let overlap = record(1, demo::NETWORK_APP, demo::NETWORK_OVERLAP);
        assert_eq!(world.peering_state(&overlap, now_ms()), PeeringState::ConflictSubnet);
        let to_no_router = record(2, demo::NETWORK_APP, demo::NETWORK_NO_ROUTER);
        assert_eq!(world.peering_state(&to_no_router, now_ms()), PeeringState::MissingPeerRouter);
        let from_no_router = record(3, demo::NETWORK_NO_ROUTER, demo::NETWORK_APP);
        assert_eq!(world.peering_state(&from_no_router, now_ms()), PeeringState::MissingLocalRouter);
        world.networks.remove(&id(demo::NETWORK_DB));
        let dangling = record(4, demo::NETWORK_APP, demo::NETWORK_DB);
        assert_eq!(world.peering_state(&dangling, now_ms()), PeeringState::DeletedPeerNetwork);
    }
}
