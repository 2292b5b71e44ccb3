//! Typed calls to Aiven. Peering connections have no GET of their own: they are read from
//! their VPC, and concurrent refreshes of one VPC share a single request (`clouds::shared`).

use super::wire::{CreatePeeringConnection, CreateVpc, ErrorBody, PeeringConnection, ProjectList, Vpc, VpcList};
use std::sync::Arc;

use crate::CloudFailure as _;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::http::{ApiClient, HttpError};
use crate::shared::Freshness;

#[derive(Debug, Clone, thiserror::Error)]
pub enum AivenError {
    #[error("Aiven answered HTTP {status}: {message}")]
    Api { status: u16, message: String },
    #[error("Aiven request failed: {0}")]
    Http(Arc<HttpError>),
    #[error("Aiven sent a body this provider cannot read ({context}): {reason}")]
    Decode { context: &'static str, reason: String },
}

impl AivenError {
    pub fn is_conflict(&self) -> bool {
        matches!(self, AivenError::Api { status: 409, .. })
    }
}

/// Where this cloud's credentials are set: the provider settings, and the variables.
pub const CREDENTIAL_SETTINGS: (&str, &str) = ("aiven { token }", "AIVEN_TOKEN");

impl crate::CloudFailure for AivenError {
    fn cloud(&self) -> peering_net::Cloud {
        peering_net::Cloud::Aiven
    }

    fn is_not_found(&self) -> bool {
        matches!(self, AivenError::Api { status: 404, .. })
    }

    fn is_transient(&self) -> bool {
        match self {
            AivenError::Http(e) => !e.is_unreachable(),
            AivenError::Api { status, .. } => *status == 429 || *status >= 500,
            AivenError::Decode { .. } => false,
        }
    }

    fn is_auth_failure(&self) -> bool {
        match self {
            AivenError::Api { status: 401, .. } => true,
            AivenError::Api { status: 403, message } => message.to_ascii_lowercase().contains("token"),
            _ => false,
        }
    }

    fn outcome_unknown(&self) -> bool {
        matches!(self, AivenError::Http(e) if e.outcome_unknown())
    }

    fn credentials_noun(&self) -> &'static str {
        "token"
    }

    fn credentials_hint(&self) -> &'static str {
        "aiven { token } (AIVEN_TOKEN)"
    }
}

impl From<HttpError> for AivenError {
    fn from(error: HttpError) -> Self {
        match error {
            HttpError::Status { status, ref body, .. } if !error.outcome_unknown() => {
                let message = serde_json::from_slice::<ErrorBody>(body)
                    .map(|b| b.message)
                    .unwrap_or_else(|_| String::from_utf8_lossy(body).chars().take(200).collect());
                AivenError::Api { status: status.as_u16(), message }
            }
            other => AivenError::Http(Arc::new(other)),
        }
    }
}

/// Aiven's own client also retries 501, and 417 on DELETE ("dependent resource pending").
fn aiven_retry_status(method: &Method, status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT
        || status.is_server_error()
        || (status == StatusCode::EXPECTATION_FAILED && method == Method::DELETE)
}

/// The Aiven API (`/v1`).
#[derive(Debug, Clone)]
pub struct AivenClient {
    api: ApiClient,
    /// How fresh a VPC read must be: its own request (the default), or one a moment old, for
    /// the reads of a listing that has just read every VPC itself.
    vpc_reads: Option<Freshness>,
}

fn decode<T: DeserializeOwned>(body: &[u8], context: &'static str) -> Result<T, AivenError> {
    serde_json::from_slice(body).map_err(|e| AivenError::Decode { context, reason: e.to_string() })
}

fn vpc_path(project: &str, vpc: Uuid) -> String {
    format!("v1/project/{}/vpcs/{vpc}", escape(project))
}

fn escape(segment: &str) -> String {
    url::form_urlencoded::byte_serialize(segment.as_bytes()).collect::<String>().replace('+', "%20")
}

impl AivenClient {
    pub fn new(api: ApiClient) -> AivenClient {
        AivenClient {
            api: api
                .with_retry_status(aiven_retry_status)
                .with_url_setting("aiven { api_url } / AIVEN_WEB_URL")
                .recorded_as("aiven"),
            vpc_reads: None,
        }
    }

    /// The same client (and shared reads), taking a VPC read up to a moment old: what a listing
    /// reads each result with, right after reading every VPC itself.
    pub fn reusing_recent_vpcs(&self) -> AivenClient {
        AivenClient { vpc_reads: Some(Freshness::Recent), ..self.clone() }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        context: &'static str,
    ) -> Result<T, AivenError> {
        let response = self.api.send(method, path, &[], body.as_ref()).await?;
        decode(&response.body, context)
    }

    /// Names of the projects the token can see.
    pub async fn list_projects(&self) -> Result<Vec<String>, AivenError> {
        let list: ProjectList = self.call(Method::GET, "v1/project", None, "project list").await?;
        Ok(list.projects.into_iter().map(|p| p.project_name).collect())
    }

    pub async fn list_vpcs(&self, project: &str) -> Result<Vec<Vpc>, AivenError> {
        let list: VpcList =
            self.call(Method::GET, &format!("v1/project/{}/vpcs", escape(project)), None, "vpc list").await?;
        Ok(list.vpcs)
    }

    /// Why VPC `vpc` of `project` was not found, in words: the project's VPCs (looked for only on
    /// this error path), or that the project itself is not visible to the token.
    pub async fn missing_vpc(&self, project: &str, vpc: Uuid) -> Result<String, AivenError> {
        let looked = format!("No project VPC {vpc} is visible in Aiven project {project:?}");
        let vpcs = match self.list_vpcs(project).await {
            Ok(vpcs) => vpcs,
            Err(e) if e.is_not_found() => {
                return Ok(format!("{looked}: the token sees no project of that name (check `project`)."));
            }
            Err(e) => return Err(e),
        };
        let found: Vec<String> = vpcs.iter().map(|v| format!("{} in {}", v.project_vpc_id, v.cloud_name)).collect();
        Ok(match found.is_empty() {
            true => format!("{looked}, which has no VPCs."),
            false => format!("{looked}; its VPCs: {}.", found.join(", ")),
        })
    }

    /// The VPC as it is now, with its peering connections.
    pub async fn get_vpc(&self, project: &str, vpc: Uuid) -> Result<Vpc, AivenError> {
        self.read_vpc(project, vpc, self.vpc_reads).await
    }

    /// The VPC for a refresh or a plan: joins a read of the same VPC already in flight, or reuses
    /// one a moment old, so refreshing many peerings of one VPC costs one request.
    pub async fn get_vpc_shared(&self, project: &str, vpc: Uuid) -> Result<Vpc, AivenError> {
        self.read_vpc(project, vpc, Some(Freshness::Recent)).await
    }

    /// The VPC, by its own request (`None`) or from a read shared as `freshness` allows.
    async fn read_vpc(&self, project: &str, vpc: Uuid, freshness: Option<Freshness>) -> Result<Vpc, AivenError> {
        let read: Vpc = match freshness {
            Some(freshness) => {
                let response = self.api.get_shared(&vpc_path(project, vpc), &[], freshness).await?;
                decode(&response.body, "vpc")?
            }
            None => self.call(Method::GET, &vpc_path(project, vpc), None, "vpc").await?,
        };
        crate::same_object(vpc, read.project_vpc_id).map_err(|reason| AivenError::Decode { context: "vpc", reason })?;
        Ok(read)
    }

    pub async fn create_vpc(&self, project: &str, request: &CreateVpc) -> Result<Vpc, AivenError> {
        let body = serde_json::to_value(request).expect("serialisable");
        self.call(Method::POST, &format!("v1/project/{}/vpcs", escape(project)), Some(body), "vpc").await
    }

    pub async fn delete_vpc(&self, project: &str, vpc: Uuid) -> Result<Vpc, AivenError> {
        self.call(Method::DELETE, &vpc_path(project, vpc), None, "vpc").await
    }

    /// Creates the Aiven half toward an UpCloud network.
    pub async fn create_upcloud_peering(
        &self,
        project: &str,
        vpc: Uuid,
        network: &str,
    ) -> Result<PeeringConnection, AivenError> {
        let request = CreatePeeringConnection {
            peer_cloud_account: "upcloud".into(),
            peer_vpc: network.to_string(),
            peer_region: None,
        };
        let body = serde_json::to_value(request).expect("serialisable");
        self.call(Method::POST, &format!("{}/peering-connections", vpc_path(project, vpc)), Some(body), "peering").await
    }

    /// Deletes the Aiven half toward an UpCloud network (there is no delete by id).
    pub async fn delete_upcloud_peering(
        &self,
        project: &str,
        vpc: Uuid,
        network: &str,
    ) -> Result<PeeringConnection, AivenError> {
        let path = format!(
            "{}/peering-connections/peer-accounts/upcloud/peer-vpcs/{}",
            vpc_path(project, vpc),
            escape(network)
        );
        self.call(Method::DELETE, &path, None, "peering").await
    }

    /// Asks Aiven to look at the peer side again (experimental in Aiven's API).
    pub async fn refresh_peerings(&self, project: &str, vpc: Uuid) -> Result<Vpc, AivenError> {
        self.call(Method::POST, &format!("{}/peering-connections/refresh", vpc_path(project, vpc)), None, "vpc").await
    }
}
