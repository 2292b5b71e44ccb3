//! UpCloud's JSON, shared by the client and the emulator so both speak one dialect:
//! `"yes"`/`"no"` booleans, wrapped lists (`{"ip_networks":{"ip_network":[…]}}`), flat labels.

use serde::{Deserialize, Serialize};

use peering_net::{IpNet, UpcloudNetworkId, UpcloudPeeringId, UpcloudRouterId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum YesNo {
    Yes,
    #[default]
    No,
}

impl From<bool> for YesNo {
    fn from(b: bool) -> Self {
        if b { YesNo::Yes } else { YesNo::No }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Label {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Family {
    IPv4,
    IPv6,
}

impl Family {
    pub fn of(net: &IpNet) -> Family {
        match net {
            IpNet::V4(_) => Family::IPv4,
            IpNet::V6(_) => Family::IPv6,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IpNetwork {
    pub address: IpNet,
    pub family: Family,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp: Option<YesNo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_default_route: Option<YesNo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct IpNetworks {
    #[serde(default)]
    pub ip_network: Vec<IpNetwork>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerRef {
    pub uuid: String,
    #[serde(default)]
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Servers {
    #[serde(default)]
    pub server: Vec<ServerRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub uuid: UpcloudNetworkId,
    pub name: String,
    pub zone: String,
    #[serde(rename = "type", default = "private_type")]
    pub kind: String,
    /// Absent (not null) when no router is attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub router: Option<UpcloudRouterId>,
    #[serde(default)]
    pub ip_networks: IpNetworks,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub servers: Servers,
}

fn private_type() -> String {
    "private".to_string()
}

impl Network {
    pub fn cidrs(&self) -> Vec<IpNet> {
        self.ip_networks.ip_network.iter().map(|n| n.address).collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkEnvelope {
    pub network: Network,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NetworkList {
    pub networks: NetworkItems,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct NetworkItems {
    #[serde(default)]
    pub network: Vec<Network>,
}

/// `POST /1.3/network/`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateNetwork {
    pub name: String,
    pub zone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub router: Option<UpcloudRouterId>,
    pub ip_networks: IpNetworks,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StaticRoute {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub route: IpNet,
    pub nexthop: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkUuid {
    pub uuid: UpcloudNetworkId,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct AttachedNetworks {
    #[serde(default)]
    pub network: Vec<NetworkUuid>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Router {
    pub uuid: UpcloudRouterId,
    pub name: String,
    #[serde(rename = "type", default)]
    pub kind: String,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub attached_networks: AttachedNetworks,
    #[serde(default)]
    pub static_routes: Vec<StaticRoute>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RouterEnvelope {
    pub router: Router,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RouterList {
    pub routers: RouterItems,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct RouterItems {
    #[serde(default)]
    pub router: Vec<Router>,
}

/// `POST /1.3/router` and `PATCH /1.3/router/{uuid}`: absent fields stay as they are.
#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct RouterFields {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Label>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub static_routes: Option<Vec<StaticRoute>>,
}

/// The operational state UpCloud reports for one half of a peering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PeeringState {
    Provisioning,
    PendingPeer,
    Active,
    Disabled,
    PeerDisabled,
    MissingLocalRouter,
    MissingPeerRouter,
    ConflictSubnet,
    DeletedPeerNetwork,
    Error,
    #[serde(other)]
    Unrecognised,
}

impl PeeringState {
    pub fn as_str(self) -> &'static str {
        match self {
            PeeringState::Provisioning => "provisioning",
            PeeringState::PendingPeer => "pending-peer",
            PeeringState::Active => "active",
            PeeringState::Disabled => "disabled",
            PeeringState::PeerDisabled => "peer-disabled",
            PeeringState::MissingLocalRouter => "missing-local-router",
            PeeringState::MissingPeerRouter => "missing-peer-router",
            PeeringState::ConflictSubnet => "conflict-subnet",
            PeeringState::DeletedPeerNetwork => "deleted-peer-network",
            PeeringState::Error => "error",
            PeeringState::Unrecognised => "unrecognised",
        }
    }

    /// States that no amount of waiting fixes.
    pub fn is_failure(self) -> bool {
        matches!(
            self,
            PeeringState::MissingLocalRouter
                | PeeringState::MissingPeerRouter
                | PeeringState::ConflictSubnet
                | PeeringState::DeletedPeerNetwork
                | PeeringState::Error
        )
    }

    /// What a user should know about a failure state.
    pub fn explanation(self) -> &'static str {
        match self {
            PeeringState::MissingLocalRouter => "the local network has no router attached",
            PeeringState::MissingPeerRouter => "the peer network has no router attached",
            PeeringState::ConflictSubnet => "the two networks' address ranges overlap",
            PeeringState::DeletedPeerNetwork => "the peer network was deleted",
            PeeringState::Error => "UpCloud reports an internal error for this peering",
            PeeringState::PendingPeer => "the peering from the other network does not exist yet",
            PeeringState::PeerDisabled => "the other network's peering is disabled",
            PeeringState::Disabled => "this peering is disabled",
            PeeringState::Provisioning => "UpCloud is still configuring the peering",
            PeeringState::Active => "traffic flows",
            PeeringState::Unrecognised => "UpCloud reported a state this provider does not know",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum ConfiguredStatus {
    #[default]
    Active,
    Disabled,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeeringNetwork {
    pub uuid: UpcloudNetworkId,
    /// Only the addresses and families; absent on the peer side until both halves exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_networks: Option<PeeringIpNetworks>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct PeeringIpNetworks {
    #[serde(default)]
    pub ip_network: Vec<PeeringAddress>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeeringAddress {
    pub address: IpNet,
    pub family: Family,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NetworkPeering {
    pub uuid: UpcloudPeeringId,
    pub name: String,
    pub configured_status: ConfiguredStatus,
    pub state: PeeringState,
    pub network: PeeringNetwork,
    pub peer_network: PeeringNetwork,
    #[serde(default)]
    pub labels: Vec<Label>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeeringEnvelope {
    pub network_peering: NetworkPeering,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PeeringList {
    pub network_peerings: PeeringItems,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
pub struct PeeringItems {
    #[serde(default)]
    pub network_peering: Vec<NetworkPeering>,
}

/// `POST /1.3/network-peering`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatePeering {
    pub name: String,
    #[serde(default)]
    pub configured_status: ConfiguredStatus,
    pub network: NetworkUuid,
    pub peer_network: NetworkUuid,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label>,
}

/// `PATCH /1.3/network-peering/{uuid}`: absent fields stay as they are.
#[derive(Debug, Clone, Serialize, Deserialize, Default, PartialEq)]
pub struct PeeringPatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub configured_status: Option<ConfiguredStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub labels: Option<Vec<Label>>,
}

/// The legacy error body networks, routers and peerings answer with.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorDetail {
    pub error_code: String,
    pub error_message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documented_peering_example() {
        // api-upcloud.md example F (Aiven's documentation), one-way create response.
        let body = r#"{"network_peering":{"configured_status":"active","name":"Peering A->B",
          "network":{"ip_networks":{"ip_network":[{"address":"192.168.0.0/24","family":"IPv4"},{"address":"fc02:c4f3::/64","family":"IPv6"}]},
                     "uuid":"03126dc1-a69f-4bc2-8b24-e31c22d64712"},
          "peer_network":{"uuid":"03585987-bf7d-4544-8e9b-5a1b4d74a333"},
          "state":"pending-peer","uuid":"0f7984bc-5d72-4aaf-b587-90e6a8f32efc"}}"#;
        let parsed: PeeringEnvelope = serde_json::from_str(body).unwrap();
        let p = parsed.network_peering;
        assert_eq!(p.state, PeeringState::PendingPeer);
        assert!(p.peer_network.ip_networks.is_none());
        assert_eq!(p.network.ip_networks.unwrap().ip_network[1].family, Family::IPv6);
    }

    #[test]
    fn parses_recorded_network_without_router() {
        // api-upcloud.md example D (recorded create response).
        let body = r#"{"network":{"ip_networks":{"ip_network":[{"address":"192.168.86.1/24","dhcp":"yes","dhcp_default_route":"no",
          "dhcp_dns":["192.168.86.10","192.168.86.11"],"family":"IPv4","gateway":"192.168.86.1"}]},"name":"test private network #1 (test)",
          "type":"private","uuid":"039d20c5-dfe0-44b4-b0e1-8cb2b5ae1567","zone":"fi-hel2"}}"#;
        let parsed: NetworkEnvelope = serde_json::from_str(body).unwrap();
        assert!(parsed.network.router.is_none());
        assert_eq!(parsed.network.ip_networks.ip_network[0].dhcp, Some(YesNo::Yes));
    }

    #[test]
    fn unknown_states_do_not_fail_parsing() {
        let s: PeeringState = serde_json::from_str(r#""some-new-state""#).unwrap();
        assert_eq!(s, PeeringState::Unrecognised);
    }
}
