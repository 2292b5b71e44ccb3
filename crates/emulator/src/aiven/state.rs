//! Aiven's part of the emulated world: project VPCs and their peerings, and how a peering moves
//! (APPROVED → PENDING_PEER once Aiven has built its UpCloud half → ACTIVE once the user's UpCloud
//! half answers).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::wire::{PeeringState as AivenPeeringState, PeeringView, StateInfo, VpcState, VpcSummary, VpcView};
use crate::clock::timestamp;
use crate::upcloud::state::{PeeringRecord, UpcloudWorld};
use crate::upcloud::wire::ConfiguredStatus;
use peering_net::{IpNet, UpcloudNetworkId, UpcloudPeeringId, first_overlap};

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
    pub network: UpcloudNetworkId,
    pub create_time: String,
    pub update_time: String,
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
    pub state_info: Option<StateInfo>,
    pub create_time: String,
    pub update_time: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AivenWorld {
    #[serde(default)]
    pub projects: Vec<String>,
    /// Answer peerings without `peering_connection_id`, which Aiven's API types make optional
    /// (aiven/go-client-codegen `handler/vpc/vpc.go`, `PeeringConnectionId *string …omitempty`).
    #[serde(default)]
    pub omits_peering_ids: bool,
    #[serde(default)]
    pub vpcs: BTreeMap<Uuid, VpcRecord>,
}

impl VpcRecord {
    pub fn view(&self, omits_peering_ids: bool) -> VpcView {
        VpcView {
            cloud_name: self.cloud_name.clone(),
            create_time: self.create_time.clone(),
            network_cidr: self.network_cidr,
            peering_connections: self.peerings.iter().map(|p| p.view(omits_peering_ids)).collect(),
            project_vpc_id: self.project_vpc_id,
            state: self.state,
            update_time: self.update_time.clone(),
        }
    }

    pub fn summary(&self) -> VpcSummary {
        VpcSummary {
            cloud_name: self.cloud_name.clone(),
            create_time: self.create_time.clone(),
            network_cidr: self.network_cidr,
            project_vpc_id: self.project_vpc_id,
            state: self.state,
            update_time: self.update_time.clone(),
        }
    }

    pub fn set_state(&mut self, state: VpcState, now: u64) {
        self.state = state;
        self.since_ms = now;
        self.update_time = timestamp(now);
    }
}

impl AivenPeeringRecord {
    pub fn view(&self, omits_peering_id: bool) -> PeeringView {
        PeeringView {
            create_time: self.create_time.clone(),
            peer_azure_app_id: String::new(),
            peer_azure_tenant_id: String::new(),
            peer_cloud_account: self.peer_cloud_account.clone(),
            peer_resource_group: String::new(),
            peer_vpc: self.peer_vpc.clone(),
            peering_connection_id: (!omits_peering_id).then_some(self.peering_connection_id),
            state: self.state,
            state_info: self.state_info.clone(),
            update_time: self.update_time.clone(),
            user_peer_network_cidrs: Vec::new(),
            vpc_peering_connection_type: "upcloud-vpc-peering".into(),
        }
    }

    pub fn set(&mut self, state: AivenPeeringState, kind: &str, message: String, now: u64) {
        self.state = state;
        self.state_info = Some(StateInfo { message, kind: kind.to_string(), to_network_id: None });
        self.since_ms = now;
        self.update_time = timestamp(now);
    }
}

/// The id of the UpCloud half Aiven creates for one of its peerings.
fn aiven_side_peering_id(peering: Uuid) -> UpcloudPeeringId {
    let bits = (peering.as_u128() & !(0xff << 120)) | (0x0f << 120);
    UpcloudPeeringId(Uuid::from_u128(bits))
}

/// Why Aiven would refuse to build a peering toward this UpCloud network.
/// The user's network a peering names, or why Aiven would call it an invalid specification.
fn peer_network(up: &UpcloudWorld, network: &str, cloud: &str, cidr: IpNet) -> Result<UpcloudNetworkId, String> {
    let Some((id, peer)) = network
        .parse::<UpcloudNetworkId>()
        .ok()
        .filter(|id| !up.foreign_networks.contains(id))
        .and_then(|id| Some((id, up.networks.get(&id)?)))
    else {
        return Err(format!("UpCloud network {network} does not exist"));
    };
    // "The networks to be peered need to be in the same cloud zone" (aiven/devportal
    // vpc-peering-upcloud.rst); a cloud spanning two zones peers with either.
    let zones = super::clouds::zones(cloud).unwrap_or_default();
    if !zones.contains(&peer.zone.as_str()) {
        return Err(format!(
            "UpCloud network {network} is in zone {}, but the project VPC is in cloud {cloud} (zone {})",
            peer.zone,
            zones.join(", ")
        ));
    }
    if let Some((_, theirs)) = first_overlap(&[cidr], &peer.cidrs()) {
        return Err(format!("Peer network CIDR {theirs} overlaps with the project VPC CIDR {cidr}"));
    }
    Ok(id)
}

pub fn advance_peering(
    peering: &mut AivenPeeringRecord,
    aiven_network: UpcloudNetworkId,
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
            match peer_network(up, &peering.peer_vpc, cloud, cidr) {
                Err(why) => peering.set(AivenPeeringState::InvalidSpecification, "invalid-specification", why, now),
                Ok(peer) => {
                    // Aiven builds its half on UpCloud: a peering from its network toward ours.
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
                    peering.set(AivenPeeringState::PendingPeer, "pending-peer", message, now);
                    if let Some(info) = &mut peering.state_info {
                        info.to_network_id = Some(aiven_network.to_string());
                    }
                }
            }
        }
        AivenPeeringState::PendingPeer if user_half_ready() => {
            // Aiven stops showing the network ID once the peering is active.
            peering.set(AivenPeeringState::Active, "active", "Peering connection is active".into(), now);
        }
        AivenPeeringState::Active if !user_half_exists() => {
            let message = format!("The UpCloud network peering from {} was deleted by the peer", peering.peer_vpc);
            peering.set(AivenPeeringState::DeletedByPeer, "deleted-by-peer", message, now);
        }
        AivenPeeringState::Deleting if due(peering.since_ms) => {
            peering.set(AivenPeeringState::Deleted, "deleted", "Peering connection deleted".into(), now);
        }
        _ => {}
    }
    if matches!(peering.state, AivenPeeringState::Deleting | AivenPeeringState::Deleted) {
        up.peerings.remove(&hidden);
    }
}
