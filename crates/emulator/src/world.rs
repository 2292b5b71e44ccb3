//! The one world the emulated clouds share: each cloud's part (in its own module), the demo
//! world, and the transitions that cross clouds (an Aiven VPC is backed by an UpCloud network).

use uuid::Uuid;

use serde::{Deserialize, Serialize};

use super::aiven::state::{AivenWorld, VpcRecord, advance_peering};
use super::aiven::wire::{PeeringState as AivenPeeringState, VpcState};
use super::scaleway::state::ScalewayWorld;
use super::upcloud::state::{UpcloudWorld, network, router};
use super::upcloud::wire::{Label, ServerRef, StaticRoute};
use peering_net::{IpNet, UpcloudNetworkId, UpcloudRouterId};

use super::clock::timestamp;

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

    /// Every peering half and custom route, each named once (`upcloud-peering <uuid>`, `upcloud-route
    /// <router> <destination>`, …): what the object log ([`super::ObjectLog`]) compares.
    pub fn object_names(&self) -> std::collections::BTreeSet<String> {
        let mut names = std::collections::BTreeSet::new();
        // A half from an Aiven network is Aiven's own side of an Aiven peering, which it names.
        let users = self.upcloud.peerings.values().filter(|p| !self.upcloud.foreign_networks.contains(&p.network));
        names.extend(users.map(|p| format!("upcloud-peering {}", p.uuid)));
        for router in self.upcloud.routers.values() {
            names.extend(router.static_routes.iter().map(|r| format!("upcloud-route {} {}", router.uuid, r.route)));
        }
        for vpc in self.aiven.vpcs.values() {
            // Aiven keeps a deleted peering listed for a while: gone all the same.
            let live = vpc
                .peerings
                .iter()
                .filter(|p| !matches!(p.state, AivenPeeringState::Deleting | AivenPeeringState::Deleted));
            names.extend(live.map(|p| format!("aiven-peering {}", p.peering_connection_id)));
        }
        names.extend(self.scaleway.connectors.keys().map(|id| format!("scaleway-connector {id}")));
        names.extend(self.scaleway.routes.keys().map(|id| format!("scaleway-route {id}")));
        names
    }

    /// Adds an `APPROVED` project VPC and the UpCloud network behind it (in Aiven's account).
    pub fn add_vpc(
        &mut self,
        project: &str,
        vpc: Uuid,
        network: UpcloudNetworkId,
        cloud: &str,
        cidr: IpNet,
        now: u64,
    ) -> &mut VpcRecord {
        let zone = super::aiven::clouds::zones(cloud).and_then(|z| z.first()).copied().unwrap_or_default();
        let aiven_router =
            UpcloudRouterId(Uuid::from_u128(network.0.as_u128() ^ 0x0700_0000_0000_0000_0000_0000_0000_0000));
        let mut backing = self::network(network, &format!("aiven-{vpc}"), zone, &cidr.to_string(), Some(aiven_router));
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
            update_time: timestamp(now),
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
                VpcState::Approved if due(vpc.since_ms) => vpc.set_state(VpcState::Active, now),
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
