//! UpCloud's JSON as the emulator speaks it: its own types, written from UpCloud's recorded
//! traffic (`tests/golden/upcloud/`, from UpCloudLtd/upcloud-go-api's fixtures), never the
//! client's. Requests are strict: an unknown field is refused, as a cloud would.
//!
//! UNVERIFIED: nothing records `/1.3/network-peering`; its shapes follow the SDK's types and
//! unit-test bodies (upcloud-go-api `upcloud/network_peering.go`).

use serde::{Deserialize, Serialize};

use peering_net::{IpNet, UpcloudNetworkId, UpcloudPeeringId, UpcloudRouterId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum YesNo {
    Yes,
    #[default]
    No,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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

/// One address range of a network. `dhcp_dns` and `dhcp_routes` appear only when set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpNetwork {
    pub address: IpNet,
    pub family: Family,
    #[serde(default)]
    pub dhcp: YesNo,
    #[serde(default)]
    pub dhcp_default_route: YesNo,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_dns: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dhcp_routes: Option<Vec<IpNet>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
}

/// UpCloud's JSON comes from its XML: a list of one may be written as the one object itself.
/// UpCloud's Python SDK (`upcloud-api` 2.9.0, `create_network`) sends a single range as
/// `"ip_networks": {"ip_network": {…}}`; both forms are read, a list is always written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct IpNetworks {
    #[serde(deserialize_with = "one_or_many")]
    pub ip_network: Vec<IpNetwork>,
}

fn one_or_many<'de, D: serde::Deserializer<'de>, T: serde::de::DeserializeOwned>(d: D) -> Result<Vec<T>, D::Error> {
    // Through a `Value` rather than `#[serde(untagged)]`, whose buffering garbles numbers when
    // serde_json's `arbitrary_precision` is on anywhere in the build.
    let value = serde_json::Value::deserialize(d)?;
    let items = match value {
        serde_json::Value::Array(items) => items,
        one => vec![one],
    };
    items.into_iter().map(|item| serde_json::from_value(item).map_err(serde::de::Error::custom)).collect()
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ServerRef {
    pub uuid: String,
    pub title: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Servers {
    pub server: Vec<ServerRef>,
}

impl Servers {
    pub fn is_empty(&self) -> bool {
        self.server.is_empty()
    }
}

/// A network as stored and answered: no `router` key without a router, no `servers` key
/// without servers (as recorded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub uuid: UpcloudNetworkId,
    pub name: String,
    pub zone: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub router: Option<UpcloudRouterId>,
    pub ip_networks: IpNetworks,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default, skip_serializing_if = "Servers::is_empty")]
    pub servers: Servers,
}

impl Network {
    pub fn cidrs(&self) -> Vec<IpNet> {
        self.ip_networks.ip_network.iter().map(|n| n.address).collect()
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkEnvelope {
    pub network: Network,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkList {
    pub networks: NetworkItems,
}

#[derive(Debug, Clone, Serialize)]
pub struct NetworkItems {
    pub network: Vec<Network>,
}

/// `POST /1.3/network/`: `{"network": {…}}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateNetworkRequest {
    pub network: NewNetwork,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewNetwork {
    pub name: String,
    pub zone: String,
    #[serde(default)]
    pub router: Option<UpcloudRouterId>,
    pub ip_networks: IpNetworks,
    #[serde(default)]
    pub labels: Vec<Label>,
}

/// `PUT /1.3/network/{uuid}`: absent fields stay; `"router": null` detaches.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifyNetworkRequest {
    pub network: NetworkChanges,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkChanges {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "present")]
    pub router: Option<Option<UpcloudRouterId>>,
    #[serde(default)]
    pub labels: Option<Vec<Label>>,
    #[serde(default)]
    pub ip_networks: Option<IpNetworks>,
}

/// `Some(None)` for an explicit `null`, `None` (by `default`) for an absent key.
fn present<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// A route of a router. UNVERIFIED: `type` (`user`, `service`) is not in the 2023 recordings;
/// the SDK's own tests (upcloud-go-api `upcloud/network_test.go`) show it, and service routes
/// (a NAT gateway's) must be told apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
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
    pub network: Vec<NetworkUuid>,
}

/// A router as stored; its attached networks are derived from the networks on every read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Router {
    pub uuid: UpcloudRouterId,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub static_routes: Vec<StaticRoute>,
}

/// A router as answered (`attached_network_gateways` is in every recent recording).
#[derive(Debug, Clone, Serialize)]
pub struct RouterView {
    pub uuid: UpcloudRouterId,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub labels: Vec<Label>,
    pub attached_networks: AttachedNetworks,
    pub attached_network_gateways: Vec<serde_json::Value>,
    pub static_routes: Vec<StaticRoute>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouterEnvelope {
    pub router: RouterView,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouterList {
    pub routers: RouterItems,
}

#[derive(Debug, Clone, Serialize)]
pub struct RouterItems {
    pub router: Vec<RouterView>,
}

/// `POST /1.3/router` and `PATCH /1.3/router/{uuid}`: `{"router": {…}}`, absent fields stay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterRequest {
    pub router: RouterChanges,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterChanges {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub labels: Option<Vec<Label>>,
    #[serde(default)]
    pub static_routes: Option<Vec<StaticRoute>>,
}

/// The operational state of one peering half.
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

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeeringAddress {
    pub address: IpNet,
    pub family: Family,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeeringIpNetworks {
    pub ip_network: Vec<PeeringAddress>,
}

/// One end of a peering: the peer's addresses only once both halves exist.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeeringNetwork {
    pub uuid: UpcloudNetworkId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_networks: Option<PeeringIpNetworks>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PeeringView {
    pub uuid: UpcloudPeeringId,
    pub name: String,
    pub configured_status: ConfiguredStatus,
    pub state: PeeringState,
    pub network: PeeringNetwork,
    pub peer_network: PeeringNetwork,
    pub labels: Vec<Label>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeeringEnvelope {
    pub network_peering: PeeringView,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeeringList {
    pub network_peerings: PeeringItems,
}

#[derive(Debug, Clone, Serialize)]
pub struct PeeringItems {
    pub network_peering: Vec<PeeringView>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkRefIn {
    pub uuid: UpcloudNetworkId,
}

/// `POST /1.3/network-peering`: `{"network_peering": {…}}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreatePeeringRequest {
    pub network_peering: NewPeering,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPeering {
    pub name: String,
    #[serde(default)]
    pub configured_status: ConfiguredStatus,
    pub network: NetworkRefIn,
    pub peer_network: NetworkRefIn,
    #[serde(default)]
    pub labels: Vec<Label>,
}

/// `PATCH /1.3/network-peering/{uuid}`: absent fields stay.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModifyPeeringRequest {
    pub network_peering: PeeringChanges,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeeringChanges {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub configured_status: Option<ConfiguredStatus>,
    #[serde(default)]
    pub labels: Option<Vec<Label>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The body UpCloud's Python SDK sends for a network with one range (a single object where
    /// a list would be), and the same with a list: both are one range.
    #[test]
    fn a_list_of_one_may_be_the_object_itself() {
        let range = r#"{"address": "10.0.0.0/24", "dhcp": "yes", "family": "IPv4"}"#;
        for ranges in [range.to_string(), format!("[{range}]")] {
            let body = format!(
                r#"{{"network": {{"name": "sdk", "zone": "fi-hel1", "ip_networks": {{"ip_network": {ranges}}}}}}}"#
            );
            let request: CreateNetworkRequest = serde_json::from_str(&body).unwrap();
            let only = &request.network.ip_networks.ip_network;
            assert_eq!(only.len(), 1, "{body}");
            assert_eq!(only[0].address.to_string(), "10.0.0.0/24");
        }
        let written = serde_json::to_value(IpNetworks { ip_network: vec![] }).unwrap();
        assert_eq!(written, serde_json::json!({ "ip_network": [] }));
    }
}
