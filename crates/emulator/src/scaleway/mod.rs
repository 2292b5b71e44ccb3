//! Scaleway's VPC v2 API (`/vpc/v2/regions/{region}/…`): VPCs, Private Networks, VPC
//! connectors and routes, with Scaleway's error bodies, pagination and `X-Auth-Token` auth.

use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value as J, json};
use uuid::Uuid;

mod routes;
pub mod state;
pub mod wire;

use routes::{create_route, delete_route, get_route, routes_with_nexthop, update_route};

use state::ScalewayWorld;
use wire::{
    Connector, ConnectorChanges, CreateConnectorRequest, CreatePrivateNetworkRequest, CreateVpcRequest, Route,
    RouteFields, RoutePatch, RouteType, RouteWithNexthop, Vpc, VpcChanges,
};

use super::Emulator;
use super::clock::timestamp_micros;
use peering_net::IpNet;

/// Regions the VPC API serves.
const REGIONS: &[&str] = &["fr-par", "nl-ams", "pl-waw", "it-mil"];

/// Reads a request body strictly: a missing or unknown field is Scaleway's `invalid_arguments`.
fn parse_body<T: serde::de::DeserializeOwned>(body: J) -> Result<T, ApiError> {
    serde_json::from_value(body).map_err(|e| invalid("body", e.to_string()))
}

type Shared = State<Arc<Emulator>>;
type Answer = Result<Response, ApiError>;
type Params = Query<Vec<(String, String)>>;

pub fn routes(emulator: Arc<Emulator>) -> Router<Arc<Emulator>> {
    let base = "/vpc/v2/regions/{region}";
    Router::new()
        .route(&format!("{base}/vpcs"), get(list_vpcs).post(create_vpc))
        .route(&format!("{base}/vpcs/{{id}}"), get(get_vpc).patch(update_vpc).delete(delete_vpc))
        .route(&format!("{base}/private-networks"), get(list_private_networks).post(create_private_network))
        .route(&format!("{base}/private-networks/{{id}}"), get(get_private_network).delete(delete_private_network))
        .route(&format!("{base}/vpc-connectors"), get(list_connectors).post(create_connector))
        .route(
            &format!("{base}/vpc-connectors/{{id}}"),
            get(get_connector).patch(update_connector).delete(delete_connector),
        )
        .route(&format!("{base}/vpc-connectors/{{id}}/subnet-overlaps"), get(subnet_overlaps))
        .route(&format!("{base}/routes"), axum::routing::post(create_route))
        .route(&format!("{base}/routes/{{id}}"), get(get_route).patch(update_route).delete(delete_route))
        .route(&format!("{base}/routes-with-nexthop"), get(routes_with_nexthop))
        .route_layer(middleware::from_fn_with_state(emulator, authenticate))
}

/// A Scaleway error: `{"type": …, "message": …, …}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    body: J,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, [(header::CONTENT_TYPE, "application/json")], self.body.to_string()).into_response()
    }
}

fn not_found(resource: &str, id: &str) -> ApiError {
    ApiError {
        status: StatusCode::NOT_FOUND,
        body: json!({"message": "resource is not found", "resource": resource, "resource_id": id, "type": "not_found"}),
    }
}

fn invalid(argument: &str, help: impl Into<String>) -> ApiError {
    ApiError {
        status: StatusCode::BAD_REQUEST,
        body: json!({"message": "invalid argument(s)", "type": "invalid_arguments",
            "details": [{"argument_name": argument, "reason": "constraint", "help_message": help.into()}]}),
    }
}

fn still_in_use(help: impl Into<String>) -> ApiError {
    ApiError {
        status: StatusCode::PRECONDITION_FAILED,
        body: json!({"message": "precondition is not respected", "precondition": "resource_still_in_use",
            "help_message": help.into(), "type": "precondition_failed"}),
    }
}

/// Injected faults as Scaleway's edge answers them: a 429 with an empty body and
/// `X-Envoy-Ratelimited: true` (recorded: terraform-provider-scaleway
/// `block/testdata/list-block-volumes-basic`, no `Retry-After` there). UNVERIFIED: a 5xx, given
/// here with an empty body as a gateway would.
pub struct Faults;

impl crate::faults::FaultAnswers for Faults {
    fn rate_limited(retry_after: bool) -> Response {
        let mut response = StatusCode::TOO_MANY_REQUESTS.into_response();
        let headers = response.headers_mut();
        headers.insert("x-envoy-ratelimited", header::HeaderValue::from_static("true"));
        if retry_after {
            headers.insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        response
    }

    fn server_error(status: StatusCode) -> Response {
        status.into_response()
    }
}

fn ok<T: serde::Serialize>(body: T) -> Answer {
    Ok((StatusCode::OK, Json(body)).into_response())
}

fn deleted() -> Answer {
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn authenticate(State(emulator): Shared, request: Request, next: Next) -> Response {
    let token = request.headers().get("x-auth-token").and_then(|h| h.to_str().ok()).unwrap_or_default();
    if token == emulator.credentials.scaleway_secret_key {
        next.run(request).await
    } else {
        let body = json!({"message": "authentication is denied", "method": "api_key", "reason": "invalid_argument",
            "type": "denied_authentication"});
        (StatusCode::UNAUTHORIZED, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }
}

fn region_ok(region: &str) -> Result<(), ApiError> {
    if REGIONS.contains(&region) {
        Ok(())
    } else {
        Err(invalid("region", format!("unknown region {region}; one of {REGIONS:?}")))
    }
}

fn uuid_of(raw: &str, resource: &str) -> Result<Uuid, ApiError> {
    raw.parse().map_err(|_| not_found(resource, raw))
}

fn params(query: &[(String, String)], key: &str) -> Vec<String> {
    query.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
}

fn param(query: &[(String, String)], key: &str) -> Option<String> {
    params(query, key).into_iter().next()
}

/// A page of a list: `page_size` items (default 20) from `page`, never more than the world's
/// largest page (Scaleway's is unverified: nothing documents or records one).
fn paginate<T: serde::Serialize>(
    world: &ScalewayWorld,
    query: &[(String, String)],
    key: &str,
    items: Vec<T>,
) -> Answer {
    let page: usize = param(query, "page").and_then(|p| p.parse().ok()).filter(|p| *p >= 1).unwrap_or(1);
    let largest = world.largest_page.unwrap_or(100).max(1);
    let size: usize = param(query, "page_size").and_then(|p| p.parse().ok()).unwrap_or(20).clamp(1, largest);
    let total = items.len();
    let slice: Vec<T> = items.into_iter().skip((page - 1) * size).take(size).collect();
    ok(json!({ key: slice, "total_count": total }))
}

/// Scaleway's 403 (recorded for flexible IPs: terraform-provider-scaleway
/// `data-source-flexible-ip-basic` cassette).
fn permissions_denied(resource: &str) -> ApiError {
    ApiError {
        status: StatusCode::FORBIDDEN,
        body: json!({"details": [{"action": "read", "resource": resource}], "message": "insufficient permissions",
            "type": "permissions_denied"}),
    }
}

/// A VPC of the caller's organization in `region`; another organization's is not found (or
/// forbidden, in a world that says so).
fn vpc_in<'w>(world: &'w ScalewayWorld, region: &str, id: Uuid) -> Result<&'w Vpc, ApiError> {
    if world.forbids_other_organizations
        && world.vpcs.get(&id).is_some_and(|v| v.region == region && v.organization_id != state::ORGANIZATION)
    {
        return Err(permissions_denied("vpc"));
    }
    world
        .vpcs
        .get(&id)
        .filter(|v| v.region == region && v.organization_id == state::ORGANIZATION)
        .ok_or_else(|| not_found("vpc", &id.to_string()))
}

async fn list_vpcs(State(emulator): Shared, Path(region): Path<String>, Query(query): Params) -> Answer {
    region_ok(&region)?;
    let world = emulator.lock_world();
    let project = param(&query, "project_id");
    // Scaleway's `name` filter keeps names that contain it.
    let name = param(&query, "name");
    let vpcs: Vec<_> = world
        .scaleway
        .vpcs
        .values()
        .filter(|v| v.region == region && v.organization_id == state::ORGANIZATION)
        .filter(|v| project.as_ref().is_none_or(|p| *p == v.project_id))
        .filter(|v| name.as_ref().is_none_or(|n| v.name.contains(n.as_str())))
        .map(|v| world.scaleway.vpc_view(v))
        .collect();
    paginate(&world.scaleway, &query, "vpcs", vpcs)
}

async fn create_vpc(State(emulator): Shared, Path(region): Path<String>, Json(body): Json<J>) -> Answer {
    region_ok(&region)?;
    let request: CreateVpcRequest = parse_body(body)?;
    let id = emulator.new_uuid(0x5c);
    let mut world = emulator.lock_world();
    let project = request.project_id.unwrap_or_else(|| state::DEFAULT_PROJECT.to_string());
    world.scaleway.add_vpc(id, &region, &request.name, &project, request.enable_transitivity, emulator.clock.now_ms());
    let vpc = world.scaleway.vpcs.get_mut(&id).expect("just added");
    vpc.tags = request.tags;
    // Recorded: routing is on even when the request says `enable_routing: false`.
    let vpc = vpc.clone();
    ok(world.scaleway.vpc_view(&vpc))
}

async fn get_vpc(State(emulator): Shared, Path((region, id)): Path<(String, String)>) -> Answer {
    let world = emulator.lock_world();
    ok(world.scaleway.vpc_view(vpc_in(&world.scaleway, &region, uuid_of(&id, "vpc")?)?))
}

async fn update_vpc(
    State(emulator): Shared,
    Path((region, id)): Path<(String, String)>,
    Json(body): Json<J>,
) -> Answer {
    let id = uuid_of(&id, "vpc")?;
    let changes: VpcChanges = parse_body(body)?;
    let mut world = emulator.lock_world();
    vpc_in(&world.scaleway, &region, id)?;
    let vpc = world.scaleway.vpcs.get_mut(&id).expect("checked above");
    if let Some(name) = changes.name {
        vpc.name = name;
    }
    if let Some(tags) = changes.tags {
        vpc.tags = tags;
    }
    vpc.updated_at = timestamp_micros(emulator.clock.now_ms());
    let vpc = vpc.clone();
    ok(world.scaleway.vpc_view(&vpc))
}

async fn delete_vpc(State(emulator): Shared, Path((region, id)): Path<(String, String)>) -> Answer {
    let id = uuid_of(&id, "vpc")?;
    let mut world = emulator.lock_world();
    vpc_in(&world.scaleway, &region, id)?;
    if world.scaleway.private_networks.values().any(|pn| pn.vpc_id == id) {
        return Err(still_in_use("the VPC still has Private Networks"));
    }
    world.scaleway.vpcs.remove(&id);
    deleted()
}

async fn list_private_networks(State(emulator): Shared, Path(region): Path<String>, Query(query): Params) -> Answer {
    region_ok(&region)?;
    let world = emulator.lock_world();
    let vpc = param(&query, "vpc_id");
    let pns: Vec<_> = world
        .scaleway
        .private_networks
        .values()
        .filter(|pn| pn.region == region && vpc.as_ref().is_none_or(|v| *v == pn.vpc_id.to_string()))
        .cloned()
        .collect();
    paginate(&world.scaleway, &query, "private_networks", pns)
}

/// The first free IPv4 /22 in 172.16.0.0/12 that no subnet of the region uses.
fn free_ipv4(world: &ScalewayWorld, region: &str) -> Option<IpNet> {
    let used: Vec<IpNet> = world
        .private_networks
        .values()
        .filter(|pn| pn.region == region)
        .flat_map(|pn| pn.subnets.iter().map(|s| s.subnet))
        .collect();
    (0u32..256)
        .map(|i| {
            IpNet::V4(ipnet::Ipv4Net::new(std::net::Ipv4Addr::from(0xac10_0000 + (i << 10)), 22).expect("valid /22"))
        })
        .find(|candidate| !used.iter().any(|u| peering_net::overlaps(u, candidate)))
}

async fn create_private_network(State(emulator): Shared, Path(region): Path<String>, Json(body): Json<J>) -> Answer {
    region_ok(&region)?;
    let request: CreatePrivateNetworkRequest = parse_body(body)?;
    let id = emulator.new_uuid(0x5d);
    let ula = emulator.new_uuid(0xfd);
    let default_vpc = emulator.new_uuid(0x5c);
    let mut world = emulator.lock_world();
    // Without a VPC, the region's default VPC (made on first use), as recorded.
    let vpc_id = match request.vpc_id {
        Some(vpc) => vpc,
        None => world.scaleway.default_vpc(default_vpc, &region, emulator.clock.now_ms()),
    };
    vpc_in(&world.scaleway, &region, vpc_id)
        .map_err(|_| invalid("vpc_id", format!("VPC {vpc_id} does not exist in {region}")))?;
    let mut subnets = request.subnets.unwrap_or_default();
    if !subnets.iter().any(|s| matches!(s, IpNet::V4(_))) {
        subnets.push(free_ipv4(&world.scaleway, &region).ok_or_else(|| invalid("subnets", "no free IPv4 /22 left"))?);
    }
    if !subnets.iter().any(|s| matches!(s, IpNet::V6(_))) {
        let b = ula.as_bytes();
        let prefix = u128::from_be_bytes([0xfd, b[1], b[2], b[3], b[4], b[5], b[6], b[7], 0, 0, 0, 0, 0, 0, 0, 0]);
        subnets.push(IpNet::V6(ipnet::Ipv6Net::new(std::net::Ipv6Addr::from(prefix), 64).expect("valid /64")));
    }
    let existing: Vec<IpNet> = world.scaleway.subnets_of(vpc_id).iter().map(|s| s.subnet).collect();
    if let Some((new, old)) = peering_net::first_overlap(&subnets, &existing) {
        return Err(invalid("subnets", format!("subnet {new} overlaps {old}, already in this VPC")));
    }
    world.scaleway.add_private_network(id, vpc_id, &request.name, &subnets, emulator.clock.now_ms());
    let pn = world.scaleway.private_networks.get_mut(&id).expect("just added");
    pn.tags = request.tags;
    pn.default_route_propagation_enabled = request.default_route_propagation_enabled;
    ok(pn.clone())
}

async fn get_private_network(State(emulator): Shared, Path((region, id)): Path<(String, String)>) -> Answer {
    let id = uuid_of(&id, "private_network")?;
    let world = emulator.lock_world();
    let pn = world.scaleway.private_networks.get(&id).filter(|pn| pn.region == region);
    ok(pn.ok_or_else(|| not_found("private_network", &id.to_string()))?)
}

async fn delete_private_network(State(emulator): Shared, Path((region, id)): Path<(String, String)>) -> Answer {
    let id = uuid_of(&id, "private_network")?;
    let mut world = emulator.lock_world();
    world
        .scaleway
        .private_networks
        .get(&id)
        .filter(|pn| pn.region == region)
        .ok_or_else(|| not_found("private_network", &id.to_string()))?;
    if world.scaleway.routes.values().any(|r| r.nexthop_private_network_id == Some(id)) {
        return Err(still_in_use("routes still use this Private Network as next hop"));
    }
    world.scaleway.private_networks.remove(&id);
    deleted()
}

fn connector_in<'w>(world: &'w ScalewayWorld, region: &str, id: Uuid) -> Result<&'w Connector, ApiError> {
    world.connectors.get(&id).filter(|c| c.region == region).ok_or_else(|| not_found("vpc_connector", &id.to_string()))
}

async fn list_connectors(State(emulator): Shared, Path(region): Path<String>, Query(query): Params) -> Answer {
    region_ok(&region)?;
    let world = emulator.lock_world();
    let (vpc, target, status, name) =
        (param(&query, "vpc_id"), param(&query, "target_vpc_id"), param(&query, "status"), param(&query, "name"));
    let project = param(&query, "project_id");
    let tags = params(&query, "tags");
    let connectors: Vec<wire::ConnectorView> = world
        .scaleway
        .connectors
        .values()
        .filter(|c| c.region == region)
        .map(|c| world.scaleway.connector_view(c))
        .filter(|c| vpc.as_ref().is_none_or(|v| *v == c.vpc_id.to_string()))
        .filter(|c| target.as_ref().is_none_or(|t| *t == c.target_vpc_id.to_string()))
        .filter(|c| status.as_ref().is_none_or(|s| s == c.status.as_str()))
        .filter(|c| name.as_ref().is_none_or(|n| c.name.contains(n.as_str())))
        .filter(|c| project.as_ref().is_none_or(|p| *p == c.project_id))
        .filter(|c| tags.iter().all(|t| c.tags.contains(t)))
        .collect();
    paginate(&world.scaleway, &query, "vpc_connectors", connectors)
}

async fn create_connector(State(emulator): Shared, Path(region): Path<String>, Json(body): Json<J>) -> Answer {
    region_ok(&region)?;
    let request: CreateConnectorRequest = parse_body(body)?;
    let id = emulator.new_uuid(0x5e);
    let mut world = emulator.lock_world();
    let origin = vpc_in(&world.scaleway, &region, request.vpc_id)
        .map_err(|_| invalid("vpc_id", format!("VPC {} does not exist in {region}", request.vpc_id)))?
        .clone();
    // The target may be another organization's VPC, which the caller cannot read: "The target
    // VPC can be in a different Project/Organization" (docs-content
    // pages/vpc/how-to/create-peering-connector.mdx). It must exist in the region.
    world.scaleway.vpcs.get(&request.target_vpc_id).filter(|v| v.region == region).ok_or_else(|| {
        invalid(
            "target_vpc_id",
            format!("VPC {} does not exist in {region}; peering stays within one region", request.target_vpc_id),
        )
    })?;
    let now = timestamp_micros(emulator.clock.now_ms());
    let connector = Connector {
        id,
        name: if request.name.is_empty() { format!("connector-{}", &id.to_string()[..8]) } else { request.name },
        vpc_id: request.vpc_id,
        target_vpc_id: request.target_vpc_id,
        region: region.clone(),
        tags: request.tags,
        project_id: origin.project_id.clone(),
        organization_id: origin.organization_id.clone(),
        created_at: now.clone(),
        updated_at: now,
        locked: false,
    };
    world.scaleway.connectors.insert(id, connector.clone());
    ok(world.scaleway.connector_view(&connector))
}

async fn get_connector(State(emulator): Shared, Path((region, id)): Path<(String, String)>) -> Answer {
    let world = emulator.lock_world();
    let connector = connector_in(&world.scaleway, &region, uuid_of(&id, "vpc_connector")?)?;
    ok(world.scaleway.connector_view(connector))
}

async fn update_connector(
    State(emulator): Shared,
    Path((region, id)): Path<(String, String)>,
    Json(body): Json<J>,
) -> Answer {
    let patch: ConnectorChanges = parse_body(body)?;
    let id = uuid_of(&id, "vpc_connector")?;
    let mut world = emulator.lock_world();
    connector_in(&world.scaleway, &region, id)?;
    let connector = world.scaleway.connectors.get_mut(&id).expect("checked above");
    if let Some(name) = patch.name {
        connector.name = name;
    }
    if let Some(tags) = patch.tags {
        connector.tags = tags;
    }
    connector.updated_at = timestamp_micros(emulator.clock.now_ms());
    let connector = connector.clone();
    ok(world.scaleway.connector_view(&connector))
}

async fn delete_connector(State(emulator): Shared, Path((region, id)): Path<(String, String)>) -> Answer {
    let id = uuid_of(&id, "vpc_connector")?;
    let mut world = emulator.lock_world();
    connector_in(&world.scaleway, &region, id)?;
    if world.scaleway.routes.values().any(|r| r.nexthop_vpc_connector_id == Some(id)) {
        return Err(still_in_use("routes still use this connector as next hop"));
    }
    world.scaleway.connectors.remove(&id);
    deleted()
}

async fn subnet_overlaps(
    State(emulator): Shared,
    Path((region, id)): Path<(String, String)>,
    Query(query): Params,
) -> Answer {
    let world = emulator.lock_world();
    let connector = connector_in(&world.scaleway, &region, uuid_of(&id, "vpc_connector")?)?;
    let pairs: Vec<J> = world
        .scaleway
        .overlaps(connector.vpc_id, connector.target_vpc_id)
        .into_iter()
        .map(|(a, b)| json!({"subnet_id": a.id, "subnet": a.subnet, "target_subnet_id": b.id, "target_subnet": b.subnet}))
        .collect();
    paginate(&world.scaleway, &query, "subnet_overlaps", pairs)
}
