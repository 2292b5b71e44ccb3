//! Aiven's JSON for project VPCs and peering connections, shared by client and emulator.

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
    #[serde(other)]
    Unrecognised,
}

impl VpcState {
    /// Aiven's word for the state.
    pub fn as_str(self) -> &'static str {
        match self {
            VpcState::Approved => "APPROVED",
            VpcState::Active => "ACTIVE",
            VpcState::Deleting => "DELETING",
            VpcState::Deleted => "DELETED",
            VpcState::Unrecognised => "in a state this provider does not know",
        }
    }
}

/// A project VPC; `peering_connections` only in single-VPC answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Vpc {
    pub project_vpc_id: Uuid,
    pub cloud_name: String,
    pub network_cidr: IpNet,
    pub state: VpcState,
    #[serde(default)]
    pub create_time: String,
    #[serde(default)]
    pub update_time: String,
    #[serde(default)]
    pub peering_connections: Vec<PeeringConnection>,
    #[serde(default)]
    pub pending_build_only_peering_connections: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct VpcList {
    pub vpcs: Vec<Vpc>,
}

/// `GET /v1/project`: the projects the token can see (aiven/go-client-codegen
/// `handler/project/project.go`, `ProjectListOut`; only the fields this provider reads).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectList {
    pub projects: Vec<ProjectSummary>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProjectSummary {
    pub project_name: String,
}

/// `POST /v1/project/{project}/vpcs`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreateVpc {
    pub cloud_name: String,
    pub network_cidr: String,
    #[serde(default)]
    pub peering_connections: Vec<CreatePeeringConnection>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
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
    #[serde(other)]
    Unrecognised,
}

impl PeeringState {
    pub fn as_str(self) -> &'static str {
        match self {
            PeeringState::Approved => "APPROVED",
            PeeringState::ApprovedPeerRequested => "APPROVED_PEER_REQUESTED",
            PeeringState::PendingPeer => "PENDING_PEER",
            PeeringState::Active => "ACTIVE",
            PeeringState::Deleting => "DELETING",
            PeeringState::Deleted => "DELETED",
            PeeringState::DeletedByPeer => "DELETED_BY_PEER",
            PeeringState::RejectedByPeer => "REJECTED_BY_PEER",
            PeeringState::InvalidSpecification => "INVALID_SPECIFICATION",
            PeeringState::Error => "ERROR",
            PeeringState::Unrecognised => "UNRECOGNISED",
        }
    }

    /// States with no way forward: the peering must be deleted and made again.
    pub fn is_dead(self) -> bool {
        matches!(
            self,
            PeeringState::DeletedByPeer
                | PeeringState::RejectedByPeer
                | PeeringState::InvalidSpecification
                | PeeringState::Error
                | PeeringState::Deleting
                | PeeringState::Deleted
        )
    }
}

/// One peering connection of a project VPC.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeeringConnection {
    pub peer_cloud_account: String,
    pub peer_vpc: String,
    #[serde(default)]
    pub peer_region: Option<String>,
    #[serde(default)]
    pub peer_resource_group: Option<String>,
    #[serde(default)]
    pub peer_azure_app_id: Option<String>,
    #[serde(default)]
    pub peer_azure_tenant_id: Option<String>,
    #[serde(default)]
    pub peering_connection_id: Option<Uuid>,
    pub state: PeeringState,
    /// `{type, message, warnings?, …cloud-specific keys}`; may be null.
    #[serde(default)]
    pub state_info: Option<serde_json::Map<String, serde_json::Value>>,
    #[serde(default)]
    pub user_peer_network_cidrs: Vec<String>,
    #[serde(default)]
    pub vpc_peering_connection_type: Option<String>,
    #[serde(default)]
    pub create_time: String,
    #[serde(default)]
    pub update_time: String,
}

/// Where Aiven may put the Aiven network ID of an UpCloud peering (the key is not documented).
const NETWORK_ID_KEYS: &[&str] = &["to-network-id", "to_network_id", "network_id", "to-network", "to_vpc_network"];

impl PeeringConnection {
    pub fn is_upcloud_peering_to(&self, network: &str) -> bool {
        self.peer_cloud_account == "upcloud" && self.peer_vpc.eq_ignore_ascii_case(network)
    }

    pub fn message(&self) -> Option<&str> {
        self.state_info.as_ref()?.get("message")?.as_str().filter(|m| !m.is_empty())
    }

    /// `state_info.warnings[].message`, e.g. `upcloud-peering-in-error`.
    pub fn warnings(&self) -> Vec<String> {
        let warnings = self.state_info.as_ref().and_then(|i| i.get("warnings")).and_then(|w| w.as_array());
        warnings
            .into_iter()
            .flatten()
            .map(|w| {
                let kind = w.get("type").and_then(|t| t.as_str()).unwrap_or("warning");
                let message = w.get("message").and_then(|m| m.as_str()).unwrap_or_default();
                format!("{kind}: {message}")
            })
            .collect()
    }

    /// The Aiven network ID from `state_info`, found defensively since its key is not
    /// documented: a likely key first, else the one UUID the text names besides our own
    /// network. Only an UpCloud network UUID counts (they start with `03` in every recorded
    /// call, UpCloudLtd/upcloud-go-api `upcloud/service/fixtures`); two candidates are none.
    pub fn aiven_network_id(&self) -> Option<Uuid> {
        let info = self.state_info.as_ref()?;
        let ours = Uuid::parse_str(&self.peer_vpc).ok();
        let candidate = |u: &Uuid| is_upcloud_network(u) && Some(*u) != ours;
        let from_keys = NETWORK_ID_KEYS
            .iter()
            .filter_map(|k| info.get(*k)?.as_str())
            .find_map(|v| Uuid::parse_str(v).ok().filter(candidate));
        if from_keys.is_some() {
            return from_keys;
        }
        let mut found: Vec<Uuid> =
            info.values().filter_map(|v| v.as_str()).flat_map(uuids_in).filter(candidate).collect();
        found.sort();
        found.dedup();
        match found.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// The form of an UpCloud network UUID: `03…`.
fn is_upcloud_network(id: &Uuid) -> bool {
    id.as_bytes()[0] == 0x03
}

fn uuids_in(text: &str) -> Vec<Uuid> {
    text.split(|c: char| !(c.is_ascii_hexdigit() || c == '-'))
        .filter(|word| word.len() == 36)
        .filter_map(|word| Uuid::parse_str(word).ok())
        .collect()
}

/// `POST …/peering-connections`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CreatePeeringConnection {
    pub peer_cloud_account: String,
    pub peer_vpc: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub peer_region: Option<String>,
}

/// Aiven's error body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorBody {
    pub message: String,
    #[serde(default)]
    pub errors: Vec<ErrorItem>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorItem {
    pub message: String,
    pub status: u16,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_code: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peering(state_info: serde_json::Value) -> PeeringConnection {
        serde_json::from_value(serde_json::json!({
            "peer_cloud_account": "upcloud", "peer_vpc": "03126dc1-a69f-4bc2-8b24-e31c22d64712",
            "state": "PENDING_PEER", "state_info": state_info,
        }))
        .unwrap()
    }

    #[test]
    fn finds_the_aiven_network_id_defensively() {
        let by_key = peering(
            serde_json::json!({"type": "t", "message": "m", "to-network-id": "03585987-bf7d-4544-8e9b-5a1b4d74a333"}),
        );
        assert_eq!(by_key.aiven_network_id().unwrap().to_string(), "03585987-bf7d-4544-8e9b-5a1b4d74a333");
        let in_text = peering(serde_json::json!({"type": "t",
            "message": "Create a peering from 03126dc1-a69f-4bc2-8b24-e31c22d64712 to 03585987-bf7d-4544-8e9b-5a1b4d74a333"}));
        assert_eq!(in_text.aiven_network_id().unwrap().to_string(), "03585987-bf7d-4544-8e9b-5a1b4d74a333");
        assert_eq!(peering(serde_json::Value::Null).aiven_network_id(), None);
        // Another object's UUID in the words is no network; two networks named are none.
        let project = peering(serde_json::json!({"message":
            "Peering of project b032dfbf-8a9e-4c55-8f1d-4f9a2e1c7d10 toward 03126dc1-a69f-4bc2-8b24-e31c22d64712"}));
        assert_eq!(project.aiven_network_id(), None);
        let two = peering(serde_json::json!({"message":
            "From 03585987-bf7d-4544-8e9b-5a1b4d74a333 or 03000000-0000-4000-8000-000000000001"}));
        assert_eq!(two.aiven_network_id(), None);
        let bad_key = peering(serde_json::json!({"to-network-id": "b032dfbf-8a9e-4c55-8f1d-4f9a2e1c7d10"}));
        assert_eq!(bad_key.aiven_network_id(), None);
        assert_eq!(peering(serde_json::json!({"message": "nothing here"})).aiven_network_id(), None);
    }

    #[test]
    fn parses_the_documented_error_body() {
        let body = r#"{"errors":[{"message":"Project VPC x is in state APPROVED, not ACTIVE","status":409}],"message":"Project VPC x is in state APPROVED, not ACTIVE"}"#;
        let parsed: ErrorBody = serde_json::from_str(body).unwrap();
        assert_eq!(parsed.errors[0].status, 409);
    }
}
