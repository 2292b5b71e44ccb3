//! Typed calls to UpCloud, with its error codes as values.

use super::wire::{
    CreateNetwork, CreatePeering, ErrorBody, Network, NetworkEnvelope, NetworkList, NetworkPeering, PeeringEnvelope,
    PeeringList, PeeringPatch, Router, RouterEnvelope, RouterFields, RouterList,
};
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::http::{ApiClient, HttpError};
use crate::shared::Freshness;
use peering_net::{UpcloudNetworkId, UpcloudPeeringId, UpcloudRouterId};

#[derive(Debug, thiserror::Error)]
pub enum UpcloudError {
    #[error("UpCloud answered HTTP {status} {code}: {message}")]
    Api { status: u16, code: String, message: String },
    #[error("UpCloud request failed: {0}")]
    Http(HttpError),
    #[error("UpCloud sent a body this provider cannot read ({context}): {reason}")]
    Decode { context: &'static str, reason: String },
}

impl UpcloudError {
    pub fn code(&self) -> Option<&str> {
        match self {
            UpcloudError::Api { code, .. } => Some(code),
            _ => None,
        }
    }
}

/// [`crate::same_object`], as UpCloud's error.
fn same_object<T: PartialEq + std::fmt::Display>(
    context: &'static str,
    asked: T,
    answered: T,
) -> Result<(), UpcloudError> {
    crate::same_object(asked, answered).map_err(|reason| UpcloudError::Decode { context, reason })
}

/// Where this cloud's credentials are set: the provider settings, and the variables.
pub const CREDENTIAL_SETTINGS: (&str, &str) =
    ("upcloud { token }, or upcloud { username, password }", "UPCLOUD_TOKEN, or UPCLOUD_USERNAME and UPCLOUD_PASSWORD");

impl crate::CloudFailure for UpcloudError {
    fn cloud(&self) -> peering_net::Cloud {
        peering_net::Cloud::Upcloud
    }

    fn is_not_found(&self) -> bool {
        matches!(self, UpcloudError::Api { status: 404, .. })
    }

    fn is_transient(&self) -> bool {
        match self {
            UpcloudError::Http(e) => !e.is_unreachable(),
            UpcloudError::Api { status, .. } => *status == 429 || *status >= 500,
            UpcloudError::Decode { .. } => false,
        }
    }

    fn is_auth_failure(&self) -> bool {
        matches!(self, UpcloudError::Api { status: 401, .. })
    }

    /// Another account's network answers `NETWORK_FORBIDDEN` (an error code of
    /// UpCloudLtd/upcloud-go-api `upcloud/error_codes.go`; its HTTP status is unrecorded).
    fn is_not_visible(&self) -> bool {
        self.is_not_found() || matches!(self, UpcloudError::Api { code, .. } if code.ends_with("_FORBIDDEN"))
    }

    fn outcome_unknown(&self) -> bool {
        matches!(self, UpcloudError::Http(e) if e.outcome_unknown())
    }

    fn credentials_noun(&self) -> &'static str {
        "credentials"
    }

    fn credentials_hint(&self) -> &'static str {
        "upcloud { token } or { username, password } (UPCLOUD_TOKEN, UPCLOUD_USERNAME, UPCLOUD_PASSWORD)"
    }
}

impl From<HttpError> for UpcloudError {
    fn from(error: HttpError) -> Self {
        match error {
            HttpError::Status { status, ref body, .. } if !error.outcome_unknown() => {
                match serde_json::from_slice::<ErrorBody>(body) {
                    Ok(parsed) => UpcloudError::Api {
                        status: status.as_u16(),
                        code: parsed.error.error_code,
                        message: parsed.error.error_message,
                    },
                    Err(_) => UpcloudError::Api {
                        status: status.as_u16(),
                        code: status.canonical_reason().unwrap_or("HTTP_ERROR").to_uppercase().replace(' ', "_"),
                        message: String::from_utf8_lossy(body).chars().take(200).collect(),
                    },
                }
            }
            other => UpcloudError::Http(other),
        }
    }
}

/// A peering write changes peerings only: none of the network fields this client reads
/// (ranges, zone, router, servers) and no router. Any other write may change anything.
fn write_changes(write: &str, read: &str) -> bool {
    const PEERINGS: &str = "1.3/network-peering";
    !write.starts_with(PEERINGS) || read.starts_with(PEERINGS)
}

/// The UpCloud API (`/1.3`).
#[derive(Debug, Clone)]
pub struct UpcloudClient {
    api: ApiClient,
    /// How fresh the account's lists must be: a read in flight (the default), or one a moment
    /// old, for a listing's reads and a refresh walk's, which then take a peering half or a
    /// router from the list.
    lists: Freshness,
}

fn decode<T: DeserializeOwned>(body: &[u8], context: &'static str) -> Result<T, UpcloudError> {
    serde_json::from_slice(body).map_err(|e| UpcloudError::Decode { context, reason: e.to_string() })
}

impl UpcloudClient {
    pub fn new(api: ApiClient) -> UpcloudClient {
        UpcloudClient {
            api: api
                .with_write_changes(write_changes)
                .with_url_setting("upcloud { api_url } / UPCLOUD_API_URL")
                .recorded_as("upcloud"),
            lists: Freshness::Joined,
        }
    }

    /// The same client (and shared reads), taking the account's lists up to a moment old, and a
    /// peering half or a router from them: what a listing reads each result with, right after
    /// reading the lists itself, and what the refreshes of one walk share.
    pub fn reusing_recent_lists(&self) -> UpcloudClient {
        UpcloudClient { lists: Freshness::Recent, ..self.clone() }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<serde_json::Value>,
        context: &'static str,
    ) -> Result<T, UpcloudError> {
        let response = self.api.send(method, &format!("1.3/{path}"), query, body.as_ref()).await?;
        decode(&response.body, context)
    }

    async fn call_empty(&self, method: Method, path: &str) -> Result<StatusCode, UpcloudError> {
        Ok(self.api.send(method, &format!("1.3/{path}"), &[], None).await?.status)
    }

    /// `GET /1.3/account`: checks the credentials.
    pub async fn account(&self) -> Result<serde_json::Value, UpcloudError> {
        self.call(Method::GET, "account", &[], None, "account").await
    }

    /// A GET answered from a read shared with other callers, as `freshness` allows.
    async fn get_shared<T: DeserializeOwned>(
        &self,
        path: &str,
        freshness: Freshness,
        context: &'static str,
    ) -> Result<T, UpcloudError> {
        let response = self.api.get_shared(&format!("1.3/{path}"), &[], freshness).await?;
        decode(&response.body, context)
    }

    /// The network, read at most once a moment however many checks ask (its ranges, zone,
    /// router and servers do not change under a plan).
    pub async fn get_network(&self, id: UpcloudNetworkId) -> Result<Network, UpcloudError> {
        let env: NetworkEnvelope = self.get_shared(&format!("network/{id}"), Freshness::Recent, "network").await?;
        same_object("network", id, env.network.uuid)?;
        Ok(env.network)
    }

    /// Why network `id` was not found, in words: where the lookup looked (every zone of the
    /// account) and what to try. Lists the account's networks only on this error path.
    pub async fn missing_network(&self, id: UpcloudNetworkId) -> Result<String, UpcloudError> {
        let looked = format!("No UpCloud network {id} is visible with these credentials in any zone");
        if !id.to_string().starts_with("03") {
            let hint = if id.to_string().starts_with("04") { " (this one is a router's: 04…)" } else { "" };
            return Ok(format!("{looked}; SDN network ids start with 03{hint}."));
        }
        let private: Vec<Network> =
            self.list_networks(None).await?.into_iter().filter(|n| n.kind == "private").collect();
        let mut zones: Vec<&str> = private.iter().map(|n| n.zone.as_str()).collect();
        zones.sort_unstable();
        zones.dedup();
        let account = match private.len() {
            0 => "this account has no private networks".to_string(),
            n => format!("this account's {n} private networks are in {}", zones.join(", ")),
        };
        Ok(format!(
            "{looked} (network ids are account-wide; {account}). A `peering_network` data source finds a network by \
             name; a network of another UpCloud account can be the peer_network with peer_side = \"external\"."
        ))
    }

    pub async fn list_networks(&self, zone: Option<&str>) -> Result<Vec<Network>, UpcloudError> {
        let query: Vec<(&str, String)> = zone.map(|z| ("zone", z.to_string())).into_iter().collect();
        let list: NetworkList = self.call(Method::GET, "network", &query, None, "network list").await?;
        Ok(list.networks.network)
    }

    pub async fn create_network(&self, request: &CreateNetwork) -> Result<Network, UpcloudError> {
        let body = json!({ "network": request });
        let env: NetworkEnvelope = self.call(Method::POST, "network/", &[], Some(body), "network").await?;
        Ok(env.network)
    }

    /// Attaches (`Some`) or detaches (`None`) the network's router.
    pub async fn set_network_router(
        &self,
        id: UpcloudNetworkId,
        router: Option<UpcloudRouterId>,
    ) -> Result<Network, UpcloudError> {
        let body = json!({ "network": { "router": router } });
        let env: NetworkEnvelope = self.call(Method::PUT, &format!("network/{id}"), &[], Some(body), "network").await?;
        Ok(env.network)
    }

    pub async fn delete_network(&self, id: UpcloudNetworkId) -> Result<(), UpcloudError> {
        self.call_empty(Method::DELETE, &format!("network/{id}")).await.map(drop)
    }

    pub async fn list_routers(&self) -> Result<Vec<Router>, UpcloudError> {
        let list: RouterList = self.get_shared("router", self.lists, "router list").await?;
        Ok(list.routers.router)
    }

    /// The router as it is now, for a read-modify-write of its routes.
    pub async fn get_router(&self, id: UpcloudRouterId) -> Result<Router, UpcloudError> {
        let env: RouterEnvelope = self.call(Method::GET, &format!("router/{id}"), &[], None, "router").await?;
        same_object("router", id, env.router.uuid)?;
        Ok(env.router)
    }

    /// The router for a refresh or a check, read at most once a moment. A refresh or a listing
    /// takes it from the account's router list, which carries each router's routes: one read
    /// for every route of the walk, whichever router it is on. A check reads the router alone:
    /// the apply walk's checks run between writes, which make any shared list stale.
    pub async fn get_router_shared(&self, id: UpcloudRouterId) -> Result<Router, UpcloudError> {
        if self.lists == Freshness::Recent
            && let Some(found) = self.list_routers().await?.into_iter().find(|r| r.uuid == id)
        {
            return Ok(found);
        }
        let env: RouterEnvelope = self.get_shared(&format!("router/{id}"), Freshness::Recent, "router").await?;
        same_object("router", id, env.router.uuid)?;
        Ok(env.router)
    }

    pub async fn create_router(&self, fields: &RouterFields) -> Result<Router, UpcloudError> {
        let body = json!({ "router": fields });
        let env: RouterEnvelope = self.call(Method::POST, "router", &[], Some(body), "router").await?;
        Ok(env.router)
    }

    pub async fn modify_router(&self, id: UpcloudRouterId, fields: &RouterFields) -> Result<Router, UpcloudError> {
        let body = json!({ "router": fields });
        let env: RouterEnvelope = self.call(Method::PATCH, &format!("router/{id}"), &[], Some(body), "router").await?;
        Ok(env.router)
    }

    /// One PATCH of the router, not retried: its route list was built from a read, and a
    /// retry must start from a fresh one (UpCloud offers no conditional write).
    pub async fn modify_router_once(&self, id: UpcloudRouterId, fields: &RouterFields) -> Result<Router, UpcloudError> {
        let body = json!({ "router": fields });
        let response = self.api.send_once(Method::PATCH, &format!("1.3/router/{id}"), Some(&body)).await?;
        let env: RouterEnvelope = decode(&response.body, "router")?;
        Ok(env.router)
    }

    pub async fn delete_router(&self, id: UpcloudRouterId) -> Result<(), UpcloudError> {
        self.call_empty(Method::DELETE, &format!("router/{id}")).await.map(drop)
    }

    /// Peerings from `local` (toward `peer`, when given). The account's whole list is read and
    /// filtered here: both halves of a pair, looking for themselves at once, share one request
    /// (never an answer older than the request), and UpCloud's own filters are unverified.
    pub async fn list_peerings(
        &self,
        local: Option<UpcloudNetworkId>,
        peer: Option<UpcloudNetworkId>,
    ) -> Result<Vec<NetworkPeering>, UpcloudError> {
        let list: PeeringList = self.get_shared("network-peering", self.lists, "peering list").await?;
        Ok(list
            .network_peerings
            .network_peering
            .into_iter()
            .filter(|p| local.is_none_or(|l| p.network.uuid == l) && peer.is_none_or(|r| p.peer_network.uuid == r))
            .collect())
    }

    /// The half `id`: from the peering list when a moment-old list will do (a refresh or a
    /// listing: the halves of one walk share one read), else by its own read.
    pub async fn get_peering(&self, id: UpcloudPeeringId) -> Result<NetworkPeering, UpcloudError> {
        // Not in the list: asked for on its own before it is called gone (a list a moment old, or
        // one the cloud has not caught up on, must not drop a half from the state).
        if self.lists == Freshness::Recent
            && let Some(listed) = self.list_peerings(None, None).await?.into_iter().find(|p| p.uuid == id)
        {
            return Ok(listed);
        }
        let env: PeeringEnvelope =
            self.call(Method::GET, &format!("network-peering/{id}"), &[], None, "peering").await?;
        same_object("peering", id, env.network_peering.uuid)?;
        Ok(env.network_peering)
    }

    pub async fn create_peering(&self, request: &CreatePeering) -> Result<NetworkPeering, UpcloudError> {
        let body = json!({ "network_peering": request });
        let env: PeeringEnvelope = self.call(Method::POST, "network-peering", &[], Some(body), "peering").await?;
        Ok(env.network_peering)
    }

    pub async fn modify_peering(
        &self,
        id: UpcloudPeeringId,
        patch: &PeeringPatch,
    ) -> Result<NetworkPeering, UpcloudError> {
        let body = json!({ "network_peering": patch });
        let env: PeeringEnvelope =
            self.call(Method::PATCH, &format!("network-peering/{id}"), &[], Some(body), "peering").await?;
        Ok(env.network_peering)
    }

    pub async fn delete_peering(&self, id: UpcloudPeeringId) -> Result<(), UpcloudError> {
        self.call_empty(Method::DELETE, &format!("network-peering/{id}")).await.map(drop)
    }
}
