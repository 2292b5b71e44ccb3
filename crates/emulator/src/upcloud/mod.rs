//! UpCloud's `/1.3` API: networks, routers, network peerings and the account, with UpCloud's
//! envelopes, `"yes"`/`"no"` booleans, legacy error bodies and basic or bearer auth.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine;
use serde_json::{Value as J, json};

pub mod state;
pub mod wire;

use state::{PeeringRecord, UpcloudWorld};
use wire::{
    ConfiguredStatus, CreateNetworkRequest, CreatePeeringRequest, Label, ModifyNetworkRequest, ModifyPeeringRequest,
    Network, NetworkEnvelope, NetworkItems, NetworkList, PeeringEnvelope, PeeringItems, PeeringList, RouterChanges,
    RouterEnvelope, RouterItems, RouterList, RouterRequest, RouterView, Servers, StaticRoute,
};

use super::Emulator;
use peering_net::{IpNet, UpcloudNetworkId, UpcloudPeeringId, UpcloudRouterId};

type Shared = State<Arc<Emulator>>;
type Answer = Result<Response, ApiError>;

pub fn routes(emulator: Arc<Emulator>) -> Router<Arc<Emulator>> {
    Router::new()
        .route("/1.3/account", get(account))
        .route("/1.3/network", get(list_networks).post(create_network))
        .route("/1.3/network/", get(list_networks).post(create_network))
        .route("/1.3/network/{uuid}", get(get_network).put(modify_network).delete(delete_network))
        .route("/1.3/router", get(list_routers).post(create_router))
        .route("/1.3/router/{uuid}", get(get_router).patch(modify_router).delete(delete_router))
        .route("/1.3/network-peering", get(list_peerings).post(create_peering))
        .route("/1.3/network-peering/{uuid}", get(get_peering).patch(modify_peering).delete(delete_peering))
        .route_layer(middleware::from_fn_with_state(emulator, authenticate))
}

/// An UpCloud error, answered with the legacy body networks, routers and peerings use.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    code: &'static str,
    message: String,
}

pub fn error(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError { status, code, message: message.into() }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (
            self.status,
            [(header::CONTENT_TYPE, "application/json; charset=UTF-8")],
            json!({"error": {"error_code": self.code, "error_message": self.message}}).to_string(),
        )
            .into_response()
    }
}

/// Injected faults in UpCloud's error body. UNVERIFIED: no recording shows UpCloud's 429 or 5xx;
/// the body is the one its other errors have.
pub struct Faults;

impl crate::faults::FaultAnswers for Faults {
    fn rate_limited(retry_after: bool) -> Response {
        let mut response =
            error(StatusCode::TOO_MANY_REQUESTS, "TOO_MANY_REQUESTS", "Rate limit exceeded.").into_response();
        if retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        response
    }

    fn server_error(status: StatusCode) -> Response {
        error(status, "INTERNAL_ERROR", "Injected server error.").into_response()
    }
}

fn ok<T: serde::Serialize>(status: StatusCode, body: T) -> Answer {
    Ok((status, Json(body)).into_response())
}

fn parse_id<T: std::str::FromStr>(raw: &str, code: &'static str, what: &str) -> Result<T, ApiError> {
    raw.parse().map_err(|_| error(StatusCode::NOT_FOUND, code, format!("The {what} {raw} does not exist.")))
}

/// Reads a request body strictly: a wrong envelope, a missing field or an unknown one is
/// refused with UpCloud's error body.
fn parse_body<T: serde::de::DeserializeOwned>(body: &J) -> Result<T, ApiError> {
    serde_json::from_value(body.clone()).map_err(|e| error(StatusCode::BAD_REQUEST, "INVALID_REQUEST", e.to_string()))
}

/// Basic (`username:password`) or bearer token, as UpCloud accepts; 401 otherwise.
pub async fn authenticate(State(emulator): Shared, request: Request, next: Next) -> Response {
    let creds = &emulator.credentials;
    let header = request.headers().get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let accepted = if let Some(basic) = header.strip_prefix("Basic ") {
        let expected = base64::engine::general_purpose::STANDARD
            .encode(format!("{}:{}", creds.upcloud_username, creds.upcloud_password));
        basic.trim() == expected
    } else if let Some(token) = header.strip_prefix("Bearer ") {
        token.trim() == creds.upcloud_token
    } else {
        false
    };
    if accepted {
        next.run(request).await
    } else {
        error(
            StatusCode::UNAUTHORIZED,
            "AUTHENTICATION_FAILED",
            "Authentication failed using the given username and password.",
        )
        .into_response()
    }
}

/// `label=key` or `label=key=value` filters.
fn matches_labels(labels: &[Label], filters: &[String]) -> bool {
    filters.iter().all(|f| match f.split_once('=') {
        Some((k, v)) => labels.iter().any(|l| l.key == k && l.value == v),
        None => labels.iter().any(|l| l.key == *f),
    })
}

fn query_all(query: &[(String, String)], key: &str) -> Vec<String> {
    query.iter().filter(|(k, _)| k == key).map(|(_, v)| v.clone()).collect()
}

async fn account(State(emulator): Shared) -> Answer {
    ok(
        StatusCode::OK,
        json!({"account": {"username": emulator.credentials.upcloud_username, "credits": 10000,
            "resource_limits": {"network_peerings": 100, "networks": 100, "routers": 100}}}),
    )
}

async fn list_networks(State(emulator): Shared, Query(query): Query<Vec<(String, String)>>) -> Answer {
    let world = emulator.lock_world();
    let zones = query_all(&query, "zone");
    let labels = query_all(&query, "label");
    let network = world
        .upcloud
        .networks
        .values()
        .filter(|n| world.upcloud.is_visible(n.uuid))
        .filter(|n| zones.is_empty() || zones.contains(&n.zone))
        .filter(|n| matches_labels(&n.labels, &labels))
        .cloned()
        .collect();
    ok(StatusCode::OK, NetworkList { networks: NetworkItems { network } })
}

fn network_or_404(world: &UpcloudWorld, id: UpcloudNetworkId) -> Result<&Network, ApiError> {
    if world.forbids_foreign_networks && world.networks.contains_key(&id) && !world.is_visible(id) {
        let message = format!("You do not have access to the network {id}.");
        return Err(error(StatusCode::FORBIDDEN, "NETWORK_FORBIDDEN", message));
    }
    world
        .networks
        .get(&id)
        .filter(|_| world.is_visible(id))
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "NETWORK_NOT_FOUND", format!("The network {id} does not exist.")))
}

async fn get_network(State(emulator): Shared, Path(uuid): Path<String>) -> Answer {
    let id: UpcloudNetworkId = parse_id(&uuid, "NETWORK_NOT_FOUND", "network")?;
    let world = emulator.lock_world();
    ok(StatusCode::OK, NetworkEnvelope { network: network_or_404(&world.upcloud, id)?.clone() })
}

async fn create_network(State(emulator): Shared, Json(body): Json<J>) -> Answer {
    let request = parse_body::<CreateNetworkRequest>(&body)?.network;
    if request.ip_networks.ip_network.is_empty() {
        return Err(error(StatusCode::BAD_REQUEST, "IP_NETWORKS_MISSING", "A network needs one ip_network."));
    }
    let uuid = UpcloudNetworkId(emulator.new_uuid(0x03));
    let mut world = emulator.lock_world();
    if let Some(router) = request.router
        && !world.upcloud.routers.contains_key(&router)
    {
        return Err(error(StatusCode::NOT_FOUND, "ROUTER_NOT_FOUND", format!("The router {router} does not exist.")));
    }
    let network = Network {
        uuid,
        name: request.name,
        zone: request.zone,
        kind: "private".into(),
        router: request.router,
        ip_networks: request.ip_networks,
        labels: request.labels,
        servers: Servers::default(),
    };
    world.upcloud.networks.insert(uuid, network.clone());
    ok(StatusCode::CREATED, NetworkEnvelope { network })
}

async fn modify_network(State(emulator): Shared, Path(uuid): Path<String>, Json(body): Json<J>) -> Answer {
    let id: UpcloudNetworkId = parse_id(&uuid, "NETWORK_NOT_FOUND", "network")?;
    let changes = parse_body::<ModifyNetworkRequest>(&body)?.network;
    let mut world = emulator.lock_world();
    network_or_404(&world.upcloud, id)?;
    // `router: null` detaches, a UUID attaches, an absent key leaves it.
    if let Some(Some(router)) = changes.router
        && !world.upcloud.routers.contains_key(&router)
    {
        return Err(error(StatusCode::NOT_FOUND, "ROUTER_NOT_FOUND", format!("The router {router} does not exist.")));
    }
    let network = world.upcloud.networks.get_mut(&id).expect("checked above");
    if let Some(name) = changes.name {
        network.name = name;
    }
    if let Some(labels) = changes.labels {
        network.labels = labels;
    }
    if let Some(ip_networks) = changes.ip_networks {
        network.ip_networks = ip_networks;
    }
    if let Some(router) = changes.router {
        network.router = router;
    }
    ok(StatusCode::OK, NetworkEnvelope { network: network.clone() })
}

async fn delete_network(State(emulator): Shared, Path(uuid): Path<String>) -> Answer {
    let id: UpcloudNetworkId = parse_id(&uuid, "NETWORK_NOT_FOUND", "network")?;
    let mut world = emulator.lock_world();
    let network = network_or_404(&world.upcloud, id)?;
    if !network.servers.server.is_empty() {
        let n = network.servers.server.len();
        return Err(error(
            StatusCode::CONFLICT,
            "NETWORK_NOT_EMPTY",
            format!("There are {n} interfaces attached to network {id}"),
        ));
    }
    world.upcloud.networks.remove(&id);
    // Its own peerings go with it; peerings toward it turn `deleted-peer-network`.
    world.upcloud.peerings.retain(|_, p| p.network != id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_routers(State(emulator): Shared, Query(query): Query<Vec<(String, String)>>) -> Answer {
    let world = emulator.lock_world();
    let labels = query_all(&query, "label");
    let router = world
        .upcloud
        .routers
        .keys()
        .filter_map(|id| world.upcloud.router_view(*id))
        .filter(|r| matches_labels(&r.labels, &labels))
        .collect();
    ok(StatusCode::OK, RouterList { routers: RouterItems { router } })
}

fn router_or_404(world: &UpcloudWorld, id: UpcloudRouterId) -> Result<RouterView, ApiError> {
    world
        .router_view(id)
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "ROUTER_NOT_FOUND", format!("The router {id} does not exist.")))
}

async fn get_router(State(emulator): Shared, Path(uuid): Path<String>) -> Answer {
    let id: UpcloudRouterId = parse_id(&uuid, "ROUTER_NOT_FOUND", "router")?;
    let world = emulator.lock_world();
    ok(StatusCode::OK, RouterEnvelope { router: router_or_404(&world.upcloud, id)? })
}

/// Checks a new user route list. UNVERIFIED (not in the recordings, kept from UpCloud's docs and
/// error list): the limit, duplicates, next hops that are no address, mixed families.
fn check_static_routes(routes: &[StaticRoute]) -> Result<(), ApiError> {
    const LIMIT: usize = 100;
    let user: Vec<&StaticRoute> = routes.iter().filter(|r| r.kind.as_deref() != Some("service")).collect();
    if user.len() > LIMIT {
        return Err(error(
            StatusCode::CONFLICT,
            "STATIC_ROUTE_LIMIT_REACHED",
            format!("A router has at most {LIMIT} static routes."),
        ));
    }
    for (i, route) in user.iter().enumerate() {
        if user[..i].iter().any(|other| other.route == route.route) {
            return Err(error(
                StatusCode::CONFLICT,
                "DUPLICATE_ROUTE",
                format!("Route {} is given twice.", route.route),
            ));
        }
        if route.nexthop == "no-nexthop" {
            continue;
        }
        let Ok(nexthop) = route.nexthop.parse::<std::net::IpAddr>() else {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "NEXTHOP_INVALID",
                format!("{:?} is not an IP address.", route.nexthop),
            ));
        };
        if nexthop.is_ipv4() != matches!(route.route, IpNet::V4(_)) {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "INVALID_ROUTE_FAMILY",
                format!("Route {} and next hop {nexthop} are of different families.", route.route),
            ));
        }
        // A next hop outside every attached network is accepted: recorded traffic shows it
        // (tests/golden/upcloud/router_create_static_route_unattached_nexthop.json).
    }
    Ok(())
}

fn apply_router_fields(router: &mut wire::Router, fields: RouterChanges) {
    if let Some(name) = fields.name {
        router.name = name;
    }
    if let Some(labels) = fields.labels {
        router.labels = labels;
    }
    if let Some(routes) = fields.static_routes {
        // User routes are replaced; service routes stay, whatever the list says.
        router.static_routes.retain(|r| r.kind.as_deref() == Some("service"));
        let mut user: Vec<StaticRoute> = routes.into_iter().filter(|r| r.kind.as_deref() != Some("service")).collect();
        // Unnamed routes get UpCloud's default, `static-route-N`, with the lowest N not in use.
        let mut taken: Vec<String> = user.iter().filter_map(|r| r.name.clone()).collect();
        for route in &mut user {
            if route.name.is_none() {
                let name = (0..).map(|n| format!("static-route-{n}")).find(|n| !taken.contains(n)).expect("unbounded");
                taken.push(name.clone());
                route.name = Some(name);
            }
            route.kind = Some("user".into());
        }
        router.static_routes.extend(user);
    }
}

async fn create_router(State(emulator): Shared, Json(body): Json<J>) -> Answer {
    let fields = parse_body::<RouterRequest>(&body)?.router;
    if fields.name.as_deref().is_none_or(str::is_empty) {
        return Err(error(StatusCode::BAD_REQUEST, "ROUTER_NAME_MISSING", "A router needs a name."));
    }
    let id = UpcloudRouterId(emulator.new_uuid(0x04));
    if let Some(routes) = &fields.static_routes {
        check_static_routes(routes)?;
    }
    let mut router = state::router(id, "");
    apply_router_fields(&mut router, fields);
    let mut world = emulator.lock_world();
    world.upcloud.routers.insert(id, router);
    ok(StatusCode::CREATED, RouterEnvelope { router: router_or_404(&world.upcloud, id)? })
}

async fn modify_router(State(emulator): Shared, Path(uuid): Path<String>, Json(body): Json<J>) -> Answer {
    let id: UpcloudRouterId = parse_id(&uuid, "ROUTER_NOT_FOUND", "router")?;
    let fields = parse_body::<RouterRequest>(&body)?.router;
    let mut world = emulator.lock_world();
    router_or_404(&world.upcloud, id)?;
    if let Some(routes) = &fields.static_routes {
        check_static_routes(routes)?;
    }
    apply_router_fields(world.upcloud.routers.get_mut(&id).expect("checked above"), fields);
    ok(StatusCode::OK, RouterEnvelope { router: router_or_404(&world.upcloud, id)? })
}

async fn delete_router(State(emulator): Shared, Path(uuid): Path<String>) -> Answer {
    let id: UpcloudRouterId = parse_id(&uuid, "ROUTER_NOT_FOUND", "router")?;
    let mut world = emulator.lock_world();
    let router = router_or_404(&world.upcloud, id)?;
    if !router.attached_networks.network.is_empty() {
        return Err(error(
            StatusCode::CONFLICT,
            "ROUTER_ATTACHED",
            format!("The router {id} is attached to networks."),
        ));
    }
    world.upcloud.routers.remove(&id);
    Ok(StatusCode::NO_CONTENT.into_response())
}

async fn list_peerings(State(emulator): Shared, Query(query): Query<Vec<(String, String)>>) -> Answer {
    let world = emulator.lock_world();
    let wanted: HashMap<&str, Vec<String>> =
        ["uuid", "network_uuid_local", "network_uuid_peer"].into_iter().map(|k| (k, query_all(&query, k))).collect();
    let labels = query_all(&query, "label");
    let pass = |key: &str, value: String| wanted[key].is_empty() || wanted[key].contains(&value);
    let now = emulator.clock.now_ms();
    let network_peering = world
        .upcloud
        .peerings
        .values()
        .filter(|p| world.upcloud.is_visible(p.network))
        .filter(|p| pass("uuid", p.uuid.to_string()))
        .filter(|p| pass("network_uuid_local", p.network.to_string()))
        .filter(|p| pass("network_uuid_peer", p.peer_network.to_string()))
        .filter(|p| matches_labels(&p.labels, &labels))
        .map(|p| world.upcloud.peering_view(p, now))
        .collect();
    ok(StatusCode::OK, PeeringList { network_peerings: PeeringItems { network_peering } })
}

fn peering_or_404(world: &UpcloudWorld, id: UpcloudPeeringId) -> Result<&PeeringRecord, ApiError> {
    world.peerings.get(&id).ok_or_else(|| {
        error(StatusCode::NOT_FOUND, "PEERING_NOT_FOUND", format!("The network peering {id} does not exist."))
    })
}

async fn get_peering(State(emulator): Shared, Path(uuid): Path<String>) -> Answer {
    let id: UpcloudPeeringId = parse_id(&uuid, "PEERING_NOT_FOUND", "network peering")?;
    let world = emulator.lock_world();
    let record = peering_or_404(&world.upcloud, id)?;
    ok(StatusCode::OK, PeeringEnvelope { network_peering: world.upcloud.peering_view(record, emulator.clock.now_ms()) })
}

async fn create_peering(State(emulator): Shared, Json(body): Json<J>) -> Answer {
    let request = parse_body::<CreatePeeringRequest>(&body)?.network_peering;
    if request.name.is_empty() || request.name.chars().count() > 255 {
        return Err(error(StatusCode::BAD_REQUEST, "NAME_INVALID", "The name must have 1 to 255 characters."));
    }
    let uuid = UpcloudPeeringId(emulator.new_uuid(0x0f));
    let mut world = emulator.lock_world();
    let up = &mut world.upcloud;
    let (local, peer) = (request.network.uuid, request.peer_network.uuid);
    let Some(local_network) = up.networks.get(&local).filter(|_| up.is_visible(local)) else {
        return Err(error(StatusCode::NOT_FOUND, "NETWORK_NOT_FOUND", format!("The network {local} does not exist.")));
    };
    if local_network.router.is_none() {
        return Err(error(
            StatusCode::CONFLICT,
            "LOCAL_NETWORK_NO_ROUTER",
            format!("The network {local} has no router attached."),
        ));
    }
    if !up.networks.contains_key(&peer) {
        return Err(error(
            StatusCode::NOT_FOUND,
            "PEER_NETWORK_NOT_FOUND",
            format!("The peer network {peer} does not exist."),
        ));
    }
    if up.peerings.values().any(|p| p.network == local && p.peer_network == peer) {
        return Err(error(
            StatusCode::CONFLICT,
            "PEERING_CONFLICT",
            format!("A peering from network {local} to {peer} already exists."),
        ));
    }
    // A one-way create answers `pending-peer` (the 201 in aiven/devportal
    // `vpc-peering-upcloud.rst`); one that completes a pair provisions first (the official
    // provider waits out `provisioning` after a create).
    let completes_pair = up.peerings.values().any(|p| p.network == peer && p.peer_network == local);
    let record = PeeringRecord {
        uuid,
        name: request.name,
        configured_status: request.configured_status,
        network: local,
        peer_network: peer,
        labels: request.labels,
        busy_until_ms: if completes_pair { emulator.clock.now_ms() + emulator.transition_ms } else { 0 },
    };
    up.peerings.insert(uuid, record.clone());
    ok(StatusCode::CREATED, PeeringEnvelope { network_peering: up.peering_view(&record, emulator.clock.now_ms()) })
}

async fn modify_peering(State(emulator): Shared, Path(uuid): Path<String>, Json(body): Json<J>) -> Answer {
    let id: UpcloudPeeringId = parse_id(&uuid, "PEERING_NOT_FOUND", "network peering")?;
    let patch = parse_body::<ModifyPeeringRequest>(&body)?.network_peering;
    let mut world = emulator.lock_world();
    peering_or_404(&world.upcloud, id)?;
    let record = world.upcloud.peerings.get_mut(&id).expect("checked above");
    if let Some(name) = patch.name {
        record.name = name;
    }
    if let Some(labels) = patch.labels {
        record.labels = labels;
    }
    if let Some(status) = patch.configured_status
        && status != record.configured_status
    {
        record.configured_status = status;
        record.busy_until_ms = emulator.clock.now_ms() + emulator.transition_ms;
    }
    let record = record.clone();
    ok(
        StatusCode::OK,
        PeeringEnvelope { network_peering: world.upcloud.peering_view(&record, emulator.clock.now_ms()) },
    )
}

async fn delete_peering(State(emulator): Shared, Path(uuid): Path<String>) -> Answer {
    let id: UpcloudPeeringId = parse_id(&uuid, "PEERING_NOT_FOUND", "network peering")?;
    let mut world = emulator.lock_world();
    let record = peering_or_404(&world.upcloud, id)?;
    let state = world.upcloud.peering_state(record, emulator.clock.now_ms());
    // "Peering can be deleted only when the state is disabled" (upcloud-go-api
    // `service/network_peering.go`); a disabled half whose peer network is gone says so instead,
    // and is taken as disabled (UNVERIFIED, docs/guides/emulator.md).
    let disabled = matches!(state, wire::PeeringState::Disabled | wire::PeeringState::DeletedPeerNetwork);
    if record.configured_status != ConfiguredStatus::Disabled || !disabled {
        return Err(error(
            StatusCode::CONFLICT,
            "PEERING_NOT_DISABLED",
            format!("The network peering {id} must be disabled before it is deleted (state {}).", state.as_str()),
        ));
    }
    world.upcloud.peerings.remove(&id);
    Ok(StatusCode::NO_CONTENT.into_response())
}
