//! The one world the emulated clouds share, and the rules that derive each object's state.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::clouds::upcloud::{
    AttachedNetworks, ConfiguredStatus, Family, IpNetwork, IpNetworks, Label, Network, NetworkPeering, NetworkUuid,
    PeeringAddress, PeeringIpNetworks, PeeringNetwork, PeeringState, Router, ServerRef, Servers, YesNo,
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
    #[serde(default)]
    pub routers: BTreeMap<RouterId, Router>,
    #[serde(default)]
    pub peerings: BTreeMap<PeeringId, PeeringRecord>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AivenWorld {
    /// Projects that exist; VPCs and peerings arrive with the Aiven API.
    #[serde(default)]
    pub projects: Vec<String>,
}

/// Everything the emulator knows. `GET /_emulator/world` dumps it; `--seed` loads it.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct World {
    #[serde(default)]
    pub upcloud: UpcloudWorld,
    #[serde(default)]
    pub aiven: AivenWorld,
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
        World { aiven: AivenWorld { projects: vec!["demo".to_string()] }, ..Default::default() }
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
        world
    }
}

impl UpcloudWorld {
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
