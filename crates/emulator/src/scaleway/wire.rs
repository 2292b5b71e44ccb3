//! Scaleway's VPC v2 JSON as the emulator speaks it: its own types, written from recorded
//! traffic (`tests/golden/scaleway/`, from terraform-provider-scaleway's
//! `internal/services/vpc/testdata/` cassettes), never the client's. Requests are strict.
//!
//! UNVERIFIED (never recorded): `peer_info` of a `peered` connector and the `subnet-overlaps`
//! list follow scaleway-sdk-go `api/vpc/v2` types.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use peering_net::IpNet;

/// A VPC as stored and answered (the newest recorded shape).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: Uuid,
    pub name: String,
    pub organization_id: String,
    pub project_id: String,
    pub region: String,
    pub tags: Vec<String>,
    pub is_default: bool,
    pub routing_enabled: bool,
    pub custom_routes_propagation_enabled: bool,
    pub s3_integration_enabled: bool,
    pub transitivity_enabled: bool,
    /// Counted on every read from the Private Networks.
    pub private_network_count: u32,
    pub created_at: String,
    pub updated_at: String,
}

/// `POST …/vpcs`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateVpcRequest {
    pub name: String,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub enable_routing: Option<bool>,
    #[serde(default)]
    pub enable_transitivity: bool,
}

/// `PATCH …/vpcs/{id}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VpcChanges {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    pub id: Uuid,
    pub subnet: IpNet,
    pub private_network_id: Uuid,
    pub vpc_id: Uuid,
    pub project_id: String,
    pub region: String,
    pub created_at: String,
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateNetwork {
    pub id: Uuid,
    pub name: String,
    pub vpc_id: Uuid,
    pub region: String,
    pub organization_id: String,
    pub project_id: String,
    pub tags: Vec<String>,
    pub subnets: Vec<Subnet>,
    pub dhcp_enabled: bool,
    pub default_route_propagation_enabled: bool,
    pub has_s3_integration: bool,
    pub created_at: String,
    pub updated_at: String,
}

/// `POST …/private-networks`: without `vpc_id` it goes into the region's default VPC.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePrivateNetworkRequest {
    pub name: String,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// CIDRs; an IPv4 /22 and an IPv6 /64 are picked when none is given.
    #[serde(default)]
    pub subnets: Option<Vec<IpNet>>,
    #[serde(default)]
    pub vpc_id: Option<Uuid>,
    #[serde(default)]
    pub default_route_propagation_enabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
/// The SDK's `VPCConnectorStatus` (scaleway/scaleway-sdk-go `api/vpc/v2/vpc_sdk.go`: orphan,
/// peered, conflict), and `locked`, a status of Scaleway's statuses page
/// (scaleway/docs-content `pages/vpc-peering/reference-content/statuses.mdx`) not in the SDK's
/// enum: its wire spelling is UNVERIFIED.
pub enum ConnectorStatus {
    Orphan,
    Peered,
    Conflict,
    Locked,
}

impl ConnectorStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorStatus::Orphan => "orphan",
            ConnectorStatus::Peered => "peered",
            ConnectorStatus::Conflict => "conflict",
            ConnectorStatus::Locked => "locked",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeerInfo {
    pub organization_id: String,
    pub project_id: String,
    pub vpc_name: String,
}

/// A connector as stored; its status and peer are derived on every read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connector {
    pub id: Uuid,
    pub name: String,
    pub vpc_id: Uuid,
    pub target_vpc_id: Uuid,
    pub region: String,
    pub tags: Vec<String>,
    pub organization_id: String,
    pub project_id: String,
    pub created_at: String,
    pub updated_at: String,
    /// Locked by Scaleway's Trust and Safety team (the statuses page): no action is possible.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub locked: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectorView {
    pub id: Uuid,
    pub name: String,
    pub vpc_id: Uuid,
    pub target_vpc_id: Uuid,
    pub status: ConnectorStatus,
    pub region: String,
    pub tags: Vec<String>,
    pub organization_id: String,
    pub project_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub peer_info: Option<PeerInfo>,
    pub created_at: String,
    pub updated_at: String,
}

/// `POST …/vpc-connectors`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateConnectorRequest {
    pub name: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub vpc_id: Uuid,
    pub target_vpc_id: Uuid,
}

/// `PATCH …/vpc-connectors/{id}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectorChanges {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteType {
    Subnet,
    Default,
    Custom,
}

/// A route: custom ones are stored; managed subnet routes (id `""`) are derived.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub id: String,
    pub description: String,
    pub tags: Vec<String>,
    pub vpc_id: Uuid,
    pub destination: IpNet,
    pub nexthop_resource_id: Option<Uuid>,
    pub nexthop_private_network_id: Option<Uuid>,
    pub nexthop_vpc_connector_id: Option<Uuid>,
    pub is_read_only: bool,
    #[serde(rename = "type")]
    pub kind: RouteType,
    pub region: String,
    pub created_at: String,
    pub updated_at: String,
}

/// `POST …/routes`.
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RouteFields {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub vpc_id: Option<Uuid>,
    #[serde(default)]
    pub destination: Option<IpNet>,
    #[serde(default)]
    pub nexthop_resource_id: Option<Uuid>,
    #[serde(default)]
    pub nexthop_private_network_id: Option<Uuid>,
    #[serde(default)]
    pub nexthop_vpc_connector_id: Option<Uuid>,
}

/// `PATCH …/routes/{id}`: a field left out stays as it was (terraform-provider-scaleway
/// `vpc-route-basic` cassette, the PATCH without `destination`); a next-hop id written `""` is
/// cleared, as the official provider clears one (`route.go`, `ExpandUpdatedStringPtr`;
/// what the API does with `""` is UNVERIFIED, no recording sends it).
#[derive(Debug, Clone, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct RoutePatch {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub tags: Option<Vec<String>>,
    #[serde(default)]
    pub destination: Option<IpNet>,
    #[serde(default)]
    pub nexthop_resource_id: Option<String>,
    #[serde(default)]
    pub nexthop_private_network_id: Option<String>,
    #[serde(default)]
    pub nexthop_vpc_connector_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteWithNexthop {
    pub route: Route,
    pub nexthop_ip: Option<String>,
    pub nexthop_name: Option<String>,
    pub nexthop_resource_type: String,
}
