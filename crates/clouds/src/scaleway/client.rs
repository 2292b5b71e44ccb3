//! Typed calls to Scaleway's VPC v2 API, with its error types as values, lists read to the
//! last page, and `transient_state` answers retried.

use super::wire::{
    ConnectorPatch, CreateConnector, CreatePrivateNetwork, CreateVpc, ErrorBody, PrivateNetwork, Route, RouteFields,
    RoutePatch, RouteWithNexthop, SubnetOverlap, Vpc, VpcConnector,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use crate::CloudFailure as _;
use reqwest::Method;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use crate::http::{ApiClient, HttpError};

#[derive(Debug, Clone, thiserror::Error)]
pub enum ScalewayError {
    #[error("Scaleway: {} is not found", not_found_object(resource, resource_id))]
    NotFound { resource: String, resource_id: String },
    #[error("Scaleway rejected the request: {message} ({})", details.join("; "))]
    InvalidArguments { message: String, details: Vec<String> },
    #[error("Scaleway precondition failed ({precondition}): {message}")]
    PreconditionFailed { precondition: String, message: String },
    #[error("Scaleway {resource} {resource_id} is busy ({current_state})")]
    TransientState { resource: String, resource_id: String, current_state: String },
    #[error("Scaleway quotas exceeded: {}", details.join("; "))]
    QuotasExceeded { details: Vec<String> },
    #[error("Scaleway denied permission: {}", details.join("; "))]
    PermissionsDenied { details: Vec<String> },
    #[error("Scaleway answered HTTP {status} ({kind}): {message}")]
    Other { status: u16, kind: String, message: String },
    #[error("Scaleway request failed: {0}")]
    Http(Arc<HttpError>),
    #[error("Scaleway sent a body this provider cannot read ({context}): {reason}")]
    Decode { context: &'static str, reason: String },
}

/// The object of a `not_found` answer in words, whatever of its type and id Scaleway named.
fn not_found_object(resource: &str, id: &str) -> String {
    let resource = match resource {
        "" | "unknown" => "the object asked for",
        named => named,
    };
    if id.is_empty() { resource.to_string() } else { format!("{resource} {id}") }
}

fn detail_text(details: &[serde_json::Value]) -> Vec<String> {
    details
        .iter()
        .map(|d| {
            let field = |k: &str| d.get(k).and_then(|v| v.as_str()).unwrap_or_default().to_string();
            let parts: Vec<String> = ["argument_name", "reason", "help_message", "resource", "action", "quota"]
                .iter()
                .map(|k| field(k))
                .filter(|v| !v.is_empty())
                .collect();
            parts.join(": ")
        })
        .collect()
}

/// [`crate::same_object`], as Scaleway's error.
fn same_object(context: &'static str, asked: String, answered: String) -> Result<(), ScalewayError> {
    crate::same_object(asked, answered).map_err(|reason| ScalewayError::Decode { context, reason })
}

/// Where this cloud's credentials are set: the provider settings, and the variables.
pub const CREDENTIAL_SETTINGS: (&str, &str) =
    ("scaleway { secret_key } (or a profile)", "SCW_SECRET_KEY, or SCW_PROFILE");

impl crate::CloudFailure for ScalewayError {
    fn cloud(&self) -> peering_net::Cloud {
        peering_net::Cloud::Scaleway
    }

    fn is_not_found(&self) -> bool {
        matches!(self, ScalewayError::NotFound { .. })
    }

    fn is_transient(&self) -> bool {
        match self {
            ScalewayError::Http(e) => !e.is_unreachable(),
            ScalewayError::TransientState { .. } => true,
            ScalewayError::Other { status, .. } => *status == 429 || *status >= 500,
            _ => false,
        }
    }

    fn is_auth_failure(&self) -> bool {
        matches!(self, ScalewayError::Other { status: 401, .. })
    }

    /// A VPC of a project the key has no rights on answers 403 `permissions_denied`.
    fn is_not_visible(&self) -> bool {
        matches!(self, ScalewayError::NotFound { .. } | ScalewayError::PermissionsDenied { .. })
    }

    fn outcome_unknown(&self) -> bool {
        matches!(self, ScalewayError::Http(e) if e.outcome_unknown())
    }

    fn credentials_noun(&self) -> &'static str {
        "secret key"
    }

    fn credentials_hint(&self) -> &'static str {
        "scaleway { secret_key } (SCW_SECRET_KEY, or the CLI profile)"
    }
}

impl From<HttpError> for ScalewayError {
    fn from(error: HttpError) -> Self {
        let HttpError::Status { status, ref body, .. } = error else { return ScalewayError::Http(Arc::new(error)) };
        if error.outcome_unknown() {
            return ScalewayError::Http(Arc::new(error));
        }
        let parsed: ErrorBody = serde_json::from_slice(body).unwrap_or_default();
        let text = |v: Option<String>| v.unwrap_or_default();
        match parsed.kind.as_str() {
            "not_found" => {
                ScalewayError::NotFound { resource: text(parsed.resource), resource_id: text(parsed.resource_id) }
            }
            "invalid_arguments" => {
                ScalewayError::InvalidArguments { message: parsed.message, details: detail_text(&parsed.details) }
            }
            "precondition_failed" => ScalewayError::PreconditionFailed {
                precondition: text(parsed.precondition),
                message: parsed.help_message.unwrap_or(parsed.message),
            },
            "transient_state" => ScalewayError::TransientState {
                resource: text(parsed.resource),
                resource_id: text(parsed.resource_id),
                current_state: text(parsed.current_state),
            },
            "quotas_exceeded" => ScalewayError::QuotasExceeded { details: detail_text(&parsed.details) },
            "permissions_denied" => ScalewayError::PermissionsDenied { details: detail_text(&parsed.details) },
            kind => ScalewayError::Other {
                status: status.as_u16(),
                kind: if kind.is_empty() {
                    status.canonical_reason().unwrap_or("error").to_string()
                } else {
                    kind.to_string()
                },
                message: if parsed.message.is_empty() {
                    String::from_utf8_lossy(body).chars().take(200).collect()
                } else {
                    parsed.message
                },
            },
        }
    }
}

/// The Scaleway VPC API (`/vpc/v2`).
#[derive(Debug, Clone)]
pub struct ScalewayClient {
    api: ApiClient,
    project_id: Option<String>,
    default_region: String,
    /// A listing's whole lists, read once per region: each result's narrower list (a VPC's
    /// connectors, its Private Networks) is answered from them. `None` outside a listing.
    region_lists: Option<Arc<RegionLists>>,
}

fn decode<T: DeserializeOwned>(body: &[u8], context: &'static str) -> Result<T, ScalewayError> {
    serde_json::from_slice(body).map_err(|e| ScalewayError::Decode { context, reason: e.to_string() })
}

fn base(region: &str) -> String {
    format!("vpc/v2/regions/{region}")
}

/// Items asked for per page. The server's default and maximum are unverified (api-scaleway.md):
/// the first page's length, whatever it is, sets how many pages follow.
const PAGE_SIZE: usize = 100;

/// How many pages of one list are read at once: a server that pages in ones still gets a
/// bounded number of requests in flight.
const PAGES_AT_ONCE: usize = 8;
/// The most pages one list is read to: a `total_count` far beyond what the pages hold does
/// not send the client asking forever.
const MAX_PAGES: usize = 1000;

/// A listing's whole lists per region, each read once however many results ask.
#[derive(Debug, Default)]
struct RegionLists {
    connectors: RegionMemo<VpcConnector>,
    private_networks: RegionMemo<PrivateNetwork>,
    routes: RegionMemo<RouteWithNexthop>,
}

#[derive(Debug)]
struct RegionMemo<T>(Mutex<HashMap<String, Arc<tokio::sync::OnceCell<Vec<T>>>>>);

impl<T> Default for RegionMemo<T> {
    fn default() -> Self {
        RegionMemo(Mutex::default())
    }
}

impl<T: Clone> RegionMemo<T> {
    /// The region's list: read by the first caller, joined by those who ask meanwhile, kept
    /// after. A failed read is not kept; the next caller reads again.
    async fn get_or_read<F: std::future::Future<Output = Result<Vec<T>, ScalewayError>>>(
        &self,
        region: &str,
        read: impl FnOnce() -> F,
    ) -> Result<Vec<T>, ScalewayError> {
        let cell = self.0.lock().unwrap_or_else(PoisonError::into_inner).entry(region.to_string()).or_default().clone();
        cell.get_or_try_init(read).await.cloned()
    }
}

/// How often a `transient_state` answer is retried, and how long between tries.
const TRANSIENT_RETRIES: u32 = 10;
const TRANSIENT_DELAY: Duration = Duration::from_millis(300);

impl ScalewayClient {
    pub fn new(api: ApiClient, project_id: Option<String>, default_region: String) -> ScalewayClient {
        ScalewayClient {
            api: api.with_url_setting("scaleway { api_url } / SCW_API_URL").recorded_as("scaleway"),
            project_id,
            default_region,
            region_lists: None,
        }
    }

    /// The same client for the reads of one listing: each region's connectors and Private
    /// Networks are read whole once, and every result's lookups are answered from them.
    pub fn for_listing(&self) -> ScalewayClient {
        ScalewayClient { region_lists: Some(Arc::default()), ..self.clone() }
    }

    /// The region an endpoint without one is in.
    pub fn default_region(&self) -> &str {
        &self.default_region
    }

    pub fn project_id(&self) -> Option<&str> {
        self.project_id.as_deref()
    }

    async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<serde_json::Value>,
    ) -> Result<bytes::Bytes, ScalewayError> {
        let mut tries = 0;
        loop {
            match self.api.send(method.clone(), path, query, body.as_ref()).await.map_err(ScalewayError::from) {
                Err(ScalewayError::TransientState { .. }) if tries < TRANSIENT_RETRIES => {
                    tries += 1;
                    tokio::time::sleep(TRANSIENT_DELAY * tries).await;
                }
                other => return other.map(|r| r.body),
            }
        }
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<serde_json::Value>,
        context: &'static str,
    ) -> Result<T, ScalewayError> {
        decode(&self.send(method, path, &[], body).await?, context)
    }

    /// Every item of a paginated list: the first page, then (knowing `total_count`) the others,
    /// [`PAGES_AT_ONCE`] at a time.
    async fn list_all<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        key: &'static str,
    ) -> Result<Vec<T>, ScalewayError> {
        let (mut items, total) = self.list_page(path, query, key, 1).await?;
        if items.is_empty() || items.len() >= total {
            return Ok(items);
        }
        use futures_util::{StreamExt, TryStreamExt};
        let pages = total.div_ceil(items.len()).min(MAX_PAGES);
        let rest = futures_util::stream::iter(2..=pages).map(|page| self.list_page::<T>(path, query, key, page));
        let mut rest = std::pin::pin!(rest.buffered(PAGES_AT_ONCE));
        // An empty page is the end, whatever `total_count` said; the pages still pending are dropped.
        while let Some((batch, _)) = rest.try_next().await? {
            if batch.is_empty() {
                break;
            }
            items.extend(batch);
        }
        Ok(items)
    }

    /// One page of a list and the list's `total_count`.
    async fn list_page<T: DeserializeOwned>(
        &self,
        path: &str,
        query: &[(&str, String)],
        key: &'static str,
        page: usize,
    ) -> Result<(Vec<T>, usize), ScalewayError> {
        let mut paged = query.to_vec();
        paged.push(("page", page.to_string()));
        paged.push(("page_size", PAGE_SIZE.to_string()));
        let body: serde_json::Value = decode(&self.send(Method::GET, path, &paged, None).await?, key)?;
        let batch = serde_json::from_value(body.get(key).cloned().unwrap_or_default())
            .map_err(|e| ScalewayError::Decode { context: key, reason: e.to_string() })?;
        let total = body.get("total_count").and_then(serde_json::Value::as_u64).unwrap_or(0);
        Ok((batch, usize::try_from(total).unwrap_or(usize::MAX)))
    }

    pub async fn get_vpc(&self, region: &str, id: Uuid) -> Result<Vpc, ScalewayError> {
        let vpc: Vpc = self.call(Method::GET, &format!("{}/vpcs/{id}", base(region)), None, "vpc").await?;
        same_object("vpc", id.to_string(), vpc.id.to_string())?;
        Ok(vpc)
    }

    /// Why VPC `id` is not in `region`, in words: the region it is in when another region has
    /// it (looked for only on this error path), else that none of them does.
    pub async fn missing_vpc(&self, region: &str, id: Uuid) -> Result<String, ScalewayError> {
        for other in peering_net::ScalewayRegion::ALL.into_iter().filter(|r| r.as_str() != region) {
            match self.get_vpc(other.as_str(), id).await {
                Ok(_) => {
                    return Ok(format!(
                        "VPC {id} is in {other}, not {region}; set region = \"{other}\" beside its vpc_id."
                    ));
                }
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(format!("No VPC {id} is visible with these credentials in {region} or any other region."))
    }

    /// The VPCs of `region`; Scaleway's `name` filter matches parts of names, so the exact
    /// match is left to the caller.
    pub async fn list_vpcs(&self, region: &str, name: Option<&str>) -> Result<Vec<Vpc>, ScalewayError> {
        let mut query = self.project_scope();
        query.extend(name.map(|n| ("name", n.to_string())));
        self.list_all(&format!("{}/vpcs", base(region)), &query, "vpcs").await
    }

    /// Deletes a VPC (Scaleway refuses one that still has Private Networks).
    pub async fn delete_vpc(&self, region: &str, id: Uuid) -> Result<(), ScalewayError> {
        self.send(Method::DELETE, &format!("{}/vpcs/{id}", base(region)), &[], None).await.map(drop)
    }

    pub async fn delete_private_network(&self, region: &str, id: Uuid) -> Result<(), ScalewayError> {
        self.send(Method::DELETE, &format!("{}/private-networks/{id}", base(region)), &[], None).await.map(drop)
    }

    pub async fn create_vpc(&self, region: &str, request: &CreateVpc) -> Result<Vpc, ScalewayError> {
        let body = serde_json::to_value(request).expect("serialisable");
        self.call(Method::POST, &format!("{}/vpcs", base(region)), Some(body), "vpc").await
    }

    pub async fn list_private_networks(&self, region: &str, vpc: Uuid) -> Result<Vec<PrivateNetwork>, ScalewayError> {
        if let Some(lists) = &self.region_lists {
            let all = lists.private_networks.get_or_read(region, || self.list_all_private_networks(region)).await?;
            return Ok(all.into_iter().filter(|pn| pn.vpc_id == vpc).collect());
        }
        self.list_all(&format!("{}/private-networks", base(region)), &[("vpc_id", vpc.to_string())], "private_networks")
            .await
    }

    /// Every Private Network of `region` the credentials see: not narrowed to the provider's
    /// project, as a VPC's are not when read on their own (a peer VPC may be another project's).
    pub async fn list_all_private_networks(&self, region: &str) -> Result<Vec<PrivateNetwork>, ScalewayError> {
        self.list_all(&format!("{}/private-networks", base(region)), &[], "private_networks").await
    }

    pub async fn create_private_network(
        &self,
        region: &str,
        request: &CreatePrivateNetwork,
    ) -> Result<PrivateNetwork, ScalewayError> {
        let body = serde_json::to_value(request).expect("serialisable");
        self.call(Method::POST, &format!("{}/private-networks", base(region)), Some(body), "private network").await
    }

    /// Connectors from `vpc` (toward `target`, when given), in whatever project the VPC is: a
    /// VPC named by id is read wherever the credentials see it, as in the official provider,
    /// where `project_id` is the default for what is created, not a filter on what is named.
    pub async fn list_connectors(
        &self,
        region: &str,
        vpc: Uuid,
        target: Option<Uuid>,
    ) -> Result<Vec<VpcConnector>, ScalewayError> {
        let all: Vec<VpcConnector> = if self.region_lists.is_some() {
            self.list_all_connectors(region).await?
        } else {
            let mut query = vec![("vpc_id", vpc.to_string())];
            query.extend(target.map(|target| ("target_vpc_id", target.to_string())));
            self.list_all(&format!("{}/vpc-connectors", base(region)), &query, "vpc_connectors").await?
        };
        // Filter again, so that a server ignoring filters cannot make us adopt a stranger.
        Ok(all.into_iter().filter(|c| c.vpc_id == vpc && target.is_none_or(|t| c.target_vpc_id == t)).collect())
    }

    /// Every connector of `region` (of the project, when one is set).
    pub async fn list_all_connectors(&self, region: &str) -> Result<Vec<VpcConnector>, ScalewayError> {
        let (path, scope) = (format!("{}/vpc-connectors", base(region)), self.project_scope());
        let read = || self.list_all(&path, &scope, "vpc_connectors");
        self.region_list(|lists| &lists.connectors, region, read).await
    }

    /// A whole list of `region`: in a listing, the one read its memo keeps; otherwise read now.
    async fn region_list<T: Clone, F: std::future::Future<Output = Result<Vec<T>, ScalewayError>>>(
        &self,
        memo: fn(&RegionLists) -> &RegionMemo<T>,
        region: &str,
        read: impl FnOnce() -> F,
    ) -> Result<Vec<T>, ScalewayError> {
        match &self.region_lists {
            Some(lists) => memo(lists).get_or_read(region, read).await,
            None => read().await,
        }
    }

    /// Reads what a listing will need of `region` side by side: its connectors and its Private
    /// Networks (outside a listing, only the connectors). The connectors are returned.
    pub async fn list_region(&self, region: &str) -> Result<Vec<VpcConnector>, ScalewayError> {
        match &self.region_lists {
            Some(lists) => {
                // The Private Networks are read ahead for the results; if that fails, each
                // result reads them again and says so itself.
                let networks = lists.private_networks.get_or_read(region, || self.list_all_private_networks(region));
                let (connectors, _) = tokio::join!(self.list_all_connectors(region), networks);
                connectors
            }
            None => self.list_all_connectors(region).await,
        }
    }

    /// The `project_id` filter of listings, when the provider is set to one project
    /// (`scaleway { project_id }`, `SCW_DEFAULT_PROJECT_ID`, the profile's `default_project_id`).
    fn project_scope(&self) -> Vec<(&'static str, String)> {
        self.project_id.iter().map(|p| ("project_id", p.clone())).collect()
    }

    /// The connector `id`; in a listing, from the region's connector list it has just read when
    /// that holds it.
    pub async fn get_connector(&self, region: &str, id: Uuid) -> Result<VpcConnector, ScalewayError> {
        // The listing's connectors are the project's: another project's is read on its own.
        if self.region_lists.is_some()
            && let Some(listed) = self.list_all_connectors(region).await?.into_iter().find(|c| c.id == id)
        {
            return Ok(listed);
        }
        let connector: VpcConnector =
            self.call(Method::GET, &format!("{}/vpc-connectors/{id}", base(region)), None, "connector").await?;
        same_object("connector", id.to_string(), connector.id.to_string())?;
        Ok(connector)
    }

    pub async fn create_connector(
        &self,
        region: &str,
        request: &CreateConnector,
    ) -> Result<VpcConnector, ScalewayError> {
        let body = serde_json::to_value(request).expect("serialisable");
        self.call(Method::POST, &format!("{}/vpc-connectors", base(region)), Some(body), "connector").await
    }

    pub async fn update_connector(
        &self,
        region: &str,
        id: Uuid,
        patch: &ConnectorPatch,
    ) -> Result<VpcConnector, ScalewayError> {
        let body = serde_json::to_value(patch).expect("serialisable");
        self.call(Method::PATCH, &format!("{}/vpc-connectors/{id}", base(region)), Some(body), "connector").await
    }

    pub async fn delete_connector(&self, region: &str, id: Uuid) -> Result<(), ScalewayError> {
        self.send(Method::DELETE, &format!("{}/vpc-connectors/{id}", base(region)), &[], None).await.map(drop)
    }

    pub async fn subnet_overlaps(&self, region: &str, connector: Uuid) -> Result<Vec<SubnetOverlap>, ScalewayError> {
        self.list_all(&format!("{}/vpc-connectors/{connector}/subnet-overlaps", base(region)), &[], "subnet_overlaps")
            .await
    }

    /// The route `id`; in a listing, from the region's route list it has just read when that
    /// holds it.
    pub async fn get_route(&self, region: &str, id: Uuid) -> Result<Route, ScalewayError> {
        if self.region_lists.is_some()
            && let Some(listed) =
                self.list_routes(region).await?.into_iter().map(|r| r.route).find(|r| r.id == id.to_string())
        {
            return Ok(listed);
        }
        let route: Route = self.call(Method::GET, &format!("{}/routes/{id}", base(region)), None, "route").await?;
        same_object("route", id.to_string(), route.id.clone())?;
        Ok(route)
    }

    pub async fn create_route(&self, region: &str, fields: &RouteFields) -> Result<Route, ScalewayError> {
        let body = serde_json::to_value(fields).expect("serialisable");
        self.call(Method::POST, &format!("{}/routes", base(region)), Some(body), "route").await
    }

    pub async fn update_route(&self, region: &str, id: Uuid, patch: &RoutePatch) -> Result<Route, ScalewayError> {
        let body = serde_json::to_value(patch).expect("serialisable");
        self.call(Method::PATCH, &format!("{}/routes/{id}", base(region)), Some(body), "route").await
    }

    pub async fn delete_route(&self, region: &str, id: Uuid) -> Result<(), ScalewayError> {
        self.send(Method::DELETE, &format!("{}/routes/{id}", base(region)), &[], None).await.map(drop)
    }

    /// Every route of every VPC of `region`, with its next hop (there is no plain route list;
    /// in a listing, read once per region).
    pub async fn list_routes(&self, region: &str) -> Result<Vec<RouteWithNexthop>, ScalewayError> {
        let path = format!("{}/routes-with-nexthop", base(region));
        let read = || self.list_all(&path, &[], "routes");
        self.region_list(|lists| &lists.routes, region, read).await
    }

    /// Every route of a VPC, managed ones included.
    pub async fn routes_with_nexthop(&self, region: &str, vpc: Uuid) -> Result<Vec<RouteWithNexthop>, ScalewayError> {
        self.list_all(&format!("{}/routes-with-nexthop", base(region)), &[("vpc_id", vpc.to_string())], "routes").await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_not_found_answer_reads_as_a_sentence_whatever_it_names() {
        let text = |resource: &str, id: &str| {
            ScalewayError::NotFound { resource: resource.into(), resource_id: id.into() }.to_string()
        };
        assert_eq!(text("route", "5e00"), "Scaleway: route 5e00 is not found");
        assert_eq!(text("unknown", ""), "Scaleway: the object asked for is not found");
        assert_eq!(text("", "5e00"), "Scaleway: the object asked for 5e00 is not found");
    }
}
