//! Aiven's JSON as the emulator speaks it: its own types. Aiven publishes no recordings; the
//! shapes follow its SDK's generated types (aiven/go-client-codegen `handler/vpc/vpc.go`,
//! `handler/project/project.go`), UNVERIFIED against live traffic. Requests are strict.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use peering_net::IpNet;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum VpcState {
    Approved,
    Active,
    Deleting,
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
/// All ten of `VpcPeeringConnectionStateType` (aiven/go-client-codegen `handler/vpc/vpc.go`).
pub enum PeeringState {
    Approved,
    ApprovedPeerRequested,
    PendingPeer,
    Active,
    Deleting,
    Deleted,
    DeletedByPeer,
    RejectedByPeer,
    InvalidSpecification,
    Error,
}

impl PeeringState {
    pub fn as_str(self) -> &'static str {
        match self {
            PeeringState::Approved => "APPROVED",
            PeeringState::PendingPeer => "PENDING_PEER",
            PeeringState::Active => "ACTIVE",
            PeeringState::Deleting => "DELETING",
            PeeringState::Deleted => "DELETED",
            PeeringState::DeletedByPeer => "DELETED_BY_PEER",
            PeeringState::InvalidSpecification => "INVALID_SPECIFICATION",
            PeeringState::ApprovedPeerRequested => "APPROVED_PEER_REQUESTED",
            PeeringState::RejectedByPeer => "REJECTED_BY_PEER",
            PeeringState::Error => "ERROR",
        }
    }
}

/// `state_info`: the SDK's `StateInfoOut` has `message`, `type` and `warnings`, and Aiven adds
/// per-cloud keys beside them: a user's Azure peering in aiven/terraform-provider-aiven#304
/// (2020) carries `to-tenant-id` and `to-network-id`, and `avn vpc peering-connection get -v`
/// prints every such key. UNVERIFIED for UpCloud (nothing recorded): the Aiven network ID is
/// given both under `to-network-id` and in the message's words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StateInfo {
    pub message: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(rename = "to-network-id", default, skip_serializing_if = "Option::is_none")]
    pub to_network_id: Option<String>,
}

/// A peering connection as answered (`PeeringConnectionOut`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeeringView {
    pub create_time: String,
    pub peer_azure_app_id: String,
    pub peer_azure_tenant_id: String,
    pub peer_cloud_account: String,
    pub peer_resource_group: String,
    pub peer_vpc: String,
    /// `*string …omitempty` in the SDK's `PeeringConnectionOut`: Aiven may leave it out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peering_connection_id: Option<Uuid>,
    pub state: PeeringState,
    /// May be null (aiven/aiven-client `cli.py` checks for it; aiven/terraform-provider-aiven#304).
    pub state_info: Option<StateInfo>,
    pub update_time: String,
    pub user_peer_network_cidrs: Vec<String>,
    pub vpc_peering_connection_type: String,
}

/// A project VPC as answered by VpcGet, VpcCreate and VpcDelete.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VpcView {
    pub cloud_name: String,
    pub create_time: String,
    pub network_cidr: IpNet,
    pub peering_connections: Vec<PeeringView>,
    pub project_vpc_id: Uuid,
    pub state: VpcState,
    pub update_time: String,
}

/// A list item of VpcList (`VpcOut`): no peerings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct VpcSummary {
    pub cloud_name: String,
    pub create_time: String,
    pub network_cidr: IpNet,
    pub project_vpc_id: Uuid,
    pub state: VpcState,
    pub update_time: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VpcList {
    pub vpcs: Vec<VpcSummary>,
}

/// `POST /v1/project/{project}/vpcs` (`VpcCreateIn`: all three required).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVpcRequest {
    pub cloud_name: String,
    pub network_cidr: String,
    pub peering_connections: Vec<CreatePeeringRequest>,
}

/// `POST …/peering-connections` (`VpcPeeringConnectionCreateIn`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePeeringRequest {
    pub peer_cloud_account: String,
    pub peer_vpc: String,
    #[serde(default)]
    pub peer_region: Option<String>,
    #[serde(default)]
    pub peer_resource_group: Option<String>,
    #[serde(default)]
    pub user_peer_network_cidrs: Option<Vec<String>>,
}
