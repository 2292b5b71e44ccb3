//! Scaleway's VPC v2 JSON, shared by the client and the emulator.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use peering_net::IpNet;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    pub id: Uuid,
    pub name: String,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub organization_id: String,
    pub region: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub routing_enabled: bool,
    #[serde(default)]
    pub transitivity_enabled: Option<bool>,
    #[serde(default)]
    pub private_network_count: u32,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct CreateVpc {
    pub name: String,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub enable_routing: bool,
    /// Sent only when given: newer clients send it (`false` too), older recordings have none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enable_transitivity: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subnet {
    pub id: Uuid,
    pub subnet: IpNet,
    #[serde(default)]
    pub private_network_id: Option<Uuid>,
    #[serde(default)]
    pub vpc_id: Option<Uuid>,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PrivateNetwork {
    pub id: Uuid,
    pub name: String,
    pub vpc_id: Uuid,
    pub region: String,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub subnets: Vec<Subnet>,
    #[serde(default)]
    pub dhcp_enabled: bool,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct CreatePrivateNetwork {
    pub name: String,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub tags: Vec<String>,
    /// CIDRs; the server picks an IPv4 /22 and an IPv6 /64 when none are given.
    #[serde(default)]
    pub subnets: Option<Vec<IpNet>>,
    pub vpc_id: Uuid,
    /// Sent always, as scaleway-sdk-go (a plain `bool`) and the recordings do.
    #[serde(default)]
    pub default_route_propagation_enabled: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
/// The SDK's four (scaleway/scaleway-sdk-go `api/vpc/v2/vpc_sdk.go`), and `locked` from the
/// statuses page (scaleway/docs-content `pages/vpc-peering/reference-content/statuses.mdx`; its
/// wire spelling is UNVERIFIED). Anything else — the page's transient "Pending/Configuring" —
/// reads as unknown, which is waited on.
pub enum ConnectorStatus {
    Orphan,
    Peered,
    Conflict,
    Locked,
    #[serde(other)]
    UnknownVpcConnectorStatus,
}

impl ConnectorStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ConnectorStatus::Orphan => "orphan",
            ConnectorStatus::Peered => "peered",
            ConnectorStatus::Conflict => "conflict",
            ConnectorStatus::Locked => "locked",
            ConnectorStatus::UnknownVpcConnectorStatus => "unknown_vpc_connector_status",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeerInfo {
    #[serde(default)]
    pub organization_id: String,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub vpc_name: String,
}

/// One side of a VPC peering: a connector from `vpc_id` toward `target_vpc_id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VpcConnector {
    pub id: Uuid,
    pub name: String,
    pub vpc_id: Uuid,
    pub target_vpc_id: Uuid,
    pub status: ConnectorStatus,
    pub region: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub project_id: String,
    #[serde(default)]
    pub organization_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_info: Option<PeerInfo>,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateConnector {
    pub name: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub vpc_id: Uuid,
    pub target_vpc_id: Uuid,
}

/// `PATCH …/vpc-connectors/{id}`: absent fields stay.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct ConnectorPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubnetOverlap {
    pub subnet_id: Uuid,
    pub subnet: IpNet,
    pub target_subnet_id: Uuid,
    pub target_subnet: IpNet,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RouteType {
    Subnet,
    Default,
    Custom,
    Interlink,
    S2sVpn,
    #[serde(other)]
    UnknownRouteType,
}

/// A route of a VPC. Managed subnet routes have the id `""` and are read-only.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Route {
    pub id: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub tags: Vec<String>,
    pub vpc_id: Uuid,
    pub destination: IpNet,
    pub nexthop_resource_id: Option<Uuid>,
    pub nexthop_private_network_id: Option<Uuid>,
    pub nexthop_vpc_connector_id: Option<Uuid>,
    #[serde(default)]
    pub is_read_only: bool,
    #[serde(rename = "type")]
    pub kind: RouteType,
    #[serde(default)]
    pub region: String,
    #[serde(default)]
    pub created_at: String,
    #[serde(default)]
    pub updated_at: String,
}

/// `POST …/routes`, and the fields a `PATCH` may carry.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct RouteFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<IpNet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nexthop_resource_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nexthop_private_network_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nexthop_vpc_connector_id: Option<Uuid>,
}

/// A next-hop id in a route PATCH: set, or cleared with `""` — how the official provider clears
/// one (terraform-provider-scaleway `internal/services/vpc/route.go`, `ExpandUpdatedStringPtr`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HopId {
    Set(Uuid),
    Cleared,
}

impl<'de> Deserialize<'de> for HopId {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        if text.is_empty() {
            Ok(HopId::Cleared)
        } else {
            text.parse().map(HopId::Set).map_err(serde::de::Error::custom)
        }
    }
}

impl Serialize for HopId {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            HopId::Set(id) => id.serialize(serializer),
            HopId::Cleared => serializer.serialize_str(""),
        }
    }
}

/// `PATCH …/routes/{id}`: a field left out stays as it was (recorded: terraform-provider-scaleway
/// `vpc-route-basic` cassette, the PATCH without `destination`).
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct RoutePatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub destination: Option<IpNet>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nexthop_resource_id: Option<HopId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nexthop_private_network_id: Option<HopId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nexthop_vpc_connector_id: Option<HopId>,
}

/// Which parts of a next hop a route has.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HopsSet {
    pub resource: bool,
    pub private_network: bool,
    pub vpc_connector: bool,
}

impl HopsSet {
    pub fn of(route: &Route) -> HopsSet {
        HopsSet {
            resource: route.nexthop_resource_id.is_some(),
            private_network: route.nexthop_private_network_id.is_some(),
            vpc_connector: route.nexthop_vpc_connector_id.is_some(),
        }
    }
}

impl RoutePatch {
    /// What moves a route whose next hop has `present` to `wanted`: the wanted next hop set, and
    /// any present part that is not wanted cleared (a PATCH leaves what it omits in place).
    pub fn toward(present: HopsSet, wanted: RouteFields) -> RoutePatch {
        let hop = |now: bool, want: Option<Uuid>| match (now, want) {
            (_, Some(id)) => Some(HopId::Set(id)),
            (true, None) => Some(HopId::Cleared),
            (false, None) => None,
        };
        RoutePatch {
            description: wanted.description,
            tags: wanted.tags,
            destination: wanted.destination,
            nexthop_resource_id: hop(present.resource, wanted.nexthop_resource_id),
            nexthop_private_network_id: hop(present.private_network, wanted.nexthop_private_network_id),
            nexthop_vpc_connector_id: hop(present.vpc_connector, wanted.nexthop_vpc_connector_id),
        }
    }

    pub fn tags(tags: Vec<String>) -> RoutePatch {
        RoutePatch { tags: Some(tags), ..Default::default() }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteWithNexthop {
    pub route: Route,
    #[serde(default)]
    pub nexthop_ip: Option<String>,
    #[serde(default)]
    pub nexthop_name: Option<String>,
    #[serde(default)]
    pub nexthop_resource_type: Option<String>,
}

/// Scaleway's error body; `type` tells the shape.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct ErrorBody {
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub precondition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_recorded_connector_and_routes() {
        // api-scaleway.md 5.1 and 5.5 (real recordings).
        let connector: VpcConnector = serde_json::from_str(r#"{"created_at":"2026-04-16T07:42:00.259894Z","id":"d7df0643-8bfb-49a7-b186-07ad37f26d7b","name":"tf-conn-route",
            "organization_id":"564aa517-68b0-4fd7-8c8c-d21c4bcdcbd5","project_id":"564aa517-68b0-4fd7-8c8c-d21c4bcdcbd5",
            "region":"fr-par","status":"orphan","tags":[],"target_vpc_id":"fe1efab5-30f8-4f13-bc4c-01010f48318d",
            "updated_at":"2026-04-16T07:42:00.259894Z","vpc_id":"ec06d3e7-8d1e-432a-a9c9-dd5522634deb"}"#).unwrap();
        assert_eq!(connector.status, ConnectorStatus::Orphan);
        let managed: RouteWithNexthop = serde_json::from_str(r#"{"nexthop_ip":null,"nexthop_name":null,"nexthop_resource_type":"unknown_type","route":{"created_at":"2026-05-25T07:31:57.385704Z",
            "description":"Local Private Network route","destination":"172.17.96.0/22","id":"","is_read_only":true,
            "nexthop_private_network_id":"4413fb41-e2a9-4608-a4be-8ae13822ab41","nexthop_resource_id":null,"nexthop_vpc_connector_id":null,
            "region":"fr-par","tags":["MANAGED"],"type":"subnet","updated_at":"2026-05-25T07:31:57.385704Z","vpc_id":"4695a9f2-745b-44a6-b25c-8d64e5632f18"}}"#).unwrap();
        assert_eq!(managed.route.id, "");
        assert_eq!(managed.route.kind, RouteType::Subnet);
        let status: ConnectorStatus = serde_json::from_str(r#""locked""#).unwrap();
        assert_eq!(status, ConnectorStatus::Locked);
        // The statuses page's transient "Pending/Configuring" has no word in the SDK: waited on.
        let status: ConnectorStatus = serde_json::from_str(r#""configuring""#).unwrap();
        assert_eq!(status, ConnectorStatus::UnknownVpcConnectorStatus);
    }
}
