//! UpCloud's part of the emulated world: networks, routers, peerings, and the rules that derive
//! a peering's state and a router's attached networks on every read.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::wire::{
    AttachedNetworks, ConfiguredStatus, Family, IpNetwork, IpNetworks, Label, Network, NetworkUuid, PeeringAddress,
    PeeringIpNetworks, PeeringNetwork, PeeringState, PeeringView, Router, RouterView, Servers, YesNo,
};
use peering_net::{IpNet, UpcloudNetworkId, UpcloudPeeringId, UpcloudRouterId, first_overlap};

/// A network peering as stored; its `state` is derived on every read.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeeringRecord {
    pub uuid: UpcloudPeeringId,
    pub name: String,
    pub configured_status: ConfiguredStatus,
    pub network: UpcloudNetworkId,
    pub peer_network: UpcloudNetworkId,
    #[serde(default)]
    pub labels: Vec<Label>,
    /// Until this time the peering reports `provisioning`.
    #[serde(default)]
    pub busy_until_ms: u64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct UpcloudWorld {
    #[serde(default)]
    pub networks: BTreeMap<UpcloudNetworkId, Network>,
    /// Networks of other UpCloud accounts (Aiven's): valid peers, invisible to the user.
    #[serde(default)]
    pub foreign_networks: BTreeSet<UpcloudNetworkId>,
    /// Answer a foreign network `403 NETWORK_FORBIDDEN` rather than `404 NETWORK_NOT_FOUND`: the
    /// code is in UpCloudLtd/upcloud-go-api `upcloud/error_codes.go`, but which of the two the
    /// API says about another account's network is unrecorded (docs/guides/emulator.md).
    #[serde(default)]
    pub forbids_foreign_networks: bool,
    #[serde(default)]
    pub routers: BTreeMap<UpcloudRouterId, Router>,
    #[serde(default)]
    pub peerings: BTreeMap<UpcloudPeeringId, PeeringRecord>,
}

pub fn network(uuid: UpcloudNetworkId, name: &str, zone: &str, cidr: &str, router: Option<UpcloudRouterId>) -> Network {
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
                dhcp: YesNo::Yes,
                dhcp_default_route: YesNo::No,
                dhcp_dns: None,
                dhcp_routes: None,
                gateway: gateway_of(&address),
            }],
        },
        labels: Vec::new(),
        servers: Servers::default(),
    }
}

/// The first address of an IPv4 range, as UpCloud's recorded networks carry it.
pub fn gateway_of(address: &IpNet) -> Option<String> {
    match address {
        IpNet::V4(v4) => Some(std::net::Ipv4Addr::from(u32::from(v4.network()) + 1).to_string()),
        IpNet::V6(_) => None,
    }
}

pub fn router(uuid: UpcloudRouterId, name: &str) -> Router {
    Router { uuid, name: name.to_string(), kind: "normal".to_string(), labels: Vec::new(), static_routes: Vec::new() }
}

impl UpcloudWorld {
    /// Whether the user's account sees this network (Aiven's networks are another account's).
    pub fn is_visible(&self, network: UpcloudNetworkId) -> bool {
        !self.foreign_networks.contains(&network)
    }

    /// A router as the API shows it, with the networks attached to it.
    pub fn router_view(&self, id: UpcloudRouterId) -> Option<RouterView> {
        let router = self.routers.get(&id)?.clone();
        let network =
            self.networks.values().filter(|n| n.router == Some(id)).map(|n| NetworkUuid { uuid: n.uuid }).collect();
        Some(RouterView {
            uuid: router.uuid,
            name: router.name,
            kind: router.kind,
            labels: router.labels,
            attached_networks: AttachedNetworks { network },
            attached_network_gateways: Vec::new(),
            static_routes: router.static_routes,
        })
    }

    fn reverse_of(&self, p: &PeeringRecord) -> Option<&PeeringRecord> {
        self.peerings.values().find(|r| r.network == p.peer_network && r.peer_network == p.network)
    }

    /// The state UpCloud would report for a peering right now.
    pub fn peering_state(&self, p: &PeeringRecord, now: u64) -> PeeringState {
        if now < p.busy_until_ms {
            return PeeringState::Provisioning;
        }
        // A peer network that is gone is said before `disabled`: UNVERIFIED (nothing recorded
        // shows which wins), and the harder case for a client that deletes the half.
        let Some(local) = self.networks.get(&p.network) else {
            return PeeringState::Error;
        };
        let Some(peer) = self.networks.get(&p.peer_network) else {
            return PeeringState::DeletedPeerNetwork;
        };
        if p.configured_status == ConfiguredStatus::Disabled {
            return PeeringState::Disabled;
        }
        if local.router.is_none() {
            return PeeringState::MissingLocalRouter;
        }
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

    fn addresses(&self, network: UpcloudNetworkId) -> Option<PeeringIpNetworks> {
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
    pub fn peering_view(&self, p: &PeeringRecord, now: u64) -> PeeringView {
        let both_sides = self.reverse_of(p).is_some();
        PeeringView {
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
    use crate::world::{World, demo};

    /// Any time: these records are busy until 0 (settled) or `u64::MAX` (never).
    fn now_ms() -> u64 {
        1_000
    }

    fn id<T: std::str::FromStr>(s: &str) -> T
    where
        T::Err: std::fmt::Debug,
    {
        s.parse().unwrap()
    }

    fn record(uuid: u128, from: &str, to: &str) -> PeeringRecord {
        PeeringRecord {
            uuid: UpcloudPeeringId(uuid::Uuid::from_u128(uuid)),
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
